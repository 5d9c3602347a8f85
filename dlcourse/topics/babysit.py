r"""Babysitting a training run: the checks to make before and while a network trains.

Each check returns a :class:`Diagnostic` (its ``name``, whether it ``passed``, the measured
``value`` and a one-line ``detail`` that says what it means), so a notebook or a dashboard
can print a checklist.

1. **Preprocessing** (:func:`check_preprocessing`). Inputs should be zero-centred and of
   unit scale, feature by feature: with mu_j, sigma_j the mean and standard deviation of
   feature j over the training set, the check passes when

       max_j |mu_j| <= mean_tol    and    1 / scale_tol <= sigma_j <= scale_tol for every j

   (features whose sigma_j = 0, constant, are ignored for the scale). Raw pixel values
   0..16 fail it; ``dlcourse.datasets.standardize`` passes it.

2. **Loss at initialisation** (:func:`check_initial_loss`). Before training, a network
   whose output layer has small weights gives every class about the same probability 1/C,
   so its softmax cross-entropy is

       L_0 = -log(1/C) = log C          (log 2 = 0.693 for a binary classifier).

   A much larger L_0 means the network is confidently wrong at the start (output weights
   too large, inputs not normalised), a much smaller one that something leaks the labels.
   The check passes when |L_0 - log C| <= rtol * log C.

3. **Overfit a tiny subset** (:func:`overfit_small_subset`). Without regularisation, a
   network that can learn anything must reach ~100 % training accuracy on ~20 examples.
   If it cannot, the bug is in the model, the loss or the optimizer, not in the data size.

4. **Read the loss curve** (:func:`diagnose_loss_curve`). With L_0 the first value and
   L_T the last one of a curve of costs, in this order:

   - ``"diverged"``: some value is NaN or inf: alpha is far too large;
   - ``"rising"``: L_T > L_0: the steps overshoot: alpha is too large;
   - ``"flat"``: (L_0 - L_T) / |L_0| < flat_tol (1 % by default): alpha is too small (or
     the units are dead / saturated);
   - ``"chance"`` (only when the number of classes C is given): the loss fell but ends
     within chance_tol (5 % by default) of log C, relative to log C: the network predicts
     1/C for every class, it learned nothing beyond the class frequencies (what the plain
     "it goes down" reading misses);
   - ``"ok"``: the cost goes down.

5. **Accuracies after training** (:func:`check_accuracy`). A validation accuracy near
   chance, 1/C, after training means the network learned nothing that carries over
   (labels that do not match the inputs, a dead network); a training accuracy far above
   the validation accuracy means over-fitting (regularise, or get more data).

:func:`checklist` runs 1, 2 and 4 on a model, its data and its loss curve.

Two more of CS231n's checks: adding L2 regularization must raise the loss at initialization
(:func:`regularized_initial_loss`), and one update should change each weight matrix by a
small fraction of its size, ||alpha dW|| / ||W|| about 1e-3 by the usual rule of thumb
(:func:`update_ratios`).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from .._checks import check_finite, check_int, check_positive, check_real
from ..layers import Dense
from ..rng import as_generator

__all__ = [
    "Diagnostic",
    "expected_initial_loss",
    "initial_loss",
    "check_initial_loss",
    "check_preprocessing",
    "OverfitResult",
    "overfit_small_subset",
    "diagnose_loss_curve",
    "check_loss_curve",
    "check_accuracy",
    "VERDICTS",
    "checklist",
    "regularized_initial_loss",
    "update_ratios",
]

#: The verdicts of :func:`diagnose_loss_curve` and what each one usually means.
VERDICTS = {
    "diverged": "the loss became NaN/inf: the learning rate is far too large",
    "rising": "the loss went up: the learning rate is too large",
    "flat": "the loss barely moved: the learning rate is too small (or the units are dead)",
    "chance": "the loss fell but ends at log C: the network predicts 1/C for every class",
    "ok": "the loss goes down",
}


@dataclass
class Diagnostic:
    """The outcome of one check: ``str(d)`` is a checklist line such as
    ``"[ok] loss at init: 2.301 (log C = 2.303)"``."""

    name: str
    passed: bool
    value: float | None
    detail: str

    def __str__(self) -> str:
        return f"[{'ok' if self.passed else '!!'}] {self.name}: {self.detail}"


# ---------------------------------------------------------------- loss at initialisation
def expected_initial_loss(n_classes: int) -> float:
    """log C: the cross-entropy of the uniform prediction p_k = 1/C on any label."""
    n_classes = check_int("n_classes", n_classes, minimum=2)
    return math.log(n_classes)


def initial_loss(model, loss, X, y) -> float:
    """The cost of ``model`` on (X, y) at test time (no training step, no L2 term)."""
    X = check_finite("X", X)
    with np.errstate(all="ignore"):
        out = model.forward(X, training=False)
        return float(loss.forward(out, y))


def check_initial_loss(
    model, loss, X, y, n_classes: int | None = None, rtol: float = 0.1
) -> Diagnostic:
    """Compare the loss before training with log C (see the module docstring).

    ``n_classes`` defaults to the number of outputs of the model (2 for a single logit).
    Passes when |L_0 - log C| <= rtol log C."""
    rtol = check_positive("rtol", rtol)
    L0 = initial_loss(model, loss, X, y)
    if n_classes is None:
        with np.errstate(all="ignore"):
            out = model.forward(check_finite("X", X)[:1], training=False)
        n_classes = 2 if out.ndim == 1 or out.shape[-1] == 1 else out.shape[-1]
    expected = expected_initial_loss(n_classes)
    if not math.isfinite(L0):
        return Diagnostic(
            "loss at init",
            False,
            L0,
            f"{L0} before training: check the inputs and the initial weights",
        )
    passed = abs(L0 - expected) <= rtol * expected
    detail = f"{L0:.3f} (log C = {expected:.3f})"
    if L0 > expected * (1 + rtol):
        detail += (
            ": too high, the network starts confidently wrong (weights too large "
            "or inputs not normalised)"
        )
    elif L0 < expected * (1 - rtol):
        detail += ": too low before any training: do the labels leak into the inputs?"
    return Diagnostic("loss at init", passed, L0, detail)


# ---------------------------------------------------------------- preprocessing
def check_preprocessing(X, mean_tol: float = 0.1, scale_tol: float = 3.0) -> Diagnostic:
    """Are the features zero-centred (max_j |mu_j| <= mean_tol) and of unit scale
    (max_j sigma_j <= scale_tol, min over non-constant j of sigma_j >= 1 / scale_tol)?

    ``X`` is the training input (m, n). The value is max_j |mu_j|."""
    X = check_finite("X", X)
    if X.ndim != 2 or len(X) < 2:
        raise ValueError(
            f"X must have shape (examples, features) with at least 2 rows, got {X.shape}"
        )
    mean_tol = check_positive("mean_tol", mean_tol)
    scale_tol = check_positive("scale_tol", scale_tol)
    if scale_tol < 1:
        raise ValueError(f"scale_tol must be >= 1, got {scale_tol!r}")
    mu = X.mean(axis=0)
    sigma = X.std(axis=0)
    varying = sigma[sigma > 0]
    worst_mean = float(np.abs(mu).max())
    top = float(varying.max()) if varying.size else 0.0
    bottom = float(varying.min()) if varying.size else 1.0
    centred = worst_mean <= mean_tol
    scaled = top <= scale_tol and bottom >= 1.0 / scale_tol
    detail = f"max |mean| = {worst_mean:.2f}, std from {bottom:.2f} to {top:.2f}"
    if not centred or not scaled:
        detail += (
            ": standardise the inputs, x -> (x - mu) / sigma with the training set's mu, sigma"
        )
    return Diagnostic("inputs normalised", centred and scaled, worst_mean, detail)


# ---------------------------------------------------------------- overfit a tiny subset
@dataclass
class OverfitResult:
    """What :func:`overfit_small_subset` measured: the training ``accuracy`` and ``loss``
    on the subset after training, the cost per epoch (``losses``) and the subset's indices."""

    accuracy: float
    loss: float
    losses: list[float] = field(default_factory=list)
    indices: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    target: float = 1.0

    @property
    def passed(self) -> bool:
        return self.accuracy >= self.target

    def diagnostic(self) -> Diagnostic:
        detail = f"train accuracy {self.accuracy:.0%} on {len(self.indices)} examples"
        if not self.passed:
            detail += (
                ": the model cannot even memorise them: look for a bug (loss, "
                "backward pass, optimizer) before training on more data"
            )
        return Diagnostic("overfits a tiny subset", self.passed, self.accuracy, detail)


