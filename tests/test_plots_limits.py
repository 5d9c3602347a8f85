"""Round axis limits (dlcourse.plots.limits): they contain the data, the data fills the
share of the axis the docstring states, and they do not move for small changes."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlcourse.plots.limits import GRID, nice_ceil, nice_floor, nice_limits, nice_log_limits, widened

positive = st.floats(1e-9, 1e9, allow_nan=False)


@given(positive)
def test_nice_ceil_and_floor_bracket_x_on_the_grid(x):
    up, down = nice_ceil(x), nice_floor(x)
    assert down <= x * (1 + 1e-12) and up >= x * (1 - 1e-12)
    assert up / x < 1.5 + 1e-9 and x / down < 1.5 + 1e-9
    for v in (up, down):
        mantissa = v / 10 ** math.floor(math.log10(v) + 1e-12)
        assert min(abs(mantissa - g) for g in GRID) < 1e-9


def test_nice_ceil_examples():
    assert [nice_ceil(v) for v in (0.7, 1.0, 1.01, 2.2, 7.0, 81.0)] == [
        0.8,
        1.0,
        1.5,
        3.0,
        8.0,
        100.0,
    ]
    assert nice_ceil(3.0, (1.0, 2.0, 5.0, 10.0)) == 5.0


@given(st.floats(-1e6, 1e6), st.floats(1e-6, 1e6))
def test_linear_limits_contain_the_data_and_fill_what_the_docstring_says(lo, span):
    hi = lo + span
    a, b = nice_limits(lo, hi)
    assert a <= lo and b >= hi
    if 0 <= lo < 0.5 * span:  # a positive series near 0 (a cost): the axis starts at 0
        assert a == 0.0 and b < 1.5 * (hi + 0.05 * span) + 1e-9
    elif -0.5 * span < hi <= 0:
        assert b == 0.0 and a > 1.5 * (lo - 0.05 * span) - 1e-9
    else:
        assert (hi - lo) / (b - a) > 0.5
    a, b = nice_limits(lo, hi, from_zero=True)
    assert a <= lo and b >= hi
    if lo >= 0:
        assert a == 0.0 and b < 1.5 * (hi + 0.05 * span) + 1e-9


def test_linear_limits_stay_put_for_small_moves():
    assert nice_limits(0.2, 0.69) == nice_limits(0.21, 0.7) == (0.0, 0.8)
    assert nice_limits(10.0, 11.0) == nice_limits(10.02, 11.03)


@given(st.floats(1e-12, 1e6), st.floats(1.0, 1e6))
def test_log_limits_contain_the_padded_data(lo, ratio):
    hi = lo * ratio
    a, b = nice_log_limits(lo, hi)
    assert a <= lo / 1.3 * (1 + 1e-12) and b >= hi * 1.3 * (1 - 1e-12)
    assert a > lo / 1.3 / 10 and b < hi * 1.3 * 10
    assert math.log10(a) == round(math.log10(a)) and math.log10(b) == round(math.log10(b))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: nice_ceil(0.0), "x must be a positive finite number, got 0.0"),
        (lambda: nice_floor(float("nan")), "x must be a positive finite number, got nan"),
        (lambda: nice_limits(2.0, 1.0), "lo, hi must be finite with lo <= hi, got 2.0, 1.0"),
        (lambda: nice_log_limits(-1.0, 1.0), "0 < lo <= hi < inf, got -1.0, 1.0"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        call()


def test_log_axes_have_minor_ticks_only_over_few_decades():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from dlcourse.plots.limits import MINOR_DECADES, SparseMinorLogLocator, set_log_scale

    ax = Figure().add_subplot()
    set_log_scale(ax)
    assert ax.get_yscale() == "log" and ax.get_xscale() == "linear"
    assert isinstance(ax.yaxis.get_minor_locator(), SparseMinorLogLocator)
    ax.set_ylim(1e-2, 1e1)  # 3 decades: the usual 2..9 x 10^k
    minor = ax.yaxis.get_minor_locator()()
    assert np.allclose(minor[(minor > 0.011) & (minor < 0.099)], np.arange(2, 10) * 0.01)
    ax.set_ylim(1e-7, 1.0)  # 7 decades: none
    assert len(ax.yaxis.get_minor_locator()()) == 0
    assert MINOR_DECADES == 3.0
    set_log_scale(ax, "x")
    assert ax.get_xscale() == "log"
    with pytest.raises(ValueError, match="axis must be 'x' or 'y', got 'z'"):
        set_log_scale(ax, "z")


def test_widened_holds_both_ranges_in_either_order():
    assert widened((0.0, 10.0), (2.0, 12.0)) == (0.0, 12.0)
    assert widened((0.1, 1.0), (0.01, 0.5)) == (0.01, 1.0)
    assert widened((5.0, 1.0), (2.0, 3.0)) == (1.0, 5.0)  # an inverted axis's limits
    with pytest.raises(ValueError, match="limits must be finite"):
        widened((0.0, 1.0), (0.0, math.inf))
