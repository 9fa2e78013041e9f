// The multimodal facade: LLM + media branches (encoder -> feature selection -> projector).
#include "multimodal/multimodal_model.h"

#include "chat/chat_template.h"
#include "common/error.h"
#include "common/sha256.h"
#include "encoders/encoder_modules.h"
#include "features/audio_features.h"
#include "features/image_processor.h"
#include "io/safetensors.h"
#include "media/media.h"
#include "model/importers.h"
#include "model/llama_module.h"
#include "multimodal/bundle.h"
#include "projectors/projector_modules.h"
#include "tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <list>
#include <map>
#include <mutex>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace atelier {

namespace {

std::string read_text(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    if (!f) throw Error(ErrorCode::FileNotFound, p.string(), "cannot read file");
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

json read_json(const fs::path& p) {
    try {
        return json::parse(read_text(p));
    } catch (const json::exception& e) {
        throw Error(ErrorCode::BadJson, p.string(), std::string("not valid JSON: ") + e.what());
    }
}

std::string first_architecture(const json& j) {
    if (j.is_object() && j.contains("architectures") && j["architectures"].is_array() &&
        !j["architectures"].empty() && j["architectures"][0].is_string())
        return j["architectures"][0].get<std::string>();
    return "";
}

torch::Tensor to_cpu_f32(const torch::Tensor& t) {
    return t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
}

NamedArray named(const std::string& name, const torch::Tensor& t) {
    auto c = to_cpu_f32(t);
    NamedArray a{name, c.sizes().vec(), {}};
    a.data.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    return a;
}

// CLIP vision tower + its image processor + the layer and tokens the model reads.
struct VisionBranch {
    ClipVisionTransformer net{nullptr};
    ImageProcessor proc;
    int64_t feature_layer = -1;   // index into hidden_states, negative from the end
    std::string select = "full";  // default (drop class token) | full | cls
    std::string path;             // where it was loaded from
    std::string signature;        // encoder + preprocessing, for cache keys

    int64_t layer_index() const {
        const int64_t n = net->config.num_hidden_layers + 1;  // hidden_states entries
        return feature_layer < 0 ? n + feature_layer : feature_layer;
    }
    int64_t tokens() const {
        const int64_t P = net->config.num_patches();
        return select == "default" ? P : select == "cls" ? 1 : P + 1;
    }
    std::string describe() const {
        const auto& c = net->config;
        return "CLIP ViT " + std::to_string(c.num_hidden_layers) + " layers, width " +
               std::to_string(c.hidden_size) + ", " + std::to_string(c.image_size) + " px / patch " +
               std::to_string(c.patch_size);
    }
    // Selected features [1, tokens, D] of a preprocessed image [1,3,H,W].
    torch::Tensor features(const torch::Tensor& pixels, const LayerProgress& progress) {
        auto out = net->forward(pixels, layer_index(), progress);
        auto h = out.hidden_states.at(static_cast<size_t>(layer_index()));  // [1, 1+P, D]
        if (select == "default") return h.narrow(1, 1, h.size(1) - 1);
        if (select == "cls") return h.narrow(1, 0, 1);
        return h;
    }
};

// Whisper encoder + its log-mel front end.
struct AudioBranch {
    WhisperEncoder net{nullptr};
    WhisperFeatureExtractor fe;
    std::string path;
    std::string signature;
    double positions_per_second() const {
        return double(net->config.max_source_positions) / fe.config().chunk_length;
    }
    std::string describe() const {
        const auto& c = net->config;
        return "Whisper encoder " + std::to_string(c.encoder_layers) + " layers, width " +
               std::to_string(c.d_model) + ", " + std::to_string(c.num_mel_bins) + " mel bins";
    }
};

// True when the folder's tokenizer_config.json or chat_template.json names a template Atelier knows.
bool has_detectable_template(const std::string& dir) {
    for (const char* name : {"tokenizer_config.json", "chat_template.json"}) {
        std::error_code ec;
        const fs::path p = fs::path(dir) / name;
        if (!fs::is_regular_file(p, ec)) continue;
        try {
            if (ChatTemplate::detect(read_text(p))) return true;
        } catch (const std::exception&) {
        }
    }
    return false;
}

// A sampled frame's time as text before its tokens.
std::string frame_label(double seconds) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "[%.1f s]", seconds);
    return buf;
}

}  // namespace

struct MultimodalModel::Impl {
    std::string kind = "llm", source, chat_template;
    LoadOptions options;
    std::unique_ptr<LlamaModel> llm;
    std::unique_ptr<Tokenizer> tokenizer;
    int image_token = -1;
    torch::Dtype dtype = torch::kFloat32;
    torch::Device device{torch::kCPU};
    std::string fusion = "tokens";
    std::string default_adapter;  // a bundle's own adapter

