// Rotary position embedding (rotate-half layout) as one pass each way, declared in row_kernels.h.
// Rounded as LibTorch's ops round in the tensor's dtype: a = x·cos and b = rotate_half(x)·sin each
// rounded, then a + b rounded (bf16: to nearest even), so the results equal the five LibTorch ops
// they replace bit for bit; the gradient likewise.
#include "model/row_kernels.h"

#include "model/half_gemv.h"
#include "model/kernel_util.h"

namespace atelier {

namespace {

using kernel::load_scalar;
using kernel::round_bf16_value;
using kernel::store_scalar;

// One head's row of hd values. Forward: out[i] = x[i]·c[i] + r[i]·s[i], r = rotate_half(x) =
// (-x[h..hd), x[0..h)). Backward (dx from the output's gradient g): dx[j] = g[j]·c[j] + t[j] with
// t = rotate_halfᵀ(g·s) = (g[h + j]·s[h + j] for j < h, -(g[j - h]·s[j - h]) for j >= h).
void row_scalar(const void* in, bool bf16, int64_t hd, const void* c, const void* s, void* out,
                bool backward) {
    const int64_t h = hd / 2;
    // x[i]·y[k], rounded into the dtype
    auto product = [&](int64_t i, const void* y, int64_t k) {
        const float v = load_scalar(in, bf16, i) * load_scalar(y, bf16, k);
        return bf16 ? round_bf16_value(v) : v;
    };
    for (int64_t i = 0; i < hd; ++i) {
        const int64_t j = i < h ? i + h : i - h;  // the partner in the other half
        const float sign = i < h ? -1.0f : 1.0f;  // rounding to nearest even is odd: round(-v) = -round(v)
        const float b = backward ? -sign * product(j, s, j) : sign * product(j, s, i);
        store_scalar(out, bf16, i, product(i, c, i) + b);  // the sum rounded as it is stored
    }
}

#if ATELIER_X86_BF16_CASTS
ATELIER_AVX512_WARNINGS_OFF
using kernel::load16;
using kernel::round16;
using kernel::store16;

// -v (AVX-512F has no float xor; DQ's is not assumed)
ATELIER_TARGET("avx512f") inline __m512 neg16(__m512 v) {
    return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(v), _mm512_set1_epi32(int(0x80000000u))));
}

// The same for hd a multiple of 32: sixteen of each half per step.
ATELIER_TARGET("avx512f,avx512bw,avx512vl,avx512bf16")
void row_avx512(const void* in, bool bf16, int64_t hd, const void* c, const void* s, void* out,
                bool backward) {
    const int64_t h = hd / 2;
    for (int64_t i = 0; i < h; i += 16) {
        const __m512 lo = load16(in, bf16, i), hi = load16(in, bf16, i + h);
        const __m512 a_lo = round16(_mm512_mul_ps(lo, load16(c, bf16, i)), bf16),
                     a_hi = round16(_mm512_mul_ps(hi, load16(c, bf16, i + h)), bf16);
        __m512 b_lo, b_hi;
        if (!backward) {
            b_lo = round16(_mm512_mul_ps(neg16(hi), load16(s, bf16, i)), bf16);
            b_hi = round16(_mm512_mul_ps(lo, load16(s, bf16, i + h)), bf16);
        } else {
            b_lo = round16(_mm512_mul_ps(hi, load16(s, bf16, i + h)), bf16);
            b_hi = neg16(round16(_mm512_mul_ps(lo, load16(s, bf16, i)), bf16));
        }
        store16(out, bf16, i, _mm512_add_ps(a_lo, b_lo));
        store16(out, bf16, i + h, _mm512_add_ps(a_hi, b_hi));
    }
}
ATELIER_AVX512_WARNINGS_ON
#endif

void rope_pass(const void* in, bool bf16, int64_t B, int64_t T, int64_t H, int64_t hd, const void* cos,
               const void* sin, void* out, bool backward, SoftmaxIsa isa) {
    if (B <= 0 || T <= 0 || H <= 0 || hd <= 0) return;
    auto kernel = row_scalar;
#if ATELIER_X86_BF16_CASTS
    if (isa == SoftmaxIsa::Best && hd % 32 == 0 && cpu_has_avx512_bf16()) kernel = row_avx512;
#else
    (void)isa;
#endif
    const size_t size = bf16 ? 2 : 4;
    // rows (b, t): x's [H, hd] at (b·T + t)·H·hd; the heads' rows at ((b·H + head)·T + t)·hd
#pragma omp parallel for schedule(static) if (B * T * H * hd > 16384)
    for (int64_t bt = 0; bt < B * T; ++bt) {
        const int64_t b = bt / T, t = bt % T;
        const char* c = static_cast<const char*>(cos) + size_t(t * hd) * size;
        const char* s = static_cast<const char*>(sin) + size_t(t * hd) * size;
        for (int64_t head = 0; head < H; ++head) {
            const size_t flat = size_t((bt * H + head) * hd) * size,
                         split = size_t(((b * H + head) * T + t) * hd) * size;
            kernel(static_cast<const char*>(in) + (backward ? split : flat), bf16, hd, c, s,
                   static_cast<char*>(out) + (backward ? flat : split), backward);
        }
    }
}

}  // namespace

void rope_rows(const void* x, bool bf16, int64_t B, int64_t T, int64_t H, int64_t hd, const void* cos,
               const void* sin, void* out, SoftmaxIsa isa) {
    rope_pass(x, bf16, B, T, H, hd, cos, sin, out, false, isa);
}

void rope_rows_backward(const void* g, bool bf16, int64_t B, int64_t T, int64_t H, int64_t hd,
                        const void* cos, const void* sin, void* dx, SoftmaxIsa isa) {
    rope_pass(g, bf16, B, T, H, hd, cos, sin, dx, true, isa);
}

}  // namespace atelier
