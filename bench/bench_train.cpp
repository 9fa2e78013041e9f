// Fine-tuning benchmark: training tokens/s and peak RSS per adapter method on a random-weight
// LLaMA of TinyLlama's shape (1.1B parameters, bf16 weights), with the achieved FLOP/s beside the
// measured GEMM peak. Figures, not a test.
//
// FLOPs per trained token with a frozen base: forward 2N plus the backward pass through the
// activations 2N (no weight gradients for frozen weights) = 4N, N = parameters; the adapter's own
// FLOPs are negligible. Recomputation under gradient checkpointing adds another forward (2N) that
// the figure does not count as useful work.
//
//   ATELIER_FIXTURES=../shared/fixtures build/bin/bench_train [--steps 4] [--tokens 128] [--batch 1]
//       [--method lora|lora+checkpointing|llama-adapter|llama-adapter-v2]   # only that row
//       [--profile trace.json]   # LibTorch's op profile of the runs (chrome://tracing format)
//       [--ops 30]   # the 30 ops with the most self time per step, by op and input shapes
//       [--data-parallel]   # then LoRA through atelier-train with 1 and 2 processes (same batch of 2)
#include "common/blas_kernels.h"
#include "finetune_recipe.h"
#include "io/tensor_data.h"
#include "model/importers.h"
#include "model/llama.h"
#include "model/llama_module.h"

#include "bench_util.h"
#include "op_table.h"

#include <nlohmann/json.hpp>

#include <sys/resource.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using namespace atelier;
using atelier::bench::Clock;
using atelier::bench::measure_gemm_gflops;
using atelier::bench::peak_rss_gib;
using atelier::bench::reset_peak_rss;
using atelier::bench::seconds;
namespace fs = std::filesystem;

