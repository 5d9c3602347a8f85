r"""Checks for notebook 01 (gradient descent and autodiff).

- :func:`check_gd_step`: one step of gradient descent, w_new = w - alpha * dJ/dw.
- :func:`check_two_sided_difference`: the centred difference quotient, the numerical slope
  behind gradient checking.
- :func:`check_small_graph_backward`: a forward and a backward sweep, by hand, through the
  graph of J = a tanh(ab + c) + e^b (the graph of the notebook's autodiff example), returning
  the adjoints of the intermediate nodes u = ab, v = u + c, t = tanh v as well as the inputs'.
- :func:`check_logistic_gradient`: the vectorised gradient of the logistic-regression cost,
  dw = X^T (a - y) / m and db = mean(a - y) with a = sigmoid(X w + b), without a loop over
  the examples (the check's X and y refuse one).

Each check compares the learner's function with the reference on hidden cases and, when the
answer matches a typical mistake (the wrong sign, a forgotten learning rate, a one-sided
difference...), names that mistake. The mistake diagnosis is :func:`dlcourse.exercises.grader.run_with_mistakes`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .grader import graded
from .grader import ESTIMATED, GRADIENT_HELPERS, exercise  # noqa: F401
from .grader import (
    calls_asked,
    Case,
    CheckResult,
    DiagnosedCase,
    Mistake,
    close,  # noqa: F401 (re-exported)
    run_with_mistakes,
)
from ..activations import sigmoid
from .questions import Question

__all__ = [
    "Mistake",
    "DiagnosedCase",
    "run_with_mistakes",
    "close",
    "check_gd_step",
    "check_two_sided_difference",
    "reference_two_sided_difference",
    "check_small_graph_backward",
    "reference_small_graph_backward",
    "check_logistic_gradient",
    "reference_logistic_gradient",
    "ExampleLoop",
    "Q_STEP_09",
    "Q_JACOBIAN_PASSES",
]


def _gd_cases() -> list[DiagnosedCase]:
    rng = np.random.default_rng(101)
    points = [
        (3.0, 2.0, 0.1),  # a number
        (np.array([1.0, -2.0, 0.5]), np.array([0.4, -1.0, 3.0]), 0.05),
        (rng.standard_normal((3, 4)), rng.standard_normal((3, 4)), 0.3),
        (np.array([[2.0]]), np.array([[-4.0]]), 1.5),
    ]
    out = []
    for w, dw, lr in points:
        w_c = np.array(w, dtype=np.float64)
        dw_c = np.array(dw, dtype=np.float64)
        expected = w_c - lr * dw_c
        mistakes = [
            Mistake(
                w_c + lr * dw_c,
                "step against the gradient: w - lr * dw, not w + lr * dw "
                "(the gradient points uphill).",
            ),
            Mistake(
                w_c - dw_c, "multiply the gradient by the learning rate lr before subtracting it."
            ),
            Mistake(
                lr * dw_c, "return the new w, i.e. the old w minus the step, not the step itself."
            ),
            Mistake(w_c - dw_c / lr, "multiply by lr; do not divide by it."),
        ]
        out.append(
            DiagnosedCase(
                Case((w, dw, lr), expected, "the update is w_new = w - lr * dw, elementwise."),
                mistakes,
            )
        )
    return out


@graded
@exercise(reference=lambda w, dw, lr: w - lr * dw)
def check_gd_step(gd_step: Callable) -> CheckResult:
    """Check ``gd_step(w, dw, lr) -> w_new`` with w_new = w - lr * dw (numbers or arrays)."""
    return run_with_mistakes("gd_step", gd_step, _gd_cases())


# ------------------------------------------------------------------------ two-sided difference
_FUNCTIONS: list[tuple[Callable[[float], float], float, float]] = [
    (lambda w: w**3, 2.0, 1e-3),
    (lambda w: np.sin(3 * w), 0.4, 1e-2),
    (lambda w: w**2 - 10 * w + 25, -1.0, 1e-4),
    (lambda w: np.exp(w) / (1 + w**2), 1.3, 1e-3),
]


def reference_two_sided_difference(J: Callable, w: float, eps: float) -> float:
    """(J(w + eps) - J(w - eps)) / (2 eps): the reference of the exercise."""
    return (J(w + eps) - J(w - eps)) / (2 * eps)


def _difference_cases() -> list[DiagnosedCase]:
    out = []
    for J, w, eps in _FUNCTIONS:
        expected = reference_two_sided_difference(J, w, eps)
        mistakes = [
            Mistake(
                (J(w + eps) - J(w)) / eps,
                "that is the one-sided difference (J(w + eps) - J(w)) / eps; "
                "use both sides: (J(w + eps) - J(w - eps)) / (2 eps), whose error is "
                "O(eps^2) instead of O(eps).",
            ),
            Mistake(
                (J(w + eps) - J(w - eps)) / eps,
                "the two evaluation points are 2 eps apart: divide by 2 * eps.",
            ),
            Mistake(J(w + eps) - J(w - eps), "divide the difference of the costs by 2 * eps."),
            Mistake(
                (J(w - eps) - J(w + eps)) / (2 * eps),
                "the sign is flipped: J(w + eps) comes first.",
            ),
        ]
        out.append(
            DiagnosedCase(
                Case((J, w, eps), expected, "return (J(w + eps) - J(w - eps)) / (2 * eps)."),
                mistakes,
            )
        )
    return out


@graded
@exercise(reference=reference_two_sided_difference, forbidden=(*GRADIENT_HELPERS,))
def check_two_sided_difference(two_sided_difference: Callable) -> CheckResult:
    """Check ``two_sided_difference(J, w, eps) -> float``, the centred difference quotient."""
    result = run_with_mistakes(
        "two_sided_difference", two_sided_difference, _difference_cases(), rtol=1e-9, atol=1e-12
    )
    if not result.passed or not callable(two_sided_difference):
        return result
    J, w, eps = _FUNCTIONS[0]
    extra = calls_asked("two_sided_difference", two_sided_difference, (J, w, eps), {0: "J"}, {0: 2})
    return result if extra is None else extra


# ------------------------------------------------------------------------ a backward pass by hand
GRAPH_ITEMS = ("J", "dJ/da", "dJ/db", "dJ/dc", "dJ/du", "dJ/dv", "dJ/dt")


def _graph_sweep(a: float, b: float, c: float, slip: str = "") -> tuple[float, ...]:
    """Forward through u = ab, v = u + c, t = tanh v, J = a t + e^b, then backward from
    dJ/dJ = 1: (J, dJ/da, dJ/db, dJ/dc, dJ/du, dJ/dv, dJ/dt). ``slip`` plants one typical
    mistake (see ``_GRAPH_HINTS``); the default is the right sweep."""
    u = a * b
    v = u + c
    t = np.tanh(v)
    e = np.exp(b)
    J = a * t + e
    dt = {"dt_one": 1.0, "dt_is_t": t}.get(slip, a)  # J = a * t + e
    dv = dt * (1.0 - v * v if slip == "tanh_of_v" else 1.0 - t * t)
    du = dv * b if slip == "du_times_b" else dv  # v = u + c
    dc = {"dc_without_a": 1.0 - t * t, "dc_without_tanh": dt}.get(slip, dv)
    da = {"da_only_direct": t, "da_no_direct": dv * b}.get(slip, t + dv * b)  # u = a * b
    db = dv * a if slip == "db_no_exp" else e + dv * a
    return tuple(float(x) for x in (J, da, db, dc, du, dv, dt))


def reference_small_graph_backward(a: float, b: float, c: float) -> tuple[float, ...]:
    """J = a * tanh(a*b + c) + exp(b) by one forward sweep through u = ab, v = u + c,
    t = tanh v, and one backward sweep: (J, dJ/da, dJ/db, dJ/dc, dJ/du, dJ/dv, dJ/dt)."""
    return _graph_sweep(a, b, c)


_GRAPH_HINTS = {
    "da_only_direct": "a is used twice (inside tanh through u = a*b, and as the factor in "
    "front): its adjoint is the sum of both contributions.",
    "da_no_direct": "dJ/da misses the direct path: J = a * t depends on a also through the "
    "factor in front of tanh.",
    "db_no_exp": "b is used twice as well: through u = a*b and through exp(b); add the adjoints.",
    "tanh_of_v": "the derivative of tanh(v) is 1 - tanh(v)^2 (use the forward value t), not "
    "1 - v^2.",
    "dc_without_a": "the adjoint of c is the adjoint of v = u + c, which already carries the "
    "factor a from J = a * t.",
    "dc_without_tanh": "c reaches J only through tanh: multiply by tanh's local derivative on "
    "the way down.",
    "dt_one": "the adjoint of t is dJ/dt = a (J = a * t + e^b): every path through tanh "
    "carries that factor.",
    "dt_is_t": "dJ/dt: in J = a * t the partner of t is a, so dJ/dt = a (t is what a gets).",
    "du_times_b": "dJ/du is the adjoint of u itself: v = u + c hands dJ/dv to u unchanged; the "
    "factor b belongs to a's share, dJ/da += dJ/du * b.",
}


def _graph_cases() -> list[DiagnosedCase]:
    out = []
    # not the notebook's point (1.5, -0.5, 2.0): the learner sees autodiff's values there
    for a, b, c in [(1.25, -0.75, 1.5), (-0.7, 1.2, 0.3), (2.0, 0.4, -1.1), (0.3, -1.7, 0.8)]:
        mistakes = [Mistake(_graph_sweep(a, b, c, k), h) for k, h in _GRAPH_HINTS.items()]
        out.append(
            DiagnosedCase(
                Case(
                    (a, b, c),
                    reference_small_graph_backward(a, b, c),
                    "go forward storing every intermediate value (u, v, t), then backward "
                    "from dJ/dJ = 1, multiplying by each node's local derivative and adding "
                    "the adjoints of a value used twice.",
                ),
                mistakes,
            )
        )
    return out


@graded
@exercise(
    items=GRAPH_ITEMS,
    reference=reference_small_graph_backward,
    forbidden=(*GRADIENT_HELPERS, "dlcourse.autodiff.grad", "dlcourse.autodiff.value_and_grad"),
)
def check_small_graph_backward(small_graph_backward: Callable) -> CheckResult:
    """Check ``small_graph_backward(a, b, c) -> (J, dJ/da, dJ/db, dJ/dc, dJ/du, dJ/dv, dJ/dt)``
    for J = a tanh(ab + c) + e^b with u = ab, v = u + c, t = tanh v, at four hidden points."""
    # exact formulas agree to a few ulps; a difference quotient (error at least about
    # 1e-11 here, whatever its h) does not
    return run_with_mistakes(
        "small_graph_backward",
        small_graph_backward,
        _graph_cases(),
        rtol=1e-12,
        atol=1e-14,
        estimated=ESTIMATED,
    )


# ------------------------------------------------------------------------ logistic regression
class ExampleLoop(Exception):
    """Raised when the learner's code loops over the examples of a :class:`_NoLoop` array."""


