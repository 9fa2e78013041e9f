// The Chat page: conversation list (new, rename, delete, search), the message view, the composer,
// and the conversation settings panel. Layout and signals only: ChatController holds the
// conversation, talks to the engine and writes the store; this page shows it and asks the user
// (confirmations, file pickers).
#pragma once

#include "app_settings.h"
#include "chat_store.h"
#include "engine_types.h"

#include <QTimer>
#include <QWidget>

class ChatController;
class ChatEngine;
class Composer;
class ConversationSettingsPanel;
class ConversationListModel;
class MessageDelegate;
class MessageListModel;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListView;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QSplitter;
class QStackedWidget;
class QToolButton;

class ChatPage : public QWidget {
    Q_OBJECT
public:
    ChatPage(ChatStore& store, AppSettings& settings, QWidget* parent = nullptr);
    ~ChatPage() override;

    qint64 currentConversationId() const;
    bool isGenerating() const;
    void setEngineSettings(const EngineSettings& settings);
    void setAudioInput(const QString& name);  // the microphone chosen in Settings ("" = default)
    // The model a new conversation uses when the library's default is not wanted (atelier --model).
    void setPreferredModel(const QString& path);

    // Widgets the tests and the main window drive.
    ChatController* controller() const { return m_chat; }
    ChatEngine* engine() const;
    QListView* messageView() const { return m_messageView; }
    QListView* conversationView() const { return m_conversationView; }
    MessageListModel* messageModel() const;
    ConversationListModel* conversationModel() const;
    MessageDelegate* messageDelegate() const { return m_delegate; }
    Composer* composer() const { return m_composer; }
    QPushButton* sendButton() const { return m_send; }
    QToolButton* attachButton() const { return m_attach; }
    QToolButton* recordButton() const { return m_record; }
    QProgressBar* contextMeter() const { return m_contextMeter; }
    QPushButton* stopButton() const { return m_stop; }
    QLineEdit* searchField() const { return m_search; }
    QLabel* errorBanner() const { return m_banner; }
    QComboBox* modelBox() const { return m_modelBox; }
    QLabel* adapterLabel() const { return m_adapterLabel; }
    QString adapterPath() const;
    QComboBox* templateBox() const;
    QDoubleSpinBox* temperatureBox() const;
    QDoubleSpinBox* repeatPenaltyBox() const;
    QSpinBox* maxTokensBox() const;
    QSpinBox* seedBox() const;
    QPlainTextEdit* systemPromptEdit() const;

public Q_SLOTS:
    void newConversation();
    // A new chat with `modelPath` and a trained adapter attached (the Runs page's "Chat with this adapter").
    void chatWithAdapter(const QString& modelPath, const QString& adapterPath, const QString& title);
    void detachAdapter();  // this conversation goes on with the base model
    void openConversation(qint64 id);
    void deleteConversation(qint64 id);
    void renameConversation(qint64 id);
    void send();
    void stop();
    void regenerate();
    void startEdit(int row);
    void cancelEdit();
    void exportConversation(const QString& format);  // "md" | "json": asks where, then writes
    void focusSearch();
    void reloadModels();  // the model library changed
    void attachFiles();

Q_SIGNALS:
    void generationFinished();
    void busyChanged(bool busy);
    void modelReady(const LoadedModel& model);
    void manageModelsRequested();
    void statusMessage(const QString& text);

protected:
    void changeEvent(QEvent* e) override;
    void dragEnterEvent(QDragEnterEvent* e) override;
    void dropEvent(QDropEvent* e) override;

private:
    void buildUi();
    void connectController();
    void retranslate();
    void showConversation();  // title, settings, adapter chip, list selection of the current one
    void setGenerating(bool generating);
    void showBanner(const QString& text);
    void updateEmptyState();
    void updateAdapterChip();
    void selectModelBoxEntry();
    void updateMediaTips();  // what the attach and record buttons say about this model
    void showContext(const ContextUse& use);
    bool atBottom() const;

    ChatStore& m_store;
    AppSettings& m_settings;
    ChatController* m_chat = nullptr;
    MessageDelegate* m_delegate = nullptr;

    QSplitter* m_splitter = nullptr;
    QLineEdit* m_search = nullptr;
    QPushButton* m_newButton = nullptr;
    QListView* m_conversationView = nullptr;
    QLabel* m_title = nullptr;
    QComboBox* m_modelBox = nullptr;
    QLabel* m_adapterLabel = nullptr;
    QToolButton* m_adapterClear = nullptr;
    QToolButton* m_exportButton = nullptr;
    QToolButton* m_settingsToggle = nullptr;
    QWidget* m_loadRow = nullptr;
    QLabel* m_loadLabel = nullptr;
    QProgressBar* m_loadBar = nullptr;
    QPushButton* m_cancelLoad = nullptr;
    QStackedWidget* m_center = nullptr;
    QLabel* m_emptyLabel = nullptr;
    QPushButton* m_emptyButton = nullptr;
    QListView* m_messageView = nullptr;
    QLabel* m_banner = nullptr;
    QWidget* m_editRow = nullptr;
    QLabel* m_editLabel = nullptr;
    QPushButton* m_editCancel = nullptr;
    Composer* m_composer = nullptr;
    QToolButton* m_attach = nullptr;
    QToolButton* m_record = nullptr;
    QProgressBar* m_contextMeter = nullptr;
    QTimer m_measureTimer;  // the context meter, measured 300 ms after the draft stops changing
    QPushButton* m_send = nullptr;
    QPushButton* m_stop = nullptr;
    ConversationSettingsPanel* m_settingsPanel = nullptr;

    bool m_following = true;  // the view showed the end of the reply before it grew
    bool m_fillingModels = false;
};
