"""The claims of notebook 03, on the same calls the notebook makes."""

import numpy as np
import pytest

from dlcourse.exercises.deep_network import Q_LINEAR_COLLAPSE, Q_SAWTOOTH
from dlcourse.experiments.depth import (
    budget_comparison,
    count_linear_pieces,
    linear_collapse,
    sawtooth_net,
)


@pytest.mark.parametrize("k", range(1, 7))
def test_sawtooth_has_two_to_the_k_pieces_with_6k_plus_1_parameters(k):
    net = sawtooth_net(k)
    assert count_linear_pieces(lambda v: net.forward(v[:, None])) == 2**k
    assert sum(p.value.size for p in net.parameters()) == 6 * k + 1
    if k == 5:
        assert Q_SAWTOOTH.answer == 2**k


def test_piece_counter_on_known_functions():
    assert count_linear_pieces(lambda x: 2 * x) == 1
    assert count_linear_pieces(lambda x: np.abs(x - 0.3)) == 2
    assert count_linear_pieces(lambda x: np.abs(x - 1 / 3) + np.abs(x - 0.5)) == 3


def test_one_hidden_layer_has_at_most_n_plus_1_pieces():
    rng = np.random.default_rng(0)
    W, b, v = rng.standard_normal(10), rng.standard_normal(10), rng.standard_normal(10)
    f = lambda x: np.maximum(np.outer(x, W) + b, 0) @ v  # noqa: E731
    assert count_linear_pieces(f, -5, 5) <= 11


def test_linear_stack_collapses_and_trains_like_logistic_regression():
    assert linear_collapse([2, 10, 10, 10, 2])[2] < 1e-12
    _, lin = budget_comparison([10, 10, 10], seeds=(1,), steps=300, activation=False)
    _, logreg = budget_comparison([], seeds=(1,), steps=300)
    assert Q_LINEAR_COLLAPSE.answer == "a" and abs(lin[0] - logreg[0]) < 0.02 and lin[0] < 0.7


def test_deep_fits_at_the_budget_wide_does_not_but_can_with_more_steps():
    n_w, wide = budget_comparison([54], seeds=(1, 2, 3), steps=300)
    n_d, deep = budget_comparison([10, 10, 10], seeds=(1, 2, 3), steps=300)
    assert n_w == n_d == 272
    assert min(deep) > 0.99 and max(wide) < 0.95
    assert budget_comparison([54], seeds=(2,), steps=1000)[1][0] > 0.99
