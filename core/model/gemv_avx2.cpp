#include "model/gemv_kernels.h"

#if ATELIER_X86

namespace atelier::gemv {

using kernel::hsum8;

namespace {

ATELIER_TARGET("avx2,fma,f16c") inline __m256 load8(const uint16_t* p, bool bf16) {
    __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    if (bf16) return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
    return _mm256_cvtph_ps(h);
}

// One activation row (decode), eight weight rows at a time. Decode is bound by reading the weights,
// and one core reads faster from several streams at once than from one: a single row per pass
// reached 16-20 GB/s on the 2-core dev VM, eight rows with a prefetch 256 bytes ahead 30-38 GB/s
// (512 and 1024 bytes ahead, four or sixteen rows were slower; see docs/benchmarks.md). Each step takes 16
// weights of every row:
//   f32   two 8-float loads;
//   f16   two F16C conversions;
//   bf16  one 256-bit load split without shuffles: a 32-bit lane holds two bf16, (lane << 16) is the
//         even one as f32 and (lane & 0xffff0000) the odd one, so x comes pre-split into 8 evens
//         then 8 odds per 16-element chunk (`xs`).
// The K % 16 tail and the N % 8 rows are summed by the same loop with R = 1 and scalar tails.
// Rows on cache lines from huge pages (the weight arena's) read faster one per pass: rows_x1_avx2_long.
template <int R, Weights W>
ATELIER_TARGET("avx2,fma,f16c")
void rows_x1_avx2(const float* xs, const float* x, int64_t K, const typename WeightType<W>::type* w,
                  int64_t n0, int64_t n1, const float* bias, float* y) {
    constexpr int64_t ahead = 256 / sizeof(typename WeightType<W>::type);  // elements prefetched ahead
    const int64_t K16 = K - K % 16;
    const __m256i hi_mask = _mm256_set1_epi32(static_cast<int>(0xffff0000u));
    for (int64_t n = n0; n + R <= n1; n += R) {
        __m256 a[R], b[R];
        ATELIER_UNROLL
        for (int r = 0; r < R; ++r) a[r] = b[r] = _mm256_setzero_ps();
        for (int64_t k = 0; k < K16; k += 16) {
            const __m256 x0 = _mm256_loadu_ps(xs + k), x1 = _mm256_loadu_ps(xs + k + 8);
            ATELIER_UNROLL
            for (int r = 0; r < R; ++r) {
                const auto* row = w + (n + r) * K + k;
                _mm_prefetch(reinterpret_cast<const char*>(row + ahead), _MM_HINT_T0);
                if constexpr (W == Weights::F32) {
                    a[r] = _mm256_fmadd_ps(_mm256_loadu_ps(row), x0, a[r]);
                    b[r] = _mm256_fmadd_ps(_mm256_loadu_ps(row + 8), x1, b[r]);
                } else if constexpr (W == Weights::F16) {
                    a[r] = _mm256_fmadd_ps(load8(row, false), x0, a[r]);
                    b[r] = _mm256_fmadd_ps(load8(row + 8, false), x1, b[r]);
                } else {
                    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row));
                    a[r] = _mm256_fmadd_ps(_mm256_castsi256_ps(_mm256_slli_epi32(v, 16)), x0, a[r]);
                    b[r] = _mm256_fmadd_ps(_mm256_castsi256_ps(_mm256_and_si256(v, hi_mask)), x1, b[r]);
                }
            }
        }
        ATELIER_UNROLL
        for (int r = 0; r < R; ++r)
            y[n + r] = hsum8(_mm256_add_ps(a[r], b[r])) + row_tail<W>(w + (n + r) * K, x, K16, K) +
                       (bias ? bias[n + r] : 0.0f);
    }
}

// Sixteen weights from row[k] times x's sixteen from xs[k] (bf16: split as rows_x1_avx2 takes it),
// added to a and b.
template <Weights W>
ATELIER_TARGET("avx2,fma,f16c")
inline void fma16(const typename WeightType<W>::type* row, const float* xs, __m256& a, __m256& b) {
    const __m256 x0 = _mm256_loadu_ps(xs), x1 = _mm256_loadu_ps(xs + 8);
    if constexpr (W == Weights::F32) {
        a = _mm256_fmadd_ps(_mm256_load_ps(row), x0, a);
        b = _mm256_fmadd_ps(_mm256_load_ps(row + 8), x1, b);
    } else if constexpr (W == Weights::F16) {
        a = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(row))), x0, a);
        b = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(row + 8))), x1,
                            b);
    } else {
        const __m256i v = _mm256_load_si256(reinterpret_cast<const __m256i*>(row));
        a = _mm256_fmadd_ps(_mm256_castsi256_ps(_mm256_slli_epi32(v, 16)), x0, a);
        b = _mm256_fmadd_ps(_mm256_castsi256_ps(_mm256_and_si256(v, _mm256_set1_epi32(int(0xffff0000u)))), x1,
                            b);
    }
}

