#include "model/half_gemv.h"

#include <cstring>
#include <vector>

// The AVX2/F16C kernels are x86-64 only; elsewhere (Apple silicon, Arm) the portable loops run.
// GCC and Clang compile each kernel for its ISA with a target attribute; MSVC has none and needs
// none: it compiles AVX2 intrinsics in any function. The ISA is checked at run time either way.
#if defined(__x86_64__) || defined(_M_X64)
#define ATELIER_GEMV_X86 1
#include <immintrin.h>
#if defined(_MSC_VER) && !defined(__clang__)
#define ATELIER_TARGET(isa)
#else
#define ATELIER_TARGET(isa) __attribute__((target(isa)))
#endif
// __builtin_cpu_supports needs the compiler runtime's CPU model, which MSVC lacks and which is not
// assured with clang-cl or Apple's clang: CPUID is read directly there.
#if defined(_MSC_VER) || defined(__APPLE__)
#define ATELIER_GEMV_CPUID 1
#include "common/cpuid.h"
#else
#define ATELIER_GEMV_CPUID 0
#endif
#else
#define ATELIER_GEMV_X86 0
#define ATELIER_GEMV_CPUID 0
#endif

namespace atelier {

namespace {

inline float bf16_to_f32(uint16_t h) {
    uint32_t bits = uint32_t(h) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

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

void rows_scalar(const float* x, int64_t M, int64_t K, const uint16_t* w, bool bf16, int64_t n0, int64_t n1,
                 int64_t N, const float* bias, float* y) {
    for (int64_t n = n0; n < n1; ++n) {
        const uint16_t* row = w + n * K;
        for (int64_t m = 0; m < M; ++m) {
            const float* xm = x + m * K;
            float acc = 0;
            for (int64_t k = 0; k < K; ++k) acc += (bf16 ? bf16_to_f32(row[k]) : f16_to_f32(row[k])) * xm[k];
            y[m * N + n] = acc + (bias ? bias[n] : 0.0f);
        }
    }
}

#if ATELIER_GEMV_X86

ATELIER_TARGET("avx2,fma,f16c") inline __m256 load8(const uint16_t* p, bool bf16) {
    __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    if (bf16) return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
    return _mm256_cvtph_ps(h);
}

ATELIER_TARGET("avx2,fma,f16c") inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
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
                float s = hsum(_mm256_add_ps(acc[i][0], acc[i][1]));
                for (int64_t k = K16; k < K; ++k)
                    s += (bf16 ? bf16_to_f32(row[k]) : f16_to_f32(row[k])) * xm[k];
                y[(m0 + i) * N + n] = s + (bias ? bias[n] : 0.0f);
            }
        }
    }
}

// One activation row (decode). bf16 words are split without shuffles: a 32-bit lane holds two bf16,
// (lane << 16) is the even one as f32 and (lane & 0xffff0000) the odd one, so x is pre-split into
// even/odd halves per 16-element chunk (`px`). Four accumulators hide the FMA latency.
ATELIER_TARGET("avx2,fma,f16c")
void row1_bf16_avx2(const float* px, int64_t K, const uint16_t* w, const float* x, int64_t n0, int64_t n1,
                    const float* bias, float* y) {
    const int64_t K32 = K - K % 32;
    const __m256i hi_mask = _mm256_set1_epi32(static_cast<int>(0xffff0000u));
    for (int64_t n = n0; n < n1; ++n) {
        const uint16_t* row = w + n * K;
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(),
               a3 = _mm256_setzero_ps();
        for (int64_t k = 0; k < K32; k += 32) {
            const __m256i v0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + k));
            const __m256i v1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + k + 16));
            a0 = _mm256_fmadd_ps(_mm256_castsi256_ps(_mm256_slli_epi32(v0, 16)), _mm256_loadu_ps(px + k), a0);
            a1 = _mm256_fmadd_ps(_mm256_castsi256_ps(_mm256_and_si256(v0, hi_mask)),
                                 _mm256_loadu_ps(px + k + 8), a1);
            a2 = _mm256_fmadd_ps(_mm256_castsi256_ps(_mm256_slli_epi32(v1, 16)), _mm256_loadu_ps(px + k + 16),
                                 a2);
            a3 = _mm256_fmadd_ps(_mm256_castsi256_ps(_mm256_and_si256(v1, hi_mask)),
                                 _mm256_loadu_ps(px + k + 24), a3);
        }
        float s = hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
        for (int64_t k = K32; k < K; ++k) s += bf16_to_f32(row[k]) * x[k];
        y[n] = s + (bias ? bias[n] : 0.0f);
    }
}

