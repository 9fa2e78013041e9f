// Where training reports go: a sink interface (log(name, value, step) and events), with the run
// store as one sink and JSON lines on stdout as another.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace atelier {

struct MetricSink {
    virtual ~MetricSink() = default;
    virtual void log(const std::string& name, double value, int64_t step) = 0;
    // kind: "start" | "checkpoint" | "eval" | "finished" | "stopped" | "failed" | "resumed" | "info"
    virtual void event(const std::string& kind, const std::string& detail, int64_t step) {}
};

// One JSON object per line: {"type":"metric","name":"loss","value":1.23,"step":7} /
// {"type":"event","kind":"checkpoint","detail":"...","step":7}.
class JsonLinesSink : public MetricSink {
public:
    explicit JsonLinesSink(std::ostream& out) : m_out(out) {}
    void log(const std::string& name, double value, int64_t step) override;
    void event(const std::string& kind, const std::string& detail, int64_t step) override;

private:
    std::ostream& m_out;
};

class FanOutSink : public MetricSink {
public:
    void add(MetricSink* sink) { m_sinks.push_back(sink); }
    void log(const std::string& name, double value, int64_t step) override {
        for (auto* s : m_sinks) s->log(name, value, step);
    }
    void event(const std::string& kind, const std::string& detail, int64_t step) override {
        for (auto* s : m_sinks) s->event(kind, detail, step);
    }

private:
    std::vector<MetricSink*> m_sinks;
};

}  // namespace atelier
