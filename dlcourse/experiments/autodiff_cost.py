r"""What a whole gradient costs: finite differences, forward mode, reverse mode (notebook 01).

For a cost :math:`J: \mathbb{R}^n \to \mathbb{R}` (a logistic-regression cost of ``n``
weights), three ways to get all ``n`` partial derivatives, each counted in passes over the
computation:

- two-sided finite differences: 2 evaluations of :math:`J` per weight, ``2n`` in all;
- forward mode: one pass carries one tangent direction :math:`v` and returns
  :math:`\nabla J \cdot v`; the whole gradient needs ``n`` passes (:math:`v = e_1, \dots, e_n`);
- reverse mode (:mod:`dlcourse.autodiff`): one forward pass that records the graph and one
  backward pass over it, whatever ``n``.

Every count is taken while the method runs: each evaluation of the cost, each tangent pass
and each ``backward()`` call goes through a :class:`Counted` wrapper.

For a function with several outputs, :math:`f: \mathbb{R}^n \to \mathbb{R}^k`, the whole
Jacobian takes forward mode ``n`` passes (one per input direction) and reverse mode one
forward pass plus ``k`` backward passes (one per output, seeded with :math:`e_i`):
:func:`jacobian_costs` on :math:`f(w) = \tanh(Xw)`. Forward mode wins when inputs are few.

With the whole gradient in hand, gradient descent trains: :func:`logistic_descent` runs
logistic regression (labels in {0, 1}, a = sigmoid(X w + b), the mean cross-entropy) on two
classes of the shipped digits with a ``gradient(X, y, w, b) -> (dw, db)`` and a
``step(w, dw, lr)`` function (the learner's, in the exercises), next to ``dl.fit`` training a
``Dense(64, 1)`` with ``BinaryCrossEntropy`` and ``optim.SGD`` from the same zeros.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

import numpy as np

from .. import autodiff as ad
from .. import optim
from .._checks import check_int
from ..datasets import digits_split
from ..gradcheck import numerical_gradient, relative_error
from ..layers import Dense, Sequential
from ..losses import BinaryCrossEntropy
from ..train import fit

__all__ = [
    "GradientCost",
    "logistic_problem",
    "logistic_cost",
    "logistic_jvp",
    "gradient_costs",
    "graph_nodes",
    "retain_intermediate_grads",
    "Counted",
    "JacobianCost",
    "jacobian_costs",
    "digit_pair",
    "LogisticRun",
    "logistic_descent",
]


class Counted:
    """``fn`` that counts its calls in ``.calls``."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn, self.calls = fn, 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.fn(*args, **kwargs)


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


def retain_intermediate_grads(out: ad.Tensor) -> ad.Tensor:
    """Call ``retain_grad`` on every operation below ``out`` (and ``out``), so that after
    ``out.backward()`` each node's ``.grad`` holds its adjoint dJ/dv; returns ``out``."""
    seen, stack = set(), [out]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            if node.op:
                node.retain_grad()
            stack.extend(node.parents)
    return out


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
    J = Counted(lambda: logistic_cost(w0, X, y))
    numeric = numerical_gradient(J, w0)
    jvp = Counted(logistic_jvp)
    forward = np.array([jvp(w0, e, X, y)[1] for e in np.eye(n)])
    w = ad.Tensor(w0, requires_grad=True)
    record, sweep = Counted(logistic_cost), Counted(ad.Tensor.backward)
    out = record(w, X, y)
    sweep(out)
    reverse = np.asarray(w.grad, dtype=np.float64)
    return GradientCost(
        n,
        J.calls,
        jvp.calls,
        record.calls + sweep.calls,
        graph_nodes(out),
        float(relative_error(reverse, numeric)),
        float(relative_error(reverse, forward)),
    )


