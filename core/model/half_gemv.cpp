#include "model/half_gemv.h"

#include "common/isa_cap.h"

#include "model/gemv_kernels.h"

#include <atomic>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

// The kernels are x86-64 only; elsewhere (Apple silicon, Arm) the portable loops run.
// __builtin_cpu_supports needs the compiler runtime's CPU model, which MSVC lacks and which is not
// assured with clang-cl or Apple's clang: CPUID is read directly there.
#if ATELIER_X86 && (defined(_MSC_VER) || defined(__APPLE__))
#define ATELIER_GEMV_CPUID 1
#include "common/cpuid.h"
#else
#define ATELIER_GEMV_CPUID 0
#endif

namespace atelier {

namespace {

using namespace gemv;

void rows_scalar(const float* x, int64_t M, int64_t K, const uint16_t* w, bool bf16, int64_t n0, int64_t n1,
                 int64_t N, const float* bias, float* y) {
    for (int64_t n = n0; n < n1; ++n) {
        const uint16_t* row = w + n * K;
        for (int64_t m = 0; m < M; ++m) {
            const float* xm = x + m * K;
            float acc = 0;
            for (int64_t k = 0; k < K; ++k)
                acc += (bf16 ? bf16_to_float(row[k]) : f16_to_f32(row[k])) * xm[k];
            y[m * N + n] = acc + (bias ? bias[n] : 0.0f);
        }
    }
}

#if ATELIER_X86

// bf16 activations and weights on AVX512-BF16: lane j of vdpbf16ps adds w[2j]·x[2j] + w[2j+1]·x[2j+1]
// to an f32 sum, so 32 pairs take one instruction. Sixteen rows per pass (16 of the 32 ZMM
// registers as sums), prefetch 256 bytes ahead: over a 1.1B model's matrices on the dev VM 29.0-29.5
// GB/s against 27.9-28.2 with eight rows (thirty-two: no better; 512 bytes ahead: slower).
#if ATELIER_X86_BF16_CASTS
template <int R>
ATELIER_TARGET("avx512f,avx512bw,avx512bf16")
void rows_dpbf16(const uint16_t* x, int64_t K, const uint16_t* w, int64_t n0, int64_t n1, const float* bias,
                 float* y) {
    const int64_t K32 = K - K % 32;
    for (int64_t n = n0; n + R <= n1; n += R) {
        __m512 a[R];
        ATELIER_UNROLL
        for (int r = 0; r < R; ++r) a[r] = _mm512_setzero_ps();
        for (int64_t k = 0; k < K32; k += 32) {
            const __m512bh xv = (__m512bh)_mm512_loadu_si512(x + k);
            ATELIER_UNROLL
            for (int r = 0; r < R; ++r) {
                const uint16_t* row = w + (n + r) * K + k;
                _mm_prefetch(reinterpret_cast<const char*>(row + 128), _MM_HINT_T0);
                a[r] = _mm512_dpbf16_ps(a[r], (__m512bh)_mm512_loadu_si512(row), xv);
            }
        }
        ATELIER_UNROLL
        for (int r = 0; r < R; ++r) {
            const uint16_t* row = w + (n + r) * K;
            float s = kernel::hsum16(a[r]);
            for (int64_t k = K32; k < K; ++k) s += bf16_to_float(row[k]) * bf16_to_float(x[k]);
            y[n + r] = s + (bias ? bias[n + r] : 0.0f);
        }
    }
}
// The sum of all lanes of a[0..7] (the long kernels' eight partial sums), pairwise.
ATELIER_TARGET("avx512f") inline float hsum_of8(const __m512* a) {
    return kernel::hsum16(_mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a[0], a[1]), _mm512_add_ps(a[2], a[3])),
                                        _mm512_add_ps(_mm512_add_ps(a[4], a[5]), _mm512_add_ps(a[6], a[7]))));
}

