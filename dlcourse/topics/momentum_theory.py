"""Why momentum helps: the exact convergence rate of heavy-ball momentum on a quadratic.

On a quadratic cost J(w) = 1/2 w^T H w whose Hessian H has eigenvalues mu <= h <= L
(condition number kappa = L / mu), gradient descent and momentum act on each
eigen-direction separately, so it is enough to study one direction, J = 1/2 h w^2, grad = h w.

Heavy-ball momentum in the PyTorch form (``dl.optim.SGD(momentum=beta)``), step size alpha:

    v_{t+1} = beta v_t + h w_t,       w_{t+1} = w_t - alpha v_{t+1}

Eliminating v gives Polyak's form  w_{t+1} = w_t - alpha h w_t + beta (w_t - w_{t-1}),
a linear map of the state (w_t, w_{t-1}):

    [w_{t+1}]   [1 + beta - alpha h   -beta] [w_t    ]
    [w_t    ] = [1                     0   ] [w_{t-1}]

Its eigenvalues solve  lambda^2 - c lambda + beta = 0  with  c = 1 + beta - alpha h. The
error shrinks like rho^t, where rho, the spectral radius (the larger |lambda|), is

    rho = sqrt(beta)                       if c^2 < 4 beta   (complex roots: underdamped)
    rho = (|c| + sqrt(c^2 - 4 beta)) / 2   otherwise         (real roots)

It converges (rho < 1) exactly when 0 <= beta < 1 and 0 < alpha h < 2 (1 + beta).
Critical damping, the boundary between the two cases (a double root), is at

    beta = (1 - sqrt(alpha h))^2,     where rho = |1 - sqrt(alpha h)| = sqrt(beta).

Over all directions mu <= h <= L the rate is the worst one, max(rho(mu), rho(L)): rho is
sqrt(beta) on the underdamped band of h and grows on either side of it. Choosing alpha and
beta so that the whole band [mu, L] is just underdamped gives the optimal (Polyak) tuning

    alpha* = 4 / (sqrt(L) + sqrt(mu))^2,   beta* = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2,
    rate   = sqrt(beta*) = (sqrt(kappa) - 1) / (sqrt(kappa) + 1)

against plain gradient descent (beta = 0, rate |1 - alpha h|), whose best choice is

    alpha = 2 / (L + mu),   rate = (kappa - 1) / (kappa + 1).

To shrink the error by a factor 1e-6 takes about ln(1e6) / (1 - rate) steps: proportional to
kappa for gradient descent and to sqrt(kappa) for momentum.

The course's momentum is an exponentially weighted average (``dl.optim.Momentum``):
v = beta v + (1 - beta) g, w -= alpha_course v. Its v is (1 - beta) times the PyTorch
buffer, so the two give the same path when alpha = alpha_course (1 - beta), i.e.
alpha_course = alpha / (1 - beta) (:func:`course_lr`, :func:`pytorch_lr`).

:func:`simulate` runs the package's own optimizers on a diagonal quadratic, and
:func:`measured_rate` reads the rate off the iterates, so the formulas can be checked
against real runs.
"""

from __future__ import annotations

import math

import numpy as np

from .._checks import check_int, check_positive, check_unit_interval
from ..optim import SGD, Momentum
from ..parameter import Parameter
from ..descent import path

__all__ = [
    "iteration_matrix",
    "rate",
    "worst_rate",
    "gd_rate",
    "gd_optimal",
    "optimal_momentum",
    "critical_beta",
    "regime",
    "course_lr",
    "pytorch_lr",
    "steps_to_reduce",
    "simulate",
    "measured_rate",
]


# ------------------------------------------------------------------ argument checks
def _positive_array(name: str, value) -> np.ndarray:
    """value as a float64 array of finite numbers > 0, or an error naming it."""
    if np.isscalar(value):
        return np.asarray(check_positive(name, value))
    array = np.asarray(value, dtype=np.float64)
    if array.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(array)) or np.any(array <= 0):
        bad = array[~(np.isfinite(array) & (array > 0))].ravel()[0]
        raise ValueError(f"{name} must be finite and > 0, got {float(bad)!r}")
    return array


def _beta_array(name: str, value) -> np.ndarray:
    """value as a float64 array of numbers in [0, 1), or an error naming it."""
    if np.isscalar(value):
        return np.asarray(check_unit_interval(name, value))
    array = np.asarray(value, dtype=np.float64)
    ok = np.isfinite(array) & (array >= 0) & (array < 1)
    if not np.all(ok):
        raise ValueError(f"{name} must be in [0, 1), got {float(array[~ok].ravel()[0])!r}")
    return array


def _bounds(mu, L) -> tuple[float, float]:
    mu, L = check_positive("mu", mu), check_positive("L", L)
    if mu > L:
        raise ValueError(f"mu must be <= L, got mu={mu!r} and L={L!r}")
    return mu, L


