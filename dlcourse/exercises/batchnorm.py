"""Check for notebook 11's exercise: the batch-norm forward pass in training mode.

The learner writes ``batchnorm_forward(Z, gamma, beta, eps)`` returning

    mu = (1/m) sum_i z_i,   sigma^2 = (1/m) sum_i (z_i - mu)^2,
    z_norm = (z - mu) / sqrt(sigma^2 + eps),   z_tilde = gamma * z_norm + beta

for Z of shape (m, n) (examples in rows, statistics per feature over the batch axis). The
expected values come from :func:`dlcourse.layers.batchnorm_forward`. When an answer is wrong
the check compares it with the usual mistakes (statistics over the wrong axis, the unbiased
variance, eps outside the square root, no square root, gamma and beta left out or swapped)
and names the one it matches.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..layers import batchnorm_forward as _reference
from .grader import Case, CheckResult, run_with_mistakes, with_mistakes

NAME = "batchnorm_forward"


def _expected(Z, gamma, beta, eps):
    return _reference(Z, gamma, beta, eps)[0]


# ------------------------------------------------------------------ the usual mistakes
def _over_features(Z, gamma, beta, eps):
    mu = Z.mean(axis=1, keepdims=True)
    var = Z.var(axis=1, keepdims=True)
    return gamma * (Z - mu) / np.sqrt(var + eps) + beta


def _unbiased(Z, gamma, beta, eps):
    return gamma * (Z - Z.mean(0)) / np.sqrt(Z.var(0, ddof=1) + eps) + beta


def _eps_outside(Z, gamma, beta, eps):
    return gamma * (Z - Z.mean(0)) / (np.sqrt(Z.var(0)) + eps) + beta


def _no_eps(Z, gamma, beta, eps):
    return gamma * (Z - Z.mean(0)) / np.sqrt(Z.var(0)) + beta


def _no_sqrt(Z, gamma, beta, eps):
    return gamma * (Z - Z.mean(0)) / (Z.var(0) + eps) + beta


def _no_affine(Z, gamma, beta, eps):
    return (Z - Z.mean(0)) / np.sqrt(Z.var(0) + eps)


def _swapped(Z, gamma, beta, eps):
    return beta * (Z - Z.mean(0)) / np.sqrt(Z.var(0) + eps) + gamma


def _not_centred(Z, gamma, beta, eps):
    return gamma * Z / np.sqrt(Z.var(0) + eps) + beta


MISTAKES: tuple[tuple[Callable, str], ...] = (
    (_over_features, "you took the mean and variance over the features (axis=1); batch norm "
                     "normalises each feature over the examples of the batch: axis=0"),
    (_unbiased, "you used the unbiased variance (dividing by m - 1); batch norm uses the "
                "batch variance (1/m) sum (z - mu)^2, i.e. np.var(Z, axis=0) with ddof=0"),
    (_eps_outside, "eps goes inside the square root: divide by sqrt(sigma^2 + eps), "
                   "not by sqrt(sigma^2) + eps"),
    (_no_eps, "you left out eps: divide by sqrt(sigma^2 + eps) so that a feature with zero "
              "variance does not divide by zero"),
    (_no_sqrt, "divide by the standard deviation sqrt(sigma^2 + eps), not by the variance"),
    (_no_affine, "you returned z_norm; the layer's output is z_tilde = gamma * z_norm + beta"),
    (_swapped, "gamma scales and beta shifts: z_tilde = gamma * z_norm + beta"),
    (_not_centred, "subtract the batch mean mu before dividing"),
)


def _cases() -> list[Case]:
    """Hidden cases: varied shapes, scales, offsets, gamma/beta, and a constant feature."""
    rng = np.random.default_rng(2024)
    cases = []
    shapes_scales = [((6, 3), 1.0, 0.0, 1e-5), ((32, 5), 4.0, 3.0, 1e-5),
                     ((4, 7), 0.05, -2.0, 1e-3), ((64, 2), 10.0, 50.0, 1e-5)]
    for (m, n), scale, offset, eps in shapes_scales:
        Z = rng.normal(offset, scale, size=(m, n)) * rng.uniform(0.5, 2.0, size=n)
        gamma = rng.uniform(0.5, 2.0, size=n)
        beta = rng.normal(0.0, 1.0, size=n)
        cases.append(Case((Z, gamma, beta, eps), _expected(Z, gamma, beta, eps),
                          "compare your formula with the four lines of the math above"))
    Z = rng.normal(size=(8, 3))
    Z[:, 1] = 2.5  # a constant feature: its variance is 0, eps keeps the division finite
    gamma, beta = np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 0.3])
    cases.append(Case((Z, gamma, beta, 1e-5), _expected(Z, gamma, beta, 1e-5),
                      "a feature that is the same for every example has variance 0: with "
                      "sqrt(sigma^2 + eps) its output is exactly beta"))
    return cases


def _not_an_array(fn: Callable, case: Case) -> str | None:
    """A message when ``fn`` returns something that is not an array (e.g. a tuple)."""
    try:
        with np.errstate(all="ignore"):
            got = fn(*[np.array(a, copy=True) for a in case.args])
    except Exception:
        return None  # the grader reports the exception
    try:
        np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        extra = " (return only z_tilde, not a tuple)" if isinstance(got, tuple) else ""
        return (f"{NAME}: not yet — it returned a {type(got).__name__}, expected an array of "
                f"shape {np.shape(case.expected)}{extra}")
    return None


def check_batchnorm_forward(fn: Callable) -> CheckResult:
    """Check ``fn(Z, gamma, beta, eps) -> Z_tilde`` against ``dlcourse.layers.batchnorm_forward``."""
    cases = _cases()
    if callable(fn):
        for case in cases:
            message = _not_an_array(fn, case)
            if message:
                return CheckResult(False, message)
    return run_with_mistakes(NAME, fn, with_mistakes(cases, MISTAKES))
