"""The claims of notebook 04, on the same calls the notebook makes, over five seeds."""

import warnings

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import datasets
from dlcourse.exercises.initialization import (
    Q_TANH_LARGE,
    Q_ZEROS_COST,
    network_activations,
    reference_diagnose_activations,
)
from dlcourse.exercises.questions import predict
from dlcourse.experiments.init_signals import build_deep_network, signal_statistics

SEEDS = range(5)


def _train_tiny(init, epochs=500, seed=0, data_seed=1):
    X, y = datasets.flower(400, noise=0.2, rng=data_seed)
    model = dl.Sequential(
        [
            dl.Dense(2, 4, init=init, rng=2 + 10 * seed),
            dl.Tanh(),
            dl.Dense(4, 1, init=init, rng=3 + 10 * seed),
        ]
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


@pytest.mark.parametrize("data_seed", [1, 2, 3, 4, 5])
def test_zeros_stay_zero_at_log_2(data_seed):
    model, h = _train_tiny("zeros", data_seed=data_seed)
    assert np.all(model[0].W.value == 0) and predict(Q_ZEROS_COST, h.loss[-1]).passed


def test_constant_units_stay_equal():
    model, _ = _train_tiny(lambda shape, rng: np.full(shape, 0.5))
    assert np.ptp(model[0].W.value, axis=0).max() < 1e-12


def test_one_hidden_layer_ends_near_030_or_stalls_near_047():
    small = lambda shape, rng: 0.01 * rng.standard_normal(shape)  # noqa: E731
    stalls = {}
    for name, init in {"0.01": small, "xavier": "xavier"}.items():
        costs = np.array([_train_tiny(init, 1000, seed)[1].loss[-1] for seed in SEEDS])
        assert np.all((costs < 0.31) | ((costs > 0.46) & (costs < 0.48)))
        stalls[name] = int(np.sum(costs > 0.46))
    assert stalls == {"0.01": 2, "xavier": 1}  # "two draws of five, Xavier on one"


def _signals(activation, init, scale, seed):
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((1000, 100)), rng.integers(0, 10, 1000)
    net = build_deep_network(10, 100, activation, init, scale, 10, np.random.default_rng(seed + 1))
    acts, grads, _ = signal_statistics(net, X, y)
    return acts, np.array([g.std() for g in grads])


@pytest.mark.parametrize("seed", SEEDS)
def test_tanh_n01_keeps_std_near_1_but_saturates(seed):
    acts = network_activations("tanh", "random", 1.0, seed=seed)
    ratio = acts[-1].std() / acts[0].std()
    assert 0.9 < ratio < 1.1 and np.mean(np.abs(acts[-1]) > 0.99) > 0.5
    assert reference_diagnose_activations(acts, "tanh")[0] == "saturation"
    assert Q_TANH_LARGE.answer == "b"


@pytest.mark.parametrize("seed", SEEDS)
def test_he_and_xavier_keep_the_spread_and_gradients_within_small_factors(seed):
    he = network_activations("relu", "he", seed=seed)
    xa = network_activations("tanh", "xavier", seed=seed)
    assert 0.25 < he[-1].std() / he[0].std() < 4 and 0.25 < xa[-1].std() / xa[0].std() < 4
    small = network_activations("tanh", "random", 0.01, seed=seed)
    assert small[-1].std() / small[0].std() < 1e-8
    steps = [b.std() / a.std() for a, b in zip(small[:-1], small[1:])]
    assert all(0.09 < f < 0.11 for f in steps)  # "falls by 10x per layer"
    big = network_activations("relu", "random", 1.0, seed=seed)
    growth = (big[-1].std() / big[0].std()) ** (1 / 9)
    assert 6.3 < growth < 7.9  # "grows by about 7x per layer"
    better = np.log10(
        min(xa[-1].std() / xa[0].std(), he[-1].std() / he[0].std())
        / (small[-1].std() / small[0].std())
    )
    assert better > 8  # "more than eight orders of magnitude"
    for activation, init in (("tanh", "xavier"), ("relu", "he")):
        g = _signals(activation, init, 1.0, seed)[1]
        assert g.max() / g.min() < 3  # "within a factor of 3 over the ten layers"


@pytest.mark.parametrize("seed", SEEDS)
def test_gradient_growth_at_n01_is_10_times_the_rms_of_g_prime(seed):
    for activation, low, high in (("tanh", 2.2, 2.5), ("relu", 6.5, 7.3)):
        acts, g = _signals(activation, "random", 1.0, seed)
        growth = (g[0] / g[-1]) ** (1 / 9)
        if activation == "tanh":
            rms = np.mean([np.sqrt(np.mean((1 - a**2) ** 2)) for a in acts[1:]])
        else:
            rms = np.mean([np.sqrt(np.mean(a > 0)) for a in acts[1:]])
        assert low < growth < high and growth == pytest.approx(10 * rms, rel=0.05)


@pytest.mark.parametrize("seed", SEEDS)
def test_xavier_layer_1_is_u_shaped_and_deeper_layers_are_not(seed):
    acts, _ = _signals("tanh", "xavier", 1.0, seed)
    assert 0.12 < np.mean(np.abs(acts[0]) > 0.9) < 0.16
    assert np.mean(np.abs(acts[-1]) > 0.9) < 0.005
    counts = np.histogram(acts[0], bins=40, range=(-1, 1))[0]
    assert counts[[0, -1]].min() > 1.3 * counts[18:22].max()  # U: the edge bins are the tallest
    he, _ = _signals("relu", "he", 1.0, seed)
    assert all(0.4 < np.mean(a == 0) < 0.6 for a in he)
    big, _ = _signals("tanh", "random", 1.0, seed)
    assert all(0.11 < np.mean(np.abs(a) < 0.9) < 0.14 for a in big)  # "about an eighth"


def _deep_run(init, scale, seed):
    X, y = datasets.flower(400, noise=0.2, rng=1)
    rng, sizes, layers = np.random.default_rng(3 + seed), [2, 16, 16, 16, 1], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [dl.Dense(n_in, n_out, init=init, scale=scale, rng=rng), dl.ReLU()]
    net = dl.Sequential(layers[:-1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the 10·N(0,1) start overflows on the way
        h = dl.fit(
            net,
            X,
            y,
            loss=dl.BinaryCrossEntropy(),
            epochs=1000,
            optimizer=dl.optim.SGD(net.parameters(), lr=0.1),
        )
    a, dead = X, []
    for layer in net:
        a = layer.forward(a, training=False)
        if isinstance(layer, dl.ReLU):
            dead.append(int(np.all(a == 0, axis=0).sum()))
    return h, dead


@pytest.mark.parametrize("seed", SEEDS)
def test_only_he_learns_and_10_n01_kills_the_deepest_layer(seed):
    h, _ = _deep_run("he", None, seed)
    assert h.loss[-1] < 0.28 and h.accuracy[-1] > 0.85
    for init, scale in (("zeros", None), ("random", 0.01)):
        assert _deep_run(init, scale, seed)[0].loss[-1] > 0.69
    h, dead = _deep_run("random", 10.0, seed)
    assert h.loss[-1] > 0.69 and h.accuracy[-1] == 0.5 and max(h.loss) > 1e20
    assert dead[2] == 16
