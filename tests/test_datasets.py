"""Tests for dlcourse.datasets: the 2-D generators, splitting and scaling, the shipped
digits, the IDX parser and the download-and-cache code (served from file:// URLs only)."""

from __future__ import annotations

import gzip
import hashlib
import socket

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dlcourse.rng
from dlcourse import datasets as ds
from dlcourse.rng import seed

GENERATORS = sorted(ds.DATASETS)
CLASSES = {"flower": 2, "moons": 2, "circles": 2, "spiral": 3, "xor": 2, "blobs": 3}


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("tests must not use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# ----------------------------------------------------------------------------------------
# 2-D generators
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", GENERATORS)
@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 400), noise=st.floats(0.0, 2.0), seed_=st.integers(0, 2**32 - 1))
def test_shapes_dtypes_and_labels(name, n, noise, seed_):
    X, y = ds.DATASETS[name](n=n, noise=noise, rng=seed_)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert np.all(np.isfinite(X))
    assert y.min() >= 0 and y.max() < CLASSES[name]


@pytest.mark.parametrize("name", GENERATORS)
def test_defaults_give_every_class(name):
    X, y = ds.DATASETS[name](rng=0)
    assert set(np.unique(y)) == set(range(CLASSES[name]))


@pytest.mark.parametrize("name", [g for g in GENERATORS if g != "xor"])
@pytest.mark.parametrize("n", [1, 7, 200, 301])
def test_classes_are_balanced_within_one(name, n):
    _, y = ds.DATASETS[name](n=n, rng=1)
    counts = np.bincount(y, minlength=CLASSES[name])
    assert counts.sum() == n and counts.max() - counts.min() <= 1


@pytest.mark.parametrize("name", GENERATORS)
def test_same_seed_same_data_different_seed_different_data(name):
    make = ds.DATASETS[name]
    X1, y1 = make(rng=42)
    X2, y2 = make(rng=42)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, _ = make(rng=43)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", GENERATORS)
def test_generator_argument_is_used_and_advanced(name):
    gen = np.random.default_rng(5)
    X1, _ = ds.DATASETS[name](rng=gen)
    X2, _ = ds.DATASETS[name](rng=gen)
    assert not np.array_equal(X1, X2)
    X3, _ = ds.DATASETS[name](rng=np.random.default_rng(5))
    np.testing.assert_array_equal(X1, X3)


def test_none_uses_the_package_default_generator(monkeypatch):
    monkeypatch.setattr(dlcourse.rng, "_default", dlcourse.rng._default)  # restored afterwards
    seed(123)
    a = ds.moons(rng=None)
    seed(123)
    b = ds.moons(rng=None)
    np.testing.assert_array_equal(a[0], b[0])
    c = ds.moons(rng=None)
    assert not np.array_equal(a[0], c[0])


def test_rows_are_shuffled():
    _, y = ds.blobs(n=300, rng=0)
    assert not np.all(np.diff(y) >= 0)


# noise = 0: the exact shapes the docstrings promise


def test_flower_without_noise_lies_on_the_rose():
    X, y = ds.flower(n=400, noise=0.0, rng=0)
    theta = np.arctan2(X[:, 0], X[:, 1])
    np.testing.assert_allclose(
        np.hypot(X[:, 0], X[:, 1]), 4 * np.abs(np.sin(4 * theta)), atol=1e-12
    )
    X, _ = ds.flower(n=400, noise=0.0, rng=0, petal_length=2.5)
    assert np.abs(X).max() <= 2.5


def test_moons_without_noise_lie_on_two_unit_arcs():
    X, y = ds.moons(n=101, noise=0.0, rng=0)
    np.testing.assert_allclose(np.linalg.norm(X[y == 0], axis=1), 1.0)
    assert np.all(X[y == 0, 1] >= -1e-12)
    np.testing.assert_allclose(np.linalg.norm(X[y == 1] - [1.0, 0.5], axis=1), 1.0)
    assert np.all(X[y == 1, 1] <= 0.5 + 1e-12)


def test_circles_without_noise_have_radii_one_and_factor():
    X, y = ds.circles(n=90, noise=0.0, rng=0, factor=0.3)
    r = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.3)


