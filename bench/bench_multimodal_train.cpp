// Multimodal training throughput: stage 1 (projector) and stage 2 (projector + LoRA) positions/s on
// a random-weight LLaMA of TinyLlama's shape (1.1B, bf16) with a random CLIP ViT-L/14-336 (LLaVA-1.5's
// encoder, 576 image tokens through mlp2x_gelu), each with the feature cache off and warm. Then the
// demo task's small from-scratch setup (stories260K + 2-layer CLIP/Whisper trained along). Figures,
// not a test.
//
//   ATELIER_FIXTURES=../shared/fixtures build/bin/bench_multimodal_train [--steps 3] [--small-only]
#include "bench_util.h"
#include "common/blas_kernels.h"

#include "demo_data.h"
#include "encoders/encoder_folder.h"
#include "model/llama.h"
#include "multimodal_recipe.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

using namespace atelier;
using atelier::bench::Clock;
using atelier::bench::peak_rss_gib;
using atelier::bench::reset_peak_rss;
using atelier::bench::seconds;
namespace fs = std::filesystem;

namespace {

struct Figures {
    double positions_per_s = 0, s_per_step = 0, rss = 0;
    int64_t hits = 0, misses = 0, trainable = 0;
};

Figures run(TrainConfig c) {
    reset_peak_rss();
    MultimodalRecipe recipe(c);
    recipe.setup(false);
    std::vector<double> pps, secs;
    auto last = Clock::now();
    recipe.train(nullptr, [&](const TrainProgress& p) {
        pps.push_back(p.tokens_per_second);
        secs.push_back(seconds(last));
        last = Clock::now();
    });
    // The first step warms allocators: the median of the rest.
    auto median = [](std::vector<double> v) {
        if (v.size() > 1) v.erase(v.begin());
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    Figures f;
    f.positions_per_s = median(pps);
    f.s_per_step = median(secs);
    f.rss = peak_rss_gib();
    f.hits = recipe.cache_hits();
    f.misses = recipe.cache_misses();
    f.trainable = recipe.trainable_parameters();
    return f;
}

void print(const std::string& what, const Figures& f) {
    std::printf("%-46s %11lld %12.1f %9.2f %8.2f GiB   %lld hits / %lld misses\n", what.c_str(),
                static_cast<long long>(f.trainable), f.positions_per_s, f.s_per_step, f.rss,
                static_cast<long long>(f.hits), static_cast<long long>(f.misses));
}

}  // namespace

int main(int argc, char** argv) {
    atelier::use_native_blas_kernels(argv);
    int64_t steps = 3;
    bool small_only = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--steps" && i + 1 < argc)
            steps = std::stoll(argv[++i]);
        else if (a == "--small-only")
            small_only = true;
        else {
            std::fprintf(stderr, "usage: bench_multimodal_train [--steps N] [--small-only]\n");
            return 2;
        }
    }
    const char* fx = std::getenv("ATELIER_FIXTURES");
    const std::string fixtures = fx ? fx : "../shared/fixtures";
    try {
        const int threads = init_engine_threads(0);
        std::printf("threads %d; compute in %s\n", threads,
                    cpu_has_fast_bf16() ? "bf16 (AVX512-BF16)" : "f32 (no bf16 instructions)");
        const std::string dir = (fs::temp_directory_path() / "atelier-bench-mmtrain").string();
        fs::remove_all(dir);
        fs::create_directories(dir);
        DemoDataOptions d;
        d.out = dir + "/data";
        d.count = 40;
        const DemoDataResult data = write_demo_data(d);
        std::printf("%-46s %11s %12s %9s %12s   %s\n", "case", "trainable", "positions/s", "s/step",
                    "peak RSS", "feature cache");

        if (!small_only) {
            auto t0 = Clock::now();
            const std::string llm =
                bench::write_random_tinyllama(dir + "/llm", fixtures + "/stories260K/hf/tokenizer.model");
            const ClipVisionConfig vc = bench::clip_vit_l14_336_config();
            create_clip_encoder(dir + "/clip", vc, clip_processor_for(vc), 1);
            std::fprintf(stderr, "(random 1.1B LLaMA and CLIP ViT-L/14-336 written in %.0f s)\n",
                         seconds(t0));
            // No audio encoder: the image rows (576 image tokens + the question) and the video rows.
            for (const std::string stage : {"projector", "projector+adapter"}) {
                for (const bool cached : {false, true}) {
                    TrainConfig c = TrainConfig::multimodal_preset(stage, "lora", bench::tinyllama_config());
                    c.model = llm;
                    c.data = data.train_json;
                    c.out = dir + "/run";
                    c.template_name = "alpaca";
                    c.batch_size = 1;
                    c.max_steps = steps;
                    c.max_length = 1024;
                    c.save_every = 1 << 30;
                    c.multimodal.image_encoder = dir + "/clip";
                    c.multimodal.feature_cache = cached ? dir + "/cache" : "off";
                    if (cached) {  // fill the cache for the rows these steps read
                        TrainConfig warm = c;
                        warm.out = dir + "/warm";
                        run(warm);
                    }
                    print("1.1B + ViT-L/14-336, " + stage + (cached ? ", cache warm" : ", no cache"), run(c));
                }
            }
        }
        // The quickstart's setting: everything small, encoders trained (the cache keeps decoded media).
        ClipVisionConfig sc;
        sc.hidden_size = 64;
        sc.intermediate_size = 256;
        sc.num_hidden_layers = 2;
        sc.num_attention_heads = 4;
        sc.image_size = 32;
        sc.patch_size = 8;
        create_clip_encoder(dir + "/small_clip", sc, clip_processor_for(sc), 1);
        WhisperEncoderConfig wc;
        wc.d_model = 64;
        wc.encoder_layers = 2;
        wc.encoder_attention_heads = 4;
        wc.encoder_ffn_dim = 256;
        wc.max_source_positions = 100;
        create_whisper_encoder(dir + "/small_whisper", wc, whisper_features_for(80, 2), 2);
        for (const bool cached : {false, true}) {
            TrainConfig c = TrainConfig::multimodal_preset("projector+adapter", "lora", ModelConfig{});
            c.model = fixtures + "/stories260K/hf";
            c.data = data.train_json;
            c.out = dir + "/small";
            c.template_name = "alpaca";
            c.batch_size = 16;
            c.max_steps = std::max<int64_t>(steps, 4);
            c.save_every = 1 << 30;
            c.multimodal.image_encoder = dir + "/small_clip";
            c.multimodal.audio_encoder = dir + "/small_whisper";
            c.multimodal.train_encoders = true;
            c.multimodal.feature_layer = -1;
            c.multimodal.projector_tokens = 8;
            c.multimodal.feature_cache = cached ? dir + "/small_cache" : "off";
            if (cached) {
                TrainConfig warm = c;
                warm.out = dir + "/small_warm";
                run(warm);
            }
            print(std::string("stories260K + small CLIP/Whisper (quickstart)") +
                      (cached ? ", warm" : ", no cache"),
                  run(c));
        }
        fs::remove_all(dir);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_multimodal_train: %s\n", e.what());
        return 1;
    }
    return 0;
}
