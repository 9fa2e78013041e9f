// Encoders, projectors and the feature cache of multimodal training. Shapes: F frames, N encoder
// tokens, D widths, P audio positions.
#include "media_tower.h"

#include "common/error.h"
#include "common/process.h"
#include "common/sha256.h"
#include "encoders/encoder_modules.h"
#include "io/safetensors.h"
#include "model/config.h"
#include "multimodal/bundle.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace atelier {

namespace {

// Size and modification time of every weight file: a changed encoder never reuses old features.
std::string weights_fingerprint(const std::string& dir) {
    std::string out;
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".safetensors") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files)
        out += f.filename().string() + "=" + std::to_string(fs::file_size(f, ec)) + "@" +
               std::to_string(fs::last_write_time(f, ec).time_since_epoch().count()) + ";";
    return out;
}

int64_t heads_for(int64_t dim) {
    for (int64_t h : {8, 4, 2})
        if (dim % h == 0 && dim / h >= 8) return h;
    return 1;
}

void copy_parameters(torch::nn::Module& into, torch::nn::Module& from) {
    torch::NoGradGuard no_grad;
    auto src = from.named_parameters(true);
    for (auto& p : into.named_parameters(true)) p.value().copy_(src[p.key()]);
}

}  // namespace

std::string default_feature_cache_dir() {
    return (fs::path(default_cache_dir()) / "features").string();
}

// ---------------------------------------------------------------- feature cache

FeatureCache::FeatureCache(std::string dir) : m_dir(std::move(dir)) {}

std::string FeatureCache::path_of(const std::string& key) const {
    const std::string h = sha256_hex(key);
    return (fs::path(m_dir) / h.substr(0, 2) / (h + ".safetensors")).string();
}

std::map<std::string, torch::Tensor> FeatureCache::get(const std::string& key) {
    std::map<std::string, torch::Tensor> out;
    if (!enabled()) return out;
    const std::string path = path_of(key);
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        ++misses;
        return out;
    }
    try {
        auto file = SafetensorsFile::open(path);
        auto meta = file->metadata().find("key");
        if (meta == file->metadata().end() || meta->second != key)
            throw Error(ErrorCode::BadConfig, path, "key");
        for (const auto& [name, t] : file->tensors())
            out[name] = tensor_from_data(t, torch_dtype_of(t.dtype), torch::kCPU).clone();
        ++hits;
    } catch (const std::exception&) {  // damaged or foreign entry: recompute
        out.clear();
        ++misses;
    }
    return out;
}

void FeatureCache::put(const std::string& key, const std::map<std::string, torch::Tensor>& tensors) {
    if (!enabled()) return;
    const std::string path = path_of(key);
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    TensorMap map;
    for (const auto& [name, t0] : tensors) {
        auto t = t0.detach().to(torch::kCPU).contiguous();
        const DType d = t.scalar_type() == torch::kInt64 ? DType::I64 : DType::F32;
        if (d == DType::F32) t = t.to(torch::kFloat32);
        map[name] = make_owned_tensor(d, t.sizes().vec(), t.data_ptr(), t.numel() * t.element_size());
    }
    try {
        // Two trainers sharing the cache may write one entry at once: each writes its own file,
        // then renames it into place (the same bytes either way).
        const std::string mine = path + "." + std::to_string(current_pid()) + ".part";
        write_safetensors(mine, map, {{"key", key}});
        fs::rename(mine, path, ec);
        if (ec) fs::remove(mine, ec);
    } catch (const std::exception&) {
        // A full or read-only disk costs speed, not the run.
    }
}

// ---------------------------------------------------------------- tower