    std::unique_ptr<VisionBranch> vision;
    std::unique_ptr<AudioBranch> audio;
    Projector image_proj{nullptr}, audio_proj{nullptr}, video_proj{nullptr};
    int video_frames = 8;
    bool video = false, video_audio = false, video_timestamps = false;
    std::vector<ModalitySpec> specs;

    // LRU cache of encodings by key.
    mutable std::mutex cache_mutex;
    std::list<std::string> lru;
    std::map<std::string, std::shared_ptr<const MediaEmbedding>> cache;
    EncodeCacheStats stats;
    static constexpr size_t kCacheEntries = 64;

    std::shared_ptr<const MediaEmbedding> cached(const std::string& key) {
        std::lock_guard<std::mutex> lock(cache_mutex);
        auto it = cache.find(key);
        if (it == cache.end()) {
            ++stats.misses;
            return nullptr;
        }
        ++stats.hits;
        lru.remove(key);
        lru.push_front(key);
        return it->second;
    }
    void remember(const std::shared_ptr<const MediaEmbedding>& e) {
        std::lock_guard<std::mutex> lock(cache_mutex);
        if (cache.emplace(e->key, e).second) lru.push_front(e->key);
        while (lru.size() > kCacheEntries) {
            cache.erase(lru.back());
            lru.pop_back();
        }
    }

    void load_vision(const std::string& dir, const TensorMap* tensors, const std::string& prefix,
                     int64_t feature_layer, const std::string& select) {
        auto v = std::make_unique<VisionBranch>();
        const fs::path cfg_path = fs::path(dir) / "config.json";
        ClipVisionConfig cfg = ClipVisionConfig::from_json(read_text(cfg_path), cfg_path.string());
        v->net = ClipVisionTransformer(cfg);
        TensorMap own;
        std::string pre = prefix;
        if (!tensors) {
            own = load_safetensors_dir(dir);
            tensors = &own;
            // CLIPVisionModel and CLIPModel keep the tower under "vision_model."
            pre = "vision_model.";
        }
        load_weights(*v->net, *tensors, pre, dtype, device, dir);
        v->net->eval();
        v->proc = ImageProcessor::load(dir);
        v->feature_layer = feature_layer;
        v->select = select;
        v->path = dir;
        const int64_t idx = v->layer_index();
        if (idx < 0 || idx > cfg.num_hidden_layers)
            throw Error(ErrorCode::BadConfig, dir,
                        "feature layer " + std::to_string(feature_layer) + " is outside the encoder's " +
                            std::to_string(cfg.num_hidden_layers) + " layers");
        v->signature = "clip:" + fs::absolute(dir).lexically_normal().string() + ":" +
                       v->proc.config().to_json() + ":" + std::to_string(idx) + ":" + select;
        vision = std::move(v);
    }

    void load_audio(const std::string& dir) {
        auto a = std::make_unique<AudioBranch>();
        const fs::path cfg_path = fs::path(dir) / "config.json";
        WhisperEncoderConfig cfg = WhisperEncoderConfig::from_json(read_text(cfg_path), cfg_path.string());
        a->net = WhisperEncoder(cfg);
        TensorMap tensors = load_safetensors_dir(dir);
        // WhisperForConditionalGeneration / WhisperModel: "model.encoder."; a bare encoder: "encoder.".
        const std::string prefix =
            tensors.count("model.encoder.conv1.weight") ? "model.encoder." : "encoder.";
        load_weights(*a->net, tensors, prefix, dtype, device, dir);
        a->net->eval();
        a->fe = WhisperFeatureExtractor::load(dir);
        if (a->fe.config().feature_size != cfg.num_mel_bins)
            throw Error(ErrorCode::ShapeMismatch, dir,
                        "the feature extractor makes " + std::to_string(a->fe.config().feature_size) +
                            " mel bins; the encoder reads " + std::to_string(cfg.num_mel_bins));
        a->path = dir;
        a->signature =
            "whisper:" + fs::absolute(dir).lexically_normal().string() + ":" + a->fe.config().to_json();
        audio = std::move(a);
    }

    // Loads NAME.json/.safetensors from the bundle after checking the widths against the encoder
    // and the LLM, so a mismatch is reported as such rather than as a tensor of the wrong shape.
    Projector bundle_projector(const std::string& dir, const std::string& name, int64_t in,
                               const std::string& what) {
        const fs::path json_path = fs::path(dir) / (name + ".json");
        std::error_code ec;
        if (!fs::is_regular_file(json_path, ec))
            throw Error(ErrorCode::FileNotFound, json_path.string(),
                        "the " + what + " projector's config is missing");
        check_projector(ProjectorConfig::from_json(read_text(json_path), json_path.string()), in, what,
                        json_path.string());
        return load_projector(dir, name, dtype, device);
    }

