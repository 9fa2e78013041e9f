// Turning logits into the next token: repetition penalty, temperature, top-k, top-p, min-p, seed.
//
//   atelier::SamplingParams p;  p.temperature = 0;       // greedy
//   atelier::Sampler sampler(p);
//   int next = sampler.sample(logits, history);           // logits are modified in place
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace atelier {

struct SamplingParams {
    float temperature = 0.8f;         // 0 = greedy (argmax)
    int top_k = 40;                   // keep the k most likely; 0 = off
    float top_p = 0.95f;              // nucleus: smallest set with cumulative probability >= p; 1 = off
    float min_p = 0.05f;              // drop tokens below min_p * p(most likely); 0 = off
    float repetition_penalty = 1.0f;  // CTRL-style: divide positive / multiply negative logits; 1 = off
    int repeat_last_n = 64;           // history window for the penalty; -1 = all
    int64_t seed = -1;                // -1 = random each run
};

class Sampler {
public:
    explicit Sampler(const SamplingParams& params);
    // Picks a token from `logits` (modified in place) given the tokens seen so far.
    int sample(std::vector<float>& logits, const std::vector<int>& history);
    const SamplingParams& params() const { return m_params; }

private:
    SamplingParams m_params;
    std::mt19937_64 m_rng;
};

void apply_repetition_penalty(std::vector<float>& logits, const std::vector<int>& history, float penalty,
                              int last_n);
int argmax(const std::vector<float>& logits);

}  // namespace atelier
