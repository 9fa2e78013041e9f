#include "chat_page.h"
#include "chat_page_private.h"

#include "chat_engine.h"
#include "chat_export.h"
#include "composer.h"
#include "conversation_list_model.h"
#include "error_text.h"
#include "message_delegate.h"
#include "message_list_model.h"
#include "widgets.h"

#include "common/error.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QToolButton>
#include <QVBoxLayout>

namespace {

QDoubleSpinBox* doubleBox(QWidget* parent, double lo, double hi, double step, int decimals) {
    auto* box = new QDoubleSpinBox(parent);
    box->setRange(lo, hi);
    box->setSingleStep(step);
    box->setDecimals(decimals);
    return box;
}

}  // namespace

using namespace chat_page_detail;

ChatPage::ChatPage(ChatStore& store, AppSettings& settings, QWidget* parent)
    : QWidget(parent), m_store(store), m_settings(settings) {
    setAcceptDrops(true);
    m_engine = new ChatEngine;
    m_engine->setSettings(settings.engine());
    m_engine->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_engine, &QObject::deleteLater);
    m_thread.setObjectName(QStringLiteral("chat-engine"));
    m_thread.start();

    m_conversations = new ConversationListModel(m_store, this);
    m_messages = new MessageListModel(this);
    m_delegate = new MessageDelegate(this);
    buildUi();

    connect(m_engine, &ChatEngine::loadStarted, this, [this](const QString& path) {
        m_loadLabel->setText(tr("Loading %1…").arg(modelName(path)));
        m_loadBar->setValue(0);
        m_loadRow->show();
    });
    connect(m_engine, &ChatEngine::loadProgress, this,
            [this](double f) { m_loadBar->setValue(static_cast<int>(f * 100)); });
    connect(m_engine, &ChatEngine::modelLoaded, this, [this](const LoadedModel& info) {
        m_loadRow->hide();
        m_composer->setTextOnlyModel(info.modalities.isEmpty());
        Q_EMIT modelReady(info);
    });
    connect(m_engine, &ChatEngine::loadFailed, this, [this](const QString& path, const EngineError& e) {
        m_loadRow->hide();
        // onFailed then keeps this, more precise, message.
        m_loadFailedDuringReply = m_generating && path == m_replyModelPath;
        if (e.code == static_cast<int>(atelier::ErrorCode::Cancelled))
            Q_EMIT statusMessage(tr("Model loading cancelled."));
        else
            showBanner(tr("Cannot load the model %1.").arg(modelName(path)) + QLatin1Char('\n') +
                       errorText(e));
    });
    connect(m_engine, &ChatEngine::textGenerated, this, &ChatPage::onText);
    connect(m_engine, &ChatEngine::generationFinished, this, &ChatPage::onFinished);
    connect(m_engine, &ChatEngine::generationFailed, this, &ChatPage::onFailed);

    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(kFrameMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &ChatPage::flushPending);

    reloadModels();
    newConversation();
    retranslate();
}

