// A language model with the media branches it can read: the engine's multimodal facade.
//
// Loads, from one path:
//   - a plain LLM folder/file (text only: every media kind is refused with MissingModality);
//   - a LLaVA-1.5 folder (LlavaForConditionalGeneration: CLIP vision tower -> mlp2x_gelu projector
//     -> Llama), either HF key spelling, as downloaded (e.g. llava-hf/llava-1.5-7b-hf);
//   - an Atelier multimodal bundle (a folder with atelier-bundle.json, see multimodal/bundle.h);
//   - an encoder folder alone (CLIPVisionModel / CLIPModel, Whisper): encode() and
//     encode_details() work, there is no language model.
// Encoding runs on the caller's thread, is cancellable between layers, and is cached by content
// (SHA-256 of the file + encoder + preprocessing): asking about the same file again costs nothing.
// This header is torch-free.
//
//   auto mm = atelier::MultimodalModel::load("llava-1.5-7b-hf", {});
//   int64_t cost = mm->token_cost("image", "cat.png");           // 576, before encoding
//   auto embeds = mm->encode("image", "cat.png");                 // [576 x 4096] prompt embeddings
//   atelier::Generator gen(mm->llm(), mm->tokenizer());
#pragma once

#include "generate/prompt.h"
#include "model/llama.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace atelier {

class Tokenizer;

// What the model does with one kind of media.
struct ModalitySpec {
    std::string modality;          // "image" | "audio" | "video"
    std::string encoder;           // e.g. "CLIP ViT 24 layers, width 1024, 336 px / patch 14"
    std::string encoder_path;      // folder it was loaded from
    std::string projector;         // projector type ("mlp2x_gelu", "qformer", ... "" for none)
    std::string fusion;            // "tokens" | "gated"
    int64_t tokens_per_item = 0;   // image: per image; video: per video at `frames`
    double tokens_per_second = 0;  // audio (and a video's audio track)
    int frames = 0;                // video: frames sampled by default
    bool video_audio = false;      // video: its audio track goes through the audio branch
};

struct EncodeOptions {
    int frames = 0;  // video frames; 0 = the model's default (8)
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(float)> progress;  // fraction of this item's encoding done
};

// A named float32 array, for `atelier-cli encode` and tests.
struct NamedArray {
    std::string name;
    std::vector<int64_t> shape;
    std::vector<float> data;
};

struct EncodeCacheStats {
    int64_t hits = 0, misses = 0, entries = 0;
};

class MultimodalModel {
public:
    // Throws atelier::Error: the LLM's loading errors, plus for bundles/LLaVA a missing encoder
    // (FileNotFound), a projector whose width does not match its encoder or the LLM
    // (ShapeMismatch), an unknown projector type (BadConfig).
    // `with_language_model` false: the encoders and projectors only (info, encode), no LLM
    // weights converted and no KV cache allocated; has_llm() is then false.
    static std::unique_ptr<MultimodalModel> load(const std::string& path, const LoadOptions& options = {},
                                                 bool with_language_model = true);
    // What load() would make of `path`, from its manifest/config alone: "bundle", "llava",
    // "encoder" or "llm" (anything else, left to the LLM loader to judge).
    static std::string detect_kind(const std::string& path);
    // The language model's path: the bundle's language_model, else `path` ("" for an encoder).
    static std::string language_model_path(const std::string& path);
    ~MultimodalModel();

    const std::string& kind() const;  // "llm" | "llava" | "bundle" | "encoder"
    const std::string& source() const;
    bool has_llm() const;
    LlamaModel& llm();       // throws InvalidArgument for an encoder-only folder
    Tokenizer& tokenizer();  // idem
    // A bundle's own adapter (attached at load; "" for none): what "no adapter" means for it.
    const std::string& default_adapter() const;
    // The bundle's chat template name ("" when the LLM's tokenizer_config decides).
    const std::string& chat_template() const;
    // The model's own media placeholder token where it has one (LLaVA's <image>), else -1.
    int image_token_id() const;

    const std::vector<ModalitySpec>& modalities() const;
    const ModalitySpec* modality(const std::string& name) const;  // nullptr when unsupported
    // Throws MissingModality naming what the model lacks.
    void require(const std::string& modality, const std::string& file) const;

    // Prompt positions `file` will take, known before encoding (audio/video: from the duration
    // the container reports). Throws like encode() for a bad file or a missing modality.
    int64_t token_cost(const std::string& modality, const std::string& file, int frames = 0) const;

    // The prompt embeddings of a media file: one for an image or audio file; for a video its
    // frames (through the image branch and temporal module), then its audio track when the model
    // hears and the video has one. Cached by content.
    std::vector<std::shared_ptr<const MediaEmbedding>> encode(const std::string& modality,
                                                              const std::string& file,
                                                              const EncodeOptions& options = {});

    // Every intermediate of encoding one image or audio file (no cache): image: pixel_values
    // [1,3,H,W], hidden_states [layers+1,1,N,D], last_hidden_state [1,N,D] (no post-layernorm),
    // pooler_output [1,D] (post-layernorm of the class token),
    // image_features [1,T,Dout] when there is a projector. audio: input_features [1,bins,3000*w],
    // last_hidden_state [w,1500,D], audio_features [1,T,Dout] when there is a projector.
    std::vector<NamedArray> encode_details(const std::string& modality, const std::string& file);

    EncodeCacheStats cache_stats() const;
    void clear_cache();

private:
    MultimodalModel();
    struct Impl;
    std::unique_ptr<Impl> m;
};

}  // namespace atelier