    void check_projector(const ProjectorConfig& c, int64_t in, const std::string& what,
                         const std::string& where) {
        if (c.in_features != in)
            throw Error(ErrorCode::ShapeMismatch, where,
                        "width mismatch: the " + what + " projector expects " +
                            std::to_string(c.in_features) + " features, its encoder gives " +
                            std::to_string(in));
        if (llm && c.out_features != llm->config().hidden_size)
            throw Error(ErrorCode::ShapeMismatch, where,
                        "width mismatch: the " + what + " projector outputs " +
                            std::to_string(c.out_features) +
                            " features, the language model's hidden size is " +
                            std::to_string(llm->config().hidden_size));
        if (c.gated() && llm &&
            (c.num_layers != llm->config().num_hidden_layers ||
             c.num_heads != llm->config().num_attention_heads))
            throw Error(ErrorCode::ShapeMismatch, where,
                        "the bind network's gates do not match the language model's layers/heads");
    }

    void build_specs() {
        specs.clear();
        if (vision) {
            ModalitySpec s;
            s.modality = "image";
            s.encoder = vision->describe();
            s.encoder_path = vision->path;
            s.projector = image_proj ? image_proj->config.type : "";
            s.fusion = image_proj && image_proj->config.gated() ? "gated" : "tokens";
            s.tokens_per_item =
                image_proj ? image_proj->config.output_tokens(vision->tokens()) : vision->tokens();
            specs.push_back(s);
        }
        if (audio) {
            ModalitySpec s;
            s.modality = "audio";
            s.encoder = audio->describe();
            s.encoder_path = audio->path;
            s.projector = audio_proj ? audio_proj->config.type : "";
            s.fusion = audio_proj && audio_proj->config.gated() ? "gated" : "tokens";
            const double pps = audio->positions_per_second();
            s.tokens_per_second =
                audio_proj ? (audio_proj->config.gated()                 ? 0.0
                              : audio_proj->config.type == "audio_stack" ? pps / audio_proj->config.stack
                                                                         : pps)
                           : pps;
            specs.push_back(s);
        }
        if (video && vision) {
            ModalitySpec s;
            s.modality = "video";
            s.encoder = vision->describe() + (video_proj ? " + video " + video_proj->config.type : "");
            s.encoder_path = vision->path;
            s.projector = video_proj ? video_proj->config.type : (image_proj ? image_proj->config.type : "");
            s.fusion = specs.front().fusion;
            s.frames = video_frames;
            s.tokens_per_item = video_tokens(video_frames);
            s.video_audio = video_audio && audio != nullptr;
            s.tokens_per_second = s.video_audio ? specs.size() > 1 ? specs[1].tokens_per_second : 0 : 0;
            specs.push_back(s);
        }
    }

    void check_frames(int n, const std::string& file) const {
        if (n < 1 || n > 1024)
            throw Error(ErrorCode::InvalidArgument, file, "frames per video must be from 1 to 1024");
        if (video_proj && video_proj->config.type == "qformer" && n > video_proj->config.max_frames)
            throw Error(ErrorCode::InvalidArgument, file,
                        std::to_string(n) + " frames asked; the model's video Q-Former reads at most " +
                            std::to_string(video_proj->config.max_frames));
    }

    int64_t image_tokens() const {
        return image_proj ? image_proj->config.output_tokens(vision->tokens()) : vision->tokens();
    }
    int64_t video_tokens(int frames) const {
        if (video_proj) return video_proj->config.output_tokens(frames * vision->tokens());
        return frames * image_tokens();
    }
    // Encoder positions kept per 30 s window for `samples` of audio: ceil(in-window share x
    // positions), so the padding past the end of the audio never reaches the model. Counted from
    // samples, so the cost known before decoding equals what encoding keeps.
    std::vector<int64_t> audio_keep(int64_t samples) const {
        const int64_t S = audio->fe.config().n_samples, N = audio->net->config.max_source_positions;
        const int64_t windows = std::max<int64_t>(1, (samples + S - 1) / S);
        std::vector<int64_t> keep;
        for (int64_t w = 0; w < windows; ++w) {
            const int64_t in = std::clamp<int64_t>(samples - w * S, 0, S);
            keep.push_back(std::clamp<int64_t>((in * N + S - 1) / S, 1, N));
        }
        return keep;
    }
    int64_t audio_tokens(int64_t samples) const {
        int64_t p = 0;
        for (int64_t k : audio_keep(samples)) p += k;
        return audio_proj ? audio_proj->config.output_tokens(p) : p;
    }
    // The audio's length in samples as the container states it (what token_cost() counts before
    // decoding); decode_fitted() fits the decoded samples to it (codec priming and padding
    // trimmed). Without a stated duration, the decoded length.
    int64_t stated_samples(const std::string& file) const {
        const MediaInfo info = probe_media(file);
        const int rate = audio->fe.config().sampling_rate;
        if (info.duration > 0) return std::llround(info.duration * rate);
        return static_cast<int64_t>(decode_audio(file, rate).samples.size());
    }
    Audio decode_fitted(const std::string& file) const {
        Audio pcm = decode_audio(file, audio->fe.config().sampling_rate);
        const MediaInfo info = probe_media(file);
        if (info.duration > 0)
            pcm.samples.resize(static_cast<size_t>(std::llround(info.duration * pcm.sample_rate)), 0.f);
        return pcm;
    }

