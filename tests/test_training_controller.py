"""The one training controller (experiments.training_runs.TrainingRun) behind both training
views, TrainingDashboard and Playground: one divergence rule and message, one validation
path, one table of live settings."""

import math

import numpy as np
import pytest

from dlcourse.experiments import playground_net as pn
from dlcourse.experiments import training_runs as tr
from dlcourse.widgets import Playground, TrainingDashboard

ADVICE = "try: lower the learning rate (α = 3.33 is a third); or batch norm"


def _views():
    """The two views on a run that diverges: plain SGD at α = 10 (the Playground's schedule
    not constant, so that both have the same advice to give)."""
    td = TrainingDashboard(optimizer="sgd", lr=10.0, hidden_layers=2, width=8, epochs=50)
    pg = Playground(optimizer="sgd", lr=10.0, hidden=[8, 8], schedule="step", decay=0.0001)
    return td, pg


def _costs(view) -> np.ndarray:
    """The training costs the rule judges: the start, then one per epoch trained."""
    if isinstance(view, TrainingDashboard):
        return np.concatenate([[view.initial_loss], view.train_loss])
    return view.run.train_loss


def test_both_views_stop_by_one_rule_and_say_the_same_thing():
    td, pg = _views()
    td.run()
    pg.train(50)
    for view, run in ((td, td.controller), (pg, pg.run)):
        assert run.diverged and 0 < run.epoch < 50
        costs = _costs(view)
        bound = tr.DIVERGE_FACTOR * max(costs[0], 0.5)
        assert np.all(costs[:-1] <= bound)  # no epoch before the stop broke the rule
        if run.history.diverged is None:  # stopped by the rise: the last epoch broke it
            assert costs[-1] > bound and len(costs) - 1 == run.epoch
            what = f"rose to {costs[-1]:.3g}"
        else:  # a NaN/inf cost in the epoch it stopped in
            assert run.history.diverged.epoch + 1 == run.epoch
            what = "became NaN/inf"
        expected = (
            f"diverged at epoch {run.epoch}: the cost {what} with α = 10 (training stopped); "
            + ADVICE
        )
        assert run.message == view.message == expected
        epoch = run.epoch
        assert run.train(5) == 0 and run.epoch == epoch  # a stopped run trains no more


@pytest.mark.parametrize("seed", range(5))
def test_a_nan_cost_stops_both_views_in_its_epoch(seed):
    td = TrainingDashboard(seed=seed, epochs=10)
    pg = Playground(seed=seed, schedule="step")
    for run in (td.controller, pg.run):
        run.train(2)
        for p in run.model.parameters():
            p.value[...] = np.inf  # the next step's cost is not finite
        assert run.train(5) == 0 and run.diverged and run.epoch == 3
        assert run.history.diverged.epoch == 2
        assert run.message == (
            "diverged at epoch 3: the cost became NaN/inf with α = "
            f"{run.config['lr']:.3g} (training stopped); try: lower the learning rate "
            f"(α = {run.config['lr'] / 3:.3g} is a third); or batch norm"
        )


BAD = [
    {"lr": 0.0},
    {"lr": 11.0},
    {"lr": "x"},
    {"beta": 1.0},
    {"beta2": -0.1},
    {"dropout": 0.95},
    {"noise": -0.1},
    {"optimizer": "lion"},
    {"activation": "step"},
    {"seed": -1},
    {"seed": 1.5},
    {"batch_norm": 1},
]


@pytest.mark.parametrize("bad", BAD, ids=lambda b: repr(b))
def test_bad_settings_give_the_same_message_in_both_views_and_the_controller(bad):
    errors = []
    for make in (TrainingDashboard, Playground, lambda **kw: pn.PlaygroundRun(kw)):
        with pytest.raises((TypeError, ValueError)) as err:
            make(**bad)
        errors.append((err.type, str(err.value)))
    assert errors[0] == errors[1] == errors[2], errors
    assert next(iter(bad)) in errors[0][1]


def test_one_table_of_live_settings_and_betas():
    assert {n for n, s in TrainingDashboard.settings.items() if s.live} == {
        *tr.LIVE,
        *tr.ClassifierRun.view_only,
    }
    assert set(tr.LIVE) <= set(pn.LIVE)
    td, pg = TrainingDashboard(), Playground()
    for name in ("beta", "beta1", "beta2"):
        for kind, attrs in tr.BETA_ATTRIBUTES.items():
            td.controller.values["optimizer"] = pg.run.values["optimizer"] = kind
            assert td.controller.uses(name) == pg.run.uses(name) == (name in attrs)
    for key in tr.RANGES:
        assert (TrainingDashboard.settings[key].lo, TrainingDashboard.settings[key].hi) == (
            Playground.settings[key].lo,
            Playground.settings[key].hi,
        )
    assert TrainingDashboard.settings["batch_size"].values == tr.BATCH_SIZES == pn.BATCH_SIZES


def test_the_dashboards_settings_are_held_once_by_its_controller():
    d = TrainingDashboard(epochs=3)
    d.controls["lr"].value = 0.05
    assert d.controller.values["lr"] == 0.05 and d.config == d.controller.config
    d.set_config({"width": 5})
    assert d.controller.values["width"] == 5 and d.config == d.controller.config


def test_a_live_change_reaches_the_running_optimizer_in_both_views():
    td, pg = TrainingDashboard(optimizer="momentum", epochs=5), Playground(optimizer="momentum")
    for view, run in ((td, td.controller), (pg, pg.run)):
        run.train(2)
        model = run.model
        view.controls["beta"].value = 0.99
        view.controls["lr"].value = 0.05
        assert run.model is model and run.epoch == 2
        assert run.optimizer.beta == 0.99 and math.isclose(run.optimizer.lr, 0.05)
