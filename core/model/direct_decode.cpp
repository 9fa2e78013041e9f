#include "model/direct_decode.h"

#include "model/half_gemv.h"
#include "model/kernel_util.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace atelier {

namespace {

bool cpu_plain(const torch::Tensor& t) {
    return t.device().is_cpu() && t.is_contiguous() && !t.requires_grad();
}

// A weight (or bias) this path reads: bf16 compute multiplies bf16 by bf16 (the whole checkpoint in
// bf16, as the loader makes it); f32 compute widens f16 or bf16 in registers.
bool usable(const torch::Tensor& t, bool bf16_compute) {
    if (!t.defined()) return true;
    if (!cpu_plain(t)) return false;
    const auto s = t.scalar_type();
    if (bf16_compute) return s == torch::kBFloat16;
    return s == torch::kFloat32 || s == torch::kBFloat16 || s == torch::kHalf;
}

// LoRA's A and B: f32 (the trained master weights) or bf16, on the CPU.
bool usable_low_rank(const std::shared_ptr<LinearAdapter>& adapter) {
    if (!adapter) return true;
    torch::Tensor A, B;
    double scale = 0;
    if (!adapter->low_rank(&A, &B, &scale)) return false;
    for (const torch::Tensor* t : {&A, &B})
        if (!t->defined() || !t->device().is_cpu() || !t->is_contiguous() || t->dim() != 2 ||
            (t->scalar_type() != torch::kFloat32 && t->scalar_type() != torch::kBFloat16))
            return false;
    return true;
}

bool plain(const Linear& l, bool bf16) {
    return l && usable_low_rank(l->adapter) && l->weight.defined() && usable(l->weight, bf16) &&
           usable(l->bias, bf16);
}

bool plain(const RMSNorm& n, bool bf16) {
    return n && !n->adapter && n->weight.defined() && usable(n->weight, bf16);
}

// float32 -> bf16 -> float32, rounding to nearest even as LibTorch does; NaN stays NaN. A select,
// not a branch, so the loops around it vectorise.
inline float round_bf16(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    const uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u;
    u = (u & 0x7fffffffu) > 0x7f800000u ? (u | 0x00400000u) & 0xffff0000u : rounded;
    std::memcpy(&f, &u, 4);
    return f;
}

inline float bf16_value(uint16_t b) {
    const uint32_t u = uint32_t(b) << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

inline uint16_t bf16_bits(float f) {  // f already holds a bf16 value
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return static_cast<uint16_t>(u >> 16);
}

// Elements [offset, offset + n) of a f32, bf16 or f16 tensor as float32.
void to_float(const torch::Tensor& t, int64_t offset, int64_t n, float* dst) {
    switch (t.scalar_type()) {
        case torch::kFloat32: std::copy_n(t.data_ptr<float>() + offset, n, dst); break;
        case torch::kBFloat16:
        case torch::kHalf:
            half_to_float(static_cast<const uint16_t*>(t.data_ptr()) + offset, n,
                          t.scalar_type() == torch::kBFloat16, dst);
            break;
        default: TORCH_CHECK(false, "direct decode: unexpected dtype ", t.scalar_type());
    }
}

// Buffers reused across steps (one model decodes on one thread at a time).
struct Scratch {
    std::vector<float> act, bias, norm, low_rank;
    std::vector<uint16_t> xbits;
    std::vector<float> part_bias[3];  // linears(): the parts' biases widened
};

// With bf16 compute, what LibTorch's bf16 tensors would hold.
struct Rounding {
    bool bf16;
    void operator()(float* x, int64_t n) const {
        if (bf16)
            for (int64_t i = 0; i < n; ++i) x[i] = round_bf16(x[i]);
    }
    float operator()(float v) const { return bf16 ? round_bf16(v) : v; }
};

// A bias as f32: its own data when it is f32, else widened into `buf`; null when undefined.
const float* f32_bias(const torch::Tensor& b, std::vector<float>& buf) {
    if (!b.defined()) return nullptr;
    if (b.scalar_type() == torch::kFloat32) return b.data_ptr<float>();
    buf.resize(static_cast<size_t>(b.numel()));
    to_float(b, 0, b.numel(), buf.data());
    return buf.data();
}

// x[0..K) as bf16 bits (in s.xbits), the activation row of bf16_gemv.
const uint16_t* bf16_row(const float* x, int64_t K, Scratch& s) {
    s.xbits.resize(static_cast<size_t>(K));
    for (int64_t k = 0; k < K; ++k) s.xbits[k] = bf16_bits(x[k]);
    return s.xbits.data();
}

// y[N] = w[N, K] x[K] + bias, as mixed_linear: the f32 sum rounded once to the compute dtype.
void gemv(const torch::Tensor& w, const torch::Tensor& b, const float* x, float* y, const Rounding& round,
          Scratch& s) {
    const int64_t N = w.size(0), K = w.size(1);
    const float* bias = f32_bias(b, s.bias);
    if (round.bf16) {  // bf16 weights (direct_decode_applies): vdpbf16ps on bf16 activations
        bf16_gemv(bf16_row(x, K, s), K, static_cast<const uint16_t*>(w.data_ptr()), N, bias, y);
        round(y, N);
        return;
    }
    if (w.scalar_type() == torch::kFloat32)
        gemv_f32(x, K, w.data_ptr<float>(), N, bias, y);
    else
        half_gemv(x, 1, K, static_cast<const uint16_t*>(w.data_ptr()), w.scalar_type() == torch::kBFloat16, N,
                  bias, y);
}

// Element i of a f32 or bf16 tensor's data in the compute dtype, as `A.to(dtype)` rounds it.
inline float element(const float* f32, const uint16_t* bf16, int64_t i, const Rounding& round) {
    return f32 ? round(f32[i]) : bf16_value(bf16[i]);
}

// LoRA as LoraLinear::apply computes it: hA = A x in the compute dtype, then y + scale · B hA as one
// addmm, each rounded once.
void add_low_rank(const LinearAdapter& adapter, const float* x, float* y, const Rounding& round, Scratch& s) {
    torch::Tensor A, B;
    double scale = 0;
    adapter.low_rank(&A, &B, &scale);
    const int64_t r = A.size(0), K = A.size(1), N = B.size(0);
    const bool a32 = A.scalar_type() == torch::kFloat32, b32 = B.scalar_type() == torch::kFloat32;
    const float* af = a32 ? A.data_ptr<float>() : nullptr;
    const float* bf = b32 ? B.data_ptr<float>() : nullptr;
    const auto* ab = a32 ? nullptr : static_cast<const uint16_t*>(A.data_ptr());
    const auto* bb = b32 ? nullptr : static_cast<const uint16_t*>(B.data_ptr());
    s.low_rank.resize(static_cast<size_t>(r));
    float* ha = s.low_rank.data();
    for (int64_t i = 0; i < r; ++i) {
        float dot = 0;
        for (int64_t k = 0; k < K; ++k) dot += element(af, ab, i * K + k, round) * x[k];
        ha[i] = round(dot);
    }
    const float sc = static_cast<float>(scale);
    for (int64_t n = 0; n < N; ++n) {
        float dot = 0;
        for (int64_t i = 0; i < r; ++i) dot += element(bf, bb, n * r + i, round) * ha[i];
        y[n] = round(y[n] + sc * dot);
    }
}

void linear(const Linear& l, const float* x, float* y, const Rounding& round, Scratch& s) {
    gemv(l->weight, l->bias, x, y, round, s);
    if (l->adapter) add_low_rank(*l->adapter, x, y, round, s);
}

// Linears of the same input (q, k and v; gate and up), as linear() each, in one parallel pass over
// all their matrices' rows (bf16_gemv_set, gemv_set).
struct LinearOut {
    const Linear* l;
    float* y;
};
void linears(std::initializer_list<LinearOut> outs, const float* x, const Rounding& round, Scratch& s) {
    const torch::Dtype dtype = (*outs.begin()->l)->weight.scalar_type();
    const int64_t K = (*outs.begin()->l)->weight.size(1);
    GemvPart parts[3];
    int count = 0;
    for (const LinearOut& o : outs) {
        const Linear& l = *o.l;
        if (l->weight.scalar_type() != dtype) {  // mixed weights: one at a time
            for (const LinearOut& each : outs) linear(*each.l, x, each.y, round, s);
            return;
        }
        parts[count] = {l->weight.data_ptr(), l->weight.size(0), f32_bias(l->bias, s.part_bias[count]), o.y};
        ++count;
    }
    if (round.bf16)
        bf16_gemv_set(bf16_row(x, K, s), K, parts, count);
    else
        gemv_set(x, K,
                 dtype == torch::kFloat32    ? GemvWeights::F32
                 : dtype == torch::kBFloat16 ? GemvWeights::BF16
                                             : GemvWeights::F16,
                 parts, count);
    int i = 0;
    for (const LinearOut& o : outs) {
        round(o.y, parts[i++].N);
        if ((*o.l)->adapter) add_low_rank(*(*o.l)->adapter, x, o.y, round, s);
    }
}

// As RMSNormImpl::forward: x * rsqrt(mean(x²) + eps) in float32, cast to the compute dtype, times
// the weight.
void rmsnorm(const RMSNorm& n, const float* x, int64_t D, float* y, const Rounding& round, Scratch& s) {
    float ss = 0;
    for (int64_t i = 0; i < D; ++i) ss += x[i] * x[i];
    const float scale = 1.0f / std::sqrt(ss / static_cast<float>(D) + static_cast<float>(n->eps));
    s.norm.resize(static_cast<size_t>(D));
    to_float(n->weight, 0, D, s.norm.data());
    const float* w = s.norm.data();
    for (int64_t i = 0; i < D; ++i) y[i] = round(w[i] * round(x[i] * scale));
}

// q * cos + rotate_half(q) * sin for each of `heads` rows of hd values (HF's rotate-half layout),
// each product and the sum rounded as LibTorch's tensors are.
void rope(float* x, int64_t heads, int64_t hd, const float* cos, const float* sin, const Rounding& round) {
    const int64_t half = hd / 2;
    for (int64_t h = 0; h < heads; ++h) {
        float* r = x + h * hd;
        for (int64_t i = 0; i < half; ++i) {
            const float a = r[i], b = r[i + half];
            r[i] = round(round(a * cos[i]) + round(-b * sin[i]));
            r[i + half] = round(round(b * cos[i + half]) + round(a * sin[i + half]));
        }
    }
}

#if ATELIER_X86
ATELIER_TARGET("avx2,fma") inline __m256 load8(const float* v) {
    return _mm256_loadu_ps(v);
}
ATELIER_TARGET("avx2,fma") inline __m256 load8(const uint16_t* v) {  // bf16
    const __m256i wide = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(v)));
    return _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16));
}

