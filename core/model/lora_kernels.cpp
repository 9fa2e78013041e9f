// LoRA's fused branch (model/lora_kernels.h) on AMX tiles. The rank-r products are small ([256, 2048]
// by [2048, 16] in a 1.1B step): on the tiles they take microseconds, so what counts is reading x, y
// and dy once each way and writing out and dx once, with no pass of LibTorch's in between.
//
// A and B are rounded to bf16 and laid out as the tiles' second operand (pairs of consecutive values
// along the product's inner dimension, 16 output columns to a 64-byte line) once per call, in
// parallel; r is padded with zeros to a multiple of 32 (the hidden width hw), so that the rank is
// one tile step as an inner dimension. Forward, per block of 16 rows: dropout's values of x into a
// buffer (x itself without dropout), ha = h·Aᵀ, then out = y + α·ha·Bᵀ, 16 columns per tile.
// The forward pass also keeps h's rows interleaved in pairs, the second operand of dA's tiles as it
// is. Backward, per block of 16 rows: dh = α·dy·B and dx = dh·A; then per 16 columns dA = dhᵀ·h and
// dB = α·dyᵀ·ha as sums over 32 rows at a time (dy's rows interleaved into a tile there), dh and ha
// transposed once for all columns.
#include "model/lora_kernels.h"

#include "model/amx_kernels.h"
#include "model/amx_tiles.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace atelier {

namespace {

#if ATELIER_AMX

ATELIER_AVX512_WARNINGS_OFF

using kernel::lanes16;
using kernel::load16;
using kernel::transpose16;

constexpr int64_t kBlock = 16;  // rows per block of the row passes: one tile's

// The operands of one call, and where its packed A and B and its shared buffers lie.
struct Call {
    const uint16_t* x = nullptr;
    const uint8_t* keep = nullptr;
    float keep_scale = 1;
    const float* A = nullptr;
    const float* B = nullptr;
    int64_t r = 0, hw = 0;  // rank, and rounded up to 32
    float alpha = 0;
    int64_t M = 0, K = 0, N = 0;
    const uint16_t* y = nullptr;  // forward
    uint16_t* out = nullptr;
    uint16_t* ha = nullptr;        // forward: written; backward: read
    uint32_t* hp = nullptr;        // h's rows in pairs, [Mp / 2][K] words: forward writes, backward reads
    const uint16_t* dy = nullptr;  // backward
    uint16_t* dx = nullptr;
    float *dA = nullptr, *dB = nullptr;
    const uint32_t *pa = nullptr, *pb = nullptr;  // packed A and B (the pass's layouts)
    int64_t Mp = 0;                               // backward: M rounded up to 32
    uint16_t *dht = nullptr, *hat = nullptr;  // backward: dh and ha transposed, [hw][Mp], zero past r and M
};

// The fields every call sets (the rest are the pass's own).
Call base_call(const uint16_t* x, const uint8_t* keep, float keep_scale, const float* A, const float* B,
               int64_t r, float alpha, int64_t M, int64_t K, int64_t N) {
    return Call{x, keep, keep_scale, A, B, r, lora_hidden_width(r), alpha, M, K, N};
}

ATELIER_AMX_TARGET inline __m256i narrow(__m512 v) {
    return reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(v));
}
ATELIER_AMX_TARGET inline __m256i load_bf16(const uint16_t* p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}
ATELIER_AMX_TARGET inline void store_bf16(uint16_t* p, __m256i v) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
}

// The pairs of two rows' 16 values: word j = (a[j], b[j]).
ATELIER_AMX_TARGET inline __m512i interleave(__m256i a, __m256i b) {
    alignas(64) static constexpr uint16_t kIndex[32] = {0,  32, 1,  33, 2,  34, 3,  35, 4,  36, 5,
                                                        37, 6,  38, 7,  39, 8,  40, 9,  41, 10, 42,
                                                        11, 43, 12, 44, 13, 45, 14, 46, 15, 47};
    return _mm512_permutex2var_epi16(_mm512_castsi256_si512(a), _mm512_load_si512(kIndex),
                                     _mm512_castsi256_si512(b));
}

