"""Showing a matplotlib figure as a static PNG in a notebook.

Static figures are embedded as PNG images so that a notebook reads well where no kernel runs
(GitHub, nbviewer), whatever matplotlib backend is active.
"""

from __future__ import annotations

import io

__all__ = ["figure_png", "show_figure"]


def figure_png(fig, dpi: int = 100) -> bytes:
    """The figure rendered to PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def show_figure(fig, dpi: int = 100, close: bool = True) -> None:
    """Display ``fig`` as a PNG image (no widget, no text repr) and close it by default."""
    from IPython.display import Image, display

    display(Image(data=figure_png(fig, dpi)))
    if close:
        import matplotlib.pyplot as plt

        plt.close(fig)
