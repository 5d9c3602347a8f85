"""Learning-rate schedules: factories returning ``schedule(epoch) -> lr``.

- step decay:          alpha = alpha0 * drop ** floor(epoch / every)
- exponential decay:   alpha = alpha0 * exp(-k * epoch)    or  alpha0 * base ** epoch
- inverse time (1/t):  alpha = alpha0 / (1 + decay_rate * epoch)
- discrete staircase:  the same with epoch replaced by floor(epoch / every)
- constant:            alpha = alpha0

``fit`` calls the schedule at the start of each epoch (epochs count from 0) and sets
``optimizer.lr`` to the result.
"""

from __future__ import annotations

import math

from .._checks import check_int, check_nonnegative, check_positive

__all__ = [
    "SCHEDULES",
    "Schedule",
    "constant",
    "exponential_decay",
    "inverse_time_decay",
    "staircase",
    "step_decay",
]


class Schedule:
    """A callable schedule with readable parameters (``repr`` shows them)."""

    def __init__(self, name: str, lr0: float, **params) -> None:
        self.name = name
        self.lr0 = check_positive("lr0", lr0)
        self.params = params

    def __call__(self, epoch: int) -> float:
        epoch = check_nonnegative("epoch", epoch)
        return float(self._lr(epoch))

    def _lr(self, epoch: float) -> float:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items() if v is not None)
        return f"{self.name}(lr0={self.lr0!r}{', ' if args else ''}{args})"


class _Constant(Schedule):
    def _lr(self, epoch):
        return self.lr0


class _StepDecay(Schedule):
    def _lr(self, epoch):
        p = self.params
        return self.lr0 * p["drop"] ** math.floor(epoch / p["every"])


class _ExponentialDecay(Schedule):
    def _lr(self, epoch):
        p = self.params
        if p["base"] is not None:
            return self.lr0 * p["base"] ** epoch
        return self.lr0 * math.exp(-p["k"] * epoch)


class _InverseTimeDecay(Schedule):
    def _lr(self, epoch):
        p = self.params
        t = epoch if p["every"] is None else math.floor(epoch / p["every"])
        return self.lr0 / (1.0 + p["decay_rate"] * t)


def constant(lr0: float) -> Schedule:
    """alpha = alpha0 at every epoch."""
    return _Constant("constant", lr0)


def step_decay(lr0: float, drop: float = 0.5, every: int = 10) -> Schedule:
    """alpha0 * drop ** floor(epoch / every): multiply by ``drop`` every ``every`` epochs."""
    drop = check_positive("drop", drop)
    if drop > 1:
        raise ValueError(f"drop must be in (0, 1], got {drop!r}")
    return _StepDecay("step_decay", lr0, drop=drop, every=check_int("every", every, minimum=1))


def exponential_decay(lr0: float, k: float = 0.1, base: float | None = None) -> Schedule:
    """alpha0 * exp(-k * epoch), or alpha0 * base ** epoch when ``base`` is given (0 < base <= 1)."""
    if base is not None:
        base = check_positive("base", base)
        if base > 1:
            raise ValueError(f"base must be in (0, 1], got {base!r}")
        return _ExponentialDecay("exponential_decay", lr0, k=None, base=base)
    return _ExponentialDecay("exponential_decay", lr0, k=check_nonnegative("k", k), base=None)


def inverse_time_decay(lr0: float, decay_rate: float, every: int | None = None) -> Schedule:
    """alpha0 / (1 + decay_rate * epoch); with ``every``, epoch -> floor(epoch / every)."""
    decay_rate = check_nonnegative("decay_rate", decay_rate)
    if every is not None:
        every = check_int("every", every, minimum=1)
    return _InverseTimeDecay("inverse_time_decay", lr0, decay_rate=decay_rate, every=every)


def staircase(lr0: float, decay_rate: float, every: int = 10) -> Schedule:
    """The discrete staircase: alpha0 / (1 + decay_rate * floor(epoch / every))."""
    return inverse_time_decay(lr0, decay_rate, every)


SCHEDULES = {
    "constant": constant,
    "step_decay": step_decay,
    "exponential_decay": exponential_decay,
    "inverse_time_decay": inverse_time_decay,
    "staircase": staircase,
}
