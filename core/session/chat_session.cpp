#include "session/chat_session.h"

#include "chat/chat_template.h"
#include "common/error.h"
#include "model/llama.h"
#include "multimodal/multimodal_model.h"
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <chrono>

namespace atelier {

ChatSession::ChatSession(MultimodalModel& model) : m_model(model) {
    m_generator = std::make_unique<Generator>(m_model.llm(), m_model.tokenizer());
}

ChatSession::~ChatSession() = default;

void ChatSession::reset() {
    m_generator->reset();
}

std::string ChatSession::resolve_template(const std::string& name) const {
    if (name == "none") return "none";
    std::string wanted = name.empty() ? m_model.chat_template() : name;
    return template_for_model(m_model.llm().tokenizer_config_path(), wanted).name();
}

std::vector<PromptPiece> ChatSession::layout(const ChatRequest& request, int first_turn) const {
    const std::vector<ChatTurn> turns(request.turns.begin() + first_turn, request.turns.end());
    if (request.template_name == "none") return layout_prompt(turns, request.system_prompt, nullptr, true);
    ChatTemplate tpl =
        template_for_model(m_model.llm().tokenizer_config_path(), resolve_template(request.template_name));
    return layout_prompt(turns, request.system_prompt, &tpl, /*add_generation_prompt=*/true);
}

int64_t ChatSession::positions(const std::vector<PromptPiece>& pieces, const ChatRequest& request) const {
    const Tokenizer& tok = m_model.tokenizer();
    int64_t n = 0;
    for (const auto& p : pieces) {
        if (p.media)
            n += m_model.token_cost(p.attachment.modality, p.attachment.path, request.video_frames);
        else if (p.raw)
            n += static_cast<int64_t>(tok.encode(p.text, p.bos).size());
        else
            n += static_cast<int64_t>(encode_rendered(p.rendered, tok).size());
    }
    return n;
}

ChatRequest ChatSession::readable(const ChatRequest& request, std::vector<Attachment>* skipped) const {
    if (!request.skip_unreadable_media) return request;
    ChatRequest r = request;
    for (auto& t : r.turns) {
        std::vector<Attachment> keep;
        for (auto& a : t.attachments) {
            if (m_model.modality(a.modality))
                keep.push_back(a);
            else if (skipped)
                skipped->push_back(a);
        }
        t.attachments = keep;
    }
    return r;
}

// The turns kept (oldest dropped in user/assistant pairs until the prompt and min(max tokens, a
// quarter of the context) fit), their layout and its positions.
struct ChatSession::Fit {
    int first = 0;
    std::vector<PromptPiece> pieces;
    int64_t positions = 0;
};

ChatSession::Fit ChatSession::fit(const ChatRequest& request) {
    if (request.turns.empty())
        throw Error(ErrorCode::InvalidArgument, "prompt", "the conversation has no turns");
    for (const auto& t : request.turns)
        for (const auto& a : t.attachments) m_model.require(a.modality, a.path);
    const int64_t ctx = m_model.llm().context_length();
    const int64_t room =
        std::min<int64_t>(std::max(1, request.generation.max_new_tokens), std::max<int64_t>(1, ctx / 4));
    const int turns = static_cast<int>(request.turns.size());
    Fit f;
    while (true) {
        f.pieces = layout(request, f.first);
        f.positions = positions(f.pieces, request);
        if (f.positions + room <= ctx || f.first + 1 >= turns) return f;
        f.first = std::min(f.first + 2, turns - 1);
    }
}

int64_t ChatSession::prompt_positions(const ChatRequest& original, int* dropped_turns) {
    const Fit f = fit(readable(original, nullptr));
    if (dropped_turns) *dropped_turns = f.first;
    return f.positions;
}

Prompt ChatSession::build_prompt(const ChatRequest& original, int* dropped_turns,
                                 const std::atomic<bool>* cancel, const StageCallback& on_stage) {
    const ChatRequest request = readable(original, nullptr);
    const Fit f = fit(request);
    if (dropped_turns) *dropped_turns = f.first;
    const auto& pieces = f.pieces;
    const int64_t total = f.positions, ctx = m_model.llm().context_length();
    if (total > ctx)
        throw Error(ErrorCode::InvalidArgument, "prompt",
                    "the message takes " + std::to_string(total) +
                        " positions (text and media); the context holds " + std::to_string(ctx));
    Tokenizer& tok = m_model.tokenizer();
    Prompt prompt;
    for (const auto& p : pieces) {
        if (p.media) {
            EncodeOptions eo;
            eo.frames = request.video_frames;
            eo.cancel = cancel;
            if (on_stage) eo.progress = [&](float f) { on_stage("encode", p.attachment.path, f); };
            for (auto& e : m_model.encode(p.attachment.modality, p.attachment.path, eo)) {
                if (!e->text_before.empty())
                    prompt.push_back(PromptChunk::text(tok.encode(e->text_before, false)));
                prompt.push_back(PromptChunk::embedding(e));
            }
        } else if (p.raw) {
            prompt.push_back(PromptChunk::text(tok.encode(p.text, p.bos)));
        } else {
            prompt.push_back(PromptChunk::text(encode_rendered(p.rendered, tok)));
        }
    }
    return prompt;
}

ChatResult ChatSession::generate(const ChatRequest& request, const TextCallback& on_text,
                                 const std::atomic<bool>* cancel, const StageCallback& on_stage) {
    ChatResult result;
    GenerationOptions opt = request.generation;
    const std::string tpl_name = resolve_template(request.template_name);
    result.template_used = tpl_name;
    if (tpl_name != "none") {
        ChatTemplate tpl = ChatTemplate::by_name(tpl_name);
        for (const auto& s : tpl.stop_strings()) opt.stop_strings.push_back(s);
        if (m_templates_with_stop_ids.insert(tpl_name).second)
            add_template_stop_ids(tpl, m_model.tokenizer());
    }
    const auto t0 = std::chrono::steady_clock::now();
    readable(request, &result.skipped_media);
    Prompt prompt = build_prompt(request, &result.dropped_turns, cancel, on_stage);
    for (const auto& c : prompt)
        if (c.media) {
            ++result.media_items;
            result.encode_seconds += c.media->encode_seconds;
        }
    if (cancel && cancel->load()) {
        result.stop_reason = StopReason::Cancelled;
        return result;
    }
    if (on_stage) on_stage("prefill", "", 0.f);
    const double before = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    GenerationResult g = m_generator->generate_chunks(prompt, opt, on_text, cancel);
    static_cast<GenerationResult&>(result) = g;
    // Time to first token counts media encoding too: that is what a user waits for.
    if (result.first_token_seconds > 0) result.first_token_seconds += before;
    if (result.stop_reason == StopReason::ContextFull && result.tokens.empty())
        throw Error(ErrorCode::InvalidArgument, "prompt",
                    "the message takes " + std::to_string(g.prompt_tokens) +
                        " positions; the context holds " + std::to_string(m_model.llm().context_length()));
    return result;
}

std::vector<double> ChatSession::score_reply(const ChatRequest& request, const std::string& reply,
                                             const std::atomic<bool>* cancel) {
    Tokenizer& tok = m_model.tokenizer();
    if (resolve_template(request.template_name) == "none") {
        Prompt prompt = build_prompt(request, nullptr, cancel);
        const std::vector<int> ids = tok.encode(reply, /*add_bos=*/false);
        if (ids.empty()) return {};
        return m_generator->score(prompt, ids, cancel);
    }
    // The reply's tokens as the template renders them after the prompt (what training predicts):
    // the prompt as generation builds it, and the last turn rendered with the reply, split where
    // the reply's tokens begin. The closing special token (end of turn) is not part of the reply.
    Prompt prompt = build_prompt(request, nullptr, cancel);
    ChatRequest full = readable(request, nullptr);
    full.turns.push_back({"assistant", reply, {}});
    ChatTemplate tpl =
        template_for_model(m_model.llm().tokenizer_config_path(), resolve_template(request.template_name));
    const std::vector<PromptPiece> pieces =
        layout_prompt(full.turns, full.system_prompt, &tpl, /*add_generation_prompt=*/false);
    if (pieces.empty() || pieces.back().media) return {};
    std::vector<bool> trainable;
    const std::vector<int> ids = encode_rendered(pieces.back().rendered, tok, &trainable);
    size_t first = 0;
    while (first < ids.size() && !trainable[first]) ++first;
    size_t last = ids.size();
    if (pieces.back().rendered.segments.back().special && last > first) --last;
    std::vector<int> continuation(ids.begin() + static_cast<std::ptrdiff_t>(first),
                                  ids.begin() + static_cast<std::ptrdiff_t>(last));
    // The prompt's last text run ends where the rendered reply begins; re-tokenised jointly, the
    // boundary token may differ from the prompt's: use the joint tokens for that run.
    if (!prompt.empty() && !prompt.back().media) {
        prompt.back().tokens.assign(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(first));
    }
    if (continuation.empty()) return {};
    return m_generator->score(prompt, continuation, cancel);
}

}  // namespace atelier
