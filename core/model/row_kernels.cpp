#include "model/row_kernels.h"

#include "model/half_gemv.h"
#include "model/kernel_util.h"
#include "model/vec_exp.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

namespace atelier {

namespace {

using kernel::bf16_to_float;
using kernel::load_scalar;
using kernel::round_bf16_value;
using kernel::store_scalar;
using namespace kernel::exp_constants;
#if ATELIER_X86
using kernel::exp8;
#endif
#if ATELIER_X86_BF16_CASTS
using kernel::exp16;
#endif

// exp(x), 0 below exp's underflow as the vector kernels' exp8 / exp16 give.
float exp_scalar(float x) {
    return x < kUnderflow ? 0.0f : std::exp(x);
}

// Byte offset of element `index` of a f32 or bf16 array.
inline size_t at(int64_t index, bool bf16) {
    return static_cast<size_t>(index) * (bf16 ? 2 : 4);
}

const char* in(const void* p, size_t offset) {
    return static_cast<const char*>(p) + offset;
}

char* out(void* p, size_t offset) {
    return static_cast<char*>(p) + offset;
}

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

// ---- training's row kernels: RMSNorm and SwiGLU, forward and backward (f32 arithmetic) ----

// exp(x) for any x: exp8 holds for x <= 0 and up to exp's overflow; above 88 the result is clamped to
// a large finite value (1 / (1 + e) is then 0 either way).
constexpr float kExpMax = 88.0f;

float sigmoid_scalar(float g) {
    return 1.0f / (1.0f + std::exp(std::min(-g, kExpMax)));
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

void rms_norm_back_row_scalar(const void* x, const void* w, const void* dy, bool bf16, bool w_bf16,
                              int64_t cols, float r, void* dx) {
    float c = 0;
    for (int64_t j = 0; j < cols; ++j)
        c += load_scalar(dy, bf16, j) * load_scalar(w, w_bf16, j) * load_scalar(x, bf16, j) * r;
    c /= static_cast<float>(cols);
    for (int64_t j = 0; j < cols; ++j) {
        const float g = load_scalar(dy, bf16, j) * load_scalar(w, w_bf16, j);
        store_scalar(dx, bf16, j, r * (g - load_scalar(x, bf16, j) * r * c));
    }
}

// silu(g) · u. With bf16 data each step rounds as LibTorch 1.13's bf16 silu and product do: exp(-g),
// 1 + exp, the quotient, the product.
float swiglu_scalar(float g, float u, bool bf16) {
    if (!bf16) return g / (1.0f + std::exp(std::min(-g, kExpMax))) * u;
    const float e = round_bf16_value(std::exp(std::min(-g, kExpMax)));
    return round_bf16_value(round_bf16_value(g / round_bf16_value(1.0f + e)) * u);
}

void swiglu_span_scalar(const void* g, const void* u, bool bf16, int64_t n, void* y) {
    for (int64_t j = 0; j < n; ++j)
        store_scalar(y, bf16, j, swiglu_scalar(load_scalar(g, bf16, j), load_scalar(u, bf16, j), bf16));
}

// Softmax's backward for one row of probabilities p and their gradient dp:
// ds = scale · p · (dp - Σ dp·p).
void softmax_back_row_scalar(const void* p, const void* dp, bool bf16, int64_t cols, float scale, void* ds) {
    float dot = 0;
    for (int64_t j = 0; j < cols; ++j) dot += load_scalar(p, bf16, j) * load_scalar(dp, bf16, j);
    for (int64_t j = 0; j < cols; ++j)
        store_scalar(ds, bf16, j, scale * load_scalar(p, bf16, j) * (load_scalar(dp, bf16, j) - dot));
}

// d/dg silu(g)·u = u·σ(g)·(1 + g·(1 - σ(g))), d/du = silu(g).
void swiglu_back_span_scalar(const void* g, const void* u, const void* dy, bool bf16, int64_t n, void* dg,
                             void* du) {
    for (int64_t j = 0; j < n; ++j) {
        const float gv = load_scalar(g, bf16, j), uv = load_scalar(u, bf16, j), d = load_scalar(dy, bf16, j);
        const float sg = sigmoid_scalar(gv);
        store_scalar(du, bf16, j, d * gv * sg);
        store_scalar(dg, bf16, j, d * uv * sg * (1.0f + gv * (1.0f - sg)));
    }
}

bool ignored(int64_t target, int64_t cols) {
    return target < 0 || target >= cols;
}

void ce_row_scalar(const void* x, bool bf16, int64_t cols, int64_t target, float* loss, float* lse) {
    float m = -std::numeric_limits<float>::infinity();
    for (int64_t j = 0; j < cols; ++j) m = std::max(m, load_scalar(x, bf16, j));
    float s = 0;
    for (int64_t j = 0; j < cols; ++j) s += exp_scalar(load_scalar(x, bf16, j) - m);
    *lse = m + std::log(s);
    *loss = ignored(target, cols) ? 0.0f : *lse - load_scalar(x, bf16, target);
}

void ce_back_row_scalar(const void* x, bool bf16, int64_t cols, int64_t target, float lse, float g,
                        void* dx) {
    if (ignored(target, cols)) {
        std::memset(dx, 0, at(cols, bf16));
        return;
    }
    for (int64_t j = 0; j < cols; ++j)
        store_scalar(dx, bf16, j,
                     g * (exp_scalar(load_scalar(x, bf16, j) - lse) - (j == target ? 1.0f : 0.0f)));
}

void masked_scale_span_scalar(const void* x, bool bf16, const uint8_t* keep, float scale, int64_t n,
                              void* y) {
    for (int64_t i = 0; i < n; ++i)
        store_scalar(y, bf16, i, load_scalar(x, bf16, i) * (keep[i] ? scale : 0.0f));
}

#if ATELIER_X86

ATELIER_TARGET("avx2,fma") inline __m256 load8(const void* in, bool bf16, int64_t j) {
    if (!bf16) return _mm256_loadu_ps(static_cast<const float*>(in) + j);
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(in) + j));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

// Eight floats rounded to bf16 values (nearest even), NaN left as it is.
ATELIER_TARGET("avx2,fma") inline __m256 round8_bf16(__m256 v) {
    const __m256i one = _mm256_set1_epi32(1), bias = _mm256_set1_epi32(0x7fff);
    __m256i b = _mm256_castps_si256(v);
    b = _mm256_add_epi32(_mm256_add_epi32(b, bias), _mm256_and_si256(_mm256_srli_epi32(b, 16), one));
    b = _mm256_and_si256(b, _mm256_set1_epi32(static_cast<int>(0xffff0000u)));
    return _mm256_blendv_ps(_mm256_castsi256_ps(b), v, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
}

// Eight floats to f32, or to bf16 rounded to nearest even with NaN a quiet NaN (as LibTorch rounds).
ATELIER_TARGET("avx2,fma") inline void store8(void* out, bool bf16, int64_t j, __m256 v) {
    if (!bf16) {
        _mm256_storeu_ps(static_cast<float*>(out) + j, v);
        return;
    }
    __m256i b = _mm256_srli_epi32(_mm256_castps_si256(round8_bf16(v)), 16);
    b = _mm256_blendv_epi8(b, _mm256_set1_epi32(0x7fc0),
                           _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q)));
    const __m128i packed = _mm_packus_epi32(_mm256_castsi256_si128(b), _mm256_extracti128_si256(b, 1));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(static_cast<uint16_t*>(out) + j), packed);
}

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

