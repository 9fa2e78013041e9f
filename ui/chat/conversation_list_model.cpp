#include "conversation_list_model.h"

#include "common/error.h"

#include <QLocale>

ConversationListModel::ConversationListModel(ChatStore& store, QObject* parent)
    : QAbstractListModel(parent), m_store(store) {
    reload();
}

int ConversationListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QVariant ConversationListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_rows.size()) return {};
    const ConversationRecord& c = m_rows[index.row()];
    switch (role) {
        case Qt::DisplayRole:
        case Qt::EditRole: return c.title;
        case Qt::ToolTipRole:
            return tr("%1\nLast active %2").arg(c.title, QLocale().toString(c.updated, QLocale::ShortFormat));
        case IdRole: return c.id;
        case UpdatedRole: return c.updated;
    }
    return {};
}

bool ConversationListModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (role != Qt::EditRole || !index.isValid()) return false;
    const QString title = value.toString().simplified();
    if (title.isEmpty()) return false;
    ConversationRecord& c = m_rows[index.row()];
    try {
        m_store.renameConversation(c.id, title);
    } catch (const atelier::Error& e) {
        Q_EMIT storeFailed(QString::fromUtf8(e.what()));
        return false;
    }
    c.title = title;
    Q_EMIT dataChanged(index, index);
    Q_EMIT renamed(c.id, title);
    return true;
}

Qt::ItemFlags ConversationListModel::flags(const QModelIndex& index) const {
    return QAbstractListModel::flags(index) | Qt::ItemIsEditable;
}

void ConversationListModel::reload() {
    beginResetModel();
    m_rows = m_store.conversations();
    if (!m_filter.isEmpty()) {
        const QVector<qint64> hits = m_store.searchConversations(m_filter);
        QVector<ConversationRecord> kept;
        for (const auto& c : m_rows)
            if (hits.contains(c.id)) kept.push_back(c);
        m_rows = kept;
    }
    endResetModel();
}

void ConversationListModel::setFilter(const QString& text) {
    m_filter = text.trimmed();
    reload();
}

int ConversationListModel::rowOf(qint64 id) const {
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].id == id) return i;
    return -1;
}

qint64 ConversationListModel::idAt(int row) const {
    return row >= 0 && row < m_rows.size() ? m_rows[row].id : 0;
}
