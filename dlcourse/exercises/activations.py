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

__all__ = ["check_sigmoid_derivative", "check_leaky_relu_backward", "reference_sigmoid_derivative"]


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
