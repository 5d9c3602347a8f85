"""The "debug this training run" exercise: the DebugDashboard (notebook 13).

A broken training run is one of :data:`SCENARIOS` (learning rate too small, too large,
inputs not normalised, initial weights too large, labels shuffled); :func:`run_debug`
trains it and runs the babysitting checklist of :mod:`dlcourse.topics.babysit`.

The run: the 8x8 digits split 75 % / 25 % (``train_val_split(..., rng=seed)``), inputs
standardised with the training statistics when ``normalize`` is on (raw pixels 0..16
otherwise), labels of the training set permuted (``default_rng(seed + 1)``) when
``shuffle_labels`` is on; the network Dense(64, 32) -> ReLU -> Dense(32, 10) with weights
drawn from ``default_rng(seed + 2)``: He (std sqrt(2 / n_in)) for the hidden layer and
N(0, 0.01^2) for the output layer (so the loss at init is about log 10), both multiplied by
``init_scale``; trained by ``dl.fit`` with plain SGD(alpha = ``lr``), mini-batches of 64,
``epochs`` epochs, ``seed=seed``.

:class:`DebugChecks` (what lr and epochs do not change, cached by the dashboard) and
:class:`DebugTraining` (the training in pieces, streamed) are :func:`run_debug` cut in two.

Used by: :class:`dlcourse.widgets.DebugDashboard` (notebook 13).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .._checks import check_real
from ..datasets import digits_split
from ..layers import Dense, Sequential
from ..losses import SoftmaxCrossEntropy
from ..optim import SGD
from ..rng import as_generator
from ..topics import babysit
from ..train import DivergenceWarning, History, fit
from .networks import hidden_layers

__all__ = [
    "HEALTHY",
    "N_CLASSES",
    "OVERFIT",
    "SCENARIOS",
    "DebugChecks",
    "DebugTraining",
    "debug_data",
    "debug_network",
    "run_debug",
]

HEALTHY = {"lr": 0.3, "normalize": True, "init_scale": 1.0, "shuffle_labels": False}
#: The broken runs: each one changes one setting of the healthy run.
SCENARIOS: dict[str, dict[str, Any]] = {
    "healthy run": dict(HEALTHY),
    "lr too small": {**HEALTHY, "lr": 1e-5},
    "lr too large": {**HEALTHY, "lr": 5.0},
    "inputs not normalised": {**HEALTHY, "normalize": False},
    "initial weights too large": {**HEALTHY, "init_scale": 30.0},
    "labels shuffled": {**HEALTHY, "shuffle_labels": True},
}
N_CLASSES = 10
OVERFIT = {"n": 20, "epochs": 150, "lr": 0.01}


def debug_data(
    seed: int = 0, normalize: bool = True, shuffle_labels: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``X_train, X_val, y_train, y_val`` of the run (see the module docstring)."""
    X_train, X_val, y_train, y_val = digits_split(int(seed), standardize=bool(normalize))
    if shuffle_labels:
        y_train = np.random.default_rng(seed + 1).permutation(y_train)
    return X_train, X_val, y_train, y_val


def debug_network(init_scale: float = 1.0, rng: Any = None, hidden: int = 32) -> Sequential:
    """Dense(64, hidden) -> ReLU -> Dense(hidden, 10): He weights for the hidden layer
    (:func:`~.networks.hidden_layers`), N(0, 0.01^2) for the output layer, all times
    ``init_scale``; zero biases. ``rng=None`` follows ``dl.seed``."""
    init_scale = check_real("init_scale", init_scale)
    if init_scale <= 0:
        raise ValueError(f"init_scale must be > 0, got {init_scale!r}")
    gen = as_generator(rng)
    layers = hidden_layers(64, [hidden], "relu", "he", scale=init_scale, rng=gen)
    return Sequential(
        [*layers, Dense(hidden, N_CLASSES, init="random", rng=gen, scale=0.01 * init_scale)]
    )


