r"""Checks for notebook 02 (activation functions).

- :func:`check_activation_backward`: dZ = dA * g'(Z) for the five activations sigmoid,
  tanh, relu, leaky_relu and elu, including saturated |Z| = 1000 and Z = 0 (where the
  package, as PyTorch, takes the derivative of the z <= 0 side: 0 for relu, the slope for
  leaky_relu, alpha for elu).
- Questions of the notebook: :data:`Q_SIGMOID_DEPTH`, :data:`Q_DEAD_RECOVERY`.

The hidden cases come from :mod:`dlcourse.activations`, the package's own implementation.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..activations import sigmoid
from .grader import graded
from .grader import GRADIENT_HELPERS, exercise  # noqa: F401
from .grader import Case, CheckResult, DiagnosedCase, run_with_mistakes

__all__ = [
    "check_activation_backward",
    "reference_activation_backward",
    "ACTIVATION_KINDS",
    "Q_SIGMOID_DEPTH",
    "Q_DEAD_RECOVERY",
]


# ------------------------------------------------------------------------ the backward set
from ..activations import ELU, LeakyReLU, ReLU, Sigmoid, Tanh  # noqa: E402
from .grader import with_mistakes  # noqa: E402
from .questions import Question  # noqa: E402

ACTIVATION_KINDS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu")


def reference_activation_backward(
    dA: np.ndarray, Z: np.ndarray, kind: str, slope: float = 0.01, alpha: float = 1.0
) -> np.ndarray:
    """dZ = dA * g'(Z) for the activation ``kind``, by the package's own layers."""
    layer = {
        "sigmoid": Sigmoid,
        "tanh": Tanh,
        "relu": ReLU,
        "leaky_relu": lambda: LeakyReLU(slope=slope),
        "elu": lambda: ELU(alpha=alpha),
    }[kind]()
    layer.forward(np.asarray(Z, dtype=np.float64))
    return layer.backward(np.asarray(dA, dtype=np.float64))


def _naive_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _wrong_derivatives(kind: str, slope: float, alpha: float):
    """(g'(Z) of a typical wrong formula, hint) pairs for one kind."""
    s = lambda z: sigmoid(z)  # noqa: E731
    common = [
        (
            lambda z: reference_activation_backward(np.ones_like(z), z, kind, slope, alpha),
            "return dA * g'(Z), not g'(Z) alone: the chain rule multiplies by what arrives "
            "from above.",
        )
    ]
    per_kind = {
        "sigmoid": [
            (lambda z: s(z) * (1 + s(z)), "sigma' = sigma (1 - sigma), with a minus."),
            (
                lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2,
                "your formula overflows for large |z| (exp(1000) is inf, inf/inf is nan); "
                "write it with sigma(z), computed stably.",
            ),
            (lambda z: _naive_sigmoid(z), "that is sigma(z) itself, not its derivative."),
        ],
        "tanh": [
            (lambda z: 1 - z**2, "tanh' = 1 - tanh(z)^2: square the output, not Z."),
            (lambda z: 1 - np.tanh(z), "tanh' = 1 - tanh(z)^2: the output is squared."),
        ],
        "relu": [
            (
                lambda z: (z >= 0).astype(float),
                "at Z = 0 the package (like PyTorch) uses g'(0) = 0: test Z > 0, not Z >= 0.",
            ),
            (lambda z: np.maximum(z, 0), "that is ReLU(Z) itself; its derivative is 1 or 0."),
        ],
        "leaky_relu": [
            (
                lambda z: np.where(z > 0, 1.0, slope * z),
                "for Z <= 0 the derivative is the constant slope, not slope * Z.",
            ),
            (
                lambda z: (z > 0).astype(float),
                "that is the plain ReLU derivative; the leaky one is slope (not 0) for Z <= 0.",
            ),
            (lambda z: np.where(z > 0, 1.0, 0.01), "use the slope argument, not a fixed 0.01."),
        ],
        "elu": [
            (
                lambda z: np.where(z > 0, 1.0, np.exp(z)),
                "for Z <= 0, ELU's derivative is alpha * exp(Z): multiply by alpha.",
            ),
            (
                lambda z: np.where(z > 0, 1.0, alpha * (np.exp(z) - 1)),
                "alpha (exp(Z) - 1) is ELU itself; differentiate it: alpha * exp(Z).",
            ),
            (
                lambda z: (
                    np.where(z >= 0, 1.0, alpha * np.exp(z)) * 0 + alpha * np.exp(np.minimum(z, 0))
                ),
                "for Z > 0 the derivative is 1.",
            ),
        ],
    }
    wrong = common + per_kind[kind]
    return [
        (lambda dA, Z, k, slope=0.01, alpha=1.0, _g=g: dA * _g(np.asarray(Z, float)), hint)
        if i
        else (lambda dA, Z, k, slope=0.01, alpha=1.0, _g=g: _g(np.asarray(Z, float)), hint)
        for i, (g, hint) in enumerate(wrong)
    ]


def _backward_set_cases() -> list[DiagnosedCase]:
    rng = np.random.default_rng(2020)
    out = []
    for kind in ACTIVATION_KINDS:
        slope, alpha = (0.2, 1.0) if kind == "leaky_relu" else (0.01, 1.5 if kind == "elu" else 1.0)
        Zs = [np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]]), rng.normal(0.0, 2.0, size=(4, 3))]
        if kind in ("sigmoid", "tanh", "elu"):
            Zs.append(np.array([-1000.0, -40.0, 40.0, 1000.0]))
        cases = []
        for Z in Zs:
            dA = rng.standard_normal(Z.shape)
            cases.append(
                Case(
                    (dA, Z, kind),
                    reference_activation_backward(dA, Z, kind, slope, alpha),
                    f"{kind}: dZ = dA * g'(Z), elementwise, with g' written from the "
                    f"table of section 2.",
                    kwargs={"slope": slope, "alpha": alpha},
                )
            )
        out += with_mistakes(cases, _wrong_derivatives(kind, slope, alpha))
    return out


