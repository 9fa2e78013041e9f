// Multimodal fine-tuning: projectors (stage 1), projectors + an LLM adapter (stage 2), or an
// ImageBind-style bind network with gates, optionally with the encoders unfrozen, on LLaVA-format
// data with images, audio and video. Writes an Atelier bundle (multimodal/bundle.h) that
// `atelier-cli generate --model BUNDLE` and the studio load.
//
// Prompts are laid out exactly as generation lays them out (session/prompt_layout.h); media
// positions and the prompt carry no loss. Media are decoded and, with frozen encoders, encoded once:
// the feature cache (training/media_tower.h) serves later epochs and later runs. Deterministic and
// resumable as the text recipe: a checkpoint holds projectors, adapter, trained encoders, the
// optimiser, the position and the random state.
//
//   auto cfg = atelier::TrainConfig::multimodal_preset("projector", "lora", model_config);
//   cfg.model = "stories260K"; cfg.multimodal.image_encoder = "clip"; cfg.data = "train.json"; cfg.out =
//   "run"; atelier::MultimodalRecipe recipe(cfg, &sink); recipe.setup(/*resume=*/true); auto r =
//   recipe.train(&stop);      // r.bundle_dir = run/bundle when finished
#pragma once

#include "finetune_recipe.h"

#include <atomic>
#include <functional>
#include <map>
#include <memory>

namespace atelier {

class ProcessGroup;

class MultimodalRecipe {
public:
    explicit MultimodalRecipe(TrainConfig config, MetricSink* sink = nullptr);
    ~MultimodalRecipe();

    // Data-parallel training, as FinetuneRecipe::set_process_group (before setup).
    void set_process_group(ProcessGroup* group);

    // Throws atelier::Error: bad model/encoders/bundle, bad dataset, media of a kind no encoder reads
    // (with skip_bad_rows those rows are skipped and reported), bad config.
    void setup(bool resume);
    TrainResult train(const std::atomic<bool>* stop = nullptr,
                      const std::function<void(const TrainProgress&)>& on_step = {});
    std::string save_checkpoint();
    double evaluate();
    // Writes the bundle (manifest, projectors, adapter, trained encoders) into `dir`.
    void save_bundle(const std::string& dir);

    int64_t step() const;
    int64_t total_steps() const;
    int64_t trainable_parameters() const;
    int64_t train_examples() const;
    std::vector<std::string> modalities() const;  // of the training data
    int64_t cache_hits() const;
    int64_t cache_misses() const;
    const TrainConfig& config() const;
    // SHA-256 of each tensor's bytes in a group: "llm", "encoder", "projector", "adapter" (what
    // tests compare to show which weights a stage moves).
    std::map<std::string, std::string> parameter_digests(const std::string& group) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

}  // namespace atelier
