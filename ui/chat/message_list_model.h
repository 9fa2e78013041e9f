// The messages of the open conversation, for the chat view and its MessageDelegate.
#pragma once

#include "chat_store.h"

#include <QAbstractListModel>

class MessageListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Roles {
        IdRole = Qt::UserRole + 1,
        RoleRole,     // "user" | "assistant" | "system"
        ContentRole,  // Markdown
        StatusRole,   // MessageStatus, as an int
        ModelRole,    // model name of a reply
        TokensRole,   // int
        TokensPerSecondRole,
        AttachmentsRole,  // QVariantList of QVariantMap {path, kind, sha256, size}
        IsLastRole,       // bool: the newest message
    };

    explicit MessageListModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setMessages(const QVector<MessageRecord>& messages);
    void append(const MessageRecord& m);
    void appendText(int row, const QString& text);
    void update(int row, const MessageRecord& m);
    void removeFrom(int row);  // this row and every later one
    const MessageRecord& at(int row) const { return m_rows[row]; }
    const QVector<MessageRecord>& messages() const { return m_rows; }
    int rowOf(qint64 id) const;

private:
    QVector<MessageRecord> m_rows;
};
