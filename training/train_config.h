// Everything a fine-tuning run is: model, data, adapter and optimisation settings. A plain struct
// that serialises to JSON (the run store keeps it; atelier-train reads it), with the published
// recipes as presets.
//
//   auto cfg = atelier::TrainConfig::preset("lora", model_config);   // r 16, alpha 32, lr 1e-4, cosine, 3%
//   warmup cfg.model = "models/stories260K"; cfg.data = "data.json"; cfg.out = "runs/1"; std::string json =
//   cfg.to_json();
#pragma once

#include "adapters/adapter_config.h"

#include <cstdint>
#include <string>

namespace atelier {

struct TrainConfig {
    std::string model;            // model folder or file
    std::string data;             // dataset file
    std::string format = "auto";  // alpaca | sharegpt | openai | llava | auto
    std::string out;              // run folder: checkpoints/ and adapter/
    std::string template_name;    // "" = the model's own (Alpaca when it has none, as LLaMA-Adapter)
    AdapterConfig adapter;

    int64_t epochs = 3;
    int64_t max_steps = 0;  // > 0: stop after this many optimiser steps (tests, benchmarks)
    double lr = 1e-4;
    double weight_decay = 0.0;  // AdamW; never on norms, gates, biases, scales
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
    double warmup_ratio = 0.03;  // of all steps; linear warmup, then cosine decay to 0
    int64_t batch_size = 4;
    int64_t grad_accum = 1;
    double max_grad_norm = 1.0;  // 0 = no clipping
    int64_t max_length = 512;    // tokens per example
    bool packing = false;
    bool gradient_checkpointing = false;  // recompute layers in backward: less memory, ~1/3 more time
    double eval_fraction = 0.0;           // held-out share of the examples (at least one when > 0)
    int64_t eval_every = 0;               // optimiser steps between evaluations; 0 = at each epoch end
    int64_t save_every = 0;               // optimiser steps between checkpoints; 0 = at each epoch end
    int64_t keep_checkpoints = 2;
    uint64_t seed = 42;
    std::string device = "cpu";
    std::string dtype = "auto";  // weights; compute in bf16 only where the device does it fast
    int threads = 0;
    bool skip_bad_rows = true;

    // LoRA: r 16, alpha 32, dropout 0.1, all linear projections, lr 1e-4, cosine with 3% warmup.
    // LLaMA-Adapter V1/V2: 10 tokens in the top 30/32 of the layers, lr 9e-3, weight decay 0.02,
    // 5 epochs with 2 of warmup.
    static TrainConfig preset(const std::string& method, const ModelConfig& model);
    void validate() const;  // throws ErrorCode::BadConfig naming the field
    std::string to_json() const;
    static TrainConfig from_json(const std::string& text, const std::string& where);
};

}  // namespace atelier
