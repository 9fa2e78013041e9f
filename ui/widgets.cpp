#include "widgets.h"

#include <QLabel>

QLabel* makePageHeading(QWidget* parent) {
    auto* heading = new QLabel(parent);
    QFont f = heading->font();
    f.setPointSizeF(f.pointSizeF() * 1.4);
    f.setBold(true);
    heading->setFont(f);
    return heading;
}

QLabel* makeErrorBanner(QWidget* parent, const QString& objectName) {
    auto* banner = new QLabel(parent);
    banner->setObjectName(objectName);
    banner->setWordWrap(true);
    banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    banner->setStyleSheet(
        QStringLiteral("#%1 { background: rgba(208, 90, 42, 40); border: 1px solid rgb(208, 90, 42); "
                       "border-radius: 6px; padding: 6px; }")
            .arg(objectName));
    banner->hide();
    return banner;
}

QString formatParameters(qint64 n) {
    const double v = static_cast<double>(n);
    if (v >= 1e9) return QStringLiteral("%1B").arg(v / 1e9, 0, 'f', 2);
    if (v >= 1e6) return QStringLiteral("%1M").arg(v / 1e6, 0, 'f', 1);
    if (v >= 1e3) return QStringLiteral("%1K").arg(v / 1e3, 0, 'f', 1);
    return QString::number(n);
}
