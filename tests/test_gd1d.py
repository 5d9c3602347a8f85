"""Tests for dlcourse.topics.gd1d: derivatives against finite differences, the learning-rate regimes
of the quadratic, divergence handling, 2-D surfaces, and argument errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse import surfaces

from dlcourse.topics import gd1d
from dlcourse.topics.gd1d import COSTS_1D, descend, gd_step, get_cost_1d

COSTS = {name: factory() for name, factory in COSTS_1D.items()}


@pytest.mark.parametrize("name", sorted(COSTS))
def test_derivatives_match_finite_differences(name):
    cost = COSTS[name]
    w = np.linspace(*cost.bounds, 23)
    h = 1e-5
    fd1 = (cost.value(w + h) - cost.value(w - h)) / (2 * h)
    fd2 = (cost.grad(w + h) - cost.grad(w - h)) / (2 * h)
    np.testing.assert_allclose(cost.grad(w), fd1, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(cost.curvature(w), fd2, rtol=1e-7, atol=1e-6)


@pytest.mark.parametrize("name", sorted(COSTS))
def test_minima_are_stationary_with_positive_curvature_and_deepest_first(name):
    cost = COSTS[name]
    for m in cost.minima:
        assert abs(cost.grad(m)) < 1e-10
        assert cost.curvature(m) >= 0
        assert cost.bounds[0] < m < cost.bounds[1]
    values = [cost.value(m) for m in cost.minima]
    assert values == sorted(values)


def test_value_of_a_number_is_a_float_and_of_an_array_an_array():
    cost = gd1d.course_quadratic()
    assert isinstance(cost.value(3), float) and cost.value(3) == 4.0
    assert cost.value(np.array([5.0, 6.0])).tolist() == [0.0, 1.0]
    w, J = cost.grid(11)
    assert w.shape == J.shape == (11,)


def test_course_quadratic_is_the_course_cost():
    cost = gd1d.course_quadratic()
    for w in (-3.0, 0.0, 2.5, 5.0, 9.0):
        assert cost.value(w) == pytest.approx(w * w - 10 * w + 25)
    assert cost.lr_limit == pytest.approx(1.0)


@pytest.mark.parametrize("lr", [0.01, 0.2, 0.5, 0.7, 0.95])
def test_quadratic_error_contracts_by_one_minus_two_alpha(lr):
    d = descend(gd1d.course_quadratic(), -1.0, lr, 12)
    expected = 5.0 + (1.0 - 2.0 * lr) ** np.arange(13) * (-1.0 - 5.0)
    np.testing.assert_allclose(d.ws, expected, rtol=1e-12, atol=1e-12)
    assert d.diverged_at is None and d.steps == 12


def test_learning_rate_regimes_on_the_quadratic():
    q = gd1d.course_quadratic()
    crawl = descend(q, -1.0, 0.001, 50)
    good = descend(q, -1.0, 0.3, 50)
    bounce = descend(q, -1.0, 1.0, 50)
    blow = descend(q, -1.0, 1.5, 50)
    assert abs(crawl.final - 5) > 5.0  # barely moved
    assert abs(good.final - 5) < 1e-12
    assert bounce.ws[-1] == pytest.approx(-1.0) and bounce.ws[-2] == pytest.approx(11.0)
    assert abs(blow.final - 5) > 1e10 and blow.diverged_at is None


def test_divergence_stops_at_the_first_non_finite_cost_without_warning():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = descend(gd1d.course_quadratic(), -1.0, 50.0, 10_000)
    assert d.diverged_at is not None and d.diverged_at == len(d.ws) - 1
    assert not np.isfinite(d.costs[-1]) and np.all(np.isfinite(d.costs[:-1]))


def test_descend_works_on_a_2d_surface():
    s = surfaces.quadratic(condition=4.0)
    d = descend(s, s.start, 0.2, 200)
    assert d.ws.shape == (201, 2)
    np.testing.assert_allclose(d.final, [0.0, 0.0], atol=1e-8)
    # each step is exactly w - lr * grad
    np.testing.assert_allclose(d.ws[1], s.start - 0.2 * s.grad(s.start))


def test_double_well_end_depends_on_the_start():
    c = gd1d.double_well()
    left = descend(c, -0.5, 0.05, 500).final
    right = descend(c, 0.5, 0.05, 500).final
    assert left == pytest.approx(c.minima[0], abs=1e-8)
    assert right == pytest.approx(c.minima[1], abs=1e-8)


@settings(max_examples=40, deadline=None)
@given(st.floats(-10, 10), st.floats(1e-4, 0.99))
def test_quadratic_converges_below_the_limit(w0, lr):
    d = descend(gd1d.course_quadratic(), w0, lr, 20)
    assert abs(d.final - 5.0) <= abs(w0 - 5.0) + 1e-12


def test_gd_step_does_not_change_its_input():
    w = np.array([1.0, 2.0])
    out = gd_step(w, np.array([0.5, -1.0]), 0.1)
    np.testing.assert_allclose(out, [0.95, 2.1])
    assert w.tolist() == [1.0, 2.0]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(lr=0.0), "lr must be > 0, got 0.0"),
        (dict(lr=-1.0), "lr must be > 0"),
        (dict(steps=-1), "steps must be >= 0, got -1"),
        (dict(steps=2.5), "steps must be an int"),
        (dict(w0=float("nan")), "w0 contains 1 NaN/inf"),
    ],
)
def test_bad_arguments_name_themselves(kwargs, match):
    args = dict(cost=gd1d.course_quadratic(), w0=0.0, lr=0.1, steps=5)
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError), match=match):
        descend(**args)


def test_unknown_cost_lists_the_valid_names():
    with pytest.raises(ValueError, match="unknown cost 'bowl'; valid: 'quadratic'"):
        get_cost_1d("bowl")
