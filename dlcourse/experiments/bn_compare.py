"""The same network with and without batch normalization: the BNExplorer and notebook 11.

The two networks differ only by the batch-norm layers (L hidden layers of n units, ReLU):

    plain:       A^[l] = ReLU(Z^[l]),                   Z^[l] = A^[l-1] W^[l]T + b^[l]
    batch norm:  A^[l] = ReLU(gamma^[l] Z_norm^[l] + beta^[l]),   Z^[l] = A^[l-1] W^[l]T

and a linear output layer with softmax cross-entropy. Both start from the SAME weights,
He initialisation times ``init_scale``, W^[l] ~ N(0, 1) * init_scale * sqrt(2 / n^[l-1]),
and see the same mini-batches in the same order.

Layer norm (:func:`ln_mlp`) is the third network: the plain one with a LayerNorm after each
hidden Dense (bias kept: LayerNorm subtracts each example's mean over its units, which removes
only the mean of b^[l], not b^[l] itself), again from the same weights.

Used by: notebook 11 (:func:`bn_mlp` builds either network, :func:`ln_mlp` and
:func:`norm_mlp` the layer-norm one, :func:`batch_spread` measures how much one example's
output depends on the rest of its batch, :func:`small_batch_comparison` trains the three
networks on tiny batches, each at its best alpha, :func:`train_run` trains one,
:func:`lr_init_grid` sweeps alpha x init_scale, :func:`layer_input` reads what a layer
receives without touching the running averages, :func:`input_stds`, :func:`load_data`,
:func:`final_accuracy`) and :class:`dlcourse.widgets.BNExplorer` (:class:`Run`: a
``train_run`` in pieces, which the dashboard streams).
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Sequence

import numpy as np

from .. import datasets
from .._checks import check_unit_interval
from ..layers import BatchNorm, Dense, LayerNorm, Sequential
from ..losses import SoftmaxCrossEntropy
from ..optim import create
from ..parameter import Parameter
from ..train import DivergenceWarning, History, evaluate, fit
from .networks import mlp

__all__ = [
    "FunctionBatchNorm",
    "Run",
    "graph_backward",
    "retuned_comparison",
    "with_functions",
    "NORMS",
    "batch_spread",
    "bn_mlp",
    "final_accuracy",
    "input_stds",
    "layer_input",
    "load_data",
    "ln_mlp",
    "lr_init_grid",
    "norm_mlp",
    "small_batch_comparison",
    "train_run",
    "training_mode_cost",
]


# ------------------------------------------------------------------ the two networks
def bn_mlp(
    n_in: int,
    n_out: int,
    hidden: Sequence[int] = (32, 32, 32),
    batchnorm: bool = True,
    init_scale: float = 1.0,
    bias: bool | None = None,
    momentum: float = 0.9,
    seed: int = 0,
) -> Sequential:
    """Dense -> [BatchNorm] -> ReLU for each hidden size, then a Dense output layer
    (:func:`~.networks.mlp`).

    Weights: He times ``init_scale``, drawn from ``numpy.random.default_rng(seed)`` layer by
    layer, so the networks with and without batch norm start from identical W^[l].
    ``bias=None`` gives hidden Dense layers a bias only without batch norm (with it, beta
    plays that role); ``momentum`` is the running-average momentum of the BatchNorm layers.
    """
    momentum = check_unit_interval("momentum", momentum)
    model = mlp(
        n_in,
        hidden,
        n_out,
        "relu",
        "he",
        init_scale,
        batch_norm=batchnorm,
        rng=np.random.default_rng(seed),
    )
    use_bias = (not batchnorm) if bias is None else bool(bias)
    for layer in model.layers_list[:-1]:  # biases start at 0: no draw depends on them
        if isinstance(layer, Dense) and (layer.b is not None) != use_bias:
            layer.b = Parameter(np.zeros(layer.out_features), "b") if use_bias else None
        if isinstance(layer, BatchNorm):
            layer.momentum = momentum
    return model


def train_run(
    model: Sequential,
    X: np.ndarray,
    y: np.ndarray,
    optimizer: str = "sgd",
    lr: float = 0.1,
    epochs: int = 30,
    batch_size: int | None = 32,
    seed: int = 0,
    callbacks=(),
    validation: tuple | None = None,
) -> History:
    """``dl.fit`` with softmax cross-entropy; a divergence is recorded in
    ``history.diverged`` without a warning (the caller reports it). ``validation=(X, y)``
    adds the test-mode cost per epoch (batch norm on its running averages). ``optimizer``
    is a :func:`dlcourse.optim.create` name with the course's betas."""
    opt = create(optimizer, model.parameters(), lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DivergenceWarning)
        return fit(
            model,
            X,
            y,
            loss=SoftmaxCrossEntropy(),
            optimizer=opt,
            epochs=epochs,
            batch_size=batch_size,
            callbacks=callbacks,
            validation=validation,
            seed=seed,
        )


