"""Exponentially weighted (moving) averages, with and without bias correction.

For a series theta_1, theta_2, ..., theta_T and a weight beta in [0, 1):

    v_0 = 0
    v_t = beta v_{t-1} + (1 - beta) theta_t                          (the recursion)
        = (1 - beta) sum_{i=1..t} beta^(t-i) theta_i                 (unrolled)

The weights (1 - beta) beta^(t-i) decay geometrically into the past: after about
1 / (1 - beta) steps they have fallen to roughly 1/e (beta^(1/(1-beta)) ~ 1/e), so v_t is
"roughly an average over the last 1 / (1 - beta) values" (beta = 0.9: about 10 values).

The weights only add up to 1 - beta^t, not 1, so the first values of v are pulled towards
the starting value v_0 = 0. Bias correction divides that out:

    v_t^corrected = v_t / (1 - beta^t)

which turns the weights into a true weighted average: a constant series c gives
v_t^corrected = c exactly, from t = 1 on. Adam applies this correction to both of its
averages; the course's plain momentum does not (after ~1/(1 - beta) steps it hardly matters).

The time axis is axis 0, so a series may be a vector (T,) or T stacked arrays (T, ...):
each trailing position is averaged on its own.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_finite, check_int, check_unit_interval

__all__ = ["ewa", "ewa_step", "bias_correct", "ewa_corrected", "ewa_weights", "effective_window"]


def _series(values) -> np.ndarray:
    """values as a float64 array with time on axis 0 (at least one value, all finite)."""
    array = np.asarray(values)
    if array.ndim == 0:
        raise ValueError(f"values must be a series with time on axis 0, got a scalar {values!r}")
    if array.shape[0] == 0:
        raise ValueError("values is empty: there is nothing to average")
    return check_finite("values", array).astype(np.float64)


def ewa(values, beta: float, bias_correction: bool = False) -> np.ndarray:
    """The exponentially weighted average v_1 .. v_T of ``values`` (time on axis 0).

        v_0 = 0,    v_t = beta v_{t-1} + (1 - beta) theta_t

    With ``bias_correction`` each v_t is divided by (1 - beta^t) (see :func:`bias_correct`).
    Returns an array shaped like ``values``; entry t-1 holds v_t.
    """
    beta = check_unit_interval("beta", beta)
    theta = _series(values)
    v = np.zeros_like(theta)
    previous = np.zeros(theta.shape[1:])  # v_0 = 0
    for t in range(len(theta)):
        previous = ewa_step(previous, theta[t], beta)
        v[t] = previous
    return bias_correct(v, beta) if bias_correction else v


def ewa_step(v, theta, beta: float):
    """One step of the average: beta v + (1 - beta) theta (``beta`` is not checked here:
    this is the inner loop of :func:`ewa` and of the online smoothing in
    :func:`dlcourse.topics.lr_finder.lr_range_test`)."""
    return beta * v + (1.0 - beta) * theta


def bias_correct(v, beta: float) -> np.ndarray:
    """v_t / (1 - beta^t) for t = 1 .. T: the bias-corrected average from the plain one.

    ``v`` holds v_1 .. v_T on axis 0 (as returned by :func:`ewa`).
    """
    beta = check_unit_interval("beta", beta)
    v = _series(v)
    t = np.arange(1, len(v) + 1, dtype=np.float64)
    correction = 1.0 - beta**t  # sum of the weights at time t, in (0, 1]
    return v / correction.reshape((-1,) + (1,) * (v.ndim - 1))


def ewa_corrected(values, beta: float) -> np.ndarray:
    """The bias-corrected average v_t / (1 - beta^t); same as ``ewa(values, beta, True)``."""
    return ewa(values, beta, bias_correction=True)


def ewa_weights(t: int, beta: float) -> np.ndarray:
    """The weights (1 - beta) beta^(t-i), i = 1 .. t, that v_t puts on theta_1 .. theta_t.

    They add up to 1 - beta^t; dividing them by that sum gives the weights of the
    bias-corrected average. Entry i-1 is the weight of theta_i (the newest value is last).
    """
    t = check_int("t", t, minimum=1)
    beta = check_unit_interval("beta", beta)
    return (1.0 - beta) * beta ** np.arange(t - 1, -1, -1, dtype=np.float64)


def effective_window(beta: float) -> float:
    """1 / (1 - beta): roughly how many recent values the average remembers."""
    beta = check_unit_interval("beta", beta)
    return 1.0 / (1.0 - beta)
