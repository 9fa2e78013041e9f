// Internal to core/media: RAII owners for FFmpeg handles and the pieces every decoder shares
// (opening a file safely, opening a decoder, turning a frame into RGB8, rotating an image).
//
//   InputFile in = InputFile::open(path, limits);          // stat + custom AVIO + probe
//   in.find_stream_info(limits);
//   int vi = in.best_stream(AVMEDIA_TYPE_VIDEO, "video");  // NoMediaStream when absent
//   CodecContextPtr dec = open_decoder(in, vi, limits);
//
// Every FFmpeg failure becomes an atelier::Error naming the file. Not installed; not a public header.
#pragma once

#include "common/error.h"
#include "media/media.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

#include <chrono>
#include <cmath>
#include <memory>
#include <string>

namespace atelier::media {

// ---- RAII -----------------------------------------------------------------------------------------
struct FormatContextDeleter {
    void operator()(AVFormatContext* p) const { avformat_close_input(&p); }
};
struct CodecContextDeleter {
    void operator()(AVCodecContext* p) const { avcodec_free_context(&p); }
};
struct FrameDeleter {
    void operator()(AVFrame* p) const { av_frame_free(&p); }
};
struct PacketDeleter {
    void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwsContextDeleter {
    void operator()(SwsContext* p) const { sws_freeContext(p); }
};
struct SwrContextDeleter {
    void operator()(SwrContext* p) const { swr_free(&p); }
};
struct AvioContextDeleter {
    void operator()(AVIOContext* p) const {
        if (p) av_freep(&p->buffer);  // the buffer may have been reallocated by FFmpeg: free its current one
        avio_context_free(&p);
    }
};
struct DictionaryDeleter {
    void operator()(AVDictionary* p) const { av_dict_free(&p); }
};
// A muxer's context: its file (when the format writes one) is closed, then the context freed.
struct OutputFormatContextDeleter {
    void operator()(AVFormatContext* p) const {
        if (!p) return;
        if (p->pb && p->oformat && !(p->oformat->flags & AVFMT_NOFILE)) avio_closep(&p->pb);
        avformat_free_context(p);
    }
};

using FormatContextPtr = std::unique_ptr<AVFormatContext, FormatContextDeleter>;
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
using SwsContextPtr = std::unique_ptr<SwsContext, SwsContextDeleter>;
using SwrContextPtr = std::unique_ptr<SwrContext, SwrContextDeleter>;
using AvioContextPtr = std::unique_ptr<AVIOContext, AvioContextDeleter>;
using DictionaryPtr = std::unique_ptr<AVDictionary, DictionaryDeleter>;
using OutputFormatContextPtr = std::unique_ptr<AVFormatContext, OutputFormatContextDeleter>;

FramePtr make_frame();    // throws std::bad_alloc on failure
PacketPtr make_packet();  // throws std::bad_alloc on failure

// ---- Small helpers ----------------------------------------------------------------------------------
void init_ffmpeg();                  // log level to AV_LOG_ERROR once, thread-safe
std::string av_error_text(int err);  // av_strerror
int decoder_threads();               // min(2, hardware threads): the machine is shared; see toolchain.md

// ts * tb in seconds; NaN when ts is AV_NOPTS_VALUE or tb is not a positive rational.
double to_seconds(int64_t ts, AVRational tb);
bool valid_time_base(AVRational tb);
std::string seconds_text(double s);  // "11.000 s"

// "12000x12000 = 144 Mpixels exceeds the limit of 16384x16384 = 268 Mpixels"; throws MediaLimit.
void check_pixels(const std::string& path, int64_t width, int64_t height, const MediaLimits& limits);

// ---- Input file ---------------------------------------------------------------------------------------
// A file opened through our own AVIOContext (a plain fd): FFmpeg never opens another file or URL on
// the file's behalf (io_open refuses), non-regular files are refused, and the open/probe phase is
// bounded by a deadline through the AVIOInterruptCB.
class InputFile {
public:
    static InputFile open(const std::string& path, const MediaLimits& limits);
    InputFile(InputFile&&) noexcept;
    InputFile& operator=(InputFile&&) = delete;
    ~InputFile();

    AVFormatContext* fmt() const { return m_fmt.get(); }
    const std::string& path() const { return m_path; }
    int64_t file_size() const;

    // avformat_find_stream_info with per-stream decoder options (max_pixels, one thread), so even the
    // probing decode respects the pixel limit. Failure -> NotMedia.
    void find_stream_info(const MediaLimits& limits);

    // The best stream of `type` (attached pictures skipped for video unless `allow_attached_pic`);
    // NoMediaStream naming the streams present when there is none.
    int best_stream(AVMediaType type, bool allow_attached_pic = false) const;
    int find_stream(AVMediaType type, bool allow_attached_pic = false) const;  // -1 when none

    // "video h264, audio aac" (for error details).
    std::string describe_streams() const;

    // Deadline for the interrupt callback (the open/probe phase only; decoding is bounded by budgets).
    void set_deadline(std::chrono::steady_clock::time_point t);

    struct Source;  // the fd, its size and position (opaque to FFmpeg callbacks)

private:
    InputFile() = default;
    std::string m_path;
    std::unique_ptr<Source> m_src;  // outlives m_avio and m_fmt (declared first: destroyed last)
    AvioContextPtr m_avio;
    FormatContextPtr m_fmt;
};

// A decoder for stream `index`: parameters copied, pkt_timebase set, thread_count deliberate,
// max_pixels from the limits. UnsupportedCodec when FFmpeg has no decoder for it.
CodecContextPtr open_decoder(const InputFile& in, int index, const MediaLimits& limits, int threads);

// Duration of a stream in seconds from the stream, else the container; NaN when neither knows.
double known_duration(const AVFormatContext* fmt, const AVStream* st);

// Clockwise degrees (0/90/180/270) to display the stream upright, from its display matrix.
int stream_rotation(const AVStream* st);

// ---- Pixels -------------------------------------------------------------------------------------------
// Converts a decoded frame of any pixel format to RGB8 through libswscale (range and matrix taken from
// the frame, alpha dropped). `cache` is reused across frames of one stream.
Image frame_to_rgb(const AVFrame* frame, SwsContextPtr& cache, const std::string& path);

// EXIF orientation 1..8 (2/4/5/7 mirror) applied to an image; other values leave it unchanged.
Image apply_exif_orientation(const Image& img, int orientation);
// Rotates clockwise by 0/90/180/270 degrees.
Image rotate_clockwise(const Image& img, int degrees);

}  // namespace atelier::media
