"""Playground: the course's TensorFlow-Playground, with every idea of the course as a control.

The controller is :class:`dlcourse.experiments.playground_net.PlaygroundRun` (data,
features, network, optimizer, training epoch by epoch, the state string); this module is
its view: ipywidgets controls and ONE matplotlib figure with

- the network: a small heat map per input feature and per hidden unit (what that unit
  computes over the plane), linked by lines coloured by the sign of the weight
  (orange +, blue -) and as thick as its size;
- the output: the decision boundary (class probabilities over the plane) with the train
  points (white edge) and the test points (black edge);
- the train and test cost per epoch, growing while it trains; the previous run stays faded;
- a colour key beside the output: P(class 1), the class colours, or the value scale of a
  regression's prediction and of a hidden unit chosen to be shown large (the ``unit`` box).

Around the figure: the readouts (epoch, accuracies and the test confusion matrix, or the
squared errors), "show test data" and "discretize output", a stop epoch, your own points
from a CSV file (:meth:`Playground.load_csv`), the challenges that check themselves
(:meth:`Playground.challenge`, :mod:`dlcourse.experiments.playground_challenges`) and the
export of the run as ``dlcourse`` code with its weights (:meth:`Playground.export`). A
state string's ``hide:`` list leaves those controls out (a classroom link).

The settings are declared once (``Playground.settings``, :mod:`dlcourse.widgets.settings`,
with the controller's defaults and ranges): the base class builds the controls and checks
keyword arguments. Live settings (α, β's on a log scale of 1 − β, λ, batch size, schedule)
act on the running network; structural ones start a new network
(``dlcourse.experiments.playground_net.LIVE``). Play trains on the
kernel's event loop in frames of about ``frame_seconds`` and redraws after each frame, so
sliders and pause stay responsive. The state string box shows the whole setting; paste one
back (or open the Voila page with ``?state=...``) to restore it.
"""

from __future__ import annotations

from html import escape
import copy
import math
import os
import time
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import ipywidgets as W
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .. import activations, optim
from ..experiments import playground_challenges as pc
from ..experiments import playground_export as px
from ..experiments import playground_net as pn
from ..init import INITIALIZERS
from ..layers import Dense
from ..plots.limits import GRID_125, nice_ceil
from ..plots.optimization import OPTIMIZER_LABELS
from ..plots.playground import (
    ColourKey,
    link_geometry,
    symmetric_scale,
    tile_mosaic,
    value_image,
)
from ..plots.training import CLASS_COLORS, probability_image
from .base import Dashboard
from .controls import ToggleGroup
from .playing import PlayLoop
from .settings import (
    Buttons,
    Choice,
    Flag,
    IntRange,
    LogRange,
    OneMinusLog,
    Range,
    Select,
    Subset,
    Widths,
)

__all__ = ["Playground"]

FEATURE_LABELS = {
    "x1": "x₁",
    "x2": "x₂",
    "x1sq": "x₁²",
    "x2sq": "x₂²",
    "x1x2": "x₁x₂",
    "sinx1": "sin x₁",
    "sinx2": "sin x₂",
}
DATASET_LABELS = {
    "circle": "circle",
    "xor": "xor",
    "gaussians": "gauss",
    "spiral": "spiral",
    "moons": "moons",
    "flower": "flower",
    "blobs": "3 blobs",
    "spiral3": "3 spirals",
    "plane": "plane",
    "gaussmix": "bumps",
    "custom": "your CSV",
}
PROBLEM_LABELS = {"classification": "classification", "regression": "regression"}
SCHEDULE_LABELS = {
    "constant": "constant",
    "step": "step decay",
    "exponential": "exponential",
    "inverse_time": "1/t decay",
}
BETAS_USED = {
    "sgd": (),
    "adagrad": (),
    "momentum": ("beta",),
    "nesterov": ("beta",),
    "rmsprop": ("beta",),
    "adam": ("beta1", "beta2"),
}
BLUE, ORANGE = CLASS_COLORS[0], CLASS_COLORS[1]
WEIGHTS_KEY = "lines: the weights (orange +, blue −; the thicker, the larger |w|)"

POINT_COLOURS = 9  # marker lines per point set: the classes, or bands of target values
# network panel geometry, in its own pixel-like units
TILE, ROW, COL = 30, 40, 48
GRID = 60  # output grid points per side; thumbnails take every second one
_GRID_POINTS = pn.grid_points(GRID)


_D, _R = pn.DEFAULTS, pn.RANGES
_px = lambda width: {"layout": {"width": f"{width}px"}}
_BETA_KW = {**_px(230), "style": {"description_width": "30px"}}
_X = pn.EXTRA_DEFAULTS


@dataclass(frozen=True)
class _EpochBox(IntRange):
    """An epoch (an int >= lo) typed into a box: a ``BoundedIntText``."""

    def build(self, value, kw):
        kw = {**kw, **self.widget}
        return W.BoundedIntText(value=value, min=self.lo, max=self.hi, description=self.label, **kw)