class Run:
    """:func:`train_run` cut into pieces: ``Run(model, X, y, ...)`` then ``run.train(k)``
    as often as wanted; after epochs adding up to E, ``run.model`` and ``run.history`` are
    exactly those of ``train_run(..., epochs=E)`` (``dl.fit(..., history=h)`` continues the
    run: same optimizer state, same data order). A run that diverged trains no more."""

    def __init__(
        self,
        model: Sequential,
        X: np.ndarray,
        y: np.ndarray,
        optimizer: str = "sgd",
        lr: float = 0.1,
        batch_size: int | None = 32,
        seed: int = 0,
        validation: tuple | None = None,
    ) -> None:
        self.model, self.X, self.y = model, X, y
        self.optimizer = create(optimizer, model.parameters(), lr)
        self.batch_size, self.seed, self.validation = batch_size, seed, validation
        self.history = History()

    def train(self, epochs: int, callbacks=()) -> History:
        """``epochs`` more epochs (none once diverged); returns the run's History."""
        if self.history.diverged is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DivergenceWarning)
                fit(
                    self.model,
                    self.X,
                    self.y,
                    loss=SoftmaxCrossEntropy(),
                    optimizer=self.optimizer,
                    epochs=epochs,
                    batch_size=self.batch_size,
                    callbacks=callbacks,
                    validation=self.validation,
                    seed=self.seed,
                    history=self.history,
                )
        return self.history


def final_accuracy(model: Sequential, history: History, X: np.ndarray, y: np.ndarray) -> float:
    """Test-mode accuracy on (X, y) after training (batch norm on its running averages);
    NaN when training diverged."""
    if history.diverged is not None:
        return math.nan
    with np.errstate(all="ignore"):
        _, acc = evaluate(model, X, y, SoftmaxCrossEntropy())
    return float(acc)


def lr_init_grid(
    X: np.ndarray,
    y: np.ndarray,
    lrs: Sequence[float],
    init_scales: Sequence[float],
    batchnorm: bool,
    hidden: Sequence[int] = (32, 32, 32),
    optimizer: str = "sgd",
    epochs: int = 20,
    batch_size: int = 32,
    seed: int = 0,
) -> np.ndarray:
    """Final accuracy (see :func:`final_accuracy`) for every (alpha, init_scale):
    ``acc[i, j]`` for ``lrs[i]`` and ``init_scales[j]``; NaN where training diverged."""
    n_out = int(np.max(y)) + 1
    acc = np.full((len(lrs), len(init_scales)), np.nan)
    for i, lr in enumerate(lrs):
        for j, scale in enumerate(init_scales):
            model = bn_mlp(X.shape[1], n_out, hidden, batchnorm, scale, seed=seed)
            history = train_run(model, X, y, optimizer, lr, epochs, batch_size, seed)
            acc[i, j] = final_accuracy(model, history, X, y)
    return acc


