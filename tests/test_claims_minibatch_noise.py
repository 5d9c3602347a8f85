"""Notebook 07's claims about b = 1, 32 and the full batch on the flower, on the same runs."""

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import datasets
from dlcourse.experiments.minibatch_runs import batch_size_run


def _stays_below(cost, target):
    above = np.flatnonzero(np.asarray(cost) >= target)
    return (
        None if len(above) and above[-1] == len(cost) - 1 else (above[-1] + 1 if len(above) else 0)
    )


@pytest.fixture(scope="module")
def runs():
    X, y = datasets.flower(2000, rng=0)

    def network():
        return dl.Sequential(
            [
                dl.Dense(2, 16, rng=1),
                dl.Tanh(),
                dl.Dense(16, 16, rng=2),
                dl.Tanh(),
                dl.Dense(16, 2, rng=3),
            ]
        )

    out = {}
    for b in (1, 32, None):
        run = batch_size_run(
            network,
            X,
            y,
            dl.SoftmaxCrossEntropy(),
            lambda params: dl.optim.SGD(params, lr=0.1),
            batch_size=b,
            steps=500,
            seed=0,
        )
        out[run.batch_size] = run
    return out


def test_b1_touches_but_does_not_stay_below_the_target(runs):
    cost = np.asarray(runs[1].cost)
    assert cost.min() < 0.40 and _stays_below(cost, 0.40) is None
    assert np.mean(cost[-100:]) > 0.40


def test_minibatch_needs_far_fewer_epochs_than_the_full_batch(runs):
    s32, sfull = _stays_below(runs[32].cost, 0.40), _stays_below(runs[2000].cost, 0.40)
    assert s32 is not None and sfull is not None
    assert runs[32].epochs[s32] < 0.5 and runs[2000].epochs[sfull] > 10
    assert abs(s32 - sfull) <= 0.3 * sfull


def test_late_jumps_shrink_with_the_batch_size(runs):
    late = {b: np.std(np.diff(r.cost[-100:])) for b, r in runs.items()}
    assert late[1] > 3 * late[32] > 3 * late[2000]
