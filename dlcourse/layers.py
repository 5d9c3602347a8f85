"""Dense, Dropout, BatchNorm and Sequential: thin classes over pure forward/backward functions.

Shapes follow numpy/PyTorch: examples in rows, X (m, n_in); W^[l] (n_out, n_in) as in the
course. The course writes Z = W A + b with examples in columns; with examples in rows the
same computation is Z = X W^T + b.

Dense:     Z = X W^T + b;   dW = dZ^T X,   db = sum_i dZ_i,   dX = dZ W
Dropout:   D ~ Bernoulli(keep_prob) / keep_prob;   out = X * D;   dX = dout * D
           (inverted dropout, keep_prob = 1 - rate; the identity at test time)
BatchNorm: mu = mean_i x_i,  var = mean_i (x_i - mu)^2,  x^ = (x - mu) / sqrt(var + eps),
           out = gamma * x^ + beta;  at test time mu and var are the running averages
           r = momentum * r + (1 - momentum) * batch statistic.
"""
from __future__ import annotations

from typing import Iterable, Iterator

import numpy as np

from .base import Layer
from ._checks import check_int, check_positive, check_unit_interval
from .init import initialize
from .parameter import Parameter
from .rng import as_generator


# ---------------------------------------------------------------- Dense
def dense_forward(X: np.ndarray, W: np.ndarray, b: np.ndarray | None):
    """Z = X W^T + b. Returns (Z, cache) with cache = (X, W)."""
    Z = X @ W.T
    if b is not None:
        Z += b
    return Z, (X, W)


def dense_backward(dZ: np.ndarray, cache):
    """Returns (dX, dW, db) for Z = X W^T + b."""
    X, W = cache
    return dZ @ W, dZ.T @ X, dZ.sum(axis=0)


def _check_input(layer: str, x: np.ndarray, in_features: int) -> None:
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{layer}: input must be a numpy array, got {type(x).__name__}")
    if x.ndim != 2 or x.shape[1] != in_features:
        raise ValueError(f"{layer}: expected input of shape (batch, {in_features}), "
                         f"got shape {x.shape} ({x.shape[-1] if x.ndim else 0} features "
                         f"!= in_features={in_features})")


class Dense(Layer):
    """Fully connected layer Z = X W^T + b with W of shape (out_features, in_features)."""

    _params = ("W", "b")

    def __init__(self, in_features: int, out_features: int, init="he", bias: bool = True,
                 dtype=np.float64, rng=None, scale: float | None = None) -> None:
        self.in_features = check_int("in_features", in_features, minimum=1)
        self.out_features = check_int("out_features", out_features, minimum=1)
        self.init = init
        W = initialize(init, (self.out_features, self.in_features), rng, scale, dtype)
        self.W = Parameter(W, "W")
        self.b = Parameter(np.zeros(self.out_features, dtype=dtype), "b") if bias else None
        self._cache = None

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        _check_input("Dense", x, self.in_features)
        out, self._cache = dense_forward(x, self.W.value, None if self.b is None else self.b.value)
        return out

    def backward(self, dout: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """dX = dZ W (skipped, returning None, when ``input_grad`` is False: the first layer's
        input is the data); dW = dZ^T X and db = sum_i dZ_i are added to the gradients."""
        if self._cache is None:
            raise RuntimeError("Dense.backward called before forward")
        X, W = self._cache
        self.W.accumulate_matmul(dout.T, X)
        if self.b is not None:
            self.b.accumulate(dout.sum(axis=0))
        return dout @ W if input_grad else None

    def extra_repr(self) -> str:
        return (f"{self.in_features}, {self.out_features}, init={self.init!r}, "
                f"bias={self.b is not None}, dtype={np.dtype(self.W.dtype).name}")


# ---------------------------------------------------------------- Dropout
def dropout_mask(shape: tuple, rate: float, rng=None, dtype=np.float64) -> np.ndarray:
    """Inverted-dropout mask: 1/keep_prob with probability keep_prob = 1 - rate, else 0."""
    keep = 1.0 - rate
    rng = as_generator(rng)
    draw = rng.random(shape, dtype=np.float32 if np.dtype(dtype) == np.float32 else np.float64)
    return ((draw < keep) * (1.0 / keep)).astype(dtype, copy=False)


def dropout_forward(x: np.ndarray, mask: np.ndarray):
    """out = x * mask, with mask from :func:`dropout_mask`."""
    return x * mask, mask


def dropout_backward(dout: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return dout * mask


class Dropout(Layer):
    """Inverted dropout: each unit is dropped with probability ``rate`` (= 1 - keep_prob)
    during training and the survivors are scaled by 1/keep_prob, so E[out] = x; the identity
    at test time. ``fix_mask()`` freezes the current mask (for gradient checking)."""

    def __init__(self, rate: float, rng=None) -> None:
        self.rate = check_unit_interval("rate", rate)
        # an int seeds one generator for the layer's life; None follows dl.seed at each draw
        self.rng = None if rng is None else as_generator(rng)
        self.mask: np.ndarray | None = None
        self.mask_fixed = False
        self._active = False

    @property
    def keep_prob(self) -> float:
        return 1.0 - self.rate

    def fix_mask(self, mask: np.ndarray | None = None) -> None:
        """Reuse ``mask`` (or the last drawn one) on every training forward until released."""
        if mask is not None:
            self.mask = np.asarray(mask)
        self.mask_fixed = True

    def release_mask(self) -> None:
        self.mask_fixed = False

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        self._active = training and self.rate > 0
        if not self._active:
            return x
        fixed = self.mask_fixed and self.mask is not None and self.mask.shape == x.shape
        if not fixed:
            self.mask = dropout_mask(x.shape, self.rate, self.rng, x.dtype)
        out, _ = dropout_forward(x, self.mask)
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dropout_backward(dout, self.mask) if self._active else dout

    def extra_repr(self) -> str:
        return f"rate={self.rate}"


# ---------------------------------------------------------------- BatchNorm
def batchnorm_forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float):
    """Training-mode batch norm over the batch axis. Returns (out, cache, mu, var)."""
    mu = x.mean(axis=0)
    xc = x - mu
    var = (xc * xc).mean(axis=0)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = xc * inv_std
    return xhat * gamma + beta, (xhat, inv_std, gamma), mu, var


def batchnorm_backward(dout: np.ndarray, cache):
    """Returns (dx, dgamma, dbeta) of training-mode batch norm:
    dx = inv_std / m * (m dx^ - sum dx^ - x^ sum(dx^ x^)),  dx^ = dout * gamma."""
    xhat, inv_std, gamma = cache
    m = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    dx = (inv_std / m) * (m * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))
    return dx, dgamma, dbeta


