// The Train page's controller for the live run: launches a detached atelier-train, follows its
// row in the run store once a second (progress, ETA from the pace of recent steps, a trainer that
// died), sends Stop, and reports the run's end once. No widgets.
//
//   RunMonitor monitor(runs, storePath);
//   connect(&monitor, &RunMonitor::updated, page, &TrainPage::showRun);
//   qint64 id = monitor.launch(config);   // throws atelier::Error
#pragma once

#include "run_store.h"
#include "train_config.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <optional>

// What the page shows of the live run.
struct LiveRun {
    atelier::RunRecord record;  // id 0: no run yet
    bool starting = false;      // queued and its trainer launched less than a minute ago
    bool stopping = false;      // Stop was sent; it ends after the current step
    double secondsLeft = -1;    // -1: not known yet
    bool active() const { return record.id && (record.status == atelier::RunStatus::Running || starting); }
};

class RunMonitor : public QObject {
    Q_OBJECT
public:
    RunMonitor(atelier::RunStore& runs, const QString& storePath, QObject* parent = nullptr);

    qint64 run() const { return m_run; }
    const LiveRun& live() const { return m_live; }

    // Creates the run and starts a detached trainer for it; throws atelier::Error (with the
    // run marked failed when the trainer could not start).
    qint64 launch(const atelier::TrainConfig& config);
    bool stop();  // false when the run is not training
    // Follow this run. `launched`: Queued when a trainer was just started for it, so its end is
    // reported even if it comes before the first look.
    void attach(qint64 run, std::optional<atelier::RunStatus> launched = std::nullopt);
    void reattach();  // to a run still training when the studio was closed
    void refresh();

Q_SIGNALS:
    void updated(const LiveRun& run);
    void runEnded(qint64 run, atelier::RunStatus status, const QString& error);

private:
    atelier::RunStore& m_runs;
    QString m_storePath;
    QTimer m_timer;
    qint64 m_run = 0;
    qint64 m_stopping = 0;
    std::optional<atelier::RunStatus> m_lastStatus;  // as last seen; none before the first look
    LiveRun m_live;
};
