// From conversations to training tensors' contents: the chat template applied, labels masked so
// only assistant tokens train, truncation, optional packing, and the statistics the Train page shows.
//
//   auto tpl = atelier::template_for_model(model->tokenizer_config_path());   // Alpaca when none
//   atelier::TokenizedExample t = atelier::tokenize_example(example, tpl, *tokenizer, 512);
//   // t.ids: the prompt as the model sees it; t.labels: -100 on system/user tokens
#pragma once

#include "dataset.h"

#include <cstdint>
#include <vector>

namespace atelier {

class Tokenizer;

constexpr int kIgnoreLabel = -100;  // cross-entropy skips these positions

struct TokenizedExample {
    std::vector<int> ids;
    std::vector<int> labels;  // the id to predict at this position (ids shifted by one), or kIgnoreLabel
    int64_t line = 0;
    bool truncated = false;
    int trained_tokens() const;  // labels that are not ignored
};

// Renders the conversation with `tpl` (no generation prompt), tokenizes it and masks everything
// but the assistant replies (and their end-of-turn token). Media markers (<image>, <audio>,
// <video>) are removed from the text for a text-only model. Truncated to `max_length` tokens.
TokenizedExample tokenize_example(const Example& e, const ChatTemplate& tpl, const Tokenizer& tok,
                                  int64_t max_length);

// Concatenates examples into sequences of up to `max_length` tokens (an example is never split;
// one longer than max_length stays alone, truncated). Fewer, fuller sequences: less padding.
std::vector<TokenizedExample> pack_examples(const std::vector<TokenizedExample>& examples,
                                            int64_t max_length);

// What the Train page previews: the first examples as rendered text split into masked (prompt) and
// trained (response) spans, and token-length statistics over the whole dataset.
struct PreviewSpan {
    std::string text;
    bool trained = false;
};
struct DatasetPreview {
    std::vector<std::vector<PreviewSpan>> examples;
    int64_t count = 0;
    int64_t min_tokens = 0, max_tokens = 0, truncated = 0;
    double mean_tokens = 0, median_tokens = 0;
    int64_t trained_tokens = 0, total_tokens = 0;
    std::vector<int64_t> histogram;  // counts of lengths in `bins` equal-width bins over [0, max_length]
};
DatasetPreview preview_dataset(const Dataset& ds, const ChatTemplate& tpl, const Tokenizer& tok,
                               int64_t max_length, int64_t examples = 5, int bins = 20);

}  // namespace atelier
