"""A bounded cache with least-recently-used eviction, on an ``OrderedDict``.

The frames keep rendered glyphs, string layouts and text layouts between draws
(:mod:`.glyph_cache`, :mod:`.text_layouts`); each cache is bounded so a long session with
ever new labels does not grow without end.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["remember"]


def remember(cache: OrderedDict, key: Hashable, make: Callable[[], Any], limit: int) -> Any:
    """``cache[key]``, made by ``make()`` when missing (``make`` must not return None); at
    most ``limit`` entries, the least recently used dropped first."""
    value = cache.get(key)
    if value is None:
        value = cache[key] = make()
        if len(cache) > limit:
            cache.popitem(last=False)
    else:
        cache.move_to_end(key)
    return value
