// Row kernels for inference that LibTorch 1.13 runs as several passes over memory, each one pass
// per row with f32 arithmetic on f32 or bf16 data (bf16 rounded to nearest even, as LibTorch rounds).
// Rows are split across OpenMP threads (LibTorch's pool); exp is a degree-6 polynomial after range
// reduction (≤ 2 ulp in f32).
//
// softmax_rows: attention scores to probabilities. LibTorch has no fused attention and no
// mixed-dtype softmax on the CPU, so `softmax(scores.to(f32)).to(bf16)` made three passes over the
// [heads, N, N] scores and took 49 ms of an 80 ms Whisper-base encoder layer (docs/benchmarks.md);
// this takes 5-10 ms.
//
//   // probs[r, :] = softmax(scores[r, :]); -inf entries (masks) give exactly 0
//   atelier::softmax_rows(scores, /*in_bf16=*/false, rows, cols, probs, /*out_bf16=*/true);
//
// bias_act_rows: a linear layer's epilogue in place of LibTorch's bias add_, activation and scaling
// (four passes over a CLIP MLP's [577, 4096] for quick GELU; 3.3 ms of a 20 ms layer; LibTorch's bf16
// GELU took 2.6 ms of a 20 ms Whisper-base layer on its own).
//
//   // y[r, c] = act(y[r, c] + bias[c]) * scale
//   atelier::bias_act_rows(y, /*bf16=*/true, rows, cols, bias, /*bias_bf16=*/true, 1.0f, RowAct::QuickGelu);
#pragma once

#include <cstdint>

