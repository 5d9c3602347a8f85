"""TrainingDashboard: the TensorFlow Playground inside Jupyter.

A small fully connected classifier is trained on a 2-D data set with ``dlcourse.fit``; the
decision boundary (the network at test time on a grid) and the training / validation cost
curves redraw while it trains. Settings follow the Playground:

- the learning rate alpha and the betas (beta, beta1, beta2), L2 lambda, the batch size and
  the number of epochs act on the RUNNING network: the optimizer keeps its state
  (velocities, squared-gradient averages, Adam's t) and only its attribute changes;
- structural settings (data set, noise, layers, width, activation, initialization, dropout,
  batch norm, optimizer kind) start a new network; the previous run's curves stay, faded,
  so two settings can be compared.

Determinism: everything is drawn from ``seed`` (data, weights and dropout masks as
:mod:`dlcourse.experiments.training_runs` says). The run is ONE ``dl.History``: each chunk of
training (play, step, ``run``) is one ``fit(..., history=self.history)`` call that carries
the run on, epoch e shuffling with ``epoch_seed(seed, e)`` (``EpochSeeds``), so the same
config gives the same arrays however training is cut into chunks.
"""

from __future__ import annotations

import math
import time
import warnings
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from .. import optim
from .._checks import check_int
from ..experiments.training_runs import EpochSeeds, make_data, playground_network
from ..losses import BinaryCrossEntropy, SoftmaxCrossEntropy
from .. import activations, datasets
from ..init import INITIALIZERS
from ..plots.training import cost_curves, data_extent, decision_boundary
from ..train import Callback, DivergenceWarning, History, evaluate, fit
from .playing import PlayLoop
from .base import Dashboard
from .settings import Choice, Flag, IntRange, LogRange, OneMinusLog, Range, Select

__all__ = [
    "ACTIVATIONS",
    "BATCH_SIZES",
    "DATASETS",
    "INITS",
    "L2_VALUES",
    "OPTIMIZERS",
    "TrainingDashboard",
]

