"""The machinery shared by every exercise check: run the learner's function on hidden cases,
compare within a tolerance, and name the typical mistake an answer matches.

Each check declares its exercise once (:func:`exercise`: the reference, a call where the
answer depends on the ``rng``, whether each call draws afresh, the package functions it
re-implements, the names of a returned tuple's items), and :func:`graded` enforces for every
check: the inputs come back unchanged, a function given an ``rng`` leaves numpy's global
generator alone and draws from that ``rng`` only, the re-implemented package functions
raise while the learner's code runs, and a failing answer that ignores a numeric argument is
told so."""

from __future__ import annotations

import functools
import inspect
import re
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np

__all__ = [
    "Case",
    "CheckResult",
    "Counted",
    "DiagnosedCase",
    "Exercise",
    "Expect",
    "GRADIENT_HELPERS",
    "Mistake",
    "accepts_none",
    "calls_asked",
    "check_cases",
    "close",
    "describe",
    "describe_inputs",
    "exercise",
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
    generic: bool = field(default=False, repr=False, compare=False)  # no specific hint found

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
        kind = type(expected).__name__
        pairs = all(isinstance(e, (tuple, list)) and len(e) == 2 for e in expected)
        return f"a {kind} of {len(expected)}" + (" pairs" if pairs and expected else "")
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
    by_items = not isinstance(expected, Expect)
    if not by_items:  # judged by a property: its reference has the shape, not the values
        expected = expected.reference
    try:
        if got is None and expected is not None and not none_is_an_answer:
            return f" ({RETURNED_NONE})"
        if isinstance(expected, (tuple, list)):
            if not isinstance(got, (tuple, list)) or len(got) != len(expected):
                return f" (you returned {describe(got)}, expected {_expected_kind(expected)})"
            for i, (g, e) in enumerate(zip(got, expected)):
                note = _shape_note(g, Expect(e, bool))  # shape and kind only
                if note:
                    return f" (item {i}: {note[2:-1]})"
            return _which_items(got, expected) if by_items else ""
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


def _which_items(got: Sequence, expected: Sequence) -> str:
    """' (item 1 of the 2 you returned is wrong; the others are right)' for an answer of the
    right length whose items are judged one by one (counted from 0); '' when no single item
    stands out."""
    wrong = [i for i, (g, e) in enumerate(zip(got, expected)) if not close(g, e)]
    if not wrong or len(wrong) == len(expected):
        return (
            f" (all {len(expected)} items you returned are wrong)"
            if wrong and len(expected) > 1
            else ""
        )
    items = ", ".join(_index(i, got[i], expected[i]) for i in wrong)
    noun = "item" if len(wrong) == 1 else "items"
    verb = "is" if len(wrong) == 1 else "are"
    return (
        f" ({noun} {items} of the {len(expected)} you returned {verb} wrong, counting from 0;"
        " the others are right)"
    )


ESTIMATED = (
    "your values are close to the right ones but not exact (as an estimate by difference "
    "quotients is): compute the derivatives exactly, with the chain rule."
)


def _estimated_hint(got: Any, diagnosed: DiagnosedCase, estimated: str | None) -> str:
    """``estimated`` when ``got`` is within 1e-5 of the expected value or of a typical
    mistake (not exact: an estimate, as finite differences give), else the case's hint."""
    if estimated:
        for value in [diagnosed.case.expected] + [m.value for m in diagnosed.mistakes]:
            if close(got, value, 1e-5, 1e-8):
                return estimated
    return diagnosed.case.hint


def _index(i: int, got: Any, expected: Any) -> str:
    """'1', or '1.0' when only item 0 of a pair at index 1 is wrong."""
    if isinstance(expected, (tuple, list)) and isinstance(got, (tuple, list)):
        if len(got) == len(expected):
            inner = [j for j, (g, e) in enumerate(zip(got, expected)) if not close(g, e)]
            if len(inner) == 1 and len(expected) > 1:
                return f"{i}.{inner[0]}"
    return str(i)


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
    estimated: str | None = None,
) -> CheckResult:
    """Run ``fn`` on each case (through the grader's :func:`run_cases`, which turns any
    exception into a message); at the first wrong answer, the hint of the first mistake the
    answer matches, else the case's own hint. Floating-point warnings of the learner's code
    are silenced (the check prints one line). With ``none_is_an_answer``, a ``None`` answer
    is judged like any other (a :class:`Mistake` of value ``None`` names it). With
    ``estimated``, an answer close to the expected one (or to a mistake) but not within the
    tolerance gets that hint (a derivative estimated, not derived). Never raises."""
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
            None,
        ) or _estimated_hint(got, diagnosed, estimated)
        note = _shape_note(got, diagnosed.case.expected, none_is_an_answer)
        message = f"{name}: not yet — case {i}{note}. Hint: {hint}"
        return CheckResult(False, message, generic=hint == diagnosed.case.hint)
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


