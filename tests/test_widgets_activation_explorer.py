"""ActivationExplorer and network_statistics, driven headlessly through the real controls."""

from __future__ import annotations

import itertools
import json

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

import dlcourse as dl
from dlcourse.experiments.activation_stats import (
    ACTIVATION_NAMES,
    activation_curves,
    flower_data,
    network_statistics,
)
from dlcourse.widgets.activation_explorer import ActivationExplorer

matplotlib.use("Agg")


def test_statistics_equal_a_direct_computation():
    X, y = flower_data()
    s = network_statistics("tanh", depth=3, width=8, init="xavier", scale=1.5, bias=0.2, rng=7)
    model = s.model
    # forward by hand through the same layers
    dense = [l for l in model if isinstance(l, dl.Dense)]
    A = X
    for l, layer in enumerate(dense[:3]):
        Z = A @ layer.W.value.T + layer.b.value
        np.testing.assert_allclose(s.Z[l], Z, rtol=1e-13)
        assert np.all(layer.b.value == 0.2)
        A = np.tanh(Z)
        np.testing.assert_allclose(s.mean_derivative[l], np.mean(1 - A**2), rtol=1e-12)
    # gradient norms agree with finite differences of the loss (dW of the first layer)
    loss = dl.SoftmaxCrossEntropy()
    W1 = dense[0].W.value

    def J():
        return loss.forward(model.forward(X), y)

    num = dl.numerical_gradient(J, W1)
    assert abs(np.linalg.norm(num) - s.grad_norm[0]) / s.grad_norm[0] < 1e-6
    assert s.loss == pytest.approx(J())


def test_sigmoid_gradients_vanish_towards_the_input_while_relu_he_keeps_them():
    sig = network_statistics("sigmoid", depth=10)
    relu = network_statistics("relu", depth=10, init="he")
    assert np.all(sig.mean_derivative <= 0.25)
    assert sig.grad_norm[0] / sig.grad_norm[-1] < 1e-4
    assert relu.grad_norm[0] / relu.grad_norm[-1] > 0.1


def test_negative_bias_kills_relus_and_the_message_says_so():
    a = ActivationExplorer(activation="relu", init="he")
    assert a.message == ""
    a.controls["bias"].value = -2.0
    assert a.stats.dead_fraction.max() == 1.0
    assert "is dead" in a.message and "zero gradient" in a.message
    assert np.all(a.stats.grad_norm[a.stats.dead_fraction >= 1] == 0)


def test_dead_fraction_counts_units_with_zero_derivative_on_every_example():
    s = network_statistics("relu", depth=2, width=16, init="he", bias=-0.5, rng=3)
    for Z, frac in zip(s.Z, s.dead_fraction):
        assert frac == pytest.approx(np.mean(np.all(Z <= 0, axis=0)))
    assert network_statistics("elu", depth=2, bias=-3.0).dead_fraction.max() == 0.0


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_activation_curves_derivative_matches_finite_differences(name):
    z = np.linspace(-4, 4, 81) + 0.013  # off the kink at 0
    g, d = activation_curves(name, z)
    h = 1e-6
    fd = (activation_curves(name, z + h)[0] - activation_curves(name, z - h)[0]) / (2 * h)
    np.testing.assert_allclose(d, fd, rtol=1e-6, atol=1e-8)


def test_controls_redraw_and_extremes_never_raise():
    a = ActivationExplorer()
    c = a.controls
    for act, depth, scale, bias in itertools.product(
        ACTIVATION_NAMES, [1, 20], [0.1, 10.0], [-3.0, 3.0]
    ):
        c["activation"].value = act
        c["depth"].value = depth
        c["scale"].value = scale
        c["bias"].value = bias
        assert isinstance(a.message, str)
        assert len(a.stats.Z) == depth
    c["init"].value = "he"
    assert a.config["init"] == "he"


def test_config_round_trip():
    a = ActivationExplorer(activation="tanh", depth=5, scale=2.0, bias=0.5)
    cfg = json.loads(json.dumps(a.config))
    norms = a.stats.grad_norm.copy()
    a.controls["activation"].value = "relu"
    a.set_config(cfg)
    np.testing.assert_array_equal(a.stats.grad_norm, norms)
    assert a.controls["activation"].value == "tanh"
    np.testing.assert_array_equal(ActivationExplorer(**cfg).stats.grad_norm, norms)


@pytest.mark.parametrize(
    "bad, match",
    [
        (dict(activation="swish"), "unknown activation 'swish'"),
        (dict(depth=0), r"depth must be in \[1, 20\], got 0"),
        (dict(scale=-1.0), r"scale must be in \[0.1, 10\], got -1.0"),
        (dict(init="lecun"), "unknown init 'lecun'"),
    ],
)
def test_bad_settings_name_themselves(bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        ActivationExplorer(**bad)


def test_network_statistics_bad_arguments():
    with pytest.raises(ValueError, match="width must be >= 1, got 0"):
        network_statistics(width=0)
    with pytest.raises(ValueError, match="scale must be > 0"):
        network_statistics(scale=0.0)


def test_no_figure_leak():
    before = len(plt.get_fignums())
    a = ActivationExplorer()
    for act in ("tanh", "relu"):
        a.controls["activation"].value = act
    assert len(plt.get_fignums()) == before
    assert len(a.ax_g.lines) == 3  # g, g' and the zero line, updated in place


def test_the_flow_panel_compares_layers_per_entry():
    """Layer 1 has 2 x 32 weights, the others 32 x 32: the panel plots the RMS of dW (a
    Frobenius norm would put layer 1 four times lower for its size alone)."""
    a = ActivationExplorer(activation="relu", init="he", depth=4)
    (rms_line, _) = a._flow.lines.values()
    shown = 10.0 ** (rms_line.get_ydata() + a._flow.top)  # moving decades: log10 - top
    np.testing.assert_allclose(shown, a.stats.grad_rms)
    sizes = [layer.W.grad.size for layer in a.stats.model if hasattr(layer, "W")][:4]
    np.testing.assert_allclose(a.stats.grad_rms, a.stats.grad_norm / np.sqrt(sizes))
