#include "features/audio_features.h"

#include "common/error.h"
#include "common/json_util.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <complex>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace atelier {

using nlohmann::json;

namespace {

constexpr double kPi = 3.14159265358979323846;
using cd = std::complex<double>;

// Plain complex product: std::complex's operator* checks for inf/NaN (a libgcc call per product).
inline cd cmul(cd a, cd b) {
    return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}

// ---------------------------------------------------------------------------------------------
// FFT: mixed-radix Stockham (self-sorting, decimation in frequency), forward, unnormalised.
//
// A stage of radix r on sub-transforms of length n (stride s, n * s = N, m = n / r) reads, for each
// p < m and q < s, a_j = x[q + s (p + j m)], takes their r-point DFT b_k and writes
// y[q + s (r p + k)] = b_k w_n^(p k). The r outputs of each p start r independent length-m
// transforms (stride s r); after the last stage the spectrum is in natural order.
// Whisper's n_fft = 400 becomes a 200-point complex FFT (radices 4, 2, 5, 5) on even/odd pairs.
// ---------------------------------------------------------------------------------------------
class Fft {
public:
    explicit Fft(int n) : m_n(n) {
        int rest = n, len = n, stride = 1;
        for (int r : {4, 2, 3, 5}) {
            while (rest % r == 0) {
                add_stage(r, len, stride);
                rest /= r;
                len /= r;
                stride *= r;
            }
        }
        for (int r = 7; rest > 1; r += 2) {
            while (rest % r == 0) {
                add_stage(r, len, stride);
                rest /= r;
                len /= r;
                stride *= r;
            }
        }
    }

    int size() const { return m_n; }

    // In place on `data` (m_n values); `work` is scratch of the same size.
    void forward(cd* data, cd* work) const {
        cd* x = data;
        cd* y = work;
        for (const Stage& st : m_stages) {
            run_stage(st, x, y);
            std::swap(x, y);
        }
        if (x != data) std::copy(x, x + m_n, data);
    }

private:
    struct Stage {
        int radix, m, stride;
        size_t twiddle;  // offset into m_twiddles: [p][k = 1..r-1] w_n^(p k)
        size_t roots;    // offset into m_roots: w_r^j, j < r (generic radices only)
    };

    void add_stage(int r, int len, int stride) {
        Stage st{r, len / r, stride, m_twiddles.size(), m_roots.size()};
        for (int p = 0; p < st.m; ++p)
            for (int k = 1; k < r; ++k)
                m_twiddles.push_back(std::polar(1.0, -2.0 * kPi * double(p) * k / len));
        if (r > 5)
            for (int j = 0; j < r; ++j) m_roots.push_back(std::polar(1.0, -2.0 * kPi * j / r));
        m_stages.push_back(st);
    }

    static cd mul_neg_i(cd v) { return {v.imag(), -v.real()}; }  // v * (-i)

    void run_stage(const Stage& st, const cd* x, cd* y) const {
        const int r = st.radix, m = st.m, s = st.stride;
        const cd* tw = &m_twiddles[st.twiddle];
        cd a[64], b[64];
        std::vector<cd> big;  // radices above 64 (a prime factor that large is unusual)
        cd* pa = a;
        cd* pb = b;
        if (r > 64) {
            big.resize(size_t(2) * r);
            pa = big.data();
            pb = big.data() + r;
        }
        for (int p = 0; p < m; ++p) {
            const cd* w = tw + size_t(p) * (r - 1);
            for (int q = 0; q < s; ++q) {
                for (int j = 0; j < r; ++j) pa[j] = x[q + s * (p + j * m)];
                butterfly(r, pa, pb, st);
                cd* out = y + q + size_t(s) * r * p;
                out[0] = pb[0];
                for (int k = 1; k < r; ++k) out[size_t(s) * k] = cmul(pb[k], w[k - 1]);
            }
        }
    }

