#include "capture/audio_capture.h"

#ifdef __linux__
#include <alsa/asoundlib.h>
#endif
#include <portaudio.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace atelier {

namespace {

constexpr int kRate = 16000;  // the canonical rate the encoders read

#ifdef __linux__
void quiet_alsa(const char*, int, const char*, int, const char*, ...) {}
#endif

// Pa_Initialize / Pa_Terminate for one scope (PortAudio counts them). ALSA's "cannot find card"
// lines are silenced: no sound card is a normal answer, not something to print (Linux: macOS and
// Windows have no ALSA).
struct PaScope {
    PaError status;
    PaScope() {
#ifdef __linux__
        snd_lib_error_set_handler(quiet_alsa);
#endif
        status = Pa_Initialize();
    }
    ~PaScope() {
        if (status == paNoError) Pa_Terminate();
    }
};

std::string pa_text(PaError e) {
    return std::string(Pa_GetErrorText(e)) + " (PortAudio " + std::to_string(e) + ")";
}

// PortAudio's error for opening or starting a stream, as our error.
Error open_error(PaError e, const std::string& device) {
    if (e == paInvalidDevice) return Error(ErrorCode::NoAudioDevice, device, pa_text(e));
    if (e == paDeviceUnavailable || e == paBadIODeviceCombination)
        return Error(ErrorCode::AudioDeviceUnavailable, device, pa_text(e));
    return Error(ErrorCode::AudioDeviceUnavailable, device, pa_text(e));
}

class MicrophoneSource : public AudioSource {
public:
    explicit MicrophoneSource(int device) {
        if (m_pa.status != paNoError)
            throw Error(ErrorCode::NoAudioDevice, "microphone", "audio system: " + pa_text(m_pa.status));
        if (device < 0) device = Pa_GetDefaultInputDevice();
        if (device == paNoDevice || Pa_GetDeviceCount() <= 0)
            throw Error(ErrorCode::NoAudioDevice, "microphone", "no audio input device");
        const PaDeviceInfo* info = device < Pa_GetDeviceCount() ? Pa_GetDeviceInfo(device) : nullptr;
        if (!info || info->maxInputChannels <= 0)
            throw Error(ErrorCode::NoAudioDevice, "device " + std::to_string(device),
                        "no such audio input device");
        m_name = info->name ? info->name : "device " + std::to_string(device);
        PaStreamParameters in{};
        in.device = device;
        in.sampleFormat = paFloat32;
        in.suggestedLatency = info->defaultLowInputLatency;
        // Mono at 16 kHz where the device (or ALSA's plug layer) converts; else what it has.
        PaError e = paNoError;
        for (int channels : {1, std::min(2, info->maxInputChannels)}) {
            for (double rate : {double(kRate), info->defaultSampleRate}) {
                in.channelCount = channels;
                e = Pa_OpenStream(&m_stream, &in, nullptr, rate, paFramesPerBufferUnspecified, paClipOff,
                                  &MicrophoneSource::callback, this);
                if (e == paNoError) {
                    m_channels = channels;
                    m_rate = static_cast<int>(rate);
                    break;
                }
                m_stream = nullptr;
            }
            if (m_stream) break;
        }
        if (!m_stream) throw open_error(e, m_name);
    }
    ~MicrophoneSource() override {
        stop();
        if (m_stream) Pa_CloseStream(m_stream);
    }
    int sample_rate() const override { return m_rate; }
    std::string name() const override { return m_name; }

    void start(Samples on_samples, Ended) override {
        m_on_samples = std::move(on_samples);
        const PaError e = Pa_StartStream(m_stream);
        if (e != paNoError) throw open_error(e, m_name);
        m_started = true;
    }
    void stop() override {
        if (m_started && m_stream) Pa_StopStream(m_stream);  // waits for the callback to return
        m_started = false;
    }
    void check() override {
        if (!m_started) return;
        const PaError active = Pa_IsStreamActive(m_stream);
        if (active == 1) return;
        m_started = false;
        throw Error(ErrorCode::AudioDeviceFailed, m_name,
                    active < 0 ? pa_text(active) : "the device stopped delivering audio");
    }

private:
    static int callback(const void* input, void*, unsigned long frames, const PaStreamCallbackTimeInfo*,
                        PaStreamCallbackFlags, void* self) {
        auto* s = static_cast<MicrophoneSource*>(self);
        if (!input) return paContinue;
        const auto* x = static_cast<const float*>(input);
        if (s->m_channels == 1) {
            s->m_on_samples(x, frames);
        } else {
            s->m_mono.resize(frames);
            for (unsigned long i = 0; i < frames; ++i) s->m_mono[i] = 0.5f * (x[2 * i] + x[2 * i + 1]);
            s->m_on_samples(s->m_mono.data(), frames);
        }
        return paContinue;
    }

