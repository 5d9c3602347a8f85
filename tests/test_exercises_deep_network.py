"""The checks of notebook 03: correct solutions pass, typical mistakes get their hint, a
raising solution gets a message."""
from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.exercises.deep_network import (
    check_count_parameters, check_dense_backward, check_forward_pass, reference_forward_pass,
)


def good_backward(dZ, A_prev, W):
    return dZ @ W, dZ.T @ A_prev, dZ.sum(axis=0)


def test_dense_backward_correct():
    result = check_dense_backward(good_backward)
    assert result.passed and repr(result) == "dense_backward: correct"


@pytest.mark.parametrize("wrong, hint", [
    (lambda dZ, A, W: (dZ @ W, A.T @ dZ, dZ.sum(0)), "dW must have W's shape"),
    (lambda dZ, A, W: (dZ @ W, dZ.T @ A / len(A), dZ.sum(0) / len(A)), "do not divide by m again"),
    (lambda dZ, A, W: (dZ @ W, dZ.T @ A, dZ.mean(0)), "not the mean"),
    (lambda dZ, A, W: (dZ.T @ A, dZ.sum(0), dZ @ W), "in the order (dA_prev, dW, db)"),
    (lambda dZ, A, W: (dZ @ W, dZ.T @ A, dZ.sum(1)), "over axis 0"),
])
def test_dense_backward_typical_mistakes(wrong, hint):
    result = check_dense_backward(wrong)
    assert not result.passed and hint in result.message, result.message


def test_dense_backward_wrong_shape_and_raising():
    result = check_dense_backward(lambda dZ, A, W: (dZ @ W, dZ.T @ A, dZ))
    assert not result.passed and "item 2: you returned shape (5, 4), expected (4,)" in result.message
    result = check_dense_backward(lambda dZ, A, W: (dZ @ W.T, dZ.T @ A, dZ.sum(0)))
    assert not result.passed and "raised ValueError" in result.message
    result = check_dense_backward(lambda dZ, A, W: dZ @ W)
    assert not result.passed and "expected a tuple of 3" in result.message


def good_forward(X, parameters):
    A = X
    for l, (W, b) in enumerate(parameters, 1):
        Z = A @ W.T + b
        A = np.maximum(Z, 0) if l < len(parameters) else Z
    return A


def test_forward_pass_correct():
    result = check_forward_pass(good_forward)
    assert result.passed and repr(result) == "forward_pass: correct"


def test_reference_forward_pass_equals_a_sequential_model():
    rng = np.random.default_rng(0)
    model = dl.Sequential([dl.Dense(3, 5, rng=1), dl.ReLU(), dl.Dense(5, 4, rng=2), dl.ReLU(),
                           dl.Dense(4, 2, rng=3)])
    for layer in model:
        if isinstance(layer, dl.Dense):
            layer.b.value[:] = rng.standard_normal(layer.b.shape)
    X = rng.standard_normal((6, 3))
    params = [(l.W.value, l.b.value) for l in model if isinstance(l, dl.Dense)]
    np.testing.assert_allclose(reference_forward_pass(X, params), model.forward(X), rtol=1e-14)


def wrong_relu_last(X, parameters):
    return np.maximum(good_forward(X, parameters), 0)


def wrong_no_bias(X, parameters):
    return good_forward(X, [(W, 0 * b) for W, b in parameters])


def wrong_linear(X, parameters):
    A = X
    for W, b in parameters:
        A = A @ W.T + b
    return A


@pytest.mark.parametrize("wrong, hint", [
    (wrong_relu_last, "no ReLU on the last layer"),
    (wrong_no_bias, "add the bias"),
    (wrong_linear, "apply ReLU to every hidden layer"),
])
def test_forward_pass_typical_mistakes(wrong, hint):
    result = check_forward_pass(wrong)
    assert not result.passed and hint in result.message, result.message


def test_forward_pass_with_untransposed_weights_raises_into_a_message():
    def untransposed(X, parameters):
        A = X
        for W, b in parameters:
            A = np.maximum(A @ W + b, 0)
        return A
    result = check_forward_pass(untransposed)
    assert not result.passed and "raised ValueError" in result.message


