// Integer arithmetic that reports overflow instead of wrapping: sizes and offsets read from
// untrusted files (safetensors headers, pickled shapes, video dimensions) are multiplied with these.
//
//   uint64_t bytes = dtype_size(dtype);
//   bool overflow = false;
//   for (int64_t d : shape) overflow |= atelier::checked_mul(bytes, static_cast<uint64_t>(d), &bytes);
//
// Each returns true when the exact result does not fit, as __builtin_mul_overflow does, and stores
// the wrapped result in *out either way. GCC and Clang use the builtins; MSVC has none, so there the
// check is written out (std::numeric_limits<>::max in parentheses: <windows.h> may define max). The
// type of `out` picks the overload: pass arguments of that type.
#pragma once

#include <cstdint>
#include <limits>

namespace atelier {

#if defined(_MSC_VER) && !defined(__clang__)

inline bool checked_mul(uint64_t a, uint64_t b, uint64_t* out) {
    *out = a * b;
    return a != 0 && b > (std::numeric_limits<uint64_t>::max)() / a;
}

inline bool checked_mul(int64_t a, int64_t b, int64_t* out) {
    constexpr int64_t kMax = (std::numeric_limits<int64_t>::max)();
    constexpr int64_t kMin = (std::numeric_limits<int64_t>::min)();
    *out = static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
    if (a > 0) return b > 0 ? a > kMax / b : b < kMin / a;
    return b > 0 ? a < kMin / b : a != 0 && b < kMax / a;
}

inline bool checked_add(uint64_t a, uint64_t b, uint64_t* out) {
    *out = a + b;
    return *out < a;
}

inline bool checked_add(int64_t a, int64_t b, int64_t* out) {
    *out = static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
    return b > 0 ? a > (std::numeric_limits<int64_t>::max)() - b
                 : a < (std::numeric_limits<int64_t>::min)() - b;
}

#else

inline bool checked_mul(uint64_t a, uint64_t b, uint64_t* out) {
    return __builtin_mul_overflow(a, b, out);
}

inline bool checked_mul(int64_t a, int64_t b, int64_t* out) {
    return __builtin_mul_overflow(a, b, out);
}

inline bool checked_add(uint64_t a, uint64_t b, uint64_t* out) {
    return __builtin_add_overflow(a, b, out);
}

inline bool checked_add(int64_t a, int64_t b, int64_t* out) {
    return __builtin_add_overflow(a, b, out);
}

#endif

}  // namespace atelier
