"""encode_png: a standard PNG that decodes to exactly the input pixels."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from dlcourse.widgets.png import encode_png


@pytest.mark.parametrize("shape", [(7, 5), (7, 5, 1), (3, 11, 3), (9, 4, 4), (1, 1, 4)])
@pytest.mark.parametrize("level", [0, 1, 9])
def test_pillow_decodes_the_same_pixels(shape, level):
    pixels = np.random.default_rng(sum(shape) + level).integers(0, 256, shape, dtype=np.uint8)
    image = Image.open(io.BytesIO(encode_png(pixels, level)))
    assert image.size == (shape[1], shape[0])
    assert image.mode == {2: "L", 1: "L", 3: "RGB", 4: "RGBA"}[shape[2] if len(shape) == 3 else 2]
    decoded = np.asarray(image)
    assert np.array_equal(decoded.reshape(pixels.shape), pixels)


def test_flat_pictures_compress_and_a_view_is_encoded_as_its_pixels():
    frame = np.full((400, 600, 4), 255, np.uint8)
    frame[100:120, 50:500] = (8, 119, 189, 255)
    assert len(encode_png(frame)) < frame.nbytes / 100
    view = frame[::2, ::3]  # not contiguous
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(encode_png(view)))), view)


def test_a_matplotlib_canvas_round_trips():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 2), dpi=50)
    fig.add_subplot().plot([0, 1, 3], [2, 0, 1])
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(encode_png(pixels)))), pixels)


@pytest.mark.parametrize(
    "pixels, level, match",
    [
        (np.zeros((2, 2, 4), np.float32), 1, "dtype float32"),
        (np.zeros((2, 2, 2), np.uint8), 1, r"got \(2, 2, 2\)"),
        (np.zeros((2, 2, 4, 1), np.uint8), 1, "shape"),
        (np.zeros((0, 2, 4), np.uint8), 1, "empty"),
        (np.zeros((2, 2, 4), np.uint8), 10, "level must be an int in 0..9, got 10"),
        (np.zeros((2, 2, 4), np.uint8), True, "level"),
    ],
)
def test_bad_input_names_the_argument(pixels, level, match):
    with pytest.raises((TypeError, ValueError), match=match):
        encode_png(pixels, level)
