r"""Checks for notebook 03 (a deep network step by step, the path of the deeplearning.ai
assignment "Building your deep neural network"), in the package's row convention (examples
in rows, W^[l] of shape (n^[l], n^[l-1])). A layer's cache is the flat tuple
(A^[l-1], W^[l], b^[l], Z^[l]).

- :func:`check_count_parameters` (notebook 00): the number of trainable numbers of a model,
  sum over layers of n^[l] n^[l-1] + n^[l] for Dense layers, plus every other Parameter.
- :func:`check_linear_forward`: Z = A_prev W^T + b, with the cache (A_prev, W, b).
- :func:`check_linear_activation_forward`: A = g(Z) with g = ReLU or sigmoid, cache
  (A_prev, W, b, Z).
- :func:`check_L_model_forward`: the L-layer forward pass
  A^[0] = X,  Z^[l] = A^[l-1] W^[l]T + b^[l],  A^[l] = ReLU(Z^[l]) for l < L,  output Z^[L]
  (the logits: the cost applies the sigmoid), with a cache (A^[l-1], W^[l], b^[l], Z^[l])
  per layer.
- :func:`check_compute_cost`: J = (1/m) sum_i [log(1 + e^{z_i}) - y_i z_i], the
  cross-entropy of A^[L] = sigmoid(Z^[L]), and dZ^[L] = (A^[L] - Y) / m.
- :func:`check_linear_backward`: dA_prev = dZ W, dW = dZ^T A_prev, db = sum over examples
  of dZ (dZ already carries the 1/m of the mean cost).
- :func:`check_linear_activation_backward`: dZ = dA * g'(Z), then the linear backward.
- :func:`check_L_model_backward`: from dZ^[L] down to layer 1,
  dW^[l] = dZ^[l]T A^[l-1],  db^[l] = sum over examples of dZ^[l],
  dZ^[l-1] = (dZ^[l] W^[l]) * ReLU'(Z^[l-1]).
- :func:`check_update_parameters`: (W - alpha dW, b - alpha db) for every layer, returned
  as a new list: the caller's parameters are left unchanged.
- Questions: :data:`Q_PARAMETER_COUNT`, :data:`Q_RAISE_LR` (notebook 00),
  :data:`Q_LINEAR_COLLAPSE`, :data:`Q_SAWTOOTH`, :data:`Q_DIGITS_TEST` (notebook 03).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..layers import BatchNorm, Dense, Sequential
from ..activations import ReLU, Tanh
from .grader import graded
from .grader import ESTIMATED, GRADIENT_HELPERS, exercise  # noqa: F401
from .grader import Case, CheckResult, DiagnosedCase, Mistake, run_with_mistakes
from .questions import Question

__all__ = [
    "Q_PARAMETER_COUNT",
    "Q_RAISE_LR",
    "Q_LINEAR_COLLAPSE",
    "Q_SAWTOOTH",
    "Q_DIGITS_TEST",
    "check_L_model_forward",
    "check_L_model_backward",
    "check_compute_cost",
    "check_linear_activation_backward",
    "check_linear_activation_forward",
    "check_linear_backward",
    "check_linear_forward",
    "check_update_parameters",
    "reference_L_model_forward",
    "reference_L_model_backward",
    "reference_compute_cost",
    "reference_linear_activation_backward",
    "reference_linear_activation_forward",
    "reference_linear_backward",
    "reference_linear_forward",
    "reference_update_parameters",
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


@graded
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
        elif kind == "nested_cache":
            caches.append(((A, W, b), Z))
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
    "nested_cache": "here a layer's cache is one flat tuple (A_prev, W, b, Z), not "
    "((A_prev, W, b), Z).",
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


@graded
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
    if kind in ("sigmoid_last", "relu_last"):  # an activation backward for layer L too
        dZ = dZL * _slope(caches[-1][3], kind.removesuffix("_last"))
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
    "sigmoid_last": "dZL is already the gradient at Z^[L] (the cost went through the "
    "sigmoid): layer L takes linear_backward alone, no sigmoid backward.",
    "relu_last": "layer L has no activation in L_model_forward: its dZ^[L] is dZL itself, "
    "without a ReLU mask.",
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


@graded
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


# ------------------------------------------------------------------------ the building blocks
# One layer l in the row convention: the linear part Z = A_prev @ W.T + b, then A = g(Z).
# A layer's cache is the tuple (A_prev, W, b, Z): the linear part's (A_prev, W, b) and Z.
_ACTIVATION_NAMES = ("relu", "sigmoid")


def _sigmoid(Z: np.ndarray) -> np.ndarray:
    """sigma(Z) = 1 / (1 + e^{-Z}), written as (1 + tanh(Z/2)) / 2, which never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * Z))


