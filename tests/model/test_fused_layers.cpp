// The engine's own layers on the CPU against LibTorch's: mixed_linear's routes, and the fused
// RMSNorm, SwiGLU, attention softmax, token cross-entropy and LoRA branch (forward and backward) that
// training and prefill use.
//
// mixed_linear (core/model/mixed_linear.cpp) sends a linear layer to one of several kernels by the
// weight's and input's dtypes, the number of rows, InferenceMode and whether a gradient is needed:
// gemv_f32 / gemm_f32_small, bf16_gemv / bf16_gemm_small, half_gemv / half_gemm_small, the widened
// GEMM, or LibTorch's linear. Every route must compute the same product, in the input's dtype, and
// keep autograd wherever a gradient is asked for. The kernels have their own tests
// (tests/unit/test_half_gemv.cpp); this one checks the routing around them.
#include "adapters/lora_branch.h"
#include "common/error.h"
#include "model/half_gemv.h"
#include "model/llama_module.h"
#include "model/lora_kernels.h"
#include "model/row_kernels.h"
#include "model/torch_util.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>
#include <string>

using namespace atelier;

namespace {

const char* name(torch::ScalarType t) {
    return t == torch::kFloat32 ? "f32" : t == torch::kBFloat16 ? "bf16" : "f16";
}

// |y - x w^T - b| within rel * (|x| |w|^T + |b|) everywhere, against a float64 product of the same
// (already rounded) values.
::testing::AssertionResult near_product(const torch::Tensor& y, const torch::Tensor& x,
                                        const torch::Tensor& w, const torch::Tensor& b, double rel) {
    const auto xd = x.to(torch::kFloat64), wd = w.to(torch::kFloat64);
    auto ref = torch::matmul(xd, wd.t());
    auto mag = torch::matmul(xd.abs(), wd.abs().t());
    if (b.defined()) {
        ref = ref + b.to(torch::kFloat64);
        mag = mag + b.to(torch::kFloat64).abs();
    }
    const auto err = (y.to(torch::kFloat64) - ref).abs() - (mag * rel + 1e-6);
    const double worst = err.max().item<double>();
    if (worst > 0) return ::testing::AssertionFailure() << "off by " << worst << " past the tolerance";
    return ::testing::AssertionSuccess();
}

}  // namespace

TEST(MixedLinear, EveryRouteComputesTheLinear) {
    torch::manual_seed(7);
    const int64_t K = 300, N = 70;  // K: a tail after every vector width; N: past one 64-row block
    for (auto wt : {torch::kFloat32, torch::kBFloat16, torch::kFloat16})
        for (auto xt : {torch::kFloat32, torch::kBFloat16})
            for (int64_t M : {1, 2, 3, 4, 5, 8, 9, 16, 17})
                for (bool with_bias : {false, true})
                    for (bool inferring : {false, true}) {
                        SCOPED_TRACE(std::string("w ") + name(wt) + ", x " + name(xt) + ", M " +
                                     std::to_string(M) + (with_bias ? ", bias" : "") +
                                     (inferring ? ", InferenceMode" : ", no grad"));
                        const auto w = torch::randn({N, K}).to(wt);
                        const auto b = with_bias ? torch::randn({N}).to(wt) : torch::Tensor();
                        // Batched as the model's activations are: [1, M, K].
                        const auto x = torch::randn({1, M, K}).to(xt);
                        torch::Tensor y;
                        if (inferring) {
                            c10::InferenceMode guard;
                            y = mixed_linear(x, w, b);
                        } else {
                            torch::NoGradGuard no_grad;
                            y = mixed_linear(x, w, b);
                        }
                        ASSERT_EQ(y.sizes(), torch::IntArrayRef({1, M, N}));
                        EXPECT_EQ(y.scalar_type(), xt);
                        // bf16 results are rounded to 8 bits, and LibTorch's bf16 GEMMs may round
                        // inside their sums; f32 ones hold to float rounding.
                        EXPECT_TRUE(near_product(y, x, w, b, xt == torch::kBFloat16 ? 1.0 / 64 : 1e-5));
                    }
}

