// The multimodal demo task's data (training/demo_data.h) checked against its spec by measuring the
// files: shapes by fill ratio, colours by pixel values, beeps by an energy envelope, pitch by zero
// crossings, the dot's motion by its centroid. Labels come from the JSON rows, never from the
// generator's internals. Also write_video on its own, and the rows through the LLaVA dataset parser.
#include "dataset.h"
#include "demo_data.h"
#include "media/media.h"
#include "test_util.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

namespace {

namespace fs = std::filesystem;
using namespace atelier;
using atelier::test::error_code_of;
using atelier::test::make_temp_dir;
using atelier::test::read_file;
using atelier::test::run_command;
using nlohmann::json;

constexpr int kCount = 12;
constexpr uint64_t kSeed = 7;

const std::map<std::string, std::array<int, 3>> kNamed = {
    {"red", {220, 40, 40}}, {"green", {40, 170, 60}}, {"blue", {40, 70, 220}}, {"yellow", {230, 200, 40}}};
const std::map<std::string, int> kCountWords = {{"one", 1}, {"two", 2}, {"three", 3}, {"four", 4}};
const std::map<std::string, std::string> kQuestions = {
    {"image-colour", "<image>\nWhat colour is the shape?"},
    {"image-shape", "<image>\nWhat shape is this?"},
    {"audio-count", "<audio>\nHow many beeps are there?"},
    {"audio-pitch", "<audio>\nIs the tone high or low?"},
    {"video-direction", "<video>\nWhich way is the dot moving?"},
    {"video-colour", "<video>\nWhat colour is the dot?"},
    {"video-count", "<video>\nHow many beeps are there?"}};

// One generated data set for the whole suite (generation is the slow part).
struct Generated {
    std::string dir;
    DemoDataResult result;
    json train, test;
};

const Generated& generated() {
    static const Generated g = [] {
        Generated g;
        g.dir = make_temp_dir("demo") + "/a";
        DemoDataOptions o;
        o.out = g.dir;
        o.count = kCount;
        o.seed = kSeed;
        g.result = write_demo_data(o);
        g.train = json::parse(read_file(g.result.train_json));
        g.test = json::parse(read_file(g.result.test_json));
        return g;
    }();
    return g;
}

std::string reply(const json& row) {
    return row["conversations"][1]["value"].get<std::string>();
}

// media path (relative) -> {category -> answer}, over both splits.
std::map<std::string, std::map<std::string, std::string>> labels(const std::string& kind) {
    std::map<std::string, std::map<std::string, std::string>> out;
    for (const json* split : {&generated().train, &generated().test})
        for (const auto& row : *split)
            if (row.contains(kind)) out[row[kind].get<std::string>()][row["category"]] = reply(row);
    return out;
}

std::string path_of(const std::string& relative) {
    return generated().dir + "/" + relative;
}

std::array<int, 3> pixel(const Image& img, int x, int y) {
    const uint8_t* p = &img.rgb[(size_t(y) * img.width + x) * 3];
    return {p[0], p[1], p[2]};
}

int distance(const std::array<int, 3>& a, const std::array<int, 3>& b) {
    return std::abs(a[0] - b[0]) + std::abs(a[1] - b[1]) + std::abs(a[2] - b[2]);
}

std::string nearest_named(const std::array<int, 3>& c) {
    std::string best;
    int d = 1 << 30;
    for (const auto& [name, rgb] : kNamed)
        if (distance(c, rgb) < d) d = distance(c, rgb), best = name;
    return best;
}

// Beeps measured: 5 ms RMS windows above a threshold, runs of them (a beep's fades and the
// quiet gaps of >= 0.1 s keep runs apart). Returns {start, end} sample spans.
std::vector<std::pair<size_t, size_t>> beep_spans(const Audio& a) {
    const size_t win = size_t(a.sample_rate) / 200;
    std::vector<std::pair<size_t, size_t>> spans;
    bool on = false;
    for (size_t w = 0; w + win <= a.samples.size(); w += win) {
        double s = 0;
        for (size_t i = w; i < w + win; ++i) s += double(a.samples[i]) * a.samples[i];
        const bool loud = std::sqrt(s / double(win)) > 0.08;  // beeps: RMS >= 0.21 at full level
        if (loud && !on) spans.push_back({w, w + win});
        if (loud) spans.back().second = w + win;
        on = loud;
    }
    return spans;
}

// Dominant frequency of a span by zero crossings (the noise is 35 dB below the tone).
double zero_crossing_hz(const Audio& a, size_t from, size_t to) {
    int crossings = 0;
    for (size_t i = from + 1; i < to; ++i) crossings += (a.samples[i - 1] < 0) != (a.samples[i] < 0);
    return crossings / 2.0 / (double(to - from) / a.sample_rate);
}

void check_beeps(const Audio& a, int expected_count, const std::string& pitch, const std::string& what) {
    const auto spans = beep_spans(a);
    ASSERT_EQ(int(spans.size()), expected_count) << what;
    for (const auto& [b, e] : spans) {
        const double len = double(e - b) / a.sample_rate;
        EXPECT_GE(len, 0.07) << what;  // 0.10-0.16 s, its fades partly under the threshold
        EXPECT_LE(len, 0.18) << what;
        if (!pitch.empty()) {
            const double hz = zero_crossing_hz(a, b, e);
            if (pitch == "low")
                EXPECT_NEAR(hz, 500, 40) << what;
            else
                EXPECT_NEAR(hz, 1500, 60) << what;
        }
    }
    EXPECT_GE(double(spans[0].first) / a.sample_rate, 0.03) << what;  // first beep at 0.05-0.25 s
    EXPECT_LE(double(spans[0].first) / a.sample_rate, 0.27) << what;
}

TEST(DemoData, SplitsCountsAndRows) {
    const Generated& g = generated();
    const int videos = demo_video_count(kCount);
    EXPECT_EQ(videos, 8);
    EXPECT_EQ(g.result.images, kCount);
    EXPECT_EQ(g.result.audio, kCount);
    EXPECT_EQ(g.result.videos, videos);
    EXPECT_EQ(int(g.train.size()), g.result.train_rows);
    EXPECT_EQ(int(g.test.size()), g.result.test_rows);
    EXPECT_EQ(g.result.train_rows + g.result.test_rows, 2 * kCount + 2 * kCount + 3 * videos);
    std::set<std::string> train_media, test_media;
    std::map<std::string, int> train_cats, test_cats;
    for (const json* split : {&g.train, &g.test}) {
        for (const auto& row : *split) {
            const std::string cat = row.at("category");
            ASSERT_TRUE(kQuestions.count(cat)) << cat;
            const std::string kind = cat.substr(0, cat.find('-'));
            ASSERT_TRUE(row.contains(kind)) << row.dump();
            const std::string media = row[kind];
            EXPECT_EQ(media.rfind("media/", 0), 0u) << media;
            EXPECT_TRUE(fs::is_regular_file(path_of(media))) << media;
            ASSERT_EQ(row["conversations"].size(), 2u);
            EXPECT_EQ(row["conversations"][0]["from"], "human");
            EXPECT_EQ(row["conversations"][0]["value"], kQuestions.at(cat));
            EXPECT_EQ(row["conversations"][1]["from"], "gpt");
            const std::string answer = reply(row);
            const std::string first = answer.substr(0, answer.find_first_of(" .,"));
            for (char ch : first) EXPECT_TRUE(ch >= 'a' && ch <= 'z') << answer;
            (split == &g.train ? train_media : test_media).insert(media);
            ++(split == &g.train ? train_cats : test_cats)[cat];
        }
    }
    for (const auto& m : test_media) EXPECT_FALSE(train_media.count(m)) << m << " is in both splits";
    for (const auto& [cat, q] : kQuestions) {
        EXPECT_GT(train_cats[cat], 0) << cat;
        EXPECT_GT(test_cats[cat], 0) << cat;
    }
    for (const auto& c : g.result.categories) {
        EXPECT_EQ(c.train, train_cats[c.name]) << c.name;
        EXPECT_EQ(c.test, test_cats[c.name]) << c.name;
    }
    EXPECT_EQ(g.result.categories.size(), kQuestions.size());
}

TEST(DemoData, ImagesShowTheLabelledShapeAndColour) {
    const auto items = labels("image");
    ASSERT_EQ(int(items.size()), kCount);
    std::set<std::string> shapes_seen;
    for (const auto& [rel, answers] : items) {
        SCOPED_TRACE(rel);
        const Image img = decode_image(path_of(rel));
        const int side = img.width;
        ASSERT_EQ(img.height, side);
        ASSERT_GE(side, 64);
        ASSERT_LE(side, 96);
        const auto bg = pixel(img, 0, 0);  // the shape keeps a pixel's margin
        for (int c : bg) EXPECT_TRUE(c >= 200 && c <= 255) << c;
        int x0 = side, y0 = side, x1 = -1, y1 = -1, n = 0;
        std::set<std::array<int, 3>> fg;
        for (int y = 0; y < side; ++y)
            for (int x = 0; x < side; ++x) {
                const auto p = pixel(img, x, y);
                if (p == bg) continue;
                fg.insert(p);
                ++n;
                x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
            }
        ASSERT_EQ(fg.size(), 1u) << "one uniform shape colour";
        const auto c = *fg.begin();
        const auto named = kNamed.at(answers.at("image-colour"));
        for (int k = 0; k < 3; ++k) EXPECT_LE(std::abs(c[k] - named[k]), 15) << "channel " << k;
        EXPECT_GT(x0, 0);
        EXPECT_GT(y0, 0);
        EXPECT_LT(x1, side - 1);
        EXPECT_LT(y1, side - 1);
        const int w = x1 - x0 + 1, h = y1 - y0 + 1;
        EXPECT_LE(std::abs(w - h), 2);
        EXPECT_GE(w, 0.35 * side - 2);
        EXPECT_LE(w, 0.60 * side + 2);
        const double fill = double(n) / (double(w) * h);
        const std::string shape = answers.at("image-shape");
        shapes_seen.insert(shape);
        if (shape == "square") {
            EXPECT_GT(fill, 0.97);
        } else if (shape == "circle") {
            EXPECT_NEAR(fill, M_PI / 4, 0.05);
        } else {
            ASSERT_EQ(shape, "triangle");
            EXPECT_NEAR(fill, 0.5, 0.07);
            // Pointing up: the filled width grows row by row, from the apex to the base.
            auto row_width = [&](int y) {
                int k = 0;
                for (int x = 0; x < side; ++x) k += pixel(img, x, y) != bg;
                return k;
            };
            EXPECT_LE(row_width(y0), 3);
            EXPECT_GE(row_width(y1), w - 2);
            for (int y = y0 + 1; y <= y1; ++y) EXPECT_GE(row_width(y), row_width(y - 1)) << "row " << y;
        }
    }
    EXPECT_GE(shapes_seen.size(), 2u);
}

TEST(DemoData, AudioBeepsMatchCountAndPitch) {
    const auto items = labels("audio");
    ASSERT_EQ(int(items.size()), kCount);
    std::set<std::string> pitches;
    for (const auto& [rel, answers] : items) {
        SCOPED_TRACE(rel);
        const MediaInfo info = probe_media(path_of(rel));
        EXPECT_EQ(info.sample_rate, 16000);
        EXPECT_EQ(info.channels, 1);
        const Audio a = decode_audio(path_of(rel));
        EXPECT_GE(a.duration(), 1.2 - 1e-3);
        EXPECT_LE(a.duration(), 2.0 + 1e-3);
        // The noise floor before the first beep: white noise of std 0.005.
        double s = 0;
        const size_t quiet = size_t(0.04 * a.sample_rate);
        for (size_t i = 0; i < quiet; ++i) s += double(a.samples[i]) * a.samples[i];
        EXPECT_NEAR(std::sqrt(s / quiet), 0.005, 0.002);
        pitches.insert(answers.at("audio-pitch"));
        check_beeps(a, kCountWords.at(answers.at("audio-count")), answers.at("audio-pitch"), rel);
    }
    EXPECT_EQ(pitches.size(), 2u);
}

TEST(DemoData, VideosMoveTheDotTheLabelledWay) {
    const auto items = labels("video");
    ASSERT_EQ(int(items.size()), demo_video_count(kCount));
    for (const auto& [rel, answers] : items) {
        SCOPED_TRACE(rel);
        const std::string path = path_of(rel);
        const MediaInfo info = probe_media(path);
        EXPECT_EQ(info.kind, MediaKind::Video);
        EXPECT_EQ(info.video_codec, "h264");
        EXPECT_EQ(info.audio_codec, "aac");
        EXPECT_NEAR(info.duration, 2.0, 0.07);
        EXPECT_NEAR(info.fps, 8.0, 1e-6);
        EXPECT_EQ(info.width, info.height);
        EXPECT_EQ(info.width % 2, 0);
        EXPECT_GE(info.width, 64);
        EXPECT_LE(info.width, 96);
        EXPECT_EQ(decode_all_video_frames(path).frames_decoded, 16);

        const auto frames = sample_video_frames(path, 16);
        ASSERT_EQ(frames.size(), 16u);
        const int side = info.width;
        struct Dot {
            double x = 0, y = 0;
            int n = 0;
            std::array<int, 3> median{};
        };
        auto find_dot = [&](const Image& img) {
            const auto bg = pixel(img, 0, 0);
            Dot d;
            std::array<std::vector<int>, 3> ch;
            for (int y = 0; y < side; ++y)
                for (int x = 0; x < side; ++x) {
                    const auto p = pixel(img, x, y);
                    if (distance(p, bg) < 100) continue;
                    d.x += x + 0.5, d.y += y + 0.5, ++d.n;
                    for (int k = 0; k < 3; ++k) ch[k].push_back(p[k]);
                }
            if (d.n) d.x /= d.n, d.y /= d.n;
            for (int k = 0; k < 3 && d.n; ++k) {
                std::nth_element(ch[k].begin(), ch[k].begin() + d.n / 2, ch[k].end());
                d.median[k] = ch[k][size_t(d.n / 2)];
            }
            return d;
        };
        const Dot a = find_dot(frames.front().image), b = find_dot(frames.back().image);
        const double area = M_PI * 0.15 * side * 0.15 * side;
        for (const Dot* d : {&a, &b}) {
            EXPECT_NEAR(d->n, area, 0.25 * area);
            const std::string colour = answers.at("video-colour");
            EXPECT_EQ(nearest_named(d->median), colour);
            for (int k = 0; k < 3; ++k) EXPECT_LE(std::abs(d->median[k] - kNamed.at(colour)[k]), 25) << k;
        }
        const double dx = (b.x - a.x) / side, dy = (b.y - a.y) / side;
        const std::string dir = answers.at("video-direction");
        const double along = dir == "right" ? dx : dir == "left" ? -dx : dir == "down" ? dy : -dy;
        const double across = dir == "left" || dir == "right" ? dy : dx;
        EXPECT_GT(along, 0.5)
            << dir;  // 20 % -> 80 %, first and last samples one frame apart from the ends at most
        EXPECT_LT(std::abs(across), 0.03) << dir;
        for (const Dot* d : {&a, &b}) {  // the fixed coordinate in 30-70 %
            const double fixed = (dir == "left" || dir == "right" ? d->y : d->x) / side;
            EXPECT_GE(fixed, 0.28);
            EXPECT_LE(fixed, 0.72);
        }

        // 2.0 s of audio; FFmpeg 5.1's mp4 demuxer does not trim the last AAC frame to the packet's
        // duration, so up to 1023 samples of encoder padding (silence) follow.
        const Audio pcm = decode_audio(path);
        EXPECT_GE(pcm.duration(), 2.0);
        EXPECT_LT(pcm.duration(), 2.0 + 1024 / 16000.0);
        check_beeps(pcm, kCountWords.at(answers.at("video-count")), "", rel);
    }
}

TEST(DemoData, VideosDecodeWithTheFfmpegCli) {
    for (const auto& [rel, answers] : labels("video")) {
        const std::string path = path_of(rel);
        std::string out;
        ASSERT_EQ(run_command("ffprobe -v error -count_frames -show_entries stream=codec_name,nb_read_frames,"
                              "sample_rate,channels,width,height -of compact=p=0 '" +
                                  path + "' 2>&1",
                              &out),
                  0)
            << out;
        EXPECT_NE(out.find("codec_name=h264|width="), std::string::npos) << out;
        EXPECT_NE(out.find("nb_read_frames=16"), std::string::npos) << out;
        EXPECT_NE(out.find("codec_name=aac|sample_rate=16000|channels=1"), std::string::npos) << out;
        ASSERT_EQ(run_command("ffmpeg -nostdin -v error -i '" + path + "' -f null - 2>&1", &out), 0);
        EXPECT_EQ(out, "") << "ffmpeg reported errors decoding " << rel;
    }
}

TEST(DemoData, SameSeedGivesIdenticalFiles) {
    const Generated& g = generated();
    DemoDataOptions o;
    o.out = make_temp_dir("demo") + "/b";
    o.count = kCount;
    o.seed = kSeed;
    write_demo_data(o);
    int files = 0;
    for (const auto& e : fs::recursive_directory_iterator(g.dir)) {
        if (!e.is_regular_file()) continue;
        const std::string rel = fs::relative(e.path(), g.dir).string();
        ++files;
        EXPECT_TRUE(read_file(e.path().string()) == read_file(o.out + "/" + rel)) << rel << " differs";
    }
    EXPECT_EQ(files, 2 + 2 * kCount + demo_video_count(kCount));

    o.out = make_temp_dir("demo") + "/c";
    o.seed = kSeed + 1;
    const DemoDataResult other = write_demo_data(o);
    EXPECT_NE(read_file(other.train_json), read_file(g.result.train_json));
    EXPECT_NE(read_file(other.media_dir + "/img_0001.png"), read_file(g.result.media_dir + "/img_0001.png"));
}

TEST(DemoData, LoadsThroughTheLlavaDatasetParser) {
    const Generated& g = generated();
    DatasetOptions opt;
    opt.skip_bad_rows = false;  // any rejected row throws
    for (const auto& [file, rows] :
         {std::pair{g.result.train_json, &g.train}, {g.result.test_json, &g.test}}) {
        const Dataset ds = Dataset::load(file, opt);
        EXPECT_EQ(ds.format, DatasetFormat::LLaVA);
        EXPECT_EQ(ds.bad_rows, 0);
        ASSERT_EQ(ds.examples.size(), rows->size());
        for (size_t i = 0; i < ds.examples.size(); ++i) {
            const Example& e = ds.examples[i];
            const json& row = (*rows)[i];
            ASSERT_EQ(e.media.size(), 1u);
            const std::string kind = e.media[0].kind;
            ASSERT_TRUE(row.contains(kind));
            EXPECT_EQ(fs::path(e.media[0].path), fs::weakly_canonical(path_of(row[kind].get<std::string>())));
            ASSERT_EQ(e.messages.size(), 2u);
            EXPECT_EQ(e.messages[0].role, "user");
            EXPECT_EQ(e.messages[0].content.rfind("<" + kind + ">\n", 0), 0u);
            EXPECT_EQ(e.messages[1].role, "assistant");
            EXPECT_EQ(e.messages[1].content, reply(row));
        }
    }
}

TEST(DemoData, RejectsBadOptionsAndCancels) {
    DemoDataOptions o;
    o.out = make_temp_dir("demo") + "/bad";
    o.count = 1;
    EXPECT_EQ(error_code_of([&] { write_demo_data(o); }), ErrorCode::InvalidArgument);
    o.count = 4;
    o.test_fraction = 1.0;
    EXPECT_EQ(error_code_of([&] { write_demo_data(o); }), ErrorCode::InvalidArgument);
    o.test_fraction = 0.2;
    int calls = 0;
    o.progress = [&](int done, int total) {
        ++calls;
        EXPECT_EQ(total, 4 + 4 + demo_video_count(4));
        return done < 3;
    };
    EXPECT_EQ(error_code_of([&] { write_demo_data(o); }), ErrorCode::Cancelled);
    EXPECT_EQ(calls, 3);
}

// ---- write_video on its own ----------------------------------------------------------------------------

std::vector<Image> solid_frames(int w, int h, int n) {
    std::vector<Image> frames;
    for (int i = 0; i < n; ++i) {
        Image f{w, h, std::vector<uint8_t>(size_t(w) * h * 3)};
        for (size_t p = 0; p < f.rgb.size(); p += 3) {
            f.rgb[p] = uint8_t(20 + 20 * i);  // red ramps up frame by frame
            f.rgb[p + 1] = 128;
            f.rgb[p + 2] = uint8_t(220 - 20 * i);
        }
        frames.push_back(std::move(f));
    }
    return frames;
}

TEST(WriteVideo, RoundTripsFramesAndAudio) {
    const std::string path = make_temp_dir("demo") + "/clip.mp4";
    Audio tone;
    tone.samples.resize(16000 + 333);  // not a whole number of AAC frames
    for (size_t i = 0; i < tone.samples.size(); ++i)
        tone.samples[i] = float(0.4 * std::sin(2 * M_PI * 440 * i / 16000.0));
    write_video(path, solid_frames(48, 32, 10), 10.0, &tone);
    const MediaInfo info = probe_media(path);
    EXPECT_EQ(info.width, 48);
    EXPECT_EQ(info.height, 32);
    EXPECT_NEAR(info.fps, 10.0, 1e-6);
    EXPECT_NEAR(info.duration, 1.0, 0.05);
    EXPECT_EQ(decode_all_video_frames(path).frames_decoded, 10);
    const auto frames = sample_video_frames(path, 10);
    ASSERT_EQ(frames.size(), 10u);
    for (const auto& f : frames) {
        // Frame shown at f.pts is input frame round(pts * 10); its colour survives within a few levels.
        const int i = int(std::lround(f.pts * 10));
        const uint8_t* p = &f.image.rgb[(size_t(16) * 48 + 24) * 3];
        EXPECT_NEAR(p[0], 20 + 20 * i, 4) << "frame " << i;
        EXPECT_NEAR(p[1], 128, 4) << "frame " << i;
        EXPECT_NEAR(p[2], 220 - 20 * i, 4) << "frame " << i;
    }
    const Audio back = decode_audio(path);
    // The priming is trimmed; the last frame's padding is not (see above): whole AAC frames come back.
    EXPECT_EQ(back.samples.size(), (tone.samples.size() + 1023) / 1024 * 1024);
    double err = 0, ref = 0;
    for (size_t i = 1000; i + 1000 < std::min(back.samples.size(), tone.samples.size()); ++i)
        err += std::pow(back.samples[i] - tone.samples[i], 2), ref += std::pow(tone.samples[i], 2);
    EXPECT_LT(err / ref, 0.01) << "the tone comes back aligned, within 20 dB";
}

TEST(WriteVideo, WithoutAudioAndRefusals) {
    const std::string dir = make_temp_dir("demo");
    write_video(dir + "/silent.mp4", solid_frames(32, 32, 4), 8.0);
    const MediaInfo info = probe_media(dir + "/silent.mp4");
    EXPECT_TRUE(info.has_video);
    EXPECT_FALSE(info.has_audio);
    EXPECT_EQ(error_code_of([&] { write_video(dir + "/odd.mp4", solid_frames(33, 32, 2), 8.0); }),
              ErrorCode::InvalidArgument);
    EXPECT_FALSE(fs::exists(dir + "/odd.mp4"));
    auto mixed = solid_frames(32, 32, 2);
    mixed.push_back(solid_frames(34, 32, 1)[0]);
    EXPECT_EQ(error_code_of([&] { write_video(dir + "/mixed.mp4", mixed, 8.0); }),
              ErrorCode::InvalidArgument);
    EXPECT_EQ(error_code_of([&] { write_video(dir + "/none.mp4", {}, 8.0); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(
        error_code_of([&] { write_video(dir + "/no/such/folder/x.mp4", solid_frames(32, 32, 2), 8.0); }),
        ErrorCode::Io);
}

}  // namespace
