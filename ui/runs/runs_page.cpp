#include "runs_page.h"

#include "background_pool.h"
#include "error_text.h"
#include "metric_chart.h"
#include "model_inspector.h"
#include "run_evals.h"
#include "trainer_process.h"
#include "widgets.h"

#include "common/error.h"
#include "common/files.h"
#include "model/llama.h"
#include "train_config.h"

#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace {

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

QString duration(const atelier::RunRecord& r) {
    if (r.started_at <= 0) return QStringLiteral("–");
    const qint64 end = r.ended_at > 0 ? r.ended_at : QDateTime::currentMSecsSinceEpoch();
    const qint64 s = std::max<qint64>(0, (end - r.started_at) / 1000);
    return s >= 3600 ? QStringLiteral("%1:%2:%3")
                           .arg(s / 3600)
                           .arg(s / 60 % 60, 2, 10, QLatin1Char('0'))
                           .arg(s % 60, 2, 10, QLatin1Char('0'))
                     : QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

bool isMultimodal(const atelier::RunRecord& r) {
    return r.method.rfind("multimodal:", 0) == 0;
}

// What a finished run made: its adapter folder, or a multimodal run's bundle.
QString adapterDir(const atelier::RunRecord& r) {
    return QDir(q(r.out_dir))
        .filePath(isMultimodal(r) ? QStringLiteral("bundle") : QStringLiteral("adapter"));
}

// "…/image": an encoder folder by its last component (the whole path is in the tooltip).
QString shortPath(const std::string& path) {
    const QString name = QFileInfo(QDir::cleanPath(q(path))).fileName();
    return name.isEmpty() ? q(path) : QStringLiteral("…/") + name;
}

// One line for a multimodal run: its stage and encoders, from the configuration it was started with.
// Empty for a text run (or a configuration that no longer reads).
QString multimodalSummary(const atelier::RunRecord& r, QString* tooltip) {
    if (!isMultimodal(r)) return {};
    atelier::MultimodalTrainConfig m;
    try {
        m = atelier::TrainConfig::from_json(r.config_json, "run " + std::to_string(r.id)).multimodal;
    } catch (const std::exception&) {
        return {};
    }
    if (!m.enabled()) return {};
    QStringList encoders, paths;
    if (!m.image_encoder.empty()) {
        encoders << RunsPage::tr("image encoder %1").arg(shortPath(m.image_encoder));
        paths << q(m.image_encoder);
    }
    if (!m.audio_encoder.empty()) {
        encoders << RunsPage::tr("audio encoder %1").arg(shortPath(m.audio_encoder));
        paths << q(m.audio_encoder);
    }
    if (encoders.isEmpty()) encoders << RunsPage::tr("the model's own encoders");
    if (m.train_encoders) encoders << RunsPage::tr("encoders trained");
    *tooltip = (QStringList{q(r.model)} + paths).join(QLatin1Char('\n'));
    return RunsPage::tr("Multimodal · stage %1 · %2").arg(q(m.stage), encoders.join(QStringLiteral(", ")));
}

}  // namespace

RunListModel::RunListModel(atelier::RunStore& store, QObject* parent)
    : QAbstractTableModel(parent), m_store(store) {
    reload();
}

int RunListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}
int RunListModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString RunListModel::methodName(const std::string& method) {
    if (method == "lora") return QStringLiteral("LoRA");
    if (method == "llama-adapter") return QStringLiteral("LLaMA-Adapter V1");
    if (method == "llama-adapter-v2") return QStringLiteral("LLaMA-Adapter V2");
    if (method.rfind("multimodal:", 0) == 0) {
        const std::string rest = method.substr(11);
        if (rest == "projector") return RunsPage::tr("Multimodal · projectors (stage 1)");
        if (rest == "bind") return RunsPage::tr("Multimodal · bind network");
        const size_t colon = rest.find(':');
        return RunsPage::tr("Multimodal · projectors + %1 (stage 2)")
            .arg(colon == std::string::npos ? QString() : methodName(rest.substr(colon + 1)));
    }
    return q(method);
}

