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

import math

import ipywidgets as W
import numpy as np

from ..topics.gd1d import COSTS_1D, descend, get_cost_1d
from ..topics.paths import RADIUS
from ..plots.optimization import plot_cost_curves, update_cost_curves
from .base import Dashboard

__all__ = ["GradientDescentExplorer", "ESCAPE_RADIUS"]

#: A path further than this from the origin is diverging (the runner's one rule).
ESCAPE_RADIUS = RADIUS

LR_MIN_EXP, LR_MAX_EXP = -3.0, 1.0


class GradientDescentExplorer(Dashboard):
    """Gradient descent on a 1-D cost: the path on J(w) (left), J(w_k) - J* (right)."""

    defaults = {"cost": "quadratic", "lr": 0.1, "steps": 30, "w0": None}
    figsize = (9.5, 3.6)

    # ------------------------------------------------------------------ config
    def _merged(self, config: dict) -> dict:
        merged = super()._merged(config)
        cost = get_cost_1d(merged["cost"])
        if merged["w0"] is None:
            merged["w0"] = float(cost.start)
        lo, hi = cost.bounds
        w0 = merged["w0"]
        if isinstance(w0, bool) or not isinstance(w0, (int, float)) or not lo <= w0 <= hi:
            raise ValueError(f"w0 must be a number within the {merged['cost']} window "
                             f"[{lo:g}, {hi:g}], got {w0!r}")
        merged["w0"] = float(w0)
        return merged

    def _validate(self, config: dict) -> None:
        if config["cost"] not in COSTS_1D:
            raise ValueError(f"unknown cost {config['cost']!r}; valid: {list(COSTS_1D)}")
        lr = config["lr"]
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not 0 < lr < math.inf:
            raise ValueError(f"lr must be > 0, got {lr!r}")
        steps = config["steps"]
        if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= 500:
            raise ValueError(f"steps must be an int in [1, 500], got {steps!r}")

    def set_config(self, config: dict) -> None:
        merged = self._merged(dict(config))
        self._fit_w0_slider(merged)
        super().set_config(merged)

    # ------------------------------------------------------------------ controls
    def _build_controls(self) -> dict:
        c = self._config
        style = {"description_width": "initial"}
        controls = {
            "cost": W.Dropdown(options=list(COSTS_1D), value=c["cost"], description="cost"),
            "lr": W.FloatLogSlider(value=c["lr"], base=10, min=LR_MIN_EXP, max=LR_MAX_EXP,
                                   step=0.02, description="α (learning rate)",
                                   readout_format=".3g", continuous_update=True, style=style),
            "steps": W.IntSlider(value=c["steps"], min=1, max=200, description="steps",
                                 continuous_update=True, style=style),
            "w0": W.FloatSlider(value=c["w0"], description="start w₀", readout_format=".2f",
                                continuous_update=True, style=style),
        }
        self.controls = controls
        self._fit_w0_slider(c)
        return controls

    def _fit_w0_slider(self, config: dict) -> None:
        """The start slider spans the cost's window; its value is the configured start."""
        lo, hi = get_cost_1d(config["cost"]).bounds
        slider = self.controls["w0"]
        was, self._syncing = self._syncing, True
        try:
            slider.min, slider.max = min(slider.min, lo), max(slider.max, hi)  # no clamping
            slider.value = config["w0"]
            slider.min, slider.max, slider.step = lo, hi, (hi - lo) / 280
            self._config["w0"] = float(slider.value)
        finally:
            self._syncing = was

    def _control_changed(self, name: str) -> None:
        if name == "cost":  # a new cost starts from its own suggested point
            self._config["w0"] = float(get_cost_1d(self._config["cost"]).start)
            self._fit_w0_slider(self._config)
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

    # ------------------------------------------------------------------ compute
    def _compute(self) -> None:
        c = self._config
        self.cost = get_cost_1d(c["cost"])
        self.minimum = float(min(self.cost.value(m) for m in self.cost.minima))
        self.path = descend(self.cost, c["w0"], c["lr"], c["steps"], radius=ESCAPE_RADIUS)
        lo, hi = self.cost.bounds
        self.diverging = self.path.diverged_at is not None
        limit = f"here α must stay below 2/J''(w*) = {self.cost.lr_limit:.3g}"
        if self.diverging:
            self.message = (f"diverged at step {self.path.diverged_at}: learning rate "
                            f"α = {c['lr']:.3g} too large ({limit})")
        elif not lo <= self.path.final <= hi:
            k = int(np.flatnonzero((self.path.ws < lo) | (self.path.ws > hi))[0])
            self.message = (f"the path left the plot at step {k} and is running away: "
                            f"α = {c['lr']:.3g} is too large ({limit})")

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
            f"(limit {self.cost.lr_limit:.3g}), {self.path.steps} steps → {where}", fontsize=9)

    def _draw_curve(self) -> None:
        w, J = self.cost.grid()
        self._curve.set_data(w, J)
        lo, hi = float(J.min()), float(J.max())
        pad = 0.08 * (hi - lo)
        self.ax_curve.set_xlim(*self.cost.bounds)
        self.ax_curve.set_ylim(lo - pad, hi + pad)
        self._minima.set_segments([[(m, lo - pad), (m, hi + pad)] for m in self.cost.minima])
        self._curve_drawn = self.cost.name
