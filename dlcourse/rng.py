"""The package's random number generators.

One call to :func:`seed` makes a notebook reproducible: every function that takes an
``rng=`` argument falls back to the package's default generator when given ``None``.
An ``int`` builds a fresh ``numpy.random.Generator`` from that seed, and a Generator is
used as it is.
"""

from __future__ import annotations

import numpy as np

__all__ = ["as_generator", "seed"]

_default = np.random.default_rng(0)


def seed(n: int) -> None:
    """Reseed the package's default generator with ``n``."""
    global _default
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"seed: n must be an int, got {n!r}")
    _default = np.random.default_rng(int(n))


def as_generator(rng: np.random.Generator | int | None) -> np.random.Generator:
    """Turn an ``rng=`` argument into a Generator: None -> default, int -> new, Generator -> itself."""
    if rng is None:
        return _default
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be None, an int or a numpy Generator, got {rng!r}")
