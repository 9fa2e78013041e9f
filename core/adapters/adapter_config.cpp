#include "adapters/adapter_config.h"

#include "common/error.h"
#include "common/json_util.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

using nlohmann::json;
namespace fs = std::filesystem;

namespace atelier {

namespace {

const std::vector<std::string> kLinearNames = {"q_proj",    "k_proj",  "v_proj",   "o_proj",
                                               "gate_proj", "up_proj", "down_proj"};

// [in, out] of a named projection.
std::pair<int64_t, int64_t> linear_shape(const ModelConfig& c, const std::string& name) {
    const int64_t d = c.hidden_size, q = c.num_attention_heads * c.head_dim, kv = c.kv_dim(),
                  ff = c.intermediate_size;
    if (name == "q_proj") return {d, q};
    if (name == "k_proj" || name == "v_proj") return {d, kv};
    if (name == "o_proj") return {q, d};
    if (name == "gate_proj" || name == "up_proj") return {d, ff};
    return {ff, d};  // down_proj
}

}  // namespace

std::vector<std::string> AdapterConfig::methods() {
    return {"lora", "llama-adapter", "llama-adapter-v2"};
}

AdapterConfig AdapterConfig::preset(const std::string& method, const ModelConfig& model) {
    AdapterConfig c;
    const auto known = methods();
    if (std::find(known.begin(), known.end(), method) == known.end())
        throw Error(
            ErrorCode::InvalidArgument, "method",
            "unknown adapter method '" + method + "' (expected lora, llama-adapter or llama-adapter-v2)");
    c.method = method;
    // LLaMA-Adapter: 30 of LLaMA-7B's 32 layers; the same fraction of other depths, at least one.
    const int64_t L = std::max<int64_t>(1, model.num_hidden_layers);
    c.adapter_layer = std::clamp<int64_t>((30 * L + 16) / 32, 1, L);
    return c;
}

int64_t AdapterConfig::adapted_layers(const ModelConfig& model) const {
    return std::clamp<int64_t>(adapter_layer, 0, model.num_hidden_layers);
}

void AdapterConfig::validate(const std::string& where) const {
    auto bad = [&](const std::string& what) { throw Error(ErrorCode::BadConfig, where, what); };
    const auto known = methods();
    if (std::find(known.begin(), known.end(), method) == known.end())
        bad("unknown adapter method '" + method + "'");
    if (is_lora()) {
        if (lora_rank < 1 || lora_rank > kMaxRank)
            bad("LoRA rank " + std::to_string(lora_rank) + " is outside 1.." + std::to_string(kMaxRank));
        if (!(lora_alpha > 0)) bad("LoRA alpha must be positive");
        if (!(lora_dropout >= 0 && lora_dropout < 1)) bad("LoRA dropout must be in [0, 1)");
        if (target_modules.empty()) bad("LoRA needs at least one target module");
        for (const auto& t : target_modules)
            if (t != "lm_head" &&
                std::find(kLinearNames.begin(), kLinearNames.end(), t) == kLinearNames.end())
                bad("unknown LoRA target module '" + t +
                    "' (expected q_proj, k_proj, v_proj, o_proj, gate_proj, "
                    "up_proj, down_proj or lm_head)");
    }
    if (has_prefix()) {
        if (adapter_len < 1 || adapter_len > kMaxPrefixLength)
            bad("adapter_len " + std::to_string(adapter_len) + " is outside 1.." +
                std::to_string(kMaxPrefixLength));
        if (adapter_layer < 1 || adapter_layer > kMaxPrefixLength)
            bad("adapter_layer " + std::to_string(adapter_layer) + " is outside 1.." +
                std::to_string(kMaxPrefixLength));
    }
}

int64_t AdapterConfig::trainable_parameters(const ModelConfig& c) const {
    int64_t n = 0;
    const int64_t L = c.num_hidden_layers;
    if (is_lora()) {
        for (const auto& t : target_modules) {
            if (t == "lm_head") {  // one output projection, not one per layer
                n += lora_rank * (c.hidden_size + c.vocab_size);
                continue;
            }
            const auto [in, out] = linear_shape(c, t);
            n += L * lora_rank * (in + out);
        }
    }
    if (has_prefix()) {
        const int64_t layers = adapted_layers(c);
        n += layers * adapter_len * c.hidden_size;  // prompt tokens
        n += layers * c.num_attention_heads;        // one gate per head
    }
    if (has_bias_scale()) {
        for (const auto& t : kLinearNames) n += L * 2 * linear_shape(c, t).second;  // bias + scale
        n += (2 * L + 1) * c.hidden_size;                                           // RMSNorm weights
    }
    return n;
}

std::string AdapterConfig::to_json() const {
    json j = {{"format", "atelier-adapter"},
              {"version", 1},
              {"method", method},
              {"adapter_len", adapter_len},
              {"adapter_layer", adapter_layer},
              {"base_model_name_or_path", base_model}};
    return j.dump(2);
}

std::string AdapterConfig::to_peft_json() const {
    json j = {{"peft_type", "LORA"},
              {"task_type", "CAUSAL_LM"},
              {"r", lora_rank},
              {"lora_alpha", lora_alpha},
              {"lora_dropout", lora_dropout},
              {"target_modules", target_modules},
              {"bias", "none"},
              {"fan_in_fan_out", false},
              {"inference_mode", true},
              {"init_lora_weights", true},
              {"use_rslora", false},
              {"modules_to_save", nullptr},
              {"base_model_name_or_path", base_model}};
    return j.dump(2);
}

AdapterConfig AdapterConfig::from_json(const std::string& text, const std::string& where) {
    json j = parse_json_object(text, where, "adapter config");
    AdapterConfig c;
    try {
        if (j.contains("peft_type")) {
            if (j["peft_type"] != "LORA")
                throw Error(ErrorCode::BadConfig, where,
                            "PEFT adapter type " + j["peft_type"].dump() + " is not supported (only LORA)");
            if (j.value("use_rslora", false))
                throw Error(ErrorCode::BadConfig, where,
                            "rank-stabilised LoRA (use_rslora) is not supported");
            if (j.value("use_dora", false)) throw Error(ErrorCode::BadConfig, where, "DoRA is not supported");
            if (j.value("fan_in_fan_out", false))
                throw Error(ErrorCode::BadConfig, where,
                            "fan_in_fan_out LoRA (GPT-2 Conv1D) is not supported");
            c.method = "lora";
            c.lora_rank = j.at("r").get<int64_t>();
            c.lora_alpha = j.value("lora_alpha", static_cast<double>(c.lora_rank));
            c.lora_dropout = j.value("lora_dropout", 0.0);
            const json& t = j.at("target_modules");
            c.target_modules.clear();
            if (t.is_string()) {
                throw Error(ErrorCode::BadConfig, where,
                            "target_modules as a regular expression is not supported");
            }
            for (const auto& m : t) c.target_modules.push_back(m.get<std::string>());
        } else {
            if (j.value("format", "") != "atelier-adapter")
                throw Error(ErrorCode::BadConfig, where,
                            "neither a PEFT LoRA config (peft_type) nor an Atelier adapter config (format)");
            c.method = j.at("method").get<std::string>();
            c.adapter_len = j.value("adapter_len", c.adapter_len);
            c.adapter_layer = j.value("adapter_layer", c.adapter_layer);
        }
        if (j.contains("base_model_name_or_path") && j["base_model_name_or_path"].is_string())
            c.base_model = j["base_model_name_or_path"].get<std::string>();
    } catch (const json::exception& e) {
        throw Error(ErrorCode::BadConfig, where, std::string("missing or invalid field: ") + e.what());
    }
    c.validate(where);
    return c;
}

std::string adapter_folder(const std::string& path) {
    const fs::path dir(path);
    if (fs::is_regular_file(dir / "adapter_config.json")) return path;
    // A training run's folder (what `train --out` named): its finished adapter is in adapter/.
    if (fs::is_regular_file(dir / "adapter" / "adapter_config.json")) return (dir / "adapter").string();
    std::error_code ec;
    if (fs::is_directory(dir / "checkpoints", ec)) {
        std::string newest;
        for (const auto& e : fs::directory_iterator(dir / "checkpoints", ec))
            if (e.path().filename().string().rfind("step-", 0) == 0 && e.path().string() > newest)
                newest = e.path().string();
        throw Error(ErrorCode::FileNotFound, path,
                    "this run has not finished, so it has no adapter/ yet: resume it, or attach one of "
                    "its checkpoints" +
                        (newest.empty() ? std::string() : " (the newest is " + newest + ")"));
    }
    if (!fs::exists(dir, ec)) throw Error(ErrorCode::FileNotFound, path, "no such folder");
    throw Error(ErrorCode::FileNotFound, path, "no adapter_config.json in this folder (nor in its adapter/)");
}

}  // namespace atelier
