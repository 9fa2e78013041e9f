// Adapters: parameters, attachment to the model's extension points, saving and loading, merging.
#include "adapters/adapter_module.h"

#include "adapters/lora_branch.h"
#include "common/error.h"
#include "common/files.h"
#include "io/safetensors.h"
#include "model/torch_util.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace atelier {

namespace {

const char* kPeftPrefix = "base_model.model.";
const std::vector<std::string> kAttention = {"q_proj", "k_proj", "v_proj", "o_proj"};
const std::vector<std::string> kMlp = {"gate_proj", "up_proj", "down_proj"};

std::string layer_prefix(int64_t l) {
    return "model.layers." + std::to_string(l) + ".";
}
std::string linear_path(int64_t l, const std::string& name) {
    const bool attn = std::find(kAttention.begin(), kAttention.end(), name) != kAttention.end();
    return layer_prefix(l) + (attn ? "self_attn." : "mlp.") + name;
}

LinearImpl& linear_of(LlamaForCausalLMImpl& net, int64_t l, const std::string& name) {
    auto& layer = net.layer(l);
    if (name == "q_proj") return *layer.self_attn->q_proj;
    if (name == "k_proj") return *layer.self_attn->k_proj;
    if (name == "v_proj") return *layer.self_attn->v_proj;
    if (name == "o_proj") return *layer.self_attn->o_proj;
    if (name == "gate_proj") return *layer.mlp->gate_proj;
    if (name == "up_proj") return *layer.mlp->up_proj;
    return *layer.mlp->down_proj;
}

// y + s * (alpha/r) * B A dropout(x)
struct LoraLinear : LinearAdapter {
    torch::Tensor A, B;  // [r, in], [out, r]
    double scaling, dropout;
    std::shared_ptr<Adapter::State> state;
    torch::Tensor apply(const torch::Tensor& x, const torch::Tensor& y) override {
        if (state->scale == 0) return y;
        if (state->training) {
            // one node forward and back on CPUs with AMX (bf16 compute); LibTorch's ops elsewhere
            torch::Tensor fused = lora_branch(x, y, A, B, scaling * state->scale, dropout);
            if (fused.defined()) return fused;
        }
        torch::Tensor h = state->training && dropout > 0 ? fast_dropout(x, dropout) : x;
        const auto dt = h.scalar_type();
        const int64_t r = A.size(0), out = y.size(-1);
        torch::Tensor hA = torch::linear(h, A.to(dt)).reshape({-1, r});  // [rows, r]
        // y + s·(hA)Bᵀ as one GEMM accumulating into y: a separate scale and add were two more passes
        // over every adapted projection's output, forward and backward (0.70 against 1.0 ms for a
        // 256-row bf16 gate projection's branch).
        torch::Tensor sum = torch::addmm(y.reshape({-1, out}).to(dt), hA, B.to(dt).t(), /*beta=*/1,
                                         /*alpha=*/scaling * state->scale);
        return sum.view(y.sizes()).to(y.scalar_type());
    }
    bool low_rank(torch::Tensor* a, torch::Tensor* b, double* scale) const override {
        if (state->training) return false;  // dropout
        *a = A;
        *b = B;
        *scale = scaling * state->scale;
        return true;
    }
};

// LLaMA-Adapter V2: y' = scale * (y + bias), interpolated towards y by the run-time scale.
struct BiasScaleLinear : LinearAdapter {
    torch::Tensor bias, scale;  // [out], [out]
    std::shared_ptr<Adapter::State> state;
    torch::Tensor apply(const torch::Tensor&, const torch::Tensor& y) override {
        const double s = state->scale;
        if (s == 0) return y;
        torch::Tensor adapted = (y + bias.to(y.scalar_type())) * scale.to(y.scalar_type());
        return s == 1 ? adapted : y + (adapted - y) * s;
    }
};

struct NormWeight : NormAdapter {
    torch::Tensor trained;  // [dim]
    std::shared_ptr<Adapter::State> state;
    torch::Tensor weight(const torch::Tensor& base) override {
        const double s = state->scale;
        if (s == 0) return base;
        return s == 1 ? trained
                      : base.to(trained.scalar_type()) + (trained - base.to(trained.scalar_type())) * s;
    }
};

// The gated prompt branch of one layer: attention of the layer's queries over its adapter_len
// learnable prompt tokens, projected by the layer's own (frozen) k/v projections, no RoPE.
struct PrefixHook : AttentionHook {
    torch::Tensor query;  // [adapted_layers * len, D], shared by all layers
    torch::Tensor gate;   // [1, H, 1, 1]
    int64_t slot, len;
    Linear k_proj{nullptr}, v_proj{nullptr};
    int64_t n_heads, n_kv_heads, head_dim;
    std::shared_ptr<Adapter::State> state;

