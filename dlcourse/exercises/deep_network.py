r"""Checks for notebook 03 (a deep network step by step), in the package's row convention
(examples in rows, W^[l] of shape (n^[l], n^[l-1])):

- :func:`check_dense_backward`: for Z = A_prev W^T + b,
  dW = dZ^T A_prev  (n^[l], n^[l-1]),   db = sum over examples of dZ  (n^[l],),
  dA_prev = dZ W  (m, n^[l-1]).  dZ already carries the 1/m of the mean cost.
- :func:`check_count_parameters` (notebook 00): the number of trainable numbers of a model,
  sum over layers of n^[l] n^[l-1] + n^[l] for Dense layers, plus every other Parameter.
- :func:`check_forward_pass`: the L-layer forward pass
  A^[0] = X,  Z^[l] = A^[l-1] W^[l]T + b^[l],  A^[l] = ReLU(Z^[l]) for l < L,  output Z^[L]
  (the logits: the loss applies the last non-linearity).

The hidden cases come from :func:`dlcourse.layers.dense_forward` / ``dense_backward`` and
:func:`dlcourse.activations.relu_forward`.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..activations import relu_forward
from ..layers import BatchNorm, Dense, Sequential, dense_backward, dense_forward
from ..activations import ReLU, Tanh
from .grader import Case, CheckResult, DiagnosedCase, Mistake, run_with_mistakes
from .questions import Question

__all__ = ["Q_PARAMETER_COUNT", "Q_RAISE_LR", "check_dense_backward", "check_forward_pass", "reference_forward_pass",
           "check_count_parameters", "reference_count_parameters"]


# ------------------------------------------------------------------------ questions (00)
Q_PARAMETER_COUNT = Question(
    "Q_PARAMETER_COUNT", 82,
    "Each Dense(n_in, n_out) layer has n_out * n_in weights and n_out biases: "
    "2*16 + 16 = 48 in the first layer and 16*2 + 2 = 34 in the second, 82 in all. "
    "ReLU has no parameters.", rtol=0.0)
Q_RAISE_LR = Question(
    "Q_RAISE_LR", "b",
    "At alpha = 0.01 the cost was still falling slowly; ten times larger steps are still "
    "stable on this small problem, so 50 more epochs take the training cost about ten times "
    "lower (the cell prints both numbers).",
    choices={"a": "it goes up: a larger learning rate always makes training unstable",
             "b": "it falls several times lower than after the first 100 epochs",
             "c": "it stays where it was: the network has converged"})


def _backward_cases() -> list[DiagnosedCase]:
    rng = np.random.default_rng(404)
    out = []
    for m, n_in, n_out in [(5, 3, 4), (7, 6, 2), (1, 4, 3)]:
        A_prev = rng.standard_normal((m, n_in))
        W = rng.standard_normal((n_out, n_in))
        dZ = rng.standard_normal((m, n_out)) / m
        dA_prev, dW, db = dense_backward(dZ, (A_prev, W))
        mistakes = [
            Mistake((dA_prev, A_prev.T @ dZ, db),
                    "dW must have W's shape (n_out, n_in): dW = dZ.T @ A_prev, not A_prev.T @ dZ."),
            Mistake((dA_prev, dW / m, db / m),
                    "do not divide by m again: dZ from the loss's backward already carries the 1/m "
                    "of the mean cost, so dW = dZ.T @ A_prev and db = dZ.sum(axis=0)."),
            Mistake((dA_prev, dW / m, db),
                    "do not divide dW by m: dZ already carries the 1/m."),
            Mistake((dA_prev, dW, db / m),
                    "db is the sum of dZ over the examples (axis 0), not the mean: dZ already "
                    "carries the 1/m."),
            Mistake((dA_prev, dW, dZ.sum(axis=1)),
                    "sum dZ over the examples, i.e. over axis 0 (the rows), giving shape (n_out,)."),
            Mistake((dW, db, dA_prev), "return the three in the order (dA_prev, dW, db)."),
        ]
        out.append(DiagnosedCase(
            Case((dZ.copy(), A_prev.copy(), W.copy()), (dA_prev, dW, db),
                 "dA_prev = dZ @ W (shape of A_prev), dW = dZ.T @ A_prev (shape of W), "
                 "db = dZ.sum(axis=0)."),
            mistakes))
    return out


def check_dense_backward(dense_backward_fn: Callable) -> CheckResult:
    """Check ``dense_backward(dZ, A_prev, W) -> (dA_prev, dW, db)``."""
    return run_with_mistakes("dense_backward", dense_backward_fn, _backward_cases())


def reference_forward_pass(X: np.ndarray, parameters: list[tuple[np.ndarray, np.ndarray]],
                           relu_last: bool = False, use_bias: bool = True,
                           hidden_relu: bool = True) -> np.ndarray:
    """Z^[L] of the L-layer network (ReLU hidden layers, linear output). The flags build
    the typical wrong variants the check recognises."""
    A = X
    for l, (W, b) in enumerate(parameters, 1):
        Z, _ = dense_forward(A, W, b if use_bias else None)
        last = l == len(parameters)
        A = relu_forward(Z)[0] if ((hidden_relu and not last) or (relu_last and last)) else Z
    return A


def _forward_cases() -> list[DiagnosedCase]:
    rng = np.random.default_rng(505)
    out = []
    for m, sizes in [(4, [2, 3, 1]), (6, [3, 5, 4, 2]), (3, [4, 6, 6, 6, 3])]:
        X = rng.standard_normal((m, sizes[0]))
        params = [(rng.standard_normal((n, n_prev)), rng.standard_normal(n))
                  for n_prev, n in zip(sizes[:-1], sizes[1:])]
        mistakes = [
            Mistake(reference_forward_pass(X, params, relu_last=True),
                    "no ReLU on the last layer: return Z^[L] itself (the loss applies the "
                    "output non-linearity)."),
            Mistake(reference_forward_pass(X, params, use_bias=False),
                    "add the bias: Z = A_prev @ W.T + b."),
            Mistake(reference_forward_pass(X, params, hidden_relu=False),
                    "apply ReLU to every hidden layer's Z (layers 1 .. L-1)."),
            Mistake(reference_forward_pass(X, params, hidden_relu=False, relu_last=True),
                    "apply ReLU to the hidden layers only, and return the last Z without it."),
        ]
        out.append(DiagnosedCase(
            Case((X.copy(), [(W.copy(), b.copy()) for W, b in params]),
                 reference_forward_pass(X, params),
                 "loop over the layers: Z = A @ W.T + b, then A = max(0, Z) except after the "
                 "last layer; return the last Z, of shape (m, n^[L])."),
            mistakes))
    return out


def check_forward_pass(forward_pass: Callable) -> CheckResult:
    """Check ``forward_pass(X, parameters) -> Z^[L]`` with ``parameters = [(W1, b1), ...]``."""
    return run_with_mistakes("forward_pass", forward_pass, _forward_cases())


# ------------------------------------------------------------------------ parameter count
def _count_cases() -> list[DiagnosedCase]:
    archs = [([2, 3, 1], False), ([4, 16, 8, 3], False), ([5, 7, 2], True)]
    out = []
    for sizes, batch_norm in archs:
        layers = []
        for l, (n_prev, n) in enumerate(zip(sizes[:-1], sizes[1:]), 1):
            layers.append(Dense(n_prev, n, rng=l))
            if l < len(sizes) - 1:
                layers += ([BatchNorm(n)] if batch_norm else []) + [ReLU() if l % 2 else Tanh()]
        model = Sequential(layers)
        dense_weights = sum(n * n_prev for n_prev, n in zip(sizes[:-1], sizes[1:]))
        dense_all = dense_weights + sum(sizes[1:])
        mistakes = [
            Mistake(len(model.parameters()), "that is the number of Parameter arrays; count the "
                                             "numbers inside them (p.value.size)."),
            Mistake(dense_weights, "count the biases too: layer l has n[l] * n[l-1] weights "
                                   "and n[l] biases."),
            Mistake(sum(n * n_prev for n_prev, n in zip(sizes[:-1], sizes[1:])) + len(sizes) - 1,
                    "each layer has n[l] biases, one per unit, not one per layer."),
        ]
        if batch_norm:
            mistakes.append(Mistake(dense_all, "count every Parameter of the model, not only "
                                               "the Dense layers': batch norm has gamma and beta "
                                               "(model.parameters() lists them all)."))
        expected = reference_count_parameters(model)
        out.append(DiagnosedCase(Case((model,), expected,
                                      "add up p.value.size over model.parameters()."),
                                 mistakes))
    return out


def reference_count_parameters(model) -> int:
    """The number of trainable numbers of ``model`` (the reference of the exercise)."""
    return sum(p.value.size for p in model.parameters())


def check_count_parameters(count_parameters: Callable) -> CheckResult:
    """Check ``count_parameters(model) -> int``, the number of trainable numbers."""
    return run_with_mistakes("count_parameters", count_parameters, _count_cases())