    void butterfly(int r, const cd* a, cd* b, const Stage& st) const {
        switch (r) {
            case 2:
                b[0] = a[0] + a[1];
                b[1] = a[0] - a[1];
                return;
            case 3: {
                constexpr double h = 0.86602540378443864676;  // sin(2 pi / 3)
                const cd s = a[1] + a[2];
                const cd t = a[0] - 0.5 * s;
                const cd u = mul_neg_i(h * (a[1] - a[2]));
                b[0] = a[0] + s;
                b[1] = t + u;
                b[2] = t - u;
                return;
            }
            case 4: {
                const cd s02 = a[0] + a[2], d02 = a[0] - a[2];
                const cd s13 = a[1] + a[3], d13 = mul_neg_i(a[1] - a[3]);
                b[0] = s02 + s13;
                b[1] = d02 + d13;
                b[2] = s02 - s13;
                b[3] = d02 - d13;
                return;
            }
            case 5: {
                const double c1 = std::cos(2 * kPi / 5), c2 = std::cos(4 * kPi / 5);
                const double s1 = std::sin(2 * kPi / 5), s2 = std::sin(4 * kPi / 5);
                const cd p1 = a[1] + a[4], m1 = a[1] - a[4];
                const cd p2 = a[2] + a[3], m2 = a[2] - a[3];
                const cd e1 = a[0] + c1 * p1 + c2 * p2, o1 = mul_neg_i(s1 * m1 + s2 * m2);
                const cd e2 = a[0] + c2 * p1 + c1 * p2, o2 = mul_neg_i(s2 * m1 - s1 * m2);
                b[0] = a[0] + p1 + p2;
                b[1] = e1 + o1;
                b[4] = e1 - o1;
                b[2] = e2 + o2;
                b[3] = e2 - o2;
                return;
            }
            default: {
                const cd* root = &m_roots[st.roots];
                for (int k = 0; k < r; ++k) {
                    cd acc = 0;
                    for (int j = 0; j < r; ++j) acc += cmul(a[j], root[(size_t(j) * k) % r]);
                    b[k] = acc;
                }
            }
        }
    }

    int m_n;
    std::vector<Stage> m_stages;
    std::vector<cd> m_twiddles;
    std::vector<cd> m_roots;
};

// |DFT(x)|^2 for the n/2 + 1 non-negative frequencies of a real frame of n samples. Even n: one
// complex FFT of n/2 on (x[2i], x[2i+1]) pairs, then split into the even/odd half spectra.
class PowerSpectrum {
public:
    explicit PowerSpectrum(int n) : m_n(n), m_fft(n % 2 == 0 ? n / 2 : n), m_buf(n), m_work(n) {
        if (n % 2 == 0)
            for (int k = 0; k <= n / 2; ++k) m_split.push_back(std::polar(1.0, -2.0 * kPi * k / n));
    }

