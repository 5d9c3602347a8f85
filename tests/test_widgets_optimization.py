"""The optimization dashboards, driven headlessly through their real ipywidgets objects.

Each result is checked against a direct computation with the package; every control is
swept to its extremes (alone and in pairs) with no exception; a config survives a JSON round
trip onto a fresh dashboard; figures and artists do not pile up over 100 updates.
"""

import io
import itertools
import json
import warnings

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
import pytest

import dlcourse as dl
from dlcourse.datasets import moons, temperatures
from dlcourse.experiments.race import DIVERGENCE_RADIUS
from dlcourse.experiments.search_toy import toy_objective
from dlcourse.optim import schedules as S
from dlcourse.plots.display import figure_png
from dlcourse.search import grid_search, log_uniform, one_minus_log_uniform
from dlcourse.surfaces import SURFACES, get_surface
from dlcourse.topics.ewa import bias_correct, ewa
from dlcourse.widgets import (
    EWAExplorer,
    OptimizerRace,
    ScheduleExplorer,
    SearchExplorer,
)
from dlcourse.widgets.optimizer_race import OPTIMIZER_NAMES

DASHBOARDS = [OptimizerRace, EWAExplorer, ScheduleExplorer, SearchExplorer]
ALLOWED_MESSAGES = {  # what each dashboard may say; anything else is a caught bug
    OptimizerRace: ("diverged: ", "no optimizer chosen"),
    EWAExplorer: (),
    ScheduleExplorer: ("the scheduled run diverged", "the constant-α run diverged"),
    SearchExplorer: (),
}


def watch(dashboard):
    """Record every exception the base class catches (it would only show as a message)."""
    caught = []
    explain = dashboard._explain

    def record(exc):
        caught.append(exc)
        return explain(exc)

    dashboard._explain = record
    return caught


def extremes(widget):
    """The values at the ends of a control's range (all options for a choice)."""
    if isinstance(widget, W.FloatLogSlider):
        return [widget.base**widget.min, widget.base**widget.max]
    if isinstance(widget, (W.FloatSlider, W.IntSlider)):
        return [widget.min, widget.max]
    if isinstance(widget, W.Dropdown):
        return list(widget.options)
    if isinstance(widget, W.SelectionSlider):  # a beta: the ends of its 1 - beta scale
        return [widget.options[0], widget.options[-1]]
    if isinstance(widget, W.Checkbox):
        return [False, True]
    if hasattr(widget, "checkboxes"):  # OptimizerRace's checkbox group
        return [(), tuple(widget.options), (widget.options[0],), (widget.options[-1],)]
    raise AssertionError(f"no extremes for {widget!r}")


def render(fig):
    """Draw the figure once with Agg (small and uncompressed: fast)."""
    fig.savefig(io.BytesIO(), format="rgba", dpi=20)


def artist_counts(fig):
    return (
        len(fig.axes),
        tuple(len(ax.get_children()) for ax in fig.axes),
        len(fig.texts),
        len(fig.legends),
        len(plt.get_fignums()),
    )


def results(d):
    """The arrays a dashboard exposes, flattened into a dict for comparison."""
    if isinstance(d, OptimizerRace):
        out = {f"path_{k}": v for k, v in d.paths.items()}
        out.update({f"cost_{k}": v for k, v in d.costs.items()})
        return out
    if isinstance(d, EWAExplorer):
        return {"theta": d.theta, "v": d.v, "vc": d.v_corrected}
    if isinstance(d, ScheduleExplorer):
        return {"lr": d.lr, "cost": d.cost, "cost_constant": d.cost_constant}
    return {"grid": d.grid_trials, "random": d.random_trials}


def assert_same_results(a, b):
    ra, rb = results(a), results(b)
    assert ra.keys() == rb.keys()
    for key in ra:
        np.testing.assert_array_equal(ra[key], rb[key], err_msg=key)


# ---------------------------------------------------------------------------- all dashboards


