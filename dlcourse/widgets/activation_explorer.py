r"""ActivationExplorer: pick an activation and watch pre-activations and gradients flow through
a deep network (notebook 02).

The network is ``depth`` hidden layers of ``width`` units, each Dense then the chosen g,
and a Dense output with softmax cross-entropy, on the standardised "flower" data. Weights
are drawn with the chosen rule (xavier: std sqrt(1/n^[l-1]); he: std sqrt(2/n^[l-1]))
times ``scale``; every hidden bias starts at ``bias``. ONE forward and backward pass gives,
for each hidden layer l = 1..depth:

- Z^[l] = A^[l-1] W^[l]T + b^[l], the pre-activations (histogram: where on g they fall);
- g'(Z^[l]), read from the activation's own backward pass with an upstream gradient of 1;
  ``mean_derivative[l]`` is its mean. For sigmoid it is at most 1/4, so through L layers
  the backward signal shrinks by at least 4^L: saturation kills gradients;
- ``grad_norm[l]`` = ||dW^[l]||_F, the size of the update each layer would get, and
  ``grad_rms[l]`` = ||dW^[l]||_F / sqrt(its number of entries), the same per entry: what the
  right panel plots, since layer 1 has fewer entries than the others;
- ``dead_fraction[l]``: the share of units whose g'(z) is exactly 0 on every example
  (a dead ReLU: z <= 0 everywhere, so it never learns again).

:func:`~dlcourse.experiments.activation_stats.network_statistics` is the pure computation
(no widgets); the dashboard draws it.
"""

from __future__ import annotations


import numpy as np

from ..experiments.activation_stats import (
    ACTIVATION_NAMES,
    INIT_NAMES,
    activation_curves,
    network_statistics,
)
from ..plots.training import activation_histograms, std_by_layer
from .base import Dashboard
from .settings import Choice, IntRange, LogRange, Range

__all__ = ["ActivationExplorer"]

MAX_DEPTH = 20


class ActivationExplorer(Dashboard):
    """g and g' (left), histograms of Z^[l] per layer (middle), the RMS of dW^[l] (per entry:
    layer 1 has n^[0] x width entries, the others width^2) and mean g'(Z^[l]) per layer
    (right). Results: ``stats`` (:class:`NetworkStatistics`)."""

    settings = {
        "activation": Choice("sigmoid", "activation g", options=ACTIVATION_NAMES),
        "depth": IntRange(8, "hidden layers", lo=1, hi=MAX_DEPTH),
        "init": Choice("xavier", "init", options=INIT_NAMES),
        "scale": LogRange(1.0, "weight scale ×", lo=0.1, hi=10.0, step=0.05, fmt=".2f"),
        "bias": Range(0.0, "initial bias b", lo=-3.0, hi=3.0, step=0.1, fmt=".1f"),
    }
    figsize = (11.0, 3.9)
    width = 32

    # ------------------------------------------------------------------ figure
    def _build_figure(self, fig) -> None:
        self.ax_g, self.ax_hist, self.ax_flow = fig.subplots(
            1, 3, gridspec_kw={"width_ratios": [1, 1.1, 1.1]}
        )
        fig.subplots_adjust(left=0.05, right=0.97, bottom=0.15, top=0.86, wspace=0.38)
        self._z = np.linspace(-6, 6, 301)
        (self._g_line,) = self.ax_g.plot([], [], lw=2, color="C0", label="g(z)")
        (self._d_line,) = self.ax_g.plot([], [], lw=2, ls="--", color="C3", label="g'(z)")
        self.ax_g.axhline(0, color="0.7", lw=0.8)
        self.ax_g.set_xlim(-6, 6)
        self.ax_g.set_xlabel("z")
        self.ax_g.legend(fontsize=9, loc="upper left")
        self._hist = activation_histograms(
            self.ax_hist,
            [np.zeros(1)],
            bins=40,
            max_layers=MAX_DEPTH,
            color="C0",
            label="pre-activations $Z^{[l]}$",
        )
        self.ax_hist.set_xlabel("z")
        self._flow = std_by_layer(
            self.ax_flow,
            {"RMS of dW (per entry)": [], "mean g'(Z)": []},
            colors=["C3", "C2"],
            ylabel="",
            moving_decades=True,  # the gradients shift by decades with the scale
        )
        self.ax_flow.set_title("gradient flow, layer 1 = input side", fontsize=10)
        self.ax_g.set_title("", fontsize=10)
        self.ax_hist.set_title("pre-activations $Z^{[l]}$ per layer", fontsize=10)
        self._dead = self.ax_hist.text(  # a short readout under the axis: the title is static
            1.0, -0.09, "", transform=self.ax_hist.transAxes, ha="right", va="top", fontsize=9
        )
        # the titles change with the activation alone (a full draw then: g's limits move)
        self.view_agg.set_moving([self._g_line, self._d_line, self._hist, self._flow, self._dead])

    # ------------------------------------------------------------------ compute
    def _compute(self) -> None:
        c = self._config
        self.stats = network_statistics(
            c["activation"], c["depth"], self.width, c["init"], c["scale"], c["bias"]
        )
        dead = self.stats.dead_fraction
        if not np.all(np.isfinite(self.stats.grad_norm)):
            self.message = "the gradients overflowed: lower the weight scale"
        elif np.any(dead >= 1.0):
            zero = int(np.sum(self.stats.grad_norm == 0))
            self.message = (
                f"every unit of layer {int(np.argmax(dead >= 1.0)) + 1} is dead "
                f"(g'(z) = 0 on every example): {zero} of {c['depth']} hidden "
                f"layers get a zero gradient and cannot learn"
            )

    # ------------------------------------------------------------------ draw
    def _draw(self) -> None:
        c, s = self._config, self.stats
        g, d = activation_curves(c["activation"], self._z)
        self._g_line.set_data(self._z, g)
        self._d_line.set_data(self._z, d)
        lo, hi = float(min(g.min(), d.min())), float(max(g.max(), d.max()))
        self.ax_g.set_ylim(lo - 0.1 * (hi - lo) - 0.05, hi + 0.1 * (hi - lo) + 0.05)
        self.ax_g.title.set_text(f"{c['activation']} and its derivative")  # stale if new
        self._hist.update(s.Z)
        with np.errstate(invalid="ignore"):
            self._flow.update(
                {
                    "RMS of dW (per entry)": s.grad_rms,  # layer 1 has fewer entries
                    "mean g'(Z)": np.where(s.mean_derivative > 0, s.mean_derivative, np.nan),
                }
            )
        dead = float(np.mean(s.dead_fraction))  # only a ReLU's g' is 0 on a whole side
        self._dead.set_text(f"dead units {dead:.0%}" if c["activation"] == "relu" else "")
