// Sampler: each filter does what it says on hand-made logits.
#include "common/error.h"
#include "generate/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

using namespace atelier;

namespace {

std::map<int, int> histogram(SamplingParams p, const std::vector<float>& logits, int n = 4000) {
    Sampler s(p);
    std::map<int, int> h;
    for (int i = 0; i < n; ++i) {
        auto l = logits;
        h[s.sample(l, {})]++;
    }
    return h;
}

SamplingParams plain(float temperature) {
    SamplingParams p;
    p.temperature = temperature;
    p.top_k = 0;
    p.top_p = 1.0f;
    p.min_p = 0.0f;
    p.seed = 1;
    return p;
}

}  // namespace

TEST(Sampler, GreedyTakesTheFirstMaximum) {
    Sampler s(plain(0));
    std::vector<float> l = {0.5f, 2.0f, -1.0f, 2.0f};
    EXPECT_EQ(s.sample(l, {}), 1);
}

TEST(Sampler, TopKKeepsOnlyTheKBest) {
    auto p = plain(1.0f);
    p.top_k = 2;
    auto h = histogram(p, {1.0f, 3.0f, 2.9f, 0.5f, 2.8f});
    EXPECT_EQ(h.size(), 2u);
    EXPECT_GT(h[1], 0);
    EXPECT_GT(h[2], 0);
}

TEST(Sampler, TopPKeepsTheNucleus) {
    // probs ~ [0.64, 0.24, 0.09, 0.03]: top_p 0.8 keeps the first two.
    std::vector<float> l = {std::log(0.64f), std::log(0.24f), std::log(0.09f), std::log(0.03f)};
    auto p = plain(1.0f);
    p.top_p = 0.8f;
    auto h = histogram(p, l);
    EXPECT_EQ(h.size(), 2u);
    EXPECT_NEAR(h[0] / 4000.0, 0.64 / 0.88, 0.03);
}

TEST(Sampler, MinPDropsUnlikelyTokens) {
    std::vector<float> l = {std::log(0.5f), std::log(0.3f), std::log(0.15f), std::log(0.05f)};
    auto p = plain(1.0f);
    p.min_p = 0.2f;  // floor 0.1: drops 0.05
    auto h = histogram(p, l);
    EXPECT_EQ(h.count(3), 0u);
    EXPECT_EQ(h.size(), 3u);
}

TEST(Sampler, TemperatureSharpensAndFlattens) {
    std::vector<float> l = {1.0f, 0.0f};
    auto cold = histogram(plain(0.25f), l), hot = histogram(plain(4.0f), l);
    // p(0) = sigmoid(1/T): T=0.25 -> 0.982, T=4 -> 0.562
    EXPECT_NEAR(cold[0] / 4000.0, 0.982, 0.02);
    EXPECT_NEAR(hot[0] / 4000.0, 0.562, 0.03);
}

TEST(Sampler, SeedMakesRunsReproducible) {
    std::vector<float> l(50);
    for (size_t i = 0; i < l.size(); ++i) l[i] = std::sin(float(i));
    auto p = plain(1.0f);
    p.seed = 42;
    Sampler a(p), b(p);
    for (int i = 0; i < 100; ++i) {
        auto la = l, lb = l;
        EXPECT_EQ(a.sample(la, {}), b.sample(lb, {}));
    }
}

TEST(Sampler, RepetitionPenaltyDividesPositiveAndMultipliesNegative) {
    std::vector<float> l = {2.0f, -2.0f, 1.0f};
    apply_repetition_penalty(l, {0, 1, 0}, 2.0f, 64);
    EXPECT_FLOAT_EQ(l[0], 1.0f);
    EXPECT_FLOAT_EQ(l[1], -4.0f);
    EXPECT_FLOAT_EQ(l[2], 1.0f);
    // Only the last n tokens count.
    std::vector<float> m = {2.0f, 2.0f};
    apply_repetition_penalty(m, {0, 1}, 2.0f, 1);
    EXPECT_FLOAT_EQ(m[0], 2.0f);
    EXPECT_FLOAT_EQ(m[1], 1.0f);
}

TEST(Sampler, InvalidParametersAreRejected) {
    auto p = plain(-1.0f);
    EXPECT_THROW(Sampler{p}, Error);
    p = plain(1.0f);
    p.top_p = 0.0f;
    EXPECT_THROW(Sampler{p}, Error);
}
