"""Training with a learning-rate schedule: the ScheduleExplorer (notebook 09).

:func:`make_schedule` builds a schedule of :data:`dlcourse.optim.schedules.SCHEDULES` from
the dashboard's parameters. The training run (seeded: the same settings give the same
curves) is

    X, y  = dlcourse.datasets.moons(n, noise, rng=seed)
    model = mlp(2, [hidden], 2, rng=numpy.random.default_rng(seed))   # Dense-ReLU-Dense, He
    fit(model, X, y, SoftmaxCrossEntropy(), SGD(model.parameters(), lr=lr0),
        epochs, batch_size, schedule=schedule, seed=seed)

:class:`ScheduleRun` gives that run for every number of epochs (a shorter run is a prefix
of a longer one), training only as far as asked.

Used by: :class:`dlcourse.widgets.ScheduleExplorer` (notebook 09).
"""

from __future__ import annotations

import numpy as np

from ..datasets import moons
from ..layers import Dense, Sequential
from ..activations import ReLU
from ..train import evaluate
from ..losses import SoftmaxCrossEntropy
from ..optim import SGD
from ..optim.schedules import SCHEDULES
from ..train import Callback, History, fit
from .networks import mlp

__all__ = ["ScheduleRun", "make_schedule", "train_with_schedule", "moons_final_cost"]


def make_schedule(
    name: str, lr0: float, decay_rate: float = 0.1, drop: float = 0.5, every: int = 10
):
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


def train_with_schedule(
    schedule, lr0: float, epochs: int, batch_size: int, hidden: int, n: int, noise: float, seed: int
):
    """The seeded training run of the module docstring; returns the History."""
    X, y = moons(n, noise, rng=seed)
    model = mlp(2, [hidden], 2, "relu", "he", rng=np.random.default_rng(seed))
    opt = SGD(model.parameters(), lr=lr0)
    return fit(
        model,
        X,
        y,
        loss=SoftmaxCrossEntropy(),
        optimizer=opt,
        epochs=epochs,
        batch_size=batch_size,
        schedule=schedule,
        seed=seed,
    )


class ScheduleRun:
    """:func:`train_with_schedule` for every number of epochs at once: ``history(E)`` is
    equal (``==``, every curve and ``diverged``) to the History of
    ``train_with_schedule(schedule, lr0, E, ...)``. The run trains on only as far as asked
    (``fit(..., history=h)`` continues it exactly); a shorter run is a prefix of a longer
    one, since the schedule reads the epoch number alone. A prefix's ``rng`` is None (it
    cannot be continued with ``fit``); a run that diverged gives its own History once the
    epochs asked for pass the divergence."""

    def __init__(
        self, schedule, lr0: float, batch_size: int, hidden: int, n: int, noise: float, seed: int
    ) -> None:
        self.X, self.y = moons(n, noise, rng=seed)
        self.model = mlp(2, [hidden], 2, "relu", "he", rng=np.random.default_rng(seed))
        self.optimizer = SGD(self.model.parameters(), lr=lr0)
        self.schedule, self.batch_size, self.seed = schedule, batch_size, seed
        self.full = History()
        self._steps = [0]  # steps done after each epoch

    def history(self, epochs: int) -> History:
        """The History of the first ``epochs`` epochs (training on if needed)."""
        h = self.full
        if h.diverged is None and h.epochs < epochs:
            fit(
                self.model,
                self.X,
                self.y,
                loss=SoftmaxCrossEntropy(),
                optimizer=self.optimizer,
                epochs=epochs - h.epochs,
                batch_size=self.batch_size,
                schedule=self.schedule,
                seed=self.seed,
                history=h,
                callbacks=[_StepsPerEpoch(self._steps)],
            )
        if h.diverged is not None and h.diverged.epoch < epochs:
            return h  # it stopped there, whatever the epochs asked for
        steps = self._steps[epochs]
        return History(
            loss=h.loss[:epochs],
            val_loss=h.val_loss[:epochs],
            accuracy=h.accuracy[:epochs],
            val_accuracy=h.val_accuracy[:epochs],
            step_loss=h.step_loss[:steps],
            lr=h.lr[:epochs],
            last_event="epoch" if epochs else "",
        )


class _StepsPerEpoch(Callback):
    def __init__(self, steps: list) -> None:
        self.steps = steps

    def on_epoch_end(self, ctx) -> None:
        self.steps.append(ctx.history.steps)


def moons_final_cost(schedule, lr0: float, seed: int = 0, epochs: int = 60) -> float:
    """Notebook 09's network run (section 4.3): moons(400, 0.25, rng=0), Dense 2-32-32-2 with
    ReLU and init seeds 10 seed + 1, + 2, + 3, SGD from ``lr0`` with ``schedule(epoch)``,
    mini-batches of 8 shuffled with ``seed``; the final cost on the training set (inf when
    the run diverged)."""
    X, y = moons(400, 0.25, rng=0)
    model = Sequential(
        [Dense(2, 32, rng=10 * seed + 1), ReLU(), Dense(32, 32, rng=10 * seed + 2), ReLU()]
        + [Dense(32, 2, rng=10 * seed + 3)]
    )
    loss, opt = SoftmaxCrossEntropy(), SGD(model.parameters(), lr=lr0)
    h = fit(model, X, y, loss, opt, epochs=epochs, batch_size=8, schedule=schedule, seed=seed)
    return float("inf") if h.diverged else evaluate(model, X, y, loss)[0]
