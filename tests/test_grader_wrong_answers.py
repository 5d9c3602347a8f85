"""At least eight wrong answers per exercise, the kinds learners write (an input changed in
place, the rng ignored, an argument ignored, a forbidden shortcut, a near miss of the taught
rule, a plain slip), each refused with the hint it deserves."""

import copy
import math

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.exercises import topic_checks
from dlcourse.topics import ewa as ewa_topic
from test_grader_properties import SOLUTIONS, topic_answer_sets

S = SOLUTIONS
CHECKS = topic_checks()
INPLACE = "in place — work on a copy"
GLOBAL = "numpy's global generator"
SHORTCUT = "which this exercise asks you to write yourself"


def _np(z):
    return np.asarray(z, dtype=float)


# ------------------------------------------------------------------ 00, 01
def _count_only_weights(model):
    return sum(layer.W.value.size for layer in model if hasattr(layer, "W"))


def _grad_inplace(w, dw, lr):
    w -= lr * dw
    return w


WRONG = {
    "deep_network.check_count_parameters": [
        (_count_only_weights, "bias"),
        (lambda model: len(list(model.parameters())), ""),
        (lambda model: sum(p.value.shape[0] for p in model.parameters()), ""),
        (lambda model: float("nan"), ""),
        (lambda model: sum(p.value.size for p in model.parameters()) + 1, ""),
        (lambda model: len(model), ""),
        (lambda model: [p.value.size for p in model.parameters()], ""),
        (
            lambda model: sum(
                layer.W.value.size + layer.b.value.size
                for layer in model
                if isinstance(layer, dl.Dense)
            ),
            "",
        ),
    ],
    "gradient_descent.check_gd_step": [
        (lambda w, dw, lr: w + lr * dw, "against the gradient"),
        (lambda w, dw, lr: w - dw, "learning rate"),
        (lambda w, dw, lr: lr * dw, "not the step itself"),
        (lambda w, dw, lr: w - dw / lr, "do not divide"),
        (_grad_inplace, INPLACE),
        (lambda w, dw, lr: w - 0.1 * dw, "stays the same when `lr` changes"),
        (lambda w, dw, lr: w - lr * np.sign(dw), "w_new = w - lr * dw"),
        (lambda w, dw, lr: np.sum(w - lr * dw), ""),
    ],
    "gradient_descent.check_two_sided_difference": [
        (lambda J, w, eps: (J(w + eps) - J(w)) / eps, "one-sided"),
        (lambda J, w, eps: (J(w + eps) - J(w - eps)) / eps, "2 eps apart"),
        (lambda J, w, eps: J(w + eps) - J(w - eps), "divide the difference"),
        (lambda J, w, eps: (J(w - eps) - J(w + eps)) / (2 * eps), "sign is flipped"),
        (lambda J, w, eps: (J(w + 1e-3) - J(w - 1e-3)) / 2e-3, "stays the same when `eps`"),
        (lambda J, w, eps: (J(w + eps) - J(w - eps)) / 2 * eps, "2 * eps"),
        (
            lambda J, w, eps: float(dl.numerical_gradient(lambda: J(x[0]), x := np.array([w]))[0]),
            SHORTCUT,
        ),
        (lambda J, w, eps: (J(w + eps) - J(w)) / (2 * eps), "2 * eps"),
    ],
}


# ------------------------------------------------------------------ 02, 03, 04
def _act(change_kind, fn):
    def answer(dA, Z, kind, slope=0.01, alpha=1.0):
        if kind == change_kind:
            return fn(dA, Z, slope, alpha)
        return S["activations.check_activation_backward"](dA, Z, kind, slope, alpha)

    return answer


def _act_inplace(dA, Z, kind, slope=0.01, alpha=1.0):
    dA *= S["activations.check_activation_backward"](np.ones_like(dA), Z, kind, slope, alpha)
    return dA


def _act_by_differences(dA, Z, kind, slope=0.01, alpha=1.0):
    layer = {"sigmoid": dl.Sigmoid(), "tanh": dl.Tanh(), "relu": dl.ReLU()}.get(kind)
    if layer is None:
        layer = dl.LeakyReLU(slope) if kind == "leaky_relu" else dl.ELU(alpha)
    layer.forward(Z)
    return layer.backward(dA)


def _forward_popping(X, parameters):
    caches, A = [], X
    while parameters:
        W, b = parameters.pop(0)
        Z = A @ W.T + b
        caches.append((A, W, b, Z))
        A = np.maximum(Z, 0) if parameters else Z
    return A, caches


def _forward_with_layers(X, parameters):
    caches, A = [], X
    for l, (W, b) in enumerate(parameters, 1):
        layer = dl.Dense(W.shape[1], W.shape[0])
        layer.W.value[...], layer.b.value[...] = W, b
        Z = layer.forward(A)
        caches.append((A, W, b, Z))
        A = np.maximum(Z, 0) if l < len(parameters) else Z
    return A, caches


def _forward(kind):
    def answer(X, parameters):
        caches, A = [], X
        for l, (W, b) in enumerate(parameters, 1):
            Z = A @ W.T + (0 if kind == "no_bias" else b)
            last = l == len(parameters)
            A_next = Z if last and kind != "relu_last" else np.maximum(Z, 0)
            if kind == "sigmoid_last" and last:
                A_next = 1 / (1 + np.exp(-Z))
            if kind == "tanh_hidden" and not last:
                A_next = np.tanh(Z)
            if kind == "no_relu_before_last" and l == len(parameters) - 1:
                A_next = Z
            caches.append((A, W, b, Z) if kind != "cache_A" else (A_next, W, b, Z))
            A = A_next
        return (A, caches[::-1]) if kind == "reversed" else (A, caches)

    return answer


