// Row-wise softmax of attention scores for inference, in one pass over memory per row: f32 or bf16
// in, f32 or bf16 out, f32 arithmetic. LibTorch 1.13 on CPU has no fused attention and no mixed-dtype
// softmax, so `softmax(scores.to(f32)).to(bf16)` made three passes over the [heads, N, N] scores and
// took 49 ms of an 80 ms Whisper-base encoder layer (docs/benchmarks.md); this takes 5-10 ms.
//
//   // probs[r, :] = softmax(scores[r, :]); -inf entries (masks) give exactly 0
//   atelier::softmax_rows(scores, /*in_bf16=*/false, rows, cols, probs, /*out_bf16=*/true);
//
// Rows are split across OpenMP threads (LibTorch's pool). exp is a degree-6 polynomial after range
// reduction (≤ 2 ulp in f32); bf16 results are rounded to nearest even, as LibTorch rounds.
#pragma once

#include <cstdint>

namespace atelier {

// Which kernel runs: the best the CPU has, or (for tests) a narrower one.
enum class SoftmaxIsa { Best, Avx2, Scalar };

// in: rows × cols, contiguous, f32 (or bf16 bits when in_bf16); out likewise.
void softmax_rows(const void* in, bool in_bf16, int64_t rows, int64_t cols, void* out, bool out_bf16,
                  SoftmaxIsa isa = SoftmaxIsa::Best);

// "avx512", "avx2" or "scalar": the kernel SoftmaxIsa::Best picks on this CPU.
const char* softmax_rows_isa();

}  // namespace atelier