void RunListModel::retranslate() {
    Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
    if (rowCount() > 0) Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

QString RunListModel::statusText(atelier::RunStatus status) {
    switch (status) {
        case atelier::RunStatus::Queued: return tr("Queued");
        case atelier::RunStatus::Running: return tr("Training");
        case atelier::RunStatus::Finished: return tr("Finished");
        case atelier::RunStatus::Stopped: return tr("Stopped");
        case atelier::RunStatus::Failed: return tr("Failed");
        case atelier::RunStatus::Interrupted: return tr("Interrupted");
    }
    return tr("Failed");
}

QVariant RunListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const atelier::RunRecord& r = m_rows[static_cast<size_t>(index.row())];
    if (role == RunIdRole) return static_cast<qint64>(r.id);
    if (role == Qt::ToolTipRole) return r.error.empty() ? q(r.out_dir) : q(r.error);
    const bool sort = role == SortRole;
    if (role != Qt::DisplayRole && !sort) return {};
    switch (index.column()) {
        case IdColumn: return static_cast<qint64>(r.id);
        case ModelColumn: return modelDisplayName(q(r.model));
        case MethodColumn: return methodName(r.method);
        case DatasetColumn: return QFileInfo(q(r.dataset)).fileName();
        case StatusColumn: return statusText(r.status);
        case EvalColumn:
            if (sort) return r.best_eval_loss;
            return r.best_eval_loss >= 0 ? QLocale().toString(r.best_eval_loss, 'f', 4) : QStringLiteral("–");
        case StepsColumn:
            if (sort) return static_cast<qint64>(r.step);
            return QStringLiteral("%1 / %2").arg(r.step).arg(r.total_steps);
        case ProcessesColumn:
            if (sort) return static_cast<qint64>(r.world_size);
            return QLocale().toString(static_cast<qint64>(r.world_size));
        case DurationColumn:
            if (sort)
                return static_cast<qint64>(
                    (r.ended_at > 0 ? r.ended_at : QDateTime::currentMSecsSinceEpoch()) - r.started_at);
            return duration(r);
        case StartedColumn:
            if (sort) return static_cast<qint64>(r.created_at);
            return QLocale().toString(QDateTime::fromMSecsSinceEpoch(r.created_at), QLocale::ShortFormat);
    }
    return {};
}

QVariant RunListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
        case IdColumn: return tr("Run");
        case ModelColumn: return tr("Model");
        case MethodColumn: return tr("Method");
        case DatasetColumn: return tr("Dataset");
        case StatusColumn: return tr("Status");
        case EvalColumn: return tr("Best eval loss");
        case StepsColumn: return tr("Steps");
        case ProcessesColumn: return tr("Processes");
        case DurationColumn: return tr("Duration");
        case StartedColumn: return tr("Created");
    }
    return {};
}

