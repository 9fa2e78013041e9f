// What half_gemv.cpp's dispatch and its kernels share, and the AVX2 kernels (gemv_avx2.cpp). Private to
// core/model: the public entry points are half_gemv.h's, which pick a kernel by what the CPU has
// (cpu_has_avx2_fma_f16c, cpu_has_avx512_bf16). No LibTorch.
#pragma once

#include "model/half_gemv.h"
#include "model/kernel_util.h"

#include <cstdint>
#include <cstring>
#include <vector>

namespace atelier::gemv {

using kernel::bf16_to_float;

inline float f16_to_f32(uint16_t h) {
    const uint32_t sign = uint32_t(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff, bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {  // subnormal: normalise
            exp = 127 - 15 + 1;
            while (!(mant & 0x400)) {
                mant <<= 1;
                --exp;
            }
            bits = sign | (exp << 23) | ((mant & 0x3ff) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000 | (mant << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

// Whether every row of a row-major [N, K] matrix at `w` starts on a 64-byte cache line.
template <typename T>
inline bool rows_aligned(const T* w, int64_t K) {
    return reinterpret_cast<uintptr_t>(w) % 64 == 0 && (K * int64_t(sizeof(T))) % 64 == 0;
}

// Whether the long kernels read the rows, one per pass: rows on cache lines, and long enough to fill
// the kernels' steps. Shorter ones (a small model's 64-wide rows) go sixteen at a time: one pass per
// row spent more on its reduction of eight sums than on the row.
// long_row_passes() (half_gemv.h) turns the one-row passes off where the decode measured the
// multi-row ones faster on this machine.
constexpr int64_t kLongRowMin = 1024;
template <typename T>
inline bool long_rows(const T* w, int64_t K) {
    return K >= kLongRowMin && rows_aligned(w, K) && long_row_passes();
}

enum class Weights { F32, F16, BF16 };

template <Weights W>
struct WeightType {
    using type = uint16_t;
};
template <>
struct WeightType<Weights::F32> {
    using type = float;
};

// Σ row[k]·x[k] over k0 <= k < K: the part of a row the vector loop leaves.
template <Weights W>
inline float row_tail(const typename WeightType<W>::type* row, const float* x, int64_t k0, int64_t K) {
    float s = 0;
    for (int64_t k = k0; k < K; ++k) {
        if constexpr (W == Weights::F32)
            s += row[k] * x[k];
        else
            s += (W == Weights::BF16 ? bf16_to_float(row[k]) : f16_to_f32(row[k])) * x[k];
    }
    return s;
}

#if ATELIER_X86
// The AVX2 kernels (AVX2, FMA and F16C: call only where cpu_has_avx2_fma_f16c()). y = bias + w x for
// weight rows n0..n1 of a row-major [N, K] matrix.

// Up to 4 activation rows per pass (x: [M, K], y: [M, N]) against f16 or bf16 weights.
void avx2_rows(const float* x, int64_t M, int64_t K, const uint16_t* w, bool bf16, int64_t n0, int64_t n1,
               int64_t N, const float* bias, float* y);

// One activation row against weight rows n0..n1 of a row-major [N, K] matrix of `type`: one row per
// pass where `aligned_long` (long_rows: rows on cache lines, no software prefetch), else eight per pass
// and the rest one by one. xs is x as split_even_odd gives it for bf16 weights, x itself otherwise (x
// is read for the K % 16 tail).
void avx2_rows_x1(Weights type, bool aligned_long, const float* xs, const float* x, int64_t K, const void* w,
                  int64_t n0, int64_t n1, const float* bias, float* y);

// n f16 or bf16 values widened to f32.
void avx2_widen(const uint16_t* src, int64_t n, bool bf16, float* dst);
#endif

// x as the AVX2 kernels take it for bf16 weights: each 16-element chunk's 8 even then 8 odd elements
// (the K % 16 tail is read from x itself).
std::vector<float> split_even_odd(const float* x, int64_t K);

}  // namespace atelier::gemv
