// Kernels on AMX tiles for bf16 inference: a GEMM for linears over many rows (prefill, encoders),
// where LibTorch repacks each weight on every call, and fused attention for the encoders' bf16 inference
// (CLIP, Whisper) on CPUs with AMX tiles.
//
// LibTorch 1.13 runs an encoder's attention as two oneDNN products with a 64-wide inner dimension
// around a softmax: per head q·kᵀ, the [N, N] scores written out in bf16, read back by the softmax,
// its probabilities written and read again by ·v. On the Xeon dev VM (AMX) the first product ran at
// 200-430 GFLOP/s where the encoders' linears run at 1200-2000, and attention took a fifth of a
// CLIP-L/336 encode and over a third of Whisper-base's. Here each block of 32 queries goes through
// AMX tiles: its scores against all keys into an f32 buffer that stays in L2, the softmax over each
// row (probabilities rounded to bf16, as LibTorch's bf16 path rounds them), and the product with v
// accumulated in f32 tiles.
//
//   if (atelier::attention_bf16_amx(q, k, v, /*stride=*/D, heads, N, 64, out, D)) { ... }
#pragma once

#include <cstdint>

namespace atelier {

// Whether attention_bf16_amx runs here: the CPU has AMX-TILE, AMX-BF16 and AVX512-BF16, Linux grants
// this process the tile state (arch_prctl), and ATELIER_MAX_ISA is unset.
bool cpu_has_amx_bf16();

// cpu_has_amx_bf16() and the environment variable `switch_name` is not "0": one AMX path's
// switch back to LibTorch's ops, for comparing the two (ATELIER_AMX_GEMM, ATELIER_FUSED_LORA).
bool amx_path_enabled(const char* switch_name);

// Unmasked multi-head attention over N positions for head_dim 64:
// out[n, h] = Σ_m softmax_m(q[n, h] · k[m, h]) v[m, h], q already scaled (by 1/sqrt(64)).
// q, k, v: bf16 bits, position n of head h at [n · stride + h · 64] (stride ≥ heads · 64, the
// [N, heads · 64] rows a linear layer writes); out likewise with out_stride. Threads: LibTorch's
// OpenMP pool. Returns false, writing nothing, where it does not run (no AMX, head_dim ≠ 64).
bool attention_bf16_amx(const uint16_t* q, const uint16_t* k, const uint16_t* v, int64_t stride,
                        int64_t heads, int64_t N, int64_t head_dim, uint16_t* out, int64_t out_stride);

// Whether the engine routes bf16 products to the AMX GEMMs below: AMX here (cpu_has_amx_bf16) and
// ATELIER_AMX_GEMM is not "0".
bool amx_gemm_enabled();

// y [M, N] = x [M, K] · wᵀ (+ bias), bf16 bits in and out (rows contiguous), f32 sums and bias
// (may be null), the weight read as stored ([N, K] rows, no packing kept). K and N multiples of 32.
// Threads: LibTorch's OpenMP pool. Returns false, writing nothing, where it does not run (no AMX,
// other sizes).
bool gemm_bf16_amx(const uint16_t* x, int64_t M, int64_t K, const uint16_t* w, int64_t N, const float* bias,
                   uint16_t* y);

// out [M, K] = a [M, N] · w [N, K] (the input's gradient of y = x · wᵀ, a = dy), bf16 bits in and
// out (rows contiguous), f32 sums, w read as stored. K and N multiples of 32; as gemm_bf16_amx.
bool gemm_bf16_amx_nn(const uint16_t* a, int64_t M, int64_t N, const uint16_t* w, int64_t K, uint16_t* out);

// One x against several weights (a layer's q, k, v; gate, up): y_p [M, N_p] = x · w_pᵀ (+ bias_p)
// for each part, x packed once and the parts' 32-row panels shared out as one product's. Each N_p a
// multiple of 32; the same sums per part as gemm_bf16_amx.
struct AmxPart {
    const uint16_t* w;  // [N, K]
    int64_t N;
    const float* bias;  // [N] or null
    uint16_t* y;        // [M, N]
};
bool gemm_bf16_amx_set(const uint16_t* x, int64_t M, int64_t K, const AmxPart* parts, int count);

// The input's gradient of such a set: out [M, K] = Σ_p dy_p [M, N_p] · w_p [N_p, K], one sum in f32
// over all the parts' rows (no partial results rounded to bf16 and added).
struct AmxGradPart {
    const uint16_t* dy;  // [M, N]
    int64_t N;
    const uint16_t* w;  // [N, K]
};
bool gemm_bf16_amx_nn_set(int64_t M, int64_t K, const AmxGradPart* parts, int count, uint16_t* out);

}  // namespace atelier