// The same for long rows that start on a cache line (long_rows: the weight arena's,
// model/torch_util.h), one row per pass, 256 pairs (eight 64-byte lines) per step and no software prefetch:
// one long stream per core that the hardware prefetchers follow. From 2 MiB pages on the EPYC dev VM (Zen 5)
// a 1.1B model's matrices read 63-70 GB/s this way against 50-52 with sixteen rows per pass; on rows that
// straddle cache lines (a tensor at any offset of a mapped file) it read 35 against 47, so those keep
// the sixteen-row pass.
ATELIER_TARGET("avx512f,avx512bw,avx512bf16")
void rows_dpbf16_long(const uint16_t* x, int64_t K, const uint16_t* w, int64_t n0, int64_t n1,
                      const float* bias, float* y) {
    constexpr int L = 8;
    const int64_t Kl = K - K % (32 * L), K32 = K - K % 32;
    for (int64_t n = n0; n < n1; ++n) {
        const uint16_t* row = w + n * K;
        __m512 a[L];
        ATELIER_UNROLL
        for (int l = 0; l < L; ++l) a[l] = _mm512_setzero_ps();
        for (int64_t k = 0; k < Kl; k += 32 * L) {
            ATELIER_UNROLL
            for (int l = 0; l < L; ++l)
                a[l] = _mm512_dpbf16_ps(a[l], (__m512bh)_mm512_loadu_si512(row + k + 32 * l),
                                        (__m512bh)_mm512_loadu_si512(x + k + 32 * l));
        }
        for (int64_t k = Kl; k < K32; k += 32)
            a[0] = _mm512_dpbf16_ps(a[0], (__m512bh)_mm512_loadu_si512(row + k),
                                    (__m512bh)_mm512_loadu_si512(x + k));
        float s = hsum_of8(a);
        for (int64_t k = K32; k < K; ++k) s += bf16_to_float(row[k]) * bf16_to_float(x[k]);
        y[n] = s + (bias ? bias[n] : 0.0f);
    }
}
// M bf16 activation rows (a prompt of a few tokens) against bf16 weights, one weight row per pass:
// each load of 32 weights serves all M rows, so the pass reads the weights once, as decode does.
// The K % 32 tail is a masked load (zeros multiply to zero).
template <int M>
ATELIER_TARGET("avx512f,avx512bw,avx512bf16")
void rows_dpbf16_m(const uint16_t* x, int64_t K, const uint16_t* w, int64_t N, int64_t n0, int64_t n1,
                   const float* bias, float* y) {
    const int64_t K32 = K - K % 32;
    const auto tail = static_cast<__mmask32>((uint64_t(1) << (K - K32)) - 1);
    for (int64_t n = n0; n < n1; ++n) {
        const uint16_t* row = w + n * K;
        __m512 a[M];
        ATELIER_UNROLL
        for (int m = 0; m < M; ++m) a[m] = _mm512_setzero_ps();
        for (int64_t k = 0; k < K32; k += 32) {
            const auto wv = (__m512bh)_mm512_loadu_si512(row + k);
            ATELIER_UNROLL
            for (int m = 0; m < M; ++m)
                a[m] = _mm512_dpbf16_ps(a[m], wv, (__m512bh)_mm512_loadu_si512(x + m * K + k));
        }
        if (K32 < K) {
            const auto wv = (__m512bh)_mm512_maskz_loadu_epi16(tail, row + K32);
            ATELIER_UNROLL
            for (int m = 0; m < M; ++m)
                a[m] = _mm512_dpbf16_ps(a[m], wv, (__m512bh)_mm512_maskz_loadu_epi16(tail, x + m * K + K32));
        }
        const float b = bias ? bias[n] : 0.0f;
        ATELIER_UNROLL
        for (int m = 0; m < M; ++m) y[m * N + n] = kernel::hsum16(a[m]) + b;
    }
}

ATELIER_AVX512_WARNINGS_OFF
// Sixteen weights widened to f32.
template <Weights W>
ATELIER_TARGET("avx512f")
inline __m512 load16(const typename WeightType<W>::type* p) {
    if constexpr (W == Weights::F32) {
        return _mm512_loadu_ps(p);
    } else {
        const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
        return W == Weights::F16 ? _mm512_cvtph_ps(h)
                                 : _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
    }
}

