#include "multimodal_options.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>

#include <algorithm>

MultimodalOptions::MultimodalOptions(QWidget* parent) : QGroupBox(parent) {
    setObjectName(QStringLiteral("multimodalOptions"));
    auto* form = new QFormLayout(this);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    auto row = [&](const char* label, QWidget* field, const char* tip) {
        auto* lab = new QLabel(this);
        lab->setBuddy(field);
        m_labels.push_back({lab, label});
        m_tips.push_back({field, tip});
        form->addRow(lab, field);
        if (field != m_stage) m_multimodalRows << lab << field;
    };
    auto folderRow = [&](QLineEdit*& edit, QPushButton*& button, const char* name) {
        auto* w = new QWidget(this);
        auto* h = new QHBoxLayout(w);
        h->setContentsMargins(0, 0, 0, 0);
        edit = new QLineEdit(w);
        edit->setObjectName(QString::fromLatin1(name));
        button = new QPushButton(w);
        h->addWidget(edit, 1);
        h->addWidget(button);
        return w;
    };

    m_stage = new QComboBox(this);
    m_stage->setObjectName(QStringLiteral("mmStageBox"));
    m_stage->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);  // narrow left pane
    m_stage->setMinimumContentsLength(12);
    for (const char* s : {"", "projector", "projector+adapter", "bind"})
        m_stage->addItem(QString(), QString::fromLatin1(s));
    row(QT_TR_NOOP("Stage"), m_stage,
        QT_TR_NOOP("Text only: the adapter learns from the text, as before. Stage 1 trains projectors that "
                   "turn the encoders' features into tokens of the frozen model (LLaVA, AnyMAL); stage 2 "
                   "trains the projectors and the adapter above; the bind network (ImageBind-LLM) adds the "
                   "media to every layer through gates that start at zero."));
    row(QT_TR_NOOP("Image encoder"), folderRow(m_imageEncoder, m_imageBrowse, "mmImageEncoderEdit"),
        QT_TR_NOOP("Folder of a CLIP-style vision encoder; a multimodal bundle brings its own"));
    row(QT_TR_NOOP("Audio encoder"), folderRow(m_audioEncoder, m_audioBrowse, "mmAudioEncoderEdit"),
        QT_TR_NOOP("Folder of a Whisper-style audio encoder; a multimodal bundle brings its own"));
    m_trainEncoders = new QCheckBox(this);
    m_trainEncoders->setObjectName(QStringLiteral("mmTrainEncodersBox"));
    row(QT_TR_NOOP("Encoders"), m_trainEncoders,
        QT_TR_NOOP("Unfreeze the encoders (for small encoders trained from scratch). Frozen encoders are "
                   "run once per file and their features cached."));
    m_temporal = new QComboBox(this);
    m_temporal->setObjectName(QStringLiteral("mmTemporalBox"));
    for (const char* t : {"qformer", "dct", "perceiver", ""})
        m_temporal->addItem(QString(), QString::fromLatin1(t));
    row(QT_TR_NOOP("Video temporal module"), m_temporal,
        QT_TR_NOOP("How a video's sampled frames become tokens: a Q-Former (Video-LLaMA), a space-time DCT "
                   "(each frame pooled to a small grid, then the mean frame and how each cell changes over "
                   "time; learns motion fast) or a Perceiver over all frames; None passes every frame on as "
                   "image tokens. The bind network has none."));
    m_frames = new QSpinBox(this);
    m_frames->setObjectName(QStringLiteral("mmFramesBox"));
    m_frames->setRange(1, 64);
    m_frames->setValue(8);
    row(QT_TR_NOOP("Frames per video"), m_frames, QT_TR_NOOP("Frames sampled evenly through each video"));
    m_projectorLr = new QDoubleSpinBox(this);
    m_projectorLr->setObjectName(QStringLiteral("mmProjectorLrBox"));
    m_projectorLr->setRange(0, 1);
    m_projectorLr->setDecimals(6);
    m_projectorLr->setSingleStep(1e-5);
    row(QT_TR_NOOP("Projector learning rate"), m_projectorLr,
        QT_TR_NOOP("Peak learning rate of the projectors; 0 uses the learning rate above"));

    connect(m_stage, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        updateEnabled();
        Q_EMIT stageChanged();
        Q_EMIT changed();
    });
    connect(m_imageBrowse, &QPushButton::clicked, this,
            [this] { browse(m_imageEncoder, QT_TR_NOOP("Choose the image encoder folder")); });
    connect(m_audioBrowse, &QPushButton::clicked, this,
            [this] { browse(m_audioEncoder, QT_TR_NOOP("Choose the audio encoder folder")); });
    for (QLineEdit* e : {m_imageEncoder, m_audioEncoder})
        connect(e, &QLineEdit::textChanged, this, &MultimodalOptions::changed);
    connect(m_trainEncoders, &QCheckBox::toggled, this, &MultimodalOptions::changed);
    connect(m_temporal, qOverload<int>(&QComboBox::currentIndexChanged), this, &MultimodalOptions::changed);
    connect(m_frames, qOverload<int>(&QSpinBox::valueChanged), this, &MultimodalOptions::changed);
    connect(m_projectorLr, qOverload<double>(&QDoubleSpinBox::valueChanged), this,
            &MultimodalOptions::changed);
    updateEnabled();
    retranslate();
}

