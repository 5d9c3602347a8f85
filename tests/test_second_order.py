"""dlcourse.topics.second_order: Newton's method on surfaces, L-BFGS on a network."""

import warnings

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import surfaces
from dlcourse.datasets import moons
from dlcourse.flat import gradients_to_vector, model_loss_and_grad, parameters_to_vector
from dlcourse.topics.second_order import (
    LBFGSResult,
    gradient_descent_path,
    lbfgs,
    newton,
    newton_minimize,
    newton_step,
)


# ---------------------------------------------------------------- Newton


@pytest.mark.parametrize("condition, angle", [(1.0, 0.0), (50.0, 0.4), (1000.0, 1.2)])
def test_newton_solves_a_quadratic_in_one_step(condition, angle):
    s = surfaces.quadratic(condition, angle)
    path = newton(s, [-4.5, 3.0], steps=1)
    assert path.shape == (2, 2)
    np.testing.assert_array_equal(path[0], [-4.5, 3.0])
    np.testing.assert_allclose(path[1], [0.0, 0.0], atol=1e-12)


def test_newton_minimize_solves_a_shifted_quadratic_in_one_step():
    """J = 1/2 w^T A w - b^T w in 5-D: one step from anywhere lands on A^{-1} b."""
    rng = np.random.default_rng(0)
    M = rng.standard_normal((5, 5))
    A = M @ M.T + 0.5 * np.eye(5)
    b = rng.standard_normal(5)
    path = newton_minimize(lambda w: A @ w - b, lambda w: A, rng.standard_normal(5), steps=3)
    np.testing.assert_allclose(path[1], np.linalg.solve(A, b), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(path[3], path[1], atol=1e-12)


def test_newton_converges_quadratically_on_rosenbrock():
    s = surfaces.rosenbrock()
    path = newton(s, [1.2, 1.3], steps=8)
    err = np.linalg.norm(path - s.minima[0], axis=1)
    assert err[-1] < 1e-14
    # near the minimum the error squares each step: e_{k+1} <= C e_k^2
    near = [(a, b) for a, b in zip(err[:-1], err[1:]) if a < 0.05 and b > 1e-15]
    assert len(near) >= 3
    for a, b in near:
        assert b <= 10.0 * a * a
    # ... which gradient descent (linear convergence) does not come close to
    gd = gradient_descent_path(s, [1.2, 1.3], lr=1e-3, steps=1000)
    assert np.linalg.norm(gd[-1] - s.minima[0]) > 1e-3


def test_newton_from_the_standard_start_reaches_rosenbrocks_minimum():
    s = surfaces.rosenbrock()
    path = newton(s, steps=10)
    np.testing.assert_array_equal(path[0], s.start)
    np.testing.assert_allclose(path[-1], s.minima[0], atol=1e-12)


def test_newton_goes_to_the_saddle_and_damping_escapes():
    s = surfaces.saddle()
    path = newton(s, [0.3, 0.2], steps=8)
    np.testing.assert_allclose(path[-1], s.saddle_points[0], atol=1e-12)
    assert s.value(path[-1]) > s.value(s.minima[0]) + 0.2  # stuck well above the minima
    # gradient descent from the same start slides off the saddle to a minimum
    gd = gradient_descent_path(s, [0.3, 0.2], lr=0.1, steps=300)
    np.testing.assert_allclose(gd[-1], s.minima[0], atol=1e-6)
    # with damping 2 > 1 = -(smallest eigenvalue at the saddle), H + 2I is positive
    # definite there: every step goes downhill and Newton finds the minimum
    damped = newton(s, [0.3, 0.2], steps=60, damping=2.0)
    values = s.value(damped)
    assert np.all(np.diff(values) <= 1e-15)
    np.testing.assert_allclose(damped[-1], s.minima[0], atol=1e-6)


def test_newton_step_is_a_linear_solve():
    g = np.array([1.0, -2.0])
    H = np.array([[2.0, 0.5], [0.5, 1.0]])
    d = newton_step(g, H, damping=0.5)
    np.testing.assert_allclose((H + 0.5 * np.eye(2)) @ d, -g, atol=1e-14)


def test_singular_hessian_says_where_and_what_to_do():
    s = surfaces.saddle()  # Hessian diag(1, 3 w1^2 - 1) is singular at w1 = 1/sqrt(3)
    with pytest.raises(np.linalg.LinAlgError, match=r"singular at step 0.*damping > 0"):
        newton(s, [0.5, 1 / np.sqrt(3.0)], steps=3)
    path = newton(s, [0.5, 1 / np.sqrt(3.0)], steps=40, damping=0.5)
    assert np.all(np.isfinite(path))


def test_gradient_descent_path_matches_the_update_and_stops_when_it_diverges():
    s = surfaces.quadratic(10.0)
    path = gradient_descent_path(s, [1.0, 1.0], lr=0.05, steps=3)
    w = np.array([1.0, 1.0])
    for k in range(1, 4):
        w = w - 0.05 * s.grad(w)
        np.testing.assert_allclose(path[k], w, rtol=1e-15)
    far = gradient_descent_path(s, [1.0, 1.0], lr=0.5, steps=2000)  # 0.5 > 2/kappa
    assert len(far) < 2001 and np.all(np.isfinite(far))
    assert np.abs(far[-1]).max() > 1e100


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda s: newton(s, [0.0], 3),
            r"w0 must have shape \(2,\) on a 2-D surface, got shape \(1,\)",
        ),
        (
            lambda s: newton_step(np.zeros(3), np.eye(2)),
            r"H must have shape \(3, 3\).*got shape \(2, 2\)",
        ),
        (lambda s: newton(s, [0.0, np.nan], 3), r"w0 contains 1 NaN/inf"),
        (
            lambda s: newton(s, [[0.0, 1.0]], 3),
            r"w0 must be a non-empty 1-D vector, got shape \(1, 2\)",
        ),
        (lambda s: newton(s, [0.0, 1.0], -1), r"steps must be >= 0, got -1"),
        (lambda s: newton(s, [0.0, 1.0], 3, damping=-0.1), r"damping must be >= 0, got -0.1"),
        (lambda s: gradient_descent_path(s, [0.0, 1.0], lr=0.0), r"lr must be > 0, got 0.0"),
        (
            lambda s: gradient_descent_path(s, [0.0, 1.0], lr=0.1, steps=2.5),
            r"steps must be an int, got 2.5",
        ),
    ],
)
def test_bad_newton_inputs(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call(surfaces.saddle())


# ---------------------------------------------------------------- L-BFGS


def small_mlp(seed=1):
    return dl.Sequential([dl.Dense(2, 16, rng=seed), dl.Tanh(), dl.Dense(16, 2, rng=seed + 1)])


@pytest.fixture(scope="module")
def moon_data():
    return moons(200, 0.2, rng=0)


def test_lbfgs_beats_tuned_gradient_descent(moon_data):
    X, y = moon_data
    loss = dl.SoftmaxCrossEntropy()
    gd_best, gd_grad = np.inf, np.inf
    for lr in (0.1, 0.3, 1.0, 3.0, 10.0):  # tune alpha for 100 full-batch steps
        model = small_mlp()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", dl.DivergenceWarning)
            dl.fit(
                model, X, y, loss=loss, optimizer=dl.optim.SGD(model.parameters(), lr), epochs=100
            )
        cost, grad = model_loss_and_grad(model, loss, X, y)(parameters_to_vector(model))
        if np.isfinite(cost) and cost < gd_best:
            gd_best, gd_grad = cost, np.linalg.norm(grad)
    assert gd_best < 0.1  # the tuning found a working alpha
    model = small_mlp()
    result = lbfgs(model, loss, X, y, max_iter=100)
    assert isinstance(result, LBFGSResult)
    assert result.cost < 0.5 * gd_best
    assert result.grad_norm < 1e-4 < 0.01 * gd_grad
    # the model is left at the optimum, with its gradient there
    J, g = model_loss_and_grad(model, loss, X, y)(parameters_to_vector(model))
    assert J == pytest.approx(result.cost, rel=1e-12)
    np.testing.assert_allclose(np.linalg.norm(g), result.grad_norm, rtol=1e-12)
    np.testing.assert_array_equal(parameters_to_vector(model), result.scipy_result.x)
    assert dl.evaluate(model, X, y, loss)[1] >= 0.95


def test_lbfgs_records_one_cost_per_iteration(moon_data):
    X, y = moon_data
    model = small_mlp(3)
    start = model_loss_and_grad(model, dl.SoftmaxCrossEntropy(), X, y, l2=0.5)(
        parameters_to_vector(model)
    )[0]
    result = lbfgs(model, dl.SoftmaxCrossEntropy(), X, y, max_iter=15, l2=0.5, history=5)
    assert result.iterations == result.scipy_result.nit == 15
    assert len(result.costs) == len(result.grad_norms) == 16
    assert result.costs[0] == pytest.approx(start, rel=1e-12)
    assert np.all(np.diff(result.costs) <= 1e-12)  # the line search only accepts decreases
    assert result.evaluations == result.scipy_result.nfev >= 16
    assert "ITERATIONS" in result.message.upper()
    np.testing.assert_allclose(gradients_to_vector(model), result.scipy_result.jac, rtol=1e-10)


def test_lbfgs_is_deterministic(moon_data):
    X, y = moon_data
    a = lbfgs(small_mlp(5), dl.SoftmaxCrossEntropy(), X, y, max_iter=20)
    b = lbfgs(small_mlp(5), dl.SoftmaxCrossEntropy(), X, y, max_iter=20)
    assert a.costs == b.costs


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"max_iter": 0}, r"max_iter must be >= 1, got 0"),
        ({"history": 0}, r"history must be >= 1, got 0"),
        ({"l2": -0.5}, r"l2 must be >= 0, got -0.5"),
        ({"gtol": 0.0}, r"gtol must be > 0, got 0.0"),
        ({"max_iter": 10.0}, r"max_iter must be an int, got 10.0"),
    ],
)
def test_bad_lbfgs_inputs(moon_data, kwargs, match):
    X, y = moon_data
    with pytest.raises((ValueError, TypeError), match=match):
        lbfgs(small_mlp(), dl.SoftmaxCrossEntropy(), X, y, **kwargs)