@pytest.mark.parametrize("cls", DASHBOARDS)
def test_constructs_with_no_arguments_and_shows_itself(cls):
    d = cls()
    assert d.message == ""
    assert set(d.controls) <= set(d.config) and json.loads(json.dumps(d.config)) == d.config
    assert d.figure.axes
    view = d.view
    assert isinstance(view, W.VBox) and d._message_label in view.children
    figure_png(d.figure)  # the default picture renders
    d.snapshot()  # outside a notebook display() just prints a repr


@pytest.mark.parametrize("cls", DASHBOARDS)
def test_unknown_or_bad_keywords_are_refused_by_name(cls):
    with pytest.raises(TypeError, match="unknown setting"):
        cls(not_a_setting=1)
    key = next(
        k
        for k, v in cls.defaults.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    )
    with pytest.raises((ValueError, TypeError), match=key):
        cls(**{key: -1e9})


@pytest.mark.parametrize("cls", DASHBOARDS)
def test_every_control_at_its_extremes_alone_and_in_pairs(cls):
    d = cls()
    caught = watch(d)
    allowed = ALLOWED_MESSAGES[cls]
    names = list(d.controls)

    def check(state):
        assert not caught, f"{cls.__name__} {state}: {caught[-1]!r}"
        assert d.message == "" or d.message.startswith(allowed), (state, d.message)

    for name in names:  # one control at a time
        for value in extremes(d.controls[name]):
            d.controls[name].value = value
            check({name: value})
            render(d.figure)  # the state also draws
        d.set_config(cls.defaults)
    for a, b in itertools.combinations(names, 2):  # pairs of extremes
        d.set_config(cls.defaults)
        for va in extremes(d.controls[a])[:2]:
            d.controls[a].value = va
            for vb in extremes(d.controls[b])[:2]:
                d.controls[b].value = vb
                check({a: va, b: vb})


@pytest.mark.parametrize("cls", DASHBOARDS)
def test_config_round_trips_through_json_onto_a_fresh_dashboard(cls):
    d = cls()
    for name, widget in list(d.controls.items())[:4]:  # move some controls off default
        values = extremes(widget)
        widget.value = values[-1] if widget.value != values[-1] else values[0]
    cfg = json.loads(json.dumps(d.config))
    fresh = cls()
    fresh.set_config(cfg)
    assert fresh.config == d.config
    assert_same_results(d, fresh)
    assert_same_results(d, cls(**cfg))
    assert np.array_equal(plt.imread(_png(d)), plt.imread(_png(fresh)))  # same picture
    d.set_config(cfg)  # a reset is stable
    assert_same_results(d, fresh)


def _png(d):
    return io.BytesIO(figure_png(d.figure, dpi=40))


