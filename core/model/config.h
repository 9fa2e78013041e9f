// The LLaMA-family architecture description, read from a Hugging Face `config.json`.
//
// One struct covers Llama 1/2/3, Mistral and Qwen2: they differ only in fields (GQA head counts,
// q/k/v bias, RoPE base and Llama-3 frequency scaling, tied embeddings). Field comments give the
// config.json key each comes from.
//
//   atelier::ModelConfig cfg = atelier::ModelConfig::load("model_dir");   // throws atelier::Error
//   cfg.num_parameters();  // 260'544 for stories260K
#pragma once

#include <cstdint>
#include <string>

namespace atelier {

struct RopeScaling {
    std::string type;               // rope_scaling.rope_type / .type: "" | "llama3" | "linear"
    double factor = 1.0;            // rope_scaling.factor
    double low_freq_factor = 1.0;   // rope_scaling.low_freq_factor (llama3)
    double high_freq_factor = 4.0;  // rope_scaling.high_freq_factor (llama3)
    int64_t original_max_position_embeddings = 8192;  // rope_scaling.original_max_position_embeddings
};

struct ModelConfig {
    std::string architecture = "LlamaForCausalLM";  // architectures[0]
    std::string model_type = "llama";               // model_type: llama | mistral | qwen2
    int64_t hidden_size = 0;                        // hidden_size (Meta params.json: dim)
    int64_t intermediate_size = 0;                  // intermediate_size (SwiGLU hidden)
    int64_t num_hidden_layers = 0;                  // num_hidden_layers
    int64_t num_attention_heads = 0;                // num_attention_heads
    int64_t num_key_value_heads = 0;                // num_key_value_heads (GQA; = heads when absent)
    int64_t head_dim = 0;                           // head_dim (= hidden_size / heads when absent)
    int64_t vocab_size = 0;                         // vocab_size
    int64_t max_position_embeddings = 2048;         // max_position_embeddings
    double rms_norm_eps = 1e-6;                     // rms_norm_eps
    double rope_theta = 10000.0;                    // rope_theta
    RopeScaling rope_scaling;                       // rope_scaling (null = none)
    bool tie_word_embeddings = false;               // tie_word_embeddings
    bool attention_bias = false;                    // attention_bias (Qwen2: q/k/v have bias; Llama: o too)
    bool mlp_bias = false;                          // mlp_bias (Llama: gate/up/down have bias)
    int64_t sliding_window = 0;                     // sliding_window (Mistral; 0 = none)
    int64_t bos_token_id = -1;                      // bos_token_id
    int64_t eos_token_id = -1;                      // eos_token_id (first, when a list)
    std::string torch_dtype = "float32";            // torch_dtype

    // Parses config.json text; `where` names the file in errors. Unsupported architectures and
    // missing/invalid fields throw ErrorCode::UnsupportedArchitecture / BadConfig.
    static ModelConfig from_json(const std::string& json_text, const std::string& where);
    static ModelConfig load(const std::string& dir);  // dir/config.json
    std::string to_json() const;                      // HF config.json text

    int64_t kv_dim() const { return num_key_value_heads * head_dim; }
    // HF Llama gives o_proj a bias with attention_bias; Qwen2 and Mistral never do.
    bool o_proj_bias() const { return attention_bias && model_type == "llama"; }
    int64_t num_parameters() const;  // every weight, counting tied embeddings once
    // BadConfig for non-positive sizes, inconsistent heads, and sizes past the limits below.
    void validate(const std::string& where) const;

    // What Atelier refuses (README, "Limits"): each many times the largest model published.
    static constexpr int64_t kMaxHiddenSize = 65536;  // intermediate_size: 4x this
    static constexpr int64_t kMaxLayers = 1024;
    static constexpr int64_t kMaxHeads = 1024;
    static constexpr int64_t kMaxHeadDim = 1024;
    static constexpr int64_t kMaxVocab = int64_t{1} << 21;  // as tokenizer ids
    static constexpr int64_t kMaxPositions = int64_t{1} << 24;
};

// What a config.json's text describes beyond a plain LLM: "llava" (LlavaForConditionalGeneration),
// "clip" (CLIPVisionModel / CLIPModel), "whisper" (Whisper*), or "" (anything else, invalid JSON
// included: the LLM loader reports it). One rule for every loader.
std::string config_model_family(const std::string& json_text);

}  // namespace atelier