class DebugChecks:
    """The part of a run that neither ``lr`` nor ``epochs`` changes: ``data`` (the four
    arrays of :func:`debug_data`), ``before`` (the preprocessing and initial-loss
    diagnostics) and ``overfit`` (:func:`~dlcourse.topics.babysit.overfit_small_subset` on
    a copy of the untrained network: computed when first read, it takes the longest)."""

    def __init__(
        self, normalize: bool, init_scale: float, shuffle_labels: bool, seed: int = 0
    ) -> None:
        self.init_scale, self.seed = init_scale, seed
        self.data = debug_data(seed, normalize, shuffle_labels)
        X_train, _, y_train, _ = self.data
        model = debug_network(init_scale, rng=seed + 2)
        with np.errstate(all="ignore"):
            self.before = [
                babysit.check_preprocessing(X_train),
                babysit.check_initial_loss(
                    model, SoftmaxCrossEntropy(), X_train, y_train, N_CLASSES
                ),
            ]
        self._overfit: babysit.OverfitResult | None = None

    @property
    def overfit_done(self) -> bool:
        return self._overfit is not None

    @property
    def overfit(self) -> babysit.OverfitResult:
        if self._overfit is None:
            X_train, _, y_train, _ = self.data
            model = debug_network(self.init_scale, rng=self.seed + 2)
            with np.errstate(all="ignore"):
                self._overfit = babysit.overfit_small_subset(
                    model, SoftmaxCrossEntropy(), X_train, y_train, rng=self.seed + 3, **OVERFIT
                )
        return self._overfit


class DebugTraining:
    """The training of :func:`run_debug`, in pieces: ``train(k)`` as often as wanted, then
    ``result()``; after epochs adding up to E it is exactly ``run_debug(..., epochs=E)``
    (``dl.fit(..., history=h)`` continues the run). ``checks`` is :class:`DebugChecks` of
    the same settings."""

    def __init__(self, lr: float, init_scale: float, seed: int, checks: DebugChecks) -> None:
        self.checks, self.seed = checks, seed
        self.model = debug_network(init_scale, rng=seed + 2)
        self.optimizer = SGD(self.model.parameters(), lr)
        self.history = History()
        self.divergence = ""

    def train(self, epochs: int) -> None:
        """``epochs`` more epochs (none once diverged)."""
        if self.history.diverged is not None:
            return
        X_train, X_val, y_train, y_val = self.checks.data
        with np.errstate(all="ignore"), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", DivergenceWarning)
            fit(
                self.model,
                X_train,
                y_train,
                SoftmaxCrossEntropy(),
                self.optimizer,
                epochs=epochs,
                batch_size=64,
                validation=(X_val, y_val),
                seed=self.seed,
                history=self.history,
            )
        self.divergence = self.divergence or next(
            (str(w.message) for w in caught if issubclass(w.category, DivergenceWarning)), ""
        )

    def result(self) -> dict[str, Any]:
        """What :func:`run_debug` returns, for the epochs trained so far."""
        history, overfit = self.history, self.checks.overfit
        diverged = history.diverged is not None
        curve = babysit.check_loss_curve(history.loss, diverged=diverged)
        if diverged or not history.val_accuracy:
            accuracy = babysit.Diagnostic(
                "accuracy", False, None, "none: training stopped on a NaN/inf loss"
            )
        else:
            accuracy = babysit.check_accuracy(
                history.accuracy[-1], history.val_accuracy[-1], N_CLASSES
            )
        return {
            "history": history,
            "model": self.model,
            "overfit": overfit,
            "divergence": self.divergence,
            "diagnostics": [*self.checks.before, overfit.diagnostic(), curve, accuracy],
        }


def run_debug(
    lr: float, normalize: bool, init_scale: float, shuffle_labels: bool, epochs: int, seed: int = 0
) -> dict[str, Any]:
    """Train the run described by the settings; returns ``history`` (a ``History``),
    ``diagnostics`` (the checklist, a list of :class:`~dlcourse.topics.babysit.Diagnostic`),
    ``model`` (trained), ``overfit`` (the :class:`~dlcourse.topics.babysit.OverfitResult`) and
    ``divergence`` (the DivergenceWarning's text, or "")."""
    run = DebugTraining(
        lr, init_scale, seed, DebugChecks(normalize, init_scale, shuffle_labels, seed)
    )
    run.train(epochs)
    return run.result()
