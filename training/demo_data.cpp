// The demo task's generator (see demo_data.h for what it makes). Randomness is our own SplitMix64
// and Box-Muller, not <random>'s distributions, whose outputs differ between standard libraries.
#include "demo_data.h"

#include "common/error.h"
#include "common/mix64.h"
#include "media/media.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace atelier {

namespace fs = std::filesystem;
using ordered_json = nlohmann::ordered_json;

namespace {

constexpr int kSampleRate = 16000;
constexpr double kPi = 3.14159265358979323846;
constexpr double kVideoFps = 8.0;
constexpr int kVideoFrames = 16;  // 2.0 s at 8 fps

struct NamedColour {
    const char* name;
    int rgb[3];
};
constexpr NamedColour kColours[] = {
    {"red", {220, 40, 40}}, {"green", {40, 170, 60}}, {"blue", {40, 70, 220}}, {"yellow", {230, 200, 40}}};
constexpr const char* kShapes[] = {"circle", "square", "triangle"};
constexpr const char* kDirections[] = {"left", "right", "up", "down"};
constexpr const char* kCountWords[] = {"one", "two", "three", "four"};

constexpr const char* kColourQuestion = "What colour is the shape?";
constexpr const char* kShapeQuestion = "What shape is this?";
constexpr const char* kCountQuestion = "How many beeps are there?";
constexpr const char* kPitchQuestion = "Is the tone high or low?";
constexpr const char* kDirectionQuestion = "Which way is the dot moving?";
constexpr const char* kDotColourQuestion = "What colour is the dot?";

const char* const kCategories[] = {"image-colour",    "image-shape",  "audio-count", "audio-pitch",
                                   "video-direction", "video-colour", "video-count"};

// SplitMix64: small, fast, and the same numbers everywhere.
class Rng {
public:
    explicit Rng(uint64_t seed) : m_state(seed) {}
    uint64_t next() { return mix64(m_state += kGoldenGamma); }
    double uniform() { return double(next() >> 11) * 0x1.0p-53; }  // [0, 1)
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    int integer(int lo, int hi) { return std::min(hi, lo + int(uniform() * (hi - lo + 1))); }  // [lo, hi]
    double normal() {                                                                          // N(0, 1)
        const double u1 = 1.0 - uniform();  // (0, 1]: log is finite
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
    }

private:
    uint64_t m_state;
};

// The generator of item `index` of `modality`: independent of every other item and of the counts.
Rng item_rng(uint64_t seed, uint64_t modality, int index) {
    Rng mix(seed ^ (modality * 0xd1b54a32d192ed03ull));
    const uint64_t a = mix.next();
    return Rng(a ^ (uint64_t(index) + 1) * 0x9e3779b97f4a7c15ull);
}

struct Rgb {
    uint8_t v[3];
};

Rgb background(Rng& rng) {
    Rgb c;
    for (auto& x : c.v) x = uint8_t(rng.integer(200, 255));
    return c;
}

Rgb jittered(Rng& rng, const NamedColour& named) {
    Rgb c;
    for (int k = 0; k < 3; ++k) c.v[k] = uint8_t(std::clamp(named.rgb[k] + rng.integer(-15, 15), 0, 255));
    return c;
}

Image filled(int side, Rgb bg) {
    Image img;
    img.width = img.height = side;
    img.rgb.resize(size_t(side) * side * 3);
    for (size_t i = 0; i < img.rgb.size(); i += 3) std::memcpy(&img.rgb[i], bg.v, 3);
    return img;
}

// Paints every pixel whose centre satisfies `inside(x, y)` (pixel coordinates, y down).
template <typename Inside>
void paint(Image& img, Rgb colour, Inside inside) {
    for (int py = 0; py < img.height; ++py)
        for (int px = 0; px < img.width; ++px)
            if (inside(px + 0.5, py + 0.5))
                std::memcpy(&img.rgb[(size_t(py) * img.width + px) * 3], colour.v, 3);
}

void paint_circle(Image& img, Rgb colour, double cx, double cy, double r) {
    paint(img, colour,
          [&](double x, double y) { return (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r; });
}

// ---- Images -------------------------------------------------------------------------------------------

struct ImageItem {
    Image image;
    int colour = 0, shape = 0;
};

ImageItem make_image(Rng& rng) {
    ImageItem it;
    const int side = rng.integer(64, 96);
    const Rgb bg = background(rng);
    it.colour = rng.integer(0, 3);
    it.shape = rng.integer(0, 2);
    const Rgb fg = jittered(rng, kColours[it.colour]);
    const double s = side * rng.uniform(0.35, 0.60);  // diameter, side, or base (= height)
    // One pixel of margin: the shape never touches the border.
    const double x0 = rng.uniform(1.0, side - 1.0 - s), y0 = rng.uniform(1.0, side - 1.0 - s);
    it.image = filled(side, bg);
    const double cx = x0 + s / 2;
    switch (it.shape) {
        case 0: paint_circle(it.image, fg, cx, y0 + s / 2, s / 2); break;
        case 1:
            paint(it.image, fg,
                  [&](double x, double y) { return x >= x0 && x < x0 + s && y >= y0 && y < y0 + s; });
            break;
        default:  // apex at the top centre, base along the bottom: half-width grows by 1/2 per row
            paint(it.image, fg, [&](double x, double y) {
                return y >= y0 && y <= y0 + s && std::abs(x - cx) <= (y - y0) / 2;
            });
            break;
    }
    return it;
}

// ---- Audio --------------------------------------------------------------------------------------------

struct Beeps {
    int count = 0;
    bool high = false;
    double amplitude = 0;
    std::vector<std::pair<double, double>> spans;  // start, length (seconds)
    double end = 0;                                // end of the last beep
};

Beeps plan_beeps(Rng& rng) {
    Beeps b;
    b.count = rng.integer(1, 4);
    b.high = rng.integer(0, 1) == 1;
    b.amplitude = rng.uniform(0.3, 0.6);
    double t = rng.uniform(0.05, 0.25);
    for (int i = 0; i < b.count; ++i) {
        const double len = rng.uniform(0.10, 0.16);
        b.spans.push_back({t, len});
        t += len;
        b.end = t;
        if (i + 1 < b.count) t += rng.uniform(0.10, 0.20);
    }
    return b;
}

Audio render_beeps(Rng& rng, const Beeps& b, double seconds) {
    Audio a;
    a.sample_rate = kSampleRate;
    a.samples.resize(size_t(std::lround(seconds * kSampleRate)));
    for (float& s : a.samples) s = float(0.005 * rng.normal());
    const double freq = b.high ? 1500.0 : 500.0;
    const double fade = 0.010;
    for (const auto& [start, len] : b.spans) {
        const int64_t k0 = std::lround(start * kSampleRate);
        const int64_t n = std::lround(len * kSampleRate);
        for (int64_t k = 0; k < n && k0 + k < int64_t(a.samples.size()); ++k) {
            const double t = double(k) / kSampleRate;
            const double env = std::min({1.0, t / fade, (len - t) / fade});
            a.samples[size_t(k0 + k)] +=
                float(b.amplitude * std::max(0.0, env) * std::sin(2 * kPi * freq * t));
        }
    }
    for (float& s : a.samples) s = std::clamp(s, -1.0f, 1.0f);
    return a;
}

struct AudioItem {
    Audio audio;
    Beeps beeps;
};

AudioItem make_audio(Rng& rng) {
    AudioItem it;
    it.beeps = plan_beeps(rng);
    // 1.2-2.0 s, and never cutting the last beep short (it ends by 1.49 s at the latest).
    const double seconds = rng.uniform(std::max(1.2, it.beeps.end + 0.05), 2.0);
    it.audio = render_beeps(rng, it.beeps, seconds);
    return it;
}

// ---- Video --------------------------------------------------------------------------------------------

struct VideoItem {
    std::vector<Image> frames;
    Audio audio;
    int colour = 0, direction = 0, beeps = 0;
};

VideoItem make_video(Rng& rng) {
    VideoItem it;
    const int side = 2 * rng.integer(32, 48);  // even: H.264 4:2:0
    const Rgb bg = background(rng);
    it.colour = rng.integer(0, 3);
    it.direction = rng.integer(0, 3);
    const Rgb fg = jittered(rng, kColours[it.colour]);
    const double fixed = side * rng.uniform(0.3, 0.7);
    const double r = 0.15 * side;  // diameter 30 % of the side
    for (int k = 0; k < kVideoFrames; ++k) {
        const double p = side * (0.2 + 0.6 * k / (kVideoFrames - 1));  // 20 % -> 80 %
        double cx = fixed, cy = fixed;
        switch (it.direction) {
            case 0: cx = side - p; break;  // left
            case 1: cx = p; break;         // right
            case 2: cy = side - p; break;  // up
            default: cy = p; break;        // down
        }
        Image f = filled(side, bg);
        paint_circle(f, fg, cx, cy, r);
        it.frames.push_back(std::move(f));
    }
    const Beeps b = plan_beeps(rng);
    it.beeps = b.count;
    it.audio = render_beeps(rng, b, kVideoFrames / kVideoFps);
    return it;
}

// ---- Rows ---------------------------------------------------------------------------------------------

ordered_json row(const std::string& id, const char* category, const char* kind, const std::string& media,
                 const char* question, const std::string& answer) {
    ordered_json r;
    r["id"] = id;
    r["category"] = category;
    r[kind] = media;
    r["conversations"] =
        ordered_json::array({{{"from", "human"}, {"value", std::string("<") + kind + ">\n" + question}},
                             {{"from", "gpt"}, {"value", answer}}});
    return r;
}

// Items are numbered from 1, four digits (more past 9999).
std::string item_number(int i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d", i + 1);
    return buf;
}

void write_json(const std::string& path, const ordered_json& rows) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) throw Error(ErrorCode::Io, path, std::string("cannot create: ") + std::strerror(errno));
    f << rows.dump(2) << "\n";
    f.close();
    if (!f) throw Error(ErrorCode::Io, path, "cannot write");
}

