"""The claims of notebook 00, on the same calls the notebook makes."""

import pytest

import dlcourse as dl
from dlcourse.exercises.deep_network import (
    Q_PARAMETER_COUNT,
    Q_RAISE_LR,
    reference_count_parameters,
)
from dlcourse.exercises.questions import predict
from dlcourse.experiments.gradcheck_bugs import BUGS, planted_bug_problem
from dlcourse.experiments.tour import raise_lr_run


def test_parameter_count_question_matches_the_tour_model():
    model = dl.Sequential([dl.Dense(2, 16, init="he", rng=0), dl.ReLU(), dl.Dense(16, 2, rng=1)])
    assert predict(Q_PARAMETER_COUNT, reference_count_parameters(model)).passed


SEEDS = range(5)


@pytest.mark.parametrize("seed", SEEDS)
def test_raising_the_learning_rate_ends_below_the_control(seed):
    start, control = raise_lr_run(seed, new_lr=0.01)
    start_raised, raised = raise_lr_run(seed, new_lr=0.1)
    assert start_raised == start  # the same first 100 epochs
    assert Q_RAISE_LR.answer == "b"
    assert raised < control  # (b), and not (a)
    assert start / control > 1.2  # the control still falls: not (c)


def test_the_spread_the_prose_states():
    ratios = [raise_lr_run(s, 0.01)[1] / raise_lr_run(s, 0.1)[1] for s in SEEDS]
    assert 1.0 < min(ratios) < 1.1 and 4.0 < max(ratios) < 4.3


def test_the_tour_run_is_the_dashboards_run():
    from dlcourse.widgets import TrainingDashboard

    dash = TrainingDashboard(dataset="moons", hidden_layers=1, width=8, epochs=100)
    dash.run()
    before = dash.train_loss[-1]
    dash.controls["lr"].value = 0.1
    dash.run(50)
    assert (before, dash.train_loss[-1]) == raise_lr_run(0, new_lr=0.1)


@pytest.mark.parametrize("bug", [b for b in BUGS if b != "none"])
def test_a_planted_bug_gives_a_large_relative_error(bug):
    for seed in SEEDS:
        p = planted_bug_problem(bug, l2=0.1 if bug == "forgotten L2 gradient" else 0.0, seed=seed)
        assert dl.gradcheck(p.model, p.loss, p.X, p.y, l2=p.l2) > 1e-2


def test_a_correct_backward_pass_gives_a_tiny_relative_error():
    for seed in SEEDS:
        p = planted_bug_problem("none", seed=seed)
        assert dl.gradcheck(p.model, p.loss, p.X, p.y) < 1e-7
