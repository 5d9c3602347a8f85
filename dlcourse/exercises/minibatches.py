"""Checks for notebook 07's exercises: the mini-batch partition and the bias-corrected EWA.

1. ``random_minibatches(X, y, batch_size, rng) -> [(X_1, y_1), (X_2, y_2), ...]``: shuffle the
   m examples with one permutation drawn from ``rng`` and cut them into ceil(m / b)
   mini-batches, the last one holding m mod b examples when b does not divide m. Any
   permutation drawn from ``rng`` is accepted; the check verifies the properties a partition
   must have and names the first one that fails (missing last batch, X and y shuffled
   differently, no shuffling, an example lost or repeated, not using ``rng``).

2. ``ewa_corrected(theta, beta) -> v_corrected``: v_0 = 0, v_t = beta v_{t-1} + (1 - beta)
   theta_t, returned as v_t / (1 - beta^t) for t = 1..T. Expected values come from
   :func:`dlcourse.topics.ewa.ewa_corrected`; a wrong answer is compared with the usual mistakes.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..topics.ewa import ewa as _ewa
from ..topics.ewa import ewa_corrected as _ewa_corrected
from .grader import graded
from .grader import GRADIENT_HELPERS, exercise  # noqa: F401
from .grader import Case, CheckResult, run_with_mistakes, with_mistakes

PARTITION = "random_minibatches"
EWA = "ewa_corrected"


# ================================================================== the partition
def _data(m: int, features: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """X whose first column is the example's number and y that number too (pairs traceable)."""
    X = np.arange(m, dtype=np.float64)[:, None] + np.zeros((1, features))
    X[:, 1:] = np.sin(np.arange(m))[:, None] * np.arange(1, features)
    return X, np.arange(m)


def _call(fn: Callable, *args):
    """(output, None) or (None, message) when ``fn`` raises."""
    try:
        return fn(*args), None
    except NotImplementedError:
        return None, f"{PARTITION}: not written yet (it raises NotImplementedError)"
    except Exception as exc:  # the learner's code: report it, never a traceback
        return None, f"{PARTITION}: your function raised {type(exc).__name__}: {exc}"


def _as_pairs(out) -> list | None:
    """The output as a list of (X_t, y_t) array pairs, or None if it is not shaped so."""
    try:
        pairs = list(out)
        return [(np.asarray(xb, dtype=float), np.asarray(yb)) for xb, yb in pairs]
    except (TypeError, ValueError):
        return None


