#include "encoders/encoder_config.h"

#include "common/error.h"
#include "common/json_util.h"

#include <nlohmann/json.hpp>

namespace atelier {

using nlohmann::json;

namespace {

template <typename T>
T get_or(const json& j, const char* key, T fallback, const std::string& where) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    try {
        return it->get<T>();
    } catch (const json::exception&) {
        throw Error(ErrorCode::BadConfig, where, std::string("'") + key + "' has the wrong type");
    }
}

void check_range(int64_t v, int64_t lo, int64_t hi, const char* key, const std::string& where) {
    if (v < lo || v > hi)
        throw Error(ErrorCode::BadConfig, where,
                    std::string("'") + key + "' = " + std::to_string(v) + " is outside [" +
                        std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

bool known_activation(const std::string& a) {
    return a == "quick_gelu" || a == "gelu" || a == "gelu_new" || a == "gelu_pytorch_tanh" || a == "relu" ||
           a == "silu";
}

}  // namespace

ClipVisionConfig ClipVisionConfig::from_json(const std::string& text, const std::string& where) {
    json root = parse_json_object(text, where, "config");
    const json& j =
        root.contains("vision_config") && root["vision_config"].is_object() ? root["vision_config"] : root;
    ClipVisionConfig c;
    c.hidden_size = get_or<int64_t>(j, "hidden_size", c.hidden_size, where);
    c.intermediate_size = get_or<int64_t>(j, "intermediate_size", c.intermediate_size, where);
    c.num_hidden_layers = get_or<int64_t>(j, "num_hidden_layers", c.num_hidden_layers, where);
    c.num_attention_heads = get_or<int64_t>(j, "num_attention_heads", c.num_attention_heads, where);
    c.num_channels = get_or<int64_t>(j, "num_channels", c.num_channels, where);
    c.image_size = get_or<int64_t>(j, "image_size", c.image_size, where);
    c.patch_size = get_or<int64_t>(j, "patch_size", c.patch_size, where);
    c.hidden_act = get_or<std::string>(j, "hidden_act", c.hidden_act, where);
    c.layer_norm_eps = get_or<double>(j, "layer_norm_eps", c.layer_norm_eps, where);
    c.torch_dtype = get_or<std::string>(
        j, "torch_dtype", get_or<std::string>(root, "torch_dtype", c.torch_dtype, where), where);
    c.validate(where);
    return c;
}

void ClipVisionConfig::validate(const std::string& where) const {
    check_range(hidden_size, 1, 1 << 16, "hidden_size", where);
    check_range(intermediate_size, 1, 1 << 18, "intermediate_size", where);
    check_range(num_hidden_layers, 1, 1024, "num_hidden_layers", where);
    check_range(num_attention_heads, 1, 1024, "num_attention_heads", where);
    check_range(num_channels, 1, 4, "num_channels", where);
    check_range(image_size, 1, 8192, "image_size", where);
    check_range(patch_size, 1, image_size, "patch_size", where);
    if (hidden_size % num_attention_heads != 0)
        throw Error(ErrorCode::BadConfig, where, "hidden_size is not a multiple of num_attention_heads");
    if (image_size % patch_size != 0)
        throw Error(ErrorCode::BadConfig, where, "image_size is not a multiple of patch_size");
    if (!known_activation(hidden_act))
        throw Error(ErrorCode::BadConfig, where, "unknown hidden_act '" + hidden_act + "'");
    if (!(layer_norm_eps > 0)) throw Error(ErrorCode::BadConfig, where, "layer_norm_eps must be positive");
}

std::string ClipVisionConfig::to_json() const {
    return json{{"model_type", "clip_vision_model"},
                {"architectures", {"CLIPVisionModel"}},
                {"hidden_size", hidden_size},
                {"intermediate_size", intermediate_size},
                {"num_hidden_layers", num_hidden_layers},
                {"num_attention_heads", num_attention_heads},
                {"num_channels", num_channels},
                {"image_size", image_size},
                {"patch_size", patch_size},
                {"hidden_act", hidden_act},
                {"layer_norm_eps", layer_norm_eps},
                {"torch_dtype", torch_dtype}}
        .dump(2);
}

WhisperEncoderConfig WhisperEncoderConfig::from_json(const std::string& text, const std::string& where) {
    json j = parse_json_object(text, where, "config");
    WhisperEncoderConfig c;
    c.d_model = get_or<int64_t>(j, "d_model", c.d_model, where);
    c.encoder_layers = get_or<int64_t>(j, "encoder_layers", c.encoder_layers, where);
    c.encoder_attention_heads =
        get_or<int64_t>(j, "encoder_attention_heads", c.encoder_attention_heads, where);
    c.encoder_ffn_dim = get_or<int64_t>(j, "encoder_ffn_dim", c.encoder_ffn_dim, where);
    c.num_mel_bins = get_or<int64_t>(j, "num_mel_bins", c.num_mel_bins, where);
    c.max_source_positions = get_or<int64_t>(j, "max_source_positions", c.max_source_positions, where);
    c.activation_function = get_or<std::string>(j, "activation_function", c.activation_function, where);
    c.torch_dtype = get_or<std::string>(j, "torch_dtype", c.torch_dtype, where);
    c.validate(where);
    return c;
}

void WhisperEncoderConfig::validate(const std::string& where) const {
    check_range(d_model, 1, 1 << 16, "d_model", where);
    check_range(encoder_layers, 1, 1024, "encoder_layers", where);
    check_range(encoder_attention_heads, 1, 1024, "encoder_attention_heads", where);
    check_range(encoder_ffn_dim, 1, 1 << 18, "encoder_ffn_dim", where);
    check_range(num_mel_bins, 1, 512, "num_mel_bins", where);
    check_range(max_source_positions, 1, 1 << 16, "max_source_positions", where);
    if (d_model % encoder_attention_heads != 0)
        throw Error(ErrorCode::BadConfig, where, "d_model is not a multiple of encoder_attention_heads");
    if (!known_activation(activation_function))
        throw Error(ErrorCode::BadConfig, where, "unknown activation_function '" + activation_function + "'");
}

std::string WhisperEncoderConfig::to_json() const {
    return json{{"model_type", "whisper"},
                {"architectures", {"WhisperModel"}},
                {"d_model", d_model},
                {"encoder_layers", encoder_layers},
                {"encoder_attention_heads", encoder_attention_heads},
                {"encoder_ffn_dim", encoder_ffn_dim},
                {"num_mel_bins", num_mel_bins},
                {"max_source_positions", max_source_positions},
                {"activation_function", activation_function},
                {"torch_dtype", torch_dtype}}
        .dump(2);
}

}  // namespace atelier
