"""The claims of notebook 00, on the same calls the notebook makes."""

import dlcourse as dl
from dlcourse.exercises.deep_network import (
    Q_PARAMETER_COUNT,
    Q_RAISE_LR,
    reference_count_parameters,
)
from dlcourse.exercises.questions import predict


def test_parameter_count_question_matches_the_tour_model():
    model = dl.Sequential([dl.Dense(2, 16, init="he", rng=0), dl.ReLU(), dl.Dense(16, 2, rng=1)])
    assert predict(Q_PARAMETER_COUNT, reference_count_parameters(model)).passed


def test_raising_the_learning_rate_lowers_the_cost_several_times():
    from dlcourse.widgets import TrainingDashboard

    dash = TrainingDashboard(dataset="moons", hidden_layers=1, width=4, epochs=100)
    dash.run()
    before = dash.train_loss[-1]
    dash.controls["lr"].value = 0.1
    dash.run(50)
    assert Q_RAISE_LR.answer == "b" and before / dash.train_loss[-1] > 3
