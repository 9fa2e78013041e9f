// The engine's AMX bf16 GEMMs (core/model/gemm_amx.cpp) against LibTorch's (oneDNN) on the shapes the
// engine gives them: a 1.1B LLaMA's prefill of 128 rows and training step of 256, CLIP-L/336's 577
// rows, and one shape each way the engine leaves to oneDNN. Each shape cycles through enough weight
// matrices (more than 400 MB) that every call reads its weight from memory, as a model's layers do.
//
//   build/bin/bench_gemm
//
// "x·wᵀ" is a linear layer's product (gemm_bf16_amx), "dy·w" its input's gradient (gemm_bf16_amx_nn).
// Prints GFLOP/s, best of 3, alternating; nothing where the CPU has no AMX. First, LoRA's branch of
// an adapted projection in a 1.1B training step, LibTorch's ops against the fused node
// (adapters/lora_branch.h), milliseconds per call.
#include "adapters/lora_branch.h"
#include "bench_util.h"
#include "model/amx_kernels.h"
#include "model/llama.h"
#include "model/lora_kernels.h"
#include "model/torch_util.h"

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

// LoRA's branch of one adapted linear in training (r 16, alpha 32, dropout 0.1), forward and backward
// through autograd: LibTorch's ops (the path CPUs without AMX take) against the fused node; and the
// fused kernels alone (no autograd, no dropout draw), forward and backward.
void run_lora(const char* what, int64_t M, int64_t K, int64_t N) {
    const int64_t r = 16;
    const double alpha = 2, p = 0.1;
    const auto bf16 = torch::kBFloat16;
    const auto x0 = torch::randn({1, M, K}).to(bf16), y0 = torch::randn({1, M, N}).to(bf16);
    const auto dy = torch::randn({1, M, N}).to(bf16);
    auto A = (torch::randn({r, K}) * 0.02).requires_grad_(true);
    auto B = (torch::randn({N, r}) * 0.02).requires_grad_(true);
    auto step = [&](bool fused) {
        auto x = x0.clone().requires_grad_(true), y = y0.clone().requires_grad_(true);
        torch::Tensor out;
        if (fused) {
            out = atelier::lora_branch(x, y, A, B, alpha, p);
        } else {  // LoraLinear::apply's ops
            const auto h = atelier::fast_dropout(x, p);
            const auto hA = torch::linear(h, A.to(bf16)).reshape({-1, r});
            out = torch::addmm(y.reshape({-1, N}), hA, B.to(bf16).t(), 1, alpha).view(y.sizes());
        }
        out.backward(dy);
    };
    const int calls = 20;
    double t[2] = {1e30, 1e30};
    for (int rep = 0; rep < 4; ++rep)
        for (int fused = 0; fused < 2; ++fused) {
            const auto t0 = Clock::now();
            for (int i = 0; i < calls; ++i) step(fused);
            if (rep > 0) t[fused] = std::min(t[fused], seconds(t0) / calls);
        }
    torch::NoGradGuard no_grad;
    const auto keep = atelier::dropout_keep(x0, p);
    auto ha = torch::empty({M, atelier::lora_hidden_width(r)}, bf16), out = torch::empty_like(y0);
    auto hp = torch::empty({atelier::lora_pair_rows(M), K}, torch::kInt32);
    auto* pairs = reinterpret_cast<uint32_t*>(hp.data_ptr<int32_t>());
    auto dx = torch::empty_like(x0), dA = torch::empty({r, K}), dB = torch::empty({N, r});
    auto u16 = [](torch::Tensor& t) { return static_cast<uint16_t*>(t.data_ptr()); };
    double forward = 1e30, backward = 1e30;
    for (int rep = 0; rep < 4; ++rep) {
        auto t0 = Clock::now();
        for (int i = 0; i < calls; ++i)
            atelier::lora_forward(bits(x0), keep.keep.data_ptr<uint8_t>(), keep.scale, A.data_ptr<float>(),
                                  B.data_ptr<float>(), r, float(alpha), bits(y0), M, K, N, u16(ha), pairs,
                                  u16(out));
        forward = std::min(forward, seconds(t0) / calls);
        t0 = Clock::now();
        for (int i = 0; i < calls; ++i)
            atelier::lora_backward(pairs, keep.keep.data_ptr<uint8_t>(), keep.scale, A.data_ptr<float>(),
                                   B.data_ptr<float>(), r, float(alpha), bits(ha), bits(dy), M, K, N, u16(dx),
                                   dA.data_ptr<float>(), dB.data_ptr<float>());
        backward = std::min(backward, seconds(t0) / calls);
    }
    std::printf(
        "  %-26s x [%4lld, %4lld], y [%4lld, %4lld]  LibTorch %5.2f  fused %5.2f ms (%.2fx); "
        "kernels %.2f + %.2f ms\n",
        what, static_cast<long long>(M), static_cast<long long>(K), static_cast<long long>(M),
        static_cast<long long>(N), 1e3 * t[0], 1e3 * t[1], t[0] / t[1], 1e3 * forward, 1e3 * backward);
}

}  // namespace

int main() {
    try {
        const int threads = atelier::init_engine_threads();
        const double peak = atelier::bench::measure_gemm_gflops(torch::kBFloat16, 2048);
        std::printf("threads %d; bf16 GEMM 2048^3 (LibTorch, cached weights): %.0f GFLOP/s\n", threads, peak);
        if (atelier::lora_fused_applies(2048, 256, 16)) {
            std::printf(
                "LoRA branch of one linear, forward and backward (r 16, dropout 0.1), ms per call, best of "
                "3:\n");
            run_lora("1.1B: q, o", 256, 2048, 2048);
            run_lora("1.1B: k, v", 256, 2048, 256);
            run_lora("1.1B: gate, up", 256, 2048, 5632);
            run_lora("1.1B: down", 256, 5632, 2048);
        }
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