ChatPage::~ChatPage() {
    m_closing = true;
    m_replyCancel->store(true);
    m_preloadCancel->store(true);
    m_thread.quit();
    m_thread.wait();
    // Deliver what the engine sent before it stopped (text, or a reply that had just finished).
    QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
    if (m_generating && m_replyRow >= 0) {
        // The window closed mid-reply: keep what was shown, marked as cut off.
        m_reply.content += m_pending;
        m_reply.status = QStringLiteral("interrupted");
        try {
            m_store.updateMessage(m_reply);
        } catch (const atelier::Error& e) {
            qWarning("cannot save the interrupted reply: %s", e.what());
        }
    }
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
    m_conversationView->setModel(m_conversations);
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
    m_title = new QLabel(center);
    m_title->setObjectName(QStringLiteral("conversationTitle"));
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
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
    header->addWidget(m_title, 1);
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
    m_messageView->setModel(m_messages);
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
    m_composer = new Composer(center);
    m_composer->setPasteFolder(QDir(m_settings.dataDir()).filePath(QStringLiteral("attachments")));
    auto* buttons = new QVBoxLayout;
    m_attach = new QToolButton(center);
    m_attach->setObjectName(QStringLiteral("attachButton"));
    m_attach->setIcon(QIcon(QStringLiteral(":/icons/attach.svg")));
    m_send = new QPushButton(QIcon(QStringLiteral(":/icons/send.svg")), QString(), center);
    m_send->setObjectName(QStringLiteral("sendButton"));
    m_send->setDefault(true);
    m_stop = new QPushButton(QIcon(QStringLiteral(":/icons/stop.svg")), QString(), center);
    m_stop->setObjectName(QStringLiteral("stopButton"));
    m_stop->hide();
    buttons->addStretch(1);
    buttons->addWidget(m_attach, 0, Qt::AlignRight);
    buttons->addWidget(m_send);
    buttons->addWidget(m_stop);
    compose->addWidget(m_composer, 1);
    compose->addLayout(buttons);
    c->addLayout(compose);

    // Right: this conversation's settings.
    auto* scroll = new QScrollArea(m_splitter);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_settingsPanel = new QWidget(scroll);
    m_settingsPanel->setObjectName(QStringLiteral("conversationSettings"));
    auto* form = new QFormLayout(m_settingsPanel);
    form->setRowWrapPolicy(QFormLayout::WrapLongRows);
    m_settingsHeading = new QLabel(m_settingsPanel);
    QFont bold = m_settingsHeading->font();
    bold.setBold(true);
    m_settingsHeading->setFont(bold);
    form->addRow(m_settingsHeading);
    m_systemLabel = new QLabel(m_settingsPanel);
    form->addRow(m_systemLabel);
    m_system = new QPlainTextEdit(m_settingsPanel);
    m_system->setObjectName(QStringLiteral("systemPrompt"));
    m_system->setMaximumHeight(110);
    form->addRow(m_system);
    m_templateBox = new QComboBox(m_settingsPanel);
    m_templateBox->setObjectName(QStringLiteral("templateBox"));
    for (const char* t : {"", "alpaca", "vicuna", "llama-2", "llama-3", "chatml", "none"})
        m_templateBox->addItem(QString(), QString::fromLatin1(t));
    m_temperature = doubleBox(m_settingsPanel, 0, 5, 0.05, 2);
    m_topP = doubleBox(m_settingsPanel, 0.01, 1, 0.05, 2);
    m_topK = new QSpinBox(m_settingsPanel);
    m_topK->setRange(0, 100000);
    m_minP = doubleBox(m_settingsPanel, 0, 1, 0.01, 2);
    m_maxTokens = new QSpinBox(m_settingsPanel);
    m_maxTokens->setRange(1, 1 << 20);
    m_repeatPenalty = doubleBox(m_settingsPanel, 1, 3, 0.05, 2);
    m_seed = new QSpinBox(m_settingsPanel);
    m_seed->setRange(-1, std::numeric_limits<int>::max());
    QWidget* fields[] = {m_templateBox, m_temperature, m_topP,          m_topK,
                         m_minP,        m_maxTokens,   m_repeatPenalty, m_seed};
    for (QWidget* w : fields) {
        auto* label = new QLabel(m_settingsPanel);
        label->setBuddy(w);
        m_formLabels.push_back(label);
        form->addRow(label, w);
    }
    auto* panel = new QWidget(scroll);
    auto* panelLayout = new QVBoxLayout(panel);
    panelLayout->setContentsMargins(0, 0, 0, 0);
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

    // Wiring.
    connect(m_newButton, &QPushButton::clicked, this, &ChatPage::newConversation);
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_conversations->setFilter(text);
        const int row = m_conversations->rowOf(m_conversation.id);
        if (row >= 0) m_conversationView->setCurrentIndex(m_conversations->index(row));
    });
    connect(m_conversations, &ConversationListModel::renamed, this, [this](qint64 id, const QString& title) {
        if (id != m_conversation.id) return;
        m_conversation.title = title;
        m_title->setText(title);
    });
    connect(m_conversations, &ConversationListModel::storeFailed, this, [this](const QString& message) {
        showBanner(tr("Your conversations could not be saved.") + '\n' + message);
    });
    connect(m_conversationView, &QListView::clicked, this, [this](const QModelIndex& index) {
        openConversation(index.data(ConversationListModel::IdRole).toLongLong());
    });
    connect(m_conversationView, &QListView::activated, this, [this](const QModelIndex& index) {
        openConversation(index.data(ConversationListModel::IdRole).toLongLong());
    });
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
    connect(m_cancelLoad, &QPushButton::clicked, this, [this] {
        m_preloadCancel->store(true);
        if (m_generating) m_replyCancel->store(true);
    });
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
    connect(m_send, &QPushButton::clicked, this, &ChatPage::send);
    connect(m_stop, &QPushButton::clicked, this, &ChatPage::stop);
    connect(m_delegate, &MessageDelegate::actionTriggered, this,
            [this](const QModelIndex& index, MessageDelegate::Action action, const QString&) {
                if (action == MessageDelegate::EditMessage) startEdit(index.row());
                if (action == MessageDelegate::RegenerateMessage) regenerate();
                if (action == MessageDelegate::CopyMessage || action == MessageDelegate::CopyCode)
                    Q_EMIT statusMessage(tr("Copied to the clipboard."));
            });
    connect(m_modelBox, qOverload<int>(&QComboBox::activated), this, [this] {
        saveConversationSettings();
        const QString path = m_modelBox->currentData().toString();
        if (path.isEmpty() || m_generating) return;
        m_preloadCancel->store(true);  // a load of the previous choice is no longer wanted
        m_preloadCancel = makeCancelToken();
        m_preloadPath = path;
        QMetaObject::invokeMethod(
            m_engine, [e = m_engine, path, token = m_preloadCancel] { e->loadModel(path, token); },
            Qt::QueuedConnection);
    });
    connect(m_system, &QPlainTextEdit::textChanged, this, &ChatPage::saveConversationSettings);
    connect(m_templateBox, qOverload<int>(&QComboBox::currentIndexChanged), this,
            &ChatPage::saveConversationSettings);
    for (QDoubleSpinBox* box : {m_temperature, m_topP, m_minP, m_repeatPenalty})
        connect(box, qOverload<double>(&QDoubleSpinBox::valueChanged), this,
                &ChatPage::saveConversationSettings);
    for (QSpinBox* box : {m_topK, m_maxTokens, m_seed})
        connect(box, qOverload<int>(&QSpinBox::valueChanged), this, &ChatPage::saveConversationSettings);
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
    m_attach->setToolTip(tr("Attach images, audio or video"));
    m_send->setText(tr("Send"));
    m_send->setToolTip(tr("Send (Enter)"));
    m_stop->setText(tr("Stop"));
    m_stop->setToolTip(tr("Stop the reply (Esc)"));
    m_settingsHeading->setText(tr("Conversation settings"));
    m_systemLabel->setText(tr("System prompt"));
    m_system->setPlaceholderText(tr("Optional instructions for the model, e.g. \"Answer briefly.\""));
    const QStringList templateNames = {tr("Model default"),           QStringLiteral("Alpaca"),
                                       QStringLiteral("Vicuna v1.1"), QStringLiteral("Llama 2"),
                                       QStringLiteral("Llama 3"),     QStringLiteral("ChatML"),
                                       tr("None: continue the text")};
    for (int i = 0; i < templateNames.size(); ++i) m_templateBox->setItemText(i, templateNames[i]);
    m_seed->setSpecialValueText(tr("Random"));
    const QStringList labels = {
        tr("Chat template"), tr("Temperature"),        tr("Top-p"), tr("Top-k"), tr("Min-p"),
        tr("Max tokens"),    tr("Repetition penalty"), tr("Seed")};
    const QStringList tips = {
        tr("How the conversation is laid out for the model. \"None\" continues your text as written."),
        tr("Randomness: 0 always picks the most likely token; higher values are more varied."),
        tr("Sample only from the most likely tokens whose probabilities add up to this."),
        tr("Sample only from this many most likely tokens (0 = no limit)."),
        tr("Drop tokens less likely than this fraction of the most likely one (0 = off)."),
        tr("The longest reply, in tokens."),
        tr("Makes repeating recent tokens less likely (1 = off)."),
        tr("The same seed and settings give the same reply; Random picks a new one each time.")};
    for (int i = 0; i < m_formLabels.size(); ++i) {
        m_formLabels[i]->setText(labels[i]);
        m_formLabels[i]->buddy()->setToolTip(tips[i]);
    }
    updateEmptyState();
    if (m_conversation.id == 0) m_title->setText(tr("New chat"));
}

