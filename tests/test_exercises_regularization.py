"""Checks of the L2 cost term and of inverted dropout."""

import numpy as np
import pytest

from dlcourse.exercises.regularization import (
    check_dropout_forward,
    check_l2_cost,
    reference_dropout,
    reference_l2_cost,
)


def l2_right(weights, lambd, m):
    return lambd / (2 * m) * sum(float(np.sum(W**2)) for W in weights)


def test_l2_reference_matches_the_formula():
    rng = np.random.default_rng(0)
    Ws = [rng.standard_normal((3, 2)), rng.standard_normal((1, 3))]
    assert reference_l2_cost(Ws, 0.3, 7) == pytest.approx(l2_right(Ws, 0.3, 7), rel=1e-12)


def test_l2_right_answer_passes():
    assert repr(check_l2_cost(l2_right)) == "l2_cost: correct"


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda Ws, l, m: l / m * sum(np.sum(W**2) for W in Ws), "forget the 2"),
        (lambda Ws, l, m: l / 2 * sum(np.sum(W**2) for W in Ws), "divide by m"),
        (lambda Ws, l, m: l / (2 * m) * np.sum(Ws[0] ** 2), "every layer"),
        (lambda Ws, l, m: l / (2 * m) * sum(np.linalg.norm(W) for W in Ws), "squared norm"),
        (lambda Ws, l, m: l / (2 * m) * sum(np.sum(W) for W in Ws), "square the weights"),
        (lambda Ws, l, m: [l / (2 * m) * np.sum(W**2) for W in Ws], "single number"),
    ],
)
def test_l2_mistakes(wrong, words):
    result = check_l2_cost(wrong)
    assert not result.passed and words in result.message, result.message


def test_l2_raising_solution_gives_a_message():
    result = check_l2_cost(lambda Ws, l, m: Ws.shape)
    assert not result.passed and "AttributeError" in result.message


def dropout_right(A, keep_prob, rng):
    D = rng.random(A.shape) < keep_prob
    return A * D / keep_prob, D


def test_dropout_reference_has_mean_A():
    A = np.full((400, 500), 2.0)
    out, D = reference_dropout(A, 0.8, np.random.default_rng(0))
    assert set(np.unique(D)) <= {0.0, 1.0}
    assert abs(D.mean() - 0.8) < 0.005 and abs(out.mean() - 2.0) < 0.01


@pytest.mark.parametrize(
    "right",
    [
        dropout_right,
        lambda A, kp, rng: (lambda D: (A * D / kp, D))(rng.binomial(1, kp, size=A.shape)),
        lambda A, kp, rng: (lambda D: (np.where(D, A / kp, 0.0), D))(
            rng.uniform(size=A.shape) < kp
        ),
    ],
)
def test_dropout_right_answers_pass(right):
    assert repr(check_dropout_forward(right)) == "dropout_forward: correct"


def _wrong_nodiv(A, kp, rng):
    D = rng.random(A.shape) < kp
    return A * D, D


def _wrong_greater(A, kp, rng):
    D = rng.random(A.shape) > kp
    return A * D / kp, D


def _wrong_multiply(A, kp, rng):
    D = rng.random(A.shape) < kp
    return A * D * kp, D


def _wrong_scaled_mask(A, kp, rng):
    D = (rng.random(A.shape) < kp) / kp
    return A * D, D


def _wrong_global_rng(A, kp, rng):
    D = np.random.default_rng().random(A.shape) < kp
    return A * D / kp, D


@pytest.mark.parametrize(
    "wrong, words",
    [
        (_wrong_nodiv, "forgot to divide by keep_prob"),
        (_wrong_greater, "1 - keep_prob"),
        (_wrong_multiply, "don't multiply"),
        (_wrong_scaled_mask, "0/1 keep mask"),
        (_wrong_global_rng, "same seed"),
        (lambda A, kp, rng: A / kp, "pair (out, D)"),
    ],
)
def test_dropout_mistakes(wrong, words):
    result = check_dropout_forward(wrong)
    assert not result.passed and words in result.message, result.message


