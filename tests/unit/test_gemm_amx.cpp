// The AMX bf16 GEMM (model/amx_kernels.h) against double precision over the same bf16 inputs, at
// every tile and block edge (16-row tiles of x, 32-row panels of w, 32-wide chunks of K, groups of
// x's tiles); skipped where the CPU has no AMX (mixed_linear then keeps LibTorch's GEMM).
#include "model/amx_kernels.h"

#include "test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace {

using atelier::test::bf16_to_float;
using atelier::test::float_to_bf16;

std::vector<uint16_t> random_bf16(size_t n, float scale, std::mt19937& rng) {
    std::normal_distribution<float> normal;
    std::vector<uint16_t> v(n);
    for (auto& x : v) x = float_to_bf16(normal(rng) * scale);
    return v;
}

// max over the outputs of |y - x·wᵀ - b| / (|x|·|w|ᵀ + |b|), against a double product of the bf16 values.
double worst_relative_error(const std::vector<uint16_t>& y, const std::vector<uint16_t>& x,
                            const std::vector<uint16_t>& w, const std::vector<float>& bias, int64_t M,
                            int64_t K, int64_t N) {
    double worst = 0;
    for (int64_t m = 0; m < M; ++m)
        for (int64_t n = 0; n < N; ++n) {
            double s = bias.empty() ? 0 : bias[n], mag = bias.empty() ? 0 : std::fabs(bias[n]);
            for (int64_t k = 0; k < K; ++k) {
                const double p = double(bf16_to_float(x[m * K + k])) * bf16_to_float(w[n * K + k]);
                s += p;
                mag += std::fabs(p);
            }
            worst = std::max(worst, std::fabs(bf16_to_float(y[m * N + n]) - s) / (mag + 1e-30));
        }
    return worst;
}

// rows × cols zeros but for one value per row r, value(r) at column col(r): products of such
// matrices hold one product per output, exact in f32.
template <class Col, class Value>
std::vector<uint16_t> one_per_row(int64_t rows, int64_t cols, Col col, Value value) {
    std::vector<uint16_t> v(size_t(rows * cols), 0);
    for (int64_t r = 0; r < rows; ++r) v[r * cols + col(r)] = float_to_bf16(value(r));
    return v;
}

TEST(GemmAmx, MatchesDoublePrecisionAtTileAndBlockEdges) {
    if (!atelier::cpu_has_amx_bf16()) GTEST_SKIP() << "no AMX-BF16 here (or ATELIER_MAX_ISA set)";
    std::mt19937 rng(11);
    struct Shape {
        int64_t M, K, N;
    };
    // M around 16 and 32 (x's tiles, pairs of them); K one chunk and several; N one panel and three;
    // 300 rows at K = 1024 span two groups of x's tiles (512 KB each)
    for (const Shape s :
         {Shape{1, 32, 32}, Shape{15, 64, 32}, Shape{16, 32, 64}, Shape{17, 96, 32}, Shape{31, 64, 96},
          Shape{32, 32, 32}, Shape{33, 128, 64}, Shape{100, 160, 96}, Shape{300, 1024, 64}})
        for (bool with_bias : {false, true}) {
            SCOPED_TRACE(testing::Message()
                         << "M " << s.M << " K " << s.K << " N " << s.N << (with_bias ? " bias" : ""));
            const auto x = random_bf16(size_t(s.M * s.K), 1.0f, rng),
                       w = random_bf16(size_t(s.N * s.K), 0.1f, rng);
            std::vector<float> bias;
            if (with_bias)
                for (int64_t n = 0; n < s.N; ++n) bias.push_back(float(n % 7) - 3.0f);
            std::vector<uint16_t> y(size_t(s.M * s.N + 64), 0xabcd);  // the 64 past the end stay
            ASSERT_TRUE(atelier::gemm_bf16_amx(x.data(), s.M, s.K, w.data(), s.N,
                                               with_bias ? bias.data() : nullptr, y.data()));
            for (size_t i = size_t(s.M * s.N); i < y.size(); ++i) ASSERT_EQ(y[i], 0xabcd) << i;
            // each output rounded to bf16 (2^-9 relative) after f32 sums
            EXPECT_LE(worst_relative_error(y, x, w, bias, s.M, s.K, s.N), 1.0 / 256);
        }
}

// One nonzero per row of x and of w: each output is exactly one product (bf16 × bf16 is exact in
// f32), so the result must be bit-exact, and any transposition mix-up shows.
TEST(GemmAmx, PlacesEveryProductExactly) {
    if (!atelier::cpu_has_amx_bf16()) GTEST_SKIP() << "no AMX-BF16 here (or ATELIER_MAX_ISA set)";
    const int64_t M = 45, K = 64, N = 64;
    const auto x = one_per_row(
        M, K, [&](int64_t m) { return m % K; }, [](int64_t m) { return float(m + 1); });
    const auto w = one_per_row(
        N, K, [&](int64_t n) { return n * 5 % K; }, [](int64_t n) { return 0.5f + float(n) / 64; });
    std::vector<uint16_t> y(size_t(M * N), 0xffff);
    ASSERT_TRUE(atelier::gemm_bf16_amx(x.data(), M, K, w.data(), N, nullptr, y.data()));
    for (int64_t m = 0; m < M; ++m)
        for (int64_t n = 0; n < N; ++n) {
            const uint16_t want =
                m % K == (n * 5) % K ? float_to_bf16(float(m + 1) * (0.5f + float(n) / 64)) : uint16_t(0);
            ASSERT_EQ(y[m * N + n], want) << m << ", " << n;
        }
}

