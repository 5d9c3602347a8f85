"""The noise floor of constant-alpha SGD on least squares (notebook 09), measured at epoch
ends, with mini-batches drawn with replacement (i.i.d. gradient noise: floor ~ alpha) and
by reshuffling without replacement, as ``dl.fit`` does (floor ~ alpha^2 at epoch ends)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["least_squares", "sgd_floor", "floors"]


def least_squares(m: int = 500, seed: int = 0):
    """(A, y, J*) with A = [X, 1]: the notebook's 5-feature linear problem, bias as a column."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, 5))
    y = X @ np.array([1.0, -2.0, 0.5, 3.0, -1.0]) + 0.5 * rng.standard_normal(m)
    A = np.hstack([X, np.ones((m, 1))])
    w_star = np.linalg.lstsq(A, y, rcond=None)[0]
    return A, y, float(np.mean((A @ w_star - y) ** 2))


def sgd_floor(
    lr: float,
    sampling: str = "reshuffle",
    epochs: int = 60,
    batch_size: int = 4,
    tail: int = 20,
    seed: int = 0,
) -> float:
    """Mean of J - J* (J = mean squared error) at the last ``tail`` epoch ends of SGD with
    a constant ``lr``; ``sampling`` is "reshuffle" (a permutation per epoch) or
    "replacement" (every mini-batch drawn independently)."""
    if sampling not in ("reshuffle", "replacement"):
        raise ValueError(f"sampling must be 'reshuffle' or 'replacement', got {sampling!r}")
    A, y, J_star = least_squares()
    m = len(y)
    rng = np.random.default_rng(seed)
    w = np.zeros(A.shape[1])
    gaps = []
    for _ in range(epochs):
        if sampling == "reshuffle":
            order = rng.permutation(m)
            batches = [order[k : k + batch_size] for k in range(0, m, batch_size)]
        else:
            batches = [rng.integers(0, m, batch_size) for _ in range(m // batch_size)]
        for idx in batches:
            r = A[idx] @ w - y[idx]
            w -= lr * 2.0 * A[idx].T @ r / len(idx)  # gradient of the mean squared error
        gaps.append(float(np.mean((A @ w - y) ** 2)) - J_star)
    return float(np.mean(gaps[-tail:]))


def floors(
    lrs: Sequence[float] = (0.0025, 0.005, 0.01, 0.02, 0.04),
    sampling: str = "reshuffle",
    seeds: Sequence[int] = (0,),
    **kwargs,
) -> np.ndarray:
    """The floor at each lr, averaged over ``seeds``."""
    return np.array(
        [np.mean([sgd_floor(lr, sampling, seed=s, **kwargs) for s in seeds]) for lr in lrs]
    )
