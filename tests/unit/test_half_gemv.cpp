// half_gemv: 16-bit weights x f32 activations against a double-precision reference.
#include "model/half_gemv.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

// Values k/8 with |k| <= 64 are exact in bf16 and f16, so only f32 accumulation order differs.
uint16_t to_bf16(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    return static_cast<uint16_t>(bits >> 16);
}

uint16_t to_f16(float f) {
    if (f == 0.0f) return std::signbit(f) ? 0x8000 : 0;
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    const uint32_t sign = (bits >> 16) & 0x8000, exp = (bits >> 23) & 0xff, mant = bits & 0x7fffff;
    return static_cast<uint16_t>(sign | ((exp - 127 + 15) << 10) | (mant >> 13));
}

// A copy of `v` starting `offset` bytes past a 64-byte boundary: the kernels read long rows (K from
// 1024) that all start on a cache line one at a time (the model's weight arena) and other rows
// sixteen at a time, so each check with such a K runs both ways.
template <typename T>
struct Placed {
    std::vector<T> storage;
    T* data = nullptr;
};
template <typename T>
Placed<T> place(const std::vector<T>& v, size_t offset) {
    Placed<T> p;
    p.storage.resize(v.size() + 128 / sizeof(T));
    const uintptr_t base = (reinterpret_cast<uintptr_t>(p.storage.data()) + 63) / 64 * 64 + offset;
    p.data = reinterpret_cast<T*>(base);
    std::copy(v.begin(), v.end(), p.data);
    return p;
}
constexpr size_t kOffsets[] = {0, 8};  // on a cache line; 8 bytes past one (a safetensors offset)

// Each y[m, n] against sum_k w[n, k] x[m, k] (+ bias[n]) in double precision, within `rel` times the
// sum of the terms' magnitudes (+ 1e-6).
::testing::AssertionResult near_reference(const std::vector<float>& y, const std::vector<float>& w,
                                          const std::vector<float>& x, int64_t M, int64_t K, int64_t N,
                                          const float* bias, double rel) {
    for (int64_t m = 0; m < M; ++m)
        for (int64_t n = 0; n < N; ++n) {
            double ref = bias ? bias[n] : 0.0, mag = std::fabs(ref);
            for (int64_t k = 0; k < K; ++k) {
                ref += double(w[n * K + k]) * x[m * K + k];
                mag += std::fabs(double(w[n * K + k]) * x[m * K + k]);
            }
            if (!(std::fabs(y[m * N + n] - ref) <= rel * mag + 1e-6))
                return ::testing::AssertionFailure()
                       << "at (" << m << "," << n << "): " << y[m * N + n] << " against " << ref;
        }
    return ::testing::AssertionSuccess();
}

void check(int64_t M, int64_t K, int64_t N, bool bf16, bool with_bias, size_t offset) {
    std::mt19937 rng(static_cast<unsigned>(M * 1000003 + K * 101 + N + bf16));
    std::uniform_int_distribution<int> q(-64, 64);
    std::vector<float> wf(N * K), x(M * K), bias(N);
    std::vector<uint16_t> w(N * K);
    for (int64_t i = 0; i < N * K; ++i) {
        wf[i] = q(rng) / 8.0f;
        w[i] = bf16 ? to_bf16(wf[i]) : to_f16(wf[i]);
    }
    std::uniform_real_distribution<float> u(-1, 1);
    for (float& v : x) v = u(rng);
    for (float& v : bias) v = u(rng);
    std::vector<float> y(M * N, NAN);
    const auto wp = place(w, offset);
    atelier::half_gemv(x.data(), M, K, wp.data, bf16, N, with_bias ? bias.data() : nullptr, y.data());
    ASSERT_TRUE(near_reference(y, wf, x, M, K, N, with_bias ? bias.data() : nullptr, 1e-5))
        << (bf16 ? "bf16" : "f16") << " M=" << M << " K=" << K << " N=" << N << " offset " << offset;
}

}  // namespace

