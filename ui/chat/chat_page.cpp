#include "chat_page.h"

#include "chat_controller.h"
#include "chat_engine.h"
#include "chat_export.h"
#include "composer.h"
#include "conversation_list_model.h"
#include "conversation_settings_panel.h"
#include "error_text.h"
#include "media_viewer.h"
#include "message_delegate.h"
#include "message_list_model.h"
#include "voice_recorder.h"
#include "widgets.h"

#include <QComboBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QToolButton>
#include <QVBoxLayout>

ChatPage::ChatPage(ChatStore& store, AppSettings& settings, QWidget* parent)
    : QWidget(parent), m_store(store), m_settings(settings) {
    setAcceptDrops(true);
    m_chat = new ChatController(store, settings, this);
    m_delegate = new MessageDelegate(this);
    buildUi();
    connectController();
    reloadModels();
    newConversation();
    retranslate();
}

// The controller (a child) goes first: it stops the engine and saves a reply cut off mid-stream.
ChatPage::~ChatPage() {
    delete m_chat;
}

qint64 ChatPage::currentConversationId() const {
    return m_chat->conversation().id;
}
bool ChatPage::isGenerating() const {
    return m_chat->isGenerating();
}
ChatEngine* ChatPage::engine() const {
    return m_chat->engine();
}
MessageListModel* ChatPage::messageModel() const {
    return m_chat->messages();
}
ConversationListModel* ChatPage::conversationModel() const {
    return m_chat->conversations();
}
QString ChatPage::adapterPath() const {
    return m_chat->conversation().adapterPath;
}
QComboBox* ChatPage::templateBox() const {
    return m_settingsPanel->templateBox();
}
QDoubleSpinBox* ChatPage::temperatureBox() const {
    return m_settingsPanel->temperatureBox();
}
QDoubleSpinBox* ChatPage::repeatPenaltyBox() const {
    return m_settingsPanel->repeatPenaltyBox();
}
QSpinBox* ChatPage::maxTokensBox() const {
    return m_settingsPanel->maxTokensBox();
}
QSpinBox* ChatPage::seedBox() const {
    return m_settingsPanel->seedBox();
}
QPlainTextEdit* ChatPage::systemPromptEdit() const {
    return m_settingsPanel->systemPromptEdit();
}

