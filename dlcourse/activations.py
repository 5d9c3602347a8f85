"""Activation functions g(z) and their derivatives, as pure functions and as layers.

Each pair ``*_forward(z) -> (a, cache)`` / ``*_backward(da, cache) -> dz`` computes
a = g(z) and dz = da * g'(z) elementwise:

- step (perceptron / LTU): g(z) = 1[z >= 0],               g'(z) = 0 almost everywhere
- sigmoid:       g(z) = 1 / (1 + e^{-z}),                   g'(z) = a (1 - a)
- tanh:          g(z) = tanh z,                              g'(z) = 1 - a^2
- ReLU:          g(z) = max(0, z),                           g'(z) = 1[z > 0]
- leaky ReLU:    g(z) = z if z > 0 else slope * z,           g'(z) = 1 or slope
- ELU:           g(z) = z if z > 0 else alpha (e^z - 1),     g'(z) = 1 or alpha e^z
- linear:        g(z) = z,                                   g'(z) = 1

At z = 0 the derivative conventions follow PyTorch (ReLU' = 0, leaky' = slope, ELU' = alpha).

Every pair has the same shapes:

``*_forward(z, *params)``
    Inputs: ``z``, pre-activations of any shape, e.g. (m, n); then the function's
    parameters (``slope``, ``alpha``).
    Returns: ``a`` = g(z), of the shape of z, and ``cache``, what ``*_backward`` needs.
``*_backward(da, cache)``
    Inputs: ``da`` = dJ/da, the upstream derivative, of the shape of z; ``cache`` from
    ``*_forward``.
    Returns: ``dz`` = da * g'(z), of the shape of z.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._checks import check_choice, check_positive, check_real
from .layers import Layer

__all__ = [
    "ACTIVATIONS",
    "ELU",
    "Activation",
    "LeakyReLU",
    "Linear",
    "ReLU",
    "Sigmoid",
    "Step",
    "Tanh",
    "elu_backward",
    "elu_forward",
    "get_activation",
    "leaky_relu_backward",
    "leaky_relu_forward",
    "linear_backward",
    "linear_forward",
    "relu_backward",
    "relu_forward",
    "sigmoid",
    "sigmoid_backward",
    "sigmoid_forward",
    "step_backward",
    "step_forward",
    "tanh_backward",
    "tanh_forward",
]


def step_forward(z: np.ndarray):
    """a = 1[z >= 0]. Returns (a, None): the backward needs nothing (g' = 0)."""
    a = (z >= 0).astype(z.dtype)
    return a, None


def step_backward(da: np.ndarray, cache) -> np.ndarray:
    """dz = 0, of the shape of da: the step has no slope to follow."""
    return np.zeros_like(da)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Overflow-free logistic function: uses e^{-|z|}, which never exceeds 1."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)


def sigmoid_forward(z: np.ndarray):
    """a = 1 / (1 + e^{-z}). Returns (a, a): the backward needs a, of the shape of z."""
    a = sigmoid(z)
    return a, a


def sigmoid_backward(da: np.ndarray, a) -> np.ndarray:
    """dz = da * a (1 - a); ``a`` is the forward output, of the shape of da."""
    return da * a * (1.0 - a)


def tanh_forward(z: np.ndarray):
    """a = tanh z. Returns (a, a): the backward needs a, of the shape of z."""
    a = np.tanh(z)
    return a, a


def tanh_backward(da: np.ndarray, a) -> np.ndarray:
    """dz = da * (1 - a^2); ``a`` is the forward output, of the shape of da."""
    return da * (1.0 - a * a)


def relu_forward(z: np.ndarray):
    """a = max(0, z). Returns (a, mask) with the boolean mask z > 0, of the shape of z."""
    mask = z > 0
    return z * mask, mask


def relu_backward(da: np.ndarray, mask) -> np.ndarray:
    """dz = da * 1[z > 0]; ``mask`` is the forward's z > 0, of the shape of da."""
    return da * mask


def leaky_relu_forward(z: np.ndarray, slope: float = 0.01):
    """a = z if z > 0 else slope * z. Returns (a, (mask, slope)), mask = z > 0 of the shape
    of z."""
    mask = z > 0
    return np.where(mask, z, slope * z), (mask, slope)


def leaky_relu_backward(da: np.ndarray, cache) -> np.ndarray:
    """dz = da where z > 0, else slope * da; ``cache`` = (mask, slope) from the forward."""
    mask, slope = cache
    return np.where(mask, da, slope * da)


def elu_forward(z: np.ndarray, alpha: float = 1.0):
    """a = z if z > 0 else alpha (e^z - 1). Returns (a, (mask, min(z, 0), alpha)), the
    arrays of the shape of z."""
    mask = z > 0
    zneg = np.minimum(z, 0)
    return np.where(mask, z, alpha * np.expm1(zneg)), (mask, zneg, alpha)


def elu_backward(da: np.ndarray, cache) -> np.ndarray:
    """dz = da where z > 0, else da * alpha e^z; ``cache`` from :func:`elu_forward`."""
    mask, zneg, alpha = cache
    return np.where(mask, da, da * (alpha * np.exp(zneg)))


def linear_forward(z: np.ndarray):
    """a = z (the identity). Returns (a, None): the backward needs nothing (g' = 1)."""
    return z, None


def linear_backward(da: np.ndarray, cache) -> np.ndarray:
    """dz = da * 1 = da."""
    return da


class Activation(Layer):
    """A layer applying an elementwise g(z). A subclass names its pure function pair as
    class attributes, ``forward_fn`` (``(z, *hyper) -> (a, cache)``) and ``backward_fn``
    (``(da, cache) -> dz``), and in ``hyper`` the attributes passed after z (e.g. "slope").
    Overriding ``_forward(z)`` or ``_backward(da, cache)`` changes one direction."""

    forward_fn: Callable
    backward_fn: Callable
    hyper: tuple[str, ...] = ()
    _forwarded = False  # set by the first forward (a cache may legitimately be None)

    def __init__(self) -> None:
        self._cache = None

    def _forward(self, z):
        if not self.hyper:
            return self.forward_fn(z)
        return self.forward_fn(z, *(getattr(self, name) for name in self.hyper))

    def _backward(self, da, cache):
        return self.backward_fn(da, cache)

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        out, self._cache = self._forward(x)
        self._forwarded = True
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if not self._forwarded:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return self._backward(dout, self._cache)

    def extra_repr(self) -> str:
        return ", ".join(f"{name}={getattr(self, name)}" for name in self.hyper)


class Step(Activation):
    """Heaviside step of the perceptron: its derivative is 0, so gradient descent is stuck."""

    forward_fn, backward_fn = staticmethod(step_forward), staticmethod(step_backward)


class Sigmoid(Activation):
    forward_fn, backward_fn = staticmethod(sigmoid_forward), staticmethod(sigmoid_backward)


class Tanh(Activation):
    forward_fn, backward_fn = staticmethod(tanh_forward), staticmethod(tanh_backward)


class ReLU(Activation):
    forward_fn, backward_fn = staticmethod(relu_forward), staticmethod(relu_backward)


class LeakyReLU(Activation):
    forward_fn, backward_fn = staticmethod(leaky_relu_forward), staticmethod(leaky_relu_backward)
    hyper = ("slope",)

    def __init__(self, slope: float = 0.01) -> None:
        super().__init__()
        self.slope = check_real("slope", slope)


class ELU(Activation):
    forward_fn, backward_fn = staticmethod(elu_forward), staticmethod(elu_backward)
    hyper = ("alpha",)

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = check_positive("alpha", alpha)


class Linear(Activation):
    """The identity g(z) = z: a network of linear layers only computes one linear map."""

    forward_fn, backward_fn = staticmethod(linear_forward), staticmethod(linear_backward)


ACTIVATIONS: dict[str, type[Activation]] = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "elu": ELU,
    "step": Step,
    "linear": Linear,
}


def get_activation(name: str) -> Activation:
    """A fresh activation layer from its name (the error lists the valid names)."""
    check_choice("activation", name, ACTIVATIONS)
    return ACTIVATIONS[name]()
