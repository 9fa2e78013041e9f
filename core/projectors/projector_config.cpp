#include "projectors/projector_config.h"

#include "common/error.h"
#include "common/json_util.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace atelier {

using nlohmann::json;

std::vector<std::string> ProjectorConfig::types() {
    return {"linear", "mlp2x_gelu", "audio_stack", "spectrum", "perceiver", "qformer", "dct", "bind"};
}

ProjectorConfig ProjectorConfig::from_json(const std::string& text, const std::string& where) {
    json j = parse_json_object(text, where, "projector config");
    ProjectorConfig c;
    try {
        c.type = j.value("type", c.type);
        c.in_features = j.value("in_features", c.in_features);
        c.out_features = j.value("out_features", c.out_features);
        c.hidden_features = j.value("hidden_features", c.hidden_features);
        c.act = j.value("act", c.act);
        c.stack = j.value("stack", c.stack);
        c.num_latents = j.value("num_latents", c.num_latents);
        c.depth = j.value("depth", c.depth);
        c.heads = j.value("heads", c.heads);
        c.ff_mult = j.value("ff_mult", c.ff_mult);
        c.max_frames = j.value("max_frames", c.max_frames);
        c.grid = j.value("grid", c.grid);
        c.num_layers = j.value("num_layers", c.num_layers);
        c.num_heads = j.value("num_heads", c.num_heads);
    } catch (const json::exception& e) {
        throw Error(ErrorCode::BadConfig, where,
                    std::string("projector config field has the wrong type: ") + e.what());
    }
    c.validate(where);
    return c;
}

std::string ProjectorConfig::to_json() const {
    json j = {{"type", type}, {"in_features", in_features}, {"out_features", out_features}, {"act", act}};
    if (hidden_features) j["hidden_features"] = hidden_features;
    if (type == "audio_stack") j["stack"] = stack;
    if (type == "perceiver" || type == "qformer") {
        j["num_latents"] = num_latents;
        j["heads"] = heads;
    }
    if (type == "perceiver" || type == "qformer" || type == "bind") {
        j["depth"] = depth;
        j["ff_mult"] = ff_mult;
    }
    if (type == "qformer") j["max_frames"] = max_frames;
    if (type == "dct") j["num_latents"] = num_latents;
    if (type == "dct" || type == "spectrum") j["grid"] = grid;
    if (type == "bind") {
        j["num_layers"] = num_layers;
        j["num_heads"] = num_heads;
    }
    return j.dump(2);
}

void ProjectorConfig::validate(const std::string& where) const {
    auto t = types();
    if (std::find(t.begin(), t.end(), type) == t.end())
        throw Error(ErrorCode::BadConfig, where,
                    "unknown projector type '" + type +
                        "' (linear, mlp2x_gelu, audio_stack, spectrum, perceiver, qformer, dct, bind)");
    auto range = [&](int64_t v, int64_t lo, int64_t hi, const char* key) {
        if (v < lo || v > hi)
            throw Error(ErrorCode::BadConfig, where,
                        std::string("projector '") + key + "' = " + std::to_string(v) + " is outside [" +
                            std::to_string(lo) + ", " + std::to_string(hi) + "]");
    };
    range(in_features, 1, 1 << 16, "in_features");
    range(out_features, 1, 1 << 16, "out_features");
    range(hidden_features, 0, 1 << 18, "hidden_features");
    range(stack, 1, 64, "stack");
    range(num_latents, 1, 4096, "num_latents");
    range(depth, 1, 64, "depth");
    range(heads, 1, 256, "heads");
    range(ff_mult, 1, 16, "ff_mult");
    range(max_frames, 1, 4096, "max_frames");
    range(grid, 1, 64, "grid");
    if ((type == "dct" || type == "spectrum") && grid * grid * in_features > (1 << 22))
        throw Error(ErrorCode::BadConfig, where,
                    "projector " + type + ": grid * grid * in_features is too large");
    if (type == "perceiver" || type == "qformer") {
        if (in_features % heads != 0)
            throw Error(ErrorCode::BadConfig, where, "projector in_features is not a multiple of its heads");
    }
    if (type == "bind") {
        range(num_layers, 1, 1024, "num_layers");
        range(num_heads, 1, 1024, "num_heads");
        if (out_features % num_heads != 0)
            throw Error(ErrorCode::BadConfig, where,
                        "bind network: out_features is not a multiple of num_heads");
    }
    if (act != "gelu" && act != "quick_gelu" && act != "gelu_new" && act != "gelu_pytorch_tanh" &&
        act != "relu" && act != "silu")
        throw Error(ErrorCode::BadConfig, where, "unknown projector activation '" + act + "'");
}

int64_t ProjectorConfig::output_tokens(int64_t input_tokens) const {
    if (type == "bind") return 0;
    if (type == "perceiver" || type == "qformer" || type == "dct") return num_latents;
    if (type == "spectrum") return 1;
    if (type == "audio_stack") return (input_tokens + stack - 1) / stack;
    return input_tokens;
}

}  // namespace atelier