_LOOP = (
    "the exercise asks for no loop over the examples: compute all m predictions at once "
    "(X @ w + b) and the sums over examples with a matrix product (X.T @ ...) or np.sum / "
    "np.mean"
)


class _NoLoop(np.ndarray):
    """X or y as the check passes them: a numpy array whose rows cannot be taken one at a
    time (iteration, or an integer index in the first place, raises :class:`ExampleLoop`).
    Slices, masks and every vectorised operation work as on any array."""

    def __iter__(self):
        raise ExampleLoop(_LOOP)

    def __getitem__(self, index):
        first = index[0] if isinstance(index, tuple) and index else index
        if isinstance(first, (int, np.integer)) and self.ndim > 0:
            raise ExampleLoop(_LOOP)
        return super().__getitem__(index)

    def __repr__(self) -> str:
        return repr(self.view(np.ndarray))

    def __str__(self) -> str:
        return str(self.view(np.ndarray))


def reference_logistic_gradient(X, y, w, b) -> tuple[np.ndarray, float]:
    """dJ/dw and dJ/db of J = -(1/m) sum_i [y_i log a_i + (1 - y_i) log(1 - a_i)],
    a = sigmoid(X w + b): dw = X^T (a - y) / m, db = mean(a - y)."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    dz = sigmoid(X @ w + b) - y
    return X.T @ dz / len(X), float(np.mean(dz))


def _logistic_slip(X, y, w, b, slip: str) -> tuple[np.ndarray, float]:
    """The gradient with one typical slip (see ``_LOGISTIC_HINTS``)."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    m = len(X)
    z = X @ w + (0.0 if slip == "no_bias" else b)
    a = np.exp(z) / (1.0 + np.exp(z)) if slip == "exp_over" else sigmoid(z)
    dz = {"sign": y - a, "z_not_a": z - y, "chain_sigmoid": (a - y) * a * (1 - a)}.get(slip, a - y)
    scale = 1.0 if slip == "no_mean" else 1.0 / m
    dw = X.T @ dz * scale
    db = float(np.sum(dz)) if slip in ("no_mean", "db_sum") else float(np.mean(dz))
    return dw, db