void ChatPage::changeEvent(QEvent* e) {
    if (e->type() == QEvent::LanguageChange) {
        retranslate();
        reloadModels();
        m_delegate->clearCache();
        m_messageView->viewport()->update();
    }
    QWidget::changeEvent(e);
}

void ChatPage::setEngineSettings(const EngineSettings& settings) {
    QMetaObject::invokeMethod(
        m_engine, [e = m_engine, settings] { e->setSettings(settings); }, Qt::QueuedConnection);
}

void ChatPage::setPreferredModel(const QString& path) {
    m_preferredModel = path;
    if (m_conversation.id == 0) {
        m_conversation.modelPath = path;
        loadConversationSettings();
    }
}

QString ChatPage::modelName(const QString& path) const {
    for (const auto& m : m_store.models())
        if (m.path == path) return m.name;
    return QFileInfo(path).fileName();
}

QString ChatPage::modelPathForConversation() const {
    const QVector<ModelRecord> models = m_store.models();
    for (const auto& m : models)
        if (m.path == m_conversation.modelPath) return m.path;
    if (!m_preferredModel.isEmpty())
        for (const auto& m : models)
            if (m.path == m_preferredModel) return m.path;
    return m_store.defaultModel().path;
}

void ChatPage::reloadModels() {
    m_loadingSettings = true;
    m_modelBox->clear();
    for (const auto& m : m_store.models())
        m_modelBox->addItem(QIcon(QStringLiteral(":/icons/model.svg")), m.name, m.path);
    m_modelBox->setCurrentIndex(m_modelBox->findData(modelPathForConversation()));
    m_loadingSettings = false;
    updateEmptyState();
}

