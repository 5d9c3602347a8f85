"""Notebook 01's two deeper exercises, the backward sweep with its intermediate adjoints and
the vectorised logistic-regression gradient: the right answers pass, and the wrong answers
learners write are refused with the hint they deserve.

``SOLUTIONS_NB01`` and ``WRONG_NB01`` have the shape of ``SOLUTIONS`` in
test_grader_properties.py and ``WRONG`` in test_grader_wrong_answers.py: the shared tables
take these two exercises in with one ``update`` each (replacing their old
small_graph_backward entries, written for a 4-tuple)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import autodiff as ad
from dlcourse.exercises.gradient_descent import (
    check_logistic_gradient,
    check_small_graph_backward,
    reference_logistic_gradient,
    reference_small_graph_backward,
)
from dlcourse.exercises.grader import ESTIMATED

INPLACE = "in place — work on a copy"
SHORTCUT = "which this exercise asks you to write yourself"
LOOP = "no loop over the examples"


# ------------------------------------------------------------------ the backward sweep
def small_graph_backward(a, b, c):
    """Return (J, dJ/da, dJ/db, dJ/dc, dJ/du, dJ/dv, dJ/dt) for J = a tanh(ab + c) + e^b."""
    u = a * b
    v = u + c
    t = math.tanh(v)
    e = math.exp(b)
    J = a * t + e
    dt = a
    dv = dt * (1 - t**2)
    du = dc = dv
    return J, t + du * b, e + du * a, dc, du, dv, dt


def _graph(**change):
    """small_graph_backward with some items replaced by ``fn(a, b, c, t, right)``."""
    names = ("J", "da", "db", "dc", "du", "dv", "dt")

    def answer(a, b, c):
        right = dict(zip(names, small_graph_backward(a, b, c)))
        t = math.tanh(a * b + c)
        out = dict(right, **{k: fn(a, b, c, t, right) for k, fn in change.items()})
        return tuple(out[k] for k in names)

    return answer


def _graph_by_quotients(h):
    """Inputs' adjoints by centred differences of J; the intermediates' by differences of
    J written as a function of that node (all estimates)."""

    def J_of(a, b, c):
        return a * math.tanh(a * b + c) + math.exp(b)

    def answer(a, b, c):
        u = a * b
        v = u + c
        t = math.tanh(v)

        def q(f, x):
            return (f(x + h) - f(x - h)) / (2 * h)

        return (
            J_of(a, b, c),
            q(lambda x: J_of(x, b, c), a),
            q(lambda x: J_of(a, x, c), b),
            q(lambda x: J_of(a, b, x), c),
            q(lambda x: a * math.tanh(x + c) + math.exp(b), u),
            q(lambda x: a * math.tanh(x) + math.exp(b), v),
            q(lambda x: a * x + math.exp(b), t),
        )

    return answer


def _graph_by_autodiff(a, b, c):
    ta, tb, tc = (ad.Tensor(x, requires_grad=True) for x in (a, b, c))
    out = (ta * tb + tc).tanh() * ta + ad.exp(tb)
    out.backward()
    return (out.item(), ta.grad.item(), tb.grad.item(), tc.grad.item(), 0.0, 0.0, a)


def _graph_numerical(a, b, c):
    point = np.array([a, b, c], dtype=float)
    g = dl.numerical_gradient(
        lambda: point[0] * np.tanh(point[0] * point[1] + point[2]) + np.exp(point[1]), point
    )
    return small_graph_backward(a, b, c)[:1] + tuple(g) + small_graph_backward(a, b, c)[4:]


GRAPH_WRONG = [
    (_graph(da=lambda a, b, c, t, r: t), "a is used twice"),
    (_graph(db=lambda a, b, c, t, r: math.exp(b)), "dJ/db is wrong"),
    (_graph(dc=lambda a, b, c, t, r: 1 - t**2), "already carries the factor a"),
    (_graph(J=lambda a, b, c, t, r: a * t), "J is wrong"),
    (_graph(dt=lambda a, b, c, t, r: t), "dJ/dt is wrong"),
    (_graph(du=lambda a, b, c, t, r: r["dv"] * b), "dJ/du is the adjoint of u itself"),
    (_graph(dv=lambda a, b, c, t, r: 1 - t**2), "dJ/dv is wrong"),
    (lambda a, b, c: small_graph_backward(a, b, c)[:4], "tuple of 7"),
    (lambda a, b, c: list(small_graph_backward(a, b, c))[::-1], ""),
    (_graph(da=lambda a, b, c, t, r: r["da"] + 1e-6), "dJ/da"),
    (_graph_by_quotients(1e-6), "not exact"),
    (_graph_by_quotients(1e-4), "not exact"),
    (_graph_by_autodiff, SHORTCUT),
    (_graph_numerical, SHORTCUT),
]


def test_the_graph_answer_passes():
    assert check_small_graph_backward(small_graph_backward).message == (
        "small_graph_backward: correct"
    )
    assert check_small_graph_backward(reference_small_graph_backward).passed


# ------------------------------------------------------------------ the logistic gradient
def logistic_gradient(X, y, w, b):
    """dw, db of the mean cross-entropy of logistic regression, vectorised."""
    m = X.shape[0]
    A = 1 / (1 + np.exp(-(X @ w + b)))
    dw = X.T @ (A - y) / m
    db = np.sum(A - y) / m
    return dw, db


def _dw_column(X, y, w, b):
    dw, db = logistic_gradient(X, y, w, b)
    return dw.reshape(-1, 1), db


def _squared_error_chain(X, y, w, b):
    a = 1 / (1 + np.exp(-(X @ w + b)))
    dz = (a - y) * a * (1 - a)  # sigmoid's derivative multiplied in
    return X.T @ dz / len(y), float(np.mean(dz))


def _db_sum(X, y, w, b):
    a = 1 / (1 + np.exp(-(X @ w + b)))
    return X.T @ (a - y) / len(y), float(np.sum(a - y))


def _loop_rows(X, y, w, b):
    dw, db = np.zeros_like(w), 0.0
    for i in range(X.shape[0]):
        a = 1 / (1 + np.exp(-(X[i] @ w + b)))
        dw += (a - y[i]) * X[i]
        db += a - y[i]
    return dw / len(y), db / len(y)


def _loop_zip(X, y, w, b):
    dw, db = np.zeros_like(w), 0.0
    for x_i, y_i in zip(X, y):
        a = 1 / (1 + np.exp(-(x_i @ w + b)))
        dw, db = dw + (a - y_i) * x_i, db + a - y_i
    return dw / len(y), db / len(y)


def _in_place(X, y, w, b):
    A = 1 / (1 + np.exp(-(X @ w + b)))
    y -= A  # y becomes -(A - y), in the caller's array
    return -(X.T @ y) / len(y), -float(np.mean(y))


def _finite_differences(X, y, w, b, h=1e-6):
    def J(w, b):
        z = X @ w + b
        return float(np.mean(np.logaddexp(0, z) - y * z))

    dw = np.array([(J(w + h * e, b) - J(w - h * e, b)) / (2 * h) for e in np.eye(len(w))])
    return dw, (J(w, b + h) - J(w, b - h)) / (2 * h)


def _package_numerical(X, y, w, b):
    from dlcourse.gradcheck import numerical_gradient

    p = np.append(w, b)
    Xa = np.asarray(X)

    def J():
        z = Xa @ p[:-1] + p[-1]
        return float(np.mean(np.logaddexp(0, z) - np.asarray(y) * z))

    g = numerical_gradient(J, p)
    return g[:-1], g[-1]


def _package_layer(X, y, w, b):
    model = dl.Sequential([dl.Dense(len(w), 1, init="zeros")])
    model.layers_list[0].W.value[...] = w
    model.layers_list[0].b.value[...] = b
    loss = dl.BinaryCrossEntropy()
    loss.forward(model.forward(np.asarray(X)), np.asarray(y))
    model.backward(loss.backward())
    return model.layers_list[0].W.grad.ravel(), float(model.layers_list[0].b.grad[0])


LOGISTIC_WRONG = [
    (lambda X, y, w, b: tuple(-g for g in logistic_gradient(X, y, w, b)), "not y - a"),
    (lambda X, y, w, b: tuple(g * len(y) for g in logistic_gradient(X, y, w, b)), "divide"),
    (_db_sum, "not the sum"),
    (lambda X, y, w, b: logistic_gradient(X, y, w, 0.0), "add the bias"),
    (
        lambda X, y, w, b: (X.T @ (X @ w + b - y) / len(y), float(np.mean(X @ w + b - y))),
        "not z itself",
    ),
    (_squared_error_chain, "cancels"),
    (
        lambda X, y, w, b: (
            X.T @ (np.exp(X @ w + b) / (1 + np.exp(X @ w + b)) - y) / len(y),
            float(np.mean(np.exp(X @ w + b) / (1 + np.exp(X @ w + b)) - y)),
        ),
        "inf / inf",
    ),
    (_dw_column, "item 0: you returned shape (3, 1)"),
    (lambda X, y, w, b: logistic_gradient(X, y, w, b)[::-1], "item 0: you returned shape ()"),
    (lambda X, y, w, b: logistic_gradient(X, y, w, b)[0], "expected a tuple of 2"),
    (_loop_rows, LOOP),
    (_loop_zip, LOOP),
    (_in_place, INPLACE),
    (_finite_differences, ESTIMATED[:40]),
    (_package_numerical, SHORTCUT),
    (_package_layer, SHORTCUT),
]


def test_the_logistic_answers_pass():
    assert check_logistic_gradient(logistic_gradient).message == "logistic_gradient: correct"
    assert check_logistic_gradient(reference_logistic_gradient).passed

    def with_mean_and_dot(X, y, w, b):
        A = 1.0 / (1.0 + np.exp(-(np.dot(X, w) + b)))
        return np.mean(X * (A - y)[:, None], axis=0), float(np.mean(A - y))

    assert check_logistic_gradient(with_mean_and_dot).passed


def test_the_loop_guard_lets_vectorised_code_through_and_stops_row_loops():
    from dlcourse.exercises.gradient_descent import ExampleLoop, _NoLoop

    X = np.arange(6.0).reshape(3, 2).view(_NoLoop)
    assert float(np.sum(X[:, 1])) == 9.0 and X[X[:, 0] > 1].shape == (2, 2)
    assert (X.T @ np.ones(3)).tolist() == [6.0, 9.0] and len(X) == 3
    for loop in (lambda: X[0], lambda: X[1, 0], lambda: list(X), lambda: X.T[0]):
        with pytest.raises(ExampleLoop):
            loop()


# run by tests/test_grader_wrong_answers.py (it collects the WRONG* dicts of these files)
WRONG_NB01 = {
    "gradient_descent.check_small_graph_backward": GRAPH_WRONG,
    "gradient_descent.check_logistic_gradient": LOGISTIC_WRONG,
}
SOLUTIONS_NB01 = {
    "gradient_descent.check_small_graph_backward": small_graph_backward,
    "gradient_descent.check_logistic_gradient": logistic_gradient,
}


def test_no_hidden_case_is_one_the_notebook_shows():
    from dlcourse.exercises.gradient_descent import _graph_cases, _logistic_cases

    assert all(d.case.args != (1.5, -0.5, 2.0) for d in _graph_cases())  # the drawn graph
    shapes = [d.case.args[0].shape for d in _logistic_cases()]
    assert all(n != 64 for _, n in shapes)  # the notebook's digits have 64 pixels
    assert len({m for m, _ in shapes}) == len({n for _, n in shapes}) == len(shapes)
