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


def test_the_package_layer_is_a_refused_shortcut():
    from dlcourse.layers import batchnorm_forward

    message = check_batchnorm_forward(
        lambda Z, g, b, eps: batchnorm_forward(Z, g, b, eps)[0]
    ).message
    assert "called the package's `layers.batchnorm_forward`" in message, message


@pytest.mark.parametrize(
    "wrong, words",
    [
        (
            lambda Z, g, b, eps: (
                g * (Z - Z.mean(1, keepdims=True)) / np.sqrt(Z.var(1, keepdims=True) + eps) + b
            ),
            "axis=0",
        ),
        (lambda Z, g, b, eps: g * (Z - Z.mean(0)) / np.sqrt(Z.var(0, ddof=1) + eps) + b, "m - 1"),
        (lambda Z, g, b, eps: g * (Z - Z.mean(0)) / (Z.std(0) + eps) + b, "inside the square root"),
        (lambda Z, g, b, eps: (Z - Z.mean(0)) / np.sqrt(Z.var(0) + eps), "gamma * z_norm + beta"),
        (lambda Z, g, b, eps: b * (Z - Z.mean(0)) / np.sqrt(Z.var(0) + eps) + g, "gamma scales"),
        (lambda Z, g, b, eps: g * (Z - Z.mean(0)) / (Z.var(0) + eps) + b, "not by the variance"),
        (lambda Z, g, b, eps: g * (Z - Z.mean(0)) / Z.std(0) + b, "left out eps"),
    ],
)
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


# ------------------------------------------------------------------ backward pass
import dlcourse as dl
from dlcourse.exercises.batchnorm import (
    check_batchnorm_backward,
    check_batchnorm_predict,
    check_running_averages,
)


def backward(dout, Z, gamma, eps=1e-5):
    m = len(Z)
    mu, var = Z.mean(0), Z.var(0)
    inv = 1 / np.sqrt(var + eps)
    xhat = (Z - mu) * inv
    dxhat = dout * gamma
    dZ = inv / m * (m * dxhat - dxhat.sum(0) - xhat * (dxhat * xhat).sum(0))
    return dZ, (dout * xhat).sum(0), dout.sum(0)


def backward_by_chain_rule(dout, Z, gamma, eps=1e-5):
    """The long way, as in the CS231n assignment: one step per node of the graph."""
    m = len(Z)
    mu = Z.mean(0)
    xc = Z - mu
    var = (xc**2).mean(0)
    std = np.sqrt(var + eps)
    xhat = xc / std
    dxhat = dout * gamma
    dvar = (dxhat * xc * -0.5 * std**-3).sum(0)
    dmu = (-dxhat / std).sum(0) + dvar * (-2 * xc).mean(0)
    dZ = dxhat / std + dvar * 2 * xc / m + dmu / m
    return dZ, (dout * xhat).sum(0), dout.sum(0)


def test_backward_correct_solutions_pass():
    assert repr(check_batchnorm_backward(backward)) == "batchnorm_backward: correct"
    assert check_batchnorm_backward(backward_by_chain_rule).passed


def _variant(**kw):
    def f(dout, Z, gamma, eps=1e-5):
        m = len(Z)
        ddof = kw.get("ddof", 0)
        std = (
            np.sqrt(Z.var(0, ddof=ddof)) + eps
            if kw.get("eps_out")
            else np.sqrt(Z.var(0, ddof=ddof) + eps)
        )
        xhat = (Z - Z.mean(0)) / std
        dxhat = dout * (1.0 if kw.get("no_gamma") else gamma)
        if kw.get("const"):
            dZ = dxhat / std
        elif kw.get("mean_only"):
            dZ = (dxhat - dxhat.mean(0)) / std
        else:
            dZ = (m * dxhat - dxhat.sum(0) - xhat * (dxhat * xhat).sum(0)) / (m * std)
        dgamma = dout.sum(0) if kw.get("dgamma_plain") else (dout * xhat).sum(0)
        dbeta = dout.mean(0) if kw.get("dbeta_mean") else dout.sum(0)
        return (dZ, dbeta, dgamma) if kw.get("swap") else (dZ, dgamma, dbeta)

    return f


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (_variant(const=True), "as constants"),
        (_variant(mean_only=True), "path through sigma^2 is missing"),
        (_variant(no_gamma=True), "through gamma"),
        (_variant(ddof=1), "unbiased"),
        (_variant(eps_out=True), "inside the square root"),
        (_variant(dbeta_mean=True), "not a mean"),
        (_variant(dgamma_plain=True), "dZ_tilde * Z_norm"),
        (_variant(swap=True), "in this order"),
    ],
)
def test_backward_mistakes(wrong, hint):
    result = check_batchnorm_backward(wrong)
    assert not result.passed and hint in result.message, result.message


