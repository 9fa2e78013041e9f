// A conversation as a Markdown document or as JSON (for other tools), as the Export menu saves it.
#pragma once

#include "chat_store.h"

#include <QByteArray>
#include <QString>

QString conversationToMarkdown(const ConversationRecord& c, const QVector<MessageRecord>& messages);
QByteArray conversationToJson(const ConversationRecord& c, const QVector<MessageRecord>& messages);
