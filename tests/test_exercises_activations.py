"""The checks of notebook 02: correct solutions pass, typical mistakes get their hint, a
raising or overflowing solution gets a message and no exception or warning escapes."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from dlcourse.exercises.activations import check_leaky_relu_backward, check_sigmoid_derivative


def stable_sigmoid(z):
    return np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))))


def test_sigmoid_derivative_correct():
    def sigmoid_derivative(z):
        s = stable_sigmoid(z)
        return s * (1 - s)
    result = check_sigmoid_derivative(sigmoid_derivative)
    assert result.passed and repr(result) == "sigmoid_derivative: correct"


def test_sigmoid_derivative_naive_formula_passes_without_leaking_warnings():
    def naive(z):
        s = 1 / (1 + np.exp(-z))
        return s * (1 - s)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_sigmoid_derivative(naive).passed


@pytest.mark.parametrize("wrong, hint", [
    (stable_sigmoid, "that is sigmoid itself"),
    (lambda z: z * (1 - z), "takes the activation"),
    (lambda z: stable_sigmoid(z) * (1 + stable_sigmoid(z)), "with a minus sign"),
    (lambda z: 1 - stable_sigmoid(z) ** 2, "tanh's derivative"),
])
def test_sigmoid_derivative_typical_mistakes(wrong, hint):
    result = check_sigmoid_derivative(wrong)
    assert not result.passed and hint in result.message


def test_sigmoid_derivative_raising_gives_message():
    result = check_sigmoid_derivative(lambda z: z.nonexistent)
    assert not result.passed and "raised AttributeError" in result.message


def test_sigmoid_derivative_scalar_instead_of_array_reports_shape():
    result = check_sigmoid_derivative(lambda z: 0.25)
    assert not result.passed and "you returned shape ()" in result.message


# ------------------------------------------------------------------ leaky ReLU backward
def test_leaky_relu_backward_correct():
    result = check_leaky_relu_backward(lambda dA, Z, slope: np.where(Z > 0, dA, slope * dA))
    assert result.passed and repr(result) == "leaky_relu_backward: correct"


def test_leaky_relu_backward_in_place_solution_correct():
    def backward(dA, Z, slope):
        dZ = np.array(dA, copy=True)
        dZ[Z <= 0] *= slope
        return dZ
    assert check_leaky_relu_backward(backward).passed


@pytest.mark.parametrize("wrong, hint", [
    (lambda dA, Z, s: np.where(Z > 0, 1.0, s), "multiply the local derivative"),
    (lambda dA, Z, s: dA * (Z > 0), "plain ReLU"),
    (lambda dA, Z, s: np.where(Z > 0, dA, s * Z), "not g(z)"),
    (lambda dA, Z, s: np.where(dA > 0, dA, s * dA), "sign of Z"),
    (lambda dA, Z, s: np.where(Z >= 0, dA, s * dA), "at z = 0"),
])
def test_leaky_relu_backward_typical_mistakes(wrong, hint):
    result = check_leaky_relu_backward(wrong)
    assert not result.passed and hint in result.message, result.message


def test_leaky_relu_backward_raising_gives_message():
    def broken(dA, Z, slope):
        raise ValueError("shapes")
    result = check_leaky_relu_backward(broken)
    assert not result.passed and "raised ValueError: shapes" in result.message
