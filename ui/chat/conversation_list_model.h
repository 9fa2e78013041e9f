// The chat page's conversation list: every conversation (or those matching a search), most recent
// first, with in-place rename through setData().
#pragma once

#include "chat_store.h"

#include <QAbstractListModel>

class ConversationListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Roles { IdRole = Qt::UserRole + 1, UpdatedRole };

    explicit ConversationListModel(ChatStore& store, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

    void reload();                        // re-read from the store, keeping the filter
    void setFilter(const QString& text);  // "" = all
    QString filter() const { return m_filter; }
    int rowOf(qint64 id) const;  // -1 when not shown
    qint64 idAt(int row) const;

Q_SIGNALS:
    void renamed(qint64 id, const QString& title);
    void storeFailed(const QString& message);

private:
    ChatStore& m_store;
    QString m_filter;
    QVector<ConversationRecord> m_rows;
};
