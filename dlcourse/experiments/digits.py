"""Softmax regression (or a one-hidden-layer network) on the 8x8 digits: the
DigitsExplorer (notebook 12), its exercise trained by plain gradient descent, and the
members of notebook 13's ensemble.

The data: :func:`dlcourse.datasets.digits_split` (75 % / 25 %, standardised). The model:
``hidden = 0`` is softmax regression, one Dense(64, 10) layer; ``hidden = h > 0`` puts
Dense(64, h) -> ReLU in front. Weights are drawn from ``default_rng(seed)`` (Xavier for the
output layer, He for the hidden one). Training: ``fit`` with Adam(alpha = ``lr``),
mini-batches of 64, L2 ``l2``, ``epochs`` epochs, ``seed=seed``.

:class:`DigitsRun` is :func:`train_digits` in pieces (the dashboard streams it).

Softmax regression as a function of its weights (notebook 12's exercise), W of shape
(C, n_x), X of shape (m, n_x), labels y, λ = ``reg``, Z = X W^T, P = softmax(Z), Y one-hot:

    J  = (1/m) sum_i -log P[i, y_i] + λ/(2m) sum W^2      (:func:`softmax_regression_loss`)
    dW = (1/m) (P - Y)^T X + (λ/m) W

the cost and L2 term of ``fit(l2=λ)`` on a ``Dense(n_x, C, bias=False)``.
:func:`gradient_descent` trains W with any such ``loss_fn`` (W <- W - α dW, full batch);
:func:`fit_softmax_regression` is the same run through ``fit``.

:func:`train_digit_members` trains notebook 13's ensemble members (Adam 0.01, batches of 64,
one seed each).

Used by: :class:`dlcourse.widgets.DigitsExplorer` (notebook 12), notebooks 12 and 13.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_int
from ..datasets import digits_split
from ..layers import Dense, Sequential
from ..losses import SoftmaxCrossEntropy, log_softmax
from ..optim import SGD, Adam
from ..train import History, fit
from .networks import hidden_layers

__all__ = [
    "DigitsRun",
    "MIXED_SETTINGS",
    "digits_model",
    "fit_softmax_regression",
    "gradient_descent",
    "softmax_regression_loss",
    "train_digit_members",
    "train_digits",
]


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


# ------------------------------------------------------- softmax regression from its weights
def softmax_regression_loss(W, X, y, reg: float) -> tuple[float, np.ndarray]:
    """(J, dW) of softmax regression with L2 (module docstring), vectorised."""
    W, X, y = np.asarray(W, dtype=np.float64), np.asarray(X, dtype=np.float64), np.asarray(y)
    m = len(X)
    log_p = log_softmax(X @ W.T)
    J = -log_p[np.arange(m), y].mean() + reg / (2 * m) * float(np.sum(W * W))
    dZ = np.exp(log_p)
    dZ[np.arange(m), y] -= 1.0
    return float(J), dZ.T @ X / m + (reg / m) * W


def gradient_descent(
    loss_fn, W0, X, y, lr: float, epochs: int, reg: float
) -> tuple[np.ndarray, list[float]]:
    """``epochs`` full-batch steps W <- W - lr * dW from W0 (not changed), with
    ``(J, dW) = loss_fn(W, X, y, reg)``; returns the final W and the cost J of every step
    (taken before its update, as ``fit`` records it)."""
    W, costs = np.array(W0, dtype=np.float64), []
    for _ in range(check_int("epochs", epochs, minimum=1)):
        J, dW = loss_fn(W, X, y, reg)
        dW = np.asarray(dW, dtype=np.float64)
        if dW.shape != W.shape:
            raise ValueError(f"loss_fn returned dW of shape {dW.shape}; W has shape {W.shape}")
        W = W - lr * dW
        costs.append(float(J))
    return W, costs


def fit_softmax_regression(
    W0, X, y, lr: float, epochs: int, reg: float
) -> tuple[Sequential, History]:
    """The run of :func:`gradient_descent` through the package: ``Dense(n_x, C,
    bias=False)`` starting at W0, ``fit`` with SGD(lr), full batch, ``l2=reg``."""
    W0 = np.asarray(W0, dtype=np.float64)
    model = Sequential([Dense(W0.shape[1], W0.shape[0], bias=False)])
    model[0].W.value[...] = W0
    history = fit(
        model, X, y, SoftmaxCrossEntropy(), SGD(model.parameters(), lr), epochs=epochs, l2=reg
    )
    return model, history


# ------------------------------------------------------------------ notebook 13's ensemble
def train_digit_members(
    X, y, seeds=range(5), hidden: int = 16, epochs: int = 15, settings=None
) -> list:
    """Digits networks that differ only in their initial weights and batch order
    (Adam 0.01, batches of 64), as in notebook 13; with ``settings``, a list of
    (hidden units, α) pairs, member k also gets the k-th pair (members with different
    hyperparameters)."""
    from .few_shot import digits_net

    seeds = list(seeds)
    settings = [(hidden, 0.01)] * len(seeds) if settings is None else list(settings)
    if len(settings) != len(seeds):
        raise ValueError(f"settings has {len(settings)} pairs for {len(seeds)} seeds")
    members = []
    for k, (units, lr) in zip(seeds, settings):
        model = digits_net(100 + k, hidden=units, out_scale=1.0)
        fit(
            model,
            X,
            y,
            SoftmaxCrossEntropy(),
            Adam(model.parameters(), lr),
            epochs=epochs,
            batch_size=64,
            seed=k,
        )
        members.append(model)
    return members


#: Five (hidden units, α) pairs for an ensemble whose members differ in their
#: hyperparameters too (notebook 13).
MIXED_SETTINGS = ((8, 0.003), (16, 0.01), (32, 0.03), (64, 0.01), (16, 0.003))
