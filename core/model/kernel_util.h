// What the hand-written CPU kernels (half_gemv.cpp, row_kernels.cpp) share: the x86 preamble
// (target attributes, which intrinsics the compiler offers), bf16 bits to float, and horizontal
// reductions of a vector register. Private to core/model; no LibTorch.
//
// GCC and Clang compile each kernel for its ISA with a target attribute; MSVC has none and needs
// none (it compiles AVX intrinsics in any function). The ISA is checked at run time either way.
#pragma once

#include <cstdint>
#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#define ATELIER_X86 1
#include <immintrin.h>
#if defined(_MSC_VER) && !defined(__clang__)
#define ATELIER_TARGET(isa)
// vdpbf16ps and vcvtneps2bf16 take or give __m512bh / __m256bh, which GCC and Clang reach by a vector
// cast; MSVC has no such cast, and runs the AVX2 kernels there.
#define ATELIER_X86_BF16_CASTS 0
#else
#define ATELIER_TARGET(isa) __attribute__((target(isa)))
#define ATELIER_X86_BF16_CASTS 1
#endif
#else
#define ATELIER_X86 0
#define ATELIER_X86_BF16_CASTS 0
#endif

// Around AVX-512 (and AMX) kernels: GCC 12's AVX-512 headers build some intrinsics on a
// self-initialised `__Y` and warn about it.
#if defined(__GNUC__) && !defined(__clang__)
#define ATELIER_AVX512_WARNINGS_OFF                                                            \
    _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wmaybe-uninitialized\"") \
        _Pragma("GCC diagnostic ignored \"-Wuninitialized\"")
#define ATELIER_AVX512_WARNINGS_ON _Pragma("GCC diagnostic pop")
#else
#define ATELIER_AVX512_WARNINGS_OFF
#define ATELIER_AVX512_WARNINGS_ON
#endif

// The loops over a pass's rows index arrays of vector registers: unrolled they stay in registers;
// GCC 12 at -O2 (RelWithDebInfo) leaves them rolled and keeps the sums in memory, a load and a store
// per multiply-add (on an EPYC dev VM the bf16 GEMV over a 1.1B model's matrices read 34-36 GB/s
// rolled against 49-51 unrolled; bench_generate bf16 decode 13.3 -> 17.1-18.0 tok/s).
#if defined(__clang__)
#define ATELIER_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define ATELIER_UNROLL _Pragma("GCC unroll 32")
#else
#define ATELIER_UNROLL
#endif