// Prefill-sized bf16 products with K and N of 1024 or more: on CPUs with AMX, InferenceMode sends
// them to the engine's AMX GEMM (amx_linear), elsewhere to LibTorch's; both must compute the linear.
TEST(MixedLinear, PrefillSizedBf16ProductsComputeTheLinear) {
    torch::manual_seed(9);
    const int64_t K = 1024, N = 1056;
    const auto w = (torch::randn({N, K}) * 0.05).to(torch::kBFloat16);
    const auto b = torch::randn({N}).to(torch::kBFloat16);
    for (int64_t M : {5, 17, 128, 130})
        for (bool with_bias : {false, true}) {
            SCOPED_TRACE(testing::Message() << "M " << M << (with_bias ? ", bias" : ""));
            const auto x = torch::randn({1, M, K}).to(torch::kBFloat16);
            torch::Tensor y, direct;
            {
                c10::InferenceMode guard;
                y = mixed_linear(x, w, with_bias ? b : torch::Tensor());
                direct = amx_linear(x, w, with_bias ? b : torch::Tensor());
            }
            ASSERT_EQ(y.sizes(), torch::IntArrayRef({1, M, N}));
            EXPECT_EQ(y.scalar_type(), torch::kBFloat16);
            EXPECT_TRUE(near_product(y, x, w, with_bias ? b : torch::Tensor(), 1.0 / 64));
            if (direct.defined()) {  // AMX here: the route the engine takes for more than a few rows
                ASSERT_EQ(direct.sizes(), y.sizes());
                EXPECT_TRUE(near_product(direct, x, w, with_bias ? b : torch::Tensor(), 1.0 / 64));
                if (M > kBf16GemmSmallRows) EXPECT_TRUE(torch::equal(direct, y));
            }
        }
    // Training an adapter on the frozen model: x needs a gradient, the weight does not.
    for (bool with_bias : {false, true}) {
        const auto x = torch::randn({2, 40, K}).to(torch::kBFloat16).requires_grad_(true);
        const auto dy = torch::randn({2, 40, N}).to(torch::kBFloat16);
        const auto y = mixed_linear(x, w, with_bias ? b : torch::Tensor());
        EXPECT_TRUE(near_product(y.detach(), x.detach(), w, with_bias ? b : torch::Tensor(), 1.0 / 64));
        y.backward(dy);
        ASSERT_TRUE(x.grad().defined());
        EXPECT_TRUE(torch::allclose(x.grad().to(torch::kFloat32),
                                    torch::matmul(dy.to(torch::kFloat32), w.to(torch::kFloat32)), 0.02,
                                    0.02));
    }
    torch::Tensor declined;
    {
        c10::InferenceMode guard;
        declined =
            amx_linear(torch::randn({1, 8, K}).to(torch::kBFloat16), w.narrow(0, 0, 512), torch::Tensor());
    }
    EXPECT_FALSE(declined.defined()) << "N = 512: oneDNN's GEMM, which matched or won on the dev VM";
}