def training_mode_cost(
    model: Sequential, X: np.ndarray, y: np.ndarray, batch_size: int, seed: int = 0
) -> float:
    """Cost of the frozen model in TRAINING mode (batch norm on each batch's own statistics):
    shuffle the examples, cut them into batches of ``batch_size`` (the last one smaller),
    and return (1/m) sum_batches |batch| * J(batch). The model's running averages are left
    untouched (the passes run on a copy)."""
    probe = copy.deepcopy(model)
    order = np.random.default_rng(seed).permutation(len(X))
    loss, total = SoftmaxCrossEntropy(), 0.0
    for start in range(0, len(X), batch_size):
        idx = order[start : start + batch_size]
        total += len(idx) * loss.forward(probe.forward(X[idx], training=True), y[idx])
    return total / len(X)


# ------------------------------------------------------------------ layer norm
#: the three networks compared in notebook 11's layer-norm section
NORMS = ("plain", "batch norm", "layer norm")


def ln_mlp(
    n_in: int,
    n_out: int,
    hidden: Sequence[int] = (32, 32, 32),
    init_scale: float = 1.0,
    seed: int = 0,
) -> Sequential:
    """Dense -> LayerNorm -> ReLU for each hidden size, then a Dense output layer: the plain
    :func:`bn_mlp` network (same weights, biases kept) with a LayerNorm after each hidden
    Dense."""
    plain = bn_mlp(n_in, n_out, hidden, batchnorm=False, init_scale=init_scale, seed=seed)
    layers: list = []
    for layer in plain.layers_list[:-1]:
        layers.append(layer)
        if isinstance(layer, Dense):
            layers.append(LayerNorm(layer.out_features))
    return Sequential([*layers, plain.layers_list[-1]])


def norm_mlp(
    norm: str, n_in: int, n_out: int, hidden: Sequence[int] = (32, 32, 32), seed: int = 0
) -> Sequential:
    """The network called ``norm`` (one of :data:`NORMS`), He initialisation, from ``seed``."""
    if norm not in NORMS:
        raise ValueError(f"norm must be one of {NORMS}, got {norm!r}")
    if norm == "layer norm":
        return ln_mlp(n_in, n_out, hidden, seed=seed)
    return bn_mlp(n_in, n_out, hidden, batchnorm=(norm == "batch norm"), seed=seed)


def batch_spread(
    model: Sequential,
    X: np.ndarray,
    example: int = 0,
    n_batches: int = 5,
    batch_size: int = 32,
    seed: int = 0,
) -> float:
    """How much example ``example``'s training-mode logits depend on its batch mates: put it
    with ``batch_size - 1`` other examples drawn at random, ``n_batches`` times, and return
    the std over the batches of each logit, averaged over the logits. 0 means the output
    does not depend on the rest of the batch. Running averages are left untouched."""
    probe = copy.deepcopy(model)
    rng = np.random.default_rng(seed)
    others = np.delete(np.arange(len(X)), example)
    outputs = [
        probe.forward(
            np.vstack([X[example : example + 1], X[rng.choice(others, batch_size - 1, False)]]),
            training=True,
        )[0]
        for _ in range(n_batches)
    ]
    return float(np.std(outputs, axis=0).mean())


