"""Activation functions g(z) and their derivatives, as pure functions and as layers.

Each pair ``*_forward(z) -> (a, cache)`` / ``*_backward(da, cache) -> dz`` computes
a = g(z) and dz = da * g'(z) elementwise:

- step (perceptron / LTU): g(z) = 1[z >= 0],               g'(z) = 0 almost everywhere
- sigmoid:       g(z) = 1 / (1 + e^{-z}),                   g'(z) = a (1 - a)
- tanh:          g(z) = tanh z,                              g'(z) = 1 - a^2
- ReLU:          g(z) = max(0, z),                           g'(z) = 1[z > 0]
- leaky ReLU:    g(z) = z if z > 0 else slope * z,           g'(z) = 1 or slope
- ELU:           g(z) = z if z > 0 else alpha (e^z - 1),     g'(z) = 1 or alpha e^z

At z = 0 the derivative conventions follow PyTorch (ReLU' = 0, leaky' = slope, ELU' = alpha).
"""
from __future__ import annotations

import numpy as np

from .base import Layer
from ._checks import check_choice, check_positive, check_real


def step_forward(z: np.ndarray):
    a = (z >= 0).astype(z.dtype)
    return a, z.shape


def step_backward(da: np.ndarray, cache) -> np.ndarray:
    return np.zeros_like(da)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Overflow-free logistic function: uses e^{-|z|}, which never exceeds 1."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)


def sigmoid_forward(z: np.ndarray):
    a = sigmoid(z)
    return a, a


def sigmoid_backward(da: np.ndarray, a) -> np.ndarray:
    return da * a * (1.0 - a)


def tanh_forward(z: np.ndarray):
    a = np.tanh(z)
    return a, a


def tanh_backward(da: np.ndarray, a) -> np.ndarray:
    return da * (1.0 - a * a)


def relu_forward(z: np.ndarray):
    mask = z > 0
    return z * mask, mask


def relu_backward(da: np.ndarray, mask) -> np.ndarray:
    return da * mask


def leaky_relu_forward(z: np.ndarray, slope: float = 0.01):
    mask = z > 0
    return np.where(mask, z, slope * z), (mask, slope)


def leaky_relu_backward(da: np.ndarray, cache) -> np.ndarray:
    mask, slope = cache
    return np.where(mask, da, slope * da)


def elu_forward(z: np.ndarray, alpha: float = 1.0):
    mask = z > 0
    zneg = np.minimum(z, 0)
    return np.where(mask, z, alpha * np.expm1(zneg)), (mask, zneg, alpha)


def elu_backward(da: np.ndarray, cache) -> np.ndarray:
    mask, zneg, alpha = cache
    return np.where(mask, da, da * (alpha * np.exp(zneg)))


class Activation(Layer):
    """A layer applying an elementwise g(z); subclasses name their function pair."""

    def __init__(self) -> None:
        self._cache = None

    def _forward(self, z):
        raise NotImplementedError

    def _backward(self, da, cache):
        raise NotImplementedError

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        out, self._cache = self._forward(x)
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return self._backward(dout, self._cache)


class Step(Activation):
    """Heaviside step of the perceptron: its derivative is 0, so gradient descent is stuck."""

    def _forward(self, z):
        return step_forward(z)

    def _backward(self, da, cache):
        return step_backward(da, cache)


class Sigmoid(Activation):
    def _forward(self, z):
        return sigmoid_forward(z)

    def _backward(self, da, cache):
        return sigmoid_backward(da, cache)


class Tanh(Activation):
    def _forward(self, z):
        return tanh_forward(z)

    def _backward(self, da, cache):
        return tanh_backward(da, cache)


class ReLU(Activation):
    def _forward(self, z):
        return relu_forward(z)

    def _backward(self, da, cache):
        return relu_backward(da, cache)


class LeakyReLU(Activation):
    def __init__(self, slope: float = 0.01) -> None:
        super().__init__()
        self.slope = check_real("slope", slope)

    def _forward(self, z):
        return leaky_relu_forward(z, self.slope)

    def _backward(self, da, cache):
        return leaky_relu_backward(da, cache)

    def extra_repr(self) -> str:
        return f"slope={self.slope}"


class ELU(Activation):
    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = check_positive("alpha", alpha)

    def _forward(self, z):
        return elu_forward(z, self.alpha)

    def _backward(self, da, cache):
        return elu_backward(da, cache)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


ACTIVATIONS: dict[str, type[Activation]] = {
    "relu": ReLU, "leaky_relu": LeakyReLU, "sigmoid": Sigmoid, "tanh": Tanh, "elu": ELU,
    "step": Step,
}


def get_activation(name: str) -> Activation:
    """A fresh activation layer from its name (the error lists the valid names)."""
    check_choice("activation", name, ACTIVATIONS)
    return ACTIVATIONS[name]()
