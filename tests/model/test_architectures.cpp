// Llama-3 (rope_scaling, GQA) and Qwen2 (q/k/v bias, rope_theta 1e6, untied head) variants: tiny
// random checkpoints written here as HF folders, run by the engine, and compared with a plain
// float64 forward pass written independently below from the Hugging Face modelling code.
#include "io/safetensors.h"
#include "model/config.h"
#include "model/direct_decode.h"
#include "model/llama.h"
#include "test_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace atelier;
using Mat = std::vector<double>;  // row-major

namespace {

struct Tiny {
    ModelConfig c;
    std::map<std::string, std::pair<std::vector<int64_t>, std::vector<float>>> w;
};

// kind: "llama3", "qwen2", or "llama3-wide" (llama3 with heads of 124: the direct decode path's
// attention sums value rows 64, 32, 16 and 8 at a time and the last 4 one by one, where the others'
// heads of 8 take only the 8-wide step).
Tiny make_tiny(const std::string& kind) {
    Tiny t;
    ModelConfig& c = t.c;
    c.architecture = kind == "qwen2" ? "Qwen2ForCausalLM" : "LlamaForCausalLM";
    c.model_type = kind == "qwen2" ? "qwen2" : "llama";
    c.hidden_size = 32, c.intermediate_size = 40, c.num_hidden_layers = 2, c.num_attention_heads = 4;
    c.num_key_value_heads = 2, c.head_dim = 8, c.vocab_size = 64, c.max_position_embeddings = 64;
    c.rms_norm_eps = 1e-6;
    if (kind == "qwen2") {
        c.attention_bias = true;
        c.rope_theta = 1e6;
        c.tie_word_embeddings = false;
    } else {
        c.rope_theta = 500000;
        c.rope_scaling.type = "llama3";
        c.rope_scaling.factor = 8;
        c.rope_scaling.low_freq_factor = 1;
        c.rope_scaling.high_freq_factor = 4;
        c.rope_scaling.original_max_position_embeddings = 16;  // small, so all three frequency bands occur
        c.tie_word_embeddings = true;
        if (kind == "llama3-wide") c.head_dim = 124;
    }
    std::mt19937 rng(kind == "qwen2" ? 2 : kind == "llama3" ? 3 : 5);
    std::normal_distribution<float> n(0, 0.3f);
    auto add = [&](const std::string& name, std::vector<int64_t> shape, bool norm = false) {
        int64_t k = 1;
        for (auto s : shape) k *= s;
        std::vector<float> v(k);
        for (auto& x : v) x = norm ? 1.0f + 0.1f * n(rng) : n(rng);
        t.w[name] = {shape, v};
    };
    const int64_t D = c.hidden_size, Q = c.num_attention_heads * c.head_dim, KV = c.kv_dim(),
                  F = c.intermediate_size;
    add("model.embed_tokens.weight", {c.vocab_size, D});
    for (int l = 0; l < c.num_hidden_layers; ++l) {
        std::string p = "model.layers." + std::to_string(l) + ".";
        add(p + "input_layernorm.weight", {D}, true);
        add(p + "post_attention_layernorm.weight", {D}, true);
        add(p + "self_attn.q_proj.weight", {Q, D});
        add(p + "self_attn.k_proj.weight", {KV, D});
        add(p + "self_attn.v_proj.weight", {KV, D});
        add(p + "self_attn.o_proj.weight", {D, Q});
        if (c.attention_bias) {
            add(p + "self_attn.q_proj.bias", {Q});
            add(p + "self_attn.k_proj.bias", {KV});
            add(p + "self_attn.v_proj.bias", {KV});
        }
        add(p + "mlp.gate_proj.weight", {F, D});
        add(p + "mlp.up_proj.weight", {F, D});
        add(p + "mlp.down_proj.weight", {D, F});
    }
    add("model.norm.weight", {D}, true);
    if (!c.tie_word_embeddings) add("lm_head.weight", {c.vocab_size, D});
    return t;
}

std::string write_folder(const Tiny& t) {
    std::string dir = test::make_temp_dir("tiny");
    TensorMap m;
    for (const auto& [name, sv] : t.w)
        m[name] = make_owned_tensor(DType::F32, sv.first, sv.second.data(), sv.second.size() * 4);
    write_safetensors(dir + "/model.safetensors", m);
    test::write_file(dir + "/config.json", t.c.to_json());
    return dir;
}

// ---- the independent float64 reference ----
const std::vector<float>& W(const Tiny& t, const std::string& n) {
    return t.w.at(n).second;
}

Mat matvec(const std::vector<float>& w, const Mat& x, int64_t rows,
           const std::vector<float>* bias = nullptr) {
    const int64_t cols = static_cast<int64_t>(x.size());
    Mat y(rows, 0.0);
    for (int64_t r = 0; r < rows; ++r) {
        double s = bias ? (*bias)[r] : 0.0;
        for (int64_t k = 0; k < cols; ++k) s += double(w[r * cols + k]) * x[k];
        y[r] = s;
    }
    return y;
}

Mat rmsnorm(const Mat& x, const std::vector<float>& g, double eps) {
    double ss = 0;
    for (double v : x) ss += v * v;
    const double r = 1.0 / std::sqrt(ss / x.size() + eps);
    Mat y(x.size());
    for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] * r * g[i];
    return y;
}

