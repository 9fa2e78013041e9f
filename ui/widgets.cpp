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
