"""A false alarm of gradient checking at a ReLU kink (notebook 06): a correct ReLU network
whose one pre-activation sits closer to 0 than epsilon."""

from __future__ import annotations

import numpy as np

from ..activations import ReLU
from ..gradcheck import gradcheck_report
from ..layers import Dense, Sequential
from ..losses import SoftmaxCrossEntropy

__all__ = ["kink_problem", "kink_report"]


def kink_problem(distance: float, seed: int = 0):
    """(model, X, y): a 4-5-3 ReLU network on 8 examples, with the bias of hidden unit 0 set
    so that its pre-activation on example 0 is exactly ``distance`` above 0."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((8, 4))
    y = rng.integers(0, 3, size=8)
    first = Dense(4, 5, rng=rng)
    model = Sequential([first, ReLU(), Dense(5, 3, rng=rng)])
    first.b.value[0] = distance - float(X[0] @ first.W.value[0])
    others = X[1:] @ first.W.value[0] + first.b.value[0]  # keep the other examples far away
    if np.min(np.abs(others)) < 1e-3:
        raise ValueError("kink_problem: another example sits near the kink; pick another seed")
    return model, X, y


def kink_report(distance: float, eps: float = 1e-6, seed: int = 0) -> dict:
    """The per-parameter relative errors of the check, keyed "0.W", "0.b", ..."""
    model, X, y = kink_problem(distance, seed)
    return gradcheck_report(model, SoftmaxCrossEntropy(), X, y, eps=eps)
