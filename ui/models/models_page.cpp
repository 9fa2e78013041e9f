#include "models_page.h"

#include "background_pool.h"
#include "error_text.h"
#include "model_inspector.h"
#include "widgets.h"

#include "common/error.h"

#include <QDragEnterEvent>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QIcon>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QListView>
#include <QLocale>
#include <QMimeData>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QStandardPaths>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

Q_DECLARE_METATYPE(ModelRecord)

ModelListModel::ModelListModel(ChatStore& store, QObject* parent)
    : QAbstractListModel(parent), m_store(store) {
    reload();
}

int ModelListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QVariant ModelListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_rows.size()) return {};
    const ModelRecord& m = m_rows[index.row()];
    switch (role) {
        case Qt::DisplayRole: return m.name;
        case Qt::ToolTipRole: return m.path;
        case IdRole: return m.id;
        case PathRole: return m.path;
        case DefaultRole: return m.isDefault;
        case RecordRole: return QVariant::fromValue(m);
    }
    return {};
}

void ModelListModel::reload() {
    beginResetModel();
    m_rows = m_store.models();
    endResetModel();
}

int ModelListModel::rowOf(const QString& path) const {
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].path == path) return i;
    return -1;
}

namespace {

// The media branches of a model record (ModelRecord::media), one per modality.
QJsonArray mediaOf(const ModelRecord& m) {
    return m.media.isEmpty() ? QJsonArray() : QJsonDocument::fromJson(m.media.toUtf8()).array();
}

QString modalityTitle(const QString& modality) {
    if (modality == QLatin1String("image")) return ModelsPage::tr("Sees images");
    if (modality == QLatin1String("audio")) return ModelsPage::tr("Hears audio");
    if (modality == QLatin1String("video")) return ModelsPage::tr("Watches video");
    return modality;
}

// "image: CLIP ViT ... -> mlp2x_gelu, 576 tokens per image"
QString branchText(const QJsonObject& b) {
    const QString modality = b["modality"].toString();
    const QString projector = b["projector"].toString();
    QString cost;
    if (modality == QLatin1String("image"))
        cost = ModelsPage::tr("%n token(s) per image", nullptr, b["tokens"].toInt());
    else if (modality == QLatin1String("video"))
        cost = ModelsPage::tr("%n token(s) per video (%1 frames)", nullptr, b["tokens"].toInt())
                   .arg(b["frames"].toInt());
    else
        cost = ModelsPage::tr("%1 tokens per second").arg(b["tokens_per_second"].toDouble(), 0, 'f', 1);
    return QStringLiteral("%1: %2%3 · %4")
        .arg(modality, b["encoder"].toString(),
             projector.isEmpty() ? QString() : QStringLiteral(" → ") + projector, cost);
}

}  // namespace

QSize ModelCardDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const {
    const QFontMetrics fm(option.font);
    const ModelRecord m = index.data(ModelListModel::RecordRole).value<ModelRecord>();
    const int branches = static_cast<int>(mediaOf(m).size());
    return QSize(option.rect.width(), fm.height() * (4 + branches) + 36 + branches * 4);
}