    LayerProgress layer_progress(const EncodeOptions& o, float begin, float span) const {
        return [o, begin, span](int64_t done, int64_t total) {
            if (o.cancel && o.cancel->load()) return false;
            if (o.progress && total > 0) o.progress(begin + span * float(done) / float(total));
            return true;
        };
    }

    torch::Tensor pixel_tensor(const Image& img) const {
        std::vector<float> px = vision->proc.preprocess(img);
        const int64_t H = vision->proc.output_height(), W = vision->proc.output_width();
        return torch::from_blob(px.data(), {1, 3, H, W}, torch::kFloat32).clone().to(device);
    }

    // [windows, n_mels, frames] log-mel of `pcm` as a tensor.
    torch::Tensor mel_tensor(const Audio& pcm) const {
        LogMel mel = audio->fe.extract(pcm);
        return torch::from_blob(mel.data.data(), {mel.windows, mel.n_mels, mel.frames}, torch::kFloat32)
            .clone()
            .to(device);
    }

    // Encoder output of every window, trimmed to the audio's length: [1, positions, D].
    torch::Tensor audio_features(const Audio& pcm, const LayerProgress& progress,
                                 torch::Tensor* raw = nullptr) {
        auto mel = mel_tensor(pcm);  // [w, M, F]
        std::vector<torch::Tensor> parts;
        const int64_t windows = mel.size(0);
        std::vector<torch::Tensor> all;
        const auto keep = audio_keep(static_cast<int64_t>(pcm.samples.size()));
        for (int64_t w = 0; w < windows; ++w) {
            auto out = audio->net->forward(mel.narrow(0, w, 1), progress);  // [1, N, D]
            all.push_back(out);
            parts.push_back(out.narrow(1, 0, keep.at(static_cast<size_t>(w))));
        }
        if (raw) *raw = torch::cat(all, 0);  // [w, N, D]
        return torch::cat(parts, 1);         // [1, positions, D]
    }

    std::shared_ptr<MediaEmbedding> make_embedding(const std::string& modality, const std::string& file,
                                                   const std::string& key, const torch::Tensor& projected,
                                                   const Projector& proj) {
        auto e = std::make_shared<MediaEmbedding>();
        e->modality = modality;
        e->source = file;
        e->key = key;
        auto t = to_cpu_f32(projected);
        if (proj && proj->config.gated()) {
            e->gated = true;
            e->tokens = 0;
            e->dim = t.size(-1);
            e->data.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
            auto g = to_cpu_f32(proj->gates);
            e->gates.assign(g.data_ptr<float>(), g.data_ptr<float>() + g.numel());
        } else {
            e->tokens = t.size(1);
            e->dim = t.size(2);
            e->data.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
        }
        return e;
    }

    torch::Tensor project(Projector proj, const torch::Tensor& feats /*[1, N, Din]*/) {
        if (!proj) return feats;
        if (proj->config.gated()) return proj->forward(feats.mean(1));  // [1, Dout]: pooled
        return proj->forward(feats);
    }
};

std::string MultimodalModel::detect_kind(const std::string& path) {
    if (BundleManifest::is_bundle(path)) return "bundle";
    std::error_code ec;
    const fs::path cfg_path = fs::path(path) / "config.json";
    if (!fs::is_regular_file(cfg_path, ec)) return "llm";
    json cfg;
    try {
        cfg = json::parse(read_text(cfg_path));
    } catch (const std::exception&) {
        return "llm";  // the LLM loader reports the bad JSON
    }
    const std::string arch = first_architecture(cfg);
    const std::string type = cfg.is_object() ? cfg.value("model_type", std::string()) : std::string();
    if (arch == "LlavaForConditionalGeneration" || type == "llava") return "llava";
    if (arch == "CLIPVisionModel" || arch == "CLIPModel" || type == "clip_vision_model" || type == "clip" ||
        type == "whisper" || arch.rfind("Whisper", 0) == 0)
        return "encoder";
    return "llm";
}

