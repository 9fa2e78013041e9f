#include "background_pool.h"

#include <QCoreApplication>
#include <QPointer>
#include <QThread>
#include <QThreadPool>

#include <algorithm>

QThreadPool* backgroundPool() {
    // One per application object (tests may create several in turn); destroyed with it, after
    // waiting for the jobs in flight.
    static QPointer<QThreadPool> pool;
    if (!pool) {
        pool = new QThreadPool(QCoreApplication::instance());
        pool->setObjectName(QStringLiteral("atelierBackgroundPool"));
        pool->setMaxThreadCount(std::max(2, QThread::idealThreadCount()));
    }
    return pool;
}