def small_batch_comparison(
    X: np.ndarray,
    y: np.ndarray,
    lrs: Sequence[float] = (0.03, 0.1, 0.3),
    seeds: Sequence[int] = range(5),
    batch_size: int = 4,
    epochs: int = 4,
    hidden: Sequence[int] = (32, 32),
    norms: Sequence[str] = NORMS,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each network of ``norms`` trained with plain SGD on mini-batches of ``batch_size``, for
    every alpha of ``lrs`` and every seed (weights and batch order). Returns, per network,
    (best accuracy per seed, the alpha that gave it): the test-mode accuracy on (X, y) of
    :func:`final_accuracy`, maximised over alpha separately for each seed (diverged: 0)."""
    n_out = int(np.max(y)) + 1
    result = {}
    for norm in norms:
        acc = np.zeros((len(seeds), len(lrs)))
        for i, seed in enumerate(seeds):
            for j, lr in enumerate(lrs):
                model = norm_mlp(norm, X.shape[1], n_out, hidden, seed)
                history = train_run(model, X, y, "sgd", lr, epochs, batch_size, seed)
                acc[i, j] = np.nan_to_num(final_accuracy(model, history, X, y))
        best = acc.argmax(axis=1)
        result[norm] = (acc.max(axis=1), np.asarray(lrs, dtype=float)[best])
    return result


# ------------------------------------------------------------------ looking inside
def _dense_positions(model: Sequential) -> list[int]:
    return [i for i, layer in enumerate(model) if isinstance(layer, Dense)]


def layer_input(model: Sequential, X: np.ndarray, layer: int) -> np.ndarray:
    """A^[layer-1]: what the ``layer``-th Dense layer (1-based) receives when the batch X goes
    through the network in training mode. Batch norm uses the statistics of X; its running
    averages are left exactly as they were."""
    positions = _dense_positions(model)
    valid = isinstance(layer, (int, np.integer)) and not isinstance(layer, bool)
    if not valid or not 1 <= layer <= len(positions):
        raise ValueError(f"layer must be an int in 1..{len(positions)}, got {layer!r}")
    saved = [buf.copy() for _, buf in model.named_buffers()]
    a = X
    try:
        with np.errstate(all="ignore"):
            for module in model.layers_list[: positions[layer - 1]]:
                a = module.forward(a, training=True)
    finally:
        for (_, buf), old in zip(model.named_buffers(), saved):
            buf[...] = old
    return a


def input_stds(model: Sequential, X: np.ndarray) -> np.ndarray:
    """std over all entries of the input of each Dense layer, l = 1..L (layer 1: X itself)."""
    n = len(_dense_positions(model))
    with np.errstate(all="ignore"):
        return np.array([float(np.std(layer_input(model, X, l))) for l in range(1, n + 1)])


def load_data(name: str = "spiral", n: int = 300, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """A 2-D data set of :mod:`dlcourse.datasets` (default noise), standardised."""
    X, y = datasets.make(name, n=n, rng=seed)
    X, _, _ = datasets.standardize(X)
    return X, y


# ------------------------------------------------------------------ the backward pass, node by node
def graph_backward(dZ_tilde: np.ndarray, Z: np.ndarray, gamma: np.ndarray, eps: float) -> tuple:
    r"""Training-mode batch norm backward, walking the graph of the forward pass (per column,
    over the m rows)

        mu = (1/m) sum_i z_i,  c = z - mu,  var = (1/m) sum_i c_i^2,  s = (var + eps)^(-1/2),
        z_norm = c s,  z_tilde = gamma z_norm + beta

    from the last node to the first; c and z are used twice, so their adjoints add two terms:

        dbeta = sum_i dz_tilde,  dgamma = sum_i dz_tilde z_norm,  dz_norm = gamma dz_tilde,
        ds = sum_i dz_norm c,  dvar = -1/2 (var + eps)^(-3/2) ds,
        dc = s dz_norm + (2/m) c dvar,  dmu = -sum_i dc,  dz = dc + dmu / m.

    Returns (dZ, dgamma, dbeta, dZ_norm, dinv_std, dvar, dcentred, dmu)."""
    m = Z.shape[0]
    mu = Z.mean(axis=0)
    C = Z - mu
    var = (C * C).mean(axis=0)
    inv_std = 1.0 / np.sqrt(var + eps)
    Z_norm = C * inv_std
    dbeta, dgamma = dZ_tilde.sum(axis=0), (dZ_tilde * Z_norm).sum(axis=0)
    dZ_norm = dZ_tilde * gamma
    dinv_std = (dZ_norm * C).sum(axis=0)
    dvar = -0.5 * (var + eps) ** -1.5 * dinv_std
    dC = dZ_norm * inv_std + (2.0 / m) * C * dvar
    dmu = -dC.sum(axis=0)
    return dC + dmu / m, dgamma, dbeta, dZ_norm, dinv_std, dvar, dC, dmu


# ------------------------------------------------------------------ batch norm from functions
class FunctionBatchNorm(BatchNorm):
    """A BatchNorm layer computed by four given functions (a learner's):
    ``forward(Z, gamma, beta, eps) -> Z_tilde``, ``backward(dZ_tilde, Z, gamma, eps) ->
    (dZ, dgamma, dbeta, ...)``, ``update_running(mean, var, Z, momentum) -> (mean, var)`` and
    ``predict(Z, gamma, beta, mean, var, eps) -> Z_tilde`` (test mode). Training mode only
    is differentiated (what ``dl.fit`` needs)."""

    def __init__(self, layer: BatchNorm, forward, backward, update_running, predict) -> None:
        super().__init__(layer.num_features, layer.momentum, layer.eps)
        self.gamma.value[:], self.beta.value[:] = layer.gamma.value, layer.beta.value
        self.fns = (forward, backward, update_running, predict)
        self.batch = None

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        forward, _, update_running, predict = self.fns
        g, b = self.gamma.value, self.beta.value
        if not training:
            return predict(x, g, b, self.running_mean, self.running_var, self.eps)
        self.batch = x
        new_mean, new_var = update_running(
            self.running_mean.copy(), self.running_var.copy(), x, self.momentum
        )
        self.running_mean[:], self.running_var[:] = new_mean, new_var
        return forward(x, g, b, self.eps)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if self.batch is None:
            raise RuntimeError("FunctionBatchNorm.backward called before a training forward")
        dx, dgamma, dbeta = self.fns[1](dout, self.batch, self.gamma.value, self.eps)[:3]
        self.gamma.accumulate(dgamma)
        self.beta.accumulate(dbeta)
        return dx


def with_functions(model: Sequential, forward, backward, update_running, predict) -> Sequential:
    """A copy of ``model`` whose BatchNorm layers are :class:`FunctionBatchNorm` layers of
    the given functions (same gamma, beta, momentum, eps; every other layer copied)."""
    fns = (forward, backward, update_running, predict)
    return Sequential(
        [
            FunctionBatchNorm(layer, *fns) if isinstance(layer, BatchNorm) else layer
            for layer in copy.deepcopy(model).layers_list
        ]
    )


def retuned_comparison(
    X: np.ndarray,
    y: np.ndarray,
    builders: dict,
    lrs: Sequence[float] = (0.03, 0.1, 0.3),
    seeds: Sequence[int] = range(5),
    epochs: int = 20,
    batch_size: int = 32,
) -> dict[str, np.ndarray]:
    """Each network ``builders[name](seed)`` trained with SGD for every alpha of ``lrs``;
    per network, an array (seeds, 3) of (test-mode cost on (X, y), its accuracy, alpha) at
    the alpha of the lowest cost, chosen separately for every seed (a diverged run has cost
    inf)."""
    result = {}
    for name, build in builders.items():
        rows = []
        for seed in seeds:
            runs = []
            for lr in lrs:
                model = build(seed)
                history = train_run(model, X, y, "sgd", lr, epochs, batch_size, seed)
                cost, acc = (math.inf, 0.0)
                if history.diverged is None:
                    with np.errstate(all="ignore"):
                        cost, acc = evaluate(model, X, y, SoftmaxCrossEntropy())
                runs.append((float(cost), float(acc), float(lr)))
            rows.append(min(runs, key=lambda r: r[0]))
        result[name] = np.array(rows)
    return result
