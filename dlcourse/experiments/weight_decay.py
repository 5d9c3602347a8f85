"""Over-fitting and L2 on noisy moons (notebook 05): the big network, the costs without the
penalty recorded during training, and the lambda sweep from under- to over-regularization."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

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
    "RegularizedRun",
    "train_with_functions",
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


@dataclass
class RegularizedRun:
    """Data costs (no L2 term) at test time after training, and the trained model."""

    train_cost: float
    val_cost: float
    model: Sequential

    @property
    def gap(self) -> float:
        """J_val - J_train: the over-fitting left."""
        return self.val_cost - self.train_cost


def _forward(hidden: list, out_layer, X, keep_prob: float, dropout_forward, rngs):
    """Z^[l] = A^[l-1] W^T + b, A^[l] = ReLU(Z^[l]), then A^[l], D^[l] = dropout_forward(
    A^[l], keep_prob, rng_l) on every hidden layer when keep_prob < 1; returns the logits and
    the masks."""
    A, masks = X, []
    for (dense, relu), rng in zip(hidden, rngs):
        A = relu.forward(dense.forward(A))
        if keep_prob < 1:
            A, D = dropout_forward(A, keep_prob, rng)
            masks.append(D)
    return out_layer.forward(A), masks


def _backward(hidden: list, out_layer, dlogits, masks: list, keep_prob: float, dropout_backward):
    """The chain rule back through the layers: dA^[l] = dropout_backward(dA^[l], D^[l],
    keep_prob) before each ReLU's backward when the forward pass dropped."""
    dA = out_layer.backward(dlogits)
    for k in range(len(hidden) - 1, -1, -1):
        dense, relu = hidden[k]
        if keep_prob < 1:
            dA = dropout_backward(dA, masks[k], keep_prob)
        dA = dense.backward(relu.backward(dA))
    return dA


def train_with_functions(
    fns: dict[str, Callable],
    lambd: float = 0.0,
    keep_prob: float = 1.0,
    seed: int = 0,
    epochs: int = 600,
) -> RegularizedRun:
    """The notebook's big network (``make_net(seed=seed)``) trained on the 80 moons by
    full-batch Adam (lr 0.01) with the functions ``fns["l2_cost"]``, ``fns["l2_gradient"]``,
    ``fns["dropout_forward"]`` and ``fns["dropout_backward"]`` in its passes:

        forward    A^[l], D^[l] = dropout_forward(ReLU(Z^[l]), keep_prob, rng_l)
        cost       J = CE(Z^[L], y) + l2_cost([W^[1], ..., W^[L]], lambd, m)
        backward   dA^[l] <- dropout_backward(dA^[l], D^[l], keep_prob) before ReLU's backward
                   [dW^[l]] <- l2_gradient([W^[l]], [dW^[l]], lambd, m)

    Dropout only when keep_prob < 1, L2 only when lambd > 0. Hidden layer l (from 0) draws its
    masks from default_rng(seed + 10 + l), as ``make_net(dropout=1 - keep_prob)`` does, so
    the reference functions retrace ``fit(l2=lambd)`` on that network."""
    X_tr, y_tr, X_va, y_va = moons_split()
    model, loss, m = make_net(seed=seed), SoftmaxCrossEntropy(), len(X_tr)
    layers = model.layers_list
    hidden = [(layers[i], layers[i + 1]) for i in range(0, len(layers) - 1, 2)]
    dense = [layer for layer in layers if isinstance(layer, Dense)]
    rngs = [np.random.default_rng(seed + 10 + k) for k in range(len(hidden))]
    adam = Adam(model.parameters(), lr=0.01)
    for _ in range(epochs):
        adam.zero_grad()
        logits, masks = _forward(hidden, layers[-1], X_tr, keep_prob, fns["dropout_forward"], rngs)
        cost = loss.forward(logits, y_tr)
        if lambd > 0:
            cost += fns["l2_cost"]([d.W.value for d in dense], lambd, m)
        _backward(hidden, layers[-1], loss.backward(), masks, keep_prob, fns["dropout_backward"])
        if lambd > 0:
            full = fns["l2_gradient"](
                [d.W.value for d in dense], [d.W.grad for d in dense], lambd, m
            )
            for d, g in zip(dense, full):
                d.W.grad = np.asarray(g, dtype=np.float64)
        adam.step()
    j_tr, j_va = evaluate(model, X_tr, y_tr, loss)[0], evaluate(model, X_va, y_va, loss)[0]
    return RegularizedRun(j_tr, j_va, model)
