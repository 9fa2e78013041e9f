// decode_image: a still image (or a video's first frame) as upright RGB8.
#include "media/ffmpeg_util.h"
#include "media/stream_decoder.h"

#include <cstdlib>
#include <fstream>

namespace atelier {

using namespace media;

namespace {

uint32_t be32(const unsigned char* p) {
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
uint32_t be16(const unsigned char* p) {
    return uint32_t(p[0]) << 8 | p[1];
}

// Width and height from a PNG's IHDR or a JPEG's SOF marker, read before any decoder runs, so a small
// file announcing a huge picture is refused with the facts (FFmpeg's own max_pixels check only says
// "invalid"). {0, 0} when the header says nothing we understand.
std::pair<int64_t, int64_t> sniff_image_size(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::string head(256 * 1024, '\0');
    f.read(head.data(), std::streamsize(head.size()));
    head.resize(size_t(f.gcount()));
    const auto* p = reinterpret_cast<const unsigned char*>(head.data());
    const size_t n = head.size();
    static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (n >= 24 && std::equal(png_sig, png_sig + 8, p) && std::equal(p + 12, p + 16, "IHDR"))
        return {be32(p + 16), be32(p + 20)};
    if (n >= 4 && p[0] == 0xff && p[1] == 0xd8) {
        size_t i = 2;
        while (i + 9 <= n) {
            if (p[i] != 0xff) break;
            const unsigned m = p[i + 1];
            if (m == 0xff) {  // fill byte
                ++i;
                continue;
            }
            const size_t len = be16(p + i + 2);
            const bool sof = m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
            if (sof) return {be16(p + i + 7), be16(p + i + 5)};
            if (len < 2) break;
            i += 2 + len;
        }
    }
    return {0, 0};
}

int exif_orientation(const AVFrame* frame) {
    // FFmpeg 5.1's mjpeg (and webp) decoders export the EXIF IFD0 tags into the frame metadata:
    // "Orientation" -> "    6" (right-aligned text).
    const AVDictionaryEntry* e = av_dict_get(frame->metadata, "Orientation", nullptr, 0);
    if (!e || !e->value) return 1;
    const int v = std::atoi(e->value);
    return v >= 1 && v <= 8 ? v : 1;
}

}  // namespace

Image decode_image(const std::string& path, const MediaLimits& limits) {
    InputFile in = InputFile::open(path, limits);
    const bool still = is_image_demuxer(in.fmt());
    if (still) {
        // Image pipes know nothing before decoding; probing would decode the picture twice.
        auto [w, h] = sniff_image_size(path);
        check_pixels(path, w, h, limits);
        in.set_deadline(std::chrono::steady_clock::time_point::max());  // the probe phase is over
    } else {
        in.find_stream_info(limits);
    }
    const int index = in.best_stream(AVMEDIA_TYPE_VIDEO, /*allow_attached_pic=*/true);
    for (unsigned i = 0; i < in.fmt()->nb_streams; ++i)
        if (int(i) != index) in.fmt()->streams[i]->discard = AVDISCARD_ALL;
    AVStream* st = in.fmt()->streams[index];
    CodecContextPtr dec = open_decoder(in, index, limits, still ? 1 : decoder_threads());
    // A still picture with damage is an error, not a picture with grey blocks (a cut JPEG otherwise
    // decodes "fine" with its bottom missing).
    // (Only for JPEG: other image decoders either fail on damage already or, like TIFF, would
    // refuse harmless unknown tags.)
    if (still && dec->codec_id == AV_CODEC_ID_MJPEG) dec->err_recognition |= AV_EF_EXPLODE;

    // A still has one packet; a video's first frame may wait for a few (leading non-keyframes, B-frame
    // delay).
    StreamDecoder sd(in, index, dec.get(), {/*max_packets=*/4096, /*max_errors=*/64}, nullptr);
    FramePtr frame = make_frame();
    if (!sd.next(frame.get())) {
        std::string why = sd.last_error().empty() ? "no frame in the stream" : sd.last_error();
        if (sd.input_damaged()) why = "truncated or damaged: " + why;
        throw Error(ErrorCode::NotMedia, path, "no picture could be decoded (" + why + ")");
    }
    if (still && (frame->flags & AV_FRAME_FLAG_CORRUPT || frame->decode_error_flags))
        throw Error(ErrorCode::NotMedia, path, "truncated or corrupt picture (decoder concealed errors)");
    check_pixels(path, frame->width, frame->height, limits);

    SwsContextPtr sws;
    Image img = frame_to_rgb(frame.get(), sws, path);
    img = apply_exif_orientation(img, exif_orientation(frame.get()));
    if (!still) img = rotate_clockwise(img, stream_rotation(st));
    return img;
}

}  // namespace atelier
