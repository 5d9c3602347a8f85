r"""Reading a run's loss curve and the cheap sanity checks of CS231n's "babysitting".

:func:`diagnose_run` reads a loss curve L_0 .. L_T of a C-class softmax classifier, rules in
this order: ``"diverged"`` (a NaN or inf), ``"rising"`` (L_T > L_0), ``"flat"``
(L_0 - L_T < 0.01 |L_0|), ``"chance"`` (the loss fell but ends within 5 % of log C: the
network predicts 1/C for every class, i.e. it learned nothing beyond the class
frequencies), else ``"ok"``. The chance rule is what the plain "it goes down" reading misses.

:func:`regularized_initial_loss` and :func:`update_ratios` are two more checks: adding
L2 regularization must raise the loss at initialization, and one update should change
each weight matrix by a small fraction of its size (about 1e-3 is the usual rule of thumb).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..layers import Dense

__all__ = ["diagnose_run", "regularized_initial_loss", "update_ratios"]


def diagnose_run(
    losses: Sequence[float], n_classes: int, flat_tol: float = 0.01, chance_tol: float = 0.05
) -> str:
    """'diverged', 'rising', 'flat', 'chance' or 'ok' (rules in the module docstring)."""
    losses = np.asarray(losses, dtype=np.float64)
    if losses.ndim != 1 or losses.size < 2:
        raise ValueError(f"losses must be a curve of at least 2 values, got shape {losses.shape}")
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes!r}")
    if not np.all(np.isfinite(losses)):
        return "diverged"
    first, last = losses[0], losses[-1]
    if last > first:
        return "rising"
    if first - last < flat_tol * abs(first):
        return "flat"
    if abs(last - math.log(n_classes)) < chance_tol * math.log(n_classes):
        return "chance"
    return "ok"


def _weights(model) -> list:
    return [layer.W for layer in model.layers() if isinstance(layer, Dense)]


def regularized_initial_loss(model, loss, X, y, l2: float) -> float:
    """J = loss(model(X), y) + l2 / (2m) sum ||W||^2 at the model's current weights."""
    J = float(loss(model.forward(X, training=False), y))
    return J + l2 / (2 * len(X)) * sum(float(np.sum(W.value**2)) for W in _weights(model))


def update_ratios(model, loss, X, y, lr: float) -> np.ndarray:
    """||lr * dJ/dW|| / ||W|| for each Dense layer, for one plain gradient step on (X, y);
    the model is left unchanged."""
    for p in model.parameters():
        p.zero_grad()
    out = model.forward(X, training=True)
    loss(out, y)
    model.backward(loss.backward())
    ratios = [lr * np.linalg.norm(W.grad) / np.linalg.norm(W.value) for W in _weights(model)]
    for p in model.parameters():
        p.zero_grad()
    return np.array(ratios)
