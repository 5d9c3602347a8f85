"""The checks of notebook 02: correct solutions pass, typical mistakes get their hint, a
raising or overflowing solution gets a message and no exception or warning escapes."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse.exercises.activations import check_activation_backward, reference_activation_backward


def _good(dA, Z, kind, slope=0.01, alpha=1.0):
    if kind == "sigmoid":
        s = 0.5 * (1 + np.tanh(0.5 * Z))
        return dA * s * (1 - s)
    if kind == "tanh":
        return dA * (1 - np.tanh(Z) ** 2)
    if kind == "relu":
        return dA * (Z > 0)
    if kind == "leaky_relu":
        return np.where(Z > 0, dA, slope * dA)
    return np.where(Z > 0, dA, dA * alpha * np.exp(np.minimum(Z, 0)))


def _patch(kind, fn):
    def wrong(dA, Z, k, slope=0.01, alpha=1.0):
        return fn(dA, Z, slope, alpha) if k == kind else _good(dA, Z, k, slope, alpha)

    return wrong


def test_activation_backward_correct():
    assert check_activation_backward(_good).passed
    assert check_activation_backward(reference_activation_backward).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (
            lambda dA, Z, k, slope=0.01, alpha=1.0: _good(np.ones_like(dA), Z, k, slope, alpha),
            "not g'(Z) alone",
        ),
        (
            _patch(
                "sigmoid",
                lambda dA, Z, s, a: dA * (1 / (1 + np.exp(-Z))) * (1 + 1 / (1 + np.exp(-Z))),
            ),
            "with a minus",
        ),
        (
            _patch("sigmoid", lambda dA, Z, s, a: dA * np.exp(-Z) / (1 + np.exp(-Z)) ** 2),
            "overflows",
        ),
        (_patch("tanh", lambda dA, Z, s, a: dA * (1 - Z**2)), "square the output, not Z"),
        (_patch("relu", lambda dA, Z, s, a: dA * (Z >= 0)), "test Z > 0, not Z >= 0"),
        (
            _patch("leaky_relu", lambda dA, Z, s, a: np.where(Z > 0, dA, s * Z * dA)),
            "not slope * Z",
        ),
        (_patch("leaky_relu", lambda dA, Z, s, a: dA * (Z > 0)), "plain ReLU derivative"),
        (
            _patch("leaky_relu", lambda dA, Z, s, a: np.where(Z > 0, dA, 0.01 * dA)),
            "not a fixed 0.01",
        ),
        (
            _patch("elu", lambda dA, Z, s, a: np.where(Z > 0, dA, dA * np.exp(Z))),
            "multiply by alpha",
        ),
        (
            _patch("elu", lambda dA, Z, s, a: np.where(Z > 0, dA, dA * a * (np.exp(Z) - 1))),
            "ELU itself",
        ),
    ],
)
def test_activation_backward_mistakes_get_their_hint(wrong, hint):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = check_activation_backward(wrong)
    assert not result.passed and hint in result.message, result.message


def test_activation_backward_none_and_raise():
    assert not check_activation_backward(lambda dA, Z, k, slope=0.01, alpha=1.0: None).passed

    def todo(dA, Z, k, slope=0.01, alpha=1.0):
        raise NotImplementedError

    assert "not written yet" in check_activation_backward(todo).message
