// Measuring helpers shared by the benchmarks: wall time, the process's peak resident set, and the
// machine's GEMM peak (the bound compute-heavy figures are printed beside).
#pragma once

#include "encoders/encoder_config.h"
#include "model/importers.h"

#include <torch/torch.h>

#include <sys/resource.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

namespace atelier::bench {

using Clock = std::chrono::steady_clock;

inline double seconds(Clock::time_point since) {
    return std::chrono::duration<double>(Clock::now() - since).count();
}

// Peak resident set since the last reset_peak_rss() (Linux VmHWM; reset through clear_refs). The
// reset first hands freed heap memory back to the system (malloc_trim): the benches build their
// random models in memory before measuring, and glibc keeps what they freed resident wherever a
// live block above it stops the heap from shrinking — which happened or not from run to run, and
// put 2.1 GiB of the writer's garbage into bench_train's peak (5.50 GiB against 3.26 in the same
// session, depending only on where the binary lay).
inline void reset_peak_rss() {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
    if (std::FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
        std::fputs("5", f);
        std::fclose(f);
    }
}

inline double peak_rss_gib() {
    std::FILE* f = std::fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && std::fgets(line, sizeof line, f))
        if (std::sscanf(line, "VmHWM: %ld kB", &kib) == 1) break;
    if (f) std::fclose(f);
    if (kib < 0) {
        rusage u{};
        getrusage(RUSAGE_SELF, &u);
        kib = u.ru_maxrss;
    }
    return kib / (1024.0 * 1024.0);
}

// Best of three n x n x n matmuls in `dtype`, after a warm-up.
// Into one preallocated output (no page faults timed), best of 10: a 2048³ bf16 GEMM takes ~15 ms
// on AMX, and the best of 3 fresh outputs read anywhere from 500 to 1300 GFLOP/s on the dev VM.
// 0 where the dtype has no GEMM: bf16 under ATELIER_MAX_ISA=avx2, where oneDNN is capped to AVX2
// but LibTorch, asking the CPU itself, still hands bf16 to oneDNN.
inline double measure_gemm_gflops(torch::Dtype dtype, int64_t n) {
    auto a = torch::randn({n, n}).to(dtype), b = torch::randn({n, n}).to(dtype);
    torch::Tensor c;
    try {
        c = torch::matmul(a, b);
    } catch (const std::exception&) {
        return 0;
    }
    double best = 0;
    for (int rep = 0; rep < 10; ++rep) {
        auto t0 = Clock::now();
        torch::matmul_out(c, a, b);
        best = std::max(best, 2.0 * n * n * n / seconds(t0) / 1e9);
    }
    return best;
}

// Random LLaMA weights in `dtype` for a config: N(0, 0.02)-ish, norms at 1.
inline Checkpoint synthetic_checkpoint(const ModelConfig& c, DType dtype) {
    Checkpoint ck;
    ck.config = c;
    ck.source = "synthetic";
    std::mt19937 rng(1234);
    for (const auto& [name, shape] : expected_tensors(c)) {
        int64_t n = 1;
        for (int64_t s : shape) n *= s;
        const bool norm = name.find("norm") != std::string::npos;
        auto t = torch::empty({n}, torch::kFloat32);
        if (norm)
            t.fill_(1.0f);
        else
            t.uniform_(-0.035, 0.035);  // std ~0.02
        const auto target = dtype == DType::BF16  ? torch::kBFloat16
                            : dtype == DType::F16 ? torch::kFloat16
                                                  : torch::kFloat32;
        torch::Tensor typed = t.to(target).contiguous();
        ck.tensors[name] = make_owned_tensor(dtype, shape, typed.data_ptr(), typed.nbytes());
        ck.size_on_disk += static_cast<int64_t>(typed.nbytes());
    }
    return ck;
}

// TinyLlama-1.1B's shape: 22 layers, d 2048, ff 5632, 32 heads over 4 KV heads, vocab 32000.
inline ModelConfig tinyllama_config() {
    ModelConfig c;
    c.hidden_size = 2048;
    c.intermediate_size = 5632;
    c.num_hidden_layers = 22;
    c.num_attention_heads = 32;
    c.num_key_value_heads = 4;
    c.head_dim = 64;
    c.vocab_size = 32000;
    c.max_position_embeddings = 2048;
    c.rms_norm_eps = 1e-5;
    c.torch_dtype = "bfloat16";
    return c;
}

// CLIP ViT-L/14 at 336 px (LLaVA-1.5's vision tower): 24 layers, width 1024, 577 tokens.
inline ClipVisionConfig clip_vit_l14_336_config() {
    ClipVisionConfig vc;
    vc.hidden_size = 1024;
    vc.intermediate_size = 4096;
    vc.num_hidden_layers = 24;
    vc.num_attention_heads = 16;
    vc.image_size = 336;
    vc.patch_size = 14;
    return vc;
}

// TinyLlama-1.1B's shape with random bf16 weights, written as an HF folder (stories260K's
// tokenizer: its ids are valid in a 32000-token vocabulary).
inline std::string write_random_tinyllama(const std::string& dir, const std::string& tokenizer) {
    ModelConfig c = tinyllama_config();
    c.bos_token_id = 1, c.eos_token_id = 2;
    Checkpoint ck;
    ck.config = c;
    ck.source = "random";
    ck.tokenizer_path = tokenizer;
    torch::manual_seed(1234);
    for (const auto& [name, shape] : expected_tensors(c)) {
        const bool norm = name.find("norm") != std::string::npos;
        auto t = norm ? torch::ones(shape) : torch::empty(shape).uniform_(-0.035, 0.035);
        auto typed = t.to(torch::kBFloat16).contiguous();
        ck.tensors[name] = make_owned_tensor(DType::BF16, shape, typed.data_ptr(), typed.nbytes());
    }
    save_hf_folder(ck, dir);
    return dir;
}

}  // namespace atelier::bench
