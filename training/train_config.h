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

// Multimodal training (training/multimodal_recipe.h); off while `stage` is empty.
//   projector          stage 1 (LLaVA / AnyMAL / Video-LLaMA alignment): projectors only
//   projector+adapter  stage 2: projectors and the LLM adapter (LoRA or LLaMA-Adapter)
//   bind               ImageBind-LLM: a bind network added to every layer through zero-init gates
// `train_encoders` unfreezes the encoders too (small encoders trained from scratch).
struct MultimodalTrainConfig {
    std::string stage;
    std::string image_encoder, audio_encoder;    // encoder folders; a bundle `model` brings its own
    int64_t feature_layer = -2;                  // CLIP hidden state read (LLaVA: the penultimate)
    std::string feature_select = "default";      // default (no class token) | full | cls
    std::string image_projector = "mlp2x_gelu";  // linear | mlp2x_gelu | spectrum | perceiver (bind: bind)
    std::string audio_projector = "audio_stack";
    std::string video_temporal = "qformer";  // qformer | dct | perceiver | "" (frames as image tokens)
    int64_t video_frames = 8;
    bool video_audio = true;        // a video's audio track goes through the audio branch
    int64_t projector_tokens = 32;  // perceiver latents / Q-Former queries
    int64_t projector_depth = 2;    // perceiver / Q-Former / bind blocks
    int64_t audio_stack = 4;        // encoder positions per audio token
    bool train_encoders = false;
    double projector_lr = 0;    // 0 = lr
    double encoder_lr = 0;      // 0 = lr
    std::string feature_cache;  // "" = $XDG_CACHE_HOME/Atelier/features; "off" = none

    bool enabled() const { return !stage.empty(); }
    bool trains_adapter() const { return stage == "projector+adapter"; }
};

struct TrainConfig {
    std::string model;            // model folder or file
    std::string data;             // dataset file
    std::string format = "auto";  // alpaca | sharegpt | openai | llava | auto
    std::string out;              // run folder: checkpoints/ and adapter/
    std::string template_name;    // "" = the model's own (Alpaca when it has none, as LLaMA-Adapter)
    AdapterConfig adapter;        // stage 2 of multimodal training uses it too
    MultimodalTrainConfig multimodal;

    int64_t epochs = 3;
    int64_t max_steps = 0;  // > 0: stop after this many optimiser steps (tests, benchmarks)
    double lr = 1e-4;
    double weight_decay = 0.0;  // AdamW; never on norms, gates, biases, scales
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
    double warmup_ratio = 0.03;  // of all steps; linear warmup, then cosine decay to 0
    int64_t batch_size = 4;      // of the whole run: with N processes each takes its share of every batch
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
    int threads = 0;             // per process; 0 = this machine's cores shared among its processes
    int processes = 1;           // data-parallel training processes on this machine (training/distributed.h)
    bool skip_bad_rows = true;

    // LoRA: r 16, alpha 32, dropout 0.1, all linear projections, lr 1e-4, cosine with 3% warmup.
    // LLaMA-Adapter V1/V2: 10 tokens in the top 30/32 of the layers, lr 9e-3, weight decay 0.02,
    // 5 epochs with 2 of warmup.
    static TrainConfig preset(const std::string& method, const ModelConfig& model);
    // The seeds' multimodal recipes: stage "projector" lr 1e-3, 1 epoch, no weight decay (LLaVA
    // stage 1); "projector+adapter" the adapter method's recipe with projectors at lr 2e-5 for
    // LoRA (LLaVA-1.5 LoRA); "bind" lr 9e-3 with weight decay 0.02 (ImageBind-LLM via LLaMA-Adapter).
    static TrainConfig multimodal_preset(const std::string& stage, const std::string& method,
                                         const ModelConfig& model);
    void validate() const;  // throws ErrorCode::BadConfig naming the field
    // What the run store records as the run's method: the adapter method ("lora"), or for
    // multimodal runs "multimodal:<stage>" (stage 2 adds ":<adapter method>").
    std::string method_label() const;
    std::string to_json() const;
    static TrainConfig from_json(const std::string& text, const std::string& where);
};

}  // namespace atelier
