"""OptimizerRace: several optimizers racing down a 2-D cost surface from the same start.

Each racer is a 2-D :class:`dlcourse.Parameter` w driven by a real ``dlcourse.optim``
optimizer; at every step its gradient is the surface's exact gradient:

    w_0 = start;   for t = 1 .. T:   w.grad = dJ/dw (w_{t-1});   optimizer.step()  ->  w_t

The sliders set alpha (``lr``), beta (momentum, Nesterov, RMSProp), beta1 and beta2 (Adam):

=============  ============================================================================
``sgd``        ``SGD(lr=alpha)``:             w -= alpha g
``momentum``   ``Momentum(lr=alpha, beta)``:  v = beta v + (1-beta) g;  w -= alpha v
``nesterov``   ``SGD(lr=alpha (1-beta), momentum=beta, nesterov=True)``: torch's Nesterov
               rescaled by (1 - beta) into the course's units, so that its steps are as long
               as those of ``momentum`` (with beta = 0 it is plain SGD)
``rmsprop``    ``RMSProp(lr=alpha, beta)``:   s = beta s + (1-beta) g^2; w -= alpha g/(sqrt(s)+eps)
``adagrad``    ``AdaGrad(lr=alpha)``:         s = s + g^2; w -= alpha g/(sqrt(s)+eps)
``adam``       ``Adam(lr=alpha, beta1, beta2)``:  bias-corrected momentum over RMS
=============  ============================================================================

A racer whose w becomes NaN/inf, or flies further than 1e6 from the origin, or whose cost
J(w) overflows, has diverged (:func:`dlcourse.experiments.race.race`): its path stops at
the last good point (the rest of ``paths[name]`` is NaN), its legend entry gives the step,
and ``message`` (the line under the figure) names it and says that alpha is too large. Paths
that leave the plotted window are clipped on screen but keep all their data.
"""

from __future__ import annotations

from collections import OrderedDict

import ipywidgets as W
import numpy as np

from .. import optim
from ..experiments.race import race
from ..optim import create

from ..parameter import Parameter
from ..plots.optimization import (
    OPTIMIZER_LABELS,
    plot_cost_curves,
    plot_paths,
    plot_surface,
    update_cost_curves,
    update_paths,
)
from ..surfaces import SURFACES, get_surface
from .base import Dashboard
from .controls import CheckboxGroup
from .settings import Choice, IntRange, LogRange, OneMinusLog, Subset, Within

__all__ = ["OPTIMIZER_NAMES", "OptimizerRace"]

OPTIMIZER_NAMES = optim.NAMES


