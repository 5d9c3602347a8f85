"""Playground: the course's TensorFlow-Playground, with every idea of the course as a control.

The controller is :class:`dlcourse.experiments.playground_net.PlaygroundRun` (data,
features, network, optimizer, training epoch by epoch, the state string); this module is
its view: ipywidgets controls and ONE matplotlib figure with

- the network: a small heat map per input feature and per hidden unit (what that unit
  computes over the plane), linked by lines coloured by the sign of the weight
  (orange +, blue -) and as thick as its size;
- the output: the decision boundary (class probabilities over the plane) with the train
  points (white edge) and the test points (black edge);
- the train and test cost per epoch, growing while it trains; the previous run stays faded.

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

import math
import os
import time
from collections import deque
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .. import activations, optim
from ..experiments import playground_net as pn
from ..init import INITIALIZERS
from ..plots.limits import GRID_125, nice_ceil
from ..plots.training import CLASS_COLORS, probability_image
from ..layers import Dense
from .base import Dashboard
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
    ToggleGroup,
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
}
OPTIMIZER_LABELS = {
    "sgd": "SGD",
    "momentum": "momentum",
    "nesterov": "Nesterov",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSProp",
    "adam": "Adam",
}
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
UNIT_CMAP = LinearSegmentedColormap.from_list("unit", [BLUE, "#ffffff", ORANGE])

# network panel geometry, in its own pixel-like units
TILE, ROW, COL = 30, 40, 48
GRID = 60  # output grid points per side; thumbnails take every second one
_GRID_POINTS = pn.grid_points(GRID)


_D, _R = pn.DEFAULTS, pn.RANGES
_px = lambda width: {"layout": {"width": f"{width}px"}}
_BETA_KW = {**_px(230), "style": {"description_width": "30px"}}


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
        "dataset": Buttons(
            _D["dataset"],
            "",
            options=pn.DATASETS,
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
    }
    slider_kw = choice_kw = {"layout": {"width": "300px"}, "style": {"description_width": "78px"}}
    flag_kw = {"indent": False}
    figsize = (9.6, 3.7)
    frame_seconds = 0.06  # training time per frame while playing (at least)
    max_frame_seconds = 0.15  # (at most: a slider moved meanwhile waits for the frame)
    max_frame_epochs = 100_000  # a frame ends on its time budget long before this
    max_state_epochs = 3000  # a state string replays at most this many epochs

    def __init__(self, state: str | None = None, **config: Any) -> None:
        self._player = PlayLoop(self, self._frame_and_draw, self._keep_playing, self._show_playing)
        self.frames = 0
        self._strip_only = False
        self._pushed = None  # the training text of the last frame pushed
        self._last_push = 0.0
        #: the last frames while playing: (epochs, train s, compute s, push s)
        self.frame_log: deque = deque(maxlen=500)
        given = bool(config)
        self.run = pn.PlaygroundRun(self._merged(config))
        state = (
            state
            if state is not None
            else (None if given else pn.state_from_query(os.environ.get("QUERY_STRING")))
        )
        self._state_error = ""
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
        if self._state_error:
            self.message = self._state_error
            self._show_message()
            self.redraw()

    # ------------------------------------------------------------------ config
    def _merged(self, config: dict) -> dict:
        """The declared checks (one message style), then the controller's own."""
        return pn.validate(super()._merged(config))

    @property
    def config(self) -> dict:
        return self.run.config

    def set_config(self, config: dict) -> None:
        """Rebuild from ``config``: a new run (the faded previous run is forgotten)."""
        cfg = self._merged(dict(config))
        self.pause()
        self.run = pn.PlaygroundRun(cfg)
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
        except (ValueError, TypeError) as exc:
            self.message = str(exc)
            self._show_message()
            self.redraw()
            return
        self.run = pn.PlaygroundRun(config)
        self._sync_widgets()
        self._safely(self._replay, epoch)

    def _replay(self, epoch: int) -> None:
        self.run.run_to(min(epoch, self.max_state_epochs))
        self._compute_and_draw()

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
        declaration refuses (no input feature left) puts the control back and says why."""
        try:
            value = self.settings[name].check(name, self._config[name], self._config)
            kind = self.run.set(**{name: value})
        except (TypeError, ValueError) as exc:
            self._sync_widgets()
            self.message = str(exc)
            return
        self._after_change(kind)

    def _after_change(self, kind: str) -> None:
        self._config = self.run.config
        if kind == "live":
            self._draw(live_only=True)
            self._strip_only = True  # the next push redraws the settings strip alone
        else:
            self._compute_and_draw()

    def redraw(self) -> None:
        """Push the figure (:meth:`.view.AggView.push_axes`): after a live change only the
        settings strip is drawn again; while its text stays (a frame while playing) the
        three panels without it."""
        strip_only, self._strip_only = self._strip_only, False
        text = self._cost_title.get_text()
        if getattr(self, "_view", None) is None:
            return
        if strip_only:
            self.view_agg.push_axes(self._ax_info)
        elif text == self._pushed and self.view_agg.background is not None:
            self.view_agg.push_axes(self._ax_net, self._ax_out, self._ax_cost)
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
        self.buttons["play"].on_click(lambda _: self._safely(self.toggle_play))
        self.buttons["step"].on_click(lambda _: self._safely(self._step_and_draw))
        self.buttons["reset"].on_click(lambda _: self._safely(self._restart_and_draw))
        self.buttons["regenerate"].on_click(lambda _: self._safely(self._regenerate_and_draw))
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

    def _controls_box(self) -> W.Widget:
        c = self.controls
        head = lambda text: W.HTML(
            f"<div style='font-weight:600;letter-spacing:.08em;"
            f"color:#555;margin:6px 0 2px 0'>{text}</div>"
        )
        bar = W.Layout(flex_flow="row wrap", align_items="center")
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
            [c["beta"], c["beta1"], c["beta2"], c["schedule"], c["decay"]],
            layout=W.Layout(flex_flow="row wrap", align_items="center", margin="0 0 6px 0"),
        )
        left = W.VBox(
            [
                head("DATA"),
                c["dataset"],
                c["noise"],
                c["train_ratio"],
                self.buttons["regenerate"],
                head("FEATURES"),
                c["features"],
                head("HIDDEN LAYERS"),
                c["hidden"],
            ],
            layout=W.Layout(width="330px", margin="0 10px 0 0"),
        )
        row = W.Layout(flex_flow="row wrap", align_items="center")
        self._under = W.VBox(
            [
                W.HBox([c["activation"], c["init"], c["init_scale"]], layout=row),
                W.HBox([c["batch_norm"], c["dropout"], c["l2"]], layout=row),
            ]
        )
        self._left = left
        state_row = W.HBox(
            [self.state_box, self.buttons["load"]],
            layout=W.Layout(align_items="center", margin="0 0 6px 0"),
        )
        return W.VBox([top, top2, state_row])

    def _build_view(self) -> W.Widget:
        """Top bars and the state string; the data, features and layers beside the figure;
        the other network settings under it; the message."""
        top = self._controls_box()
        right = W.VBox(
            [self.image, self._under, self._message_label],
            layout=W.Layout(justify_content="flex-start"),
        )
        view = W.VBox([top, W.HBox([self._left, right], layout=W.Layout(align_items="flex-start"))])
        view.add_class("pg-playground")
        return view

    def _sync_widgets(self) -> None:
        """Controls follow ``self.run.config`` (without firing their callbacks)."""
        self._config = self.run.config
        self._syncing = True
        try:
            for name, widget in self.controls.items():
                widget.value = self._config[name]
        finally:
            self._syncing = False
        self._config = self.run.config

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
        return not self.run.diverged

    def _frame(self) -> int:
        """Train for ``frame_seconds``, or as long as the last picture took to push when
        that was longer (a loaded machine then still trains half of the time), at most
        ``max_frame_seconds``; at least one epoch."""
        budget = min(max(self.frame_seconds, self._last_push), self.max_frame_seconds)
        return self.run.train(self.max_frame_epochs, seconds=budget)

    def _frame_and_draw(self) -> None:
        t0 = time.perf_counter()
        n = self._frame()
        t1 = time.perf_counter()
        self._compute_and_draw()
        t2 = time.perf_counter()
        self.redraw()
        self._last_push = min(time.perf_counter() - t1, 1.0)
        self.frames += 1
        self.frame_log.append((n, t1 - t0, t2 - t1, time.perf_counter() - t2))

    def train(self, epochs: int) -> None:
        """Train ``epochs`` more epochs synchronously, then redraw."""
        self.pause()
        self._safely(lambda: (self.run.train(epochs), self._compute_and_draw()))

    def step(self) -> None:
        """One epoch (a diverged run starts again first)."""
        self.pause()
        self._safely(self._step_and_draw)

    def _step_and_draw(self) -> None:
        self.pause()
        if self.run.diverged:
            self.run.restart()
        self.run.train(1)
        self._compute_and_draw()

    def restart(self) -> None:
        """A new network with the same settings; the run so far stays faded."""
        self._safely(self._restart_and_draw)

    def _restart_and_draw(self) -> None:
        self.run.restart()
        self._compute_and_draw()

    def regenerate(self) -> None:
        """New data of the same kind; a new network."""
        self._safely(self._regenerate_and_draw)

    def _regenerate_and_draw(self) -> None:
        self.run.regenerate()
        self._config = self.run.config
        self._compute_and_draw()

    def reset(self) -> None:
        self.pause()

    def _show_playing(self) -> None:
        if hasattr(self, "buttons"):
            b = self.buttons["play"]
            b.description = "❚❚ pause" if self.playing else "▶ play"
            b.button_style = "warning" if self.playing else "primary"

    def _explain(self, exc: Exception) -> str:
        self._player.playing = False  # the loop ends before its next frame
        return f"cannot do that with these settings: {exc}"

    # ------------------------------------------------------------------ figure
    def _build_figure(self, fig: Figure) -> None:
        fig.patch.set_facecolor("white")
        self._ax_net = fig.add_axes([0.005, 0.02, 0.36, 0.84])
        self._ax_out = fig.add_axes([0.385, 0.09, 0.293, 0.76])
        self._ax_cost = fig.add_axes([0.735, 0.14, 0.255, 0.71])
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
        self._train_pts = ax.scatter([], [], s=16, edgecolors="white", linewidths=0.8, zorder=2)
        self._test_pts = ax.scatter([], [], s=16, edgecolors="black", linewidths=0.8, zorder=3)
        ax.set_xlim(*pn.EXTENT[:2])
        ax.set_ylim(*pn.EXTENT[2:])
        ax.set_xticks([])
        ax.set_yticks([])
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
        self._ax_info = fig.add_axes([0.70, 0.885, 0.298, 0.10])
        self._ax_info.set_facecolor("white")
        self._ax_info.set_xticks([])
        self._ax_info.set_yticks([])
        for spine in self._ax_info.spines.values():
            spine.set_visible(False)
        self._cost_title = self._ax_info.text(
            0.03, 0.4, "", fontsize=8.5, va="center", color="#333", clip_on=True
        )
        self._points_key = None
        # the epoch and the losses are HTML beside the buttons while live (text is the
        # costliest artist to draw); the figure shows them only in the static picture (png)
        self._dynamic = [
            self._mosaic,
            self._links,
            self._image,
            self._train_pts,
            self._test_pts,
            *self._prev_lines,
            *self._lines,
            self._cost_title,
        ]
        self.view_agg.set_moving(self._dynamic)

    def _compute(self) -> None:
        """The grid outputs: class probabilities and every hidden unit's activation."""
        self.grid_probs, acts = self.run.outputs(_GRID_POINTS)
        self.grid_probs = self.grid_probs.reshape(GRID, GRID, -1)
        self.unit_maps = [a.T.reshape(a.shape[1], GRID, GRID)[:, ::2, ::2] for a in acts]
        if self.run.message:
            self.message = self.run.message

    def _feature_maps(self) -> np.ndarray:
        F = pn.feature_matrix(_GRID_POINTS, self.run.config["features"])
        return F.T.reshape(F.shape[1], GRID, GRID)[:, ::2, ::2]

    def _draw(self, live_only: bool = False) -> None:
        run = self.run
        if not live_only:
            self._draw_network()
            self._image.set_data(probability_image(self.grid_probs, strength=0.7))
            key = (id(run.X_train), id(run.X_test))
            if key != self._points_key:
                self._points_key = key
                for pts, X, y in (
                    (self._train_pts, run.X_train, run.y_train),
                    (self._test_pts, run.X_test, run.y_test),
                ):
                    pts.set_offsets(X)
                    pts.set_facecolors([CLASS_COLORS[k] for k in y])
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
        self._cost_title.set_text(self._training_text())
        self.epoch_label.value = (
            f"<div style='font-size:12px;color:#666'>EPOCH</div>"
            f"<div style='font-size:20px;font-weight:600'>"
            f"{run.epoch:07,d}</div>"
        )
        self._sync_enabled()
        state = run.state
        if state != self._shown_state:
            self._shown_state = state
            self.state_box.value = state

    def _training_text(self) -> str:
        cfg = self.run.config
        betas = ", ".join(
            f"{k.replace('beta', 'β')} {cfg[k]:.4g}" for k in BETAS_USED.get(cfg["optimizer"], ())
        )
        lr_now = self.run.lr_at(self.run.epoch) / (
            1.0 - cfg["beta"] if cfg["optimizer"] == "nesterov" and cfg["beta"] > 0 else 1.0
        )
        return (
            f"{OPTIMIZER_LABELS.get(cfg['optimizer'], cfg['optimizer'])}  α {lr_now:.3g}"
            f"{'  ' + betas if betas else ''}  batch {cfg['batch_size']}"
            + (f"  λ {cfg['l2']:g}" if cfg["l2"] else "")
        )

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
        rgba = np.zeros((ROW * pn.MAX_UNITS, COL * (pn.MAX_LAYERS + 1), 4))
        half = TILE // 2
        self._pitch = pitch = min(90, (COL * (pn.MAX_LAYERS + 1) - 30) // len(columns))
        for c, maps in enumerate(columns):
            scale = np.abs(maps).reshape(len(maps), -1).max(axis=1)
            scale[scale == 0] = 1.0
            for r, m in enumerate(maps):
                tile = UNIT_CMAP(0.5 + 0.5 * m[::-1] / scale[r])
                y0, x0 = r * ROW + 5, c * pitch + 9
                rgba[y0 : y0 + half * 2, x0 : x0 + half * 2] = tile
        self._mosaic.set_data(rgba)
        titles = ["inputs"] + [f"layer {i + 1}" for i in range(len(cfg["hidden"]))]
        for c, text in enumerate(self._col_titles):
            text.set_text(titles[c] if c < len(columns) else "")
            if text.get_position()[0] != c * pitch + 9 + half:  # a static artist: set if moved
                text.set_x(c * pitch + 9 + half)
        segs, colors, widths = self._link_geometry(columns)
        self._links.set_segments(segs)
        self._links.set_color(colors)
        self._links.set_linewidth(widths)

    def _link_geometry(self, columns) -> tuple[list, list, np.ndarray]:
        """Line segments between tiles of neighbouring columns, coloured by weight sign."""
        dense = [layer for layer in self.run.model if isinstance(layer, Dense)]
        segs, colors, mags = [], [], []
        half, pitch = TILE // 2, self._pitch
        for c, layer in enumerate(dense[:-1] if len(dense) > 1 else []):
            W_ = np.nan_to_num(layer.W.value)
            for j in range(W_.shape[0]):
                for i in range(W_.shape[1]):
                    x0, y0 = c * pitch + 9 + 2 * half, i * ROW + 5 + half
                    x1, y1 = (c + 1) * pitch + 9, j * ROW + 5 + half
                    segs.append([(x0, y0), (x1, y1)])
                    colors.append(ORANGE if W_[j, i] > 0 else BLUE)
                    mags.append(abs(W_[j, i]))
        # the last layer (or the only one) into the output panel, at its middle height
        W_ = np.nan_to_num(dense[-1].W.value)
        c = len(columns) - 1
        for i in range(W_.shape[1]):
            x0, y0 = c * pitch + 9 + 2 * half, i * ROW + 5 + half
            segs.append([(x0, y0), (COL * (pn.MAX_LAYERS + 1) + 12, ROW * pn.MAX_UNITS / 2)])
            colors.append(ORANGE if W_[:, i].sum() > 0 else BLUE)
            mags.append(float(np.abs(W_[:, i]).mean()))
        mags = np.asarray(mags)
        widths = (
            0.3 + 2.7 * mags / mags.max()
            if mags.size and mags.max() > 0
            else np.full(len(mags), 0.5)
        )
        return segs, colors, widths

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


def _finite_max(values: np.ndarray) -> float:
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    return float(finite.max()) if finite.size else 0.0