    PaScope m_pa;
    PaStream* m_stream = nullptr;
    std::string m_name;
    int m_channels = 1, m_rate = kRate;
    bool m_started = false;
    Samples m_on_samples;
    std::vector<float> m_mono;
};

class FileSource : public AudioSource {
public:
    FileSource(const std::string& path, double speed, double fail_after, double block_seconds)
        : m_path(path),
          m_audio(decode_audio(path, kRate)),
          m_speed(speed),
          m_fail_after(fail_after),
          m_block(std::max<size_t>(1, static_cast<size_t>(block_seconds * kRate))) {}
    ~FileSource() override { stop(); }
    int sample_rate() const override { return kRate; }
    std::string name() const override { return m_path; }

    void start(Samples on_samples, Ended on_end) override {
        m_stop = false;
        m_thread = std::thread([this, on_samples = std::move(on_samples), on_end = std::move(on_end)] {
            const auto t0 = std::chrono::steady_clock::now();
            const size_t n = m_audio.samples.size();
            const size_t fail_at = m_fail_after > 0 ? static_cast<size_t>(m_fail_after * kRate) : n + 1;
            for (size_t at = 0; at < n && !m_stop; at += m_block) {
                if (at >= fail_at) {
                    const Error gone(ErrorCode::AudioDeviceFailed, m_path, "the device disappeared");
                    on_end(&gone);
                    return;
                }
                on_samples(m_audio.samples.data() + at, std::min(m_block, n - at));
                if (m_speed > 0) {
                    const auto due =
                        t0 + std::chrono::duration<double>(double(at + m_block) / kRate / m_speed);
                    std::unique_lock<std::mutex> lock(m_mutex);
                    m_wake.wait_until(lock, due, [this] { return m_stop.load(); });
                }
            }
            if (!m_stop) on_end(nullptr);
        });
    }
    void stop() override {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        if (m_thread.joinable()) m_thread.join();
    }

private:
    std::string m_path;
    Audio m_audio;
    double m_speed, m_fail_after;
    size_t m_block;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    std::mutex m_mutex;
    std::condition_variable m_wake;
};

}  // namespace

std::vector<AudioInputDevice> list_audio_inputs() {
    PaScope pa;
    std::vector<AudioInputDevice> out;
    if (pa.status != paNoError) return out;
    const PaDeviceIndex default_in = Pa_GetDefaultInputDevice();
    for (PaDeviceIndex i = 0; i < Pa_GetDeviceCount(); ++i) {
        const PaDeviceInfo* info = Pa_GetDeviceInfo(i);
        if (!info || info->maxInputChannels <= 0) continue;
        const PaHostApiInfo* host = Pa_GetHostApiInfo(info->hostApi);
        out.push_back({i, info->name ? info->name : "", host && host->name ? host->name : "",
                       info->maxInputChannels, info->defaultSampleRate, i == default_in});
    }
    return out;
}

std::unique_ptr<AudioSource> open_microphone(int device) {
    return std::make_unique<MicrophoneSource>(device);
}

std::unique_ptr<AudioSource> open_file_source(const std::string& path, double speed,
                                              double fail_after_seconds, double block_seconds) {
    return std::make_unique<FileSource>(path, speed, fail_after_seconds, block_seconds);
}

// --- the recorder ---

struct AudioRecorder::State {
    mutable std::mutex mutex;
    std::vector<float> samples;
    size_t max_samples = 0;
    float level = 0;
    bool recording = false, limit = false;
    std::optional<Error> failure;
    std::chrono::steady_clock::time_point last_block;
};

AudioRecorder::AudioRecorder(std::unique_ptr<AudioSource> source, double max_seconds)
    : m_source(std::move(source)), m_state(std::make_shared<State>()), m_max_seconds(max_seconds) {
    if (!m_source) throw Error(ErrorCode::InvalidArgument, "recorder", "no audio source");
    if (!(max_seconds > 0))
        throw Error(ErrorCode::InvalidArgument, "recorder", "the longest recording must be > 0 s");
    m_state->max_samples = static_cast<size_t>(max_seconds * m_source->sample_rate());
}

AudioRecorder::~AudioRecorder() {
    stop();
}

