// TensorData (the torch-free tensor currency of core/io) into LibTorch, and module weights by
// checkpoint name. Engine code only.
//
//   auto w = tensor_from_data(tensors.at("model.norm.weight"), torch::kFloat32, torch::kCPU);
//   load_weights(*clip, tensors, "vision_model.", torch::kFloat32, torch::kCPU, dir);
#pragma once

#include "io/tensor_data.h"

#include <memory>

#include <torch/torch.h>

#include <string>
#include <vector>

namespace atelier {

torch::Dtype torch_dtype_of(DType d);

// Zero-copy when the stored dtype is the target on CPU: the tensor aliases the checkpoint's memory
// (an mmap for safetensors) and keeps it alive. Such weights are frozen, never written in place.
torch::Tensor tensor_from_data(const TensorData& t, torch::Dtype dtype, torch::Device device);

// Bytes a tensor of `numel` elements of `dtype` takes in a weight arena: rounded up to 64, so every
// tensor in it starts on a cache line.
size_t arena_bytes(int64_t numel, torch::Dtype dtype);
// `t` converted to `dtype` and copied into `arena` at `offset` (advanced by arena_bytes); the tensor
// keeps the arena alive. CPU only.
torch::Tensor tensor_into_arena(const TensorData& t, torch::Dtype dtype,
                                const std::shared_ptr<uint8_t>& arena, size_t& offset);

// Sets every parameter of `module` from tensors[prefix + name] (names are checkpoint keys) and
// freezes it; MissingTensor / ShapeMismatch / UnknownDtype name `where` and the key.
void load_weights(torch::nn::Module& module, const TensorMap& tensors, const std::string& prefix,
                  torch::Dtype dtype, torch::Device device, const std::string& where);

// Softmax over the last dimension of attention scores, returned in `dtype` (f32 arithmetic either
// way). Under c10::InferenceMode (generation, media encoding) with f32 or bf16 scores on the CPU:
// one fused pass (model/row_kernels.h); otherwise LibTorch's softmax in f32, then `dtype`.
torch::Tensor attention_softmax(const torch::Tensor& scores, torch::Dtype dtype);

// softmax(scores / divisor + mask) for causal attention, returned in `dtype`: mask [T, S] is the
// -inf upper triangle of T queries after S - T cached positions (query t of each group of rows in
// scores [..., rep * T, S] sees keys 0..S-T+t). Under inference on the CPU (f32 or bf16) the mask and
// 1/divisor are applied inside one fused pass (model/row_kernels.h) and `mask` is not read; otherwise
// the scores are divided, widened to f32 and masked, then LibTorch's softmax runs.
torch::Tensor causal_attention_softmax(const torch::Tensor& scores, torch::Dtype dtype,
                                       const torch::Tensor& mask, double divisor);

// RMSNorm (LLaMA's): w · cast(x · rsqrt(mean(x²) + eps)), the statistics in f32, the result in x's
// dtype. On the CPU with f32 or bf16 x (w of x's dtype, or bf16 with f32 x): one fused pass forward
// and one backward (model/row_kernels.h; a custom autograd node, w's gradient too where it is
// trained), where LibTorch's ops took ~20 passes; otherwise those ops.
torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& w, double eps);

// silu(gate) · up, LLaMA's MLP activation. On the CPU with f32 or bf16 inputs of one dtype and shape:
// one fused pass forward and one backward; otherwise LibTorch's silu and product.
torch::Tensor swiglu(const torch::Tensor& gate, const torch::Tensor& up);

// Rotary position embedding of a layer's q or k straight from its linear: x [B, T, H·hd] → [B, H, T,
// hd] = x·cos + rotate_half(x)·sin with cos, sin [T, hd] (the positions' rows). On AVX512-BF16 CPUs
// with f32 or bf16 shared by all three: one pass each way, contiguous (model/row_kernels.h; a custom
// autograd node), where LibTorch took a view, five ops and a copy to lay the heads out, and as many
// back; the same values bit for bit. Elsewhere (or ATELIER_FUSED_LAYERS=0) those ops, as a view.
torch::Tensor rope_heads(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                         int64_t H);

// Summed token cross-entropy of logits [N, V] against labels [N] (int64; rows labelled ignore_index
// count 0), as a float32 scalar: cross_entropy(logits.to(f32), labels, ignore_index, sum). On the CPU
// with f32 or bf16 logits: one pass each way (model/row_kernels.h) without LibTorch's [N, V] f32
// copy and log-probabilities; its gradient comes in the logits' dtype. A label outside [0, V) that
// is not ignore_index is an InvalidArgument error, as in LibTorch.
torch::Tensor token_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels,
                                  int64_t ignore_index);

