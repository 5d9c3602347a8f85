"""dlcourse.flat: parameters <-> one vector, and the (J, dJ/dtheta) closure for scipy."""

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.datasets import moons
from dlcourse.flat import (
    gradients_to_vector,
    model_loss_and_grad,
    num_parameters,
    parameters_to_vector,
    vector_to_parameters,
)


def mlp(dtype=np.float64, bn=False, dropout=0.0):
    layers = [dl.Dense(2, 5, rng=0, dtype=dtype)]
    if bn:
        layers.append(dl.BatchNorm(5, dtype=dtype))
    layers += [dl.Tanh()]
    if dropout:
        layers.append(dl.Dropout(dropout, rng=3))
    layers += [dl.Dense(5, 3, rng=1, dtype=dtype)]
    return dl.Sequential(layers)


@pytest.fixture
def data():
    X, y = moons(40, 0.2, rng=0)
    return X, y % 3


def test_vector_layout_follows_named_parameters():
    model = mlp()
    theta = parameters_to_vector(model)
    named = list(model.named_parameters())
    assert theta.shape == (sum(p.value.size for _, p in named),) == (num_parameters(model),)
    start = 0
    for _, p in named:
        np.testing.assert_array_equal(theta[start : start + p.value.size], p.value.ravel())
        start += p.value.size
    theta[0] += 1.0  # a copy, not a view
    assert theta[0] != model[0].W.value.flat[0]


def test_round_trip_in_place_and_dtype():
    model = mlp(dtype=np.float32)
    arrays = [p.value for p in model.parameters()]
    theta = parameters_to_vector(model)
    assert theta.dtype == np.float64
    new = np.arange(theta.size, dtype=np.float64) / 7.0
    vector_to_parameters(new, model)
    for p, a in zip(model.parameters(), arrays):
        assert p.value is a and p.value.dtype == np.float32  # written in place, dtype kept
    np.testing.assert_allclose(parameters_to_vector(model), new, rtol=1e-6)
    assert model[0].W.value[0, 1] == np.float32(1 / 7.0)  # W is (out, in), C order


def test_gradients_to_vector_matches_each_grad(data):
    X, y = data
    model = mlp()
    loss = dl.SoftmaxCrossEntropy()
    loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    g = gradients_to_vector(model)
    expected = np.concatenate([p.grad.ravel() for p in model.parameters()])
    np.testing.assert_array_equal(g, expected)
    assert np.linalg.norm(g) > 0


@pytest.mark.parametrize("bn, dropout, l2", [(False, 0.0, 0.0), (True, 0.5, 0.3)])
def test_loss_and_grad_against_finite_differences(data, bn, dropout, l2):
    X, y = data
    model = mlp(bn=bn, dropout=dropout)
    if bn:  # non-trivial running statistics, as after some training
        model[1].running_mean[:] = [0.3, -0.2, 0.1, 0.0, 0.5]
        model[1].running_var[:] = [1.5, 0.7, 2.0, 1.0, 0.4]
    f = model_loss_and_grad(model, dl.SoftmaxCrossEntropy(), X, y, l2=l2)
    theta = parameters_to_vector(model) + 0.1
    err = dl.gradcheck(lambda t: f(t)[0], theta, lambda t: f(t)[1])
    assert err < 1e-7


def test_loss_and_grad_is_the_test_time_cost_and_deterministic(data):
    X, y = data
    model = mlp(bn=True, dropout=0.5)
    buffers = [b.copy() for _, b in model.named_buffers()]
    loss = dl.SoftmaxCrossEntropy()
    f = model_loss_and_grad(model, loss, X, y, l2=0.2)
    theta = parameters_to_vector(model) * 0.9
    J1, g1 = f(theta)
    J2, g2 = f(theta)
    assert isinstance(J1, float) and J1 == J2
    np.testing.assert_array_equal(g1, g2)
    # the model is left at theta, and J is dl.evaluate's cost (training=False, L2 included)
    np.testing.assert_array_equal(parameters_to_vector(model), theta)
    assert J1 == pytest.approx(dl.evaluate(model, X, y, loss, l2=0.2)[0], rel=1e-12)
    # batch-norm running statistics are constants here: not updated
    for saved, (_, b) in zip(buffers, model.named_buffers()):
        np.testing.assert_array_equal(saved, b)
    # the gradients left in the parameters are those of theta
    np.testing.assert_array_equal(gradients_to_vector(model), g2)


def test_scipy_minimizes_through_it(data):
    from scipy.optimize import minimize

    X, y = data
    model = mlp()
    f = model_loss_and_grad(model, dl.SoftmaxCrossEntropy(), X, y)
    theta0 = parameters_to_vector(model)
    res = minimize(f, theta0, jac=True, method="L-BFGS-B", options={"maxiter": 30})
    assert res.fun < 0.5 * f(theta0)[0]


def test_bad_inputs(data):
    X, y = data
    model = mlp()
    n = num_parameters(model)
    with pytest.raises(ValueError, match=rf"vec must be a 1-D vector of length {n}.*\(3,\)"):
        vector_to_parameters(np.zeros(3), model)
    with pytest.raises(ValueError, match=r"vec must be.*\(1, "):
        vector_to_parameters(np.zeros((1, n)), model)
    bad = np.zeros(n)
    bad[4] = np.nan
    with pytest.raises(ValueError, match=r"vec contains 1 NaN/inf"):
        vector_to_parameters(bad, model)
    with pytest.raises(TypeError, match=r"params\[1\] must be a Parameter, got str"):
        parameters_to_vector([dl.Parameter(np.zeros(2)), "W"])
    with pytest.raises(TypeError, match=r"params must be a model or an iterable"):
        parameters_to_vector(3.0)
    p = dl.Parameter(np.zeros((2, 2)))
    p.grad = np.zeros(3)
    with pytest.raises(
        ValueError, match=r"params\[0\] has gradient of shape \(3,\), expected \(2, 2\)"
    ):
        gradients_to_vector([p])
    Xb = X.copy()
    Xb[0, 0] = np.inf
    with pytest.raises(ValueError, match=r"X contains 1 NaN/inf"):
        model_loss_and_grad(model, dl.SoftmaxCrossEntropy(), Xb, y)
    with pytest.raises(ValueError, match=r"X and y must have the same.*\(40, 2\).*\(39,\)"):
        model_loss_and_grad(model, dl.SoftmaxCrossEntropy(), X, y[:-1])
    with pytest.raises(ValueError, match=r"l2 must be >= 0, got -1"):
        model_loss_and_grad(model, dl.SoftmaxCrossEntropy(), X, y, l2=-1)
    with pytest.raises(ValueError, match=r"X must be 2-D"):
        model_loss_and_grad(model, dl.SoftmaxCrossEntropy(), X[:, 0], y)
