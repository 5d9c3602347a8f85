"""Optimization plots: the returned artists carry the input data, updates happen in place,
and every plot renders to a PNG (set DLCOURSE_PNG_DIR to keep the PNGs and look at them)."""

import os
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

import dlcourse as dl
from dlcourse.plots.display import figure_png
from dlcourse.topics.ewa import bias_correct, ewa
from dlcourse.optim import schedules as S
from dlcourse.plots import (
    OPTIMIZER_LABELS,
    cost_gap,
    log_levels,
    plot_cost_curves,
    plot_ewa,
    plot_optimizer_paths,
    plot_paths,
    plot_schedules,
    plot_search,
    schedule_curve,
    update_cost_curves,
    update_ewa,
    update_paths,
    update_schedules,
    update_search,
)
from dlcourse.surfaces import SURFACES, get_surface

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def save_png(tmp_path):
    """Render a figure to PNG (kept in $DLCOURSE_PNG_DIR when set) and check it is one."""
    folder = Path(os.environ.get("DLCOURSE_PNG_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)

    def save(fig, name):
        data = figure_png(fig, dpi=60)
        assert data.startswith(PNG_SIGNATURE) and len(data) > 2000
        (folder / f"{name}.png").write_bytes(data)
        return data

    return save


def gd_path(surface, lr=0.01, steps=60, cls=dl.optim.SGD, **kw):
    p = dl.Parameter(surface.start)
    opt = cls([p], lr=lr, **kw)
    points = [p.value.copy()]
    for _ in range(steps):
        p.grad = surface.grad(p.value)
        opt.step()
        points.append(p.value.copy())
    return np.array(points)


def test_log_levels_crowd_near_the_minimum():
    J = np.linspace(-2.0, 98.0, 50)
    lv = log_levels(J, num=10, ratio=1e-3)
    assert lv[0] == -2.0 and lv[-1] == pytest.approx(98.0) and len(lv) == 11
    assert lv[1] == pytest.approx(-2.0 + 100.0 * 1e-3)
    assert np.all(np.diff(lv) > 0)
    gaps = lv[1:] - lv[0]
    np.testing.assert_allclose(gaps[1:] / gaps[:-1], gaps[1] / gaps[0])  # geometric
    default = log_levels(J, num=10)  # r = 0.5% quantile of (J - J_min) / span
    assert default[1] - default[0] == pytest.approx(np.quantile(J + 2.0, 0.005))
    with pytest.raises(ValueError, match="ratio"):
        log_levels(J, ratio=2.0)
    with pytest.raises(ValueError, match="no finite"):
        log_levels(np.full(4, np.nan))


@pytest.mark.parametrize("name", list(SURFACES))
def test_surface_contours_minima_and_paths_render(name, save_png):
    surface = get_surface(name)
    paths = {
        "sgd": gd_path(surface, 1e-3 if name == "rosenbrock" else 0.02),
        "adam": gd_path(surface, 0.05, cls=dl.optim.Adam),
    }
    fig = Figure(figsize=(5, 4))
    ax = fig.subplots()
    art = plot_optimizer_paths(ax, surface, paths)
    W0, W1, J = surface.grid(121)
    np.testing.assert_allclose(art["contour"].levels, log_levels(J, 20))
    np.testing.assert_array_equal(art["minima"].get_xydata(), np.array(surface.minima))
    assert len(art["saddles"].get_xdata()) == len(surface.saddle_points)
    for key, path in paths.items():
        np.testing.assert_array_equal(art["paths"][key].get_xydata(), path)
        np.testing.assert_array_equal(art["ends"][key].get_xydata(), path[-1:])
    np.testing.assert_array_equal(art["start"].get_xydata(), [surface.start])
    assert [t.get_text() for t in art["legend"].get_texts()] == ["SGD", "Adam"]
    (x0, x1), (y0, y1) = surface.bounds
    assert ax.get_xlim() == (x0, x1) and ax.get_ylim() == (y0, y1)
    save_png(fig, f"paths_{name}")


def test_paths_leaving_the_window_keep_their_data_and_nan_ends_are_skipped(save_png):
    surface = get_surface("quadratic")
    far = np.array([[-4.5, 3.0], [-20.0, 40.0], [300.0, -900.0]])
    stopped = np.array([[-4.5, 3.0], [-3.0, 2.0], [np.nan, np.nan], [np.nan, np.nan]])
    fig = Figure()
    ax = fig.subplots()
    art = plot_optimizer_paths(ax, surface, {"far": far, "stopped": stopped})
    np.testing.assert_array_equal(art["paths"]["far"].get_xydata(), far)
    np.testing.assert_array_equal(art["ends"]["stopped"].get_xydata(), [[-3.0, 2.0]])
    assert ax.get_xlim() == (-5.0, 5.0)  # the view did not follow the path out
    save_png(fig, "paths_clipped")


def test_update_paths_in_place_and_hide_missing_names():
    fig = Figure()
    ax = fig.subplots()
    a, b = np.zeros((3, 2)), np.ones((4, 2))
    art = plot_paths(ax, {"sgd": a, "momentum": b})
    n_children = len(ax.get_children())
    line = art["paths"]["sgd"]
    new = np.arange(10.0).reshape(5, 2)
    update_paths(art, {"sgd": new}, start=(7.0, 8.0))
    assert art["paths"]["sgd"] is line
    np.testing.assert_array_equal(line.get_xydata(), new)
    assert not art["paths"]["momentum"].get_visible()
    np.testing.assert_array_equal(art["start"].get_xydata(), [[7.0, 8.0]])
    assert len(ax.get_children()) == n_children
    assert line.get_color() == "#1f77b4" and line.get_label() == OPTIMIZER_LABELS["sgd"]


def test_cost_curves_are_gaps_on_a_log_axis(save_png):
    costs = {"sgd": np.array([5.0, 2.0, 1.0, 0.5]), "adam": np.array([5.0, 1.0, 0.0, -0.25])}
    fig = Figure()
    ax = fig.subplots()
    lines = plot_cost_curves(ax, costs, minimum=-0.25, legend=True)
    assert ax.get_yscale() == "log"
    np.testing.assert_allclose(lines["sgd"].get_ydata(), costs["sgd"] + 0.25)
    np.testing.assert_allclose(lines["adam"].get_ydata(), [5.25, 1.25, 0.25, 1e-12])
    np.testing.assert_array_equal(lines["sgd"].get_xdata(), np.arange(4))
    save_png(fig, "cost_curves")
    update_cost_curves(lines, {"sgd": np.array([3.0, np.nan])}, minimum=0.0)
    y = lines["sgd"].get_ydata()
    assert y[0] == 3.0 and np.isnan(y[1])
    assert not lines["adam"].get_visible()
    np.testing.assert_array_equal(cost_gap([1.0, 0.5], 1.0, floor=1e-6), [1e-6, 1e-6])


def test_ewa_plot_carries_the_averages(save_png):
    theta = np.random.default_rng(0).normal(10, 3, size=80)
    fig = Figure(figsize=(7, 3))
    ax = fig.subplots()
    art = plot_ewa(ax, theta, 0.9)
    np.testing.assert_array_equal(art["raw"].get_ydata(), theta)
    np.testing.assert_allclose(art["ewa"].get_ydata(), ewa(theta, 0.9))
    np.testing.assert_allclose(art["corrected"].get_ydata(), bias_correct(ewa(theta, 0.9), 0.9))
    np.testing.assert_array_equal(art["raw"].get_xdata(), np.arange(1, 81))
    assert len(art["legend"].get_texts()) == 3
    save_png(fig, "ewa")
    out = update_ewa(art, theta[:30], 0.5, corrected=False)
    np.testing.assert_allclose(art["ewa"].get_ydata(), ewa(theta[:30], 0.5))
    np.testing.assert_allclose(out["v_corrected"], ewa(theta[:30], 0.5, bias_correction=True))
    assert not art["corrected"].get_visible() and art["ewa"].get_visible()
    with pytest.raises(ValueError, match="beta"):
        update_ewa(art, theta, 1.0)


def test_schedule_curves(save_png):
    scheds = {
        "step": S.step_decay(0.1, 0.5, 10),
        "exp": S.exponential_decay(0.1, 0.05),
        "1/t": S.inverse_time_decay(0.1, 0.2),
        "staircase": S.staircase(0.1, 1.0, 10),
    }
    fig = Figure()
    ax = fig.subplots()
    lines = plot_schedules(ax, scheds, epochs=50)
    for label, sched in scheds.items():
        np.testing.assert_allclose(lines[label].get_ydata(), [sched(e) for e in range(50)])
        assert lines[label].get_drawstyle() == "steps-post"
    assert lines["step"].get_ydata()[10] == 0.05 and lines["staircase"].get_ydata()[10] == 0.05
    save_png(fig, "schedules")
    single = plot_schedules(Figure().subplots(), S.step_decay(1.0), epochs=5, log=True)
    assert list(single) == ["step_decay"]
    np.testing.assert_array_equal(single["step_decay"].get_ydata(), [1.0] * 5)
    curves = update_schedules(lines, {"step": S.constant(0.3)}, 7)
    np.testing.assert_array_equal(curves["step"], [0.3] * 7)
    assert not lines["exp"].get_visible()
    with pytest.raises(ValueError, match="epochs"):
        schedule_curve(S.constant(0.1), 0)


def test_search_plot(save_png):
    a, b = np.linspace(-4, 0, 41), np.linspace(-3, -1, 21)
    A, B = np.meshgrid(a, b)
    F = (A + 2) ** 2 + 0.01 * B
    trials = np.array([[-3.0, -2.0], [-1.0, -1.5], [-2.1, -2.9]])
    fig = Figure()
    ax = fig.subplots()
    art = plot_search(ax, a, b, F, trials, best=trials[2])
    np.testing.assert_array_equal(art["trials"].get_offsets(), trials)
    np.testing.assert_array_equal(art["best"].get_xydata(), trials[2:])
    np.testing.assert_array_equal(art["image"].get_array(), F)
    save_png(fig, "search")
    update_search(art, trials[:1], None, F=-F)
    assert len(art["trials"].get_offsets()) == 1 and len(art["best"].get_xdata()) == 0
    np.testing.assert_array_equal(art["image"].get_array(), -F)
