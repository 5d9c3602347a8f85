"""The claims of notebook 02, on the same calls the notebook makes."""

import numpy as np
import pytest

from dlcourse.exercises.activations import Q_DEAD_RECOVERY, Q_SIGMOID_DEPTH
from dlcourse.experiments.activation_race import race_with_backward
from dlcourse.experiments.activation_stats import network_statistics
from dlcourse.experiments.dead_units import dead_unit_recovery
from dlcourse.experiments.saturation import saturation_stats

SEEDS = range(5)
NETWORKS = {"sigmoid": ("sigmoid", "xavier"), "tanh": ("tanh", "xavier"), "relu": ("relu", "he")}


def _stats(name, seed, **kw):
    act, init = NETWORKS[name]
    return network_statistics(act, depth=10, init=init, rng=seed, **kw)


@pytest.mark.parametrize("seed", SEEDS)
def test_deep_sigmoid_network_is_not_saturated_but_its_gradient_vanishes(seed):
    s = _stats("sigmoid", seed)
    assert Q_SIGMOID_DEPTH.answer == "b"
    assert 0.21 < s.mean_derivative.min() and s.mean_derivative.max() < 0.245
    assert 1e-6 < s.grad_rms[0] / s.grad_rms[-1] < 1e-5


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name, spread", [("tanh", 2.4), ("relu", 3.2)])
def test_tanh_and_relu_keep_every_layer_within_a_small_factor_per_entry(name, spread, seed):
    s = _stats(name, seed)
    assert s.grad_rms.max() / s.grad_rms.min() < spread
    assert 0.35 < s.grad_rms[0] / s.grad_rms[-1] < 2.4


@pytest.mark.parametrize("name", ["tanh", "relu"])
def test_layer_one_is_sometimes_the_larger(name):
    assert any(_stats(name, seed).grad_rms[0] > _stats(name, seed).grad_rms[-1] for seed in SEEDS)


