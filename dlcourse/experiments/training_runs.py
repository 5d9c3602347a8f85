"""The run behind the TrainingDashboard (the Playground of notebooks 00, 03-05, 07, 08, 12)
and the Playground's epoch seeds (``experiments.playground_net``).

Determinism: everything is drawn from ``seed``. The data come from
``datasets.make(dataset, n_examples, noise, rng=seed)`` split by
``train_val_split(..., val_fraction, rng=seed + 1)``; the weights from ONE generator
``default_rng(seed + 2)`` in layer order; dropout masks from one generator
``default_rng(seed + 3)``. Epoch e of a run shuffles with
``default_rng(epoch_seed(seed, e))`` (the callback :class:`EpochSeeds`), so the same config
gives the same arrays however training is cut into chunks of ``fit(..., history=h)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import datasets
from ..layers import Dropout, Sequential
from ..rng import as_generator
from ..train import Callback, TrainingContext
from .networks import mlp

__all__ = ["EpochSeeds", "epoch_seed", "make_data", "playground_network"]


def epoch_seed(seed: int, epoch: int) -> int:
    """The ``fit`` seed of epoch ``epoch`` (0-based) of a run seeded ``seed``: a hash of
    the pair through numpy's SeedSequence, so epochs shuffle independently."""
    return int(np.random.SeedSequence([int(seed), int(epoch)]).generate_state(1)[0])


class EpochSeeds(Callback):
    """A ``fit`` callback: epoch e of the run shuffles with ``default_rng(epoch_seed(seed,
    e))`` (``e`` counted over the whole run), so a run gives the same arrays however it is
    cut into ``fit(..., history=h)`` chunks, and epoch e's order does not depend on the
    batch sizes of the epochs before it."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)

    def on_epoch_begin(self, ctx: TrainingContext) -> None:
        ctx.history.rng = np.random.default_rng(epoch_seed(self.seed, ctx.epoch))


def make_data(
    dataset: str, n_examples: int, noise: float, val_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``X_train, X_val, y_train, y_val`` of a 2-D data set (see the module docstring)."""
    X, y = datasets.make(dataset, n=n_examples, noise=noise, rng=seed)
    return datasets.train_val_split(X, y, val_fraction, rng=seed + 1)


def playground_network(
    n_in: int,
    n_out: int,
    hidden_layers: int,
    width: int,
    activation: str,
    init: str,
    dropout: float = 0.0,
    batch_norm: bool = False,
    rng: Any = None,
    dropout_rng: Any = None,
) -> Sequential:
    """:func:`~.networks.mlp` with ``hidden_layers`` layers of ``width`` units whose dropout
    masks come from their own generator ``dropout_rng`` (None: ``dl.seed``), so the weights
    do not depend on whether dropout is on."""
    model = mlp(
        n_in,
        [width] * hidden_layers,
        n_out,
        activation,
        init,
        dropout=dropout,
        batch_norm=batch_norm,
        rng=as_generator(rng),
    )
    masks = None if dropout_rng is None else as_generator(dropout_rng)
    for layer in model:
        if isinstance(layer, Dropout):
            layer.rng = masks
    return model