    torch::Tensor extra(int64_t, const torch::Tensor& q) override {  // q: [B, H, T, hd]
        if (state->scale == 0) return {};
        const int64_t rep = n_heads / n_kv_heads;
        auto prompt = query.narrow(0, slot * len, len).to(q.scalar_type()).unsqueeze(0);  // [1, len, D]
        auto k = k_proj(prompt).view({1, len, n_kv_heads, head_dim}).transpose(1, 2);     // [1, KV, len, hd]
        auto v = v_proj(prompt).view({1, len, n_kv_heads, head_dim}).transpose(1, 2);     // [1, KV, len, hd]
        if (rep > 1) {
            k = k.repeat_interleave(rep, 1);  // [1, H, len, hd]
            v = v.repeat_interleave(rep, 1);  // [1, H, len, hd]
        }
        auto scores = torch::matmul(q, k.transpose(2, 3)) / std::sqrt(double(head_dim));  // [B, H, T, len]
        auto probs = attention_softmax(scores, q.scalar_type());
        auto g = torch::tanh(gate).to(q.scalar_type()) * state->scale;  // [1, H, 1, 1]
        return g * torch::matmul(probs, v);                             // [B, H, T, hd]
    }
};

torch::Tensor to_torch(const TensorData& t) {
    torch::Dtype d = torch::kFloat32;
    if (t.dtype == DType::F16)
        d = torch::kFloat16;
    else if (t.dtype == DType::BF16)
        d = torch::kBFloat16;
    else if (t.dtype == DType::F64)
        d = torch::kFloat64;
    else if (t.dtype != DType::F32)
        throw Error(ErrorCode::UnknownDtype, "adapter",
                    std::string("adapter tensors must be floating point, got ") + dtype_name(t.dtype));
    auto owner = t.owner;
    return torch::from_blob(
               const_cast<void*>(t.data), t.shape, [owner](void*) {}, torch::TensorOptions().dtype(d))
        .to(torch::kFloat32)
        .clone();
}

TensorData to_data(const torch::Tensor& t) {
    auto c = t.detach().to(torch::kCPU).contiguous();
    DType d = DType::F32;
    if (c.scalar_type() == torch::kBFloat16)
        d = DType::BF16;
    else if (c.scalar_type() == torch::kFloat16)
        d = DType::F16;
    else
        c = c.to(torch::kFloat32);
    return make_owned_tensor(d, c.sizes().vec(), c.data_ptr(), c.nbytes());
}

}  // namespace

Adapter::Adapter(AdapterConfig config, ModelConfig model)
    : m_config(std::move(config)), m_model(std::move(model)) {}

bool Adapter::decays(const std::string& name) {
    return name.find("lora_") != std::string::npos || name == "adapter_query.weight";
}

int64_t Adapter::num_parameters() const {
    int64_t n = 0;
    for (const auto& [name, t] : m_params) n += t.numel();
    return n;
}

torch::Tensor& Adapter::param(const std::string& name) {
    for (auto& [n, t] : m_params)
        if (n == name) return t;
    throw Error(ErrorCode::MissingTensor, "adapter", "no adapter tensor '" + name + "'");
}