namespace atelier::kernel {

inline float bf16_to_float(uint16_t h) {
    const uint32_t bits = uint32_t(h) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

// Round to nearest even, NaN kept a (quiet) NaN: what LibTorch's float -> bfloat16 does.
inline uint16_t float_to_bf16_bits(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return 0x7fc0;
    return static_cast<uint16_t>((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
}

// v as LibTorch rounds it into bf16, as a float.
inline float round_bf16_value(float v) {
    return bf16_to_float(float_to_bf16_bits(v));
}

// Element i of a f32 or bf16 array, as a float; and v stored there (bf16 rounded to nearest even).
inline float load_scalar(const void* in, bool bf16, int64_t i) {
    return bf16 ? bf16_to_float(static_cast<const uint16_t*>(in)[i]) : static_cast<const float*>(in)[i];
}

inline void store_scalar(void* out, bool bf16, int64_t i, float v) {
    if (bf16)
        static_cast<uint16_t*>(out)[i] = float_to_bf16_bits(v);
    else
        static_cast<float*>(out)[i] = v;
}

#if ATELIER_X86

ATELIER_TARGET("avx2,fma") inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

ATELIER_TARGET("avx2,fma") inline float hmax8(__m256 v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// In registers: lanes 0-7 plus 8-15, then as hsum8 (GCC 12's _mm512_reduce_add_ps warns of an
// undefined upper half; the store and two loads this replaced waited on store forwarding, and called
// hsum8 out of line: GCC does not inline it across the two targets).
ATELIER_TARGET("avx512f") inline float hsum16(__m512 v) {
    // (the masked extracts: GCC 12's _mm512_castps512_ps256 also warns of an undefined operand)
    const __m512d d = _mm512_castps_pd(v);
    const __m256 s8 = _mm256_add_ps(_mm256_castpd_ps(_mm512_maskz_extractf64x4_pd(0xff, d, 0)),
                                    _mm256_castpd_ps(_mm512_maskz_extractf64x4_pd(0xff, d, 1)));
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

ATELIER_TARGET("avx512f") inline float hmax16(__m512 v) {
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, v);
    return hmax8(_mm256_max_ps(_mm256_load_ps(lanes), _mm256_load_ps(lanes + 8)));
}

ATELIER_AVX512_WARNINGS_OFF
// In place: r[j] (lane i) ← r[i] (lane j), for 16 vectors of 16 32-bit lanes. Unpacks within
// 128-bit lanes, then whole 128-bit lanes moved; 64 shuffles.
ATELIER_TARGET("avx512f") inline void transpose16(__m512i r[16]) {
    __m512i t[16], u[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
    }
    // per group g of four rows (a, b, c, d): u[4g + j] lane L holds column 4L + j of the four rows
    for (int g = 0; g < 16; g += 4) {
        u[g] = _mm512_unpacklo_epi64(t[g], t[g + 2]);
        u[g + 1] = _mm512_unpackhi_epi64(t[g], t[g + 2]);
        u[g + 2] = _mm512_unpacklo_epi64(t[g + 1], t[g + 3]);
        u[g + 3] = _mm512_unpackhi_epi64(t[g + 1], t[g + 3]);
    }
    for (int j = 0; j < 4; ++j) {
        const __m512i v01 = _mm512_shuffle_i32x4(u[j], u[4 + j], 0x88);  // groups 0, 1: lanes 0 and 2
        const __m512i w01 = _mm512_shuffle_i32x4(u[j], u[4 + j], 0xdd);  // lanes 1 and 3
        const __m512i v23 = _mm512_shuffle_i32x4(u[8 + j], u[12 + j], 0x88);
        const __m512i w23 = _mm512_shuffle_i32x4(u[8 + j], u[12 + j], 0xdd);
        r[j] = _mm512_shuffle_i32x4(v01, v23, 0x88);       // column j
        r[8 + j] = _mm512_shuffle_i32x4(v01, v23, 0xdd);   // column 8 + j
        r[4 + j] = _mm512_shuffle_i32x4(w01, w23, 0x88);   // column 4 + j
        r[12 + j] = _mm512_shuffle_i32x4(w01, w23, 0xdd);  // column 12 + j
    }
}
ATELIER_AVX512_WARNINGS_ON

// Lanes [0, count) of 16 (count clamped to 0..16): the mask of a row's last, partial vector.
inline __mmask16 lanes16(int64_t count) {
    return count <= 0 ? __mmask16(0) : count >= 16 ? __mmask16(0xffff) : __mmask16((1u << count) - 1);
}

#if ATELIER_X86_BF16_CASTS
// Sixteen f32 or bf16 values from element j on as floats, lanes outside k zero (the tail of a row).
ATELIER_TARGET("avx512f,avx512bw,avx512vl")
inline __m512 load16(const void* in, bool bf16, int64_t j, __mmask16 k = 0xffff) {
    if (!bf16) return _mm512_maskz_loadu_ps(k, static_cast<const float*>(in) + j);
    const __m256i h = _mm256_maskz_loadu_epi16(k, static_cast<const uint16_t*>(in) + j);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

// v rounded to bf16 values (vcvtneps2bf16: nearest even, NaN to a quiet NaN) and widened back, or v
// itself for f32.
ATELIER_TARGET("avx512f,avx512bw,avx512vl,avx512bf16") inline __m512 round16(__m512 v, bool bf16) {
    if (!bf16) return v;
    const __m256i h = (__m256i)_mm512_cvtneps_pbh(v);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

// Sixteen floats from element j on as f32, or as bf16 rounded as round16 rounds; lanes outside k
// not written.
ATELIER_TARGET("avx512f,avx512bw,avx512vl,avx512bf16")
inline void store16(void* out, bool bf16, int64_t j, __m512 v, __mmask16 k = 0xffff) {
    if (bf16)
        _mm256_mask_storeu_epi16(static_cast<uint16_t*>(out) + j, k, (__m256i)_mm512_cvtneps_pbh(v));
    else
        _mm512_mask_storeu_ps(static_cast<float*>(out) + j, k, v);
}
#endif

#endif  // ATELIER_X86

}  // namespace atelier::kernel
