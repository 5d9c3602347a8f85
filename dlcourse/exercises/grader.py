"""The machinery shared by every exercise check: run the learner's function on hidden cases,
compare within a tolerance, and name the typical mistake an answer matches."""

from __future__ import annotations

import functools
import inspect
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np

__all__ = [
    "Case",
    "CheckResult",
    "DiagnosedCase",
    "Expect",
    "Mistake",
    "accepts_none",
    "check_cases",
    "close",
    "describe",
    "describe_inputs",
    "graded",
    "run_cases",
    "run_with_mistakes",
    "with_mistakes",
    "RETURNED_NONE",
]

RETURNED_NONE = "your function returned None — did you forget `return`?"


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


def run_cases(
    name: str,
    fn: Callable,
    cases: Iterable[Case],
    rtol: float = 1e-7,
    atol: float = 1e-9,
    compare: Callable | None = None,
    none_is_an_answer: bool = False,
) -> CheckResult:
    """Run ``fn`` on each case and stop at the first failure with its hint. A ``None``
    answer, an exception (named, with the case's input shapes) and a wrong kind or shape
    each get their own message; floating-point warnings stay silent. Never raises.
    With ``none_is_an_answer``, a ``None`` answer is compared like any other."""
    if not callable(fn):
        return CheckResult(False, f"{name}: expected a function, got {type(fn).__name__}")
    for i, case in enumerate(cases, 1):
        kwargs = case.kwargs or {}
        inputs = describe_inputs(fn, case.args, kwargs)
        try:  # the arguments themselves: a check may look at what the function did to them
            with _quiet():
                got = fn(*case.args, **kwargs)
        except NotImplementedError:
            return CheckResult(False, _not_written(name))
        except Exception as exc:  # the learner's code: report it, never a traceback
            return CheckResult(False, _raised(name, exc, inputs))
        if got is None and case.expected is not None and not none_is_an_answer:
            return CheckResult(False, f"{name}: {RETURNED_NONE}")
        with _quiet():
            ok = compare(got, case.expected) if compare else close(got, case.expected, rtol, atol)
        if not ok:
            detail = _shape_note(got, case.expected, none_is_an_answer)
            return CheckResult(False, f"{name}: not yet — case {i}{detail}. Hint: {case.hint}")
    return CheckResult(True, f"{name}: correct")


def _not_written(name: str) -> str:
    return f"{name}: not written yet (it raises NotImplementedError)"


def _raised(name: str, exc: BaseException, inputs: str) -> str:
    text = str(exc).strip()
    return (
        f"{name}: your function raised {type(exc).__name__}"
        f"{': ' + text if text else ''} — on the case with {inputs}"
    )


class _quiet:
    """Silence numpy's floating-point warnings and every Python warning inside the block:
    the check prints one line, nothing above it."""

    def __enter__(self):
        self._err = np.errstate(all="ignore")
        self._warn = warnings.catch_warnings()
        self._err.__enter__()
        self._warn.__enter__()
        warnings.simplefilter("ignore")
        return self

    def __exit__(self, *exc):
        self._warn.__exit__(*exc)
        self._err.__exit__(*exc)
        return False


