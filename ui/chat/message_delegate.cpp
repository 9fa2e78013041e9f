#include "message_delegate.h"

#include "message_list_model.h"

#include <QAbstractTextDocumentLayout>
#include <QApplication>
#include <QClipboard>
#include <QFileInfo>
#include <QIcon>
#include <QImageReader>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QPixmapCache>
#include <QTextBlock>
#include <QTextDocument>

namespace {

constexpr int kMargin = 14;   // around a message
constexpr int kPadding = 10;  // inside a bubble
constexpr int kSpacing = 6;   // between parts
constexpr int kChipHeight = 44;
constexpr int kThumb = 36;  // attachment thumbnails in messages
constexpr int kMaxTextWidth = 860;

QString roleTitle(const QModelIndex& index) {
    const QString role = index.data(MessageListModel::RoleRole).toString();
    if (role == QLatin1String("user")) return MessageDelegate::tr("You");
    if (role == QLatin1String("system")) return MessageDelegate::tr("System");
    const QString model = index.data(MessageListModel::ModelRole).toString();
    return model.isEmpty() ? MessageDelegate::tr("Assistant") : model;
}

QString statusText(MessageStatus status) {
    switch (status) {
        case MessageStatus::Generating: return MessageDelegate::tr("Generating…");
        case MessageStatus::Stopped: return MessageDelegate::tr("Stopped");
        case MessageStatus::Interrupted:
            return MessageDelegate::tr("Interrupted: the app closed before this reply finished");
        case MessageStatus::Failed: return MessageDelegate::tr("Failed");
        case MessageStatus::Complete: break;
    }
    return QString();
}

MessageStatus statusOf(const QModelIndex& index) {
    return static_cast<MessageStatus>(index.data(MessageListModel::StatusRole).toInt());
}

QString actionText(MessageDelegate::Action a) {
    switch (a) {
        case MessageDelegate::CopyMessage: return MessageDelegate::tr("Copy");
        case MessageDelegate::EditMessage: return MessageDelegate::tr("Edit");
        case MessageDelegate::RegenerateMessage: return MessageDelegate::tr("Regenerate");
        case MessageDelegate::CopyCode: return MessageDelegate::tr("Copy code");
    }
    return QString();
}

QPixmap thumbnail(const QString& path, int size) {
    const QString key = QStringLiteral("atelier-thumb:%1:%2").arg(path).arg(size);
    QPixmap pm;
    if (QPixmapCache::find(key, &pm)) return pm;
    QImageReader reader(path);
    reader.setAutoTransform(true);
    const QSize full = reader.size();
    if (full.isValid()) reader.setScaledSize(full.scaled(size, size, Qt::KeepAspectRatio));
    const QImage img = reader.read();
    if (!img.isNull()) pm = QPixmap::fromImage(img);
    QPixmapCache::insert(key, pm);
    return pm;
}

QString kindIcon(const QString& kind) {
    if (kind == QLatin1String("image")) return QStringLiteral(":/icons/image.svg");
    if (kind == QLatin1String("audio")) return QStringLiteral(":/icons/audio.svg");
    if (kind == QLatin1String("video")) return QStringLiteral(":/icons/video.svg");
    return QStringLiteral(":/icons/file.svg");
}

}  // namespace

MessageDelegate::MessageDelegate(QObject* parent) : QStyledItemDelegate(parent) {}
MessageDelegate::~MessageDelegate() = default;

void MessageDelegate::clearCache() {
    m_docs.clear();
}

std::shared_ptr<QTextDocument> MessageDelegate::document(const QModelIndex& index, const QFont& font,
                                                         int width) const {
    const qint64 id = index.data(MessageListModel::IdRole).toLongLong();
    const QString text = index.data(MessageListModel::ContentRole).toString();
    if (const Cached* c = m_docs.object(id);
        c && c->width == width && c->text == text && c->doc->defaultFont() == font)
        return c->doc;
    auto doc = std::make_shared<QTextDocument>();
    doc->setDefaultFont(font);
    doc->setDocumentMargin(0);
    const bool markdown = index.data(MessageListModel::RoleRole).toString() == QLatin1String("assistant");
    if (markdown)
        doc->setMarkdown(text.trimmed(), QTextDocument::MarkdownDialectGitHub);
    else
        doc->setPlainText(text);
    doc->setTextWidth(width);
    m_docs.insert(id, new Cached{text, width, doc});
    return doc;
}