std::string MultimodalModel::language_model_path(const std::string& path) {
    const std::string kind = detect_kind(path);
    if (kind == "bundle") {
        BundleManifest b = BundleManifest::load(path);
        return b.resolve(b.language_model);
    }
    return kind == "encoder" ? "" : path;
}

MultimodalModel::MultimodalModel() : m(std::make_unique<Impl>()) {}
MultimodalModel::~MultimodalModel() = default;

std::unique_ptr<MultimodalModel> MultimodalModel::load(const std::string& path, const LoadOptions& options,
                                                       bool with_language_model) {
    auto mm = std::unique_ptr<MultimodalModel>(new MultimodalModel());
    Impl& m = *mm->m;
    m.source = path;
    m.options = options;
    std::error_code ec;
    const fs::path p(path);
    if (!fs::exists(p, ec)) throw Error(ErrorCode::FileNotFound, path, "no such file or folder");

    auto finish_llm = [&](std::unique_ptr<LlamaModel> llm) {
        if (llm->tokenizer_path().empty())
            throw Error(ErrorCode::FileNotFound, path,
                        "no tokenizer.json or tokenizer.model beside the weights; pass --tokenizer FILE");
        m.tokenizer = load_tokenizer(fs::is_directory(llm->tokenizer_path()) ? llm->tokenizer_path()
                                                                             : llm->tokenizer_path());
        m.llm = std::move(llm);
        m.device = torch::Device(m.llm->device());
        m.dtype = parse_dtype(m.llm->compute_dtype());
    };

    if (BundleManifest::is_bundle(path)) {
        BundleManifest b = BundleManifest::load(path);
        m.kind = "bundle";
        m.chat_template = b.chat_template;
        if (with_language_model) finish_llm(LlamaModel::load(b.resolve(b.language_model), options));
        if (!b.adapter.empty() && m.llm) {
            m.default_adapter = b.resolve(b.adapter);
            m.llm->attach_adapter(m.default_adapter);
        }
        if (b.image) {
            const std::string enc = b.resolve(b.image->encoder);
            if (!fs::is_directory(enc, ec))
                throw Error(ErrorCode::FileNotFound, enc, "the bundle's image encoder folder is missing");
            m.load_vision(enc, nullptr, "", b.image->feature_layer, b.image->feature_select);
            m.image_proj =
                m.bundle_projector(path, b.image->projector, m.vision->net->config.hidden_size, "image");
        }
        if (b.audio) {
            const std::string enc = b.resolve(b.audio->encoder);
            if (!fs::is_directory(enc, ec))
                throw Error(ErrorCode::FileNotFound, enc, "the bundle's audio encoder folder is missing");
            m.load_audio(enc);
            m.audio_proj =
                m.bundle_projector(path, b.audio->projector, m.audio->net->config.d_model, "audio");
        }
        if (b.video) {
            m.video = true;
            m.video_frames = b.video_frames;
            m.video_audio = b.video_audio;
            m.video_timestamps = b.video_timestamps;
            if (!b.video_temporal.empty()) {
                m.video_proj =
                    m.bundle_projector(path, b.video_temporal, m.vision->net->config.hidden_size, "video");
                if (m.video_proj->config.type != "qformer" && m.video_proj->config.type != "perceiver")
                    throw Error(ErrorCode::BadConfig, b.resolve(b.video_temporal + ".json"),
                                "a video temporal module must be a qformer or perceiver projector");
                if (m.video_proj->config.type == "qformer" &&
                    m.video_frames > m.video_proj->config.max_frames)
                    throw Error(ErrorCode::BadConfig, b.resolve(b.video_temporal + ".json"),
                                "the bundle samples more frames than the Q-Former has frame positions");
            }
        }
        for (const Projector* p : {&m.image_proj, &m.audio_proj})
            if (*p && (*p)->config.gated() != (b.fusion == "gated"))
                throw Error(ErrorCode::BadConfig, (fs::path(path) / BundleManifest::kFileName).string(),
                            "fusion \"" + b.fusion + "\" does not match the " + (*p)->config.type +
                                " projector (the gated path needs a bind network, the token path any other)");
        m.build_specs();
        return mm;
    }

    json cfg;
    if (fs::is_directory(p, ec) && fs::is_regular_file(p / "config.json", ec))
        cfg = read_json(p / "config.json");
    const std::string arch = first_architecture(cfg);
    const std::string model_type = cfg.is_object() ? cfg.value("model_type", std::string()) : std::string();

    if (arch == "CLIPVisionModel" || arch == "CLIPModel" || model_type == "clip_vision_model" ||
        model_type == "clip") {
        m.kind = "encoder";
        m.dtype = options.dtype == "auto" ? torch::kFloat32 : parse_dtype(options.dtype);
        m.load_vision(path, nullptr, "", -1, "full");
        m.build_specs();
        return mm;
    }
    if (model_type == "whisper" || arch.rfind("Whisper", 0) == 0) {
        m.kind = "encoder";
        m.dtype = options.dtype == "auto" ? torch::kFloat32 : parse_dtype(options.dtype);
        m.load_audio(path);
        m.build_specs();
        return mm;
    }

    Checkpoint ck = load_checkpoint(path, options.tokenizer);
    if (ck.multimodal == "llava") {
        m.kind = "llava";
        TensorMap extra = ck.extra_tensors;
        if (with_language_model)
            finish_llm(LlamaModel::from_checkpoint(ck, options));
        else
            m.dtype = options.dtype == "auto" ? torch::kFloat32 : parse_dtype(options.dtype);
        if (cfg.contains("image_token_index") && cfg["image_token_index"].is_number_integer())
            m.image_token = cfg["image_token_index"].get<int>();
        const std::string select = cfg.contains("vision_feature_select_strategy") &&
                                           cfg["vision_feature_select_strategy"].is_string()
                                       ? cfg["vision_feature_select_strategy"].get<std::string>()
                                       : std::string("default");
        int64_t layer = -2;
        if (cfg.contains("vision_feature_layer")) {
            if (!cfg["vision_feature_layer"].is_number_integer())
                throw Error(
                    ErrorCode::BadConfig, path,
                    "vision_feature_layer must be one integer (multi-layer features are not supported)");
            layer = cfg["vision_feature_layer"].get<int64_t>();
        }
        m.load_vision(path, &extra, "vision_tower.vision_model.", layer,
                      select == "full" ? "full" : "default");
        ProjectorConfig pc;
        pc.type = "mlp2x_gelu";
        pc.in_features = m.vision->net->config.hidden_size;
        pc.out_features = ck.config.hidden_size;
        pc.act = cfg.contains("projector_hidden_act") && cfg["projector_hidden_act"].is_string()
                     ? cfg["projector_hidden_act"].get<std::string>()
                     : std::string("gelu");
        pc.validate(path);
        m.image_proj = Projector(pc);
        load_weights(*m.image_proj, extra, "multi_modal_projector.", m.dtype, m.device, path);
        // LLaVA reads videos as frames of images: up to 8, as many as half the context holds.
        m.video = true;
        if (m.llm) {
            const int64_t per_frame = std::max<int64_t>(1, m.image_tokens());
            m.video_frames =
                static_cast<int>(std::clamp<int64_t>(m.llm->context_length() / 2 / per_frame, 1, 8));
        }
        // LLaVA-1.5 was tuned on Vicuna's conversation format; llava-hf folders keep their Jinja
        // template in chat_template.json, which Atelier does not run.
        if (!has_detectable_template(path)) m.chat_template = "vicuna";
        m.build_specs();
        return mm;
    }
    m.kind = "llm";
    if (with_language_model) finish_llm(LlamaModel::from_checkpoint(ck, options));
    m.build_specs();
    return mm;
}

