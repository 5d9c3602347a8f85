r"""Check for notebook 00's exercise: one training step of the tour's network, by hand.

The network is the tour's: Dense, ReLU, Dense, then softmax cross-entropy, with examples in
rows (X: (m, n^[0]), W^[l]: (n^[l], n^[l-1]), integer labels y: (m,)).
``training_step(W1, b1, W2, b2, X, y, lr) -> (J, W1, b1, W2, b2)`` does

- forward:  Z1 = X W1^T + b1,  A1 = max(0, Z1),  Z2 = A1 W2^T + b2,  P = softmax(Z2) by rows;
- cost:     J = -(1/m) sum_i log P[i, y_i], the cost *before* the update (what ``dl.fit``
  records);
- backward: dZ2 = (P - Y) / m (Y one-hot),  dW2 = dZ2^T A1,  db2 = sum_i dZ2_i,
  dA1 = dZ2 W2,  dZ1 = dA1 * 1[Z1 > 0],  dW1 = dZ1^T X,  db1 = sum_i dZ1_i;
- update:   W <- W - lr dW for each of the four arrays, returned as new arrays.

The expected values come from the package itself (``Dense``, ``ReLU``,
``SoftmaxCrossEntropy``, ``optim.SGD``, ``train_step``), which the learner's function may not
call. The hidden cases vary every size (inputs, hidden units, classes, examples) and the
learning rate; one has a ReLU kink (a Z1 exactly 0: g'(0) = 0), one has logits near 1000
(exp overflows unless the row maximum is subtracted), one has a class no label uses.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import optim
from ..activations import ReLU
from ..layers import Dense, Sequential
from ..losses import SoftmaxCrossEntropy
from ..train import train_step
from .grader import graded
from .grader import (
    ESTIMATED,
    GRADIENT_HELPERS,
    Case,
    CheckResult,
    DiagnosedCase,
    Mistake,
    exercise,
    run_with_mistakes,
)

__all__ = ["check_training_step", "reference_training_step", "tour_model", "weights_of"]

ITEMS = ("J", "W1", "b1", "W2", "b2")


def tour_model(n_in: int, hidden: int, classes: int, rng=0) -> Sequential:
    """The tour's network shape: Dense(n_in, hidden, He), ReLU, Dense(hidden, classes, He)."""
    rng = np.random.default_rng(rng)
    return Sequential(
        [Dense(n_in, hidden, init="he", rng=rng), ReLU(), Dense(hidden, classes, rng=rng)]
    )


def weights_of(model: Sequential) -> tuple[np.ndarray, ...]:
    """Copies of (W1, b1, W2, b2) of a Dense-ReLU-Dense model."""
    return tuple(p.value.copy() for p in model.parameters())


def reference_training_step(W1, b1, W2, b2, X, y, lr: float) -> tuple:
    """One step of gradient descent by the package: (J before the step, W1, b1, W2, b2 after)."""
    model = tour_model(W1.shape[1], W1.shape[0], W2.shape[0])
    for p, value in zip(model.parameters(), (W1, b1, W2, b2)):
        p.value[...] = value
    opt = optim.SGD(model.parameters(), lr=lr)
    J = train_step(model, SoftmaxCrossEntropy(), opt, np.asarray(X), np.asarray(y))
    return (J, *weights_of(model))


# ------------------------------------------------------------------ typical mistakes
def _softmax(Z: np.ndarray, shift_axis: int | None = 1, sum_axis: int | None = 1) -> np.ndarray:
    """softmax with the max taken along ``shift_axis`` (None: no shift) and the sum along
    ``sum_axis`` (None: over every entry): the right one is (1, 1)."""
    E = np.exp(Z - Z.max(axis=shift_axis, keepdims=True)) if shift_axis is not None else np.exp(Z)
    return E / E.sum(axis=sum_axis, keepdims=True)


_SOFTMAX = {"softmax_axis": (1, 0), "softmax_axis_cols": (0, 0), "softmax_all": (1, None)}
_SOFTMAX["no_shift"] = (None, 1)


