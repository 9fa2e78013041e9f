// Dropout's keep bytes from counter-based random numbers (declared in row_kernels.h): one mix64 per
// element, eight or four elements per instruction. The 64-bit products are built from 32-bit ones
// (vpmuludq), which AVX2 and AVX-512F both have, so the vector kernels need nothing past F/BW.
#include "model/row_kernels.h"

#include "common/mix64.h"
#include "model/half_gemv.h"
#include "model/kernel_util.h"

#include <algorithm>

namespace atelier {

namespace {

constexpr uint64_t kMix1 = 0xbf58476d1ce4e5b9ULL, kMix2 = 0x94d049bb133111ebULL;

// keep[l] for the len consecutive counters whose first mixes from z (z + l·kGoldenGamma for the l-th).
void keep_span_scalar(uint64_t z, int64_t len, uint32_t threshold, uint8_t* keep) {
    for (int64_t l = 0; l < len; ++l, z += kGoldenGamma) keep[l] = (mix64(z) & 0xffffffffULL) >= threshold;
}

#if ATELIER_X86

// a · c mod 2^64 per lane from 32-bit products: lo(a)·lo(c) + (hi(a)·lo(c) + lo(a)·hi(c)) << 32.
ATELIER_TARGET("avx2") inline __m256i mul64_avx2(__m256i a, uint64_t c) {
    const __m256i lo = _mm256_set1_epi64x(static_cast<int64_t>(c & 0xffffffffULL)),
                  hi = _mm256_set1_epi64x(static_cast<int64_t>(c >> 32));
    const __m256i cross =
        _mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(a, 32), lo), _mm256_mul_epu32(a, hi));
    return _mm256_add_epi64(_mm256_mul_epu32(a, lo), _mm256_slli_epi64(cross, 32));
}

ATELIER_TARGET("avx2") inline __m256i mix64_avx2(__m256i z) {
    z = mul64_avx2(_mm256_xor_si256(z, _mm256_srli_epi64(z, 30)), kMix1);
    z = mul64_avx2(_mm256_xor_si256(z, _mm256_srli_epi64(z, 27)), kMix2);
    return _mm256_xor_si256(z, _mm256_srli_epi64(z, 31));
}

// Four lanes' "low 32 bits >= threshold" as 0/1 bytes: the low halves as non-negative 64-bit values
// against threshold - 1 (signed: -1 when the threshold is 0, below every value).
ATELIER_TARGET("avx2") inline int keep_bits_avx2(__m256i z, __m256i below) {
    const __m256i low = _mm256_and_si256(z, _mm256_set1_epi64x(0xffffffffLL));
    return _mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(low, below)));
}

ATELIER_TARGET("avx2") void keep_span_avx2(uint64_t z, int64_t len, uint32_t threshold, uint8_t* keep) {
    // bytes[b]: the four 0/1 bytes of a 4-bit mask b
    static constexpr uint32_t bytes[16] = {
        0x00000000, 0x00000001, 0x00000100, 0x00000101, 0x00010000, 0x00010001, 0x00010100, 0x00010101,
        0x01000000, 0x01000001, 0x01000100, 0x01000101, 0x01010000, 0x01010001, 0x01010100, 0x01010101};
    const __m256i below = _mm256_set1_epi64x(static_cast<int64_t>(threshold) - 1);
    const __m256i step = _mm256_set1_epi64x(static_cast<int64_t>(4 * kGoldenGamma));
    __m256i v = _mm256_add_epi64(
        _mm256_set1_epi64x(static_cast<int64_t>(z)),
        _mm256_set_epi64x(static_cast<int64_t>(3 * kGoldenGamma), static_cast<int64_t>(2 * kGoldenGamma),
                          static_cast<int64_t>(kGoldenGamma), 0));
    const int64_t n4 = len - len % 4;
    for (int64_t l = 0; l < n4; l += 4, v = _mm256_add_epi64(v, step)) {
        const uint32_t four = bytes[keep_bits_avx2(mix64_avx2(v), below)];
        std::memcpy(keep + l, &four, 4);
    }
    keep_span_scalar(z + static_cast<uint64_t>(n4) * kGoldenGamma, len - n4, threshold, keep + n4);
}

