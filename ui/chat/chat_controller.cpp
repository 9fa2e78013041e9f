#include "chat_controller.h"

#include "chat_engine.h"
#include "conversation_list_model.h"
#include "error_text.h"
#include "message_list_model.h"

#include "common/error.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace {

constexpr int kSaveIntervalMs = 500;  // how often a streaming reply is written to the store
constexpr int kFrameMs = 16;          // at most one view update per frame while streaming

QString titleFrom(const QString& text) {
    QString line = text.section(QLatin1Char('\n'), 0, 0).simplified();
    if (line.size() > 48) line = line.left(47) + QStringLiteral("…");
    return line;
}

}  // namespace

template <typename F>
bool ChatController::guarded(F&& f) {
    try {
        f();
        return true;
    } catch (const atelier::Error& e) {
        Q_EMIT errorOccurred(tr("Your conversations could not be saved.") + QLatin1Char('\n') +
                             errorText(engineErrorFrom(e)));
    } catch (const std::exception& e) {
        Q_EMIT errorOccurred(tr("Your conversations could not be saved.") + QLatin1Char('\n') +
                             QString::fromUtf8(e.what()));
    }
    return false;
}

ChatController::ChatController(ChatStore& store, AppSettings& settings, QObject* parent)
    : QObject(parent), m_store(store), m_settings(settings) {
    m_engine = new ChatEngine;
    m_engine->setSettings(settings.engine());
    m_engine->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_engine, &QObject::deleteLater);
    m_thread.setObjectName(QStringLiteral("chat-engine"));
    m_thread.start();
    m_conversations = new ConversationListModel(m_store, this);
    m_messages = new MessageListModel(this);

    connect(m_engine, &ChatEngine::loadStarted, this,
            [this](const QString& path) { Q_EMIT loadStarted(modelName(path)); });
    connect(m_engine, &ChatEngine::loadProgress, this, &ChatController::loadProgress);
    connect(m_engine, &ChatEngine::modelLoaded, this, [this](const LoadedModel& info) {
        m_loaded = info;
        Q_EMIT loadEnded();
        Q_EMIT modelReady(info);
    });
    connect(m_engine, &ChatEngine::loadFailed, this, [this](const QString& path, const EngineError& e) {
        Q_EMIT loadEnded();
        // onFailed then keeps this, more precise, message.
        m_loadFailedDuringReply = m_generating && path == m_replyModelPath;
        if (e.code == static_cast<int>(atelier::ErrorCode::Cancelled))
            Q_EMIT statusMessage(tr("Model loading cancelled."));
        else
            Q_EMIT errorOccurred(tr("Cannot load the model %1.").arg(modelName(path)) + QLatin1Char('\n') +
                                 errorText(e));
    });
    connect(m_engine, &ChatEngine::attachmentProgress, this, &ChatController::attachmentProgress);
    connect(m_engine, &ChatEngine::attachmentPrepared, this, [this](const AttachmentCost& cost) {
        m_preparing.remove(cost.path);
        Q_EMIT attachmentPrepared(cost);
    });
    connect(m_engine, &ChatEngine::contextMeasured, this, &ChatController::contextMeasured);
    connect(m_engine, &ChatEngine::textGenerated, this, &ChatController::onText);
    connect(m_engine, &ChatEngine::generationFinished, this, &ChatController::onFinished);
    connect(m_engine, &ChatEngine::generationFailed, this, &ChatController::onFailed);
    connect(m_conversations, &ConversationListModel::renamed, this, [this](qint64 id, const QString& title) {
        if (id != m_conversation.id) return;
        m_conversation.title = title;
        Q_EMIT conversationChanged();
    });
    connect(m_conversations, &ConversationListModel::storeFailed, this, [this](const QString& message) {
        Q_EMIT errorOccurred(tr("Your conversations could not be saved.") + QLatin1Char('\n') + message);
    });

    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(kFrameMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &ChatController::flushPending);
}

ChatController::~ChatController() {
    m_closing = true;
    m_replyCancel->store(true);
    m_preloadCancel->store(true);
    for (const CancelToken& t : m_preparing) t->store(true);
    m_thread.quit();
    m_thread.wait();
    // Deliver what the engine sent before it stopped (text, or a reply that had just finished) to
    // this object only: the page, being destroyed, hears nothing more.
    disconnect(this, nullptr, nullptr, nullptr);
    QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
    if (m_generating && m_replyRow >= 0) {
        // The window closed mid-reply: keep what was shown, marked as cut off.
        m_reply.content += m_pending;
        m_reply.status = MessageStatus::Interrupted;
        try {
            m_store.updateMessage(m_reply);
        } catch (const std::exception& e) {
            qWarning("cannot save the interrupted reply: %s", e.what());
        }
    }
}

