"""Shifts, jitter and augmented training sets."""

import numpy as np
import pytest

from dlcourse.topics.augment import augment, jitter, random_shifts, shift_images
from dlcourse.datasets import load_digits


def _image(h=8, w=8):
    return np.arange(1, h * w + 1, dtype=np.float64).reshape(1, h * w)


def test_shift_matches_a_direct_roll_with_zero_fill():
    img = _image().reshape(8, 8)
    out = shift_images(_image(), 2, -1).reshape(8, 8)
    expected = np.zeros((8, 8))
    expected[0:7, 2:8] = img[1:8, 0:6]  # right by 2, up by 1
    np.testing.assert_array_equal(out, expected)


def test_zero_shift_is_identity_and_shifts_compose_inside_the_frame():
    X = load_digits()[0][:20]
    np.testing.assert_array_equal(shift_images(X, 0, 0), X)
    # moving right then left loses the last column only
    back = shift_images(shift_images(X, 1, 0), -1, 0).reshape(-1, 8, 8)
    np.testing.assert_array_equal(back[:, :, :7], X.reshape(-1, 8, 8)[:, :, :7])
    assert np.all(back[:, :, 7] == 0)


def test_per_image_shifts_equal_one_at_a_time():
    X = load_digits()[0][:6]
    dx, dy = np.array([0, 1, -1, 2, 0, -2]), np.array([1, 0, -1, 0, -2, 2])
    together = shift_images(X, dx, dy)
    for i in range(6):
        np.testing.assert_array_equal(together[i], shift_images(X[i : i + 1], dx[i], dy[i])[0])


def test_non_square_shape_and_fill():
    X = np.ones((3, 12))
    out = shift_images(X, 1, 0, shape=(3, 4), fill=-1.0).reshape(3, 3, 4)
    assert np.all(out[:, :, 0] == -1) and np.all(out[:, :, 1:] == 1)


def test_random_shifts_seeded_and_bounded():
    X = load_digits()[0][:50]
    a = random_shifts(X, 1, rng=3)
    np.testing.assert_array_equal(a, random_shifts(X, 1, rng=3))
    assert not np.array_equal(a, random_shifts(X, 1, rng=4))
    # each output is one of the 9 shifts by at most one pixel
    for i in range(len(X)):
        options = [shift_images(X[i : i + 1], dx, dy)[0] for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
        assert any(np.array_equal(a[i], o) for o in options)
    np.testing.assert_array_equal(random_shifts(X, 0, rng=1), X)


def test_jitter_statistics():
    X = np.zeros((20000, 2))
    J = jitter(X, 0.3, rng=0)
    assert abs(J.std() - 0.3) < 0.01 and abs(J.mean()) < 0.01
    np.testing.assert_array_equal(jitter(X, 0.0, rng=0), X)


def test_augment_keeps_originals_first_and_repeats_labels():
    X, y = load_digits()
    X, y = X[:30], y[:30]
    Xa, ya = augment(X, y, 3, lambda X, rng: random_shifts(X, 1, rng), rng=0)
    assert Xa.shape == (120, 64) and ya.shape == (120,)
    np.testing.assert_array_equal(Xa[:30], X)
    np.testing.assert_array_equal(ya, np.tile(y, 4))
    Xb, _ = augment(X, y, 3, lambda X, rng: random_shifts(X, 1, rng), rng=0)
    np.testing.assert_array_equal(Xa, Xb)


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: shift_images(np.ones((2, 63)), 1, 1), "shape"),
        (lambda: shift_images(np.ones((2, 64)), 0.5, 0), "dx"),
        (lambda: shift_images(np.ones((2, 64)), [1, 2, 3], 0), "dx"),
        (lambda: shift_images(np.full((2, 64), np.nan), 1, 0), "NaN"),
        (lambda: random_shifts(np.ones((2, 64)), -1, rng=0), "max_shift"),
        (lambda: jitter(np.ones((2, 2)), -0.1), "sigma"),
        (lambda: augment(np.ones((2, 2)), np.ones(3), 1, lambda X, r: X), "examples"),
        (lambda: augment(np.ones((2, 2)), np.ones(2), 1, lambda X, r: X[:1]), "transform"),
    ],
)
def test_bad_input_names_the_argument(call, words):
    with pytest.raises((ValueError, TypeError), match=words):
        call()
