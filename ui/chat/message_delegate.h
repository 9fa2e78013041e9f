// Paints one chat message: who wrote it, attachment chips (a click opens the file in a viewer), the text
// (assistant replies rendered as Markdown, code blocks shaded with a Copy button), and a line of metadata
// with actions (Copy, Edit for the user's messages, Regenerate for the last reply).
//
// Documents are laid out once per (message, text, width) and cached, so streaming a reply re-lays
// out only the message that grew.
#pragma once

#include <QCache>
#include <QStyledItemDelegate>

#include <memory>

class QTextDocument;

class MessageDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    enum Action { CopyMessage, EditMessage, RegenerateMessage, CopyCode };
    Q_ENUM(Action)

    explicit MessageDelegate(QObject* parent = nullptr);
    ~MessageDelegate() override;

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    bool editorEvent(QEvent* event, QAbstractItemModel* model, const QStyleOptionViewItem& option,
                     const QModelIndex& index) override;

    // Where each action is drawn for `index` in a row of `rect` (tests click these).
    QRect actionRect(const QStyleOptionViewItem& option, const QModelIndex& index, Action action,
                     int codeBlock = 0) const;
    QRect attachmentRect(const QStyleOptionViewItem& option, const QModelIndex& index, int attachment) const;
    void clearCache();

Q_SIGNALS:
    void actionTriggered(const QModelIndex& index, MessageDelegate::Action action, const QString& payload);
    void attachmentActivated(const QModelIndex& index, int attachment);

private:
    struct CodeBlock {
        QRectF rect;  // in document coordinates
        QString text;
    };
    struct Layout {
        QRect bubble, header, chips, text, meta;
        QVector<QRect> chipRects;  // one per attachment, in row coordinates
        QVector<QPair<Action, QRect>> actions;
        QVector<QPair<QRect, QString>> codeButtons;  // in row coordinates
        std::shared_ptr<QTextDocument> doc;
        QVector<CodeBlock> code;
    };
    Layout layout(const QStyleOptionViewItem& option, const QModelIndex& index) const;
    std::shared_ptr<QTextDocument> document(const QModelIndex& index, const QFont& font, int width) const;

    struct Cached {
        QString text;
        int width = 0;
        std::shared_ptr<QTextDocument> doc;
    };
    mutable QCache<qint64, Cached> m_docs{600};  // least recently used go first
};
