"""The searches of notebook 10 and the SearchExplorer: a toy objective with a known
optimum, and a ready objective that trains a small MLP.

The toy objective is a stand-in for "validation error after training" with two
hyperparameters, the learning rate alpha (it matters a lot) and the momentum beta (it
hardly matters), each on the log scale the course recommends:

    u = log10(alpha) in [-4, 0],        v = log10(1 - beta) in [-3, -1]  (beta: 0.9 .. 0.999)
    error(alpha, beta) = 0.08 + 0.6 (1 - exp(-(u - u*)^2 / (2 * 0.3^2))) + 0.015 (v - v*)^2

with u* = log10(0.02), v* = log10(1 - 0.99) = -2: a narrow valley across alpha, nearly
flat along beta. With a budget of n trials grid search tries :func:`grid_shape` (n) points.

:func:`train_mlp_objective` trains a ReLU network (:func:`~.networks.mlp`) with momentum on
a fixed 2-D data set and scores it by the validation loss.

Used by: notebook 10 (:data:`SPACE`, :func:`toy_objective`, :func:`train_mlp_objective`),
:class:`dlcourse.widgets.SearchExplorer` and the tests of :mod:`dlcourse.search`.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from .._checks import check_int
from ..datasets import make, standardize, train_val_split
from ..losses import SoftmaxCrossEntropy
from ..optim import Momentum
from ..search import log_uniform, one_minus_log_uniform, run_trial
from ..train import DivergenceWarning, fit
from .networks import mlp

__all__ = [
    "MLP_DEFAULTS",
    "lr_cost",
    "SPACE",
    "U_BEST",
    "V_BEST",
    "grid_shape",
    "sweep_spread",
    "toy_error",
    "toy_objective",
    "train_mlp_objective",
]

#: The search space: alpha log-uniform in [1e-4, 1], beta with 1 - beta log-uniform.
SPACE = {"lr": log_uniform(1e-4, 1.0), "beta": one_minus_log_uniform(0.9, 0.999)}
U_BEST, V_BEST, WIDTH = math.log10(0.02), -2.0, 0.3


def toy_objective(params: dict, seed: int = 0) -> float:
    """error(alpha, beta) of the module docstring (``params["lr"]``, ``params["beta"]``);
    ``seed`` is accepted for :mod:`dlcourse.search` and ignored (no noise)."""
    u = np.log10(params["lr"])
    v = np.log10(1.0 - params["beta"])
    return float(toy_error(u, v))


def toy_error(u, v):
    """The objective in the log coordinates u = log10 alpha, v = log10(1 - beta)."""
    return (
        0.08
        + 0.6 * (1.0 - np.exp(-((u - U_BEST) ** 2) / (2 * WIDTH**2)))
        + 0.015 * (v - V_BEST) ** 2
    )


def grid_shape(trials: int) -> tuple[int, int]:
    """(k_alpha, k_beta): k_beta = floor(sqrt(n)), k_alpha = n // k_beta; k_alpha k_beta <= n."""
    k_beta = max(1, math.isqrt(trials))
    return trials // k_beta, k_beta


# ------------------------------------------------------------------ a small MLP
MLP_DEFAULTS: dict[str, Any] = {
    "lr": 0.1,
    "beta": 0.9,
    "hidden": 16,
    "layers": 1,
    "batch_size": 32,
    "l2": 0.0,
    "epochs": 60,
    "dataset": "moons",
    "n": 300,
    "noise": 0.25,
}
_INT_PARAMS = ("hidden", "layers", "batch_size", "epochs", "n")


@functools.lru_cache(maxsize=8)
def _mlp_data(dataset: str, n: int, noise: float) -> tuple[np.ndarray, ...]:
    """The fixed data every trial shares (seed 0): standardised train/val split, 75/25."""
    X, y = make(dataset, n=n, noise=noise, rng=0)
    X_tr, X_val, y_tr, y_val = train_val_split(X, y, val_fraction=0.25, rng=1)
    X_tr, X_val, _, _ = standardize(X_tr, X_val)
    for a in (X_tr, X_val, y_tr, y_val):
        a.setflags(write=False)
    return X_tr, X_val, y_tr, y_val


