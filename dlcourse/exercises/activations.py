r"""Checks for notebook 02 (activation functions).

- :func:`check_sigmoid_derivative`: g'(z) for g(z) = sigmoid(z) = 1 / (1 + e^{-z}),
  g'(z) = g(z) (1 - g(z)), computed without overflow for large |z|.
- :func:`check_leaky_relu_backward`: dZ = dA * g'(Z) for the leaky ReLU
  g(z) = z (z > 0) or slope * z (z <= 0), so g'(z) = 1 or slope (slope at z = 0, as PyTorch).

The hidden cases come from :mod:`dlcourse.activations`, the package's own implementation.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..activations import leaky_relu_backward, leaky_relu_forward, sigmoid
from .grader import Case, CheckResult, DiagnosedCase, Mistake, run_with_mistakes

__all__ = ["check_sigmoid_derivative", "check_leaky_relu_backward", "reference_sigmoid_derivative",
           "check_activation_backward", "reference_activation_backward", "ACTIVATION_KINDS",
           "Q_SIGMOID_DEPTH", "Q_DEAD_RECOVERY"]


def reference_sigmoid_derivative(z: np.ndarray) -> np.ndarray:
    """sigma(z) (1 - sigma(z)) elementwise: the reference of the exercise."""
    s = sigmoid(z)
    return s * (1 - s)


def _sigmoid_cases() -> list[DiagnosedCase]:
    rng = np.random.default_rng(202)
    inputs = [
        np.array([0.0, 1.0]),
        np.array([-2.0, -0.5, 0.5, 3.0]),
        rng.normal(0.0, 2.0, size=(3, 5)),
        np.array([-40.0, -12.0, 12.0, 40.0]),  # saturated: no overflow, g' ~ 0
    ]
    out = []
    for z in inputs:
        s = sigmoid(z)
        with np.errstate(all="ignore"):
            mistakes = [
                Mistake(s, "that is sigmoid itself; its derivative is s * (1 - s) with "
                           "s = sigmoid(z)."),
                Mistake(z * (1 - z), "the formula a * (1 - a) takes the activation "
                                     "a = sigmoid(z), not z: compute s = sigmoid(z) first."),
                Mistake(s * (1 + s), "the derivative is s * (1 - s), with a minus sign."),
                Mistake(1 - s * s, "1 - a^2 is tanh's derivative; sigmoid's is s * (1 - s)."),
                Mistake(np.exp(z) * s, "check the chain rule: d/dz (1 + e^-z)^-1 = "
                                       "e^-z / (1 + e^-z)^2 = s * (1 - s)."),
            ]
        out.append(DiagnosedCase(Case((z.copy(),), s * (1 - s),
                                      "return s * (1 - s) where s = 1 / (1 + exp(-z)), "
                                      "elementwise, same shape as z."),
                                 mistakes))
    return out


def check_sigmoid_derivative(sigmoid_derivative: Callable) -> CheckResult:
    """Check ``sigmoid_derivative(z) -> g'(z)`` elementwise, including saturated z."""
    return run_with_mistakes("sigmoid_derivative", sigmoid_derivative, _sigmoid_cases(),
                             rtol=1e-7, atol=1e-12)


def _leaky_cases() -> list[DiagnosedCase]:
    rng = np.random.default_rng(303)
    inputs = [
        (np.array([1.0, 1.0, 1.0]), np.array([-2.0, 0.5, 3.0]), 0.01),
        (rng.standard_normal((4, 3)), rng.standard_normal((4, 3)), 0.1),
        (rng.standard_normal((2, 6)), np.array([[-1.0, 0.0, 2.0, -0.3, 0.0, 4.0],
                                                [3.0, -2.0, 0.0, 1.0, -5.0, 0.2]]), 0.2),
    ]
    out = []
    for dA, Z, slope in inputs:
        a, cache = leaky_relu_forward(Z, slope)
        expected = leaky_relu_backward(dA, cache)
        mistakes = [
            Mistake(np.where(Z > 0, 1.0, slope), "multiply the local derivative by the "
                                                 "upstream gradient dA (chain rule)."),
            Mistake(dA * (Z > 0), "for z <= 0 the leaky ReLU has slope `slope`, not 0: "
                                  "that is the plain ReLU's backward."),
            Mistake(np.where(Z > 0, dA, slope * Z), "on the negative side multiply dA by the "
                                                    "slope, not Z: the backward uses g'(z), "
                                                    "not g(z)."),
            Mistake(np.where(dA > 0, dA, slope * dA), "choose the branch from the sign of Z "
                                                      "(the forward input), not of dA."),
            Mistake(a * dA, "g'(z) is 1 or slope; multiplying dA by the activation g(z) is "
                            "not its derivative."),
            Mistake(np.where(Z >= 0, dA, slope * dA), "at z = 0 use the slope (the convention "
                                                      "of the package and PyTorch): test z > 0."),
        ]
        out.append(DiagnosedCase(Case((dA.copy(), Z.copy(), slope), expected,
                                      "dZ = dA where Z > 0 and slope * dA elsewhere."),
                                 mistakes))
    return out


def check_leaky_relu_backward(leaky_relu_backward_fn: Callable) -> CheckResult:
    """Check ``leaky_relu_backward(dA, Z, slope) -> dZ``."""
    return run_with_mistakes("leaky_relu_backward", leaky_relu_backward_fn, _leaky_cases())


# ------------------------------------------------------------------------ the backward set
from ..activations import ELU, LeakyReLU, ReLU, Sigmoid, Tanh  # noqa: E402
from .grader import with_mistakes  # noqa: E402
from .questions import Question  # noqa: E402