// f32 activations on AVX-512, f32, f16 or bf16 weights (widened in registers): sixteen rows per pass
// of sixteen weights each, prefetch 256 bytes ahead, as rows_dpbf16. On the dev VM, 2 threads: a
// llama2.c 1.1B (f32) decoded at 7.8 tok/s against 7.3-7.4 with the eight-row AVX2 pass
// (bench/vs-llama2c.sh 1b); a random 1.1B in f16 at 12.9-13.3 tok/s against 12.4-12.7 (bench_generate).
template <int R, Weights W>
ATELIER_TARGET("avx512f")
void rows_x1_avx512(const float* x, int64_t K, const typename WeightType<W>::type* w, int64_t n0, int64_t n1,
                    const float* bias, float* y) {
    constexpr int64_t ahead = 256 / sizeof(typename WeightType<W>::type);
    const int64_t K16 = K - K % 16;
    for (int64_t n = n0; n + R <= n1; n += R) {
        __m512 a[R];
        ATELIER_UNROLL
        for (int r = 0; r < R; ++r) a[r] = _mm512_setzero_ps();
        for (int64_t k = 0; k < K16; k += 16) {
            const __m512 xv = _mm512_loadu_ps(x + k);
            ATELIER_UNROLL
            for (int r = 0; r < R; ++r) {
                const auto* row = w + (n + r) * K + k;
                _mm_prefetch(reinterpret_cast<const char*>(row + ahead), _MM_HINT_T0);
                a[r] = _mm512_fmadd_ps(load16<W>(row), xv, a[r]);
            }
        }
        ATELIER_UNROLL
        for (int r = 0; r < R; ++r)
            y[n + r] =
                kernel::hsum16(a[r]) + row_tail<W>(w + (n + r) * K, x, K16, K) + (bias ? bias[n + r] : 0.0f);
    }
}

// f32 activations, one row per pass on long cache-line-aligned rows (as rows_dpbf16_long): sixteen
// 16-weight loads per step (512 bytes of 16-bit weights, 1 KiB of f32) into eight sums.
template <Weights W>
ATELIER_TARGET("avx512f")
void rows_x1_avx512_long(const float* x, int64_t K, const typename WeightType<W>::type* w, int64_t n0,
                         int64_t n1, const float* bias, float* y) {
    constexpr int L = 16;
    const int64_t Kl = K - K % (16 * L), K16 = K - K % 16;
    for (int64_t n = n0; n < n1; ++n) {
        const auto* row = w + n * K;
        __m512 a[8];
        ATELIER_UNROLL
        for (int l = 0; l < 8; ++l) a[l] = _mm512_setzero_ps();
        for (int64_t k = 0; k < Kl; k += 16 * L) {
            ATELIER_UNROLL
            for (int l = 0; l < L; ++l)
                a[l % 8] =
                    _mm512_fmadd_ps(load16<W>(row + k + 16 * l), _mm512_loadu_ps(x + k + 16 * l), a[l % 8]);
        }
        for (int64_t k = Kl; k < K16; k += 16)
            a[0] = _mm512_fmadd_ps(load16<W>(row + k), _mm512_loadu_ps(x + k), a[0]);
        y[n] = hsum_of8(a) + row_tail<W>(row, x, K16, K) + (bias ? bias[n] : 0.0f);
    }
}

// M f32 activation rows (a prompt of a few tokens, f32 compute) against 16-bit weights widened in
// registers, one weight row per pass: each sixteen weights serve all M rows. xp holds x's first
// K - K % 16 columns packed by steps ([K / 16][M][16]: one step's M pieces side by side, where rows
// of x 8 KiB apart would share L1 sets), x the rows themselves for the tail.
template <int M, Weights W>
ATELIER_TARGET("avx512f")
void rows_x1_avx512_m(const float* xp, const float* x, int64_t K, const typename WeightType<W>::type* w,
                      int64_t N, int64_t n0, int64_t n1, const float* bias, float* y) {
    const int64_t K16 = K - K % 16;
    for (int64_t n = n0; n < n1; ++n) {
        const auto* row = w + n * K;
        __m512 a[M];
        ATELIER_UNROLL
        for (int m = 0; m < M; ++m) a[m] = _mm512_setzero_ps();
        for (int64_t k = 0; k < K16; k += 16) {
            const __m512 wv = load16<W>(row + k);
            const float* step = xp + k * M;
            ATELIER_UNROLL
            for (int m = 0; m < M; ++m) a[m] = _mm512_fmadd_ps(wv, _mm512_loadu_ps(step + 16 * m), a[m]);
        }
        const float b = bias ? bias[n] : 0.0f;
        ATELIER_UNROLL
        for (int m = 0; m < M; ++m)
            y[m * N + n] = kernel::hsum16(a[m]) + row_tail<W>(row, x + m * K, K16, K) + b;
    }
}

