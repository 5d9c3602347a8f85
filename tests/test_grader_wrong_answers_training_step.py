"""Notebook 00's exercise, one training step of the tour's network by hand: the right answer
passes, and the wrong answers learners write are refused, each with the hint it deserves.

``SOLUTIONS_NB00`` and ``WRONG_NB00`` have the shape of ``SOLUTIONS`` in
test_grader_properties.py and ``WRONG`` in test_grader_wrong_answers.py, so those shared
tables can take this exercise in with one ``update`` each."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.exercises.grader import ESTIMATED
from dlcourse.exercises.training_step import (
    check_training_step,
    reference_training_step,
    tour_model,
    weights_of,
)

INPLACE = "in place — work on a copy"
SHORTCUT = "which this exercise asks you to write yourself"


def training_step(W1, b1, W2, b2, X, y, lr):
    """One gradient-descent step of Dense-ReLU-Dense + softmax cross-entropy."""
    return _step(W1, b1, W2, b2, X, y, lr)


def _step(W1, b1, W2, b2, X, y, lr, slip=""):
    """A learner's step, written out; ``slip`` plants one typical mistake."""
    m, C = X.shape[0], W2.shape[0]
    if slip == "classes_from_labels":
        C = int(y.max()) + 1
    Z1 = X @ W1.T + (0 if slip == "no_forward_bias" else b1)
    A1 = np.maximum(0, Z1)
    Z2 = A1 @ W2.T + (0 if slip == "no_forward_bias" else b2)
    if slip == "relu_on_output":
        Z2 = np.maximum(0, Z2)
    if slip != "no_shift":
        Z2 = Z2 - Z2.max(axis=1, keepdims=True)
    E = np.exp(Z2)
    P = E / E.sum(axis=0 if slip == "softmax_axis" else 1, keepdims=True)
    Y = np.zeros((m, C))
    Y[np.arange(m), y] = 1.0
    losses = -np.log(P[np.arange(m), y])
    J = losses.sum() if slip == "cost_sum" else losses.mean()
    dZ2 = (P - Y) if slip == "no_mean" else (P - Y) / m
    dW2 = dZ2.T @ A1
    db2 = dZ2.mean(axis=0) if slip == "db_mean" else dZ2.sum(axis=0)
    W2_new = W2 + lr * dW2 if slip == "ascent" else W2 - lr * dW2
    dA1 = dZ2 @ (W2_new if slip == "updated_W2" else W2)
    mask = {"no_relu": 1.0, "mask_ge": Z1 >= 0, "mask_A1": A1 > 0}.get(slip, Z1 > 0)
    dZ1 = dA1 * mask
    dW1 = X.T @ dZ1 if slip == "dW1_transposed" else dZ1.T @ X
    db1 = dZ1.sum(axis=0)
    rate = 0.1 if slip == "fixed_lr" else lr
    sign = -1.0 if slip == "ascent" else 1.0
    W1_new, b1_new = W1 - sign * rate * dW1, b1 - sign * rate * db1
    b2_new = b2 - sign * rate * db2
    if slip == "fixed_lr":
        W2_new = W2 - rate * dW2
    if slip == "no_bias":
        b1_new, b2_new = b1, b2
    if slip == "cost_after":
        J = _step(W1_new, b1_new, W2_new, b2_new, X, y, lr)[0]
    if slip == "dict":
        return {"J": J, "W1": W1_new, "b1": b1_new, "W2": W2_new, "b2": b2_new}
    return J, W1_new, b1_new, W2_new, b2_new


def _slip(name):
    def training_step(W1, b1, W2, b2, X, y, lr):
        return _step(W1, b1, W2, b2, X, y, lr, slip=name)

    return training_step


def _in_place(W1, b1, W2, b2, X, y, lr):
    J, W1n, b1n, W2n, b2n = _step(W1, b1, W2, b2, X, y, lr)
    W1 -= W1 - W1n  # the update written into the caller's arrays
    b1 -= b1 - b1n
    W2 -= W2 - W2n
    b2 -= b2 - b2n
    return J, W1, b1, W2, b2


