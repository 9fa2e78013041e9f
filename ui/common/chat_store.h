// The studio's database: conversations, messages with their attachments, and the model library.
//
// One SQLite file in the data folder (WAL, foreign keys on), schema versioned by PRAGMA
// user_version with forward-only migrations (kMigrations in chat_store.cpp). Used on the GUI
// thread only; every call is a short statement.
//
//   ChatStore store(dataDir + "/atelier.db");
//   qint64 c = store.createConversation(tr("New chat"), modelPath);
//   MessageRecord m;  m.conversationId = c;  m.role = "user";  m.content = "Hi";
//   store.addMessage(m);
#pragma once

#include <QDateTime>
#include <QString>
#include <QVector>

#include <memory>

namespace atelier::sqlite {
class Database;
}

// Sampling parameters kept per conversation (stored as JSON).
struct SamplingSettings {
    double temperature = 0.8;
    double topP = 0.95;
    int topK = 40;
    double minP = 0.05;
    int maxTokens = 512;
    double repeatPenalty = 1.1;
    qint64 seed = -1;  // -1 = random

    QString toJson() const;
    static SamplingSettings fromJson(const QString& json);
    bool operator==(const SamplingSettings& o) const;
};

struct ConversationRecord {
    qint64 id = 0;
    QString title;
    QString modelPath;
    QString systemPrompt;
    QString templateName;  // "" = the model's own, "none" = plain text continuation
    QString adapterPath;   // a trained adapter attached to the model ("" = the base model)
    SamplingSettings sampling;
    QDateTime created;
    QDateTime updated;
};

struct AttachmentRecord {
    qint64 id = 0;
    QString path;
    QString sha256;  // hex of the file's content when attached
    QString kind;    // "image" | "audio" | "video" | "file"
    qint64 size = 0;
};

// A message's state, stored by name ("complete", "generating", ...). A reply is Generating while it
// streams; a crash leaves it so, and the next start marks it Interrupted.
enum class MessageStatus { Complete, Generating, Stopped, Interrupted, Failed };
QString messageStatusName(MessageStatus status);
MessageStatus parseMessageStatus(const QString& name);  // an unknown name reads as Failed

struct MessageRecord {
    qint64 id = 0;
    qint64 conversationId = 0;
    QString role;     // "system" | "user" | "assistant"
    QString content;  // Markdown as written or generated
    MessageStatus status = MessageStatus::Complete;
    QString model;  // the model that wrote an assistant reply
    int tokens = 0;
    double tokensPerSecond = 0;
    QDateTime created;
    QVector<AttachmentRecord> attachments;
};

struct ModelRecord {
    qint64 id = 0;
    QString path;
    QString name;
    QString format;        // hf | meta | llama2c
    QString architecture;  // e.g. LlamaForCausalLM
    QString modelType;     // llama | mistral | qwen2
    qint64 parameters = 0;
    QString dtype;  // checkpoint dtype (torch_dtype)
    qint64 contextLength = 0;
    QString chatTemplate;
    // The media it reads, as JSON: [{"modality", "encoder", "projector", "tokens", "frames"}]
    // ("" for a text-only model).
    QString media;
    qint64 sizeOnDisk = 0;
    bool isDefault = false;
    QDateTime added;
};

class ChatStore {
public:
    // Opens or creates the database and migrates it to the latest schema (or to `targetVersion`,
    // for tests of the migrations). Throws atelier::Error on an unreadable or newer database.
    explicit ChatStore(const QString& path, int targetVersion = -1);
    ~ChatStore();
    static int latestSchemaVersion();
    int schemaVersion() const;
    QString path() const;

    // --- conversations, most recently updated first ---
    QVector<ConversationRecord> conversations() const;
    ConversationRecord conversation(qint64 id) const;  // id 0 when absent
    qint64 createConversation(const QString& title, const QString& modelPath,
                              const SamplingSettings& sampling = {});
    void updateConversation(const ConversationRecord& c);  // title, model, system prompt, template, sampling
    void renameConversation(qint64 id, const QString& title);  // the title alone
    void touchConversation(qint64 id);
    void deleteConversation(qint64 id);  // and its messages and attachments
    // Conversations whose title or any message contains `text` (case-insensitive for ASCII).
    QVector<qint64> searchConversations(const QString& text) const;

    // --- messages, in order ---
    QVector<MessageRecord> messages(qint64 conversationId) const;
    qint64 addMessage(MessageRecord& m);         // fills m.id, m.created; inserts attachments
    void updateMessage(const MessageRecord& m);  // content, status, model, tokens, tokens/s
    void deleteMessagesFrom(qint64 conversationId, qint64 firstMessageId);  // it and all later
    // deleteMessagesFrom + addMessage in one transaction (edit and resend).
    qint64 replaceMessagesFrom(qint64 conversationId, qint64 firstMessageId, MessageRecord& m);
    // Replies left 'generating' by a crash become 'interrupted'; returns how many.
    int recoverInterrupted();

    // --- model library ---
    QVector<ModelRecord> models() const;
    qint64 addModel(const ModelRecord& m);  // replaces a record with the same path
    void removeModel(qint64 id);
    void setDefaultModel(qint64 id);
    ModelRecord defaultModel() const;  // id 0 when the library is empty

private:
    std::unique_ptr<atelier::sqlite::Database> m_db;
};