const std::string& MultimodalModel::kind() const {
    return m->kind;
}
const std::string& MultimodalModel::source() const {
    return m->source;
}
bool MultimodalModel::has_llm() const {
    return m->llm != nullptr;
}
LlamaModel& MultimodalModel::llm() {
    if (!m->llm)
        throw Error(ErrorCode::InvalidArgument, m->source,
                    "this folder is a media encoder, not a language model");
    return *m->llm;
}
Tokenizer& MultimodalModel::tokenizer() {
    if (!m->tokenizer)
        throw Error(ErrorCode::InvalidArgument, m->source,
                    "this folder is a media encoder, not a language model");
    return *m->tokenizer;
}
const std::string& MultimodalModel::default_adapter() const {
    return m->default_adapter;
}
const std::string& MultimodalModel::chat_template() const {
    return m->chat_template;
}
int MultimodalModel::image_token_id() const {
    return m->image_token;
}
const std::vector<ModalitySpec>& MultimodalModel::modalities() const {
    return m->specs;
}

const ModalitySpec* MultimodalModel::modality(const std::string& name) const {
    for (const auto& s : m->specs)
        if (s.modality == name) return &s;
    return nullptr;
}

void MultimodalModel::require(const std::string& modality, const std::string& file) const {
    if (modality != "image" && modality != "audio" && modality != "video")
        throw Error(ErrorCode::InvalidArgument, file, "unknown media kind '" + modality + "'");
    if (this->modality(modality)) return;
    std::string has;
    for (const auto& s : m->specs) has += (has.empty() ? "" : ", ") + s.modality;
    const std::string what = modality == "image"   ? "image encoder"
                             : modality == "audio" ? "audio encoder"
                                                   : "video branch";
    throw Error(ErrorCode::MissingModality, file,
                "the model " + m->source + " has no " + what + " (" + modality + " input): it reads " +
                    (has.empty() ? std::string("text only") : "text, " + has));
}

