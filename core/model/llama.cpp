// The LLaMA forward pass, top to bottom. Shapes: B batch, T new tokens, S attended positions,
// D hidden, H query heads, KV key/value heads, hd head_dim, V vocab.
#include "model/llama.h"
#include "model/llama_module.h"

#include "adapters/adapter_module.h"
#include "common/error.h"
#include "common/files.h"
#include "common/memory.h"
#include "common/process.h"
#include "model/direct_decode.h"
#include "model/half_gemv.h"
#include "model/importers.h"
#include "model/torch_util.h"
#include "model/weight_arena.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>

namespace fs = std::filesystem;

namespace atelier {

// ---------------------------------------------------------------- building blocks

LinearImpl::LinearImpl(int64_t in, int64_t out, bool with_bias) {
    weight = register_parameter("weight", torch::empty({out, in}), /*requires_grad=*/false);
    if (with_bias) bias = register_parameter("bias", torch::zeros({out}), false);
}

torch::Tensor LinearImpl::forward(const torch::Tensor& x) {
    torch::Tensor y = mixed_linear(x, weight, bias);
    return adapter ? adapter->apply(x, y) : y;
}

std::vector<torch::Tensor> forward_linears(const torch::Tensor& x, const std::vector<LinearImpl*>& linears) {
    std::vector<torch::Tensor> ws, bs;
    for (const LinearImpl* l : linears) {
        ws.push_back(l->weight);
        bs.push_back(l->bias);
    }
    std::vector<torch::Tensor> ys = mixed_linear_set(x, ws, bs);
    for (size_t i = 0; i < linears.size(); ++i)
        if (linears[i]->adapter) ys[i] = linears[i]->adapter->apply(x, ys[i]);
    return ys;
}

RMSNormImpl::RMSNormImpl(int64_t dim, double eps_) : eps(eps_) {
    weight = register_parameter("weight", torch::ones({dim}), false);
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) {
    // Normalise in float32 whatever the model dtype, as the reference implementations do.
    // torch_util: one fused pass on the CPU. A trained norm (LLaMA-Adapter V2) in the input's dtype.
    return rms_norm(x, adapter ? adapter->weight(weight).to(x.scalar_type()) : weight, eps);
}

EmbeddingImpl::EmbeddingImpl(int64_t vocab, int64_t dim) {
    weight = register_parameter("weight", torch::empty({vocab, dim}), false);
}

RopeTable make_rope_table(const ModelConfig& c, int64_t positions, torch::Dtype dtype, torch::Device device) {
    const int64_t hd = c.head_dim, half = hd / 2;
    // inv_freq_i = theta^(-2i/hd), computed in double.
    std::vector<double> inv_freq(half);
    for (int64_t i = 0; i < half; ++i) inv_freq[i] = 1.0 / std::pow(c.rope_theta, 2.0 * i / hd);

    const RopeScaling& rs = c.rope_scaling;
    if (rs.type == "linear") {
        for (double& f : inv_freq) f /= rs.factor;
    } else if (rs.type == "llama3") {
        // Llama 3.1: long wavelengths slowed by `factor`, short ones kept, a smooth ramp between.
        const double old_ctx = static_cast<double>(rs.original_max_position_embeddings);
        const double low_wavelen = old_ctx / rs.low_freq_factor, high_wavelen = old_ctx / rs.high_freq_factor;
        for (double& f : inv_freq) {
            const double wavelen = 2 * M_PI / f;
            if (wavelen > low_wavelen) {
                f /= rs.factor;
            } else if (wavelen >= high_wavelen) {
                const double smooth =
                    (old_ctx / wavelen - rs.low_freq_factor) / (rs.high_freq_factor - rs.low_freq_factor);
                f = (1 - smooth) * f / rs.factor + smooth * f;
            }
        }
    }
    auto freq = torch::tensor(inv_freq, torch::kFloat64);  // [hd/2]
    auto pos = torch::arange(positions, torch::kFloat64);  // [P]
    auto angles = torch::outer(pos, freq);                 // [P, hd/2]
    angles = torch::cat({angles, angles}, -1);             // [P, hd]
    return {angles.cos().to(device, dtype), angles.sin().to(device, dtype)};
}

// ---------------------------------------------------------------- attention

AttentionImpl::AttentionImpl(const ModelConfig& c, int64_t layer_index)
    : layer(layer_index),
      n_heads(c.num_attention_heads),
      n_kv_heads(c.num_key_value_heads),
      head_dim(c.head_dim) {
    const int64_t D = c.hidden_size;
    q_proj = register_module("q_proj", Linear(D, n_heads * head_dim, c.attention_bias));
    k_proj = register_module("k_proj", Linear(D, n_kv_heads * head_dim, c.attention_bias));
    v_proj = register_module("v_proj", Linear(D, n_kv_heads * head_dim, c.attention_bias));
    o_proj = register_module("o_proj", Linear(n_heads * head_dim, D, c.o_proj_bias()));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, int64_t start_pos, const RopeTable& rope,
                                     KVCache* cache, const torch::Tensor& mask) {
    const int64_t B = x.size(0), T = x.size(1), H = n_heads, KV = n_kv_heads, hd = head_dim, rep = H / KV;

    const auto qkv = forward_linears(x, {q_proj.get(), k_proj.get(), v_proj.get()});
    auto v = qkv[2].view({B, T, KV, hd}).transpose(1, 2);  // [B, KV, T, hd]

    auto cos = rope.cos.narrow(0, start_pos, T);  // [T, hd]
    auto sin = rope.sin.narrow(0, start_pos, T);  // [T, hd]
    auto q = rope_heads(qkv[0], cos, sin, H);     // [B, H, T, hd]: q·cos + rotate_half(q)·sin
    auto k = rope_heads(qkv[1], cos, sin, KV);    // [B, KV, T, hd]

    if (cache && cache->k[layer].size(0) == B) {
        cache->k[layer].narrow(2, start_pos, T).copy_(k);
        cache->v[layer].narrow(2, start_pos, T).copy_(v);
        k = cache->k[layer].narrow(2, 0, start_pos + T);  // [B, KV, S, hd]
        v = cache->v[layer].narrow(2, 0, start_pos + T);  // [B, KV, S, hd]
    } else if (cache) {
        // A shared prefix: a batch-1 cache holding positions 0..start_pos-1 that every row of
        // this batch continues. The rows read it (gradients flow back into it) and store nothing.
        TORCH_CHECK(cache->k[layer].size(0) == 1, "KV cache batch does not match the input");
        auto pk = cache->k[layer].narrow(2, 0, start_pos).expand({B, KV, start_pos, hd});
        auto pv = cache->v[layer].narrow(2, 0, start_pos).expand({B, KV, start_pos, hd});
        k = torch::cat({pk, k}, 2);  // [B, KV, S, hd]
        v = torch::cat({pv, v}, 2);  // [B, KV, S, hd]
    }
    // Grouped-query attention without copying K/V: query head h = g*rep + r reads KV head g, so
    // the rep query heads of a group ride along the row dimension.
    auto qg = q.reshape({B, KV, rep * T, hd});           // [B, KV, rep*T, hd]
    auto scores = torch::matmul(qg, k.transpose(2, 3));  // [B, KV, rep*T, S], not yet scaled
    const double sqrt_hd = std::sqrt(double(hd));
    // Prefill: the causal mask (see forward_embeddings) and the scale inside the fused softmax under
    // inference, not passes of their own over every head's scores.
    auto probs = mask.defined() ? causal_attention_softmax(scores, v.scalar_type(), mask, sqrt_hd)
                                : attention_softmax(scores / sqrt_hd, v.scalar_type());  // [B, KV, rep*T, S]
    auto out = torch::matmul(probs, v).view({B, H, T, hd});                              // [B, H, T, hd]

    if (hook) {
        torch::Tensor extra = hook->extra(layer, q);  // [B, H, T, hd] or undefined
        if (extra.defined()) out = out + extra;
    }
    out = out.transpose(1, 2).reshape({B, T, H * hd});  // [B, T, H*hd]
    return o_proj(out);                                 // [B, T, D]
}

// ---------------------------------------------------------------- MLP, layer, model

MLPImpl::MLPImpl(const ModelConfig& c) {
    gate_proj = register_module("gate_proj", Linear(c.hidden_size, c.intermediate_size, c.mlp_bias));
    up_proj = register_module("up_proj", Linear(c.hidden_size, c.intermediate_size, c.mlp_bias));
    down_proj = register_module("down_proj", Linear(c.intermediate_size, c.hidden_size, c.mlp_bias));
}

torch::Tensor MLPImpl::forward(const torch::Tensor& x) {
    const auto gate_up = forward_linears(x, {gate_proj.get(), up_proj.get()});
    return down_proj(swiglu(gate_up[0], gate_up[1]));  // silu(gate) * up; [B, T, D]
}

DecoderLayerImpl::DecoderLayerImpl(const ModelConfig& c, int64_t i) {
    self_attn = register_module("self_attn", Attention(c, i));
    mlp = register_module("mlp", MLP(c));
    input_layernorm = register_module("input_layernorm", RMSNorm(c.hidden_size, c.rms_norm_eps));
    post_attention_layernorm =
        register_module("post_attention_layernorm", RMSNorm(c.hidden_size, c.rms_norm_eps));
}

torch::Tensor DecoderLayerImpl::forward(const torch::Tensor& x, int64_t start_pos, const RopeTable& rope,
                                        KVCache* cache, const torch::Tensor& mask) {
    auto h = x + self_attn(input_layernorm(x), start_pos, rope, cache, mask);  // [B, T, D]
    return h + mlp(post_attention_layernorm(h));                               // [B, T, D]
}

LlamaBackboneImpl::LlamaBackboneImpl(const ModelConfig& c) {
    embed_tokens = register_module("embed_tokens", Embedding(c.vocab_size, c.hidden_size));
    layers = register_module("layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) layers->push_back(DecoderLayer(c, i));
    norm = register_module("norm", RMSNorm(c.hidden_size, c.rms_norm_eps));
}

namespace {

// One decoder layer run without keeping its activations; backward runs it again (with the random
// state of the first run, so dropout masks repeat) and backpropagates through the recomputation.
// Adapter parameters inside the layer receive their gradients from that inner backward.
struct CheckpointedLayer : torch::autograd::Function<CheckpointedLayer> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor x, int64_t layer,
                                 int64_t start_pos, torch::Tensor cos, torch::Tensor sin,
                                 torch::Tensor mask) {
        ctx->saved_data["layer"] = layer;
        ctx->saved_data["start_pos"] = start_pos;
        ctx->saved_data["rng"] = at::detail::getDefaultCPUGenerator().get_state();
        ctx->save_for_backward({x, cos, sin, mask});
        auto* l = reinterpret_cast<DecoderLayerImpl*>(layer);
        return l->forward(x, start_pos, RopeTable{cos, sin}, nullptr, mask.numel() ? mask : torch::Tensor());
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        auto saved = ctx->get_saved_variables();
        auto* l = reinterpret_cast<DecoderLayerImpl*>(ctx->saved_data["layer"].toInt());
        torch::Tensor x = saved[0].detach().requires_grad_(true);
        at::Generator gen = at::detail::getDefaultCPUGenerator();
        const torch::Tensor now = gen.get_state();
        gen.set_state(ctx->saved_data["rng"].toTensor());
        torch::Tensor y;
        {
            torch::AutoGradMode enable(true);
            y = l->forward(x, ctx->saved_data["start_pos"].toInt(), RopeTable{saved[1], saved[2]}, nullptr,
                           saved[3].numel() ? saved[3] : torch::Tensor());
        }
        gen.set_state(now);
        torch::autograd::backward({y}, {grads[0]});
        return {x.grad(),        torch::Tensor(), torch::Tensor(),
                torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

}  // namespace

LlamaForCausalLMImpl::LlamaForCausalLMImpl(const ModelConfig& c) : config(c) {
    model = register_module("model", LlamaBackbone(c));
    if (!c.tie_word_embeddings)
        lm_head = register_module("lm_head", Linear(c.hidden_size, c.vocab_size, false));
}

const torch::Tensor& LlamaForCausalLMImpl::output_weight() const {
    return lm_head ? lm_head->weight : model->embed_tokens->weight;
}

torch::Tensor LlamaForCausalLMImpl::embed(const torch::Tensor& ids) {
    return model->embed_tokens(ids).to(compute_dtype);
}

void LlamaForCausalLMImpl::ensure_rope(int64_t positions) {
    const auto& w = model->embed_tokens->weight;
    if (rope.cos.defined() && rope.cos.size(0) >= positions && rope.cos.scalar_type() == compute_dtype &&
        rope.cos.device() == w.device())
        return;
    rope = make_rope_table(config, std::max<int64_t>(positions, 64), compute_dtype, w.device());
}

torch::Tensor LlamaForCausalLMImpl::forward_embeddings(const torch::Tensor& h_in, int64_t start_pos,
                                                       KVCache* cache, bool last_only, bool f32_logits) {
    const int64_t T = h_in.size(1), S = start_pos + T;
    ensure_rope(S);
    torch::Tensor mask;  // [T, S]: query i (at start_pos+i) sees keys j <= start_pos+i
    if (T > 1) {
        auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(h_in.device());
        mask = torch::full({T, S}, -std::numeric_limits<float>::infinity(), opts).triu(start_pos + 1);
    }
    torch::Tensor h = h_in.to(compute_dtype);  // [B, T, D]
    const bool checkpoint = gradient_checkpointing && torch::GradMode::is_enabled() && !cache;
    // The first layer's input must take part in autograd, or its backward (and the adapter
    // gradients it produces) would never run.
    if (checkpoint && !h.requires_grad()) h = h.detach().requires_grad_(true);
    for (size_t i = 0; i < model->layers->size(); ++i) {
        auto& l = layer(static_cast<int64_t>(i));
        h = checkpoint ? CheckpointedLayer::apply(h, reinterpret_cast<int64_t>(&l), start_pos, rope.cos,
                                                  rope.sin, mask.defined() ? mask : torch::empty({0}))
                       : l.forward(h, start_pos, rope, cache, mask);
    }
    h = model->norm(h);                                                        // [B, T, D]
    if (last_only) h = h.narrow(1, T - 1, 1);                                  // [B, 1, D]
    torch::Tensor logits = mixed_linear(h, output_weight(), torch::Tensor());  // [B, T|1, V]
    if (head_adapter) logits = head_adapter->apply(h, logits);
    return f32_logits ? logits.to(torch::kFloat32) : logits;
}

torch::Tensor LlamaForCausalLMImpl::forward(const torch::Tensor& ids, int64_t start_pos, KVCache* cache,
                                            bool last_only, bool f32_logits) {
    return forward_embeddings(embed(ids), start_pos, cache, last_only, f32_logits);
}

KVCache LlamaForCausalLMImpl::make_cache(int64_t batch, int64_t capacity, torch::Dtype dtype,
                                         torch::Device device) const {
    KVCache c;
    c.capacity = capacity;
    auto opts = torch::TensorOptions().dtype(dtype).device(device);
    for (int64_t l = 0; l < config.num_hidden_layers; ++l) {
        c.k.push_back(torch::zeros({batch, config.num_key_value_heads, capacity, config.head_dim}, opts));
        c.v.push_back(torch::zeros({batch, config.num_key_value_heads, capacity, config.head_dim}, opts));
    }
    return c;
}

// ---------------------------------------------------------------- LlamaModel (the torch-free facade)

struct LlamaModel::Impl {
    ModelConfig config;
    LlamaForCausalLM net{nullptr};
    KVCache cache;
    int64_t pos = 0;
    torch::Device device{torch::kCPU};
    torch::Dtype dtype = torch::kFloat32;          // weights
    torch::Dtype compute_dtype = torch::kFloat32;  // activations and KV cache
    std::string source, tokenizer_path, tokenizer_config_path, format;
    int64_t size_on_disk = 0;
    std::unique_ptr<Adapter> adapter;
    std::string adapter_dir;                    // where the attached adapter was read from
    std::vector<float> gated_vec, gated_gates;  // the gated path's input, re-installed around adapters
    std::unique_ptr<ArenaFill> fill;            // weights still moving into the arena (background_arena)
    // Before each computing call: moves to the arena copy once it is complete.
    void adopt_arena() {
        if (fill && fill->adopt()) fill.reset();
    }
    void install_gated();
    void remove_gated();
};

namespace {

// Adds tanh(gate[layer]) * vec, broadcast over positions, to a layer's attention output; chains to
// the hook that was there before (an adapter's prefix branch).
struct GatedInputHook : AttentionHook {
    std::shared_ptr<AttentionHook> prev;
    torch::Tensor vec;    // [1, H, 1, hd]
    torch::Tensor gates;  // [layers]
    torch::Tensor extra(int64_t layer, const torch::Tensor& q) override {
        torch::Tensor base = prev ? prev->extra(layer, q) : torch::Tensor();
        auto add = (torch::tanh(gates[layer]) * vec).to(q.scalar_type()).expand(q.sizes());  // [B, H, T, hd]
        return base.defined() ? base + add : add;
    }
};

}  // namespace

void LlamaModel::Impl::install_gated() {
    if (gated_vec.empty()) return;
    const int64_t H = config.num_attention_heads, hd = config.head_dim;
    auto vec = torch::tensor(gated_vec).view({1, H, 1, hd}).to(device, compute_dtype);
    auto gates = torch::tensor(gated_gates).to(device, torch::kFloat32);
    for (int64_t l = 0; l < config.num_hidden_layers; ++l) {
        auto& attn = *net->layer(l).self_attn;
        auto hook = std::make_shared<GatedInputHook>();
        hook->prev = attn.hook;
        hook->vec = vec;
        hook->gates = gates;
        attn.hook = hook;
    }
}

void LlamaModel::Impl::remove_gated() {
    if (gated_vec.empty()) return;
    for (int64_t l = 0; l < config.num_hidden_layers; ++l) {
        auto& attn = *net->layer(l).self_attn;
        if (auto g = std::dynamic_pointer_cast<GatedInputHook>(attn.hook)) attn.hook = g->prev;
    }
}

namespace {

// Weights keep the requested (auto: stored) dtype.
torch::Dtype choose_weight_dtype(const std::string& requested, const ModelConfig& c) {
    if (requested != "auto") return parse_dtype(requested);
    try {
        return parse_dtype(c.torch_dtype);
    } catch (const Error&) {
        return torch::kFloat32;
    }
}

// Compute runs in the weight dtype where the hardware does it fast: CUDA, or bf16 on CPUs with bf16
// instructions. Otherwise 16-bit weights are widened to f32 on the fly (mixed_linear), which keeps
// their halved memory traffic for decoding without oneDNN's slow emulated bf16 GEMM.
torch::Dtype choose_compute_dtype(torch::Dtype weights, torch::Device device) {
    if (weights == torch::kFloat32 || device.is_cuda() || device.is_mps()) return weights;
    if (weights == torch::kBFloat16 && cpu_has_fast_bf16()) return weights;
    return torch::kFloat32;
}

}  // namespace

LlamaModel::LlamaModel() : m(std::make_unique<Impl>()) {}
LlamaModel::~LlamaModel() = default;

std::unique_ptr<LlamaModel> LlamaModel::load(const std::string& path, const LoadOptions& options) {
    Checkpoint ck = load_checkpoint(path, options.tokenizer);
    return from_checkpoint(ck, options);
}

std::unique_ptr<LlamaModel> LlamaModel::from_checkpoint(const Checkpoint& ck, const LoadOptions& options) {
    ensure_engine_threads();
    torch::Device device(torch::kCPU);
    try {
        device = torch::Device(options.device);
    } catch (const std::exception&) {
        throw Error(ErrorCode::InvalidArgument, "device",
                    "unknown device '" + options.device + "' (expected cpu, cuda or mps)");
    }
    if (device.is_cuda() && !cuda_available())
        throw Error(ErrorCode::InvalidArgument, "device",
                    "CUDA was requested but this LibTorch has no CUDA support or no GPU is visible");
    if (device.is_mps() && !mps_available())
        throw Error(ErrorCode::InvalidArgument, "device",
                    "MPS (Apple's Metal GPU) was requested but this LibTorch has no MPS support: it needs "
                    "the macOS LibTorch on an Apple Silicon Mac");

    auto model = std::unique_ptr<LlamaModel>(new LlamaModel());
    Impl& m = *model->m;
    m.config = ck.config;
    m.device = device;
    m.dtype = choose_weight_dtype(options.dtype, ck.config);
    // Metal has float16 but (before macOS 14) no bfloat16: a bf16 checkpoint runs in f16 there.
    if (device.is_mps() && m.dtype == torch::kBFloat16 && options.dtype == "auto") m.dtype = torch::kFloat16;
    m.compute_dtype = choose_compute_dtype(m.dtype, device);
    m.source = ck.source;
    m.tokenizer_path = ck.tokenizer_path;
    m.tokenizer_config_path = ck.tokenizer_config_path;
    m.format = checkpoint_format_name(ck.format);
    m.size_on_disk = ck.size_on_disk;

    torch::NoGradGuard no_grad;
    m.net = LlamaForCausalLM(ck.config);
    m.net->compute_dtype = m.compute_dtype;
    auto params = m.net->named_parameters(/*recurse=*/true);
    // On the CPU the weights are read from their file into one block asked for in huge pages, each
    // tensor on a cache line (common/memory.h; MappedFile::read_at, so the mapping's pages are never
    // faulted in): decode streams every matrix once per token, and from there the GEMVs read one row
    // at a time — on the EPYC dev VM bf16 decode went from 55-59% to 68-83% of the bandwidth bound
    // (docs/benchmarks.md, 2026-12-02). Where memory is short they stay mapped.
    // With background_arena, the weights the file holds as they are computed start from the mapping
    // and are copied on a thread (weight_arena.h); others (converted, or permuted like llama2.c's
    // q and k) are in memory already and stay where they are.
    const auto deferred = [&](const std::string& key) {
        if (!options.background_arena) return false;
        auto it = ck.tensors.find(key);
        return it != ck.tensors.end() && it->second.file && torch_dtype_of(it->second.dtype) == m.dtype;
    };
    std::shared_ptr<uint8_t> arena;
    size_t arena_offset = 0;
    if (device.is_cpu()) {
        size_t total = 0;
        for (const auto& p : params)
            if (!options.background_arena || deferred(p.key()))
                total += arena_bytes(p.value().numel(), m.dtype);
        if (total > 0) arena = allocate_streamed_if_room(total);
    }
    if (arena && options.background_arena) m.fill = std::make_unique<ArenaFill>(arena);
    size_t done = 0;
    for (auto& p : params) {
        auto it = ck.tensors.find(p.key());
        if (it == ck.tensors.end())
            throw Error(ErrorCode::MissingTensor, ck.source,
                        "tensor '" + p.key() + "' is missing from the checkpoint");
        if (std::vector<int64_t>(p.value().sizes().begin(), p.value().sizes().end()) != it->second.shape)
            throw Error(ErrorCode::ShapeMismatch, ck.source,
                        "tensor '" + p.key() + "' has an unexpected shape");
        if (arena && !m.fill) {
            p.value().set_data(tensor_into_arena(it->second, m.dtype, arena, arena_offset));
        } else {
            p.value().set_data(tensor_from_data(it->second, m.dtype, device));  // the mapping, or a copy
            if (m.fill && deferred(p.key())) m.fill->add(p.value(), it->second, m.dtype, arena_offset);
        }
        ++done;
        if (options.progress && !options.progress(static_cast<float>(done) / params.size()))
            throw Error(ErrorCode::Cancelled, ck.source, "model loading cancelled");
    }
    int64_t ctx = options.context_length > 0 ? options.context_length
                                             : std::min<int64_t>(ck.config.max_position_embeddings, 4096);
    // Sliding-window attention (Mistral) equals full attention while the context fits the window;
    // the cache is capped there rather than silently attending further than the model was trained to.
    if (options.context_length <= 0 && ck.config.sliding_window > 0)
        ctx = std::min(ctx, ck.config.sliding_window);
    m.cache = m.net->make_cache(1, ctx, m.compute_dtype, device);
    m.net->ensure_rope(ctx);
    m.net->eval();
    if (m.fill) m.fill->start();  // an arena only exists when some weight waits for it
    return model;
}

const ModelConfig& LlamaModel::config() const {
    return m->config;
}
std::string LlamaModel::dtype() const {
    return dtype_short_name(m->dtype);
}
std::string LlamaModel::compute_dtype() const {
    return dtype_short_name(m->compute_dtype);
}
std::string LlamaModel::device() const {
    return m->device.str();
}
int64_t LlamaModel::context_length() const {
    return m->cache.capacity;
}
const std::string& LlamaModel::source() const {
    return m->source;
}
const std::string& LlamaModel::tokenizer_path() const {
    return m->tokenizer_path;
}
const std::string& LlamaModel::tokenizer_config_path() const {
    return m->tokenizer_config_path;
}
const std::string& LlamaModel::format() const {
    return m->format;
}
void LlamaModel::finish_loading() {
    if (m->fill) m->fill->wait();
    m->fill.reset();
}

int64_t LlamaModel::size_on_disk() const {
    return m->size_on_disk;
}
LlamaForCausalLMImpl& LlamaModel::module() {
    return *m->net;
}

void LlamaModel::reset() {
    m->pos = 0;
}
int64_t LlamaModel::position() const {
    return m->pos;
}

void LlamaModel::truncate(int64_t position) {
    if (position < 0 || position > m->pos)
        throw Error(ErrorCode::InvalidArgument, "truncate",
                    "position " + std::to_string(position) + " is not cached");
    m->pos = position;
}

std::vector<float> LlamaModel::decode(const std::vector<int>& tokens) {
    if (tokens.empty()) throw Error(ErrorCode::InvalidArgument, "decode", "no tokens to decode");
    const int64_t T = static_cast<int64_t>(tokens.size());
    if (m->pos + T > m->cache.capacity)
        throw Error(ErrorCode::InvalidArgument, "decode",
                    "context full: " + std::to_string(m->pos + T) + " tokens exceed the context length of " +
                        std::to_string(m->cache.capacity));
    for (int t : tokens)
        if (t < 0 || t >= m->config.vocab_size)
            throw Error(ErrorCode::InvalidArgument, "decode",
                        "token id " + std::to_string(t) + " is outside the vocabulary");
    m->adopt_arena();
    c10::InferenceMode guard;
    // One token without LibTorch's per-op overhead (direct_decode.cpp is AVX2 code).
    if (T == 1 && m->device.is_cpu() && cpu_has_avx2_fma_f16c() && direct_decode_applies(*m->net)) {
        std::vector<float> logits(static_cast<size_t>(m->config.vocab_size));
        direct_decode_step(*m->net, m->cache, m->pos, tokens[0], logits.data());
        m->pos += 1;
        return logits;
    }
    auto ids = torch::tensor(std::vector<int64_t>(tokens.begin(), tokens.end()), torch::kInt64)
                   .view({1, T})
                   .to(m->device);
    auto logits =
        m->net->forward(ids, m->pos, &m->cache, /*last_only=*/true).view({-1}).to(torch::kCPU).contiguous();
    m->pos += T;
    const float* p = logits.data_ptr<float>();
    return std::vector<float>(p, p + logits.numel());
}

void LlamaModel::attach_adapter(const std::string& dir, double scale) {
    auto adapter = Adapter::load(dir, m->config);
    adapter->to(m->device);
    adapter->set_scale(scale);
    detach_adapter();
    m->remove_gated();
    adapter->attach(*m->net);
    m->install_gated();
    m->adapter = std::move(adapter);
    m->adapter_dir = dir;
    m->pos = 0;
}

void LlamaModel::detach_adapter() {
    if (!m->adapter) return;
    m->remove_gated();
    m->adapter->detach(*m->net);
    m->install_gated();
    m->adapter.reset();
    m->pos = 0;
}

void LlamaModel::set_gated_input(const std::vector<float>& vec, const std::vector<float>& gates) {
    if (!vec.empty() &&
        (static_cast<int64_t>(vec.size()) != m->config.num_attention_heads * m->config.head_dim ||
         static_cast<int64_t>(gates.size()) != m->config.num_hidden_layers))
        throw Error(ErrorCode::ShapeMismatch, "gated input",
                    "expected a vector of " +
                        std::to_string(m->config.num_attention_heads * m->config.head_dim) + " values and " +
                        std::to_string(m->config.num_hidden_layers) + " gates");
    m->remove_gated();
    m->gated_vec = vec;
    m->gated_gates = gates;
    m->install_gated();
    m->pos = 0;
}

std::vector<float> LlamaModel::decode_embeddings(const float* data, int64_t count) {
    if (count <= 0) throw Error(ErrorCode::InvalidArgument, "decode", "no embeddings to decode");
    if (m->pos + count > m->cache.capacity)
        throw Error(ErrorCode::InvalidArgument, "decode",
                    "context full: " + std::to_string(m->pos + count) +
                        " positions exceed the context length of " + std::to_string(m->cache.capacity));
    m->adopt_arena();
    c10::InferenceMode guard;
    const int64_t D = m->config.hidden_size;
    auto h = torch::from_blob(const_cast<float*>(data), {1, count, D}, torch::kFloat32)
                 .to(m->device, m->compute_dtype);
    auto logits = m->net->forward_embeddings(h, m->pos, &m->cache, /*last_only=*/true)
                      .view({-1})
                      .to(torch::kCPU)
                      .contiguous();
    m->pos += count;
    const float* p = logits.data_ptr<float>();
    return std::vector<float>(p, p + logits.numel());
}

void LlamaModel::set_adapter_scale(double scale) {
    if (!m->adapter) return;
    m->adapter->set_scale(scale);
    m->pos = 0;
}

std::string LlamaModel::save_merged(const std::string& out_dir) {
    if (!m->adapter) throw Error(ErrorCode::InvalidArgument, "merge", "no adapter is attached");
    // Never into what it reads: the base folder would get its weights replaced, the adapter's
    // folder a model beside (or over) its files.
    std::error_code ec;
    const fs::path source = fs::absolute(m->source, ec);  // "model.bin": its folder is ".", not ""
    const fs::path base_dir = fs::is_directory(source, ec) ? source : source.parent_path();
    if (same_path(out_dir, base_dir.string()))
        throw Error(ErrorCode::InvalidArgument, out_dir,
                    "this is the base model's folder: the merged model would replace its weights; choose "
                    "another folder");
    if (same_path(out_dir, m->adapter_dir))
        throw Error(ErrorCode::InvalidArgument, out_dir,
                    "this is the adapter's folder; choose another folder for the merged model");
    Checkpoint ck = load_checkpoint(m->source);
    ck.tensors = m->adapter->merged_weights(*m->net, &ck.config);
    // Written whole into a hidden folder inside the target, then moved into place file by file:
    // a failure (a full disk) leaves what the folder held before.
    const std::string partial = (fs::path(out_dir) / ".atelier-export.partial").string();
    fs::remove_all(partial, ec);
    bool has_prefix = false;
    try {
        save_hf_folder(ck, partial);
        if (auto prefix = m->adapter->prefix_part()) {
            prefix->save(partial + "/prefix-adapter");
            has_prefix = true;
        }
        move_folder_contents(partial, out_dir);
    } catch (...) {
        fs::remove_all(partial, ec);
        throw;
    }
    fs::remove_all(partial, ec);
    return has_prefix ? out_dir + "/prefix-adapter" : "";
}

std::string LlamaModel::adapter_method() const {
    return m->adapter ? m->adapter->config().method : std::string();
}

std::vector<float> LlamaModel::forward_all(const std::vector<int>& tokens) {
    if (tokens.empty()) return {};
    m->adopt_arena();
    c10::InferenceMode guard;
    const int64_t T = static_cast<int64_t>(tokens.size());
    auto ids = torch::tensor(std::vector<int64_t>(tokens.begin(), tokens.end()), torch::kInt64)
                   .view({1, T})
                   .to(m->device);
    auto logits = m->net->forward(ids, 0, nullptr, false).view({-1}).to(torch::kCPU).contiguous();
    const float* p = logits.data_ptr<float>();
    return std::vector<float>(p, p + logits.numel());
}

}  // namespace atelier
