// CLIP vision transformer and Whisper encoder, top to bottom. Shapes: B batch, N tokens, D width,
// H heads, hd head_dim, P patches, M mel bins, F feature frames.
#include "encoders/encoder_modules.h"

#include "common/error.h"
#include "model/amx_kernels.h"
#include "model/row_kernels.h"
#include "model/torch_util.h"

#include <cmath>

namespace atelier {

torch::Tensor activation(const std::string& name, const torch::Tensor& x) {
    if (name == "quick_gelu") return x * torch::sigmoid(1.702 * x);
    if (name == "gelu") return torch::gelu(x);
    if (name == "gelu_new" || name == "gelu_pytorch_tanh") return torch::gelu(x, "tanh");
    if (name == "relu") return torch::relu(x);
    if (name == "silu") return torch::silu(x);
    TORCH_CHECK(false, "unknown activation ", name);
}

// The row kernels' form of an activation LibTorch would run after a product: None for none and for
// those they do not have (the caller then runs LibTorch's).
RowAct row_act(const std::string& act) {
    return act == "quick_gelu" ? RowAct::QuickGelu : act == "gelu" ? RowAct::Gelu : RowAct::None;
}

torch::Tensor linear_act(torch::nn::Linear& l, const torch::Tensor& x, const std::string& act, double scale) {
    const auto dtype = x.scalar_type();
    const torch::Tensor &w = l->weight, &b = l->bias;
    if (!c10::InferenceMode::is_enabled() || !x.device().is_cpu() ||
        (dtype != torch::kFloat32 && dtype != torch::kBFloat16) || w.scalar_type() != dtype ||
        (b.defined() && b.scalar_type() != dtype)) {
        auto y = l(x);
        if (!act.empty()) y = activation(act, y);
        return scale == 1.0 ? y : y * scale;
    }
    const RowAct fused = row_act(act);
    const bool later = !act.empty() && fused == RowAct::None;  // `later`: LibTorch's activation
    auto y = linear_rows_padded(x, w, torch::Tensor());
    const torch::Tensor bias = b.defined() ? b.contiguous() : b;
    bias_act_rows(y.data_ptr(), dtype == torch::kBFloat16, y.numel() / y.size(-1), y.size(-1),
                  bias.defined() ? bias.data_ptr() : nullptr, dtype == torch::kBFloat16,
                  later ? 1.0f : static_cast<float>(scale), fused);
    if (!later) return y;
    y = activation(act, y);
    return scale == 1.0 ? y : y * scale;
}

namespace {

// softmax(q kᵀ) v for inference on the CPU, one head at a time, when the scores of all heads would
// not stay in the caches (Whisper's 8 × 1500² bf16 scores are 36 MB, written by the first product,
// read and rewritten by the softmax, read by the second; one head's 4.5 MB stay in L2/L3 between
// them): Whisper-base's encoder 0.108-0.113 s against 0.124-0.127 s batched on the dev VM. Smaller
// score sets (CLIP-L/336: 16 × 577², 10.6 MB) run batched, which was the faster for them
// (0.38 against 0.41 s). q, k, v: [B, H, N, hd], q already scaled; returns [B, N, H * hd].
torch::Tensor attention_by_head(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
    const int64_t B = q.size(0), H = q.size(1), N = q.size(2), hd = q.size(3);
    const auto qc = q.contiguous(), kc = k.contiguous(), vc = v.contiguous();
    auto out = torch::empty({B, N, H, hd}, q.options());
    for (int64_t b = 0; b < B; ++b)
        for (int64_t h = 0; h < H; ++h) {
            auto probs = attention_softmax(torch::mm(qc[b][h], kc[b][h].t()), v.scalar_type());  // [N, N]
            out[b].select(1, h).copy_(torch::mm(probs, vc[b][h]));                               // [N, hd]
        }
    return out.view({B, N, H * hd});
}

// The fused AMX attention (model/amx_kernels.h) over [B, N, H · hd] bf16 rows, or an undefined
// tensor where it does not run.
torch::Tensor attention_amx(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, int64_t H,
                            int64_t hd) {
    if (!c10::InferenceMode::is_enabled() || !q.device().is_cpu() || q.scalar_type() != torch::kBFloat16 ||
        !q.is_contiguous() || !k.is_contiguous() || !v.is_contiguous() || !cpu_has_amx_bf16())
        return {};
    const int64_t B = q.size(0), N = q.size(1), D = H * hd;
    auto out = torch::empty({B, N, D}, q.options());
    const auto bits = [](const torch::Tensor& t, int64_t b) {
        return reinterpret_cast<const uint16_t*>(t.data_ptr<at::BFloat16>()) + b * t.stride(0);
    };
    for (int64_t b = 0; b < B; ++b)
        if (!attention_bf16_amx(bits(q, b), bits(k, b), bits(v, b), D, H, N, hd,
                                reinterpret_cast<uint16_t*>(out.data_ptr<at::BFloat16>()) + b * N * D, D))
            return {};
    return out;
}

// Multi-head self-attention without a mask. q is scaled by hd^-0.5 as both HF modules do.
torch::Tensor self_attention(const torch::Tensor& x, torch::nn::Linear& q_proj, torch::nn::Linear& k_proj,
                             torch::nn::Linear& v_proj, torch::nn::Linear& out_proj, int64_t H, int64_t hd) {
    const int64_t B = x.size(0), N = x.size(1);
    const auto q_rows = linear_act(q_proj, x, "", 1.0 / std::sqrt(double(hd)));  // [B, N, D]
    const auto k_rows = linear_act(k_proj, x, "", 1.0), v_rows = linear_act(v_proj, x, "", 1.0);
    if (auto fused = attention_amx(q_rows, k_rows, v_rows, H, hd); fused.defined())
        return linear_act(out_proj, fused, "", 1.0);
    auto q = q_rows.view({B, N, H, hd}).transpose(1, 2);  // [B, H, N, hd]
    auto k = k_rows.view({B, N, H, hd}).transpose(1, 2);
    auto v = v_rows.view({B, N, H, hd}).transpose(1, 2);
    const int64_t score_bytes = H * N * N * static_cast<int64_t>(q.element_size());
    torch::Tensor out;
    if (c10::InferenceMode::is_enabled() && x.device().is_cpu() && score_bytes > (int64_t{16} << 20)) {
        out = attention_by_head(q, k, v);  // [B, N, D]
    } else {
        auto scores = torch::matmul(q, k.transpose(2, 3));                      // [B, H, N, N]
        auto probs = attention_softmax(scores, v.scalar_type());                // [B, H, N, N]
        out = torch::matmul(probs, v).transpose(1, 2).reshape({B, N, H * hd});  // [B, N, D]
    }
    return linear_act(out_proj, out, "", 1.0);  // [B, N, D]
}

torch::nn::LayerNorm layer_norm(int64_t dim, double eps) {
    return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(eps));
}

// Conv1d as im2col + matmul, for training: LibTorch 1.13's oneDNN conv1d backward returns
// gradients of ~1e17 for Whisper's front end on some inputs (measured on the demo task's audio;
// correct with oneDNN off). Same result as the convolution, and differentiable through plain ops.
torch::Tensor conv1d_trainable(const torch::Tensor& x /*[B, C, F]*/, torch::nn::Conv1d& conv, int64_t pad) {
    const auto& o = conv->options;
    const int64_t k = o.kernel_size()->at(0), stride = o.stride()->at(0);
    auto w = conv->weight;                                                   // [D, C, k]
    auto cols = torch::constant_pad_nd(x, {pad, pad}).unfold(2, k, stride);  // [B, C, F', k]
    cols = cols.permute({0, 2, 1, 3}).flatten(2);                            // [B, F', C*k]
    auto y = torch::matmul(cols, w.flatten(1).t());                          // [B, F', D]
    if (conv->bias.defined()) y = y + conv->bias;
    return y.transpose(1, 2);  // [B, D, F']
}

// Conv1d for inference over row-major input [B, F, C] (time by channels), giving row-major
// [B, F', D]: output row t is the product of input rows t·stride - pad … + kernel - 1 (zero rows
// past the ends) with the weight reordered tap-major to [D, kernel · C], as one GEMM; the bias and
// the activation in the GEMM's epilogue (bias_act_rows). Whisper's front end ran as oneDNN's
// convolution into [B, D, F'], a copy to rows and LibTorch's bf16 GELU on each output (7 ms of its
// 87 ms of profiled ops on the Xeon VM). Undefined where it does not apply (training, other
// dtypes or activations), for the caller's LibTorch path.
torch::Tensor conv1d_rows(const torch::Tensor& x, torch::nn::Conv1d& conv, const std::string& act) {
    const auto& o = conv->options;
    const torch::Tensor &w = conv->weight, &b = conv->bias;
    const auto dtype = x.scalar_type();
    const RowAct fused = row_act(act);
    const auto* pad = c10::get_if<torch::ExpandingArray<1>>(&o.padding());
    if (!c10::InferenceMode::is_enabled() || !x.device().is_cpu() ||
        (dtype != torch::kFloat32 && dtype != torch::kBFloat16) || w.scalar_type() != dtype ||
        (b.defined() && b.scalar_type() != dtype) || (!act.empty() && fused == RowAct::None) || !pad ||
        o.dilation()->at(0) != 1 || o.groups() != 1)
        return {};
    const int64_t k = o.kernel_size()->at(0), stride = o.stride()->at(0), p = (*pad)->at(0);
    const int64_t B = x.size(0), C = x.size(2), D = w.size(0), Fo = (x.size(1) + 2 * p - k) / stride + 1;
    const auto padded = torch::constant_pad_nd(x, {0, 0, p, p});  // [B, F + 2p, C]
    const auto windows = padded.as_strided({B, Fo, k * C}, {padded.stride(0), stride * C, 1});  // overlapping
    const auto taps = w.permute({0, 2, 1}).reshape({D, k * C});                                 // [D, k·C]
    auto y = torch::matmul(windows, taps.t()).contiguous();                                     // [B, F', D]
    const torch::Tensor bias = b.defined() ? b.contiguous() : b;
    bias_act_rows(y.data_ptr(), dtype == torch::kBFloat16, B * Fo, D,
                  bias.defined() ? bias.data_ptr() : nullptr, dtype == torch::kBFloat16, 1.0f, fused);
    return y;
}

bool training_weights(const torch::Tensor& w) {
    return torch::GradMode::is_enabled() && w.requires_grad();
}

void report(const LayerProgress& progress, int64_t done, int64_t total) {
    if (progress && !progress(done, total))
        throw Error(ErrorCode::Cancelled, "encoder", "encoding cancelled");
}

}  // namespace

