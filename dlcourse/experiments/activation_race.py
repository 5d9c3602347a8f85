"""The activations in a training race (notebook 02): each one re-tuned, on several seeds.

A network of ``depth`` hidden layers of ``width`` units (:func:`~.networks.mlp`; Xavier for
sigmoid and tanh, He for ReLU and ELU) is trained on the standardised flower data with
full-batch Adam for ``steps`` steps, once per learning rate of ``lrs``; the race reports
the run whose final training cost is lowest. Re-tuning the learning rate per activation
and seed keeps the comparison fair: each activation is judged at its own best rate.

:func:`centring_run` is the control experiment for zero-centred inputs: one hidden layer of
tanh units trained by plain full-batch gradient descent on the same data, once as is (every
feature has mean 0) and once with ``shift`` added to every feature, each at its own best
learning rate of :data:`CENTRING_LRS`.

:func:`race_with_backward` trains the race network twice from the same weights, once with
the package's activation layers and once with each activation's backward pass replaced by a
function ``backward(dA, Z, kind) -> dZ`` (:class:`BackwardBy`; the learner's, in the
exercise), and returns both final training costs.

Used by: notebook 02 and tests/test_claims_activations.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .._checks import check_choice, check_int
from ..activations import Activation
from ..layers import Layer, Sequential
from ..losses import SoftmaxCrossEntropy
from ..optim import SGD, Adam, Optimizer
from ..train import fit
from .activation_stats import flower_data
from .networks import mlp

__all__ = [
    "BackwardBy",
    "CENTRING_LRS",
    "RACE_INIT",
    "RACE_LRS",
    "RaceResult",
    "activation_race",
    "centring_run",
    "race_with_backward",
]

RACE_INIT = {"sigmoid": "xavier", "tanh": "xavier", "relu": "he", "elu": "he"}
RACE_LRS = (0.003, 0.01, 0.03, 0.1)
CENTRING_LRS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)


@dataclass(frozen=True)
class RaceResult:
    """The best run of one activation on one seed: its learning rate, final training cost
    and training accuracy."""

    activation: str
    seed: int
    lr: float
    cost: float
    accuracy: float


def activation_race(
    activation: str,
    seed: int,
    lrs: Sequence[float] = RACE_LRS,
    steps: int = 150,
    depth: int = 6,
    width: int = 16,
) -> RaceResult:
    """Train the race network once per learning rate of ``lrs`` (weights drawn from
    ``seed``) and return the run with the lowest final training cost (non-finite runs lose)."""
    check_choice("activation", activation, tuple(RACE_INIT))
    X, y = flower_data()
    return _best_run(
        lambda: mlp(2, [width] * depth, 2, activation, RACE_INIT[activation], rng=seed),
        lambda params, lr: Adam(params, lr=lr),
        X,
        y,
        lrs,
        steps,
        (activation, seed),
    )


def centring_run(
    shift: float, seed: int, lrs: Sequence[float] = CENTRING_LRS, steps: int = 200, width: int = 16
) -> RaceResult:
    """One hidden layer of ``width`` tanh units (Xavier, weights from ``seed``) trained by
    plain full-batch gradient descent for ``steps`` steps on the standardised flower data
    plus ``shift`` in every feature, once per learning rate; the best run."""
    X, y = flower_data()
    return _best_run(
        lambda: mlp(2, [width], 2, "tanh", "xavier", rng=seed),
        lambda params, lr: SGD(params, lr=lr),
        X + float(shift),
        y,
        lrs,
        steps,
        ("tanh", seed),
    )


def _best_run(make_net, make_opt, X, y, lrs, steps: int, label: tuple) -> RaceResult:
    """Train ``make_net()`` with ``make_opt(params, lr)`` for each lr; keep the run with the
    lowest final training cost (non-finite runs lose)."""
    steps = check_int("steps", steps, minimum=1)
    best = RaceResult(*label, float("nan"), float("inf"), float("nan"))
    for lr in lrs:
        net = make_net()
        opt: Optimizer = make_opt(net.parameters(), lr)
        with np.errstate(all="ignore"):
            h = fit(net, X, y, SoftmaxCrossEntropy(), opt, epochs=steps)
        if np.isfinite(h.loss[-1]) and h.loss[-1] < best.cost:
            best = RaceResult(*label, lr, float(h.loss[-1]), float(h.accuracy[-1]))
    return best


class BackwardBy(Layer):
    """An activation layer whose forward pass is ``layer``'s and whose backward pass is
    ``backward(dA, Z, kind)``, with Z the input of the last forward pass."""

    def __init__(self, layer: Activation, kind: str, backward: Callable) -> None:
        self.layer, self.kind, self.backward_fn = layer, kind, backward
        self._z: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        self._z = x
        return self.layer.forward(x, training)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if self._z is None:
            raise RuntimeError("BackwardBy.backward called before forward")
        return self.backward_fn(dout, self._z, self.kind)


def race_with_backward(
    backward: Callable, activation: str, seed: int, lr: float, steps: int = 150
) -> tuple[float, float]:
    """Final training cost of the race network (weights from ``seed``, Adam at ``lr``, full
    batch, ``steps`` steps) with every activation's backward pass done by ``backward``, and
    the same run with the package's layers: ``(cost with backward, cost of the package)``."""
    check_choice("activation", activation, tuple(RACE_INIT))
    X, y = flower_data()
    costs = []
    for replace in (True, False):
        net = mlp(2, [16] * 6, 2, activation, RACE_INIT[activation], rng=seed)
        if replace:
            net = Sequential(
                [
                    BackwardBy(l, activation, backward) if isinstance(l, Activation) else l
                    for l in net
                ]
            )
        with np.errstate(all="ignore"):
            h = fit(net, X, y, SoftmaxCrossEntropy(), Adam(net.parameters(), lr=lr), epochs=steps)
        costs.append(float(h.loss[-1]))
    return costs[0], costs[1]
