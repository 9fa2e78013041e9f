// atelier-cli train: text fine-tuning and multimodal training (stages), resumable; and
// atelier-cli new-encoder: a freshly initialised small CLIP / Whisper encoder folder to train along.
#include "cli_args.h"
#include "common/error.h"
#include "encoders/encoder_folder.h"
#include "launcher.h"
#include "model/importers.h"
#include "multimodal/multimodal_model.h"
#include "train_runner.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

namespace cli {

namespace {

std::vector<std::string> split_commas(const std::string& s) {
    std::vector<std::string> out;
    size_t begin = 0;
    while (begin <= s.size()) {
        const size_t end = s.find(',', begin);
        const std::string part = s.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
        if (!part.empty()) out.push_back(part);
        if (end == std::string::npos) break;
        begin = end + 1;
    }
    return out;
}

std::atomic<bool> g_stop_training{false};

}  // namespace

int cmd_train(const Args& a) {
    a.check_known({"gradient-checkpointing", "model", "data", "format", "method", "out", "epochs",
                   "max-steps", "lr", "weight-decay", "warmup-ratio", "batch-size", "grad-accum",
                   "max-grad-norm", "max-length", "packing", "eval-fraction", "eval-every", "save-every",
                   "seed", "template", "rank", "alpha", "dropout", "targets", "adapter-len", "adapter-layers",
                   "strict", "no-resume", "store", "device", "dtype", "threads", "json", "help",
                   // data-parallel
                   "nproc", "nnodes", "node-rank", "master-addr", "master-port", "dist-timeout",
                   // multimodal
                   "stage", "image-encoder", "audio-encoder", "feature-layer", "feature-select",
                   "image-projector", "audio-projector", "video-temporal", "frames", "no-video-audio",
                   "projector-tokens", "projector-depth", "audio-stack", "train-encoders", "projector-lr",
                   "encoder-lr", "feature-cache"});
    const std::string model = a.need("model");
    const std::string stage = a.get("stage");
    // A bundle trains on with its own language model.
    const auto ck = atelier::load_checkpoint(atelier::MultimodalModel::language_model_path(model));
    const std::string method = a.get("method", "lora");
    atelier::TrainConfig c = stage.empty()
                                 ? atelier::TrainConfig::preset(method, ck.config)
                                 : atelier::TrainConfig::multimodal_preset(stage, method, ck.config);
    c.model = model;
    c.data = a.need("data");
    c.out = a.need("out");
    c.format = a.get("format", c.format);
    c.template_name = a.get("template");
    c.epochs = a.integer("epochs", c.epochs, 1, 1 << 20);
    c.max_steps = a.integer("max-steps", c.max_steps, 0, int64_t(1) << 40);
    c.lr = a.number("lr", c.lr);
    c.weight_decay = a.number("weight-decay", c.weight_decay);
    c.warmup_ratio = a.number("warmup-ratio", c.warmup_ratio);
    c.batch_size = a.integer("batch-size", c.batch_size, 1, 1 << 16);
    c.grad_accum = a.integer("grad-accum", c.grad_accum, 1, 1 << 16);
    c.max_grad_norm = a.number("max-grad-norm", c.max_grad_norm);
    c.max_length = a.integer("max-length", c.max_length, 8, 1 << 20);
    c.packing = a.has("packing");
    c.gradient_checkpointing = a.has("gradient-checkpointing");
    c.eval_fraction = a.number("eval-fraction", c.eval_fraction);
    c.eval_every = a.integer("eval-every", c.eval_every, 0, int64_t(1) << 40);
    c.save_every = a.integer("save-every", c.save_every, 0, int64_t(1) << 40);
    c.seed = static_cast<uint64_t>(a.integer("seed", static_cast<int64_t>(c.seed), 0, int64_t(1) << 62));
    c.device = a.get("device", c.device);
    c.dtype = a.get("dtype", c.dtype);
    c.threads = static_cast<int>(a.integer("threads", 0, 0, 1024));
    c.skip_bad_rows = !a.has("strict");
    c.adapter.lora_rank = a.integer("rank", c.adapter.lora_rank, 1, 1 << 16);
    c.adapter.lora_alpha = a.number("alpha", c.adapter.lora_alpha);
    c.adapter.lora_dropout = a.number("dropout", c.adapter.lora_dropout);
    if (a.has("targets")) c.adapter.target_modules = split_commas(a.get("targets"));
    c.adapter.adapter_len = a.integer("adapter-len", c.adapter.adapter_len, 1, 1 << 16);
    c.adapter.adapter_layer = a.integer("adapter-layers", c.adapter.adapter_layer, 1, 1 << 16);

    atelier::MultimodalTrainConfig& mm = c.multimodal;
    if (stage.empty()) {
        for (const char* o :
             {"image-encoder", "audio-encoder", "train-encoders", "image-projector", "audio-projector",
              "video-temporal", "projector-lr", "encoder-lr", "feature-cache"})
            if (a.has(o))
                throw UsageError(std::string("--") + o + " needs --stage projector|projector+adapter|bind");
    }
    mm.image_encoder = a.get("image-encoder", mm.image_encoder);
    mm.audio_encoder = a.get("audio-encoder", mm.audio_encoder);
    mm.feature_layer = a.integer("feature-layer", mm.feature_layer, -1000, 1000);
    mm.feature_select = a.get("feature-select", mm.feature_select);
    mm.image_projector = a.get("image-projector", mm.image_projector);
    mm.audio_projector = a.get("audio-projector", mm.audio_projector);
    mm.video_temporal = a.get("video-temporal", mm.video_temporal);
    if (mm.video_temporal == "none") mm.video_temporal.clear();
    mm.video_frames = a.integer("frames", mm.video_frames, 1, 64);
    mm.video_audio = !a.has("no-video-audio");
    mm.projector_tokens = a.integer("projector-tokens", mm.projector_tokens, 1, 4096);
    mm.projector_depth = a.integer("projector-depth", mm.projector_depth, 1, 64);
    mm.audio_stack = a.integer("audio-stack", mm.audio_stack, 1, 64);
    mm.train_encoders = a.has("train-encoders");
    mm.projector_lr = a.number("projector-lr", mm.projector_lr);
    mm.encoder_lr = a.number("encoder-lr", mm.encoder_lr);
    mm.feature_cache = a.get("feature-cache", mm.feature_cache);

    atelier::RunOptions opt;
    c.processes = static_cast<int>(a.integer("nproc", 1, 1, 256));
    opt.nnodes = static_cast<int>(a.integer("nnodes", 1, 1, 4096));
    opt.node_rank = static_cast<int>(a.integer("node-rank", 0, 0, 4095));
    opt.master_addr = a.get("master-addr", opt.master_addr);
    opt.master_port = static_cast<int>(a.integer("master-port", 0, 0, 65535));
    opt.dist_timeout_seconds = static_cast<int>(a.integer("dist-timeout", 300, 1, 86400));
    if (a.has("nproc")) opt.processes = c.processes;  // also on a resumed run, whatever it used before
    opt.rank_command = atelier::rank_command(a.argc(), a.argv());
    // The other ranks of a data-parallel run (RANK > 0) print nothing: rank 0 reports.
    const bool quiet_rank = atelier::rank_from_env() != 0;
    opt.store_path = a.get("store");
    opt.resume = !a.has("no-resume");
    opt.stop = &g_stop_training;
    if (a.has("json")) opt.json_out = &std::cout;
    std::signal(SIGINT, [](int) { g_stop_training.store(true); });
    std::signal(SIGTERM, [](int) { g_stop_training.store(true); });
    // Windows: Ctrl-Break too (the studio's Stop comes as <out>/trainer.stop, see trainer_lock.h).
#ifdef SIGBREAK
    std::signal(SIGBREAK, [](int) { g_stop_training.store(true); });
#endif
    if (!a.has("json") && !quiet_rank) {
        if (stage.empty())
            std::fprintf(
                stderr, "training %s adapter: %lld trainable parameters; Ctrl-C stops at a checkpoint\n",
                c.adapter.method.c_str(), static_cast<long long>(c.adapter.trainable_parameters(ck.config)));
        else
            std::fprintf(stderr, "multimodal training, stage %s%s%s; Ctrl-C stops at a checkpoint\n",
                         stage.c_str(),
                         mm.trains_adapter() ? (" with a " + c.adapter.method + " adapter").c_str() : "",
                         mm.train_encoders ? ", encoders trained too" : "");
        opt.on_step = [](const atelier::TrainProgress& p) {
            std::fprintf(stderr, "\rstep %lld/%lld  epoch %lld  loss %.4f  lr %.2e  %.0f tok/s   ",
                         static_cast<long long>(p.step), static_cast<long long>(p.total_steps),
                         static_cast<long long>(p.epoch), p.loss, p.lr, p.tokens_per_second);
        };
    }
    const atelier::RunOutcome r = atelier::run_training(c, opt);
    if (r.rank != 0) return 0;
    if (a.has("json")) {
        std::cout << atelier::outcome_json(r) << "\n";
        return 0;
    }
    std::fprintf(stderr, "\n");
    if (r.status != atelier::RunStatus::Finished) {
        std::cout << "run " << r.run_id << " stopped at step " << r.result.steps << "; checkpoint "
                  << r.result.checkpoint_dir << " (run the same command again to resume)\n";
        return 0;
    }
    std::cout << "run " << r.run_id << " finished after " << r.result.steps << " steps (loss "
              << r.result.last_loss << "); ";
    if (!r.result.bundle_dir.empty()) {
        const int64_t all = r.result.cache_hits + r.result.cache_misses;
        std::cout << "bundle saved in " << r.result.bundle_dir << "\nfeature cache: " << r.result.cache_hits
                  << " hits, " << r.result.cache_misses << " misses ("
                  << (all ? 100 * r.result.cache_hits / all : 0) << "% hit rate)\n";
    } else {
        std::cout << "adapter saved in " << r.result.adapter_dir << "\n";
    }
    return 0;
}

int cmd_new_encoder(const Args& a) {
    a.check_known({"arch", "out", "width", "layers", "heads", "ffn", "image-size", "patch-size", "mel-bins",
                   "chunk-seconds", "seed", "json", "help"});
    const std::string arch = a.need("arch");
    const std::string out = a.need("out");
    const uint64_t seed = static_cast<uint64_t>(a.integer("seed", 1, 0, int64_t(1) << 62));
    if (arch == "clip") {
        atelier::ClipVisionConfig c;
        c.hidden_size = a.integer("width", 64, 8, 8192);
        c.num_hidden_layers = a.integer("layers", 2, 1, 128);
        c.num_attention_heads = a.integer("heads", 4, 1, 128);
        c.intermediate_size = a.integer("ffn", 4 * c.hidden_size, 8, 65536);
        c.image_size = a.integer("image-size", 32, 8, 4096);
        c.patch_size = a.integer("patch-size", 8, 1, 1024);
        if (c.hidden_size % c.num_attention_heads) throw UsageError("--width must be a multiple of --heads");
        if (c.image_size % c.patch_size) throw UsageError("--image-size must be a multiple of --patch-size");
        atelier::create_clip_encoder(out, c, atelier::clip_processor_for(c), seed);
        std::cout << "wrote " << out << ": CLIP vision encoder, " << c.num_hidden_layers << " layers, width "
                  << c.hidden_size << ", " << c.image_size << " px / patch " << c.patch_size << " ("
                  << c.num_patches() << " tokens), random weights (seed " << seed << ")\n";
        return 0;
    }
    if (arch == "whisper") {
        atelier::WhisperEncoderConfig c;
        c.d_model = a.integer("width", 64, 8, 8192);
        c.encoder_layers = a.integer("layers", 2, 1, 128);
        c.encoder_attention_heads = a.integer("heads", 4, 1, 128);
        c.encoder_ffn_dim = a.integer("ffn", 4 * c.d_model, 8, 65536);
        c.num_mel_bins = a.integer("mel-bins", 80, 8, 512);
        const int chunk = static_cast<int>(a.integer("chunk-seconds", 30, 1, 30));
        c.max_source_positions = chunk * 50;
        if (c.d_model % c.encoder_attention_heads) throw UsageError("--width must be a multiple of --heads");
        atelier::create_whisper_encoder(
            out, c, atelier::whisper_features_for(static_cast<int>(c.num_mel_bins), chunk), seed);
        std::cout << "wrote " << out << ": Whisper encoder, " << c.encoder_layers << " layers, width "
                  << c.d_model << ", " << c.num_mel_bins << " mel bins, " << chunk << " s windows ("
                  << c.max_source_positions << " positions), random weights (seed " << seed << ")\n";
        return 0;
    }
    throw UsageError("--arch must be clip or whisper");
}

}  // namespace cli
