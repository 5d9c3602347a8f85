"""FramePusher (dlcourse.widgets.frames): a blitted frame is the picture a normal draw gives,
and a move that changes no axis layout redraws only the changed artists."""

import io

import ipywidgets as W
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from dlcourse import widgets  # noqa: E402
from dlcourse.widgets.frames import FramePusher, _layout_key  # noqa: E402

NAMES = [n for n in widgets.__all__ if n not in ("Dashboard", "ipympl_active")]


def _reference(fig, pusher) -> np.ndarray:
    """The figure drawn the normal way (every artist static), as RGBA pixels."""
    with pusher.static():
        buf = io.BytesIO()
        fig.savefig(buf, format="rgba", dpi=fig.dpi)
    w, h = fig.canvas.get_width_height()
    return np.frombuffer(buf.getvalue(), np.uint8).reshape(h, w, 4)


def _pixels(canvas) -> np.ndarray:
    return np.asarray(canvas.buffer_rgba()).copy()


def _move(control, back: bool = False) -> None:
    """One step of a slider, as an arrow key would (``back``: to the left)."""
    sign = -1 if back else 1
    if isinstance(control, W.FloatLogSlider):
        control.value = control.value * control.base ** (sign * control.step)
    elif isinstance(control, (W.SelectionSlider,)) or not hasattr(control, "step"):
        control.index = (control.index + sign) % len(control.options)
    else:
        control.value = min(max(control.value + sign * control.step, control.min), control.max)


def _first_slider(dash):
    for name, c in dash.controls.items():
        if (
            isinstance(c, (W.FloatSlider, W.FloatLogSlider, W.IntSlider, W.SelectionSlider))
            and not c.disabled
        ):
            return name, c
    pytest.skip(f"{type(dash).__name__} has no slider")


def _without_grids(fig) -> None:
    """Grid lines belong to the axis, which is never animated: an animated filled artist
    covers them where a normal draw paints them on top (the one known difference)."""
    for ax in fig.axes:
        ax.grid(False)


@pytest.mark.parametrize("name", NAMES)
def test_every_pushed_frame_is_the_normal_picture(name):
    dash = getattr(widgets, name)()
    canvas = FigureCanvasAgg(dash.figure)
    _without_grids(dash.figure)
    pusher = dash._frames
    assert pusher.push() == "full"
    _, control = _first_slider(dash)
    kinds = []
    for _ in range(3):
        _move(control)
        kinds.append(pusher.push())
        got, want = _pixels(canvas), _reference(dash.figure, pusher)
        assert got.shape == want.shape
        bad = (got != want).any(axis=2)
        assert not bad.any(), f"{name}: {bad.mean():.2%} of pixels differ after {kinds}"
    assert pusher.push() == "none"  # nothing changed since the last push


def test_a_live_move_redraws_only_the_axes_whose_layout_changed():
    dash = widgets.OptimizerRace()
    canvas = FigureCanvasAgg(dash.figure)
    pusher = dash._frames
    pusher.push()
    kinds = []
    for _ in range(6):
        before = _layout_key(dash.figure)
        _move(dash.controls["lr"], back=len(kinds) % 2 == 1)  # right, left, right, ...
        relaid = _layout_key(dash.figure)[1] != before[1]
        kinds.append(pusher.push())
        if kinds[-1] == "partial" and len(kinds) > 1:
            assert relaid, kinds  # after the first move: new limits or ticks of some axes
        assert (_pixels(canvas) == _reference(dash.figure, pusher)).all()
    assert kinds[0] in ("full", "partial")  # the first move finds which artists move
    assert "full" not in kinds[1:], kinds
    assert kinds.count("blit") >= 3, kinds
    assert pusher.blits == kinds.count("blit")
    assert pusher.partial_draws == kinds.count("partial")


def _two_axes(gap: float = 0.3):
    fig = Figure(figsize=(4, 2), dpi=60)
    canvas = FigureCanvasAgg(fig)
    left = fig.add_axes((0.1, 0.15, 0.5 - gap / 2 - 0.1, 0.7))
    right = fig.add_axes((0.5 + gap / 2, 0.15, 0.5 - gap / 2 - 0.05, 0.7))
    (line,) = right.plot([0, 1], [0, 1])
    left.plot([0, 1], [1, 0])
    left.set_title("left")
    return fig, canvas, left, right, line