// Up to 4 activation rows per pass, so each weight row is read from memory once per 4 rows.
ATELIER_TARGET("avx2,fma,f16c")
void rows_avx2(const float* x, int64_t M, int64_t K, const uint16_t* w, bool bf16, int64_t n0, int64_t n1,
               int64_t N, const float* bias, float* y) {
    const int64_t K16 = K - K % 16;
    for (int64_t m0 = 0; m0 < M; m0 += 4) {
        const int64_t mb = M - m0 < 4 ? M - m0 : 4;
        for (int64_t n = n0; n < n1; ++n) {
            const uint16_t* row = w + n * K;
            __m256 acc[4][2];
            for (int64_t i = 0; i < mb; ++i) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
            for (int64_t k = 0; k < K16; k += 16) {
                const __m256 w0 = load8(row + k, bf16), w1 = load8(row + k + 8, bf16);
                for (int64_t i = 0; i < mb; ++i) {
                    const float* xm = x + (m0 + i) * K + k;
                    acc[i][0] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(xm), acc[i][0]);
                    acc[i][1] = _mm256_fmadd_ps(w1, _mm256_loadu_ps(xm + 8), acc[i][1]);
                }
            }
            for (int64_t i = 0; i < mb; ++i) {
                const float* xm = x + (m0 + i) * K;
                float s = hsum8(_mm256_add_ps(acc[i][0], acc[i][1]));
                for (int64_t k = K16; k < K; ++k)
                    s += (bf16 ? bf16_to_float(row[k]) : f16_to_f32(row[k])) * xm[k];
                y[(m0 + i) * N + n] = s + (bias ? bias[n] : 0.0f);
            }
        }
    }
}

// One activation row, one weight row per pass, on long rows that start on cache lines (long_rows),
// as rows_x1_avx512_long: 64 weights a step into eight sums, no software prefetch; one long stream
// per core that the hardware prefetchers follow. Under ATELIER_MAX_ISA=avx2 on the Zen 5 dev VM, a
// random 1.1B decoded at 19.8-24.4 tok/s (bf16) and 19.5 (f16) against 15.4-16.3 and 15.2-16.9 with
// the eight-row pass (bench_generate --synthetic-only, alternating runs); 128 weights a step: no better.
template <Weights W>
ATELIER_TARGET("avx2,fma,f16c")
void rows_x1_avx2_long(const float* xs, const float* x, int64_t K, const typename WeightType<W>::type* w,
                       int64_t n0, int64_t n1, const float* bias, float* y) {
    const int64_t K64 = K - K % 64, K16 = K - K % 16;
    for (int64_t n = n0; n < n1; ++n) {
        const auto* row = w + n * K;
        __m256 a[8];
        ATELIER_UNROLL
        for (int i = 0; i < 8; ++i) a[i] = _mm256_setzero_ps();
        for (int64_t k = 0; k < K64; k += 64) {
            ATELIER_UNROLL
            for (int j = 0; j < 4; ++j) fma16<W>(row + k + 16 * j, xs + k + 16 * j, a[2 * j], a[2 * j + 1]);
        }
        for (int64_t k = K64; k < K16; k += 16) fma16<W>(row + k, xs + k, a[0], a[1]);
        const __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a[0], a[1]), _mm256_add_ps(a[2], a[3])),
                                       _mm256_add_ps(_mm256_add_ps(a[4], a[5]), _mm256_add_ps(a[6], a[7])));
        y[n] = hsum8(s) + row_tail<W>(row, x, K16, K) + (bias ? bias[n] : 0.0f);
    }
}

ATELIER_TARGET("avx2,fma,f16c")
void widen(const uint16_t* src, int64_t n, bool bf16, float* dst) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, load8(src + i, bf16));
    for (; i < n; ++i) dst[i] = bf16 ? bf16_to_float(src[i]) : f16_to_f32(src[i]);
}

}  // namespace

// The entry points gemv_kernels.h declares (no target attribute: GCC would take differently targeted
// declarations of one C++ function for versions of it).
void avx2_rows(const float* x, int64_t M, int64_t K, const uint16_t* w, bool bf16, int64_t n0, int64_t n1,
               int64_t N, const float* bias, float* y) {
    rows_avx2(x, M, K, w, bf16, n0, n1, N, bias, y);
}

namespace {

// Rows n0..n1 of one activation row: one per pass where they are long and on cache lines, else eight
// per pass and the rest one by one.
template <Weights W>
void rows_x1(bool aligned_long, const float* xs, const float* x, int64_t K, const void* weights, int64_t n0,
             int64_t n1, const float* bias, float* y) {
    const auto* w = static_cast<const typename WeightType<W>::type*>(weights);
    if (aligned_long) return rows_x1_avx2_long<W>(xs, x, K, w, n0, n1, bias, y);
    const int64_t n8 = n0 + (n1 - n0) / 8 * 8;
    rows_x1_avx2<8, W>(xs, x, K, w, n0, n8, bias, y);
    rows_x1_avx2<1, W>(xs, x, K, w, n8, n1, bias, y);
}

}  // namespace

void avx2_rows_x1(Weights type, bool aligned_long, const float* xs, const float* x, int64_t K, const void* w,
                  int64_t n0, int64_t n1, const float* bias, float* y) {
    switch (type) {
        case Weights::F32: return rows_x1<Weights::F32>(aligned_long, xs, x, K, w, n0, n1, bias, y);
        case Weights::F16: return rows_x1<Weights::F16>(aligned_long, xs, x, K, w, n0, n1, bias, y);
        case Weights::BF16: return rows_x1<Weights::BF16>(aligned_long, xs, x, K, w, n0, n1, bias, y);
    }
}

void avx2_widen(const uint16_t* src, int64_t n, bool bf16, float* dst) {
    widen(src, n, bf16, dst);
}

}  // namespace atelier::gemv

#endif  // ATELIER_X86

namespace atelier::gemv {

std::vector<float> split_even_odd(const float* x, int64_t K) {
    const int64_t K16 = K - K % 16;
    std::vector<float> split(static_cast<size_t>(K16));
    for (int64_t c = 0; c < K16; c += 16)
        for (int64_t j = 0; j < 8; ++j) {
            split[c + j] = x[c + 2 * j];
            split[c + 8 + j] = x[c + 2 * j + 1];
        }
    return split;
}

}  // namespace atelier::gemv
