"""Check for notebook 09's exercise: inverse-time (1/t) learning-rate decay with a staircase.

The learner writes ``inverse_time_decay(lr0, decay_rate, epoch, every=None) -> lr``:

    alpha = alpha0 / (1 + decay_rate * epoch)                      (every=None)
    alpha = alpha0 / (1 + decay_rate * floor(epoch / every))       (the discrete staircase)

with epochs counted from 0. Each hidden case runs the function over a range of epochs and
compares with :func:`dlcourse.optim.schedules.inverse_time_decay`; a wrong answer is
compared with the usual mistakes (``every`` ignored, no floor, ceil or round instead of
floor, epochs counted from 1, the exponential form, a missing ``1 +``, multiplying).
"""

from __future__ import annotations

import math
from typing import Callable


from ..optim.schedules import inverse_time_decay as _reference
from .grader import graded
from .grader import GRADIENT_HELPERS, exercise  # noqa: F401
from .grader import Case, CheckResult, run_with_mistakes, with_mistakes

NAME = "inverse_time_decay"

EPOCHS = tuple(range(0, 31))


def _reference_decay(lr0: float, decay_rate: float, epoch: int, every: int | None = None) -> float:
    """The learning rate at ``epoch`` (the exercise's reference)."""
    return _reference(lr0, decay_rate, every)(epoch)


def _expected(lr0: float, decay_rate: float, every: int | None) -> list[float]:
    schedule = _reference(lr0, decay_rate, every)
    return [schedule(e) for e in EPOCHS]


# ------------------------------------------------------------------ the usual mistakes
def _t(epoch, every, rounding=math.floor):
    return epoch if every is None else rounding(epoch / every)


MISTAKES: tuple[tuple[Callable, str], ...] = (
    (
        lambda a, d, e, every: a / (1 + d * e),
        "with every given, the rate must stay flat for `every` epochs and then drop: use "
        "floor(epoch / every) in place of epoch",
    ),
    (
        lambda a, d, e, every: a / (1 + d * (e if every is None else e / every)),
        "epoch / every needs rounding down, floor(epoch / every) (or epoch // every), so the "
        "rate changes in steps",
    ),
    (
        lambda a, d, e, every: a / (1 + d * _t(e, every, math.ceil)),
        "round down, not up: floor(epoch / every) keeps alpha0 for the first `every` epochs",
    ),
    (
        lambda a, d, e, every: a / (1 + d * _t(e, every, round)),
        "round down with floor(epoch / every), not to the nearest integer",
    ),
    (
        lambda a, d, e, every: a / (1 + d * _t(e + 1, every)),
        "epochs count from 0: at epoch 0 the rate is exactly alpha0",
    ),
    (
        lambda a, d, e, every: a / (1 + d) ** _t(e, every),
        "that is an exponential decay; inverse-time decay divides by (1 + decay_rate * t), "
        "a straight line in t, not a power",
    ),
    (
        lambda a, d, e, every: a / (d * _t(e, every)) if _t(e, every) else a,
        "keep the 1 + in the denominator: alpha0 / (1 + decay_rate * t)",
    ),
    (
        lambda a, d, e, every: a * (1 + d * _t(e, every)),
        "divide by (1 + decay_rate * t): the rate must shrink, not grow",
    ),
    (
        lambda a, d, e, every: a * (1 - d * _t(e, every)),
        "that is a linear decay (it turns negative); inverse-time decay divides: "
        "alpha0 / (1 + decay_rate * t)",
    ),
)


