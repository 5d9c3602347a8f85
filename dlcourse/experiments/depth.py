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
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .. import datasets
from .._checks import check_int
from ..layers import Dense, Sequential
from ..activations import ReLU
from ..losses import SoftmaxCrossEntropy
from ..optim import Adam
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
