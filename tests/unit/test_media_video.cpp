// core/media against real files: video probing and frame sampling (rotated, variable-rate and
// long-GOP videos the ffmpeg CLI makes here), corrupted copies, limits, writers and threads.
#include "unit/media_test_util.h"

using namespace atelier::test::media_test;
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
