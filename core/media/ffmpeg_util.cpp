#include "media/ffmpeg_util.h"

#include "common/checked_math.h"
#include "common/files.h"

extern "C" {
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
}

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#include <share.h>
#else
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <new>
#include <thread>

namespace atelier::media {

namespace {

// Probe scores below this are guesses ("misdetection possible"): random bytes can score 1-24 as mp3
// or mpegts. Real files score AVPROBE_SCORE_EXTENSION (50) or more from their content.
constexpr int kMinProbeScore = AVPROBE_SCORE_RETRY;  // 25
// Opening and probing a local file takes milliseconds; a demuxer looping on a hostile file is stopped.
constexpr auto kOpenDeadline = std::chrono::seconds(30);
constexpr int kAvioBufferBytes = 64 * 1024;

std::string mpixels(int64_t pixels) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g Mpixels", pixels / 1e6);
    return buf;
}

}  // namespace

struct InputFile::Source {
    int fd = -1;
    int64_t size = 0;
    int64_t pos = 0;
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
    ~Source() {
        if (fd >= 0) close_fd(fd);
    }
};

namespace {

#ifdef _WIN32
// pread(2) for the CRT: seek, then read (a Source is read by one thread at a time).
int read_at(int fd, void* buf, size_t size, int64_t pos) {
    if (::_lseeki64(fd, pos, SEEK_SET) < 0) return -1;
    return ::_read(fd, buf, static_cast<unsigned>(size));
}
#endif

int read_cb(void* opaque, uint8_t* buf, int size) {
    auto* s = static_cast<InputFile::Source*>(opaque);
    for (;;) {
#ifdef _WIN32
        const int n = read_at(s->fd, buf, size_t(size), s->pos);
#else
        ssize_t n = ::pread(s->fd, buf, size_t(size), s->pos);
#endif
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return AVERROR(errno);
        if (n == 0) return AVERROR_EOF;
        s->pos += n;
        return int(n);
    }
}

int64_t seek_cb(void* opaque, int64_t offset, int whence) {
    auto* s = static_cast<InputFile::Source*>(opaque);
    if (whence & AVSEEK_SIZE) return s->size;
    int64_t target;
    switch (whence & ~AVSEEK_FORCE) {
        case SEEK_SET: target = offset; break;
        case SEEK_CUR: target = s->pos + offset; break;
        case SEEK_END: target = s->size + offset; break;
        default: return AVERROR(EINVAL);
    }
    if (target < 0) return AVERROR(EINVAL);
    s->pos = target;
    return target;
}

int interrupt_cb(void* opaque) {
    auto* s = static_cast<InputFile::Source*>(opaque);
    return std::chrono::steady_clock::now() > s->deadline ? 1 : 0;
}

// Demuxers that would open other files or URLs (playlists, references) are refused that.
int refuse_io_open(AVFormatContext*, AVIOContext**, const char*, int, AVDictionary**) {
    return AVERROR(EPERM);
}

}  // namespace

FramePtr make_frame() {
    FramePtr f(av_frame_alloc());
    if (!f) throw std::bad_alloc();
    return f;
}

PacketPtr make_packet() {
    PacketPtr p(av_packet_alloc());
    if (!p) throw std::bad_alloc();
    return p;
}

void init_ffmpeg() {
    static std::once_flag once;
    std::call_once(once, [] {
        // Hostile or merely damaged files make demuxers and decoders print an error per packet; the
        // facts reach the caller as atelier::Error instead. Only ever lowers a level set elsewhere.
        if (av_log_get_level() > AV_LOG_FATAL) av_log_set_level(AV_LOG_FATAL);
    });
}

std::string av_error_text(int err) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
    if (av_strerror(err, buf, sizeof buf) < 0) std::snprintf(buf, sizeof buf, "FFmpeg error %d", err);
    return buf;
}

int decoder_threads() {
    unsigned hw = std::thread::hardware_concurrency();
    return int(std::clamp(hw, 1u, 2u));
}

bool valid_time_base(AVRational tb) {
    return tb.num > 0 && tb.den > 0;
}

std::string seconds_text(double s) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.3f s", s);
    return buf;
}

double to_seconds(int64_t ts, AVRational tb) {
    if (ts == AV_NOPTS_VALUE || !valid_time_base(tb)) return NAN;
    return double(ts) * tb.num / tb.den;
}