def _as_int(name: str, value) -> int:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    return check_int(name, value, minimum=1)


def _mlp_config(params: Mapping) -> dict:
    unknown = sorted(set(params) - set(MLP_DEFAULTS))
    if unknown:
        raise ValueError(f"unknown hyperparameter(s) {unknown}; valid: {sorted(MLP_DEFAULTS)}")
    cfg = {**MLP_DEFAULTS, **params}
    for name in _INT_PARAMS:
        cfg[name] = _as_int(name, cfg[name])
    return cfg


def train_mlp_objective(params: Mapping, seed: int) -> dict:
    """Train a small ReLU network on a fixed 2-D data set and score it by validation loss.

    ``params`` (missing keys take ``MLP_DEFAULTS``): ``lr`` (alpha), ``beta`` (momentum,
    course form v = beta v + (1 - beta) g), ``hidden`` units per layer, ``layers`` hidden
    layers, ``batch_size``, ``l2`` (lambda), ``epochs``, and the data: ``dataset``
    (a :data:`dlcourse.datasets.DATASETS` name), ``n``, ``noise``. The data are the same for
    every trial (generated with seed 0, 25% held out, standardised); ``seed`` sets the
    weight initialisation and the mini-batch order. Returns {"score": final validation
    loss, "val_accuracy", "train_loss"}; a run whose loss becomes NaN/inf raises
    FloatingPointError (recorded as a failed trial by the searches).
    """
    cfg = _mlp_config(params)
    X_tr, X_val, y_tr, y_val = _mlp_data(cfg["dataset"], cfg["n"], float(cfg["noise"]))
    rng = np.random.default_rng(seed)
    model = mlp(
        X_tr.shape[1], [cfg["hidden"]] * cfg["layers"], int(y_tr.max()) + 1, "relu", "he", rng=rng
    )
    optimizer = Momentum(model.parameters(), lr=cfg["lr"], beta=cfg["beta"])
    # a diverging run is reported below as an error, so its warnings would only be noise
    with warnings.catch_warnings(), np.errstate(over="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", DivergenceWarning)
        history = fit(
            model,
            X_tr,
            y_tr,
            loss=SoftmaxCrossEntropy(),
            optimizer=optimizer,
            epochs=cfg["epochs"],
            batch_size=cfg["batch_size"],
            l2=cfg["l2"],
            validation=(X_val, y_val),
            seed=int(rng.integers(2**31)),
        )
    if (
        history.diverged is not None
        or not history.val_loss
        or not math.isfinite(history.val_loss[-1])
    ):
        where = history.diverged
        at = f" at epoch {where.epoch}, step {where.step}" if where else ""
        raise FloatingPointError(f"training diverged{at}: learning rate {cfg['lr']:g} too large")
    return {
        "score": float(history.val_loss[-1]),
        "val_accuracy": float(history.val_accuracy[-1]),
        "train_loss": float(history.loss[-1]),
    }


def sweep_spread(base: Mapping, sweeps: Mapping[str, list], seed: int) -> dict[str, float]:
    """One hyperparameter at a time: for each name, the spread max - min of the validation
    cost of :func:`train_mlp_objective` ({**base, name: value}, seed) over its values."""
    spread = {}
    for name, values in sweeps.items():
        scores = [train_mlp_objective({**base, name: v}, seed=seed)["score"] for v in values]
        spread[name] = max(scores) - min(scores)
    return spread


def lr_cost(alpha: float, beta: float = 0.9) -> float:
    """The validation cost of the momentum network of notebook 10's experiment 4 (20 epochs,
    200 points, the same initial weights every time) trained with learning rate ``alpha``:
    :func:`train_mlp_objective`'s score, ``inf`` for a run that diverged."""
    params = {"lr": float(alpha), "beta": beta, "epochs": 20, "n": 200}
    return run_trial(train_mlp_objective, params, 0)["score"]
