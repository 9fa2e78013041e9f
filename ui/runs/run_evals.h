// A run's stored evaluations, as `atelier-cli eval --run ID` records them: one row per evaluation
// (date, dataset file, metric, overall score, items), newest first, its per-group scores as child
// rows (group, score, items). Without evaluations it shows the command that adds one. The Runs page
// shows it for the one selected run and refreshes it on its timer; a store that is busy for a
// moment (a trainer writing) leaves what is shown.
//
//   RunEvals evals(runStore, storePath);  evals.setRun(3);   // evals.refresh() while it is shown
#pragma once

#include "run_store.h"

#include <QAbstractItemModel>
#include <QWidget>

#include <vector>

class QLabel;
class QTreeView;

class RunEvalModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { WhenColumn, DatasetColumn, MetricColumn, ScoreColumn, ItemsColumn, ColumnCount };
    enum Roles { EvalIdRole = Qt::UserRole + 1, ScoreRole };
    explicit RunEvalModel(QObject* parent = nullptr);

    QModelIndex index(int row, int column, const QModelIndex& parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // The store's list (oldest first); an unchanged list keeps the rows (and what is expanded).
    void setEvals(std::vector<atelier::EvalRecord> evals);
    void retranslate();
    // Accuracy metrics as a percentage (85.7%), BLEU / ROUGE-L / perplexity with 4 decimals, as the
    // CLI prints them.
    static QString formatScore(const std::string& metric, double score);

private:
    struct Group {
        QString name;
        qint64 count = 0;
        double score = 0;
    };
    struct Row {
        atelier::EvalRecord eval;
        std::vector<Group> groups;
    };
    std::vector<Row> m_rows;  // newest first
};

class RunEvals : public QWidget {
    Q_OBJECT
public:
    RunEvals(atelier::RunStore& store, const QString& storePath, QWidget* parent = nullptr);

    void setRun(qint64 id);  // 0: none
    qint64 run() const { return m_run; }
    RunEvalModel* model() const { return m_model; }
    QTreeView* view() const { return m_view; }
    QLabel* hint() const { return m_hint; }  // shown while the run has no evaluations

public Q_SLOTS:
    void refresh();  // reads the run's evaluations again

protected:
    void changeEvent(QEvent* e) override;

private:
    void retranslate();

    atelier::RunStore& m_store;
    QString m_storePath;
    qint64 m_run = 0;
    atelier::RunRecord m_record;  // of m_run, for the hint's command
    RunEvalModel* m_model;
    QLabel* m_title;
    QLabel* m_hint;
    QTreeView* m_view;
};
