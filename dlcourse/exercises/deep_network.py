r"""Checks for notebook 03 (a deep network step by step), in the package's row convention
(examples in rows, W^[l] of shape (n^[l], n^[l-1])):

- :func:`check_count_parameters` (notebook 00): the number of trainable numbers of a model,
  sum over layers of n^[l] n^[l-1] + n^[l] for Dense layers, plus every other Parameter.
- :func:`check_L_model_forward`: the L-layer forward pass
  A^[0] = X,  Z^[l] = A^[l-1] W^[l]T + b^[l],  A^[l] = ReLU(Z^[l]) for l < L,  output Z^[L]
  (the logits: the loss applies the last non-linearity), with a cache (A^[l-1], W^[l], b^[l],
  Z^[l]) per layer.
- :func:`check_L_model_backward`: from dZ^[L] down to layer 1,
  dW^[l] = dZ^[l]T A^[l-1],  db^[l] = sum over examples of dZ^[l],
  dZ^[l-1] = (dZ^[l] W^[l]) * ReLU'(Z^[l-1]).  dZ^[L] already carries the 1/m of the mean cost.
- Questions: :data:`Q_PARAMETER_COUNT`, :data:`Q_RAISE_LR` (notebook 00),
  :data:`Q_LINEAR_COLLAPSE`, :data:`Q_SAWTOOTH` (notebook 03).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..layers import BatchNorm, Dense, Sequential
from ..activations import ReLU, Tanh
from .grader import ESTIMATED, GRADIENT_HELPERS, exercise  # noqa: F401
from .grader import Case, CheckResult, DiagnosedCase, Mistake, run_with_mistakes
from .questions import Question

__all__ = [
    "Q_PARAMETER_COUNT",
    "Q_RAISE_LR",
    "Q_LINEAR_COLLAPSE",
    "Q_SAWTOOTH",
    "check_L_model_forward",
    "check_L_model_backward",
    "reference_L_model_forward",
    "reference_L_model_backward",
    "check_count_parameters",
    "reference_count_parameters",
]


# ------------------------------------------------------------------------ questions (00)
Q_PARAMETER_COUNT = Question(
    "Q_PARAMETER_COUNT",
    82,
    "Each Dense(n_in, n_out) layer has n_out * n_in weights and n_out biases: "
    "2*16 + 16 = 48 in the first layer and 16*2 + 2 = 34 in the second, 82 in all. "
    "ReLU has no parameters.",
    rtol=0.0,
)
Q_RAISE_LR = Question(
    "Q_RAISE_LR",
    "b",
    "The control at alpha = 0.01 still falls on every seed, so the network had not converged; "
    "ten times larger steps are still stable on this small problem and end below the control "
    "on all five seeds. How far below depends on the seed: from barely (about 1.04x) to about "
    "4x (the cell prints each seed).",
    choices={
        "a": "above the control on some seeds: ten times larger steps overshoot",
        "b": "below the control on every seed",
        "c": "level with the control: after 100 epochs the network has converged, "
        "neither run moves",
    },
)


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
            Mistake(
                len(model.parameters()),
                "that is the number of Parameter arrays; count the "
                "numbers inside them (p.value.size).",
            ),
            Mistake(
                dense_weights,
                "count the biases too: layer l has n[l] * n[l-1] weights and n[l] biases.",
            ),
            Mistake(
                sum(n * n_prev for n_prev, n in zip(sizes[:-1], sizes[1:])) + len(sizes) - 1,
                "each layer has n[l] biases, one per unit, not one per layer.",
            ),
        ]
        if batch_norm:
            mistakes.append(
                Mistake(
                    dense_all,
                    "count every Parameter of the model, not only "
                    "the Dense layers': batch norm has gamma and beta "
                    "(model.parameters() lists them all).",
                )
            )
        expected = reference_count_parameters(model)
        out.append(
            DiagnosedCase(
                Case((model,), expected, "add up p.value.size over model.parameters()."), mistakes
            )
        )
    return out


def reference_count_parameters(model) -> int:
    """The number of trainable numbers of ``model`` (the reference of the exercise)."""
    return sum(p.value.size for p in model.parameters())


@exercise(reference=reference_count_parameters)
def check_count_parameters(count_parameters: Callable) -> CheckResult:
    """Check ``count_parameters(model) -> int``, the number of trainable numbers."""
    return run_with_mistakes("count_parameters", count_parameters, _count_cases())


# ------------------------------------------------------------------------ L-layer forward + backward
def reference_L_model_forward(X: np.ndarray, parameters) -> tuple[np.ndarray, list]:
    """(Z^[L], caches) with caches[l-1] = (A^[l-1], W^[l], b^[l], Z^[l]): ReLU after every
    hidden layer, none after the last (the reference of the exercise)."""
    caches, A = [], X
    for l, (W, b) in enumerate(parameters, 1):
        Z = A @ W.T + b
        caches.append((A, W, b, Z))
        A = np.maximum(Z, 0.0) if l < len(parameters) else Z
    return A, caches


def reference_L_model_backward(dZL: np.ndarray, caches: list) -> list:
    """[(dW^[l], db^[l]) for l = 1..L] from dZ^[L] and the forward caches."""
    grads, dZ = [], dZL
    for l in range(len(caches), 0, -1):
        A_prev, W, _, _ = caches[l - 1]
        grads.insert(0, (dZ.T @ A_prev, dZ.sum(axis=0)))
        if l > 1:
            dZ = (dZ @ W) * (caches[l - 2][3] > 0)
    return grads


def _parameters(sizes, rng) -> list:
    return [
        (rng.standard_normal((n, n_prev)) / np.sqrt(n_prev), 0.1 * rng.standard_normal(n))
        for n_prev, n in zip(sizes[:-1], sizes[1:])
    ]


_ARCHS = [([3, 4, 2], 5), ([2, 5, 3, 1], 6), ([4, 6, 5, 3, 2], 3)]


def _L_forward_wrong(X, parameters, kind):
    caches, A = [], X
    for l, (W, b) in enumerate(parameters, 1):
        Z = A @ W.T + (0.0 if kind == "no_bias" else b)
        last = l == len(parameters)
        A_next = np.maximum(Z, 0.0) if (not last or kind == "relu_last") else Z
        if last and kind == "sigmoid_last":
            A_next = 1.0 / (1.0 + np.exp(-Z))
        if l == len(parameters) - 1 and kind == "no_relu_before_last":
            A_next = Z
        if kind == "cache_output":
            caches.append((A_next, W, b, Z))
        elif kind == "cache_activation_as_Z":
            caches.append((A, W, b, A_next))
        else:
            caches.append((A, W, b, Z))
        A = A_next
    if kind == "reversed":
        caches = caches[::-1]
    return A, caches


_FORWARD_HINTS = {
    "relu_last": "no ReLU after the last layer: the output Z^[L] is the logit the loss needs.",
    "no_bias": "add the bias: Z = A_prev @ W.T + b.",
    "cache_output": "cache the layer's input A^[l-1] (what dW needs), not its output A^[l].",
    "cache_activation_as_Z": "cache the pre-activation Z^[l], not the ReLU output A^[l].",
    "reversed": "keep the caches in layer order, caches[0] for layer 1.",
    "sigmoid_last": "return the last layer's pre-activation Z^[L] itself (the logit): the "
    "loss applies the sigmoid or softmax, not the forward pass.",
    "no_relu_before_last": "every hidden layer has its ReLU, the last hidden one too: only "
    "the output layer L has none.",
}


def _L_forward_cases() -> list[DiagnosedCase]:
    rng = np.random.default_rng(303)
    out = []
    for sizes, m in _ARCHS:
        X = rng.standard_normal((m, sizes[0]))
        params = _parameters(sizes, rng)
        mistakes = [Mistake(_L_forward_wrong(X, params, k), h) for k, h in _FORWARD_HINTS.items()]
        mistakes.append(
            Mistake(
                reference_L_model_forward(X, params)[0],
                "return a pair (Z^[L], caches), not Z^[L] alone.",
            )
        )
        out.append(
            DiagnosedCase(
                Case(
                    (X.copy(), [(W.copy(), b.copy()) for W, b in params]),
                    reference_L_model_forward(X, params),
                    "compare with the forward pass of section 2: one linear step and one ReLU per "
                    "hidden layer, a cache (A_prev, W, b, Z) per layer in layer order.",
                ),
                mistakes,
            )
        )
    return out


@exercise(
    items=("Z^[L]", "caches"),
    reference=reference_L_model_forward,
    forbidden=("dlcourse.layers.dense_forward", "dlcourse.layers.Dense.forward"),
)
def check_L_model_forward(L_model_forward: Callable) -> CheckResult:
    """Check ``L_model_forward(X, parameters) -> (Z^[L], caches)``, caches[l-1] =
    (A^[l-1], W^[l], b^[l], Z^[l])."""
    return run_with_mistakes("L_model_forward", L_model_forward, _L_forward_cases())


def _L_backward_wrong(dZL, caches, kind):
    grads, dZ = [], dZL
    m = dZL.shape[0]
    for l in range(len(caches), 0, -1):
        A_prev, W, _, Z = caches[l - 1]
        dW, db = dZ.T @ A_prev, dZ.sum(axis=0)
        if kind == "extra_1_over_m":
            dW, db = dW / m, db / m
        elif kind == "db_mean":
            db = dZ.mean(axis=0)
        elif kind == "dW_transposed":
            dW = A_prev.T @ dZ
        grads.insert(0, (dW, db))
        if l > 1:
            dA = dZ @ W
            if kind == "no_mask":
                dZ = dA
            elif kind == "own_mask":
                dZ = dA * (np.resize(Z, dA.shape) > 0) if Z.shape == dA.shape else dA
            else:
                dZ = dA * (caches[l - 2][3] > 0)
    if kind == "reversed":
        grads = grads[::-1]
    return grads


_BACKWARD_HINTS = {
    "extra_1_over_m": "dZ^[L] from the loss already carries the 1/m of the mean cost: do not "
    "divide by m again.",
    "db_mean": "db is the sum of dZ over the examples (axis 0), not the mean.",
    "dW_transposed": "dW must have W's shape (n^[l], n^[l-1]): dZ.T @ A_prev.",
    "no_mask": "between two layers, multiply dA^[l-1] by the ReLU's derivative at Z^[l-1] "
    "(1 where Z^[l-1] > 0, else 0).",
    "own_mask": "the ReLU derivative belongs to layer l-1: use the Z cached by layer l-1, not "
    "layer l's.",
    "reversed": "return the gradients in layer order, grads[0] = (dW^[1], db^[1]).",
}


def _with_kinks(X: np.ndarray, parameters: list) -> list:
    """The parameters with the last hidden layer's first bias set so that its first unit's
    pre-activation on the first example is exactly 0, a ReLU kink: there g'(0) = 0, and a
    difference quotient, which straddles the kink, finds half the slope instead."""
    out, A = [], X
    for l, (W, b) in enumerate(parameters, 1):
        b = b.copy()
        if l == len(parameters) - 1:
            b[0] = -(A @ W.T)[0, 0]
        out.append((W, b))
        Z = A @ W.T + b
        A = np.maximum(Z, 0.0) if l < len(parameters) else Z
    return out


def _L_backward_half_slope(dZL, caches, slope_at_zero: float) -> list:
    """The backward pass with g'(0) = ``slope_at_zero`` at the kinks (Z = 0 exactly)."""
    grads, dZ = [], dZL
    for l in range(len(caches), 0, -1):
        A_prev, W, _, _ = caches[l - 1]
        grads.insert(0, (dZ.T @ A_prev, dZ.sum(axis=0)))
        if l > 1:
            Z = caches[l - 2][3]
            dZ = (dZ @ W) * np.where(Z > 0, 1.0, np.where(Z == 0, slope_at_zero, 0.0))
    return grads


