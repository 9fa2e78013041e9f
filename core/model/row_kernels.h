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
// (four passes over a CLIP MLP's [577, 4096] for quick GELU; 3.3 ms of a 20 ms layer).
//
//   // y[r, c] = act(y[r, c] + bias[c]) * scale
//   atelier::bias_act_rows(y, /*bf16=*/true, rows, cols, bias, /*bias_bf16=*/true, 1.0f, RowAct::QuickGelu);
#pragma once

#include <cstdint>

namespace atelier {

// Which kernel runs: the best the CPU has, or (for tests) a narrower one.
enum class SoftmaxIsa { Best, Avx2, Scalar };

// None, or CLIP's quick GELU: x · sigmoid(1.702 x).
enum class RowAct { None, QuickGelu };

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

// "avx512", "avx2" or "scalar": the kernel SoftmaxIsa::Best picks on this CPU.
const char* softmax_rows_isa();

}  // namespace atelier
