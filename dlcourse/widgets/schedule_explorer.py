"""ScheduleExplorer: a learning-rate schedule, its curve, and what it does to training.

The schedule comes from :data:`dlcourse.optim.schedules.SCHEDULES` (alpha0 = ``lr0``):

======================  ===============================================================
``constant``            alpha = alpha0
``step_decay``          alpha = alpha0 * drop ** floor(epoch / every)
``exponential_decay``   alpha = alpha0 * exp(-k * epoch)              (k = ``decay_rate``)
``inverse_time_decay``  alpha = alpha0 / (1 + decay_rate * epoch)
``staircase``           alpha = alpha0 / (1 + decay_rate * floor(epoch / every))
======================  ===============================================================

The training run is :func:`dlcourse.experiments.schedule_runs.train_with_schedule` (seeded),
and the same run with the constant rate alpha0 is drawn faded as the reference. Runs are
cached (the last 16 settings, whatever the number of epochs: a shorter run is a prefix of a
longer one), so moving only a decay slider retrains one network, moving a slider back to
where it was retrains none, and more epochs train only the epochs added.
"""

from __future__ import annotations

from collections import OrderedDict

import ipywidgets as W
import numpy as np

from ..experiments.schedule_runs import ScheduleRun, make_schedule
from ..optim.schedules import SCHEDULES
from ..plots.limits import nice_ceil, nice_log_limits, set_log_scale
from ..plots.optimization import schedule_curve
from .base import Dashboard
from .settings import Choice, IntRange, LogRange, Range
from .streaming import Streamed

__all__ = ["ScheduleExplorer"]

#: Which sliders each schedule reads (the others are greyed out).
USES = {
    "constant": (),
    "step_decay": ("drop", "every"),
    "exponential_decay": ("decay_rate",),
    "inverse_time_decay": ("decay_rate",),
    "staircase": ("decay_rate", "every"),
}