// --- models ---

QString ChatController::modelName(const QString& path) const {
    for (const auto& m : m_store.models())
        if (m.path == path) return m.name;
    return QFileInfo(path).fileName();
}

bool ChatController::hasModels() const {
    return !m_store.models().isEmpty();
}

QString ChatController::modelPathForConversation() const {
    const QVector<ModelRecord> models = m_store.models();
    for (const auto& m : models)
        if (m.path == m_conversation.modelPath) return m.path;
    if (!m_preferredModel.isEmpty())
        for (const auto& m : models)
            if (m.path == m_preferredModel) return m.path;
    return m_store.defaultModel().path;
}

void ChatController::setPreferredModel(const QString& path) {
    m_preferredModel = path;
    if (m_conversation.id == 0) {
        m_conversation.modelPath = path;
        Q_EMIT conversationChanged();
    }
}

void ChatController::setEngineSettings(const EngineSettings& settings) {
    QMetaObject::invokeMethod(
        m_engine, [e = m_engine, settings] { e->setSettings(settings); }, Qt::QueuedConnection);
}

void ChatController::setModelPath(const QString& path) {
    if (path.isEmpty() || m_generating) return;
    m_conversation.modelPath = path;
    storeSettings();
    Q_EMIT conversationChanged();
    m_preloadCancel->store(true);  // a load of the previous choice is no longer wanted
    m_preloadCancel = makeCancelToken();
    m_preloadPath = path;
    QMetaObject::invokeMethod(
        m_engine, [e = m_engine, path, token = m_preloadCancel] { e->loadModel(path, token); },
        Qt::QueuedConnection);
}

void ChatController::cancelLoad() {
    m_preloadCancel->store(true);
    if (m_generating) m_replyCancel->store(true);
}

void ChatController::setSettings(const ConversationRecord& edited) {
    m_conversation.systemPrompt = edited.systemPrompt;
    m_conversation.templateName = edited.templateName;
    m_conversation.sampling = edited.sampling;
    storeSettings();
}

void ChatController::storeSettings() {
    if (m_conversation.id != 0) guarded([&] { m_store.updateConversation(m_conversation); });
}

// --- conversations ---

void ChatController::newConversation() {
    if (m_generating) return;
    cancelEdit();
    // A draft keeps the last conversation's settings; it is stored when the first message is sent.
    ConversationRecord draft;
    // An empty title: the page shows "New chat" in the language of the moment until the first message.
    draft.sampling = m_conversation.sampling;
    draft.systemPrompt = m_conversation.systemPrompt;
    draft.templateName = m_conversation.templateName;
    draft.modelPath = m_conversation.modelPath.isEmpty() ? m_preferredModel : m_conversation.modelPath;
    m_conversation = draft;
    m_messages->setMessages({});
    Q_EMIT errorCleared();
    Q_EMIT conversationChanged();
}

bool ChatController::openConversation(qint64 id) {
    if (m_generating || id == m_conversation.id) return false;
    ConversationRecord c;
    QVector<MessageRecord> messages;
    if (!guarded([&] {
            c = m_store.conversation(id);
            if (c.id != 0) messages = m_store.messages(id);
        }) ||
        c.id == 0)
        return false;
    cancelEdit();
    m_conversation = c;
    m_messages->setMessages(messages);
    Q_EMIT errorCleared();
    Q_EMIT conversationChanged();
    return true;
}

bool ChatController::deleteConversation(qint64 id) {
    if (m_generating && id == m_conversation.id) return false;
    if (!guarded([&] { m_store.deleteConversation(id); })) return false;
    m_conversations->reload();
    if (id == m_conversation.id) newConversation();
    return true;
}

void ChatController::chatWithAdapter(const QString& modelPath, const QString& adapterPath,
                                     const QString& title) {
    if (m_generating) return;
    newConversation();
    m_conversation.modelPath = modelPath;
    m_conversation.adapterPath = adapterPath;
    m_conversation.title = title;
    Q_EMIT conversationChanged();
}

void ChatController::detachAdapter() {
    if (m_generating) return;
    m_conversation.adapterPath.clear();
    storeSettings();
    Q_EMIT conversationChanged();
}

// --- replies ---

