#include "error_text.h"

#include "common/error.h"

#include <QCoreApplication>

QString errorSentence(int code) {
    using atelier::ErrorCode;
    switch (static_cast<ErrorCode>(code)) {
        case ErrorCode::Io:
            return QCoreApplication::translate("EngineError", "The file could not be read or written.");
        case ErrorCode::FileNotFound:
            return QCoreApplication::translate("EngineError", "A file the model needs was not found.");
        case ErrorCode::FileTruncated:
            return QCoreApplication::translate(
                "EngineError", "The file is shorter than its header says: it may be incomplete.");
        case ErrorCode::BadHeader:
            return QCoreApplication::translate("EngineError", "The file's header is invalid.");
        case ErrorCode::BadJson:
            return QCoreApplication::translate("EngineError", "A JSON file is malformed.");
        case ErrorCode::UnknownDtype:
            return QCoreApplication::translate("EngineError",
                                               "The weights use a number format Atelier does not read.");
        case ErrorCode::OffsetOutOfRange:
            return QCoreApplication::translate(
                "EngineError", "The weights file is corrupt: a tensor lies outside the file.");
        case ErrorCode::OverlappingTensors:
            return QCoreApplication::translate("EngineError",
                                               "The weights file is corrupt: two tensors overlap.");
        case ErrorCode::ShapeMismatch:
            return QCoreApplication::translate("EngineError", "A tensor has the wrong size for this model.");
        case ErrorCode::MissingTensor:
            return QCoreApplication::translate("EngineError",
                                               "The weights are incomplete: a tensor is missing.");
        case ErrorCode::UnsupportedFormat:
            return QCoreApplication::translate("EngineError", "This is not a model folder Atelier can read.");
        case ErrorCode::UnsupportedArchitecture:
            return QCoreApplication::translate("EngineError", "This model architecture is not supported.");
        case ErrorCode::BadConfig:
            return QCoreApplication::translate("EngineError", "The model's configuration is invalid.");
        case ErrorCode::Tokenizer:
            return QCoreApplication::translate("EngineError", "The tokenizer could not be loaded.");
        case ErrorCode::Template: return QCoreApplication::translate("EngineError", "Unknown chat template.");
        case ErrorCode::InvalidArgument:
            return QCoreApplication::translate("EngineError", "The request is invalid.");
        case ErrorCode::Cancelled: return QCoreApplication::translate("EngineError", "Cancelled.");
        case ErrorCode::NotMedia:
            return QCoreApplication::translate(
                "EngineError",
                "This is not an image, audio or video file Atelier can read, or it is damaged.");
        case ErrorCode::NoMediaStream:
            return QCoreApplication::translate("EngineError",
                                               "The media file has no picture or sound of the kind needed.");
        case ErrorCode::UnsupportedCodec:
            return QCoreApplication::translate(
                "EngineError", "The media file uses a format this installation cannot decode.");
        case ErrorCode::MediaLimit:
            return QCoreApplication::translate("EngineError", "The media file is too large or too long.");
        case ErrorCode::MissingModality:
            return QCoreApplication::translate("EngineError", "This model cannot read this kind of media.");
        case ErrorCode::NoAudioDevice:
            return QCoreApplication::translate(
                "EngineError", "No microphone was found. Connect one, or choose another input in Settings.");
        case ErrorCode::AudioDeviceUnavailable:
            return QCoreApplication::translate(
                "EngineError",
                "The microphone cannot be opened: another program may be using it, or it was unplugged.");
        case ErrorCode::AudioDeviceFailed:
            return QCoreApplication::translate(
                "EngineError",
                "The microphone stopped during the recording. What was recorded until then is kept.");
        case ErrorCode::Distributed:
            return QCoreApplication::translate(
                "EngineError",
                "One of the run's training processes stopped or stopped answering, so the run ended. Its "
                "last checkpoint is kept: continue the run to resume from it.");
    }
    return QCoreApplication::translate("EngineError", "Unexpected error.");
}

QString errorText(const EngineError& e) {
    QString facts = e.where.isEmpty() ? e.detail : e.where + QStringLiteral(": ") + e.detail;
    if (facts.isEmpty()) return errorSentence(e.code);
    return errorSentence(e.code) + QLatin1Char('\n') + facts;
}

EngineError engineErrorFrom(const std::exception& e) {
    if (const auto* ae = dynamic_cast<const atelier::Error*>(&e))
        return {static_cast<int>(ae->code()), QString::fromStdString(ae->where()),
                QString::fromStdString(ae->detail())};
    return {-1, QString(), QString::fromUtf8(e.what())};
}
