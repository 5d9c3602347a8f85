"""GradCheckExplorer: gradient checking, one parameter at a time, with a bug you can plant.

The problem is :func:`dlcourse.experiments.gradcheck_bugs.planted_bug_problem`: a
4-5-4-3 tanh network with a softmax output on 8 random examples, optionally with dropout
and L2, and optionally with one planted bug in its backward pass. For every parameter
W^[l], b^[l] the dashboard shows

    relative error = ||dtheta - dtheta_approx|| / (||dtheta|| + ||dtheta_approx||),
    dtheta_approx_i = (J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps)

(from ``dl.gradcheck_report``) as bars on a log axis, with the thresholds 1e-7 (good) and
1e-3 (a bug); and, for the whole parameter vector, the relative error against eps (from
``dl.gradcheck``): truncation error falls as eps^2 until round-off, which grows as 1/eps,
takes over. Controls: eps (log slider), the planted bug, dropout (off / on with its mask
fixed during the check / on with a new mask at every forward pass) and L2's lambda.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..experiments.gradcheck_bugs import (
    BUG,
    BUGS,
    DROPOUT_MODES,
    EPS_GRID,
    GOOD,
    course_names,
    error_vs_eps,
    parameter_errors,
    planted_bug_problem,
    verdict,
)
from ..gradcheck import gradcheck
from ..plots.limits import set_log_scale
from .base import Dashboard
from .settings import Choice, IntRange, LogRange, Range
from .streaming import Streamed

__all__ = ["EPS_RANGE", "GradCheckExplorer"]

EPS_RANGE = (1e-12, 1e-1)
L2_RANGE = (0.0, 2.0)
FLOOR = 1e-16  # errors are drawn from here (an exact 0 has no log)
TOP = 1e3


class GradCheckExplorer(Streamed, Dashboard):
    """Per-parameter relative errors of a gradient check (see the module docstring).

    Results: ``errors`` (dict course name -> relative error at the chosen eps),
    ``eps_grid`` and ``sweep`` (overall relative error for each eps of the grid),
    ``n_entries`` (parameter entries checked) and ``forward_passes`` (2 per entry: the
    price of a check, which is why it is for debugging only).
    """

    settings = {
        "eps": LogRange(1e-6, "ε", lo=EPS_RANGE[0], hi=EPS_RANGE[1], step=0.25, fmt=".1e"),
        "bug": Choice("none", "planted bug", options=BUGS),
        "dropout": Choice("off", "dropout", options=DROPOUT_MODES),
        "l2": Range(0.5, "L2 λ", lo=L2_RANGE[0], hi=L2_RANGE[1], step=0.1, fmt=".1f"),
        "seed": IntRange(0, lo=0),
    }
    figsize = (10.0, 3.9)
    slider_kw = choice_kw = {"layout": {"width": "300px"}, "style": {"description_width": "80px"}}

    def __init__(self, **config: Any) -> None:
        self._sweep_key = None
        self.sweep = np.full(len(EPS_GRID), np.nan)
        self.eps_grid = EPS_GRID.copy()
        self.errors: dict[str, float] = {}
        self._sweeps: dict = {}  # key -> [sweep, entries done], the last few settings
        super().__init__(**config)

    # ------------------------------------------------------------------ compute
    def _compute(self) -> None:
        c = self._config
        eps = float(c["eps"])
        with np.errstate(all="ignore"):
            self.errors = parameter_errors(c["bug"], c["dropout"], c["l2"], eps, c["seed"])
        p = planted_bug_problem(c["bug"], c["dropout"], c["l2"], c["seed"])
        self.overall = math.nan  # the chosen eps's marker: the stream's first piece
        self.n_entries = sum(q.value.size for q in p.model.parameters())
        self.forward_passes = 2 * self.n_entries
        key = (c["bug"], c["dropout"], c["l2"], c["seed"])  # the sweep: all but eps
        if key not in self._sweeps:
            self._sweeps[key] = [np.full(len(self.eps_grid), np.nan), 0]
            while len(self._sweeps) > 16:
                self._sweeps.pop(next(iter(self._sweeps)))
        self._sweep_key, self.sweep = key, self._sweeps[key][0]
        self._stream.run(self._sweep_work(key, p, eps), lambda: None, at_once=0)

    def _sweep_work(self, key: tuple, p, eps: float):
        """The overall error at ``eps`` on the problem ``p``, then the eps sweep, one eps at
        a time (``error_vs_eps`` on a fresh problem each)."""
        with np.errstate(all="ignore"):
            self.overall = gradcheck(
                p.model, p.loss, p.X, p.y, eps=eps, l2=p.l2, fix_dropout=p.fix_dropout
            )
        yield
        entry = self._sweeps[key]
        while entry[1] < len(self.eps_grid):
            i = entry[1]
            with np.errstate(all="ignore"):
                entry[0][i] = error_vs_eps(
                    *key[:3], seed=key[3], eps_values=self.eps_grid[i : i + 1]
                )[0]
            entry[1] += 1
            yield

    # ------------------------------------------------------------------ view
    def _build_figure(self, fig: Figure) -> None:
        gs = fig.add_gridspec(
            1, 2, width_ratios=[1.15, 1.0], left=0.08, right=0.98, bottom=0.15, top=0.8, wspace=0.3
        )
        self._ax_bars, self._ax_eps = fig.add_subplot(gs[0]), fig.add_subplot(gs[1])
        names = list(course_names(planted_bug_problem().model).values())
        ax = self._ax_bars
        self._bars = ax.bar(
            range(len(names)),
            np.ones(len(names)),
            bottom=FLOOR,
            color="0.5",
            edgecolor="black",
            linewidth=0.6,
        )
        self._labels = [
            ax.text(i, FLOOR, "", ha="center", va="bottom", fontsize=8) for i in range(len(names))
        ]
        ax.set_xticks(range(len(names)), names)
        for a in (self._ax_bars, self._ax_eps):
            self._thresholds(a)
        set_log_scale(ax)
        ax.set_ylim(FLOOR, TOP)
        ax.set_ylabel("relative error")
        ax.set_title("per parameter", fontsize=10)
        for y, text, color in (
            (GOOD, "correct below 1e-7", "tab:green"),
            (BUG, "a bug above 1e-3", "tab:red"),
        ):
            ax.text(
                0.99,
                y * 2.0,
                text,
                transform=ax.get_yaxis_transform(),
                fontsize=8,
                color=color,
                ha="right",
                va="bottom",
                zorder=5,
                bbox=dict(facecolor="white", edgecolor="none", alpha=0.7, pad=1),
            )
        ax = self._ax_eps
        (self._sweep_line,) = ax.plot(
            EPS_GRID, np.ones(len(EPS_GRID)), "o-", ms=3, color="C0", label="all parameters"
        )
        (self._marker,) = ax.plot(
            [1e-6], [1e-6], "o", ms=9, mfc="none", mec="C3", mew=2, label="chosen ε"
        )
        set_log_scale(ax, "x")
        set_log_scale(ax)
        ax.set_xlim(EPS_RANGE[0] / 2, EPS_RANGE[1] * 2)
        ax.set_ylim(FLOOR, TOP)
        ax.set_xlabel("ε")
        ax.set_title("relative error against ε", fontsize=10)
        ax.legend(loc="lower left", fontsize=8, frameon=True, framealpha=0.9)
        self._summary = fig.text(0.5, 0.97, "", ha="center", va="top", fontsize=10)
        self._cost = fig.text(0.5, 0.905, "", ha="center", va="top", fontsize=8, color="0.3")
        self.view_agg.set_moving(
            [list(self._bars), self._labels, self._sweep_line, self._marker, self._summary]
            + [self._cost]
        )

    @staticmethod
    def _thresholds(ax) -> None:
        ax.axhspan(FLOOR, GOOD, color="tab:green", alpha=0.08, zorder=0)
        ax.axhspan(GOOD, BUG, color="gold", alpha=0.10, zorder=0)
        ax.axhspan(BUG, 1e3, color="tab:red", alpha=0.08, zorder=0)
        ax.axhline(GOOD, color="tab:green", ls="--", lw=1, label="1e-7: correct")
        ax.axhline(BUG, color="tab:red", ls="--", lw=1, label="1e-3: a bug")
        ax.grid(True, which="major", alpha=0.3)

    def _draw(self) -> None:
        colors = {"correct": "tab:green", "look closer": "goldenrod", "a bug": "tab:red"}
        for bar, label, value in zip(self._bars, self._labels, self.errors.values()):
            shown = max(value, FLOOR * 1.5)
            bar.set_height(shown - FLOOR)
            bar.set_color(colors[verdict(value)])
            bar.set_edgecolor("black")
            label.set_position((label.get_position()[0], shown * 1.4))
            label.set_text("0" if value == 0 else f"{value:.0e}")
        sweep = np.where(self.sweep > 0, self.sweep, FLOOR * 1.5)
        sweep[self._sweeps[self._sweep_key][1] :] = np.nan  # not computed yet (streaming)
        self._sweep_line.set_ydata(sweep)
        eps = float(self._config["eps"])
        self._marker.set_data([eps], [max(self.overall, FLOOR * 1.5)])
        self._summary.set_text(self._describe())
        self._cost.set_text(
            f"cost of one check: 2 forward passes per entry × "
            f"{self.n_entries} entries = {self.forward_passes} passes "
            "(backprop gives all of them in 1 forward + 1 backward pass)"
        )

    def _describe(self) -> str:
        name, worst = max(self.errors.items(), key=lambda kv: kv[1])
        eps = f"ε = {self._config['eps']:.1e}"
        if self._config["dropout"] == "on, mask not fixed":
            return (
                f"{eps}: worst {worst:.1e}, yet backprop may be right: a new dropout mask "
                "at each forward pass makes J a different function each time"
            )
        head = f"{eps}: worst {name} at {worst:.1e} → {verdict(worst)}"
        bad = [n for n, v in self.errors.items() if v >= BUG]
        if bad and len(bad) < len(self.errors):
            return f"{head}; wrong: {', '.join(bad)}"
        return head
