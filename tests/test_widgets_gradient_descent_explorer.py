"""GradientDescentExplorer driven headlessly through its real ipywidgets controls."""

from __future__ import annotations

import itertools
import json

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlcourse.topics import gd1d
from dlcourse.widgets.gradient_descent_explorer import GradientDescentExplorer

matplotlib.use("Agg")


def test_defaults_construct_without_message_and_match_a_direct_descent():
    g = GradientDescentExplorer()
    assert g.message == ""
    assert g.config == {"cost": "quadratic", "lr": 0.1, "steps": 30, "w0": -1.0}
    direct = gd1d.descend(gd1d.course_quadratic(), -1.0, 0.1, 30)
    np.testing.assert_array_equal(g.path.ws, direct.ws)
    np.testing.assert_array_equal(g.path.costs, direct.costs)
    assert g.minimum == 0.0


def test_lr_is_a_log_slider_and_moving_it_recomputes():
    import ipywidgets as W

    g = GradientDescentExplorer()
    assert isinstance(g.controls["lr"], W.FloatLogSlider)
    g.controls["lr"].value = 0.5
    assert g.config["lr"] == pytest.approx(0.5)
    assert g.path.final == pytest.approx(5.0)
    # the path drawn is the path computed
    x, y = g._path_dots.get_data()
    np.testing.assert_allclose(x, g.path.ws)


def test_too_large_lr_gives_a_plain_message_naming_the_limit():
    g = GradientDescentExplorer()
    g.controls["lr"].value = 10.0
    assert g.diverging and g.message.startswith("diverged at step")
    assert "2/J''(w*) = 1" in g.message
    g.controls["lr"].value = 1.2
    assert "running away" in g.message and not g.diverging
    g.controls["lr"].value = 0.2
    assert g.message == ""


def test_changing_the_cost_moves_the_start_into_the_new_window():
    g = GradientDescentExplorer()
    g.controls["cost"].value = "double_well"
    cost = gd1d.double_well()
    assert g.config["w0"] == cost.start
    assert (g.controls["w0"].min, g.controls["w0"].max) == cost.bounds
    g.controls["steps"].value = 200
    assert g.path.final == pytest.approx(cost.minima[1], abs=1e-6)  # from 1.9: the shallow well
    g.controls["w0"].value = -0.5
    assert g.path.final == pytest.approx(cost.minima[0], abs=1e-6)  # from -0.5: the deep one


def test_extreme_settings_never_raise():
    g = GradientDescentExplorer()
    for cost, lr, steps in itertools.product(
        sorted(gd1d.COSTS_1D), [1e-3, 0.3, 1.0, 10.0], [1, 200]
    ):
        g.controls["cost"].value = cost
        g.controls["lr"].value = lr
        g.controls["steps"].value = steps
        for w0 in (g.controls["w0"].min, g.controls["w0"].max):
            g.controls["w0"].value = w0
            assert isinstance(g.message, str)
            assert len(g.path.ws) >= 2 or g.path.diverged_at is not None


def test_config_round_trip_gives_the_same_arrays():
    g = GradientDescentExplorer(cost="quartic", lr=0.3, steps=50, w0=3.0)
    cfg = json.loads(json.dumps(g.config))
    ws = g.path.ws.copy()
    g.controls["lr"].value = 0.01
    g.set_config(cfg)
    np.testing.assert_array_equal(g.path.ws, ws)
    h = GradientDescentExplorer(**cfg)
    np.testing.assert_array_equal(h.path.ws, ws)
    assert h.controls["w0"].value == 3.0


@pytest.mark.parametrize(
    "bad, match",
    [
        (dict(cost="bowl"), "unknown cost 'bowl'"),
        (dict(lr=0), r"lr must be in \[0.001, 10\], got 0"),
        (dict(steps=0), r"steps must be in \[1, 200\], got 0"),
        (dict(w0=50.0), r"w0 must be in \[-2, 12\], got 50.0 \(the quadratic window\)"),
        (dict(colour="red"), "unknown setting"),
    ],
)
def test_bad_settings_by_keyword_name_themselves(bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        GradientDescentExplorer(**bad)


def test_no_figure_leak():
    before = len(plt.get_fignums())
    g = GradientDescentExplorer()
    for lr in (0.01, 0.1, 0.9):
        g.controls["lr"].value = lr
    assert len(plt.get_fignums()) == before
    assert len(g.ax_curve.lines) == 5  # curve, path line, dots, start, end: updated in place


def test_quartic_divergence_message_never_prints_an_infinite_limit():
    g = GradientDescentExplorer(cost="quartic", lr=3.0, steps=50, w0=3.0)
    assert g.path.diverged_at is not None
    assert "inf" not in g.message and "depends on the start" in g.message
