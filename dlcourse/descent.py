"""ONE runner for a descent path on a cost, with ONE divergence rule.

From w_0 = ``w0`` the runner takes ``steps`` steps, either plain gradient descent

    w_{t+1} = w_t - alpha dJ/dw (w_t)                          (``lr=alpha``)

or the steps of a ``dlcourse.optim`` optimizer that holds one :class:`~dlcourse.Parameter`
(``optimizer=opt``: each step sets ``p.grad = dJ/dw (w_t)`` and calls ``opt.step()``).

**Divergence.** Step t has diverged when w_t is not finite, or some |w_t,i| > ``radius``,
or J(w_t) is not finite. The path then stops there: ``ws`` and ``costs`` end with that
row (so the non-finite or far value is visible) and ``diverged_at = t``; otherwise
``diverged_at`` is None and ``ws`` has steps + 1 rows. ``radius=inf`` checks finiteness
only; ``stop=False`` records ``diverged_at`` but runs all the steps (a convergence-rate
fit needs the whole series).

``cost`` is any object with ``value(w)`` and ``grad(w)`` (a
:class:`dlcourse.topics.gd1d.Cost1D`, a :class:`dlcourse.surfaces.Surface`, a quadratic of
:mod:`dlcourse.topics.momentum_theory`, a cost written with tensors in
:func:`dlcourse.autodiff.minimize`). Pure numpy, core tier: the autodiff core and every
lesson tier above it share this one loop.

Used by: :func:`dlcourse.autodiff.minimize` (notebook 01),
:func:`dlcourse.topics.gd1d.descend` (notebook 01 and the GradientDescentExplorer),
:func:`dlcourse.topics.second_order.gradient_descent_path` (notebook 13),
:func:`dlcourse.topics.momentum_theory.simulate` (notebook 08) and
:func:`dlcourse.experiments.race.race` (notebook 08, the OptimizerRace).
"""

from __future__ import annotations

import math
from typing import NamedTuple, Protocol

import numpy as np

from ._checks import check_int, check_positive

__all__ = ["RADIUS", "HasValueAndGrad", "Path", "diverged", "path"]

#: A path further than this from the origin has diverged (every plotted window is < 15 wide).
RADIUS = 1e6


class HasValueAndGrad(Protocol):
    def value(self, w): ...
    def grad(self, w): ...


class Path(NamedTuple):
    """``ws[t]`` is w after t steps (``ws[0] = w0``), ``costs[t] = J(ws[t])``;
    ``diverged_at`` is None or the first step that broke the divergence rule."""

    ws: np.ndarray
    costs: np.ndarray
    diverged_at: int | None


def diverged(w, J: float, radius: float = RADIUS) -> bool:
    """The divergence rule: w not finite, beyond ``radius`` in some coordinate, or J(w) not
    finite."""
    w = np.asarray(w)
    with np.errstate(invalid="ignore"):
        return not (math.isfinite(J) and np.all(np.isfinite(w)) and np.all(np.abs(w) <= radius))


def path(
    cost: HasValueAndGrad,
    w0,
    lr: float | None = None,
    optimizer=None,
    steps: int = 100,
    radius: float = RADIUS,
    stop: bool = True,
) -> Path:
    """Run ``steps`` steps from ``w0`` (see the module docstring): ``lr`` for plain
    gradient descent, or ``optimizer`` (its single parameter starts at ``w0``)."""
    if (lr is None) == (optimizer is None):
        raise ValueError("give exactly one of lr (gradient descent) or optimizer")
    if optimizer is None:
        lr = check_positive("lr", lr)
        param = None
    else:
        if len(optimizer.params) != 1:
            raise ValueError(f"optimizer must hold one Parameter (w), got {len(optimizer.params)}")
        param = optimizer.params[0]
        param.value[...] = w0
    steps = check_int("steps", steps, minimum=0)
    if (
        isinstance(radius, bool)
        or not isinstance(radius, (int, float, np.number))
        or not radius > 0
    ):
        raise ValueError(f"radius must be a number > 0 (inf: no radius), got {radius!r}")
    w = np.array(w0, dtype=np.float64)
    ws, costs, diverged_at = [], [], None
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for t in range(steps + 1):
            J = float(cost.value(w))
            ws.append(w)
            costs.append(J)
            if diverged_at is None and diverged(w, J, radius):
                diverged_at = t
                if stop:
                    break
            if t == steps:
                break
            if param is None:
                w = w - lr * np.asarray(cost.grad(w), dtype=np.float64)
            else:
                param.grad = cost.grad(param.value)
                optimizer.step()
                w = param.value.copy()
    return Path(np.array(ws), np.array(costs), diverged_at)