void ChatPage::buildUi() {
    auto* root = new QHBoxLayout(this);
    root->setContentsMargins(0, 0, 0, 0);
    m_splitter = new QSplitter(Qt::Horizontal, this);
    root->addWidget(m_splitter);

    // Left: conversations.
    auto* left = new QWidget(m_splitter);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(8, 8, 4, 8);
    m_newButton = new QPushButton(QIcon(QStringLiteral(":/icons/new-chat.svg")), QString(), left);
    m_newButton->setObjectName(QStringLiteral("newChatButton"));
    m_search = new QLineEdit(left);
    m_search->setObjectName(QStringLiteral("conversationSearch"));
    m_search->setClearButtonEnabled(true);
    m_conversationView = new QListView(left);
    m_conversationView->setObjectName(QStringLiteral("conversationList"));
    m_conversationView->setModel(m_chat->conversations());
    m_conversationView->setEditTriggers(QAbstractItemView::EditKeyPressed);
    m_conversationView->setContextMenuPolicy(Qt::CustomContextMenu);
    m_conversationView->setUniformItemSizes(true);
    m_conversationView->setTextElideMode(Qt::ElideRight);
    leftLayout->addWidget(m_newButton);
    leftLayout->addWidget(m_search);
    leftLayout->addWidget(m_conversationView, 1);

    // Center: header, messages, composer.
    auto* center = new QWidget(m_splitter);
    auto* c = new QVBoxLayout(center);
    c->setContentsMargins(4, 8, 4, 8);
    auto* header = new QHBoxLayout;
    m_title = new ElidedLabel(center);  // a long title gives way, ending in "…"
    m_title->setObjectName(QStringLiteral("conversationTitle"));
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_modelBox = new QComboBox(center);
    m_modelBox->setObjectName(QStringLiteral("modelBox"));
    m_modelBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_exportButton = new QToolButton(center);
    m_exportButton->setIcon(QIcon(QStringLiteral(":/icons/export.svg")));
    m_exportButton->setPopupMode(QToolButton::InstantPopup);
    m_exportButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    auto* exportMenu = new QMenu(m_exportButton);
    QAction* exportMd = exportMenu->addAction(QString());
    QAction* exportJson = exportMenu->addAction(QString());
    m_exportButton->setMenu(exportMenu);
    m_settingsToggle = new QToolButton(center);
    m_settingsToggle->setObjectName(QStringLiteral("conversationSettingsToggle"));
    m_settingsToggle->setIcon(QIcon(QStringLiteral(":/icons/sliders.svg")));
    m_settingsToggle->setCheckable(true);
    m_settingsToggle->setChecked(true);
    m_settingsToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_adapterLabel = new QLabel(center);
    m_adapterLabel->setObjectName(QStringLiteral("adapterChip"));
    m_adapterLabel->setStyleSheet(QStringLiteral(
        "#adapterChip { border: 1px solid palette(highlight); border-radius: 8px; padding: 2px 8px; }"));
    m_adapterClear = new QToolButton(center);
    m_adapterClear->setText(QStringLiteral("×"));
    m_adapterClear->setAutoRaise(true);
    // How much of the model's context the conversation and the draft take.
    m_contextMeter = new QProgressBar(center);
    m_contextMeter->setObjectName(QStringLiteral("contextMeter"));
    m_contextMeter->setFixedWidth(170);
    m_contextMeter->setRange(0, 1);
    m_contextMeter->setValue(0);
    m_contextMeter->setFormat(QString());
    header->addWidget(m_title, 1);
    header->addWidget(m_contextMeter);
    header->addWidget(m_adapterLabel);
    header->addWidget(m_adapterClear);
    header->addWidget(m_modelBox);
    header->addWidget(m_exportButton);
    header->addWidget(m_settingsToggle);
    c->addLayout(header);

    m_loadRow = new QWidget(center);
    auto* loadLayout = new QHBoxLayout(m_loadRow);
    loadLayout->setContentsMargins(0, 0, 0, 0);
    m_loadLabel = new QLabel(m_loadRow);
    m_loadBar = new QProgressBar(m_loadRow);
    m_loadBar->setRange(0, 100);
    m_cancelLoad = new QPushButton(m_loadRow);
    loadLayout->addWidget(m_loadLabel);
    loadLayout->addWidget(m_loadBar, 1);
    loadLayout->addWidget(m_cancelLoad);
    m_loadRow->hide();
    c->addWidget(m_loadRow);

    m_center = new QStackedWidget(center);
    auto* empty = new QWidget(m_center);
    auto* emptyLayout = new QVBoxLayout(empty);
    m_emptyLabel = new QLabel(empty);
    m_emptyLabel->setObjectName(QStringLiteral("emptyState"));
    m_emptyLabel->setAlignment(Qt::AlignCenter);
    m_emptyLabel->setWordWrap(true);
    m_emptyButton = new QPushButton(empty);
    emptyLayout->addStretch(1);
    emptyLayout->addWidget(m_emptyLabel);
    emptyLayout->addWidget(m_emptyButton, 0, Qt::AlignHCenter);
    emptyLayout->addStretch(1);
    m_messageView = new QListView(m_center);
    m_messageView->setObjectName(QStringLiteral("messageView"));
    m_messageView->setModel(m_chat->messages());
    m_messageView->setItemDelegate(m_delegate);
    m_messageView->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_messageView->verticalScrollBar()->setSingleStep(24);
    m_messageView->setSelectionMode(QAbstractItemView::NoSelection);
    m_messageView->setFocusPolicy(Qt::NoFocus);
    m_messageView->setMouseTracking(true);
    m_messageView->setResizeMode(QListView::Adjust);
    m_messageView->setFrameShape(QFrame::NoFrame);
    m_center->addWidget(empty);
    m_center->addWidget(m_messageView);
    c->addWidget(m_center, 1);

    m_banner = makeErrorBanner(center, QStringLiteral("errorBanner"));
    c->addWidget(m_banner);

    m_editRow = new QWidget(center);
    auto* editLayout = new QHBoxLayout(m_editRow);
    editLayout->setContentsMargins(0, 0, 0, 0);
    m_editLabel = new QLabel(m_editRow);
    m_editCancel = new QPushButton(m_editRow);
    editLayout->addWidget(m_editLabel, 1);
    editLayout->addWidget(m_editCancel);
    m_editRow->hide();
    c->addWidget(m_editRow);

    auto* compose = new QHBoxLayout;
    m_composer = new Composer(m_settings.dataDir(), center);
    m_composer->recorder()->setDevice(m_settings.audioInput());
    auto* buttons = new QVBoxLayout;
    auto* tools = new QHBoxLayout;
    m_attach = new QToolButton(center);
    m_attach->setObjectName(QStringLiteral("attachButton"));
    m_attach->setIcon(QIcon(QStringLiteral(":/icons/attach.svg")));
    m_record = new QToolButton(center);
    m_record->setObjectName(QStringLiteral("recordButton"));
    m_record->setIcon(QIcon(QStringLiteral(":/icons/mic.svg")));
    m_record->setCheckable(true);
    tools->addStretch(1);
    tools->addWidget(m_record);
    tools->addWidget(m_attach);

    m_send = new QPushButton(QIcon(QStringLiteral(":/icons/send.svg")), QString(), center);
    m_send->setObjectName(QStringLiteral("sendButton"));
    m_send->setDefault(true);
    m_stop = new QPushButton(QIcon(QStringLiteral(":/icons/stop.svg")), QString(), center);
    m_stop->setObjectName(QStringLiteral("stopButton"));
    m_stop->hide();
    buttons->addStretch(1);
    buttons->addLayout(tools);
    buttons->addWidget(m_send);
    buttons->addWidget(m_stop);
    compose->addWidget(m_composer, 1);
    compose->addLayout(buttons);
    c->addLayout(compose);

    // Right: this conversation's settings.
    auto* scroll = new QScrollArea(m_splitter);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* panel = new QWidget(scroll);
    auto* panelLayout = new QVBoxLayout(panel);
    panelLayout->setContentsMargins(0, 0, 0, 0);
    m_settingsPanel = new ConversationSettingsPanel(panel);
    panelLayout->addWidget(m_settingsPanel);
    panelLayout->addStretch(1);
    scroll->setWidget(panel);

    m_splitter->addWidget(left);
    m_splitter->addWidget(center);
    m_splitter->addWidget(scroll);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setStretchFactor(2, 0);
    m_splitter->setSizes({230, 700, 260});
    const QByteArray state = m_settings.value(QStringLiteral("chat/splitter"));
    if (!state.isEmpty()) m_splitter->restoreState(state);
    connect(m_splitter, &QSplitter::splitterMoved, this,
            [this] { m_settings.setValue(QStringLiteral("chat/splitter"), m_splitter->saveState()); });

    // The user's actions.
    connect(m_newButton, &QPushButton::clicked, this, &ChatPage::newConversation);
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_chat->conversations()->setFilter(text);
        const int row = m_chat->conversations()->rowOf(currentConversationId());
        if (row >= 0) m_conversationView->setCurrentIndex(m_chat->conversations()->index(row));
    });
    auto open = [this](const QModelIndex& index) {
        openConversation(index.data(ConversationListModel::IdRole).toLongLong());
    };
    connect(m_conversationView, &QListView::clicked, this, open);
    connect(m_conversationView, &QListView::activated, this, open);
    connect(m_conversationView, &QListView::customContextMenuRequested, this, [this](const QPoint& pos) {
        const QModelIndex index = m_conversationView->indexAt(pos);
        if (!index.isValid()) return;
        const qint64 id = index.data(ConversationListModel::IdRole).toLongLong();
        QMenu menu(this);
        menu.addAction(tr("Rename…"), this, [this, id] { renameConversation(id); });
        menu.addAction(tr("Delete"), this, [this, id] { deleteConversation(id); });
        menu.exec(m_conversationView->viewport()->mapToGlobal(pos));
    });
    connect(exportMd, &QAction::triggered, this, [this] { exportConversation(QStringLiteral("md")); });
    connect(exportJson, &QAction::triggered, this, [this] { exportConversation(QStringLiteral("json")); });
    connect(m_settingsToggle, &QToolButton::toggled, scroll, &QWidget::setVisible);
    connect(m_cancelLoad, &QPushButton::clicked, m_chat, &ChatController::cancelLoad);
    connect(m_emptyButton, &QPushButton::clicked, this, &ChatPage::manageModelsRequested);
    connect(m_adapterClear, &QToolButton::clicked, this, &ChatPage::detachAdapter);
    connect(m_editCancel, &QPushButton::clicked, this, &ChatPage::cancelEdit);
    connect(m_composer, &Composer::submitted, this, &ChatPage::send);
    connect(m_composer, &Composer::attachmentRejected, this, [this](const QString& path) {
        showBanner(tr("Cannot attach %1: the file cannot be read.").arg(path));
    });
    connect(m_composer, &Composer::pasteFailed, this,
            [this] { showBanner(tr("The pasted image could not be saved to the data folder.")); });
    connect(m_attach, &QToolButton::clicked, this, &ChatPage::attachFiles);
    connect(m_record, &QToolButton::clicked, m_composer, &Composer::toggleRecording);
    connect(m_composer, &Composer::recordingChanged, m_record, &QToolButton::setChecked);
    connect(m_composer, &Composer::recordingFailed, this, [this](const EngineError& e) {
        showBanner(tr("Recording failed.") + QLatin1Char('\n') + errorText(e));
    });
    connect(m_composer, &Composer::attachmentAdded, m_chat, &ChatController::prepareAttachment);
    connect(m_composer, &Composer::cancelEncodingRequested, m_chat, &ChatController::cancelPreparation);
    m_measureTimer.setSingleShot(true);
    m_measureTimer.setInterval(300);
    connect(&m_measureTimer, &QTimer::timeout, this,
            [this] { m_chat->measureContext(m_composer->text().trimmed(), m_composer->attachments()); });
    connect(m_composer, &Composer::attachmentsChanged, &m_measureTimer, qOverload<>(&QTimer::start));
    connect(m_composer->editor(), &QPlainTextEdit::textChanged, &m_measureTimer, qOverload<>(&QTimer::start));
    connect(m_send, &QPushButton::clicked, this, &ChatPage::send);
    connect(m_stop, &QPushButton::clicked, this, &ChatPage::stop);
    connect(m_delegate, &MessageDelegate::actionTriggered, this,
            [this](const QModelIndex& index, MessageDelegate::Action action, const QString&) {
                if (action == MessageDelegate::EditMessage) startEdit(index.row());
                if (action == MessageDelegate::RegenerateMessage) regenerate();
                if (action == MessageDelegate::CopyMessage || action == MessageDelegate::CopyCode)
                    Q_EMIT statusMessage(tr("Copied to the clipboard."));
            });
    connect(m_delegate, &MessageDelegate::attachmentActivated, this, [this](const QModelIndex& index, int i) {
        const QVector<AttachmentRecord>& list = m_chat->messages()->at(index.row()).attachments;
        if (i >= 0 && i < list.size()) (new MediaViewer(list[i], this))->show();
    });
    connect(m_modelBox, qOverload<int>(&QComboBox::activated), this,
            [this] { m_chat->setModelPath(m_modelBox->currentData().toString()); });
    connect(m_settingsPanel, &ConversationSettingsPanel::settingsEdited, this, [this] {
        ConversationRecord edited = m_chat->conversation();
        m_settingsPanel->readInto(edited);
        m_chat->setSettings(edited);
    });
}

