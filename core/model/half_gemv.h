// Matrix-vector products with 16-bit weights and float32 activations, for decoding on CPUs without
// bf16 instructions (AVX2-only x86). Decode reads every weight once per token, so it is bound by
// memory bandwidth: keeping weights in bf16/f16 halves the bytes, and these kernels widen them to
// f32 in registers (bf16: a 16-bit shift; f16: F16C) instead of converting whole matrices.
//
//   // y[m, n] = sum_k x[m, k] * w[n, k]  (+ bias[n]); w row-major [N, K] of bf16
//   atelier::half_gemv(x, M, K, w_bits, /*bf16=*/true, N, bias_or_null, y);
//
// Rows are split across OpenMP threads (LibTorch's pool: at::set_num_threads applies). Meant for
// small M (decode: M = 1); a prompt of a few tokens goes to the *_gemm_small kernels below, longer
// ones to BLAS on widened weights.
#pragma once

#include <cstdint>

namespace atelier {

// x: [M, K] f32; w: [N, K] 16-bit (bf16 when `bf16`, else IEEE f16); bias: [N] f32 or null; y: [M, N] f32.
// One row: the AVX-512 or AVX2 pass; more rows: the AVX2 pass, four rows of x per pass.
void half_gemv(const float* x, int64_t M, int64_t K, const uint16_t* w, bool bf16, int64_t N,
               const float* bias, float* y);

// One bf16 activation row against bf16 weights (bf16 compute, M = 1): y f32. On CPUs with
// AVX512-BF16 one vdpbf16ps takes 32 weight-activation pairs (f32 sums; no widening, no split of x);
// elsewhere x is widened and half_gemv runs.
void bf16_gemv(const uint16_t* x, int64_t K, const uint16_t* w, int64_t N, const float* bias, float* y);

// A few bf16 activation rows x [M, K] against bf16 weights [N, K] (a prompt of a few tokens, bf16
// compute): y [M, N] f32, reading the weights once as bf16_gemv does. On CPUs with AVX512-BF16 and
// 1 <= M <= kBf16GemmSmallRows; returns false (and computes nothing) elsewhere. Each added row adds
// a dot product per weight load: on the Zen 5 dev VM a 1.1B prompt of 2-4 tokens prefilled in 56-101
// ms this way against 118-122 ms through LibTorch's GEMM, which wins from about 5 rows.
constexpr int kBf16GemmSmallRows = 4;
[[nodiscard]] bool bf16_gemm_small(const uint16_t* x, int64_t M, int64_t K, const uint16_t* w, int64_t N,
                                   const float* bias, float* y);

// Several matrices [N_i, K] against the same activation row (a layer's q, k and v; gate and up) in
// one parallel pass over all their rows: one fork and join instead of one per matrix, and each
// core's run of rows continues from one matrix into the next (on the Zen 5 dev VM a 1.1B model's
// bf16 matrices read 51.8-52.9 GB/s so, against 45.7-49.6 one by one). Each part's y equals what
// its own call computes, bit for bit.
struct GemvPart {
    const void* w;  // [N, K], of the set's weight type
    int64_t N;
    const float* bias;  // [N] or null
    float* y;           // [N]
};
// bf16 weights and activations, each part as bf16_gemv.
void bf16_gemv_set(const uint16_t* x, int64_t K, const GemvPart* parts, int count);
// f32 activations and weights of one type for all parts (`type`: f32, bf16 or f16), each part as
// gemv_f32 or half_gemv with M = 1.
enum class GemvWeights { F32, BF16, F16 };
void gemv_set(const float* x, int64_t K, GemvWeights type, const GemvPart* parts, int count);

// The same for f32 weights and one activation row (OpenBLAS sgemv reaches ~40% of bandwidth on 2 cores).
void gemv_f32(const float* x, int64_t K, const float* w, int64_t N, const float* bias, float* y);

// A few f32 activation rows x [M, K] (a prompt of a few tokens, f32 compute) against 16-bit weights
// (half_gemm_small) or f32 weights (gemm_f32_small): y [M, N] f32, each weight row read once for
// all M rows. On CPUs with AVX512-BF16 (kernels not built under MSVC) and 1 <= M <= kSmallGemmRows;
// return false (and compute nothing) elsewhere.
constexpr int kSmallGemmRows = 16;
[[nodiscard]] bool half_gemm_small(const float* x, int64_t M, int64_t K, const uint16_t* w, bool bf16,
                                   int64_t N, const float* bias, float* y);
[[nodiscard]] bool gemm_f32_small(const float* x, int64_t M, int64_t K, const float* w, int64_t N,
                                  const float* bias, float* y);

// Widens n 16-bit values to f32 (for prefill: BLAS then multiplies the widened weights).
void half_to_float(const uint16_t* src, int64_t n, bool bf16, float* dst);

// What the CPU offers these kernels (and row_kernels): AVX2+FMA+F16C; AVX512F+BW+VL+BF16 with the OS
// saving ZMM state. Both false off x86-64 (and the second under MSVC, whose kernels stay AVX2).
bool cpu_has_avx2_fma_f16c();
bool cpu_has_avx512_bf16();

// Which path half_gemv takes on this CPU with several rows: "avx2" or "scalar" (one row goes to the
// AVX-512 pass where cpu_has_avx512_bf16()); bf16_gemv: "avx512_bf16" or half_gemv's.
const char* half_gemv_isa();
const char* bf16_gemv_isa();

// Whether half_gemv decodes faster than LibTorch's 16-bit GEMM on this CPU when the activations are
// 16-bit too (bf16 compute): a CPU that "has bf16 instructions" is not thereby faster at M = 1.
// Measured once per process on 16 MiB of weights (a few milliseconds; defined in mixed_linear.cpp, beside
// the GEMM it is weighed against); ATELIER_HALF_GEMV=1 or 0 decides instead. mixed_linear uses it.
bool half_gemv_beats_gemm();

// Whether the GEMVs read rows on cache lines one per pass (hardware prefetch; 63-70 against 50-52
// GB/s on the EPYC VM, Zen 5) or several per pass with a software prefetch (77-80% against 84-87% of
// the bandwidth probe for f16 weights on the Xeon VM): on by default, set by choose_gemv_passes().
bool long_row_passes();
void set_long_row_passes(bool on);

// Measures once per machine (remembered in the cache folder, as half_gemv_beats_gemm is) which pass
// shape streams 512 MiB of weights faster here and sets it; ATELIER_LONG_ROWS=1 or 0 decides instead.
// The decode calls it before its first token. Defined in mixed_linear.cpp.
void choose_gemv_passes();

}  // namespace atelier