def overfit_small_subset(
    model, loss, X, y, n: int = 20, epochs: int = 200, lr: float = 0.01, rng=0, target: float = 1.0
) -> OverfitResult:
    """Train a copy of ``model`` (the model itself is not changed) on ``n`` examples drawn
    at random from (X, y), full batch, with Adam(alpha = ``lr``) and no regularisation, for
    ``epochs`` epochs; return its training accuracy and losses on those examples.

    Passes (``result.passed``) when the accuracy reaches ``target`` (default 100 %)."""
    from ..optim import Adam
    from ..train import evaluate, fit

    X = check_finite("X", X)
    y = np.asarray(y)
    n = check_int("n", n, minimum=1)
    if n > len(X):
        raise ValueError(f"n={n} is larger than the number of examples ({len(X)})")
    epochs = check_int("epochs", epochs, minimum=1)
    lr = check_positive("lr", lr)
    target = check_real("target", target)
    idx = np.sort(as_generator(rng).choice(len(X), size=n, replace=False))
    net = copy.deepcopy(model)
    with np.errstate(all="ignore"):
        history = fit(
            net, X[idx], y[idx], loss=loss, optimizer=Adam(net.parameters(), lr=lr), epochs=epochs
        )
        cost, acc = evaluate(net, X[idx], y[idx], loss)
    return OverfitResult(
        float(acc if acc is not None else math.nan), float(cost), list(history.loss), idx, target
    )


