// The reply lifecycle of the chat page: sending a message, streaming the reply from the engine into
// the view and the store, finishing or failing it, stop, regenerate and edit-and-resend.
#include "chat_page.h"
#include "chat_page_private.h"

#include "chat_engine.h"
#include "chat_export.h"
#include "composer.h"
#include "conversation_list_model.h"
#include "error_text.h"
#include "message_delegate.h"
#include "message_list_model.h"
#include "widgets.h"

#include "common/error.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QToolButton>
#include <QVBoxLayout>

using namespace chat_page_detail;

void ChatPage::send() {
    if (m_generating) return;
    const QString text = m_composer->text().trimmed();
    const QVector<AttachmentRecord> attachments = m_composer->attachments();
    if (text.isEmpty() && attachments.isEmpty()) return;
    if (m_modelBox->count() == 0) {
        showBanner(tr("Add a model on the Models page first."));
        return;
    }
    m_banner->hide();
    saveConversationSettings();
    MessageRecord user;
    user.role = QStringLiteral("user");
    user.content = text;
    user.attachments = attachments;
    const bool saved = guarded([&] {
        if (m_conversation.id == 0) {
            if (m_conversation.adapterPath.isEmpty() || m_conversation.title == tr("New chat"))
                m_conversation.title = titleFrom(text.isEmpty() ? tr("Attachments") : text);
            m_conversation.id = m_store.createConversation(m_conversation.title, m_conversation.modelPath);
            m_store.updateConversation(m_conversation);  // the draft's system prompt, template and sampling
            m_title->setText(m_conversation.title);
        }
        user.conversationId = m_conversation.id;
        if (m_editingId != 0) {
            // The edited message and everything after it are replaced, in one transaction.
            m_store.replaceMessagesFrom(m_conversation.id, m_editingId, user);
            const int row = m_messages->rowOf(m_editingId);
            if (row >= 0) m_messages->removeFrom(row);
            m_editingId = 0;
            m_editRow->hide();
        } else {
            m_store.addMessage(user);
        }
    });
    if (!saved) return;  // the composer keeps the text
    m_messages->append(user);
    m_composer->clear();
    m_search->clear();
    m_conversations->reload();
    m_conversationView->setCurrentIndex(m_conversations->index(m_conversations->rowOf(m_conversation.id)));
    startReply();
}

void ChatPage::startReply() {
    const QString modelPath = modelPathForConversation();
    m_reply = MessageRecord();
    m_reply.conversationId = m_conversation.id;
    m_reply.role = QStringLiteral("assistant");
    m_reply.status = QStringLiteral("generating");
    m_reply.model = modelName(modelPath);

    GenerationRequest request;
    request.modelPath = modelPath;
    request.adapterPath = m_conversation.adapterPath;
    request.templateName = m_conversation.templateName;
    request.systemPrompt = m_conversation.systemPrompt;
    request.sampling = m_conversation.sampling;
    for (const auto& m : m_messages->messages())
        if (m.role == QLatin1String("user") || (m.role == QLatin1String("assistant") && !m.content.isEmpty()))
            request.turns.push_back({m.role, m.content, m.attachments});

    if (!guarded([&] { m_store.addMessage(m_reply); })) return;
    m_replyCancel = request.cancel;
    m_replyModelPath = modelPath;
    if (m_preloadPath != modelPath) m_preloadCancel->store(true);  // the reply needs another model
    m_messages->append(m_reply);
    m_replyRow = m_messages->rowCount() - 1;
    m_pending.clear();
    m_loadFailedDuringReply = false;
    m_sinceSave.start();
    setGenerating(true);
    updateEmptyState();
    m_messageView->scrollToBottom();
    QMetaObject::invokeMethod(
        m_engine, [e = m_engine, request] { e->generate(request); }, Qt::QueuedConnection);
}

void ChatPage::onText(const QString& piece) {
    if (!m_generating) return;
    m_pending += piece;
    if (!m_flushTimer.isActive()) m_flushTimer.start();
}

void ChatPage::flushPending() {
    if (m_pending.isEmpty() || m_replyRow < 0) return;
    const bool following = atBottom();
    m_reply.content += m_pending;
    m_messages->appendText(m_replyRow, m_pending);
    m_pending.clear();
    if (m_sinceSave.elapsed() >= kSaveIntervalMs) {
        guarded([&] { m_store.updateMessage(m_reply); });
        m_sinceSave.restart();
    }
    scrollToBottomIfFollowing(following);
}

