// The Train page's multimodal options: the stage (text only, projectors, projectors + adapter, or
// the ImageBind-LLM bind network), the encoder folders, whether the encoders train too, how video
// frames become tokens, and the projectors' learning rate. Every row but Stage is disabled while
// the stage is "Text only". The fields map onto atelier::MultimodalTrainConfig both ways; the
// fields it does not show (feature layer, projector depth...) keep the config's values, except
// that the projector types always agree with the stage (bind for the bind stage, else not bind).
//
//   auto* mm = new MultimodalOptions(parent);
//   connect(mm, &MultimodalOptions::stageChanged, page, &TrainPage::applyPreset);
//   atelier::TrainConfig c;
//   mm->apply(c.multimodal);   // fields -> config
//   mm->load(preset.multimodal);   // config -> fields (no signals)
#pragma once

#include "train_config.h"

#include <QGroupBox>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

class MultimodalOptions : public QGroupBox {
    Q_OBJECT
public:
    explicit MultimodalOptions(QWidget* parent = nullptr);

    void apply(atelier::MultimodalTrainConfig& config) const;
    void load(const atelier::MultimodalTrainConfig& config);
    QString stage() const;  // "" (text only) | "projector" | "projector+adapter" | "bind"
    int videoFrames() const;

    // Widgets the tests drive.
    QComboBox* stageBox() const { return m_stage; }
    QLineEdit* imageEncoderEdit() const { return m_imageEncoder; }
    QLineEdit* audioEncoderEdit() const { return m_audioEncoder; }
    QCheckBox* trainEncodersBox() const { return m_trainEncoders; }
    QComboBox* temporalBox() const { return m_temporal; }
    QSpinBox* framesBox() const { return m_frames; }
    QDoubleSpinBox* projectorLrBox() const { return m_projectorLr; }

Q_SIGNALS:
    void changed();       // any field, by the user (not by load())
    void stageChanged();  // the stage, by the user; changed() follows

protected:
    void changeEvent(QEvent* e) override;

private:
    void retranslate();
    void updateEnabled();
    void browse(QLineEdit* edit, const char* title);

    QComboBox* m_stage = nullptr;
    QLineEdit* m_imageEncoder = nullptr;
    QLineEdit* m_audioEncoder = nullptr;
    QPushButton* m_imageBrowse = nullptr;
    QPushButton* m_audioBrowse = nullptr;
    QCheckBox* m_trainEncoders = nullptr;
    QComboBox* m_temporal = nullptr;
    QSpinBox* m_frames = nullptr;
    QDoubleSpinBox* m_projectorLr = nullptr;
    QVector<QPair<QLabel*, const char*>> m_labels;  // form labels and their source text (QT_TR_NOOP)
    QVector<QPair<QWidget*, const char*>> m_tips;   // tooltips likewise
    QVector<QWidget*> m_multimodalRows;             // disabled while the stage is "Text only"
};
