#include "voice_recorder.h"

#include "error_text.h"

#include "capture/audio_capture.h"
#include "common/error.h"

#include <QDateTime>
#include <QDir>

QString audioInputKey(const atelier::AudioInputDevice& d) {
    return QString::fromStdString(d.host_api) + QStringLiteral(": ") + QString::fromStdString(d.name);
}

VoiceRecorder::VoiceRecorder(const QString& folder, QObject* parent) : QObject(parent), m_folder(folder) {
    m_timer.setInterval(50);
    connect(&m_timer, &QTimer::timeout, this, &VoiceRecorder::poll);
}

VoiceRecorder::~VoiceRecorder() {
    if (m_recorder) m_recorder->stop();
}

double VoiceRecorder::seconds() const {
    return m_recorder ? m_recorder->seconds() : 0.0;
}

bool VoiceRecorder::start() {
    if (m_recorder) return true;
    try {
        std::unique_ptr<atelier::AudioSource> source;
        if (m_factory) {
            source = m_factory();
        } else {
            int index = -1;
            if (!m_device.isEmpty()) {
                for (const auto& d : atelier::list_audio_inputs())
                    if (index < 0 &&
                        (QString::fromStdString(d.name) == m_device || audioInputKey(d) == m_device))
                        index = d.index;
                if (index < 0)
                    throw atelier::Error(atelier::ErrorCode::NoAudioDevice, m_device.toStdString(),
                                         "the chosen input device is not connected");
            }
            source = atelier::open_microphone(index);
        }
        auto recorder = std::make_unique<atelier::AudioRecorder>(std::move(source), m_maxSeconds);
        recorder->start();
        m_recorder = std::move(recorder);
    } catch (const std::exception& e) {
        Q_EMIT failed(engineErrorFrom(e));
        return false;
    }
    m_timer.start();
    Q_EMIT started();
    return true;
}

void VoiceRecorder::poll() {
    if (!m_recorder) return;
    const bool going = m_recorder->poll();
    Q_EMIT progress(m_recorder->seconds(), m_maxSeconds, m_recorder->level());
    if (!going) finish(true);  // the limit, the end of a file source, or a failure
}

void VoiceRecorder::stop() {
    if (m_recorder) finish(true);
}

void VoiceRecorder::cancel() {
    if (!m_recorder) return;
    finish(false);
    Q_EMIT cancelled();
}

void VoiceRecorder::finish(bool keep) {
    m_timer.stop();
    std::unique_ptr<atelier::AudioRecorder> recorder = std::move(m_recorder);
    recorder->stop();
    const std::optional<atelier::Error> failure = recorder->failure();
    if (keep) {
        QString path;
        try {
            const atelier::Audio audio = recorder->audio();
            if (audio.samples.size() >= static_cast<size_t>(audio.sample_rate / 10)) {  // 0.1 s or more
                QDir().mkpath(m_folder);
                const QString name =
                    QStringLiteral("recording-%1.wav")
                        .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss-zzz")));
                path = QDir(m_folder).filePath(name);
                atelier::write_wav(path.toStdString(), audio);
            }
        } catch (const std::exception& e) {
            Q_EMIT failed(engineErrorFrom(e));
            path.clear();
        }
        Q_EMIT finished(path);
    }
    if (failure) Q_EMIT failed(engineErrorFrom(*failure));
}