// What the controller reports, shown.
void ChatPage::connectController() {
    connect(m_chat, &ChatController::loadStarted, this, [this](const QString& name) {
        m_loadLabel->setText(tr("Loading %1…").arg(name));
        m_loadBar->setValue(0);
        m_loadRow->show();
    });
    connect(m_chat, &ChatController::loadProgress, this,
            [this](double f) { m_loadBar->setValue(static_cast<int>(f * 100)); });
    connect(m_chat, &ChatController::loadEnded, m_loadRow, &QWidget::hide);
    connect(m_chat, &ChatController::modelReady, this, [this](const LoadedModel& info) {
        m_composer->setModel(info);
        for (const auto& a : m_composer->attachments()) m_chat->prepareAttachment(a);
        updateMediaTips();
        m_measureTimer.start();
        Q_EMIT modelReady(info);
    });
    connect(m_chat, &ChatController::attachmentProgress, m_composer, &Composer::setEncoding);
    connect(m_chat, &ChatController::attachmentPrepared, this, [this](const AttachmentCost& cost) {
        m_composer->setCost(cost);
        m_measureTimer.start();
    });
    connect(m_chat, &ChatController::contextMeasured, this, &ChatPage::showContext);
    connect(m_chat, &ChatController::errorOccurred, this, &ChatPage::showBanner);
    connect(m_chat, &ChatController::errorCleared, m_banner, &QWidget::hide);
    connect(m_chat, &ChatController::statusMessage, this, &ChatPage::statusMessage);
    connect(m_chat, &ChatController::conversationChanged, this, &ChatPage::showConversation);
    connect(m_chat, &ChatController::generatingChanged, this, &ChatPage::setGenerating);
    connect(m_chat, &ChatController::editingChanged, this, [this](bool editing) {
        m_editRow->setVisible(editing);
        if (!editing) m_composer->clear();
    });
    connect(m_chat, &ChatController::replyStarted, this, [this] {
        updateEmptyState();
        m_messageView->scrollToBottom();
    });
    connect(m_chat, &ChatController::replyTextAboutToGrow, this, [this] { m_following = atBottom(); });
    connect(m_chat, &ChatController::replyTextGrew, this, [this] {
        if (m_following) m_messageView->scrollToBottom();
    });
    connect(m_chat, &ChatController::generationFinished, this, [this] {
        updateEmptyState();
        m_measureTimer.start();
        Q_EMIT generationFinished();
    });
}

