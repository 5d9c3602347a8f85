"""Second-order methods: Newton's method on 2-D surfaces and L-BFGS on a whole network.

Newton's method models J near w by its second-order Taylor expansion

    J(w + d) ~ J(w) + g^T d + 1/2 d^T H d,        g = dJ/dw,   H = d^2J/dw^2,

and jumps to the stationary point of that model, d = -H^{-1} g:

    w <- w - (H + lambda I)^{-1} g          (lambda = ``damping``, 0 for the pure method)

* On a quadratic J = 1/2 w^T A w - b^T w the model is exact, so one step from anywhere
  lands on the solution of A w = b.
* Near a minimum with a positive-definite Hessian it converges quadratically: the error
  roughly squares at every step (1e-2, 1e-4, 1e-8, ...), where gradient descent only
  shrinks it by a constant factor.
* It looks for a point where g = 0, not for a minimum: where H has a negative eigenvalue
  the step goes *uphill* along that direction, so started near a saddle point it converges
  to the saddle. Deep networks have many saddle points, one reason (besides storing and
  inverting an n x n Hessian for millions of weights) that Newton's method is rare in deep
  learning.
* Damping lambda > 0 (Levenberg-Marquardt) blends it with gradient descent: when lambda is
  larger than minus the smallest eigenvalue of H the matrix H + lambda I is positive
  definite and the step is a descent direction; for a large lambda the step tends to
  -g / lambda, gradient descent with alpha = 1 / lambda.

L-BFGS (``scipy.optimize.minimize(method="L-BFGS-B")``) avoids the Hessian altogether: it
builds an approximation of H^{-1} from the last few pairs (change of w, change of g) and
takes full-batch steps with a line search. :func:`lbfgs` runs it on a network's flattened
parameters (:mod:`dlcourse.flat`) with the package's own backward pass as the gradient.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .._checks import check_finite, check_int, check_nonnegative, check_positive
from ..flat import model_loss_and_grad, parameters_to_vector
from ..descent import path

__all__ = [
    "newton_step",
    "newton_minimize",
    "newton",
    "gradient_descent_path",
    "LBFGSResult",
    "lbfgs",
]


# ----------------------------------------------------------------------------------------
# Newton's method
# ----------------------------------------------------------------------------------------

_MAX_CONDITION = 1e12  # beyond this, solving (H + lambda I) d = -g loses all accuracy


def newton_step(g: np.ndarray, H: np.ndarray, damping: float = 0.0) -> np.ndarray:
    """d = -(H + damping I)^{-1} g, computed by solving the linear system (no inverse).

    Raises ``numpy.linalg.LinAlgError`` when H + damping I is singular or so close to it
    (condition number above 1e12) that the step would be mostly round-off.
    """
    g = np.asarray(g, dtype=np.float64)
    H = np.asarray(H, dtype=np.float64)
    if g.ndim != 1 or H.shape != (g.size, g.size):
        raise ValueError(
            f"H must have shape ({g.size}, {g.size}) for a gradient of shape "
            f"{g.shape}, got shape {H.shape}"
        )
    M = H + damping * np.eye(g.size)
    if not np.all(np.isfinite(M)) or np.linalg.cond(M) > _MAX_CONDITION:
        raise np.linalg.LinAlgError("H + damping*I is singular (to working precision)")
    return -np.linalg.solve(M, g)


def _start(w0) -> np.ndarray:
    w = check_finite("w0", np.array(w0, dtype=np.float64))
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"w0 must be a non-empty 1-D vector, got shape {w.shape}")
    return w


def newton_minimize(
    grad_fn: Callable[[np.ndarray], np.ndarray],
    hess_fn: Callable[[np.ndarray], np.ndarray],
    w0,
    steps: int = 10,
    damping: float = 0.0,
) -> np.ndarray:
    """The path w_0, w_1, ..., w_steps of w_{k+1} = w_k - (H(w_k) + damping I)^{-1} g(w_k).

    ``grad_fn(w)`` returns g (shape (d,)) and ``hess_fn(w)`` returns H (shape (d, d)).
    Returns an array of shape (steps + 1, d), row 0 being ``w0``. If a step would leave the
    finite numbers the path stops there (fewer rows). A singular H + damping I raises
    ``numpy.linalg.LinAlgError`` naming the step and the point: add damping.
    """
    w = _start(w0)
    steps = check_int("steps", steps, minimum=0)
    damping = check_nonnegative("damping", damping)
    path = [w.copy()]
    for k in range(steps):
        try:
            d = newton_step(grad_fn(w), hess_fn(w), damping)
        except np.linalg.LinAlgError:
            raise np.linalg.LinAlgError(
                f"H + damping*I is singular at step {k}, w = {np.round(w, 6).tolist()} "
                f"(damping={damping!r}): use damping > 0"
            ) from None
        if not np.all(np.isfinite(d)):
            break
        w = w + d
        path.append(w.copy())
    return np.array(path)


def newton(surface, w0=None, steps: int = 10, damping: float = 0.0) -> np.ndarray:
    """Newton's method on a :class:`dlcourse.surfaces.Surface` with its exact Hessian.

    w <- w - (H + damping I)^{-1} dJ/dw; ``w0=None`` starts at ``surface.start``. Returns
    the path, shape (steps + 1, 2). One step solves a quadratic surface exactly; on
    ``saddle()`` started near the origin (damping 0) it converges to the saddle point, not
    to a minimum (see the module docstring).
    """
    w0 = _start(surface.start if w0 is None else w0)
    if w0.shape != (2,):
        raise ValueError(f"w0 must have shape (2,) on a 2-D surface, got shape {w0.shape}")
    return newton_minimize(surface.grad, surface.hessian, w0, steps, damping)


def gradient_descent_path(surface, w0=None, lr: float = 0.01, steps: int = 100) -> np.ndarray:
    """Plain gradient descent w <- w - alpha dJ/dw on a surface, for comparison with Newton.

    ``w0=None`` starts at ``surface.start``. Returns the path, shape (steps + 1, 2); if it
    diverges (alpha too large: w or J(w) not finite, the rule of
    :func:`dlcourse.descent.path` without a radius) it stops at the last good point.
    """
    w = _start(surface.start if w0 is None else w0)
    if w.shape != (2,):
        raise ValueError(f"w0 must have shape (2,) on a 2-D surface, got shape {w.shape}")
    p = path(surface, w, lr=lr, steps=steps, radius=math.inf)
    return p.ws if p.diverged_at is None else p.ws[: max(p.diverged_at, 1)]


# ----------------------------------------------------------------------------------------
# L-BFGS on a network
# ----------------------------------------------------------------------------------------


@dataclass
class LBFGSResult:
    """What :func:`lbfgs` did.

    ``costs[k]`` and ``grad_norms[k]`` are J and ||dJ/dtheta|| after k iterations
    (``costs[0]`` at the start); ``evaluations`` counts the forward/backward passes (the
    line search may need more than one per iteration); ``scipy_result`` is scipy's
    ``OptimizeResult`` (``.x``, ``.message``, ``.success``, ``.nit``, ``.nfev``).
    """

    costs: list[float] = field(default_factory=list)
    grad_norms: list[float] = field(default_factory=list)
    evaluations: int = 0
    scipy_result: object = None

    @property
    def cost(self) -> float:
        """The final cost J."""
        return self.costs[-1]

    @property
    def grad_norm(self) -> float:
        """||dJ/dtheta|| at the final parameters."""
        return self.grad_norms[-1]

    @property
    def iterations(self) -> int:
        return len(self.costs) - 1

    @property
    def message(self) -> str:
        msg = getattr(self.scipy_result, "message", "")
        return msg.decode() if isinstance(msg, bytes) else str(msg)


class _CountingObjective:
    """Wraps f(theta) -> (J, g): counts calls and remembers the last point evaluated."""

    def __init__(self, f: Callable[[np.ndarray], tuple[float, np.ndarray]]) -> None:
        self.f = f
        self.calls = 0
        self.last: tuple[np.ndarray, float, np.ndarray] | None = None

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """(J, g) at theta, reusing the last evaluation when it was at the same point (the
        model is then already at theta)."""
        if self.last is not None and np.array_equal(self.last[0], theta):
            return self.last[1], self.last[2].copy()
        self.calls += 1
        J, g = self.f(theta)
        self.last = (np.array(theta, copy=True), J, g)
        return J, g.copy()


def lbfgs(
    model, loss, X, y, max_iter: int = 100, l2: float = 0.0, history: int = 10, gtol: float = 1e-6
) -> LBFGSResult:
    """Minimize J(theta) = loss(model(X), y) + lambda/(2m) sum ||W||^2 over all of the
    model's parameters with L-BFGS (full batch), and leave the model at the optimum found.

    ``history`` is the number of (s, y) pairs kept to approximate the inverse Hessian
    (scipy's ``maxcor``); ``max_iter`` bounds the iterations; the run stops earlier when
    every component of the gradient is below ``gtol`` in magnitude (or when J stops
    decreasing). The forward passes use ``training=False`` (see
    :func:`dlcourse.flat.model_loss_and_grad`): dropout off, batch norm on its running
    statistics. Returns an :class:`LBFGSResult` with the cost after every iteration.
    """
    from scipy.optimize import minimize  # scipy only where it is used

    max_iter = check_int("max_iter", max_iter, minimum=1)
    history = check_int("history", history, minimum=1)
    gtol = check_positive("gtol", gtol)
    objective = _CountingObjective(model_loss_and_grad(model, loss, X, y, l2))
    result = LBFGSResult()

    def record(theta: np.ndarray) -> None:
        J, g = objective(theta)
        result.costs.append(J)
        result.grad_norms.append(float(np.linalg.norm(g)))

    theta0 = parameters_to_vector(model)
    record(theta0)
    scipy_result = minimize(
        objective,
        theta0,
        jac=True,
        method="L-BFGS-B",
        callback=record,
        options={"maxiter": max_iter, "maxcor": history, "gtol": gtol},
    )
    # leave the model (values and gradients) at scipy's answer, which need not be the
    # last point the line search tried
    J, g = objective(scipy_result.x)
    if J != result.costs[-1]:
        result.costs.append(J)
        result.grad_norms.append(float(np.linalg.norm(g)))
    result.evaluations = objective.calls
    result.scipy_result = scipy_result
    return result
