// The Models page: the model library. Add a folder or file (button or drag and drop); the engine
// validates it off the GUI thread and a card shows what it is; remove; choose the default model.
// A folder that is not a usable model shows why, and nothing is added.
#pragma once

#include "chat_store.h"
#include "engine_types.h"

#include <QAbstractListModel>
#include <QFutureWatcher>
#include <QStyledItemDelegate>
#include <QWidget>

#include <exception>

class QLabel;
class QListView;
class QProgressBar;
class QPushButton;

class ModelListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Roles { IdRole = Qt::UserRole + 1, PathRole, RecordRole, DefaultRole };
    explicit ModelListModel(ChatStore& store, QObject* parent = nullptr);
    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    void reload();
    const ModelRecord& at(int row) const { return m_rows[row]; }
    int rowOf(const QString& path) const;

private:
    ChatStore& m_store;
    QVector<ModelRecord> m_rows;
};

// A card per model: name and default badge, architecture and size facts, path.
class ModelCardDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

class ModelsPage : public QWidget {
    Q_OBJECT
public:
    explicit ModelsPage(ChatStore& store, QWidget* parent = nullptr);
    ~ModelsPage() override;

    ModelListModel* model() const { return m_model; }
    QListView* view() const { return m_view; }
    QLabel* errorBanner() const { return m_banner; }
    bool isValidating() const { return m_watcher.isRunning(); }

public Q_SLOTS:
    void addModel(const QString& path);  // validates on a worker thread, then adds
    void addFolder();
    void addFile();
    void removeSelected();
    void setSelectedDefault();

Q_SIGNALS:
    void modelsChanged();
    void validationFinished(bool added, const QString& path);

protected:
    void changeEvent(QEvent* e) override;
    void dragEnterEvent(QDragEnterEvent* e) override;
    void dropEvent(QDropEvent* e) override;

private:
    struct Result {
        ModelRecord record;
        bool ok = false;
        EngineError error;
    };
    void retranslate();
    void updateButtons();
    void onValidated();
    void showStoreError(const std::exception& e);  // in the banner: the page stays usable

    ChatStore& m_store;
    ModelListModel* m_model;
    QListView* m_view;
    QLabel* m_heading;
    QLabel* m_hint;
    QLabel* m_banner;
    QWidget* m_busyRow;
    QLabel* m_busyLabel;
    QPushButton* m_addFolder;
    QPushButton* m_addFile;
    QPushButton* m_setDefault;
    QPushButton* m_remove;
    QFutureWatcher<Result> m_watcher;
    QString m_validatingPath;
    QStringList m_queue;
};
