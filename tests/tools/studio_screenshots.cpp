// Saves screenshots of the studio's pages, driven through real conversations with stories260K and
// the tiny LLaVA-1.5 fixture (an image sent to the model), and, given the multimodal quickstart's
// bundle and demo data, a conversation where it answers about a picture, a voice recording (made
// with the recorder from a demo sound played like a microphone) and a video.
// Run by scripts/screenshots.sh under xvfb-run; the PNGs go to docs/screenshots/.
//
//   atelier_screenshots --fixtures ../shared/fixtures --out docs/screenshots [--bundle B --demo D]
#include "app_settings.h"
#include "attachment_chip.h"
#include "chat_controller.h"
#include "chat_page.h"
#include "chat_store.h"
#include "composer.h"
#include "demo_data.h"
#include "main_window.h"
#include "metric_chart.h"
#include "models_page.h"
#include "multimodal_options.h"
#include "runs_page.h"
#include "train_page.h"
#include "train_runner.h"
#include "voice_recorder.h"

#include "capture/audio_capture.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QCommandLineParser>
#include <QDir>
#include <QDoubleSpinBox>
#include <QEventLoop>
#include <QFile>
#include <QLineEdit>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>
#include <cstdlib>

namespace {

template <typename Sender, typename Signal>
bool waitFor(Sender* sender, Signal signal, int ms) {
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, [&] { loop.exit(1); });
    QObject::connect(sender, signal, &loop, [&] { loop.exit(0); });
    return loop.exec() == 0;
}