void ChatPage::retranslate() {
    m_newButton->setText(tr("New chat"));
    const auto keys = [](QKeySequence k) { return k.toString(QKeySequence::NativeText); };
    m_newButton->setToolTip(tr("Start a new conversation (%1)").arg(keys(QKeySequence::New)));
    m_search->setPlaceholderText(tr("Search conversations (%1)").arg(keys(QKeySequence::Find)));
    m_exportButton->setText(tr("Export"));
    m_exportButton->menu()->actions().at(0)->setText(tr("Export as Markdown…"));
    m_exportButton->menu()->actions().at(1)->setText(tr("Export as JSON…"));
    m_settingsToggle->setText(tr("Settings"));
    m_settingsToggle->setToolTip(tr("Show or hide this conversation's settings"));
    m_modelBox->setToolTip(tr("The model that answers in this conversation"));
    m_adapterClear->setToolTip(tr("Chat with the base model, without the adapter"));
    updateAdapterChip();
    m_cancelLoad->setText(tr("Cancel"));
    m_emptyButton->setText(tr("Add a model…"));
    m_editCancel->setText(tr("Cancel editing"));
    m_editLabel->setText(tr("Editing a message: sending replaces it and every message after it."));
    updateMediaTips();
    m_send->setText(tr("Send"));
    m_send->setToolTip(tr("Send (Enter)"));
    m_stop->setText(tr("Stop"));
    m_stop->setToolTip(tr("Stop the reply (Esc)"));
    updateEmptyState();
    if (m_chat->conversation().title.isEmpty()) {
        m_title->setText(tr("New chat"));
        m_title->setToolTip(m_title->text());
    }
}

