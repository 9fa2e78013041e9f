// probe_media, sample_video_frames and decode_all_video_frames.
#include "media/ffmpeg_util.h"
#include "media/stream_decoder.h"

#include <algorithm>
#include <cmath>

namespace atelier {

using namespace media;

namespace {

// Without a seek index, a target this far past what was decoded is reached by seeking rather than by
// decoding forward (a typical GOP is 2-10 s).
constexpr double kSeekAheadSeconds = 4.0;

double stream_fps(const AVStream* st) {
    for (AVRational r : {st->avg_frame_rate, st->r_frame_rate}) {
        if (r.num > 0 && r.den > 0) {
            const double f = av_q2d(r);
            if (std::isfinite(f) && f > 0 && f < 10000) return f;
        }
    }
    return 0;
}

double frame_seconds(const AVFrame* f, AVRational tb) {
    double t = to_seconds(f->best_effort_timestamp, tb);
    if (!std::isfinite(t)) t = to_seconds(f->pts, tb);
    return t;
}

void check_duration(const std::string& path, double d, const MediaLimits& limits) {
    if (std::isfinite(d) && d > limits.max_duration)
        throw Error(
            ErrorCode::MediaLimit, path,
            "duration " + seconds_text(d) + " exceeds the limit of " + seconds_text(limits.max_duration));
}

// Duration when neither the stream nor the container states it: the span of the stream's packet
// timestamps, read without decoding (demuxing is cheap next to decoding).
double scan_duration(const std::string& path, int index, const MediaLimits& limits) {
    InputFile in = InputFile::open(path, limits);
    in.find_stream_info(limits);
    if (index >= int(in.fmt()->nb_streams)) return NAN;
    AVStream* st = in.fmt()->streams[index];
    for (unsigned i = 0; i < in.fmt()->nb_streams; ++i)
        if (int(i) != index) in.fmt()->streams[i]->discard = AVDISCARD_ALL;
    PacketPtr pkt = make_packet();
    double lo = INFINITY, hi = -INFINITY;
    int64_t frames = 0;
    const int64_t max_packets = int64_t(limits.max_duration * 1000) + 100000;
    for (int64_t n = 0; av_read_frame(in.fmt(), pkt.get()) >= 0; av_packet_unref(pkt.get())) {
        if (++n > max_packets)
            throw Error(ErrorCode::MediaLimit, path, "more than " + std::to_string(max_packets) + " packets");
        if (pkt->stream_index != index) continue;
        ++frames;
        const int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
        const double t = to_seconds(ts, st->time_base);
        if (!std::isfinite(t)) continue;
        const double d = pkt->duration > 0 ? to_seconds(pkt->duration, st->time_base) : 0.0;
        lo = std::min(lo, t);
        hi = std::max(hi, t + (std::isfinite(d) ? d : 0.0));
    }
    if (hi > lo) return hi - lo;
    // Raw elementary streams carry no timestamps at all: one packet per frame at the stated rate.
    const double fps = stream_fps(st);
    return fps > 0 && frames > 1 ? frames / fps : NAN;
}

}  // namespace

MediaInfo probe_media(const std::string& path, const MediaLimits& limits) {
    InputFile in = InputFile::open(path, limits);
    in.find_stream_info(limits);
    AVFormatContext* fmt = in.fmt();
    MediaInfo info;
    info.container = fmt->iformat->name;

    const bool image_demuxer = is_image_demuxer(fmt);
    const int vi = in.find_stream(AVMEDIA_TYPE_VIDEO, /*allow_attached_pic=*/false);
    const int ai = in.find_stream(AVMEDIA_TYPE_AUDIO);
    const int pi = vi >= 0 ? vi : in.find_stream(AVMEDIA_TYPE_VIDEO, /*allow_attached_pic=*/true);
    if (pi < 0 && ai < 0)
        throw Error(ErrorCode::NoMediaStream, path,
                    "no video or audio stream (streams: " + in.describe_streams() + ")");

    if (ai >= 0) {
        const AVStream* st = fmt->streams[ai];
        info.has_audio = true;
        info.audio_codec = avcodec_get_name(st->codecpar->codec_id);
        info.sample_rate = std::max(0, st->codecpar->sample_rate);
        info.channels = std::max(0, st->codecpar->ch_layout.nb_channels);
    }
    if (vi >= 0 && !image_demuxer) {
        const AVStream* st = fmt->streams[vi];
        const AVCodecParameters* par = st->codecpar;
        check_pixels(path, par->width, par->height, limits);
        info.width = par->width;
        info.height = par->height;
        info.video_codec = avcodec_get_name(par->codec_id);
        info.rotation = stream_rotation(st);
        info.fps = stream_fps(st);
        double d = known_duration(fmt, st);
        if (!(d > 0) && st->nb_frames > 1 && info.fps > 0) d = double(st->nb_frames) / info.fps;
        if (!(d > 0) || fmt->duration_estimation_method == AVFMT_DURATION_FROM_BITRATE) {
            const double scanned = scan_duration(path, vi, limits);
            if (scanned > 0 || !(d > 0)) d = scanned;
        }
        const bool one_frame = st->nb_frames == 1 || !(d > 0);
        if (one_frame) {
            info.kind = MediaKind::Image;
            info.fps = 0;
            d = 0;
        } else {
            info.kind = MediaKind::Video;
            info.has_video = true;
        }
        info.duration = d > 0 ? d : 0;
    } else if (ai >= 0) {
        info.kind = MediaKind::Audio;
        const double d = known_duration(fmt, fmt->streams[ai]);
        info.duration = d > 0 ? d : 0;
    } else {
        const AVCodecParameters* par = fmt->streams[pi]->codecpar;
        check_pixels(path, par->width, par->height, limits);
        info.kind = MediaKind::Image;
        info.width = par->width;
        info.height = par->height;
        info.video_codec = avcodec_get_name(par->codec_id);
    }
    check_duration(path, info.duration, limits);
    if (info.kind == MediaKind::Image) {
        // An image is decoded whole to be known: image demuxers (png_pipe, ...) report no size until
        // a frame decodes, and a truncated or oversized picture must be refused here, where a user
        // asks about it, not later in the middle of a conversation. Images decode in milliseconds.
        const Image img = decode_image(path, limits);
        if (info.width <= 0 || info.height <= 0) {
            info.width = img.width;
            info.height = img.height;
        }
    }
    return info;
}

std::vector<VideoFrame> sample_video_frames(const std::string& path, int count, const MediaLimits& limits,
                                            DecodeStats* stats) {
    if (count <= 0) throw Error(ErrorCode::InvalidArgument, path, "frame count " + std::to_string(count));
    if (count > limits.max_frames)
        throw Error(
            ErrorCode::MediaLimit, path,
            std::to_string(count) + " frames asked, the limit is " + std::to_string(limits.max_frames));
    DecodeStats local;
    DecodeStats& s = stats ? *stats : local;
    s = DecodeStats{};

    auto still_copies = [&](const Image& img) {
        std::vector<VideoFrame> out(static_cast<size_t>(count));
        for (int i = 0; i < count; ++i) {
            out[size_t(i)].index = i;
            out[size_t(i)].image = img;
        }
        return out;
    };

    InputFile in = InputFile::open(path, limits);
    if (is_image_demuxer(in.fmt())) return still_copies(decode_image(path, limits));
    in.find_stream_info(limits);
    const int index = in.best_stream(AVMEDIA_TYPE_VIDEO);
    // A duration guessed from the bitrate (raw elementary streams) is no base for timestamps: scan.
    double duration = in.fmt()->duration_estimation_method == AVFMT_DURATION_FROM_BITRATE
                          ? NAN
                          : known_duration(in.fmt(), in.fmt()->streams[index]);
    {
        const AVStream* st = in.fmt()->streams[index];
        const double fps = stream_fps(st);
        if (!(duration > 0) && st->nb_frames > 1 && fps > 0) duration = double(st->nb_frames) / fps;
    }
    if (!(duration > 0)) duration = scan_duration(path, index, limits);    // a second, demux-only pass
    if (!(duration > 0)) return still_copies(decode_image(path, limits));  // a single frame
    check_duration(path, duration, limits);

    AVStream* st = in.fmt()->streams[index];
    const AVRational tb = st->time_base;
    if (!valid_time_base(tb))
        throw Error(
            ErrorCode::NotMedia, path,
            "video time base " + std::to_string(tb.num) + "/" + std::to_string(tb.den) + " is invalid");
    for (unsigned i = 0; i < in.fmt()->nb_streams; ++i)
        if (int(i) != index) in.fmt()->streams[i]->discard = AVDISCARD_ALL;
    const double fps = stream_fps(st) > 0 ? stream_fps(st) : 25.0;
    double start = to_seconds(st->start_time, tb);
    if (!std::isfinite(start)) start = 0;
    const int rotation = stream_rotation(st);
    CodecContextPtr dec = open_decoder(in, index, limits, decoder_threads());

    // A legitimate file never needs more packets than it holds (one keyframe at the start: every
    // target decodes forward once); a file whose packets outrun its stated duration is stopped.
    const double total_frames = duration * fps;
    const StreamDecoder::Budget budget{int64_t(2 * total_frames) + 64 * int64_t(count) + 1000,
                                       int(std::min(100000.0, total_frames / 2 + 100))};
    StreamDecoder sd(in, index, dec.get(), budget, &s);

    FramePtr cur = make_frame(), next = make_frame();
    bool have_cur = false;
    double cur_t = NAN;
    int64_t cur_serial = 0, converted_serial = -1;
    Image converted;
    SwsContextPtr sws;
    // Where the decoder stands, in stream time base: before the first packet, the stream's start.
    auto position_ts = [&]() -> int64_t {
        if (sd.last_packet_ts() != AV_NOPTS_VALUE) return sd.last_packet_ts();
        return st->start_time != AV_NOPTS_VALUE ? st->start_time : 0;
    };
    // Without timestamps (raw elementary streams) frames are timed by counting them; a seek would lose
    // count, so such streams are only ever decoded forward.
    const bool timed = st->start_time != AV_NOPTS_VALUE || avformat_index_get_entries_count(st) > 0;
    auto should_seek = [&](int64_t target_ts, double target_t) {
        if (!timed) return false;
        const int entries = avformat_index_get_entries_count(st);
        if (entries > 0) {
            const int k = av_index_search_timestamp(st, target_ts, AVSEEK_FLAG_BACKWARD);
            if (k < 0) return false;  // target before the first keyframe: decode from here
            const AVIndexEntry* e = avformat_index_get_entry(st, k);
            // Seek only when the keyframe before the target lies beyond what the decoder was fed:
            // targets in the GOP being decoded (or the next one already read) keep decoding forward.
            return e && e->timestamp > position_ts();
        }
        const double pos_t = to_seconds(position_ts(), tb);
        return !std::isfinite(pos_t) || target_t - pos_t > kSeekAheadSeconds;
    };

    std::vector<VideoFrame> out;
    out.reserve(size_t(count));
    for (int i = 0; i < count; ++i) {
        const double rel = (i + 0.5) * duration / count;
        const double target_t = start + rel;
        const double eps = 1e-6;
        if (!(have_cur && cur_t >= target_t - eps)) {
            const auto target_ts = int64_t(std::llround(target_t * tb.den / tb.num));
            if (should_seek(target_ts, target_t) && sd.seek(target_ts)) have_cur = false;
            for (;;) {
                if (!sd.next(next.get())) {
                    // End of stream before the target: the last frame is the answer, as long as the
                    // stream ended cleanly near where it said it would.
                    if (!have_cur)
                        throw Error(ErrorCode::NotMedia, path,
                                    "no frame could be decoded at or after " + seconds_text(rel) +
                                        (sd.last_error().empty() ? "" : " (" + sd.last_error() + ")"));
                    // Streams that end together leave the last target less than a frame period
                    // past the last frame (plus a little for an audio track ending later).
                    const double gap = target_t - cur_t;
                    if (gap > 2.0 / fps + 0.1)
                        throw Error(ErrorCode::NotMedia, path,
                                    "truncated: the video stream ends at " + seconds_text(cur_t - start) +
                                        ", before the frame asked at " + seconds_text(rel) +
                                        " (the file declares " + seconds_text(duration) + ")" +
                                        (sd.input_damaged() ? ", the demuxer stopped on damaged data" : ""));
                    break;
                }
                double t = frame_seconds(next.get(), tb);
                if (!std::isfinite(t)) t = have_cur && std::isfinite(cur_t) ? cur_t + 1.0 / fps : start;
                av_frame_unref(cur.get());
                av_frame_move_ref(cur.get(), next.get());
                have_cur = true;
                cur_t = t;
                ++cur_serial;
                if (t >= target_t - eps) break;
            }
        }
        if (converted_serial != cur_serial) {
            check_pixels(path, cur->width, cur->height, limits);
            converted = rotate_clockwise(frame_to_rgb(cur.get(), sws, path), rotation);
            converted_serial = cur_serial;
        }
        VideoFrame vf;
        vf.index = i;
        vf.time = rel;
        vf.pts = cur_t - start;
        vf.image = converted;
        out.push_back(std::move(vf));
    }
    return out;
}

DecodeStats decode_all_video_frames(const std::string& path, double max_seconds, const MediaLimits& limits) {
    InputFile in = InputFile::open(path, limits);
    in.find_stream_info(limits);
    const int index = in.best_stream(AVMEDIA_TYPE_VIDEO);
    AVStream* st = in.fmt()->streams[index];
    check_duration(path, known_duration(in.fmt(), st), limits);
    for (unsigned i = 0; i < in.fmt()->nb_streams; ++i)
        if (int(i) != index) in.fmt()->streams[i]->discard = AVDISCARD_ALL;
    CodecContextPtr dec = open_decoder(in, index, limits, decoder_threads());
    DecodeStats s;
    const StreamDecoder::Budget budget{int64_t(limits.max_duration * 1000) + 100000, 100000};
    StreamDecoder sd(in, index, dec.get(), budget, &s);
    FramePtr frame = make_frame();
    double start = to_seconds(st->start_time, st->time_base);
    if (!std::isfinite(start)) start = 0;
    while (sd.next(frame.get())) {
        const double t = frame_seconds(frame.get(), st->time_base);
        av_frame_unref(frame.get());
        if (max_seconds > 0 && std::isfinite(t) && t - start >= max_seconds) break;
    }
    return s;
}

}  // namespace atelier