void check_pixels(const std::string& path, int64_t width, int64_t height, const MediaLimits& limits) {
    if (width <= 0 || height <= 0) return;  // unknown yet; the decoder's max_pixels still applies
    int64_t pixels = 0;
    if (checked_mul(width, height, &pixels)) pixels = INT64_MAX;  // found by fuzz_media
    if (pixels > limits.max_pixels)
        throw Error(ErrorCode::MediaLimit, path,
                    std::to_string(width) + "x" + std::to_string(height) + " = " + mpixels(pixels) +
                        " exceeds the limit of " + std::to_string(limits.max_pixels) + " pixels (" +
                        mpixels(limits.max_pixels) + ")");
}

// ---- InputFile ------------------------------------------------------------------------------------------

InputFile::InputFile(InputFile&&) noexcept = default;

InputFile::~InputFile() {
    m_fmt.reset();   // closes the demuxer first: it still references the AVIO context
    m_avio.reset();  // then the AVIO context, which references m_src
}

int64_t InputFile::file_size() const {
    return m_src ? m_src->size : 0;
}

void InputFile::set_deadline(std::chrono::steady_clock::time_point t) {
    m_src->deadline = t;
}

namespace {

// The size of the regular file at `path`; FileNotFound or Io (folders, pipes, devices) otherwise.
int64_t regular_file_size(const std::string& path) {
#ifdef _WIN32
    namespace fs = std::filesystem;
    const fs::path p = path_from_utf8(path);
    std::error_code ec;
    const fs::file_status st = fs::status(p, ec);
    if (st.type() == fs::file_type::not_found) throw Error(ErrorCode::FileNotFound, path, "no such file");
    if (ec) throw Error(ErrorCode::Io, path, "cannot stat: " + ec.message());
    if (fs::is_directory(st)) throw Error(ErrorCode::Io, path, "is a directory, not a file");
    if (!fs::is_regular_file(st))
        throw Error(ErrorCode::Io, path, "not a regular file (pipes and devices are not read)");
    const uintmax_t size = fs::file_size(p, ec);
    if (ec) throw Error(ErrorCode::Io, path, "cannot stat: " + ec.message());
    return static_cast<int64_t>(size);
#else
    struct stat sb {};
    if (::stat(path.c_str(), &sb) != 0) {
        const int e = errno;
        if (e == ENOENT || e == ENOTDIR) throw Error(ErrorCode::FileNotFound, path, "no such file");
        throw Error(ErrorCode::Io, path, std::string("cannot stat: ") + std::strerror(e));
    }
    if (S_ISDIR(sb.st_mode)) throw Error(ErrorCode::Io, path, "is a directory, not a file");
    if (!S_ISREG(sb.st_mode))
        throw Error(ErrorCode::Io, path, "not a regular file (pipes and devices are not read)");
    return int64_t(sb.st_size);
#endif
}

// open(2) read-only of a UTF-8 path; -1 with errno set on failure.
int open_read_only(const std::string& path) {
#ifdef _WIN32
    int fd = -1;
    const errno_t err =
        ::_wsopen_s(&fd, path_from_utf8(path).c_str(), _O_RDONLY | _O_BINARY | _O_NOINHERIT, _SH_DENYNO, 0);
    if (err != 0) {
        errno = err;
        return -1;
    }
    return fd;
#else
    return ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
#endif
}

}  // namespace