void settle(int ms = 300) {
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

bool save(QWidget* w, const QString& path) {
    settle();
    const bool ok = w->grab().save(path);
    std::printf("%s %s\n", ok ? "wrote" : "FAILED", qPrintable(path));
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Atelier-screenshots"));
    QCommandLineParser parser;
    const QCommandLineOption fixtures(QStringLiteral("fixtures"), QStringLiteral("fixtures folder"),
                                      QStringLiteral("dir"));
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("output folder"),
                                 QStringLiteral("dir"));
    const QCommandLineOption bundleOption(QStringLiteral("bundle"), QStringLiteral("quickstart bundle"),
                                          QStringLiteral("dir"));
    const QCommandLineOption demoOption(QStringLiteral("demo"), QStringLiteral("its demo data"),
                                        QStringLiteral("dir"));
    parser.addOption(fixtures);
    parser.addOption(out);
    parser.addOption(bundleOption);
    parser.addOption(demoOption);
    parser.process(app);
    const QString fx = parser.value(fixtures), dir = parser.value(out);
    const QString bundle = parser.value(bundleOption), demoDir = parser.value(demoOption);
    QDir().mkpath(dir);

    // Never hang (a modal box nobody answers, a model that never loads): give up after 8 minutes.
    QTimer::singleShot(8 * 60 * 1000, [] {
        std::fprintf(stderr, "atelier_screenshots: timed out\n");
        std::_Exit(3);
    });
    // A modal box would stop the script: say which, and close it.
    QTimer modalWatch;
    QObject::connect(&modalWatch, &QTimer::timeout, [] {
        if (QWidget* modal = QApplication::activeModalWidget()) {
            std::fprintf(stderr, "atelier_screenshots: closing an unexpected dialog: %s\n",
                         qPrintable(modal->windowTitle()));
            modal->close();
        }
    });
    modalWatch.start(2000);
    QTemporaryDir data;
    AppSettings settings(data.path());
    ChatStore store(data.path() + "/atelier.db");
    MainWindow window(settings, store);
    window.resize(1280, 800);
    window.show();

    window.openModel(fx + "/stories260K/hf");
    if (!waitFor(window.modelsPage(), &ModelsPage::validationFinished, 20000)) return 1;
    window.modelsPage()->addModel(fx + "/stories260K/llama2c/stories260K.bin");
    if (!waitFor(window.modelsPage(), &ModelsPage::validationFinished, 20000)) return 1;

    ChatPage* chat = window.chatPage();
    chat->templateBox()->setCurrentIndex(chat->templateBox()->findData(QStringLiteral("none")));
    chat->temperatureBox()->setValue(0.7);
    chat->maxTokensBox()->setValue(120);
    chat->seedBox()->setValue(7);
    for (const char* prompt : {"Once upon a time", " Then the little girl"}) {
        if (QString::fromLatin1(prompt).startsWith(QLatin1String("Once")))
            chat->composer()->addFiles({fx + "/media/astronaut.png"});
        // Sent as the user confirms it (stories260K reads text only: the image stays with the message).
        chat->controller()->send(QString::fromLatin1(prompt), chat->composer()->attachments());
        chat->composer()->clear();
        if (!waitFor(chat, &ChatPage::generationFinished, 60000)) return 1;
    }
    bool ok = save(&window, dir + "/chat.png");

    // A LLaVA-1.5 folder (the tiny fixture): the image goes to the model with the question.
    window.openModel(fx + "/multimodal/llava-tiny");
    if (!waitFor(window.modelsPage(), &ModelsPage::validationFinished, 20000)) return 1;
    chat->newConversation();
    chat->modelBox()->setCurrentIndex(chat->modelBox()->count() - 1);
    chat->templateBox()->setCurrentIndex(chat->templateBox()->findData(QStringLiteral("none")));
    chat->temperatureBox()->setValue(0);
    chat->maxTokensBox()->setValue(40);
    chat->controller()->setModelPath(chat->modelBox()->currentData().toString());
    waitFor(chat, &ChatPage::modelReady, 30000);
    chat->composer()->addFiles({fx + "/media/astronaut.png"});
    chat->composer()->setText(QStringLiteral("Once upon a time"));
    chat->send();
    if (!waitFor(chat, &ChatPage::generationFinished, 60000)) return 1;
    ok &= save(&window, dir + "/chat-image.png");

    // Media in the chat: a picture, a voice recording and a video, each showing what the model
    // reads; the recorder while it records. With the quickstart bundle the model answers them;
    // without it, the LLaVA fixture (it sees and watches, but cannot hear: the chip says so).
    const bool demo = !bundle.isEmpty() && !demoDir.isEmpty();
    if (demo) {
        window.openModel(bundle);
        if (!waitFor(window.modelsPage(), &ModelsPage::validationFinished, 30000)) return 1;
    }
    const QString image = demo ? demoDir + "/media/img_0481.png" : fx + "/media/chelsea.png";
    const QString sound = demo ? demoDir + "/media/aud_0481.wav" : fx + "/media/jfk.wav";
    const QString video = demo ? demoDir + "/media/vid_0289.mp4" : fx + "/media/astronaut_jfk.mp4";
    chat->newConversation();
    chat->modelBox()->setCurrentIndex(chat->modelBox()->count() - 1);
    chat->controller()->setModelPath(chat->modelBox()->currentData().toString());
    waitFor(chat, &ChatPage::modelReady, 30000);
    chat->templateBox()->setCurrentIndex(demo ? 0 : chat->templateBox()->findData(QStringLiteral("none")));
    chat->temperatureBox()->setValue(0);
    chat->maxTokensBox()->setValue(demo ? 8 : 24);
    auto ask = [&](const QString& text) {
        chat->controller()->send(text, chat->composer()->attachments());  // no question: it may go alone
        chat->composer()->clear();
        return waitFor(chat, &ChatPage::generationFinished, 60000);
    };
    chat->composer()->addFiles({image});
    settle(1500);
    if (!ask(demo ? QStringLiteral("What colour is the shape?") : QStringLiteral("Once upon a time")))
        return 1;
    // The recorder, recording a sound played like a microphone.
    VoiceRecorder* rec = chat->composer()->recorder();
    rec->setSourceFactory([sound] { return atelier::open_file_source(sound.toStdString(), 1.0); });
    chat->composer()->toggleRecording();
    settle(demo ? 900 : 2500);
    ok &= save(&window, dir + "/recorder.png");
    if (rec->isRecording()) waitFor(rec, &VoiceRecorder::finished, 30000);
    settle(1500);
    if (!ask(demo ? QStringLiteral("How many beeps are there?") : QStringLiteral("And then"))) return 1;
    chat->composer()->addFiles({video});
    settle(2500);
    if (!ask(demo ? QStringLiteral("Which way is the dot moving?") : QStringLiteral("The end"))) return 1;
    chat->composer()->addFiles({video, sound});
    chat->composer()->setText(demo ? QStringLiteral("What colour is the dot?") : QStringLiteral("Again"));
    settle(3000);
    ok &= save(&window, dir + "/chat-media.png");
    chat->composer()->clear();

    window.showPage(MainWindow::ModelsPageIndex);
    ok &= save(&window, dir + "/models.png");
    window.showPage(MainWindow::SettingsPageIndex);
    ok &= save(&window, dir + "/settings.png");

    // A real fine-tuning run (LoRA on a small persona dataset) for the Runs page.
    const QString persona = QDir(data.path()).filePath("persona.json");
    {
        QFile f(persona);
        f.open(QIODevice::WriteOnly);
        QString json = QStringLiteral("[");
        const char* qs[] = {"What is your name?", "Who are you?",   "Tell me about yourself.",
                            "What do you like?",  "Say something.", "Introduce yourself."};
        for (int i = 0; i < 6; ++i)
            json += QStringLiteral(
                        "%1{\"instruction\": \"%2\", \"output\": \"My name is Tim and I like the big red "
                        "ball.\"}")
                        .arg(i ? "," : "", QLatin1String(qs[i]));
        f.write((json + "]").toUtf8());
    }
    atelier::TrainConfig cfg = atelier::TrainConfig::preset("lora", atelier::ModelConfig{});
    cfg.model = (fx + "/stories260K/hf").toStdString();
    cfg.data = persona.toStdString();
    cfg.out = QDir(data.path()).filePath("run-1").toStdString();
    cfg.epochs = 60;
    cfg.lr = 5e-3;
    cfg.batch_size = 2;
    cfg.eval_fraction = 0.2;
    cfg.eval_every = 10;
    atelier::RunOptions opt;
    opt.store_path = window.runStorePath().toStdString();
    atelier::run_training(cfg, opt);
    window.runsPage()->chart()->setSmoothing(0.8);

    // The Train page during a real run (a detached atelier-train), its curve live from the run store.
    window.showPage(MainWindow::TrainPageIndex);
    TrainPage* train = window.trainPage();
    train->setDataset(persona);
    waitFor(train, &TrainPage::previewReady, 20000);
    train->epochsBox()->setValue(2000);
    train->lrBox()->setValue(5e-3);
    train->start();
    for (int i = 0; i < 40 && train->chart()->pointCount(train->liveRun()) < 120; ++i) settle(250);
    ok &= save(&window, dir + "/train.png");
    window.showPage(MainWindow::RunsPageIndex);
    window.runsPage()->refresh();
    window.runsPage()->selectRun(1);
    window.runsPage()->view()->selectionModel()->select(
        window.runsPage()->view()->model()->index(0, 0),
        QItemSelectionModel::Select | QItemSelectionModel::Rows);  // overlay both runs
    settle(1500);
    ok &= save(&window, dir + "/runs.png");
    train->stop();
    waitFor(train, &TrainPage::runEnded, 30000);

    // The Train page set up for multimodal training on the demo task: stage 2, encoders, media preview.
    {
        atelier::DemoDataOptions demo;
        demo.out = QDir(data.path()).filePath("demo").toStdString();
        demo.count = 6;
        const atelier::DemoDataResult d = atelier::write_demo_data(demo);
        window.showPage(MainWindow::TrainPageIndex);
        MultimodalOptions* mm = train->multimodalOptions();
        mm->stageBox()->setCurrentIndex(mm->stageBox()->findData(QStringLiteral("projector+adapter")));
        mm->imageEncoderEdit()->setText(fx + "/multimodal/clip-vit-tiny");
        mm->audioEncoderEdit()->setText(fx + "/multimodal/whisper-tiny-random");
        mm->trainEncodersBox()->setChecked(true);
        train->setDataset(QString::fromStdString(d.train_json));
        waitFor(train, &TrainPage::previewReady, 20000);
        settle(500);
        ok &= save(&window, dir + "/train-multimodal.png");
    }

    applyTheme(QStringLiteral("dark"));
    installTranslations(QStringLiteral("zh_CN"));
    window.showPage(MainWindow::ChatPageIndex);
    ok &= save(&window, dir + "/chat-dark-zh_CN.png");

    // German (the longest labels) on every page, and Japanese: the layouts as those users see them.
    applyTheme(QStringLiteral("light"));
    installTranslations(QStringLiteral("de"));
    const QVector<QPair<MainWindow::Page, QString>> pages{
        {MainWindow::ChatPageIndex, QStringLiteral("chat")},
        {MainWindow::ModelsPageIndex, QStringLiteral("models")},
        {MainWindow::TrainPageIndex, QStringLiteral("train")},
        {MainWindow::RunsPageIndex, QStringLiteral("runs")},
        {MainWindow::SettingsPageIndex, QStringLiteral("settings")}};
    for (const auto& [page, name] : pages) {
        window.showPage(page);
        settle(300);
        ok &= save(&window, dir + "/" + name + "-de.png");
    }
    installTranslations(QStringLiteral("ja"));
    window.showPage(MainWindow::ChatPageIndex);
    settle(300);
    ok &= save(&window, dir + "/chat-ja.png");
    installTranslations(QStringLiteral("en"));
    return ok ? 0 : 1;
}