// `ln` applied to x. 16-bit inputs on the CPU are normalised in float32 and cast back (weight and
// bias widened too; gradients flow as through torch's): LibTorch 1.13's bf16 layer norm kernel took
// 1.6 ms on a CLIP-L layer's [577, 1024] where the round trip through f32 takes 0.24 ms. bf16
// inference runs the same arithmetic as one pass (layer_norm_rows): no f32 copy of x and back.
torch::Tensor apply_layer_norm(torch::nn::LayerNorm& ln, const torch::Tensor& x);

// x · wᵀ (+ b) for bf16 on the CPU through the engine's AMX GEMM (amx_kernels.h), or an undefined
// tensor where it does not apply: no AMX, other dtypes, a weight or bias that is trained, or shapes
// where oneDNN's GEMM is as fast. Where x needs a gradient (training adapters on a frozen model)
// its gradient dy · w runs on AMX too (gemm_bf16_amx_nn). oneDNN repacks the weight on every call; the AMX
// GEMM reads it as stored, which on the Xeon dev VM ran a 128-row prefill's [128, 2048] × [2048, 5632] at
// 1560 against 1130 GFLOP/s (weights cycling through memory) and CLIP-L's [577, 4096] × [4096, 1024] at 1420
// against 1030; with K or N under 1024 (Whisper-base; LLaMA's k and v of 256) oneDNN matched or won.
// ATELIER_AMX_GEMM=0 keeps LibTorch's GEMM everywhere.
// The result is contiguous, [..., N]: amx_linear_set (below) of the one weight.
torch::Tensor amx_linear(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b);

// amx_linear for several weights that read the same x (a layer's q, k, v; gate, up): x packed once,
// and where x needs a gradient one dx = Σ dy_p · w_p summed in f32 (not a product per weight and
// adds). Each weight's N a multiple of 32 and their sum at least 1024, so a 1.1B's k and v (N = 256,
// left to oneDNN alone) run on AMX beside q. Biases: undefined or one per weight. Empty where it
// does not apply (as amx_linear).
std::vector<torch::Tensor> amx_linear_set(const torch::Tensor& x, const std::vector<torch::Tensor>& ws,
                                          const std::vector<torch::Tensor>& bs);

// torch::linear(x, w, b) for bf16 inference on the CPU with the rows (all but the last dimension)
// padded with zeros to the count oneDNN's bf16 GEMM runs fastest for that shape on this machine, the
// extra rows dropped as a view. Its speed swings with the row count, differently per CPU: on the
// Xeon dev VM (AMX) [M, 1024] x [1024, 1024] ran at 1500-1700 GFLOP/s for most M near 577 but at
// 240-500 for 570, 580, 583, 590, 610 and 620 rows; on the EPYC one (Zen 5) 577 rows ran at 380-410
// against 570-640 for 580-600. So the count is measured, once per shape and process, among M and M
// rounded up to a multiple of 8, 16 and 32 (the
// padding must win by 10%, its copy included). Only the encoders use it (a 601-position LLaMA prefill
// did not move). Shapes amx_linear takes go there first. The result is contiguous.
torch::Tensor linear_rows_padded(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b);

// Dropout (train mode) as LibTorch's torch::dropout computes it — x · mask / (1 - p), the mask and
// scale in x's dtype, gradients through the product — but the mask from a counter-based hash of one
// 64-bit seed drawn from LibTorch's default CPU generator, in parallel. LibTorch 1.13's CPU bernoulli
// draws a double per element on one thread under the generator's lock: 15% of a LoRA training step
// (dropout on each adapted projection's input). Reproducible as before: seeding (or restoring) the
// default generator gives the same masks, whatever the thread count. With f32 or bf16 x the product
// is one pass each way (masked_scale, keeping the mask's bytes rather than a mask in x's dtype), bit
// for bit LibTorch's. CPU only; elsewhere, and for p = 0 or 1, it is torch::dropout.
// Each row along the first dimension draws its mask from its own counters, so a row's mask depends on
// the seed and the row's number only: set_dropout_first_row (data-parallel training: this process's
// first row in the whole batch; default 0) numbers them.
torch::Tensor fast_dropout(const torch::Tensor& x, double p);
void set_dropout_first_row(int64_t row);

// The mask fast_dropout draws for x (CPU, 0 < p < 1), as keep bytes (x.numel(), 1 = kept) and the
// kept values' factor 1 / (1 - p) rounded into x's dtype: for kernels that apply dropout inside their
// own pass (the fused LoRA branch). Draws from the default generator as fast_dropout does.
struct DropoutKeep {
    torch::Tensor keep;  // uint8, flat
    float scale = 1;
};
DropoutKeep dropout_keep(const torch::Tensor& x, double p);

}  // namespace atelier