void ChatPage::changeEvent(QEvent* e) {
    if (e->type() == QEvent::LanguageChange) {
        retranslate();
        reloadModels();
        m_measureTimer.start();  // the context meter's words
        m_delegate->clearCache();
        m_messageView->viewport()->update();
    }
    QWidget::changeEvent(e);
}

void ChatPage::setEngineSettings(const EngineSettings& settings) {
    m_chat->setEngineSettings(settings);
}

void ChatPage::setAudioInput(const QString& name) {
    m_composer->recorder()->setDevice(name);
}

void ChatPage::setPreferredModel(const QString& path) {
    m_chat->setPreferredModel(path);
}

void ChatPage::selectModelBoxEntry() {
    m_modelBox->setCurrentIndex(m_modelBox->findData(m_chat->modelPathForConversation()));
}

void ChatPage::reloadModels() {
    m_modelBox->clear();
    for (const auto& m : m_store.models())
        m_modelBox->addItem(QIcon(QStringLiteral(":/icons/model.svg")), m.name, m.path);
    selectModelBoxEntry();
    updateEmptyState();
}

void ChatPage::updateEmptyState() {
    const bool noModels = m_modelBox->count() == 0;
    if (m_chat->messages()->rowCount() > 0) {
        m_center->setCurrentWidget(m_messageView);
    } else {
        m_center->setCurrentIndex(0);
        m_emptyLabel->setText(
            noModels ? tr("No model yet.\nAdd a model folder (Hugging Face, Meta or llama2.c) on the "
                          "Models page to start chatting.")
                     : tr("Ask anything.\nDrop images, audio or video on the window to attach them."));
        m_emptyButton->setVisible(noModels);
    }
    m_send->setEnabled(!noModels && !isGenerating());
}