ATELIER_TARGET("avx2,fma") inline __m256 exp8_any(__m256 x) {
    return exp8(_mm256_min_ps(x, _mm256_set1_ps(kExpMax)));
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

ATELIER_TARGET("avx2,fma")
void rms_norm_back_row_avx2(const void* x, const void* w, const void* dy, bool bf16, bool w_bf16,
                            int64_t cols, float r, void* dx) {
    const int64_t c8 = cols - cols % 8;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t j = 0; j < c8; j += 8)
        acc = _mm256_fmadd_ps(_mm256_mul_ps(load8(dy, bf16, j), load8(w, w_bf16, j)), load8(x, bf16, j), acc);
    float c = kernel::hsum8(acc);
    for (int64_t j = c8; j < cols; ++j)
        c += load_scalar(dy, bf16, j) * load_scalar(w, w_bf16, j) * load_scalar(x, bf16, j);
    c = c * r / static_cast<float>(cols);
    const float rr = r * r;
    const __m256 rv = _mm256_set1_ps(r), crv = _mm256_set1_ps(c * rr);
    for (int64_t j = 0; j < c8; j += 8) {
        const __m256 g = _mm256_mul_ps(load8(dy, bf16, j), load8(w, w_bf16, j));
        store8(dx, bf16, j, _mm256_sub_ps(_mm256_mul_ps(rv, g), _mm256_mul_ps(load8(x, bf16, j), crv)));
    }
    for (int64_t j = c8; j < cols; ++j) {
        const float g = load_scalar(dy, bf16, j) * load_scalar(w, w_bf16, j);
        store_scalar(dx, bf16, j, r * g - load_scalar(x, bf16, j) * c * rr);
    }
}

