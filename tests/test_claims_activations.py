"""The claims of notebook 02, on the same calls the notebook makes."""

import numpy as np
import pytest

from dlcourse.exercises.activations import Q_DEAD_RECOVERY, Q_SIGMOID_DEPTH
from dlcourse.experiments.dead_units import dead_unit_recovery
from dlcourse.experiments.saturation import saturation_stats


def test_deep_sigmoid_network_is_not_saturated_but_its_gradient_vanishes():
    from dlcourse.experiments.activation_stats import network_statistics

    s = network_statistics("sigmoid", depth=10, init="xavier")
    assert Q_SIGMOID_DEPTH.answer == "b"
    assert 0.2 < s.mean_derivative.min() and s.mean_derivative.max() <= 0.25
    assert s.grad_norm[0] / s.grad_norm[-1] < 1e-5


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_saturation_grows_with_the_weight_scale_and_shrinks_dw(seed):
    s1, s30 = saturation_stats("tanh", 1, seed=seed), saturation_stats("tanh", 30, seed=seed)
    assert s1.saturated_fraction < 0.02 and s30.saturated_fraction > 0.75
    assert 3 < s1.grad_norm / s30.grad_norm < 15


def test_saturation_table_is_monotone():
    fr = [saturation_stats("tanh", k).saturated_fraction for k in (1, 3, 10, 30)]
    assert fr == sorted(fr)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_silent_first_layer_relu_units_never_move_or_revive(seed):
    r = dead_unit_recovery("relu", big_lr=50.0, epochs=200, width=32, seed=seed)
    assert r.revived[0] == 0
    assert np.isnan(r.layer1_silent_weight_change) or r.layer1_silent_weight_change == 0.0


def test_some_second_layer_relu_units_revive_and_leaky_elu_units_move():
    revived = [
        dead_unit_recovery("relu", big_lr=50.0, epochs=200, width=32, seed=s).revived[1]
        for s in (0, 1, 2)
    ]
    assert Q_DEAD_RECOVERY.answer == "b" and sum(revived) > 0
    leaky = dead_unit_recovery("leaky_relu", big_lr=50.0, epochs=200, width=32, seed=1)
    elu = dead_unit_recovery("elu", big_lr=50.0, epochs=200, width=32, seed=1)
    assert leaky.layer1_silent_weight_change > 0 and elu.layer1_silent_weight_change > 0
    assert elu.revived[0] >= 1
