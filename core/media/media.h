// Media decoding with FFmpeg into the engine's canonical forms: an RGB8 image, mono float32 PCM at
// the encoder's rate, and a list of video frames sampled evenly by timestamp.
//
// Decoders never trust the file: every failure is an atelier::Error naming the file
// (NotMedia: not a media file / truncated / corrupt; NoMediaStream: no video or audio stream;
// UnsupportedCodec: no decoder in this FFmpeg; MediaLimit: pixels, duration, streams or frames
// over MediaLimits). A hostile file never crashes or hangs the process: reads are bounded by the
// limits and by a decode budget.
//
//   atelier::MediaInfo info = atelier::probe_media("clip.mp4");     // kind, duration, size, fps...
//   atelier::Image img = atelier::decode_image("photo.jpg");         // EXIF orientation applied
//   atelier::Audio pcm = atelier::decode_audio("talk.mp3", 16000);   // mono float32, tail kept
//   auto frames = atelier::sample_video_frames("clip.mp4", 8);       // frame i at (i+0.5)*T/8
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace atelier {

enum class MediaKind { Image, Audio, Video };
const char* media_kind_name(MediaKind k);  // "image" | "audio" | "video"

// RGB8, row-major, no padding: rgb.size() == width * height * 3.
struct Image {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> rgb;
};

// Mono float32 PCM in [-1, 1].
struct Audio {
    int sample_rate = 16000;
    std::vector<float> samples;
    double duration() const { return sample_rate > 0 ? double(samples.size()) / sample_rate : 0.0; }
};

struct MediaInfo {
    MediaKind kind = MediaKind::Image;  // video: a video stream with more than one frame
    std::string container;              // FFmpeg's demuxer name ("mov,mp4,m4a,3gp,3g2,mj2", "png_pipe"...)
    double duration = 0;                // seconds (0 for a still image)
    // Video / image
    int width = 0, height = 0;  // as stored (before rotation)
    double fps = 0;             // average frame rate (0 for a still image)
    int rotation = 0;           // clockwise degrees to display upright: 0, 90, 180, 270
    std::string video_codec;
    // Audio (the first audio stream, also for videos)
    int sample_rate = 0;
    int channels = 0;
    std::string audio_codec;
    bool has_video = false, has_audio = false;
};

struct MediaLimits {
    int64_t max_pixels = int64_t(16384) * 16384;  // width * height of an image or video frame
    double max_duration = 4 * 3600.0;             // seconds of audio or video
    int max_streams = 64;                         // streams in one container
    int max_frames = 1024;                        // frames sampled from one video
    int64_t max_file_bytes = int64_t(64) << 30;   // the file itself
};

// One sampled video frame, already upright (rotation applied).
struct VideoFrame {
    int index = 0;    // 0..count-1
    double time = 0;  // requested time, seconds: (index + 0.5) * duration / count
    double pts = 0;   // presentation time of the frame actually decoded, seconds
    Image image;
};

// Decoding statistics, for benchmarks and tests (sampling must never decode a whole long file).
struct DecodeStats {
    int64_t packets_read = 0;
    int64_t frames_decoded = 0;
    int seeks = 0;
};

// Opens the file and reads its header and stream parameters; decodes nothing of audio or video but
// what the container needs to find its streams. An image is decoded (it is small), so a truncated
// or oversized picture is refused here and its size is always known.
MediaInfo probe_media(const std::string& path, const MediaLimits& limits = {});

// Images (PNG, JPEG, WebP, BMP, TIFF, GIF first frame; grey, palette, 16-bit, alpha dropped) and the
// first frame of a video, as RGB8. JPEG EXIF orientation (and a video's display rotation) applied.
Image decode_image(const std::string& path, const MediaLimits& limits = {});

// The first audio stream of any container (wav, mp3, aac/mp4, opus/webm, flac...) as mono float32
// at `sample_rate`: downmixed, resampled with libswresample, decoder drained and resampler
// flushed, so no tail is lost. NoMediaStream when the file has no audio. The downmix is
// swresample's default matrix, the one `ffmpeg -ac 1` (and so Whisper's own loader) uses: stereo
// becomes (L + R) / sqrt(2), so a loud stereo track can exceed 1. PCM16 at the asked rate comes
// out exact (v / 32768). NotMedia "truncated" when the stream decodes to clearly less than it declares.
Audio decode_audio(const std::string& path, int sample_rate = 16000, const MediaLimits& limits = {});

// `count` frames sampled evenly by timestamp: frame i is the first frame whose presentation time
// reaches (i + 0.5) * duration / count, found by seeking to the keyframe before it and decoding
// forward (so variable frame rates work and long files are never decoded whole). Frames come back
// upright, in order. A still image gives `count` copies of itself at time 0.
std::vector<VideoFrame> sample_video_frames(const std::string& path, int count,
                                            const MediaLimits& limits = {}, DecodeStats* stats = nullptr);

// Decodes every frame of the first video stream, converting none (the work sampling avoids; for
// benchmarks and tests). `max_seconds` > 0 stops at that presentation time. Limits as above.
DecodeStats decode_all_video_frames(const std::string& path, double max_seconds = 0,
                                    const MediaLimits& limits = {});

// Writers (for `atelier-cli media` and tests). Throw ErrorCode::Io on failure.
void write_png(const std::string& path, const Image& image);
void write_wav(const std::string& path, const Audio& audio);  // PCM16 mono at audio.sample_rate

// An MP4 of `frames` (RGB8, all the same even width and height) at `fps`, H.264 (libx264, yuv420p,
// BT.601 limited range, CRF 16) and, when `audio` is given, its samples as mono AAC (FFmpeg's own
// encoder, 96 kb/s) at audio->sample_rate. Frame i is shown at i / fps; the file lasts
// frames.size() / fps. Bit-exact: one encoder thread, no version strings or dates, so the same
// input gives the same bytes (with the same FFmpeg and x264).
//   write_video("clip.mp4", frames, 8.0, &pcm);
// Throws InvalidArgument (no frames, odd or mixed sizes, fps not in (0, 1000], empty audio),
// UnsupportedCodec (no libx264 or aac encoder in this FFmpeg), Io (cannot create or write the file;
// a partial file is removed).
void write_video(const std::string& path, const std::vector<Image>& frames, double fps,
                 const Audio* audio = nullptr);

}  // namespace atelier
