// Launching and stopping atelier-train, the background trainer. Processes start detached: closing
// the studio leaves a run training, and the next start finds it in the run store.
#pragma once

#include <QString>

// atelier-train beside this executable (build tree and installs), else on PATH; $ATELIER_TRAIN wins.
QString trainerProgram();
// atelier-train --run-id ID --store STORE, detached, its output in `logPath` (appended). Returns
// the pid, or 0 with *error when it cannot start.
qint64 startTrainer(const QString& storePath, qint64 runId, const QString& logPath, QString* error = nullptr);
// SIGTERM to the process holding the run folder's trainer lock (never a pid from the store): the
// trainer finishes its step, writes a checkpoint and exits. False when no trainer holds it.
bool stopTrainer(const QString& runFolder);
