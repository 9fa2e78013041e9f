// The row kernels (softmax_rows, bias_act_rows, cross_entropy_rows, masked_scale, swiglu, the backward
// passes of RMSNorm and the softmax) against double precision, for every kernel this CPU can run.
#include "model/row_kernels.h"

#include "common/mix64.h"

#include "test_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using atelier::SoftmaxIsa;

using atelier::test::bf16_to_float;
using atelier::test::float_to_bf16;

std::vector<double> reference(const std::vector<float>& row) {
    double m = -std::numeric_limits<double>::infinity(), sum = 0;
    for (float v : row) m = std::max(m, double(v));
    std::vector<double> e(row.size());
    for (size_t j = 0; j < row.size(); ++j) sum += e[j] = std::exp(double(row[j]) - m);
    for (double& v : e) v /= sum;
    return e;
}

const SoftmaxIsa kIsas[] = {SoftmaxIsa::Best, SoftmaxIsa::Avx2, SoftmaxIsa::Scalar};

}  // namespace

TEST(SoftmaxRows, MatchesDoublePrecisionForEveryKernelLengthAndDtype) {
    std::mt19937 rng(5);
    std::normal_distribution<float> n(0.0f, 4.0f);
    for (SoftmaxIsa isa : kIsas)
        for (int64_t cols : {1, 7, 8, 15, 16, 17, 33, 577, 1500})
            for (bool in_bf16 : {false, true})
                for (bool out_bf16 : {false, true}) {
                    const int64_t rows = 37;  // 37 × 577 > 16384: OpenMP splits the rows
                    std::vector<float> x(rows * cols);
                    std::vector<uint16_t> xb(x.size());
                    for (size_t i = 0; i < x.size(); ++i) {
                        x[i] = n(rng);
                        if (i % 5 == 3) x[i] = -std::numeric_limits<float>::infinity();  // masked
                        xb[i] = float_to_bf16(x[i]);
                        if (in_bf16) x[i] = bf16_to_float(xb[i]);
                    }
                    if (cols > 1) x[cols - 1] = xb[cols - 1] = 0;  // no row entirely masked
                    for (int64_t r = 0; r < rows; ++r) {
                        x[r * cols] = 1.0f;  // at least one unmasked entry per row
                        xb[r * cols] = float_to_bf16(1.0f);
                    }
                    std::vector<float> yf(x.size(), NAN);
                    std::vector<uint16_t> yb(x.size(), 0xffff);
                    atelier::softmax_rows(in_bf16 ? static_cast<const void*>(xb.data()) : x.data(), in_bf16,
                                          rows, cols, out_bf16 ? static_cast<void*>(yb.data()) : yf.data(),
                                          out_bf16, isa);
                    for (int64_t r = 0; r < rows; ++r) {
                        const std::vector<float> row(x.begin() + r * cols, x.begin() + (r + 1) * cols);
                        const auto ref = reference(row);
                        float m = row[0];
                        for (float v : row) m = std::max(m, v);
                        for (int64_t j = 0; j < cols; ++j) {
                            const double want = ref[j];
                            const float got = out_bf16 ? bf16_to_float(yb[r * cols + j]) : yf[r * cols + j];
                            if (want == 0.0) {
                                ASSERT_EQ(got, 0.0f) << "a masked entry must be exactly 0";
                                continue;
                            }
                            // x - max rounds to half an ulp of itself in f32 (LibTorch's softmax likewise),
                            // which exp turns into a relative error; exp and the division add a few ulp, the
                            // f32 sum more with length. bf16 output: the reference's rounding, give or take
                            // one bf16 ulp.
                            const double rel =
                                1e-6 + 4e-9 * double(cols) + std::ldexp(std::fabs(double(row[j]) - m), -23);
                            const double tol = out_bf16 ? std::ldexp(want, -8) + rel * want : rel * want;
                            ASSERT_NEAR(got, want, tol)
                                << "isa " << int(isa) << " cols " << cols << " in_bf16 " << in_bf16
                                << " out_bf16 " << out_bf16 << " at " << r << "," << j;
                        }
                    }
                }
}

