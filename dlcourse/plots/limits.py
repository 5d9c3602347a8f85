"""Axis limits on a coarse grid of round numbers, so that they move rarely.

A dashboard that fits its axes to the data exactly changes its limits, and so its ticks, on
every move of a slider, and every such change costs a full redraw of the figure (tick labels
are the costliest thing to draw). Limits rounded outward onto the grid
``GRID = 1, 1.5, 2, 3, 4, 5, 6, 8 (x 10^k)`` (log axes: whole decades) stay where they are
while the data moves inside them; the data still spans more than half of a linear axis
(an axis that starts at 0 has its top below 1.5 x 1.05 x the data's top).
The limits are a function of the data alone (no memory): the same settings always give
the same picture, however a slider got there.

Log axes get minor ticks (2..9 x 10^k) only while they span at most
:data:`MINOR_DECADES` decades (:func:`set_log_scale`): beyond that they are eight lines
per decade that nobody reads, and they are much of the draw time of a log axis.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import LogLocator

__all__ = [
    "DECADES",
    "GRID",
    "GRID_125",
    "MINOR_DECADES",
    "SparseMinorLogLocator",
    "set_log_scale",
    "nice_ceil",
    "nice_floor",
    "nice_limits",
    "nice_log_limits",
    "widened",
]

GRID = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
GRID_125 = (1.0, 2.0, 5.0, 10.0)  # a coarser linear grid
DECADES = (1.0, 10.0)  # log axes
MINOR_DECADES = 3.0  # log axes spanning more decades have no minor ticks


def nice_ceil(x: float, grid: tuple[float, ...] = GRID) -> float:
    """The smallest grid value m 10^k >= x, for x > 0."""
    if not (x > 0 and math.isfinite(x)):
        raise ValueError(f"x must be a positive finite number, got {x!r}")
    power = 10.0 ** math.floor(math.log10(x))
    for m in grid:
        if m * power >= x * (1 - 1e-12):
            return float(m * power)
    return float(grid[-1] * power)


def nice_floor(x: float, grid: tuple[float, ...] = GRID) -> float:
    """The largest grid value m 10^k <= x, for x > 0."""
    if not (x > 0 and math.isfinite(x)):
        raise ValueError(f"x must be a positive finite number, got {x!r}")
    power = 10.0 ** math.floor(math.log10(x))
    for m in reversed(grid):
        if m * power <= x * (1 + 1e-12):
            return float(m * power)
    return float(power)


def nice_limits(
    lo: float, hi: float, margin: float = 0.05, from_zero: bool | None = None
) -> tuple[float, float]:
    """Linear limits containing [lo, hi] widened by ``margin`` of the span on each side.

    The axis starts at 0 for data >= 0 when ``from_zero`` is True, or when it is None and
    the data's low end is nearer 0 than half its span (costs, counts); the top is then the
    grid value above. Otherwise both ends are rounded outward to a multiple of a grid step
    of about a quarter of the span (and symmetrically for data <= 0)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
        raise ValueError(f"lo, hi must be finite with lo <= hi, got {lo!r}, {hi!r}")
    span = hi - lo if hi > lo else max(abs(hi) * 0.1, 1e-3)
    near = (lambda end: end < 0.5 * span) if from_zero is None else (lambda end: from_zero)
    if lo >= 0 and near(lo):
        return 0.0, nice_ceil(hi + margin * span)
    if hi <= 0 and near(-hi):
        return -nice_ceil(-lo + margin * span), 0.0
    low, high = lo - margin * span, hi + margin * span
    step = nice_ceil((high - low) / 4)
    return math.floor(low / step) * step, math.ceil(high / step) * step


def nice_log_limits(lo: float, hi: float, factor: float = 1.3) -> tuple[float, float]:
    """Log-axis limits containing [lo / factor, hi * factor], at whole decades."""
    if not (lo > 0 and hi >= lo and math.isfinite(hi)):
        raise ValueError(f"lo, hi must satisfy 0 < lo <= hi < inf, got {lo!r}, {hi!r}")
    return nice_floor(lo / factor, DECADES), nice_ceil(hi * factor, DECADES)


def widened(current: tuple[float, float], wanted: tuple[float, float]) -> tuple[float, float]:
    """The smallest range holding both ``current`` and ``wanted`` (each (low, high)):
    limits that only grow, for an axis that should stay put while a run is streaming."""
    (a, b), (c, d) = sorted(map(float, current)), sorted(map(float, wanted))
    if not all(math.isfinite(v) for v in (a, b, c, d)):
        raise ValueError(f"limits must be finite, got {current!r} and {wanted!r}")
    return min(a, c), max(b, d)


class SparseMinorLogLocator(LogLocator):
    """Matplotlib's minor ticks of a log axis (``LogLocator(subs="auto")``) while the view
    spans at most ``max_decades`` decades; none beyond."""

    def __init__(self, base: float = 10.0, max_decades: float = MINOR_DECADES) -> None:
        super().__init__(base=base, subs="auto")
        self.log_base, self.max_decades = float(base), float(max_decades)

    def tick_values(self, vmin: float, vmax: float) -> np.ndarray:
        lo, hi = sorted((float(vmin), float(vmax)))
        if lo > 0 and math.log(hi / lo, self.log_base) > self.max_decades:
            return np.array([])
        return super().tick_values(vmin, vmax)


def set_log_scale(ax: Axes, axis: Literal["x", "y"] = "y") -> None:
    """``ax.set_yscale("log")`` (or x) with :class:`SparseMinorLogLocator` minor ticks."""
    if axis not in ("x", "y"):
        raise ValueError(f"axis must be 'x' or 'y', got {axis!r}")
    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    (ax.xaxis if axis == "x" else ax.yaxis).set_minor_locator(SparseMinorLogLocator())