def _activate(Z: np.ndarray, activation: str) -> np.ndarray:
    if activation not in _ACTIVATION_NAMES:
        raise ValueError(f"activation must be 'relu' or 'sigmoid', got {activation!r}")
    return np.maximum(Z, 0.0) if activation == "relu" else _sigmoid(Z)


def _slope(Z: np.ndarray, activation: str) -> np.ndarray:
    """g'(Z): 1[Z > 0] for ReLU (0 at the kink), sigma(Z) (1 - sigma(Z)) for the sigmoid."""
    if activation not in _ACTIVATION_NAMES:
        raise ValueError(f"activation must be 'relu' or 'sigmoid', got {activation!r}")
    if activation == "relu":
        return (Z > 0).astype(Z.dtype)
    s = _sigmoid(Z)
    return s * (1.0 - s)


def reference_linear_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple:
    """(Z, cache): Z = A_prev W^T + b, cache = (A_prev, W, b) (the reference of the exercise)."""
    return A_prev @ W.T + b, (A_prev, W, b)


def reference_linear_activation_forward(
    A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str
) -> tuple:
    """(A, cache): Z = A_prev W^T + b, A = g(Z) with g = ReLU or sigmoid, cache = (A_prev,
    W, b, Z) (the reference of the exercise)."""
    Z, linear_cache = reference_linear_forward(A_prev, W, b)
    return _activate(Z, activation), linear_cache + (Z,)


def reference_compute_cost(ZL: np.ndarray, Y: np.ndarray) -> tuple[float, np.ndarray]:
    """(J, dZ^[L]) for the cross-entropy of A^[L] = sigma(Z^[L]) against labels Y in {0, 1}:
    J = -(1/m) sum_i [y_i log a_i + (1 - y_i) log(1 - a_i)] = (1/m) sum_i [log(1 + e^{z_i})
    - y_i z_i], and dZ^[L] = (A^[L] - Y) / m (the reference of the exercise)."""
    m = ZL.shape[0]
    J = np.sum(np.logaddexp(0.0, ZL) - Y * ZL) / m
    return float(J), (_sigmoid(ZL) - Y) / m


def reference_linear_backward(dZ: np.ndarray, cache: tuple) -> tuple:
    """(dA_prev, dW, db) = (dZ W, dZ^T A_prev, sum over examples of dZ); dZ already carries
    the 1/m (the reference of the exercise)."""
    A_prev, W, _ = cache[:3]
    return dZ @ W, dZ.T @ A_prev, dZ.sum(axis=0)


def reference_linear_activation_backward(dA: np.ndarray, cache: tuple, activation: str) -> tuple:
    """(dA_prev, dW, db) from dZ = dA * g'(Z) and the linear backward; cache = (A_prev, W,
    b, Z) (the reference of the exercise)."""
    dZ = dA * _slope(cache[3], activation)
    return reference_linear_backward(dZ, cache[:3])


def reference_update_parameters(parameters: list, grads: list, learning_rate: float) -> list:
    """[(W - alpha dW, b - alpha db) for each layer]: new arrays, the caller's ``parameters``
    unchanged (the reference of the exercise)."""
    return [
        (W - learning_rate * dW, b - learning_rate * db)
        for (W, b), (dW, db) in zip(parameters, grads)
    ]


def _diagnosed(args: tuple, reference: Callable, hint: str, wrong: dict) -> DiagnosedCase:
    """A hidden case on ``args``: the reference's answer, and each named wrong answer
    ``wrong[hint] = fn`` run on copies of the same arguments."""
    mistakes = []
    for wrong_hint, fn in wrong.items():
        with np.errstate(all="ignore"):
            mistakes.append(Mistake(fn(*_copied(args)), wrong_hint))
    return DiagnosedCase(Case(_copied(args), reference(*_copied(args)), hint), mistakes)


def _copied(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_copied(v) for v in value)
    return value


