// decode_audio: the first audio stream as mono float32 at the asked rate, through libswresample.
#include "media/ffmpeg_util.h"
#include "media/stream_decoder.h"

extern "C" {
#include <libavutil/opt.h>
}

#include <algorithm>
#include <cstring>
#include <fstream>

namespace atelier {

using namespace media;

namespace {

// Converts decoded frames into mono float at the output rate. Built from the first frame's own
// parameters (decoders may only know their layout once they decode), rebuilt if they change
// mid-stream, and flushed at the end so the resampler's delay line is not lost.
class MonoResampler {
public:
    MonoResampler(const std::string& path, int out_rate, std::vector<float>& out)
        : m_path(path), m_out_rate(out_rate), m_out(out) {}
    ~MonoResampler() { av_channel_layout_uninit(&m_in_layout); }

    void push(const AVFrame* fr) {
        if (fr->nb_samples <= 0) return;
        if (fr->sample_rate <= 0 || fr->ch_layout.nb_channels <= 0)
            throw Error(ErrorCode::NotMedia, m_path, "decoded audio frame without a sample rate or channels");
        if (!m_swr || fr->sample_rate != m_in_rate || fr->format != m_in_format ||
            av_channel_layout_compare(&fr->ch_layout, &m_in_layout) != 0) {
            flush();
            open(fr);
        }
        convert(fr->extended_data, fr->nb_samples);
    }

