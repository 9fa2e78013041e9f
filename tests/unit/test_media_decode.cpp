// core/media against real files: images (pixel formats, EXIF orientations) and audio (tones,
// codecs, channel layouts), with independent decodes by the `ffmpeg` CLI as the reference.
#include "unit/media_test_util.h"

#include <functional>

using namespace atelier::test::media_test;

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

// Found by fuzz_media (48 bytes): a PNG header declaring 4294967222 x 2981871353 pixels overflowed
// the pixel count (signed 64-bit) before the limit was compared, so the limit let it through.
TEST(MediaImage, APixelCountPastSixtyFourBitsIsRefusedByTheLimit) {
    const unsigned char crash[] = {0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d,
                                   0x49, 0x48, 0x44, 0x52, 0xff, 0xff, 0xff, 0xb6, 0xb1, 0xbb, 0xbe, 0xf9,
                                   0xef, 0xff, 0xff, 0xff, 0x00, 0xaf, 0x60, 0x00, 0x00, 0x90, 0x49, 0x44,
                                   0x41, 0x5c, 0x78, 0x9c, 0x01, 0x85, 0x00, 0x7a, 0xff, 0xbc, 0x60, 0x82};
    const std::string path = make_temp_dir("png-overflow") + "/crash.png";
    write_file(path, std::string(reinterpret_cast<const char*>(crash), sizeof crash));
    for (const auto& run : {std::function<void()>([&] { atelier::decode_image(path); }),
                            std::function<void()>([&] { atelier::probe_media(path); })}) {
        try {
            run();
            ADD_FAILURE() << "decoded";
        } catch (const atelier::Error& e) {
            EXPECT_EQ(e.code(), atelier::ErrorCode::MediaLimit) << e.what();
            EXPECT_NE(std::string(e.what()).find("exceeds the limit"), std::string::npos) << e.what();
        }
    }
}