def _layer(rng: np.random.Generator, m: int, n_prev: int, n: int) -> tuple:
    """A_prev (m, n_prev), W (n, n_prev), b (n,) drawn from ``rng``."""
    return (
        rng.standard_normal((m, n_prev)),
        rng.standard_normal((n, n_prev)) / np.sqrt(n_prev),
        0.2 * rng.standard_normal(n),
    )


# (m, n^[l-1], n^[l]) of the hidden cases: never square, so a transpose cannot pass unseen
_SHAPES = [(5, 3, 4), (2, 6, 1), (7, 4, 3)]


# ------------------------------------------------------------------ linear_forward
_LINEAR_FORWARD_WRONG = {
    "add the bias: Z = A_prev @ W.T + b.": lambda A, W, b: (A @ W.T, (A, W, b)),
    "examples are in rows here: Z = A_prev @ W.T + b, of shape (m, n^[l]); W @ A_prev.T "
    "is the column convention's Z, transposed.": lambda A, W, b: ((A @ W.T + b).T, (A, W, b)),
    "the cache keeps the layer's input A_prev (what dW needs), not its output Z.": lambda A, W, b: (
        A @ W.T + b,
        (A @ W.T + b, W, b),
    ),
    "keep the cache in the order (A_prev, W, b).": lambda A, W, b: (A @ W.T + b, (W, A, b)),
    "return the pair (Z, cache), not Z alone.": lambda A, W, b: A @ W.T + b,
}


def _linear_forward_cases() -> list[DiagnosedCase]:
    rng = np.random.default_rng(311)
    hint = "Z = A_prev @ W.T + b, and the cache (A_prev, W, b)."
    return [
        _diagnosed(_layer(rng, *shape), reference_linear_forward, hint, _LINEAR_FORWARD_WRONG)
        for shape in _SHAPES
    ]


@graded
@exercise(
    items=("Z", "cache"),
    reference=reference_linear_forward,
    forbidden=("dlcourse.layers.dense_forward", "dlcourse.layers.Dense.forward"),
)
def check_linear_forward(linear_forward: Callable) -> CheckResult:
    """Check ``linear_forward(A_prev, W, b) -> (Z, (A_prev, W, b))``."""
    return run_with_mistakes("linear_forward", linear_forward, _linear_forward_cases())


# ------------------------------------------------------------------ linear_activation_forward
def _act_forward_wrong(activation: str) -> dict:
    other = "sigmoid" if activation == "relu" else "relu"

    def with_g(g, cache_A=False):
        def wrong(A_prev, W, b, act):
            Z = A_prev @ W.T + b
            A = g(Z)
            return A, (A_prev, W, b, A if cache_A else Z)

        return wrong

    return {
        f"activation='{activation}' asks for {'ReLU' if activation == 'relu' else 'the sigmoid'}"
        f": you applied the {'ReLU' if other == 'relu' else 'sigmoid'} (the two are swapped)": (
            with_g(lambda Z: _activate(Z, other))
        ),
        "apply the activation g to Z: A = g(Z).": with_g(lambda Z: Z),
        "the cache keeps Z, the pre-activation (the backward needs g'(Z)), not A = g(Z); an "
        "activation computed in place (out=Z) overwrites the cached Z.": with_g(
            lambda Z: _activate(Z, activation), cache_A=True
        ),
        "here a layer's cache is one flat tuple (A_prev, W, b, Z), not ((A_prev, W, b), Z).": (
            lambda A_prev, W, b, act: (
                _activate(A_prev @ W.T + b, act),
                ((A_prev, W, b), A_prev @ W.T + b),
            )
        ),
        "the sigmoid is 1 / (1 + exp(-Z)), with a minus sign.": with_g(
            lambda Z: 1.0 / (1.0 + np.exp(Z)) if activation == "sigmoid" else np.maximum(Z, 0)
        ),
    }


def _act_forward_cases() -> list[DiagnosedCase]:
    rng = np.random.default_rng(312)
    hint = "Z = A_prev @ W.T + b, A = g(Z) for the activation named, cache (A_prev, W, b, Z)."
    out = []
    for shape, activation in zip(_SHAPES + [(4, 5, 2)], ["relu", "sigmoid", "sigmoid", "relu"]):
        args = _layer(rng, *shape) + (activation,)
        wrong = _act_forward_wrong(activation)
        out.append(_diagnosed(args, reference_linear_activation_forward, hint, wrong))
    return out