// One x with several weights (a layer's q, k, v): mixed_linear_set computes each linear, a part
// that amx_linear takes alone bit for bit as it does (x packed once, the same sums), narrow parts
// (k, v of 64 rows here) too; with x needing a gradient one dx sums every output's product, and an
// output nobody uses (no gradient) is left out of it.
TEST(MixedLinear, SetsOfWeightsComputeEachLinearAndOneGradient) {
    torch::manual_seed(10);
    const int64_t K = 1024, M = 40;
    const std::vector<torch::Tensor> ws = {(torch::randn({1024, K}) * 0.05).to(torch::kBFloat16),
                                           (torch::randn({64, K}) * 0.05).to(torch::kBFloat16),
                                           (torch::randn({64, K}) * 0.05).to(torch::kBFloat16)};
    const std::vector<torch::Tensor> bs = {torch::Tensor(), torch::randn({64}).to(torch::kBFloat16),
                                           torch::Tensor()};
    const auto x = torch::randn({1, M, K}).to(torch::kBFloat16);
    std::vector<torch::Tensor> ys;
    torch::Tensor alone;
    {
        c10::InferenceMode guard;
        ys = mixed_linear_set(x, ws, bs);
        alone = amx_linear(x, ws[0], torch::Tensor());
    }
    ASSERT_EQ(ys.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
        ASSERT_EQ(ys[i].sizes(), torch::IntArrayRef({1, M, ws[i].size(0)})) << i;
        EXPECT_TRUE(near_product(ys[i], x, ws[i], bs[i], 1.0 / 64)) << i;
    }
    if (alone.defined()) EXPECT_TRUE(torch::equal(alone, ys[0])) << "the set's part is the single product";
    // x needs a gradient: outputs 0 and 2 used, output 1 not
    const auto xg = x.clone().requires_grad_(true);
    const auto dy0 = torch::randn({1, M, 1024}).to(torch::kBFloat16),
               dy2 = torch::randn({1, M, 64}).to(torch::kBFloat16);
    const auto outs = mixed_linear_set(xg, ws, bs);
    for (size_t i = 0; i < 3; ++i)
        EXPECT_TRUE(near_product(outs[i].detach(), x, ws[i], bs[i], 1.0 / 64)) << i;
    ((outs[0].to(torch::kFloat32) * dy0.to(torch::kFloat32)).sum() +
     (outs[2].to(torch::kFloat32) * dy2.to(torch::kFloat32)).sum())
        .backward();
    ASSERT_TRUE(xg.grad().defined());
    const auto want = torch::matmul(dy0.to(torch::kFloat32), ws[0].to(torch::kFloat32)) +
                      torch::matmul(dy2.to(torch::kFloat32), ws[2].to(torch::kFloat32));
    EXPECT_TRUE(torch::allclose(xg.grad().to(torch::kFloat32), want, 0.02, 0.05))
        << (xg.grad().to(torch::kFloat32) - want).abs().max().item<float>();
}

TEST(MixedLinear, KeepsAutogradWhereAGradientIsAsked) {
    torch::manual_seed(8);
    const int64_t M = 1, K = 64, N = 32;  // one row: the decode kernels' shape, which have no backward
    for (auto wt : {torch::kFloat32, torch::kBFloat16}) {
        SCOPED_TRACE(name(wt));
        // The input needs a gradient (a trained adapter's branch below the layer).
        auto x = torch::randn({1, M, K}).requires_grad_(true);
        const auto w = torch::randn({N, K}).to(wt);
        mixed_linear(x, w, torch::Tensor()).sum().backward();
        ASSERT_TRUE(x.grad().defined());
        EXPECT_TRUE(torch::allclose(x.grad().view({K}), w.to(torch::kFloat32).sum(0), 1e-4, 1e-4));
        // Only the bias is trained (LLaMA-Adapter V2's bias tuning).
        auto b = torch::zeros({N}, torch::kFloat32).requires_grad_(true);
        const auto x2 = torch::randn({1, M, K});
        mixed_linear(x2, w, b).sum().backward();
        ASSERT_TRUE(b.grad().defined());
        EXPECT_TRUE(torch::allclose(b.grad(), torch::ones({N})));
    }
}

namespace {

// LibTorch's ops, as RMSNormImpl and MLPImpl ran them before the fused kernels.
torch::Tensor rms_norm_ops(const torch::Tensor& x, const torch::Tensor& w, double eps) {
    torch::Tensor xf = x.to(torch::kFloat32);
    xf = xf * torch::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + eps);
    return w * xf.to(x.scalar_type());
}

double max_abs(const torch::Tensor& t) {
    return t.abs().max().item<double>();
}

}  // namespace