def test_spiral_without_noise_follows_the_arm_formula():
    K, turns = 4, 0.8
    X, y = ds.spiral(n=200, noise=0.0, rng=0, classes=K, turns=turns)
    r = np.linalg.norm(X, axis=1)
    theta = np.arctan2(X[:, 1], X[:, 0])
    expected = 2 * np.pi * (y / K + turns * r)
    gap = np.angle(np.exp(1j * (theta - expected)))  # difference modulo 2 pi
    far = r > 1e-9  # the angle of the centre is undefined
    np.testing.assert_allclose(gap[far], 0.0, atol=1e-9)
    assert r.max() == pytest.approx(1.0)


def test_xor_without_noise_labels_by_sign():
    X, y = ds.xor(n=500, noise=0.0, rng=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))
    assert np.abs(X).max() <= 1.0


def test_blobs_without_noise_sit_on_their_centres():
    X, y = ds.blobs(n=60, noise=0.0, rng=0, classes=5, radius=3.0)
    angles = 2 * np.pi * y / 5
    np.testing.assert_allclose(
        X, 3.0 * np.column_stack([np.cos(angles), np.sin(angles)]), atol=1e-12
    )


def test_noise_moves_the_points():
    X0, _ = ds.circles(n=50, noise=0.0, rng=0)
    X1, _ = ds.circles(n=50, noise=0.1, rng=0)
    assert not np.allclose(np.linalg.norm(X0, axis=1), np.linalg.norm(X1, axis=1))


@pytest.mark.parametrize(
    "call, argument, error",
    [
        (lambda: ds.moons(n=0), "n", ValueError),
        (lambda: ds.flower(n=-5), "n", ValueError),
        (lambda: ds.xor(n=2.5), "n", TypeError),
        (lambda: ds.circles(noise=-0.1), "noise", ValueError),
        (lambda: ds.spiral(noise=float("nan")), "noise", ValueError),
        (lambda: ds.spiral(classes=1), "classes", ValueError),
        (lambda: ds.blobs(classes=0), "classes", ValueError),
        (lambda: ds.blobs(radius=0.0), "radius", ValueError),
        (lambda: ds.circles(factor=1.0), "factor", ValueError),
        (lambda: ds.circles(factor=0.0), "factor", ValueError),
        (lambda: ds.flower(petal_length=-1.0), "petal_length", ValueError),
        (lambda: ds.moons(rng="seed"), "rng", TypeError),
    ],
)
def test_bad_arguments_name_the_argument(call, argument, error):
    with pytest.raises(error, match=rf"^{argument} "):
        call()


def test_make_dispatches_and_keeps_defaults():
    for name in GENERATORS:
        X, y = ds.make(name, rng=3)
        Xd, yd = ds.DATASETS[name](rng=3)
        np.testing.assert_array_equal(X, Xd)
        np.testing.assert_array_equal(y, yd)
    X, y = ds.make("spiral", 50, 0.0, 0, classes=5)
    assert X.shape == (50, 2) and y.max() == 4


def test_make_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="dataset 'swiss_roll'") as err:
        ds.make("swiss_roll", 100, 0.1)
    for name in GENERATORS:
        assert repr(name) in str(err.value)


# ----------------------------------------------------------------------------------------
# train_val_split and standardize
# ----------------------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(m=st.integers(2, 300), frac=st.floats(0.01, 0.99), seed_=st.integers(0, 1000))
def test_split_is_a_partition(m, frac, seed_):
    n_val = round(frac * m)
    if not 1 <= n_val <= m - 1:
        with pytest.raises(ValueError, match="val_fraction"):
            ds.train_val_split(np.zeros((m, 2)), np.zeros(m), frac, rng=seed_)
        return
    X = np.column_stack([np.arange(m), -np.arange(m)]).astype(float)
    y = np.arange(m)
    X_tr, X_val, y_tr, y_val = ds.train_val_split(X, y, frac, rng=seed_)
    assert len(y_val) == n_val and len(y_tr) == m - n_val
    np.testing.assert_array_equal(np.sort(np.concatenate([y_tr, y_val])), np.arange(m))
    np.testing.assert_array_equal(X_tr[:, 0], y_tr)  # rows stay with their labels
    np.testing.assert_array_equal(X_val[:, 0], y_val)