void ModelCardDelegate::paint(QPainter* p, const QStyleOptionViewItem& option,
                              const QModelIndex& index) const {
    const ModelRecord m = index.data(ModelListModel::RecordRole).value<ModelRecord>();
    const QPalette& pal = option.palette;
    const QFontMetrics fm(option.font);
    p->save();
    p->setRenderHint(QPainter::Antialiasing);
    const QRect card = option.rect.adjusted(8, 5, -8, -5);
    const bool selected = option.state & QStyle::State_Selected;
    p->setPen(QPen(selected ? pal.color(QPalette::Highlight) : pal.color(QPalette::Mid), selected ? 2 : 1));
    p->setBrush(pal.color(QPalette::Base));
    p->drawRoundedRect(card, 8, 8);

    const QRect icon(card.left() + 12, card.top() + 12, 40, 40);
    QIcon(QStringLiteral(":/icons/model.svg")).paint(p, icon);
    const int left = icon.right() + 14;
    const int width = card.right() - 12 - left;
    int y = card.top() + 10;

    QFont title = option.font;
    title.setBold(true);
    title.setPointSizeF(title.pointSizeF() * 1.1);
    p->setFont(title);
    p->setPen(pal.color(QPalette::Text));
    const QFontMetrics tfm(title);
    p->drawText(QRect(left, y, width, tfm.height()), Qt::AlignLeft | Qt::AlignVCenter, m.name);
    if (m.isDefault) {
        const QString badge = ModelsPage::tr("Default");
        const int bw = fm.horizontalAdvance(badge) + 14;
        const QRect b(left + tfm.horizontalAdvance(m.name) + 10, y + (tfm.height() - fm.height() - 4) / 2, bw,
                      fm.height() + 4);
        p->setPen(Qt::NoPen);
        p->setBrush(pal.color(QPalette::Highlight));
        p->drawRoundedRect(b, 8, 8);
        p->setFont(option.font);
        p->setPen(pal.color(QPalette::HighlightedText));
        p->drawText(b, Qt::AlignCenter, badge);
    }
    // Modality badges, right-aligned: what the model reads besides text.
    const QJsonArray media = mediaOf(m);
    int bx = card.right() - 12;
    for (int i = static_cast<int>(media.size()) - 1; i >= 0; --i) {
        const QString text = modalityTitle(media[i].toObject()["modality"].toString());
        const int bw = fm.horizontalAdvance(text) + 16;
        const QRect b(bx - bw, y + (tfm.height() - fm.height() - 4) / 2, bw, fm.height() + 4);
        p->setPen(QPen(pal.color(QPalette::Highlight), 1));
        p->setBrush(Qt::NoBrush);
        p->setFont(option.font);
        p->drawRoundedRect(b, 8, 8);
        p->setPen(pal.color(QPalette::Text));
        p->drawText(b, Qt::AlignCenter, text);
        bx = b.left() - 6;
    }
    y += tfm.height() + 6;
    p->setFont(option.font);
    p->setPen(pal.color(QPalette::Text));
    const QString facts = ModelsPage::tr("%1 · %2 parameters · %3 · context %4 · template %5")
                              .arg(m.architecture, formatParameters(m.parameters), m.dtype,
                                   QLocale().toString(m.contextLength), m.chatTemplate);
    p->drawText(QRect(left, y, width, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
                fm.elidedText(facts, Qt::ElideRight, width));
    y += fm.height() + 4;
    for (const QJsonValue& v : media) {
        p->drawText(QRect(left, y, width, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
                    fm.elidedText(branchText(v.toObject()), Qt::ElideRight, width));
        y += fm.height() + 4;
    }
    p->setPen(pal.color(QPalette::PlaceholderText));
    const QString where = ModelsPage::tr("%1 on disk · %2 format · %3")
                              .arg(QLocale().formattedDataSize(m.sizeOnDisk), m.format.toUpper(), m.path);
    p->drawText(QRect(left, y, width, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
                fm.elidedText(where, Qt::ElideMiddle, width));
    p->restore();
}

ModelsPage::ModelsPage(ChatStore& store, QWidget* parent) : QWidget(parent), m_store(store) {
    setAcceptDrops(true);
    m_model = new ModelListModel(store, this);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 12, 16, 12);
    m_heading = makePageHeading(this);
    m_hint = new QLabel(this);
    m_hint->setWordWrap(true);
    auto* buttons = new QHBoxLayout;
    m_addFolder = new QPushButton(QIcon(QStringLiteral(":/icons/folder.svg")), QString(), this);
    m_addFolder->setObjectName(QStringLiteral("addModelFolder"));
    m_addFile = new QPushButton(QIcon(QStringLiteral(":/icons/file.svg")), QString(), this);
    m_setDefault = new QPushButton(this);
    m_setDefault->setObjectName(QStringLiteral("setDefaultModel"));
    m_remove = new QPushButton(this);
    m_remove->setObjectName(QStringLiteral("removeModel"));
    buttons->addWidget(m_addFolder);
    buttons->addWidget(m_addFile);
    buttons->addStretch(1);
    buttons->addWidget(m_setDefault);
    buttons->addWidget(m_remove);
    m_busyRow = new QWidget(this);
    auto* busy = new QHBoxLayout(m_busyRow);
    busy->setContentsMargins(0, 0, 0, 0);
    m_busyLabel = new QLabel(m_busyRow);
    auto* bar = new QProgressBar(m_busyRow);
    bar->setRange(0, 0);
    bar->setMaximumWidth(200);
    busy->addWidget(m_busyLabel, 1);
    busy->addWidget(bar);
    m_busyRow->hide();
    m_banner = makeErrorBanner(this, QStringLiteral("modelsErrorBanner"));
    m_view = new QListView(this);
    m_view->setObjectName(QStringLiteral("modelList"));
    m_view->setModel(m_model);
    m_view->setItemDelegate(new ModelCardDelegate(m_view));
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->setFrameShape(QFrame::NoFrame);
    m_view->setSpacing(0);
    layout->addWidget(m_heading);
    layout->addWidget(m_hint);
    layout->addLayout(buttons);
    layout->addWidget(m_busyRow);
    layout->addWidget(m_banner);
    layout->addWidget(m_view, 1);

    connect(m_addFolder, &QPushButton::clicked, this, &ModelsPage::addFolder);
    connect(m_addFile, &QPushButton::clicked, this, &ModelsPage::addFile);
    connect(m_setDefault, &QPushButton::clicked, this, &ModelsPage::setSelectedDefault);
    connect(m_remove, &QPushButton::clicked, this, &ModelsPage::removeSelected);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, &ModelsPage::updateButtons);
    connect(m_model, &QAbstractItemModel::modelReset, this, &ModelsPage::updateButtons);
    connect(&m_watcher, &QFutureWatcher<Result>::finished, this, &ModelsPage::onValidated);
    retranslate();
    updateButtons();
}

ModelsPage::~ModelsPage() {
    m_watcher.waitForFinished();
}

void ModelsPage::retranslate() {
    m_heading->setText(tr("Models"));
    m_hint->setText(tr(
        "Add a Hugging Face folder (config.json + safetensors), a Meta folder (params.json + "
        "consolidated.00.pth), a llama2.c .bin file, a LLaVA-1.5 folder or an Atelier multimodal bundle "
        "(it sees, hears or watches what its badges say). You can also drop folders here. Removing a model "
        "only takes it off this list; its files stay."));
    m_addFolder->setText(tr("Add folder…"));
    m_addFile->setText(tr("Add file…"));
    m_setDefault->setText(tr("Set as default"));
    m_remove->setText(tr("Remove"));
    m_remove->setToolTip(tr("Remove from the library (the files stay on disk)"));
    if (m_watcher.isRunning()) m_busyLabel->setText(tr("Checking %1…").arg(m_validatingPath));
}

void ModelsPage::changeEvent(QEvent* e) {
    if (e->type() == QEvent::LanguageChange) {
        retranslate();
        m_view->viewport()->update();
    }
    QWidget::changeEvent(e);
}

void ModelsPage::updateButtons() {
    const bool selected = m_view->currentIndex().isValid();
    m_remove->setEnabled(selected);
    m_setDefault->setEnabled(selected && !m_view->currentIndex().data(ModelListModel::DefaultRole).toBool());
}

void ModelsPage::addFolder() {
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Choose a model folder"), QStandardPaths::writableLocation(QStandardPaths::HomeLocation));
    if (!dir.isEmpty()) addModel(dir);
}

void ModelsPage::addFile() {
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Choose a model file"), QStandardPaths::writableLocation(QStandardPaths::HomeLocation),
        tr("Model files (*.bin *.safetensors);;All files (*)"));
    if (!file.isEmpty()) addModel(file);
}

