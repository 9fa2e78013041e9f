#include "model/config.h"

#include "common/error.h"
#include "common/json_util.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace atelier {

using nlohmann::json;

namespace {

template <typename T>
T get_or(const json& j, const char* key, T fallback) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    return it->get<T>();
}

int64_t first_id(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return -1;
    if (it->is_array()) return it->empty() ? -1 : (*it)[0].get<int64_t>();
    return it->get<int64_t>();
}

}  // namespace

namespace {

std::string family_of(const json& j) {
    if (!j.is_object()) return "";
    std::string arch;
    if (j.contains("architectures") && j["architectures"].is_array() && !j["architectures"].empty() &&
        j["architectures"][0].is_string())
        arch = j["architectures"][0].get<std::string>();
    const std::string type = j.contains("model_type") && j["model_type"].is_string()
                                 ? j["model_type"].get<std::string>()
                                 : std::string();
    if (arch == "LlavaForConditionalGeneration" || type == "llava") return "llava";
    if (arch == "CLIPVisionModel" || arch == "CLIPModel" || type == "clip_vision_model" || type == "clip")
        return "clip";
    if (type == "whisper" || arch.rfind("Whisper", 0) == 0) return "whisper";
    return "";
}

}  // namespace

std::string config_model_family(const std::string& json_text) {
    const auto j = try_parse_json(json_text);
    if (!j) return "";
    try {
        return family_of(*j);
    } catch (const json::exception&) {
        return "";
    }
}

