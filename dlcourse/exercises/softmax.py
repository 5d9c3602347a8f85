r"""Checks for notebook 12 (softmax regression).

- :func:`check_stable_softmax`: softmax along the last axis,

      softmax(z)_k = exp(z_k - max_j z_j) / sum_c exp(z_c - max_j z_j),

  which equals exp(z_k) / sum_c exp(z_c) but never overflows: the largest exponent is 0.
  The hidden cases include logits around +-1000, where the textbook formula gives NaN.

The hidden cases come from :func:`dlcourse.losses.softmax`, the package's own implementation.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..losses import log_softmax, softmax
from .grader import Case, CheckResult, DiagnosedCase, Mistake, run_with_mistakes

__all__ = ["check_stable_softmax"]

_NO_MAX = ("exp of a logit like 1000 overflows to inf and inf / inf is NaN: subtract each "
           "row's maximum from z before np.exp (the result does not change, since the "
           "factor exp(-max) cancels between numerator and denominator).")
_GLOBAL_MAX = ("subtract the maximum of each row (z.max(axis=-1, keepdims=True)), not of the "
               "whole array: a row far below the global maximum underflows to 0 / 0.")
_AXIS = ("normalise each row over the classes: take the max and the sum along the last "
         "axis (axis=-1), so each row sums to 1.")
_KEEPDIMS = ("z.max(axis=-1) has shape (m,) and broadcasts along the wrong axis: use "
             "keepdims=True (shape (m, 1)) for the max and for the sum.")
_LOG = "that is log softmax; return the probabilities exp(...) / sum exp(...)."
_UNNORMALISED = "divide by the sum of the exponentials so that each row sums to 1."


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


def _softmax_cases() -> list[DiagnosedCase]:
    rng = np.random.default_rng(1212)
    inputs = [
        np.array([[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]]),
        np.array([[1000.0, 1001.0, 1002.0], [3.0, 1.0, -2.0]]),           # overflow
        np.array([[2.0, 1.0, 0.1], [-1000.0, -999.0, -998.0], [1002.0, 1000.0, 999.0]]),
        rng.normal(0.0, 3.0, size=(4, 10)),
        50.0 * rng.standard_normal((3, 3)),
    ]
    out = []
    for z in inputs:
        with np.errstate(all="ignore"):
            mistakes = [Mistake(_naive(z), _NO_MAX), Mistake(_global(z), _GLOBAL_MAX),
                        Mistake(_axis0(z), _AXIS), Mistake(log_softmax(z), _LOG),
                        Mistake(np.exp(z - z.max(axis=-1, keepdims=True)), _UNNORMALISED)]
            if z.shape[0] == z.shape[1]:  # square: the broadcasting mistake gives an answer
                mistakes.append(Mistake(_no_keepdims(z), _KEEPDIMS))
        out.append(DiagnosedCase(
            Case((z.copy(),), softmax(z),
                 "return exp(z - max) / sum exp(z - max), max and sum taken along the last "
                 "axis with keepdims=True; same shape as z, each row summing to 1."),
            mistakes))
    return out


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
