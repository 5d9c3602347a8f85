"""Shuffling and partitioning into mini-batches (dlcourse.batching)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dlcourse as dl
from dlcourse.batching import (
    minibatch_indices,
    minibatch_sizes,
    minibatches,
    num_minibatches,
)
from dlcourse.train import _batches


def test_course_example_1000_examples_batch_64():
    X = np.arange(1000 * 3, dtype=float).reshape(1000, 3)
    y = np.arange(1000)
    batches = minibatches(X, y, 64, rng=0)
    sizes = [len(xb) for xb, _ in batches]
    assert sizes == [64] * 15 + [40]
    assert minibatch_sizes(1000, 64) == sizes
    assert num_minibatches(1000, 64) == 16


@settings(max_examples=60, deadline=None)
@given(m=st.integers(1, 300), b=st.integers(1, 320), seed=st.integers(0, 2**31))
def test_partition_is_a_shuffle_that_keeps_pairs(m, b, seed):
    X = np.random.default_rng(seed).standard_normal((m, 2))
    y = np.arange(m)
    batches = minibatches(X, y, b, rng=seed)
    assert len(batches) == num_minibatches(m, b) == -(-m // min(b, m))
    assert [len(yb) for _, yb in batches] == minibatch_sizes(m, b)
    ys = np.concatenate([yb for _, yb in batches])
    assert sorted(ys.tolist()) == list(range(m))  # every example exactly once
    for xb, yb in batches:  # each row keeps its label
        np.testing.assert_array_equal(xb, X[yb])


def test_shuffles_and_is_seeded():
    a = minibatch_indices(100, 10, rng=3)
    b = minibatch_indices(100, 10, rng=3)
    c = minibatch_indices(100, 10, rng=4)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert not np.array_equal(np.concatenate(a), np.arange(100))
    assert not np.array_equal(np.concatenate(a), np.concatenate(c))


def test_same_batches_as_fit():
    """minibatch_indices(m, b, rng) reproduces the order of dlcourse.fit's epochs."""
    for b in (None, 7, 50, 64, 200):
        r1, r2 = np.random.default_rng(5), np.random.default_rng(5)
        for _epoch in range(3):
            ours = minibatch_indices(50, b, r1)
            theirs = [np.arange(50)[i] for i in _batches(50, b, r2)]
            assert len(ours) == len(theirs)
            assert all(np.array_equal(p, q) for p, q in zip(ours, theirs))


def test_full_batch_takes_no_random_draw():
    gen = np.random.default_rng(1)
    state = gen.bit_generator.state
    (idx,) = minibatch_indices(20, None, gen)
    np.testing.assert_array_equal(idx, np.arange(20))
    (idx,) = minibatch_indices(20, 25, gen)
    np.testing.assert_array_equal(idx, np.arange(20))
    assert gen.bit_generator.state == state


def test_default_generator_follows_dl_seed():
    dl.seed(11)
    a = minibatch_indices(30, 4)
    dl.seed(11)
    b = minibatch_indices(30, 4)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))


def test_batches_are_copies():
    X, y = np.zeros((10, 2)), np.zeros(10)
    for xb, _ in minibatches(X, y, 3, rng=0):
        xb += 1
    assert not X.any()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"X": np.zeros((5, 2)), "y": np.zeros(4), "batch_size": 2},
            "X has 5 examples but y has 4",
        ),
        ({"X": np.zeros((0, 2)), "y": np.zeros(0), "batch_size": 2}, "empty"),
        (
            {"X": np.zeros((5, 2)), "y": np.zeros(5), "batch_size": 0},
            "batch_size must be >= 1, got 0",
        ),
        (
            {"X": np.zeros((5, 2)), "y": np.zeros(5), "batch_size": 2.5},
            "batch_size must be an int, got 2.5",
        ),
        ({"X": np.float64(1.0), "y": np.zeros(5), "batch_size": 2}, "one row per example"),
    ],
)
def test_bad_input_names_the_argument(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        minibatches(**kwargs, rng=0)


def test_bad_m():
    with pytest.raises(ValueError, match="m must be >= 1, got 0"):
        num_minibatches(0, 4)


# ------------------------------------------------------------------ a stream of batches, one step
from dlcourse.batching import batch_stream
from dlcourse.train import train_step


def blobs(m=300):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((m, 2))
    return X, (X[:, 0] + X[:, 1] > 0).astype(np.int64)


def small_net():
    return dl.Sequential([dl.Dense(2, 8, rng=1), dl.Tanh(), dl.Dense(8, 2, rng=2)])


def test_batch_stream_runs_epoch_after_epoch():
    stream = batch_stream(10, 4, rng=0)
    first = [next(stream) for _ in range(6)]  # two epochs of 4 + 4 + 2
    assert [len(i) for i in first] == [4, 4, 2, 4, 4, 2]
    assert sorted(np.concatenate(first[:3]).tolist()) == list(range(10))
    assert not np.array_equal(np.concatenate(first[:3]), np.concatenate(first[3:]))


def test_train_step_is_one_step_of_fit():
    X, y = blobs(40)
    a, b = small_net(), small_net()
    loss = dl.SoftmaxCrossEntropy()
    opt = dl.optim.SGD(a.parameters(), lr=0.1)
    costs = [train_step(a, loss, opt, X, y) for _ in range(3)]
    h = dl.fit(b, X, y, loss=loss, optimizer=dl.optim.SGD(b.parameters(), lr=0.1), epochs=3)
    np.testing.assert_allclose(costs, h.step_loss, rtol=1e-12)
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_allclose(p.value, q.value, rtol=1e-12)