void ChatPage::showConversation() {
    const ConversationRecord& c = m_chat->conversation();
    const QString title = c.title.isEmpty() ? tr("New chat") : c.title;
    m_title->setText(title);
    m_title->setToolTip(title);
    m_settingsPanel->setSettings(c);
    selectModelBoxEntry();
    // The composer judges attachments by the model this conversation uses, once it is loaded.
    const bool loaded = m_chat->loadedModel().path == m_chat->modelPathForConversation();
    m_composer->setModel(loaded ? m_chat->loadedModel() : LoadedModel());
    updateMediaTips();
    updateAdapterChip();
    const int row = c.id ? m_chat->conversations()->rowOf(c.id) : -1;
    if (row >= 0)
        m_conversationView->setCurrentIndex(m_chat->conversations()->index(row));
    else
        m_conversationView->clearSelection();
    updateEmptyState();
}

namespace {

QString kindName(const QString& kind) {
    if (kind == QLatin1String("image")) return ChatPage::tr("image");
    if (kind == QLatin1String("audio")) return ChatPage::tr("audio");
    if (kind == QLatin1String("video")) return ChatPage::tr("video");
    return ChatPage::tr("file");
}

}  // namespace

void ChatPage::updateMediaTips() {
    const LoadedModel& m = m_chat->loadedModel();
    const QString name = m.path.isEmpty() ? QString() : m_chat->modelName(m.path);
    const auto keys = QKeySequence(Qt::CTRL | Qt::Key_Space).toString(QKeySequence::NativeText);
    QString attach = tr("Attach images, audio or video");
    QString record = tr("Record a voice message (or hold %1 while typing)").arg(keys);
    if (!m.path.isEmpty() && m.modalities.isEmpty()) {
        attach +=
            QLatin1Char('\n') +
            tr("%1 reads text only: attachments are kept with the message but not sent to it.").arg(name);
    } else if (!m.path.isEmpty()) {
        QStringList kinds;
        for (const QString& k : m.modalities) kinds << kindName(k);
        attach += QLatin1Char('\n') + tr("%1 reads: %2.").arg(name, kinds.join(QStringLiteral(", ")));
    }
    if (!m.path.isEmpty() && !m.reads(QStringLiteral("audio")))
        record += QLatin1Char('\n') +
                  tr("%1 cannot hear: a recording is kept with the message but not sent to it.").arg(name);
    m_attach->setToolTip(attach);
    m_record->setToolTip(record);
}