// One activation row of f16 weights: F16C widening, four accumulators.
ATELIER_TARGET("avx2,fma,f16c")
void row1_f16_avx2(const float* x, int64_t K, const uint16_t* w, int64_t n0, int64_t n1, const float* bias,
                   float* y) {
    const int64_t K32 = K - K % 32;
    for (int64_t n = n0; n < n1; ++n) {
        const uint16_t* row = w + n * K;
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(),
               a3 = _mm256_setzero_ps();
        for (int64_t k = 0; k < K32; k += 32) {
            a0 = _mm256_fmadd_ps(load8(row + k, false), _mm256_loadu_ps(x + k), a0);
            a1 = _mm256_fmadd_ps(load8(row + k + 8, false), _mm256_loadu_ps(x + k + 8), a1);
            a2 = _mm256_fmadd_ps(load8(row + k + 16, false), _mm256_loadu_ps(x + k + 16), a2);
            a3 = _mm256_fmadd_ps(load8(row + k + 24, false), _mm256_loadu_ps(x + k + 24), a3);
        }
        float s = hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
        for (int64_t k = K32; k < K; ++k) s += f16_to_f32(row[k]) * x[k];
        y[n] = s + (bias ? bias[n] : 0.0f);
    }
}

ATELIER_TARGET("avx2,fma")
void row1_f32_avx2(const float* x, int64_t K, const float* w, int64_t n0, int64_t n1, const float* bias,
                   float* y) {
    const int64_t K32 = K - K % 32;
    for (int64_t n = n0; n < n1; ++n) {
        const float* row = w + n * K;
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(),
               a3 = _mm256_setzero_ps();
        for (int64_t k = 0; k < K32; k += 32) {
            a0 = _mm256_fmadd_ps(_mm256_loadu_ps(row + k), _mm256_loadu_ps(x + k), a0);
            a1 = _mm256_fmadd_ps(_mm256_loadu_ps(row + k + 8), _mm256_loadu_ps(x + k + 8), a1);
            a2 = _mm256_fmadd_ps(_mm256_loadu_ps(row + k + 16), _mm256_loadu_ps(x + k + 16), a2);
            a3 = _mm256_fmadd_ps(_mm256_loadu_ps(row + k + 24), _mm256_loadu_ps(x + k + 24), a3);
        }
        float s = hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
        for (int64_t k = K32; k < K; ++k) s += row[k] * x[k];
        y[n] = s + (bias ? bias[n] : 0.0f);
    }
}

#endif  // ATELIER_GEMV_X86

#if ATELIER_GEMV_CPUID

// What __builtin_cpu_supports("avx2"), ("fma") and ("f16c") say together: the CPU has them and the
// OS saves the YMM registers.
bool cpuid_has_avx2_fma_f16c() {
    uint32_t r[4];
    cpuid(0, 0, r);
    if (r[0] < 7) return false;
    cpuid(1, 0, r);
    const uint32_t ecx = r[2];
    const uint32_t need = (1u << 12) | (1u << 27) | (1u << 28) | (1u << 29);  // FMA, OSXSAVE, AVX, F16C
    if ((ecx & need) != need) return false;
    if ((xcr0() & 0x6) != 0x6) return false;  // XMM and YMM state
    cpuid(7, 0, r);
    return (r[1] & (1u << 5)) != 0;  // AVX2: leaf 7, EBX bit 5
}

#endif  // ATELIER_GEMV_CPUID

bool has_avx2() {
#if !ATELIER_GEMV_X86
    return false;
#elif ATELIER_GEMV_CPUID
    static const bool ok = cpuid_has_avx2_fma_f16c();
    return ok;
#else
    static const bool ok =
        __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    return ok;
#endif
}

}  // namespace