// The fused RMSNorm's value and input gradient against LibTorch's ops in float64 (the truth) and in
// the fused kernel's own dtype (what it replaced): f32 within float rounding, bf16 within bf16's.
TEST(FusedLayers, RmsNormMatchesLibTorchForwardAndBackward) {
    torch::manual_seed(3);
    for (auto dt : {torch::kFloat32, torch::kBFloat16})
        for (int64_t D : {7, 64, 2051}) {  // tails after 8 and 16 lanes
            SCOPED_TRACE(std::string(name(dt)) + " D " + std::to_string(D));
            const auto x0 = (torch::randn({2, 5, D}) * 3).to(dt);
            const auto w = (torch::rand({D}) + 0.5).to(dt);
            const auto dy = torch::randn({2, 5, D}).to(dt);
            auto x = x0.clone().requires_grad_(true);
            auto y = rms_norm(x, w, 1e-5);
            ASSERT_TRUE(y.requires_grad());
            EXPECT_EQ(y.scalar_type(), dt);
            y.backward(dy);
            auto x64 = x0.to(torch::kFloat64).requires_grad_(true);
            auto y64 = rms_norm_ops(x64, w.to(torch::kFloat64), 1e-5);
            y64.backward(dy.to(torch::kFloat64));
            const double tol = dt == torch::kFloat32 ? 1e-5 : 1.0 / 64;
            EXPECT_LE(max_abs(y.to(torch::kFloat64) - y64), tol * max_abs(y64));
            EXPECT_LE(max_abs(x.grad().to(torch::kFloat64) - x64.grad()), tol * max_abs(x64.grad()));
            // Forward: what LibTorch's ops in this dtype give, to the last bit but for the mean's
            // summation order (f32) — so prefill logits do not move.
            torch::NoGradGuard no_grad;
            const auto ops = rms_norm_ops(x0, w, 1e-5);
            const auto fused = rms_norm(x0, w, 1e-5);
            const double ulp = dt == torch::kFloat32 ? 1e-6 : 1.0 / 128;
            EXPECT_LE(max_abs((fused - ops).to(torch::kFloat64)), ulp * max_abs(ops.to(torch::kFloat64)));
        }
    // A trained weight (LLaMA-Adapter V2's norm scales): its gradient too.
    for (auto dt : {torch::kFloat32, torch::kBFloat16}) {
        SCOPED_TRACE(std::string("trained weight, ") + name(dt));
        const auto x = torch::randn({4, 3, 48}).to(dt), dy = torch::randn({4, 3, 48}).to(dt);
        const auto w0 = (torch::rand({48}) + 0.5).to(dt);
        auto w = w0.clone().requires_grad_(true);
        rms_norm(x, w, 1e-5).backward(dy);
        auto w64 = w0.to(torch::kFloat64).requires_grad_(true);
        rms_norm_ops(x.to(torch::kFloat64), w64, 1e-5).backward(dy.to(torch::kFloat64));
        ASSERT_TRUE(w.grad().defined());
        const double tol = dt == torch::kFloat32 ? 1e-5 : 1.0 / 32;
        EXPECT_LE(max_abs(w.grad().to(torch::kFloat64) - w64.grad()), tol * max_abs(w64.grad()));
    }
    // f32 activations with bf16 weights (a bf16 model computing in f32).
    const auto x = torch::randn({3, 40});
    const auto w = torch::rand({40}).to(torch::kBFloat16);
    EXPECT_TRUE(torch::allclose(rms_norm(x, w, 1e-6), rms_norm_ops(x, w, 1e-6), 1e-5, 1e-6));
}

