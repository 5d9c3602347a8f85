r"""The numbers behind the ActivationExplorer and notebook 02 (activations): ONE forward and
backward pass of a freshly initialised deep network on the standardised flower data.

The network is ``depth`` hidden layers of ``width`` units, each Dense then the chosen g,
and a Dense output with softmax cross-entropy. Weights are drawn with the chosen rule
(xavier: std sqrt(1/n^[l-1]); he: std sqrt(2/n^[l-1])) times ``scale``; every hidden bias
starts at ``bias``; the output layer is Xavier. For each hidden layer l = 1..depth:

- Z^[l] = A^[l-1] W^[l]T + b^[l], the pre-activations (histogram: where on g they fall);
- g'(Z^[l]), read from the activation's own backward pass with an upstream gradient of 1;
  ``mean_derivative[l]`` is its mean. For sigmoid it is at most 1/4 even where no unit is
  saturated, so each layer multiplies the backward signal by at most 1/4;
- ``grad_norm[l]`` = ||dW^[l]||_F, the size of the update each layer would get;
- ``grad_rms[l]`` = sqrt(mean of dW^[l] squared), the same per entry: the one to compare
  across layers of different sizes (layer 1 has n^[0] * width entries, the others width^2);
- ``dead_fraction[l]``: the share of units whose g'(z) is exactly 0 on every example
  (a dead ReLU: z <= 0 everywhere, so it never learns again).

Used by: notebook 02 (:func:`network_statistics`, :func:`flower_data`) and
:class:`dlcourse.widgets.ActivationExplorer`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import datasets
from .._checks import check_choice, check_int, check_positive, check_real
from ..activations import get_activation
from ..layers import Dense, Sequential
from ..losses import SoftmaxCrossEntropy
from ..rng import as_generator
from .networks import hidden_layers

__all__ = [
    "ACTIVATION_NAMES",
    "INIT_NAMES",
    "NetworkStatistics",
    "activation_curves",
    "flower_data",
    "network_statistics",
]

ACTIVATION_NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "elu")
INIT_NAMES = ("xavier", "he")


@dataclass
class NetworkStatistics:
    """Per hidden layer l = 1..depth (index l - 1): the pre-activations ``Z[l-1]`` (m, width),
    ``mean_derivative``, ``grad_norm`` (||dW^[l]||_F), ``dead_fraction``, ``grad_rms`` (per entry); plus the
    ``model`` and the ``loss`` value of the pass."""

    Z: list
    mean_derivative: np.ndarray
    grad_norm: np.ndarray
    dead_fraction: np.ndarray
    loss: float
    model: Sequential

    @property
    def grad_rms(self) -> np.ndarray:
        """Per hidden layer, sqrt(mean(dW^[l] ** 2)): the size of one entry of dW^[l]."""
        dense = [layer for layer in self.model if isinstance(layer, Dense)][: len(self.Z)]
        return np.array([float(np.sqrt(np.mean(layer.W.grad**2))) for layer in dense])


def flower_data(n: int = 256, rng=0) -> tuple[np.ndarray, np.ndarray]:
    """The standardised flower data set used by the explorer (seeded)."""
    X, y = datasets.flower(n=n, rng=rng)
    Xs, _, _ = datasets.standardize(X)
    return Xs, y


def _network(
    activation: str,
    depth: int,
    width: int,
    init: str,
    scale: float,
    bias: float,
    n_in: int = 2,
    n_out: int = 2,
    rng=0,
) -> Sequential:
    """depth x (Dense(width) -> g) -> Dense(n_out): the hidden layers of
    :func:`~.networks.hidden_layers` (init * scale, biases set to ``bias``), then an
    output layer drawn with Xavier (not with the explored init) from the same generator."""
    gen = as_generator(rng)
    layers = hidden_layers(n_in, [width] * depth, activation, init, scale, rng=gen)
    for layer in layers:
        if isinstance(layer, Dense):
            layer.b.value[:] = bias
    layers.append(Dense(width, n_out, init="xavier", rng=gen))
    return Sequential(layers)


def network_statistics(
    activation: str = "sigmoid",
    depth: int = 8,
    width: int = 32,
    init: str = "xavier",
    scale: float = 1.0,
    bias: float = 0.0,
    X: np.ndarray | None = None,
    y: np.ndarray | None = None,
    rng=0,
) -> NetworkStatistics:
    """One forward and backward pass of a freshly initialised deep network (module docstring).

    ``X, y`` default to :func:`flower_data`; ``rng`` seeds the weights.
    """
    check_choice("activation", activation, ACTIVATION_NAMES)
    depth = check_int("depth", depth, minimum=1)
    width = check_int("width", width, minimum=1)
    check_choice("init", init, INIT_NAMES)
    scale = check_positive("scale", scale)
    bias = check_real("bias", bias)
    if X is None or y is None:
        X, y = flower_data()
    model = _network(
        activation, depth, width, init, scale, bias, X.shape[1], int(np.max(y)) + 1, rng
    )
    loss_fn = SoftmaxCrossEntropy()
    Z, derivs = [], []
    with np.errstate(over="ignore", invalid="ignore"):
        a = X
        for layer in model:
            a = layer.forward(a)
            if isinstance(layer, Dense) and len(Z) < depth:
                Z.append(a)
            elif not isinstance(layer, Dense):
                derivs.append(layer.backward(np.ones_like(a)))  # g'(Z) of this layer
        model.zero_grad()
        loss = loss_fn.forward(a, y)
        model.backward(loss_fn.backward())
    dense = [l for l in model if isinstance(l, Dense)][:depth]
    return NetworkStatistics(
        Z=Z,
        mean_derivative=np.array([float(np.mean(d)) for d in derivs]),
        grad_norm=np.array([float(np.linalg.norm(l.W.grad)) for l in dense]),
        dead_fraction=np.array([float(np.mean(np.all(d == 0, axis=0))) for d in derivs]),
        loss=float(loss),
        model=model,
    )


def activation_curves(activation: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """g(z) and g'(z) from the package's activation layer (its forward and its backward
    with an upstream gradient of 1)."""
    layer = get_activation(check_choice("activation", activation, ACTIVATION_NAMES + ("step",)))
    a = layer.forward(z)
    return a, layer.backward(np.ones_like(z))
