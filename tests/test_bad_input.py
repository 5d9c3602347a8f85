"""Every bad input raises a clear error that names the argument and its value."""

import numpy as np
import pytest

import dlcourse as dl


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((10, 3)), rng.integers(0, 2, 10)


def model3():
    return dl.Sequential([dl.Dense(3, 4, rng=0), dl.ReLU(), dl.Dense(4, 2, rng=1)])


def test_input_width_mismatch_names_both():
    with pytest.raises(ValueError, match=r"shape \(5, 4\).*in_features=3"):
        dl.Dense(3, 2).forward(np.zeros((5, 4)))


def test_labels_out_of_range():
    with pytest.raises(ValueError, match=r"label 2 out of range for 2 classes"):
        dl.SoftmaxCrossEntropy().forward(np.zeros((3, 2)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"label -1"):
        dl.SoftmaxCrossEntropy().forward(np.zeros((3, 2)), np.array([0, -1, 1]))
    with pytest.raises(ValueError, match=r"labels must be in \{0, 1\}"):
        dl.BinaryCrossEntropy().forward(np.zeros(3), np.array([0, 1, 2]))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_inf_in_data(data, bad):
    X, y = data
    Xb = X.copy()
    Xb[2, 1] = bad
    model = model3()
    opt = dl.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"X contains 1 NaN/inf"):
        dl.fit(model, Xb, y, loss=dl.SoftmaxCrossEntropy(), optimizer=opt, epochs=1)
    yb = y.astype(float)
    yb[0] = bad
    with pytest.raises(ValueError, match=r"y contains 1 NaN/inf"):
        dl.fit(model, X, yb, loss=dl.SoftmaxCrossEntropy(), optimizer=opt, epochs=1)
    with pytest.raises(ValueError, match=r"X_val contains"):
        dl.fit(
            model, X, y, loss=dl.SoftmaxCrossEntropy(), optimizer=opt, epochs=1, validation=(Xb, y)
        )


@pytest.mark.parametrize(
    "make",
    [
        lambda ps, v: dl.optim.SGD(ps, lr=v),
        lambda ps, v: dl.optim.Momentum(ps, lr=v),
        lambda ps, v: dl.optim.AdaGrad(ps, lr=v),
        lambda ps, v: dl.optim.RMSProp(ps, lr=v),
        lambda ps, v: dl.optim.Adam(ps, lr=v),
    ],
)
@pytest.mark.parametrize("lr", [0.0, -0.1, float("nan")])
def test_learning_rate_must_be_positive(make, lr):
    with pytest.raises(ValueError, match=r"lr must be"):
        make([dl.Parameter(np.zeros(2))], lr)


def test_lr_setter_is_checked():
    opt = dl.optim.Adam([dl.Parameter(np.zeros(2))])
    with pytest.raises(ValueError, match=r"lr must be > 0, got -1"):
        opt.lr = -1


@pytest.mark.parametrize(
    "make,name",
    [
        (lambda v: dl.optim.Momentum([dl.Parameter(np.zeros(2))], lr=0.1, beta=v), "beta"),
        (lambda v: dl.optim.RMSProp([dl.Parameter(np.zeros(2))], lr=0.1, beta=v), "beta"),
        (lambda v: dl.optim.Adam([dl.Parameter(np.zeros(2))], beta1=v), "beta1"),
        (lambda v: dl.optim.Adam([dl.Parameter(np.zeros(2))], beta2=v), "beta2"),
        (lambda v: dl.optim.SGD([dl.Parameter(np.zeros(2))], lr=0.1, momentum=v), "momentum"),
        (lambda v: dl.BatchNorm(3, momentum=v), "momentum"),
        (lambda v: dl.Dropout(v), "rate"),
    ],
)
@pytest.mark.parametrize("value", [1.0, -0.01, 1.5])
def test_unit_interval_arguments(make, name, value):
    with pytest.raises(ValueError, match=rf"{name} must be in \[0, 1\), got {value}"):
        make(value)


@pytest.mark.parametrize("bs", [0, -3])
def test_batch_size_at_least_one(data, bs):
    X, y = data
    model = model3()
    with pytest.raises(ValueError, match=rf"batch_size must be >= 1, got {bs}"):
        dl.fit(
            model,
            X,
            y,
            loss=dl.SoftmaxCrossEntropy(),
            optimizer=dl.optim.SGD(model.parameters(), lr=0.1),
            batch_size=bs,
        )


def test_unknown_init_and_activation_list_valid_names():
    with pytest.raises(
        ValueError, match=r"unknown init 'glorot'.*'zeros'.*'random'.*'xavier'.*'he'"
    ):
        dl.Dense(2, 2, init="glorot")
    with pytest.raises(ValueError, match=r"unknown activation 'swish'.*'relu'.*'tanh'"):
        dl.get_activation("swish")


def test_gradcheck_and_types():
    with pytest.raises(TypeError, match="Parameter"):
        dl.optim.SGD([np.zeros(3)], lr=0.1)
    with pytest.raises(TypeError, match="in_features must be an int"):
        dl.Dense(2.5, 3)
    with pytest.raises(ValueError, match=r"epochs must be >= 0, got -1"):
        m = model3()
        dl.fit(
            m,
            np.zeros((2, 3)),
            np.zeros(2, int),
            loss=dl.MSE(),
            optimizer=dl.optim.SGD(m.parameters(), lr=0.1),
            epochs=-1,
        )
