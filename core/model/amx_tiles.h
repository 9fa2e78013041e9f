// What the AMX kernels (attention_amx.cpp, gemm_amx.cpp) share: whether this build can use the tile
// instructions, the kernel's leave to use the tile state, and one tile configuration. Private to
// core/model; no LibTorch.
#pragma once

#include "model/kernel_util.h"

// AMX needs the tile intrinsics (GCC 11+, Clang) and, on Linux, the kernel's leave to use the tile
// state (arch_prctl, Linux 5.16+). Elsewhere the AMX kernels decline and their callers' paths run.
#if ATELIER_X86_BF16_CASTS && defined(__linux__) && (defined(__clang__) || __GNUC__ >= 11)
#define ATELIER_AMX 1
#include <cpuid.h>
#include <omp.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <algorithm>
#else
#define ATELIER_AMX 0
#endif

#if ATELIER_AMX

#define ATELIER_AMX_TARGET ATELIER_TARGET("amx-tile,amx-bf16,avx512f,avx512bw,avx512vl,avx512bf16")

namespace atelier::amx {

// The CPU has AMX-BF16 and AMX-TILE, the OS saves the tile state, and Linux grants it to this process.
inline bool granted() {
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
    if (!(d & (1u << 22)) || !(d & (1u << 24))) return false;                         // AMX-BF16, AMX-TILE
    if (!__get_cpuid_count(1, 0, &a, &b, &c, &d) || !(c & (1u << 27))) return false;  // OSXSAVE
    uint32_t lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & (3u << 17)) != (3u << 17)) return false;  // XTILECFG, XTILEDATA enabled by the OS
    constexpr long kReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
    return syscall(SYS_arch_prctl, kReqXcompPerm, kXfeatureXtiledata) == 0;
}

// Palette 1: all eight tiles 16 rows of 64 bytes (16 × 32 bf16, or 16 × 16 f32).
struct alignas(64) TileConfig {
    uint8_t palette = 1;
    uint8_t start_row = 0;
    uint8_t reserved[14] = {};
    uint16_t colsb[16] = {};
    uint8_t rows[16] = {};
};

// Once per thread before its first tile instruction (each thread has its own tile state).
ATELIER_AMX_TARGET inline void configure_tiles() {
    TileConfig config;
    for (int i = 0; i < 8; ++i) config.colsb[i] = 64, config.rows[i] = 16;
    // GCC 12's _tile_loadconfig tells the compiler it reads 8 bytes of the 64: without the barrier
    // the other stores above may be dropped (tiles left unconfigured: tileloadd raises SIGILL).
    __asm__ volatile("" ::: "memory");
    _tile_loadconfig(&config);
}

ATELIER_AMX_TARGET inline void release_tiles() {
    _tile_release();
}

// The 2 × 2 tile block both GEMMs step through (palette 1): tiles 4 and 5 hold the first operand's
// two 16-row halves (a0, a1: rows a_stride bytes apart), 6 and 7 the second operand's two 16-column
// tiles (b0, b1: 1 KB each, packed), and 0-3 the four sums, [a half][b tile].
ATELIER_AMX_TARGET inline void zero_block() {
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
}

ATELIER_AMX_TARGET inline void block_step(const void* a0, const void* a1, int64_t a_stride, const void* b0,
                                          const void* b1) {
    _tile_loadd(4, a0, a_stride);
    _tile_loadd(6, b0, 64);
    _tile_dpbf16ps(0, 4, 6);
    _tile_loadd(7, b1, 64);
    _tile_dpbf16ps(1, 4, 7);
    _tile_loadd(5, a1, a_stride);
    _tile_dpbf16ps(2, 5, 6);
    _tile_dpbf16ps(3, 5, 7);
}

// The next rows of a matrix a product will read from memory, brought into L2 a few lines at a time
// while the tiles work on the present ones (memory and the tile unit busy at once): `rows` rows of
// `row_bytes` from `first`, `row_stride` bytes apart, spread over about `steps` calls of step().
struct Prefetch {
    const char* base = nullptr;
    int64_t stride = 0, lines_per_row = 0, total = 0, per_step = 0, next = 0;

    Prefetch() = default;
    Prefetch(const void* first, int64_t rows, int64_t row_bytes, int64_t row_stride, int64_t steps)
        : base(static_cast<const char*>(first)),
          stride(row_stride),
          lines_per_row((row_bytes + 63) / 64),
          total(rows * lines_per_row),
          per_step((total + std::max<int64_t>(steps, 1) - 1) / std::max<int64_t>(steps, 1)) {}

    void step() {
        for (const int64_t end = std::min(total, next + per_step); next < end; ++next)
            _mm_prefetch(base + (next / lines_per_row) * stride + (next % lines_per_row) * 64, _MM_HINT_T1);
    }
};

// The four sums into t [32][32] f32, rows those of the first operand.
ATELIER_AMX_TARGET inline void store_block(float* t) {
    _tile_stored(0, t, 32 * 4);
    _tile_stored(1, t + 16, 32 * 4);
    _tile_stored(2, t + 16 * 32, 32 * 4);
    _tile_stored(3, t + 16 * 32 + 16, 32 * 4);
}

}  // namespace atelier::amx

#endif  // ATELIER_AMX
