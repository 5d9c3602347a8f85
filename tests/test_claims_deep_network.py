"""The claims of notebook 03, on the same calls the notebook makes."""

import numpy as np
import pytest

from dlcourse.exercises.deep_network import Q_LINEAR_COLLAPSE, Q_SAWTOOTH
from dlcourse.experiments.depth import (
    budget_comparison,
    count_linear_pieces,
    linear_collapse,
    parity_errors,
    parity_net,
    sawtooth_net,
)

SEEDS = (1, 2, 3, 4, 5)


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


@pytest.mark.parametrize("seed", range(5))
def test_linear_stack_collapses(seed):
    assert linear_collapse([2, 10, 10, 10, 2], seed=seed)[2] < 1e-13


@pytest.mark.parametrize("seed", SEEDS)
def test_linear_stack_trains_like_logistic_regression_not_like_relu(seed):
    _, lin = budget_comparison([10, 10, 10], seeds=(seed,), steps=300, activation=False)
    _, logreg = budget_comparison([], seeds=(seed,), steps=300)
    _, relu = budget_comparison([10, 10, 10], seeds=(seed,), steps=300)
    assert Q_LINEAR_COLLAPSE.answer == "a"
    assert lin[0] == logreg[0] and 0.576 < lin[0] < 0.578  # (a), the prose's 0.577
    assert relu[0] > 0.99 and 0.998 < relu[0] < 0.999  # not (b) nor (c)


@pytest.fixture(scope="module")
def budget():
    return {
        "wide300": budget_comparison([54], seeds=SEEDS, steps=300),
        "wide1000": budget_comparison([54], seeds=SEEDS, steps=1000)[1],
        "deep": budget_comparison([10, 10, 10], seeds=SEEDS, steps=300),
    }


def test_deep_fits_at_the_budget_from_every_seed_wide_from_none(budget):
    (n_w, wide), (n_d, deep) = budget["wide300"], budget["deep"]
    assert n_w == n_d == 272
    assert min(deep) > 0.99 and max(wide) < 0.9 and min(wide) > 0.6


def test_longer_training_helps_the_wide_network_on_every_seed(budget):
    wide300, wide1000 = budget["wide300"][1], budget["wide1000"]
    assert all(b > a for a, b in zip(wide300, wide1000))
    assert sum(a > 0.99 for a in wide1000) == 2
    assert 0.65 < min(wide1000) and max(a for a in wide1000 if a < 0.99) < 0.84


@pytest.mark.parametrize("n", [1, 2, 3, 6, 10])
def test_one_hidden_layer_of_n_relu_units_computes_parity(n):
    assert parity_errors(n) == 0
    assert parity_net(n)[0].W.shape == (n, n)


def test_parity_check_can_fail():
    net = parity_net(4)
    net[2].W.value[0, -1] *= -1  # one wrong output weight
    bits = (np.arange(16)[:, None] >> np.arange(4)) & 1
    out = np.rint(net.forward(bits.astype(float)).ravel())
    assert np.sum(out != bits.sum(axis=1) % 2) > 0


# ------------------------------------------------------------------ section 5: the blocks train
from dlcourse.exercises import deep_network as dn  # noqa: E402
from dlcourse.experiments.depth import (  # noqa: E402
    Blocks,
    digits_runs,
    he_parameters,
    train_blocks,
    train_package,
    two_digits,
)
import test_grader_wrong_answers_deep_network as notebook  # noqa: E402

SIZES, ALPHA, EPOCHS = [64, 20, 7, 5, 1], 0.05, 300  # the notebook's
REFERENCE = Blocks(
    dn.reference_L_model_forward,
    dn.reference_compute_cost,
    dn.reference_L_model_backward,
    dn.reference_update_parameters,
)
SOLUTION = Blocks(
    notebook.L_model_forward,
    notebook.compute_cost,
    notebook.L_model_backward,
    notebook.update_parameters,
)


@pytest.mark.parametrize("blocks", [REFERENCE, SOLUTION], ids=["reference", "solution"])
def test_the_learners_network_trains_like_the_packages_on_every_seed(blocks):
    runs = digits_runs(blocks, range(8), SIZES, ALPHA, EPOCHS)
    for r in runs:
        assert r["train"] == r["package_train"] == 1.0, r
        assert r["test"] == r["package_test"] and r["gap"] < 1e-9, r
    tests = [r["test"] for r in runs[:5]]  # the notebook's table: seeds 0-4
    assert 0.96 <= min(tests) < 0.961 and 0.989 < max(tests) <= 0.99, tests
    assert min(r["test"] for r in runs) >= 0.96  # seeds 5-7 stay in the spread


def test_the_notebooks_single_run_costs_fall_as_printed():
    X, _, Y, _ = two_digits(0)
    start = he_parameters(SIZES, 0)
    _, mine = train_blocks(SOLUTION, X, Y, start, ALPHA, EPOCHS)
    _, package = train_package(X, Y, start, ALPHA, EPOCHS)
    assert len(mine) == len(package) == EPOCHS
    assert max(abs(a - b) for a, b in zip(mine, package)) < 1e-9
    assert mine[0] > 0.5 and mine[-1] < 0.01 and all(np.diff(mine[::50]) < 0)


def test_the_comparison_catches_a_wrong_block():
    def no_mask(dZL, caches):  # the ReLU derivative forgotten between layers
        return dn._L_backward_wrong(dZL, caches, "no_mask")

    runs = digits_runs(SOLUTION._replace(L_model_backward=no_mask), [0], SIZES, ALPHA, EPOCHS)
    assert runs[0]["gap"] > 1e-3


def test_sigmoid_rounds_to_one_from_z_37_and_dA_divides_by_zero_there():
    z = np.arange(37.0, 60.0, 0.5)
    assert np.all(1.0 - 1.0 / (1.0 + np.exp(-z)) == 0.0)  # the notebook's form of sigma
    assert np.all(1.0 - dn._sigmoid(z) == 0.0)
    assert 1.0 - 1.0 / (1.0 + np.exp(-36.0)) > 0  # one step below: not yet
    J, dZL = dn.reference_compute_cost(np.array([[40.0]]), np.array([[0.0]]))
    assert np.isfinite(J) and dZL[0, 0] == 1.0  # the printed dZ[L] = 1.0, finite where dA is inf
    with np.errstate(divide="ignore"):
        a = 1.0 / (1.0 + np.exp(-40.0))
        assert -np.log(np.float64(1 - a)) == np.inf and 1.0 / np.float64(1 - a) == np.inf
    assert np.logaddexp(0, 40.0) == 40.0 and J == 40.0  # the cost written in z: 40.0


def test_q_digits_test_below_training_on_every_seed_above_095():
    assert dn.Q_DIGITS_TEST.answer == "b"
    runs = digits_runs(REFERENCE, range(8), SIZES, ALPHA, EPOCHS)
    assert all(r["train"] == 1.0 for r in runs)  # the question's premise
    assert all(0.95 < r["test"] < 1.0 for r in runs)  # (b) on seeds 0-7; not (a), not (c)
