"""Data augmentation: new training examples made from old ones by changes that keep the label.

Images are rows of ``X`` (m, h*w), each ``X[i].reshape(h, w)`` in row-major order (as
:func:`dlcourse.datasets.load_digits` returns them, h = w = 8).

- shift:  out[r, c] = img[r - dy, c - dx] where that pixel exists, else ``fill``
          (dx > 0 moves the picture right, dy > 0 moves it down);
- random shifts: dx, dy drawn uniformly from the integers -s..s, one pair per image;
- jitter: x' = x + sigma * e, e ~ N(0, I) (for 2-D points or any features);
- :func:`augment`: the original examples followed by ``copies`` transformed copies, labels
  repeated, so a training set of m examples becomes (copies + 1) m;
- :func:`every_shift`: the originals followed by one copy for each offset (dx, dy) != (0, 0)
  with |dx|, |dy| <= s, so m examples become (2s + 1)^2 m.

Augmentation only ever touches the training set; validation and test data stay as they are.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .._checks import check_finite, check_int, check_nonnegative, check_real
from ..rng import as_generator

__all__ = ["shift_images", "random_shifts", "jitter", "augment", "every_shift"]


def _as_images(X, shape: tuple[int, int]) -> tuple[np.ndarray, int, int]:
    """X (m, h*w) checked and viewed as (m, h, w)."""
    if len(shape) != 2:
        raise ValueError(f"shape must be (height, width), got {shape!r}")
    h = check_int("shape[0]", shape[0], minimum=1)
    w = check_int("shape[1]", shape[1], minimum=1)
    X = check_finite("X", X)
    if X.ndim != 2 or X.shape[1] != h * w:
        raise ValueError(
            f"X must have shape (images, {h * w}) for images of shape {(h, w)}, got {X.shape}"
        )
    return X.reshape(len(X), h, w), h, w


def _as_offsets(name: str, value, m: int) -> np.ndarray:
    """An int, or one int per image, as an int64 array of length m."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "iu" and not (arr.dtype.kind == "f" and np.all(arr == np.round(arr))):
        raise TypeError(f"{name} must be an int or an array of ints, got {value!r}")
    if arr.ndim > 1 or (arr.ndim == 1 and len(arr) != m):
        raise ValueError(
            f"{name} must be an int or have one entry per image ({m}), got shape {arr.shape}"
        )
    return np.broadcast_to(arr.astype(np.int64), (m,))


def shift_images(X, dx, dy, shape: tuple[int, int] = (8, 8), fill: float = 0.0) -> np.ndarray:
    """Each image moved ``dx`` pixels right and ``dy`` pixels down; pixels that enter the
    frame take the value ``fill``. ``dx``, ``dy``: ints, or arrays with one int per image.

    out[i, r, c] = img_i[r - dy_i, c - dx_i] if that index is inside the image, else fill.
    Returns a new array of the shape and dtype of ``X``.
    """
    imgs, h, w = _as_images(X, shape)
    m = len(imgs)
    dx, dy = _as_offsets("dx", dx, m), _as_offsets("dy", dy, m)
    fill = check_real("fill", fill)
    rows = np.arange(h)[None, :, None] - dy[:, None, None]
    cols = np.arange(w)[None, None, :] - dx[:, None, None]
    inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
    picked = imgs[np.arange(m)[:, None, None], rows.clip(0, h - 1), cols.clip(0, w - 1)]
    return np.where(inside, picked, fill).astype(imgs.dtype, copy=False).reshape(m, h * w)


def random_shifts(
    X, max_shift: int, rng=None, shape: tuple[int, int] = (8, 8), fill: float = 0.0
) -> np.ndarray:
    """Each image shifted by its own (dx, dy), both uniform on the integers
    -max_shift..max_shift (drawn from ``rng``: None, an int seed or a Generator)."""
    max_shift = check_int("max_shift", max_shift, minimum=0)
    gen = as_generator(rng)
    m = len(np.asarray(X))
    dx = gen.integers(-max_shift, max_shift + 1, size=m)
    dy = gen.integers(-max_shift, max_shift + 1, size=m)
    return shift_images(X, dx, dy, shape=shape, fill=fill)


def jitter(X, sigma: float, rng=None) -> np.ndarray:
    """x + sigma * e with e ~ N(0, I): a noisy copy of every example (e.g. 2-D points)."""
    X = check_finite("X", X)
    sigma = check_nonnegative("sigma", sigma)
    return X + sigma * as_generator(rng).standard_normal(X.shape)


def augment(
    X, y, copies: int, transform: Callable[[np.ndarray, np.random.Generator], np.ndarray], rng=None
) -> tuple[np.ndarray, np.ndarray]:
    """The examples followed by ``copies`` transformed copies, ``transform(X, rng)`` each
    (e.g. ``lambda X, rng: random_shifts(X, 1, rng)``); the labels are repeated.

    Returns (X_aug, y_aug) with (copies + 1) * m rows, the originals first.
    """
    copies = check_int("copies", copies, minimum=0)
    X = check_finite("X", X)
    y = np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)}")
    gen = as_generator(rng)
    parts = [X]
    for _ in range(copies):
        new = np.asarray(transform(X, gen))
        if new.shape != X.shape:
            raise ValueError(f"transform returned shape {new.shape} for input shape {X.shape}")
        parts.append(new)
    return np.concatenate(parts), np.tile(y, copies + 1)


def every_shift(
    X, y, max_shift: int = 1, shape: tuple[int, int] = (8, 8), shift_fn: Callable | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(X_aug, y_aug): X, then ``shift_fn(X, dx, dy, shape)`` for every (dx, dy) != (0, 0)
    in -max_shift..max_shift (dx outer, dy inner), labels repeated. ``shift_fn`` defaults
    to :func:`shift_images` (a learner's own function can be passed instead)."""
    max_shift = check_int("max_shift", max_shift, minimum=1)
    shift_fn = shift_fn or (lambda X_, dx, dy, shape_: shift_images(X_, dx, dy, shape=shape_))
    X, y = check_finite("X", X), np.asarray(y)
    offsets = range(-max_shift, max_shift + 1)
    copies = [shift_fn(X, dx, dy, shape) for dx in offsets for dy in offsets if dx or dy]
    X_aug = np.concatenate([X] + [np.asarray(c, dtype=X.dtype) for c in copies])
    return X_aug, np.tile(y, len(copies) + 1)
