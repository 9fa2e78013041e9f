#include "main_window.h"

#include "chat_page.h"
#include "common/error.h"
#include "model_inspector.h"
#include "models_page.h"
#include "run_store.h"
#include "runs_page.h"
#include "settings_page.h"
#include "stall_monitor.h"
#include "train_page.h"
#include "widgets.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QShortcut>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QVBoxLayout>

struct MainWindow::Actions {
    QMenu* file = nullptr;
    QMenu* view = nullptr;
    QMenu* help = nullptr;
    QAction* newChat = nullptr;
    QAction* addModel = nullptr;
    QAction* exportMd = nullptr;
    QAction* quit = nullptr;
    QAction* search = nullptr;
    QVector<QAction*> pages;
    QAction* overlay = nullptr;
    QAction* about = nullptr;
};

MainWindow::MainWindow(AppSettings& settings, ChatStore& store, QWidget* parent)
    : QMainWindow(parent), m_settings(settings), m_store(store), m_actions(new Actions) {
    // Qt Multimedia's players (attachments in the chat) use its FFmpeg backend, the library the
    // engine decodes with; its GStreamer backend crashes where GStreamer's plugins are missing.
    if (qEnvironmentVariableIsEmpty("QT_MEDIA_BACKEND")) qputenv("QT_MEDIA_BACKEND", "ffmpeg");
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/atelier.svg")));
    auto* central = new QWidget(this);
    auto* layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    m_navModel = new QStandardItemModel(this);
    for (const char* icon : {"chat", "model", "train", "runs", "settings"}) {
        auto* item = new QStandardItem(
            lineIcon(QString::fromLatin1(icon), palette().color(QPalette::HighlightedText)), QString());
        item->setSizeHint(QSize(140, 40));
        m_navModel->appendRow(item);
    }
    m_nav = new QListView(central);
    m_nav->setObjectName(QStringLiteral("sidebar"));
    m_nav->setModel(m_navModel);
    m_nav->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_nav->setIconSize(QSize(22, 22));
    m_nav->setSpacing(2);
    m_nav->setFixedWidth(150);
    m_nav->setFrameShape(QFrame::NoFrame);
    m_nav->viewport()->setBackgroundRole(QPalette::Window);  // follows the theme's palette

    m_pages = new QStackedWidget(central);
    m_chat = new ChatPage(store, settings, m_pages);
    m_models = new ModelsPage(store, m_pages);
    m_settingsPage = new SettingsPage(settings, m_pages);
    m_pages->addWidget(m_chat);
    m_pages->addWidget(m_models);
    // The run store is shared with atelier-train (and atelier-cli's default when the data folder is
    // the default one). A store that cannot be opened leaves the page explaining why.
    try {
        m_runStore = std::make_unique<atelier::RunStore>(runStorePath().toStdString());
        m_train = new TrainPage(m_store, *m_runStore, runStorePath(), m_settings, m_pages);
        m_train->setObjectName(QStringLiteral("trainPage"));
        m_pages->addWidget(m_train);
        m_runs = new RunsPage(*m_runStore, runStorePath(), m_pages);
        m_runs->setObjectName(QStringLiteral("runsPage"));
        m_pages->addWidget(m_runs);
    } catch (const atelier::Error& e) {
        m_pages->addWidget(placeholderPage(QStringLiteral("trainPage"), &m_trainNote));
        m_pages->addWidget(placeholderPage(QStringLiteral("runsPage"), &m_runsNote));
        m_runStoreError = QString::fromUtf8(e.what());
    }
    m_pages->addWidget(m_settingsPage);
    auto* line = new QWidget(central);  // a 1 px rule in the theme's mid colour
    line->setFixedWidth(1);
    line->setBackgroundRole(QPalette::Mid);
    line->setAutoFillBackground(true);
    layout->addWidget(m_nav);
    layout->addWidget(line);
    layout->addWidget(m_pages, 1);
    setCentralWidget(central);

    m_modelStatus = new QLabel(this);
    m_stallLabel = new QLabel(this);
    m_stallLabel->setObjectName(QStringLiteral("stallOverlay"));
    m_stallLabel->hide();
    statusBar()->addPermanentWidget(m_stallLabel);
    statusBar()->addPermanentWidget(m_modelStatus);
    m_stall = new StallMonitor(this);

    connect(m_nav->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& index) { m_pages->setCurrentIndex(index.row()); });
    connect(m_models, &ModelsPage::modelsChanged, m_chat, &ChatPage::reloadModels);
    connect(m_models, &ModelsPage::validationFinished, this, [this](bool added, const QString& path) {
        if (path != m_pendingModel) return;
        m_pendingModel.clear();
        if (added) {
            m_chat->setPreferredModel(normalizedModelPath(path));
        } else {
            showPage(ModelsPageIndex);
        }
    });
    connect(m_chat, &ChatPage::manageModelsRequested, this, [this] { showPage(ModelsPageIndex); });
    if (m_runs) {
        connect(m_runs, &RunsPage::chatWithAdapter, this,
                [this](const QString& model, const QString& adapter, const QString& title) {
                    showPage(ChatPageIndex);
                    m_chat->chatWithAdapter(model, adapter, title);
                });
        connect(m_runs, &RunsPage::statusMessage, this,
                [this](const QString& text) { statusBar()->showMessage(text, 6000); });
        connect(m_train, &TrainPage::chatWithAdapter, this,
                [this](const QString& model, const QString& adapter, const QString& title) {
                    showPage(ChatPageIndex);
                    m_chat->chatWithAdapter(model, adapter, title);
                });
        connect(m_train, &TrainPage::statusMessage, this,
                [this](const QString& text) { statusBar()->showMessage(text, 8000); });
        connect(m_train, &TrainPage::runStarted, m_runs, &RunsPage::refresh);
        connect(m_train, &TrainPage::runEnded, this, [this](qint64 run, atelier::RunStatus status) {
            // A desktop notification where the desktop offers one (the status bar always says it).
            if (!QSystemTrayIcon::isSystemTrayAvailable()) return;
            if (!m_tray) {
                m_tray = new QSystemTrayIcon(windowIcon(), this);
                m_tray->show();
            }
            m_tray->showMessage(tr("Atelier"),
                                status == atelier::RunStatus::Finished ? tr("Run %1 finished.").arg(run)
                                : status == atelier::RunStatus::Failed ? tr("Run %1 failed.").arg(run)
                                                                       : tr("Run %1 ended.").arg(run),
                                status == atelier::RunStatus::Failed ? QSystemTrayIcon::Warning
                                                                     : QSystemTrayIcon::Information);
        });
        connect(m_runs, &RunsPage::runContinued, m_train,
                [this](qint64 run) { m_train->attach(run, atelier::RunStatus::Queued); });
        connect(m_models, &ModelsPage::modelsChanged, m_train, &TrainPage::reloadModels);
    }
    connect(m_chat, &ChatPage::statusMessage, this,
            [this](const QString& text) { statusBar()->showMessage(text, 6000); });
    connect(m_chat, &ChatPage::modelReady, this, [this](const LoadedModel& m) {
        m_loaded = m;
        retranslate();
    });
    connect(m_settingsPage, &SettingsPage::engineSettingsChanged, m_chat, &ChatPage::setEngineSettings);
    connect(m_settingsPage, &SettingsPage::audioInputChanged, m_chat, &ChatPage::setAudioInput);
    connect(m_stall, &StallMonitor::updated, this,
            [this](double ms) { m_stallLabel->setText(tr("Longest GUI stall: %1 ms").arg(ms, 0, 'f', 1)); });

    buildMenus();
    retranslate();
    showPage(ChatPageIndex);

    const QByteArray geometry = settings.value(QStringLiteral("window/geometry"));
    if (geometry.isEmpty() || !restoreGeometry(geometry)) resize(1200, 780);
}