void ChatPage::updateEmptyState() {
    const bool noModels = m_modelBox->count() == 0;
    if (m_messages->rowCount() > 0) {
        m_center->setCurrentWidget(m_messageView);
    } else {
        m_center->setCurrentIndex(0);
        m_emptyLabel->setText(
            noModels ? tr("No model yet.\nAdd a model folder (Hugging Face, Meta or llama2.c) on the "
                          "Models page to start chatting.")
                     : tr("Ask anything.\nDrop images, audio or video on the window to attach them."));
        m_emptyButton->setVisible(noModels);
    }
    m_send->setEnabled(!noModels && !m_generating);
}

void ChatPage::loadConversationSettings() {
    m_loadingSettings = true;
    const SamplingSettings& s = m_conversation.sampling;
    m_system->setPlainText(m_conversation.systemPrompt);
    m_templateBox->setCurrentIndex(std::max(0, m_templateBox->findData(m_conversation.templateName)));
    m_temperature->setValue(s.temperature);
    m_topP->setValue(s.topP);
    m_topK->setValue(s.topK);
    m_minP->setValue(s.minP);
    m_maxTokens->setValue(s.maxTokens);
    m_repeatPenalty->setValue(s.repeatPenalty);
    m_seed->setValue(static_cast<int>(std::min<qint64>(s.seed, std::numeric_limits<int>::max())));
    m_modelBox->setCurrentIndex(m_modelBox->findData(modelPathForConversation()));
    m_loadingSettings = false;
}

void ChatPage::saveConversationSettings() {
    if (m_loadingSettings) return;
    m_conversation.systemPrompt = m_system->toPlainText();
    m_conversation.templateName = m_templateBox->currentData().toString();
    SamplingSettings& s = m_conversation.sampling;
    s.temperature = m_temperature->value();
    s.topP = m_topP->value();
    s.topK = m_topK->value();
    s.minP = m_minP->value();
    s.maxTokens = m_maxTokens->value();
    s.repeatPenalty = m_repeatPenalty->value();
    s.seed = m_seed->value();
    if (m_modelBox->currentIndex() >= 0) m_conversation.modelPath = m_modelBox->currentData().toString();
    if (m_conversation.id != 0) guarded([&] { m_store.updateConversation(m_conversation); });
}

void ChatPage::updateAdapterChip() {
    const bool on = !m_conversation.adapterPath.isEmpty();
    m_adapterLabel->setVisible(on);
    m_adapterClear->setVisible(on);
    if (!on) return;
    // Runs keep their adapter in <run>/adapter: name it by the run's folder.
    QFileInfo info(m_conversation.adapterPath);
    const QString name = info.fileName() == QLatin1String("adapter") ? info.dir().dirName() : info.fileName();
    m_adapterLabel->setText(tr("Adapter: %1").arg(name));
    m_adapterLabel->setToolTip(m_conversation.adapterPath);
}

