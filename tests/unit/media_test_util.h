// Helpers shared by the media tests (test_media_decode.cpp, test_media_video.cpp): scratch files
// made with the ffmpeg/ImageMagick CLIs, independent CLI decodes as references, pixel and signal
// measures, EXIF/PNG writers.
#pragma once

#include "media/media.h"
#include "test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

namespace atelier::test::media_test {

namespace fs = std::filesystem;
using namespace atelier;
using atelier::test::error_code_of;
using atelier::test::fixture;
using atelier::test::make_temp_dir;
using atelier::test::read_file;
using atelier::test::run_command;
using atelier::test::write_file;

inline std::string media(const std::string& name) {
    return fixture("media/" + name);
}

// One scratch folder for the whole run; generated files are made once and shared by tests.
inline const std::string& scratch() {
    static const std::string dir = make_temp_dir("media");
    return dir;
}

// Runs an ffmpeg command line (arguments after `ffmpeg -v error -y -threads 1`-ish) making `name` in
// the scratch folder, once. Returns its path.
inline std::string generated(const std::string& name, const std::string& args) {
    static std::mutex mu;
    std::lock_guard<std::mutex> lock(mu);
    const std::string path = scratch() + "/" + name;
    if (!fs::exists(path)) {
        const std::string cmd = "ffmpeg -nostdin -v error -y " + args + " '" + path + "' 2>&1";
        std::string out;
        const int rc = run_command(cmd, &out);
        if (rc != 0 || !fs::exists(path)) throw std::runtime_error("command failed: " + cmd + "\n" + out);
    }
    return path;
}

inline std::string shell(const std::string& cmd) {
    std::string out;
    const int rc = run_command(cmd, &out);
    if (rc != 0) throw std::runtime_error("command failed (" + std::to_string(rc) + "): " + cmd);
    return out;
}

// The ffmpeg CLI's own decode to RGB24 (frames concatenated).
inline std::string cli_rgb(const std::string& path, const std::string& extra = "") {
    return shell("ffmpeg -nostdin -v error -i '" + path + "' " + extra +
                 " -f rawvideo -pix_fmt rgb24 - 2>/dev/null");
}

inline std::vector<float> cli_pcm(const std::string& path, int rate) {
    const std::string raw = shell("ffmpeg -nostdin -v error -i '" + path + "' -vn -ac 1 -ar " +
                                  std::to_string(rate) + " -f f32le - 2>/dev/null");
    std::vector<float> v(raw.size() / 4);
    std::memcpy(v.data(), raw.data(), v.size() * 4);
    return v;
}

struct Diff {
    double mean = 0;
    int max = 0;
};

inline Diff diff(const std::vector<uint8_t>& a, const std::string& b, size_t offset = 0) {
    Diff d;
    EXPECT_LE(offset + a.size(), b.size());
    if (offset + a.size() > b.size()) return {1e9, 255};
    double sum = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        const int e = std::abs(int(a[i]) - int(uint8_t(b[offset + i])));
        sum += e;
        d.max = std::max(d.max, e);
    }
    d.mean = a.empty() ? 0 : sum / a.size();
    return d;
}

inline std::array<int, 3> pixel(const Image& img, int x, int y) {
    const uint8_t* p = &img.rgb[(size_t(y) * img.width + x) * 3];
    return {p[0], p[1], p[2]};
}

inline std::array<double, 3> mean_rgb(const Image& img) {
    std::array<double, 3> m{0, 0, 0};
    for (size_t i = 0; i < img.rgb.size(); ++i) m[i % 3] += img.rgb[i];
    for (auto& v : m) v /= double(img.width) * img.height;
    return m;
}

inline double rms(const std::vector<float>& x, size_t from = 0, size_t to = SIZE_MAX) {
    to = std::min(to, x.size());
    double s = 0;
    for (size_t i = from; i < to; ++i) s += double(x[i]) * x[i];
    return to > from ? std::sqrt(s / double(to - from)) : 0;
}

// Samples of a little-endian PCM16 mono WAV, found by walking its chunks.
inline std::vector<int16_t> wav_pcm16(const std::string& path) {
    const std::string b = read_file(path);
    size_t i = 12;
    while (i + 8 <= b.size()) {
        uint32_t len;
        std::memcpy(&len, b.data() + i + 4, 4);
        if (b.compare(i, 4, "data") == 0) {
            std::vector<int16_t> v(std::min<size_t>(len, b.size() - i - 8) / 2);
            std::memcpy(v.data(), b.data() + i + 8, v.size() * 2);
            return v;
        }
        i += 8 + len + (len & 1);
    }
    return {};
}