@dataclass(frozen=True)
class JacobianCost:
    """Passes each mode made for the whole (k, n) Jacobian of f(w) = tanh(Xw), and the
    largest difference between the two Jacobians."""

    n_inputs: int
    n_outputs: int
    forward_mode_passes: int
    reverse_mode_forward_passes: int
    reverse_mode_backward_passes: int
    difference: float


def _tanh_jvp(w: np.ndarray, v: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One forward-mode pass of f(w) = tanh(Xw): the value and its tangent along v."""
    a = np.tanh(X @ w)
    return a, (1.0 - a**2) * (X @ v)


def jacobian_costs(n_inputs: int, n_outputs: int, seed: int = 1) -> JacobianCost:
    """The Jacobian of f(w) = tanh(Xw), X of shape (n_outputs, n_inputs), both ways:
    forward mode column by column (one tangent pass per input), reverse mode row by row
    (one recorded forward pass, then one ``backward(grad=e_i)`` per output)."""
    n, k = check_int("n_inputs", n_inputs, minimum=1), check_int("n_outputs", n_outputs, minimum=1)
    rng = np.random.default_rng(seed)
    X, w0 = rng.standard_normal((k, n)) / np.sqrt(n), rng.standard_normal(n)
    jvp = Counted(_tanh_jvp)
    forward = np.column_stack([jvp(w0, e, X)[1] for e in np.eye(n)])
    w = ad.Tensor(w0, requires_grad=True)
    record, sweep = Counted(lambda: ad.tanh(X @ w)), Counted(ad.Tensor.backward)
    out, rows = record(), []
    for e in np.eye(k):
        w.grad = None
        sweep(out, e)
        rows.append(np.asarray(w.grad, dtype=np.float64))
    difference = float(np.max(np.abs(np.vstack(rows) - forward)))
    return JacobianCost(n, k, jvp.calls, record.calls, sweep.calls, difference)


def digit_pair(first: int = 3, second: int = 8, seed: int = 0) -> tuple[np.ndarray, ...]:
    """The standardised digits (``digits_split(seed)``) of two classes, as a binary problem:
    (X_train, X_val, y_train, y_val), y = 1 for ``second`` and 0 for ``first``."""
    X_train, X_val, y_train, y_val = digits_split(seed)
    train, val = np.isin(y_train, (first, second)), np.isin(y_val, (first, second))
    return (
        X_train[train],
        X_val[val],
        (y_train[train] == second).astype(np.float64),
        (y_val[val] == second).astype(np.float64),
    )


class LogisticRun(NamedTuple):
    """The cost before each step (J^{0} .. J^{steps-1}) and the validation accuracy after
    the last one, by the given functions and by ``fit``."""

    own_loss: np.ndarray
    fit_loss: np.ndarray
    own_val_accuracy: float
    fit_val_accuracy: float


def logistic_descent(
    gradient: Callable, step: Callable, lr: float = 0.1, steps: int = 200, seed: int = 0
) -> LogisticRun:
    """``steps`` steps of full-batch gradient descent from w = 0, b = 0 on
    :func:`digit_pair` (``seed``): w, b <- step(w, dw, lr), step(b, db, lr) with
    (dw, db) = gradient(X, y, w, b); and the same training by ``fit`` (SGD, full batch)."""
    X, X_val, y, y_val = digit_pair(seed=seed)
    w, b, loss, own = np.zeros(X.shape[1]), 0.0, BinaryCrossEntropy(), []
    for _ in range(steps):
        own.append(loss.forward(X @ w + b, y))
        dw, db = gradient(X, y, w, b)
        w, b = step(w, dw, lr), step(b, db, lr)
    model = Sequential([Dense(X.shape[1], 1, init="zeros")])
    history = fit(model, X, y, loss, optim.SGD(model.parameters(), lr), epochs=steps)
    return LogisticRun(
        np.array(own),
        np.array(history.loss),
        loss.accuracy(X_val @ w + b, y_val),
        loss.accuracy(model.forward(X_val, training=False)[:, 0], y_val),
    )
