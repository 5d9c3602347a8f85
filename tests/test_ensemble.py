"""Averaging predicted probabilities over models."""

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.topics.ensemble import (
    bootstrap_indices,
    ensemble_accuracy,
    ensemble_predict,
    ensemble_proba,
    member_accuracies,
    predict_proba,
)


class Fixed(dl.Layer):
    """A 'model' returning fixed logits, whatever the input."""

    def __init__(self, logits):
        self.logits = np.asarray(logits, dtype=np.float64)
        self.training_seen = []

    def forward(self, x, training=True):
        self.training_seen.append(training)
        return self.logits


def test_probabilities_softmax_and_sigmoid():
    p = predict_proba(Fixed([[0.0, np.log(3.0)]]), np.zeros((1, 2)))
    np.testing.assert_allclose(p, [[0.25, 0.75]])
    q = predict_proba(Fixed([[np.log(3.0)]]), np.zeros((1, 2)))  # one logit: sigmoid
    np.testing.assert_allclose(q, [[0.25, 0.75]])
    np.testing.assert_allclose(predict_proba(Fixed([0.0, 0.0]), np.zeros((2, 2))), 0.5)


def test_average_of_probabilities_not_of_votes():
    # two confident-wrong-ish members and one very confident right one
    a = Fixed([[0.0, 0.1]])  # p(1) = 0.525
    b = Fixed([[0.0, 0.1]])
    c = Fixed([[5.0, 0.0]])  # p(0) = 0.993
    X, y = np.zeros((1, 2)), np.array([0])
    np.testing.assert_allclose(ensemble_proba([a, b, c], X).sum(axis=1), 1.0)
    assert ensemble_predict([a, b, c], X)[0] == 0  # a majority vote would say 1
    assert ensemble_accuracy([a, b, c], X, y) == 1.0
    np.testing.assert_allclose(member_accuracies([a, b, c], X, y), [0.0, 0.0, 1.0])


def test_models_run_at_test_time():
    model = Fixed([[1.0, 0.0]])
    ensemble_proba([model], np.zeros((1, 2)))
    assert model.training_seen == [False]


def test_real_models_match_a_direct_average():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((10, 3))
    models = [
        dl.Sequential([dl.Dense(3, 4, rng=k), dl.ReLU(), dl.Dropout(0.5), dl.Dense(4, 2, rng=k)])
        for k in range(3)
    ]
    direct = np.mean([dl.softmax(m.forward(X, training=False)) for m in models], axis=0)
    np.testing.assert_allclose(ensemble_proba(models, X), direct)


def test_bootstrap_indices():
    idx = bootstrap_indices(1000, rng=1)
    assert idx.shape == (1000,) and idx.min() >= 0 and idx.max() < 1000
    assert 0.55 < len(np.unique(idx)) / 1000 < 0.70  # about 1 - 1/e are distinct
    np.testing.assert_array_equal(idx, bootstrap_indices(1000, rng=1))


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: ensemble_proba([], np.zeros((1, 2))), "empty"),
        (lambda: ensemble_proba([object()], np.zeros((1, 2))), "forward"),
        (
            lambda: ensemble_proba(
                [Fixed([[0.0, 1.0]]), Fixed([[0.0, 1.0, 2.0]])], np.zeros((1, 2))
            ),
            "classes",
        ),
        (
            lambda: ensemble_accuracy([Fixed([[0.0, 1.0]])], np.zeros((1, 2)), np.array([0, 1])),
            "labels",
        ),
        (lambda: predict_proba(Fixed(np.zeros((1, 2, 2))), np.zeros((1, 2))), "shape"),
        (lambda: bootstrap_indices(0), "m"),
    ],
)
def test_bad_input(call, words):
    with pytest.raises((ValueError, TypeError), match=words):
        call()


def test_average_probabilities_is_the_mean_of_the_members_softmax():
    from dlcourse.topics.ensemble import average_probabilities

    rng = np.random.default_rng(3)
    logits = [rng.normal(size=(6, 4)) * 3 for _ in range(3)]
    p = average_probabilities(logits)
    assert np.allclose(p, np.mean([dl.softmax(z) for z in logits], axis=0), rtol=1e-14)
    assert np.allclose(p.sum(axis=1), 1.0)
    models = [Fixed(z) for z in logits]
    assert np.allclose(p, ensemble_proba(models, np.zeros((6, 2))), rtol=1e-14)
    assert np.isfinite(average_probabilities([z + 1000.0 for z in logits])).all()
    with pytest.raises(ValueError, match="empty"):
        average_probabilities([])
    with pytest.raises(ValueError, match="one shape"):
        average_probabilities([np.zeros((2, 3)), np.zeros((2, 4))])