    void flush() {
        if (m_swr) convert(nullptr, 0);  // null input: the samples still inside the filter come out
        m_swr.reset();
    }

private:
    void open(const AVFrame* fr) {
        av_channel_layout_uninit(&m_in_layout);
        int ret = av_channel_layout_copy(&m_in_layout, &fr->ch_layout);
        if (ret < 0) throw std::bad_alloc();
        m_in_rate = fr->sample_rate;
        m_in_format = fr->format;

        // Decoders that know only a channel count (unspecified order) get the default layout for it;
        // when there is none (unusual counts), every channel is mixed in with the same weight.
        AVChannelLayout layout{};
        if (fr->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
            av_channel_layout_default(&layout, fr->ch_layout.nb_channels);
        else
            av_channel_layout_copy(&layout, &fr->ch_layout);
        const bool custom_mix = layout.order == AV_CHANNEL_ORDER_UNSPEC;

        AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
        SwrContext* swr = nullptr;
        ret = swr_alloc_set_opts2(&swr, &mono, AV_SAMPLE_FMT_FLT, m_out_rate, &layout,
                                  AVSampleFormat(fr->format), fr->sample_rate, 0, nullptr);
        const int channels = layout.nb_channels;
        av_channel_layout_uninit(&layout);
        m_swr.reset(swr);
        if (ret < 0 || !swr)
            throw Error(ErrorCode::UnsupportedCodec, m_path,
                        "cannot set up the resampler: " + av_error_text(ret));
        if (custom_mix) {
            std::vector<double> weights(size_t(channels), 1.0 / channels);
            ret = swr_set_matrix(swr, weights.data(), channels);
            if (ret < 0)
                throw Error(
                    ErrorCode::UnsupportedCodec, m_path,
                    std::to_string(channels) + " channels cannot be mixed down: " + av_error_text(ret));
        }
        ret = swr_init(swr);
        if (ret < 0)
            throw Error(ErrorCode::UnsupportedCodec, m_path,
                        "cannot resample " + std::to_string(fr->sample_rate) + " Hz, " +
                            std::to_string(channels) + " channels: " + av_error_text(ret));
    }

    void convert(uint8_t* const* in, int in_samples) {
        const int cap = swr_get_out_samples(m_swr.get(), in_samples);
        if (cap < 0) throw Error(ErrorCode::NotMedia, m_path, "resampler: " + av_error_text(cap));
        if (cap == 0) return;
        const size_t at = m_out.size();
        m_out.resize(at + size_t(cap));
        auto* dst = reinterpret_cast<uint8_t*>(m_out.data() + at);
        const int n = swr_convert(m_swr.get(), &dst, cap, const_cast<const uint8_t**>(in), in_samples);
        if (n < 0) {
            m_out.resize(at);
            throw Error(ErrorCode::NotMedia, m_path, "resampler: " + av_error_text(n));
        }
        m_out.resize(at + size_t(n));
    }

    const std::string& m_path;
    int m_out_rate;
    std::vector<float>& m_out;
    SwrContextPtr m_swr;
    AVChannelLayout m_in_layout{};
    int m_in_rate = 0;
    int m_in_format = -1;
};

// WAV stores its data size in the header, but FFmpeg's wav demuxer quietly clamps it to the file
// (and then estimates the duration from the file size): a cut file would read as a shorter one.
// Compares the declared size with what the file holds. 0 and 0xffffffff mean "unknown" (streamed).
void check_wav_complete(const std::string& path, int64_t file_size) {
    std::ifstream f(path, std::ios::binary);
    unsigned char h[12];
    if (!f.read(reinterpret_cast<char*>(h), 12) || std::memcmp(h, "RIFF", 4) != 0 ||
        std::memcmp(h + 8, "WAVE", 4) != 0)
        return;
    int64_t pos = 12;
    for (int chunks = 0; chunks < 64 && pos + 8 <= file_size; ++chunks) {
        unsigned char c[8];
        f.seekg(pos);
        if (!f.read(reinterpret_cast<char*>(c), 8)) return;
        const uint32_t len =
            uint32_t(c[4]) | uint32_t(c[5]) << 8 | uint32_t(c[6]) << 16 | uint32_t(c[7]) << 24;
        if (std::memcmp(c, "data", 4) == 0) {
            const int64_t have = file_size - pos - 8;
            if (len != 0 && len != 0xffffffffu && int64_t(len) > have)
                throw Error(ErrorCode::NotMedia, path,
                            "truncated: the WAV data chunk declares " + std::to_string(len) +
                                " bytes, the file holds " + std::to_string(have));
            return;
        }
        pos += 8 + int64_t(len) + (len & 1);
    }
}

}  // namespace

Audio decode_audio(const std::string& path, int sample_rate, const MediaLimits& limits) {
    if (sample_rate < 1000 || sample_rate > 768000)
        throw Error(ErrorCode::InvalidArgument, path, "sample rate " + std::to_string(sample_rate) + " Hz");
    InputFile in = InputFile::open(path, limits);
    in.find_stream_info(limits);
    const int index = in.best_stream(AVMEDIA_TYPE_AUDIO);
    for (unsigned i = 0; i < in.fmt()->nb_streams; ++i)
        if (int(i) != index) in.fmt()->streams[i]->discard = AVDISCARD_ALL;
    const AVStream* st = in.fmt()->streams[index];

    // The stream's own duration; the container's only when no video shares the file (a video's
    // audio track may legitimately end before the video).
    double declared = to_seconds(st->duration > 0 ? st->duration : AV_NOPTS_VALUE, st->time_base);
    if (!std::isfinite(declared) && in.find_stream(AVMEDIA_TYPE_VIDEO) < 0)
        declared = known_duration(in.fmt(), st);
    if (std::strcmp(in.fmt()->iformat->name, "wav") == 0) check_wav_complete(path, in.file_size());
    if (std::isfinite(declared) && declared > limits.max_duration)
        throw Error(ErrorCode::MediaLimit, path,
                    "duration " + seconds_text(declared) + " exceeds the limit of " +
                        seconds_text(limits.max_duration));

    CodecContextPtr dec = open_decoder(in, index, limits, 1);  // audio decoders gain nothing from threads

    Audio out;
    out.sample_rate = sample_rate;
    // A file lying about its duration is stopped once it decodes past the limit.
    const double max_out = (limits.max_duration + 1.0) * sample_rate;
    // Audio packets hold >= ~2.5 ms each (Opus' smallest frame) in real files.
    const StreamDecoder::Budget budget{int64_t(limits.max_duration * 1000) + 100000, 1000};
    StreamDecoder sd(in, index, dec.get(), budget, nullptr);
    MonoResampler resampler(path, sample_rate, out.samples);
    FramePtr frame = make_frame();
    int64_t frames = 0;
    while (sd.next(frame.get())) {
        ++frames;
        resampler.push(frame.get());
        av_frame_unref(frame.get());
        if (double(out.samples.size()) > max_out)
            throw Error(ErrorCode::MediaLimit, path,
                        "decodes to more than the limit of " + seconds_text(limits.max_duration));
    }
    resampler.flush();

    if (frames == 0)
        throw Error(ErrorCode::NotMedia, path,
                    "no audio could be decoded (" +
                        (sd.last_error().empty() ? std::string("no packets") : sd.last_error()) + ")");
    // A file cut short decodes to less than its header promised. Bitrate-based estimates are guesses
    // (VBR mp3 without a Xing header), so only a stream's or container's own figure counts.
    if (std::isfinite(declared) && in.fmt()->duration_estimation_method != AVFMT_DURATION_FROM_BITRATE) {
        const double got = out.duration();
        if (got + std::max(0.5, 0.05 * declared) < declared)
            throw Error(ErrorCode::NotMedia, path,
                        "truncated: decoded " + seconds_text(got) + " of the " + seconds_text(declared) +
                            " the file declares" +
                            (sd.last_error().empty() ? "" : " (" + sd.last_error() + ")"));
    }
    return out;
}

}  // namespace atelier
