r"""Why depth helps, and what a network without activations can do (notebook 03).

- :func:`sawtooth_net`: Telgarsky's construction. Two ReLU units compute the tent map
  :math:`t(x) = 2\,\mathrm{relu}(x) - 4\,\mathrm{relu}(x - \tfrac12)` on [0, 1]; stacking k
  such layers composes it k times, a sawtooth of :math:`2^k` linear pieces from
  :math:`6k + 1` parameters. One hidden layer of n ReLU units has at most n + 1 pieces on a
  line, so it needs :math:`2^k - 1` units for the same function.
- :func:`count_linear_pieces`: the number of linear pieces of a 1-D function on a grid.
- :func:`linear_collapse`: a stack of Dense layers without activations equals one Dense layer.
- :func:`budget_comparison`: networks with the same number of parameters trained with the
  same optimizer for the same number of steps, over seeds.
- :func:`parity_net`: one hidden layer of n ReLU units that computes the parity of n bits.
  With s the number of ones, :math:`\mathrm{parity} = \sum_{k=0}^{n-1} c_k\,\mathrm{relu}(s - k)`
  with :math:`c_0 = 1` and :math:`c_k = 2(-1)^k` after it: a sawtooth in s with a kink at each
  integer. :func:`parity_errors` counts its wrong answers over all :math:`2^n` inputs.
- :func:`train_blocks`: full-batch gradient descent run by the learner's four functions
  (:class:`Blocks`: forward, cost, backward, update) on :func:`two_digits` (3s against 8s of
  the shipped digits), from :func:`he_parameters`; :func:`train_package` trains
  :func:`package_network`, the same network as ``dl.Sequential``, with ``dl.fit`` from the
  same start, and :func:`digits_runs` compares the two over seeds.
"""

from __future__ import annotations

from typing import Callable, NamedTuple, Sequence

import numpy as np

from .. import datasets
from .._checks import check_int
from ..layers import Dense, Sequential
from ..activations import ReLU
from ..losses import BinaryCrossEntropy, SoftmaxCrossEntropy
from ..optim import SGD, Adam
from ..train import fit

__all__ = [
    "sawtooth_net",
    "count_linear_pieces",
    "linear_collapse",
    "spiral_data",
    "relu_net",
    "budget_comparison",
    "parity_net",
    "parity_errors",
    "Blocks",
    "two_digits",
    "he_parameters",
    "train_blocks",
    "package_network",
    "train_package",
    "accuracy",
    "digits_runs",
]


def sawtooth_net(k: int) -> Sequential:
    """k hidden layers of 2 ReLU units whose output is the tent map composed k times."""
    k = check_int("k", k, minimum=1)
    layers, n_prev = [], 1
    for _ in range(k):
        d = Dense(n_prev, 2, init="zeros")
        d.W.value[:] = 1.0 if n_prev == 1 else np.array([[2.0, -4.0], [2.0, -4.0]])
        d.b.value[:] = [0.0, -0.5]
        layers += [d, ReLU()]
        n_prev = 2
    out = Dense(2, 1, init="zeros")
    out.W.value[:] = [[2.0, -4.0]]
    return Sequential(layers + [out])


def count_linear_pieces(
    f, lo: float = 0.0, hi: float = 1.0, n: int = 2**14 + 1, tol: float = 1e-6
) -> int:
    """Linear pieces of the scalar function ``f`` (array -> array) on [lo, hi], from the
    slopes between grid points: each kink changes the slope once, or twice when it falls
    inside a grid cell (into the cell and out of it), so runs of changes count as one kink."""
    x = np.linspace(lo, hi, check_int("n", n, minimum=3))
    slopes = np.diff(np.asarray(f(x), dtype=np.float64).ravel()) / np.diff(x)
    change = np.abs(np.diff(slopes)) > tol * max(1.0, float(np.abs(slopes).max()))
    starts = change & ~np.concatenate([[False], change[:-1]])
    return 1 + int(np.sum(starts))