@pytest.mark.parametrize("cls", DASHBOARDS)
def test_no_figures_or_artists_pile_up_over_100_updates(cls):
    d = cls()
    render(d.figure)
    before = artist_counts(d.figure)
    # a cheap control moves every update, a structural one every 10th (the race redraws its
    # contours, the EWA regenerates its series, the schedule retrains, the search reseeds)
    cheap, structural = {
        OptimizerRace: ("lr", "surface"),
        EWAExplorer: ("beta", "days"),
        ScheduleExplorer: ("schedule", "lr0"),
        SearchExplorer: ("trials", "seed"),
    }[cls]
    widget, other = d.controls[cheap], d.controls[structural]
    values, others = extremes(widget), extremes(other)
    for i in range(100):
        widget.value = values[i % len(values)]
        if i % 10 == 0:
            other.value = others[(i // 10) % len(others)]
    widget.value = values[0]
    d.set_config(cls.defaults)
    render(d.figure)
    assert artist_counts(d.figure) == before
    assert d.message == ""


# ---------------------------------------------------------------------------- OptimizerRace


def direct_race(surface, name, start, steps, lr, beta, beta1, beta2):
    """The same race written out with dl.optim, stopping where the path leaves the plane."""
    p = dl.Parameter(np.array(start, dtype=float))
    make = {
        "sgd": lambda: dl.optim.SGD([p], lr=lr),
        "momentum": lambda: dl.optim.Momentum([p], lr=lr, beta=beta),
        "nesterov": lambda: dl.optim.SGD([p], lr=lr * (1 - beta), momentum=beta, nesterov=True),
        "rmsprop": lambda: dl.optim.RMSProp([p], lr=lr, beta=beta),
        "adagrad": lambda: dl.optim.AdaGrad([p], lr=lr),
        "adam": lambda: dl.optim.Adam([p], lr=lr, beta1=beta1, beta2=beta2),
    }
    opt = make[name]()
    points = [p.value.copy()]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            p.grad = surface.grad(p.value)
            opt.step()
            points.append(p.value.copy())
    return np.array(points)


def test_race_paths_equal_a_direct_loop_of_each_optimizer():
    race = OptimizerRace()
    c = race.controls
    c["optimizers"].value = OPTIMIZER_NAMES
    c["surface"].value = "rosenbrock"
    before = {k: v.copy() for k, v in race.paths.items()}
    c["lr"].value = 0.002
    c["beta"].value = 0.8
    c["beta1"].value = 0.85
    c["beta2"].value = 0.99
    c["steps"].value = 120
    c["start_x"].value = -1.0
    c["start_y"].value = 1.5
    surface = get_surface("rosenbrock")
    assert race.message == ""
    for name in OPTIMIZER_NAMES:
        assert race.paths[name].shape == (121, 2)
        assert not np.array_equal(race.paths[name][:100], before[name][:100])
        expected = direct_race(surface, name, (-1.0, 1.5), 120, 0.002, 0.8, 0.85, 0.99)
        np.testing.assert_array_equal(race.paths[name], expected, err_msg=name)
        np.testing.assert_array_equal(race.costs[name], surface.value(expected))
        line = race._path_artists["paths"][name]
        np.testing.assert_array_equal(line.get_xydata(), expected)  # the plot shows them


def test_race_divergence_stops_the_path_and_names_the_optimizer():
    race = OptimizerRace(surface="quadratic", optimizers=["sgd", "adam"], steps=300)
    race.controls["lr"].value = 10.0
    sgd, adam = race.paths["sgd"], race.paths["adam"]
    t = race.diverged["sgd"]
    assert t is not None and race.diverged["adam"] is None
    assert sgd.shape == (301, 2)
    assert np.all(np.isfinite(sgd[:t])) and np.all(np.isnan(sgd[t:]))
    assert np.isnan(race.costs["sgd"][t])
    expected = direct_race(get_surface("quadratic"), "sgd", (-4.5, 3.0), 300, 10.0, 0.9, 0.9, 0.999)
    np.testing.assert_array_equal(sgd[:t], expected[:t])
    assert np.max(np.abs(expected[t])) > DIVERGENCE_RADIUS or not np.all(np.isfinite(expected[t]))
    assert "SGD at step" in race.message and "too large" in race.message
    assert "Adam" not in race.message and np.all(np.isfinite(adam))
    # said under the figure and in the legend, not in a note across the paths and costs
    assert race._message_label.value.count("SGD at step") == 1 and not race._note.get_visible()
    assert [x.get_text() for x in race._legend.get_texts()] == [
        f"SGD (diverged, step {t})",
        "Adam",
    ]
    figure_png(race.figure)
    race.controls["lr"].value = 0.01
    assert race.message == "" and not race._note.get_visible()


def test_race_paths_leaving_the_window_keep_their_data():
    race = OptimizerRace(surface="quadratic", optimizers=["sgd"], lr=0.21, steps=40)
    path = race.paths["sgd"]
    assert race.diverged["sgd"] is None and np.all(np.isfinite(path))
    assert np.abs(path[:, 1]).max() > 5.0  # outside the [-5, 5] window
    np.testing.assert_array_equal(race._path_artists["paths"]["sgd"].get_xydata(), path)
    assert race.ax_paths.get_ylim() == (-5.0, 5.0)


def test_race_surface_change_resets_the_start_and_the_slider_ranges():
    race = OptimizerRace()
    race.controls["start_x"].value = 1.0
    for name in SURFACES:
        race.controls["surface"].value = name
        s = get_surface(name)
        (x0, x1), (y0, y1) = s.bounds
        sx, sy = race.controls["start_x"], race.controls["start_y"]
        assert (sx.min, sx.max, sy.min, sy.max) == (x0, x1, y0, y1)
        assert (race.config["start_x"], race.config["start_y"]) == tuple(s.start)
        np.testing.assert_array_equal(race.paths["sgd"][0], s.start)
        assert race.ax_paths.get_xlim() == (x0, x1)


def test_race_checkboxes_choose_the_racers():
    race = OptimizerRace()
    group = race.controls["optimizers"]
    group.checkboxes["adagrad"].value = True
    assert list(race.paths) == ["sgd", "momentum", "rmsprop", "adagrad", "adam"]
    assert race.config["optimizers"] == list(race.paths)
    for name in list(race.paths):
        group.checkboxes[name].value = False
    assert race.paths == {} and race.message.startswith("no optimizer chosen")
    group.value = ["adam", "sgd"]  # order follows the options
    assert group.checkboxes["adam"].value and list(race.paths) == ["sgd", "adam"]
    assert [t.get_text() for t in race._legend.get_texts()] == ["SGD", "Adam"]


# ---------------------------------------------------------------------------- EWAExplorer


def test_ewa_explorer_matches_dlcourse_ewa():
    d = EWAExplorer()
    v_before = d.v.copy()
    d.controls["beta"].value = 0.98
    d.controls["days"].value = 200
    d.controls["noise"].value = 5.0
    _, theta = temperatures(200, 5.0, rng=0)
    np.testing.assert_array_equal(d.theta, theta)
    np.testing.assert_array_equal(d.v, ewa(theta, 0.98))
    np.testing.assert_array_equal(d.v_corrected, bias_correct(ewa(theta, 0.98), 0.98))
    assert not np.array_equal(d.v[:100], v_before)
    assert "= 50 days" in d.ax.get_title() and d.window == pytest.approx(50)
    np.testing.assert_array_equal(d._artists["corrected"].get_ydata(), d.v_corrected)
    assert d._band.get_width() == pytest.approx(50) and d._band.get_x() == pytest.approx(150.5)
    d.controls["bias_correction"].value = False
    assert not d._artists["corrected"].get_visible() and "without" in d.ax.get_title()
    d.controls["beta"].value = 0.999
    assert "1000 days" in d.ax.get_title() and d._band.get_width() == 200


# ---------------------------------------------------------------------------- ScheduleExplorer


def direct_fit(schedule, lr0, epochs=50, seed=0):
    X, y = moons(200, 0.2, rng=seed)
    gen = np.random.default_rng(seed)
    model = dl.Sequential([dl.Dense(2, 16, rng=gen), dl.ReLU(), dl.Dense(16, 2, rng=gen)])
    return dl.fit(
        model,
        X,
        y,
        loss=dl.SoftmaxCrossEntropy(),
        optimizer=dl.optim.SGD(model.parameters(), lr=lr0),
        epochs=epochs,
        batch_size=32,
        schedule=schedule,
        seed=seed,
    )


def test_schedule_explorer_cost_equals_fit_with_the_same_schedule():
    d = ScheduleExplorer()
    cost_before = d.cost.copy()
    d.controls["schedule"].value = "staircase"
    d.controls["lr0"].value = 1.0
    d.controls["decay_rate"].value = 0.5
    d.controls["every"].value = 5
    d.controls["epochs"].value = 30
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # but not a library's own deprecations (matplotlib 3.8.0 parsing math text with
        # a newer pyparsing): a learner never sees those (Dashboard.guard drops them)
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"(?!dlcourse)")
        h = direct_fit(S.staircase(1.0, 0.5, every=5), 1.0, epochs=30)
        ref = direct_fit(None, 1.0, epochs=30)
    np.testing.assert_array_equal(d.cost, h.loss)
    np.testing.assert_array_equal(d.cost_constant, ref.loss)
    np.testing.assert_allclose(d.lr, [S.staircase(1.0, 0.5, 5)(e) for e in range(30)])
    np.testing.assert_array_equal(d.lr, h.lr)  # what fit actually used
    assert not np.array_equal(d.cost, cost_before[:30])
    np.testing.assert_array_equal(d._cost_line.get_ydata(), h.loss)
    assert d.controls["drop"].disabled and not d.controls["every"].disabled
    d.controls["schedule"].value = "exponential_decay"
    h = direct_fit(S.exponential_decay(1.0, k=0.5), 1.0, epochs=30)
    np.testing.assert_array_equal(d.cost, h.loss)
    assert d.controls["every"].disabled and not d.controls["decay_rate"].disabled


def test_schedule_explorer_constant_run_is_the_reference():
    d = ScheduleExplorer(schedule="constant", epochs=20)
    np.testing.assert_array_equal(d.cost, d.cost_constant)
    np.testing.assert_array_equal(d.lr, d.lr_constant)
    np.testing.assert_array_equal(d.cost, direct_fit(None, 2.0, epochs=20).loss)


# ---------------------------------------------------------------------------- SearchExplorer


def test_search_explorer_grid_and_random_with_the_same_budget():
    d = SearchExplorer()
    d.controls["trials"].value = 16
    d.controls["seed"].value = 4
    assert len(d.grid_trials) == 16 and len(d.random_trials) == 16
    assert d.distinct == {"grid": 4, "random": 16}
    space = {"lr": log_uniform(1e-4, 1.0), "beta": one_minus_log_uniform(0.9, 0.999)}
    grid = grid_search(toy_objective, space, points_per_axis=4)
    np.testing.assert_allclose(
        d.grid_trials, [[t["params"]["lr"], t["params"]["beta"]] for t in grid.trials]
    )
    np.testing.assert_allclose(np.unique(d.grid_trials[:, 0]), np.logspace(-4, 0, 4))
    rng = np.random.default_rng(4)  # random_search draws lr, then beta
    lr = 10 ** rng.uniform(-4, 0, 16)
    beta = 1 - 10 ** rng.uniform(-3, -1, 16)
    np.testing.assert_allclose(d.random_trials, np.column_stack([lr, beta]))
    for trials, best in ((d.grid_trials, d.grid_best), (d.random_trials, d.random_best)):
        errors = [toy_objective({"lr": a, "beta": b}) for a, b in trials]
        assert best["score"] == pytest.approx(min(errors))
    assert "4 distinct α" in d.ax_grid.get_title() and "16 distinct α" in d.ax_random.get_title()
    np.testing.assert_allclose(
        d._heat["random"]["trials"].get_offsets(),
        np.column_stack([np.log10(lr), np.log10(1 - beta)]),
    )
    d.controls["trials"].value = 10  # 3 x 3 grid within budget
    assert d.grid_shape == (3, 3) and len(d.grid_trials) == 9 and d.distinct["random"] == 10


def test_toy_objective_is_dominated_by_the_learning_rate():
    lr = np.logspace(-4, 0, 41)
    beta = 1 - np.logspace(-3, -1, 21)
    F = np.array([[toy_objective({"lr": a, "beta": b}) for a in lr] for b in beta])
    assert np.ptp(F, axis=1).min() > 0.5  # along alpha the error moves a lot
    assert np.ptp(F, axis=0).max() <= 0.0151  # along beta barely
    assert toy_objective({"lr": 0.02, "beta": 0.99}) == pytest.approx(0.08)


# ---------------------------------------------------------------------------- browser echoes


def test_a_slider_echo_rounded_to_its_step_is_not_a_move():
    """A rendered slider sends its value back rounded to its grid (a FloatLogSlider as
    10**exponent): the setting keeps its exact value and nothing is recomputed."""
    race = OptimizerRace()
    paths = race.paths
    race.controls["lr"].value = 10**-1.3  # what the browser sends for 0.05
    assert race.config["lr"] == 0.05 and race.paths is paths
    race.controls["lr"].value = 10**-1.25  # one step of the slider: a real move
    assert race.config["lr"] == 10**-1.25 and race.paths is not paths
    ewa_d = EWAExplorer()
    ewa_d.controls["beta"].value = 0.9000000000000001
    assert ewa_d.config["beta"] == 0.9
    ewa_d.controls["beta"].value = 0.901
    assert ewa_d.config["beta"] == 0.901
    for key in ("start_x", "start_y"):  # suggested starts lie on the grid
        for name in SURFACES:
            race.controls["surface"].value = name
            s = race.controls[key]
            k = (s.value - s.min) / s.step
            assert abs(k - round(k)) < 1e-9, (name, key)