    void operator()(const double* frame, double* power) {
        if (m_n % 2 != 0) {
            for (int i = 0; i < m_n; ++i) m_buf[i] = frame[i];
            m_fft.forward(m_buf.data(), m_work.data());
            for (int k = 0; k <= m_n / 2; ++k) power[k] = std::norm(m_buf[k]);
            return;
        }
        const int h = m_n / 2;
        for (int i = 0; i < h; ++i) m_buf[i] = cd(frame[2 * i], frame[2 * i + 1]);
        m_fft.forward(m_buf.data(), m_work.data());
        for (int k = 0; k <= h; ++k) {
            const cd zk = m_buf[k % h];
            const cd zc = std::conj(m_buf[(h - k) % h]);
            const cd even = 0.5 * (zk + zc);
            const cd odd = cd(0, -0.5) * (zk - zc);
            power[k] = std::norm(even + cmul(m_split[k], odd));
        }
    }

private:
    int m_n;
    Fft m_fft;
    std::vector<cd> m_buf, m_work, m_split;
};

// Slaney's mel scale (librosa htk=False): linear below 1 kHz, logarithmic above.
constexpr double kMelFSp = 200.0 / 3.0;
constexpr double kMinLogHz = 1000.0;
constexpr double kMinLogMel = kMinLogHz / kMelFSp;  // 15
const double kLogStep = std::log(6.4) / 27.0;

double hz_to_mel(double hz) {
    if (hz >= kMinLogHz) return kMinLogMel + std::log(hz / kMinLogHz) / kLogStep;
    return hz / kMelFSp;
}

double mel_to_hz(double mel) {
    if (mel >= kMinLogMel) return kMinLogHz * std::exp(kLogStep * (mel - kMinLogMel));
    return kMelFSp * mel;
}

[[noreturn]] void bad(const std::string& where, const std::string& detail) {
    throw Error(ErrorCode::BadConfig, where, detail);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Mel filterbank
// ---------------------------------------------------------------------------------------------
std::vector<double> mel_filterbank_f64(int n_mels, int n_fft, int sampling_rate) {
    if (n_mels <= 0 || n_fft <= 0 || sampling_rate <= 0)
        throw Error(ErrorCode::InvalidArgument, "",
                    "mel_filterbank: n_mels, n_fft and sampling_rate must be positive");
    const int n_bins = n_fft / 2 + 1;
    // Filter edges: n_mels + 2 points evenly spaced in mel from 0 Hz to sr / 2 (np.linspace).
    const double mel_lo = hz_to_mel(0.0), mel_hi = hz_to_mel(sampling_rate / 2.0);
    std::vector<double> edge(n_mels + 2);
    const double step = (mel_hi - mel_lo) / (n_mels + 1);
    for (int i = 0; i < n_mels + 2; ++i) edge[i] = mel_to_hz(i == n_mels + 1 ? mel_hi : mel_lo + i * step);

    std::vector<double> filters(size_t(n_mels) * n_bins, 0.0);
    for (int i = 0; i < n_mels; ++i) {
        const double rise = edge[i + 1] - edge[i], fall = edge[i + 2] - edge[i + 1];
        const double area_norm = 2.0 / (edge[i + 2] - edge[i]);  // "slaney": constant energy per filter
        for (int k = 0; k < n_bins; ++k) {
            const double f = double(k) * sampling_rate / n_fft;
            const double up = (f - edge[i]) / rise;
            const double down = (edge[i + 2] - f) / fall;
            filters[size_t(i) * n_bins + k] = std::max(0.0, std::min(up, down)) * area_norm;
        }
    }
    return filters;
}

std::vector<float> mel_filterbank(int n_mels, int n_fft, int sampling_rate) {
    const std::vector<double> f = mel_filterbank_f64(n_mels, n_fft, sampling_rate);
    return std::vector<float>(f.begin(), f.end());
}

// ---------------------------------------------------------------------------------------------
// preprocessor_config.json
// ---------------------------------------------------------------------------------------------
WhisperFeatureConfig WhisperFeatureConfig::from_json(const std::string& json_text, const std::string& where) {
    json j = parse_json_object(json_text, where, "preprocessor config");

    auto get_int = [&](const char* key, int fallback, int lo, int hi) {
        auto it = j.find(key);
        if (it == j.end() || it->is_null()) return fallback;
        if (!it->is_number_integer())
            bad(where, std::string("\"") + key + "\" must be an integer, got " + it->dump());
        const int64_t v = it->get<int64_t>();
        if (v < lo || v > hi)
            bad(where, std::string("\"") + key + "\" = " + std::to_string(v) + " is outside " +
                           std::to_string(lo) + ".." + std::to_string(hi));
        return int(v);
    };

    WhisperFeatureConfig c;
    c.n_fft = get_int("n_fft", c.n_fft, 2, 1 << 16);
    c.feature_size = get_int("feature_size", c.feature_size, 1, c.n_fft / 2 + 1);
    c.sampling_rate = get_int("sampling_rate", c.sampling_rate, 1000, 384000);
    c.hop_length = get_int("hop_length", c.hop_length, 1, 1 << 16);
    c.chunk_length = get_int("chunk_length", c.chunk_length, 1, 3600);
    const int64_t samples = int64_t(c.chunk_length) * c.sampling_rate;
    if (samples > (int64_t(1) << 30)) bad(where, "chunk_length * sampling_rate is too large");
    c.n_samples = get_int("n_samples", int(samples), 1, 1 << 30);
    if (c.n_samples != samples)
        bad(where, "\"n_samples\" = " + std::to_string(c.n_samples) +
                       " is not chunk_length * sampling_rate = " + std::to_string(samples));
    if (c.n_samples <= c.n_fft) bad(where, "\"n_samples\" must exceed n_fft");
    c.nb_max_frames = get_int("nb_max_frames", c.n_samples / c.hop_length, 1, 1 << 30);
    if (c.nb_max_frames != c.n_samples / c.hop_length)
        bad(where, "\"nb_max_frames\" = " + std::to_string(c.nb_max_frames) +
                       " is not n_samples / hop_length = " + std::to_string(c.n_samples / c.hop_length));
    if (auto it = j.find("padding_value"); it != j.end() && !it->is_null())
        if (!it->is_number() || it->get<double>() != 0.0)
            bad(where, "\"padding_value\" other than 0.0 is not supported");
    if (auto it = j.find("padding_side"); it != j.end() && !it->is_null())
        if (!it->is_string() || it->get<std::string>() != "right")
            bad(where, "\"padding_side\" other than \"right\" is not supported");
    return c;
}

std::string WhisperFeatureConfig::to_json() const {
    json j;
    j["feature_extractor_type"] = "WhisperFeatureExtractor";
    j["feature_size"] = feature_size;
    j["sampling_rate"] = sampling_rate;
    j["hop_length"] = hop_length;
    j["n_fft"] = n_fft;
    j["chunk_length"] = chunk_length;
    j["n_samples"] = n_samples;
    j["nb_max_frames"] = nb_max_frames;
    j["padding_side"] = "right";
    j["padding_value"] = 0.0;
    return j.dump(2);
}

// ---------------------------------------------------------------------------------------------
// WhisperFeatureExtractor
// ---------------------------------------------------------------------------------------------
WhisperFeatureExtractor::WhisperFeatureExtractor() : WhisperFeatureExtractor(WhisperFeatureConfig{}) {}

WhisperFeatureExtractor::WhisperFeatureExtractor(WhisperFeatureConfig config) : m_config(std::move(config)) {
    const WhisperFeatureConfig& c = m_config;
    if (c.n_fft < 2 || c.hop_length < 1 || c.feature_size < 1 || c.sampling_rate < 1 ||
        c.n_samples <= c.n_fft || c.nb_max_frames < 1 ||
        int64_t(c.nb_max_frames - 1) * c.hop_length + c.n_fft > int64_t(c.n_samples) + 2 * (c.n_fft / 2))
        throw Error(ErrorCode::InvalidArgument, "",
                    "WhisperFeatureExtractor: inconsistent config " + c.to_json());
    m_filters = mel_filterbank_f64(c.feature_size, c.n_fft, c.sampling_rate);
    const int n_bins = c.n_fft / 2 + 1;
    m_filter_first.assign(c.feature_size, 0);
    m_filter_end.assign(c.feature_size, 0);
    for (int m = 0; m < c.feature_size; ++m) {
        const double* row = &m_filters[size_t(m) * n_bins];
        int first = 0, end = n_bins;
        while (first < n_bins && row[first] == 0.0) ++first;
        while (end > first && row[end - 1] == 0.0) --end;
        m_filter_first[m] = first;
        m_filter_end[m] = end;
    }
    // Periodic Hann (torch.hann_window(n_fft), np.hanning(n_fft + 1)[:-1]).
    m_window.resize(c.n_fft);
    for (int i = 0; i < c.n_fft; ++i) m_window[i] = 0.5 - 0.5 * std::cos(2.0 * kPi * i / c.n_fft);
}

WhisperFeatureExtractor WhisperFeatureExtractor::load(const std::string& dir) {
    const std::string path = (std::filesystem::path(dir) / "preprocessor_config.json").string();
    std::ifstream f(path, std::ios::binary);
    if (!f) throw Error(ErrorCode::FileNotFound, path, "preprocessor_config.json not found");
    std::ostringstream ss;
    ss << f.rdbuf();
    return WhisperFeatureExtractor(WhisperFeatureConfig::from_json(ss.str(), path));
}

int WhisperFeatureExtractor::windows_for(double seconds) const {
    if (!(seconds > 0)) return 1;
    // Counted in samples, so exactly 30 s (480000 samples) is one window, not two.
    const double samples = std::round(seconds * m_config.sampling_rate);
    return std::max(1, int(std::ceil(samples / m_config.n_samples)));
}

LogMel WhisperFeatureExtractor::extract(const Audio& audio, const FeatureProgress& progress) const {
    const WhisperFeatureConfig& c = m_config;
    if (audio.sample_rate != c.sampling_rate)
        throw Error(ErrorCode::InvalidArgument, "",
                    "audio at " + std::to_string(audio.sample_rate) + " Hz, the feature extractor needs " +
                        std::to_string(c.sampling_rate) + " Hz");
    const size_t total = audio.samples.size();
    const int windows = std::max<int>(1, int((total + c.n_samples - 1) / c.n_samples));
    const int n_mels = c.feature_size, frames = c.nb_max_frames, n_fft = c.n_fft, half = c.n_fft / 2;
    const int n_bins = n_fft / 2 + 1;

    LogMel out;
    out.windows = windows;
    out.n_mels = n_mels;
    out.frames = frames;
    out.audio_seconds = audio.duration();
    out.data.resize(size_t(windows) * n_mels * frames);

    PowerSpectrum spectrum(n_fft);
    // One window's samples, zero-padded to n_samples, with n_fft / 2 reflected samples either side
    // (torch.stft(center=True, pad_mode="reflect") on the padded 30 s chunk).
    std::vector<double> padded(size_t(c.n_samples) + 2 * half);
    std::vector<double> frame(n_fft), power(n_bins), logmel(size_t(n_mels) * frames);
    for (int w = 0; w < windows; ++w) {
        const size_t begin = size_t(w) * c.n_samples;
        const size_t count = begin < total ? std::min<size_t>(c.n_samples, total - begin) : 0;
        const float* src = audio.samples.data() + begin;
        double* body = padded.data() + half;
        for (size_t i = 0; i < count; ++i) body[i] = src[i];
        std::fill(body + count, body + c.n_samples, 0.0);
        for (int i = 1; i <= half; ++i) {
            body[-i] = body[i];
            body[c.n_samples - 1 + i] = body[c.n_samples - 1 - i];
        }

        double top = -std::numeric_limits<double>::infinity();
        for (int t = 0; t < frames; ++t) {  // the STFT's last frame (t == n_samples / hop) is dropped
            const double* x = padded.data() + size_t(t) * c.hop_length;
            for (int i = 0; i < n_fft; ++i) frame[i] = x[i] * m_window[i];
            spectrum(frame.data(), power.data());
            for (int m = 0; m < n_mels; ++m) {
                const double* row = &m_filters[size_t(m) * n_bins];
                double acc = 0.0;
                for (int k = m_filter_first[m]; k < m_filter_end[m]; ++k) acc += row[k] * power[k];
                const double v = std::log10(std::max(acc, 1e-10));
                logmel[size_t(m) * frames + t] = v;
                top = std::max(top, v);
            }
        }
        // Dynamic range of 8 (log10 units) below this window's peak, then scaled to about [-1, 1].
        const double floor_value = top - 8.0;
        float* dst = out.data.data() + size_t(w) * n_mels * frames;
        for (size_t i = 0; i < logmel.size(); ++i)
            dst[i] = float((std::max(logmel[i], floor_value) + 4.0) / 4.0);
        if (progress && !progress(w + 1, windows))
            throw Error(ErrorCode::Cancelled, "", "log-mel extraction cancelled");
    }
    return out;
}

}  // namespace atelier
