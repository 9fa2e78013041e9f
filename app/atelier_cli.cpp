// atelier-cli: the engine from a terminal.
//
//   atelier-cli generate --model DIR|FILE --prompt TEXT [--template NAME] [--temperature T] ...
//   atelier-cli chat     --model DIR [--template NAME] [--system TEXT]
//   atelier-cli convert  --model DIR|FILE --out DIR [--tokenizer FILE]
//   atelier-cli info     --model DIR|FILE [--json]
//   atelier-cli train    --model DIR --data FILE --method lora|llama-adapter|llama-adapter-v2 --out DIR ...
//   atelier-cli merge    --model DIR --adapter DIR --out DIR
//   atelier-cli runs     list | show ID | export-csv ID [--store DB]
//
// Exit codes: 0 success, 1 the engine refused (bad file, bad model...), 2 bad command line.
#include "adapters/adapter_config.h"
#include "atelier_version.h"
#include "chat/chat_template.h"
#include "cli_args.h"
#include "common/blas_kernels.h"
#include "common/error.h"
#include "generate/generator.h"
#include "launcher.h"
#include "model/importers.h"
#include "model/llama.h"
#include "multimodal/multimodal_model.h"
#include "run_store.h"
#include "session/chat_session.h"
#include "tokenizer/tokenizer.h"
#include "train_runner.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

using cli::Args;
using cli::UsageError;
using nlohmann::json;

namespace {

const char* kUsage = R"(usage: atelier-cli <command> [options]

       atelier-cli --version

commands:
  generate   continue a prompt (raw), or answer it with --template
  chat       interactive chat with a chat template
  convert    write a Hugging Face folder from a Meta (.pth) or llama2.c (.bin) checkpoint
  info       describe a model (and what media it reads) without running it
  media      info FILE | frames FILE --count N --out DIR | audio FILE --out OUT.wav | mel FILE --out OUT.safetensors
  eval       greedy answers to a dataset's questions scored against its replies (--metric first-word|exact|
             contains|api-call|bleu|rouge-l|perplexity), overall and per category; --run ID|latest [--store DB]
             stores the result with a training run
  encode     run a model's media encoder (+ projector) on one file: --image F | --audio F --out OUT.safetensors
  demo-data  write the multimodal demo task (images, audio, videos + questions): --out DIR [--count N] [--seed S]
  train      fine-tune an adapter (LoRA, LLaMA-Adapter V1/V2), or with --stage a multimodal model; resumable
  new-encoder  a fresh small encoder folder to train from scratch: --arch clip|whisper --out DIR
  merge      fold a LoRA or LLaMA-Adapter V2 adapter into the base weights: a new HF folder
  runs       list | show ID | export-csv ID: the training runs in the run store
  devices    compute devices (CPU, CUDA GPUs, Metal) and audio input devices (microphones); none is a valid answer

common options:
  --model PATH          HF folder, Meta folder (params.json + consolidated.NN.pth), llama2.c .bin,
                        LLaVA-1.5 folder, or Atelier multimodal bundle (atelier-bundle.json)
  --tokenizer FILE      tokenizer.model / tokenizer.json, if not beside the weights
  --device cpu|cuda|mps where to run (default cpu; mps: Apple Silicon with the macOS LibTorch)
  --dtype auto|f32|bf16|f16   weights and activations (default auto)
  --threads N           CPU threads (default: all cores)
  --context N           KV cache length (default: min(model context, 4096))
  --json                machine-readable output