TEST(FusedLayers, SwigluMatchesLibTorchForwardAndBackward) {
    torch::manual_seed(4);
    for (auto dt : {torch::kFloat32, torch::kBFloat16})
        for (int64_t n : {5, 4096, 4096 * 3 + 13}) {  // one span, several, a tail
            SCOPED_TRACE(std::string(name(dt)) + " n " + std::to_string(n));
            // Past exp's range both ways too: silu(-100) = -0, silu(100) = 100.
            auto g0 = (torch::randn({n}) * 4).to(dt);
            g0[0] = -100;
            if (n > 1) g0[1] = 100;
            const auto u0 = torch::randn({n}).to(dt), dy = torch::randn({n}).to(dt);
            auto g = g0.clone().requires_grad_(true), u = u0.clone().requires_grad_(true);
            auto y = swiglu(g, u);
            y.backward(dy);
            auto g64 = g0.to(torch::kFloat64).requires_grad_(true),
                 u64 = u0.to(torch::kFloat64).requires_grad_(true);
            auto y64 = torch::silu(g64) * u64;
            y64.backward(dy.to(torch::kFloat64));
            const double tol = dt == torch::kFloat32 ? 1e-5 : 1.0 / 32;
            EXPECT_LE(max_abs(y.to(torch::kFloat64) - y64), tol * max_abs(y64));
            EXPECT_LE(max_abs(g.grad().to(torch::kFloat64) - g64.grad()), tol * max_abs(g64.grad()));
            EXPECT_LE(max_abs(u.grad().to(torch::kFloat64) - u64.grad()), tol * max_abs(u64.grad()));
            EXPECT_FALSE(torch::isnan(y).any().item<bool>());
            // Forward against LibTorch's silu and product in this dtype (bf16 rounds each step).
            torch::NoGradGuard no_grad;
            const auto ops = (torch::silu(g0) * u0).to(torch::kFloat64);
            const double ulp = dt == torch::kFloat32 ? 1e-6 : 1.0 / 64;
            EXPECT_LE(max_abs(swiglu(g0, u0).to(torch::kFloat64) - ops), ulp * max_abs(ops));
        }
}

// Rotary embedding of q or k straight from the linear into heads-first layout: equal bit for bit to
// LibTorch's view, transpose, x·cos + rotate_half(x)·sin, forward and backward, in f32 and bf16;
// hd a multiple of 32 (the AVX-512 kernel) and not (the scalar one), and the scalar kernel equal to
// the vector one on the same data.
TEST(FusedLayers, RopeHeadsEqualsLibTorchsOpsBitForBit) {
    if (!cpu_has_avx512_bf16())
        GTEST_SKIP() << "the fused pass runs on AVX512-BF16 CPUs (LibTorch's ops elsewhere)";
    torch::manual_seed(12);
    auto rotate_half = [](const torch::Tensor& x) {
        const int64_t h = x.size(-1) / 2;
        return torch::cat({-x.narrow(-1, h, h), x.narrow(-1, 0, h)}, -1);
    };
    for (auto dt : {torch::kFloat32, torch::kBFloat16})
        for (int64_t hd : {64, 12}) {
            SCOPED_TRACE(std::string(name(dt)) + " hd " + std::to_string(hd));
            const int64_t B = 2, T = 37, H = 3;
            const auto x0 = (torch::randn({B, T, H * hd}) * 3).to(dt);
            const auto cos = torch::randn({T, hd}).to(dt), sin = torch::randn({T, hd}).to(dt);
            const auto dy = torch::randn({B, H, T, hd}).to(dt);
            auto x = x0.clone().requires_grad_(true), xr = x0.clone().requires_grad_(true);
            const auto y = rope_heads(x, cos, sin, H);
            ASSERT_TRUE(y.defined());
            ASSERT_EQ(y.sizes(), torch::IntArrayRef({B, H, T, hd}));
            EXPECT_TRUE(y.is_contiguous());
            const auto q = xr.view({B, T, H, hd}).transpose(1, 2);
            const auto want = q * cos + rotate_half(q) * sin;
            EXPECT_TRUE(torch::equal(y, want)) << max_abs((y - want).to(torch::kFloat64));
            y.backward(dy);
            want.backward(dy);
            EXPECT_TRUE(torch::equal(x.grad(), xr.grad()))
                << max_abs((x.grad() - xr.grad()).to(torch::kFloat64));
            // the scalar kernel on the same rows
            auto scalar = torch::empty_like(y);
            rope_rows(x0.data_ptr(), dt == torch::kBFloat16, B, T, H, hd, cos.data_ptr(), sin.data_ptr(),
                      scalar.data_ptr(), SoftmaxIsa::Scalar);
            EXPECT_TRUE(torch::equal(scalar, y));
        }
}

