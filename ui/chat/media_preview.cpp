#include "media_preview.h"

#include "media/media.h"

#include <QImageReader>

#include <algorithm>
#include <cmath>

namespace {

QImage toQImage(const atelier::Image& im, int maxSide) {
    QImage q(im.rgb.data(), im.width, im.height, im.width * 3, QImage::Format_RGB888);
    return q.scaled(maxSide, maxSide, Qt::KeepAspectRatio, Qt::SmoothTransformation);  // a deep copy
}

QVector<float> envelopeOf(const atelier::Audio& a, int bins) {
    QVector<float> env(bins, 0.0f);
    if (a.samples.empty()) return env;
    const size_t n = a.samples.size();
    for (int b = 0; b < bins; ++b) {
        const size_t from = n * static_cast<size_t>(b) / bins,
                     to = std::max(from + 1, n * static_cast<size_t>(b + 1) / bins);
        float peak = 0;
        for (size_t i = from; i < std::min(to, n); ++i) peak = std::max(peak, std::fabs(a.samples[i]));
        env[b] = std::min(1.0f, peak);
    }
    return env;
}

}  // namespace

QString formatDuration(double seconds, bool precise) {
    if (precise && seconds < 10) return QStringLiteral("%1 s").arg(seconds, 0, 'f', 1);
    const auto s = static_cast<qint64>(std::llround(seconds));
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3")
            .arg(s / 3600)
            .arg(s / 60 % 60, 2, 10, QLatin1Char('0'))
            .arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

MediaPreview makeMediaPreview(const QString& path, const QString& kind, int videoFrames) {
    MediaPreview p;
    p.path = path;
    p.kind = kind;
    const std::string file = path.toStdString();
    try {
        if (kind == QLatin1String("image")) {
            QImageReader reader(path);
            reader.setAutoTransform(true);
            if (reader.size().isValid())
                reader.setScaledSize(reader.size().scaled(160, 160, Qt::KeepAspectRatio));
            p.thumbnail = reader.read();
            if (p.thumbnail.isNull())
                p.thumbnail = toQImage(atelier::decode_image(file), 160);  // WebP, TIFF...
        } else if (kind == QLatin1String("audio")) {
            const atelier::Audio a = atelier::decode_audio(file, 4000);  // enough for a waveform
            p.duration = a.duration();
            p.envelope = envelopeOf(a, 96);
        } else if (kind == QLatin1String("video")) {
            const atelier::MediaInfo info = atelier::probe_media(file);
            p.duration = info.duration;
            p.hasAudio = info.has_audio;
            for (const auto& f : atelier::sample_video_frames(file, std::max(1, videoFrames)))
                p.frames.push_back({f.time, toQImage(f.image, 96)});
            if (!p.frames.isEmpty())
                p.thumbnail = p.frames.front().image.scaled(160, 160, Qt::KeepAspectRatio);
            if (p.hasAudio) p.envelope = envelopeOf(atelier::decode_audio(file, 4000), 96);
        }
    } catch (const std::exception& e) {
        p.error = QString::fromUtf8(e.what());
    }
    return p;
}
