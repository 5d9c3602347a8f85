"""Wrong answers to notebook 12's softmax regression exercise (loss and dW with L2,
vectorised), each refused with the hint it deserves; the right answers pass."""

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.exercises.softmax import _sm_cases, check_softmax_loss_vectorized

CHECK = check_softmax_loss_vectorized
SHORTCUT = "which this exercise asks you to write yourself"
LOOP = "indexes the examples one by one"


def _log_p(W, X):
    Z = X @ W.T
    Z = Z - Z.max(axis=1, keepdims=True)
    return Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))


def softmax_loss_vectorized(W, X, y, reg):
    """The solution of the notebook."""
    m = X.shape[0]
    log_p = _log_p(W, X)
    J = -log_p[np.arange(m), y].mean() + reg / (2 * m) * np.sum(W * W)
    dZ = np.exp(log_p)
    dZ[np.arange(m), y] -= 1.0
    return J, dZ.T @ X / m + reg / m * W


def one_hot_form(W, X, y, reg):
    m, C = X.shape[0], W.shape[0]
    Y = np.eye(C)[y]
    log_p = _log_p(W, X)
    J = -np.sum(Y * log_p) / m + 0.5 * reg * np.sum(W**2) / m
    return [J, ((np.exp(log_p) - Y).T @ X + reg * W) / m]


def _parts(W, X, y, reg, l2_j=0.5, l2_g=1.0, m_j=True, m_g=True, sign=1.0):
    m = X.shape[0]
    log_p = _log_p(W, X)
    dZ = np.exp(log_p)
    dZ[np.arange(m), y] -= 1.0
    J = -log_p[np.arange(m), y].sum() / (m if m_j else 1) + l2_j * reg * np.sum(W * W)
    return J, sign * dZ.T @ X / (m if m_g else 1) + l2_g * reg * W


def _cs231n(W, X, y, reg):
    return _parts(W, X, y, reg, l2_j=1.0, l2_g=2.0)


def _no_m(W, X, y, reg):
    return _parts(W, X, y, reg, l2_j=0.5, l2_g=1.0)


def _grad_half(W, X, y, reg):
    return _parts(W, X, y, reg, l2_j=0.5 / len(X), l2_g=0.5 / len(X))


def _no_half(W, X, y, reg):
    return _parts(W, X, y, reg, l2_j=1.0 / len(X), l2_g=1.0 / len(X))


def _no_l2_grad(W, X, y, reg):
    return _parts(W, X, y, reg, l2_j=0.5 / len(X), l2_g=0.0)


def _no_l2_loss(W, X, y, reg):
    return _parts(W, X, y, reg, l2_j=0.0, l2_g=1.0 / len(X))


def _grad_without_m(W, X, y, reg):
    return _parts(W, X, y, reg, l2_j=0.5 / len(X), l2_g=1.0 / len(X), m_g=False)


def _sum_not_mean(W, X, y, reg):
    return _parts(W, X, y, reg, l2_j=0.5 / len(X), l2_g=1.0 / len(X), m_j=False)


def _flipped(W, X, y, reg):
    return _parts(W, X, y, reg, l2_j=0.5 / len(X), l2_g=1.0 / len(X), sign=-1.0)


def _no_onehot(W, X, y, reg):
    J, _ = softmax_loss_vectorized(W, X, y, reg)
    return J, np.exp(_log_p(W, X)).T @ X / len(X) + reg / len(X) * W


def _unstable(W, X, y, reg):
    m = len(X)
    e = np.exp(X @ W.T)
    P = e / e.sum(axis=1, keepdims=True)
    J = -np.mean(np.log(P[np.arange(m), y])) + reg / (2 * m) * np.sum(W * W)
    P[np.arange(m), y] -= 1
    return J, P.T @ X / m + reg / m * W


def _log_of_softmax(W, X, y, reg):
    m = len(X)
    Z = X @ W.T
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    P = e / e.sum(axis=1, keepdims=True)
    J = -np.mean(np.log(P[np.arange(m), y])) + reg / (2 * m) * np.sum(W * W)
    P[np.arange(m), y] -= 1
    return J, P.T @ X / m + reg / m * W


def _transposed(W, X, y, reg):  # CS231n's layout, W (n, C), carried over
    m = len(X)
    log_p = _log_p(W, X)
    dZ = np.exp(log_p)
    dZ[np.arange(m), y] -= 1.0
    J = -log_p[np.arange(m), y].mean() + reg / (2 * m) * np.sum(W * W)
    return J, X.T @ dZ / m + reg / m * W.T


