// Media decoding benchmark: what sampling frames by seeking costs next to decoding a whole long
// video, plus probe and audio-track decode times, printed beside the machine they ran on.
//
//   bench_media                          # 10-min 1080p H.264 + AAC, made once (cached)
//   bench_media --work DIR --minutes 2   # another cache folder (default /tmp/atelier-bench-media),
//                                        # a shorter video
//   bench_media --decode-all-seconds 60  # decode-all over the first 60 s only (default: all)
//
// Torch-free on purpose (links atelier_media only), so it does not use bench_util.h, which pulls in
// LibTorch for its GEMM probe; the timing and peak-RSS helpers below are the same idea.
#include "common/blas_kernels.h"
#include "common/error.h"
#include "media/media.h"

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

using namespace atelier;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
double seconds(Clock::time_point since) {
    return std::chrono::duration<double>(Clock::now() - since).count();
}

double peak_rss_gib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / (1024.0 * 1024.0);
}

std::string first_line_of(const std::string& cmd) {
    std::string out;
    if (std::FILE* p = popen(cmd.c_str(), "r")) {
        char buf[512];
        if (std::fgets(buf, sizeof buf, p)) out = buf;
        pclose(p);
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

std::string cpu_model() {
    std::string m = first_line_of("grep -m1 'model name' /proc/cpuinfo");
    const auto colon = m.find(':');
    return colon == std::string::npos ? "unknown CPU" : m.substr(colon + 2);
}

void print_sampling(const char* label, const std::vector<VideoFrame>& frames, const DecodeStats& s, double t,
                    int64_t total_frames) {
    std::printf(
        "  %-22s %8.3f s   %6lld frames decoded (%5.1f%% of %lld), %6lld packets, %3d seeks, %.3f s/frame\n",
        label, t, (long long)s.frames_decoded, 100.0 * s.frames_decoded / std::max<int64_t>(1, total_frames),
        (long long)total_frames, (long long)s.packets_read, s.seeks, t / std::max<size_t>(1, frames.size()));
}

}  // namespace

int main(int argc, char** argv) {
    atelier::use_native_blas_kernels(argv);
    std::string work = (fs::temp_directory_path() / "atelier-bench-media").string();
    double minutes = 10, decode_all_seconds = 0;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
        if (a == "--work")
            work = next();
        else if (a == "--minutes")
            minutes = std::atof(next().c_str());
        else if (a == "--decode-all-seconds")
            decode_all_seconds = std::atof(next().c_str());
        else {
            std::fprintf(stderr, "usage: bench_media [--work DIR] [--minutes M] [--decode-all-seconds S]\n");
            return 2;
        }
    }
    try {
        std::printf("machine: %s, %u hardware threads; %s; decoder threads min(2, hardware)\n",
                    cpu_model().c_str(), std::thread::hardware_concurrency(),
                    first_line_of("ffmpeg -version 2>/dev/null").c_str());

        fs::create_directories(work);
        const int secs = int(minutes * 60);
        const std::string video = work + "/moving_1080p_" + std::to_string(secs) + "s.mp4";
        if (!fs::exists(video)) {
            std::printf("generating %s (%d s of 1080p25 H.264 ultrafast, GOP 250, AAC 44.1 kHz stereo)...\n",
                        video.c_str(), secs);
            std::fflush(stdout);
            const std::string tmp = video + ".part.mp4";
            const std::string cmd =
                "ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=s=1920x1080:r=25:d=" +
                std::to_string(secs) + " -f lavfi -i sine=f=440:sample_rate=44100:d=" + std::to_string(secs) +
                " -ac 2 -c:v libx264 -preset ultrafast -g 250 -pix_fmt yuv420p -c:a aac -b:a 96k"
                " -shortest '" +
                tmp + "'";
            const auto t0 = Clock::now();
            if (std::system(cmd.c_str()) != 0 || !fs::exists(tmp)) {
                std::fprintf(stderr, "bench_media: ffmpeg failed: %s\n", cmd.c_str());
                return 1;
            }
            fs::rename(tmp, video);
            std::printf("  generated in %.1f s\n", seconds(t0));
        }
        std::printf("\n== %s (%.1f MB)\n", video.c_str(), fs::file_size(video) / 1e6);

        auto t0 = Clock::now();
        const MediaInfo info = probe_media(video);
        const double probe_s = seconds(t0);
        const auto total_frames = int64_t(info.duration * info.fps + 0.5);
        std::printf("  probe                  %8.4f s   %s, %dx%d, %.2f fps, %.1f s, %s %d Hz %d ch\n",
                    probe_s, info.video_codec.c_str(), info.width, info.height, info.fps, info.duration,
                    info.audio_codec.c_str(), info.sample_rate, info.channels);

        for (int n : {8, 32}) {
            DecodeStats s;
            t0 = Clock::now();
            const auto frames = sample_video_frames(video, n, {}, &s);
            const double t = seconds(t0);
            const std::string label = "sample " + std::to_string(n) + " frames";
            print_sampling(label.c_str(), frames, s, t, total_frames);
        }

        t0 = Clock::now();
        const DecodeStats all = decode_all_video_frames(video, decode_all_seconds);
        const double all_s = seconds(t0);
        std::printf(
            "  decode all%-12s %8.3f s   %6lld frames decoded, %.1f frames/s (%.2f Mpixel/s)\n",
            decode_all_seconds > 0 ? (" (" + std::to_string(int(decode_all_seconds)) + " s)").c_str() : "",
            all_s, (long long)all.frames_decoded, all.frames_decoded / all_s,
            all.frames_decoded * double(info.width) * info.height / all_s / 1e6);
        if (decode_all_seconds > 0 && info.duration > decode_all_seconds)
            std::printf("  (whole file by extrapolation: %.1f s)\n",
                        all_s * info.duration / decode_all_seconds);

        t0 = Clock::now();
        const Audio audio = decode_audio(video, 16000);
        const double audio_s = seconds(t0);
        std::printf("  audio -> 16 kHz mono   %8.3f s   %.1f s of audio, %.0fx real time\n", audio_s,
                    audio.duration(), audio.duration() / audio_s);
        std::printf("  peak RSS               %8.2f GiB\n", peak_rss_gib());
    } catch (const Error& e) {
        std::fprintf(stderr, "bench_media: %s\n", e.what());
        return 1;
    }
    return 0;
}
