"""The checks of notebook 03: correct solutions pass, typical mistakes get their hint, a
raising solution gets a message."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.exercises.deep_network import check_count_parameters


# ------------------------------------------------------------------ count_parameters (notebook 00)
def test_count_parameters_correct():
    result = check_count_parameters(lambda model: sum(p.value.size for p in model.parameters()))
    assert result.passed and repr(result) == "count_parameters: correct"


def dense_only(model):
    return sum(l.W.value.size + l.b.value.size for l in model if isinstance(l, dl.Dense))


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda model: len(model.parameters()), "number of Parameter arrays"),
        (
            lambda model: sum(l.W.value.size for l in model if isinstance(l, dl.Dense)),
            "count the biases",
        ),
        (dense_only, "batch norm has gamma and beta"),
    ],
)
def test_count_parameters_typical_mistakes(wrong, hint):
    result = check_count_parameters(wrong)
    assert not result.passed and hint in result.message, result.message


def test_count_parameters_raising_gives_message():
    result = check_count_parameters(lambda model: model.nonexistent)
    assert not result.passed and "raised AttributeError" in result.message


# ------------------------------------------------------------------ L_model_forward / backward
from dlcourse.exercises.deep_network import (
    _BACKWARD_HINTS,
    _FORWARD_HINTS,  # noqa: E402
    _L_backward_wrong,
    _L_forward_wrong,
    check_L_model_backward,
    check_L_model_forward,
    reference_L_model_backward,
    reference_L_model_forward,
)


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
    def mask_from_A_prev(dZL, caches):  # A_prev > 0 is the same mask as Z_prev > 0: correct
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
