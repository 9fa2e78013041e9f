// LoRA's branch of a bf16 linear in training, out = y + α · B·A·dropout(x), as one pass forward and
// one backward (lora_kernels.cpp) on CPUs with AMX tiles. LibTorch ran each adapted projection's branch
// as ~6 ops forward and ~14 backward: dropout's product with its mask both ways, the rank-r products
// in oneDNN, casts of A and B from their f32 master copies and of their gradients back, addmm's copy
// of y, the sum of the branch's and the base's input gradients. On the 1.1B bench model that was
// 0.36 s of a 1.44 s LoRA step (docs/benchmarks.md, 2026-12-03). No LibTorch.
//
//   if (atelier::lora_fused_applies(K, N, r)) {
//       atelier::lora_forward(x, keep, 1 / (1 - p), A, B, r, alpha, y, M, K, N, ha, hp, y);  // y += branch
//       ...
//       atelier::lora_backward(hp, keep, 1 / (1 - p), A, B, r, alpha, ha, dy, M, K, N, dx, dA, dB);
//   }
#pragma once

#include <cstdint>

namespace atelier {

// The kernels run here: the CPU has AMX-BF16 (cpu_has_amx_bf16: ATELIER_MAX_ISA unset), K and N are
// multiples of 32, 1 ≤ r ≤ 64, and ATELIER_FUSED_LORA is not 0 (LibTorch's ops, for comparison).
bool lora_fused_applies(int64_t K, int64_t N, int64_t r);

// The width of the branch's hidden rows (ha): r rounded up to a multiple of 32.
int64_t lora_hidden_width(int64_t r);
// The rows of h's pairs (hp) for M rows: M rounded up to 32, halved.
int64_t lora_pair_rows(int64_t M);

// x [M, K] and y, out [M, N]: bf16 bits, rows contiguous; keep [M, K]: dropout's keep bytes (0 or 1;
// null: no dropout), keep_scale the kept values' factor; A [r, K] and B [N, r]: f32 (the adapter's
// master weights, rounded to bf16 here as `A.to(bf16)` rounds them).
//   h   = bf16(x · (keep ? keep_scale : 0))      dropout, rounded as masked_scale rounds it
//   ha  = bf16(h · Aᵀ)                          [M, lora_hidden_width(r)], zero past r: the backward's
//   out = bf16(y + alpha · ha · Bᵀ)             out may be y
//   hp  = h's rows 2p and 2p + 1 interleaved    [lora_pair_rows(M)][K] 32-bit words, zero past M: the
//                                               backward's; null when no backward follows
// Products of bf16 values summed in f32 (AMX tiles), each result rounded once. Threads: OpenMP's.
void lora_forward(const uint16_t* x, const uint8_t* keep, float keep_scale, const float* A, const float* B,
                  int64_t r, float alpha, const uint16_t* y, int64_t M, int64_t K, int64_t N, uint16_t* ha,
                  uint32_t* hp, uint16_t* out);

// The gradients from dy = ∂L/∂out [M, N] (bf16 bits; ∂L/∂y is dy itself), with hp, keep, A, B and ha
// as the forward pass left them:
//   dh = bf16(alpha · dy · B)                   [M, r]
//   dx = bf16(keep ? keep_scale · dh · A : 0)   [M, K] bf16; not computed where dx is null
//   dA = dhᵀ · h                                [r, K] f32
//   dB = alpha · dyᵀ · ha                       [N, r] f32
void lora_backward(const uint32_t* hp, const uint8_t* keep, float keep_scale, const float* A, const float* B,
                   int64_t r, float alpha, const uint16_t* ha, const uint16_t* dy, int64_t M, int64_t K,
                   int64_t N, uint16_t* dx, float* dA, float* dB);

}  // namespace atelier