MediaTower::MediaTower(const MultimodalTrainConfig& cfg, const ModelConfig& llm,
                       const std::string& bundle_dir, uint64_t seed, torch::Device device)
    : m_cfg(cfg), m_device(device) {
    const bool train_enc = cfg.train_encoders;
    std::string image_enc = cfg.image_encoder, audio_enc = cfg.audio_encoder;
    int64_t layer = cfg.feature_layer;
    std::string select = cfg.feature_select;
    std::optional<BundleManifest> bundle;
    if (!bundle_dir.empty()) {
        bundle = BundleManifest::load(bundle_dir);
        image_enc = bundle->image ? bundle->resolve(bundle->image->encoder) : "";
        audio_enc = bundle->audio ? bundle->resolve(bundle->audio->encoder) : "";
        if (bundle->image) {
            layer = bundle->image->feature_layer;
            select = bundle->image->feature_select;
        }
        m_cfg.video_frames = bundle->video_frames;
        m_cfg.video_audio = bundle->video_audio;
    }
    if (image_enc.empty() && audio_enc.empty())
        throw Error(ErrorCode::BadConfig, "multimodal", "no image or audio encoder given");
    if (!image_enc.empty()) {
        m_vision = VisionBranch::load(image_enc, nullptr, "", layer, select, torch::kFloat32, device);
        m_vision->signature += ":" + weights_fingerprint(image_enc);
    }
    if (!audio_enc.empty()) {
        m_audio = AudioBranch::load(audio_enc, torch::kFloat32, device);
        m_audio->signature += ":" + weights_fingerprint(audio_enc);
    }
    for (auto* net : {m_vision ? static_cast<torch::nn::Module*>(m_vision->net.get()) : nullptr,
                      m_audio ? static_cast<torch::nn::Module*>(m_audio->net.get()) : nullptr})
        if (net)
            for (auto& p : net->parameters()) p.set_requires_grad(train_enc);

    auto fresh = [&](const std::string& type, int64_t in, uint64_t k) {
        ProjectorConfig c;
        c.type = type;
        c.in_features = in;
        c.out_features = llm.hidden_size;
        c.num_latents = m_cfg.projector_tokens;
        c.depth = m_cfg.projector_depth;
        c.heads = heads_for(in);
        c.stack = m_cfg.audio_stack;
        c.max_frames = std::max<int64_t>(32, m_cfg.video_frames);
        c.num_layers = llm.num_hidden_layers;
        c.num_heads = llm.num_attention_heads;
        c.validate("multimodal");
        Projector p(c);
        p->init_weights(seed * 7919 + k);
        p->to(device);
        return p;
    };
    auto from_bundle = [&](const std::string& name) {
        return load_projector(bundle_dir, name, torch::kFloat32, device);
    };
    if (bundle) {
        if (bundle->image && !bundle->image->projector.empty())
            m_image_proj = from_bundle(bundle->image->projector);
        if (bundle->audio && !bundle->audio->projector.empty())
            m_audio_proj = from_bundle(bundle->audio->projector);
        if (!bundle->video_temporal.empty()) m_video_proj = from_bundle(bundle->video_temporal);
        m_cfg.video_temporal = m_video_proj ? m_video_proj->config.type : "";
    } else {
        if (m_vision) {
            m_image_proj = fresh(cfg.image_projector, m_vision->net->config.hidden_size, 1);
            if (!cfg.video_temporal.empty())
                m_video_proj = fresh(cfg.video_temporal, m_vision->net->config.hidden_size, 3);
        }
        if (m_audio) m_audio_proj = fresh(cfg.audio_projector, m_audio->net->config.d_model, 2);
    }
    for (auto* p : {&m_image_proj, &m_audio_proj, &m_video_proj})
        if (*p)
            for (auto& t : (*p)->parameters()) t.set_requires_grad(true);

    m_cache = FeatureCache(cfg.feature_cache == "off"  ? ""
                           : cfg.feature_cache.empty() ? default_feature_cache_dir()
                                                       : cfg.feature_cache);
}

bool MediaTower::can_read(const std::string& modality) const {
    return modality == "audio" ? m_audio != nullptr : m_vision != nullptr;
}

std::vector<std::string> MediaTower::modalities() const {
    std::vector<std::string> out;
    if (m_vision) out.insert(out.end(), {"image", "video"});
    if (m_audio) out.push_back("audio");
    return out;
}

std::string MediaTower::file_hash(const std::string& path) {
    auto it = m_hashes.find(path);
    if (it != m_hashes.end()) return it->second;
    return m_hashes[path] = sha256_file(path);
}

bool MediaTower::video_track(const std::string& file) {
    if (!m_cfg.video_audio || !m_audio) return false;
    auto it = m_has_audio.find(file);
    if (it == m_has_audio.end()) it = m_has_audio.emplace(file, probe_media(file).has_audio).first;
    return it->second;
}

int64_t MediaTower::cost(const Attachment& a) {
    const std::string key = a.modality + "|" + a.path;
    auto it = m_costs.find(key);
    if (it != m_costs.end()) return it->second;
    auto tokens = [](const Projector& p, int64_t n) { return p ? p->config.output_tokens(n) : n; };
    int64_t n = 0;
    if (a.modality == "image") {
        probe_media(a.path);  // a file that is not an image is reported before training starts
        n = tokens(m_image_proj, m_vision->tokens());
    } else if (a.modality == "audio") {
        n = tokens(m_audio_proj, m_audio->positions(m_audio->stated_samples(a.path)));
    } else {
        const int64_t F = m_cfg.video_frames;
        n = m_video_proj ? m_video_proj->config.output_tokens(F * m_vision->tokens())
                         : F * tokens(m_image_proj, m_vision->tokens());
        if (m_image_proj && m_image_proj->config.gated() && !m_video_proj) n = 0;
        if (video_track(a.path))
            n += tokens(m_audio_proj, m_audio->positions(m_audio->stated_samples(a.path)));
    }
    return m_costs[key] = n;
}

