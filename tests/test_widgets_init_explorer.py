"""The InitExplorer's picture, and what every lesson dashboard's figure owes a reader: no text
below 8 pt, and readouts that change as numbers in place of moving tick labels."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colorbar import Colorbar
from matplotlib.text import Text

from dlcourse.plots.limits import GRID_125, nice_ceil
from dlcourse.plots.training import readout
from dlcourse.widgets import (
    ActivationExplorer,
    EWAExplorer,
    GradientDescentExplorer,
    InitExplorer,
    OptimizerRace,
    SearchExplorer,
)

LESSON_DASHBOARDS = [
    InitExplorer,
    ActivationExplorer,
    OptimizerRace,
    GradientDescentExplorer,
    EWAExplorer,
    SearchExplorer,
]


def _texts(fig) -> list[Text]:
    """Every text a full draw paints (tick labels included)."""
    fig.canvas.draw()
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize("cls", LESSON_DASHBOARDS, ids=lambda c: c.__name__)
def test_no_text_below_8_pt(cls):
    d = cls()
    small = {(t.get_text(), t.get_fontsize()) for t in _texts(d.figure) if t.get_fontsize() < 8}
    assert not small, f"{cls.__name__}: {sorted(small)[:5]}"


def test_the_heat_map_has_a_colour_bar_on_round_limits_holding_the_values():
    e = InitExplorer()
    bar = e._units.colorbar
    assert isinstance(bar, Colorbar) and bar.ax in e.figure.axes
    for activation, init in (("tanh", "xavier"), ("relu", "he"), ("sigmoid", "random")):
        e.set_config({**InitExplorer.defaults, "activation": activation, "init": init})
        shown = e._units.get_array()
        lo, hi = e._units.get_clim()
        top = float(np.abs(shown).max())
        assert hi == nice_ceil(top, GRID_125) and lo == (0.0 if shown.min() >= 0 else -hi)
        assert lo <= shown.min() and shown.max() <= hi
        assert e._units.colorbar is bar
    e.set_config({**InitExplorer.defaults, "init": "zeros"})  # tanh(0): every unit 0
    assert np.all(e._units.get_array() == 0) and e._units.get_clim() == (-1.0, 1.0)


def test_the_gradient_axis_reads_values_at_its_ends_and_no_common_factor():
    e = InitExplorer()
    r = e._grad_hist.edges[-1]
    ends = [t.get_text() for t in e._grad_hist.tick_texts]
    assert ends == [f"−{readout(r)}", readout(r)]
    texts = [t.get_text() for t in _texts(e.figure)]
    assert not any(t.startswith("×") for t in texts)  # no "× 0.0008" under the axis
    e.controls["scale"].value = 2.0  # gradients ~ s^L: r changes, the ticks do not
    assert e._grad_hist.edges[-1] > 10 * r
    assert e._ax_grad.get_xlim() == (-1.0, 1.0)
    assert e._grad_hist.tick_texts[-1].get_text() == readout(e._grad_hist.edges[-1])


def test_the_std_readouts_are_the_layers_stds():
    e = InitExplorer(depth=6)
    for hist, stds in ((e._act_hist, e.activation_std), (e._grad_hist, e.gradient_std)):
        shown = [t.get_text() for t in hist.texts if t.get_visible()]
        assert shown == [readout(s) for s in stds]
        assert all(len(s) <= 7 for s in shown)


@pytest.mark.parametrize("cls", [InitExplorer, ActivationExplorer], ids=lambda c: c.__name__)
def test_a_scale_press_at_the_default_redraws_only_the_moving_artists(cls):
    """The gradients shift by decades with the weight scale: their histogram axis is
    relative and the std plot is on moving decades, so a step of the slider and back (as
    bench_latency presses) is a blit (no new axis), the frame the same as a full draw
    (tests/test_widgets_view). (A step down from InitExplorer's default is a full draw:
    the heat map's colour range halves.)"""
    d = cls()
    d.view
    slider = d.controls["scale"]
    for sign in (1, -1, 1, -1):
        slider.value = slider.value * slider.base ** (sign * slider.step)
        assert d.view_agg.last == "blit", (cls.__name__, slider.value)
