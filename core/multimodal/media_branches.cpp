#include "multimodal/media_branches.h"

#include "common/error.h"
#include "common/files.h"
#include "io/safetensors.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace fs = std::filesystem;

namespace atelier {

// ---------------------------------------------------------------- vision

std::unique_ptr<VisionBranch> VisionBranch::load(const std::string& dir, const TensorMap* tensors,
                                                 const std::string& prefix, int64_t feature_layer,
                                                 const std::string& select, torch::Dtype dtype,
                                                 torch::Device device) {
    auto v = std::make_unique<VisionBranch>();
    const fs::path cfg_path = fs::path(dir) / "config.json";
    ClipVisionConfig cfg = ClipVisionConfig::from_json(read_text_file(cfg_path.string()), cfg_path.string());
    v->net = ClipVisionTransformer(cfg);
    TensorMap own;
    std::string pre = prefix;
    if (!tensors) {
        own = load_safetensors_dir(dir);
        tensors = &own;
        pre = "vision_model.";  // CLIPVisionModel and CLIPModel keep the tower there
    }
    load_weights(*v->net, *tensors, pre, dtype, device, dir);
    v->net->eval();
    v->proc = ImageProcessor::load(dir);
    v->feature_layer = feature_layer;
    v->select = select;
    v->path = dir;
    v->device = device;
    const int64_t idx = v->layer_index();
    if (idx < 0 || idx > cfg.num_hidden_layers)
        throw Error(ErrorCode::BadConfig, dir,
                    "feature layer " + std::to_string(feature_layer) + " is outside the encoder's " +
                        std::to_string(cfg.num_hidden_layers) + " layers");
    v->signature = "clip:" + fs::absolute(dir).lexically_normal().string() + ":" +
                   v->proc.config().to_json() + ":" + std::to_string(idx) + ":" + select;
    return v;
}

int64_t VisionBranch::layer_index() const {
    const int64_t n = net->config.num_hidden_layers + 1;  // hidden_states entries
    return feature_layer < 0 ? n + feature_layer : feature_layer;
}

int64_t VisionBranch::tokens() const {
    const int64_t P = net->config.num_patches();
    return select == "default" ? P : select == "cls" ? 1 : P + 1;
}

std::string VisionBranch::describe() const {
    const auto& c = net->config;
    return "CLIP ViT " + std::to_string(c.num_hidden_layers) + " layers, width " +
           std::to_string(c.hidden_size) + ", " + std::to_string(c.image_size) + " px / patch " +
           std::to_string(c.patch_size);
}

torch::Tensor VisionBranch::pixels(const Image& img) const {
    std::vector<float> px = proc.preprocess(img);
    const int64_t H = proc.output_height(), W = proc.output_width();
    return torch::from_blob(px.data(), {1, 3, H, W}, torch::kFloat32).clone().to(device);
}

torch::Tensor VisionBranch::features(const torch::Tensor& pixel_values, const LayerProgress& progress) {
    auto out = net->forward(pixel_values, layer_index(), progress);
    auto h = out.hidden_states.at(static_cast<size_t>(layer_index()));  // [1, 1+P, D]
    if (select == "default") return h.narrow(1, 1, h.size(1) - 1);      // [1, P, D]
    if (select == "cls") return h.narrow(1, 0, 1);                      // [1, 1, D]
    return h;
}

// ---------------------------------------------------------------- audio

std::unique_ptr<AudioBranch> AudioBranch::load(const std::string& dir, torch::Dtype dtype,
                                               torch::Device device) {
    auto a = std::make_unique<AudioBranch>();
    const fs::path cfg_path = fs::path(dir) / "config.json";
    WhisperEncoderConfig cfg =
        WhisperEncoderConfig::from_json(read_text_file(cfg_path.string()), cfg_path.string());
    a->net = WhisperEncoder(cfg);
    TensorMap tensors = load_safetensors_dir(dir);
    // WhisperForConditionalGeneration / WhisperModel: "model.encoder."; a bare encoder: "encoder.".
    const std::string prefix = tensors.count("model.encoder.conv1.weight") ? "model.encoder." : "encoder.";
    load_weights(*a->net, tensors, prefix, dtype, device, dir);
    a->net->eval();
    a->fe = WhisperFeatureExtractor::load(dir);
    if (a->fe.config().feature_size != cfg.num_mel_bins)
        throw Error(ErrorCode::ShapeMismatch, dir,
                    "the feature extractor makes " + std::to_string(a->fe.config().feature_size) +
                        " mel bins; the encoder reads " + std::to_string(cfg.num_mel_bins));
    a->path = dir;
    a->device = device;
    a->signature =
        "whisper:" + fs::absolute(dir).lexically_normal().string() + ":" + a->fe.config().to_json();
    return a;
}

double AudioBranch::positions_per_second() const {
    return double(net->config.max_source_positions) / fe.config().chunk_length;
}

std::string AudioBranch::describe() const {
    const auto& c = net->config;
    return "Whisper encoder " + std::to_string(c.encoder_layers) + " layers, width " +
           std::to_string(c.d_model) + ", " + std::to_string(c.num_mel_bins) + " mel bins";
}

std::vector<int64_t> AudioBranch::keep(int64_t samples) const {
    const int64_t S = fe.config().n_samples, N = net->config.max_source_positions;
    const int64_t windows = std::max<int64_t>(1, (samples + S - 1) / S);
    std::vector<int64_t> out;
    for (int64_t w = 0; w < windows; ++w) {
        const int64_t in = std::clamp<int64_t>(samples - w * S, 0, S);
        out.push_back(std::clamp<int64_t>((in * N + S - 1) / S, 1, N));
    }
    return out;
}

int64_t AudioBranch::positions(int64_t samples) const {
    int64_t p = 0;
    for (int64_t k : keep(samples)) p += k;
    return p;
}

int64_t AudioBranch::stated_samples(const std::string& file) const {
    const MediaInfo info = probe_media(file);
    const int rate = fe.config().sampling_rate;
    if (info.duration > 0) return std::llround(info.duration * rate);
    return static_cast<int64_t>(decode_audio(file, rate).samples.size());
}

Audio AudioBranch::decode_fitted(const std::string& file) const {
    Audio pcm = decode_audio(file, fe.config().sampling_rate);
    const MediaInfo info = probe_media(file);
    if (info.duration > 0)
        pcm.samples.resize(static_cast<size_t>(std::llround(info.duration * pcm.sample_rate)), 0.f);
    return pcm;
}

torch::Tensor AudioBranch::mel(const Audio& pcm) const {
    LogMel m = fe.extract(pcm);
    return torch::from_blob(m.data.data(), {m.windows, m.n_mels, m.frames}, torch::kFloat32)
        .clone()
        .to(device);
}

torch::Tensor AudioBranch::features(const Audio& pcm, const LayerProgress& progress, torch::Tensor* raw) {
    auto m = mel(pcm);  // [w, M, F]
    const int64_t windows = m.size(0);
    const auto kept = keep(static_cast<int64_t>(pcm.samples.size()));
    std::vector<torch::Tensor> parts, all;
    for (int64_t w = 0; w < windows; ++w) {
        auto out = net->forward(m.narrow(0, w, 1), progress);  // [1, N, D]
        all.push_back(out);
        parts.push_back(out.narrow(1, 0, kept.at(static_cast<size_t>(w))));
    }
    if (raw) *raw = torch::cat(all, 0);  // [w, N, D]
    return torch::cat(parts, 1);         // [1, positions, D]
}

}  // namespace atelier
