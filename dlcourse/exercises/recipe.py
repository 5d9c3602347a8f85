r"""Checks for notebook 13 (the training recipe).

- :func:`check_expected_initial_loss`: the softmax cross-entropy of a network that gives
  every one of the C classes the probability 1/C, L_0 = -log(1/C) = log C.
- :func:`check_diagnose_loss_curve`: read a loss curve the way
  :func:`dlcourse.topics.babysit.diagnose_loss_curve` does, with L_0 the first value and L_T the
  last one, in this order: ``"diverged"`` if any value is NaN or inf; ``"rising"`` if
  L_T > L_0; ``"flat"`` if L_0 - L_T < 0.01 |L_0|; else ``"ok"``.

The hidden cases come from :mod:`dlcourse.topics.babysit`, the package's reference.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from ..topics.babysit import diagnose_loss_curve, expected_initial_loss
from .grader import Case, CheckResult, DiagnosedCase, Mistake, run_with_mistakes
from .grader import run_cases

__all__ = ["check_expected_initial_loss", "check_diagnose_loss_curve"]


# ------------------------------------------------------------------ loss at initialisation
def _initial_loss_cases() -> list[DiagnosedCase]:
    out = []
    for C in (10, 2, 3, 1000):
        mistakes = [
            Mistake(1.0 / C, "1/C is the probability of each class; the loss is "
                             "-log of the probability of the right class."),
            Mistake(-math.log(C), "mind the sign: L = -log(1/C) = +log C, a positive number."),
            Mistake(math.log10(C), "use the natural logarithm (np.log), as the "
                                   "cross-entropy does, not log10."),
            Mistake(math.log2(C), "use the natural logarithm (np.log), not log2."),
            Mistake(-math.log(1.0 - 1.0 / C), "the loss is -log of the probability of the "
                                              "right class, 1/C, not of the other classes."),
        ]
        out.append(DiagnosedCase(Case((C,), expected_initial_loss(C),
                                      "every class gets p = 1/C, so L = -log(1/C)."),
                                 mistakes))
    return out


def check_expected_initial_loss(expected_initial_loss_fn: Callable) -> CheckResult:
    """Check ``expected_initial_loss(n_classes) -> log C``."""
    return run_with_mistakes("expected_initial_loss", expected_initial_loss_fn,
                             _initial_loss_cases(), rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------------ diagnose a loss curve
_NAN = ("test np.all(np.isfinite(losses)) first and return 'diverged' when it fails: a NaN "
        "compares False with everything (NaN > x and NaN < x are both False) and an inf "
        "means the run already blew up.")
_ORDER = ("check the rules in order: a curve that ends above where it started is "
          "'rising', even when it moved very little.")
_RELATIVE = ("'flat' is relative: compare the drop L_0 - L_T with 1 % of |L_0| "
             "(0.01 * abs(losses[0])), not with an absolute 0.01.")
_LAST = "compare the LAST value losses[-1] with the first one, not the smallest or the mean."
_FLAT_ON_RISE = ("this curve ends above where it started, so it is 'rising': compare the LAST "
                 "value losses[-1] with the first one, and test last > first before the 1 % rule.")

# (curve, wrong answers and what each one reveals)
_CURVES: list[tuple[list[float], dict[str, str]]] = [
    ([2.30, 1.71, 1.02, 0.61, 0.44], {}),
    ([2.30, 2.299, 2.2985, 2.298, 2.2978], {}),
    ([2.30, 4.7, 91.0, 3.1e4, math.inf], {"rising": _NAN, "ok": _NAN, "flat": _NAN}),
    ([2.30, 2.9, math.nan, math.nan], {"rising": _NAN, "ok": _NAN, "flat": _NAN}),
    ([2.30, 2.6, 3.4, 5.0], {"flat": _FLAT_ON_RISE}),
    ([2.3026, 2.3024, 2.3027], {"flat": _ORDER}),
    ([10.0, 9.99, 9.98, 9.97], {"ok": _RELATIVE}),
    ([0.004, 0.0031, 0.0022, 0.0015], {"flat": _RELATIVE}),
    ([2.30, 0.41, 1.10, 2.45], {"ok": _LAST, "flat": _LAST}),
    ([1.8, 0.9, 1.3, 0.7, 1.1], {"rising": _LAST}),
    ([math.nan, 2.3, 2.2], {"ok": _NAN, "flat": _NAN, "rising": _NAN}),
]
_VALID = tuple(("diverged", "rising", "flat", "ok"))


def check_diagnose_loss_curve(diagnose: Callable) -> CheckResult:
    """Check ``diagnose(losses) -> "diverged" | "rising" | "flat" | "ok"`` on hidden curves."""
    name = "diagnose"
    for i, (curve, wrong) in enumerate(_CURVES, 1):
        expected = diagnose_loss_curve(curve)
        answers: list = []

        def record(got, _expected):
            answers.append(got)
            return True

        with np.errstate(all="ignore"):
            result = run_cases(name, diagnose, [Case((list(curve),), expected, "")],
                               compare=record)
        if not answers:  # it raised, or is not a function
            return result
        got = answers[0]
        if not isinstance(got, str) or got not in _VALID:
            return CheckResult(False, f"{name}: not yet — case {i}: you returned {got!r}. "
                                      f"Hint: return one of the strings {', '.join(map(repr, _VALID))}.")
        if got != expected:
            hint = wrong.get(got, "apply the rules in order: non-finite -> 'diverged'; "
                                  "last > first -> 'rising'; drop below 1 % of the first "
                                  "value -> 'flat'; otherwise 'ok'.")
            shown = ", ".join(f"{v:g}" for v in curve)
            return CheckResult(False, f"{name}: not yet — case {i}: for the curve [{shown}] "
                                      f"you returned {got!r}, expected {expected!r}. Hint: {hint}")
    return CheckResult(True, f"{name}: correct")