void gemv_f32(const float* x, int64_t K, const float* w, int64_t N, const float* bias, float* y) {
    const bool avx2 = has_avx2();
    const int64_t block = 64, blocks = (N + block - 1) / block;
#pragma omp parallel for schedule(static) if (N * K > 32768)
    for (int64_t b = 0; b < blocks; ++b) {
        const int64_t n0 = b * block, n1 = n0 + block < N ? n0 + block : N;
        if (avx2) {
#if ATELIER_GEMV_X86
            row1_f32_avx2(x, K, w, n0, n1, bias, y);
#endif
        } else {
            for (int64_t n = n0; n < n1; ++n) {
                float acc = 0;
                for (int64_t k = 0; k < K; ++k) acc += w[n * K + k] * x[k];
                y[n] = acc + (bias ? bias[n] : 0.0f);
            }
        }
    }
}

#if ATELIER_GEMV_X86
ATELIER_TARGET("avx2,fma,f16c")
static void widen_avx2(const uint16_t* src, int64_t n, bool bf16, float* dst) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, load8(src + i, bf16));
    for (; i < n; ++i) dst[i] = bf16 ? bf16_to_f32(src[i]) : f16_to_f32(src[i]);
}
#endif

void half_to_float(const uint16_t* src, int64_t n, bool bf16, float* dst) {
    const bool avx2 = has_avx2();
    const int64_t chunk = 1 << 16, chunks = (n + chunk - 1) / chunk;
#pragma omp parallel for schedule(static) if (n > chunk)
    for (int64_t c = 0; c < chunks; ++c) {
        const int64_t begin = c * chunk, len = begin + chunk < n ? chunk : n - begin;
        if (avx2) {
#if ATELIER_GEMV_X86
            widen_avx2(src + begin, len, bf16, dst + begin);
#endif
        } else {
            for (int64_t i = begin; i < begin + len; ++i)
                dst[i] = bf16 ? bf16_to_f32(src[i]) : f16_to_f32(src[i]);
        }
    }
}

const char* half_gemv_isa() {
    return has_avx2() ? "avx2" : "scalar";
}

void half_gemv(const float* x, int64_t M, int64_t K, const uint16_t* w, bool bf16, int64_t N,
               const float* bias, float* y) {
    [[maybe_unused]] const bool avx2 = has_avx2();
#if ATELIER_GEMV_X86
    if (avx2 && bf16 && M == 1) {
        // Even/odd split of x per 16-element chunk, for row1_bf16_avx2.
        const int64_t K32 = K - K % 32;
        std::vector<float> px(static_cast<size_t>(K32));
        for (int64_t c = 0; c < K32; c += 16)
            for (int64_t j = 0; j < 8; ++j) {
                px[c + j] = x[c + 2 * j];
                px[c + 8 + j] = x[c + 2 * j + 1];
            }
        const int64_t block = 64, blocks = (N + block - 1) / block;
#pragma omp parallel for schedule(static) if (N * K > 32768)
        for (int64_t b = 0; b < blocks; ++b) {
            const int64_t n0 = b * block, n1 = n0 + block < N ? n0 + block : N;
            row1_bf16_avx2(px.data(), K, w, x, n0, n1, bias, y);
        }
        return;
    }
    if (avx2 && !bf16 && M == 1) {
        const int64_t block = 64, blocks = (N + block - 1) / block;
#pragma omp parallel for schedule(static) if (N * K > 32768)
        for (int64_t b = 0; b < blocks; ++b) {
            const int64_t n0 = b * block, n1 = n0 + block < N ? n0 + block : N;
            row1_f16_avx2(x, K, w, n0, n1, bias, y);
        }
        return;
    }
#endif
    // Blocks of 64 output rows: enough work per block, and blocks spread evenly over threads.
    const int64_t block = 64, blocks = (N + block - 1) / block;
#pragma omp parallel for schedule(static) if (N * K > 32768)
    for (int64_t b = 0; b < blocks; ++b) {
        const int64_t n0 = b * block, n1 = n0 + block < N ? n0 + block : N;
#if ATELIER_GEMV_X86
        if (avx2)
            rows_avx2(x, M, K, w, bf16, n0, n1, N, bias, y);
        else
            rows_scalar(x, M, K, w, bf16, n0, n1, N, bias, y);
#else
        rows_scalar(x, M, K, w, bf16, n0, n1, N, bias, y);
#endif
    }
}

}  // namespace atelier
