// One attachment in the composer, showing what the model will read: an image's thumbnail; an
// audio file's waveform, duration and a play button; a video's poster, the strip of frames the
// model samples (with their times) and its audio track; the token cost, the encoding progress
// (with cancel) and, for a model that cannot read it, why.
#pragma once

#include "chat_store.h"
#include "engine_types.h"
#include "media_preview.h"

#include <QFrame>

class QLabel;
class QMediaPlayer;
class QProgressBar;
class QToolButton;
class QHBoxLayout;

// A waveform (peak envelope), painted.
class WaveformView : public QWidget {
    Q_OBJECT
public:
    explicit WaveformView(QWidget* parent = nullptr);
    void setEnvelope(const QVector<float>& envelope);
    void setPosition(double fraction);  // the playhead, -1 = none
    QSize sizeHint() const override { return QSize(140, 32); }

protected:
    void paintEvent(QPaintEvent*) override;

private:
    QVector<float> m_envelope;
    double m_position = -1;
};

// A player of `path` (its sound on the default output, owned by `owner`) whose play/pause icon
// `button` shows; togglePlayback() plays or pauses it. Shared by the chip and the media viewer.
QMediaPlayer* makeFilePlayer(const QString& path, QToolButton* button, QObject* owner);
void togglePlayback(QMediaPlayer* player);

class AttachmentChip : public QFrame {
    Q_OBJECT
public:
    AttachmentChip(const AttachmentRecord& attachment, QWidget* parent = nullptr);

    const AttachmentRecord& attachment() const { return m_attachment; }
    void setPreview(const MediaPreview& preview);
    // The engine's verdict: tokens, or why the model cannot read it.
    void setCost(const AttachmentCost& cost);
    void setEncoding(double fraction);  // 0..1 while the engine encodes it
    void clearCost();                   // another model: not measured yet
    void setTextOnlyModel(bool textOnly);
    void setModelName(const QString& name) { m_modelName = name; }
    bool refused() const { return m_refused; }
    QString factsText() const;  // the line of facts, for tests and tooltips
    int frameCount() const;     // video frames shown in the strip

Q_SIGNALS:
    void removeRequested();
    void cancelEncodingRequested();

protected:
    void changeEvent(QEvent* e) override;

private:
    void updateFacts();

    AttachmentRecord m_attachment;
    MediaPreview m_preview;
    AttachmentCost m_cost;
    bool m_hasCost = false, m_refused = false, m_textOnly = false;
    double m_encoding = -1;
    QString m_modelName;

    QLabel* m_visual = nullptr;
    WaveformView* m_wave = nullptr;
    QWidget* m_strip = nullptr;
    QHBoxLayout* m_stripLayout = nullptr;
    QLabel* m_name = nullptr;
    QLabel* m_facts = nullptr;
    QProgressBar* m_progress = nullptr;
    QToolButton* m_cancel = nullptr;
    QToolButton* m_play = nullptr;
    QToolButton* m_remove = nullptr;
    QMediaPlayer* m_player = nullptr;  // made on the first Play
};
