"""Notebook 06 (gradient checking): the exercise checks and the planted bugs.

Exercises:

- ``two_sided_gradient(f, x, eps)``: for each entry x_i,
  g_i = (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), an O(eps^2) approximation of df/dx_i;
  x must be unchanged afterwards.
- ``relative_error(g, g_approx)`` = ||g - g_approx|| / (||g|| + ||g_approx||), 0 when both
  are zero.

The planted bugs the notebook hunts live in :mod:`dlcourse.experiments.gradcheck_bugs`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..activations import Tanh
from ..experiments.gradcheck_bugs import TanhWrongDerivative
from ..gradcheck import numerical_gradient, relative_error
from ..layers import Dense, Layer, Sequential
from .grader import Case, CheckResult, Expect, accepts_none, check_cases

__all__ = [
    "check_two_sided_gradient",
    "check_relative_error",
    "mystery_model",
    "layer_errors",
    "reference_find_faulty_layer",
    "check_find_faulty_layer",
    "Q_KINK",
    "Q_FLOAT32",
]


# ------------------------------------------------------------------ exercise: two-sided
def _test_function(x: np.ndarray) -> float:
    """f(x) = sum exp(1.5 x) + (sum x)^2: curved (so one-sided differences show their
    O(eps) error) and coupled (so perturbing every entry at once gives a wrong answer)."""
    return float(np.sum(np.exp(1.5 * x)) + np.sum(x) ** 2)


def _one_sided(f: Callable, x: np.ndarray, eps: float) -> np.ndarray:
    g = np.zeros_like(x)
    base = f(x)
    for i in np.ndindex(x.shape):
        xp = x.copy()
        xp[i] += eps
        g[i] = (f(xp) - base) / eps
    return g


def _all_at_once(f: Callable, x: np.ndarray, eps: float) -> np.ndarray:
    return np.full_like(x, (f(x + eps) - f(x - eps)) / (2 * eps))


def _close_to(value: np.ndarray, rtol: float = 1e-6) -> Callable:
    return lambda got: bool(
        np.allclose(np.asarray(got, dtype=np.float64), value, rtol=rtol, atol=1e-9)
    )


def _far_from(value: np.ndarray) -> Callable:
    close = _close_to(value)
    return lambda got: not close(got)


def _two_sided_cases(x: np.ndarray, eps: float) -> list[Case]:
    f = _test_function
    work = x.copy()
    ref = numerical_gradient(lambda: f(work), work, eps)
    passed = x.copy()  # the learner's function receives this array; it must come back unchanged

    def unchanged(got) -> bool:
        return bool(np.allclose(passed, x, rtol=1e-12, atol=1e-15))

    wrong = [
        (
            2 * ref,
            "your values are twice the expected ones: the two points x - eps and "
            "x + eps are 2 eps apart, so divide by 2 * eps.",
        ),
        (ref / 2, "your values are half the expected ones: divide by 2 * eps, not 4 * eps."),
        (
            _one_sided(f, x, eps),
            "that is the one-sided difference (f(x + eps) - f(x)) / eps, "
            "whose error is O(eps); use (f(x + eps) - f(x - eps)) / (2 eps), "
            "whose error is O(eps^2).",
        ),
        (
            _all_at_once(f, x, eps),
            "perturb one entry at a time: x + eps e_i changes x_i only "
            "(all entries at once gives a directional derivative).",
        ),
    ]
    cases = [
        Case(
            (f, passed, eps),
            Expect(ref, lambda got: np.shape(got) == x.shape),
            f"return an array of the shape of x {x.shape}: one partial derivative per entry.",
        ),
        Case(
            (f, passed, eps),
            Expect(ref, unchanged),
            "x must be unchanged when you return: put x[i] back after each "
            "perturbation (or perturb a copy).",
        ),
    ]
    cases += [Case((f, passed, eps), Expect(ref, _far_from(value)), hint) for value, hint in wrong]
    cases.append(
        Case(
            (f, passed, eps),
            Expect(ref, _close_to(ref)),
            "g_i should be (f(x + eps e_i) - f(x - eps e_i)) / (2 eps).",
        )
    )
    return cases


def check_two_sided_gradient(fn: Callable) -> CheckResult:
    """Check ``fn(f, x, eps)`` against two-sided differences; never raises."""
    rng = np.random.default_rng(8)
    cases = _two_sided_cases(rng.uniform(-1, 1, 5), 1e-3)
    cases += _two_sided_cases(rng.uniform(-1, 1, (3, 4)), 1e-4)
    return check_cases("two_sided_gradient", fn, cases)


# ------------------------------------------------------------------ exercise: relative error
def _relative_error_cases(g: np.ndarray, ga: np.ndarray) -> list[Case]:
    ref = relative_error(g, ga)
    diff, ng, na = np.linalg.norm(g - ga), np.linalg.norm(g), np.linalg.norm(ga)
    wrong = [
        (
            diff,
            "that is the absolute error ||g - g_approx||: divide it by "
            "||g|| + ||g_approx|| so the size of the gradient does not matter.",
        ),
        (
            diff / ng,
            "divide by ||g|| + ||g_approx|| (both norms), not ||g|| alone: the sum "
            "keeps the error symmetric and at most 1.",
        ),
        (diff**2 / (ng**2 + na**2), "use the norms themselves, not their squares."),
        (
            diff / np.linalg.norm(g + ga),
            "the denominator is ||g|| + ||g_approx|| (sum of the norms), not ||g + g_approx||.",
        ),
    ]
    args = (g, ga)
    cases = [Case(args, Expect(ref, lambda got: np.shape(got) == ()), "return a single number.")]
    cases += [Case(args, Expect(ref, _far_from(np.float64(v))), hint) for v, hint in wrong]
    cases.append(
        Case(
            args,
            Expect(ref, _close_to(np.float64(ref), rtol=1e-9)),
            "expected ||g - g_approx|| / (||g|| + ||g_approx||).",
        )
    )
    return cases


def check_relative_error(fn: Callable) -> CheckResult:
    """Check ``fn(g, g_approx)`` against ||g - g~|| / (||g|| + ||g~||); never raises."""
    rng = np.random.default_rng(9)
    g = rng.standard_normal(12)
    cases = _relative_error_cases(g, g + 0.5 * rng.standard_normal(12))
    G = rng.standard_normal((3, 4))
    cases += _relative_error_cases(G, 1.1 * G)[-1:]
    zeros = np.zeros(6)
    cases.append(
        Case(
            (zeros, zeros.copy()),
            Expect(0.0, _close_to(np.float64(0.0))),
            "when both gradients are zero, return 0.0 (no division by zero: they agree).",
        )
    )
    return check_cases("relative_error", fn, cases)


# ------------------------------------------------------------------ the bug hunt (exercise 3)
class _DenseWrongInputGrad(Dense):
    """A Dense layer whose dX uses the absolute values of W: dX = dZ |W|."""

    def backward(self, dout, input_grad: bool = True):
        super().backward(dout, input_grad=False)
        return dout @ np.abs(self.W.value) if input_grad else None


class _DenseWrongWeightGrad(Dense):
    """A Dense layer whose dW is half what it should be: dW = 0.5 dZ^T X."""

    def backward(self, dout, input_grad: bool = True):
        X, W = self._cache
        self.W.accumulate(0.5 * dout.T @ X)
        self.b.accumulate(dout.sum(axis=0))
        return dout @ W if input_grad else None


class _ReLUNoMask(Layer):
    """ReLU whose backward forgets the mask: dz = da everywhere."""

    def forward(self, x, training: bool = True):
        return np.maximum(x, 0.0)

    def backward(self, dout):
        return dout.copy()

    def __repr__(self) -> str:
        return "ReLU()"


# which layer of the 5-layer mystery network is faulty, and how
_MYSTERIES = {
    0: (3, "activation"),
    1: (2, "dense input"),
    2: (0, "dense weight"),
    3: (1, "relu"),
    4: (4, "dense input"),
}


def mystery_model(k: int) -> tuple[Sequential, np.ndarray]:
    """Mystery network number ``k`` (0..4) and a batch of inputs: Dense 4->5, activation,
    Dense 5->4, activation, Dense 4->3, with exactly one layer whose backward is wrong.
    Its gradients are already dirty (one forward/backward has been run)."""
    if k not in _MYSTERIES:
        raise ValueError(f"mystery_model: k must be one of {sorted(_MYSTERIES)}, got {k!r}")
    where, kind = _MYSTERIES[k]
    rng = np.random.default_rng(100 + k)
    act = (lambda: _ReLUNoMask()) if kind == "relu" else None
    shapes = {0: (4, 5), 2: (5, 4), 4: (4, 3)}
    layers: list[Layer] = []
    for i in range(5):
        if i in shapes:
            cls = Dense
            if i == where and kind == "dense input":
                cls = _DenseWrongInputGrad
            if i == where and kind == "dense weight":
                cls = _DenseWrongWeightGrad
            layer = cls(*shapes[i], init="xavier", rng=rng)
            layer.b.value[...] = 0.1 * rng.standard_normal(layer.b.shape)
        elif i == where:
            layer = TanhWrongDerivative() if kind == "activation" else act()
        else:
            layer = Tanh()
        layers.append(layer)
    model = Sequential(layers)
    X = rng.standard_normal((6, 4))
    model.backward(np.ones_like(model.forward(X)))  # dirty gradients: zero them before a check
    return model, X


def layer_errors(layer: Layer, x: np.ndarray, eps: float = 1e-6, seed: int = 0) -> dict:
    """The relative errors of one layer's backward on its own: J = sum(layer(x) * G) for a
    fixed random G, its input gradient and each parameter's gradient against the quotients."""
    G = np.random.default_rng(seed).standard_normal(layer.forward(x).shape)
    layer.zero_grad()
    dx = layer.backward(G)
    cost = lambda: float(np.sum(layer.forward(x) * G))  # noqa: E731
    errors = {"input": relative_error(dx, numerical_gradient(cost, x, eps))}
    for name, p in layer.named_parameters():
        errors[name] = relative_error(p.grad.copy(), numerical_gradient(cost, p.value, eps))
    return errors