namespace atelier {

// Which kernel runs: the best the CPU has, or (for tests) a narrower one.
enum class SoftmaxIsa { Best, Avx2, Scalar };

// None, CLIP's quick GELU x · sigmoid(1.702 x), or the exact GELU x · Φ(x) (Whisper's; erfc to a
// relative 1.2e-7 in the vector kernels).
enum class RowAct { None, QuickGelu, Gelu };

// in: rows × cols, contiguous, f32 (or bf16 bits when in_bf16); out likewise.
void softmax_rows(const void* in, bool in_bf16, int64_t rows, int64_t cols, void* out, bool out_bf16,
                  SoftmaxIsa isa = SoftmaxIsa::Best);

// Causal attention after `first` cached positions: rows are groups of `period` queries, query t of
// a group (row r, t = r % period) sees the first min(cols, first + t + 1) columns, and the rest of
// its row is written as 0 — what adding a -inf upper-triangle mask before softmax_rows gives,
// without the f32 mask pass over [heads, T, S] scores (prefill). The visible scores are multiplied
// by `scale` (> 0; attention's 1/sqrt(head_dim)) inside the pass, not by a pass of their own.
void softmax_rows_causal(const void* in, bool in_bf16, int64_t rows, int64_t cols, void* out, bool out_bf16,
                         int64_t period, int64_t first, float scale, SoftmaxIsa isa = SoftmaxIsa::Best);

// y: rows × cols, contiguous, f32 (or bf16 bits when bf16), rewritten in place; bias: cols values
// (bf16 bits when bias_bf16) or null.
void bias_act_rows(void* y, bool bf16, int64_t rows, int64_t cols, const void* bias, bool bias_bf16,
                   float scale, RowAct act, SoftmaxIsa isa = SoftmaxIsa::Best);

// Training's elementwise layers as one pass each way (LibTorch's autograd ran RMSNorm as ~8 ops
// forward and ~12 backward, SwiGLU as 5; docs/benchmarks.md). f32 arithmetic on f32 or bf16 data.
//
// RMSNorm over rows × cols: y = w · cast(x · rstd), rstd = 1 / sqrt(mean(x²) + eps) per row, kept
// for the backward pass (rows floats). With bf16 data the normalised row is rounded to bf16 before
// the weight multiplies it, as RMSNormImpl's LibTorch ops round it. w: cols values (bf16 bits when
// w_bf16, which may differ from bf16: an f32 model computing with bf16 weights is not one).
void rms_norm_rows(const void* x, const void* w, bool bf16, bool w_bf16, int64_t rows, int64_t cols,
                   float eps, void* y, float* rstd, SoftmaxIsa isa = SoftmaxIsa::Best);
// LayerNorm over rows × cols for inference: y = (x - mean) · rstd · w + b in f32 arithmetic, rounded
// once into x's dtype — what LibTorch's f32 layer norm of the widened row gives, cast back, without
// the two casts' passes (an encoder layer's two norms of 16-bit rows). w, b: cols values (bf16 bits
// when w_bf16) or null.
void layer_norm_rows(const void* x, const void* w, const void* b, bool bf16, bool w_bf16, int64_t rows,
                     int64_t cols, float eps, void* y, SoftmaxIsa isa = SoftmaxIsa::Best);
// dx = rstd · (dy·w - x̂ · mean(dy·w·x̂)), x̂ = x · rstd (the weight is not trained here).
void rms_norm_backward_rows(const void* x, const void* w, const void* dy, const float* rstd, bool bf16,
                            bool w_bf16, int64_t rows, int64_t cols, void* dx,
                            SoftmaxIsa isa = SoftmaxIsa::Best);
// y = silu(gate) · up over n elements (with bf16 data rounded at each step as LibTorch 1.13's bf16
// silu and product round); and its backward: dgate = dy·up·σ(g)·(1 + g·(1 - σ(g))), dup = dy·silu(g).
void swiglu(const void* gate, const void* up, bool bf16, int64_t n, void* y,
            SoftmaxIsa isa = SoftmaxIsa::Best);
void swiglu_backward(const void* gate, const void* up, const void* dy, bool bf16, int64_t n, void* dgate,
                     void* dup, SoftmaxIsa isa = SoftmaxIsa::Best);

// Softmax's backward over rows × cols of probabilities p and their gradient dp (f32 or bf16 alike):
// ds = scale · p · (dp - Σ_row dp·p). Masked entries (p = 0) get 0. With scale = 1/sqrt(hd), the
// gradient of softmax_rows_causal's input.
void softmax_backward_rows(const void* p, const void* dp, bool bf16, int64_t rows, int64_t cols, float scale,
                           void* ds, SoftmaxIsa isa = SoftmaxIsa::Best);

// Token cross-entropy over rows × cols logits (f32 or bf16) with one target column per row:
// lse[r] = log Σ_c exp(x[r, c]) (kept for the backward pass) and loss[r] = lse[r] - x[r, target[r]];
// a row whose target is outside [0, cols) (an ignored label) gets loss 0. One read of the logits,
// f32 arithmetic: LibTorch's log_softmax + nll_loss wrote [rows, cols] f32 log-probabilities (and,
// for bf16 logits, an f32 copy first) and read them back, forward and backward.
void cross_entropy_rows(const void* logits, bool bf16, int64_t rows, int64_t cols, const int64_t* target,
                        float* loss, float* lse, SoftmaxIsa isa = SoftmaxIsa::Best);
// The gradient of Σ_r loss[r] times g, in the logits' dtype: dx[r, c] = g · (exp(x[r, c] - lse[r]) -
// [c == target[r]]); 0 on an ignored row.
void cross_entropy_backward_rows(const void* logits, bool bf16, int64_t rows, int64_t cols,
                                 const int64_t* target, const float* lse, float g, void* dx,
                                 SoftmaxIsa isa = SoftmaxIsa::Best);

// Dropout's product with its mask: y[i] = x[i] · (keep[i] ? scale : 0) over n f32 or bf16 values
// (bf16 rounded to nearest even, as LibTorch's bf16 product rounds), in one pass where LibTorch
// widened the keep bytes to a mask in x's dtype, scaled it and multiplied. Also dropout's backward.
void masked_scale(const void* x, bool bf16, const uint8_t* keep, float scale, int64_t n, void* y,
                  SoftmaxIsa isa = SoftmaxIsa::Best);

// Dropout's keep bytes (dropout_mask.cpp): element i of n, in rows of per_row elements, is row
// first_row + i / per_row, column j = i % per_row, and kept (1, else 0) when the low 32 bits of
// mix64(base + kGoldenGamma · (((first_row + row) << 40) + j)) are at least threshold (p · 2^32 for a
// drop probability p). The same bytes for every kernel and thread count; a row's mask does not depend
// on which rows share its batch.
void dropout_keep_mask(uint64_t base, uint64_t first_row, int64_t per_row, uint32_t threshold, int64_t n,
                       uint8_t* keep, SoftmaxIsa isa = SoftmaxIsa::Best);

// Rotary position embedding, rotate-half layout (rope_kernels.cpp): x [B, T, H, hd] (a linear's
// output) into out [B, H, T, hd] (heads first, as attention reads them), out = x·cos + rotate_half(x)·sin
// with cos and sin [T, hd] in x's dtype (f32 or bf16), rounded as LibTorch's ops round: each product,
// then the sum (bf16 to nearest even). The backward pass takes the output's gradient [B, H, T, hd]
// to x's gradient [B, T, H, hd] (as LibTorch's autograd rounds it). SoftmaxIsa::Best uses AVX-512
// where hd is a multiple of 32; the results are the same.
void rope_rows(const void* x, bool bf16, int64_t B, int64_t T, int64_t H, int64_t hd, const void* cos,
               const void* sin, void* out, SoftmaxIsa isa = SoftmaxIsa::Best);
void rope_rows_backward(const void* g, bool bf16, int64_t B, int64_t T, int64_t H, int64_t hd,
                        const void* cos, const void* sin, void* dx, SoftmaxIsa isa = SoftmaxIsa::Best);

// "avx512", "avx2" or "scalar": the kernel SoftmaxIsa::Best picks on this CPU.
const char* softmax_rows_isa();

}  // namespace atelier
