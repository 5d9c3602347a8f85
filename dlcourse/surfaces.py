"""Two-dimensional cost surfaces J(w), w = (w_0, w_1), for watching optimizers move.

Each surface knows its value J(w), its gradient dJ/dw and its Hessian d^2J/dw^2 in closed
form, the points where it is minimal, a plotting window and a suggested starting point.
``value``, ``grad`` and ``hessian`` accept one point of shape (2,) or a whole grid of
shape (..., 2) and return shapes (...), (..., 2) and (..., 2, 2).

=================  =====================================================================
``quadratic``      J = 1/2 w^T A w, A with eigenvalues 1 and kappa: a bowl whose
                   condition number kappa is a slider
``ravine``         a narrow curved valley: steep walls, almost flat floor
``saddle``         a saddle point at the origin between two minima (bounded below)
``rosenbrock``     the banana-shaped valley of Rosenbrock (1960)
``multi_minima``   a gentle bowl with three wells of different depth
=================  =====================================================================

In every surface ``minima`` lists the known local minimisers, deepest first, so
``minima[0]`` is a global minimiser.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._checks import check_choice, check_int, check_positive, check_real

__all__ = [
    "SURFACES",
    "Surface",
    "get_surface",
    "multi_minima",
    "quadratic",
    "ravine",
    "rosenbrock",
    "saddle",
]

Bounds = tuple[tuple[float, float], tuple[float, float]]
ArrayFn = Callable[[np.ndarray], np.ndarray]


def _points(w) -> np.ndarray:
    """w as float64 with a last axis of length 2, or a ValueError naming its shape."""
    w = np.asarray(w, dtype=np.float64)
    if w.ndim == 0 or w.shape[-1] != 2:
        raise ValueError(f"w must have shape (2,) or (..., 2), got shape {w.shape}")
    return w


def _frozen(*points) -> tuple[np.ndarray, ...]:
    """Points as read-only float64 arrays of shape (2,)."""
    out = []
    for p in points:
        a = np.array(p, dtype=np.float64)
        a.setflags(write=False)
        out.append(a)
    return tuple(out)


@dataclass(frozen=True, eq=False)
class Surface:
    """A cost J(w) on the plane, with its derivatives and what is known about it.

    Attributes: ``name``; ``minima`` (local minimisers, deepest first); ``saddle_points``;
    ``bounds`` = ((w0_min, w0_max), (w1_min, w1_max)) for plots; ``start`` (a suggested
    starting point); ``description`` (one line for a legend or a dropdown).
    """

    name: str
    f: ArrayFn = field(repr=False)
    df: ArrayFn = field(repr=False)
    d2f: ArrayFn = field(repr=False)
    minima: tuple[np.ndarray, ...]
    bounds: Bounds
    start: np.ndarray
    saddle_points: tuple[np.ndarray, ...] = ()
    description: str = ""

    def value(self, w) -> float | np.ndarray:
        """J(w): a float for one point (2,), an array (...) for points (..., 2)."""
        w = _points(w)
        out = self.f(w)
        return float(out) if w.ndim == 1 else out

    def grad(self, w) -> np.ndarray:
        """dJ/dw, same shape as w."""
        return self.df(_points(w))

    def hessian(self, w) -> np.ndarray:
        """d^2J/dw^2: shape (2, 2) for one point, (..., 2, 2) for many."""
        return self.d2f(_points(w))

    def grid(self, num: int = 101) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """W0, W1, J on a num x num grid over ``bounds``, ready for ``contour(W0, W1, J)``."""
        num = check_int("num", num, minimum=2)
        (x0, x1), (y0, y1) = self.bounds
        W0, W1 = np.meshgrid(np.linspace(x0, x1, num), np.linspace(y0, y1, num))
        return W0, W1, self.f(np.stack([W0, W1], axis=-1))


def _sym(h00, h01, h11) -> np.ndarray:
    """Stack the three distinct entries into symmetric 2x2 matrices (..., 2, 2)."""
    return np.stack([np.stack([h00, h01], -1), np.stack([h01, h11], -1)], -2)


# ----------------------------------------------------------------------------------------


def quadratic(condition: float = 10.0, angle: float = 0.0) -> Surface:
    """An elliptic bowl with condition number kappa = ``condition`` (>= 1).

        J(w) = 1/2 w^T A w,    A = R diag(1, kappa) R^T,    grad = A w,    Hessian = A

    where R rotates by ``angle`` radians (0: the axes of the ellipses are the w axes).
    The only minimum is w = 0. Gradient descent converges for alpha < 2 / kappa and the
    contraction per step is at best (kappa - 1) / (kappa + 1): a large kappa zig-zags.
    """
    kappa = check_real("condition", condition)
    if kappa < 1.0:
        raise ValueError(f"condition must be >= 1, got {condition!r}")
    theta = check_real("angle", angle)
    c, s = np.cos(theta), np.sin(theta)
    R = np.array([[c, -s], [s, c]])
    A = R @ np.diag([1.0, kappa]) @ R.T
    A = (A + A.T) / 2
    return Surface(
        name="quadratic",
        f=lambda w: 0.5 * np.einsum("...i,ij,...j->...", w, A, w),
        df=lambda w: w @ A.T,
        d2f=lambda w: np.broadcast_to(A, w.shape[:-1] + (2, 2)).copy(),
        minima=_frozen((0.0, 0.0)),
        bounds=((-5.0, 5.0), (-5.0, 5.0)),
        start=_frozen((-4.5, 3.0))[0],
        description=f"bowl with condition number {kappa:g}",
    )


def ravine(steepness: float = 10.0) -> Surface:
    """A narrow winding valley along the curve w_1 = sin(w_0).

        J(w) = 0.1 w_0^2 + s u^2,     u = w_1 - sin(w_0),     s = ``steepness``

        dJ/dw_0 = 0.2 w_0 - 2 s u cos(w_0),           dJ/dw_1 = 2 s u
        d2J/dw_0^2 = 0.2 + 2 s cos^2(w_0) + 2 s u sin(w_0)
        d2J/dw_0 dw_1 = -2 s cos(w_0),                d2J/dw_1^2 = 2 s

    J >= 0.1 w_0^2 with equality only on the valley floor, so w = 0 is the only stationary
    point and the global minimum. At the minimum the floor runs along (1, 1) / sqrt 2, and
    the curvature along it is exactly 0.1 (the 0.2 of d2J/dw_0^2 is the curvature along
    w_0, which climbs the wall); across the valley it is about 4 s. The Hessian there has
    eigenvalues about 0.1 and 4 s + 0.1, so its condition number is about 40 s: 42, 402
    and 4002 for s = 1, 10 and 100.
    """
    s = check_positive("steepness", steepness)

    def f(w):
        u = w[..., 1] - np.sin(w[..., 0])
        return 0.1 * w[..., 0] ** 2 + s * u**2

    def df(w):
        w0, u = w[..., 0], w[..., 1] - np.sin(w[..., 0])
        return np.stack([0.2 * w0 - 2 * s * u * np.cos(w0), 2 * s * u], axis=-1)

    def d2f(w):
        w0, u = w[..., 0], w[..., 1] - np.sin(w[..., 0])
        h00 = 0.2 + 2 * s * np.cos(w0) ** 2 + 2 * s * u * np.sin(w0)
        return _sym(h00, -2 * s * np.cos(w0), np.full_like(w0, 2 * s))

    return Surface(
        name="ravine",
        f=f,
        df=df,
        d2f=d2f,
        minima=_frozen((0.0, 0.0)),
        bounds=((-4.0, 4.0), (-2.5, 2.5)),
        start=_frozen((-3.5, 2.0))[0],
        description="narrow winding valley w1 = sin(w0)",
    )


def saddle() -> Surface:
    """A saddle point between two minima.

        J(w) = 1/2 w_0^2 + 1/4 w_1^4 - 1/2 w_1^2
        grad = (w_0, w_1^3 - w_1),      Hessian = diag(1, 3 w_1^2 - 1)

    Stationary points: the saddle (0, 0) (Hessian diag(1, -1): a minimum along w_0, a
    maximum along w_1) and the two minima (0, +1), (0, -1) with J = -1/4. Unlike the
    textbook w_0^2 - w_1^2 it is bounded below, so an optimizer that escapes the saddle
    lands somewhere. From the suggested start, just off the line w_1 = 0, plain gradient
    descent slows to a crawl near the saddle before it slides off.
    """

    def f(w):
        w0, w1 = w[..., 0], w[..., 1]
        return 0.5 * w0**2 + 0.25 * w1**4 - 0.5 * w1**2

    def df(w):
        return np.stack([w[..., 0], w[..., 1] ** 3 - w[..., 1]], axis=-1)

    def d2f(w):
        w1 = w[..., 1]
        return _sym(np.ones_like(w1), np.zeros_like(w1), 3 * w1**2 - 1)

    return Surface(
        name="saddle",
        f=f,
        df=df,
        d2f=d2f,
        minima=_frozen((0.0, 1.0), (0.0, -1.0)),
        saddle_points=_frozen((0.0, 0.0)),
        bounds=((-2.5, 2.5), (-2.0, 2.0)),
        start=_frozen((2.0, 0.01))[0],
        description="saddle at the origin between minima at (0, +-1)",
    )


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Surface:
    """Rosenbrock's banana valley, minimum (a, a^2) with J = 0.

        J(w) = (a - w_0)^2 + b (w_1 - w_0^2)^2
        dJ/dw_0 = -2 (a - w_0) - 4 b w_0 (w_1 - w_0^2),      dJ/dw_1 = 2 b (w_1 - w_0^2)
        d2J/dw_0^2 = 2 - 4 b w_1 + 12 b w_0^2,  d2J/dw_0 dw_1 = -4 b w_0,  d2J/dw_1^2 = 2 b

    b > 0 sets how steep the walls of the curved valley w_1 = w_0^2 are. Finding the valley
    is easy; following its flat, bending floor to the minimum is the hard part.
    """
    a = check_real("a", a)
    b = check_positive("b", b)

    def f(w):
        w0, w1 = w[..., 0], w[..., 1]
        return (a - w0) ** 2 + b * (w1 - w0**2) ** 2

    def df(w):
        w0, w1 = w[..., 0], w[..., 1]
        v = w1 - w0**2
        return np.stack([-2 * (a - w0) - 4 * b * w0 * v, 2 * b * v], axis=-1)

    def d2f(w):
        w0, w1 = w[..., 0], w[..., 1]
        return _sym(2 - 4 * b * w1 + 12 * b * w0**2, -4 * b * w0, np.full_like(w0, 2 * b))

    scale = max(1.0, abs(a))
    return Surface(
        name="rosenbrock",
        f=f,
        df=df,
        d2f=d2f,
        minima=_frozen((a, a * a)),
        bounds=((-2.0 * scale, 2.0 * scale), (-1.0 * scale**2, 3.0 * scale**2)),
        start=_frozen((-1.5 * scale, 2.0 * scale**2))[0],
        description=f"Rosenbrock valley, minimum at ({a:g}, {a * a:g})",
    )


# multi_minima: a shallow bowl minus three Gaussian wells (centre c_k, depth d_k, width s_k)
_WELL_CENTRES = np.array([[-2.0, 1.5], [2.0, 1.0], [0.5, -2.0]])
_WELL_DEPTHS = np.array([1.0, 1.5, 2.0])
_WELL_WIDTHS = np.array([0.9, 0.8, 0.9])
_BOWL = 0.05
# Found by gradient descent from a 41 x 41 grid of starts over the bounds, polished with
# Newton's method; the tests check that these are stationary with a positive-definite
# Hessian and that every start in the window ends at one of them. Deepest first.
_MULTI_MINIMA = (
    (0.48073433252405195, -1.9212610745261987),  # J = -1.79612 (global)
    (1.9155577284084166, 0.9548323937292645),  # J = -1.26295
    (-1.8467845094243, 1.385039578620714),  # J = -0.71123
)


def _wells(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """d = w - c_k (..., 3, 2) and e_k = d_k exp(-|w - c_k|^2 / (2 s_k^2)) (..., 3)."""
    d = w[..., None, :] - _WELL_CENTRES
    e = _WELL_DEPTHS * np.exp(-np.sum(d * d, axis=-1) / (2 * _WELL_WIDTHS**2))
    return d, e


def multi_minima() -> Surface:
    """A shallow bowl with three Gaussian wells: three local minima of different depth.

        J(w) = beta |w|^2 - sum_k e_k(w),     e_k(w) = d_k exp(-|w - c_k|^2 / (2 s_k^2))
        grad = 2 beta w + sum_k e_k (w - c_k) / s_k^2
        Hessian = 2 beta I + sum_k e_k [I / s_k^2 - (w - c_k)(w - c_k)^T / s_k^4]

    with beta = 0.05, centres c = (-2, 1.5), (2, 1), (0.5, -2), depths d = 1, 1.5, 2 and
    widths s = 0.9, 0.8, 0.9. The minima sit close to (not exactly at) the centres; their
    computed locations are in ``minima``, deepest first. The suggested start lies above the
    shallowest well, so plain gradient descent stops in a local minimum.
    """

    def f(w):
        return _BOWL * np.sum(w * w, axis=-1) - np.sum(_wells(w)[1], axis=-1)

    def df(w):
        d, e = _wells(w)
        return 2 * _BOWL * w + np.sum((e / _WELL_WIDTHS**2)[..., None] * d, axis=-2)

    def d2f(w):
        d, e = _wells(w)
        s2 = _WELL_WIDTHS**2
        outer = d[..., :, None] * d[..., None, :]
        terms = e[..., None, None] * (
            np.eye(2) / s2[:, None, None] - outer / (s2**2)[:, None, None]
        )
        return 2 * _BOWL * np.eye(2) + np.sum(terms, axis=-3)

    return Surface(
        name="multi_minima",
        f=f,
        df=df,
        d2f=d2f,
        minima=_frozen(*_MULTI_MINIMA),
        bounds=((-4.0, 4.0), (-4.0, 4.0)),
        start=_frozen((-3.5, 3.0))[0],
        description="bowl with three wells of different depth",
    )


SURFACES: dict[str, Callable[..., Surface]] = {
    "quadratic": quadratic,
    "ravine": ravine,
    "saddle": saddle,
    "rosenbrock": rosenbrock,
    "multi_minima": multi_minima,
}


def get_surface(name: str, **params) -> Surface:
    """``SURFACES[name](**params)``; an unknown name raises a ValueError listing the valid ones."""
    check_choice("surface", name, SURFACES)
    return SURFACES[name](**params)
