// The studio with media: attachments reach a model that reads them (the tiny LLaVA-1.5 fixture)
// and the reply equals the CLI's; each attachment shows what the model reads (token cost, the
// video frames it samples); media a model cannot read are refused with the reason and the user
// is asked before the text goes alone; conversations with media survive a restart; the
// microphone records a WAV (from a file played like a microphone) and says when there is none.
// Offscreen, the real engine.
#include "studio_fixture.h"

#include "attachment_chip.h"
#include "media_viewer.h"
#include "voice_recorder.h"

#include "capture/audio_capture.h"
#include "media/media.h"
#include "tokenizer/tokenizer.h"

#include <QMediaPlayer>
#include <QMessageBox>
#include <QProcess>
#include <QProgressBar>
#include <QTimer>
#include <QToolButton>

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

// The CLI's greedy continuation of `prompt` with `image` (raw, no template), as text.
QString cliReply(const QString& model, const QString& image, const QString& prompt, int tokens) {
    QProcess cli;
    cli.start(qEnvironmentVariable("ATELIER_CLI"),
              {QStringLiteral("generate"), QStringLiteral("--model"), model, QStringLiteral("--image"), image,
               QStringLiteral("--prompt"), prompt, QStringLiteral("--temperature"), QStringLiteral("0"),
               QStringLiteral("--max-new-tokens"), QString::number(tokens), QStringLiteral("--json")});
    if (!cli.waitForFinished(60000) || cli.exitCode() != 0) qFatal("atelier-cli generate failed");
    return QJsonDocument::fromJson(cli.readAllStandardOutput()).object()["text"].toString();
}

