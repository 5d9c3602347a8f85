"""The check of notebook 12's exercise: a correct stable softmax passes, typical mistakes get
their hint, a raising solution gets a message and nothing escapes."""
import warnings

import numpy as np
import pytest

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


@pytest.mark.parametrize("wrong, hint", [
    (lambda z: np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True), "overflows to inf"),
    (lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(axis=-1, keepdims=True),
     "not of the whole array"),
    (lambda z: np.exp(z - z.max(axis=0)) / np.exp(z - z.max(axis=0)).sum(axis=0), "last axis"),
    (lambda z: np.exp(z - z.max(axis=-1)) / np.exp(z - z.max(axis=-1)).sum(axis=-1), "keepdims=True"),
    (lambda z: (z - z.max(axis=-1, keepdims=True))
     - np.log(np.exp(z - z.max(axis=-1, keepdims=True)).sum(axis=-1, keepdims=True)), "log softmax"),
    (lambda z: np.exp(z - z.max(axis=-1, keepdims=True)), "sums to 1"),
])
def test_typical_mistakes_get_their_hint(wrong, hint):
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # no overflow warning leaks out of the check
        result = check_stable_softmax(wrong)
    assert not result.passed and hint in result.message, result.message


def test_raising_solution_gives_a_message():
    result = check_stable_softmax(lambda z: z.nope)
    assert not result.passed and "raised AttributeError" in result.message


def test_not_a_function():
    result = check_stable_softmax(None)
    assert not result.passed and "expected a function" in result.message
