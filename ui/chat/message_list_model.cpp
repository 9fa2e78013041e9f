#include "message_list_model.h"

#include <QVariantMap>

MessageListModel::MessageListModel(QObject* parent) : QAbstractListModel(parent) {}

int MessageListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QVariant MessageListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_rows.size()) return {};
    const MessageRecord& m = m_rows[index.row()];
    switch (role) {
        case Qt::DisplayRole:
        case ContentRole: return m.content;
        case IdRole: return m.id;
        case RoleRole: return m.role;
        case StatusRole: return static_cast<int>(m.status);
        case ModelRole: return m.model;
        case TokensRole: return m.tokens;
        case TokensPerSecondRole: return m.tokensPerSecond;
        case IsLastRole: return index.row() == m_rows.size() - 1;
        case AttachmentsRole: {
            QVariantList list;
            for (const auto& a : m.attachments)
                list.push_back(
                    QVariantMap{{"path", a.path}, {"kind", a.kind}, {"sha256", a.sha256}, {"size", a.size}});
            return list;
        }
    }
    return {};
}

QHash<int, QByteArray> MessageListModel::roleNames() const {
    return {{IdRole, "id"},
            {RoleRole, "role"},
            {ContentRole, "content"},
            {StatusRole, "status"},
            {ModelRole, "model"},
            {TokensRole, "tokens"},
            {TokensPerSecondRole, "tokensPerSecond"},
            {AttachmentsRole, "attachments"}};
}

void MessageListModel::setMessages(const QVector<MessageRecord>& messages) {
    beginResetModel();
    m_rows = messages;
    endResetModel();
}

void MessageListModel::append(const MessageRecord& m) {
    const int row = static_cast<int>(m_rows.size());
    beginInsertRows(QModelIndex(), row, row);
    m_rows.push_back(m);
    endInsertRows();
    if (row > 0) Q_EMIT dataChanged(index(row - 1), index(row - 1), {IsLastRole});
}

void MessageListModel::appendText(int row, const QString& text) {
    if (row < 0 || row >= m_rows.size() || text.isEmpty()) return;
    m_rows[row].content += text;
    Q_EMIT dataChanged(index(row), index(row), {ContentRole});
}

void MessageListModel::update(int row, const MessageRecord& m) {
    if (row < 0 || row >= m_rows.size()) return;
    m_rows[row] = m;
    Q_EMIT dataChanged(index(row), index(row));
}

void MessageListModel::removeFrom(int row) {
    if (row < 0 || row >= m_rows.size()) return;
    beginRemoveRows(QModelIndex(), row, static_cast<int>(m_rows.size()) - 1);
    m_rows.resize(row);
    endRemoveRows();
    if (row > 0) Q_EMIT dataChanged(index(row - 1), index(row - 1), {IsLastRole});
}

int MessageListModel::rowOf(qint64 id) const {
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].id == id) return i;
    return -1;
}
