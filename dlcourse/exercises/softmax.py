r"""Checks for notebook 12 (softmax regression).

- :func:`check_stable_softmax`: softmax along the last axis,

      softmax(z)_k = exp(z_k - max_j z_j) / sum_c exp(z_c - max_j z_j),

  which equals exp(z_k) / sum_c exp(z_c) but never overflows: the largest exponent is 0.
  The hidden cases include logits around +-1000, where the textbook formula gives NaN.

- :func:`check_softmax_cross_entropy`: ``softmax_cross_entropy(z, y) -> (J, dZ)``, the mean
  cross-entropy of integer labels y computed with log-sum-exp,
  J = mean_i (logsumexp(z_i) - z_{i, y_i}), and its gradient dZ = (softmax(z) - Y) / m.
  Hidden cases include rows with a spread of thousands, where log(softmax) gives inf.

- :func:`check_softmax_loss_vectorized`: ``softmax_loss_vectorized(W, X, y, reg) -> (J, dW)``,
  softmax regression with L2 (CS231n's vectorised softmax loss in the course's convention:
  W of shape (C, n), Z = X Wᵀ, λ = reg),

      J = (1/m) sum_i -log softmax(Z)[i, y_i] + λ/(2m) sum W²,
      dW = (1/m) (P - Y)ᵀ X + (λ/m) W,

  reference :func:`dlcourse.experiments.digits.softmax_regression_loss`. Hidden cases vary
  W, X, y and λ (0 among them) and include scores in the thousands; a last case of 120
  examples refuses an answer that indexes the examples one by one (a loop over rows).

The hidden cases come from :func:`dlcourse.losses.softmax`, the package's own implementation.
Questions of notebook 12: :data:`Q_NAIVE_SOFTMAX`, :data:`Q_TWO_CLASSES`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..experiments.digits import softmax_regression_loss
from ..losses import log_softmax, softmax
from .grader import graded
from .grader import ESTIMATED, GRADIENT_HELPERS, exercise  # noqa: F401
from .grader import (
    Case,
    CheckResult,
    DiagnosedCase,
    Mistake,
    close,
    run_cases,
    run_with_mistakes,
    with_mistakes,
)
from .questions import Question

__all__ = [
    "Q_NAIVE_SOFTMAX",
    "Q_TWO_CLASSES",
    "check_softmax_cross_entropy",
    "check_softmax_loss_vectorized",
    "check_stable_softmax",
]

Q_NAIVE_SOFTMAX = Question(
    "Q_NAIVE_SOFTMAX",
    "c",
    "exp(1000) is above the largest float64, so every exponential is inf, and inf / inf "
    "is NaN: the textbook formula returns NaN for every class.",
    {
        "a": "the right probabilities, about 0.09, 0.24, 0.67",
        "b": "[0, 0, 1]: the largest logit takes everything",
        "c": "NaN for every class",
    },
)
Q_TWO_CLASSES = Question(
    "Q_TWO_CLASSES",
    "b",
    "Each step moves w_2 by -α g and w_1 by +α g, so their difference, the logistic weight, "
    "moves by -2α g: logistic regression with 2α follows softmax regression with α.",
    {"a": "α = 0.1, the same", "b": "α = 0.2, twice as large", "c": "α = 0.05, half as large"},
)

_NO_MAX = (
    "exp of a logit like 1000 overflows to inf and inf / inf is NaN: subtract each "
    "row's maximum from z before np.exp (the result does not change, since the "
    "factor exp(-max) cancels between numerator and denominator)."
)
_GLOBAL_MAX = (
    "subtract the maximum of each row (z.max(axis=-1, keepdims=True)), not of the "
    "whole array: a row far below the global maximum underflows to 0 / 0."
)
_AXIS = (
    "normalise each row over the classes: take the max and the sum along the last "
    "axis (axis=-1), so each row sums to 1."
)
_KEEPDIMS = (
    "z.max(axis=-1) has shape (m,) and broadcasts along the wrong axis: use "
    "keepdims=True (shape (m, 1)) for the max and for the sum."
)
_LOG = "that is log softmax; return the probabilities exp(...) / sum exp(...)."
_UNNORMALISED = "divide by the sum of the exponentials so that each row sums to 1."
_MIN_SHIFT = (
    "subtracting the row MINIMUM leaves exponents as large as the row's spread: a row "
    "like [0, 1000] still overflows. Only one choice of shift makes every exponent <= 0."
)
_MEAN_SHIFT = (
    "subtracting the row MEAN leaves exponents up to half the row's spread: a row "
    "like [-1500, 0, 1500] still overflows. Only one choice of shift makes every "
    "exponent <= 0."
)


def _naive(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _global(z):
    e = np.exp(z - z.max())
    return e / e.sum(axis=-1, keepdims=True)


def _axis0(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def _no_keepdims(z):
    e = np.exp(z - z.max(axis=-1))
    return e / e.sum(axis=-1)


def _shifted(z, s):
    e = np.exp(z - s)
    return e / e.sum(axis=-1, keepdims=True)


def _softmax_cases() -> list[DiagnosedCase]:
    rng = np.random.default_rng(1212)
    inputs = [
        np.array([[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]]),
        np.array([[1000.0, 1001.0, 1002.0], [3.0, 1.0, -2.0]]),  # overflow
        np.array([[2.0, 1.0, 0.1], [-1000.0, -999.0, -998.0], [1002.0, 1000.0, 999.0]]),
        rng.normal(0.0, 3.0, size=(4, 10)),
        50.0 * rng.standard_normal((3, 3)),
        np.array([[0.0, 1000.0], [1.0, -1.0]]),  # min-shift overflows
        np.array([[-1500.0, 0.0, 1500.0], [2.0, 0.0, -1.0]]),  # mean-shift overflows
    ]
    out = []
    for z in inputs:
        with np.errstate(all="ignore"):
            mistakes = [
                Mistake(_shifted(z, z.mean(axis=-1, keepdims=True)), _MEAN_SHIFT),
                Mistake(_shifted(z, z.min(axis=-1, keepdims=True)), _MIN_SHIFT),
                Mistake(_naive(z), _NO_MAX),
                Mistake(_global(z), _GLOBAL_MAX),
                Mistake(_axis0(z), _AXIS),
                Mistake(log_softmax(z), _LOG),
                Mistake(np.exp(z - z.max(axis=-1, keepdims=True)), _UNNORMALISED),
            ]
            if z.shape[0] == z.shape[1]:  # square: the broadcasting mistake gives an answer
                mistakes.append(Mistake(_no_keepdims(z), _KEEPDIMS))
        out.append(
            DiagnosedCase(
                Case(
                    (z.copy(),),
                    softmax(z),
                    "return exp(z - max) / sum exp(z - max), max and sum taken along the last "
                    "axis with keepdims=True; same shape as z, each row summing to 1.",
                ),
                mistakes,
            )
        )
    return out


@graded
@exercise(forbidden=("dlcourse.losses.softmax", "dlcourse.losses.log_softmax"))
def check_stable_softmax(stable_softmax: Callable) -> CheckResult:
    """Check ``stable_softmax(z) -> probabilities`` for logits z of shape (m, C)."""
    wrapped = _explain_broadcast(stable_softmax)
    return run_with_mistakes("stable_softmax", wrapped, _softmax_cases(), rtol=1e-9, atol=1e-12)


def _explain_broadcast(fn: Callable) -> Callable:
    """The learner's function, with the broadcasting error of a missing keepdims turned
    into the specific hint (the grader reports other exceptions as they are)."""
    if not callable(fn):
        return fn

    def call(z):
        try:
            return fn(z)
        except ValueError as exc:
            if "broadcast" in str(exc):
                raise ValueError(f"{exc}. Hint: {_KEEPDIMS}") from None
            raise

    return call


# ------------------------------------------------------------------ softmax cross-entropy
def _lse(z):
    s = z.max(axis=-1, keepdims=True)
    return (s + np.log(np.exp(z - s).sum(axis=-1, keepdims=True)))[:, 0]


def _reference_sce(z, y):
    z = np.asarray(z, dtype=np.float64)
    m = len(y)
    J = float(np.mean(_lse(z) - z[np.arange(m), y]))
    dZ = softmax(z)
    dZ[np.arange(m), y] -= 1.0
    return J, dZ / m


def _one_hot(y, C):
    return np.eye(C)[y]


_SCE_MISTAKES = [
    (
        lambda z, y: (
            float(-np.mean(np.log(softmax(z)[np.arange(len(y)), y]))),
            _reference_sce(z, y)[1],
        ),
        "taking the log of the (stable) softmax still gives log 0 = -inf when a probability "
        "underflows to 0, for a row like [0, -1000]: compute log p = z - logsumexp(z) directly.",
    ),
    (
        lambda z, y: (
            float(-np.mean(np.log(_naive(z)[np.arange(len(y)), y]))),
            (_naive(z) - _one_hot(y, z.shape[1])) / len(y),
        ),
        "exp of a large logit overflows: compute log sum exp with the row maximum taken out.",
    ),
    (
        lambda z, y: (_reference_sce(z, y)[0], _reference_sce(z, y)[1] * len(y)),
        "J is the MEAN over the m examples, so each row of dZ carries a factor 1/m.",
    ),
    (
        lambda z, y: (_reference_sce(z, y)[0] * len(y), _reference_sce(z, y)[1] * len(y)),
        "J is the mean over the examples, not the sum (and dZ then has a factor 1/m).",
    ),
    (
        lambda z, y: (_reference_sce(z, y)[0], -_reference_sce(z, y)[1]),
        "mind the sign of the gradient: it is the probabilities MINUS the one-hot labels.",
    ),
    (
        lambda z, y: (_reference_sce(z, y)[0], softmax(z) / len(y)),
        "the gradient subtracts the one-hot labels from the probabilities.",
    ),
    (
        lambda z, y: (float(np.mean(_lse(z) + z[np.arange(len(y)), y])), _reference_sce(z, y)[1]),
        "the loss is logsumexp(z) MINUS the true class's logit.",
    ),
    (
        lambda z, y: (
            float(
                np.mean(
                    np.log(np.exp(z - z.max()).sum(axis=-1)) + z.max() - z[np.arange(len(y)), y]
                )
            ),
            _reference_sce(z, y)[1],
        ),
        "take the maximum of each row (axis=-1), not of the whole array: a row far below the "
        "global maximum underflows to log 0.",
    ),
]


def _sce_cases() -> list[DiagnosedCase]:
    rng = np.random.default_rng(1213)
    problems = [
        (
            np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0], [1.0, 1.0, 1.0], [-2.0, 0.0, 3.0]]),
            np.array([0, 1, 2, 0]),
        ),
        (rng.normal(0, 2, size=(5, 4)), np.array([3, 0, 1, 2, 2])),
        (np.array([[1000.0, 1001.0, 1002.0], [3.0, 1.0, -2.0]]), np.array([0, 1])),
        (np.array([[0.0, -1000.0], [5.0, 2.0]]), np.array([1, 0])),
        (np.array([[-1500.0, 0.0, 1500.0], [-1000.0, -999.0, -998.0]]), np.array([0, 2])),
    ]
    cases = [
        Case(
            (z.copy(), y.copy()),
            _reference_sce(z, y),
            "J = mean of logsumexp(z_i) - z_{i, y_i}, computed with the row maximum taken "
            "out; dZ = (softmax(z) - one_hot(y)) / m, same shape as z.",
        )
        for z, y in problems
    ]
    return with_mistakes(cases, _SCE_MISTAKES)


@graded
@exercise(
    items=("J", "dZ"),
    forbidden=(
        *GRADIENT_HELPERS,
        "dlcourse.losses.softmax",
        "dlcourse.losses.log_softmax",
        "dlcourse.losses.SoftmaxCrossEntropy.forward",
        "dlcourse.losses.SoftmaxCrossEntropy.backward",
    ),
)
def check_softmax_cross_entropy(softmax_cross_entropy: Callable) -> CheckResult:
    """Check ``softmax_cross_entropy(z, y) -> (J, dZ)`` (module docstring)."""

    def call(z, y):
        out = softmax_cross_entropy(z, y)
        if isinstance(out, tuple) and len(out) == 2:
            return (out[0], out[1])
        return out

    if not callable(softmax_cross_entropy):
        call = softmax_cross_entropy
    return run_with_mistakes("softmax_cross_entropy", call, _sce_cases(), rtol=1e-9, atol=1e-12)


# ------------------------------------------------------ softmax regression's loss and dW
_FULL = (
    "J = (1/m) sum_i -log P[i, y_i] + λ/(2m) sum W², with P = softmax(X Wᵀ) computed with "
    "each row's maximum taken out; dW = (1/m)(P - Y)ᵀ X + (λ/m) W, the shape of W (C, n)."
)
_L2_HINTS = {
    "cs231n": (
        "the course's L2 term is λ/(2m) sum W² (CS231n writes reg * sum W², without "
        "the 1/(2m)): its gradient is (λ/m) W."
    ),
    "no_m": "divide the L2 term by m as well: λ/(2m) sum W² in J, (λ/m) W in dW.",
    "no_half": "the L2 term in J is λ/(2m) sum W², with the factor 1/2 (its gradient is then (λ/m) W).",
    "grad_half": (
        "the derivative of λ/(2m) sum W² is (λ/m) W: the 2 of the square cancels the 1/2, "
        "so dW gets (λ/m) W, not λ/(2m) W."
    ),
    "grad_double": "the derivative of λ/(2m) sum W² is (λ/m) W, not (2λ/m) W.",
    "no_l2_loss": "J must include the L2 term λ/(2m) sum W² (your dW has it, your J does not).",
    "no_l2_grad": "dW must include the gradient of the L2 term, (λ/m) W (your J has the term).",
}
_LOOP = (
    "your function indexes the examples one by one (a Python loop over the m rows): write "
    "it with whole-array operations — Z = X @ W.T for all scores at once, one-hot labels or "
    "fancy indexing P[np.arange(m), y], and dW = dZ.T @ X."
)


def _sm_parts(W, X, y):
    """log P, P - Y and m for the hidden cases' mistakes."""
    log_p = log_softmax(X @ W.T)
    dZ = np.exp(log_p)
    dZ[np.arange(len(y)), y] -= 1.0
    return log_p, dZ, len(y)


