"""The one fully connected network builder of the course.

Every hidden layer l = 1..L is

    Dense(n^[l-1], n^[l], init, scale) -> [BatchNorm(n^[l])] -> g -> [Dropout(rate)]

(under batch norm the hidden Dense layers carry no bias: beta^[l] plays its part), then a
Dense output layer of ``n_out`` units. All weights are drawn from ONE generator in layer
order, so two networks built with the same ``rng`` seed and the same sizes start from the
same W^[l] whether or not they have batch norm or dropout.

Used by: the TrainingDashboard (notebooks 00, 03-05, 07, 08, 12), the InitExplorer and
notebook 04 (:mod:`.init_signals`), the ActivationExplorer and notebook 02
(:mod:`.activation_stats`), the BNExplorer and notebook 11 (:mod:`.bn_compare`), the
ScheduleExplorer (:mod:`.schedule_runs`), the DigitsExplorer (:mod:`.digits`), the
DebugDashboard (:mod:`.debug_run`) and the search objective of notebook 10
(:mod:`.search_toy`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .._checks import check_int, check_unit_interval
from ..activations import get_activation
from ..layers import BatchNorm, Dense, Dropout, Layer, Sequential
from ..rng import as_generator

__all__ = ["hidden_layers", "mlp"]


def _sizes(hidden: Sequence[int] | int) -> list[int]:
    if isinstance(hidden, (int, np.integer)) and not isinstance(hidden, bool):
        hidden = (int(hidden),)
    return [check_int("hidden", h, minimum=1) for h in hidden]


def hidden_layers(
    n_in: int,
    hidden: Sequence[int],
    activation: str = "relu",
    init: str | Callable = "he",
    scale: float | None = None,
    batch_norm: bool = False,
    dropout: float = 0.0,
    bias: bool = True,
    dtype=np.float64,
    rng=None,
) -> list[Layer]:
    """The hidden part of :func:`mlp` as a list of layers (for a network whose output
    layer is drawn differently, e.g. with another init). ``rng`` must be a Generator to
    share it with an output layer drawn afterwards."""
    gen = as_generator(rng)
    dropout = check_unit_interval("dropout", dropout)
    layers: list[Layer] = []
    prev = check_int("n_in", n_in, minimum=1)
    for width in _sizes(hidden):
        layers.append(
            Dense(
                prev,
                width,
                init=init,
                bias=bias and not batch_norm,
                dtype=dtype,
                rng=gen,
                scale=scale,
            )
        )
        if batch_norm:
            layers.append(BatchNorm(width, dtype=dtype))
        layers.append(get_activation(activation))
        if dropout > 0:
            layers.append(Dropout(dropout, rng=gen))
        prev = width
    return layers


def mlp(
    n_in: int,
    hidden: Sequence[int],
    n_out: int,
    activation: str = "relu",
    init: str | Callable = "he",
    scale: float | None = None,
    batch_norm: bool = False,
    dropout: float = 0.0,
    bias: bool = True,
    dtype=np.float64,
    rng=None,
) -> Sequential:
    """A fully connected network (see the module docstring).

    ``hidden``: the hidden widths n^[1..L] (an int is one layer, ``()`` is a linear model);
    ``init``: a :mod:`dlcourse.init` name or a callable ``(shape, rng) -> array``, times
    ``scale`` when given; ``dropout``: the rate after each hidden activation (0: none; the
    masks are drawn from the same generator as the weights); ``bias=False`` drops every
    bias; ``rng``: None follows ``dl.seed``, an int seeds a fresh generator.
    """
    gen = as_generator(rng)
    layers = hidden_layers(
        n_in, hidden, activation, init, scale, batch_norm, dropout, bias, dtype, gen
    )
    dense = [layer for layer in layers if isinstance(layer, Dense)]
    prev = dense[-1].out_features if dense else check_int("n_in", n_in, minimum=1)
    layers.append(
        Dense(
            prev,
            check_int("n_out", n_out, minimum=1),
            init=init,
            bias=bias,
            dtype=dtype,
            rng=gen,
            scale=scale,
        )
    )
    return Sequential(layers)
