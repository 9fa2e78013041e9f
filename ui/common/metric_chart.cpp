#include "metric_chart.h"

#include "nice_scale.h"
#include "widgets.h"

#include "run_store.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMenu>
#include <QSaveFile>
#include <QSlider>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QWheelEvent>

#include <algorithm>

#include <cmath>

namespace {

// Drag a rectangle to zoom; the wheel pans along the steps, Ctrl+wheel zooms in and out around
// the middle; the arrow keys pan too.
class PanZoomView : public QChartView {
public:
    PanZoomView(QChart* chart, QWidget* parent) : QChartView(chart, parent) {
        setRubberBand(QChartView::RectangleRubberBand);
        setFocusPolicy(Qt::StrongFocus);
    }

protected:
    void wheelEvent(QWheelEvent* e) override {
        const int steps = e->angleDelta().y() / 120;
        if (steps == 0) return;
        if (e->modifiers() & Qt::ControlModifier)
            chart()->zoom(steps > 0 ? 1.25 : 0.8);
        else
            chart()->scroll(-steps * chart()->plotArea().width() / 10, 0);
        e->accept();
    }
    void keyPressEvent(QKeyEvent* e) override {
        const qreal w = chart()->plotArea().width() / 10, h = chart()->plotArea().height() / 10;
        switch (e->key()) {
            case Qt::Key_Left: chart()->scroll(-w, 0); break;
            case Qt::Key_Right: chart()->scroll(w, 0); break;
            case Qt::Key_Up: chart()->scroll(0, h); break;
            case Qt::Key_Down: chart()->scroll(0, -h); break;
            default: QChartView::keyPressEvent(e); return;
        }
        e->accept();
    }
};

}  // namespace

MetricChart::MetricChart(atelier::RunStore& store, QWidget* parent) : QWidget(parent), m_store(store) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    m_metricBox = new QComboBox(this);
    m_metricBox->setObjectName(QStringLiteral("metricBox"));
    for (const char* m : {"loss", "eval_loss", "lr", "grad_norm", "tokens_per_second"})
        m_metricBox->addItem(QString(), QString::fromLatin1(m));
    m_smoothingLabel = new QLabel(this);
    m_smoothing = new QSlider(Qt::Horizontal, this);
    m_smoothing->setRange(0, 99);
    m_smoothing->setValue(90);
    m_smoothing->setMaximumWidth(160);
    m_log = new QCheckBox(this);
    m_reset = new QToolButton(this);
    m_export = new QToolButton(this);
    m_export->setIcon(QIcon(QStringLiteral(":/icons/export.svg")));
    m_export->setPopupMode(QToolButton::InstantPopup);
    auto* menu = new QMenu(m_export);
    menu->addAction(QString(), this, [this] {
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Export chart"), QString(), tr("PNG image (*.png)"));
        if (!path.isEmpty()) exportPng(path);
    });
    menu->addAction(QString(), this, [this] {
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Export points"), QString(), tr("CSV (*.csv)"));
        if (!path.isEmpty()) exportCsv(path);
    });
    m_export->setMenu(menu);
    m_hover = new ElidedLabel(this);  // the point under the mouse, in whatever room the bar leaves
    m_hover->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    bar->addWidget(m_metricBox);
    bar->addWidget(m_smoothingLabel);
    bar->addWidget(m_smoothing);
    bar->addWidget(m_log);
    bar->addWidget(m_hover, 1);
    bar->addWidget(m_reset);
    bar->addWidget(m_export);
    layout->addLayout(bar);

    m_chart = new QChart;
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_view = new PanZoomView(m_chart, this);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(220);
    layout->addWidget(m_view, 1);

    connect(m_metricBox, qOverload<int>(&QComboBox::currentIndexChanged), this, &MetricChart::rebuild);
    connect(m_smoothing, &QSlider::valueChanged, this, [this](int v) { setSmoothing(v / 100.0); });
    connect(m_log, &QCheckBox::toggled, this, &MetricChart::rebuild);
    connect(m_reset, &QToolButton::clicked, this, &MetricChart::resetZoom);
    retranslate();
    rebuild();
}

QString MetricChart::metric() const {
    return m_metricBox->currentData().toString();
}

void MetricChart::setLive(bool live) {
    const bool smooth = !live;
    if (m_view->renderHints().testFlag(QPainter::Antialiasing) == smooth) return;
    m_view->setRenderHint(QPainter::Antialiasing, smooth);
    m_view->viewport()->update();
}

bool MetricChart::isLive() const {
    return !m_view->renderHints().testFlag(QPainter::Antialiasing);
}

void MetricChart::setMetric(const QString& metric) {
    m_metricBox->setCurrentIndex(std::max(0, m_metricBox->findData(metric)));
}

void MetricChart::setRuns(const QVector<qint64>& runs) {
    if (runs == m_runs) return;
    m_runs = runs;
    rebuild();
}

void MetricChart::setSmoothing(double ema) {
    m_ema = std::clamp(ema, 0.0, 0.99);
    if (m_smoothing->value() != static_cast<int>(std::lround(m_ema * 100)))
        m_smoothing->setValue(static_cast<int>(std::lround(m_ema * 100)));
    rebuild();
}

