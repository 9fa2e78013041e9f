// Training curves from the run store, drawn with Qt Charts: one metric (loss, eval loss, learning
// rate, gradient norm, tokens/s) for one or several runs, read incrementally (only points newer
// than those shown are fetched), with EMA smoothing for the loss, a log scale, rubber-band zoom,
// values on hover, and PNG / CSV export.
//
//   MetricChart chart(runStore);  chart.setRuns({3, 5});  chart.setMetric("loss");
//   QTimer::singleShot(500, &chart, &MetricChart::refresh);   // call refresh() while a run trains
#pragma once

#include <QHash>
#include <QPointer>
#include <QWidget>

namespace atelier {
class RunStore;
}
class QChart;
class QChartView;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineSeries;
class QSlider;
class QToolButton;
class QAbstractAxis;

class MetricChart : public QWidget {
    Q_OBJECT
public:
    explicit MetricChart(atelier::RunStore& store, QWidget* parent = nullptr);

    void setRuns(const QVector<qint64>& runs);
    QVector<qint64> runs() const { return m_runs; }
    void setMetric(const QString& metric);  // loss | eval_loss | lr | grad_norm | tokens_per_second
    QString metric() const;
    void setSmoothing(double ema);  // 0 = raw only; else an EMA line over the raw points (loss)
    void setLogScale(bool on);
    int pointCount(qint64 run) const;  // raw points shown for a run (tests)
    // A live run's chart is redrawn every second on the GUI thread: it draws plain lines then
    // (antialiased ones cost 4-7 ms of CPU per refresh on the 2-core dev VM, the scene update and the
    // paint alike, against ~1 ms), and antialiased ones once the run has ended.
    void setLive(bool live);
    bool isLive() const;
    QChart* chart() const { return m_chart; }

    bool exportPng(const QString& path) const;
    bool exportCsv(const QString& path) const;

public Q_SLOTS:
    void refresh();  // fetch new points
    void resetZoom();

protected:
    void resizeEvent(QResizeEvent* e) override;
    void changeEvent(QEvent* e) override;

private:
    struct Curve {
        QLineSeries* raw = nullptr;
        QLineSeries* smooth = nullptr;
        qint64 lastStep = -1;
        qint64 attempt = -1;  // the run's attempt the points are from (RunRecord::attempt)
        double ema = 0;
        bool hasEma = false;
    };
    void rebuild();
    void retranslate();
    void rescale();
    QString metricTitle(const QString& metric) const;

    atelier::RunStore& m_store;
    QVector<qint64> m_runs;
    QHash<qint64, Curve> m_curves;
    QChart* m_chart;
    QChartView* m_view;
    QComboBox* m_metricBox;
    QSlider* m_smoothing;
    QLabel* m_smoothingLabel;
    QCheckBox* m_log;
    QToolButton* m_reset;
    QToolButton* m_export;
    QLabel* m_hover;
    double m_ema = 0.9;
};