generate / chat options:
  --prompt TEXT         the prompt (generate)
  --template NAME       alpaca | vicuna | llama-2 | llama-3 | chatml (chat default: from the model)
  --system TEXT         system prompt (with a template)
  --temperature T       0 = greedy (default 0.8)
  --top-k K             (default 40, 0 = off)
  --top-p P             (default 0.95, 1 = off)
  --min-p P             (default 0.05, 0 = off)
  --repeat-penalty R    (default 1.0 = off)
  --max-new-tokens N    (default 256)
  --seed S              (default random)
  --stop TEXT           stop string (repeatable)
  --image FILE          attach an image (repeatable); <image> in the prompt marks where it goes
  --audio FILE          attach an audio file (repeatable); <audio> marks where
  --video FILE          attach a video: sampled frames + its audio track (repeatable); <video> marks where
  --frames N            frames sampled per video (default: the model's, 8)
  (chat: /image PATH, /audio PATH, /video PATH attach to the next message)

  --adapter DIR         attach a trained adapter (Atelier's or PEFT's LoRA layout), or a run folder (its adapter/)
  --adapter-scale S     its strength (default 1; 0 = the base model)

convert / merge options:
  --out DIR             output folder

train options (defaults: the published recipe of the method):
  --data FILE           Alpaca / ShareGPT / OpenAI messages / LLaVA (.json or .jsonl)
  --format NAME         auto | alpaca | sharegpt | openai | llava (default auto)
  --method NAME         lora | llama-adapter | llama-adapter-v2 (default lora)
  --out DIR             run folder: checkpoints/ and, when finished, adapter/
  --epochs N  --max-steps N  --lr X  --weight-decay X  --warmup-ratio X
  --batch-size N  --grad-accum N  --max-grad-norm X  --max-length N  --packing
  --gradient-checkpointing   recompute layers in backward: less memory, about 1/3 more time
  --eval-fraction X  --eval-every N  --save-every N  --seed S  --template NAME
  --rank R  --alpha A  --dropout D  --targets q_proj,v_proj,...     (LoRA)
  --adapter-len N  --adapter-layers N                               (LLaMA-Adapter)
  --strict              stop at the first bad dataset row (default: skip and report it)
  --no-resume           start over even if the run folder has checkpoints
  --store DB            run store (default: runs.db in the data folder, ~/.local/share/Atelier/Atelier on Linux)
  --nproc N             data-parallel: N training processes on this machine (the same curve as one: each
                        takes its share of every --batch-size batch); the cores are shared among them
  --nnodes M --node-rank K --master-addr HOST --master-port PORT
                        across M machines: the same command on each (its own K), HOST:PORT on the first
  --dist-timeout S      a process silent this long ends the run on all (default 300)

multimodal training (LLaVA-format data with image / audio / video; writes OUT/bundle):
  --stage NAME          projector (stage 1) | projector+adapter (stage 2, with --method) | bind (ImageBind-LLM)
  --model PATH          a language model (new projectors) or a bundle (continue it: stage 1 -> stage 2)
  --image-encoder DIR  --audio-encoder DIR        CLIP vision / Whisper folders (HF layout)
  --image-projector T   linear | mlp2x_gelu | spectrum | perceiver (default mlp2x_gelu)
  --audio-projector T   audio_stack | mlp2x_gelu | linear | perceiver (default audio_stack)
  --video-temporal T    qformer | dct | perceiver | none (default qformer)   --frames N (default 8)
  --projector-tokens N  --projector-depth N  --audio-stack N  --feature-layer N  --feature-select S
  --train-encoders      train the encoders too (small encoders from scratch)
  --projector-lr X  --encoder-lr X   (default: --lr)   --no-video-audio
  --feature-cache DIR   decoded/encoded media cache (default ~/.cache/Atelier/features; off = none)

new-encoder options:
  --arch clip|whisper  --out DIR  --width N  --layers N  --heads N  --ffn N  --seed S
  --image-size N  --patch-size N            (clip; default 32 / 8)
  --mel-bins N  --chunk-seconds N           (whisper; default 80 / 30)
)";

const std::set<std::string> kFlags = {
    "json",      "help",           "packing",        "strict",
    "no-resume", "train-encoders", "no-video-audio", "gradient-checkpointing"};
const std::set<std::string> kModelOptions = {"model",   "tokenizer", "device", "dtype",
                                             "threads", "context",   "json",   "help"};