def test_a_new_limit_redraws_that_axes_alone():
    fig, canvas, left, right, line = _two_axes()
    pusher = FramePusher(fig)
    assert pusher.push() == "full"
    before = _pixels(canvas)
    right.set_ylim(0, 3)  # new limits and ticks on the right only
    assert pusher.push() == "partial"
    after = _pixels(canvas)
    assert (after == _reference(fig, pusher)).all()
    w = after.shape[1]
    assert (after[:, : w // 3] == before[:, : w // 3]).all()  # the left axes untouched
    assert not (after[:, w // 2 :] == before[:, w // 2 :]).all()
    line.set_ydata([1, 0])  # then a data move: the line was made animated by the redraw
    assert pusher.push() == "partial"  # the line leaves the background of its axes
    assert pusher.push() == "none"
    line.set_ydata([0.5, 0.2])
    assert pusher.push() == "blit"
    assert (_pixels(canvas) == _reference(fig, pusher)).all()


def test_ink_that_reaches_another_artist_forces_a_full_draw():
    fig, canvas, left, right, line = _two_axes(gap=0.12)
    pusher = FramePusher(fig)
    pusher.push()
    right.set_ylim(0, 3e7)  # long tick labels, out over the left axes' ink
    right.yaxis.get_major_formatter().set_scientific(False)
    assert pusher.push() == "full"
    assert (_pixels(canvas) == _reference(fig, pusher)).all()
    inset = fig.add_axes((0.3, 0.3, 0.4, 0.4))  # a new axes is a new figure layout
    assert pusher.push() == "full"
    inset.set_xlim(0, 5)  # it overlaps both: never redrawn alone
    assert pusher.push() == "full"
    assert (_pixels(canvas) == _reference(fig, pusher)).all()


def test_inks_are_recorded_whoever_draws():
    fig, canvas, left, right, line = _two_axes()
    pusher = FramePusher(fig)
    pusher.push()
    canvas.draw()  # a draw the front end asked for, not a push
    fig.savefig(io.BytesIO(), format="png", dpi=30)  # saving records nothing
    assert pusher.full_draws == 2
    left.set_xlim(0, 2)
    assert pusher.push() == "partial"
    assert (_pixels(canvas) == _reference(fig, pusher)).all()
    assert "draw" not in left.__dict__  # the recording hooks are gone after each draw


def test_covered_static_artists_are_redrawn_above_a_moving_one():
    fig = Figure(figsize=(3, 2), dpi=50)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    (line,) = ax.plot([0, 1], [0.5, 0.5], lw=8, color="red", zorder=1)
    label = ax.text(
        0.5, 0.5, "on top", zorder=5, fontsize=14, bbox=dict(facecolor="blue"), ha="center"
    )
    far = ax.text(0.05, 0.95, "far", zorder=5)
    pusher = FramePusher(fig)
    pusher.push()
    line.set_ydata([0.45, 0.55])
    pusher.push()
    assert line.get_animated() and label.get_animated() and not far.get_animated()
    assert all(s.get_animated() for s in ax.spines.values())
    assert (_pixels(canvas) == _reference(fig, pusher)).all()
    far.set_text("moved")
    assert pusher.push() == "partial" and far.get_animated()
    assert (_pixels(canvas) == _reference(fig, pusher)).all()


class _FakeWebAggCanvas:
    """What full_png_frames needs of an ipympl canvas: a buffer, the frame flags, the mode."""

    def __init__(self, figure):
        self.agg = FigureCanvasAgg(figure)
        self._png_is_old, self._force_full = True, True
        self.modes = []

    def get_renderer(self):
        return self.agg.get_renderer()

    def set_image_mode(self, mode):
        self.modes.append(mode)


def test_every_frame_is_sent_whole():
    from matplotlib.image import imread

    from dlcourse.widgets import frames

    fig = Figure(figsize=(2, 1), dpi=40)
    line = fig.add_subplot().plot([0, 1], [0, 1])[0]
    canvas = _FakeWebAggCanvas(fig)
    frames.full_png_frames(canvas)
    for y in ([0, 1], [1, 0], [0, 0]):
        line.set_ydata(y)
        canvas.agg.draw()
        canvas._png_is_old = True
        png = canvas.get_diff_image()
        want = np.asarray(canvas.agg.buffer_rgba()) / 255.0
        assert np.allclose(imread(io.BytesIO(png)), want, atol=1e-6)  # the whole picture
    assert canvas.modes == ["full"] * 3
    assert canvas.get_diff_image() is None  # nothing new since the last frame


def test_a_figure_text_that_starts_moving_is_erased_where_it_was():
    fig, canvas, left, right, line = _two_axes()
    note = fig.text(0.5, 0.97, "first", ha="center", va="top")
    pusher = FramePusher(fig)
    pusher.push()
    note.set_text("second, longer")
    assert pusher.push() == "partial" and note.get_animated()
    assert (_pixels(canvas) == _reference(fig, pusher)).all()
    note.set_text("third")
    assert pusher.push() == "blit"
    assert (_pixels(canvas) == _reference(fig, pusher)).all()


def test_a_legend_is_redrawn_only_once_a_moving_line_reaches_it():
    fig = Figure(figsize=(3, 2), dpi=60)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    (line,) = ax.plot([0, 1], [0.1, 0.2], lw=3, label="moving")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    legend = ax.legend(loc="upper left")
    pusher = FramePusher(fig)
    pusher.push()
    line.set_ydata([0.15, 0.25])  # its box spans the axes' width; its path stays low
    pusher.push()
    assert line.get_animated() and not legend.get_animated()
    assert (_pixels(canvas) == _reference(fig, pusher)).all()
    line.set_ydata([0.95, 0.9])  # now through the legend: the legend goes above it again
    pusher.push()
    assert legend.get_animated()
    assert (_pixels(canvas) == _reference(fig, pusher)).all()
