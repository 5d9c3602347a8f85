"""The one MLP builder of the course (minimal version; the experiments branch owns this file).

    hidden layer l:  Dense(n_{l-1} -> n_l) -> [BatchNorm] -> activation -> [Dropout(rate)]
    output:          Dense(n_L -> n_out)
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

import dlcourse as dl

from ..rng import as_generator

__all__ = ["mlp"]


def mlp(n_in: int, hidden: Sequence[int], n_out: int, activation: str = "relu",
        init: str | Callable = "he", scale: float | None = None, batch_norm: bool = False,
        dropout: float = 0.0, bias: bool = True, dtype=np.float64, rng=None) -> dl.Sequential:
    """A fully connected network (see the module docstring); weights drawn in layer order
    from ``rng`` (None: the ``dl.seed`` generator), which dropout masks then also use."""
    gen = as_generator(rng)
    layers, prev = [], n_in
    for width in hidden:
        layers.append(dl.Dense(prev, width, init=init, bias=bias, dtype=dtype, rng=gen,
                               scale=scale))
        if batch_norm:
            layers.append(dl.BatchNorm(width, dtype=dtype))
        layers.append(dl.get_activation(activation))
        if dropout > 0:
            layers.append(dl.Dropout(dropout, rng=gen))
        prev = width
    layers.append(dl.Dense(prev, n_out, init=init, bias=bias, dtype=dtype, rng=gen, scale=scale))
    return dl.Sequential(layers)
