// Scoring a model's answer against a reference reply: the measures `atelier-cli eval` reports.
// Pure functions on text (no model), so each is tested on hand-made rows.
//
//   first-word  the first word of each, case and punctuation ignored (short-answer tasks)
//   exact       whole answer equal after lower-casing, collapsing whitespace, dropping end punctuation
//   contains    the normalised reference appears in the normalised answer
//   api-call    Gorilla's measure: the first call `name(args)` in each has the same function name,
//               the same positional arguments in order and the same keyword arguments in any order,
//               whitespace outside quotes and the quote style ignored
//   bleu        BLEU-4 (corpus: clipped n-gram counts summed over items, brevity penalty; per item:
//               sentence BLEU with add-one smoothing of n > 1), on lower-cased word/punctuation tokens
//   rouge-l     ROUGE-L F1 of the longest common token subsequence
//
//   double s = atelier::score_answer("first-word", "Red, I think.", "red");   // 1
#pragma once

#include <string>
#include <vector>

namespace atelier {

// Metrics scored 1/0 per item, reported as accuracy.
bool is_accuracy_metric(const std::string& metric);
const std::vector<std::string>&
eval_metric_names();  // first-word exact contains api-call bleu rouge-l perplexity

// Score of one answer in [0, 1] (perplexity is not an answer score: throws InvalidArgument).
double score_answer(const std::string& metric, const std::string& answer, const std::string& reference);

// Lower-cased word and punctuation tokens ("Hello, world!" -> hello , world !).
std::vector<std::string> eval_tokens(const std::string& text);

// Corpus BLEU-4 over (answer, reference) pairs.
double corpus_bleu(const std::vector<std::string>& answers, const std::vector<std::string>& references);
double sentence_bleu(const std::string& answer, const std::string& reference);
double rouge_l(const std::string& answer, const std::string& reference);

struct ApiCall {
    std::string name;
    std::vector<std::string> positional;
    std::vector<std::pair<std::string, std::string>> keyword;  // sorted by name
    bool found = false;
};
// The first `name(args)` call in `text` (a dotted name followed by balanced parentheses).
ApiCall parse_api_call(const std::string& text);

}  // namespace atelier