@graded
@exercise(
    items=("A", "cache"),
    reference=reference_linear_activation_forward,
    forbidden=(
        "dlcourse.layers.dense_forward",
        "dlcourse.layers.Dense.forward",
        "dlcourse.activations.sigmoid",
        "dlcourse.activations.sigmoid_forward",
        "dlcourse.activations.relu_forward",
        "dlcourse.activations.Activation.forward",
    ),
)
def check_linear_activation_forward(linear_activation_forward: Callable) -> CheckResult:
    """Check ``linear_activation_forward(A_prev, W, b, activation) -> (A, (A_prev, W, b,
    Z))`` for activation 'relu' and 'sigmoid'."""
    return run_with_mistakes(
        "linear_activation_forward", linear_activation_forward, _act_forward_cases()
    )


# ------------------------------------------------------------------ compute_cost
def _cost_wrong(ZL: np.ndarray, Y: np.ndarray) -> dict:
    m = ZL.shape[0]
    J, dZL = reference_compute_cost(ZL, Y)
    A = _sigmoid(ZL)
    return {
        "the cost is the mean over the m examples: divide the sum by m.": (J * m, dZL),
        "dZ^[L] carries the 1/m of the mean cost: (A^[L] - Y) / m.": (J, dZL * m),
        "dZ^[L] = (A^[L] - Y) / m with A^[L] = sigmoid(Z^[L]): you used Z^[L] itself "
        "where its sigmoid belongs.": (J, (ZL - Y) / m),
        "mind the signs: J = -(1/m) sum [y log a + (1 - y) log(1 - a)] is positive, and "
        "dZ^[L] = (A^[L] - Y) / m.": (-J, dZL),
        "the gradient points uphill: dZ^[L] = (A^[L] - Y) / m, not (Y - A^[L]) / m.": (J, -dZL),
        "that is dA^[L] = -(Y / A - (1 - Y) / (1 - A)) / m: multiply it by the sigmoid's "
        "slope A (1 - A) to get dZ^[L].": (J, -(Y / A - (1 - Y) / (1 - A)) / m),
        "return the cost as a number (float(...)), not an array.": (np.array([[J]]), dZL),
        "m is the number of examples, ZL.shape[0] here (examples in rows): ZL.shape[1] "
        "counts the output units.": (J * m, dZL * m),
        "return the pair (J, dZL): the backward pass starts from dZL.": J,
    }


def _cost_cases() -> list[DiagnosedCase]:
    rng = np.random.default_rng(313)
    hint = "a = sigmoid(z); J = -mean(y log a + (1 - y) log(1 - a)); dZ^[L] = (A^[L] - Y) / m."
    out = []
    for m, scale in [(6, 1.5), (9, 3.0), (4, 0.5)]:
        ZL = scale * rng.standard_normal((m, 1))
        Y = (rng.random((m, 1)) < 0.5).astype(float)
        Y[0, 0], Y[1, 0] = 0.0, 1.0  # both classes in every case
        mistakes = [Mistake(value, h) for h, value in _cost_wrong(ZL, Y).items()]
        out.append(
            DiagnosedCase(
                Case((ZL.copy(), Y.copy()), reference_compute_cost(ZL, Y), hint), mistakes
            )
        )
    return out


@graded
@exercise(
    items=("cost", "dZL"),
    reference=reference_compute_cost,
    forbidden=(
        "dlcourse.losses.BinaryCrossEntropy.forward",
        "dlcourse.activations.sigmoid",
        "dlcourse.activations.sigmoid_forward",
        *GRADIENT_HELPERS,
    ),
)
def check_compute_cost(compute_cost: Callable) -> CheckResult:
    """Check ``compute_cost(ZL, Y) -> (J, dZL)``: the cross-entropy of sigmoid(Z^[L]) and its
    gradient with respect to Z^[L]."""
    return run_with_mistakes("compute_cost", compute_cost, _cost_cases())