def test_split_is_seeded_and_shuffled():
    X, y = ds.moons(n=100, rng=0)
    a = ds.train_val_split(X, y, rng=7)
    b = ds.train_val_split(X, y, rng=7)
    c = ds.train_val_split(X, y, rng=8)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[3], c[3])
    idx = ds.train_val_split(np.arange(100.0)[:, None], np.arange(100), rng=7)[3]
    assert not np.array_equal(idx, np.arange(80, 100))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(X=np.zeros((5, 2)), y=np.zeros(4)), "same number of rows"),
        (dict(X=np.zeros((5, 2)), y=np.zeros(5), val_fraction=0.0), "val_fraction"),
        (dict(X=np.zeros((5, 2)), y=np.zeros(5), val_fraction=1.0), "val_fraction"),
        (dict(X=np.full((5, 2), np.nan), y=np.zeros(5)), "X contains"),
    ],
)
def test_split_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ds.train_val_split(**kwargs)


def test_standardize_uses_training_statistics():
    rng = np.random.default_rng(0)
    X_tr = rng.normal([3.0, -2.0, 5.0], [2.0, 0.5, 1e-3], size=(200, 3))
    X_val = rng.normal(size=(30, 3))
    Z_tr, Z_val, mu, sigma = ds.standardize(X_tr, X_val)
    np.testing.assert_allclose(Z_tr.mean(axis=0), 0.0, atol=1e-10)
    np.testing.assert_allclose(Z_tr.std(axis=0), 1.0)
    np.testing.assert_allclose(mu, X_tr.mean(axis=0))
    np.testing.assert_allclose(sigma, X_tr.std(axis=0))
    np.testing.assert_allclose(Z_val, (X_val - mu) / sigma)
    np.testing.assert_array_equal(X_tr, X_tr.copy())  # inputs untouched


def test_standardize_constant_feature_is_only_centred():
    X = np.array([[1.0, 7.0], [3.0, 7.0], [5.0, 7.0]])
    Z, mu, sigma = ds.standardize(X)
    np.testing.assert_array_equal(sigma, [np.std([1.0, 3.0, 5.0]), 1.0])
    np.testing.assert_array_equal(Z[:, 1], 0.0)
    assert np.all(np.isfinite(Z))


def test_standardize_keeps_float32_and_converts_ints():
    Z, mu, sigma = ds.standardize(np.arange(12, dtype=np.float32).reshape(6, 2))
    assert Z.dtype == np.float32
    Z, _, _ = ds.standardize(np.arange(12).reshape(6, 2))
    assert Z.dtype == np.float64


def test_standardize_rejects_mismatched_features():
    with pytest.raises(ValueError, match=r"others\[0\].*\(4, 3\)"):
        ds.standardize(np.ones((5, 2)), np.ones((4, 3)))
    with pytest.raises(ValueError, match="X_train"):
        ds.standardize(np.ones(5))


# ----------------------------------------------------------------------------------------
# digits
# ----------------------------------------------------------------------------------------


def test_load_digits():
    X, y = ds.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    np.testing.assert_array_equal(
        np.bincount(y), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    )
    assert X.min() == 0 and X.max() == 16
    np.testing.assert_array_equal(X, np.round(X))
    assert X.sum() == 561718  # the pixel total of the published set
    np.testing.assert_array_equal(X[0].reshape(8, 8)[:, 0], 0)  # a 0 with empty left column
    assert y[0] == 0


# ----------------------------------------------------------------------------------------
# IDX files
# ----------------------------------------------------------------------------------------

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("suffix", ["", ".gz"])
@settings(max_examples=10, deadline=None)
@given(shape=st.lists(st.integers(0, 5), min_size=1, max_size=4), seed_=st.integers(0, 99))
def test_idx_round_trip(tmp_path_factory, dtype, suffix, shape, seed_):
    rng = np.random.default_rng(seed_)
    a = (rng.normal(size=shape) * 50).astype(dtype)
    path = tmp_path_factory.mktemp("idx") / f"a.idx{suffix}"
    ds.write_idx(path, a)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == (suffix == ".gz")
    b = ds.read_idx(path)
    assert b.dtype == a.dtype and b.shape == a.shape and b.dtype.isnative
    np.testing.assert_array_equal(a, b)


def test_idx_header_is_big_endian(tmp_path):
    path = ds.write_idx(tmp_path / "x.idx", np.arange(6, dtype=np.int16).reshape(2, 3))
    raw = path.read_bytes()
    assert raw[:4] == bytes([0, 0, 0x0B, 2])
    assert raw[4:12] == bytes([0, 0, 0, 2, 0, 0, 0, 3])
    assert raw[12:16] == bytes([0, 0, 0, 1])


