"""DebugDashboard: a guided "debug this training run" exercise on the handwritten digits.

A broken training run is picked from :data:`SCENARIOS` (learning rate too small, too large,
inputs not normalised, initial weights too large, labels shuffled); its settings appear on
the controls, and the learner fixes it by moving them. After every change the network is
trained again and the figure shows the loss curves and the babysitting checklist of
:mod:`dlcourse.topics.babysit`:

- inputs normalised (:func:`~dlcourse.topics.babysit.check_preprocessing` on the training inputs);
- loss at initialisation against log C (:func:`~dlcourse.topics.babysit.check_initial_loss`);
- can the model memorise 20 examples (:func:`~dlcourse.topics.babysit.overfit_small_subset`,
  always with Adam, alpha = 0.01, 150 epochs: it tests the model, the loss and the data,
  not the chosen learning rate);
- the verdict on the loss curve (:func:`~dlcourse.topics.babysit.check_loss_curve`);
- the accuracies after training (:func:`~dlcourse.topics.babysit.check_accuracy`).

The run is :mod:`dlcourse.experiments.debug_run`.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ..experiments.debug_run import HEALTHY, N_CLASSES, SCENARIOS, DebugChecks, DebugTraining
from ..topics import babysit
from ..plots.limits import nice_log_limits, set_log_scale, widened
from ..train import History
from .base import Dashboard
from .settings import Choice, Flag, IntRange, LogRange
from .streaming import Streamed

__all__ = ["DebugDashboard", "SCENARIOS"]

LR_RANGE = (1e-5, 10.0)
SCALE_RANGE = (0.01, 100.0)
EPOCHS_RANGE = (1, 60)
CLIP = (1e-4, 1e6)  # costs outside are drawn at the edge (a diverging run reaches 1e300)


class DebugDashboard(Streamed, Dashboard):
    """Pick a broken run, fix it with the controls, watch the checklist turn green.

    ``DebugDashboard(scenario="lr too large")`` starts from that scenario's settings
    (explicit keywords override them). Results: ``history`` (train / validation cost and
    accuracy per epoch), ``diagnostics`` (the checklist), ``train_loss``, ``val_loss``,
    ``divergence`` (the text of the DivergenceWarning caught, or ""), ``all_passed``.
    Choosing another scenario resets the other controls to its settings.
    """

    settings = {
        "scenario": Choice("healthy run", "broken run", options=SCENARIOS),
        "lr": LogRange(HEALTHY["lr"], "α (lr)", lo=LR_RANGE[0], hi=LR_RANGE[1]),
        "normalize": Flag(HEALTHY["normalize"], "standardise inputs"),
        "init_scale": LogRange(
            HEALTHY["init_scale"], "init scale", lo=SCALE_RANGE[0], hi=SCALE_RANGE[1]
        ),
        "shuffle_labels": Flag(HEALTHY["shuffle_labels"], "labels shuffled"),
        "epochs": IntRange(30, "epochs", lo=EPOCHS_RANGE[0], hi=EPOCHS_RANGE[1]),
        "seed": IntRange(0, lo=0),
    }
    figsize = (10.5, 4.0)
    slider_kw = choice_kw = {"layout": {"width": "320px"}, "style": {"description_width": "110px"}}

    def __init__(self, **config: Any) -> None:
        scenario = config.get("scenario", self.defaults["scenario"])
        if scenario in SCENARIOS:
            config = {**SCENARIOS[scenario], **config}
        self.history = History()
        self.diagnostics: list[babysit.Diagnostic] = []
        self.divergence = ""
        self._checks: dict = {}  # DebugChecks by (normalize, init_scale, shuffle_labels, seed)
        super().__init__(**config)

    def _controls_box(self) -> W.Widget:
        ctl = self.controls
        return W.VBox(
            [
                W.HBox([ctl["scenario"], ctl["normalize"], ctl["shuffle_labels"]]),
                W.HBox([ctl["lr"], ctl["init_scale"], ctl["epochs"]]),
            ]
        )

    def _control_changed(self, name: str) -> None:
        if name == "scenario":  # load the scenario's settings onto the controls, then run once
            self._syncing = True
            try:
                for key, value in SCENARIOS[self._config["scenario"]].items():
                    self.controls[key].value = value
                    self._config[key] = value
            finally:
                self._syncing = False
        super()._control_changed(name)  # streamed when on screen (Streamed)

    # ------------------------------------------------------------------ results
    train_loss = property(lambda self: np.asarray(self.history.loss, dtype=float))
    val_loss = property(lambda self: np.asarray(self.history.val_loss, dtype=float))

    @property
    def all_passed(self) -> bool:
        return len(self.diagnostics) == 5 and all(d.passed for d in self.diagnostics)

    def _compute(self) -> None:
        c = self._config
        self.history, self.diagnostics, self.divergence = History(), [], ""
        key = (bool(c["normalize"]), float(c["init_scale"]), bool(c["shuffle_labels"]), c["seed"])
        if key not in self._checks:  # lr and epochs leave the data, checks and overfit alone
            self._checks[key] = DebugChecks(*key)
            while len(self._checks) > 8:
                self._checks.pop(next(iter(self._checks)))
        run = DebugTraining(float(c["lr"]), key[1], c["seed"], self._checks[key])
        self.history = run.history
        self._show_checks(run)
        step = 1 if self._stream.live() else c["epochs"]  # streamed: epoch by epoch
        self._stream.run(self._epochs(run, c["epochs"], step), lambda: self._finish(run))

    def _epochs(self, run: DebugTraining, epochs: int, step: int):
        """The training: epoch by epoch when streamed, in one ``fit`` call otherwise."""
        for epoch in range(0, epochs, step):
            run.train(step)
            yield
            if epoch == 0 and not run.checks.overfit_done:  # streamed: after the 1st epoch
                _ = run.checks.overfit
                self._show_checks(run)
                yield

    def _show_checks(self, run: DebugTraining) -> None:
        """The checklist known before training ends: the data checks, then the overfit."""
        c = run.checks
        self.diagnostics = [*c.before, *([c.overfit.diagnostic()] if c.overfit_done else [])]

    def _finish(self, run: DebugTraining) -> None:
        result = run.result()
        self.diagnostics = result["diagnostics"]
        self.divergence = result["divergence"]

    # ------------------------------------------------------------------ view
    def _build_figure(self, fig: Figure) -> None:
        self.ax_loss = fig.add_axes([0.085, 0.14, 0.37, 0.74])
        self.ax_text = fig.add_axes([0.49, 0.02, 0.5, 0.9])
        self.ax_text.axis("off")
        ax = self.ax_loss
        (self.line_train,) = ax.plot([], [], "-", color="#0877bd", lw=1.8, label="training")
        (self.line_val,) = ax.plot([], [], "-", color="#f59322", lw=1.8, label="validation")
        self.chance = ax.axhline(
            math.log(N_CLASSES), color="0.4", ls="--", lw=1, label="log C (chance)"
        )
        set_log_scale(ax)
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.set_xlabel("epoch")
        ax.set_ylabel("cost (cross-entropy)")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="best", fontsize=8)
        self.title = ax.set_title("", fontsize=10)
        self.alarm = ax.text(
            0.5,
            0.5,
            "",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="#c62828",
            fontsize=10,
            weight="bold",
        )
        self.lines_text = [
            self.ax_text.text(
                0.0,
                0.97 - 0.2 * i,
                "",
                va="top",
                ha="left",
                fontsize=9,
                transform=self.ax_text.transAxes,
            )
            for i in range(5)
        ]
        self.header = self.ax_text.text(
            0.0,
            1.04,
            "checklist",
            fontsize=10,
            weight="bold",
            transform=self.ax_text.transAxes,
            va="top",
        )
        self._subs = None
        self.view_agg.set_moving(
            [self.line_train, self.line_val, self.title, self.alarm, self.lines_text]
        )

    def _draw(self) -> None:
        for line, values in ((self.line_train, self.train_loss), (self.line_val, self.val_loss)):
            ok = np.isfinite(values)
            epochs = np.arange(1, len(values) + 1)
            line.set_data(epochs[ok], np.clip(values[ok], *CLIP))
        self._rescale()
        d = self.history.diverged
        self.alarm.set_text(
            ""
            if d is None
            else f"diverged: NaN/inf in epoch {d.epoch + 1}\n"
            f"(costs above {CLIP[1]:.0e} drawn at {CLIP[1]:.0e})"
        )
        c = self._config
        self.title.set_text(
            f"{c['scenario']}: α = {c['lr']:.2g}, init scale = {c['init_scale']:.2g}"
        )
        for text, diag in zip(self.lines_text, self.diagnostics + [None] * 5):
            if diag is None:
                text.set_text("")
                continue
            mark = "✓" if diag.passed else "✗"
            body = textwrap.fill(
                f"{mark} {diag.name}: {diag.detail}", width=64, subsequent_indent="   "
            )
            text.set_text(body)
            text.set_color("#1a7f37" if diag.passed else "#c62828")

    def _rescale(self) -> None:
        ax = self.ax_loss
        values = np.concatenate([self.train_loss, self.val_loss, [math.log(N_CLASSES)]])
        values = np.clip(values[np.isfinite(values)], *CLIP)
        low, high = float(values.min()), float(values.max())
        ax.set_xlim(0.5, max(self._config["epochs"], 2) + 0.5)
        limits = nice_log_limits(low, high, factor=1.5)  # round: they move rarely
        if self._stream.incomplete:  # while the run streams the axes only widen
            ax.set_ylim(widened(ax.get_ylim(), limits))
            return
        ax.set_ylim(limits)
        # over a few decades label 1, 2, 5 x 10^k; over many, the powers of ten only
        subs = (1.0, 2.0, 5.0) if high / low < 1e3 else (1.0,)
        if subs != self._subs:  # a new locator is a new layout: only when it changes
            self._subs = subs
            ax.yaxis.set_major_locator(LogLocator(base=10, subs=subs))