// out = a · w (w [N, K] as stored): the input's gradient of a linear layer.
TEST(GemmAmx, GradientProductMatchesDoublePrecisionAtEdges) {
    if (!atelier::cpu_has_amx_bf16()) GTEST_SKIP() << "no AMX-BF16 here (or ATELIER_MAX_ISA set)";
    std::mt19937 rng(12);
    struct Shape {
        int64_t M, N, K;
    };
    // M around the 32-row pairs (the last one copied and zero-padded); N one chunk of 32, several,
    // and past one block of 256 rows of w (sums carried in f32 between blocks; 288: a last block of
    // 32); K from one 32-column part to several threads' columns, and (300 rows) columns in parts
    for (const Shape s : {Shape{1, 32, 32}, Shape{17, 64, 96}, Shape{32, 32, 128}, Shape{33, 96, 160},
                          Shape{64, 64, 288}, Shape{100, 128, 64}, Shape{33, 288, 96}, Shape{70, 512, 64},
                          Shape{40, 544, 2080}, Shape{300, 288, 1024}}) {
        SCOPED_TRACE(testing::Message() << "M " << s.M << " N " << s.N << " K " << s.K);
        const auto a = random_bf16(size_t(s.M * s.N), 1.0f, rng),
                   w = random_bf16(size_t(s.N * s.K), 0.1f, rng);
        std::vector<uint16_t> out(size_t(s.M * s.K + 64), 0xabcd);
        ASSERT_TRUE(atelier::gemm_bf16_amx_nn(a.data(), s.M, s.N, w.data(), s.K, out.data()));
        for (size_t i = size_t(s.M * s.K); i < out.size(); ++i) ASSERT_EQ(out[i], 0xabcd) << i;
        // the same check as the forward product's, with w transposed: out = a · (wᵀ)ᵀ
        std::vector<uint16_t> wt(w.size());
        for (int64_t n = 0; n < s.N; ++n)
            for (int64_t k = 0; k < s.K; ++k) wt[k * s.N + n] = w[n * s.K + k];
        out.resize(size_t(s.M * s.K));
        EXPECT_LE(worst_relative_error(out, a, wt, {}, s.M, s.N, s.K), 1.0 / 256);
    }
}

TEST(GemmAmx, GradientProductPlacesEveryProductExactly) {
    if (!atelier::cpu_has_amx_bf16()) GTEST_SKIP() << "no AMX-BF16 here (or ATELIER_MAX_ISA set)";
    const int64_t M = 45, N = 64, K = 160;
    const auto a = one_per_row(
        M, N, [&](int64_t m) { return m % N; }, [](int64_t m) { return float(m + 1); });
    const auto w = one_per_row(
        N, K, [&](int64_t n) { return n * 5 % K; }, [](int64_t n) { return 0.5f + float(n) / 64; });
    std::vector<uint16_t> out(size_t(M * K), 0xffff);
    ASSERT_TRUE(atelier::gemm_bf16_amx_nn(a.data(), M, N, w.data(), K, out.data()));
    for (int64_t m = 0; m < M; ++m)
        for (int64_t k = 0; k < K; ++k) {
            const int64_t n = m % N;  // the only nonzero of a's row m
            const uint16_t want =
                (n * 5) % K == k ? float_to_bf16(float(m + 1) * (0.5f + float(n) / 64)) : uint16_t(0);
            ASSERT_EQ(out[m * K + k], want) << m << ", " << k;
        }
}

// Several weights against one x (q, k, v): each part's output bit for bit the single product's, with
// its own bias and row length; parts of one panel and of several, panels shared out across parts.
TEST(GemmAmx, SetOfWeightsGivesEachProductBitForBit) {
    if (!atelier::cpu_has_amx_bf16()) GTEST_SKIP() << "no AMX-BF16 here (or ATELIER_MAX_ISA set)";
    std::mt19937 rng(14);
    const int64_t M = 45, K = 96;
    const int64_t Ns[] = {96, 32, 64};
    const auto x = random_bf16(size_t(M * K), 1.0f, rng);
    std::vector<std::vector<uint16_t>> ws, ys, singles;
    std::vector<std::vector<float>> biases;
    std::vector<atelier::AmxPart> parts;
    for (int p = 0; p < 3; ++p) {
        ws.push_back(random_bf16(size_t(Ns[p] * K), 0.1f, rng));
        biases.emplace_back();
        for (int64_t n = 0; n < Ns[p]; ++n) biases.back().push_back(float(n % 5) - float(p));
        ys.emplace_back(size_t(M * Ns[p] + 64), 0xabcd);
        singles.emplace_back(size_t(M * Ns[p]), 0);
    }
    for (int p = 0; p < 3; ++p)
        parts.push_back({ws[p].data(), Ns[p], p == 1 ? nullptr : biases[p].data(), ys[p].data()});
    ASSERT_TRUE(atelier::gemm_bf16_amx_set(x.data(), M, K, parts.data(), 3));
    for (int p = 0; p < 3; ++p) {
        ASSERT_TRUE(atelier::gemm_bf16_amx(x.data(), M, K, ws[p].data(), Ns[p],
                                           p == 1 ? nullptr : biases[p].data(), singles[p].data()));
        for (size_t i = 0; i < singles[p].size(); ++i)
            ASSERT_EQ(ys[p][i], singles[p][i]) << "part " << p << " at " << i;
        for (size_t i = singles[p].size(); i < ys[p].size(); ++i)
            ASSERT_EQ(ys[p][i], 0xabcd) << p << ", " << i;
    }
}

