// How long the GUI thread is kept from its event loop while a reply streams into the chat view,
// while media are attached (previews decoded, the engine measuring and encoding them) and while a
// run trains.
//
// The studio (offscreen, or a real window under xvfb-run) sends prompts to stories260K, the
// fastest model there is (~1000 tokens/s here), so the view receives the most updates per second a
// model can produce, and a StallMonitor (5 ms tick) records every gap on the GUI thread. A frame at
// 60 Hz is 16.7 ms: the figure to stay under.
//
//   ATELIER_FIXTURES=../shared/fixtures QT_QPA_PLATFORM=offscreen build/bin/bench_gui_stall [--turns 4]
#include "app_settings.h"
#include "attachment_chip.h"
#include "chat_controller.h"
#include "chat_page.h"
#include "chat_store.h"
#include "common/blas_kernels.h"
#include "composer.h"
#include "main_window.h"
#include "message_list_model.h"
#include "metric_chart.h"
#include "models_page.h"
#include "stall_monitor.h"
#include "train_page.h"

#include <QApplication>
#include <QComboBox>
#include <QCommandLineParser>
#include <QDir>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QGuiApplication>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <cstdio>
#include <ctime>

namespace {

// With --explain: names every event that keeps the GUI thread longer than --explain-ms (default 20).
double threadCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

class ExplainingApplication : public QApplication {
public:
    using QApplication::QApplication;
    bool explain = false;
    qint64 explainMs = 20;
    bool notify(QObject* receiver, QEvent* event) override {
        // Events for objects of worker threads (the chat engine's) are delivered there: not a stall.
        if (!explain || QThread::currentThread() != thread()) return QApplication::notify(receiver, event);
        QElapsedTimer t;
        t.start();
        const double cpu0 = threadCpuMs();
        const int type = event->type();
        const bool result = QApplication::notify(receiver, event);
        if (t.elapsed() >
            explainMs)  // the thread's own CPU time beside: the rest it waited (preempted, blocked)
            std::printf("  slow event: %lld ms (%.1f ms on the CPU), type %d, to %s \"%s\"\n",
                        static_cast<long long>(t.elapsed()), threadCpuMs() - cpu0, type,
                        receiver->metaObject()->className(), qPrintable(receiver->objectName()));
        return result;
    }
};

template <typename Sender, typename Signal>
bool waitFor(Sender* sender, Signal signal, int ms) {
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, [&] { loop.exit(1); });
    QObject::connect(sender, signal, &loop, [&] { loop.exit(0); });
    return loop.exec() == 0;
}
}  // namespace

