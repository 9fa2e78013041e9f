// The multimodal demo task's data: a deterministic generator of small synthetic images, audio clips
// and videos with questions about them, written as a LLaVA-format train/test split.
//
//   atelier::DemoDataOptions o;
//   o.out = "demo";                                   // demo/train.json, demo/test.json, demo/media/
//   atelier::DemoDataResult r = atelier::write_demo_data(o);   // throws atelier::Error
//   for (const auto& c : r.categories) std::cout << c.name << " " << c.train << "/" << c.test << "\n";
//
// What is generated (every range uniform, every draw from `seed`):
//  - Images: PNG, square, 64-96 px, a uniform light background (each RGB channel 200-255) with one
//    filled shape (circle, axis-aligned square, or triangle pointing up: base and height equal) of
//    size 35-60 % of the side (diameter / side / base), fully inside, in red (220,40,40), green
//    (40,170,60), blue (40,70,220) or yellow (230,200,40), each channel jittered by up to +-15.
//    Pixels are inside the shape when their centre is (no anti-aliasing: two colours per image).
//    Questions: "What colour is the shape?" (image-colour), "What shape is this?" (image-shape).
//  - Audio: 16 kHz mono PCM16 WAV, 1.2-2.0 s long (and at least 50 ms past the last beep): 1-4
//    beeps of 0.10-0.16 s with 10 ms linear fades, all at 500 Hz ("low") or all at 1500 Hz
//    ("high"), amplitude 0.3-0.6 (one per clip), gaps 0.10-0.20 s, the first starting at
//    0.05-0.25 s, over Gaussian white noise of std 0.005.
//    Questions: "How many beeps are there?" (audio-count: one..four), "Is the tone high or low?"
//    (audio-pitch).
//  - Video: MP4 (H.264 + AAC, see write_video), 2.0 s at 8 fps (16 frames), square, an even size of
//    64-96 px: an image-style background and a filled circle of diameter 30 % of the side in one of
//    the four colours, its centre moving at constant speed from 20 % to 80 % of the frame towards
//    the left, right, top ("up") or bottom ("down"), the other coordinate fixed at 30-70 %. The
//    audio track (2.0 s) carries beeps as above. Questions: "Which way is the dot moving?"
//    (video-direction), "What colour is the dot?" (video-colour), "How many beeps are there?"
//    (video-count).
//
// Every media item gives one row per question about it, so `count` images give 2 x count rows.
// Items, not rows, are split: the last round(n * test_fraction) items of each modality (at least one,
// at most n - 1) are the test split, so a test item is never seen in training and every question
// type is in both splits. The user turn is "<image>\n" (or
// "<audio>\n", "<video>\n") + the question; the reply is the answer word alone, lower case. Rows:
//   {"id": "image-0001-colour", "category": "image-colour", "image": "media/img_0001.png",
//    "conversations": [{"from": "human", "value": "<image>\nWhat colour is the shape?"},
//                      {"from": "gpt", "value": "red"}]}
// with "audio" / "video" in place of "image"; paths are relative to the JSON files' folder (which
// training/dataset.h requires). Rows are in item order, images then audio then videos.
//
// Deterministic: the same options give byte-identical JSON, PNG, WAV and MP4 files (the MP4 with
// the same FFmpeg and x264 builds). Item i of a modality depends only on (seed, modality, i), so a
// larger count adds items without changing the first ones. Existing files of the same names are
// overwritten; nothing else in the folder is touched.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace atelier {

struct DemoDataOptions {
    std::string out;             // folder to write (created)
    int count = 200;             // images, and audio clips; videos are ceil(count * 3 / 5), min 2
    uint64_t seed = 1;           // everything generated follows from it
    double test_fraction = 0.2;  // of each modality's items, rounded, at least 1 each way
    // Called after each media item with items done and the total; return false to cancel
    // (ErrorCode::Cancelled).
    std::function<bool(int done, int total)> progress;
};

struct DemoCategory {
    std::string name;  // "image-colour", "image-shape", "audio-count", "audio-pitch",
                       // "video-direction", "video-colour", "video-count"
    int train = 0;     // rows in train.json
    int test = 0;      // rows in test.json
};

struct DemoDataResult {
    std::string train_json;                 // <out>/train.json
    std::string test_json;                  // <out>/test.json
    std::string media_dir;                  // <out>/media
    int images = 0, audio = 0, videos = 0;  // media files written
    int train_rows = 0, test_rows = 0;
    std::vector<DemoCategory> categories;  // in the order above
};

// The number of videos for a given `count` (3/5 of it: a video carries three questions, so every
// modality gives about the same number of rows).
int demo_video_count(int count);

// Writes the data set. Throws ErrorCode::InvalidArgument (count < 2, test_fraction outside (0, 1),
// empty `out`), Io (cannot create or write), Cancelled, UnsupportedCodec (see write_video).
DemoDataResult write_demo_data(const DemoDataOptions& options);

}  // namespace atelier