def _cases() -> list[Case]:
    generic = "compare with alpha0 / (1 + decay_rate * t), t = epoch or floor(epoch / every)"
    return [
        Case(
            (0.2, 1.0, None),
            _expected(0.2, 1.0, None),
            "without every: alpha0 / (1 + decay_rate * epoch); epoch 0 gives alpha0",
        ),
        Case(
            (0.5, 0.1, 10),
            _expected(0.5, 0.1, 10),
            "with every = 10 the rate is alpha0 for epochs 0..9, alpha0 / 1.1 for 10..19, ...",
        ),
        Case((1.0, 0.5, 3), _expected(1.0, 0.5, 3), generic),
        Case(
            (0.05, 0.0, 4),
            _expected(0.05, 0.0, 4),
            "decay_rate = 0 means no decay: the rate stays alpha0",
        ),
        Case((3.0, 2.5, 1), _expected(3.0, 2.5, 1), generic),
    ]


def _over_epochs(fn: Callable) -> Callable:
    """The learner's per-epoch function turned into one returning the whole curve."""

    def curve(lr0, decay_rate, every):
        return [_number(fn(lr0, decay_rate, e, every), e) for e in EPOCHS]

    return curve


def _number(value, epoch: int) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"it returned {value!r} at epoch {epoch}; return a number") from None


@graded
@exercise(
    reference=_reference_decay,
    forbidden=("dlcourse.optim.schedules.inverse_time_decay", "dlcourse.optim.schedules.staircase"),
)
def check_inverse_time_decay(fn: Callable) -> CheckResult:
    """Check ``fn(lr0, decay_rate, epoch, every=None) -> lr`` against
    ``dl.optim.schedules.inverse_time_decay`` (over epochs 0..EPOCHS)."""
    if not callable(fn):
        return CheckResult(False, f"{NAME}: expected a function, got {type(fn).__name__}")
    mistakes = [(_over_epochs(wrong), hint) for wrong, hint in MISTAKES]
    return run_with_mistakes(
        NAME, _over_epochs(fn), with_mistakes(_cases(), mistakes), rtol=1e-9, atol=1e-12
    )


__all__ = [
    "check_inverse_time_decay",
    "MISTAKES",
    "EPOCHS",
    "check_range_test",
    "reference_range_test",
    "FakeTraining",
    "RANGE_TEST_MISTAKES",
    "check_warmup_cosine",
    "reference_warmup_cosine",
    "WARMUP_MISTAKES",
    "Q_FLOOR",
    "Q_LADDER",
]


# ================================================================== the range-test loop
def reference_range_test(
    step: Callable, lr_min: float, lr_max: float, n: int, beta: float = 0.9, diverge: float = 4.0
):
    """The loop of :func:`dlcourse.topics.lr_finder.lr_range_test` on a given ``step(lr)``
    (one training step at lr, returning the mini-batch cost): (lrs, smoothed, suggestion)."""
    import numpy as np

    lrs = lr_min * (lr_max / lr_min) ** (np.arange(n) / (n - 1))
    smooth, v = [], 0.0
    for i, lr in enumerate(lrs):
        cost = step(float(lr))
        if not math.isfinite(cost):
            break
        v = beta * v + (1 - beta) * cost
        smooth.append(v / (1 - beta ** (i + 1)))
        if i > 0 and smooth[-1] > diverge * min(smooth):
            break
    smooth = np.array(smooth)
    lrs = lrs[: len(smooth)]
    return lrs, smooth, float(lrs[int(np.argmin(smooth))] / 10)


class FakeTraining:
    """A stand-in for training: ``step(lr)`` returns a cost that depends only on lr (flat,
    then falling, then exploding, with a fixed wiggle as mini-batch noise; nan past
    ``nan_above``), so every call sequence is repeatable."""

    def __init__(self, best: float = 0.05, nan_above: float = float("inf"), wiggle: float = 0.08):
        self.best, self.nan_above, self.wiggle = best, nan_above, wiggle
        self.calls = 0

    def __call__(self, lr: float) -> float:
        self.calls += 1
        if lr > self.nan_above:
            return float("nan")
        x = math.log10(lr / self.best)
        base = (
            0.3
            + 2.0 / (1 + math.exp(3 * (x + 1)))
            + (0.5 * (math.exp(3 * x) - 1) if x > 0 else 0.0)
        )
        return base + self.wiggle * math.sin(40 * math.log(lr))


