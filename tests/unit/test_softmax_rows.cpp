// softmax_rows against a double-precision softmax, for every kernel this CPU can run.
#include "model/softmax_rows.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using atelier::SoftmaxIsa;

float bf16_to_float(uint16_t h) {
    const uint32_t bits = uint32_t(h) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

uint16_t float_to_bf16(float f) {  // nearest even (the inputs here are finite)
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    return static_cast<uint16_t>((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
}

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
