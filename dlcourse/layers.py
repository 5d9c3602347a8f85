"""The layer protocol, and Dense, Dropout, BatchNorm and Sequential: thin classes over pure
forward/backward functions.

The protocol (:class:`Layer`): ``forward(x, training=True) -> out`` caches what the backward
pass needs; ``backward(dout) -> dx`` returns the gradient with respect to the input and
*accumulates* the gradients of the layer's Parameters into their ``.grad``. A layer whose
class sets ``accepts_input_grad = True`` also takes ``backward(dout, input_grad=False)``,
which skips dx (returning None): the first layer's input is the data, nobody needs dx.
``state_dict()`` / ``load_state_dict(state)`` copy the parameters and buffers by name.

Shapes follow numpy/PyTorch: examples in rows, X (m, n_in); W^[l] (n_out, n_in) as in the
course. The course writes Z = W A + b with examples in columns; with examples in rows the
same computation is Z = X W^T + b.

Dense:     Z = X W^T + b;   dW = dZ^T X,   db = sum_i dZ_i,   dX = dZ W
Dropout:   D ~ Bernoulli(keep_prob) / keep_prob;   out = X * D;   dX = dout * D
           (inverted dropout, keep_prob = 1 - rate; the identity at test time)
BatchNorm: mu = mean_i x_i,  var = mean_i (x_i - mu)^2,  x^ = (x - mu) / sqrt(var + eps),
           out = gamma * x^ + beta;  at test time mu and var are the running averages
           r = momentum * r + (1 - momentum) * batch statistic.
LayerNorm: the same normalisation over each example's features instead of over the batch:
           mu_i = mean_j x_ij,  var_i = mean_j (x_ij - mu_i)^2,
           x^_ij = (x_ij - mu_i) / sqrt(var_i + eps),  out = gamma * x^ + beta;
           identical in training and test mode (no running statistics).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple

import numpy as np

from ._checks import check_int, check_positive, check_unit_interval
from .init import initialize
from .parameter import Parameter
from .rng import as_generator

__all__ = [
    "BatchNorm",
    "Dense",
    "Dropout",
    "Layer",
    "LayerNorm",
    "LoadResult",
    "Sequential",
    "batchnorm_backward",
    "batchnorm_forward",
    "batchnorm_inference",
    "batchnorm_inference_backward",
    "dense_backward",
    "dense_forward",
    "dropout_backward",
    "dropout_forward",
    "dropout_mask",
    "layernorm_backward",
    "layernorm_forward",
]


# ---------------------------------------------------------------- the protocol
class LoadResult(NamedTuple):
    """What ``load_state_dict(state, strict=False)`` left out: names the model has but the
    state lacks (``missing``) and names the state has but the model lacks (``unexpected``)."""

    missing: list[str]
    unexpected: list[str]


class Layer:
    """Base class: subclasses list their Parameter attributes in ``_params`` and their
    non-trainable arrays (e.g. running statistics) in ``_buffers``."""

    _params: tuple[str, ...] = ()
    _buffers: tuple[str, ...] = ()
    #: True when ``backward`` takes ``input_grad=False`` (and then skips dx, returning None)
    accepts_input_grad: bool = False

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

    def layers(self) -> Iterator[Layer]:
        """This layer and, for containers, every layer inside it (depth first)."""
        yield self

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.zero_grad()

    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """A copy of every parameter value and buffer by name ("0.W", "0.b", ...,
        "1.running_mean", ...): parameters first, then buffers, as PyTorch's."""
        state = OrderedDict((name, p.value.copy()) for name, p in self.named_parameters())
        state.update((name, b.copy()) for name, b in self.named_buffers())
        return state

    def load_state_dict(self, state: Mapping[str, np.ndarray], strict: bool = True) -> LoadResult:
        """Copy ``state`` (from :meth:`state_dict`) into the parameters and buffers, in place,
        so optimizers holding the Parameters keep working; values are cast to each array's
        dtype. Nothing is written unless every name present matches in shape; with
        ``strict`` the names must match exactly (a ValueError lists the differences)."""
        targets = self._state_targets()
        missing = [name for name in targets if name not in state]
        unexpected = [name for name in state if name not in targets]
        if strict and (missing or unexpected):
            raise ValueError(
                f"load_state_dict: the state does not match the model: missing "
                f"{missing}, unexpected {unexpected}"
            )
        arrays = {}
        for name, target in targets.items():
            if name in state:
                array = np.asarray(state[name])
                if array.shape != target.shape:
                    raise ValueError(
                        f"load_state_dict: {name!r} is {array.dtype}"
                        f"{list(array.shape)} in the state but {target.dtype}"
                        f"{list(target.shape)} in the model"
                    )
                arrays[name] = array
        for name, array in arrays.items():
            targets[name][...] = array
        return LoadResult(missing, unexpected)

    def _state_targets(self) -> dict[str, np.ndarray]:
        """The arrays :meth:`load_state_dict` writes into, by name."""
        targets = {name: p.value for name, p in self.named_parameters()}
        targets.update(self.named_buffers())
        return targets

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"