def _backward(kind):
    def answer(dZL, caches):
        grads, dZ, m = [], dZL, dZL.shape[0]
        for l in range(len(caches), 0, -1):
            A_prev, W, _, Z = caches[l - 1]
            dW, db = dZ.T @ A_prev, dZ.sum(axis=0)
            if kind == "over_m":
                dW, db = dW / m, db / m
            if kind == "db_mean":
                db = dZ.mean(axis=0)
            if kind == "db_keepdims":
                db = dZ.sum(axis=0, keepdims=True)
            grads.insert(0, (dW, db))
            if l > 1:
                Z_below = caches[l - 2][3]
                if kind == "mask_in_place":
                    Z_below[Z_below <= 0] = 0  # the cached Z changed in place
                    dZ = (dZ @ W) * (Z_below > 0)
                elif kind == "no_mask":
                    dZ = dZ @ W
                else:
                    dZ = (dZ @ W) * (Z_below > 0)
        if kind == "dict":
            return {l: g for l, g in enumerate(grads, 1)}
        return grads[::-1] if kind == "reversed" else grads

    return answer


def _backward_with_layers(dZL, caches):
    grads, dZ = [], dZL
    for l in range(len(caches), 0, -1):
        A_prev, W, b, Z = caches[l - 1]
        layer = dl.Dense(W.shape[1], W.shape[0])
        layer.W.value[...], layer.b.value[...] = W, b
        layer.forward(A_prev)
        layer.zero_grad()
        dA = layer.backward(dZ)
        grads.insert(0, (layer.W.grad.copy(), layer.b.grad.copy()))
        if l > 1:
            dZ = dA * (caches[l - 2][3] > 0)
    return grads


WRONG.update(
    {
        "activations.check_activation_backward": [
            (_act("sigmoid", lambda dA, Z, s, a: dA / (1 + np.exp(-Z))), ""),
            (_act("tanh", lambda dA, Z, s, a: dA * (1 - np.tanh(Z))), ""),
            (_act("relu", lambda dA, Z, s, a: dA * (Z >= 0)), ""),
            (_act("leaky_relu", lambda dA, Z, s, a: np.where(Z > 0, dA, 0.01 * dA)), ""),
            (_act("elu", lambda dA, Z, s, a: np.where(Z > 0, dA, dA * np.exp(Z))), ""),
            (_act("relu", lambda dA, Z, s, a: (Z > 0).astype(float)), ""),
            (_act_inplace, INPLACE),
            (_act_by_differences, SHORTCUT),
        ],
        "deep_network.check_L_model_forward": [
            (_forward("relu_last"), "no ReLU after the last layer"),
            (_forward("no_bias"), "add the bias"),
            (_forward("cache_A"), "cache the layer's input"),
            (_forward("reversed"), "layer order"),
            (_forward("sigmoid_last"), "the loss applies the sigmoid"),
            (_forward("tanh_hidden"), ""),
            (_forward("no_relu_before_last"), "the last hidden one too"),
            (_forward_popping, INPLACE),
            (_forward_with_layers, SHORTCUT),
        ],
        "deep_network.check_L_model_backward": [
            (_backward("over_m"), "do not divide by m again"),
            (_backward("db_mean"), "not the mean"),
            (_backward("no_mask"), "ReLU's derivative"),
            (_backward("reversed"), "layer order"),
            (_backward("db_keepdims"), "shape"),
            (_backward("dict"), ""),
            (_backward("mask_in_place"), INPLACE),
            (_backward_with_layers, SHORTCUT),
        ],
    }
)


def _diag(share=0.3, big=0.99, ratio_low=0.1, ratio_high=10.0, order="taught", stat=np.std):
    def answer(activations, activation):
        stds = np.array([np.std(A) for A in activations])
        spread = np.array([stat(A) for A in activations])
        saturated = activation == "tanh" and np.mean(np.abs(activations[-1]) > big) > share
        ratio = spread[-1] / spread[0]
        if order == "any_layer":
            saturated = activation == "tanh" and any(
                np.mean(np.abs(A) > big) > share for A in activations
            )
        if order == "explosion_first" and ratio > ratio_high:
            return "explosion", stds
        if order == "absolute":
            if saturated:
                return "saturation", stds
            if spread[-1] < 0.1:
                return "collapse", stds
            return ("explosion", stds) if spread[-1] > 10 else ("healthy", stds)
        if saturated:
            return "saturation", stds
        if ratio < ratio_low:
            return "collapse", stds
        return ("explosion", stds) if ratio > ratio_high else ("healthy", stds)

    return answer


def _diag_in_place(activations, activation):
    for A in activations:
        np.abs(A, out=A)  # the caller's arrays changed
    return S["initialization.check_diagnose_activations"](activations, activation)


WRONG.update(
    {
        "initialization.check_he_init": [
            (lambda shape, rng: rng.standard_normal(shape) * np.sqrt(2 / shape[0]), ""),
            (lambda shape, rng: rng.standard_normal(shape) * np.sqrt(1 / shape[1]), ""),
            (lambda shape, rng: rng.standard_normal(shape) * 2 / shape[1], ""),
            (lambda shape, rng: rng.uniform(-1, 1, shape) * np.sqrt(6 / shape[1]), ""),
            (lambda shape, rng: np.random.standard_normal(shape) * np.sqrt(2 / shape[1]), GLOBAL),
            (
                lambda shape, rng: (
                    np.random.default_rng(0).standard_normal(shape) * np.sqrt(2 / shape[1])
                ),
                "different seeds gave the same",
            ),
            (lambda shape, rng: dl.init.he(shape, rng), SHORTCUT),
            (lambda shape, rng: rng.standard_normal(shape[::-1]) * np.sqrt(2 / shape[1]), ""),
        ],
        "initialization.check_diagnose_activations": [
            (_diag(share=0.03), "30 %"),
            (_diag(share=0.5), "30 %"),
            (_diag(big=0.9), "|a| > 0.99 exactly"),
            (_diag(order="any_layer"), "last layer only"),
            (_diag(order="explosion_first"), "in order"),
            (_diag(ratio_low=0.32), "ratio of stds"),
            (_diag(ratio_high=5.0), "ratio"),
            (_diag(order="absolute"), "not the size"),
            (_diag(stat=np.mean), "mean"),
            (_diag_in_place, INPLACE),
        ],
    }
)


# ------------------------------------------------------------------ 05, 06
def _l2_squares_in_place(weights, lambd, m):
    for W in weights:
        W *= W
    return lambd / (2 * m) * sum(float(np.sum(W)) for W in weights)


def _l2_grad_in_place(weights, grads, lambd, m):
    for W, dW in zip(weights, grads):
        dW += lambd / m * W
    return grads


