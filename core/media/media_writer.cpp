// write_png (FFmpeg's png encoder) and write_wav (a plain RIFF writer, PCM16 mono).
#include "media/ffmpeg_util.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace atelier {

using namespace media;

namespace {

struct FileCloser {
    void operator()(std::FILE* f) const {
        if (f) std::fclose(f);
    }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

void write_all(const std::string& path, const void* data, size_t size, const void* data2 = nullptr,
               size_t size2 = 0) {
    FilePtr f(std::fopen(path.c_str(), "wb"));
    if (!f) throw Error(ErrorCode::Io, path, std::string("cannot create: ") + std::strerror(errno));
    if (std::fwrite(data, 1, size, f.get()) != size ||
        (size2 && std::fwrite(data2, 1, size2, f.get()) != size2))
        throw Error(ErrorCode::Io, path, std::string("cannot write: ") + std::strerror(errno));
    if (std::fclose(f.release()) != 0)
        throw Error(ErrorCode::Io, path, std::string("cannot write: ") + std::strerror(errno));
}

void put_le(std::vector<uint8_t>& b, uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) b.push_back(uint8_t(v >> (8 * i)));
}

}  // namespace

void write_png(const std::string& path, const Image& image) {
    init_ffmpeg();
    if (image.width <= 0 || image.height <= 0 || image.rgb.size() != size_t(image.width) * image.height * 3)
        throw Error(ErrorCode::InvalidArgument, path,
                    "image " + std::to_string(image.width) + "x" + std::to_string(image.height) + " with " +
                        std::to_string(image.rgb.size()) + " bytes is not RGB8");
    const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_PNG);
    if (!codec) throw Error(ErrorCode::Io, path, "this FFmpeg has no png encoder");
    CodecContextPtr enc(avcodec_alloc_context3(codec));
    if (!enc) throw std::bad_alloc();
    enc->width = image.width;
    enc->height = image.height;
    enc->pix_fmt = AV_PIX_FMT_RGB24;
    enc->time_base = AVRational{1, 1};
    enc->thread_count = 1;
    int ret = avcodec_open2(enc.get(), codec, nullptr);
    if (ret < 0) throw Error(ErrorCode::Io, path, "cannot open the png encoder: " + av_error_text(ret));

    FramePtr frame = make_frame();
    frame->width = image.width;
    frame->height = image.height;
    frame->format = AV_PIX_FMT_RGB24;
    if (av_frame_get_buffer(frame.get(), 0) < 0) throw std::bad_alloc();
    for (int y = 0; y < image.height; ++y)
        std::memcpy(frame->data[0] + size_t(y) * frame->linesize[0],
                    image.rgb.data() + size_t(y) * image.width * 3, size_t(image.width) * 3);
    ret = avcodec_send_frame(enc.get(), frame.get());
    if (ret >= 0) ret = avcodec_send_frame(enc.get(), nullptr);
    if (ret < 0) throw Error(ErrorCode::Io, path, "png encoding failed: " + av_error_text(ret));
    PacketPtr pkt = make_packet();
    std::vector<uint8_t> bytes;
    while ((ret = avcodec_receive_packet(enc.get(), pkt.get())) == 0) {
        bytes.insert(bytes.end(), pkt->data, pkt->data + pkt->size);
        av_packet_unref(pkt.get());
    }
    if (ret != AVERROR_EOF || bytes.empty())
        throw Error(ErrorCode::Io, path, "png encoding failed: " + av_error_text(ret));
    write_all(path, bytes.data(), bytes.size());
}

void write_wav(const std::string& path, const Audio& audio) {
    if (audio.sample_rate <= 0)
        throw Error(ErrorCode::InvalidArgument, path, "sample rate " + std::to_string(audio.sample_rate));
    const uint64_t data_bytes = uint64_t(audio.samples.size()) * 2;
    if (data_bytes > 0xffffffffull - 36)
        throw Error(ErrorCode::InvalidArgument, path, "too long for a RIFF file (4 GiB)");
    std::vector<uint8_t> h;
    h.reserve(44);
    auto tag = [&](const char* t) { h.insert(h.end(), t, t + 4); };
    tag("RIFF");
    put_le(h, uint32_t(36 + data_bytes), 4);
    tag("WAVE");
    tag("fmt ");
    put_le(h, 16, 4);                               // fmt chunk size
    put_le(h, 1, 2);                                // PCM
    put_le(h, 1, 2);                                // mono
    put_le(h, uint32_t(audio.sample_rate), 4);      // sample rate
    put_le(h, uint32_t(audio.sample_rate) * 2, 4);  // byte rate
    put_le(h, 2, 2);                                // block align
    put_le(h, 16, 2);                               // bits per sample
    tag("data");
    put_le(h, uint32_t(data_bytes), 4);
    std::vector<uint8_t> pcm;
    pcm.reserve(size_t(data_bytes));
    for (float s : audio.samples) {
        // x * 32768 rounded and clamped: PCM16 decoded as v / 32768 writes back to the same v.
        float v = std::isfinite(s) ? std::nearbyint(s * 32768.0f) : 0.0f;
        v = std::min(32767.0f, std::max(-32768.0f, v));
        put_le(pcm, uint32_t(uint16_t(int16_t(v))), 2);
    }
    write_all(path, h.data(), h.size(), pcm.data(), pcm.size());
}

}  // namespace atelier
