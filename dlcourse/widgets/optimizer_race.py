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
the last good point (the rest of ``paths[name]`` is NaN) and ``message`` names it and says
that alpha is too large. Paths
that leave the plotted window are clipped on screen but keep all their data.
"""
from __future__ import annotations

import math

import ipywidgets as W
import numpy as np

from .. import optim
from .._checks import check_real
from ..experiments.race import race
from ..optim import create
from ..optim import create as make_optimizer  # noqa: F401  # moved: re-export until notebooks import dlcourse.optim
from ..parameter import Parameter
from ..plots.optimization import (OPTIMIZER_LABELS, plot_cost_curves, plot_paths,
                                  plot_surface, update_cost_curves, update_paths)
from ..surfaces import SURFACES, get_surface
from .base import Dashboard
from .controls import CheckboxGroup

__all__ = ["OPTIMIZER_NAMES", "OptimizerRace"]

OPTIMIZER_NAMES = optim.NAMES
#: The range of each numeric setting (the sliders' ranges; keywords are checked against them).
RANGES = {"lr": (1e-4, 10.0), "beta": (0.0, 0.999), "beta1": (0.0, 0.999),
          "beta2": (0.0, 0.9999), "steps": (1, 500)}


class OptimizerRace(Dashboard):
    """Optimizers racing on a cost surface: paths on the contours (left), J(w_t) - J* (right).

    Results: ``paths[name]`` (steps+1, 2), ``costs[name]`` (steps+1,), ``diverged[name]``
    (step or None) for each chosen optimizer; ``surface`` (the current Surface) and
    ``minimum`` (J at its global minimum).
    """

    defaults = {"optimizers": ["sgd", "momentum", "rmsprop", "adam"], "surface": "ravine",
                "lr": 0.05, "beta": 0.9, "beta1": 0.9, "beta2": 0.999, "steps": 200,
                "start_x": None, "start_y": None}
    ranges = RANGES
    figsize = (9.0, 3.8)

    # ------------------------------------------------------------------ config
    def _merged(self, config: dict) -> dict:
        merged = super()._merged(config)
        merged["optimizers"] = [n for n in OPTIMIZER_NAMES if n in merged["optimizers"]]
        start = get_surface(merged["surface"]).start
        for key, value in zip(("start_x", "start_y"), start):
            if merged[key] is None:
                merged[key] = float(value)
        self._check_start(merged)
        return merged

    def _validate(self, config: dict) -> None:
        chosen = config["optimizers"]
        if isinstance(chosen, str) or not all(c in OPTIMIZER_NAMES for c in chosen):
            raise ValueError(f"optimizers must be a list drawn from {list(OPTIMIZER_NAMES)}, "
                             f"got {chosen!r}")
        if config["surface"] not in SURFACES:
            raise ValueError(f"unknown surface {config['surface']!r}; valid: {list(SURFACES)}")

    @staticmethod
    def _check_start(config: dict) -> None:
        bounds = get_surface(config["surface"]).bounds
        for key, (lo, hi) in zip(("start_x", "start_y"), bounds):
            value = config[key]
            number = check_real(key, value)
            if not lo <= number <= hi:
                raise ValueError(f"{key} must be a number within the {config['surface']} "
                                 f"window [{lo:g}, {hi:g}], got {value!r}")

    def set_config(self, config: dict) -> None:
        merged = self._merged(dict(config))
        self._fit_start_sliders(merged)
        super().set_config(merged)

    # ------------------------------------------------------------------ controls
    def _build_controls(self) -> dict:
        c = self._config
        slider = dict(continuous_update=True, style={"description_width": "initial"})
        controls = {
            "optimizers": CheckboxGroup(OPTIMIZER_NAMES, c["optimizers"], "optimizers:",
                                        labels=OPTIMIZER_LABELS),
            "surface": W.Dropdown(options=list(SURFACES), value=c["surface"],
                                  description="surface"),
            "lr": W.FloatLogSlider(value=c["lr"], base=10, min=math.log10(RANGES["lr"][0]),
                                   max=math.log10(RANGES["lr"][1]), step=0.05,
                                   description="α (learning rate)", readout_format=".2g",
                                   **slider),
            "steps": W.IntSlider(value=c["steps"], **self._bounds("steps"), step=1,
                                 description="steps", **slider),
            "beta": W.FloatSlider(value=c["beta"], **self._bounds("beta"), step=0.001,
                                  description="β", readout_format=".3f", **slider),
            "beta1": W.FloatSlider(value=c["beta1"], **self._bounds("beta1"), step=0.001,
                                   description="β1 (Adam)", readout_format=".3f", **slider),
            "beta2": W.FloatSlider(value=c["beta2"], **self._bounds("beta2"), step=0.0001,
                                   description="β2 (Adam)", readout_format=".4f", **slider),
            "start_x": W.FloatSlider(value=c["start_x"], description="start w0",
                                     readout_format=".2f", **slider),
            "start_y": W.FloatSlider(value=c["start_y"], description="start w1",
                                     readout_format=".2f", **slider),
        }
        self.controls = controls
        self._syncing = True
        self._fit_start_sliders(c)
        self._syncing = False
        return controls

    def _fit_start_sliders(self, config: dict) -> None:
        """Set the ranges of the start sliders to the surface's window, then their values."""
        bounds = get_surface(config["surface"]).bounds
        was, self._syncing = self._syncing, True
        try:
            for key, (lo, hi) in zip(("start_x", "start_y"), bounds):
                s = self.controls[key]
                s.min, s.max = min(s.min, lo), max(s.max, hi)   # widen, so no clamping
                s.value = config[key]
                s.min, s.max, s.step = lo, hi, (hi - lo) / 400   # the starts lie on this grid
                self._config[key] = float(s.value)
        finally:
            self._syncing = was

    def _control_changed(self, name: str) -> None:
        if name == "surface":   # a new surface starts from its own suggested point
            start = get_surface(self._config["surface"]).start
            self._config["start_x"], self._config["start_y"] = map(float, start)
            self._fit_start_sliders(self._config)
        self.update()

    def _controls_box(self) -> W.Widget:
        c = self.controls
        return W.VBox([c["optimizers"],
                       W.HBox([c["surface"], c["lr"], c["steps"]]),
                       W.HBox([c["beta"], c["beta1"], c["beta2"]]),
                       W.HBox([c["start_x"], c["start_y"]])])

    # ------------------------------------------------------------------ figure
    def _build_figure(self, fig) -> None:
        self.ax_paths, self.ax_cost = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.14, top=0.9, wspace=0.25)
        empty = {name: np.zeros((0, 2)) for name in OPTIMIZER_NAMES}
        self._surface_artists, self._drawn_surface = None, None
        self._path_artists = plot_paths(self.ax_paths, empty, start=(0.0, 0.0), legend=False)
        self._cost_lines = plot_cost_curves(self.ax_cost, {n: [] for n in OPTIMIZER_NAMES})
        self.ax_cost.set_title("cost above the minimum", fontsize=10)
        self._legend, self._legend_names = None, None

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
            self.paths[name], self.costs[name], self.diverged[name] = race(
                self.surface, opt, param, c["steps"])
        self.message = self._divergence_message()
        if not c["optimizers"]:
            self.message = "no optimizer chosen: tick at least one box"

    def _divergence_message(self) -> str:
        bad = {n: t for n, t in self.diverged.items() if t is not None}
        if not bad:
            return ""
        where = ", ".join(f"{OPTIMIZER_LABELS[n]} at step {t}" for n, t in bad.items())
        return (f"diverged: {where}. α = {self._config['lr']:.3g} is too large for this "
                f"surface; try a smaller learning rate")

    # ------------------------------------------------------------------ draw
    def _draw(self) -> None:
        if self._drawn_surface != self._config["surface"]:
            self._redraw_surface()
        start = (self._config["start_x"], self._config["start_y"])
        update_paths(self._path_artists, self.paths, start)
        update_cost_curves(self._cost_lines, self.costs, self.minimum)
        if self._legend_names != tuple(self.paths):
            self._rebuild_legend()
        self.ax_paths.set_title(f"{self.surface.description}, α = {self._config['lr']:.3g}",
                                fontsize=10)

    def _redraw_surface(self) -> None:
        for artist in (self._surface_artists or {}).values():
            if artist is not None:
                artist.remove()
        self._surface_artists = plot_surface(self.ax_paths, self.surface)
        self.ax_paths.set_autoscale_on(False)
        self._drawn_surface = self._config["surface"]

    def _rebuild_legend(self) -> None:
        if self._legend is not None:
            self._legend.remove()
        handles = [self._path_artists["paths"][n] for n in self.paths]
        self._legend = (self.ax_paths.legend(handles=handles, loc="upper right", fontsize=8,
                                             framealpha=0.85) if handles else None)
        self._legend_names = tuple(self.paths)


