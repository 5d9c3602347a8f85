"""A dashboard's picture: its figure drawn by Agg and shown as PNG frames in an ipywidgets.Image.

The figure is a plain :class:`matplotlib.figure.Figure` on a
:class:`~matplotlib.backends.backend_agg.FigureCanvasAgg`, never managed by pyplot, so it
looks the same under any matplotlib backend (inline, interactive, a script) and in any front
end that shows core ipywidgets (JupyterLab, Notebook 7, Voila, VS Code, Colab).

:class:`AggView` blits with matplotlib's documented API, as its blitting tutorial does:

- the dashboard declares its *moving* artists (:meth:`AggView.set_moving`, from what each
  ``plots`` object lists as moving); they are made animated (``Artist.set_animated``), so a
  full draw (``canvas.draw()``) leaves them out;
- the spines of an axes with moving artists move too, so that its frame stays where a
  normal draw puts it (zorder 2.5: above images and lines, below points);
- after a full draw the static background is saved (``canvas.copy_from_bbox``) and the
  moving artists are drawn on top (``Figure.draw_artist``), axes by axes, each axes' in
  zorder;
- a push restores the background (``canvas.restore_region``) and draws the moving artists
  again: a *blit*. It is a full draw instead when the layout changed (the figure's size or
  dpi, an axes' place, limits, scales or ticks, an artist added or removed) or when a static
  artist changed (``Artist.stale`` set by a setter since the last draw, or shown / hidden);
- the frame (``canvas.buffer_rgba()``) is encoded by :func:`.png.encode_png` and set as the
  Image's ``value``: the only message to the front end.

Moving artists are drawn above the static ones (ticks, grid lines, legends).
"""

from __future__ import annotations

from contextlib import contextmanager

import ipywidgets as W
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.spines import Spine
from matplotlib.text import Text

from .png import encode_png

__all__ = ["AggView"]


def _shows(artist: Artist) -> bool:
    """Visible and painting something (an empty text is not drawn, so it stays stale)."""
    return artist.get_visible() and not (isinstance(artist, Text) and not artist.get_text())


def _parts(artist: Artist) -> list[Artist]:
    """The artist and, for a legend, its texts and handles (their changes do not mark the
    legend itself stale); for an axis its label and offset text only (setting the limits
    marks an axis stale even when they stay the same: its ticks are in the layout key)."""
    if isinstance(artist, Legend):
        return [artist, *artist.texts, *artist.legend_handles]
    if isinstance(artist, Axis):
        return [artist.label, artist.offsetText]
    return [artist]


def _ticks_key(axis: Axis) -> tuple:
    """An axis's tick locations and its locator and formatter objects."""
    return (
        tuple(axis.get_ticklocs()),
        id(axis.get_major_locator()),
        id(axis.get_major_formatter()),
        id(axis.get_minor_locator()),
        id(axis.get_minor_formatter()),
    )


