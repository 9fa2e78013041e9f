#include "chat_store.h"

#include "store/sqlite.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <string>
#include <vector>

using atelier::sqlite::Database;
using atelier::sqlite::Statement;
using atelier::sqlite::Transaction;

namespace {

// Forward-only: never edit a shipped migration, append a new one.
const std::vector<std::string> kMigrations = {
    // 1: conversations, messages, model library
    R"(CREATE TABLE conversations(
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         title TEXT NOT NULL,
         model_path TEXT NOT NULL DEFAULT '',
         system_prompt TEXT NOT NULL DEFAULT '',
         created_at INTEGER NOT NULL,
         updated_at INTEGER NOT NULL);
       CREATE TABLE messages(
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
         role TEXT NOT NULL,
         content TEXT NOT NULL,
         created_at INTEGER NOT NULL);
       CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
       CREATE TABLE models(
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         path TEXT NOT NULL UNIQUE,
         name TEXT NOT NULL,
         architecture TEXT NOT NULL,
         parameters INTEGER NOT NULL,
         dtype TEXT NOT NULL,
         context_length INTEGER NOT NULL,
         chat_template TEXT NOT NULL,
         size_on_disk INTEGER NOT NULL,
         is_default INTEGER NOT NULL DEFAULT 0,
         added_at INTEGER NOT NULL);)",
    // 2: reply metadata and status (crash recovery), per-conversation template and sampling,
    //    attachments, model format
    R"(ALTER TABLE messages ADD COLUMN status TEXT NOT NULL DEFAULT 'complete';
       ALTER TABLE messages ADD COLUMN model TEXT NOT NULL DEFAULT '';
       ALTER TABLE messages ADD COLUMN tokens INTEGER NOT NULL DEFAULT 0;
       ALTER TABLE messages ADD COLUMN tokens_per_second REAL NOT NULL DEFAULT 0;
       ALTER TABLE conversations ADD COLUMN template_name TEXT NOT NULL DEFAULT '';
       ALTER TABLE conversations ADD COLUMN sampling TEXT NOT NULL DEFAULT '{}';
       ALTER TABLE models ADD COLUMN format TEXT NOT NULL DEFAULT 'hf';
       ALTER TABLE models ADD COLUMN model_type TEXT NOT NULL DEFAULT 'llama';
       CREATE TABLE attachments(
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
         path TEXT NOT NULL,
         sha256 TEXT NOT NULL,
         kind TEXT NOT NULL,
         size INTEGER NOT NULL);
       CREATE INDEX attachments_by_message ON attachments(message_id);)",
    // 3: a conversation may chat through a trained adapter
    R"(ALTER TABLE conversations ADD COLUMN adapter_path TEXT NOT NULL DEFAULT '';)",
    // 4: what media a model reads (JSON list of its branches; '' for a text model)
    R"(ALTER TABLE models ADD COLUMN media TEXT NOT NULL DEFAULT '';)",
};

std::string s(const QString& q) {
    return q.toStdString();
}
QString q(const std::string& s) {
    return QString::fromStdString(s);
}
qint64 nowMs() {
    return QDateTime::currentMSecsSinceEpoch();
}
QDateTime fromMs(qint64 ms) {
    return QDateTime::fromMSecsSinceEpoch(ms);
}

ConversationRecord readConversation(const Statement& st) {
    ConversationRecord c;
    c.id = st.column_int64(0);
    c.title = q(st.column_text(1));
    c.modelPath = q(st.column_text(2));
    c.systemPrompt = q(st.column_text(3));
    c.templateName = q(st.column_text(4));
    c.sampling = SamplingSettings::fromJson(q(st.column_text(5)));
    c.created = fromMs(st.column_int64(6));
    c.updated = fromMs(st.column_int64(7));
    c.adapterPath = q(st.column_text(8));
    return c;
}
const char* kConversationColumns =
    "id, title, model_path, system_prompt, template_name, sampling, created_at, updated_at, adapter_path";

ModelRecord readModel(const Statement& st) {
    ModelRecord m;
    m.id = st.column_int64(0);
    m.path = q(st.column_text(1));
    m.name = q(st.column_text(2));
    m.architecture = q(st.column_text(3));
    m.parameters = st.column_int64(4);
    m.dtype = q(st.column_text(5));
    m.contextLength = st.column_int64(6);
    m.chatTemplate = q(st.column_text(7));
    m.sizeOnDisk = st.column_int64(8);
    m.isDefault = st.column_int64(9) != 0;
    m.added = fromMs(st.column_int64(10));
    m.format = q(st.column_text(11));
    m.modelType = q(st.column_text(12));
    m.media = q(st.column_text(13));
    return m;
}
const char* kModelColumns =
    "id, path, name, architecture, parameters, dtype, context_length, chat_template, size_on_disk, "
    "is_default, added_at, format, model_type, media";

}  // namespace