def reference_find_faulty_layer(model: Sequential, X: np.ndarray, tol: float = 1e-5) -> int | None:
    """The index of the first layer whose own backward fails its check, else None."""
    x = X.copy()
    for i, layer in enumerate(model):
        if max(layer_errors(layer, x).values()) > tol:
            return i
        x = layer.forward(x)
    return None


@accepts_none
def check_find_faulty_layer(fn: Callable) -> CheckResult:
    """Check ``fn(model, X) -> index of the faulty layer`` on the five mystery networks.
    ``None`` ("no faulty layer") is an answer here: it gets its own hint."""
    from .grader import DiagnosedCase, Mistake, run_with_mistakes

    cases = []
    for k, (where, kind) in _MYSTERIES.items():
        model, X = mystery_model(k)
        dense_below = [i for i in (0, 2, 4) if i < where] or [where]
        mistakes = [
            Mistake(
                where + 1,
                "you are one off: return the 0-based index into the model "
                "(model[i] is the faulty layer).",
            ),
            Mistake(
                None,
                "your function found no faulty layer: check each layer's input "
                "gradient as well as its parameters' gradients (an activation has "
                "no parameters, and a wrong dX leaves the layer's own dW right).",
            ),
        ]
        if where != 0:
            mistakes.append(
                Mistake(
                    0,
                    "layer 0 flagged: either its .grad arrays were still "
                    "dirty (the model's gradients start dirty: zero them "
                    "before backward), or you checked the whole network, "
                    "where every layer below the bug inherits the error.",
                )
            )
        if kind in ("activation", "relu", "dense input") and dense_below[-1] != 0:
            mistakes.append(
                Mistake(
                    dense_below[-1],
                    "that Dense layer's parameters are wrong only because the "
                    "gradient arriving from above is wrong: check each layer on its own, with a "
                    "fixed upstream gradient, not the whole network.",
                )
            )
        mistakes.append(
            Mistake(-1, "return the index i of the faulty layer (an int), not the layer itself.")
        )
        cases.append(
            DiagnosedCase(
                Case(
                    (model, X),
                    where,
                    "a correct layer was flagged, or the "
                    "faulty one passed: look at your tolerance and at which "
                    "gradients you compare.",
                ),
                mistakes,
            )
        )

    def as_index(model, X):
        got = fn(model, X)
        return -1 if isinstance(got, Layer) else got

    as_index.__name__ = getattr(fn, "__name__", "fn")
    if not callable(fn):
        return run_with_mistakes("find_faulty_layer", fn, cases, none_is_an_answer=True)
    return run_with_mistakes("find_faulty_layer", as_index, cases, none_is_an_answer=True)


