#include "conversation_settings_panel.h"

#include "widgets.h"

#include "chat/chat_template.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSpinBox>

#include <limits>

ConversationSettingsPanel::ConversationSettingsPanel(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("conversationSettings"));
    auto* form = new QFormLayout(this);
    // Labels above their fields: the panel is narrow, and the template names need its whole width.
    form->setRowWrapPolicy(QFormLayout::WrapAllRows);
    m_heading = new QLabel(this);
    QFont bold = m_heading->font();
    bold.setBold(true);
    m_heading->setFont(bold);
    form->addRow(m_heading);
    m_systemLabel = new QLabel(this);
    form->addRow(m_systemLabel);
    m_system = new QPlainTextEdit(this);
    m_system->setObjectName(QStringLiteral("systemPrompt"));
    m_system->setMaximumHeight(110);
    form->addRow(m_system);
    m_templateBox = new QComboBox(this);
    m_templateBox->setObjectName(QStringLiteral("templateBox"));
    // "" = the model's own template, then core's templates, then "none" (raw continuation).
    m_templateBox->addItem(QString(), QString());
    for (const std::string& name : atelier::ChatTemplate::names())
        m_templateBox->addItem(QString::fromStdString(atelier::ChatTemplate::by_name(name).title()),
                               QString::fromStdString(name));
    m_templateBox->addItem(QString(), QStringLiteral("none"));
    m_temperature = makeDoubleBox(this, 0, 5, 2, 0.05);
    m_topP = makeDoubleBox(this, 0.01, 1, 2, 0.05);
    m_topK = new QSpinBox(this);
    m_topK->setRange(0, 100000);
    m_minP = makeDoubleBox(this, 0, 1, 2, 0.01);
    m_maxTokens = new QSpinBox(this);
    m_maxTokens->setRange(1, 1 << 20);
    m_repeatPenalty = makeDoubleBox(this, 1, 3, 2, 0.05);
    m_seed = new QSpinBox(this);
    m_seed->setRange(-1, std::numeric_limits<int>::max());
    QWidget* fields[] = {m_templateBox, m_temperature, m_topP,          m_topK,
                         m_minP,        m_maxTokens,   m_repeatPenalty, m_seed};
    for (QWidget* w : fields) {
        auto* label = new QLabel(this);
        label->setBuddy(w);
        m_formLabels.push_back(label);
        form->addRow(label, w);
    }

    connect(m_system, &QPlainTextEdit::textChanged, this, &ConversationSettingsPanel::edited);
    connect(m_templateBox, qOverload<int>(&QComboBox::currentIndexChanged), this,
            &ConversationSettingsPanel::edited);
    for (QDoubleSpinBox* box : {m_temperature, m_topP, m_minP, m_repeatPenalty})
        connect(box, qOverload<double>(&QDoubleSpinBox::valueChanged), this,
                &ConversationSettingsPanel::edited);
    for (QSpinBox* box : {m_topK, m_maxTokens, m_seed})
        connect(box, qOverload<int>(&QSpinBox::valueChanged), this, &ConversationSettingsPanel::edited);
    retranslate();
}

void ConversationSettingsPanel::edited() {
    if (!m_loading) Q_EMIT settingsEdited();
}

void ConversationSettingsPanel::setSettings(const ConversationRecord& c) {
    m_loading = true;
    const SamplingSettings& s = c.sampling;
    m_system->setPlainText(c.systemPrompt);
    m_templateBox->setCurrentIndex(std::max(0, m_templateBox->findData(c.templateName)));
    m_temperature->setValue(s.temperature);
    m_topP->setValue(s.topP);
    m_topK->setValue(s.topK);
    m_minP->setValue(s.minP);
    m_maxTokens->setValue(s.maxTokens);
    m_repeatPenalty->setValue(s.repeatPenalty);
    m_seed->setValue(static_cast<int>(std::min<qint64>(s.seed, std::numeric_limits<int>::max())));
    m_loading = false;
}

void ConversationSettingsPanel::readInto(ConversationRecord& c) const {
    c.systemPrompt = m_system->toPlainText();
    c.templateName = m_templateBox->currentData().toString();
    SamplingSettings& s = c.sampling;
    s.temperature = m_temperature->value();
    s.topP = m_topP->value();
    s.topK = m_topK->value();
    s.minP = m_minP->value();
    s.maxTokens = m_maxTokens->value();
    s.repeatPenalty = m_repeatPenalty->value();
    s.seed = m_seed->value();
}

void ConversationSettingsPanel::retranslate() {
    m_heading->setText(tr("Conversation settings"));
    m_systemLabel->setText(tr("System prompt"));
    m_system->setPlaceholderText(tr("Optional instructions for the model, e.g. \"Answer briefly.\""));
    m_templateBox->setItemText(0, tr("Model default"));
    m_templateBox->setItemText(m_templateBox->count() - 1, tr("None: continue the text"));
    m_seed->setSpecialValueText(tr("Random"));
    const QStringList labels = {
        tr("Chat template"), tr("Temperature"),        tr("Top-p"), tr("Top-k"), tr("Min-p"),
        tr("Max tokens"),    tr("Repetition penalty"), tr("Seed")};
    const QStringList tips = {
        tr("How the conversation is laid out for the model. \"None\" continues your text as written."),
        tr("Randomness: 0 always picks the most likely token; higher values are more varied."),
        tr("Sample only from the most likely tokens whose probabilities add up to this."),
        tr("Sample only from this many most likely tokens (0 = no limit)."),
        tr("Drop tokens less likely than this fraction of the most likely one (0 = off)."),
        tr("The longest reply, in tokens."),
        tr("Makes repeating recent tokens less likely (1 = off)."),
        tr("The same seed and settings give the same reply; Random picks a new one each time.")};
    for (int i = 0; i < m_formLabels.size(); ++i) {
        m_formLabels[i]->setText(labels[i]);
        m_formLabels[i]->buddy()->setToolTip(tips[i]);
    }
}

void ConversationSettingsPanel::changeEvent(QEvent* e) {
    if (e->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(e);
}
