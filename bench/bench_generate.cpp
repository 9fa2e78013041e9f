// Inference benchmark: prefill and decode throughput, time to first token and peak RSS, printed
// beside this machine's limits (decode: model bytes / measured memory bandwidth; prefill:
// measured GEMM FLOP/s).
//
//   bench_generate                                # stories260K (from $ATELIER_FIXTURES) + random 1.1B bf16
//   bench_generate --model DIR --dtype bf16       # any model
//   bench_generate --synthetic-only --dtype f32   # only the random 1.1B model (TinyLlama shape)
//   bench_generate --synthetic-only --ops 25      # and the prefill's 25 ops with the most self time
//   bench_generate --write-llama2c FILE.bin       # that shape as a llama2.c file (vocab 512: tok512 fits)
#include "bench_util.h"
#include "common/blas_kernels.h"
#include "common/isa_cap.h"
#include "common/memory.h"
#include "generate/generator.h"
#include "io/llama2c.h"
#include "model/half_gemv.h"
#include "model/importers.h"
#include "model/llama.h"
#include "model/llama_module.h"
#include "op_table.h"

#include <immintrin.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace atelier;
using atelier::bench::Clock;
using atelier::bench::measure_gemm_gflops;
using atelier::bench::peak_rss_gib;
using atelier::bench::print_op_table;
using atelier::bench::reset_peak_rss;
using atelier::bench::seconds;
using atelier::bench::start_op_profile;
using atelier::bench::stop_op_profile;
using atelier::bench::synthetic_checkpoint;
using atelier::bench::tinyllama_config;

namespace {

// The sum of the 64-bit lanes of acc[0..n).
__attribute__((target("avx2"))) uint64_t lanes_sum(const __m256i* acc, int n) {
    uint64_t sum = 0;
    for (int s = 0; s < n; ++s) {
        alignas(32) uint64_t lanes[4];
        _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), acc[s]);
        sum += lanes[0] + lanes[1] + lanes[2] + lanes[3];
    }
    return sum;
}

// Read bandwidth: every thread reads its slice of a buffer much larger than the caches with
// 256-bit loads, as S interleaved streams (the slice cut in S parts read side by side). One core
// reads faster from several streams than from one (on the 2-core dev VM 27 GB/s with one stream per
// thread, 38-41 GB/s with eight), and the GEMV kernels read eight weight rows at once: the bound is
// the best over S, not what one stream happens to reach.
template <int S>
__attribute__((target("avx2"))) uint64_t sum_slice(const uint64_t* p, size_t n) {
    const size_t len = n / S;
    __m256i acc[S];
    for (int s = 0; s < S; ++s) acc[s] = _mm256_setzero_si256();
    for (size_t i = 0; i + 8 <= len; i += 8)
        for (int s = 0; s < S; ++s) {
            const __m256i* q = reinterpret_cast<const __m256i*>(p + s * len + i);
            acc[s] =
                _mm256_add_epi64(acc[s], _mm256_add_epi64(_mm256_loadu_si256(q), _mm256_loadu_si256(q + 1)));
        }
    return lanes_sum(acc, S);
}

// One stream per thread read 512 bytes per step (sixteen 256-bit loads into eight sums): the
// access of the one-row-per-pass GEMVs on aligned weights.
__attribute__((target("avx2"))) uint64_t sum_run(const uint64_t* p, size_t n) {
    __m256i acc[8];
    for (int s = 0; s < 8; ++s) acc[s] = _mm256_setzero_si256();
    for (size_t i = 0; i + 64 <= n; i += 64)
        for (int s = 0; s < 8; ++s) {
            const __m256i* q = reinterpret_cast<const __m256i*>(p + i + 8 * s);
            acc[s] =
                _mm256_add_epi64(acc[s], _mm256_add_epi64(_mm256_loadu_si256(q), _mm256_loadu_si256(q + 1)));
        }
    return lanes_sum(acc, 8);
}

// `rounds` passes (16 before the models, 4 again after each decode, 1 per round of gemv_against_probe)
// over the 1 GiB probe buffer, each trying 1, 2, 4
// and 8 streams per thread and the long run (as streams = 0): the best is the bound decode is held to; the
// median and worst of the passes say how much this machine varies (a shared VM can swing by a third between
// minutes); `one_stream` is the best with a single stream per thread.
struct Bandwidth {
    double best = 0, median = 0, worst = 0, one_stream = 0;
    int streams = 1;  // per thread, at the best; 0: the long run
};

