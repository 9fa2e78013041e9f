#include "stall_monitor.h"

#include <algorithm>

namespace {
constexpr int kPeriodMs = 5;
}

StallMonitor::StallMonitor(QObject* parent) : QObject(parent) {
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(kPeriodMs);
    connect(&m_timer, &QTimer::timeout, this, &StallMonitor::tick);
}

void StallMonitor::start() {
    reset();
    m_clock.start();
    m_timer.start();
}

void StallMonitor::stop() {
    m_timer.stop();
}

void StallMonitor::reset() {
    m_lastNs = -1;
    m_longestMs = 0;
    m_gaps.clear();
}

void StallMonitor::tick() {
    const qint64 now = m_clock.nsecsElapsed();
    if (m_lastNs >= 0) {
        const double gap = (now - m_lastNs) / 1e6;
        m_gaps.push_back(static_cast<float>(gap));
        const double stall = std::max(0.0, gap - kPeriodMs);
        if (stall > m_longestMs) {
            m_longestMs = stall;
            Q_EMIT updated(m_longestMs);
        }
    }
    m_lastNs = now;
}

double StallMonitor::percentileGapMs(double p) const {
    if (m_gaps.empty()) return 0;
    std::vector<float> sorted = m_gaps;
    std::sort(sorted.begin(), sorted.end());
    const size_t i = std::min(sorted.size() - 1, static_cast<size_t>(p * (sorted.size() - 1) + 0.5));
    return sorted[i];
}