def linear_collapse(sizes: Sequence[int], seed: int = 0) -> tuple[Sequential, Dense, float]:
    """A stack of Dense layers of ``sizes`` without activations, the single Dense layer
    W = W_L ... W_1, b = W_L(...(W_2 b_1 + b_2)...) + b_L equal to it, and the largest
    difference of their outputs on 100 random inputs."""
    rng = np.random.default_rng(seed)
    stack = Sequential([Dense(a, b, init="xavier", rng=rng) for a, b in zip(sizes[:-1], sizes[1:])])
    W, b = np.eye(sizes[0]), np.zeros(sizes[0])
    for layer in stack:
        W, b = layer.W.value @ W, layer.W.value @ b + layer.b.value
    single = Dense(sizes[0], sizes[-1], init="zeros")
    single.W.value[:], single.b.value[:] = W, b
    X = rng.standard_normal((100, sizes[0]))
    return stack, single, float(np.max(np.abs(stack.forward(X) - single.forward(X))))


def spiral_data() -> tuple[np.ndarray, np.ndarray]:
    """The two-arm spiral of the notebook (600 points, 1.75 turns), scaled by 2."""
    X, y = datasets.spiral(n=600, noise=0.05, rng=0, classes=2, turns=1.75)
    return 2 * X, y


def relu_net(hidden: Sequence[int], seed: int, activation: bool = True) -> Sequential:
    """2 -> hidden... -> 2, He-initialized ReLU layers (or none), Xavier output layer."""
    rng, layers, prev = np.random.default_rng(seed), [], 2
    for width in hidden:
        layers += [Dense(prev, width, rng=rng)] + ([ReLU()] if activation else [])
        prev = width
    return Sequential(layers + [Dense(prev, 2, init="xavier", rng=rng)])


def budget_comparison(
    hidden: Sequence[int],
    seeds: Sequence[int] = (1, 2, 3),
    steps: int = 300,
    lr: float = 0.02,
    activation: bool = True,
) -> tuple[int, list[float]]:
    """Parameter count and final training accuracy per seed after ``steps`` full-batch Adam
    steps on the spiral."""
    X, y = spiral_data()
    accs, n_par = [], 0
    for seed in seeds:
        net = relu_net(hidden, seed, activation)
        n_par = sum(p.value.size for p in net.parameters())
        h = fit(
            net,
            X,
            y,
            loss=SoftmaxCrossEntropy(),
            epochs=check_int("steps", steps, minimum=1),
            optimizer=Adam(net.parameters(), lr=lr),
            seed=seed,
        )
        accs.append(float(h.accuracy[-1]))
    return n_par, accs


def parity_net(n: int) -> Sequential:
    """n bits -> n ReLU units relu(s - k), k = 0..n-1 (s = the sum of the bits) -> one
    output with weights c_0 = 1, c_k = 2(-1)^k: the parity of the bits (module docstring)."""
    n = check_int("n", n, minimum=1)
    hidden = Dense(n, n, init="zeros")
    hidden.W.value[:] = 1.0
    hidden.b.value[:] = -np.arange(n, dtype=np.float64)
    out = Dense(n, 1, init="zeros")
    out.W.value[0] = [1.0] + [2.0 * (-1) ** k for k in range(1, n)]
    return Sequential([hidden, ReLU(), out])


def parity_errors(n: int) -> int:
    """Inputs, out of all 2^n bit vectors, on which :func:`parity_net` (rounded) is wrong."""
    n = check_int("n", n, minimum=1)
    bits = (np.arange(2**n)[:, None] >> np.arange(n)) & 1
    predicted = np.rint(parity_net(n).forward(bits.astype(np.float64)).ravel())
    return int(np.sum(predicted != bits.sum(axis=1) % 2))


# ------------------------------------------------------------------ the learner's network on digits
class Blocks(NamedTuple):
    """The four functions of a hand-written L-layer network (notebook 03's exercises):
    ``L_model_forward(X, parameters) -> (ZL, caches)``, ``compute_cost(ZL, Y) -> (J, dZL)``,
    ``L_model_backward(dZL, caches) -> grads`` and ``update_parameters(parameters, grads,
    learning_rate) -> parameters``, with ``parameters = [(W1, b1), ..., (WL, bL)]``."""

    L_model_forward: Callable
    compute_cost: Callable
    L_model_backward: Callable
    update_parameters: Callable


