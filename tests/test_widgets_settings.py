"""Declared dashboard settings (dlcourse.widgets.settings) and the contract every dashboard
gets from them: the control each declaration builds, one message style for bad keywords,
beta on a log scale of 1 - beta, live vs structural, and choices read from the registries."""

from typing import ClassVar

import ipywidgets as W
import matplotlib
import numpy as np
import pytest
import traitlets

matplotlib.use("Agg")

from dlcourse import activations, datasets, optim, widgets
from dlcourse.widgets.base import Dashboard
from dlcourse.widgets.settings import (
    Buttons,
    Choice,
    Flag,
    IntRange,
    LogRange,
    OneMinusLog,
    Range,
    Select,
    Subset,
    Widths,
    Within,
    one_minus_log_grid,
)
from dlcourse._checks import check_number
from dlcourse.widgets.controls import GridSlider, ToggleGroup, WidthsControl

ALL = [getattr(widgets, name) for name in widgets.__all__ if name != "Dashboard"]


# ---------------------------------------------------------------------------- declarations


def test_one_dashboard_per_name_and_each_declares_its_settings():
    assert len(ALL) == 14
    for cls in ALL:
        assert cls.settings, cls.__name__
        assert set(cls.defaults) == set(cls.settings), cls.__name__


def test_range_builds_a_float_slider_and_checks_its_interval():
    s = Range(0.2, "noise", lo=0.0, hi=1.0, step=0.05)
    w = s.build(0.2, {"continuous_update": False})
    assert type(w) is W.FloatSlider and (w.min, w.max, w.step, w.value) == (0.0, 1.0, 0.05, 0.2)
    assert w.description == "noise" and w.continuous_update is False and w.readout
    w = Range(0.2, "noise", widget={"readout": False, "continuous_update": True}).build(
        0.2, {"continuous_update": False}
    )  # the declaration's keywords win
    assert not w.readout and w.continuous_update is True
    assert s.check("noise", 1, {}) == 1
    with pytest.raises(ValueError, match=r"^noise must be in \[0, 1\], got 1.5$"):
        s.check("noise", 1.5, {})
    with pytest.raises(TypeError, match="noise must be a real number, got 'x'"):
        s.check("noise", "x", {})
    with pytest.raises(ValueError, match=r"^f must be in \(0, 1\), got 0$"):
        Range(lo=0.0, hi=1.0, open=True).check("f", 0, {})


def test_int_range_refuses_floats_and_bools_and_may_be_unbounded():
    s = IntRange(3, "depth", lo=1, hi=10)
    w = s.build(3, {})
    assert type(w) is W.IntSlider and (w.min, w.max, w.value) == (1, 10, 3)
    for bad in (2.0, True):
        with pytest.raises(TypeError, match=f"depth must be an int, got {bad!r}"):
            s.check("depth", bad, {})
    with pytest.raises(ValueError, match=r"^depth must be in \[1, 10\], got 11$"):
        s.check("depth", 11, {})
    with pytest.raises(ValueError, match="^seed must be >= 0, got -1$"):
        IntRange(lo=0).check("seed", -1, {})


def test_log_range_is_always_a_float_log_slider_and_accepts_its_own_ends():
    s = LogRange(0.01, "α (lr)", lo=1e-4, hi=10.0, step=0.1)
    w = s.build(0.01, {})
    assert type(w) is W.FloatLogSlider and w.base == 10 and (w.min, w.max) == (-4.0, 1.0)
    for end in (w.base**w.min, w.base**w.max):  # what the slider's ends give
        s.check("lr", end, {})
    for bad in (0, 1e-5, 11.0):
        with pytest.raises(ValueError, match=rf"^lr must be in \[0.0001, 10\], got {bad!r}$"):
            s.check("lr", bad, {})


def test_choice_lists_the_valid_names_in_check_choice_voice():
    s = Choice("b", "pick", options={"a": 1, "b": 2, "c": 3}, exclude=("c",))
    w = s.build("b", {})
    assert type(w) is W.Dropdown and w.options == ("a", "b") and w.value == "b"
    with pytest.raises(ValueError, match="^unknown pick 'c'; valid: 'a', 'b'$"):
        s.check("pick", "c", {})
    labelled = Choice("a", "pick", options=("a", "b"), labels={"a": "first"}).build("a", {})
    assert labelled.label == "first" and labelled.value == "a"


