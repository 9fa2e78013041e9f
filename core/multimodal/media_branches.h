// The media branches of a multimodal model: an encoder with its front end, from a folder (or a
// LLaVA checkpoint's tensors) to features. Engine code only (LibTorch); used by
// multimodal/multimodal_model.cpp, which adds the projectors, costs and the cache.
//
//   auto vision = VisionBranch::load("clip-vit-large-patch14-336", nullptr, "", -2, "default", kFloat, cpu);
//   auto feats = vision->features(vision->pixels(decode_image("cat.png")), {});   // [1, 576, 1024]
//   auto audio = AudioBranch::load("whisper-base", kFloat, cpu);
//   auto enc = audio->features(audio->decode_fitted("talk.mp3"), {});              // [1, positions, 512]
#pragma once

#include "encoders/encoder_modules.h"
#include "features/audio_features.h"
#include "features/image_processor.h"
#include "io/tensor_data.h"
#include "media/media.h"

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace atelier {

// CLIP vision tower + its image processor + the layer and tokens the model reads.
struct VisionBranch {
    ClipVisionTransformer net{nullptr};
    ImageProcessor proc;
    int64_t feature_layer = -1;   // index into hidden_states, negative from the end
    std::string select = "full";  // default (drop the class token) | full | cls
    std::string path;             // where it was loaded from
    std::string signature;        // encoder + preprocessing, for cache keys
    torch::Device device{torch::kCPU};

    // From `dir` (config.json, preprocessor_config.json); weights from `tensors` under `prefix`, or
    // from dir's safetensors under "vision_model." when `tensors` is null.
    static std::unique_ptr<VisionBranch> load(const std::string& dir, const TensorMap* tensors,
                                              const std::string& prefix, int64_t feature_layer,
                                              const std::string& select, torch::Dtype dtype,
                                              torch::Device device);

    int64_t layer_index() const;  // hidden_states entry read
    int64_t tokens() const;       // features per image
    std::string describe() const;
    torch::Tensor pixels(const Image& img) const;  // [1, 3, H, W] preprocessed
    // Selected features [1, tokens, D]; runs only the layers needed.
    torch::Tensor features(const torch::Tensor& pixels, const LayerProgress& progress);
};

// Whisper encoder + its log-mel front end.
struct AudioBranch {
    WhisperEncoder net{nullptr};
    WhisperFeatureExtractor fe;
    std::string path;
    std::string signature;
    torch::Device device{torch::kCPU};

    static std::unique_ptr<AudioBranch> load(const std::string& dir, torch::Dtype dtype,
                                             torch::Device device);

    double positions_per_second() const;
    std::string describe() const;
    // Encoder positions kept per 30 s window for `samples` of audio: ceil(in-window share x
    // positions), so the padding past the end of the audio never reaches the model. Counted from
    // samples, so the cost known before decoding equals what encoding keeps.
    std::vector<int64_t> keep(int64_t samples) const;
    int64_t positions(int64_t samples) const;
    // The audio's length in samples as the container states it (what a cost is counted from before
    // decoding); decode_fitted() fits the decoded samples to it (codec priming and padding
    // trimmed). Without a stated duration, the decoded length.
    int64_t stated_samples(const std::string& file) const;
    Audio decode_fitted(const std::string& file) const;
    torch::Tensor mel(const Audio& pcm) const;  // [windows, n_mels, frames]
    // Encoder output of every window, trimmed to the audio's length: [1, positions, D]; `raw`
    // receives the untrimmed [windows, N, D].
    torch::Tensor features(const Audio& pcm, const LayerProgress& progress, torch::Tensor* raw = nullptr);
};

}  // namespace atelier