def describe(value: Any) -> str:
    """A short phrase for what a value is: 'an array of shape (3, 2)', 'a number (0.5)', 'None'."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (bool, np.bool_)):
        return f"a bool ({value})"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return f"a number ({value:.6g})"
    if isinstance(value, (tuple, list)):
        kind = type(value).__name__
        return f"a {kind} of length {len(value)}"
    if isinstance(value, str):
        return f"a str ({value[:20]!r})"
    if isinstance(value, dict):
        return f"a dict with {len(value)} keys"
    if isinstance(value, np.random.Generator):
        return "a random generator"
    if inspect.isroutine(value) or isinstance(value, functools.partial):
        return "a function"
    layers = getattr(value, "layers", None)
    if isinstance(layers, (list, tuple)):
        return f"a {type(value).__name__} of {len(layers)} layers"
    try:
        shape = np.shape(value)
    except Exception:  # an object numpy cannot look at
        shape = None
    return f"a {type(value).__name__}" + (f" of shape {shape}" if shape else "")


def describe_inputs(fn: Callable, args: tuple, kwargs: dict | None = None) -> str:
    """'inputs z: an array of shape (2, 3), axis: a number (1)' — named after ``fn``'s own
    parameters when they can be bound. Never raises."""
    kwargs = kwargs or {}
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
        pairs = list(bound.arguments.items())
    except (TypeError, ValueError):  # *args functions, builtins: number the inputs
        pairs = [(f"input {i}", a) for i, a in enumerate(args, 1)] + list(kwargs.items())
    if not pairs:
        return "no inputs"
    parts = []
    for key, value in pairs:
        if isinstance(value, tuple) and _is_var(fn, key):
            parts.extend(f"{key}[{j}]: {describe(v)}" for j, v in enumerate(value))
        else:
            parts.append(f"{key}: {describe(value)}")
    return "inputs " + ", ".join(parts)


def _is_var(fn: Callable, key: str) -> bool:
    try:
        p = inspect.signature(fn).parameters[key]
    except (TypeError, ValueError, KeyError):
        return False
    return p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)


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
            return (
                isinstance(got, (tuple, list))
                and len(got) == len(expected)
                and all(close(g, e, rtol, atol) for g, e in zip(got, expected))
            )
        got_arr = np.asarray(got, dtype=np.float64)
        exp_arr = np.asarray(expected, dtype=np.float64)
        return got_arr.shape == exp_arr.shape and bool(
            np.allclose(got_arr, exp_arr, rtol=rtol, atol=atol, equal_nan=True)
        )
    except (TypeError, ValueError):
        return False


def _expected_kind(expected: Any) -> str:
    """What kind of answer is expected, without its value: 'an array of shape (3,)'."""
    if isinstance(expected, (tuple, list)):
        return f"a tuple of {len(expected)}"
    if isinstance(expected, str):
        return "a str"
    shape = np.shape(expected)
    return f"an array of shape {shape}" if shape else "a number"


def _numeric(value: Any) -> bool:
    try:
        np.asarray(value, dtype=np.float64)
        return True
    except (TypeError, ValueError):
        return False


def _shape_note(got: Any, expected: Any, none_is_an_answer: bool = False) -> str:
    """' (you returned <kind/shape>, expected <kind/shape>)' when the kind or shape differs,
    else ''. Never shows the expected value. Never raises."""
    try:
        if got is None and expected is not None and not none_is_an_answer:
            return f" ({RETURNED_NONE})"
        if isinstance(expected, (tuple, list)):
            if not isinstance(got, (tuple, list)) or len(got) != len(expected):
                return f" (you returned {describe(got)}, expected {_expected_kind(expected)})"
            for i, (g, e) in enumerate(zip(got, expected)):
                note = _shape_note(g, e)
                if note:
                    return f" (item {i}: {note[2:-1]})"
            return ""
        if isinstance(expected, str):
            return (
                "" if isinstance(got, str) else f" (you returned {describe(got)}, expected a str)"
            )
        if got is None or isinstance(got, (str, dict, tuple, list)) or not _numeric(got):
            return f" (you returned {describe(got)}, expected {_expected_kind(expected)})"
        if np.shape(got) != np.shape(expected):
            return f" (you returned shape {np.shape(got)}, expected {np.shape(expected)})"
    except Exception:  # a strange object: no shape note
        return ""
    return ""


def with_mistakes(
    cases: Iterable[Case], mistakes: Iterable[tuple[Callable, str]]
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


def run_with_mistakes(
    name: str,
    fn: Callable,
    cases: Sequence[DiagnosedCase],
    rtol: float = 1e-7,
    atol: float = 1e-9,
    none_is_an_answer: bool = False,
) -> CheckResult:
    """Run ``fn`` on each case (through the grader's :func:`run_cases`, which turns any
    exception into a message); at the first wrong answer, the hint of the first mistake the
    answer matches, else the case's own hint. Floating-point warnings of the learner's code
    are silenced (the check prints one line). With ``none_is_an_answer``, a ``None`` answer
    is judged like any other (a :class:`Mistake` of value ``None`` names it). Never raises."""
    for i, diagnosed in enumerate(cases, 1):
        seen: list[Any] = []

        def record(got, expected):
            # judged below: the grader's own failure message cannot describe a tuple answer
            seen.append(got)
            return True

        with np.errstate(all="ignore"):
            result = run_cases(
                name, fn, [diagnosed.case], compare=record, none_is_an_answer=none_is_an_answer
            )
        if not seen:  # it raised (or fn is not a function): the grader's message says what
            return result
        got = seen[0]
        if close(got, diagnosed.case.expected, rtol, atol):
            continue
        hint = next(
            (m.hint for m in diagnosed.mistakes if close(got, m.value, rtol, atol)),
            diagnosed.case.hint,
        )
        note = _shape_note(got, diagnosed.case.expected, none_is_an_answer)
        return CheckResult(False, f"{name}: not yet — case {i}{note}. Hint: {hint}")
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


# ------------------------------------------------------------- every check, guarded


class _ReturnedNone(BaseException):
    """Ends a check at the learner's first ``None`` answer. A BaseException, so that a
    check's own ``except Exception`` cannot turn it into a different message."""