_kept_mask = {}


def _dropout(mask=None, scale=True, keep=None):
    def answer(A, keep_prob, rng):
        kp = keep if keep is not None else keep_prob
        D = mask(A, kp, rng) if mask else rng.random(A.shape) < kp
        return (A * D / kp if scale else A * D), D

    return answer


def _dropout_kept(A, keep_prob, rng):
    key = (A.shape, keep_prob)
    if key not in _kept_mask:
        _kept_mask[key] = rng.random(A.shape) < keep_prob
    D = _kept_mask[key]
    return A * D / keep_prob, D


def _dropout_in_place(A, keep_prob, rng):
    D = rng.random(A.shape) < keep_prob
    A *= D / keep_prob
    return A, D


def _dropout_backward_in_place(dout, D, keep_prob):
    dout *= D
    dout /= keep_prob
    return dout


def _two_sided(eps_fixed=None, restore=True, one_sided=False, package=False):
    def answer(f, x, eps):
        e = eps_fixed or eps
        if package:
            return dl.numerical_gradient(lambda: f(x), x, e)
        g = np.zeros_like(x, dtype=float)
        for i in np.ndindex(x.shape):
            old = x[i]
            x[i] = old + e
            plus = f(x)
            x[i] = old - e if not one_sided else old
            minus = f(x)
            if restore:
                x[i] = old
            g[i] = (plus - minus) / (e if one_sided else 2 * e)
        return g

    return answer


def _rel(special=None, denominator=None):
    def answer(g, g_approx):
        if special == "g zero" and not np.any(g):
            return 0.0
        if special == "close" and np.allclose(g, g_approx):
            return 0.0
        num = np.linalg.norm(g - g_approx)
        den = np.linalg.norm(g) + np.linalg.norm(g_approx)
        if denominator == "max1":
            den = max(den, 1.0)
        if denominator == "max":
            den = max(np.linalg.norm(g), np.linalg.norm(g_approx))
        return 0.0 if den == 0 else float(num / den)

    return answer


def _rel_in_place(g, g_approx):
    g -= g_approx
    return float(np.linalg.norm(g) / (np.linalg.norm(g + g_approx) + np.linalg.norm(g_approx)))


WRONG.update(
    {
        "regularization.check_l2_cost": [
            (lambda Ws, l, m: l / m * sum(np.sum(W**2) for W in Ws), "forget the 2"),
            (lambda Ws, l, m: l / 2 * sum(np.sum(W**2) for W in Ws), "divide by m"),
            (lambda Ws, l, m: l / (2 * m) * np.sum(Ws[0] ** 2), "every layer"),
            (lambda Ws, l, m: l / (2 * m) * sum(np.linalg.norm(W) for W in Ws), "squared norm"),
            (lambda Ws, l, m: l / (2 * m) * sum(np.sum(W) for W in Ws), "square the weights"),
            (lambda Ws, l, m: 0.7 / (2 * m) * sum(np.sum(W**2) for W in Ws), ""),
            (_l2_squares_in_place, INPLACE),
            (lambda Ws, l, m: dl.l2_penalty(_model_of(Ws), l, m), SHORTCUT),
        ],
        "regularization.check_l2_gradient": [
            (lambda Ws, dWs, l, m: [dW + l / (2 * m) * W for W, dW in zip(Ws, dWs)], "cancels"),
            (lambda Ws, dWs, l, m: [dW + l * W for W, dW in zip(Ws, dWs)], "divided by m"),
            (lambda Ws, dWs, l, m: [l / m * W for W in Ws], "L2 term alone"),
            (lambda Ws, dWs, l, m: [dW - l / m * W for W, dW in zip(Ws, dWs)], "points away"),
            (lambda Ws, dWs, l, m: [dW + l / m * np.sign(W) for W, dW in zip(Ws, dWs)], "L1"),
            (lambda Ws, dWs, l, m: list(dWs), "unchanged"),
            (_l2_grad_in_place, INPLACE),
            (
                lambda Ws, dWs, l, m: (
                    [dW + l / m * W for W, dW in zip(Ws[:1], dWs[:1])] + list(dWs[1:])
                ),
                "the gradient of layer 2",
            ),
        ],
        "regularization.check_dropout_forward": [
            (_dropout(scale=False), "divide by keep_prob"),
            (_dropout(mask=lambda A, kp, rng: rng.random(A.shape) > kp), "not when it is greater"),
            (
                _dropout(
                    mask=lambda A, kp, rng: np.broadcast_to(rng.random(A.shape[1]) < kp, A.shape)
                ),
                "every row of your mask is the same",
            ),
            (_dropout(mask=lambda A, kp, rng: np.random.random(A.shape) < kp), GLOBAL),
            (
                _dropout(mask=lambda A, kp, rng: np.random.default_rng(0).random(A.shape) < kp),
                "different seeds gave the same",
            ),
            (_dropout_kept, "same"),
            (_dropout_in_place, INPLACE),
            (_dropout(keep=0.8), ""),
            (
                lambda A, kp, rng: (lambda D: (A * D, D))(
                    dl.layers.dropout_mask(A.shape, 1 - kp, rng)
                ),
                SHORTCUT,
            ),
        ],
        "regularization.check_dropout_backward": [
            (lambda dout, D, kp: dout * D, "not the scale"),
            (lambda dout, D, kp: dout * D * kp, "don't multiply"),
            (lambda dout, D, kp: dout / kp, "apply the mask"),
            (lambda dout, D, kp: dout, "unchanged"),
            (lambda dout, D, kp: dout * (1 - D) / kp, "D = 1 means kept"),
            (lambda dout, D, kp: dout * D / (1 - kp), "not by the drop rate"),
            (lambda dout, D, kp: dout * D / 0.8, ""),
            (_dropout_backward_in_place, INPLACE),
            (lambda dout, D, kp: dl.layers.dropout_backward(dout, D / kp), SHORTCUT),
        ],
        "gradient_checking.check_two_sided_gradient": [
            (_two_sided(one_sided=True), "one-sided"),
            (_two_sided(restore=False), INPLACE),
            (_two_sided(eps_fixed=1e-5), ""),
            (_two_sided(package=True), SHORTCUT),
            (lambda f, x, eps: np.full_like(x, (f(x + eps) - f(x - eps)) / (2 * eps)), "one entry"),
            (lambda f, x, eps: 2 * _two_sided()(f, x, eps), "twice"),
            (lambda f, x, eps: _two_sided()(f, x, eps) / 2, "half"),
            (lambda f, x, eps: list(_two_sided()(f, x.copy(), eps).ravel()), "shape of x"),
        ],
        "gradient_checking.check_relative_error": [
            (lambda g, ga: float(np.linalg.norm(g - ga)), "absolute error"),
            (lambda g, ga: float(np.linalg.norm(g - ga) / np.linalg.norm(g)), "not ||g|| alone"),
            (
                lambda g, ga: float(np.linalg.norm(g - ga) / np.linalg.norm(g + ga)),
                "sum of the norms",
            ),
            (_rel(special="g zero"), "g = 0 and g_approx not 0"),
            (_rel(special="close"), "do not round it to 0"),
            (_rel(denominator="max1"), "no max"),
            (_rel(denominator="max"), ""),
            (_rel_in_place, INPLACE),
            (lambda g, ga: dl.relative_error(g, ga), SHORTCUT),
        ],
    }
)


