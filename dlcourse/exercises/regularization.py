"""Checks for notebook 05 (regularization): the L2 cost term and its gradient, inverted
dropout forward and backward, and the notebook's questions.

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
from .grader import graded
from .grader import GRADIENT_HELPERS, exercise  # noqa: F401
from .grader import Case, CheckResult
from .initialization import Expect, check_cases

__all__ = [
    "reference_l2_cost",
    "check_l2_cost",
    "reference_dropout",
    "check_dropout_forward",
    "reference_dropout_backward",
    "check_dropout_backward",
    "reference_l2_gradient",
    "check_l2_gradient",
    "Q_LAMBDA",
    "Q_LAMBDA_LARGE",
    "Q_NO_DIVISION",
]

_RTOL = 1e-7


# ------------------------------------------------------------------ a backward, not an estimate
class _Tally(np.ndarray):
    """An input array that counts the numpy operations (ufunc calls) it and its copies take
    part in. A backward pass uses its mask or weights a few times; a finite-difference
    estimate evaluates the forward map twice per entry, so at least twice the entry count."""

    def __array_finalize__(self, obj) -> None:
        self.uses = getattr(obj, "uses", None) or [0]

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        self.uses[0] += 1
        plain = [np.asarray(x) if isinstance(x, _Tally) else x for x in inputs]
        if out is not None:
            kwargs["out"] = tuple(np.asarray(o) if isinstance(o, _Tally) else o for o in out)
        return getattr(ufunc, method)(*plain, **kwargs)


def _tallied(arrays: list, uses: list) -> list:
    """Copies of ``arrays`` that all add their operations to the one counter ``uses``."""
    out = []
    for a in arrays:
        t = np.array(a, dtype=np.float64).view(_Tally)
        t.uses = uses
        out.append(t)
    return out


def _estimated(name: str, fn: Callable, args: tuple, uses: list, entries: int, what: str):
    """None when ``fn(*args)`` uses the counted inputs fewer times than they have entries;
    else a failed :class:`CheckResult`: the answer was estimated entry by entry."""
    before = uses[0]
    fn(*args)
    used = uses[0] - before
    if used < entries:
        return None
    return CheckResult(
        False,
        f"{name}: not yet — your function computed with {what} {used} times for its "
        f"{entries} entries: that is a numerical estimate (a forward evaluation per "
        "entry and direction), not a backward pass. Derive the gradient with the chain "
        "rule and compute it for all entries at once.",
    )


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
        (
            2 * ref,
            "your value is twice the expected one: the factor is lambda / (2 m), "
            "did you forget the 2 (the 1/2 that makes the gradient lambda / m * W)?",
        ),
        (lambd / 2 * sum(squares), "divide by m, the number of examples: lambda / (2 m)."),
        (
            lambd * m / 2 * sum(squares),
            "the factor is lambda / (2 m): divide by m, don't multiply.",
        ),
        (
            lambd / (2 * m) * squares[0],
            "sum over every layer's weight matrix, not only the first one.",
        ),
        (
            lambd / (2 * m) * sum(np.sqrt(squares)),
            "use the squared norm ||W||^2 = np.sum(W ** 2), not the norm itself.",
        ),
        (
            lambd / (2 * m) * sum(float(np.sum(W)) for W in weights),
            "square the weights before summing: np.sum(W ** 2), not np.sum(W).",
        ),
    ]
    cases = [
        Case(
            args,
            Expect(ref, _scalar),
            "return a single number (a float), the cost term summed over all layers.",
        )
    ]
    cases += [Case(args, Expect(ref, _is_not(value)), hint) for value, hint in wrong]
    cases.append(
        Case(
            args,
            Expect(ref, _is(ref)),
            f"expected lambda / (2 m) * sum of W^2 = {ref:.6g} for lambda = {lambd}, m = {m}.",
        )
    )
    return cases


@graded
@exercise(
    reference=reference_l2_cost,
    forbidden=("dlcourse.losses.l2_penalty",),
)
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


def _not_shared(axis: int) -> Callable:
    """Accepts a mask whose slices along ``axis`` are not all the same."""

    def ok(got) -> bool:
        D = np.asarray(got[1], dtype=np.float64)
        first = np.take(D, [0], axis=axis)
        return not np.all(D == first)

    return ok


def _dropped_are_zero(got) -> bool:
    out, D = np.asarray(got[0], dtype=np.float64), np.asarray(got[1], dtype=np.float64)
    return bool(np.all(out[D == 0] == 0))


def _dropout_cases(A: np.ndarray, keep_prob: float, seed: int) -> list[Case]:
    ref = reference_dropout(A, keep_prob, np.random.default_rng(seed))

    def case(accepts: Callable, hint: str) -> Case:
        return Case((A.copy(), keep_prob, np.random.default_rng(seed)), Expect(ref, accepts), hint)

    return [
        case(_pair(A.shape), f"return a pair (out, D), both of the shape of A {A.shape}."),
        case(
            _zero_one,
            "D is the 0/1 keep mask (1 keeps a unit, 0 drops it), e.g. "
            "rng.random(A.shape) < keep_prob; the 1/keep_prob goes into out.",
        ),
        case(
            _not_shared(0),
            "every row of your mask is the same, so all examples drop the same units: draw "
            "one number per entry of A (a mask of A's full shape), not one per unit.",
        ),
        case(
            _not_shared(1),
            "every column of your mask is the same, so an example keeps or drops all its "
            "units at once: draw one number per entry of A, not one per example.",
        ),
        case(
            _not_kept_fraction(1.0 - keep_prob),
            f"your mask keeps about 1 - keep_prob = {1 - keep_prob:.1f} of the units: keep a "
            f"unit when rng.random(...) < keep_prob, not when it is greater.",
        ),
        case(
            _kept_fraction(keep_prob),
            f"D should keep each unit with probability keep_prob = {keep_prob} "
            "(about that fraction of ones).",
        ),
        case(_dropped_are_zero, "multiply A by D: a dropped unit must output exactly 0."),
        case(
            _out_is_not(A, 1.0),
            "you forgot to divide by keep_prob. Inverted dropout scales the survivors by "
            "1/keep_prob so that E[out] = A; without it the next layer sees activations "
            "shrunk by keep_prob in training and full-size ones at test time.",
        ),
        case(
            _out_is_not(A, keep_prob),
            "divide by keep_prob, don't multiply: out = A * D / keep_prob.",
        ),
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
    hint = (
        "two generators with the same seed gave different masks: draw the mask from the "
        "`rng` argument (rng.random(A.shape)), not from np.random."
    )
    return [
        Case((A, keep_prob, np.random.default_rng(3)), Expect(ref, same_as_first), hint)
        for _ in range(2)
    ]


def _dropout_input() -> np.ndarray:
    """Activations with no zero entry (a dropped unit is visible), the same on every call."""
    return np.random.default_rng(12).standard_normal((30, 40)) + 3.0


@graded
@exercise(
    items=("out", "D"),
    reference=reference_dropout,
    rng_call=lambda rng: (_dropout_input(), 0.7, rng),
    fresh=True,
    forbidden=(
        "dlcourse.layers.dropout_mask",
        "dlcourse.layers.dropout_forward",
        "dlcourse.layers.Dropout.forward",
    ),
)
def check_dropout_forward(fn: Callable) -> CheckResult:
    """Check ``fn(A, keep_prob, rng) -> (out, D)`` (inverted dropout); never raises."""
    rng = np.random.default_rng(11)
    A = rng.standard_normal((200, 300)) + 3.0  # no zero entries: a dropped unit is visible
    cases = _dropout_cases(A, 0.8, 1) + _dropout_cases(A, 0.3, 2)
    cases += _same_mask_twice(A, 0.8)
    keep_all = reference_dropout(A, 1.0, np.random.default_rng(4))
    cases.append(
        Case(
            (A, 1.0, np.random.default_rng(4)),
            Expect(keep_all, lambda got: np.allclose(got[0], A)),
            "with keep_prob = 1 nothing is dropped: out must equal A.",
        )
    )
    return check_cases("dropout_forward", fn, cases)


# ------------------------------------------------------------------ dropout backward
def reference_dropout_backward(dout: np.ndarray, D: np.ndarray, keep_prob: float) -> np.ndarray:
    """dA = dout * D / keep_prob: the same mask and scale as the forward pass."""
    return dout * np.asarray(D, dtype=np.float64) / keep_prob


def _dropout_backward_mistakes() -> list:
    return [
        (
            lambda dout, D, kp: dout * D,
            "you applied the mask but not the scale: the forward pass divided by keep_prob, "
            "so the backward pass must divide the same way.",
        ),
        (
            lambda dout, D, kp: dout * D * kp,
            "divide by keep_prob, don't multiply: the backward pass repeats the forward scale.",
        ),
        (
            lambda dout, D, kp: dout / kp,
            "a dropped unit took no part in the output, so its gradient must be exactly 0: "
            "apply the mask D.",
        ),
        (
            lambda dout, D, kp: dout,
            "you passed dout through unchanged: dropout's backward uses the forward mask and scale.",
        ),
        (
            lambda dout, D, kp: dout * (1 - D) / kp,
            "you kept the gradient of the dropped units and zeroed the kept ones: D = 1 means kept.",
        ),
        (
            lambda dout, D, kp: dout * D / (1 - kp),
            "divide by keep_prob, the probability of keeping a unit, not by the drop rate.",
        ),
    ]


def _dropout_backward_cases(rng: np.random.Generator) -> list[Case]:
    """Masks of several sizes and keep_probs, and an upstream gradient whose entries span
    twelve orders of magnitude (a difference quotient of the summed cost loses the small
    ones to round-off)."""
    cases = []
    for shape, kp in [((4, 6), 0.8), ((30, 20), 0.3), ((5, 3), 1.0), ((12, 9), 0.55)]:
        dout = rng.standard_normal(shape) + 0.5
        if shape == (12, 9):
            dout *= 10.0 ** rng.uniform(-6, 6, shape)
        D = (rng.random(shape) < kp).astype(np.float64)
        cases.append(
            Case(
                (dout, D, kp),
                reference_dropout_backward(dout, D, kp),
                "the backward pass repeats what the forward pass did to each entry (its mask "
                "and its scale).",
            )
        )
    return cases


@graded
@exercise(
    reference=reference_dropout_backward,
    forbidden=(
        *GRADIENT_HELPERS,
        "dlcourse.layers.dropout_backward",
        "dlcourse.layers.Dropout.backward",
        "dlcourse.layers.dropout_forward",
        "dlcourse.layers.dropout_mask",
        "dlcourse.layers.Dropout.forward",
    ),
)
def check_dropout_backward(fn: Callable) -> CheckResult:
    """Check ``fn(dout, D, keep_prob) -> dA`` (inverted dropout backward); never raises.
    Exact formulas agree to a few ulps, so the tolerance is tight; an answer that uses the
    mask once per entry or more (a difference quotient, entry by entry) is refused."""
    from .grader import ESTIMATED, run_with_mistakes, with_mistakes

    rng = np.random.default_rng(21)
    cases = with_mistakes(_dropout_backward_cases(rng), _dropout_backward_mistakes())
    result = run_with_mistakes(
        "dropout_backward", fn, cases, rtol=1e-11, atol=1e-13, estimated=ESTIMATED
    )
    if not result.passed:
        return result
    uses = [0]
    dout = rng.standard_normal((40, 50))
    (D,) = _tallied([(rng.random((40, 50)) < 0.6).astype(np.float64)], uses)
    refused = _estimated("dropout_backward", fn, (dout, D, 0.6), uses, D.size, "the mask D")
    return result if refused is None else refused


# ------------------------------------------------------------------ L2 gradient
def reference_l2_gradient(weights, grads, lambd: float, m: int) -> list:
    """[dW + lambda / m * W for each layer]: the data gradient plus the L2 term's gradient."""
    return [dW + lambd / m * W for W, dW in zip(weights, grads)]