// The lanes whose keep bytes (16 of them) are not zero.
ATELIER_AMX_TARGET inline __mmask16 kept(const uint8_t* keep) {
    const __m128i k = _mm_loadu_si128(reinterpret_cast<const __m128i*>(keep));
    return _mm_test_epi8_mask(k, k);
}

// Dropout's values of 16 elements of x: bf16(x · (keep ? s : 0)), as masked_scale rounds them; x
// itself without keep bytes.
ATELIER_AMX_TARGET inline __m256i dropped(const uint16_t* x, const uint8_t* keep, __m512 s) {
    if (!keep) return load_bf16(x);
    return narrow(_mm512_mul_ps(load16(x, true, 0), _mm512_maskz_mov_ps(kept(keep), s)));
}

// ---- A and B as pair vectors

// The down product's A: word (p, i) = bf16 (A[i][2p], A[i][2p + 1]) at pa[p · hw + i], zero for
// i ≥ r. Block (g, c): rows 16g .., columns 32c .. as 16 words each, transposed.
ATELIER_AMX_TARGET void pack_a_down(const Call& c, int64_t g, int64_t col, uint32_t* pa) {
    __m512i v[16];
    ATELIER_UNROLL
    for (int j = 0; j < 16; ++j) {
        const int64_t i = 16 * g + j;
        const float* a = c.A + i * c.K + 32 * col;
        v[j] =
            i < c.r
                ? reinterpret_cast<__m512i>(_mm512_cvtne2ps_pbh(_mm512_loadu_ps(a + 16), _mm512_loadu_ps(a)))
                : _mm512_setzero_si512();
    }
    transpose16(v);  // v[p]: the 16 rows' word 16 col + p
    ATELIER_UNROLL
    for (int p = 0; p < 16; ++p) _mm512_storeu_si512(pa + (16 * col + p) * c.hw + 16 * g, v[p]);
}

// The up product's B: word (q, n) = bf16 (B[n][2q], B[n][2q + 1]) at pb[q · N + n] for q < hw/2.
// Block (nb, g): rows 16 nb .., words 16g .. of each row, transposed.
ATELIER_AMX_TARGET void pack_b_up(const Call& c, int64_t nb, int64_t g, uint32_t* pb) {
    __m512i v[16];
    const int64_t i0 = 32 * g;
    const __mmask16 lo = lanes16(c.r - i0), hi = lanes16(c.r - i0 - 16);
    ATELIER_UNROLL
    for (int j = 0; j < 16; ++j) {
        const float* b = c.B + (16 * nb + j) * c.r + i0;
        v[j] = reinterpret_cast<__m512i>(
            _mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(hi, b + 16), _mm512_maskz_loadu_ps(lo, b)));
    }
    transpose16(v);  // v[p]: word 16g + p of the 16 rows
    for (int p = 0; p < 16 && 16 * g + p < c.hw / 2; ++p)
        _mm512_storeu_si512(pb + (16 * g + p) * c.N + 16 * nb, v[p]);
}

// dh's B: word (q, i) = bf16 (B[2q][i], B[2q + 1][i]) at pb[q · hw + i].
ATELIER_AMX_TARGET void pack_b_back(const Call& c, int64_t q, uint32_t* pb) {
    for (int64_t i0 = 0; i0 < c.hw; i0 += 16) {
        const __mmask16 m = lanes16(c.r - i0);
        const __m256i a = narrow(_mm512_maskz_loadu_ps(m, c.B + 2 * q * c.r + i0));
        const __m256i b = narrow(_mm512_maskz_loadu_ps(m, c.B + (2 * q + 1) * c.r + i0));
        _mm512_storeu_si512(pb + q * c.hw + i0, interleave(a, b));
    }
}

// dx's A: word (q, k) = bf16 (A[2q][k], A[2q + 1][k]) at pa[q · K + k], zero rows past r.
ATELIER_AMX_TARGET void pack_a_back(const Call& c, int64_t q, uint32_t* pa) {
    const int64_t i = 2 * q;
    for (int64_t k = 0; k < c.K; k += 16) {
        const __m256i a = i < c.r ? narrow(_mm512_loadu_ps(c.A + i * c.K + k)) : _mm256_setzero_si256();
        const __m256i b =
            i + 1 < c.r ? narrow(_mm512_loadu_ps(c.A + (i + 1) * c.K + k)) : _mm256_setzero_si256();
        _mm512_storeu_si512(pa + q * c.K + k, interleave(a, b));
    }
}

