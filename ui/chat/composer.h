// Where the user writes: a multi-line editor (Enter sends, Shift+Enter breaks the line) with the
// attachments above it, each a chip showing what the model will read (AttachmentChip), and the
// recording bar while the microphone records. Files arrive by the Attach button, drag and drop,
// paste (files, or image data, saved into the data folder first) and the microphone (the Record
// button, or hold Ctrl+Space to talk).
#pragma once

#include "chat_store.h"
#include "engine_types.h"
#include "media_preview.h"

#include <QHash>
#include <QPlainTextEdit>
#include <QWidget>

class AttachmentChip;
class QHBoxLayout;
class QLabel;
class QProgressBar;
class QPushButton;
class VoiceRecorder;

class ComposerEdit : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit ComposerEdit(QWidget* parent = nullptr);
    QSize sizeHint() const override;

Q_SIGNALS:
    void submitted();
    void filesDropped(const QStringList& paths);
    void imagePasted(const QImage& image);
    void pushToTalkPressed();
    void pushToTalkReleased();

protected:
    void keyPressEvent(QKeyEvent* e) override;
    void keyReleaseEvent(QKeyEvent* e) override;
    bool canInsertFromMimeData(const QMimeData* source) const override;
    void insertFromMimeData(const QMimeData* source) override;

private:
    bool m_talking = false;
};

class Composer : public QWidget {
    Q_OBJECT
public:
    // `dataDir`: pasted images go to <dataDir>/attachments, recordings to <dataDir>/recordings.
    explicit Composer(const QString& dataDir, QWidget* parent = nullptr);
    ~Composer() override;

    ComposerEdit* editor() const { return m_edit; }
    VoiceRecorder* recorder() const { return m_recorder; }
    QString text() const;
    void setText(const QString& text);
    const QVector<AttachmentRecord>& attachments() const { return m_attachments; }
    void setAttachments(const QVector<AttachmentRecord>& attachments);
    void clear();
    void addFiles(const QStringList& paths);
    // What the loaded model reads; chips of other kinds say they will not be sent. A model with no
    // path is one not loaded yet: nothing is known (and nothing refused) until it is.
    void setModel(const LoadedModel& model);
    // The engine's verdict on an attachment, and its encoding progress.
    void setCost(const AttachmentCost& cost);
    void setEncoding(const QString& path, double fraction);
    // Attachments the model cannot read (known once the engine measured them).
    QVector<AttachmentRecord> refusedAttachments() const;
    AttachmentChip* chip(const QString& path) const;
    bool previewsPending() const { return m_previewsPending > 0; }
    bool hashing() const { return m_describing > 0; }  // large files still being hashed
    // The loaded model reads text only (false while none is loaded: nothing is known yet).
    bool textOnly() const { return !m_model.path.isEmpty() && m_model.modalities.isEmpty(); }

public Q_SLOTS:
    void toggleRecording();

Q_SIGNALS:
    void submitted();
    void attachmentRejected(const QString& path);
    void pasteFailed();
    void attachmentsChanged();
    void attachmentAdded(const AttachmentRecord& attachment);
    void cancelEncodingRequested(const QString& path);
    void recordingFailed(const EngineError& error);
    void recordingChanged(bool recording);
    void previewReady(const QString& path);

protected:
    void changeEvent(QEvent* e) override;

private:
    void add(const AttachmentRecord& a);
    void removeAt(int index);
    void startPreview(const AttachmentRecord& a);
    void retranslate();
    void updateNotes();

    QString m_dataDir;
    ComposerEdit* m_edit;
    QWidget* m_chips;
    QHBoxLayout* m_chipsLayout;
    QLabel* m_textOnlyNote;
    QWidget* m_recordBar;
    QLabel* m_recordLabel;
    QProgressBar* m_level;
    QLabel* m_recordTime;
    QPushButton* m_recordStop;
    QPushButton* m_recordCancel;
    VoiceRecorder* m_recorder;
    QVector<AttachmentRecord> m_attachments;
    QHash<QString, AttachmentChip*> m_chipByPath;
    QHash<QString, MediaPreview> m_previews;  // by SHA-256: a re-attached file is not decoded again
    LoadedModel m_model;                      // no path: not loaded yet, nothing known
    int m_previewsPending = 0;
    int m_describing = 0;
};