# ------------------------------------------------------------------ linear_backward
def _linear_backward_wrong(dZ: np.ndarray, cache: tuple) -> dict:
    A_prev, W, _ = cache[:3]
    m = dZ.shape[0]
    dA, dW, db = dZ @ W, dZ.T @ A_prev, dZ.sum(axis=0)
    return {
        "dZ already carries the 1/m of the mean cost: do not divide by m again.": (
            dA,
            dW / m,
            db / m,
        ),
        "db is the sum of dZ over the examples (axis 0), not the mean.": (dA, dW, db / m),
        "dW must have W's shape (n^[l], n^[l-1]): dZ.T @ A_prev.": (dA, dW.T, db),
        "db has b's shape (n^[l],): sum over axis 0 without keepdims.": (dA, dW, db[None, :]),
        "dA_prev must have A_prev's shape (m, n^[l-1]): dZ @ W in the row convention.": (
            dA.T,
            dW,
            db,
        ),
        "return (dA_prev, dW, db) in that order.": (dW, db, dA),
    }


def _linear_backward_cases() -> list[DiagnosedCase]:
    rng = np.random.default_rng(314)
    hint = "dA_prev = dZ @ W, dW = dZ.T @ A_prev, db = dZ summed over the examples."
    out = []
    for m, n_prev, n in _SHAPES:
        A_prev, W, b = _layer(rng, m, n_prev, n)
        dZ = rng.standard_normal((m, n)) / m
        wrong = _linear_backward_wrong(dZ, (A_prev, W, b))
        mistakes = [Mistake(value, h) for h, value in wrong.items()]
        case = Case(
            (dZ.copy(), (A_prev, W, b)), reference_linear_backward(dZ, (A_prev, W, b)), hint
        )
        out.append(DiagnosedCase(case, mistakes))
    return out


_BACKWARD_FORBIDDEN = (
    *GRADIENT_HELPERS,
    "dlcourse.layers.dense_backward",
    "dlcourse.layers.Dense.backward",
)


@graded
@exercise(
    items=("dA_prev", "dW", "db"),
    reference=reference_linear_backward,
    forbidden=_BACKWARD_FORBIDDEN,
)
def check_linear_backward(linear_backward: Callable) -> CheckResult:
    """Check ``linear_backward(dZ, (A_prev, W, b)) -> (dA_prev, dW, db)``."""
    return run_with_mistakes(
        "linear_backward",
        linear_backward,
        _linear_backward_cases(),
        rtol=1e-11,
        atol=1e-13,
        estimated=ESTIMATED,
    )


# ------------------------------------------------------------------ linear_activation_backward
def _act_backward_wrong(dA: np.ndarray, cache: tuple, activation: str) -> dict:
    A_prev, W, b, Z = cache
    other = "sigmoid" if activation == "relu" else "relu"
    name = {"relu": "ReLU", "sigmoid": "sigmoid"}

    def through(dZ):
        return reference_linear_backward(dZ, (A_prev, W, b))

    wrong = {
        f"activation='{activation}' needs the {name[activation]}'s slope: you used the "
        f"{name[other]}'s (the two are swapped).": through(dA * _slope(Z, other)),
        "multiply dA by the activation's slope g'(Z) first: dZ = dA * g'(Z).": through(dA),
        "dZ = dA * g'(Z) multiplies the incoming gradient; g'(Z) alone drops dA.": through(
            _slope(Z, activation) + 0.0 * dA
        ),
        "dZ already carries the 1/m of the mean cost: do not divide by m again.": tuple(
            g / dA.shape[0] if i else g for i, g in enumerate(through(dA * _slope(Z, activation)))
        ),
    }
    if activation == "sigmoid":
        wrong[
            "the cache holds Z, not A: the sigmoid's slope is s (1 - s) with s = sigmoid(Z), "
            "not Z (1 - Z)."
        ] = through(dA * Z * (1.0 - Z))
    else:
        wrong[
            "at Z = 0 exactly, ReLU's derivative is taken as 0 (like the package and PyTorch): "
            "mask with Z > 0, not Z >= 0."
        ] = through(dA * (Z >= 0))
    return wrong


def _act_backward_cases() -> list[DiagnosedCase]:
    rng = np.random.default_rng(315)
    hint = "dZ = dA * g'(Z) with the Z of the cache, then the linear backward of section 2."
    out = []
    for (m, n_prev, n), activation in zip(
        _SHAPES + [(3, 2, 5)], ["relu", "sigmoid", "sigmoid", "relu"]
    ):
        A_prev, W, b = _layer(rng, m, n_prev, n)
        if activation == "relu":  # a kink: the first unit's Z is exactly 0 on the first example
            b[0] = -(A_prev @ W.T)[0, 0]
        _, cache = reference_linear_activation_forward(A_prev, W, b, activation)
        dA = rng.standard_normal((m, n)) / m
        wrong = _act_backward_wrong(dA, cache, activation)
        mistakes = [Mistake(value, h) for h, value in wrong.items()]
        expected = reference_linear_activation_backward(dA, cache, activation)
        out.append(DiagnosedCase(Case((dA.copy(), cache, activation), expected, hint), mistakes))
    return out