def test_flag_and_select():
    w = Flag(True, "on").build(True, {"indent": False})
    assert type(w) is W.Checkbox and w.value is True and w.indent is False
    with pytest.raises(TypeError, match="^on must be True or False, got 1$"):
        Flag().check("on", 1, {})
    s = Select(32, "batch size", values=(1, 32, "full"))
    w = s.build(32, {})
    assert type(w) is W.SelectionSlider and w.options == (1, 32, "full")
    assert s.check("batch_size", "full", {}) == "full" and s.check("b", 32.0, {}) == 32
    for bad in (48, True):  # True == 1, yet it is not a batch size
        with pytest.raises(ValueError, match=f"^unknown b {bad!r}; valid: 1, 32, 'full'$"):
            s.check("b", bad, {})


def test_select_with_extend_gives_any_accepted_value_a_position():
    s = Select(20, "epochs", values=(10, 20, 50), extend=IntRange(lo=1, hi=1000))
    w = s.build(7, {})
    assert isinstance(w, GridSlider) and w.options == (7, 10, 20, 50) and w.value == 7
    w.value = 30
    assert w.options == (7, 10, 20, 30, 50) and w.value == 30 and w.label == "30"
    with pytest.raises(traitlets.TraitError):
        w.value = 5000
    with pytest.raises(ValueError, match=r"epochs must be in \[1, 1000\], got 0"):
        s.check("epochs", 0, {})


def test_subset_keeps_the_options_order_and_names_a_wrong_item():
    class Group(W.HBox):
        def __init__(self, options, value, description, labels=None):
            super().__init__()
            self.options, self.value, self.description = options, value, description

    s = Subset(["a"], "pick:", options=("a", "b", "c"), control=Group)
    assert s.check("pick", ("c", "a"), {}) == ["a", "c"]
    with pytest.raises(ValueError, match="unknown pick 'd'; valid: 'a', 'b', 'c'"):
        s.check("pick", ["a", "d"], {})
    with pytest.raises(TypeError, match="pick must be a list of names, got 'a'"):
        s.check("pick", "a", {})
    assert s.build(["a"], {}).options == ("a", "b", "c")


def test_buttons_is_a_choice_on_toggle_buttons():
    s = Buttons("b", "", options={"a": 1, "b": 2}, labels={"a": "first"})
    w = s.build("b", {"style": {"button_width": "50px"}})
    assert (
        type(w) is W.ToggleButtons and w.value == "b" and w.options == (("first", "a"), ("b", "b"))
    )
    assert w.description == "" and w.style.button_width == "50px"
    with pytest.raises(ValueError, match="^unknown data 'c'; valid: 'a', 'b'$"):
        s.check("data", "c", {})


def test_subset_minimum_and_the_toggle_group():
    s = Subset(
        ["a"],
        "",
        options=("a", "b", "c"),
        labels={"a": "A"},
        control=ToggleGroup,
        minimum=1,
        widget={"button_width": "40px"},
    )
    with pytest.raises(ValueError, match=r"^f must keep at least one of a, b, c, got \[\]$"):
        s.check("f", [], {})
    assert s.check("f", ["b", "a", "a"], {}) == ["a", "b"]
    w = s.build(["a"], {})
    assert type(w) is ToggleGroup and w.value == ("a",) and list(w.toggles) == ["a", "b", "c"]
    assert w.toggles["a"].description == "A" and w.toggles["a"].layout.width == "40px"
    moves = []
    w.observe(lambda change: moves.append(change["new"]), names="value")
    w.toggles["c"].value = True  # pressing one button: one change, in order
    assert w.value == ("a", "c") and moves == [("a", "c")]
    w.value = ["b"]  # setting the value presses the buttons
    assert [t.value for t in w.toggles.values()] == [False, True, False] and len(moves) == 2
    with pytest.raises(traitlets.TraitError):
        w.value = ("z",)