# ------------------------------------------------------------ what every exercise declares


@dataclass(frozen=True)
class Exercise:
    """What the grader enforces for one exercise, whatever its check does inside.

    ``reference``: a right answer (its parameter names name the inputs in messages).
    ``rng_call``: ``rng -> args`` of a call where the answer depends on the generator: the
    same seed twice must give the same answer, two seeds a different value for every
    returned item. ``fresh``: two calls in a row with one generator must differ too (a new
    mask, shuffle or sample on every call). ``forbidden``: dotted names of package functions
    the exercise re-implements; they raise while the learner's function runs.
    ``may_change``: parameters the function may write in place (none by default).
    ``items``: the names of the items of a returned tuple (``("dZ", "dgamma", "dbeta")``),
    or one name with ``{i}`` (from 0) or ``{n}`` (from 1) for a list ("dW of layer {n}"),
    or ``("layer {n}", ("dW", "db"))`` for a list of pairs: a message then says which one
    is wrong by its name."""

    reference: Callable | None = None
    rng_call: Callable[[np.random.Generator], tuple] | None = None
    fresh: bool = False
    forbidden: tuple[str, ...] = ()
    may_change: tuple[str, ...] = ()
    items: tuple | str = ()


_ITEMS = re.compile(
    r"\((items?) ([\d., ]+) of the (\d+) you returned (?:is|are) wrong, counting from 0; "
    r"the others are right\)"
)


def _name_items(message: str, items: tuple | str) -> str:
    """The item numbers of a 'which item is wrong' note replaced by the items' names."""

    def name(index: str) -> str:
        i, _, j = index.partition(".")
        i = int(i)
        if isinstance(items, str):
            return items.format(i=i, n=i + 1, j=j or "")
        if len(items) == 2 and isinstance(items[1], tuple):  # (per-entry name, its items)
            whole = items[0].format(i=i, n=i + 1)
            return (
                f"{items[1][int(j)]} of {whole}" if j else f"all of {whole}'s {', '.join(items[1])}"
            )
        return items[i] if i < len(items) else f"item {i}"

    def replace(match: re.Match) -> str:
        wrong = [name(k) for k in match.group(2).split(", ")]
        verb = "is" if len(wrong) == 1 else "are"
        return f"({' and '.join(wrong)} {verb} wrong; the rest of what you returned is right)"

    return _ITEMS.sub(replace, message) if items else message


def exercise(**spec: Any) -> Callable:
    """Attach an :class:`Exercise` declaration to a ``check_*`` function (read by
    :func:`graded`)."""
    declared = Exercise(**spec)

    def mark(check: Callable) -> Callable:
        check.exercise = declared
        return check

    return mark


# the package's ways of getting a derivative without deriving it: no backward pass may use them
GRADIENT_HELPERS = (
    "dlcourse.gradcheck.numerical_gradient",
    "dlcourse.gradcheck.gradcheck",
    "dlcourse.gradcheck.gradcheck_report",
    "dlcourse.autodiff.Tensor.backward",
)


class _Refused(BaseException):
    """Ends a check at a rule every answer must keep (its message says which)."""


_SKIP = object()  # an input the grader does not compare (a generator, a function, ...)