std::vector<double> inv_freqs(const ModelConfig& c) {
    std::vector<double> f;
    for (int64_t i = 0; i < c.head_dim / 2; ++i) f.push_back(std::pow(c.rope_theta, -2.0 * i / c.head_dim));
    if (c.rope_scaling.type == "llama3") {
        // transformers' _compute_llama3_parameters
        const auto& s = c.rope_scaling;
        const double low_wl = s.original_max_position_embeddings / s.low_freq_factor;
        const double high_wl = s.original_max_position_embeddings / s.high_freq_factor;
        for (double& x : f) {
            const double wl = 2 * M_PI / x;
            if (wl < high_wl) continue;
            if (wl > low_wl) {
                x = x / s.factor;
                continue;
            }
            const double smooth = (s.original_max_position_embeddings / wl - s.low_freq_factor) /
                                  (s.high_freq_factor - s.low_freq_factor);
            x = (1 - smooth) * x / s.factor + smooth * x;
        }
    }
    return f;
}

void rope(double* v, int64_t hd, int64_t pos, const std::vector<double>& f) {
    const int64_t half = hd / 2;
    for (int64_t i = 0; i < half; ++i) {
        const double a = pos * f[i], c = std::cos(a), s = std::sin(a);
        const double x1 = v[i], x2 = v[i + half];
        v[i] = x1 * c - x2 * s;
        v[i + half] = x2 * c + x1 * s;
    }
}

std::vector<Mat> reference_logits(const Tiny& t, const std::vector<int>& tokens) {
    const ModelConfig& c = t.c;
    const int64_t D = c.hidden_size, H = c.num_attention_heads, KVH = c.num_key_value_heads, hd = c.head_dim;
    const int64_t T = static_cast<int64_t>(tokens.size());
    const auto f = inv_freqs(c);
    std::vector<Mat> h(T);
    const auto& emb = W(t, "model.embed_tokens.weight");
    for (int64_t i = 0; i < T; ++i)
        h[i] = Mat(emb.begin() + tokens[i] * D, emb.begin() + (tokens[i] + 1) * D);
    for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        auto bias = [&](const char* n) { return c.attention_bias ? &W(t, p + n) : nullptr; };
        std::vector<Mat> q(T), k(T), v(T);
        for (int64_t i = 0; i < T; ++i) {
            Mat x = rmsnorm(h[i], W(t, p + "input_layernorm.weight"), c.rms_norm_eps);
            q[i] = matvec(W(t, p + "self_attn.q_proj.weight"), x, H * hd, bias("self_attn.q_proj.bias"));
            k[i] = matvec(W(t, p + "self_attn.k_proj.weight"), x, KVH * hd, bias("self_attn.k_proj.bias"));
            v[i] = matvec(W(t, p + "self_attn.v_proj.weight"), x, KVH * hd, bias("self_attn.v_proj.bias"));
            for (int64_t a = 0; a < H; ++a) rope(&q[i][a * hd], hd, i, f);
            for (int64_t a = 0; a < KVH; ++a) rope(&k[i][a * hd], hd, i, f);
        }
        for (int64_t i = 0; i < T; ++i) {
            Mat att(H * hd, 0.0);
            for (int64_t a = 0; a < H; ++a) {
                const int64_t g = a / (H / KVH);  // repeat_kv: query head a reads kv head a / n_rep
                std::vector<double> s(i + 1);
                double mx = -1e300, sum = 0;
                for (int64_t j = 0; j <= i; ++j) {
                    double d = 0;
                    for (int64_t e = 0; e < hd; ++e) d += q[i][a * hd + e] * k[j][g * hd + e];
                    s[j] = d / std::sqrt(double(hd));
                    mx = std::max(mx, s[j]);
                }
                for (auto& x : s) sum += x = std::exp(x - mx);
                for (int64_t j = 0; j <= i; ++j)
                    for (int64_t e = 0; e < hd; ++e) att[a * hd + e] += s[j] / sum * v[j][g * hd + e];
            }
            Mat o = matvec(W(t, p + "self_attn.o_proj.weight"), att, D);
            for (int64_t d = 0; d < D; ++d) h[i][d] += o[d];
            Mat x = rmsnorm(h[i], W(t, p + "post_attention_layernorm.weight"), c.rms_norm_eps);
            Mat gt = matvec(W(t, p + "mlp.gate_proj.weight"), x, c.intermediate_size);
            Mat up = matvec(W(t, p + "mlp.up_proj.weight"), x, c.intermediate_size);
            for (size_t e = 0; e < gt.size(); ++e) gt[e] = gt[e] / (1 + std::exp(-gt[e])) * up[e];
            Mat dn = matvec(W(t, p + "mlp.down_proj.weight"), gt, D);
            for (int64_t d = 0; d < D; ++d) h[i][d] += dn[d];
        }
    }
    std::vector<Mat> logits(T);
    const auto& head = c.tie_word_embeddings ? emb : W(t, "lm_head.weight");
    for (int64_t i = 0; i < T; ++i)
        logits[i] = matvec(head, rmsnorm(h[i], W(t, "model.norm.weight"), c.rms_norm_eps), c.vocab_size);
    return logits;
}

