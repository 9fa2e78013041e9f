// The row kernels of the forward passes: softmax (plain and causal), a linear's bias, activation and
// scale, LayerNorm and RMSNorm; each in plain C++, AVX2 and (most) AVX-512, picked at run time.
// Training's kernels are in train_row_kernels.cpp; what both use in row_kernel_util.h.
#include "model/row_kernel_util.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

namespace atelier {

namespace {

using namespace rowk;

void row_scalar(const void* in, bool in_bf16, int64_t cols, float scale, void* out, bool out_bf16, float* e) {
    float m = -std::numeric_limits<float>::infinity();
    for (int64_t j = 0; j < cols; ++j) m = std::max(m, load_scalar(in, in_bf16, j));
    float sum = 0;
    for (int64_t j = 0; j < cols; ++j) sum += e[j] = exp_scalar((load_scalar(in, in_bf16, j) - m) * scale);
    const float inv = 1.0f / sum;
    for (int64_t j = 0; j < cols; ++j) store_scalar(out, out_bf16, j, e[j] * inv);
}

// x · sigmoid(1.702 x), sigmoid from exp(-|z|) (in (0, 1], no overflow): 1 / (1 + e) for z >= 0,
// e / (1 + e) below.
float quick_gelu_scalar(float v) {
    const float z = 1.702f * v, e = std::exp(-std::fabs(z));
    return v * (z >= 0 ? 1.0f / (1.0f + e) : e / (1.0f + e));
}

// x · Φ(x), the exact GELU: x · (1 - c) for x >= 0 and x · c below, c = erfc(|x| / √2) / 2 (no
// cancellation in the negative tail).
float gelu_scalar(float v) {
    const float c = 0.5f * std::erfc(std::fabs(v) * 0.70710678f);
    return v * (v >= 0 ? 1.0f - c : c);
}

void act_row_scalar(void* y, bool bf16, int64_t cols, const void* bias, bool bias_bf16, float scale,
                    RowAct act) {
    for (int64_t j = 0; j < cols; ++j) {
        float v = load_scalar(y, bf16, j);
        if (bias) v += load_scalar(bias, bias_bf16, j);
        if (act == RowAct::QuickGelu) v = quick_gelu_scalar(v);
        if (act == RowAct::Gelu) v = gelu_scalar(v);
        store_scalar(y, bf16, j, v * scale);
    }
}

void rms_norm_row_scalar(const void* x, const void* w, bool bf16, bool w_bf16, int64_t cols, float eps,
                         void* y, float* rstd) {
    float ss = 0;
    for (int64_t j = 0; j < cols; ++j) {
        const float v = load_scalar(x, bf16, j);
        ss += v * v;
    }
    const float r = 1.0f / std::sqrt(ss / static_cast<float>(cols) + eps);
    *rstd = r;
    for (int64_t j = 0; j < cols; ++j) {
        float n = load_scalar(x, bf16, j) * r;
        if (bf16) n = round_bf16_value(n);  // LibTorch casts the normalised row, then multiplies
        store_scalar(y, bf16, j, load_scalar(w, w_bf16, j) * n);
    }
}

void layer_norm_row_scalar(const void* x, const void* w, const void* b, bool bf16, bool w_bf16, int64_t cols,
                           float eps, void* y) {
    float sum = 0, ss = 0;
    for (int64_t j = 0; j < cols; ++j) sum += load_scalar(x, bf16, j);
    const float mean = sum / static_cast<float>(cols);
    for (int64_t j = 0; j < cols; ++j) {
        const float d = load_scalar(x, bf16, j) - mean;
        ss += d * d;
    }
    const float r = 1.0f / std::sqrt(ss / static_cast<float>(cols) + eps);
    for (int64_t j = 0; j < cols; ++j) {
        const float n = (load_scalar(x, bf16, j) - mean) * r;
        store_scalar(y, bf16, j,
                     n * (w ? load_scalar(w, w_bf16, j) : 1.0f) + (b ? load_scalar(b, w_bf16, j) : 0.0f));
    }
}

#if ATELIER_X86

ATELIER_TARGET("avx2,fma") inline __m256 quick_gelu8(__m256 v) {
    const __m256 z = _mm256_mul_ps(v, _mm256_set1_ps(1.702f)), one = _mm256_set1_ps(1.0f);
    const __m256 e = exp8(_mm256_or_ps(z, _mm256_set1_ps(-0.0f)));  // exp(-|z|)
    const __m256 inv = _mm256_div_ps(one, _mm256_add_ps(one, e));
    const __m256 negative = _mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_LT_OQ);
    return _mm256_mul_ps(v, _mm256_blendv_ps(inv, _mm256_mul_ps(e, inv), negative));
}

// erfc(z) / 2 for z >= 0 as Numerical Recipes' erfcc gives it (Chebyshev fit of the exponent,
// fractional error below 1.2e-7 everywhere): t · exp(-z² + P(t)), t = 1 / (1 + z/2).
constexpr float kErfc[10] = {-1.26551223f, 1.00002368f,  0.37409196f, 0.09678418f,  -0.18628806f,
                             0.27886807f,  -1.13520398f, 1.48851587f, -0.82215223f, 0.17087277f};

ATELIER_TARGET("avx2,fma") inline __m256 gelu8(__m256 v) {
    const __m256 z = _mm256_mul_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), v), _mm256_set1_ps(0.70710678f));
    const __m256 t =
        _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_fmadd_ps(z, _mm256_set1_ps(0.5f), _mm256_set1_ps(1.0f)));
    __m256 p = _mm256_set1_ps(kErfc[9]);
    for (int i = 8; i >= 0; --i) p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(kErfc[i]));
    const __m256 c = _mm256_mul_ps(_mm256_mul_ps(t, _mm256_set1_ps(0.5f)), exp8(_mm256_fnmadd_ps(z, z, p)));
    const __m256 negative = _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ);
    return _mm256_mul_ps(v, _mm256_blendv_ps(_mm256_sub_ps(_mm256_set1_ps(1.0f), c), c, negative));
}

