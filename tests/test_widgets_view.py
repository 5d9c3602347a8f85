"""AggView (dlcourse.widgets.view): the PNG a dashboard's Image holds after blitting is, pixel
for pixel, the picture a full draw of the same state gives; a static artist that changes, a
new limit or a new artist forces a full draw."""

import asyncio
import io

import ipywidgets as W
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from dlcourse import widgets
from dlcourse.widgets.view import AggView

NAMES = [n for n in widgets.__all__ if n != "Dashboard"]


def _decoded(png: bytes) -> np.ndarray:
    """The RGBA pixels of a PNG."""
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def _full(view: AggView) -> np.ndarray:
    """The same view forced to redraw its background: every artist drawn again."""
    view.full_draw()
    return view.pixels().copy()


def _move(control, back: bool = False) -> None:
    """One step of a slider, as an arrow key would (``back``: to the left)."""
    sign = -1 if back else 1
    if isinstance(control, W.FloatLogSlider):
        control.value = control.value * control.base ** (sign * control.step)
    elif isinstance(control, W.SelectionSlider) or not hasattr(control, "step"):
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


def _assert_same(got: np.ndarray, want: np.ndarray, what: str) -> None:
    assert got.shape == want.shape, what
    bad = (got != want).any(axis=2)
    assert not bad.any(), f"{what}: {bad.mean():.2%} of pixels differ"


@pytest.mark.parametrize("name", NAMES)
def test_a_blitted_frame_is_the_full_draw_of_the_same_state(name):
    dash = getattr(widgets, name)()
    dash.view  # a dashboard pushes frames from the time its view exists
    view = dash.view_agg
    assert isinstance(dash.figure, Figure) and isinstance(dash.figure.canvas, FigureCanvasAgg)
    _, control = _first_slider(dash)
    declared = []
    view.set_moving = declared.append  # declared once, in _build_figure: never on a move
    for i in range(3):
        _move(control, back=i == 1)
    assert declared == [], f"{name} declares its moving artists again on a move"
    dash.update()
    dash.update()  # the same state drawn again: only the moving artists
    assert view.last == "blit", f"{name}: a redraw of the same state was a full draw"
    got = _decoded(dash.image.value)
    _assert_same(got, _full(view), f"{name} after three moves")


def test_the_playground_while_playing_blits_the_full_picture():
    pg = widgets.Playground()
    pg.view
    view = pg.view_agg

    async def play_a_while() -> None:
        pg.play()
        # how many epochs a frame covers depends on the machine's speed, and a frame whose
        # axes grow is a full draw: play until six frames of which three were blits
        while pg.frames < 6 or view.blits < 3:
            await asyncio.sleep(0.01)
        pg.pause()

    asyncio.run(asyncio.wait_for(play_a_while(), 60))
    assert pg.frames >= 6 and view.blits >= 3
    _assert_same(_decoded(pg.image.value), _full(view), "Playground after playing")


def test_a_live_playground_change_redraws_the_settings_strip_alone_and_right():
    pg = widgets.Playground()
    pg.view
    pg.train(3)
    view = pg.view_agg
    pg.controls["lr"].value = 0.1  # a live setting: the training text alone changes
    assert view.last == "blit" and "α 0.1" in pg._cost_title.get_text()
    _assert_same(_decoded(pg.image.value), _full(view), "Playground after a live change")
    pg.controls["noise"].value = 0.3  # structural: a new network, the whole frame
    _assert_same(_decoded(pg.image.value), _full(view), "Playground after a new network")


def _two_axes():
    fig = Figure(figsize=(4, 2), dpi=60)
    left = fig.add_axes((0.1, 0.15, 0.35, 0.7))
    right = fig.add_axes((0.6, 0.15, 0.35, 0.7))
    (line,) = right.plot([0, 1], [0, 1])
    (still,) = left.plot([0, 1], [1, 0])
    left.set_title("left")
    return fig, left, right, line, still


def test_only_the_declared_artists_move_and_anything_else_forces_a_full_draw():
    fig, left, right, line, still = _two_axes()
    view = AggView(fig)
    view.set_moving([line])
    assert line.get_animated() and not still.get_animated()
    assert view.push() == "full"
    line.set_ydata([0.2, 0.8])
    assert view.push() == "blit"
    _assert_same(_decoded(view.image.value), _full(view), "a moved line")
    right.set_xlim(0, 2)  # a new limit: the background changes
    assert view.push() == "full"
    still.set_color("red")  # a static artist changed
    assert view.push() == "full"
    left.set_title("changed")
    assert view.push() == "full"
    left.title.set_visible(False)  # hidden: erased from the background
    assert view.push() == "full"
    left.title.set_visible(False)
    assert view.push() == "blit"
    left.plot([0, 1], [0.5, 0.5])  # a new artist
    assert view.push() == "full"
    _assert_same(_decoded(view.image.value), _full(view), "after full draws")


def test_an_empty_or_hidden_static_text_does_not_force_full_draws_forever():
    fig, left, right, line, still = _two_axes()
    note = fig.text(0.5, 0.5, "")
    view = AggView(fig)
    view.set_moving([line])
    view.push()
    assert view.push() == "blit"
    note.set_text("shown")
    assert view.push() == "full"
    note.set_text("")
    assert view.push() == "full"
    assert view.push() == "blit"


def test_a_legend_text_change_is_seen():
    fig, left, right, line, still = _two_axes()
    still.set_label("a")
    legend = left.legend()
    view = AggView(fig)
    view.set_moving([line])
    view.push()
    legend.texts[0].set_text("b")
    assert view.push() == "full"


def test_snapshot_pictures_show_the_moving_artists_and_the_next_push_draws_all():
    fig, left, right, line, still = _two_axes()
    view = AggView(fig)
    view.set_moving([line])
    view.push()
    with view.static():
        assert not line.get_animated()
        buf = io.BytesIO()
        fig.savefig(buf, format="rgba", dpi=fig.dpi)
    assert line.get_animated()
    normal = np.frombuffer(buf.getvalue(), np.uint8).reshape(view.pixels().shape)
    assert view.push() == "full"
    _assert_same(view.pixels(), normal, "the figure with its one line on top")


def test_no_frame_is_drawn_before_the_view_exists_then_every_update_pushes_one():
    dash = widgets.EWAExplorer()
    assert dash.view_agg.full_draws == dash.view_agg.blits == 0 and not dash.image.value
    assert dash.image in dash.view.children and dash.view_agg.full_draws == 1
    dash.controls["beta"].index += 1
    assert dash.view_agg.blits == 1
    _assert_same(_decoded(dash.image.value), _full(dash.view_agg), "EWAExplorer")


def test_every_frame_is_a_png_of_the_canvas():
    fig, left, right, line, still = _two_axes()
    view = AggView(fig)
    view.push()
    assert view.image.format == "png" and bytes(view.image.value).startswith(b"\x89PNG")
    _assert_same(_decoded(view.image.value), view.pixels(), "the Image's frame")
