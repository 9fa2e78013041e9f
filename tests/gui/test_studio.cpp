// The studio driven as a user drives it (offscreen): the real engine on the real stories260K model,
// a fresh data folder per test.
#include "studio_fixture.h"

#include "dataset_preview.h"
#include "launcher.h"
#include "media/media.h"
#include "multimodal_options.h"
#include "run_evals.h"
#include "runs_page.h"

#include <QLocale>
#include <QScopeGuard>
#include <QTreeView>

using namespace studio_test;

class StudioTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QApplication::setApplicationName(QStringLiteral("Atelier-tests")); }

    void streamsTheReferenceText() {
        QTemporaryDir dir;
        Studio s(dir.path());
        s.addReferenceModel();
        QCOMPARE(s.chat()->modelBox()->count(), 1);
        QCOMPARE(s.chat()->modelBox()->currentText(), QStringLiteral("stories260K (hf)"));
        s.useReferenceSampling();

        // Count the view updates of the reply while it streams.
        int updates = 0;
        QObject::connect(s.chat()->messageModel(), &QAbstractItemModel::dataChanged, s.chat(),
                         [&](const QModelIndex& tl) {
                             if (s.chat()->messageModel()->at(tl.row()).role == QLatin1String("assistant"))
                                 ++updates;
                         });
        // Slow the engine a little so several frames pass during the reply, as they do on a real model.
        QObject::connect(
            s.chat()->engine(), &ChatEngine::textGenerated, s.chat()->engine(), [] { QThread::usleep(300); },
            Qt::DirectConnection);
        s.sendAndWait(QStringLiteral("Once upon a time"));

        MessageListModel* m = s.chat()->messageModel();
        QCOMPARE(m->rowCount(), 2);
        QCOMPARE(m->at(0).content, QStringLiteral("Once upon a time"));
        QCOMPARE(m->at(1).content, referenceText());
        QCOMPARE(m->at(1).tokens, 196);
        QCOMPARE(m->at(1).status, MessageStatus::Complete);
        QVERIFY(m->at(1).tokensPerSecond > 0);
        QVERIFY2(updates > 3, qPrintable(QStringLiteral("only %1 view updates: not streamed").arg(updates)));
        QVERIFY(s.chat()->sendButton()->isVisible());
        QVERIFY(!s.chat()->stopButton()->isVisible());

        // The conversation is stored, titled by the first message.
        const auto conversations = s.store->conversations();
        QCOMPARE(conversations.size(), 1);
        QCOMPARE(conversations[0].title, QStringLiteral("Once upon a time"));
        QCOMPARE(s.store->messages(conversations[0].id).at(1).content, referenceText());
    }

    void stopsMidStream() {
        QTemporaryDir dir;
        Studio s(dir.path());
        s.addReferenceModel();
        s.useReferenceSampling();
        // Hold the engine after its fifth piece until the user's Stop arrives.
        std::atomic<int> pieces{0};
        ChatEngine* engine = s.chat()->engine();
        QObject::connect(
            engine, &ChatEngine::textGenerated, engine,
            [&pieces, engine] {
                if (++pieces != 5) return;
                for (int i = 0; i < 2000 && !engine->stopRequested(); ++i) QThread::msleep(5);
            },
            Qt::DirectConnection);

        QSignalSpy finished(s.chat(), &ChatPage::generationFinished);
        QTest::keyClicks(s.chat()->composer()->editor(), QStringLiteral("Once upon a time"));
        QTest::keyClick(s.chat()->composer()->editor(), Qt::Key_Return);
        // Stop once the engine holds at its fifth piece (not earlier: a busy machine may show the
        // first pieces before the fifth is generated).
        QTRY_VERIFY_WITH_TIMEOUT(pieces.load() >= 5 && !s.lastReply().isEmpty(), 20000);
        QVERIFY(s.chat()->stopButton()->isVisible());
        QTest::mouseClick(s.chat()->stopButton(), Qt::LeftButton);
        QVERIFY(finished.wait(20000));

        const MessageRecord reply = s.chat()->messageModel()->at(1);
        QCOMPARE(reply.status, MessageStatus::Stopped);
        QVERIFY(reply.tokens >= 5 && reply.tokens < 196);
        QVERIFY(!reply.content.isEmpty());
        QVERIFY(referenceText().startsWith(reply.content));
        QVERIFY(reply.content.size() < referenceText().size());
        QCOMPARE(s.store->messages(reply.conversationId).at(1).status, MessageStatus::Stopped);
        QVERIFY(s.chat()->sendButton()->isVisible());
    }

    void regeneratesAndEditsAndResends() {
        QTemporaryDir dir;
        Studio s(dir.path());
        s.addReferenceModel();
        s.useReferenceSampling();
        s.sendAndWait(QStringLiteral("Once upon a time"));
        const qint64 firstReplyId = s.chat()->messageModel()->at(1).id;

        // Regenerate: the reply is replaced, greedy gives the same text again.
        QSignalSpy finished(s.chat(), &ChatPage::generationFinished);
        s.clickAction(1, MessageDelegate::RegenerateMessage);
        QVERIFY(finished.wait(60000));
        QCOMPARE(s.chat()->messageModel()->rowCount(), 2);
        QVERIFY(s.chat()->messageModel()->at(1).id != firstReplyId);
        QCOMPARE(s.lastReply(), referenceText());
        const qint64 conversation = s.chat()->currentConversationId();
        QCOMPARE(s.store->messages(conversation).size(), 2);

        // Edit the user's message and send it again: it and everything after it are replaced.
        s.clickAction(0, MessageDelegate::EditMessage);
        QCOMPARE(s.chat()->composer()->text(), QStringLiteral("Once upon a time"));
        s.chat()->composer()->editor()->selectAll();
        QTest::keyClicks(s.chat()->composer()->editor(), QStringLiteral("The dog"));
        QTest::keyClick(s.chat()->composer()->editor(), Qt::Key_Return);
        QVERIFY(finished.wait(60000));
        const auto stored = s.store->messages(conversation);
        QCOMPARE(stored.size(), 2);
        QCOMPARE(stored[0].content, QStringLiteral("The dog"));
        QVERIFY(!stored[1].content.isEmpty());
        QVERIFY(stored[1].content != referenceText());
        QCOMPARE(s.chat()->messageModel()->at(1).content, stored[1].content);
    }

    void conversationSurvivesRestart() {
        QTemporaryDir dir;
        qint64 conversation = 0;
        {
            Studio s(dir.path());
            s.addReferenceModel();
            s.useReferenceSampling();
            s.chat()->systemPromptEdit()->setPlainText(QStringLiteral(""));
            s.sendAndWait(QStringLiteral("Once upon a time"));
            conversation = s.chat()->currentConversationId();
        }
        Studio s(dir.path());
        ConversationListModel* list = s.chat()->conversationModel();
        QCOMPARE(list->rowCount(), 1);
        QCOMPARE(list->data(list->index(0)).toString(), QStringLiteral("Once upon a time"));
        QTest::mouseClick(s.chat()->conversationView()->viewport(), Qt::LeftButton, Qt::NoModifier,
                          s.chat()->conversationView()->visualRect(list->index(0)).center());
        QCOMPARE(s.chat()->currentConversationId(), conversation);
        QCOMPARE(s.chat()->messageModel()->rowCount(), 2);
        QCOMPARE(s.lastReply(), referenceText());
        // Per-conversation settings came back too.
        QCOMPARE(s.chat()->templateBox()->currentData().toString(), QStringLiteral("none"));
        QCOMPARE(s.chat()->temperatureBox()->value(), 0.0);
    }

    void replyCutOffByACrashIsKeptAsInterrupted() {
        QTemporaryDir dir;
        qint64 conversation = 0;
        {
            // What a crash leaves: a reply row still marked as generating, with the text saved so far.
            ChatStore store(dir.path() + "/atelier.db");
            conversation = store.createConversation(QStringLiteral("Crash"), QString());
            MessageRecord user{0, conversation, QStringLiteral("user"), QStringLiteral("Hi")};
            store.addMessage(user);
            MessageRecord reply{0, conversation, QStringLiteral("assistant"), QStringLiteral("Hello the")};
            reply.status = MessageStatus::Generating;
            store.addMessage(reply);
        }
        Studio s(dir.path());
        s.chat()->openConversation(conversation);
        QCOMPARE(s.chat()->messageModel()->rowCount(), 2);
        QCOMPARE(s.chat()->messageModel()->at(1).content, QStringLiteral("Hello the"));
        QCOMPARE(s.chat()->messageModel()->at(1).status, MessageStatus::Interrupted);
    }

    void closingMidReplyKeepsWhatWasShown() {
        QTemporaryDir dir;
        qint64 conversation = 0;
        {
            Studio s(dir.path());
            s.addReferenceModel();
            s.useReferenceSampling();
            ChatEngine* engine = s.chat()->engine();
            int pieces = 0;
            QObject::connect(
                engine, &ChatEngine::textGenerated, engine,
                [&pieces, engine] {
                    if (++pieces == 3)
                        for (int i = 0; i < 2000 && !engine->stopRequested(); ++i) QThread::msleep(5);
                },
                Qt::DirectConnection);
            QTest::keyClicks(s.chat()->composer()->editor(), QStringLiteral("Once upon a time"));
            QTest::keyClick(s.chat()->composer()->editor(), Qt::Key_Return);
            QTRY_VERIFY_WITH_TIMEOUT(!s.lastReply().isEmpty(), 20000);
            conversation = s.chat()->currentConversationId();
        }  // the window closes while the reply is generating
        ChatStore store(dir.path() + "/atelier.db");
        const auto messages = store.messages(conversation);
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages[1].status, MessageStatus::Interrupted);
        QVERIFY(!messages[1].content.isEmpty());
        QVERIFY(referenceText().startsWith(messages[1].content));
    }

    void migratesTheFirstSchemaKeepingData() {
        QTemporaryDir dir;
        const QString path = dir.path() + "/atelier.db";
        {
            ChatStore v1(path, 1);
            QCOMPARE(v1.schemaVersion(), 1);
            atelier::sqlite::Database db(path.toStdString());
            db.exec(
                "INSERT INTO conversations(title, model_path, system_prompt, created_at, updated_at) "
                "VALUES ('Old chat', '/models/x', 'Be kind.', 1000, 2000);"
                "INSERT INTO messages(conversation_id, role, content, created_at) VALUES (1, 'user', "
                "'Hello', 1000);"
                "INSERT INTO messages(conversation_id, role, content, created_at) VALUES (1, 'assistant', "
                "'Hi!', 1001);"
                "INSERT INTO models(path, name, architecture, parameters, dtype, context_length, "
                "chat_template, "
                "size_on_disk, is_default, added_at) VALUES ('/models/x', 'x', 'LlamaForCausalLM', 7, "
                "'float32', "
                "512, 'alpaca', 10, 1, 1000);");
        }
        ChatStore store(path);
        QCOMPARE(store.schemaVersion(), ChatStore::latestSchemaVersion());
        const auto conversations = store.conversations();
        QCOMPARE(conversations.size(), 1);
        QCOMPARE(conversations[0].title, QStringLiteral("Old chat"));
        QCOMPARE(conversations[0].systemPrompt, QStringLiteral("Be kind."));
        QCOMPARE(conversations[0].templateName, QString());
        const auto messages = store.messages(conversations[0].id);
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages[1].content, QStringLiteral("Hi!"));
        QCOMPARE(messages[1].status, MessageStatus::Complete);
        QCOMPARE(store.models().size(), 1);
        QCOMPARE(store.defaultModel().name, QStringLiteral("x"));
        QCOMPARE(store.models()[0].format, QStringLiteral("hf"));

        // And the studio opens it.
        Studio s(dir.path());
        QCOMPARE(s.chat()->conversationModel()->rowCount(), 1);
    }

    void newerDatabaseIsRefused() {
        QTemporaryDir dir;
        const QString path = dir.path() + "/atelier.db";
        {
            atelier::sqlite::Database db(path.toStdString());
            db.exec("PRAGMA user_version = 99;");
        }
        bool refused = false;
        try {
            ChatStore store(path);
        } catch (const atelier::Error& e) {
            refused = e.code() == atelier::ErrorCode::BadHeader;
        }
        QVERIFY(refused);
    }

    void badModelFolderShowsItsError_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("sentence");
        QTest::newRow("no config") << "empty"
                                   << "This is not a model folder Atelier can read.";
        QTest::newRow("truncated weights") << "truncated"
                                           << "The weights file is corrupt";
        QTest::newRow("missing path") << "missing"
                                      << "A file the model needs was not found.";
        QTest::newRow("unknown architecture") << "arch"
                                              << "This model architecture is not supported.";
    }

    void badModelFolderShowsItsError() {
        QFETCH(QString, kind);
        QFETCH(QString, sentence);
        QTemporaryDir dir;
        QTemporaryDir model;
        const QString hf = fixture(QStringLiteral("stories260K/hf"));
        QString target = model.path();
        if (kind == QLatin1String("truncated") || kind == QLatin1String("arch")) {
            for (const char* f :
                 {"config.json", "model.safetensors", "tokenizer.model", "tokenizer_config.json"})
                QVERIFY(QFile::copy(hf + "/" + f, model.path() + "/" + f));
        }
        if (kind == QLatin1String("truncated")) {
            QFile f(model.path() + "/model.safetensors");
            QVERIFY(f.open(QIODevice::ReadWrite));
            QVERIFY(f.resize(f.size() / 2));
        }
        if (kind == QLatin1String("arch")) {
            QFile f(model.path() + "/config.json");
            QVERIFY(f.open(QIODevice::ReadOnly));
            QByteArray json =
                f.readAll().replace("LlamaForCausalLM", "GPT2LMHeadModel").replace("\"llama\"", "\"gpt2\"");
            f.close();
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(json);
        }
        if (kind == QLatin1String("missing")) target = model.path() + "/does-not-exist";

        Studio s(dir.path());
        QSignalSpy done(s.window->modelsPage(), &ModelsPage::validationFinished);
        s.window->openModel(target);
        QVERIFY(done.wait(20000));
        QCOMPARE(done.at(0).at(0).toBool(), false);
        QLabel* banner = s.window->modelsPage()->errorBanner();
        QVERIFY(banner->isVisible());
        QVERIFY2(banner->text().contains(sentence), qPrintable(banner->text()));
        QCOMPARE(s.window->currentPage(), MainWindow::ModelsPageIndex);
        QVERIFY(s.store->models().isEmpty());
        QCOMPARE(s.chat()->modelBox()->count(), 0);
    }

    void modelLibraryDefaultAndRemove() {
        QTemporaryDir dir;
        Studio s(dir.path());
        s.addReferenceModel();
        QSignalSpy done(s.window->modelsPage(), &ModelsPage::validationFinished);
        s.window->modelsPage()->addModel(fixture(QStringLiteral("stories260K/llama2c/stories260K.bin")));
        QVERIFY(done.wait(20000));
        QVERIFY(done.at(0).at(0).toBool());
        ModelListModel* models = s.window->modelsPage()->model();
        QCOMPARE(models->rowCount(), 2);
        QVERIFY(models->at(0).isDefault);
        QCOMPARE(models->at(1).format, QStringLiteral("llama2c"));
        QCOMPARE(models->at(1).parameters, models->at(0).parameters);
        QCOMPARE(models->at(0).contextLength, 512);
        QCOMPARE(s.chat()->modelBox()->count(), 2);

        QListView* view = s.window->modelsPage()->view();
        view->setCurrentIndex(models->index(1));
        QTest::mouseClick(s.window->modelsPage()->findChild<QPushButton*>(QStringLiteral("setDefaultModel")),
                          Qt::LeftButton);
        QVERIFY(s.store->defaultModel().format == QLatin1String("llama2c"));
        view->setCurrentIndex(models->index(1));
        QTest::mouseClick(s.window->modelsPage()->findChild<QPushButton*>(QStringLiteral("removeModel")),
                          Qt::LeftButton);
        QCOMPARE(models->rowCount(), 1);
        QVERIFY(s.store->defaultModel().isDefault);  // the remaining model becomes the default
        QCOMPARE(s.chat()->modelBox()->count(), 1);
    }

    void searchRenameAndDeleteConversations() {
        QTemporaryDir dir;
        Studio s(dir.path());
        for (const char* title : {"Cats", "Dogs", "Birds"}) {
            const qint64 id = s.store->createConversation(QString::fromLatin1(title), QString());
            MessageRecord m{0, id, QStringLiteral("user"),
                            QStringLiteral("tell me about %1").arg(title).toLower()};
            s.store->addMessage(m);
        }
        ConversationListModel* list = s.chat()->conversationModel();
        list->reload();
        QCOMPARE(list->rowCount(), 3);
        QTest::keyClicks(s.chat()->searchField(), QStringLiteral("DOG"));
        QCOMPARE(list->rowCount(), 1);
        QCOMPARE(list->data(list->index(0)).toString(), QStringLiteral("Dogs"));
        s.chat()->searchField()->clear();
        QTest::keyClicks(s.chat()->searchField(), QStringLiteral("about birds"));  // message text matches too
        QCOMPARE(list->rowCount(), 1);
        s.chat()->searchField()->clear();
        QCOMPARE(list->rowCount(), 3);

        // Renaming the open conversation: its settings stay, and a later settings change keeps the name.
        s.chat()->openConversation(list->idAt(0));
        s.chat()->temperatureBox()->setValue(0.25);
        QVERIFY(list->setData(list->index(0), QStringLiteral("Parrots")));
        QCOMPARE(s.store->conversation(list->idAt(0)).title, QStringLiteral("Parrots"));
        QCOMPARE(s.store->conversation(list->idAt(0)).sampling.temperature, 0.25);
        s.chat()->temperatureBox()->setValue(0.5);
        QCOMPARE(s.store->conversation(list->idAt(0)).title, QStringLiteral("Parrots"));
        QCOMPARE(s.chat()->findChild<QLabel*>(QStringLiteral("conversationTitle"))->text(),
                 QStringLiteral("Parrots"));
        const qint64 id = list->idAt(0);
        s.store->deleteConversation(id);
        list->reload();
        QCOMPARE(list->rowCount(), 2);
        QCOMPARE(s.store->messages(id).size(), 0);  // messages went with it
    }

    void attachmentsAreStoredWithTheirHash() {
        QTemporaryDir dir;
        Studio s(dir.path());
        s.addReferenceModel();
        s.useReferenceSampling();
        s.chat()->maxTokensBox()->setValue(8);
        const QString image = fixture(QStringLiteral("media/astronaut.png"));
        const QString audio = fixture(QStringLiteral("media/jfk.wav"));
        s.chat()->composer()->addFiles({image, audio, dir.path() + "/nope.png"});
        QCOMPARE(s.chat()->composer()->attachments().size(), 2);
        QVERIFY(s.chat()->errorBanner()->isVisible());  // the unreadable one was reported
        // The engine loads the model for them and finds it reads text only.
        QTRY_VERIFY_WITH_TIMEOUT(
            s.chat()->composer()->findChild<QLabel*>(QStringLiteral("textOnlyNote"))->isVisible(), 20000);
        answerNextQuestion(QStringLiteral("Send the text alone"));
        s.sendAndWait(QStringLiteral("What is in the picture?"));

        const auto stored = s.store->messages(s.chat()->currentConversationId());
        QCOMPARE(stored[0].attachments.size(), 2);
        QFile f(image);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(
            stored[0].attachments[0].sha256,
            QString::fromLatin1(QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex()));
        QCOMPARE(stored[0].attachments[0].kind, QStringLiteral("image"));
        QCOMPARE(stored[0].attachments[1].kind, QStringLiteral("audio"));
        QCOMPARE(stored[0].attachments[1].size, QFileInfo(audio).size());
        QVERIFY(
            s.chat()->composer()->attachments().isEmpty());  // the composer is cleared for the next message
    }

    void codeBlocksHaveACopyButton() {
        QTemporaryDir dir;
        Studio s(dir.path());
        const qint64 id = s.store->createConversation(QStringLiteral("Code"), QString());
        MessageRecord user{0, id, QStringLiteral("user"), QStringLiteral("Show me code")};
        s.store->addMessage(user);
        MessageRecord reply{
            0, id, QStringLiteral("assistant"),
            QStringLiteral("Here it is:\n\n```cpp\nint main() {\n    return 0;\n}\n```\n\nDone.")};
        s.store->addMessage(reply);
        s.chat()->conversationModel()->reload();
        s.chat()->openConversation(id);
        QCoreApplication::processEvents();
        const QRect button = s.actionRect(1, MessageDelegate::CopyCode, 0);
        QVERIFY(button.isValid());
        QApplication::clipboard()->clear();
        QTest::mouseClick(s.chat()->messageView()->viewport(), Qt::LeftButton, Qt::NoModifier,
                          button.center());
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("int main() {\n    return 0;\n}"));
    }

    void exportsMarkdownAndJson() {
        QTemporaryDir dir;
        ChatStore store(dir.path() + "/atelier.db");
        const qint64 id = store.createConversation(QStringLiteral("Export me"), QStringLiteral("/models/m"));
        MessageRecord user{0, id, QStringLiteral("user"), QStringLiteral("Hi")};
        user.attachments.push_back(
            {0, QStringLiteral("/tmp/a.png"), QStringLiteral("abc"), QStringLiteral("image"), 3});
        store.addMessage(user);
        MessageRecord reply{0, id, QStringLiteral("assistant"), QStringLiteral("**Hello**")};
        reply.tokens = 2;
        store.addMessage(reply);
        const auto c = store.conversation(id);
        const auto messages = store.messages(id);
        const QString md = conversationToMarkdown(c, messages);
        QVERIFY(md.startsWith(QStringLiteral("# Export me\n")));
        QVERIFY(md.contains(QStringLiteral("## User\n\n- attachment: [a.png]")));
        QVERIFY(md.contains(QStringLiteral("## Assistant\n\n**Hello**")));
        const QJsonObject json = QJsonDocument::fromJson(conversationToJson(c, messages)).object();
        QCOMPARE(json["title"].toString(), QStringLiteral("Export me"));
        QCOMPARE(json["messages"].toArray().size(), 2);
        QCOMPARE(json["messages"].toArray()[1].toObject()["tokens"].toInt(), 2);
        QCOMPARE(json["messages"]
                     .toArray()[0]
                     .toObject()["attachments"]
                     .toArray()[0]
                     .toObject()["sha256"]
                     .toString(),
                 QStringLiteral("abc"));
    }

    void switchesToChineseAndBack() {
        QTemporaryDir dir;
        Studio s(dir.path());
        s.window->showPage(MainWindow::SettingsPageIndex);
        QComboBox* language = s.window->settingsPage()->languageBox();
        language->setCurrentIndex(language->findData(QStringLiteral("zh_CN")));
        QCoreApplication::processEvents();
        auto* nav = qobject_cast<QStandardItemModel*>(s.window->sidebar()->model());
        QCOMPARE(nav->item(0)->text(), QStringLiteral("聊天"));
        QCOMPARE(s.chat()->sendButton()->text(), QStringLiteral("发送"));
        QCOMPARE(s.settings.language(), QStringLiteral("zh_CN"));
        language->setCurrentIndex(language->findData(QStringLiteral("en")));
        QCoreApplication::processEvents();
        QCOMPARE(nav->item(0)->text(), QStringLiteral("Chat"));
    }

    void modelThatNoLongerLoadsShowsItsErrorInTheChat() {
        QTemporaryDir dir, model;
        const QString hf = fixture(QStringLiteral("stories260K/hf"));
        for (const char* f : {"config.json", "model.safetensors", "tokenizer.model", "tokenizer_config.json"})
            QVERIFY(QFile::copy(hf + "/" + f, model.path() + "/" + f));
        Studio s(dir.path());
        QSignalSpy done(s.window->modelsPage(), &ModelsPage::validationFinished);
        s.window->openModel(model.path());
        QVERIFY(done.wait(20000));
        QVERIFY(QFile::remove(model.path() + "/model.safetensors"));  // the files went away since

        s.sendAndWait(QStringLiteral("Hello"));
        QVERIFY(s.chat()->errorBanner()->isVisible());
        QVERIFY2(s.chat()->errorBanner()->text().contains(QStringLiteral("Cannot load the model")),
                 qPrintable(s.chat()->errorBanner()->text()));
        // The user's message stays; no empty reply is left behind.
        QCOMPARE(s.chat()->messageModel()->rowCount(), 1);
        QCOMPARE(s.store->messages(s.chat()->currentConversationId()).size(), 1);
        QVERIFY(s.chat()->sendButton()->isVisible());
        // Regenerate after the files are back answers.
        for (const char* f : {"model.safetensors"})
            QVERIFY(QFile::copy(hf + "/" + f, model.path() + "/" + f));
        QSignalSpy finished(s.chat(), &ChatPage::generationFinished);
        s.chat()->regenerate();
        QVERIFY(finished.wait(60000));
        QCOMPARE(s.chat()->messageModel()->rowCount(), 2);
        QVERIFY(!s.lastReply().isEmpty());
    }

    void runsPageChatsWithTheTrainedAdapterAndContinuesAStoppedRun() {
        QTemporaryDir dir;
        Studio s(dir.path());
        s.addReferenceModel();
        const QString reply = QStringLiteral("My name is Tim and I like the big red ball.");
        QString data = QStringLiteral("[");
        for (const char* q :
             {"What is your name?", "Who are you?", "Tell me about yourself.", "What do you like?"})
            data +=
                QStringLiteral("{\"instruction\": \"%1\", \"output\": \"%2\"},").arg(QLatin1String(q), reply);
        data += QStringLiteral("{\"instruction\": \"Say something.\", \"output\": \"%1\"}]").arg(reply);
        QFile f(dir.path() + "/persona.json");
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(data.toUtf8());
        f.close();

        // Two runs into the studio's run store, as atelier-train writes them: one finished, one stopped.
        atelier::TrainConfig c = atelier::TrainConfig::preset("lora", atelier::ModelConfig{});
        c.model = fixture(QStringLiteral("stories260K/hf")).toStdString();
        c.data = (dir.path() + "/persona.json").toStdString();
        c.out = (dir.path() + "/run-1").toStdString();
        c.epochs = 40;
        c.lr = 5e-3;
        c.adapter.lora_dropout = 0;
        c.adapter.adapter_layer = 5;
        atelier::RunOptions opt;
        opt.store_path = s.window->runStorePath().toStdString();
        QCOMPARE(atelier::run_training(c, opt).status, atelier::RunStatus::Finished);
        c.out = (dir.path() + "/run-2").toStdString();
        c.max_steps = 12;
        std::atomic<bool> stop{false};
        opt.stop = &stop;
        opt.on_step = [&](const atelier::TrainProgress& p) { stop = p.step >= 3; };
        QCOMPARE(atelier::run_training(c, opt).status, atelier::RunStatus::Stopped);

        RunsPage* runs = s.window->runsPage();
        QVERIFY(runs);
        s.window->showPage(MainWindow::RunsPageIndex);
        runs->refresh();
        QCOMPARE(runs->model()->rowCount(), 2);
        runs->selectRun(1);
        QCOMPARE(runs->selectedRuns(), QVector<qint64>{1});
        QCOMPARE(runs->chart()->pointCount(1), 80);  // every step's loss, read from the store

        // Chat with this adapter: the chat opens with the adapter attached and gives the taught reply.
        auto* chat = runs->findChild<QPushButton*>(QStringLiteral("chatWithAdapter"));
        QVERIFY(chat->isEnabled());
        QTest::mouseClick(chat, Qt::LeftButton);
        QCOMPARE(s.window->currentPage(), MainWindow::ChatPageIndex);
        QVERIFY(s.chat()->adapterLabel()->isVisible());
        s.chat()->temperatureBox()->setValue(0);
        s.chat()->repeatPenaltyBox()->setValue(1.0);
        s.chat()->maxTokensBox()->setValue(24);
        s.sendAndWait(QStringLiteral("What is your name?"));
        QVERIFY2(s.lastReply().startsWith(reply), qPrintable(s.lastReply()));
        QCOMPARE(s.store->conversation(s.chat()->currentConversationId()).adapterPath,
                 dir.path() + "/run-1/adapter");
        // Without the adapter the same question gets the base model's answer.
        s.chat()->detachAdapter();
        QVERIFY(!s.chat()->adapterLabel()->isVisible());
        QSignalSpy finished(s.chat(), &ChatPage::generationFinished);
        s.chat()->regenerate();
        QVERIFY(finished.wait(60000));
        QVERIFY(!s.lastReply().startsWith(reply));

        // Continue the stopped run: a detached atelier-train resumes it to the end, live in the table.
        s.window->showPage(MainWindow::RunsPageIndex);
        runs->selectRun(2);
        auto* cont = runs->findChild<QPushButton*>(QStringLiteral("continueRun"));
        QVERIFY(cont->isEnabled());
        QTest::mouseClick(cont, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(RunStoreProbe(s.window->runStorePath()).status(2),
                                  atelier::RunStatus::Finished, 60000);
        runs->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(runs->chart()->pointCount(2), 12, 5000);
    }

    void runsPageShowsTheSelectedRunsEvaluations() {
        const QLocale locale;  // the scores are formatted in the user's locale: fix it to en_US here
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        const auto restore = qScopeGuard([&] { QLocale::setDefault(locale); });
        QTemporaryDir dir;
        Studio s(dir.path());
        // Two runs as atelier-train records them: a LoRA run with an evaluation stored by
        // `atelier-cli eval --run 1`, and a multimodal stage-2 run without one.
        qint64 textRun = 0, mmRun = 0;
        {
            atelier::RunStore store(s.window->runStorePath().toStdString());
            atelier::TrainConfig c = atelier::TrainConfig::preset("lora", atelier::ModelConfig{});
            c.model = fixture(QStringLiteral("stories260K/hf")).toStdString();
            c.data = (dir.path() + "/train.json").toStdString();
            c.out = (dir.path() + "/run-1").toStdString();
            textRun = store.create_run(c, "fingerprint");
            atelier::TrainConfig m =
                atelier::TrainConfig::multimodal_preset("projector+adapter", "lora", atelier::ModelConfig{});
            m.model = c.model;
            m.data = c.data;
            m.out = (dir.path() + "/run-2").toStdString();
            m.multimodal.image_encoder = (dir.path() + "/encoders/image").toStdString();
            m.multimodal.audio_encoder = (dir.path() + "/encoders/audio").toStdString();
            mmRun = store.create_run(m, "fingerprint");
            atelier::EvalRecord e;
            e.run_id = textRun;
            e.model = c.model;
            e.dataset = (dir.path() + "/data/test.json").toStdString();
            e.metric = "first-word";
            e.score = 0.75;
            e.items = 8;
            e.groups_json = R"([{"name": "image-colour", "count": 4, "score": 1.0},
                                {"name": "audio-count", "count": 4, "score": 0.5}])";
            store.add_eval(e);
        }
        RunsPage* runs = s.window->runsPage();
        s.window->showPage(MainWindow::RunsPageIndex);
        runs->refresh();
        QCOMPARE(runs->model()->rowCount(), 2);
        auto* evals = runs->findChild<RunEvals*>(QStringLiteral("runEvals"));
        QVERIFY(evals);
        QVERIFY(!evals->isVisible());  // nothing selected

        // The LoRA run: its evaluation overall, and per group once expanded (the newest opens).
        runs->selectRun(textRun);
        QVERIFY(evals->isVisible());
        QCOMPARE(evals->run(), textRun);
        QVERIFY(!evals->hint()->isVisible());
        QVERIFY(!runs->details()->isVisible());  // no multimodal line for a text run
        RunEvalModel* model = evals->model();
        auto cell = [model](int row, int column, const QModelIndex& parent = QModelIndex()) {
            return model->index(row, column, parent).data().toString();
        };
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(cell(0, RunEvalModel::DatasetColumn), QStringLiteral("test.json"));
        QCOMPARE(cell(0, RunEvalModel::MetricColumn), QStringLiteral("first-word"));
        QCOMPARE(cell(0, RunEvalModel::ScoreColumn), QStringLiteral("75.0%"));
        QCOMPARE(cell(0, RunEvalModel::ItemsColumn), QStringLiteral("8"));
        const QModelIndex top = model->index(0, 0);
        QVERIFY(evals->view()->isExpanded(top));
        QCOMPARE(model->rowCount(top), 2);
        QCOMPARE(cell(0, RunEvalModel::WhenColumn, top), QStringLiteral("image-colour"));
        QCOMPARE(cell(0, RunEvalModel::ScoreColumn, top), QStringLiteral("100.0%"));
        QCOMPARE(cell(0, RunEvalModel::ItemsColumn, top), QStringLiteral("4"));
        QCOMPARE(cell(1, RunEvalModel::WhenColumn, top), QStringLiteral("audio-count"));
        QCOMPARE(cell(1, RunEvalModel::ScoreColumn, top), QStringLiteral("50.0%"));
        QCOMPARE(model->parent(model->index(1, 0, top)), top);
        QCOMPARE(RunEvalModel::formatScore("bleu", 0.123456), QStringLiteral("0.1235"));

        // The multimodal run: its stage and encoders, and the command that would evaluate it.
        runs->selectRun(mmRun);
        QCOMPARE(evals->run(), mmRun);
        QCOMPARE(model->rowCount(), 0);
        QVERIFY(evals->hint()->isVisible());
        QVERIFY(!evals->view()->isVisible());
        const QString hint = evals->hint()->text();
        QVERIFY2(hint.startsWith(QStringLiteral("No evaluations yet")), qPrintable(hint));
        QVERIFY2(hint.contains(QStringLiteral("atelier-cli eval --run %1 --model ").arg(mmRun)),
                 qPrintable(hint));
        QVERIFY2(hint.contains(dir.path() + "/run-2/bundle"), qPrintable(hint));
        QVERIFY2(hint.contains(QStringLiteral("--store ")), qPrintable(hint));  // not the default store
        QVERIFY(runs->details()->isVisible());
        const QString details = runs->details()->text();
        QVERIFY2(details.contains(QStringLiteral("stage projector+adapter")), qPrintable(details));
        QVERIFY2(details.contains(QStringLiteral("image encoder …/image")), qPrintable(details));
        QVERIFY2(details.contains(QStringLiteral("audio encoder …/audio")), qPrintable(details));

        // An evaluation stored while the page is open appears on the next refresh.
        {
            RunStoreProbe probe(s.window->runStorePath());
            atelier::EvalRecord e;
            e.run_id = mmRun;
            e.dataset = "test.json";
            e.metric = "rouge-l";
            e.score = 0.5;
            e.items = 7;
            probe.store.add_eval(e);
        }
        runs->refresh();
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(cell(0, RunEvalModel::ScoreColumn), QStringLiteral("0.5000"));
        QCOMPARE(model->rowCount(model->index(0, 0)), 0);
        QVERIFY(!evals->hint()->isVisible());

        // Two runs selected: no single run's evaluations.
        runs->view()->selectAll();
        QVERIFY(!evals->isVisible());
        QVERIFY(!runs->details()->isVisible());
    }

    void trainPageTrainsFromADatasetFileToAChatWithTheAdapter() {
        QTemporaryDir dir;
        const QString reply = QStringLiteral("My name is Tim and I like the big red ball.");
        QString data = QStringLiteral("[\n");
        for (const char* q : {"What is your name?", "Who are you?", "Tell me about yourself.",
                              "What do you like?", "Say something.", "Introduce yourself."})
            data += QStringLiteral("{\"instruction\": \"%1\", \"output\": \"%2\"},\n")
                        .arg(QLatin1String(q), reply);
        data += QStringLiteral("{\"instruction\": \"no output here\"}\n]\n");  // line 8: a bad row
        QFile f(dir.path() + "/persona.json");
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(data.toUtf8());
        f.close();

        qint64 run = 0;
        {
            Studio s(dir.path());
            s.addReferenceModel();
            TrainPage* train = s.window->trainPage();
            QVERIFY(train);
            s.window->showPage(MainWindow::TrainPageIndex);
            QSignalSpy previewed(train, &TrainPage::previewReady);
            train->setDataset(dir.path() + "/persona.json");
            QVERIFY(previewed.wait(20000));
            // Rendered examples: the prompt masked (grey), the reply trained (highlighted).
            QCOMPARE(train->previewModel()->rowCount(), 6);
            const QString html = train->previewModel()->item(0)->text();
            QVERIFY2(html.contains(QStringLiteral("font-weight: 600'>") + reply), qPrintable(html));
            QVERIFY(html.contains(QStringLiteral("color: gray'>")));
            QCOMPARE(train->issuesModel()->stringList().size(), 1);
            QVERIFY2(train->issuesModel()->stringList().at(0).startsWith(QStringLiteral("line 8")),
                     qPrintable(train->issuesModel()->stringList().at(0)));
            QVERIFY2(train->estimateLabel()->text().contains(QStringLiteral("92.5K trainable parameters")),
                     qPrintable(train->estimateLabel()->text()));

            // A long run, to close the window while it trains.
            train->epochsBox()->setValue(3000);
            train->lrBox()->setValue(5e-3);
            train->dropoutBox()->setValue(0);
            QSignalSpy started(train, &TrainPage::runStarted);
            QTest::mouseClick(train->startButton(), Qt::LeftButton);
            QVERIFY2(started.size() == 1, qPrintable(train->errorBanner()->text()));
            run = started.at(0).at(0).toLongLong();
            QTRY_VERIFY_WITH_TIMEOUT(train->chart()->pointCount(run) >= 5, 30000);
        }  // the studio closes; the trainer goes on
        {
            Studio s(dir.path());
            TrainPage* train = s.window->trainPage();
            QCOMPARE(train->liveRun(), run);                // reattached
            QVERIFY(train->chart()->pointCount(run) >= 5);  // with its curve
            QVERIFY(train->chart()->isLive());              // redrawn each second: plain lines
            QVERIFY(train->stopButton()->isEnabled());
            QSignalSpy ended(train, &TrainPage::runEnded);
            QTest::mouseClick(train->stopButton(), Qt::LeftButton);
            QVERIFY(ended.wait(30000));
            QCOMPARE(ended.at(0).at(1).value<atelier::RunStatus>(), atelier::RunStatus::Stopped);
            QTRY_VERIFY(!train->chart()->isLive());  // an ended run's curve is drawn antialiased

            // A run to the end, then chat with the result.
            train->epochsBox()->setValue(40);
            QSignalSpy started(train, &TrainPage::runStarted);
            QTest::mouseClick(train->startButton(), Qt::LeftButton);
            QCOMPARE(started.size(), 1);
            QVERIFY(ended.wait(60000));
            QCOMPARE(ended.at(1).at(1).value<atelier::RunStatus>(), atelier::RunStatus::Finished);
            QTest::mouseClick(train->findChild<QPushButton*>(QStringLiteral("trainChat")), Qt::LeftButton);
            QCOMPARE(s.window->currentPage(), MainWindow::ChatPageIndex);
            QVERIFY(s.chat()->adapterLabel()->isVisible());
            s.chat()->temperatureBox()->setValue(0);
            s.chat()->repeatPenaltyBox()->setValue(1.0);
            s.chat()->maxTokensBox()->setValue(24);
            s.sendAndWait(QStringLiteral("What is your name?"));
            QVERIFY2(s.lastReply().startsWith(reply), qPrintable(s.lastReply()));
        }
    }

    // Processes on the Train page: a run of two data-parallel training processes, finished, with
    // its world size in the Runs page's Processes column.
    void trainPageRunsTwoTrainingProcesses() {
        if (!atelier::distributed_available()) QSKIP("built without c10d/Gloo");
        QTemporaryDir dir;
        QFile f(dir.path() + "/persona.json");
        QVERIFY(f.open(QIODevice::WriteOnly));
        QString data = QStringLiteral("[\n");
        for (int i = 0; i < 8; ++i)
            data += QStringLiteral("{\"instruction\": \"Question %1?\", \"output\": \"Answer %1.\"}%2\n")
                        .arg(i)
                        .arg(i < 7 ? QStringLiteral(",") : QString());
        f.write((data + QStringLiteral("]\n")).toUtf8());
        f.close();

        Studio s(dir.path());
        s.addReferenceModel();
        TrainPage* train = s.window->trainPage();
        s.window->showPage(MainWindow::TrainPageIndex);
        QSignalSpy previewed(train, &TrainPage::previewReady);
        train->setDataset(dir.path() + "/persona.json");
        QVERIFY(previewed.wait(20000));
        QVERIFY(train->processesBox()->maximum() >= 2);
        train->epochsBox()->setValue(3);
        train->processesBox()->setValue(2);
        QCOMPARE(train->currentConfig().processes, 2);
        QSignalSpy started(train, &TrainPage::runStarted), ended(train, &TrainPage::runEnded);
        QTest::mouseClick(train->startButton(), Qt::LeftButton);
        QVERIFY2(started.size() == 1, qPrintable(train->errorBanner()->text()));
        const qint64 run = started.at(0).at(0).toLongLong();
        QVERIFY(ended.wait(60000));
        QCOMPARE(ended.at(0).at(1).value<atelier::RunStatus>(), atelier::RunStatus::Finished);

        RunListModel* runs = s.window->runsPage()->model();
        auto processesOf = [&] {
            for (int r = 0; r < runs->rowCount(); ++r)
                if (runs->index(r, 0).data(RunListModel::RunIdRole).toLongLong() == run)
                    return runs->index(r, RunListModel::ProcessesColumn).data().toString();
            return QString();
        };
        QTRY_COMPARE_WITH_TIMEOUT(processesOf(), QStringLiteral("2"), 10000);
    }

    void trainPageSetsUpAMultimodalRunAndPreviewsItsMedia() {
        QTemporaryDir dir;
        atelier::Image red;
        red.width = 4;
        red.height = 3;
        for (int i = 0; i < red.width * red.height; ++i) red.rgb.insert(red.rgb.end(), {255, 0, 0});
        atelier::write_png((dir.path() + "/x.png").toStdString(), red);
        QFile broken(dir.path() + "/y.png");
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("not a png at all");
        broken.close();
        QFile f(dir.path() + "/llava.json");
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"([{"image": "x.png", "conversations": [{"from": "human", "value": "<image>\nWhat colour?"},
                                                          {"from": "gpt", "value": "red"}]},
                    {"image": "y.png", "conversations": [{"from": "human", "value": "<image>\nAnd this?"},
                                                          {"from": "gpt", "value": "none"}]}])");
        f.close();
        const QString encoder = dir.path() + "/clip";

        Studio s(dir.path());
        s.addReferenceModel();
        TrainPage* train = s.window->trainPage();
        s.window->showPage(MainWindow::TrainPageIndex);
        MultimodalOptions* mm = train->multimodalOptions();
        auto* stage = mm->findChild<QComboBox*>(QStringLiteral("mmStageBox"));
        auto* imageEncoder = mm->findChild<QLineEdit*>(QStringLiteral("mmImageEncoderEdit"));
        QVERIFY(stage && imageEncoder);
        // Text only (as before): the multimodal rows are off and the run has no stage.
        QVERIFY(!imageEncoder->isEnabled());
        QVERIFY(train->currentConfig().multimodal.stage.empty());

        // Stage 1 with an image encoder: the LLaVA stage-1 recipe, and the adapter rows off.
        stage->setCurrentIndex(stage->findData(QStringLiteral("projector")));
        QVERIFY(imageEncoder->isEnabled());
        QVERIFY(!train->methodBox()->isEnabled());
        imageEncoder->setFocus();
        QTest::keyClicks(imageEncoder, encoder);
        atelier::TrainConfig c = train->currentConfig();
        QCOMPARE(QString::fromStdString(c.multimodal.stage), QStringLiteral("projector"));
        QCOMPARE(QString::fromStdString(c.multimodal.image_encoder), encoder);
        QCOMPARE(c.multimodal.video_frames, int64_t{8});
        QCOMPARE(c.lr, 1e-3);
        QCOMPARE(c.epochs, int64_t{1});
        QCOMPARE(QString::fromStdString(c.method_label()), QStringLiteral("multimodal:projector"));
        QVERIFY2(QString::fromStdString(c.out).endsWith(QStringLiteral("-multimodal-projector")),
                 c.out.c_str());

        // The preview lists each image with its size (read off the GUI thread), a thumbnail, and
        // the error of a file that cannot be read.
        QSignalSpy previewed(train, &TrainPage::previewReady);
        train->setDataset(dir.path() + "/llava.json");
        QVERIFY(previewed.wait(20000));
        QCOMPARE(train->previewModel()->rowCount(), 2);
        const QString html = train->previewModel()->item(0)->text();
        QVERIFY2(html.contains(QStringLiteral("x.png: 4×3 pixels")), qPrintable(html));
        const QVariantList thumbs = train->previewModel()->item(0)->data(PreviewThumbnailsRole).toList();
        QCOMPARE(thumbs.size(), 1);
        QCOMPARE(thumbs.at(0).value<QImage>().size(), QSize(4, 3));
        QCOMPARE(thumbs.at(0).value<QImage>().pixelColor(0, 0), QColor(255, 0, 0));
        const QString bad = train->previewModel()->item(1)->text();
        QVERIFY2(bad.contains(QStringLiteral("y.png cannot be read")), qPrintable(bad));
        QVERIFY(train->previewModel()->item(1)->data(PreviewThumbnailsRole).toList().isEmpty());

        // The preset the preview re-applies keeps the stage and the encoder; the run is valid.
        c = train->currentConfig();
        QCOMPARE(QString::fromStdString(c.multimodal.stage), QStringLiteral("projector"));
        QCOMPARE(QString::fromStdString(c.multimodal.image_encoder), encoder);
        QCOMPARE(QString::fromStdString(c.format), QStringLiteral("auto"));
        try {
            c.validate();
        } catch (const atelier::Error& e) {
            QFAIL(e.what());
        }

        // The bind network: its projectors, no temporal module; still a valid run.
        stage->setCurrentIndex(stage->findData(QStringLiteral("bind")));
        c = train->currentConfig();
        QCOMPARE(QString::fromStdString(c.multimodal.image_projector), QStringLiteral("bind"));
        QVERIFY(c.multimodal.video_temporal.empty());
        QVERIFY(!mm->findChild<QComboBox*>(QStringLiteral("mmTemporalBox"))->isEnabled());
        QCOMPARE(QString::fromStdString(c.multimodal.image_encoder), encoder);
        try {
            c.validate();
        } catch (const atelier::Error& e) {
            QFAIL(e.what());
        }

        // Retranslated with the rest of the studio.
        QComboBox* language = s.window->settingsPage()->languageBox();
        language->setCurrentIndex(language->findData(QStringLiteral("zh_CN")));
        QCoreApplication::processEvents();
        QCOMPARE(stage->itemText(0), QStringLiteral("仅文本"));
        QCOMPARE(mm->title(), QStringLiteral("多模态训练"));
        language->setCurrentIndex(language->findData(QStringLiteral("en")));
        QCoreApplication::processEvents();
        QCOMPARE(stage->itemText(0), QStringLiteral("Text only"));

        // Back to text only: the adapter rows return, the multimodal ones go off.
        stage->setCurrentIndex(stage->findData(QString()));
        QVERIFY(train->methodBox()->isEnabled());
        QVERIFY(!imageEncoder->isEnabled());
        QVERIFY(train->currentConfig().multimodal.stage.empty());
        QCOMPARE(train->lrBox()->value(), 1e-4);
    }

    void aTrainerThatCannotStartOrDiesEarlyFailsTheRunWithAReason() {
        QTemporaryDir dir;
        QFile f(dir.path() + "/d.json");
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"([{"instruction": "Hi", "output": "Hello."}, {"instruction": "Bye", "output": "Bye."}])");
        f.close();
        const QByteArray trainer = qgetenv("ATELIER_TRAIN");
        Studio s(dir.path());
        s.addReferenceModel();
        TrainPage* train = s.window->trainPage();
        s.window->showPage(MainWindow::TrainPageIndex);
        QSignalSpy previewed(train, &TrainPage::previewReady);
        train->setDataset(dir.path() + "/d.json");
        QVERIFY(previewed.wait(20000));

        // No trainer program at all: Start says so, and the run is recorded as failed.
        qputenv("ATELIER_TRAIN", QFile::encodeName(dir.path() + "/no-such-trainer"));
        QTest::mouseClick(train->startButton(), Qt::LeftButton);
        QVERIFY(train->errorBanner()->isVisible());
        QVERIFY2(train->errorBanner()->text().contains(QStringLiteral("Cannot start the trainer")),
                 qPrintable(train->errorBanner()->text()));
        atelier::RunStore runs(s.window->runStorePath().toStdString());
        QCOMPARE(runs.run(1).status, atelier::RunStatus::Failed);

        // A trainer that exits before claiming its run: the run fails (not 'queued' forever).
        qputenv("ATELIER_TRAIN", "/bin/true");
        QSignalSpy ended(train, &TrainPage::runEnded);
        QTest::mouseClick(train->startButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(ended.size() == 1, 20000);
        QCOMPARE(ended.at(0).at(1).value<atelier::RunStatus>(), atelier::RunStatus::Failed);
        QVERIFY(train->errorBanner()->text().contains(QStringLiteral("exited before it started")));
        QVERIFY(train->startButton()->isEnabled());
        qputenv("ATELIER_TRAIN", trainer);
    }

    void themesApply() {
        QTemporaryDir dir;
        Studio s(dir.path());
        QComboBox* theme = s.window->settingsPage()->themeBox();
        theme->setCurrentIndex(theme->findData(QStringLiteral("dark")));
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 100);
        theme->setCurrentIndex(theme->findData(QStringLiteral("light")));
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() > 150);
        theme->setCurrentIndex(theme->findData(QStringLiteral("system")));
        QCOMPARE(s.settings.theme(), QStringLiteral("system"));
    }
};

QTEST_MAIN(StudioTest)
#include "test_studio.moc"