// Rows n0..n1: one at a time where they are long and every row starts on a cache line (long_rows),
// else sixteen at a time and the rest one by one.
template <Weights W>
void rows_x1_512(const float* x, int64_t K, const typename WeightType<W>::type* w, int64_t n0, int64_t n1,
                 const float* bias, float* y) {
    if (long_rows(w, K)) return rows_x1_avx512_long<W>(x, K, w, n0, n1, bias, y);
    const int64_t n16 = n0 + (n1 - n0) / 16 * 16;
    rows_x1_avx512<16, W>(x, K, w, n0, n16, bias, y);
    rows_x1_avx512<1, W>(x, K, w, n16, n1, bias, y);
}
ATELIER_AVX512_WARNINGS_ON
#endif  // ATELIER_X86_BF16_CASTS

#endif  // ATELIER_X86

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

// AVX512F, BW, VL and BF16, with the OS saving the ZMM state.
bool cpuid_has_avx512_bf16() {
    uint32_t r[4];
    cpuid(0, 0, r);
    if (r[0] < 7) return false;
    cpuid(1, 0, r);
    if (!(r[2] & (1u << 27))) return false;     // OSXSAVE
    if ((xcr0() & 0xe6) != 0xe6) return false;  // XMM, YMM, opmask, ZMM_Hi256, Hi16_ZMM
    cpuid(7, 0, r);
    if (!(r[1] & (1u << 16)) || !(r[1] & (1u << 30)) || !(r[1] & (1u << 31)))
        return false;  // AVX512F, AVX512BW, AVX512VL
    cpuid(7, 1, r);
    return (r[0] & (1u << 5)) != 0;  // AVX512_BF16: leaf 7 subleaf 1, EAX bit 5
}

#endif  // ATELIER_GEMV_CPUID

}  // namespace

bool cpu_has_avx512_bf16() {
#if !ATELIER_X86_BF16_CASTS
    return false;
#elif ATELIER_GEMV_CPUID
    static const bool ok = cpuid_has_avx512_bf16() && isa_cap() == IsaCap::Native;
    return ok;
#else
    static const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bf16") &&
                           isa_cap() == IsaCap::Native;
    return ok;
#endif
}

namespace {
std::atomic<bool> g_long_row_passes{true};
}  // namespace

bool long_row_passes() {
    return g_long_row_passes.load(std::memory_order_relaxed);
}

void set_long_row_passes(bool on) {
    g_long_row_passes.store(on, std::memory_order_relaxed);
}

bool cpu_has_avx2_fma_f16c() {
#if !ATELIER_X86
    return false;
#elif ATELIER_GEMV_CPUID
    static const bool ok = cpuid_has_avx2_fma_f16c() && isa_cap() != IsaCap::Scalar;
    return ok;
#else
    static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                           __builtin_cpu_supports("f16c") && isa_cap() != IsaCap::Scalar;
    return ok;
#endif
}

namespace {

// rows(n0, n1) over the N output rows of one activation row, in blocks of 64 handed out
// dynamically: the two vCPUs of a shared VM rarely run at the same speed, and a static split left
// one waiting at the barrier (7% of decode in libgomp). One thread for small matrices.
// Where the rows are read one at a time (aligned rows, the long kernels) the chunks are guided
// instead: large first, shrinking to 16 rows, so each core reads long runs and they still finish
// together (on the dev VM 61-64 GB/s against 58-61 for blocks of 64 or 256 rows and 59-61 for a
// static split).
// Small matrices run on the calling thread without entering OpenMP at all (a parallel region with a
// false `if` still sets up a team: a small model's token makes dozens of these calls).
template <typename Rows>
void for_row_blocks(int64_t N, int64_t K, bool aligned, const Rows& rows) {
    if (N * K <= 32768) {
        if (!aligned) return rows(0, N);
        for (int64_t n = 0; n < N; ++n) rows(n, n + 1);
        return;
    }
    if (aligned) {
#pragma omp parallel for schedule(guided, 16)
        for (int64_t n = 0; n < N; ++n) rows(n, n + 1);
        return;
    }
    const int64_t block = 64, blocks = (N + block - 1) / block;
#pragma omp parallel for schedule(dynamic)
    for (int64_t b = 0; b < blocks; ++b) rows(b * block, b * block + block < N ? b * block + block : N);
}

}  // namespace