TEST(HalfGemv, MatchesReferenceForAllShapesAndTails) {
    for (bool bf16 : {true, false})
        for (int64_t M : {1, 3, 4, 5, 8, 16})
            for (int64_t K : {1, 15, 16, 17, 100, 288, 1056, 2048})
                for (int64_t N : {1, 63, 64, 65, 200})
                    for (size_t offset : kOffsets) check(M, K, N, bf16, (M + K + N) % 2 == 0, offset);
}

TEST(HalfGemv, ConvertsSpecialF16Values) {
    // K = 3 < 16 exercises the scalar conversion: a subnormal, a negative and +inf.
    const uint16_t w[3] = {0x0001 /* 2^-24 */, 0xC000 /* -2 */, 0x7C00 /* +inf */};
    const float x[3] = {1 << 24, 1.5f, 0.0f};
    float y = 0;
    atelier::half_gemv(x, 1, 2, w, /*bf16=*/false, 1, nullptr, &y);
    EXPECT_FLOAT_EQ(y, 1.0f - 3.0f);
    atelier::half_gemv(x, 1, 3, w, false, 1, nullptr, &y);
    EXPECT_TRUE(std::isnan(y));  // inf * 0
    EXPECT_TRUE(std::string(atelier::half_gemv_isa()) == "avx2" ||
                std::string(atelier::half_gemv_isa()) == "scalar");
}

TEST(HalfGemv, KernelsStayUnderAtelierMaxIsa) {
    // CTest runs this file's tests again as unit.avx2.* and unit.scalar.* (tests/CMakeLists.txt).
    const char* cap = std::getenv("ATELIER_MAX_ISA");
    if (!cap) GTEST_SKIP() << "no ATELIER_MAX_ISA: the kernels this CPU has run (checked above)";
    const std::string isa = cap;
    if (isa != "avx2" && isa != "avx512" && isa != "scalar") GTEST_SKIP() << "ATELIER_MAX_ISA=" << isa;
    EXPECT_FALSE(atelier::cpu_has_avx512_bf16());
    EXPECT_STREQ(atelier::bf16_gemv_isa(), atelier::half_gemv_isa());
    if (isa == "scalar") {
        EXPECT_FALSE(atelier::cpu_has_avx2_fma_f16c());
        EXPECT_STREQ(atelier::half_gemv_isa(), "scalar");
    }
#if defined(__GNUC__) && defined(__x86_64__)
    if (isa == "avx2" && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
        __builtin_cpu_supports("f16c"))
        EXPECT_STREQ(atelier::half_gemv_isa(), "avx2");
#endif
}

TEST(HalfGemv, WidensToFloat) {
    std::vector<float> values;
    for (int k = -64; k <= 64; ++k) values.push_back(k / 8.0f);
    for (bool bf16 : {true, false}) {
        std::vector<uint16_t> h;
        for (float v : values) h.push_back(bf16 ? to_bf16(v) : to_f16(v));
        std::vector<float> out(values.size(), NAN);
        atelier::half_to_float(h.data(), static_cast<int64_t>(h.size()), bf16, out.data());
        EXPECT_EQ(out, values);
    }
}

TEST(HalfGemv, F32RowMatchesReference) {
    for (int64_t K : {1, 31, 32, 33, 272, 1296, 2048})
        for (int64_t N : {1, 64, 65, 300})
            for (size_t offset : kOffsets) {
                std::mt19937 rng(static_cast<unsigned>(K * 7 + N));
                std::uniform_real_distribution<float> u(-1, 1);
                std::vector<float> w(N * K), x(K), bias(N), y(N);
                for (float& v : w) v = u(rng);
                for (float& v : x) v = u(rng);
                for (float& v : bias) v = u(rng);
                const auto wp = place(w, offset);
                atelier::gemv_f32(x.data(), K, wp.data, N, bias.data(), y.data());
                ASSERT_TRUE(near_reference(y, w, x, 1, K, N, bias.data(), 1e-5))
                    << "K=" << K << " N=" << N << " offset " << offset;
            }
}

