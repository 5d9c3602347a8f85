"""The claims of notebook 01, on the same calls the notebook makes."""

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import autodiff as ad
from dlcourse.exercises.gradient_descent import (
    Q_JACOBIAN_PASSES,
    Q_STEP_09,
    reference_small_graph_backward,
)
from dlcourse.experiments.autodiff_cost import (
    gradient_costs,
    graph_nodes,
    jacobian_costs,
    logistic_jvp,
)
from dlcourse.topics import gd1d


def test_alpha_09_ends_as_close_as_alpha_01():
    J = gd1d.course_quadratic()
    d = [abs(gd1d.descend(J, -1.0, lr, 20).final - 5) for lr in (0.1, 0.9)]
    assert Q_STEP_09.answer == "b" and d[0] == pytest.approx(d[1], rel=1e-9)
    assert d[0] == pytest.approx(6 * 0.8**20, rel=1e-9)


@pytest.mark.parametrize("w0, safe, unsafe", [(-1.5, 0.3, 0.34), (0.0, 1.9, 2.1)])
def test_quartic_limit_is_two_over_d_squared_from_the_start(w0, safe, unsafe):
    q = gd1d.quartic()
    limit = 2 / (w0 - 1) ** 2
    assert safe < limit < unsafe
    assert gd1d.descend(q, w0, safe, 40).diverged_at is None
    assert gd1d.descend(q, w0, unsafe, 40).diverged_at is not None


def test_quartic_converges_slowly_where_it_converges():
    q = gd1d.quartic()
    for w0, lr in [(-1.5, 0.3), (0.0, 0.3), (0.0, 0.34), (0.0, 1.9)]:
        assert 0.05 < abs(gd1d.descend(q, w0, lr, 40).final - 1) < 0.25


@pytest.mark.parametrize("n", [10, 100, 400])
def test_pass_counts_and_accuracy(n):
    g = gradient_costs(n)
    assert (g.finite_difference_evaluations, g.forward_mode_passes, g.reverse_mode_passes) == (
        2 * n,
        n,
        2,
    )
    assert 1e-12 < g.finite_difference_error < 1e-8 and g.forward_mode_error < 1e-12
    assert g.graph_operations == gradient_costs(3).graph_operations == 7


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("n, k", [(3, 400), (400, 3), (1, 1), (7, 5)])
def test_jacobian_passes_per_input_and_per_output(n, k, seed):
    c = jacobian_costs(n, k, seed=seed)
    assert (c.forward_mode_passes, c.reverse_mode_forward_passes) == (n, 1)
    assert c.reverse_mode_backward_passes == k
    assert c.difference < 1e-12


def test_jacobian_question_answer_is_the_counted_one():
    c = jacobian_costs(3, 400)
    reverse = c.reverse_mode_forward_passes + c.reverse_mode_backward_passes
    assert Q_JACOBIAN_PASSES.answer == "b" and (reverse, c.forward_mode_passes) == (401, 3)


def test_counts_are_measured_not_constants():
    from dlcourse.experiments.autodiff_cost import Counted

    f = Counted(lambda x: 2 * x)
    assert [f(1), f(2), f.calls] == [2, 4, 2]


def test_jvp_is_a_directional_derivative():
    rng = np.random.default_rng(0)
    X, y, w, v = (
        rng.standard_normal((9, 4)),
        np.sign(rng.standard_normal(9)),
        rng.standard_normal(4),
        rng.standard_normal(4),
    )
    from dlcourse.experiments.autodiff_cost import logistic_cost

    eps = 1e-6
    fd = (logistic_cost(w + eps * v, X, y) - logistic_cost(w - eps * v, X, y)) / (2 * eps)
    assert logistic_jvp(w, v, X, y)[1] == pytest.approx(fd, rel=1e-7)


def test_example_graph_has_six_operations_and_matches_the_hand_backward():
    a, b, c = (ad.Tensor(v, requires_grad=True) for v in (1.5, -0.5, 2.0))
    out = (a * b + c).tanh() * a + ad.exp(b)
    out.backward()
    assert graph_nodes(out) == 6
    ref = reference_small_graph_backward(1.5, -0.5, 2.0)
    got = (out.item(), a.grad.item(), b.grad.item(), c.grad.item())
    assert np.allclose(ref[:4], got, rtol=1e-12)


def test_diagram_draws_every_node():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from dlcourse.plots.diagrams import draw_computation_graph, draw_network

    a, b, c = (ad.Tensor(v, requires_grad=True) for v in (1.5, -0.5, 2.0))
    out = (a * b + c).tanh() * a + ad.exp(b)
    fig, ax = plt.subplots()
    draw_computation_graph(ax, out, {id(a): "a", id(b): "b", id(c): "c"})
    assert len(ax.patches) == 9  # 6 operations + 3 inputs
    fig2, ax2 = plt.subplots()
    draw_network(ax2, [2, 5, 3, 1], m=400)
    texts = " ".join(t.get_text() for t in ax2.texts)
    assert "W: (5, 2)" in texts and "Z, A: (400, 3)" in texts
    plt.close("all")


def test_the_drawn_adjoints_are_the_chain_rule_ones():
    from dlcourse.experiments.autodiff_cost import retain_intermediate_grads

    a, b, c = (ad.Tensor(v, requires_grad=True) for v in (1.5, -0.5, 2.0))
    u = a * b
    v = u + c
    t = v.tanh()
    out = t * a + ad.exp(b)
    retain_intermediate_grads(out)
    out.backward()
    assert out.grad.item() == 1.0 and t.grad.item() == 1.5  # dJ/dt = a
    assert v.grad.item() == pytest.approx(1.5 * (1 - np.tanh(1.25) ** 2), rel=1e-12)
    assert u.grad.item() == v.grad.item() == c.grad.item()
    # the exercise's intermediate adjoints are these nodes' adjoints
    ref = reference_small_graph_backward(1.5, -0.5, 2.0)
    assert np.allclose(ref[4:], (u.grad.item(), v.grad.item(), t.grad.item()), rtol=1e-12)


# ------------------------------------------------------------------ exercise 4's training run
def _numpy_logistic_gradient(X, y, w, b):
    a = 1.0 / (1.0 + np.exp(-(X @ w + b)))
    return X.T @ (a - y) / len(y), float(np.mean(a - y))


@pytest.mark.parametrize("seed", range(5))
def test_the_learners_logistic_regression_trains_as_fit_does(seed):
    """'the columns agree at every step' (to 1e-9, printed to 4 decimals), 'starting from
    log 2', 'the cost falls steadily' (every step lowers it), equal validation accuracy."""
    from dlcourse.experiments.autodiff_cost import logistic_descent

    run = logistic_descent(
        _numpy_logistic_gradient, lambda w, dw, lr: w - lr * dw, lr=0.1, steps=200, seed=seed
    )
    assert np.abs(run.own_loss - run.fit_loss).max() < 1e-9
    assert run.own_loss[0] == pytest.approx(np.log(2), rel=1e-12)
    assert np.all(np.diff(run.own_loss) < 0)
    assert run.own_val_accuracy == run.fit_val_accuracy > 0.95


def test_the_digit_pair_is_two_classes_of_the_shipped_digits():
    from dlcourse.experiments.autodiff_cost import digit_pair

    X, X_val, y, y_val = digit_pair()
    assert X.shape[1] == 64 and set(np.unique(y)) == {0.0, 1.0}
    assert len(X) + len(X_val) == int(np.isin(dl.datasets.load_digits()[1], (3, 8)).sum())