_depth = 0  # > 0 while a guarded check runs: a check calling another is not guarded twice


def _probe(fn: Callable, state: dict, none_is_an_answer: bool = False) -> Callable:
    """``fn`` observed: warnings silenced, a ``None`` answer ends the check (unless
    ``none_is_an_answer``), the last exception and the inputs that caused it are kept in
    ``state``."""

    @functools.wraps(fn)
    def call(*args, **kwargs):
        inputs = describe_inputs(fn, args, kwargs)
        try:
            with _quiet():
                out = fn(*args, **kwargs)
        except Exception as exc:
            state["error"], state["inputs"] = exc, inputs
            raise
        state["error"] = None
        if out is None and not none_is_an_answer:
            raise _ReturnedNone
        return out

    return call


def _own_name(fn: Callable, fallback: str) -> str:
    name = getattr(fn, "__name__", "")
    return name if name.isidentifier() else fallback


def _complete(result: CheckResult, name: str, state: dict) -> CheckResult:
    """A failed result whose cause is the exception the learner's last call raised says so:
    'not written yet', or the exception's name and the inputs of the failing case."""
    error = state.get("error")
    if result.passed or error is None:
        return result
    if isinstance(error, NotImplementedError):
        return (
            result
            if "not written yet" in result.message
            else CheckResult(False, _not_written(name))
        )
    if type(error).__name__ not in result.message:
        return CheckResult(False, _raised(name, error, state["inputs"]))
    if state["inputs"] not in result.message:  # one description: the learner's own call
        base = result.message.split(" — on the case with ")[0]
        return CheckResult(False, f"{base} — on the case with {state['inputs']}")
    return result


def accepts_none(check: Callable) -> Callable:
    """Mark ``check`` as one where ``None`` is a legitimate answer (e.g. "no faulty layer"):
    :func:`graded` then lets a ``None`` through to the check, which judges it and gives its
    own hint, instead of ending with "did you forget `return`?". The check must pass
    ``none_is_an_answer=True`` to :func:`run_cases` / :func:`run_with_mistakes` itself."""
    check.none_is_an_answer = True
    return check


def graded(check: Callable) -> Callable:
    """``check(fn, ...)`` made to keep the grader's promises whatever the check does inside:
    a ``None`` answer is told to ``return`` (except for a check marked with
    :func:`accepts_none`), an exception in the learner's code is named with the inputs of
    the failing case, warnings never show, a :class:`CheckResult` always comes back and
    nothing is raised. Idempotent; ``dlcourse.exercises`` applies it to every ``check_*`` of
    its topic modules."""
    if getattr(check, "__graded__", False):
        return check
    check_name = check.__name__.removeprefix("check_")
    lets_none = bool(getattr(check, "none_is_an_answer", False))

    @functools.wraps(check)
    def run(fn=None, *args, **kwargs):
        global _depth
        if _depth:  # inside another guarded check: that one reports
            return check(fn, *args, **kwargs)
        name = _own_name(fn, check_name)
        state: dict = {"error": None, "inputs": ""}
        learner = _probe(fn, state, lets_none) if callable(fn) else fn
        _depth += 1
        try:
            with _quiet():
                result = check(learner, *args, **kwargs)
        except _ReturnedNone:
            return CheckResult(False, f"{name}: {RETURNED_NONE}")
        except NotImplementedError:
            return CheckResult(False, _not_written(name))
        except Exception as exc:  # never a traceback under a check
            if exc is state["error"]:
                return CheckResult(False, _raised(name, exc, state["inputs"]))
            return CheckResult(
                False,
                f"{name}: not yet — the check could not use your "
                f"function's answer ({type(exc).__name__}: {exc})",
            )
        finally:
            _depth -= 1
        if not isinstance(result, CheckResult):
            result = CheckResult(bool(result), f"{name}: {'correct' if result else 'not yet'}")
        return _complete(result, name, state)

    run.__graded__ = True
    return run
