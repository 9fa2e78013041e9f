#include "generate/generator.h"

#include "common/error.h"
#include "model/llama.h"
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace atelier {

const char* stop_reason_name(StopReason r) {
    switch (r) {
        case StopReason::Eos: return "eos";
        case StopReason::StopString: return "stop_string";
        case StopReason::MaxTokens: return "max_tokens";
        case StopReason::Cancelled: return "cancelled";
        case StopReason::ContextFull: return "context_full";
        case StopReason::CallbackStopped: return "callback_stopped";
    }
    return "?";
}

double GenerationResult::decode_tokens_per_second() const {
    // The first token comes from the prefill; later tokens each cost one decode step.
    return decode_seconds > 0 ? decode_steps / decode_seconds : 0;
}

double GenerationResult::prefill_tokens_per_second() const {
    return prefill_seconds > 0 ? prefilled_tokens / prefill_seconds : 0;
}

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// Holds back text that might be the start of a stop string; finds complete stop strings.
class StopStringFilter {
public:
    explicit StopStringFilter(const std::vector<std::string>& stops) : m_stops(stops) {}

    // Appends `piece`; returns the text now safe to emit. Sets *stopped when a stop string appeared
    // (the returned text then ends right before it).
    std::string push(const std::string& piece, bool* stopped) {
        m_text += piece;
        *stopped = false;
        size_t cut = std::string::npos;
        for (const auto& s : m_stops) {
            if (s.empty()) continue;
            size_t from = m_emitted >= s.size() ? m_emitted - s.size() + 1 : 0;
            size_t at = m_text.find(s, from);
            if (at != std::string::npos) cut = std::min(cut, at);
        }
        if (cut != std::string::npos) {
            *stopped = true;
            return take(std::max(cut, m_emitted));
        }
        size_t safe = m_text.size();
        for (const auto& s : m_stops)
            for (size_t n = std::min(s.size() - 1, m_text.size() - m_emitted); n > 0; --n)
                if (m_text.compare(m_text.size() - n, n, s, 0, n) == 0) {
                    safe = std::min(safe, m_text.size() - n);
                    break;
                }
        return take(safe);
    }
    std::string flush() { return take(m_text.size()); }
    std::string emitted() const { return m_text.substr(0, m_emitted); }

private:
    std::string take(size_t upto) {
        std::string out = m_text.substr(m_emitted, upto - m_emitted);
        m_emitted = upto;
        return out;
    }
    const std::vector<std::string>& m_stops;
    std::string m_text;
    size_t m_emitted = 0;
};

}  // namespace

Generator::Generator(LlamaModel& model, const Tokenizer& tokenizer) : m_model(model), m_tok(tokenizer) {
    // Start from a known gated input (none): another generator may have left one in the model.
    m_model.set_gated_input({}, {});
}

void Generator::reset() {
    m_cached.clear();
    m_model.reset();
}

GenerationResult Generator::generate(const std::vector<int>& prompt, const GenerationOptions& options,
                                     const TextCallback& on_text, const std::atomic<bool>* cancel) {
    return generate_chunks(Prompt{PromptChunk::text(prompt)}, options, on_text, cancel);
}

namespace {

// A negative cache key for position `j` of the media whose content key is `key`.
int64_t media_position_key(const std::string& key, int64_t j) {
    uint64_t h = 1469598103934665603ULL;  // FNV-1a
    for (unsigned char c : key) h = (h ^ c) * 1099511628211ULL;
    h = (h ^ static_cast<uint64_t>(j)) * 1099511628211ULL;
    return -1 - static_cast<int64_t>(h >> 2);
}

}  // namespace

