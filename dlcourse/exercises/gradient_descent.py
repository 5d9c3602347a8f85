r"""Checks for notebook 01 (gradient descent and autodiff).

- :func:`check_gd_step`: one step of gradient descent, w_new = w - alpha * dJ/dw.
- :func:`check_two_sided_difference`: the centred difference
  (J(w + eps) - J(w - eps)) / (2 eps), the numerical slope behind gradient checking.

Each check compares the learner's function with the reference on hidden cases and, when the
answer matches a typical mistake (the wrong sign, a forgotten learning rate, a one-sided
difference...), names that mistake. The mistake diagnosis is :func:`dlcourse.exercises.grader.run_with_mistakes`.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .grader import (Case, CheckResult, DiagnosedCase, Mistake, close,  # noqa: F401 (re-exported)
                     run_cases, run_with_mistakes)

__all__ = ["Mistake", "DiagnosedCase", "run_with_mistakes", "close",
           "check_gd_step", "check_two_sided_difference", "reference_two_sided_difference"]


def _gd_cases() -> list[DiagnosedCase]:
    rng = np.random.default_rng(101)
    points = [
        (3.0, 2.0, 0.1),                                   # a number
        (np.array([1.0, -2.0, 0.5]), np.array([0.4, -1.0, 3.0]), 0.05),
        (rng.standard_normal((3, 4)), rng.standard_normal((3, 4)), 0.3),
        (np.array([[2.0]]), np.array([[-4.0]]), 1.5),
    ]
    out = []
    for w, dw, lr in points:
        w_c = np.array(w, dtype=np.float64)
        dw_c = np.array(dw, dtype=np.float64)
        expected = w_c - lr * dw_c
        mistakes = [
            Mistake(w_c + lr * dw_c, "step against the gradient: w - lr * dw, not w + lr * dw "
                                     "(the gradient points uphill)."),
            Mistake(w_c - dw_c, "multiply the gradient by the learning rate lr before "
                                "subtracting it."),
            Mistake(lr * dw_c, "return the new w, i.e. the old w minus the step, not the step "
                               "itself."),
            Mistake(w_c - dw_c / lr, "multiply by lr; do not divide by it."),
        ]
        out.append(DiagnosedCase(Case((w, dw, lr), expected,
                                      "the update is w_new = w - lr * dw, elementwise."),
                                 mistakes))
    return out


def check_gd_step(gd_step: Callable) -> CheckResult:
    """Check ``gd_step(w, dw, lr) -> w_new`` with w_new = w - lr * dw (numbers or arrays)."""
    return run_with_mistakes("gd_step", gd_step, _gd_cases())


# ------------------------------------------------------------------------ two-sided difference
_FUNCTIONS: list[tuple[Callable[[float], float], float, float]] = [
    (lambda w: w**3, 2.0, 1e-3),
    (lambda w: np.sin(3 * w), 0.4, 1e-2),
    (lambda w: w**2 - 10 * w + 25, -1.0, 1e-4),
    (lambda w: np.exp(w) / (1 + w**2), 1.3, 1e-3),
]


def reference_two_sided_difference(J: Callable, w: float, eps: float) -> float:
    """(J(w + eps) - J(w - eps)) / (2 eps): the reference of the exercise."""
    return (J(w + eps) - J(w - eps)) / (2 * eps)


def _difference_cases() -> list[DiagnosedCase]:
    out = []
    for J, w, eps in _FUNCTIONS:
        expected = reference_two_sided_difference(J, w, eps)
        mistakes = [
            Mistake((J(w + eps) - J(w)) / eps,
                    "that is the one-sided difference (J(w + eps) - J(w)) / eps; "
                    "use both sides: (J(w + eps) - J(w - eps)) / (2 eps), whose error is "
                    "O(eps^2) instead of O(eps)."),
            Mistake((J(w + eps) - J(w - eps)) / eps,
                    "the two evaluation points are 2 eps apart: divide by 2 * eps."),
            Mistake(J(w + eps) - J(w - eps), "divide the difference of the costs by 2 * eps."),
            Mistake((J(w - eps) - J(w + eps)) / (2 * eps),
                    "the sign is flipped: J(w + eps) comes first."),
        ]
        out.append(DiagnosedCase(Case((J, w, eps), expected,
                                      "return (J(w + eps) - J(w - eps)) / (2 * eps)."),
                                 mistakes))
    return out


def check_two_sided_difference(two_sided_difference: Callable) -> CheckResult:
    """Check ``two_sided_difference(J, w, eps) -> float``, the centred difference quotient."""
    return run_with_mistakes("two_sided_difference", two_sided_difference,
                             _difference_cases(), rtol=1e-9, atol=1e-12)
