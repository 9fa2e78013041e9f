#include "train_page.h"

#include "background_pool.h"
#include "dataset_preview.h"
#include "error_text.h"
#include "metric_chart.h"
#include "multimodal_options.h"
#include "runs_page.h"
#include "train_estimate.h"
#include "trainer_process.h"
#include "widgets.h"

#include "adapters/adapter_config.h"
#include "common/error.h"
#include "dataset.h"
#include "launcher.h"

#include <QApplication>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QMap>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardItemModel>
#include <QStringListModel>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QtConcurrent/QtConcurrentRun>

namespace {

QSpinBox* intBox(QWidget* parent, int lo, int hi) {
    auto* b = new QSpinBox(parent);
    b->setRange(lo, hi);
    return b;
}

}  // namespace

TrainPage::TrainPage(ChatStore& models, atelier::RunStore& runs, const QString& storePath,
                     AppSettings& settings, QWidget* parent)
    : QWidget(parent), m_models(models), m_runs(runs), m_settings(settings) {
    m_monitor = new RunMonitor(runs, storePath, this);
    buildUi();
    reloadModels();
    applyPreset();
    connect(&m_previewWatcher, &QFutureWatcher<DatasetPreviewResult*>::finished, this,
            &TrainPage::showPreview);
    connect(m_monitor, &RunMonitor::updated, this, &TrainPage::showRun);
    connect(m_monitor, &RunMonitor::runEnded, this, &TrainPage::onRunEnded);
    // Reattach to a run that is still training (the studio was closed while it ran).
    m_monitor->reattach();
    if (m_monitor->run()) m_chart->setRuns({m_monitor->run()});
    const QString last = QString::fromUtf8(m_settings.value(QStringLiteral("train/dataset")));
    if (!last.isEmpty() && QFileInfo(last).isFile()) setDataset(last);
    retranslate();
}

TrainPage::~TrainPage() {
    if (!m_previewInFlight) return;
    m_previewWatcher.waitForFinished();
    delete m_previewWatcher.result();  // finished, but its signal never reached showPreview()
}

