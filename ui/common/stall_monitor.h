// Measures how long the GUI thread is kept from its event loop: a 5 ms timer notes every gap
// between its ticks; a gap well over 5 ms is a stall (a frame the window could not draw).
//
//   StallMonitor monitor;  monitor.start();
//   ... generate ...
//   qDebug() << monitor.longestStallMs();
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <vector>

class StallMonitor : public QObject {
    Q_OBJECT
public:
    explicit StallMonitor(QObject* parent = nullptr);
    void start();
    void stop();
    void reset();
    double longestStallMs() const { return m_longestMs; }  // longest gap minus the 5 ms period
    double percentileGapMs(double p) const;                // over all gaps seen (p in [0,1])
    int samples() const { return static_cast<int>(m_gaps.size()); }

Q_SIGNALS:
    void updated(double longestStallMs);

private:
    void tick();
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = -1;
    double m_longestMs = 0;
    std::vector<float> m_gaps;
};
