// exp over vector registers for the hand-written kernels (row_kernels.cpp, attention_amx.cpp):
// x = n·ln2 + f with |f| <= ln2/2, exp(f) by Cephes' expf polynomial, 2^n by building the exponent
// bits. Private to core/model; no LibTorch.
#pragma once

#include "model/kernel_util.h"

namespace atelier::kernel {

// exp8 / exp16 hold for x <= 0 (softmax subtracts the row maximum first) and up to exp's overflow.
// Below -87.3 (and -inf, a masked score) the result is exactly 0, as exp underflows to; NaN stays
// NaN (a row of -inf gives NaN probabilities, as LibTorch's softmax does).
namespace exp_constants {
inline constexpr float kLog2e = 1.44269504088896341f;
inline constexpr float kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;
inline constexpr float kP0 = 1.9875691500e-4f, kP1 = 1.3981999507e-3f, kP2 = 8.3334519073e-3f,
                       kP3 = 4.1665795894e-2f, kP4 = 1.6666665459e-1f, kP5 = 5.0000001201e-1f;
inline constexpr float kUnderflow = -87.33654f;

}  // namespace exp_constants

#if ATELIER_X86

ATELIER_TARGET("avx2,fma") inline __m256 exp8(__m256 x) {
    using namespace exp_constants;
    const __m256 under = _mm256_cmp_ps(x, _mm256_set1_ps(kUnderflow), _CMP_LT_OQ);
    x = _mm256_max_ps(_mm256_set1_ps(kUnderflow), x);  // a NaN in x passes through (max returns its 2nd)
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(kLog2e)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 f = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Hi), x);
    f = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Lo), f);
    __m256 p = _mm256_set1_ps(kP0);
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(kP1));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(kP2));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(kP3));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(kP4));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(kP5));
    p = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(f, f), f), _mm256_set1_ps(1.0f));  // (p·f² + f) + 1
    const __m256i pow2n =
        _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_andnot_ps(under, _mm256_mul_ps(p, _mm256_castsi256_ps(pow2n)));
}

#endif  // ATELIER_X86

#if ATELIER_X86_BF16_CASTS
ATELIER_AVX512_WARNINGS_OFF

ATELIER_TARGET("avx512f") inline __m512 exp16(__m512 x) {
    using namespace exp_constants;
    const __mmask16 under = _mm512_cmp_ps_mask(x, _mm512_set1_ps(kUnderflow), _CMP_LT_OQ);
    x = _mm512_max_ps(_mm512_set1_ps(kUnderflow), x);  // a NaN in x passes through
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(kLog2e)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 f = _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Hi), x);
    f = _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Lo), f);
    __m512 p = _mm512_set1_ps(kP0);
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(kP1));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(kP2));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(kP3));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(kP4));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(kP5));
    p = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(f, f), f), _mm512_set1_ps(1.0f));  // (p·f² + f) + 1
    const __m512i pow2n =
        _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
    return _mm512_maskz_mul_ps(static_cast<__mmask16>(~under), p, _mm512_castsi512_ps(pow2n));
}

ATELIER_AVX512_WARNINGS_ON
#endif  // ATELIER_X86_BF16_CASTS

}  // namespace atelier::kernel