void check_against_reference(const std::string& kind) {
    Tiny t = make_tiny(kind);
    const std::string dir = write_folder(t);
    auto model = LlamaModel::load(dir);
    EXPECT_EQ(model->config().attention_bias, kind == "qwen2");
    std::vector<int> tokens;
    for (int i = 0; i < 40; ++i) tokens.push_back((i * 37 + 11) % 64);  // 40 positions: past original_max 16
    auto ref = reference_logits(t, tokens);
    // Engine, no cache: every position.
    auto all = model->forward_all(tokens);
    double max_diff = 0;
    for (size_t i = 0; i < tokens.size(); ++i)
        for (int64_t v = 0; v < 64; ++v)
            max_diff = std::max(max_diff, std::fabs(all[i * 64 + v] - ref[i][v]));
    EXPECT_LT(max_diff, 2e-4) << kind;
    // Engine with the cache: prefill 9, then one by one (the direct decode path: issue 14).
    EXPECT_TRUE(direct_decode_applies(model->module())) << kind;
    model->reset();
    auto step = model->decode(std::vector<int>(tokens.begin(), tokens.begin() + 9));
    for (size_t i = 9;; ++i) {
        for (int64_t v = 0; v < 64; ++v)
            ASSERT_NEAR(step[v], ref[i - 1][v], 2e-4) << kind << " position " << i - 1;
        if (i == tokens.size()) break;
        step = model->decode({tokens[i]});
    }
}

}  // namespace

TEST(Architectures, Llama3RopeScalingGqaTiedMatchesFloat64Reference) {
    check_against_reference("llama3");
}

TEST(Architectures, Qwen2BiasUntiedHeadMatchesFloat64Reference) {
    check_against_reference("qwen2");
}

TEST(Architectures, WideHeadsMatchFloat64Reference) {
    check_against_reference("llama3-wide");
}

TEST(Architectures, RopeScalingChangesTheOutput) {
    // Guard against the reference and the engine both ignoring rope_scaling.
    Tiny scaled = make_tiny("llama3");
    Tiny plain = scaled;
    plain.c.rope_scaling = RopeScaling{};
    std::vector<int> tokens;
    for (int i = 0; i < 30; ++i) tokens.push_back(i % 64);
    auto a = LlamaModel::load(write_folder(scaled))->forward_all(tokens);
    auto b = LlamaModel::load(write_folder(plain))->forward_all(tokens);
    double diff = 0;
    for (size_t i = 0; i < a.size(); ++i) diff = std::max(diff, double(std::fabs(a[i] - b[i])));
    EXPECT_GT(diff, 1e-2);
}