# ---------------------------------------------------------------- the loss curve
def diagnose_loss_curve(
    losses: Sequence[float],
    n_classes: int | None = None,
    *,
    flat_tol: float = 0.01,
    chance_tol: float = 0.05,
) -> str:
    """One of ``"diverged"``, ``"rising"``, ``"flat"``, ``"chance"`` (only with
    ``n_classes``), ``"ok"`` (rules in the module docstring, checked in that order);
    :data:`VERDICTS` explains each one."""
    flat_tol = check_positive("flat_tol", flat_tol)
    chance_tol = check_positive("chance_tol", chance_tol)
    if n_classes is not None:
        n_classes = check_int("n_classes", n_classes, minimum=2)
    curve = np.asarray(losses, dtype=np.float64).ravel()
    if curve.size < 2:
        raise ValueError(f"losses must hold at least 2 values, got {curve.size}")
    if not np.all(np.isfinite(curve)):
        return "diverged"
    first, last = curve[0], curve[-1]
    if last > first:
        return "rising"
    if (first - last) < flat_tol * abs(first):
        return "flat"
    if n_classes is not None and abs(last - math.log(n_classes)) < chance_tol * math.log(n_classes):
        return "chance"
    return "ok"


def check_loss_curve(
    losses: Sequence[float], flat_tol: float = 0.01, diverged: bool = False
) -> Diagnostic:
    """:func:`diagnose_loss_curve` as a checklist line; ``diverged=True`` (e.g.
    ``history.diverged`` was set, the curve having stopped before the NaN) forces the
    verdict ``"diverged"``."""
    verdict = "diverged" if diverged else diagnose_loss_curve(losses, flat_tol=flat_tol)
    curve = np.asarray(losses, dtype=np.float64).ravel()
    finite = curve[np.isfinite(curve)]
    span = f"{finite[0]:.3g} -> {finite[-1]:.3g}: " if finite.size else ""
    return Diagnostic(
        "loss curve",
        verdict == "ok",
        float(finite[-1]) if finite.size else None,
        span + VERDICTS[verdict],
    )


def check_accuracy(
    train_accuracy: float,
    val_accuracy: float,
    n_classes: int,
    chance_factor: float = 1.5,
    max_gap: float = 0.1,
) -> Diagnostic:
    """Fails when val_accuracy <= chance_factor / C (no better than guessing) or when
    train_accuracy - val_accuracy > max_gap (over-fitting); the value is val_accuracy."""
    train_accuracy = check_real("train_accuracy", train_accuracy)
    val_accuracy = check_real("val_accuracy", val_accuracy)
    n_classes = check_int("n_classes", n_classes, minimum=2)
    for name, v in (("train_accuracy", train_accuracy), ("val_accuracy", val_accuracy)):
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"{name} must be in [0, 1], got {v!r}")
    chance = 1.0 / n_classes
    detail = f"train {train_accuracy:.1%}, validation {val_accuracy:.1%}"
    if val_accuracy <= chance_factor * chance:
        return Diagnostic(
            "accuracy",
            False,
            val_accuracy,
            detail + f": validation at chance level ({chance:.0%}): do the "
            f"labels match the inputs? is the network dead?",
        )
    if train_accuracy - val_accuracy > max_gap:
        return Diagnostic(
            "accuracy",
            False,
            val_accuracy,
            detail + ": a large gap, the network over-fits (regularise)",
        )
    return Diagnostic("accuracy", True, val_accuracy, detail)


def checklist(
    model,
    loss,
    X,
    y,
    losses: Sequence[float] | None = None,
    n_classes: int | None = None,
    diverged: bool = False,
) -> list[Diagnostic]:
    """The preprocessing, loss-at-init and (when ``losses`` is given) loss-curve checks.

    ``model`` must be the network *before* training for the loss-at-init check to mean
    anything."""
    out = [check_preprocessing(X), check_initial_loss(model, loss, X, y, n_classes)]
    if losses is not None and (len(losses) >= 2 or diverged):
        out.append(check_loss_curve(losses, diverged=diverged))
    return out


# ---------------------------------------------------------------- two more of CS231n's checks
def _weights(model) -> list:
    return [layer.W for layer in model.layers() if isinstance(layer, Dense)]


def regularized_initial_loss(model, loss, X, y, l2: float) -> float:
    """J = loss(model(X), y) + l2 / (2m) sum ||W||^2 at the model's current weights."""
    J = float(loss(model.forward(X, training=False), y))
    return J + l2 / (2 * len(X)) * sum(float(np.sum(W.value**2)) for W in _weights(model))


def update_ratios(model, loss, X, y, lr: float) -> np.ndarray:
    """||lr * dJ/dW|| / ||W|| for each Dense layer, for one plain gradient step on (X, y);
    the model is left unchanged."""
    for p in model.parameters():
        p.zero_grad()
    out = model.forward(X, training=True)
    loss(out, y)
    model.backward(loss.backward())
    ratios = [lr * np.linalg.norm(W.grad) / np.linalg.norm(W.value) for W in _weights(model)]
    for p in model.parameters():
        p.zero_grad()
    return np.array(ratios)
