"""BNExplorer and its helpers, driven headlessly through the real ipywidgets."""

import itertools
import json
import math

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

import dlcourse as dl
from dlcourse.experiments.bn_compare import (
    bn_mlp,
    final_accuracy,
    input_stds,
    layer_input,
    load_data,
    lr_init_grid,
    train_run,
)
from dlcourse.optim import create as make_optimizer
from dlcourse.widgets.bn_explorer import BNExplorer

SMALL = dict(depth=2, width=8, epochs=5)


# ------------------------------------------------------------------ helpers
def test_bn_mlp_structure_and_shared_initial_weights():
    plain = bn_mlp(2, 3, (5, 4), batchnorm=False, init_scale=2.0, seed=3)
    bn = bn_mlp(2, 3, (5, 4), batchnorm=True, init_scale=2.0, seed=3)
    kinds = [type(layer).__name__ for layer in bn]
    assert kinds == ["Dense", "BatchNorm", "ReLU", "Dense", "BatchNorm", "ReLU", "Dense"]
    assert [type(layer).__name__ for layer in plain] == ["Dense", "ReLU", "Dense", "ReLU", "Dense"]
    dense_plain = [l for l in plain if isinstance(l, dl.Dense)]
    dense_bn = [l for l in bn if isinstance(l, dl.Dense)]
    for a, b in zip(dense_plain, dense_bn):
        np.testing.assert_array_equal(a.W.value, b.W.value)
    assert dense_bn[0].b is None and dense_plain[0].b is not None
    assert dense_bn[-1].b is not None  # the output layer keeps its bias
    # init_scale multiplies He's standard deviation sqrt(2 / n_in)
    big = bn_mlp(50, 3, (400,), batchnorm=False, init_scale=3.0, seed=0)
    assert big[0].W.value.std() == pytest.approx(3.0 * math.sqrt(2 / 50), rel=0.02)
    assert bn_mlp(2, 3, 4, batchnorm=True, bias=True)[0].b is not None


def test_make_optimizer_names():
    p = [dl.Parameter(np.zeros(2))]
    assert isinstance(make_optimizer("momentum", p, 0.1), dl.optim.Momentum)
    assert isinstance(make_optimizer("adam", p, 0.1), dl.optim.Adam)
    with pytest.raises(ValueError, match="unknown optimizer 'nadam'"):
        make_optimizer("nadam", p, 0.1)


def test_layer_input_matches_a_manual_forward_and_keeps_running_averages():
    X, _ = load_data("spiral", 60)
    model = bn_mlp(2, 3, (6, 5), batchnorm=True, seed=1)
    before = [b.copy() for _, b in model.named_buffers()]
    a = layer_input(model, X, 2)
    expected = model[2].forward(model[1].forward(model[0].forward(X)))  # Dense, BN, ReLU
    np.testing.assert_allclose(a, expected)
    # the manual forward moved the running averages, layer_input must not have: redo it
    model2 = bn_mlp(2, 3, (6, 5), batchnorm=True, seed=1)
    layer_input(model2, X, 3)
    for (_, b), old in zip(model2.named_buffers(), before):
        np.testing.assert_array_equal(b, old)
    np.testing.assert_array_equal(layer_input(model, X, 1), X)
    with pytest.raises(ValueError, match="layer must be an int in 1..3, got 4"):
        layer_input(model, X, 4)


def test_input_stds_show_bn_keeping_the_scale():
    X, _ = load_data("spiral", 200)
    plain = input_stds(bn_mlp(2, 3, (32,) * 4, batchnorm=False, init_scale=3.0), X)
    bn = input_stds(bn_mlp(2, 3, (32,) * 4, batchnorm=True, init_scale=3.0), X)
    assert plain[0] == pytest.approx(1.0) and bn[0] == pytest.approx(1.0)
    assert plain[-1] > 10 * plain[1] / 3  # grows about 3x per layer
    # with batch norm every hidden layer's input is ReLU of a unit-variance signal
    np.testing.assert_allclose(bn[1:], math.sqrt((1 - 1 / math.pi) / 2), rtol=0.15)


def test_final_accuracy_is_nan_after_divergence():
    X, y = load_data("spiral", 300)
    model = bn_mlp(2, 3, (32,) * 4, batchnorm=False, init_scale=10.0)
    history = train_run(model, X, y, "sgd", lr=0.1, epochs=3)
    assert history.diverged is not None
    assert math.isnan(final_accuracy(model, history, X, y))


def test_lr_init_grid_equals_direct_training():
    X, y = load_data("moons", 80)
    grid = lr_init_grid(X, y, [0.05, 0.5], [1.0], batchnorm=True, hidden=(8,), epochs=4)
    model = bn_mlp(2, 2, (8,), batchnorm=True, init_scale=1.0)
    history = train_run(model, X, y, "sgd", 0.5, 4, 32)
    assert grid.shape == (2, 1)
    assert grid[1, 0] == final_accuracy(model, history, X, y)