#if ATELIER_X86_BF16_CASTS
ATELIER_AVX512_WARNINGS_OFF
ATELIER_TARGET("avx512f") inline __m512i mul64_avx512(__m512i a, uint64_t c) {
    const __m512i lo = _mm512_set1_epi64(static_cast<int64_t>(c & 0xffffffffULL)),
                  hi = _mm512_set1_epi64(static_cast<int64_t>(c >> 32));
    const __m512i cross =
        _mm512_add_epi64(_mm512_mul_epu32(_mm512_srli_epi64(a, 32), lo), _mm512_mul_epu32(a, hi));
    return _mm512_add_epi64(_mm512_mul_epu32(a, lo), _mm512_slli_epi64(cross, 32));
}

ATELIER_TARGET("avx512f") inline __m512i mix64_avx512(__m512i z) {
    z = mul64_avx512(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), kMix1);
    z = mul64_avx512(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), kMix2);
    return _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
}

// Sixteen elements per step (two vectors of eight counters), their bits to bytes by a masked set.
ATELIER_TARGET("avx512f,avx512bw,avx512vl")
void keep_span_avx512(uint64_t z, int64_t len, uint32_t threshold, uint8_t* keep) {
    const __m512i below = _mm512_set1_epi64(static_cast<int64_t>(threshold) - 1);
    const __m512i low32 = _mm512_set1_epi64(0xffffffffLL);
    const __m512i step = _mm512_set1_epi64(static_cast<int64_t>(16 * kGoldenGamma));
    alignas(64) uint64_t first[16];
    for (int l = 0; l < 16; ++l) first[l] = z + static_cast<uint64_t>(l) * kGoldenGamma;
    __m512i v0 = _mm512_load_si512(first), v1 = _mm512_load_si512(first + 8);
    const int64_t n16 = len - len % 16;
    for (int64_t l = 0; l < n16; l += 16) {
        const __mmask8 m0 = _mm512_cmpgt_epi64_mask(_mm512_and_si512(mix64_avx512(v0), low32), below),
                       m1 = _mm512_cmpgt_epi64_mask(_mm512_and_si512(mix64_avx512(v1), low32), below);
        const auto bits = static_cast<__mmask16>(m0 | (static_cast<unsigned>(m1) << 8));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(keep + l), _mm_maskz_set1_epi8(bits, 1));
        v0 = _mm512_add_epi64(v0, step);
        v1 = _mm512_add_epi64(v1, step);
    }
    keep_span_scalar(z + static_cast<uint64_t>(n16) * kGoldenGamma, len - n16, threshold, keep + n16);
}
ATELIER_AVX512_WARNINGS_ON
#endif  // ATELIER_X86_BF16_CASTS

#endif  // ATELIER_X86

using SpanKernel = void (*)(uint64_t, int64_t, uint32_t, uint8_t*);

SpanKernel pick_span_kernel(SoftmaxIsa isa) {
#if ATELIER_X86
#if ATELIER_X86_BF16_CASTS
    if (isa == SoftmaxIsa::Best && cpu_has_avx512_bf16()) return keep_span_avx512;  // implies F/BW/VL
#endif
    if (isa != SoftmaxIsa::Scalar && cpu_has_avx2_fma_f16c()) return keep_span_avx2;
#else
    (void)isa;
#endif
    return keep_span_scalar;
}

}  // namespace

void dropout_keep_mask(uint64_t base, uint64_t first_row, int64_t per_row, uint32_t threshold, int64_t n,
                       uint8_t* keep, SoftmaxIsa isa) {
    if (n <= 0 || per_row <= 0) return;
    const SpanKernel kernel = pick_span_kernel(isa);
    constexpr int64_t chunk = 16384;  // elements per work item; each split where rows end
    const int64_t chunks = (n + chunk - 1) / chunk;
#pragma omp parallel for schedule(static) if (chunks > 1)
    for (int64_t c = 0; c < chunks; ++c) {
        const int64_t end = std::min(n, (c + 1) * chunk);
        for (int64_t i = c * chunk; i < end;) {
            const int64_t row = i / per_row, j = i % per_row, len = std::min(end - i, per_row - j);
            const uint64_t counter =
                ((first_row + static_cast<uint64_t>(row)) << 40) + static_cast<uint64_t>(j);
            kernel(base + kGoldenGamma * counter, len, threshold, keep + i);
            i += len;
        }
    }
}

}  // namespace atelier