ModelConfig ModelConfig::from_json(const std::string& text, const std::string& where) {
    json j = parse_json_object(text, where, "config");

    // LLaVA: the language model is "text_config", whose absent fields take Hugging Face's
    // LlamaConfig defaults (llava-hf/llava-1.5-7b-hf lists only a few of them). A field of the
    // wrong type there is a BadConfig like anywhere else (found by fuzz_configs: "model_type": 1
    // escaped as a json::type_error).
    if (family_of(j) == "llava") {
        if (!j.contains("text_config") || !j["text_config"].is_object())
            throw Error(ErrorCode::BadConfig, where, "a LLaVA config needs a 'text_config' object");
        json t = j["text_config"];
        try {
            const std::string mt = t.value("model_type", std::string("llama"));
            if (mt != "llama")
                throw Error(ErrorCode::UnsupportedArchitecture, where,
                            "LLaVA with a '" + mt + "' language model is not supported (llama only)");
            const json defaults = {{"architectures", {"LlamaForCausalLM"}},
                                   {"model_type", "llama"},
                                   {"hidden_size", 4096},
                                   {"intermediate_size", 11008},
                                   {"num_hidden_layers", 32},
                                   {"num_attention_heads", 32},
                                   {"vocab_size", 32000},
                                   {"max_position_embeddings", 2048},
                                   {"rms_norm_eps", 1e-6},
                                   {"tie_word_embeddings", j.value("tie_word_embeddings", false)},
                                   {"torch_dtype", j.value("torch_dtype", std::string("float32"))}};
            for (const auto& [k, v] : defaults.items())
                if (!t.contains(k) || t[k].is_null()) t[k] = v;
        } catch (const json::exception& e) {
            throw Error(ErrorCode::BadConfig, where,
                        std::string("config field has the wrong type: ") + e.what());
        }
        t["architectures"] = {"LlamaForCausalLM"};
        return from_json(t.dump(), where);
    }

    ModelConfig c;
    try {
        if (j.contains("architectures") && j["architectures"].is_array() && !j["architectures"].empty())
            c.architecture = j["architectures"][0].get<std::string>();
        c.model_type = get_or<std::string>(j, "model_type", "llama");

        static const char* supported[][2] = {
            {"LlamaForCausalLM", "llama"}, {"MistralForCausalLM", "mistral"}, {"Qwen2ForCausalLM", "qwen2"}};
        bool ok = false;
        for (auto& s : supported) ok = ok || (c.architecture == s[0] && c.model_type == s[1]);
        if (!ok)
            throw Error(ErrorCode::UnsupportedArchitecture, where,
                        "architecture '" + c.architecture + "' (model_type '" + c.model_type +
                            "') is not supported; supported: LlamaForCausalLM, MistralForCausalLM, "
                            "Qwen2ForCausalLM");

        c.hidden_size = get_or<int64_t>(j, "hidden_size", 0);
        c.intermediate_size = get_or<int64_t>(j, "intermediate_size", 0);
        c.num_hidden_layers = get_or<int64_t>(j, "num_hidden_layers", 0);
        c.num_attention_heads = get_or<int64_t>(j, "num_attention_heads", 0);
        c.num_key_value_heads = get_or<int64_t>(j, "num_key_value_heads", c.num_attention_heads);
        c.head_dim = get_or<int64_t>(j, "head_dim",
                                     c.num_attention_heads > 0 ? c.hidden_size / c.num_attention_heads : 0);
        c.vocab_size = get_or<int64_t>(j, "vocab_size", 0);
        c.max_position_embeddings = get_or<int64_t>(j, "max_position_embeddings", 2048);
        c.rms_norm_eps = get_or<double>(j, "rms_norm_eps", 1e-6);
        c.rope_theta = get_or<double>(j, "rope_theta", 10000.0);
        c.tie_word_embeddings = get_or<bool>(j, "tie_word_embeddings", false);
        c.attention_bias = get_or<bool>(j, "attention_bias", c.model_type == "qwen2");
        c.mlp_bias = get_or<bool>(j, "mlp_bias", false);
        c.sliding_window = get_or<int64_t>(j, "sliding_window", 0);
        if (!get_or<bool>(j, "use_sliding_window", true)) c.sliding_window = 0;  // Qwen2 lists it, disabled
        c.bos_token_id = first_id(j, "bos_token_id");
        c.eos_token_id = first_id(j, "eos_token_id");
        c.torch_dtype = get_or<std::string>(j, "torch_dtype", "float32");

        auto rs = j.find("rope_scaling");
        if (rs != j.end() && rs->is_object()) {
            c.rope_scaling.type = get_or<std::string>(*rs, "rope_type", get_or<std::string>(*rs, "type", ""));
            c.rope_scaling.factor = get_or<double>(*rs, "factor", 1.0);
            c.rope_scaling.low_freq_factor = get_or<double>(*rs, "low_freq_factor", 1.0);
            c.rope_scaling.high_freq_factor = get_or<double>(*rs, "high_freq_factor", 4.0);
            c.rope_scaling.original_max_position_embeddings =
                get_or<int64_t>(*rs, "original_max_position_embeddings", 8192);
            if (c.rope_scaling.type == "default") c.rope_scaling.type.clear();
            if (!c.rope_scaling.type.empty() && c.rope_scaling.type != "llama3" &&
                c.rope_scaling.type != "linear")
                throw Error(ErrorCode::BadConfig, where,
                            "rope_scaling type '" + c.rope_scaling.type + "' is not supported");
        }
    } catch (const json::exception& e) {
        throw Error(ErrorCode::BadConfig, where, std::string("config field has the wrong type: ") + e.what());
    }
    c.validate(where);
    return c;
}

