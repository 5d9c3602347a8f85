"""Dashboards that cache what a control does not change: a cached result equals a fresh one."""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlcourse.experiments.schedule_runs import ScheduleRun, train_with_schedule
from dlcourse.optim import schedules as S
from dlcourse.widgets.optimizer_race import OptimizerRace
from dlcourse.widgets.schedule_explorer import ScheduleExplorer

ALL = ["sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adam"]


def _same_race(a: OptimizerRace, b: OptimizerRace) -> None:
    assert list(a.paths) == list(b.paths)
    for name in a.paths:
        np.testing.assert_array_equal(a.paths[name], b.paths[name])
        np.testing.assert_array_equal(a.costs[name], b.costs[name])
        assert a.diverged[name] == b.diverged[name]
    assert a.message == b.message


def test_race_a_beta_reruns_only_the_racers_that_read_it(monkeypatch):
    import dlcourse.widgets.optimizer_race as module

    d = OptimizerRace(optimizers=ALL)
    ran = []
    real = module.race
    monkeypatch.setattr(
        module, "race", lambda s, opt, p, n: ran.append(type(opt).__name__) or real(s, opt, p, n)
    )
    d.controls["beta1"].value = 0.8
    assert ran == ["Adam"]
    ran.clear()
    d.controls["beta"].value = 0.5  # momentum, nesterov, rmsprop read beta
    assert sorted(ran) == ["Momentum", "RMSProp", "SGD"]
    ran.clear()
    d.controls["beta"].value = 0.9  # back: every racer from the cache
    assert ran == []
    monkeypatch.setattr(module, "race", real)
    _same_race(d, OptimizerRace(optimizers=ALL, beta1=0.8))
    plt.close("all")


def test_race_cache_follows_every_setting_of_a_race():
    d = OptimizerRace(optimizers=ALL)
    for name, value in (
        ("lr", 0.5),
        ("steps", 50),
        ("surface", "saddle"),
        ("start_x", -0.5),
        ("lr", 5.0),
        ("surface", "ravine"),
        ("lr", 0.05),
    ):
        d.controls[name].value = value
        _same_race(d, OptimizerRace(**{k: d.config[k] for k in d.config}))
    d.controls["beta"].value = 0.0  # nesterov with beta = 0 is plain SGD: one race
    np.testing.assert_array_equal(d.paths["nesterov"], d.paths["sgd"])
    _same_race(d, OptimizerRace(**d.config))
    plt.close("all")


# ------------------------------------------------------------------ ScheduleExplorer
RUN = dict(batch_size=32, hidden=16, n=200, noise=0.2, seed=0)


@pytest.mark.parametrize(
    "lr0, schedule", [(2.0, S.step_decay(2.0, drop=0.5, every=10)), (2.0, None), (1e5, None)]
)
def test_schedule_run_gives_every_epoch_count_as_a_fresh_run(lr0, schedule):
    run = ScheduleRun(schedule, lr0, **RUN)
    for epochs in (20, 5, 35, 35, 0, 60, 1, 60, 6, 5, 4):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fresh = train_with_schedule(schedule, lr0, epochs, **RUN)
            cached = run.history(epochs)
        assert cached == fresh and cached.as_dict() == fresh.as_dict()
        assert cached.last_event == fresh.last_event
    if lr0 == 1e5:  # diverges in epoch 5: before and after it
        assert run.full.diverged.epoch == 5


def test_schedule_explorer_epochs_train_only_what_is_added(monkeypatch):
    d = ScheduleExplorer(epochs=30)
    run = next(iter(d._runs.values()))
    d.controls["epochs"].value = 20
    assert run.full.epochs == 30  # a prefix: nothing trained
    d.controls["epochs"].value = 40
    assert run.full.epochs == 40
    fresh = ScheduleExplorer(epochs=40)
    for name in ("cost", "cost_constant", "lr", "lr_constant"):
        np.testing.assert_array_equal(getattr(d, name), getattr(fresh, name))
    assert d.history == fresh.history and d.message == fresh.message
    plt.close("all")
