// core/media against real files: the fixture media, files the ffmpeg/ImageMagick CLIs make here
// (pixel formats, EXIF orientations, rotated, variable-rate and long-GOP videos, tones), corrupted
// copies, and independent decodes by the `ffmpeg` CLI as the reference.
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

namespace fs = std::filesystem;
using namespace atelier;
using atelier::test::error_code_of;
using atelier::test::fixture;
using atelier::test::make_temp_dir;
using atelier::test::read_file;
using atelier::test::run_command;
using atelier::test::write_file;

namespace {

std::string media(const std::string& name) {
    return fixture("media/" + name);
}

// One scratch folder for the whole run; generated files are made once and shared by tests.
const std::string& scratch() {
    static const std::string dir = make_temp_dir("media");
    return dir;
}

// Runs an ffmpeg command line (arguments after `ffmpeg -v error -y -threads 1`-ish) making `name` in
// the scratch folder, once. Returns its path.
std::string generated(const std::string& name, const std::string& args) {
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

std::string shell(const std::string& cmd) {
    std::string out;
    const int rc = run_command(cmd, &out);
    if (rc != 0) throw std::runtime_error("command failed (" + std::to_string(rc) + "): " + cmd);
    return out;
}

// The ffmpeg CLI's own decode to RGB24 (frames concatenated).
std::string cli_rgb(const std::string& path, const std::string& extra = "") {
    return shell("ffmpeg -nostdin -v error -i '" + path + "' " + extra +
                 " -f rawvideo -pix_fmt rgb24 - 2>/dev/null");
}

std::vector<float> cli_pcm(const std::string& path, int rate) {
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

Diff diff(const std::vector<uint8_t>& a, const std::string& b, size_t offset = 0) {
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

std::array<int, 3> pixel(const Image& img, int x, int y) {
    const uint8_t* p = &img.rgb[(size_t(y) * img.width + x) * 3];
    return {p[0], p[1], p[2]};
}

std::array<double, 3> mean_rgb(const Image& img) {
    std::array<double, 3> m{0, 0, 0};
    for (size_t i = 0; i < img.rgb.size(); ++i) m[i % 3] += img.rgb[i];
    for (auto& v : m) v /= double(img.width) * img.height;
    return m;
}

double rms(const std::vector<float>& x, size_t from = 0, size_t to = SIZE_MAX) {
    to = std::min(to, x.size());
    double s = 0;
    for (size_t i = from; i < to; ++i) s += double(x[i]) * x[i];
    return to > from ? std::sqrt(s / double(to - from)) : 0;
}

// Samples of a little-endian PCM16 mono WAV, found by walking its chunks.
std::vector<int16_t> wav_pcm16(const std::string& path) {
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
double best_correlation(const std::vector<float>& a, const std::vector<float>& b, int max_lag) {
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
Image rot90cw(const Image& a) {
    Image o{a.height, a.width, std::vector<uint8_t>(a.rgb.size())};
    for (int y = 0; y < a.height; ++y)
        for (int x = 0; x < a.width; ++x)  // stored (x, y) -> shown (H-1-y, x)
            std::memcpy(&o.rgb[(size_t(x) * o.width + (a.height - 1 - y)) * 3],
                        &a.rgb[(size_t(y) * a.width + x) * 3], 3);
    return o;
}
Image mirror(const Image& a) {
    Image o = a;
    for (int y = 0; y < a.height; ++y)
        for (int x = 0; x < a.width; ++x)
            std::memcpy(&o.rgb[(size_t(y) * a.width + (a.width - 1 - x)) * 3],
                        &a.rgb[(size_t(y) * a.width + x) * 3], 3);
    return o;
}
Image expected_orientation(const Image& a, int o) {
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
std::string with_exif_orientation(const std::string& jpeg, int o, bool big_endian) {
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

uint32_t crc32(const std::string& s) {
    uint32_t c = 0xffffffffu;
    for (unsigned char ch : s) {
        c ^= ch;
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return ~c;
}

std::string be32(uint32_t v) {
    return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

std::string png_chunk(const std::string& type, const std::string& data) {
    return be32(uint32_t(data.size())) + type + data + be32(crc32(type + data));
}

// Colour code of second s in the generated per-second video: bit0 red, bit1 green, bit2 blue.
int colour_code(const Image& img) {
    const auto m = mean_rgb(img);
    return (m[0] > 128 ? 1 : 0) | (m[1] > 128 ? 2 : 0) | (m[2] > 128 ? 4 : 0);
}

// 10 s, 64x64, 25 fps, one solid colour per second (code = second mod 8), GOP of 50 frames (2 s).
std::string seconds_video() {
    return generated("seconds.mp4",
                     "-f lavfi -i color=c=black:s=64x64:r=25:d=10 -vf "
                     "\"geq=r='255*mod(floor(T),2)':g='255*mod(floor(T/2),2)':b='255*mod(floor(T/4),2)'\" "
                     "-c:v libx264 -preset ultrafast -pix_fmt yuv420p -threads 1 "
                     "-x264-params keyint=50:min-keyint=50:scenecut=0");
}

template <typename F>
ErrorCode code_and_detail(F&& f, std::string* detail) {
    try {
        f();
    } catch (const atelier::Error& e) {
        *detail = e.detail();
        return e.code();
    }
    ADD_FAILURE() << "no atelier::Error thrown";
    return ErrorCode::Io;
}

}  // namespace

// ---- Images -----------------------------------------------------------------------------------------

TEST(MediaImage, FixturePngsMatchTheFfmpegCliExactly) {
    struct Case {
        const char* name;
        int w, h;
    };
    for (Case c :
         {Case{"astronaut.png", 512, 512}, Case{"chelsea.png", 451, 300}, Case{"coffee.png", 600, 400}}) {
        SCOPED_TRACE(c.name);
        const Image img = decode_image(media(c.name));
        EXPECT_EQ(img.width, c.w);
        EXPECT_EQ(img.height, c.h);
        ASSERT_EQ(img.rgb.size(), size_t(c.w) * c.h * 3);
        const Diff d = diff(img.rgb, cli_rgb(media(c.name)));
        EXPECT_EQ(d.max, 0);
        const MediaInfo info = probe_media(media(c.name));
        EXPECT_EQ(info.kind, MediaKind::Image);
        EXPECT_EQ(info.video_codec, "png");
        EXPECT_EQ(std::string(media_kind_name(info.kind)), "image");
    }
}

TEST(MediaImage, JpegMatchesTheFfmpegCliClosely) {
    const Image img = decode_image(media("rocket.jpg"));
    EXPECT_EQ(img.width, 640);
    EXPECT_EQ(img.height, 427);
    const Diff d = diff(img.rgb, cli_rgb(media("rocket.jpg")));
    // Same decoder; only the YCbCr -> RGB rounding may differ (we ask swscale for accurate rounding).
    EXPECT_LT(d.mean, 0.6);
    EXPECT_LE(d.max, 3);
}

TEST(MediaImage, PixelFormatsAndContainersDecodeLikeTheCli) {
    const std::string src = media("chelsea.png");
    const Image ref = decode_image(src);
    struct Case {
        const char* file;
        std::string args;
        int tolerance;     // max |difference| against the CLI's rgb24 of the same file
        bool grey;         // R == G == B expected
        bool same_as_ref;  // pixels equal to the source's (lossless, alpha dropped)
    };
    const std::string in = "-i '" + src + "' ";
    const std::vector<Case> cases = {
        {"grey8.png", in + "-pix_fmt gray", 0, true, false},
        {"grey16.png", in + "-pix_fmt gray16be", 1, true, false},
        {"grey_alpha.png", in + "-pix_fmt ya8", 0, true, false},
        {"rgb48.png", in + "-pix_fmt rgb48be", 1, false, true},
        {"rgba.png", in + "-vf \"format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='X'\" -pix_fmt rgba", 0,
         false, false},
        {"rgba64.png", in + "-pix_fmt rgba64be", 1, false, true},
        {"palette.png", in + "-vf \"split[a][b];[a]palettegen[p];[b][p]paletteuse\" -pix_fmt pal8", 0, false,
         false},
        {"lossless.webp", in + "-c:v libwebp -lossless 1", 0, false, true},
        // 4:2:0 chroma: we interpolate chroma fully (SWS_FULL_CHR_H_INT), the CLI does not.
        {"lossy.webp", in + "-c:v libwebp -quality 90", 40, false, false},
        {"plain.bmp", in, 0, false, true},
        {"plain.tiff", in, 0, false, true},
        {"first.gif", in + "-vf \"split[a][b];[a]palettegen[p];[b][p]paletteuse\"", 0, false, false},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.file);
        const std::string path = generated(c.file, c.args);
        const Image img = decode_image(path);
        ASSERT_EQ(img.width, 451);
        ASSERT_EQ(img.height, 300);
        const Diff d = diff(img.rgb, cli_rgb(path, "-frames:v 1"));
        EXPECT_LE(d.max, c.tolerance) << "mean " << d.mean;
        if (c.grey)
            for (size_t i = 0; i < img.rgb.size(); i += 3) {
                ASSERT_EQ(img.rgb[i], img.rgb[i + 1]);
                ASSERT_EQ(img.rgb[i], img.rgb[i + 2]);
            }
        if (c.same_as_ref) EXPECT_LE(diff(img.rgb, std::string(ref.rgb.begin(), ref.rgb.end())).max, 0);
        EXPECT_LT(d.mean, 2.0);
    }
    // Alpha is dropped, not composited: our RGB equals the RGB of the CLI's RGBA.
    const std::string rgba_path = scratch() + "/rgba.png";
    {
        const std::string raw =
            shell("ffmpeg -nostdin -v error -i '" + rgba_path + "' -f rawvideo -pix_fmt rgba - 2>/dev/null");
        const Image img = decode_image(rgba_path);
        ASSERT_EQ(raw.size(), size_t(img.width) * img.height * 4);
        EXPECT_NE(raw[3], raw[4 * 300 + 3]);  // alpha varies
        for (size_t p = 0; p < size_t(img.width) * img.height; ++p)
            for (int k = 0; k < 3; ++k) ASSERT_EQ(img.rgb[p * 3 + k], uint8_t(raw[p * 4 + k])) << p;
    }
    // ImageMagick's own 16-bit grey and palette encoders too.
    const std::string im16 = scratch() + "/im_grey16.png", im8 = scratch() + "/im_palette.png";
    shell("convert '" + src + "' -colorspace Gray -depth 16 PNG48:'" + im16 + "' && convert '" + src +
          "' -colors 64 PNG8:'" + im8 + "'");
    for (const std::string& p : {im16, im8}) {
        SCOPED_TRACE(p);
        const Image img = decode_image(p);
        EXPECT_EQ(img.width, 451);
        EXPECT_LE(diff(img.rgb, cli_rgb(p)).max, 1);
    }
}

TEST(MediaImage, AllEightExifOrientationsAreApplied) {
    // A small, clearly asymmetric JPEG (the cat), then the same bytes with each EXIF orientation.
    const std::string base_path =
        generated("base.jpg", "-i '" + media("chelsea.png") + "' -vf scale=48:32 -q:v 2");
    const std::string jpeg = read_file(base_path);
    const Image base = decode_image(base_path);
    ASSERT_EQ(base.width, 48);
    ASSERT_EQ(base.height, 32);
    for (int o = 1; o <= 8; ++o) {
        for (bool be : {true, false}) {
            SCOPED_TRACE("orientation " + std::to_string(o) + (be ? " MM" : " II"));
            const std::string p = scratch() + "/exif" + std::to_string(o) + (be ? "mm" : "ii") + ".jpg";
            write_file(p, with_exif_orientation(jpeg, o, be));
            const Image img = decode_image(p);
            const Image want = expected_orientation(base, o);
            ASSERT_EQ(img.width, want.width);
            ASSERT_EQ(img.height, want.height);
            EXPECT_EQ(img.rgb, want.rgb);
            // ImageMagick (libjpeg, its own EXIF reader) agrees, up to IDCT rounding.
            const std::string im = shell("convert '" + p + "' -auto-orient -depth 8 rgb:-");
            EXPECT_LT(diff(img.rgb, im).mean, 3.0);
        }
    }
}

// ---- Audio ------------------------------------------------------------------------------------------

TEST(MediaAudio, WavDecodesToItsExactPcm16Samples) {
    const std::vector<int16_t> raw = wav_pcm16(media("jfk.wav"));
    ASSERT_EQ(raw.size(), 176000u);  // 11 s at 16 kHz
    const Audio a = decode_audio(media("jfk.wav"), 16000);
    EXPECT_EQ(a.sample_rate, 16000);
    ASSERT_EQ(a.samples.size(), raw.size());
    for (size_t i = 0; i < raw.size(); ++i) ASSERT_EQ(a.samples[i], raw[i] / 32768.0f) << i;
    EXPECT_DOUBLE_EQ(a.duration(), 11.0);

    const MediaInfo info = probe_media(media("jfk.wav"));
    EXPECT_EQ(info.kind, MediaKind::Audio);
    EXPECT_EQ(info.sample_rate, 16000);
    EXPECT_EQ(info.channels, 1);
    EXPECT_EQ(info.audio_codec, "pcm_s16le");
    EXPECT_NEAR(info.duration, 11.0, 1e-3);
    EXPECT_FALSE(info.has_video);

    // Resampled up: the length follows the rate exactly (resampler flushed).
    const Audio up = decode_audio(media("jfk.wav"), 44100);
    EXPECT_NEAR(double(up.samples.size()), 176000.0 * 44100 / 16000, 1.0);
}

TEST(MediaAudio, Mp3MatchesTheWavAndTheCli) {
    const Audio wav = decode_audio(media("jfk.wav"));
    const Audio mp3 = decode_audio(media("jfk.mp3"));
    EXPECT_NEAR(mp3.duration(), wav.duration(), 0.1);
    EXPECT_GT(best_correlation(wav.samples, mp3.samples, 200), 0.95);
    const std::vector<float> cli = cli_pcm(media("jfk.mp3"), 16000);
    ASSERT_EQ(mp3.samples.size(), cli.size());
    double max_err = 0;
    for (size_t i = 0; i < cli.size(); ++i)
        max_err = std::max(max_err, double(std::abs(cli[i] - mp3.samples[i])));
    EXPECT_LT(max_err, 1e-4);
}

TEST(MediaAudio, AudioTracksOfTheFixtureVideos) {
    struct Case {
        const char* name;
        double seconds;
    };
    for (Case c : {Case{"astronaut_jfk.mp4", 11.0}, Case{"astronaut_jfk.webm", 4.0}}) {
        SCOPED_TRACE(c.name);
        const Audio a = decode_audio(media(c.name), 16000);
        EXPECT_NEAR(a.duration(), c.seconds, 0.1);
        EXPECT_GT(rms(a.samples), 0.01);
        const std::vector<float> cli = cli_pcm(media(c.name), 16000);
        EXPECT_NEAR(double(a.samples.size()), double(cli.size()), 2.0);
        const size_t n = std::min(cli.size(), a.samples.size());
        double max_err = 0;
        for (size_t i = 0; i < n; ++i) max_err = std::max(max_err, double(std::abs(cli[i] - a.samples[i])));
        EXPECT_LT(max_err, 1e-3);
    }
    // The speech itself: the mp4's AAC track correlates with the original WAV.
    EXPECT_GT(best_correlation(decode_audio(media("jfk.wav")).samples,
                               decode_audio(media("astronaut_jfk.mp4")).samples, 2048),
              0.9);
}

TEST(MediaAudio, StereoToneKeepsItsTailAndLevel) {
    // 3.3 s of 440 Hz at amplitude 1/8 in both channels of a 44.1 kHz s16 WAV: 145530 frames.
    const std::string wav = generated("tone_stereo.wav",
                                      "-f lavfi -i sine=f=440:sample_rate=44100:duration=3.3 "
                                      "-af \"pan=stereo|c0=c0|c1=c0\" -c:a pcm_s16le");
    const std::string m4a = generated("tone_stereo.m4a", "-i '" + wav + "' -c:a aac -b:a 128k");
    const double n = 145530, expect16 = std::round(n * 16000 / 44100);
    const Audio a = decode_audio(wav, 16000);
    EXPECT_NEAR(double(a.samples.size()), expect16, 1.0);
    // Downmix as `ffmpeg -ac 1`: (L + R) / sqrt(2), so the mono RMS is 1/8.
    EXPECT_NEAR(rms(a.samples, 1000, a.samples.size() - 1000), 0.125, 0.002);
    // The last 20 ms are still the tone (the resampler's delay line was flushed, not dropped).
    EXPECT_NEAR(rms(a.samples, a.samples.size() - 320, a.samples.size()), 0.125, 0.01);
    const std::vector<float> cli = cli_pcm(wav, 16000);
    ASSERT_EQ(a.samples.size(), cli.size());
    double max_err = 0;
    for (size_t i = 0; i < cli.size(); ++i)
        max_err = std::max(max_err, double(std::abs(cli[i] - a.samples[i])));
    EXPECT_LT(max_err, 1e-4);

    // AAC: within the codec's padding (1024 priming + up to a frame), same level.
    const Audio b = decode_audio(m4a, 16000);
    EXPECT_GE(double(b.samples.size()), expect16 - 2);
    EXPECT_LE(double(b.samples.size()), expect16 + 2048.0 * 16000 / 44100 + 2);
    EXPECT_NEAR(rms(b.samples, 1000, b.samples.size() - 1000), 0.125, 0.005);
}

TEST(MediaAudio, ChannelsWithoutALayoutAreMixedDown) {
    // Plain WAVE_FORMAT_PCM (no channel mask) with 5 and 12 channels: decoders report an unspecified
    // order. 12 has no default layout, so every channel weighs the same.
    for (int ch : {5, 12}) {
        SCOPED_TRACE(std::to_string(ch) + " channels");
        const int rate = 8000, frames = 8000;
        std::string pcm;
        for (int i = 0; i < frames; ++i) {
            const auto v = int16_t(std::lround(8192 * std::sin(2 * M_PI * 500 * i / rate)));
            for (int c = 0; c < ch; ++c) pcm.append(reinterpret_cast<const char*>(&v), 2);
        }
        auto le = [](uint32_t v, int bytes) {
            std::string s;
            for (int i = 0; i < bytes; ++i) s += char(v >> (8 * i));
            return s;
        };
        const std::string wav = "RIFF" + le(uint32_t(36 + pcm.size()), 4) + "WAVEfmt " + le(16, 4) +
                                le(1, 2) + le(uint32_t(ch), 2) + le(rate, 4) +
                                le(uint32_t(rate * ch * 2), 4) + le(uint32_t(ch * 2), 2) + le(16, 2) +
                                "data" + le(uint32_t(pcm.size()), 4) + pcm;
        const std::string path = scratch() + "/ch" + std::to_string(ch) + ".wav";
        write_file(path, wav);
        const Audio a = decode_audio(path, 16000);
        EXPECT_NEAR(double(a.samples.size()), 16000.0, 1.0);
        EXPECT_GT(rms(a.samples), 0.05);
        if (ch == 12) EXPECT_NEAR(rms(a.samples, 500, 15500), 0.25 / std::sqrt(2.0), 0.003);
        EXPECT_EQ(probe_media(path).channels, ch);
    }
}

// ---- Video ------------------------------------------------------------------------------------------

TEST(MediaVideo, ProbeTheFixtureVideos) {
    const MediaInfo mp4 = probe_media(media("astronaut_jfk.mp4"));
    EXPECT_EQ(mp4.kind, MediaKind::Video);
    EXPECT_TRUE(mp4.has_video);
    EXPECT_TRUE(mp4.has_audio);
    EXPECT_EQ(mp4.width, 320);
    EXPECT_EQ(mp4.height, 320);
    EXPECT_NEAR(mp4.fps, 25.0, 1e-9);
    EXPECT_NEAR(mp4.duration, 11.0, 0.05);
    EXPECT_EQ(mp4.rotation, 0);
    EXPECT_EQ(mp4.video_codec, "h264");
    EXPECT_EQ(mp4.audio_codec, "aac");
    EXPECT_EQ(mp4.sample_rate, 16000);
    EXPECT_EQ(mp4.channels, 1);
    EXPECT_NE(mp4.container.find("mp4"), std::string::npos);

    const MediaInfo webm = probe_media(media("astronaut_jfk.webm"));
    EXPECT_EQ(webm.kind, MediaKind::Video);
    EXPECT_EQ(webm.video_codec, "vp9");
    EXPECT_EQ(webm.audio_codec, "opus");
    EXPECT_EQ(webm.sample_rate, 48000);
    EXPECT_NEAR(webm.duration, 4.0, 0.05);
    EXPECT_EQ(webm.width, 320);
}

TEST(MediaVideo, SampledFixtureFramesAreTheCliFramesAtThoseTimes) {
    for (const char* name : {"astronaut_jfk.mp4", "astronaut_jfk.webm"}) {
        SCOPED_TRACE(name);
        const std::string path = media(name);
        const int n = 8;
        DecodeStats stats;
        const auto frames = sample_video_frames(path, n, {}, &stats);
        ASSERT_EQ(frames.size(), size_t(n));
        const double T = probe_media(path).duration;
        std::string select;
        for (int i = 0; i < n; ++i) {
            const VideoFrame& f = frames[size_t(i)];
            EXPECT_EQ(f.index, i);
            EXPECT_NEAR(f.time, (i + 0.5) * T / n, 1e-9);
            // The first frame at or after the target: at most one frame period (25 fps) later.
            EXPECT_GE(f.pts, f.time - 1e-6);
            EXPECT_LT(f.pts, f.time + 0.04 + 1e-6);
            ASSERT_EQ(f.image.width, 320);
            ASSERT_EQ(f.image.height, 320);
            const int frame_no = int(std::lround(f.pts * 25));
            select += (select.empty() ? "" : "+") + std::string("eq(n\\,") + std::to_string(frame_no) + ")";
        }
        EXPECT_GT(stats.frames_decoded, 0);
        const std::string cli = cli_rgb(path, "-vf \"select='" + select + "'\" -vsync 0");
        ASSERT_EQ(cli.size(), size_t(n) * 320 * 320 * 3);
        for (int i = 0; i < n; ++i) {
            const Diff d = diff(frames[size_t(i)].image.rgb, cli, size_t(i) * 320 * 320 * 3);
            EXPECT_LT(d.mean, 1.5) << "frame " << i;
        }
    }
    // decode_image of a video: its first frame.
    const Image first = decode_image(media("astronaut_jfk.mp4"));
    EXPECT_LT(diff(first.rgb, cli_rgb(media("astronaut_jfk.mp4"), "-frames:v 1")).mean, 1.5);
}

TEST(MediaVideo, FramesComeFromTheRightSecond) {
    const std::string path = seconds_video();
    for (int n : {10, 8, 3}) {
        SCOPED_TRACE(std::to_string(n) + " frames");
        const auto frames = sample_video_frames(path, n);
        ASSERT_EQ(frames.size(), size_t(n));
        for (const VideoFrame& f : frames) {
            EXPECT_EQ(colour_code(f.image), int(std::floor(f.time)) % 8) << "t = " << f.time;
            EXPECT_EQ(f.image.width, 64);
        }
    }
}

TEST(MediaVideo, RawStreamWithoutADurationIsTimedByItsPackets) {
    // An H.264 elementary stream: no container duration, only a bitrate guess; the packets tell.
    const std::string raw = generated("seconds.h264", "-i '" + seconds_video() + "' -c copy -f h264");
    const MediaInfo info = probe_media(raw);
    EXPECT_EQ(info.kind, MediaKind::Video);
    EXPECT_NEAR(info.duration, 10.0, 0.1);
    const auto frames = sample_video_frames(raw, 10);
    ASSERT_EQ(frames.size(), 10u);
    for (const VideoFrame& f : frames) {
        EXPECT_NEAR(f.time, frames[0].time + (&f - &frames[0]), 1e-6);
        EXPECT_NEAR(f.pts, f.time, 0.04 + 1e-6);
        EXPECT_EQ(colour_code(f.image), int(std::floor(f.time)) % 8) << f.time;
    }
}

TEST(MediaVideo, TargetsInOneGopDecodeForwardWithoutSeekingBack) {
    // 20 targets over 10 s with a keyframe every 2 s: one seek (or none) per GOP, never one per frame.
    DecodeStats stats;
    const auto frames = sample_video_frames(seconds_video(), 20, {}, &stats);
    for (const VideoFrame& f : frames) EXPECT_EQ(colour_code(f.image), int(std::floor(f.time)) % 8);
    EXPECT_LE(stats.seeks, 5);
    EXPECT_LE(stats.frames_decoded, 250 + 10);  // never more than the whole file once
}

TEST(MediaVideo, SamplingALongGopVideoSkipsMostFrames) {
    // 60 s at 25 fps = 1500 frames, keyframe every 50.
    const std::string path =
        generated("long_gop.mp4",
                  "-f lavfi -i testsrc=s=64x64:r=25:d=60 -c:v libx264 -preset ultrafast "
                  "-pix_fmt yuv420p -threads 1 -x264-params keyint=50:min-keyint=50:scenecut=0");
    DecodeStats stats;
    const auto frames = sample_video_frames(path, 8, {}, &stats);
    ASSERT_EQ(frames.size(), 8u);
    EXPECT_GE(stats.seeks, 6);
    EXPECT_LT(stats.frames_decoded, 1500 * 35 / 100) << stats.frames_decoded << " frames decoded";
    EXPECT_LT(stats.packets_read, 1500 * 35 / 100);
    const DecodeStats all = decode_all_video_frames(path);
    EXPECT_EQ(all.frames_decoded, 1500);
    EXPECT_EQ(all.seeks, 0);
}

TEST(MediaVideo, VariableFrameRateIsSampledByTimestamp) {
    // 25 fps for 2 s, then 5 fps: frame k at k/25 for k < 50, else 2 + (k-50)/5.
    const std::string path =
        generated("vfr.mp4",
                  "-f lavfi -i testsrc=s=64x64:r=25:d=4 -vf \"setpts='if(lt(N,50),N/25,2+(N-50)/5)/TB'\" "
                  "-fps_mode vfr -c:v libx264 -preset ultrafast -pix_fmt yuv420p -threads 1 "
                  "-video_track_timescale 1000");
    const std::string csv = shell(
        "ffprobe -v error -select_streams v:0 -show_entries frame=best_effort_timestamp_time "
        "-of csv=p=0 '" +
        path + "'");
    std::vector<double> pts;
    std::istringstream ss(csv);
    for (std::string line; std::getline(ss, line);)
        if (!line.empty()) pts.push_back(std::stod(line));
    ASSERT_EQ(pts.size(), 100u);
    ASSERT_NEAR(pts[60], 4.0, 1e-3);
    for (int n : {7, 16}) {
        const auto frames = sample_video_frames(path, n);
        for (const VideoFrame& f : frames) {
            auto it = std::lower_bound(pts.begin(), pts.end(), f.time - 1e-6);
            const double want = it == pts.end() ? pts.back() : *it;
            EXPECT_NEAR(f.pts, want, 1e-6) << "target " << f.time;
        }
    }
}

TEST(MediaVideo, RotatedVideosComeBackUpright) {
    const std::string src = generated("unrotated.mp4",
                                      "-f lavfi -i testsrc=s=96x64:r=25:d=2 -c:v libx264 -preset ultrafast "
                                      "-pix_fmt yuv444p -threads 1 -qp 0");
    for (int tag : {90, 180, 270}) {
        SCOPED_TRACE("rotate=" + std::to_string(tag));
        const std::string path =
            generated("rot" + std::to_string(tag) + ".mp4",
                      "-i '" + src + "' -c copy -metadata:s:v rotate=" + std::to_string(tag));
        // FFmpeg 5.1's mov muxer turns the legacy tag into a display matrix that the CLI shows
        // counter-clockwise by `tag` degrees: upright needs (360 - tag) clockwise.
        const MediaInfo info = probe_media(path);
        EXPECT_EQ(info.rotation, (360 - tag) % 360);
        EXPECT_EQ(info.width, 96);  // as stored
        const auto frames = sample_video_frames(path, 2);
        const int w = tag == 180 ? 96 : 64, h = tag == 180 ? 64 : 96;
        for (const VideoFrame& f : frames) {
            ASSERT_EQ(f.image.width, w);
            ASSERT_EQ(f.image.height, h);
        }
        // The CLI applies the display matrix itself (autorotate): same pictures.
        const int k = int(std::lround(frames[1].pts * 25));
        const std::string cli = cli_rgb(path, "-vf \"select='eq(n\\," + std::to_string(k) + ")'\" -vsync 0");
        EXPECT_LE(diff(frames[1].image.rgb, cli).mean, 1.0);
        const Image first = decode_image(path);
        EXPECT_EQ(first.width, w);
    }
}

TEST(MediaVideo, StillImageGivesCopiesAtTimeZero) {
    const auto frames = sample_video_frames(media("coffee.png"), 3);
    ASSERT_EQ(frames.size(), 3u);
    const Image img = decode_image(media("coffee.png"));
    for (const VideoFrame& f : frames) {
        EXPECT_EQ(f.pts, 0.0);
        EXPECT_EQ(f.image.rgb, img.rgb);
    }
}

// ---- Missing streams, corrupt files, limits ---------------------------------------------------------

TEST(MediaErrors, WrongKindOfMediaIsNoMediaStream) {
    std::string detail;
    EXPECT_EQ(code_and_detail([&] { sample_video_frames(media("jfk.wav"), 4); }, &detail),
              ErrorCode::NoMediaStream);
    EXPECT_NE(detail.find("no video stream"), std::string::npos) << detail;
    EXPECT_NE(detail.find("audio pcm_s16le"), std::string::npos) << detail;
    EXPECT_EQ(code_and_detail([&] { decode_audio(media("astronaut.png")); }, &detail),
              ErrorCode::NoMediaStream);
    EXPECT_NE(detail.find("no audio stream (streams: video png)"), std::string::npos) << detail;
    EXPECT_EQ(error_code_of([&] { decode_image(media("jfk.mp3")); }), ErrorCode::NoMediaStream);
    const std::string silent_video = generated(
        "silent.mp4", "-f lavfi -i testsrc=s=32x32:r=10:d=1 -c:v libx264 -preset ultrafast -threads 1");
    EXPECT_EQ(code_and_detail([&] { decode_audio(silent_video); }, &detail), ErrorCode::NoMediaStream);
    EXPECT_NE(detail.find("video h264"), std::string::npos) << detail;
}

TEST(MediaErrors, PathsThatAreNotMediaFiles) {
    const std::string dir = scratch();
    EXPECT_EQ(error_code_of([&] { decode_image(dir + "/does-not-exist.png"); }), ErrorCode::FileNotFound);
    EXPECT_EQ(error_code_of([&] { decode_audio(dir + "/no/such/dir.wav"); }), ErrorCode::FileNotFound);
    EXPECT_EQ(error_code_of([&] { decode_image(dir); }), ErrorCode::Io);
    write_file(dir + "/empty.png", "");
    EXPECT_EQ(error_code_of([&] { decode_image(dir + "/empty.png"); }), ErrorCode::NotMedia);
    write_file(dir + "/text.png", "this is not a picture, just some text in a file named .png\n");
    EXPECT_EQ(error_code_of([&] { decode_image(dir + "/text.png"); }), ErrorCode::NotMedia);
    EXPECT_EQ(error_code_of([&] { probe_media(dir + "/text.png"); }), ErrorCode::NotMedia);
    std::mt19937 rng(1234);
    for (int k = 0; k < 5; ++k) {
        std::string bytes(100000, '\0');
        for (auto& c : bytes) c = char(rng());
        const std::string p = dir + "/random" + std::to_string(k) + ".bin";
        write_file(p, bytes);
        SCOPED_TRACE(p);
        EXPECT_EQ(error_code_of([&] { decode_image(p); }), ErrorCode::NotMedia);
        EXPECT_EQ(error_code_of([&] { decode_audio(p); }), ErrorCode::NotMedia);
        EXPECT_EQ(error_code_of([&] { sample_video_frames(p, 4); }), ErrorCode::NotMedia);
    }
    try {
        decode_image(dir + "/does-not-exist.png");
    } catch (const Error& e) {
        EXPECT_EQ(e.where(), dir + "/does-not-exist.png");
    }
}

TEST(MediaErrors, TruncatedAndDamagedCopies) {
    struct Case {
        const char* name;
        int kind;  // 0 image, 1 audio, 2 video
    };
    const std::string dir = scratch();
    for (Case c : {Case{"astronaut.png", 0}, Case{"rocket.jpg", 0}, Case{"jfk.wav", 1}, Case{"jfk.mp3", 1},
                   Case{"astronaut_jfk.mp4", 2}, Case{"astronaut_jfk.webm", 2}}) {
        const std::string bytes = read_file(media(c.name));
        auto run = [&](const std::string& p) {
            if (c.kind == 0) decode_image(p);
            if (c.kind == 1) decode_audio(p);
            if (c.kind == 2) {
                sample_video_frames(p, 8);
                decode_audio(p);
            }
        };
        for (double cut : {0.02, 0.3, 0.6, 0.9}) {
            SCOPED_TRACE(std::string(c.name) + " cut at " + std::to_string(cut));
            const std::string p = dir + "/cut_" + std::to_string(int(cut * 100)) + "_" + c.name;
            write_file(p, bytes.substr(0, size_t(bytes.size() * cut)));
            if (std::string(c.name) == "jfk.mp3") {
                // MP3 is a stream of frames with no total in its header: a cut file is a shorter file.
                try {
                    const Audio a = decode_audio(p);
                    EXPECT_LT(a.duration(), 11.0 * cut + 0.5);
                } catch (const Error& e) {
                    EXPECT_EQ(e.code(), ErrorCode::NotMedia);
                }
                continue;
            }
            EXPECT_EQ(error_code_of([&] { run(p); }), ErrorCode::NotMedia);
        }
        SCOPED_TRACE(std::string(c.name) + " header damaged");
        std::string bad = bytes;
        for (size_t i = 0; i < 16; ++i) bad[i] = char(bad[i] ^ 0x5a);
        const std::string p = dir + "/badhdr_" + std::string(c.name);
        write_file(p, bad);
        if (std::string(c.name) == "jfk.mp3") {
            // The damage falls in the ID3 tag; the MPEG frames after it are found and decode.
            EXPECT_NEAR(decode_audio(p).duration(), 11.0, 0.2);
            continue;
        }
        EXPECT_EQ(error_code_of([&] { run(p); }), ErrorCode::NotMedia);
    }
}

TEST(MediaErrors, FlippedBytesInsideNeverCrash) {
    // Damage inside the payload: decoders conceal or fail, but always cleanly.
    std::mt19937 rng(99);
    for (const char* name :
         {"astronaut_jfk.mp4", "astronaut_jfk.webm", "jfk.mp3", "rocket.jpg", "coffee.png"}) {
        std::string bytes = read_file(media(name));
        for (int k = 0; k < 200; ++k) bytes[bytes.size() / 8 + rng() % (bytes.size() * 7 / 8)] = char(rng());
        const std::string p = scratch() + "/flipped_" + std::string(name);
        write_file(p, bytes);
        SCOPED_TRACE(p);
        for (int fn = 0; fn < 3; ++fn) {
            try {
                if (fn == 0) decode_image(p);
                if (fn == 1) decode_audio(p);
                if (fn == 2) sample_video_frames(p, 4);
            } catch (const Error& e) {
                EXPECT_TRUE(e.code() == ErrorCode::NotMedia || e.code() == ErrorCode::NoMediaStream)
                    << e.what();
            }
        }
    }
}

TEST(MediaLimits, LimitsAreEnforcedWithTheFacts) {
    std::string detail;
    MediaLimits small;
    small.max_pixels = 100 * 100;
    EXPECT_EQ(code_and_detail([&] { decode_image(media("astronaut.png"), small); }, &detail),
              ErrorCode::MediaLimit);
    EXPECT_NE(detail.find("512x512"), std::string::npos) << detail;
    EXPECT_NE(detail.find("10000"), std::string::npos) << detail;
    EXPECT_EQ(error_code_of([&] { decode_image(media("rocket.jpg"), small); }), ErrorCode::MediaLimit);
    EXPECT_EQ(error_code_of([&] { sample_video_frames(media("astronaut_jfk.mp4"), 2, small); }),
              ErrorCode::MediaLimit);
    EXPECT_EQ(error_code_of([&] { probe_media(media("astronaut_jfk.mp4"), small); }), ErrorCode::MediaLimit);

    // A 100-byte PNG announcing 60000 x 60000: refused before anything is allocated.
    std::string ihdr = be32(60000) + be32(60000) + std::string("\x08\x02\x00\x00\x00", 5);
    const std::string huge = std::string("\x89PNG\r\n\x1a\n", 8) + png_chunk("IHDR", ihdr) +
                             png_chunk("IDAT", std::string("\x78\x9c\x03\x00\x00\x00\x00\x01", 8)) +
                             png_chunk("IEND", "");
    write_file(scratch() + "/huge.png", huge);
    EXPECT_EQ(code_and_detail([&] { decode_image(scratch() + "/huge.png"); }, &detail),
              ErrorCode::MediaLimit);
    EXPECT_NE(detail.find("60000x60000 = 3.6e+03 Mpixels"), std::string::npos) << detail;

    MediaLimits short_media;
    short_media.max_duration = 5;
    EXPECT_EQ(code_and_detail([&] { decode_audio(media("jfk.wav"), 16000, short_media); }, &detail),
              ErrorCode::MediaLimit);
    EXPECT_NE(detail.find("11.000 s"), std::string::npos) << detail;
    EXPECT_EQ(error_code_of([&] { sample_video_frames(media("astronaut_jfk.mp4"), 2, short_media); }),
              ErrorCode::MediaLimit);
    EXPECT_EQ(decode_audio(media("astronaut_jfk.webm"), 16000, short_media).sample_rate, 16000);

    MediaLimits few;
    few.max_frames = 16;
    EXPECT_EQ(error_code_of([&] { sample_video_frames(media("astronaut_jfk.mp4"), 17, few); }),
              ErrorCode::MediaLimit);
    EXPECT_EQ(sample_video_frames(media("astronaut_jfk.mp4"), 16, few).size(), 16u);
    EXPECT_EQ(error_code_of([&] { sample_video_frames(media("astronaut_jfk.mp4"), 0); }),
              ErrorCode::InvalidArgument);

    MediaLimits one_stream;
    one_stream.max_streams = 1;
    EXPECT_EQ(error_code_of([&] { probe_media(media("astronaut_jfk.mp4"), one_stream); }),
              ErrorCode::MediaLimit);
    MediaLimits tiny_file;
    tiny_file.max_file_bytes = 1000;
    EXPECT_EQ(error_code_of([&] { decode_audio(media("jfk.wav"), 16000, tiny_file); }),
              ErrorCode::MediaLimit);
}

// ---- Writers and threads ----------------------------------------------------------------------------

TEST(MediaWriters, PngAndWavRoundTrip) {
    const Image img = decode_image(media("chelsea.png"));
    const std::string png = scratch() + "/written.png";
    write_png(png, img);
    const Image back = decode_image(png);
    EXPECT_EQ(back.width, img.width);
    EXPECT_EQ(back.rgb, img.rgb);
    EXPECT_EQ(diff(img.rgb, cli_rgb(png)).max, 0);

    const Audio a = decode_audio(media("jfk.wav"));
    const std::string wav = scratch() + "/written.wav";
    write_wav(wav, a);
    EXPECT_EQ(wav_pcm16(wav), wav_pcm16(media("jfk.wav")));
    EXPECT_EQ(decode_audio(wav).samples, a.samples);
    EXPECT_EQ(probe_media(wav).sample_rate, 16000);

    EXPECT_EQ(error_code_of([&] { write_png(scratch() + "/no/such/dir/x.png", img); }), ErrorCode::Io);
    EXPECT_EQ(error_code_of([&] { write_wav(scratch() + "/no/such/dir/x.wav", a); }), ErrorCode::Io);
}

TEST(MediaThreads, ConcurrentCallsGiveTheSameResults) {
    const Image img = decode_image(media("rocket.jpg"));
    const Audio aud = decode_audio(media("jfk.mp3"));
    const auto frames = sample_video_frames(media("astronaut_jfk.mp4"), 4);
    std::vector<std::thread> pool;
    std::atomic<int> mismatches{0};
    for (int t = 0; t < 4; ++t)
        pool.emplace_back([&, t] {
            for (int rep = 0; rep < 2; ++rep) {
                if ((t + rep) % 3 == 0 && decode_image(media("rocket.jpg")).rgb != img.rgb) ++mismatches;
                if ((t + rep) % 3 == 1 && decode_audio(media("jfk.mp3")).samples != aud.samples) ++mismatches;
                if ((t + rep) % 3 == 2) {
                    const auto f = sample_video_frames(media("astronaut_jfk.mp4"), 4);
                    for (size_t i = 0; i < f.size(); ++i)
                        if (f[i].image.rgb != frames[i].image.rgb) ++mismatches;
                }
            }
        });
    for (auto& th : pool) th.join();
    EXPECT_EQ(mismatches.load(), 0);
}