bool ChatController::send(const QString& text, const QVector<AttachmentRecord>& attachments) {
    if (m_generating || (text.isEmpty() && attachments.isEmpty())) return false;
    if (!hasModels()) {
        Q_EMIT errorOccurred(tr("Add a model on the Models page first."));
        return false;
    }
    Q_EMIT errorCleared();
    MessageRecord user;
    user.role = QStringLiteral("user");
    user.content = text;
    user.attachments = attachments;
    const bool wasEditing = m_editingId != 0;
    const bool saved = guarded([&] {
        if (m_conversation.id == 0) {
            if (m_conversation.adapterPath.isEmpty() || m_conversation.title.isEmpty())
                m_conversation.title = titleFrom(text.isEmpty() ? tr("Attachments") : text);
            m_conversation.modelPath = modelPathForConversation();
            m_conversation.id = m_store.createConversation(m_conversation.title, m_conversation.modelPath);
            m_store.updateConversation(m_conversation);  // the draft's system prompt, template and sampling
        }
        user.conversationId = m_conversation.id;
        if (m_editingId != 0) {
            // The edited message and everything after it are replaced, in one transaction.
            m_store.replaceMessagesFrom(m_conversation.id, m_editingId, user);
            const int row = m_messages->rowOf(m_editingId);
            if (row >= 0) m_messages->removeFrom(row);
            m_editingId = 0;
        } else {
            m_store.addMessage(user);
        }
    });
    if (!saved) return false;
    if (wasEditing) Q_EMIT editingChanged(false);
    m_messages->append(user);
    m_conversations->reload();
    Q_EMIT conversationChanged();
    startReply();
    return true;
}

void ChatController::startReply() {
    const QString modelPath = modelPathForConversation();
    m_reply = MessageRecord();
    m_reply.conversationId = m_conversation.id;
    m_reply.role = QStringLiteral("assistant");
    m_reply.status = MessageStatus::Generating;
    m_reply.model = modelName(modelPath);

    const GenerationRequest request = requestFor(modelPath);
    if (!guarded([&] { m_store.addMessage(m_reply); })) return;
    m_replyCancel = request.cancel;
    m_replyModelPath = modelPath;
    if (m_preloadPath != modelPath) m_preloadCancel->store(true);  // the reply needs another model
    m_messages->append(m_reply);
    m_replyRow = m_messages->rowCount() - 1;
    m_pending.clear();
    m_loadFailedDuringReply = false;
    m_sinceSave.start();
    setGenerating(true);
    Q_EMIT replyStarted();
    QMetaObject::invokeMethod(
        m_engine, [e = m_engine, request] { e->generate(request); }, Qt::QueuedConnection);
}

GenerationRequest ChatController::requestFor(const QString& modelPath) const {
    GenerationRequest request;
    request.modelPath = modelPath;
    request.adapterPath = m_conversation.adapterPath;
    request.templateName = m_conversation.templateName;
    request.systemPrompt = m_conversation.systemPrompt;
    request.sampling = m_conversation.sampling;
    for (const auto& m : m_messages->messages())
        if (m.role == QLatin1String("user") || (m.role == QLatin1String("assistant") && !m.content.isEmpty()))
            request.turns.push_back({m.role, m.content, m.attachments});
    return request;
}

void ChatController::prepareAttachment(const AttachmentRecord& attachment) {
    const QString model = modelPathForConversation();
    if (model.isEmpty() || attachment.kind == QLatin1String("file")) return;
    cancelPreparation(attachment.path);
    const CancelToken token = makeCancelToken();
    m_preparing.insert(attachment.path, token);
    QMetaObject::invokeMethod(
        m_engine,
        [e = m_engine, model, attachment, token] { e->prepareAttachment(model, attachment, token); },
        Qt::QueuedConnection);
}

void ChatController::cancelPreparation(const QString& path) {
    if (const CancelToken token = m_preparing.take(path)) token->store(true);
}

void ChatController::measureContext(const QString& draftText,
                                    const QVector<AttachmentRecord>& draftAttachments) {
    const QString model = modelPathForConversation();
    if (model.isEmpty()) return;
    GenerationRequest request = requestFor(model);
    if (m_generating && !request.turns.isEmpty()) request.turns.pop_back();  // the reply being written
    if (!draftText.isEmpty() || !draftAttachments.isEmpty())
        request.turns.push_back({QStringLiteral("user"), draftText, draftAttachments});
    if (request.turns.isEmpty()) request.turns.push_back({QStringLiteral("user"), QString(), {}});
    QMetaObject::invokeMethod(
        m_engine, [e = m_engine, request] { e->measureContext(request); }, Qt::QueuedConnection);
}

