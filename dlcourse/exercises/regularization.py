"""Checks for notebook 05 (regularization): the L2 cost term and inverted dropout.

``l2_cost(weights, lambd, m)`` returns the term added to the cost,

    lambda / (2 m) * sum_l ||W^[l]||_F^2      (the sum of the squares of every weight)

``dropout_forward(A, keep_prob, rng)`` returns ``(out, D)``, inverted dropout on A:

    D = (rng.random(A.shape) < keep_prob)     (1 keeps a unit, 0 drops it)
    out = A * D / keep_prob                   (so E[out] = A and test time needs no change)

Expected values come from the package (:func:`dlcourse.losses.l2_penalty`,
:func:`dlcourse.layers.dropout_mask`); each typical mistake is a case of its own so that the
hint names it. A mask is random, so dropout is judged by what any correct mask satisfies
(0/1 entries, a kept fraction near keep_prob, out = A * D / keep_prob, the same mask from the
same seed) rather than by one particular draw.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..layers import Dense, Sequential, dropout_mask
from ..losses import l2_penalty
from .grader import Case, CheckResult
from .initialization import Expect, check_cases

_RTOL = 1e-7


# ------------------------------------------------------------------ L2 cost
def reference_l2_cost(weights, lambd: float, m: int) -> float:
    """lambda / (2 m) * sum of W^2 over the matrices, computed by the package."""
    layers = []
    for W in weights:
        layer = Dense(W.shape[1], W.shape[0], init="zeros", bias=False)
        layer.W.value[...] = W
        layers.append(layer)
    return l2_penalty(Sequential(layers), lambd, m)


def _close(a, b) -> bool:
    a = float(np.asarray(a, dtype=np.float64).reshape(()))
    return bool(np.isclose(a, b, rtol=_RTOL, atol=1e-12))


def _is_not(value: float) -> Callable:
    """Accepts anything but ``value`` (the result of one typical mistake)."""
    return lambda got: not _close(got, value)


def _is(value: float) -> Callable:
    return lambda got: _close(got, value)


def _scalar(got) -> bool:
    return np.asarray(got, dtype=np.float64).shape == ()


def _l2_cases(weights: list, lambd: float, m: int) -> list[Case]:
    squares = [float(np.sum(W * W)) for W in weights]
    ref = reference_l2_cost(weights, lambd, m)
    args = (weights, lambd, m)
    wrong = [
        (2 * ref, "your value is twice the expected one: the factor is lambda / (2 m), "
                  "did you forget the 2 (the 1/2 that makes the gradient lambda / m * W)?"),
        (lambd / 2 * sum(squares), "divide by m, the number of examples: lambda / (2 m)."),
        (lambd * m / 2 * sum(squares), "the factor is lambda / (2 m): divide by m, "
                                       "don't multiply."),
        (lambd / (2 * m) * squares[0], "sum over every layer's weight matrix, not only "
                                       "the first one."),
        (lambd / (2 * m) * sum(np.sqrt(squares)), "use the squared norm ||W||^2 = "
                                                  "np.sum(W ** 2), not the norm itself."),
        (lambd / (2 * m) * sum(float(np.sum(W)) for W in weights),
         "square the weights before summing: np.sum(W ** 2), not np.sum(W)."),
    ]
    cases = [Case(args, Expect(ref, _scalar), "return a single number (a float), the cost "
                                              "term summed over all layers.")]
    cases += [Case(args, Expect(ref, _is_not(value)), hint) for value, hint in wrong]
    cases.append(Case(args, Expect(ref, _is(ref)),
                      f"expected lambda / (2 m) * sum of W^2 = {ref:.6g} for lambda = {lambd}, "
                      f"m = {m}."))
    return cases


def check_l2_cost(fn: Callable) -> CheckResult:
    """Check ``fn(weights, lambd, m)`` against lambda / (2 m) sum_l ||W^[l]||^2; never raises."""
    rng = np.random.default_rng(5)
    weights = [rng.standard_normal(shape) for shape in [(4, 3), (5, 4), (1, 5)]]
    cases = _l2_cases(weights, 0.7, 6)
    zero = Case((weights, 0.0, 6), Expect(0.0, _is(0.0)), "with lambda = 0 the term is 0.")
    single = _l2_cases([rng.standard_normal((3, 2))], 1.5, 10)[-1]
    return check_cases("l2_cost", fn, cases + [zero, single])


# ------------------------------------------------------------------ inverted dropout
def reference_dropout(A: np.ndarray, keep_prob: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """(A * D / keep_prob, D) with the package's mask (D = 1 with probability keep_prob)."""
    scaled = dropout_mask(A.shape, 1.0 - keep_prob, rng)  # D / keep_prob
    D = (scaled > 0).astype(np.float64)
    return A * D / keep_prob, D