# ---------------------------------------------------------------- Dense
def dense_forward(X: np.ndarray, W: np.ndarray, b: np.ndarray | None):
    """Z = X W^T + b, the forward pass of a fully connected layer.

    Inputs:
    - X: input, of shape (m, n_in): one example per row
    - W: weights, of shape (n_out, n_in)
    - b: biases, of shape (n_out,), or None for no bias

    Returns a tuple of:
    - Z: output, of shape (m, n_out)
    - cache: (X, W), what :func:`dense_backward` needs
    """
    Z = X @ W.T
    if b is not None:
        Z += b
    return Z, (X, W)


def dense_backward(dZ: np.ndarray, cache):
    """The backward pass of Z = X W^T + b: dX = dZ W, dW = dZ^T X, db = sum_i dZ_i.

    Inputs:
    - dZ: upstream derivative dJ/dZ, of shape (m, n_out)
    - cache: (X, W) from :func:`dense_forward`, of shapes (m, n_in) and (n_out, n_in)

    Returns a tuple of:
    - dX: gradient with respect to X, of shape (m, n_in)
    - dW: gradient with respect to W, of shape (n_out, n_in)
    - db: gradient with respect to b, of shape (n_out,)
    """
    X, W = cache
    return dZ @ W, dZ.T @ X, dZ.sum(axis=0)


def _check_input(layer: str, x: np.ndarray, in_features: int) -> None:
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{layer}: input must be a numpy array, got {type(x).__name__}")
    if x.ndim != 2 or x.shape[1] != in_features:
        raise ValueError(
            f"{layer}: expected input of shape (batch, {in_features}), "
            f"got shape {x.shape} ({x.shape[-1] if x.ndim else 0} features "
            f"!= in_features={in_features})"
        )