// 16 rows of a (`inner` values each, a multiple of 32) times a packed operand pw ([inner / 2][hw]
// words: pairs along the inner dimension, the rank in lanes), scaled and rounded to bf16: out's 16
// rows of hw rank columns, zero past r. t: [16][16] f32.
ATELIER_AMX_TARGET void rank_product(const Call& c, const uint16_t* a, int64_t inner, const uint32_t* pw,
                                     float scale, uint16_t* out, float* t) {
    const int64_t hw = c.hw;
    const __m512 sv = _mm512_set1_ps(scale);
    for (int64_t g = 0; g < hw; g += 16) {  // 16 rank columns per tile
        if (g >= c.r) {
            for (int64_t j = 0; j < kBlock; ++j)
                std::fill(out + j * hw + g, out + j * hw + g + 16, uint16_t(0));
            continue;
        }
        _tile_zero(0);
        for (int64_t k = 0; k < inner; k += 32) {
            _tile_loadd(4, a + k, inner * 2);
            _tile_loadd(6, pw + k / 2 * hw + g, hw * 4);
            _tile_dpbf16ps(0, 4, 6);
        }
        _tile_stored(0, t, 64);
        for (int64_t j = 0; j < kBlock; ++j)
            store_bf16(out + j * hw + g, narrow(_mm512_mul_ps(_mm512_load_ps(t + 16 * j), sv)));
    }
}

// 16 rows of rank values h ([16][hw] bf16) times a packed operand pw ([hw / 2][width] words: pairs
// along the rank, columns in lanes) at columns col .. col + 15, into t [16][16] f32.
ATELIER_AMX_TARGET void hidden_tile(const Call& c, const uint16_t* h, const uint32_t* pw, int64_t width,
                                    int64_t col, float* t) {
    _tile_zero(0);
    for (int64_t i = 0; i < c.hw; i += 32) {
        _tile_loadd(4, h + i, c.hw * 2);
        _tile_loadd(6, pw + i / 2 * width + col, width * 4);
        _tile_dpbf16ps(0, 4, 6);
    }
    _tile_stored(0, t, 64);
}

// ---- forward

// Rows m0 .. m0 + rows - 1 (rows ≤ 16). The thread's buffers: h [16][K], hb [16][hw], t [16][16] f32.
ATELIER_AMX_TARGET void forward_block(const Call& c, int64_t m0, int64_t rows, uint16_t* h, uint16_t* hb,
                                      float* t) {
    const int64_t K = c.K, N = c.N, hw = c.hw;
    const uint16_t* a = c.x + m0 * K;  // the first operand's rows
    if (c.keep || rows < kBlock) {     // dropout's values, or the last rows padded with zeros
        const __m512 s = _mm512_set1_ps(c.keep_scale);
        for (int64_t j = 0; j < rows; ++j)
            for (int64_t k = 0; k < K; k += 16)
                store_bf16(h + j * K + k,
                           dropped(c.x + (m0 + j) * K + k, c.keep ? c.keep + (m0 + j) * K + k : nullptr, s));
        std::fill(h + rows * K, h + kBlock * K, uint16_t(0));
        a = h;
    }
    if (c.hp)  // h's rows in pairs for dA's tiles (the backward's second operand, as it is)
        for (int64_t p = 0; p < kBlock / 2; ++p) {
            uint32_t* line = c.hp + (m0 / 2 + p) * K;
            for (int64_t k = 0; k < K; k += 16)
                _mm512_storeu_si512(
                    line + k, interleave(load_bf16(a + 2 * p * K + k), load_bf16(a + (2 * p + 1) * K + k)));
        }
    rank_product(c, a, K, c.pa, 1.0f, hb, t);  // ha = h·Aᵀ
    std::memcpy(c.ha + m0 * hw, hb, size_t(rows * hw) * 2);
    const __m512 alpha = _mm512_set1_ps(c.alpha);
    for (int64_t n = 0; n < N; n += 16) {  // out = y + α·ha·Bᵀ
        hidden_tile(c, hb, c.pb, N, n, t);
        for (int64_t j = 0; j < rows; ++j) {
            const int64_t o = (m0 + j) * N + n;
            store_bf16(c.out + o,
                       narrow(_mm512_fmadd_ps(_mm512_load_ps(t + 16 * j), alpha, load16(c.y, true, o))));
        }
    }
}