torch::Tensor MediaTower::image_features(const std::string& file) {
    const std::string hash = file_hash(file);
    if (!m_cfg.train_encoders) {
        const std::string key = hash + "|image|" + m_vision->signature;
        auto hit = m_cache.get(key);
        if (hit.count("features")) return hit["features"].to(m_device);
        torch::NoGradGuard no_grad;
        auto f =
            m_vision->features(m_vision->pixels(decode_image(file)), {}).to(torch::kCPU, torch::kFloat32);
        m_cache.put(key, {{"features", f}});
        return f.to(m_device);
    }
    const std::string key = hash + "|pixels|" + m_vision->proc.config().to_json();
    auto hit = m_cache.get(key);
    torch::Tensor px;
    if (hit.count("pixels")) {
        px = hit["pixels"].to(m_device);
    } else {
        px = m_vision->pixels(decode_image(file));
        m_cache.put(key, {{"pixels", px}});
    }
    return m_vision->features(px, {});
}

torch::Tensor MediaTower::video_features(const std::string& file) {
    const std::string hash = file_hash(file);
    const int n = static_cast<int>(m_cfg.video_frames);
    auto pixels = [&] {
        std::vector<torch::Tensor> px;
        for (auto& f : sample_video_frames(file, n)) px.push_back(m_vision->pixels(f.image));
        return torch::cat(px, 0);  // [F, 3, H, W]
    };
    if (!m_cfg.train_encoders) {
        const std::string key = hash + "|video|" + std::to_string(n) + "|" + m_vision->signature;
        auto hit = m_cache.get(key);
        if (hit.count("features")) return hit["features"].to(m_device);
        torch::NoGradGuard no_grad;
        std::vector<torch::Tensor> per;
        auto px = pixels();
        for (int64_t i = 0; i < px.size(0); ++i) per.push_back(m_vision->features(px.narrow(0, i, 1), {}));
        auto f = torch::stack(per, 1).to(torch::kCPU, torch::kFloat32);  // [1, F, N, D]
        m_cache.put(key, {{"features", f}});
        return f.to(m_device);
    }
    const std::string key = hash + "|frames|" + std::to_string(n) + "|" + m_vision->proc.config().to_json();
    auto hit = m_cache.get(key);
    torch::Tensor px;
    if (hit.count("pixels")) {
        px = hit["pixels"].to(m_device);
    } else {
        px = pixels();
        m_cache.put(key, {{"pixels", px}});
    }
    return m_vision->features(px, {}).unsqueeze(0);  // [1, F, N, D]
}

// A video's audio track is cached like an audio file: same bytes, same key.
torch::Tensor MediaTower::audio_features(const std::string& file) {
    const std::string hash = file_hash(file);
    if (!m_cfg.train_encoders) {
        const std::string key = hash + "|audio|" + m_audio->signature;
        auto hit = m_cache.get(key);
        if (hit.count("features")) return hit["features"].to(m_device);
        torch::NoGradGuard no_grad;
        auto f = m_audio->features(m_audio->decode_fitted(file), {}).to(torch::kCPU, torch::kFloat32);
        m_cache.put(key, {{"features", f}});
        return f.to(m_device);
    }
    const std::string key = hash + "|mel|" + m_audio->fe.config().to_json();
    auto hit = m_cache.get(key);
    torch::Tensor mel, samples;
    if (hit.count("mel") && hit.count("samples")) {
        mel = hit["mel"].to(m_device);
        samples = hit["samples"];
    } else {
        Audio pcm = m_audio->decode_fitted(file);
        mel = m_audio->mel(pcm);
        samples = torch::tensor({static_cast<int64_t>(pcm.samples.size())}, torch::kInt64);
        m_cache.put(key, {{"mel", mel}, {"samples", samples}});
    }
    const auto kept = m_audio->keep(samples.item<int64_t>());
    auto out = m_audio->net->forward(mel, {});  // [w, N, D]
    std::vector<torch::Tensor> parts;
    for (int64_t w = 0; w < out.size(0); ++w)
        parts.push_back(out.narrow(0, w, 1).narrow(1, 0, kept.at(static_cast<size_t>(w))));
    return torch::cat(parts, 1);  // [1, P, D]
}

MediaPart MediaTower::project(Projector proj, const torch::Tensor& feats) {
    MediaPart part;
    if (!proj) {
        part.tokens = feats;
    } else if (proj->config.gated()) {
        part.vec = proj->forward(feats.dim() == 4 ? feats.flatten(1, 2).mean(1) : feats.mean(1));  // [1, D]
        part.gates = proj->gates;
    } else {
        part.tokens = proj->forward(feats);
    }
    return part;
}