// Opens the LLaVA fixture in a fresh studio and waits until the chat engine has it loaded.
void openLlava(Studio& s) {
    QSignalSpy done(s.window->modelsPage(), &ModelsPage::validationFinished);
    s.window->openModel(fixture(QStringLiteral("multimodal/llava-tiny")));
    QVERIFY(done.wait(20000));
    QCOMPARE(done.at(0).at(0).toBool(), true);
    QSignalSpy ready(s.chat(), &ChatPage::modelReady);
    s.chat()->controller()->setModelPath(s.chat()->modelBox()->currentData().toString());
    QVERIFY(ready.wait(20000));
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
        const QString image = fixture(QStringLiteral("media/astronaut.png"));
        s.chat()->composer()->addFiles({image});
        // The engine loads the model for the attachment and finds it cannot see: the chip says so.
        AttachmentChip* chip = s.chat()->composer()->chip(image);
        QVERIFY(chip);
        QTRY_VERIFY_WITH_TIMEOUT(chip->refused(), 20000);
        QVERIFY2(chip->factsText().contains(QStringLiteral("cannot see images")),
                 qPrintable(chip->factsText()));
        // Sending asks first; the user sends the text alone.
        answerNextQuestion(QStringLiteral("Send the text alone"));
        s.sendAndWait(QStringLiteral("Once upon a time"));
        QVERIFY(!s.lastReply().isEmpty());
        bool told = false;
        for (const auto& args : status)
            told = told || args.at(0).toString().contains(QStringLiteral("not sent"));
        QVERIFY2(told, "no message about the attachment the model could not read");
        // The composer knows the model reads text only; the buttons say why.
        s.chat()->composer()->addFiles({fixture(QStringLiteral("media/chelsea.png"))});
        QVERIFY(s.chat()->composer()->findChild<QLabel*>(QStringLiteral("textOnlyNote"))->isVisible());
        QVERIFY2(s.chat()->attachButton()->toolTip().contains(QStringLiteral("reads text only")),
                 qPrintable(s.chat()->attachButton()->toolTip()));
        QVERIFY(s.chat()->recordButton()->toolTip().contains(QStringLiteral("cannot hear")));
    }

    void imageReplyEqualsTheCliAndShowsItsTokenCost() {
        QTemporaryDir dir;
        Studio s(dir.path());
        openLlava(s);
        s.useReferenceSampling();
        const QString image = fixture(QStringLiteral("media/astronaut.png"));
        const QString prompt = QStringLiteral("Once upon a time");
        const int tokens = 10;
        s.chat()->maxTokensBox()->setValue(tokens);
        s.chat()->composer()->addFiles({image});
        AttachmentChip* chip = s.chat()->composer()->chip(image);
        QVERIFY(chip);
        // The engine measured (and encoded) it on attach: 16 tokens, as `atelier-cli info` says.
        QTRY_VERIFY2_WITH_TIMEOUT(chip->factsText().contains(QStringLiteral("16 tokens")),
                                  qPrintable(chip->factsText()), 20000);
        QVERIFY(!chip->refused());
        // The context meter counts the draft with its image.
        QTRY_VERIFY_WITH_TIMEOUT(s.chat()->contextMeter()->value() >= 16, 5000);
        QCOMPARE(s.chat()->contextMeter()->maximum(), 512);
        s.sendAndWait(prompt);
        QCOMPARE(s.lastReply(),
                 cliReply(fixture(QStringLiteral("multimodal/llava-tiny")), image, prompt, tokens));
        // Regenerate keeps the attachment: the same greedy reply again.
        const QString first = s.lastReply();
        QSignalSpy finished(s.chat(), &ChatPage::generationFinished);
        s.chat()->regenerate();
        QVERIFY(finished.wait(60000));
        QCOMPARE(s.lastReply(), first);
        QCOMPARE(s.chat()->messageModel()->at(0).attachments.size(), 1);
    }

    void videoAttachmentShowsTheFramesTheModelSamples() {
        QTemporaryDir dir;
        Studio s(dir.path());
        openLlava(s);
        const QString video = fixture(QStringLiteral("media/astronaut_jfk.mp4"));
        s.chat()->composer()->addFiles({video});
        AttachmentChip* chip = s.chat()->composer()->chip(video);
        QVERIFY(chip);
        QTRY_COMPARE_WITH_TIMEOUT(chip->frameCount(), 8, 20000);  // the model samples 8 frames
        // Each frame is labelled with its time, (i + 0.5) * duration / 8, as the engine samples it.
        const double duration = atelier::probe_media(video.toStdString()).duration;
        const auto frames = chip->findChildren<QLabel*>(QStringLiteral("sampledFrame"));
        QCOMPARE(frames.size(), 8);
        const QString firstTime = QStringLiteral("%1 s").arg(0.5 * duration / 8, 0, 'f', 1);
        bool labelled = false;
        for (QLabel* l : chip->findChildren<QLabel*>()) labelled = labelled || l->text() == firstTime;
        QVERIFY2(labelled, qPrintable(firstTime));
        // It has a sound track (shown as a waveform); 8 frames cost 128 tokens for this model.
        QVERIFY(chip->findChild<WaveformView*>(QStringLiteral("waveform"))->isVisible());
        QTRY_VERIFY2_WITH_TIMEOUT(chip->factsText().contains(QStringLiteral("128 tokens")),
                                  qPrintable(chip->factsText()), 20000);
        QVERIFY(chip->factsText().contains(QStringLiteral("with sound")));
    }

    void audioOnAnImageOnlyModelIsRefusedWithTheReason() {
        QTemporaryDir dir;
        Studio s(dir.path());
        openLlava(s);
        s.useReferenceSampling();
        s.chat()->maxTokensBox()->setValue(4);
        const QString audio = fixture(QStringLiteral("media/jfk.wav"));
        s.chat()->composer()->addFiles({audio});
        AttachmentChip* chip = s.chat()->composer()->chip(audio);
        QTRY_VERIFY_WITH_TIMEOUT(chip->refused(), 20000);
        QVERIFY2(chip->factsText().contains(QStringLiteral("cannot hear audio")),
                 qPrintable(chip->factsText()));
        QVERIFY(chip->toolTip().contains(QStringLiteral("Choose a model that reads")));
        QVERIFY(s.chat()->recordButton()->toolTip().contains(QStringLiteral("cannot hear")));
        // Sending asks; Cancel keeps the draft and sends nothing.
        answerNextQuestion(QStringLiteral("Cancel"));
        s.chat()->composer()->setText(QStringLiteral("Once upon a time"));
        s.chat()->send();
        QCOMPARE(s.chat()->messageModel()->rowCount(), 0);
        QCOMPARE(s.chat()->composer()->attachments().size(), 1);
        QCOMPARE(s.chat()->composer()->text(), QStringLiteral("Once upon a time"));
        // The text alone, then: the message keeps the file, the reply says it was not sent.
        QSignalSpy status(s.chat(), &ChatPage::statusMessage);
        QSignalSpy finished(s.chat(), &ChatPage::generationFinished);
        answerNextQuestion(QStringLiteral("Send the text alone"));
        s.chat()->send();
        QVERIFY(finished.wait(60000));
        QCOMPARE(s.chat()->messageModel()->at(0).attachments.size(), 1);
        bool told = false;
        for (const auto& args : status)
            told = told || args.at(0).toString().contains(QStringLiteral("not sent"));
        QVERIFY(told);
    }

    void conversationWithMediaSurvivesARestart() {
        QTemporaryDir dir;
        const QStringList files = {fixture(QStringLiteral("media/chelsea.png")),
                                   fixture(QStringLiteral("media/jfk.wav")),
                                   fixture(QStringLiteral("media/astronaut_jfk.mp4"))};
        qint64 id = 0;
        {
            Studio s(dir.path());
            openLlava(s);
            s.useReferenceSampling();
            s.chat()->maxTokensBox()->setValue(4);
            s.chat()->composer()->addFiles(files);
            AttachmentChip* audio = s.chat()->composer()->chip(files[1]);
            QTRY_VERIFY_WITH_TIMEOUT(audio->refused(), 20000);
            answerNextQuestion(QStringLiteral("Send the text alone"));
            s.sendAndWait(QStringLiteral("Once upon a time"));
            id = s.chat()->currentConversationId();
        }
        Studio s(dir.path());
        s.chat()->openConversation(id);
        QCOMPARE(s.chat()->messageModel()->rowCount(), 2);
        const auto attachments = s.chat()->messageModel()->at(0).attachments;
        QCOMPARE(attachments.size(), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(attachments[i].path, QFileInfo(files[i]).absoluteFilePath());
            QFile f(files[i]);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QCOMPARE(attachments[i].sha256,
                     QString::fromLatin1(
                         QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex()));
        }
        QCOMPARE(attachments[0].kind, QStringLiteral("image"));
        QCOMPARE(attachments[1].kind, QStringLiteral("audio"));
        QCOMPARE(attachments[2].kind, QStringLiteral("video"));
        // Clicking one in the conversation opens it: the image at full size, audio in a player.
        QListView* view = s.chat()->messageView();
        QStyleOptionViewItem option;
        option.initFrom(view->viewport());
        option.rect = view->visualRect(s.chat()->messageModel()->index(0));
        option.font = view->font();
        for (int i : {0, 1}) {
            const QRect r =
                s.chat()->messageDelegate()->attachmentRect(option, s.chat()->messageModel()->index(0), i);
            QVERIFY(r.isValid());
            QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, r.center());
        }
        const auto viewers = s.chat()->findChildren<MediaViewer*>();
        QCOMPARE(viewers.size(), 2);
        for (MediaViewer* v : viewers) {
            if (v->player()) {
                QCOMPARE(v->player()->source(), QUrl::fromLocalFile(attachments[1].path));
            } else {
                auto* image = v->findChild<QLabel*>(QStringLiteral("viewerImage"));
                QVERIFY(image && !image->pixmap().isNull());
                QCOMPARE(image->pixmap().size(), QSize(451, 300));  // chelsea.png, as it is
            }
            v->close();
        }
        // Edit and resend puts them back in the composer.
        s.chat()->startEdit(0);
        QCOMPARE(s.chat()->composer()->attachments().size(), 3);
    }

    void audioFileLargerThan8MBIsHashedOffTheWindowThread() {
        QTemporaryDir dir;
        Studio s(dir.path());
        const QString big = dir.path() + QStringLiteral("/long-talk.wav");
        QProcess ffmpeg;
        ffmpeg.start(
            QStringLiteral("ffmpeg"),
            {QStringLiteral("-v"), QStringLiteral("error"), QStringLiteral("-f"), QStringLiteral("lavfi"),
             QStringLiteral("-i"), QStringLiteral("sine=frequency=440:sample_rate=16000:duration=400"),
             QStringLiteral("-ac"), QStringLiteral("1"), big});
        QVERIFY(ffmpeg.waitForFinished(60000) && ffmpeg.exitCode() == 0);
        QVERIFY(QFileInfo(big).size() > (8 << 20));
        s.chat()->composer()->addFiles({big});
        QVERIFY(s.chat()->composer()->hashing());  // not yet: the window went on
        QCOMPARE(s.chat()->composer()->attachments().size(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(s.chat()->composer()->attachments().size(), 1, 20000);
        QFile f(big);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(
            s.chat()->composer()->attachments().at(0).sha256,
            QString::fromLatin1(QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex()));
        QCOMPARE(s.chat()->composer()->attachments().at(0).kind, QStringLiteral("audio"));
        // Adding it again while it is attached adds nothing.
        s.chat()->composer()->addFiles({big});
        QTRY_VERIFY(!s.chat()->composer()->hashing());
        QCOMPARE(s.chat()->composer()->attachments().size(), 1);
    }

    void modelsPageShowsWhatAMultimodalModelReads() {
        QTemporaryDir dir;
        Studio s(dir.path());
        QSignalSpy done(s.window->modelsPage(), &ModelsPage::validationFinished);
        s.window->openModel(fixture(QStringLiteral("multimodal/llava-tiny")));
        QVERIFY(done.wait(20000));
        const ModelRecord m = s.store->models().at(0);
        QCOMPARE(m.format, QStringLiteral("llava"));
        QCOMPARE(m.chatTemplate, QStringLiteral("vicuna"));
        const QJsonArray media = QJsonDocument::fromJson(m.media.toUtf8()).array();
        QCOMPARE(media.size(), 2);
        QCOMPARE(media[0].toObject()["modality"].toString(), QStringLiteral("image"));
        QCOMPARE(media[0].toObject()["tokens"].toInt(), 16);
        QCOMPARE(media[0].toObject()["projector"].toString(), QStringLiteral("mlp2x_gelu"));
        QVERIFY(media[0].toObject()["encoder"].toString().startsWith(QStringLiteral("CLIP ViT")));
        QCOMPARE(media[1].toObject()["modality"].toString(), QStringLiteral("video"));
        QCOMPARE(media[1].toObject()["frames"].toInt(), 8);
        // A text model reads no media; its card has no badges (a shorter card).
        s.addReferenceModel();
        const auto models = s.store->models();
        QCOMPARE(models.size(), 2);
        QVERIFY(models.at(1).media.isEmpty());
    }

    void recordsAVoiceMessageFromATestSource() {
        QTemporaryDir dir;
        Studio s(dir.path());
        s.addReferenceModel();
        VoiceRecorder* rec = s.chat()->composer()->recorder();
        const QString jfk = fixture(QStringLiteral("media/jfk.wav"));
        rec->setSourceFactory([jfk] { return atelier::open_file_source(jfk.toStdString(), /*speed=*/8); });
        // Record, watch the level and the time, then keep it.
        QTest::mouseClick(s.chat()->recordButton(), Qt::LeftButton);
        QVERIFY(rec->isRecording());
        auto* bar = s.chat()->composer()->findChild<QWidget*>(QStringLiteral("recordBar"));
        QVERIFY(bar->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(rec->seconds() > 2.0, 5000);
        QTRY_VERIFY(s.chat()->composer()->findChild<QProgressBar*>(QStringLiteral("recordLevel"))->value() >
                    0);
        QVERIFY(s.chat()
                    ->composer()
                    ->findChild<QLabel*>(QStringLiteral("recordTime"))
                    ->text()
                    .contains(QStringLiteral("left")));
        QTest::mouseClick(s.chat()->composer()->findChild<QPushButton*>(QStringLiteral("recordStop")),
                          Qt::LeftButton);
        QVERIFY(!rec->isRecording());
        QVERIFY(!bar->isVisible());
        QCOMPARE(s.chat()->composer()->attachments().size(), 1);
        const AttachmentRecord a = s.chat()->composer()->attachments().at(0);
        QCOMPARE(a.kind, QStringLiteral("audio"));
        QVERIFY(a.path.startsWith(QDir(dir.path()).filePath(QStringLiteral("recordings"))));
        // A valid 16 kHz mono WAV holding the start of the speech, sample for sample (PCM16).
        const atelier::MediaInfo info = atelier::probe_media(a.path.toStdString());
        QCOMPARE(info.sample_rate, 16000);
        QCOMPARE(info.channels, 1);
        const atelier::Audio got = atelier::decode_audio(a.path.toStdString(), 16000);
        const atelier::Audio want = atelier::decode_audio(jfk.toStdString(), 16000);
        QVERIFY(got.samples.size() >= 32000 && got.samples.size() < want.samples.size());
        for (size_t i = 0; i < got.samples.size(); i += 97)
            QVERIFY(std::fabs(got.samples[i] - want.samples[i]) <= 1.0f / 32768 + 1e-6f);
        QFile f(a.path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(a.sha256, QString::fromLatin1(
                               QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex()));

        // Cancel throws the take away.
        s.chat()->composer()->clear();
        QVERIFY(rec->start());
        QTRY_VERIFY(rec->seconds() > 0.5);
        QTest::mouseClick(s.chat()->composer()->findChild<QPushButton*>(QStringLiteral("recordCancel")),
                          Qt::LeftButton);
        QCOMPARE(s.chat()->composer()->attachments().size(), 0);

        // The longest recording ends it by itself, kept.
        rec->setMaxSeconds(1.0);
        QVERIFY(rec->start());
        QTRY_VERIFY_WITH_TIMEOUT(!rec->isRecording(), 5000);
        QCOMPARE(s.chat()->composer()->attachments().size(), 1);
        QCOMPARE(atelier::decode_audio(s.chat()->composer()->attachments().at(0).path.toStdString())
                     .samples.size(),
                 size_t(16000));

        // Push to talk: hold Ctrl+Space in the editor; letting go attaches the take.
        rec->setMaxSeconds(120);
        s.chat()->composer()->clear();
        ComposerEdit* editor = s.chat()->composer()->editor();
        QTest::keyPress(editor, Qt::Key_Space, Qt::ControlModifier);
        QVERIFY(rec->isRecording());
        QVERIFY(s.chat()->recordButton()->isChecked());
        QTRY_VERIFY_WITH_TIMEOUT(rec->seconds() > 1.0, 5000);
        QTest::keyRelease(editor, Qt::Key_Space, Qt::ControlModifier);
        QVERIFY(!rec->isRecording());
        QCOMPARE(s.chat()->composer()->attachments().size(), 1);
        QVERIFY(s.chat()->composer()->text().isEmpty());  // no space typed into the message
    }

    void recordingDeviceIsChosenInSettingsFromAFreshList() {
        QTemporaryDir dir;
        Studio s(dir.path());
        SettingsPage* page = s.window->settingsPage();
        QComboBox* box = page->microphoneBox();
        QSignalSpy listed(page, &SettingsPage::microphonesListed);
        s.window->showPage(MainWindow::SettingsPageIndex);  // each opening scans again
        QVERIFY(listed.wait(10000));
        QCOMPARE(box->itemData(0).toString(), QString());  // the system's default
        const auto inputs = atelier::list_audio_inputs();
        QCOMPARE(box->count(), static_cast<int>(inputs.size()) + 1);
        if (inputs.empty()) QVERIFY(box->itemText(0).contains(QStringLiteral("no microphone found")));
        // A chosen microphone that is unplugged stays chosen, marked as such, and recording with it
        // says it is not connected.
        s.settings.setAudioInput(QStringLiteral("USB headset"));
        s.chat()->setAudioInput(QStringLiteral("USB headset"));
        page->refreshMicrophones();
        QVERIFY(listed.wait(10000));
        QCOMPARE(box->currentData().toString(), QStringLiteral("USB headset"));
        QVERIFY(box->currentText().contains(QStringLiteral("not connected")));
        s.window->showPage(MainWindow::ChatPageIndex);
        QVERIFY(!s.chat()->composer()->recorder()->start());
        QVERIFY2(s.chat()->errorBanner()->text().contains(QStringLiteral("No microphone was found")),
                 qPrintable(s.chat()->errorBanner()->text()));
        // Back to the default: saved, and the chat's recorder follows.
        box->setCurrentIndex(0);
        Q_EMIT box->activated(0);
        QCOMPARE(s.settings.audioInput(), QString());
    }

    void recordingWithoutAMicrophoneSaysSoAndKeepsWhatWasCaptured() {
        QTemporaryDir dir;
        Studio s(dir.path());
        s.addReferenceModel();
        VoiceRecorder* rec = s.chat()->composer()->recorder();
        // No such device (PortAudio's own path): a clear message, no attachment, no crash.
        rec->setSourceFactory([] { return atelier::open_microphone(100000); });
        QTest::mouseClick(s.chat()->recordButton(), Qt::LeftButton);
        QVERIFY(!rec->isRecording());
        QVERIFY(!s.chat()->recordButton()->isChecked());
        QVERIFY(s.chat()->errorBanner()->isVisible());
        QVERIFY2(s.chat()->errorBanner()->text().contains(QStringLiteral("No microphone was found")),
                 qPrintable(s.chat()->errorBanner()->text()));
        QCOMPARE(s.chat()->composer()->attachments().size(), 0);
        // The system's default, as this machine has it: recording, or the same clear message.
        rec->setSourceFactory({});
        if (atelier::list_audio_inputs().empty()) {
            QVERIFY(!rec->start());
            QVERIFY(s.chat()->errorBanner()->text().contains(QStringLiteral("No microphone")));
        }
        // A microphone unplugged after one second: the banner says so, the second is attached.
        const QString jfk = fixture(QStringLiteral("media/jfk.wav"));
        rec->setSourceFactory(
            [jfk] { return atelier::open_file_source(jfk.toStdString(), 8, /*fail_after=*/1.0); });
        s.chat()->errorBanner()->hide();
        QVERIFY(rec->start());
        QTRY_VERIFY_WITH_TIMEOUT(!rec->isRecording(), 5000);
        QVERIFY(s.chat()->errorBanner()->text().contains(QStringLiteral("stopped during the recording")));
        QCOMPARE(s.chat()->composer()->attachments().size(), 1);
        const auto kept = atelier::decode_audio(s.chat()->composer()->attachments().at(0).path.toStdString());
        QVERIFY(std::abs(static_cast<long>(kept.samples.size()) - 16000) <= 800);
    }
};

QTEST_MAIN(StudioMediaTest)
#include "test_studio_media.moc"