// ---- backward

// Rows m0 .. m0 + rows - 1: dh (into db, the thread's [16][hw]) and its and ha's columns of dht and
// hat, then dx. dyb: the thread's [16][N] for the last rows padded with zeros.
ATELIER_AMX_TARGET void backward_block(const Call& c, int64_t m0, int64_t rows, uint16_t* dyb, uint16_t* db,
                                       float* t) {
    const int64_t K = c.K, N = c.N, hw = c.hw;
    const uint16_t* d = c.dy + m0 * N;
    if (rows < kBlock) {
        std::copy(d, d + rows * N, dyb);
        std::fill(dyb + rows * N, dyb + kBlock * N, uint16_t(0));
        d = dyb;
    }
    rank_product(c, d, N, c.pb, c.alpha, db, t);  // dh = α·dy·B
    for (int64_t j = 0; j < rows; ++j)
        for (int64_t i = 0; i < c.r; ++i) {
            c.dht[i * c.Mp + m0 + j] = db[j * hw + i];
            c.hat[i * c.Mp + m0 + j] = c.ha[(m0 + j) * hw + i];
        }
    if (!c.dx) return;
    const __m512 s = _mm512_set1_ps(c.keep_scale);
    for (int64_t k = 0; k < K; k += 16) {  // dx = dropout's mask · dh·A
        hidden_tile(c, db, c.pa, K, k, t);
        for (int64_t j = 0; j < rows; ++j) {
            const int64_t o = (m0 + j) * K + k;
            __m512 v = _mm512_load_ps(t + 16 * j);
            if (c.keep) v = _mm512_maskz_mul_ps(kept(c.keep + o), v, s);
            store_bf16(c.dx + o, narrow(v));
        }
    }
}

// dy's row m (zero past M) at columns col .. col + 15.
ATELIER_AMX_TARGET inline __m256i dy_row(const Call& c, int64_t m, int64_t col) {
    return m < c.M ? load_bf16(c.dy + m * c.N + col) : _mm256_setzero_si256();
}

// Σ over rows, 32 at a time, of the transposed rank rows (dht for h, hat for dy: [hw][Mp], rows
// 16g .. 16g + 15) times h's or dy's rows at columns col .. col + 15 in pairs — h's as the forward
// pass kept them, dy's interleaved here (zero past M) — for up to four groups g of rank rows in
// tiles 0-3, stored to t [4][16][16] f32.
template <bool OfH>
ATELIER_AMX_TARGET void rank_sums(const Call& c, int64_t col, float* t) {
    alignas(64) uint32_t tile[256];
    const uint16_t* at = OfH ? c.dht : c.hat;
    const int64_t groups = (c.r + 15) / 16;
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    for (int64_t m = 0; m < c.Mp; m += 32) {
        if (OfH) {
            _tile_loadd(6, c.hp + m / 2 * c.K + col, c.K * 4);
        } else {
            for (int p = 0; p < 16; ++p)
                _mm512_store_si512(tile + 16 * p,
                                   interleave(dy_row(c, m + 2 * p, col), dy_row(c, m + 2 * p + 1, col)));
            _tile_loadd(6, tile, 64);
        }
        _tile_loadd(4, at + m, c.Mp * 2);
        _tile_dpbf16ps(0, 4, 6);
        if (groups > 1) {
            _tile_loadd(5, at + 16 * c.Mp + m, c.Mp * 2);
            _tile_dpbf16ps(1, 5, 6);
        }
        if (groups > 2) {
            _tile_loadd(4, at + 32 * c.Mp + m, c.Mp * 2);
            _tile_dpbf16ps(2, 4, 6);
        }
        if (groups > 3) {
            _tile_loadd(5, at + 48 * c.Mp + m, c.Mp * 2);
            _tile_dpbf16ps(3, 5, 6);
        }
    }
    _tile_stored(0, t, 64);
    _tile_stored(1, t + 256, 64);
    _tile_stored(2, t + 512, 64);
    _tile_stored(3, t + 768, 64);
}