// Training's attention softmax (scale, causal mask after cached positions, softmax) with its fused
// backward, against LibTorch's ops in float64.
TEST(FusedLayers, CausalSoftmaxMatchesLibTorchForwardAndBackward) {
    torch::manual_seed(5);
    const double divisor = 8;
    for (auto dt : {torch::kFloat32, torch::kBFloat16})
        for (int64_t first : {0, 3}) {  // a prompt alone; after 3 cached (shared-prefix) positions
            SCOPED_TRACE(std::string(name(dt)) + " first " + std::to_string(first));
            const int64_t T = 13, S = first + T, rep = 2;
            const auto mask = torch::full({T, S}, -std::numeric_limits<float>::infinity()).triu(first + 1);
            const auto s0 = (torch::randn({2, 3, rep * T, S}) * 20).to(dt);
            const auto dp = torch::randn({2, 3, rep * T, S}).to(dt);
            auto s = s0.clone().requires_grad_(true);
            auto p = causal_attention_softmax(s, dt, mask, divisor);
            ASSERT_TRUE(p.requires_grad());
            EXPECT_EQ(p.scalar_type(), dt);
            p.backward(dp);
            auto s64 = s0.to(torch::kFloat64).requires_grad_(true);
            auto p64 = torch::softmax((s64 / divisor).view({-1, T, S}) + mask.to(torch::kFloat64), -1)
                           .view(s0.sizes());
            p64.backward(dp.to(torch::kFloat64));
            const double tol = dt == torch::kFloat32 ? 1e-5 : 1.0 / 64;
            EXPECT_LE(max_abs(p.to(torch::kFloat64) - p64), tol);
            EXPECT_LE(max_abs(s.grad().to(torch::kFloat64) - s64.grad()), tol * max_abs(s64.grad()));
            // Masked positions: probability and gradient exactly 0.
            const auto hidden = torch::isinf(mask).view({1, 1, T, S}).repeat({2, 3, rep, 1});
            EXPECT_EQ(p.masked_select(hidden).abs().max().item<double>(), 0.0);
            EXPECT_EQ(s.grad().masked_select(hidden).abs().max().item<double>(), 0.0);
        }
}

// Training's loss: token_cross_entropy (bf16 or f32 logits, gradient in their dtype) against
// LibTorch's cross_entropy in float64, ignored labels included; a label outside the vocabulary is
// an error, as in LibTorch.
TEST(FusedLayers, CrossEntropyMatchesLibTorchForwardAndBackward) {
    torch::manual_seed(6);
    const int64_t N = 41, V = 3001, kIgnore = -100;
    for (auto dt : {torch::kFloat32, torch::kBFloat16}) {
        SCOPED_TRACE(name(dt));
        const auto x0 = (torch::randn({N, V}) * 3).to(dt);
        auto labels = torch::randint(V, {N}, torch::kInt64);
        labels[0] = 0;
        labels[1] = V - 1;
        labels[2] = kIgnore;
        labels[7] = kIgnore;
        auto x = x0.clone().requires_grad_(true);
        auto loss = token_cross_entropy(x, labels, kIgnore);
        EXPECT_EQ(loss.scalar_type(), torch::kFloat32);
        EXPECT_EQ(loss.dim(), 0);
        (loss * 0.5).backward();
        auto x64 = x0.to(torch::kFloat64).requires_grad_(true);
        auto ref = torch::nn::functional::cross_entropy(
            x64, labels,
            torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kIgnore).reduction(torch::kSum));
        (ref * 0.5).backward();
        EXPECT_NEAR(loss.item<double>(), ref.item<double>(), 1e-5 * ref.item<double>());
        ASSERT_TRUE(x.grad().defined());
        EXPECT_EQ(x.grad().scalar_type(), dt);
        const double tol = dt == torch::kFloat32 ? 1e-5 : 1.0 / 128;
        EXPECT_LE(max_abs(x.grad().to(torch::kFloat64) - x64.grad()), tol * max_abs(x64.grad()));
        EXPECT_EQ(max_abs(x.grad()[2]), 0.0);  // an ignored row
        // Without a gradient (evaluation): the same sum.
        torch::NoGradGuard no_grad;
        EXPECT_NEAR(token_cross_entropy(x0, labels, kIgnore).item<double>(), ref.item<double>(),
                    1e-5 * ref.item<double>());
    }
    auto bad = torch::zeros({2}, torch::kInt64);
    bad[1] = V;
    EXPECT_THROW(token_cross_entropy(torch::randn({2, V}), bad, kIgnore), Error);
}