std::vector<MediaPart> MediaTower::embed(const Attachment& a) {
    if (!can_read(a.modality))
        throw Error(ErrorCode::MissingModality, a.path,
                    "the model being trained has no " +
                        std::string(a.modality == "audio" ? "audio" : "image") + " encoder");
    if (a.modality == "image") return {project(m_image_proj, image_features(a.path))};
    if (a.modality == "audio") return {project(m_audio_proj, audio_features(a.path))};
    std::vector<MediaPart> out;
    auto vf = video_features(a.path);  // [1, F, N, D]
    if (m_video_proj) {
        MediaPart p;
        p.tokens = m_video_proj->config.reads_frames() ? m_video_proj->forward(vf)
                                                       : m_video_proj->forward(vf.flatten(1, 2));
        out.push_back(p);
    } else if (m_image_proj && m_image_proj->config.gated()) {
        out.push_back(project(m_image_proj, vf));
    } else {
        std::vector<torch::Tensor> tokens;
        for (int64_t f = 0; f < vf.size(1); ++f)
            tokens.push_back(project(m_image_proj, vf.select(1, f)).tokens);
        MediaPart p;
        p.tokens = torch::cat(tokens, 1);
        out.push_back(p);
    }
    if (video_track(a.path)) out.push_back(project(m_audio_proj, audio_features(a.path)));
    return out;
}

std::vector<std::pair<std::string, torch::Tensor>> MediaTower::parameters(const std::string& group,
                                                                          bool all) {
    std::vector<std::pair<std::string, torch::Tensor>> out;
    auto add = [&](const std::string& prefix, torch::nn::Module* m) {
        if (!m) return;
        for (auto& p : m->named_parameters(true)) out.emplace_back(prefix + p.key(), p.value());
    };
    if (group == "projector") {
        add("image_projector.", m_image_proj ? m_image_proj.get() : nullptr);
        add("audio_projector.", m_audio_proj ? m_audio_proj.get() : nullptr);
        add("video_projector.", m_video_proj ? m_video_proj.get() : nullptr);
    } else if (group == "encoder" && (m_cfg.train_encoders || all)) {
        add("image_encoder.", m_vision ? m_vision->net.get() : nullptr);
        add("audio_encoder.", m_audio ? m_audio->net.get() : nullptr);
    }
    return out;
}

void MediaTower::set_training(bool training) {
    for (auto* p : {&m_image_proj, &m_audio_proj, &m_video_proj})
        if (*p) (*p)->train(training);
    if (m_cfg.train_encoders) {
        if (m_vision) m_vision->net->train(training);
        if (m_audio) m_audio->net->train(training);
    }
}

MediaTower::Saved MediaTower::save(const std::string& dir, bool encoders_into_dir) {
    Saved s;
    if (m_image_proj) {
        save_projector(*m_image_proj, dir, "image_projector");
        s.image_projector = "image_projector";
    }
    if (m_audio_proj) {
        save_projector(*m_audio_proj, dir, "audio_projector");
        s.audio_projector = "audio_projector";
    }
    if (m_video_proj) {
        save_projector(*m_video_proj, dir, "video_projector");
        s.video_temporal = "video_projector";
    }
    const bool into = encoders_into_dir && m_cfg.train_encoders;
    if (m_vision) {
        s.image_encoder = into ? (fs::path(dir) / "image_encoder").string() : m_vision->path;
        if (into) save_clip_encoder(*m_vision->net, m_vision->proc.config(), s.image_encoder);
    }
    if (m_audio) {
        s.audio_encoder = into ? (fs::path(dir) / "audio_encoder").string() : m_audio->path;
        if (into) save_whisper_encoder(*m_audio->net, m_audio->fe.config(), s.audio_encoder);
    }
    return s;
}

void MediaTower::load_state(const std::string& dir) {
    const std::pair<Projector*, const char*> projs[] = {{&m_image_proj, "image_projector"},
                                                        {&m_audio_proj, "audio_projector"},
                                                        {&m_video_proj, "video_projector"}};
    for (const auto& [p, name] : projs) {
        if (!*p) continue;
        Projector saved = load_projector(dir, name, torch::kFloat32, m_device);
        copy_parameters(**p, *saved);
    }
    if (!m_cfg.train_encoders) return;
    auto load_into = [&](torch::nn::Module& net, const fs::path& d, const std::string& prefix) {
        TensorMap t = load_safetensors_dir(d.string());
        load_weights(net, t, prefix, torch::kFloat32, m_device, d.string());
        for (auto& p : net.parameters()) p.set_requires_grad(true);
    };
    if (m_vision) load_into(*m_vision->net, fs::path(dir) / "image_encoder", "vision_model.");
    if (m_audio) load_into(*m_audio->net, fs::path(dir) / "audio_encoder", "encoder.");
}

}  // namespace atelier
