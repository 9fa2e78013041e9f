// The Train page: point-and-click fine-tuning. Pick a model from the library and a dataset file;
// the dataset is previewed (rendered examples with the masked prompt and the trained reply told
// apart, a token-length histogram, bad rows by line); choose a method (its published recipe
// fills the fields, each editable and explained); see the trainable parameters and an estimate of
// memory and time; Start launches a detached atelier-train, and the run's curves, progress and ETA
// follow live from the run store. Reopening the studio reattaches to a run still training.
#pragma once

#include "app_settings.h"
#include "chat_store.h"
#include "run_monitor.h"
#include "run_store.h"
#include "train_config.h"

#include <QFutureWatcher>
#include <QWidget>

#include <optional>

class MetricChart;
class MultimodalOptions;
class QCheckBox;
class QChartView;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QListView;
class QProgressBar;
class QPushButton;
class QScrollArea;
class QSpinBox;
class QStandardItemModel;
class QStringListModel;

struct DatasetPreviewResult;

class TrainPage : public QWidget {
    Q_OBJECT
public:
    TrainPage(ChatStore& models, atelier::RunStore& runs, const QString& storePath, AppSettings& settings,
              QWidget* parent = nullptr);
    ~TrainPage() override;

    // Widgets the tests drive.
    QComboBox* modelBox() const { return m_model; }
    QLineEdit* datasetEdit() const { return m_dataset; }
    QComboBox* methodBox() const { return m_method; }
    QSpinBox* epochsBox() const { return m_epochs; }
    QDoubleSpinBox* lrBox() const { return m_lr; }
    QDoubleSpinBox* dropoutBox() const { return m_dropout; }
    QSpinBox* processesBox() const { return m_processes; }
    QPushButton* startButton() const { return m_start; }
    QPushButton* stopButton() const { return m_stop; }
    QLabel* estimateLabel() const { return m_estimate; }
    QLabel* errorBanner() const { return m_banner; }
    QStandardItemModel* previewModel() const { return m_preview; }
    QStringListModel* issuesModel() const { return m_issues; }
    MetricChart* chart() const { return m_chart; }
    MultimodalOptions* multimodalOptions() const { return m_multimodal; }
    // What Start would launch now (a fresh run folder name each call).
    atelier::TrainConfig currentConfig() const { return configFromFields(); }
    qint64 liveRun() const { return m_monitor->run(); }
    RunMonitor* monitor() const { return m_monitor; }
    bool isPreviewing() const { return m_previewWatcher.isRunning(); }

public Q_SLOTS:
    void reloadModels();
    void setDataset(const QString& path);  // and preview it
    void applyPreset();                    // the method's published recipe into the fields
    void start();
    void stop();
    // Follow this run (Start, Continue on the Runs page): RunMonitor::attach, and its curves.
    void attach(qint64 run, std::optional<atelier::RunStatus> launched = std::nullopt);

Q_SIGNALS:
    void previewReady();
    void runStarted(qint64 run);
    void runEnded(qint64 run, atelier::RunStatus status);
    void chatWithAdapter(const QString& modelPath, const QString& adapterPath, const QString& title);
    void statusMessage(const QString& text);

protected:
    bool eventFilter(QObject* watched, QEvent* e) override;
    void changeEvent(QEvent* e) override;

private:
    void buildUi();
    void retranslate();
    void preview();
    void showPreview();
    void renderPreview();
    void fitFormWidth();
    void updateEstimate();
    void showRun(const LiveRun& live);
    void onRunEnded(qint64 run, atelier::RunStatus status, const QString& error);
    bool videoPreviewStale() const;  // the preview sampled another number of video frames
    QString modelPath() const;
    atelier::TrainConfig configFromFields() const;

    ChatStore& m_models;
    atelier::RunStore& m_runs;
    AppSettings& m_settings;
    RunMonitor* m_monitor = nullptr;

    QLabel* m_heading = nullptr;
    QLabel* m_banner = nullptr;
    QComboBox* m_model = nullptr;
    QLineEdit* m_dataset = nullptr;
    QPushButton* m_browse = nullptr;
    QComboBox* m_format = nullptr;
    QLabel* m_datasetInfo = nullptr;
    QComboBox* m_method = nullptr;
    QSpinBox* m_epochs = nullptr;
    QDoubleSpinBox* m_lr = nullptr;
    QSpinBox* m_batch = nullptr;
    QSpinBox* m_accum = nullptr;
    QSpinBox* m_maxLength = nullptr;
    QDoubleSpinBox* m_warmup = nullptr;
    QDoubleSpinBox* m_weightDecay = nullptr;
    QDoubleSpinBox* m_evalFraction = nullptr;
    QSpinBox* m_seed = nullptr;
    QSpinBox* m_rank = nullptr;
    QDoubleSpinBox* m_alpha = nullptr;
    QDoubleSpinBox* m_dropout = nullptr;
    QLineEdit* m_targets = nullptr;
    QSpinBox* m_adapterLen = nullptr;
    QSpinBox* m_adapterLayers = nullptr;
    QCheckBox* m_checkpointing = nullptr;
    QSpinBox* m_processes = nullptr;
    QCheckBox* m_packing = nullptr;
    MultimodalOptions* m_multimodal = nullptr;
    QLabel* m_estimate = nullptr;
    QPushButton* m_start = nullptr;
    QPushButton* m_stop = nullptr;
    QPushButton* m_chat = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_runLabel = nullptr;
    QFormLayout* m_form = nullptr;
    QVector<QPair<QLabel*, const char*>> m_labels;  // form labels and their source text (QT_TR_NOOP)
    QVector<QPair<QWidget*, const char*>> m_tips;   // tooltips likewise

    QStandardItemModel* m_preview = nullptr;
    QScrollArea* m_formScroll = nullptr;
    QListView* m_previewView = nullptr;
    QStringListModel* m_issues = nullptr;
    QListView* m_issuesView = nullptr;
    QChartView* m_histogram = nullptr;
    MetricChart* m_chart = nullptr;

    QFutureWatcher<DatasetPreviewResult*> m_previewWatcher;
    std::unique_ptr<DatasetPreviewResult> m_result;
    bool m_previewInFlight = false;
};
