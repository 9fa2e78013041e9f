// The run views against the run store as a trainer leaves it: the loss chart after a resume
// (issue 12, item 10) and its axes (issue 13). Offscreen, a real store; no model is needed.
#include "metric_chart.h"
#include "nice_scale.h"
#include "run_store.h"
#include "train_config.h"

#include <QApplication>
#include <QChart>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QTemporaryDir>
#include <QValueAxis>
#include <QtTest>

#include <cmath>

namespace {

// A tick is nice when it is 1, 2 or 5 times a power of ten.
bool niceStep(double step) {
    const double p = std::pow(10.0, std::floor(std::log10(step) + 1e-9));
    const double m = step / p;
    return std::abs(m - 1) < 1e-9 || std::abs(m - 2) < 1e-9 || std::abs(m - 5) < 1e-9;
}

bool onGrid(double v, double step) {
    const double k = v / step;
    return std::abs(k - std::round(k)) < 1e-6;
}

// A run in the store as a trainer's first start leaves it (no points yet).
int64_t startRun(atelier::RunStore& store, const QTemporaryDir& dir, const char* name) {
    atelier::TrainConfig c;
    c.model = "model";
    c.data = "data.json";
    c.out = dir.filePath(QStringLiteral("run")).toStdString();
    const int64_t id = store.create_run(c, "", name);
    store.truncate_after(id, 0);
    return id;
}

}  // namespace

class RunViewsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // A run killed at step 15 resumes from its checkpoint at step 12: the store drops steps 13-15
    // and the new attempt writes them again. The chart used to keep the dead attempt's 13-15 (it
    // only fetched steps past the last one it held) beside the new curve.
    void chartDropsADeadAttemptsPointsAfterAResume() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        atelier::RunStore store(dir.filePath(QStringLiteral("runs.db")).toStdString());
        const int64_t id = startRun(store, dir, "resumed");  // the first start
        for (int step = 1; step <= 15; ++step) store.add_metric(id, step, "loss", 10.0);

        MetricChart chart(store);
        chart.setSmoothing(0);
        chart.setRuns({id});
        chart.setMetric(QStringLiteral("loss"));
        chart.refresh();
        QCOMPARE(chart.pointCount(id), 15);

        store.truncate_after(id, 12);  // the resume
        for (int step = 13; step <= 20; ++step) store.add_metric(id, step, "loss", 1.0);
        chart.refresh();
        QCOMPARE(chart.pointCount(id), 20);
        QLineSeries* series = nullptr;
        for (QAbstractSeries* s : chart.chart()->series())
            if (auto* line = qobject_cast<QLineSeries*>(s)) series = line;
        QVERIFY(series);
        const QList<QPointF> points = series->points();
        for (int i = 0; i < points.size(); ++i) {
            QCOMPARE(points[i].x(), double(i + 1));  // each step once, in order
            QCOMPARE(points[i].y(), i + 1 <= 12 ? 10.0 : 1.0);
        }
    }

    void niceScalesCoverTheirRangeWithRoundTicks_data() {
        QTest::addColumn<double>("lo");
        QTest::addColumn<double>("hi");
        QTest::addColumn<bool>("integer");
        QTest::addColumn<double>("step");
        QTest::newRow("losses 0.109-2.94") << 0.109 << 2.94 << false << 0.5;
        QTest::newRow("steps 1-237") << 1.0 << 237.0 << true << 50.0;
        QTest::newRow("steps 1-3") << 1.0 << 3.0 << true << 1.0;
        QTest::newRow("learning rate") << 0.0 << 3e-4 << false << 5e-5;
        QTest::newRow("narrow") << 2.51 << 2.53 << false << 0.005;
        QTest::newRow("negative") << -7.3 << 12.1 << false << 5.0;
        QTest::newRow("one value") << 4.0 << 4.0 << false << 0.2;
    }
    void niceScalesCoverTheirRangeWithRoundTicks() {
        QFETCH(double, lo);
        QFETCH(double, hi);
        QFETCH(bool, integer);
        QFETCH(double, step);
        const NiceScale s = niceScale(lo, hi, 5, integer);
        QCOMPARE(s.step, step);
        QVERIFY(niceStep(s.step));
        QVERIFY(s.min <= lo && s.max >= hi);
        QVERIFY(onGrid(s.min, s.step) && onGrid(s.max, s.step));
        const int intervals = int(std::lround((s.max - s.min) / s.step));
        QVERIFY2(intervals >= 2 && intervals <= 12, qPrintable(QString::number(intervals)));
        // The label precision shows every tick exactly: 0.005 needs 3 decimals, 50 none.
        QCOMPARE(QString::number(s.step, 'f', s.decimals).toDouble(), s.step);
    }

    void logScalesRunBetweenPowersOfTen() {
        NiceScale s = niceLogScale(0.109, 2.94);
        QCOMPARE(s.min, 0.1);
        QCOMPARE(s.max, 10.0);
        s = niceLogScale(2.0, 5.0);  // inside one decade: still two labelled ticks
        QCOMPARE(s.min, 1.0);
        QCOMPARE(s.max, 10.0);
        s = niceLogScale(1.0, 100.0);
        QCOMPARE(s.min, 1.0);
        QCOMPARE(s.max, 100.0);
    }

    // The chart's own axes, on a loss curve that goes from 2.94 to 0.109 over 237 steps.
    // A live run: points arrive each second and the axes must stay on round ticks as they grow
    // (QtCharts fits an axis to its series when the points change, after our rescale()).
    void liveChartKeepsRoundTicks() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        atelier::RunStore store(dir.filePath(QStringLiteral("runs.db")).toStdString());
        const int64_t id = startRun(store, dir, "live");
        MetricChart chart(store);
        chart.setRuns({id});
        chart.setMetric(QStringLiteral("loss"));
        chart.resize(700, 230);
        chart.show();
        chart.setLive(true);
        for (int batch = 0; batch < 5; ++batch) {
            for (int step = batch * 27 + 1; step <= (batch + 1) * 27; ++step)
                store.add_metric(id, step, "loss", 3.89 * std::pow(0.03, step / 135.0));
            chart.refresh();
            QTest::qWait(50);
            for (auto* axis : chart.chart()->axes()) {
                auto* v = qobject_cast<QValueAxis*>(axis);
                QVERIFY(v);
                QCOMPARE(v->tickType(), QValueAxis::TicksDynamic);
                QVERIFY2(niceStep(v->tickInterval()), qPrintable(QString::number(v->tickInterval())));
                const double ticks = (v->max() - v->min()) / v->tickInterval();
                QVERIFY2(std::abs(ticks - std::round(ticks)) < 1e-9,
                         qPrintable(QStringLiteral("range %1..%2 by %3")
                                        .arg(v->min())
                                        .arg(v->max())
                                        .arg(v->tickInterval())));
            }
        }
        chart.setLive(false);
        QVERIFY(!chart.isLive());
    }

    void chartAxesUseRoundTicks() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        atelier::RunStore store(dir.filePath(QStringLiteral("runs.db")).toStdString());
        const int64_t id = startRun(store, dir, "axes");
        for (int step = 1; step <= 237; ++step)
            store.add_metric(id, step, "loss", 2.94 * std::pow(0.109 / 2.94, (step - 1) / 236.0));
        MetricChart chart(store);
        chart.setRuns({id});
        chart.setMetric(QStringLiteral("loss"));
        chart.refresh();
        auto* x = qobject_cast<QValueAxis*>(chart.chart()->axes(Qt::Horizontal).value(0));
        auto* y = qobject_cast<QValueAxis*>(chart.chart()->axes(Qt::Vertical).value(0));
        QVERIFY(x && y);
        QCOMPARE(x->tickType(), QValueAxis::TicksDynamic);
        QCOMPARE(x->tickInterval(), 50.0);
        QCOMPARE(x->min(), 0.0);
        QCOMPARE(x->max(), 250.0);
        QCOMPARE(y->tickInterval(), 0.5);
        QCOMPARE(y->min(), 0.0);
        QCOMPARE(y->max(), 3.0);
        QCOMPARE(y->labelFormat(), QStringLiteral("%.1f"));
        // A short chart (the Train page's) gets fewer, still round, ticks: labels never collide.
        chart.resize(700, 230);
        chart.show();
        QTest::qWait(100);
        y = qobject_cast<QValueAxis*>(chart.chart()->axes(Qt::Vertical).value(0));
        QVERIFY(y);
        const double plotHeight = chart.chart()->plotArea().height();
        QVERIFY(plotHeight > 0);
        QVERIFY(niceStep(y->tickInterval()));
        QVERIFY2(plotHeight / ((y->max() - y->min()) / y->tickInterval()) >= 24,  // a label is ~15 px
                 qPrintable(QStringLiteral("%1 px per tick")
                                .arg(plotHeight / ((y->max() - y->min()) / y->tickInterval()))));
        chart.setLogScale(true);
        chart.refresh();
        auto* log = qobject_cast<QLogValueAxis*>(chart.chart()->axes(Qt::Vertical).value(0));
        QVERIFY(log);
        QCOMPARE(log->min(), 0.1);
        QCOMPARE(log->max(), 10.0);
    }
};

QTEST_MAIN(RunViewsTest)
#include "test_run_views.moc"