ATELIER_TARGET("avx2,fma")
void softmax_back_row_avx2(const void* p, const void* dp, bool bf16, int64_t cols, float scale, void* ds) {
    const int64_t c8 = cols - cols % 8;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t j = 0; j < c8; j += 8) acc = _mm256_fmadd_ps(load8(p, bf16, j), load8(dp, bf16, j), acc);
    float dot = kernel::hsum8(acc);
    for (int64_t j = c8; j < cols; ++j) dot += load_scalar(p, bf16, j) * load_scalar(dp, bf16, j);
    const __m256 dv = _mm256_set1_ps(dot), sv = _mm256_set1_ps(scale);
    for (int64_t j = 0; j < c8; j += 8)
        store8(ds, bf16, j,
               _mm256_mul_ps(_mm256_mul_ps(sv, load8(p, bf16, j)), _mm256_sub_ps(load8(dp, bf16, j), dv)));
    for (int64_t j = c8; j < cols; ++j)
        store_scalar(ds, bf16, j, scale * load_scalar(p, bf16, j) * (load_scalar(dp, bf16, j) - dot));
}

// Row maximum, then Σ exp(x - max): two reads of a row that stays in L2 (32000 bf16 logits: 64 KB).
ATELIER_TARGET("avx2,fma")
void ce_row_avx2(const void* x, bool bf16, int64_t cols, int64_t target, float* loss, float* lse) {
    const int64_t c8 = cols - cols % 8;
    __m256 mv = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
    for (int64_t j = 0; j < c8; j += 8) mv = _mm256_max_ps(mv, load8(x, bf16, j));
    float m = kernel::hmax8(mv);
    for (int64_t j = c8; j < cols; ++j) m = std::max(m, load_scalar(x, bf16, j));
    const __m256 mb = _mm256_set1_ps(m);
    __m256 sv = _mm256_setzero_ps();
    for (int64_t j = 0; j < c8; j += 8) sv = _mm256_add_ps(sv, exp8(_mm256_sub_ps(load8(x, bf16, j), mb)));
    float s = kernel::hsum8(sv);
    for (int64_t j = c8; j < cols; ++j) s += exp_scalar(load_scalar(x, bf16, j) - m);
    *lse = m + std::log(s);
    *loss = ignored(target, cols) ? 0.0f : *lse - load_scalar(x, bf16, target);
}

ATELIER_TARGET("avx2,fma")
void ce_back_row_avx2(const void* x, bool bf16, int64_t cols, int64_t target, float lse, float g, void* dx) {
    if (ignored(target, cols)) {
        std::memset(dx, 0, at(cols, bf16));
        return;
    }
    const int64_t c8 = cols - cols % 8;
    const __m256 lv = _mm256_set1_ps(lse), gv = _mm256_set1_ps(g);
    for (int64_t j = 0; j < c8; j += 8)
        store8(dx, bf16, j, _mm256_mul_ps(gv, exp8(_mm256_sub_ps(load8(x, bf16, j), lv))));
    for (int64_t j = c8; j < cols; ++j)
        store_scalar(dx, bf16, j, g * exp_scalar(load_scalar(x, bf16, j) - lse));
    store_scalar(dx, bf16, target, g * (exp_scalar(load_scalar(x, bf16, target) - lse) - 1.0f));
}