def _l2_gradient_mistakes() -> list:
    return [
        (
            lambda Ws, dWs, l, m: [dW + l / (2 * m) * W for W, dW in zip(Ws, dWs)],
            "the derivative of W^2 is 2 W, which cancels the 1/2 of the cost: the term is "
            "lambda / m * W, not lambda / (2 m) * W.",
        ),
        (
            lambda Ws, dWs, l, m: [dW + l * W for W, dW in zip(Ws, dWs)],
            "the L2 term of the gradient is divided by m, like the cost term.",
        ),
        (
            lambda Ws, dWs, l, m: [dW + 2 * l / m * W for W, dW in zip(Ws, dWs)],
            "your L2 term is twice too big: the 1/2 in the cost cancels the 2 of the derivative.",
        ),
        (
            lambda Ws, dWs, l, m: [l / m * W for W in Ws],
            "add the L2 term to the data gradient dW; you returned the L2 term alone.",
        ),
        (
            lambda Ws, dWs, l, m: [dW - l / m * W for W, dW in zip(Ws, dWs)],
            "add the L2 term (+ lambda / m * W): the penalty grows with |W|, so its gradient "
            "points away from 0.",
        ),
        (
            lambda Ws, dWs, l, m: [dW + l / m * np.sign(W) for W, dW in zip(Ws, dWs)],
            "that is the gradient of an L1 penalty (sign of W); L2's gradient is proportional to W.",
        ),
        (
            lambda Ws, dWs, l, m: [dW for dW in dWs],
            "you returned the data gradient unchanged: add the gradient of the L2 term.",
        ),
    ]


