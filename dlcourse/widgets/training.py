"""TrainingDashboard: the TensorFlow Playground inside Jupyter.

A small fully connected classifier is trained on a 2-D data set; the decision boundary
(the network at test time on a grid) and the training / validation cost curves redraw
while it trains. This module is a view: the controller is
:class:`~dlcourse.experiments.training_runs.ClassifierRun`, a
:class:`~dlcourse.experiments.training_runs.TrainingRun` like the Playground's, so both
follow the same rules:

- the learning rate alpha and the betas (beta, beta1, beta2), L2 lambda and the batch size
  act on the RUNNING network: the optimizer keeps its state (velocities, squared-gradient
  averages, Adam's t) and only its attribute changes; the number of epochs and the cost
  axis change only the view;
- structural settings (data set, noise, layers, width, activation, initialization, dropout,
  batch norm, optimizer kind) start a new network; the previous run's curves stay, faded,
  so two settings can be compared;
- a run whose training cost becomes NaN/inf, or rises above ten times its starting cost
  (or above 5 when it started below 0.5), stops, and the message says what to try.

Determinism: everything is drawn from ``seed`` (:mod:`dlcourse.experiments.training_runs`),
so the same config gives the same arrays however training is cut into chunks.
"""

from __future__ import annotations

import math
import time
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from .. import activations, datasets, optim
from .._checks import check_int
from ..experiments.training_runs import BATCH_SIZES, L2_VALUES, RANGES, ClassifierRun
from ..init import INITIALIZERS
from ..plots.training import cost_curves, data_extent, decision_boundary
from .base import Dashboard
from .playing import PlayLoop
from .settings import Choice, Flag, IntRange, LogRange, OneMinusLog, Range, Select

__all__ = ["TrainingDashboard"]

EPOCH_CHOICES = (10, 20, 50, 100, 200, 300, 500, 1000, 2000)
_lo, _hi = (lambda key: RANGES[key][0]), (lambda key: RANGES[key][1])  # the shared ranges


def _of_run(name: str, doc: str) -> property:
    """A read-only attribute of the dashboard that is the controller's."""
    return property(lambda self: getattr(self.controller, name), doc=doc)


def _curve(name: str, doc: str) -> property:
    """One curve of the run's ``dl.History``, as an array."""
    return property(
        lambda self: np.asarray(getattr(self.controller.history, name), dtype=float), doc=doc
    )


