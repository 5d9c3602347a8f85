r"""GradientDescentExplorer: gradient descent on a cost of one variable, learning rate on a
logarithmic slider (notebook 01).

From ``w0`` it runs ``steps`` steps of

    w_{k+1} = w_k - alpha * J'(w_k)

with :func:`dlcourse.topics.gd1d.descend` on one of the costs of :mod:`dlcourse.topics.gd1d` and draws the
path on the curve J(w) (left) and the cost above the global minimum, J(w_k) - J*, against k
on a log scale (right). The title compares alpha with the limit 2 / J''(w*) beyond which the
path cannot settle at the minimum. A path whose cost overflows to inf/NaN, or that runs
further than :data:`ESCAPE_RADIUS` from the origin, is reported in ``message`` as diverging
(``diverging`` is True); one that ends outside the plotted window, as running away.

Results: ``cost`` (the :class:`~dlcourse.topics.gd1d.Cost1D`), ``path`` (the
:class:`~dlcourse.topics.gd1d.Descent`), ``minimum`` (J*), ``diverging`` (bool).
"""

from __future__ import annotations


import ipywidgets as W
import numpy as np

from ..topics.gd1d import COSTS_1D, descend, get_cost_1d
from ..descent import RADIUS
from ..plots.optimization import plot_cost_curves, update_cost_curves
from .base import Dashboard
from .settings import Choice, IntRange, LogRange, Within

__all__ = ["GradientDescentExplorer", "ESCAPE_RADIUS"]

#: A path further than this from the origin is diverging (the runner's one rule).
ESCAPE_RADIUS = RADIUS

LR_MIN_EXP, LR_MAX_EXP = -3.0, 1.0


class GradientDescentExplorer(Dashboard):
    """Gradient descent on a 1-D cost: the path on J(w) (left), J(w_k) - J* (right)."""

    settings = {
        "cost": Choice("quadratic", "cost", options=COSTS_1D),
        "lr": LogRange(
            0.1, "α (learning rate)", lo=10**LR_MIN_EXP, hi=10**LR_MAX_EXP, step=0.02, fmt=".3g"
        ),
        "steps": IntRange(30, "steps", lo=1, hi=200),
        "w0": Within(
            None,
            "start w₀",
            on="cost",
            steps=280,
            bounds=lambda c: get_cost_1d(c["cost"]).bounds,
            start=lambda c: get_cost_1d(c["cost"]).start,
            where=lambda c: f"the {c['cost']} window",
        ),
    }
    continuous_update = True
    figsize = (9.5, 3.6)

    def _control_changed(self, name: str) -> None:
        if name == "cost":  # a new cost (its start point follows: settings.Within)
            self._curve_drawn = None
        self.update()

    def _controls_box(self) -> W.Widget:
        c = self.controls
        return W.VBox([W.HBox([c["cost"], c["lr"]]), W.HBox([c["steps"], c["w0"]])])

    # ------------------------------------------------------------------ figure
    def _build_figure(self, fig) -> None:
        self.ax_curve, self.ax_cost = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.2, 1]})
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.15, top=0.88, wspace=0.25)
        ax = self.ax_curve
        (self._curve,) = ax.plot([], [], color="0.25", lw=1.8, label="J(w)")
        (self._path_line,) = ax.plot([], [], "-", color="tab:orange", lw=0.9, alpha=0.8)
        (self._path_dots,) = ax.plot([], [], "o", color="tab:orange", ms=4, label="w_k")
        (self._start,) = ax.plot([], [], "s", color="tab:blue", ms=7, label="start w₀")
        (self._end,) = ax.plot([], [], "*", color="crimson", ms=13, label="last w")
        self._minima = ax.vlines([], 0, 1, colors="0.5", linestyles=":", lw=1)
        ax.set_xlabel("w")
        ax.set_ylabel("J(w)")
        ax.legend(loc="upper center", fontsize=8, ncol=2, framealpha=0.85)
        self._gap_lines = plot_cost_curves(self.ax_cost, {"gd": []}, colors={"gd": "tab:orange"})
        self.ax_cost.set_title("cost above the global minimum", fontsize=10)
        self._curve_drawn = None
        self.view_agg.set_moving(
            [self._path_line, self._path_dots, self._start, self._end, self._gap_lines]
            + [self.ax_curve.title]
        )

    # ------------------------------------------------------------------ compute
    def _compute(self) -> None:
        c = self._config
        self.cost = get_cost_1d(c["cost"])
        self.minimum = float(min(self.cost.value(m) for m in self.cost.minima))
        self.path = descend(self.cost, c["w0"], c["lr"], c["steps"], radius=ESCAPE_RADIUS)
        lo, hi = self.cost.bounds
        self.diverging = self.path.diverged_at is not None
        limit = (
            f"here α must stay below 2/J''(w*) = {self.cost.lr_limit:.3g}"
            if np.isfinite(self.cost.lr_limit)
            else "J''(w*) = 0: no curvature bound at the minimum; the safe α depends on the "
            "start (notebook 01)"
        )
        if self.diverging:
            self.message = (
                f"diverged at step {self.path.diverged_at}: learning rate "
                f"α = {c['lr']:.3g} too large ({limit})"
            )
        elif not lo <= self.path.final <= hi:
            k = int(np.flatnonzero((self.path.ws < lo) | (self.path.ws > hi))[0])
            self.message = (
                f"the path left the plot at step {k} and is running away: "
                f"α = {c['lr']:.3g} is too large ({limit})"
            )

    # ------------------------------------------------------------------ draw
    def _draw(self) -> None:
        if self._curve_drawn != self.cost.name:
            self._draw_curve()
        ws, costs = self.path.ws, self.path.costs
        ok = np.isfinite(ws) & np.isfinite(costs)
        self._path_line.set_data(ws[ok], costs[ok])
        self._path_dots.set_data(ws[ok], costs[ok])
        self._start.set_data([ws[0]], [costs[0]])
        last = np.flatnonzero(ok)[-1]
        self._end.set_data([ws[last]], [costs[last]])
        update_cost_curves(self._gap_lines, {"gd": costs}, self.minimum)
        w_last = ws[last]
        where = f"w = {w_last:.4g}" if abs(w_last) < 1e4 else f"w = {w_last:.2e} (off the plot)"
        self.ax_curve.set_title(
            f"{self.cost.formula}:  α = {self._config['lr']:.3g} "
            f"(limit {self.cost.lr_limit:.3g}), {self.path.steps} steps → {where}",
            fontsize=9,
        )

    def _draw_curve(self) -> None:
        w, J = self.cost.grid()
        self._curve.set_data(w, J)
        lo, hi = float(J.min()), float(J.max())
        pad = 0.08 * (hi - lo)
        self.ax_curve.set_xlim(*self.cost.bounds)
        self.ax_curve.set_ylim(lo - pad, hi + pad)
        self._minima.set_segments([[(m, lo - pad), (m, hi + pad)] for m in self.cost.minima])
        self._curve_drawn = self.cost.name
