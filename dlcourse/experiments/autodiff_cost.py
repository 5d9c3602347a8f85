r"""What a whole gradient costs: finite differences, forward mode, reverse mode (notebook 01).

For a cost :math:`J: \mathbb{R}^n \to \mathbb{R}` (a logistic-regression cost of ``n``
weights), three ways to get all ``n`` partial derivatives, each counted in passes over the
computation:

- two-sided finite differences: 2 evaluations of :math:`J` per weight, ``2n`` in all;
- forward mode: one pass carries one tangent direction :math:`v` and returns
  :math:`\nabla J \cdot v`; the whole gradient needs ``n`` passes (:math:`v = e_1, \dots, e_n`);
- reverse mode (:mod:`dlcourse.autodiff`): one forward pass that records the graph and one
  backward pass over it, whatever ``n``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import autodiff as ad
from .._checks import check_int
from ..gradcheck import numerical_gradient, relative_error

__all__ = [
    "GradientCost",
    "logistic_problem",
    "logistic_cost",
    "logistic_jvp",
    "gradient_costs",
    "graph_nodes",
]


def logistic_problem(
    n: int, m: int = 50, seed: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Data ``X`` (m, n), labels ``y`` in {-1, +1} and a starting point ``w0`` (n,)."""
    n, m = check_int("n", n, minimum=1), check_int("m", m, minimum=1)
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((m, n)), rng.integers(0, 2, m) * 2.0 - 1.0
    return X, y, 0.05 * rng.standard_normal(n)


def logistic_cost(w, X: np.ndarray, y: np.ndarray):
    """Mean of log(1 + exp(-y x.w)); works on numpy arrays and on autodiff Tensors."""
    margins = (X @ w) * y
    if isinstance(w, ad.Tensor):
        return ad.log(1.0 + ad.exp(-margins)).mean()
    return float(np.mean(np.log1p(np.exp(-margins))))


def logistic_jvp(w: np.ndarray, v: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """One forward-mode pass: J(w) and the directional derivative grad J(w) . v, carried
    alongside every intermediate value (each value paired with its tangent)."""
    margins, d_margins = (X @ w) * y, (X @ v) * y
    losses = np.log1p(np.exp(-margins))
    d_losses = -d_margins / (1.0 + np.exp(margins))  # d log(1 + e^-t) = -dt / (1 + e^t)
    return float(losses.mean()), float(d_losses.mean())


def graph_nodes(out: ad.Tensor) -> int:
    """Number of operations recorded in the graph below ``out`` (leaves not counted)."""
    seen, stack, count = set(), [out], 0
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        count += bool(node.op)
        stack.extend(node.parents)
    return count


@dataclass(frozen=True)
class GradientCost:
    """Passes needed for the whole gradient of an n-weight cost, and each method's error
    against reverse mode."""

    n: int
    finite_difference_evaluations: int
    forward_mode_passes: int
    reverse_mode_passes: int
    graph_operations: int
    finite_difference_error: float
    forward_mode_error: float


def gradient_costs(n: int, m: int = 50, seed: int = 1) -> GradientCost:
    """Compute the gradient of the logistic cost all three ways, counting the passes."""
    X, y, w0 = logistic_problem(n, m, seed)
    calls = [0]

    def J() -> float:
        calls[0] += 1
        return logistic_cost(w0, X, y)

    numeric = numerical_gradient(J, w0)
    forward = np.array([logistic_jvp(w0, e, X, y)[1] for e in np.eye(n)])
    w = ad.Tensor(w0, requires_grad=True)
    out = logistic_cost(w, X, y)
    out.backward()
    reverse = np.asarray(w.grad, dtype=np.float64)
    return GradientCost(
        n,
        calls[0],
        n,
        2,
        graph_nodes(out),
        float(relative_error(reverse, numeric)),
        float(relative_error(reverse, forward)),
    )