QString messageStatusName(MessageStatus status) {
    switch (status) {
        case MessageStatus::Complete: return QStringLiteral("complete");
        case MessageStatus::Generating: return QStringLiteral("generating");
        case MessageStatus::Stopped: return QStringLiteral("stopped");
        case MessageStatus::Interrupted: return QStringLiteral("interrupted");
        case MessageStatus::Failed: return QStringLiteral("failed");
    }
    return QStringLiteral("failed");
}

MessageStatus parseMessageStatus(const QString& name) {
    for (MessageStatus s : {MessageStatus::Complete, MessageStatus::Generating, MessageStatus::Stopped,
                            MessageStatus::Interrupted, MessageStatus::Failed})
        if (name == messageStatusName(s)) return s;
    return MessageStatus::Failed;
}

QString SamplingSettings::toJson() const {
    QJsonObject o{{"temperature", temperature},
                  {"top_p", topP},
                  {"top_k", topK},
                  {"min_p", minP},
                  {"max_tokens", maxTokens},
                  {"repeat_penalty", repeatPenalty},
                  {"seed", seed}};
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

SamplingSettings SamplingSettings::fromJson(const QString& json) {
    SamplingSettings d;
    const QJsonObject o = QJsonDocument::fromJson(json.toUtf8()).object();
    d.temperature = o.value("temperature").toDouble(d.temperature);
    d.topP = o.value("top_p").toDouble(d.topP);
    d.topK = o.value("top_k").toInt(d.topK);
    d.minP = o.value("min_p").toDouble(d.minP);
    d.maxTokens = o.value("max_tokens").toInt(d.maxTokens);
    d.repeatPenalty = o.value("repeat_penalty").toDouble(d.repeatPenalty);
    d.seed = o.value("seed").toInteger(d.seed);
    return d;
}

bool SamplingSettings::operator==(const SamplingSettings& o) const {
    return temperature == o.temperature && topP == o.topP && topK == o.topK && minP == o.minP &&
           maxTokens == o.maxTokens && repeatPenalty == o.repeatPenalty && seed == o.seed;
}

ChatStore::ChatStore(const QString& path, int targetVersion)
    : m_db(std::make_unique<Database>(path.toStdString())) {
    m_db->migrate(kMigrations, targetVersion);
}

ChatStore::~ChatStore() = default;

int ChatStore::latestSchemaVersion() {
    return static_cast<int>(kMigrations.size());
}
int ChatStore::schemaVersion() const {
    return m_db->user_version();
}
QString ChatStore::path() const {
    return q(m_db->path());
}

QVector<ConversationRecord> ChatStore::conversations() const {
    auto st = m_db->prepare(std::string("SELECT ") + kConversationColumns +
                            " FROM conversations ORDER BY updated_at DESC, id DESC");
    QVector<ConversationRecord> out;
    while (st.step()) out.push_back(readConversation(st));
    return out;
}

ConversationRecord ChatStore::conversation(qint64 id) const {
    auto st =
        m_db->prepare(std::string("SELECT ") + kConversationColumns + " FROM conversations WHERE id = ?");
    st.bind(1, static_cast<int64_t>(id));
    ConversationRecord c;
    if (st.step()) c = readConversation(st);
    st.reset();
    return c;
}

qint64 ChatStore::createConversation(const QString& title, const QString& modelPath,
                                     const SamplingSettings& sampling) {
    auto st = m_db->prepare(
        "INSERT INTO conversations(title, model_path, sampling, created_at, updated_at) VALUES (?, ?, ?, ?, "
        "?)");
    const qint64 now = nowMs();
    st.bind(1, s(title)).bind(2, s(modelPath)).bind(3, s(sampling.toJson()));
    st.bind(4, static_cast<int64_t>(now)).bind(5, static_cast<int64_t>(now));
    st.step();
    return m_db->last_insert_id();
}

void ChatStore::updateConversation(const ConversationRecord& c) {
    auto st = m_db->prepare(
        "UPDATE conversations SET title = ?, model_path = ?, system_prompt = ?, template_name = ?, sampling "
        "= ?, "
        "adapter_path = ? WHERE id = ?");
    st.bind(1, s(c.title)).bind(2, s(c.modelPath)).bind(3, s(c.systemPrompt)).bind(4, s(c.templateName));
    st.bind(5, s(c.sampling.toJson())).bind(6, s(c.adapterPath)).bind(7, static_cast<int64_t>(c.id));
    st.step();
}

void ChatStore::renameConversation(qint64 id, const QString& title) {
    auto st = m_db->prepare("UPDATE conversations SET title = ? WHERE id = ?");
    st.bind(1, s(title)).bind(2, static_cast<int64_t>(id));
    st.step();
}

void ChatStore::touchConversation(qint64 id) {
    auto st = m_db->prepare("UPDATE conversations SET updated_at = ? WHERE id = ?");
    st.bind(1, static_cast<int64_t>(nowMs())).bind(2, static_cast<int64_t>(id));
    st.step();
}

void ChatStore::deleteConversation(qint64 id) {
    auto st = m_db->prepare("DELETE FROM conversations WHERE id = ?");
    st.bind(1, static_cast<int64_t>(id));
    st.step();
}

QVector<qint64> ChatStore::searchConversations(const QString& text) const {
    QString pattern = text;
    pattern.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    pattern = '%' + pattern + '%';
    auto st = m_db->prepare(
        "SELECT c.id FROM conversations c WHERE c.title LIKE ?1 ESCAPE '\\' OR EXISTS ("
        "  SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.content LIKE ?1 ESCAPE '\\') "
        "ORDER BY c.updated_at DESC, c.id DESC");
    st.bind(1, s(pattern));
    QVector<qint64> out;
    while (st.step()) out.push_back(st.column_int64(0));
    return out;
}

QVector<MessageRecord> ChatStore::messages(qint64 conversationId) const {
    auto st = m_db->prepare(
        "SELECT id, conversation_id, role, content, status, model, tokens, tokens_per_second, created_at "
        "FROM messages WHERE conversation_id = ? ORDER BY id");
    st.bind(1, static_cast<int64_t>(conversationId));
    QVector<MessageRecord> out;
    while (st.step()) {
        MessageRecord m;
        m.id = st.column_int64(0);
        m.conversationId = st.column_int64(1);
        m.role = q(st.column_text(2));
        m.content = q(st.column_text(3));
        m.status = parseMessageStatus(q(st.column_text(4)));
        m.model = q(st.column_text(5));
        m.tokens = static_cast<int>(st.column_int64(6));
        m.tokensPerSecond = st.column_double(7);
        m.created = fromMs(st.column_int64(8));
        out.push_back(m);
    }
    auto at = m_db->prepare(
        "SELECT a.id, a.message_id, a.path, a.sha256, a.kind, a.size FROM attachments a "
        "JOIN messages m ON m.id = a.message_id WHERE m.conversation_id = ? ORDER BY a.id");
    at.bind(1, static_cast<int64_t>(conversationId));
    while (at.step()) {
        const qint64 messageId = at.column_int64(1);
        for (auto& m : out)
            if (m.id == messageId)
                m.attachments.push_back({at.column_int64(0), q(at.column_text(2)), q(at.column_text(3)),
                                         q(at.column_text(4)), at.column_int64(5)});
    }
    return out;
}

qint64 ChatStore::addMessage(MessageRecord& m) {
    Transaction tx(*m_db);
    auto st = m_db->prepare(
        "INSERT INTO messages(conversation_id, role, content, status, model, tokens, tokens_per_second, "
        "created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    m.created = QDateTime::currentDateTime();
    st.bind(1, static_cast<int64_t>(m.conversationId)).bind(2, s(m.role)).bind(3, s(m.content));
    st.bind(4, s(messageStatusName(m.status)))
        .bind(5, s(m.model))
        .bind(6, m.tokens)
        .bind(7, m.tokensPerSecond);
    st.bind(8, static_cast<int64_t>(m.created.toMSecsSinceEpoch()));
    st.step();
    m.id = m_db->last_insert_id();
    auto at =
        m_db->prepare("INSERT INTO attachments(message_id, path, sha256, kind, size) VALUES (?, ?, ?, ?, ?)");
    for (auto& a : m.attachments) {
        at.bind(1, static_cast<int64_t>(m.id)).bind(2, s(a.path)).bind(3, s(a.sha256)).bind(4, s(a.kind));
        at.bind(5, static_cast<int64_t>(a.size));
        at.step();
        a.id = m_db->last_insert_id();
    }
    auto touch = m_db->prepare("UPDATE conversations SET updated_at = ? WHERE id = ?");
    touch.bind(1, static_cast<int64_t>(nowMs())).bind(2, static_cast<int64_t>(m.conversationId));
    touch.step();
    tx.commit();
    return m.id;
}

void ChatStore::updateMessage(const MessageRecord& m) {
    auto st = m_db->prepare(
        "UPDATE messages SET content = ?, status = ?, model = ?, tokens = ?, tokens_per_second = ? WHERE id "
        "= ?");
    st.bind(1, s(m.content)).bind(2, s(messageStatusName(m.status))).bind(3, s(m.model)).bind(4, m.tokens);
    st.bind(5, m.tokensPerSecond).bind(6, static_cast<int64_t>(m.id));
    st.step();
}

void ChatStore::deleteMessagesFrom(qint64 conversationId, qint64 firstMessageId) {
    if (firstMessageId <= 0) return;  // never "every message"
    auto st = m_db->prepare("DELETE FROM messages WHERE conversation_id = ? AND id >= ?");
    st.bind(1, static_cast<int64_t>(conversationId)).bind(2, static_cast<int64_t>(firstMessageId));
    st.step();
}

qint64 ChatStore::replaceMessagesFrom(qint64 conversationId, qint64 firstMessageId, MessageRecord& m) {
    Transaction tx(*m_db);
    deleteMessagesFrom(conversationId, firstMessageId);
    addMessage(m);
    tx.commit();
    return m.id;
}

int ChatStore::recoverInterrupted() {
    m_db->exec("UPDATE messages SET status = 'interrupted' WHERE status = 'generating';");
    return m_db->changes();
}

QVector<ModelRecord> ChatStore::models() const {
    auto st = m_db->prepare(std::string("SELECT ") + kModelColumns + " FROM models ORDER BY added_at, id");
    QVector<ModelRecord> out;
    while (st.step()) out.push_back(readModel(st));
    return out;
}

qint64 ChatStore::addModel(const ModelRecord& m) {
    Transaction tx(*m_db);
    auto st = m_db->prepare(
        "INSERT INTO models(path, name, architecture, parameters, dtype, context_length, chat_template, "
        "size_on_disk, is_default, added_at, format, model_type, media) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, "
        "?, ?, ?, ?) "
        "ON CONFLICT(path) DO UPDATE SET name = excluded.name, architecture = excluded.architecture, "
        "parameters = excluded.parameters, dtype = excluded.dtype, context_length = excluded.context_length, "
        "chat_template = excluded.chat_template, size_on_disk = excluded.size_on_disk, format = "
        "excluded.format, "
        "model_type = excluded.model_type, media = excluded.media");
    st.bind(1, s(m.path))
        .bind(2, s(m.name))
        .bind(3, s(m.architecture))
        .bind(4, static_cast<int64_t>(m.parameters));
    st.bind(5, s(m.dtype)).bind(6, static_cast<int64_t>(m.contextLength)).bind(7, s(m.chatTemplate));
    st.bind(8, static_cast<int64_t>(m.sizeOnDisk)).bind(9, static_cast<int64_t>(nowMs()));
    st.bind(10, s(m.format)).bind(11, s(m.modelType)).bind(12, s(m.media));
    st.step();
    auto id = m_db->prepare("SELECT id FROM models WHERE path = ?");
    id.bind(1, s(m.path));
    id.step();
    const qint64 modelId = id.column_int64(0);
    id.reset();
    // The first model added becomes the default.
    m_db->exec(
        "UPDATE models SET is_default = 1 WHERE NOT EXISTS (SELECT 1 FROM models WHERE is_default = 1) "
        "AND id = (SELECT min(id) FROM models);");
    tx.commit();
    return modelId;
}

void ChatStore::removeModel(qint64 id) {
    Transaction tx(*m_db);
    auto st = m_db->prepare("DELETE FROM models WHERE id = ?");
    st.bind(1, static_cast<int64_t>(id));
    st.step();
    m_db->exec(
        "UPDATE models SET is_default = 1 WHERE NOT EXISTS (SELECT 1 FROM models WHERE is_default = 1) "
        "AND id = (SELECT min(id) FROM models);");
    tx.commit();
}

void ChatStore::setDefaultModel(qint64 id) {
    Transaction tx(*m_db);
    m_db->exec("UPDATE models SET is_default = 0;");
    auto st = m_db->prepare("UPDATE models SET is_default = 1 WHERE id = ?");
    st.bind(1, static_cast<int64_t>(id));
    st.step();
    tx.commit();
}

ModelRecord ChatStore::defaultModel() const {
    for (const auto& m : models())
        if (m.isDefault) return m;
    return {};
}
