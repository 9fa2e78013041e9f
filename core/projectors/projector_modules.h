// The LibTorch modules of the projectors described in projectors/projector_config.h. Engine code
// only. Module names are the keys of the projector's safetensors file.
//
//   Projector proj(cfg);  proj->init_weights(seed);        // or load_weights(*proj, tensors, "", ...)
//   auto tokens = proj->forward(features /*[B, N, Din]; qformer, dct: [B, F, N, Din]*/);  // [B, T, Dout]
//   auto vec = proj->forward(pooled /*[B, Din]*/);          // bind: [B, Dout]
#pragma once

#include "projectors/projector_config.h"

#include <torch/torch.h>

namespace atelier {

struct ProjRMSNormImpl : torch::nn::Module {
    ProjRMSNormImpl(int64_t dim, double eps = 1e-6);
    torch::Tensor forward(const torch::Tensor& x);
    torch::Tensor weight;
    double eps;
};
TORCH_MODULE(ProjRMSNorm);

// Multi-head attention of queries over a context (to_q/to_k/to_v/to_out, no biases).
struct CrossAttentionImpl : torch::nn::Module {
    CrossAttentionImpl(int64_t dim, int64_t heads);
    torch::Tensor forward(const torch::Tensor& q_in /*[B, Q, D]*/, const torch::Tensor& ctx /*[B, N, D]*/);
    torch::nn::Linear to_q{nullptr}, to_k{nullptr}, to_v{nullptr}, to_out{nullptr};
    int64_t heads;
};
TORCH_MODULE(CrossAttention);

// LayerNorm -> fc1 -> act -> fc2.
struct FeedForwardImpl : torch::nn::Module {
    FeedForwardImpl(int64_t dim, int64_t hidden, std::string act);
    torch::Tensor forward(const torch::Tensor& x);
    torch::nn::LayerNorm norm{nullptr};
    torch::nn::Linear fc1{nullptr}, fc2{nullptr};
    std::string act;
};
TORCH_MODULE(FeedForward);

struct PerceiverBlockImpl : torch::nn::Module {
    PerceiverBlockImpl(int64_t dim, int64_t heads, int64_t ff_hidden, const std::string& act);
    torch::Tensor forward(const torch::Tensor& media, const torch::Tensor& latents);
    torch::nn::LayerNorm norm_media{nullptr}, norm_latents{nullptr};
    CrossAttention attn{nullptr};
    FeedForward ff{nullptr};
};
TORCH_MODULE(PerceiverBlock);

struct QFormerBlockImpl : torch::nn::Module {
    QFormerBlockImpl(int64_t dim, int64_t heads, int64_t ff_hidden, const std::string& act);
    torch::Tensor forward(const torch::Tensor& queries, const torch::Tensor& media);
    torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
    CrossAttention self_attn{nullptr}, cross_attn{nullptr};
    FeedForward ff{nullptr};
};
TORCH_MODULE(QFormerBlock);

struct BindBlockImpl : torch::nn::Module {
    BindBlockImpl(int64_t dim, int64_t hidden);
    torch::Tensor forward(const torch::Tensor& x);  // x + w2(silu(w1(norm x)) * w3(norm x))
    ProjRMSNorm norm{nullptr};
    torch::nn::Linear w1{nullptr}, w2{nullptr}, w3{nullptr};
};
TORCH_MODULE(BindBlock);

struct ProjectorImpl : torch::nn::Module {
    explicit ProjectorImpl(const ProjectorConfig& c);
    // Token path: [B, N, Din] (qformer, dct: [B, F, N, Din]) -> [B, output_tokens(N), Dout].
    // Bind: [B, Din] -> [B, Dout] (the vector gated into every layer).
    torch::Tensor forward(const torch::Tensor& x);
    // Fresh weights for training from scratch (deterministic in `seed`); bind gates start at zero.
    void init_weights(uint64_t seed);

    ProjectorConfig config;
    torch::nn::Linear linear_1{nullptr}, linear_2{nullptr};  // linear, mlp2x_gelu, audio_stack, spectrum, dct
    torch::Tensor frequency_embedding;                       // dct [num_latents, hidden]
    torch::Tensor latents;                                   // perceiver [L, Din]; qformer queries [Q, Din]
    torch::Tensor frame_position_embedding;                  // qformer [max_frames, Din]
    torch::nn::ModuleList layers{nullptr};                   // perceiver / qformer blocks
    torch::nn::LayerNorm norm{nullptr};  // perceiver / qformer [Din]; spectrum [grid*grid*Din]
    torch::nn::Linear proj{nullptr};     // perceiver / qformer: Din -> Dout
    torch::nn::Linear proj_in{nullptr}, proj_out{nullptr};  // bind
    torch::nn::ModuleList blocks{nullptr};                  // bind
    ProjRMSNorm norm_out{nullptr};                          // bind
    torch::Tensor gates;                                    // bind [num_layers], tanh-gated, zero-init
};
TORCH_MODULE(Projector);

}  // namespace atelier

namespace atelier {

// A projector as two files in `dir`: NAME.json (ProjectorConfig) and NAME.safetensors (its
// parameters, F32). save writes atomically; load validates the config and every tensor.
void save_projector(ProjectorImpl& projector, const std::string& dir, const std::string& name);
Projector load_projector(const std::string& dir, const std::string& name, torch::Dtype dtype,
                         torch::Device device);

}  // namespace atelier
