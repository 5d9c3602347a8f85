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


def test_a_live_move_redraws_in_full_only_when_the_layout_changes():
    dash = widgets.OptimizerRace()
    canvas = FigureCanvasAgg(dash.figure)
    pusher = dash._frames
    pusher.push()
    kinds = []
    for _ in range(6):
        before = _layout_key(dash.figure)
        _move(dash.controls["lr"], back=len(kinds) % 2 == 1)  # right, left, right, ...
        relaid = _layout_key(dash.figure) != before
        kinds.append(pusher.push())
        if kinds[-1] == "full" and len(kinds) > 1:
            assert relaid, kinds  # a full draw after the first move: new limits or ticks
        assert (_pixels(canvas) == _reference(dash.figure, pusher)).all()
    assert kinds[0] == "full"  # the first move finds which artists move
    assert kinds.count("blit") >= 3, kinds
    assert pusher.blits == kinds.count("blit")


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
    assert pusher.push() == "full" and far.get_animated()
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
