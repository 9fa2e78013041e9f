#include "media/stream_decoder.h"

#include <cstring>

namespace atelier::media {

StreamDecoder::StreamDecoder(InputFile& in, int stream, AVCodecContext* dec, Budget budget,
                             DecodeStats* stats)
    : m_in(in),
      m_stream(stream),
      m_dec(dec),
      m_budget(budget),
      m_stats(stats ? stats : &m_local),
      m_pkt(make_packet()) {}

bool StreamDecoder::next(AVFrame* frame) {
    if (m_drained) return false;
    for (;;) {
        int ret = avcodec_receive_frame(m_dec, frame);
        if (ret == 0) {
            ++m_stats->frames_decoded;
            return true;
        }
        if (ret == AVERROR_EOF) {
            m_drained = true;
            return false;
        }
        if (ret != AVERROR(EAGAIN)) {
            // A frame the decoder could not finish (frame threads report errors here).
            if (++m_errors > m_budget.max_errors)
                throw Error(
                    ErrorCode::NotMedia, m_in.path(),
                    "corrupt: " + std::to_string(m_errors) + " decode errors, last: " + av_error_text(ret));
            m_last_error = av_error_text(ret);
            if (m_sent_eof) {
                m_drained = true;
                return false;
            }
        }
        if (m_sent_eof) {
            // Draining never answers EAGAIN; guard anyway so a broken decoder cannot spin.
            m_drained = true;
            return false;
        }

        // The decoder wants input: the next packet of our stream, or the drain signal.
        for (;;) {
            av_packet_unref(m_pkt.get());
            ret = av_read_frame(m_in.fmt(), m_pkt.get());
            if (ret < 0) {
                if (ret != AVERROR_EOF) m_input_damaged = true;  // the demuxer gave up before the end
                avcodec_send_packet(m_dec, nullptr);             // drain: the decoder returns what it holds
                m_sent_eof = true;
                break;
            }
            if (++m_packets_total > m_budget.max_packets)
                throw Error(ErrorCode::MediaLimit, m_in.path(),
                            "decode budget exhausted: read " + std::to_string(m_budget.max_packets) +
                                " packets without finishing");
            if (m_pkt->stream_index != m_stream) continue;
            ++m_stats->packets_read;
            if (m_pkt->flags & AV_PKT_FLAG_CORRUPT) m_input_damaged = true;
            // The furthest timestamp fed so far (packet pts are out of order with B-frames).
            const int64_t ts = m_pkt->pts != AV_NOPTS_VALUE ? m_pkt->pts : m_pkt->dts;
            if (ts != AV_NOPTS_VALUE && (m_last_packet_ts == AV_NOPTS_VALUE || ts > m_last_packet_ts))
                m_last_packet_ts = ts;
            ret = avcodec_send_packet(m_dec, m_pkt.get());
            if (ret == AVERROR(EAGAIN)) {
                // Cannot happen after receive_frame said EAGAIN; treated as an error to avoid a livelock.
                ret = AVERROR_BUG;
            }
            if (ret < 0) {
                m_last_error = av_error_text(ret);
                if (++m_errors > m_budget.max_errors)
                    throw Error(
                        ErrorCode::NotMedia, m_in.path(),
                        "corrupt: " + std::to_string(m_errors) + " decode errors, last: " + m_last_error);
                continue;
            }
            break;
        }
    }
}

bool StreamDecoder::seek(int64_t ts) {
    AVFormatContext* fmt = m_in.fmt();
    int ret = av_seek_frame(fmt, m_stream, ts, AVSEEK_FLAG_BACKWARD);
    if (ret < 0) ret = avformat_seek_file(fmt, m_stream, INT64_MIN, ts, ts, 0);
    if (ret < 0) return false;
    avcodec_flush_buffers(m_dec);
    ++m_stats->seeks;
    m_sent_eof = false;
    m_drained = false;
    m_last_packet_ts = AV_NOPTS_VALUE;
    return true;
}

bool is_image_demuxer(const AVFormatContext* fmt) {
    const char* name = fmt->iformat ? fmt->iformat->name : nullptr;
    if (!name) return false;
    const size_t n = std::strlen(name);
    return std::strcmp(name, "image2") == 0 || (n > 5 && std::strcmp(name + n - 5, "_pipe") == 0);
}

}  // namespace atelier::media
