// Adapters as LibTorch tensors, attached to a LlamaForCausalLM through its extension points
// (Linear::adapter, Attention::hook, RMSNorm::weight_override) so the base weights are never
// written. Engine and training code only: this header pulls in <torch/torch.h>.
//
//   auto adapter = atelier::Adapter::create(cfg, net->config, /*seed=*/42);
//   adapter->attach(*net);                   // generation and training now go through it
//   adapter->save("out/");                   // adapter_config.json + adapter_model.safetensors
//   adapter->detach(*net);                   // the base model again, bit for bit
//   auto again = atelier::Adapter::load("out/", net->config);   // Atelier's or PEFT's layout
#pragma once

#include "adapters/adapter_config.h"
#include "io/tensor_data.h"
#include "model/llama_module.h"

#include <memory>
#include <string>
#include <vector>

namespace atelier {

class Adapter {
public:
    // Fresh parameters, initialised as the method's paper does (LoRA: A ~ U(±1/sqrt(in)), B = 0;
    // prompt tokens ~ N(0, 1), gates = 0; V2 bias = 0, scale = 1, norms = the base model's).
    // `base` supplies the norm weights V2 starts from (may be null for other methods).
    static std::unique_ptr<Adapter> create(const AdapterConfig& config, const ModelConfig& model,
                                           uint64_t seed, LlamaForCausalLMImpl* base = nullptr);
    // Reads adapter_config.json + adapter_model.safetensors from adapter_folder(dir) (PEFT LoRA keys
    // "base_model.model.<name>" are accepted). Every tensor is checked against the model's shapes.
    static std::unique_ptr<Adapter> load(const std::string& dir, const ModelConfig& model);

    const AdapterConfig& config() const { return m_config; }
    // Trainable tensors by canonical name (float32, requires_grad), in a fixed order.
    const std::vector<std::pair<std::string, torch::Tensor>>& parameters() const { return m_params; }
    int64_t num_parameters() const;
    // AdamW groups: decay applies to LoRA matrices and prompt tokens, not to gates, biases, scales, norms.
    static bool decays(const std::string& name);

    void attach(LlamaForCausalLMImpl& net);
    void detach(LlamaForCausalLMImpl& net);
    bool attached() const { return m_attached; }
    void set_scale(double scale) { m_state->scale = scale; }  // 0 = off, 1 = as trained
    double scale() const { return m_state->scale; }
    void set_training(bool training) { m_state->training = training; }  // LoRA dropout on/off
    void to(torch::Device device);

    // Saves alone: LoRA in PEFT's layout (keys "base_model.model.<name>", PEFT adapter_config.json),
    // the LLaMA-Adapter methods in Atelier's. Files are written atomically.
    void save(const std::string& dir) const;
    TensorMap tensors(bool peft_names) const;  // float32 copies

    // Base weights with the adapter folded in, HF names, and in `merged_config` the config they need.
    // LoRA: W + s B A. LLaMA-Adapter V2: its bias, scale and norms (a Llama with attention_bias and
    // mlp_bias); its prompt tokens cannot be folded into weights and stay an adapter: prefix_part().
    // V1 throws ErrorCode::InvalidArgument: it is all prompt tokens.
    TensorMap merged_weights(LlamaForCausalLMImpl& net, ModelConfig* merged_config = nullptr) const;
    // The LLaMA-Adapter (V1) part of a V2 adapter, to attach to its merged model; null for LoRA.
    std::unique_ptr<Adapter> prefix_part() const;

    // Shared with the hooks: scale and training flag can change while attached.
    struct State {
        double scale = 1.0;
        bool training = false;
    };

private:
    Adapter(AdapterConfig config, ModelConfig model);
    void build(uint64_t seed, LlamaForCausalLMImpl* base);
    torch::Tensor& param(const std::string& name);

    AdapterConfig m_config;
    ModelConfig m_model;
    std::vector<std::pair<std::string, torch::Tensor>> m_params;
    std::shared_ptr<State> m_state = std::make_shared<State>();
    bool m_attached = false;
};

}  // namespace atelier