InputFile InputFile::open(const std::string& path, const MediaLimits& limits) {
    init_ffmpeg();
    InputFile in;
    in.m_path = path;

    const int64_t size = regular_file_size(path);
    if (size == 0) throw Error(ErrorCode::NotMedia, path, "empty file (0 bytes)");
    if (size > limits.max_file_bytes)
        throw Error(ErrorCode::MediaLimit, path,
                    "file of " + std::to_string(size) + " bytes exceeds the limit of " +
                        std::to_string(limits.max_file_bytes) + " bytes");

    in.m_src = std::make_unique<Source>();
    in.m_src->fd = open_read_only(path);
    if (in.m_src->fd < 0)
        throw Error(ErrorCode::Io, path, std::string("cannot open: ") + std::strerror(errno));
    in.m_src->size = size;
    in.m_src->deadline = std::chrono::steady_clock::now() + kOpenDeadline;

    auto* buffer = static_cast<unsigned char*>(av_malloc(kAvioBufferBytes));
    if (!buffer) throw std::bad_alloc();
    in.m_avio.reset(
        avio_alloc_context(buffer, kAvioBufferBytes, 0, in.m_src.get(), read_cb, nullptr, seek_cb));
    if (!in.m_avio) {
        av_free(buffer);
        throw std::bad_alloc();
    }

    AVFormatContext* fmt = avformat_alloc_context();
    if (!fmt) throw std::bad_alloc();
    fmt->pb = in.m_avio.get();
    fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    fmt->io_open = refuse_io_open;
    fmt->interrupt_callback.callback = interrupt_cb;
    fmt->interrupt_callback.opaque = in.m_src.get();
    // The URL is empty on purpose: formats are recognised by content only, and no demuxer is given a
    // file name it could expand (image2 patterns) or resolve relative references against.
    const int ret = avformat_open_input(&fmt, "", nullptr, nullptr);  // frees fmt on failure
    if (ret < 0) {
        if (ret == AVERROR_EXIT) throw Error(ErrorCode::NotMedia, path, "opening timed out (demuxer stuck)");
        throw Error(ErrorCode::NotMedia, path,
                    "not a media file FFmpeg can read (" + av_error_text(ret) + ", " + std::to_string(size) +
                        " bytes)");
    }
    in.m_fmt.reset(fmt);
    if (fmt->probe_score < kMinProbeScore)
        throw Error(ErrorCode::NotMedia, path,
                    std::string("not a recognisable media file (best guess '") + fmt->iformat->name +
                        "' with probe score " + std::to_string(fmt->probe_score) + " of 100)");
    if (int(fmt->nb_streams) > limits.max_streams)
        throw Error(ErrorCode::MediaLimit, path,
                    std::to_string(fmt->nb_streams) + " streams exceed the limit of " +
                        std::to_string(limits.max_streams));
    return in;
}

void InputFile::find_stream_info(const MediaLimits& limits) {
    AVFormatContext* fmt = m_fmt.get();
    // Per-stream decoder options for the probing decode: the pixel limit holds there too.
    std::vector<AVDictionary*> opts(fmt->nb_streams, nullptr);
    for (auto& d : opts) {
        av_dict_set_int(&d, "max_pixels", limits.max_pixels, 0);
        av_dict_set(&d, "threads", "1", 0);
    }
    const int ret = avformat_find_stream_info(fmt, opts.empty() ? nullptr : opts.data());
    for (auto& d : opts) av_dict_free(&d);
    m_src->deadline = std::chrono::steady_clock::time_point::max();
    if (ret == AVERROR_EXIT) throw Error(ErrorCode::NotMedia, m_path, "probing timed out (demuxer stuck)");
    if (ret < 0)
        throw Error(ErrorCode::NotMedia, m_path, "cannot read stream parameters: " + av_error_text(ret));
    if (int(fmt->nb_streams) > limits.max_streams)
        throw Error(ErrorCode::MediaLimit, m_path,
                    std::to_string(fmt->nb_streams) + " streams exceed the limit of " +
                        std::to_string(limits.max_streams));
}

std::string InputFile::describe_streams() const {
    std::string s;
    for (unsigned i = 0; i < m_fmt->nb_streams; ++i) {
        const AVStream* st = m_fmt->streams[i];
        const char* type = av_get_media_type_string(st->codecpar->codec_type);
        if (!s.empty()) s += ", ";
        s += type ? type : "unknown";
        s += " ";
        s += avcodec_get_name(st->codecpar->codec_id);
        if (st->disposition & AV_DISPOSITION_ATTACHED_PIC) s += " (attached picture)";
    }
    return s.empty() ? "none" : s;
}

int InputFile::best_stream(AVMediaType type, bool allow_attached_pic) const {
    const int best = find_stream(type, allow_attached_pic);
    if (best < 0) {
        const char* t = av_get_media_type_string(type);
        throw Error(ErrorCode::NoMediaStream, m_path,
                    std::string("no ") + (t ? t : "such") + " stream (streams: " + describe_streams() + ")");
    }
    return best;
}

