"""The layer protocol every building block follows.

``forward(x, training=True) -> out`` caches what the backward pass needs;
``backward(dout) -> dx`` returns the gradient with respect to the input and *accumulates*
the gradients of the layer's Parameters into their ``.grad``.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np

from .parameter import Parameter


class Layer:
    """Base class: subclasses list their Parameter attributes in ``_params`` and their
    non-trainable arrays (e.g. running statistics) in ``_buffers``."""

    _params: tuple[str, ...] = ()
    _buffers: tuple[str, ...] = ()

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        return self.forward(x, training=training)

    def parameters(self) -> list[Parameter]:
        return [p for _, p in self.named_parameters()]

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        for name in self._params:
            param = getattr(self, name)
            if param is not None:
                yield prefix + name, param

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        for name in self._buffers:
            yield prefix + name, getattr(self, name)

    def layers(self) -> Iterator["Layer"]:
        """This layer and, for containers, every layer inside it (depth first)."""
        yield self

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.zero_grad()

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"
