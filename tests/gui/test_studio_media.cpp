// The studio with media: attachments reach a model that reads them (the tiny LLaVA-1.5 fixture),
// and a text-only model says it sent the text alone. Offscreen, the real engine.
#include "studio_fixture.h"

#include "tokenizer/tokenizer.h"

#include <fstream>

#include <nlohmann/json.hpp>

using namespace studio_test;

namespace {

// The fixture's greedy continuation for `image`, as text, up to its first near-tie.
QString llavaReference(const QString& image, int* tokens) {
    std::ifstream f(fixture(QStringLiteral("multimodal/reference/llava-tiny.greedy.jsonl")).toStdString());
    std::string line;
    while (std::getline(f, line)) {
        auto j = nlohmann::json::parse(line);
        if (QString::fromStdString(j["image"].get<std::string>()) != image) continue;
        const auto ids = j["greedy_ids"].get<std::vector<int>>();
        const auto margins = j["top2_margins"].get<std::vector<double>>();
        std::vector<int> kept;
        for (size_t i = 0; i < ids.size(); ++i) {
            kept.push_back(ids[i]);
            if (margins[i] < 0.01) break;
        }
        *tokens = static_cast<int>(kept.size());
        auto tok = atelier::load_tokenizer(fixture(QStringLiteral("multimodal/llava-tiny")).toStdString());
        return QString::fromStdString(tok->decode(kept, /*strip_leading_space=*/false));
    }
    qFatal("no reference for %s", qPrintable(image));
    return {};
}

}  // namespace

class StudioMediaTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QApplication::setApplicationName(QStringLiteral("Atelier-tests")); }

    void anImageReachesALlavaModel() {
        QTemporaryDir dir;
        Studio s(dir.path());
        QSignalSpy done(s.window->modelsPage(), &ModelsPage::validationFinished);
        s.window->openModel(fixture(QStringLiteral("multimodal/llava-tiny")));
        QVERIFY(done.wait(20000));
        QCOMPARE(done.at(0).at(0).toBool(), true);
        s.useReferenceSampling();
        for (const QString image : {QStringLiteral("chelsea.png"), QStringLiteral("astronaut.png")}) {
            int tokens = 0;
            const QString expected = llavaReference(image, &tokens);
            s.chat()->newConversation();
            s.chat()->maxTokensBox()->setValue(tokens);
            s.chat()->composer()->addFiles({fixture(QStringLiteral("media/") + image)});
            // Once the model is loaded, the composer knows it reads images: no "text only" note.
            if (image == QLatin1String("astronaut.png"))
                QVERIFY(
                    !s.chat()->composer()->findChild<QLabel*>(QStringLiteral("textOnlyNote"))->isVisible());
            s.sendAndWait(QStringLiteral("Once upon a time"));
            // The reply is the fixture's continuation for this image: the model saw it.
            QCOMPARE(s.lastReply(), expected);
        }
    }

    void aTextOnlyModelSendsTheTextAloneAndSaysSo() {
        QTemporaryDir dir;
        Studio s(dir.path());
        s.addReferenceModel();
        s.useReferenceSampling();
        s.chat()->maxTokensBox()->setValue(8);
        QSignalSpy status(s.chat(), &ChatPage::statusMessage);
        s.chat()->composer()->addFiles({fixture(QStringLiteral("media/astronaut.png"))});
        s.sendAndWait(QStringLiteral("Once upon a time"));
        QVERIFY(!s.lastReply().isEmpty());
        bool told = false;
        for (const auto& args : status)
            told = told || args.at(0).toString().contains(QStringLiteral("not sent"));
        QVERIFY2(told, "no message about the attachment the model could not read");
        // The composer knows the model reads text only.
        s.chat()->composer()->addFiles({fixture(QStringLiteral("media/chelsea.png"))});
        QVERIFY(s.chat()->composer()->findChild<QLabel*>(QStringLiteral("textOnlyNote"))->isVisible());
    }
};

QTEST_MAIN(StudioMediaTest)
#include "test_studio_media.moc"
