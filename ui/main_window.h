// The studio's main window: a sidebar (Chat, Models, Train, Runs, Settings) beside a stack of
// pages, a menu bar with the keyboard shortcuts, and a status bar with the loaded model and, on
// request (View > Performance overlay), the longest GUI-thread stall.
//
//   AppSettings settings(dataDirOrEmpty);
//   ChatStore store(settings.dataDir() + "/atelier.db");
//   MainWindow window(settings, store);  window.show();   // runs: <data dir>/runs.db
#pragma once

#include "app_settings.h"
#include "chat_store.h"
#include "engine_types.h"

#include <QMainWindow>

#include <memory>

namespace atelier {
class RunStore;
}
class ChatPage;
class RunsPage;
class TrainPage;
class ModelsPage;
class QLabel;
class QListView;
class QStackedWidget;
class QStandardItemModel;
class SettingsPage;
class StallMonitor;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    enum Page { ChatPageIndex, ModelsPageIndex, TrainPageIndex, RunsPageIndex, SettingsPageIndex };

    MainWindow(AppSettings& settings, ChatStore& store, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Adds `path` to the library when it is not there (validating it) and makes new chats use it.
    void openModel(const QString& path);
    void showPage(Page page);
    Page currentPage() const;

    ChatPage* chatPage() const { return m_chat; }
    ModelsPage* modelsPage() const { return m_models; }
    SettingsPage* settingsPage() const { return m_settingsPage; }
    RunsPage* runsPage() const { return m_runs; }     // null when the run store cannot be opened
    TrainPage* trainPage() const { return m_train; }  // likewise
    QString runStorePath() const;
    StallMonitor* stallMonitor() const { return m_stall; }
    QListView* sidebar() const { return m_nav; }

protected:
    void closeEvent(QCloseEvent* e) override;
    void changeEvent(QEvent* e) override;

private:
    void buildMenus();
    void retranslate();
    QWidget* placeholderPage(const QString& objectName, QLabel** note);

    AppSettings& m_settings;
    ChatStore& m_store;
    QListView* m_nav = nullptr;
    QStandardItemModel* m_navModel = nullptr;
    QStackedWidget* m_pages = nullptr;
    ChatPage* m_chat = nullptr;
    ModelsPage* m_models = nullptr;
    SettingsPage* m_settingsPage = nullptr;
    std::unique_ptr<atelier::RunStore> m_runStore;
    RunsPage* m_runs = nullptr;
    TrainPage* m_train = nullptr;
    QLabel* m_trainNote = nullptr;
    QLabel* m_runsNote = nullptr;  // only when the run store cannot be opened
    QLabel* m_modelStatus = nullptr;
    QLabel* m_stallLabel = nullptr;
    StallMonitor* m_stall = nullptr;
    QString m_pendingModel;
    QString m_runStoreError;
    class QSystemTrayIcon* m_tray = nullptr;
    LoadedModel m_loaded;  // shown in the status bar
    struct Actions;
    Actions* m_actions = nullptr;
};
