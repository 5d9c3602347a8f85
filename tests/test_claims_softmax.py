"""The claims notebook 12 makes in prose, on the same calls as the notebook."""

import numpy as np

import dlcourse as dl
from dlcourse import datasets


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


def test_two_class_softmax_is_logistic_with_twice_the_rate():
    X2, y2 = datasets.blobs(200, noise=1.0, rng=1, classes=2)
    w0 = np.random.default_rng(0).normal(size=2) * 0.5
    soft, logi = dl.Dense(2, 2, init="zeros"), dl.Dense(2, 1, init="zeros")
    soft.W.value[1] = w0
    logi.W.value[0] = w0
    hs = dl.fit(
        soft, X2, y2, dl.SoftmaxCrossEntropy(), dl.optim.SGD(soft.parameters(), 0.1), epochs=50
    )
    hl = dl.fit(
        logi,
        X2,
        y2.astype(float),
        dl.BinaryCrossEntropy(),
        dl.optim.SGD(logi.parameters(), 0.2),
        epochs=50,
    )
    assert np.abs(np.array(hs.loss) - np.array(hl.loss)).max() < 1e-12


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


def test_digits_explorer_hidden_layer_adds_under_a_point():
    from dlcourse.widgets.digits_explorer import DigitsExplorer

    d = DigitsExplorer()
    linear = d.val_accuracy
    d.controls["hidden"].value = 32
    assert linear > 0.94 and 0 <= d.val_accuracy - linear < 0.01