// ---------------------------------------------------------------- CLIP vision

ClipAttentionImpl::ClipAttentionImpl(int64_t dim, int64_t heads_) : heads(heads_), head_dim(dim / heads_) {
    q_proj = register_module("q_proj", torch::nn::Linear(dim, dim));
    k_proj = register_module("k_proj", torch::nn::Linear(dim, dim));
    v_proj = register_module("v_proj", torch::nn::Linear(dim, dim));
    out_proj = register_module("out_proj", torch::nn::Linear(dim, dim));
}

torch::Tensor ClipAttentionImpl::forward(const torch::Tensor& x) {
    return self_attention(x, q_proj, k_proj, v_proj, out_proj, heads, head_dim);
}

ClipMlpImpl::ClipMlpImpl(int64_t dim, int64_t hidden, std::string act_) : act(std::move(act_)) {
    fc1 = register_module("fc1", torch::nn::Linear(dim, hidden));
    fc2 = register_module("fc2", torch::nn::Linear(hidden, dim));
}

ClipEncoderLayerImpl::ClipEncoderLayerImpl(const ClipVisionConfig& c) {
    self_attn = register_module("self_attn", ClipAttention(c.hidden_size, c.num_attention_heads));
    layer_norm1 = register_module("layer_norm1", layer_norm(c.hidden_size, c.layer_norm_eps));
    mlp = register_module("mlp", ClipMlp(c.hidden_size, c.intermediate_size, c.hidden_act));
    layer_norm2 = register_module("layer_norm2", layer_norm(c.hidden_size, c.layer_norm_eps));
}

