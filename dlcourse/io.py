"""Saving and loading a model's parameters and buffers as a ``.npz`` file (no pickle).

The file holds the model's ``state_dict()``: every array under its name ("0.W", "0.b",
"2.running_mean", ...). ``load`` puts them back in place with ``load_state_dict``, so
optimizers holding the Parameters keep working; the round trip is bit-exact.
"""

from __future__ import annotations

import os
import zipfile

import numpy as np

__all__ = ["load", "save"]


def save(model, path: str | os.PathLike) -> None:
    """Write every parameter and buffer of ``model`` to ``path`` (exactly that name)."""
    with open(path, "wb") as f:
        np.savez(f, **model.state_dict())


def load(model, path: str | os.PathLike) -> None:
    """Read arrays saved by :func:`save` into ``model`` in place; the names, shapes and
    dtypes must match the model exactly."""
    try:
        with np.load(path, allow_pickle=False) as data:
            stored = {name: data[name] for name in data.files}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise ValueError(
            f"load: cannot read {os.fspath(path)!r} as a saved model "
            f"(truncated or not an .npz file): {exc}"
        ) from exc
    where = f"load: {os.fspath(path)!r}"
    expected = model.state_dict()
    missing = sorted(set(expected) - set(stored))
    unexpected = sorted(set(stored) - set(expected))
    if missing or unexpected:
        raise ValueError(
            f"{where} does not match the model: missing {missing}, unexpected {unexpected}"
        )
    for name, target in expected.items():
        array = stored[name]
        if array.shape != target.shape or array.dtype != target.dtype:
            raise ValueError(
                f"load: {name!r} is {array.dtype}{list(array.shape)} in the file "
                f"but {target.dtype}{list(target.shape)} in the model"
            )
    model.load_state_dict(stored)
