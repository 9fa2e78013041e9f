#include "trainer_process.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

#include <csignal>

QString trainerProgram() {
    const QString env = qEnvironmentVariable("ATELIER_TRAIN");
    if (!env.isEmpty()) return env;
    const QString beside =
        QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("atelier-train"));
    if (QFileInfo(beside).isExecutable()) return beside;
    const QString onPath = QStandardPaths::findExecutable(QStringLiteral("atelier-train"));
    return onPath.isEmpty() ? beside : onPath;
}

bool startTrainer(const QString& storePath, qint64 runId, QString* error) {
    const QString program = trainerProgram();
    QProcess p;
    p.setProgram(program);
    p.setArguments(
        {QStringLiteral("--run-id"), QString::number(runId), QStringLiteral("--store"), storePath});
    p.setStandardOutputFile(QProcess::nullDevice());
    p.setStandardErrorFile(QProcess::nullDevice());
    if (!QFileInfo(program).isExecutable() || !p.startDetached()) {
        if (error)
            *error = QCoreApplication::translate("Trainer", "Cannot start the trainer %1.").arg(program);
        return false;
    }
    return true;
}

bool stopTrainer(qint64 pid) {
    return pid > 0 && ::kill(static_cast<pid_t>(pid), SIGTERM) == 0;
}