def _pair(shape) -> Callable:
    def ok(got) -> bool:
        out, D = got
        return np.shape(out) == shape and np.shape(D) == shape
    return ok


def _zero_one(got) -> bool:
    D = np.asarray(got[1], dtype=np.float64)
    return bool(np.all((D == 0) | (D == 1)))


def _kept_fraction(target: float, tol: float = 0.02) -> Callable:
    return lambda got: abs(float(np.mean(np.asarray(got[1], dtype=np.float64))) - target) < tol


def _not_kept_fraction(target: float) -> Callable:
    inside = _kept_fraction(target)
    return lambda got: not inside(got)


def _out_is(A: np.ndarray, factor: float) -> Callable:
    """out == A * D * factor (factor = 1 / keep_prob for the right answer)."""
    def ok(got) -> bool:
        out, D = np.asarray(got[0], dtype=np.float64), np.asarray(got[1], dtype=np.float64)
        return bool(np.allclose(out, A * D * factor, rtol=_RTOL, atol=1e-12))
    return ok


def _out_is_not(A: np.ndarray, factor: float) -> Callable:
    same = _out_is(A, factor)
    return lambda got: not same(got)


def _dropped_are_zero(got) -> bool:
    out, D = np.asarray(got[0], dtype=np.float64), np.asarray(got[1], dtype=np.float64)
    return bool(np.all(out[D == 0] == 0))


def _dropout_cases(A: np.ndarray, keep_prob: float, seed: int) -> list[Case]:
    ref = reference_dropout(A, keep_prob, np.random.default_rng(seed))

    def case(accepts: Callable, hint: str) -> Case:
        return Case((A.copy(), keep_prob, np.random.default_rng(seed)), Expect(ref, accepts), hint)

    return [
        case(_pair(A.shape), f"return a pair (out, D), both of the shape of A {A.shape}."),
        case(_zero_one, "D is the 0/1 keep mask (1 keeps a unit, 0 drops it), e.g. "
                        "rng.random(A.shape) < keep_prob; the 1/keep_prob goes into out."),
        case(_not_kept_fraction(1.0 - keep_prob),
             f"your mask keeps about 1 - keep_prob = {1 - keep_prob:.1f} of the units: keep a "
             f"unit when rng.random(...) < keep_prob, not when it is greater."),
        case(_kept_fraction(keep_prob),
             f"D should keep each unit with probability keep_prob = {keep_prob} "
             "(about that fraction of ones)."),
        case(_dropped_are_zero, "multiply A by D: a dropped unit must output exactly 0."),
        case(_out_is_not(A, 1.0),
             "you forgot to divide by keep_prob. Inverted dropout scales the survivors by "
             "1/keep_prob so that E[out] = A; without it the next layer sees activations "
             "shrunk by keep_prob in training and full-size ones at test time."),
        case(_out_is_not(A, keep_prob),
             "divide by keep_prob, don't multiply: out = A * D / keep_prob."),
        case(_out_is(A, 1.0 / keep_prob), "out should be A * D / keep_prob."),
    ]


def _same_mask_twice(A: np.ndarray, keep_prob: float) -> list[Case]:
    first: dict = {}

    def same_as_first(got) -> bool:
        D = np.asarray(got[1], dtype=np.float64)
        if "D" not in first:
            first["D"] = D.copy()
            return True
        return np.array_equal(D, first["D"])

    ref = reference_dropout(A, keep_prob, np.random.default_rng(3))
    hint = ("two generators with the same seed gave different masks: draw the mask from the "
            "`rng` argument (rng.random(A.shape)), not from np.random.")
    return [Case((A, keep_prob, np.random.default_rng(3)), Expect(ref, same_as_first), hint)
            for _ in range(2)]


def check_dropout_forward(fn: Callable) -> CheckResult:
    """Check ``fn(A, keep_prob, rng) -> (out, D)`` (inverted dropout); never raises."""
    rng = np.random.default_rng(11)
    A = rng.standard_normal((200, 300)) + 3.0  # no zero entries: a dropped unit is visible
    cases = _dropout_cases(A, 0.8, 1) + _dropout_cases(A, 0.3, 2)
    cases += _same_mask_twice(A, 0.8)
    keep_all = reference_dropout(A, 1.0, np.random.default_rng(4))
    cases.append(Case((A, 1.0, np.random.default_rng(4)),
                      Expect(keep_all, lambda got: np.allclose(got[0], A)),
                      "with keep_prob = 1 nothing is dropped: out must equal A."))
    return check_cases("dropout_forward", fn, cases)
