// The fused AMX attention (model/amx_kernels.h) against double precision over the same bf16
// inputs, at block and tile edges; skipped where the CPU has no AMX (the encoders then take
// LibTorch's path, which the multimodal tests cover).
#include "model/amx_kernels.h"

#include "test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

namespace {

using atelier::test::bf16_to_float;
using atelier::test::float_to_bf16;

constexpr int64_t kHd = 64;

struct Case {
    int64_t heads, N, stride;
    std::vector<uint16_t> q, k, v;
};

// Rows of `stride` values, heads · 64 of them used; q scaled by `q_scale` (peaky softmax when large).
Case random_case(int64_t heads, int64_t N, float q_scale, uint32_t seed) {
    Case c{heads, N, heads * kHd + 24, {}, {}, {}};
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal;
    for (auto* t : {&c.q, &c.k, &c.v}) {
        t->resize(size_t(N * c.stride));
        for (auto& x : *t) x = float_to_bf16(normal(rng) * (t == &c.q ? q_scale : 1.0f));
    }
    return c;
}

// out[n, h, d] in double from the bf16 inputs.
std::vector<double> reference(const Case& c) {
    std::vector<double> out(size_t(c.N * c.heads * kHd)), p(size_t(c.N));
    for (int64_t h = 0; h < c.heads; ++h)
        for (int64_t n = 0; n < c.N; ++n) {
            double m = -1e300, sum = 0;
            for (int64_t j = 0; j < c.N; ++j) {
                double s = 0;
                for (int64_t d = 0; d < kHd; ++d)
                    s += double(bf16_to_float(c.q[n * c.stride + h * kHd + d])) *
                         bf16_to_float(c.k[j * c.stride + h * kHd + d]);
                m = std::max(m, p[j] = s);
            }
            for (auto& x : p) sum += x = std::exp(x - m);
            for (int64_t d = 0; d < kHd; ++d) {
                double o = 0;
                for (int64_t j = 0; j < c.N; ++j)
                    o += p[j] / sum * bf16_to_float(c.v[j * c.stride + h * kHd + d]);
                out[(n * c.heads + h) * kHd + d] = o;
            }
        }
    return out;
}

TEST(AttentionAmx, MatchesDoublePrecisionAtBlockAndTileEdges) {
    if (!atelier::cpu_has_amx_bf16()) GTEST_SKIP() << "no AMX-BF16 here (or ATELIER_MAX_ISA set)";
    // 16 queries per block, keys in tiles of 16 padded to 32: every remainder around them
    for (int64_t N : {1, 2, 15, 16, 17, 31, 32, 33, 47, 100, 577}) {
        for (float q_scale : {0.125f, 2.0f}) {
            const Case c = random_case(3, N, q_scale, uint32_t(N * 7 + (q_scale > 1)));
            const int64_t out_stride = c.stride + 8;
            std::vector<uint16_t> out(size_t(N * out_stride), 0xabcd);  // columns past heads · 64 stay
            ASSERT_TRUE(atelier::attention_bf16_amx(c.q.data(), c.k.data(), c.v.data(), c.stride, c.heads, N,
                                                    kHd, out.data(), out_stride));
            const auto want = reference(c);
            double worst = 0, vmax = 0;
            for (auto x : c.v) vmax = std::max(vmax, double(std::fabs(bf16_to_float(x))));
            for (int64_t n = 0; n < N; ++n) {
                for (int64_t i = 0; i < c.heads * kHd; ++i)
                    worst = std::max(worst, std::fabs(bf16_to_float(out[n * out_stride + i]) -
                                                      want[n * c.heads * kHd + i]));
                for (int64_t i = c.heads * kHd; i < out_stride; ++i)
                    ASSERT_EQ(out[n * out_stride + i], 0xabcd) << n;
            }
            // probabilities and outputs rounded to bf16: each within 2^-9 relative, so 2^-8 · max|v|
            EXPECT_LE(worst, 0.004 * vmax) << "N=" << N << " q scale " << q_scale;
        }
    }
}

// One position attends to itself only: the output is its own v.
TEST(AttentionAmx, OnePositionGivesItsValue) {
    if (!atelier::cpu_has_amx_bf16()) GTEST_SKIP() << "no AMX-BF16 here (or ATELIER_MAX_ISA set)";
    const Case c = random_case(2, 1, 1.0f, 3);
    std::vector<uint16_t> out(size_t(c.stride), 0);
    ASSERT_TRUE(atelier::attention_bf16_amx(c.q.data(), c.k.data(), c.v.data(), c.stride, 2, 1, kHd,
                                            out.data(), c.stride));
    for (int64_t i = 0; i < 2 * kHd; ++i) EXPECT_EQ(out[i], c.v[i]) << i;
}

TEST(AttentionAmx, DeclinesOtherHeadSizes) {
    const Case c = random_case(2, 20, 1.0f, 4);
    std::vector<uint16_t> out(size_t(20 * c.stride), 0x1234);
    EXPECT_FALSE(atelier::attention_bf16_amx(c.q.data(), c.k.data(), c.v.data(), c.stride, 4, 20, 32,
                                             out.data(), c.stride));
    EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](uint16_t x) { return x == 0x1234; }));
}

}  // namespace