TEST(SoftmaxRows, ARowOfMinusInfinityGivesNaNAsLibTorchDoes) {
    for (SoftmaxIsa isa : kIsas)
        for (bool out_bf16 : {false, true}) {
            const int64_t cols = 21;
            std::vector<float> x(cols, -std::numeric_limits<float>::infinity());
            std::vector<float> yf(cols, 0);
            std::vector<uint16_t> yb(cols, 0);
            atelier::softmax_rows(x.data(), false, 1, cols,
                                  out_bf16 ? static_cast<void*>(yb.data()) : yf.data(), out_bf16, isa);
            for (int64_t j = 0; j < cols; ++j)
                EXPECT_TRUE(std::isnan(out_bf16 ? bf16_to_float(yb[j]) : yf[j])) << int(isa) << " " << j;
        }
    const std::string isa = atelier::softmax_rows_isa();
    EXPECT_TRUE(isa == "avx512" || isa == "avx2" || isa == "scalar") << isa;
}

// act(y + bias) · scale in double, for quick GELU x · sigmoid(1.702 x), the exact GELU x · Φ(x) and none.
TEST(BiasActRows, MatchesDoublePrecisionForEveryKernelLengthAndDtype) {
    std::mt19937 rng(9);
    std::normal_distribution<float> n(0.0f, 3.0f);
    for (SoftmaxIsa isa : kIsas)
        for (int64_t cols : {1, 7, 8, 15, 16, 17, 33, 1024})
            for (bool bf16 : {false, true})
                for (bool with_bias : {false, true})
                    for (auto act :
                         {atelier::RowAct::None, atelier::RowAct::QuickGelu, atelier::RowAct::Gelu}) {
                        const int64_t rows = 21;  // 21 × 1024 > 16384: OpenMP splits the rows
                        const float scale = act == atelier::RowAct::None ? 0.125f : 1.0f;
                        std::vector<float> y(rows * cols), bias(cols);
                        std::vector<uint16_t> yb(y.size()), bb(cols);
                        for (size_t i = 0; i < y.size(); ++i) {
                            y[i] = i % 97 == 5 ? (i % 2 ? 95.0f : -95.0f)
                                               : n(rng);  // exp(±162) must not overflow
                            yb[i] = float_to_bf16(y[i]);
                            if (bf16) y[i] = bf16_to_float(yb[i]);
                        }
                        for (int64_t c = 0; c < cols; ++c) {
                            bb[c] = float_to_bf16(n(rng));
                            bias[c] = bf16 ? bf16_to_float(bb[c]) : n(rng);
                        }
                        std::vector<float> out = y;
                        atelier::bias_act_rows(
                            bf16 ? static_cast<void*>(yb.data()) : out.data(), bf16, rows, cols,
                            with_bias ? (bf16 ? static_cast<const void*>(bb.data()) : bias.data()) : nullptr,
                            bf16, scale, act, isa);
                        for (int64_t i = 0; i < rows * cols; ++i) {
                            double v = double(y[i]) + (with_bias ? double(bias[i % cols]) : 0.0);
                            if (act == atelier::RowAct::QuickGelu) v = v / (1.0 + std::exp(-1.702 * v));
                            if (act == atelier::RowAct::Gelu) v = 0.5 * v * std::erfc(-v / std::sqrt(2.0));
                            v *= scale;
                            const double got = bf16 ? bf16_to_float(yb[i]) : out[i];
                            // bf16: one rounding (2^-8 relative) after f32 arithmetic; f32: exp to a few ulp.
                            const double tol = (bf16 ? 4e-3 : 1e-5) * std::fabs(v) + 1e-7;
                            ASSERT_NEAR(got, v, tol)
                                << "isa " << int(isa) << " cols " << cols << " bf16 " << bf16 << " act "
                                << int(act) << " at " << i << " of " << y[i];
                        }
                    }
}

TEST(BiasActRows, NaNStaysNaN) {
    for (SoftmaxIsa isa : kIsas)
        for (bool bf16 : {false, true}) {
            std::vector<float> y(19, std::numeric_limits<float>::quiet_NaN());
            std::vector<uint16_t> yb(19, 0x7fc0);
            for (auto act : {atelier::RowAct::QuickGelu, atelier::RowAct::Gelu}) {
                atelier::bias_act_rows(bf16 ? static_cast<void*>(yb.data()) : y.data(), bf16, 1, 19, nullptr,
                                       bf16, 1.0f, act, isa);
                for (int j = 0; j < 19; ++j)
                    EXPECT_TRUE(std::isnan(bf16 ? bf16_to_float(yb[j]) : y[j])) << int(isa) << int(act);
            }
        }
}