int InputFile::find_stream(AVMediaType type, bool allow_attached_pic) const {
    int best = -1;
    for (unsigned i = 0; i < m_fmt->nb_streams; ++i) {
        const AVStream* st = m_fmt->streams[i];
        if (st->codecpar->codec_type != type) continue;
        if (!allow_attached_pic && (st->disposition & AV_DISPOSITION_ATTACHED_PIC)) continue;
        best = int(i);
        break;
    }
    if (best >= 0) {
        // Let FFmpeg choose among several (default disposition, most frames...), within the same filter.
        const int b = av_find_best_stream(m_fmt.get(), type, -1, -1, nullptr, 0);
        if (b >= 0 && (allow_attached_pic || !(m_fmt->streams[b]->disposition & AV_DISPOSITION_ATTACHED_PIC)))
            best = b;
    }
    return best;
}

CodecContextPtr open_decoder(const InputFile& in, int index, const MediaLimits& limits, int threads) {
    const AVStream* st = in.fmt()->streams[index];
    const AVCodecParameters* par = st->codecpar;
    check_pixels(in.path(), par->width, par->height, limits);
    const AVCodec* codec = avcodec_find_decoder(par->codec_id);
    if (!codec)
        throw Error(
            ErrorCode::UnsupportedCodec, in.path(),
            std::string("codec '") + avcodec_get_name(par->codec_id) + "' has no decoder in this FFmpeg");
    CodecContextPtr ctx(avcodec_alloc_context3(codec));
    if (!ctx) throw std::bad_alloc();
    int ret = avcodec_parameters_to_context(ctx.get(), par);
    if (ret < 0)
        throw Error(ErrorCode::NotMedia, in.path(), "invalid stream parameters: " + av_error_text(ret));
    ctx->pkt_timebase = st->time_base;
    ctx->thread_count = threads;  // FFmpeg's default (0 = one per core) would take the whole shared machine
    ctx->max_pixels = limits.max_pixels;
    ret = avcodec_open2(ctx.get(), codec, nullptr);
    if (ret < 0)
        throw Error(ErrorCode::NotMedia, in.path(),
                    std::string("cannot open the ") + codec->name + " decoder: " + av_error_text(ret));
    return ctx;
}

double known_duration(const AVFormatContext* fmt, const AVStream* st) {
    if (st && st->duration > 0) {
        const double d = to_seconds(st->duration, st->time_base);
        if (std::isfinite(d) && d > 0) return d;
    }
    if (fmt->duration > 0 && fmt->duration != AV_NOPTS_VALUE) return double(fmt->duration) / AV_TIME_BASE;
    return NAN;
}

int stream_rotation(const AVStream* st) {
    size_t size = 0;
    // FFmpeg 5.1: the display matrix is stream side data (codecpar->coded_side_data came in 6.1).
    const uint8_t* m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (!m || size < 9 * sizeof(int32_t)) return 0;
    const double ccw = av_display_rotation_get(reinterpret_cast<const int32_t*>(m));  // counter-clockwise
    if (!std::isfinite(ccw)) return 0;
    int cw = int(std::lround(-ccw)) % 360;
    if (cw < 0) cw += 360;
    // Only right angles are applied; anything else is rounded to the nearest one.
    return ((cw + 45) / 90 % 4) * 90;
}

// ---- Pixels ---------------------------------------------------------------------------------------------

namespace {

// The full-range "J" formats are deprecated in swscale: use the plain format and say the range.
AVPixelFormat dejpeg(AVPixelFormat f, bool* full_range) {
    switch (f) {
        case AV_PIX_FMT_YUVJ420P: *full_range = true; return AV_PIX_FMT_YUV420P;
        case AV_PIX_FMT_YUVJ422P: *full_range = true; return AV_PIX_FMT_YUV422P;
        case AV_PIX_FMT_YUVJ444P: *full_range = true; return AV_PIX_FMT_YUV444P;
        case AV_PIX_FMT_YUVJ440P: *full_range = true; return AV_PIX_FMT_YUV440P;
        case AV_PIX_FMT_YUVJ411P: *full_range = true; return AV_PIX_FMT_YUV411P;
        default: return f;
    }
}

}  // namespace