class Dense(Layer):
    """Fully connected layer Z = X W^T + b with W of shape (out_features, in_features)."""

    _params = ("W", "b")
    accepts_input_grad = True

    def __init__(
        self,
        in_features: int,
        out_features: int,
        init="he",
        bias: bool = True,
        dtype=np.float64,
        rng=None,
        scale: float | None = None,
    ) -> None:
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
        input is the data); dW = dZ^T X and db = sum_i dZ_i are added to the gradients.

        The same arithmetic as :func:`dense_backward` (a test checks they agree), with dW
        multiplied straight into the gradient buffer after zero_grad() (no temporary)."""
        if self._cache is None:
            raise RuntimeError("Dense.backward called before forward")
        X, W = self._cache
        self.W.accumulate_matmul(dout.T, X)
        if self.b is not None:
            self.b.accumulate(dout.sum(axis=0))
        return dout @ W if input_grad else None

    def extra_repr(self) -> str:
        return (
            f"{self.in_features}, {self.out_features}, init={self.init!r}, "
            f"bias={self.b is not None}, dtype={np.dtype(self.W.dtype).name}"
        )


# ---------------------------------------------------------------- Dropout
def dropout_mask(shape: tuple, rate: float, rng=None, dtype=np.float64) -> np.ndarray:
    """Inverted-dropout mask: 1/keep_prob with probability keep_prob = 1 - rate, else 0.

    Inputs:
    - shape: the shape of the activations to drop, e.g. (m, n)
    - rate: probability of dropping a unit, in [0, 1)
    - rng: None (the ``dl.seed`` generator), an int seed or a numpy Generator
    - dtype: dtype of the mask

    Returns:
    - mask: of shape ``shape``, entries 0 or 1 / (1 - rate)
    """
    keep = 1.0 - rate
    rng = as_generator(rng)
    draw = rng.random(shape, dtype=np.float32 if np.dtype(dtype) == np.float32 else np.float64)
    return ((draw < keep) * (1.0 / keep)).astype(dtype, copy=False)


def dropout_forward(x: np.ndarray, mask: np.ndarray):
    """out = x * mask (inverted dropout at training time).

    Inputs:
    - x: activations, of any shape, e.g. (m, n)
    - mask: from :func:`dropout_mask`, of the same shape as x

    Returns a tuple of:
    - out: of the same shape as x
    - cache: the mask, what :func:`dropout_backward` needs
    """
    return x * mask, mask


def dropout_backward(dout: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """dx = dout * mask.

    Inputs:
    - dout: upstream derivative, of the shape of the forward input, e.g. (m, n)
    - mask: the mask the forward pass used, of the same shape

    Returns:
    - dx: gradient with respect to the forward input, of the same shape
    """
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
        self._active: bool | None = None  # None until the first forward

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
        if self._active is None:
            raise RuntimeError("Dropout.backward called before forward")
        return dropout_backward(dout, self.mask) if self._active else dout

    def extra_repr(self) -> str:
        return f"rate={self.rate}"


# ---------------------------------------------------------------- BatchNorm
def batchnorm_forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float):
    """Training-mode batch norm over the batch axis, with the batch's own statistics.

    Inputs:
    - x: input, of shape (m, n)
    - gamma: scale, of shape (n,)
    - beta: shift, of shape (n,)
    - eps: added to the variance before the square root

    Returns a tuple of:
    - out: gamma * x^ + beta, of shape (m, n)
    - cache: (x^, 1/sqrt(var + eps), gamma), of shapes (m, n), (n,), (n,)
    - mu: the batch mean, of shape (n,)
    - var: the batch variance (biased, 1/m), of shape (n,)
    """
    xhat, inv_std, mu, var = _standardize(x, 0, eps)
    return xhat * gamma + beta, (xhat, inv_std[0], gamma), mu[0], var[0]


def _standardize(x: np.ndarray, axis: int, eps: float):
    """x^ = (x - mu) / sqrt(var + eps) with mu and the biased var taken along ``axis``
    (kept as a length-1 axis); returns x^, 1/sqrt(var + eps), mu, var."""
    mu = x.mean(axis=axis, keepdims=True)
    xc = x - mu
    var = (xc * xc).mean(axis=axis, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    return xc * inv_std, inv_std, mu, var


def _standardize_backward(dxhat: np.ndarray, xhat: np.ndarray, inv_std, axis: int):
    """dx from dx^ for :func:`_standardize` over k = x.shape[axis] values:
    dx = inv_std / k * (k dx^ - sum dx^ - x^ sum(dx^ x^)), sums along ``axis``."""
    k = dxhat.shape[axis]
    return (inv_std / k) * (
        k * dxhat
        - dxhat.sum(axis=axis, keepdims=True)
        - xhat * (dxhat * xhat).sum(axis=axis, keepdims=True)
    )


def batchnorm_backward(dout: np.ndarray, cache):
    """The backward pass of training-mode batch norm (mu and var depend on x):
    dx = inv_std / m * (m dx^ - sum_i dx^ - x^ sum_i(dx^ x^)),  dx^ = dout * gamma.

    Inputs:
    - dout: upstream derivative, of shape (m, n)
    - cache: from :func:`batchnorm_forward`

    Returns a tuple of:
    - dx: gradient with respect to x, of shape (m, n)
    - dgamma: gradient with respect to gamma, of shape (n,)
    - dbeta: gradient with respect to beta, of shape (n,)
    """
    xhat, inv_std, gamma = cache
    dx = _standardize_backward(dout * gamma, xhat, inv_std, 0)
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


def batchnorm_inference(x: np.ndarray, gamma, beta, running_mean, running_var, eps: float):
    """Test-mode batch norm with fixed statistics (an affine map of x).

    Inputs:
    - x: input, of shape (m, n)
    - gamma, beta: scale and shift, of shape (n,)
    - running_mean, running_var: the statistics to use, of shape (n,)
    - eps: added to the variance before the square root

    Returns a tuple of:
    - out: of shape (m, n)
    - cache: (x^, 1/sqrt(running_var + eps), gamma), for
      :func:`batchnorm_inference_backward`
    """
    inv_std = 1.0 / np.sqrt(running_var + eps)
    xhat = (x - running_mean) * inv_std
    return xhat * gamma + beta, (xhat, inv_std, gamma)


def batchnorm_inference_backward(dout: np.ndarray, cache):
    """The backward pass of test-mode batch norm (mu and var are constants).

    Inputs:
    - dout: upstream derivative, of shape (m, n)
    - cache: from :func:`batchnorm_inference`

    Returns a tuple of:
    - dx: dout * gamma / sqrt(var + eps), of shape (m, n)
    - dgamma: of shape (n,)
    - dbeta: of shape (n,)
    """
    xhat, inv_std, gamma = cache
    return dout * (gamma * inv_std), (dout * xhat).sum(axis=0), dout.sum(axis=0)


class BatchNorm(Layer):
    """Batch normalization of each feature, with learnable scale gamma and shift beta."""

    _params = ("gamma", "beta")
    _buffers = ("running_mean", "running_var")

    def __init__(
        self, num_features: int, momentum: float = 0.9, eps: float = 1e-5, dtype=np.float64
    ) -> None:
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
            out, self._cache = batchnorm_inference(
                x, self.gamma.value, self.beta.value, self.running_mean, self.running_var, self.eps
            )
            return out
        out, self._cache, mu, var = batchnorm_forward(
            x, self.gamma.value, self.beta.value, self.eps
        )
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


# ---------------------------------------------------------------- LayerNorm
def layernorm_forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float):
    """Layer norm: each example (row) normalised over its own features.

    mu_i = mean_j x_ij,  var_i = mean_j (x_ij - mu_i)^2,
    x^_ij = (x_ij - mu_i) / sqrt(var_i + eps),  out_ij = gamma_j * x^_ij + beta_j.

    Inputs:
    - x: input, of shape (m, n)
    - gamma: scale, of shape (n,)
    - beta: shift, of shape (n,)
    - eps: added to the variance before the square root

    Returns a tuple of:
    - out: of shape (m, n); row i depends on row i of x only
    - cache: (x^, 1/sqrt(var + eps), gamma), of shapes (m, n), (m, 1), (n,)
    """
    xhat, inv_std, _, _ = _standardize(x, 1, eps)
    return xhat * gamma + beta, (xhat, inv_std, gamma)


def layernorm_backward(dout: np.ndarray, cache):
    """The backward pass of layer norm: batch norm's formula with the sums taken over each
    row's n features instead of over the batch:
    dx = inv_std / n * (n dx^ - sum_j dx^ - x^ sum_j(dx^ x^)),  dx^ = dout * gamma.

    Inputs:
    - dout: upstream derivative, of shape (m, n)
    - cache: from :func:`layernorm_forward`

    Returns a tuple of:
    - dx: gradient with respect to x, of shape (m, n)
    - dgamma: sum_i dout_i * x^_i, of shape (n,)
    - dbeta: sum_i dout_i, of shape (n,)
    """
    xhat, inv_std, gamma = cache
    dx = _standardize_backward(dout * gamma, xhat, inv_std, 1)
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


class LayerNorm(Layer):
    """Layer normalization (Ba et al. 2016) of each example over its features, with learnable
    scale gamma and shift beta (= torch.nn.LayerNorm(num_features, eps) with its affine
    parameters). No batch statistics: the same computation in training and test mode, at any
    batch size, including 1."""

    _params = ("gamma", "beta")

    def __init__(self, num_features: int, eps: float = 1e-5, dtype=np.float64) -> None:
        self.num_features = check_int("num_features", num_features, minimum=1)
        self.eps = check_positive("eps", eps)
        self.gamma = Parameter(np.ones(self.num_features, dtype=dtype), "gamma")
        self.beta = Parameter(np.zeros(self.num_features, dtype=dtype), "beta")
        self._cache = None

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        _check_input("LayerNorm", x, self.num_features)
        out, self._cache = layernorm_forward(x, self.gamma.value, self.beta.value, self.eps)
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if self._cache is None:
            raise RuntimeError("LayerNorm.backward called before forward")
        dx, dgamma, dbeta = layernorm_backward(dout, self._cache)
        self.gamma.accumulate(dgamma)
        self.beta.accumulate(dbeta)
        return dx

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}"


# ---------------------------------------------------------------- Sequential
class Sequential(Layer):
    """Layers applied in order; backward runs them in reverse."""

    accepts_input_grad = True

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
        skips the gradient with respect to the model's input (nobody needs it in training)
        when it ``accepts_input_grad``."""
        last = len(self.layers_list) - 1
        for i, layer in enumerate(reversed(self.layers_list)):
            if i == last and not input_grad and layer.accepts_input_grad:
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
