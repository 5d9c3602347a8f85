"""Tests for dlcourse.surfaces: derivatives against finite differences, the listed
stationary points, vectorisation and argument errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse import surfaces
from dlcourse.surfaces import SURFACES, Surface, get_surface

# every factory with its defaults, plus non-default parameters
CASES = {
    "quadratic": surfaces.quadratic(),
    "quadratic_rotated": surfaces.quadratic(condition=50.0, angle=0.7),
    "ravine": surfaces.ravine(),
    "ravine_steep": surfaces.ravine(steepness=40.0),
    "saddle": surfaces.saddle(),
    "rosenbrock": surfaces.rosenbrock(),
    "rosenbrock_shifted": surfaces.rosenbrock(a=-0.5, b=10.0),
    "multi_minima": surfaces.multi_minima(),
}


def fd_grad(s: Surface, w: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Two-sided differences of J: (J(w + h e_i) - J(w - h e_i)) / 2h."""
    return np.array([(s.value(w + h * e) - s.value(w - h * e)) / (2 * h) for e in np.eye(2)])


def fd_hessian(s: Surface, w: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Column i: two-sided differences of the gradient along e_i."""
    return np.column_stack([(s.grad(w + h * e) - s.grad(w - h * e)) / (2 * h) for e in np.eye(2)])


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """|a - b| / (|a| + |b|), the denominator floored at 1 (the scale of these costs)."""
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1.0))


def point_in(s: Surface, u: float, v: float) -> np.ndarray:
    """The point at fractions (u, v) of the surface's plotting window."""
    (x0, x1), (y0, y1) = s.bounds
    return np.array([x0 + u * (x1 - x0), y0 + v * (y1 - y0)])


fractions = st.floats(0.0, 1.0, allow_nan=False)


@pytest.mark.parametrize("key", CASES)
@settings(max_examples=60, deadline=None)
@given(u=fractions, v=fractions)
def test_gradient_matches_finite_differences(key, u, v):
    s = CASES[key]
    w = point_in(s, u, v)
    assert rel_error(s.grad(w), fd_grad(s, w)) < 1e-7


@pytest.mark.parametrize("key", CASES)
@settings(max_examples=60, deadline=None)
@given(u=fractions, v=fractions)
def test_hessian_matches_finite_differences_of_gradient(key, u, v):
    s = CASES[key]
    w = point_in(s, u, v)
    H = s.hessian(w)
    assert H.shape == (2, 2)
    assert H[0, 1] == H[1, 0]
    assert rel_error(H, fd_hessian(s, w)) < 1e-7


@pytest.mark.parametrize("key", CASES)
def test_listed_minima_are_stationary_with_positive_definite_hessian(key):
    s = CASES[key]
    assert len(s.minima) >= 1
    for m in s.minima:
        assert m.shape == (2,)
        assert np.linalg.norm(s.grad(m)) < 1e-10
        assert np.all(np.linalg.eigvalsh(s.hessian(m)) > 0)


@pytest.mark.parametrize("key", CASES)
def test_minima_are_sorted_deepest_first_and_inside_the_window(key):
    s = CASES[key]
    values = [s.value(m) for m in s.minima]
    assert values == sorted(values)
    (x0, x1), (y0, y1) = s.bounds
    for p in (*s.minima, s.start):
        assert x0 < p[0] < x1 and y0 < p[1] < y1
    assert s.value(s.start) > values[0]


def test_known_minimum_values():
    assert CASES["quadratic"].value([0.0, 0.0]) == 0.0
    assert CASES["rosenbrock"].value([1.0, 1.0]) == 0.0
    np.testing.assert_array_equal(CASES["rosenbrock_shifted"].minima[0], [-0.5, 0.25])
    assert CASES["saddle"].value([0.0, 1.0]) == -0.25
    assert CASES["saddle"].value([0.0, -1.0]) == -0.25


def test_saddle_point_is_stationary_and_indefinite():
    s = surfaces.saddle()
    (p,) = s.saddle_points
    assert np.linalg.norm(s.grad(p)) == 0.0
    low, high = np.linalg.eigvalsh(s.hessian(p))
    assert low < 0 < high


def test_multi_minima_lists_every_minimum_in_the_window():
    """Gradient descent from a grid of starts ends at one of the listed minima, and
    every listed minimum is reached from somewhere."""
    s = surfaces.multi_minima()
    W0, W1, _ = s.grid(25)
    w = np.stack([W0.ravel(), W1.ravel()], axis=-1)
    for _ in range(4000):
        w = w - 0.3 * s.grad(w)
    minima = np.array(s.minima)
    dist = np.linalg.norm(w[:, None, :] - minima[None], axis=-1)
    assert np.all(dist.min(axis=1) < 1e-6)
    assert set(dist.argmin(axis=1)) == {0, 1, 2}


def test_multi_minima_listed_points_survive_a_newton_step():
    s = surfaces.multi_minima()
    for m in s.minima:
        step = np.linalg.solve(s.hessian(m), s.grad(m))
        assert np.linalg.norm(step) < 1e-14


def test_ravine_and_rosenbrock_are_badly_conditioned_at_the_minimum():
    assert np.linalg.cond(surfaces.ravine().hessian([0.0, 0.0])) > 100
    assert np.linalg.cond(surfaces.rosenbrock().hessian([1.0, 1.0])) > 1000


@settings(max_examples=50, deadline=None)
@given(kappa=st.floats(1.0, 1e4), angle=st.floats(-np.pi, np.pi))
def test_quadratic_condition_number_equals_argument(kappa, angle):
    s = surfaces.quadratic(condition=kappa, angle=angle)
    H = s.hessian([0.3, -1.2])
    assert np.linalg.cond(H) == pytest.approx(kappa, rel=1e-9)
    np.testing.assert_allclose(np.linalg.eigvalsh(H), [1.0, kappa], rtol=1e-9)


def test_quadratic_is_half_wT_A_w():
    s = surfaces.quadratic(condition=4.0)
    assert s.value([1.0, 1.0]) == pytest.approx(0.5 * (1 + 4))
    np.testing.assert_allclose(s.grad([1.0, 1.0]), [1.0, 4.0])


@pytest.mark.parametrize("key", CASES)
def test_vectorised_over_leading_axes(key):
    s = CASES[key]
    rng = np.random.default_rng(3)
    (x0, x1), (y0, y1) = s.bounds
    w = np.stack([rng.uniform(x0, x1, (3, 4)), rng.uniform(y0, y1, (3, 4))], axis=-1)
    J, G, H = s.value(w), s.grad(w), s.hessian(w)
    assert J.shape == (3, 4) and G.shape == (3, 4, 2) and H.shape == (3, 4, 2, 2)
    for i, j in np.ndindex(3, 4):
        assert J[i, j] == pytest.approx(s.value(w[i, j]), rel=1e-14, abs=1e-14)
        np.testing.assert_allclose(G[i, j], s.grad(w[i, j]), rtol=1e-14, atol=1e-14)
        np.testing.assert_allclose(H[i, j], s.hessian(w[i, j]), rtol=1e-14, atol=1e-14)


def test_value_of_one_point_is_a_float_and_grid_has_matching_shapes():
    s = surfaces.rosenbrock()
    assert isinstance(s.value(np.array([0.5, 0.5])), float)
    W0, W1, J = s.grid(7)
    assert W0.shape == W1.shape == J.shape == (7, 7)
    assert J[3, 3] == s.value([W0[3, 3], W1[3, 3]])


def test_surface_data_is_read_only():
    s = surfaces.saddle()
    with pytest.raises(ValueError):
        s.minima[0][0] = 5.0
    with pytest.raises(ValueError):
        s.start[0] = 5.0


def test_registry_and_get_surface():
    assert set(SURFACES) == {"quadratic", "ravine", "saddle", "rosenbrock", "multi_minima"}
    for name in SURFACES:
        s = get_surface(name)
        assert isinstance(s, Surface) and s.name == name
    s = get_surface("quadratic", condition=25.0)
    assert np.linalg.cond(s.hessian([0.0, 0.0])) == pytest.approx(25.0)


def test_unknown_surface_lists_valid_names():
    with pytest.raises(ValueError, match="surface 'bowl'") as err:
        get_surface("bowl")
    for name in SURFACES:
        assert name in str(err.value)


@pytest.mark.parametrize(
    "call, argument",
    [
        (lambda: surfaces.quadratic(condition=0.5), "condition"),
        (lambda: surfaces.quadratic(condition=float("nan")), "condition"),
        (lambda: surfaces.quadratic(angle=float("inf")), "angle"),
        (lambda: surfaces.ravine(steepness=0.0), "steepness"),
        (lambda: surfaces.rosenbrock(b=-1.0), "b"),
        (lambda: surfaces.rosenbrock(a=float("nan")), "a"),
        (lambda: surfaces.saddle().value(np.zeros(3)), "w"),
        (lambda: surfaces.saddle().grad(np.zeros((4, 3))), "w"),
        (lambda: surfaces.saddle().hessian(1.0), "w"),
        (lambda: surfaces.saddle().grid(1), "num"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(call, argument):
    with pytest.raises(ValueError, match=rf"^{argument} "):
        call()
