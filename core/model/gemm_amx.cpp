// bf16 GEMMs on AMX tiles: y = x · wᵀ (+ bias) and the input's gradient dy · w, weights as the
// model holds them.
//
// LibTorch's bf16 linear (oneDNN) repacks the weight into its blocked layout on every call; at a
// prefill's 128 rows that pass over a weight matrix too large for the caches costs about a third of
// the product (docs/benchmarks.md, 2026-12-03). Here the weight is the tiles' first operand, read
// straight from its [N, K] rows: the product is computed transposed, yᵀ = w · xᵀ, so that only the
// activations need the second operand's pair-interleaved layout (a few hundred KB, packed once per
// call) and the 16 × 16 f32 result tiles are transposed on their way out, bias added there.
// For dy · w, dy's rows are the first operand and w is packed 256 rows at a time (each thread its
// columns, every row's run read in one piece), the sums carried in f32 from one block to the next.
#include "model/amx_kernels.h"

#include "model/amx_tiles.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <vector>

namespace atelier {

namespace {

#if ATELIER_AMX

ATELIER_AVX512_WARNINGS_OFF

using amx::block_step;
using amx::store_block;
using amx::zero_block;
using kernel::transpose16;

// x [M, K] as the tiles' second operand: for rows 16b..16b+15 and columns 32c..32c+31 one 1 KB tile
// at xp + (b · K/32 + c) · 256, its line p the 32-bit pairs (x[16b + i][32c + 2p], x[..][32c + 2p + 1])
// for i = 0..15 (rows past M zero): a 16 × 16 transpose of 32-bit words.
ATELIER_AMX_TARGET void pack_rows(const uint16_t* x, int64_t M, int64_t K, int64_t b, uint32_t* xp) {
    const int64_t chunks = K / 32, rows = std::min<int64_t>(16, M - 16 * b);
    for (int64_t c = 0; c < chunks; ++c) {
        __m512i r[16];
        for (int64_t i = 0; i < 16; ++i)
            r[i] = i < rows ? _mm512_loadu_si512(x + (16 * b + i) * K + 32 * c) : _mm512_setzero_si512();
        transpose16(r);
        uint32_t* tile = xp + (b * chunks + c) * 256;
        for (int p = 0; p < 16; ++p) _mm512_store_si512(tile + 16 * p, r[p]);
    }
}

// One panel of 32 weight rows from n0 against 32 activation rows from m0 (blocks 2mb, 2mb + 1):
// tiles 4 and 5 the two 16-row halves of the weight, 6 and 7 the activations' two blocks, 0-3 the
// four 16 × 16 products, stored to t [32 n][32 m] f32.
// `next`: the following panel's rows, a few lines brought to L2 per step (amx::Prefetch).
ATELIER_AMX_TARGET void panel_product(const uint16_t* w, int64_t K, int64_t n0, const uint32_t* xp,
                                      int64_t mb, float* t, amx::Prefetch& next) {
    const int64_t chunks = K / 32;
    const uint16_t* w0 = w + n0 * K;
    const uint16_t* w1 = w0 + 16 * K;
    const uint32_t* x0 = xp + (2 * mb) * chunks * 256;
    const uint32_t* x1 = x0 + chunks * 256;
    zero_block();
    for (int64_t c = 0; c < chunks; ++c) {
        next.step();
        block_step(w0 + 32 * c, w1 + 32 * c, K * 2, x0 + 256 * c, x1 + 256 * c);
    }
    store_block(t);
}

// t [32 n][32 m] → y rows m0 .. m0 + rows - 1, columns n0 .. n0 + 31, bias added, rounded to bf16.
ATELIER_AMX_TARGET void store_panel(const float* t, int64_t rows, const float* bias, int64_t n0, uint16_t* y,
                                    int64_t N, int64_t m0) {
    for (int nh = 0; nh < 2; ++nh) {
        const __m512 b = bias ? _mm512_loadu_ps(bias + n0 + 16 * nh) : _mm512_setzero_ps();
        for (int mh = 0; mh < 2 && 16 * mh < rows; ++mh) {
            __m512i r[16];
            for (int i = 0; i < 16; ++i) r[i] = _mm512_load_si512(t + (16 * nh + i) * 32 + 16 * mh);
            transpose16(r);  // r[j]: the 16 n of row m = 16 mh + j
            for (int64_t j = 0; j < std::min<int64_t>(16, rows - 16 * mh); ++j) {
                const __m512 v = _mm512_add_ps(_mm512_castsi512_ps(r[j]), b);
                _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + (m0 + 16 * mh + j) * N + n0 + 16 * nh),
                                    reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(v)));
            }
        }
    }
}