void TrainPage::buildUi() {
    auto* root = new QHBoxLayout(this);
    root->setContentsMargins(16, 12, 16, 12);
    auto* split = new QSplitter(Qt::Horizontal, this);
    root->addWidget(split);

    // Left: what to train, and how.
    auto* scroll = m_formScroll = new QScrollArea(split);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* left = new QWidget(scroll);
    auto* l = new QVBoxLayout(left);
    l->setContentsMargins(0, 0, 8, 0);
    m_heading = makePageHeading(left);
    l->addWidget(m_heading);
    m_banner = makeErrorBanner(left, QStringLiteral("trainErrorBanner"));
    l->addWidget(m_banner);
    m_form = new QFormLayout;
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    l->addLayout(m_form);
    auto row = [&](const char* label, QWidget* field, const char* tip) {
        auto* lab = new QLabel(left);
        lab->setBuddy(field);
        m_labels.push_back({lab, label});
        if (tip) m_tips.push_back({field, tip});
        m_form->addRow(lab, field);
    };
    m_model = new QComboBox(left);
    m_model->setObjectName(QStringLiteral("trainModelBox"));
    row(QT_TR_NOOP("Base model"), m_model,
        QT_TR_NOOP("The model the adapter is trained for (from the Models page)"));
    auto* dataRow = new QWidget(left);
    auto* dl = new QHBoxLayout(dataRow);
    dl->setContentsMargins(0, 0, 0, 0);
    m_dataset = new QLineEdit(dataRow);
    m_dataset->setObjectName(QStringLiteral("datasetEdit"));
    m_browse = new QPushButton(dataRow);
    dl->addWidget(m_dataset, 1);
    dl->addWidget(m_browse);
    row(QT_TR_NOOP("Dataset"), dataRow,
        QT_TR_NOOP("Alpaca, ShareGPT, OpenAI messages or LLaVA, as .json or .jsonl"));
    m_format = new QComboBox(left);
    for (atelier::DatasetFormat f :
         {atelier::DatasetFormat::Auto, atelier::DatasetFormat::Alpaca, atelier::DatasetFormat::ShareGPT,
          atelier::DatasetFormat::OpenAIMessages, atelier::DatasetFormat::LLaVA})
        m_format->addItem(QString(), QString::fromLatin1(atelier::dataset_format_name(f)));
    row(QT_TR_NOOP("Format"), m_format, QT_TR_NOOP("Detected from the file; choose one to override"));
    m_datasetInfo = new QLabel(left);
    m_datasetInfo->setWordWrap(true);
    m_datasetInfo->setObjectName(QStringLiteral("datasetInfo"));
    // The whole width of the form, and room for three lines: the form does not grow a wrapped
    // label's row when its text gets longer.
    m_datasetInfo->setMinimumHeight(3 * m_datasetInfo->fontMetrics().lineSpacing());
    m_datasetInfo->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_form->addRow(m_datasetInfo);

    m_method = new QComboBox(left);
    m_method->setObjectName(QStringLiteral("methodBox"));
    for (const std::string& m : atelier::AdapterConfig::methods())
        m_method->addItem(QString(), QString::fromStdString(m));
    row(QT_TR_NOOP("Method"), m_method,
        QT_TR_NOOP("LoRA: low-rank updates of the projections. LLaMA-Adapter: learned prompt tokens with a "
                   "zero-initialised gate. V2 adds bias, scale and norms."));
    m_epochs = intBox(left, 1, 10000);
    row(QT_TR_NOOP("Epochs"), m_epochs, QT_TR_NOOP("Passes over the training examples"));
    m_lr = makeDoubleBox(left, 1e-6, 1.0, 6, 1e-4);
    row(QT_TR_NOOP("Learning rate"), m_lr,
        QT_TR_NOOP("Peak learning rate, reached after the warmup, then decayed along a cosine"));
    m_warmup = makeDoubleBox(left, 0, 0.99, 2, 0.01);
    row(QT_TR_NOOP("Warmup"), m_warmup,
        QT_TR_NOOP("Share of the steps spent raising the learning rate from zero"));
    m_weightDecay = makeDoubleBox(left, 0, 1, 3, 0.01);
    row(QT_TR_NOOP("Weight decay"), m_weightDecay,
        QT_TR_NOOP("AdamW decay; never applied to gates, biases, scales and norms"));
    m_batch = intBox(left, 1, 1024);
    row(QT_TR_NOOP("Batch size"), m_batch, QT_TR_NOOP("Examples per forward pass; more needs more memory"));
    m_accum = intBox(left, 1, 1024);
    row(QT_TR_NOOP("Gradient accumulation"), m_accum,
        QT_TR_NOOP(
            "Batches added up before each optimiser step: a larger effective batch at the same memory"));
    m_maxLength = intBox(left, 8, 1 << 20);
    row(QT_TR_NOOP("Max length"), m_maxLength, QT_TR_NOOP("Tokens per example; longer ones are cut"));
    m_evalFraction = makeDoubleBox(left, 0, 0.5, 2, 0.05);
    row(QT_TR_NOOP("Eval split"), m_evalFraction,
        QT_TR_NOOP("Share of the examples held out to measure eval loss"));
    m_seed = intBox(left, 0, std::numeric_limits<int>::max());
    row(QT_TR_NOOP("Seed"), m_seed, QT_TR_NOOP("The same seed and settings train the same adapter"));
    m_rank = intBox(left, 1, 4096);
    row(QT_TR_NOOP("LoRA rank"), m_rank,
        QT_TR_NOOP("Rank r of the low-rank update: more capacity, more parameters"));
    m_alpha = makeDoubleBox(left, 0.01, 4096, 2, 1);
    row(QT_TR_NOOP("LoRA alpha"), m_alpha, QT_TR_NOOP("The update is scaled by alpha / r"));
    m_dropout = makeDoubleBox(left, 0, 0.9, 2, 0.05);
    row(QT_TR_NOOP("LoRA dropout"), m_dropout,
        QT_TR_NOOP("Dropout on the LoRA branch's input while training"));
    m_targets = new QLineEdit(left);
    row(QT_TR_NOOP("LoRA targets"), m_targets,
        QT_TR_NOOP(
            "Projections that get a LoRA branch, comma-separated: q_proj, k_proj, v_proj, o_proj, gate_proj, "
            "up_proj, down_proj"));
    m_adapterLen = intBox(left, 1, 1024);
    row(QT_TR_NOOP("Prompt tokens"), m_adapterLen,
        QT_TR_NOOP("LLaMA-Adapter: learned tokens per adapted layer"));
    m_adapterLayers = intBox(left, 1, 1024);
    row(QT_TR_NOOP("Adapted layers"), m_adapterLayers,
        QT_TR_NOOP("LLaMA-Adapter: how many of the top layers get prompt tokens"));
    m_checkpointing = new QCheckBox(left);
    row(QT_TR_NOOP("Gradient checkpointing"), m_checkpointing,
        QT_TR_NOOP("Recompute each layer during the backward pass: less memory, about a third more time"));
    m_packing = new QCheckBox(left);
    row(QT_TR_NOOP("Packing"), m_packing,
        QT_TR_NOOP("Join short examples into full-length sequences: less padding"));
    // Data-parallel processes on this machine (several machines: atelier-train --nnodes, see README).
    m_processes = intBox(left, 1,
                         atelier::distributed_available()
                             ? std::max(1, static_cast<int>(std::thread::hardware_concurrency()))
                             : 1);
    row(QT_TR_NOOP("Processes"), m_processes,
        QT_TR_NOOP("Training processes sharing each batch and this computer's cores; the loss curve is the "
                   "same as with one. Several computers: see the README"));
    m_multimodal = new MultimodalOptions(left);
    l->addWidget(m_multimodal);
    m_estimate = new QLabel(left);
    m_estimate->setObjectName(QStringLiteral("trainEstimate"));
    m_estimate->setWordWrap(true);
    l->addWidget(m_estimate);
    auto* buttons = new QHBoxLayout;
    m_start = new QPushButton(QIcon(QStringLiteral(":/icons/train.svg")), QString(), left);
    m_start->setObjectName(QStringLiteral("startTraining"));
    m_stop = new QPushButton(QIcon(QStringLiteral(":/icons/stop.svg")), QString(), left);
    m_stop->setObjectName(QStringLiteral("stopTraining"));
    m_chat = new QPushButton(QIcon(QStringLiteral(":/icons/chat.svg")), QString(), left);
    m_chat->setObjectName(QStringLiteral("trainChat"));
    buttons->addWidget(m_start);
    buttons->addWidget(m_stop);
    buttons->addWidget(m_chat);
    buttons->addStretch(1);
    l->addLayout(buttons);
    l->addStretch(1);
    scroll->setWidget(left);
    left->installEventFilter(this);  // rows that appear (the multimodal options) widen the column

    // Right: the dataset preview, then the live run.
    auto* right = new QSplitter(Qt::Vertical, split);
    auto* previewBox = new QWidget(right);
    auto* pl = new QVBoxLayout(previewBox);
    pl->setContentsMargins(0, 0, 0, 0);
    m_preview = new QStandardItemModel(this);
    m_previewView = new QListView(previewBox);
    m_previewView->setObjectName(QStringLiteral("datasetPreview"));
    m_previewView->setModel(m_preview);
    m_previewView->setItemDelegate(new PreviewDelegate(m_previewView));
    m_previewView->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_previewView->setResizeMode(QListView::Adjust);
    m_histogram = new QChartView(new QChart, previewBox);
    m_histogram->setMinimumHeight(170);
    m_histogram->chart()->setMargins(QMargins(2, 2, 2, 2));
    m_histogram->setRenderHint(QPainter::Antialiasing);
    m_issues = new QStringListModel(this);
    m_issuesView = new QListView(previewBox);
    m_issuesView->setModel(m_issues);
    m_issuesView->setMaximumHeight(90);
    auto* lower = new QHBoxLayout;
    lower->addWidget(m_histogram, 2);
    lower->addWidget(m_issuesView, 1);
    pl->addWidget(m_previewView, 1);
    pl->addLayout(lower);
    auto* live = new QWidget(right);
    auto* ll = new QVBoxLayout(live);
    ll->setContentsMargins(0, 0, 0, 0);
    auto* status = new QHBoxLayout;
    // Its text changes every second while a run trains: a label that gives way (rather than one that
    // asks for its text's width) keeps each change from laying the whole page out again.
    m_runLabel = new ElidedLabel(live);
    m_progress = new QProgressBar(live);
    m_progress->setObjectName(QStringLiteral("trainProgress"));
    status->addWidget(m_runLabel, 3);
    status->addWidget(m_progress, 2);
    ll->addLayout(status);
    m_chart = new MetricChart(m_runs, live);
    ll->addWidget(m_chart, 1);
    right->addWidget(previewBox);
    right->addWidget(live);
    split->addWidget(scroll);
    split->addWidget(right);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setSizes({380, 800});

    connect(m_browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Choose a dataset"), QString(),
                                                          tr("Datasets (*.json *.jsonl);;All files (*)"));
        if (!path.isEmpty()) setDataset(path);
    });
    connect(m_dataset, &QLineEdit::editingFinished, this, [this] { setDataset(m_dataset->text()); });
    connect(m_format, qOverload<int>(&QComboBox::currentIndexChanged), this, &TrainPage::preview);
    connect(m_model, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        applyPreset();
        preview();
    });
    connect(m_method, qOverload<int>(&QComboBox::currentIndexChanged), this, &TrainPage::applyPreset);
    connect(m_multimodal, &MultimodalOptions::stageChanged, this, &TrainPage::applyPreset);
    connect(m_multimodal, &MultimodalOptions::changed, this, [this] {
        updateEstimate();
        if (videoPreviewStale()) preview();  // "N frames sampled" follows the setting
    });
    for (QSpinBox* b : {m_epochs, m_batch, m_accum, m_maxLength, m_rank, m_adapterLen, m_adapterLayers})
        connect(b, qOverload<int>(&QSpinBox::valueChanged), this, &TrainPage::updateEstimate);
    connect(m_maxLength, &QSpinBox::editingFinished, this, &TrainPage::preview);
    connect(m_targets, &QLineEdit::textChanged, this, &TrainPage::updateEstimate);
    connect(m_checkpointing, &QCheckBox::toggled, this, &TrainPage::updateEstimate);
    connect(m_start, &QPushButton::clicked, this, &TrainPage::start);
    connect(m_stop, &QPushButton::clicked, this, &TrainPage::stop);
    connect(m_chat, &QPushButton::clicked, this, [this] {
        const atelier::RunRecord& r = m_monitor->live().record;
        if (r.id && r.status == atelier::RunStatus::Finished)
            Q_EMIT chatWithAdapter(
                QString::fromStdString(r.model),
                QDir(QString::fromStdString(r.out_dir)).filePath(QStringLiteral("adapter")),
                tr("Chat with run %1").arg(r.id));
    });
}

