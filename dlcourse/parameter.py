"""A trainable array and its gradient.

``p.value`` is updated in place by the optimizers; ``p.grad`` has the same shape and is
filled (accumulated) by the backward passes. ``p.grad`` may be reassigned: optimizers read
it when ``step()`` runs.
"""
from __future__ import annotations

import numpy as np


class Parameter:
    """A trainable array: ``value`` (ndarray) and ``grad`` (same shape, starts at zero)."""

    def __init__(self, value, name: str = "") -> None:
        value = np.array(value, copy=True)
        if not np.issubdtype(value.dtype, np.floating):
            value = value.astype(np.float64)
        self.value: np.ndarray = value
        self.grad: np.ndarray = np.zeros_like(value)
        self.name = name

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def dtype(self) -> np.dtype:
        return self.value.dtype

    def zero_grad(self) -> None:
        """Set the gradient to zero in place (allocating it again if it was replaced by None)."""
        if self.grad is None or self.grad.shape != self.value.shape:
            self.grad = np.zeros_like(self.value)
        else:
            self.grad.fill(0)

    def __repr__(self) -> str:
        label = f"{self.name!r}, " if self.name else ""
        return f"Parameter({label}shape={self.value.shape}, dtype={self.value.dtype})"
