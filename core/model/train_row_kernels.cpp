// Training's row kernels: SwiGLU (forward too: inference uses it), the backward passes of RMSNorm,
// SwiGLU and the attention softmax, token cross-entropy both ways and dropout's masked product. Each
// in plain C++, AVX2 and (some) AVX-512, picked at run time (row_kernel_util.h); the entry points are
// row_kernels.h's.
#include "model/row_kernel_util.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace atelier {

namespace {

using namespace rowk;

// exp(x) for any x: exp8 holds for x <= 0 and up to exp's overflow; above 88 the result is clamped to
// a large finite value (1 / (1 + e) is then 0 either way).
constexpr float kExpMax = 88.0f;

// Elementwise spans of 4096 over the threads (SwiGLU's [tokens, intermediate] is one flat array).
constexpr int64_t kSpan = 4096;

float sigmoid_scalar(float g) {
    return 1.0f / (1.0f + std::exp(std::min(-g, kExpMax)));
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

ATELIER_TARGET("avx2,fma") inline __m256 exp8_any(__m256 x) {
    return exp8(_mm256_min_ps(x, _mm256_set1_ps(kExpMax)));
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
using kernel::load16;
using kernel::round16;
using kernel::store16;

ATELIER_AVX512 inline __m512 exp16_any(__m512 x) {
    return kernel::exp16(_mm512_min_ps(x, _mm512_set1_ps(kExpMax)));
}

// SwiGLU forward and backward with the AVX2 kernels' steps, sixteen lanes at a time (equal to them
// bit for bit; exact division both ways), the tail through masks. [256, 5632] bf16 on the AMX Xeon
// VM, one thread: forward 2.84 -> 1.15 ms, backward 2.39 -> 0.98 ms.
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
// The backward passes of RMSNorm and the attention softmax, and cross-entropy both ways, as the
// AVX2 kernels compute them, sixteen lanes at a time (sums over a row split sixteen ways instead of
// eight: equal to the AVX2 kernels within f32 rounding, not bit for bit).
ATELIER_AVX512
void rms_norm_back_row_avx512(const void* x, const void* w, const void* dy, bool bf16, bool w_bf16,
                              int64_t cols, float r, void* dx) {
    __m512 acc = _mm512_setzero_ps();
    for (int64_t j = 0; j < cols; j += 16) {
        const __mmask16 k = kernel::lanes16(cols - j);
        acc = _mm512_fmadd_ps(_mm512_mul_ps(load16(dy, bf16, j, k), load16(w, w_bf16, j, k)),
                              load16(x, bf16, j, k), acc);
    }
    const float c = kernel::hsum16(acc) * r / static_cast<float>(cols), rr = r * r;
    const __m512 rv = _mm512_set1_ps(r), crv = _mm512_set1_ps(c * rr);
    for (int64_t j = 0; j < cols; j += 16) {
        const __mmask16 k = kernel::lanes16(cols - j);
        const __m512 g = _mm512_mul_ps(load16(dy, bf16, j, k), load16(w, w_bf16, j, k));
        store16(dx, bf16, j, _mm512_sub_ps(_mm512_mul_ps(rv, g), _mm512_mul_ps(load16(x, bf16, j, k), crv)),
                k);
    }
}

ATELIER_AVX512
void softmax_back_row_avx512(const void* p, const void* dp, bool bf16, int64_t cols, float scale, void* ds) {
    __m512 acc = _mm512_setzero_ps();
    for (int64_t j = 0; j < cols; j += 16) {
        const __mmask16 k = kernel::lanes16(cols - j);
        acc = _mm512_fmadd_ps(load16(p, bf16, j, k), load16(dp, bf16, j, k), acc);
    }
    const __m512 dv = _mm512_set1_ps(kernel::hsum16(acc)), sv = _mm512_set1_ps(scale);
    for (int64_t j = 0; j < cols; j += 16) {
        const __mmask16 k = kernel::lanes16(cols - j);
        store16(ds, bf16, j,
                _mm512_mul_ps(_mm512_mul_ps(sv, load16(p, bf16, j, k)),
                              _mm512_sub_ps(load16(dp, bf16, j, k), dv)),
                k);
    }
}

ATELIER_AVX512
void ce_row_avx512(const void* x, bool bf16, int64_t cols, int64_t target, float* loss, float* lse) {
    __m512 mv = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
    for (int64_t j = 0; j < cols; j += 16) {
        const __mmask16 k = kernel::lanes16(cols - j);
        mv = _mm512_mask_max_ps(mv, k, mv, load16(x, bf16, j, k));
    }
    const float m = kernel::hmax16(mv);
    const __m512 mb = _mm512_set1_ps(m);
    __m512 sv = _mm512_setzero_ps();
    for (int64_t j = 0; j < cols; j += 16) {
        const __mmask16 k = kernel::lanes16(cols - j);
        sv = _mm512_add_ps(sv, _mm512_maskz_mov_ps(k, exp16(_mm512_sub_ps(load16(x, bf16, j, k), mb))));
    }
    *lse = m + std::log(kernel::hsum16(sv));
    *loss = ignored(target, cols) ? 0.0f : *lse - load_scalar(x, bf16, target);
}

ATELIER_AVX512
void ce_back_row_avx512(const void* x, bool bf16, int64_t cols, int64_t target, float lse, float g,
                        void* dx) {
    if (ignored(target, cols)) {
        std::memset(dx, 0, at(cols, bf16));
        return;
    }
    const __m512 lv = _mm512_set1_ps(lse), gv = _mm512_set1_ps(g);
    for (int64_t j = 0; j < cols; j += 16) {
        const __mmask16 k = kernel::lanes16(cols - j);
        store16(dx, bf16, j, _mm512_mul_ps(gv, exp16(_mm512_sub_ps(load16(x, bf16, j, k), lv))), k);
    }
    store_scalar(dx, bf16, target, g * (exp_scalar(load_scalar(x, bf16, target) - lse) - 1.0f));
}
ATELIER_AVX512_WARNINGS_ON
#endif  // ATELIER_X86_BF16_CASTS

#endif  // ATELIER_X86

}  // namespace

void rms_norm_backward_rows(const void* x, const void* w, const void* dy, const float* rstd, bool bf16,
                            bool w_bf16, int64_t rows, int64_t cols, void* dx, SoftmaxIsa isa) {
    if (rows <= 0 || cols <= 0) return;
    const auto kernel =
        pick_kernel(isa, ATELIER_KERNELS(rms_norm_back_row), ATELIER_AVX512_KERNEL(rms_norm_back_row));
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
    const auto kernel =
        pick_kernel(isa, ATELIER_KERNELS(softmax_back_row), ATELIER_AVX512_KERNEL(softmax_back_row));
    parallel_items(rows, rows * cols, [&](int64_t r) {
        const size_t o = at(r * cols, bf16);
        kernel(in(p, o), in(dp, o), bf16, cols, scale, out(ds, o));
    });
}

void cross_entropy_rows(const void* logits, bool bf16, int64_t rows, int64_t cols, const int64_t* target,
                        float* loss, float* lse, SoftmaxIsa isa) {
    if (rows <= 0 || cols <= 0) return;
    const auto kernel = pick_kernel(isa, ATELIER_KERNELS(ce_row), ATELIER_AVX512_KERNEL(ce_row));
    parallel_items(rows, rows * cols, [&](int64_t r) {
        kernel(in(logits, at(r * cols, bf16)), bf16, cols, target[r], loss + r, lse + r);
    });
}

void cross_entropy_backward_rows(const void* logits, bool bf16, int64_t rows, int64_t cols,
                                 const int64_t* target, const float* lse, float g, void* dx, SoftmaxIsa isa) {
    if (rows <= 0 || cols <= 0) return;
    const auto kernel = pick_kernel(isa, ATELIER_KERNELS(ce_back_row), ATELIER_AVX512_KERNEL(ce_back_row));
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