MessageDelegate::Layout MessageDelegate::layout(const QStyleOptionViewItem& option,
                                                const QModelIndex& index) const {
    Layout l;
    const QRect row = option.rect;
    const bool user = index.data(MessageListModel::RoleRole).toString() == QLatin1String("user");
    const QFontMetrics fm(option.font);
    const int available = std::max(120, row.width() - 2 * kMargin);
    const int bubbleWidthMax = std::min(available, kMaxTextWidth);

    l.doc = document(index, option.font, bubbleWidthMax - 2 * kPadding);
    const QSizeF docSize = l.doc->size();
    int textWidth = static_cast<int>(std::ceil(user ? l.doc->idealWidth() : docSize.width()));
    textWidth = std::max(textWidth, fm.horizontalAdvance(QStringLiteral("…")) + 2);
    const int textHeight = std::max(fm.height(), static_cast<int>(std::ceil(docSize.height())));

    const QVariantList attachments = index.data(MessageListModel::AttachmentsRole).toList();
    const int chipsHeight = attachments.isEmpty() ? 0 : kChipHeight + kSpacing;

    int bubbleWidth = std::min(bubbleWidthMax, textWidth + 2 * kPadding);
    if (!user) bubbleWidth = bubbleWidthMax;
    const int left = user ? row.right() - kMargin - bubbleWidth + 1 : row.left() + kMargin;
    int y = row.top() + kMargin / 2;
    l.header = QRect(left, y, bubbleWidth, fm.height());
    y += fm.height() + kSpacing / 2;
    l.chips = QRect(left, y, bubbleWidth, chipsHeight ? kChipHeight : 0);
    int x = user ? l.chips.right() : l.chips.left();
    for (const QVariant& v : attachments) {
        const QString name =
            fm.elidedText(QFileInfo(v.toMap().value("path").toString()).fileName(), Qt::ElideMiddle, 180);
        const int w = kThumb + 4 + 8 + fm.horizontalAdvance(name) + 12;
        const QRect chip(user ? x - w + 1 : x, l.chips.top(), w, kChipHeight);
        l.chipRects.push_back(chip);
        x = user ? chip.left() - 6 : chip.right() + 6;
    }
    y += chipsHeight;
    l.bubble = QRect(left, y, bubbleWidth, textHeight + 2 * kPadding);
    l.text = l.bubble.adjusted(kPadding, kPadding, -kPadding, -kPadding);
    y = l.bubble.bottom() + 1 + kSpacing / 2;
    l.meta = QRect(left, y, bubbleWidth, fm.height());

    // Actions, right-aligned on the meta line.
    const MessageStatus status = statusOf(index);
    QVector<Action> actions;
    if (status != MessageStatus::Generating) {
        actions.push_back(CopyMessage);
        if (user) actions.push_back(EditMessage);
        // The last reply can be regenerated; a last question whose reply failed can be retried.
        if (index.data(MessageListModel::IsLastRole).toBool()) actions.push_back(RegenerateMessage);
    }
    int right = l.meta.right();
    for (int i = static_cast<int>(actions.size()) - 1; i >= 0; --i) {
        const int w = fm.horizontalAdvance(actionText(actions[i])) + 8;
        l.actions.prepend({actions[i], QRect(right - w + 1, l.meta.top(), w, l.meta.height())});
        right -= w + 6;
    }

    // Code blocks of a Markdown reply: consecutive blocks carrying a code-language property.
    if (!user) {
        CodeBlock current;
        bool open = false;
        auto* docLayout = l.doc->documentLayout();
        for (QTextBlock b = l.doc->begin(); b.isValid(); b = b.next()) {
            const bool code = b.blockFormat().hasProperty(QTextFormat::BlockCodeLanguage);
            if (code) {
                const QRectF r = docLayout->blockBoundingRect(b);
                QString text = b.text();
                text.replace(QChar::LineSeparator, QLatin1Char('\n'));
                if (open) {
                    current.rect = current.rect.united(r);
                    current.text += QLatin1Char('\n') + text;
                } else {
                    current = {r, text};
                    open = true;
                }
            } else if (open) {
                l.code.push_back(current);
                open = false;
            }
        }
        if (open) l.code.push_back(current);
        for (auto& c : l.code) {
            c.rect = QRectF(0, c.rect.top() - 4, l.text.width(), c.rect.height() + 8);
            const QString label = actionText(CopyCode);
            const int w = fm.horizontalAdvance(label) + 10;
            const QRect button(l.text.left() + static_cast<int>(c.rect.right()) - w - 2,
                               l.text.top() + static_cast<int>(c.rect.top()) + 2, w, fm.height() + 2);
            l.codeButtons.push_back({button, c.text});
        }
    }
    return l;
}

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const {
    const Layout l = layout(option, index);
    return QSize(option.rect.width(), l.meta.bottom() - option.rect.top() + 1 + kMargin / 2);
}

