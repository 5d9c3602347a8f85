"""Shuffling and partitioning a training set into mini-batches.

One epoch of mini-batch gradient descent visits every example once, in a fresh random
order. With m examples and a mini-batch size b:

1. shuffle: draw one permutation of 0 .. m-1 and apply it to the rows of X *and* of y
   (the same permutation, so every example keeps its label);
2. partition: cut the shuffled rows into floor(m / b) full mini-batches
   X^{t} = rows (t-1) b .. t b - 1, and, when b does not divide m, one last partial
   mini-batch of the remaining m - b floor(m / b) rows (it is kept, not dropped).

So there are ceil(m / b) mini-batches per epoch. b = m is batch gradient descent (one step
per epoch) and b = 1 is stochastic gradient descent (m steps per epoch).

``batch_size=None`` (or any b >= m) means the whole training set as one batch, in its
original order: the gradient of a mean over all examples does not depend on their order,
so no permutation is drawn and the generator is left untouched. This is exactly the order
in which :func:`dlcourse.fit` visits the examples, so ``minibatch_indices`` reproduces the
batches of a ``fit`` run that uses the same seed.

The trade-off — a larger b gives a less noisy gradient but a slower step — is measured by
:func:`batch_size_run`: it trains with one batch size for a number of steps and records,
after every step, the cost J on the WHOLE training set, the training time spent so far and
the epochs done (examples seen / m).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from ._checks import check_int
from .rng import as_generator

__all__ = ["num_minibatches", "minibatch_sizes", "minibatch_indices", "minibatches",
           "batch_stream", "train_step", "BatchSizeRun", "batch_size_run", "steps_to_reach"]


def _size(m: int, batch_size: int | None) -> int:
    """The effective batch size: m for None (full batch), else batch_size capped at m."""
    m = check_int("m", m, minimum=1)
    if batch_size is None:
        return m
    return min(check_int("batch_size", batch_size, minimum=1), m)


def num_minibatches(m: int, batch_size: int | None) -> int:
    """ceil(m / b): the number of mini-batches (optimizer steps) in one epoch."""
    return math.ceil(m / _size(m, batch_size))


def minibatch_sizes(m: int, batch_size: int | None) -> list[int]:
    """The sizes of the mini-batches of one epoch: floor(m / b) times b, then m mod b if > 0."""
    b = _size(m, batch_size)
    full, rest = divmod(m, b)
    return [b] * full + ([rest] if rest else [])


def minibatch_indices(m: int, batch_size: int | None,
                      rng: np.random.Generator | int | None = None) -> list[np.ndarray]:
    """The row indices of each mini-batch of one epoch (shuffle, then partition).

    For b < m: ``order = rng.permutation(m)`` and batch t holds ``order[t b : (t + 1) b]``.
    For b >= m or ``batch_size=None``: one batch ``arange(m)``, no random draw.
    ``rng`` follows the package convention (None: the default generator, int: a fresh
    seeded one, Generator: used and advanced).
    """
    b = _size(m, batch_size)
    if b == m:
        return [np.arange(m)]
    order = as_generator(rng).permutation(m)
    return [order[start:start + b] for start in range(0, m, b)]


def minibatches(X, y, batch_size: int | None,
                rng: np.random.Generator | int | None = None
                ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffle (X, y) with one permutation and cut it into mini-batches [(X_t, y_t), ...].

    ``X`` has one example per row (m, ...), ``y`` one label (or target row) per example
    (m, ...). Returns ceil(m / b) pairs; all but possibly the last hold b examples, the last
    holds m - b floor(m / b) when b does not divide m. The pairs are copies (fancy
    indexing), so changing them leaves X and y alone.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"X and y must have one row per example, got shapes {X.shape} "
                         f"and {y.shape}")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)} "
                         f"(shapes {X.shape} and {y.shape})")
    if len(X) == 0:
        raise ValueError("X is empty: there is nothing to partition")
    return [(X[idx], y[idx]) for idx in minibatch_indices(len(X), batch_size, rng)]


def batch_stream(m: int, batch_size: int | None,
                 rng: np.random.Generator | int | None = None) -> Iterator[np.ndarray]:
    """Mini-batch indices without end: one shuffled epoch after another."""
    gen = as_generator(rng)
    while True:
        yield from minibatch_indices(m, batch_size, gen)


def train_step(model, loss, optimizer, xb: np.ndarray, yb: np.ndarray) -> float:
    """One step of mini-batch gradient descent: zero the gradients, forward, cost J^{t},
    backward, ``optimizer.step()``. Returns J^{t}, the cost before the step; a NaN/inf cost
    is returned without stepping."""
    optimizer.zero_grad()
    with np.errstate(over="ignore", invalid="ignore"):
        cost = float(loss.forward(model.forward(xb, training=True), yb))
        if math.isfinite(cost):
            model.backward(loss.backward())
            optimizer.step()
    return cost


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


def batch_size_run(model_factory: Callable, X, y, loss, optimizer_factory: Callable,
                   batch_size: int | None, steps: int, seed: int = 0) -> BatchSizeRun:
    """Train a fresh ``model_factory()`` with ``optimizer_factory(params)`` for ``steps``
    mini-batch steps of size ``batch_size`` (None: full batch), shuffled with ``seed``, and
    record the curves of :class:`BatchSizeRun`. Stops early at a NaN/inf cost."""
    from .train import _check_data, evaluate   # here: train.py may come to import this module
    X, y = _check_data(X, y)
    steps = check_int("steps", steps, minimum=1)
    model = model_factory()
    optimizer = optimizer_factory(model.parameters())
    b = _size(len(X), batch_size)
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
    return BatchSizeRun(batch_size=b, cost=np.array(cost), seconds=np.array(seconds),
                        epochs=np.array(seen) / len(X), batch_cost=np.array(batch_cost))


def steps_to_reach(cost, target: float) -> int | None:
    """The first k with cost[k] <= target, or None if the curve never gets there."""
    hits = np.flatnonzero(np.asarray(cost, dtype=np.float64) <= target)
    return int(hits[0]) if hits.size else None