// Max normalised cross-correlation of a against b over lags in [-max_lag, max_lag].
inline double best_correlation(const std::vector<float>& a, const std::vector<float>& b, int max_lag) {
    double best = -1;
    const size_t n = std::min(a.size(), b.size());
    for (int lag = -max_lag; lag <= max_lag; lag += 1) {
        double ab = 0, aa = 0, bb = 0;
        for (size_t i = size_t(std::max(0, -lag)); i < n && i + lag < n; i += 1) {
            const double x = a[i], y = b[i + lag];
            ab += x * y, aa += x * x, bb += y * y;
        }
        if (aa > 0 && bb > 0) best = std::max(best, ab / std::sqrt(aa * bb));
    }
    return best;
}

// Reference image transforms for the EXIF test, written independently of the implementation.
inline Image rot90cw(const Image& a) {
    Image o{a.height, a.width, std::vector<uint8_t>(a.rgb.size())};
    for (int y = 0; y < a.height; ++y)
        for (int x = 0; x < a.width; ++x)  // stored (x, y) -> shown (H-1-y, x)
            std::memcpy(&o.rgb[(size_t(x) * o.width + (a.height - 1 - y)) * 3],
                        &a.rgb[(size_t(y) * a.width + x) * 3], 3);
    return o;
}
inline Image mirror(const Image& a) {
    Image o = a;
    for (int y = 0; y < a.height; ++y)
        for (int x = 0; x < a.width; ++x)
            std::memcpy(&o.rgb[(size_t(y) * a.width + (a.width - 1 - x)) * 3],
                        &a.rgb[(size_t(y) * a.width + x) * 3], 3);
    return o;
}
inline Image expected_orientation(const Image& a, int o) {
    switch (o) {
        case 2: return mirror(a);
        case 3: return rot90cw(rot90cw(a));
        case 4: return mirror(rot90cw(rot90cw(a)));
        case 5: return mirror(rot90cw(a));
        case 6: return rot90cw(a);
        case 7: return mirror(rot90cw(rot90cw(rot90cw(a))));
        case 8: return rot90cw(rot90cw(rot90cw(a)));
        default: return a;
    }
}

// A JPEG with an EXIF APP1 segment holding IFD0 Orientation = o, in either byte order.
inline std::string with_exif_orientation(const std::string& jpeg, int o, bool big_endian) {
    std::string tiff;
    auto u16 = [&](uint16_t v) {
        if (big_endian)
            tiff += char(v >> 8), tiff += char(v & 0xff);
        else
            tiff += char(v & 0xff), tiff += char(v >> 8);
    };
    auto u32 = [&](uint32_t v) {
        if (big_endian)
            u16(uint16_t(v >> 16)), u16(uint16_t(v));
        else
            u16(uint16_t(v)), u16(uint16_t(v >> 16));
    };
    tiff += big_endian ? "MM" : "II";
    u16(42);
    u32(8);                                                 // IFD0 offset
    u16(1);                                                 // one entry
    u16(0x0112), u16(3), u32(1), u16(uint16_t(o)), u16(0);  // Orientation, SHORT, count 1, value
    u32(0);                                                 // no next IFD
    const std::string payload = std::string("Exif\0\0", 6) + tiff;
    const size_t len = payload.size() + 2;
    std::string seg = "\xff\xe1";
    seg += char(len >> 8), seg += char(len & 0xff);
    return jpeg.substr(0, 2) + seg + payload + jpeg.substr(2);
}

inline uint32_t crc32(const std::string& s) {
    uint32_t c = 0xffffffffu;
    for (unsigned char ch : s) {
        c ^= ch;
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return ~c;
}

inline std::string be32(uint32_t v) {
    return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

inline std::string png_chunk(const std::string& type, const std::string& data) {
    return be32(uint32_t(data.size())) + type + data + be32(crc32(type + data));
}

// Colour code of second s in the generated per-second video: bit0 red, bit1 green, bit2 blue.
inline int colour_code(const Image& img) {
    const auto m = mean_rgb(img);
    return (m[0] > 128 ? 1 : 0) | (m[1] > 128 ? 2 : 0) | (m[2] > 128 ? 4 : 0);
}

// 10 s, 64x64, 25 fps, one solid colour per second (code = second mod 8), GOP of 50 frames (2 s).
inline std::string seconds_video() {
    return generated("seconds.mp4",
                     "-f lavfi -i color=c=black:s=64x64:r=25:d=10 -vf "
                     "\"geq=r='255*mod(floor(T),2)':g='255*mod(floor(T/2),2)':b='255*mod(floor(T/4),2)'\" "
                     "-c:v libx264 -preset ultrafast -pix_fmt yuv420p -threads 1 "
                     "-x264-params keyint=50:min-keyint=50:scenecut=0");
}

template <typename F>
inline ErrorCode code_and_detail(F&& f, std::string* detail) {
    try {
        f();
    } catch (const atelier::Error& e) {
        *detail = e.detail();
        return e.code();
    }
    ADD_FAILURE() << "no atelier::Error thrown";
    return ErrorCode::Io;
}

}  // namespace atelier::test::media_test