ACTIVATION_KINDS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu")


def reference_activation_backward(dA: np.ndarray, Z: np.ndarray, kind: str,
                                  slope: float = 0.01, alpha: float = 1.0) -> np.ndarray:
    """dZ = dA * g'(Z) for the activation ``kind``, by the package's own layers."""
    layer = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU,
             "leaky_relu": lambda: LeakyReLU(slope=slope), "elu": lambda: ELU(alpha=alpha)}[kind]()
    layer.forward(np.asarray(Z, dtype=np.float64))
    return layer.backward(np.asarray(dA, dtype=np.float64))


def _naive_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _wrong_derivatives(kind: str, slope: float, alpha: float):
    """(g'(Z) of a typical wrong formula, hint) pairs for one kind."""
    s = lambda z: sigmoid(z)  # noqa: E731
    common = [(lambda z: reference_activation_backward(np.ones_like(z), z, kind, slope, alpha),
               "return dA * g'(Z), not g'(Z) alone: the chain rule multiplies by what arrives "
               "from above.")]
    per_kind = {
        "sigmoid": [(lambda z: s(z) * (1 + s(z)), "sigma' = sigma (1 - sigma), with a minus."),
                    (lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2,
                     "your formula overflows for large |z| (exp(1000) is inf, inf/inf is nan); "
                     "write it with sigma(z), computed stably."),
                    (lambda z: _naive_sigmoid(z), "that is sigma(z) itself, not its derivative.")],
        "tanh": [(lambda z: 1 - z ** 2, "tanh' = 1 - tanh(z)^2: square the output, not Z."),
                 (lambda z: 1 - np.tanh(z), "tanh' = 1 - tanh(z)^2: the output is squared.")],
        "relu": [(lambda z: (z >= 0).astype(float), "at Z = 0 the package (like PyTorch) uses "
                                                    "g'(0) = 0: test Z > 0, not Z >= 0."),
                 (lambda z: np.maximum(z, 0), "that is ReLU(Z) itself; its derivative is 1 or 0.")],
        "leaky_relu": [(lambda z: np.where(z > 0, 1.0, slope * z),
                        "for Z <= 0 the derivative is the constant slope, not slope * Z."),
                       (lambda z: (z > 0).astype(float), "that is the plain ReLU derivative; the "
                                                         "leaky one is slope (not 0) for Z <= 0."),
                       (lambda z: np.where(z > 0, 1.0, 0.01),
                        "use the slope argument, not a fixed 0.01.")],
        "elu": [(lambda z: np.where(z > 0, 1.0, np.exp(z)),
                 "for Z <= 0, ELU's derivative is alpha * exp(Z): multiply by alpha."),
                (lambda z: np.where(z > 0, 1.0, alpha * (np.exp(z) - 1)),
                 "alpha (exp(Z) - 1) is ELU itself; differentiate it: alpha * exp(Z)."),
                (lambda z: np.where(z >= 0, 1.0, alpha * np.exp(z)) * 0 + alpha * np.exp(np.minimum(z, 0)),
                 "for Z > 0 the derivative is 1.")],
    }
    wrong = common + per_kind[kind]
    return [(lambda dA, Z, k, slope=0.01, alpha=1.0, _g=g: dA * _g(np.asarray(Z, float)), hint)
            if i else (lambda dA, Z, k, slope=0.01, alpha=1.0, _g=g: _g(np.asarray(Z, float)), hint)
            for i, (g, hint) in enumerate(wrong)]


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
            cases.append(Case((dA, Z, kind), reference_activation_backward(dA, Z, kind, slope, alpha),
                              f"{kind}: dZ = dA * g'(Z), elementwise, with g' written from the "
                              f"table of section 2.", kwargs={"slope": slope, "alpha": alpha}))
        out += with_mistakes(cases, _wrong_derivatives(kind, slope, alpha))
    return out


def check_activation_backward(activation_backward: Callable) -> CheckResult:
    """Check ``activation_backward(dA, Z, kind, slope=0.01, alpha=1.0) -> dZ`` for the five
    kinds sigmoid, tanh, relu, leaky_relu and elu, including |Z| = 1000 and Z = 0."""
    return run_with_mistakes("activation_backward", activation_backward, _backward_set_cases(),
                             rtol=1e-7, atol=1e-12)


Q_SIGMOID_DEPTH = Question(
    "Q_SIGMOID_DEPTH", "b",
    "The mean g'(Z) of the sigmoid layers is 0.22 to 0.24, close to the maximum 0.25: the units "
    "are not saturated. The gradient vanishes anyway, because every layer multiplies it by a "
    "factor of at most 1/4 (the Xavier weights keep the rest of the factor near 1).",
    choices={"a": "below 0.01: the units are saturated, that is why the gradient vanishes",
             "b": "above 0.2, close to the maximum 0.25 of sigma'",
             "c": "exactly 0: the gradient cannot pass"})
Q_DEAD_RECOVERY = Question(
    "Q_DEAD_RECOVERY", "b",
    "A first-layer unit sees the fixed inputs X: nothing can move its z once it is <= 0 on every "
    "example, and ReLU gives it no gradient. A second-layer unit sees the first layer's outputs, "
    "which keep changing as the first layer trains, so some of its silent units come back.",
    choices={"a": "all dead units revive: gradient descent repairs the damage",
             "b": "layer-1 dead units stay dead; layer-2 ones can revive",
             "c": "no unit ever changes: dead is dead in every layer"})
