"""The glyph cache (dlcourse.widgets.glyph_cache) gives the very pixels of an uncached draw."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from dlcourse.widgets.glyph_cache import cache_glyphs  # noqa: E402


def _figure(shift: float) -> Figure:
    fig = Figure(figsize=(4, 3), dpi=97)  # an odd dpi: positions fall between pixels
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    ax.set_title(r"std of $A^{[l]}$ and $\frac{dJ}{dA}$ $\sqrt{x}$", fontsize=9)
    ax.set_xlabel("epoch ε → α, β₁")
    for i, (angle, size) in enumerate([(0, 8), (30, 10), (90, 7), (-45, 12)]):
        ax.text(0.1 + 0.2 * i + shift, 0.5 + shift, f"std 0.{i}23", rotation=angle, fontsize=size)
    ax.text(0.5, 0.9, "no antialiasing", antialiased=False)
    fig.text(0.02 + shift, 0.02, "figure text, bold", weight="bold")
    return fig


def _pixels(fig: Figure, cached: bool) -> np.ndarray:
    canvas = FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    if cached:
        assert cache_glyphs(renderer)
    canvas.draw()
    return np.asarray(renderer.buffer_rgba()).copy()


@pytest.mark.parametrize("shift", [0.0, 0.0137, 0.25, 0.5031])
def test_cached_glyphs_give_the_uncached_pixels(shift):
    want = _pixels(_figure(shift), cached=False)
    fig = _figure(shift)
    canvas = FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    cache_glyphs(renderer)
    for _ in range(2):  # the second draw takes every glyph from the cache
        canvas.draw()
        assert (np.asarray(renderer.buffer_rgba()) == want).all()
    assert len(renderer._dl_glyph_cache) > 50


def test_a_shifted_text_reuses_glyphs_and_stays_exact():
    fig = Figure(figsize=(3, 1), dpi=100)
    canvas = FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    cache_glyphs(renderer)
    text = fig.text(0.1, 0.5, "0123456789")
    canvas.draw()
    size = len(renderer._dl_glyph_cache)
    text.set_x(0.1 + 7 / 300)  # 7 whole pixels to the right: the same bitmaps
    canvas.draw()
    assert len(renderer._dl_glyph_cache) == size
    fresh = Figure(figsize=(3, 1), dpi=100)
    fresh.text(0.1 + 7 / 300, 0.5, "0123456789")
    c2 = FigureCanvasAgg(fresh)
    c2.draw()
    assert (np.asarray(renderer.buffer_rgba()) == np.asarray(c2.get_renderer().buffer_rgba())).all()


def test_a_renderer_it_does_not_know_is_left_alone():
    class Other:
        def _draw_text_glyphs_and_boxes(self, gc, x, y, glyphs):  # another signature
            pass

    assert cache_glyphs(Other()) is False
    assert cache_glyphs(object()) is False