@graded
@exercise(
    items=("dA_prev", "dW", "db"),
    reference=reference_linear_activation_backward,
    forbidden=(
        *_BACKWARD_FORBIDDEN,
        "dlcourse.activations.relu_backward",
        "dlcourse.activations.sigmoid_backward",
        "dlcourse.activations.Activation.backward",
    ),
)
def check_linear_activation_backward(linear_activation_backward: Callable) -> CheckResult:
    """Check ``linear_activation_backward(dA, (A_prev, W, b, Z), activation) -> (dA_prev, dW,
    db)`` for activation 'relu' and 'sigmoid'."""
    return run_with_mistakes(
        "linear_activation_backward",
        linear_activation_backward,
        _act_backward_cases(),
        rtol=1e-11,
        atol=1e-13,
        estimated=ESTIMATED,
    )


# ------------------------------------------------------------------ update_parameters
def _update_wrong(parameters: list, grads: list, lr: float) -> dict:
    return {
        "step against the gradient: W - learning_rate * dW (a minus sign).": [
            (W + lr * dW, b + lr * db) for (W, b), (dW, db) in zip(parameters, grads)
        ],
        "update the biases too: b - learning_rate * db.": [
            (W - lr * dW, b) for (W, b), (dW, _) in zip(parameters, grads)
        ],
        "grads[0] belongs to layer 1: pair each layer's (W, b) with its own (dW, db).": [
            (W - lr * dW, b - lr * db) if W.shape == dW.shape else (W, b)
            for (W, b), (dW, db) in zip(parameters, grads[::-1])
        ],
        "return every layer, updated, as a list of pairs [(W1, b1), ..., (WL, bL)].": [
            (W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(parameters[:1], grads[:1])
        ],
        "that is the step alone: return the new parameters, W - learning_rate * dW.": [
            (-lr * dW, -lr * db) for dW, db in grads
        ],
    }


def _update_cases() -> list[DiagnosedCase]:
    rng = np.random.default_rng(316)
    hint = "each layer's new pair is (W - learning_rate * dW, b - learning_rate * db)."
    out = []
    for sizes, lr in [([3, 4, 2], 0.05), ([2, 5, 3, 1], 0.3), ([4, 6, 6, 2], 1.2)]:
        params = _parameters(sizes, rng)
        grads = [(rng.standard_normal(W.shape), rng.standard_normal(b.shape)) for W, b in params]
        mistakes = [Mistake(v, h) for h, v in _update_wrong(params, grads, lr).items()]
        expected = reference_update_parameters(params, grads, lr)
        out.append(
            DiagnosedCase(Case((_copied(params), _copied(grads), lr), expected, hint), mistakes)
        )
    return out


@graded
@exercise(
    items=("layer {n}", ("W", "b")),
    reference=reference_update_parameters,
    forbidden=("dlcourse.optim.optimizers.Optimizer.step",),
)
def check_update_parameters(update_parameters: Callable) -> CheckResult:
    """Check ``update_parameters(parameters, grads, learning_rate) -> new parameters``, one
    gradient-descent step that leaves the caller's ``parameters`` unchanged."""
    return run_with_mistakes("update_parameters", update_parameters, _update_cases())


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
Q_DIGITS_TEST = Question(
    "Q_DIGITS_TEST",
    "b",
    "On every seed the network fits all its training images and reads between 0.96 and 0.99 "
    "of the test images correctly (the table below prints each seed): it learned what tells "
    "a 3 from an 8 well, not perfectly, and the images it misreads are ones it never saw. "
    "The gap between training and test accuracy is overfitting, the subject of notebook 05.",
    choices={
        "a": "also 1.000 on every seed: a network that fits every training image has learned "
        "the digits",
        "b": "below 1.000 on every seed, but above 0.95",
        "c": "near 0.5, chance: a network this size only memorises its training images",
    },
)