class Playground(Dashboard):
    """The Playground (see the module docstring). ``Playground()`` shows the default
    state, or the ``state=`` of the page's query string when served by Voila;
    ``Playground(state="d:xor,h:4")`` starts from a state string; keyword settings
    (``Playground(dataset="spiral", hidden=[8, 8])``) work as for every dashboard.

    ``run`` is the controller (:class:`~dlcourse.experiments.playground_net.PlaygroundRun`);
    ``play()``, ``pause()``, ``step()``, ``restart()``, ``regenerate()`` are the buttons;
    ``train(epochs)`` trains synchronously and redraws; ``state`` / ``set_state(text)``.
    """

    # defaults and ranges are the controller's (playground_net.DEFAULTS, RANGES); live as in
    # playground_net.LIVE; choices from the core's registries
    settings = {
        "problem": Buttons(
            _X["problem"],
            "",
            options=pn.PROBLEMS,
            labels=PROBLEM_LABELS,
            widget={"style": {"button_width": "110px"}, **_px(320)},
        ),
        "dataset": Buttons(
            _D["dataset"],
            "",
            options=(*pn.DATASETS, *pn.REGRESSION_SETS, "custom"),
            labels=DATASET_LABELS,
            widget={"style": {"button_width": "70px"}, **_px(320)},
        ),
        "noise": Range(
            _D["noise"], "noise", lo=_R["noise"][0], hi=_R["noise"][1], step=0.05, fmt=".0%"
        ),
        "train_ratio": Range(
            _D["train_ratio"],
            "train share",
            lo=_R["train_ratio"][0],
            hi=_R["train_ratio"][1],
            step=0.1,
            fmt=".0%",
        ),
        "n_points": IntRange(_D["n_points"], lo=_R["n_points"][0], hi=_R["n_points"][1]),
        "data_seed": IntRange(_D["data_seed"], lo=0),
        "features": Subset(
            _D["features"],
            "",
            options=pn.FEATURES,
            labels=FEATURE_LABELS,
            control=ToggleGroup,
            minimum=1,
            widget=_px(280),
        ),
        "hidden": Widths(_D["hidden"], "", lo=1, hi=pn.MAX_UNITS, max_len=pn.MAX_LAYERS),
        "activation": Choice(
            _D["activation"], "activation", options=activations.ACTIVATIONS, exclude=("step",)
        ),
        "init": Choice(
            _D["init"],
            "init",
            options=INITIALIZERS,
            labels={"random": "random × scale", "xavier": "Xavier", "he": "He"},
        ),
        "init_scale": LogRange(
            _D["init_scale"], "init scale", lo=_R["init_scale"][0], hi=_R["init_scale"][1]
        ),
        "batch_norm": Flag(
            _D["batch_norm"],
            "batch norm",
            widget={"layout": {"width": "120px", "margin": "0 0 0 30px"}},
        ),
        "dropout": Range(
            _D["dropout"], "dropout", lo=_R["dropout"][0], hi=_R["dropout"][1], step=0.05, fmt=".2f"
        ),
        "l2": Select(_D["l2"], "L2 λ", live=True, values=pn.L2_VALUES),
        "l1": Select(_X["l1"], "L1 λ", live=True, values=pn.L1_VALUES),
        "optimizer": Choice(
            _D["optimizer"],
            "optimizer",
            options=lambda: optim.NAMES,
            labels=OPTIMIZER_LABELS,
            widget=_px(230),
        ),
        "lr": LogRange(_D["lr"], "α", live=True, lo=_R["lr"][0], hi=_R["lr"][1], widget=_px(260)),
        "beta": OneMinusLog(
            _D["beta"], "β", live=True, lo=_R["beta"][0], hi=_R["beta"][1], widget=_BETA_KW
        ),
        "beta1": OneMinusLog(
            _D["beta1"], "β₁", live=True, lo=_R["beta1"][0], hi=_R["beta1"][1], widget=_BETA_KW
        ),
        "beta2": OneMinusLog(
            _D["beta2"], "β₂", live=True, lo=_R["beta2"][0], hi=_R["beta2"][1], widget=_BETA_KW
        ),
        "batch_size": Select(
            _D["batch_size"], "batch size", live=True, values=pn.BATCH_SIZES, widget=_px(260)
        ),
        "schedule": Choice(
            _D["schedule"],
            "schedule",
            live=True,
            options=pn.SCHEDULES,
            labels=SCHEDULE_LABELS,
            widget=_px(230),
        ),
        "decay": LogRange(
            _D["decay"], "decay k", live=True, lo=_R["decay"][0], hi=_R["decay"][1], widget=_px(260)
        ),
        "seed": IntRange(_D["seed"], lo=0),
        "stop_epoch": _EpochBox(
            _X["stop_epoch"],
            "stop at epoch",
            live=True,
            lo=0,
            hi=10**7,
            widget={**_px(200), "style": {"description_width": "initial"}},
        ),
        "hide": Subset(_X["hide"], options=pn.HIDEABLE),  # keyword and state string only
        # the view's own switches (checkboxes under the picture), carried by the state string
        "show_test": Flag(_X["show_test"], live=True),
        "discretize": Flag(_X["discretize"], live=True),
    }
    slider_kw = choice_kw = {"layout": {"width": "300px"}, "style": {"description_width": "78px"}}
    flag_kw = {"indent": False}
    figsize = (10.0, 3.8)
    frame_seconds = 0.045  # training time per frame while playing (at least)
    max_frame_seconds = 0.15  # (at most: a slider moved meanwhile waits for the frame)
    max_frame_epochs = 100_000  # a frame ends on its time budget long before this
    max_state_epochs = 3000  # a state string replays at most this many epochs
    network_seconds = 0.25  # while playing, the network panel is drawn at most this often

    def __init__(
        self, state: str | None = None, challenge: str | None = None, **config: Any
    ) -> None:
        self._player = PlayLoop(self, self._frame_and_draw, self._keep_playing, self._show_playing)
        self.frames = 0
        self._network_drawn = -math.inf  # when the network panel was last drawn
        self._network_changed = True  # drawn since the last push
        self._network_stale = False  # a frame left it behind the run
        self._pushed_message: str | None = None  # a frame's push, and its message
        self._strip_only = False
        self._pushed = None  # the training text of the last frame pushed
        self._last_push = 0.0
        #: the last frames while playing: (epochs, train s, compute s, push s)
        self.frame_log: deque = deque(maxlen=500)
        #: the challenge being played (``challenge(name)``), or None
        self.current_challenge: pc.Challenge | None = None
        self._unit: tuple[int, int] | None = None  # the hidden unit shown large
        query = {} if config or state is not None else _query()
        challenge = challenge or query.get("challenge")
        self._state_error = ""
        try:
            if challenge:
                self.current_challenge = pc.get_challenge(challenge)
        except ValueError as exc:
            self._state_error = str(exc)
        if state is None:
            state = query.get("state") or (
                self.current_challenge.start if self.current_challenge else None
            )
        self.run = pn.PlaygroundRun(self._merged(config))
        if state:
            try:
                config, epoch = pn.decode_state(state)
                self.run = pn.PlaygroundRun(config)
                self.run.run_to(min(epoch, self.max_state_epochs))
            except (ValueError, TypeError) as exc:
                self._state_error = str(exc)
        self._build_extra_widgets()
        super().__init__(**self.run.config)
        self.buttons.update(
            layer_minus=self.controls["hidden"].minus, layer_plus=self.controls["hidden"].plus
        )
        self._sync_widgets()
        self._show_challenge()
        if self._state_error:
            self.message = self._state_error
        self._show_message()
        self.redraw()

    @classmethod
    def from_model(cls, model, points: tuple | None = None, **config: Any) -> "Playground":
        """A Playground whose network starts from a notebook's ``model`` (a ``dl.Sequential``
        of the Playground's shape, :meth:`.PlaygroundRun.from_model`); ``config`` gives the
        other settings, ``points`` = (X, y) a data set of your own (``dataset="custom"``)."""
        run = pn.PlaygroundRun.from_model(model, config, points)
        pg = cls()
        pg.run = run
        pg._sync_widgets()
        pg.update()
        return pg

    # ------------------------------------------------------------------ config
    def _merged(self, config: dict) -> dict:
        """The declared checks (one message style), then the controller's own; every
        setting listed (the controller's config leaves out extras at their default)."""
        return {**copy.deepcopy(_X), **pn.validate(super()._merged(config))}

    def _full_config(self) -> dict:
        """The run's settings, every one listed (a control for each)."""
        return {**copy.deepcopy(_X), **self.run.config}

    @property
    def config(self) -> dict:
        """Every setting (the run's, and the extras at their defaults)."""
        return self._full_config()

    def set_config(self, config: dict) -> None:
        """Rebuild from ``config``: a new run (the faded previous run is forgotten)."""
        cfg = self._merged(dict(config))
        self.pause()
        self.run = pn.PlaygroundRun(cfg, points=self.run.points)
        self._sync_widgets()
        self.update()

    @property
    def state(self) -> str:
        return self.run.state

    def set_state(self, text: str) -> None:
        """Restore a state string (settings and, if it has one, the epoch); a bad string
        becomes the message and changes nothing."""
        self.pause()
        try:
            config, epoch = pn.decode_state(text)
            run = pn.PlaygroundRun(config, points=self.run.points)
        except (ValueError, TypeError) as exc:
            self.message = str(exc)
            self._show_message()
            self.redraw()
            return
        self.run = run
        self._sync_widgets()
        self.guard(self._replay, epoch)

    def _replay(self, epoch: int) -> None:
        self.run.run_to(min(epoch, self.max_state_epochs))
        self._compute_and_draw()

    # ------------------------------------------------------------------ challenges
    def challenge(self, name: str) -> str:
        """Play challenge ``name`` (:data:`.playground_challenges.CHALLENGES`): its start
        state is loaded, its text shown, and after every frame the check says "done" or
        what is still missing. Returns the text."""
        self.current_challenge = pc.get_challenge(name)
        self.set_state(self.current_challenge.start)
        self._show_challenge()
        return self.current_challenge.text

    def check(self) -> pc.Verdict | None:
        """The current challenge's verdict on the run (None when no challenge is played);
        ``str(verdict)`` is "done" or "not yet: " and what is missing."""
        if self.current_challenge is None:
            return None
        return self.current_challenge.check(self.run)

    def _show_challenge(self) -> None:
        c = self.current_challenge
        self._syncing_challenge = True
        try:
            self.challenge_choice.value = c.name if c else ""
        finally:
            self._syncing_challenge = False
        self.challenge_text.value = (
            f"<div style='max-width:640px'><b>{escape(c.idea)}.</b> {escape(c.text)}</div>"
            if c
            else ""
        )
        self._show_verdict()

    def _show_verdict(self) -> None:
        verdict = self.check()
        if verdict is None:
            self.challenge_verdict.value = ""
            return
        color = "#2a7d2a" if verdict.done else "#8a5a00"
        self.challenge_verdict.value = (
            f"<div style='color:{color};font-weight:600'>{escape(str(verdict))}</div>"
        )

    def _challenge_chosen(self, change) -> None:
        if getattr(self, "_syncing_challenge", False):
            return
        if change["new"]:
            self.guard(self.challenge, change["new"])
        else:
            self.current_challenge = None
            self._show_challenge()

    # ------------------------------------------------------------------ own data, export
    def load_csv(self, data: bytes | str) -> None:
        """Use your own points (CSV lines ``x1, x2, label``; for regression ``x1, x2,
        value``) as the data set: a new network. A bad file changes nothing and the message
        names every bad line."""
        self.pause()
        self.guard(self._load_points, data)

    def _load_points(self, data) -> None:
        self.run.load_points(data)
        self._sync_widgets()
        self._compute_and_draw()

    def _uploaded(self, change) -> None:
        files = change["new"]
        if not files:
            return
        self.load_csv(bytes(files[0]["content"]))
        self.upload.value = ()  # the same file, uploaded again, is a change again

    def export(self, path: str | os.PathLike = "playground.npz") -> str:
        """Save the network's weights to ``path`` (``dl.save``) and return (and show) the
        ``dlcourse`` code that rebuilds the run and loads them."""
        code = px.save_run(self.run, path)
        self.export_box.value = code
        self.export_box.layout.display = ""
        return code

    def _export_clicked(self) -> None:
        self.export(self.export_path)
        self.message = ""
        self._export_note.value = (
            f"<span style='color:#555'>weights saved to {escape(os.fspath(self.export_path))}; "
            "the code below rebuilds this run in a notebook</span>"
        )

    # ------------------------------------------------------------------ controls
    def _build_controls(self) -> dict[str, W.Widget]:
        """The declared controls, each with the CSS class ``pg-<name>`` (the browser tests
        find them by it)."""
        controls = super()._build_controls()
        for name, widget in controls.items():
            widget.add_class(f"pg-{name}")
        for f, toggle in controls["features"].toggles.items():
            toggle.add_class(f"pg-feature-{f}")
        controls["hidden"].minus.add_class("pg-layer_minus")
        controls["hidden"].plus.add_class("pg-layer_plus")
        return controls

    def _control_changed(self, name: str) -> None:
        """A control moved: the run takes the setting (live or structural). A value the
        declaration refuses (no input feature left) puts the control back and says why.
        A new problem takes its first data set unless the current one fits it."""
        try:
            value = self.settings[name].check(name, self._config[name], self._config)
            changes = {name: value}
            if name == "problem":
                sets = pn.REGRESSION_SETS if value == "regression" else pn.DATASETS
                dataset = self.run.config["dataset"]
                changes["dataset"] = dataset if dataset in sets else sets[0]
            kind = self.run.set(**changes)
        except (TypeError, ValueError) as exc:
            self._sync_widgets()
            self.message = str(exc)
            return
        if name in ("problem", "hidden"):
            self._sync_widgets()
        self._after_change(kind)

    def _after_change(self, kind: str) -> None:
        self._config = self._full_config()
        if kind == "live":
            self._draw(live_only=True)
            self._strip_only = True  # the next push redraws the settings strip alone
            self.message = self.run.message  # e.g. batch norm with a batch of one
        else:
            self._compute_and_draw()

    def redraw(self) -> None:
        """Push the figure (:meth:`.view.AggView.push_axes`): after a live change only the
        settings strip is drawn again; while its text stays (a frame while playing) the
        panels without it, the network panel only when it was drawn again. Nothing when
        a frame was just pushed and the message stayed."""
        strip_only, self._strip_only = self._strip_only, False
        network, self._network_changed = self._network_changed, False
        pushed, self._pushed_message = self._pushed_message, None
        text = self._cost_title.get_text()
        if getattr(self, "_view", None) is None or pushed == self.message:
            return
        if strip_only:
            self.view_agg.push_axes(self._ax_info)
        elif text == self._pushed and self.view_agg.background is not None:
            axes = (self._ax_out, self._ax_cost)
            self.view_agg.push_axes(*((self._ax_net, *axes) if network else axes))
        else:
            self.view_agg.push()
        self._pushed = text

    @property
    def feature_toggles(self) -> dict[str, W.ToggleButton]:
        """The feature buttons (the ``features`` control's), by feature name."""
        return self.controls["features"].toggles

    @property
    def units_box(self) -> W.HBox:
        """The per-layer − n + buttons (the ``hidden`` control's)."""
        return self.controls["hidden"].units_box

    @property
    def _unit_buttons(self) -> list:
        return self.controls["hidden"].unit_buttons

    def _build_extra_widgets(self) -> None:
        btn = lambda text, px=86, **kw: W.Button(
            description=text, layout=W.Layout(width=f"{px}px"), **kw
        )
        self.buttons = {
            "play": btn("▶ play", 96, button_style="primary"),
            "step": btn("step +1"),
            "reset": btn("↺ reset"),
            "regenerate": btn("↻ new data", 110),
            "load": btn("load", 70),
        }
        self.buttons["play"].on_click(lambda _: self.guard(self.toggle_play))
        self.buttons["step"].on_click(lambda _: self.guard(self._step_and_draw))
        self.buttons["reset"].on_click(lambda _: self.guard(self._restart_and_draw))
        self.buttons["regenerate"].on_click(lambda _: self.guard(self._regenerate_and_draw))
        self.buttons["load"].on_click(lambda _: self.set_state(self.state_box.value))
        for name, b in self.buttons.items():
            b.add_class(f"pg-{name}")
        self.epoch_label = W.HTML(layout=W.Layout(width="120px", margin="0 12px 0 12px"))
        self.epoch_label.add_class("pg-epoch")
        self.loss_label = W.HTML(layout=W.Layout(width="130px"))
        self.loss_label.add_class("pg-loss")
        self._loss_text = ""
        self.state_box = W.Text(
            description="state",
            continuous_update=False,
            layout=W.Layout(width="900px"),
            style={"description_width": "40px"},
            tooltip="the whole setting: paste one and press Enter or load",
        )
        self.state_box.add_class("pg-state")
        self.state_box.observe(self._state_typed, "value")
        self._shown_state = ""
        self._build_view_widgets()

    def _build_view_widgets(self) -> None:
        """The view's own switches and readouts (not settings of the run)."""
        self.show_test = W.Checkbox(value=True, description="show test data", indent=False)
        self.discretize = W.Checkbox(value=False, description="discretize output", indent=False)
        for box, name in ((self.show_test, "show_test"), (self.discretize, "discretize")):
            box.layout = W.Layout(width="150px")
            box.add_class(f"pg-{name}")
            box.observe(self._view_toggled, "value")
        self.unit_choice = W.Dropdown(
            description="show",
            options=[("the output", "")],
            layout=W.Layout(width="230px"),
            style={"description_width": "40px"},
        )
        self.unit_choice.add_class("pg-unit")
        self.unit_choice.observe(self._unit_chosen, "value")
        self.weights_label = W.HTML()
        self.weights_label.add_class("pg-weights")
        self.readout_label = W.HTML()
        self.readout_label.add_class("pg-readout")
        self.upload = W.FileUpload(
            accept=".csv,text/csv,text/plain",
            multiple=False,
            description="your CSV",
            layout=W.Layout(width="110px"),
            tooltip="points x1, x2, label (or value, for regression), one per line",
        )
        self.upload.add_class("pg-upload")
        self.upload.observe(self._uploaded, "value")
        self.challenge_choice = W.Dropdown(
            description="challenge",
            options=[("—", "")] + [(c.idea, c.name) for c in pc.CHALLENGES.values()],
            layout=W.Layout(width="460px"),
            style={"description_width": "70px"},
        )
        self.challenge_choice.add_class("pg-challenge")
        self.challenge_choice.observe(self._challenge_chosen, "value")
        self.challenge_text = W.HTML()
        self.challenge_text.add_class("pg-challenge-text")
        self.challenge_verdict = W.HTML()
        self.challenge_verdict.add_class("pg-challenge-verdict")
        self.export_path = "playground.npz"
        self.buttons["export"] = W.Button(description="export code", layout=W.Layout(width="110px"))
        self.buttons["export"].add_class("pg-export")
        self.buttons["export"].on_click(lambda _: self.guard(self._export_clicked))
        self._export_note = W.HTML()
        self.export_box = W.Textarea(layout=W.Layout(width="900px", height="260px", display="none"))
        self.export_box.add_class("pg-export-code")

    def _controls_box(self) -> W.Widget:
        c = self.controls
        head = lambda text: W.HTML(
            f"<div style='font-weight:600;letter-spacing:.08em;"
            f"color:#555;margin:6px 0 2px 0'>{text}</div>"
        )
        bar = W.Layout(flex_flow="row wrap", align_items="center")
        self._headings = {"features": head("FEATURES"), "hidden": head("HIDDEN LAYERS")}
        top = W.HBox(
            [
                self.buttons["play"],
                self.buttons["step"],
                self.buttons["reset"],
                self.epoch_label,
                self.loss_label,
                c["optimizer"],
                c["lr"],
                c["batch_size"],
            ],
            layout=bar,
        )
        top2 = W.HBox(
            [c["beta"], c["beta1"], c["beta2"], c["schedule"], c["decay"], c["stop_epoch"]],
            layout=W.Layout(flex_flow="row wrap", align_items="center", margin="0 0 6px 0"),
        )
        left = W.VBox(
            [
                head("DATA"),
                c["problem"],
                c["dataset"],
                c["noise"],
                c["train_ratio"],
                W.HBox([self.buttons["regenerate"], self.upload]),
                self._headings["features"],
                c["features"],
                self._headings["hidden"],
                c["hidden"],
            ],
            layout=W.Layout(width="330px", margin="0 10px 0 0"),
        )
        row = W.Layout(flex_flow="row wrap", align_items="center")
        self._under = W.VBox(
            [
                W.HBox([self.show_test, self.discretize, self.unit_choice], layout=row),
                self.weights_label,
                self.readout_label,
                W.HBox([c["activation"], c["init"], c["init_scale"]], layout=row),
                W.HBox([c["batch_norm"], c["dropout"], c["l2"], c["l1"]], layout=row),
            ]
        )
        self._left = left
        state_row = W.HBox(
            [self.state_box, self.buttons["load"]],
            layout=W.Layout(align_items="center", margin="0 0 6px 0"),
        )
        challenge_row = W.VBox(
            [
                W.HBox([self.challenge_choice, self.challenge_verdict], layout=row),
                self.challenge_text,
            ]
        )
        return W.VBox([top, top2, state_row, challenge_row])

    def _build_view(self) -> W.Widget:
        """Top bars, the state string and the challenge; the data, features and layers
        beside the figure; the view's switches, the readouts and the other network settings
        under it; the message; the export."""
        top = self._controls_box()
        right = W.VBox(
            [self.image, self._message_label, self._under],
            layout=W.Layout(justify_content="flex-start"),
        )
        export = W.VBox([W.HBox([self.buttons["export"], self._export_note]), self.export_box])
        view = W.VBox(
            [
                top,
                W.HBox([self._left, right], layout=W.Layout(align_items="flex-start")),
                export,
            ]
        )
        view.add_class("pg-playground")
        return view

    def _show_message(self) -> None:
        """The message under the figure (line breaks kept); over the picture too, unless
        it only says that the run reached its stop epoch."""
        super()._show_message()
        if self.message:
            self._message_label.value = (
                f"<div style='color:crimson;white-space:pre-line'>{escape(self.message)}</div>"
            )
        if self._stopped() and not self.run.diverged:
            self._note.set_visible(False)

    def _sync_widgets(self) -> None:
        """Controls follow the run's settings (without firing their callbacks): the data
        sets of its problem, the unit chooser of its layers, the controls it hides."""
        self._config = self._full_config()
        self._syncing = True
        try:
            self._sync_dataset_options()
            for name, widget in self.controls.items():
                value = self.run.setting(name)
                widget.value = list(value) if isinstance(value, list) else value
            self.show_test.value = self.run.setting("show_test")
            self.discretize.value = self.run.setting("discretize")
        finally:
            self._syncing = False
        self._config = self._full_config()
        self._sync_unit_options()
        self._apply_hidden()

    def _sync_dataset_options(self) -> None:
        """The data set buttons of the run's problem (and "your CSV" once points are loaded)."""
        sets = pn.REGRESSION_SETS if self.run.problem == "regression" else pn.DATASETS
        sets = (*sets, "custom") if self.run.points is not None else sets
        options = tuple((DATASET_LABELS.get(n, n), n) for n in sets)
        widget = self.controls["dataset"]
        if tuple(map(tuple, widget.options)) != options:
            widget.options = options

    def _sync_unit_options(self) -> None:
        """The unit chooser lists the hidden units of the current layers."""
        options = [("the output", "")] + [
            (f"layer {i + 1}, unit {j + 1}", f"{i}.{j}")
            for i, width in enumerate(self.run.config["hidden"])
            for j in range(width)
        ]
        chosen = "" if self._unit is None else f"{self._unit[0]}.{self._unit[1]}"
        if chosen not in [value for _, value in options]:
            self._unit, chosen = None, ""  # its layer or unit is gone
        self._syncing_unit = True
        try:
            if list(map(tuple, self.unit_choice.options)) != options:
                self.unit_choice.options = options
            self.unit_choice.value = chosen
        finally:
            self._syncing_unit = False

    def _apply_hidden(self) -> None:
        """The controls the state string's ``hide:`` list names are not shown."""
        hidden = set(self.run.hidden)
        switches = {"show_test": self.show_test, "discretize": self.discretize}
        for name, widget in {**self.controls, **switches}.items():
            widget.layout.display = "none" if name in hidden else ""
        self.buttons["regenerate"].layout.display = "none" if "data_seed" in hidden else ""
        for name, heading in getattr(self, "_headings", {}).items():
            heading.layout.display = "none" if name in hidden else ""

    def _unit_chosen(self, change) -> None:
        if getattr(self, "_syncing_unit", False):
            return
        value = change["new"]
        self._unit = tuple(int(k) for k in value.split(".")) if value else None
        self.guard(self._draw)

    def _view_toggled(self, change) -> None:
        if getattr(self, "_syncing", False):
            return
        name = "show_test" if change["owner"] is self.show_test else "discretize"
        self.run.set(**{name: change["new"]})  # view-only: the run goes on as it was
        self._config = self._full_config()
        self.guard(self._draw)

    def _state_typed(self, change) -> None:
        if change["new"] != self._shown_state:
            self.set_state(change["new"])

    # ------------------------------------------------------------------ buttons
    @property
    def playing(self) -> bool:
        return self._player.playing

    def toggle_play(self) -> None:
        self.pause() if self.playing else self.play()

    def play(self) -> None:
        """Train in frames on the kernel's event loop until pause (or divergence); without a
        running loop (a script) this trains one frame's worth synchronously."""
        if self.playing:
            return
        if self.run.diverged:
            self.run.restart()
        if not self._player.start():
            self._frame()
            self._compute_and_draw()

    def pause(self) -> None:
        self._player.stop()

    def _keep_playing(self) -> bool:
        return not self.run.diverged and not self._stopped()

    def _stopped(self) -> bool:
        """The run reached its stop epoch (``stop_epoch``)."""
        stop = self.run.setting("stop_epoch")
        return bool(stop) and self.run.epoch >= stop

    def _frame(self) -> int:
        """Train for ``frame_seconds``, or as long as the last picture took to push when
        that was longer (a loaded machine then still trains half of the time), at most
        ``max_frame_seconds``; at least one epoch."""
        budget = min(max(self.frame_seconds, self._last_push), self.max_frame_seconds)
        return self.run.train(self.max_frame_epochs, seconds=budget)

    def _frame_and_draw(self) -> None:
        """One frame while playing: train, draw (the network panel at most every
        ``network_seconds``: its tiles cost the most to draw) and push, once (the push
        that ``guard`` makes after it is skipped when nothing changed since)."""
        t0 = time.perf_counter()
        n = self._frame()
        t1 = time.perf_counter()
        network = t1 - self._network_drawn >= self.network_seconds
        self._compute()
        self._draw(network=network)
        t2 = time.perf_counter()
        self._show_message()
        self._pushed_message = None
        self.redraw()
        self._pushed_message = self.message
        self._last_push = min(time.perf_counter() - t1, 1.0)
        self.frames += 1
        self.frame_log.append((n, t1 - t0, t2 - t1, time.perf_counter() - t2))

    def train(self, epochs: int) -> None:
        """Train ``epochs`` more epochs synchronously, then redraw."""
        self.pause()
        self.guard(lambda: (self.run.train(epochs), self._compute_and_draw()))

    def step(self) -> None:
        """One epoch (a diverged run starts again first)."""
        self.pause()
        self.guard(self._step_and_draw)

    def _step_and_draw(self) -> None:
        self.pause()
        if self.run.diverged:
            self.run.restart()
        self.run.train(1)
        self._compute_and_draw()

    def restart(self) -> None:
        """A new network with the same settings; the run so far stays faded."""
        self.guard(self._restart_and_draw)

    def _restart_and_draw(self) -> None:
        self.run.restart()
        self._compute_and_draw()

    def regenerate(self) -> None:
        """New data of the same kind; a new network."""
        self.guard(self._regenerate_and_draw)

    def _regenerate_and_draw(self) -> None:
        self.run.regenerate()
        self._config = self._full_config()
        self._compute_and_draw()

    def reset(self) -> None:
        self.pause()

    def _show_playing(self) -> None:
        """The play button says what it does; once paused, the network panel catches up."""
        if hasattr(self, "buttons"):
            b = self.buttons["play"]
            b.description = "❚❚ pause" if self.playing else "▶ play"
            b.button_style = "warning" if self.playing else "primary"
        if not self.playing and self._network_stale:
            self.guard(self._draw)

    def _explain(self, exc: Exception) -> str:
        self._player.playing = False  # the loop ends before its next frame
        return f"cannot do that with these settings: {exc}"

    # ------------------------------------------------------------------ figure
    def _build_figure(self, fig: Figure) -> None:
        fig.patch.set_facecolor("white")
        self._ax_net = fig.add_axes([0.0, 0.08, 0.35, 0.78])
        self._ax_out = fig.add_axes([0.385, 0.11, 0.265, 0.74])
        self._ax_key = fig.add_axes([0.656, 0.11, 0.011, 0.74])
        self._ax_cost = fig.add_axes([0.765, 0.14, 0.225, 0.71])
        self._key = ColourKey(self._ax_key)
        fig.text(0.005, 0.015, WEIGHTS_KEY, fontsize=8, color="#555")
        ax = self._ax_net
        ax.set_xlim(0, COL * (pn.MAX_LAYERS + 1) + 12)
        ax.set_ylim(ROW * pn.MAX_UNITS, -4)
        ax.set_axis_off()
        self._links = LineCollection([], zorder=1, capstyle="round")
        ax.add_collection(self._links)
        blank = np.zeros((ROW * pn.MAX_UNITS, COL * (pn.MAX_LAYERS + 1), 4))
        self._mosaic = ax.imshow(
            blank,
            extent=(0, blank.shape[1], blank.shape[0], 0),
            interpolation="none",
            zorder=2,
            aspect="auto",
        )
        self._col_titles = [
            ax.text(0, -6, "", ha="center", va="bottom", fontsize=8, color="#555")
            for _ in range(pn.MAX_LAYERS + 1)
        ]
        self._net_title = fig.text(
            0.01, 0.955, "", fontsize=10, weight="bold", color="#333", va="top"
        )
        ax = self._ax_out
        self._image = ax.imshow(
            np.ones((GRID, GRID, 3)),
            extent=pn.EXTENT,
            origin="lower",
            interpolation="bilinear",
            zorder=0,
        )
        # the points: one marker line per colour (a class, or a band of target values),
        # drawn ten times faster than a scatter of per-point colours
        self._train_pts, self._test_pts = (
            [
                ax.plot([], [], "o", ms=4, mec=edge, mew=0.8, zorder=z, ls="none")[0]
                for _ in range(POINT_COLOURS)
            ]
            for edge, z in (("white", 2), ("black", 3))
        )
        ax.set_xlim(*pn.EXTENT[:2])
        ax.set_ylim(*pn.EXTENT[2:])
        ax.set_xticks(range(-3, 4))
        ax.set_yticks(range(-3, 4))
        ax.tick_params(labelsize=8, length=2, pad=1)
        ax.set_xlabel("x₁", fontsize=8, labelpad=0)
        ax.set_ylabel("x₂", fontsize=8, labelpad=0)
        self._out_title = ax.set_title("", fontsize=9, loc="left")
        ax = self._ax_cost
        self._prev_lines = [
            ax.plot([], [], color=c, lw=1.2, alpha=0.25, zorder=1)[0] for c in ("#555555", ORANGE)
        ]
        self._lines = [
            ax.plot([], [], color=c, lw=1.6, label=lab, zorder=2)[0]
            for c, lab in (("#555555", "train"), (ORANGE, "test"))
        ]
        ax.legend(loc="upper right", fontsize=8, frameon=False)
        ax.set_xlabel("epoch", fontsize=8, labelpad=1)
        ax.set_ylabel("cost", fontsize=8, labelpad=1)
        ax.tick_params(labelsize=8, length=2, pad=1)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(4))
        # the training settings: a strip of its own, redrawn alone (blitted) on a live change
        self._ax_info = fig.add_axes([0.675, 0.87, 0.323, 0.125])
        self._ax_info.set_facecolor("white")
        self._ax_info.set_xticks([])
        self._ax_info.set_yticks([])
        for spine in self._ax_info.spines.values():
            spine.set_visible(False)
        self._cost_title = self._ax_info.text(
            0.02, 0.45, "", fontsize=8, va="center", color="#333", clip_on=True, linespacing=1.3
        )
        self._points_key = None
        self._point_lines: set = set()  # the marker lines with points of their colour
        # the epoch and the losses are HTML beside the buttons while live (text is the
        # costliest artist to draw); the figure shows them only in the static picture (png)
        self._dynamic = [
            self._mosaic,
            self._links,
            self._image,
            *self._train_pts,
            *self._test_pts,
            *self._prev_lines,
            *self._lines,
            self._cost_title,
        ]
        self.view_agg.set_moving(self._dynamic)

    def _compute(self) -> None:
        """The grid outputs: class probabilities (a regression's value) and every hidden
        unit's activation."""
        out, self._acts = self.run.outputs(_GRID_POINTS)
        self.grid_probs = out.reshape(GRID, GRID, -1)
        self.unit_maps = [a.T.reshape(a.shape[1], GRID, GRID)[:, ::2, ::2] for a in self._acts]
        if self.run.message:
            self.message = self.run.message

    def _feature_maps(self) -> np.ndarray:
        F = pn.feature_matrix(_GRID_POINTS, self.run.config["features"])
        return F.T.reshape(F.shape[1], GRID, GRID)[:, ::2, ::2]

    def _draw(self, live_only: bool = False, network: bool = True) -> None:
        """Update the artists and the HTML readouts; ``live_only``: the settings strip and
        the labels alone; ``network=False``: the network panel stays as it is."""
        run = self.run
        if not live_only and network:
            self._draw_network()
            self._network_changed = True
            self._network_drawn = time.perf_counter()
        self._network_stale = not live_only and not network
        if not live_only:
            self._draw_points()
            self._draw_output()
            self._draw_costs()
            tr, te = run.train_loss[-1], run.test_loss[-1]
            self._loss_text = (
                f"test loss {te:.3f}   train loss {tr:.3f}"
                if math.isfinite(tr) and math.isfinite(te)
                else ""
            )
            self.loss_label.value = (
                f"<div style='font-size:12px;color:#666'>test loss <b style='color:#e8710a'>"
                f"{te:.3f}</b><br>train loss <b style='color:#444'>{tr:.3f}</b></div>"
                if self._loss_text
                else ""
            )
            self._draw_readouts()
            self._show_weights()
        self._cost_title.set_text(self._training_text())
        self.epoch_label.value = (
            f"<div style='font-size:12px;color:#666'>EPOCH</div>"
            f"<div style='font-size:20px;font-weight:600'>"
            f"{run.epoch:07,d}</div>"
        )
        self._sync_enabled()
        self._show_verdict()
        state = run.state
        if state != self._shown_state:
            self._shown_state = state
            self.state_box.value = state

    def _draw_output(self) -> None:
        """The output panel's picture and its colour key: the class probabilities, the
        predicted value (regression) or the chosen hidden unit's output, each discretized
        (most probable class, sign) when asked."""
        discrete = self.discretize.value
        if self._unit is not None or self.run.problem == "regression":
            if self._unit is not None:
                layer, unit = self._unit
                values = self._acts[layer][:, unit].reshape(GRID, GRID)
                scale, name = symmetric_scale(values), f"layer {layer + 1}, unit {unit + 1}"
            else:
                values, scale, name = self.grid_probs[..., 0], self._target_scale, "prediction"
            image = value_image(np.sign(values) * scale if discrete else values, scale)
            self._key.show(("value", scale, name))
        else:
            probs = self.grid_probs
            if discrete:
                probs = (probs == probs.max(axis=-1, keepdims=True)).astype(float)
            image = probability_image(probs, strength=0.7)
            self._key.show(("class", probs.shape[-1]))
        self._image.set_data(image)

    def _draw_points(self) -> None:
        """The train (white edge) and test (black edge) points, coloured by class or by
        target value (in POINT_COLOURS bands); the test points only when "show test data"
        is on."""
        run = self.run
        for line in self._test_pts:
            line.set_visible(self.show_test.value and line in self._point_lines)
        key = (id(run.X_train), id(run.X_test))
        if key == self._points_key:
            return
        self._points_key = key
        regression = run.problem == "regression"
        y_all = np.concatenate([run.y_train, run.y_test])
        self._target_scale = symmetric_scale(y_all) if regression else 1.0
        for lines, X, y in (
            (self._train_pts, run.X_train, run.y_train),
            (self._test_pts, run.X_test, run.y_test),
        ):
            if regression:  # the band of each target: its colour is the band's middle
                edges = np.linspace(-self._target_scale, self._target_scale, POINT_COLOURS + 1)
                band = np.clip(np.digitize(y, edges) - 1, 0, POINT_COLOURS - 1)
                middles = value_image(0.5 * (edges[:-1] + edges[1:]), self._target_scale)
                colours = [tuple(c) for c in middles]  # matplotlib compares colours with !=
            else:
                band, colours = y.astype(int), CLASS_COLORS
            for k, line in enumerate(lines):
                line.set_data(X[band == k, 0], X[band == k, 1])
                line.set_markerfacecolor(colours[k] if k < len(colours) else "none")
                if lines is self._train_pts:  # a target near 0 is white: a grey edge shows it
                    line.set_markeredgecolor("#777777" if regression else "white")
                if np.any(band == k):
                    self._point_lines.add(line)
                else:
                    self._point_lines.discard(line)  # nothing to draw
        for lines, shown in ((self._train_pts, True), (self._test_pts, self.show_test.value)):
            for line in lines:
                line.set_visible(shown and line in self._point_lines)

    def _draw_readouts(self) -> None:
        """Accuracies and the test confusion matrix (classification), or the squared
        errors (regression), as HTML beside the figure."""
        run = self.run
        if run.diverged:
            self.readout_label.value = ""
            return
        if run.problem == "regression":
            r = run.readout()
            self.readout_label.value = (
                f"<div style='font-size:12px'>mean squared error: train "
                f"<b>{r['train_loss']:.3f}</b> · test <b>{r['test_loss']:.3f}</b></div>"
            )
            return
        train, test = run.accuracy()
        counts = run.confusion_matrix("test")
        cell = "padding:0 6px;text-align:right"
        head = "".join(
            f"<th style='{cell};color:{CLASS_COLORS[j]}'>{j}</th>" for j in range(len(counts))
        )
        rows = "".join(
            f"<tr><th style='{cell};color:{CLASS_COLORS[i]}'>{i}</th>"
            + "".join(f"<td style='{cell}'>{n}</td>" for n in row)
            + "</tr>"
            for i, row in enumerate(counts)
        )
        self.readout_label.value = (
            f"<div style='font-size:12px;line-height:1.3;display:flex;gap:24px'>"
            f"<div>accuracy: train <b>{train:.1%}</b> · test <b>{test:.1%}</b></div>"
            f"<div style='white-space:nowrap;color:#555'>test points<br>rows: class<br>"
            f"columns: predicted</div><table style='font-size:11px;line-height:1.2;"
            f"border-collapse:collapse'><tr><th></th>{head}</tr>{rows}</table></div>"
        )

    def _show_weights(self) -> None:
        """The chosen hidden unit's bias and weights in and out, in numbers."""
        if self._unit is None:
            self.weights_label.value = ""
            return
        layer, unit = self._unit
        dense = [d for d in self.run.model if isinstance(d, Dense)]
        names = (
            [FEATURE_LABELS[f] for f in self.run.config["features"]]
            if layer == 0
            else [f"unit {i + 1}" for i in range(dense[layer].W.value.shape[1])]
        )
        w_in = dense[layer].W.value[unit]
        w_out = dense[layer + 1].W.value[:, unit]
        into = ", ".join(f"{n} {w:+.3g}" for n, w in zip(names, w_in))
        out = ", ".join(f"{w:+.3g}" for w in w_out)
        self.weights_label.value = (
            f"<div style='font-size:12px;color:#333'>layer {layer + 1}, unit {unit + 1}: "
            f"bias {dense[layer].b.value[unit]:+.3g}; weights in: {into}; "
            f"weights out: {out}</div>"
        )

    def _training_text(self) -> str:
        """The training settings in two lines: the optimizer, α and the β's; the batch size,
        the schedule and the regularization rates."""
        cfg = self.run.config
        betas = "  ".join(
            f"{k.replace('beta', 'β').replace('1', '₁').replace('2', '₂')} {cfg[k]:.4g}"
            for k in BETAS_USED.get(cfg["optimizer"], ())
        )
        lr_now = self.run.lr_at(self.run.epoch) / (
            1.0 - cfg["beta"] if cfg["optimizer"] == "nesterov" and cfg["beta"] > 0 else 1.0
        )
        first = f"{OPTIMIZER_LABELS.get(cfg['optimizer'], cfg['optimizer'])}  α {lr_now:.3g}"
        second = [f"batch {cfg['batch_size']}"]
        if cfg["schedule"] != "constant":
            second.append(f"{SCHEDULE_LABELS[cfg['schedule']]} k {cfg['decay']:.3g}")
        second += [
            f"{name} λ {self.run.setting(key):g}"
            for key, name in (("l2", "L2"), ("l1", "L1"))
            if self.run.setting(key)
        ]
        return first + (f"  {betas}" if betas else "") + "\n" + "  ".join(second)

    def _draw_costs(self) -> None:
        run = self.run
        ax = self._ax_cost
        top = 0.0
        for line, values in zip(self._lines, (run.train_loss, run.test_loss)):
            line.set_data(np.arange(len(values)), values)
            top = max(top, _finite_max(values))
        prev = run.previous or {}
        n_prev = 0
        for line, key in zip(self._prev_lines, ("train", "test")):
            values = prev.get(key, np.empty(0))
            line.set_data(np.arange(len(values)), values)
            n_prev = max(n_prev, len(values))
            top = max(top, _finite_max(values))
        # limits move on a 1-2-5 grid, so the static background is redrawn rarely
        xlim = (0, nice_ceil(max(10, len(run.train_loss) - 1, n_prev - 1), GRID_125))
        ylim = (0, nice_ceil(max(top, 0.1) * 1.05, GRID_125))
        if ax.get_xlim() != xlim:
            ax.set_xlim(*xlim)
        if ax.get_ylim() != ylim:
            ax.set_ylim(*ylim)

    def _draw_network(self) -> None:
        """The thumbnails of the features and hidden units, and the weight links."""
        cfg = self.run.config
        columns = [self._feature_maps()] + list(self.unit_maps)
        half = TILE // 2
        self._pitch = pitch = min(90, (COL * (pn.MAX_LAYERS + 1) - 30) // len(columns))
        chosen = None if self._unit is None else (self._unit[0] + 1, self._unit[1])
        shape = (ROW * pn.MAX_UNITS, COL * (pn.MAX_LAYERS + 1))
        self._mosaic.set_data(tile_mosaic(columns, shape, TILE, ROW, pitch, chosen))
        titles = ["inputs"] + [f"layer {i + 1}" for i in range(len(cfg["hidden"]))]
        for c, text in enumerate(self._col_titles):
            text.set_text(titles[c] if c < len(columns) else "")
            if text.get_position()[0] != c * pitch + 9 + half:  # a static artist: set if moved
                text.set_x(c * pitch + 9 + half)
        weights = [np.nan_to_num(d.W.value) for d in self.run.model if isinstance(d, Dense)]
        end = (COL * (pn.MAX_LAYERS + 1) + 12, ROW * pn.MAX_UNITS / 2)
        segs, colors, widths = link_geometry(weights, TILE, ROW, pitch, end)
        self._links.set_segments(segs)
        self._links.set_color(colors)
        self._links.set_linewidth(widths)

    def _sync_enabled(self) -> None:
        """Grey out the betas the optimizer does not use, the scale of a non-random init
        and the decay of the constant schedule."""
        cfg = self.run.config
        used = BETAS_USED.get(cfg["optimizer"], ())
        for key in ("beta", "beta1", "beta2"):
            self.controls[key].disabled = key not in used
        self.controls["init_scale"].disabled = cfg["init"] != "random"
        self.controls["decay"].disabled = cfg["schedule"] == "constant"

    def png(self, dpi: int = 90) -> bytes:
        """The whole figure as PNG bytes (animated artists included)."""
        from ..plots.display import figure_png

        self._net_title.set_text(f"epoch {self.run.epoch:,}")
        self._out_title.set_text(self._loss_text)
        try:
            with self.view_agg.static():
                return figure_png(self.figure, dpi=dpi)
        finally:
            self._net_title.set_text("")
            self._out_title.set_text("")

    def _ipython_display_(self) -> None:
        """The live app, with a PNG of its current picture in the same output: JupyterLab
        and Voila show the widget, GitHub and nbviewer (no widgets) show the picture."""
        import base64

        from IPython.display import display

        bundle = {
            "text/plain": f"Playground (state {self.state})",
            "image/png": base64.b64encode(self.png(90)).decode("ascii"),
        }
        widget = getattr(self.view, "_repr_mimebundle_", lambda **kw: {})()
        if isinstance(widget, dict) and "application/vnd.jupyter.widget-view+json" in widget:
            key = "application/vnd.jupyter.widget-view+json"
            bundle[key] = widget[key]
            display(bundle, raw=True)
        else:
            display(self.view)
        self._displayed = True

    def snapshot(self, dpi: int = 90) -> None:
        """Show the current figure as a static PNG (readable where widgets do not run)."""
        from IPython.display import Image, display

        display(Image(data=self.png(dpi)))


def _query() -> dict[str, str]:
    """The page's query string (Voila's ``QUERY_STRING``): ``state`` and ``challenge``."""
    values = parse_qs(os.environ.get("QUERY_STRING") or "", keep_blank_values=False)
    return {k: v[0] for k, v in values.items() if k in ("state", "challenge")}


def _finite_max(values: np.ndarray) -> float:
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    return float(finite.max()) if finite.size else 0.0