constexpr size_t kProbeBytes = size_t(1) << 30;

// The probe's 1 GiB, in memory allocated as the model's weights are (huge pages asked for,
// common/memory.h), written once.
std::shared_ptr<uint8_t> probe_buffer() {
    std::shared_ptr<uint8_t> arena = atelier::allocate_streamed(kProbeBytes);
    uint64_t* buf = reinterpret_cast<uint64_t*>(arena.get());
    for (size_t i = 0; i < kProbeBytes / 8; ++i) buf[i] = i;
    return arena;
}

Bandwidth measure_bandwidth_gbs(int threads, int rounds, const uint64_t* buf) {
    const size_t bytes = kProbeBytes, words = bytes / 8;
    using Reader = uint64_t (*)(const uint64_t*, size_t);
    const std::pair<int, Reader> readers[] = {
        {1, sum_slice<1>}, {2, sum_slice<2>}, {4, sum_slice<4>}, {8, sum_slice<8>}, {0, sum_run}};
    Bandwidth bw;
    std::vector<double> passes;
    uint64_t sink = 0;
    for (int rep = 0; rep < rounds; ++rep) {
        double pass_best = 0;
        for (const auto& [streams, reader] : readers) {
            std::vector<std::thread> pool;
            std::vector<uint64_t> sums(threads);
            auto t0 = Clock::now();
            for (int t = 0; t < threads; ++t)
                pool.emplace_back([&, t, reader = reader] {
                    const size_t n = words / threads;
                    sums[t] = reader(buf + t * n, n);
                });
            for (auto& th : pool) th.join();
            const double gbs = bytes / seconds(t0) / 1e9;
            for (uint64_t v : sums) sink += v;
            if (streams == 1) bw.one_stream = std::max(bw.one_stream, gbs);
            if (gbs > bw.best) bw.best = gbs, bw.streams = streams;
            pass_best = std::max(pass_best, gbs);
        }
        passes.push_back(pass_best);
    }
    if (sink == 42) std::printf(" ");  // keep the loads
    std::sort(passes.begin(), passes.end());
    bw.median = passes[passes.size() / 2];
    bw.worst = passes.front();
    return bw;
}

Bandwidth measure_bandwidth_gbs(int threads, int rounds = 16) {
    const std::shared_ptr<uint8_t> buf = probe_buffer();
    return measure_bandwidth_gbs(threads, rounds, reinterpret_cast<const uint64_t*>(buf.get()));
}

