"""Gradient checking with a bug you can plant: notebook 06 and the GradCheckExplorer.

Planted bugs (a backward pass with a mistake, for ``dl.gradcheck_report`` to find):

- ``"activation derivative"``: :class:`TanhWrongDerivative` uses g'(z) = 1 - a instead of
  1 - a^2 in the second hidden layer;
- ``"missing 1/m"``: :class:`CrossEntropyMissingMean`: the cost is the mean over the batch but
  the gradient is that of the sum (dz = p - Y instead of (p - Y) / m);
- ``"forgotten L2 gradient"``: :class:`ForgottenL2Loss` adds lambda/(2m) sum ||W||^2 to the
  cost but never adds lambda/m W to dW.

The problem (:func:`planted_bug_problem`) is a 4-5-4-3 tanh network written out layer by
layer (not :func:`~.networks.mlp`: one of its activations may be the buggy one, each dropout
layer has its own seed and the biases are drawn nonzero). :func:`parameter_errors` and
:func:`error_vs_eps` run the checks; :func:`verdict` reads a relative error against the
thresholds :data:`GOOD` = 1e-7 and :data:`BUG` = 1e-3.

Used by: notebook 06 (:class:`ForwardCounter`, :class:`TanhWrongDerivative`, :func:`train_planted`,
:func:`course_names`, :func:`planted_bug_problem`) and :class:`dlcourse.widgets.GradCheckExplorer`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import check_choice, check_nonnegative
from ..activations import Tanh
from ..gradcheck import gradcheck, gradcheck_report
from ..layers import Dense, Dropout, Layer, Sequential
from ..losses import Loss, SoftmaxCrossEntropy, l2_penalty
from ..optim import SGD
from ..train import fit

__all__ = [
    "BUG",
    "BUGS",
    "DROPOUT_MODES",
    "EPS_GRID",
    "GOOD",
    "CheckProblem",
    "CrossEntropyMissingMean",
    "ForgottenL2Loss",
    "ForwardCounter",
    "TanhWrongDerivative",
    "course_names",
    "error_vs_eps",
    "parameter_errors",
    "planted_bug_problem",
    "train_planted",
    "verdict",
]

BUGS = ("none", "activation derivative", "missing 1/m", "forgotten L2 gradient")
DROPOUT_MODES = ("off", "on, mask fixed", "on, mask not fixed")


class TanhWrongDerivative(Tanh):
    """tanh with a wrong backward: dz = da * (1 - a) (the right one is da * (1 - a^2))."""

    def _backward(self, da, a):
        return da * (1.0 - a)


class CrossEntropyMissingMean(SoftmaxCrossEntropy):
    """Softmax cross-entropy whose backward forgets the 1/m: dz = p - Y, m times too large."""

    def forward(self, logits: np.ndarray, y: np.ndarray) -> float:
        self._m = len(logits)
        return super().forward(logits, y)

    def backward(self) -> np.ndarray:
        return super().backward() * self._m


class ForgottenL2Loss(Loss):
    """``base`` plus lambda/(2m) sum ||W||^2 in the cost, but the backward is ``base``'s alone:
    the lambda/m W term of dW is forgotten."""

    def __init__(self, base: Loss, model, lambd: float) -> None:
        self.base, self.model = base, model
        self.lambd = check_nonnegative("lambd", lambd)

    def forward(self, output: np.ndarray, y: np.ndarray) -> float:
        return self.base.forward(output, y) + l2_penalty(self.model, self.lambd, len(output))

    def backward(self) -> np.ndarray:
        return self.base.backward()

    def predict(self, output):
        return self.base.predict(output)


class ForwardCounter(Layer):
    """The identity, counting its forward passes (put it first in a Sequential)."""

    def __init__(self) -> None:
        self.count = 0

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        self.count += 1
        return x

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout


@dataclass
class CheckProblem:
    """What ``dl.gradcheck_report(model, loss, X, y, l2=l2, fix_dropout=fix_dropout)`` needs."""

    model: Sequential
    loss: Loss
    X: np.ndarray
    y: np.ndarray
    l2: float
    fix_dropout: bool


def planted_bug_problem(
    bug: str = "none", dropout: str = "off", l2: float = 0.0, seed: int = 0
) -> CheckProblem:
    """A 4-5-4-3 tanh network with softmax output on 8 random examples, with one planted bug.

    ``bug`` in :data:`BUGS`; ``dropout`` in :data:`DROPOUT_MODES` (rate 0.5 after each hidden
    layer; "on, mask not fixed" draws a new mask at every forward pass of the check);
    ``l2`` = lambda (for "forgotten L2 gradient" it goes into the buggy loss instead).
    """
    check_choice("bug", bug, BUGS)
    check_choice("dropout", dropout, DROPOUT_MODES)
    l2 = check_nonnegative("l2", l2)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((8, 4))
    y = rng.integers(0, 3, size=8)
    second = TanhWrongDerivative() if bug == "activation derivative" else Tanh()
    layers = [Dense(4, 5, init="xavier", rng=rng), Tanh()]
    layers += [Dropout(0.5, rng=seed + 1)] if dropout != "off" else []
    layers += [Dense(5, 4, init="xavier", rng=rng), second]
    layers += [Dropout(0.5, rng=seed + 2)] if dropout != "off" else []
    layers += [Dense(4, 3, init="xavier", rng=rng)]
    for layer in layers:  # nonzero biases, so their gradients are checked in earnest
        if isinstance(layer, Dense):
            layer.b.value[...] = 0.1 * rng.standard_normal(layer.b.shape)
    model = Sequential(layers)
    loss: Loss = CrossEntropyMissingMean() if bug == "missing 1/m" else SoftmaxCrossEntropy()
    if bug == "forgotten L2 gradient":
        return CheckProblem(
            model, ForgottenL2Loss(loss, model, l2), X, y, 0.0, dropout != "on, mask not fixed"
        )
    return CheckProblem(model, loss, X, y, l2, dropout != "on, mask not fixed")


def course_names(model) -> dict[str, str]:
    """Named-parameter keys to the course's names: {"0.W": "W[1]", "0.b": "b[1]", ...},
    layers counted over the Dense layers only."""
    names, l = {}, 0
    for i, layer in enumerate(model):
        if isinstance(layer, Dense):
            l += 1
            for key, _ in layer.named_parameters(f"{i}."):
                names[key] = f"{key.rsplit('.', 1)[1]}[{l}]"
    return names


# ------------------------------------------------------------------ the checks
GOOD, BUG = 1e-7, 1e-3  # below GOOD: correct; above BUG: almost surely a bug
EPS_GRID = 10.0 ** np.arange(-12.0, -0.99, 0.5)


def parameter_errors(
    bug: str = "none", dropout: str = "off", l2: float = 0.0, eps: float = 1e-6, seed: int = 0
) -> dict[str, float]:
    """Relative error of each parameter's gradient, keyed by course name ("W[1]", "b[1]"...):
    ``dl.gradcheck_report`` on a fresh ``planted_bug_problem(bug, dropout, l2, seed)``."""
    p = planted_bug_problem(bug, dropout, l2, seed)
    report = gradcheck_report(
        p.model, p.loss, p.X, p.y, eps=eps, l2=p.l2, fix_dropout=p.fix_dropout
    )
    names = course_names(p.model)
    return {names[key]: value for key, value in report.items()}


def error_vs_eps(
    bug: str = "none", dropout: str = "off", l2: float = 0.0, seed: int = 0, eps_values=EPS_GRID
) -> np.ndarray:
    """Relative error over all parameters (``dl.gradcheck``) for each eps, each on a fresh
    problem (so dropout masks are drawn the same way whatever eps came before)."""
    out = []
    for eps in eps_values:
        p = planted_bug_problem(bug, dropout, l2, seed)
        out.append(
            gradcheck(p.model, p.loss, p.X, p.y, eps=float(eps), l2=p.l2, fix_dropout=p.fix_dropout)
        )
    return np.array(out)


def train_planted(
    bug: str = "none", seed: int = 0, epochs: int = 300, lr: float = 0.1
) -> list[float]:
    """The training cost per epoch of ``planted_bug_problem(bug, seed=seed)`` under full-batch
    gradient descent at learning rate ``lr``, with the problem's own (possibly buggy)
    backward pass."""
    p = planted_bug_problem(bug, seed=seed)
    return fit(
        p.model, p.X, p.y, loss=p.loss, optimizer=SGD(p.model.parameters(), lr=lr), epochs=epochs
    ).loss


def verdict(error: float) -> str:
    """The usual reading of a relative error."""
    if error < GOOD:
        return "correct"
    if error < BUG:
        return "look closer"
    return "a bug"
