// Configurations of the media encoders, read from Hugging Face config.json files (torch-free).
//
// Field comments give the config.json key. A CLIP vision config is found at the top level of a
// CLIPVisionModel folder, under "vision_config" in CLIPModel and LLaVA folders; a Whisper config at
// the top level of WhisperModel / WhisperForConditionalGeneration folders.
//
//   auto cfg = atelier::ClipVisionConfig::from_json(json_text, "clip/config.json");
//   cfg.num_patches();  // 576 for ViT-L/14 at 336 px
#pragma once

#include <cstdint>
#include <string>

namespace atelier {

struct ClipVisionConfig {
    int64_t hidden_size = 768;              // hidden_size
    int64_t intermediate_size = 3072;       // intermediate_size
    int64_t num_hidden_layers = 12;         // num_hidden_layers
    int64_t num_attention_heads = 12;       // num_attention_heads
    int64_t num_channels = 3;               // num_channels
    int64_t image_size = 224;               // image_size
    int64_t patch_size = 32;                // patch_size
    std::string hidden_act = "quick_gelu";  // hidden_act: quick_gelu | gelu | gelu_new
    double layer_norm_eps = 1e-5;           // layer_norm_eps
    std::string torch_dtype = "float32";    // torch_dtype

    int64_t num_patches() const { return (image_size / patch_size) * (image_size / patch_size); }
    int64_t num_positions() const { return num_patches() + 1; }  // + class token

    // `j_text` is a whole config.json; the vision part is taken from "vision_config" when present.
    static ClipVisionConfig from_json(const std::string& j_text, const std::string& where);
    std::string to_json() const;
    void validate(const std::string& where) const;
};

struct WhisperEncoderConfig {
    int64_t d_model = 512;                     // d_model
    int64_t encoder_layers = 6;                // encoder_layers
    int64_t encoder_attention_heads = 8;       // encoder_attention_heads
    int64_t encoder_ffn_dim = 2048;            // encoder_ffn_dim
    int64_t num_mel_bins = 80;                 // num_mel_bins
    int64_t max_source_positions = 1500;       // max_source_positions (tokens per 30 s window)
    std::string activation_function = "gelu";  // activation_function
    std::string torch_dtype = "float32";       // torch_dtype

    static WhisperEncoderConfig from_json(const std::string& j_text, const std::string& where);
    std::string to_json() const;
    void validate(const std::string& where) const;
};

}  // namespace atelier