// The causal softmax of scale · scores equals softmax_rows over the scaled scores with the upper
// triangle at -inf.
TEST(SoftmaxRows, CausalEqualsAMaskedSoftmax) {
    std::mt19937 rng(3);
    std::normal_distribution<float> n(0.0f, 2.0f);
    for (SoftmaxIsa isa : kIsas)
        for (bool bf16 : {false, true})
            for (const auto& [period, first] :
                 {std::pair<int64_t, int64_t>{5, 0}, {5, 12}, {1, 16}, {7, 30}}) {
                const float scale = period == 5 ? 0.125f : 0.3f;         // attention's 1/sqrt(head_dim)
                const int64_t cols = first + period, rows = 3 * period;  // three groups (heads) of queries
                std::vector<float> x(rows * cols), masked(x.size());
                for (auto& v : x) v = bf16 ? bf16_to_float(float_to_bf16(n(rng))) : n(rng);
                for (int64_t r = 0; r < rows; ++r)
                    for (int64_t c = 0; c < cols; ++c)
                        masked[r * cols + c] = c <= first + r % period
                                                   ? x[r * cols + c] * scale
                                                   : -std::numeric_limits<float>::infinity();
                std::vector<uint16_t> xb(x.size()), got_b(x.size()), want_b(x.size());
                for (size_t i = 0; i < x.size(); ++i) xb[i] = float_to_bf16(x[i]);
                std::vector<float> got(x.size()), want(x.size());
                atelier::softmax_rows(masked.data(), false, rows, cols, want.data(), false, isa);
                if (bf16)
                    atelier::softmax_rows_causal(xb.data(), true, rows, cols, got_b.data(), true, period,
                                                 first, scale, isa);
                else
                    atelier::softmax_rows_causal(x.data(), false, rows, cols, got.data(), false, period,
                                                 first, scale, isa);
                for (size_t i = 0; i < x.size(); ++i) {
                    const float g = bf16 ? bf16_to_float(got_b[i]) : got[i];
                    if (want[i] == 0)
                        ASSERT_EQ(g, 0.0f) << i;
                    else
                        ASSERT_NEAR(g, want[i], bf16 ? 4e-3 * want[i] + 1e-6 : 1e-6) << int(isa) << " " << i;
                }
            }
}

// Token cross-entropy rows and their gradient against double precision: every kernel, vector tails,
// bf16 and f32 logits, ignored rows (loss and gradient exactly 0), a logit far below the rest (exp
// underflows to 0) and the target as the first, a middle and the last column.
TEST(CrossEntropyRows, MatchesDoublePrecisionForEveryKernelLengthAndDtype) {
    std::mt19937 rng(11);
    std::normal_distribution<float> n(0.0f, 3.0f);
    for (SoftmaxIsa isa : kIsas)
        for (int64_t cols : {1, 7, 8, 17, 1003})
            for (bool bf16 : {false, true}) {
                SCOPED_TRACE("cols " + std::to_string(cols) + (bf16 ? " bf16" : " f32") + " isa " +
                             std::to_string(static_cast<int>(isa)));
                const int64_t rows = 29;  // 29 × 1003 > 16384: OpenMP splits the rows
                std::vector<float> x(rows * cols);
                std::vector<uint16_t> xb(x.size());
                for (size_t i = 0; i < x.size(); ++i) {
                    x[i] = i % 97 == 5 ? -200.0f : n(rng);
                    xb[i] = float_to_bf16(x[i]);
                    if (bf16) x[i] = bf16_to_float(xb[i]);
                }
                std::vector<int64_t> target(rows);
                for (int64_t r = 0; r < rows; ++r)
                    target[r] = r % 4 == 3 ? -1 : r % 3 == 0 ? 0 : r % 3 == 1 ? cols - 1 : cols / 2;
                const void* in = bf16 ? static_cast<const void*>(xb.data()) : x.data();
                std::vector<float> loss(rows, -1), lse(rows);
                atelier::cross_entropy_rows(in, bf16, rows, cols, target.data(), loss.data(), lse.data(),
                                            isa);
                const float g = 0.37f;
                std::vector<float> dx(rows * cols, 9);
                std::vector<uint16_t> dxb(rows * cols, 9);
                void* d = bf16 ? static_cast<void*>(dxb.data()) : dx.data();
                atelier::cross_entropy_backward_rows(in, bf16, rows, cols, target.data(), lse.data(), g, d,
                                                     isa);
                for (int64_t r = 0; r < rows; ++r) {
                    const float* row = x.data() + r * cols;
                    double m = -1e300, s = 0;
                    for (int64_t j = 0; j < cols; ++j) m = std::max(m, double(row[j]));
                    for (int64_t j = 0; j < cols; ++j) s += std::exp(double(row[j]) - m);
                    const double ref_lse = m + std::log(s);
                    const bool skip = target[r] < 0;
                    EXPECT_NEAR(loss[r], skip ? 0.0 : ref_lse - row[target[r]],
                                2e-5 * (1 + std::abs(ref_lse)));
                    if (skip) EXPECT_EQ(loss[r], 0.0f);
                    for (int64_t j = 0; j < cols; ++j) {
                        const double want =
                            skip ? 0.0
                                 : g * (std::exp(double(row[j]) - ref_lse) - (j == target[r] ? 1.0 : 0.0));
                        const double got = bf16 ? bf16_to_float(dxb[r * cols + j]) : dx[r * cols + j];
                        if (skip) {
                            ASSERT_EQ(got, 0.0) << "row " << r << " col " << j;
                        } else {
                            ASSERT_NEAR(got, want, (bf16 ? 1.0 / 128 : 1e-5) * std::abs(want) + 1e-7)
                                << "row " << r << " col " << j;
                        }
                    }
                }
            }
}

