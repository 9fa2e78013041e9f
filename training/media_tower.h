// The media side of multimodal training: encoders (frozen or trained), projectors, and the
// on-disk feature cache that lets later epochs and later runs skip decoding and encoding.
// Training code only (LibTorch).
//
// Cache entries are keyed by the file's SHA-256 + what was computed from it:
//   frozen encoder:  the encoder's features (file hash + encoder + layer/selection + preprocessing)
//   trained encoder: the preprocessed input (file hash + preprocessing: pixels, sampled frames, log-mel)
// so an entry is valid exactly as long as the file and the computation are the same. Entries are
// safetensors files under the cache folder, written atomically; a damaged entry is recomputed.
//
// Embeddings follow multimodal/multimodal_model.cpp exactly (image: selected features ->
// projector; audio: trimmed encoder positions -> projector; video: sampled frames -> temporal
// module, then the audio track through the audio branch), so a trained bundle is asked the way it
// was trained.
//
//   MediaTower tower(cfg.multimodal, llm_config, bundle_dir_or_empty, seed);
//   auto parts = tower.embed({"image", "cat.png"});   // [1, T, D] token embeddings (or [1, D] gated)
#pragma once

#include "multimodal/media_branches.h"
#include "projectors/projector_modules.h"
#include "session/prompt_layout.h"
#include "train_config.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace atelier {

struct ModelConfig;

class FeatureCache {
public:
    explicit FeatureCache(std::string dir = "");  // "" = off
    bool enabled() const { return !m_dir.empty(); }
    // The tensors stored under `key`, or an empty map (a miss).
    std::map<std::string, torch::Tensor> get(const std::string& key);
    void put(const std::string& key, const std::map<std::string, torch::Tensor>& tensors);
    int64_t hits = 0, misses = 0;
    double hit_rate() const { return hits + misses ? double(hits) / double(hits + misses) : 0.0; }
    const std::string& dir() const { return m_dir; }

private:
    std::string path_of(const std::string& key) const;
    std::string m_dir;
};

// $XDG_CACHE_HOME/Atelier/features (~/.cache/...).
std::string default_feature_cache_dir();

// One attachment's contribution: token embeddings [1, T, D] or, for the gated path, a vector [1, D]
// with the gates [layers] it goes through.
struct MediaPart {
    torch::Tensor tokens;  // [1, T, D] (token path)
    torch::Tensor vec;     // [1, D]    (gated path)
    torch::Tensor gates;   // [layers]  (gated path)
    bool gated() const { return vec.defined(); }
};

class MediaTower {
public:
    // Encoders from the config (or the bundle `bundle_dir` when training continues one), projectors
    // fresh (seeded) or from the bundle. Throws atelier::Error for missing/invalid encoders.
    MediaTower(const MultimodalTrainConfig& cfg, const ModelConfig& llm, const std::string& bundle_dir,
               uint64_t seed, torch::Device device);

    bool can_read(const std::string& modality) const;
    // Prompt positions the attachment takes (token path; 0 when gated).
    int64_t cost(const Attachment& a);
    // With gradients wherever parameters train.
    std::vector<MediaPart> embed(const Attachment& a);

    // Trainable parameters by group: "projector", "encoder" (`all`: the encoders' even when frozen).
    std::vector<std::pair<std::string, torch::Tensor>> parameters(const std::string& group, bool all = false);
    void set_training(bool training);

    // Saves projectors (and trained encoders) into `dir` and fills the bundle manifest's branches.
    struct Saved {
        std::string image_encoder, audio_encoder;  // folders (as loaded, or saved in dir)
        std::string image_projector, audio_projector, video_temporal;
    };
    Saved save(const std::string& dir, bool encoders_into_dir);
    // Loads projector (and trained encoder) weights saved by save() from a checkpoint folder.
    void load_state(const std::string& dir);

    FeatureCache& cache() { return m_cache; }
    std::vector<std::string> modalities() const;
    const MultimodalTrainConfig& config() const { return m_cfg; }

private:
    std::string file_hash(const std::string& path);
    torch::Tensor image_features(const std::string& file);  // [1, N, D]
    torch::Tensor video_features(const std::string& file);  // [1, F, N, D]
    torch::Tensor audio_features(const std::string& file);  // [1, P, D]
    bool video_track(const std::string& file);  // a video whose audio track the model reads (memoised)
    MediaPart project(Projector proj, const torch::Tensor& feats);

    MultimodalTrainConfig m_cfg;
    torch::Device m_device;
    std::unique_ptr<VisionBranch> m_vision;
    std::unique_ptr<AudioBranch> m_audio;
    Projector m_image_proj{nullptr}, m_audio_proj{nullptr}, m_video_proj{nullptr};
    FeatureCache m_cache;
    std::map<std::string, std::string> m_hashes;
    std::map<std::string, int64_t> m_costs;
    std::map<std::string, bool> m_has_audio;
};

}  // namespace atelier