def _sm_variant(l2_j=0.5, l2_g=1.0, sign=1.0, m_in_g=True, onehot=True, mean=True):
    """A softmax regression loss whose pieces can be wrong: J = CE + l2_j (λ/m) ΣW²,
    dW = sign (P - Y)ᵀX / m + l2_g (λ/m) W (an ``l2_*`` given as a 1-tuple (f,): f λ,
    without the 1/m; ``mean=False``: the cross-entropy summed over the examples)."""

    def loss(W, X, y, reg):
        log_p, dZ, m = _sm_parts(W, X, y)
        if not onehot:
            dZ = np.exp(log_p)
        ce = -log_p[np.arange(m), y].sum() / (m if mean else 1)
        sq = float(np.sum(W * W))
        J = ce + (l2_j[0] * reg * sq if isinstance(l2_j, tuple) else l2_j * reg / m * sq)
        data = sign * dZ.T @ X / (m if m_in_g else 1)
        reg_g = l2_g[0] * reg * W if isinstance(l2_g, tuple) else l2_g * reg / m * W
        return float(J), data + reg_g

    return loss


def _sm_unstable(W, X, y, reg):
    m = len(y)
    e = np.exp(X @ W.T)
    P = e / e.sum(axis=1, keepdims=True)
    J = -np.mean(np.log(P[np.arange(m), y])) + reg / (2 * m) * np.sum(W * W)
    P[np.arange(m), y] -= 1.0
    return float(J), P.T @ X / m + reg / m * W


