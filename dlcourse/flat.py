"""A network's parameters as one flat vector theta, and back.

Generic optimizers (``scipy.optimize.minimize``, Newton's method, a line search) see a cost
as a function of one vector. A network keeps its parameters as a list of arrays
W^[1], b^[1], W^[2], ...; flattening them in that fixed order gives

    theta = concat(vec(W^[1]), vec(b^[1]), vec(W^[2]), ...)        (C-order ravel of each)

and the gradient dJ/dtheta is flattened in the same order, so theta_i and (dJ/dtheta)_i
always refer to the same weight. :func:`model_loss_and_grad` wraps a model and a loss into
``f(theta) -> (J(theta), dJ/dtheta)``, the form scipy's minimizers take with ``jac=True``.

Vectors are float64 whatever the parameters' dtype (scipy and finite differences need it);
writing a vector back casts it to each parameter's own dtype.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._checks import check_finite, check_nonnegative
from .losses import add_l2_grad, l2_penalty
from .parameter import params_of

__all__ = [
    "gradients_to_vector",
    "model_loss_and_grad",
    "num_parameters",
    "parameters_to_vector",
    "vector_to_parameters",
]


def num_parameters(params) -> int:
    """The length of theta: the total number of entries of all the parameters."""
    return sum(p.value.size for p in params_of(params))


def parameters_to_vector(params) -> np.ndarray:
    """theta = concat(ravel(p.value) for p in params), a new float64 vector."""
    plist = params_of(params)
    if not plist:
        return np.zeros(0)
    return np.concatenate([np.ravel(p.value).astype(np.float64) for p in plist])


def gradients_to_vector(params) -> np.ndarray:
    """dJ/dtheta = concat(ravel(p.grad) for p in params), a new float64 vector, in the same
    order as :func:`parameters_to_vector`."""
    plist = params_of(params)
    for i, p in enumerate(plist):
        if p.grad is None or p.grad.shape != p.value.shape:
            shape = None if p.grad is None else p.grad.shape
            raise ValueError(f"params[{i}] has gradient of shape {shape}, expected {p.value.shape}")
    if not plist:
        return np.zeros(0)
    return np.concatenate([np.ravel(p.grad).astype(np.float64) for p in plist])


def vector_to_parameters(vec, params) -> None:
    """Write theta back into the parameters, in place: p.value[...] = the next p.size entries
    of ``vec``, reshaped to p.shape and cast to p.dtype. The inverse of
    :func:`parameters_to_vector`; arrays that alias ``p.value`` see the new values."""
    plist = params_of(params)
    vec = check_finite("vec", vec)
    total = sum(p.value.size for p in plist)
    if vec.ndim != 1 or vec.size != total:
        raise ValueError(
            f"vec must be a 1-D vector of length {total} (the number of "
            f"parameter entries), got shape {vec.shape}"
        )
    start = 0
    for p in plist:
        stop = start + p.value.size
        p.value[...] = vec[start:stop].reshape(p.value.shape)
        start = stop


def model_loss_and_grad(
    model, loss, X, y, l2: float = 0.0
) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """``f(theta) -> (J, dJ/dtheta)`` for the whole data set (X, y), ready for
    ``scipy.optimize.minimize(f, theta0, jac=True)``.

        J(theta) = loss(model(X; theta), y) + lambda / (2m) sum_l ||W^[l]||^2

    with m = len(X) and lambda = ``l2`` (the same cost ``dl.fit`` minimizes, full batch).
    Each call writes theta into the model's parameters (so after the call the model *is*
    at theta), zeroes the gradients, runs the forward pass with ``training=False`` and the
    backward pass, and returns the cost and the flattened gradient.

    ``training=False`` makes J a fixed, deterministic function of theta, which a
    second-order method or a finite-difference check needs: dropout is the identity (no
    random mask) and batch norm uses its running mean and variance as constants (they are
    not updated). The model's buffers are therefore left untouched.
    """
    X = check_finite("X", X)
    y = check_finite("y", y)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (examples, features), got shape {X.shape}")
    if len(X) != len(y) or len(X) == 0:
        raise ValueError(
            f"X and y must have the same, non-zero number of rows, got X {X.shape} and y {y.shape}"
        )
    l2 = check_nonnegative("l2", l2)
    params = params_of(model)
    if not params:
        raise ValueError("model has no parameters to optimize")
    m = len(X)

    def loss_and_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
        vector_to_parameters(theta, params)
        for p in params:
            p.zero_grad()
        out = model.forward(X, training=False)
        cost = loss.forward(out, y) + l2_penalty(model, l2, m)
        model.backward(loss.backward())
        add_l2_grad(model, l2, m)
        return float(cost), gradients_to_vector(params)

    return loss_and_grad