def _package_backward(W1, b1, W2, b2, X, y, lr):
    model = tour_model(W1.shape[1], W1.shape[0], W2.shape[0])
    for p, value in zip(model.parameters(), (W1, b1, W2, b2)):
        p.value[...] = value
    loss = dl.SoftmaxCrossEntropy()
    J = loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    return (J, *(p.value - lr * p.grad for p in model.parameters()))


def _package_softmax(W1, b1, W2, b2, X, y, lr):
    from dlcourse.losses import softmax

    softmax(X @ W1.T)  # the package's softmax, which the learner is to write
    return _step(W1, b1, W2, b2, X, y, lr)


def _finite_differences(W1, b1, W2, b2, X, y, lr, h=1e-5):
    """Every derivative estimated by a centred difference of the learner's own cost."""
    params = [W1, b1, W2, b2]

    def cost(ps):
        return _step(*ps, X, y, 0.0)[0]

    new = []
    for k, p in enumerate(params):
        grad = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            up = [q.copy() for q in params]
            down = [q.copy() for q in params]
            up[k][idx] += h
            down[k][idx] -= h
            grad[idx] = (cost(up) - cost(down)) / (2 * h)
        new.append(p - lr * grad)
    return (cost(params), *new)


# run by tests/test_grader_wrong_answers.py (it collects the WRONG* dicts of these files)
WRONG_NB00 = {
    "training_step.check_training_step": [
        (_slip("ascent"), "step against the gradient"),
        (_slip("no_mean"), "the 1/m is missing"),
        (_slip("cost_sum"), "not their sum"),
        (_slip("db_mean"), "the 1/m is already in dZ2"),
        (_slip("no_relu"), "ReLU's derivative at Z1"),
        (_slip("mask_ge"), "mask with Z1 > 0, not Z1 >= 0"),
        (_slip("updated_W2"), "compute every gradient before changing any weight"),
        (_slip("cost_after"), "before the update"),
        (_slip("no_bias"), "update the biases too"),
        (_slip("softmax_axis"), "along axis 1"),
        (_slip("no_shift"), "subtract each row's maximum"),
        (_slip("fixed_lr"), "use the argument `lr`"),
        (_slip("dW1_transposed"), "could not be broadcast"),
        (_slip("dict"), "expected a tuple of 5"),
        (_slip("classes_from_labels"), "W2.shape[0]"),
        (_slip("no_forward_bias"), "the forward pass adds the biases"),
        (_slip("relu_on_output"), "the output layer has no ReLU"),
        (_in_place, INPLACE),
        (_package_backward, SHORTCUT),
        (_package_softmax, "`losses.softmax`"),
        (_finite_differences, ESTIMATED[:40]),
    ]
}
SOLUTIONS_NB00 = {"training_step.check_training_step": training_step}


def test_the_right_answers_pass():
    assert check_training_step(training_step).message == "training_step: correct"
    assert check_training_step(_slip("mask_A1")).passed  # A1 > 0 is the same mask as Z1 > 0
    assert check_training_step(reference_training_step).passed


def test_the_reference_is_one_step_of_dl_fit():
    """The reference's step equals one full-batch epoch of dl.fit with plain SGD."""
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((20, 2)), rng.integers(0, 2, size=20)
    model = tour_model(2, 16, 2, rng=3)
    before = weights_of(model)
    opt = dl.optim.SGD(model.parameters(), lr=0.5)
    history = dl.fit(model, X, y, dl.SoftmaxCrossEntropy(), opt, epochs=1)
    J, *after = reference_training_step(*before, X, y, 0.5)
    assert J == pytest.approx(history.loss[0], rel=1e-12)
    for got, want in zip(after, weights_of(model)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_no_hidden_case_is_the_notebooks_network():
    from dlcourse.exercises.training_step import _cases

    shapes = [tuple(a.shape for a in d.case.args[:4]) for d in _cases()]
    assert ((16, 2), (16,), (2, 16), (2,)) not in shapes
    assert len({s for s in shapes}) == len(shapes)