void MetricChart::setLogScale(bool on) {
    m_log->setChecked(on);
}

int MetricChart::pointCount(qint64 run) const {
    auto it = m_curves.find(run);
    return it == m_curves.end() || !it->raw ? 0 : static_cast<int>(it->raw->count());
}

QString MetricChart::metricTitle(const QString& metric) const {
    if (metric == QLatin1String("loss")) return tr("Training loss");
    if (metric == QLatin1String("eval_loss")) return tr("Eval loss");
    if (metric == QLatin1String("lr")) return tr("Learning rate");
    if (metric == QLatin1String("grad_norm")) return tr("Gradient norm");
    return tr("Tokens per second");
}

void MetricChart::retranslate() {
    for (int i = 0; i < m_metricBox->count(); ++i)
        m_metricBox->setItemText(i, metricTitle(m_metricBox->itemData(i).toString()));
    m_smoothingLabel->setText(tr("Smoothing"));
    m_smoothing->setToolTip(
        tr("Exponential moving average of the loss; the raw points stay visible, lighter"));
    m_log->setText(tr("Log scale"));
    m_reset->setText(tr("Reset zoom"));
    m_reset->setToolTip(
        tr("Drag a rectangle to zoom in, scroll to pan along the steps, Ctrl+scroll to zoom"));
    m_export->setText(tr("Export"));
    m_export->menu()->actions().at(0)->setText(tr("Export as PNG…"));
    m_export->menu()->actions().at(1)->setText(tr("Export points as CSV…"));
}

void MetricChart::changeEvent(QEvent* e) {
    if (e->type() == QEvent::LanguageChange) {
        retranslate();
        rebuild();
    }
    QWidget::changeEvent(e);
}

void MetricChart::rebuild() {
    m_chart->removeAllSeries();
    for (QAbstractAxis* axis : m_chart->axes()) {
        m_chart->removeAxis(axis);
        delete axis;
    }
    m_curves.clear();
    const QString metric = this->metric();
    m_chart->setTitle(metricTitle(metric));
    auto* x = new QValueAxis;
    x->setTitleText(tr("Step"));
    x->setLabelFormat(QStringLiteral("%d"));
    x->setTickType(QValueAxis::TicksDynamic);  // nice round ticks, set by rescale()
    QAbstractAxis* y = nullptr;
    if (m_log->isChecked()) {
        auto* log = new QLogValueAxis;
        log->setBase(10);
        log->setLabelFormat(QStringLiteral("%g"));
        log->setMinorTickCount(8);  // 2 … 9 between the labelled powers of ten
        y = log;
    } else {
        auto* lin = new QValueAxis;
        lin->setTickType(QValueAxis::TicksDynamic);
        y = lin;
    }
    y->setTitleText(metricTitle(metric));
    m_chart->addAxis(x, Qt::AlignBottom);
    m_chart->addAxis(y, Qt::AlignLeft);
    const bool smooth = metric == QLatin1String("loss") && m_ema > 0;
    for (qint64 run : m_runs) {
        Curve c;
        c.raw = new QLineSeries;
        c.raw->setName(m_runs.size() > 1 ? tr("Run %1").arg(run) : metricTitle(metric));
        m_chart->addSeries(c.raw);
        c.raw->attachAxis(x);
        c.raw->attachAxis(y);
        auto hover = [this, run](const QPointF& p, bool state) {
            m_hover->setText(
                state ? tr("run %1 · step %2 · %3").arg(run).arg(p.x(), 0, 'f', 0).arg(p.y(), 0, 'g', 5)
                      : QString());
        };
        connect(c.raw, &QLineSeries::hovered, this, hover);
        if (smooth) {
            // The raw points stay visible, faded; the smoothed line takes the run's colour.
            const QColor color = c.raw->color();
            QColor faded = color;
            faded.setAlpha(70);
            c.raw->setColor(faded);
            c.raw->setName(m_runs.size() > 1 ? tr("Run %1 (raw)").arg(run) : tr("Raw"));
            c.smooth = new QLineSeries;
            c.smooth->setName(m_runs.size() > 1 ? tr("Run %1 (smoothed)").arg(run) : tr("Smoothed"));
            QPen pen(color);
            pen.setWidthF(2.0);
            c.smooth->setPen(pen);
            m_chart->addSeries(c.smooth);
            c.smooth->attachAxis(x);
            c.smooth->attachAxis(y);
            connect(c.smooth, &QLineSeries::hovered, this, hover);
        }
        m_curves.insert(run, c);
    }
    refresh();
}