const std::set<std::string> kSamplingOptions = {"template", "system", "temperature",    "top-k",
                                                "top-p",    "min-p",  "repeat-penalty", "max-new-tokens",
                                                "seed",     "stop",   "adapter",        "adapter-scale"};

std::set<std::string> merge(std::initializer_list<std::set<std::string>> sets,
                            std::set<std::string> extra = {}) {
    for (const auto& s : sets) extra.insert(s.begin(), s.end());
    return extra;
}

atelier::LoadOptions load_options(const Args& a) {
    atelier::LoadOptions o;
    o.device = a.get("device", "cpu");
    o.dtype = a.get("dtype", "auto");
    o.context_length = a.integer("context", 0, 0, 1 << 20);
    o.tokenizer = a.get("tokenizer");
    atelier::init_engine_threads(static_cast<int>(a.integer("threads", 0, 0, 1024)));
    return o;
}

atelier::GenerationOptions generation_options(const Args& a) {
    atelier::GenerationOptions g;
    g.sampling.temperature = static_cast<float>(a.number("temperature", 0.8));
    g.sampling.top_k = static_cast<int>(a.integer("top-k", 40, 0, 1 << 24));
    g.sampling.top_p = static_cast<float>(a.number("top-p", 0.95));
    g.sampling.min_p = static_cast<float>(a.number("min-p", 0.05));
    g.sampling.repetition_penalty = static_cast<float>(a.number("repeat-penalty", 1.0));
    g.sampling.seed = a.integer("seed", -1, -1, std::numeric_limits<int64_t>::max());
    g.max_new_tokens = static_cast<int>(a.integer("max-new-tokens", 256, 0, 1 << 24));
    g.stop_strings = a.all("stop");
    return g;
}

std::unique_ptr<atelier::MultimodalModel> load_model(const Args& a) {
    auto model = atelier::MultimodalModel::load(a.need("model"), load_options(a));
    if (!model->has_llm())
        throw atelier::Error(
            atelier::ErrorCode::InvalidArgument, a.need("model"),
            "this folder is a media encoder, not a language model (use 'atelier-cli encode')");
    if (a.has("adapter")) model->llm().attach_adapter(a.get("adapter"), a.number("adapter-scale", 1.0));
    return model;
}

// --image/--audio/--video files, checked against what the model reads before anything is encoded.
std::vector<atelier::Attachment> attachments(const Args& a, atelier::MultimodalModel& model) {
    std::vector<atelier::Attachment> out;
    for (const char* kind : {"image", "audio", "video"})
        for (const auto& f : a.all(kind)) {
            model.require(kind, f);
            out.push_back({kind, f});
        }
    return out;
}

std::atomic<bool> g_interrupt{false};
std::atomic<bool> g_generating{false};
// Ctrl-C stops a reply while one is generating, and quits otherwise (e.g. at the chat prompt).
void on_sigint(int) {
    if (!g_generating.load()) std::_Exit(130);
    g_interrupt.store(true);
}

json result_json(const atelier::GenerationResult& r) {
    return {{"text", r.text},
            {"tokens", r.tokens},
            {"stop_reason", atelier::stop_reason_name(r.stop_reason)},
            {"prompt_tokens", r.prompt_tokens},
            {"generated_tokens", r.tokens.size()},
            {"time_to_first_token_s", r.first_token_seconds},
            {"prefill_tokens_per_second", r.prefill_tokens_per_second()},
            {"decode_tokens_per_second", r.decode_tokens_per_second()}};
}

const std::set<std::string> kMediaOptions = {"image", "audio", "video", "frames"};

