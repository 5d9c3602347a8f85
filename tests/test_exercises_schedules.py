"""Notebook 09's check (inverse-time decay with a staircase)."""

import math

import numpy as np
import pytest

from dlcourse.exercises.schedules import check_inverse_time_decay
from dlcourse.optim import schedules


def correct(lr0, decay_rate, epoch, every=None):
    t = epoch if every is None else math.floor(epoch / every)
    return lr0 / (1 + decay_rate * t)


def test_correct_solution_passes():
    result = check_inverse_time_decay(correct)
    assert result.passed, result.message
    assert repr(result) == "inverse_time_decay: correct"
    message = check_inverse_time_decay(
        lambda a, d, e, every=None: schedules.inverse_time_decay(a, d, every)(e)
    ).message
    assert "called the package's `optim.schedules.inverse_time_decay`" in message, message
    assert check_inverse_time_decay(
        lambda a, d, e, every=None: a / (1 + d * (e if every is None else e // every))
    ).passed


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda a, d, e, every=None: a / (1 + d * e), "use floor(epoch / every) in place of epoch"),
        (
            lambda a, d, e, every=None: a / (1 + d * (e / every if every else e)),
            "needs rounding down",
        ),
        (
            lambda a, d, e, every=None: a / (1 + d * (math.ceil(e / every) if every else e)),
            "not up",
        ),
        (lambda a, d, e, every=None: correct(a, d, e + 1, every), "epochs count from 0"),
        (
            lambda a, d, e, every=None: a / (1 + d) ** (e if every is None else e // every),
            "that is an exponential decay",
        ),
        (
            lambda a, d, e, every=None: a * (1 - d * (e if every is None else e // every)),
            "that is a linear decay",
        ),
        (
            lambda a, d, e, every=None: a * (1 + d * (e if every is None else e // every)),
            "must shrink, not grow",
        ),
    ],
)
def test_typical_mistakes_get_their_hint(wrong, words):
    result = check_inverse_time_decay(wrong)
    assert not result.passed
    assert words in result.message, result.message


def test_unlisted_mistake_gets_the_case_hint():
    result = check_inverse_time_decay(lambda a, d, e, every=None: 0.9 * correct(a, d, e, every))
    assert (
        not result.passed
        and "case 1" in result.message
        and "epoch 0 gives alpha0" in result.message
    )


def test_raising_or_non_numeric_solution_gives_a_message():
    def broken(lr0, decay_rate, epoch, every=None):
        return lr0 / (1 + decay_rate * (epoch // every))  # fails when every is None

    result = check_inverse_time_decay(broken)
    assert not result.passed and "your function raised TypeError" in result.message
    result = check_inverse_time_decay(lambda a, d, e, every=None: "fast")
    assert not result.passed and "returned 'fast' at epoch 0; return a number" in result.message
    assert not check_inverse_time_decay("not a function").passed


# ------------------------------------------------------------------ the range-test loop
from dlcourse.exercises.schedules import (
    _rt_variant,
    check_range_test,  # noqa: E402
    reference_range_test,
)


def test_range_test_reference_matches_the_package():
    import dlcourse as dl
    from dlcourse import datasets
    from dlcourse.batching import batch_stream
    from dlcourse.topics.lr_finder import lr_range_test
    from dlcourse.train import train_step

    X, y = datasets.load_digits()
    X = X / 16.0
    make = lambda: dl.Sequential([dl.Dense(64, 32, rng=1), dl.ReLU(), dl.Dense(32, 10, rng=2)])  # noqa: E731
    opt_f = lambda params, lr: dl.optim.SGD(params, lr)  # noqa: E731
    ref = lr_range_test(
        make,
        X,
        y,
        dl.SoftmaxCrossEntropy(),
        opt_f,
        lr_min=1e-4,
        lr_max=10.0,
        steps=60,
        batch_size=32,
        seed=0,
    )
    model = make()
    opt = opt_f(model.parameters(), 1e-4)
    batches = batch_stream(len(X), 32, np.random.default_rng(0))

    def step(lr):
        opt.lr = lr
        idx = next(batches)
        return train_step(model, dl.SoftmaxCrossEntropy(), opt, X[idx], y[idx])

    lrs, smooth, suggestion = reference_range_test(step, 1e-4, 10.0, 60)
    np.testing.assert_allclose(lrs, ref.lrs)
    np.testing.assert_allclose(smooth, ref.losses, rtol=1e-10)
    assert suggestion == pytest.approx(ref.suggestion)


def test_range_test_right_answer_passes():
    assert check_range_test(reference_range_test).passed


@pytest.mark.parametrize(
    "switches, words",
    [
        (dict(linear=True), "linearly"),
        (dict(exponent_n=True), "off by one in the ramp"),
        (dict(correct=False), "no bias correction"),
        (dict(stop=False), "kept going"),
        (dict(divide=False), "back off by a factor of 10"),
        (dict(raw_min=True), "lucky batch"),
        (dict(include_nan=True), "nan or inf"),
    ],
)
def test_range_test_mistakes(switches, words):
    result = check_range_test(_rt_variant(**switches))
    assert not result.passed and words in result.message, result.message


def test_range_test_none_is_rejected():
    result = check_range_test(lambda *a, **k: None)
    assert not result.passed and "returned None — did you forget `return`?" in result.message
