r"""Saturation measured (notebook 02): how many units sit where g'(z) < 0.01, and what that
does to their weight gradients.

One hidden layer of ``width`` tanh (or sigmoid) units on the flower data, its weights drawn
Xavier times ``scale``: a larger scale pushes the pre-activations into the flat tails. The
gradient of a hidden unit's incoming weights is
:math:`dW_j = \sum_i dZ_{ij} x_i` with :math:`dZ_{ij} = dA_{ij}\, g'(z_{ij})`, so a unit with
:math:`g' \approx 0` on every example gets :math:`dW_j \approx 0` whatever arrives from above.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import datasets
from .._checks import check_choice, check_int, check_positive
from ..activations import get_activation
from ..layers import Dense, Sequential
from ..losses import SoftmaxCrossEntropy

__all__ = ["SaturationStats", "flower_standardized", "saturation_stats", "SATURATED"]

SATURATED = 0.01  # g'(z) below this counts as saturated


def flower_standardized(n: int = 256, rng=0) -> tuple[np.ndarray, np.ndarray]:
    """The two-class flower data, standardized (seeded)."""
    X, y = datasets.flower(n=n, rng=rng)
    return datasets.standardize(X)[0], y


@dataclass(frozen=True)
class SaturationStats:
    """For one scale: the fraction of (example, unit) pairs with g' < 0.01, the mean g', the
    norm of dW of the hidden layer, the per-unit fraction of saturated examples and the
    per-unit norm of dW's row."""

    scale: float
    saturated_fraction: float
    mean_derivative: float
    grad_norm: float
    unit_saturation: np.ndarray
    unit_grad: np.ndarray


def saturation_stats(
    activation: str = "tanh", scale: float = 1.0, width: int = 32, seed: int = 0
) -> SaturationStats:
    """One forward and backward pass of Dense(2, width) -> g -> Dense(width, 2), the hidden
    weights Xavier times ``scale``."""
    check_choice("activation", activation, ("tanh", "sigmoid"))
    scale = check_positive("scale", scale)
    width = check_int("width", width, minimum=1)
    X, y = flower_standardized()
    rng = np.random.default_rng(seed)
    hidden = Dense(2, width, init="xavier", scale=scale, rng=rng)
    g = get_activation(activation)
    net = Sequential([hidden, g, Dense(width, 2, init="xavier", rng=rng)])
    loss = SoftmaxCrossEntropy()
    net.zero_grad()
    loss.forward(net.forward(X), y)
    net.backward(loss.backward())
    deriv = g.backward(np.ones((len(X), width)))  # g'(Z), cached from the forward pass
    sat = deriv < SATURATED
    return SaturationStats(
        scale,
        float(sat.mean()),
        float(deriv.mean()),
        float(np.linalg.norm(hidden.W.grad)),
        sat.mean(axis=0),
        np.linalg.norm(hidden.W.grad, axis=1),
    )
