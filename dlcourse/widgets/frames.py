"""Push a dashboard's figure to its canvas by redrawing only what changed (blitting).

A full Agg draw of a dashboard figure costs 60-260 ms here, most of it the parts that never
move (axes, ticks, labels, contours of a fixed surface); the parts a control moves (a
line, an image, a title) cost a few ms. :class:`FramePusher` finds the moving parts by
themselves, from matplotlib's own ``stale`` flags:

- after a change, every artist of the figure that is stale (its data or text changed since
  it was last drawn) becomes *animated*: matplotlib's normal draw leaves it out, so the
  next full draw saves a background without it. So do the artists of the same axes drawn
  above it (higher zorder), so that the stacking order stays what a normal draw gives;
- a full draw (``canvas.draw()``) happens when the layout changed (any axes' limits,
  scales, ticks, position, the set of its static artists, the figure size or dpi) or an
  artist was just made animated; it saves the background and draws the animated artists
  on top;
- otherwise the background is restored, the animated artists are drawn axes by axes in
  zorder, and ``canvas.blit()`` sends the frame; with nothing stale nothing is sent.

The picture is the one a normal draw gives, except that axis lines, ticks and grid lines
(which are never animated) are drawn under an animated artist of their axes instead of over
it. On an ipympl canvas each push sends the whole frame (:func:`full_png_frames`).
"""

from __future__ import annotations

import io
from contextlib import contextmanager

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.spines import Spine
from matplotlib.text import Text

__all__ = ["FramePusher", "full_png_frames"]


def _layout_key(fig: Figure) -> tuple:
    """What forces a full draw when it changes: size, dpi, and per axes its place, limits,
    scales, ticks, labels and the set of its static (not animated) artists."""
    key = [tuple(fig.bbox.bounds), fig.dpi]
    for ax in fig.axes:
        key.append(
            (
                ax.get_visible(),
                tuple(ax.get_position().bounds),
                ax.get_xlim(),
                ax.get_ylim(),
                ax.get_xscale(),
                ax.get_yscale(),
                tuple(ax.get_xticks()),
                tuple(ax.get_yticks()),
                ax.xaxis.label.get_text(),
                ax.yaxis.label.get_text(),
                tuple(id(a) for a in ax.get_children() if not a.get_animated()),
            )
        )
    key.append(tuple(id(a) for a in fig.get_children() if not a.get_animated()))
    return tuple(key)


def _movable(artist: Artist, container: Figure | Axes) -> bool:
    """Artists that may be animated: not an axis, a spine, a background patch or an axes
    (an axes is redrawn whole by a full draw)."""
    return not (
        isinstance(artist, (Axis, Spine, Axes)) or artist is getattr(container, "patch", None)
    )


def _changed(artist: Artist) -> bool:
    """Stale and visible on the picture (an empty text is never drawn, so it stays stale).
    A legend is also changed when one of its texts or handles is: their staleness does not
    reach the legend itself."""
    if isinstance(artist, Legend):
        return artist.stale or any(_changed(a) for a in (*artist.texts, *artist.legend_handles))
    if not artist.stale:
        return False
    return not (isinstance(artist, Text) and not artist.get_text())


def _extent(artist: Artist):
    """The artist's box on the canvas, or None when it cannot say (then it overlaps all)."""
    try:
        box = artist.get_window_extent()
    except Exception:  # some artists need a draw first or have no extent
        return None
    if box is None or not (box.width >= 0 and box.height >= 0):
        return None
    # the box of a line is that of its vertices: widen it by a line width or so
    return box.padded(3 * artist.get_figure(root=True).dpi / 72)


def _overlaps(a, b) -> bool:
    return a is None or b is None or a.overlaps(b)


def _covered(children: list[Artist], moving: list[Artist]) -> list[Artist]:
    """The static artists a normal draw paints after (above) a moving artist they overlap:
    they must be redrawn with it to stay on top (the draw order is a stable zorder sort)."""
    order = [
        children[i] for i in sorted(range(len(children)), key=lambda i: children[i].get_zorder())
    ]
    ids = {id(a) for a in moving}
    boxes, covered = [], []
    for artist in order:
        if id(artist) in ids:
            boxes.append(_extent(artist))
        elif boxes and not artist.get_animated():
            box = _extent(artist)
            if any(_overlaps(box, b) for b in boxes):
                covered.append(artist)
    return covered


def _mark_drawn(artist: Artist) -> None:
    """Not stale any more: drawn (or hidden) as it is now, a legend's parts included."""
    artist.stale = False
    if isinstance(artist, Legend):
        for part in (*artist.texts, *artist.legend_handles):
            part.stale = False


