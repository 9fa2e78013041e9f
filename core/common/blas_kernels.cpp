#include "common/blas_kernels.h"

#include "common/isa_cap.h"

// OpenBLAS is Linux's BLAS (Debian's LibTorch links it); the official LibTorch uses MKL on Windows
// and Accelerate on macOS, so there is no OpenBLAS to ask or tune there.
#ifdef __linux__
#include <dlfcn.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace atelier {

std::string blas_core_name() {
#ifdef __linux__
    using CoreName = char* (*)();
    auto fn = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
    const char* name = fn ? fn() : nullptr;
    return name ? std::string(name) : std::string();
#else
    return std::string();
#endif
}

namespace {

#if defined(__linux__) && (defined(__x86_64__) || defined(__i386__))
// ATELIER_MAX_ISA's ceiling for oneDNN and ATen, where the user has not set theirs; the OpenBLAS core
// it implies ("" uncapped).
const char* cap_libraries(IsaCap cap) {
    if (cap == IsaCap::Native) return "";
    const bool avx512 = cap == IsaCap::Avx512, avx2 = cap == IsaCap::Avx2;
    setenv("ONEDNN_MAX_CPU_ISA", avx512 ? "AVX512_CORE" : avx2 ? "AVX2" : "SSE41", 0);
    setenv("ATEN_CPU_CAPABILITY", avx512 ? "avx512" : avx2 ? "avx2" : "default", 0);
    return avx512 ? "SkylakeX" : avx2 ? "Haswell" : "Prescott";
}
#endif

}  // namespace

void use_native_blas_kernels(char** argv) {
#if defined(__linux__) && (defined(__x86_64__) || defined(__i386__))
    const std::string capped = cap_libraries(isa_cap());
    if (std::getenv("OPENBLAS_CORETYPE")) return;  // the user's choice (or our earlier run's)
    auto lower = [](std::string v) {
        std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
        return v;
    };
    const std::string core = lower(blas_core_name());
    if (core.empty()) return;
    const char* want = nullptr;
    if (!capped.empty()) {  // ATELIER_MAX_ISA's core, whatever OpenBLAS picked
        if (core == lower(capped)) return;
        want = capped.c_str();
    } else {
        // OpenBLAS's fallbacks when it does not recognise a CPU; a recognised one is left alone.
        static const char* const fallbacks[] = {"prescott",   "core2",     "katmai",
                                                "coppermine", "northwood", "unknown"};
        if (std::none_of(std::begin(fallbacks), std::end(fallbacks),
                         [&](const char* f) { return core == f; }))
            return;
        __builtin_cpu_init();  // __builtin_cpu_supports also checks that the OS saves the registers
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
            want = "SkylakeX";
        else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
            want = "Haswell";
        if (!want) return;
    }
    setenv("OPENBLAS_CORETYPE", want, 1);
    execv("/proc/self/exe", argv);
    // Still here: the program goes on with the kernels it has; OPENBLAS_CORETYPE stays set for the
    // processes it starts.
#else
    (void)argv;
#endif
}

}  // namespace atelier
