"""BNExplorer: the same network with and without batch normalization, trained side by side.

The two networks differ only by the batch-norm layers (L hidden layers of n units, ReLU):

    plain:       A^[l] = ReLU(Z^[l]),                   Z^[l] = A^[l-1] W^[l]T + b^[l]
    batch norm:  A^[l] = ReLU(gamma^[l] Z_norm^[l] + beta^[l]),   Z^[l] = A^[l-1] W^[l]T
                 (Z_norm: Z standardised with the mini-batch mean and variance; no b^[l],
                 beta^[l] takes its place)

and a linear output layer with softmax cross-entropy. Both start from the SAME weights,
He initialisation times ``init_scale``,

    W^[l] ~ N(0, 1) * init_scale * sqrt(2 / n^[l-1]),

and see the same mini-batches in the same order, with the same optimizer and learning rate
alpha. ``init_scale`` = 1 is He; below 1 the plain network's signal shrinks by about
init_scale per layer, above 1 it grows by as much, while batch norm rescales every layer's
Z to unit variance whatever W is. The figure shows the training cost per epoch of both
networks (solid: the mini-batch cost while training; dashed: the test-mode cost on all the
data), growing while they train, and the standard deviation of each layer's input A^[l-1]
at initialisation.

The runs are :mod:`dlcourse.experiments.bn_compare` (notebook 11 uses them on their own).
"""

from __future__ import annotations

import math
import time

import numpy as np

from .. import datasets
from ..experiments.bn_compare import Run, bn_mlp, final_accuracy, input_stds, load_data
from ..train import History
from .base import Dashboard
from .settings import Choice, IntRange, LogRange
from .streaming import Streamed

__all__ = ["BNExplorer"]

#: the optimizers offered and their labels, with the course's default hyperparameters
#: (beta = 0.9; Adam 0.9, 0.999)
_CHOICES = {
    "sgd": "gradient descent",
    "momentum": "momentum (β = 0.9)",
    "rmsprop": "RMSProp (β = 0.9)",
    "adam": "Adam (β1 = 0.9, β2 = 0.999)",
}


