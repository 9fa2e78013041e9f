// CLIP image front end: Pillow-exact resize and HF CLIPImageProcessor parity against the fixtures'
// reference pixel values, plus properties of resampling that hold whatever the implementation.
#include "features/image_processor.h"

#include "common/error.h"
#include "io/safetensors.h"
#include "media/media.h"
#include "test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

namespace atelier {
namespace {

using test::fixture;

Image load_image(const std::string& path) {
    return decode_image(path);
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

Image random_image(int w, int h, uint32_t seed) {
    std::mt19937 rng(seed);
    Image img;
    img.width = w;
    img.height = h;
    img.rgb.resize(size_t(w) * h * 3);
    for (auto& v : img.rgb) v = uint8_t(rng() & 0xff);
    return img;
}

uint8_t px(const Image& img, int x, int y, int c) {
    return img.rgb[(size_t(y) * img.width + x) * 3 + c];
}

const Resample kAllFilters[] = {Resample::Nearest, Resample::Box,     Resample::Bilinear,
                                Resample::Hamming, Resample::Bicubic, Resample::Lanczos};

// --- parity with Hugging Face (PIL bicubic) ----------------------------------------------------

void expect_clip_reference(const std::string& image_name) {
    const auto proc = ImageProcessor::load(fixture("multimodal/clip-vit-tiny"));
    EXPECT_EQ(proc.output_height(), 64);
    EXPECT_EQ(proc.output_width(), 64);
    const std::vector<float> got = proc.preprocess(load_image(fixture("media/" + image_name + ".png")));
    const std::vector<float> want =
        reference_tensor(fixture("multimodal/reference/clip-vit-tiny." + image_name + ".safetensors"),
                         "pixel_values", {1, 3, 64, 64});
    ASSERT_EQ(got.size(), want.size());
    double max_diff = 0;
    for (size_t i = 0; i < got.size(); ++i)
        max_diff = std::max(max_diff, std::fabs(double(got[i]) - want[i]));
    std::printf("[ clip %s ] pixel_values max |diff| = %.3g\n", image_name.c_str(), max_diff);
    // One 8-bit level is 1/255/std ~ 0.015: anything above 1e-5 is a resize that is not Pillow's.
    EXPECT_LE(max_diff, 1e-5);
}

TEST(ImageProcessor, AstronautMatchesReference) {
    expect_clip_reference("astronaut");
}
TEST(ImageProcessor, ChelseaMatchesReference) {
    expect_clip_reference("chelsea");
}

TEST(ImageProcessor, ShortestEdgeResizeKeepsAspectRatio) {
    ImageProcessorConfig c;
    c.shortest_edge = 64;
    c.do_center_crop = false;
    const Image cat = load_image(fixture("media/chelsea.png"));  // 451 x 300
    const Image out = ImageProcessor(c).prepare(cat);
    EXPECT_EQ(out.height, 64);
    EXPECT_EQ(out.width, 96);  // int(64 * 451 / 300) = int(96.21)
    // Portrait: the width is the short side.
    const Image tall = ImageProcessor(c).prepare(random_image(30, 100, 1));
    EXPECT_EQ(tall.width, 64);
    EXPECT_EQ(tall.height, 213);  // int(64 * 100 / 30) = int(213.33)
}

// --- resize_image: facts that hold for Pillow's algorithm --------------------------------------

TEST(ResizeImage, SameSizeIsIdentity) {
    const Image img = random_image(37, 23, 2);
    for (Resample f : kAllFilters) EXPECT_EQ(resize_image(img, 37, 23, f).rgb, img.rgb) << int(f);
}

TEST(ResizeImage, ConstantImageStaysConstant) {
    Image img;
    img.width = 50;
    img.height = 31;
    img.rgb.resize(size_t(50) * 31 * 3);
    for (size_t i = 0; i < img.rgb.size(); i += 3) {
        img.rgb[i] = 200;
        img.rgb[i + 1] = 7;
        img.rgb[i + 2] = 128;
    }
    for (Resample f : kAllFilters) {
        for (auto [w, h] : {std::pair{17, 9}, std::pair{123, 77}, std::pair{50, 60}, std::pair{3, 31}}) {
            const Image out = resize_image(img, w, h, f);
            ASSERT_EQ(out.width, w);
            ASSERT_EQ(out.height, h);
            for (size_t i = 0; i < out.rgb.size(); i += 3) {
                ASSERT_EQ(out.rgb[i], 200) << int(f) << " " << w << "x" << h;
                ASSERT_EQ(out.rgb[i + 1], 7);
                ASSERT_EQ(out.rgb[i + 2], 128);
            }
        }
    }
}

TEST(ResizeImage, MirrorSymmetricImageStaysSymmetric) {
    // Left-right and top-bottom mirror-symmetric input: the kernels are even functions and the
    // window bounds mirror, so the output is symmetric too (box excluded: its window is half-open).
    Image img = random_image(60, 44, 3);
    for (int y = 0; y < img.height; ++y)
        for (int x = 0; x < img.width; ++x)
            for (int c = 0; c < 3; ++c) {
                const int sx = std::min(x, img.width - 1 - x), sy = std::min(y, img.height - 1 - y);
                img.rgb[(size_t(y) * img.width + x) * 3 + c] = px(img, sx, sy, c);
            }
    for (Resample f : {Resample::Bilinear, Resample::Hamming, Resample::Bicubic, Resample::Lanczos}) {
        for (auto [w, h] : {std::pair{20, 12}, std::pair{90, 70}, std::pair{17, 33}}) {
            const Image out = resize_image(img, w, h, f);
            for (int y = 0; y < h; ++y)
                for (int x = 0; x < w; ++x)
                    for (int c = 0; c < 3; ++c) {
                        ASSERT_EQ(px(out, x, y, c), px(out, w - 1 - x, y, c))
                            << int(f) << " " << w << "x" << h;
                        ASSERT_EQ(px(out, x, y, c), px(out, x, h - 1 - y, c))
                            << int(f) << " " << w << "x" << h;
                    }
        }
    }
}

TEST(ResizeImage, BoxHalvingAveragesPairsWithPillowRounding) {
    // Box at scale 2: each output reads exactly two inputs with weight 1/2 per pass; a pass rounds
    // half up into uint8 (fixed point with a half-unit offset), horizontal first.
    const Image img = random_image(64, 40, 4);
    const Image out = resize_image(img, 32, 20, Resample::Box);
    for (int y = 0; y < 20; ++y)
        for (int x = 0; x < 32; ++x)
            for (int c = 0; c < 3; ++c) {
                const int top = (px(img, 2 * x, 2 * y, c) + px(img, 2 * x + 1, 2 * y, c) + 1) / 2;
                const int bottom = (px(img, 2 * x, 2 * y + 1, c) + px(img, 2 * x + 1, 2 * y + 1, c) + 1) / 2;
                ASSERT_EQ(px(out, x, y, c), (top + bottom + 1) / 2) << x << "," << y;
            }
}

TEST(ResizeImage, OnlyTheChangedAxisIsResampled) {
    // Width unchanged: every column is resampled on its own (no horizontal pass mixes columns).
    const Image img = random_image(16, 40, 5);
    const Image out = resize_image(img, 16, 20, Resample::Box);
    for (int y = 0; y < 20; ++y)
        for (int x = 0; x < 16; ++x)
            ASSERT_EQ(px(out, x, y, 1), (px(img, x, 2 * y, 1) + px(img, x, 2 * y + 1, 1) + 1) / 2);
}

TEST(ResizeImage, NearestPicksTheSampleUnderEachOutputCentre) {
    const Image img = random_image(30, 21, 6);
    const Image down = resize_image(img, 10, 7, Resample::Nearest);  // factor 3: centre 3i + 1.5
    for (int y = 0; y < 7; ++y)
        for (int x = 0; x < 10; ++x)
            for (int c = 0; c < 3; ++c) ASSERT_EQ(px(down, x, y, c), px(img, 3 * x + 1, 3 * y + 1, c));
    const Image up = resize_image(img, 60, 42, Resample::Nearest);  // factor 1/2: each pixel twice
    for (int y = 0; y < 42; ++y)
        for (int x = 0; x < 60; ++x)
            for (int c = 0; c < 3; ++c) ASSERT_EQ(px(up, x, y, c), px(img, x / 2, y / 2, c));
}

TEST(ResizeImage, UpscaleInterpolatesWithinNeighbours) {
    // Bilinear upscaling never leaves the range of the two neighbours it blends.
    const Image img = random_image(9, 1, 7);
    const Image out = resize_image(img, 36, 1, Resample::Bilinear);
    for (int x = 0; x < 36; ++x) {
        const double centre = (x + 0.5) / 4 - 0.5;
        const int a = std::clamp(int(std::floor(centre)), 0, 8), b = std::clamp(a + 1, 0, 8);
        for (int c = 0; c < 3; ++c) {
            const int lo = std::min(px(img, a, 0, c), px(img, b, 0, c));
            const int hi = std::max(px(img, a, 0, c), px(img, b, 0, c));
            EXPECT_GE(px(out, x, 0, c), lo) << x;
            EXPECT_LE(px(out, x, 0, c), hi) << x;
        }
    }
}

// Pillow's own output: FNV-1a 64 of Image.resize((w, h), resample=f).tobytes() for the 97x61 RGB
// image whose bytes are the top bytes of the LCG s = s * 1103515245 + 12345 (mod 2^32) from s = 1,
// recorded with Pillow 9.4.0 (Debian 12's python3-pil). Columns: Resample value 0..5.
uint64_t fnv1a(const std::vector<uint8_t>& bytes) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint8_t b : bytes) h = (h ^ b) * 0x100000001b3ull;
    return h;
}

TEST(ResizeImage, EqualsPillowByteForByte) {
    Image src;
    src.width = 97;
    src.height = 61;
    src.rgb.resize(size_t(97) * 61 * 3);
    uint32_t s = 1;
    for (auto& b : src.rgb) {
        s = s * 1103515245u + 12345u;
        b = uint8_t(s >> 24);
    }
    struct Case {
        int w, h;
        uint64_t by_filter[6];
    };
    const Case cases[] = {
        {40,
         25,
         {0x4c8d3fda4c83b99eull, 0xa323f517b7cd0334ull, 0xbaec51a40a655cc7ull, 0x8cc1c9783a5c50b5ull,
          0xe2af54bc9dbfbc2aull, 0xe2c90ca1ad9e981bull}},
        {200,
         130,
         {0x5939ac2ec0a8a68cull, 0xaa8366a9d707ee7aull, 0x2560fb0887096b9cull, 0xd2c503d6becce9e9ull,
          0x5939ac2ec0a8a68cull, 0x5963ef2a693fa71aull}},
        {97,
         30,
         {0xf1c4eb59505a9de9ull, 0x7552ff71cc1faf4cull, 0x3cf6378864262371ull, 0xa60f4c4e0afcf855ull,
          0xf2614121d92d4564ull, 0x6975a74c6b604394ull}},
        {31,
         61,
         {0x2ac777e01e114137ull, 0x8d283ab84b34e4baull, 0x3e94d832b494b8b6ull, 0x19ad02b814ea84bbull,
          0x35c52b627558a477ull, 0xdc04e9b31e47ccc7ull}},
        {64,
         64,
         {0x7000471950f5f160ull, 0xdc656665c2b559f0ull, 0xb439f70986a10cb3ull, 0xf29d9e44399b0454ull,
          0x2c87b17b4f5bd9c5ull, 0x32c7fcf25d9ecb72ull}},
        {13,
         7,
         {0xf75383b5bce4b7c2ull, 0x66494259e3019d09ull, 0x6ceed18d9f21f2deull, 0x5a6492959aae4462ull,
          0x0e6c39a74887567dull, 0x83b1adc79dc97e18ull}},
        {300,
         20,
         {0x985d72127eb1a8cfull, 0x88a585b5f96c6f16ull, 0xc2194bd1b94bcb01ull, 0xbe5da3dab88b0aadull,
          0x086a18123efb14f5ull, 0x664b5cb27a857f55ull}},
        {1,
         1,
         {0x0fba811a3dc12f05ull, 0xab605d1973925632ull, 0xab605d1973925632ull, 0xab605d1973925632ull,
          0xab605d1973925632ull, 0xab605d1973925632ull}},
    };
    for (const Case& c : cases)
        for (int f = 0; f < 6; ++f)
            EXPECT_EQ(fnv1a(resize_image(src, c.w, c.h, Resample(f)).rgb), c.by_filter[f])
                << "97x61 -> " << c.w << "x" << c.h << " filter " << f;
}

TEST(ResizeImage, VeryTallImagesShrinkVerticallyFirst) {
    // Pillow >= 12.2: height > 100 x width and shrinking in height runs the vertical pass first.
    const Image tall = random_image(3, 400, 14);
    for (Resample f : {Resample::Bilinear, Resample::Bicubic, Resample::Lanczos}) {
        const Image two_step = resize_image(resize_image(tall, 3, 50, f), 2, 50, f);
        EXPECT_EQ(resize_image(tall, 2, 50, f).rgb, two_step.rgb) << int(f);
    }
}

TEST(ResizeImage, RejectsBadInput) {
    Image broken;
    broken.width = 4;
    broken.height = 4;
    broken.rgb.resize(10);
    EXPECT_EQ(test::error_code_of([&] { resize_image(broken, 2, 2); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(test::error_code_of([&] { resize_image(random_image(4, 4, 8), 0, 2); }),
              ErrorCode::InvalidArgument);
}

// --- padding and cropping ----------------------------------------------------------------------

TEST(ImageProcessor, PadToSquareCentresOnTheMeanColour) {
    ImageProcessorConfig c;
    c.pad_to_square = true;
    c.do_resize = false;
    c.do_center_crop = false;
    const Image cat = load_image(fixture("media/chelsea.png"));  // 451 x 300
    const Image sq = ImageProcessor(c).prepare(cat);
    ASSERT_EQ(sq.width, 451);
    ASSERT_EQ(sq.height, 451);
    const int top = (451 - 300) / 2;          // 75
    const uint8_t mean[3] = {122, 116, 104};  // int(x * 255) of CLIP's mean
    for (int y = 0; y < 451; ++y)
        for (int x = 0; x < 451; ++x)
            for (int ch = 0; ch < 3; ++ch) {
                const bool inside = y >= top && y < top + 300;
                const uint8_t want = inside ? px(cat, x, y - top, ch) : mean[ch];
                ASSERT_EQ(px(sq, x, y, ch), want) << x << "," << y;
            }
    // Portrait: padded left and right, (S - w) // 2 before.
    const Image tall = random_image(5, 10, 9);
    const Image tall_sq = ImageProcessor(c).prepare(tall);
    ASSERT_EQ(tall_sq.width, 10);
    for (int y = 0; y < 10; ++y) {
        EXPECT_EQ(px(tall_sq, 1, y, 0), 122);
        EXPECT_EQ(px(tall_sq, 2, y, 0), px(tall, 0, y, 0));
        EXPECT_EQ(px(tall_sq, 6, y, 2), px(tall, 4, y, 2));
        EXPECT_EQ(px(tall_sq, 7, y, 1), 116);
    }

    // Through the whole pipeline the padding rows hold the normalised mean colour.
    ImageProcessorConfig full = ImageProcessorConfig::from_json(
        test::read_file(fixture("multimodal/clip-vit-tiny/preprocessor_config.json")), "clip");
    full.pad_to_square = true;
    const std::vector<float> v = ImageProcessor(full).preprocess(cat);
    ASSERT_EQ(v.size(), size_t(3 * 64 * 64));
    for (int ch = 0; ch < 3; ++ch) {
        const float want = float((mean[ch] / 255.0 - full.image_mean[ch]) / full.image_std[ch]);
        EXPECT_NEAR(v[size_t(ch) * 64 * 64 + 0], want, 1e-6);             // top-left corner
        EXPECT_NEAR(v[size_t(ch) * 64 * 64 + 63 * 64 + 32], want, 1e-6);  // bottom centre
    }
}

TEST(ImageProcessor, CentreCropOfASmallImagePadsWithBlack) {
    ImageProcessorConfig c;
    c.do_resize = false;
    c.crop_height = 40;
    c.crop_width = 64;
    const Image small = random_image(41, 31, 10);  // HF: ceil((64-41)/2) = 12 left, ceil(9/2) = 5 top
    const Image out = ImageProcessor(c).prepare(small);
    ASSERT_EQ(out.width, 64);
    ASSERT_EQ(out.height, 40);
    for (int y = 0; y < 40; ++y)
        for (int x = 0; x < 64; ++x) {
            const int sx = x - 12, sy = y - 5;
            const bool inside = sx >= 0 && sx < 41 && sy >= 0 && sy < 31;
            ASSERT_EQ(px(out, x, y, 0), inside ? px(small, sx, sy, 0) : 0) << x << "," << y;
        }
    // Larger than the crop: window at ((h - ch) // 2, (w - cw) // 2).
    c.crop_height = c.crop_width = 4;
    const Image big = random_image(11, 8, 11);
    const Image crop = ImageProcessor(c).prepare(big);
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 4; ++x) EXPECT_EQ(px(crop, x, y, 2), px(big, x + 3, y + 2, 2));
}

TEST(ImageProcessor, RescaleAndNormaliseAreChannelMajor) {
    ImageProcessorConfig c;
    c.do_resize = false;
    c.do_center_crop = false;
    const Image img = random_image(3, 2, 12);
    const std::vector<float> v = ImageProcessor(c).preprocess(img);
    ASSERT_EQ(v.size(), size_t(18));
    for (int ch = 0; ch < 3; ++ch)
        for (int i = 0; i < 6; ++i)
            EXPECT_FLOAT_EQ(
                v[size_t(ch) * 6 + i],
                float((img.rgb[size_t(i) * 3 + ch] / 255.0 - c.image_mean[ch]) / c.image_std[ch]));
    c.do_normalize = false;
    c.do_rescale = false;
    const std::vector<float> raw = ImageProcessor(c).preprocess(img);
    EXPECT_EQ(raw[6 + 1], float(img.rgb[1 * 3 + 1]));
}

// --- preprocessor_config.json ------------------------------------------------------------------

TEST(ImageProcessorConfig, ParsesHfLayouts) {
    const auto tiny = ImageProcessor::load(fixture("multimodal/clip-vit-tiny")).config();
    EXPECT_EQ(tiny.shortest_edge, 64);
    EXPECT_EQ(tiny.crop_height, 64);
    EXPECT_EQ(tiny.resample, Resample::Bicubic);
    EXPECT_DOUBLE_EQ(tiny.rescale_factor, 1 / 255.0);
    EXPECT_DOUBLE_EQ(tiny.image_std[2], 0.27577711);
    EXPECT_FALSE(tiny.pad_to_square);

    // Old configs: plain ints; LLaVA's image_aspect_ratio.
    auto old = ImageProcessorConfig::from_json(
        R"({"size": 336, "crop_size": 336, "resample": 2, "do_center_crop": true, "image_aspect_ratio": "pad"})",
        "x");
    EXPECT_EQ(old.shortest_edge, 336);
    EXPECT_EQ(old.crop_width, 336);
    EXPECT_EQ(old.resample, Resample::Bilinear);
    EXPECT_TRUE(old.pad_to_square);

    auto hw = ImageProcessorConfig::from_json(
        R"({"size": {"height": 30, "width": 50}, "do_center_crop": false})", "x");
    EXPECT_EQ(hw.shortest_edge, 0);
    EXPECT_EQ(hw.size_height, 30);
    EXPECT_EQ(hw.size_width, 50);
    const ImageProcessor proc(hw);
    EXPECT_EQ(proc.output_height(), 30);
    EXPECT_EQ(proc.output_width(), 50);
    const Image out = proc.prepare(random_image(100, 100, 13));
    EXPECT_EQ(out.width, 50);
    EXPECT_EQ(out.height, 30);

    // Round trip.
    auto back = ImageProcessorConfig::from_json(old.to_json(), "round trip");
    EXPECT_EQ(back.shortest_edge, 336);
    EXPECT_TRUE(back.pad_to_square);
    EXPECT_EQ(back.resample, Resample::Bilinear);
}

TEST(ImageProcessorConfig, MalformedConfigsNameTheFile) {
    const std::string dir = test::make_temp_dir("imgcfg");
    const std::string path = dir + "/preprocessor_config.json";
    const std::pair<const char*, ErrorCode> cases[] = {
        {R"({"size": )", ErrorCode::BadJson},
        {R"([1, 2, 3])", ErrorCode::BadJson},
        {R"({"size": 0})", ErrorCode::BadConfig},
        {R"({"size": {"shortest_edge": 9000}})", ErrorCode::BadConfig},
        {R"({"size": {"longest_edge": 100}})", ErrorCode::BadConfig},
        {R"({"size": {"height": 10}})", ErrorCode::BadConfig},
        {R"({"size": "big"})", ErrorCode::BadConfig},
        {R"({"size": 22.5})", ErrorCode::BadConfig},
        {R"({"crop_size": -1})", ErrorCode::BadConfig},
        {R"({"crop_size": [224, 224]})", ErrorCode::BadConfig},
        {R"({"resample": 7})", ErrorCode::BadConfig},
        {R"({"resample": "bicubic"})", ErrorCode::BadConfig},
        {R"({"do_resize": "yes"})", ErrorCode::BadConfig},
        {R"({"rescale_factor": 0})", ErrorCode::BadConfig},
        {R"({"image_mean": [0.5, 0.5]})", ErrorCode::BadConfig},
        {R"({"image_mean": [0.5, "a", 0.5]})", ErrorCode::BadConfig},
        {R"({"image_std": [0.5, 0.0, 0.5]})", ErrorCode::BadConfig},
        {R"({"image_aspect_ratio": 1})", ErrorCode::BadConfig},
    };
    for (const auto& [text, code] : cases) {
        test::write_file(path, text);
        try {
            ImageProcessor::load(dir);
            ADD_FAILURE() << "accepted: " << text;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), code) << text << " -> " << e.what();
            EXPECT_EQ(e.where(), path) << text;
        }
    }
    EXPECT_EQ(test::error_code_of([&] { ImageProcessor::load(dir + "/nowhere"); }), ErrorCode::FileNotFound);
}

}  // namespace
}  // namespace atelier
