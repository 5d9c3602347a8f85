"""Notebook 05's backward passes computed by numerical differentiation instead of derived:
each is refused (issue 19's leftover), and correct answers written in other styles pass."""

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.exercises.regularization import check_dropout_backward, check_l2_gradient

ESTIMATE = "numerical estimate"
INEXACT = "not exact"
EITHER = (ESTIMATE, INEXACT)  # off by round-off, and an entry-by-entry evaluation
SHORTCUT = "which this exercise asks you to write yourself"


# ------------------------------------------------------------------ dropout backward
def _fd_dropout(at_zero=True, h=1e-5, summed=False):
    """J = sum(dout * A * D / keep_prob) differentiated entry by entry with respect to A."""

    def answer(dout, D, keep_prob):
        A = np.zeros(dout.shape) if at_zero else np.random.default_rng(0).random(dout.shape)
        dA = np.zeros(dout.shape)
        for i in np.ndindex(dout.shape):
            up, down = A.copy(), A.copy()
            up[i] += h
            down[i] -= h
            if summed:
                diff = np.sum(dout * up * D / keep_prob) - np.sum(dout * down * D / keep_prob)
                dA[i] = diff / (2 * h)
            else:
                dA[i] = dout[i] * ((up * D / keep_prob)[i] - (down * D / keep_prob)[i]) / (2 * h)
        return dA

    return answer


def _fd_dropout_package(dout, D, keep_prob):
    A = np.zeros(dout.shape)

    def cost():
        return float(np.sum(dout * dl.layers.dropout_forward(A, D / keep_prob)[0]))

    return dl.numerical_gradient(cost, A)


def _fd_dropout_layer(dout, D, keep_prob):
    layer = dl.Dropout(1 - keep_prob) if keep_prob < 1 else None
    A, dA, h = np.zeros(dout.shape), np.zeros(dout.shape), 1e-6
    for i in np.ndindex(dout.shape):
        up = A.copy()
        up[i] += h
        out = layer.forward(up) if layer else up
        dA[i] = dout[i] * out[i] / h
    return dA


@pytest.mark.parametrize(
    "answer, words",
    [
        (_fd_dropout(), ESTIMATE),  # exact on a linear map at A = 0: only the count tells
        (_fd_dropout(at_zero=False), EITHER),
        (_fd_dropout(at_zero=False, h=1e-3), EITHER),
        (_fd_dropout(summed=True), ESTIMATE),
        (_fd_dropout(at_zero=False, summed=True), EITHER),
        (_fd_dropout_package, SHORTCUT),
        (_fd_dropout_layer, SHORTCUT),
    ],
)
def test_dropout_backward_by_differences_is_refused(answer, words):
    result = check_dropout_backward(answer)
    assert not result.passed and _names(result.message, words), result.message


def _names(message, words):
    return any(w in message for w in ((words,) if isinstance(words, str) else words))


def _row_loop(dout, D, keep_prob):
    dA = np.empty_like(dout, dtype=float)
    for r in range(dout.shape[0]):
        dA[r] = dout[r] * D[r] / keep_prob
    return dA


def _entry_loop(dout, D, keep_prob):
    dA = np.zeros(dout.shape)
    for i in np.ndindex(dout.shape):
        dA[i] = dout[i] * D[i] / keep_prob
    return dA


@pytest.mark.parametrize(
    "answer",
    [
        lambda dout, D, kp: dout * D / kp,
        lambda dout, D, kp: np.where(D == 1, dout / kp, 0.0),
        lambda dout, D, kp: np.multiply(dout, D.astype(bool)) * (1 / kp),
        lambda dout, D, kp: dout * (D / kp),
        _row_loop,
        _entry_loop,
    ],
)
def test_dropout_backward_written_in_other_ways_passes(answer):
    assert check_dropout_backward(answer).passed, check_dropout_backward(answer).message


# ------------------------------------------------------------------ L2 gradient
def _fd_l2(h=1e-6, relative=False, exact_step=False, per_entry=False):
    """The L2 cost differentiated entry by entry, plus the data gradient. (A scalar loop with
    the step h = |w| is exact for a quadratic and uses no array operation: no output or
    count can tell it from the formula written entry by entry, so it is not listed.)"""

    def answer(weights, grads, lambd, m):
        def cost(Ws):
            return lambd / (2 * m) * sum(np.sum(W**2) for W in Ws)

        out = []
        for k, (W, dW) in enumerate(zip(weights, grads)):
            g = np.zeros(W.shape)
            for i in np.ndindex(W.shape):
                step = abs(W[i]) if exact_step else (h * max(abs(W[i]), 1.0) if relative else h)
                step = step or h
                if per_entry:
                    w = W[i]
                    g[i] = lambd / (2 * m) * ((w + step) ** 2 - (w - step) ** 2) / (2 * step)
                    continue
                up = [V.copy() for V in weights]
                down = [V.copy() for V in weights]
                up[k][i] += step
                down[k][i] -= step
                g[i] = (cost(up) - cost(down)) / (2 * step)
            out.append(dW + g)
        return out

    return answer


def _fd_l2_package(weights, grads, lambd, m):
    out = []
    for W, dW in zip(weights, grads):
        V = W.copy()
        g = dl.numerical_gradient(lambda: lambd / (2 * m) * float(np.sum(V**2)), V)
        out.append(dW + g)
    return out


def _l2_penalty_model(weights):
    layers = []
    for W in weights:
        layer = dl.Dense(W.shape[1], W.shape[0], bias=False)
        layer.W.value[...] = W
        layers.append(layer)
    return dl.Sequential(layers)


def _fd_l2_penalty(weights, grads, lambd, m):
    model = _l2_penalty_model(weights)
    out = []
    dense = [layer for layer in model.layers() if isinstance(layer, dl.Dense)]
    for layer, dW in zip(dense, grads):
        g = dl.numerical_gradient(lambda: dl.l2_penalty(model, lambd, m), layer.W.value)
        out.append(dW + g)
    return out


@pytest.mark.parametrize(
    "answer, words",
    [
        (_fd_l2(), EITHER),
        (_fd_l2(h=1e-4), EITHER),
        (_fd_l2(relative=True), EITHER),
        (_fd_l2(exact_step=True), EITHER),  # a quadratic's central difference is exact
        (_fd_l2(per_entry=True), INEXACT),
        (_fd_l2_package, SHORTCUT),
        (_fd_l2_penalty, SHORTCUT),
    ],
)
def test_l2_gradient_by_differences_is_refused(answer, words):
    result = check_l2_gradient(answer)
    assert not result.passed and _names(result.message, words), result.message


@pytest.mark.parametrize(
    "answer",
    [
        lambda Ws, dWs, l, m: [dW + l / m * W for W, dW in zip(Ws, dWs)],
        lambda Ws, dWs, l, m: [dW + (l * W) / m for W, dW in zip(Ws, dWs)],
        lambda Ws, dWs, l, m: [np.add(dW, W * (l / m)) for W, dW in zip(Ws, dWs)],
        lambda Ws, dWs, l, m: [dWs[k] + l / m * Ws[k] for k in range(len(Ws))],
    ],
)
def test_l2_gradient_written_in_other_ways_passes(answer):
    assert check_l2_gradient(answer).passed, check_l2_gradient(answer).message
