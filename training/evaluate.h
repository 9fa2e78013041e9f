// Evaluation: a model's greedy answers to a dataset's questions against its reference replies.
//
// Each example's last assistant message is the reference; everything before it (system prompt,
// earlier turns, the media of the example) is the question, rendered with the chat template
// training used (the model's own, Alpaca when it has none) through the core ChatSession. Scores
// per item (eval_metrics.h), overall and per group (the example's "category" field, else the
// question text), failures listed; with bleu / rouge-l / perplexity also the perplexity of the
// references under the model (teacher forcing).
//
//   atelier::EvalOptions o;  o.model = "bundle";  o.data = "test.json";  o.metric = "first-word";
//   atelier::EvalReport r = atelier::evaluate(o);   // throws atelier::Error
//   std::printf("%.1f%%\n", 100 * r.score);
#pragma once

#include "model/llama.h"

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace atelier {

struct EvalOptions {
    std::string model;
    std::string adapter;  // optional adapter folder
    std::string data;     // dataset file (any format datasets read)
    std::string metric = "first-word";
    std::string template_name;  // "" = the model's own (Alpaca when it has none), "none" = raw
    int max_new_tokens = 64;
    int64_t limit = 0;  // evaluate the first `limit` examples (0 = all)
    int video_frames = 0;
    LoadOptions load;
    std::function<bool(int64_t done, int64_t total)> progress;  // return false to cancel
    const std::atomic<bool>* cancel = nullptr;
};

struct EvalItem {
    int64_t line = 0;
    std::string group;
    std::string question;
    std::string reference;
    std::string answer;
    double score = 0;  // metric score in [0, 1]; perplexity metric: the reference's perplexity
    int reference_tokens = 0;
    double reference_nll = 0;  // summed natural-log loss of the reference (perplexity metrics)
};

struct EvalGroup {
    std::string name;
    int64_t count = 0;
    double score = 0;  // mean item score (accuracy for 1/0 metrics); perplexity for "perplexity"
};

struct EvalReport {
    std::string metric;
    int64_t count = 0;
    double score = 0;       // accuracy, corpus BLEU, mean ROUGE-L, or perplexity
    double perplexity = 0;  // of the references (bleu / rouge-l / perplexity), else 0
    std::vector<EvalGroup> groups;
    std::vector<EvalItem> items;
    std::vector<size_t> failures;  // indices into items scoring below 1 (accuracy metrics)
    int64_t skipped_rows = 0;      // bad dataset rows
    double seconds = 0;
};

EvalReport evaluate(const EvalOptions& options);

}  // namespace atelier