def _l2_gradient_cases(rng: np.random.Generator) -> list[Case]:
    """Two networks of small weights and one whose layers differ by four orders of
    magnitude (a difference quotient with a step of 1e-5 or 1e-7 is visibly off there)."""
    cases = []
    settings = [
        ([(4, 3), (1, 4)], 0.7, 6, (1.0, 1.0)),
        ([(3, 2), (5, 3), (2, 5)], 2.0, 40, (1.0, 1.0, 1.0)),
        ([(6, 4), (3, 6)], 0.3, 25, (3e3, 0.2)),
    ]
    for shapes, lam, m, scales in settings:
        Ws = [scale * rng.standard_normal(s) for s, scale in zip(shapes, scales)]
        dWs = [rng.standard_normal(s) for s in shapes]
        cases.append(
            Case(
                (Ws, dWs, lam, m),
                reference_l2_gradient(Ws, dWs, lam, m),
                "return a list with one array per layer: the data gradient plus the "
                "gradient of the L2 term with respect to that layer's W.",
            )
        )
    return cases


@graded
@exercise(
    items="the gradient of layer {n}",
    reference=reference_l2_gradient,
    forbidden=(*GRADIENT_HELPERS, "dlcourse.losses.add_l2_grad", "dlcourse.losses.l2_penalty"),
)
def check_l2_gradient(fn: Callable) -> CheckResult:
    """Check ``fn(weights, grads, lambd, m) -> list of dW + lambda/m W``; never raises.
    Exact formulas agree to a few ulps; a difference quotient misses by about
    1e-16 |J| / h, and an answer that evaluates the weights once per entry or more is
    refused."""
    from .grader import ESTIMATED, run_with_mistakes, with_mistakes

    rng = np.random.default_rng(8)
    cases = with_mistakes(_l2_gradient_cases(rng), _l2_gradient_mistakes())
    result = run_with_mistakes(
        "l2_gradient", fn, cases, rtol=1e-11, atol=1e-13, estimated=ESTIMATED
    )
    if not result.passed:
        return result
    uses = [0]
    Ws = _tallied([rng.standard_normal((20, 10)), rng.standard_normal((5, 20))], uses)
    dWs = [rng.standard_normal(W.shape) for W in Ws]
    entries = sum(W.size for W in Ws)
    refused = _estimated("l2_gradient", fn, (Ws, dWs, 1.3, 30), uses, entries, "the weights")
    return result if refused is None else refused