int64_t MultimodalModel::token_cost(const std::string& modality, const std::string& file, int frames) const {
    require(modality, file);
    if (modality == "image") {
        if (m->image_proj && m->image_proj->config.gated()) return 0;
        return m->image_tokens();
    }
    if (modality == "audio") {
        if (m->audio_proj && m->audio_proj->config.gated()) return 0;
        return m->audio_tokens(m->stated_samples(file));
    }
    const int n = frames > 0 ? frames : m->video_frames;
    m->check_frames(n, file);
    int64_t cost = m->video_proj                                      ? m->video_tokens(n)
                   : (m->image_proj && m->image_proj->config.gated()) ? 0
                                                                      : m->video_tokens(n);
    if (m->video_timestamps && !m->video_proj && !(m->image_proj && m->image_proj->config.gated())) {
        const double duration = probe_media(file).duration;
        for (int i = 0; i < n; ++i)
            cost += static_cast<int64_t>(
                m->tokenizer->encode(frame_label((i + 0.5) * duration / n), false).size());
    }
    if (m->video_audio && m->audio) {
        MediaInfo info = probe_media(file);
        if (info.has_audio && !(m->audio_proj && m->audio_proj->config.gated()))
            cost += m->audio_tokens(m->stated_samples(file));
    }
    return cost;
}

