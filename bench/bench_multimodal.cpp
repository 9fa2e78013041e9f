// Multimodal encoders and time to first token with an image, on random weights of real shapes.
//
//   bench_multimodal                 # CLIP ViT-L/14-336, Whisper-base, TTFT on a random 1.1B LLaMA
//   bench_multimodal --dtype f32     # force f32 compute (default: bf16 where the CPU has it)
//   bench_multimodal --only whisper  # one figure: clip, whisper or ttft
//   bench_multimodal --ops 25        # and each encoder's 25 ops with the most self time, by shapes
//
// Prints each figure beside the machine's GEMM peak: a ViT forward is almost all GEMMs, so
// achieved GFLOP/s over the peak says how close the encoder runs to the hardware. The peak is probed
// again right after each encoder (the dev VMs drift by 20% within minutes): the figure is printed
// against both probes.
#include "bench_util.h"
#include "common/blas_kernels.h"
#include "op_table.h"

#include "encoders/encoder_modules.h"
#include "features/audio_features.h"
#include "model/llama.h"
#include "model/llama_module.h"
#include "projectors/projector_modules.h"

#include <cstdlib>
#include <string>
#include <thread>

using namespace atelier;
using namespace atelier::bench;

namespace {

// FLOPs of a ViT / Transformer encoder forward over N tokens of width D (4 projections + MLP + attention).
double encoder_flops(int64_t layers, int64_t N, int64_t D, int64_t ff) {
    return layers * (2.0 * N * D * D * 4 + 2.0 * N * D * ff * 2 + 2.0 * 2 * N * N * D);
}

template <typename F>
double best_of(int reps, F&& f) {
    double best = 1e30;
    for (int i = 0; i < reps; ++i) {
        auto t0 = Clock::now();
        f();
        best = std::min(best, seconds(t0));
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    atelier::use_native_blas_kernels(argv);
    std::string dtype_name = "auto", only;
    int ops = 0;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--dtype" && i + 1 < argc)
            dtype_name = argv[++i];
        else if (a == "--only" && i + 1 < argc)
            only = argv[++i];
        else if (a == "--ops" && i + 1 < argc)
            ops = std::atoi(argv[++i]);
        else {
            std::fprintf(
                stderr,
                "usage: bench_multimodal [--dtype auto|f32|bf16] [--only clip|whisper|ttft] [--ops N]\n");
            return 2;
        }
    }
    const auto wanted = [&](const char* what) { return only.empty() || only == what; };
    // One more run of `f` under LibTorch's op profiler, its top ops printed.
    const auto op_table = [&](const char* what, auto&& f) {
        if (ops <= 0) return;
        start_op_profile();
        f();
        std::printf("%s:", what);
        print_op_table(stop_op_profile(), 1, ops, "encode");
    };
    try {
        const int threads = init_engine_threads();
        const bool fast_bf16 = cpu_has_fast_bf16();
        const torch::Dtype dtype = dtype_name == "f32"    ? torch::kFloat32
                                   : dtype_name == "bf16" ? torch::kBFloat16
                                   : fast_bf16            ? torch::kBFloat16
                                                          : torch::kFloat32;
        const double peak = measure_gemm_gflops(dtype, 2048);
        std::printf("machine: %u hardware threads, LibTorch %d intra-op threads, bf16 instructions: %s\n",
                    std::thread::hardware_concurrency(), threads, fast_bf16 ? "yes" : "no");
        std::printf("compute dtype %s; GEMM 2048^3 peak %.0f GFLOP/s\n\n", dtype_short_name(dtype).c_str(),
                    peak);
        torch::NoGradGuard no_grad;
        c10::InferenceMode guard;

        // CLIP ViT-L/14 at 336 px; LLaVA-1.5 reads layer -2 (23 of 24 layers).
        const ClipVisionConfig vc = clip_vit_l14_336_config();
        ClipVisionTransformer vit{nullptr};
        auto pixels = torch::randn({1, 3, 336, 336});
        if (wanted("clip") || wanted("ttft")) {
            vit = ClipVisionTransformer(vc);
            vit->to(dtype);
            vit->eval();
            vit->forward(pixels, 23);  // warm-up
        }
        if (wanted("clip")) {
            const double t_vit = best_of(3, [&] { vit->forward(pixels, 23); });
            const double f_vit = encoder_flops(23, 577, 1024, 4096);
            const double after = measure_gemm_gflops(dtype, 2048);
            std::printf(
                "CLIP ViT-L/14-336 encode (577 tokens, 23 of 24 layers as LLaVA reads): %.3f s  "
                "(%.0f GFLOP/s, %.0f%% of GEMM peak; %.0f%% of the %.0f GFLOP/s probed after)\n",
                t_vit, f_vit / t_vit / 1e9, 100 * f_vit / t_vit / 1e9 / peak,
                100 * f_vit / t_vit / 1e9 / after, after);
            op_table("CLIP ViT-L/14-336", [&] { vit->forward(pixels, 23); });
        }

        // Whisper-base encoder: 6 layers, width 512, 1500 positions per 30 s; plus the log-mel front end.
        if (wanted("whisper")) {
            WhisperEncoderConfig wc;
            wc.d_model = 512;
            wc.encoder_layers = 6;
            wc.encoder_attention_heads = 8;
            wc.encoder_ffn_dim = 2048;
            WhisperEncoder whisper(wc);
            whisper->to(dtype);
            whisper->eval();
            Audio pcm;
            pcm.samples.resize(480000);
            for (size_t i = 0; i < pcm.samples.size(); ++i)
                pcm.samples[i] = 0.1f * std::sin(0.05f * float(i));
            WhisperFeatureExtractor fe;
            const double t_mel = best_of(3, [&] { fe.extract(pcm); });
            LogMel mel = fe.extract(pcm);
            auto feats = torch::from_blob(mel.data.data(), {1, 80, 3000}, torch::kFloat32).clone();
            whisper->forward(feats);
            const double t_whisper = best_of(3, [&] { whisper->forward(feats); });
            const double f_whisper =
                encoder_flops(6, 1500, 512, 2048) + 2.0 * 3000 * 80 * 512 * 3 + 2.0 * 1500 * 512 * 512 * 3;
            const double after = measure_gemm_gflops(dtype, 2048);
            std::printf(
                "Whisper-base encode, 30 s window (1500 positions): %.3f s  (%.0f GFLOP/s, %.0f%% of "
                "GEMM peak; %.0f%% of the %.0f GFLOP/s probed after); log-mel front end %.1f ms\n",
                t_whisper, f_whisper / t_whisper / 1e9, 100 * f_whisper / t_whisper / 1e9 / peak,
                100 * f_whisper / t_whisper / 1e9 / after, after, 1000 * t_mel);
            op_table("Whisper-base", [&] { whisper->forward(feats); });
        }

        if (wanted("ttft")) {
            // Time to first token for an image question: CLIP (23 layers) -> mlp2x_gelu -> 1.1B LLaMA
            // prefill of BOS + 576 image tokens + 24 text tokens -> first token.
            ModelConfig c = tinyllama_config();
            auto t0 = Clock::now();
            Checkpoint ck = synthetic_checkpoint(c, dtype == torch::kBFloat16 ? DType::BF16 : DType::F32);
            LoadOptions lo;
            lo.dtype = dtype == torch::kBFloat16 ? "bf16" : "f32";
            lo.context_length = 1024;
            auto llm = LlamaModel::from_checkpoint(ck, lo);
            std::printf("\n(random 1.1B LLaMA ready in %.1f s; compute %s)\n", seconds(t0),
                        llm->compute_dtype().c_str());
            ProjectorConfig pc;
            pc.type = "mlp2x_gelu";
            pc.in_features = 1024;
            pc.out_features = 2048;
            Projector proj(pc);
            proj->init_weights(1);
            proj->to(dtype);
            std::vector<int> text(24, 100);
            auto ttft = [&](double* t_enc, double* t_pre) {
                llm->reset();
                auto a = Clock::now();
                auto h = vit->forward(pixels, 23).hidden_states.back().narrow(1, 1, 576);  // [1, 576, 1024]
                auto tokens = proj->forward(h).to(torch::kFloat32).contiguous();           // [1, 576, 2048]
                *t_enc = seconds(a);
                auto b = Clock::now();
                llm->decode({1});
                llm->decode_embeddings(tokens.data_ptr<float>(), 576);
                llm->decode(text);
                *t_pre = seconds(b);
                return seconds(a);
            };
            double te = 0, tp = 0;
            ttft(&te, &tp);  // warm-up
            double best = 1e30, be = 0, bp = 0;
            for (int i = 0; i < 2; ++i) {
                const double t = ttft(&te, &tp);
                if (t < best) {
                    best = t;
                    be = te;
                    bp = tp;
                }
            }
            std::printf(
                "time to first token, image question on the 1.1B LLaMA: %.2f s  (encode + project %.2f s, "
                "prefill of 601 positions %.2f s = %.0f tok/s)\n",
                best, be, bp, 601 / bp);
        }
        std::printf("peak RSS %.2f GiB\n", peak_rss_gib());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_multimodal: %s\n", e.what());
        return 1;
    }
    return 0;
}
