// The chat page's controller: the current conversation, the engine on its worker thread, the
// streaming reply and every store write. No widgets: the ChatPage lays out what this holds and
// forwards the user's actions; dialogs (confirm, file pickers) stay in the page.
//
// Replies stream from a ChatEngine on its own thread. Text is coalesced to at most one model
// update per frame and saved to the store twice a second while it streams, so a crash loses at
// most the last half second of the unfinished reply, which is then shown as interrupted.
//
//   ChatController chat(store, settings);
//   connect(&chat, &ChatController::generationFinished, ...);
//   chat.send(QStringLiteral("Hi"), {});
#pragma once

#include "app_settings.h"
#include "chat_store.h"
#include "engine_types.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QThread>
#include <QTimer>

class ChatEngine;
class ConversationListModel;
class MessageListModel;

class ChatController : public QObject {
    Q_OBJECT
public:
    ChatController(ChatStore& store, AppSettings& settings, QObject* parent = nullptr);
    // Stops the engine; a reply still streaming is kept, marked interrupted.
    ~ChatController() override;

    ChatEngine* engine() const { return m_engine; }
    MessageListModel* messages() const { return m_messages; }
    ConversationListModel* conversations() const { return m_conversations; }
    const ConversationRecord& conversation() const { return m_conversation; }
    bool isGenerating() const { return m_generating; }
    qint64 editingId() const { return m_editingId; }
    // What the engine loaded last (its modalities decide what the composer may send).
    const LoadedModel& loadedModel() const { return m_loaded; }

    // The library model this conversation uses: its own, else the preferred one, else the default.
    QString modelPathForConversation() const;
    QString modelName(const QString& path) const;
    bool hasModels() const;

    // --- conversations ---
    void newConversation();  // a draft with the last settings, stored on its first message
    bool openConversation(qint64 id);
    bool deleteConversation(qint64 id);
    void chatWithAdapter(const QString& modelPath, const QString& adapterPath, const QString& title);
    void detachAdapter();
    void setPreferredModel(const QString& path);  // atelier --model
    // The user changed the settings panel or the model box: stored with the conversation.
    void setSettings(const ConversationRecord& edited);
    void setModelPath(const QString& path);  // and starts loading it
    void cancelLoad();
    void setEngineSettings(const EngineSettings& settings);

    // --- replies ---
    // Stores the user's message and starts the reply; false when it could not be stored (the
    // composer keeps the text) or there is nothing to send.
    bool send(const QString& text, const QVector<AttachmentRecord>& attachments);
    void stop();
    void regenerate();
    // Starts editing the user's message at `row` (its text and attachments are returned in *m).
    bool startEdit(int row, MessageRecord* m);
    void cancelEdit();

    // --- the draft's attachments and the context ---
    // Has the engine measure an attachment and encode it ahead of sending (cached by content).
    void prepareAttachment(const AttachmentRecord& attachment);
    void cancelPreparation(const QString& path);
    // How much of the context the conversation plus this draft would take (contextMeasured).
    void measureContext(const QString& draftText, const QVector<AttachmentRecord>& draftAttachments);

Q_SIGNALS:
    // A different conversation (or a new draft) is shown, or its title, settings or adapter changed.
    void conversationChanged();
    void generatingChanged(bool generating);
    void editingChanged(bool editing);
    void replyStarted();
    void replyTextAboutToGrow();  // the page notes whether the view follows the end
    void replyTextGrew();
    void generationFinished();
    void loadStarted(const QString& modelName);
    void loadProgress(double fraction);
    void loadEnded();
    void modelReady(const LoadedModel& model);
    void errorOccurred(const QString& text);  // shown in the page's banner
    void errorCleared();
    void statusMessage(const QString& text);
    void attachmentProgress(const QString& path, double fraction);
    void attachmentPrepared(const AttachmentCost& cost);
    void contextMeasured(const ContextUse& use);

private:
    void startReply();
    GenerationRequest requestFor(const QString& modelPath) const;  // the conversation so far
    void onText(const QString& piece);
    void flushPending();
    void onFinished(const GenerationStats& stats);
    void onFailed(const EngineError& error);
    void setGenerating(bool generating);
    void storeSettings();
    // Runs a store operation; a database error becomes errorOccurred instead of escaping a slot.
    template <typename F>
    bool guarded(F&& f);

    ChatStore& m_store;
    AppSettings& m_settings;
    QThread m_thread;
    ChatEngine* m_engine = nullptr;
    ConversationListModel* m_conversations = nullptr;
    MessageListModel* m_messages = nullptr;

    ConversationRecord m_conversation;  // id 0: a draft, created on the first message
    QString m_preferredModel;
    LoadedModel m_loaded;

    bool m_generating = false;
    int m_replyRow = -1;
    MessageRecord m_reply;
    QString m_pending;
    QTimer m_flushTimer;
    QElapsedTimer m_sinceSave;
    qint64 m_editingId = 0;
    bool m_loadFailedDuringReply = false;
    bool m_closing = false;
    CancelToken m_replyCancel = makeCancelToken();
    CancelToken m_preloadCancel = makeCancelToken();
    QString m_preloadPath, m_replyModelPath;
    QHash<QString, CancelToken> m_preparing;  // attachments the engine is encoding, by path
};