void TrainPage::retranslate() {
    m_heading->setText(tr("Train an adapter"));
    for (const auto& [label, text] : m_labels) label->setText(tr(text));
    for (const auto& [field, text] : m_tips) field->setToolTip(tr(text));
    m_browse->setText(tr("Browse…"));
    m_dataset->setPlaceholderText(tr("A dataset file"));
    const QMap<QString, QString> formats = {{QStringLiteral("auto"), tr("Detect")},
                                            {QStringLiteral("alpaca"), QStringLiteral("Alpaca")},
                                            {QStringLiteral("sharegpt"), QStringLiteral("ShareGPT")},
                                            {QStringLiteral("openai"), tr("OpenAI messages")},
                                            {QStringLiteral("llava"), QStringLiteral("LLaVA")}};
    for (int i = 0; i < m_format->count(); ++i)
        m_format->setItemText(
            i, formats.value(m_format->itemData(i).toString(), m_format->itemData(i).toString()));
    const QMap<QString, QString> methods = {
        {QStringLiteral("lora"), QStringLiteral("LoRA")},
        {QStringLiteral("llama-adapter"), QStringLiteral("LLaMA-Adapter V1")},
        {QStringLiteral("llama-adapter-v2"), QStringLiteral("LLaMA-Adapter V2")}};
    for (int i = 0; i < m_method->count(); ++i)
        m_method->setItemText(
            i, methods.value(m_method->itemData(i).toString(), m_method->itemData(i).toString()));
    m_start->setText(tr("Start training"));
    m_stop->setText(tr("Stop"));
    m_stop->setToolTip(tr("Stop at the end of the current step, after writing a checkpoint"));
    m_chat->setText(tr("Chat with the result"));
    if (!m_previewInFlight) renderPreview();
    updateEstimate();
    showRun(m_monitor->live());
}

