#include "train_config.h"

#include "common/error.h"
#include "common/json_util.h"

#include <nlohmann/json.hpp>

using nlohmann::json;

namespace atelier {

TrainConfig TrainConfig::preset(const std::string& method, const ModelConfig& model) {
    TrainConfig c;
    c.adapter = AdapterConfig::preset(method, model);
    if (c.adapter.has_prefix()) {
        c.lr = 9e-3;
        c.weight_decay = 0.02;
        c.epochs = 5;
        c.warmup_ratio = 2.0 / 5.0;  // 2 of 5 epochs
    }
    return c;
}

TrainConfig TrainConfig::multimodal_preset(const std::string& stage, const std::string& method,
                                           const ModelConfig& model) {
    TrainConfig c = preset(method, model);
    c.multimodal.stage = stage;
    c.format = "llava";
    if (stage == "projector") {
        c.lr = 1e-3;
        c.weight_decay = 0.0;
        c.epochs = 1;
        c.warmup_ratio = 0.03;
    } else if (stage == "projector+adapter") {
        if (c.adapter.is_lora()) {
            c.lr = 2e-4;
            c.multimodal.projector_lr = 2e-5;
        }
    } else if (stage == "bind") {
        c.lr = 9e-3;
        c.weight_decay = 0.02;
        c.multimodal.image_projector = "bind";
        c.multimodal.audio_projector = "bind";
        c.multimodal.video_temporal = "";
    }
    return c;
}

std::string TrainConfig::method_label() const {
    if (!multimodal.enabled()) return adapter.method;
    return "multimodal:" + multimodal.stage + (multimodal.trains_adapter() ? ":" + adapter.method : "");
}

void TrainConfig::validate() const {
    auto bad = [](const std::string& field, const std::string& what) {
        throw Error(ErrorCode::BadConfig, field, what);
    };
    if (model.empty()) bad("model", "no model given");
    if (data.empty()) bad("data", "no dataset given");
    if (out.empty()) bad("out", "no output folder given");
    if (epochs < 1) bad("epochs", "must be at least 1");
    if (!(lr > 0)) bad("lr", "must be positive");
    if (weight_decay < 0) bad("weight_decay", "must not be negative");
    if (!(warmup_ratio >= 0 && warmup_ratio < 1)) bad("warmup_ratio", "must be in [0, 1)");
    if (batch_size < 1) bad("batch_size", "must be at least 1");
    if (processes < 1 || processes > 256) bad("processes", "must be 1 to 256");
    if (grad_accum < 1) bad("grad_accum", "must be at least 1");
    if (max_grad_norm < 0) bad("max_grad_norm", "must not be negative");
    if (max_length < 8) bad("max_length", "must be at least 8 tokens");
    if (!(eval_fraction >= 0 && eval_fraction < 1)) bad("eval_fraction", "must be in [0, 1)");
    if (keep_checkpoints < 1) bad("keep_checkpoints", "must be at least 1");
    adapter.validate("adapter");
    const MultimodalTrainConfig& m = multimodal;
    if (m.enabled()) {
        if (m.stage != "projector" && m.stage != "projector+adapter" && m.stage != "bind")
            bad("multimodal.stage", "must be projector, projector+adapter or bind");
        if (packing) bad("packing", "is not available for multimodal training");
        if (m.video_frames < 1 || m.video_frames > 64) bad("multimodal.video_frames", "must be 1 to 64");
        if (m.projector_tokens < 1) bad("multimodal.projector_tokens", "must be at least 1");
        if (m.projector_depth < 1) bad("multimodal.projector_depth", "must be at least 1");
        if (m.audio_stack < 1) bad("multimodal.audio_stack", "must be at least 1");
        if (m.projector_lr < 0) bad("multimodal.projector_lr", "must not be negative");
        if (m.encoder_lr < 0) bad("multimodal.encoder_lr", "must not be negative");
        const bool bind = m.stage == "bind";
        for (const auto& [field, type] :
             {std::pair<const char*, const std::string*>{"multimodal.image_projector", &m.image_projector},
              {"multimodal.audio_projector", &m.audio_projector}}) {
            if (bind && *type != "bind") bad(field, "must be bind for the bind stage");
            if (!bind && (*type == "bind" || *type == "qformer" || *type == "dct"))
                bad(field, "'" + *type + "' is not a token projector here");
            if (*type != "bind" && *type != "linear" && *type != "mlp2x_gelu" && *type != "perceiver" &&
                *type != "audio_stack" && *type != "spectrum")
                bad(field, "unknown projector type '" + *type + "'");
        }
        if (!m.video_temporal.empty() && m.video_temporal != "qformer" && m.video_temporal != "dct" &&
            m.video_temporal != "perceiver")
            bad("multimodal.video_temporal", "must be qformer, dct, perceiver or empty");
        if (bind && !m.video_temporal.empty()) bad("multimodal.video_temporal", "the bind stage has none");
    }
}

std::string TrainConfig::to_json() const {
    json a = json::parse(adapter.is_lora() ? adapter.to_peft_json() : adapter.to_json());
    a["method"] = adapter.method;
    json j = {{"model", model},
              {"data", data},
              {"format", format},
              {"out", out},
              {"template", template_name},
              {"adapter", a},
              {"epochs", epochs},
              {"max_steps", max_steps},
              {"lr", lr},
              {"weight_decay", weight_decay},
              {"betas", {beta1, beta2}},
              {"eps", eps},
              {"warmup_ratio", warmup_ratio},
              {"batch_size", batch_size},
              {"grad_accum", grad_accum},
              {"max_grad_norm", max_grad_norm},
              {"max_length", max_length},
              {"packing", packing},
              {"gradient_checkpointing", gradient_checkpointing},
              {"eval_fraction", eval_fraction},
              {"eval_every", eval_every},
              {"save_every", save_every},
              {"keep_checkpoints", keep_checkpoints},
              {"seed", seed},
              {"device", device},
              {"dtype", dtype},
              {"threads", threads},
              {"processes", processes},
              {"skip_bad_rows", skip_bad_rows}};
    if (multimodal.enabled()) {
        const MultimodalTrainConfig& m = multimodal;
        j["multimodal"] = {{"stage", m.stage},
                           {"image_encoder", m.image_encoder},
                           {"audio_encoder", m.audio_encoder},
                           {"feature_layer", m.feature_layer},
                           {"feature_select", m.feature_select},
                           {"image_projector", m.image_projector},
                           {"audio_projector", m.audio_projector},
                           {"video_temporal", m.video_temporal},
                           {"video_frames", m.video_frames},
                           {"video_audio", m.video_audio},
                           {"projector_tokens", m.projector_tokens},
                           {"projector_depth", m.projector_depth},
                           {"audio_stack", m.audio_stack},
                           {"train_encoders", m.train_encoders},
                           {"projector_lr", m.projector_lr},
                           {"encoder_lr", m.encoder_lr},
                           {"feature_cache", m.feature_cache}};
    }
    return j.dump(2);
}

TrainConfig TrainConfig::from_json(const std::string& text, const std::string& where) {
    const json j = parse_json(text, where, "training config");
    TrainConfig c;
    try {
        c.model = j.at("model").get<std::string>();
        c.data = j.at("data").get<std::string>();
        c.out = j.at("out").get<std::string>();
        c.format = j.value("format", c.format);
        c.template_name = j.value("template", c.template_name);
        if (j.contains("adapter")) {
            const json& a = j["adapter"];
            const std::string method = a.value("method", std::string("lora"));
            json spelled = a;
            if (method == "lora")
                spelled["peft_type"] = "LORA";
            else
                spelled["format"] = "atelier-adapter";
            c.adapter = AdapterConfig::from_json(spelled.dump(), where);
        }
        c.epochs = j.value("epochs", c.epochs);
        c.max_steps = j.value("max_steps", c.max_steps);
        c.lr = j.value("lr", c.lr);
        c.weight_decay = j.value("weight_decay", c.weight_decay);
        if (j.contains("betas")) {
            c.beta1 = j["betas"].at(0).get<double>();
            c.beta2 = j["betas"].at(1).get<double>();
        }
        c.eps = j.value("eps", c.eps);
        c.warmup_ratio = j.value("warmup_ratio", c.warmup_ratio);
        c.batch_size = j.value("batch_size", c.batch_size);
        c.grad_accum = j.value("grad_accum", c.grad_accum);
        c.max_grad_norm = j.value("max_grad_norm", c.max_grad_norm);
        c.max_length = j.value("max_length", c.max_length);
        c.packing = j.value("packing", c.packing);
        c.gradient_checkpointing = j.value("gradient_checkpointing", c.gradient_checkpointing);
        c.eval_fraction = j.value("eval_fraction", c.eval_fraction);
        c.eval_every = j.value("eval_every", c.eval_every);
        c.save_every = j.value("save_every", c.save_every);
        c.keep_checkpoints = j.value("keep_checkpoints", c.keep_checkpoints);
        c.seed = j.value("seed", c.seed);
        c.device = j.value("device", c.device);
        c.dtype = j.value("dtype", c.dtype);
        c.threads = j.value("threads", c.threads);
        c.processes = j.value("processes", c.processes);
        c.skip_bad_rows = j.value("skip_bad_rows", c.skip_bad_rows);
        if (j.contains("multimodal")) {
            const json& mj = j["multimodal"];
            MultimodalTrainConfig& m = c.multimodal;
            m.stage = mj.at("stage").get<std::string>();
            m.image_encoder = mj.value("image_encoder", m.image_encoder);
            m.audio_encoder = mj.value("audio_encoder", m.audio_encoder);
            m.feature_layer = mj.value("feature_layer", m.feature_layer);
            m.feature_select = mj.value("feature_select", m.feature_select);
            m.image_projector = mj.value("image_projector", m.image_projector);
            m.audio_projector = mj.value("audio_projector", m.audio_projector);
            m.video_temporal = mj.value("video_temporal", m.video_temporal);
            m.video_frames = mj.value("video_frames", m.video_frames);
            m.video_audio = mj.value("video_audio", m.video_audio);
            m.projector_tokens = mj.value("projector_tokens", m.projector_tokens);
            m.projector_depth = mj.value("projector_depth", m.projector_depth);
            m.audio_stack = mj.value("audio_stack", m.audio_stack);
            m.train_encoders = mj.value("train_encoders", m.train_encoders);
            m.projector_lr = mj.value("projector_lr", m.projector_lr);
            m.encoder_lr = mj.value("encoder_lr", m.encoder_lr);
            m.feature_cache = mj.value("feature_cache", m.feature_cache);
        }
    } catch (const json::exception& e) {
        throw Error(ErrorCode::BadConfig, where, std::string("missing or invalid field: ") + e.what());
    }
    c.validate();
    return c;
}

}  // namespace atelier
