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
from .grader import Case, CheckResult, run_with_mistakes, with_mistakes

NAME = "inverse_time_decay"

EPOCHS = tuple(range(0, 31))


def _expected(lr0: float, decay_rate: float, every: int | None) -> list[float]:
    schedule = _reference(lr0, decay_rate, every)
    return [schedule(e) for e in EPOCHS]


# ------------------------------------------------------------------ the usual mistakes
def _t(epoch, every, rounding=math.floor):
    return epoch if every is None else rounding(epoch / every)


MISTAKES: tuple[tuple[Callable, str], ...] = (
    (lambda a, d, e, every: a / (1 + d * e),
     "with every given, the rate must stay flat for `every` epochs and then drop: use "
     "floor(epoch / every) in place of epoch"),
    (lambda a, d, e, every: a / (1 + d * (e if every is None else e / every)),
     "epoch / every needs rounding down, floor(epoch / every) (or epoch // every), so the "
     "rate changes in steps"),
    (lambda a, d, e, every: a / (1 + d * _t(e, every, math.ceil)),
     "round down, not up: floor(epoch / every) keeps alpha0 for the first `every` epochs"),
    (lambda a, d, e, every: a / (1 + d * _t(e, every, round)),
     "round down with floor(epoch / every), not to the nearest integer"),
    (lambda a, d, e, every: a / (1 + d * _t(e + 1, every)),
     "epochs count from 0: at epoch 0 the rate is exactly alpha0"),
    (lambda a, d, e, every: a / (1 + d) ** _t(e, every),
     "that is an exponential decay; inverse-time decay divides by (1 + decay_rate * t), "
     "a straight line in t, not a power"),
    (lambda a, d, e, every: a / (d * _t(e, every)) if _t(e, every) else a,
     "keep the 1 + in the denominator: alpha0 / (1 + decay_rate * t)"),
    (lambda a, d, e, every: a * (1 + d * _t(e, every)),
     "divide by (1 + decay_rate * t): the rate must shrink, not grow"),
    (lambda a, d, e, every: a * (1 - d * _t(e, every)),
     "that is a linear decay (it turns negative); inverse-time decay divides: "
     "alpha0 / (1 + decay_rate * t)"),
)


def _cases() -> list[Case]:
    generic = "compare with alpha0 / (1 + decay_rate * t), t = epoch or floor(epoch / every)"
    return [
        Case((0.2, 1.0, None), _expected(0.2, 1.0, None),
             "without every: alpha0 / (1 + decay_rate * epoch); epoch 0 gives alpha0"),
        Case((0.5, 0.1, 10), _expected(0.5, 0.1, 10),
             "with every = 10 the rate is alpha0 for epochs 0..9, alpha0 / 1.1 for 10..19, ..."),
        Case((1.0, 0.5, 3), _expected(1.0, 0.5, 3), generic),
        Case((0.05, 0.0, 4), _expected(0.05, 0.0, 4),
             "decay_rate = 0 means no decay: the rate stays alpha0"),
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


def check_inverse_time_decay(fn: Callable) -> CheckResult:
    """Check ``fn(lr0, decay_rate, epoch, every=None) -> lr`` against
    ``dl.optim.schedules.inverse_time_decay`` (over epochs 0..EPOCHS)."""
    if not callable(fn):
        return CheckResult(False, f"{NAME}: expected a function, got {type(fn).__name__}")
    mistakes = [(_over_epochs(wrong), hint) for wrong, hint in MISTAKES]
    return run_with_mistakes(NAME, _over_epochs(fn), with_mistakes(_cases(), mistakes),
                             rtol=1e-9, atol=1e-12)


__all__ = ["check_inverse_time_decay", "MISTAKES", "EPOCHS"]