void MetricChart::refresh() {
    const std::string metric = this->metric().toStdString();
    bool added = false;
    for (auto it = m_curves.begin(); it != m_curves.end(); ++it) {
        Curve& c = it.value();
        std::vector<atelier::MetricPoint> points;
        try {
            // A resumed run replaced the points after its checkpoint: read the whole curve again
            // rather than keep the dead attempt's. The attempt is read before the points.
            const qint64 attempt = m_store.run(it.key()).attempt;
            if (attempt != c.attempt && c.attempt >= 0) {
                c.raw->clear();
                if (c.smooth) c.smooth->clear();
                c.lastStep = -1;
                c.hasEma = false;
                added = true;
            }
            c.attempt = attempt;
            points = m_store.metrics(it.key(), metric, c.lastStep);
        } catch (const std::exception&) {
            continue;  // the trainer holds a write lock for a moment: next refresh
        }
        QList<QPointF> raw, smooth;
        for (const auto& p : points) {
            if (m_log->isChecked() && p.value <= 0) continue;
            raw.append(QPointF(static_cast<qreal>(p.step), p.value));
            if (c.smooth) {
                c.ema = c.hasEma ? m_ema * c.ema + (1 - m_ema) * p.value : p.value;
                c.hasEma = true;
                smooth.append(QPointF(static_cast<qreal>(p.step), c.ema));
            }
            c.lastStep = p.step;
        }
        if (!raw.isEmpty()) {
            // One replace() per series: append(QList) adds point by point, and the chart lays the
            // whole series out again after each one (milliseconds per refresh on a live run).
            c.raw->replace(c.raw->points() + raw);
            if (c.smooth) c.smooth->replace(c.smooth->points() + smooth);
            added = true;
        }
    }
    if (added && !m_chart->isZoomed()) rescale();  // a zoomed view stays where the user put it
}

void MetricChart::rescale() {
    double x0 = 0, x1 = 1, y0 = 0, y1 = 0;
    bool any = false;
    for (const Curve& c : m_curves) {
        for (const QPointF& p : c.raw->points()) {
            if (!any) {
                y0 = y1 = p.y();
                any = true;
            }
            x1 = std::max(x1, p.x());
            y0 = std::min(y0, p.y());
            y1 = std::max(y1, p.y());
        }
    }
    if (!any) return;
    const auto xs = m_chart->axes(Qt::Horizontal), ys = m_chart->axes(Qt::Vertical);
    // Nice round ticks (0, 50, 100 …; 0.5, 1, 1.5 …) with the range widened to whole ticks.
    // Each setter re-lays the chart out: only what changed is set (a live run refreshes every second).
    // A coarser tick interval goes first: a range grown under the old, finer one lays out a label per
    // old tick for a moment (0..50 at steps of 1, 3.4..3.8 at 0.005: 30-40 ms of the GUI thread when
    // a run's first points arrived, the longest stall while training).
    auto apply = [](QValueAxis* axis, const NiceScale& s) {
        const bool coarser = axis->tickInterval() < s.step;
        if (coarser) axis->setTickInterval(s.step);
        if (axis->min() != s.min || axis->max() != s.max) axis->setRange(s.min, s.max);
        if (axis->tickAnchor() != s.min) axis->setTickAnchor(s.min);
        if (!coarser && axis->tickInterval() != s.step) axis->setTickInterval(s.step);
        const QString format =
            s.decimals == 0 ? QStringLiteral("%d") : QStringLiteral("%.%1f").arg(s.decimals);
        if (axis->labelFormat() != format) axis->setLabelFormat(format);
    };
    // About one label per 90 px across and 40 px up: a short chart (the Train page's) gets fewer
    // ticks rather than labels that collide.
    const QRectF area = m_chart->plotArea();
    const int xTicks = area.width() > 0 ? std::clamp(int(area.width() / 90), 2, 10) : 6;
    const int yTicks = area.height() > 0 ? std::clamp(int(area.height() / 40), 2, 8) : 5;
    if (auto* x = xs.isEmpty() ? nullptr : qobject_cast<QValueAxis*>(xs.first()))
        apply(x, niceScale(x0, x1, xTicks, /*integer=*/true));
    if (ys.isEmpty()) return;
    if (auto* log = qobject_cast<QLogValueAxis*>(ys.first())) {
        const NiceScale s = niceLogScale(y0, y1);
        log->setRange(s.min, s.max);
    } else if (auto* lin = qobject_cast<QValueAxis*>(ys.first())) {
        // Losses and rates are not negative: the axis starts at 0 rather than below it.
        apply(lin, niceScale(y0 >= 0 ? std::max(0.0, y0) : y0, y1, yTicks));
    }
}

void MetricChart::resizeEvent(QResizeEvent* e) {
    QWidget::resizeEvent(e);
    // The plot area follows the layout a moment later: pick the tick count for the new size then.
    if (!m_chart->isZoomed()) QTimer::singleShot(0, this, &MetricChart::rescale);
}

void MetricChart::resetZoom() {
    m_chart->zoomReset();
    rescale();
}

bool MetricChart::exportPng(const QString& path) const {
    return m_view->grab().save(path, "PNG");
}

bool MetricChart::exportCsv(const QString& path) const {
    QString csv = QStringLiteral("run,step,%1\n").arg(metric());
    for (auto it = m_curves.cbegin(); it != m_curves.cend(); ++it)
        for (const QPointF& p : it->raw->points())
            csv += QStringLiteral("%1,%2,%3\n").arg(it.key()).arg(p.x(), 0, 'f', 0).arg(p.y(), 0, 'g', 10);
    QSaveFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(csv.toUtf8()) >= 0 && f.commit();
}