void RunListModel::reload() {
    std::vector<atelier::RunRecord> rows;
    try {
        m_store.mark_interrupted();
        rows = m_store.runs();
    } catch (const atelier::Error&) {
        return;  // busy for a moment: keep what is shown
    }
    bool same = rows.size() == m_rows.size();
    for (size_t i = 0; same && i < rows.size(); ++i) same = rows[i].id == m_rows[i].id;
    if (same) {
        m_rows = std::move(rows);
        if (!m_rows.empty()) Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

RunsPage::RunsPage(atelier::RunStore& store, const QString& storePath, QWidget* parent)
    : QWidget(parent), m_store(store), m_storePath(storePath) {
    m_model = new RunListModel(store, this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(RunListModel::SortRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 12, 16, 12);
    m_heading = makePageHeading(this);
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("runFilter"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setMinimumWidth(300);
    auto* top = new QHBoxLayout;
    top->addWidget(m_heading);
    top->addStretch(1);
    top->addWidget(m_filter);
    layout->addLayout(top);
    m_banner = makeErrorBanner(this, QStringLiteral("runsErrorBanner"));
    layout->addWidget(m_banner);
    m_details = new QLabel(this);
    m_details->setObjectName(QStringLiteral("runDetails"));
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->hide();

    auto* buttons = new QHBoxLayout;
    m_chat = new QPushButton(QIcon(QStringLiteral(":/icons/chat.svg")), QString(), this);
    m_chat->setObjectName(QStringLiteral("chatWithAdapter"));
    m_continue = new QPushButton(this);
    m_continue->setObjectName(QStringLiteral("continueRun"));
    m_stop = new QPushButton(QIcon(QStringLiteral(":/icons/stop.svg")), QString(), this);
    m_config = new QPushButton(this);
    m_exportAdapter = new QPushButton(QIcon(QStringLiteral(":/icons/export.svg")), QString(), this);
    m_exportMerged = new QPushButton(this);
    m_delete = new QPushButton(this);
    for (QPushButton* b : {m_chat, m_continue, m_stop, m_config, m_exportAdapter, m_exportMerged})
        buttons->addWidget(b);
    buttons->addStretch(1);
    buttons->addWidget(m_delete);
    layout->addLayout(buttons);
    layout->addWidget(m_details);

    auto* split = new QSplitter(Qt::Vertical, this);
    m_view = new QTableView(split);
    m_view->setObjectName(QStringLiteral("runTable"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(RunListModel::IdColumn, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    // Columns as wide as their header and cells (in any language); the user can still drag them.
    auto fitColumns = [this] {
        QTimer::singleShot(0, m_view, [this] { m_view->resizeColumnsToContents(); });
    };
    connect(m_proxy, &QAbstractItemModel::modelReset, this, fitColumns);
    connect(m_proxy, &QAbstractItemModel::headerDataChanged, this, fitColumns);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, fitColumns);
    m_view->setAlternatingRowColors(true);
    // Below the table: the curves, and beside them the one selected run's evaluations.
    auto* lower = new QSplitter(Qt::Horizontal, split);
    m_chart = new MetricChart(store, lower);
    m_evals = new RunEvals(store, storePath, lower);
    m_evals->hide();
    lower->addWidget(m_chart);
    lower->addWidget(m_evals);
    lower->setStretchFactor(0, 3);
    lower->setStretchFactor(1, 2);
    split->addWidget(m_view);
    split->addWidget(lower);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        const QVector<qint64> ids = selectedRuns();
        m_chart->setRuns(ids);
        m_evals->setRun(ids.size() == 1 ? ids.first() : 0);
        m_evals->setVisible(ids.size() == 1);
        updateSelection();
    });
    connect(m_view, &QTableView::doubleClicked, this, &RunsPage::showConfig);
    connect(m_chat, &QPushButton::clicked, this, &RunsPage::chatWithSelected);
    connect(m_continue, &QPushButton::clicked, this, &RunsPage::continueSelected);
    connect(m_stop, &QPushButton::clicked, this, &RunsPage::stopSelected);
    connect(m_config, &QPushButton::clicked, this, &RunsPage::showConfig);
    connect(m_exportAdapter, &QPushButton::clicked, this, &RunsPage::exportAdapter);
    connect(m_exportMerged, &QPushButton::clicked, this, &RunsPage::exportMerged);
    connect(m_delete, &QPushButton::clicked, this, &RunsPage::deleteSelected);
    connect(&m_merge, &QFutureWatcher<QString>::finished, this, [this] {
        const QString error = m_merge.result();
        if (!error.isEmpty()) {
            m_banner->setText(error);
            m_banner->show();
        }
        Q_EMIT mergeFinished(error.isEmpty(), error);
        if (error.isEmpty()) Q_EMIT statusMessage(tr("Merged model written."));
        updateSelection();
    });
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &RunsPage::refresh);
    m_timer.start();
    retranslate();
    updateSelection();
}

void RunsPage::retranslate() {
    m_model->retranslate();
    m_heading->setText(tr("Runs"));
    m_filter->setPlaceholderText(tr("Filter by model, method, dataset or status"));
    m_chat->setText(tr("Chat with this adapter"));
    m_chat->setToolTip(tr("Open a chat with the base model and this run's adapter attached"));
    m_continue->setText(tr("Continue"));
    m_continue->setToolTip(tr("Resume training from the run's last checkpoint"));
    m_stop->setText(tr("Stop"));
    m_stop->setToolTip(tr("Stop at the end of the current step, after writing a checkpoint"));
    m_config->setText(tr("Configuration"));
    m_exportAdapter->setText(tr("Export adapter…"));
    m_exportAdapter->setToolTip(tr("Copy the adapter (safetensors; LoRA in PEFT's layout) to a folder"));
    m_exportMerged->setText(tr("Export merged model…"));
    m_delete->setText(tr("Delete"));
    m_delete->setToolTip(tr("Remove the run from this list; its files stay on disk"));
    updateSelection();
}

void RunsPage::changeEvent(QEvent* e) {
    if (e->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(e);
}

QVector<qint64> RunsPage::selectedRuns() const {
    QVector<qint64> ids;
    for (const QModelIndex& index : m_view->selectionModel()->selectedRows())
        ids.push_back(index.data(RunListModel::RunIdRole).toLongLong());
    std::sort(ids.begin(), ids.end());
    return ids;
}

void RunsPage::selectRun(qint64 id) {
    for (int row = 0; row < m_proxy->rowCount(); ++row) {
        const QModelIndex index = m_proxy->index(row, 0);
        if (index.data(RunListModel::RunIdRole).toLongLong() == id) {
            m_view->selectRow(row);
            return;
        }
    }
}

atelier::RunRecord RunsPage::current() const {
    const QVector<qint64> ids = selectedRuns();
    if (ids.size() != 1) return {};
    try {
        return m_store.run(ids.first());
    } catch (const atelier::Error&) {
        return {};  // the store is busy for a moment: nothing selected this time
    } catch (const std::exception&) {
        return {};
    }
}

void RunsPage::updateSelection() {
    const int selected = static_cast<int>(selectedRuns().size());
    const atelier::RunRecord r = selected == 1 ? current() : atelier::RunRecord();
    const bool one = r.id != 0;
    if (one || selected != 1) {  // a store busy for a moment keeps the details shown
        QString tooltip;
        const QString summary = one ? multimodalSummary(r, &tooltip) : QString();
        m_details->setText(summary);
        m_details->setToolTip(tooltip);
        m_details->setVisible(!summary.isEmpty());
    }
    const bool finished = one && r.status == atelier::RunStatus::Finished && QFileInfo::exists(adapterDir(r));
    m_chat->setEnabled(finished);
    m_exportAdapter->setEnabled(finished);
    const bool mergeable =
        finished && r.method != "llama-adapter" && !isMultimodal(r) && !m_merge.isRunning();
    m_exportMerged->setEnabled(mergeable);
    m_exportMerged->setToolTip(
        one && r.method == "llama-adapter"
            ? tr("A LLaMA-Adapter cannot be merged: its prompt tokens are an attention "
                 "branch, not weights. Use it as an adapter.")
            : tr("Fold the adapter into the base weights and save a Hugging Face folder"));
    m_continue->setEnabled(one && atelier::run_resumable(r.status));
    m_stop->setEnabled(one && r.status == atelier::RunStatus::Running);
    m_config->setEnabled(one);
    m_delete->setEnabled(!selectedRuns().isEmpty());
}

void RunsPage::refresh() {
    const QVector<qint64> selected = selectedRuns();
    m_model->reload();
    if (selectedRuns() != selected)
        for (qint64 id : selected) selectRun(id);
    m_chart->refresh();
    m_evals->refresh();
    updateSelection();
}

void RunsPage::chatWithSelected() {
    const atelier::RunRecord r = current();
    if (r.id == 0 || r.status != atelier::RunStatus::Finished) return;
    // A bundle is a model of its own (its adapter attaches as it loads).
    if (isMultimodal(r))
        Q_EMIT chatWithAdapter(adapterDir(r), QString(), tr("Chat with run %1").arg(r.id));
    else
        Q_EMIT chatWithAdapter(q(r.model), adapterDir(r), tr("Chat with run %1").arg(r.id));
}

void RunsPage::continueSelected() {
    const atelier::RunRecord r = current();
    if (r.id == 0) return;
    QString error;
    if (!startTrainer(m_storePath, r.id, QDir(q(r.out_dir)).filePath(QStringLiteral("trainer.log")),
                      &error)) {
        m_banner->setText(error);
        m_banner->show();
        return;
    }
    m_banner->hide();
    m_continue->setEnabled(false);  // until the trainer has claimed the run
    Q_EMIT runContinued(r.id);
    Q_EMIT statusMessage(tr("Run %1 continues from its last checkpoint.").arg(r.id));
}

void RunsPage::stopSelected() {
    const atelier::RunRecord r = current();
    if (r.id != 0 && r.status == atelier::RunStatus::Running &&
        stopTrainer(QString::fromStdString(r.out_dir)))
        Q_EMIT statusMessage(tr("Run %1 stops after writing a checkpoint.").arg(r.id));
}

void RunsPage::deleteSelected() {
    const QVector<qint64> ids = selectedRuns();
    if (ids.isEmpty()) return;
    try {
        for (qint64 id : ids)
            if (m_store.run(id).status == atelier::RunStatus::Running) {
                m_banner->setText(tr("Run %1 is training: stop it before deleting it.").arg(id));
                m_banner->show();
                return;
            }
    } catch (const std::exception& e) {
        m_banner->setText(errorText(engineErrorFrom(e)));
        m_banner->show();
        return;
    }
    if (QMessageBox::question(this, tr("Delete runs"),
                              tr("Remove the selected runs and their curves from the list? Their folders, "
                                 "checkpoints and adapters stay on disk.")) != QMessageBox::Yes)
        return;
    try {
        for (qint64 id : ids)
            if (!m_store.delete_run(id) && m_store.run(id).status == atelier::RunStatus::Running) {
                m_banner->setText(tr("Run %1 is training: stop it before deleting it.").arg(id));
                m_banner->show();
            }
    } catch (const std::exception& e) {
        m_banner->setText(errorText(engineErrorFrom(e)));
        m_banner->show();
    }
    refresh();
}

void RunsPage::showConfig() {
    const atelier::RunRecord r = current();
    if (r.id == 0) return;
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Run %1: configuration").arg(r.id));
    auto* layout = new QVBoxLayout(&dialog);
    auto* text = new QPlainTextEdit(&dialog);
    text->setReadOnly(true);
    text->setPlainText(q(r.config_json) +
                       (r.error.empty() ? QString() : QStringLiteral("\n\n") + q(r.error)));
    text->setMinimumSize(560, 420);
    auto* box = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
    connect(box, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addWidget(text);
    layout->addWidget(box);
    dialog.exec();
}

void RunsPage::exportAdapter() {
    const atelier::RunRecord r = current();
    if (r.id == 0) return;
    const QString target = QFileDialog::getExistingDirectory(this, tr("Export the adapter to"));
    if (target.isEmpty()) return;
    if (QFileInfo::exists(QDir(target).filePath(QStringLiteral("adapter_config.json"))) &&
        QFileInfo(target).canonicalFilePath() != QFileInfo(adapterDir(r)).canonicalFilePath() &&
        QMessageBox::question(
            this, tr("Replace the adapter?"),
            tr("%1 already holds an adapter. Replace its files with this run's adapter?").arg(target)) !=
            QMessageBox::Yes)
        return;
    try {
        atelier::copy_folder_files(adapterDir(r).toStdString(), target.toStdString());
    } catch (const std::exception& e) {  // the adapter's own folder, a full disk, permissions
        m_banner->setText(errorText(engineErrorFrom(e)));
        m_banner->show();
        return;
    }
    Q_EMIT statusMessage(tr("Adapter exported to %1").arg(target));
}

void RunsPage::exportMerged() {
    const atelier::RunRecord r = current();
    if (r.id == 0 || m_merge.isRunning()) return;
    const QString target = QFileDialog::getExistingDirectory(this, tr("Save the merged model in"));
    if (target.isEmpty()) return;
    // The engine refuses the base model's and the adapter's own folders; another model's is the
    // user's call.
    const QDir dir(target);
    if ((dir.exists(QStringLiteral("config.json")) || dir.exists(QStringLiteral("model.safetensors"))) &&
        QMessageBox::question(
            this, tr("Replace the model?"),
            tr("%1 already holds a model. Replace it with the merged model?").arg(target)) !=
            QMessageBox::Yes)
        return;
    m_exportMerged->setEnabled(false);
    const QString model = q(r.model), adapter = adapterDir(r);
    m_merge.setFuture(QtConcurrent::run(backgroundPool(), [model, adapter, target]() -> QString {
        try {
            auto m = atelier::LlamaModel::load(model.toStdString());
            m->attach_adapter(adapter.toStdString());
            m->save_merged(target.toStdString());
            return QString();
        } catch (const atelier::Error& e) {
            return errorText(engineErrorFrom(e));
        } catch (const std::exception& e) {
            return errorSentence(-1) + QLatin1Char('\n') + QString::fromUtf8(e.what());
        } catch (...) {
            return errorSentence(-1);
        }
    }));
}
