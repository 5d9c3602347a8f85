"""Exponentially weighted averages: the recursion, its closed form, bias correction, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dlcourse.datasets import temperatures
from dlcourse.topics.ewa import (
    bias_correct,
    effective_window,
    ewa,
    ewa_corrected,
    ewa_weights,
)

series = hnp.arrays(
    np.float64,
    st.integers(1, 60),
    elements=st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
)
betas = st.floats(0.0, 0.999)


def direct_loop(theta, beta):
    """v_t = beta v_{t-1} + (1 - beta) theta_t with v_0 = 0, written out by hand."""
    out, v = [], 0.0
    for x in theta:
        v = beta * v + (1 - beta) * x
        out.append(v)
    return np.array(out)


def closed_form(theta, beta):
    """v_t = (1 - beta) sum_{i=1..t} beta^(t-i) theta_i, summed term by term."""
    T = len(theta)
    return np.array(
        [
            (1 - beta) * sum(beta ** (t - i) * theta[i - 1] for i in range(1, t + 1))
            for t in range(1, T + 1)
        ]
    )


@settings(max_examples=60, deadline=None)
@given(series, betas)
def test_recursion_matches_a_direct_loop(theta, beta):
    np.testing.assert_allclose(ewa(theta, beta), direct_loop(theta, beta), rtol=0, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(series, betas)
def test_recursion_matches_the_closed_form(theta, beta):
    np.testing.assert_allclose(ewa(theta, beta), closed_form(theta, beta), rtol=1e-9, atol=1e-7)


@settings(max_examples=40, deadline=None)
@given(series, betas)
def test_weights_reproduce_the_last_average_and_sum_to_one_minus_beta_t(theta, beta):
    w = ewa_weights(len(theta), beta)
    assert w.sum() == pytest.approx(1 - beta ** len(theta), rel=1e-12, abs=1e-15)
    assert ewa(theta, beta)[-1] == pytest.approx(w @ theta, rel=1e-9, abs=1e-7)
    np.testing.assert_allclose(
        ewa(theta, beta, bias_correction=True)[-1], w @ theta / w.sum(), rtol=1e-9, atol=1e-7
    )


def test_known_values_by_hand():
    # beta = 0.5: v = 0.5 * 2 = 1, v = 0.5 * 1 + 0.5 * 4 = 2.5; corrected 1/0.5, 2.5/0.75
    np.testing.assert_allclose(ewa([2.0, 4.0], 0.5), [1.0, 2.5])
    np.testing.assert_allclose(ewa_corrected([2.0, 4.0], 0.5), [2.0, 2.5 / 0.75])


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.98, 0.999])
@pytest.mark.parametrize("c", [-7.25, 3.0, 21.5])
def test_bias_correction_of_a_constant_gives_the_constant_from_t_1(beta, c):
    theta = np.full(300, c)
    corrected = ewa(theta, beta, bias_correction=True)
    np.testing.assert_allclose(corrected, c, rtol=1e-12)  # no warm-up at all
    plain = ewa(theta, beta)
    assert plain[0] == pytest.approx((1 - beta) * c)  # the bias the correction removes
    if beta >= 0.5:
        assert abs(plain[0] - c) > 0.4 * abs(c)


def test_bias_correct_matches_the_formula_and_the_flag():
    theta = np.random.default_rng(0).normal(size=50)
    v = ewa(theta, 0.9)
    t = np.arange(1, 51)
    np.testing.assert_allclose(bias_correct(v, 0.9), v / (1 - 0.9**t))
    np.testing.assert_array_equal(ewa_corrected(theta, 0.9), bias_correct(v, 0.9))


def test_beta_zero_is_the_series_itself():
    theta = np.array([3.0, -1.0, 8.0])
    np.testing.assert_array_equal(ewa(theta, 0.0), theta)
    np.testing.assert_array_equal(ewa(theta, 0.0, bias_correction=True), theta)


def test_time_is_axis_0_and_columns_are_independent():
    rng = np.random.default_rng(1)
    theta = rng.normal(size=(40, 3, 2))
    out = ewa(theta, 0.8, bias_correction=True)
    assert out.shape == theta.shape
    for j in range(3):
        for k in range(2):
            np.testing.assert_allclose(out[:, j, k], ewa(theta[:, j, k], 0.8, True))


def test_effective_window():
    assert effective_window(0.9) == pytest.approx(10.0)
    assert effective_window(0.98) == pytest.approx(50.0)
    assert effective_window(0.0) == 1.0


@pytest.mark.parametrize("beta", [1.0, 1.5, -0.1, float("nan"), float("inf")])
@pytest.mark.parametrize(
    "fn",
    [
        lambda b: ewa([1.0, 2.0], b),
        lambda b: bias_correct([1.0], b),
        lambda b: ewa_weights(3, b),
        effective_window,
    ],
)
def test_beta_outside_the_unit_interval_is_refused_by_name(beta, fn):
    with pytest.raises(ValueError, match="beta") as info:
        fn(beta)
    assert repr(beta) in str(info.value) or "finite" in str(info.value)


def test_bad_series_and_types():
    with pytest.raises(TypeError, match="beta"):
        ewa([1.0], "0.9")
    with pytest.raises(ValueError, match="empty"):
        ewa([], 0.9)
    with pytest.raises(ValueError, match="scalar"):
        ewa(3.0, 0.9)
    with pytest.raises(ValueError, match="values contains 1 NaN"):
        ewa([1.0, np.nan], 0.9)
    with pytest.raises(ValueError, match="t must be >= 1"):
        ewa_weights(0, 0.9)


def test_temperatures_are_seeded_and_follow_the_formula():
    t, a = temperatures(120, 3.0, rng=5)
    _, b = temperatures(120, 3.0, rng=5)
    np.testing.assert_array_equal(a, b)
    assert t[0] == 1 and t[-1] == 120 and a.shape == (120,)
    _, clean = temperatures(365, 0.0, rng=0)
    days = np.arange(1, 366)
    np.testing.assert_allclose(clean, 11 - 8 * np.cos(2 * np.pi * (days - 15) / 365))
    assert np.argmin(clean) == 14 and 180 < np.argmax(clean) < 200  # mid-January, July
    _, c = temperatures(120, 3.0, rng=6)
    assert not np.array_equal(a, c)
    with pytest.raises(ValueError, match="noise"):
        temperatures(10, -1.0)
    with pytest.raises(ValueError, match="days"):
        temperatures(0)