def test_widths_checks_a_list_of_layer_widths():
    s = Widths([4, 2], "", lo=1, hi=8, max_len=3)
    assert s.check("hidden", (3, np.int64(8)), {}) == [3, 8] and s.check("hidden", [], {}) == []
    with pytest.raises(ValueError, match=r"^hidden\[1\] must be in \[1, 8\], got 9$"):
        s.check("hidden", [2, 9], {})
    with pytest.raises(TypeError, match=r"^hidden\[0\] must be an int, got 2.0$"):
        s.check("hidden", [2.0], {})
    with pytest.raises(
        ValueError, match=r"^hidden must list at most 3 layer widths, got \[1, 1, 1, 1\]$"
    ):
        s.check("hidden", [1, 1, 1, 1], {})
    with pytest.raises(TypeError, match="^hidden must be a list of layer widths, got '4'$"):
        s.check("hidden", "4", {})


def test_widths_control_adds_and_removes_layers_and_units():
    w = Widths([4, 2], "", lo=1, hi=3, max_len=3, new=2).build([3, 1], {})
    assert type(w) is WidthsControl and w.value == (3, 1)
    moves = []
    w.observe(lambda change: moves.append(change["new"]), names="value")
    assert "<b>2</b> hidden layers" in w.count.value and len(w.units_box.children) == 2
    w.plus.click()  # a new layer copies the last width
    assert w.value == (3, 1, 1) and w.plus.disabled and len(w.units_box.children) == 3
    w.plus.click()  # at max_len: nothing
    minus, label, plus = w.unit_buttons[0]
    assert plus.disabled and not minus.disabled and "<b>3</b>" in label.value
    plus.click()  # at hi: nothing
    minus.click()
    assert w.value == (2, 1, 1) and not plus.disabled
    for _ in range(4):
        w.minus.click()
    assert w.value == () and w.minus.disabled and w.units_box.children == ()
    w.plus.click()  # no layer to copy: the `new` width
    assert w.value == (2,) and w.count.value == "<b>1</b> hidden layer"
    assert moves == [(3, 1, 1), (2, 1, 1), (2, 1), (2,), (), (2,)]
    with pytest.raises(traitlets.TraitError):
        w.value = (4,)


def test_check_number_voices():
    assert check_number("x", 3, 0, None, integer=True) == 3
    with pytest.raises(ValueError, match="^x must be > 0, got 0$"):
        check_number("x", 0, 0, None, open_lo=True)
    with pytest.raises(ValueError, match="^x must be <= 2, got 3$"):
        check_number("x", 3, None, 2)


# ---------------------------------------------------------------------------- beta


def test_one_minus_log_grid_is_even_in_log_1_minus_beta():
    grid = np.array(one_minus_log_grid(0.0, 0.999))
    assert grid[0] == 0.0 and grid[-1] == 0.999 and len(grid) == 31
    steps = np.diff(np.log10(1.0 - grid))
    np.testing.assert_allclose(steps, -0.1, atol=0.008)  # ten per decade (R10, rounded)
    for beta in (0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999):
        assert beta in grid
    assert 0.9999 in one_minus_log_grid(0.0, 0.9999)


def test_beta_slider_shows_beta_and_its_value_is_beta():
    s = OneMinusLog(0.9, "β", lo=0.0, hi=0.999)
    w = s.build(0.9, {"continuous_update": False})
    assert isinstance(w, GridSlider) and isinstance(w, W.SelectionSlider)
    assert w.value == 0.9 and w.label == "0.9" and w.continuous_update is False
    moves = []
    w.observe(lambda change: moves.append(change["new"]), names="value")
    w.index += 10  # one decade of 1 - beta to the right
    assert w.value == 0.99 and moves == [0.99] and w.label == "0.99"  # the readout: beta
    w.value = 0.9000000000000001  # a hair off a grid point is that point
    assert w.value == 0.9 and moves == [0.99, 0.9]
    w.value = 0.85  # off the grid: gets a position, in order
    assert w.value == 0.85 and w.options[w.index] == 0.85 and moves[-1] == 0.85
    assert w.label == "0.85" and not w.rebuilding
    assert list(w.options) == sorted(w.options)
    with pytest.raises(traitlets.TraitError):
        w.value = 1.0
    with pytest.raises(ValueError, match=r"^beta must be in \[0, 0.999\], got 1.0$"):
        s.check("beta", 1.0, {})


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_every_beta_control_is_on_a_log_scale_of_one_minus_beta(cls):
    betas = [n for n, s in cls.settings.items() if n.startswith("beta") or "β" in (s.label or "")]
    for name in betas:
        assert isinstance(cls.settings[name], OneMinusLog), (cls.__name__, name)
    if not betas:
        return
    d = cls.__new__(cls)  # the controls only: no training
    d._config, d._syncing = d._merged({}), False
    controls = d._build_controls()
    for name in betas:
        w = controls[name]
        assert isinstance(w, GridSlider) and w.value == d._config[name] == cls.defaults[name]
        logs = np.log10(1.0 - np.array(w.options))
        np.testing.assert_allclose(np.diff(logs), -0.1, atol=0.008, err_msg=name)


