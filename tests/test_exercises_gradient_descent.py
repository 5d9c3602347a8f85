"""The checks of notebook 01: a correct solution passes, typical mistakes get their specific
hint, a raising solution gets a message (never an exception)."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse.exercises.gradient_descent import (
    Case,
    DiagnosedCase,
    Mistake,
    check_gd_step,
    check_two_sided_difference,
    close,
    run_with_mistakes,
)


# ------------------------------------------------------------------ gd_step
def test_gd_step_correct():
    result = check_gd_step(lambda w, dw, lr: w - lr * dw)
    assert result.passed and repr(result) == "gd_step: correct"


def test_gd_step_correct_in_place_style_solution_passes_too():
    def gd_step(w, dw, lr):
        w = np.array(w, dtype=float)
        w -= lr * np.asarray(dw)
        return w

    assert check_gd_step(gd_step).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda w, dw, lr: w + lr * dw, "step against the gradient"),
        (lambda w, dw, lr: w - dw, "multiply the gradient by the learning rate"),
        (lambda w, dw, lr: lr * dw, "return the new w"),
        (lambda w, dw, lr: w - dw / lr, "do not divide"),
    ],
)
def test_gd_step_typical_mistakes_get_their_hint(wrong, hint):
    result = check_gd_step(wrong)
    assert not result.passed
    assert hint in result.message and result.message.startswith("gd_step: not yet — case 1")


def test_gd_step_unrecognised_mistake_gets_the_general_hint():
    result = check_gd_step(lambda w, dw, lr: w - 2 * lr * dw)
    assert not result.passed and "w_new = w - lr * dw" in result.message


def test_gd_step_wrong_shape_is_reported():
    result = check_gd_step(lambda w, dw, lr: np.transpose(w - lr * dw))
    assert (
        not result.passed
        and "case 3 (you returned shape (4, 3), expected (3, 4))" in result.message
    )


def test_gd_step_that_raises_gives_a_message():
    def broken(w, dw, lr):
        raise KeyError("oops")

    result = check_gd_step(broken)
    assert not result.passed and "raised KeyError" in result.message


def test_gd_step_not_written_yet():
    def todo(w, dw, lr):
        raise NotImplementedError

    assert "not written yet" in check_gd_step(todo).message


def test_gd_step_not_a_function():
    assert "expected a function, got int" in check_gd_step(3).message


# ------------------------------------------------------------------ two-sided difference
def test_two_sided_difference_correct():
    result = check_two_sided_difference(lambda J, w, eps: (J(w + eps) - J(w - eps)) / (2 * eps))
    assert result.passed and repr(result) == "two_sided_difference: correct"


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda J, w, eps: (J(w + eps) - J(w)) / eps, "one-sided"),
        (lambda J, w, eps: (J(w + eps) - J(w - eps)) / eps, "2 eps apart"),
        (lambda J, w, eps: (J(w - eps) - J(w + eps)) / (2 * eps), "sign is flipped"),
        (lambda J, w, eps: J(w + eps) - J(w - eps), "divide the difference"),
    ],
)
def test_two_sided_difference_typical_mistakes(wrong, hint):
    result = check_two_sided_difference(wrong)
    assert not result.passed and hint in result.message


def test_two_sided_difference_raising_and_overflowing_solutions_give_messages():
    assert "raised ZeroDivisionError" in check_two_sided_difference(lambda J, w, eps: 1 / 0).message
    # a NaN answer is simply wrong, with no warning escaping
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = check_two_sided_difference(lambda J, w, eps: np.log(-1.0))
    assert not result.passed


# ------------------------------------------------------------------ the helper
def test_close_compares_tuples_item_by_item_and_never_raises():
    a, b = np.ones((2, 3)), np.zeros(3)
    assert close((a, b), (a.copy(), b.copy()))
    assert not close((a, b), (a, b, b))
    assert not close((b, a), (a, b))
    assert not close("text", a) and not close(object(), 1.0)


def test_run_with_mistakes_uses_the_case_hint_when_no_mistake_matches():
    cases = [DiagnosedCase(Case((2.0,), 4.0, "square it"), [Mistake(2.0, "you returned x")])]
    assert "you returned x" in run_with_mistakes("sq", lambda x: x, cases).message
    assert "square it" in run_with_mistakes("sq", lambda x: x + 1, cases).message
    assert run_with_mistakes("sq", lambda x: x * x, cases).passed


# ------------------------------------------------------------------ small_graph_backward
from dlcourse.exercises.gradient_descent import (
    check_small_graph_backward,  # noqa: E402
    reference_small_graph_backward,
)


def _sweep(a, b, c):
    """The right sweep, written out: (J, da, db, dc, du, dv, dt)."""
    u = a * b
    v = u + c
    t = np.tanh(v)
    J = a * t + np.exp(b)
    dt = a
    dv = dt * (1 - t * t)
    du = dc = dv
    return J, t + du * b, np.exp(b) + du * a, dc, du, dv, dt


def test_small_graph_backward_correct():
    assert (
        repr(check_small_graph_backward(reference_small_graph_backward))
        == "small_graph_backward: correct"
    )
    assert check_small_graph_backward(_sweep).passed


def _wrong(kind):
    def fn(a, b, c):
        J, da, db, dc, du, dv, dt = _sweep(a, b, c)
        v = a * b + c
        t, e = np.tanh(v), np.exp(b)
        if kind == "da_only_direct":
            return J, t, db, dc, du, dv, dt
        if kind == "da_no_direct":
            return J, a * (1 - t * t) * b, db, dc, du, dv, dt
        if kind == "db_no_exp":
            return J, da, a * (1 - t * t) * a, dc, du, dv, dt
        if kind == "tanh_prime_of_v":
            w = a * (1 - v * v)
            return J, t + w * b, e + w * a, w, w, w, dt
        if kind == "dc_without_a":
            return J, da, db, 1 - t * t, du, dv, dt
        if kind == "forgot_dt_is_a":
            w = 1 - t * t
            return J, t + w * b, e + w * a, w, w, w, 1.0
        if kind == "dc_without_tanh":
            return J, da, db, a, du, dv, dt
        if kind == "du_times_b":
            return J, da, db, dc, dv * b, dv, dt
        if kind == "inputs_only":
            return J, da, db, dc
        raise AssertionError(kind)

    return fn


@pytest.mark.parametrize(
    "kind, hint",
    [
        ("da_only_direct", "a is used twice"),
        ("da_no_direct", "misses the direct path"),
        ("db_no_exp", "b is used twice as well"),
        ("tanh_prime_of_v", "1 - tanh(v)^2"),
        ("dc_without_a", "already carries the factor a"),
        ("forgot_dt_is_a", "dJ/dt = a"),
        ("dc_without_tanh", "only through tanh"),
        ("du_times_b", "dJ/du is the adjoint of u itself"),
        ("inputs_only", "expected a tuple of 7"),
    ],
)
def test_small_graph_backward_mistakes_get_their_hint(kind, hint):
    result = check_small_graph_backward(_wrong(kind))
    assert not result.passed and hint in result.message, result.message


def test_small_graph_backward_wrong_return_and_raise():
    r = check_small_graph_backward(lambda a, b, c: None)
    assert not r.passed and "returned None — did you forget `return`?" in r.message

    def boom(a, b, c):
        raise ValueError("bad")

    assert "raised ValueError: bad" in check_small_graph_backward(boom).message

    def todo(a, b, c):
        raise NotImplementedError

    assert "not written yet" in check_small_graph_backward(todo).message