// o[0, 8C) = the sum over j < S of p[j] * v[j * stride + (0, 8C)], added in j order with the sums in
// registers (a plain loop over o kept them in memory: each position's store fed the next one's load,
// most of a small model's token).
template <int C, typename KV>
ATELIER_TARGET("avx2,fma")
void weighted_sum(const float* p, int64_t S, const KV* v, int64_t stride, float* o) {
    __m256 acc[C];
    for (int c = 0; c < C; ++c) acc[c] = _mm256_setzero_ps();
    for (int64_t j = 0; j < S; ++j) {
        const __m256 pj = _mm256_set1_ps(p[j]);
        const KV* vj = v + j * stride;
        for (int c = 0; c < C; ++c) acc[c] = _mm256_fmadd_ps(pj, load8(vj + 8 * c), acc[c]);
    }
    for (int c = 0; c < C; ++c) _mm256_storeu_ps(o + 8 * c, acc[c]);
}
#endif

// Attention of H query heads over S cached positions (grouped: head h reads KV head h / rep), into
// out [H * hd]. The cache holds f32 or (bf16 compute) bf16; scores [H * S] is scratch. Heads are
// split over LibTorch's threads once there is enough work (long contexts).
template <typename KV>
void attend(const float* q, int64_t H, int64_t rep, int64_t hd, const KV* kc, const KV* vc, int64_t cap,
            int64_t S, float* scores, float* out, const Rounding& round) {
    auto value = [](KV v) {
        if constexpr (std::is_same_v<KV, float>)
            return v;
        else
            return bf16_value(v);
    };
    const float sqrt_hd = static_cast<float>(std::sqrt(static_cast<double>(hd)));
    const int64_t grain = H * S * hd >= 65536 ? 1 : H + 1;
    at::parallel_for(0, H, grain, [&](int64_t h0, int64_t h1) {
        for (int64_t h = h0; h < h1; ++h) {
            const float* qh = q + h * hd;
            const KV* kg = kc + (h / rep) * cap * hd;
            const KV* vg = vc + (h / rep) * cap * hd;
            float* sc = scores + h * S;
            float top = -std::numeric_limits<float>::max();
            for (int64_t j = 0; j < S; ++j) {
                const KV* kj = kg + j * hd;
                float dot = 0;
                for (int64_t i = 0; i < hd; ++i) dot += qh[i] * value(kj[i]);
                sc[j] = round(round(dot) / sqrt_hd);
                top = std::max(top, sc[j]);
            }
            float sum = 0;
            for (int64_t j = 0; j < S; ++j) {
                sc[j] = std::exp(sc[j] - top);
                sum += sc[j];
            }
            const float inv = 1.0f / sum;
            for (int64_t j = 0; j < S; ++j) sc[j] = round(sc[j] * inv);
            float* o = out + h * hd;
            int64_t i = 0;
#if ATELIER_X86
            for (; i + 64 <= hd; i += 64) weighted_sum<8>(sc, S, vg + i, hd, o + i);
            for (; i + 32 <= hd; i += 32) weighted_sum<4>(sc, S, vg + i, hd, o + i);
            for (; i + 16 <= hd; i += 16) weighted_sum<2>(sc, S, vg + i, hd, o + i);
            for (; i + 8 <= hd; i += 8) weighted_sum<1>(sc, S, vg + i, hd, o + i);
#endif
            for (; i < hd; ++i) {
                float acc = 0;
                for (int64_t j = 0; j < S; ++j) acc += sc[j] * value(vg[j * hd + i]);
                o[i] = acc;
            }
            round(o, hd);
        }
    });
}

}  // namespace

