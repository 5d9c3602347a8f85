"""The tour's experiments (notebook 00): raising the learning rate mid-run, against a control.

:func:`raise_lr_run` is the TrainingDashboard's run (``make_data``, ``playground_network``,
Adam, batches of 32, epoch seeds from :class:`~.training_runs.EpochSeeds`) on the moons with
one hidden layer: ``first_epochs`` at ``lr``, then ``more_epochs`` at ``new_lr``. The control
is the same call with ``new_lr = lr``: the same network, data and batches, only the step size
of the last epochs differs.

Used by: notebook 00 (the question Q_RAISE_LR) and tests/test_claims_start_here.py.
"""

from __future__ import annotations

import numpy as np

from .. import optim
from ..losses import BinaryCrossEntropy
from ..train import History, fit
from .training_runs import EpochSeeds, make_data, playground_network

__all__ = ["raise_lr_run"]


def raise_lr_run(
    seed: int,
    new_lr: float,
    lr: float = 0.01,
    width: int = 8,
    first_epochs: int = 100,
    more_epochs: int = 50,
) -> tuple[float, float]:
    """Training cost ``(J after first_epochs, J after first_epochs + more_epochs)`` of the
    dashboard's default run (moons, noise 0.2, 300 examples, 30 % validation, one tanh layer
    of ``width`` units, Xavier, Adam) when the learning rate goes from ``lr`` to ``new_lr``."""
    X_train, X_val, y_train, y_val = make_data("moons", 300, 0.2, 0.3, seed)
    model = playground_network(
        2, 1, 1, width, "tanh", "xavier", rng=np.random.default_rng(seed + 2)
    )
    opt = optim.create("adam", model.parameters(), lr, 0.9, 0.9, 0.999)
    history, loss = History(), BinaryCrossEntropy()
    for epochs in (first_epochs, more_epochs):
        fit(
            model,
            X_train,
            y_train,
            loss,
            opt,
            epochs=epochs,
            batch_size=32,
            validation=(X_val, y_val),
            history=history,
            callbacks=[EpochSeeds(seed)],
        )
        opt.lr = new_lr
    return float(history.loss[first_epochs - 1]), float(history.loss[-1])
