"""InitExplorer: what the initial weights do to the signal in a deep network.

A deep ``dlcourse.Sequential`` of ``depth`` hidden layers (Dense(width) -> activation), then
a Dense output layer of ``classes`` logits, runs ONE forward and ONE backward pass
(softmax cross-entropy) on seeded random data X ~ N(0, 1) of shape (examples, width) with
random labels. For every hidden layer l it records

    A^[l] = g(Z^[l]),  Z^[l] = A^[l-1] W^[l]T + b^[l]      (A^[0] = X)
    dA^[l] = dJ/dA^[l]                                      (what backprop carries down)

and shows their histograms and standard deviations. With W ~ N(0, 1) * s the variance of
Z^[l] is about n^[l-1] s^2 Var(A^[l-1]) (times 1/2 after a ReLU), so the std stays put only
when s^2 = 1/n (Xavier, for tanh) or 2/n (He, for ReLU): a smaller s makes the activations
collapse towards 0 layer after layer, a larger one makes them explode (or saturate a tanh).
Zeros give every unit of a layer the same value, hence the same gradient: the symmetry is
never broken (``unit_spread`` is exactly 0).

Random draws: ``rng = default_rng(seed)`` gives X, then y, then the weights in layer order.
"""

from __future__ import annotations


import numpy as np
from matplotlib.figure import Figure

from ..experiments.init_signals import SCHEME_SCALES, build_deep_network, signal_statistics
from ..metrics import finite_std

from ..plots.limits import GRID_125, nice_ceil
from ..plots.training import activation_histograms, std_by_layer
from ..activations import ACTIVATIONS
from ..init import INITIALIZERS
from .base import Dashboard
from .settings import Choice, IntRange, LogRange, Select

__all__ = ["InitExplorer"]

WIDTHS = (10, 25, 50, 100, 200, 500)
MAX_DEPTH = 10
SCALE_RANGE = (1e-3, 10.0)
UNITS_SHOWN, EXAMPLES_SHOWN = 16, 12