ATELIER_TARGET("avx2,fma")
void act_row_avx2(void* y, bool bf16, int64_t cols, const void* bias, bool bias_bf16, float scale,
                  RowAct act) {
    const int64_t c8 = cols - cols % 8;
    const __m256 sv = _mm256_set1_ps(scale);
    for (int64_t j = 0; j < c8; j += 8) {
        __m256 v = load8(y, bf16, j);
        if (bias) v = _mm256_add_ps(v, load8(bias, bias_bf16, j));
        if (act == RowAct::QuickGelu) v = quick_gelu8(v);
        if (act == RowAct::Gelu) v = gelu8(v);
        store8(y, bf16, j, _mm256_mul_ps(v, sv));
    }
    act_row_scalar(static_cast<char*>(y) + c8 * (bf16 ? 2 : 4), bf16, cols - c8,
                   bias ? static_cast<const char*>(bias) + c8 * (bias_bf16 ? 2 : 4) : nullptr, bias_bf16,
                   scale, act);
}

ATELIER_TARGET("avx2,fma")
void row_avx2(const void* in, bool in_bf16, int64_t cols, float scale, void* out, bool out_bf16, float* e) {
    const int64_t c8 = cols - cols % 8;
    __m256 vm = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
    for (int64_t j = 0; j < c8; j += 8) vm = _mm256_max_ps(vm, load8(in, in_bf16, j));
    float m = kernel::hmax8(vm);
    for (int64_t j = c8; j < cols; ++j) m = std::max(m, load_scalar(in, in_bf16, j));
    const __m256 mv = _mm256_set1_ps(m), sv = _mm256_set1_ps(scale);
    __m256 vs = _mm256_setzero_ps();
    for (int64_t j = 0; j < c8; j += 8) {
        const __m256 v = exp8(_mm256_mul_ps(_mm256_sub_ps(load8(in, in_bf16, j), mv), sv));
        _mm256_storeu_ps(e + j, v);
        vs = _mm256_add_ps(vs, v);
    }
    float sum = kernel::hsum8(vs);
    for (int64_t j = c8; j < cols; ++j) sum += e[j] = exp_scalar((load_scalar(in, in_bf16, j) - m) * scale);
    const float inv = 1.0f / sum;
    const __m256 iv = _mm256_set1_ps(inv);
    for (int64_t j = 0; j < c8; j += 8) store8(out, out_bf16, j, _mm256_mul_ps(_mm256_loadu_ps(e + j), iv));
    for (int64_t j = c8; j < cols; ++j) store_scalar(out, out_bf16, j, e[j] * inv);
}