bool direct_decode_applies(LlamaForCausalLMImpl& net) {
    static const bool enabled = [] {
        const char* env = std::getenv("ATELIER_DIRECT_DECODE");
        return !env || std::string(env) != "0";
    }();
    if (!enabled || !usable_low_rank(net.head_adapter) || net.gradient_checkpointing ||
        net.config.head_dim % 2 != 0)
        return false;
    const bool bf16 = net.compute_dtype == torch::kBFloat16;
    if (!bf16 && net.compute_dtype != torch::kFloat32) return false;
    if (!usable(net.model->embed_tokens->weight, bf16) || !plain(net.model->norm, bf16) ||
        !usable(net.output_weight(), bf16))
        return false;
    for (int64_t i = 0; i < net.config.num_hidden_layers; ++i) {
        DecoderLayerImpl& l = net.layer(i);
        const AttentionImpl& a = *l.self_attn;
        if (a.hook || !plain(a.q_proj, bf16) || !plain(a.k_proj, bf16) || !plain(a.v_proj, bf16) ||
            !plain(a.o_proj, bf16) || !plain(l.mlp->gate_proj, bf16) || !plain(l.mlp->up_proj, bf16) ||
            !plain(l.mlp->down_proj, bf16) || !plain(l.input_layernorm, bf16) ||
            !plain(l.post_attention_layernorm, bf16))
            return false;
    }
    choose_gemv_passes();  // one row or several per pass, as this machine streams them faster (measured once)
    // bf16 compute: LibTorch's GEMM where it is the faster on this CPU (measured once).
    return !bf16 || half_gemv_beats_gemm();
}

