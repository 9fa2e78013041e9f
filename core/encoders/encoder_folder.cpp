// Fresh and trained encoder folders in Hugging Face layout.
#include "encoders/encoder_folder.h"

#include "common/error.h"
#include "common/files.h"
#include "encoders/encoder_modules.h"
#include "io/safetensors.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <filesystem>

namespace fs = std::filesystem;

namespace atelier {

namespace {

void save_weights(torch::nn::Module& net, const std::string& prefix, const fs::path& file) {
    TensorMap tensors;
    for (auto& p : net.named_parameters(true)) {
        auto t = p.value().detach().to(torch::kCPU, torch::kFloat32).contiguous();
        tensors[prefix + p.key()] =
            make_owned_tensor(DType::F32, t.sizes().vec(), t.data_ptr(), t.numel() * sizeof(float));
    }
    write_safetensors(file.string(), tensors, {{"format", "pt"}});
}

void make_dir(const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error(ErrorCode::Io, dir, "cannot create the folder: " + ec.message());
}

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

ImageProcessorConfig clip_processor_for(const ClipVisionConfig& c) {
    ImageProcessorConfig p;
    p.shortest_edge = static_cast<int>(c.image_size);
    p.crop_height = p.crop_width = static_cast<int>(c.image_size);
    return p;
}

WhisperFeatureConfig whisper_features_for(int mel_bins, int chunk_seconds) {
    WhisperFeatureConfig f;
    f.feature_size = mel_bins;
    f.chunk_length = chunk_seconds;
    f.n_samples = chunk_seconds * f.sampling_rate;
    f.nb_max_frames = f.n_samples / f.hop_length;
    return f;
}

namespace {

// [N, D] sin then cos of positions x frequencies 1 / max_period^(i / (D/2 - 1)) (Whisper's
// max_period is 10000 with that denominator; an odd D gets a zero last column).
torch::Tensor sinusoids(const torch::Tensor& positions, int64_t D) {
    const int64_t half = D / 2;
    const double inc = std::log(10000.0) / static_cast<double>(std::max<int64_t>(1, half - 1));
    auto inv = torch::exp(-inc * torch::arange(half, torch::kFloat64)).unsqueeze(0);
    auto ang = positions.to(torch::kFloat64).unsqueeze(1) * inv;  // [N, half]
    auto out = torch::cat({ang.sin(), ang.cos()}, 1);
    if (2 * half < D) out = torch::cat({out, torch::zeros({out.size(0), D - 2 * half}, out.options())}, 1);
    return out.to(torch::kFloat32);
}

}  // namespace

void init_encoder_weights(torch::nn::Module& net, uint64_t seed) {
    torch::NoGradGuard no_grad;
    auto gen = at::detail::createCPUGenerator(seed);
    for (auto& p : net.named_parameters(true)) {
        const std::string& k = p.key();
        auto& v = p.value();
        const bool norm = k.find("norm") != std::string::npos || k.find("layrnorm") != std::string::npos;
        if (norm)
            ends_with(k, ".weight") ? v.fill_(1.0) : v.zero_();
        else if (ends_with(k, ".bias"))
            v.zero_();
        else
            v.copy_(at::normal(0.0, 0.02, v.sizes(), gen).to(v.dtype()));
    }
    // Whisper's positions are fixed sinusoids (timescales up to 10000), sin then cos.
    if (auto* w = dynamic_cast<WhisperEncoderImpl*>(&net)) {
        const int64_t N = w->config.max_source_positions, D = w->config.d_model;
        w->embed_positions->weight.copy_(sinusoids(torch::arange(N, torch::kFloat64), D));
    }
    // A ViT trained from scratch starts from 2-D sin-cos patch positions (MAE): half the width
    // encodes the row, half the column, at the scale of the patch features, so where things are is
    // visible from the first step; the class token's position starts at zero.
    if (auto* v = dynamic_cast<ClipVisionTransformerImpl*>(&net)) {
        const int64_t g = v->config.image_size / v->config.patch_size, D = v->config.hidden_size;
        // CLIP's own initialisation (Hugging Face's CLIPPreTrainedModel) scales the layers to the
        // width; a flat N(0, 0.02) leaves a narrow tower's layers adding little to its residual
        // stream at the start.
        const double L = static_cast<double>(v->config.num_hidden_layers), d = static_cast<double>(D);
        const double in_std = std::pow(d, -0.5) * std::pow(2 * L, -0.5), out_std = std::pow(d, -0.5),
                     fc_std = std::pow(2 * d, -0.5);
        for (auto& p : net.named_parameters(true)) {
            const std::string& k = p.key();
            double std = 0;
            if (ends_with(k, "q_proj.weight") || ends_with(k, "k_proj.weight") ||
                ends_with(k, "v_proj.weight") || ends_with(k, "fc2.weight"))
                std = in_std;
            else if (ends_with(k, "out_proj.weight"))
                std = out_std;
            else if (ends_with(k, "fc1.weight"))
                std = fc_std;
            else if (ends_with(k, "class_embedding"))
                std = out_std;
            if (std > 0) p.value().copy_(at::normal(0.0, std, p.value().sizes(), gen).to(p.value().dtype()));
        }
        auto cells = torch::arange(g * g, torch::kInt64);
        auto rows = sinusoids(cells.div(g, "floor").to(torch::kFloat64), D / 2);
        auto cols = sinusoids(cells.remainder(g).to(torch::kFloat64), D - D / 2);
        auto table = torch::zeros({1 + g * g, D}, torch::kFloat32);
        table.narrow(0, 1, g * g).copy_(torch::cat({rows, cols}, 1));
        v->embeddings->position_embedding->weight.copy_(table);
    }
}

void save_clip_encoder(ClipVisionTransformerImpl& net, const ImageProcessorConfig& processor,
                       const std::string& dir) {
    make_dir(dir);
    save_weights(net, "vision_model.", fs::path(dir) / "model.safetensors");
    write_text_file((fs::path(dir) / "preprocessor_config.json").string(), processor.to_json() + "\n");
    write_text_file((fs::path(dir) / "config.json").string(), net.config.to_json() + "\n");
}

void save_whisper_encoder(WhisperEncoderImpl& net, const WhisperFeatureConfig& features,
                          const std::string& dir) {
    make_dir(dir);
    save_weights(net, "encoder.", fs::path(dir) / "model.safetensors");
    write_text_file((fs::path(dir) / "preprocessor_config.json").string(), features.to_json() + "\n");
    write_text_file((fs::path(dir) / "config.json").string(), net.config.to_json() + "\n");
}

void create_clip_encoder(const std::string& dir, const ClipVisionConfig& c, const ImageProcessorConfig& p,
                         uint64_t seed) {
    c.validate(dir);
    ClipVisionTransformer net(c);
    init_encoder_weights(*net, seed);
    save_clip_encoder(*net, p, dir);
}

void create_whisper_encoder(const std::string& dir, const WhisperEncoderConfig& c,
                            const WhisperFeatureConfig& f, uint64_t seed) {
    c.validate(dir);
    if (f.nb_max_frames != 2 * c.max_source_positions)
        throw Error(ErrorCode::BadConfig, dir,
                    "the encoder has " + std::to_string(c.max_source_positions) + " positions; " +
                        std::to_string(f.chunk_length) + " s windows give " +
                        std::to_string(f.nb_max_frames / 2));
    if (f.feature_size != c.num_mel_bins)
        throw Error(ErrorCode::BadConfig, dir, "the front end's mel bins differ from the encoder's");
    WhisperEncoder net(c);
    init_encoder_weights(*net, seed);
    save_whisper_encoder(*net, f, dir);
}

}  // namespace atelier