# ---------------------------------------------------------------------------- every dashboard


def bad_value(setting):
    """A value the declaration must refuse."""
    if isinstance(setting, Flag):
        return "yes"
    if isinstance(setting, Subset):
        return ["no_such_name"]
    if isinstance(setting, (Choice,)):
        return "no_such_name"
    if isinstance(setting, OneMinusLog):
        return 1.5
    if isinstance(setting, Select):
        return -7
    if isinstance(setting, Within):
        return 1e9
    if isinstance(setting, (Range, LogRange)):
        return -1e9
    if isinstance(setting, IntRange):
        return setting.lo - 1
    if isinstance(setting, Widths):
        return [setting.hi + 1]
    raise AssertionError(setting)


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_every_bad_keyword_is_refused_naming_the_argument_and_the_value(cls):
    with pytest.raises(TypeError, match=r"unknown setting\(s\) \['not_a_setting'\]; valid: "):
        cls(not_a_setting=1)
    for name, setting in cls.settings.items():
        value = bad_value(setting)
        with pytest.raises((ValueError, TypeError)) as info:
            cls(**{name: value})
        text = str(info.value)
        shown = repr(value[0] if isinstance(value, list) else value)
        assert name in text and shown in text, (name, text)


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_every_dashboard_builds_with_no_arguments_from_its_declaration(cls):
    d = cls()
    assert d.message == "" and d.figure.axes
    cfg = d.config
    assert set(cfg) == set(cls.settings)
    for name, setting in cls.settings.items():
        if setting.label is None:
            assert name not in d.controls
            continue
        w = d.controls[name]
        assert getattr(w, "description", setting.label) == setting.label, name
        if not isinstance(setting, (Within, Subset)):
            assert cfg[name] == setting.default, name
        if isinstance(w, (W.FloatSlider, W.FloatLogSlider, W.IntSlider, W.SelectionSlider)):
            assert w.continuous_update is cls.continuous_update, name
        kinds = {
            LogRange: W.FloatLogSlider,
            Range: W.FloatSlider,
            IntRange: W.IntSlider,
            Flag: W.Checkbox,
            Choice: W.Dropdown,
            OneMinusLog: GridSlider,
            Within: W.FloatSlider,
            Buttons: W.ToggleButtons,
            Widths: WidthsControl,
        }
        for kind, widget_type in kinds.items():
            if type(setting) is kind:
                assert isinstance(w, widget_type), name
    if "lr" in d.controls:
        assert isinstance(d.controls["lr"], W.FloatLogSlider)


def test_live_settings_act_on_the_running_network_structural_ones_rebuild():
    cls = widgets.TrainingDashboard
    live = {n for n, s in cls.settings.items() if s.live}
    assert live == {"lr", "beta", "beta1", "beta2", "l2", "batch_size", "epochs", "log_y"}
    d = cls(n_examples=40, epochs=3, optimizer="momentum")
    d.run(2)
    model = d.model
    for name, value in (("lr", 0.1), ("beta", 0.99), ("l2", 0.01), ("batch_size", 8)):
        d.controls[name].value = value
        assert d.model is model and d.epoch == 2, name
    assert d.optimizer.lr == 0.1 and d.optimizer.beta == 0.99
    d.controls["width"].value = 5  # structural: a new network
    assert d.model is not model and d.epoch == 0
    # Nesterov's beta is live too, as in the Playground (one table, BETA_ATTRIBUTES): it is
    # SGD's momentum, and the step alpha (1 - beta) follows it
    d.controls["optimizer"].value = "nesterov"
    d.run(1)
    model = d.model
    d.controls["beta"].value = 0.5
    assert d.model is model and d.epoch == 1 and d.message == ""
    assert d.optimizer.momentum == 0.5 and d.optimizer.lr == pytest.approx(0.1 * (1 - 0.5))
    d.run(1)
    assert d.epoch == 2 and d.message == ""