void direct_decode_step(LlamaForCausalLMImpl& net, KVCache& cache, int64_t pos, int token, float* logits) {
    const ModelConfig& c = net.config;
    const int64_t D = c.hidden_size, H = c.num_attention_heads, KV = c.num_key_value_heads, hd = c.head_dim,
                  I = c.intermediate_size, rep = H / KV, S = pos + 1, cap = cache.capacity;
    const Rounding round{net.compute_dtype == torch::kBFloat16};
    const torch::Dtype cache_dtype = round.bf16 ? torch::kBFloat16 : torch::kFloat32;
    net.ensure_rope(S);
    TORCH_CHECK(net.rope.cos.scalar_type() == cache_dtype && net.rope.cos.is_contiguous(),
                "direct decode: the rotary table is not in the compute dtype");

    thread_local Scratch s;
    const size_t need = static_cast<size_t>(2 * D + 2 * H * hd + 2 * KV * hd + 2 * I + H * S + 2 * hd);
    if (s.act.size() < need) s.act.resize(need);
    float* x = s.act.data();   // residual stream [D]
    float* xb = x + D;         // normalised input [D]
    float* q = xb + D;         // [H * hd]
    float* k = q + H * hd;     // [KV * hd]
    float* v = k + KV * hd;    // [KV * hd]
    float* att = v + KV * hd;  // the heads' outputs [H * hd]
    float* hb = att + H * hd;  // gate [I]
    float* hb2 = hb + I;       // up [I]
    float* cos = hb2 + I;      // [hd]
    float* sin = cos + hd;     // [hd]
    float* scores = sin + hd;  // [H * S]
    to_float(net.rope.cos, pos * hd, hd, cos);
    to_float(net.rope.sin, pos * hd, hd, sin);

    to_float(net.model->embed_tokens->weight, static_cast<int64_t>(token) * D, D, x);
    round(x, D);
    for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
        DecoderLayerImpl& layer = net.layer(l);
        AttentionImpl& a = *layer.self_attn;
        rmsnorm(layer.input_layernorm, x, D, xb, round, s);
        const torch::Tensor &kt = cache.k[l], &vt = cache.v[l];
        TORCH_CHECK(kt.scalar_type() == cache_dtype && vt.scalar_type() == cache_dtype && cpu_plain(kt) &&
                        cpu_plain(vt) && kt.size(0) == 1,
                    "direct decode: the KV cache is not a batch-1 CPU cache in the compute dtype");
        linears({{&a.q_proj, q}, {&a.k_proj, k}, {&a.v_proj, v}}, xb, round, s);
        rope(q, H, hd, cos, sin, round);
        rope(k, KV, hd, cos, sin, round);
        // K and V straight into the cache ([1, KV, capacity, hd]): row `pos` of each KV head.
        if (round.bf16) {
            auto* kc = static_cast<uint16_t*>(kt.data_ptr());
            auto* vc = static_cast<uint16_t*>(vt.data_ptr());
            for (int64_t g = 0; g < KV; ++g)
                for (int64_t i = 0; i < hd; ++i) {
                    kc[(g * cap + pos) * hd + i] = bf16_bits(k[g * hd + i]);
                    vc[(g * cap + pos) * hd + i] = bf16_bits(v[g * hd + i]);
                }
            attend(q, H, rep, hd, static_cast<const uint16_t*>(kc), static_cast<const uint16_t*>(vc), cap, S,
                   scores, att, round);
        } else {
            float* kc = kt.data_ptr<float>();
            float* vc = vt.data_ptr<float>();
            for (int64_t g = 0; g < KV; ++g) {
                std::copy_n(k + g * hd, hd, kc + (g * cap + pos) * hd);
                std::copy_n(v + g * hd, hd, vc + (g * cap + pos) * hd);
            }
            attend(q, H, rep, hd, static_cast<const float*>(kc), static_cast<const float*>(vc), cap, S,
                   scores, att, round);
        }
        linear(a.o_proj, att, xb, round, s);
        for (int64_t i = 0; i < D; ++i) x[i] = round(x[i] + xb[i]);

        rmsnorm(layer.post_attention_layernorm, x, D, xb, round, s);
        linears({{&layer.mlp->gate_proj, hb}, {&layer.mlp->up_proj, hb2}}, xb, round, s);
        // silu(gate) * up. LibTorch 1.13's bf16 silu rounds exp, 1 + exp and the quotient each.
        for (int64_t i = 0; i < I; ++i) {
            const float g = hb[i];
            hb[i] = round(round(g / round(1.0f + round(std::exp(-g)))) * hb2[i]);
        }
        linear(layer.mlp->down_proj, hb, xb, round, s);
        for (int64_t i = 0; i < D; ++i) x[i] = round(x[i] + xb[i]);
    }
    rmsnorm(net.model->norm, x, D, xb, round, s);
    gemv(net.output_weight(), torch::Tensor(), xb, logits, round, s);
    if (net.head_adapter) add_low_rank(*net.head_adapter, xb, logits, round, s);
}

}  // namespace atelier
