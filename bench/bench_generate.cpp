// Inference benchmark: prefill and decode throughput, time to first token and peak RSS, printed
// beside this machine's limits (decode: model bytes / measured memory bandwidth; prefill:
// measured GEMM FLOP/s).
//
//   bench_generate                                # stories260K (from $ATELIER_FIXTURES) + random 1.1B bf16
//   bench_generate --model DIR --dtype bf16       # any model
//   bench_generate --synthetic-only --dtype f32   # only the random 1.1B model (TinyLlama shape)
#include "bench_util.h"
#include "common/blas_kernels.h"
#include "generate/generator.h"
#include "model/half_gemv.h"
#include "model/importers.h"
#include "model/llama.h"
#include "model/llama_module.h"

#include <immintrin.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace atelier;
using atelier::bench::Clock;
using atelier::bench::measure_gemm_gflops;
using atelier::bench::peak_rss_gib;
using atelier::bench::reset_peak_rss;
using atelier::bench::seconds;
using atelier::bench::synthetic_checkpoint;
using atelier::bench::tinyllama_config;

namespace {

// Read bandwidth: every thread streams its slice of a buffer much larger than the caches with
// 256-bit loads (what a bandwidth-bound kernel does), best of several passes.
__attribute__((target("avx2"))) uint64_t sum_slice(const uint64_t* p, size_t n) {
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_add_epi64(a0, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i)));
        a1 = _mm256_add_epi64(a1, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 4)));
        a2 = _mm256_add_epi64(a2, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 8)));
        a3 = _mm256_add_epi64(a3, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 12)));
    }
    alignas(32) uint64_t lanes[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes),
                       _mm256_add_epi64(_mm256_add_epi64(a0, a1), _mm256_add_epi64(a2, a3)));
    uint64_t s = lanes[0] + lanes[1] + lanes[2] + lanes[3];
    for (; i < n; ++i) s += p[i];
    return s;
}

// The read bandwidth over 16 passes of a 1 GiB buffer (every thread its slice): the best is the
// bound decode is held to; the median and worst say how much this machine varies (a shared VM can
// swing by a third between minutes).
struct Bandwidth {
    double best = 0, median = 0, worst = 0;
};

Bandwidth measure_bandwidth_gbs(int threads) {
    const size_t bytes = size_t(1) << 30;
    std::vector<uint64_t> buf(bytes / 8);
    for (size_t i = 0; i < buf.size(); ++i) buf[i] = i;
    std::vector<double> passes;
    uint64_t sink = 0;
    for (int rep = 0; rep < 16; ++rep) {
        std::vector<std::thread> pool;
        std::vector<uint64_t> sums(threads);
        auto t0 = Clock::now();
        for (int t = 0; t < threads; ++t)
            pool.emplace_back([&, t] {
                const size_t n = buf.size() / threads;
                sums[t] = sum_slice(buf.data() + t * n, n);
            });
        for (auto& th : pool) th.join();
        passes.push_back(bytes / seconds(t0) / 1e9);
        for (uint64_t s : sums) sink += s;
    }
    if (sink == 42) std::printf(" ");  // keep the loads
    std::sort(passes.begin(), passes.end());
    return {passes.back(), passes[passes.size() / 2], passes.front()};
}

struct Figures {
    double load_s, prefill_tps, decode_tps, ttft_s, rss_gib;
};

