// The LibTorch modules of the LLaMA family. Engine/training code only: this header pulls in
// <torch/torch.h>; Qt code includes model/llama.h instead.
//
// Module names equal Hugging Face checkpoint keys, so `named_parameters()` of LlamaForCausalLM yields
// exactly "model.layers.0.self_attn.q_proj.weight", ... and loading is a lookup.
//
// Three extension points for adapters (core/adapters), off by default and never touching base weights:
//   - Linear::adapter (LinearAdapter): LoRA / LLaMA-Adapter-V2 bias+scale wrap a frozen projection;
//   - Attention::hook (AttentionHook): a gated extra attention branch (LLaMA-Adapter prefix) whose
//     output is added to the attention output of the layer;
//   - RMSNorm::adapter (NormAdapter): a trained replacement of the norm weight (LLaMA-Adapter V2).
// Multimodal inputs enter through LlamaForCausalLM::forward_embeddings.
//
//   LlamaForCausalLM net(config);
//   KVCache cache = net->make_cache(1, 512, torch::kFloat, torch::kCPU);
//   auto logits = net->forward(ids /*[B,T]*/, /*start_pos=*/0, &cache, /*last_only=*/true);  // [B,1,V]
#pragma once

#include "model/config.h"

#include <torch/torch.h>

#include <memory>
#include <vector>

namespace atelier {

// Replaces y = W x (+ b) by a function of x and y. LoRA: y + s * B(A(dropout(x))).
struct LinearAdapter {
    virtual ~LinearAdapter() = default;
    virtual torch::Tensor apply(const torch::Tensor& x, const torch::Tensor& y) = 0;
    // The adapter as y + scale · B (A x) (LoRA outside training), for the direct decode path: sets
    // A [r, in], B [out, r] and scale and returns true; false where apply is not of that form.
    virtual bool low_rank(torch::Tensor* /*A*/, torch::Tensor* /*B*/, double* /*scale*/) const {
        return false;
    }
};

// Replaces an RMSNorm's weight (LLaMA-Adapter V2 trains the norms without touching the base ones).
struct NormAdapter {
    virtual ~NormAdapter() = default;
    virtual torch::Tensor weight(const torch::Tensor& base) = 0;
};

// Extra attention branch. q: [B, n_heads, T, head_dim] after RoPE. Returns a tensor to add to the
// attention output (same shape) or an undefined tensor for none.
struct AttentionHook {
    virtual ~AttentionHook() = default;
    virtual torch::Tensor extra(int64_t layer, const torch::Tensor& q) = 0;
};

struct KVCache {
    std::vector<torch::Tensor> k, v;  // per layer [B, n_kv_heads, capacity, head_dim]
    int64_t capacity = 0;
};

// y = x w^T + b for any mix of dtypes: when the weights are 16-bit and the activations float32 (CPUs
// without bf16 instructions), decode-sized inputs use the bandwidth-bound half_gemv kernel and larger
// ones widen the weights for BLAS. Differentiable w.r.t. x outside inference mode.
torch::Tensor mixed_linear(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b);

// mixed_linear of one x with several weights (biases undefined or one per weight): where the rows
// are past the decode kernels' (a prompt, training) and AMX runs them (amx_linear_set) as one
// product, x packed once; otherwise one mixed_linear each.
std::vector<torch::Tensor> mixed_linear_set(const torch::Tensor& x, const std::vector<torch::Tensor>& ws,
                                            const std::vector<torch::Tensor>& bs);

struct LinearImpl : torch::nn::Module {
    LinearImpl(int64_t in_features, int64_t out_features, bool with_bias);
    torch::Tensor forward(const torch::Tensor& x);
    torch::Tensor weight;  // [out, in]
    torch::Tensor bias;    // [out] or undefined
    std::shared_ptr<LinearAdapter> adapter;
};
TORCH_MODULE(Linear);

// forward(x) of several linears that read the same x (q, k, v; gate, up): their frozen products
// through mixed_linear_set, each one's adapter applied to its own output.
std::vector<torch::Tensor> forward_linears(const torch::Tensor& x, const std::vector<LinearImpl*>& linears);

struct RMSNormImpl : torch::nn::Module {
    RMSNormImpl(int64_t dim, double eps);
    torch::Tensor forward(const torch::Tensor& x);
    torch::Tensor weight;  // [dim]
    double eps;
    std::shared_ptr<NormAdapter> adapter;
};
TORCH_MODULE(RMSNorm);

struct EmbeddingImpl : torch::nn::Module {
    EmbeddingImpl(int64_t vocab, int64_t dim);
    torch::Tensor forward(const torch::Tensor& ids) { return torch::embedding(weight, ids); }
    torch::Tensor weight;  // [vocab, dim]
};
TORCH_MODULE(Embedding);

// cos/sin of the rotary angles for every position, rotate-half layout: [positions, head_dim].
struct RopeTable {
    torch::Tensor cos, sin;
};
RopeTable make_rope_table(const ModelConfig& c, int64_t positions, torch::Dtype dtype, torch::Device device);

struct AttentionImpl : torch::nn::Module {
    AttentionImpl(const ModelConfig& c, int64_t layer_index);
    // x: [B, T, D]; mask: [T, S] additive (undefined when T == 1).
    torch::Tensor forward(const torch::Tensor& x, int64_t start_pos, const RopeTable& rope, KVCache* cache,
                          const torch::Tensor& mask);
    Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
    std::shared_ptr<AttentionHook> hook;
    int64_t layer, n_heads, n_kv_heads, head_dim;
};
TORCH_MODULE(Attention);

struct MLPImpl : torch::nn::Module {
    explicit MLPImpl(const ModelConfig& c);
    torch::Tensor forward(const torch::Tensor& x);  // down(silu(gate(x)) * up(x))
    Linear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
};
TORCH_MODULE(MLP);

struct DecoderLayerImpl : torch::nn::Module {
    DecoderLayerImpl(const ModelConfig& c, int64_t layer_index);
    torch::Tensor forward(const torch::Tensor& x, int64_t start_pos, const RopeTable& rope, KVCache* cache,
                          const torch::Tensor& mask);
    Attention self_attn{nullptr};
    MLP mlp{nullptr};
    RMSNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
};
TORCH_MODULE(DecoderLayer);

// "model.*" in HF checkpoints.
struct LlamaBackboneImpl : torch::nn::Module {
    explicit LlamaBackboneImpl(const ModelConfig& c);
    Embedding embed_tokens{nullptr};
    torch::nn::ModuleList layers;
    RMSNorm norm{nullptr};
};
TORCH_MODULE(LlamaBackbone);

struct LlamaForCausalLMImpl : torch::nn::Module {
    explicit LlamaForCausalLMImpl(const ModelConfig& c);

