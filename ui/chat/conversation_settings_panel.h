// The right-hand panel of the chat page: this conversation's system prompt, chat template and
// sampling. A widget only: it shows settings and says when the user changed them; the chat
// controller stores them.
//
//   auto* panel = new ConversationSettingsPanel(parent);
//   panel->setSettings(conversation);   // no settingsEdited() for this
//   connect(panel, &ConversationSettingsPanel::settingsEdited, ...);
#pragma once

#include "chat_store.h"

#include <QVector>
#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPlainTextEdit;
class QSpinBox;

class ConversationSettingsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ConversationSettingsPanel(QWidget* parent = nullptr);

    // Shows `c`'s system prompt, template and sampling without emitting settingsEdited().
    void setSettings(const ConversationRecord& c);
    // Copies what the panel shows into `c` (system prompt, template, sampling).
    void readInto(ConversationRecord& c) const;

    QPlainTextEdit* systemPromptEdit() const { return m_system; }
    QComboBox* templateBox() const { return m_templateBox; }
    QDoubleSpinBox* temperatureBox() const { return m_temperature; }
    QDoubleSpinBox* repeatPenaltyBox() const { return m_repeatPenalty; }
    QSpinBox* maxTokensBox() const { return m_maxTokens; }
    QSpinBox* seedBox() const { return m_seed; }

Q_SIGNALS:
    void settingsEdited();

protected:
    void changeEvent(QEvent* e) override;

private:
    void retranslate();
    void edited();

    QLabel* m_heading = nullptr;
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
    bool m_loading = false;
};