// ---- dy · w (the input's gradient of y = x · wᵀ): w is the second operand, pairs along N

constexpr int64_t kBlockRows = 256;  // rows of w (N) per block: packed, then used by every row of dy
// (Bringing the next block's rows to L2 during a block's products, as the forward product does with
// its panels, measured slower here: [256, 5632] x [5632, 2048] 1490-1545 -> 1270-1320 GFLOP/s. The
// packed block, the f32 sums and dy's rows already share L2 with it.)

// Rows n0 .. n0 + rows - 1 of w, columns k0 .. k1 - 1, as the tiles' second operand: for rows
// 32c .. 32c + 31 of the block and output columns 16j .. 16j + 15 of the range, one tile at
// wp + (c · (k1 - k0)/16 + j) · 256, its line p the pairs (w[n0 + 32c + 2p][k0 + 16j + i],
// w[n0 + 32c + 2p + 1][k0 + 16j + i]) for i = 0..15. Each row's range is read as one run.
ATELIER_AMX_TARGET void pack_pairs(const uint16_t* w, int64_t K, int64_t n0, int64_t rows, int64_t k0,
                                   int64_t k1, uint32_t* wp) {
    alignas(64) uint16_t lo[32], hi[32];
    for (int e = 0; e < 32; ++e) {  // even lanes from row 2p, odd ones from row 2p + 1
        lo[e] = uint16_t(e / 2 + (e % 2 ? 32 : 0));
        hi[e] = uint16_t(16 + e / 2 + (e % 2 ? 32 : 0));
    }
    const __m512i ilo = _mm512_load_si512(lo), ihi = _mm512_load_si512(hi);
    const int64_t tiles = (k1 - k0) / 16;
    for (int64_t q = 0; q < rows / 2; ++q) {  // row pair q: chunk q / 16, line q % 16
        const uint16_t* a = w + (n0 + 2 * q) * K;
        uint32_t* line = wp + (q / 16) * tiles * 256 + 16 * (q % 16);
        for (int64_t k = k0; k < k1; k += 32) {
            const __m512i va = _mm512_loadu_si512(a + k), vb = _mm512_loadu_si512(a + K + k);
            const int64_t j = (k - k0) / 16;
            _mm512_store_si512(line + j * 256, _mm512_permutex2var_epi16(va, ilo, vb));
            _mm512_store_si512(line + (j + 1) * 256, _mm512_permutex2var_epi16(va, ihi, vb));
        }
    }
}

// One block of w's rows against 32 rows of dy (a: from the block's first column, row stride N, zero
// past the end) for output columns k0 .. k1 - 1: per 32 columns the sums so far are loaded from acc
// ([32, K] f32 from m0's row; zero when `first`), the block's chunks added, and the sums stored
// back, or (`last`) written to out rows m0 .. m0 + rows - 1 as bf16.
ATELIER_AMX_TARGET void block_product(const uint16_t* a, int64_t N, int64_t block_rows, const uint32_t* wp,
                                      int64_t k0, int64_t k1, float* acc, int64_t K, bool first, bool last,
                                      uint16_t* out, int64_t m0, int64_t rows, float* t) {
    const int64_t tiles = (k1 - k0) / 16;
    for (int64_t k = k0; k < k1; k += 32) {
        float* c = acc + k;
        if (first) {
            zero_block();
        } else {
            _tile_loadd(0, c, K * 4);
            _tile_loadd(1, c + 16, K * 4);
            _tile_loadd(2, c + 16 * K, K * 4);
            _tile_loadd(3, c + 16 * K + 16, K * 4);
        }
        for (int64_t ch = 0; ch < block_rows / 32; ++ch) {
            const uint32_t* b = wp + (ch * tiles + (k - k0) / 16) * 256;
            block_step(a + 32 * ch, a + 16 * N + 32 * ch, N * 2, b, b + 256);
        }
        if (!last) {
            _tile_stored(0, c, K * 4);
            _tile_stored(1, c + 16, K * 4);
            _tile_stored(2, c + 16 * K, K * 4);
            _tile_stored(3, c + 16 * K + 16, K * 4);
            continue;
        }
        store_block(t);
        for (int64_t r = 0; r < rows; ++r) {
            const __m512 v0 = _mm512_load_ps(t + r * 32), v1 = _mm512_load_ps(t + r * 32 + 16);
            _mm512_storeu_si512(out + (m0 + r) * K + k,
                                reinterpret_cast<__m512i>(_mm512_cvtne2ps_pbh(v1, v0)));
        }
    }
}

