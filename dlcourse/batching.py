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

One step on a mini-batch is :func:`dlcourse.train.train_step`; the batch-size trade-off of
notebook 07 is measured in :mod:`dlcourse.experiments.minibatch_runs`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from ._checks import check_int
from .rng import as_generator

__all__ = ["batch_stream", "minibatch_indices", "minibatch_sizes", "minibatches", "num_minibatches"]


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


def minibatch_indices(
    m: int, batch_size: int | None, rng: np.random.Generator | int | None = None
) -> list[np.ndarray]:
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
    return [order[start : start + b] for start in range(0, m, b)]


def minibatches(
    X, y, batch_size: int | None, rng: np.random.Generator | int | None = None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffle (X, y) with one permutation and cut it into mini-batches [(X_t, y_t), ...].

    ``X`` has one example per row (m, ...), ``y`` one label (or target row) per example
    (m, ...). Returns ceil(m / b) pairs; all but possibly the last hold b examples, the last
    holds m - b floor(m / b) when b does not divide m. The pairs are copies (fancy
    indexing), so changing them leaves X and y alone.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(
            f"X and y must have one row per example, got shapes {X.shape} and {y.shape}"
        )
    if len(X) != len(y):
        raise ValueError(
            f"X has {len(X)} examples but y has {len(y)} (shapes {X.shape} and {y.shape})"
        )
    if len(X) == 0:
        raise ValueError("X is empty: there is nothing to partition")
    return [(X[idx], y[idx]) for idx in minibatch_indices(len(X), batch_size, rng)]


def batch_stream(
    m: int, batch_size: int | None, rng: np.random.Generator | int | None = None
) -> Iterator[np.ndarray]:
    """Mini-batch indices without end: one shuffled epoch after another."""
    gen = as_generator(rng)
    while True:
        yield from minibatch_indices(m, batch_size, gen)
