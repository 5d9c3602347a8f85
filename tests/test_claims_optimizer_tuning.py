"""Notebook 08's claims about the optimizer races, on the same runs (and over seeds)."""

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import surfaces
from dlcourse.experiments.optimizer_tuning import noisy_race, rmsprop_trace, run, tune
from dlcourse.exercises.optimizers import Q_SADDLE

NAMES = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]


@pytest.fixture(scope="module")
def tuned():
    return {
        s.name: {n: tune(s, n) for n in NAMES} for s in (surfaces.ravine(), surfaces.rosenbrock())
    }


def test_no_winner_sits_on_an_edge_of_its_grid(tuned):
    assert not any(r.on_edge for runs in tuned.values() for r in runs.values())
    assert tuned["ravine"]["adam"].lr > 1.0 and tuned["rosenbrock"]["adagrad"].lr > 1.0


def test_ravine_and_rosenbrock_rankings(tuned):
    rav, ros = tuned["ravine"], tuned["rosenbrock"]
    assert rav["momentum"].steps_to_tol < rav["nesterov"].steps_to_tol < rav["adam"].steps_to_tol
    assert rav["sgd"].steps_to_tol is None
    assert all(r.steps_to_tol is None for r in ros.values())
    # AdaGrad with its own best alpha does not stall: about momentum's gap
    assert ros["adagrad"].final_gap < 1.5 * ros["momentum"].final_gap
    assert ros["sgd"].final_gap > 100 * ros["momentum"].final_gap


def _escape(path):
    return int(np.argmax(np.abs(path[:, 1]) > 0.5))


def test_saddle_momentum_later_than_sgd_heavy_ball_sooner():
    saddle = surfaces.saddle()
    esc = {n: _escape(run(saddle, n, 0.05)[0]) for n in NAMES}
    assert esc["sgd"] < esc["momentum"] and esc["sgd"] < esc["nesterov"]
    assert max(esc["rmsprop"], esc["adam"], esc["adagrad"]) < esc["sgd"] / 4
    p = dl.Parameter(saddle.start)
    opt = dl.optim.SGD([p], lr=0.05, momentum=0.9)
    path = [p.value.copy()]
    for _ in range(200):
        p.grad = saddle.grad(p.value)
        opt.step()
        path.append(p.value.copy())
    assert _escape(np.array(path)) < esc["sgd"] / 2
    assert Q_SADDLE.answer == "b"


def test_rmsprop_rebounds_because_its_effective_step_grows():
    tr = rmsprop_trace(surfaces.saddle())
    low = int(np.argmin(tr["gap"]))
    assert tr["gap"][low] < 1e-12 and tr["gap"][150:].max() > 1e-5
    assert tr["eff0"][125] > 10 * tr["eff0"][60] and tr["eff0"][125] > 2.0
    assert rmsprop_trace(surfaces.saddle(), eps=1e-4)["gap"][150:].max() > 1e-5
    assert run(surfaces.saddle(), "adam", 0.05)[1][151:].max() < 1e-6


@pytest.mark.parametrize("sigma", [0.3, 1.0])
def test_noisy_race_floors_order_adam_momentum_sgd(sigma):
    lrs = {"sgd": 0.056, "momentum": 0.316, "adam": 0.316}
    scores = noisy_race(surfaces.ravine(), lrs, noise=sigma, seeds=range(8), steps=400)
    med = {n: np.median(v) for n, v in scores.items()}
    assert med["adam"] < med["momentum"] < med["sgd"]
    spread = {n: v.max() / v.min() for n, v in scores.items()}
    assert spread["sgd"] > 10 and spread["sgd"] > spread["momentum"]


def test_noiseless_race_momentum_wins():
    lrs = {"sgd": 0.056, "momentum": 0.316, "adam": 0.316}
    scores = noisy_race(surfaces.ravine(), lrs, noise=0.0, seeds=[0], steps=400)
    assert scores["momentum"][0] < 1e-10 < scores["adam"][0] < scores["sgd"][0]


def test_adagrads_stall_was_mostly_the_grid():
    ros = surfaces.rosenbrock()
    capped = run(ros, "adagrad", 1.0)[1][-1]
    best = tune(ros, "adagrad")
    assert 300 < capped / best.final_gap < 1500
    assert best.gap[15] < 2 * best.final_gap  # fast first, then barely moves
