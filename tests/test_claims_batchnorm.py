"""The claims notebook 11 makes in prose, on the same calls as the notebook."""

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.experiments import bn_conventions
from dlcourse.experiments.bn_compare import (
    NORMS,
    batch_spread,
    bn_mlp,
    ln_mlp,
    load_data,
    lr_init_grid,
    small_batch_comparison,
    train_run,
    training_mode_cost,
)

LRS = [0.01, 0.1, 0.3, 1.0, 3.0]
SCALES = [0.1, 0.3, 1.0, 3.0, 10.0]


@pytest.fixture(scope="module")
def grids():
    X, y = load_data("spiral", n=300)
    return {
        name: np.nan_to_num(
            lr_init_grid(X, y, LRS, SCALES, batchnorm=(name == "bn"), hidden=(32,) * 4, epochs=20)
        )
        >= 0.9
        for name in ("plain", "bn")
    }


def test_bn_trains_every_scale_up_to_lr_03_and_fails_above(grids):
    ok = grids["bn"]
    assert ok[:3].all()  # α ≤ 0.3: 15 of 15
    assert ok[3].sum() == 1  # α = 1: 4 of 5 fall short
    assert ok[4].sum() == 0  # α = 3: none
    assert ok.sum() == 16


def test_plain_trains_only_in_the_he_column(grids):
    cells = [tuple(c) for c in np.argwhere(grids["plain"])]
    assert cells == [(1, 2), (2, 2)]  # α = 0.1 and 0.3, init scale 1


@pytest.mark.parametrize("seed", range(5))
def test_bn_trains_several_times_more_settings_and_none_at_lr_3(seed):
    X, y = load_data("spiral", n=300)
    ok = {
        bn: np.nan_to_num(
            lr_init_grid(X, y, LRS, SCALES, batchnorm=bn, hidden=(32,) * 4, epochs=20, seed=seed)
        )
        >= 0.9
        for bn in (False, True)
    }
    assert 2 <= ok[False].sum() <= 4 and 14 <= ok[True].sum() <= 20  # "2 to 4", "14 to 20"
    assert 12 <= ok[True][:3].sum() <= 15  # "12 to 15 of the 15 settings alpha <= 0.3"
    assert ok[True].sum() >= 3.5 * ok[False].sum()  # "several times as many"
    assert ok[True][4].sum() == 0  # Q_BN_GRID (c): none at alpha = 3


@pytest.mark.parametrize("seed", range(5))
def test_q_batch_noise_training_mode_cost_falls_with_the_batch_size(seed):
    X, y = load_data("spiral", n=300)
    net = bn_mlp(2, 3, (32,) * 4, batchnorm=True, seed=seed)
    train_run(net, X, y, "sgd", lr=0.1, epochs=30, seed=seed)
    costs = [training_mode_cost(net, X, y, b) for b in (8, 32, 128, 300)]
    assert np.all(np.diff(costs) < 0)  # shrinks as the batch grows
    assert costs[0] > 3 * costs[-1]  # Q_BATCH_NOISE (c): several times higher
    test_cost, _ = dl.evaluate(net, X, y, dl.SoftmaxCrossEntropy())
    assert abs(costs[-1] - test_cost) < 0.15 * test_cost  # one batch of 300: close to test mode


def test_training_mode_cost_leaves_the_running_averages_alone():
    X, y = load_data("spiral", n=300)
    net = bn_mlp(2, 3, (8,), batchnorm=True, seed=0)
    before = net[1].running_mean.copy()
    training_mode_cost(net, X, y, 8)
    assert np.array_equal(net[1].running_mean, before)


def test_conventions_agree_on_means_and_differ_by_unbiased_factor_on_variances():
    rng = np.random.default_rng(3)
    batches = [rng.normal(2.0, 3.0, size=(8, 2)) for _ in range(5)]
    cm, cv = bn_conventions.running_after(batches, "course")
    tm, tv = bn_conventions.running_after(batches, "torch")
    assert np.allclose(cm, tm) and np.all(tv > cv)
    layer = dl.BatchNorm(2)  # the course's layer follows the course's convention
    for Z in batches:
        layer.forward(Z, training=True)
    assert np.allclose(layer.running_mean, cm) and np.allclose(layer.running_var, cv)
    torch = pytest.importorskip("torch")
    bn = torch.nn.BatchNorm1d(2, momentum=0.1).double()
    for Z in batches:
        bn(torch.tensor(Z))
    assert np.allclose(bn.running_mean.numpy(), tm) and np.allclose(bn.running_var.numpy(), tv)


