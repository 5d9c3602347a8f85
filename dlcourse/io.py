"""Saving and loading a model's parameters and buffers as a ``.npz`` file (no pickle).

Arrays are stored under their names ("0.W", "0.b", "2.running_mean", ...) and loaded back
in place, so optimizers holding the Parameters keep working; the round trip is bit-exact.
"""
from __future__ import annotations

import os
import zipfile

import numpy as np


def _named_arrays(model) -> dict[str, np.ndarray]:
    arrays = {name: p.value for name, p in model.named_parameters()}
    arrays.update(dict(model.named_buffers()))
    return arrays


def save(model, path: str | os.PathLike) -> None:
    """Write every parameter and buffer of ``model`` to ``path`` (exactly that name)."""
    with open(path, "wb") as f:
        np.savez(f, **_named_arrays(model))


def load(model, path: str | os.PathLike) -> None:
    """Read arrays saved by :func:`save` into ``model`` in place; the names, shapes and
    dtypes must match the model exactly."""
    targets = _named_arrays(model)
    try:
        with np.load(path, allow_pickle=False) as data:
            stored = {name: data[name] for name in data.files}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise ValueError(f"load: cannot read {os.fspath(path)!r} as a saved model "
                         f"(truncated or not an .npz file): {exc}") from exc
    missing, extra = sorted(set(targets) - set(stored)), sorted(set(stored) - set(targets))
    if missing or extra:
        raise ValueError(f"load: {os.fspath(path)!r} does not match the model: "
                         f"missing {missing}, unexpected {extra}")
    for name, target in targets.items():
        array = stored[name]
        if array.shape != target.shape or array.dtype != target.dtype:
            raise ValueError(f"load: {name!r} is {array.dtype}{list(array.shape)} in the file "
                             f"but {target.dtype}{list(target.shape)} in the model")
    for name, target in targets.items():
        target[...] = stored[name]