void ChatPage::chatWithAdapter(const QString& modelPath, const QString& adapterPath, const QString& title) {
    if (m_generating) return;
    newConversation();
    m_conversation.modelPath = modelPath;
    m_conversation.adapterPath = adapterPath;
    m_conversation.title = title;
    m_title->setText(title);
    loadConversationSettings();
    updateAdapterChip();
}

void ChatPage::detachAdapter() {
    if (m_generating) return;
    m_conversation.adapterPath.clear();
    if (m_conversation.id != 0) guarded([&] { m_store.updateConversation(m_conversation); });
    updateAdapterChip();
}

void ChatPage::newConversation() {
    if (m_generating) return;
    cancelEdit();
    // A draft keeps the last conversation's settings; it is stored when the first message is sent.
    ConversationRecord draft;
    draft.title = tr("New chat");
    draft.sampling = m_conversation.sampling;
    draft.systemPrompt = m_conversation.systemPrompt;
    draft.templateName = m_conversation.templateName;
    draft.modelPath = m_conversation.modelPath.isEmpty() ? m_preferredModel : m_conversation.modelPath;
    m_conversation = draft;
    m_messages->setMessages({});
    m_title->setText(draft.title);
    m_conversationView->clearSelection();
    m_banner->hide();
    loadConversationSettings();
    updateAdapterChip();
    updateEmptyState();
    m_composer->editor()->setFocus();
}

void ChatPage::openConversation(qint64 id) {
    if (m_generating || id == m_conversation.id) return;
    const ConversationRecord c = m_store.conversation(id);
    if (c.id == 0) return;
    cancelEdit();
    m_conversation = c;
    m_messages->setMessages(m_store.messages(id));
    m_title->setText(c.title);
    m_banner->hide();
    loadConversationSettings();
    updateAdapterChip();
    const int row = m_conversations->rowOf(id);
    if (row >= 0) m_conversationView->setCurrentIndex(m_conversations->index(row));
    updateEmptyState();
    m_messageView->scrollToBottom();
}

void ChatPage::deleteConversation(qint64 id) {
    if (m_generating && id == m_conversation.id) return;
    const ConversationRecord c = m_store.conversation(id);
    if (c.id == 0) return;
    if (QMessageBox::question(
            this, tr("Delete conversation"),
            tr("Delete \"%1\" and all its messages? This cannot be undone.").arg(c.title)) !=
        QMessageBox::Yes)
        return;
    if (!guarded([&] { m_store.deleteConversation(id); })) return;
    m_conversations->reload();
    if (id == m_conversation.id) newConversation();
}

void ChatPage::renameConversation(qint64 id) {
    const int row = m_conversations->rowOf(id);
    if (row >= 0) m_conversationView->edit(m_conversations->index(row));
}

void ChatPage::focusSearch() {
    m_search->setFocus();
    m_search->selectAll();
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

void ChatPage::scrollToBottomIfFollowing(bool following) {
    if (following) m_messageView->scrollToBottom();
}

void ChatPage::exportConversation(const QString& format) {
    if (m_conversation.id == 0) {
        showBanner(tr("There is nothing to export yet."));
        return;
    }
    const bool json = format == QLatin1String("json");
    QString base = m_conversation.title;
    base.replace(QRegularExpression(QStringLiteral("[^\\w\\- ]")), QStringLiteral("_"));
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export conversation"),
        QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
            .filePath(base + (json ? QStringLiteral(".json") : QStringLiteral(".md"))),
        json ? tr("JSON (*.json)") : tr("Markdown (*.md)"));
    if (path.isEmpty()) return;
    const auto messages = m_store.messages(m_conversation.id);
    const QByteArray bytes = json ? conversationToJson(m_conversation, messages)
                                  : conversationToMarkdown(m_conversation, messages).toUtf8();
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit()) {
        showBanner(tr("Cannot write %1: %2").arg(path, f.errorString()));
        return;
    }
    Q_EMIT statusMessage(tr("Exported to %1").arg(path));
}