def _out(x: np.ndarray):
    """A Python float for a 0-d result, the array otherwise."""
    return float(x) if np.ndim(x) == 0 else x


# ------------------------------------------------------------------ closed forms
def iteration_matrix(alpha: float, beta: float, h: float) -> np.ndarray:
    """The 2x2 map (w_t, w_{t-1}) -> (w_{t+1}, w_t) of heavy-ball momentum on J = 1/2 h w^2:
    [[1 + beta - alpha h, -beta], [1, 0]]."""
    alpha, h = check_positive("alpha", alpha), check_positive("h", h)
    beta = check_unit_interval("beta", beta)
    return np.array([[1.0 + beta - alpha * h, -beta], [1.0, 0.0]])


def rate(alpha, beta, h):
    """The spectral radius rho of :func:`iteration_matrix` (the error shrinks like rho^t).

    rho = sqrt(beta) when c^2 < 4 beta, else (|c| + sqrt(c^2 - 4 beta)) / 2, with
    c = 1 + beta - alpha h. Broadcasts over arrays of alpha, beta and h.
    """
    alpha, h = _positive_array("alpha", alpha), _positive_array("h", h)
    beta = _beta_array("beta", beta)
    c = 1.0 + beta - alpha * h
    root_beta = np.sqrt(beta)
    # c^2 - 4 beta, factored as (c - 2 sqrt(beta)) (c + 2 sqrt(beta)) for accuracy near a
    # double root (critical damping), where it is a difference of nearly equal numbers
    disc = ((1.0 - root_beta) ** 2 - alpha * h) * ((1.0 + root_beta) ** 2 - alpha * h)
    real = (np.abs(c) + np.sqrt(np.maximum(disc, 0.0))) / 2.0
    return _out(np.where(disc < 0, root_beta + 0.0 * c, real))


def worst_rate(alpha, beta, mu: float, L: float):
    """The rate over a whole quadratic with curvatures in [mu, L]: max(rho(mu), rho(L)).

    (rho as a function of h is sqrt(beta) on the underdamped band and increases away
    from it, so its maximum over an interval sits at an end.)
    """
    mu, L = _bounds(mu, L)
    return _out(np.maximum(rate(alpha, beta, mu), rate(alpha, beta, L)))


def gd_rate(alpha, h):
    """Plain gradient descent on J = 1/2 h w^2: w_{t+1} = (1 - alpha h) w_t, rate |1 - alpha h|."""
    alpha, h = _positive_array("alpha", alpha), _positive_array("h", h)
    return _out(np.abs(1.0 - alpha * h))


def gd_optimal(mu: float, L: float) -> tuple[float, float]:
    """(alpha, rate) of the best plain gradient descent: 2 / (L + mu) and (kappa-1)/(kappa+1)."""
    mu, L = _bounds(mu, L)
    kappa = L / mu
    return 2.0 / (L + mu), (kappa - 1.0) / (kappa + 1.0)


def optimal_momentum(mu: float, L: float) -> tuple[float, float, float]:
    """(alpha*, beta*, rate) of the best heavy-ball momentum (PyTorch form) on [mu, L]:
    4 / (sqrt(L) + sqrt(mu))^2, ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2 and sqrt(beta*)."""
    mu, L = _bounds(mu, L)
    root_kappa = math.sqrt(L / mu)
    q = (root_kappa - 1.0) / (root_kappa + 1.0)
    return 4.0 / (math.sqrt(L) + math.sqrt(mu)) ** 2, q * q, q


def critical_beta(alpha, h):
    """The beta of critical damping for step alpha and curvature h: (1 - sqrt(alpha h))^2.

    Below it (for alpha h < 1) the iterates creep monotonically (overdamped), above it they
    oscillate (underdamped); at it the rate is |1 - sqrt(alpha h)|. Needs alpha h < 4, so
    that the result is a valid beta < 1.
    """
    alpha, h = _positive_array("alpha", alpha), _positive_array("h", h)
    ah = alpha * h
    if np.any(ah >= 4.0):
        raise ValueError(
            f"alpha * h must be < 4 for a critical beta in [0, 1), got {float(np.max(ah))!r}"
        )
    return _out((1.0 - np.sqrt(ah)) ** 2)


def regime(alpha: float, beta: float, h: float, tol: float = 1e-9) -> str:
    """How heavy-ball momentum moves along curvature h: 'divergent' (rho >= 1),
    'critically damped', 'underdamped' (complex roots: oscillates around the minimum with
    a decaying envelope), 'overdamped' (positive real roots: creeps in from one side) or
    'overshooting' (a negative real root: flips sign every step)."""
    alpha, h = check_positive("alpha", alpha), check_positive("h", h)
    c = 1.0 + check_unit_interval("beta", beta) - alpha * h
    disc = c * c - 4.0 * beta
    if rate(alpha, beta, h) >= 1.0:
        return "divergent"
    if abs(disc) <= tol:
        return "critically damped"
    if disc < 0:
        return "underdamped"
    return "overdamped" if c > 0 else "overshooting"