_KINK_HINTS = [
    (
        1.0,
        "at Z = 0 exactly, ReLU's derivative is taken as 0 (notebook 02, like the package "
        "and PyTorch): mask with Z > 0, not Z >= 0.",
    ),
    (
        0.5,
        "at a kink (a Z exactly 0) your gradient takes half the slope, as a difference "
        "quotient straddling the kink does: derive the backward pass with the chain rule, "
        "with g'(0) = 0, instead of estimating it.",
    ),
]


def _L_backward_cases() -> list[DiagnosedCase]:
    rng = np.random.default_rng(304)
    out = []
    for sizes, m in [([3, 4, 4, 2], 5), ([2, 5, 3, 1], 6), ([4, 6, 6, 6, 2], 4)]:
        X = rng.standard_normal((m, sizes[0]))
        _, caches = reference_L_model_forward(X, _with_kinks(X, _parameters(sizes, rng)))
        dZL = rng.standard_normal((m, sizes[-1])) / m
        mistakes = [
            Mistake(_L_backward_wrong(dZL, caches, k), h) for k, h in _BACKWARD_HINTS.items()
        ]
        mistakes += [Mistake(_L_backward_half_slope(dZL, caches, s), h) for s, h in _KINK_HINTS]
        out.append(
            DiagnosedCase(
                Case(
                    (dZL.copy(), caches),
                    reference_L_model_backward(dZL, caches),
                    "follow the backward equations of section 2 from layer L down to layer 1, "
                    "reading A_prev, W and the Z of the layer below from the caches.",
                ),
                mistakes,
            )
        )
    return out