ATELIER_TARGET("avx2,fma")
void masked_scale_span_avx2(const void* x, bool bf16, const uint8_t* keep, float scale, int64_t n, void* y) {
    const int64_t n8 = n - n % 8;
    const __m256 sv = _mm256_set1_ps(scale);
    for (int64_t i = 0; i < n8; i += 8) {
        const __m128i k8 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(keep + i));
        const __m256 kept =
            _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_cvtepu8_epi32(k8), _mm256_setzero_si256()));
        store8(y, bf16, i, _mm256_mul_ps(load8(x, bf16, i), _mm256_and_ps(kept, sv)));
    }
    masked_scale_span_scalar(in(x, at(n8, bf16)), bf16, keep + n8, scale, n - n8, out(y, at(n8, bf16)));
}

ATELIER_TARGET("avx2,fma")
void swiglu_span_avx2(const void* g, const void* u, bool bf16, int64_t n, void* y) {
    const int64_t n8 = n - n % 8;
    const __m256 one = _mm256_set1_ps(1.0f), neg = _mm256_set1_ps(-0.0f);
    for (int64_t j = 0; j < n8; j += 8) {
        const __m256 gv = load8(g, bf16, j), uv = load8(u, bf16, j);
        __m256 out;
        if (!bf16) {
            out = _mm256_mul_ps(_mm256_div_ps(gv, _mm256_add_ps(one, exp8_any(_mm256_xor_ps(gv, neg)))), uv);
        } else {
            const __m256 e = round8_bf16(exp8_any(_mm256_xor_ps(gv, neg)));
            out = round8_bf16(
                _mm256_mul_ps(round8_bf16(_mm256_div_ps(gv, round8_bf16(_mm256_add_ps(one, e)))), uv));
        }
        store8(y, bf16, j, out);
    }
    const size_t o = at(n8, bf16);
    swiglu_span_scalar(in(g, o), in(u, o), bf16, n - n8, out(y, o));
}

ATELIER_TARGET("avx2,fma")
void swiglu_back_span_avx2(const void* g, const void* u, const void* dy, bool bf16, int64_t n, void* dg,
                           void* du) {
    const int64_t n8 = n - n % 8;
    const __m256 one = _mm256_set1_ps(1.0f), neg = _mm256_set1_ps(-0.0f);
    for (int64_t j = 0; j < n8; j += 8) {
        const __m256 gv = load8(g, bf16, j), uv = load8(u, bf16, j), d = load8(dy, bf16, j);
        const __m256 sg = _mm256_div_ps(one, _mm256_add_ps(one, exp8_any(_mm256_xor_ps(gv, neg))));
        store8(du, bf16, j, _mm256_mul_ps(d, _mm256_mul_ps(gv, sg)));
        const __m256 k = _mm256_fmadd_ps(gv, _mm256_sub_ps(one, sg), one);  // 1 + g(1 - σ)
        store8(dg, bf16, j, _mm256_mul_ps(_mm256_mul_ps(d, uv), _mm256_mul_ps(sg, k)));
    }
    const size_t o = at(n8, bf16);
    swiglu_back_span_scalar(in(g, o), in(u, o), in(dy, o), bf16, n - n8, out(dg, o), out(du, o));
}

#if ATELIER_X86_BF16_CASTS
ATELIER_AVX512_WARNINGS_OFF
#define ATELIER_AVX512 ATELIER_TARGET("avx512f,avx512bw,avx512vl,avx512bf16")

// 16 lanes at a time, the tail through masks (kernel::load16; one code path for any row length).
using kernel::load16;
using kernel::round16;
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
        if (out_bf16)  // vcvtneps2bf16: nearest even, NaN to a quiet NaN
            _mm256_mask_storeu_epi16(static_cast<uint16_t*>(out) + j, k, (__m256i)_mm512_cvtneps_pbh(v));
        else
            _mm512_mask_storeu_ps(static_cast<float*>(out) + j, k, v);
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
        if (bf16)  // vcvtneps2bf16: nearest even, NaN to a quiet NaN
            _mm256_mask_storeu_epi16(static_cast<uint16_t*>(y) + j, k, (__m256i)_mm512_cvtneps_pbh(v));
        else
            _mm512_mask_storeu_ps(static_cast<float*>(y) + j, k, v);
    }
}
// SwiGLU forward and backward with the AVX2 kernels' steps, sixteen lanes at a time (equal to them
// bit for bit; exact division both ways), the tail through masks. [256, 5632] bf16 on the AMX Xeon
// VM, one thread: forward 2.84 -> 1.15 ms, backward 2.39 -> 0.98 ms.
ATELIER_AVX512 inline __m512 exp16_any(__m512 x) {
    return exp16(_mm512_min_ps(x, _mm512_set1_ps(kExpMax)));
}

