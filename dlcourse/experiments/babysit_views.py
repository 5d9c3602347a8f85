r"""Two CS231n babysitting views of a training run, and Polyak averaging: notebook 13.

**Per-layer statistics.** For a network Dense -> ReLU -> ... -> Dense on a batch X, for each
hidden layer l = 1..L (A^[l] = ReLU(Z^[l])) and each Dense layer l = 1..L+1 (dW^[l]):

    act_std[l]  = std over all entries of A^[l]                 (is the signal alive?)
    grad_rms[l] = sqrt(mean over entries of (dW^[l])^2)          (per entry: layers differ
                                                                  in size)

read from one forward and backward pass of the cost on X (training mode, the weights
untouched). :func:`record_layer_statistics` trains a network and records both at chosen
epochs.

**Polyak averaging** (Polyak and Juditsky 1992; in its exponential form as in notebook 07):
alongside the iterates w_t of SGD keep

    w_avg <- beta * w_avg + (1 - beta) * w_t      after every step, w_avg = w_0 at the start,

and evaluate the network with w_avg in place of the last iterate w_T. With a constant alpha,
SGD's iterates keep bouncing around a minimum; their average sits nearer its centre.

Used by: notebook 13 (:func:`deep_digits_net`, :func:`layer_statistics`,
:func:`record_layer_statistics`, :class:`PolyakAverage`, :func:`polyak_comparison`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._checks import check_unit_interval
from ..layers import Dense, Sequential
from ..losses import SoftmaxCrossEntropy
from ..optim import SGD
from ..train import Callback, evaluate, fit
from .networks import mlp

__all__ = [
    "LayerStatistics",
    "PolyakAverage",
    "PolyakResult",
    "deep_digits_net",
    "layer_statistics",
    "polyak_comparison",
    "record_layer_statistics",
]


def deep_digits_net(
    seed: int, hidden: Sequence[int] = (32, 32, 32, 32), init_scale: float = 1.0
) -> Sequential:
    """64 -> hidden ReLU layers -> 10: He initialisation times ``init_scale`` for every
    layer, drawn from ``numpy.random.default_rng(seed)``."""
    return mlp(64, hidden, 10, "relu", "he", init_scale, rng=np.random.default_rng(seed))


@dataclass
class LayerStatistics:
    """Per layer: ``act_std[l-1]`` = std of A^[l] (hidden layers 1..L) and
    ``grad_rms[l-1]`` = RMS of the entries of dW^[l] (Dense layers 1..L+1)."""

    act_std: np.ndarray
    grad_rms: np.ndarray


def layer_statistics(model: Sequential, X: np.ndarray, y: np.ndarray) -> LayerStatistics:
    """One forward and backward pass of the softmax cross-entropy on (X, y) in training
    mode: the std of every hidden activation A^[l] and the RMS of every dW^[l]. The
    parameters' ``.grad`` are left at this batch's gradient."""
    loss = SoftmaxCrossEntropy()
    a, acts = X, []
    for layer in model:
        a = layer.forward(a, training=True)
        if not isinstance(layer, Dense):
            acts.append(float(np.std(a)))
    loss.forward(a, y)
    model.zero_grad()
    model.backward(loss.backward())
    dense = [layer for layer in model if isinstance(layer, Dense)]
    grads = [float(np.sqrt(np.mean(layer.W.grad**2))) for layer in dense]
    return LayerStatistics(np.array(acts), np.array(grads))


class _RecordAt(Callback):
    """Layer statistics on a fixed batch at the end of the chosen epochs (1-based)."""

    def __init__(self, X, y, epochs, out):
        self.X, self.y, self.epochs, self.out = X, y, set(epochs), out

    def on_epoch_end(self, ctx):
        if ctx.epoch + 1 in self.epochs:
            self.out[ctx.epoch + 1] = layer_statistics(ctx.model, self.X, self.y)


def record_layer_statistics(
    model: Sequential,
    X: np.ndarray,
    y: np.ndarray,
    lr: float = 0.1,
    epochs: Sequence[int] = (0, 1, 10),
    batch_size: int = 64,
    probe: int = 256,
    seed: int = 0,
) -> dict[int, LayerStatistics]:
    """Train ``model`` with plain SGD (alpha = ``lr``, mini-batches of ``batch_size``) for
    max(``epochs``) epochs and return {epoch: :func:`layer_statistics` on the first
    ``probe`` examples}; epoch 0 is before training."""
    Xp, yp = X[:probe], y[:probe]
    out = {0: layer_statistics(model, Xp, yp)} if 0 in epochs else {}
    fit(
        model,
        X,
        y,
        SoftmaxCrossEntropy(),
        SGD(model.parameters(), lr),
        epochs=max(epochs),
        batch_size=batch_size,
        callbacks=[_RecordAt(Xp, yp, [e for e in epochs if e > 0], out)],
        seed=seed,
    )
    return out


class PolyakAverage(Callback):
    """w_avg <- beta * w_avg + (1 - beta) * w after every step (w_avg = w at the start);
    :meth:`swap` exchanges the model's weights with the average (call it again to undo)."""

    def __init__(self, model: Sequential, beta: float = 0.99) -> None:
        self.beta = check_unit_interval("beta", beta)
        self.params = model.parameters()
        self.average = [p.value.copy() for p in self.params]

    def on_step_end(self, ctx) -> None:
        for avg, p in zip(self.average, self.params):
            avg *= self.beta
            avg += (1.0 - self.beta) * p.value

    def swap(self) -> None:
        for avg, p in zip(self.average, self.params):
            last = p.value.copy()
            p.value[...] = avg
            avg[...] = last


@dataclass
class PolyakResult:
    """Validation cost per seed of the last iterate and of the Polyak average."""

    last: np.ndarray
    averaged: np.ndarray

    @property
    def gain(self) -> np.ndarray:
        """last - averaged, per seed (positive: the average is better)."""
        return self.last - self.averaged


def polyak_comparison(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    lr: float = 0.3,
    beta: float = 0.99,
    seeds: Sequence[int] = range(5),
    epochs: int = 20,
    batch_size: int = 32,
    hidden: Sequence[int] = (32,),
) -> PolyakResult:
    """For each seed: train :func:`deep_digits_net` (``hidden``) with plain SGD at a constant
    alpha, keeping a :class:`PolyakAverage`; return the validation cost of the last
    iterate and of the averaged weights."""
    loss = SoftmaxCrossEntropy()
    last, averaged = [], []
    for seed in seeds:
        model = deep_digits_net(seed, hidden)
        polyak = PolyakAverage(model, beta)
        opt = SGD(model.parameters(), lr)
        fit(model, X_train, y_train, loss, opt, epochs, batch_size, callbacks=[polyak], seed=seed)
        last.append(evaluate(model, X_val, y_val, loss)[0])
        polyak.swap()
        averaged.append(evaluate(model, X_val, y_val, loss)[0])
    return PolyakResult(np.array(last), np.array(averaged))