ATELIER_AVX512_WARNINGS_ON

// A 64-byte aligned buffer of at least `bytes`, kept for the calling thread's next product (slot:
// which of a product's buffers): the products run for every layer, so neither an allocation nor
// fresh pages' faults on each call. Grows to the largest shape met; null if memory runs out.
void* scratch(int slot, size_t bytes) {
    struct Buffer {
        std::unique_ptr<void, decltype(&std::free)> data{nullptr, &std::free};
        size_t size = 0;
    };
    thread_local Buffer buffers[4];
    Buffer& b = buffers[slot];
    if (b.size < bytes) {
        b.data.reset();
        b.size = 0;
        const size_t size = (bytes + 63) / 64 * 64;
        b.data.reset(std::aligned_alloc(64, size));
        if (b.data) b.size = size;
    }
    return b.data.get();
}

#endif  // ATELIER_AMX

}  // namespace

bool amx_gemm_enabled() {
    static const bool enabled = amx_path_enabled("ATELIER_AMX_GEMM");
    return enabled;
}

bool gemm_bf16_amx(const uint16_t* x, int64_t M, int64_t K, const uint16_t* w, int64_t N, const float* bias,
                   uint16_t* y) {
    const AmxPart part{w, N, bias, y};
    return gemm_bf16_amx_set(x, M, K, &part, 1);
}

bool gemm_bf16_amx_set(const uint16_t* x, int64_t M, int64_t K, const AmxPart* parts, int count) {
#if ATELIER_AMX
    if (M <= 0 || K <= 0 || K % 32 != 0 || count <= 0 || !cpu_has_amx_bf16()) return false;
    int64_t panels = 0;  // 32-row weight panels of all parts
    for (int i = 0; i < count; ++i) {
        if (parts[i].N <= 0 || parts[i].N % 32 != 0) return false;
        panels += parts[i].N / 32;
    }
    const int64_t blocks = (M + 31) / 32 * 2;  // 16-row blocks of x, an even number
    // x's tiles (allocated here: nothing throws in the parallel region)
    auto* xp = static_cast<uint32_t*>(scratch(0, size_t(blocks * K / 32 * 256) * 4));
    if (!xp) return false;
#pragma omp parallel
    {
#pragma omp for schedule(static)
        for (int64_t b = 0; b < blocks; ++b) pack_rows(x, M, K, b, xp);
        alignas(64) float t[32 * 32];
        amx::configure_tiles();
        // x's tiles in groups of about 2 MB, which stay in the caches while the weights pass by
        // once per group. On the dev VM 512 KB groups read a [5632, 2048] weight from memory eight
        // times for 256 rows (1180 against 1400 GFLOP/s); 8 MB ones lost at 1024 rows (1300 against
        // 1660) as the panels left the caches.
        const int64_t group = std::max<int64_t>(1, (int64_t{2} << 20) / (32 * K * 2));
        for (int64_t g0 = 0; g0 < blocks / 2; g0 += group) {
#pragma omp for schedule(static)
            for (int64_t i = 0; i < panels; ++i) {
                int p = 0;
                int64_t n0 = 32 * i;
                while (n0 >= parts[p].N) n0 -= parts[p++].N;  // panel i is part p's rows n0 ..
                const AmxPart& part = parts[p];
                const int64_t mb1 = std::min(blocks / 2, g0 + group);
                // The next panel's 32 rows on their way to L2 while this one's products run, where
                // there are at least 8 of them (256 rows of x): then the panel's first pass no longer
                // waits on memory. A training step's [256, 2048] x [2048, 5632] read 2000-2150 ->
                // 2190-2230 GFLOP/s and CLIP's 577 rows 1550-1600 -> 1610-1680; at a prefill's 128
                // rows the prefetches cost more than they saved (down: 1440-1510 -> 1090-1110).
                amx::Prefetch next;
                if (mb1 - g0 >= 8 && i + 1 < panels) {
                    const uint16_t* following = n0 + 32 < part.N ? part.w + (n0 + 32) * K : parts[p + 1].w;
                    next = amx::Prefetch(following, 32, K * 2, K * 2, (mb1 - g0) * (K / 32));
                }
                for (int64_t mb = g0; mb < mb1; ++mb) {
                    panel_product(part.w, K, n0, xp, mb, t, next);
                    store_panel(t, std::min<int64_t>(32, M - 32 * mb), part.bias, n0, part.y, part.N,
                                32 * mb);
                }
            }
        }
        amx::release_tiles();
    }
    return true;
#else
    (void)x, (void)M, (void)K, (void)parts, (void)count;
    return false;
#endif
}

