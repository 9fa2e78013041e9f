// Recording sound into the engine's canonical audio (mono float32 PCM at 16 kHz): microphones
// through PortAudio, or a file played as if it were one (tests, demos). No Qt, no torch.
//
// Every failure is an atelier::Error: NoAudioDevice (no input device at all, or the chosen one
// does not exist), AudioDeviceUnavailable (it cannot be opened: busy, unplugged; PortAudio -9985),
// AudioDeviceFailed (it stopped mid-recording). A recording that fails keeps what it captured.
//
//   auto devices = atelier::list_audio_inputs();             // may be empty: a valid answer
//   atelier::AudioRecorder rec(atelier::open_microphone(), /*max_seconds=*/60);
//   rec.start();  ...  rec.poll();  rec.level();  rec.seconds();  ...  rec.stop();
//   atelier::write_wav("memo.wav", rec.audio());             // 16 kHz mono
#pragma once

#include "common/error.h"
#include "media/media.h"

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace atelier {

struct AudioInputDevice {
    int index = -1;  // PortAudio's device index: what open_microphone() takes
    std::string name;
    std::string host_api;  // "ALSA", "JACK Audio Connection Kit", "Core Audio", "Windows WASAPI"...
    int channels = 0;      // input channels
    double default_sample_rate = 0;
    bool is_default = false;
};

// The input devices PortAudio sees now (a fresh scan each call). Empty when there is none.
std::vector<AudioInputDevice> list_audio_inputs();

// Where a recording's samples come from. start() delivers mono blocks on another thread until
// stop(); a source that ends on its own (a file played to its end: nullptr) or breaks (an error)
// says so once through on_end.
class AudioSource {
public:
    using Samples = std::function<void(const float* samples, size_t count)>;
    using Ended = std::function<void(const Error* failure)>;
    virtual ~AudioSource() = default;
    virtual int sample_rate() const = 0;
    virtual std::string name() const = 0;
    virtual void start(Samples on_samples, Ended on_end) = 0;
    virtual void stop() = 0;  // returns once no callback runs any more; idempotent
    // Throws AudioDeviceFailed when the device has stopped on its own (unplugged).
    virtual void check() {}
};

// Input device `device` (an index from list_audio_inputs(); -1 = the system's default), opened
// at 16 kHz mono when it can, else at its own rate (the recorder resamples).
std::unique_ptr<AudioSource> open_microphone(int device = -1);

// `path` (any audio FFmpeg reads) delivered in blocks of `block_seconds`, paced in real time
// divided by `speed` (0 = as fast as it can). `fail_after_seconds` > 0 makes it fail like an
// unplugged microphone after that much audio.
std::unique_ptr<AudioSource> open_file_source(const std::string& path, double speed = 1.0,
                                              double fail_after_seconds = 0, double block_seconds = 0.05);

// Records a source until stop(), a failure, or `max_seconds`. Thread-safe: the source's thread
// appends, the caller polls.
class AudioRecorder {
public:
    explicit AudioRecorder(std::unique_ptr<AudioSource> source, double max_seconds = 300);
    ~AudioRecorder();
    AudioRecorder(const AudioRecorder&) = delete;
    AudioRecorder& operator=(const AudioRecorder&) = delete;

    void start();  // throws the source's errors
    void stop();
    // Checks the device (an unplugged one, or one silent for two seconds, ends the recording)
    // and the limit. Call it a few times a second; returns recording().
    bool poll();
    bool recording() const;  // false after stop(), the limit, the source's end or a failure
    double seconds() const;  // captured so far
    double max_seconds() const { return m_max_seconds; }
    float level() const;  // peak |sample| of the latest block, 0..1
    bool limit_reached() const;
    std::optional<Error> failure() const;  // what ended it, if the device did
    // What was captured, mono float32 at 16 kHz.
    Audio audio() const;

private:
    struct State;
    std::unique_ptr<AudioSource> m_source;
    std::shared_ptr<State> m_state;
    double m_max_seconds;
};

// `in` at `sample_rate`, band-limited (windowed-sinc interpolation with a low-pass at the lower
// Nyquist frequency, so 48 kHz speech does not alias into 16 kHz).
Audio resample(const Audio& in, int sample_rate);

}  // namespace atelier
