"""dlcourse.descent.path: one runner, one divergence rule (core tier: autodiff.minimize
and the lesson modules all run it)."""

import math

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import surfaces
from dlcourse.topics import gd1d
from dlcourse.descent import RADIUS, Path, diverged, path


def test_gradient_descent_on_a_quadratic_matches_the_closed_form():
    q = gd1d.course_quadratic()
    p = path(q, 2.0, lr=0.1, steps=5)
    w = 2.0
    for k in range(6):
        assert p.ws[k] == w and p.costs[k] == float(q.value(w))
        w = w - 0.1 * q.grad(w)
    assert p.diverged_at is None and isinstance(p, Path)


def test_the_one_rule_stops_at_the_radius_and_keeps_that_row():
    q = gd1d.course_quadratic()
    p = path(q, 1.0, lr=10.0, steps=100)
    k = p.diverged_at
    assert k is not None and len(p.ws) == k + 1
    assert abs(p.ws[k]) > RADIUS and np.all(np.abs(p.ws[:k]) <= RADIUS)
    free = path(q, 1.0, lr=10.0, steps=100, radius=math.inf)  # finiteness only: goes on
    assert free.diverged_at is None or free.diverged_at > k
    on = path(q, 1.0, lr=10.0, steps=30, stop=False)
    assert len(on.ws) == 31 and on.diverged_at == k


def test_rule_cases():
    assert not diverged(np.array([1.0, 2.0]), 3.0)
    assert diverged(np.array([np.nan, 0.0]), 1.0)
    assert diverged(np.array([np.inf, 0.0]), 1.0, radius=math.inf)
    assert diverged(np.array([0.0]), math.inf)
    assert diverged(np.array([2e6]), 1.0)


def test_optimizer_mode_equals_plain_sgd_and_needs_one_of_lr_or_optimizer():
    s = surfaces.ravine(10.0)
    p = dl.Parameter(np.array(s.start, dtype=float))
    with_opt = path(s, s.start, optimizer=dl.optim.SGD([p], lr=0.01), steps=20)
    plain = path(s, s.start, lr=0.01, steps=20)
    np.testing.assert_allclose(with_opt.ws, plain.ws, rtol=0, atol=1e-15)
    with pytest.raises(ValueError, match="exactly one of lr"):
        path(s, s.start, steps=3)
    with pytest.raises(ValueError, match="radius"):
        path(s, s.start, lr=0.1, radius=0)