// The form's column is as wide as its widest row in this language (German labels run long), so
// its fields never hide behind a horizontal scroll bar.
void TrainPage::fitFormWidth() {
    if (!m_formScroll || !m_formScroll->widget()) return;
    const int need = m_formScroll->widget()->minimumSizeHint().width() +
                     m_formScroll->verticalScrollBar()->sizeHint().width() + 2;
    m_formScroll->setMinimumWidth(need);
}

bool TrainPage::eventFilter(QObject* watched, QEvent* e) {
    if (m_formScroll && watched == m_formScroll->widget() && e->type() == QEvent::LayoutRequest)
        fitFormWidth();
    return QWidget::eventFilter(watched, e);
}

void TrainPage::changeEvent(QEvent* e) {
    if (e->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(e);
}

void TrainPage::reloadModels() {
    const bool startEnabled = m_start->isEnabled();
    const QString current = modelPath();
    QSignalBlocker block(m_model);
    m_model->clear();
    for (const auto& m : m_models.models())
        m_model->addItem(QIcon(QStringLiteral(":/icons/model.svg")), m.name, m.path);
    int index = m_model->findData(current);
    if (index < 0) index = m_model->findData(m_models.defaultModel().path);
    m_model->setCurrentIndex(std::max(0, index));
    m_start->setEnabled(startEnabled && m_model->count() > 0);  // never during a run
    if (m_model->count() > 0 && !m_monitor->run()) m_start->setEnabled(true);
}

QString TrainPage::modelPath() const {
    return m_model->currentData().toString();
}

void TrainPage::applyPreset() {
    atelier::ModelConfig mc;
    mc.num_hidden_layers = 32;
    for (const auto& m : m_models.models())
        if (m.path == modelPath()) {
            try {
                mc = atelier::ModelConfig::load(m.path.toStdString());
            } catch (const atelier::Error&) {
                if (m_result && m_result->ok) mc = m_result->model;  // llama2.c / Meta: from the preview
            }
        }
    const std::string method = m_method->currentData().toString().toStdString();
    const std::string stage = m_multimodal->stage().toStdString();
    const auto c = stage.empty() ? atelier::TrainConfig::preset(method, mc)
                                 : atelier::TrainConfig::multimodal_preset(stage, method, mc);
    m_epochs->setValue(static_cast<int>(c.epochs));
    m_lr->setValue(c.lr);
    m_warmup->setValue(c.warmup_ratio);
    m_weightDecay->setValue(c.weight_decay);
    m_batch->setValue(static_cast<int>(c.batch_size));
    m_accum->setValue(static_cast<int>(c.grad_accum));
    m_maxLength->setValue(static_cast<int>(c.max_length));
    m_evalFraction->setValue(0.05);
    m_seed->setValue(static_cast<int>(c.seed));
    m_rank->setValue(static_cast<int>(c.adapter.lora_rank));
    m_alpha->setValue(c.adapter.lora_alpha);
    m_dropout->setValue(c.adapter.lora_dropout);
    QStringList targets;
    for (const auto& t : c.adapter.target_modules) targets << QString::fromStdString(t);
    m_targets->setText(targets.join(QStringLiteral(", ")));
    m_adapterLen->setValue(static_cast<int>(c.adapter.adapter_len));
    m_adapterLayers->setValue(static_cast<int>(c.adapter.adapter_layer));
    if (!stage.empty()) {  // the recipe's projector settings; the encoders and frames stay the user's
        atelier::MultimodalTrainConfig mm = c.multimodal, chosen;
        m_multimodal->apply(chosen);
        mm.image_encoder = chosen.image_encoder;
        mm.audio_encoder = chosen.audio_encoder;
        mm.train_encoders = chosen.train_encoders;
        mm.video_frames = chosen.video_frames;
        m_multimodal->load(mm);
        m_packing->setChecked(false);  // sequences of media and text are not packed
    }
    m_packing->setEnabled(stage.empty());
    // Stage 1 and the bind network leave the LLM without an adapter.
    const bool adapter = stage.empty() || c.multimodal.trains_adapter();
    const bool lora = m_method->currentIndex() == 0;
    m_method->setEnabled(adapter);
    for (QWidget* w : std::initializer_list<QWidget*>{m_rank, m_alpha, m_dropout, m_targets})
        w->setEnabled(adapter && lora);
    for (QWidget* w : std::initializer_list<QWidget*>{m_adapterLen, m_adapterLayers})
        w->setEnabled(adapter && !lora);
    updateEstimate();
}

atelier::TrainConfig TrainPage::configFromFields() const {
    atelier::TrainConfig c;
    c.adapter.method = m_method->currentData().toString().toStdString();
    c.model = modelPath().toStdString();
    c.data = m_dataset->text().trimmed().toStdString();
    c.format = m_format->currentData().toString().toStdString();
    c.epochs = m_epochs->value();
    c.lr = m_lr->value();
    c.warmup_ratio = m_warmup->value();
    c.weight_decay = m_weightDecay->value();
    c.batch_size = m_batch->value();
    c.grad_accum = m_accum->value();
    c.max_length = m_maxLength->value();
    c.eval_fraction = m_evalFraction->value();
    c.seed = static_cast<uint64_t>(m_seed->value());
    c.adapter.lora_rank = m_rank->value();
    c.adapter.lora_alpha = m_alpha->value();
    c.adapter.lora_dropout = m_dropout->value();
    c.adapter.target_modules.clear();
    for (const QString& t : m_targets->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        c.adapter.target_modules.push_back(t.trimmed().toStdString());
    c.adapter.adapter_len = m_adapterLen->value();
    c.adapter.adapter_layer = m_adapterLayers->value();
    c.gradient_checkpointing = m_checkpointing->isChecked();
    c.packing = m_packing->isChecked();
    c.processes = m_processes->value();
    m_multimodal->apply(c.multimodal);
    // runs/20261130-081500-123-lora, or ...-multimodal-projector-adapter
    const QString kind = c.multimodal.enabled()
                             ? QStringLiteral("multimodal-") +
                                   m_multimodal->stage().replace(QLatin1Char('+'), QLatin1Char('-'))
                             : m_method->currentData().toString();
    c.out =
        QDir(m_settings.dataDir())
            .filePath(
                QStringLiteral("runs/%1-%2")
                    .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss-zzz")), kind))
            .toStdString();
    return c;
}

void TrainPage::updateEstimate() {
    if (!m_estimate) return;
    if (!m_result || !m_result->ok) {
        m_estimate->setText(
            tr("Choose a model and a dataset to see the trainable parameters and an estimate of "
               "memory and time."));
        return;
    }
    const atelier::TrainConfig c = configFromFields();
    qint64 size = 0;
    for (const auto& m : m_models.models())
        if (m.path == modelPath()) size = m.sizeOnDisk;
    const TrainEstimate e =
        estimateTraining(c, m_result->model, size, m_result->preview.count, m_result->preview.mean_tokens);
    const bool multimodal = c.multimodal.enabled();
    const double secs = e.seconds;
    const QString time = secs < 90     ? tr("%1 s").arg(std::max(1.0, secs), 0, 'f', 0)
                         : secs < 5400 ? tr("%1 min").arg(secs / 60, 0, 'f', 0)
                                       : tr("%1 h").arg(secs / 3600, 0, 'f', 1);
    m_estimate->setText(
        tr("<b>%1 trainable parameters</b> (%2% of the model) · about %3 of memory · about %4 on "
           "this CPU")
            .arg(formatParameters(e.trainable))
            .arg(100.0 * e.modelFraction, 0, 'f', 3)
            .arg(QLocale().formattedDataSize(static_cast<qint64>(e.memoryBytes)), time) +
        (multimodal ? QLatin1Char(' ') +
                          tr("Projectors and encoders come on top: the run counts them when it starts.")
                    : QString()));
}

void TrainPage::setDataset(const QString& path) {
    if (m_dataset->text() != path) m_dataset->setText(path);
    m_settings.setValue(QStringLiteral("train/dataset"), path.toUtf8());  // offered again next time
    preview();
}

void TrainPage::preview() {
    const QString data = m_dataset->text().trimmed();
    const QString model = modelPath();
    if (data.isEmpty() || model.isEmpty() || m_previewWatcher.isRunning()) return;
    m_datasetInfo->setText(tr("Reading %1…").arg(QFileInfo(data).fileName()));
    DatasetPreviewRequest rq;
    rq.data = data;
    rq.model = model;
    rq.format = m_format->currentData().toString().toStdString();
    rq.maxLength = m_maxLength->value();
    rq.videoFrames = m_multimodal->videoFrames();
    m_previewInFlight = true;
    m_previewWatcher.setFuture(QtConcurrent::run(backgroundPool(), [rq]() { return runDatasetPreview(rq); }));
}

bool TrainPage::videoPreviewStale() const {
    return m_result && m_result->ok && m_result->hasVideo &&
           m_result->videoFrames != m_multimodal->videoFrames();
}

void TrainPage::showPreview() {
    m_result.reset(m_previewWatcher.result());
    m_previewInFlight = false;
    renderPreview();
    if (m_result->ok) applyPreset();  // the depth may now be known (llama2.c / Meta models)
    updateEstimate();
    Q_EMIT previewReady();
    if (videoPreviewStale()) preview();  // the frames setting changed while it ran
}

// Draws the preview from m_result: after a read, and again in another language.
void TrainPage::renderPreview() {
    if (!m_result) return;
    m_preview->clear();
    m_issues->setStringList({});
    m_histogram->chart()->removeAllSeries();
    for (QAbstractAxis* a : m_histogram->chart()->axes()) {
        m_histogram->chart()->removeAxis(a);
        delete a;
    }
    if (!m_result->ok) {
        m_datasetInfo->setText(QString());
        m_banner->setText(tr("The dataset cannot be used.") + QLatin1Char('\n') + errorText(m_result->error));
        m_banner->show();
        return;
    }
    m_banner->hide();
    const atelier::DatasetPreview& p = m_result->preview;
    m_datasetInfo->setText(
        tr("%1 format · %2 examples · %3 bad rows skipped · %4–%5 tokens (median %6), %7 cut at "
           "the max length")
            .arg(m_result->format)
            .arg(p.count)
            .arg(m_result->bad)
            .arg(p.min_tokens)
            .arg(p.max_tokens)
            .arg(p.median_tokens, 0, 'f', 0)
            .arg(p.truncated));
    // Masked (prompt) text grey, trained (reply) text bold on a tinted background; then the media.
    const QColor trained = palette().color(QPalette::Highlight);
    for (int i = 0; i < static_cast<int>(p.examples.size()); ++i) {
        const QVector<PreviewMedia> media = m_result->media.value(i);
        auto* item = new QStandardItem(previewItemHtml(p.examples[static_cast<size_t>(i)], media, trained));
        item->setData(previewThumbnails(media), PreviewThumbnailsRole);
        item->setEditable(false);
        m_preview->appendRow(item);
    }
    QStringList issues;
    for (const auto& [line, problem] : m_result->issues) issues << tr("line %1: %2").arg(line).arg(problem);
    m_issues->setStringList(issues.isEmpty() ? QStringList{tr("No bad rows.")} : issues);

    auto* set = new QBarSet(tr("Examples"));
    QStringList categories;
    const int bins = static_cast<int>(p.histogram.size());
    qint64 top = 1;
    for (int b = 0; b < bins; ++b) {
        *set << static_cast<qreal>(p.histogram[static_cast<size_t>(b)]);
        top = std::max<qint64>(top, p.histogram[static_cast<size_t>(b)]);
        categories << QString::number((b + 1) * (m_maxLength->value() + 1) / bins);
    }
    auto* series = new QBarSeries;
    series->append(set);
    QChart* chart = m_histogram->chart();
    chart->addSeries(series);
    chart->setTitle(tr("Examples by length (tokens, up to)"));
    chart->legend()->hide();
    auto* x = new QBarCategoryAxis;
    x->append(categories);
    QFont small = x->labelsFont();  // ten bins' bounds fit a narrow column (long labels elsewhere)
    small.setPointSizeF(small.pointSizeF() * 0.85);
    x->setLabelsFont(small);
    auto* y = new QValueAxis;
    y->setRange(0, static_cast<qreal>(top));
    y->setLabelFormat(QStringLiteral("%d"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
}

void TrainPage::start() {
    m_banner->hide();
    atelier::TrainConfig c = configFromFields();
    try {
        c.validate();
        if (!QFileInfo(QString::fromStdString(c.data)).isFile())
            throw atelier::Error(atelier::ErrorCode::FileNotFound, c.data, "no such dataset file");
        const qint64 id = m_monitor->launch(c);
        m_chart->setRuns({id});
        Q_EMIT runStarted(id);
        Q_EMIT statusMessage(tr("Run %1 started.").arg(id));
    } catch (const atelier::Error& e) {
        m_banner->setText(tr("Training cannot start.") + QLatin1Char('\n') + errorText(engineErrorFrom(e)));
        m_banner->show();
    } catch (const std::exception& e) {
        m_banner->setText(tr("Training cannot start.") + QLatin1Char('\n') + QString::fromUtf8(e.what()));
        m_banner->show();
    }
}

void TrainPage::stop() {
    try {
        m_monitor->stop();
    } catch (const atelier::Error& e) {
        m_banner->setText(errorText(engineErrorFrom(e)));
        m_banner->show();
    } catch (const std::exception& e) {
        m_banner->setText(QString::fromUtf8(e.what()));
        m_banner->show();
    }
}

void TrainPage::attach(qint64 run, std::optional<atelier::RunStatus> launched) {
    m_chart->setRuns({run});
    m_monitor->attach(run, launched);
}

void TrainPage::showRun(const LiveRun& live) {
    if (!m_progress) return;
    const atelier::RunRecord& r = live.record;
    m_start->setEnabled(!live.active() && m_model->count() > 0);
    m_stop->setEnabled(r.id && r.status == atelier::RunStatus::Running && !live.stopping);
    m_chat->setEnabled(r.id && r.status == atelier::RunStatus::Finished);
    m_progress->setVisible(r.id != 0);
    if (!r.id) {
        m_runLabel->setText(tr("No run yet."));
        return;
    }
    m_progress->setRange(0, static_cast<int>(std::max<int64_t>(1, r.total_steps)));
    m_progress->setValue(static_cast<int>(r.step));
    const double left = live.secondsLeft;
    const QString when = left < 0      ? QString()
                         : left < 90   ? tr("%1 s").arg(left, 0, 'f', 0)
                         : left < 5400 ? tr("%1 min").arg(left / 60, 0, 'f', 0)
                                       : tr("%1 h").arg(left / 3600, 0, 'f', 1);
    if (live.stopping)
        m_runLabel->setText(tr("Run %1 · stopping after the current step…").arg(r.id));
    else if (when.isEmpty())
        m_runLabel->setText(tr("Run %1 · %2 · step %3 of %4")
                                .arg(r.id)
                                .arg(RunListModel::statusText(r.status))
                                .arg(r.step)
                                .arg(r.total_steps));
    else
        m_runLabel->setText(tr("Run %1 · %2 · step %3 of %4 · about %5 left")
                                .arg(r.id)
                                .arg(RunListModel::statusText(r.status))
                                .arg(r.step)
                                .arg(r.total_steps)
                                .arg(when));
    m_runLabel->setToolTip(m_runLabel->text());
    m_chart->setLive(live.active());
    m_chart->refresh();
}

void TrainPage::onRunEnded(qint64 run, atelier::RunStatus status, const QString& error) {
    if (status == atelier::RunStatus::Failed) {
        m_banner->setText(tr("Run %1 failed.").arg(run) + QLatin1Char('\n') + error);
        m_banner->show();
    }
    Q_EMIT statusMessage(status == atelier::RunStatus::Finished
                             ? tr("Run %1 finished: chat with its adapter.").arg(run)
                             : tr("Run %1 ended: %2.").arg(run).arg(RunListModel::statusText(status)));
    QApplication::alert(window());
    Q_EMIT runEnded(run, status);
}