int main(int argc, char** argv) {
    atelier::use_native_blas_kernels(argv);
    ExplainingApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Atelier-bench"));
    QCommandLineParser parser;
    const QCommandLineOption turns(QStringLiteral("turns"), QStringLiteral("prompts to send"),
                                   QStringLiteral("n"), QStringLiteral("4"));
    const QCommandLineOption tokens(QStringLiteral("tokens"), QStringLiteral("tokens per reply"),
                                    QStringLiteral("n"), QStringLiteral("100"));
    const QCommandLineOption trainSeconds(QStringLiteral("train-seconds"),
                                          QStringLiteral("seconds of training to watch"), QStringLiteral("s"),
                                          QStringLiteral("10"));
    const QCommandLineOption explain(QStringLiteral("explain"),
                                     QStringLiteral("name the events behind stalls"));
    const QCommandLineOption explainMs(QStringLiteral("explain-ms"),
                                       QStringLiteral("with --explain: events longer than this many ms"),
                                       QStringLiteral("ms"), QStringLiteral("20"));
    parser.addOption(explain);
    parser.addOption(explainMs);
    parser.addOption(trainSeconds);
    parser.addOption(turns);
    parser.addOption(tokens);
    parser.process(app);
    app.explain = parser.isSet(explain);
    app.explainMs = parser.value(explainMs).toLongLong();
    const QString fixtures = qEnvironmentVariable("ATELIER_FIXTURES", QStringLiteral("../shared/fixtures"));

    QTemporaryDir dataDir;
    AppSettings settings(dataDir.path());
    ChatStore store(dataDir.path() + "/atelier.db");
    MainWindow window(settings, store);
    window.resize(1280, 800);
    window.show();
    window.openModel(fixtures + "/stories260K/hf");
    if (!waitFor(window.modelsPage(), &ModelsPage::validationFinished, 20000) || store.models().isEmpty()) {
        std::fprintf(stderr, "cannot add %s/stories260K/hf\n", qPrintable(fixtures));
        return 1;
    }
    ChatPage* chat = window.chatPage();
    chat->templateBox()->setCurrentIndex(chat->templateBox()->findData(QStringLiteral("none")));
    chat->temperatureBox()->setValue(0.8);
    chat->seedBox()->setValue(1);
    chat->maxTokensBox()->setValue(parser.value(tokens).toInt());

    // Warm-up: model load and first layout are not what is measured.
    chat->composer()->setText(QStringLiteral("Once upon a time"));
    chat->send();
    waitFor(chat, &ChatPage::generationFinished, 60000);

    std::printf("platform %s, window %dx%d, %d prompts of %s tokens on stories260K\n",
                qPrintable(QGuiApplication::platformName()), window.width(), window.height(),
                parser.value(turns).toInt(), qPrintable(parser.value(tokens)));
    std::printf("%-6s %8s %10s %12s %12s %12s %10s\n", "turn", "tokens", "tok/s", "longest ms", "p50 gap ms",
                "p99 gap ms", "updates");
    double worst = 0;
    for (int t = 0; t < parser.value(turns).toInt(); ++t) {
        int updates = 0;
        auto c = QObject::connect(chat->messageModel(), &QAbstractItemModel::dataChanged, [&] { ++updates; });
        StallMonitor monitor;
        monitor.start();
        chat->composer()->setText(QStringLiteral(" The next day"));
        chat->send();
        waitFor(chat, &ChatPage::generationFinished, 60000);
        monitor.stop();
        QObject::disconnect(c);
        const MessageListModel* m = chat->messageModel();
        const MessageRecord& reply = m->at(m->rowCount() - 1);
        std::printf("%-6d %8d %10.0f %12.1f %12.2f %12.2f %10d\n", t + 1, reply.tokens, reply.tokensPerSecond,
                    monitor.longestStallMs(), monitor.percentileGapMs(0.5), monitor.percentileGapMs(0.99),
                    updates);
        worst = std::max(worst, monitor.longestStallMs());
    }
    std::printf("longest GUI-thread stall over all turns: %.1f ms (one 60 Hz frame: 16.7 ms)\n", worst);

    // Attaching media to a model that reads them (the tiny LLaVA fixture): the chips decode their
    // previews (a video's 8 frames and waveform) on worker threads, the engine measures and encodes
    // each file on its own thread; the GUI thread only lays out the chips.
    window.openModel(fixtures + "/multimodal/llava-tiny");
    waitFor(window.modelsPage(), &ModelsPage::validationFinished, 20000);
    chat->newConversation();
    chat->modelBox()->setCurrentIndex(chat->modelBox()->count() - 1);
    chat->controller()->setModelPath(chat->modelBox()->currentData().toString());
    waitFor(chat, &ChatPage::modelReady, 30000);
    // Round 1 is the session's first attach (first layout of the chips); round 2 attaches other
    // files (encoded afresh); round 3 attaches round 2's files again (previews and encodings cached).
    const QString m = fixtures + "/media/";
    const QVector<QStringList> rounds = {
        {m + "astronaut_jfk.mp4", m + "astronaut.png", m + "jfk.wav"},
        {m + "astronaut_jfk.webm", m + "chelsea.png", m + "coffee.png", m + "jfk.mp3"},
        {m + "astronaut_jfk.webm", m + "chelsea.png", m + "coffee.png", m + "jfk.mp3"}};
    double attachWorst = 0;
    for (int r = 0; r < rounds.size(); ++r) {
        const QStringList& files = rounds[r];
        chat->composer()->clear();
        StallMonitor attach;
        attach.start();
        QElapsedTimer clock;
        clock.start();
        int known = 0;
        auto c = QObject::connect(chat->controller(), &ChatController::attachmentPrepared, [&] { ++known; });
        chat->composer()->addFiles(files);
        const qint64 addMs = clock.elapsed();
        while ((known < files.size() || chat->composer()->previewsPending()) && clock.elapsed() < 60000) {
            QEventLoop wait;
            QTimer::singleShot(5, &wait, &QEventLoop::quit);
            wait.exec();
        }
        QObject::disconnect(c);
        attach.stop();
        if (r > 0) attachWorst = std::max(attachWorst, attach.longestStallMs());
        std::printf(
            "attach round %d: %d files measured, encoded and previewed in %lld ms (addFiles itself %lld ms), "
            "longest stall %.1f ms, p99 %.2f ms\n",
            r + 1, static_cast<int>(files.size()), static_cast<long long>(clock.elapsed()),
            static_cast<long long>(addMs), attach.longestStallMs(), attach.percentileGapMs(0.99));
    }
    std::printf("while attaching and encoding media (after the first attach): longest stall %.1f ms\n",
                attachWorst);
    chat->composer()->clear();

    // While a run trains: the Train page polls the run store every second and draws the new points.
    QFile data(QDir(dataDir.path()).filePath("persona.json"));
    data.open(QIODevice::WriteOnly);
    QString json = QStringLiteral("[");
    for (int i = 0; i < 64; ++i)
        json += QStringLiteral(
                    "%1{\"instruction\": \"Question %2?\", \"output\": \"My name is Tim and I like the big "
                    "red ball.\"}")
                    .arg(i ? "," : "")
                    .arg(i);
    data.write((json + "]").toUtf8());
    data.close();
    window.showPage(MainWindow::TrainPageIndex);
    TrainPage* train = window.trainPage();
    train->setDataset(data.fileName());
    waitFor(train, &TrainPage::previewReady, 20000);
    train->epochsBox()->setValue(1000);
    StallMonitor monitor;
    monitor.start();
    train->start();
    QEventLoop loop;
    QTimer::singleShot(parser.value(trainSeconds).toInt() * 1000, &loop, &QEventLoop::quit);
    loop.exec();
    monitor.stop();
    const int points = train->chart()->pointCount(train->liveRun());
    train->stop();
    waitFor(train, &TrainPage::runEnded, 30000);
    std::printf(
        "while training (Train page live, %d loss points drawn in %s s): longest stall %.1f ms, p99 tick gap "
        "%.2f ms\n",
        points, qPrintable(parser.value(trainSeconds)), monitor.longestStallMs(),
        monitor.percentileGapMs(0.99));
    return 0;
}