def _partition_problem(fn: Callable, m: int, b: int, seed: int) -> str | None:
    """The first property of a correct partition that the output breaks, as a hint."""
    X, y = _data(m)
    out, error = _call(fn, X.copy(), y.copy(), b, np.random.default_rng(seed))
    if error:
        return error
    pairs = _as_pairs(out)
    if pairs is None or not pairs:
        return (
            "return a list of (X_t, y_t) pairs, one per mini-batch, e.g. "
            "[(X[idx], y[idx]) for idx in ...]"
        )
    sizes = [len(yb) for _, yb in pairs]
    expected = [b] * (m // b) + ([m % b] if m % b else [])
    if len(pairs) == m // b and m % b and sizes == [b] * (m // b):
        return (
            f"with m = {m} and batch_size = {b} the last, smaller mini-batch of "
            f"m mod b = {m % b} examples is missing: keep it, it is not dropped"
        )
    if sizes != expected:
        return (
            f"with m = {m} and batch_size = {b} expected {len(expected)} mini-batches "
            f"of sizes {_sizes_text(expected)}, got {len(sizes)} of sizes {_sizes_text(sizes)}"
        )
    for xb, yb in pairs:
        if xb.shape[1:] != X.shape[1:] or xb.shape[0] != yb.shape[0]:
            return (
                f"each X_t must keep all {X.shape[1]} features as columns, shape "
                f"(batch, {X.shape[1]}); got X_t of shape {xb.shape}"
            )
    labels = np.concatenate([yb for _, yb in pairs])
    rows = np.concatenate([xb[:, 0] for xb, _ in pairs])
    if sorted(rows.tolist()) != list(range(m)):
        return (
            "every example must appear in exactly one mini-batch: index X with a "
            "permutation of 0 .. m-1 (rng.permutation(m)), not with random draws"
        )
    if not np.array_equal(rows, labels):
        return (
            "X and y were shuffled differently, so examples lost their labels: draw ONE "
            "permutation and index both X and y with it"
        )
    if b < m and np.array_equal(rows, np.arange(m)):
        return "the examples are in their original order: shuffle first with rng.permutation(m)"
    again, error = _call(fn, X.copy(), y.copy(), b, np.random.default_rng(seed))
    if error:
        return error
    again_pairs = _as_pairs(again) or []
    again_rows = np.concatenate([xb[:, 0] for xb, _ in again_pairs]) if again_pairs else None
    if again_rows is None or not np.array_equal(rows, again_rows):
        return (
            "two calls with generators seeded alike gave different batches: draw the "
            "permutation from the rng argument (rng.permutation), not from np.random"
        )
    return None


def _sizes_text(sizes: list[int]) -> str:
    if len(sizes) > 4:
        return f"{sizes[0]}, {sizes[1]}, ..., {sizes[-2]}, {sizes[-1]}"
    return ", ".join(map(str, sizes))


PARTITION_CASES = ((1000, 64, 0), (10, 3, 1), (12, 4, 2), (5, 8, 3), (37, 1, 4), (64, 64, 5))


@graded
@exercise(
    rng_call=lambda rng: (*_data(50), 8, rng),
    fresh=True,
    forbidden=(
        "dlcourse.batching.minibatches",
        "dlcourse.batching.minibatch_indices",
        "dlcourse.batching.batch_stream",
    ),
)
def check_minibatches(fn: Callable) -> CheckResult:
    """Check ``fn(X, y, batch_size, rng) -> [(X_t, y_t), ...]`` (see the module docstring)."""
    if not callable(fn):
        return CheckResult(False, f"{PARTITION}: expected a function, got {type(fn).__name__}")
    for i, (m, b, seed) in enumerate(PARTITION_CASES, 1):
        problem = _partition_problem(fn, m, b, seed)
        if problem is not None:
            if problem.startswith(PARTITION + ":"):
                return CheckResult(False, problem)
            return CheckResult(
                False,
                f"{PARTITION}: not yet — case {i} (m = {m}, batch_size = {b}). Hint: {problem}",
            )
    return CheckResult(True, f"{PARTITION}: correct")


# ================================================================== bias-corrected EWA
def _no_correction(theta, beta):
    return _ewa(theta, beta)


def _corrected_state(theta, beta):
    """Feeds the corrected value back into the recursion (the correction compounds)."""
    v, out = 0.0, []
    for t, x in enumerate(theta, 1):
        v = (beta * v + (1 - beta) * x) / (1 - beta**t)
        out.append(v)
    return np.array(out)


def _t_plus_one(theta, beta):
    t = np.arange(1, len(theta) + 1)
    return _ewa(theta, beta) / (1 - beta ** (t + 1))


def _start_at_first(theta, beta):
    v, out = float(theta[0]), []
    for x in theta:
        v = beta * v + (1 - beta) * x
        out.append(v)
    return np.array(out)


def _weights_swapped(theta, beta):
    v, out = 0.0, []
    for t, x in enumerate(theta, 1):
        v = (1 - beta) * v + beta * x
        out.append(v / (1 - beta**t))
    return np.array(out)


def _t_from_zero(theta, beta):
    """Counts t from 0: divides v_1 by 1 - beta^0 = 0."""
    t = np.arange(len(theta))
    with np.errstate(divide="ignore", invalid="ignore"):
        return _ewa(theta, beta) / (1 - beta**t)


def _multiplied(theta, beta):
    t = np.arange(1, len(theta) + 1)
    return _ewa(theta, beta) * (1 - beta**t)


EWA_MISTAKES: tuple[tuple[Callable, str], ...] = (
    (
        _no_correction,
        "these are the plain averages v_t: divide each by (1 - beta^t) — on a "
        "constant series the corrected value must be the constant from t = 1",
    ),
    (
        _corrected_state,
        "keep the recursion on the uncorrected v_t and only divide the value "
        "you output: v_t = beta v_{t-1} + (1 - beta) theta_t, then "
        "v_t / (1 - beta^t)",
    ),
    (
        _t_plus_one,
        "off by one: the first value is t = 1, so divide v_1 by (1 - beta), "
        "v_2 by (1 - beta^2), ...",
    ),
    (_start_at_first, "start from v_0 = 0 (the bias correction assumes it), not from theta_1"),
    (
        _weights_swapped,
        "beta weighs the past and (1 - beta) the new value: "
        "v_t = beta v_{t-1} + (1 - beta) theta_t",
    ),
    (_multiplied, "divide by (1 - beta^t), do not multiply"),
    (
        _t_from_zero,
        "your first value is infinite: t counts from 1 (the first value is "
        "divided by 1 - beta^1), so you divided by 1 - beta^0 = 0",
    ),
)


def _ewa_cases() -> list[Case]:
    rng = np.random.default_rng(7)
    generic = (
        "compare with v_t = beta v_{t-1} + (1 - beta) theta_t, v_0 = 0, output v_t / (1 - beta^t)"
    )
    cases = [
        Case(
            (np.full(6, 5.0), 0.9),
            _ewa_corrected(np.full(6, 5.0), 0.9),
            "on a constant series the corrected average equals the constant at every t",
        )
    ]
    for T, beta in ((30, 0.9), (12, 0.5), (50, 0.98), (8, 0.0)):
        theta = rng.normal(10.0, 3.0, size=T)
        cases.append(Case((theta, beta), _ewa_corrected(theta, beta), generic))
    return cases


@graded
@exercise(
    reference=_ewa_corrected,
    forbidden=("dlcourse.topics.ewa.ewa", "dlcourse.topics.ewa.ewa_corrected"),
)
def check_ewa_corrected(fn: Callable) -> CheckResult:
    """Check ``fn(theta, beta) -> v_corrected`` against :func:`dlcourse.topics.ewa.ewa_corrected`."""
    return run_with_mistakes(EWA, fn, with_mistakes(_ewa_cases(), EWA_MISTAKES))


# ------------------------------------------------------------------ questions
from .questions import Question  # noqa: E402

Q_EPOCHS = Question(
    "Q_EPOCHS",
    "b",
    "Over five seeds, each at its best alpha, b = 32 gets the cost to stay below 0.40 in "
    "0.16-1.2 epochs and the full batch in 6-19: ten to fifty times as many passes. Per "
    "step the two make similar progress, but b = 32 takes 63 steps per pass and the full "
    "batch one; the exact gradient is not worth 63 times the work.",
    {
        "a": "about the same number of epochs: both see the same data",
        "b": "b = 32 in under 2 epochs, the full batch in more than ten times as many",
        "c": "the full batch in fewer: every one of its steps follows the exact gradient",
    },
)

Q_WARMUP = Question(
    "Q_WARMUP",
    "c",
    "v_t = 10 (1 - 0.98^t) reaches 9 when 0.98^t <= 0.1, at t = ln(0.1) / ln(0.98) = 114 "
    "steps, more than twice the window 1/(1 - beta) = 50 (at t = 50 it is still 36 % low; "
    "99 % takes 228 steps). The bias lasts a few windows, not one.",
    {
        "a": "about 10 steps",
        "b": "about 50 steps, the window 1/(1 - beta)",
        "c": "more than 100 steps",
    },
)


__all__ = [
    "check_minibatches",
    "check_ewa_corrected",
    "PARTITION_CASES",
    "EWA_MISTAKES",
    "Q_EPOCHS",
    "Q_WARMUP",
]