class ScheduleExplorer(Streamed, Dashboard):
    """A decay schedule: its lr curve (left) and the training cost it gives (right), with
    the constant-lr run as a faded reference.

    Results: ``schedule`` (the Schedule object), ``lr`` and ``lr_constant`` (per epoch),
    ``cost`` and ``cost_constant`` (``history.loss`` per epoch; shorter if a run diverged),
    ``history`` and ``history_constant``.
    """

    settings = {
        "schedule": Choice("step_decay", "schedule", options=SCHEDULES),
        "lr0": LogRange(2.0, "α0", lo=1e-3, hi=10.0, step=0.05, fmt=".3g"),
        "decay_rate": Range(0.1, "decay rate (k)", lo=0.0, hi=1.0, step=0.01),
        "drop": Range(0.5, "drop", lo=0.05, hi=1.0, step=0.05),
        "every": IntRange(10, "every (epochs)", lo=1, hi=25),
        "epochs": IntRange(50, "epochs", lo=5, hi=100, step=5),
        "batch_size": IntRange(32, lo=1, hi=10_000),
        "hidden": IntRange(16, lo=1, hi=256),
        "n": IntRange(200, lo=10, hi=5000),
        "noise": Range(0.2, lo=0.0, hi=2.0),
        "seed": IntRange(0, lo=0, hi=2**31 - 1),
    }
    figsize = (9.0, 3.6)

    def _controls_box(self) -> W.Widget:
        c = self.controls
        return W.VBox(
            [
                W.HBox([c["schedule"], c["lr0"], c["epochs"]]),
                W.HBox([c["decay_rate"], c["drop"], c["every"]]),
            ]
        )

    def _build_figure(self, fig) -> None:
        self.ax_lr, self.ax_cost = fig.subplots(1, 2)
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.88, wspace=0.28)
        grey = dict(color="0.55", lw=1.5, ls="--", alpha=0.8)
        (self._lr_ref,) = self.ax_lr.plot(
            [], [], drawstyle="steps-post", label="constant α0", **grey
        )
        (self._lr_line,) = self.ax_lr.plot(
            [], [], drawstyle="steps-post", color="C0", lw=2, label="schedule"
        )
        (self._cost_ref,) = self.ax_cost.plot([], [], label="constant α0", **grey)
        (self._cost_line,) = self.ax_cost.plot([], [], color="C0", lw=2, label="schedule")
        self.ax_lr.set_xlabel("epoch")
        self.ax_lr.set_ylabel("learning rate α")
        self.ax_cost.set_xlabel("epoch")
        self.ax_cost.set_ylabel("training cost")
        set_log_scale(self.ax_cost)
        self.ax_lr.legend(fontsize=8, loc="upper right")
        self.ax_cost.legend(fontsize=8, loc="upper right")
        self.view_agg.set_moving(
            [self._lr_ref, self._lr_line, self._cost_ref, self._cost_line]
            + [self.ax_lr.title, self.ax_cost.title]
        )
        self._runs: OrderedDict = OrderedDict()

    # ------------------------------------------------------------------ compute
    def _compute(self) -> None:
        c = self._config
        for name, widget in self.controls.items():
            if name in ("decay_rate", "drop", "every"):
                widget.disabled = name not in USES[c["schedule"]]
        self.schedule = make_schedule(
            c["schedule"], c["lr0"], c["decay_rate"], c["drop"], c["every"]
        )
        self.lr = schedule_curve(self.schedule, c["epochs"])
        self.lr_constant = np.full(c["epochs"], float(c["lr0"]))
        run = dict(
            lr0=c["lr0"],
            batch_size=c["batch_size"],
            hidden=c["hidden"],
            n=c["n"],
            noise=c["noise"],
            seed=c["seed"],
        )
        runs = (
            self._run(None, run),
            None if c["schedule"] == "constant" else self._run(self.schedule, run),
        )
        epochs = c["epochs"]
        first = range(1, epochs + 1) if self._stream.live() else [epochs]
        self._stream.run((self._show(runs, e) for e in first), lambda: self._finish(runs, epochs))

    def _show(self, runs: tuple, epochs: int) -> None:
        """The results after ``epochs`` epochs of both runs (the constant one, the other)."""
        self.history_constant = runs[0].history(epochs)
        self.history = self.history_constant if runs[1] is None else runs[1].history(epochs)
        self.cost = np.asarray(self.history.loss)
        self.cost_constant = np.asarray(self.history_constant.loss)

    def _finish(self, runs: tuple, epochs: int) -> None:
        self._show(runs, epochs)
        self.message = self._divergence_message()

    def _run(self, schedule, run: dict) -> ScheduleRun:
        """The cached :class:`ScheduleRun` of ``schedule`` and the ``run`` settings (all
        but the epochs: a shorter run is a prefix of a longer one)."""
        key = (repr(schedule), tuple(sorted(run.items())))
        if key in self._runs:
            self._runs.move_to_end(key)
        else:
            self._runs[key] = ScheduleRun(schedule, **run)
            while len(self._runs) > 16:
                self._runs.popitem(last=False)
        return self._runs[key]

    def _divergence_message(self) -> str:
        for label, h in (
            ("the scheduled run", self.history),
            ("the constant-α run", self.history_constant),
        ):
            if h.diverged is not None:
                return (
                    f"{label} diverged at epoch {h.diverged.epoch} (α = {h.diverged.lr:.3g}): "
                    f"learning rate too large; lower α0 or decay faster"
                )
        return ""

    # ------------------------------------------------------------------ draw
    def _draw(self) -> None:
        c = self._config
        epochs = np.arange(c["epochs"])
        self._lr_line.set_data(epochs, self.lr)
        self._lr_ref.set_data(epochs, self.lr_constant)
        self._cost_line.set_data(np.arange(len(self.cost)), self.cost)
        self._cost_ref.set_data(np.arange(len(self.cost_constant)), self.cost_constant)
        self.ax_lr.set_xlim(0, max(c["epochs"] - 1, 1))
        self.ax_lr.set_ylim(0, nice_ceil(1.08 * c["lr0"]))  # round limits move rarely
        self.ax_cost.set_xlim(0, max(c["epochs"] - 1, 1))
        finite = np.concatenate([self.cost, self.cost_constant])
        finite = finite[np.isfinite(finite) & (finite > 0)]
        if finite.size:
            self.ax_cost.set_ylim(nice_log_limits(finite.min(), finite.max(), factor=1.5))
        self.ax_lr.set_title(f"{self.schedule!r}", fontsize=9)
        self.ax_cost.set_title(self._cost_title(), fontsize=9)

    def _cost_title(self) -> str:
        def last(cost):
            return f"{cost[-1]:.3f}" if len(cost) and np.isfinite(cost[-1]) else "—"

        return (
            f"final cost: {last(self.cost)} (schedule) vs {last(self.cost_constant)} (constant α0)"
        )
