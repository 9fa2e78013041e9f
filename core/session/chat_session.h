// One chat session for every front end (CLI and studio): turns with attachments -> a chunked
// prompt (chat template, media markers, context trimming) -> streamed generation.
//
// Media markers: "<image>", "<audio>" and "<video>" in a user's text mark where that turn's
// attachments of the kind go, in order; attachments without a marker go first in their turn.
// Without a template ("none": raw continuation) the prompt is BOS, then each turn's media and text
// in order. Token costs of media are known before encoding, so trimming (oldest turns first, in
// user/assistant pairs, the system prompt kept) never encodes media it will drop. Media the model
// cannot read are refused (ErrorCode::MissingModality), never ignored.
//
//   auto model = atelier::MultimodalModel::load("llava-1.5-7b-hf");
//   atelier::ChatSession session(*model);
//   atelier::ChatRequest req;
//   req.turns.push_back({"user", "What is in this picture?", {{"image", "cat.jpg"}}});
//   auto r = session.generate(req, [](const std::string& s) { std::cout << s; return true; });
#pragma once

#include "generate/generator.h"
#include "generate/prompt.h"
#include "session/prompt_layout.h"

#include <atomic>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace atelier {

class MultimodalModel;

struct ChatRequest {
    std::vector<ChatTurn> turns;  // ending with the user's message
    std::string system_prompt;
    std::string template_name;  // "" = the model's own, "none" = plain continuation of the text
    GenerationOptions generation;
    int video_frames = 0;  // 0 = the model's default
    // Attachments of a kind the model cannot read are refused (MissingModality) unless the user
    // chose to send the text alone, which this allows; `skipped_media` in the result lists them.
    bool skip_unreadable_media = false;
};

// Progress of the stages before the first token: "encode" (per attachment) and "prefill".
using StageCallback = std::function<void(const std::string& stage, const std::string& file, float fraction)>;

struct ChatResult : GenerationResult {
    int dropped_turns = 0;                  // oldest turns left out to fit the context
    std::string template_used;              // template name, or "none"
    double encode_seconds = 0;              // media encoding (0 when every file came from the cache)
    int media_items = 0;                    // attachments fed to the model
    std::vector<Attachment> skipped_media;  // left out (skip_unreadable_media)
};

class ChatSession {
public:
    explicit ChatSession(MultimodalModel& model);
    ~ChatSession();

    // The template a request resolves to ("none" for raw).
    std::string resolve_template(const std::string& name) const;
    // Context positions a request's prompt would take, with the turns it would drop (no encoding).
    int64_t prompt_positions(const ChatRequest& request, int* dropped_turns = nullptr);

    // Throws atelier::Error (MissingModality for media the model cannot read, a media file's
    // decoding errors, InvalidArgument when even the last turn does not fit the context).
    ChatResult generate(const ChatRequest& request, const TextCallback& on_text = {},
                        const std::atomic<bool>* cancel = nullptr, const StageCallback& on_stage = {});

    // The chunked prompt of a request (media encoded), as generate() would feed it.
    Prompt build_prompt(const ChatRequest& request, int* dropped_turns = nullptr,
                        const std::atomic<bool>* cancel = nullptr, const StageCallback& on_stage = {});

    // Natural-log probabilities of `reply`'s tokens as the assistant's answer to `request` (teacher
    // forcing; for perplexity of reference replies in evaluation).
    std::vector<double> score_reply(const ChatRequest& request, const std::string& reply,
                                    const std::atomic<bool>* cancel = nullptr);

    void reset();  // forget the KV cache
    MultimodalModel& model() { return m_model; }

private:
    std::vector<PromptPiece> layout(const ChatRequest& request, int first_turn) const;
    int64_t positions(const std::vector<PromptPiece>& pieces, const ChatRequest& request) const;
    struct Fit;
    Fit fit(const ChatRequest& request);
    ChatRequest readable(const ChatRequest& request, std::vector<Attachment>* skipped) const;

    MultimodalModel& m_model;
    std::unique_ptr<Generator> m_generator;
    std::set<std::string> m_templates_with_stop_ids;
};

}  // namespace atelier