ATELIER_TARGET("avx2,fma")
void rms_norm_row_avx2(const void* x, const void* w, bool bf16, bool w_bf16, int64_t cols, float eps, void* y,
                       float* rstd) {
    const int64_t c8 = cols - cols % 8;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t j = 0; j < c8; j += 8) {
        const __m256 v = load8(x, bf16, j);
        acc = _mm256_fmadd_ps(v, v, acc);
    }
    float ss = kernel::hsum8(acc);
    for (int64_t j = c8; j < cols; ++j) {
        const float v = load_scalar(x, bf16, j);
        ss += v * v;
    }
    const float r = 1.0f / std::sqrt(ss / static_cast<float>(cols) + eps);
    *rstd = r;
    const __m256 rv = _mm256_set1_ps(r);
    for (int64_t j = 0; j < c8; j += 8) {
        __m256 n = _mm256_mul_ps(load8(x, bf16, j), rv);
        if (bf16) n = round8_bf16(n);
        store8(y, bf16, j, _mm256_mul_ps(load8(w, w_bf16, j), n));
    }
    for (int64_t j = c8; j < cols; ++j) {
        float n = load_scalar(x, bf16, j) * r;
        if (bf16) n = round_bf16_value(n);
        store_scalar(y, bf16, j, load_scalar(w, w_bf16, j) * n);
    }
}

ATELIER_TARGET("avx2,fma")
void layer_norm_row_avx2(const void* x, const void* w, const void* b, bool bf16, bool w_bf16, int64_t cols,
                         float eps, void* y) {
    const int64_t c8 = cols - cols % 8;
    if (c8 != cols) return layer_norm_row_scalar(x, w, b, bf16, w_bf16, cols, eps, y);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t j = 0; j < cols; j += 8) acc = _mm256_add_ps(acc, load8(x, bf16, j));
    const __m256 mean = _mm256_set1_ps(kernel::hsum8(acc) / static_cast<float>(cols));
    acc = _mm256_setzero_ps();
    for (int64_t j = 0; j < cols; j += 8) {
        const __m256 d = _mm256_sub_ps(load8(x, bf16, j), mean);
        acc = _mm256_fmadd_ps(d, d, acc);
    }
    const __m256 r = _mm256_set1_ps(1.0f / std::sqrt(kernel::hsum8(acc) / static_cast<float>(cols) + eps));
    for (int64_t j = 0; j < cols; j += 8) {
        __m256 n = _mm256_mul_ps(_mm256_sub_ps(load8(x, bf16, j), mean), r);
        if (w) n = _mm256_mul_ps(n, load8(w, w_bf16, j));
        if (b) n = _mm256_add_ps(n, load8(b, w_bf16, j));
        store8(y, bf16, j, n);
    }
}

#if ATELIER_X86_BF16_CASTS
ATELIER_AVX512_WARNINGS_OFF

// 16 lanes at a time, the tail through masks (kernel::load16; one code path for any row length).
using kernel::load16;
using kernel::store16;