void Adapter::build(uint64_t seed, LlamaForCausalLMImpl* base) {
    const ModelConfig& c = m_model;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    auto f32 = torch::TensorOptions().dtype(torch::kFloat32);
    auto add = [&](const std::string& name, torch::Tensor t) {
        m_params.push_back({name, t.set_requires_grad(true)});
    };
    const int64_t L = c.num_hidden_layers;
    if (m_config.is_lora()) {
        const int64_t r = m_config.lora_rank;
        for (const auto& t : m_config.target_modules)
            if (t == "lm_head") {  // the output projection: [vocab, hidden]
                const double bound = 1.0 / std::sqrt(static_cast<double>(c.hidden_size));
                add("lm_head.lora_A.weight",
                    torch::empty({r, c.hidden_size}, f32).uniform_(-bound, bound, gen));
                add("lm_head.lora_B.weight", torch::zeros({c.vocab_size, r}, f32));
            }
        for (int64_t l = 0; l < L; ++l) {
            for (const auto& t : m_config.target_modules) {
                if (t == "lm_head") continue;
                const std::string p = linear_path(l, t);
                // Shapes from the config: [out, in] of the projection.
                int64_t in = c.hidden_size, out = c.hidden_size;
                const int64_t q = c.num_attention_heads * c.head_dim;
                if (t == "q_proj") out = q;
                if (t == "k_proj" || t == "v_proj") out = c.kv_dim();
                if (t == "o_proj") in = q;
                if (t == "gate_proj" || t == "up_proj") out = c.intermediate_size;
                if (t == "down_proj") in = c.intermediate_size;
                const double bound = 1.0 / std::sqrt(static_cast<double>(in));  // kaiming_uniform(a=sqrt(5))
                add(p + ".lora_A.weight", torch::empty({r, in}, f32).uniform_(-bound, bound, gen));
                add(p + ".lora_B.weight", torch::zeros({out, r}, f32));
            }
        }
    }
    if (m_config.has_prefix()) {
        const int64_t layers = m_config.adapted_layers(c);
        add("adapter_query.weight",
            torch::empty({layers * m_config.adapter_len, c.hidden_size}, f32).normal_(0, 1, gen));
        for (int64_t l = L - layers; l < L; ++l)
            add(layer_prefix(l) + "self_attn.adapter_gate",
                torch::zeros({1, c.num_attention_heads, 1, 1}, f32));
    }
    if (m_config.has_bias_scale()) {
        for (int64_t l = 0; l < L; ++l) {
            for (const auto* group : {&kAttention, &kMlp}) {
                for (const auto& t : *group) {
                    int64_t out = c.hidden_size;
                    if (t == "q_proj") out = c.num_attention_heads * c.head_dim;
                    if (t == "k_proj" || t == "v_proj") out = c.kv_dim();
                    if (t == "gate_proj" || t == "up_proj") out = c.intermediate_size;
                    add(linear_path(l, t) + ".adapter_bias", torch::zeros({out}, f32));
                    add(linear_path(l, t) + ".adapter_scale", torch::ones({out}, f32));
                }
            }
            for (const char* n : {"input_layernorm", "post_attention_layernorm"}) {
                torch::Tensor w = base ? (*base)
                                             .layer(l)
                                             .named_parameters()[std::string(n) + ".weight"]
                                             .detach()
                                             .to(torch::kFloat32)
                                             .clone()
                                       : torch::ones({c.hidden_size}, f32);
                add(layer_prefix(l) + n + ".adapter_weight", w);
            }
        }
        torch::Tensor w = base ? base->model->norm->weight.detach().to(torch::kFloat32).clone()
                               : torch::ones({c.hidden_size}, f32);
        add("model.norm.adapter_weight", w);
    }
}

std::unique_ptr<Adapter> Adapter::create(const AdapterConfig& config, const ModelConfig& model, uint64_t seed,
                                         LlamaForCausalLMImpl* base) {
    config.validate("adapter");
    if (config.has_bias_scale() && !base)
        throw Error(ErrorCode::InvalidArgument, "adapter",
                    "LLaMA-Adapter V2 starts its norms from the base model");
    std::unique_ptr<Adapter> a(new Adapter(config, model));
    torch::NoGradGuard no_grad;
    a->build(seed, base);
    return a;
}

