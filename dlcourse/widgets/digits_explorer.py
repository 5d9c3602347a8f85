"""DigitsExplorer: softmax regression (or a one-hidden-layer network) on the handwritten
digits, with the confusion matrix of the validation set.

The data: the 8x8 digits (1797 images, C = 10) split 75 % / 25 % by
``train_val_split(X, y, 0.25, rng=seed)`` and standardised with the training statistics.
The model: ``hidden = 0`` is softmax regression, one Dense(64, 10) layer, Z = X W^T + b and
p = softmax(Z); ``hidden = h > 0`` puts Dense(64, h) -> ReLU in front. Weights are drawn
from ``default_rng(seed)`` (Xavier for the output layer, He for the hidden one). Training:
``dl.fit`` with Adam(alpha = ``lr``), mini-batches of 64, L2 ``l2``, ``epochs`` epochs,
``seed=seed``. The confusion matrix M[i, j] counts the validation images of digit i that the
model calls j (``normalize``: each row divided by its total, so the diagonal is each
digit's recall).
"""

from __future__ import annotations


import numpy as np
from matplotlib.figure import Figure

from ..datasets import digits_split
from ..experiments.digits import DigitsRun
from ..metrics import confusion_counts
from ..plots.training import confusion_matrix, cost_curves
from ..train import History
from .base import Dashboard
from .settings import Flag, IntRange, LogRange, Select
from .streaming import Streamed

__all__ = ["DigitsExplorer"]

HIDDEN_CHOICES = (0, 8, 16, 32, 64)
L2_CHOICES = (0.0, 0.1, 1.0, 3.0, 10.0, 30.0)
LR_RANGE = (1e-4, 1.0)
EPOCHS_RANGE = (1, 60)


class DigitsExplorer(Streamed, Dashboard):
    """Train on the digits and see which digits get confused with which.

    Results: ``model``, ``history``, ``predictions`` (validation labels predicted),
    ``confusion`` (the counts M, 10 x 10), ``val_accuracy`` (a float), ``y_val``.
    """

    settings = {
        "hidden": Select(0, "hidden units", values=HIDDEN_CHOICES),
        "lr": LogRange(0.01, "α (lr)", lo=LR_RANGE[0], hi=LR_RANGE[1], step=0.1, fmt=".2g"),
        "epochs": IntRange(20, "epochs", lo=EPOCHS_RANGE[0], hi=EPOCHS_RANGE[1]),
        "l2": Select(0.0, "L2 λ", values=L2_CHOICES),
        "normalize": Flag(False, "rows as fractions"),
        "seed": IntRange(0, lo=0),
    }
    figsize = (10.0, 4.2)
    slider_kw = {"layout": {"width": "300px"}, "style": {"description_width": "90px"}}

    def __init__(self, **config) -> None:
        self._complete, self._run_message = False, ""
        super().__init__(**config)

    def _control_changed(self, name: str) -> None:
        if name == "normalize" and self._complete:
            self._draw()  # rows as fractions: the same predictions, drawn again
            self.message = self._run_message
            return
        super()._control_changed(name)  # streamed when on screen (Streamed)

    def _show_message(self) -> None:
        self._run_message = self.message  # kept for a redraw that does not recompute
        super()._show_message()

    def _compute(self) -> None:
        c = self._config
        self._complete = False
        self.model, self.history = None, History()
        run = DigitsRun(c["hidden"], float(c["lr"]), float(c["l2"]), c["seed"])
        self.model, self.history = run.model, run.history
        _, _, _, self.y_val = run.data
        step = 1 if self._stream.live() else c["epochs"]  # streamed: epoch by epoch
        self._stream.run(self._epochs(run, c["epochs"], step), self._evaluate)

    def _epochs(self, run: DigitsRun, epochs: int, step: int):
        """The training: epoch by epoch (the confusion matrix of each epoch's model shown)
        when streamed, in one ``fit`` call otherwise."""
        for _ in range(0, epochs, step):
            with np.errstate(all="ignore"):
                run.train(step)
            if step < epochs:
                self._evaluate(strict=False)
            yield

    def _evaluate(self, strict: bool = True) -> None:
        """Predictions, confusion counts and accuracy of the model on the validation set;
        a NaN/inf output raises (``strict``) or leaves the last ones in place."""
        _, X_val, _, _ = digits_split(self._config["seed"])
        with np.errstate(all="ignore"):
            logits = self.model.forward(X_val, training=False)
        if not np.all(np.isfinite(logits)):
            if not strict:
                return
            raise FloatingPointError(
                f"the network output became NaN/inf: α = {self._config['lr']:.2g} is too large"
            )
        self.predictions = logits.argmax(axis=1)
        self.confusion = confusion_counts(self.y_val, self.predictions, 10)
        self.val_accuracy = float(np.mean(self.predictions == self.y_val))
        self._complete = strict

    def _build_figure(self, fig: Figure) -> None:
        self.ax_cm = fig.add_axes([0.06, 0.13, 0.4, 0.76])
        self.ax_cost = fig.add_axes([0.57, 0.13, 0.4, 0.76])
        X_train, _, y_train, y_val = digits_split(self._config["seed"])
        self.cm = confusion_matrix(self.ax_cm, y_val, y_val, normalize=self._config["normalize"])
        self.cm_title = self.ax_cm.set_title("", fontsize=10)
        self.curves = cost_curves(
            self.ax_cost, {"loss": [], "val_loss": []}, log_y=True, ylabel="cost J (cross-entropy)"
        )
        self.cost_title = self.ax_cost.set_title("", fontsize=10)
        self.view_agg.set_moving([self.cm, self.cm_title, self.curves, self.cost_title])

    def _draw(self) -> None:
        c = self._config
        self.cm.normalize = bool(c["normalize"])
        self.cm.update(self.y_val, self.predictions)
        model = "softmax regression" if c["hidden"] == 0 else f"{c['hidden']} hidden ReLU units"
        self.cm_title.set_text(f"validation: {self.val_accuracy:.1%} correct ({model})")
        self.curves.length = c["epochs"]  # the x axis is set for the whole run
        self.curves.hold = self._stream.incomplete  # the axes stay put while it streams
        self.curves.update(self.history)
        self.cost_title.set_text(f"cost per epoch (Adam, α = {c['lr']:.2g}, λ = {c['l2']:g})")
