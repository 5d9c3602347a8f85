"""Data sets for the course: small seeded 2-D problems and a few real image sets.

Every 2-D generator has the form ``name(n, noise, rng=None) -> (X, y)`` with

* ``X``: float64 array of shape ``(n, 2)``, one example per row;
* ``y``: int64 array of shape ``(n,)``, class labels ``0 .. C-1``.

The ``n`` examples are split between the C classes as evenly as possible (the first
``n mod C`` classes get one extra) and the rows are shuffled, so any prefix of the data is a
fair sample. ``noise = 0`` gives the noise-free shape, which each docstring states exactly.
``rng`` follows the package convention (:func:`dlcourse.rng.as_generator`): ``None`` uses the
package's default generator, an ``int`` seeds a fresh one, a Generator is used as it is.

Real data:

* :func:`load_digits`: the 8x8 handwritten digits (1797 images) shipped with the package;
* :func:`load_mnist`, :func:`load_fashion_mnist`: downloaded once into a cache directory and
  verified against the published SHA-256 checksums; :func:`read_idx` parses the IDX files.

Pre-processing helpers: :func:`train_val_split` and :func:`standardize`
(x -> (x - mu) / sigma with mu, sigma taken from the training set only).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import re
import tempfile
import urllib.request
import zlib
from importlib import resources
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

from ._checks import (
    check_choice,
    check_finite,
    check_int,
    check_nonnegative,
    check_positive,
    check_real,
)
from .rng import as_generator

Dataset = tuple[np.ndarray, np.ndarray]

__all__ = [
    "flower",
    "moons",
    "circles",
    "spiral",
    "xor",
    "blobs",
    "regression_plane",
    "regression_bumps",
    "REGRESSION_DATASETS",
    "DATASETS",
    "make",
    "train_val_split",
    "standardize",
    "load_digits",
    "digits_split",
    "temperatures",
    "read_idx",
    "write_idx",
    "load_mnist",
    "load_fashion_mnist",
    "MNIST_CHECKSUMS",
    "FASHION_MNIST_CHECKSUMS",
]


# ----------------------------------------------------------------------------------------
# shared pieces of the 2-D generators
# ----------------------------------------------------------------------------------------


def _class_sizes(n: int, classes: int) -> np.ndarray:
    """n split over the classes as evenly as possible: sizes differ by at most one."""
    return n // classes + (np.arange(classes) < n % classes)


def _labels(sizes: np.ndarray) -> np.ndarray:
    """[0]*sizes[0] + [1]*sizes[1] + ... as int64."""
    return np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)


def _shuffled(X: np.ndarray, y: np.ndarray, gen: np.random.Generator) -> Dataset:
    """The same random permutation applied to the rows of X and y."""
    order = gen.permutation(len(y))
    return np.ascontiguousarray(X[order], dtype=np.float64), y[order]


def _check_common(n, noise) -> tuple[int, float]:
    return check_int("n", n, minimum=1), check_nonnegative("noise", noise)


# ----------------------------------------------------------------------------------------
# the 2-D data sets
# ----------------------------------------------------------------------------------------


def flower(
    n: int = 400,
    noise: float = 0.2,
    rng: np.random.Generator | int | None = None,
    *,
    petal_length: float = 4.0,
) -> Dataset:
    """The planar "flower": a rose curve with eight petals, two classes.

    For class j (j = 0, 1) an angle t runs evenly over [3.12 j, 3.12 (j + 1)] and

        t' = t + noise * e1,      r = a sin(4 t) + noise * e2,      x = (r sin t', r cos t')

    with e1, e2 ~ N(0, 1) and a = ``petal_length``. With ``noise = 0`` every point lies on
    the rose ``|x| = a |sin(4 theta)|`` where theta = atan2(x_0, x_1). Each class owns four
    alternate petals, so no straight line separates them, while a network with one small
    hidden layer can follow the petals.
    """
    n, noise = _check_common(n, noise)
    a = check_positive("petal_length", petal_length)
    gen = as_generator(rng)
    sizes = _class_sizes(n, 2)
    parts = []
    for j, size in enumerate(sizes):
        t = np.linspace(3.12 * j, 3.12 * (j + 1), size)
        t_noisy = t + noise * gen.standard_normal(size)
        r = a * np.sin(4 * t) + noise * gen.standard_normal(size)
        parts.append(np.column_stack([r * np.sin(t_noisy), r * np.cos(t_noisy)]))
    return _shuffled(np.concatenate(parts), _labels(sizes), gen)


def moons(
    n: int = 200, noise: float = 0.1, rng: np.random.Generator | int | None = None
) -> Dataset:
    """Two interleaving half circles of radius 1.

    With t evenly spaced in [0, pi]:
    class 0 is (cos t, sin t) (upper arc, centre (0, 0)),
    class 1 is (1 - cos t, 1/2 - sin t) (lower arc, centre (1, 1/2)),
    then N(0, noise^2) is added to each coordinate.
    """
    n, noise = _check_common(n, noise)
    gen = as_generator(rng)
    sizes = _class_sizes(n, 2)
    t0 = np.linspace(0.0, np.pi, sizes[0])
    t1 = np.linspace(0.0, np.pi, sizes[1])
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.concatenate([upper, lower]) + noise * gen.standard_normal((n, 2))
    return _shuffled(X, _labels(sizes), gen)


def circles(
    n: int = 200,
    noise: float = 0.05,
    rng: np.random.Generator | int | None = None,
    *,
    factor: float = 0.5,
) -> Dataset:
    """Two concentric circles: class 0 of radius 1, class 1 of radius ``factor`` (0 < factor < 1).

    The points are evenly spaced in angle, (r cos t, r sin t) with t in [0, 2 pi), then
    N(0, noise^2) is added to each coordinate.
    """
    n, noise = _check_common(n, noise)
    factor = check_positive("factor", factor)
    if factor >= 1.0:
        raise ValueError(f"factor must be < 1, got {factor!r}")
    gen = as_generator(rng)
    sizes = _class_sizes(n, 2)
    rings = []
    for radius, size in zip((1.0, factor), sizes):
        t = np.linspace(0.0, 2 * np.pi, size, endpoint=False)
        rings.append(radius * np.column_stack([np.cos(t), np.sin(t)]))
    X = np.concatenate(rings) + noise * gen.standard_normal((n, 2))
    return _shuffled(X, _labels(sizes), gen)


def spiral(
    n: int = 300,
    noise: float = 0.2,
    rng: np.random.Generator | int | None = None,
    *,
    classes: int = 3,
    turns: float = 0.65,
) -> Dataset:
    """K interleaved spiral arms, one class per arm (K = ``classes``, default 3).

    On arm k the radius r runs evenly over [0, 1] and the angle is

        theta = 2 pi k / K + 2 pi * turns * r + noise * e,      e ~ N(0, 1),

    giving the point r (cos theta, sin theta). The noise acts on the angle (in radians), so
    the arms blur more far from the centre than near it. Not linearly separable.
    """
    n, noise = _check_common(n, noise)
    classes = check_int("classes", classes, minimum=2)
    turns = check_positive("turns", turns)
    gen = as_generator(rng)
    sizes = _class_sizes(n, classes)
    arms = []
    for k, size in enumerate(sizes):
        r = np.linspace(0.0, 1.0, size)
        theta = 2 * np.pi * (k / classes + turns * r) + noise * gen.standard_normal(size)
        arms.append(r[:, None] * np.column_stack([np.cos(theta), np.sin(theta)]))
    return _shuffled(np.concatenate(arms), _labels(sizes), gen)


def xor(n: int = 200, noise: float = 0.1, rng: np.random.Generator | int | None = None) -> Dataset:
    """The XOR pattern: label 1 where the two coordinates have opposite signs.

    Points u are uniform on the square [-1, 1]^2 and labelled y = [u_0 u_1 < 0]; then
    N(0, noise^2) is added to each coordinate, which blurs the labels near the axes.
    Classes are not balanced exactly (each point's quadrant is random).
    """
    n, noise = _check_common(n, noise)
    gen = as_generator(rng)
    u = gen.uniform(-1.0, 1.0, size=(n, 2))
    y = (u[:, 0] * u[:, 1] < 0).astype(np.int64)
    X = u + noise * gen.standard_normal((n, 2))
    return np.ascontiguousarray(X, dtype=np.float64), y


def blobs(
    n: int = 300,
    noise: float = 0.5,
    rng: np.random.Generator | int | None = None,
    *,
    classes: int = 3,
    radius: float = 2.0,
) -> Dataset:
    """K Gaussian clouds, one per class (K = ``classes``, default 3).

    Class k is N(mu_k, noise^2 I) with the centres evenly spaced on a circle,
    mu_k = radius (cos(2 pi k / K), sin(2 pi k / K)). With ``noise = 0`` every point sits
    exactly on its centre.
    """
    n, noise = _check_common(n, noise)
    classes = check_int("classes", classes, minimum=2)
    radius = check_positive("radius", radius)
    gen = as_generator(rng)
    sizes = _class_sizes(n, classes)
    angles = 2 * np.pi * np.arange(classes) / classes
    centres = radius * np.column_stack([np.cos(angles), np.sin(angles)])
    y = _labels(sizes)
    X = centres[y] + noise * gen.standard_normal((n, 2))
    return _shuffled(X, y, gen)


DATASETS: dict[str, Callable[..., Dataset]] = {
    "flower": flower,
    "moons": moons,
    "circles": circles,
    "spiral": spiral,
    "xor": xor,
    "blobs": blobs,
}


#: the signed bumps of :func:`regression_bumps`: (c1, c2, sign), as the TensorFlow Playground's
BUMPS = (
    (-4.0, 2.5, 1.0),
    (0.0, 2.5, -1.0),
    (4.0, 2.5, 1.0),
    (-4.0, -2.5, -1.0),
    (0.0, -2.5, 1.0),
    (4.0, -2.5, -1.0),
)


def _uniform_square(n, noise, rng) -> tuple[int, float, np.ndarray, np.random.Generator]:
    """n points uniform on the square [-6, 6]^2 (the regression sets' plane)."""
    n, noise = _check_common(n, noise)
    gen = as_generator(rng)
    return n, noise, gen.uniform(-6.0, 6.0, size=(n, 2)), gen


def regression_plane(
    n: int = 200, noise: float = 0.1, rng: np.random.Generator | int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """A regression set: x uniform on [-6, 6]^2 and the float target
    y = (x1 + x2) / 10 + noise * eps, eps ~ N(0, 1) (a plane, from -1.2 to 1.2)."""
    n, noise, X, gen = _uniform_square(n, noise, rng)
    y = (X[:, 0] + X[:, 1]) / 10.0 + noise * gen.standard_normal(n)
    return X, y


def regression_bumps(
    n: int = 200, noise: float = 0.1, rng: np.random.Generator | int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """A regression set: x uniform on [-6, 6]^2 and the float target, a sum of signed
    Gaussian bumps, y = sum_k s_k exp(-|x - c_k|^2 / 2) + noise * eps, eps ~ N(0, 1), with
    the six (c_k, s_k) of ``BUMPS`` (a checkerboard of hills and hollows)."""
    n, noise, X, gen = _uniform_square(n, noise, rng)
    y = np.zeros(n)
    for c1, c2, sign in BUMPS:
        y += sign * np.exp(-((X[:, 0] - c1) ** 2 + (X[:, 1] - c2) ** 2) / 2.0)
    return X, y + noise * gen.standard_normal(n)


#: regression generators (float targets), kept apart from the classification ``DATASETS``
REGRESSION_DATASETS: dict[str, Callable[..., Dataset]] = {
    "plane": regression_plane,
    "bumps": regression_bumps,
}


def make(
    name: str,
    n: int | None = None,
    noise: float | None = None,
    rng: np.random.Generator | int | None = None,
    **options,
) -> Dataset:
    """``DATASETS[name](n, noise, rng, **options)``; n or noise None keeps that set's default.

    An unknown name raises a ValueError that lists the valid ones.
    """
    check_choice("dataset", name, DATASETS)
    kwargs = dict(options, rng=rng)
    if n is not None:
        kwargs["n"] = n
    if noise is not None:
        kwargs["noise"] = noise
    return DATASETS[name](**kwargs)


# ----------------------------------------------------------------------------------------
# splitting and normalising
# ----------------------------------------------------------------------------------------


def train_val_split(
    X, y, val_fraction: float = 0.2, rng: np.random.Generator | int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle the m examples and hold out round(val_fraction * m) of them for validation.

    Returns ``X_train, X_val, y_train, y_val`` (scikit-learn's order). Not stratified. Both
    parts must be non-empty, so m >= 2 and 0 < val_fraction < 1.
    """
    X = check_finite("X", X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
        raise ValueError(
            f"X and y must have the same number of rows, got X {X.shape} and y {y.shape}"
        )
    frac = check_real("val_fraction", val_fraction)
    if not 0.0 < frac < 1.0:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction!r}")
    m = len(y)
    n_val = int(round(frac * m))
    if n_val < 1 or n_val > m - 1:
        raise ValueError(
            f"val_fraction={val_fraction!r} of {m} examples leaves an empty "
            f"training or validation part"
        )
    order = as_generator(rng).permutation(m)
    val, train = order[:n_val], order[n_val:]
    return X[train], X[val], y[train], y[val]


def standardize(X_train, *others) -> tuple[np.ndarray, ...]:
    """Per-feature standardisation with the statistics of the training set only.

        mu = mean(X_train, axis 0),   sigma = std(X_train, axis 0),   X -> (X - mu) / sigma

    A feature that is constant in the training set (sigma = 0) gets sigma = 1, so it is only
    centred. Returns ``(X_train_s, *others_s, mu, sigma)``; apply the same ``(X - mu) / sigma``
    to any later data.
    """
    X_train = check_finite("X_train", X_train)
    X_train = X_train.astype(X_train.dtype if X_train.dtype.kind == "f" else np.float64, copy=False)
    if X_train.ndim != 2 or X_train.shape[0] < 1:
        raise ValueError(
            f"X_train must have shape (examples, features) with at least one row, "
            f"got {X_train.shape}"
        )
    mu = X_train.mean(axis=0)
    sigma = X_train.std(axis=0)
    sigma = np.where(sigma > 0, sigma, 1.0)
    out = [(X_train - mu) / sigma]
    for i, other in enumerate(others):
        other = check_finite(f"others[{i}]", other)
        if other.ndim != 2 or other.shape[1] != X_train.shape[1]:
            raise ValueError(
                f"others[{i}] must have shape (examples, {X_train.shape[1]}) "
                f"like X_train {X_train.shape}, got {other.shape}"
            )
        out.append((other - mu) / sigma)
    return (*out, mu, sigma)


# ----------------------------------------------------------------------------------------
# the digits shipped with the package
# ----------------------------------------------------------------------------------------


def load_digits() -> Dataset:
    """The 8x8 handwritten digits: 1797 images, 10 classes (about 180 each).

    Returns X float64 of shape (1797, 64), pixel values 0..16 (an image is ``X[i].reshape(8, 8)``,
    row-major), and y int64 in 0..9. Source: the UCI "Optical Recognition of Handwritten
    Digits" set (E. Alpaydin, C. Kaynak), CC BY 4.0; see ``dlcourse/data/README.md``.
    """
    ref = resources.files("dlcourse").joinpath("data").joinpath("digits.npz")
    with resources.as_file(ref) as path, np.load(path, allow_pickle=False) as data:
        images, labels = data["images"], data["labels"]
    if images.shape != (1797, 64) or labels.shape != (1797,):
        raise ValueError(f"digits.npz is damaged: images {images.shape}, labels {labels.shape}")
    return images.astype(np.float64), labels.astype(np.int64)


@functools.lru_cache(maxsize=8)
def _digits_split(seed: int, scaled: bool) -> tuple[np.ndarray, ...]:
    X, y = load_digits()
    parts = train_val_split(X, y, 0.25, rng=seed)
    if scaled:
        parts = (*standardize(parts[0], parts[1])[:2], parts[2], parts[3])
    for a in parts:
        a.setflags(write=False)
    return tuple(parts)


def digits_split(
    seed: int = 0, standardize: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``X_train, X_val, y_train, y_val``: the digits split 75 % / 25 % by
    ``train_val_split(X, y, 0.25, rng=seed)`` and (``standardize``) standardised with the
    training statistics. The arrays are read-only and computed once per setting."""
    seed = check_int("seed", seed, minimum=0)
    if not isinstance(standardize, bool):
        raise TypeError(f"standardize must be True or False, got {standardize!r}")
    return _digits_split(seed, standardize)


# ----------------------------------------------------------------------------------------
# a time series to average (notebook 07, the EWA explorer)
# ----------------------------------------------------------------------------------------


def temperatures(
    days: int = 365, noise: float = 3.0, rng: np.random.Generator | int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """A year-like series of daily temperatures to average: (t, theta), t = 1 .. days.

        theta_t = 11 - 8 cos(2 pi (t - 15) / 365) + noise * N(0, 1)     (degrees Celsius)

    a seasonal cycle (coldest mid-January, warmest mid-July) plus Gaussian day-to-day noise
    of standard deviation ``noise``. ``rng`` follows the package convention (None: the
    default generator, int: a fresh seeded one, Generator: used as it is).
    """
    days = check_int("days", days, minimum=1)
    noise = check_nonnegative("noise", noise)
    gen = as_generator(rng)
    t = np.arange(1, days + 1)
    season = 11.0 - 8.0 * np.cos(2 * np.pi * (t - 15) / 365.0)
    return t, season + noise * gen.standard_normal(days)


# ----------------------------------------------------------------------------------------
# IDX files (the MNIST format)
# ----------------------------------------------------------------------------------------

# IDX type byte -> big-endian numpy dtype
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def _raw_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when it starts with the gzip magic 1f 8b."""
    raw = path.read_bytes()
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as err:
        raise ValueError(f"{path}: corrupt or truncated gzip data ({err})") from None


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Parse an IDX file (optionally gzip-compressed) into a numpy array.

    Layout (all integers big-endian): two zero bytes, a type byte (0x08 uint8, 0x09 int8,
    0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64), a byte with the number of
    dimensions d, then d uint32 sizes, then the values in C order. MNIST images are
    (n, 28, 28) uint8, labels (n,) uint8. A bad magic number, a short header, or a data
    part that does not hold exactly prod(sizes) values raises a ValueError.
    """
    path = Path(path)
    raw = _raw_bytes(path)
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] not in _IDX_TYPES:
        raise ValueError(f"{path}: not an IDX file (magic bytes {raw[:4].hex() or 'missing'})")
    ndim = raw[3]
    if ndim < 1:
        raise ValueError(f"{path}: IDX header declares {ndim} dimensions")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header ({len(raw)} bytes, need {header})")
    shape = tuple(int(s) for s in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    dtype = np.dtype(_IDX_TYPES[raw[2]])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(
            f"{path}: IDX data has {len(raw) - header} bytes but the header "
            f"{shape} of {dtype.name} needs {expected} (truncated or corrupt file)"
        )
    data = np.frombuffer(raw, dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def write_idx(path: str | os.PathLike, array, compress: bool | None = None) -> Path:
    """Write ``array`` as an IDX file (the inverse of :func:`read_idx`).

    ``compress=None`` gzips when the name ends in ``.gz``. Supported dtypes: uint8, int8,
    int16, int32, float32, float64.
    """
    path = Path(path)
    array = np.asarray(array)
    codes = {np.dtype(v).newbyteorder("="): k for k, v in _IDX_TYPES.items()}
    code = codes.get(array.dtype.newbyteorder("="))
    if code is None:
        raise ValueError(
            f"array dtype {array.dtype} has no IDX type; valid: "
            f"{', '.join(sorted(d.name for d in codes))}"
        )
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"array must have 1 to 255 dimensions, got shape {array.shape}")
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    payload = header + np.ascontiguousarray(array, _IDX_TYPES[code]).tobytes()
    if compress or (compress is None and path.name.endswith(".gz")):
        payload = gzip.compress(payload, mtime=0)
    path.write_bytes(payload)
    return path


# ----------------------------------------------------------------------------------------
# download and cache
# ----------------------------------------------------------------------------------------

_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}

#: SHA-256 of the four published MNIST files (MD5s, as published: f68b3c2dcbeaaa9fbdd348bbdeb94873,
#: d53e105ee54ea40749a09fcbcd1e9432, 9fb629c4189551a2d022fa330f9573f3, ec29112dd5afa0611ce80d1b7f02629c).
MNIST_CHECKSUMS: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

#: SHA-256 of the four Fashion-MNIST files (Zalando Research, MIT licence).
FASHION_MNIST_CHECKSUMS: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
    "train-labels-idx1-ubyte.gz": "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc",
    "t10k-images-idx3-ubyte.gz": "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229",
    "t10k-labels-idx1-ubyte.gz": "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf",
}

_MNIST_MIRRORS = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
)
_FASHION_MIRRORS = (
    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
)


def _digest(path: Path, expected: str) -> str:
    """Hex digest of the file, SHA-256 for a 64-digit ``expected`` and MD5 for 32 digits."""
    h = hashlib.sha256() if len(expected) == 64 else hashlib.md5(usedforsecurity=False)
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _matches(path: Path, expected: str) -> bool:
    return _digest(path, expected) == expected.lower()


def _download(url: str, dest: Path, expected: str) -> None:
    """Fetch url into dest via a temporary file; keep it only if its checksum matches."""
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.name + ".", suffix=".part")
    tmp = Path(tmp)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
            for chunk in iter(lambda: response.read(1 << 20), b""):
                out.write(chunk)
        actual = _digest(tmp, expected)
        if actual != expected.lower():
            raise ValueError(
                f"checksum mismatch for {url}: expected {expected}, got {actual}; "
                f"the file was not kept"
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def _fetch(filename: str, folder: Path, mirrors: Sequence[str], expected: str) -> Path:
    """The cached copy of ``filename`` if it verifies, else the first mirror's copy that does."""
    dest = folder / filename
    if dest.is_file() and _matches(dest, expected):
        return dest
    folder.mkdir(parents=True, exist_ok=True)
    errors: list[Exception] = []
    for base in mirrors:
        url = base.rstrip("/") + "/" + filename
        try:
            _download(url, dest, expected)
            return dest
        except ValueError as err:
            errors.append(err)
        except OSError as err:  # URLError and HTTPError are OSErrors
            errors.append(OSError(f"could not download {url}: {err}"))
    if any(isinstance(e, ValueError) for e in errors):
        raise ValueError("; ".join(map(str, errors)))
    raise OSError("; ".join(map(str, errors)))


def _check_table(checksums: Mapping[str, str]) -> Mapping[str, str]:
    """Every IDX file needs a SHA-256 (64 hex digits) or MD5 (32) digest."""
    for filename in _FILES.values():
        digest = checksums.get(filename) if isinstance(checksums, Mapping) else None
        if not isinstance(digest, str) or not re.fullmatch(
            r"[0-9a-fA-F]{32}|[0-9a-fA-F]{64}", digest
        ):
            raise ValueError(
                f"checksums[{filename!r}] must be a SHA-256 or MD5 hex digest, got {digest!r}"
            )
    return checksums


def _default_cache_dir() -> Path:
    return Path.home() / ".cache" / "dlcourse"


def _load_idx_set(
    folder_name: str,
    cache_dir,
    base_url,
    checksums,
    default_mirrors,
    default_checksums,
    as_float: bool,
):
    """Fetch, verify and parse the four files; returns ((X_train, y_train), (X_test, y_test))."""
    folder = Path(cache_dir if cache_dir is not None else _default_cache_dir()) / folder_name
    mirrors = (
        default_mirrors
        if base_url is None
        else ((base_url,) if isinstance(base_url, str) else tuple(base_url))
    )
    if not mirrors:
        raise ValueError(f"base_url must name at least one URL, got {base_url!r}")
    table = _check_table(default_checksums if checksums is None else checksums)
    arrays = {}
    for key, filename in _FILES.items():
        arrays[key] = read_idx(_fetch(filename, folder, mirrors, table[filename]))
    return tuple(
        _as_xy(arrays[f"{part}_images"], arrays[f"{part}_labels"], part, as_float)
        for part in ("train", "test")
    )


def _as_xy(images: np.ndarray, labels: np.ndarray, part: str, as_float: bool) -> Dataset:
    """Check an image/label pair and flatten the images to rows."""
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"{part} images must be (n, rows, cols) uint8, got {images.shape} {images.dtype}"
        )
    if labels.shape != (images.shape[0],):
        raise ValueError(f"{part} labels {labels.shape} do not match {part} images {images.shape}")
    if labels.size and labels.max() > 9:
        raise ValueError(f"{part} labels must be digits 0..9, found {int(labels.max())}")
    X = images.reshape(images.shape[0], -1)
    if as_float:
        X = X.astype(np.float64) / 255.0
    return X, labels.astype(np.int64)


def load_mnist(
    cache_dir: str | os.PathLike | None = None,
    base_url: str | Sequence[str] | None = None,
    checksums: Mapping[str, str] | None = None,
    as_float: bool = False,
) -> tuple[Dataset, Dataset]:
    """MNIST handwritten digits: 60000 training and 10000 test images of 28x28 pixels.

    Returns ``((X_train, y_train), (X_test, y_test))``. X has one image per row, shape
    (n, 784) (row-major 28x28): uint8 in 0..255 by default, or float64 scaled to [0, 1]
    (x / 255) with ``as_float=True``. y is int64 in 0..9.

    The four ``.gz`` files are downloaded on first use into ``cache_dir/mnist`` (default
    ``~/.cache/dlcourse``) and each file, cached or fresh, must match its checksum
    (``checksums`` maps file name -> SHA-256 or MD5 hex digest; default
    :data:`MNIST_CHECKSUMS`). ``base_url`` is a folder URL (or a list of them, tried in
    order) holding the files; ``file://`` URLs work. A mismatch raises ValueError, an
    unreachable source OSError, a corrupt file ValueError.
    """
    return _load_idx_set(
        "mnist", cache_dir, base_url, checksums, _MNIST_MIRRORS, MNIST_CHECKSUMS, as_float
    )


def load_fashion_mnist(
    cache_dir: str | os.PathLike | None = None,
    base_url: str | Sequence[str] | None = None,
    checksums: Mapping[str, str] | None = None,
    as_float: bool = False,
) -> tuple[Dataset, Dataset]:
    """Fashion-MNIST (Zalando): 28x28 images of clothing in 10 classes, 60000 + 10000.

    Same interface, return format and caching as :func:`load_mnist` (files cached in
    ``cache_dir/fashion_mnist``, default checksums :data:`FASHION_MNIST_CHECKSUMS`).
    Classes: 0 T-shirt/top, 1 trouser, 2 pullover, 3 dress, 4 coat, 5 sandal, 6 shirt,
    7 sneaker, 8 bag, 9 ankle boot.
    """
    return _load_idx_set(
        "fashion_mnist",
        cache_dir,
        base_url,
        checksums,
        _FASHION_MIRRORS,
        FASHION_MNIST_CHECKSUMS,
        as_float,
    )