Image frame_to_rgb(const AVFrame* frame, SwsContextPtr& cache, const std::string& path) {
    const int w = frame->width, h = frame->height;
    if (w <= 0 || h <= 0) throw Error(ErrorCode::NotMedia, path, "decoded frame has no size");
    bool full_range = frame->color_range == AVCOL_RANGE_JPEG;
    const AVPixelFormat src = dejpeg(AVPixelFormat(frame->format), &full_range);
    if (!sws_isSupportedInput(src)) {
        const char* name = av_get_pix_fmt_name(AVPixelFormat(frame->format));
        throw Error(ErrorCode::UnsupportedCodec, path,
                    std::string("pixel format '") + (name ? name : "?") + "' cannot be converted to RGB");
    }
    // Same size in and out: bicubic only matters for chroma; accurate rounding and full chroma
    // interpolation give the best RGB.
    SwsContext* sws =
        sws_getCachedContext(cache.release(), w, h, src, w, h, AV_PIX_FMT_RGB24,
                             SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, nullptr, nullptr, nullptr);
    cache.reset(sws);
    if (!sws) throw Error(ErrorCode::NotMedia, path, "cannot create a pixel converter");
    const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(src);
    if (desc && !(desc->flags & AV_PIX_FMT_FLAG_RGB) && desc->nb_components >= 3) {
        // YUV: the frame's matrix (BT.601 when unspecified, like FFmpeg's scale filter) and range.
        const int space =
            frame->colorspace == AVCOL_SPC_UNSPECIFIED ? SWS_CS_DEFAULT : int(frame->colorspace);
        const int* coefs = sws_getCoefficients(space);
        sws_setColorspaceDetails(sws, coefs, full_range ? 1 : 0, sws_getCoefficients(SWS_CS_DEFAULT), 1, 0,
                                 1 << 16, 1 << 16);
    }
    // swscale wants aligned destination rows; convert into an aligned buffer, then pack the rows.
    uint8_t* dst[4] = {nullptr};
    int dst_stride[4] = {0};
    if (av_image_alloc(dst, dst_stride, w, h, AV_PIX_FMT_RGB24, 64) < 0) throw std::bad_alloc();
    std::unique_ptr<uint8_t, void (*)(void*)> owner(dst[0], av_free);
    const int rows = sws_scale(sws, frame->data, frame->linesize, 0, h, dst, dst_stride);
    if (rows != h) throw Error(ErrorCode::NotMedia, path, "pixel conversion failed");
    Image img;
    img.width = w;
    img.height = h;
    img.rgb.resize(size_t(w) * h * 3);
    for (int y = 0; y < h; ++y)
        std::memcpy(img.rgb.data() + size_t(y) * w * 3, dst[0] + size_t(y) * dst_stride[0], size_t(w) * 3);
    return img;
}

Image apply_exif_orientation(const Image& img, int orientation) {
    if (orientation < 2 || orientation > 8) return img;
    const int W = img.width, H = img.height;
    const bool swap = orientation >= 5;  // 5..8 exchange width and height
    Image out;
    out.width = swap ? H : W;
    out.height = swap ? W : H;
    out.rgb.resize(img.rgb.size());
    for (int y = 0; y < out.height; ++y) {
        for (int x = 0; x < out.width; ++x) {
            int sx, sy;  // the stored pixel shown at (x, y)
            switch (orientation) {
                case 2: sx = W - 1 - x, sy = y; break;          // mirror horizontally
                case 3: sx = W - 1 - x, sy = H - 1 - y; break;  // rotate 180
                case 4: sx = x, sy = H - 1 - y; break;          // mirror vertically
                case 5: sx = y, sy = x; break;                  // transpose
                case 6: sx = y, sy = H - 1 - x; break;          // rotate 90 clockwise
                case 7: sx = W - 1 - y, sy = H - 1 - x; break;  // transverse
                default: sx = W - 1 - y, sy = x; break;         // 8: rotate 90 counter-clockwise
            }
            const uint8_t* s = &img.rgb[(size_t(sy) * W + sx) * 3];
            uint8_t* d = &out.rgb[(size_t(y) * out.width + x) * 3];
            d[0] = s[0], d[1] = s[1], d[2] = s[2];
        }
    }
    return out;
}

Image rotate_clockwise(const Image& img, int degrees) {
    switch (degrees) {
        case 90: return apply_exif_orientation(img, 6);
        case 180: return apply_exif_orientation(img, 3);
        case 270: return apply_exif_orientation(img, 8);
        default: return img;
    }
}

}  // namespace atelier::media