def _sm_log_of_softmax(W, X, y, reg):
    m = len(y)
    P = softmax(X @ W.T)
    J = -np.mean(np.log(P[np.arange(m), y])) + reg / (2 * m) * np.sum(W * W)
    P[np.arange(m), y] -= 1.0
    return float(J), P.T @ X / m + reg / m * W


def _sm_transposed(W, X, y, reg):
    J, dW = softmax_regression_loss(W, X, y, reg)
    return J, dW.T


_SM_MISTAKES = [
    (_sm_variant(l2_j=(1.0,), l2_g=(2.0,)), _L2_HINTS["cs231n"]),
    (_sm_variant(l2_j=(0.5,), l2_g=(1.0,)), _L2_HINTS["no_m"]),
    (_sm_variant(l2_j=1.0), _L2_HINTS["no_half"]),
    (_sm_variant(l2_g=0.5), _L2_HINTS["grad_half"]),
    (_sm_variant(l2_g=2.0), _L2_HINTS["grad_double"]),
    (_sm_variant(l2_j=0.0), _L2_HINTS["no_l2_loss"]),
    (_sm_variant(l2_g=0.0), _L2_HINTS["no_l2_grad"]),
    (
        _sm_variant(m_in_g=False),
        "J is a mean over the m examples, so the data part of dW carries 1/m: (1/m)(P - Y)ᵀ X.",
    ),
    (
        _sm_variant(sign=-1.0),
        "mind the sign: the gradient of the cross-entropy is (P - Y)ᵀ X / m, probabilities "
        "MINUS one-hot labels.",
    ),
    (_sm_variant(onehot=False), "subtract the one-hot labels Y from P before multiplying by X."),
    (
        _sm_variant(mean=False),
        "J averages the cross-entropy over the m examples (a mean, not a sum).",
    ),
    (
        _sm_unstable,
        "exp of a large score overflows to inf: take each row's maximum out of Z = X Wᵀ "
        "before np.exp (log-sum-exp).",
    ),
    (
        _sm_log_of_softmax,
        "the log of a probability that underflowed to 0 is -inf: compute log P = Z - "
        "logsumexp(Z) directly (log-sum-exp), not np.log(softmax).",
    ),
    (
        _sm_transposed,
        "dW has the shape of W, (C, n) with classes in rows: dW = dZᵀ X, not Xᵀ dZ.",
    ),
]