int cmd_generate(const Args& a) {
    a.check_known(merge({kModelOptions, kSamplingOptions, kMediaOptions}, {"prompt"}));
    const std::string prompt = a.need("prompt");
    const bool as_json = a.has("json");
    auto model = load_model(a);
    atelier::ChatSession session(*model);

    atelier::ChatRequest req;
    req.generation = generation_options(a);
    req.video_frames = static_cast<int>(a.integer("frames", 0, 0, 1024));
    const bool templated = a.has("template") || a.has("system");
    req.template_name = templated ? a.get("template") : "none";
    req.system_prompt = a.get("system");
    req.turns.push_back({"user", prompt, attachments(a, *model)});

    std::signal(SIGINT, on_sigint);
    if (!as_json && !templated) std::cout << prompt << std::flush;  // raw mode echoes the prompt
    g_generating.store(true);
    auto result = session.generate(
        req,
        [&](const std::string& piece) {
            if (!as_json) std::cout << piece << std::flush;
            return true;
        },
        &g_interrupt);
    if (as_json) {
        json j = result_json(result);
        j["prompt"] = prompt;
        j["prompt_ids"] = model->tokenizer().encode(prompt, false);
        j["model"] = model->source();
        j["dtype"] = model->llm().dtype();
        j["template"] = result.template_used;
        j["media_tokens"] = result.media_tokens;
        j["encode_seconds"] = result.encode_seconds;
        json media = json::array();
        for (const auto& t : req.turns)
            for (const auto& m : t.attachments)
                media.push_back({{"kind", m.modality},
                                 {"file", m.path},
                                 {"tokens", model->token_cost(m.modality, m.path, req.video_frames)}});
        j["media"] = media;
        std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    } else {
        std::cout << "\n";
        std::fprintf(stderr,
                     "[%zu tokens, %d media positions, prefill %.1f tok/s, decode %.1f tok/s, stop: %s]\n",
                     result.tokens.size(), result.media_tokens, result.prefill_tokens_per_second(),
                     result.decode_tokens_per_second(), atelier::stop_reason_name(result.stop_reason));
    }
    return 0;
}

int cmd_chat(const Args& a) {
    a.check_known(merge({kModelOptions, kSamplingOptions, kMediaOptions}));
    auto model = load_model(a);
    atelier::ChatSession session(*model);
    atelier::ChatRequest req;
    req.generation = generation_options(a);
    req.video_frames = static_cast<int>(a.integer("frames", 0, 0, 1024));
    req.template_name = a.get("template");
    req.system_prompt = a.get("system");
    std::vector<atelier::Attachment> pending = attachments(a, *model);
    std::signal(SIGINT, on_sigint);

    std::string reads = "text";
    for (const auto& s : model->modalities()) reads += ", " + s.modality;
    std::fprintf(
        stderr,
        "atelier chat: %s (%s, template %s; reads %s). /image, /audio or /video PATH attach to the next "
        "message; /reset clears, /exit or Ctrl-D quits; Ctrl-C stops a reply.\n",
        model->source().c_str(), model->llm().dtype().c_str(),
        session.resolve_template(req.template_name).c_str(), reads.c_str());
    std::string line;
    while (true) {
        std::cout << "> " << std::flush;
        if (!std::getline(std::cin, line)) break;
        if (line == "/exit" || line == "/quit") break;
        if (line == "/reset") {
            req.turns.clear();
            pending.clear();
            std::cout << "(conversation cleared)\n";
            continue;
        }
        bool attached = false;
        for (const char* kind : {"image", "audio", "video"}) {
            const std::string cmd = std::string("/") + kind;
            if (line.rfind(cmd, 0) != 0 || (line.size() > cmd.size() && line[cmd.size()] != ' ')) continue;
            attached = true;
            std::string path = line.size() > cmd.size() ? line.substr(cmd.size() + 1) : "";
            while (!path.empty() && path.back() == ' ') path.pop_back();
            try {
                if (path.empty()) throw UsageError(cmd + " needs a file path");
                model->require(kind, path);
                const int64_t cost = model->token_cost(kind, path, req.video_frames);
                pending.push_back({kind, path});
                std::fprintf(stderr, "(attached %s: %lld tokens; it goes with your next message)\n",
                             path.c_str(), static_cast<long long>(cost));
            } catch (const std::exception& e) {
                std::fprintf(stderr, "(not attached: %s)\n", e.what());
            }
        }
        if (attached || line.empty()) continue;
        req.turns.push_back({"user", line, pending});
        g_interrupt.store(false);
        g_generating.store(true);
        atelier::ChatResult result;
        try {
            result = session.generate(
                req,
                [](const std::string& piece) {
                    std::cout << piece << std::flush;
                    return true;
                },
                &g_interrupt);
        } catch (const std::exception& e) {
            g_generating.store(false);
            req.turns.pop_back();  // the turn never started: do not keep it
            std::fprintf(stderr, "(error: %s)\n", e.what());
            continue;
        }
        g_generating.store(false);
        pending.clear();
        std::cout << "\n";
        if (result.dropped_turns > 0)
            std::fprintf(stderr, "(the oldest %d turns no longer fit the context)\n", result.dropped_turns);
        req.turns.push_back({"assistant", result.text, {}});
    }
    return 0;
}