class OptimizerRace(Dashboard):
    """Optimizers racing on a cost surface: paths on the contours (left), J(w_t) - J* (right).

    Results: ``paths[name]`` (steps+1, 2), ``costs[name]`` (steps+1,), ``diverged[name]``
    (step or None) for each chosen optimizer; ``surface`` (the current Surface) and
    ``minimum`` (J at its global minimum).
    """

    settings = {
        "optimizers": Subset(
            ["sgd", "momentum", "rmsprop", "adam"],
            "optimizers:",
            options=OPTIMIZER_NAMES,
            labels=OPTIMIZER_LABELS,
            control=CheckboxGroup,
        ),
        "surface": Choice("ravine", "surface", options=SURFACES),
        "lr": LogRange(0.05, "α (learning rate)", lo=1e-4, hi=10.0, step=0.05),
        "steps": IntRange(200, "steps", lo=1, hi=500),
        "beta": OneMinusLog(0.9, "β", lo=0.0, hi=0.999),
        "beta1": OneMinusLog(0.9, "β1 (Adam)", lo=0.0, hi=0.999),
        "beta2": OneMinusLog(0.999, "β2 (Adam)", lo=0.0, hi=0.9999),
        # the start follows the surface: its window, and its suggested start point
        "start_x": Within(
            None,
            "start w0",
            on="surface",
            bounds=lambda c: get_surface(c["surface"]).bounds[0],
            start=lambda c: get_surface(c["surface"]).start[0],
            where=lambda c: f"the {c['surface']} window",
        ),
        "start_y": Within(
            None,
            "start w1",
            on="surface",
            bounds=lambda c: get_surface(c["surface"]).bounds[1],
            start=lambda c: get_surface(c["surface"]).start[1],
            where=lambda c: f"the {c['surface']} window",
        ),
    }
    continuous_update = True
    figsize = (9.0, 3.8)
    CACHED = 64  # races kept: (surface, start, steps, optimizer and its settings) -> result

    def _controls_box(self) -> W.Widget:
        c = self.controls
        return W.VBox(
            [
                c["optimizers"],
                W.HBox([c["surface"], c["lr"], c["steps"]]),
                W.HBox([c["beta"], c["beta1"], c["beta2"]]),
                W.HBox([c["start_x"], c["start_y"]]),
            ]
        )

    # ------------------------------------------------------------------ figure
    def _build_figure(self, fig) -> None:
        self._races: OrderedDict = OrderedDict()
        self.ax_paths, self.ax_cost = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.14, top=0.9, wspace=0.25)
        empty = {name: np.zeros((0, 2)) for name in OPTIMIZER_NAMES}
        self._surface_artists, self._drawn_surface = None, None
        self._path_artists = plot_paths(self.ax_paths, empty, start=(0.0, 0.0), legend=False)
        self._cost_lines = plot_cost_curves(self.ax_cost, {n: [] for n in OPTIMIZER_NAMES})
        self.ax_cost.set_title("cost above the minimum", fontsize=10)
        self._legend, self._legend_names = None, None
        self.view_agg.set_moving([self._path_artists, self._cost_lines, self.ax_paths.title])

    # ------------------------------------------------------------------ compute
    def _compute(self) -> None:
        c = self._config
        self.surface = get_surface(c["surface"])
        self.minimum = float(self.surface.value(self.surface.minima[0]))
        start = np.array([c["start_x"], c["start_y"]], dtype=np.float64)
        self.paths, self.costs, self.diverged = {}, {}, {}
        for name in c["optimizers"]:
            param = Parameter(start)
            opt = create(name, param, c["lr"], c["beta"], c["beta1"], c["beta2"])
            key = (c["surface"], tuple(start), c["steps"], _settings(opt))
            if key not in self._races:  # a beta moves only the racers that read it
                self._races[key] = race(self.surface, opt, param, c["steps"])
                while len(self._races) > self.CACHED:
                    self._races.popitem(last=False)
            self._races.move_to_end(key)
            self.paths[name], self.costs[name], self.diverged[name] = self._races[key]
        self.message = self._divergence_message()
        if not c["optimizers"]:
            self.message = "no optimizer chosen: tick at least one box"

    def _divergence_message(self) -> str:
        bad = {n: t for n, t in self.diverged.items() if t is not None}
        if not bad:
            return ""
        where = ", ".join(f"{OPTIMIZER_LABELS[n]} at step {t}" for n, t in bad.items())
        return (
            f"diverged: {where}. α = {self._config['lr']:.3g} is too large for this "
            f"surface; try a smaller learning rate"
        )

    # ------------------------------------------------------------------ draw
    def _draw(self) -> None:
        if self._drawn_surface != self._config["surface"]:
            self._redraw_surface()
        start = (self._config["start_x"], self._config["start_y"])
        update_paths(self._path_artists, self.paths, start)
        update_cost_curves(self._cost_lines, self.costs, self.minimum)
        if self._legend_names != self._legend_labels():
            self._rebuild_legend()
        self.ax_paths.set_title(
            f"{self.surface.description}, α = {self._config['lr']:.3g}", fontsize=10
        )

    def _redraw_surface(self) -> None:
        for artist in (self._surface_artists or {}).values():
            if artist is not None:
                artist.remove()
        self._surface_artists = plot_surface(self.ax_paths, self.surface)
        self.ax_paths.set_autoscale_on(False)
        self._drawn_surface = self._config["surface"]

    def _legend_labels(self) -> tuple[str, ...]:
        """One legend entry per racer; a diverged one says at which step."""
        return tuple(
            OPTIMIZER_LABELS[n] + ("" if t is None else f" (diverged, step {t})")
            for n, t in self.diverged.items()
        )

    def _rebuild_legend(self) -> None:
        if self._legend is not None:
            self._legend.remove()
        handles = [self._path_artists["paths"][n] for n in self.paths]
        labels = self._legend_labels()
        self._legend = (
            self.ax_paths.legend(handles, labels, loc="upper right", fontsize=8, framealpha=0.85)
            if handles
            else None
        )
        self._legend_names = labels

    def _show_message(self) -> None:
        """The message line under the figure; a divergence is written in the legend
        instead of the note across the figure (which would hide the paths and the costs)."""
        super()._show_message()
        if self.message.startswith("diverged: "):
            self._note.set_visible(False)


def _settings(opt: optim.Optimizer) -> tuple:
    """What a fresh optimizer's steps depend on: its class and hyperparameters (two names
    that make the same optimizer, such as nesterov with beta = 0 and sgd, share a race)."""
    skip = ("params", "state", "_scratch")
    return (
        type(opt).__name__,
        *sorted((k, repr(v)) for k, v in vars(opt).items() if k not in skip),
    )
