// Typed engine errors: what went wrong (a code) and where (file, tensor, line).
//
// The engine throws; boundaries catch. The CLI prints what(), the UI maps code() to a
// translated sentence and shows where()/detail() as facts. Engine code never writes prose
// meant for end users beyond these facts.
//
//   try { auto st = atelier::SafetensorsFile::open(path); }
//   catch (const atelier::Error& e) { if (e.code() == atelier::ErrorCode::FileTruncated) ... }
#pragma once

#include <stdexcept>
#include <string>

namespace atelier {

enum class ErrorCode {
    Io,                       // cannot open/read/write/mmap a file
    FileNotFound,             // path does not exist
    FileTruncated,            // file ends before its declared content
    BadHeader,                // header length/magic/version invalid
    BadJson,                  // JSON does not parse or has the wrong shape
    UnknownDtype,             // dtype string/code not supported
    OffsetOutOfRange,         // tensor byte range past the data section
    OverlappingTensors,       // two tensors share bytes
    ShapeMismatch,            // shape x dtype size != byte span, or shape differs from config
    MissingTensor,            // a tensor the model needs is absent
    UnsupportedFormat,        // not a checkpoint format we read (or disallowed pickle global)
    UnsupportedArchitecture,  // config.json names an architecture we do not run
    BadConfig,                // config.json / params.json value missing or invalid
    Tokenizer,                // tokenizer file invalid or token missing
    Template,                 // unknown chat template name
    InvalidArgument,          // caller passed something invalid
    Cancelled,                // long operation cancelled by the caller
    NotMedia,                 // not an image/audio/video file FFmpeg can read, or corrupt beyond decoding
    NoMediaStream,            // the media file has no stream of the kind asked for (no audio track...)
    UnsupportedCodec,         // the stream's codec has no decoder in this FFmpeg
    MediaLimit,               // the media exceeds a limit (pixels, duration, streams, frames)
    MissingModality,          // the model cannot read this kind of media (no encoder for it)
    NoAudioDevice,            // no audio input device, or the chosen one does not exist
    AudioDeviceUnavailable,   // the audio device cannot be opened (in use, unplugged)
    AudioDeviceFailed,        // the audio device stopped during a recording
    Distributed,              // a data-parallel training process stopped, hung or could not be reached
};

const char* error_code_name(ErrorCode code);

class Error : public std::runtime_error {
public:
    // where: the file (or tensor, or "file:line") the error is about; detail: the facts.
    Error(ErrorCode code, std::string where, std::string detail)
        : std::runtime_error(where.empty() ? detail : where + ": " + detail),
          m_code(code),
          m_where(std::move(where)),
          m_detail(std::move(detail)) {}

    ErrorCode code() const noexcept { return m_code; }
    const std::string& where() const noexcept { return m_where; }
    const std::string& detail() const noexcept { return m_detail; }

private:
    ErrorCode m_code;
    std::string m_where;
    std::string m_detail;
};

}  // namespace atelier