    torch::Tensor embed(const torch::Tensor& ids);  // [B, T] int64 -> [B, T, D]
    // h: [B, T, D] input embeddings placed at positions start_pos..start_pos+T-1. With a cache,
    // keys/values are written into it and attention sees everything cached before. A batch-1
    // cache under a batch-B input is a shared prefix: every row attends to its start_pos cached
    // positions and nothing is written (training a batch whose rows begin alike computes that
    // beginning once; gradients reach it through the cache). Returns float32 logits [B, T, V], or
    // [B, 1, V] for the last position only; in compute_dtype when f32_logits is false (training's
    // loss reads bf16 logits itself: token_cross_entropy, without a [B, T, V] f32 copy).
    torch::Tensor forward_embeddings(const torch::Tensor& h, int64_t start_pos = 0, KVCache* cache = nullptr,
                                     bool last_only = false, bool f32_logits = true);
    torch::Tensor forward(const torch::Tensor& ids, int64_t start_pos = 0, KVCache* cache = nullptr,
                          bool last_only = false, bool f32_logits = true);

    KVCache make_cache(int64_t batch, int64_t capacity, torch::Dtype dtype, torch::Device device) const;
    // The rotary table covers this many positions; grown on demand.
    void ensure_rope(int64_t positions);
    const torch::Tensor& output_weight() const;  // lm_head.weight, or the embedding when tied
    DecoderLayerImpl& layer(int64_t i) { return *model->layers[i]->as<DecoderLayerImpl>(); }

    ModelConfig config;
    // Activations, rotary table and KV cache use this dtype; weights may be narrower (bf16/f16
    // weights with f32 compute on CPUs without bf16 instructions).
    torch::Dtype compute_dtype = torch::kFloat32;
    // Training: keep only each layer's input and recompute the layer during backward (memory
    // O(layers) instead of O(layers x activations), about a third more compute).
    bool gradient_checkpointing = false;
    // LoRA on the output projection (PEFT's "lm_head" target; with tied embeddings it changes the
    // output side only).
    std::shared_ptr<LinearAdapter> head_adapter;
    LlamaBackbone model{nullptr};
    Linear lm_head{nullptr};  // null when tie_word_embeddings
    RopeTable rope;
};
TORCH_MODULE(LlamaForCausalLM);

torch::Dtype parse_dtype(const std::string& name);  // "f32" | "bf16" | "f16" (+ torch spellings)
std::string dtype_short_name(torch::Dtype d);

}  // namespace atelier