QString MainWindow::runStorePath() const {
    return QDir(m_settings.dataDir()).filePath(QStringLiteral("runs.db"));
}

MainWindow::~MainWindow() {
    delete m_runs;  // before the run store they read
    delete m_train;
    delete m_actions;
}

QWidget* MainWindow::placeholderPage(const QString& objectName, QLabel** note) {
    auto* page = new QWidget(m_pages);
    page->setObjectName(objectName);
    auto* layout = new QVBoxLayout(page);
    auto* label = new QLabel(page);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    layout->addWidget(label);
    *note = label;
    return page;
}

void MainWindow::buildMenus() {
    Actions& a = *m_actions;
    a.file = menuBar()->addMenu(QString());
    a.newChat = a.file->addAction(QIcon(QStringLiteral(":/icons/new-chat.svg")), QString(), this, [this] {
        showPage(ChatPageIndex);
        m_chat->newConversation();
    });
    a.newChat->setShortcut(QKeySequence::New);
    a.addModel = a.file->addAction(QIcon(QStringLiteral(":/icons/folder.svg")), QString(), this, [this] {
        showPage(ModelsPageIndex);
        m_models->addFolder();
    });
    a.exportMd = a.file->addAction(QIcon(QStringLiteral(":/icons/export.svg")), QString(), this,
                                   [this] { m_chat->exportConversation(QStringLiteral("md")); });
    a.exportMd->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    a.file->addSeparator();
    a.quit = a.file->addAction(QString(), this, &QWidget::close);
    a.quit->setShortcut(QKeySequence::Quit);
    a.quit->setMenuRole(QAction::QuitRole);

    a.view = menuBar()->addMenu(QString());
    for (int i = 0; i < 5; ++i) {
        QAction* page = a.view->addAction(QString(), this, [this, i] { showPage(static_cast<Page>(i)); });
        page->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
        a.pages.push_back(page);
    }
    a.view->addSeparator();
    a.search = a.view->addAction(QString(), this, [this] {
        showPage(ChatPageIndex);
        m_chat->focusSearch();
    });
    a.search->setShortcut(QKeySequence::Find);
    a.overlay = a.view->addAction(QString());
    a.overlay->setCheckable(true);
    a.overlay->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    connect(a.overlay, &QAction::toggled, this, [this](bool on) {
        m_stallLabel->setVisible(on);
        if (on) {
            m_stallLabel->setText(tr("Longest GUI stall: %1 ms").arg(0.0, 0, 'f', 1));
            m_stall->start();
        } else {
            m_stall->stop();
        }
    });

    a.help = menuBar()->addMenu(QString());
    a.about = a.help->addAction(QString(), this, [this] {
        QMessageBox::about(
            this, tr("About Atelier"),
            tr("<h3>Atelier %1</h3><p>Chat with LLaMA-family models and fine-tune your own adapters, "
               "natively: C++, Qt and LibTorch, no Python.</p>")
                .arg(QApplication::applicationVersion()));
    });
    a.about->setMenuRole(QAction::AboutRole);

    // Send and stop work from anywhere in the window.
    auto* send = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    connect(send, &QShortcut::activated, this, [this] {
        if (currentPage() == ChatPageIndex) m_chat->send();
    });
    connect(m_chat, &ChatPage::busyChanged, a.newChat,
            [newChat = a.newChat](bool busy) { newChat->setEnabled(!busy); });
    auto* stop = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    connect(stop, &QShortcut::activated, this, [this] {
        if (m_chat->isGenerating())
            m_chat->stop();
        else
            m_chat->cancelEdit();
    });
}

