// Whisper log-mel front end: the filterbank against Whisper's own (whisper.cpp's ggml file), the
// features against the fixtures' reference, a direct-DFT recomputation, and long-audio windowing.
#include "features/audio_features.h"

#include "common/error.h"
#include "io/safetensors.h"
#include "media/media.h"
#include "test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstring>

namespace atelier {
namespace {

using test::fixture;

constexpr double kPi = 3.14159265358979323846;

Audio load_audio(const std::string& path) {
    return decode_audio(path, 16000);
}

template <typename T>
T read_at(const std::string& bytes, size_t& pos) {
    T v;
    if (pos + sizeof(T) > bytes.size()) throw std::runtime_error("ggml file truncated");
    std::memcpy(&v, bytes.data() + pos, sizeof(T));
    pos += sizeof(T);
    return v;
}

// Whisper's real filterbank from whisper.cpp's ggml file (layout in fixtures/README.md).
std::vector<float> whisper_ggml_filters(int* n_mel, int* n_fft) {
    const std::string bytes = test::read_file(fixture("whisper/for-tests-ggml-tiny.bin"));
    size_t pos = 0;
    EXPECT_EQ(read_at<uint32_t>(bytes, pos), 0x67676d6cu);
    int32_t hparams[11];
    for (auto& h : hparams) h = read_at<int32_t>(bytes, pos);
    EXPECT_EQ(hparams[9], 80);  // n_mels
    *n_mel = read_at<int32_t>(bytes, pos);
    *n_fft = read_at<int32_t>(bytes, pos);
    std::vector<float> f(size_t(*n_mel) * *n_fft);
    for (auto& v : f) v = read_at<float>(bytes, pos);
    return f;
}

std::vector<float> reference_tensor(const std::string& path, const std::string& name,
                                    const std::vector<int64_t>& shape) {
    auto file = SafetensorsFile::open(path);
    const TensorData& t = file->tensors().at(name);
    EXPECT_EQ(t.dtype, DType::F32);
    EXPECT_EQ(t.shape, shape);
    const float* p = static_cast<const float*>(t.data);
    return std::vector<float>(p, p + t.numel());
}

double max_abs_diff(const float* a, const float* b, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; ++i) m = std::max(m, std::fabs(double(a[i]) - b[i]));
    return m;
}

Audio tone(double seconds, double hz, double start = 0, double end = 1e30, float amplitude = 0.5f) {
    Audio a;
    a.samples.resize(size_t(std::llround(seconds * 16000)));
    for (size_t i = 0; i < a.samples.size(); ++i) {
        const double t = i / 16000.0;
        if (t >= start && t < end) a.samples[i] = amplitude * float(std::sin(2 * kPi * hz * t));
    }
    return a;
}

// --- mel filterbank ----------------------------------------------------------------------------

TEST(MelFilterbank, EqualsWhispersOwn80BinBank) {
    int n_mel = 0, n_bins = 0;
    const std::vector<float> want = whisper_ggml_filters(&n_mel, &n_bins);
    ASSERT_EQ(n_mel, 80);
    ASSERT_EQ(n_bins, 201);
    const std::vector<float> got = mel_filterbank(80, 400, 16000);
    ASSERT_EQ(got.size(), want.size());
    const double d = max_abs_diff(got.data(), want.data(), got.size());
    std::printf("[ mel 80 ] max |diff| vs whisper.cpp's filters = %.3g\n", d);
    EXPECT_LE(d, 1e-7);
}

TEST(MelFilterbank, LargeV3BankHas128AreaNormalisedFilters) {
    const int n_bins = 201;
    const std::vector<float> f = mel_filterbank(128, 400, 16000);
    ASSERT_EQ(f.size(), size_t(128) * n_bins);
    int checked = 0, previous_argmax = 0;
    for (int m = 0; m < 128; ++m) {
        const float* row = &f[size_t(m) * n_bins];
        double sum = 0;
        int nonzero = 0;
        for (int k = 0; k < n_bins; ++k) {
            ASSERT_GE(row[k], 0.0f);
            sum += row[k];
            nonzero += row[k] > 0;
        }
        EXPECT_GT(nonzero, 0) << "filter " << m << " is empty";
        // Slaney normalisation: each triangle has unit area in Hz (peak 2 / its width). Where it spans
        // several 40 Hz bins, the sampled sum times the bin width is close to that area.
        if (nonzero >= 4) {
            EXPECT_NEAR(sum * 40.0, 1.0, 0.06) << "filter " << m;
            ++checked;
        }
        // Centres rise with the filter index.
        const int argmax = int(std::max_element(row, row + n_bins) - row);
        EXPECT_GE(argmax, previous_argmax) << "filter " << m;
        previous_argmax = argmax;
    }
    EXPECT_GE(checked, 40);
    EXPECT_GE(previous_argmax, 190);  // the last filter ends at 8 kHz (bin 200)
}

// --- log-mel features --------------------------------------------------------------------------

TEST(WhisperFeatures, JfkMatchesReference) {
    const auto fe = WhisperFeatureExtractor::load(fixture("multimodal/whisper-tiny-random"));
    const Audio jfk = load_audio(fixture("media/jfk.wav"));
    ASSERT_EQ(jfk.sample_rate, 16000);
    ASSERT_EQ(jfk.samples.size(), size_t(176000));
    const LogMel mel = fe.extract(jfk);
    ASSERT_EQ(mel.windows, 1);
    ASSERT_EQ(mel.n_mels, 80);
    ASSERT_EQ(mel.frames, 3000);
    EXPECT_DOUBLE_EQ(mel.audio_seconds, 11.0);
    const std::vector<float> want = reference_tensor(
        fixture("multimodal/reference/whisper-tiny-random.jfk.safetensors"), "input_features", {1, 80, 3000});
    const double d = max_abs_diff(mel.data.data(), want.data(), want.size());
    std::printf("[ jfk ] input_features max |diff| = %.3g\n", d);
    EXPECT_LE(d, 1e-4);
}

// The extractor's FFT (mixed radix, real-input split) against a direct O(N^2) DFT of the same
// frames, on sizes that exercise every butterfly: 400 (4, 2, 5, 5), 210 (2, 3, 5, 7), odd 225.
void expect_matches_direct_dft(int n_fft, int hop) {
    WhisperFeatureConfig c;
    c.n_fft = n_fft;
    c.hop_length = hop;
    c.chunk_length = 1;
    c.n_samples = 16000;
    c.nb_max_frames = c.n_samples / hop;
    c.feature_size = 40;
    const WhisperFeatureExtractor fe(c);
    Audio a = tone(0.8, 440.0);
    for (size_t i = 0; i < a.samples.size(); ++i)
        a.samples[i] += 0.2f * float(std::sin(0.37 * double((i * i) % 1000)));
    const LogMel mel = fe.extract(a);

    const std::vector<double> filters = mel_filterbank_f64(40, n_fft, 16000);
    const int n_bins = n_fft / 2 + 1, half = n_fft / 2;
    auto sample = [&](long i) {  // zero-padded to n_samples, reflected at both ends
        if (i < 0) i = -i;
        if (i >= c.n_samples) i = 2 * (c.n_samples - 1) - i;
        return i < long(a.samples.size()) ? double(a.samples[i]) : 0.0;
    };
    std::vector<double> logmel(size_t(40) * c.nb_max_frames);
    double top = -1e30;
    for (int t = 0; t < c.nb_max_frames; ++t) {
        std::vector<double> power(n_bins);
        for (int k = 0; k < n_bins; ++k) {
            std::complex<double> acc = 0;
            for (int i = 0; i < n_fft; ++i) {
                const double w = 0.5 - 0.5 * std::cos(2 * kPi * i / n_fft);
                acc +=
                    w * sample(long(t) * hop + i - half) * std::polar(1.0, -2 * kPi * double(k) * i / n_fft);
            }
            power[k] = std::norm(acc);
        }
        for (int m = 0; m < 40; ++m) {
            double e = 0;
            for (int k = 0; k < n_bins; ++k) e += filters[size_t(m) * n_bins + k] * power[k];
            logmel[size_t(m) * c.nb_max_frames + t] = std::log10(std::max(e, 1e-10));
            top = std::max(top, logmel[size_t(m) * c.nb_max_frames + t]);
        }
    }
    double d = 0;
    for (size_t i = 0; i < logmel.size(); ++i)
        d = std::max(d, std::fabs((std::max(logmel[i], top - 8.0) + 4.0) / 4.0 - mel.data[i]));
    EXPECT_LE(d, 2e-6) << "n_fft " << n_fft;
}

TEST(WhisperFeatures, FftMatchesDirectDft) {
    expect_matches_direct_dft(400, 160);
    expect_matches_direct_dft(210, 70);
    expect_matches_direct_dft(225, 100);
}

TEST(WhisperFeatures, ToneLandsInItsMelBand) {
    const WhisperFeatureExtractor fe;
    const LogMel mel = fe.extract(tone(2.0, 1000.0));
    const std::vector<float> f = mel_filterbank(80, 400, 16000);
    int expect_band = 0;  // the filter with the largest weight at bin 25 (1000 Hz)
    for (int m = 1; m < 80; ++m)
        if (f[size_t(m) * 201 + 25] > f[size_t(expect_band) * 201 + 25]) expect_band = m;
    const int t = 100;  // 1 s in
    int best = 0;
    for (int m = 1; m < 80; ++m)
        if (mel.data[size_t(m) * 3000 + t] > mel.data[size_t(best) * 3000 + t]) best = m;
    EXPECT_EQ(best, expect_band);
}

TEST(WhisperFeatures, EmptyAndSilentAudioGiveOneWindowOfSilence) {
    const WhisperFeatureExtractor fe;
    for (size_t n : {size_t(0), size_t(16000)}) {
        Audio a;
        a.samples.assign(n, 0.0f);
        const LogMel mel = fe.extract(a);
        ASSERT_EQ(mel.windows, 1);
        ASSERT_EQ(mel.data.size(), size_t(80 * 3000));
        // log10(1e-10) = -10 everywhere, the clamp at max - 8 does nothing, (-10 + 4) / 4.
        for (float v : mel.data) ASSERT_EQ(v, -1.5f);
    }
}

TEST(WhisperFeatures, WindowCountFollowsTheSamples) {
    const WhisperFeatureExtractor fe;
    EXPECT_EQ(fe.windows_for(0), 1);
    EXPECT_EQ(fe.windows_for(11), 1);
    EXPECT_EQ(fe.windows_for(30.0), 1);
    EXPECT_EQ(fe.windows_for(30.0 + 1.0 / 16000), 2);
    EXPECT_EQ(fe.windows_for(60.0), 2);
    EXPECT_EQ(fe.windows_for(75.0), 3);
    for (size_t n : {size_t(480000), size_t(480001)}) {
        Audio a;
        a.samples.assign(n, 0.0f);
        EXPECT_EQ(fe.extract(a).windows, fe.windows_for(a.duration())) << n;
        EXPECT_EQ(fe.extract(a).windows, n == 480000 ? 1 : 2);
    }
}

TEST(WhisperFeatures, LongAudioIsCutIntoIndependentWindowsAndKeepsItsTail) {
    const WhisperFeatureExtractor fe;
    const Audio jfk = load_audio(fixture("media/jfk.wav"));
    Audio longer;
    while (longer.samples.size() < size_t(75 * 16000))
        longer.samples.insert(longer.samples.end(), jfk.samples.begin(), jfk.samples.end());
    longer.samples.resize(75 * 16000);
    int calls = 0;
    const LogMel mel = fe.extract(longer, [&](int done, int total) {
        EXPECT_EQ(total, 3);
        EXPECT_EQ(done, ++calls);
        return true;
    });
    ASSERT_EQ(mel.windows, 3);
    ASSERT_EQ(calls, 3);
    ASSERT_EQ(mel.data.size(), size_t(3) * 80 * 3000);

    // Window 2 is the 30..60 s slice computed on its own, exactly.
    Audio slice;
    slice.samples.assign(longer.samples.begin() + 480000, longer.samples.begin() + 960000);
    const LogMel alone = fe.extract(slice);
    ASSERT_EQ(alone.windows, 1);
    EXPECT_EQ(0, std::memcmp(mel.window(1), alone.data.data(), alone.data.size() * sizeof(float)));
    // Window 3 is the 15 s tail zero-padded to 30 s.
    Audio tail;
    tail.samples.assign(longer.samples.begin() + 960000, longer.samples.end());
    const LogMel tail_alone = fe.extract(tail);
    EXPECT_EQ(0, std::memcmp(mel.window(2), tail_alone.data.data(), tail_alone.data.size() * sizeof(float)));

    // A tone only in the last 5 s (70..75 s) shows up in window 3 at 10..15 s, nowhere else.
    const LogMel t = fe.extract(tone(75.0, 1000.0, 70.0));
    ASSERT_EQ(t.windows, 3);
    for (int w = 0; w < 2; ++w)
        for (size_t i = 0; i < size_t(80) * 3000; ++i) ASSERT_EQ(t.window(w)[i], -1.5f) << "window " << w;
    const float* w3 = t.window(2);
    const float floor_value = *std::min_element(w3, w3 + 80 * 3000);
    int loud_frames = 0;
    for (int f = 0; f < 3000; ++f) {
        float peak = floor_value;
        for (int m = 0; m < 80; ++m) peak = std::max(peak, w3[size_t(m) * 3000 + f]);
        const bool in_tone = f >= 1002 && f < 1498;
        if (in_tone) EXPECT_GT(peak, floor_value + 0.5f) << "frame " << f;
        if (f < 995 || f > 1505) EXPECT_EQ(peak, floor_value) << "frame " << f;
        loud_frames += peak > floor_value + 0.5f;
    }
    EXPECT_NEAR(loud_frames, 500, 6);
}

TEST(WhisperFeatures, CancelAndWrongRate) {
    const WhisperFeatureExtractor fe;
    Audio a;
    a.samples.assign(size_t(65) * 16000, 0.1f);
    EXPECT_EQ(test::error_code_of([&] { fe.extract(a, [](int done, int) { return done < 2; }); }),
              ErrorCode::Cancelled);
    a.sample_rate = 44100;
    EXPECT_EQ(test::error_code_of([&] { fe.extract(a); }), ErrorCode::InvalidArgument);
}

// --- preprocessor_config.json ------------------------------------------------------------------

TEST(WhisperFeatureConfig, ParsesAndValidates) {
    const auto tiny = WhisperFeatureExtractor::load(fixture("multimodal/whisper-tiny-random")).config();
    EXPECT_EQ(tiny.feature_size, 80);
    EXPECT_EQ(tiny.n_fft, 400);
    EXPECT_EQ(tiny.hop_length, 160);
    EXPECT_EQ(tiny.n_samples, 480000);
    EXPECT_EQ(tiny.nb_max_frames, 3000);

    // large-v3: 128 bins; n_samples / nb_max_frames derived when absent.
    const auto v3 = WhisperFeatureConfig::from_json(R"({"feature_size": 128, "chunk_length": 30})", "v3");
    EXPECT_EQ(v3.feature_size, 128);
    EXPECT_EQ(v3.n_samples, 480000);
    EXPECT_EQ(v3.nb_max_frames, 3000);
    const LogMel mel = WhisperFeatureExtractor(v3).extract(tone(1.0, 300.0));
    EXPECT_EQ(mel.n_mels, 128);
    EXPECT_EQ(mel.data.size(), size_t(128) * 3000);
    const auto back = WhisperFeatureConfig::from_json(v3.to_json(), "round trip");
    EXPECT_EQ(back.feature_size, 128);

    const std::string dir = test::make_temp_dir("melcfg");
    const std::string path = dir + "/preprocessor_config.json";
    const std::pair<const char*, ErrorCode> cases[] = {
        {R"({"feature_size": 80,)", ErrorCode::BadJson},
        {R"("whisper")", ErrorCode::BadJson},
        {R"({"feature_size": 0})", ErrorCode::BadConfig},
        {R"({"feature_size": 500})", ErrorCode::BadConfig},
        {R"({"feature_size": "80"})", ErrorCode::BadConfig},
        {R"({"n_fft": 1})", ErrorCode::BadConfig},
        {R"({"hop_length": 0})", ErrorCode::BadConfig},
        {R"({"hop_length": 160.5})", ErrorCode::BadConfig},
        {R"({"sampling_rate": -16000})", ErrorCode::BadConfig},
        {R"({"n_samples": 123})", ErrorCode::BadConfig},
        {R"({"nb_max_frames": 1500})", ErrorCode::BadConfig},
        {R"({"chunk_length": 0})", ErrorCode::BadConfig},
        {R"({"padding_value": 1.0})", ErrorCode::BadConfig},
    };
    for (const auto& [text, code] : cases) {
        test::write_file(path, text);
        try {
            WhisperFeatureExtractor::load(dir);
            ADD_FAILURE() << "accepted: " << text;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), code) << text << " -> " << e.what();
            EXPECT_EQ(e.where(), path) << text;
        }
    }
    EXPECT_EQ(test::error_code_of([&] { WhisperFeatureExtractor::load(dir + "/nowhere"); }),
              ErrorCode::FileNotFound);
}

}  // namespace
}  // namespace atelier
