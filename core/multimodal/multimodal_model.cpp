// The multimodal facade: LLM + media branches (encoder -> feature selection -> projector).
#include "multimodal/multimodal_model.h"

#include "chat/chat_template.h"
#include "common/error.h"
#include "common/files.h"
#include "common/json_util.h"
#include "common/sha256.h"
#include "io/safetensors.h"
#include "media/media.h"
#include "model/importers.h"
#include "model/llama_module.h"
#include "multimodal/bundle.h"
#include "multimodal/media_branches.h"
#include "projectors/projector_modules.h"
#include "tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <list>
#include <map>
#include <mutex>

namespace fs = std::filesystem;
using nlohmann::json;

namespace atelier {

namespace {

std::string read_text(const fs::path& p) {
    return read_text_file(p.string());
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

    // LRU cache of encodings by key, bounded in bytes (a LLaVA video is 8 x 576 x 4096 floats).
    mutable std::mutex cache_mutex;
    std::list<std::string> lru;
    std::map<std::string, std::shared_ptr<const MediaEmbedding>> cache;
    size_t cache_bytes = 0;
    EncodeCacheStats stats;
    static constexpr size_t kCacheBytes = size_t(1) << 30;
    // SHA-256 of files already hashed, while their size and modification time stay the same: a
    // conversation re-sends its attachments every turn.
    struct KnownFile {
        uintmax_t size = 0;
        fs::file_time_type mtime;
        std::string sha256;
    };
    std::map<std::string, KnownFile> hashes;

    std::string file_hash(const std::string& file) {
        std::error_code ec;
        const uintmax_t size = fs::file_size(file, ec);
        const auto mtime = ec ? fs::file_time_type() : fs::last_write_time(file, ec);
        if (!ec) {
            std::lock_guard<std::mutex> lock(cache_mutex);
            auto it = hashes.find(file);
            if (it != hashes.end() && it->second.size == size && it->second.mtime == mtime)
                return it->second.sha256;
        }
        std::string h = sha256_file(file);
        if (!ec) {
            std::lock_guard<std::mutex> lock(cache_mutex);
            hashes[file] = {size, mtime, h};
        }
        return h;
    }

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
        if (!cache.emplace(e->key, e).second) return;
        lru.push_front(e->key);
        cache_bytes += e->data.size() * sizeof(float);
        while (cache_bytes > kCacheBytes && lru.size() > 1) {
            auto it = cache.find(lru.back());
            cache_bytes -= it->second->data.size() * sizeof(float);
            cache.erase(it);
            lru.pop_back();
        }
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
    int64_t audio_tokens(int64_t samples) const {
        const int64_t p = audio->positions(samples);
        return audio_proj ? audio_proj->config.output_tokens(p) : p;
    }

    LayerProgress layer_progress(const EncodeOptions& o, float begin, float span) const {
        return [o, begin, span](int64_t done, int64_t total) {
            if (o.cancel && o.cancel->load()) return false;
            if (o.progress && total > 0) o.progress(begin + span * float(done) / float(total));
            return true;
        };
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
    const std::string family = config_model_family(read_text(cfg_path));
    return family == "llava" ? "llava" : family.empty() ? "llm" : "encoder";
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
            m.vision = VisionBranch::load(enc, nullptr, "", b.image->feature_layer, b.image->feature_select,
                                          m.dtype, m.device);
            m.image_proj =
                m.bundle_projector(path, b.image->projector, m.vision->net->config.hidden_size, "image");
        }
        if (b.audio) {
            const std::string enc = b.resolve(b.audio->encoder);
            if (!fs::is_directory(enc, ec))
                throw Error(ErrorCode::FileNotFound, enc, "the bundle's audio encoder folder is missing");
            m.audio = AudioBranch::load(enc, m.dtype, m.device);
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
                if (!m.video_proj->config.reads_frames() && m.video_proj->config.type != "perceiver")
                    throw Error(ErrorCode::BadConfig, b.resolve(b.video_temporal + ".json"),
                                "a video temporal module must be a qformer, dct or perceiver projector");
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
        cfg = parse_json_object(read_text(p / "config.json"), (p / "config.json").string(), "config");
    const std::string family = cfg.is_null() ? std::string() : config_model_family(cfg.dump());
    if (family == "clip") {
        m.kind = "encoder";
        m.dtype = options.dtype == "auto" ? torch::kFloat32 : parse_dtype(options.dtype);
        m.vision = VisionBranch::load(path, nullptr, "", -1, "full", m.dtype, m.device);
        m.build_specs();
        return mm;
    }
    if (family == "whisper") {
        m.kind = "encoder";
        m.dtype = options.dtype == "auto" ? torch::kFloat32 : parse_dtype(options.dtype);
        m.audio = AudioBranch::load(path, m.dtype, m.device);
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
        m.vision = VisionBranch::load(path, &extra, "vision_tower.vision_model.", layer,
                                      select == "full" ? "full" : "default", m.dtype, m.device);
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
        return m->audio_tokens(m->audio->stated_samples(file));
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
            cost += m->audio_tokens(m->audio->stated_samples(file));
    }
    return cost;
}

std::vector<std::shared_ptr<const MediaEmbedding>> MultimodalModel::encode(const std::string& modality,
                                                                           const std::string& file,
                                                                           const EncodeOptions& options) {
    require(modality, file);
    Impl& im = *m;
    const std::string hash = im.file_hash(file);
    using Clock = std::chrono::steady_clock;
    std::vector<std::shared_ptr<const MediaEmbedding>> out;
    c10::InferenceMode guard;

    if (modality == "image") {
        const std::string key = hash + "|image|" + im.vision->signature;
        if (auto hit = im.cached(key)) return {hit};
        const auto t0 = Clock::now();
        Image img = decode_image(file);
        auto feats = im.vision->features(im.vision->pixels(img), im.layer_progress(options, 0, 1));
        auto e = im.make_embedding("image", file, key, im.project(im.image_proj, feats), im.image_proj);
        e->encode_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        im.remember(e);
        return {e};
    }
    if (modality == "audio") {
        const std::string key = hash + "|audio|" + im.audio->signature;
        if (auto hit = im.cached(key)) return {hit};
        const auto t0 = Clock::now();
        Audio pcm = im.audio->decode_fitted(file);
        auto feats = im.audio->features(pcm, im.layer_progress(options, 0, 1));
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
                im.vision->pixels(frames[i].image),
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
                    im.video_proj->config.reads_frames()
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
            Audio pcm = im.audio->decode_fitted(file);
            auto feats = im.audio->features(pcm, im.layer_progress(options, 0, 1));
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
        auto px = im.vision->pixels(decode_image(file));
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
    auto mel = im.audio->mel(pcm);                                                      // [w, M, F]
    out.push_back(named("input_features", torch::cat(mel.unbind(0), 1).unsqueeze(0)));  // [1, M, F*w]
    torch::Tensor raw;
    auto feats = im.audio->features(pcm, {}, &raw);
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
    m->cache_bytes = 0;
}

}  // namespace atelier
