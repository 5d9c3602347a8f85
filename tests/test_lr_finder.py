"""The learning-rate range test on a seeded problem: its suggestion must train well."""

import warnings

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.datasets import load_digits
from dlcourse.topics.ewa import ewa_corrected
from dlcourse.topics.lr_finder import lr_range_test, lr_schedule


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits()
    return X[:600] / 16.0, y[:600]


def model_factory():
    return dl.Sequential([dl.Dense(64, 32, rng=1), dl.ReLU(), dl.Dense(32, 10, rng=2)])


def sgd(params, lr):
    return dl.optim.SGD(params, lr)


def adam(params, lr):
    return dl.optim.Adam(params, lr)


def final_loss(X, y, factory, lr, epochs=6):
    model = model_factory()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h = dl.fit(
            model,
            X,
            y,
            loss=dl.SoftmaxCrossEntropy(),
            optimizer=factory(model.parameters(), lr),
            epochs=epochs,
            batch_size=32,
            seed=0,
        )
    return np.inf if h.diverged else h.loss[-1]


def test_lr_schedule_is_geometric():
    lrs = lr_schedule(1e-4, 1.0, 5)
    np.testing.assert_allclose(lrs, [1e-4, 1e-3, 1e-2, 1e-1, 1.0])


@pytest.mark.parametrize("factory", [sgd, adam])
def test_suggestion_lies_where_training_works(digits, factory):
    X, y = digits
    result = lr_range_test(
        model_factory,
        X,
        y,
        dl.SoftmaxCrossEntropy(),
        factory,
        lr_min=1e-4,
        lr_max=10.0,
        steps=100,
        batch_size=32,
        seed=0,
    )
    grid = np.geomspace(1e-4, 10.0, 11)
    losses = np.array([final_loss(X, y, factory, lr) for lr in grid])
    best = losses.min()
    working = grid[losses < best + 0.5 * (np.log(10) - best)]  # at least half-way down
    assert working.min() <= result.suggestion <= working.max(), (result.suggestion, working)
    assert final_loss(X, y, factory, result.suggestion) < 0.5 * np.log(10)
    # the test really swept a range: far smaller and far larger rates do worse
    assert final_loss(X, y, factory, result.suggestion / 100) > final_loss(
        X, y, factory, result.suggestion
    )
    assert final_loss(X, y, factory, result.best_lr * 10) > 2 * final_loss(
        X, y, factory, result.suggestion
    )


def test_recorded_curves(digits):
    X, y = digits
    r = lr_range_test(
        model_factory,
        X,
        y,
        dl.SoftmaxCrossEntropy(),
        adam,
        lr_min=1e-4,
        lr_max=10.0,
        steps=100,
        batch_size=32,
        seed=0,
        beta=0.9,
    )
    n = len(r.lrs)
    assert (
        r.stopped_early and n < 100 and "smoothed cost rose above 4 x its minimum" in r.stop_reason
    )
    np.testing.assert_allclose(r.lrs, lr_schedule(1e-4, 10.0, 100)[:n])
    np.testing.assert_allclose(r.losses, ewa_corrected(r.raw_losses, 0.9), rtol=1e-12)
    assert r.losses[-1] > 4 * r.losses.min()
    assert r.raw_losses[0] == pytest.approx(np.log(10), abs=0.5)  # ~ log C at init
    assert r.suggestion == pytest.approx(r.best_lr / 10) and r.method == "min/10"
    assert r.suggestions["steepest"] <= r.best_lr
    again = lr_range_test(
        model_factory,
        X,
        y,
        dl.SoftmaxCrossEntropy(),
        adam,
        lr_min=1e-4,
        lr_max=10.0,
        steps=100,
        batch_size=32,
        seed=0,
        beta=0.9,
    )
    np.testing.assert_array_equal(again.raw_losses, r.raw_losses)  # seeded: repeatable
    steep = lr_range_test(
        model_factory,
        X,
        y,
        dl.SoftmaxCrossEntropy(),
        adam,
        lr_min=1e-4,
        lr_max=10.0,
        steps=100,
        batch_size=32,
        seed=0,
        method="steepest",
    )
    assert steep.suggestion == steep.suggestions["steepest"]


def linear_regression():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((200, 5))
    return X, X @ np.arange(1.0, 6.0)[:, None] + 0.1 * rng.standard_normal((200, 1))


def test_non_finite_cost_stops_the_run():
    """Least squares with plain SGD diverges (overflow to inf/NaN) once lr is too large."""
    X, y = linear_regression()
    r = lr_range_test(
        lambda: dl.Dense(5, 1, rng=0),
        X,
        y,
        dl.MSE(),
        sgd,
        lr_min=1e-3,
        lr_max=1e8,
        steps=200,
        batch_size=20,
        diverge_factor=1e300,
    )
    assert r.stopped_early and "the cost became" in r.stop_reason, r.stop_reason
    assert np.all(np.isfinite(r.raw_losses)) and len(r.lrs) < 200
    assert 0.01 < r.suggestion < 0.2  # least squares here: stable for lr < ~2/L


def test_a_range_that_explodes_at_once_is_refused():
    X, y = linear_regression()
    with pytest.raises(ValueError, match="lower lr_min"):
        lr_range_test(
            lambda: dl.Dense(5, 1, rng=0),
            X,
            y,
            dl.MSE(),
            sgd,
            lr_min=1e3,
            lr_max=1e9,
            steps=20,
            batch_size=20,
        )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(lr_min=0.0), "lr_min must be > 0, got 0.0"),
        (dict(lr_min=1.0, lr_max=0.1), "lr_max must be > lr_min, got lr_min=1.0 and lr_max=0.1"),
        (dict(steps=1), "steps must be >= 2, got 1"),
        (dict(batch_size=0), "batch_size must be >= 1, got 0"),
        (dict(beta=1.0), r"beta must be in \[0, 1\), got 1.0"),
        (dict(diverge_factor=0.5), "diverge_factor must be > 1, got 0.5"),
        (dict(method="valley"), "method must be one of"),
    ],
)
def test_bad_input_names_the_argument(digits, kwargs, match):
    X, y = digits
    with pytest.raises((ValueError, TypeError), match=match):
        lr_range_test(model_factory, X, y, dl.SoftmaxCrossEntropy(), sgd, **kwargs)


def test_bad_data_is_refused():
    with pytest.raises(ValueError, match="X has 3 examples but its labels have 2"):
        lr_range_test(model_factory, np.zeros((3, 64)), np.zeros(2), dl.SoftmaxCrossEntropy(), sgd)