def test_eps_inside_vs_outside():
    f_bn, f_adam = bn_conventions.eps_factors([1.0, 0.0])
    assert abs(f_bn[0] - 1) < 1e-4 and abs(f_adam[0] - 1) < 1e-7
    assert abs(f_bn[1] - 316.2) < 0.1 and abs(f_adam[1] - 1e8) < 1


def test_batch_of_one_outputs_beta():
    layer = dl.BatchNorm(3)
    layer.beta.value[:] = [0.5, -1.0, 2.0]
    out = np.vstack(
        [
            layer.forward(z[None], training=True)
            for z in np.random.default_rng(0).normal(size=(5, 3))
        ]
    )
    assert np.allclose(out, layer.beta.value)


@pytest.mark.parametrize("seed", range(5))
def test_q_one_example_trained_network_gives_every_example_the_same_logits(seed):
    X, y = load_data("spiral", n=300)
    net = bn_mlp(2, 3, (32,) * 4, batchnorm=True, seed=seed)
    train_run(net, X, y, "sgd", lr=0.1, epochs=30, seed=seed)
    first = net[1]
    one = np.vstack([first.forward(net[0].forward(X[i : i + 1]), training=True) for i in range(20)])
    assert np.allclose(one, first.beta.value)  # Q_ONE_EXAMPLE (b): beta for every example
    assert np.all(np.isfinite(one))  # not (c) NaN


# ---------------------------------------------------------------- layer norm (section 7)
@pytest.fixture(scope="module")
def spiral():
    return load_data("spiral", n=300)


@pytest.mark.parametrize("seed", range(5))
def test_layer_norm_output_ignores_the_batch_and_batch_norm_does_not(spiral, seed):
    X, y = spiral
    nets = {
        "bn": bn_mlp(2, 3, (32,) * 4, batchnorm=True, seed=seed),
        "ln": ln_mlp(2, 3, (32,) * 4, seed=seed),
    }
    for net in nets.values():
        train_run(net, X, y, "sgd", lr=0.1, epochs=30, seed=seed)
    assert batch_spread(nets["ln"], X, seed=seed) < 1e-12  # "spread 0.000"
    assert batch_spread(nets["bn"], X, seed=seed) > 0.1
    one = [nets["ln"].forward(X[i : i + 1]) for i in range(0, len(X), 7)]
    np.testing.assert_allclose(np.vstack(one), nets["ln"].predict(X[::7]), rtol=0, atol=1e-12)


@pytest.fixture(scope="module")
def small_batches(spiral):
    X, y = spiral
    return small_batch_comparison(X, y, lrs=(0.03, 0.1, 0.3), seeds=range(5), batch_size=4)


def test_at_batch_4_batch_norm_trails_the_plain_and_layer_norm_networks(small_batches):
    acc = {name: small_batches[name][0] for name in NORMS}
    assert acc["batch norm"].max() < min(acc["plain"].min(), acc["layer norm"].min()) - 0.1
    assert np.sum(acc["layer norm"] > acc["plain"]) == 3  # "better on 3 seeds of 5"
    assert np.sum(acc["layer norm"] < acc["plain"]) == 2  # "worse on 2"
    for name, (lo, hi) in {
        "batch norm": (0.663, 0.830),
        "plain": (0.947, 0.980),
        "layer norm": (0.947, 0.970),
    }.items():  # the ranges the prose quotes
        assert round(acc[name].min(), 3) == lo and round(acc[name].max(), 3) == hi, name