def _rt_variant(
    linear=False,
    exponent_n=False,
    correct=True,
    stop=True,
    divide=True,
    raw_min=False,
    include_nan=False,
):
    import numpy as np

    def wrong(step, lr_min, lr_max, n, beta=0.9, diverge=4.0):
        if linear:
            lrs = np.linspace(lr_min, lr_max, n)
        else:
            lrs = lr_min * (lr_max / lr_min) ** (np.arange(n) / (n if exponent_n else n - 1))
        smooth, raw, v = [], [], 0.0
        for i, lr in enumerate(lrs):
            cost = step(float(lr))
            if not math.isfinite(cost) and not include_nan:
                break
            v = beta * v + (1 - beta) * cost
            raw.append(cost)
            smooth.append(v / (1 - beta ** (i + 1)) if correct else v)
            if stop and i > 0 and smooth[-1] > diverge * min(smooth):
                break
        smooth = np.array(smooth)
        lrs = lrs[: len(smooth)]
        best = int(np.argmin(raw if raw_min else smooth))
        return lrs, smooth, float(lrs[best] / (10 if divide else 1))

    return wrong


RANGE_TEST_MISTAKES: tuple = (
    (
        _rt_variant(linear=True),
        "your learning rates grow linearly: the test needs a geometric "
        "ramp, the same factor from one step to the next",
    ),
    (
        _rt_variant(exponent_n=True),
        "off by one in the ramp: the last learning rate must be "
        "lr_max exactly (the exponent runs over i / (n - 1))",
    ),
    (
        _rt_variant(correct=False),
        "no bias correction: the average starts at 0, so divide "
        "v by (1 - beta^(i+1)) (notebook 07)",
    ),
    (
        _rt_variant(stop=False),
        "you kept going after the smoothed cost exploded: stop once it "
        "exceeds diverge times its smallest value so far",
    ),
    (
        _rt_variant(divide=False),
        "your suggestion is the learning rate at the lowest point: "
        "that is the edge of instability, back off by a factor of 10",
    ),
    (
        _rt_variant(raw_min=True),
        "pick the lowest point of the smoothed curve, not of the raw "
        "mini-batch costs (their minimum is a lucky batch)",
    ),
    (_rt_variant(include_nan=True), "a nan or inf cost ends the test before it is averaged in"),
)


class _Recorded:
    """``step`` with the learning rates it was called with kept in ``lrs``."""

    def __init__(self, step: Callable) -> None:
        self.step, self.lrs = step, []

    def __call__(self, lr: float) -> float:
        self.lrs.append(lr)
        return self.step(lr)


def _calls_asked(fn: Callable, specs: list) -> CheckResult | None:
    """None when ``fn`` calls ``step`` exactly at the reference's learning rates, in order
    (one training step each, none after the stop); else what differs."""
    for args, kw in specs:
        mine, theirs = _Recorded(args[0]), _Recorded(args[0])
        fn(mine, *args[1:], **kw)
        reference_range_test(theirs, *args[1:], **kw)
        if len(mine.lrs) != len(theirs.lrs):
            return CheckResult(
                False,
                f"range_test: not yet — your loop called step(lr) {len(mine.lrs)} times where "
                f"the test takes {len(theirs.lrs)} steps (n = {args[3]}): each call is a "
                "training step, so take one per learning rate and stop at the first nan or "
                "at divergence, without extra steps cut off afterwards",
            )
        if not all(math.isclose(a, b, rel_tol=1e-9) for a, b in zip(mine.lrs, theirs.lrs)):
            return CheckResult(
                False,
                "range_test: not yet — your loop called step with other learning rates "
                "(or in another order) than the ramp it returned: call step(lr) once per "
                "learning rate of the ramp, smallest first",
            )
    return None