def course_lr(alpha: float, beta: float) -> float:
    """The course (EWA) step alpha_course = alpha / (1 - beta) that follows the same path as
    PyTorch-form momentum with step alpha."""
    return check_positive("alpha", alpha) / (1.0 - check_unit_interval("beta", beta))


def pytorch_lr(alpha_course: float, beta: float) -> float:
    """The PyTorch-form step alpha = alpha_course (1 - beta) (the inverse of :func:`course_lr`)."""
    return check_positive("alpha_course", alpha_course) * (1.0 - check_unit_interval("beta", beta))


def steps_to_reduce(rate_: float, factor: float = 1e-6) -> int:
    """Steps t with rate^t <= factor: ceil(ln(factor) / ln(rate)), about
    ln(1/factor) / (1 - rate) for a rate close to 1."""
    rate_ = check_positive("rate", rate_)
    factor = check_positive("factor", factor)
    if rate_ >= 1.0:
        raise ValueError(f"rate must be < 1 for the error to shrink, got {rate_!r}")
    if factor >= 1.0:
        return 0
    return math.ceil(math.log(factor) / math.log(rate_) - 1e-12)


# ------------------------------------------------------------------ simulation
def simulate(
    h, alpha: float, beta: float = 0.0, steps: int = 200, w0=None, form: str = "pytorch"
) -> np.ndarray:
    """Run the package's optimizer on J(w) = 1/2 sum_i h_i w_i^2 and return the iterates.

    ``form="pytorch"`` uses ``dl.optim.SGD(lr=alpha, momentum=beta)`` (plain gradient
    descent for beta = 0); ``form="course"`` uses ``dl.optim.Momentum(lr=alpha, beta=beta)``
    (the EWA form; then alpha is alpha_course). ``w0`` defaults to all ones. Returns an
    array (steps + 1, n): row t is w_t, row 0 the start.
    """
    h = np.atleast_1d(_positive_array("h", h))
    alpha, beta = check_positive("alpha", alpha), check_unit_interval("beta", beta)
    steps = check_int("steps", steps, minimum=1)
    w0 = np.ones_like(h) if w0 is None else np.asarray(w0, dtype=np.float64)
    if w0.shape != h.shape:
        raise ValueError(f"w0 must have the shape of h {h.shape}, got {w0.shape}")
    p = Parameter(w0)
    if form == "pytorch":
        opt = SGD([p], lr=alpha, momentum=beta)
    elif form == "course":
        opt = Momentum([p], lr=alpha, beta=beta)
    else:
        raise ValueError(f"form must be 'pytorch' or 'course', got {form!r}")
    # every step is recorded, also after a divergence: measured_rate reads the whole run
    return path(_Quadratic(h), w0, optimizer=opt, steps=steps, radius=math.inf, stop=False).ws


class _Quadratic:
    """J(w) = 1/2 sum_i h_i w_i^2 and its gradient h w, for :func:`path`."""

    def __init__(self, h: np.ndarray) -> None:
        self.h = h

    def value(self, w) -> float:
        return 0.5 * float(np.sum(self.h * np.square(w)))

    def grad(self, w) -> np.ndarray:
        return self.h * w


def measured_rate(path, floor: float = 1e-200) -> float:
    """The convergence rate read off iterates: exp of the least-squares slope of
    ln ||(w_t, w_{t-1})|| against t over the second half of the run.

    Using the pair (w_t, w_{t-1}) (the state of the 2x2 map) and a fit over many steps
    averages out the oscillation of underdamped runs. Iterates whose state has shrunk
    below ``floor`` times the first one (underflow territory) are left out; a run that
    blows up gives a rate > 1.
    """
    path = np.asarray(path, dtype=np.float64)
    if path.ndim == 1:
        path = path[:, None]
    if path.ndim != 2 or len(path) < 5:
        raise ValueError(f"path must hold at least 5 iterates (steps+1, n), got shape {path.shape}")
    state = np.sqrt(np.sum(path[1:] ** 2, axis=1) + np.sum(path[:-1] ** 2, axis=1))
    if not np.isfinite(state[0]) or state[0] == 0:
        raise ValueError("path must start at a finite, non-zero point")
    usable = np.isfinite(state) & (state > floor * state[0])
    n = int(np.argmin(usable)) if not usable.all() else len(state)
    if n < 4:
        raise ValueError(
            f"only {n} usable iterates before underflow/overflow: run fewer steps "
            f"or a slower setting"
        )
    t = np.arange(n // 2, n)
    slope = np.polyfit(t, np.log(state[n // 2 : n]), 1)[0]
    return float(np.exp(slope))