# the names on offer come from the core's registries (a new optimizer appears here too)
DATASETS = tuple(datasets.DATASETS)
ACTIVATIONS = tuple(a for a in activations.ACTIVATIONS if a != "step")  # step: no gradient
INITS = tuple(INITIALIZERS)
OPTIMIZERS = optim.NAMES
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, "full")
L2_VALUES = (0.0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
EPOCH_CHOICES = (10, 20, 50, 100, 200, 300, 500, 1000, 2000)

#: live settings that only change the view or the target (kept even after divergence)
VIEW_ONLY = ("epochs", "log_y")
#: the optimizer attribute each beta control sets, per optimizer kind; for a kind not listed
#: (e.g. nesterov, whose step is alpha (1 - beta)) alpha and the betas start a new network
BETA_ATTRIBUTES = {
    "momentum": {"beta": "beta"},
    "rmsprop": {"beta": "beta"},
    "adam": {"beta1": "beta1", "beta2": "beta2"},
    "sgd": {},
    "adagrad": {},
}


# ======================================================================== the controller's parts
class _Chunk(Callback):
    """Ends a chunk of training after an epoch (its time budget spent, or pause() came
    during a ``stoppable`` chunk) and redraws the dashboard live meanwhile."""

    def __init__(self, dash: "TrainingDashboard", seconds: float, stoppable: bool) -> None:
        self.dash, self.seconds, self.stoppable = dash, seconds, stoppable
        self.start = self.last_draw = time.perf_counter()

    def on_epoch_end(self, ctx) -> None:
        dash, now = self.dash, time.perf_counter()
        if (self.stoppable and not dash.playing) or now - self.start >= self.seconds:
            ctx.stop = True
        elif dash._live_draw and now - self.last_draw >= dash.redraw_seconds:
            dash._compute_and_draw()
            dash.redraw()
            self.last_draw = now


# ======================================================================== the dashboard
class TrainingDashboard(Dashboard):
    """Train a small network on a 2-D data set and watch it learn (see the module docstring).

    Results (numpy arrays): ``train_loss``, ``val_loss``, ``train_accuracy``,
    ``val_accuracy``, ``step_loss`` (one value per epoch or step of the current run),
    ``grid_probs`` (ny, nx, C) with ``grid_x``, ``grid_y``; also ``model``, ``optimizer``,
    ``loss_fn``, ``history`` (a ``dl.History`` of the whole run), ``epoch``,
    ``initial_loss`` (the training cost before the first step), ``previous``
    (the faded run: a dict of arrays, or None) and the data ``X_train``, ``y_train``,
    ``X_val``, ``y_val``.

    Methods: ``run(epochs=None)`` trains synchronously (notebooks, tests); ``play()``,
    ``pause()``, ``step()``, ``restart()`` are what the buttons do.
    """

    settings = {
        "dataset": Choice("moons", "data", options=datasets.DATASETS),
        "noise": Range(0.2, "noise", lo=0.0, hi=1.0, step=0.05),
        "hidden_layers": IntRange(2, "hidden layers", lo=0, hi=6),
        "width": IntRange(8, "width", lo=1, hi=32),
        "activation": Choice(
            "tanh", "activation", options=activations.ACTIVATIONS, exclude=("step",)
        ),
        "init": Choice("xavier", "init", options=INITIALIZERS),
        "dropout": Range(0.0, "dropout rate", lo=0.0, hi=0.9, step=0.05),
        "batch_norm": Flag(False, "batch norm"),
        "optimizer": Choice("adam", "optimizer", options=lambda: optim.NAMES),
        "lr": LogRange(0.01, "α (lr)", live=True, lo=1e-4, hi=10.0),
        "beta": OneMinusLog(0.9, "β", live=True, lo=0.0, hi=0.999),
        "beta1": OneMinusLog(0.9, "β1", live=True, lo=0.0, hi=0.999),
        "beta2": OneMinusLog(0.999, "β2", live=True, lo=0.0, hi=0.9999),
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
        live = self.settings[name].live and (
            name in ("l2", "batch_size") or self._config["optimizer"] in BETA_ATTRIBUTES
        )
        if name in VIEW_ONLY or (live and self.history.diverged is None):
            self._apply_live(name)
            self._compute_and_draw()
        else:  # a structural change, or a training setting after divergence: a new network
            self._restart(keep_previous=True)
            self._compute_and_draw()

    def _apply_live(self, name: str) -> None:
        """lr and betas go to the running optimizer (its state is kept)."""
        if name == "lr":
            self.optimizer.lr = float(self._config["lr"])
        attr = BETA_ATTRIBUTES.get(self._config["optimizer"], {}).get(name)
        if attr is not None:
            setattr(self.optimizer, attr, float(self._config[name]))

    def _sync_enabled(self) -> None:
        """Grey out the betas the chosen optimizer does not use."""
        used = BETA_ATTRIBUTES.get(self._config["optimizer"], ("beta", "beta1", "beta2"))
        for key in ("beta", "beta1", "beta2"):
            self.controls[key].disabled = key not in used

    # ------------------------------------------------------------------ state
    def __init__(self, **config: Any) -> None:
        self.model = None
        self.optimizer = None
        self.history = History()
        self.previous: dict | None = None
        self.grid_probs = self.grid_x = self.grid_y = None
        self._player = PlayLoop(
            self, self._play_frame, self._keep_playing, self._show_playing, pause_seconds=0.02
        )
        self._busy = False
        self._failed = False
        self._live_draw = False
        self._build_buttons()
        super().__init__(**config)

    def reset(self) -> None:
        """Called by ``set_config``: stop, forget the faded run, start a new network."""
        self.pause()
        self.previous = None
        self._restart(keep_previous=False)

    def restart(self) -> None:
        """The reset button: a new network with the same settings; the run so far stays
        as the faded curve."""
        self._restart(keep_previous=True)
        self.update()

    def _restart(self, keep_previous: bool) -> None:
        cfg = self._config
        if keep_previous and self.history.loss:
            self.previous = {"loss": self.train_loss, "val_loss": self.val_loss}
        self.X_train, self.X_val, self.y_train, self.y_val = make_data(
            cfg["dataset"], cfg["n_examples"], cfg["noise"], cfg["val_fraction"], cfg["seed"]
        )
        classes = int(max(self.y_train.max(), self.y_val.max())) + 1
        self.classes = classes
        self.loss_fn = BinaryCrossEntropy() if classes == 2 else SoftmaxCrossEntropy()
        self.model = playground_network(
            2,
            1 if classes == 2 else classes,
            cfg["hidden_layers"],
            cfg["width"],
            cfg["activation"],
            cfg["init"],
            cfg["dropout"],
            cfg["batch_norm"],
            rng=np.random.default_rng(cfg["seed"] + 2),
            dropout_rng=np.random.default_rng(cfg["seed"] + 3),
        )
        self.optimizer = optim.create(
            cfg["optimizer"],
            self.model.parameters(),
            cfg["lr"],
            cfg["beta"],
            cfg["beta1"],
            cfg["beta2"],
        )
        self.history = History()
        with np.errstate(all="ignore"):
            self.initial_loss = float(
                evaluate(self.model, self.X_train, self.y_train, self.loss_fn)[0]
            )
        self._extent = data_extent(np.vstack([self.X_train, self.X_val]), padding=0.4)
        self._boundary.update(
            None, self.X_train, self.y_train, self.X_val, self.y_val, extent=self._extent
        )

    @property
    def epoch(self) -> int:
        """Epochs trained in the current run."""
        return self.history.epochs

    @property
    def playing(self) -> bool:
        return self._player.playing

    train_loss = property(
        lambda self: np.asarray(self.history.loss, dtype=float),
        doc="Training cost per epoch (mean over the epoch's mini-batches).",
    )
    val_loss = property(
        lambda self: np.asarray(self.history.val_loss, dtype=float),
        doc="Validation cost per epoch (test mode).",
    )
    train_accuracy = property(lambda self: np.asarray(self.history.accuracy, dtype=float))
    val_accuracy = property(lambda self: np.asarray(self.history.val_accuracy, dtype=float))
    step_loss = property(lambda self: np.asarray(self.history.step_loss, dtype=float))

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
        self._live_draw = True
        try:
            self._safely(self._train, n, math.inf)
        finally:
            self._live_draw = False

    def step(self) -> None:
        """Train ``step_epochs`` more epochs (the step button, also past ``epochs``);
        a diverged run starts again first."""
        self.pause()
        if self.history.diverged is not None:
            self._restart(keep_previous=True)
        self._safely(self._train, self.step_epochs, math.inf)

    def play(self) -> None:
        """Train in the background on the kernel's event loop, redrawing between chunks,
        until ``epochs`` is reached or ``pause()``. Without a running event loop (a plain
        script) this trains synchronously, like ``run()``."""
        if self.playing:
            return
        if self.history.diverged is not None or self.epoch >= self._config["epochs"]:
            self._restart(keep_previous=True)
        self._failed = False
        if not self._player.start():
            self.run()

    def pause(self) -> None:
        """Stop background training after the epoch in progress (at once, between chunks)."""
        self._player.stop()

    def _keep_playing(self) -> bool:
        return (
            self.epoch < self._config["epochs"]
            and self.history.diverged is None
            and not self._failed
        )

    def _play_frame(self) -> None:
        """One chunk of training while playing (``redraw_seconds`` long), redrawn live."""
        self._live_draw = True
        try:
            self._train(self._config["epochs"] - self.epoch, self.redraw_seconds, True)
        finally:
            self._live_draw = False

    def _train(self, epochs: int, seconds: float, stoppable: bool = False) -> None:
        """Train up to ``epochs`` epochs of the run in one ``fit`` call, for at most
        ``seconds`` (then return so the caller can redraw); redraw live meanwhile. A
        ``stoppable`` chunk (the play loop's) ends after the epoch in which pause() came;
        a diverged run trains no more."""
        if self._busy:  # never two trainings at once
            raise RuntimeError("training is already running")
        self._busy = True
        try:
            if self.history.diverged is None:
                self._fit(epochs, _Chunk(self, seconds, stoppable))
            self._compute()
            self._draw()
        finally:
            self._busy = False

    def _fit(self, epochs: int, chunk: _Chunk) -> None:
        """``epochs`` more epochs of the run through ``dl.fit`` (it records a divergence
        in ``self.history`` with the run's epoch and step)."""
        cfg = self._config
        batch = None if cfg["batch_size"] == "full" else int(cfg["batch_size"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DivergenceWarning)
            with np.errstate(all="ignore"):
                fit(
                    self.model,
                    self.X_train,
                    self.y_train,
                    self.loss_fn,
                    self.optimizer,
                    epochs=epochs,
                    batch_size=batch,
                    l2=float(cfg["l2"]),
                    validation=(self.X_val, self.y_val),
                    history=self.history,
                    callbacks=[EpochSeeds(cfg["seed"]), chunk],
                )

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
        if self.model is None:
            self._restart(keep_previous=False)
        with np.errstate(all="ignore"):
            self._boundary.update(self.model)
        self.grid_x, self.grid_y, self.grid_probs = (
            self._boundary.xs,
            self._boundary.ys,
            self._boundary.probs,
        )
        self._check_progress()

    def _check_progress(self) -> None:
        """Set the message when the run diverged or its cost went up."""
        d, lr = self.history.diverged, self._config["lr"]
        if d is not None:
            self.message = (
                f"diverged at epoch {d.epoch} (step {d.step}): learning rate "
                f"{d.lr:g} is too large (the cost became NaN/inf)"
            )
        elif self.epoch >= 3 and np.mean(self.history.loss[-3:]) > 1.5 * self.initial_loss:
            self.message = (
                f"diverging: the cost rose from {self.initial_loss:.3g} at the "
                f"start to {self.history.loss[-1]:.3g}; learning rate {lr:g} is "
                f"too large"
            )

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
            f"{' · diverged' if h.diverged else ''}"
        )
        self._sync_enabled()

    def _show_playing(self) -> None:
        if hasattr(self, "buttons"):
            b = self.buttons["play"]
            b.description, b.icon = ("pause", "pause") if self.playing else ("play", "play")

    def _explain(self, exc: Exception) -> str:
        self._failed = True  # stops the play loop
        return f"could not train with these settings: {exc}"
