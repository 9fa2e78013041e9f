// Projector modules, top to bottom. Shapes: B batch, N encoder tokens, F frames, L latents/queries,
// Din encoder width, Dout LLM width.
#include "projectors/projector_modules.h"

#include "encoders/encoder_modules.h"
#include "model/torch_util.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

namespace atelier {

ProjRMSNormImpl::ProjRMSNormImpl(int64_t dim, double eps_) : eps(eps_) {
    weight = register_parameter("weight", torch::ones({dim}));
}

torch::Tensor ProjRMSNormImpl::forward(const torch::Tensor& x) {
    auto xf = x.to(torch::kFloat32);
    xf = xf * torch::rsqrt(xf.pow(2).mean(-1, true) + eps);
    return weight * xf.to(x.scalar_type());
}

namespace {

torch::nn::Linear linear(int64_t in, int64_t out, bool bias = true) {
    return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(bias));
}

// Encoder tokens [M, N, D] -> [M, g*g*D]: a square patch grid (a class token in front of one is
// left out) average-pooled to g x g cells; tokens in any other layout pooled in order. With
// `magnitude_spectrum`, the |DFT| over the grid (or along the tokens) is pooled instead, in float32.
torch::Tensor pooled_cells(const torch::Tensor& x, int64_t g, bool magnitude_spectrum) {
    const int64_t M = x.size(0), N = x.size(1), D = x.size(2);
    for (int64_t skip : {0, 1}) {
        const int64_t n = N - skip, side = n > 0 ? std::llround(std::sqrt(double(n))) : 0;
        if (n <= 0 || side * side != n) continue;
        auto maps = x.narrow(1, skip, n).reshape({M, side, side, D}).permute({0, 3, 1, 2});  // [M, D, s, s]
        if (magnitude_spectrum) maps = torch::fft::fft2(maps.to(torch::kFloat32)).abs();
        return torch::adaptive_avg_pool2d(maps, {g, g}).permute({0, 2, 3, 1}).reshape({M, g * g * D});
    }
    auto seq = x.transpose(1, 2);  // [M, D, N]
    if (magnitude_spectrum) seq = torch::fft::fft(seq.to(torch::kFloat32)).abs();
    return torch::adaptive_avg_pool1d(seq, g * g).transpose(1, 2).reshape({M, g * g * D});
}

}  // namespace

CrossAttentionImpl::CrossAttentionImpl(int64_t dim, int64_t heads_) : heads(heads_) {
    to_q = register_module("to_q", linear(dim, dim, false));
    to_k = register_module("to_k", linear(dim, dim, false));
    to_v = register_module("to_v", linear(dim, dim, false));
    to_out = register_module("to_out", linear(dim, dim, false));
}

torch::Tensor CrossAttentionImpl::forward(const torch::Tensor& q_in, const torch::Tensor& ctx) {
    const int64_t B = q_in.size(0), Q = q_in.size(1), N = ctx.size(1), D = q_in.size(2), hd = D / heads;
    auto q = to_q(q_in).view({B, Q, heads, hd}).transpose(1, 2);                // [B, H, Q, hd]
    auto k = to_k(ctx).view({B, N, heads, hd}).transpose(1, 2);                 // [B, H, N, hd]
    auto v = to_v(ctx).view({B, N, heads, hd}).transpose(1, 2);                 // [B, H, N, hd]
    auto scores = torch::matmul(q, k.transpose(2, 3)) / std::sqrt(double(hd));  // [B, H, Q, N]
    auto probs = attention_softmax(scores, v.scalar_type());                    // [B, H, Q, N]
    return to_out(torch::matmul(probs, v).transpose(1, 2).reshape({B, Q, D}));  // [B, Q, D]
}

FeedForwardImpl::FeedForwardImpl(int64_t dim, int64_t hidden, std::string act_) : act(std::move(act_)) {
    norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    fc1 = register_module("fc1", linear(dim, hidden));
    fc2 = register_module("fc2", linear(hidden, dim));
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x) {
    return fc2(activation(act, fc1(apply_layer_norm(norm, x))));
}