def test_backward_stub_and_none():
    def todo(dout, Z, gamma, eps):
        raise NotImplementedError

    assert "not written yet" in check_batchnorm_backward(todo).message
    assert not check_batchnorm_backward(lambda *a: None).passed


# ------------------------------------------------------------------ running averages, test mode
def update_running(running_mean, running_var, Z, momentum):
    return (
        momentum * running_mean + (1 - momentum) * Z.mean(0),
        momentum * running_var + (1 - momentum) * Z.var(0),
    )


def test_running_correct_and_matches_the_layer():
    assert repr(check_running_averages(update_running)) == "update_running: correct"
    rng = np.random.default_rng(0)
    layer = dl.BatchNorm(3)
    Z = rng.normal(size=(8, 3))
    expected = update_running(layer.running_mean.copy(), layer.running_var.copy(), Z, 0.9)
    layer.forward(Z, training=True)
    assert np.allclose(layer.running_mean, expected[0]) and np.allclose(
        layer.running_var, expected[1]
    )


def in_place(running_mean, running_var, Z, momentum):
    running_mean *= momentum
    running_mean += (1 - momentum) * Z.mean(0)
    running_var *= momentum
    running_var += (1 - momentum) * Z.var(0)
    return running_mean, running_var


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (
            lambda rm, rv, Z, mo: ((1 - mo) * rm + mo * Z.mean(0), (1 - mo) * rv + mo * Z.var(0)),
            "OLD running value",
        ),
        (
            lambda rm, rv, Z, mo: (
                mo * rm + (1 - mo) * Z.mean(0),
                mo * rv + (1 - mo) * Z.var(0, ddof=1),
            ),
            "unbiased",
        ),
        (
            lambda rm, rv, Z, mo: (mo * rm + (1 - mo) * Z.mean(0), mo * rv + (1 - mo) * Z.std(0)),
            "VARIANCE",
        ),
        (lambda rm, rv, Z, mo: (Z.mean(0), Z.var(0)), "average them"),
        (
            lambda rm, rv, Z, mo: (mo * rm + (1 - mo) * Z.mean(1), mo * rv + (1 - mo) * Z.var(1)),
            "axis 0",
        ),
        (
            lambda rm, rv, Z, mo: (
                mo * rm + (1 - mo) * Z.mean(0),
                mo * rv + (1 - mo) * ((Z - rm) ** 2).mean(0),
            ),
            "around the batch mean",
        ),
    ],
)
def test_running_mistakes(wrong, hint):
    result = check_running_averages(wrong)
    assert not result.passed and hint in result.message, result.message


def test_running_in_place_update_is_refused():
    # the exercise asks for the new pair: writing into the caller's arrays is a mistake
    message = check_running_averages(in_place).message
    assert "changed its input `running_mean` in place" in message, message


def predict(Z, gamma, beta, running_mean, running_var, eps):
    return gamma * (Z - running_mean) / np.sqrt(running_var + eps) + beta


def test_predict_correct_and_matches_the_layer():
    assert repr(check_batchnorm_predict(predict)) == "batchnorm_predict: correct"
    layer = dl.BatchNorm(2)
    layer.running_mean[:] = [1.0, -2.0]
    layer.running_var[:] = [4.0, 0.25]
    Z = np.array([[3.0, -1.0], [0.0, 0.0]])
    assert np.allclose(
        layer.forward(Z, training=False),
        predict(Z, 1.0, 0.0, layer.running_mean, layer.running_var, layer.eps),
    )


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (
            lambda Z, g, b, rm, rv, e: g * (Z - Z.mean(0)) / np.sqrt(Z.var(0) + e) + b,
            "running averages",
        ),
        (lambda Z, g, b, rm, rv, e: g * (Z - rm) / (np.sqrt(rv) + e) + b, "inside the square root"),
        (lambda Z, g, b, rm, rv, e: g * (Z - rm) / np.sqrt(rv) + b, "keep eps"),
        (lambda Z, g, b, rm, rv, e: (Z - rm) / np.sqrt(rv + e), "gamma and beta"),
        (lambda Z, g, b, rm, rv, e: g * (Z - rm) / (rv + e) + b, "standard deviation"),
    ],
)
def test_predict_mistakes(wrong, hint):
    result = check_batchnorm_predict(wrong)
    assert not result.passed and hint in result.message, result.message