Figures run(const std::string& label, const Checkpoint& ck, const std::string& dtype, int prompt_tokens,
            int decode_tokens, double bandwidth_gbs, double gemm_f32, double gemm_bf16) {
    LoadOptions o;
    o.dtype = dtype;
    o.context_length = prompt_tokens + decode_tokens + 8;
    reset_peak_rss();  // the figure covers this model: its weights (in `ck`), load, prefill and decode
    auto t0 = Clock::now();
    auto model = LlamaModel::from_checkpoint(ck, o);
    double load_s = seconds(t0);
    const ModelConfig& c = model->config();
    const double gemm_gflops = model->compute_dtype() == "bf16" ? gemm_bf16 : gemm_f32;
    std::vector<int> prompt(prompt_tokens);
    std::mt19937 rng(7);
    for (int& id : prompt) id = static_cast<int>(rng() % c.vocab_size);

    // Time to first token: prefill + first sample (no tokenizer involved).
    model->reset();
    auto tp = Clock::now();
    std::vector<float> logits = model->decode(prompt);
    int next = argmax(logits);
    double ttft = seconds(tp);
    // Prefill again for a steadier figure.
    model->reset();
    tp = Clock::now();
    model->decode(prompt);
    double prefill_s = std::min(ttft, seconds(tp));

    model->reset();
    model->decode(prompt);
    auto td = Clock::now();
    for (int i = 0; i < decode_tokens; ++i) next = argmax(model->decode({next}));
    double decode_s = seconds(td);

    const double bytes_per_token =
        static_cast<double>(c.num_parameters()) * (model->dtype() == "f32" ? 4 : 2);
    const double flops_per_token = 2.0 * static_cast<double>(c.num_parameters());
    Figures f{load_s, prompt_tokens / prefill_s, decode_tokens / decode_s, ttft, peak_rss_gib()};
    const double decode_bound = bandwidth_gbs * 1e9 / bytes_per_token;
    const double prefill_bound = gemm_gflops * 1e9 / flops_per_token;
    std::printf("\n== %s: %.3g parameters, %s weights, %s compute, %d threads\n", label.c_str(),
                double(c.num_parameters()), model->dtype().c_str(), model->compute_dtype().c_str(),
                at::get_num_threads());
    if (model->compute_dtype() != "f32")
        std::printf("  decode path          %s (the faster on this CPU, measured at first use)\n",
                    half_gemv_beats_gemm() ? "half_gemv (widened in registers, f32 sums)"
                                           : "LibTorch 16-bit GEMM (oneDNN)");
    std::printf("  load                 %8.3f s\n", f.load_s);
    std::printf("  prefill (%4d tok)   %8.1f tok/s   bound %8.1f tok/s (GEMM %.0f GFLOP/s)  -> %5.1f%%\n",
                prompt_tokens, f.prefill_tps, prefill_bound, gemm_gflops,
                100 * f.prefill_tps / prefill_bound);
    std::printf("  decode  (%4d tok)   %8.2f tok/s   bound %8.2f tok/s (%.1f GB/s / %.2f GB) -> %5.1f%%\n",
                decode_tokens, f.decode_tps, decode_bound, bandwidth_gbs, bytes_per_token / 1e9,
                100 * f.decode_tps / decode_bound);
    std::printf("  time to first token  %8.3f s\n", f.ttft_s);
    std::printf("  peak RSS             %8.2f GiB\n", f.rss_gib);
    return f;
}

}  // namespace

int main(int argc, char** argv) {
    atelier::use_native_blas_kernels(argv);
    std::string model_path, dtype = "auto";
    bool synthetic_only = false;
    int prompt_tokens = 128, decode_tokens = 32;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
        if (a == "--model")
            model_path = next();
        else if (a == "--dtype")
            dtype = next();
        else if (a == "--synthetic-only")
            synthetic_only = true;
        else if (a == "--prompt-tokens")
            prompt_tokens = std::atoi(next().c_str());
        else if (a == "--decode-tokens")
            decode_tokens = std::atoi(next().c_str());
        else {
            std::fprintf(stderr,
                         "usage: bench_generate [--model PATH] [--dtype auto|f32|bf16] [--synthetic-only] "
                         "[--prompt-tokens N] [--decode-tokens N]\n");
            return 2;
        }
    }
    try {
        const int threads = init_engine_threads();
        std::printf("machine: %u hardware threads, LibTorch %d intra-op threads, bf16 instructions: %s\n",
                    std::thread::hardware_concurrency(), threads, cpu_has_fast_bf16() ? "yes" : "no");
        const Bandwidth probe = measure_bandwidth_gbs(threads);
        const double bw = probe.best;
        const double gemm_f32 = measure_gemm_gflops(torch::kFloat32, 2048);
        const double gemm_bf16 = measure_gemm_gflops(torch::kBFloat16, 2048);
        std::printf(
            "memory read bandwidth %.1f GB/s (best of 16 passes; median %.1f, worst %.1f); GEMM 2048^3: "
            "f32 %.0f GFLOP/s, bf16 %.0f GFLOP/s\n",
            bw, probe.median, probe.worst, gemm_f32, gemm_bf16);

        if (!model_path.empty()) {
            Checkpoint ck = load_checkpoint(model_path);
            run(model_path, ck, dtype, prompt_tokens, decode_tokens, bw, gemm_f32, gemm_bf16);
            return 0;
        }
        if (!synthetic_only) {
            const char* fx = std::getenv("ATELIER_FIXTURES");
            std::string dir = std::string(fx ? fx : "../shared/fixtures") + "/stories260K/hf";
            Checkpoint ck = load_checkpoint(dir);
            run("stories260K (f32)", ck, "f32", std::min(prompt_tokens, 128), 256, bw, gemm_f32, gemm_bf16);
        }
        ModelConfig c = tinyllama_config();
        const std::string d = dtype == "auto" ? "bf16" : dtype;
        auto t0 = Clock::now();
        Checkpoint ck = synthetic_checkpoint(c, d == "f32"   ? DType::F32
                                                : d == "f16" ? DType::F16
                                                             : DType::BF16);
        std::printf("\n(random 1.1B weights generated in %.1f s)\n", seconds(t0));
        run("random LLaMA 1.1B (TinyLlama shape)", ck, d, prompt_tokens, decode_tokens, bw, gemm_f32,
            gemm_bf16);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_generate: %s\n", e.what());
        return 1;
    }
    return 0;
}