@dataclass
class _Weights:
    """The parameter values of a model passed as an input."""

    values: list


def _snapshot(value: Any, depth: int = 0) -> Any:
    """A deep copy of the data in ``value``: arrays, numbers, strings, lists, tuples, dicts,
    and the parameter values of a model; anything else is not compared."""
    if depth > 6:
        return _SKIP
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (bool, int, float, complex, str, np.generic)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(_snapshot(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return {k: _snapshot(v, depth + 1) for k, v in value.items()}
    parameters = getattr(value, "parameters", None)
    if callable(parameters) and not isinstance(value, type):
        try:
            return _Weights([p.value.copy() for p in parameters()])
        except Exception:  # not one of the package's models
            return _SKIP
    return _SKIP


def _unchanged(before: Any, value: Any) -> bool:
    """True when ``value`` still holds the data ``before`` was taken from. Never raises."""
    if before is _SKIP:
        return True
    try:
        if isinstance(before, np.ndarray):
            return (
                isinstance(value, np.ndarray)
                and value.shape == before.shape
                and bool(np.allclose(value, before, rtol=1e-12, atol=1e-15, equal_nan=True))
            )
        if isinstance(before, _Weights):
            return _unchanged(before.values, [p.value for p in value.parameters()])
        if isinstance(before, (list, tuple)):
            return len(value) == len(before) and all(map(_unchanged, before, value))
        if isinstance(before, dict):
            return set(value) == set(before) and all(
                _unchanged(before[k], value[k]) for k in before
            )
        return bool(before == value) or (before != before and value != value)
    except Exception:  # an input that cannot be compared any more has changed
        return False


def _parameter_names(fn: Callable, reference: Callable | None, args: tuple, kwargs: dict) -> dict:
    """The inputs of one call by parameter name (the learner's names, else the reference's,
    else 'input 1', 'input 2', ...)."""
    for named in (fn, reference):
        if named is None:
            continue
        try:
            bound = inspect.signature(named).bind(*args, **kwargs)
        except (TypeError, ValueError):
            continue
        out = {}
        for key, value in bound.arguments.items():
            if _is_var(named, key) and isinstance(value, tuple):
                out.update({f"{key}[{j}]": v for j, v in enumerate(value)})
            elif _is_var(named, key) and isinstance(value, dict):
                out.update(value)
            else:
                out[key] = value
        return out
    return {f"input {i}": a for i, a in enumerate(args, 1)} | dict(kwargs)


def _judge_call(spec: Exercise, names: dict, before: dict, global_state: tuple | None) -> None:
    """After one call of the learner's function: raise :class:`_Refused` if it used a
    package function it re-implements, changed an input in place, or touched numpy's
    global generator although it was given an ``rng``."""
    tripped = _tripped[:]
    _tripped.clear()
    if tripped:
        raise _Refused(_forbidden_message(tripped[0]))
    for key, value in names.items():
        if key not in spec.may_change and not _unchanged(before[key], value):
            raise _Refused(
                f"your function changed its input `{key}` in place — work on a copy "
                f"({_copy_advice(key, value)}) and leave the caller's data as it was"
            )
    if global_state is not None and not _same_global_state(global_state):
        np.random.set_state(global_state)
        raise _Refused(
            "your function used numpy's global generator (np.random.seed, np.random.rand, "
            "...): draw every random number from the `rng` argument instead, so the caller "
            "controls the randomness"
        )


def _fresh(value: Any) -> Any:
    """Arrays, lists, tuples and dicts copied (so a later call sees the data as it was);
    anything else (a model, a function, a generator) as it is."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_fresh(v) for v in value)
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    return value


def _ignored_argument(fn: Callable, reference: Callable, call: tuple) -> str | None:
    """The name of a numeric argument of the call ``fn`` failed on that ``fn`` ignores
    (its answer stays the same when that argument changes, the reference's does not)."""
    args, kwargs = call
    try:
        bound = inspect.signature(reference).bind(*args, **kwargs)
    except (TypeError, ValueError):
        return None
    for key, value in bound.arguments.items():
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            continue
        others = _other_values(value)
        mine, theirs = _moves(fn, bound, key, others), _moves(reference, bound, key, others)
        if mine is False and theirs:
            return key
    return None


def _other_values(value: float) -> list:
    """Other values of a numeric argument: of the same kind, a probability staying in
    (0, 1); other numbers also change sign (a value a function refuses is skipped)."""
    if isinstance(value, (int, np.integer)):
        return [value + 1, value + 2]
    if 0 < value < 1:
        return [value / 2, (1 + value) / 2]
    return [value * 1.37 + 0.01, -value, value / 2 - 1]


def _moves(f: Callable, bound: inspect.BoundArguments, key: str, others: list) -> bool | None:
    """Whether ``f``'s answer changes when argument ``key`` takes one of the ``others``
    values (those ``f`` accepts); None when ``f`` cannot be called so at all."""
    try:
        with _quiet():
            before = f(*_fresh(bound.args), **_fresh(bound.kwargs))
    except Exception:  # the call itself fails: no conclusion
        return None
    afters = []
    for v in others:
        try:
            with _quiet():
                afters.append(f(**_fresh(dict(bound.arguments, **{key: v}))))
        except Exception:  # a value this function refuses
            continue
    if not afters:
        return None
    return not all(_identical_answers(before, after) for after in afters)


class Counted:
    """A function given to the learner's code, with the number of its calls kept in
    ``calls``: a check compares it with the calls the exercise asks for."""

    def __init__(self, fn: Callable) -> None:
        self.fn, self.calls = fn, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.fn(*args, **kwargs)


def calls_asked(name: str, fn: Callable, args: tuple, callbacks: dict, asked: dict):
    """None when ``fn(*args)``, with the arguments at the positions of ``callbacks``
    counted, calls each of them exactly ``asked[position]`` times; else a failed
    :class:`CheckResult` saying which callback was called how often."""
    counted = {i: Counted(args[i]) for i in callbacks}
    fn(*[counted.get(i, _fresh(a)) for i, a in enumerate(args)])
    for i, label in callbacks.items():
        if counted[i].calls != asked[i]:
            return CheckResult(
                False,
                f"{name}: not yet — your function called `{label}` {counted[i].calls} times "
                f"where the exercise needs {asked[i]}: call it exactly for the values the "
                "method uses (no extra calls, no values computed and thrown away)",
            )
    return None


def _copy_advice(key: str, value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"e.g. `{key} = {key}.copy()`, or compute a new array"
    if isinstance(value, (list, tuple, dict)):
        return "copy each array before you write into it, or build new ones"
    return "put back every value you change, or change a copy"


def _same_global_state(state: tuple) -> bool:
    now = np.random.get_state()
    return bool(np.array_equal(now[1], state[1])) and now[2:] == state[2:]


# ------------------------------------------------------ package functions made unavailable

_tripped: list[str] = []  # names of blocked functions the learner's code called


def _resolve(dotted: str) -> Callable:
    """The function object at ``"dlcourse.module.name"`` (or ``...Class.method``)."""
    import importlib

    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ValueError(f"cannot resolve {dotted!r}")


def _raiser_code(dotted: str):
    """The code of a function that records ``dotted`` in ``_tripped`` and raises: it runs
    with the blocked function's globals, so it imports the grader itself."""
    source = (
        "def blocked(*args, **kwargs):\n"
        "    import dlcourse.exercises.grader as grader\n"
        f"    grader._tripped.append({dotted!r})\n"
        f"    raise RuntimeError({('the check does not let you call ' + dotted)!r})\n"
    )
    namespace: dict = {}
    exec(compile(source, "<blocked>", "exec"), namespace)  # noqa: S102 - our own literal source
    return namespace["blocked"].__code__


class _blocked:
    """While the block runs, each of the package's ``forbidden`` functions raises (however
    the learner reached it: ``dl.f``, ``from dlcourse... import f``, an alias); their code
    is restored on exit, even on error."""

    def __init__(self, forbidden: Sequence[str]) -> None:
        self._names = tuple(forbidden)
        self._saved: list = []

    def __enter__(self):
        _tripped.clear()
        for dotted in self._names:
            fn = _resolve(dotted)
            fn = getattr(fn, "__func__", fn)
            self._saved.append((fn, fn.__code__))
            fn.__code__ = _raiser_code(dotted)
        return self

    def __exit__(self, *exc):
        for fn, code in reversed(self._saved):
            fn.__code__ = code
        self._saved.clear()
        return False


def _forbidden_message(dotted: str) -> str:
    short = dotted.removeprefix("dlcourse.")
    return (
        f"your function called the package's `{short}`, which this exercise asks you to "
        "write yourself: compute it with numpy from the formula of the lesson"
    )


# ------------------------------------------------------------ the rules about randomness


def _leaves(value: Any, path: str = "", names: tuple | str = ()) -> list[tuple[str, Any]]:
    """The items of an answer, each with a name: "out", "key 'lr'", 'item 0 of item 1'
    (``names``: the exercise's names of the items of a returned tuple)."""
    if isinstance(value, dict):
        return [
            leaf
            for k in sorted(value, key=str)
            for leaf in _leaves(value[k], _join(path, f"key {k!r}"))
        ]
    if isinstance(value, (list, tuple)) and any(
        isinstance(v, (list, tuple, dict, np.ndarray)) for v in value
    ):
        top = not path and isinstance(names, tuple) and len(names) == len(value)
        return [
            leaf
            for i, v in enumerate(value)
            for leaf in _leaves(v, names[i] if top else _join(path, f"item {i}"))
        ]
    return [(path or "answer", value)]


def _join(path: str, part: str) -> str:
    return f"{part} of {path}" if path else part


def _identical(a: Any, b: Any) -> bool:
    try:
        x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        return x.shape == y.shape and bool(np.array_equal(x, y, equal_nan=True))
    except (TypeError, ValueError):
        return False


def _rng_rules(fn: Callable, spec: Exercise) -> str | None:
    """None when ``fn`` draws its randomness from the ``rng`` it is given; else what is
    wrong. ``fn`` is the probed function (a broken rule of a single call raises)."""
    call = spec.rng_call
    first = fn(*call(np.random.default_rng(2718)))
    again = fn(*call(np.random.default_rng(2718)))
    if not _identical_answers(first, again):
        return (
            "two generators with the same seed gave different answers: draw every random "
            "number from the `rng` argument, so a seed makes a run repeatable"
        )
    other = fn(*call(np.random.default_rng(31415)))
    same = _same_leaf(first, other, spec.items)
    if same:
        return (
            f"two generators with different seeds gave the same {same}: draw it from the "
            "`rng` argument you are given (not from a generator of your own, nor a draw "
            "kept from an earlier call)"
        )
    if spec.fresh:
        rng = np.random.default_rng(1618)
        same = _same_leaf(fn(*call(rng)), fn(*call(rng)), spec.items)
        if same:
            return (
                f"two calls in a row with the same generator gave the same {same}: each "
                "call must make new draws from `rng`"
            )
    return None


def _identical_answers(a: Any, b: Any) -> bool:
    la, lb = _leaves(a), _leaves(b)
    return len(la) == len(lb) and all(_identical(x, y) for (_, x), (_, y) in zip(la, lb))


def _same_leaf(a: Any, b: Any, names: tuple | str = ()) -> str | None:
    """The name of the first item of two answers that came out identical, else None."""
    la, lb = _leaves(a, names=names), _leaves(b, names=names)
    if len(la) != len(lb):
        return None
    for (name, x), (_, y) in zip(la, lb):
        if _identical(x, y):
            return "answer" if name == "answer" else f"values in {name} of your answer"
    return None


# ------------------------------------------------------------- every check, guarded


class _ReturnedNone(BaseException):
    """Ends a check at the learner's first ``None`` answer. A BaseException, so that a
    check's own ``except Exception`` cannot turn it into a different message."""


_depth = 0  # > 0 while a guarded check runs: a check calling another is not guarded twice


def _probe(
    fn: Callable, state: dict, none_is_an_answer: bool = False, spec: Exercise | None = None
) -> Callable:
    """``fn`` observed: warnings silenced, a ``None`` answer ends the check (unless
    ``none_is_an_answer``), the last exception and the inputs that caused it are kept in
    ``state``. With the exercise's ``spec``: the package functions it re-implements raise
    during the call, an input changed in place or numpy's global generator touched by a
    function given an ``rng`` ends the check with its own message."""
    spec = spec or Exercise()
    # the package's own answers (a reference passed as the answer) may use the package
    forbidden = () if _ours(fn) else spec.forbidden

    @functools.wraps(fn)
    def call(*args, **kwargs):
        inputs = describe_inputs(fn, args, kwargs)
        state["call"] = (_fresh(args), _fresh(kwargs))
        names = _parameter_names(fn, spec.reference, args, kwargs)
        before = {key: _snapshot(value) for key, value in names.items()}
        uses_rng = any(isinstance(v, np.random.Generator) for v in names.values())
        global_state = np.random.get_state() if uses_rng else None
        try:
            with _quiet(), _blocked(forbidden):
                out = fn(*args, **kwargs)
        except Exception as exc:
            _judge_call(spec, names, before, global_state)
            state["error"], state["inputs"] = exc, inputs
            raise
        _judge_call(spec, names, before, global_state)
        state["error"] = None
        if out is None and not none_is_an_answer:
            raise _ReturnedNone
        return out

    return call


def _ours(fn: Callable) -> bool:
    """True for a function of the dlcourse package itself (not the learner's)."""
    module = getattr(inspect.unwrap(fn), "__module__", None) or ""
    return module == "dlcourse" or module.startswith("dlcourse.")


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


def _with_ignored(message: str, fn: Callable, spec: Exercise, call: tuple) -> str:
    """The message, its hint replaced by 'you ignore `key`' when the failing call's answer
    does not move with a numeric argument that moves the reference's answer."""
    if spec.reference is None or spec.rng_call is not None or "Hint: " not in message:
        return message
    key = _ignored_argument(fn, spec.reference, call)
    if key is None:
        return message
    head = message.split("Hint: ")[0]
    return (
        f"{head}Hint: your answer stays the same when `{key}` changes: use the argument "
        f"`{key}` you are given, not a fixed value."
    )


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
    nothing is raised. With the check's :class:`Exercise` declaration it also refuses an
    input changed in place, numpy's global generator touched or the ``rng`` ignored, and a
    call of a package function the exercise re-implements, each with its own message.
    Idempotent; every ``check_*`` of the topic modules is declared with it."""
    if getattr(check, "__graded__", False):
        return check
    check_name = check.__name__.removeprefix("check_")
    lets_none = bool(getattr(check, "none_is_an_answer", False))
    spec = getattr(check, "exercise", None) or Exercise()

    @functools.wraps(check)
    def run(fn=None, *args, **kwargs):
        global _depth
        if _depth:  # inside another guarded check: that one reports
            return check(fn, *args, **kwargs)
        name = _own_name(fn, check_name)
        state: dict = {"error": None, "inputs": ""}
        learner = _probe(fn, state, lets_none, spec) if callable(fn) else fn
        _depth += 1
        try:
            with _quiet():
                result = check(learner, *args, **kwargs)
                if getattr(result, "passed", False) and spec.rng_call and callable(fn):
                    broken = _rng_rules(learner, spec)
                    if broken:
                        result = CheckResult(False, f"{name}: not yet — {broken}")
        except _ReturnedNone:
            return CheckResult(False, f"{name}: {RETURNED_NONE}")
        except _Refused as refused:
            return CheckResult(False, f"{name}: not yet — {refused}")
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
        result = _complete(result, name, state)
        message = _name_items(result.message, spec.items)
        if result.generic and state.get("error") is None and "call" in state:
            message = _with_ignored(message, fn, spec, state["call"])
        return CheckResult(result.passed, message)

    run.__graded__ = True
    return run
