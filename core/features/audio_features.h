// Audio front end: mono float32 PCM -> log-mel spectrogram, exactly as Hugging Face's
// WhisperFeatureExtractor (and OpenAI's whisper.audio.log_mel_spectrogram) computes it, read from
// preprocessor_config.json.
//
// Periodic Hann window of n_fft samples, centred frames (reflect padding of n_fft/2), hop_length,
// |STFT|^2 with the last frame dropped, a Slaney-style mel filterbank (Slaney mel scale, area
// normalisation) computed from the config, log10(max(x, 1e-10)), clamped to (the window's max - 8),
// (x + 4) / 4.
// Audio is cut into consecutive 30 s windows (chunk_length), each padded with zeros to n_samples:
// longer audio gives several windows and none of it is dropped (the last partial window included).
//
//   auto fe = atelier::WhisperFeatureExtractor::load("whisper-base");       // preprocessor_config.json
//   atelier::LogMel mel = fe.extract(atelier::decode_audio("talk.mp3"));   // [windows][80][3000]
#pragma once

#include "media/media.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace atelier {

struct WhisperFeatureConfig {
    // preprocessor_config.json fields of WhisperFeatureExtractor.
    int feature_size = 80;  // mel bins (80, or 128 for large-v3)
    int sampling_rate = 16000;
    int hop_length = 160;
    int n_fft = 400;
    int chunk_length = 30;     // seconds per window
    int n_samples = 480000;    // chunk_length * sampling_rate
    int nb_max_frames = 3000;  // n_samples / hop_length

    // `where` names the file in errors: ErrorCode::BadJson when the text is not a JSON object,
    // ErrorCode::BadConfig for a value of the wrong type or out of range, n_samples other than
    // chunk_length * sampling_rate, nb_max_frames other than n_samples / hop_length, more mel bins
    // than n_fft / 2 + 1, or a padding other than zeros on the right. Absent fields keep Whisper's
    // defaults (n_samples and nb_max_frames derived).
    static WhisperFeatureConfig from_json(const std::string& json_text, const std::string& where);
    std::string to_json() const;
};

// Mel filterbank [n_mels][n_fft/2 + 1], row-major: Slaney mel scale, "slaney" (area) normalisation,
// as librosa.filters.mel(sr, n_fft, n_mels, fmin=0, fmax=sr/2) — what Whisper ships in mel_filters.npz.
// Throws ErrorCode::InvalidArgument for non-positive sizes.
std::vector<float> mel_filterbank(int n_mels, int n_fft, int sampling_rate);
// The same in float64 (what the extractor uses).
std::vector<double> mel_filterbank_f64(int n_mels, int n_fft, int sampling_rate);

// Log-mel features: `windows` consecutive windows of [n_mels, frames] each, row-major,
// data.size() == windows * n_mels * frames.
struct LogMel {
    int windows = 0;
    int n_mels = 0;
    int frames = 0;  // per window (nb_max_frames)
    std::vector<float> data;
    double audio_seconds = 0;  // length of the audio it was computed from

    // Window w's [n_mels][frames] block.
    const float* window(int w) const { return data.data() + size_t(w) * n_mels * frames; }
};

// Called after each window with (windows done, windows in all); return false to stop (extract then
// throws ErrorCode::Cancelled).
using FeatureProgress = std::function<bool(int done, int total)>;

class WhisperFeatureExtractor {
public:
    WhisperFeatureExtractor();  // the default config (80 bins, 16 kHz, 30 s windows)
    // ErrorCode::InvalidArgument for an inconsistent config (from_json never returns one).
    explicit WhisperFeatureExtractor(WhisperFeatureConfig config);
    // dir/preprocessor_config.json; ErrorCode::FileNotFound when it is missing.
    static WhisperFeatureExtractor load(const std::string& dir);

    const WhisperFeatureConfig& config() const { return m_config; }
    // Number of windows `seconds` of audio needs: max(1, ceil(samples / n_samples)), counted in
    // whole samples (exactly 30 s is one window).
    int windows_for(double seconds) const;
    // Throws ErrorCode::InvalidArgument when audio.sample_rate differs from sampling_rate.
    // Empty audio gives one window of silence (every value -1.5). Thread-safe (const, no caches).
    LogMel extract(const Audio& audio, const FeatureProgress& progress = {}) const;

private:
    WhisperFeatureConfig m_config;
    std::vector<double> m_filters;                  // [n_mels][n_fft/2+1], float64 (as HF computes it)
    std::vector<int> m_filter_first, m_filter_end;  // non-zero bin range of each filter row
    std::vector<double> m_window;                   // periodic Hann, n_fft
};

}  // namespace atelier
