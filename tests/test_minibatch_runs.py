"""The batch-size experiment of notebook 07 (dlcourse.experiments.minibatch_runs)."""

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.batching import batch_stream
from dlcourse.experiments.minibatch_runs import batch_size_run, steps_to_reach, steps_to_stay_below
from dlcourse.train import train_step


def blobs(m=300):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((m, 2))
    return X, (X[:, 0] + X[:, 1] > 0).astype(np.int64)


def small_net():
    return dl.Sequential([dl.Dense(2, 8, rng=1), dl.Tanh(), dl.Dense(8, 2, rng=2)])


def test_batch_size_run_records_full_cost_time_and_epochs():
    X, y = blobs(300)
    loss = dl.SoftmaxCrossEntropy()
    run = batch_size_run(
        small_net, X, y, loss, lambda p: dl.optim.SGD(p, lr=0.5), batch_size=64, steps=12, seed=0
    )
    assert run.batch_size == 64 and len(run.cost) == len(run.seconds) == len(run.epochs) == 13
    assert len(run.batch_cost) == 12
    # epochs count examples: 4 batches of 64 then one of 44 make exactly one epoch
    assert run.epochs[5] == pytest.approx(1.0) and run.epochs[1] == pytest.approx(64 / 300)
    assert np.all(np.diff(run.seconds) >= 0)
    # the recorded cost is the full-training-set cost of the model after k steps
    model = small_net()
    assert run.cost[0] == pytest.approx(dl.evaluate(model, X, y, loss)[0])
    opt = dl.optim.SGD(model.parameters(), lr=0.5)
    for k, idx in zip(range(1, 4), batch_stream(300, 64, np.random.default_rng(0))):
        assert run.batch_cost[k - 1] == pytest.approx(train_step(model, loss, opt, X[idx], y[idx]))
        assert run.cost[k] == pytest.approx(dl.evaluate(model, X, y, loss)[0])
    full = batch_size_run(
        small_net, X, y, loss, lambda p: dl.optim.SGD(p, lr=0.5), batch_size=None, steps=5
    )
    assert full.batch_size == 300 and np.allclose(full.epochs, np.arange(6))
    np.testing.assert_allclose(full.batch_cost, full.cost[:-1])  # full batch: J^{t} is J


def test_batch_size_run_stops_at_divergence():
    X = np.random.default_rng(1).standard_normal((50, 3))
    y = X.sum(1, keepdims=True)
    run = batch_size_run(
        lambda: dl.Dense(3, 1, rng=0),
        X,
        y,
        dl.MSE(),
        lambda p: dl.optim.SGD(p, lr=50.0),
        batch_size=None,
        steps=500,
    )
    assert len(run.cost) < 501
    assert not (np.isfinite(run.cost[-1]) and np.isfinite(run.batch_cost[-1]))
    assert np.all(np.isfinite(run.cost[:-2]))


def test_steps_to_reach():
    assert steps_to_reach([3.0, 2.0, 1.0, 0.5], 1.0) == 2
    assert steps_to_reach([3.0, 2.0], 1.0) is None


def test_steps_to_stay_below():
    assert steps_to_stay_below([3.0, 0.5, 2.0, 1.0, 0.5], 1.0) == 4  # 1.0 is not below 1.0
    assert steps_to_stay_below([0.5, 0.4], 1.0) == 0
    assert steps_to_stay_below([0.5, 2.0], 1.0) is None
    assert steps_to_stay_below([0.5, float("nan"), 0.5], 1.0) == 2  # NaN is not below