void Adapter::attach(LlamaForCausalLMImpl& net) {
    if (m_attached) throw Error(ErrorCode::InvalidArgument, "adapter", "already attached");
    const ModelConfig& c = net.config;
    if (c.hidden_size != m_model.hidden_size || c.num_hidden_layers != m_model.num_hidden_layers ||
        c.intermediate_size != m_model.intermediate_size ||
        c.num_attention_heads != m_model.num_attention_heads ||
        c.num_key_value_heads != m_model.num_key_value_heads)
        throw Error(ErrorCode::ShapeMismatch, "adapter", "the adapter was made for a model of another shape");
    const int64_t L = c.num_hidden_layers;
    for (int64_t l = 0; l < L; ++l) {
        auto& layer = net.layer(l);
        if (layer.self_attn->hook || layer.input_layernorm->adapter)
            throw Error(ErrorCode::InvalidArgument, "adapter", "another adapter is attached to this model");
        for (const auto* group : {&kAttention, &kMlp})
            for (const auto& t : *group)
                if (linear_of(net, l, t).adapter)
                    throw Error(ErrorCode::InvalidArgument, "adapter",
                                "another adapter is attached to this model");
    }
    if (net.head_adapter)
        throw Error(ErrorCode::InvalidArgument, "adapter", "another adapter is attached to this model");
    if (m_config.is_lora()) {
        auto lora = [&](const std::string& path) {
            auto a = std::make_shared<LoraLinear>();
            a->A = param(path + ".lora_A.weight");
            a->B = param(path + ".lora_B.weight");
            a->scaling = m_config.lora_alpha / static_cast<double>(m_config.lora_rank);
            a->dropout = m_config.lora_dropout;
            a->state = m_state;
            return a;
        };
        for (const auto& t : m_config.target_modules)
            if (t == "lm_head") net.head_adapter = lora("lm_head");
        for (int64_t l = 0; l < L; ++l) {
            for (const auto& t : m_config.target_modules) {
                if (t != "lm_head") linear_of(net, l, t).adapter = lora(linear_path(l, t));
            }
        }
    }
    if (m_config.has_prefix()) {
        const int64_t layers = m_config.adapted_layers(c);
        for (int64_t l = L - layers; l < L; ++l) {
            auto& attn = *net.layer(l).self_attn;
            auto h = std::make_shared<PrefixHook>();
            h->query = param("adapter_query.weight");
            h->gate = param(layer_prefix(l) + "self_attn.adapter_gate");
            h->slot = l - (L - layers);
            h->len = m_config.adapter_len;
            h->k_proj = attn.k_proj;
            h->v_proj = attn.v_proj;
            h->n_heads = attn.n_heads;
            h->n_kv_heads = attn.n_kv_heads;
            h->head_dim = attn.head_dim;
            h->state = m_state;
            attn.hook = h;
        }
    }
    if (m_config.has_bias_scale()) {
        for (int64_t l = 0; l < L; ++l) {
            for (const auto* group : {&kAttention, &kMlp}) {
                for (const auto& t : *group) {
                    auto a = std::make_shared<BiasScaleLinear>();
                    a->bias = param(linear_path(l, t) + ".adapter_bias");
                    a->scale = param(linear_path(l, t) + ".adapter_scale");
                    a->state = m_state;
                    linear_of(net, l, t).adapter = a;
                }
            }
            auto& layer = net.layer(l);
            for (auto [norm, name] :
                 {std::pair{layer.input_layernorm.ptr(), "input_layernorm"},
                  std::pair{layer.post_attention_layernorm.ptr(), "post_attention_layernorm"}}) {
                auto n = std::make_shared<NormWeight>();
                n->trained = param(layer_prefix(l) + name + ".adapter_weight");
                n->state = m_state;
                norm->adapter = n;
            }
        }
        auto n = std::make_shared<NormWeight>();
        n->trained = param("model.norm.adapter_weight");
        n->state = m_state;
        net.model->norm->adapter = n;
    }
    m_attached = true;
}

void Adapter::detach(LlamaForCausalLMImpl& net) {
    for (int64_t l = 0; l < net.config.num_hidden_layers; ++l) {
        auto& layer = net.layer(l);
        layer.self_attn->hook.reset();
        layer.input_layernorm->adapter.reset();
        layer.post_attention_layernorm->adapter.reset();
        for (const auto* group : {&kAttention, &kMlp})
            for (const auto& t : *group) linear_of(net, l, t).adapter.reset();
    }
    net.model->norm->adapter.reset();
    net.head_adapter.reset();
    m_attached = false;
}

void Adapter::to(torch::Device device) {
    torch::NoGradGuard no_grad;
    for (auto& [name, t] : m_params) t = t.detach().to(device).set_requires_grad(true);
}