def _looped(W, X, y, reg):
    m = X.shape[0]
    J, dW = 0.0, np.zeros_like(W)
    for i in range(m):
        z = W @ X[i]
        z = z - z.max()
        log_p = z - np.log(np.exp(z).sum())
        J -= log_p[y[i]]
        p = np.exp(log_p)
        p[y[i]] -= 1.0
        dW += np.outer(p, X[i])
    return J / m + reg / (2 * m) * np.sum(W * W), dW / m + reg / m * W


def _looped_zip(W, X, y, reg):
    m = X.shape[0]
    J, dW = 0.0, np.zeros_like(W)
    for x_i, y_i in zip(X, y):
        z = W @ x_i - (W @ x_i).max()
        log_p = z - np.log(np.exp(z).sum())
        J -= log_p[y_i]
        dW += np.outer(np.exp(log_p) - np.eye(len(W))[y_i], x_i)
    return J / m + reg / (2 * m) * np.sum(W * W), dW / m + reg / m * W


def _finite_differences(W, X, y, reg, h=1e-5):
    J = softmax_loss_vectorized(W, X, y, reg)[0]
    dW = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        Wp, Wm = W.copy(), W.copy()
        Wp[idx] += h
        Wm[idx] -= h
        up = softmax_loss_vectorized(Wp, X, y, reg)[0]
        down = softmax_loss_vectorized(Wm, X, y, reg)[0]
        dW[idx] = (up - down) / (2 * h)
    return J, dW


def _package_numerical(W, X, y, reg):
    J = softmax_loss_vectorized(W, X, y, reg)[0]
    return J, dl.numerical_gradient(lambda w: softmax_loss_vectorized(w, X, y, reg)[0], W)


def _package_loss(W, X, y, reg):
    loss = dl.SoftmaxCrossEntropy()
    J = loss.forward(X @ W.T, y) + reg / (2 * len(X)) * np.sum(W * W)
    return J, loss.backward().T @ X + reg / len(X) * W


def _in_place(W, X, y, reg):
    X -= X.mean(axis=0)  # "centre the inputs" on the caller's array
    return softmax_loss_vectorized(W, X, y, reg)


def _fixed_reg(W, X, y, reg):
    return softmax_loss_vectorized(W, X, y, 0.1)


WRONG = [
    (_cs231n, "CS231n writes reg * sum W²"),
    (_no_m, "divide the L2 term by m as well"),
    (_grad_half, "the 2 of the square cancels the 1/2"),
    (_no_half, "with the factor 1/2"),
    (_no_l2_grad, "dW must include the gradient of the L2 term"),
    (_no_l2_loss, "J must include the L2 term"),
    (_grad_without_m, "the data part of dW carries 1/m"),
    (_sum_not_mean, "a mean, not a sum"),
    (_flipped, "mind the sign"),
    (_no_onehot, "subtract the one-hot labels"),
    (_unstable, "overflows to inf"),
    (_log_of_softmax, "not np.log(softmax)"),
    (_transposed, "not Xᵀ dZ"),
    (_looped, LOOP),
    (_looped_zip, LOOP),
    (_finite_differences, "difference quotients"),
    (lambda W, X, y, reg: _finite_differences(W, X, y, reg, 1e-6), "difference quotients"),
    (_package_numerical, SHORTCUT),
    (_package_loss, SHORTCUT),
    (_in_place, "in place — work on a copy"),
    (_fixed_reg, "stays the same when `reg` changes"),
    (lambda W, X, y, reg: softmax_loss_vectorized(W, X, y, reg)[1], "expected a tuple"),
]


@pytest.mark.parametrize("right", [softmax_loss_vectorized, one_hot_form])
def test_right_answers_pass(right):
    result = CHECK(right)
    assert result.passed and result.message == "softmax_loss_vectorized: correct"


def test_the_hidden_cases_vary_every_argument_and_include_no_regularisation():
    cases = [d.case.args for d in _sm_cases()]
    regs = {reg for _, _, _, reg in cases}
    assert 0.0 in regs and len(regs) == len(cases)
    assert len({W.shape for W, *_ in cases}) >= 4
    assert any(np.abs(X @ W.T).max() > 1000 for W, X, _, _ in cases)  # overflow territory
    assert all(X.shape[1] != 64 for _, X, _, _ in cases)  # never the notebook's digits


def test_each_named_mistake_differs_from_the_reference_on_some_case():
    hints = {m.hint for d in _sm_cases() for m in d.mistakes}
    for hint in hints:
        assert any(
            not dl.exercises.grader.close(m.value, d.case.expected, 1e-10, 1e-13)
            for d in _sm_cases()
            for m in d.mistakes
            if m.hint == hint
        ), hint


# collected (and run) by tests/test_grader_properties.py and tests/test_grader_wrong_answers.py
SOLUTIONS_SOFTMAX = {"softmax.check_softmax_loss_vectorized": softmax_loss_vectorized}
WRONG_SOFTMAX = {"softmax.check_softmax_loss_vectorized": WRONG}