def _model_of(weights):
    layers = []
    for W in weights:
        layer = dl.Dense(W.shape[1], W.shape[0], bias=False)
        layer.W.value[...] = W
        layers.append(layer)
    return dl.Sequential(layers)


# ------------------------------------------------------------------ 06 (bug hunt), 07
from test_exercises_gradient_checking import (  # noqa: E402
    BUG_HUNT_MISTAKES,
)

WRONG["gradient_checking.check_find_faulty_layer"] = list(BUG_HUNT_MISTAKES)

_kept_order = {}


def _batches(order_of, X, y, b, cut=None):
    order = order_of(len(X))
    Xs, ys = X[order], y[order]
    stop = cut if cut is not None else len(X)
    return [(Xs[k : k + b], ys[k : k + b]) for k in range(0, stop, b)]


def _kept_permutation(X, y, b, rng):
    if len(X) not in _kept_order:
        _kept_order[len(X)] = rng.permutation(len(X))
    return _batches(lambda m: _kept_order[m], X, y, b)


def _shuffle_in_place(X, y, b, rng):
    state = copy.deepcopy(rng.bit_generator.state)
    rng.shuffle(X)
    rng.bit_generator.state = state
    rng.shuffle(y)
    return [(X[k : k + b], y[k : k + b]) for k in range(0, len(X), b)]


def _ewa(correct=True, start_first=False, t_from_zero=False, beta_fixed=None, swap=False):
    def answer(theta, beta):
        b = beta_fixed if beta_fixed is not None else beta
        v, out = (theta[0] if start_first else 0.0), []
        for t, value in enumerate(theta, start=0 if t_from_zero else 1):
            v = (1 - b) * v + b * value if swap else b * v + (1 - b) * value
            out.append(v / (1 - b ** max(t, 1e-12)) if correct else v)
        return np.array(out)

    return answer


def _ewa_in_place(theta, beta):
    v = 0.0
    for t in range(len(theta)):
        v = beta * v + (1 - beta) * theta[t]
        theta[t] = v / (1 - beta ** (t + 1))
    return theta


WRONG.update(
    {
        "minibatches.check_minibatches": [
            (
                lambda X, y, b, rng: _batches(rng.permutation, X, y, b, cut=len(X) - b + 1),
                "last, smaller mini-batch",
            ),
            (lambda X, y, b, rng: _batches(np.arange, X, y, b), "original order"),
            (lambda X, y, b, rng: _batches(np.random.permutation, X, y, b), GLOBAL),
            (lambda X, y, b, rng: _batches(lambda m: rng.integers(0, m, m), X, y, b), ""),
            (
                lambda X, y, b, rng: _batches(np.random.default_rng(0).permutation, X, y, b),
                "seed",
            ),
            (_kept_permutation, "same"),
            (_shuffle_in_place, INPLACE),
            (lambda X, y, b, rng: _batches(rng.permutation, X, y, 64), ""),
            (lambda X, y, b, rng: dl.batching.minibatches(X, y, b, rng), SHORTCUT),
        ],
        "minibatches.check_ewa_corrected": [
            (_ewa(correct=False), ""),
            (_ewa(start_first=True), ""),
            (_ewa(t_from_zero=True), ""),
            (_ewa(beta_fixed=0.9), ""),
            (_ewa(swap=True), ""),
            (_ewa_in_place, INPLACE),
            (lambda theta, beta: ewa_topic.ewa(theta, beta, bias_correction=True), SHORTCUT),
            (lambda theta, beta: _ewa()(theta, beta)[:-1], ""),
        ],
    }
)


# ------------------------------------------------------------------ 08, 09, 10
_own_velocity = {}


def _momentum(variant):
    def answer(w, grad, v, lr=0.01, beta=0.9):
        if variant == "no_one_minus":
            v = beta * v + grad
        elif variant == "beta_fixed":
            v = 0.9 * v + 0.1 * grad
        elif variant == "own_state":
            v = _own_velocity.get(np.shape(w), np.zeros_like(w))
            v = beta * v + (1 - beta) * grad
            _own_velocity[np.shape(w)] = v
        else:
            v = beta * v + (1 - beta) * grad
        if variant == "plus":
            return w + lr * v, v
        if variant == "old_v":
            return w - lr * v, (v - (1 - beta) * grad) / beta
        if variant == "lr_fixed":
            return w - 0.01 * v, v
        return w - lr * v, v

    return answer


def _momentum_in_place(w, grad, v, lr=0.01, beta=0.9):
    v *= beta
    v += (1 - beta) * grad
    w -= lr * v
    return w, v


def _momentum_package(w, grad, v, lr=0.01, beta=0.9):
    p = dl.Parameter(np.array(w, dtype=float))
    opt = dl.optim.Momentum([p], lr=lr, beta=beta)
    p.grad[...] = grad
    opt.step()
    return p.value, v