PerceiverBlockImpl::PerceiverBlockImpl(int64_t dim, int64_t heads, int64_t ff_hidden,
                                       const std::string& act) {
    norm_media = register_module("norm_media", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    norm_latents = register_module("norm_latents", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    attn = register_module("attn", CrossAttention(dim, heads));
    ff = register_module("ff", FeedForward(dim, ff_hidden, act));
}

torch::Tensor PerceiverBlockImpl::forward(const torch::Tensor& media, const torch::Tensor& latents) {
    auto l = apply_layer_norm(norm_latents, latents);                    // [B, L, D]
    auto ctx = torch::cat({apply_layer_norm(norm_media, media), l}, 1);  // [B, N+L, D]: Flamingo's kv
    auto h = latents + attn(l, ctx);                                     // [B, L, D]
    return h + ff(h);                                                    // [B, L, D]
}

QFormerBlockImpl::QFormerBlockImpl(int64_t dim, int64_t heads, int64_t ff_hidden, const std::string& act) {
    norm1 = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    self_attn = register_module("self_attn", CrossAttention(dim, heads));
    norm2 = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    cross_attn = register_module("cross_attn", CrossAttention(dim, heads));
    ff = register_module("ff", FeedForward(dim, ff_hidden, act));
}

torch::Tensor QFormerBlockImpl::forward(const torch::Tensor& queries, const torch::Tensor& media) {
    auto q1 = apply_layer_norm(norm1, queries);
    auto h = queries + self_attn(q1, q1);  // [B, Q, D]
    h = h +
        cross_attn(apply_layer_norm(norm2, h), media);  // [B, Q, D]: every query sees every frame's tokens
    return h + ff(h);                                   // [B, Q, D]
}

BindBlockImpl::BindBlockImpl(int64_t dim, int64_t hidden) {
    norm = register_module("norm", ProjRMSNorm(dim));
    w1 = register_module("w1", linear(dim, hidden, false));
    w2 = register_module("w2", linear(hidden, dim, false));
    w3 = register_module("w3", linear(dim, hidden, false));
}

torch::Tensor BindBlockImpl::forward(const torch::Tensor& x) {
    auto n = norm(x);
    return x + w2(torch::silu(w1(n)) * w3(n));
}

ProjectorImpl::ProjectorImpl(const ProjectorConfig& c) : config(c) {
    const int64_t Din = c.in_features, Dout = c.out_features;
    const std::string& t = c.type;
    if (t == "linear") {
        linear_1 = register_module("linear_1", linear(Din, Dout));
    } else if (t == "mlp2x_gelu" || t == "audio_stack") {
        const int64_t in = t == "audio_stack" ? Din * c.stack : Din;
        const int64_t hidden = c.hidden_features ? c.hidden_features : Dout;
        linear_1 = register_module("linear_1", linear(in, hidden));
        linear_2 = register_module("linear_2", linear(hidden, Dout));
    } else if (t == "dct" || t == "spectrum") {
        const int64_t hidden = c.hidden_features ? c.hidden_features : Dout;
        const int64_t cells = c.grid * c.grid + (t == "spectrum" ? 1 : 0);  // spectrum: + the mean picture
        linear_1 = register_module("linear_1", linear(cells * Din, hidden));
        if (t == "spectrum")
            norm = register_module(
                "norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.grid * c.grid * Din})));
        if (t == "dct")
            frequency_embedding =
                register_parameter("frequency_embedding", torch::zeros({c.num_latents, hidden}));
        linear_2 = register_module("linear_2", linear(hidden, Dout));
    } else if (t == "perceiver" || t == "qformer") {
        latents = register_parameter("latents", torch::zeros({c.num_latents, Din}));
        if (t == "qformer")
            frame_position_embedding =
                register_parameter("frame_position_embedding", torch::zeros({c.max_frames, Din}));
        layers = register_module("layers", torch::nn::ModuleList());
        for (int64_t i = 0; i < c.depth; ++i) {
            if (t == "perceiver")
                layers->push_back(PerceiverBlock(Din, c.heads, Din * c.ff_mult, c.act));
            else
                layers->push_back(QFormerBlock(Din, c.heads, Din * c.ff_mult, c.act));
        }
        norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({Din})));
        proj = register_module("proj", linear(Din, Dout));
    } else if (t == "bind") {
        const int64_t inner = c.hidden_features ? c.hidden_features : Din;
        proj_in = register_module("proj_in", linear(Din, inner));
        blocks = register_module("blocks", torch::nn::ModuleList());
        for (int64_t i = 0; i < c.depth; ++i) blocks->push_back(BindBlock(inner, inner * c.ff_mult));
        norm_out = register_module("norm_out", ProjRMSNorm(inner));
        proj_out = register_module("proj_out", linear(inner, Dout));
        gates = register_parameter("gates", torch::zeros({c.num_layers}));
    }
}

torch::Tensor ProjectorImpl::forward(const torch::Tensor& x_in) {
    const std::string& t = config.type;
    // Compute in the weights' dtype.
    torch::Tensor x = x_in.to(parameters().front().scalar_type());
    if (t == "linear") return linear_1(x);                                        // [B, N, Dout]
    if (t == "mlp2x_gelu") return linear_2(activation(config.act, linear_1(x)));  // [B, N, Dout]
    if (t == "audio_stack") {
        const int64_t B = x.size(0), N = x.size(1), D = x.size(2), k = config.stack;
        const int64_t T = (N + k - 1) / k;
        if (T * k != N) x = torch::cat({x, torch::zeros({B, T * k - N, D}, x.options())}, 1);  // pad the tail
        x = x.reshape({B, T, k * D});                          // [B, T, k*Din]
        return linear_2(activation(config.act, linear_1(x)));  // [B, T, Dout]
    }
    if (t == "perceiver") {
        const int64_t B = x.size(0);
        auto l = latents.unsqueeze(0).expand({B, -1, -1});  // [B, L, Din]
        for (auto& m : *layers) l = m->as<PerceiverBlockImpl>()->forward(x, l);
        return proj(apply_layer_norm(norm, l));  // [B, L, Dout]
    }
    if (t == "qformer") {
        TORCH_CHECK(x.dim() == 4, "qformer expects [B, frames, tokens, D]");
        const int64_t B = x.size(0), F = x.size(1), N = x.size(2), D = x.size(3);
        TORCH_CHECK(F <= config.max_frames, "qformer: ", F, " frames exceed max_frames ", config.max_frames);
        auto media = x + frame_position_embedding.narrow(0, 0, F).view({1, F, 1, D});  // [B, F, N, D]
        media = media.reshape({B, F * N, D});                                          // [B, F*N, D]
        auto q = latents.unsqueeze(0).expand({B, -1, -1});                             // [B, Q, D]
        for (auto& m : *layers) q = m->as<QFormerBlockImpl>()->forward(q, media);
        return proj(apply_layer_norm(norm, q));  // [B, Q, Dout]
    }
    if (t == "spectrum") {  // [B, N, D] -> one token [B, 1, Dout]
        TORCH_CHECK(x.dim() == 3, "spectrum expects [B, tokens, D]");
        // The mean picture (signed: its colour) beside log(1 + |DFT|) normalised: the zero frequency
        // is many times the others, and the shape lives in the others (the demo's shape question
        // learns in 100 steps, not 300).
        auto spectrum = torch::log1p(pooled_cells(x, config.grid, /*magnitude_spectrum=*/true));
        auto cells = torch::cat({pooled_cells(x, 1, false).to(x.scalar_type()),
                                 apply_layer_norm(norm, spectrum.to(x.scalar_type()))},
                                -1);
        return linear_2(activation(config.act, linear_1(cells.unsqueeze(1))));  // [B, 1, Dout]
    }
    if (t == "dct") {
        TORCH_CHECK(x.dim() == 4, "dct expects [B, frames, tokens, D]");
        const int64_t B = x.size(0), F = x.size(1), K = config.num_latents;
        auto cells = pooled_cells(x.flatten(0, 1), config.grid, false).view({B, F, -1});  // [B, F, g*g*D]
        // Temporal DCT-II with amplitude-preserving weights: frequency 0 is the mean frame,
        // frequency k < F weighs frame f by (2/F) cos(pi (f + 1/2) k / F); frequencies >= F are zero.
        auto f = torch::arange(F, torch::TensorOptions().dtype(torch::kFloat64)) + 0.5;         // [F]
        auto k = torch::arange(K, torch::TensorOptions().dtype(torch::kFloat64)).unsqueeze(1);  // [K, 1]
        auto basis = torch::cos(k * f.unsqueeze(0) * (M_PI / double(F))) * (2.0 / double(F));   // [K, F]
        basis.select(0, 0).fill_(1.0 / double(F));
        if (K > F) basis.narrow(0, F, K - F).zero_();
        auto coeffs = torch::matmul(basis.to(x.options()), cells);     // [B, K, g*g*D]
        auto h = linear_1(coeffs) + frequency_embedding.unsqueeze(0);  // [B, K, hidden]
        return linear_2(activation(config.act, h));                    // [B, K, Dout]
    }
    // bind: [B, Din] -> [B, Dout]
    auto h = proj_in(x);
    for (auto& m : *blocks) h = m->as<BindBlockImpl>()->forward(h);
    return proj_out(norm_out(h));
}

void ProjectorImpl::init_weights(uint64_t seed) {
    torch::NoGradGuard no_grad;
    auto gen = at::detail::createCPUGenerator(seed);
    for (auto& p : named_parameters(true)) {
        auto& v = p.value();
        const std::string& k = p.key();
        const bool is_norm = k.find("norm") != std::string::npos;
        if (k == "gates" || (k.size() > 5 && k.compare(k.size() - 5, 5, ".bias") == 0 && !is_norm)) {
            v.zero_();
        } else if (is_norm) {
            if (k.size() > 5 && k.compare(k.size() - 5, 5, ".bias") == 0)
                v.zero_();
            else
                v.fill_(1.0);
        } else if (v.dim() == 2 &&
                   (k == "latents" || k == "frame_position_embedding" || k == "frequency_embedding")) {
            // N(0, 0.02). The seeds' N(0, 1) (Flamingo's torch.randn latents, Video-LLaMA's
            // nn.Embedding frame positions) swamped the small encoders' features in the demo task's
            // quickstart (video colour fell from 100% to 48%; docs/benchmarks.md).
            v.copy_(at::normal(0.0, 0.02, v.sizes(), gen));
        } else if (v.dim() == 2) {
            const double bound = 1.0 / std::sqrt(double(v.size(1)));  // as torch.nn.Linear's default
            v.copy_(at::empty(v.sizes()).uniform_(-bound, bound, gen));
        }
    }
}

}  // namespace atelier

