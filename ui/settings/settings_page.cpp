#include "settings_page.h"

#include "background_pool.h"
#include "voice_recorder.h"
#include "widgets.h"

#include "capture/audio_capture.h"
#include "model/llama.h"

#include <QComboBox>
#include <QEvent>
#include <QFileDialog>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QThread>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

SettingsPage::SettingsPage(AppSettings& settings, QWidget* parent) : QWidget(parent), m_settings(settings) {
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(16, 12, 16, 12);
    m_heading = makePageHeading(this);
    outer->addWidget(m_heading);
    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    outer->addLayout(form);
    outer->addStretch(1);

    m_theme = new QComboBox(this);
    m_theme->setObjectName(QStringLiteral("themeBox"));
    for (const char* t : {"system", "light", "dark"}) m_theme->addItem(QString(), QString::fromLatin1(t));
    m_language = new QComboBox(this);
    m_language->setObjectName(QStringLiteral("languageBox"));
    m_language->addItem(QString(), QString());
    for (const auto& [code, name] : availableLanguages()) m_language->addItem(name, code);
    m_threads = new QSpinBox(this);
    m_threads->setRange(0, 256);
    m_dtype = new QComboBox(this);
    for (const char* d : {"auto", "f32", "bf16", "f16"}) m_dtype->addItem(QString(), QString::fromLatin1(d));
    m_device = new QComboBox(this);
    m_device->addItem(QString(), QStringLiteral("cpu"));
    m_device->addItem(QString(), QStringLiteral("cuda"));
    m_device->addItem(QString(), QStringLiteral("mps"));
    m_microphone = new QComboBox(this);
    m_microphone->setObjectName(QStringLiteral("microphoneBox"));
    m_microphone->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_microphone->addItem(QString(), QString());
    auto* dataRow = new QWidget(this);
    auto* dataLayout = new QHBoxLayout(dataRow);
    dataLayout->setContentsMargins(0, 0, 0, 0);
    m_dataDir = new QLineEdit(dataRow);
    m_dataDir->setMinimumWidth(360);
    m_browse = new QPushButton(dataRow);
    dataLayout->addWidget(m_dataDir, 1);
    dataLayout->addWidget(m_browse);
    m_dataNote = new QLabel(this);
    m_dataNote->setWordWrap(true);
    m_dataNote->setMinimumWidth(440);  // the form keeps fields at their size hint; give the note room

    for (QWidget* w : std::initializer_list<QWidget*>{m_theme, m_language, m_threads, m_dtype, m_device,
                                                      m_microphone, dataRow}) {
        auto* label = new QLabel(this);
        label->setBuddy(w);
        m_labels.push_back(label);
        form->addRow(label, w);
    }
    form->addRow(QString(), m_dataNote);

    // Current values.
    m_theme->setCurrentIndex(std::max(0, m_theme->findData(settings.theme())));
    m_language->setCurrentIndex(std::max(0, m_language->findData(settings.language())));
    const EngineSettings e = settings.engine();
    m_threads->setValue(e.threads);
    m_dtype->setCurrentIndex(std::max(0, m_dtype->findData(e.dtype)));
    m_device->setCurrentIndex(std::max(0, m_device->findData(e.device)));
    m_dataDir->setText(settings.dataDir());
    m_dataDir->setEnabled(!settings.dataDirOverridden());
    m_browse->setEnabled(!settings.dataDirOverridden());

    connect(m_theme, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        m_settings.setTheme(m_theme->currentData().toString());
        applyTheme(m_settings.theme());
    });
    connect(m_language, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        m_settings.setLanguage(m_language->currentData().toString());
        installTranslations(m_settings.language());
    });
    connect(m_threads, qOverload<int>(&QSpinBox::valueChanged), this, &SettingsPage::saveEngine);
    connect(m_dtype, qOverload<int>(&QComboBox::currentIndexChanged), this, &SettingsPage::saveEngine);
    connect(m_device, qOverload<int>(&QComboBox::currentIndexChanged), this, &SettingsPage::saveEngine);
    connect(m_microphone, qOverload<int>(&QComboBox::activated), this, [this] {
        m_settings.setAudioInput(m_microphone->currentData().toString());
        Q_EMIT audioInputChanged(m_settings.audioInput());
    });
    connect(m_dataDir, &QLineEdit::editingFinished, this,
            [this] { m_settings.setSavedDataDir(m_dataDir->text()); });
    connect(m_browse, &QPushButton::clicked, this, [this] {
        const QString dir =
            QFileDialog::getExistingDirectory(this, tr("Choose the data folder"), m_dataDir->text());
        if (dir.isEmpty()) return;
        m_dataDir->setText(dir);
        m_settings.setSavedDataDir(dir);
    });
    retranslate();
}