std::string human_bytes(int64_t b) {
    char buf[32];
    if (b >= (1LL << 30))
        std::snprintf(buf, sizeof buf, "%.2f GiB", b / double(1LL << 30));
    else if (b >= (1LL << 20))
        std::snprintf(buf, sizeof buf, "%.2f MiB", b / double(1LL << 20));
    else
        std::snprintf(buf, sizeof buf, "%.1f KiB", b / 1024.0);
    return buf;
}

json modalities_json(const atelier::MultimodalModel& mm) {
    json list = json::array();
    for (const auto& s : mm.modalities()) {
        json m = {{"modality", s.modality},
                  {"encoder", s.encoder},
                  {"encoder_path", s.encoder_path},
                  {"projector", s.projector},
                  {"fusion", s.fusion}};
        if (s.modality == "image") m["tokens_per_image"] = s.tokens_per_item;
        if (s.modality == "audio") m["tokens_per_second"] = s.tokens_per_second;
        if (s.modality == "video") {
            m["frames"] = s.frames;
            m["tokens_per_video"] = s.tokens_per_item;
            m["audio_track"] = s.video_audio;
            if (s.video_audio) m["audio_tokens_per_second"] = s.tokens_per_second;
        }
        list.push_back(m);
    }
    return list;
}

int cmd_info(const Args& a) {
    a.check_known({"model", "tokenizer", "json", "help"});
    const std::string path = a.need("model");
    const std::string kind = atelier::MultimodalModel::detect_kind(path);
    std::unique_ptr<atelier::MultimodalModel> mm;
    if (kind != "llm") {
        atelier::LoadOptions o;
        o.tokenizer = a.get("tokenizer");
        mm = atelier::MultimodalModel::load(path, o, /*with_language_model=*/false);
    }
    json j = {{"path", path}, {"kind", kind}, {"blas_kernels", atelier::blas_core_name()}};
    json modalities = mm ? modalities_json(*mm) : json::array();
    j["modalities"] = modalities;
    if (mm && !mm->chat_template().empty()) j["bundle_chat_template"] = mm->chat_template();
    const std::string llm_path = atelier::MultimodalModel::language_model_path(path);
    if (!llm_path.empty()) {
        auto ck = atelier::load_checkpoint(llm_path, a.get("tokenizer"));
        const auto& c = ck.config;
        std::string dtype = ck.tensors.count("model.embed_tokens.weight")
                                ? atelier::dtype_name(ck.tensors.at("model.embed_tokens.weight").dtype)
                                : "?";
        std::string tpl = mm && !mm->chat_template().empty()
                              ? mm->chat_template()
                              : atelier::template_for_model(ck.tokenizer_config_path).name();
        j.update({{"format", atelier::checkpoint_format_name(ck.format)},
                  {"architecture", c.architecture},
                  {"model_type", c.model_type},
                  {"parameters", c.num_parameters()},
                  {"dtype", dtype},
                  {"context_length", c.max_position_embeddings},
                  {"hidden_size", c.hidden_size},
                  {"layers", c.num_hidden_layers},
                  {"attention_heads", c.num_attention_heads},
                  {"kv_heads", c.num_key_value_heads},
                  {"vocab_size", c.vocab_size},
                  {"tied_embeddings", c.tie_word_embeddings},
                  {"rope_theta", c.rope_theta},
                  {"chat_template", tpl},
                  {"tokenizer", ck.tokenizer_path},
                  {"size_on_disk", ck.size_on_disk}});
    }
    if (a.has("json")) {
        std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
        return 0;
    }
    std::cout << "path:          " << path << "\n";
    if (j.contains("architecture")) {
        char params[32];
        double p = j["parameters"].get<double>();
        if (p >= 1e9)
            std::snprintf(params, sizeof params, "%.2fB", p / 1e9);
        else if (p >= 1e6)
            std::snprintf(params, sizeof params, "%.2fM", p / 1e6);
        else
            std::snprintf(params, sizeof params, "%.1fK", p / 1e3);
        std::cout << "format:        " << j["format"].get<std::string>()
                  << (kind != "llm" ? " (" + kind + ")" : "") << "\n"
                  << "architecture:  " << j["architecture"].get<std::string>() << " ("
                  << j["model_type"].get<std::string>() << ")\n"
                  << "parameters:    " << params << " (" << j["parameters"].get<int64_t>() << ")\n"
                  << "dtype:         " << j["dtype"].get<std::string>() << "\n"
                  << "context:       " << j["context_length"].get<int64_t>() << " tokens\n"
                  << "layers:        " << j["layers"].get<int64_t>() << ", hidden "
                  << j["hidden_size"].get<int64_t>() << ", heads " << j["attention_heads"].get<int64_t>()
                  << " (kv " << j["kv_heads"].get<int64_t>() << ")\n"
                  << "vocabulary:    " << j["vocab_size"].get<int64_t>()
                  << (j["tied_embeddings"].get<bool>() ? " (tied embeddings)" : "") << "\n"
                  << "chat template: " << j["chat_template"].get<std::string>() << "\n"
                  << "tokenizer:     "
                  << (j["tokenizer"].get<std::string>().empty() ? "(none found)"
                                                                : j["tokenizer"].get<std::string>())
                  << "\n"
                  << "size on disk:  " << human_bytes(j["size_on_disk"].get<int64_t>()) << "\n";
    } else {
        std::cout << "kind:          media encoder (no language model)\n";
    }
    std::cout << "reads:         text";
    for (const auto& m : modalities) std::cout << ", " << m["modality"].get<std::string>();
    std::cout << "\n";
    for (const auto& m : modalities) {
        std::cout << "  " << m["modality"].get<std::string>() << ": " << m["encoder"].get<std::string>();
        if (!m["projector"].get<std::string>().empty())
            std::cout << " -> " << m["projector"].get<std::string>();
        std::cout << " (" << m["fusion"].get<std::string>() << ")";
        if (m.contains("tokens_per_image")) std::cout << ", " << m["tokens_per_image"] << " tokens per image";
        if (m.contains("tokens_per_second"))
            std::cout << ", " << m["tokens_per_second"].get<double>() << " tokens per second of audio";
        if (m.contains("tokens_per_video"))
            std::cout << ", " << m["tokens_per_video"] << " tokens per video (" << m["frames"] << " frames)"
                      << (m["audio_track"].get<bool>() ? " + its audio track" : "");
        std::cout << "\n";
    }
    return 0;
}