@exercise(
    items=("layer {n}", ("dW", "db")),
    reference=reference_L_model_backward,
    forbidden=(
        *GRADIENT_HELPERS,
        "dlcourse.layers.dense_backward",
        "dlcourse.layers.Dense.backward",
        "dlcourse.activations.relu_backward",
        "dlcourse.activations.Activation.backward",
    ),
)
def check_L_model_backward(L_model_backward: Callable) -> CheckResult:
    """Check ``L_model_backward(dZL, caches) -> [(dW1, db1), ..., (dWL, dbL)]``."""
    # a tolerance an exact formula meets whatever its order of operations, and a difference
    # quotient (round-off about 1e-16 |J| / h) does not
    return run_with_mistakes(
        "L_model_backward",
        L_model_backward,
        _L_backward_cases(),
        rtol=1e-11,
        atol=1e-13,
        estimated=ESTIMATED,
    )


# ------------------------------------------------------------------------ questions (03)
Q_LINEAR_COLLAPSE = Question(
    "Q_LINEAR_COLLAPSE",
    "a",
    "Without activations, Z^[4] = W4 (W3 (W2 (W1 x + b1) + b2) + b3) + b4 = W x + b with "
    "W = W4 W3 W2 W1: the layers compute one linear map, so they can draw only one straight "
    "boundary, like logistic regression. From every initialization both end at the same "
    "training accuracy, while the same layers with ReLU fit the spiral.",
    choices={
        "a": "about the same as a single linear layer (logistic regression)",
        "b": "about the same as the same three layers with ReLU activations",
        "c": "better than both: more layers, more parameters",
    },
)
Q_SAWTOOTH = Question(
    "Q_SAWTOOTH",
    32,
    "Each layer of two ReLU units folds [0, 1] onto itself once (the tent map), doubling the "
    "number of linear pieces: 5 layers give 2^5 = 32 pieces with 31 parameters. One layer "
    "of n ReLU units gives at most n + 1 pieces on a line.",
    rtol=0.0,
)