std::vector<float> Generator::prefill(const Prompt& prompt, GenerationResult& result,
                                      std::vector<int>& history, const std::atomic<bool>* cancel) {
    auto cancelled = [&] { return cancel && cancel->load(std::memory_order_relaxed); };

    // Flatten: a key per position; text ids for the sampler's history; the gated input.
    std::vector<int64_t> keys;
    history.clear();
    std::string gated_key;
    std::vector<float> gated_sum, gates;
    for (const auto& chunk : prompt) {
        if (!chunk.media) {
            keys.insert(keys.end(), chunk.tokens.begin(), chunk.tokens.end());
            history.insert(history.end(), chunk.tokens.begin(), chunk.tokens.end());
            continue;
        }
        const MediaEmbedding& m = *chunk.media;
        if (m.gated) {
            if (gated_sum.empty()) {
                gated_sum.assign(m.data.size(), 0.f);
                gates = m.gates;
            }
            if (m.data.size() != gated_sum.size())
                throw Error(ErrorCode::ShapeMismatch, m.source, "gated media of different widths");
            for (size_t i = 0; i < m.data.size(); ++i) gated_sum[i] += m.data[i];
            gated_key += m.key + ";";
            continue;
        }
        if (static_cast<int64_t>(m.data.size()) != m.tokens * m.dim)
            throw Error(ErrorCode::ShapeMismatch, m.source, "media embedding data does not match its shape");
        if (m.dim != m_model.config().hidden_size)
            throw Error(ErrorCode::ShapeMismatch, m.source,
                        "media embeddings of width " + std::to_string(m.dim) + " for a model of width " +
                            std::to_string(m_model.config().hidden_size));
        for (int64_t j = 0; j < m.tokens; ++j) keys.push_back(media_position_key(m.key, j));
        result.media_tokens += static_cast<int>(m.tokens);
    }
    if (keys.empty()) throw Error(ErrorCode::InvalidArgument, "prompt", "the prompt has no tokens");
    result.prompt_tokens = static_cast<int>(keys.size());
    if (gated_key != m_gated_key) {
        m_model.set_gated_input(gated_sum, gates);  // resets the model's cache
        m_gated_key = gated_key;
        m_cached.clear();
    }

    // Reuse the cached prefix; at least the last prompt position is run to get fresh logits.
    size_t common = 0;
    if (m_model.position() != static_cast<int64_t>(m_cached.size())) {
        m_cached.clear();  // someone else used the model: trust nothing cached
    } else {
        while (common < m_cached.size() && common + 1 < keys.size() && m_cached[common] == keys[common])
            ++common;
    }
    m_model.truncate(static_cast<int64_t>(common));
    m_cached.resize(common);
    if (static_cast<int64_t>(keys.size()) > m_model.context_length()) {
        result.stop_reason = StopReason::ContextFull;
        return {};
    }
    if (cancelled()) {
        result.stop_reason = StopReason::Cancelled;
        return {};
    }

    result.prefilled_tokens = static_cast<int>(keys.size() - common);
    const auto tp = Clock::now();
    // Prefill in pieces of at most kPrefillChunk positions: bounded attention memory for long
    // prompts, and cancellation between pieces.
    constexpr int64_t kPrefillChunk = 512;
    std::vector<float> logits;
    int64_t pos = 0;  // position of the chunk's first element
    for (const auto& chunk : prompt) {
        const int64_t n = chunk.positions();
        for (int64_t begin = std::max<int64_t>(0, static_cast<int64_t>(common) - pos); begin < n;
             begin += kPrefillChunk) {
            if (static_cast<int64_t>(m_cached.size()) > static_cast<int64_t>(common) && cancelled()) {
                result.prefill_seconds = seconds_since(tp);
                result.stop_reason = StopReason::Cancelled;
                return {};
            }
            const int64_t count = std::min(kPrefillChunk, n - begin);
            if (chunk.media)
                logits =
                    m_model.decode_embeddings(chunk.media->data.data() + begin * chunk.media->dim, count);
            else
                logits = m_model.decode(
                    std::vector<int>(chunk.tokens.begin() + begin, chunk.tokens.begin() + begin + count));
            m_cached.insert(m_cached.end(), keys.begin() + pos + begin, keys.begin() + pos + begin + count);
        }
        pos += n;
    }
    result.prefill_seconds = seconds_since(tp);
    return logits;
}