void ModelConfig::validate(const std::string& where) const {
    auto need = [&](int64_t v, const char* name) {
        if (v <= 0)
            throw Error(ErrorCode::BadConfig, where, std::string(name) + " must be a positive integer");
    };
    // Far above any real model (Llama 3.1 405B: 126 layers, hidden 16384, 128 heads, vocab 128256);
    // a hostile config with num_hidden_layers 1e9 would otherwise list a billion expected tensors.
    auto at_most = [&](int64_t v, int64_t limit, const char* name) {
        if (v > limit)
            throw Error(ErrorCode::BadConfig, where,
                        std::string(name) + " is " + std::to_string(v) + ", more than Atelier's limit of " +
                            std::to_string(limit));
    };
    at_most(hidden_size, kMaxHiddenSize, "hidden_size");
    at_most(intermediate_size, 4 * kMaxHiddenSize, "intermediate_size");
    at_most(num_hidden_layers, kMaxLayers, "num_hidden_layers");
    at_most(num_attention_heads, kMaxHeads, "num_attention_heads");
    at_most(num_key_value_heads, kMaxHeads, "num_key_value_heads");
    at_most(head_dim, kMaxHeadDim, "head_dim");
    at_most(vocab_size, kMaxVocab, "vocab_size");
    at_most(max_position_embeddings, kMaxPositions, "max_position_embeddings");
    need(hidden_size, "hidden_size");
    need(intermediate_size, "intermediate_size");
    need(num_hidden_layers, "num_hidden_layers");
    need(num_attention_heads, "num_attention_heads");
    need(num_key_value_heads, "num_key_value_heads");
    need(head_dim, "head_dim");
    need(vocab_size, "vocab_size");
    need(max_position_embeddings, "max_position_embeddings");
    if (num_attention_heads % num_key_value_heads != 0)
        throw Error(ErrorCode::BadConfig, where,
                    "num_attention_heads (" + std::to_string(num_attention_heads) +
                        ") is not a multiple of num_key_value_heads (" + std::to_string(num_key_value_heads) +
                        ")");
    if (head_dim % 2 != 0) throw Error(ErrorCode::BadConfig, where, "head_dim must be even for RoPE");
    if (rms_norm_eps <= 0) throw Error(ErrorCode::BadConfig, where, "rms_norm_eps must be positive");
}

ModelConfig ModelConfig::load(const std::string& dir) {
    std::filesystem::path p = std::filesystem::path(dir) / "config.json";
    std::ifstream f(p);
    if (!f) throw Error(ErrorCode::FileNotFound, p.string(), "config.json not found");
    std::stringstream ss;
    ss << f.rdbuf();
    return from_json(ss.str(), p.string());
}

std::string ModelConfig::to_json() const {
    json j;
    j["architectures"] = {architecture};
    j["model_type"] = model_type;
    j["hidden_size"] = hidden_size;
    j["intermediate_size"] = intermediate_size;
    j["num_hidden_layers"] = num_hidden_layers;
    j["num_attention_heads"] = num_attention_heads;
    j["num_key_value_heads"] = num_key_value_heads;
    if (head_dim != hidden_size / num_attention_heads) j["head_dim"] = head_dim;
    j["vocab_size"] = vocab_size;
    j["max_position_embeddings"] = max_position_embeddings;
    j["rms_norm_eps"] = rms_norm_eps;
    j["rope_theta"] = rope_theta;
    if (!rope_scaling.type.empty()) {
        j["rope_scaling"] = {
            {"rope_type", rope_scaling.type},
            {"factor", rope_scaling.factor},
            {"low_freq_factor", rope_scaling.low_freq_factor},
            {"high_freq_factor", rope_scaling.high_freq_factor},
            {"original_max_position_embeddings", rope_scaling.original_max_position_embeddings}};
    } else {
        j["rope_scaling"] = nullptr;
    }
    j["hidden_act"] = "silu";
    j["tie_word_embeddings"] = tie_word_embeddings;
    if (attention_bias) j["attention_bias"] = true;
    if (mlp_bias) j["mlp_bias"] = true;
    if (bos_token_id >= 0) j["bos_token_id"] = bos_token_id;
    if (eos_token_id >= 0) j["eos_token_id"] = eos_token_id;
    j["torch_dtype"] = torch_dtype;
    return j.dump(2);
}

int64_t ModelConfig::num_parameters() const {
    const int64_t d = hidden_size, q = num_attention_heads * head_dim, kv = kv_dim();
    int64_t attn = d * q + 2 * d * kv + q * d + (attention_bias ? q + 2 * kv : 0) + (o_proj_bias() ? d : 0);
    int64_t mlp = 3 * d * intermediate_size + (mlp_bias ? 2 * intermediate_size + d : 0);
    int64_t per_layer = attn + mlp + 2 * d;
    int64_t emb = vocab_size * d;
    return emb + (tie_word_embeddings ? 0 : emb) + num_hidden_layers * per_layer + d;
}

}  // namespace atelier
