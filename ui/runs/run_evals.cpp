#include "run_evals.h"

#include "common/error.h"
#include "eval_metrics.h"
#include "train_runner.h"

#include <QDateTime>
#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QRegularExpression>
#include <QTreeView>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace {

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

// A path or word as a shell reads it back: quoted when it holds anything but plain characters.
QString shellWord(const QString& s) {
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_./:=@+,-]+$"));
    if (plain.match(s).hasMatch()) return s;
    QString quoted = s;
    quoted.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

}  // namespace

RunEvalModel::RunEvalModel(QObject* parent) : QAbstractItemModel(parent) {}

// Evaluation rows carry internal id 0; a group row carries its evaluation's row + 1.
QModelIndex RunEvalModel::index(int row, int column, const QModelIndex& parent) const {
    if (row < 0 || column < 0 || column >= ColumnCount) return {};
    if (!parent.isValid())
        return row < static_cast<int>(m_rows.size()) ? createIndex(row, column, quintptr(0)) : QModelIndex();
    if (parent.internalId() != 0 || parent.row() >= static_cast<int>(m_rows.size())) return {};
    if (row >= static_cast<int>(m_rows[static_cast<size_t>(parent.row())].groups.size())) return {};
    return createIndex(row, column, quintptr(parent.row() + 1));
}

QModelIndex RunEvalModel::parent(const QModelIndex& child) const {
    if (!child.isValid() || child.internalId() == 0) return {};
    return createIndex(static_cast<int>(child.internalId() - 1), 0, quintptr(0));
}

int RunEvalModel::rowCount(const QModelIndex& parent) const {
    if (!parent.isValid()) return static_cast<int>(m_rows.size());
    if (parent.internalId() != 0 || parent.column() != 0) return 0;
    return static_cast<int>(m_rows[static_cast<size_t>(parent.row())].groups.size());
}

int RunEvalModel::columnCount(const QModelIndex&) const {
    return ColumnCount;
}

QString RunEvalModel::formatScore(const std::string& metric, double score) {
    if (atelier::is_accuracy_metric(metric))
        return QLocale().toString(100 * score, 'f', 1) + QLocale().percent();
    return QLocale().toString(score, 'f', 4);
}

QVariant RunEvalModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) return {};
    const bool group = index.internalId() != 0;
    const size_t evalRow = group ? index.internalId() - 1 : static_cast<size_t>(index.row());
    if (evalRow >= m_rows.size()) return {};
    const Row& r = m_rows[evalRow];
    const atelier::EvalRecord& e = r.eval;
    if (role == EvalIdRole) return static_cast<qint64>(e.id);
    if (role == Qt::TextAlignmentRole)
        return index.column() >= ScoreColumn ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    if (group) {
        if (static_cast<size_t>(index.row()) >= r.groups.size()) return {};
        const Group& g = r.groups[static_cast<size_t>(index.row())];
        if (role == ScoreRole) return g.score;
        if (role != Qt::DisplayRole) return {};
        switch (index.column()) {
            case WhenColumn: return g.name.isEmpty() ? tr("(no group)") : g.name;
            case ScoreColumn: return formatScore(e.metric, g.score);
            case ItemsColumn: return g.count;
        }
        return {};
    }
    if (role == ScoreRole) return e.score;
    if (role == Qt::ToolTipRole) {
        switch (index.column()) {
            case DatasetColumn: return q(e.dataset);
            case ScoreColumn:
                if (e.metric == "perplexity") return tr("Perplexity: lower is better");
                if (e.perplexity > 0)
                    return tr("Perplexity of the references: %1")
                        .arg(QLocale().toString(e.perplexity, 'f', 4));
                return {};
        }
        return tr("Model: %1").arg(q(e.model));
    }
    if (role != Qt::DisplayRole) return {};
    switch (index.column()) {
        case WhenColumn:
            return QLocale().toString(QDateTime::fromMSecsSinceEpoch(e.created_at), QLocale::ShortFormat);
        case DatasetColumn: return QFileInfo(q(e.dataset)).fileName();
        case MetricColumn: return q(e.metric);
        case ScoreColumn: return formatScore(e.metric, e.score);
        case ItemsColumn: return static_cast<qint64>(e.items);
    }
    return {};
}

QVariant RunEvalModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
        case WhenColumn: return tr("Evaluated / group");
        case DatasetColumn: return tr("Dataset");
        case MetricColumn: return tr("Metric");
        case ScoreColumn: return tr("Score");
        case ItemsColumn: return tr("Items");
    }
    return {};
}

