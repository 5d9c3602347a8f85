"""Softmax regression (or a one-hidden-layer network) on the 8x8 digits: the
DigitsExplorer (notebook 12).

The data: :func:`dlcourse.datasets.digits_split` (75 % / 25 %, standardised). The model:
``hidden = 0`` is softmax regression, one Dense(64, 10) layer; ``hidden = h > 0`` puts
Dense(64, h) -> ReLU in front. Weights are drawn from ``default_rng(seed)`` (Xavier for the
output layer, He for the hidden one). Training: ``fit`` with Adam(alpha = ``lr``),
mini-batches of 64, L2 ``l2``, ``epochs`` epochs, ``seed=seed``.

:class:`DigitsRun` is :func:`train_digits` in pieces (the dashboard streams it).

Used by: :class:`dlcourse.widgets.DigitsExplorer` (notebook 12).
"""

from __future__ import annotations

import numpy as np

from .._checks import check_int
from ..datasets import digits_split
from ..layers import Dense, Sequential
from ..losses import SoftmaxCrossEntropy
from ..optim import Adam
from ..train import History, fit
from .networks import hidden_layers

__all__ = ["DigitsRun", "digits_model", "train_digits"]


def digits_model(hidden: int = 0, seed: int = 0) -> Sequential:
    """Softmax regression Dense(64, 10) (``hidden = 0``) or Dense(64, h) -> ReLU ->
    Dense(h, 10) (the hidden layer of :func:`~.networks.hidden_layers`, He; the output
    layer Xavier), weights drawn from ``default_rng(seed)``."""
    hidden = check_int("hidden", hidden, minimum=0)
    rng = np.random.default_rng(seed)
    layers = hidden_layers(64, [hidden], "relu", "he", rng=rng) if hidden else []
    return Sequential([*layers, Dense(hidden or 64, 10, init="xavier", rng=rng)])


def train_digits(
    hidden: int = 0, lr: float = 0.01, epochs: int = 20, l2: float = 0.0, seed: int = 0
) -> tuple[Sequential, History]:
    """Train :func:`digits_model` as the module docstring says; returns (model, history)."""
    X_train, X_val, y_train, y_val = digits_split(seed)
    model = digits_model(hidden, seed)
    history = fit(
        model,
        X_train,
        y_train,
        SoftmaxCrossEntropy(),
        Adam(model.parameters(), lr=lr),
        epochs=epochs,
        batch_size=64,
        l2=l2,
        validation=(X_val, y_val),
        seed=seed,
    )
    return model, history


class DigitsRun:
    """:func:`train_digits` in pieces: ``DigitsRun(hidden, lr, l2, seed)``, then ``train(k)``
    as often as wanted; after epochs adding up to E, ``model`` and ``history`` are exactly
    those of ``train_digits(hidden, lr, E, l2, seed)`` (``fit(..., history=h)`` continues
    the run: same Adam state, same data order)."""

    def __init__(self, hidden: int = 0, lr: float = 0.01, l2: float = 0.0, seed: int = 0) -> None:
        self.data = digits_split(seed)
        self.model = digits_model(hidden, seed)
        self.optimizer = Adam(self.model.parameters(), lr=lr)
        self.l2, self.seed = l2, seed
        self.history = History()

    def train(self, epochs: int) -> History:
        """``epochs`` more epochs (none once diverged)."""
        if self.history.diverged is None:
            X_train, X_val, y_train, y_val = self.data
            fit(
                self.model,
                X_train,
                y_train,
                SoftmaxCrossEntropy(),
                self.optimizer,
                epochs=epochs,
                batch_size=64,
                l2=self.l2,
                validation=(X_val, y_val),
                seed=self.seed,
                history=self.history,
            )
        return self.history
