#include "run_monitor.h"

#include "trainer_process.h"

#include "common/error.h"

#include <QDateTime>
#include <QDir>

RunMonitor::RunMonitor(atelier::RunStore& runs, const QString& storePath, QObject* parent)
    : QObject(parent), m_runs(runs), m_storePath(storePath) {
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &RunMonitor::refresh);
    m_timer.start();
}

void RunMonitor::reattach() {
    try {
        m_runs.mark_interrupted();
        for (const auto& r : m_runs.runs())
            if (r.status == atelier::RunStatus::Running) {
                attach(r.id);
                return;
            }
    } catch (const std::exception&) {
        // the trainer holds the write lock for a moment: the next refresh looks again
    }
}

qint64 RunMonitor::launch(const atelier::TrainConfig& config) {
    // The trainer fingerprints the dataset (a large file would stall the window here).
    const qint64 id = m_runs.create_run(config, "");
    QString error;
    const qint64 pid = startTrainer(
        m_storePath, id, QDir(QString::fromStdString(config.out)).filePath(QStringLiteral("trainer.log")),
        &error);
    if (!pid) {
        m_runs.set_status(id, atelier::RunStatus::Failed, error.toStdString());
        throw atelier::Error(atelier::ErrorCode::Io, "atelier-train", error.toStdString());
    }
    m_runs.set_launcher_pid(id, pid);  // a trainer that dies before claiming the run fails it
    attach(id, atelier::RunStatus::Queued);
    return id;
}

bool RunMonitor::stop() {
    const atelier::RunRecord r = m_runs.run(m_run);
    if (!r.id || r.status != atelier::RunStatus::Running || !stopTrainer(QString::fromStdString(r.out_dir)))
        return false;
    m_stopping = r.id;
    m_live.stopping = true;
    Q_EMIT updated(m_live);
    return true;
}

void RunMonitor::attach(qint64 run, std::optional<atelier::RunStatus> launched) {
    m_run = run;
    // A run we just launched reports its end even if it comes before the first refresh.
    m_lastStatus = launched;
    refresh();
}

void RunMonitor::refresh() {
    atelier::RunRecord r;
    try {
        if (m_run) {
            r = m_runs.run(m_run);
            // Only a run in flight can turn out to have lost its trainer.
            if (!atelier::run_ended(r.status) && m_runs.mark_interrupted() > 0) r = m_runs.run(m_run);
        }
    } catch (const std::exception&) {
        return;  // the trainer holds the write lock for a moment
    }
    LiveRun live;
    live.record = r;
    // A queued run is one whose trainer is starting; one still queued after a minute never started.
    live.starting = r.status == atelier::RunStatus::Queued &&
                    QDateTime::currentMSecsSinceEpoch() - r.created_at < 60 * 1000;
    live.stopping = r.id && m_stopping == r.id && r.status == atelier::RunStatus::Running;
    // ETA from the pace of the last steps (their wall times), not since the run first started:
    // a continued run's idle gap and the model load do not count.
    if (r.status == atelier::RunStatus::Running && r.step > 0) {
        std::vector<atelier::MetricPoint> recent;
        try {
            recent = m_runs.metrics(r.id, "loss", std::max<int64_t>(0, r.step - 20));
        } catch (const std::exception&) {
        }
        if (recent.size() >= 2 && recent.back().step > recent.front().step) {
            const double per_step = (recent.back().wall_time - recent.front().wall_time) / 1000.0 /
                                    static_cast<double>(recent.back().step - recent.front().step);
            live.secondsLeft = per_step * static_cast<double>(r.total_steps - r.step);
        }
    }
    m_live = live;
    Q_EMIT updated(m_live);
    if (!r.id || r.status == m_lastStatus) return;
    const bool reportEnd = atelier::run_ended(r.status) && m_lastStatus.has_value();
    m_lastStatus = r.status;
    if (reportEnd) Q_EMIT runEnded(r.id, r.status, QString::fromStdString(r.error));
}