ATELIER_AVX512
void row_avx512(const void* in, bool in_bf16, int64_t cols, float scale, void* out, bool out_bf16, float* e) {
    const __m512 neg_inf = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
    auto mask = [cols](int64_t j) { return kernel::lanes16(cols - j); };
    __m512 vm = neg_inf;
    for (int64_t j = 0; j < cols; j += 16) {
        const __mmask16 k = mask(j);
        vm = _mm512_mask_max_ps(vm, k, vm, load16(in, in_bf16, j, k));
    }
    const __m512 mv = _mm512_set1_ps(kernel::hmax16(vm)), sv = _mm512_set1_ps(scale);
    __m512 vs = _mm512_setzero_ps();
    for (int64_t j = 0; j < cols; j += 16) {
        const __mmask16 k = mask(j);
        const __m512 v =
            _mm512_maskz_mov_ps(k, exp16(_mm512_mul_ps(_mm512_sub_ps(load16(in, in_bf16, j, k), mv), sv)));
        _mm512_mask_storeu_ps(e + j, k, v);
        vs = _mm512_add_ps(vs, v);
    }
    const __m512 iv = _mm512_set1_ps(1.0f / kernel::hsum16(vs));
    for (int64_t j = 0; j < cols; j += 16) {
        const __mmask16 k = mask(j);
        const __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(k, e + j), iv);
        store16(out, out_bf16, j, v, k);  // bf16: nearest even, NaN to a quiet NaN
    }
}
ATELIER_AVX512 inline __m512 quick_gelu16(__m512 v) {
    const __m512 z = _mm512_mul_ps(v, _mm512_set1_ps(1.702f)), one = _mm512_set1_ps(1.0f);
    const __m512 e = exp16(_mm512_castsi512_ps(_mm512_or_si512(
        _mm512_castps_si512(z), _mm512_set1_epi32(static_cast<int>(0x80000000u)))));  // exp(-|z|)
    const __m512 inv = _mm512_div_ps(one, _mm512_add_ps(one, e));
    const __mmask16 negative = _mm512_cmp_ps_mask(z, _mm512_setzero_ps(), _CMP_LT_OQ);
    return _mm512_mul_ps(v, _mm512_mask_mul_ps(inv, negative, e, inv));
}

ATELIER_AVX512 inline __m512 gelu16(__m512 v) {
    const __m512 z = _mm512_mul_ps(_mm512_abs_ps(v), _mm512_set1_ps(0.70710678f));
    const __m512 t =
        _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_fmadd_ps(z, _mm512_set1_ps(0.5f), _mm512_set1_ps(1.0f)));
    __m512 p = _mm512_set1_ps(kErfc[9]);
    for (int i = 8; i >= 0; --i) p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(kErfc[i]));
    const __m512 c = _mm512_mul_ps(_mm512_mul_ps(t, _mm512_set1_ps(0.5f)), exp16(_mm512_fnmadd_ps(z, z, p)));
    const __mmask16 negative = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ);
    return _mm512_mul_ps(v, _mm512_mask_mov_ps(_mm512_sub_ps(_mm512_set1_ps(1.0f), c), negative, c));
}

ATELIER_AVX512
void act_row_avx512(void* y, bool bf16, int64_t cols, const void* bias, bool bias_bf16, float scale,
                    RowAct act) {
    const __m512 sv = _mm512_set1_ps(scale);
    for (int64_t j = 0; j < cols; j += 16) {
        const __mmask16 k = kernel::lanes16(cols - j);
        __m512 v = load16(y, bf16, j, k);
        if (bias) v = _mm512_add_ps(v, load16(bias, bias_bf16, j, k));
        if (act == RowAct::QuickGelu) v = quick_gelu16(v);
        if (act == RowAct::Gelu) v = gelu16(v);
        v = _mm512_mul_ps(v, sv);
        store16(y, bf16, j, v, k);
    }
}

ATELIER_AVX512_WARNINGS_ON
#endif  // ATELIER_X86_BF16_CASTS

#endif  // ATELIER_X86

// softmax(scale · row) for scale > 0: exp(scale · (x - max)) / sum.
using RowKernel = void (*)(const void*, bool, int64_t, float, void*, bool, float*);

RowKernel pick(SoftmaxIsa isa) {
    return pick_kernel<RowKernel>(isa, ATELIER_KERNELS(row), ATELIER_AVX512_KERNEL(row));
}

using ActKernel = void (*)(void*, bool, int64_t, const void*, bool, float, RowAct);

ActKernel pick_act(SoftmaxIsa isa) {
    return pick_kernel<ActKernel>(isa, ATELIER_KERNELS(act_row), ATELIER_AVX512_KERNEL(act_row));
}

}  // namespace