TEST(HalfGemv, Bf16ActivationsMatchReference) {
    // bf16 x bf16 pairs of k/8 values are exact products; only the f32 summation order differs.
    for (int64_t K : {1, 31, 32, 33, 100, 288, 1056, 2048})
        for (int64_t N : {1, 7, 8, 9, 64, 65, 300})
            for (size_t offset : kOffsets) {
                std::mt19937 rng(static_cast<unsigned>(K * 13 + N));
                std::uniform_int_distribution<int> q(-64, 64);
                std::vector<float> wf(N * K), xf(K), bias(N);
                std::vector<uint16_t> w(N * K), x(K);
                for (int64_t i = 0; i < N * K; ++i) w[i] = to_bf16(wf[i] = q(rng) / 8.0f);
                for (int64_t k = 0; k < K; ++k) x[k] = to_bf16(xf[k] = q(rng) / 8.0f);
                for (float& v : bias) v = q(rng) / 8.0f;
                std::vector<float> y(N, NAN);
                const auto wp = place(w, offset);
                atelier::bf16_gemv(x.data(), K, wp.data, N, bias.data(), y.data());
                ASSERT_TRUE(near_reference(y, wf, xf, 1, K, N, bias.data(), 1e-6))
                    << atelier::bf16_gemv_isa() << " K=" << K << " N=" << N << " offset " << offset;
            }
    const std::string isa = atelier::bf16_gemv_isa();
    EXPECT_TRUE(isa == "avx512_bf16" || isa == "avx2" || isa == "scalar") << isa;
}

TEST(HalfGemv, Bf16SetEqualsItsPartsOneByOne) {
    // q, k and v (or gate and up) in one pass: each part's result is bf16_gemv's for that matrix.
    const int64_t K = 1056, Ns[3] = {96, 32, 17};  // long rows (one per pass), K % 256 != 0
    std::mt19937 rng(11);
    std::uniform_int_distribution<int> q(-64, 64);
    std::vector<uint16_t> x(K);
    for (auto& v : x) v = to_bf16(q(rng) / 8.0f);
    for (size_t offset : kOffsets) {
        std::vector<Placed<uint16_t>> ws;
        std::vector<std::vector<float>> biases, ys(3), one(3);
        atelier::GemvPart parts[3];
        for (int p = 0; p < 3; ++p) {
            std::vector<uint16_t> w(Ns[p] * K);
            for (auto& v : w) v = to_bf16(q(rng) / 8.0f);
            ws.push_back(place(w, offset));
            biases.emplace_back(Ns[p]);
            for (float& b : biases[p]) b = q(rng) / 8.0f;
            ys[p].assign(Ns[p], NAN);
            one[p].assign(Ns[p], NAN);
            parts[p] = {ws[p].data, Ns[p], p == 1 ? nullptr : biases[p].data(), ys[p].data()};
        }
        atelier::bf16_gemv_set(x.data(), K, parts, 3);
        for (int p = 0; p < 3; ++p) {
            atelier::bf16_gemv(x.data(), K, ws[p].data, Ns[p], parts[p].bias, one[p].data());
            EXPECT_EQ(ys[p], one[p]) << "part " << p << " offset " << offset;
        }
    }
}