# ------------------------------------------------------------------ questions
from .questions import Question  # noqa: E402

Q_LAMBDA = Question(
    "Q_LAMBDA",
    "b",
    "Small lambda leaves the over-fitting (a large validation cost), a moderate one closes "
    "the gap, and a large one shrinks the weights so far that the network cannot even fit "
    "the training set: the validation cost rises again (under-fitting). Over five draws of the "
    "starting weights the minimum is at lambda = 1 every time.",
    {
        "a": "it keeps falling: more regularization is always safer",
        "b": "it falls, reaches a minimum, then rises again",
        "c": "it keeps rising: any penalty hurts the fit",
    },
)

Q_LAMBDA_LARGE = Question(
    "Q_LAMBDA_LARGE",
    "c",
    "At lambda = 30 the penalty outweighs the data cost: the weights shrink more than a "
    "hundredfold, every input gives almost the same output, and the network predicts one "
    "class, or 50/50, for every point. With 40 points of each class that is half right "
    "(0.500 on five draws of the starting weights), and the cost is ln 2 = 0.693.",
    {
        "a": "all of them, like lambda = 0",
        "b": "about 85 %, like logistic regression",
        "c": "about half",
    },
)

Q_NO_DIVISION = Question(
    "Q_NO_DIVISION",
    "c",
    "Each unit survives with probability keep_prob = 0.8 and keeps its value 1, so the mean "
    "is 0.8: without the division the next layer sees activations 20 % smaller in training "
    "than at test time. Dividing the survivors by keep_prob restores a mean of 1.",
    {"a": "1.25", "b": "1.0", "c": "0.8"},
)
