"""Weight initializers, chosen by name or given as a callable ``(shape, rng) -> array``.

For a weight matrix W of shape (n_out, n_in):

- ``zeros``:  W = 0 (every hidden unit computes the same thing: symmetry is never broken)
- ``random``: W ~ N(0, 1) * scale, scale = 0.01 by default
- ``xavier``: W ~ N(0, 1) * sqrt(1 / n_in)   (the course's form, suited to tanh)
- ``he``:     W ~ N(0, 1) * sqrt(2 / n_in)   (suited to ReLU)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._checks import check_choice, check_positive
from .rng import as_generator

__all__ = ["INITIALIZERS", "he", "initialize", "random", "xavier", "zeros"]


def zeros(shape: tuple, rng=None, scale: float = 1.0) -> np.ndarray:
    """All zeros."""
    return np.zeros(shape)


def random(shape: tuple, rng=None, scale: float = 0.01) -> np.ndarray:
    """N(0, 1) * scale."""
    return as_generator(rng).standard_normal(shape) * scale


def xavier(shape: tuple, rng=None, scale: float = 1.0) -> np.ndarray:
    """N(0, 1) * scale * sqrt(1 / n_in), n_in = shape[-1]."""
    return as_generator(rng).standard_normal(shape) * (scale * np.sqrt(1.0 / shape[-1]))


def he(shape: tuple, rng=None, scale: float = 1.0) -> np.ndarray:
    """N(0, 1) * scale * sqrt(2 / n_in), n_in = shape[-1]."""
    return as_generator(rng).standard_normal(shape) * (scale * np.sqrt(2.0 / shape[-1]))


INITIALIZERS: dict[str, Callable] = {"zeros": zeros, "random": random, "xavier": xavier, "he": he}


def initialize(
    init, shape: tuple, rng=None, scale: float | None = None, dtype=np.float64
) -> np.ndarray:
    """Draw an array of ``shape`` with the initializer ``init`` (a name or a callable).

    ``scale`` multiplies the draw (for "random" it replaces the default 0.01).
    """
    rng = as_generator(rng)
    if callable(init):
        out = np.asarray(init(tuple(shape), rng))
        if out.shape != tuple(shape):
            raise ValueError(f"init callable returned shape {out.shape}, expected {tuple(shape)}")
        if scale is not None:
            out = out * scale
    else:
        if not isinstance(init, str):
            raise TypeError(
                f"init must be a name or a callable (shape, rng) -> array, got {init!r}"
            )
        check_choice("init", init, INITIALIZERS)
        kwargs = {} if scale is None else {"scale": check_positive("scale", scale)}
        out = INITIALIZERS[init](tuple(shape), rng, **kwargs)
    return out.astype(dtype, copy=False)
