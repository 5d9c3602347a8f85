"""Text layouts kept between frames: a label is measured once, not three times a draw.

Matplotlib lays a text out (``Text._get_layout``: its lines, their widths and heights from
the font, the box after rotation and alignment) every time it is drawn or asked for its
box, and an axes asks several times per draw: the tick labels' boxes for the axis label's
place, the siblings' boxes, then the draw itself; the frames ask the box of every moving
text once more. Each layout costs about 0.4 ms of Python, a fifth of an axes redraw here.

:func:`cache_text_layouts` opts one renderer in: its layouts are remembered under what a
layout depends on (the string, the font properties, math parsing, line spacing, the
alignments, the rotation and its mode, the dpi). The layout is relative to the text's
position, so a text that only moves keeps it. Texts whose layout depends on more are
never cached: wrapped texts (the wrap width depends on the position), texts rotated with
their transform, and TeX. Other renderers (``savefig``, a new canvas) lay out as before.

This replaces the private ``Text._get_layout`` with a wrapper, installed once, and only
when its signature is the one it was written for; for renderers not opted in the wrapper
calls the original at once.
"""

from __future__ import annotations

import inspect
from collections import OrderedDict

from matplotlib.text import Text

from .lru import remember

__all__ = ["cache_text_layouts"]

MAX_LAYOUTS = 5_000  #: layouts kept per renderer, least recently used dropped
_ATTRIBUTE = "_dl_text_layouts"
_original = Text._get_layout


def _font_key(prop) -> tuple:
    return (
        tuple(prop.get_family()),
        prop.get_style(),
        prop.get_variant(),
        prop.get_weight(),
        prop.get_stretch(),
        prop.get_size(),
        prop.get_file(),
        prop.get_math_fontfamily(),
    )


def _layout_key(text: Text) -> tuple | None:
    """What the layout of ``text`` depends on, or None when it depends on more."""
    if text.get_wrap() or text.get_usetex() or getattr(text, "_transform_rotates_text", True):
        return None
    return (
        text.get_text(),
        _font_key(text.get_fontproperties()),
        text.get_parse_math(),
        text._linespacing,
        text._get_multialignment(),
        text.get_rotation(),
        text.get_rotation_mode(),
        text.get_horizontalalignment(),
        text.get_verticalalignment(),
        text.get_figure(root=True).dpi,
    )


def _get_layout(self: Text, renderer):
    cache = getattr(renderer, _ATTRIBUTE, None)
    key = None if cache is None else _layout_key(self)
    if key is None:
        return _original(self, renderer)
    return remember(cache, key, lambda: _original(self, renderer), MAX_LAYOUTS)


def _supported() -> bool:
    return list(inspect.signature(_original).parameters) == ["self", "renderer"] and all(
        hasattr(Text, name) for name in ("_get_multialignment", "get_parse_math", "get_wrap")
    )


def cache_text_layouts(renderer) -> bool:
    """Remember the text layouts ``renderer`` is asked for; True when it does now."""
    if getattr(renderer, _ATTRIBUTE, None) is not None:
        return True
    if not _supported():
        return False
    if Text._get_layout is _original:
        Text._get_layout = _get_layout
    setattr(renderer, _ATTRIBUTE, OrderedDict())
    return True