// LoRA's fused branch (adapters/lora_branch.h, AMX tiles) against its definition in float64 from the
// same rounded values: dropout's mask from the same draw (dropout_keep after the same seed), h, ha and
// dh rounded to bf16 where the kernels round them. Rows past whole tiles (37: a last block of 5, an odd
// last pair), ranks of one, two and three 16-wide groups and one not a multiple of 16.
TEST(LoraBranch, MatchesItsDefinitionForwardAndBackward) {
    if (!lora_fused_applies(64, 96, 16)) GTEST_SKIP() << "the fused branch runs on CPUs with AMX tiles";
    const auto f64 = torch::kFloat64, bf16 = torch::kBFloat16;
    auto round = [&](const torch::Tensor& t) { return t.to(bf16).to(f64); };
    for (int64_t rows : {37, 32, 1})
        for (int64_t r : {16, 8, 20, 40})
            for (double p : {0.0, 0.25}) {
                SCOPED_TRACE("rows " + std::to_string(rows) + " r " + std::to_string(r) + " p " +
                             std::to_string(p));
                torch::manual_seed(rows * 100 + r);
                const int64_t K = 64, N = 96;
                const double alpha = 1.5;
                const auto x0 = torch::randn({1, rows, K}).to(bf16), y0 = torch::randn({1, rows, N}).to(bf16);
                const auto dy = torch::randn({1, rows, N}).to(bf16);
                auto A = (torch::randn({r, K}) * 0.3).requires_grad_(true);
                auto B = (torch::randn({N, r}) * 0.3).requires_grad_(true);
                auto x = x0.clone().requires_grad_(true), y = y0.clone().requires_grad_(true);
                torch::manual_seed(99);
                const auto out = lora_branch(x, y, A, B, alpha, p);
                ASSERT_TRUE(out.defined());
                EXPECT_EQ(out.sizes(), y0.sizes());
                EXPECT_EQ(out.scalar_type(), bf16);
                out.backward(dy);

                torch::manual_seed(99);
                torch::Tensor mask = torch::ones({rows, K}, f64);
                double scale = 1;
                if (p > 0) {
                    const DropoutKeep d = dropout_keep(x0, p);
                    mask = d.keep.view({rows, K}).to(f64);
                    scale = d.scale;
                    EXPECT_GT(mask.sum().item<double>(), 0);
                    EXPECT_LT(mask.sum().item<double>(), rows * K);
                }
                const auto X = x0.view({rows, K}).to(f64), Y = y0.view({rows, N}).to(f64);
                const auto D = dy.view({rows, N}).to(f64);
                const auto Ab = round(A.detach()), Bb = round(B.detach());
                const auto h = round(X * mask * scale);
                const auto ha = round(h.matmul(Ab.t()));
                const auto want = Y + alpha * ha.matmul(Bb.t());
                const auto got = out.view({rows, N}).to(f64);
                // each output rounded once to bf16 (2^-8 relative), sums in f32 in another order
                EXPECT_LE(max_abs(got - want), 1.0 / 128 * max_abs(want));
                const auto dh = round(alpha * D.matmul(Bb));
                const auto dx = dh.matmul(Ab) * mask * scale, dA = dh.t().matmul(h),
                           dB = alpha * D.t().matmul(ha);
                EXPECT_TRUE(torch::equal(y.grad(), dy));
                EXPECT_LE(max_abs(x.grad().view({rows, K}).to(f64) - dx), 1.0 / 128 * max_abs(dx));
                EXPECT_LE(max_abs(A.grad().to(f64) - dA), 1e-4 * max_abs(dA));
                EXPECT_LE(max_abs(B.grad().to(f64) - dB), 1e-4 * max_abs(dB));
                if (p > 0) {  // dropped elements get no gradient
                    EXPECT_EQ(x.grad().view({rows, K}).to(f64).mul(1 - mask).abs().max().item<double>(), 0);
                }
            }
}
