#include "composer.h"

#include "attachments.h"

#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QIcon>
#include <QImageReader>
#include <QKeyEvent>
#include <QLabel>
#include <QMimeData>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

ComposerEdit::ComposerEdit(QWidget* parent) : QPlainTextEdit(parent) {
    setTabChangesFocus(true);
    setObjectName(QStringLiteral("composerEdit"));
}

QSize ComposerEdit::sizeHint() const {
    const int lines = std::clamp(static_cast<int>(document()->lineCount()), 3, 10);
    return QSize(QPlainTextEdit::sizeHint().width(), fontMetrics().lineSpacing() * lines + 16);
}

void ComposerEdit::keyPressEvent(QKeyEvent* e) {
    const bool enter = e->key() == Qt::Key_Return || e->key() == Qt::Key_Enter;
    if (enter && !(e->modifiers() & Qt::ShiftModifier)) {
        Q_EMIT submitted();
        return;
    }
    QPlainTextEdit::keyPressEvent(e);
    updateGeometry();
}

bool ComposerEdit::canInsertFromMimeData(const QMimeData* source) const {
    return source->hasUrls() || source->hasImage() || QPlainTextEdit::canInsertFromMimeData(source);
}

void ComposerEdit::insertFromMimeData(const QMimeData* source) {
    if (source->hasUrls()) {
        QStringList paths;
        for (const QUrl& url : source->urls())
            if (url.isLocalFile()) paths << url.toLocalFile();
        if (!paths.isEmpty()) {
            Q_EMIT filesDropped(paths);
            return;
        }
    }
    if (source->hasImage()) {
        Q_EMIT imagePasted(qvariant_cast<QImage>(source->imageData()));
        return;
    }
    QPlainTextEdit::insertFromMimeData(source);
}

Composer::Composer(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    m_chips = new QWidget(this);
    m_chipsLayout = new QHBoxLayout(m_chips);
    m_chipsLayout->setContentsMargins(0, 0, 0, 0);
    m_chipsLayout->setSpacing(6);
    m_chips->hide();
    m_textOnlyNote = new QLabel(this);
    m_textOnlyNote->setObjectName(QStringLiteral("textOnlyNote"));
    m_textOnlyNote->setWordWrap(true);
    m_textOnlyNote->hide();
    m_edit = new ComposerEdit(this);
    layout->addWidget(m_chips);
    layout->addWidget(m_textOnlyNote);
    layout->addWidget(m_edit);
    connect(m_edit, &ComposerEdit::submitted, this, &Composer::submitted);
    connect(m_edit, &ComposerEdit::filesDropped, this, &Composer::addFiles);
    connect(m_edit, &ComposerEdit::imagePasted, this, [this](const QImage& image) {
        const AttachmentRecord a = saveImageAttachment(image, m_pasteFolder);
        if (a.path.isEmpty()) {
            Q_EMIT pasteFailed();
            return;
        }
        m_attachments.push_back(a);
        rebuildChips();
    });
    retranslate();
}

QString Composer::text() const {
    return m_edit->toPlainText();
}

void Composer::setText(const QString& text) {
    m_edit->setPlainText(text);
    m_edit->moveCursor(QTextCursor::End);
}

void Composer::setAttachments(const QVector<AttachmentRecord>& attachments) {
    m_attachments = attachments;
    rebuildChips();
}

void Composer::clear() {
    m_edit->clear();
    m_attachments.clear();
    rebuildChips();
}

void Composer::addFiles(const QStringList& paths) {
    for (const QString& path : paths) {
        const AttachmentRecord a = describeAttachment(path);
        if (a.path.isEmpty()) {
            Q_EMIT attachmentRejected(path);
            continue;
        }
        bool duplicate = false;
        for (const auto& existing : m_attachments) duplicate |= existing.sha256 == a.sha256;
        if (!duplicate) m_attachments.push_back(a);
    }
    rebuildChips();
}

void Composer::setTextOnlyModel(bool textOnly) {
    m_textOnly = textOnly;
    rebuildChips();
}

void Composer::rebuildChips() {
    while (QLayoutItem* item = m_chipsLayout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    for (int i = 0; i < m_attachments.size(); ++i) {
        const AttachmentRecord& a = m_attachments[i];
        auto* chip = new QWidget(m_chips);
        chip->setObjectName(QStringLiteral("attachmentChip"));
        chip->setAttribute(Qt::WA_StyledBackground);
        chip->setStyleSheet(
            QStringLiteral("#attachmentChip { border: 1px solid palette(mid); border-radius: 6px; }"));
        auto* h = new QHBoxLayout(chip);
        h->setContentsMargins(4, 2, 2, 2);
        auto* icon = new QLabel(chip);
        QPixmap pm;
        if (a.kind == QLatin1String("image")) {
            QImageReader reader(a.path);
            reader.setAutoTransform(true);
            if (reader.size().isValid())
                reader.setScaledSize(reader.size().scaled(40, 40, Qt::KeepAspectRatio));
            pm = QPixmap::fromImage(reader.read());
        }
        if (pm.isNull()) pm = QIcon(QStringLiteral(":/icons/%1.svg").arg(a.kind)).pixmap(24, 24);
        icon->setPixmap(pm);
        auto* name =
            new QLabel(fontMetrics().elidedText(QFileInfo(a.path).fileName(), Qt::ElideMiddle, 160), chip);
        name->setToolTip(QStringLiteral("%1\nSHA-256 %2").arg(a.path, a.sha256));
        auto* remove = new QToolButton(chip);
        remove->setText(QStringLiteral("×"));
        remove->setAutoRaise(true);
        remove->setToolTip(tr("Remove attachment"));
        connect(remove, &QToolButton::clicked, this, [this, i] {
            m_attachments.removeAt(i);
            rebuildChips();
        });
        h->addWidget(icon);
        h->addWidget(name);
        h->addWidget(remove);
        m_chipsLayout->addWidget(chip);
    }
    m_chipsLayout->addStretch(1);
    m_chips->setVisible(!m_attachments.isEmpty());
    m_textOnlyNote->setVisible(!m_attachments.isEmpty() && m_textOnly);
}

void Composer::retranslate() {
    m_edit->setPlaceholderText(tr("Message (Enter to send, Shift+Enter for a new line)"));
    m_textOnlyNote->setText(
        tr("This model reads text only: attachments are kept with the message, but the model does not see "
           "them."));
    rebuildChips();
}

void Composer::changeEvent(QEvent* e) {
    if (e->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(e);
}
