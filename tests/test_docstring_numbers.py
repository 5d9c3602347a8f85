"""The numbers docstrings state, recomputed: a docstring that drifts from the code fails here.

Each test reads the number from the docstring (or the commented constant) itself, so editing
the text without the code, or the code without the text, breaks it.
"""

import inspect
import math
import re

import numpy as np
import pytest

from dlcourse import surfaces
from dlcourse.topics import babysit


def numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", text)]


def ravine_condition(s: float) -> float:
    eig = np.linalg.eigvalsh(surfaces.ravine(s).hessian([0.0, 0.0]))
    return eig[1] / eig[0]


def test_ravine_condition_numbers_as_stated():
    doc = " ".join(surfaces.ravine.__doc__.split())
    stated = re.search(r"condition number is about (\d+) s: ([\d, and]+) for s = ([\d, and]+)", doc)
    assert stated, "the ravine docstring no longer states its condition numbers"
    per_s = float(stated.group(1))
    kappas, steepness = numbers(stated.group(2)), numbers(stated.group(3))
    assert per_s == 40 and steepness == [1, 10, 100]
    for s, kappa in zip(steepness, kappas):
        computed = ravine_condition(s)
        assert round(computed) == kappa, (s, computed)
        assert computed / s == pytest.approx(per_s, rel=0.06)  # "about 40 s": 42.1, 40.2, 40.0


def test_ravine_floor_and_wall_curvatures():
    """Along the floor (1, 1)/sqrt 2 the curvature is exactly 0.1; across it about 4 s; the
    eigenvalues are about 0.1 and 4 s + 0.1; the 0.2 is d2J/dw_0^2."""
    doc = " ".join(surfaces.ravine.__doc__.split())
    assert (
        "curvature along it is exactly 0.1" in doc and "eigenvalues about 0.1 and 4 s + 0.1" in doc
    )
    floor = np.array([1.0, 1.0]) / math.sqrt(2)
    for s in (1.0, 10.0, 100.0):
        H = surfaces.ravine(s).hessian([0.0, 0.0])
        assert floor @ H @ floor == pytest.approx(0.1, rel=1e-12)
        assert H[0, 0] == pytest.approx(0.2 + 2 * s)
        low, high = np.linalg.eigvalsh(H)
        assert low == pytest.approx(0.1, rel=0.03) and high == pytest.approx(4 * s + 0.1, rel=0.01)
        across = np.array([1.0, -1.0]) / math.sqrt(2)
        assert across @ H @ across == pytest.approx(4 * s, rel=0.03)


def test_multi_minima_depths_in_the_comments():
    source = inspect.getsource(surfaces)
    depths = [float(x) for x in re.findall(r"# J = (-\d+\.\d+)", source)]
    surface = surfaces.multi_minima()
    assert len(depths) == len(surface.minima) == 3
    for w, depth in zip(surface.minima, depths):
        assert f"{surface.value(w):.5f}" == f"{depth:.5f}"
        assert np.linalg.norm(surface.grad(w)) < 1e-12
        assert np.all(np.linalg.eigvalsh(surface.hessian(w)) > 0)
    assert depths == sorted(depths), "minima must be listed deepest first"


def test_multi_minima_constants_as_stated():
    doc = " ".join(surfaces.multi_minima.__doc__.split())
    assert "beta = 0.05" in doc and surfaces._BOWL == 0.05
    centres = re.search(r"centres c = (.*?) depths", doc).group(1)
    assert numbers(centres) == surfaces._WELL_CENTRES.ravel().tolist()
    assert numbers(re.search(r"depths d = ([\d., ]+) and", doc).group(1)) == [1, 1.5, 2]
    assert numbers(re.search(r"widths s = ([\d., ]+)\.", doc).group(1)) == [0.9, 0.8, 0.9]
    np.testing.assert_array_equal(surfaces._WELL_DEPTHS, [1.0, 1.5, 2.0])
    np.testing.assert_array_equal(surfaces._WELL_WIDTHS, [0.9, 0.8, 0.9])


def test_saddle_minima_values_and_hessian_as_stated():
    doc = " ".join(surfaces.saddle.__doc__.split())
    assert "(0, +1), (0, -1) with J = -1/4" in doc and "Hessian diag(1, -1)" in doc
    surface = surfaces.saddle()
    for w in surface.minima:
        assert surface.value(w) == -0.25 and np.all(surface.grad(w) == 0)
    np.testing.assert_array_equal(surface.hessian([0.0, 0.0]), np.diag([1.0, -1.0]))


def test_quadratic_rates_as_stated():
    """Eigenvalues 1 and kappa; gradient descent converges for alpha < 2 / kappa, at best
    contracting by (kappa - 1) / (kappa + 1) per step."""
    kappa = 10.0
    surface = surfaces.quadratic(kappa, angle=0.7)
    np.testing.assert_allclose(np.linalg.eigvalsh(surface.hessian([0.0, 0.0])), [1.0, kappa])
    for alpha, converges in ((0.99 * 2 / kappa, True), (1.01 * 2 / kappa, False)):
        w = np.array([1.0, 1.0])
        for _ in range(2000):
            w = w - alpha * surface.grad(w)
        assert (np.linalg.norm(w) < 1e-3) == converges
    best = 2 / (1 + kappa)  # the step with the best worst-case rate
    w = np.array([1.0, 1.0])
    norms = []
    for _ in range(20):
        w = w - best * surface.grad(w)
        norms.append(np.linalg.norm(w))
    assert norms[-1] / norms[-2] == pytest.approx((kappa - 1) / (kappa + 1), rel=1e-9)


def test_rosenbrock_minimum_as_stated():
    for a in (1.0, -0.5, 2.0):
        surface = surfaces.rosenbrock(a=a)
        w = surface.minima[0]
        np.testing.assert_array_equal(w, [a, a * a])
        assert surface.value(w) == 0.0 and np.all(surface.grad(w) == 0)


def test_babysit_log_c_and_scale_test_as_stated():
    doc = babysit.__doc__
    assert "log 2 = 0.693" in doc and f"{math.log(2):.3f}" == "0.693"
    assert "1 / scale_tol <= sigma_j <= scale_tol" in doc
    X = np.random.default_rng(0).standard_normal((200, 3))
    assert babysit.check_preprocessing(X).passed
    assert not babysit.check_preprocessing(X * 4.0).passed  # upper bound
    assert not babysit.check_preprocessing(X / 4.0).passed  # the lower bound too
