"""Gradient checking in float32 (notebook 06): the relative error of a correct network's
check against epsilon, in float32 and float64, and the round-off estimate behind it."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..activations import Tanh
from ..gradcheck import gradcheck
from ..layers import Dense, Sequential
from ..losses import SoftmaxCrossEntropy

__all__ = ["small_net", "eps_sweep", "band", "roundoff_estimate"]


def small_net(dtype=np.float64, seed: int = 1) -> Sequential:
    """The correct 4-5-3 tanh network of the notebook, in ``dtype``."""
    rng = np.random.default_rng(seed)
    return Sequential(
        [
            Dense(4, 5, init="xavier", rng=rng, dtype=dtype),
            Tanh(),
            Dense(5, 3, init="xavier", rng=rng, dtype=dtype),
        ]
    )


def _data(seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((8, 4)), rng.integers(0, 3, size=8)


def eps_sweep(eps_values: Sequence[float], dtype=np.float32, seed: int = 1) -> np.ndarray:
    """The relative error of the whole check of ``small_net(dtype, seed)`` at each epsilon."""
    X, y = _data()
    out = []
    for eps in eps_values:
        net = small_net(dtype, seed)
        out.append(gradcheck(net, SoftmaxCrossEntropy(), X.astype(dtype), y, eps=float(eps)))
    return np.array(out)


def roundoff_estimate(eps: float, dtype=np.float32, seed: int = 1) -> dict:
    """u |J| / eps (the error round-off puts into one quotient) against the size of a typical
    gradient entry, and the spacing of the floats near the weights."""
    X, y = _data()
    net = small_net(dtype, seed)
    loss = SoftmaxCrossEntropy()
    J = float(loss.forward(net.forward(X.astype(dtype)), y))
    net.zero_grad()
    net.backward(loss.backward())
    grads = np.concatenate([p.grad.ravel() for p in net.parameters()]).astype(np.float64)
    u = float(np.finfo(dtype).eps) / 2
    weights = np.concatenate([p.value.ravel() for p in net.parameters()])
    return {
        "u": u,
        "J": J,
        "quotient_error": u * abs(J) / eps,
        "grad_rms": float(np.sqrt(np.mean(grads**2))),
        "spacing_at_median_weight": float(np.spacing(np.median(np.abs(weights)).astype(dtype))),
    }


def band(err: float) -> str:
    """The reading of a relative error in the notebook's table."""
    if err <= 1e-7:
        return "correct (<= 1e-7)"
    if err < 1e-3:
        return "look closer (1e-7 .. 1e-3)"
    return "bug? (>= 1e-3)"
