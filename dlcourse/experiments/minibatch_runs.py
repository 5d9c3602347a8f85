"""The batch-size trade-off (used in notebook 07): a larger mini-batch b gives a less noisy
gradient but a slower step.

:func:`batch_size_run` trains with one batch size for a number of steps and records, after
every step, the cost J on the WHOLE training set, the training time spent so far and the
epochs done (examples seen / m); :func:`steps_to_reach` reads off when a curve first gets
to a target cost.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .._checks import check_int, check_xy
from ..batching import batch_stream, minibatch_sizes
from ..optim import SGD
from ..train import evaluate, train_step

__all__ = [
    "BatchSizeRun",
    "batch_size_run",
    "steps_to_reach",
    "steps_to_stay_below",
    "best_epochs_to_target",
]


@dataclass
class BatchSizeRun:
    """One training run with a fixed batch size; entry k is after k steps (k = 0: start).

    ``cost``: J on the whole training set; ``seconds``: training time spent (forward,
    backward and update only; measuring the cost is not counted); ``epochs``: examples seen
    divided by m; ``batch_cost``: the mini-batch cost J^{t} each step saw (entry k-1 for
    step k), the noisy curve a training loop actually reports.
    """

    batch_size: int
    cost: np.ndarray
    seconds: np.ndarray
    epochs: np.ndarray
    batch_cost: np.ndarray


def batch_size_run(
    model_factory: Callable,
    X,
    y,
    loss,
    optimizer_factory: Callable,
    batch_size: int | None,
    steps: int,
    seed: int = 0,
) -> BatchSizeRun:
    """Train a fresh ``model_factory()`` with ``optimizer_factory(params)`` for ``steps``
    mini-batch steps of size ``batch_size`` (None: full batch), shuffled with ``seed``, and
    record the curves of :class:`BatchSizeRun`. Stops early at a NaN/inf cost."""
    X, y = check_xy(X, y)
    steps = check_int("steps", steps, minimum=1)
    model = model_factory()
    optimizer = optimizer_factory(model.parameters())
    b = minibatch_sizes(len(X), batch_size)[0]  # the effective size: None or b > m give m
    cost, seconds, seen, batch_cost = [evaluate(model, X, y, loss)[0]], [0.0], [0], []
    stream = batch_stream(len(X), b, np.random.default_rng(seed))
    for _ in range(steps):
        idx = next(stream)
        seen.append(seen[-1] + len(idx))
        start = time.perf_counter()
        batch_cost.append(train_step(model, loss, optimizer, X[idx], y[idx]))
        seconds.append(seconds[-1] + time.perf_counter() - start)
        with np.errstate(over="ignore", invalid="ignore"):
            cost.append(evaluate(model, X, y, loss)[0])
        if not (math.isfinite(batch_cost[-1]) and math.isfinite(cost[-1])):
            break
    return BatchSizeRun(
        batch_size=b,
        cost=np.array(cost),
        seconds=np.array(seconds),
        epochs=np.array(seen) / len(X),
        batch_cost=np.array(batch_cost),
    )


def steps_to_reach(cost, target: float) -> int | None:
    """The first k with cost[k] <= target, or None if the curve never gets there."""
    hits = np.flatnonzero(np.asarray(cost, dtype=np.float64) <= target)
    return int(hits[0]) if hits.size else None


def steps_to_stay_below(cost, target: float) -> int | None:
    """The first k after which cost[j] < target for every j >= k, or None if the last entry
    is not below ``target`` (a curve that never settles under it)."""
    above = np.flatnonzero(~(np.asarray(cost, dtype=np.float64) < target))
    if not above.size:
        return 0
    return None if above[-1] == len(cost) - 1 else int(above[-1]) + 1


def best_epochs_to_target(
    model_factory: Callable,
    X,
    y,
    loss,
    lrs,
    batch_size: int | None,
    target: float,
    steps: int,
    seed: int = 0,
) -> tuple[float | None, float | None]:
    """Plain SGD at every learning rate of ``lrs``: the one whose run needs the fewest epochs
    before its whole-set cost stays below ``target`` (within ``steps`` steps), and that
    number of epochs; (None, None) if no run gets there."""
    best: tuple[float | None, float | None] = (None, None)
    for lr in lrs:
        run = batch_size_run(
            model_factory,
            X,
            y,
            loss,
            lambda params, lr=lr: SGD(params, lr=lr),
            batch_size=batch_size,
            steps=steps,
            seed=seed,
        )
        k = steps_to_stay_below(run.cost, target)
        if k is not None and (best[1] is None or run.epochs[k] < best[1]):
            best = (float(lr), float(run.epochs[k]))
    return best
