// Checkpoint importers: everything Atelier loads becomes one canonical form, the Hugging Face
// LLaMA layout (HF tensor names, Q/K rows in rotate-half RoPE order) plus a ModelConfig.
//
// Recognised inputs (detect_checkpoint_format):
//   hf      folder with config.json + model.safetensors or sharded *.safetensors (+ index.json),
//           or a .safetensors file with config.json beside it
//   meta    folder with params.json + consolidated.NN.pth (Meta's LLaMA releases and
//           LLaMA-Adapter's); several shards are merged along their model-parallel dimension
//   llama2c a llama2.c .bin checkpoint (legacy or v1 header), or a folder holding exactly one
//
//   atelier::Checkpoint ck = atelier::load_checkpoint("llama-2-7b/");   // throws atelier::Error
//   atelier::save_hf_folder(ck, "out/");  // config.json, model.safetensors, tokenizer files
#pragma once

#include "io/tensor_data.h"
#include "model/config.h"

#include <string>
#include <vector>

namespace atelier {

enum class CheckpointFormat { HuggingFace, Meta, Llama2c };
const char* checkpoint_format_name(CheckpointFormat f);  // "hf" | "meta" | "llama2c"

struct Checkpoint {
    CheckpointFormat format = CheckpointFormat::HuggingFace;
    std::string source;  // the path given
    ModelConfig config;
    TensorMap tensors;                   // HF names
    std::string tokenizer_path;          // tokenizer.json / tokenizer.model found beside it ("" if none)
    std::string tokenizer_config_path;   // tokenizer_config.json beside it ("" if none)
    std::string generation_config_path;  // generation_config.json beside it ("" if none)
    int64_t size_on_disk = 0;            // bytes of the weight files
    // Multimodal folders: "llava" for LlavaForConditionalGeneration, whose language model is
    // `tensors` (renamed from either HF spelling, language_model.model.* or model.language_model.*)
    // and whose other tensors are `extra_tensors` under the original spelling's names
    // (vision_tower.vision_model.*, multi_modal_projector.*).
    std::string multimodal;
    TensorMap extra_tensors;
};

// Throws ErrorCode::UnsupportedFormat with what was found when `path` is none of the above.
CheckpointFormat detect_checkpoint_format(const std::string& path);

// Loads and converts; `tokenizer_override` replaces the tokenizer found beside the weights.
// Checks every tensor the architecture needs is present with the right shape (MissingTensor,
// ShapeMismatch), so a model that loads here cannot fail later for want of a weight.
Checkpoint load_checkpoint(const std::string& path, const std::string& tokenizer_override = "");

// The HF names and shapes a config needs, in load order.
std::vector<std::pair<std::string, std::vector<int64_t>>> expected_tensors(const ModelConfig& config);

// Writes an HF folder: config.json, model.safetensors, generation_config.json, the tokenizer file
// and tokenizer_config.json (copied, or written from what is known).
void save_hf_folder(const Checkpoint& ck, const std::string& out_dir);

// Meta (interleaved) <-> HF (rotate-half) row order for a Q or K projection [n_heads*head_dim, in].
TensorData permute_rope_rows(const TensorData& w, int64_t n_heads, bool to_hf);

}  // namespace atelier
