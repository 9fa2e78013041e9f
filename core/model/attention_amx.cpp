#include "model/amx_kernels.h"

#include "model/amx_tiles.h"
#include "model/half_gemv.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace atelier {

namespace {

#if ATELIER_AMX

ATELIER_AVX512_WARNINGS_OFF

constexpr int64_t kHd = 64;    // the head_dim the tiles are laid out for: two 32-wide halves
constexpr int64_t kRows = 32;  // queries per block: two AMX tiles of 16 rows

using amx::configure_tiles;
using amx::release_tiles;

uint32_t pair(uint16_t lo, uint16_t hi) {
    return uint32_t(lo) | uint32_t(hi) << 16;
}

// k of one head as the second operand of q·kᵀ, one tile after another: dims (2p, 2p+1) of key
// 16b + i as 32 bits at kp[(b · 32 + p) · 16 + i], so that 16 keys × 32 dims are 1 KB in a row (a
// tile load of 16 cache lines one after another); keys N..Np are zero.
void pack_keys(const uint16_t* k, int64_t stride, int64_t N, int64_t Np, uint32_t* kp) {
    for (int64_t n = 0; n < Np; ++n) {
        const uint16_t* row = n < N ? k + n * stride : nullptr;
        uint32_t* dst = kp + (n / 16) * (kHd / 2) * 16 + n % 16;
        for (int64_t p = 0; p < kHd / 2; ++p) dst[p * 16] = row ? pair(row[2 * p], row[2 * p + 1]) : 0;
    }
}

// v of one head as the second operand of p·v: keys (2i, 2i+1) at dim d as 32 bits at vp[i · 64 + d],
// so that 32 keys × 16 dims are one tile; keys N..Np are zero.
void pack_values(const uint16_t* v, int64_t stride, int64_t N, int64_t Np, uint32_t* vp) {
    for (int64_t i = 0; i < Np / 2; ++i) {
        const uint16_t* lo = 2 * i < N ? v + 2 * i * stride : nullptr;
        const uint16_t* hi = 2 * i + 1 < N ? v + (2 * i + 1) * stride : nullptr;
        for (int64_t d = 0; d < kHd; ++d) vp[i * kHd + d] = pair(lo ? lo[d] : 0, hi ? hi[d] : 0);
    }
}

// 2^x for x <= 0: 2^n · 2^f, n = round(x), |f| <= 1/2, 2^f by its Taylor series to f^4 (relative
// error < 5e-5, far below the bf16 rounding the result gets); scalef gives 0 far below.
ATELIER_AMX_TARGET inline __m512 exp2_bf16(__m512 x) {
    const __m512 n = _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512 f = _mm512_sub_ps(x, n);
    __m512 p = _mm512_set1_ps(9.6181291e-3f);
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(5.5504109e-2f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.4022651e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(6.9314718e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, n);
}

// exp(s[j] - max s) for j < N into p as bf16 (zeros from N to Np); returns the sum of the unrounded
// values, by which the row's output is divided after the product with v (one pass fewer than
// normalising here; the same rounding, relative 2^-9 per probability).
ATELIER_AMX_TARGET float softmax_row(const float* s, int64_t N, int64_t Np,
                                     uint16_t* p) {  // s: 16 keys every 256 floats
    __m512 mv = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
    for (int64_t j = 0; j < N; j += 16) {
        const __mmask16 m = kernel::lanes16(N - j);
        mv = _mm512_mask_max_ps(mv, m, mv, _mm512_maskz_loadu_ps(m, s + j * 16));
    }
    constexpr float kLog2e = 1.44269504088896341f;
    const __m512 log2e = _mm512_set1_ps(kLog2e), shift = _mm512_set1_ps(kernel::hmax16(mv) * kLog2e);
    __m512 sv = _mm512_setzero_ps();
    for (int64_t j = 0; j < Np; j += 16) {
        const __mmask16 m = kernel::lanes16(N - j);
        const __m512 e =
            _mm512_maskz_mov_ps(m, exp2_bf16(_mm512_fmsub_ps(_mm512_loadu_ps(s + j * 16), log2e, shift)));
        sv = _mm512_add_ps(sv, e);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(p + j),
                            reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(e)));
    }
    return kernel::hsum16(sv);
}

struct Scratch {
    float* scores;    // [32, Np] f32
    uint16_t* probs;  // [32, Np] bf16
    alignas(64) uint16_t q[kRows * kHd];
    alignas(64) float o[16 * kHd];
};

// probabilities · v for 16 rows of P (row stride Np), into o [16, 64] f32: tile 0 holds 32 keys of the
// rows, 1 and 2 the values, 4-7 the 64 dims' sums.
ATELIER_AMX_TARGET void probs_times_values(const uint16_t* P, int64_t Np, const uint32_t* vp, float* o) {
    _tile_zero(4);
    _tile_zero(5);
    _tile_zero(6);
    _tile_zero(7);
    for (int64_t t = 0; t < Np; t += 32) {
        const uint32_t* vb = vp + (t / 2) * kHd;
        _tile_loadd(0, P + t, Np * 2);
        _tile_loadd(1, vb, kHd * 4);
        _tile_dpbf16ps(4, 0, 1);
        _tile_loadd(2, vb + 16, kHd * 4);
        _tile_dpbf16ps(5, 0, 2);
        _tile_loadd(1, vb + 32, kHd * 4);
        _tile_dpbf16ps(6, 0, 1);
        _tile_loadd(2, vb + 48, kHd * 4);
        _tile_dpbf16ps(7, 0, 2);
    }
    _tile_stored(4, o, kHd * 4);
    _tile_stored(5, o + 16, kHd * 4);
    _tile_stored(6, o + 32, kHd * 4);
    _tile_stored(7, o + 48, kHd * 4);
}