void gemv_f32(const float* x, int64_t K, const float* w, int64_t N, const float* bias, float* y) {
    [[maybe_unused]] const bool avx2 = cpu_has_avx2_fma_f16c();
    [[maybe_unused]] const bool avx512 = cpu_has_avx512_bf16();  // implies AVX512F
    const bool aligned = (avx512 || avx2) && long_rows(w, K);
    for_row_blocks(N, K, aligned, [&](int64_t n0, int64_t n1) {
#if ATELIER_X86_BF16_CASTS
        if (avx512) return rows_x1_512<Weights::F32>(x, K, w, n0, n1, bias, y);
#endif
#if ATELIER_X86
        if (avx2) return avx2_rows_x1(Weights::F32, aligned, x, x, K, w, n0, n1, bias, y);
#endif
        for (int64_t n = n0; n < n1; ++n) {
            float acc = 0;
            for (int64_t k = 0; k < K; ++k) acc += w[n * K + k] * x[k];
            y[n] = acc + (bias ? bias[n] : 0.0f);
        }
    });
}

void half_to_float(const uint16_t* src, int64_t n, bool bf16, float* dst) {
    const bool avx2 = cpu_has_avx2_fma_f16c();
    const int64_t chunk = 1 << 16, chunks = (n + chunk - 1) / chunk;
#pragma omp parallel for schedule(static) if (n > chunk)
    for (int64_t c = 0; c < chunks; ++c) {
        const int64_t begin = c * chunk, len = begin + chunk < n ? chunk : n - begin;
        if (avx2) {
#if ATELIER_X86
            avx2_widen(src + begin, len, bf16, dst + begin);
#endif
        } else {
            for (int64_t i = begin; i < begin + len; ++i)
                dst[i] = bf16 ? bf16_to_float(src[i]) : f16_to_f32(src[i]);
        }
    }
}

const char* half_gemv_isa() {
    return cpu_has_avx2_fma_f16c() ? "avx2" : "scalar";
}

const char* bf16_gemv_isa() {
    return cpu_has_avx512_bf16() ? "avx512_bf16" : half_gemv_isa();
}

void bf16_gemv(const uint16_t* x, int64_t K, const uint16_t* w, int64_t N, const float* bias, float* y) {
#if ATELIER_X86_BF16_CASTS
    if (cpu_has_avx512_bf16()) {
        if (long_rows(w, K)) {
            for_row_blocks(N, K, true,
                           [&](int64_t n0, int64_t n1) { rows_dpbf16_long(x, K, w, n0, n1, bias, y); });
            return;
        }
        for_row_blocks(N, K, false, [&](int64_t n0, int64_t n1) {
            const int64_t n16 = n0 + (n1 - n0) / 16 * 16;
            rows_dpbf16<16>(x, K, w, n0, n16, bias, y);
            rows_dpbf16<1>(x, K, w, n16, n1, bias, y);
        });
        return;
    }
#endif
    std::vector<float> xf(static_cast<size_t>(K));
    half_to_float(x, K, /*bf16=*/true, xf.data());
    half_gemv(xf.data(), 1, K, w, /*bf16=*/true, N, bias, y);
}

namespace {

// row(part, n) for every row n of every part, one row at a time through for_row_blocks' guided
// loop over the rows of the parts' concatenation.
template <typename Row>
void for_part_rows(int64_t K, const GemvPart* parts, int count, const Row& row) {
    int64_t total = 0;
    for (int i = 0; i < count; ++i) total += parts[i].N;
    for_row_blocks(total, K, true, [&](int64_t n, int64_t) {
        int p = 0;
        while (n >= parts[p].N) n -= parts[p++].N;  // row n of the concatenation is part p's row n
        row(parts[p], n);
    });
}

template <typename T>
bool all_long_rows(int64_t K, const GemvPart* parts, int count) {
    for (int i = 0; i < count; ++i)
        if (!long_rows(static_cast<const T*>(parts[i].w), K)) return false;
    return true;
}

}  // namespace

