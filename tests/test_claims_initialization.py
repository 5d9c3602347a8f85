"""The claims of notebook 04, on the same calls the notebook makes."""

import numpy as np

import dlcourse as dl
from dlcourse import datasets
from dlcourse.exercises.initialization import (
    Q_TANH_LARGE,
    Q_ZEROS_COST,
    network_activations,
    reference_diagnose_activations,
)
from dlcourse.exercises.questions import predict


def _train_tiny(init, epochs=500):
    X, y = datasets.flower(400, noise=0.2, rng=1)
    model = dl.Sequential(
        [dl.Dense(2, 4, init=init, rng=2), dl.Tanh(), dl.Dense(4, 1, init=init, rng=3)]
    )
    h = dl.fit(
        model,
        X,
        y,
        loss=dl.BinaryCrossEntropy(),
        optimizer=dl.optim.SGD(model.parameters(), lr=0.5),
        epochs=epochs,
    )
    return model, h


def test_zeros_stay_zero_at_log_2_and_constant_units_stay_equal():
    model, h = _train_tiny("zeros")
    assert np.all(model[0].W.value == 0) and predict(Q_ZEROS_COST, h.loss[-1]).passed
    model, h = _train_tiny(lambda shape, rng: np.full(shape, 0.5))
    assert np.ptp(model[0].W.value, axis=0).max() < 1e-12


def test_shallow_net_learns_from_001():
    _, h = _train_tiny(lambda shape, rng: 0.01 * rng.standard_normal(shape))
    assert h.loss[-1] < 0.35


def test_tanh_n01_keeps_std_near_1_but_saturates():
    for seed in (0, 1, 2):
        acts = network_activations("tanh", "random", 1.0, seed=seed)
        ratio = acts[-1].std() / acts[0].std()
        assert 0.9 < ratio < 1.1 and np.mean(np.abs(acts[-1]) > 0.99) > 0.5
        assert reference_diagnose_activations(acts, "tanh")[0] == "saturation"
    assert Q_TANH_LARGE.answer == "b"


def test_he_and_xavier_keep_the_spread_and_gradients_within_small_factors():
    for seed in (0, 1):
        he = network_activations("relu", "he", seed=seed)
        xa = network_activations("tanh", "xavier", seed=seed)
        assert 0.25 < he[-1].std() / he[0].std() < 4 and 0.25 < xa[-1].std() / xa[0].std() < 4
        small = network_activations("tanh", "random", 0.01, seed=seed)
        assert small[-1].std() / small[0].std() < 1e-8