GenerationResult Generator::generate_chunks(const Prompt& prompt, const GenerationOptions& options,
                                            const TextCallback& on_text, const std::atomic<bool>* cancel) {
    const auto t0 = Clock::now();
    GenerationResult result;
    auto cancelled = [&] { return cancel && cancel->load(std::memory_order_relaxed); };
    std::vector<int> history;
    std::vector<float> logits = prefill(prompt, result, history, cancel);
    if (logits.empty()) return result;  // context full or cancelled: stop_reason says which

    Sampler sampler(options.sampling);
    StreamingDetokenizer detok(m_tok, /*strip_leading_space=*/false);
    StopStringFilter stops(options.stop_strings);
    const auto td = Clock::now();
    auto is_stop_token = [&](int id) {
        if (id == m_tok.eos_id()) return true;
        const auto& extra = m_tok.stop_ids();
        return std::find(extra.begin(), extra.end(), id) != extra.end();
    };
    auto emit = [&](const std::string& text) {
        if (text.empty()) return true;
        if (result.first_token_seconds == 0) result.first_token_seconds = seconds_since(t0);
        result.text += text;
        return on_text ? on_text(text) : true;
    };

    result.stop_reason = StopReason::MaxTokens;
    for (int step = 0; step < options.max_new_tokens; ++step) {
        if (step > 0) {
            if (cancelled()) {
                result.stop_reason = StopReason::Cancelled;
                break;
            }
            if (m_model.position() >= m_model.context_length()) {
                result.stop_reason = StopReason::ContextFull;
                break;
            }
            logits = m_model.decode({result.tokens.back()});
            ++result.decode_steps;
            m_cached.push_back(result.tokens.back());
        }
        // Output rows past the tokenizer's vocabulary (LLaVA pads its 32064-row head over a
        // 32002-token tokenizer) can never be sampled: they have no text.
        if (static_cast<int>(logits.size()) > m_tok.vocab_size())
            std::fill(logits.begin() + m_tok.vocab_size(), logits.end(),
                      -std::numeric_limits<float>::infinity());
        int next = sampler.sample(logits, history);
        if (options.stop_at_eos && is_stop_token(next)) {
            result.stop_reason = StopReason::Eos;
            break;
        }
        result.tokens.push_back(next);
        history.push_back(next);
        bool hit = false;
        std::string text = stops.push(detok.push(next), &hit);
        if (!emit(text)) {
            result.stop_reason = StopReason::CallbackStopped;
            break;
        }
        if (hit) {
            result.stop_reason = StopReason::StopString;
            break;
        }
    }
    // Text held back (a partial character, or a possible stop-string start) — unless the caller
    // asked to stop or a stop string already ended the reply.
    if (result.stop_reason != StopReason::StopString && result.stop_reason != StopReason::CallbackStopped) {
        bool hit = false;
        std::string tail = stops.push(detok.flush(), &hit);
        if (hit)
            result.stop_reason = StopReason::StopString;
        else
            tail += stops.flush();
        emit(tail);
    }
    result.decode_seconds = seconds_since(td);
    return result;
}

std::vector<double> Generator::score(const Prompt& prompt, const std::vector<int>& continuation,
                                     const std::atomic<bool>* cancel) {
    GenerationResult result;
    std::vector<int> history;
    std::vector<float> logits = prefill(prompt, result, history, cancel);
    if (logits.empty())
        throw Error(
            result.stop_reason == StopReason::Cancelled ? ErrorCode::Cancelled : ErrorCode::InvalidArgument,
            "score",
            result.stop_reason == StopReason::Cancelled ? "scoring cancelled"
                                                        : "the prompt does not fit the context");
    std::vector<double> out;
    for (size_t i = 0; i < continuation.size(); ++i) {
        const int id = continuation[i];
        if (id < 0 || id >= static_cast<int>(logits.size()))
            throw Error(ErrorCode::InvalidArgument, "score",
                        "token id " + std::to_string(id) + " is outside the vocabulary");
        // log softmax in double
        double mx = -std::numeric_limits<double>::infinity();
        for (float v : logits) mx = std::max(mx, double(v));
        double sum = 0;
        for (float v : logits) sum += std::exp(double(v) - mx);
        out.push_back(double(logits[id]) - mx - std::log(sum));
        if (i + 1 == continuation.size()) break;
        if (cancel && cancel->load()) throw Error(ErrorCode::Cancelled, "score", "scoring cancelled");
        if (m_model.position() >= m_model.context_length())
            throw Error(ErrorCode::InvalidArgument, "score", "the reference does not fit the context");
        logits = m_model.decode({id});
        m_cached.push_back(id);
    }
    return out;
}

}  // namespace atelier