ATELIER_AVX512 void swiglu_span_avx512(const void* g, const void* u, bool bf16, int64_t n, void* y) {
    const __m512 one = _mm512_set1_ps(1.0f);
    for (int64_t j = 0; j < n; j += 16) {
        const __mmask16 k = kernel::lanes16(n - j);
        const __m512 gv = load16(g, bf16, j, k), uv = load16(u, bf16, j, k);
        const __m512 e = round16(exp16_any(_mm512_sub_ps(_mm512_setzero_ps(), gv)), bf16);
        store16(y, bf16, j,
                _mm512_mul_ps(round16(_mm512_div_ps(gv, round16(_mm512_add_ps(one, e), bf16)), bf16), uv), k);
    }
}

ATELIER_AVX512
void swiglu_back_span_avx512(const void* g, const void* u, const void* dy, bool bf16, int64_t n, void* dg,
                             void* du) {
    const __m512 one = _mm512_set1_ps(1.0f);
    for (int64_t j = 0; j < n; j += 16) {
        const __mmask16 k = kernel::lanes16(n - j);
        const __m512 gv = load16(g, bf16, j, k), uv = load16(u, bf16, j, k), d = load16(dy, bf16, j, k);
        const __m512 sg =
            _mm512_div_ps(one, _mm512_add_ps(one, exp16_any(_mm512_sub_ps(_mm512_setzero_ps(), gv))));
        store16(du, bf16, j, _mm512_mul_ps(d, _mm512_mul_ps(gv, sg)), k);
        const __m512 c = _mm512_fmadd_ps(gv, _mm512_sub_ps(one, sg), one);  // 1 + g(1 - σ)
        store16(dg, bf16, j, _mm512_mul_ps(_mm512_mul_ps(d, uv), _mm512_mul_ps(sg, c)), k);
    }
}
ATELIER_AVX512_WARNINGS_ON
#endif  // ATELIER_X86_BF16_CASTS

#endif  // ATELIER_X86

// The best kernel `isa` allows on this CPU: AVX-512 BF16 (where a kernel has one and isa is Best),
// AVX2, else scalar.
template <class Kernel>
Kernel pick_kernel(SoftmaxIsa isa, Kernel scalar, [[maybe_unused]] Kernel avx2,
                   [[maybe_unused]] std::common_type_t<Kernel> avx512 = nullptr) {
#if ATELIER_X86
    if (avx512 && isa == SoftmaxIsa::Best && cpu_has_avx512_bf16()) return avx512;
    if (isa != SoftmaxIsa::Scalar && cpu_has_avx2_fma_f16c()) return avx2;
#else
    (void)isa;
#endif
    return scalar;
}

// A kernel's versions by name (name_scalar, name_avx2, name_avx512) for pick_kernel: the scalar one
// stands in where the ISA's is not compiled.
#if ATELIER_X86
#define ATELIER_KERNELS(name) &name##_scalar, &name##_avx2
#else
#define ATELIER_KERNELS(name) &name##_scalar, &name##_scalar
#endif
#if ATELIER_X86_BF16_CASTS
#define ATELIER_AVX512_KERNEL(name) &name##_avx512
#else
#define ATELIER_AVX512_KERNEL(name) nullptr
#endif

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

namespace {

// f(i) for i in [0, count) over the threads where the work is worth a parallel region.
template <class F>
void parallel_items(int64_t count, int64_t work, const F& f) {
#pragma omp parallel for schedule(static) if (work > 16384)
    for (int64_t i = 0; i < count; ++i) f(i);
}

// Elementwise spans of 4096 over the threads (SwiGLU's [tokens, intermediate] is one flat array).
constexpr int64_t kSpan = 4096;

}  // namespace

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

