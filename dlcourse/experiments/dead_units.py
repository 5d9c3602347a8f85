r"""Dead units after one huge step, and which ones come back (notebook 02).

A unit is *silent* on the data when its pre-activation z <= 0 on every example. For ReLU a
silent unit gets g'(z) = 0 everywhere, so its own weights get no gradient: it is *dead*.
Whether it stays dead depends on its layer. A first-layer unit sees the fixed inputs X, so
nothing can ever move its z: it stays dead. A deeper unit sees the outputs of the layer
below, which keep training, so its z can move back above 0 and the unit revives. Leaky ReLU
and ELU keep g'(z) > 0 for z < 0, so even a silent first-layer unit still gets a gradient.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import check_choice, check_int, check_positive
from ..activations import get_activation
from ..layers import Dense, Sequential
from ..losses import SoftmaxCrossEntropy
from ..optim import SGD
from ..train import fit
from .saturation import flower_standardized

__all__ = ["Recovery", "silent_masks", "dead_unit_recovery"]


def silent_masks(net: Sequential, X: np.ndarray) -> list[np.ndarray]:
    """Per hidden layer, a boolean mask of the units whose pre-activation is <= 0 on every row."""
    masks, a = [], X
    for layer in net[:-1]:
        a = layer.forward(a)
        if isinstance(layer, Dense):
            masks.append(np.all(a <= 0, axis=0))
    return masks


@dataclass(frozen=True)
class Recovery:
    """Silent units per hidden layer at initialization, after one huge step and after the
    recovery epochs at a normal learning rate, and the training accuracy at the end."""

    activation: str
    initial: list
    after_big_step: list
    after_recovery: list
    revived: list
    layer1_silent_weight_change: float
    accuracy: float


def dead_unit_recovery(
    activation: str = "relu",
    big_lr: float = 10.0,
    epochs: int = 200,
    lr: float = 0.1,
    width: int = 64,
    seed: int = 0,
) -> Recovery:
    """Two hidden layers of ``width`` units on the flower data: one full-batch step at
    ``big_lr``, then ``epochs`` full-batch epochs at ``lr``; silent units counted throughout."""
    check_choice("activation", activation, ("relu", "leaky_relu", "elu"))
    big_lr, lr = check_positive("big_lr", big_lr), check_positive("lr", lr)
    epochs, width = check_int("epochs", epochs, minimum=0), check_int("width", width, minimum=1)
    X, y = flower_standardized()
    rng = np.random.default_rng(seed)
    net = Sequential(
        [
            Dense(2, width, init="he", rng=rng),
            get_activation(activation),
            Dense(width, width, init="he", rng=rng),
            get_activation(activation),
            Dense(width, 2, init="xavier", rng=rng),
        ]
    )
    loss = SoftmaxCrossEntropy()
    silent_masks_initial = silent_masks(net, X)
    fit(net, X, y, loss=loss, optimizer=SGD(net.parameters(), lr=big_lr), epochs=1)
    masks = silent_masks(net, X)
    W1 = net[0].W.value.copy()
    history = (
        fit(net, X, y, loss=loss, optimizer=SGD(net.parameters(), lr=lr), epochs=epochs)
        if epochs
        else None
    )
    acc = float(history.accuracy[-1]) if history is not None else float("nan")
    after = silent_masks(net, X)
    revived = [int(np.sum(m & ~a)) for m, a in zip(masks, after)]
    moved = np.abs(net[0].W.value - W1)[masks[0]]
    change = float(moved.max()) if moved.size else float("nan")
    return Recovery(
        activation,
        [int(m.sum()) for m in silent_masks_initial],
        [int(m.sum()) for m in masks],
        [int(m.sum()) for m in after],
        revived,
        change,
        acc,
    )
