// Saves screenshots of the studio's pages, driven through real conversations with stories260K and
// the tiny LLaVA-1.5 fixture (an image sent to the model).
// Run by scripts/screenshots.sh under xvfb-run; the PNGs go to docs/screenshots/.
//
//   atelier_screenshots --fixtures ../shared/fixtures --out docs/screenshots
#include "app_settings.h"
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
    parser.addOption(fixtures);
    parser.addOption(out);
    parser.process(app);
    const QString fx = parser.value(fixtures), dir = parser.value(out);
    QDir().mkpath(dir);

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
        chat->composer()->setText(QString::fromLatin1(prompt));
        chat->send();
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
    chat->composer()->addFiles({fx + "/media/astronaut.png"});
    chat->composer()->setText(QStringLiteral("Once upon a time"));
    chat->send();
    if (!waitFor(chat, &ChatPage::generationFinished, 60000)) return 1;
    ok &= save(&window, dir + "/chat-image.png");
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
    return ok ? 0 : 1;
}