void ChatPage::onFinished(const GenerationStats& stats) {
    if (!m_generating) return;
    m_flushTimer.stop();
    flushPending();
    const bool cancelled = stats.stopReason == QLatin1String("cancelled");
    if (cancelled && m_reply.content.isEmpty()) {
        // Stopped before the first word: there is no reply to keep.
        guarded([&] { m_store.deleteMessagesFrom(m_conversation.id, m_reply.id); });
        m_messages->removeFrom(m_replyRow);
    } else {
        m_reply.tokens = stats.tokens;
        m_reply.tokensPerSecond = stats.tokensPerSecond;
        // Cut off by the window closing, not by the user's Stop: interrupted.
        m_reply.status = !cancelled  ? QStringLiteral("complete")
                         : m_closing ? QStringLiteral("interrupted")
                                     : QStringLiteral("stopped");
        guarded([&] { m_store.updateMessage(m_reply); });
        m_messages->update(m_replyRow, m_reply);
    }
    if (stats.skippedMedia == 1)
        Q_EMIT statusMessage(tr("An attachment was not sent: this model cannot read it."));
    else if (stats.skippedMedia > 1)
        Q_EMIT statusMessage(
            tr("%1 attachments were not sent: this model cannot read them.").arg(stats.skippedMedia));
    if (stats.droppedTurns > 0)
        Q_EMIT statusMessage(tr("The conversation is longer than the model's context: the oldest %1 messages "
                                "were left out.")
                                 .arg(stats.droppedTurns));
    guarded([&] { m_store.touchConversation(m_conversation.id); });
    m_conversations->reload();
    setGenerating(false);
    updateEmptyState();
    Q_EMIT generationFinished();
}

void ChatPage::onFailed(const EngineError& error) {
    if (!m_generating) return;
    m_flushTimer.stop();
    flushPending();
    const bool cancelled = error.code == static_cast<int>(atelier::ErrorCode::Cancelled);
    if (m_reply.content.isEmpty()) {
        // Nothing was written: no reply to keep.
        guarded([&] { m_store.deleteMessagesFrom(m_conversation.id, m_reply.id); });
        m_messages->removeFrom(m_replyRow);
    } else {
        m_reply.status = cancelled ? QStringLiteral("stopped") : QStringLiteral("failed");
        guarded([&] { m_store.updateMessage(m_reply); });
        m_messages->update(m_replyRow, m_reply);
    }
    if (!cancelled && !m_loadFailedDuringReply)
        showBanner(tr("The model could not answer.") + QLatin1Char('\n') + errorText(error));
    setGenerating(false);
    updateEmptyState();
    Q_EMIT generationFinished();
}

void ChatPage::setGenerating(bool generating) {
    m_generating = generating;
    if (!generating) m_replyRow = -1;
    m_send->setVisible(!generating);
    m_stop->setVisible(generating);
    m_send->setEnabled(!generating && m_modelBox->count() > 0);
    m_newButton->setEnabled(!generating);
    m_conversationView->setEnabled(!generating);
    m_modelBox->setEnabled(!generating);
    Q_EMIT busyChanged(generating);
}

void ChatPage::stop() {
    if (m_generating) m_replyCancel->store(true);
}

void ChatPage::regenerate() {
    if (m_generating || m_messages->rowCount() == 0) return;
    const int last = m_messages->rowCount() - 1;
    const MessageRecord& m = m_messages->at(last);
    if (m.role == QLatin1String("assistant")) {
        if (!guarded([&] { m_store.deleteMessagesFrom(m_conversation.id, m.id); })) return;
        m_messages->removeFrom(last);
    }
    if (m_messages->rowCount() == 0 ||
        m_messages->at(m_messages->rowCount() - 1).role != QLatin1String("user"))
        return;
    m_banner->hide();
    startReply();
}

void ChatPage::startEdit(int row) {
    if (m_generating || row < 0 || row >= m_messages->rowCount()) return;
    const MessageRecord& m = m_messages->at(row);
    if (m.role != QLatin1String("user")) return;
    m_editingId = m.id;
    m_composer->setText(m.content);
    m_composer->setAttachments(m.attachments);
    m_editRow->show();
    m_composer->editor()->setFocus();
}

void ChatPage::cancelEdit() {
    if (m_editingId == 0) return;
    m_editingId = 0;
    m_editRow->hide();
    m_composer->clear();
}
