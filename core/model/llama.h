// The LLaMA-family language model (Llama 1/2/3, Mistral, Qwen2) with a preallocated KV cache.
//
// This header is torch-free so Qt code and the CLI can include it; the LibTorch module behind it
// lives in model/llama_module.h (engine and training code only).
//
//   atelier::LoadOptions opt;  opt.dtype = "bf16";
//   auto model = atelier::LlamaModel::load("stories260K/hf", opt);   // throws atelier::Error
//   model->reset();
//   std::vector<float> logits = model->decode({1, 403, 407});  // prefill: logits of the last token
//   logits = model->decode({261});                             // one step, reusing the cache
#pragma once

#include "model/config.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace atelier {

struct Checkpoint;
struct LlamaForCausalLMImpl;

// Sets LibTorch's intra-op threads (0 = all cores; Debian's LibTorch starts with one) and returns
// the count in effect. Call it again to change the count (the studio's Settings page does).
int init_engine_threads(int threads = 0);
// Calls init_engine_threads() unless it has been called already (model loading does this).
void ensure_engine_threads();

// True when this CPU has native bf16 matrix instructions (AVX512-BF16/AMX); bf16 is then ~2x fp32.
bool cpu_has_fast_bf16();
bool cuda_available();
int cuda_device_count();  // 0 without CUDA
bool mps_available();     // Apple's Metal GPU, with the macOS LibTorch on Apple Silicon

struct LoadOptions {
    std::string device = "cpu";  // "cpu" | "cuda" | "cuda:N" | "mps"
    std::string dtype =
        "auto";  // "auto" | "f32" | "bf16" | "f16"; auto = checkpoint dtype the device runs fast
    int64_t context_length = 0;  // KV cache positions; 0 = min(max_position_embeddings, 4096)
    std::string tokenizer;       // optional tokenizer override (llama2.c folders, Meta folders)
    // Called with a fraction in [0,1]; return false to cancel (throws ErrorCode::Cancelled).
    std::function<bool(float)> progress;
    // CPU: weights stored as they are computed start from the file's mapping and move to the
    // huge-page arena on a background thread (swapped between the model's own calls once copied), so
    // the first token does not wait for the copy. False: copied before load returns (training, whose
    // recipes drive the module directly, and benchmarks of steady-state decode).
    bool background_arena = true;
};

class LlamaModel {
public:
    static std::unique_ptr<LlamaModel> load(const std::string& path, const LoadOptions& options = {});
    static std::unique_ptr<LlamaModel> from_checkpoint(const Checkpoint& ck, const LoadOptions& options = {});
    ~LlamaModel();

    const ModelConfig& config() const;
    std::string dtype() const;          // weights: "f32" | "bf16" | "f16"
    std::string compute_dtype() const;  // activations and KV cache (f32 when the CPU lacks bf16 instructions)
    std::string device() const;         // "cpu" | "cuda:0"
    int64_t context_length() const;
    const std::string& source() const;
    const std::string& tokenizer_path() const;
    const std::string& tokenizer_config_path() const;
    const std::string& format() const;  // "hf" | "meta" | "llama2c"
    int64_t size_on_disk() const;
    // Waits until a background_arena load has moved the weights into the arena (no-op otherwise).
    void finish_loading();

    // --- decoding with the KV cache (single sequence) ---
    void reset();                     // forget everything cached
    int64_t position() const;         // tokens in the cache
    void truncate(int64_t position);  // keep the first `position` cached tokens (edit/regenerate)
    // Appends `tokens` at position() in one batched forward; returns the float32 logits of the last
    // token [vocab_size]. Throws ErrorCode::InvalidArgument when the context would overflow.
    std::vector<float> decode(const std::vector<int>& tokens);
    // Appends `count` input embeddings ([count, hidden_size] float32, row-major: media tokens from a
    // projector) at position(); returns the logits of the last one. Same errors as decode().
    std::vector<float> decode_embeddings(const float* data, int64_t count);
    // The gated path (ImageBind-LLM): `vec` [hidden_size] is added to the attention output of
    // every layer l, scaled by tanh(gates[l]) (gates [num_hidden_layers]). Empty `vec` removes it.
    // The KV cache is reset. Works alongside an attached adapter.
    void set_gated_input(const std::vector<float>& vec, const std::vector<float>& gates);

    // --- adapters (core/adapters), attached without touching the base weights ---
    // Loads an adapter folder (Atelier's layout, or PEFT's for LoRA) and attaches it at `scale`;
    // the KV cache is reset. Throws atelier::Error for a bad folder or an adapter of another model.
    void attach_adapter(const std::string& dir, double scale = 1.0);
    void detach_adapter();
    void set_adapter_scale(double scale);  // 0 = base model, 1 = as trained; resets the KV cache
    std::string adapter_method() const;    // "" when none is attached
    // The attached adapter folded into the weights (see Adapter::merged_weights), as an HF folder in
    // `out_dir`. A LLaMA-Adapter V2's prompt tokens cannot be merged: they are saved as a V1 adapter
    // in out_dir/prefix-adapter, to attach to the merged model; the path is returned ("" otherwise).
    // Throws ErrorCode::InvalidArgument without an adapter, or for V1 (nothing to merge).
    std::string save_merged(const std::string& out_dir);

    // No cache: logits for every position, row-major [tokens.size(), vocab_size] (tests, scoring).
    std::vector<float> forward_all(const std::vector<int>& tokens);

    LlamaForCausalLMImpl& module();  // the LibTorch module (model/llama_module.h)

private:
    LlamaModel();
    struct Impl;
    std::unique_ptr<Impl> m;
};

}  // namespace atelier