@graded
@exercise(
    items=("lrs", "smoothed", "suggestion"),
    reference=reference_range_test,
    forbidden=("dlcourse.topics.lr_finder.lr_range_test",),
)
def check_range_test(fn: Callable) -> CheckResult:
    """Check ``fn(step, lr_min, lr_max, n, beta, diverge) -> (lrs, smoothed, suggestion)``
    on repeatable fake training runs, and that ``step`` is called exactly once per step
    taken; never raises."""
    specs = [
        ((FakeTraining(0.05), 1e-4, 10.0, 100), {}),
        ((FakeTraining(0.3, wiggle=0.3), 1e-3, 100.0, 60), {}),
        ((FakeTraining(0.01, nan_above=0.02), 1e-5, 10.0, 80), dict(beta=0.8, diverge=6.0)),
        ((FakeTraining(0.05, wiggle=0.02), 1e-4, 10.0, 90), dict(beta=0.7, diverge=1.5)),
    ]
    cases = []
    for args, kw in specs:
        cases.append(
            Case(
                args,
                reference_range_test(*args, **kw),
                "compare your loop with the range test of section 2: the ramp, the "
                "smoothed cost, the stopping rule, then the suggestion",
                kw,
            )
        )
    result = run_with_mistakes("range_test", fn, with_mistakes(cases, RANGE_TEST_MISTAKES))
    if not result.passed or not callable(fn):
        return result
    failed = _calls_asked(fn, specs)
    return result if failed is None else failed


# ================================================================== warm-up + cosine
def reference_warmup_cosine(lr0: float, warmup: int, total: int, epoch: int) -> float:
    """Linear warm-up for ``warmup`` epochs, then half a cosine down over the rest:

    alpha = alpha0 (epoch + 1) / warmup                                    epoch < warmup
    alpha = alpha0 / 2 (1 + cos(pi (epoch - warmup) / (total - warmup)))   otherwise

    (epochs from 0; ``warmup = 0`` is the cosine alone)."""
    if epoch < warmup:
        return lr0 * (epoch + 1) / warmup
    return 0.5 * lr0 * (1 + math.cos(math.pi * (epoch - warmup) / (total - warmup)))


def _cos_part(a, w, T, e, phase=None, span=None, half=0.5, sign=1.0, pi=math.pi):
    x = (e - w if phase is None else phase) / (T - w if span is None else span)
    return half * a * (1 + sign * math.cos(pi * x))


WARMUP_MISTAKES: tuple[tuple[Callable, str], ...] = (
    (
        lambda a, w, T, e: a * e / w if e < w else _cos_part(a, w, T, e),
        "epoch 0 gets alpha = 0, a step that does nothing: the warm-up rate of epoch e is "
        "alpha0 (e + 1) / warmup, so the last warm-up epoch reaches alpha0",
    ),
    (
        lambda a, w, T, e: a * (e + 1) / (w + 1) if e < w else _cos_part(a, w, T, e),
        "the last warm-up epoch (warmup - 1) must reach alpha0: divide by warmup",
    ),
    (
        lambda a, w, T, e: a * (e + 1) / w if e <= w and w else _cos_part(a, w, T, e),
        "off by one at the switch: the warm-up covers epochs 0 .. warmup - 1, and the cosine "
        "starts at epoch = warmup with alpha0",
    ),
    (
        lambda a, w, T, e: a * (e + 1) / w if e < w else _cos_part(a, w, T, e, phase=e, span=T),
        "the cosine starts when the warm-up ends: its phase is (epoch - warmup) / "
        "(total - warmup), so it begins at alpha0",
    ),
    (
        lambda a, w, T, e: a * (e + 1) / w if e < w else _cos_part(a, w, T, e, span=T),
        "the cosine runs over the epochs left after the warm-up: divide by total - warmup",
    ),
    (
        lambda a, w, T, e: a * (e + 1) / w if e < w else _cos_part(a, w, T, e, half=1.0),
        "the factor 1/2 is missing: (1 + cos) goes from 2 to 0, so alpha must be "
        "alpha0 / 2 (1 + cos(...))",
    ),
    (
        lambda a, w, T, e: a * (e + 1) / w if e < w else _cos_part(a, w, T, e, sign=-1.0),
        "your rate rises after the warm-up: 1 + cos(...), not 1 - cos(...)",
    ),
    (
        lambda a, w, T, e: a * (e + 1) / w if e < w else _cos_part(a, w, T, e, pi=1.0),
        "the cosine's argument runs from 0 to pi over the decay: multiply by pi",
    ),
    (
        lambda a, w, T, e: a * (e + 1) / w if e < w else a * (1 - (e - w) / (T - w)),
        "that is a linear decay; the schedule decays along half a cosine",
    ),
)