def test_dropout_raising_solution_gives_a_message():
    def broken(A, kp, rng):
        raise ValueError("oops")

    result = check_dropout_forward(broken)
    assert not result.passed and "ValueError: oops" in result.message


# ------------------------------------------------------------------ dropout backward
from dlcourse.exercises.regularization import check_dropout_backward, check_l2_gradient  # noqa: E402


def test_dropout_backward_right_answers_pass():
    assert check_dropout_backward(lambda d, D, kp: d * D / kp).passed
    assert check_dropout_backward(lambda d, D, kp: np.where(D > 0, d / kp, 0.0)).passed


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda d, D, kp: d * D, "not the scale"),
        (lambda d, D, kp: d * D * kp, "don't multiply"),
        (lambda d, D, kp: d / kp, "apply the mask"),
        (lambda d, D, kp: d, "unchanged"),
        (lambda d, D, kp: d * (1 - D) / kp, "D = 1 means kept"),
        (lambda d, D, kp: d * D / (1 - kp), "not by the drop rate"),
        (
            lambda d, D, kp: d * (np.random.default_rng(0).random(d.shape) < kp) / kp,
            "mask and its scale",
        ),
        (lambda d, D, kp: None, "returned None — did you forget `return`?"),
    ],
)
def test_dropout_backward_mistakes(wrong, words):
    result = check_dropout_backward(wrong)
    assert not result.passed and words in result.message, result.message


def test_dropout_backward_matches_the_layer():
    layer = __import__("dlcourse").Dropout(0.4, rng=3)
    x = np.random.default_rng(1).standard_normal((6, 7)) + 2
    layer.forward(x, training=True)
    dout = np.random.default_rng(2).standard_normal((6, 7))
    D = (layer.mask > 0).astype(float)
    np.testing.assert_allclose(layer.backward(dout), dout * D / layer.keep_prob, rtol=1e-12)


# ------------------------------------------------------------------ L2 gradient
def test_l2_gradient_right_answer_passes():
    assert check_l2_gradient(lambda Ws, dWs, l, m: [g + l / m * W for W, g in zip(Ws, dWs)]).passed


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda Ws, dWs, l, m: [g + l / (2 * m) * W for W, g in zip(Ws, dWs)], "cancels the 1/2"),
        (lambda Ws, dWs, l, m: [g + l * W for W, g in zip(Ws, dWs)], "divided by m"),
        (lambda Ws, dWs, l, m: [g + 2 * l / m * W for W, g in zip(Ws, dWs)], "twice too big"),
        (lambda Ws, dWs, l, m: [l / m * W for W in Ws], "L2 term alone"),
        (lambda Ws, dWs, l, m: [g - l / m * W for W, g in zip(Ws, dWs)], "points away from 0"),
        (lambda Ws, dWs, l, m: [g + l / m * np.sign(W) for W, g in zip(Ws, dWs)], "L1"),
        (lambda Ws, dWs, l, m: list(dWs), "data gradient unchanged"),
        (
            lambda Ws, dWs, l, m: [g + l / m * W for W, g in zip(Ws[:1], dWs[:1])],
            "one array per layer",
        ),
    ],
)
def test_l2_gradient_mistakes(wrong, words):
    result = check_l2_gradient(wrong)
    assert not result.passed and words in result.message, result.message


def test_l2_gradient_is_the_derivative_of_l2_cost():
    from dlcourse.exercises.regularization import reference_l2_gradient

    rng = np.random.default_rng(4)
    Ws = [rng.standard_normal((3, 2)), rng.standard_normal((2, 3))]
    zeros = [np.zeros_like(W) for W in Ws]
    g = reference_l2_gradient(Ws, zeros, 0.9, 7)
    eps = 1e-6
    for k, W in enumerate(Ws):
        for idx in np.ndindex(W.shape):
            Wp = [w.copy() for w in Ws]
            Wm = [w.copy() for w in Ws]
            Wp[k][idx] += eps
            Wm[k][idx] -= eps
            num = (reference_l2_cost(Wp, 0.9, 7) - reference_l2_cost(Wm, 0.9, 7)) / (2 * eps)
            assert abs(num - g[k][idx]) < 1e-7
