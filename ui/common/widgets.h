// Small widgets every page uses, so they look the same everywhere: a page heading and the banner
// that shows an error in place (not a modal box that would block the window).
#pragma once

#include <QIcon>
#include <QLabel>
#include <QString>

class QColor;
class QWidget;

QLabel* makePageHeading(QWidget* parent);                             // large bold text
QLabel* makeErrorBanner(QWidget* parent, const QString& objectName);  // hidden until setText + show
QString formatParameters(qint64 n);                                   // 260.5K, 12.62M, 1.10B
class QDoubleSpinBox;
QDoubleSpinBox* makeDoubleBox(QWidget* parent, double lo, double hi, int decimals, double step);
// One of our line icons (resources/icons/NAME.svg, drawn in slate grey) with a variant in
// `selected` for selected items: styles tint a selected icon towards the highlight colour, which
// erases a grey line icon on a blue selection.
QIcon lineIcon(const QString& name, const QColor& selected);

// A one-line label that gives way to its neighbours: a text wider than the room it gets ends in
// "…" (the whole of it in the tooltip) instead of being cut off mid-letter.
class ElidedLabel : public QLabel {
    Q_OBJECT
public:
    explicit ElidedLabel(QWidget* parent = nullptr);
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* e) override;
};
