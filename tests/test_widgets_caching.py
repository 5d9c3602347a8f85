"""Dashboards that cache what a control does not change: a cached result equals a fresh one."""
import matplotlib.pyplot as plt
import numpy as np

from dlcourse.widgets.optimizer_race import OptimizerRace

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
    monkeypatch.setattr(module, "race", lambda s, opt, p, n: ran.append(type(opt).__name__)
                        or real(s, opt, p, n))
    d.controls["beta1"].value = 0.8
    assert ran == ["Adam"]
    ran.clear()
    d.controls["beta"].value = 0.5        # momentum, nesterov, rmsprop read beta
    assert sorted(ran) == ["Momentum", "RMSProp", "SGD"]
    ran.clear()
    d.controls["beta"].value = 0.9        # back: every racer from the cache
    assert ran == []
    monkeypatch.setattr(module, "race", real)
    _same_race(d, OptimizerRace(optimizers=ALL, beta1=0.8))
    plt.close("all")


def test_race_cache_follows_every_setting_of_a_race():
    d = OptimizerRace(optimizers=ALL)
    for name, value in (("lr", 0.5), ("steps", 50), ("surface", "saddle"), ("start_x", -0.5),
                        ("lr", 5.0), ("surface", "ravine"), ("lr", 0.05)):
        d.controls[name].value = value
        _same_race(d, OptimizerRace(**{k: d.config[k] for k in d.config}))
    d.controls["beta"].value = 0.0        # nesterov with beta = 0 is plain SGD: one race
    np.testing.assert_array_equal(d.paths["nesterov"], d.paths["sgd"])
    _same_race(d, OptimizerRace(**d.config))
    plt.close("all")
