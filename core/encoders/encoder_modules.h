// The LibTorch modules of the media encoders: CLIP's vision transformer and Whisper's audio
// encoder. Engine code only (pulls in <torch/torch.h>); Qt code uses multimodal/multimodal_model.h.
//
// Module names equal Hugging Face checkpoint keys below the model's prefix ("vision_model." in
// CLIPVisionModel/CLIPModel, "vision_tower.vision_model." in LLaVA, "model.encoder." in Whisper),
// so named_parameters() is the tensor-name table and loading is a lookup.
//
//   ClipVisionTransformer vit(cfg);   load_weights(*vit, tensors, "vision_model.", ...);
//   auto out = vit->forward(pixel_values /*[B,3,H,W]*/, /*stop_after=*/cfg.num_hidden_layers - 1);
//   out.hidden_states.back();  // [B, 1 + patches, D]
#pragma once

#include "encoders/encoder_config.h"
#include "features/audio_features.h"
#include "features/image_processor.h"
#include "io/tensor_data.h"
#include "model/torch_util.h"

#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

namespace atelier {

// Activation by its Hugging Face name (quick_gelu, gelu, gelu_new/gelu_pytorch_tanh, relu, silu).
torch::Tensor activation(const std::string& name, const torch::Tensor& x);

// act(l(x)) · scale (act "" for none). Inference on the CPU in f32 or bf16: one GEMM, then bias,
// quick GELU and scale in one pass over the output (model/row_kernels.h; other activations after
// it, as LibTorch computes them); otherwise, and in training, LibTorch's linear and activation.
torch::Tensor linear_act(torch::nn::Linear& l, const torch::Tensor& x, const std::string& act, double scale);

// Called between layers with (layers done, layers to run); return false to cancel
// (ErrorCode::Cancelled is thrown).
using LayerProgress = std::function<bool(int64_t, int64_t)>;

// ---------------------------------------------------------------- CLIP vision

struct ClipAttentionImpl : torch::nn::Module {
    ClipAttentionImpl(int64_t dim, int64_t heads);
    torch::Tensor forward(const torch::Tensor& x);  // [B, N, D] -> [B, N, D], no mask
    torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};
    int64_t heads, head_dim;
};
TORCH_MODULE(ClipAttention);

struct ClipMlpImpl : torch::nn::Module {
    ClipMlpImpl(int64_t dim, int64_t hidden, std::string act);
    torch::Tensor forward(const torch::Tensor& x) {
        return linear_act(fc2, linear_act(fc1, x, act, 1.0), "", 1.0);
    }
    torch::nn::Linear fc1{nullptr}, fc2{nullptr};
    std::string act;
};
TORCH_MODULE(ClipMlp);

struct ClipEncoderLayerImpl : torch::nn::Module {
    explicit ClipEncoderLayerImpl(const ClipVisionConfig& c);
    torch::Tensor forward(const torch::Tensor& x);
    ClipAttention self_attn{nullptr};
    torch::nn::LayerNorm layer_norm1{nullptr}, layer_norm2{nullptr};
    ClipMlp mlp{nullptr};
};
TORCH_MODULE(ClipEncoderLayer);

struct ClipEncoderImpl : torch::nn::Module {
    explicit ClipEncoderImpl(const ClipVisionConfig& c);
    torch::nn::ModuleList layers;
};
TORCH_MODULE(ClipEncoder);

struct ClipEmbeddingsImpl : torch::nn::Module {
    explicit ClipEmbeddingsImpl(const ClipVisionConfig& c);
    torch::Tensor forward(const torch::Tensor& pixel_values);  // [B,3,H,W] -> [B, 1+P, D]
    torch::Tensor class_embedding;                             // [D]
    torch::nn::Conv2d patch_embedding{nullptr};                // no bias
    torch::nn::Embedding position_embedding{nullptr};          // [1+P, D]
};
TORCH_MODULE(ClipEmbeddings);

struct ClipVisionOutput {
    // hidden_states[0] = embeddings after pre_layrnorm, [i] = after layer i (up to the stop layer).
    std::vector<torch::Tensor> hidden_states;
    torch::Tensor last_hidden_state;  // output of the last layer run (no post_layernorm)
};

// "vision_model.*": CLIPVisionTransformer.
struct ClipVisionTransformerImpl : torch::nn::Module {
    explicit ClipVisionTransformerImpl(const ClipVisionConfig& c);
    // Runs layers 0..layers_to_run-1 (all when <= 0 or more than there are).
    ClipVisionOutput forward(const torch::Tensor& pixel_values, int64_t layers_to_run = 0,
                             const LayerProgress& progress = {});
    torch::Tensor pooled(const torch::Tensor& last_hidden_state);  // post_layernorm of the class token
    ClipVisionConfig config;
    ClipEmbeddings embeddings{nullptr};
    torch::nn::LayerNorm pre_layrnorm{nullptr};  // sic: the checkpoint key
    ClipEncoder encoder{nullptr};
    torch::nn::LayerNorm post_layernorm{nullptr};
};
TORCH_MODULE(ClipVisionTransformer);

// ---------------------------------------------------------------- Whisper encoder

struct WhisperAttentionImpl : torch::nn::Module {
    WhisperAttentionImpl(int64_t dim, int64_t heads);
    torch::Tensor forward(const torch::Tensor& x);
    torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};  // k: no bias
    int64_t heads, head_dim;
};
TORCH_MODULE(WhisperAttention);

struct WhisperEncoderLayerImpl : torch::nn::Module {
    explicit WhisperEncoderLayerImpl(const WhisperEncoderConfig& c);
    torch::Tensor forward(const torch::Tensor& x);
    WhisperAttention self_attn{nullptr};
    torch::nn::LayerNorm self_attn_layer_norm{nullptr}, final_layer_norm{nullptr};
    torch::nn::Linear fc1{nullptr}, fc2{nullptr};
    std::string act;
};
TORCH_MODULE(WhisperEncoderLayer);

// "model.encoder.*": WhisperEncoder.
struct WhisperEncoderImpl : torch::nn::Module {
    explicit WhisperEncoderImpl(const WhisperEncoderConfig& c);
    // input_features [B, n_mels, 2 * max_source_positions] -> [B, max_source_positions, d_model]
    torch::Tensor forward(const torch::Tensor& input_features, const LayerProgress& progress = {});
    WhisperEncoderConfig config;
    torch::nn::Conv1d conv1{nullptr}, conv2{nullptr};
    torch::nn::Embedding embed_positions{nullptr};
    torch::nn::ModuleList layers;
    torch::nn::LayerNorm layer_norm{nullptr};
};
TORCH_MODULE(WhisperEncoder);

}  // namespace atelier

namespace atelier {

// Writes a (trained) encoder as a Hugging Face folder (encoders/encoder_folder.h): config.json,
// preprocessor_config.json and model.safetensors (F32), each file atomically.
void save_clip_encoder(ClipVisionTransformerImpl& net, const ImageProcessorConfig& processor,
                       const std::string& dir);
void save_whisper_encoder(WhisperEncoderImpl& net, const WhisperFeatureConfig& features,
                          const std::string& dir);
// Fresh weights (see create_clip_encoder).
void init_encoder_weights(torch::nn::Module& net, uint64_t seed);

}  // namespace atelier
