// mixed_linear (core/model/mixed_linear.cpp) sends a linear layer to one of several kernels by the
// weight's and input's dtypes, the number of rows, InferenceMode and whether a gradient is needed:
// gemv_f32 / gemm_f32_small, bf16_gemv / bf16_gemm_small, half_gemv / half_gemm_small, the widened
// GEMM, or LibTorch's linear. Every route must compute the same product, in the input's dtype, and
// keep autograd wherever a gradient is asked for. The kernels have their own tests
// (tests/unit/test_half_gemv.cpp); this one checks the routing around them.
#include "model/llama_module.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

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
