// SplitMix64's finaliser: a bijective 64-bit mix whose outputs for consecutive inputs look
// independent. The counter-based random numbers of dropout masks, micro-batch seeds and the demo
// task's generator all come from it (the same numbers on every machine and thread count).
//
//   uint64_t r = atelier::mix64(seed + 0x9e3779b97f4a7c15ULL * counter);
#pragma once

#include <cstdint>

namespace atelier {

constexpr uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ULL;  // SplitMix64's increment

inline uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

}  // namespace atelier