TEST(HalfGemv, F32ActivationSetEqualsItsPartsOneByOne) {
    // gemv_set (f32 compute) for each weight type: each part's result is gemv_f32's or half_gemv's.
    using atelier::GemvWeights;
    const int64_t K = 1056, Ns[3] = {96, 32, 17};
    std::mt19937 rng(12);
    std::uniform_real_distribution<float> u(-1, 1);
    std::uniform_int_distribution<int> q(-64, 64);  // weights k/8: exact in f16 and bf16
    std::vector<float> x(K);
    for (float& v : x) v = u(rng);
    for (GemvWeights type : {GemvWeights::F32, GemvWeights::BF16, GemvWeights::F16})
        for (size_t offset : kOffsets) {
            std::vector<Placed<float>> wf;
            std::vector<Placed<uint16_t>> wh;
            std::vector<std::vector<float>> biases, ys(3), one(3);
            atelier::GemvPart parts[3];
            for (int p = 0; p < 3; ++p) {
                std::vector<float> w(Ns[p] * K);
                for (float& v : w) v = q(rng) / 8.0f;
                std::vector<uint16_t> h;
                for (float v : w) h.push_back(type == GemvWeights::BF16 ? to_bf16(v) : to_f16(v));
                wf.push_back(place(w, offset));
                wh.push_back(place(h, offset));
                biases.emplace_back(Ns[p]);
                for (float& b : biases[p]) b = u(rng);
                ys[p].assign(Ns[p], NAN);
                one[p].assign(Ns[p], NAN);
                const void* data =
                    type == GemvWeights::F32 ? static_cast<const void*>(wf[p].data) : wh[p].data;
                parts[p] = {data, Ns[p], p == 1 ? nullptr : biases[p].data(), ys[p].data()};
            }
            atelier::gemv_set(x.data(), K, type, parts, 3);
            for (int p = 0; p < 3; ++p) {
                if (type == GemvWeights::F32)
                    atelier::gemv_f32(x.data(), K, wf[p].data, Ns[p], parts[p].bias, one[p].data());
                else
                    atelier::half_gemv(x.data(), 1, K, wh[p].data, type == GemvWeights::BF16, Ns[p],
                                       parts[p].bias, one[p].data());
                EXPECT_EQ(ys[p], one[p]) << "type " << int(type) << " part " << p << " offset " << offset;
                EXPECT_FALSE(std::isnan(ys[p][0]));
            }
        }
}

TEST(HalfGemv, Bf16SmallGemmMatchesReference) {
    // A prompt of a few tokens: rows of k/8 values (exact bf16 products), K with and without a tail.
    if (!atelier::cpu_has_avx512_bf16()) {
        const std::vector<uint16_t> x(2 * 32, to_bf16(1)), w(32, to_bf16(1));
        std::vector<float> y(2, NAN);
        EXPECT_FALSE(atelier::bf16_gemm_small(x.data(), 2, 32, w.data(), 1, nullptr, y.data()));
        EXPECT_TRUE(std::isnan(y[0]));
        GTEST_SKIP() << "no AVX512-BF16: the few-row kernel does not run on this CPU";
    }
    for (int64_t M = 1; M <= atelier::kBf16GemmSmallRows + 1; ++M)
        for (int64_t K : {1, 31, 32, 33, 100, 2048})
            for (int64_t N : {1, 17, 64, 65})
                for (size_t offset : kOffsets) {
                    std::mt19937 rng(static_cast<unsigned>(M * 1009 + K * 13 + N));
                    std::uniform_int_distribution<int> q(-64, 64);
                    std::vector<float> wf(N * K), xf(M * K), bias(N);
                    std::vector<uint16_t> w(N * K), x(M * K);
                    for (int64_t i = 0; i < N * K; ++i) w[i] = to_bf16(wf[i] = q(rng) / 8.0f);
                    for (int64_t i = 0; i < M * K; ++i) x[i] = to_bf16(xf[i] = q(rng) / 8.0f);
                    for (float& v : bias) v = q(rng) / 8.0f;
                    const bool with_bias = (K + N) % 2 == 0;
                    std::vector<float> y(M * N, NAN);
                    const auto wp = place(w, offset);
                    const bool ran = atelier::bf16_gemm_small(x.data(), M, K, wp.data, N,
                                                              with_bias ? bias.data() : nullptr, y.data());
                    if (M > atelier::kBf16GemmSmallRows) {
                        EXPECT_FALSE(ran) << "M=" << M;
                        EXPECT_TRUE(std::isnan(y[0]));  // nothing written
                        continue;
                    }
                    ASSERT_TRUE(ran);
                    ASSERT_TRUE(near_reference(y, wf, xf, M, K, N, with_bias ? bias.data() : nullptr, 1e-6))
                        << "M=" << M << " K=" << K << " N=" << N << " offset " << offset;
                }
}

