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

from ..activations import ReLU, Tanh
from ..gradcheck import numerical_gradient, relative_error
from ..layers import Dense, Layer, Sequential
from .grader import graded
from .grader import GRADIENT_HELPERS, exercise  # noqa: F401
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


def _reference_two_sided(f: Callable, x: np.ndarray, eps: float) -> np.ndarray:
    """The two-sided quotients of f at x (on a copy of x): the exercise's reference."""
    work = np.array(x, dtype=np.float64)
    return numerical_gradient(lambda: f(work), work, eps)


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


def _close_to(value: np.ndarray, rtol: float = 1e-6, atol: float = 1e-9) -> Callable:
    return lambda got: bool(
        np.allclose(np.asarray(got, dtype=np.float64), value, rtol=rtol, atol=atol)
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


@graded
@exercise(reference=_reference_two_sided, forbidden=(*GRADIENT_HELPERS,))
def check_two_sided_gradient(fn: Callable) -> CheckResult:
    """Check ``fn(f, x, eps)`` against two-sided differences; never raises."""
    rng = np.random.default_rng(8)
    cases = _two_sided_cases(rng.uniform(-1, 1, 5), 1e-3)
    cases += _two_sided_cases(rng.uniform(-1, 1, (3, 4)), 1e-4)
    cases += _two_sided_cases(rng.uniform(-1, 1, 4), 0.2)[-1:]  # a large eps: it must be used
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


@graded
@exercise(reference=relative_error, forbidden=("dlcourse.gradcheck.relative_error",))
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
    return check_cases("relative_error", fn, cases + _edge_cases(rng))


def _edge_cases(rng) -> list[Case]:
    """Where a special case or a tolerance of one's own gives another value than the formula:
    one gradient zero and not the other, huge entries, and two nearly equal gradients."""
    v = rng.standard_normal(8)
    out = []
    for g, ga, hint in [
        (
            np.zeros(8),
            v,
            "with g = 0 and g_approx not 0 the two disagree completely: the formula gives "
            "1.0; only when both are zero is the answer 0.",
        ),
        (
            v,
            np.zeros(8),
            "with g_approx = 0 and g not 0 the formula gives 1.0.",
        ),
        (
            1e8 * v,
            1e8 * v * (1 + 1e-3 * rng.standard_normal(8)),
            "with entries near 1e8 the result must not change: the norms in the "
            "denominator make it independent of the scale (no fixed tolerance, no +1).",
        ),
        (
            1e-2 * v,
            1e-2 * v * (1 + 0.1 * rng.standard_normal(8)),
            "with entries near 0.01 the result must not change: divide by the sum of the "
            "norms itself (no max(..., 1), no +1).",
        ),
        (
            v,
            v * (1 + 1e-9),
            "two nearly equal gradients still have a small relative error (about 5e-10): "
            "compute it, do not round it to 0.",
        ),
    ]:
        ref = relative_error(g, ga)
        out.append(Case((g, ga), Expect(ref, _close_to(np.float64(ref), 1e-6, 1e-15)), hint))
    return out


# ------------------------------------------------------------------ the bug hunt (exercise 3)
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
    shapes = {0: (4, 5), 2: (5, 4), 4: (4, 3)}
    layers: list[Layer] = []
    for i in range(5):
        if i in shapes:
            layer = Dense(*shapes[i], init="xavier", rng=rng)
            layer.b.value[...] = 0.1 * rng.standard_normal(layer.b.shape)
        else:
            layer = ReLU() if (i == where and kind == "relu") else Tanh()
        layers.append(layer)
    _MYSTERY_BUGS[kind](layers[where])
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


# ------------------------------------------------------------- the check's own networks
# The check grades on networks the notebook never builds: other sizes, seeds and depths, bugs
# of other kinds and places, one network with no bug, and every layer an instance of the
# package's own class (a bug planted in one instance's backward), so neither the notebook's
# printout nor a layer's class name gives the answer away.


def _bug_input_grad(layer: Dense) -> None:
    """This Dense layer's dX uses |W|: dX = dZ |W| (its dW and db stay right)."""
    right = layer.backward

    def backward(dout, input_grad: bool = True):
        right(dout, input_grad=False)
        return dout @ np.abs(layer.W.value) if input_grad else None

    layer.backward = backward


def _bug_weight_scale(factor: float) -> Callable:
    """This Dense layer's dW is ``factor`` times what it should be (dX and db stay right)."""

    def plant(layer: Dense) -> None:
        def backward(dout, input_grad: bool = True):
            X, W = layer._cache
            layer.W.accumulate(factor * dout.T @ X)
            layer.b.accumulate(dout.sum(axis=0))
            return dout @ W if input_grad else None

        layer.backward = backward

    return plant


def _bug_bias_mean(layer: Dense) -> None:
    """This Dense layer's db is the mean of dZ over the batch, not the sum."""

    def backward(dout, input_grad: bool = True):
        X, W = layer._cache
        layer.W.accumulate(dout.T @ X)
        layer.b.accumulate(dout.mean(axis=0))
        return dout @ W if input_grad else None

    layer.backward = backward


def _bug_tanh(layer: Tanh) -> None:
    """This tanh's derivative is 1 - a instead of 1 - a^2."""
    layer._backward = lambda da, a: da * (1.0 - a)


def _bug_relu(layer: ReLU) -> None:
    """This ReLU's backward forgets the mask: dz = da everywhere."""
    layer._backward = lambda da, cache: np.array(da, copy=True)


# (seed, sizes, activations after the Dense layers but the last, faulty layer or None, bug)
_HIDDEN = [
    (7, (3, 6, 5, 4), ("tanh", "tanh", "tanh"), 5, _bug_tanh),
    (8, (5, 4, 6, 3, 2), ("relu", "tanh", "tanh"), 4, _bug_weight_scale(0.5)),
    (9, (4, 6, 6, 2), ("tanh", "relu"), 2, _bug_input_grad),
    (10, (4, 5, 5, 3), ("tanh", "tanh"), None, None),
    (11, (6, 4, 3), ("tanh",), 0, _bug_weight_scale(2.0)),
    (12, (4, 7, 5, 3), ("relu", "tanh"), 1, _bug_relu),
    (13, (3, 5, 4, 2), ("tanh", "tanh"), 2, _bug_bias_mean),
    (14, (5, 6, 4, 3), ("tanh", "tanh"), 4, _bug_weight_scale(1.01)),
]


def _hidden_model(seed: int, sizes, acts, where, bug) -> tuple[Sequential, np.ndarray]:
    """Dense layers of ``sizes`` with ``acts`` after them (one fewer: the last layer has
    none), the layer at index ``where`` given ``bug``; gradients left dirty."""
    rng = np.random.default_rng(seed)
    layers: list[Layer] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        dense = Dense(n_in, n_out, init="xavier", rng=rng)
        dense.b.value[...] = 0.1 * rng.standard_normal(n_out)
        layers.append(dense)
        if i < len(acts):
            layers.append(Tanh() if acts[i] == "tanh" else ReLU())
    if bug is not None:
        bug(layers[where])
    model = Sequential(layers)
    X = rng.standard_normal((7, sizes[0]))
    model.backward(np.ones_like(model.forward(X)))  # dirty gradients: zero them before a check
    return model, X


_NONE_HINT = (
    "your function found no faulty layer: check each layer's input gradient as well as its "
    "parameters' gradients (an activation has no parameters, and a wrong dX leaves the "
    "layer's own dW right)."
)
_NONE_HINTS = {
    _bug_bias_mean: "your function found no faulty layer: check every parameter of a layer, "
    "the bias b as well as W.",
}
_LOOSE = (
    "your function found no faulty layer: a relative error of 1e-3 or more is a bug (below "
    "1e-7 is right); is your tolerance looser than that, or do you skip a layer?"
)


def _bug_hunt_mistakes(model: Sequential, where: int | None, bug) -> list:
    """The answers of the usual wrong hunts on one network, with their hints."""
    from .grader import Mistake

    as_layer = Mistake(-1, "return the index i of the faulty layer (an int), not the layer itself.")
    if where is None:
        flagged = (
            "this network has no faulty layer, yet you flagged layer 0: were its .grad arrays "
            "still dirty (zero them before backward), or is your tolerance tighter than the "
            "round-off of a correct check (about 1e-7)?"
        )
        return [Mistake(0, flagged), as_layer]
    none_hint = _NONE_HINTS.get(bug, _LOOSE if bug not in _PLAIN_BUGS else _NONE_HINT)
    mistakes = [
        Mistake(
            where + 1,
            "you are one off: return the 0-based index into the model "
            "(model[i] is the faulty layer).",
        ),
        Mistake(None, none_hint),
    ]
    if where != 0:
        mistakes.append(
            Mistake(
                0,
                "layer 0 flagged: either its .grad arrays were still dirty (the model's "
                "gradients start dirty: zero them before backward), or you checked the whole "
                "network, where every layer below the bug inherits the error, or your "
                "tolerance is tighter than the round-off of a correct check (about 1e-7).",
            )
        )
    dense_below = [i for i, layer in enumerate(model) if isinstance(layer, Dense) and i < where]
    if dense_below and dense_below[-1] != 0:
        mistakes.append(
            Mistake(
                dense_below[-1],
                "that Dense layer's parameters are wrong only because the gradient arriving "
                "from above is wrong: check each layer on its own, with a fixed upstream "
                "gradient, not the whole network.",
            )
        )
    return mistakes + [as_layer]


_PLAIN_BUGS = (_bug_input_grad, _bug_tanh, _bug_relu)
_MYSTERY_BUGS = {  # the kinds of bug of the notebook's mystery networks
    "activation": _bug_tanh,
    "dense input": _bug_input_grad,
    "dense weight": _bug_weight_scale(0.5),
    "relu": _bug_relu,
}


@graded
@exercise(
    reference=reference_find_faulty_layer,
    forbidden=(
        "dlcourse.exercises.gradient_checking.layer_errors",
        "dlcourse.exercises.gradient_checking.reference_find_faulty_layer",
    ),
)
@accepts_none
def check_find_faulty_layer(fn: Callable) -> CheckResult:
    """Check ``fn(model, X) -> index of the faulty layer`` (or ``None``) on eight networks
    the notebook does not show, one of them without a bug. ``None`` ("no faulty layer") is an
    answer here: it gets its own hint."""
    from .grader import DiagnosedCase, run_with_mistakes

    cases = []
    for seed, sizes, acts, where, bug in _HIDDEN:
        model, X = _hidden_model(seed, sizes, acts, where, bug)
        hint = (
            "a correct layer was flagged, or the faulty one passed: look at your "
            "tolerance and at which gradients you compare."
        )
        if where is None:
            hint = "this network has no faulty layer: return None when every layer passes."
        mistakes = _bug_hunt_mistakes(model, where, bug)
        cases.append(DiagnosedCase(Case((model, X), where, hint), mistakes))

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