class _RowCounter(np.ndarray):
    """An array that counts how often Python code indexes it or iterates over it (the
    arrays computed from it count too): a loop over the examples does it once per row."""

    count = [0]

    def __getitem__(self, key):
        _RowCounter.count[0] += 1
        return super().__getitem__(key)

    def __iter__(self):
        _RowCounter.count[0] += len(self)
        return super().__iter__()


def _sm_problem(rng, C, n, m, scale=1.0):
    W = scale * rng.normal(0.0, 1.0, (C, n))
    X = rng.normal(0.0, 1.0, (m, n))
    y = rng.permutation(np.arange(m) % C)
    return W, X, y


def _sm_cases() -> list[DiagnosedCase]:
    rng = np.random.default_rng(1214)
    problems = [
        (*_sm_problem(rng, 3, 4, 5), 0.7),
        (*_sm_problem(rng, 4, 4, 7), 3.1),  # square W: a transposed dW has its shape
        (*_sm_problem(rng, 5, 3, 9), 0.0),
        (*_sm_problem(rng, 3, 5, 6, scale=400.0), 0.25),  # scores in the thousands
        (*_sm_problem(rng, 6, 2, 8), 25.0),
    ]
    cases = [
        Case((W, X, y, reg), softmax_regression_loss(W, X, y, reg), _FULL)
        for W, X, y, reg in problems
    ]
    return with_mistakes(cases, _SM_MISTAKES)


