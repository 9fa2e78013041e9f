// Axis ranges people read at a glance: ticks at 1, 2 or 5 times a power of ten (0, 50, 100 …;
// 0.1, 0.2, 0.3 …), the range widened to whole ticks — Heckbert's "nice numbers" (Graphics Gems,
// 1990), as plotting libraries do. Log axes run between powers of ten (0.1, 1, 10). Pure arithmetic,
// tested without a chart.
//
//   NiceScale s = niceScale(0.109, 2.94);   // {min 0, max 3, step 0.5, decimals 1}
#pragma once

struct NiceScale {
    double min = 0, max = 1, step = 1;
    int decimals = 0;  // digits after the point that show every tick exactly
};

// A range covering [lo, hi] with about `ticks` intervals (at least 2). `integer` keeps the step a
// whole number (training steps). A degenerate range (lo == hi) is widened around the value.
NiceScale niceScale(double lo, double hi, int ticks = 5, bool integer = false);

// The powers of ten around [lo, hi] (both > 0) for a log axis, at least one decade apart.
NiceScale niceLogScale(double lo, double hi);
