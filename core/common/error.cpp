#include "common/error.h"

namespace atelier {

const char* error_code_name(ErrorCode code) {
    switch (code) {
        case ErrorCode::Io: return "io";
        case ErrorCode::FileNotFound: return "file_not_found";
        case ErrorCode::FileTruncated: return "file_truncated";
        case ErrorCode::BadHeader: return "bad_header";
        case ErrorCode::BadJson: return "bad_json";
        case ErrorCode::UnknownDtype: return "unknown_dtype";
        case ErrorCode::OffsetOutOfRange: return "offset_out_of_range";
        case ErrorCode::OverlappingTensors: return "overlapping_tensors";
        case ErrorCode::ShapeMismatch: return "shape_mismatch";
        case ErrorCode::MissingTensor: return "missing_tensor";
        case ErrorCode::UnsupportedFormat: return "unsupported_format";
        case ErrorCode::UnsupportedArchitecture: return "unsupported_architecture";
        case ErrorCode::BadConfig: return "bad_config";
        case ErrorCode::Tokenizer: return "tokenizer";
        case ErrorCode::Template: return "template";
        case ErrorCode::InvalidArgument: return "invalid_argument";
        case ErrorCode::Cancelled: return "cancelled";
        case ErrorCode::NotMedia: return "not_media";
        case ErrorCode::NoMediaStream: return "no_media_stream";
        case ErrorCode::UnsupportedCodec: return "unsupported_codec";
        case ErrorCode::MediaLimit: return "media_limit";
        case ErrorCode::MissingModality: return "missing_modality";
        case ErrorCode::NoAudioDevice: return "no_audio_device";
        case ErrorCode::AudioDeviceUnavailable: return "audio_device_unavailable";
        case ErrorCode::AudioDeviceFailed: return "audio_device_failed";
        case ErrorCode::Distributed: return "distributed";
    }
    return "unknown";
}

}  // namespace atelier