def test_one_step_past_each_edge_of_the_alpha_grid_changes_nothing(spiral, small_batches):
    X, y = spiral
    edges = small_batch_comparison(X, y, lrs=(0.01, 1.0), seeds=range(5), batch_size=4)
    for name in ("plain", "layer norm"):
        assert np.all(edges[name][0] < small_batches[name][0]), name
    bn_edge, bn_grid = edges["batch norm"][0], small_batches["batch norm"][0]
    assert list(np.flatnonzero(bn_edge > bn_grid)) == [2]  # "improves on one seed only"
    assert (round(bn_grid[2], 3), round(bn_edge[2], 3)) == (0.663, 0.680)
    best = {name: np.maximum(edges[name][0], small_batches[name][0]) for name in NORMS}
    assert best["batch norm"].max() < min(best["plain"].min(), best["layer norm"].min()) - 0.1


@pytest.mark.parametrize("seed", range(5))
def test_layer_norm_keeps_a_useful_bias(spiral, seed):
    X, y = spiral
    net = ln_mlp(2, 3, (32,) * 4, seed=seed)
    train_run(net, X, y, "sgd", lr=0.1, epochs=30, seed=seed)
    loss = dl.SoftmaxCrossEntropy()
    out = net.forward(X[:32])
    loss.forward(out, y[:32])
    net.zero_grad()
    net.backward(loss.backward())
    assert np.abs(net[0].b.grad).max() > 1e-3  # "max |db| > 1e-3"
    np.testing.assert_allclose(net[0].b.grad.sum(), 0, atol=1e-12)  # only its mean is removed
    net[0].b.value += 5.0  # a constant shift of b changes nothing
    np.testing.assert_allclose(net.forward(X[:32]), out, rtol=0, atol=1e-9)


# ------------------------------------------------------------------ exercise (e): your batch norm in a network
def _function_network(seed):
    from dlcourse.exercises.batchnorm import _expected, _expected_predict, _expected_running
    from dlcourse.experiments.bn_compare import graph_backward, with_functions

    fns = (_expected, graph_backward, _expected_running, _expected_predict)
    return with_functions(bn_mlp(2, 3, (32,) * 4, True, seed=seed), *fns)


BUILDERS = {
    "yours": _function_network,
    "package": lambda s: bn_mlp(2, 3, (32,) * 4, True, seed=s),
    "plain": lambda s: bn_mlp(2, 3, (32,) * 4, False, seed=s),
}


@pytest.fixture(scope="module")
def retuned():
    from dlcourse.experiments.bn_compare import retuned_comparison

    X, y = load_data("spiral", n=300)
    return retuned_comparison(X, y, BUILDERS, lrs=(0.03, 0.1, 0.3), seeds=range(5))


def test_a_network_of_the_exercise_functions_trains_exactly_like_the_packages(retuned):
    assert np.allclose(retuned["yours"], retuned["package"], rtol=1e-9, atol=1e-12)


def test_retuned_batch_norm_is_not_better_than_the_plain_control_on_every_seed(retuned):
    bn, plain = retuned["package"], retuned["plain"]
    assert np.all(bn[:, 2] == 0.1) and np.all(plain[:, 2] == 0.1)  # best alpha 0.1 everywhere
    assert np.sum(bn[:, 0] < plain[:, 0]) == 2  # "lower on 2 of the 5 seeds"
    assert np.all(bn[:, 1] >= plain[:, 1])  # "accuracy higher or equal on all five"
    assert (round(bn[:, 0].min(), 3), round(bn[:, 0].max(), 3)) == (0.085, 0.115)
    assert (round(plain[:, 0].min(), 3), round(plain[:, 0].max(), 3)) == (0.05, 0.186)


@pytest.mark.parametrize("name", ["package", "plain"])
def test_one_step_past_each_end_of_the_retuned_grid_ends_higher(retuned, name):
    from dlcourse.experiments.bn_compare import retuned_comparison

    X, y = load_data("spiral", n=300)
    for lr in (0.01, 1.0):
        past = retuned_comparison(X, y, {name: BUILDERS[name]}, lrs=(lr,), seeds=range(5))[name]
        assert np.all(past[:, 0] > retuned[name][:, 0]), (name, lr)
