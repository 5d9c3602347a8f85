"""Training with a learning-rate schedule: the ScheduleExplorer (notebook 09).

:func:`make_schedule` builds a schedule of :data:`dlcourse.optim.schedules.SCHEDULES` from
the dashboard's parameters. The training run (seeded: the same settings give the same
curves) is

    X, y  = dlcourse.datasets.moons(n, noise, rng=seed)
    model = mlp(2, [hidden], 2, rng=numpy.random.default_rng(seed))   # Dense-ReLU-Dense, He
    fit(model, X, y, SoftmaxCrossEntropy(), SGD(model.parameters(), lr=lr0),
        epochs, batch_size, schedule=schedule, seed=seed)

Used by: :class:`dlcourse.widgets.ScheduleExplorer` (notebook 09).
"""
from __future__ import annotations

import numpy as np

from ..datasets import moons
from ..losses import SoftmaxCrossEntropy
from ..optim import SGD
from ..optim.schedules import SCHEDULES
from ..train import fit
from .networks import mlp

__all__ = ["make_schedule", "train_with_schedule"]


def make_schedule(name: str, lr0: float, decay_rate: float = 0.1, drop: float = 0.5,
                  every: int = 10):
    """The schedule ``name`` from :data:`SCHEDULES` with the parameters it takes."""
    if name not in SCHEDULES:
        raise ValueError(f"unknown schedule {name!r}; valid: {', '.join(SCHEDULES)}")
    factory = SCHEDULES[name]
    if name == "constant":
        return factory(lr0)
    if name == "step_decay":
        return factory(lr0, drop=drop, every=every)
    if name == "exponential_decay":
        return factory(lr0, k=decay_rate)
    if name == "inverse_time_decay":
        return factory(lr0, decay_rate=decay_rate)
    return factory(lr0, decay_rate=decay_rate, every=every)


def train_with_schedule(schedule, lr0: float, epochs: int, batch_size: int, hidden: int,
                        n: int, noise: float, seed: int):
    """The seeded training run of the module docstring; returns the History."""
    X, y = moons(n, noise, rng=seed)
    model = mlp(2, [hidden], 2, "relu", "he", rng=np.random.default_rng(seed))
    opt = SGD(model.parameters(), lr=lr0)
    return fit(model, X, y, loss=SoftmaxCrossEntropy(), optimizer=opt, epochs=epochs,
               batch_size=batch_size, schedule=schedule, seed=seed)