namespace {

std::string write_dataset(const std::string& path, int rows) {
    std::ofstream f(path);
    f << "[\n";
    for (int i = 0; i < rows; ++i) {
        std::string story;
        for (int k = 0; k < 12; ++k)
            story += "The little girl " + std::to_string(i + k) + " saw a big red ball. ";
        f << "{\"instruction\": \"Tell story number " << i << ".\", \"output\": \"" << story << "\"}"
          << (i + 1 < rows ? ",\n" : "\n");
    }
    f << "]\n";
    return path;
}

double median_after_first(std::vector<double> v) {
    if (v.size() > 1) v.erase(v.begin());  // the first step warms caches and allocators
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// LoRA through atelier-train as users run it, with 1 and 2 processes on this machine: the same
// whole-run batch of 2 (one row per process with two), figures from its JSON lines. On a 2-core
// machine the processes share the cores (one thread each against two for one process), so the gain is
// bounded by how much better one-thread GEMMs use a core than two-thread ones, less the all-reduce.
void data_parallel(const std::string& trainer, const std::string& model, const std::string& data,
                   const std::string& dir, int64_t steps, int64_t tokens) {
    std::printf("\ndata-parallel LoRA (atelier-train --nproc N; batch 2 of %lld tokens; %lld steps)\n",
                static_cast<long long>(tokens), static_cast<long long>(steps));
    std::printf("%-10s %14s %14s %16s %22s\n", "processes", "tokens/s", "s/step", "all-reduce s/step",
                "per-process tokens/s");
    double one = 0;
    for (const int n : {1, 2}) {
        TrainConfig c = TrainConfig::preset("lora", LlamaModel::load(model)->config());
        c.model = model;
        c.data = data;
        c.out = dir + "/dp-" + std::to_string(n);
        c.batch_size = 2;
        c.max_length = tokens;
        c.max_steps = steps;
        c.save_every = 1 << 30;
        c.processes = n;
        const std::string config = dir + "/dp-" + std::to_string(n) + ".json";
        std::ofstream(config) << c.to_json();
        const std::string cmd =
            "'" + trainer + "' --config '" + config + "' --store '" + dir + "/dp.db' --no-resume 2>/dev/null";
        FILE* p = popen(cmd.c_str(), "r");
        if (!p) throw std::runtime_error("cannot run " + trainer);
        std::vector<double> tps, comm;
        std::vector<std::vector<double>> ranks(static_cast<size_t>(n));
        char line[65536];
        while (std::fgets(line, sizeof line, p)) {
            const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
            if (!j.is_object() || j.value("type", "") != "metric") continue;
            const std::string name = j.value("name", "");
            const double v = j.value("value", 0.0);
            if (name == "tokens_per_second") tps.push_back(v);
            if (name == "allreduce_seconds") comm.push_back(v);
            for (int r = 0; r < n; ++r)
                if (name == "rank" + std::to_string(r) + "_tokens_per_second")
                    ranks[static_cast<size_t>(r)].push_back(v);
        }
        if (pclose(p) != 0 || tps.empty())
            throw std::runtime_error("atelier-train --nproc " + std::to_string(n) + " failed");
        const double rate = median_after_first(tps);
        std::string per;
        for (const auto& r : ranks)
            per += (per.empty() ? "" : " / ") + std::to_string(static_cast<int>(median_after_first(r)));
        std::printf("%-10d %14.1f %14.2f %16.3f %22s\n", n, rate, 2.0 * static_cast<double>(tokens) / rate,
                    n > 1 ? median_after_first(comm) : 0.0, n > 1 ? per.c_str() : "-");
        if (n == 1)
            one = rate;
        else
            std::printf("speed-up %.2fx with 2 processes (scaling efficiency %.0f%% of 2x)\n", rate / one,
                        50.0 * rate / one);
    }
}

}  // namespace

int main(int argc, char** argv) {
    atelier::use_native_blas_kernels(argv);
    int64_t steps = 4, tokens = 128, batch = 1;
    std::string only;     // --method: one method's rows (a profile of its step)
    std::string profile;  // --profile: where LibTorch's op-level trace goes
    int ops = 0;          // --ops: how many rows of the op table to print
    bool dp = false;
    for (int i = 1; i < argc; ++i)
        if (std::string(argv[i]) == "--data-parallel") dp = true;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--data-parallel") {
            --i;
            continue;
        }
        if (a == "--steps")
            steps = std::stoll(argv[i + 1]);
        else if (a == "--tokens")
            tokens = std::stoll(argv[i + 1]);
        else if (a == "--batch")
            batch = std::stoll(argv[i + 1]);
        else if (a == "--method")
            only = argv[i + 1];
        else if (a == "--profile")
            profile = argv[i + 1];
        else if (a == "--ops")
            ops = std::stoi(argv[i + 1]);
    }
    const char* fx = std::getenv("ATELIER_FIXTURES");
    const std::string fixtures = fx ? fx : "../shared/fixtures";
    try {
        const int threads = init_engine_threads(0);
        // The model computes in bf16 where the CPU has bf16 instructions, else in f32 (bf16 weights
        // widened on the fly): the peak to compare with is that dtype's GEMM.
        const double peak_f32 = measure_gemm_gflops(torch::kFloat32, 2048),
                     peak_bf16 = measure_gemm_gflops(torch::kBFloat16, 2048);
        const double peak = cpu_has_fast_bf16() ? peak_bf16 : peak_f32;
        std::printf("threads %d; GEMM 2048^3: f32 %.0f GFLOP/s, bf16 %.0f GFLOP/s; compute in %s\n", threads,
                    peak_f32, peak_bf16,
                    cpu_has_fast_bf16() ? "bf16 (AVX512-BF16)" : "f32 (no bf16 instructions)");
        const std::string dir = (fs::temp_directory_path() / "atelier-bench-train").string();
        fs::remove_all(dir);
        fs::create_directories(dir);
        auto t0 = Clock::now();
        const std::string model =
            bench::write_random_tinyllama(dir + "/model", fixtures + "/stories260K/hf/tokenizer.model");
        const std::string data = write_dataset(dir + "/data.json", 64);
        const double params = static_cast<double>(LlamaModel::load(model)->config().num_parameters());
        std::printf(
            "random LLaMA %.2fB (TinyLlama shape, bf16) written in %.0f s; %lld steps of %lld x %lld "
            "tokens\n\n",
            params / 1e9, seconds(t0), static_cast<long long>(steps), static_cast<long long>(batch),
            static_cast<long long>(tokens));
        std::printf("%-28s %12s %14s %10s %12s %16s\n", "method", "trainable", "tokens/s", "s/step",
                    "peak RSS", "achieved / peak");
        struct Case {
            std::string method;
            bool checkpointing;
        };
        for (const Case& k : {Case{"lora", false}, Case{"lora", true}, Case{"llama-adapter", false},
                              Case{"llama-adapter-v2", false}}) {
            if (!only.empty() && only != k.method + (k.checkpointing ? "+checkpointing" : "")) continue;
            TrainConfig c = TrainConfig::preset(k.method, LlamaModel::load(model)->config());
            c.model = model;
            c.data = data;
            c.out = dir + "/run-" + k.method + (k.checkpointing ? "-ckpt" : "");
            c.batch_size = batch;
            c.max_length = tokens;
            c.max_steps = steps;
            c.save_every = 1 << 30;
            c.gradient_checkpointing = k.checkpointing;
            reset_peak_rss();
            FinetuneRecipe recipe(c);
            recipe.setup(false);
            std::vector<double> tps, secs;
            auto last = Clock::now();
            std::unique_ptr<torch::autograd::profiler::RecordProfile> trace;
            if (!profile.empty()) trace = std::make_unique<torch::autograd::profiler::RecordProfile>(profile);
            if (ops > 0) bench::start_op_profile();
            recipe.train(nullptr, [&](const TrainProgress& p) {
                tps.push_back(p.tokens_per_second);
                secs.push_back(seconds(last));
                last = Clock::now();
            });
            if (ops > 0) bench::print_op_table(bench::stop_op_profile(), steps, ops);
            // The first step warms caches and allocators: report the median of the rest.
            std::vector<double> rest(tps.begin() + (tps.size() > 1 ? 1 : 0), tps.end());
            std::sort(rest.begin(), rest.end());
            std::vector<double> srest(secs.begin() + (secs.size() > 1 ? 1 : 0), secs.end());
            std::sort(srest.begin(), srest.end());
            const double median = rest[rest.size() / 2];
            const double achieved = median * 4 * params / 1e9;
            const double rss = peak_rss_gib();
            // The VM's GEMM speed drifts by up to a fifth within minutes: the peak probed again right
            // after the steps says how much the ratio against the first probe moved with it.
            const double after =
                measure_gemm_gflops(cpu_has_fast_bf16() ? torch::kBFloat16 : torch::kFloat32, 2048);
            std::printf(
                "%-28s %12lld %14.1f %10.2f %9.2f GiB %8.0f GFLOP/s %3.0f%% (%.0f%% of the %.0f GFLOP/s "
                "probed after)\n",
                (k.method + (k.checkpointing ? " + checkpointing" : "")).c_str(),
                static_cast<long long>(recipe.trainable_parameters()), median, srest[srest.size() / 2], rss,
                achieved, 100 * achieved / peak, 100 * achieved / after, after);
        }
        if (dp) {
            const char* env = std::getenv("ATELIER_TRAIN");
            const std::string trainer =
                env ? env : (fs::path(argv[0]).parent_path() / "atelier-train").string();
            data_parallel(trainer, model, data, dir, steps, tokens);
        }
        fs::remove_all(dir);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_train: %s\n", e.what());
        return 1;
    }
    return 0;
}
