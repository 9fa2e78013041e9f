// What an adapter is: the method and its hyper-parameters, as saved in adapter_config.json.
// Torch-free, so the UI can show presets and trainable-parameter counts before anything trains.
//
// Methods (none modifies the base model's weights):
//   lora              low-rank update of frozen projections: y = W x + (alpha / r) * B A dropout(x)
//   llama-adapter     LLaMA-Adapter V1: adapter_len learnable prompt tokens per top-`adapter_layer`
//                     layer, attended through the layer's own k/v projections, zero-init tanh gate
//                     per head
//   llama-adapter-v2  V1 plus a bias and a scale on every linear projection (y = s * (W x + b),
//                     b = 0, s = 1 at init) and trainable RMSNorm weights
//
//   auto cfg = atelier::AdapterConfig::preset("llama-adapter", model_config);   // the published recipe
//   cfg.trainable_parameters(model_config);   // 1'229'760 for LLaMA-7B (10 tokens x 30 layers)
#pragma once

#include "model/config.h"

#include <cstdint>
#include <string>
#include <vector>

namespace atelier {

struct AdapterConfig {
    std::string method = "lora";  // lora | llama-adapter | llama-adapter-v2

    // LoRA (PEFT names: r, lora_alpha, lora_dropout, target_modules)
    int64_t lora_rank = 16;
    double lora_alpha = 32;
    double lora_dropout = 0.1;
    std::vector<std::string> target_modules = {"q_proj",    "k_proj",  "v_proj",   "o_proj",
                                               "gate_proj", "up_proj", "down_proj"};

    // LLaMA-Adapter
    int64_t adapter_len = 10;    // prompt tokens per adapted layer
    int64_t adapter_layer = 30;  // how many of the top layers are adapted (clamped to the depth)

    std::string base_model;  // the model it was trained on (informational)

    // The published recipe for `method`, with adapter_layer scaled to the model's depth (V1 adapts
    // the top 30 of LLaMA-7B's 32 layers). Throws ErrorCode::InvalidArgument for an unknown method.
    static AdapterConfig preset(const std::string& method, const ModelConfig& model);
    static std::vector<std::string> methods();
    // Limits validate() enforces (far above any published recipe): a hostile adapter_config.json
    // cannot size allocations, or overflow parameter counts, with them.
    static constexpr int64_t kMaxRank = 65536;
    static constexpr int64_t kMaxPrefixLength = 65536;  // adapter_len and adapter_layer

    bool is_lora() const { return method == "lora"; }
    bool has_prefix() const { return method == "llama-adapter" || method == "llama-adapter-v2"; }
    bool has_bias_scale() const { return method == "llama-adapter-v2"; }
    bool mergeable() const { return !has_prefix(); }         // prefixes are attention branches, not weights
    int64_t adapted_layers(const ModelConfig& model) const;  // adapter_layer clamped to the depth

    // Checks values (rank >= 1, 0 <= dropout < 1, known targets, ...); throws ErrorCode::BadConfig
    // naming `where`.
    void validate(const std::string& where) const;
    int64_t trainable_parameters(const ModelConfig& model) const;

    // Atelier's adapter_config.json (prefix methods); LoRA adapters are saved in PEFT's layout.
    std::string to_json() const;
    std::string to_peft_json() const;
    // Reads either spelling (PEFT LoRA or Atelier's); throws ErrorCode::BadJson / BadConfig.
    static AdapterConfig from_json(const std::string& text, const std::string& where);
};

// The folder holding adapter_config.json for `path`: the path itself, or a training run's folder
// (what `train --out` names), whose finished adapter is in adapter/. Throws FileNotFound naming
// what is missing (an unfinished run names its newest checkpoint).
std::string adapter_folder(const std::string& path);

}  // namespace atelier
