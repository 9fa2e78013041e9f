// What an attachment looks like before the model reads it: an image's thumbnail, an audio file's
// waveform and duration, a video's poster, the frames the model will sample (with their times)
// and whether it has an audio track. Made with the engine's own decoders (so the strip shows the
// very frames the encoder gets), off the GUI thread:
//
//   auto future = QtConcurrent::run(backgroundPool(), makeMediaPreview, path, kind, /*videoFrames=*/8);
#pragma once

#include <QImage>
#include <QMetaType>
#include <QString>
#include <QVector>

struct MediaPreview {
    QString path;
    QString kind;             // "image" | "audio" | "video" | "file"
    QImage thumbnail;         // image: the picture; video: its first sampled frame (at most 160 px)
    double duration = 0;      // audio, video: seconds
    QVector<float> envelope;  // audio (and a video's track): peak |x| per bin, 0..1, 96 bins
    struct Frame {
        double time = 0;  // seconds
        QImage image;     // at most 96 px
    };
    QVector<Frame> frames;  // video: the frames the model samples
    bool hasAudio = false;  // video: an audio track the model may hear
    QString error;          // the file cannot be read (the engine's message)
};
Q_DECLARE_METATYPE(MediaPreview)

MediaPreview makeMediaPreview(const QString& path, const QString& kind, int videoFrames);

// "0:07", "1:02:03"; with tenths under ten seconds when `precise` ("3.4 s").
QString formatDuration(double seconds, bool precise = false);