void rms_norm_backward_rows(const void* x, const void* w, const void* dy, const float* rstd, bool bf16,
                            bool w_bf16, int64_t rows, int64_t cols, void* dx, SoftmaxIsa isa) {
    if (rows <= 0 || cols <= 0) return;
    const auto kernel = pick_kernel(isa, ATELIER_KERNELS(rms_norm_back_row));
    parallel_items(rows, rows * cols, [&](int64_t r) {
        const size_t o = at(r * cols, bf16);
        kernel(in(x, o), w, in(dy, o), bf16, w_bf16, cols, rstd[r], out(dx, o));
    });
}

void swiglu(const void* gate, const void* up, bool bf16, int64_t n, void* y, SoftmaxIsa isa) {
    if (n <= 0) return;
    const auto kernel = pick_kernel(isa, ATELIER_KERNELS(swiglu_span), ATELIER_AVX512_KERNEL(swiglu_span));
    parallel_items((n + kSpan - 1) / kSpan, n, [&](int64_t i) {
        const size_t o = at(i * kSpan, bf16);
        kernel(in(gate, o), in(up, o), bf16, std::min(kSpan, n - i * kSpan), out(y, o));
    });
}

void swiglu_backward(const void* gate, const void* up, const void* dy, bool bf16, int64_t n, void* dgate,
                     void* dup, SoftmaxIsa isa) {
    if (n <= 0) return;
    const auto kernel =
        pick_kernel(isa, ATELIER_KERNELS(swiglu_back_span), ATELIER_AVX512_KERNEL(swiglu_back_span));
    parallel_items((n + kSpan - 1) / kSpan, n, [&](int64_t i) {
        const size_t o = at(i * kSpan, bf16);
        kernel(in(gate, o), in(up, o), in(dy, o), bf16, std::min(kSpan, n - i * kSpan), out(dgate, o),
               out(dup, o));
    });
}

void softmax_backward_rows(const void* p, const void* dp, bool bf16, int64_t rows, int64_t cols, float scale,
                           void* ds, SoftmaxIsa isa) {
    if (rows <= 0 || cols <= 0) return;
    const auto kernel = pick_kernel(isa, ATELIER_KERNELS(softmax_back_row));
    parallel_items(rows, rows * cols, [&](int64_t r) {
        const size_t o = at(r * cols, bf16);
        kernel(in(p, o), in(dp, o), bf16, cols, scale, out(ds, o));
    });
}

void cross_entropy_rows(const void* logits, bool bf16, int64_t rows, int64_t cols, const int64_t* target,
                        float* loss, float* lse, SoftmaxIsa isa) {
    if (rows <= 0 || cols <= 0) return;
    const auto kernel = pick_kernel(isa, ATELIER_KERNELS(ce_row));
    parallel_items(rows, rows * cols, [&](int64_t r) {
        kernel(in(logits, at(r * cols, bf16)), bf16, cols, target[r], loss + r, lse + r);
    });
}

void cross_entropy_backward_rows(const void* logits, bool bf16, int64_t rows, int64_t cols,
                                 const int64_t* target, const float* lse, float g, void* dx, SoftmaxIsa isa) {
    if (rows <= 0 || cols <= 0) return;
    const auto kernel = pick_kernel(isa, ATELIER_KERNELS(ce_back_row));
    parallel_items(rows, rows * cols, [&](int64_t r) {
        const size_t o = at(r * cols, bf16);
        kernel(in(logits, o), bf16, cols, target[r], lse[r], g, out(dx, o));
    });
}

void masked_scale(const void* x, bool bf16, const uint8_t* keep, float scale, int64_t n, void* y,
                  SoftmaxIsa isa) {
    if (n <= 0) return;
    const auto kernel = pick_kernel(isa, ATELIER_KERNELS(masked_scale_span));
    parallel_items((n + kSpan - 1) / kSpan, n, [&](int64_t i) {
        const size_t o = at(i * kSpan, bf16);
        kernel(in(x, o), bf16, keep + i * kSpan, scale, std::min(kSpan, n - i * kSpan), out(y, o));
    });
}

}  // namespace atelier