void RunEvalModel::setEvals(std::vector<atelier::EvalRecord> evals) {
    std::reverse(evals.begin(), evals.end());  // newest first
    // Stored evaluations never change: the same ids are the same rows.
    bool same = evals.size() == m_rows.size();
    for (size_t i = 0; same && i < evals.size(); ++i) same = evals[i].id == m_rows[i].eval.id;
    if (same) return;
    std::vector<Row> rows;
    rows.reserve(evals.size());
    for (atelier::EvalRecord& e : evals) {
        Row row;
        const auto groups = nlohmann::json::parse(e.groups_json, nullptr, /*allow_exceptions=*/false);
        if (groups.is_array())
            for (const auto& g : groups) {
                if (!g.is_object()) continue;
                Group group;
                const auto name = g.find("name");
                if (name != g.end() && name->is_string()) group.name = q(name->get<std::string>());
                const auto count = g.find("count");
                if (count != g.end() && count->is_number()) group.count = count->get<qint64>();
                const auto score = g.find("score");
                if (score != g.end() && score->is_number()) group.score = score->get<double>();
                row.groups.push_back(std::move(group));
            }
        row.eval = std::move(e);
        rows.push_back(std::move(row));
    }
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

void RunEvalModel::retranslate() {
    Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
    if (rowCount() > 0) Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

RunEvals::RunEvals(atelier::RunStore& store, const QString& storePath, QWidget* parent)
    : QWidget(parent), m_store(store), m_storePath(storePath) {
    setObjectName(QStringLiteral("runEvals"));
    m_model = new RunEvalModel(this);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_title = new QLabel(this);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_hint = new QLabel(this);
    m_hint->setObjectName(QStringLiteral("runEvalsHint"));
    m_hint->setWordWrap(true);
    m_hint->setTextInteractionFlags(Qt::TextSelectableByMouse);  // the command can be copied
    m_hint->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("runEvalTree"));
    m_view->setModel(m_model);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setSelectionMode(QAbstractItemView::NoSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setUniformRowHeights(true);
    m_view->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->header()->setStretchLastSection(false);
    setMinimumWidth(380);  // date or group, dataset, metric, score and items side by side
    layout->addWidget(m_title);
    layout->addWidget(m_hint);
    layout->addWidget(m_view, 1);
    layout->addStretch(0);
    // The newest evaluation opens on its groups (the question types of a multimodal test set).
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        if (m_model->rowCount() > 0) m_view->expand(m_model->index(0, 0));
    });
    retranslate();
}

void RunEvals::setRun(qint64 id) {
    if (id == m_run) return;
    m_run = id;
    m_record = atelier::RunRecord();
    m_model->setEvals({});
    refresh();
}

void RunEvals::refresh() {
    if (m_run == 0) {
        retranslate();
        return;
    }
    try {
        atelier::RunRecord record = m_store.run(m_run);
        std::vector<atelier::EvalRecord> evals = m_store.evals(m_run);
        m_record = std::move(record);
        m_model->setEvals(std::move(evals));
    } catch (const atelier::Error&) {
        return;  // the store is busy for a moment (a trainer writes): keep what is shown
    } catch (const std::exception&) {
        return;
    }
    retranslate();
}

void RunEvals::changeEvent(QEvent* e) {
    if (e->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(e);
}

void RunEvals::retranslate() {
    m_model->retranslate();
    m_title->setText(m_run ? tr("Evaluations of run %1").arg(m_run) : tr("Evaluations"));
    const bool none = m_model->rowCount() == 0;
    m_view->setVisible(!none);
    m_hint->setVisible(none);
    if (!none) return;
    // The command that evaluates this run's result and stores the score with it.
    const atelier::RunRecord& r = m_record;
    QString model = QStringLiteral("--model ");
    if (r.method.rfind("multimodal:", 0) == 0)
        model += shellWord(QDir(q(r.out_dir)).filePath(QStringLiteral("bundle")));
    else
        model += shellWord(r.model.empty() ? QStringLiteral("MODEL") : q(r.model)) +
                 QStringLiteral(" --adapter ") +
                 shellWord(QDir(q(r.out_dir)).filePath(QStringLiteral("adapter")));
    QString store;
    if (QFileInfo(m_storePath).absoluteFilePath() !=
        QFileInfo(q(atelier::default_run_store_path())).absoluteFilePath())
        store = QStringLiteral(" --store ") + shellWord(m_storePath);
    m_hint->setText(tr("No evaluations yet — run atelier-cli eval --run %1 %2 --data FILE%3 to score this "
                       "run's result on a test set.")
                        .arg(m_run)
                        .arg(model, store));
}