_LOGISTIC_HINTS = {
    "sign": "dz = a - y (prediction minus label), not y - a: the gradient points uphill.",
    "no_mean": "J is the mean over the m examples: divide the sums by m.",
    "db_sum": "db is the mean of dz over the examples, np.mean(a - y), not the sum.",
    "z_not_a": "the error is a - y with a = sigmoid(z), the prediction, not z itself.",
    "chain_sigmoid": "with the cross-entropy cost, sigmoid's derivative a(1 - a) cancels: "
    "dz = a - y, with no extra factor (that factor belongs to a squared-error cost).",
    "no_bias": "z = X w + b: add the bias before the sigmoid.",
    "exp_over": "exp(z) overflowed: e^z / (1 + e^z) gives inf / inf = NaN for large z; "
    "write the sigmoid as 1 / (1 + e^{-z}).",
}


def _logistic_cases() -> list[DiagnosedCase]:
    rng = np.random.default_rng(1202)
    out = []
    for m, n, scale, b in [
        (7, 3, 1.0, 0.3),
        (1, 5, 1.0, -0.4),
        (40, 2, 300.0, 2.0),
        (12, 6, 1.0, -1.5),
    ]:
        X = rng.standard_normal((m, n))
        y = rng.integers(0, 2, size=m).astype(np.float64)
        w = scale * rng.standard_normal(n)  # scale 300: |z| in the hundreds, exp overflows
        with np.errstate(all="ignore"):  # the overflowing slip's NaN is its answer
            mistakes = [
                Mistake(_logistic_slip(X, y, w, b, k), h) for k, h in _LOGISTIC_HINTS.items()
            ]
        args = (X.view(_NoLoop), y.view(_NoLoop), w, b)
        hint = (
            "with a = sigmoid(X @ w + b): dw = X.T @ (a - y) / m (shape of w) and db = the "
            "mean of a - y (a number)."
        )
        out.append(
            DiagnosedCase(Case(args, reference_logistic_gradient(X, y, w, b), hint), mistakes)
        )
    return out