TEST(HalfGemv, F32SmallGemmMatchesReference) {
    // A prompt of a few tokens with f32 compute: f32 weights (gemm_f32_small) and 16-bit ones
    // (half_gemm_small; k/8 values, exact in both), K with and without a tail, weights misaligned.
    if (!atelier::cpu_has_avx512_bf16()) {
        std::vector<float> x(2 * 16, 1), w(16, 1), y(2, NAN);
        EXPECT_FALSE(atelier::gemm_f32_small(x.data(), 2, 16, w.data(), 1, nullptr, y.data()));
        EXPECT_TRUE(std::isnan(y[0]));
        GTEST_SKIP() << "no AVX512-BF16: the few-row kernels do not run on this CPU";
    }
    for (int type = 0; type < 3; ++type)  // f32, bf16, f16 weights
        for (int64_t M : {1, 2, 5, atelier::kSmallGemmRows, atelier::kSmallGemmRows + 1})
            for (int64_t K : {1, 17, 1296})
                for (int64_t N : {1, 65})
                    for (size_t offset : kOffsets) {
                        std::mt19937 rng(static_cast<unsigned>(type * 7919 + M * 31 + K * 7 + N));
                        std::uniform_real_distribution<float> u(-1, 1);
                        std::uniform_int_distribution<int> q(-64, 64);
                        std::vector<float> w(N * K), x(M * K), bias(N), y(M * N, NAN);
                        std::vector<uint16_t> h(N * K);
                        for (int64_t i = 0; i < N * K; ++i) {
                            w[i] = type == 0 ? u(rng) : q(rng) / 8.0f;
                            h[i] = type == 1 ? to_bf16(w[i]) : to_f16(w[i]);
                        }
                        for (float& v : x) v = u(rng);
                        for (float& v : bias) v = u(rng);
                        const auto wp = place(w, offset);
                        const auto hp = place(h, offset);
                        const bool ran =
                            type == 0
                                ? atelier::gemm_f32_small(x.data(), M, K, wp.data, N, bias.data(), y.data())
                                : atelier::half_gemm_small(x.data(), M, K, hp.data, type == 1, N, bias.data(),
                                                           y.data());
                        const auto where = "type " + std::to_string(type) + " M=" + std::to_string(M) +
                                           " K=" + std::to_string(K) + " N=" + std::to_string(N) +
                                           " offset " + std::to_string(offset);
                        if (M > atelier::kSmallGemmRows) {
                            EXPECT_FALSE(ran) << where;
                            EXPECT_TRUE(std::isnan(y[0])) << where;  // nothing written
                            continue;
                        }
                        ASSERT_TRUE(ran) << where;
                        ASSERT_TRUE(near_reference(y, w, x, M, K, N, bias.data(), 1e-5)) << where;
                    }
}

// With the one-row passes off (choose_gemv_passes found the multi-row ones faster on this machine),
// rows on cache lines go several per pass and the products stay right, for every kernel.
TEST(HalfGemv, LongRowPassesOffStillMatchReference) {
    ASSERT_TRUE(atelier::long_row_passes());  // the default
    atelier::set_long_row_passes(false);
    for (bool bf16 : {true, false})
        for (int64_t M : {1, 5})
            for (int64_t K : {1056, 2048}) check(M, K, 65, bf16, true, 0);
    std::mt19937 rng(5);
    std::uniform_int_distribution<int> q(-64, 64);
    const int64_t K = 2048, N = 67;
    std::vector<float> wf(N * K), xf(K), y(N, NAN);
    std::vector<uint16_t> w(N * K), x(K);
    for (int64_t i = 0; i < N * K; ++i) w[i] = to_bf16(wf[i] = q(rng) / 8.0f);
    for (int64_t k = 0; k < K; ++k) x[k] = to_bf16(xf[k] = q(rng) / 8.0f);
    const auto wp = place(w, 0);
    atelier::bf16_gemv(x.data(), K, wp.data, N, nullptr, y.data());
    EXPECT_TRUE(near_reference(y, wf, xf, 1, K, N, nullptr, 1e-6));
    const auto wfp = place(wf, 0);
    std::fill(y.begin(), y.end(), NAN);
    atelier::gemv_f32(xf.data(), K, wfp.data, N, nullptr, y.data());
    EXPECT_TRUE(near_reference(y, wf, xf, 1, K, N, nullptr, 1e-5));
    atelier::set_long_row_passes(true);
}
