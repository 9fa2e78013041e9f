// Process-wide engine settings: threads, device and dtype support.
#include "model/llama.h"
#include "model/llama_module.h"

#include "common/error.h"

#include <ATen/Context.h>
#include <torch/cuda.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

namespace atelier {

namespace {
std::atomic<bool> g_threads_chosen{false};
}

void ensure_engine_threads() {
    if (!g_threads_chosen.load()) init_engine_threads(0);
}

int init_engine_threads(int threads) {
    g_threads_chosen.store(true);  // an explicit choice wins over ensure_engine_threads()
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
