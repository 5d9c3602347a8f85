"""The text-layout cache (dlcourse.widgets.text_layouts) gives the uncached boxes and pixels."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from dlcourse.widgets import text_layouts  # noqa: E402
from dlcourse.widgets.text_layouts import cache_text_layouts  # noqa: E402


def _figure():
    fig = Figure(figsize=(4, 3), dpi=97)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    ax.set_title(r"std of $A^{[l]}$", fontsize=9)
    texts = [
        ax.text(0.1, 0.5, "std 0.123", fontsize=8),
        ax.text(0.5, 0.5, "two\nlines, centred", ha="center", va="center", multialignment="center"),
        ax.text(0.8, 0.2, "rotated", rotation=30, rotation_mode="anchor", ha="right"),
        ax.text(0.3, 0.8, "wrapped " * 12, wrap=True),
        fig.text(0.02, 0.02, "figure text", weight="bold"),
    ]
    return fig, ax, texts


def _changes(ax, texts):
    """Moves after which a cached layout must not be reused (and one where it may)."""
    yield lambda: texts[0].set_text("std 4.56")
    yield lambda: texts[0].set_fontsize(11)
    yield lambda: texts[1].set_linespacing(2.0)
    yield lambda: texts[1].set_multialignment("right")
    yield lambda: texts[2].set_rotation(-60)
    yield lambda: texts[2].set_rotation_mode("default")
    yield lambda: texts[2].set_verticalalignment("top")
    yield lambda: texts[4].set_weight("normal")
    yield lambda: texts[4].set_position((0.3, 0.5))  # moved only: the layout is reused
    yield lambda: ax.set_title("$x^2$ or not", fontsize=9)
    yield lambda: ax.figure.set_dpi(70)


def _state(fig, texts):
    canvas = fig.canvas
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = [t.get_window_extent(renderer).bounds for t in texts]
    return np.asarray(renderer.buffer_rgba()).copy(), boxes


def test_cached_layouts_give_the_uncached_boxes_and_pixels():
    plain, cached = _figure(), _figure()
    FigureCanvasAgg(plain[0])
    FigureCanvasAgg(cached[0])
    steps = zip(_changes(*plain[1:]), _changes(*cached[1:]))
    for change_plain, change_cached in [(lambda: None, lambda: None), *steps]:
        change_plain()
        change_cached()
        assert cache_text_layouts(cached[0].canvas.get_renderer())  # a new dpi: a new renderer
        want_pixels, want_boxes = _state(plain[0], plain[2])
        pixels, boxes = _state(cached[0], cached[2])
        assert boxes == want_boxes
        assert np.array_equal(pixels, want_pixels)
    assert len(getattr(cached[0].canvas.get_renderer(), text_layouts._ATTRIBUTE)) > 0


def test_layouts_are_reused_and_only_where_they_may_be():
    fig, ax, texts = _figure()
    canvas = FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    cache_text_layouts(renderer)
    canvas.draw()
    cache = getattr(renderer, text_layouts._ATTRIBUTE)
    n = len(cache)
    canvas.draw()
    assert len(cache) == n  # nothing new: every layout came from the cache
    assert not any("wrapped" in key[0] for key in cache)  # a wrapped text is never kept
    texts[0].set_text("std 9.99")
    canvas.draw()
    assert len(cache) == n + 1


def test_other_renderers_lay_out_as_before(monkeypatch):
    fig, ax, texts = _figure()
    canvas = FigureCanvasAgg(fig)
    assert cache_text_layouts(canvas.get_renderer())
    other = FigureCanvasAgg(_figure()[0])  # not opted in
    calls = []
    original = text_layouts._original
    monkeypatch.setattr(text_layouts, "_original", lambda t, r: calls.append(t) or original(t, r))
    canvas.draw()
    first = len(calls)
    canvas.draw()
    wrapped = [t for t in calls[first:] if t.get_wrap()]
    assert len(calls) == first + 1 and len(wrapped) == 1  # all from the cache but the wrapped
    calls.clear()
    other.draw()
    other.draw()
    assert len(calls) > 4 * first  # every layout computed again, several times a draw


@pytest.mark.parametrize("name", ["_get_multialignment", "get_parse_math", "get_wrap"])
def test_it_stays_off_when_matplotlib_changed(monkeypatch, name):
    from matplotlib.text import Text

    monkeypatch.delattr(Text, name)
    fig = Figure()
    renderer = FigureCanvasAgg(fig).get_renderer()
    assert not cache_text_layouts(renderer)
    assert getattr(renderer, text_layouts._ATTRIBUTE, None) is None
