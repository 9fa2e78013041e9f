// Projectors map encoder features into the language model (torch-free description; the modules
// are in projectors/projector_modules.h). Saved as safetensors + this JSON.
//
// Token path (features become prompt embeddings):
//   linear        y = W x + b                                       ("linear_1.*")
//   mlp2x_gelu    LLaVA-1.5: linear_1 -> act -> linear_2            ("linear_1.*", "linear_2.*")
//   audio_stack   audio LLMs: `stack` consecutive frames concatenated, then mlp2x ("linear_1", "linear_2");
//                 tokens = ceil(frames / stack)
//   spectrum      image, translation-invariant: the magnitude of the 2-D DFT of each channel over
//                 the patch grid (a class token in front is left out), pooled to `grid` x `grid`
//                 frequencies, log(1 + .), flattened and layer-normed (`norm`); with the mean patch
//                 token (the colours) in front, ONE token by linear_1 -> act -> linear_2. What is in
//                 the picture, not where: a shape anywhere in the frame gives the same token, which
//                 small encoders trained from scratch learn from in a few hundred steps where
//                 per-patch tokens take thousands (docs/benchmarks.md)
//   perceiver     AnyMAL / Flamingo Perceiver Resampler: `num_latents` learned latents attend to
//                 [media; latents] in `depth` blocks (cross-attention + FFN), then `proj` -> LLM width;
//                 a fixed token count whatever the input length
//   qformer       Video-LLaMA video Q-Former: per-frame features + learned frame-position
//                 embeddings; `num_queries` learned queries attend to themselves and across all frames
//                 (depth blocks), then `proj`; a fixed token count per video
//   dct           video, space-time: each frame's tokens average-pooled to a `grid` x `grid` map, a
//                 DCT along time per cell and channel, and each of the `num_latents` lowest temporal
//                 frequencies (0 = the mean frame, 1 = the trend from first to last, ...) flattened
//                 into one token by linear_1 (+ `frequency_embedding`) -> act -> linear_2. Where
//                 something moves is a linear function of the frequency-1 map, so motion is learned
//                 from the first steps (the attention modules sit on a flat loss for hundreds of
//                 steps on the demo task; docs/benchmarks.md)
// Gated path (no prompt tokens):
//   bind          ImageBind-LLM bind network: proj_in, `depth` residual RMSNorm+SwiGLU blocks,
//                 norm_out; the result is added in every layer of the LLM through a zero-initialised
//                 tanh gate per layer (`gates`), via the attention hook
//
//   auto cfg = atelier::ProjectorConfig::from_json(text, "bundle/image_projector.json");
//   cfg.output_tokens(576);  // 576 for mlp2x_gelu, num_latents for perceiver...
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace atelier {

struct ProjectorConfig {
    std::string type =
        "mlp2x_gelu";  // linear | mlp2x_gelu | audio_stack | spectrum | perceiver | qformer | dct | bind
    int64_t in_features = 0;      // encoder width
    int64_t out_features = 0;     // LLM hidden size
    int64_t hidden_features = 0;  // mlp / bind width (0 = out_features for mlps, in_features for bind)
    std::string act = "gelu";     // activation of the MLPs
    int64_t stack = 4;            // audio_stack: frames per token
    int64_t num_latents = 64;     // perceiver latents / qformer queries / dct frequencies
    int64_t depth = 2;            // perceiver / qformer / bind blocks
    int64_t heads = 8;            // perceiver / qformer attention heads
    int64_t ff_mult = 4;          // perceiver / qformer / bind FFN width multiple
    int64_t max_frames = 32;      // qformer: frame-position embeddings
    int64_t grid = 4;             // dct: cells per side of the pooled frame map; spectrum: frequencies
    int64_t num_layers = 0;       // bind: LLM layers (one gate each)
    int64_t num_heads = 0;        // bind: LLM attention heads (the gated vector is [heads, head_dim])

    static ProjectorConfig from_json(const std::string& text, const std::string& where);
    std::string to_json() const;
    void validate(const std::string& where) const;

    bool gated() const { return type == "bind"; }
    // Reads a video as [B, frames, tokens, D] (the others read [B, tokens, D]).
    bool reads_frames() const { return type == "qformer" || type == "dct"; }
    // Tokens placed in the prompt for `input_tokens` encoder tokens (0 for the gated path).
    int64_t output_tokens(int64_t input_tokens) const;
    static std::vector<std::string> types();
};

}  // namespace atelier