void SettingsPage::saveEngine() {
    EngineSettings e;
    e.threads = m_threads->value();
    e.dtype = m_dtype->currentData().toString();
    e.device = m_device->currentData().toString();
    m_settings.setEngine(e);
    Q_EMIT engineSettingsChanged(e);
}

void SettingsPage::retranslate() {
    m_heading->setText(tr("Settings"));
    const QStringList labels = {tr("Theme"),  tr("Language"),   tr("CPU threads"), tr("Weights precision"),
                                tr("Device"), tr("Microphone"), tr("Data folder")};
    for (int i = 0; i < m_labels.size(); ++i) m_labels[i]->setText(labels[i]);
    m_theme->setItemText(0, tr("System"));
    m_theme->setItemText(1, tr("Light"));
    m_theme->setItemText(2, tr("Dark"));
    m_language->setItemText(0, tr("System language"));
    m_threads->setSpecialValueText(tr("All cores (%1)").arg(QThread::idealThreadCount()));
    m_threads->setToolTip(
        tr("How many CPU threads the model uses. More is faster up to the number of cores."));
    m_dtype->setItemText(0, tr("Automatic (fastest this machine runs well)"));
    m_dtype->setItemText(1, tr("32-bit float (most accurate, twice the memory)"));
    m_dtype->setItemText(2, tr("bfloat16 (half the memory)"));
    m_dtype->setItemText(3, tr("float16 (half the memory)"));
    m_dtype->setToolTip(tr("Applies the next time a model is loaded."));
    m_device->setItemText(0, tr("CPU"));
    const bool cuda = atelier::cuda_available();
    m_device->setItemText(1, cuda ? tr("CUDA GPU") : tr("CUDA GPU (not available in this build)"));
    const bool mps = atelier::mps_available();
    m_device->setItemText(
        2, mps ? tr("Apple GPU (Metal)") : tr("Apple GPU (Metal; only on Apple Silicon Macs)"));
    if (auto* model = qobject_cast<QStandardItemModel*>(m_device->model())) {
        model->item(1)->setEnabled(cuda);
        model->item(2)->setEnabled(mps);
    }
    m_microphone->setItemText(0, tr("System default"));
    m_microphone->setToolTip(
        tr("The input the Record button uses. The list is refreshed each time this page opens."));
    m_browse->setText(tr("Browse…"));
    m_dataNote->setText(
        m_settings.dataDirOverridden()
            ? tr("Set by --data-dir for this session.")
            : tr("Conversations and the model library live here. A new folder takes effect at the "
                 "next start."));
}

void SettingsPage::showEvent(QShowEvent* e) {
    refreshMicrophones();
    QWidget::showEvent(e);
}

void SettingsPage::refreshMicrophones() {
    if (m_listing) return;
    m_listing = true;
    auto* watcher = new QFutureWatcher<std::vector<atelier::AudioInputDevice>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher] {
        watcher->deleteLater();
        m_listing = false;
        const QString chosen = m_settings.audioInput();
        while (m_microphone->count() > 1) m_microphone->removeItem(1);
        bool present = chosen.isEmpty();
        const auto inputs = watcher->result();
        for (const auto& d : inputs) {
            // Windows lists a microphone once per host API (MME, DirectSound, WASAPI): those are
            // told apart (and remembered) as "host API: name"; a name seen once stays plain.
            const auto same =
                std::count_if(inputs.begin(), inputs.end(),
                              [&](const atelier::AudioInputDevice& o) { return o.name == d.name; });
            const QString name = same > 1 ? audioInputKey(d) : QString::fromStdString(d.name);
            m_microphone->addItem(d.is_default ? tr("%1 (default)").arg(name) : name, name);
            present = present || name == chosen;
        }
        // A chosen microphone that is unplugged stays chosen (it may come back), marked as absent.
        if (!present) m_microphone->addItem(tr("%1 (not connected)").arg(chosen), chosen);
        m_microphone->setCurrentIndex(std::max(0, m_microphone->findData(chosen)));
        if (m_microphone->count() == 1)
            m_microphone->setItemText(0, tr("System default (no microphone found)"));
        else
            m_microphone->setItemText(0, tr("System default"));
        Q_EMIT microphonesListed();
    });
    watcher->setFuture(QtConcurrent::run(backgroundPool(), [] {
        try {
            return atelier::list_audio_inputs();
        } catch (const std::exception&) {
            return std::vector<atelier::AudioInputDevice>{};
        }
    }));
}

void SettingsPage::changeEvent(QEvent* e) {
    if (e->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(e);
}
