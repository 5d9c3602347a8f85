"""Notebook 06 (gradient checking): the exercise checks and the planted bugs.

Exercises:

- ``two_sided_gradient(f, x, eps)``: for each entry x_i,
  g_i = (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), an O(eps^2) approximation of df/dx_i;
  x must be unchanged afterwards.
- ``relative_error(g, g_approx)`` = ||g - g_approx|| / (||g|| + ||g_approx||), 0 when both
  are zero.

The planted bugs the notebook hunts live in :mod:`dlcourse.experiments.gradcheck_bugs`.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..experiments.gradcheck_bugs import (  # noqa: F401  # moved: re-export until notebooks import dlcourse.experiments.gradcheck_bugs
    ForwardCounter,
    TanhWrongDerivative,
    course_names,
    planted_bug_problem,
)
from ..gradcheck import numerical_gradient, relative_error
from .grader import Case, CheckResult, Expect, check_cases


# ------------------------------------------------------------------ exercise: two-sided
def _test_function(x: np.ndarray) -> float:
    """f(x) = sum exp(1.5 x) + (sum x)^2: curved (so one-sided differences show their
    O(eps) error) and coupled (so perturbing every entry at once gives a wrong answer)."""
    return float(np.sum(np.exp(1.5 * x)) + np.sum(x) ** 2)


def _one_sided(f: Callable, x: np.ndarray, eps: float) -> np.ndarray:
    g = np.zeros_like(x)
    base = f(x)
    for i in np.ndindex(x.shape):
        xp = x.copy()
        xp[i] += eps
        g[i] = (f(xp) - base) / eps
    return g


def _all_at_once(f: Callable, x: np.ndarray, eps: float) -> np.ndarray:
    return np.full_like(x, (f(x + eps) - f(x - eps)) / (2 * eps))


def _close_to(value: np.ndarray, rtol: float = 1e-6) -> Callable:
    return lambda got: bool(np.allclose(np.asarray(got, dtype=np.float64), value,
                                        rtol=rtol, atol=1e-9))


def _far_from(value: np.ndarray) -> Callable:
    close = _close_to(value)
    return lambda got: not close(got)


def _two_sided_cases(x: np.ndarray, eps: float) -> list[Case]:
    f = _test_function
    work = x.copy()
    ref = numerical_gradient(lambda: f(work), work, eps)
    passed = x.copy()  # the learner's function receives this array; it must come back unchanged

    def unchanged(got) -> bool:
        return bool(np.allclose(passed, x, rtol=1e-12, atol=1e-15))

    wrong = [
        (2 * ref, "your values are twice the expected ones: the two points x - eps and "
                  "x + eps are 2 eps apart, so divide by 2 * eps."),
        (ref / 2, "your values are half the expected ones: divide by 2 * eps, not 4 * eps."),
        (_one_sided(f, x, eps), "that is the one-sided difference (f(x + eps) - f(x)) / eps, "
                                "whose error is O(eps); use (f(x + eps) - f(x - eps)) / (2 eps), "
                                "whose error is O(eps^2)."),
        (_all_at_once(f, x, eps), "perturb one entry at a time: x + eps e_i changes x_i only "
                                  "(all entries at once gives a directional derivative)."),
    ]
    cases = [Case((f, passed, eps), Expect(ref, lambda got: np.shape(got) == x.shape),
                  f"return an array of the shape of x {x.shape}: one partial derivative "
                  "per entry."),
             Case((f, passed, eps), Expect(ref, unchanged),
                  "x must be unchanged when you return: put x[i] back after each "
                  "perturbation (or perturb a copy).")]
    cases += [Case((f, passed, eps), Expect(ref, _far_from(value)), hint) for value, hint in wrong]
    cases.append(Case((f, passed, eps), Expect(ref, _close_to(ref)),
                      "g_i should be (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)."))
    return cases


def check_two_sided_gradient(fn: Callable) -> CheckResult:
    """Check ``fn(f, x, eps)`` against two-sided differences; never raises."""
    rng = np.random.default_rng(8)
    cases = _two_sided_cases(rng.uniform(-1, 1, 5), 1e-3)
    cases += _two_sided_cases(rng.uniform(-1, 1, (3, 4)), 1e-4)
    return check_cases("two_sided_gradient", fn, cases)


# ------------------------------------------------------------------ exercise: relative error
def _relative_error_cases(g: np.ndarray, ga: np.ndarray) -> list[Case]:
    ref = relative_error(g, ga)
    diff, ng, na = np.linalg.norm(g - ga), np.linalg.norm(g), np.linalg.norm(ga)
    wrong = [
        (diff, "that is the absolute error ||g - g_approx||: divide it by "
               "||g|| + ||g_approx|| so the size of the gradient does not matter."),
        (diff / ng, "divide by ||g|| + ||g_approx|| (both norms), not ||g|| alone: the sum "
                    "keeps the error symmetric and at most 1."),
        (diff ** 2 / (ng ** 2 + na ** 2), "use the norms themselves, not their squares."),
        (diff / np.linalg.norm(g + ga), "the denominator is ||g|| + ||g_approx|| (sum of the "
                                        "norms), not ||g + g_approx||."),
    ]
    args = (g, ga)
    cases = [Case(args, Expect(ref, lambda got: np.shape(got) == ()),
                  "return a single number.")]
    cases += [Case(args, Expect(ref, _far_from(np.float64(v))), hint) for v, hint in wrong]
    cases.append(Case(args, Expect(ref, _close_to(np.float64(ref), rtol=1e-9)),
                      "expected ||g - g_approx|| / (||g|| + ||g_approx||)."))
    return cases


def check_relative_error(fn: Callable) -> CheckResult:
    """Check ``fn(g, g_approx)`` against ||g - g~|| / (||g|| + ||g~||); never raises."""
    rng = np.random.default_rng(9)
    g = rng.standard_normal(12)
    cases = _relative_error_cases(g, g + 0.5 * rng.standard_normal(12))
    G = rng.standard_normal((3, 4))
    cases += _relative_error_cases(G, 1.1 * G)[-1:]
    zeros = np.zeros(6)
    cases.append(Case((zeros, zeros.copy()), Expect(0.0, _close_to(np.float64(0.0))),
                      "when both gradients are zero, return 0.0 (no division by zero: "
                      "they agree)."))
    return check_cases("relative_error", fn, cases)