bool gemm_bf16_amx_nn(const uint16_t* a, int64_t M, int64_t N, const uint16_t* w, int64_t K, uint16_t* out) {
    const AmxGradPart part{a, N, w};
    return gemm_bf16_amx_nn_set(M, K, &part, 1, out);
}

bool gemm_bf16_amx_nn_set(int64_t M, int64_t K, const AmxGradPart* parts, int count, uint16_t* out) {
#if ATELIER_AMX
    if (M <= 0 || K <= 0 || K % 32 != 0 || count <= 0 || !cpu_has_amx_bf16()) return false;
    // blocks of up to kBlockRows rows of one part's w, all parts' in turn: the sums run through them all
    struct Block {
        int part;
        int64_t n0, rows;
        int64_t tail;  // the part's tail rows in `tail` (below)
    };
    std::vector<Block> blocks;
    int64_t tail_size = 0;
    for (int i = 0; i < count; ++i) {
        const int64_t N = parts[i].N;
        if (N <= 0 || N % 32 != 0) return false;
        for (int64_t n0 = 0; n0 < N; n0 += kBlockRows)
            blocks.push_back({i, n0, std::min(kBlockRows, N - n0), tail_size});
        tail_size += 32 * N;
    }
    const int64_t pairs = (M + 31) / 32, last = M - 32 * (pairs - 1), nblocks = int64_t(blocks.size());
    // the last 32 rows of each part's dy, zero past M (tiles load 16 whole rows); the f32 sums
    // between blocks of w; each thread's packed block (its columns of kBlockRows rows)
    const int threads = static_cast<int>(std::min<int64_t>(omp_get_max_threads(), K / 32));
    const int64_t per_thread = (K / 32 + threads - 1) / threads * 32;  // columns
    const size_t pack_words = size_t(kBlockRows * per_thread / 2);
    auto* tail = static_cast<uint16_t*>(scratch(1, size_t(tail_size) * 2));
    auto* acc = static_cast<float*>(scratch(2, nblocks > 1 ? size_t(32 * pairs * K) * 4 : 64));
    auto* packs = static_cast<uint32_t*>(scratch(3, pack_words * 4 * size_t(threads)));
    if (!tail || !acc || !packs) return false;
    for (const Block& b : blocks) {
        if (b.n0) continue;
        const AmxGradPart& p = parts[b.part];
        std::copy(p.dy + (M - last) * p.N, p.dy + M * p.N, tail + b.tail);
        std::fill(tail + b.tail + last * p.N, tail + b.tail + 32 * p.N, uint16_t(0));
    }
#pragma omp parallel num_threads(threads)
    {
        alignas(64) float t[32 * 32];
        const int64_t k0 = per_thread * omp_get_thread_num(), k1 = std::min(K, k0 + per_thread);
        uint32_t* wp = packs + pack_words * size_t(omp_get_thread_num());
        amx::configure_tiles();
        // the thread's columns in parts whose f32 sums (32 · pairs rows) stay in L2 across the blocks
        const int64_t part = std::max<int64_t>(32, (int64_t{512} << 10) / (32 * pairs * 4) / 32 * 32);
        for (int64_t p0 = k0; p0 < k1; p0 += part) {
            const int64_t p1 = std::min(k1, p0 + part);
            for (int64_t bi = 0; bi < nblocks; ++bi) {
                const Block& b = blocks[size_t(bi)];
                const AmxGradPart& g = parts[b.part];
                pack_pairs(g.w, K, b.n0, b.rows, p0, p1, wp);
                for (int64_t mp = 0; mp < pairs; ++mp) {
                    const bool end = mp == pairs - 1;
                    block_product((end ? tail + b.tail : g.dy + 32 * mp * g.N) + b.n0, g.N, b.rows, wp, p0,
                                  p1, acc + 32 * mp * K, K, bi == 0, bi == nblocks - 1, out, 32 * mp,
                                  end ? last : 32, t);
                }
            }
        }
        amx::release_tiles();
    }
    return true;
#else
    (void)M, (void)K, (void)parts, (void)count, (void)out;
    return false;
#endif
}

}  // namespace atelier
