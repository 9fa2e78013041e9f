// The Runs page: every fine-tuning run in the run store (model, method, dataset, status, best eval
// loss, duration), sortable and filterable; the curves of the selected runs overlaid; and what a
// run allows: chat with its adapter, continue or stop it, show its configuration, export the
// adapter or a merged model, delete it. For one selected run: a multimodal run's stage and
// encoders, and its stored evaluations (RunEvals). Live: the table and curves refresh while runs
// train.
#pragma once

#include "run_store.h"

#include <QAbstractTableModel>
#include <QFutureWatcher>
#include <QTimer>
#include <QWidget>

class MetricChart;
class RunEvals;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

class RunListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        IdColumn,
        ModelColumn,
        MethodColumn,
        DatasetColumn,
        StatusColumn,
        EvalColumn,
        StepsColumn,
        ProcessesColumn,
        DurationColumn,
        StartedColumn,
        ColumnCount
    };
    enum Roles { RunIdRole = Qt::UserRole + 1, SortRole };
    explicit RunListModel(atelier::RunStore& store, QObject* parent = nullptr);
    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void reload();  // keeps rows in place when the set of runs is unchanged (selection survives)
    const atelier::RunRecord& at(int row) const { return m_rows[static_cast<size_t>(row)]; }
    static QString statusText(atelier::RunStatus status);
    static QString methodName(const std::string& method);
    void retranslate();  // headers and cells in the new language

private:
    atelier::RunStore& m_store;
    std::vector<atelier::RunRecord> m_rows;
};

class RunsPage : public QWidget {
    Q_OBJECT
public:
    RunsPage(atelier::RunStore& store, const QString& storePath, QWidget* parent = nullptr);

    RunListModel* model() const { return m_model; }
    QTableView* view() const { return m_view; }
    MetricChart* chart() const { return m_chart; }
    RunEvals* evals() const { return m_evals; }
    QLabel* details() const { return m_details; }  // a multimodal run's stage and encoders
    QVector<qint64> selectedRuns() const;
    void selectRun(qint64 id);

public Q_SLOTS:
    void refresh();
    void chatWithSelected();
    void continueSelected();
    void stopSelected();
    void deleteSelected();
    void showConfig();
    void exportAdapter();
    void exportMerged();

Q_SIGNALS:
    void chatWithAdapter(const QString& modelPath, const QString& adapterPath, const QString& title);
    void statusMessage(const QString& text);
    void mergeFinished(bool ok, const QString& message);
    void runContinued(qint64 run);

protected:
    void changeEvent(QEvent* e) override;

private:
    void retranslate();
    void updateSelection();  // buttons and details for what is selected
    atelier::RunRecord current() const;

    atelier::RunStore& m_store;
    QString m_storePath;
    RunListModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_view;
    MetricChart* m_chart;
    RunEvals* m_evals;
    QLabel* m_heading;
    QLineEdit* m_filter;
    QLabel* m_banner;
    QLabel* m_details;
    QPushButton *m_chat, *m_continue, *m_stop, *m_config, *m_exportAdapter, *m_exportMerged, *m_delete;
    QTimer m_timer;
    QFutureWatcher<QString> m_merge;
};
