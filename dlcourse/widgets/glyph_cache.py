"""Rendered glyphs kept between frames: text costs a fifth of what it did on a dashboard.

Matplotlib 3.11's Agg renderer draws text glyph by glyph
(``RendererAgg._draw_text_glyphs_and_boxes``): for each glyph FreeType is given the glyph's
transform, with its position in 1/64 pixel, renders a coverage bitmap, and the bitmap is
blended onto the canvas at the pixel FreeType reports. A dashboard redraws the same labels
(tick labels, "std 0.52", titles) on every frame, about 0.2 ms a glyph, and text was most
of the time of a frame here (InitExplorer: 65 of 86 ms of its moving artists).

:func:`cache_glyphs` gives one renderer a cache of those bitmaps. The key is what the
bitmap depends on: the font object (file, face, hinting), its size and the dpi, the glyph,
the 2x2 matrix, the load flags and render mode, and the position's fraction of a pixel
(in 1/64). A whole-pixel shift of the position moves FreeType's outline by whole pixels,
so the bitmap is the same and lands shifted by as much: the canvas gets the very pixels
an uncached draw gives (``tests/test_widgets_glyph_cache.py`` compares them).

Plain (not math) text also keeps its layout: ``draw_text`` asks FreeType to lay out the
string (the glyphs and their offsets, 0.4 ms a label) for the same string in the same
font, size and dpi on every frame; the layout is remembered under those, with the font's
hinting and kerning settings.

Only a renderer whose methods have the signatures this was written against is changed;
any other matplotlib draws as before.
"""

from __future__ import annotations

import inspect
import math
from collections import OrderedDict

import matplotlib as mpl
import numpy as np

from .lru import remember

__all__ = ["cache_glyphs"]

_SIGNATURE = ["gc", "x", "y", "angle", "glyphs", "boxes"]
_TEXT_SIGNATURE = ["gc", "x", "y", "s", "prop", "angle", "ismath", "mtext"]
MAX_GLYPHS = 20_000  #: bitmaps kept per renderer (a few MB), least recently used dropped
MAX_LAYOUTS = 5_000  #: string layouts kept per renderer


def _supported(renderer) -> bool:
    method = getattr(type(renderer), "_draw_text_glyphs_and_boxes", None)
    if method is None or not hasattr(renderer, "_renderer"):
        return False
    try:
        from matplotlib.backends.backend_agg import get_hinting_flag  # noqa: F401
        from matplotlib.ft2font import RenderMode  # noqa: F401
    except ImportError:
        return False
    text = getattr(type(renderer), "draw_text", None)
    return (
        list(inspect.signature(method).parameters)[1:] == _SIGNATURE
        and text is not None
        and list(inspect.signature(text).parameters)[1:] == _TEXT_SIGNATURE
        and hasattr(renderer, "_prepare_font")
    )


def cache_glyphs(renderer) -> bool:
    """Give ``renderer`` (a ``RendererAgg``) a glyph cache; True when it has one now."""
    if getattr(renderer, "_dl_glyph_cache", None) is not None:
        return True
    if not _supported(renderer):
        return False
    from matplotlib.backends.backend_agg import get_hinting_flag
    from matplotlib.ft2font import RenderMode

    original = type(renderer)._draw_text_glyphs_and_boxes
    cache: OrderedDict = OrderedDict()
    matrices: dict = {}

    def matrix_of(angle: float, slant: float, extend: float):
        key = (angle, slant, extend)
        if key not in matrices:
            cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
            m = (
                (0x10000 * np.array([[cos, -sin], [sin, cos]]) @ [[extend, extend * slant], [0, 1]])
                .round()
                .astype(int)
            )
            matrices[key] = (m, m.tobytes(), cos, sin)
        return matrices[key]

    def draw(gc, x, y, angle, glyphs, boxes) -> None:
        load_flags = get_hinting_flag()
        antialiased = gc.get_antialiased()
        mode = RenderMode.NORMAL if antialiased else RenderMode.MONO
        height = renderer.height
        for font, size, glyph_index, slant, extend, dx, dy in glyphs:  # dy is upwards
            m, m_key, cos, sin = matrix_of(angle, slant, extend)
            tx = round(0x40 * (x + dx * cos - dy * sin))
            ty = round(0x40 * (height - y + dx * sin + dy * cos))  # FreeType's y is upwards
            key = (font, size, renderer.dpi, glyph_index, m_key, tx % 64, ty % 64, load_flags, mode)

            def render(font=font, size=size, glyph_index=glyph_index, m=m, tx=tx, ty=ty):
                font.set_size(size, renderer.dpi)
                font._set_transform(m, [tx, ty])
                bitmap = font._render_glyph(glyph_index, load_flags, mode)
                buffer = np.array(bitmap.buffer)
                if not antialiased:
                    buffer *= 0xFF
                return buffer, bitmap.left - tx // 64, bitmap.top - ty // 64

            buffer, left, top = remember(cache, key, render, MAX_GLYPHS)
            top += ty // 64
            # draw_text_image's y is downwards and the bitmap's bottom side
            renderer._renderer.draw_text_image(
                buffer, left + tx // 64, int(height) - top + buffer.shape[0], 0, gc
            )
        if boxes:
            original(renderer, gc, x, y, angle, (), boxes)

    original_text = type(renderer).draw_text
    layouts: OrderedDict = OrderedDict()

    def draw_text(gc, x, y, s, prop, angle, ismath=False, mtext=None) -> None:
        if ismath:
            return original_text(renderer, gc, x, y, s, prop, angle, ismath, mtext)
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        size = prop.get_size_in_points()
        key = (
            s,
            tuple(prop.get_family()),
            prop.get_style(),
            prop.get_variant(),
            prop.get_weight(),
            prop.get_stretch(),
            size,
            prop.get_file(),
            renderer.dpi,
            get_hinting_flag(),
            mpl.rcParams["text.hinting_factor"],
            mpl.rcParams["text.kerning_factor"],
            tuple(features) if features is not None else None,
            language if isinstance(language, (str, type(None))) else repr(language),
        )

        def lay_out():
            font = renderer._prepare_font(prop)
            return [
                (item.ft_object, item.glyph_index, item.x, item.y)
                for item in font._layout(
                    s, flags=get_hinting_flag(), features=features, language=language
                )
            ]

        items = remember(layouts, key, lay_out, MAX_LAYOUTS)
        draw(gc, x, y, angle, ((f, size, g, 0, 1, dx, dy) for f, g, dx, dy in items), [])

    renderer._draw_text_glyphs_and_boxes = draw
    renderer.draw_text = draw_text
    renderer._dl_glyph_cache = cache
    return True
