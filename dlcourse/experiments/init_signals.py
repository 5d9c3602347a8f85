"""The signal through a deep network at initialisation: the InitExplorer and notebook 04.

A deep network of ``depth`` hidden layers (Dense(width) -> activation), then a Dense output
layer of ``classes`` logits, runs ONE forward and ONE backward pass (softmax cross-entropy).
For every hidden layer l it records

    A^[l] = g(Z^[l]),  Z^[l] = A^[l-1] W^[l]T + b^[l]      (A^[0] = X)
    dA^[l] = dJ/dA^[l]                                      (what backprop carries down)

With W ~ N(0, 1) * s the variance of Z^[l] is about n^[l-1] s^2 Var(A^[l-1]) (times 1/2
after a ReLU), so the std stays put only when s^2 = 1/n (Xavier) or 2/n (He).

Used by: notebook 04 (:func:`build_deep_network`, :func:`signal_statistics`) and
:class:`dlcourse.widgets.InitExplorer`.
"""

from __future__ import annotations

import numpy as np

from ..layers import Dense, Sequential
from ..losses import SoftmaxCrossEntropy
from .networks import mlp

__all__ = ["SCHEME_SCALES", "build_deep_network", "signal_statistics"]

#: the scale each scheme starts from when it is picked (random: N(0,1) * 0.01)
SCHEME_SCALES = {"zeros": 1.0, "random": 0.01, "xavier": 1.0, "he": 1.0}


def build_deep_network(
    depth: int,
    width: int,
    activation: str,
    init: str,
    scale: float,
    classes: int,
    rng: np.random.Generator,
) -> Sequential:
    """``depth`` x [Dense(width, width, init, scale) -> activation], then Dense(width, classes);
    weights drawn from ``rng`` in layer order: ``mlp(width, [width] * depth, classes, ...)``."""
    return mlp(width, [width] * depth, classes, activation, init, scale, rng=rng)


def signal_statistics(
    model: Sequential, X: np.ndarray, y: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray], float]:
    """One forward and one backward pass of ``model`` (softmax cross-entropy on (X, y)),
    layer by layer. Returns the activations A^[l] (outputs of the activation layers),
    the gradients dJ/dA^[l] arriving at them, and the cost J."""
    acts, grads, loss = [], [], SoftmaxCrossEntropy()
    a = X
    for layer in model:
        a = layer.forward(a, training=True)
        if not isinstance(layer, Dense):
            acts.append(a)
    cost = loss.forward(a, y)
    d = loss.backward()
    for layer in reversed(model.layers_list):
        if not isinstance(layer, Dense):
            grads.append(d)
        d = layer.backward(d)
    return acts, grads[::-1], cost