void bf16_gemv_set(const uint16_t* x, int64_t K, const GemvPart* parts, int count) {
#if ATELIER_X86_BF16_CASTS
    if (cpu_has_avx512_bf16() && all_long_rows<uint16_t>(K, parts, count)) {
        for_part_rows(K, parts, count, [&](const GemvPart& p, int64_t n) {
            rows_dpbf16_long(x, K, static_cast<const uint16_t*>(p.w), n, n + 1, p.bias, p.y);
        });
        return;
    }
#endif
    for (int i = 0; i < count; ++i)
        bf16_gemv(x, K, static_cast<const uint16_t*>(parts[i].w), parts[i].N, parts[i].bias, parts[i].y);
}

namespace {

// f(std::integral_constant<int, M>) for the run-time M in 1..sizeof...(Ms).
template <typename F, int... Ms>
void with_rows(int64_t M, const F& f, std::integer_sequence<int, Ms...>) {
    ((M == Ms + 1 ? f(std::integral_constant<int, Ms + 1>{}) : void()), ...);
}

}  // namespace

bool bf16_gemm_small([[maybe_unused]] const uint16_t* x, int64_t M, [[maybe_unused]] int64_t K,
                     [[maybe_unused]] const uint16_t* w, [[maybe_unused]] int64_t N,
                     [[maybe_unused]] const float* bias, [[maybe_unused]] float* y) {
    if (M < 1 || M > kBf16GemmSmallRows || !cpu_has_avx512_bf16()) return false;
#if ATELIER_X86_BF16_CASTS
    with_rows(
        M,
        [&](auto rows) {
            for_row_blocks(N, K * rows, false, [&](int64_t n0, int64_t n1) {
                rows_dpbf16_m<decltype(rows)::value>(x, K, w, N, n0, n1, bias, y);
            });
        },
        std::make_integer_sequence<int, kBf16GemmSmallRows>{});
#endif
    return true;
}

void gemv_set(const float* x, int64_t K, GemvWeights type, const GemvPart* parts, int count) {
#if ATELIER_X86_BF16_CASTS
    if (cpu_has_avx512_bf16()) {  // implies AVX512F: the long f32-activation kernels
        if (type == GemvWeights::F32 && all_long_rows<float>(K, parts, count)) {
            for_part_rows(K, parts, count, [&](const GemvPart& p, int64_t n) {
                rows_x1_avx512_long<Weights::F32>(x, K, static_cast<const float*>(p.w), n, n + 1, p.bias,
                                                  p.y);
            });
            return;
        }
        if (type != GemvWeights::F32 && all_long_rows<uint16_t>(K, parts, count)) {
            for_part_rows(K, parts, count, [&](const GemvPart& p, int64_t n) {
                const auto* w = static_cast<const uint16_t*>(p.w);
                if (type == GemvWeights::BF16)
                    rows_x1_avx512_long<Weights::BF16>(x, K, w, n, n + 1, p.bias, p.y);
                else
                    rows_x1_avx512_long<Weights::F16>(x, K, w, n, n + 1, p.bias, p.y);
            });
            return;
        }
    }
#endif
#if ATELIER_X86
    const bool long_parts = type == GemvWeights::F32 ? all_long_rows<float>(K, parts, count)
                                                     : all_long_rows<uint16_t>(K, parts, count);
    if (cpu_has_avx2_fma_f16c() && long_parts) {  // one row per pass, as the AVX-512 kernels above
        const std::vector<float> split =
            type == GemvWeights::BF16 ? split_even_odd(x, K) : std::vector<float>();
        const float* xs = type == GemvWeights::BF16 ? split.data() : x;
        const Weights w = type == GemvWeights::F32    ? Weights::F32
                          : type == GemvWeights::BF16 ? Weights::BF16
                                                      : Weights::F16;
        for_part_rows(K, parts, count, [&](const GemvPart& p, int64_t n) {
            avx2_rows_x1(w, true, xs, x, K, p.w, n, n + 1, p.bias, p.y);
        });
        return;
    }
#endif
    for (int i = 0; i < count; ++i) {
        const GemvPart& p = parts[i];
        if (type == GemvWeights::F32)
            gemv_f32(x, K, static_cast<const float*>(p.w), p.N, p.bias, p.y);
        else
            half_gemv(x, 1, K, static_cast<const uint16_t*>(p.w), type == GemvWeights::BF16, p.N, p.bias,
                      p.y);
    }
}

