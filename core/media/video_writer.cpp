// write_video: RGB8 frames (and optional mono PCM) to an H.264 + AAC MP4 through libavformat.
//
// Bit-exactness is the point (the demo data set is compared byte for byte across runs): every
// encoder runs on one thread, encoders and muxer carry AV(FMT)_FLAG_BITEXACT (no "Lavf..." encoder
// tag, no dates in the movie header), and every setting is fixed here rather than left to defaults
// that could depend on the machine (x264 picks its thread count from the cores otherwise).
#include "media/ffmpeg_util.h"

extern "C" {
#include <libavutil/channel_layout.h>
}

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace atelier {

using namespace media;

namespace {

constexpr int kCrf = 16;                  // visually lossless at these sizes: colours stay near the input
constexpr int64_t kAudioBitRate = 96000;  // generous for mono: beeps keep their shape
constexpr const char* kX264Preset = "medium";

// Removes the file being written unless the write completed (declared before the muxer, so the muxer
// has closed the file by the time this runs).
class RemoveUnlessDone {
public:
    explicit RemoveUnlessDone(std::string path) : m_path(std::move(path)) {}
    ~RemoveUnlessDone() {
        if (!m_done) {
            std::error_code ec;
            std::filesystem::remove(m_path, ec);
        }
    }
    void done() { m_done = true; }

private:
    std::string m_path;
    bool m_done = false;
};

class Muxer {
public:
    Muxer(const std::string& path, AVFormatContext* fmt) : m_path(path), m_fmt(fmt) {}

    // Sends `frame` (nullptr: flush) to `enc` and writes every packet it gives back.
    void encode(AVCodecContext* enc, AVStream* st, const AVFrame* frame, const char* what) {
        int ret = avcodec_send_frame(enc, frame);
        if (ret < 0)
            throw Error(ErrorCode::Io, m_path, std::string(what) + " encoding failed: " + av_error_text(ret));
        for (;;) {
            ret = avcodec_receive_packet(enc, m_pkt.get());
            if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return;
            if (ret < 0)
                throw Error(ErrorCode::Io, m_path,
                            std::string(what) + " encoding failed: " + av_error_text(ret));
            // A video frame lasts one tick of 1/fps: the last one's duration makes the file frames/fps long.
            if (m_pkt->duration <= 0 && enc->codec_type == AVMEDIA_TYPE_VIDEO) m_pkt->duration = 1;
            av_packet_rescale_ts(m_pkt.get(), enc->time_base, st->time_base);
            m_pkt->stream_index = st->index;
            ret = av_interleaved_write_frame(m_fmt, m_pkt.get());  // takes the packet's reference
            if (ret < 0) throw Error(ErrorCode::Io, m_path, "cannot write: " + av_error_text(ret));
        }
    }

private:
    const std::string& m_path;
    AVFormatContext* m_fmt;
    PacketPtr m_pkt = make_packet();
};

// Opens encoder `name` after `setup` has filled in its parameters; the settings every stream shares
// (one thread, bit-exact, global headers for mp4) are set here.
template <typename Setup>
CodecContextPtr open_encoder(const std::string& path, const char* name, const AVFormatContext* fmt,
                             Setup setup, DictionaryPtr options) {
    const AVCodec* codec = avcodec_find_encoder_by_name(name);
    if (!codec)
        throw Error(ErrorCode::UnsupportedCodec, path,
                    std::string("this FFmpeg has no ") + name + " encoder");
    CodecContextPtr enc(avcodec_alloc_context3(codec));
    if (!enc) throw std::bad_alloc();
    setup(enc.get());
    enc->thread_count = 1;  // deterministic output (and the machine is shared)
    enc->flags |= AV_CODEC_FLAG_BITEXACT;
    if (fmt->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    AVDictionary* opts = options.release();
    const int ret = avcodec_open2(enc.get(), codec, &opts);
    options.reset(opts);
    if (ret < 0)
        throw Error(ErrorCode::Io, path,
                    std::string("cannot open the ") + name + " encoder: " + av_error_text(ret));
    return enc;
}

AVStream* add_stream(const std::string& path, AVFormatContext* fmt, const AVCodecContext* enc) {
    AVStream* st = avformat_new_stream(fmt, nullptr);
    if (!st) throw std::bad_alloc();
    const int ret = avcodec_parameters_from_context(st->codecpar, enc);
    if (ret < 0) throw Error(ErrorCode::Io, path, "cannot set stream parameters: " + av_error_text(ret));
    st->time_base = enc->time_base;  // a hint: the muxer may choose another in write_header
    return st;
}

}  // namespace

void write_video(const std::string& path, const std::vector<Image>& frames, double fps, const Audio* audio) {
    init_ffmpeg();
    if (frames.empty()) throw Error(ErrorCode::InvalidArgument, path, "no frames to write");
    if (!(fps > 0 && fps <= 1000))
        throw Error(ErrorCode::InvalidArgument, path, "frame rate " + std::to_string(fps));
    const int W = frames[0].width, H = frames[0].height;
    for (size_t i = 0; i < frames.size(); ++i) {
        const Image& f = frames[i];
        if (f.width != W || f.height != H || W <= 0 || H <= 0 || f.rgb.size() != size_t(W) * H * 3)
            throw Error(ErrorCode::InvalidArgument, path,
                        "frame " + std::to_string(i) + " is " + std::to_string(f.width) + "x" +
                            std::to_string(f.height) + " with " + std::to_string(f.rgb.size()) +
                            " bytes; every frame must be RGB8 of the first frame's size " +
                            std::to_string(W) + "x" + std::to_string(H));
    }
    if (W % 2 || H % 2)
        throw Error(ErrorCode::InvalidArgument, path,
                    "H.264 in yuv420p needs an even width and height, got " + std::to_string(W) + "x" +
                        std::to_string(H));
    if (audio && (audio->samples.empty() || audio->sample_rate <= 0))
        throw Error(ErrorCode::InvalidArgument, path, "the audio track is empty");

    RemoveUnlessDone cleanup(path);
    AVFormatContext* raw = nullptr;
    int ret = avformat_alloc_output_context2(&raw, nullptr, "mp4", nullptr);
    if (ret < 0 || !raw)
        throw Error(ErrorCode::Io, path, "no mp4 muxer in this FFmpeg: " + av_error_text(ret));
    OutputFormatContextPtr fmt(raw);
    fmt->flags |= AVFMT_FLAG_BITEXACT;

    const AVRational rate = av_d2q(fps, 100000);
    DictionaryPtr vopts;
    {
        AVDictionary* d = nullptr;
        av_dict_set(&d, "preset", kX264Preset, 0);
        av_dict_set_int(&d, "crf", kCrf, 0);
        vopts.reset(d);
    }
    CodecContextPtr venc = open_encoder(
        path, "libx264", fmt.get(),
        [&](AVCodecContext* enc) {
            enc->width = W;
            enc->height = H;
            enc->pix_fmt = AV_PIX_FMT_YUV420P;
            enc->framerate = rate;
            enc->time_base = av_inv_q(rate);
            // BT.601 limited range, said in the stream so decoders (ours included) convert back the same way.
            enc->color_range = AVCOL_RANGE_MPEG;
            enc->colorspace = AVCOL_SPC_SMPTE170M;
            enc->color_primaries = AVCOL_PRI_SMPTE170M;
            enc->color_trc = AVCOL_TRC_SMPTE170M;
        },
        std::move(vopts));
    AVStream* vst = add_stream(path, fmt.get(), venc.get());
    CodecContextPtr aenc;
    AVStream* ast = nullptr;
    if (audio) {
        aenc = open_encoder(
            path, "aac", fmt.get(),
            [&](AVCodecContext* enc) {
                enc->sample_fmt = AV_SAMPLE_FMT_FLTP;
                enc->sample_rate = audio->sample_rate;
                enc->time_base = AVRational{1, audio->sample_rate};
                enc->bit_rate = kAudioBitRate;
                av_channel_layout_default(&enc->ch_layout, 1);
            },
            nullptr);
        ast = add_stream(path, fmt.get(), aenc.get());
    }

    ret = avio_open(&fmt->pb, path.c_str(), AVIO_FLAG_WRITE);
    if (ret < 0) throw Error(ErrorCode::Io, path, "cannot create: " + av_error_text(ret));
    ret = avformat_write_header(fmt.get(), nullptr);
    if (ret < 0) throw Error(ErrorCode::Io, path, "cannot write the mp4 header: " + av_error_text(ret));

    // RGB (full range) -> BT.601 limited-range YUV 4:2:0, chroma from every input pixel.
    SwsContextPtr sws(sws_getContext(W, H, AV_PIX_FMT_RGB24, W, H, AV_PIX_FMT_YUV420P,
                                     SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP, nullptr, nullptr,
                                     nullptr));
    if (!sws) throw Error(ErrorCode::Io, path, "cannot create a pixel converter");
    const int* bt601 = sws_getCoefficients(SWS_CS_ITU601);
    sws_setColorspaceDetails(sws.get(), bt601, 1, bt601, 0, 0, 1 << 16, 1 << 16);

    Muxer mux(path, fmt.get());
    FramePtr vframe = make_frame();
    vframe->width = W;
    vframe->height = H;
    vframe->format = AV_PIX_FMT_YUV420P;
    vframe->color_range = AVCOL_RANGE_MPEG;
    vframe->colorspace = AVCOL_SPC_SMPTE170M;
    if (av_frame_get_buffer(vframe.get(), 0) < 0) throw std::bad_alloc();

    FramePtr aframe;
    int64_t audio_done = 0;  // samples sent to the encoder
    auto send_audio_until = [&](int64_t end) {
        if (!audio) return;
        end = std::min<int64_t>(end, int64_t(audio->samples.size()));
        const int chunk = aenc->frame_size > 0 ? aenc->frame_size : 1024;
        while (audio_done < end) {
            const int n = int(std::min<int64_t>(chunk, int64_t(audio->samples.size()) - audio_done));
            aframe = make_frame();
            aframe->nb_samples = n;
            aframe->format = AV_SAMPLE_FMT_FLTP;
            aframe->sample_rate = audio->sample_rate;
            if (av_channel_layout_copy(&aframe->ch_layout, &aenc->ch_layout) < 0 ||
                av_frame_get_buffer(aframe.get(), 0) < 0)
                throw std::bad_alloc();
            std::memcpy(aframe->data[0], audio->samples.data() + audio_done, size_t(n) * sizeof(float));
            aframe->pts = audio_done;
            mux.encode(aenc.get(), ast, aframe.get(), "aac");
            audio_done += n;
        }
    };

    for (size_t i = 0; i < frames.size(); ++i) {
        // Audio up to the end of this frame first: the muxer then interleaves with little buffering.
        if (audio) send_audio_until(int64_t(double(i + 1) / fps * audio->sample_rate));
        if (av_frame_make_writable(vframe.get()) < 0) throw std::bad_alloc();
        const uint8_t* src[1] = {frames[i].rgb.data()};
        const int src_stride[1] = {W * 3};
        if (sws_scale(sws.get(), src, src_stride, 0, H, vframe->data, vframe->linesize) != H)
            throw Error(ErrorCode::Io, path, "pixel conversion failed");
        vframe->pts = int64_t(i);
        mux.encode(venc.get(), vst, vframe.get(), "libx264");
    }
    if (audio) send_audio_until(int64_t(audio->samples.size()));
    mux.encode(venc.get(), vst, nullptr, "libx264");
    if (audio) mux.encode(aenc.get(), ast, nullptr, "aac");

    ret = av_write_trailer(fmt.get());
    if (ret < 0) throw Error(ErrorCode::Io, path, "cannot finish the mp4: " + av_error_text(ret));
    ret = avio_closep(&fmt->pb);
    if (ret < 0) throw Error(ErrorCode::Io, path, "cannot write: " + av_error_text(ret));
    cleanup.done();
}

}  // namespace atelier