void MessageDelegate::paint(QPainter* p, const QStyleOptionViewItem& option, const QModelIndex& index) const {
    const Layout l = layout(option, index);
    const QPalette& pal = option.palette;
    const bool user = index.data(MessageListModel::RoleRole).toString() == QLatin1String("user");
    const MessageStatus status = statusOf(index);
    p->save();
    p->setRenderHint(QPainter::Antialiasing);

    // Header: who wrote it.
    QFont bold = option.font;
    bold.setBold(true);
    p->setFont(bold);
    p->setPen(pal.color(QPalette::WindowText));
    p->drawText(l.header, (user ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter, roleTitle(index));
    p->setFont(option.font);

    // Attachment chips: a thumbnail (images) or the kind's icon with a play mark (audio, video).
    const QFontMetrics fm(option.font);
    const QVariantList attachments = index.data(MessageListModel::AttachmentsRole).toList();
    for (int i = 0; i < attachments.size() && i < l.chipRects.size(); ++i) {
        const QVariantMap a = attachments[i].toMap();
        const QString path = a.value("path").toString(), kind = a.value("kind").toString();
        const QRect chip = l.chipRects[i];
        p->setPen(pal.color(QPalette::Mid));
        p->setBrush(pal.color(QPalette::AlternateBase));
        p->drawRoundedRect(chip, 6, 6);
        const QRect iconRect(chip.left() + 4, chip.top() + (kChipHeight - kThumb) / 2, kThumb + 4, kThumb);
        QPixmap pm = kind == QLatin1String("image") ? thumbnail(path, kThumb) : QPixmap();
        if (pm.isNull()) pm = QIcon(kindIcon(kind)).pixmap(24, 24);
        if (!pm.isNull()) {
            const QSize size = pm.size().scaled(iconRect.size(), Qt::KeepAspectRatio).boundedTo(pm.size());
            QRect target(QPoint(), size);
            target.moveCenter(iconRect.center());
            p->drawPixmap(target, pm);
        }
        if (kind == QLatin1String("audio") || kind == QLatin1String("video")) {
            p->setPen(Qt::NoPen);
            p->setBrush(pal.color(QPalette::Highlight));
            const QPointF c = iconRect.bottomRight() - QPointF(6, 6);
            const QPointF play[3] = {c + QPointF(-4, -5), c + QPointF(-4, 5), c + QPointF(5, 0)};
            p->drawPolygon(play, 3);
        }
        p->setPen(pal.color(QPalette::Text));
        p->drawText(chip.adjusted(kThumb + 12, 0, -6, 0), Qt::AlignVCenter | Qt::AlignLeft,
                    fm.elidedText(QFileInfo(path).fileName(), Qt::ElideMiddle, 180));
    }

    // Bubble.
    QColor fill = user ? pal.color(QPalette::Highlight) : pal.color(QPalette::Base);
    if (user) fill.setAlpha(40);
    p->setPen(user ? Qt::NoPen : QPen(pal.color(QPalette::Midlight)));
    p->setBrush(fill);
    p->drawRoundedRect(l.bubble, 10, 10);

    // Code block shading, then the text.
    p->translate(l.text.topLeft());
    for (const auto& c : l.code) {
        QColor shade = pal.color(QPalette::Text);
        shade.setAlpha(18);
        p->setPen(Qt::NoPen);
        p->setBrush(shade);
        p->drawRoundedRect(c.rect, 6, 6);
    }
    QAbstractTextDocumentLayout::PaintContext ctx;
    ctx.palette = pal;
    ctx.palette.setColor(QPalette::Text, pal.color(QPalette::Text));
    if (index.data(MessageListModel::ContentRole).toString().isEmpty()) {
        p->setPen(pal.color(QPalette::PlaceholderText));
        p->drawText(QRect(0, 0, l.text.width(), l.text.height()), Qt::AlignLeft | Qt::AlignTop,
                    QStringLiteral("…"));
    } else {
        l.doc->documentLayout()->draw(p, ctx);
    }
    p->translate(-l.text.topLeft());

    // Copy buttons on code blocks.
    for (const auto& [rect, text] : l.codeButtons) {
        p->setPen(pal.color(QPalette::Mid));
        p->setBrush(pal.color(QPalette::Button));
        p->drawRoundedRect(rect, 4, 4);
        p->setPen(pal.color(QPalette::ButtonText));
        p->drawText(rect, Qt::AlignCenter, actionText(CopyCode));
    }

    // Metadata and actions.
    QStringList meta;
    if (!user) {
        const int tokens = index.data(MessageListModel::TokensRole).toInt();
        const double tps = index.data(MessageListModel::TokensPerSecondRole).toDouble();
        if (tokens > 0) meta << tr("%n token(s)", nullptr, tokens);
        if (tps > 0) meta << tr("%1 tokens/s").arg(tps, 0, 'f', 1);
    }
    const QString st = statusText(status);
    if (!st.isEmpty()) meta << st;
    QColor metaColor = pal.color(QPalette::PlaceholderText);
    if (status == MessageStatus::Interrupted || status == MessageStatus::Failed)
        metaColor = QColor(0xd0, 0x5a, 0x2a);
    p->setPen(metaColor);
    const int actionsLeft = l.actions.isEmpty() ? l.meta.right() : l.actions.first().second.left() - 8;
    p->drawText(QRect(l.meta.left(), l.meta.top(), std::max(0, actionsLeft - l.meta.left()), l.meta.height()),
                Qt::AlignLeft | Qt::AlignVCenter,
                fm.elidedText(meta.join(QStringLiteral("  ·  ")), Qt::ElideRight,
                              std::max(0, actionsLeft - l.meta.left())));
    const bool hovered = option.state & QStyle::State_MouseOver;
    const bool last = index.data(MessageListModel::IsLastRole).toBool();
    if (hovered || last) {
        p->setPen(pal.color(QPalette::Link));
        for (const auto& [action, rect] : l.actions) p->drawText(rect, Qt::AlignCenter, actionText(action));
    }
    p->restore();
}

QRect MessageDelegate::actionRect(const QStyleOptionViewItem& option, const QModelIndex& index, Action action,
                                  int codeBlock) const {
    const Layout l = layout(option, index);
    if (action == CopyCode)
        return codeBlock < l.codeButtons.size() ? l.codeButtons[codeBlock].first : QRect();
    for (const auto& [a, rect] : l.actions)
        if (a == action) return rect;
    return QRect();
}

QRect MessageDelegate::attachmentRect(const QStyleOptionViewItem& option, const QModelIndex& index,
                                      int attachment) const {
    const Layout l = layout(option, index);
    return attachment < l.chipRects.size() ? l.chipRects[attachment] : QRect();
}

bool MessageDelegate::editorEvent(QEvent* event, QAbstractItemModel* model,
                                  const QStyleOptionViewItem& option, const QModelIndex& index) {
    if (event->type() != QEvent::MouseButtonRelease)
        return QStyledItemDelegate::editorEvent(event, model, option, index);
    auto* me = static_cast<QMouseEvent*>(event);
    if (me->button() != Qt::LeftButton) return false;
    const Layout l = layout(option, index);
    const QPoint pos = me->position().toPoint();
    for (const auto& [rect, text] : l.codeButtons) {
        if (rect.contains(pos)) {
            QApplication::clipboard()->setText(text);
            Q_EMIT actionTriggered(index, CopyCode, text);
            return true;
        }
    }
    for (int i = 0; i < l.chipRects.size(); ++i)
        if (l.chipRects[i].contains(pos)) {
            Q_EMIT attachmentActivated(index, i);
            return true;
        }
    for (const auto& [action, rect] : l.actions) {
        if (rect.contains(pos)) {
            if (action == CopyMessage)
                QApplication::clipboard()->setText(index.data(MessageListModel::ContentRole).toString());
            Q_EMIT actionTriggered(index, action, QString());
            return true;
        }
    }
    return false;
}