int test_items(int n, double fraction) {
    return std::clamp(int(std::lround(n * fraction)), 1, n - 1);
}

}  // namespace

int demo_video_count(int count) {
    return std::max(2, (count * 3 + 4) / 5);
}

DemoDataResult write_demo_data(const DemoDataOptions& o) {
    if (o.out.empty()) throw Error(ErrorCode::InvalidArgument, "", "no output folder given");
    if (o.count < 2)
        throw Error(ErrorCode::InvalidArgument, o.out,
                    "count " + std::to_string(o.count) + ": at least 2 (one item for each split)");
    if (!(o.test_fraction > 0 && o.test_fraction < 1))
        throw Error(ErrorCode::InvalidArgument, o.out,
                    "test fraction " + std::to_string(o.test_fraction) + " is not between 0 and 1");
    const fs::path root(o.out), media = root / "media";
    std::error_code ec;
    fs::create_directories(media, ec);
    if (ec) throw Error(ErrorCode::Io, media.string(), "cannot create the folder: " + ec.message());

    DemoDataResult res;
    res.train_json = (root / "train.json").string();
    res.test_json = (root / "test.json").string();
    res.media_dir = media.string();
    for (const char* c : kCategories) res.categories.push_back({c});
    auto count_row = [&](const char* category, bool test) {
        for (auto& c : res.categories)
            if (c.name == category) ++(test ? c.test : c.train);
    };

    ordered_json train = ordered_json::array(), test = ordered_json::array();
    const int n_images = o.count, n_audio = o.count, n_videos = demo_video_count(o.count);
    const int total = n_images + n_audio + n_videos;
    int done = 0;
    auto step = [&]() {
        ++done;
        if (o.progress && !o.progress(done, total))
            throw Error(ErrorCode::Cancelled, o.out, "demo data generation cancelled");
    };
    auto add = [&](bool is_test, ordered_json r) {
        count_row(r["category"].get_ref<const std::string&>().c_str(), is_test);
        (is_test ? test : train).push_back(std::move(r));
    };

    const int images_test = test_items(n_images, o.test_fraction);
    for (int i = 0; i < n_images; ++i) {
        Rng rng = item_rng(o.seed, 1, i);
        const ImageItem it = make_image(rng);
        const std::string rel = "media/img_" + item_number(i) + ".png";
        write_png((root / rel).string(), it.image);
        const bool is_test = i >= n_images - images_test;
        const std::string id = "image-" + item_number(i);
        add(is_test,
            row(id + "-colour", "image-colour", "image", rel, kColourQuestion, kColours[it.colour].name));
        add(is_test, row(id + "-shape", "image-shape", "image", rel, kShapeQuestion, kShapes[it.shape]));
        ++res.images;
        step();
    }
    const int audio_test = test_items(n_audio, o.test_fraction);
    for (int i = 0; i < n_audio; ++i) {
        Rng rng = item_rng(o.seed, 2, i);
        const AudioItem it = make_audio(rng);
        const std::string rel = "media/aud_" + item_number(i) + ".wav";
        write_wav((root / rel).string(), it.audio);
        const bool is_test = i >= n_audio - audio_test;
        const std::string id = "audio-" + item_number(i);
        add(is_test,
            row(id + "-count", "audio-count", "audio", rel, kCountQuestion, kCountWords[it.beeps.count - 1]));
        add(is_test,
            row(id + "-pitch", "audio-pitch", "audio", rel, kPitchQuestion, it.beeps.high ? "high" : "low"));
        ++res.audio;
        step();
    }
    const int videos_test = test_items(n_videos, o.test_fraction);
    for (int i = 0; i < n_videos; ++i) {
        Rng rng = item_rng(o.seed, 3, i);
        const VideoItem it = make_video(rng);
        const std::string rel = "media/vid_" + item_number(i) + ".mp4";
        write_video((root / rel).string(), it.frames, kVideoFps, &it.audio);
        const bool is_test = i >= n_videos - videos_test;
        const std::string id = "video-" + item_number(i);
        add(is_test, row(id + "-direction", "video-direction", "video", rel, kDirectionQuestion,
                         kDirections[it.direction]));
        add(is_test,
            row(id + "-colour", "video-colour", "video", rel, kDotColourQuestion, kColours[it.colour].name));
        add(is_test,
            row(id + "-count", "video-count", "video", rel, kCountQuestion, kCountWords[it.beeps - 1]));
        ++res.videos;
        step();
    }

    write_json(res.train_json, train);
    write_json(res.test_json, test);
    res.train_rows = int(train.size());
    res.test_rows = int(test.size());
    return res;
}

}  // namespace atelier
