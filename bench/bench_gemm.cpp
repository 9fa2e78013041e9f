// The engine's AMX bf16 GEMMs (core/model/gemm_amx.cpp) against LibTorch's (oneDNN) on the shapes the
// engine gives them: a 1.1B LLaMA's prefill of 128 rows and training step of 256, CLIP-L/336's 577
// rows, and one shape each way the engine leaves to oneDNN. Each shape cycles through enough weight
// matrices (more than 400 MB) that every call reads its weight from memory, as a model's layers do.
//
//   build/bin/bench_gemm
//
// "x·wᵀ" is a linear layer's product (gemm_bf16_amx), "dy·w" its input's gradient (gemm_bf16_amx_nn).
// Prints GFLOP/s, best of 3, alternating; nothing where the CPU has no AMX.
#include "bench_util.h"
#include "model/amx_kernels.h"
#include "model/llama.h"

#include <cstdio>
#include <vector>

using atelier::bench::Clock;
using atelier::bench::seconds;

namespace {

struct Shape {
    const char* what;
    int64_t M, K, N;  // x [M, K], w [N, K] (x·wᵀ); dy [M, N], w [N, K] (dy·w)
    bool gradient;
};

const uint16_t* bits(const torch::Tensor& t) {
    return static_cast<const uint16_t*>(t.data_ptr());
}

void run(const Shape& s) {
    torch::NoGradGuard no_grad;
    const int count = static_cast<int>(std::max<int64_t>(2, (int64_t{400} << 20) / (s.N * s.K * 2)));
    std::vector<torch::Tensor> ws;
    for (int i = 0; i < count; ++i) ws.push_back((torch::randn({s.N, s.K}) * 0.05).to(torch::kBFloat16));
    const auto in = torch::randn({s.M, s.gradient ? s.N : s.K}).to(torch::kBFloat16);
    auto out = torch::empty({s.M, s.gradient ? s.K : s.N}, torch::kBFloat16);
    auto libtorch = [&] {
        for (const auto& w : ws) (void)(s.gradient ? torch::matmul(in, w) : torch::linear(in, w));
    };
    bool ran = true;
    auto amx = [&] {
        for (const auto& w : ws)
            ran = ran && (s.gradient ? atelier::gemm_bf16_amx_nn(bits(in), s.M, s.N, bits(w), s.K,
                                                                 static_cast<uint16_t*>(out.data_ptr()))
                                     : atelier::gemm_bf16_amx(bits(in), s.M, s.K, bits(w), s.N, nullptr,
                                                              static_cast<uint16_t*>(out.data_ptr())));
    };
    libtorch();  // kernels created, pools warm
    amx();
    double t_lib = 1e30, t_amx = 1e30;
    for (int rep = 0; rep < 3; ++rep) {
        auto t0 = Clock::now();
        libtorch();
        t_lib = std::min(t_lib, seconds(t0));
        t0 = Clock::now();
        amx();
        t_amx = std::min(t_amx, seconds(t0));
    }
    const double flop = 2.0 * double(s.M) * double(s.N) * double(s.K) * count;
    const int64_t inner = s.gradient ? s.N : s.K,
                  outer = s.gradient ? s.K : s.N;  // [M, inner] x [inner, outer]
    std::printf("  %-34s %s [%4lld, %4lld] x [%4lld, %4lld]  LibTorch %5.0f  AMX %5.0f GFLOP/s  (%.2fx)\n",
                s.what, s.gradient ? "dy·w " : "x·wᵀ", static_cast<long long>(s.M),
                static_cast<long long>(inner), static_cast<long long>(inner), static_cast<long long>(outer),
                flop / t_lib / 1e9, flop / t_amx / 1e9, t_lib / t_amx);
    if (!ran) std::printf("    (the AMX GEMM declined this shape)\n");
}

}  // namespace

int main() {
    try {
        const int threads = atelier::init_engine_threads();
        const double peak = atelier::bench::measure_gemm_gflops(torch::kBFloat16, 2048);
        std::printf("threads %d; bf16 GEMM 2048^3 (LibTorch, cached weights): %.0f GFLOP/s\n", threads, peak);
        if (!atelier::cpu_has_amx_bf16()) {
            std::printf("no AMX-BF16 here (or ATELIER_MAX_ISA set): the engine keeps LibTorch's GEMM\n");
            return 0;
        }
        const Shape shapes[] = {
            {"1.1B prefill: q, o", 128, 2048, 2048, false},
            {"1.1B prefill: gate, up", 128, 2048, 5632, false},
            {"1.1B prefill: down", 128, 5632, 2048, false},
            {"1.1B training: gate, up", 256, 2048, 5632, false},
            {"1.1B training: gate, up gradient", 256, 2048, 5632, true},
            {"1.1B training: down gradient", 256, 5632, 2048, true},
            {"1.1B training: q, o gradient", 256, 2048, 2048, true},
            {"1.1B training: k, v", 256, 2048, 256, false},
            {"1.1B training: k, v gradient", 256, 2048, 256, true},
            {"CLIP-L/336: q, k, v, o", 577, 1024, 1024, false},
            {"CLIP-L/336: fc2", 577, 4096, 1024, false},
            {"1024-row prefill: gate, up", 1024, 2048, 5632, false},
            {"Whisper-base fc1 (left to oneDNN)", 1500, 512, 2048, false},
        };
        for (const Shape& s : shapes) run(s);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_gemm: %s\n", e.what());
        return 1;
    }
}
