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
cached (the last 16 settings), so moving only a decay slider retrains one network and moving
a slider back to where it was retrains none.
"""
from __future__ import annotations

import math
from collections import OrderedDict

import ipywidgets as W
import numpy as np

from ..experiments.schedule_runs import make_schedule, train_with_schedule
from ..optim.schedules import SCHEDULES
from ..plots.optimization import schedule_curve
from .base import Dashboard

__all__ = ["ScheduleExplorer"]

#: The range of each numeric setting (the sliders' ranges for those that have one; keywords
#: are checked against them).
RANGES = {"lr0": (1e-3, 10.0), "decay_rate": (0.0, 1.0), "drop": (0.05, 1.0), "every": (1, 25),
          "epochs": (5, 100), "batch_size": (1, 10_000), "hidden": (1, 256), "n": (10, 5000),
          "noise": (0.0, 2.0), "seed": (0, 2**31 - 1)}
#: Which sliders each schedule reads (the others are greyed out).
USES = {"constant": (), "step_decay": ("drop", "every"), "exponential_decay": ("decay_rate",),
        "inverse_time_decay": ("decay_rate",), "staircase": ("decay_rate", "every")}


class ScheduleExplorer(Dashboard):
    """A decay schedule: its lr curve (left) and the training cost it gives (right), with
    the constant-lr run as a faded reference.

    Results: ``schedule`` (the Schedule object), ``lr`` and ``lr_constant`` (per epoch),
    ``cost`` and ``cost_constant`` (``history.loss`` per epoch; shorter if a run diverged),
    ``history`` and ``history_constant``.
    """

    defaults = {"schedule": "step_decay", "lr0": 2.0, "decay_rate": 0.1, "drop": 0.5,
                "every": 10, "epochs": 50, "batch_size": 32, "hidden": 16, "n": 200,
                "noise": 0.2, "seed": 0}
    ranges = RANGES
    figsize = (9.0, 3.6)

    def _validate(self, config: dict) -> None:
        if config["schedule"] not in SCHEDULES:
            raise ValueError(f"unknown schedule {config['schedule']!r}; valid: {list(SCHEDULES)}")

    def _build_controls(self) -> dict:
        c = self._config
        kw = dict(continuous_update=False, style={"description_width": "initial"})
        return {
            "schedule": W.Dropdown(options=list(SCHEDULES), value=c["schedule"],
                                   description="schedule"),
            "lr0": W.FloatLogSlider(value=c["lr0"], base=10, min=math.log10(RANGES["lr0"][0]),
                                    max=math.log10(RANGES["lr0"][1]), step=0.05,
                                    description="α0", readout_format=".3g", **kw),
            "decay_rate": W.FloatSlider(value=c["decay_rate"], **self._bounds("decay_rate"), step=0.01,
                                        description="decay rate (k)", **kw),
            "drop": W.FloatSlider(value=c["drop"], **self._bounds("drop"), step=0.05,
                                  description="drop", **kw),
            "every": W.IntSlider(value=c["every"], **self._bounds("every"), description="every (epochs)",
                                 **kw),
            "epochs": W.IntSlider(value=c["epochs"], **self._bounds("epochs"), step=5,
                                  description="epochs", **kw),
        }

    def _controls_box(self) -> W.Widget:
        c = self.controls
        return W.VBox([W.HBox([c["schedule"], c["lr0"], c["epochs"]]),
                       W.HBox([c["decay_rate"], c["drop"], c["every"]])])

    def _build_figure(self, fig) -> None:
        self.ax_lr, self.ax_cost = fig.subplots(1, 2)
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.88, wspace=0.28)
        grey = dict(color="0.55", lw=1.5, ls="--", alpha=0.8)
        (self._lr_ref,) = self.ax_lr.plot([], [], drawstyle="steps-post", label="constant α0",
                                          **grey)
        (self._lr_line,) = self.ax_lr.plot([], [], drawstyle="steps-post", color="C0", lw=2,
                                           label="schedule")
        (self._cost_ref,) = self.ax_cost.plot([], [], label="constant α0", **grey)
        (self._cost_line,) = self.ax_cost.plot([], [], color="C0", lw=2, label="schedule")
        self.ax_lr.set_xlabel("epoch")
        self.ax_lr.set_ylabel("learning rate α")
        self.ax_cost.set_xlabel("epoch")
        self.ax_cost.set_ylabel("training cost")
        self.ax_cost.set_yscale("log")
        self.ax_lr.legend(fontsize=8, loc="upper right")
        self.ax_cost.legend(fontsize=8, loc="upper right")
        self._runs: OrderedDict = OrderedDict()

    # ------------------------------------------------------------------ compute
    def _compute(self) -> None:
        c = self._config
        for name, widget in self.controls.items():
            if name in ("decay_rate", "drop", "every"):
                widget.disabled = name not in USES[c["schedule"]]
        self.schedule = make_schedule(c["schedule"], c["lr0"], c["decay_rate"], c["drop"],
                                      c["every"])
        self.lr = schedule_curve(self.schedule, c["epochs"])
        self.lr_constant = np.full(c["epochs"], float(c["lr0"]))
        run = dict(lr0=c["lr0"], epochs=c["epochs"], batch_size=c["batch_size"],
                   hidden=c["hidden"], n=c["n"], noise=c["noise"], seed=c["seed"])
        self.history_constant = self._run(None, run)
        self.history = (self.history_constant if c["schedule"] == "constant"
                        else self._run(self.schedule, run))
        self.cost = np.asarray(self.history.loss)
        self.cost_constant = np.asarray(self.history_constant.loss)
        self.message = self._divergence_message()

    def _run(self, schedule, run: dict):
        """The History of ``train_with_schedule(schedule, **run)``, from the cache if there."""
        key = (repr(schedule), tuple(sorted(run.items())))
        if key in self._runs:
            self._runs.move_to_end(key)
        else:
            self._runs[key] = train_with_schedule(schedule, **run)
            while len(self._runs) > 16:
                self._runs.popitem(last=False)
        return self._runs[key]

    def _divergence_message(self) -> str:
        for label, h in (("the scheduled run", self.history),
                         ("the constant-α run", self.history_constant)):
            if h.diverged is not None:
                return (f"{label} diverged at epoch {h.diverged.epoch} (α = {h.diverged.lr:.3g}): "
                        f"learning rate too large; lower α0 or decay faster")
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
        self.ax_lr.set_ylim(0, 1.08 * c["lr0"])
        self.ax_cost.set_xlim(0, max(c["epochs"] - 1, 1))
        finite = np.concatenate([self.cost, self.cost_constant])
        finite = finite[np.isfinite(finite) & (finite > 0)]
        if finite.size:
            self.ax_cost.set_ylim(finite.min() / 1.5, finite.max() * 1.5)
        self.ax_lr.set_title(f"{self.schedule!r}", fontsize=9)
        self.ax_cost.set_title(self._cost_title(), fontsize=9)

    def _cost_title(self) -> str:
        def last(cost):
            return f"{cost[-1]:.3f}" if len(cost) and np.isfinite(cost[-1]) else "—"
        return (f"final cost: {last(self.cost)} (schedule) vs "
                f"{last(self.cost_constant)} (constant α0)")