#include "common/error.h"
#include "common/files.h"
#include "io/safetensors.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace atelier {

void save_projector(ProjectorImpl& projector, const std::string& dir, const std::string& name) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(dir, ec);
    TensorMap tensors;
    for (auto& p : projector.named_parameters(true)) {
        auto t = p.value().detach().to(torch::kCPU, torch::kFloat32).contiguous();
        tensors[p.key()] =
            make_owned_tensor(DType::F32, t.sizes().vec(), t.data_ptr(), t.numel() * sizeof(float));
    }
    write_safetensors((fs::path(dir) / (name + ".safetensors")).string(), tensors, {{"format", "pt"}});
    write_text_file((fs::path(dir) / (name + ".json")).string(), projector.config.to_json() + "\n");
}

Projector load_projector(const std::string& dir, const std::string& name, torch::Dtype dtype,
                         torch::Device device) {
    namespace fs = std::filesystem;
    const fs::path json_path = fs::path(dir) / (name + ".json");
    const fs::path weights = fs::path(dir) / (name + ".safetensors");
    std::error_code ec;
    if (!fs::is_regular_file(json_path, ec))
        throw Error(ErrorCode::FileNotFound, json_path.string(), "projector config not found");
    std::ifstream f(json_path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    ProjectorConfig cfg = ProjectorConfig::from_json(ss.str(), json_path.string());
    if (!fs::is_regular_file(weights, ec))
        throw Error(ErrorCode::FileNotFound, weights.string(), "projector weights not found");
    TensorMap tensors = load_safetensors_dir(weights.string());
    Projector proj(cfg);
    load_weights(*proj, tensors, "", dtype, device, weights.string());
    return proj;
}

}  // namespace atelier