void bias_act_rows(void* y, bool bf16, int64_t rows, int64_t cols, const void* bias, bool bias_bf16,
                   float scale, RowAct act, SoftmaxIsa isa) {
    if (rows <= 0 || cols <= 0) return;
    const ActKernel kernel = pick_act(isa);
    const size_t size = bf16 ? 2 : 4;
#pragma omp parallel for schedule(static) if (rows * cols > 16384)
    for (int64_t r = 0; r < rows; ++r)
        kernel(static_cast<char*>(y) + r * cols * size, bf16, cols, bias, bias_bf16, scale, act);
}

const char* softmax_rows_isa() {
    const RowKernel k = pick(SoftmaxIsa::Best);
#if ATELIER_X86_BF16_CASTS
    if (k == row_avx512) return "avx512";
#endif
#if ATELIER_X86
    if (k == row_avx2) return "avx2";
#endif
    (void)k;
    return "scalar";
}

void softmax_rows_causal(const void* in, bool in_bf16, int64_t rows, int64_t cols, void* out, bool out_bf16,
                         int64_t period, int64_t first, float scale, SoftmaxIsa isa) {
    if (rows <= 0 || cols <= 0 || period <= 0) return;
    const RowKernel kernel = pick(isa);
    const size_t in_size = in_bf16 ? 2 : 4, out_size = out_bf16 ? 2 : 4;
#pragma omp parallel if (rows * cols > 16384)
    {
        std::vector<float> e(static_cast<size_t>(cols) + 16);
#pragma omp for schedule(static)
        for (int64_t r = 0; r < rows; ++r) {
            const int64_t valid = std::min(cols, std::max<int64_t>(first + r % period + 1, 0));
            char* o = static_cast<char*>(out) + r * cols * out_size;
            if (valid > 0)
                kernel(static_cast<const char*>(in) + r * cols * in_size, in_bf16, valid, scale, o, out_bf16,
                       e.data());
            std::memset(o + valid * out_size, 0, static_cast<size_t>(cols - valid) * out_size);
        }
    }
}

void softmax_rows(const void* in, bool in_bf16, int64_t rows, int64_t cols, void* out, bool out_bf16,
                  SoftmaxIsa isa) {
    if (rows <= 0 || cols <= 0) return;
    const RowKernel kernel = pick(isa);
    const size_t in_size = in_bf16 ? 2 : 4, out_size = out_bf16 ? 2 : 4;
#pragma omp parallel if (rows * cols > 16384)
    {
        std::vector<float> e(static_cast<size_t>(cols) + 16);
#pragma omp for schedule(static)
        for (int64_t r = 0; r < rows; ++r)
            kernel(static_cast<const char*>(in) + r * cols * in_size, in_bf16, cols, 1.0f,
                   static_cast<char*>(out) + r * cols * out_size, out_bf16, e.data());
    }
}

void rms_norm_rows(const void* x, const void* w, bool bf16, bool w_bf16, int64_t rows, int64_t cols,
                   float eps, void* y, float* rstd, SoftmaxIsa isa) {
    if (rows <= 0 || cols <= 0) return;
    const auto kernel = pick_kernel(isa, ATELIER_KERNELS(rms_norm_row));
    parallel_items(rows, rows * cols, [&](int64_t r) {
        kernel(in(x, at(r * cols, bf16)), w, bf16, w_bf16, cols, eps, out(y, at(r * cols, bf16)), rstd + r);
    });
}

void layer_norm_rows(const void* x, const void* w, const void* b, bool bf16, bool w_bf16, int64_t rows,
                     int64_t cols, float eps, void* y, SoftmaxIsa isa) {
    if (rows <= 0 || cols <= 0) return;
    const auto kernel = pick_kernel(isa, ATELIER_KERNELS(layer_norm_row));
    parallel_items(rows, rows * cols, [&](int64_t r) {
        kernel(in(x, at(r * cols, bf16)), w, b, bf16, w_bf16, cols, eps, out(y, at(r * cols, bf16)));
    });
}

}  // namespace atelier
