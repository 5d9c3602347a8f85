"""Notebook 03's building blocks (the DLS C1W4 path): the notebook's solutions pass, and at
least eight wrong answers per block, the kinds learners write (a transpose, a missing or
extra 1/m, A where Z belongs, sigmoid and ReLU swapped, the cache in the wrong order or
changed in place, a package shortcut), are refused with the hint they deserve."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.exercises import topic_checks

CHECKS = topic_checks()
INPLACE = "in place — work on a copy"
SHORTCUT = "which this exercise asks you to write yourself"


# ------------------------------------------------------------------ the notebook's solutions
def linear_forward(A_prev, W, b):
    """Return (Z, cache) with cache = (A_prev, W, b)."""
    Z = A_prev @ W.T + b
    return Z, (A_prev, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    """Return (A, cache) with cache = (A_prev, W, b, Z); activation 'relu' or 'sigmoid'."""
    Z, linear_cache = linear_forward(A_prev, W, b)
    if activation == "relu":
        A = np.maximum(Z, 0.0)
    elif activation == "sigmoid":
        A = 1.0 / (1.0 + np.exp(-Z))
    else:
        raise ValueError(f"unknown activation {activation!r}")
    return A, linear_cache + (Z,)


def L_model_forward(X, parameters):
    """Return (ZL, caches) with caches[l-1] = (A_prev, W, b, Z) for layer l."""
    caches, A = [], X
    for W, b in parameters[:-1]:
        A, cache = linear_activation_forward(A, W, b, "relu")
        caches.append(cache)
    W, b = parameters[-1]
    ZL, linear_cache = linear_forward(A, W, b)
    caches.append(linear_cache + (ZL,))
    return ZL, caches


def compute_cost(ZL, Y):
    """Return (cost, dZL) for the cross-entropy of A = sigmoid(ZL) against Y."""
    m = ZL.shape[0]
    AL = 1.0 / (1.0 + np.exp(-ZL))
    cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m
    return float(cost), (AL - Y) / m


def linear_backward(dZ, cache):
    """Return (dA_prev, dW, db); dZ already carries the 1/m."""
    A_prev, W, b = cache
    return dZ @ W, dZ.T @ A_prev, dZ.sum(axis=0)


def linear_activation_backward(dA, cache, activation):
    """Return (dA_prev, dW, db) for a layer with cache (A_prev, W, b, Z)."""
    A_prev, W, b, Z = cache
    if activation == "relu":
        dZ = dA * (Z > 0)
    elif activation == "sigmoid":
        s = 1.0 / (1.0 + np.exp(-Z))
        dZ = dA * s * (1 - s)
    else:
        raise ValueError(f"unknown activation {activation!r}")
    return linear_backward(dZ, (A_prev, W, b))


def L_model_backward(dZL, caches):
    """Return [(dW, db) for each layer, layer 1 first]."""
    A_prev, W, b, _ = caches[-1]
    dA, dW, db = linear_backward(dZL, (A_prev, W, b))
    grads = [(dW, db)]
    for cache in reversed(caches[:-1]):
        dA, dW, db = linear_activation_backward(dA, cache, "relu")
        grads.insert(0, (dW, db))
    return grads


def update_parameters(parameters, grads, learning_rate):
    """Return the new list [(W, b), ...] after one gradient-descent step."""
    return [
        (W - learning_rate * dW, b - learning_rate * db)
        for (W, b), (dW, db) in zip(parameters, grads)
    ]


SOLUTIONS = {
    "deep_network.check_linear_forward": linear_forward,
    "deep_network.check_linear_activation_forward": linear_activation_forward,
    "deep_network.check_L_model_forward": L_model_forward,
    "deep_network.check_compute_cost": compute_cost,
    "deep_network.check_linear_backward": linear_backward,
    "deep_network.check_linear_activation_backward": linear_activation_backward,
    "deep_network.check_L_model_backward": L_model_backward,
    "deep_network.check_update_parameters": update_parameters,
}


@pytest.mark.parametrize("key", sorted(SOLUTIONS))
def test_the_notebooks_solution_passes(key):
    result = CHECKS[key](SOLUTIONS[key])
    assert result.passed, result.message


# ------------------------------------------------------------------ wrong answers
def _sig(Z):
    return 1.0 / (1.0 + np.exp(-Z))


def _lf_inplace(A_prev, W, b):
    A_prev *= 1.0  # harmless so far
    W -= 0.0 * W
    Z = A_prev @ W.T
    Z += b
    b += 1.0  # writes into the caller's bias
    return Z, (A_prev, W, b)


def _laf(g=None, cache=None, in_place=False):
    def answer(A_prev, W, b, activation):
        Z = A_prev @ W.T + b
        act = g(activation) if g else activation
        if act == "none":
            A = Z
        elif in_place:
            A = np.maximum(Z, 0.0, out=Z) if act == "relu" else _sig(Z)
        else:
            A = np.maximum(Z, 0.0) if act == "relu" else _sig(Z)
        return A, (cache(A_prev, W, b, Z, A) if cache else (A_prev, W, b, Z))

    return answer


def _swap(activation):
    return {"relu": "sigmoid", "sigmoid": "relu"}[activation]


def _cost(change):
    def answer(ZL, Y):
        m = ZL.shape[0]
        AL = _sig(ZL)
        cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m
        return change(ZL, Y, AL, cost, m)

    return answer


def _cost_in_place(ZL, Y):
    m = ZL.shape[0]
    AL = _sig(ZL)
    cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m
    AL -= Y
    Y *= 0.0  # the caller's labels overwritten
    return float(cost), AL / m


def _cost_with_package(ZL, Y):
    loss = dl.BinaryCrossEntropy()
    return loss.forward(ZL, Y), loss.backward()


def _lb(change):
    def answer(dZ, cache):
        A_prev, W, b = cache
        m = dZ.shape[0]
        return change(dZ, A_prev, W, m)

    return answer


def _lb_package(dZ, cache):
    from dlcourse.layers import dense_backward

    A_prev, W, _ = cache
    return dense_backward(dZ, (A_prev, W))


def _lb_by_differences(dZ, cache, h=1e-6):
    A_prev, W, b = cache
    dW = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        Wp, Wm = W.copy(), W.copy()
        Wp[idx] += h
        Wm[idx] -= h
        dW[idx] = (np.sum(dZ * (A_prev @ Wp.T)) - np.sum(dZ * (A_prev @ Wm.T))) / (2 * h)
    return dZ @ W, dW, dZ.sum(axis=0)


def _lab(slope, m_extra=False):
    def answer(dA, cache, activation):
        A_prev, W, b, Z = cache
        dZ = slope(dA, Z, activation)
        dA_prev, dW, db = dZ @ W, dZ.T @ A_prev, dZ.sum(axis=0)
        if m_extra:
            dW, db = dW / dA.shape[0], db / dA.shape[0]
        return dA_prev, dW, db

    return answer


def _right_slope(dA, Z, activation):
    if activation == "relu":
        return dA * (Z > 0)
    s = _sig(Z)
    return dA * s * (1 - s)


def _lab_mask_in_place(dA, cache, activation):
    A_prev, W, b, Z = cache
    if activation == "relu":
        Z[Z <= 0] = 0.0  # the cached Z changed: ReLU applied to it
        dZ = dA * (Z > 0)
    else:
        s = _sig(Z)
        dZ = dA * s * (1 - s)
    return dZ @ W, dZ.T @ A_prev, dZ.sum(axis=0)


def _lab_package(dA, cache, activation):
    from dlcourse.activations import relu_backward, sigmoid, sigmoid_backward

    A_prev, W, b, Z = cache
    dZ = relu_backward(dA, Z > 0) if activation == "relu" else sigmoid_backward(dA, sigmoid(Z))
    return dZ @ W, dZ.T @ A_prev, dZ.sum(axis=0)


def _up(change):
    def answer(parameters, grads, learning_rate):
        return change(parameters, grads, learning_rate)

    return answer


def _up_in_place(parameters, grads, learning_rate):
    for (W, b), (dW, db) in zip(parameters, grads):
        W -= learning_rate * dW
        b -= learning_rate * db
    return parameters


def _up_fixed_lr(parameters, grads, learning_rate):
    return update_parameters(parameters, grads, 0.01)


def _up_with_sgd(parameters, grads, learning_rate):
    params = [dl.Parameter(W.copy()) for W, _ in parameters]
    for p, (dW, _) in zip(params, grads):
        p.grad = dW
    dl.optim.SGD(params, learning_rate).step()
    return [
        (p.value, b - learning_rate * db) for p, (_, b), (_, db) in zip(params, parameters, grads)
    ]


# run by tests/test_grader_wrong_answers.py (it collects the WRONG* dicts of these files)
WRONG = {
    "deep_network.check_linear_forward": [
        (lambda A, W, b: (A @ W.T, (A, W, b)), "add the bias"),
        (lambda A, W, b: ((W @ A.T + b[:, None]), (A, W, b)), "column convention"),
        (lambda A, W, b: (A @ W.T + b, (A @ W.T + b, W, b)), "keeps the layer's input A_prev"),
        (lambda A, W, b: (A @ W.T + b, (W, A, b)), "the order (A_prev, W, b)"),
        (lambda A, W, b: (A @ W.T + b, (A, W)), "cache"),
        (lambda A, W, b: A @ W.T + b, "not Z alone"),
        (lambda A, W, b: (A @ W + b, (A, W, b)), "raised ValueError"),
        (lambda A, W, b: (A @ W.T - b, (A, W, b)), "Z = A_prev @ W.T + b"),
        (_lf_inplace, INPLACE),
        (lambda A, W, b: dl.layers.dense_forward(A, W, b)[0:1] + ((A, W, b),), SHORTCUT),
    ],
    "deep_network.check_linear_activation_forward": [
        (_laf(g=_swap), "swapped"),
        (_laf(g=lambda a: "relu"), "swapped"),
        (_laf(g=lambda a: "none"), "apply the activation"),
        (_laf(cache=lambda A_prev, W, b, Z, A: (A_prev, W, b, A)), "not A = g(Z)"),
        (_laf(in_place=True), "not A = g(Z)"),
        (_laf(cache=lambda A_prev, W, b, Z, A: ((A_prev, W, b), Z)), "one flat tuple"),
        (_laf(cache=lambda A_prev, W, b, Z, A: (A_prev, W, b)), "cache"),
        (_laf(cache=lambda A_prev, W, b, Z, A: (Z, W, b, Z)), "cache"),
        (
            lambda A_prev, W, b, act: (
                np.maximum(A_prev @ W.T + b, 0)
                if act == "relu"
                else 1 / (1 + np.exp(A_prev @ W.T + b)),
                (A_prev, W, b, A_prev @ W.T + b),
            ),
            "with a minus sign",
        ),
        (
            lambda A_prev, W, b, act: (
                dl.activations.sigmoid(A_prev @ W.T + b)
                if act == "sigmoid"
                else np.maximum(A_prev @ W.T + b, 0),
                (A_prev, W, b, A_prev @ W.T + b),
            ),
            SHORTCUT,
        ),
    ],
    "deep_network.check_compute_cost": [
        (_cost(lambda Z, Y, A, c, m: (c * m, (A - Y) / m)), "divide the sum by m"),
        (_cost(lambda Z, Y, A, c, m: (c, A - Y)), "carries the 1/m"),
        (_cost(lambda Z, Y, A, c, m: (c, (Z - Y) / m)), "where its sigmoid belongs"),
        (_cost(lambda Z, Y, A, c, m: (-c, (A - Y) / m)), "mind the signs"),
        (_cost(lambda Z, Y, A, c, m: (c, (Y - A) / m)), "points uphill"),
        (_cost(lambda Z, Y, A, c, m: (c, -(Y / A - (1 - Y) / (1 - A)) / m)), "dA^[L]"),
        (_cost(lambda Z, Y, A, c, m: (np.array([[c]]), (A - Y) / m)), "as a number"),
        (_cost(lambda Z, Y, A, c, m: (c, (A - Y) / m, A)), "you returned a tuple of length 3"),
        (_cost(lambda Z, Y, A, c, m: (-np.mean(Y * np.log(A)), (A - Y) / m)), "J = -mean"),
        (
            lambda ZL, Y: (
                -np.sum(Y * np.log(_sig(ZL)) + (1 - Y) * np.log(1 - _sig(ZL))) / ZL.shape[1],
                (_sig(ZL) - Y) / ZL.shape[1],
            ),
            "ZL.shape[0] here",
        ),
        (lambda ZL, Y: compute_cost(ZL, Y)[0], "return the pair (J, dZL)"),
        (_cost_in_place, INPLACE),
        (_cost_with_package, SHORTCUT),
    ],
    "deep_network.check_linear_backward": [
        (_lb(lambda dZ, A, W, m: (dZ @ W, dZ.T @ A / m, dZ.sum(0) / m)), "do not divide by m"),
        (_lb(lambda dZ, A, W, m: (dZ @ W, dZ.T @ A, dZ.mean(0))), "not the mean"),
        (_lb(lambda dZ, A, W, m: (dZ @ W, A.T @ dZ, dZ.sum(0))), "W's shape"),
        (_lb(lambda dZ, A, W, m: (dZ @ W, dZ.T @ A, dZ.sum(0, keepdims=True))), "b's shape"),
        (_lb(lambda dZ, A, W, m: (W.T @ dZ.T, dZ.T @ A, dZ.sum(0))), "A_prev's shape"),
        (_lb(lambda dZ, A, W, m: (dZ.T @ A, dZ.sum(0), dZ @ W)), "in that order"),
        (_lb(lambda dZ, A, W, m: (dZ @ W, dZ.T @ A, dZ.sum(1))), "summed over the examples"),
        (_lb(lambda dZ, A, W, m: (dZ @ W.T, dZ.T @ A, dZ.sum(0))), "raised ValueError"),
        (_lb_package, SHORTCUT),
        (_lb_by_differences, "not exact"),
    ],
    "deep_network.check_linear_activation_backward": [
        (_lab(lambda dA, Z, a: _right_slope(dA, Z, _swap(a))), "swapped"),
        (_lab(lambda dA, Z, a: dA), "slope g'(Z) first"),
        (_lab(lambda dA, Z, a: _right_slope(np.ones_like(dA), Z, a)), "drops dA"),
        (_lab(_right_slope, m_extra=True), "do not divide by m"),
        (
            _lab(lambda dA, Z, a: dA * Z * (1 - Z) if a == "sigmoid" else dA * (Z > 0)),
            "not Z (1 - Z)",
        ),
        (_lab(lambda dA, Z, a: dA * (Z >= 0) if a == "relu" else _right_slope(dA, Z, a)), "Z >= 0"),
        (
            _lab(
                lambda dA, Z, a: (
                    dA * _sig(_sig(Z)) * (1 - _sig(_sig(Z))) if a == "sigmoid" else dA * (Z > 0)
                )
            ),
            "dZ = dA * g'(Z)",
        ),
        (
            _lab(lambda dA, Z, a: dA * np.maximum(Z, 0) if a == "relu" else _right_slope(dA, Z, a)),
            "dZ = dA * g'(Z)",
        ),
        (_lab_mask_in_place, INPLACE),
        (_lab_package, SHORTCUT),
    ],
    "deep_network.check_update_parameters": [
        (
            _up(lambda P, G, lr: [(W + lr * dW, b + lr * db) for (W, b), (dW, db) in zip(P, G)]),
            "minus sign",
        ),
        (_up(lambda P, G, lr: [(W - lr * dW, b) for (W, b), (dW, db) in zip(P, G)]), "biases too"),
        (
            _up(
                lambda P, G, lr: [
                    (W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(P[:1], G[:1])
                ]
            ),
            "every layer",
        ),
        (_up(lambda P, G, lr: [(-lr * dW, -lr * db) for dW, db in G]), "the step alone"),
        (
            _up(
                lambda P, G, lr: {
                    f"W{l}": W - lr * dW for l, ((W, b), (dW, db)) in enumerate(zip(P, G), 1)
                }
            ),
            "a dict",
        ),
        (
            _up(
                lambda P, G, lr: [
                    (W - lr * dW, b - lr * dW.sum(1)) for (W, b), (dW, db) in zip(P, G)
                ]
            ),
            "learning_rate * db",
        ),
        (
            _up(
                lambda P, G, lr: [
                    (W - lr**2 * dW, b - lr**2 * db) for (W, b), (dW, db) in zip(P, G)
                ]
            ),
            "W - learning_rate * dW",
        ),
        (_up_in_place, INPLACE),
        (_up_fixed_lr, "`learning_rate`"),
        (_up_with_sgd, SHORTCUT),
    ],
}


def test_every_new_block_has_at_least_eight_wrong_answers():
    assert {key for key in SOLUTIONS if key not in WRONG} == {
        "deep_network.check_L_model_forward",
        "deep_network.check_L_model_backward",
    }  # those two keep theirs in tests/test_grader_wrong_answers.py
    short = {key: len(answers) for key, answers in WRONG.items() if len(answers) < 8}
    assert not short, short
