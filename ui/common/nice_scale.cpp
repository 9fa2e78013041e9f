#include "nice_scale.h"

#include <algorithm>
#include <cmath>

namespace {

// The 1, 2, 5 or 10 × 10^k nearest `x`.
double niceNumber(double x) {
    const double exponent = std::floor(std::log10(x));
    const double fraction = x / std::pow(10.0, exponent);
    const double nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
    return nice * std::pow(10.0, exponent);
}

}  // namespace

NiceScale niceScale(double lo, double hi, int ticks, bool integer) {
    NiceScale s;
    if (!std::isfinite(lo) || !std::isfinite(hi)) return s;
    if (lo > hi) std::swap(lo, hi);
    if (hi == lo) {
        const double pad = lo == 0 ? 1 : std::abs(lo) * 0.1;
        lo -= pad;
        hi += pad;
    }
    ticks = std::max(ticks, 2);
    s.step = niceNumber((hi - lo) / ticks);
    if (integer) s.step = std::max(1.0, std::round(s.step));
    s.min = std::floor(lo / s.step) * s.step;
    s.max = std::ceil(hi / s.step) * s.step;
    if (s.min == -0.0) s.min = 0;
    s.decimals = std::max(0, static_cast<int>(-std::floor(std::log10(s.step) + 1e-9)));
    return s;
}

NiceScale niceLogScale(double lo, double hi) {
    NiceScale s;
    s.min = 0.1;
    s.max = 10;
    if (!(lo > 0) || !(hi > 0) || !std::isfinite(lo) || !std::isfinite(hi)) return s;
    if (lo > hi) std::swap(lo, hi);
    // A hair of tolerance so 1.0000000001 (a float round trip of 1) stays in the decade of 1.
    s.min = std::pow(10.0, std::floor(std::log10(lo) + 1e-9));
    s.max = std::pow(10.0, std::ceil(std::log10(hi) - 1e-9));
    if (s.max <= s.min) s.max = s.min * 10;
    s.step = 10;
    s.decimals = std::max(0, static_cast<int>(-std::floor(std::log10(s.min) + 1e-9)));
    return s;
}
