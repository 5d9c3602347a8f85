"""The claims of notebook 00, on the same calls the notebook makes."""

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.exercises.deep_network import (
    Q_PARAMETER_COUNT,
    Q_RAISE_LR,
    reference_count_parameters,
)
from dlcourse.exercises.questions import predict
from dlcourse.experiments.gradcheck_bugs import BUGS, planted_bug_problem
from dlcourse.exercises.training_step import reference_training_step
from dlcourse.experiments.tour import own_steps_vs_fit, raise_lr_run, tour_data, tour_network


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


# ------------------------------------------------------------------ the exercise's training run
def _numpy_step(W1, b1, W2, b2, X, y, lr):
    """The exercise's step written with numpy only (not the package's layers)."""
    m = X.shape[0]
    Z1 = X @ W1.T + b1
    A1 = np.maximum(0.0, Z1)
    Z2 = A1 @ W2.T + b2
    E = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    P = E / E.sum(axis=1, keepdims=True)
    dZ2 = (P - np.eye(W2.shape[0])[y]) / m
    dZ1 = (dZ2 @ W2) * (Z1 > 0)
    return (
        -np.mean(np.log(P[np.arange(m), y])),
        W1 - lr * dZ1.T @ X,
        b1 - lr * dZ1.sum(axis=0),
        W2 - lr * dZ2.T @ A1,
        b2 - lr * dZ2.sum(axis=0),
    )


def test_the_exercises_run_starts_from_the_tours_model():
    model = dl.Sequential([dl.Dense(2, 16, init="he", rng=0), dl.ReLU(), dl.Dense(16, 2, rng=1)])
    for p, q in zip(model.parameters(), tour_network(0).parameters()):
        np.testing.assert_array_equal(p.value, q.value)
    X, y = dl.datasets.moons(n=300, noise=0.2, rng=0)
    ours = dl.datasets.train_val_split(X, y, val_fraction=0.25, rng=1)
    for a, b in zip(ours, tour_data(0)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_numpy_step_trains_exactly_as_fit_does(seed):
    """'the two columns agree at every epoch' (printed to 4 decimals; here to 1e-9), and the
    validation accuracies are equal."""
    run = own_steps_vs_fit(_numpy_step, epochs=300, lr=0.5, seed=seed)
    assert np.abs(run.own_loss - run.fit_loss).max() < 1e-9
    assert run.own_val_accuracy == run.fit_val_accuracy
    assert run.own_loss[-1] < 0.3 * run.own_loss[0]  # it trains: the cost falls


def test_the_fallback_run_is_the_fit_run():
    run = own_steps_vs_fit(reference_training_step, epochs=300, lr=0.5)
    assert np.abs(run.own_loss - run.fit_loss).max() < 1e-9