# ------------------------------------------------------------------ questions
from .questions import Question  # noqa: E402

Q_KINK = Question(
    "Q_KINK",
    "b",
    "The pre-activation sits closer to 0 than eps, so b + eps turns the unit on and b - eps "
    "turns it off: the quotient averages two different slopes while backprop uses one. Over "
    "five draws of the network the error of b[1] is 4e-3 to 2e-1, the bug band, for a correct "
    "backward pass. Move the point 1e-2 away, or shrink eps below 3e-7, and it drops below 1e-7.",
    {
        "a": "below 1e-7, like every other parameter",
        "b": "above 1e-3, although the backward pass is correct",
        "c": "nan: the derivative does not exist at the kink",
    },
)

Q_FLOAT32 = Question(
    "Q_FLOAT32",
    "c",
    "In float32 the cost J itself carries a round-off error of about u|J| with u = 6e-8, and "
    "the quotient divides it by eps: u|J|/eps is about 7e-2 at eps = 1e-6, as large as the "
    "gradient entries themselves. The check cries 'bug' for a correct network (0.2 to 0.4 "
    "over five draws of the network).",
    {
        "a": "below 1e-7, as in float64",
        "b": "between 1e-7 and 1e-3: look closer",
        "c": "above 1e-3: it looks like a bug",
    },
)
