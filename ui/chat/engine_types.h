// Plain value types that cross the GUI/worker thread boundary in queued signals.
#pragma once

#include "chat_store.h"

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include <atomic>
#include <memory>

// Set to true (from any thread) to cancel the request it was given with: a model load within one
// tensor, a reply within one token.
using CancelToken = std::shared_ptr<std::atomic<bool>>;
inline CancelToken makeCancelToken() {
    return std::make_shared<std::atomic<bool>>(false);
}

// An engine failure as facts (atelier::Error's code, where, detail); error_text.h turns it into a
// translated sentence.
struct EngineError {
    int code = -1;  // atelier::ErrorCode, or -1 for an unexpected exception
    QString where;
    QString detail;
};

struct ChatTurn {
    QString role;  // "user" | "assistant"
    QString content;
    QVector<AttachmentRecord> attachments;  // images, audio, video sent with the message
};

struct GenerationRequest {
    QString modelPath;
    QString adapterPath;   // attached for this reply ("" = the base model)
    QString templateName;  // "" = the model's own, "none" = plain continuation of the text
    QString systemPrompt;
    QVector<ChatTurn> turns;  // the conversation so far, ending with the user's message
    SamplingSettings sampling;
    CancelToken cancel = makeCancelToken();
};

// What an attachment costs the conversation, as the engine found when it was attached: its
// prompt positions, whether the model reads it (else `error` says why: MissingModality), and the
// encoding done ahead of sending (cached by content, so the reply does not wait for it).
struct AttachmentCost {
    QString path;
    int tokens = 0;
    bool readable = false;
    double encodeSeconds = 0;  // 0 when it came from the cache
    EngineError error;         // code -1 and empty detail when readable
};

// The conversation's use of the model's context (the context meter).
struct ContextUse {
    qint64 positions = 0;  // the prompt the next reply would start from
    qint64 contextLength = 0;
    int droppedTurns = 0;  // oldest turns that would be left out
};

struct GenerationStats {
    int tokens = 0;
    double tokensPerSecond = 0;    // decode speed
    double firstTokenSeconds = 0;  // request -> first text (model load excluded)
    QString stopReason;            // eos | stop_string | max_tokens | cancelled | context_full | ...
    int droppedTurns = 0;          // oldest turns left out to fit the context
    int skippedMedia = 0;          // attachments of kinds the model cannot read, sent without them
};

struct LoadedModel {
    QString path;
    QString adapterMethod;  // "" when no adapter is attached
    QString dtype;          // weights
    QString computeDtype;   // activations
    QString device;
    qint64 contextLength = 0;
    QString templateName;    // the model's own template
    QStringList modalities;  // media it reads: "image", "audio", "video" (empty: text only)
    int videoFrames = 8;     // frames it samples from a video
    bool reads(const QString& kind) const { return modalities.contains(kind); }
};

// Engine-wide choices from Settings, applied at the next model load.
struct EngineSettings {
    QString dtype = QStringLiteral("auto");
    QString device = QStringLiteral("cpu");
    int threads = 0;  // 0 = all cores
};

Q_DECLARE_METATYPE(EngineError)
Q_DECLARE_METATYPE(AttachmentCost)
Q_DECLARE_METATYPE(ContextUse)
Q_DECLARE_METATYPE(AttachmentRecord)
Q_DECLARE_METATYPE(GenerationRequest)
Q_DECLARE_METATYPE(GenerationStats)
Q_DECLARE_METATYPE(LoadedModel)
Q_DECLARE_METATYPE(EngineSettings)