// The decode GEMV alone against the probe, in alternating rounds so the machine's drift affects both
// alike: the kernel over 512 MiB of `dtype` weights, [N, 2048] (the hidden size of the 1.1B's
// matrices: with f32 activations a longer row's x spills out of L1), in the model's memory
// (huge pages, rows on cache lines), as the engine's decode calls it for that dtype on this CPU
// (bf16: bf16_gemv where the CPU has AVX512-BF16, else half_gemv with f32 activations); the probe one
// pass over 1 GiB with every reader, as measure_bandwidth_gbs. Prints each side's median and the
// spread of the per-round ratio.
void gemv_against_probe(int threads, const std::string& dtype) {
    const size_t elem = dtype == "f32" ? 4 : 2;
    const int64_t K = 2048, N = (int64_t(1) << 29) / (K * int64_t(elem));
    const std::shared_ptr<uint8_t> wbuf = atelier::allocate_streamed(size_t(N * K) * elem);
    std::mt19937 rng(3);
    for (size_t i = 0; i < size_t(N * K) * elem / 4; ++i)  // small values in every dtype's bits
        reinterpret_cast<uint32_t*>(wbuf.get())[i] =
            dtype == "f32" ? 0x3c000000u + rng() % 4096 : 0x3c003c00u;
    std::vector<float> x(K, 0.5f), y(N);
    std::vector<uint16_t> xb(K, 0x3f00);  // 0.5 in bf16
    const bool bf16_rows = dtype == "bf16" && cpu_has_fast_bf16();
    auto kernel = [&] {
        if (dtype == "f32")
            gemv_f32(x.data(), K, reinterpret_cast<const float*>(wbuf.get()), N, nullptr, y.data());
        else if (bf16_rows)
            bf16_gemv(xb.data(), K, reinterpret_cast<const uint16_t*>(wbuf.get()), N, nullptr, y.data());
        else
            half_gemv(x.data(), 1, K, reinterpret_cast<const uint16_t*>(wbuf.get()), dtype == "bf16", N,
                      nullptr, y.data());
    };
    kernel();
    const std::shared_ptr<uint8_t> probe_buf = probe_buffer();
    std::vector<double> k_gbs, p_gbs, ratio;
    for (int round = 0; round < 8; ++round) {
        const double probe =
            measure_bandwidth_gbs(threads, 1, reinterpret_cast<const uint64_t*>(probe_buf.get())).best;
        double best = 0;
        for (int rep = 0; rep < 3; ++rep) {
            auto t0 = Clock::now();
            kernel();
            best = std::max(best, double(N * K) * double(elem) / seconds(t0) / 1e9);
        }
        k_gbs.push_back(best);
        p_gbs.push_back(probe);
        ratio.push_back(best / probe);
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    std::sort(ratio.begin(), ratio.end());
    std::printf(
        "%s GEMV alone (%s), 8 rounds alternating with the probe: kernel %.1f GB/s, probe %.1f GB/s "
        "(medians); kernel / probe per round %.0f%% (%.0f-%.0f%%)\n",
        dtype.c_str(),
        dtype == "f32" ? "gemv_f32"
        : bf16_rows
            ? "bf16_gemv"
            : (std::string("half_gemv ") + (cpu_has_avx512_bf16() ? "avx512" : half_gemv_isa())).c_str(),
        median(k_gbs), median(p_gbs), 100 * median(ratio), 100 * ratio.front(), 100 * ratio.back());
}

int g_ops = 0;  // --ops: the prefill's ops with the most self time

struct Figures {
    double load_s, prefill_tps, decode_tps, ttft_s, rss_gib;
};

Figures run(const std::string& label, Checkpoint ck, const std::string& dtype, int prompt_tokens,
            int decode_tokens, double bandwidth_gbs, double gemm_f32, double gemm_bf16) {
    LoadOptions o;
    o.dtype = dtype;
    o.context_length = prompt_tokens + decode_tokens + 8;
    o.background_arena = false;  // steady-state decode: the weights in the arena before the clock runs
    reset_peak_rss();  // the figure covers this model: its weights (in `ck`), load, prefill and decode
    auto t0 = Clock::now();
    auto model = LlamaModel::from_checkpoint(ck, o);
    double load_s = seconds(t0);
    ck.tensors.clear();  // as LlamaModel::load: the file's mapping goes unless the weights still use it
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
    if (g_ops > 0) {  // once more under LibTorch's op profiler
        model->reset();
        start_op_profile();
        model->decode(prompt);
        std::printf("\nprefill of %d tokens:", prompt_tokens);
        print_op_table(stop_op_profile(), 1, g_ops, "prefill");
    }

    model->reset();
    model->decode(prompt);
    auto td = Clock::now();
    for (int i = 0; i < decode_tokens; ++i) next = argmax(model->decode({next}));
    double decode_s = seconds(td);

    // Decode reads every weight once per token except the token embedding (one row; unless the
    // classifier shares it).
    const double read_parameters =
        static_cast<double>(c.num_parameters()) -
        (c.tie_word_embeddings ? 0.0 : double(c.vocab_size) * double(c.hidden_size));
    const double bytes_per_token = read_parameters * (model->dtype() == "f32" ? 4 : 2);
    const double flops_per_token = 2.0 * static_cast<double>(c.num_parameters());
    Figures f{load_s, prompt_tokens / prefill_s, decode_tokens / decode_s, ttft, peak_rss_gib()};
    const double decode_bound = bandwidth_gbs * 1e9 / bytes_per_token;
    const double prefill_bound = gemm_gflops * 1e9 / flops_per_token;
    std::printf("\n== %s: %.3g parameters, %s weights, %s compute, %d threads\n", label.c_str(),
                double(c.num_parameters()), model->dtype().c_str(), model->compute_dtype().c_str(),
                at::get_num_threads());
    if (model->compute_dtype() != "f32")
        std::printf("  decode path          %s (the faster on this CPU, measured at first use)\n",
                    !half_gemv_beats_gemm() ? "LibTorch 16-bit GEMM (oneDNN)"
                    : cpu_has_avx512_bf16() ? "bf16_gemv (vdpbf16ps, f32 sums)"
                                            : "half_gemv (widened in registers, f32 sums)");
    else
        std::printf("  decode path          %s GEMV kernels, f32 sums\n",
                    cpu_has_avx512_bf16() ? "avx512" : half_gemv_isa());
    std::printf("  load                 %8.3f s\n", f.load_s);
    std::printf("  prefill (%4d tok)   %8.1f tok/s   bound %8.1f tok/s (GEMM %.0f GFLOP/s)  -> %5.1f%%\n",
                prompt_tokens, f.prefill_tps, prefill_bound, gemm_gflops,
                100 * f.prefill_tps / prefill_bound);
    std::printf("  decode  (%4d tok)   %8.2f tok/s   bound %8.2f tok/s (%.1f GB/s / %.2f GB) -> %5.1f%%\n",
                decode_tokens, f.decode_tps, decode_bound, bandwidth_gbs, bytes_per_token / 1e9,
                100 * f.decode_tps / decode_bound);
    std::printf("  time to first token  %8.3f s\n", f.ttft_s);
    std::printf("  peak RSS             %8.2f GiB\n", f.rss_gib);
    // The machine's bandwidth again, right after decode (the weights still loaded, RSS taken above):
    // a shared VM drifts between the first probe and this point, and the two bounds bracket the ratio.
    const Bandwidth after = measure_bandwidth_gbs(at::get_num_threads(), 4);
    const double bound_after = after.best * 1e9 / bytes_per_token;
    std::printf("  bandwidth after decode %.1f GB/s (best of 4 passes) -> decode %.1f%% of that bound\n",
                after.best, 100 * f.decode_tps / bound_after);
    return f;
}

// A random float32 llama2.c checkpoint of TinyLlama's shape with stories260K's 512-token vocabulary,
// so that run.c (whose tokenizer file must hold vocab_size pieces) and Atelier can both run it with
// tok512: bench/vs-llama2c.sh's 1B comparison.
void write_random_llama2c(const std::string& path) {
    const ModelConfig c = tinyllama_config();
    Llama2cFile f;
    f.version = 0;  // the legacy header: the one run.c reads
    f.dim = static_cast<int>(c.hidden_size);
    f.hidden_dim = static_cast<int>(c.intermediate_size);
    f.n_layers = static_cast<int>(c.num_hidden_layers);
    f.n_heads = static_cast<int>(c.num_attention_heads);
    f.n_kv_heads = static_cast<int>(c.num_key_value_heads);
    f.vocab_size = 512;
    f.seq_len = 2048;
    f.shared_classifier = true;
    const int64_t d = f.dim, kv = d / f.n_heads * f.n_kv_heads, ff = f.hidden_dim;
    std::vector<std::pair<std::string, std::vector<int64_t>>> shapes = {
        {"tok_embeddings.weight", {f.vocab_size, d}}, {"norm.weight", {d}}};
    for (int l = 0; l < f.n_layers; ++l) {
        const std::string p = "layers." + std::to_string(l) + ".";
        shapes.push_back({p + "attention_norm.weight", {d}});
        shapes.push_back({p + "ffn_norm.weight", {d}});
        shapes.push_back({p + "attention.wq.weight", {d, d}});
        shapes.push_back({p + "attention.wk.weight", {kv, d}});
        shapes.push_back({p + "attention.wv.weight", {kv, d}});
        shapes.push_back({p + "attention.wo.weight", {d, d}});
        shapes.push_back({p + "feed_forward.w1.weight", {ff, d}});
        shapes.push_back({p + "feed_forward.w2.weight", {d, ff}});
        shapes.push_back({p + "feed_forward.w3.weight", {ff, d}});
    }
    torch::manual_seed(1234);
    for (const auto& [name, shape] : shapes) {
        auto t = torch::empty(shape, torch::kFloat32);
        if (name.find("norm") != std::string::npos)
            t.fill_(1.0f);
        else
            t.uniform_(-0.035, 0.035);
        f.tensors[name] = make_owned_tensor(DType::F32, shape, t.data_ptr(), t.nbytes());
    }
    write_llama2c(path, f);
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
        else if (a == "--ops")
            g_ops = std::atoi(next().c_str());
        else if (a == "--write-llama2c") {
            const std::string path = next();
            try {
                write_random_llama2c(path);
                std::printf("wrote %s\n", path.c_str());
                return 0;
            } catch (const std::exception& e) {
                std::fprintf(stderr, "bench_generate: %s\n", e.what());
                return 1;
            }
        } else {
            std::fprintf(stderr,
                         "usage: bench_generate [--model PATH] [--dtype auto|f32|bf16] [--synthetic-only] "
                         "[--prompt-tokens N] [--decode-tokens N] [--ops N] | --write-llama2c FILE.bin\n");
            return 2;
        }
    }
    try {
        const int threads = init_engine_threads();
        std::printf("machine: %u hardware threads, LibTorch %d intra-op threads, bf16 instructions: %s%s%s\n",
                    std::thread::hardware_concurrency(), threads, cpu_has_fast_bf16() ? "yes" : "no",
                    isa_cap() == IsaCap::Native ? "" : ", capped by ATELIER_MAX_ISA=",
                    isa_cap() == IsaCap::Native ? "" : isa_cap_name(isa_cap()));
        const Bandwidth probe = measure_bandwidth_gbs(threads);
        const double bw = probe.best;
        const double gemm_f32 = measure_gemm_gflops(torch::kFloat32, 2048);
        const double gemm_bf16 = measure_gemm_gflops(torch::kBFloat16, 2048);
        std::printf(
            "memory read bandwidth %.1f GB/s (best of 16 passes, %s per thread; median %.1f, worst "
            "%.1f; one stream per thread %.1f); GEMM 2048^3: f32 %.0f GFLOP/s, bf16 %.0f GFLOP/s\n",
            bw,
            probe.streams == 0 ? "one stream of 512-byte steps"
                               : (std::to_string(probe.streams) + " streams").c_str(),
            probe.median, probe.worst, probe.one_stream, gemm_f32, gemm_bf16);

        gemv_against_probe(threads, dtype == "auto" ? "bf16" : dtype);
        if (!model_path.empty()) {
            Checkpoint ck = load_checkpoint(model_path);
            run(model_path, std::move(ck), dtype, prompt_tokens, decode_tokens, bw, gemm_f32, gemm_bf16);
            return 0;
        }
        if (!synthetic_only) {
            const char* fx = std::getenv("ATELIER_FIXTURES");
            std::string dir = std::string(fx ? fx : "../shared/fixtures") + "/stories260K/hf";
            Checkpoint ck = load_checkpoint(dir);
            run("stories260K (f32)", std::move(ck), "f32", std::min(prompt_tokens, 128), 256, bw, gemm_f32,
                gemm_bf16);
        }
        ModelConfig c = tinyllama_config();
        const std::string d = dtype == "auto" ? "bf16" : dtype;
        // Written to disk and loaded back as a user's model is (safetensors, mapped): weights in the
        // page cache decode faster than the same bytes on the heap in 4 KiB pages (27-32 vs 22-25 GB/s
        // on the dev VM), and that is what a user gets.
        auto t0 = Clock::now();
        const auto dir =
            std::filesystem::temp_directory_path() / ("atelier-bench-generate-" + std::to_string(::getpid()));
        struct Remove {
            std::filesystem::path dir;
            ~Remove() {
                std::error_code ec;
                std::filesystem::remove_all(dir, ec);
            }
        } remove{dir};
        save_hf_folder(synthetic_checkpoint(c, d == "f32"   ? DType::F32
                                               : d == "f16" ? DType::F16
                                                            : DType::BF16),
                       dir.string());
        Checkpoint ck = load_checkpoint(dir.string());
        std::printf("\n(random 1.1B weights generated and written to %s in %.1f s)\n", dir.c_str(),
                    seconds(t0));
        run("random LLaMA 1.1B (TinyLlama shape)", std::move(ck), d, prompt_tokens, decode_tokens, bw,
            gemm_f32, gemm_bf16);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_generate: %s\n", e.what());
        return 1;
    }
    return 0;
}