// One block of up to 32 queries of one head, from q0.
ATELIER_AMX_TARGET void attend_block(const uint16_t* q, int64_t stride, int64_t N, int64_t Np,
                                     const uint32_t* kp, const uint32_t* vp, int64_t q0, Scratch& w,
                                     uint16_t* out, int64_t out_stride) {
    const int64_t rows = std::min(kRows, N - q0);
    const uint16_t* qa = q + q0 * stride;
    int64_t qa_stride = stride;
    if (rows < kRows) {  // the last block: its rows copied, the rest zero (tiles load 16 rows)
        std::memset(w.q, 0, sizeof w.q);
        for (int64_t r = 0; r < rows; ++r) std::memcpy(w.q + r * kHd, qa + r * stride, kHd * 2);
        qa = w.q;
        qa_stride = kHd;
    }
    float* S = w.scores;
    uint16_t* P = w.probs;
    const int64_t tiles = Np / 16;  // S: score tiles one after another, [row half][key block][16][16]
    // scores: tiles 0-3 the two 16-row halves' two halves of dims, 4 and 5 16 keys' halves of dims,
    // 6 and 7 the two row halves' sums (each key tile used twice)
    _tile_loadd(0, qa, qa_stride * 2);
    _tile_loadd(1, qa + 32, qa_stride * 2);
    _tile_loadd(2, qa + 16 * qa_stride, qa_stride * 2);
    _tile_loadd(3, qa + 16 * qa_stride + 32, qa_stride * 2);
    for (int64_t j = 0; j < Np; j += 16) {
        _tile_zero(6);
        _tile_zero(7);
        const uint32_t* kb = kp + j * (kHd / 2);  // key block j / 16: 32 rows p of 16 keys
        _tile_loadd(4, kb, 64);
        _tile_dpbf16ps(6, 0, 4);
        _tile_dpbf16ps(7, 2, 4);
        _tile_loadd(5, kb + 16 * 16, 64);
        _tile_dpbf16ps(6, 1, 5);
        _tile_dpbf16ps(7, 3, 5);
        _tile_stored(6, S + j * 16, 64);
        _tile_stored(7, S + (tiles + j / 16) * 256, 64);
    }
    float inv_sum[kRows];
    for (int64_t r = 0; r < rows; ++r)
        inv_sum[r] = 1.0f / softmax_row(S + (r / 16 * tiles) * 256 + r % 16 * 16, N, Np, P + r * Np);
    for (int64_t half = 0; half * 16 < rows; ++half) {
        probs_times_values(P + half * 16 * Np, Np, vp, w.o);
        for (int64_t r = half * 16; r < std::min(rows, half * 16 + 16); ++r) {
            const __m512 inv = _mm512_set1_ps(inv_sum[r]);
            for (int64_t d = 0; d < kHd; d += 16)
                _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + (q0 + r) * out_stride + d),
                                    reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(_mm512_mul_ps(
                                        _mm512_load_ps(w.o + (r - half * 16) * kHd + d), inv))));
        }
    }
}

ATELIER_AVX512_WARNINGS_ON

#endif  // ATELIER_AMX

}  // namespace

bool cpu_has_amx_bf16() {
#if ATELIER_AMX
    static const bool ok = cpu_has_avx512_bf16() && amx::granted();
    return ok;
#else
    return false;
#endif
}

bool amx_path_enabled(const char* switch_name) {
    const char* env = std::getenv(switch_name);
    return cpu_has_amx_bf16() && !(env && std::string(env) == "0");
}

bool attention_bf16_amx(const uint16_t* q, const uint16_t* k, const uint16_t* v, int64_t stride,
                        int64_t heads, int64_t N, int64_t head_dim, uint16_t* out, int64_t out_stride) {
#if ATELIER_AMX
    if (head_dim != kHd || N <= 0 || heads <= 0 || !cpu_has_amx_bf16()) return false;
    const int64_t Np = (N + 31) / 32 * 32;  // keys padded to whole pairs of 16-key tiles
    std::vector<uint32_t> kp(size_t(heads * (kHd / 2) * Np)), vp(size_t(heads * (Np / 2) * kHd));
#pragma omp parallel for schedule(static)
    for (int64_t h = 0; h < heads; ++h) {
        pack_keys(k + h * kHd, stride, N, Np, kp.data() + h * (kHd / 2) * Np);
        pack_values(v + h * kHd, stride, N, Np, vp.data() + h * (Np / 2) * kHd);
    }
    const int64_t blocks = (N + kRows - 1) / kRows, threads = omp_get_max_threads();
    std::vector<float> scores(size_t(threads * kRows * Np));  // allocated here: nothing throws in the region
    std::vector<uint16_t> probs(size_t(threads * kRows * Np), 0);
#pragma omp parallel num_threads(threads)
    {
        Scratch w;
        w.scores = scores.data() + omp_get_thread_num() * kRows * Np;
        w.probs = probs.data() + omp_get_thread_num() * kRows * Np;
        configure_tiles();
#pragma omp for schedule(static)
        for (int64_t item = 0; item < heads * blocks; ++item) {
            const int64_t h = item / blocks, q0 = (item % blocks) * kRows;
            attend_block(q + h * kHd, stride, N, Np, kp.data() + h * (kHd / 2) * Np,
                         vp.data() + h * (Np / 2) * kHd, q0, w, out + h * kHd, out_stride);
        }
        release_tiles();
    }
    return true;
#else
    (void)q, (void)k, (void)v, (void)stride, (void)heads, (void)N, (void)head_dim, (void)out,
        (void)out_stride;
    return false;
#endif
}

}  // namespace atelier