def batchnorm_inference(x: np.ndarray, gamma, beta, running_mean, running_var, eps: float):
    """Test-mode batch norm with fixed statistics (an affine map). Returns (out, cache)."""
    inv_std = 1.0 / np.sqrt(running_var + eps)
    xhat = (x - running_mean) * inv_std
    return xhat * gamma + beta, (xhat, inv_std, gamma)


def batchnorm_inference_backward(dout: np.ndarray, cache):
    """Returns (dx, dgamma, dbeta) when mu and var are constants."""
    xhat, inv_std, gamma = cache
    return dout * (gamma * inv_std), (dout * xhat).sum(axis=0), dout.sum(axis=0)


class BatchNorm(Layer):
    """Batch normalization of each feature, with learnable scale gamma and shift beta."""

    _params = ("gamma", "beta")
    _buffers = ("running_mean", "running_var")

    def __init__(self, num_features: int, momentum: float = 0.9, eps: float = 1e-5,
                 dtype=np.float64) -> None:
        self.num_features = check_int("num_features", num_features, minimum=1)
        self.momentum = check_unit_interval("momentum", momentum)
        self.eps = check_positive("eps", eps)
        self.gamma = Parameter(np.ones(self.num_features, dtype=dtype), "gamma")
        self.beta = Parameter(np.zeros(self.num_features, dtype=dtype), "beta")
        self.running_mean = np.zeros(self.num_features, dtype=dtype)
        self.running_var = np.ones(self.num_features, dtype=dtype)
        self._cache = None
        self._training = True

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        _check_input("BatchNorm", x, self.num_features)
        self._training = training
        if not training:
            out, self._cache = batchnorm_inference(x, self.gamma.value, self.beta.value,
                                                   self.running_mean, self.running_var, self.eps)
            return out
        out, self._cache, mu, var = batchnorm_forward(x, self.gamma.value, self.beta.value, self.eps)
        mom = self.momentum
        self.running_mean *= mom
        self.running_mean += (1.0 - mom) * mu
        self.running_var *= mom
        self.running_var += (1.0 - mom) * var
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if self._cache is None:
            raise RuntimeError("BatchNorm.backward called before forward")
        grads = batchnorm_backward if self._training else batchnorm_inference_backward
        dx, dgamma, dbeta = grads(dout, self._cache)
        self.gamma.accumulate(dgamma)
        self.beta.accumulate(dbeta)
        return dx

    def extra_repr(self) -> str:
        return f"{self.num_features}, momentum={self.momentum}, eps={self.eps}"


# ---------------------------------------------------------------- Sequential
class Sequential(Layer):
    """Layers applied in order; backward runs them in reverse."""

    def __init__(self, layers: Iterable[Layer] = ()) -> None:
        self.layers_list: list[Layer] = list(layers)
        for i, layer in enumerate(self.layers_list):
            if not isinstance(layer, Layer):
                raise TypeError(f"Sequential: item {i} is not a layer, got {layer!r}")

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        for layer in self.layers_list:
            x = layer.forward(x, training)
        return x

    def backward(self, dout: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """Backward through the layers in reverse; with ``input_grad=False`` the first layer
        skips the gradient with respect to the model's input (nobody needs it in training)."""
        last = len(self.layers_list) - 1
        for i, layer in enumerate(reversed(self.layers_list)):
            if i == last and not input_grad and isinstance(layer, (Dense, Sequential)):
                return layer.backward(dout, input_grad=False)
            dout = layer.backward(dout)
        return dout

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The forward pass at test time (dropout off, batch norm on running statistics)."""
        return self.forward(x, training=False)

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        for i, layer in enumerate(self.layers_list):
            yield from layer.named_parameters(f"{prefix}{i}.")

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        for i, layer in enumerate(self.layers_list):
            yield from layer.named_buffers(f"{prefix}{i}.")

    def layers(self) -> Iterator[Layer]:
        yield self
        for layer in self.layers_list:
            yield from layer.layers()

    def append(self, layer: Layer) -> None:
        self.layers_list.append(layer)

    def __getitem__(self, i):
        return self.layers_list[i]

    def __len__(self) -> int:
        return len(self.layers_list)

    def __iter__(self):
        return iter(self.layers_list)

    def __repr__(self) -> str:
        inner = "".join(f"\n  ({i}): {layer!r}" for i, layer in enumerate(self.layers_list))
        return f"Sequential({inner}\n)" if inner else "Sequential()"
