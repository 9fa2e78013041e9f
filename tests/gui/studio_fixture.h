// The studio as the GUI tests drive it: a MainWindow on a fresh data folder, the fixtures, and
// helpers to send messages and click message actions. Shared by test_studio.cpp and
// test_studio_media.cpp.
#pragma once

#include "app_settings.h"
#include "chat_controller.h"
#include "chat_engine.h"
#include "chat_export.h"
#include "chat_page.h"
#include "chat_store.h"
#include "composer.h"
#include "conversation_list_model.h"
#include "main_window.h"
#include "message_delegate.h"
#include "message_list_model.h"
#include "metric_chart.h"
#include "models_page.h"
#include "runs_page.h"
#include "settings_page.h"
#include "train_page.h"
#include "train_runner.h"

#include "common/error.h"
#include "store/sqlite.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDoubleSpinBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QStringListModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <memory>

namespace studio_test {

inline QString fixture(const QString& relative) {
    const QString root = qEnvironmentVariable("ATELIER_FIXTURES");
    if (root.isEmpty()) qFatal("ATELIER_FIXTURES is not set: the GUI tests need ../shared/fixtures");
    const QString path = root + QLatin1Char('/') + relative;
    if (!QFileInfo::exists(path)) qFatal("missing fixture %s", qPrintable(path));
    return path;
}

inline QJsonObject reference() {
    QFile f(fixture(QStringLiteral("stories260K/reference.json")));
    f.open(QIODevice::ReadOnly);
    return QJsonDocument::fromJson(f.readAll()).object();
}

inline QString referenceText() {
    return reference()["greedy_from_prompt"].toObject()["output_text"].toString();
}

// Clicks the button labelled `text` in the next modal question box, when it appears (within 10 s).
inline void answerNextQuestion(const QString& text) {
    auto* timer = new QTimer;
    timer->setInterval(20);
    auto ticks = std::make_shared<int>(0);
    QObject::connect(timer, &QTimer::timeout, [timer, text, ticks] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box) {
            if (++*ticks > 500) timer->deleteLater();  // none came within 10 s: never answer a later one
            return;
        }
        for (QAbstractButton* b : box->buttons())
            if (b->text() == text) {
                timer->stop();
                timer->deleteLater();
                b->click();
                return;
            }
    });
    timer->start();
}

// A studio on a fresh data folder, as `atelier --data-dir DIR` opens it.
struct Studio {
    explicit Studio(const QString& dir)
        : settings(dir), store(std::make_unique<ChatStore>(dir + "/atelier.db")) {
        store->recoverInterrupted();
        installTranslations(settings.language());  // as atelier_main does (English has plural forms too)
        window = std::make_unique<MainWindow>(settings, *store);
        window->show();
    }
    ~Studio() {
        window.reset();
        store.reset();
    }
    ChatPage* chat() const { return window->chatPage(); }

    // Adds stories260K through the Models page and waits for the engine's validation.
    void addReferenceModel() {
        QSignalSpy done(window->modelsPage(), &ModelsPage::validationFinished);
        window->openModel(fixture(QStringLiteral("stories260K/hf")));
        QVERIFY(done.wait(20000));
        QCOMPARE(done.at(0).at(0).toBool(), true);
    }

    // Greedy, no chat template, no repetition penalty: what llama2.c's run.c computes.
    void useReferenceSampling() {
        ChatPage* c = chat();
        c->templateBox()->setCurrentIndex(c->templateBox()->findData(QStringLiteral("none")));
        c->temperatureBox()->setValue(0);
        c->repeatPenaltyBox()->setValue(1.0);
        c->maxTokensBox()->setValue(196);
    }

    // Types `text` into the composer and presses Enter; waits for the reply to finish.
    void sendAndWait(const QString& text) {
        QSignalSpy finished(chat(), &ChatPage::generationFinished);
        chat()->composer()->editor()->setFocus();
        QTest::keyClicks(chat()->composer()->editor(), text);
        QTest::keyClick(chat()->composer()->editor(), Qt::Key_Return);
        QVERIFY(finished.wait(60000));
    }

    QString lastReply() const {
        MessageListModel* m = chat()->messageModel();
        return m->rowCount() ? m->at(m->rowCount() - 1).content : QString();
    }

    QRect actionRect(int row, MessageDelegate::Action action, int codeBlock = 0) const {
        QListView* view = chat()->messageView();
        const QModelIndex index = chat()->messageModel()->index(row);
        QStyleOptionViewItem option;
        option.initFrom(view->viewport());
        option.rect = view->visualRect(index);
        option.font = view->font();
        return chat()->messageDelegate()->actionRect(option, index, action, codeBlock);
    }

    void clickAction(int row, MessageDelegate::Action action) {
        QListView* view = chat()->messageView();
        view->scrollTo(chat()->messageModel()->index(row));
        QCoreApplication::processEvents();
        const QRect r = actionRect(row, action);
        QVERIFY2(r.isValid(), "action not shown");
        QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, r.center());
    }

    AppSettings settings;
    std::unique_ptr<ChatStore> store;
    std::unique_ptr<MainWindow> window;
};

// Reads a run's status straight from the store file, as another process would.
struct RunStoreProbe {
    explicit RunStoreProbe(const QString& path) : store(path.toStdString()) {}
    atelier::RunStatus status(qint64 id) { return store.run(id).status; }
    atelier::RunStore store;
};

}  // namespace studio_test