def two_digits(
    seed: int = 0, digits: tuple[int, int] = (3, 8), standardize: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``X_train, X_test, Y_train, Y_test``: the images of ``digits[0]`` (label 0) and
    ``digits[1]`` (label 1) in ``datasets.digits_split(seed, standardize)`` (a 75 % / 25 %
    split of the shipped digits, standardised with the training statistics unless
    ``standardize`` is False: then pixel values 0..16, to look at); Y of shape (m, 1)."""
    X_train, X_test, y_train, y_test = datasets.digits_split(seed, standardize)
    parts = []
    for X, y in [(X_train, y_train), (X_test, y_test)]:
        keep = np.isin(y, digits)
        parts.append((X[keep], (y[keep] == digits[1]).astype(np.float64)[:, None]))
    return parts[0][0], parts[1][0], parts[0][1], parts[1][1]


def he_parameters(sizes: Sequence[int], seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """[(W^[l], b^[l]) for l = 1..L] as ``Dense(n^[l-1], n^[l])`` draws them (He: W entries
    N(0, 2 / n^[l-1]), b = 0), all layers from one generator seeded ``seed``."""
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    layers = [Dense(n_prev, n, rng=rng) for n_prev, n in zip(sizes[:-1], sizes[1:])]
    return [(d.W.value.copy(), d.b.value.copy()) for d in layers]


def train_blocks(
    blocks: Blocks,
    X: np.ndarray,
    Y: np.ndarray,
    parameters: list,
    learning_rate: float,
    epochs: int,
) -> tuple[list, list[float]]:
    """Full-batch gradient descent with the four functions of ``blocks``: per epoch,
    ZL, caches = forward(X); J, dZL = cost(ZL, Y); grads = backward(dZL, caches);
    parameters = update(parameters, grads, alpha). Returns the final parameters and the
    cost J of every epoch (before its step)."""
    costs = []
    for _ in range(check_int("epochs", epochs, minimum=1)):
        ZL, caches = blocks.L_model_forward(X, parameters)
        J, dZL = blocks.compute_cost(ZL, Y)
        grads = blocks.L_model_backward(dZL, caches)
        parameters = blocks.update_parameters(parameters, grads, learning_rate)
        costs.append(float(J))
    return parameters, costs


def package_network(parameters: list) -> Sequential:
    """The same network as ``dl.Sequential``: Dense layers holding copies of ``parameters``,
    ReLU after every one but the last."""
    layers: list = []
    for l, (W, b) in enumerate(parameters, 1):
        dense = Dense(W.shape[1], W.shape[0], init="zeros")
        dense.W.value[:], dense.b.value[:] = W, b
        layers += [dense] + ([ReLU()] if l < len(parameters) else [])
    return Sequential(layers)


def train_package(
    X: np.ndarray, Y: np.ndarray, parameters: list, learning_rate: float, epochs: int
) -> tuple[Sequential, list[float]]:
    """:func:`package_network` trained by ``dl.fit``: the same data, initial parameters,
    alpha and epochs, full batch, ``dl.optim.SGD`` and ``dl.BinaryCrossEntropy``. Returns
    the model and the cost of every epoch."""
    model = package_network(parameters)
    optimizer = SGD(model.parameters(), lr=learning_rate)
    history = fit(model, X, Y, loss=BinaryCrossEntropy(), optimizer=optimizer, epochs=epochs)
    return model, list(history.loss)


def accuracy(ZL: np.ndarray, Y: np.ndarray) -> float:
    """The fraction of examples whose prediction 1[Z^[L] > 0] (sigmoid(Z^[L]) > 0.5) is Y."""
    return float(np.mean((ZL > 0) == (Y > 0.5)))


def digits_runs(
    blocks: Blocks,
    seeds: Sequence[int],
    sizes: Sequence[int],
    learning_rate: float,
    epochs: int,
    digits: tuple[int, int] = (3, 8),
) -> list[dict]:
    """Per seed (the split and the initial parameters): the training and test accuracy of
    the network trained with ``blocks`` and of the package's, from the same start, and the
    largest difference between their final weights."""
    out = []
    for seed in seeds:
        X, X_test, Y, Y_test = two_digits(seed, digits)
        start = he_parameters(sizes, seed)
        mine, _ = train_blocks(blocks, X, Y, start, learning_rate, epochs)
        model, _ = train_package(X, Y, start, learning_rate, epochs)
        dense = [layer for layer in model if isinstance(layer, Dense)]
        gap = max(
            max(np.max(np.abs(W - d.W.value)), np.max(np.abs(b - d.b.value)))
            for (W, b), d in zip(mine, dense)
        )
        out.append(
            {
                "seed": seed,
                "train": accuracy(blocks.L_model_forward(X, mine)[0], Y),
                "test": accuracy(blocks.L_model_forward(X_test, mine)[0], Y_test),
                "package_train": accuracy(model.forward(X), Y),
                "package_test": accuracy(model.forward(X_test), Y_test),
                "gap": float(gap),
            }
        )
    return out
