"""What a trained classifier's outputs say: class probabilities, confusion counts, the
probabilities on a grid of the input plane, and the spread of a layer's values (numpy only).

- :func:`class_probabilities`: P (m, C) from a network output: sigmoid for one output unit
  (P = [1 - p, p]), softmax for C >= 2 units;
- :func:`confusion_counts`: M[i, j] = number of examples of true class i predicted as j;
- :func:`grid_probabilities`: P on a resolution x resolution grid (decision boundaries);
- :func:`finite_std`: the std over all entries, inf when one overflowed.

Used by :mod:`dlcourse.topics.ensemble`, :mod:`dlcourse.plots.training` (decision
boundaries, confusion matrices, layer histograms) and the dashboards built on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .activations import sigmoid
from .losses import softmax

__all__ = [
    "check_extent",
    "class_probabilities",
    "confusion_counts",
    "finite_std",
    "grid_probabilities",
]


def class_probabilities(output: np.ndarray, name: str = "output") -> np.ndarray:
    """Class probabilities (m, C) from a network output of shape (m,), (m, 1) or (m, C):
    (1 - s, s) with s = sigmoid(z) for one output unit, softmax for C >= 2 units.
    ``name`` is what an error calls the output."""
    out = np.asarray(output, dtype=np.float64)
    if out.ndim == 1 or (out.ndim == 2 and out.shape[1] == 1):
        s = sigmoid(out.reshape(-1))
        return np.column_stack([1.0 - s, s])
    if out.ndim != 2:
        raise ValueError(f"{name} must have shape (m,), (m, 1) or (m, C), got {out.shape}")
    return softmax(out)


def confusion_counts(
    y_true: np.ndarray, y_pred: np.ndarray, n_classes: int | None = None
) -> np.ndarray:
    """M[i, j] = number of examples of true class i predicted as class j."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(
            f"y_true and y_pred must be 1-D of the same length, got shapes "
            f"{y_true.shape} and {y_pred.shape}"
        )
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.size and (not np.all(np.isfinite(y)) or np.any(y != np.round(y)) or y.min() < 0):
            raise ValueError(f"{name} must hold class labels 0, 1, 2, ..., got {y[:5]!r}...")
    y_true, y_pred = y_true.astype(np.int64), y_pred.astype(np.int64)
    seen = int(max(y_true.max(initial=-1), y_pred.max(initial=-1))) + 1
    n = seen if n_classes is None else int(n_classes)
    if n < seen:
        raise ValueError(f"n_classes={n_classes!r} but the labels go up to {seen - 1}")
    M = np.zeros((n, n), dtype=np.int64)
    np.add.at(M, (y_true, y_pred), 1)
    return M


def _forward(model: Any, X: np.ndarray) -> np.ndarray:
    """The model's output at test time: ``model.forward(X, training=False)``, or
    ``model(X)`` for a plain callable."""
    if hasattr(model, "forward"):
        return model.forward(X, training=False)
    if callable(model):
        return model(X)
    raise TypeError(f"model must have a forward(X, training) method or be callable, got {model!r}")


def check_extent(extent) -> tuple[float, float, float, float]:
    """``extent`` = (x_min, x_max, y_min, y_max) as floats, checked (finite, min < max)."""
    ext = tuple(float(v) for v in extent)
    if len(ext) != 4 or not all(np.isfinite(ext)) or ext[1] <= ext[0] or ext[3] <= ext[2]:
        raise ValueError(
            f"extent must be (x_min, x_max, y_min, y_max) with min < max, got {extent!r}"
        )
    return ext


def grid_probabilities(
    model: Any, extent: Sequence[float], resolution: int = 100
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluate ``model`` at test time on a resolution x resolution grid of pixel centres
    covering ``extent``. Returns (xs, ys, P) with P of shape (ny, nx, C): P[i, j] are the
    class probabilities at (xs[j], ys[i]). Non-finite outputs give uniform probabilities."""
    x0, x1, y0, y1 = check_extent(extent)
    if (
        isinstance(resolution, bool)
        or not isinstance(resolution, (int, np.integer))
        or resolution < 2
    ):
        raise ValueError(f"resolution must be an int >= 2, got {resolution!r}")
    xs = x0 + (np.arange(resolution) + 0.5) * (x1 - x0) / resolution
    ys = y0 + (np.arange(resolution) + 0.5) * (y1 - y0) / resolution
    gx, gy = np.meshgrid(xs, ys)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    with np.errstate(all="ignore"):
        probs = class_probabilities(_forward(model, grid))
    bad = ~np.all(np.isfinite(probs), axis=1)
    probs[bad] = 1.0 / probs.shape[1]
    return xs, ys, probs.reshape(resolution, resolution, -1)


def finite_std(a: np.ndarray) -> float:
    """Standard deviation over all entries (inf if any entry is not finite, NaN if empty)."""
    a = np.asarray(a, dtype=float)
    if a.size == 0:
        return float("nan")
    if not np.all(np.isfinite(a)):
        return float("inf")
    with np.errstate(over="ignore"):
        return float(np.std(a))
