"""Over-fitting and L2 on noisy moons (notebook 05): the big network, the costs without the
penalty recorded during training, and the lambda sweep from under- to over-regularization."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from .. import datasets
from ..layers import Dense, Dropout, Sequential
from ..activations import ReLU
from ..losses import SoftmaxCrossEntropy
from ..optim import Adam
from ..train import Callback, evaluate, fit

__all__ = [
    "moons_split",
    "make_net",
    "DataCosts",
    "train_net",
    "SweepRow",
    "lambda_sweep",
    "weight_norm",
    "final_gap",
]


def moons_split(n_train: int = 80, n_val: int = 500, noise: float = 0.3):
    """The notebook's data: 80 noisy moons to train on, 500 to validate on."""
    X_tr, y_tr = datasets.moons(n_train, noise=noise, rng=10)
    X_va, y_va = datasets.moons(n_val, noise=noise, rng=11)
    return X_tr, y_tr, X_va, y_va


def make_net(hidden: Sequence[int] = (50, 50), dropout: float = 0.0, seed: int = 0) -> Sequential:
    """Dense -> ReLU [-> Dropout] per hidden layer, then Dense to 2 classes."""
    rng, layers, n_in = np.random.default_rng(seed), [], 2
    for k, width in enumerate(hidden):
        layers += [Dense(n_in, width, rng=rng), ReLU()]
        if dropout > 0:
            layers.append(Dropout(dropout, rng=seed + 10 + k))
        n_in = width
    return Sequential(layers + [Dense(n_in, 2, rng=rng)])


class DataCosts(Callback):
    """Records, after every epoch and at test time, the data cost (no L2 term) on the
    training and the validation set, so both curves carry the same (zero) penalty."""

    def __init__(self, X_tr, y_tr, X_va, y_va) -> None:
        self.data = (X_tr, y_tr, X_va, y_va)
        self.train: list[float] = []
        self.val: list[float] = []

    def on_train_begin(self, ctx) -> None:
        self.train, self.val = [], []

    def on_epoch_end(self, ctx) -> None:
        X_tr, y_tr, X_va, y_va = self.data
        loss = SoftmaxCrossEntropy()
        self.train.append(evaluate(ctx.model, X_tr, y_tr, loss)[0])
        self.val.append(evaluate(ctx.model, X_va, y_va, loss)[0])


def train_net(model, X, y, X_va, y_va, epochs: int = 600, l2: float = 0.0, callbacks=()):
    """Full-batch Adam (lr 0.01), validated on (X_va, y_va): the notebook's training."""
    adam = Adam(model.parameters(), lr=0.01)
    return fit(
        model,
        X,
        y,
        loss=SoftmaxCrossEntropy(),
        optimizer=adam,
        epochs=epochs,
        l2=l2,
        validation=(X_va, y_va),
        callbacks=list(callbacks),
    )


def final_gap(seed: int = 0, l2: float = 0.0, dropout: float = 0.0, epochs: int = 600) -> float:
    """J_val - J_train, both data costs at test time, of ``make_net(dropout=dropout,
    seed=seed)`` after the notebook's training (full-batch Adam, lr 0.01, ``l2``)."""
    X_tr, y_tr, X_va, y_va = moons_split()
    model, loss = make_net(dropout=dropout, seed=seed), SoftmaxCrossEntropy()
    adam = Adam(model.parameters(), lr=0.01)
    fit(model, X_tr, y_tr, loss=loss, optimizer=adam, epochs=epochs, l2=l2)
    return evaluate(model, X_va, y_va, loss)[0] - evaluate(model, X_tr, y_tr, loss)[0]


def weight_norm(model) -> float:
    """sqrt of the sum of squares of every weight matrix (biases left out)."""
    return float(
        np.sqrt(
            sum(np.sum(layer.W.value**2) for layer in model.layers() if isinstance(layer, Dense))
        )
    )


@dataclass
class SweepRow:
    lam: float
    train_cost: float
    val_cost: float
    train_acc: float
    val_acc: float
    norm: float
    extra: dict = field(default_factory=dict)


def lambda_sweep(
    lambdas: Sequence[float] = (0.0, 0.1, 1.0, 10.0, 30.0), seed: int = 0, epochs: int = 600
) -> list[SweepRow]:
    """Train the big network once per lambda; costs are data costs (no L2 term)."""
    X_tr, y_tr, X_va, y_va = moons_split()
    loss, rows = SoftmaxCrossEntropy(), []
    for lam in lambdas:
        model = make_net(seed=seed)
        fit(
            model,
            X_tr,
            y_tr,
            loss=loss,
            optimizer=Adam(model.parameters(), lr=0.01),
            epochs=epochs,
            l2=lam,
        )
        j_tr, a_tr = evaluate(model, X_tr, y_tr, loss)
        j_va, a_va = evaluate(model, X_va, y_va, loss)
        rows.append(SweepRow(lam, j_tr, j_va, a_tr, a_va, weight_norm(model)))
    return rows
