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
        self.name = name
        self.grad = np.zeros_like(value)

    @property
    def grad(self) -> np.ndarray:
        return self._grad

    @grad.setter
    def grad(self, value: np.ndarray) -> None:
        self._grad = value
        # True when set by ``fit`` instead of zero-filling: the next accumulate overwrites
        self.grad_stale = False

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def dtype(self) -> np.dtype:
        return self.value.dtype

    def zero_grad(self) -> None:
        """Set the gradient to zero in place (allocating it again if it was replaced by None)."""
        self.grad_stale = False
        if self.grad is None or self.grad.shape != self.value.shape:
            self.grad = np.zeros_like(self.value)
        else:
            self.grad.fill(0)

    def mark_grad_stale(self) -> None:
        """Treat ``grad`` as zero without filling it: the next backward writes it directly
        (saves a pass over memory per step; optimizers zero a gradient nobody wrote)."""
        if self.grad is None or self.grad.shape != self.value.shape:
            self.zero_grad()
        else:
            self.grad_stale = True

    def accumulate(self, g: np.ndarray) -> None:
        """grad += g."""
        if self.grad_stale:
            np.copyto(self.grad, g)
            self.grad_stale = False
        else:
            self.grad += g

    def accumulate_matmul(self, a: np.ndarray, b: np.ndarray) -> None:
        """grad += a @ b, written straight into ``grad`` when it is stale (no temporary)."""
        if self.grad_stale and self.grad.dtype == np.result_type(a, b):
            np.matmul(a, b, out=self.grad)
            self.grad_stale = False
        else:
            self.accumulate(a @ b)

    def __repr__(self) -> str:
        label = f"{self.name!r}, " if self.name else ""
        return f"Parameter({label}shape={self.value.shape}, dtype={self.value.dtype})"
