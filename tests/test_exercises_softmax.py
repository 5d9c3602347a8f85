"""The check of notebook 12's exercise: a correct stable softmax passes, typical mistakes get
their hint, a raising solution gets a message and nothing escapes."""

import warnings

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.exercises.softmax import check_stable_softmax


def stable(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_correct_solution_passes():
    result = check_stable_softmax(stable)
    assert result.passed and repr(result) == "stable_softmax: correct"


def test_logsumexp_form_passes():
    def via_log(z):
        m = z.max(axis=1, keepdims=True)
        return np.exp(z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True)))

    assert check_stable_softmax(via_log).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda z: np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True), "overflows to inf"),
        (
            lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(axis=-1, keepdims=True),
            "not of the whole array",
        ),
        (lambda z: np.exp(z - z.max(axis=0)) / np.exp(z - z.max(axis=0)).sum(axis=0), "last axis"),
        (
            lambda z: np.exp(z - z.max(axis=-1)) / np.exp(z - z.max(axis=-1)).sum(axis=-1),
            "keepdims=True",
        ),
        (
            lambda z: (
                (z - z.max(axis=-1, keepdims=True))
                - np.log(np.exp(z - z.max(axis=-1, keepdims=True)).sum(axis=-1, keepdims=True))
            ),
            "log softmax",
        ),
        (lambda z: np.exp(z - z.max(axis=-1, keepdims=True)), "sums to 1"),
    ],
)
def test_typical_mistakes_get_their_hint(wrong, hint):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning leaks out of the check
        result = check_stable_softmax(wrong)
    assert not result.passed and hint in result.message, result.message


def test_raising_solution_gives_a_message():
    result = check_stable_softmax(lambda z: z.nope)
    assert not result.passed and "raised AttributeError" in result.message


def test_not_a_function():
    result = check_stable_softmax(None)
    assert not result.passed and "expected a function" in result.message


# ------------------------------------------------------------------ loopholes closed
from dlcourse.exercises.softmax import check_softmax_cross_entropy


def _shift_softmax(shift):
    def f(z):
        e = np.exp(z - shift(z))
        return e / e.sum(axis=-1, keepdims=True)

    return f


def test_min_shift_rejected():
    r = check_stable_softmax(_shift_softmax(lambda z: z.min(axis=-1, keepdims=True)))
    assert not r.passed and "row MINIMUM" in r.message, r.message


def test_mean_shift_rejected():
    r = check_stable_softmax(_shift_softmax(lambda z: z.mean(axis=-1, keepdims=True)))
    assert not r.passed and "row MEAN" in r.message, r.message


# ------------------------------------------------------------------ softmax cross-entropy
def sce_reference(z, y):
    m = len(y)
    s = z.max(axis=1, keepdims=True)
    log_p = z - s - np.log(np.exp(z - s).sum(axis=1, keepdims=True))
    J = -log_p[np.arange(m), y].mean()
    dZ = np.exp(log_p)
    dZ[np.arange(m), y] -= 1
    return J, dZ / m


def test_sce_correct_passes():
    assert repr(check_softmax_cross_entropy(sce_reference)) == "softmax_cross_entropy: correct"

    def via_package(z, y):
        loss = dl.SoftmaxCrossEntropy()
        return loss.forward(z, y), loss.backward()

    message = check_softmax_cross_entropy(via_package).message
    assert "called the package's `losses.SoftmaxCrossEntropy.forward`" in message, message


def _probs(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _onehot(y, C):
    return np.eye(C)[y]


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (
            lambda z, y: (
                -np.mean(np.log(_probs(z)[np.arange(len(y)), y])),
                sce_reference(z, y)[1],
            ),
            "log of the (stable) softmax",
        ),
        (
            lambda z, y: (
                -np.mean(
                    np.log((np.exp(z) / np.exp(z).sum(1, keepdims=True))[np.arange(len(y)), y])
                ),
                (np.exp(z) / np.exp(z).sum(1, keepdims=True) - _onehot(y, z.shape[1])) / len(y),
            ),
            "overflows",
        ),
        (lambda z, y: (sce_reference(z, y)[0], _probs(z) - _onehot(y, z.shape[1])), "factor 1/m"),
        (
            lambda z, y: (sce_reference(z, y)[0] * len(y), _probs(z) - _onehot(y, z.shape[1])),
            "not the sum",
        ),
        (
            lambda z, y: (sce_reference(z, y)[0], (_onehot(y, z.shape[1]) - _probs(z)) / len(y)),
            "sign",
        ),
        (lambda z, y: (sce_reference(z, y)[0], _probs(z) / len(y)), "subtracts the one-hot"),
        (
            lambda z, y: (
                np.mean(np.log(np.exp(z - z.max()).sum(1)) + z.max() - z[np.arange(len(y)), y]),
                sce_reference(z, y)[1],
            ),
            "each row",
        ),
    ],
)
def test_sce_mistakes(wrong, hint):
    r = check_softmax_cross_entropy(wrong)
    assert not r.passed and hint in r.message, r.message


def test_sce_none_and_stub():
    assert (
        "NotImplementedError"
        in check_softmax_cross_entropy(
            lambda z, y: (_ for _ in ()).throw(NotImplementedError())
        ).message
    )
    assert not check_softmax_cross_entropy(lambda z, y: None).passed