# ------------------------------------------------------------------ dashboard
def test_constructible_with_no_arguments_and_results_equal_direct_computation():
    d = BNExplorer()
    assert d.message == ""
    c = d.config
    X, y = load_data(c["dataset"])
    for name, bn in (("plain", False), ("batch norm", True)):
        model = bn_mlp(2, 3, (c["width"],) * c["depth"], bn, c["init_scale"], seed=c["seed"])
        np.testing.assert_allclose(d.stds[name], input_stds(model, X))
        h = train_run(
            model,
            X,
            y,
            c["optimizer"],
            c["lr"],
            c["epochs"],
            c["batch_size"],
            c["seed"],
            validation=(X, y),
        )
        np.testing.assert_array_equal(d.histories[name].loss, h.loss)
        assert d.accuracy[name] == final_accuracy(model, h, X, y)
    assert "final accuracy: plain" in d.accuracy_text()
    plt.close(d.figure)


def test_controls_drive_the_results_like_a_drag():
    d = BNExplorer(**SMALL)
    assert isinstance(d.controls["lr"], __import__("ipywidgets").FloatLogSlider)
    d.controls["lr"].value = 0.01
    assert d.config["lr"] == pytest.approx(0.01)
    first = list(d.histories["batch norm"].loss)
    d.controls["optimizer"].value = "adam"
    assert d.config["optimizer"] == "adam"
    assert d.histories["batch norm"].loss != first
    d.controls["init_scale"].value = 10.0
    assert d.stds["plain"][-1] > 10 * d.stds["batch norm"][-1]
    plt.close(d.figure)


def test_divergence_is_a_message_not_a_traceback():
    d = BNExplorer(**SMALL)
    d.controls["init_scale"].value = 10 ** d.controls["init_scale"].max  # a log slider's
    d.controls["lr"].value = 10 ** d.controls["lr"].max  # max is an exponent
    assert "plain network" in d.message and "too large" in d.message
    assert "diverged" in d.message or "exploded" in d.message
    assert d._note.get_visible()
    plt.close(d.figure)


def test_extreme_control_positions_never_raise():
    d = BNExplorer(epochs=5, width=8)
    c = d.controls
    for lr, scale, depth, opt in itertools.product(
        (10 ** c["lr"].min, 10 ** c["lr"].max),
        (10 ** c["init_scale"].min, 10 ** c["init_scale"].max),
        (c["depth"].min, c["depth"].max),
        ("sgd", "adam"),
    ):
        c["optimizer"].value = opt
        c["depth"].value = depth
        c["init_scale"].value = scale
        c["lr"].value = lr
        assert not d.message or "too large" in d.message, d.message
        assert d.histories["plain"].step_loss  # at least one step ran
        assert d.config["lr"] == pytest.approx(lr) and d.config["init_scale"] == pytest.approx(
            scale
        )
    for name in c["dataset"].options:
        c["dataset"].value = name
        assert not d.message or "too large" in d.message
    plt.close(d.figure)


def test_config_round_trip_gives_the_same_arrays():
    d = BNExplorer(**SMALL)
    d.controls["lr"].value = 1.0
    d.controls["dataset"].value = "moons"
    cfg = d.config
    json.dumps(cfg)
    e = BNExplorer()
    e.set_config(cfg)
    assert e.config == cfg
    for name in BNExplorer.NAMES:
        np.testing.assert_array_equal(e.histories[name].loss, d.histories[name].loss)
        np.testing.assert_array_equal(e.stds[name], d.stds[name])
    assert e.controls["lr"].value == pytest.approx(1.0)
    plt.close(d.figure)
    plt.close(e.figure)


def test_bad_settings_are_refused_with_their_name():
    with pytest.raises(ValueError, match=r"lr must be in \[0.001, 10\], got -1"):
        BNExplorer(lr=-1)
    with pytest.raises(ValueError, match="unknown dataset 'mnist'"):
        BNExplorer(dataset="mnist")
    with pytest.raises(ValueError, match=r"depth must be in \[1, 8\], got 0"):
        BNExplorer(depth=0)
    with pytest.raises(TypeError, match="unknown setting"):
        BNExplorer(dropout=0.5)


def test_no_figure_leak():
    before = len(plt.get_fignums())
    d = BNExplorer(**SMALL)
    for v in (0.01, 0.1, 1.0):
        d.controls["lr"].value = v
    assert len(plt.get_fignums()) <= before + 1
    assert len(d.figure.axes) == 2
    plt.close(d.figure)
    assert matplotlib.get_backend()  # the view never switched backends


def test_curves_grow_live_while_on_screen():
    d = BNExplorer(**{**SMALL, "epochs": 12})
    d._displayed = True  # as after _ipython_display_
    d.redraw_seconds = 0.0
    seen = []
    d.redraw = lambda: seen.append(
        (len(d._cost.train["plain"].get_xdata()), len(d._cost.train["batch norm"].get_xdata()))
    )
    d.update()
    live, final = seen[:-1], seen[-1]  # the last redraw is update()'s own, after training
    assert len(live) == 24 and final == (12, 12)
    assert [p for p, _ in live[:12]] == list(range(1, 13))  # plain grows epoch by epoch
    assert [b for _, b in live[12:]] == list(range(1, 13))  # then batch norm
    assert all(p == 12 for p, _ in live[12:])  # plain stays drawn
    plt.close(d.figure)