TensorMap Adapter::tensors(bool peft_names) const {
    TensorMap out;
    for (const auto& [name, t] : m_params)
        out[(peft_names ? kPeftPrefix : "") + name] = to_data(t.to(torch::kFloat32));
    return out;
}

void Adapter::save(const std::string& dir_str) const {
    const fs::path dir(dir_str);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error(ErrorCode::Io, dir_str, "cannot create the folder: " + ec.message());
    const bool peft = m_config.is_lora();
    write_safetensors((dir / "adapter_model.safetensors").string(), tensors(peft),
                      {{"format", "pt"}, {"atelier_method", m_config.method}});
    write_text_file((dir / "adapter_config.json").string(),
                    peft ? m_config.to_peft_json() : m_config.to_json());
}

std::unique_ptr<Adapter> Adapter::load(const std::string& path, const ModelConfig& model) {
    const std::string dir_str = adapter_folder(path);
    const fs::path dir(dir_str);
    const fs::path config_path = dir / "adapter_config.json";
    const fs::path weights_path = dir / "adapter_model.safetensors";
    if (!fs::is_regular_file(weights_path)) {
        if (fs::is_regular_file(dir / "adapter_model.bin"))
            throw Error(ErrorCode::UnsupportedFormat, (dir / "adapter_model.bin").string(),
                        "pickled PEFT adapters are not read; save it with safe_serialization=True");
        throw Error(ErrorCode::FileNotFound, dir_str, "no adapter_model.safetensors in this folder");
    }
    std::ifstream f(config_path);
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    AdapterConfig config = AdapterConfig::from_json(text, config_path.string());

    // The configuration decides what is allocated before the weights are read: it must fit the file
    // (a hostile "r" would otherwise allocate terabytes). Stored at 2 bytes per value at the least.
    auto file = SafetensorsFile::open(weights_path.string());
    const int64_t expected = config.trainable_parameters(model);
    const auto on_disk = static_cast<int64_t>(fs::file_size(weights_path));
    if (expected > on_disk / 2 + 1024)
        throw Error(ErrorCode::ShapeMismatch, weights_path.string(),
                    "adapter_config.json describes " + std::to_string(expected) +
                        " parameters for this model, more than the file's " + std::to_string(on_disk) +
                        " bytes can hold (was the adapter made for another model?)");
    std::unique_ptr<Adapter> a(new Adapter(config, model));
    torch::NoGradGuard no_grad;
    a->build(0, nullptr);  // shapes and names; values come from the file
    TensorMap stored;
    for (const auto& [key, t] : file->tensors()) {
        std::string name = key.rfind(kPeftPrefix, 0) == 0 ? key.substr(std::strlen(kPeftPrefix)) : key;
        for (const char* ab :
             {".lora_A", ".lora_B"}) {  // PEFT may keep the adapter name: lora_A.default.weight
            const std::string with = std::string(ab) + ".default.weight";
            const size_t at = name.find(with);
            if (at != std::string::npos) name = name.substr(0, at) + ab + ".weight";
        }
        stored[name] = t;
    }
    for (auto& [name, p] : a->m_params) {
        auto it = stored.find(name);
        if (it == stored.end())
            throw Error(ErrorCode::MissingTensor, weights_path.string(),
                        "tensor '" + name + "' is missing (was the adapter made for this model?)");
        if (it->second.shape != p.sizes().vec())
            throw Error(
                ErrorCode::ShapeMismatch, weights_path.string(),
                "tensor '" + name + "' does not fit this model (was the adapter made for another one?)");
        p = to_torch(it->second).set_requires_grad(true);
        stored.erase(it);
    }
    if (!stored.empty())
        throw Error(ErrorCode::UnsupportedFormat, weights_path.string(),
                    "unexpected tensor '" + stored.begin()->first + "' for a " + config.method + " adapter");
    return a;
}