void ChatPage::showContext(const ContextUse& use) {
    if (use.contextLength <= 0) return;
    const QLocale locale;
    m_contextMeter->setRange(0, static_cast<int>(use.contextLength));
    m_contextMeter->setValue(static_cast<int>(std::min(use.positions, use.contextLength)));
    m_contextMeter->setFormat(
        tr("%1 / %2 tokens").arg(locale.toString(use.positions), locale.toString(use.contextLength)));
    QString tip = tr("The conversation and your draft take %1 of the model's %2 context positions.")
                      .arg(locale.toString(use.positions), locale.toString(use.contextLength));
    if (use.droppedTurns > 0)
        tip += QLatin1Char('\n') +
               tr("The oldest %n message(s) will be left out to fit.", nullptr, use.droppedTurns);
    m_contextMeter->setToolTip(tip);
}

void ChatPage::updateAdapterChip() {
    const QString adapter = adapterPath();
    const bool on = !adapter.isEmpty();
    m_adapterLabel->setVisible(on);
    m_adapterClear->setVisible(on);
    if (!on) return;
    // Runs keep their adapter in <run>/adapter: name it by the run's folder.
    QFileInfo info(adapter);
    const QString name = info.fileName() == QLatin1String("adapter") ? info.dir().dirName() : info.fileName();
    m_adapterLabel->setText(tr("Adapter: %1").arg(name));
    m_adapterLabel->setToolTip(adapter);
}

void ChatPage::setGenerating(bool generating) {
    m_send->setVisible(!generating);
    m_stop->setVisible(generating);
    m_send->setEnabled(!generating && m_modelBox->count() > 0);
    m_newButton->setEnabled(!generating);
    m_conversationView->setEnabled(!generating);
    m_modelBox->setEnabled(!generating);
    Q_EMIT busyChanged(generating);
}

void ChatPage::chatWithAdapter(const QString& modelPath, const QString& adapterPath, const QString& title) {
    m_chat->chatWithAdapter(modelPath, adapterPath, title);
}

void ChatPage::detachAdapter() {
    m_chat->detachAdapter();
}

void ChatPage::newConversation() {
    m_chat->newConversation();
    m_composer->editor()->setFocus();
}

void ChatPage::openConversation(qint64 id) {
    if (m_chat->openConversation(id)) m_messageView->scrollToBottom();
}

void ChatPage::deleteConversation(qint64 id) {
    if (isGenerating() && id == currentConversationId()) return;
    const ConversationRecord c = m_store.conversation(id);
    if (c.id == 0) return;
    if (QMessageBox::question(
            this, tr("Delete conversation"),
            tr("Delete \"%1\" and all its messages? This cannot be undone.").arg(c.title)) !=
        QMessageBox::Yes)
        return;
    m_chat->deleteConversation(id);
}

void ChatPage::renameConversation(qint64 id) {
    const int row = m_chat->conversations()->rowOf(id);
    if (row >= 0) m_conversationView->edit(m_chat->conversations()->index(row));
}

void ChatPage::focusSearch() {
    m_search->setFocus();
    m_search->selectAll();
}