void ModelsPage::addModel(const QString& path) {
    if (m_watcher.isRunning()) {
        m_queue << path;
        return;
    }
    m_banner->hide();
    m_validatingPath = path;
    m_busyLabel->setText(tr("Checking %1…").arg(path));
    m_busyRow->show();
    m_watcher.setFuture(QtConcurrent::run(backgroundPool(), [path] {
        Result r;
        try {
            r.record = inspectModel(path);
            r.ok = true;
        } catch (const atelier::Error& e) {
            r.error = engineErrorFrom(e);
        } catch (const std::exception& e) {
            r.error = {-1, QString(), QString::fromUtf8(e.what())};
        }
        return r;
    }));
}

void ModelsPage::onValidated() {
    const Result r = m_watcher.result();
    const QString path = m_validatingPath;
    m_busyRow->hide();
    const bool ok = r.ok;
    if (ok) {
        try {  // the chat store: a locked or full disk, a database another Atelier made newer
            m_store.addModel(r.record);
            m_model->reload();
            const int row = m_model->rowOf(r.record.path);
            if (row >= 0) m_view->setCurrentIndex(m_model->index(row));
            Q_EMIT modelsChanged();
        } catch (const std::exception& e) {
            showStoreError(e);
        }
    } else {
        m_banner->setText(tr("%1 was not added.").arg(path) + QLatin1Char('\n') + errorText(r.error));
        m_banner->show();
    }
    Q_EMIT validationFinished(ok, path);
    if (!m_queue.isEmpty()) addModel(m_queue.takeFirst());
}

void ModelsPage::removeSelected() {
    const QModelIndex index = m_view->currentIndex();
    if (!index.isValid()) return;
    try {
        m_store.removeModel(index.data(ModelListModel::IdRole).toLongLong());
        m_model->reload();
        Q_EMIT modelsChanged();
    } catch (const std::exception& e) {
        showStoreError(e);
    }
}

void ModelsPage::setSelectedDefault() {
    const QModelIndex index = m_view->currentIndex();
    if (!index.isValid()) return;
    const int row = index.row();
    try {
        m_store.setDefaultModel(index.data(ModelListModel::IdRole).toLongLong());
        m_model->reload();
        m_view->setCurrentIndex(m_model->index(row));
        Q_EMIT modelsChanged();
    } catch (const std::exception& e) {
        showStoreError(e);
    }
}

void ModelsPage::showStoreError(const std::exception& e) {
    m_banner->setText(errorText(engineErrorFrom(e)));
    m_banner->show();
}

void ModelsPage::dragEnterEvent(QDragEnterEvent* e) {
    if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void ModelsPage::dropEvent(QDropEvent* e) {
    for (const QUrl& url : e->mimeData()->urls())
        if (url.isLocalFile()) addModel(url.toLocalFile());
    e->acceptProposedAction();
}
