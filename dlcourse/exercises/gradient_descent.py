r"""Checks for notebook 01 (gradient descent and autodiff).

- :func:`check_gd_step`: one step of gradient descent, w_new = w - alpha * dJ/dw.
- :func:`check_two_sided_difference`: the centred difference quotient, the numerical slope
  behind gradient checking.
- :func:`check_small_graph_backward`: a forward and a backward sweep, by hand, through the
  graph of J = a tanh(ab + c) + e^b (the graph of the notebook's autodiff example).

Each check compares the learner's function with the reference on hidden cases and, when the
answer matches a typical mistake (the wrong sign, a forgotten learning rate, a one-sided
difference...), names that mistake. The mistake diagnosis is :func:`dlcourse.exercises.grader.run_with_mistakes`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

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
def reference_small_graph_backward(
    a: float, b: float, c: float
) -> tuple[float, float, float, float]:
    """J = a * tanh(a*b + c) + exp(b) and its three partials, by one backward sweep."""
    u = a * b
    v = u + c
    t = np.tanh(v)
    p = a * t
    e = np.exp(b)
    J = p + e
    dp, de = 1.0, 1.0
    da, dt = dp * t, dp * a
    db = de * e
    dv = dt * (1.0 - t * t)
    du, dc = dv, dv
    da, db = da + du * b, db + du * a
    return float(J), float(da), float(db), float(dc)


def _graph_mistakes(a: float, b: float, c: float) -> list[Mistake]:
    J, da, db, dc = reference_small_graph_backward(a, b, c)
    v = a * b + c
    t = np.tanh(v)
    wrong_tanh = 1.0 - v * v  # derivative written with z, not tanh(z)
    return [
        Mistake(
            (J, t, db, dc),
            "a is used twice (inside tanh through a*b, and as the factor "
            "in front): its adjoint is the sum of both contributions.",
        ),
        Mistake(
            (J, a * (1 - t * t) * b, db, dc),
            "dJ/da misses the direct path: J = a * tanh(...) depends on a also through "
            "the factor in front of tanh.",
        ),
        Mistake(
            (J, da, a * (1 - t * t) * a, dc),
            "b is used twice as well: through a*b and through exp(b); add the adjoints.",
        ),
        Mistake(
            (J, t + a * wrong_tanh * b, np.exp(b) + a * wrong_tanh * a, a * wrong_tanh),
            "the derivative of tanh(v) is 1 - tanh(v)^2 (use the forward value t), not 1 - v^2.",
        ),
        Mistake(
            (J, da, db, 1.0 - t * t),
            "the adjoint of c is the adjoint of v = a*b + c, which "
            "already carries the factor a from J = a * t.",
        ),
        Mistake(
            (J, da, db, a),
            "c reaches J only through tanh: multiply by tanh's local derivative on the way down.",
        ),
        Mistake(
            (J, t + (1 - t * t) * b, np.exp(b) + (1 - t * t) * a, 1 - t * t),
            "the adjoint of t is dJ/dt = a (J = a * t): every path through tanh carries "
            "that factor.",
        ),
    ]


def _graph_cases() -> list[DiagnosedCase]:
    out = []
    for a, b, c in [(1.5, -0.5, 2.0), (-0.7, 1.2, 0.3), (2.0, 0.4, -1.1), (0.3, -1.7, 0.8)]:
        mistakes = [
            Mistake(tuple(float(x) for x in m.value), m.hint) for m in _graph_mistakes(a, b, c)
        ]
        out.append(
            DiagnosedCase(
                Case(
                    (a, b, c),
                    reference_small_graph_backward(a, b, c),
                    "go forward storing every intermediate value, then "
                    "backward from dJ = 1, multiplying by each node's local "
                    "derivative and adding the adjoints of a value used twice.",
                ),
                mistakes,
            )
        )
    return out


@exercise(
    items=("J", "dJ/da", "dJ/db", "dJ/dc"),
    reference=reference_small_graph_backward,
    forbidden=(*GRADIENT_HELPERS, "dlcourse.autodiff.grad", "dlcourse.autodiff.value_and_grad"),
)
def check_small_graph_backward(small_graph_backward: Callable) -> CheckResult:
    """Check ``small_graph_backward(a, b, c) -> (J, dJ/da, dJ/db, dJ/dc)`` for
    J = a tanh(ab + c) + e^b, at four hidden points."""
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
