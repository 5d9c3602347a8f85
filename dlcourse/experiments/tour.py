"""The tour's experiments (notebook 00): raising the learning rate mid-run, against a control.

:func:`raise_lr_run` is the TrainingDashboard's run (``make_data``, ``playground_network``,
Adam, batches of 32, epoch seeds from :class:`~.training_runs.EpochSeeds`) on the moons with
one hidden layer: ``first_epochs`` at ``lr``, then ``more_epochs`` at ``new_lr``. The control
is the same call with ``new_lr = lr``: the same network, data and batches, only the step size
of the last epochs differs.

:func:`own_steps_vs_fit` trains the tour's network (moons, Dense(2, 16), ReLU, Dense(16, 2),
softmax cross-entropy) twice from the same weights, with full-batch gradient descent at one
learning rate: once by a ``training_step(W1, b1, W2, b2, X, y, lr) -> (J, W1, b1, W2, b2)``
function (the learner's, in the exercise) and once by ``dl.fit`` with ``optim.SGD``.

Used by: notebook 00 (the question Q_RAISE_LR, the exercise's training run) and
tests/test_claims_start_here.py.
"""

from __future__ import annotations

import numpy as np

from typing import Callable, NamedTuple

from .. import optim
from ..activations import ReLU
from ..datasets import moons, train_val_split
from ..layers import Dense, Sequential
from ..losses import BinaryCrossEntropy, SoftmaxCrossEntropy
from ..train import History, fit
from .training_runs import EpochSeeds, make_data, playground_network

__all__ = ["OwnRun", "own_steps_vs_fit", "raise_lr_run", "tour_data", "tour_network"]


def raise_lr_run(
    seed: int,
    new_lr: float,
    lr: float = 0.01,
    width: int = 8,
    first_epochs: int = 100,
    more_epochs: int = 50,
) -> tuple[float, float]:
    """Training cost ``(J after first_epochs, J after first_epochs + more_epochs)`` of the
    dashboard's default run (moons, noise 0.2, 300 examples, 30 % validation, one tanh layer
    of ``width`` units, Xavier, Adam) when the learning rate goes from ``lr`` to ``new_lr``."""
    X_train, X_val, y_train, y_val = make_data("moons", 300, 0.2, 0.3, seed)
    model = playground_network(
        2, 1, 1, width, "tanh", "xavier", rng=np.random.default_rng(seed + 2)
    )
    opt = optim.create("adam", model.parameters(), lr, 0.9, 0.9, 0.999)
    history, loss = History(), BinaryCrossEntropy()
    for epochs in (first_epochs, more_epochs):
        fit(
            model,
            X_train,
            y_train,
            loss,
            opt,
            epochs=epochs,
            batch_size=32,
            validation=(X_val, y_val),
            history=history,
            callbacks=[EpochSeeds(seed)],
        )
        opt.lr = new_lr
    return float(history.loss[first_epochs - 1]), float(history.loss[-1])


def tour_data(seed: int = 0) -> tuple[np.ndarray, ...]:
    """The tour's moons (300 examples, noise 0.2; draw ``seed``), split 75/25 with
    ``seed + 1``: (X_train, X_val, y_train, y_val). Seed 0 is notebook 00's data."""
    X, y = moons(n=300, noise=0.2, rng=seed)
    return train_val_split(X, y, val_fraction=0.25, rng=seed + 1)


def tour_network(seed: int = 0) -> Sequential:
    """The tour's network, Dense(2, 16, He; rng ``seed``), ReLU, Dense(16, 2, He; rng
    ``seed + 1``). Seed 0 is notebook 00's model before training."""
    return Sequential([Dense(2, 16, init="he", rng=seed), ReLU(), Dense(16, 2, rng=seed + 1)])


class OwnRun(NamedTuple):
    """Costs per epoch (J before each step) and validation accuracies of the two runs."""

    own_loss: np.ndarray
    fit_loss: np.ndarray
    own_val_accuracy: float
    fit_val_accuracy: float


def own_steps_vs_fit(
    training_step: Callable, epochs: int = 300, lr: float = 0.5, seed: int = 0
) -> OwnRun:
    """``epochs`` full-batch steps of ``training_step`` from the tour network's weights, and
    the same training by ``fit`` with ``optim.SGD(lr)`` (batch_size=None)."""
    X_train, X_val, y_train, y_val = tour_data(seed)
    model, loss = tour_network(seed), SoftmaxCrossEntropy()
    weights = [p.value.copy() for p in model.parameters()]
    own = []
    for _ in range(epochs):
        J, *weights = training_step(*weights, X_train, y_train, lr)
        own.append(float(J))
    trained = tour_network(seed)
    for p, value in zip(trained.parameters(), weights):
        p.value[...] = value
    history = fit(model, X_train, y_train, loss, optim.SGD(model.parameters(), lr), epochs=epochs)
    return OwnRun(
        np.array(own),
        np.array(history.loss),
        loss.accuracy(trained.forward(X_val, training=False), y_val),
        loss.accuracy(model.forward(X_val, training=False), y_val),
    )
