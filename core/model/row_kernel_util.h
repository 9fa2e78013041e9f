// What the row kernels' two files share (row_kernels.cpp: softmax, a linear's bias and activation,
// the norms' forward passes; train_row_kernels.cpp: SwiGLU, the backward passes, cross-entropy and
// dropout's product): byte offsets into f32 or bf16 arrays, the AVX2 loads and stores, the kernel picker
// and the threads' split. Private to core/model; no LibTorch.
#pragma once

#include "model/half_gemv.h"
#include "model/kernel_util.h"
#include "model/row_kernels.h"
#include "model/vec_exp.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace atelier::rowk {

using kernel::load_scalar;
using kernel::round_bf16_value;
using kernel::store_scalar;
using namespace kernel::exp_constants;

// exp(x), 0 below exp's underflow as the vector kernels' exp8 / exp16 give.
inline float exp_scalar(float x) {
    return x < kUnderflow ? 0.0f : std::exp(x);
}

// Byte offset of element `index` of a f32 or bf16 array.
inline size_t at(int64_t index, bool bf16) {
    return static_cast<size_t>(index) * (bf16 ? 2 : 4);
}

inline const char* in(const void* p, size_t offset) {
    return static_cast<const char*>(p) + offset;
}

inline char* out(void* p, size_t offset) {
    return static_cast<char*>(p) + offset;
}

// f(i) for i in [0, count) over the threads where the work is worth a parallel region.
template <class F>
void parallel_items(int64_t count, int64_t work, const F& f) {
#pragma omp parallel for schedule(static) if (work > 16384)
    for (int64_t i = 0; i < count; ++i) f(i);
}

// The best kernel `isa` allows on this CPU: AVX-512 BF16 (where a kernel has one and isa is Best),
// AVX2, else scalar.
template <class Kernel>
Kernel pick_kernel(SoftmaxIsa isa, Kernel scalar, [[maybe_unused]] Kernel avx2,
                   [[maybe_unused]] std::common_type_t<Kernel> avx512 = nullptr) {
#if ATELIER_X86
    if (avx512 && isa == SoftmaxIsa::Best && cpu_has_avx512_bf16()) return avx512;
    if (isa != SoftmaxIsa::Scalar && cpu_has_avx2_fma_f16c()) return avx2;
#else
    (void)isa;
#endif
    return scalar;
}

// A kernel's versions by name (name_scalar, name_avx2, name_avx512) for pick_kernel: the scalar one
// stands in where the ISA's is not compiled.
#if ATELIER_X86
#define ATELIER_KERNELS(name) &name##_scalar, &name##_avx2
#else
#define ATELIER_KERNELS(name) &name##_scalar, &name##_scalar
#endif
#if ATELIER_X86_BF16_CASTS
#define ATELIER_AVX512_KERNEL(name) &name##_avx512
#else
#define ATELIER_AVX512_KERNEL(name) nullptr
#endif

#if ATELIER_X86
using kernel::exp8;

ATELIER_TARGET("avx2,fma") inline __m256 load8(const void* in, bool bf16, int64_t j) {
    if (!bf16) return _mm256_loadu_ps(static_cast<const float*>(in) + j);
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(in) + j));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

// Eight floats rounded to bf16 values (nearest even), NaN left as it is.
ATELIER_TARGET("avx2,fma") inline __m256 round8_bf16(__m256 v) {
    const __m256i one = _mm256_set1_epi32(1), bias = _mm256_set1_epi32(0x7fff);
    __m256i b = _mm256_castps_si256(v);
    b = _mm256_add_epi32(_mm256_add_epi32(b, bias), _mm256_and_si256(_mm256_srli_epi32(b, 16), one));
    b = _mm256_and_si256(b, _mm256_set1_epi32(static_cast<int>(0xffff0000u)));
    return _mm256_blendv_ps(_mm256_castsi256_ps(b), v, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
}

// Eight floats to f32, or to bf16 rounded to nearest even with NaN a quiet NaN (as LibTorch rounds).
ATELIER_TARGET("avx2,fma") inline void store8(void* out, bool bf16, int64_t j, __m256 v) {
    if (!bf16) {
        _mm256_storeu_ps(static_cast<float*>(out) + j, v);
        return;
    }
    __m256i b = _mm256_srli_epi32(_mm256_castps_si256(round8_bf16(v)), 16);
    b = _mm256_blendv_epi8(b, _mm256_set1_epi32(0x7fc0),
                           _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q)));
    const __m128i packed = _mm_packus_epi32(_mm256_castsi256_si128(b), _mm256_extracti128_si256(b, 1));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(static_cast<uint16_t*>(out) + j), packed);
}

#endif  // ATELIER_X86

#if ATELIER_X86_BF16_CASTS
ATELIER_AVX512_WARNINGS_OFF
// The AVX-512 kernels' target: AVX512F, BW and VL for the masked loads and stores, BF16 for rounding.
#define ATELIER_AVX512 ATELIER_TARGET("avx512f,avx512bw,avx512vl,avx512bf16")
using kernel::exp16;

ATELIER_AVX512_WARNINGS_ON
#endif  // ATELIER_X86_BF16_CASTS

}  // namespace atelier::rowk
