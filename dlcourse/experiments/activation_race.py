"""The activations in a training race (notebook 02): each one re-tuned, on several seeds.

A network of ``depth`` hidden layers of ``width`` units (:func:`~.networks.mlp`; Xavier for
sigmoid and tanh, He for ReLU and ELU) is trained on the standardised flower data with
full-batch Adam for ``steps`` steps, once per learning rate of ``lrs``; the race reports
the run whose final training cost is lowest. Re-tuning the learning rate per activation
and seed keeps the comparison fair: each activation is judged at its own best rate.

Used by: notebook 02 and tests/test_claims_activations.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .._checks import check_choice, check_int
from ..losses import SoftmaxCrossEntropy
from ..optim import Adam
from ..train import fit
from .activation_stats import flower_data
from .networks import mlp

__all__ = ["RACE_INIT", "RACE_LRS", "RaceResult", "activation_race"]

RACE_INIT = {"sigmoid": "xavier", "tanh": "xavier", "relu": "he", "elu": "he"}
RACE_LRS = (0.003, 0.01, 0.03, 0.1)


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
    steps = check_int("steps", steps, minimum=1)
    X, y = flower_data()
    best = RaceResult(activation, seed, float("nan"), float("inf"), float("nan"))
    for lr in lrs:
        net = mlp(2, [width] * depth, 2, activation, RACE_INIT[activation], rng=seed)
        with np.errstate(all="ignore"):
            h = fit(net, X, y, SoftmaxCrossEntropy(), Adam(net.parameters(), lr=lr), epochs=steps)
        if np.isfinite(h.loss[-1]) and h.loss[-1] < best.cost:
            best = RaceResult(activation, seed, lr, float(h.loss[-1]), float(h.accuracy[-1]))
    return best
