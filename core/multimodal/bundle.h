// An Atelier multimodal bundle: a folder whose atelier-bundle.json names a language model, an
// encoder and projector per modality, the fusion path, the chat template and an optional adapter.
// Paths are relative to the bundle folder (absolute paths are accepted). Training writes these;
// `atelier-cli generate --model BUNDLE` and the studio load them (multimodal/multimodal_model.h).
//
//   {
//     "format": "atelier-bundle", "version": 1,
//     "language_model": "../TinyLlama-1.1B-Chat",         // HF / Meta / llama2.c model
//     "adapter": "adapter",                               // optional (LoRA / LLaMA-Adapter)
//     "chat_template": "vicuna",                          // optional
//     "fusion": "tokens",                                 // "tokens" | "gated" (ImageBind-LLM)
//     "image": {"encoder": "../clip-vit-large-patch14-336", "feature_layer": -2,
//               "feature_select": "default", "projector": "image_projector"},
//     "audio": {"encoder": "../whisper-base", "projector": "audio_projector"},
//     "video": {"frames": 8, "temporal": "video_projector", "audio": true, "timestamps": false}
//   }
// A projector "NAME" is NAME.json + NAME.safetensors in the bundle folder (projectors/projector_modules.h).
#pragma once

#include <optional>
#include <string>

namespace atelier {

struct BundleBranch {
    std::string encoder;                     // encoder folder (CLIP vision / Whisper)
    int64_t feature_layer = -1;              // image: hidden_states index (negative from the end)
    std::string feature_select = "default";  // image: "default" drops the class token, "full" keeps it, "cls"
    std::string projector;                   // projector name in the bundle folder
};

struct BundleManifest {
    std::string dir;  // the bundle folder (set by load)
    std::string language_model;
    std::string adapter;
    std::string chat_template;
    std::string fusion = "tokens";
    std::optional<BundleBranch> image, audio;
    bool video = false;
    int video_frames = 8;
    std::string video_temporal;     // projector name of the temporal module ("" = frames as image tokens)
    bool video_audio = true;        // a video's audio track goes through the audio branch
    bool video_timestamps = false;  // each frame's time as text before its tokens (no temporal module)

    static constexpr const char* kFileName = "atelier-bundle.json";
    static bool is_bundle(const std::string& path);
    // Throws FileNotFound / BadJson / BadConfig naming the manifest and the field.
    static BundleManifest load(const std::string& dir);
    void save(const std::string& dir) const;                 // atomic write of dir/atelier-bundle.json
    std::string resolve(const std::string& relative) const;  // dir / relative (absolute kept)
};

}  // namespace atelier