// Dropout's masked product for every kernel, bf16 and f32, with tails: kept values times the scale
// (bf16 rounded to nearest even), dropped ones 0 (signed as x · 0 is).
TEST(MaskedScale, MatchesTheProductForEveryKernelAndDtype) {
    std::mt19937 rng(13);
    std::normal_distribution<float> n(0.0f, 2.0f);
    for (SoftmaxIsa isa : kIsas)
        for (int64_t count : {1, 7, 8, 9, 4096 * 2 + 5})
            for (bool bf16 : {false, true}) {
                std::vector<float> x(count);
                std::vector<uint16_t> xb(count);
                std::vector<uint8_t> keep(count);
                for (int64_t i = 0; i < count; ++i) {
                    xb[i] = float_to_bf16(n(rng));
                    x[i] = bf16 ? bf16_to_float(xb[i]) : n(rng);
                    keep[i] = rng() % 3 ? 1 : 0;
                }
                const float scale = 1.109375f;
                std::vector<float> y(count);
                std::vector<uint16_t> yb(count);
                atelier::masked_scale(bf16 ? static_cast<const void*>(xb.data()) : x.data(), bf16,
                                      keep.data(), scale, count,
                                      bf16 ? static_cast<void*>(yb.data()) : y.data(), isa);
                for (int64_t i = 0; i < count; ++i) {
                    const float want = x[i] * (keep[i] ? scale : 0.0f);
                    if (bf16)
                        ASSERT_EQ(yb[i], float_to_bf16(want)) << i << " of " << count;
                    else
                        ASSERT_EQ(std::memcmp(&y[i], &want, 4), 0) << i << " of " << count;
                }
            }
}