@graded
@exercise(
    items=("dw", "db"),
    reference=reference_logistic_gradient,
    forbidden=(
        *GRADIENT_HELPERS,
        "dlcourse.autodiff.grad",
        "dlcourse.autodiff.value_and_grad",
        "dlcourse.experiments.autodiff_cost.logistic_jvp",
        "dlcourse.layers.Dense.backward",
        "dlcourse.layers.Sequential.backward",
        "dlcourse.losses.BinaryCrossEntropy.forward",
        "dlcourse.losses.BinaryCrossEntropy.backward",
        "dlcourse.train.train_step",
        "dlcourse.train.fit",
    ),
)
def check_logistic_gradient(logistic_gradient: Callable) -> CheckResult:
    """Check ``logistic_gradient(X, y, w, b) -> (dw, db)`` of the logistic-regression cost on
    four hidden data sets (m from 1 to 40, n from 2 to 6; one with |z| in the hundreds),
    with X and y refusing a loop over their examples."""
    return run_with_mistakes(
        "logistic_gradient",
        logistic_gradient,
        _logistic_cases(),
        rtol=1e-10,
        atol=1e-12,
        estimated=ESTIMATED,
    )


# ------------------------------------------------------------------------ questions
Q_STEP_09 = Question(
    "Q_STEP_09",
    "b",
    "Each step multiplies the distance to 5 by r = 1 - 2 alpha. For alpha = 0.9, r = -0.8: the "
    "same size as for alpha = 0.1 (r = +0.8), only the sign alternates, so the path jumps from "
    "side to side. After an even number of steps the sign is back, (-0.8)^20 = 0.8^20, so both "
    "end at 4.9308: 0.8^20 * 6 = 0.069 from the minimum, on the same side.",
    choices={
        "a": "it has diverged: 0.9 is almost at the limit 1",
        "b": "it is exactly as close to 5 as with alpha = 0.1",
        "c": "it is much closer to 5 than with alpha = 0.1, because the steps are bigger",
    },
)
Q_JACOBIAN_PASSES = Question(
    "Q_JACOBIAN_PASSES",
    "b",
    "A forward-mode pass carries one input direction and yields one column of the Jacobian: "
    "3 passes for 3 inputs. A backward pass starts from one output (seeded with e_i) and "
    "yields one row: after the one forward pass that records the graph, 400 backward passes "
    "for 400 outputs. Reverse mode wins when outputs are few (a cost: one output), forward "
    "mode when inputs are few.",
    choices={
        "a": "reverse mode 2 (one forward, one backward), forward mode 3",
        "b": "reverse mode 401 (one forward, then one backward per output), forward mode 3",
        "c": "reverse mode 2, forward mode 400: reverse mode is always cheaper",
    },
)
