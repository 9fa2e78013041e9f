// The fine-tuning recipe for every adapter method (LoRA, LLaMA-Adapter V1/V2), with the loop
// written out: setup, train, save_checkpoint, resume.
//
// Deterministic: the adapter's initial values, each epoch's example order and dropout all follow
// the seed, and a checkpoint holds the adapter, the optimiser's moments, the learning-rate position
// and the random state, so resuming from it gives the same loss curve as an uninterrupted run.
// Checkpoints are written to a temporary folder and renamed into place.
//
//   atelier::TrainConfig cfg = atelier::TrainConfig::preset("lora", model_config);
//   cfg.model = ...; cfg.data = ...; cfg.out = ...;
//   atelier::FinetuneRecipe recipe(cfg, &sink);
//   recipe.setup(/*resume=*/true);         // continues from out/checkpoints/ when one is there
//   auto result = recipe.train(&stop_flag); // stop_flag set: checkpoint, then return Stopped
#pragma once

#include "dataset.h"
#include "metrics.h"
#include "train_config.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace atelier {

class ProcessGroup;

struct TrainProgress {
    int64_t step = 0, total_steps = 0, epoch = 0;
    double loss = 0, lr = 0, grad_norm = 0, tokens_per_second = 0;
    double elapsed_seconds = 0;
};

enum class TrainStatus { Finished, Stopped };

struct TrainResult {
    TrainStatus status = TrainStatus::Finished;
    int64_t steps = 0;
    double last_loss = 0;
    double last_eval_loss = -1;                  // -1: no eval split
    std::string adapter_dir;                     // out/adapter when finished
    std::string checkpoint_dir;                  // the newest checkpoint
    std::string bundle_dir;                      // multimodal: out/bundle when finished
    int64_t cache_hits = -1, cache_misses = -1;  // multimodal feature cache (-1: none)
};

class FinetuneRecipe {
public:
    explicit FinetuneRecipe(TrainConfig config, MetricSink* sink = nullptr);
    ~FinetuneRecipe();

    // Data-parallel training (before setup): every rank runs the same recipe with the same config;
    // each takes its share of every batch, gradients and figures are summed over the group, and
    // rank 0 alone writes checkpoints, the adapter and the config (the sinks of other ranks should
    // be null). Null (the default): one process.
    void set_process_group(ProcessGroup* group);

    // Loads the model, tokenizer and dataset, tokenizes and splits it, creates the adapter and the
    // optimiser; with `resume`, continues from the newest checkpoint in out/checkpoints/ if any.
    // Throws atelier::Error (bad model, bad dataset, bad config).
    void setup(bool resume);
    // Runs to the end (or max_steps). When `stop` becomes true, saves a checkpoint at the end of the
    // current step and returns Stopped. `on_step` sees every optimiser step.
    TrainResult train(const std::atomic<bool>* stop = nullptr,
                      const std::function<void(const TrainProgress&)>& on_step = {});
    std::string save_checkpoint();  // returns its folder
    double evaluate();              // mean loss per trained token on the eval split (-1 without one)

    int64_t step() const;
    int64_t total_steps() const;
    int64_t trainable_parameters() const;
    int64_t train_examples() const;
    int64_t eval_examples() const;
    const Dataset& dataset() const;
    const TrainConfig& config() const;

    // The newest complete checkpoint under out_dir/checkpoints ("" when none).
    static std::string latest_checkpoint(const std::string& out_dir);

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

}  // namespace atelier
