// Internal to core/media: the packet -> frame loop for one stream, shared by the image, audio and
// video decoders. Reads packets of its stream, feeds the decoder, drains it at the end of the file
// (null packet) and keeps the bookkeeping a hostile file needs: a packet budget, a decode-error
// budget, and whether the input ended early.
//
//   StreamDecoder sd(in, index, dec.get(), budget, &stats);
//   while (sd.next(frame.get())) use(frame);   // frames in presentation order, decoder drained at the end
#pragma once

#include "media/ffmpeg_util.h"

namespace atelier::media {

class StreamDecoder {
public:
    struct Budget {
        int64_t max_packets = 0;  // packets read from the demuxer (all streams); MediaLimit past it
        int max_errors = 0;       // packets the decoder rejected; NotMedia past it
    };

    StreamDecoder(InputFile& in, int stream, AVCodecContext* dec, Budget budget, DecodeStats* stats);

    // The next decoded frame (unreferenced first). False once the decoder is drained.
    bool next(AVFrame* frame);

    // Seeks to the keyframe at or before `ts` (stream time base) and flushes the decoder. False when
    // the container cannot seek there (the position is then unchanged).
    bool seek(int64_t ts);

    // Largest timestamp (pts, else dts) given to the decoder since the last seek; AV_NOPTS_VALUE
    // before any.
    int64_t last_packet_ts() const { return m_last_packet_ts; }
    bool drained() const { return m_drained; }
    // The demuxer stopped on an error (not a clean end of file) or returned a cut packet.
    bool input_damaged() const { return m_input_damaged; }
    int errors() const { return m_errors; }
    const std::string& last_error() const { return m_last_error; }

private:
    InputFile& m_in;
    int m_stream;
    AVCodecContext* m_dec;
    Budget m_budget;
    DecodeStats* m_stats;
    DecodeStats m_local;
    PacketPtr m_pkt;
    int64_t m_packets_total = 0;
    int64_t m_last_packet_ts = AV_NOPTS_VALUE;
    bool m_sent_eof = false;
    bool m_drained = false;
    bool m_input_damaged = false;
    int m_errors = 0;
    std::string m_last_error;
};

// True for FFmpeg's still-image demuxers (png_pipe, jpeg_pipe, webp_pipe...).
bool is_image_demuxer(const AVFormatContext* fmt);

}  // namespace atelier::media