def _wrong_step(W1, b1, W2, b2, X, y, lr, slip: str) -> tuple:
    """The step with one typical slip (named by ``slip``; see ``_HINTS``)."""
    m = len(X)
    C = int(y.max()) + 1 if slip == "classes_from_labels" else W2.shape[0]
    Z1 = X @ W1.T + (0.0 if slip == "no_forward_bias" else b1)
    A1 = np.maximum(Z1, 0.0)
    Z2 = A1 @ W2.T + (0.0 if slip == "no_forward_bias" else b2)
    if slip == "relu_on_output":
        Z2 = np.maximum(Z2, 0.0)
    P = _softmax(Z2, *_SOFTMAX.get(slip, (1, 1)))
    J = -np.sum(np.log(P[np.arange(m), y])) / (1 if slip == "cost_sum" else m)
    dZ2 = (P - np.eye(C)[y]) / (1 if slip == "no_mean" else m)
    dW2 = dZ2.T @ A1
    db2 = dZ2.mean(axis=0) if slip in ("db_mean", "db2_mean") else dZ2.sum(axis=0)
    W2_new = W2 + lr * dW2 if slip == "ascent" else W2 - lr * dW2
    dA1 = dZ2 @ (W2_new if slip == "updated_W2" else W2)
    gate = {"no_relu": 1.0, "mask_ge": Z1 >= 0, "half_kink": np.where(Z1 == 0, 0.5, Z1 > 0)}
    dZ1 = dA1 * gate.get(slip, Z1 > 0)
    dW1 = dZ1.T @ X
    db1 = dZ1.mean(axis=0) if slip in ("db_mean", "db1_mean") else dZ1.sum(axis=0)
    sign = -1.0 if slip == "ascent" else 1.0
    new = [W1 - sign * lr * dW1, b1 - sign * lr * db1, W2_new, b2 - sign * lr * db2]
    if slip == "no_bias":
        new[1], new[3] = b1, b2
    if slip == "cost_after":
        Pn = _softmax(np.maximum(X @ new[0].T + new[1], 0.0) @ new[2].T + new[3])
        J = -np.mean(np.log(Pn[np.arange(m), y]))
    return (float(J), *new)


_DB_MEAN = "db is the sum of dZ over the examples (axis 0): the 1/m is already in dZ2."
_SOFTMAX_HINT = (
    "softmax normalises each row (one example) over the classes: take the max and the sum "
    "along axis 1, with keepdims=True."
)
_HINTS = {
    "ascent": "step against the gradient: W - lr * dW, not W + lr * dW (the gradient points "
    "uphill).",
    "no_mean": "J is the mean of the m losses, so dZ2 = (P - Y) / m: the 1/m is missing.",
    "cost_sum": "J is the mean of the per-example losses -log P[i, y_i], not their sum.",
    "db_mean": _DB_MEAN,
    "db1_mean": _DB_MEAN,
    "db2_mean": _DB_MEAN,
    "no_relu": "between the layers, multiply dA1 = dZ2 W2 by ReLU's derivative at Z1 "
    "(1 where Z1 > 0, else 0).",
    "mask_ge": "at Z1 = 0 exactly, ReLU's derivative is taken as 0 (like the package and "
    "PyTorch): mask with Z1 > 0, not Z1 >= 0.",
    "half_kink": ESTIMATED,
    "updated_W2": "compute every gradient before changing any weight: dA1 = dZ2 W2 uses the W2 "
    "of the forward pass, not the updated one.",
    "cost_after": "return the cost of the forward pass, before the update (what dl.fit "
    "records for the step).",
    "no_bias": "update the biases too: b <- b - lr * db.",
    "softmax_axis": _SOFTMAX_HINT,
    "softmax_axis_cols": _SOFTMAX_HINT,
    "softmax_all": _SOFTMAX_HINT,
    "no_shift": "exp overflowed: subtract each row's maximum from Z2 before exp (softmax is "
    "unchanged by it, and exp stays finite).",
    "no_forward_bias": "the forward pass adds the biases: Z1 = X W1^T + b1 and Z2 = A1 W2^T + b2.",
    "relu_on_output": "the output layer has no ReLU: the softmax takes Z2 itself (a ReLU "
    "there would clip every negative logit to 0).",
    "classes_from_labels": "the number of classes C is W2.shape[0] (the output layer's "
    "units), not y.max() + 1: a batch need not contain every class.",
}