// Dropout's keep bytes for every kernel against the definition, one mix64 per element: counters
// that restart at each row (rows shorter and longer than a vector, and than the 16384-element work
// items the threads share), a first row past 0, tails, and thresholds at both ends (0: keep all;
// 2^32 - 1: keep about none). Any lane or row mix-up changes bytes.
TEST(DropoutKeepMask, EveryKernelGivesTheDefinitionsBytes) {
    const uint64_t base = atelier::mix64(2024);
    for (SoftmaxIsa isa : kIsas)
        for (int64_t n : {1, 15, 16, 17, 3 * 16384 + 7})
            for (int64_t per_row : {int64_t(1), int64_t(5), int64_t(1031), int64_t(16385), n})
                for (uint64_t first_row : {0, 7})
                    for (uint32_t threshold : {0u, 429496730u, 2147483648u, 4294967295u}) {
                        std::vector<uint8_t> keep(n + 1, 7);
                        atelier::dropout_keep_mask(base, first_row, per_row, threshold, n, keep.data(), isa);
                        int64_t kept = 0;
                        for (int64_t i = 0; i < n; ++i) {
                            const uint64_t counter =
                                ((first_row + uint64_t(i / per_row)) << 40) + uint64_t(i % per_row);
                            const uint8_t want = (atelier::mix64(base + atelier::kGoldenGamma * counter) &
                                                  0xffffffffULL) >= threshold;
                            ASSERT_EQ(keep[i], want) << "element " << i << " of " << n << ", rows of "
                                                     << per_row << ", threshold " << threshold;
                            kept += keep[i];
                        }
                        EXPECT_EQ(keep[n], 7) << "nothing written past the end";
                        if (threshold == 0) EXPECT_EQ(kept, n);
                        if (n > 10000 && threshold == 429496730u)  // p = 0.1 over 49k draws
                            EXPECT_NEAR(double(kept) / n, 0.9, 0.01);
                    }
}

// LayerNorm rows against double precision: every kernel, lengths around the vector width, f32 and
// bf16 data, with and without weight and bias, rows far from zero mean.
TEST(LayerNormRows, MatchesDoublePrecisionForEveryKernelLengthAndDtype) {
    std::mt19937 rng(11);
    std::normal_distribution<float> n(0.0f, 1.0f);
    for (SoftmaxIsa isa : kIsas)
        for (int64_t cols : {1, 7, 8, 9, 64, 512})
            for (bool bf16 : {false, true})
                for (bool affine : {false, true}) {
                    const int64_t rows = 40;  // 40 × 512 > 16384: OpenMP splits the rows
                    std::vector<float> x(rows * cols), w(cols), b(cols), y(x.size());
                    std::vector<uint16_t> xb(x.size()), wb(cols), bb(cols), yb(x.size());
                    for (size_t i = 0; i < x.size(); ++i) {
                        xb[i] = float_to_bf16(5.0f + 3.0f * n(rng));
                        x[i] = bf16 ? bf16_to_float(xb[i]) : 5.0f + 3.0f * n(rng);
                    }
                    for (int64_t c = 0; c < cols; ++c) {
                        wb[c] = float_to_bf16(1.0f + 0.5f * n(rng));
                        bb[c] = float_to_bf16(n(rng));
                        w[c] = bf16 ? bf16_to_float(wb[c]) : 1.0f + 0.5f * n(rng);
                        b[c] = bf16 ? bf16_to_float(bb[c]) : n(rng);
                    }
                    const void* wp =
                        affine ? (bf16 ? static_cast<const void*>(wb.data()) : w.data()) : nullptr;
                    const void* bp =
                        affine ? (bf16 ? static_cast<const void*>(bb.data()) : b.data()) : nullptr;
                    atelier::layer_norm_rows(bf16 ? static_cast<const void*>(xb.data()) : x.data(), wp, bp,
                                             bf16, bf16, rows, cols, 1e-5f,
                                             bf16 ? static_cast<void*>(yb.data()) : y.data(), isa);
                    for (int64_t r = 0; r < rows; ++r) {
                        double mean = 0, var = 0;
                        for (int64_t c = 0; c < cols; ++c) mean += x[r * cols + c];
                        mean /= double(cols);
                        for (int64_t c = 0; c < cols; ++c)
                            var += (x[r * cols + c] - mean) * (x[r * cols + c] - mean);
                        const double rstd = 1.0 / std::sqrt(var / double(cols) + 1e-5);
                        for (int64_t c = 0; c < cols; ++c) {
                            double want = (x[r * cols + c] - mean) * rstd;
                            if (affine) want = want * w[c] + b[c];
                            const double got = bf16 ? bf16_to_float(yb[r * cols + c]) : y[r * cols + c];
                            const double tol = (bf16 ? 4e-3 : 2e-5) * std::fabs(want) + 1e-4;
                            ASSERT_NEAR(got, want, tol)
                                << "isa " << int(isa) << " cols " << cols << " bf16 " << bf16 << " affine "
                                << affine << " row " << r << " col " << c;
                        }
                    }
                }
}

