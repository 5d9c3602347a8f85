"""A trainable array and its gradient.

``p.value`` is updated in place by the optimizers; ``p.grad`` has the same shape and is
filled (accumulated) by the backward passes. ``p.grad`` may be reassigned: optimizers read
it when ``step()`` runs.

``p.zero_grad()`` is lazy, like ``torch``'s: it only marks the gradient stale. The next
backward writes its result straight into the buffer (``accumulate`` copies instead of
adding, ``accumulate_matmul`` multiplies into it), and reading ``p.grad`` before any
backward fills the buffer with zeros. Either way ``p.grad`` is zero plus what was
accumulated since, as if it had been filled with zeros, without the extra pass over memory.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Parameter", "params_of"]


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
    def grad(self) -> np.ndarray | None:
        if self.grad_stale:  # zero_grad() since the last write: the gradient is zero
            self._grad.fill(0)
            self.grad_stale = False
        return self._grad

    @grad.setter
    def grad(self, value: np.ndarray | None) -> None:
        self._grad = value
        # True after zero_grad() until the gradient is written or read
        self.grad_stale = False

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def dtype(self) -> np.dtype:
        return self.value.dtype

    def zero_grad(self) -> None:
        """Make the gradient zero: lazily (see the module docstring), or by allocating a new
        zero array when it was replaced by None or by an array of another shape."""
        if self._grad is None or self._grad.shape != self.value.shape:
            self.grad = np.zeros_like(self.value)
        else:
            self.grad_stale = True

    def accumulate(self, g: np.ndarray) -> None:
        """grad += g."""
        if self.grad_stale:
            np.copyto(self._grad, g)
            self.grad_stale = False
        else:
            self._grad += g

    def accumulate_matmul(self, a: np.ndarray, b: np.ndarray) -> None:
        """grad += a @ b, written straight into ``grad`` after zero_grad() (no temporary)."""
        if self.grad_stale and self._grad.dtype == np.result_type(a, b):
            np.matmul(a, b, out=self._grad)
            self.grad_stale = False
        else:
            self.accumulate(a @ b)

    def __repr__(self) -> str:
        label = f"{self.name!r}, " if self.name else ""
        return f"Parameter({label}shape={self.value.shape}, dtype={self.value.dtype})"


def params_of(obj) -> list[Parameter]:
    """The Parameters of a model (anything with ``parameters()``), of one Parameter, or of
    an iterable of them, as a list; a clear TypeError for anything else."""
    if hasattr(obj, "parameters") and callable(obj.parameters):
        obj = obj.parameters()
    if isinstance(obj, Parameter):
        return [obj]
    try:
        params = list(obj)
    except TypeError:
        raise TypeError(
            f"params must be a model or an iterable of Parameters, got {type(obj).__name__}"
        ) from None
    for i, p in enumerate(params):
        if not isinstance(p, Parameter):
            raise TypeError(f"params[{i}] must be a Parameter, got {type(p).__name__}")
    return params