def _mistake(args: tuple, slip: str) -> tuple:
    """(what the slip returns on ``args``, its hint); (None, hint) where the slip raises."""
    try:
        with np.errstate(all="ignore"):
            return _wrong_step(*args, slip=slip), _HINTS[slip]
    except (ValueError, IndexError):
        return None, _HINTS[slip]


# ------------------------------------------------------------------ hidden cases
def _kink(X: np.ndarray, W1: np.ndarray, b1: np.ndarray) -> None:
    """Make Z1[0, 0] exactly 0 in any summation order: X[0] and W1[0] get small dyadic
    entries (their products and sums are exact) and b1[0] is minus their dot product."""
    n = X.shape[1]
    X[0] = np.resize([0.5, -1.0, 0.25, 0.75], n)
    W1[0] = np.resize([1.0, 0.5, -0.25, 0.5], n)
    b1[0] = -float(X[0] @ W1[0])


def _case(rng, n_in, hidden, C, m, lr, kink=False, offset=0.0, labels=None) -> tuple:
    X = rng.standard_normal((m, n_in))
    W1 = rng.standard_normal((hidden, n_in)) * np.sqrt(2.0 / n_in)
    b1 = 0.1 * rng.standard_normal(hidden)
    W2 = rng.standard_normal((C, hidden)) * np.sqrt(2.0 / hidden)
    b2 = 0.1 * rng.standard_normal(C) + offset
    if kink:
        _kink(X, W1, b1)
    y = rng.integers(0, labels or C, size=m)
    return W1, b1, W2, b2, X, y, lr


def _cases() -> list[DiagnosedCase]:
    rng = np.random.default_rng(2020)
    settings = [
        dict(n_in=3, hidden=5, C=3, m=8, lr=0.3, kink=True),
        dict(n_in=2, hidden=4, C=2, m=1, lr=1.0),
        dict(n_in=4, hidden=6, C=4, m=12, lr=0.05, labels=3),  # class 3: no example
        dict(n_in=2, hidden=3, C=3, m=6, lr=2.5, kink=True, offset=1000.0),  # logits ~ 1000
    ]
    out = []
    for s in settings:
        args = _case(rng, **s)
        mistakes = [Mistake(v, h) for v, h in map(_mistake, [args] * len(_HINTS), _HINTS)]
        mistakes = [m for m in mistakes if m.value is not None]
        hint = (
            "follow the four parts of the step in order (forward, cost, backward, update) "
            "with the formulas of the exercise text, and return (J, W1, b1, W2, b2)."
        )
        out.append(DiagnosedCase(Case(args, reference_training_step(*args), hint), mistakes))
    return out


_FORBIDDEN = (
    *GRADIENT_HELPERS,
    "dlcourse.layers.Dense.forward",
    "dlcourse.layers.Dense.backward",
    "dlcourse.layers.Sequential.forward",
    "dlcourse.layers.Sequential.backward",
    "dlcourse.layers.dense_forward",
    "dlcourse.layers.dense_backward",
    "dlcourse.activations.relu_forward",
    "dlcourse.activations.relu_backward",
    "dlcourse.losses.softmax",
    "dlcourse.losses.log_softmax",
    "dlcourse.losses.SoftmaxCrossEntropy.forward",
    "dlcourse.losses.SoftmaxCrossEntropy.backward",
    "dlcourse.optim.optimizers.Optimizer.step",
    "dlcourse.train.train_step",
    "dlcourse.train.fit",
)


@graded
@exercise(reference=reference_training_step, forbidden=_FORBIDDEN, items=ITEMS)
def check_training_step(training_step: Callable) -> CheckResult:
    """Check ``training_step(W1, b1, W2, b2, X, y, lr) -> (J, W1, b1, W2, b2)`` against the
    package's step on four hidden networks and batches."""
    return run_with_mistakes(
        "training_step", training_step, _cases(), rtol=1e-9, atol=1e-12, estimated=ESTIMATED
    )