class InitExplorer(Dashboard):
    """Per-layer activation and gradient histograms of a deep network at initialization.

    Results: ``activation_std`` and ``gradient_std`` (one value per hidden layer: std of
    A^[l] and of dJ/dA^[l] over all examples and units), ``unit_spread`` (per layer, the
    mean over examples of the std across the layer's units: 0 means every unit computes
    the same thing), ``activations`` and ``gradients`` (the arrays themselves), ``cost``,
    ``model``, ``X``, ``y``.
    """

    settings = {
        "depth": IntRange(10, "depth L", lo=1, hi=MAX_DEPTH),
        "width": Select(100, "width n", values=WIDTHS),
        "activation": Choice("tanh", "activation", options=ACTIVATIONS, exclude=("step",)),
        "init": Choice("xavier", "init", options=INITIALIZERS),
        "scale": LogRange(1.0, "scale s", lo=SCALE_RANGE[0], hi=SCALE_RANGE[1], fmt=".3g"),
        "examples": IntRange(500, lo=2),
        "classes": IntRange(10, lo=2),
        "seed": IntRange(0, lo=0),
    }
    figsize = (10.0, 4.6)
    slider_kw = choice_kw = {"layout": {"width": "290px"}, "style": {"description_width": "70px"}}

    def _control_changed(self, name: str) -> None:
        if name == "init":  # each scheme starts from its own natural scale
            self._syncing = True
            try:
                self.controls["scale"].value = SCHEME_SCALES[self._config["init"]]
            finally:
                self._syncing = False
        self.update()

    def _sync_enabled(self) -> None:
        self.controls["scale"].disabled = self._config["init"] == "zeros"

    # ------------------------------------------------------------------ compute
    def _compute(self) -> None:
        c = self._config
        rng = np.random.default_rng(c["seed"])
        self.X = rng.standard_normal((c["examples"], c["width"]))
        self.y = rng.integers(0, c["classes"], size=c["examples"])
        self.model = build_deep_network(
            c["depth"], c["width"], c["activation"], c["init"], c["scale"], c["classes"], rng
        )
        with np.errstate(all="ignore"):
            self.activations, self.gradients, self.cost = signal_statistics(
                self.model, self.X, self.y
            )
            self.activation_std = np.array([finite_std(a) for a in self.activations])
            self.gradient_std = np.array([finite_std(g) for g in self.gradients])
            self.unit_spread = np.array(
                [float(np.mean(np.std(a, axis=1))) for a in self.activations]
            )

    # ------------------------------------------------------------------ view
    def _build_figure(self, fig: Figure) -> None:
        gs = fig.add_gridspec(
            2,
            3,
            width_ratios=[1.0, 1.0, 0.95],
            height_ratios=[1.0, 0.8],
            left=0.06,
            right=0.95,  # the colour bar's tick labels beyond
            bottom=0.1,
            top=0.86,
            wspace=0.5,
            hspace=0.55,
        )
        self._ax_act = fig.add_subplot(gs[:, 0])
        self._ax_grad = fig.add_subplot(gs[:, 1])
        self._ax_std = fig.add_subplot(gs[0, 2])
        self._ax_units = fig.add_subplot(gs[1, 2])
        blank = [np.zeros(1)]
        self._act_hist = activation_histograms(
            self._ax_act, blank, max_layers=MAX_DEPTH, color="C0", label="activations $A^{[l]}$"
        )
        self._grad_hist = activation_histograms(
            self._ax_grad,
            blank,
            max_layers=MAX_DEPTH,
            color="C3",
            label="gradients $dJ/dA^{[l]}$",
            ylabel="",
            relative=True,  # gradients scale like s^L: an axis in values moved at every press
        )
        self._stds = std_by_layer(  # no y label: it ran into the tick labels; the title says it
            self._ax_std,
            {"activations": [], "gradients": []},
            colors=["C0", "C3"],
            ylabel="",
            moving_decades=True,  # gradients shift by decades with the scale: no new axis
        )
        self._ax_std.set_title("std per layer", fontsize=9)
        self._units = self._ax_units.imshow(
            np.zeros((EXAMPLES_SHOWN, UNITS_SHOWN)),
            cmap="viridis",
            aspect="auto",
            interpolation="nearest",
        )
        self._ax_units.set_xlabel("unit", fontsize=8)
        self._ax_units.set_ylabel("example", fontsize=8)
        self._ax_units.tick_params(labelsize=8)
        self._ax_units.set_yticks(range(0, EXAMPLES_SHOWN, 5))  # whole examples
        self._units_title = self._ax_units.set_title("", fontsize=9)  # static: follows L
        bar = self.figure.colorbar(self._units, ax=self._ax_units, fraction=0.08, pad=0.03)
        bar.ax.tick_params(labelsize=8)
        self._std_note = self._ax_std.text(
            0.5,
            0.5,
            "",
            transform=self._ax_std.transAxes,
            ha="center",
            va="center",
            fontsize=9,
            color="0.3",
        )
        self._summary = fig.text(0.5, 0.965, "", ha="center", va="top", fontsize=10)
        self.view_agg.set_moving(
            [
                self._act_hist,
                self._grad_hist,
                self._stds,
                self._units,
                self._std_note,
                self._summary,
            ]
        )

    def _draw(self) -> None:
        self._act_hist.update(self.activations, self.activation_std)
        self._grad_hist.update(self.gradients, self.gradient_std)
        self._stds.update({"activations": self.activation_std, "gradients": self.gradient_std})
        last = self.activations[-1][:EXAMPLES_SHOWN, :UNITS_SHOWN]
        self._units.set_data(last)
        self._units.set_clim(*_colour_limits(last))
        L = len(self.activations)
        self._units.set_extent((-0.5, last.shape[1] - 0.5, last.shape[0] - 0.5, -0.5))
        self._units_title.set_text(
            f"layer {L}: first {last.shape[0]} examples × {last.shape[1]} units"
        )
        zero = [
            name
            for name, s in (("activations", self.activation_std), ("gradients", self.gradient_std))
            if np.all(s == 0)
        ]
        self._std_note.set_text(f"std = 0 in every layer:\n{' and '.join(zero)}" if zero else "")
        self._summary.set_text(self._describe())
        self._sync_enabled()

    def _describe(self) -> str:
        """One line saying what the picture shows."""
        c, a = self._config, self.activation_std
        if np.all(self.unit_spread == 0):
            return (
                "every unit of a layer computes the same value (spread across units = 0): "
                "they get the same gradient and stay identical"
            )
        # plain text, no $math$: this line is redrawn on every move (mathtext is slower to draw)
        head = (
            f"{c['init']} (scale {c['scale']:.3g}), {c['activation']}: activations' std {a[0]:.3g}"
        )
        if len(a) == 1:
            return f"{head} in layer 1"
        head = f"{head} in layer 1 → {a[-1]:.3g} in layer {len(a)}"
        if not np.all(np.isfinite(a)):
            return f"{head}: the activations overflow"
        rate = (a[-1] / a[0]) ** (1.0 / (len(a) - 1)) if a[0] > 0 else 0.0
        if c["activation"] in ("tanh", "sigmoid"):
            ends = (-1.0, 1.0) if c["activation"] == "tanh" else (0.0, 1.0)
            last = self.activations[-1]
            saturated = float(np.mean((last < ends[0] + 0.01) | (last > ends[1] - 0.01)))
            if saturated > 0.3:
                return f"{head}: saturated ({saturated:.0%} of the units at the flat ends)"
        trend = (
            "collapsing towards 0"
            if rate < 0.75
            else "exploding"
            if rate > 1.33
            else "roughly constant"
        )
        return f"{head}: {trend} (×{rate:.2f} per layer)"


def _colour_limits(values: np.ndarray) -> tuple[float, float]:
    """The heat map's colour range: (-r, r), or (0, r) for values >= 0, with r the largest
    |value| rounded up to 1, 2 or 5 x 10^k (the colour bar's ticks then move rarely, and
    units that differ by little look alike); (-1, 1) when every value is 0 or none is
    finite."""
    finite = values[np.isfinite(values)]
    top = float(np.abs(finite).max()) if finite.size else 0.0
    if top == 0:
        return -1.0, 1.0
    r = nice_ceil(top, GRID_125)
    return (0.0 if finite.min() >= 0 else -r), r