@graded
@exercise(
    reference=reference_activation_backward,
    forbidden=(
        *GRADIENT_HELPERS,
        "dlcourse.activations.Activation.backward",
        "dlcourse.activations.sigmoid_backward",
        "dlcourse.activations.tanh_backward",
        "dlcourse.activations.relu_backward",
        "dlcourse.activations.leaky_relu_backward",
        "dlcourse.activations.elu_backward",
    ),
)
def check_activation_backward(activation_backward: Callable) -> CheckResult:
    """Check ``activation_backward(dA, Z, kind, slope=0.01, alpha=1.0) -> dZ`` for the five
    kinds sigmoid, tanh, relu, leaky_relu and elu, including |Z| = 1000 and Z = 0."""
    return run_with_mistakes(
        "activation_backward", activation_backward, _backward_set_cases(), rtol=1e-7, atol=1e-12
    )


Q_SIGMOID_DEPTH = Question(
    "Q_SIGMOID_DEPTH",
    "b",
    "The mean g'(Z) of the sigmoid layers is 0.21 to 0.24 (five seeds), close to the maximum "
    "0.25: the units are not saturated. The gradient vanishes anyway, because every layer "
    "multiplies it by a factor of at most 1/4 (the Xavier weights keep the rest of the factor "
    "near 1).",
    choices={
        "a": "below 0.01: the units are saturated, that is why the gradient vanishes",
        "b": "above 0.2, close to the maximum 0.25 of sigma'",
        "c": "exactly 0: the gradient cannot pass",
    },
)
Q_DEAD_RECOVERY = Question(
    "Q_DEAD_RECOVERY",
    "b",
    "A silent ReLU unit gets g'(z) = 0 on every example, so its weights get no gradient; in "
    "the first layer, which sees the fixed inputs X, nothing else can move its z either. The "
    "big step leaves large weights, and training on from them silences more units: the "
    "network keeps fewer working units and ends with a lower training accuracy than the "
    "control on every seed (on seed 4 a whole layer goes silent and it predicts one class).",
    choices={
        "a": "the same training accuracy (within 0.01): silent units are harmless while the "
        "others learn",
        "b": "more silent units and a lower training accuracy, on every seed",
        "c": "fewer silent units: the big step's large updates push every z back above 0",
    },
)
