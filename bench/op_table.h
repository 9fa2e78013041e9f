// LibTorch's op profiler as a table: which ops, at which input shapes, a benchmark's time goes to.
#pragma once

#include <torch/csrc/autograd/profiler_legacy.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace atelier::bench {

// Records every op with its input shapes until stop_op_profile().
inline void start_op_profile() {
    torch::autograd::profiler::enableProfilerLegacy(
        torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU, true));
}

inline torch::autograd::profiler::thread_event_lists stop_op_profile() {
    return torch::autograd::profiler::disableProfilerLegacy();
}

// The `top` (op, input shapes) pairs with the most self time (their own, not their callees'),
// per step (or `per`): which GEMM shapes and which elementwise passes a method's step spends its time in.
inline void print_op_table(const torch::autograd::profiler::thread_event_lists& lists, int64_t steps, int top,
                           const char* per = "step") {
    using torch::autograd::profiler::EventKind;
    using torch::autograd::profiler::LegacyEvent;
    std::map<std::string, std::pair<double, int64_t>> self;  // key -> (µs, calls)
    for (const auto& events : lists) {
        struct Open {
            const LegacyEvent* push;
            double children_us;
        };
        std::vector<Open> open;
        for (const LegacyEvent& e : events) {
            if (e.kind() == EventKind::PushRange) {
                open.push_back({&e, 0.0});
            } else if (e.kind() == EventKind::PopRange && !open.empty()) {
                const Open o = open.back();
                open.pop_back();
                const double us = o.push->cpuElapsedUs(e);
                if (!open.empty()) open.back().children_us += us;
                std::ostringstream key;
                key << o.push->name() << " ";
                for (const auto& shape : o.push->shapes()) {
                    key << "[";
                    for (size_t i = 0; i < shape.size(); ++i) key << (i ? "," : "") << shape[i];
                    key << "]";
                }
                auto& slot = self[key.str()];
                slot.first += us - o.children_us;
                slot.second += 1;
            }
        }
    }
    std::vector<std::pair<std::string, std::pair<double, int64_t>>> rows(self.begin(), self.end());
    std::sort(rows.begin(), rows.end(),
              [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
    double total = 0;
    for (const auto& r : rows) total += r.second.first;
    std::printf("\nself time per %s (profiled: small ops read slower than they run), %.0f ms in all\n", per,
                total / 1e3 / double(steps));
    for (int i = 0; i < top && i < int(rows.size()); ++i)
        std::printf("%9.1f ms %6.0f calls  %s\n", rows[i].second.first / 1e3 / double(steps),
                    double(rows[i].second.second) / double(steps), rows[i].first.c_str());
}

}  // namespace atelier::bench
