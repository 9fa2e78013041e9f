// x86 CPUID and XCR0 for the compilers that have no /proc/cpuinfo or __builtin_cpu_supports to ask
// (MSVC; Apple clang on Intel Macs). Linux builds keep reading /proc/cpuinfo and the GCC builtins.
//
//   uint32_t r[4];  atelier::cpuid(7, 0, r);  bool avx2 = r[1] & (1u << 5);
//   if (os_saves_ymm) ... atelier::xcr0() ...   // only after CPUID reports OSXSAVE
#pragma once

#if defined(__x86_64__) || defined(_M_X64)
#define ATELIER_HAS_CPUID 1

#include <cstdint>
#if defined(_MSC_VER)
#include <immintrin.h>
#include <intrin.h>
#else
#include <cpuid.h>
#endif

namespace atelier {

// CPUID leaf/subleaf as {eax, ebx, ecx, edx}.
inline void cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4]) {
#if defined(_MSC_VER)
    int regs[4];
    __cpuidex(regs, static_cast<int>(leaf), static_cast<int>(subleaf));
    for (int i = 0; i < 4; ++i) r[i] = static_cast<uint32_t>(regs[i]);
#else
    __cpuid_count(leaf, subleaf, r[0], r[1], r[2], r[3]);
#endif
}

// The register state the OS saves (XCR0); only to be read when CPUID leaf 1 reports OSXSAVE.
inline uint64_t xcr0() {
#if defined(_MSC_VER)
    return _xgetbv(0);
#else
    uint32_t lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t(hi) << 32) | lo;
#endif
}

}  // namespace atelier

#else
#define ATELIER_HAS_CPUID 0
#endif