torch::Tensor ClipEncoderLayerImpl::forward(const torch::Tensor& x) {
    auto h = x + self_attn(apply_layer_norm(layer_norm1, x));  // [B, N, D]
    return h + mlp(apply_layer_norm(layer_norm2, h));          // [B, N, D]
}

ClipEncoderImpl::ClipEncoderImpl(const ClipVisionConfig& c) {
    layers = register_module("layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) layers->push_back(ClipEncoderLayer(c));
}

ClipEmbeddingsImpl::ClipEmbeddingsImpl(const ClipVisionConfig& c) {
    class_embedding = register_parameter("class_embedding", torch::zeros({c.hidden_size}));
    patch_embedding = register_module(
        "patch_embedding",
        torch::nn::Conv2d(torch::nn::Conv2dOptions(c.num_channels, c.hidden_size, c.patch_size)
                              .stride(c.patch_size)
                              .bias(false)));
    position_embedding =
        register_module("position_embedding", torch::nn::Embedding(c.num_positions(), c.hidden_size));
}

torch::Tensor ClipEmbeddingsImpl::forward(const torch::Tensor& pixel_values) {
    const int64_t B = pixel_values.size(0);
    auto w = patch_embedding->weight;
    auto patches = patch_embedding(pixel_values.to(w.scalar_type()));         // [B, D, h, w]
    patches = patches.flatten(2).transpose(1, 2);                             // [B, P, D]
    auto cls = class_embedding.to(patches.scalar_type()).expand({B, 1, -1});  // [B, 1, D]
    auto x = torch::cat({cls, patches}, 1);                                   // [B, 1+P, D]
    return x + position_embedding->weight.to(x.scalar_type()).unsqueeze(0);   // [B, 1+P, D]
}

ClipVisionTransformerImpl::ClipVisionTransformerImpl(const ClipVisionConfig& c) : config(c) {
    embeddings = register_module("embeddings", ClipEmbeddings(c));
    pre_layrnorm = register_module("pre_layrnorm", layer_norm(c.hidden_size, c.layer_norm_eps));
    encoder = register_module("encoder", ClipEncoder(c));
    post_layernorm = register_module("post_layernorm", layer_norm(c.hidden_size, c.layer_norm_eps));
}

ClipVisionOutput ClipVisionTransformerImpl::forward(const torch::Tensor& pixel_values, int64_t layers_to_run,
                                                    const LayerProgress& progress) {
    const int64_t L = static_cast<int64_t>(encoder->layers->size());
    if (layers_to_run <= 0 || layers_to_run > L) layers_to_run = L;
    ClipVisionOutput out;
    auto h = apply_layer_norm(pre_layrnorm, embeddings(pixel_values));  // [B, 1+P, D]
    out.hidden_states.push_back(h);
    for (int64_t i = 0; i < layers_to_run; ++i) {
        report(progress, i, layers_to_run);
        h = encoder->layers[i]->as<ClipEncoderLayerImpl>()->forward(h);  // [B, 1+P, D]
        out.hidden_states.push_back(h);
    }
    report(progress, layers_to_run, layers_to_run);
    out.last_hidden_state = h;
    return out;
}

torch::Tensor ClipVisionTransformerImpl::pooled(const torch::Tensor& last_hidden_state) {
    return apply_layer_norm(post_layernorm, last_hidden_state.select(1, 0));  // [B, D]
}

// ---------------------------------------------------------------- Whisper encoder

WhisperAttentionImpl::WhisperAttentionImpl(int64_t dim, int64_t heads_)
    : heads(heads_), head_dim(dim / heads_) {
    q_proj = register_module("q_proj", torch::nn::Linear(dim, dim));
    k_proj = register_module("k_proj", torch::nn::Linear(torch::nn::LinearOptions(dim, dim).bias(false)));
    v_proj = register_module("v_proj", torch::nn::Linear(dim, dim));
    out_proj = register_module("out_proj", torch::nn::Linear(dim, dim));
}

torch::Tensor WhisperAttentionImpl::forward(const torch::Tensor& x) {
    return self_attention(x, q_proj, k_proj, v_proj, out_proj, heads, head_dim);
}

WhisperEncoderLayerImpl::WhisperEncoderLayerImpl(const WhisperEncoderConfig& c) : act(c.activation_function) {
    self_attn = register_module("self_attn", WhisperAttention(c.d_model, c.encoder_attention_heads));
    self_attn_layer_norm = register_module("self_attn_layer_norm", layer_norm(c.d_model, 1e-5));
    fc1 = register_module("fc1", torch::nn::Linear(c.d_model, c.encoder_ffn_dim));
    fc2 = register_module("fc2", torch::nn::Linear(c.encoder_ffn_dim, c.d_model));
    final_layer_norm = register_module("final_layer_norm", layer_norm(c.d_model, 1e-5));
}

torch::Tensor WhisperEncoderLayerImpl::forward(const torch::Tensor& x) {
    auto h = x + self_attn(apply_layer_norm(self_attn_layer_norm, x));  // [B, N, D]
    return h + linear_act(fc2, linear_act(fc1, apply_layer_norm(final_layer_norm, h), act, 1.0), "", 1.0);
}

WhisperEncoderImpl::WhisperEncoderImpl(const WhisperEncoderConfig& c) : config(c) {
    conv1 = register_module(
        "conv1", torch::nn::Conv1d(torch::nn::Conv1dOptions(c.num_mel_bins, c.d_model, 3).padding(1)));
    conv2 = register_module(
        "conv2", torch::nn::Conv1d(torch::nn::Conv1dOptions(c.d_model, c.d_model, 3).stride(2).padding(1)));
    embed_positions =
        register_module("embed_positions", torch::nn::Embedding(c.max_source_positions, c.d_model));
    layers = register_module("layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.encoder_layers; ++i) layers->push_back(WhisperEncoderLayer(c));
    layer_norm = register_module("layer_norm", atelier::layer_norm(c.d_model, 1e-5));
}

torch::Tensor WhisperEncoderImpl::forward(const torch::Tensor& input_features,
                                          const LayerProgress& progress) {
    const int64_t F = input_features.size(2), N = config.max_source_positions;
    TORCH_CHECK(F == 2 * N, "Whisper expects ", 2 * N, " feature frames, got ", F);
    auto w = conv1->weight;
    const bool train = training_weights(w);
    auto in = input_features.to(w.scalar_type());
    const std::string& act = config.activation_function;
    // Row-major from here: a transposed view would carry its strides into every layer's adds and
    // norms (LibTorch keeps the first input's layout), each then a strided pass or a copy.
    torch::Tensor x = conv1d_rows(in.transpose(1, 2), conv1, act);  // [B, F, D]; undefined when training
    if (x.defined()) x = conv1d_rows(x, conv2, act);                // [B, N, D]
    if (!x.defined()) {
        x = activation(act, train ? conv1d_trainable(in, conv1, 1) : conv1(in));  // [B, D, F]
        x = activation(act, train ? conv1d_trainable(x, conv2, 1) : conv2(x));    // [B, D, N]
        x = x.transpose(1, 2).contiguous();                                       // [B, N, D]
    }
    x = x + embed_positions->weight.narrow(0, 0, N).to(x.scalar_type()).unsqueeze(0);  // [B, N, D]
    const int64_t L = static_cast<int64_t>(layers->size());
    for (int64_t i = 0; i < L; ++i) {
        report(progress, i, L);
        x = layers[i]->as<WhisperEncoderLayerImpl>()->forward(x);  // [B, N, D]
    }
    report(progress, L, L);
    return apply_layer_norm(layer_norm, x);  // [B, N, D]
}

}  // namespace atelier