#if ATELIER_X86_BF16_CASTS
namespace {

// Up to kSmallGemmRows f32 activation rows in one pass over the weights (rows_x1_avx512_m), x
// packed by 16-column steps.
template <Weights W>
void rows_small(const float* x, int64_t M, int64_t K, const typename WeightType<W>::type* w, int64_t N,
                const float* bias, float* y) {
    const int64_t K16 = K - K % 16;
    thread_local std::vector<float> packed;
    packed.resize(static_cast<size_t>(K16 * M));
    for (int64_t k = 0; k < K16; k += 16)
        for (int64_t m = 0; m < M; ++m) std::memcpy(&packed[k * M + 16 * m], x + m * K + k, 64);
    const float* xp = packed.data();
    with_rows(
        M,
        [&](auto rows) {
            constexpr int R = decltype(rows)::value;
            for_row_blocks(N, K * R, false, [&](int64_t n0, int64_t n1) {
                rows_x1_avx512_m<R, W>(xp, x, K, w, N, n0, n1, bias, y);
            });
        },
        std::make_integer_sequence<int, kSmallGemmRows>{});
}

}  // namespace
#endif

bool half_gemm_small([[maybe_unused]] const float* x, int64_t M, [[maybe_unused]] int64_t K,
                     [[maybe_unused]] const uint16_t* w, [[maybe_unused]] bool bf16,
                     [[maybe_unused]] int64_t N, [[maybe_unused]] const float* bias,
                     [[maybe_unused]] float* y) {
    if (M < 1 || M > kSmallGemmRows || !cpu_has_avx512_bf16()) return false;
#if ATELIER_X86_BF16_CASTS
    if (bf16)
        rows_small<Weights::BF16>(x, M, K, w, N, bias, y);
    else
        rows_small<Weights::F16>(x, M, K, w, N, bias, y);
    return true;
#else
    return false;
#endif
}

bool gemm_f32_small([[maybe_unused]] const float* x, int64_t M, [[maybe_unused]] int64_t K,
                    [[maybe_unused]] const float* w, [[maybe_unused]] int64_t N,
                    [[maybe_unused]] const float* bias, [[maybe_unused]] float* y) {
    if (M < 1 || M > kSmallGemmRows || !cpu_has_avx512_bf16()) return false;
#if ATELIER_X86_BF16_CASTS
    rows_small<Weights::F32>(x, M, K, w, N, bias, y);
    return true;
#else
    return false;
#endif
}

void half_gemv(const float* x, int64_t M, int64_t K, const uint16_t* w, bool bf16, int64_t N,
               const float* bias, float* y) {
    [[maybe_unused]] const bool avx2 = cpu_has_avx2_fma_f16c();
#if ATELIER_X86_BF16_CASTS
    if (M == 1 && cpu_has_avx512_bf16()) {  // implies AVX512F
        for_row_blocks(N, K, long_rows(w, K), [&](int64_t n0, int64_t n1) {
            if (bf16)
                rows_x1_512<Weights::BF16>(x, K, w, n0, n1, bias, y);
            else
                rows_x1_512<Weights::F16>(x, K, w, n0, n1, bias, y);
        });
        return;
    }
#endif
#if ATELIER_X86
    if (avx2 && M == 1) {
        // bf16: x split into even/odd halves per 16-element chunk (see rows_x1_avx2).
        const std::vector<float> split = bf16 ? split_even_odd(x, K) : std::vector<float>();
        const bool aligned = long_rows(w, K);
        for_row_blocks(N, K, aligned, [&](int64_t n0, int64_t n1) {
            avx2_rows_x1(bf16 ? Weights::BF16 : Weights::F16, aligned, bf16 ? split.data() : x, x, K, w, n0,
                         n1, bias, y);
        });
        return;
    }
#endif
    // Blocks of 64 output rows: enough work per block, and blocks spread evenly over threads.
    const int64_t block = 64, blocks = (N + block - 1) / block;
#pragma omp parallel for schedule(static) if (N * K > 32768)
    for (int64_t b = 0; b < blocks; ++b) {
        const int64_t n0 = b * block, n1 = n0 + block < N ? n0 + block : N;
#if ATELIER_X86
        if (avx2)
            avx2_rows(x, M, K, w, bf16, n0, n1, N, bias, y);
        else
            rows_scalar(x, M, K, w, bf16, n0, n1, N, bias, y);
#else
        rows_scalar(x, M, K, w, bf16, n0, n1, N, bias, y);
#endif
    }
}

}  // namespace atelier