def _adam(variant):
    def answer(w, grad, v, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        b2 = 0.999 if variant == "beta2_fixed" else beta2
        e = 1e-8 if variant == "eps_fixed" else eps
        v = beta1 * v + (1 - beta1) * grad
        s = b2 * s + (1 - b2) * grad**2
        tt = t + 1 if variant == "t_plus_one" else t
        v_hat, s_hat = v / (1 - beta1**tt), s / (1 - b2**tt)
        if variant == "no_correction":
            v_hat, s_hat = v, s
        if variant == "eps_inside":
            return w - lr * v_hat / np.sqrt(s_hat + e), v, s
        if variant == "no_sqrt":
            return w - lr * v_hat / (s_hat + e), v, s
        if variant == "corrected_state":
            return w - lr * v_hat / (np.sqrt(s_hat) + e), v_hat, s_hat
        return w - lr * v_hat / (np.sqrt(s_hat) + e), v, s

    return answer


def _adam_in_place(w, grad, v, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    v *= beta1
    v += (1 - beta1) * grad
    s *= beta2
    s += (1 - beta2) * grad**2
    return w - lr * (v / (1 - beta1**t)) / (np.sqrt(s / (1 - beta2**t)) + eps), v, s


def _decay(t_of):
    return lambda lr0, d, epoch, every=None: lr0 / (1 + d * t_of(epoch, every))


def _range(**kw):
    from dlcourse.exercises.schedules import _rt_variant

    return _rt_variant(**kw)


def _range_all_steps(step, lr_min, lr_max, n, beta=0.9, diverge=4.0):
    lrs = lr_min * (lr_max / lr_min) ** (np.arange(n) / (n - 1))
    costs = [step(float(lr)) for lr in lrs]  # every step taken, then cut
    smooth, v = [], 0.0
    for i, cost in enumerate(costs):
        if not np.isfinite(cost):
            break
        v = beta * v + (1 - beta) * cost
        smooth.append(v / (1 - beta ** (i + 1)))
        if i > 0 and smooth[-1] > diverge * min(smooth):
            break
    smooth = np.array(smooth)
    lrs = lrs[: len(smooth)]
    return lrs, smooth, float(lrs[np.argmin(smooth)] / 10)


def _range_fixed_diverge(step, lr_min, lr_max, n, beta=0.9, diverge=4.0):
    return S["schedules.check_range_test"](step, lr_min, lr_max, n, beta, 4.0)


def _log_grid(pick):
    def answer(low, high, n, rng):
        grid = np.linspace(np.log10(low), np.log10(high), 4 * n)
        return 10.0 ** pick(grid, n, rng)

    return answer


WRONG.update(
    {
        "optimizers.check_momentum_step": [
            (_momentum("no_one_minus"), ""),
            (_momentum("plus"), ""),
            (_momentum("old_v"), "the new v"),
            (_momentum("beta_fixed"), ""),
            (_momentum("lr_fixed"), ""),
            (_momentum("own_state"), ""),
            (_momentum_in_place, INPLACE),
            (_momentum_package, SHORTCUT),
        ],
        "optimizers.check_adam_step": [
            (_adam("no_correction"), ""),
            (_adam("eps_inside"), ""),
            (_adam("no_sqrt"), ""),
            (_adam("corrected_state"), ""),
            (_adam("t_plus_one"), ""),
            (_adam("eps_fixed"), "eps"),
            (_adam("beta2_fixed"), ""),
            (_adam_in_place, INPLACE),
        ],
        "schedules.check_inverse_time_decay": [
            (_decay(lambda e, every: e), "floor(epoch / every)"),
            (_decay(lambda e, every: e if every is None else e / every), "rounding down"),
            (_decay(lambda e, every: e if every is None else math.ceil(e / every)), "round down"),
            (_decay(lambda e, every: e if every is None else round(e / every)), "nearest"),
            (_decay(lambda e, every: e + 1 if every is None else (e + 1) // every), "count from 0"),
            (lambda lr0, d, e, every=None: lr0 * math.exp(-d * e), ""),
            (lambda lr0, d, e, every=None: lr0 / (d * max(e, 1)), ""),
            (
                lambda lr0, d, e, every=None: (
                    lr0 / (1 + 0.5 * (e if every is None else e // every))
                ),
                "",
            ),
            (
                lambda lr0, d, e, every=None: dl.optim.schedules.inverse_time_decay(lr0, d, every)(
                    e
                ),
                SHORTCUT,
            ),
        ],
        "schedules.check_range_test": [
            (_range(linear=True), "linearly"),
            (_range(exponent_n=True), "off by one"),
            (_range(correct=False), "bias correction"),
            (_range(stop=False), "kept going"),
            (_range(divide=False), "factor of 10"),
            (_range(raw_min=True), "smoothed curve"),
            (_range(include_nan=True), "nan or inf"),
            (_range_all_steps, "called step(lr)"),
            (_range_fixed_diverge, ""),
        ],
        "search.check_log_uniform": [
            (lambda lo, hi, n, rng: rng.uniform(lo, hi, n), "uniformly between low and high"),
            (lambda lo, hi, n, rng: rng.uniform(np.log10(lo), np.log10(hi), n), "exponents"),
            (lambda lo, hi, n, rng: 10.0 ** rng.uniform(np.log(lo), np.log(hi), n), "natural"),
            (
                lambda lo, hi, n, rng: 10.0 ** np.random.uniform(np.log10(lo), np.log10(hi), n),
                GLOBAL,
            ),
            (
                lambda lo, hi, n, rng: (
                    10.0 ** np.random.default_rng(1).uniform(np.log10(lo), np.log10(hi), n)
                ),
                "different seeds gave the same",
            ),
            (_log_grid(lambda g, n, rng: rng.choice(g, n, replace=False)), "grid"),
            (_log_grid(lambda g, n, rng: rng.permutation(g[::4])), "grid"),
            (
                lambda lo, hi, n, rng: np.sort(10.0 ** rng.uniform(np.log10(lo), np.log10(hi), n)),
                "consecutive",
            ),
            (lambda lo, hi, n, rng: dl.search.log_uniform(lo, hi).sample(rng, n), SHORTCUT),
        ],
    }
)


# ------------------------------------------------------------------ 10 (trials), 11
def _trials(lr_draw=None, beta_draw=None):
    def answer(n, rng, lr_range, beta_range):
        a, b = np.log10(lr_range[0]), np.log10(lr_range[1])
        c, d = np.log10(1 - beta_range[1]), np.log10(1 - beta_range[0])
        r = lr_draw(rng, a, b, n) if lr_draw else rng.uniform(a, b, n)
        s = beta_draw(rng, c, d, n, r) if beta_draw else rng.uniform(c, d, n)
        return {"lr": 10.0**r, "beta": 1.0 - 10.0**s}

    return answer


def _trials_grid(n, rng, lr_range, beta_range):
    k = int(np.ceil(np.sqrt(n)))
    a, b = np.log10(lr_range[0]), np.log10(lr_range[1])
    c, d = np.log10(1 - beta_range[1]), np.log10(1 - beta_range[0])
    R, S_ = np.meshgrid(np.linspace(a, b, k), np.linspace(c, d, k))
    pick = rng.permutation(k * k)[:n]
    return {"lr": 10.0 ** R.ravel()[pick], "beta": 1.0 - 10.0 ** S_.ravel()[pick]}


def _bn(eps_fixed=None, ddof=0, eps_outside=False, axis=0, swap=False, in_place=False):
    def answer(Z, gamma, beta, eps=1e-5):
        e = eps if eps_fixed is None else eps_fixed
        mu, var = Z.mean(axis=axis, keepdims=True), Z.var(axis=axis, ddof=ddof, keepdims=True)
        if in_place:
            Z -= mu
            Zn = Z / np.sqrt(var + e)
        else:
            Zn = (Z - mu) / (np.sqrt(var) + e if eps_outside else np.sqrt(var + e))
        return beta * Zn + gamma if swap else gamma * Zn + beta

    return answer


def _bn_backward(change=None):
    def answer(dZt, Z, gamma, eps=1e-5):
        e = 1e-5 if change == "eps_fixed" else eps
        m = Z.shape[0]
        mu, var = Z.mean(axis=0), Z.var(axis=0)
        inv = 1.0 / np.sqrt(var + e)
        Zn = (Z - mu) * inv
        if change == "in_place":
            dZt *= gamma
            dZn = dZt
        else:
            dZn = dZt * gamma
        dZ = inv / m * (m * dZn - dZn.sum(axis=0) - Zn * (dZn * Zn).sum(axis=0))
        if change == "no_mean_path":
            dZ = inv / m * (m * dZn - Zn * (dZn * Zn).sum(axis=0))
        if change == "no_var_path":
            dZ = inv / m * (m * dZn - dZn.sum(axis=0))
        if change == "plain":
            dZ = dZn * inv
        dgamma = (dZt * Zn).sum(axis=0) if change != "in_place" else (dZt / gamma * Zn).sum(0)
        dbeta = dZt.sum(axis=0) if change != "dbeta_mean" else dZt.mean(axis=0)
        if change == "dgamma_no_norm":
            dgamma = dZt.sum(axis=0)
        return dZ, dgamma, dbeta

    return answer


def _bn_backward_by_differences(dZt, Z, gamma, eps=1e-5):
    def J():
        mu, var = Z.mean(0), Z.var(0)
        return float(np.sum(dZt * gamma * (Z - mu) / np.sqrt(var + eps)))

    dZ = dl.numerical_gradient(J, Z.copy())
    mu, var = Z.mean(0), Z.var(0)
    Zn = (Z - mu) / np.sqrt(var + eps)
    return dZ, (dZt * Zn).sum(0), dZt.sum(0)


def _running(variant):
    def answer(rm, rv, Z, momentum=0.9):
        mo = 0.9 if variant == "momentum_fixed" else momentum
        var = Z.var(0, ddof=1) if variant == "ddof" else Z.var(0)
        if variant == "swapped":
            return (1 - mo) * rm + mo * Z.mean(0), (1 - mo) * rv + mo * var
        if variant == "std":
            var = Z.std(0)
        if variant == "batch_only":
            return Z.mean(0), var
        if variant == "axis1":
            return mo * rm + (1 - mo) * Z.mean(1)[: rm.size], mo * rv + (1 - mo) * Z.var(1)[
                : rv.size
            ]
        if variant == "in_place":
            rm *= mo
            rm += (1 - mo) * Z.mean(0)
            rv *= mo
            rv += (1 - mo) * var
            return rm, rv
        if variant == "mean_wrong_only":
            return mo * rm + (1 - mo) * Z.mean(0) + 0.1, mo * rv + (1 - mo) * var
        return mo * rm + (1 - mo) * Z.mean(0), mo * rv + (1 - mo) * var

    return answer


def _predict(variant):
    def answer(Z, gamma, beta, rm, rv, eps=1e-5):
        e = 1e-5 if variant == "eps_fixed" else eps
        if variant == "batch_stats":
            return gamma * (Z - Z.mean(0)) / np.sqrt(Z.var(0) + e) + beta
        if variant == "eps_outside":
            return gamma * (Z - rm) / (np.sqrt(rv) + e) + beta
        if variant == "no_eps":
            return gamma * (Z - rm) / np.sqrt(rv) + beta
        if variant == "no_affine":
            return (Z - rm) / np.sqrt(rv + e)
        if variant == "variance":
            return gamma * (Z - rm) / (rv + e) + beta
        if variant == "in_place":
            Z -= rm
            return gamma * Z / np.sqrt(rv + e) + beta
        if variant == "package":
            return dl.layers.batchnorm_inference(Z, gamma, beta, rm, rv, e)[0]
        return gamma * (Z - rm) / np.sqrt(rv + e) + beta

    return answer


WRONG.update(
    {
        "search.check_sample_trials": [
            (
                lambda n, rng, l, b: {
                    "lr": _trials()(n, rng, l, b)["beta"],
                    "beta": _trials()(n, rng, l, b)["lr"],
                },
                "swapped",
            ),
            (
                _trials(beta_draw=lambda rng, c, d, n, r: np.log10(1 - rng.uniform(0.9, 0.999, n))),
                "beta uniformly",
            ),
            (
                _trials(beta_draw=lambda rng, c, d, n, r: c + (d - c) * (r - r.min()) / np.ptp(r)),
                "move together",
            ),
            (_trials(beta_draw=lambda rng, c, d, n, r: np.random.uniform(c, d, n)), GLOBAL),
            (
                _trials(
                    beta_draw=lambda rng, c, d, n, r: np.random.default_rng(5).uniform(c, d, n)
                ),
                "same values in key 'beta'",
            ),
            (_trials_grid, "repeat"),
            (
                _trials(
                    beta_draw=lambda rng, c, d, n, r: (
                        c + (d - c) * np.abs(2 * (r - r.min()) / np.ptp(r) - 1)
                    )
                ),
                "depend on each other",
            ),
            (_trials(lr_draw=lambda rng, a, b, n: rng.permutation(np.linspace(a, b, n))), "grid"),
            (
                lambda n, rng, l, b: {
                    "lr": dl.search.log_uniform(*l).sample(rng, n),
                    "beta": _trials()(n, rng, l, b)["beta"],
                },
                SHORTCUT,
            ),
        ],
        "batchnorm.check_batchnorm_forward": [
            (_bn(ddof=1), ""),
            (_bn(eps_outside=True), ""),
            (_bn(axis=1), ""),
            (_bn(swap=True), ""),
            (_bn(eps_fixed=1e-5), ""),
            (_bn(in_place=True), INPLACE),
            (lambda Z, g, b, eps=1e-5: (Z - Z.mean(0)) / np.sqrt(Z.var(0) + eps), ""),
            (lambda Z, g, b, eps=1e-5: dl.layers.batchnorm_forward(Z, g, b, eps)[0], SHORTCUT),
        ],
        "batchnorm.check_batchnorm_backward": [
            (_bn_backward("no_mean_path"), ""),
            (_bn_backward("no_var_path"), ""),
            (_bn_backward("plain"), ""),
            (_bn_backward("dbeta_mean"), "dbeta"),
            (_bn_backward("dgamma_no_norm"), "dgamma"),
            (_bn_backward("eps_fixed"), ""),
            (_bn_backward("in_place"), INPLACE),
            (_bn_backward_by_differences, SHORTCUT),
        ],
        "batchnorm.check_running_averages": [
            (_running("swapped"), "OLD running value"),
            (_running("ddof"), "unbiased"),
            (_running("std"), "VARIANCE"),
            (_running("batch_only"), "average them"),
            (_running("momentum_fixed"), ""),
            (_running("axis1"), ""),
            (_running("in_place"), INPLACE),
            (_running("mean_wrong_only"), "new_mean is wrong"),
        ],
        "batchnorm.check_batchnorm_predict": [
            (_predict("batch_stats"), "running averages"),
            (_predict("eps_outside"), "inside the square root"),
            (_predict("no_eps"), "keep eps"),
            (_predict("no_affine"), "gamma and beta"),
            (_predict("variance"), "standard deviation"),
            (_predict("eps_fixed"), ""),
            (_predict("in_place"), INPLACE),
            (_predict("package"), SHORTCUT),
        ],
    }
)


# ------------------------------------------------------------------ 12, 13
def _softmax_in_place(z):
    z -= z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _sce(variant):
    def answer(z, y):
        m = len(y)
        p = S["softmax.check_stable_softmax"](z)
        J = -np.log(p[np.arange(m), y]).mean()
        dZ = p.copy()
        dZ[np.arange(m), y] -= 1
        if variant == "sum":
            return J * m, dZ
        if variant == "no_over_m":
            return J, dZ
        if variant == "all_minus_one":
            return J, (p - 1) / m
        if variant == "unstable":
            e = np.exp(z)
            q = e / e.sum(axis=1, keepdims=True)
            return float(-np.log(q[np.arange(m), y]).mean()), dZ / m
        if variant == "probs":
            return J, p / m
        return J, dZ / m

    return answer


def _sce_in_place(z, y):
    m = len(y)
    z -= z.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    dZ = np.exp(log_p)
    dZ[np.arange(m), y] -= 1
    return -log_p[np.arange(m), y].mean(), dZ / m


def _sce_package(z, y):
    loss = dl.SoftmaxCrossEntropy()
    return loss.forward(z, y), loss.backward()


def _newton(variant):
    def answer(grad_fn, hess_fn, w0, steps, damping=0.0):
        w = np.array(w0, dtype=float)
        path = [w.copy()]
        for _ in range(steps + (1 if variant == "extra_step" else 0)):
            lam = 0.0 if variant == "no_damping" else damping
            H = hess_fn(w) + lam * np.eye(w.size)
            if variant == "gradient":
                w = w - 0.1 * grad_fn(w)
            elif variant == "plus":
                w = w + np.linalg.solve(H, grad_fn(w))
            elif variant == "inverse_transposed":
                w = w - np.linalg.inv(H).T @ grad_fn(w) * 0.5
            else:
                w = w - np.linalg.solve(H, grad_fn(w))
            path.append(w.copy())
        if variant == "no_start":
            return np.array(path[1:])
        return np.array(path)

    return answer


def _newton_in_place(grad_fn, hess_fn, w0, steps, damping=0.0):
    w, path = w0, [np.array(w0, dtype=float)]
    for _ in range(steps):
        w -= np.linalg.solve(hess_fn(w) + damping * np.eye(w.size), grad_fn(w))
        path.append(w.copy())
    return np.array(path)


def _newton_aliased(grad_fn, hess_fn, w0, steps, damping=0.0):
    w = np.array(w0, dtype=float)
    path = [w]
    for _ in range(steps):
        w -= np.linalg.solve(hess_fn(w) + damping * np.eye(w.size), grad_fn(w))
        path.append(w)
    return np.array(path)


def _run(rules):
    def answer(losses, n_classes):
        losses = np.asarray(losses, dtype=float)
        if rules.get("nan_last_only"):
            if not np.isfinite(losses[-1]):
                return "diverged"
        elif not np.all(np.isfinite(losses)):
            return "diverged"
        first, last, logC = losses[0], losses[-1], np.log(n_classes)
        rising = losses.max() > first if rules.get("rising_max") else last > first
        if rules.get("rising_min"):
            rising = last > losses.min()
        if rising:
            return "rising"
        drop = first - last
        flat = drop < (
            0.01 if rules.get("flat_abs") else rules.get("flat_share", 0.01) * abs(first)
        )
        chance = abs(last - logC) < (0.05 if rules.get("chance_abs") else 0.05 * logC)
        if rules.get("chance_first") and chance:
            return "chance"
        if flat:
            return "flat"
        return "chance" if chance else "ok"

    return answer


def _run_sorting(losses, n_classes):
    losses.sort(reverse=True)  # the caller's list changed
    return S["recipe.check_diagnose_run"](losses, n_classes)


WRONG.update(
    {
        "softmax.check_stable_softmax": [
            (lambda z: np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True), ""),
            (
                lambda z: (
                    np.exp(z - z.min(axis=-1, keepdims=True))
                    / np.exp(z - z.min(axis=-1, keepdims=True)).sum(axis=-1, keepdims=True)
                ),
                "",
            ),
            (lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(axis=0, keepdims=True), ""),
            (lambda z: np.exp(z - z.max(axis=-1, keepdims=True)), ""),
            (
                lambda z: (
                    z
                    - z.max(axis=-1, keepdims=True)
                    - np.log(np.exp(z - z.max(axis=-1, keepdims=True)).sum(axis=-1, keepdims=True))
                ),
                "",
            ),
            (lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(), ""),
            (_softmax_in_place, INPLACE),
            (lambda z: dl.losses.softmax(z), SHORTCUT),
        ],
        "softmax.check_softmax_cross_entropy": [
            (_sce("sum"), ""),
            (_sce("no_over_m"), ""),
            (_sce("all_minus_one"), ""),
            (_sce("unstable"), ""),
            (_sce("probs"), ""),
            (_sce_in_place, INPLACE),
            (_sce_package, SHORTCUT),
            (lambda z, y: _sce("right")(z, y)[0], ""),
        ],
        "recipe.check_expected_initial_loss": [
            (lambda C: 1.0 / C, "probability"),
            (lambda C: -math.log(C), "sign"),
            (lambda C: math.log10(C), "natural logarithm"),
            (lambda C: math.log2(C), "not log2"),
            (lambda C: -math.log(1 - 1 / C), "right class"),
            (lambda C: math.log(10), ""),
            (lambda C: math.log(C - 1), ""),
            (lambda C: dl.topics.babysit.expected_initial_loss(C), SHORTCUT),
        ],
        "recipe.check_newton_path": [
            (_newton("no_damping"), ""),
            (_newton("gradient"), ""),
            (_newton("plus"), ""),
            (_newton("no_start"), ""),
            (_newton("extra_step"), ""),
            (_newton("inverse_transposed"), ""),
            (_newton_in_place, INPLACE),
            (_newton_aliased, "same array"),
        ],
        "recipe.check_diagnose_run": [
            (_run({"chance_abs": True}), "relative"),
            (_run({"flat_abs": True}), "relative"),
            (_run({"flat_share": 0.05}), "1 %"),
            (_run({"rising_max": True}), "first only"),
            (_run({"rising_min": True}), "first only"),
            (_run({"nan_last_only": True}), "isfinite"),
            (_run({"chance_first": True}), "in order"),
            (_run_sorting, INPLACE),
            (lambda losses, C: dl.topics.babysit.diagnose_loss_curve(losses, C), SHORTCUT),
        ],
    }
)


# ------------------------------------------------------------------ backward passes estimated
def _quotients(f, x, h):
    x, g = np.array(x, dtype=float), np.zeros(np.shape(x))
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += h
        minus[i] -= h
        g[i] = (f(plus) - f(minus)) / (2 * h)
    return g


def _L_backward_by_quotients(h):
    def answer(dZL, caches):
        X, L = caches[0][0], len(caches)
        Ws, bs = [c[1] for c in caches], [c[2] for c in caches]

        def J(Ws, bs):
            A = X
            for l, (W, b) in enumerate(zip(Ws, bs), 1):
                Z = A @ W.T + b
                A = np.maximum(Z, 0) if l < L else Z
            return float(np.sum(dZL * A))

        def swap(seq, l, value):
            return [value if k == l else s for k, s in enumerate(seq)]

        return [
            (
                _quotients(lambda W: J(swap(Ws, l, W), bs), Ws[l], h),
                _quotients(lambda b: J(Ws, swap(bs, l, b)), bs[l], h),
            )
            for l in range(L)
        ]

    return answer


WRONG["deep_network.check_L_model_backward"] += [
    (_L_backward_by_quotients(1e-6), "not exact"),
    (_L_backward_by_quotients(1e-3), "half the slope"),
]


# ------------------------------------------------------------------ callbacks called too often
def _newton_extra_steps(grad_fn, hess_fn, w0, steps, damping=0.0):
    return _newton("right")(grad_fn, hess_fn, w0, steps + 2, damping)[: steps + 1]


def _difference_with_base(J, w, eps):
    base = J(w)  # an evaluation the two-sided quotient does not use
    return (J(w + eps) - J(w - eps)) / (2 * eps) + 0 * base


WRONG["recipe.check_newton_path"].append((_newton_extra_steps, "called `grad_fn` 3 times"))
WRONG["gradient_descent.check_two_sided_difference"].append(
    (_difference_with_base, "called `J` 3 times")
)


# ------------------------------------------------------------------ answers kept beside each topic's tests (they replace the ones above)
WRONG.update(topic_answer_sets("WRONG"))


# ------------------------------------------------------------------ the tests
def test_every_exercise_has_at_least_eight_wrong_answers():
    assert set(WRONG) == set(CHECKS)
    short = {key: len(answers) for key, answers in WRONG.items() if len(answers) < 8}
    assert not short, short


CASES = [
    pytest.param(key, i, id=f"{key.split('.')[1]}-{i}")
    for key in sorted(WRONG)
    for i in range(len(WRONG[key]))
]


@pytest.mark.parametrize("key, i", CASES)
def test_the_wrong_answer_is_refused_with_its_hint(key, i):
    wrong, words = WRONG[key][i]
    result = CHECKS[key](wrong)
    assert not result.passed, f"{key} #{i} passes"
    assert words in result.message, result.message
    assert "\n" not in result.message and "Traceback" not in result.message