// SwiGLU forward and backward for every kernel, f32 and bf16, with tails and values past exp's range
// both ways: each against double precision, and the AVX-512 kernels (Best, where the CPU has
// AVX512-BF16) equal bit for bit to the AVX2 ones, whose steps and roundings they repeat, on the
// elements the AVX2 kernels compute in vectors.
TEST(SwigluRows, EveryKernelMatchesDoublePrecisionAndTheVectorKernelsAgreeBitForBit) {
    std::mt19937 rng(17);
    std::normal_distribution<float> n(0.0f, 3.0f);
    for (int64_t count : {1, 15, 16, 17, 4096 * 2 + 13})
        for (bool bf16 : {false, true}) {
            std::vector<float> g(count), u(count), dy(count);
            for (int64_t i = 0; i < count; ++i) g[i] = n(rng), u[i] = n(rng), dy[i] = n(rng);
            g[0] = -100;
            if (count > 1) g[1] = 100;
            std::vector<uint16_t> gb(count), ub(count), dyb(count);
            for (int64_t i = 0; i < count && bf16; ++i) {
                g[i] = bf16_to_float(gb[i] = float_to_bf16(g[i]));
                u[i] = bf16_to_float(ub[i] = float_to_bf16(u[i]));
                dy[i] = bf16_to_float(dyb[i] = float_to_bf16(dy[i]));
            }
            auto src = [&](std::vector<float>& f, std::vector<uint16_t>& b) -> const void* {
                return bf16 ? static_cast<const void*>(b.data()) : f.data();
            };
            // y, dg and du of one kernel, as floats
            auto run = [&](SoftmaxIsa isa) {
                std::vector<float> yf(count), dgf(count), duf(count);
                std::vector<uint16_t> yb(count), dgb(count), dub(count);
                auto dst = [&](std::vector<float>& f, std::vector<uint16_t>& b) -> void* {
                    return bf16 ? static_cast<void*>(b.data()) : f.data();
                };
                atelier::swiglu(src(g, gb), src(u, ub), bf16, count, dst(yf, yb), isa);
                atelier::swiglu_backward(src(g, gb), src(u, ub), src(dy, dyb), bf16, count, dst(dgf, dgb),
                                         dst(duf, dub), isa);
                for (int64_t i = 0; i < count && bf16; ++i)
                    yf[i] = bf16_to_float(yb[i]), dgf[i] = bf16_to_float(dgb[i]),
                    duf[i] = bf16_to_float(dub[i]);
                return std::vector<std::vector<float>>{yf, dgf, duf};
            };
            const double tol = bf16 ? 1.0 / 64 : 1e-5;  // bf16 rounds each step
            for (SoftmaxIsa isa : kIsas) {
                const auto out = run(isa);
                for (int64_t i = 0; i < count; ++i) {
                    const double gd = g[i], s = 1 / (1 + std::exp(-gd));
                    const double want[3] = {gd * s * u[i], dy[i] * u[i] * s * (1 + gd * (1 - s)),
                                            dy[i] * gd * s};
                    for (int o = 0; o < 3; ++o)
                        ASSERT_LE(std::fabs(out[o][i] - want[o]), tol * std::fabs(want[o]) + 1e-6)
                            << "output " << o << " at " << i << " of " << count << (bf16 ? " bf16" : " f32")
                            << " isa " << int(isa);
                }
            }
            // (the AVX2 kernels leave a count % 8 tail to the scalar loop, with libm's exp)
            const auto best = run(SoftmaxIsa::Best), avx2 = run(SoftmaxIsa::Avx2);
            const size_t vector_part = static_cast<size_t>(count - count % 8);
            for (int o = 0; o < 3; ++o)
                EXPECT_EQ(std::memcmp(best[o].data(), avx2[o].data(), vector_part * sizeof(float)), 0)
                    << "output " << o << " of " << count << (bf16 ? " bf16" : " f32");
        }
}

