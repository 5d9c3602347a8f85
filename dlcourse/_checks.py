"""Argument checks shared by the package: each error names the argument and its value."""

from __future__ import annotations

import numbers
from collections.abc import Iterable

import numpy as np

__all__ = [
    "check_choice",
    "check_finite",
    "check_int",
    "check_nonnegative",
    "check_number",
    "check_positive",
    "check_real",
    "check_unit_interval",
    "check_xy",
    "is_real",
]


def is_real(value) -> bool:
    """A real number that is not a bool (finite or not)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_real(name: str, value) -> float:
    """A finite real number, returned as a Python float."""
    if not is_real(value):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return float(value)


def check_positive(name: str, value) -> float:
    """A finite number > 0 (learning rates, eps, scales)."""
    value = check_real(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return value


def check_nonnegative(name: str, value) -> float:
    """A finite number >= 0 (weight decay, lambda)."""
    value = check_real(name, value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return value


def check_unit_interval(name: str, value) -> float:
    """A number in [0, 1): momentum beta, Adam's beta1/beta2, dropout rate."""
    value = check_real(name, value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return value


def check_int(name: str, value, minimum: int | None = None) -> int:
    """An integer (bools refused), optionally >= minimum."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an int, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return value


def check_number(
    name: str,
    value,
    lo=None,
    hi=None,
    integer: bool = False,
    open_lo: bool = False,
    open_hi: bool = False,
    slack: float = 0.0,
):
    """An int (``integer``) or a finite real in the interval lo..hi (None: unbounded;
    ``open_*``: the end is excluded; ``slack``: a relative tolerance at closed ends, for
    a log slider's ends base ** exponent)."""
    number = check_int(name, value) if integer else check_real(name, value)
    low_ok = lo is None or (number > lo if open_lo else number >= lo * (1 - slack))
    high_ok = hi is None or (number < hi if open_hi else number <= hi * (1 + slack))
    if low_ok and high_ok:
        return number
    if hi is None:
        raise ValueError(f"{name} must be {'>' if open_lo else '>='} {lo:g}, got {value!r}")
    if lo is None:
        raise ValueError(f"{name} must be {'<' if open_hi else '<='} {hi:g}, got {value!r}")
    raise ValueError(
        f"{name} must be in {'(' if open_lo else '['}{lo:g}, {hi:g}"
        f"{')' if open_hi else ']'}, got {value!r}"
    )


def check_choice(name: str, value, choices: Iterable[str]) -> str:
    """One of a fixed set of names; the error lists the valid ones."""
    choices = list(choices)
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; valid: {', '.join(map(repr, choices))}")
    return value


def check_finite(name: str, array) -> np.ndarray:
    """A numeric array with no NaN or inf."""
    array = np.asarray(array)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"{name} must be a numeric array, got dtype {array.dtype}")
    if not np.all(np.isfinite(array)):
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(f"{name} contains {bad} NaN/inf value(s)")
    return array


def check_xy(X, y, name: str = "X") -> tuple[np.ndarray, np.ndarray]:
    """A data set: ``X`` finite and 2-D (examples, features), ``y`` finite with one label (or
    target row) per example, neither empty. ``name`` names X in the errors ("X_val" names
    its labels "y_val")."""
    X = check_finite(name, X)
    y = check_finite("y" if name == "X" else name.replace("X", "y"), y)
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D (examples, features), got shape {X.shape}")
    if len(X) != len(y):
        raise ValueError(f"{name} has {len(X)} examples but its labels have {len(y)}")
    if len(X) == 0:
        raise ValueError(f"{name} is empty")
    return X, y
