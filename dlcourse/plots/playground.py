"""The Playground's pictures: the network's tiles, the value heat map and the colour key.

Used by :class:`dlcourse.widgets.playground.Playground`.

- :func:`tile_mosaic`: one RGBA image holding a small heat map per input feature and per
  hidden unit (column c, row r), each scaled by its own largest |value| onto
  :data:`TILE_CMAP` (blue -, grey 0, orange +) inside a grey frame, so a unit that outputs
  0 everywhere (a dead ReLU) is a grey tile, never empty space; a chosen tile gets a dark
  frame.
- :func:`link_geometry`: the lines between the tiles, one per weight, orange for a
  positive weight and blue for a negative one, as wide as |w| relative to the largest.
- :func:`value_image`: a value over the plane (a regression's prediction, one unit's
  output) as RGB on :data:`VALUE_CMAP` between -v and v (white at 0).
- :class:`ColourKey`: a thin axes that explains the output panel's colours: class
  probability for two classes, the class colours for more, or the value scale.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap

from .limits import nice_ceil
from .training import CLASS_COLORS, probability_image

__all__ = [
    "TILE_CMAP",
    "VALUE_CMAP",
    "ColourKey",
    "link_geometry",
    "symmetric_scale",
    "tile_mosaic",
    "value_image",
]

BLUE, ORANGE = CLASS_COLORS[0], CLASS_COLORS[1]
#: tiles: blue for negative, a grey zero that stands out from the white page, orange positive
TILE_CMAP = LinearSegmentedColormap.from_list("pg_tile", [BLUE, "#e4e4e4", ORANGE])
#: the output panel's values: blue for negative, white at zero, orange positive
VALUE_CMAP = LinearSegmentedColormap.from_list("pg_value", [BLUE, "#ffffff", ORANGE])
FRAME = np.array([0.55, 0.55, 0.55, 1.0])
CHOSEN = np.array([0.1, 0.1, 0.1, 1.0])
#: the colour scale's ends: m 10^k for these m (fine enough that the colours stay strong)
SCALE_GRID = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def symmetric_scale(values: np.ndarray, floor: float = 0.1) -> float:
    """The smallest v of SCALE_GRID with v >= max |values| (at least ``floor``): the colour
    scale [-v, v] moves in steps, so the key is redrawn rarely."""
    top = float(np.max(np.abs(values))) if np.size(values) else 0.0
    return nice_ceil(max(top, floor), SCALE_GRID)


def value_image(values: np.ndarray, scale: float) -> np.ndarray:
    """RGB (ny, nx, 3) of ``values`` on VALUE_CMAP: -scale blue, 0 white, +scale orange."""
    return VALUE_CMAP(0.5 + 0.5 * np.clip(values / scale, -1.0, 1.0))[..., :3]


def tile_mosaic(
    columns: list[np.ndarray],
    shape: tuple[int, int],
    tile: int,
    row: int,
    pitch: int,
    chosen: tuple[int, int] | None = None,
) -> np.ndarray:
    """RGBA ``shape`` with column c's maps (units, n, n) as tiles of ``tile`` pixels at
    x = c pitch + 9, y = r row + 5, each map m shown as TILE_CMAP(1/2 + m / (2 max|m|))
    (a map of zeros: the grey middle), framed; ``chosen`` = (column, row) framed dark."""
    rgba = np.zeros((*shape, 4))
    for c, maps in enumerate(columns):
        scale = np.abs(maps).reshape(len(maps), -1).max(axis=1, initial=0.0)
        scale[scale == 0] = 1.0
        for r, m in enumerate(maps):
            y0, x0 = r * row + 5, c * pitch + 9
            frame = CHOSEN if chosen == (c, r) else FRAME
            width = 2 if chosen == (c, r) else 1
            rgba[y0 - width : y0 + tile + width, x0 - width : x0 + tile + width] = frame
            rgba[y0 : y0 + tile, x0 : x0 + tile] = TILE_CMAP(0.5 + 0.5 * m[::-1] / scale[r])
    return rgba


def link_geometry(
    weights: list[np.ndarray], tile: int, row: int, pitch: int, end: tuple[float, float]
) -> tuple[list, list, np.ndarray]:
    """Segments, colours and widths of the weight lines of :func:`tile_mosaic`'s tiles:
    weights[c] (out, in) links tile i of column c to tile j of column c + 1; the last
    matrix links each tile of the last column to ``end`` (the output), by the sum of its
    outgoing weights (colour) and their mean |w| (width). Width 0.3 + 2.7 |w| / max |w|."""
    segs, colors, mags = [], [], []
    for c, W in enumerate(weights[:-1]):
        for j in range(W.shape[0]):
            for i in range(W.shape[1]):
                x0, y0 = c * pitch + 9 + tile, i * row + 5 + tile // 2
                segs.append([(x0, y0), ((c + 1) * pitch + 9, j * row + 5 + tile // 2)])
                colors.append(ORANGE if W[j, i] > 0 else BLUE)
                mags.append(abs(W[j, i]))
    W, c = weights[-1], len(weights) - 1
    for i in range(W.shape[1]):
        segs.append([(c * pitch + 9 + tile, i * row + 5 + tile // 2), end])
        colors.append(ORANGE if W[:, i].sum() > 0 else BLUE)
        mags.append(float(np.abs(W[:, i]).mean()))
    mags = np.asarray(mags)
    top = mags.max() if mags.size else 0.0
    widths = 0.3 + 2.7 * mags / top if top > 0 else np.full(len(mags), 0.5)
    return segs, colors, widths


class ColourKey:
    """The output panel's colour legend on a thin axes ``ax``: :meth:`show` draws it for
    ``("class", C)`` (P(class 1) for two classes, the class colours for more) or
    ``("value", v, label)`` (the scale -v..v); nothing is redrawn while the key stays."""

    def __init__(self, ax: Axes) -> None:
        self.ax = ax
        self.key: tuple | None = None
        self.image = ax.imshow(
            np.ones((2, 1, 3)), aspect="auto", origin="lower", extent=(0, 1, 0, 1)
        )
        ax.set_xticks([])
        ax.yaxis.tick_right()
        ax.yaxis.set_label_position("right")
        ax.tick_params(labelsize=8, length=2, pad=1)

    def show(self, key: tuple) -> None:
        """Draw the key for ``key`` (see the class docstring) if it is not shown already."""
        if key == self.key:
            return
        self.key = key
        ax = self.ax
        if key[0] == "class" and key[1] <= 2:
            p = np.linspace(0.0, 1.0, 64)[:, None, None]
            self.image.set_data(probability_image(np.concatenate([1 - p, p], axis=2), strength=0.7))
            ticks, labels, name = [0, 0.5, 1], ["0", "0.5", "1"], "P(class 1)"
        elif key[0] == "class":
            C = key[1]
            self.image.set_data(probability_image(np.eye(C)[:, None, :], strength=0.7))
            ticks = [(k + 0.5) / C for k in range(C)]
            labels, name = [str(k) for k in range(C)], "class"
        else:
            v, name = key[1], key[2]
            self.image.set_data(value_image(np.linspace(-v, v, 64)[:, None], v))
            ticks, labels = [0, 0.5, 1], [f"{-v:g}", "0", f"{v:g}"]
        ax.set_yticks(ticks, labels)
        ax.set_ylim(0, 1)
        ax.set_ylabel(name, fontsize=8, labelpad=2)
