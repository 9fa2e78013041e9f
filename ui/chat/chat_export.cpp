#include "chat_export.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

QString conversationToMarkdown(const ConversationRecord& c, const QVector<MessageRecord>& messages) {
    QString out = QStringLiteral("# %1\n\n").arg(c.title);
    if (!c.modelPath.isEmpty()) out += QStringLiteral("*Model:* `%1`  \n").arg(c.modelPath);
    out += QStringLiteral("*Exported:* %1\n\n").arg(QDateTime::currentDateTime().toString(Qt::ISODate));
    if (!c.systemPrompt.isEmpty()) out += QStringLiteral("> **System:** %1\n\n").arg(c.systemPrompt);
    for (const auto& m : messages) {
        const QString who = m.role == QLatin1String("user")        ? QStringLiteral("User")
                            : m.role == QLatin1String("assistant") ? QStringLiteral("Assistant")
                                                                   : QStringLiteral("System");
        out += QStringLiteral("## %1\n\n").arg(who);
        for (const auto& a : m.attachments)
            out += QStringLiteral("- attachment: [%1](%2) (%3, sha256 %4)\n")
                       .arg(QFileInfo(a.path).fileName(), QUrl::fromLocalFile(a.path).toString(), a.kind,
                            a.sha256);
        if (!m.attachments.isEmpty()) out += QLatin1Char('\n');
        out += m.content.trimmed() + QStringLiteral("\n\n");
        if (m.role == QLatin1String("assistant") && m.status != MessageStatus::Complete)
            out += QStringLiteral("*(%1)*\n\n").arg(messageStatusName(m.status));
    }
    return out;
}

QByteArray conversationToJson(const ConversationRecord& c, const QVector<MessageRecord>& messages) {
    QJsonArray list;
    for (const auto& m : messages) {
        QJsonObject o{{"role", m.role},
                      {"content", m.content},
                      {"status", messageStatusName(m.status)},
                      {"created", m.created.toString(Qt::ISODateWithMs)}};
        if (m.role == QLatin1String("assistant")) {
            o["model"] = m.model;
            o["tokens"] = m.tokens;
            o["tokens_per_second"] = m.tokensPerSecond;
        }
        QJsonArray attachments;
        for (const auto& a : m.attachments)
            attachments.append(
                QJsonObject{{"path", a.path}, {"kind", a.kind}, {"sha256", a.sha256}, {"size", a.size}});
        if (!attachments.isEmpty()) o["attachments"] = attachments;
        list.append(o);
    }
    QJsonObject root{{"title", c.title},
                     {"model", c.modelPath},
                     {"system_prompt", c.systemPrompt},
                     {"template", c.templateName},
                     {"sampling", QJsonDocument::fromJson(c.sampling.toJson().toUtf8()).object()},
                     {"created", c.created.toString(Qt::ISODateWithMs)},
                     {"messages", list}};
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}