std::vector<std::shared_ptr<const MediaEmbedding>> MultimodalModel::encode(const std::string& modality,
                                                                           const std::string& file,
                                                                           const EncodeOptions& options) {
    require(modality, file);
    Impl& im = *m;
    const std::string hash = sha256_file(file);
    using Clock = std::chrono::steady_clock;
    std::vector<std::shared_ptr<const MediaEmbedding>> out;
    c10::InferenceMode guard;

    if (modality == "image") {
        const std::string key = hash + "|image|" + im.vision->signature;
        if (auto hit = im.cached(key)) return {hit};
        const auto t0 = Clock::now();
        Image img = decode_image(file);
        auto feats = im.vision->features(im.pixel_tensor(img), im.layer_progress(options, 0, 1));
        auto e = im.make_embedding("image", file, key, im.project(im.image_proj, feats), im.image_proj);
        e->encode_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        im.remember(e);
        return {e};
    }
    if (modality == "audio") {
        const std::string key = hash + "|audio|" + im.audio->signature;
        if (auto hit = im.cached(key)) return {hit};
        const auto t0 = Clock::now();
        Audio pcm = im.decode_fitted(file);
        auto feats = im.audio_features(pcm, im.layer_progress(options, 0, 1));
        auto e = im.make_embedding("audio", file, key, im.project(im.audio_proj, feats), im.audio_proj);
        e->encode_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        im.remember(e);
        return {e};
    }
    // video: sampled frames through the image branch (+ temporal module), then the audio track.
    const int n = options.frames > 0 ? options.frames : im.video_frames;
    im.check_frames(n, file);
    const bool stamped =
        im.video_timestamps && !im.video_proj && !(im.image_proj && im.image_proj->config.gated());
    const std::string key = hash + "|video|" + std::to_string(n) + "|" + im.vision->signature +
                            (im.video_proj ? "|temporal" : "") + (stamped ? "|stamped" : "");
    // Timestamped frames are cached as one entry per frame: key|f<i>.
    auto frame_key = [&](size_t i) { return key + "|f" + std::to_string(i); };
    std::vector<std::shared_ptr<const MediaEmbedding>> hits;
    if (stamped) {
        for (int i = 0; i < n; ++i) {
            auto h = im.cached(frame_key(static_cast<size_t>(i)));
            if (!h) break;
            hits.push_back(h);
        }
        if (static_cast<int>(hits.size()) != n) hits.clear();
    } else if (auto hit = im.cached(key)) {
        hits.push_back(hit);
    }
    if (!hits.empty()) {
        out = hits;
    } else {
        const auto t0 = Clock::now();
        auto frames = sample_video_frames(file, n);
        std::vector<torch::Tensor> per_frame;  // [1, N, Din] each
        for (size_t i = 0; i < frames.size(); ++i)
            per_frame.push_back(im.vision->features(
                im.pixel_tensor(frames[i].image),
                im.layer_progress(options, float(i) / frames.size(), 1.0f / frames.size())));
        if (stamped) {
            const double stamp_duration = probe_media(file).duration;  // as token_cost() labels them
            // Each frame's tokens preceded by its time as text ("[1.4 s]"), as the bundle asks.
            for (size_t i = 0; i < frames.size(); ++i) {
                auto e = im.make_embedding("video", file, frame_key(i),
                                           im.project(im.image_proj, per_frame[i]), im.image_proj);
                e->text_before = frame_label((i + 0.5) * stamp_duration / n);
                e->encode_seconds = i == 0 ? std::chrono::duration<double>(Clock::now() - t0).count() : 0.0;
                im.remember(e);
                out.push_back(e);
            }
        } else {
            torch::Tensor projected;
            if (im.video_proj) {
                projected =
                    im.video_proj->config.type == "qformer"
                        ? im.video_proj->forward(
                              torch::stack(per_frame, 1))                    // [1, F, N, Din] -> [1, Q, Dout]
                        : im.video_proj->forward(torch::cat(per_frame, 1));  // [1, F*N, Din] -> [1, L, Dout]
            } else if (im.image_proj && im.image_proj->config.gated()) {
                projected = im.image_proj->forward(torch::cat(per_frame, 1).mean(1));  // [1, Dout]
            } else {
                std::vector<torch::Tensor> tokens;
                for (auto& f : per_frame) tokens.push_back(im.project(im.image_proj, f));
                projected = torch::cat(tokens, 1);  // [1, F*T, Dout]
            }
            auto e = im.make_embedding("video", file, key, projected,
                                       im.video_proj ? im.video_proj : im.image_proj);
            e->encode_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
            im.remember(e);
            out.push_back(e);
        }
    }
    if (im.video_audio && im.audio && probe_media(file).has_audio) {
        const std::string akey = hash + "|audio|" + im.audio->signature;
        if (auto hit = im.cached(akey)) {
            out.push_back(hit);
        } else {
            Audio pcm = im.decode_fitted(file);
            auto feats = im.audio_features(pcm, im.layer_progress(options, 0, 1));
            auto e = im.make_embedding("audio", file, akey, im.project(im.audio_proj, feats), im.audio_proj);
            im.remember(e);
            out.push_back(e);
        }
    }
    return out;
}

std::vector<NamedArray> MultimodalModel::encode_details(const std::string& modality,
                                                        const std::string& file) {
    if (modality != "image" && modality != "audio")
        throw Error(ErrorCode::InvalidArgument, file, "encode reads an image or audio file");
    require(modality, file);
    Impl& im = *m;
    c10::InferenceMode guard;
    std::vector<NamedArray> out;
    if (modality == "image") {
        auto px = im.pixel_tensor(decode_image(file));
        out.push_back(named("pixel_values", px));
        auto all = im.vision->net->forward(px, 0);
        out.push_back(named("hidden_states", torch::stack(all.hidden_states, 0)));  // [L+1, 1, N, D]
        out.push_back(named("last_hidden_state", all.last_hidden_state));
        out.push_back(named("pooler_output", im.vision->net->pooled(all.last_hidden_state)));
        if (im.image_proj) {
            auto feats = im.vision->features(px, {});
            out.push_back(named("image_features", im.project(im.image_proj, feats)));
        }
        return out;
    }
    Audio pcm = decode_audio(file, im.audio->fe.config().sampling_rate);
    auto mel = im.mel_tensor(pcm);                                                      // [w, M, F]
    out.push_back(named("input_features", torch::cat(mel.unbind(0), 1).unsqueeze(0)));  // [1, M, F*w]
    torch::Tensor raw;
    auto feats = im.audio_features(pcm, {}, &raw);
    out.push_back(named("last_hidden_state", raw));
    if (im.audio_proj) out.push_back(named("audio_features", im.project(im.audio_proj, feats)));
    return out;
}

EncodeCacheStats MultimodalModel::cache_stats() const {
    std::lock_guard<std::mutex> lock(m->cache_mutex);
    EncodeCacheStats s = m->stats;
    s.entries = static_cast<int64_t>(m->cache.size());
    return s;
}

void MultimodalModel::clear_cache() {
    std::lock_guard<std::mutex> lock(m->cache_mutex);
    m->cache.clear();
    m->lru.clear();
}

}  // namespace atelier