def _warmup_cases() -> list[Case]:
    generic = (
        "compare with the two pieces: alpha0 (epoch + 1) / warmup during the warm-up, then "
        "alpha0 / 2 (1 + cos(pi (epoch - warmup) / (total - warmup)))"
    )
    specs = [(0.3, 5, 40), (2.0, 3, 25), (0.05, 1, 12), (1.5, 0, 30), (0.7, 8, 9)]
    cases = []
    for lr0, warmup, total in specs:
        hint = generic
        if warmup == 0:
            hint = "warmup = 0 means no warm-up: the cosine alone, from alpha0 at epoch 0"
        expected = [reference_warmup_cosine(lr0, warmup, total, e) for e in range(total)]
        cases.append(Case((lr0, warmup, total), expected, hint))
    return cases


def _warmup_curve(fn: Callable) -> Callable:
    """The learner's per-epoch function turned into one returning the whole schedule."""

    def curve(lr0, warmup, total):
        return [_number(fn(lr0, warmup, total, e), e) for e in range(total)]

    return curve


@graded
@exercise(reference=reference_warmup_cosine)
def check_warmup_cosine(fn: Callable) -> CheckResult:
    """Check ``fn(lr0, warmup, total, epoch) -> lr`` (linear warm-up, then half a cosine)
    over every epoch of five schedules; never raises."""
    name = "warmup_cosine"
    if not callable(fn):
        return CheckResult(False, f"{name}: expected a function, got {type(fn).__name__}")
    mistakes = [(_warmup_curve(wrong), hint) for wrong, hint in WARMUP_MISTAKES]
    return run_with_mistakes(
        name, _warmup_curve(fn), with_mistakes(_warmup_cases(), mistakes), rtol=1e-9, atol=1e-12
    )


# ------------------------------------------------------------------ questions
from .questions import Question  # noqa: E402

Q_FLOOR = Question(
    "Q_FLOOR",
    "b",
    "With mini-batches drawn independently (with replacement) the floor grows like alpha, as "
    "the formula says: 8 x alpha gives about 8 x the floor. dl.fit reshuffles instead: every "
    "example is used exactly once per epoch, so at the end of an epoch the noise of the "
    "epoch's batches largely cancels and the floor measured there is O(alpha^2): about 60 x.",
    {
        "a": "about 8 x, in both cases",
        "b": "about 8 x with replacement, far more (tens of times) with reshuffling",
        "c": "about the same floor: the noise does not depend on alpha",
    },
)

Q_LADDER = Question(
    "Q_LADDER",
    "b",
    "On five seeds the lowest cost after five epochs was always at 1, 2 or 3 times the "
    "suggestion: a tenth of the lowest point of the test curve is a safe "
    "start but not always the fastest one. Ten times the suggestion, the lowest point "
    "itself, ends far higher on every seed (0.32 to 2.3 against at most 0.12).",
    {
        "a": "below the suggestion: at 0.1 x or 0.3 x",
        "b": "at 1 x, 2 x or 3 x the suggestion",
        "c": "at 10 x, the lowest point of the range-test curve",
    },
)
