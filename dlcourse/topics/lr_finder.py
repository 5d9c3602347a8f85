"""The learning-rate range test: find a workable learning rate in one short run.

Train a fresh model for ``steps`` mini-batch steps while the learning rate grows
exponentially from lr_min to lr_max, one value per mini-batch:

    alpha_i = lr_min * (lr_max / lr_min) ** (i / (steps - 1)),     i = 0 .. steps - 1

and record the mini-batch cost J_i measured just before step i (the step that then uses
alpha_i). At first alpha is too small to change anything and the cost stays flat; then it
starts to fall; finally alpha is too large and the cost shoots up. The raw costs are noisy
(each comes from another mini-batch), so the curve is smoothed by a bias-corrected
exponentially weighted average (see :mod:`dlcourse.topics.ewa`):

    v_i = beta v_{i-1} + (1 - beta) J_i,       smoothed_i = v_i / (1 - beta^(i+1))

The run stops early once the smoothed cost exceeds ``diverge_factor`` times its smallest
value so far, or once a cost is NaN/inf: the interesting part is over.

The suggestion (``method``):

- ``"min/10"`` (default): the learning rate where the smoothed cost is lowest, divided by
  10. At the minimum the learning rate is already at the edge of instability; a tenth of it
  is still fast and safely inside the region where training works.
- ``"steepest"``: the learning rate where the smoothed cost falls fastest per unit of
  log(alpha), looked for before the minimum (and after the first tenth of the run, where
  the average still settles): where the cost responds most to the step. It is noisier.

Both are recorded in ``RangeTestResult.suggestions``. Smith, "Cyclical Learning Rates for
Training Neural Networks" (2017), introduced the test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .._checks import check_int, check_positive, check_unit_interval, check_xy
from ..batching import batch_stream
from ..train import train_step
from .ewa import ewa_step

__all__ = ["RangeTestResult", "lr_range_test", "lr_schedule"]

METHODS = ("min/10", "steepest")


@dataclass
class RangeTestResult:
    """What a range test measured.

    ``lrs[i]`` is the learning rate of step i; ``raw_losses[i]`` the mini-batch cost before
    it and ``losses[i]`` the smoothed cost. ``suggestion`` is ``suggestions[method]``;
    ``best_lr`` the learning rate at the lowest smoothed cost; ``stopped_early`` tells
    whether the cost exploded before lr_max was reached (``stop_reason`` says how).
    """

    lrs: np.ndarray
    losses: np.ndarray
    raw_losses: np.ndarray
    suggestion: float
    method: str
    best_lr: float
    suggestions: dict = field(default_factory=dict)
    stopped_early: bool = False
    stop_reason: str = ""


def lr_schedule(lr_min: float, lr_max: float, steps: int) -> np.ndarray:
    """lr_min * (lr_max / lr_min) ** (i / (steps - 1)) for i = 0 .. steps-1 (a geometric ramp)."""
    lr_min, lr_max, steps = _check_range(lr_min, lr_max, steps)
    return lr_min * (lr_max / lr_min) ** (np.arange(steps) / (steps - 1))


def _check_range(lr_min, lr_max, steps) -> tuple[float, float, int]:
    lr_min, lr_max = check_positive("lr_min", lr_min), check_positive("lr_max", lr_max)
    if lr_max <= lr_min:
        raise ValueError(f"lr_max must be > lr_min, got lr_min={lr_min!r} and lr_max={lr_max!r}")
    return lr_min, lr_max, check_int("steps", steps, minimum=2)


def _suggest(lrs: np.ndarray, smoothed: np.ndarray) -> dict:
    """The two suggestions (see the module docstring) from the smoothed curve.

    The steepest descent is looked for between the first tenth of the run (where the
    average still settles) and the minimum."""
    best = int(np.argmin(smoothed))
    out = {"min/10": float(lrs[best] / 10.0)}
    skip = max(1, len(lrs) // 10)
    if best - skip >= 2:
        slope = np.gradient(smoothed[: best + 1], np.log(lrs[: best + 1]))
        out["steepest"] = float(lrs[skip + int(np.argmin(slope[skip:]))])
    else:
        out["steepest"] = float(lrs[best])
    return out


def lr_range_test(
    model_factory: Callable,
    X,
    y,
    loss,
    optimizer_factory: Callable,
    lr_min: float = 1e-5,
    lr_max: float = 10.0,
    steps: int = 100,
    batch_size: int | None = 32,
    seed: int = 0,
    beta: float = 0.9,
    diverge_factor: float = 4.0,
    method: str = "min/10",
) -> RangeTestResult:
    """Run the learning-rate range test (see the module docstring) and suggest a rate.

    ``model_factory()`` returns a fresh model (seed it inside, so the test is repeatable)
    and ``optimizer_factory(params, lr)`` an optimizer for its parameters, e.g.
    ``lambda params, lr: dl.optim.SGD(params, lr)``. The mini-batches (``batch_size``,
    None for the full batch) are shuffled with ``seed``. ``beta`` is the smoothing weight,
    ``diverge_factor`` the rise of the smoothed cost over its minimum that ends the run.
    """
    lr_min, lr_max, steps = _check_range(lr_min, lr_max, steps)
    X, y = check_xy(X, y)
    if batch_size is not None:
        batch_size = check_int("batch_size", batch_size, minimum=1)
    beta = check_unit_interval("beta", beta)
    diverge_factor = check_positive("diverge_factor", diverge_factor)
    if diverge_factor <= 1:
        raise ValueError(f"diverge_factor must be > 1, got {diverge_factor!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    model = model_factory()
    lrs = lr_schedule(lr_min, lr_max, steps)
    optimizer = optimizer_factory(model.parameters(), float(lrs[0]))
    batches = batch_stream(len(X), batch_size, np.random.default_rng(seed))
    raw, smooth, v, reason = [], [], 0.0, ""
    for i, lr in enumerate(lrs):
        optimizer.lr = float(lr)
        idx = next(batches)
        cost = train_step(model, loss, optimizer, X[idx], y[idx])
        if not math.isfinite(cost):
            reason = f"the cost became {cost} at step {i} (lr {lr:.3g})"
            break
        v = ewa_step(v, cost, beta)
        raw.append(cost)
        smooth.append(v / (1.0 - beta ** (i + 1)))  # bias-corrected, as ewa.bias_correct
        if i > 0 and smooth[-1] > diverge_factor * min(smooth):
            reason = (
                f"the smoothed cost rose above {diverge_factor:g} x its minimum "
                f"at step {i} (lr {lr:.3g})"
            )
            break
    n = len(raw)
    if n == 0 or (reason and int(np.argmin(smooth)) == 0):
        raise ValueError(
            f"the cost never went down, it rose from the first step ({reason}): "
            f"lower lr_min (got {lr_min!r})"
        )
    lrs, smooth = lrs[:n], np.array(smooth)
    suggestions = _suggest(lrs, smooth)
    return RangeTestResult(
        lrs=lrs,
        losses=smooth,
        raw_losses=np.array(raw),
        suggestion=suggestions[method],
        method=method,
        best_lr=float(lrs[int(np.argmin(smooth))]),
        suggestions=suggestions,
        stopped_early=bool(reason),
        stop_reason=reason,
    )
