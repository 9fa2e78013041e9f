#include "generate/sampler.h"

#include "common/error.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_set>

namespace atelier {

Sampler::Sampler(const SamplingParams& params) : m_params(params) {
    if (params.temperature < 0) throw Error(ErrorCode::InvalidArgument, "temperature", "must be >= 0");
    if (params.top_k < 0) throw Error(ErrorCode::InvalidArgument, "top_k", "must be >= 0");
    if (params.top_p <= 0 || params.top_p > 1)
        throw Error(ErrorCode::InvalidArgument, "top_p", "must be in (0, 1]");
    if (params.min_p < 0 || params.min_p >= 1)
        throw Error(ErrorCode::InvalidArgument, "min_p", "must be in [0, 1)");
    if (params.repetition_penalty <= 0)
        throw Error(ErrorCode::InvalidArgument, "repetition_penalty", "must be > 0");
    m_rng.seed(params.seed >= 0 ? static_cast<uint64_t>(params.seed) : std::random_device{}());
}

void apply_repetition_penalty(std::vector<float>& logits, const std::vector<int>& history, float penalty,
                              int last_n) {
    if (penalty == 1.0f || history.empty()) return;
    size_t start = last_n < 0 || static_cast<size_t>(last_n) >= history.size() ? 0 : history.size() - last_n;
    std::unordered_set<int> seen(history.begin() + static_cast<std::ptrdiff_t>(start), history.end());
    for (int id : seen) {
        if (id < 0 || static_cast<size_t>(id) >= logits.size()) continue;
        float& l = logits[id];
        l = l > 0 ? l / penalty : l * penalty;
    }
}

int argmax(const std::vector<float>& logits) {
    // First maximum, as llama2.c's run.c.
    return static_cast<int>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

int Sampler::sample(std::vector<float>& logits, const std::vector<int>& history) {
    if (logits.empty()) throw Error(ErrorCode::InvalidArgument, "sample", "empty logits");
    apply_repetition_penalty(logits, history, m_params.repetition_penalty, m_params.repeat_last_n);
    if (m_params.temperature == 0.0f) return argmax(logits);

    // Candidates sorted by logit, cut to top-k.
    std::vector<int> ids(logits.size());
    std::iota(ids.begin(), ids.end(), 0);
    size_t k = m_params.top_k > 0 ? std::min<size_t>(m_params.top_k, ids.size()) : ids.size();
    auto by_logit = [&](int a, int b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); };
    std::partial_sort(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(k), ids.end(), by_logit);
    ids.resize(k);

    // Softmax with temperature over the candidates (max subtracted for stability).
    std::vector<double> probs(k);
    const double max_logit = logits[ids[0]];
    double sum = 0;
    for (size_t i = 0; i < k; ++i)
        sum += probs[i] = std::exp((logits[ids[i]] - max_logit) / m_params.temperature);
    for (double& p : probs) p /= sum;

    // Nucleus (top-p): keep the smallest prefix reaching top_p.
    size_t keep = k;
    if (m_params.top_p < 1.0f) {
        double cum = 0;
        for (size_t i = 0; i < k; ++i) {
            cum += probs[i];
            if (cum >= m_params.top_p) {
                keep = i + 1;
                break;
            }
        }
    }
    // min-p: drop tokens much less likely than the best one.
    if (m_params.min_p > 0) {
        const double floor = m_params.min_p * probs[0];
        size_t n = 1;
        while (n < keep && probs[n] >= floor) ++n;
        keep = n;
    }
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    double total = std::accumulate(probs.begin(), probs.begin() + static_cast<std::ptrdiff_t>(keep), 0.0);
    double r = uniform(m_rng) * total;
    for (size_t i = 0; i < keep; ++i) {
        r -= probs[i];
        if (r <= 0) return ids[i];
    }
    return ids[keep - 1];
}

}  // namespace atelier