def _corrupt(tmp_path, name, payload, compress=False):
    path = tmp_path / name
    path.write_bytes(gzip.compress(payload) if compress else payload)
    return path


@pytest.mark.parametrize(
    "payload, message",
    [
        (b"", "not an IDX file"),
        (b"PK\x03\x04 something else", "not an IDX file"),
        (bytes([0, 0, 0x07, 1, 0, 0, 0, 1, 5]), "not an IDX file"),  # unknown type
        (bytes([0, 0, 0x08, 0]), "0 dimensions"),
        (bytes([0, 0, 0x08, 3, 0, 0, 0, 2]), "truncated IDX header"),
        (bytes([0, 0, 0x08, 1, 0, 0, 0, 5, 1, 2, 3]), "truncated or corrupt"),  # 3 of 5 values
        (bytes([0, 0, 0x08, 1, 0, 0, 0, 1, 1, 2]), "truncated or corrupt"),  # one extra byte
    ],
)
@pytest.mark.parametrize("compress", [False, True])
def test_read_idx_rejects_bad_files(tmp_path, payload, message, compress):
    path = _corrupt(tmp_path, "bad.idx", payload, compress)
    with pytest.raises(ValueError, match=message) as err:
        ds.read_idx(path)
    assert str(path) in str(err.value)


def test_read_idx_rejects_truncated_gzip(tmp_path):
    path = ds.write_idx(tmp_path / "a.gz", np.arange(1000, dtype=np.int32))
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(ValueError, match="gzip"):
        ds.read_idx(path)


def test_write_idx_rejects_unsupported_dtype(tmp_path):
    with pytest.raises(ValueError, match="dtype"):
        ds.write_idx(tmp_path / "a.idx", np.zeros(3, dtype=np.complex128))


# ----------------------------------------------------------------------------------------
# download and cache (a tiny fake MNIST served from a file:// URL)
# ----------------------------------------------------------------------------------------


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def served(tmp_path):
    """A folder with four small IDX .gz files in the MNIST layout, its file:// URL and checksums."""
    src = tmp_path / "server"
    src.mkdir()
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (6, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, 6).astype(np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, 3).astype(np.uint8),
    }
    for name, a in arrays.items():
        ds.write_idx(src / name, a)
    checksums = {name: _sha256(src / name) for name in arrays}
    return src, src.as_uri(), checksums, arrays


@pytest.mark.parametrize(
    "loader, folder", [(ds.load_mnist, "mnist"), (ds.load_fashion_mnist, "fashion_mnist")]
)
def test_download_parse_and_cache(tmp_path, served, loader, folder):
    src, url, checksums, arrays = served
    cache = tmp_path / "cache"
    (X_tr, y_tr), (X_te, y_te) = loader(cache_dir=cache, base_url=url, checksums=checksums)
    assert X_tr.shape == (6, 784) and X_tr.dtype == np.uint8
    assert X_te.shape == (3, 784) and y_te.dtype == np.int64
    np.testing.assert_array_equal(X_tr, arrays["train-images-idx3-ubyte.gz"].reshape(6, 784))
    np.testing.assert_array_equal(y_te, arrays["t10k-labels-idx1-ubyte.gz"])
    cached = sorted(p.name for p in (cache / folder).iterdir())
    assert cached == sorted(checksums)  # no leftover temporary files

    for f in src.iterdir():  # the source disappears ...
        f.unlink()
    (X2, _), _ = loader(cache_dir=cache, base_url=url, checksums=checksums, as_float=True)
    assert X2.dtype == np.float64 and 0.0 <= X2.min() and X2.max() <= 1.0
    np.testing.assert_array_equal(X2, X_tr / 255.0)  # ... and the cache serves the call


def test_bad_cached_file_is_downloaded_again(tmp_path, served):
    _, url, checksums, arrays = served
    cache = tmp_path / "cache"
    ds.load_mnist(cache_dir=cache, base_url=url, checksums=checksums)
    (cache / "mnist" / "t10k-labels-idx1-ubyte.gz").write_bytes(b"half a file")
    _, (_, y_te) = ds.load_mnist(cache_dir=cache, base_url=url, checksums=checksums)
    np.testing.assert_array_equal(y_te, arrays["t10k-labels-idx1-ubyte.gz"])