// The set's gradient: out = Σ_p a_p · w_p as one f32 sum, against double precision over the
// concatenation [a_0 a_1 a_2] · [w_0; w_1; w_2]; parts of one block and past one (256 rows).
TEST(GemmAmx, SetGradientSumsEveryPartsProduct) {
    if (!atelier::cpu_has_amx_bf16()) GTEST_SKIP() << "no AMX-BF16 here (or ATELIER_MAX_ISA set)";
    std::mt19937 rng(15);
    const int64_t M = 70, K = 160;
    const int64_t Ns[] = {288, 32, 64};
    const int64_t N = 288 + 32 + 64;
    std::vector<std::vector<uint16_t>> as, ws;
    std::vector<atelier::AmxGradPart> parts;
    for (int p = 0; p < 3; ++p) {
        as.push_back(random_bf16(size_t(M * Ns[p]), 1.0f, rng));
        ws.push_back(random_bf16(size_t(Ns[p] * K), 0.1f, rng));
    }
    for (int p = 0; p < 3; ++p) parts.push_back({as[p].data(), Ns[p], ws[p].data()});
    std::vector<uint16_t> out(size_t(M * K + 64), 0xabcd);
    ASSERT_TRUE(atelier::gemm_bf16_amx_nn_set(M, K, parts.data(), 3, out.data()));
    for (size_t i = size_t(M * K); i < out.size(); ++i) ASSERT_EQ(out[i], 0xabcd) << i;
    out.resize(size_t(M * K));
    // the concatenation: a [M, N] (parts side by side), wᵀ [K, N] (parts' rows as columns)
    std::vector<uint16_t> a(size_t(M * N)), wt(size_t(K * N));
    for (int64_t m = 0, off = 0; m < M; ++m, off = 0)
        for (int p = 0; p < 3; off += Ns[p], ++p)
            for (int64_t n = 0; n < Ns[p]; ++n) a[m * N + off + n] = as[p][m * Ns[p] + n];
    for (int p = 0, off = 0; p < 3; off += int(Ns[p]), ++p)
        for (int64_t n = 0; n < Ns[p]; ++n)
            for (int64_t k = 0; k < K; ++k) wt[k * N + off + n] = ws[p][n * K + k];
    EXPECT_LE(worst_relative_error(out, a, wt, {}, M, N, K), 1.0 / 256);
}

TEST(GemmAmx, DeclinesSizesOffTheTiles) {
    std::vector<uint16_t> x(64 * 64, 0x3f80), w(64 * 64, 0x3f80), y(64 * 64, 0x1234);
    EXPECT_FALSE(atelier::gemm_bf16_amx(x.data(), 4, 48, w.data(), 32, nullptr, y.data()));  // K % 32
    EXPECT_FALSE(atelier::gemm_bf16_amx(x.data(), 4, 32, w.data(), 48, nullptr, y.data()));  // N % 32
    EXPECT_FALSE(atelier::gemm_bf16_amx(x.data(), 0, 32, w.data(), 32, nullptr, y.data()));
    EXPECT_FALSE(atelier::gemm_bf16_amx_nn(x.data(), 4, 48, w.data(), 32, y.data()));  // N % 32
    EXPECT_FALSE(atelier::gemm_bf16_amx_nn(x.data(), 4, 32, w.data(), 48, y.data()));  // K % 32
    const atelier::AmxPart parts[] = {{w.data(), 64, nullptr, y.data()}, {w.data(), 48, nullptr, y.data()}};
    EXPECT_FALSE(atelier::gemm_bf16_amx_set(x.data(), 4, 32, parts, 2));  // one part's N % 32
    const atelier::AmxGradPart grads[] = {{x.data(), 32, w.data()}, {x.data(), 16, w.data()}};
    EXPECT_FALSE(atelier::gemm_bf16_amx_nn_set(4, 32, grads, 2, y.data()));
    EXPECT_TRUE(std::all_of(y.begin(), y.end(), [](uint16_t v) { return v == 0x1234; }));
}

}  // namespace