void ChatPage::send() {
    if (isGenerating()) return;
    const QString text = m_composer->text().trimmed();
    // Nothing is dropped silently: attachments the model cannot read are named, and the user
    // chooses to send the text alone or to keep composing (e.g. to pick another model).
    const QVector<AttachmentRecord> refused = m_composer->refusedAttachments();
    if (!refused.isEmpty() && m_chat->hasModels()) {
        QStringList names;
        for (const auto& a : refused)
            names << QStringLiteral("%1 (%2)").arg(QFileInfo(a.path).fileName(), kindName(a.kind));
        QMessageBox box(
            QMessageBox::Question, tr("Send without the attachments?"),
            tr("%1 cannot read:\n%2\n\nThey stay with your message, but the model will not see "
               "them. Send the text alone?")
                .arg(m_chat->modelName(m_chat->modelPathForConversation()), names.join(QLatin1Char('\n'))),
            QMessageBox::Cancel, this);
        box.setObjectName(QStringLiteral("sendTextOnlyQuestion"));
        QPushButton* sendAnyway = box.addButton(tr("Send the text alone"), QMessageBox::AcceptRole);
        box.setDefaultButton(sendAnyway);
        box.exec();
        if (box.clickedButton() != sendAnyway) return;
    }
    if (!m_chat->send(text, m_composer->attachments())) return;  // the composer keeps the text
    m_composer->clear();
    m_search->clear();
}

void ChatPage::stop() {
    m_chat->stop();
}

void ChatPage::regenerate() {
    m_chat->regenerate();
}

void ChatPage::startEdit(int row) {
    MessageRecord m;
    if (!m_chat->startEdit(row, &m)) return;
    m_composer->setText(m.content);
    m_composer->setAttachments(m.attachments);
    m_composer->editor()->setFocus();
}

void ChatPage::cancelEdit() {
    m_chat->cancelEdit();
}

void ChatPage::attachFiles() {
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Attach files"), QStandardPaths::writableLocation(QStandardPaths::PicturesLocation),
        tr("Media (*.png *.jpg *.jpeg *.webp *.bmp *.gif *.wav *.mp3 *.flac *.ogg *.m4a *.mp4 *.mkv *.webm "
           "*.mov *.avi);;"
           "All files (*)"));
    if (!files.isEmpty()) m_composer->addFiles(files);
}

void ChatPage::dragEnterEvent(QDragEnterEvent* e) {
    if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void ChatPage::dropEvent(QDropEvent* e) {
    QStringList paths;
    for (const QUrl& url : e->mimeData()->urls())
        if (url.isLocalFile()) paths << url.toLocalFile();
    m_composer->addFiles(paths);
    e->acceptProposedAction();
}

void ChatPage::showBanner(const QString& text) {
    m_banner->setText(text);
    m_banner->show();
}

bool ChatPage::atBottom() const {
    const QScrollBar* bar = m_messageView->verticalScrollBar();
    return bar->value() >= bar->maximum() - 4;
}

void ChatPage::exportConversation(const QString& format) {
    const ConversationRecord& c = m_chat->conversation();
    if (c.id == 0) {
        showBanner(tr("There is nothing to export yet."));
        return;
    }
    const bool json = format == QLatin1String("json");
    QString base = c.title.isEmpty() ? tr("New chat") : c.title;
    base.replace(QRegularExpression(QStringLiteral("[^\\w\\- ]")), QStringLiteral("_"));
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export conversation"),
        QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
            .filePath(base + (json ? QStringLiteral(".json") : QStringLiteral(".md"))),
        json ? tr("JSON (*.json)") : tr("Markdown (*.md)"));
    if (path.isEmpty()) return;
    QByteArray bytes;
    try {
        const auto messages = m_store.messages(c.id);
        bytes = json ? conversationToJson(c, messages) : conversationToMarkdown(c, messages).toUtf8();
    } catch (const std::exception& e) {
        showBanner(tr("Cannot write %1: %2").arg(path, QString::fromUtf8(e.what())));
        return;
    }
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit()) {
        showBanner(tr("Cannot write %1: %2").arg(path, f.errorString()));
        return;
    }
    Q_EMIT statusMessage(tr("Exported to %1").arg(path));
}