def test_checksum_mismatch_raises_and_keeps_nothing(tmp_path, served):
    _, url, checksums, _ = served
    wrong = dict(checksums, **{"train-labels-idx1-ubyte.gz": "0" * 64})
    cache = tmp_path / "cache"
    with pytest.raises(ValueError, match="checksum mismatch.*train-labels-idx1-ubyte.gz"):
        ds.load_mnist(cache_dir=cache, base_url=url, checksums=wrong)
    assert not (cache / "mnist" / "train-labels-idx1-ubyte.gz").exists()
    assert not list((cache / "mnist").glob("*.part"))


def test_md5_checksums_are_accepted(tmp_path, served):
    src, url, checksums, _ = served
    md5 = {name: hashlib.md5((src / name).read_bytes()).hexdigest() for name in checksums}
    (X_tr, _), _ = ds.load_mnist(cache_dir=tmp_path / "c", base_url=url, checksums=md5)
    assert X_tr.shape == (6, 784)
    md5["t10k-images-idx3-ubyte.gz"] = "f" * 32
    with pytest.raises(ValueError, match="checksum mismatch"):
        ds.load_mnist(cache_dir=tmp_path / "d", base_url=url, checksums=md5)


def test_corrupt_file_with_matching_checksum_raises_value_error(tmp_path, served):
    src, url, checksums, _ = served
    name = "train-images-idx3-ubyte.gz"
    raw = gzip.decompress((src / name).read_bytes())
    (src / name).write_bytes(gzip.compress(raw[:-100]))  # truncated data, valid gzip
    checksums = dict(checksums, **{name: _sha256(src / name)})
    with pytest.raises(ValueError, match="truncated or corrupt"):
        ds.load_mnist(cache_dir=tmp_path / "cache", base_url=url, checksums=checksums)


def test_mismatched_images_and_labels_raise(tmp_path, served):
    src, url, checksums, _ = served
    name = "train-labels-idx1-ubyte.gz"
    ds.write_idx(src / name, np.zeros(5, dtype=np.uint8))
    checksums = dict(checksums, **{name: _sha256(src / name)})
    with pytest.raises(ValueError, match="train labels"):
        ds.load_mnist(cache_dir=tmp_path / "cache", base_url=url, checksums=checksums)


def test_mirrors_are_tried_in_order(tmp_path, served):
    _, url, checksums, _ = served
    missing = (tmp_path / "nowhere").as_uri()
    (X_tr, _), _ = ds.load_mnist(
        cache_dir=tmp_path / "c", base_url=[missing, url], checksums=checksums
    )
    assert X_tr.shape == (6, 784)


def test_unreachable_source_raises_oserror(tmp_path, served):
    _, _, checksums, _ = served
    missing = (tmp_path / "nowhere").as_uri()
    with pytest.raises(OSError, match="could not download"):
        ds.load_mnist(cache_dir=tmp_path / "c", base_url=missing, checksums=checksums)


def test_checksum_table_is_validated(tmp_path, served):
    _, url, checksums, _ = served
    incomplete = dict(checksums)
    del incomplete["t10k-images-idx3-ubyte.gz"]
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz"):
        ds.load_mnist(cache_dir=tmp_path / "c", base_url=url, checksums=incomplete)
    with pytest.raises(ValueError, match="hex digest"):
        ds.load_mnist(
            cache_dir=tmp_path / "c",
            base_url=url,
            checksums=dict(checksums, **{"t10k-images-idx3-ubyte.gz": "xyz"}),
        )


def test_default_cache_dir_is_under_home(tmp_path, served, monkeypatch):
    _, url, checksums, _ = served
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    ds.load_fashion_mnist(base_url=url, checksums=checksums)
    folder = tmp_path / "home" / ".cache" / "dlcourse" / "fashion_mnist"
    assert sorted(p.name for p in folder.iterdir()) == sorted(checksums)


def test_published_checksum_tables_are_complete():
    names = {
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    }
    for table in (ds.MNIST_CHECKSUMS, ds.FASHION_MNIST_CHECKSUMS):
        assert set(table) == names
        assert all(len(v) == 64 and int(v, 16) >= 0 for v in table.values())
    assert not set(ds.MNIST_CHECKSUMS.values()) & set(ds.FASHION_MNIST_CHECKSUMS.values())
