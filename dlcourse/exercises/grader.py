"""The machinery shared by every exercise check."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

import numpy as np


@dataclass
class CheckResult:
    """The outcome of a check; its repr is the message, so a notebook cell shows it as text."""
    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return self.message

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(self.message)


@dataclass
class Case:
    """One hidden test: the arguments, the expected value, and the hint shown on failure."""
    args: tuple
    expected: Any
    hint: str
    kwargs: dict | None = None


def _same(got, expected, rtol: float, atol: float) -> bool:
    try:
        got_arr, exp_arr = np.asarray(got), np.asarray(expected)
        if got_arr.shape != exp_arr.shape:
            return False
        return bool(np.allclose(got_arr, exp_arr, rtol=rtol, atol=atol, equal_nan=True))
    except (TypeError, ValueError):
        return got == expected


def run_cases(name: str, fn: Callable, cases: Iterable[Case], rtol: float = 1e-7,
              atol: float = 1e-9, compare: Callable | None = None) -> CheckResult:
    """Run ``fn`` on each case and stop at the first failure with its hint."""
    if not callable(fn):
        return CheckResult(False, f"{name}: expected a function, got {type(fn).__name__}")
    for i, case in enumerate(cases, 1):
        try:
            got = fn(*case.args, **(case.kwargs or {}))
        except NotImplementedError:
            return CheckResult(False, f"{name}: not written yet (it raises NotImplementedError)")
        except Exception as exc:  # the learner's code: report it, never a traceback
            return CheckResult(False, f"{name}: your function raised {type(exc).__name__}: {exc}")
        ok = compare(got, case.expected) if compare else _same(got, case.expected, rtol, atol)
        if not ok:
            shape = np.shape(got)
            exp_shape = np.shape(case.expected)
            detail = f" (you returned shape {shape}, expected {exp_shape})" if shape != exp_shape else ""
            return CheckResult(False, f"{name}: not yet — case {i}{detail}. Hint: {case.hint}")
    return CheckResult(True, f"{name}: correct")
