"""Heavy-ball momentum on a quadratic: closed forms against eigenvalues and real runs."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse.topics import momentum_theory as mt


@settings(max_examples=80, deadline=None)
@given(alpha=st.floats(1e-3, 3.0), beta=st.floats(0.0, 0.99), h=st.floats(0.01, 10.0))
def test_rate_is_the_spectral_radius(alpha, beta, h):
    M = mt.iteration_matrix(alpha, beta, h)
    expected = max(abs(np.linalg.eigvals(M)))
    assert mt.rate(alpha, beta, h) == pytest.approx(expected, rel=1e-6, abs=1e-6)


def test_rate_broadcasts():
    alphas = np.linspace(0.01, 1.0, 7)[:, None]
    betas = np.linspace(0.0, 0.95, 5)[None, :]
    grid = mt.rate(alphas, betas, 2.0)
    assert grid.shape == (7, 5)
    for i, a in enumerate(alphas[:, 0]):
        for j, b in enumerate(betas[0]):
            assert grid[i, j] == pytest.approx(mt.rate(a, b, 2.0))


def test_stability_boundary_alpha_h_equals_two_one_plus_beta():
    for beta in (0.0, 0.5, 0.9):
        edge = 2 * (1 + beta)
        assert mt.rate(edge * 0.999, beta, 1.0) < 1.0
        assert mt.rate(edge * 1.001, beta, 1.0) > 1.0


@pytest.mark.parametrize(
    "alpha, beta, h",
    [
        (0.1, 0.5, 1.0),
        (0.1, 0.9, 1.0),
        (0.5, 0.0, 1.0),
        (1.9, 0.0, 1.0),
        (0.5, 0.95, 1.0),
        (0.05, 0.3, 4.0),
        (0.3, 0.2, 10.0),
    ],
)
def test_measured_rate_of_real_runs_matches_formula(alpha, beta, h):
    path = mt.simulate([h], alpha, beta, steps=400)
    assert mt.measured_rate(path) == pytest.approx(mt.rate(alpha, beta, h), rel=0.01)


def test_measured_rate_at_critical_damping():
    """A double root (a Jordan block) converges like t rho^t: still within 1 %."""
    beta = mt.critical_beta(0.1, 1.0)
    path = mt.simulate([1.0], 0.1, beta, steps=600)
    assert mt.measured_rate(path) == pytest.approx(mt.rate(0.1, beta, 1.0), rel=0.01)


def test_measured_rate_detects_divergence():
    path = mt.simulate([1.0], 2.5, 0.0, steps=100)
    assert mt.measured_rate(path) == pytest.approx(1.5, rel=1e-6)


def test_optimal_momentum_beats_every_grid_point_and_matches_runs():
    mu, L = 1.0, 100.0
    a_star, b_star, r_star = mt.optimal_momentum(mu, L)
    assert a_star == pytest.approx(4 / 11**2)
    assert b_star == pytest.approx((9 / 11) ** 2)
    assert r_star == pytest.approx(math.sqrt(b_star))
    assert mt.worst_rate(a_star, b_star, mu, L) == pytest.approx(r_star, rel=1e-7)
    A, B = np.meshgrid(np.geomspace(1e-3, 0.1, 150), np.linspace(0, 0.99, 150))
    assert np.min(mt.worst_rate(A, B, mu, L)) >= r_star - 1e-3
    path = mt.simulate(np.array([mu, 10.0, L]), a_star, b_star, steps=500)
    assert mt.measured_rate(path) == pytest.approx(r_star, rel=0.02)


def test_worst_rate_is_the_max_over_the_band():
    hs = np.linspace(0.5, 20.0, 2001)
    for alpha, beta in [(0.05, 0.5), (0.2, 0.1), (0.01, 0.95), (0.09, 0.0)]:
        assert mt.worst_rate(alpha, beta, 0.5, 20.0) == pytest.approx(
            np.max(mt.rate(alpha, beta, hs)), rel=1e-9
        )


def test_gd_optimum():
    mu, L = 2.0, 50.0
    alpha, r = mt.gd_optimal(mu, L)
    assert alpha == pytest.approx(2 / 52) and r == pytest.approx(24 / 26)
    alphas = np.linspace(1e-3, 2 / L, 2000)
    worst = np.maximum(mt.gd_rate(alphas, mu), mt.gd_rate(alphas, L))
    assert worst.min() >= r - 1e-6
    assert mt.measured_rate(mt.simulate([mu, L], alpha, 0.0, steps=400)) == pytest.approx(
        r, rel=0.01
    )
    # beta = 0 is plain gradient descent
    assert mt.rate(0.1, 0.0, 3.0) == pytest.approx(mt.gd_rate(0.1, 3.0))


def test_momentum_needs_about_sqrt_kappa_steps():
    for kappa in (100.0, 10000.0):
        gd = mt.steps_to_reduce(mt.gd_optimal(1.0, kappa)[1], 1e-6)
        hb = mt.steps_to_reduce(mt.optimal_momentum(1.0, kappa)[2], 1e-6)
        assert gd / hb == pytest.approx(math.sqrt(kappa), rel=0.1)


def test_critical_damping_is_a_double_root():
    for alpha, h in [(0.1, 1.0), (0.01, 3.0), (2.0, 1.5)]:
        beta = mt.critical_beta(alpha, h)
        lam = np.linalg.eigvals(mt.iteration_matrix(alpha, beta, h))
        assert abs(lam[0] - lam[1]) < 1e-6
        # a double root moves like sqrt(rounding error): ~1e-8 is the floating-point limit
        assert mt.rate(alpha, beta, h) == pytest.approx(abs(1 - math.sqrt(alpha * h)), rel=1e-7)
        assert mt.regime(alpha, beta, h) == "critically damped"


def test_regimes():
    assert mt.regime(0.1, 0.0, 1.0) == "overdamped"
    assert mt.regime(0.1, 0.9, 1.0) == "underdamped"
    assert mt.regime(1.5, 0.0, 1.0) == "overshooting"
    assert mt.regime(3.0, 0.0, 1.0) == "divergent"
    w = mt.simulate([1.0], 0.1, 0.9, steps=60)[:, 0]
    assert np.any(w < 0) and np.any(w > 0)  # underdamped: crosses zero
    w = mt.simulate([1.0], 0.1, 0.0, steps=60)[:, 0]
    assert np.all(np.diff(w) < 0) and np.all(w > 0)  # overdamped: creeps in


def test_course_and_pytorch_forms_follow_the_same_path():
    h = np.array([0.5, 4.0, 9.0])
    for beta in (0.5, 0.9):
        alpha = 0.02
        a = mt.simulate(h, alpha, beta, steps=100, form="pytorch")
        b = mt.simulate(h, mt.course_lr(alpha, beta), beta, steps=100, form="course")
        assert np.max(np.abs(a - b)) < 1e-12
        assert mt.pytorch_lr(mt.course_lr(alpha, beta), beta) == pytest.approx(alpha)
    assert mt.course_lr(0.01, 0.9) == pytest.approx(0.1)


def test_steps_to_reduce():
    assert mt.steps_to_reduce(0.5, 1 / 8) == 3
    assert mt.steps_to_reduce(0.5, 0.2) == 3
    assert mt.steps_to_reduce(0.9, 2.0) == 0


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: mt.rate(-0.1, 0.5, 1.0), "alpha must be > 0, got -0.1"),
        (lambda: mt.rate(0.1, 1.0, 1.0), r"beta must be in \[0, 1\), got 1.0"),
        (lambda: mt.rate(0.1, np.array([0.5, 1.2]), 1.0), r"beta must be in \[0, 1\), got 1.2"),
        (lambda: mt.rate(0.1, 0.5, np.array([1.0, -2.0])), "h must be finite and > 0, got -2.0"),
        (lambda: mt.optimal_momentum(10.0, 1.0), "mu must be <= L, got mu=10.0 and L=1.0"),
        (lambda: mt.critical_beta(2.0, 3.0), "alpha \\* h must be < 4"),
        (
            lambda: mt.simulate([1.0], 0.1, 0.5, form="adam"),
            "form must be 'pytorch' or 'course', got 'adam'",
        ),
        (lambda: mt.simulate([1.0, 2.0], 0.1, 0.5, w0=[1.0]), "w0 must have the shape of h"),
        (lambda: mt.steps_to_reduce(1.2), "rate must be < 1"),
        (lambda: mt.measured_rate(np.ones((3, 1))), "at least 5 iterates"),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
