// The Chat page: conversation list (new, rename, delete, search), the message view, the composer,
// and per-conversation settings (model, system prompt, template, sampling).
//
// Replies stream from a ChatEngine on its own thread. Text is coalesced to at most one view update
// per frame and saved to the store twice a second while it streams, so a crash loses at most the
// last half second of the unfinished reply, which is then shown as interrupted.
#pragma once

#include "app_settings.h"
#include "chat_store.h"
#include "engine_types.h"

#include <QElapsedTimer>
#include <QThread>
#include <QTimer>
#include <QWidget>

class ChatEngine;
class Composer;
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

    qint64 currentConversationId() const { return m_conversation.id; }
    bool isGenerating() const { return m_generating; }
    void setEngineSettings(const EngineSettings& settings);
    // The model a new conversation uses when the library's default is not wanted (atelier --model).
    void setPreferredModel(const QString& path);

    // Widgets the tests and the main window drive.
    ChatEngine* engine() const { return m_engine; }
    QListView* messageView() const { return m_messageView; }
    QListView* conversationView() const { return m_conversationView; }
    MessageListModel* messageModel() const { return m_messages; }
    ConversationListModel* conversationModel() const { return m_conversations; }
    MessageDelegate* messageDelegate() const { return m_delegate; }
    Composer* composer() const { return m_composer; }
    QPushButton* sendButton() const { return m_send; }
    QPushButton* stopButton() const { return m_stop; }
    QLineEdit* searchField() const { return m_search; }
    QLabel* errorBanner() const { return m_banner; }
    QComboBox* modelBox() const { return m_modelBox; }
    QLabel* adapterLabel() const { return m_adapterLabel; }
    QString adapterPath() const { return m_conversation.adapterPath; }
    QComboBox* templateBox() const { return m_templateBox; }
    QDoubleSpinBox* temperatureBox() const { return m_temperature; }
    QDoubleSpinBox* repeatPenaltyBox() const { return m_repeatPenalty; }
    QSpinBox* maxTokensBox() const { return m_maxTokens; }
    QSpinBox* seedBox() const { return m_seed; }
    QPlainTextEdit* systemPromptEdit() const { return m_system; }

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
    void retranslate();
    void startReply();
    void onText(const QString& piece);
    void flushPending();
    void onFinished(const GenerationStats& stats);
    void onFailed(const EngineError& error);
    void setGenerating(bool generating);
    void showBanner(const QString& text);
    void saveConversationSettings();
    void loadConversationSettings();
    void updateEmptyState();
    void updateAdapterChip();
    QString modelPathForConversation() const;
    QString modelName(const QString& path) const;
    void scrollToBottomIfFollowing(bool following);
    bool atBottom() const;
    // Runs a store operation; a database error shows in the banner instead of escaping a slot.
    template <typename F>
    bool guarded(F&& f);

    ChatStore& m_store;
    AppSettings& m_settings;
    QThread m_thread;
    ChatEngine* m_engine = nullptr;

    ConversationListModel* m_conversations = nullptr;
    MessageListModel* m_messages = nullptr;
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
    QPushButton* m_send = nullptr;
    QPushButton* m_stop = nullptr;

    QWidget* m_settingsPanel = nullptr;
    QLabel* m_settingsHeading = nullptr;
    QLabel* m_systemLabel = nullptr;
    QPlainTextEdit* m_system = nullptr;
    QComboBox* m_templateBox = nullptr;
    QDoubleSpinBox* m_temperature = nullptr;
    QDoubleSpinBox* m_topP = nullptr;
    QSpinBox* m_topK = nullptr;
    QDoubleSpinBox* m_minP = nullptr;
    QSpinBox* m_maxTokens = nullptr;
    QDoubleSpinBox* m_repeatPenalty = nullptr;
    QSpinBox* m_seed = nullptr;
    QVector<QLabel*> m_formLabels;

    ConversationRecord m_conversation;  // id 0: a draft, created on the first message
    QString m_preferredModel;
    bool m_loadingSettings = false;

    bool m_generating = false;
    int m_replyRow = -1;
    MessageRecord m_reply;
    QString m_pending;
    QTimer m_flushTimer;
    QElapsedTimer m_sinceSave;
    qint64 m_editingId = 0;
    bool m_loadFailedDuringReply = false;
    bool m_closing = false;
    CancelToken m_replyCancel = makeCancelToken();
    CancelToken m_preloadCancel = makeCancelToken();
    QString m_preloadPath, m_replyModelPath;
};