// dA's columns k .. k + 15: dhᵀ·h.
ATELIER_AMX_TARGET void grad_a(const Call& c, int64_t k, float* t) {
    rank_sums<true>(c, k, t);
    for (int64_t i = 0; i < c.r; ++i) _mm512_storeu_ps(c.dA + i * c.K + k, _mm512_load_ps(t + 16 * i));
}

// dB's rows n .. n + 15: α·dyᵀ·ha, transposed into rows of r.
ATELIER_AMX_TARGET void grad_b(const Call& c, int64_t n, float* t) {
    rank_sums<false>(c, n, t);
    const __m512 alpha = _mm512_set1_ps(c.alpha);
    for (int64_t g = 0; g < c.r; g += 16) {  // t[g + j][l]: rank row g + j, column n + l
        __m512i v[16];
        ATELIER_UNROLL
        for (int j = 0; j < 16; ++j)
            v[j] = _mm512_castps_si512(_mm512_mul_ps(_mm512_load_ps(t + 16 * (g + j)), alpha));
        transpose16(v);
        const __mmask16 m = lanes16(c.r - g);
        for (int l = 0; l < 16; ++l)
            _mm512_mask_storeu_ps(c.dB + (n + l) * c.r + g, m, _mm512_castsi512_ps(v[l]));
    }
}

ATELIER_AVX512_WARNINGS_ON

// The calling thread's buffers, kept for its next call (the branch runs for every adapted linear).
template <class T>
T* grow(std::vector<T>& v, size_t n) {
    if (v.size() < n) v.resize(n);
    return v.data();
}
struct Buffers {
    std::vector<uint32_t> pa, pb;
    std::vector<uint16_t> transposed, rows;
};
thread_local Buffers t_buffers;

#endif  // ATELIER_AMX

}  // namespace

bool lora_fused_applies(int64_t K, int64_t N, int64_t r) {
    static const bool enabled = amx_path_enabled("ATELIER_FUSED_LORA");
    return enabled && K > 0 && N > 0 && K % 32 == 0 && N % 32 == 0 && r >= 1 && r <= 64;
}

int64_t lora_hidden_width(int64_t r) {
    return (r + 31) / 32 * 32;
}

int64_t lora_pair_rows(int64_t M) {
    return (M + 31) / 32 * 16;
}

void lora_forward(const uint16_t* x, const uint8_t* keep, float keep_scale, const float* A, const float* B,
                  int64_t r, float alpha, const uint16_t* y, int64_t M, int64_t K, int64_t N, uint16_t* ha,
                  uint32_t* hp, uint16_t* out) {
#if ATELIER_AMX
    if (M <= 0) return;
    if (hp) {  // pairs past the last block's rows: zero (the backward reads whole 32-row tiles)
        const int64_t covered = (M + kBlock - 1) / kBlock * kBlock / 2;
        std::fill(hp + covered * K, hp + lora_pair_rows(M) * K, 0u);
    }
    Call c = base_call(x, keep, keep_scale, A, B, r, alpha, M, K, N);
    const int64_t hw = c.hw;
    Buffers& buf = t_buffers;
    uint32_t* pa = grow(buf.pa, size_t(K / 2 * hw));
    uint32_t* pb = grow(buf.pb, size_t(hw / 2 * N));
    const int threads = omp_get_max_threads();
    const size_t per_thread = size_t(kBlock * (K + hw));
    uint16_t* rows = grow(buf.rows, per_thread * size_t(threads));
    c.y = y;
    c.out = out;
    c.ha = ha;
    c.hp = hp;
    c.pa = pa;
    c.pb = pb;
    const int64_t a_blocks = hw / 16 * (K / 32), b_groups = hw / 32, b_blocks = N / 16 * b_groups;
    const int64_t blocks = (M + kBlock - 1) / kBlock;
#pragma omp parallel num_threads(threads)
    {
#pragma omp for schedule(static) nowait
        for (int64_t i = 0; i < a_blocks; ++i) pack_a_down(c, i % (hw / 16), i / (hw / 16), pa);
#pragma omp for schedule(static)
        for (int64_t i = 0; i < b_blocks; ++i) pack_b_up(c, i / b_groups, i % b_groups, pb);
        uint16_t* h = rows + per_thread * size_t(omp_get_thread_num());
        alignas(64) float t[256];
        amx::configure_tiles();
#pragma omp for schedule(static)
        for (int64_t b = 0; b < blocks; ++b)
            forward_block(c, kBlock * b, std::min(kBlock, M - kBlock * b), h, h + kBlock * K, t);
        amx::release_tiles();
    }
#else
    (void)x, (void)keep, (void)keep_scale, (void)A, (void)B, (void)r, (void)alpha, (void)y, (void)M, (void)K,
        (void)N, (void)ha, (void)hp, (void)out;
#endif
}

