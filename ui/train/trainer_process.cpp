#include "trainer_process.h"

#include "trainer_lock.h"

#include "common/win32.h"  // CREATE_NO_WINDOW (empty off Windows)

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

namespace {

// atelier-train beside atelier: the same folder on Linux and Windows (.exe), and inside the app
// bundle's Contents/MacOS on macOS (where CPack's DragNDrop installs it with the studio).
QString trainerName() {
#ifdef Q_OS_WIN
    return QStringLiteral("atelier-train.exe");
#else
    return QStringLiteral("atelier-train");
#endif
}

}  // namespace

QString trainerProgram() {
    const QString env = qEnvironmentVariable("ATELIER_TRAIN");
    if (!env.isEmpty()) return env;
    const QString beside = QDir(QCoreApplication::applicationDirPath()).filePath(trainerName());
    if (QFileInfo(beside).isExecutable()) return beside;
    const QString onPath = QStandardPaths::findExecutable(QStringLiteral("atelier-train"));
    return onPath.isEmpty() ? beside : onPath;
}

qint64 startTrainer(const QString& storePath, qint64 runId, const QString& logPath, QString* error) {
    const QString program = trainerProgram();
    QDir().mkpath(QFileInfo(logPath).absolutePath());
    QProcess p;
    p.setProgram(program);
    p.setArguments(
        {QStringLiteral("--run-id"), QString::number(runId), QStringLiteral("--store"), storePath});
    p.setStandardOutputFile(logPath, QIODevice::Append);
    p.setStandardErrorFile(logPath, QIODevice::Append);
#ifdef Q_OS_WIN
    // A console program started from a GUI one would open a console window for each run.
    p.setCreateProcessArgumentsModifier(
        [](QProcess::CreateProcessArguments* args) { args->flags |= CREATE_NO_WINDOW; });
#endif
    qint64 pid = 0;
    if (!QFileInfo(program).isExecutable() || !p.startDetached(&pid)) {
        if (error)
            *error = QCoreApplication::translate("Trainer", "Cannot start the trainer %1.").arg(program);
        return 0;
    }
    return pid;
}

bool stopTrainer(const QString& runFolder) {
    return atelier::stop_trainer(runFolder.toStdString());
}
