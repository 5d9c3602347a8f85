"""Notebook 07's checks: right answers pass, the usual mistakes get their own hint."""

import numpy as np
import pytest

from dlcourse.batching import minibatches
from dlcourse.exercises.minibatches import check_ewa_corrected, check_minibatches


# ------------------------------------------------------------------ the partition
def correct_partition(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    X, y = X[order], y[order]
    return [(X[k : k + batch_size], y[k : k + batch_size]) for k in range(0, len(X), batch_size)]


def correct_with_shuffle_in_place(X, y, batch_size, rng):
    """Another valid way: rng.shuffle on an index array; a different permutation, still right."""
    idx = np.arange(len(X))
    rng.shuffle(idx)
    return [
        (X[idx[k : k + batch_size]], y[idx[k : k + batch_size]])
        for k in range(0, len(X), batch_size)
    ]


def drops_last(X, y, b, rng):
    order = rng.permutation(len(X))
    return [(X[order][k : k + b], y[order][k : k + b]) for k in range(0, len(X) - b + 1, b)]


def shuffles_separately(X, y, b, rng):
    X, y = X[rng.permutation(len(X))], y[rng.permutation(len(y))]
    return [(X[k : k + b], y[k : k + b]) for k in range(0, len(X), b)]


def no_shuffle(X, y, b, rng):
    return [(X[k : k + b], y[k : k + b]) for k in range(0, len(X), b)]


def global_random(X, y, b, rng):
    order = np.random.permutation(len(X))
    return [(X[order][k : k + b], y[order][k : k + b]) for k in range(0, len(X), b)]


def with_replacement(X, y, b, rng):
    order = rng.integers(0, len(X), len(X))
    return [(X[order][k : k + b], y[order][k : k + b]) for k in range(0, len(X), b)]


def test_correct_partitions_pass():
    for fn in (correct_partition, correct_with_shuffle_in_place):
        result = check_minibatches(fn)
        assert result.passed, result.message
        assert repr(result) == "random_minibatches: correct"


def test_the_package_minibatches_are_a_refused_shortcut():
    message = check_minibatches(lambda X, y, b, rng: minibatches(X, y, b, rng)).message
    assert "called the package's `batching.minibatches`" in message, message


@pytest.mark.parametrize(
    "wrong, words",
    [
        (drops_last, "the last, smaller mini-batch of m mod b = 40 examples is missing"),
        (shuffles_separately, "X and y were shuffled differently"),
        (no_shuffle, "original order"),
        (global_random, "numpy's global generator"),
        (with_replacement, "exactly one mini-batch"),
        (lambda X, y, b, rng: [(X, y)], "expected 16 mini-batches"),
        (lambda X, y, b, rng: 3, "return a list of (X_t, y_t) pairs"),
        (
            lambda X, y, b, rng: [(xb.T, yb) for xb, yb in correct_partition(X, y, b, rng)],
            "keep all 3 features",
        ),
    ],
)
def test_typical_mistakes_get_their_hint(wrong, words):
    result = check_minibatches(wrong)
    assert not result.passed
    assert words in result.message, result.message


def test_partition_raising_solution_gives_a_message():
    def broken(X, y, b, rng):
        raise IndexError("index 1000 is out of bounds")

    result = check_minibatches(broken)
    assert not result.passed
    assert result.message.startswith(
        "random_minibatches: your function raised IndexError: index 1000 is out of bounds"
    )
    assert "— on the case with inputs" in result.message
    assert (
        "not written yet"
        in check_minibatches(lambda *a: (_ for _ in ()).throw(NotImplementedError)).message
    )
    assert not check_minibatches(None).passed


# ------------------------------------------------------------------ bias-corrected EWA
def correct_ewa(theta, beta):
    v, out = 0.0, []
    for t, x in enumerate(theta, 1):
        v = beta * v + (1 - beta) * x
        out.append(v / (1 - beta**t))
    return np.array(out)


def test_correct_ewa_passes():
    result = check_ewa_corrected(correct_ewa)
    assert result.passed and repr(result) == "ewa_corrected: correct"


def no_correction(theta, beta):
    v, out = 0.0, []
    for x in theta:
        v = beta * v + (1 - beta) * x
        out.append(v)
    return np.array(out)


def corrects_state(theta, beta):
    v, out = 0.0, []
    for t, x in enumerate(theta, 1):
        v = (beta * v + (1 - beta) * x) / (1 - beta**t)
        out.append(v)
    return np.array(out)


def off_by_one(theta, beta):
    return (
        correct_ewa(theta, beta)
        * (1 - beta ** np.arange(1, len(theta) + 1))
        / (1 - beta ** np.arange(2, len(theta) + 2))
    )


@pytest.mark.parametrize(
    "wrong, words",
    [
        (no_correction, "plain averages v_t: divide each by (1 - beta^t)"),
        (corrects_state, "keep the recursion on the uncorrected v_t"),
        (off_by_one, "off by one"),
        (
            lambda theta, beta: (
                correct_ewa(theta, 1 - beta) if beta > 0 else correct_ewa(theta, beta)
            ),
            "case 2. Hint: compare with",
        ),
    ],
)
def test_ewa_mistakes_get_their_hint(wrong, words):
    result = check_ewa_corrected(wrong)
    assert not result.passed
    assert words in result.message, result.message


def test_ewa_raising_solution_gives_a_message():
    def broken(theta, beta):
        return theta / 0 + None

    result = check_ewa_corrected(broken)
    assert not result.passed and "your function raised TypeError" in result.message


def test_ewa_t_counted_from_zero_is_named():
    from dlcourse.exercises.minibatches import _t_from_zero

    result = check_ewa_corrected(_t_from_zero)
    assert not result.passed and "1 - beta^0 = 0" in result.message, result.message
