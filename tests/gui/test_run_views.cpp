// The run views against the run store as a trainer leaves it: the loss chart after a resume
// (issue 12, item 10). Offscreen, a real store; no model is needed.
#include "metric_chart.h"
#include "run_store.h"
#include "train_config.h"

#include <QApplication>
#include <QChart>
#include <QLineSeries>
#include <QTemporaryDir>
#include <QtTest>

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
        atelier::TrainConfig c;
        c.model = "model";
        c.data = "data.json";
        c.out = dir.filePath(QStringLiteral("run")).toStdString();
        const int64_t id = store.create_run(c, "", "resumed");
        store.truncate_after(id, 0);  // the first start
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
};

QTEST_MAIN(RunViewsTest)
#include "test_run_views.moc"