int cmd_convert(const Args& a) {
    a.check_known({"model", "tokenizer", "out", "json", "help"});
    auto ck = atelier::load_checkpoint(a.need("model"), a.get("tokenizer"));
    const std::string out = a.need("out");
    atelier::save_hf_folder(ck, out);
    if (a.has("json"))
        std::cout << json({{"out", out},
                           {"format", atelier::checkpoint_format_name(ck.format)},
                           {"tensors", ck.tensors.size()}})
                         .dump(2, ' ', false, json::error_handler_t::replace)
                  << "\n";
    else
        std::cout << "wrote " << out << " (" << ck.tensors.size() << " tensors, from "
                  << atelier::checkpoint_format_name(ck.format) << ")\n";
    return 0;
}

int cmd_merge(const Args& a) {
    a.check_known({"model", "adapter", "out", "json", "help"});
    atelier::LoadOptions o;
    auto model = atelier::LlamaModel::load(a.need("model"), o);
    model->attach_adapter(a.need("adapter"));
    const std::string method = model->adapter_method();
    if (method == "llama-adapter")
        throw atelier::Error(
            atelier::ErrorCode::InvalidArgument, a.get("adapter"),
            "a LLaMA-Adapter cannot be merged: its prompt tokens are an attention branch, not "
            "weights; use it with --adapter instead");
    const std::string out = a.need("out");
    const std::string prefix = model->save_merged(out);
    if (a.has("json")) {
        std::cout << json({{"out", out}, {"method", method}, {"prefix_adapter", prefix}}).dump() << "\n";
    } else {
        std::cout << "wrote " << out << " (" << method << " merged into the base weights)\n";
        if (!prefix.empty())
            std::cout << "the prompt tokens of LLaMA-Adapter V2 cannot be merged; they are in " << prefix
                      << ": use --model " << out << " --adapter " << prefix << "\n";
    }
    return 0;
}

