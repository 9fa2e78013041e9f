// Text generation over a LlamaModel: prefill, sampling, streaming, stop conditions, cancellation.
//
// A Generator remembers which tokens sit in the model's KV cache, so the next prompt that starts
// with them (the next chat turn) only prefills what is new.
//
//   atelier::Generator gen(*model, *tokenizer);
//   atelier::GenerationOptions opt;  opt.sampling.temperature = 0;  opt.max_new_tokens = 64;
//   std::atomic<bool> cancel{false};
//   auto result = gen.generate(tokenizer->encode("Once upon a time", true), opt,
//                              [](const std::string& piece) { std::cout << piece; return true; }, &cancel);
#pragma once

#include "generate/prompt.h"
#include "generate/sampler.h"

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace atelier {

class LlamaModel;
class Tokenizer;

struct GenerationOptions {
    SamplingParams sampling;
    int max_new_tokens = 256;
    std::vector<std::string> stop_strings;  // generation ends before the first occurrence
    bool stop_at_eos = true;                // eos and the tokenizer's stop ids end generation
};

enum class StopReason { Eos, StopString, MaxTokens, Cancelled, ContextFull, CallbackStopped };
const char* stop_reason_name(StopReason r);

struct GenerationResult {
    std::vector<int> tokens;  // generated ids (without the final eos)
    std::string text;         // what was streamed, stop string excluded
    StopReason stop_reason = StopReason::MaxTokens;
    int prompt_tokens = 0;           // positions in the prompt (text tokens + media tokens)
    int prefilled_tokens = 0;        // of those, how many were not already cached
    int media_tokens = 0;            // positions taken by media embeddings
    double prefill_seconds = 0;      // prompt forward
    double first_token_seconds = 0;  // call start -> first token text
    double decode_seconds = 0;       // all later steps
    int decode_steps = 0;            // single-token forwards after the prefill
    double decode_tokens_per_second() const;
    double prefill_tokens_per_second() const;
};

// Receives text as it forms complete UTF-8 characters; return false to stop.
using TextCallback = std::function<bool(const std::string& piece)>;

class Generator {
public:
    Generator(LlamaModel& model, const Tokenizer& tokenizer);

    // `cancel` is polled before every model step, so cancellation takes effect within one token.
    GenerationResult generate(const std::vector<int>& prompt, const GenerationOptions& options,
                              const TextCallback& on_text = {}, const std::atomic<bool>* cancel = nullptr);
    // A prompt of text and media chunks (media embeddings are fed to the model in place). Gated
    // media chunks (bind network) are summed and injected into every layer for the whole sequence.
    GenerationResult generate_chunks(const Prompt& prompt, const GenerationOptions& options,
                                     const TextCallback& on_text = {},
                                     const std::atomic<bool>* cancel = nullptr);

    // Log-probabilities (natural log) of `continuation` after `prompt`, by teacher forcing: one
    // per token. For perplexity of references (evaluation). Throws InvalidArgument when it does not
    // fit the context, Cancelled when cancelled.
    std::vector<double> score(const Prompt& prompt, const std::vector<int>& continuation,
                              const std::atomic<bool>* cancel = nullptr);

    void reset();  // forget the cache

private:
    // Feeds the prompt past the cached prefix; returns the logits of its last position, or empty
    // with result.stop_reason set (ContextFull, Cancelled). Fills the prompt statistics of `result`
    // and the text ids of the prompt into `history`.
    std::vector<float> prefill(const Prompt& prompt, GenerationResult& result, std::vector<int>& history,
                               const std::atomic<bool>* cancel);

    LlamaModel& m_model;
    const Tokenizer& m_tok;
    // One key per cached position: a text token's id (>= 0), or a negative key derived from the
    // media's content key and the position inside it.
    std::vector<int64_t> m_cached;
    std::string m_gated_key;  // the gated input the cache was computed with
};

}  // namespace atelier