# ------------------------------------------------------------------ count_parameters (notebook 00)
def test_count_parameters_correct():
    result = check_count_parameters(lambda model: sum(p.value.size for p in model.parameters()))
    assert result.passed and repr(result) == "count_parameters: correct"


def dense_only(model):
    return sum(l.W.value.size + l.b.value.size for l in model if isinstance(l, dl.Dense))


@pytest.mark.parametrize("wrong, hint", [
    (lambda model: len(model.parameters()), "number of Parameter arrays"),
    (lambda model: sum(l.W.value.size for l in model if isinstance(l, dl.Dense)), "count the biases"),
    (dense_only, "batch norm has gamma and beta"),
])
def test_count_parameters_typical_mistakes(wrong, hint):
    result = check_count_parameters(wrong)
    assert not result.passed and hint in result.message, result.message


def test_count_parameters_raising_gives_message():
    result = check_count_parameters(lambda model: model.nonexistent)
    assert not result.passed and "raised AttributeError" in result.message


# ------------------------------------------------------------------ L_model_forward / backward
from dlcourse.exercises.deep_network import (_BACKWARD_HINTS, _FORWARD_HINTS,  # noqa: E402
                                             _L_backward_wrong, _L_forward_wrong,
                                             check_L_model_backward, check_L_model_forward,
                                             reference_L_model_backward, reference_L_model_forward)


def test_L_model_correct_and_equal_to_the_package():
    import dlcourse as dl
    assert check_L_model_forward(reference_L_model_forward).passed
    assert check_L_model_backward(reference_L_model_backward).passed
    X, y = np.random.default_rng(0).standard_normal((7, 2)), np.array([0, 1, 1, 0, 1, 0, 1])
    model = dl.Sequential([dl.Dense(2, 4, rng=1), dl.ReLU(), dl.Dense(4, 1, rng=2)])
    params = [(l.W.value, l.b.value) for l in model if isinstance(l, dl.Dense)]
    loss = dl.BinaryCrossEntropy()
    ZL, caches = reference_L_model_forward(X, params)
    assert np.allclose(ZL, model.forward(X))
    loss.forward(ZL, y)
    grads = reference_L_model_backward(loss.backward(), caches)
    model.zero_grad()
    loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    assert np.allclose(grads[0][0], model[0].W.grad) and np.allclose(grads[1][1], model[2].b.grad)


@pytest.mark.parametrize("kind", list(_FORWARD_HINTS))
def test_L_model_forward_mistakes(kind):
    r = check_L_model_forward(lambda X, p: _L_forward_wrong(X, p, kind))
    assert not r.passed and _FORWARD_HINTS[kind] in r.message


def test_L_model_forward_returning_only_ZL_and_column_convention():
    r = check_L_model_forward(lambda X, p: reference_L_model_forward(X, p)[0])
    assert not r.passed and "not Z^[L] alone" in r.message
    def cols(X, p):
        A = X
        for W, b in p:
            A = W @ A + b
        return A, []
    assert "raised ValueError" in check_L_model_forward(cols).message


@pytest.mark.parametrize("kind", list(_BACKWARD_HINTS))
def test_L_model_backward_mistakes(kind):
    r = check_L_model_backward(lambda d, c: _L_backward_wrong(d, c, kind))
    assert not r.passed and _BACKWARD_HINTS[kind] in r.message


def test_L_model_backward_written_independently_with_mistakes():
    def mask_from_A_prev(dZL, caches):   # A_prev > 0 is the same mask as Z_prev > 0: correct
        grads, dZ = [], dZL
        for l in range(len(caches), 0, -1):
            A_prev, W, _, _ = caches[l - 1]
            grads.insert(0, (dZ.T @ A_prev, dZ.sum(axis=0)))
            dZ = (dZ @ W) * (A_prev > 0)
        return grads
    assert check_L_model_backward(mask_from_A_prev).passed
    def no_return(dZL, caches):
        reference_L_model_backward(dZL, caches)
    assert not check_L_model_backward(no_return).passed