# ------------------------------------------------------------------ the dashboard
class BNExplorer(Streamed, Dashboard):
    """Plain vs batch-norm network under the same alpha, init scale and optimizer.

    Results after ``update()``: ``histories`` {"plain", "batch norm"} (``dl.History``),
    ``accuracy`` {name: final test-mode accuracy, NaN if diverged}, ``stds`` {name: std of
    each layer's input at initialisation}, ``models`` {name: the trained network}.
    """

    settings = {
        "lr": LogRange(0.3, "α (learning rate)", lo=1e-3, hi=10.0, step=0.25, fmt=".3g"),
        "init_scale": LogRange(1.0, "init scale (× He)", lo=1e-2, hi=10**1.5, step=0.25, fmt=".3g"),
        "optimizer": Choice("sgd", "optimizer", options=_CHOICES, labels=_CHOICES),
        "depth": IntRange(4, "hidden layers", lo=1, hi=8),
        "epochs": IntRange(30, "epochs", lo=5, hi=100, step=5),
        "dataset": Choice("spiral", "data", options=datasets.DATASETS),
        "width": IntRange(32, lo=2, hi=256),
        "batch_size": IntRange(32, lo=1, hi=1000),
        "seed": IntRange(0, lo=0, hi=2**31),
    }
    choice_kw = {"style": {"description_width": "initial"}}
    figsize = (9.5, 3.9)
    note_at = (0.5, 0.985, "top")  # the message above the panels, off the curves
    note_fontsize = 9.5
    NAMES = ("plain", "batch norm")
    COLORS = ("#7f7f7f", "#0877bd")
    COST_CAP = 100.0
    redraw_seconds = 0.25  # while training on screen, the cost curves grow at this period

    def _build_figure(self, fig) -> None:
        from ..plots.training import cost_curves, std_by_layer

        self.ax_cost, self.ax_std = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1]})
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.2, top=0.8, wspace=0.28)
        empty = {name: [] for name in self.NAMES}
        self._cost = cost_curves(self.ax_cost, empty, log_y=True, colors=self.COLORS)
        self.ax_cost.set_ylabel("cost J")
        self._std = std_by_layer(self.ax_std, {name: [] for name in self.NAMES}, colors=self.COLORS)
        self.ax_std.set_xlabel("layer l (input A$^{[l-1]}$)")
        self.ax_std.set_ylabel("std of the layer's input")
        self.ax_std.set_title("signal scale at initialisation", fontsize=10)
        self._acc_text = fig.text(
            0.08, 0.005, "", fontsize=8.5, va="bottom", ha="left", color="0.15"
        )
        self.view_agg.set_moving([self._cost, self._std, self._acc_text, self.ax_cost.title])

    def __init__(self, **config) -> None:
        self._data_cache: dict = {}
        super().__init__(**config)

    def _data(self, dataset: str) -> tuple[np.ndarray, np.ndarray]:
        if dataset not in self._data_cache:  # the data depends on the data set alone
            self._data_cache[dataset] = load_data(dataset, seed=1)
        return self._data_cache[dataset]

    def _compute(self) -> None:
        c = self._config
        X, y = self._data(c["dataset"])
        hidden = (c["width"],) * c["depth"]
        self.histories, self.accuracy, self.stds, self.models = {}, {}, {}, {}
        runs = {}
        for name in self.NAMES:
            model = bn_mlp(
                2,
                int(y.max()) + 1,
                hidden,
                batchnorm=name != "plain",
                init_scale=c["init_scale"],
                seed=c["seed"],
            )
            self.stds[name] = input_stds(model, X)
            runs[name] = Run(
                model, X, y, c["optimizer"], c["lr"], c["batch_size"], c["seed"], validation=(X, y)
            )
            self.histories[name], self.models[name] = runs[name].history, model
        work = (
            self._interleaved(runs, c["epochs"])
            if self._stream.live()
            else self._one_after_the_other(runs, c["epochs"])
        )
        self._stream.run(work, self._finish)

    def _one_after_the_other(self, runs: dict, epochs: int):
        """All epochs of the plain network, then those of the batch-norm one (growing live
        when on screen without streaming)."""
        for name, run in runs.items():
            run.train(epochs, callbacks=[self._live(name)])
            yield

    @staticmethod
    def _interleaved(runs: dict, epochs: int):
        """One epoch of each network at a time: both curves grow together."""
        for _ in range(epochs):
            for run in runs.values():
                run.train(1)
                yield

    def _finish(self) -> None:
        X, y = self._data(self._config["dataset"])
        for name, model in self.models.items():
            self.accuracy[name] = final_accuracy(model, self.histories[name], X, y)
        self.message = self._divergence_message()

    def _live(self, name: str):
        """A ``fit`` callback that redraws the cost curves every ``redraw_seconds`` while
        the dashboard is on screen, so the curves grow during training."""
        last = [time.perf_counter()]

        def grow(history: History) -> None:
            if history.last_event != "epoch" or not getattr(self, "_displayed", False):
                return
            now = time.perf_counter()
            if now - last[0] >= self.redraw_seconds:
                last[0] = now
                self._cost.update({**self.histories, name: history})
                self.redraw()

        return grow

    def _divergence_message(self) -> str:
        """Which network failed and how: NaN/inf (diverged) or a cost above COST_CAP."""
        lr, scale = self._config["lr"], self._config["init_scale"]
        notes = []
        for name, h in self.histories.items():
            if h.diverged is not None:
                notes.append(
                    f"{name} network diverged at epoch {h.diverged.epoch + 1}, "
                    f"step {h.diverged.step}"
                )
            elif h.loss and max(h.loss) > self.COST_CAP:
                epoch = int(np.argmax(h.loss))
                notes.append(
                    f"{name} network: the cost exploded to {h.loss[epoch]:.2g} in epoch {epoch + 1}"
                )
        if not notes:
            return ""
        return "; ".join(notes) + f": α = {lr:.3g} with init scale {scale:.3g} is too large for it"

    def accuracy_text(self) -> str:
        """'final accuracy: plain 0.99, batch norm 0.98' (or 'diverged')."""
        parts = [
            f"{name} " + ("diverged" if math.isnan(acc) else f"{acc:.2f}")
            for name, acc in self.accuracy.items()
        ]
        return "final accuracy: " + ", ".join(parts)

    def _legend(self) -> None:
        """Solid: mini-batch cost while training; dashed: test-mode cost on all the data.
        Made once: a new legend artist on every draw would force a full redraw."""
        from matplotlib.lines import Line2D

        if self.ax_cost.get_legend() is not None and self.ax_cost.get_legend() is getattr(
            self, "_legend_artist", None
        ):
            return
        handles = [
            Line2D([], [], color=color, lw=1.8, label=name)
            for name, color in zip(self.NAMES, self.COLORS)
        ]
        handles += [
            Line2D([], [], color="0.3", lw=1.2, label="training (mini-batches)"),
            Line2D([], [], color="0.3", lw=1.2, ls="--", label="test mode, all data"),
        ]
        self._legend_artist = self.ax_cost.legend(
            handles=handles, loc="upper right", fontsize=7, frameon=False, ncol=2
        )

    def _draw(self) -> None:
        self._cost.length = self._config["epochs"]  # the x axis is set for the whole run
        self._cost.hold = self._stream.incomplete  # the axes stay put while it streams
        self._cost.update({name: self.histories[name] for name in self.NAMES})
        self._std.update(self.stds)
        low, high = self.ax_cost.get_ylim()
        if high > self.COST_CAP:  # an exploding plain network would squash the other curve
            self.ax_cost.set_ylim(min(low, self.COST_CAP / 10), self.COST_CAP)
        head = (
            self.accuracy_text()
            if len(self.accuracy) == len(self.NAMES)
            else f"training… epoch {self.histories['batch norm'].epochs} of "
            f"{self._config['epochs']}"
        )
        self._acc_text.set_text(
            head + (f"  (costs above {self.COST_CAP:g} cut off)" if high > self.COST_CAP else "")
        )
        self._legend()
        c = self._config
        self.ax_cost.set_title(
            f"{_CHOICES[c['optimizer']].split(' (')[0]}, α = {c['lr']:.3g}, "
            f"init scale {c['init_scale']:.3g}",
            fontsize=10,
        )
