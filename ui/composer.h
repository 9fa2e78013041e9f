// Where the user writes: a multi-line editor (Enter sends, Shift+Enter breaks the line) with a
// row of attachment chips above it. Files arrive by the Attach button, drag and drop, or paste
// (files, or image data, which is saved into the data folder first).
#pragma once

#include "chat_store.h"

#include <QPlainTextEdit>
#include <QWidget>

class QHBoxLayout;
class QLabel;
class QToolButton;

class ComposerEdit : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit ComposerEdit(QWidget* parent = nullptr);
    QSize sizeHint() const override;

Q_SIGNALS:
    void submitted();
    void filesDropped(const QStringList& paths);
    void imagePasted(const QImage& image);

protected:
    void keyPressEvent(QKeyEvent* e) override;
    bool canInsertFromMimeData(const QMimeData* source) const override;
    void insertFromMimeData(const QMimeData* source) override;
};

class Composer : public QWidget {
    Q_OBJECT
public:
    explicit Composer(QWidget* parent = nullptr);

    ComposerEdit* editor() const { return m_edit; }
    QString text() const;
    void setText(const QString& text);
    const QVector<AttachmentRecord>& attachments() const { return m_attachments; }
    void setAttachments(const QVector<AttachmentRecord>& attachments);
    void clear();
    void addFiles(const QStringList& paths);
    void setPasteFolder(const QString& folder) { m_pasteFolder = folder; }
    void setTextOnlyModel(bool textOnly);

Q_SIGNALS:
    void submitted();
    void attachmentRejected(const QString& path);
    void pasteFailed();

protected:
    void changeEvent(QEvent* e) override;

private:
    void rebuildChips();
    void retranslate();

    ComposerEdit* m_edit;
    QWidget* m_chips;
    QHBoxLayout* m_chipsLayout;
    QLabel* m_textOnlyNote;
    QVector<AttachmentRecord> m_attachments;
    QString m_pasteFolder;
    bool m_textOnly = true;
};
