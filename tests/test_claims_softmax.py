"""The claims notebook 12 makes in prose, on the same calls as the notebook."""

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import datasets
from dlcourse.experiments.digits import train_digits


def test_naive_softmax_is_nan_and_stable_is_not():
    z = np.array([[1000.0, 1001.0, 1002.0]])
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert np.isnan(naive).all()
    assert np.allclose(dl.softmax(z), [[0.0900, 0.2447, 0.6652]], atol=1e-4)


def test_log_of_stable_softmax_is_inf_where_log_sum_exp_gives_1000():
    z, label = np.array([[0.0, -1000.0]]), np.array([1])
    with np.errstate(divide="ignore"):
        assert np.isinf(-np.log(dl.softmax(z)[0, 1]))
    assert abs(dl.SoftmaxCrossEntropy().forward(z, label) - 1000.0) < 1e-9


def two_class_cost_gaps(data_seed: int, w_seed: int) -> dict[float, float]:
    X2, y2 = datasets.blobs(200, noise=1.0, rng=data_seed, classes=2)
    w0 = np.random.default_rng(w_seed).normal(size=2) * 0.5
    soft = dl.Dense(2, 2, init="zeros")
    soft.W.value[1] = w0
    hs = dl.fit(
        soft, X2, y2, dl.SoftmaxCrossEntropy(), dl.optim.SGD(soft.parameters(), 0.1), epochs=50
    )
    gaps = {}
    for lr in (0.1, 0.2, 0.05):
        logi = dl.Dense(2, 1, init="zeros")
        logi.W.value[0] = w0
        hl = dl.fit(
            logi,
            X2,
            y2.astype(float),
            dl.BinaryCrossEntropy(),
            dl.optim.SGD(logi.parameters(), lr),
            epochs=50,
        )
        gaps[lr] = np.abs(np.array(hs.loss) - np.array(hl.loss)).max()
    return gaps


@pytest.mark.parametrize("seed", range(5))
def test_q_two_classes_only_twice_the_rate_follows_softmax(seed):
    gaps = two_class_cost_gaps(data_seed=1 + seed, w_seed=seed)
    assert gaps[0.2] < 1e-12  # (b)
    assert gaps[0.1] > 1e-4 and gaps[0.05] > 1e-4  # (a) and (c) visibly off


def test_shifting_by_the_mean_or_the_minimum_overflows():
    z = np.array([[1000.0, -1000.0]])
    for s in (z.mean(), z.min()):
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.exp(z - s)
            assert np.isnan(e / e.sum()).any()
    e = np.exp(z - z.max())
    assert np.allclose(e / e.sum(), [[1.0, 0.0]])


def test_digits_nearly_linearly_separable():
    X, y = datasets.load_digits()
    X_train, X_val, y_train, y_val = datasets.train_val_split(X, y, 0.25, rng=0)
    X_train, X_val, _, _ = datasets.standardize(X_train, X_val)
    softreg = dl.Sequential([dl.Dense(64, 10, init="xavier", rng=0)])
    h = dl.fit(
        softreg,
        X_train,
        y_train,
        dl.SoftmaxCrossEntropy(),
        dl.optim.SGD(softreg.parameters(), 0.5),
        epochs=100,
        validation=(X_val, y_val),
    )
    assert h.accuracy[-1] > 0.97 and h.val_accuracy[-1] > 0.95


@pytest.mark.parametrize("seed", range(5))
def test_hidden_layer_adds_between_0_and_about_1_point(seed):
    linear = train_digits(0, seed=seed)[1].val_accuracy[-1]
    hidden = train_digits(32, seed=seed)[1].val_accuracy[-1]
    assert linear > 0.94
    assert -1e-9 <= hidden - linear < 0.0125  # "between 0 and about 1 point"


@pytest.mark.parametrize("seed", range(5))
def test_gradient_descent_with_the_reference_loss_is_fit_with_l2(seed):
    """12, exercise (c): the learner's loss trained by plain gradient descent is the
    package's run (dl.fit, SGD, full batch, l2 = λ): same weights to rounding, same cost
    at every step, same accuracies; on other splits and initial weights too."""
    from dlcourse.experiments.digits import (
        fit_softmax_regression,
        gradient_descent,
        softmax_regression_loss,
    )

    X_train, X_val, y_train, y_val = datasets.digits_split(seed)
    W0 = dl.Dense(64, 10, init="xavier", bias=False, rng=seed).W.value
    W, costs = gradient_descent(softmax_regression_loss, W0, X_train, y_train, 0.5, 100, 10.0)
    model, history = fit_softmax_regression(W0, X_train, y_train, 0.5, 100, 10.0)
    assert np.abs(W - model[0].W.value).max() < 1e-10
    assert np.abs(np.array(costs) - np.array(history.loss)).max() < 1e-12
    accuracy = dl.SoftmaxCrossEntropy().accuracy
    for Xs, ys in ((X_train, y_train), (X_val, y_val)):
        assert accuracy(Xs @ W.T, ys) == accuracy(model.forward(Xs, training=False), ys)
    assert 0.945 <= accuracy(X_val @ W.T, y_val) <= 0.975  # "about 96 %"


def test_gradient_descent_names_a_dw_of_the_wrong_shape():
    from dlcourse.experiments.digits import gradient_descent, softmax_regression_loss

    def transposed(W, X, y, reg):
        J, dW = softmax_regression_loss(W, X, y, reg)
        return J, dW.T

    X, y, W0 = np.ones((4, 3)), np.array([0, 1, 0, 1]), np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"dW of shape \(3, 2\); W has shape \(2, 3\)"):
        gradient_descent(transposed, W0, X, y, 0.1, 2, 0.0)