def test_rms_is_the_frobenius_norm_per_entry():
    s = _stats("tanh", 0)
    sizes = np.array([64] + [1024] * 9)
    assert np.allclose(s.grad_norm / np.sqrt(sizes), s.grad_rms, rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_saturation_grows_with_the_weight_scale_and_shrinks_dw(seed):
    s1, s30 = saturation_stats("tanh", 1, seed=seed), saturation_stats("tanh", 30, seed=seed)
    assert s1.saturated_fraction < 0.03 and 0.78 < s30.saturated_fraction < 0.85
    assert 2.0 < s1.grad_norm / s30.grad_norm < 11.5


def test_saturation_table_is_monotone():
    fr = [saturation_stats("tanh", k).saturated_fraction for k in (1, 3, 10, 30)]
    assert fr == sorted(fr)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_negative_bias_kills_a_whole_layer_and_freezes_the_network(seed):
    dead = _stats("relu", seed, bias=-0.5)
    assert dead.dead_fraction.max() == 1.0 and np.all(dead.grad_norm == 0)
    assert np.all(_stats("relu", seed, bias=0.0).grad_norm > 0)  # the control


def _runs(seed):
    control = dead_unit_recovery("relu", big_lr=0.1, epochs=200, width=32, seed=seed)
    hit = dead_unit_recovery("relu", big_lr=200.0, epochs=200, width=32, seed=seed)
    return control, hit


@pytest.mark.parametrize("seed", SEEDS)
def test_the_big_step_leaves_more_silent_units_and_lower_accuracy_than_the_control(seed):
    control, hit = _runs(seed)
    assert Q_DEAD_RECOVERY.answer == "b"
    assert control.after_recovery[0] == 0 and 0.85 <= control.accuracy < 0.86
    assert 1 <= hit.after_big_step[0] <= 2 and 10 <= hit.after_recovery[0] <= 23
    assert sum(hit.after_recovery) > sum(control.after_recovery)
    assert hit.accuracy < control.accuracy - 0.01  # not (a)
    assert 0.5 <= hit.accuracy < 0.833


@pytest.mark.parametrize("seed", SEEDS)
def test_silent_first_layer_relu_units_never_move_or_revive(seed):
    _, hit = _runs(seed)
    assert hit.revived[0] == 0 and hit.layer1_silent_weight_change == 0.0


def test_on_seed_4_the_whole_second_layer_ends_silent_and_one_class_is_predicted():
    _, hit = _runs(4)
    assert hit.after_recovery[1] == 32 and hit.accuracy == 0.5


def test_some_second_layer_units_revive_on_seeds_0_and_2_only():
    revived = [_runs(seed)[1].revived[1] for seed in SEEDS]
    assert [r > 0 for r in revived] == [True, False, True, False, False]


@pytest.fixture(scope="module")
def race():
    from dlcourse.experiments.activation_race import activation_race

    return {a: [activation_race(a, s) for s in SEEDS] for a in ("sigmoid", "tanh", "relu", "elu")}


def test_sigmoid_loses_the_race_on_every_seed_by_nearly_three_times(race):
    sigmoid = [r.cost for r in race["sigmoid"]]
    others = [r.cost for a in ("tanh", "relu", "elu") for r in race[a]]
    assert 0.56 < min(sigmoid) and max(sigmoid) < 0.62
    assert 0.12 < min(others) and max(others) < 0.20
    assert 2.5 < min(sigmoid) / max(others) < 3.0


def test_no_single_winner_among_tanh_relu_elu(race):
    winners = [min(("tanh", "relu", "elu"), key=lambda a: race[a][s].cost) for s in SEEDS]
    assert len(set(winners)) == 3


def test_each_race_entry_was_tuned_inside_the_grid(race):
    from dlcourse.experiments.activation_race import RACE_LRS

    for runs in race.values():
        for r in runs:
            assert r.lr in RACE_LRS and r.lr != RACE_LRS[0] and r.lr != RACE_LRS[-1]


@pytest.mark.parametrize("seed", SEEDS)
def test_shifted_inputs_train_worse_than_centred_ones_each_at_its_best_rate(seed):
    from dlcourse.experiments.activation_race import CENTRING_LRS, centring_run

    centred, shifted = centring_run(0.0, seed), centring_run(3.0, seed)
    assert 0.30 < centred.cost < 0.31 and 0.565 < shifted.cost < 0.606
    assert 1.8 < shifted.cost / centred.cost < 2.0  # "about twice"
    assert centred.lr not in (CENTRING_LRS[0], CENTRING_LRS[-1])  # tuned inside the grid
    assert shifted.lr not in (CENTRING_LRS[0], CENTRING_LRS[-1])


def test_every_shifted_input_is_positive():
    from dlcourse.experiments.activation_stats import flower_data

    assert (flower_data()[0] + 3).min() > 0.5


@pytest.mark.parametrize("seed", SEEDS)
def test_tanh_times_three_lowers_mean_g_prime_but_grows_the_first_layer_gradient(seed):
    one, three = (
        network_statistics("tanh", depth=8, init="xavier", scale=k, rng=seed) for k in (1, 3)
    )
    assert 0.86 < one.mean_derivative.mean() < 0.91
    assert 0.31 < three.mean_derivative.mean() < 0.345
    assert 3.4 < three.grad_rms[0] / three.grad_rms[-1] < 8.9
    assert three.grad_rms[0] > one.grad_rms[0]  # larger, not vanishing


# ------------------------------------------------------------------ the exercise's training run
def _numpy_backward(dA, Z, kind, slope=0.01, alpha=1.0):
    """The exercise written with other (equally right) formulas than the package's."""
    if kind == "sigmoid":
        s = 0.5 * (1.0 + np.tanh(0.5 * Z))
        return dA * s * (1.0 - s)
    if kind == "tanh":
        return dA * (1.0 - np.tanh(Z) ** 2)
    if kind == "relu":
        return dA * (Z > 0)
    return np.where(Z > 0, dA, dA * alpha * np.exp(np.minimum(Z, 0.0)))  # elu


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu", "elu"])
def test_a_right_backward_trains_the_race_network_as_the_package_does(act, seed):
    """'the two columns agree' (printed to 4 decimals; here within 1e-8 on every seed)."""
    yours, package = race_with_backward(_numpy_backward, act, seed, lr=0.03)
    assert abs(yours - package) < 1e-8


def test_the_package_leg_is_the_race_run(race):
    for act in ("sigmoid", "tanh", "relu", "elu"):
        best = race[act][0]
        assert race_with_backward(_numpy_backward, act, 0, best.lr)[1] == best.cost


@pytest.mark.parametrize("seed", SEEDS)
def test_a_wrong_backward_trains_without_an_error_and_ends_elsewhere(seed):
    def no_derivative(dA, Z, kind, slope=0.01, alpha=1.0):
        return dA  # g' left out

    yours, package = race_with_backward(no_derivative, "tanh", seed, lr=0.03)
    assert np.isfinite(yours) and abs(yours - package) > 1e-3


@pytest.mark.parametrize("seed", SEEDS)
def test_the_explorers_sigmoid_network_loses_three_or_more_decades_per_entry(seed):
    """02's explorer (sigmoid, 8 layers, Xavier): layer 1's dW is 1e-5 to 1e-3 of layer 8's,
    per entry (the notebook prints seed 0's ratio)."""
    s = network_statistics("sigmoid", depth=8, init="xavier", rng=seed)
    assert 1e-5 < s.grad_rms[0] / s.grad_rms[-1] < 1e-3