std::string iso_time(int64_t ms) {
    if (ms <= 0) return "-";
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", std::localtime(&t));
    return buf;
}

int cmd_runs(int argc, char** argv) {
    if (argc < 3) throw UsageError("runs needs list, show ID or export-csv ID");
    const std::string sub = argv[2];
    int first = 3;
    int64_t id = 0;
    if (sub == "show" || sub == "export-csv") {
        if (argc < 4) throw UsageError("runs " + sub + " needs a run id");
        try {
            id = std::stoll(argv[3]);
        } catch (const std::exception&) {
            throw UsageError(std::string("not a run id: '") + argv[3] + "'");
        }
        first = 4;
    } else if (sub != "list") {
        throw UsageError("unknown runs command '" + sub + "' (list, show ID, export-csv ID)");
    }
    Args a(argc, argv, first, kFlags);
    a.check_known({"store", "json", "help"});
    atelier::RunStore store(a.get("store", atelier::default_run_store_path()));
    store.mark_interrupted();
    auto run_json = [&](const atelier::RunRecord& r) {
        return json{{"id", r.id},
                    {"name", r.name},
                    {"method", r.method},
                    {"model", r.model},
                    {"dataset", r.dataset},
                    {"status", atelier::run_status_name(r.status)},
                    {"step", r.step},
                    {"total_steps", r.total_steps},
                    {"best_eval_loss", r.best_eval_loss < 0 ? json(nullptr) : json(r.best_eval_loss)},
                    {"out", r.out_dir},
                    {"created", iso_time(r.created_at)},
                    {"ended", iso_time(r.ended_at)},
                    {"error", r.error}};
    };
    if (sub == "list") {
        const auto runs = store.runs();
        if (a.has("json")) {
            json list = json::array();
            for (const auto& r : runs) list.push_back(run_json(r));
            std::cout << list.dump(2) << "\n";
            return 0;
        }
        std::printf("%-5s %-12s %-17s %-10s %-12s %s\n", "id", "status", "method", "steps", "eval loss",
                    "model");
        for (const auto& r : runs) {
            char eval[16] = "-";
            if (r.best_eval_loss >= 0) std::snprintf(eval, sizeof eval, "%.4f", r.best_eval_loss);
            std::printf("%-5lld %-12s %-17s %-10s %-12s %s\n", static_cast<long long>(r.id),
                        atelier::run_status_name(r.status), r.method.c_str(),
                        (std::to_string(r.step) + "/" + std::to_string(r.total_steps)).c_str(), eval,
                        r.model.c_str());
        }
        return 0;
    }
    const atelier::RunRecord r = store.run(id);
    if (r.id == 0)
        throw atelier::Error(atelier::ErrorCode::InvalidArgument, "run", "no run " + std::to_string(id));
    if (sub == "export-csv") {
        std::cout << store.export_csv(id);
        return 0;
    }
    json j = run_json(r);
    j["config"] = json::parse(r.config_json);
    json checkpoints = json::array();
    for (const auto& [step, path] : store.checkpoints(id))
        checkpoints.push_back({{"step", step}, {"path", path}});
    j["checkpoints"] = checkpoints;
    json events = json::array();
    for (const auto& e : store.events(id))
        events.push_back({{"step", e.step}, {"kind", e.kind}, {"detail", e.detail}});
    j["events"] = events;
    const auto loss = store.metrics(id, "loss");
    if (!loss.empty()) j["last_loss"] = loss.back().value;
    json evals = json::array();
    for (const auto& e : store.evals(id))
        evals.push_back({{"model", e.model},
                         {"dataset", e.dataset},
                         {"metric", e.metric},
                         {"score", e.score},
                         {"items", e.items},
                         {"perplexity", e.perplexity},
                         {"groups", json::parse(e.groups_json, nullptr, false)},
                         {"created", iso_time(e.created_at)}});
    j["evals"] = evals;
    std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    atelier::use_native_blas_kernels(argv);  // may re-execute, once: before any BLAS is used
    atelier::end_with_launcher();            // a data-parallel rank ends with the process that started it
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" ||
        std::string(argv[1]) == "help") {
        std::cout << kUsage;
        return argc < 2 ? 2 : 0;
    }
    if (std::string(argv[1]) == "--version" || std::string(argv[1]) == "version") {
        std::cout << "atelier-cli " ATELIER_VERSION "\n";
        return 0;
    }
    const std::string cmd = argv[1];
    bool as_json = false;
    for (int i = 2; i < argc; ++i) as_json = as_json || std::string(argv[i]) == "--json";
    try {
        if (cmd == "runs") return cmd_runs(argc, argv);
        if (cmd == "media") return cli::cmd_media(argc, argv);
        Args args(argc, argv, 2, kFlags);
        as_json = args.has("json");
        if (args.has("help")) {
            std::cout << kUsage;
            return 0;
        }
        if (cmd == "generate") return cmd_generate(args);
        if (cmd == "chat") return cmd_chat(args);
        if (cmd == "info") return cmd_info(args);
        if (cmd == "convert") return cmd_convert(args);
        if (cmd == "train") return cli::cmd_train(args);
        if (cmd == "new-encoder") return cli::cmd_new_encoder(args);
        if (cmd == "merge") return cmd_merge(args);
        if (cmd == "encode") return cli::cmd_encode(args);
        if (cmd == "eval") return cli::cmd_eval(args);
        if (cmd == "demo-data") return cli::cmd_demo_data(args);
        if (cmd == "devices") return cli::cmd_devices(args);
        throw UsageError("unknown command '" + cmd + "'");
    } catch (const UsageError& e) {
        std::cerr << "atelier-cli: " << e.what() << "\n(run 'atelier-cli --help' for usage)\n";
        return 2;
    } catch (const atelier::Error& e) {
        if (as_json)
            std::cout << json({{"error",
                                {{"code", atelier::error_code_name(e.code())},
                                 {"where", e.where()},
                                 {"message", e.detail()}}}})
                             .dump(2, ' ', false, json::error_handler_t::replace)
                      << "\n";
        std::cerr << "atelier-cli: error: " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "atelier-cli: internal error: " << e.what() << "\n";
        return 1;
    }
}