TensorMap Adapter::merged_weights(LlamaForCausalLMImpl& net, ModelConfig* merged_config) const {
    if (merged_config) *merged_config = net.config;
    if (m_config.method == "llama-adapter")
        throw Error(
            ErrorCode::InvalidArgument, "adapter",
            "LLaMA-Adapter adds attention over learned prompt tokens, which cannot be folded into weights");
    if (m_config.has_bias_scale() && m_state->scale != 1.0)
        throw Error(ErrorCode::InvalidArgument, "adapter", "LLaMA-Adapter V2 merges at scale 1 only");
    torch::NoGradGuard no_grad;
    auto& self = const_cast<Adapter&>(*this);
    TensorMap out;
    const double scaling = m_config.lora_alpha / static_cast<double>(m_config.lora_rank) * m_state->scale;
    std::map<std::string, torch::Tensor> base;
    for (const auto& item : net.named_parameters()) base[item.key()] = item.value();
    for (auto& [name, w] : base) {
        torch::Tensor merged = w;
        const std::string stem = name.size() > 7 ? name.substr(0, name.size() - 7) : name;  // strip ".weight"
        if (m_config.is_lora()) {
            for (const auto& [pname, A] : m_params) {
                if (pname != stem + ".lora_A.weight") continue;
                const auto& B = self.param(stem + ".lora_B.weight");
                merged = (w.to(torch::kFloat32) + torch::matmul(B, A).to(w.device()) * scaling)
                             .to(w.scalar_type());
            }
        }
        out[name] = to_data(merged);
    }
    // LoRA on a tied output projection: the merged model gets its own lm_head.weight.
    if (m_config.is_lora() && !base.count("lm_head.weight") &&
        std::find(m_config.target_modules.begin(), m_config.target_modules.end(), "lm_head") !=
            m_config.target_modules.end()) {
        const torch::Tensor w = net.output_weight();
        const auto& A = self.param("lm_head.lora_A.weight");
        const auto& B = self.param("lm_head.lora_B.weight");
        out["lm_head.weight"] = to_data(
            (w.to(torch::kFloat32) + torch::matmul(B, A).to(w.device()) * scaling).to(w.scalar_type()));
        if (merged_config) merged_config->tie_word_embeddings = false;
    }
    if (m_config.has_bias_scale()) {
        // y' = s * (W x + b + bias)  ==  (s W) x + s (b + bias): every projection gains a bias, so the
        // merged model is a Llama with attention_bias and mlp_bias; norms take their trained weights.
        for (int64_t l = 0; l < net.config.num_hidden_layers; ++l) {
            for (const auto* group : {&kAttention, &kMlp}) {
                for (const auto& t : *group) {
                    const std::string p = linear_path(l, t);
                    const auto& sc = self.param(p + ".adapter_scale");
                    const auto& bias = self.param(p + ".adapter_bias");
                    const torch::Tensor w = base.at(p + ".weight");
                    auto it = base.find(p + ".bias");
                    const torch::Tensor b =
                        it != base.end() ? it->second.to(torch::kFloat32) : torch::zeros_like(bias);
                    out[p + ".weight"] =
                        to_data((w.to(torch::kFloat32) * sc.unsqueeze(1).to(w.device())).to(w.scalar_type()));
                    out[p + ".bias"] = to_data((sc * (b.to(sc.device()) + bias)).to(w.scalar_type()));
                }
            }
            for (const char* n : {"input_layernorm", "post_attention_layernorm"})
                out[layer_prefix(l) + n + ".weight"] =
                    to_data(self.param(layer_prefix(l) + n + ".adapter_weight")
                                .to(base.at(layer_prefix(l) + n + ".weight").scalar_type()));
        }
        out["model.norm.weight"] =
            to_data(self.param("model.norm.adapter_weight").to(base.at("model.norm.weight").scalar_type()));
        if (merged_config) {
            merged_config->architecture = "LlamaForCausalLM";
            merged_config->model_type = "llama";
            merged_config->attention_bias = true;
            merged_config->mlp_bias = true;
        }
    }
    return out;
}

std::unique_ptr<Adapter> Adapter::prefix_part() const {
    if (!m_config.has_prefix()) return nullptr;
    AdapterConfig c = m_config;
    c.method = "llama-adapter";
    std::unique_ptr<Adapter> a(new Adapter(c, m_model));
    torch::NoGradGuard no_grad;
    for (const auto& [name, t] : m_params)
        if (name == "adapter_query.weight" || name.find("adapter_gate") != std::string::npos)
            a->m_params.push_back({name, t.detach().clone().set_requires_grad(true)});
    return a;
}

}  // namespace atelier