// RMSNorm's and the softmax's backward passes for every kernel, f32 and bf16, rows shorter and
// longer than a vector with tails, against double precision from the same inputs.
TEST(BackwardRows, RmsNormAndSoftmaxMatchDoublePrecisionForEveryKernel) {
    std::mt19937 rng(19);
    std::normal_distribution<float> n(0.0f, 1.0f);
    for (SoftmaxIsa isa : kIsas)
        for (int64_t cols : {1, 15, 16, 17, 2048 + 5})
            for (bool bf16 : {false, true}) {
                const int64_t rows = 9;
                auto values = [&](int64_t count, std::vector<uint16_t>& b) {
                    std::vector<float> f(count);
                    b.resize(count);
                    for (int64_t i = 0; i < count; ++i) f[i] = bf16_to_float(b[i] = float_to_bf16(n(rng)));
                    return f;
                };
                std::vector<uint16_t> xb, wb, dyb, pb;
                const auto x = values(rows * cols, xb), w = values(cols, wb), dy = values(rows * cols, dyb);
                auto p = values(rows * cols, pb);  // probabilities: each row positive, summing to 1
                for (int64_t r = 0; r < rows; ++r) {
                    double sum = 0;
                    for (int64_t j = 0; j < cols; ++j) sum += std::fabs(p[r * cols + j]);
                    for (int64_t j = 0; j < cols; ++j) {
                        const int64_t i = r * cols + j;
                        p[i] = bf16_to_float(pb[i] = float_to_bf16(float(std::fabs(p[i]) / sum)));
                    }
                }
                std::vector<float> rstd(rows);
                for (int64_t r = 0; r < rows; ++r) {
                    double ss = 0;
                    for (int64_t j = 0; j < cols; ++j) ss += double(x[r * cols + j]) * x[r * cols + j];
                    rstd[r] = float(1 / std::sqrt(ss / cols + 1e-6));
                }
                auto src = [&](const std::vector<float>& f, const std::vector<uint16_t>& b) -> const void* {
                    return bf16 ? static_cast<const void*>(b.data()) : f.data();
                };
                std::vector<float> dxf(rows * cols), dsf(rows * cols);
                std::vector<uint16_t> dxb(rows * cols), dsb(rows * cols);
                atelier::rms_norm_backward_rows(src(x, xb), src(w, wb), src(dy, dyb), rstd.data(), bf16, bf16,
                                                rows, cols,
                                                bf16 ? static_cast<void*>(dxb.data()) : dxf.data(), isa);
                const float scale = 0.125f;
                atelier::softmax_backward_rows(src(p, pb), src(dy, dyb), bf16, rows, cols, scale,
                                               bf16 ? static_cast<void*>(dsb.data()) : dsf.data(), isa);
                const double tol = bf16 ? 1.0 / 64 : 1e-5;
                for (int64_t r = 0; r < rows; ++r) {
                    double c = 0, dot = 0, dx_max = 0, ds_max = 0;
                    for (int64_t j = 0; j < cols; ++j) {
                        const int64_t i = r * cols + j;
                        c += double(dy[i]) * w[j] * x[i] * rstd[r];
                        dot += double(p[i]) * dy[i];
                    }
                    c /= cols;
                    std::vector<double> dx_want(cols), ds_want(cols);
                    for (int64_t j = 0; j < cols; ++j) {
                        const int64_t i = r * cols + j;
                        dx_want[j] = rstd[r] * (double(dy[i]) * w[j] - double(x[i]) * rstd[r] * c);
                        ds_want[j] = scale * double(p[i]) * (dy[i] - dot);
                        // the terms' magnitudes: the results cancel (one column's RMSNorm gradient is ~0)
                        dx_max = std::max(dx_max, std::fabs(rstd[r] * double(dy[i]) * w[j]));
                        ds_max = std::max(ds_max, scale * double(p[i]) * (std::fabs(dy[i]) + std::fabs(dot)));
                    }
                    for (int64_t j = 0; j < cols; ++j) {
                        const int64_t i = r * cols + j;
                        const double dx = bf16 ? bf16_to_float(dxb[i]) : dxf[i];
                        const double ds = bf16 ? bf16_to_float(dsb[i]) : dsf[i];
                        ASSERT_LE(std::fabs(dx - dx_want[j]), tol * dx_max + 1e-7)
                            << "RMSNorm row " << r << " col " << j << " of " << cols << " isa " << int(isa);
                        ASSERT_LE(std::fabs(ds - ds_want[j]), tol * ds_max + 1e-7)
                            << "softmax row " << r << " col " << j << " of " << cols << " isa " << int(isa);
                    }
                }
            }
}
