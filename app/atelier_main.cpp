// atelier: the desktop studio.
//
//   atelier [--model DIR|FILE] [--data-dir DIR]
//
// --model adds the model to the library (after validating it) and makes new chats use it;
// --data-dir keeps the database, settings and attachments in DIR instead of the platform folders.
#include "app_settings.h"
#include "atelier_version.h"
#include "chat_store.h"
#include "common/blas_kernels.h"
#include "error_text.h"
#include "main_window.h"

#include "common/error.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QIcon>
#include <QMessageBox>

#include <memory>

namespace {

// The command line, parsed by `app` (a QCoreApplication is enough for --help and --version).
struct Options {
    QCommandLineParser parser;
    QCommandLineOption model{QStringLiteral("model"), QStringLiteral("Open this model (folder or file)."),
                             QStringLiteral("path")};
    QCommandLineOption dataDir{QStringLiteral("data-dir"),
                               QStringLiteral("Keep conversations, models and settings in this folder."),
                               QStringLiteral("dir")};
    Options() {
        parser.setApplicationDescription(
            QStringLiteral("Chat with LLaMA-family models and fine-tune adapters."));
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addOption(model);
        parser.addOption(dataDir);
    }
};

void describeApplication() {
    QCoreApplication::setOrganizationName(QStringLiteral("Atelier"));
    QCoreApplication::setApplicationName(QStringLiteral("Atelier"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ATELIER_VERSION));
}

}  // namespace

int main(int argc, char** argv) {
    // --help and --version answer without a display (a package check, a terminal over ssh).
    for (int i = 1; i < argc; ++i) {
        const QByteArray a(argv[i]);
        if (a == "--help" || a == "-h" || a == "-?" || a == "--version" || a == "-v") {
            QCoreApplication core(argc, argv);
            describeApplication();
            Options options;
            options.parser.process(core);  // prints and exits
        }
    }
    atelier::use_native_blas_kernels(argv);  // may re-execute, once: before any BLAS is used
    QApplication app(argc, argv);
    describeApplication();
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/atelier.svg")));
    QGuiApplication::setDesktopFileName(QStringLiteral(ATELIER_APP_ID));  // Wayland finds the icon by it

    Options options;
    QCommandLineParser& parser = options.parser;
    const QCommandLineOption& model = options.model;
    const QCommandLineOption& dataDir = options.dataDir;
    parser.process(app);

    AppSettings settings(parser.value(dataDir));
    applyTheme(settings.theme());
    installTranslations(settings.language());

    std::unique_ptr<ChatStore> store;
    const QString dbPath = QDir(settings.dataDir()).filePath(QStringLiteral("atelier.db"));
    try {
        store = std::make_unique<ChatStore>(dbPath);
        store->recoverInterrupted();
    } catch (const atelier::Error& e) {
        const QString why =
            e.code() == atelier::ErrorCode::BadHeader
                ? QCoreApplication::translate(
                      "main",
                      "It was written by a newer version of Atelier. Update Atelier, or start "
                      "with another data folder (--data-dir); the file was left untouched.")
                : errorText(engineErrorFrom(e));
        QMessageBox::critical(
            nullptr, QCoreApplication::translate("main", "Atelier cannot start"),
            QCoreApplication::translate("main", "The database %1 cannot be opened.").arg(dbPath) +
                QLatin1Char('\n') + why);
        return 1;
    }
    MainWindow window(settings, *store);
    if (parser.isSet(model)) window.openModel(parser.value(model));
    window.show();
    return app.exec();
}
