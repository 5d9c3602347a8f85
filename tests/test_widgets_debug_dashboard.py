"""DebugDashboard, driven headlessly through its real ipywidgets."""

import json
import warnings

import matplotlib

matplotlib.use("Agg")

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
import pytest

import dlcourse as dl
from dlcourse.experiments.debug_run import debug_data, debug_network, run_debug
from dlcourse.plots.display import figure_png
from dlcourse.topics import babysit
from dlcourse.widgets.debug_dashboard import DebugDashboard

FAST = {"epochs": 3}


def extremes(widget):
    if isinstance(widget, W.FloatLogSlider):
        return [widget.base**widget.min, widget.base**widget.max]
    if isinstance(widget, (W.IntSlider, W.FloatSlider)):
        return [widget.min, widget.max]
    if isinstance(widget, W.Checkbox):
        return [True, False]
    return list(widget.options)


# ------------------------------------------------------------------ the run
def test_debug_data_normalisation_and_shuffling():
    Xs, Xvs, ys, yvs = debug_data(0, normalize=True)
    Xr, Xvr, yr, yvr = debug_data(0, normalize=False)
    np.testing.assert_allclose(Xs.mean(axis=0), 0.0, atol=1e-12)
    assert Xr.max() == 16.0 and Xs.shape == Xr.shape == (1348, 64)
    np.testing.assert_array_equal(ys, yr)
    _, _, yshuf, yv2 = debug_data(0, shuffle_labels=True)
    np.testing.assert_array_equal(np.sort(yshuf), np.sort(ys))
    assert np.mean(yshuf == ys) < 0.2
    np.testing.assert_array_equal(yv2, yvs)  # validation labels stay right


def test_debug_network_init():
    net = debug_network(1.0, rng=0)
    assert net[0].W.value.std() == pytest.approx(np.sqrt(2 / 64), rel=0.1)
    assert net[2].W.value.std() == pytest.approx(0.01, rel=0.2)
    big = debug_network(30.0, rng=0)
    np.testing.assert_allclose(big[0].W.value, 30 * net[0].W.value)
    with pytest.raises(ValueError, match="init_scale must be > 0"):
        debug_network(0.0)


def test_run_debug_equals_a_direct_computation():
    res = run_debug(0.3, True, 1.0, False, 4, seed=0)
    X, Xv, y, yv = debug_data(0)
    model = debug_network(1.0, rng=2)
    loss = dl.SoftmaxCrossEntropy()
    init = babysit.check_initial_loss(model, loss, X, y, 10)
    h = dl.fit(
        model,
        X,
        y,
        loss,
        dl.optim.SGD(model.parameters(), 0.3),
        epochs=4,
        batch_size=64,
        validation=(Xv, yv),
        seed=0,
    )
    np.testing.assert_array_equal(res["history"].loss, h.loss)
    np.testing.assert_array_equal(res["history"].val_accuracy, h.val_accuracy)
    assert res["diagnostics"][1].value == init.value
    for p, q in zip(res["model"].parameters(), model.parameters()):
        np.testing.assert_array_equal(p.value, q.value)


# ------------------------------------------------------------------ the scenarios
@pytest.mark.parametrize(
    "scenario, failing",
    [
        ("healthy run", set()),
        ("lr too small", {"loss curve", "accuracy"}),
        ("lr too large", {"loss curve", "accuracy"}),
        ("inputs not normalised", {"inputs normalised", "accuracy"}),
        ("initial weights too large", {"loss at init"}),
        ("labels shuffled", {"accuracy"}),
    ],
)
def test_each_scenario_flags_its_own_problem(scenario, failing):
    dash = DebugDashboard(scenario=scenario)
    assert dash.message == ""
    failed = {d.name for d in dash.diagnostics if not d.passed}
    assert failed == failing, [str(d) for d in dash.diagnostics]
    assert dash.all_passed == (not failing)
    plt.close(dash.figure)


def test_lr_too_large_catches_the_divergence_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing escapes to the notebook
        # but not a library's own deprecations (matplotlib 3.8.0 parsing math text with
        # a newer pyparsing): a learner never sees those (Dashboard.guard drops them)
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"(?!dlcourse)")
        dash = DebugDashboard(scenario="lr too large")
    assert "the loss became" in dash.divergence and "learning rate" in dash.divergence
    assert dash.history.diverged is not None
    assert "diverged" in dash.alarm.get_text()
    figure_png(dash.figure)  # huge costs still draw
    plt.close(dash.figure)


def test_picking_a_scenario_loads_its_settings_and_fixing_it_turns_green():
    dash = DebugDashboard(**FAST)
    dash.controls["scenario"].value = "inputs not normalised"
    assert dash.controls["normalize"].value is False and dash.config["normalize"] is False
    assert not dash.all_passed
    dash.controls["epochs"].value = 30
    dash.controls["normalize"].value = True  # the fix
    assert dash.all_passed, [str(d) for d in dash.diagnostics]
    dash.controls["scenario"].value = "lr too small"
    assert dash.controls["lr"].value == pytest.approx(1e-5)
    assert dash.config["normalize"] is True
    plt.close(dash.figure)


def test_checklist_is_drawn():
    dash = DebugDashboard(scenario="labels shuffled", **FAST)
    texts = [t.get_text() for t in dash.lines_text]
    assert texts[0].startswith("✓ inputs normalised") and texts[4].startswith("✗ accuracy")
    plt.close(dash.figure)


# ------------------------------------------------------------------ robustness
def test_extremes_of_every_control_give_a_plot_or_a_message():
    dash = DebugDashboard(epochs=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # but not a library's own deprecations (matplotlib 3.8.0 parsing math text with
        # a newer pyparsing): a learner never sees those (Dashboard.guard drops them)
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"(?!dlcourse)")
        for name, widget in dash.controls.items():
            if name in ("epochs", "scenario"):
                continue
            for value in extremes(widget):
                widget.value = value
                figure_png(dash.figure, dpi=30)
                assert isinstance(dash.message, str)
                assert len(dash.diagnostics) == 5
    plt.close(dash.figure)


def test_bad_keywords_raise_clear_errors():
    with pytest.raises(ValueError, match="unknown scenario 'broken'"):
        DebugDashboard(scenario="broken")
    with pytest.raises(ValueError, match=r"lr must be in \[1e-05, 10\], got 100"):
        DebugDashboard(lr=100)
    with pytest.raises(ValueError, match=r"epochs must be in \[1, 60\], got 61"):
        DebugDashboard(epochs=61)
    with pytest.raises(TypeError, match="normalize must be True or False"):
        DebugDashboard(normalize=1)
    with pytest.raises(TypeError, match="unknown setting"):
        DebugDashboard(batch=3)


def test_config_round_trip_gives_the_same_arrays():
    a = DebugDashboard(scenario="lr too small", epochs=3, init_scale=2.0)
    cfg = a.config
    assert json.loads(json.dumps(cfg)) == cfg and cfg["init_scale"] == 2.0
    b = DebugDashboard(**FAST)
    b.set_config(cfg)
    assert b.config == cfg
    np.testing.assert_array_equal(a.train_loss, b.train_loss)
    assert [str(d) for d in a.diagnostics] == [str(d) for d in b.diagnostics]
    assert b.controls["scenario"].value == "lr too small"
    plt.close(a.figure)
    plt.close(b.figure)


def test_no_figure_leak():
    before = plt.get_fignums()
    dash = DebugDashboard(**FAST)
    dash.controls["lr"].value = 0.01
    dash.update()
    dash.snapshot()
    assert len(plt.get_fignums()) <= len(before) + 1
    plt.close(dash.figure)
