r"""Gradient descent on a cost of one variable, and the plain descent loop (notebook 01).

One step of gradient descent moves w against the slope of the cost:

    w_{k+1} = w_k - alpha * dJ/dw(w_k)

For the course's quadratic J(w) = w^2 - 10 w + 25 = (w - 5)^2 the slope is 2 (w - 5), so

    w_{k+1} - 5 = (1 - 2 alpha) (w_k - 5):

the distance to the minimum is multiplied by r = 1 - 2 alpha at every step. With
0 < alpha < 0.5 it shrinks monotonically (slowly when alpha is tiny: the path crawls),
alpha = 0.5 lands on w = 5 in one step, 0.5 < alpha < 1 overshoots and oscillates inwards,
alpha = 1 bounces between two points for ever, and alpha > 1 diverges. Near any minimum w*
with curvature J''(w*) > 0 a cost looks like this parabola, so gradient descent converges
there (from close enough) exactly when alpha < 2 / J''(w*): :attr:`Cost1D.lr_limit`.

:func:`descend` runs the loop for any cost object with ``value(w)`` and ``grad(w)``: the
1-D costs here and the 2-D surfaces of :mod:`dlcourse.surfaces` alike. It stops, without a
warning, at the first non-finite cost or position and says where in ``Descent.diverged_at``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

from .._checks import check_choice, check_finite, check_int
from ..descent import HasValueAndGrad, path

__all__ = [
    "Cost1D",
    "course_quadratic",
    "quartic",
    "double_well",
    "COSTS_1D",
    "get_cost_1d",
    "Descent",
    "descend",
    "gd_step",
]

ArrayFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True, eq=False)
class Cost1D:
    """A cost J(w) of one real variable with its first and second derivatives.

    ``minima``: the local minimisers, deepest first; ``bounds``: a plotting window;
    ``start``: a suggested starting point; ``formula``: J written out (plain text).
    ``value``, ``grad`` and ``curvature`` accept a number (returning a float) or an array
    (returning an array of the same shape).
    """

    name: str
    f: ArrayFn
    df: ArrayFn
    d2f: ArrayFn
    minima: tuple[float, ...]
    bounds: tuple[float, float]
    start: float
    formula: str

    def value(self, w):
        """J(w)."""
        return _apply(self.f, w)

    def grad(self, w):
        """dJ/dw at w."""
        return _apply(self.df, w)

    def curvature(self, w):
        """d^2J/dw^2 at w."""
        return _apply(self.d2f, w)

    @property
    def lr_limit(self) -> float:
        """2 / J''(w*) at the deepest minimum: the largest learning rate for which gradient
        descent converges there (from close enough); inf where the curvature is 0."""
        c = float(self.curvature(self.minima[0]))
        return float("inf") if c <= 0 else 2.0 / c

    def grid(self, num: int = 401) -> tuple[np.ndarray, np.ndarray]:
        """w on ``num`` evenly spaced points over ``bounds`` and J(w), ready for ``plot``."""
        num = check_int("num", num, minimum=2)
        w = np.linspace(*self.bounds, num)
        return w, self.f(w)


def _apply(fn: ArrayFn, w):
    arr = np.asarray(w, dtype=np.float64)
    out = fn(arr)
    return float(out) if arr.ndim == 0 else out


def course_quadratic() -> Cost1D:
    """J(w) = w^2 - 10 w + 25 = (w - 5)^2;  J' = 2 w - 10;  J'' = 2;  minimum w = 5, J = 0.

    The learning rate limit is 2 / J'' = 1 and alpha = 0.5 reaches the minimum in one step.
    """
    return Cost1D(
        name="quadratic",
        f=lambda w: w**2 - 10.0 * w + 25.0,
        df=lambda w: 2.0 * w - 10.0,
        d2f=lambda w: np.full_like(w, 2.0),
        minima=(5.0,),
        bounds=(-2.0, 12.0),
        start=-1.0,
        formula="J(w) = w² - 10w + 25",
    )


def quartic() -> Cost1D:
    """J(w) = (w - 1)^4 / 4;  J' = (w - 1)^3;  J'' = 3 (w - 1)^2;  minimum w = 1.

    The slope vanishes faster than the distance to the minimum, so gradient descent slows
    down as it approaches w = 1 whatever the learning rate (J''(1) = 0: no lr limit there,
    but far from the minimum the steep walls make a large alpha overshoot and diverge).
    """
    return Cost1D(
        name="quartic",
        f=lambda w: 0.25 * (w - 1.0) ** 4,
        df=lambda w: (w - 1.0) ** 3,
        d2f=lambda w: 3.0 * (w - 1.0) ** 2,
        minima=(1.0,),
        bounds=(-2.0, 4.0),
        start=-1.5,
        formula="J(w) = (w - 1)⁴/4",
    )


def double_well() -> Cost1D:
    """J(w) = w^4/4 - w^2 + w/2;  J' = w^3 - 2 w + 1/2;  J'' = 3 w^2 - 2.

    Two minima of different depth (J' = 0 at w ~ -1.5257 (the deeper, J ~ -1.736),
    w ~ 1.2670 (J ~ -0.328), and a local maximum at w ~ 0.2587 between them): where gradient descent ends depends on where it
    starts, and on the learning rate.
    """
    roots = np.roots([1.0, 0.0, -2.0, 0.5]).real
    roots.sort()
    return Cost1D(
        name="double_well",
        f=lambda w: 0.25 * w**4 - w**2 + 0.5 * w,
        df=lambda w: w**3 - 2.0 * w + 0.5,
        d2f=lambda w: 3.0 * w**2 - 2.0,
        minima=(float(roots[0]), float(roots[2])),
        bounds=(-2.3, 2.3),
        start=1.9,
        formula="J(w) = w⁴/4 - w² + w/2",
    )


COSTS_1D: dict[str, Callable[[], Cost1D]] = {
    "quadratic": course_quadratic,
    "quartic": quartic,
    "double_well": double_well,
}


def get_cost_1d(name: str) -> Cost1D:
    """``COSTS_1D[name]()``; an unknown name raises a ValueError listing the valid ones."""
    check_choice("cost", name, COSTS_1D)
    return COSTS_1D[name]()


# ---------------------------------------------------------------------------- the loop
class Descent(NamedTuple):
    """A gradient-descent path: ``ws[k]`` is w after k steps (``ws[0] = w0``) and
    ``costs[k] = J(ws[k])``; ``diverged_at`` is None, or the step k at which the cost or w
    stopped being finite (then ``ws``/``costs`` end at that step)."""

    ws: np.ndarray
    costs: np.ndarray
    diverged_at: int | None

    @property
    def steps(self) -> int:
        """The number of steps taken."""
        return len(self.ws) - 1

    @property
    def final(self) -> np.ndarray | float:
        """The last position reached."""
        w = self.ws[-1]
        return float(w) if np.ndim(w) == 0 else w


def gd_step(w, grad, lr: float):
    """One gradient-descent step: w - alpha * grad (a new value; ``w`` is not changed)."""
    return np.asarray(w, dtype=np.float64) - lr * np.asarray(grad, dtype=np.float64)


def descend(cost: HasValueAndGrad, w0, lr: float, steps: int, radius: float = math.inf) -> Descent:
    """Run ``steps`` steps of w <- w - alpha dJ/dw from ``w0`` on ``cost``.

    ``cost`` is any object with ``value(w)`` and ``grad(w)`` (a :class:`Cost1D`, a
    :class:`dlcourse.surfaces.Surface`); ``w0`` a number or an array. The loop is
    :func:`dlcourse.descent.path`: it stops early, recording the step, when the cost or
    w becomes NaN/inf (an overflowing learning rate) or |w| exceeds ``radius``.
    """
    p = path(cost, check_finite("w0", w0), lr=lr, steps=steps, radius=radius)
    return Descent(p.ws, p.costs, p.diverged_at)
