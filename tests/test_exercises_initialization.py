"""The He-initializer check: a right answer passes, each typical mistake gets its own hint,
and nothing the learner writes makes the check raise."""

import numpy as np
import pytest

from dlcourse.exercises.initialization import Expect, check_he_init, reference_he_init


def he_right(shape, rng):
    return rng.standard_normal(shape) * np.sqrt(2.0 / shape[1])


def test_reference_and_equivalent_forms_pass():
    assert check_he_init(he_right).passed
    assert check_he_init(lambda s, rng: rng.normal(0.0, np.sqrt(2 / s[1]), size=s)).passed
    assert check_he_init(reference_he_init).passed
    assert repr(check_he_init(he_right)) == "he_init: correct"


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda s, rng: rng.standard_normal(s) * np.sqrt(2 / s[0]), "n_out"),
        (lambda s, rng: rng.standard_normal(s) * np.sqrt(1 / s[1]), "forget the 2"),
        (lambda s, rng: rng.uniform(-1, 1, s) * np.sqrt(6 / s[1]), "not Gaussian"),
        (lambda s, rng: rng.standard_normal(s) * 2 / s[1], "square root"),
        (lambda s, rng: rng.random(s) * np.sqrt(2 / s[1]), "mean 0"),
        (lambda s, rng: np.random.default_rng().standard_normal(s) * np.sqrt(2 / s[1]), "`rng`"),
        (lambda s, rng: np.full(s, 0.05), "constant"),
        (lambda s, rng: rng.standard_normal(s[::-1]) * np.sqrt(2 / s[0]), "shape"),
    ],
)
def test_typical_mistakes_get_their_hint(wrong, words):
    result = check_he_init(wrong)
    assert not result.passed
    assert words in result.message, result.message


def test_uniform_with_the_right_std_is_still_refused():
    # the std is exactly He's, so only the shape of the distribution can tell
    result = check_he_init(lambda s, rng: rng.uniform(-1, 1, s) * np.sqrt(6 / s[1]))
    assert "kurtosis" in result.message


@pytest.mark.parametrize(
    "strange",
    [
        lambda s, rng: 1 / 0,
        lambda s, rng: None,
        lambda s, rng: "weights",
        lambda s, rng: [[np.nan]],
        lambda s: np.zeros(s),  # wrong signature
    ],
)
def test_never_raises(strange):
    result = check_he_init(strange)
    assert not result.passed and result.message.startswith("he_init:")


def _not_written(shape, rng):
    raise NotImplementedError


def test_exception_is_reported_by_name():
    assert "ZeroDivisionError" in check_he_init(lambda s, rng: 1 / 0).message
    assert "not written yet" in check_he_init(_not_written).message


def test_not_a_function():
    assert "expected a function" in check_he_init(42).message


def test_expect_never_raises_and_reports_reference_shape():
    e = Expect(np.zeros((2, 3)), lambda got: got.nonexistent)
    assert e.accepts(object()) is False
    assert np.shape(e) == (2, 3)


# ------------------------------------------------------------------ diagnose_activations
from dlcourse.exercises.initialization import (
    _DIAGNOSIS_NETS,
    check_diagnose_activations,  # noqa: E402
    network_activations,
    reference_diagnose_activations,
)


def test_diagnosis_reference_labels_match_the_table_over_seeds():
    for seed in (0, 11, 5):
        for name, (act, init, scale, label) in _DIAGNOSIS_NETS.items():
            assert (
                reference_diagnose_activations(
                    network_activations(act, init, scale, seed=seed), act
                )[0]
                == label
            ), name


def _variant(kind):
    def fn(acts, activation):
        stds = np.array([np.std(A) for A in acts])
        if kind == "mean":
            stds_used = np.array([abs(np.mean(A)) for A in acts])
        else:
            stds_used = stds
        sat = np.mean(np.abs(acts[-1]) > (0.5 if kind == "loose_saturation" else 0.99)) > 0.3
        if kind != "no_saturation" and sat and (activation == "tanh" or kind == "relu_saturates"):
            return "saturation", stds
        ratio = stds_used[0] / stds_used[-1] if kind == "inverted" else stds_used[-1] / stds_used[0]
        if kind == "absolute":
            ratio = stds_used[-1]
        if ratio < 0.1 and kind != "no_collapse":
            return "collapse", stds
        if ratio > 10:
            return "explosion", stds
        return "healthy", stds

    return fn


def test_diagnosis_correct():
    assert (
        repr(check_diagnose_activations(reference_diagnose_activations))
        == "diagnose_activations: correct"
    )
    assert check_diagnose_activations(_variant("right")).passed


@pytest.mark.parametrize(
    "kind, hint",
    [
        ("no_saturation", "std of a tanh layer stays near 1"),
        ("relu_saturates", "ReLU does not saturate"),
        ("inverted", "did you divide the first layer's std by the last one's"),
        ("mean", "not their mean"),
        ("no_collapse", "a drop by more than 10x is a collapse"),
    ],
)
def test_diagnosis_mistakes_get_their_hint(kind, hint):
    r = check_diagnose_activations(_variant(kind))
    assert not r.passed and hint in r.message, r.message


def test_diagnosis_bad_returns():
    assert "forget" in check_diagnose_activations(lambda a, g: None).message
    assert "pair" in check_diagnose_activations(lambda a, g: "healthy").message
    assert "one of" in check_diagnose_activations(lambda a, g: ("fine", np.ones(10))).message
    r = check_diagnose_activations(lambda a, g: ("healthy", np.array([A.std(axis=0) for A in a])))
    assert "one number per layer" in r.message
    r = check_diagnose_activations(
        lambda a, g: reference_diagnose_activations(a, g)[0:1] + (np.ones(10),)
    )
    assert "stds per layer differ" in r.message

    def todo(a, g):
        raise NotImplementedError

    assert "not written yet" in check_diagnose_activations(todo).message
