"""GradCheckExplorer driven headlessly through its real ipywidgets controls."""

from __future__ import annotations

import itertools
import json

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

import dlcourse as dl
from dlcourse.experiments.gradcheck_bugs import (
    BUG,
    BUGS,
    DROPOUT_MODES,
    EPS_GRID,
    GOOD,
    error_vs_eps,
    parameter_errors,
    planted_bug_problem,
    verdict,
)
from dlcourse.widgets.gradcheck_explorer import GradCheckExplorer

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def explorer():
    return GradCheckExplorer()


def test_default_is_a_correct_backprop_with_l2(explorer):
    assert explorer.message == ""
    assert set(explorer.errors) == {"W[1]", "b[1]", "W[2]", "b[2]", "W[3]", "b[3]"}
    assert max(explorer.errors.values()) < GOOD
    assert explorer.config["l2"] == 0.5


def test_errors_equal_a_direct_gradcheck_report():
    g = GradCheckExplorer(bug="activation derivative", dropout="on, mask fixed", l2=0.3, eps=1e-5)
    p = planted_bug_problem("activation derivative", "on, mask fixed", 0.3)
    direct = dl.gradcheck_report(p.model, p.loss, p.X, p.y, eps=1e-5, l2=p.l2, fix_dropout=True)
    assert list(g.errors.values()) == list(direct.values())
    fresh = planted_bug_problem("activation derivative", "on, mask fixed", 0.3)
    assert g.overall == dl.gradcheck(
        fresh.model, fresh.loss, fresh.X, fresh.y, eps=1e-5, l2=fresh.l2
    )


def test_activation_bug_through_the_dropdown_pinpoints_the_layer(explorer):
    explorer.controls["bug"].value = "activation derivative"
    e = explorer.errors
    assert e["W[3]"] < GOOD and e["b[3]"] < GOOD
    assert e["W[2]"] > BUG and e["W[1]"] > BUG
    assert "wrong: W[1], b[1], W[2], b[2]" in explorer._summary.get_text()
    explorer.controls["bug"].value = "none"


def test_forgotten_l2_needs_lambda(explorer):
    explorer.controls["bug"].value = "forgotten L2 gradient"
    assert explorer.errors["W[1]"] > BUG and explorer.errors["b[1]"] < GOOD
    explorer.controls["l2"].value = 0.0
    assert max(explorer.errors.values()) < GOOD
    explorer.set_config(GradCheckExplorer.defaults)


def test_dropout_modes(explorer):
    explorer.controls["dropout"].value = "on, mask fixed"
    assert max(explorer.errors.values()) < GOOD
    explorer.controls["dropout"].value = "on, mask not fixed"
    assert min(explorer.errors.values()) > 1e-2
    assert "dropout mask" in explorer._summary.get_text()
    explorer.set_config(GradCheckExplorer.defaults)


def test_eps_slider_moves_along_the_sweep_curve(explorer):
    slider = explorer.controls["eps"]
    slider.value = 1e-2
    big = explorer.overall
    slider.value = 1e-6
    assert big > 100 * explorer.overall  # truncation error O(eps^2)
    i = int(np.argmin(np.abs(np.log10(EPS_GRID) + 6)))
    assert explorer.sweep[i] == pytest.approx(explorer.overall, rel=1e-12)
    np.testing.assert_allclose(explorer._marker.get_data()[0], [1e-6])


def test_sweep_shows_truncation_and_round_off():
    sweep = error_vs_eps("none", "off", 0.0)
    best = int(np.argmin(sweep))
    assert 1e-8 < EPS_GRID[best] < 1e-3  # the sweet spot is in between
    assert sweep[0] > 100 * sweep[best] and sweep[-1] > 100 * sweep[best]


def test_forward_pass_count(explorer):
    n = sum(p.value.size for p in planted_bug_problem().model.parameters())
    assert explorer.n_entries == n and explorer.forward_passes == 2 * n


def test_extremes_never_raise_and_never_leak_figures():
    g = GradCheckExplorer()
    before = len(plt.get_fignums())
    c = g.controls
    ends = itertools.cycle([(c["eps"].min, c["l2"].min), (c["eps"].max, c["l2"].max)])
    for (bug, drop), (eps, l2) in zip(itertools.product(BUGS, DROPOUT_MODES), ends):
        c["bug"].value, c["dropout"].value, c["l2"].value = bug, drop, l2
        for exponent in (eps, c["eps"].min + c["eps"].max - eps):
            c["eps"].value = 10.0**exponent
            assert g.message == "", (bug, drop, exponent, l2, g.message)
            assert all(np.isfinite(v) for v in g.errors.values())
    assert len(plt.get_fignums()) == before


def test_config_round_trip_gives_the_same_arrays():
    cfg = {"eps": 1e-4, "bug": "missing 1/m", "dropout": "on, mask fixed", "l2": 1.0, "seed": 3}
    a = GradCheckExplorer(**cfg)
    assert json.loads(json.dumps(a.config)) == a.config
    b = GradCheckExplorer()
    b.set_config(a.config)
    assert b.errors == a.errors
    np.testing.assert_array_equal(a.sweep, b.sweep)
    assert {k: w.value for k, w in b.controls.items()} == {k: cfg[k] for k in b.controls}


@pytest.mark.parametrize(
    "bad, words",
    [
        ({"eps": 0.5}, "eps"),
        ({"eps": 0.0}, "eps"),
        ({"bug": "typo"}, "bug"),
        ({"dropout": "maybe"}, "dropout"),
        ({"l2": -1.0}, "l2"),
        ({"seed": -2}, "seed"),
        ({"colour": "red"}, "unknown setting"),
    ],
)
def test_bad_settings_name_the_argument(bad, words):
    with pytest.raises((ValueError, TypeError), match=words):
        GradCheckExplorer(**bad)


def test_verdicts_and_parameter_errors_names():
    assert verdict(1e-9) == "correct" and verdict(1e-5) == "look closer" and verdict(0.1) == "a bug"
    assert list(parameter_errors()) == ["W[1]", "b[1]", "W[2]", "b[2]", "W[3]", "b[3]"]


def test_displays_without_error():
    g = GradCheckExplorer()
    view = g.view
    assert g.image in view.children