def _loop_case() -> tuple:
    """A case with m = 120 examples, X given as a :class:`_RowCounter`."""
    W, X, y = _sm_problem(np.random.default_rng(1215), 5, 6, 120)
    return W, X.view(_RowCounter), y, 1.3


@graded
@exercise(
    reference=softmax_regression_loss,
    items=("J", "dW"),
    forbidden=(
        *GRADIENT_HELPERS,
        "dlcourse.losses.softmax",
        "dlcourse.losses.log_softmax",
        "dlcourse.losses.SoftmaxCrossEntropy.forward",
        "dlcourse.losses.SoftmaxCrossEntropy.backward",
        "dlcourse.losses.l2_penalty",
        "dlcourse.losses.add_l2_grad",
        "dlcourse.experiments.digits.softmax_regression_loss",
    ),
)
def check_softmax_loss_vectorized(softmax_loss_vectorized: Callable) -> CheckResult:
    """Check ``softmax_loss_vectorized(W, X, y, reg) -> (J, dW)`` (module docstring):
    hidden cases with other W, X, y and λ, then one case of 120 examples that a loop over
    the examples fails."""
    name = "softmax_loss_vectorized"
    if not callable(softmax_loss_vectorized):
        return run_cases(name, softmax_loss_vectorized, [])
    result = run_with_mistakes(
        name,
        _pair(softmax_loss_vectorized),
        _sm_cases(),
        rtol=1e-10,
        atol=1e-13,
        estimated=ESTIMATED,
    )
    if not result.passed:
        return result
    W, X, y, reg = _loop_case()
    _RowCounter.count[0] = 0
    got = _pair(softmax_loss_vectorized)(W, X, y, reg)
    if _RowCounter.count[0] >= len(y) // 2:
        return CheckResult(False, f"{name}: not yet — {_LOOP}")
    if not close(got, softmax_regression_loss(W, np.asarray(X), y, reg), 1e-10, 1e-13):
        return CheckResult(False, f"{name}: not yet — case 6 (120 examples). Hint: {_FULL}")
    return CheckResult(True, f"{name}: correct")


def _pair(fn: Callable) -> Callable:
    """``fn`` with a returned pair (any sequence of two) as a tuple, J as a float."""

    def call(*args):
        out = fn(*args)
        if isinstance(out, (tuple, list)) and len(out) == 2:
            return (out[0], np.asarray(out[1]))
        return out

    return call
