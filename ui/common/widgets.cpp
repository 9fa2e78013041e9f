#include "widgets.h"

#include <QBuffer>
#include <QColor>
#include <QDoubleSpinBox>
#include <QFile>
#include <QImageReader>
#include <QLabel>
#include <QPainter>
#include <QPixmap>
#include <QStyle>

QDoubleSpinBox* makeDoubleBox(QWidget* parent, double lo, double hi, int decimals, double step) {
    auto* box = new QDoubleSpinBox(parent);
    box->setRange(lo, hi);
    box->setDecimals(decimals);
    box->setSingleStep(step);
    return box;
}

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

QIcon lineIcon(const QString& name, const QColor& selected) {
    const QString path = QStringLiteral(":/icons/%1.svg").arg(name);
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return QIcon(path);
    const QByteArray normal = f.readAll();
    QByteArray highlighted = normal;
    highlighted.replace("stroke=\"#6b7b8f\"", "stroke=\"" + selected.name().toLatin1() + "\"");
    // Pixmaps of both variants at each size (an SVG icon engine would ignore the added Selected
    // pixmaps); rendered at each size, not scaled.
    QIcon icon;
    for (int size : {16, 22, 24, 32, 44, 48})
        for (const auto& [svg, mode] :
             {std::pair{normal, QIcon::Normal}, std::pair{highlighted, QIcon::Selected}}) {
            QByteArray bytes = svg;
            QBuffer buffer(&bytes);
            QImageReader reader(&buffer, "svg");
            reader.setScaledSize(QSize(size, size));
            const QImage image = reader.read();
            if (!image.isNull()) icon.addPixmap(QPixmap::fromImage(image), mode);
        }
    return icon.isNull() ? QIcon(path) : icon;
}

ElidedLabel::ElidedLabel(QWidget* parent) : QLabel(parent) {
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    setTextFormat(Qt::PlainText);
}

QSize ElidedLabel::minimumSizeHint() const {
    const QSize full = QLabel::minimumSizeHint();
    return {fontMetrics().horizontalAdvance(QStringLiteral("M…")), full.height()};
}

void ElidedLabel::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const QRect r = contentsRect();
    const QString shown = fontMetrics().elidedText(text(), Qt::ElideRight, r.width());
    style()->drawItemText(&p, r, int(alignment()), palette(), isEnabled(), shown, foregroundRole());
}
