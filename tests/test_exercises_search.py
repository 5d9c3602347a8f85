"""The log-uniform sampler exercise: right answers pass, the usual mistakes get their hint."""

import numpy as np
import pytest

from dlcourse.exercises.search import KS_LIMIT, check_log_uniform, ks_uniform
from dlcourse.search import log_uniform


def correct(low, high, n, rng):
    r = rng.uniform(np.log10(low), np.log10(high), size=n)
    return 10.0**r


def test_correct_solution_passes():
    result = check_log_uniform(correct)
    assert result.passed
    assert repr(result) == "sample_log_uniform: correct"


def test_other_correct_forms_pass():
    # the course's form r = a + (b - a) * rand, and the package's sampler
    def course_form(low, high, n, rng):
        a, b = np.log10(low), np.log10(high)
        return np.power(10.0, a + (b - a) * rng.random(n))

    assert check_log_uniform(course_form).passed
    message = check_log_uniform(lambda lo, hi, n, rng: log_uniform(lo, hi).sample(rng, n)).message
    assert "called the package's `search.log_uniform`" in message, message  # a shortcut
    # natural logs on both sides are also right
    assert check_log_uniform(
        lambda lo, hi, n, rng: np.exp(rng.uniform(np.log(lo), np.log(hi), n))
    ).passed


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda lo, hi, n, rng: rng.uniform(lo, hi, n), "uniformly between low and high"),
        (lambda lo, hi, n, rng: rng.uniform(np.log10(lo), np.log10(hi), n), "return 10**r"),
        (lambda lo, hi, n, rng: 10.0 ** rng.uniform(lo, hi, n), "not between low and high"),
        (
            lambda lo, hi, n, rng: np.exp(rng.uniform(np.log10(lo), np.log10(hi), n)),
            "np.exp(r) is e**r",
        ),
        (
            lambda lo, hi, n, rng: 10.0 ** rng.uniform(np.log(lo), np.log(hi), n),
            "natural logarithm",
        ),
        (
            lambda lo, hi, n, rng: 10.0 ** np.random.uniform(np.log10(lo), np.log10(hi), n),
            "numpy's global generator",
        ),
        (lambda lo, hi, n, rng: 10.0 ** rng.uniform(np.log10(lo), np.log10(hi)), "size=n"),
        (
            lambda lo, hi, n, rng: (
                10.0 ** np.random.default_rng(0).uniform(np.log10(lo), np.log10(hi), n)
            ),
            "different seeds gave the same values",
        ),
        (
            lambda lo, hi, n, rng: 10.0 ** rng.normal(np.log10(lo * hi) / 2, 3.0, n),
            "must lie in [low, high]",
        ),
        (
            lambda lo, hi, n, rng: (
                10.0
                ** np.clip(rng.normal(np.log10(lo * hi) / 2, 0.5, n), np.log10(lo), np.log10(hi))
            ),
            "spread evenly",
        ),
    ],
)
def test_typical_mistakes_get_their_hint(wrong, words):
    result = check_log_uniform(wrong)
    assert not result.passed
    assert words in result.message, result.message


def test_raising_and_odd_returns_give_messages_not_exceptions():
    def broken(low, high, n, rng):
        raise ZeroDivisionError("boom")

    assert "raised ZeroDivisionError: boom" in check_log_uniform(broken).message
    assert "returned None — did you forget `return`?" in check_log_uniform(lambda *a: None).message
    assert (
        "returned a tuple"
        in check_log_uniform(lambda lo, hi, n, rng: (correct(lo, hi, n, rng), [1])).message
    )
    assert "expected a function" in check_log_uniform("alpha").message

    def todo(low, high, n, rng):
        raise NotImplementedError

    assert "not written yet" in check_log_uniform(todo).message


def test_ks_distance_separates_uniform_from_not():
    rng = np.random.default_rng(0)
    assert ks_uniform(rng.uniform(2, 5, 50_000), 2, 5) < KS_LIMIT
    assert ks_uniform(rng.uniform(2, 5, 50_000) ** 1.05, 2, 5) > KS_LIMIT
    assert ks_uniform(np.array([0.5]), 0, 1) == pytest.approx(0.5)


# ------------------------------------------------------------------ the trial sampler (alpha and 1 - beta)
from dlcourse.exercises.search import check_sample_trials


def trials_ok(n, rng, lr_range, beta_range):
    r = rng.uniform(np.log10(lr_range[0]), np.log10(lr_range[1]), n)
    s = rng.uniform(np.log10(1 - beta_range[1]), np.log10(1 - beta_range[0]), n)
    return {"lr": 10**r, "beta": 1 - 10**s}


def test_trials_correct_passes():
    assert repr(check_sample_trials(trials_ok)) == "sample_trials: correct"

    def with_search_samplers(n, rng, lr_range, beta_range):
        from dlcourse import search

        return {
            "lr": search.log_uniform(*lr_range).sample(rng, n),
            "beta": search.one_minus_log_uniform(*beta_range).sample(rng, n),
        }

    message = check_sample_trials(with_search_samplers).message
    assert "called the package's `search.log_uniform`" in message, message  # a shortcut


def _tweak(**changes):
    def f(n, rng, lr_range, beta_range):
        d = trials_ok(n, rng, lr_range, beta_range)
        for key, make in changes.items():
            d[key] = make(d, n, rng, lr_range, beta_range)
        return d

    return f


def trials_same_r(n, rng, lr_range, beta_range):
    u = rng.uniform(0, 1, n)
    a0, a1 = np.log10(lr_range)
    b0, b1 = np.log10(1 - beta_range[1]), np.log10(1 - beta_range[0])
    return {"lr": 10 ** (a0 + u * (a1 - a0)), "beta": 1 - 10 ** (b0 + u * (b1 - b0))}


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (_tweak(beta=lambda d, n, rng, l, b: rng.uniform(*b, n)), "beta uniformly"),
        (_tweak(beta=lambda d, n, rng, l, b: 1 - d["beta"]), "your values are 1 - beta"),
        (
            _tweak(
                beta=lambda d, n, rng, l, b: 10 ** rng.uniform(np.log10(b[0]), np.log10(b[1]), n)
            ),
            "beta itself on a log scale",
        ),
        (trials_same_r, "move together"),
        (
            lambda n, rng, l, b: {
                "lr": trials_ok(n, rng, l, b)["beta"],
                "beta": trials_ok(n, rng, l, b)["lr"],
            },
            "swapped",
        ),
        (_tweak(lr=lambda d, n, rng, l, b: rng.uniform(*l, n)), "uniformly between low and high"),
        (lambda n, rng, l, b: trials_ok(n, np.random.default_rng(), l, b), "not np.random"),
        (_tweak(lr=lambda d, n, rng, l, b: rng.permutation(np.geomspace(*l, n))), "sit on a grid"),
        (lambda n, rng, l, b: tuple(trials_ok(n, rng, l, b).values()), "return a dict"),
        (lambda n, rng, l, b: None, "returned None — did you forget `return`?"),
    ],
)
def test_trials_mistakes(wrong, hint):
    result = check_sample_trials(wrong)
    assert not result.passed and hint in result.message, result.message


def test_trials_stub():
    def todo(n, rng, lr_range, beta_range):
        raise NotImplementedError

    assert "not written yet" in check_sample_trials(todo).message