class TrainingDashboard(Dashboard):
    """Train a small network on a 2-D data set and watch it learn (see the module docstring).

    ``controller`` is the run (a :class:`~dlcourse.experiments.training_runs.ClassifierRun`,
    which holds the settings). Results (numpy arrays): ``train_loss``, ``val_loss``,
    ``train_accuracy``, ``val_accuracy``, ``step_loss`` (one value per epoch or step of the
    current run), ``grid_probs`` (ny, nx, C) with ``grid_x``, ``grid_y``; also ``model``,
    ``optimizer``, ``loss_fn``, ``history`` (a ``dl.History`` of the whole run), ``epoch``,
    ``initial_loss`` (the training cost before the first step), ``previous`` (the faded
    run: a dict of arrays, or None) and the data ``X_train``, ``y_train``, ``X_val``,
    ``y_val``.

    Methods: ``run(epochs=None)`` trains synchronously (notebooks, tests);
    ``play()``, ``pause()``, ``step()``, ``restart()`` are what the buttons do.
    """

    settings = {
        "dataset": Choice("moons", "data", options=datasets.DATASETS),
        "noise": Range(0.2, "noise", lo=_lo("noise"), hi=_hi("noise"), step=0.05),
        "hidden_layers": IntRange(2, "hidden layers", lo=0, hi=6),
        "width": IntRange(8, "width", lo=1, hi=32),
        "activation": Choice(
            "tanh", "activation", options=activations.ACTIVATIONS, exclude=("step",)
        ),
        "init": Choice("xavier", "init", options=INITIALIZERS),
        "dropout": Range(0.0, "dropout rate", lo=_lo("dropout"), hi=_hi("dropout"), step=0.05),
        "batch_norm": Flag(False, "batch norm"),
        "optimizer": Choice("adam", "optimizer", options=lambda: optim.NAMES),
        "lr": LogRange(0.01, "α (lr)", live=True, lo=_lo("lr"), hi=_hi("lr")),
        "beta": OneMinusLog(0.9, "β", live=True, lo=_lo("beta"), hi=_hi("beta")),
        "beta1": OneMinusLog(0.9, "β1", live=True, lo=_lo("beta1"), hi=_hi("beta1")),
        "beta2": OneMinusLog(0.999, "β2", live=True, lo=_lo("beta2"), hi=_hi("beta2")),
        "batch_size": Select(32, "batch size", live=True, values=BATCH_SIZES),
        "l2": Select(0.0, "L2 λ", live=True, values=L2_VALUES),
        "epochs": Select(
            200, "epochs", live=True, values=EPOCH_CHOICES, extend=IntRange(lo=1, hi=100_000)
        ),  # any count gets a position
        "log_y": Flag(False, "log cost axis", live=True),
        "n_examples": IntRange(300, lo=10),
        "val_fraction": Range(0.3, lo=0.0, hi=1.0, open=True),
        "seed": IntRange(0, lo=0),
    }
    slider_kw = choice_kw = {"layout": {"width": "250px"}, "style": {"description_width": "92px"}}
    flag_kw = {**slider_kw, "indent": True}
    figsize = (9.6, 4.0)
    resolution = 100  # decision-boundary grid: resolution x resolution points
    redraw_seconds = 0.2  # live redraw period while training
    step_epochs = 1  # epochs trained by the "step" button

    model = _of_run("model", "The network of the current run.")
    optimizer = _of_run("optimizer", "Its optimizer (live settings change its attributes).")
    loss_fn = _of_run("loss_fn", "Binary cross-entropy for two classes, else softmax.")
    history = _of_run("history", "The run's ``dl.History``.")
    epoch = _of_run("epoch", "Epochs trained in the current run.")
    initial_loss = _of_run("initial_loss", "The training cost before the first step.")
    X_train = _of_run("X_train", "Training points (n, 2).")
    y_train = _of_run("y_train", "Their labels.")
    X_val = _of_run("X_val", "Validation points.")
    y_val = _of_run("y_val", "Their labels.")
    train_loss = _curve("loss", "Training cost per epoch (mean over the epoch's mini-batches).")
    val_loss = _curve("val_loss", "Validation cost per epoch (test mode).")
    train_accuracy = _curve("accuracy", "Training accuracy per epoch (while training).")
    val_accuracy = _curve("val_accuracy", "Validation accuracy per epoch (test mode).")
    step_loss = _curve("step_loss", "The cost of every mini-batch step.")

    @property
    def previous(self) -> dict | None:
        """The faded run's curves ({"loss", "val_loss"}), or None."""
        return self.controller.previous

    # ------------------------------------------------------------------ settings: the run's
    @property
    def _config(self) -> dict:
        """The settings: the controller's ``values`` (held once)."""
        return self.controller.values

    @_config.setter
    def _config(self, config: dict) -> None:
        """New settings: a new run (``set_config`` then resets it)."""
        self.controller = ClassifierRun(config)

    # ------------------------------------------------------------------ controls
    def _controls_box(self) -> W.Widget:
        ctl = self.controls
        rows = [
            [self.buttons["play"], self.buttons["step"], self.buttons["reset"], self._status],
            [ctl["dataset"], ctl["noise"], ctl["epochs"], ctl["log_y"]],
            [ctl["hidden_layers"], ctl["width"], ctl["activation"], ctl["init"]],
            [ctl["dropout"], ctl["batch_norm"], ctl["l2"], ctl["batch_size"]],
            [ctl["optimizer"], ctl["lr"], ctl["beta"], ctl["beta1"], ctl["beta2"]],
        ]
        return W.VBox([W.HBox(r, layout=W.Layout(flex_flow="row wrap")) for r in rows])

    def _build_buttons(self) -> None:
        self.buttons = {
            "play": W.Button(description="play", icon="play", layout=W.Layout(width="90px")),
            "step": W.Button(
                description="step",
                icon="step-forward",
                tooltip=f"train {self.step_epochs} epoch(s)",
                layout=W.Layout(width="90px"),
            ),
            "reset": W.Button(description="reset", icon="undo", layout=W.Layout(width="90px")),
        }
        self._status = W.HTML(layout=W.Layout(margin="0 0 0 12px"))
        self.buttons["play"].on_click(lambda _: self.pause() if self.playing else self.play())
        self.buttons["step"].on_click(lambda _: self.step())
        self.buttons["reset"].on_click(lambda _: self.restart())

    def _control_changed(self, name: str) -> None:
        """The run takes the setting: live (on the running network) or structural (a new
        network, the run so far faded)."""
        self.controller.changed(name)
        self._compute_and_draw()

    def _sync_enabled(self) -> None:
        """Grey out the betas the chosen optimizer does not use."""
        for key in ("beta", "beta1", "beta2"):
            self.controls[key].disabled = not self.controller.uses(key)

    # ------------------------------------------------------------------ state
    def __init__(self, **config: Any) -> None:
        self.grid_probs = self.grid_x = self.grid_y = None
        self._player = PlayLoop(
            self, self._play_frame, self._keep_playing, self._show_playing, pause_seconds=0.02
        )
        self._failed = False
        self._last_draw = 0.0
        self._data_shown = None
        self._build_buttons()
        super().__init__(**config)

    def reset(self) -> None:
        """Called by ``set_config``: stop, forget the faded run, start a new network."""
        self.pause()
        self.controller.previous = None
        self.controller.restart(keep_previous=False)

    def restart(self) -> None:
        """The reset button: a new network with the same settings; the run so far stays
        as the faded curve."""
        self.controller.restart()
        self.update()

    @property
    def playing(self) -> bool:
        return self._player.playing

    # ------------------------------------------------------------------ training
    def run(self, epochs: int | None = None) -> None:
        """Train synchronously: ``epochs`` more epochs, by default up to the configured
        number. The plot redraws every ``redraw_seconds`` while it runs."""
        n = (
            max(self._config["epochs"] - self.epoch, 0)
            if epochs is None
            else check_int("epochs", epochs, minimum=0)
        )
        self.pause()
        self.guard(self._train, n, math.inf)

    def step(self) -> None:
        """Train ``step_epochs`` more epochs (the step button, also past ``epochs``);
        a diverged run starts again first."""
        self.pause()
        if self.controller.diverged:
            self.controller.restart()
        self.guard(self._train, self.step_epochs, math.inf)

    def play(self) -> None:
        """Train in the background on the kernel's event loop, redrawing between chunks,
        until ``epochs`` is reached or ``pause()``. Without a running event loop (a plain
        script) this trains synchronously, like ``run()``."""
        if self.playing:
            return
        if self.controller.diverged or self.epoch >= self._config["epochs"]:
            self.controller.restart()
        self._failed = False
        if not self._player.start():
            self.run()

    def pause(self) -> None:
        """Stop background training after the epoch in progress (at once, between chunks)."""
        self._player.stop()

    def _keep_playing(self) -> bool:
        return (
            self.epoch < self._config["epochs"]
            and not self.controller.diverged
            and not self._failed
        )

    def _play_frame(self) -> None:
        """One chunk of training while playing (``redraw_seconds`` long), redrawn live."""
        self._train(self._config["epochs"] - self.epoch, self.redraw_seconds, True)

    def _train(self, epochs: int, seconds: float, stoppable: bool = False) -> None:
        """Train up to ``epochs`` epochs of the run, for at most ``seconds`` (then return
        so the caller can redraw), redrawing every ``redraw_seconds`` meanwhile. A
        ``stoppable`` chunk (the play loop's) ends after the epoch in which pause() came."""
        self._last_draw = time.perf_counter()
        self.controller.train(
            epochs,
            seconds,
            keep_going=(lambda: self.playing) if stoppable else (lambda: True),
            each_epoch=self._live_redraw,
        )
        self._compute_and_draw()

    def _live_redraw(self) -> None:
        """After an epoch: redraw when ``redraw_seconds`` have passed since the last one."""
        now = time.perf_counter()
        if now - self._last_draw >= self.redraw_seconds:
            self._compute_and_draw()
            self.redraw()
            self._last_draw = now

    # ------------------------------------------------------------------ view
    def _build_figure(self, fig: Figure) -> None:
        gs = fig.add_gridspec(
            1,
            2,
            width_ratios=[1.0, 1.35],
            left=0.07,
            right=0.98,
            bottom=0.13,
            top=0.88,
            wspace=0.22,
        )
        ax_db, ax_cost = fig.add_subplot(gs[0]), fig.add_subplot(gs[1])
        empty = np.empty((0, 2))
        self._boundary = decision_boundary(
            ax_db,
            None,
            empty,
            np.empty(0, int),
            X_val=empty,
            y_val=np.empty(0, int),
            extent=(-1, 1, -1, 1),
            resolution=self.resolution,
        )
        self._curves = cost_curves(ax_cost, None, log_y=self._config["log_y"])
        self._db_title = ax_db.set_title("", fontsize=10)
        self._cost_title = ax_cost.set_title("", fontsize=10)
        self.view_agg.set_moving([self._boundary, self._curves, self._db_title, self._cost_title])

    def _compute(self) -> None:
        run = self.controller
        shown = self._data_shown  # the arrays drawn (held, so a new array is never taken for them)
        if shown is None or shown[0] is not run.X_train or shown[1] is not run.X_val:
            self._data_shown = (run.X_train, run.X_val)  # new data: new points, extent
            extent = data_extent(np.vstack([run.X_train, run.X_val]), padding=0.4)
            self._boundary.update(
                None, run.X_train, run.y_train, run.X_val, run.y_val, extent=extent
            )
        with np.errstate(all="ignore"):
            self._boundary.update(run.model)
        self.grid_x, self.grid_y, self.grid_probs = (
            self._boundary.xs,
            self._boundary.ys,
            self._boundary.probs,
        )
        if run.message:
            self.message = run.message

    def _draw(self) -> None:
        if self._curves.log_y != self._config["log_y"]:
            self._curves.set_log_y(self._config["log_y"])
        self._curves.update(self.history, self.previous)
        h = self.history
        acc = (
            f"  ·  accuracy train {h.accuracy[-1]:.2f}, val {h.val_accuracy[-1]:.2f}"
            if h.accuracy and h.val_accuracy
            else ""
        )
        self._db_title.set_text(f"{self._config['dataset']}: epoch {self.epoch}{acc}")
        cost = (
            f"cost train {h.loss[-1]:.4f}, val {h.val_loss[-1]:.4f}  ·  "
            if h.loss and h.val_loss
            else ""
        )
        self._cost_title.set_text(f"{cost}α = {self._config['lr']:.2g}")
        self._status.value = (
            f"<b>epoch {self.epoch}</b> / {self._config['epochs']}"
            f"{' · diverged' if self.controller.diverged else ''}"
        )
        self._sync_enabled()

    def _show_playing(self) -> None:
        if hasattr(self, "buttons"):
            b = self.buttons["play"]
            b.description, b.icon = ("pause", "pause") if self.playing else ("play", "play")

    def _explain(self, exc: Exception) -> str:
        self._failed = True  # stops the play loop
        return f"could not train with these settings: {exc}"
