// Process-wide engine settings: threads, device and dtype support.
#include "model/llama.h"
#include "model/llama_module.h"

#include "common/error.h"
#include "common/isa_cap.h"

#include <ATen/Context.h>
#include <torch/cuda.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#if !defined(__linux__)
#include "common/cpuid.h"
#endif

namespace atelier {

namespace {

std::atomic<bool> g_threads_chosen{false};

// LibTorch takes every activation from malloc. glibc returns blocks above its mmap threshold
// (dynamic, at most 32 MiB) to the kernel on free and trims the heap top beyond twice that, so each
// encoder layer's attention scores (CLIP-L: 21 MiB, Whisper: 72 MiB) came back as fresh pages that
// the kernel faults in and zeroes: 15% of a ViT forward. Keeping blocks under 256 MiB in the heap and
// up to 512 MiB of free heap top (the memory a layer reuses) took a CLIP-L/14-336 encode from 1.33
// to 0.84-0.94 s and Whisper-base's from 0.76 to 0.38 s (docs/benchmarks.md). A user's own
// GLIBC_TUNABLES or MALLOC_* settings win.
void keep_freed_memory_for_reuse() {
#if defined(__GLIBC__)
    static std::once_flag once;
    std::call_once(once, [] {
        const char* tunables = std::getenv("GLIBC_TUNABLES");
        if ((tunables && std::strstr(tunables, "glibc.malloc.")) || std::getenv("MALLOC_MMAP_THRESHOLD_") ||
            std::getenv("MALLOC_TRIM_THRESHOLD_"))
            return;
        mallopt(M_MMAP_THRESHOLD, 256 << 20);
        mallopt(M_TRIM_THRESHOLD, 512 << 20);
    });
#endif
}

#if !defined(__linux__) && (defined(__x86_64__) || defined(_M_X64))

// What /proc/cpuinfo's avx512_bf16 / amx_bf16 flags say on Linux: the CPU has the instructions and
// the OS saves their registers.
bool cpuid_has_fast_bf16() {
    uint32_t r[4];
    cpuid(0, 0, r);
    const uint32_t max_leaf = r[0];
    if (max_leaf < 7) return false;
    cpuid(1, 0, r);
    if (!(r[2] & (1u << 27))) return false;  // OSXSAVE: XGETBV is usable
    const uint64_t xcr = xcr0();
    cpuid(7, 0, r);
    const uint32_t max_subleaf = r[0];
    const bool amx_bf16 = (r[3] & (1u << 22)) != 0;  // EDX bit 22
    // AMX tiles: XTILECFG (bit 17) and XTILEDATA (bit 18).
    if (amx_bf16 && (xcr & 0x60000) == 0x60000) return true;
    // AVX-512: SSE, AVX, opmask, ZMM_Hi256, Hi16_ZMM (bits 1, 2, 5, 6, 7).
    if ((xcr & 0xE6) != 0xE6 || max_subleaf < 1) return false;
    cpuid(7, 1, r);
    return (r[0] & (1u << 5)) != 0;  // AVX512_BF16: leaf 7 subleaf 1, EAX bit 5
}

#endif

}  // namespace

void ensure_engine_threads() {
    if (!g_threads_chosen.load()) init_engine_threads(0);
}

int init_engine_threads(int threads) {
    g_threads_chosen.store(true);  // an explicit choice wins over ensure_engine_threads()
    keep_freed_memory_for_reuse();
    if (threads <= 0) {
        // Respect an explicit OMP_NUM_THREADS; otherwise use every core (LibTorch from Debian starts with 1).
        const char* env = std::getenv("OMP_NUM_THREADS");
        threads = env && std::atoi(env) > 0 ? std::atoi(env)
                                            : static_cast<int>(std::thread::hardware_concurrency());
        if (threads <= 0) threads = 1;
    }
    at::set_num_threads(threads);
    return at::get_num_threads();
}

bool cpu_has_fast_bf16() {
    if (isa_cap() != IsaCap::Native) return false;  // ATELIER_MAX_ISA: as a CPU without them
#if defined(__linux__)
    static const bool fast = [] {
        std::ifstream f("/proc/cpuinfo");
        std::string line;
        while (std::getline(f, line))
            if (line.rfind("flags", 0) == 0)
                return line.find(" avx512_bf16") != std::string::npos ||
                       line.find(" amx_bf16") != std::string::npos;
        return false;
    }();
    return fast;
#elif defined(__x86_64__) || defined(_M_X64)
    static const bool fast = cpuid_has_fast_bf16();
    return fast;
#else
    // Arm off Linux (Apple silicon, Windows on Arm): recent cores have FEAT_BF16, but whether
    // LibTorch's CPU bf16 matmul beats f32 there is unmeasured; weights stay f32, the safe choice,
    // as on an x86 without AVX512-BF16.
    return false;
#endif
}

bool cuda_available() {
    return torch::cuda::is_available();
}

bool mps_available() {
    return at::hasMPS();
}

int cuda_device_count() {
    return torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0;
}

torch::Dtype parse_dtype(const std::string& name) {
    if (name == "f32" || name == "float32" || name == "fp32" || name == "float") return torch::kFloat32;
    if (name == "bf16" || name == "bfloat16") return torch::kBFloat16;
    if (name == "f16" || name == "float16" || name == "fp16" || name == "half") return torch::kFloat16;
    throw Error(ErrorCode::InvalidArgument, "dtype",
                "unknown dtype '" + name + "' (expected f32, bf16 or f16)");
}

std::string dtype_short_name(torch::Dtype d) {
    if (d == torch::kBFloat16) return "bf16";
    if (d == torch::kFloat16) return "f16";
    return "f32";
}

}  // namespace atelier