class FramePusher:
    """Draws ``figure`` on its canvas with blitting (see the module docstring)."""

    def __init__(self, figure: Figure) -> None:
        self.figure = figure
        self._background = None
        self._key: tuple | None = None
        self.full_draws = 0  #: pushes that redrew everything
        self.blits = 0  #: pushes that redrew only the animated artists
        figure.canvas.mpl_connect("draw_event", self._on_draw)

    # ------------------------------------------------------------------ public
    def push(self) -> str:
        """Send the figure as it is now: returns "full", "blit" or "none"."""
        canvas = self.figure.canvas
        # before the first full draw every artist is stale: nothing is known to move yet
        promoted = self._background is not None and self._promote_changed()
        if promoted or self._background is None or _layout_key(self.figure) != self._key:
            canvas.draw()  # fires draw_event: background saved, animated artists drawn
            return "full"
        if not any(_changed(a) for a in self._animated()):
            self._settled()
            return "none"
        canvas.restore_region(self._background)
        self._draw_animated()
        canvas.blit(self.figure.bbox)
        self._settled()
        self.blits += 1
        return "blit"

    def _settled(self) -> None:
        """The picture sent is the figure as it is: not stale. pyplot's post-execute hook
        (``draw_all``) asks every stale figure for a ``draw_idle``, which in ipympl starts a
        full draw from the front end, after which a stale figure would ask again, forever."""
        self.figure.stale = False

    @contextmanager
    def static(self):
        """Every artist static inside the block (``savefig`` leaves animated figure texts
        out); the animation and the saved background are kept."""
        animated = self._animated()
        for artist in animated:
            artist.set_animated(False)
        try:
            yield
        finally:
            for artist in animated:
                artist.set_animated(True)

    # ------------------------------------------------------------------ internals
    def _containers(self) -> list[Figure | Axes]:
        return [*self.figure.axes, self.figure]

    def _animated(self) -> list[Artist]:
        return [
            a
            for c in self._containers()
            for a in c.get_children()
            if a.get_animated() and not isinstance(a, Axes)
        ]

    def _promote_changed(self) -> bool:
        """Animate every changed static artist, and the static artists drawn above a
        changed or animated one that they overlap."""
        promoted = False
        for container in self._containers():
            children = [a for a in container.get_children() if _movable(a, container)]
            changed = [a for a in children if _changed(a)]
            if not changed:
                continue
            new = [a for a in changed if not a.get_animated()]
            if isinstance(container, Axes):
                while True:  # until no covered artist covers another one in turn
                    more = _covered(children, [a for a in children if a.get_animated()] + new)
                    more = [a for a in more if a not in new]
                    if not more:
                        break
                    new += more
                # the frame is drawn over the axes' content: with the content, on top of it
                new += [s for s in container.spines.values() if not s.get_animated()]
            for artist in new:
                artist.set_animated(True)
                promoted = True
        return promoted

    def _draw_animated(self) -> None:
        """The animated artists, container by container, in draw order."""
        for container in self._containers():
            animated = sorted(
                (
                    a
                    for a in container.get_children()
                    if a.get_animated() and not isinstance(a, Axes)
                ),
                key=lambda a: a.get_zorder(),
            )
            for artist in animated:
                if artist.get_visible() and not (
                    isinstance(artist, Spine) and not container.axison
                ):  # axis off: no frame
                    self.figure.draw_artist(artist)
                _mark_drawn(artist)

    def _on_draw(self, event) -> None:
        """After a full draw: save the static background, then draw the animated artists."""
        canvas = self.figure.canvas
        if getattr(canvas, "is_saving", lambda: False)():
            return
        self._background = canvas.copy_from_bbox(self.figure.bbox)
        self._key = _layout_key(self.figure)
        self._draw_animated()
        self._settled()
        self.full_draws += 1


def full_png_frames(canvas) -> None:
    """Make an ipympl canvas send every frame whole (image mode "full"), encoded with zlib
    level 1 (about half the time of level 6, 25 % more bytes). Replaces matplotlib's
    ``get_diff_image`` (webagg core); canvases without it are left alone.

    Why not diffs: the front end starts decoding each image as it arrives and drops the
    one still decoding when the next comes, and it applies a switch of image mode (widget
    state) after images (custom messages) it already has. A diff is only right on top of
    the frame before it, so a dropped frame or a late mode switch left wrong pixels: seen
    in the browser test as a blank canvas with a few tick labels after pause. A whole
    frame is right whatever came before."""
    from PIL import Image

    needed = ("_png_is_old", "_force_full", "set_image_mode", "get_renderer")
    if not all(hasattr(canvas, name) for name in needed):
        return

    def get_diff_image():
        if not canvas._png_is_old:
            return None
        pixels = np.asarray(canvas.get_renderer().buffer_rgba())
        canvas.set_image_mode("full")
        canvas._force_full = False
        canvas._png_is_old = False
        with io.BytesIO() as png:
            Image.fromarray(pixels).save(png, format="png", compress_level=1)
            return png.getvalue()

    canvas.get_diff_image = get_diff_image
