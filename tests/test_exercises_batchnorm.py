"""The batch-norm exercise check: right answers pass, the usual mistakes get their hint."""
import numpy as np
import pytest

from dlcourse.exercises.batchnorm import check_batchnorm_forward


def correct(Z, gamma, beta, eps=1e-5):
    mu = Z.mean(axis=0)
    var = ((Z - mu) ** 2).mean(axis=0)
    return gamma * (Z - mu) / np.sqrt(var + eps) + beta


def test_correct_solution_passes():
    result = check_batchnorm_forward(correct)
    assert result.passed
    assert repr(result) == "batchnorm_forward: correct"


def test_reference_layer_passes():
    from dlcourse.layers import batchnorm_forward
    assert check_batchnorm_forward(lambda Z, g, b, eps: batchnorm_forward(Z, g, b, eps)[0]).passed


@pytest.mark.parametrize("wrong, words", [
    (lambda Z, g, b, eps: g * (Z - Z.mean(1, keepdims=True)) / np.sqrt(Z.var(1, keepdims=True) + eps) + b,
     "axis=0"),
    (lambda Z, g, b, eps: g * (Z - Z.mean(0)) / np.sqrt(Z.var(0, ddof=1) + eps) + b, "m - 1"),
    (lambda Z, g, b, eps: g * (Z - Z.mean(0)) / (Z.std(0) + eps) + b, "inside the square root"),
    (lambda Z, g, b, eps: (Z - Z.mean(0)) / np.sqrt(Z.var(0) + eps), "gamma * z_norm + beta"),
    (lambda Z, g, b, eps: b * (Z - Z.mean(0)) / np.sqrt(Z.var(0) + eps) + g, "gamma scales"),
    (lambda Z, g, b, eps: g * (Z - Z.mean(0)) / (Z.var(0) + eps) + b, "not by the variance"),
    (lambda Z, g, b, eps: g * (Z - Z.mean(0)) / Z.std(0) + b, "left out eps"),
])
def test_typical_mistakes_get_their_hint(wrong, words):
    result = check_batchnorm_forward(wrong)
    assert not result.passed
    assert words in result.message, result.message


def test_wrong_in_an_unlisted_way_gets_the_generic_hint():
    result = check_batchnorm_forward(lambda Z, g, b, eps: correct(Z, g, b, eps) + 0.01)
    assert not result.passed
    assert "case 1" in result.message and "Hint" in result.message


def test_tuple_return_is_explained():
    result = check_batchnorm_forward(lambda Z, g, b, eps: (correct(Z, g, b, eps), None))
    assert not result.passed
    assert "not a tuple" in result.message


def test_raising_solution_gives_a_message_not_an_exception():
    def broken(Z, gamma, beta, eps):
        raise ValueError("oops")
    result = check_batchnorm_forward(broken)
    assert not result.passed
    assert "raised ValueError: oops" in result.message


def test_not_written_and_not_callable():
    def todo(Z, gamma, beta, eps):
        raise NotImplementedError
    assert "not written yet" in check_batchnorm_forward(todo).message
    assert "expected a function" in check_batchnorm_forward(42).message