void ChatController::onText(const QString& piece) {
    if (!m_generating) return;
    m_pending += piece;
    if (!m_flushTimer.isActive()) m_flushTimer.start();
}

void ChatController::flushPending() {
    if (m_pending.isEmpty() || m_replyRow < 0) return;
    Q_EMIT replyTextAboutToGrow();
    m_reply.content += m_pending;
    m_messages->appendText(m_replyRow, m_pending);
    m_pending.clear();
    if (m_sinceSave.elapsed() >= kSaveIntervalMs) {
        guarded([&] { m_store.updateMessage(m_reply); });
        m_sinceSave.restart();
    }
    Q_EMIT replyTextGrew();
}

void ChatController::onFinished(const GenerationStats& stats) {
    if (!m_generating) return;
    m_flushTimer.stop();
    flushPending();
    const bool cancelled = stats.stopReason == QLatin1String("cancelled");
    if (cancelled && m_reply.content.isEmpty()) {
        // Stopped before the first word: there is no reply to keep.
        guarded([&] { m_store.deleteMessagesFrom(m_conversation.id, m_reply.id); });
        m_messages->removeFrom(m_replyRow);
    } else {
        m_reply.tokens = stats.tokens;
        m_reply.tokensPerSecond = stats.tokensPerSecond;
        // Cut off by the window closing, not by the user's Stop: interrupted.
        m_reply.status = !cancelled  ? MessageStatus::Complete
                         : m_closing ? MessageStatus::Interrupted
                                     : MessageStatus::Stopped;
        guarded([&] { m_store.updateMessage(m_reply); });
        m_messages->update(m_replyRow, m_reply);
    }
    if (stats.skippedMedia > 0)
        Q_EMIT statusMessage(
            tr("%n attachment(s) not sent: this model cannot read them.", nullptr, stats.skippedMedia));
    if (stats.droppedTurns > 0)
        Q_EMIT statusMessage(
            tr("The conversation is longer than the model's context: the oldest %n message(s) "
               "were left out.",
               nullptr, stats.droppedTurns));
    guarded([&] { m_store.touchConversation(m_conversation.id); });
    m_conversations->reload();
    setGenerating(false);
    Q_EMIT conversationChanged();
    Q_EMIT generationFinished();
}

void ChatController::onFailed(const EngineError& error) {
    if (!m_generating) return;
    m_flushTimer.stop();
    flushPending();
    const bool cancelled = error.code == static_cast<int>(atelier::ErrorCode::Cancelled);
    if (m_reply.content.isEmpty()) {
        // Nothing was written: no reply to keep.
        guarded([&] { m_store.deleteMessagesFrom(m_conversation.id, m_reply.id); });
        m_messages->removeFrom(m_replyRow);
    } else {
        m_reply.status = cancelled ? MessageStatus::Stopped : MessageStatus::Failed;
        guarded([&] { m_store.updateMessage(m_reply); });
        m_messages->update(m_replyRow, m_reply);
    }
    if (!cancelled && !m_loadFailedDuringReply)
        Q_EMIT errorOccurred(tr("The model could not answer.") + QLatin1Char('\n') + errorText(error));
    setGenerating(false);
    Q_EMIT generationFinished();
}

void ChatController::setGenerating(bool generating) {
    m_generating = generating;
    if (!generating) m_replyRow = -1;
    Q_EMIT generatingChanged(generating);
}

void ChatController::stop() {
    if (m_generating) m_replyCancel->store(true);
}

void ChatController::regenerate() {
    if (m_generating || m_messages->rowCount() == 0) return;
    const int last = m_messages->rowCount() - 1;
    const MessageRecord& m = m_messages->at(last);
    if (m.role == QLatin1String("assistant")) {
        if (!guarded([&] { m_store.deleteMessagesFrom(m_conversation.id, m.id); })) return;
        m_messages->removeFrom(last);
    }
    if (m_messages->rowCount() == 0 ||
        m_messages->at(m_messages->rowCount() - 1).role != QLatin1String("user"))
        return;
    Q_EMIT errorCleared();
    startReply();
}

bool ChatController::startEdit(int row, MessageRecord* out) {
    if (m_generating || row < 0 || row >= m_messages->rowCount()) return false;
    const MessageRecord& m = m_messages->at(row);
    if (m.role != QLatin1String("user")) return false;
    m_editingId = m.id;
    *out = m;
    Q_EMIT editingChanged(true);
    return true;
}

void ChatController::cancelEdit() {
    if (m_editingId == 0) return;
    m_editingId = 0;
    Q_EMIT editingChanged(false);
}