QString MultimodalOptions::stage() const {
    return m_stage->currentData().toString();
}

int MultimodalOptions::videoFrames() const {
    return m_frames->value();
}

void MultimodalOptions::apply(atelier::MultimodalTrainConfig& c) const {
    c.stage = stage().toStdString();
    c.image_encoder = m_imageEncoder->text().trimmed().toStdString();
    c.audio_encoder = m_audioEncoder->text().trimmed().toStdString();
    c.train_encoders = m_trainEncoders->isChecked();
    c.video_temporal = m_temporal->currentData().toString().toStdString();
    c.video_frames = m_frames->value();
    c.projector_lr = m_projectorLr->value();
    // The bind stage feeds the media through the bind network alone; the other stages make tokens.
    const atelier::MultimodalTrainConfig defaults;
    if (c.stage == "bind") {
        c.image_projector = c.audio_projector = "bind";
        c.video_temporal.clear();
    } else {
        if (c.image_projector == "bind") c.image_projector = defaults.image_projector;
        if (c.audio_projector == "bind") c.audio_projector = defaults.audio_projector;
    }
}

void MultimodalOptions::load(const atelier::MultimodalTrainConfig& c) {
    const QSignalBlocker blocks[] = {QSignalBlocker(m_stage),        QSignalBlocker(m_imageEncoder),
                                     QSignalBlocker(m_audioEncoder), QSignalBlocker(m_trainEncoders),
                                     QSignalBlocker(m_temporal),     QSignalBlocker(m_frames),
                                     QSignalBlocker(m_projectorLr)};
    m_stage->setCurrentIndex(std::max(0, m_stage->findData(QString::fromStdString(c.stage))));
    m_imageEncoder->setText(QString::fromStdString(c.image_encoder));
    m_audioEncoder->setText(QString::fromStdString(c.audio_encoder));
    m_trainEncoders->setChecked(c.train_encoders);
    m_temporal->setCurrentIndex(std::max(0, m_temporal->findData(QString::fromStdString(c.video_temporal))));
    m_frames->setValue(static_cast<int>(c.video_frames));
    m_projectorLr->setValue(c.projector_lr);
    updateEnabled();
}

void MultimodalOptions::updateEnabled() {
    const QString s = stage();
    for (QWidget* w : m_multimodalRows) w->setEnabled(!s.isEmpty());
    if (s == QLatin1String("bind")) {  // no temporal module: frames go through the bind network
        const QSignalBlocker block(m_temporal);
        m_temporal->setCurrentIndex(m_temporal->findData(QString()));
        m_temporal->setEnabled(false);
    }
}

void MultimodalOptions::browse(QLineEdit* edit, const char* title) {
    const QString dir = QFileDialog::getExistingDirectory(this, tr(title), edit->text());
    if (!dir.isEmpty()) edit->setText(dir);
}

void MultimodalOptions::retranslate() {
    setTitle(tr("Multimodal training"));
    for (const auto& [label, text] : m_labels) label->setText(tr(text));
    for (const auto& [field, text] : m_tips) field->setToolTip(tr(text));
    const QStringList stages = {tr("Text only"), tr("Projectors (stage 1)"),
                                tr("Projectors + adapter (stage 2)"), tr("Bind network (ImageBind-LLM)")};
    for (int i = 0; i < stages.size(); ++i) m_stage->setItemText(i, stages[i]);
    m_temporal->setItemText(0, QStringLiteral("Q-Former"));
    m_temporal->setItemText(1, tr("Space-time DCT"));
    m_temporal->setItemText(2, QStringLiteral("Perceiver"));
    m_temporal->setItemText(3, tr("None"));
    m_trainEncoders->setText(tr("Train the encoders too"));
    m_projectorLr->setSpecialValueText(tr("Same as the learning rate"));
    for (QPushButton* b : {m_imageBrowse, m_audioBrowse}) b->setText(tr("Browse…"));
    for (QLineEdit* e : {m_imageEncoder, m_audioEncoder}) e->setPlaceholderText(tr("A folder"));
}

void MultimodalOptions::changeEvent(QEvent* e) {
    if (e->type() == QEvent::LanguageChange) retranslate();
    QGroupBox::changeEvent(e);
}