void AudioRecorder::start() {
    {
        std::lock_guard<std::mutex> lock(m_state->mutex);
        m_state->recording = true;
        m_state->last_block = std::chrono::steady_clock::now();
    }
    std::weak_ptr<State> weak = m_state;
    try {
        m_source->start(
            [weak](const float* x, size_t n) {
                auto s = weak.lock();
                if (!s) return;
                std::lock_guard<std::mutex> lock(s->mutex);
                if (!s->recording) return;
                const size_t room = s->max_samples - std::min(s->max_samples, s->samples.size());
                const size_t take = std::min(n, room);
                s->samples.insert(s->samples.end(), x, x + take);
                float peak = 0;
                for (size_t i = 0; i < n; ++i) peak = std::max(peak, std::fabs(x[i]));
                s->level = std::min(1.0f, peak);
                s->last_block = std::chrono::steady_clock::now();
                if (take < n || s->samples.size() >= s->max_samples) {
                    s->limit = true;
                    s->recording = false;
                }
            },
            [weak](const Error* failure) {
                auto s = weak.lock();
                if (!s) return;
                std::lock_guard<std::mutex> lock(s->mutex);
                if (failure && s->recording) s->failure = *failure;
                s->recording = false;
            });
    } catch (...) {
        std::lock_guard<std::mutex> lock(m_state->mutex);
        m_state->recording = false;
        throw;
    }
}

void AudioRecorder::stop() {
    {
        std::lock_guard<std::mutex> lock(m_state->mutex);
        m_state->recording = false;
    }
    m_source->stop();
}

bool AudioRecorder::poll() {
    std::optional<Error> failed;
    try {
        m_source->check();
    } catch (const Error& e) {
        failed = e;
    }
    std::lock_guard<std::mutex> lock(m_state->mutex);
    if (m_state->recording && !failed &&
        std::chrono::steady_clock::now() - m_state->last_block > std::chrono::seconds(2))
        failed = Error(ErrorCode::AudioDeviceFailed, m_source->name(), "no audio for two seconds");
    if (failed && m_state->recording) {
        m_state->failure = failed;
        m_state->recording = false;
    }
    return m_state->recording;
}

bool AudioRecorder::recording() const {
    std::lock_guard<std::mutex> lock(m_state->mutex);
    return m_state->recording;
}

double AudioRecorder::seconds() const {
    std::lock_guard<std::mutex> lock(m_state->mutex);
    return double(m_state->samples.size()) / m_source->sample_rate();
}

float AudioRecorder::level() const {
    std::lock_guard<std::mutex> lock(m_state->mutex);
    return m_state->level;
}

bool AudioRecorder::limit_reached() const {
    std::lock_guard<std::mutex> lock(m_state->mutex);
    return m_state->limit;
}

std::optional<Error> AudioRecorder::failure() const {
    std::lock_guard<std::mutex> lock(m_state->mutex);
    return m_state->failure;
}

Audio AudioRecorder::audio() const {
    Audio a;
    {
        std::lock_guard<std::mutex> lock(m_state->mutex);
        a.samples = m_state->samples;
    }
    a.sample_rate = m_source->sample_rate();
    return a.sample_rate == kRate ? a : resample(a, kRate);
}

Audio resample(const Audio& in, int sample_rate) {
    if (in.sample_rate == sample_rate || in.samples.empty()) {
        Audio out = in;
        out.sample_rate = sample_rate;
        return out;
    }
    const double ratio = double(sample_rate) / in.sample_rate;
    const double cutoff = std::min(1.0, ratio);  // of the input's Nyquist frequency
    constexpr int kHalf = 16;                    // taps on each side, at the lower rate
    const double half_width = kHalf / cutoff;    // in input samples
    const size_t n_out = static_cast<size_t>(std::floor(double(in.samples.size()) * ratio));
    Audio out;
    out.sample_rate = sample_rate;
    out.samples.resize(n_out);
    const auto n_in = static_cast<int64_t>(in.samples.size());
    for (size_t j = 0; j < n_out; ++j) {
        const double t = double(j) / ratio;  // position in input samples
        const auto lo = static_cast<int64_t>(std::ceil(t - half_width));
        const auto hi = static_cast<int64_t>(std::floor(t + half_width));
        double acc = 0, norm = 0;
        for (int64_t i = std::max<int64_t>(0, lo); i <= std::min(n_in - 1, hi); ++i) {
            const double x = (double(i) - t) * cutoff;
            const double sinc = std::fabs(x) < 1e-9 ? 1.0 : std::sin(M_PI * x) / (M_PI * x);
            const double w = 0.5 + 0.5 * std::cos(M_PI * (double(i) - t) / half_width);  // Hann
            acc += in.samples[static_cast<size_t>(i)] * sinc * w;
            norm += sinc * w;
        }
        out.samples[j] = norm > 0 ? static_cast<float>(acc / norm) : 0.0f;
    }
    return out;
}

}  // namespace atelier
