// The composer's microphone: records the input device chosen in Settings into a 16 kHz mono WAV
// in the data folder, with a level, the time left and cancel. A controller: no widgets.
//
// PortAudio calls back on its own thread; this object polls the recorder on the GUI thread
// (20 times a second), so every signal arrives on the GUI thread. No device, a busy one or one
// that disappears mid-recording ends in failed() with the engine's error; what was captured
// before a failure is still saved and offered (finished() with the file, then failed()).
//
//   VoiceRecorder rec(dataDir + "/recordings");
//   connect(&rec, &VoiceRecorder::finished, composer, [](const QString& wav) { ... });
//   rec.start();  ...  rec.stop();   // or rec.cancel()
#pragma once

#include "engine_types.h"

#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>

namespace atelier {
class AudioRecorder;
class AudioSource;
struct AudioInputDevice;
}  // namespace atelier

// How Settings names an input when its name alone is ambiguous (one device under several host
// APIs, as on Windows): "host API: name". VoiceRecorder accepts this or the plain name.
QString audioInputKey(const atelier::AudioInputDevice& d);

class VoiceRecorder : public QObject {
    Q_OBJECT
public:
    using SourceFactory = std::function<std::unique_ptr<atelier::AudioSource>()>;

    explicit VoiceRecorder(const QString& folder, QObject* parent = nullptr);
    ~VoiceRecorder() override;

    // The input device by name ("" = the system's default); one that is gone fails with NoAudioDevice.
    void setDevice(const QString& name) { m_device = name; }
    void setMaxSeconds(double seconds) { m_maxSeconds = seconds; }
    double maxSeconds() const { return m_maxSeconds; }
    // Where samples come from instead of a microphone (tests: a file played in real time).
    void setSourceFactory(SourceFactory factory) { m_factory = std::move(factory); }

    bool isRecording() const { return m_recorder != nullptr; }
    double seconds() const;

public Q_SLOTS:
    bool start();   // false (and failed()) when the device cannot be opened
    void stop();    // keeps the recording: finished(path)
    void cancel();  // throws it away

Q_SIGNALS:
    void started();
    void progress(double seconds, double maxSeconds, float level);
    void finished(const QString& wavPath);  // "" when nothing was captured
    void failed(const EngineError& error);
    void cancelled();

private:
    void poll();
    void finish(bool keep);

    QString m_folder;
    QString m_device;
    double m_maxSeconds = 120;
    SourceFactory m_factory;
    std::unique_ptr<atelier::AudioRecorder> m_recorder;
    QTimer m_timer;
};