void MainWindow::retranslate() {
    setWindowTitle(tr("Atelier"));
    const QStringList names = {tr("Chat"), tr("Models"), tr("Train"), tr("Runs"), tr("Settings")};
    for (int i = 0; i < names.size(); ++i) {
        m_navModel->item(i)->setText(names[i]);
        m_navModel->item(i)->setToolTip(
            tr("%1 (%2)").arg(names[i], m_actions->pages[i]->shortcut().toString(QKeySequence::NativeText)));
        m_actions->pages[i]->setText(names[i]);
    }
    if (m_trainNote) m_trainNote->setText(tr("The run store cannot be opened:\n%1").arg(m_runStoreError));
    if (m_runsNote) m_runsNote->setText(tr("The run store cannot be opened:\n%1").arg(m_runStoreError));
    if (!m_loaded.path.isEmpty()) {
        QString name = QFileInfo(m_loaded.path).fileName();
        for (const auto& record : m_store.models())
            if (record.path == m_loaded.path) name = record.name;
        m_modelStatus->setText(tr("%1 · %2 · %3 · context %4")
                                   .arg(name, m_loaded.dtype, m_loaded.device)
                                   .arg(m_loaded.contextLength));
    }
    Actions& a = *m_actions;
    a.file->setTitle(tr("&File"));
    a.newChat->setText(tr("&New chat"));
    a.addModel->setText(tr("&Add model folder…"));
    a.exportMd->setText(tr("&Export conversation…"));
    a.quit->setText(tr("&Quit"));
    a.view->setTitle(tr("&View"));
    a.search->setText(tr("&Search conversations"));
    a.overlay->setText(tr("&Performance overlay"));
    a.help->setTitle(tr("&Help"));
    a.about->setText(tr("&About Atelier"));
    m_stallLabel->setText(tr("Longest GUI stall: %1 ms").arg(m_stall->longestStallMs(), 0, 'f', 1));
}

void MainWindow::changeEvent(QEvent* e) {
    if (e->type() == QEvent::LanguageChange) {
        retranslate();
        statusBar()->clearMessage();  // a message from before the switch would stay in the old language
    }
    QMainWindow::changeEvent(e);
}

void MainWindow::showPage(Page page) {
    m_nav->setCurrentIndex(m_navModel->index(page, 0));
    m_pages->setCurrentIndex(page);
}

MainWindow::Page MainWindow::currentPage() const {
    return static_cast<Page>(m_pages->currentIndex());
}

void MainWindow::openModel(const QString& path) {
    const QString clean = normalizedModelPath(path);
    for (const auto& m : m_store.models()) {
        if (m.path == clean) {
            m_chat->setPreferredModel(m.path);
            return;
        }
    }
    m_pendingModel = path;
    m_models->addModel(path);
}

void MainWindow::closeEvent(QCloseEvent* e) {
    m_settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    QMainWindow::closeEvent(e);
}