class AggView:
    """The figure on an Agg canvas, pushed to :attr:`image` by blitting (module docstring)."""

    def __init__(self, figure: Figure) -> None:
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self.image = W.Image(format="png")  #: what the notebook shows
        self.moving: list[Artist] = []  #: the animated artists, in drawing order
        self.full_draws = 0  #: pushes that drew the whole figure
        self.blits = 0  #: pushes that restored the background and drew the moving artists
        self.last = ""  #: what the last push did: "full" or "blit"
        self.background = None
        self.layout = None
        #: static artists a full draw left stale (hidden, empty, or under an axes drawn
        #: without its frame), with whether they showed: id -> shown
        self.undrawn: dict[int, bool] = {}

    def set_moving(self, artists) -> None:
        """Declare the moving artists (any nesting of lists, tuples and dict values); every
        other artist is static."""
        for artist in self.moving:
            artist.set_animated(False)
        found = list(_flatten(artists))
        # an axes' frame stays above its content, as in a normal draw: it moves with it
        axes = {id(a.axes): a.axes for a in found if a.axes is not None}
        found += [s for ax in axes.values() for s in ax.spines.values()]
        self.moving = sorted(found, key=self._order)
        for artist in self.moving:
            artist.set_animated(True)
        self.background = None

    def _order(self, artist: Artist) -> tuple:
        axes = self.figure.axes
        where = axes.index(artist.axes) if artist.axes in axes else len(axes)
        return where, artist.get_zorder()

    # ------------------------------------------------------------------ pushing
    def push(self) -> str:
        """Draw the figure as it is now and show it: returns "full" or "blit"."""
        if self._needs_full_draw():
            self.full_draw()
            return self._show("full")
        self.canvas.restore_region(self.background)
        self._draw_moving()
        self.blits += 1
        return self._show("blit")

    def push_axes(self, *axes: Axes) -> str:
        """Show a change of the moving artists of ``axes`` alone (the caller knows nothing
        else changed, and they paint inside their axes): the background is restored and
        those artists drawn within the boxes of ``axes`` only; a full push when the layout
        or a static artist changed."""
        if self._needs_full_draw():
            return self.push()
        height = int(self.figure.bbox.height)
        for ax in axes:  # its box, and the pixels its frame's lines reach beyond it
            x0, y0, x1, y1 = ax.bbox.padded(3).extents
            box = (int(x0), int(height - y1), int(x1) + 1, int(height - y0) + 1)  # rows down
            self.canvas.restore_region(self.background, bbox=box, xy=(0, 0))  # in place
        self._draw_moving(axes)
        self.blits += 1
        return self._show("blit")

    def _needs_full_draw(self) -> bool:
        """No background yet, the layout changed, or a static artist changed."""
        return (
            self.background is None or self._layout_key() != self.layout or self._static_changed()
        )

    def _show(self, kind: str) -> str:
        """Send the canvas's pixels to the Image; remember and return what the push did."""
        self.image.value = encode_png(self.pixels())
        self.last = kind
        return kind

    def full_draw(self) -> None:
        """Draw everything: the static artists, saved as the background, then the moving.
        The layout is read after the draw (a colorbar's axes takes its place in it)."""
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.figure.bbox)
        self.layout = self._layout_key()
        self.undrawn = {id(a): _shows(a) for a in self._static() if a.stale}
        self._draw_moving()
        self.full_draws += 1

    def pixels(self) -> np.ndarray:
        """The canvas's RGBA pixels (a view: copy to keep them)."""
        return np.asarray(self.canvas.buffer_rgba())

    def _draw_moving(self, axes: tuple | None = None) -> None:
        """The moving artists (of ``axes`` only, when given), in order."""
        for artist in self.moving:
            if axes is not None and artist.axes not in axes:
                continue
            framed = not isinstance(artist, Spine) or (
                artist.axes.axison and artist.axes.get_frame_on()
            )
            if artist.get_visible() and framed:
                self.figure.draw_artist(artist)

    @contextmanager
    def static(self):
        """Every artist static inside the block (``savefig`` leaves animated artists out);
        the next push draws everything again."""
        for artist in self.moving:
            artist.set_animated(False)
        try:
            yield
        finally:
            for artist in self.moving:
                artist.set_animated(True)
            self.background = None

    # ------------------------------------------------------------------ what changed
    def _static(self) -> list[Artist]:
        """Every static artist a full draw paints (legends' parts included)."""
        moving = {id(a) for a in self.moving}
        children = [a for ax in self.figure.axes for a in ax.get_children()]
        children += [a for a in self.figure.get_children() if not isinstance(a, Axes)]
        return [p for a in children if id(a) not in moving for p in _parts(a)]

    def _static_changed(self) -> bool:
        """A static artist was changed by a setter since the last full draw (stale now,
        drawn then), or was shown or hidden."""
        return any(
            a.stale and self.undrawn.get(id(a), not _shows(a)) != _shows(a) for a in self._static()
        )

    def _layout_key(self) -> tuple:
        """The figure's size and dpi; each axes' place, limits, scales, ticks and children."""
        fig = self.figure
        return (
            tuple(fig.bbox.bounds),
            fig.dpi,
            tuple(id(a) for a in fig.get_children()),
            tuple(
                (
                    ax.get_visible(),
                    tuple(ax.get_position().bounds),
                    ax.get_xlim(),
                    ax.get_ylim(),
                    ax.get_xscale(),
                    ax.get_yscale(),
                    _ticks_key(ax.xaxis),
                    _ticks_key(ax.yaxis),
                    tuple(id(a) for a in ax.get_children()),
                )
                for ax in fig.axes
            ),
        )


def _flatten(artists):
    if isinstance(artists, Artist):
        yield artists
    elif isinstance(artists, dict):
        for value in artists.values():
            yield from _flatten(value)
    elif isinstance(artists, (list, tuple)):
        for value in artists:
            yield from _flatten(value)
    elif hasattr(artists, "moving"):
        yield from _flatten(artists.moving)