def test_the_playground_declares_its_controllers_live_settings():
    from dlcourse.experiments import playground_net as pn

    cls = widgets.Playground
    # the run's live and view-only settings; ``hide`` (which controls a link hides) has no control
    run_live = {*pn.PlaygroundRun.live, *pn.PlaygroundRun.view_only} - {"hide"}
    assert {n for n, s in cls.settings.items() if s.live} == run_live
    assert cls.defaults == {**pn.DEFAULTS, **pn.EXTRA_DEFAULTS}
    for name, (lo, hi) in pn.RANGES.items():  # one source for the ranges: the controller's
        assert (cls.settings[name].lo, cls.settings[name].hi) == (lo, hi), name
    pg = cls()
    run = pg.run
    pg.controls["batch_size"].value = 32  # live: the same network
    assert pg.run is run and pg.run.optimizer.lr == 0.03 and pg.config["batch_size"] == 32
    pg.train(2)
    model = pg.run.model
    pg.controls["lr"].value = 0.1
    assert pg.run.model is model and pg.run.epoch == 2
    pg.controls["hidden"].plus.click()  # structural: a new network
    assert pg.run.model is not model and pg.run.epoch == 0 and pg.config["hidden"] == [4, 2, 2]


def test_a_name_added_to_a_registry_shows_up_in_the_dashboards(monkeypatch):
    monkeypatch.setitem(datasets.DATASETS, "ring", datasets.DATASETS["circles"])
    monkeypatch.setitem(activations.ACTIVATIONS, "swish2", activations.ACTIVATIONS["elu"])
    monkeypatch.setattr(optim, "NAMES", (*optim.NAMES, "lion"))
    for cls, name, new in (
        (widgets.TrainingDashboard, "dataset", "ring"),
        (widgets.BNExplorer, "dataset", "ring"),
        (widgets.TrainingDashboard, "activation", "swish2"),
        (widgets.InitExplorer, "activation", "swish2"),
        (widgets.TrainingDashboard, "optimizer", "lion"),
        (widgets.Playground, "activation", "swish2"),
        (widgets.Playground, "optimizer", "lion"),
    ):
        d = cls.__new__(cls)
        d._config, d._syncing = d._merged({name: new}), False  # accepted by keyword
        options = d._build_controls()[name].options  # names, or (label, name) pairs
        assert new in [o[1] if isinstance(o, tuple) else o for o in options], (cls.__name__, name)
    d = widgets.TrainingDashboard(dataset="ring", n_examples=40, epochs=1)
    d.run()
    assert d.message == "" and d.epoch == 1


def test_within_follows_the_setting_it_depends_on():
    race = widgets.OptimizerRace(surface="quadratic", start_x=1.0)
    assert race.config["start_x"] == 1.0
    race.controls["surface"].value = "rosenbrock"
    from dlcourse.surfaces import get_surface

    s = get_surface("rosenbrock")
    assert (race.config["start_x"], race.config["start_y"]) == tuple(s.start)
    assert (race.controls["start_x"].min, race.controls["start_x"].max) == s.bounds[0]
    with pytest.raises(ValueError, match=r"start_y must be in \[.*\], got 99 \(the saddle"):
        widgets.OptimizerRace(surface="saddle", start_y=99)


class Legacy(Dashboard):
    """A dashboard written the old way (defaults, its own controls) still works."""

    defaults: ClassVar[dict] = {"n": 3}

    def _build_controls(self):
        return {"n": W.IntSlider(value=self._config["n"], min=1, max=5)}

    def _build_figure(self, fig):
        self.ax = fig.subplots()

    def _compute(self):
        self.result = self._config["n"] ** 2

    def _draw(self):
        pass


def test_a_dashboard_without_settings_keeps_the_old_hooks():
    d = Legacy()
    d.controls["n"].value = 4
    assert d.result == 16 and d.config == {"n": 4}
