#include "model/small_decode.h"

#include "model/half_gemv.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

namespace atelier {

namespace {

constexpr int64_t kMaxParameters = 64'000'000;

bool f32_cpu(const torch::Tensor& t) {
    return !t.defined() || (t.scalar_type() == torch::kFloat32 && t.device().is_cpu() && t.is_contiguous() &&
                            !t.requires_grad());
}

bool plain(const Linear& l) {
    return l && !l->adapter && f32_cpu(l->weight) && f32_cpu(l->bias);
}

bool plain(const RMSNorm& n) {
    return n && !n->adapter && f32_cpu(n->weight);
}

const float* data(const torch::Tensor& t) {
    return t.defined() ? t.data_ptr<float>() : nullptr;
}

void linear(const Linear& l, const float* x, float* y) {
    gemv_f32(x, l->weight.size(1), data(l->weight), l->weight.size(0), data(l->bias), y);
}

// As RMSNormImpl::forward: x * rsqrt(mean(x²) + eps) * weight, in float32.
void rmsnorm(const RMSNorm& n, const float* x, int64_t D, float* y) {
    float ss = 0;
    for (int64_t i = 0; i < D; ++i) ss += x[i] * x[i];
    const float scale = 1.0f / std::sqrt(ss / static_cast<float>(D) + static_cast<float>(n->eps));
    const float* w = data(n->weight);
    for (int64_t i = 0; i < D; ++i) y[i] = w[i] * (x[i] * scale);
}

// x·cos + rotate_half(x)·sin for each of `heads` rows of hd values (HF's rotate-half layout).
void rope(float* x, int64_t heads, int64_t hd, const float* cos, const float* sin) {
    const int64_t half = hd / 2;
    for (int64_t h = 0; h < heads; ++h) {
        float* r = x + h * hd;
        for (int64_t i = 0; i < half; ++i) {
            const float a = r[i], b = r[i + half];
            r[i] = a * cos[i] - b * sin[i];
            r[i + half] = b * cos[i + half] + a * sin[i + half];
        }
    }
}

}  // namespace

bool small_decode_applies(LlamaForCausalLMImpl& net) {
    static const bool enabled = [] {
        const char* env = std::getenv("ATELIER_SMALL_DECODE");
        return !env || std::string(env) != "0";
    }();
    if (!enabled || net.head_adapter || net.gradient_checkpointing) return false;
    if (net.config.num_parameters() > kMaxParameters || net.config.head_dim % 2 != 0) return false;
    if (!f32_cpu(net.model->embed_tokens->weight) || !plain(net.model->norm) || !f32_cpu(net.output_weight()))
        return false;
    for (int64_t i = 0; i < net.config.num_hidden_layers; ++i) {
        DecoderLayerImpl& l = net.layer(i);
        const AttentionImpl& a = *l.self_attn;
        if (a.hook || !plain(a.q_proj) || !plain(a.k_proj) || !plain(a.v_proj) || !plain(a.o_proj) ||
            !plain(l.mlp->gate_proj) || !plain(l.mlp->up_proj) || !plain(l.mlp->down_proj) ||
            !plain(l.input_layernorm) || !plain(l.post_attention_layernorm))
            return false;
    }
    return true;
}

void small_decode_step(LlamaForCausalLMImpl& net, KVCache& cache, int64_t pos, int token, float* logits) {
    const ModelConfig& c = net.config;
    const int64_t D = c.hidden_size, H = c.num_attention_heads, KV = c.num_key_value_heads, hd = c.head_dim,
                  I = c.intermediate_size, rep = H / KV, S = pos + 1, cap = cache.capacity;
    net.ensure_rope(S);
    TORCH_CHECK(net.rope.cos.scalar_type() == torch::kFloat32 && net.rope.cos.is_contiguous(),
                "small decode: the rotary table is not float32");
    const float* cos = data(net.rope.cos) + pos * hd;
    const float* sin = data(net.rope.sin) + pos * hd;

    // Scratch reused across steps (one model decodes on one thread at a time).
    thread_local std::vector<float> buf;
    const size_t need = static_cast<size_t>(2 * D + 2 * H * hd + 2 * KV * hd + 2 * I + S);
    if (buf.size() < need) buf.resize(need);
    float* x = buf.data();     // residual stream [D]
    float* xb = x + D;         // normalised input [D]
    float* q = xb + D;         // [H * hd]
    float* k = q + H * hd;     // [KV * hd]
    float* v = k + KV * hd;    // [KV * hd]
    float* att = v + KV * hd;  // the heads' outputs [H * hd]
    float* hb = att + H * hd;  // gate [I]
    float* hb2 = hb + I;       // up [I]
    float* scores = hb2 + I;   // [S]

    std::copy_n(data(net.model->embed_tokens->weight) + static_cast<int64_t>(token) * D, D, x);
    const float inv_sqrt_hd = 1.0f / std::sqrt(static_cast<float>(hd));
    for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
        DecoderLayerImpl& layer = net.layer(l);
        AttentionImpl& a = *layer.self_attn;
        rmsnorm(layer.input_layernorm, x, D, xb);
        // K and V straight into the cache ([1, KV, capacity, hd]): row `pos` of each KV head.
        TORCH_CHECK(f32_cpu(cache.k[l]) && f32_cpu(cache.v[l]) && cache.k[l].size(0) == 1,
                    "small decode: the KV cache is not a float32 batch-1 CPU cache");
        float* kc = cache.k[l].data_ptr<float>();
        float* vc = cache.v[l].data_ptr<float>();
        linear(a.q_proj, xb, q);
        linear(a.k_proj, xb, k);
        linear(a.v_proj, xb, v);
        rope(q, H, hd, cos, sin);
        rope(k, KV, hd, cos, sin);
        for (int64_t g = 0; g < KV; ++g) {
            std::copy_n(k + g * hd, hd, kc + (g * cap + pos) * hd);
            std::copy_n(v + g * hd, hd, vc + (g * cap + pos) * hd);
        }
        for (int64_t h = 0; h < H; ++h) {
            const float* qh = q + h * hd;
            const float* kg = kc + (h / rep) * cap * hd;
            const float* vg = vc + (h / rep) * cap * hd;
            for (int64_t j = 0; j < S; ++j) {
                float s = 0;
                for (int64_t i = 0; i < hd; ++i) s += qh[i] * kg[j * hd + i];
                scores[j] = s * inv_sqrt_hd;
            }
            float top = scores[0];
            for (int64_t j = 1; j < S; ++j) top = std::max(top, scores[j]);
            float sum = 0;
            for (int64_t j = 0; j < S; ++j) {
                scores[j] = std::exp(scores[j] - top);
                sum += scores[j];
            }
            float* out = att + h * hd;
            std::fill_n(out, hd, 0.0f);
            for (int64_t j = 0; j < S; ++j) {
                const float p = scores[j] / sum;
                for (int64_t i = 0; i < hd; ++i) out[i] += p * vg[j * hd + i];
            }
        }
        linear(a.o_proj, att, xb);
        for (int64_t i = 0; i < D; ++i) x[i] += xb[i];

        rmsnorm(layer.post_attention_layernorm, x, D, xb);
        linear(layer.mlp->gate_proj, xb, hb);
        linear(layer.mlp->up_proj, xb, hb2);
        for (int64_t i = 0; i < I; ++i) hb[i] = hb[i] / (1.0f + std::exp(-hb[i])) * hb2[i];  // silu(g) * u
        linear(layer.mlp->down_proj, hb, xb);
        for (int64_t i = 0; i < D; ++i) x[i] += xb[i];
    }
    rmsnorm(net.model->norm, x, D, xb);
    const torch::Tensor& out = net.output_weight();
    gemv_f32(xb, D, data(out), out.size(0), nullptr, logits);
}

}  // namespace atelier
