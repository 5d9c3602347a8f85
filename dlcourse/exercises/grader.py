"""The machinery shared by every exercise check: run the learner's function on hidden cases,
compare within a tolerance, and name the typical mistake an answer matches."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

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


def run_cases(name: str, fn: Callable, cases: Iterable[Case], rtol: float = 1e-7,
              atol: float = 1e-9, compare: Callable | None = None) -> CheckResult:
    """Run ``fn`` on each case and stop at the first failure with its hint."""
    if not callable(fn):
        return CheckResult(False, f"{name}: expected a function, got {type(fn).__name__}")
    for i, case in enumerate(cases, 1):
        try:  # the arguments themselves: a check may look at what the function did to them
            got = fn(*case.args, **(case.kwargs or {}))
        except NotImplementedError:
            return CheckResult(False, f"{name}: not written yet (it raises NotImplementedError)")
        except Exception as exc:  # the learner's code: report it, never a traceback
            return CheckResult(False, f"{name}: your function raised {type(exc).__name__}: {exc}")
        ok = compare(got, case.expected) if compare else close(got, case.expected, rtol, atol)
        if not ok:
            detail = _shape_note(got, case.expected)
            return CheckResult(False, f"{name}: not yet — case {i}{detail}. Hint: {case.hint}")
    return CheckResult(True, f"{name}: correct")


@dataclass
class Mistake:
    """What a typical wrong solution returns on one case, and the hint that names it."""
    value: Any
    hint: str


@dataclass
class DiagnosedCase:
    """A hidden case: the grader's :class:`Case` plus the typical mistakes for it."""
    case: Case
    mistakes: Sequence[Mistake] = field(default_factory=tuple)


def close(got: Any, expected: Any, rtol: float = 1e-7, atol: float = 1e-9) -> bool:
    """True when ``got`` equals ``expected`` within tolerance: arrays elementwise (same
    shape), tuples/lists item by item (same length). Never raises."""
    try:
        if isinstance(expected, (tuple, list)):
            return (isinstance(got, (tuple, list)) and len(got) == len(expected)
                    and all(close(g, e, rtol, atol) for g, e in zip(got, expected)))
        got_arr = np.asarray(got, dtype=np.float64)
        exp_arr = np.asarray(expected, dtype=np.float64)
        return got_arr.shape == exp_arr.shape and bool(
            np.allclose(got_arr, exp_arr, rtol=rtol, atol=atol, equal_nan=True))
    except (TypeError, ValueError):
        return False


def _shape_note(got: Any, expected: Any) -> str:
    """' (you returned shape ..., expected ...)' when the shapes differ, else ''."""
    try:
        if isinstance(expected, (tuple, list)):
            if not isinstance(got, (tuple, list)) or len(got) != len(expected):
                return (f" (you returned {type(got).__name__}"
                        f"{' of length ' + str(len(got)) if isinstance(got, (tuple, list)) else ''}"
                        f", expected a tuple of {len(expected)})")
            for i, (g, e) in enumerate(zip(got, expected)):
                if np.shape(g) != np.shape(e):
                    return f" (item {i}: you returned shape {np.shape(g)}, expected {np.shape(e)})"
            return ""
        if np.shape(got) != np.shape(expected):
            return f" (you returned shape {np.shape(got)}, expected {np.shape(expected)})"
    except Exception:  # a strange object: no shape note
        return ""
    return ""


def with_mistakes(cases: Iterable[Case], mistakes: Iterable[tuple[Callable, str]]
                  ) -> list[DiagnosedCase]:
    """Diagnosed cases from cases and ``(wrong_function, hint)`` pairs: each typical wrong
    solution is run on the case's arguments, so its answer can be recognised."""
    mistakes = list(mistakes)
    diagnosed = []
    for case in cases:
        known = []
        for wrong, hint in mistakes:
            try:
                with np.errstate(all="ignore"):
                    known.append(Mistake(wrong(*case.args, **(case.kwargs or {})), hint))
            except Exception:  # a mistake that cannot even run on this case
                continue
        diagnosed.append(DiagnosedCase(case, known))
    return diagnosed


def run_with_mistakes(name: str, fn: Callable, cases: Sequence[DiagnosedCase],
                      rtol: float = 1e-7, atol: float = 1e-9) -> CheckResult:
    """Run ``fn`` on each case (through the grader's :func:`run_cases`, which turns any
    exception into a message); at the first wrong answer, the hint of the first mistake the
    answer matches, else the case's own hint. Floating-point warnings of the learner's code
    are silenced (the check prints one line). Never raises."""
    for i, diagnosed in enumerate(cases, 1):
        seen: list[Any] = []

        def record(got, expected):
            # judged below: the grader's own failure message cannot describe a tuple answer
            seen.append(got)
            return True

        with np.errstate(all="ignore"):
            result = run_cases(name, fn, [diagnosed.case], compare=record)
        if not seen:  # it raised (or fn is not a function): the grader's message says what
            return result
        got = seen[0]
        if close(got, diagnosed.case.expected, rtol, atol):
            continue
        hint = next((m.hint for m in diagnosed.mistakes if close(got, m.value, rtol, atol)),
                    diagnosed.case.hint)
        return CheckResult(False, f"{name}: not yet — case {i}"
                                  f"{_shape_note(got, diagnosed.case.expected)}. Hint: {hint}")
    return CheckResult(True, f"{name}: correct")


# ------------------------------------------------------------------------ one GD step


class Expect:
    """A case's expected value: the reference result (``np.shape`` and ``np.asarray`` see it,
    so the grader's shape message stays true) and the test the learner's result must pass.

    For answers that are random or judged by a property: each typical mistake becomes a
    Case of its own whose ``accepts`` fails only on that mistake."""

    def __init__(self, reference, accepts: Callable[[object], bool]) -> None:
        self.reference = reference
        self._accepts = accepts

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.reference, dtype=dtype)

    def accepts(self, got) -> bool:
        """The test on ``got``; False when it cannot even be evaluated (never raises)."""
        try:
            return bool(self._accepts(got))
        except Exception:  # a strange return value is a failed case, never a traceback
            return False


def check_cases(name: str, fn: Callable, cases: list[Case]) -> CheckResult:
    """``run_cases`` where every ``Case.expected`` is an :class:`Expect`."""
    return run_cases(name, fn, cases, compare=lambda got, expected: expected.accepts(got))