void lora_backward(const uint32_t* hp, const uint8_t* keep, float keep_scale, const float* A, const float* B,
                   int64_t r, float alpha, const uint16_t* ha, const uint16_t* dy, int64_t M, int64_t K,
                   int64_t N, uint16_t* dx, float* dA, float* dB) {
#if ATELIER_AMX
    if (M <= 0) {
        std::fill(dA, dA + r * K, 0.0f);
        std::fill(dB, dB + N * r, 0.0f);
        return;
    }
    Call c = base_call(nullptr, keep, keep_scale, A, B, r, alpha, M, K, N);
    c.hp = const_cast<uint32_t*>(hp);  // read only
    const int64_t hw = c.hw;
    Buffers& buf = t_buffers;
    uint32_t* pb = grow(buf.pb, size_t(N / 2 * hw));
    uint32_t* pa = grow(buf.pa, size_t(hw / 2 * K));
    c.Mp = 2 * lora_pair_rows(M);
    uint16_t* transposed = grow(buf.transposed, size_t(2 * hw * c.Mp));
    std::fill(transposed, transposed + 2 * hw * c.Mp, uint16_t(0));
    const int threads = omp_get_max_threads();
    const size_t per_thread = size_t(kBlock * (N + hw));
    uint16_t* rows = grow(buf.rows, per_thread * size_t(threads));
    c.ha = const_cast<uint16_t*>(ha);  // read only
    c.dy = dy;
    c.dx = dx;
    c.dA = dA;
    c.dB = dB;
    c.pa = pa;
    c.pb = pb;
    c.dht = transposed;
    c.hat = transposed + hw * c.Mp;
    const int64_t blocks = (M + kBlock - 1) / kBlock, a_chunks = K / 16, b_chunks = N / 16;
#pragma omp parallel num_threads(threads)
    {
#pragma omp for schedule(static) nowait
        for (int64_t q = 0; q < N / 2; ++q) pack_b_back(c, q, pb);
#pragma omp for schedule(static)
        for (int64_t q = 0; q < hw / 2; ++q) pack_a_back(c, q, pa);
        uint16_t* dyb = rows + per_thread * size_t(omp_get_thread_num());
        alignas(64) float t[4 * 256];
        amx::configure_tiles();
#pragma omp for schedule(static)
        for (int64_t b = 0; b < blocks; ++b)
            backward_block(c, kBlock * b, std::min(kBlock, M - kBlock * b), dyb, dyb + kBlock * N, t);
#pragma omp for schedule(static)
        for (int64_t i = 0; i < a_chunks + b_chunks; ++i) {
            if (i < a_chunks)
                grad_a(c, 16 * i, t);
            else
                grad_b(c, 16 * (i - a_chunks), t);
        }
        amx::release_tiles();
    }
#else
    (void)hp, (void)keep, (void)keep_scale, (void)A, (void)B, (void)r, (void)alpha, (void)ha, (void)dy,
        (void)M, (void)K, (void)N, (void)dx, (void)dA, (void)dB;
#endif
}

}  // namespace atelier
