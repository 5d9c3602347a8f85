"""Every layer's backward against two-sided finite differences, in training and test mode."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dlcourse as dl
from dlcourse.activations import ACTIVATIONS
from dlcourse.gradcheck import numerical_gradient, relative_error

TOL = 1e-7


def input_gradcheck(layer, x, training=True, seed=0):
    """Relative errors of dx and of every parameter gradient for J = sum(out * R)."""
    R = np.random.default_rng(seed).standard_normal(layer.forward(x, training).shape)

    def J():
        return float(np.sum(layer.forward(x, training) * R))

    layer.zero_grad()
    J()
    dx = layer.backward(R)
    errors = {"x": relative_error(dx, numerical_gradient(J, x))}
    for name, p in layer.named_parameters():
        errors[name] = relative_error(p.grad, numerical_gradient(J, p.value))
    return errors


smooth = ["sigmoid", "tanh", "elu"]
kinked = ["relu", "leaky_relu"]


@pytest.mark.parametrize("name", smooth + kinked)
def test_activation_backward(name, rng):
    x = rng.standard_normal((6, 5))
    x[np.abs(x) < 1e-3] = 0.5  # keep kinks farther than eps from the evaluation points
    errors = input_gradcheck(ACTIVATIONS[name](), x)
    assert errors["x"] < TOL


def test_step_has_zero_gradient(rng):
    layer = dl.Step()
    x = rng.standard_normal((4, 3))
    assert set(np.unique(layer.forward(x))) <= {0.0, 1.0}
    assert np.all(layer.backward(np.ones_like(x)) == 0)


@pytest.mark.parametrize("bias", [True, False])
def test_dense_backward(bias, rng):
    layer = dl.Dense(4, 3, bias=bias, rng=rng)
    errors = input_gradcheck(layer, rng.standard_normal((5, 4)))
    assert max(errors.values()) < TOL


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_backward(training, rng):
    layer = dl.BatchNorm(3)
    layer.gamma.value[:] = rng.uniform(0.5, 2, 3)
    layer.beta.value[:] = rng.standard_normal(3)
    layer.running_mean[:] = rng.standard_normal(3)
    layer.running_var[:] = rng.uniform(0.5, 2, 3)
    errors = input_gradcheck(layer, rng.standard_normal((7, 3)) * 3 + 1, training)
    assert max(errors.values()) < TOL


@pytest.mark.parametrize("training", [True, False])
def test_layernorm_backward(training, rng):
    layer = dl.LayerNorm(5)
    layer.gamma.value[:] = rng.uniform(0.5, 2, 5)
    layer.beta.value[:] = rng.standard_normal(5)
    errors = input_gradcheck(layer, rng.standard_normal((4, 5)) * 3 + 1, training)
    assert max(errors.values()) < TOL


def test_layernorm_rows_are_independent_and_normalised(rng):
    layer = dl.LayerNorm(6)
    x = rng.standard_normal((8, 6)) * 4 - 2
    out = layer.forward(x)
    np.testing.assert_allclose(out.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=1), 1, rtol=1e-5)  # var / (var + eps)
    np.testing.assert_array_equal(layer.forward(x[3:4]), out[3:4])  # batch size 1 works
    other = x.copy()
    other[:3] = rng.standard_normal((3, 6)) * 100
    np.testing.assert_array_equal(layer.forward(other)[3:], out[3:])
    np.testing.assert_array_equal(layer.forward(x, training=False), out)
    assert [p.name for p in layer.parameters()] == ["gamma", "beta"]
    assert dl.LayerNorm(6).state_dict().keys() == {"gamma", "beta"}


def test_layernorm_bad_input_names_the_argument():
    with pytest.raises(TypeError, match="num_features must be an int"):
        dl.LayerNorm(2.5)
    with pytest.raises(ValueError, match="num_features must be >= 1, got 0"):
        dl.LayerNorm(0)
    with pytest.raises(ValueError, match="eps must be > 0, got -1"):
        dl.LayerNorm(3, eps=-1)
    with pytest.raises(ValueError, match=r"LayerNorm: .*shape \(2, 4\).*in_features=3"):
        dl.LayerNorm(3).forward(np.zeros((2, 4)))
    with pytest.raises(RuntimeError, match="LayerNorm.backward called before forward"):
        dl.LayerNorm(3).backward(np.zeros((2, 3)))


def test_dropout_backward_with_fixed_mask(rng):
    layer = dl.Dropout(0.4, rng=rng)
    x = rng.standard_normal((6, 8))
    layer.forward(x)
    layer.fix_mask()
    errors = input_gradcheck(layer, x)
    assert errors["x"] < TOL
    assert not np.allclose(layer.mask, 1)


@settings(max_examples=25, deadline=None)
@given(
    m=st.integers(2, 6),
    sizes=st.lists(st.integers(1, 5), min_size=2, max_size=4),
    act=st.sampled_from(smooth),
    seed=st.integers(0, 2**32 - 1),
    bn=st.booleans(),
    training=st.booleans(),
    l2=st.sampled_from([0.0, 0.7]),
)
def test_network_gradcheck_property(m, sizes, act, seed, bn, training, l2):
    """Random MLPs (any depth/width, smooth activations, batch norm, dropout) pass gradcheck."""
    rng = np.random.default_rng(seed)
    layers = []
    for n_in, n_out in itertools.pairwise(sizes):
        layers += [dl.Dense(n_in, n_out, init="xavier", rng=rng)]
        if bn:
            layers += [dl.BatchNorm(n_out)]
        layers += [ACTIVATIONS[act](), dl.Dropout(0.3, rng=rng)]
    C = max(2, sizes[-1])
    model = dl.Sequential(layers + [dl.Dense(sizes[-1], C, rng=rng)])
    # biases away from 0: a unit whose inputs dropout zeroes has Z = b, and at Z = 0 exactly
    # ELU's second derivative jumps, where two-sided differences err by ~eps/4 (a kink)
    for layer in model.layers_list:
        if isinstance(layer, dl.Dense):
            layer.b.value[:] = rng.uniform(0.1, 0.5, layer.b.value.shape)
    X = rng.standard_normal((m, sizes[0]))
    y = rng.integers(0, C, m)
    err = dl.gradcheck(model, dl.SoftmaxCrossEntropy(), X, y, l2=l2, training=training)
    assert err < TOL


def test_gradcheck_finds_a_planted_bug(rng):
    class BuggyTanh(dl.Tanh):
        def _backward(self, da, a):
            return da * (1.0 - a)  # should be 1 - a^2

    X, y = rng.standard_normal((8, 3)), rng.integers(0, 2, 8)
    good = dl.Sequential([dl.Dense(3, 4, rng=1), dl.Tanh(), dl.Dense(4, 2, rng=2)])
    bad = dl.Sequential([dl.Dense(3, 4, rng=1), BuggyTanh(), dl.Dense(4, 2, rng=2)])
    assert dl.gradcheck(good, dl.SoftmaxCrossEntropy(), X, y) < TOL
    assert dl.gradcheck(bad, dl.SoftmaxCrossEntropy(), X, y) > 1e-3


def test_gradcheck_with_live_dropout_fails(rng):
    model = dl.Sequential(
        [dl.Dense(3, 20, rng=1), dl.Tanh(), dl.Dropout(0.5, rng=3), dl.Dense(20, 2, rng=2)]
    )
    X, y = rng.standard_normal((8, 3)), rng.integers(0, 2, 8)
    assert dl.gradcheck(model, dl.SoftmaxCrossEntropy(), X, y, fix_dropout=False) > 1e-2
    assert dl.gradcheck(model, dl.SoftmaxCrossEntropy(), X, y) < TOL


def test_gradcheck_restores_batchnorm_buffers(rng):
    model = dl.Sequential([dl.Dense(3, 4, rng=1), dl.BatchNorm(4), dl.Dense(4, 2, rng=2)])
    before = model[1].running_mean.copy()
    dl.gradcheck(
        model, dl.SoftmaxCrossEntropy(), rng.standard_normal((5, 3)), rng.integers(0, 2, 5)
    )
    np.testing.assert_array_equal(model[1].running_mean, before)


def test_gradcheck_function_form():
    f = lambda x: float(np.sum(x**3))
    x = np.array([1.0, -2.0, 0.5])
    assert dl.gradcheck(f, x, lambda x: 3 * x**2) < TOL
    assert dl.gradcheck(f, x, 2 * x**2) > 1e-2


def test_dropout_keeps_expectation_and_is_identity_at_test():
    layer = dl.Dropout(0.3, rng=0)
    x = np.full((2000, 50), 2.0)
    out = layer.forward(x)
    assert abs(out.mean() - 2.0) < 0.02
    assert abs((out == 0).mean() - 0.3) < 0.01
    assert np.array_equal(layer.forward(x, training=False), x)
    assert np.array_equal(dl.Dropout(0.0).forward(x), x)


def test_batchnorm_train_and_test_statistics(rng):
    bn = dl.BatchNorm(3, momentum=0.9)
    x = rng.standard_normal((500, 3)) * [1, 2, 3] + [5, -1, 0]
    out = bn.forward(x)
    np.testing.assert_allclose(out.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(0), 1, atol=1e-4)
    np.testing.assert_allclose(bn.running_mean, 0.1 * x.mean(0))
    np.testing.assert_allclose(bn.running_var, 0.9 + 0.1 * x.var(0))
    for _ in range(200):
        bn.forward(x)
    test_out = bn.forward(x[:4], training=False)
    expected = (x[:4] - bn.running_mean) / np.sqrt(bn.running_var + bn.eps)
    np.testing.assert_allclose(test_out, expected)
    # a single example at test time is normalised with the running statistics, not by itself
    assert np.any(np.abs(bn.forward(x[:1], training=False)) > 0.01)


@pytest.mark.parametrize(
    "init,std", [("he", np.sqrt(2 / 400)), ("xavier", np.sqrt(1 / 400)), ("random", 0.01)]
)
def test_init_statistics(init, std):
    W = dl.Dense(400, 300, init=init, rng=0).W.value
    assert abs(W.std() / std - 1) < 0.01
    assert abs(W.mean()) < 0.05 * std


def test_init_zeros_and_callable():
    assert np.all(dl.Dense(3, 4, init="zeros").W.value == 0)
    layer = dl.Dense(3, 4, init=lambda shape, rng: np.full(shape, 0.5))
    assert np.all(layer.W.value == 0.5)


def test_seed_makes_default_rng_reproducible():
    dl.seed(7)
    a = dl.Dense(5, 5).W.value
    dl.seed(7)
    b = dl.Dense(5, 5).W.value
    assert np.array_equal(a, b) and not np.array_equal(a, dl.Dense(5, 5).W.value)


def test_float32_end_to_end(rng):
    model = dl.Sequential(
        [
            dl.Dense(2, 8, dtype=np.float32, rng=1),
            dl.BatchNorm(8, dtype=np.float32),
            dl.ReLU(),
            dl.Dropout(0.2, rng=2),
            dl.Dense(8, 3, dtype=np.float32, rng=3),
        ]
    )
    X = rng.standard_normal((50, 2)).astype(np.float32)
    y = rng.integers(0, 3, 50)
    opt = dl.optim.Adam(model.parameters(), lr=0.01)
    dl.fit(model, X, y, loss=dl.SoftmaxCrossEntropy(), optimizer=opt, epochs=3, batch_size=16)
    assert model.forward(X).dtype == np.float32
    assert all(p.value.dtype == np.float32 for p in model.parameters())
    assert all(
        s.dtype == np.float32 for st_ in opt.state.values() for k, s in st_.items() if k != "t"
    )


def test_sequential_parameters_and_repr():
    model = dl.Sequential([dl.Dense(2, 3), dl.ReLU(), dl.BatchNorm(3), dl.Dense(3, 1, bias=False)])
    names = [n for n, _ in model.named_parameters()]
    assert names == ["0.W", "0.b", "2.gamma", "2.beta", "3.W"]
    assert len(model.parameters()) == 5 and len(model) == 4
    assert "Dense(2, 3" in repr(model)


# ------------------------------------------------------------------ the code the course teaches
@settings(max_examples=30, deadline=None)
@given(
    m=st.integers(1, 7),
    n_in=st.integers(1, 6),
    n_out=st.integers(1, 6),
    bias=st.booleans(),
    seed=st.integers(0, 2**16),
    dtype=st.sampled_from([np.float64, np.float32]),
)
def test_dense_layer_agrees_with_the_pure_functions(m, n_in, n_out, bias, seed, dtype):
    """Dense.forward / backward compute what dense_forward / dense_backward (notebook 03)
    compute, to the last bit, on random inputs, with and without the lazy zero."""
    from dlcourse.layers import dense_backward, dense_forward

    rng = np.random.default_rng(seed)
    layer = dl.Dense(n_in, n_out, bias=bias, dtype=dtype, rng=rng)
    if bias:
        layer.b.value[:] = rng.standard_normal(n_out)
    X = rng.standard_normal((m, n_in)).astype(dtype)
    dZ = rng.standard_normal((m, n_out)).astype(dtype)
    Z, cache = dense_forward(X, layer.W.value, layer.b.value if bias else None)
    dX, dW, db = dense_backward(dZ, cache)
    for eager in (False, True):
        layer.zero_grad()
        if eager:
            layer.W.grad.fill(0)  # a read fills the zeros: the += path
        np.testing.assert_array_equal(layer.forward(X), Z)
        np.testing.assert_array_equal(layer.backward(dZ), dX)
        np.testing.assert_array_equal(layer.W.grad, dW)
        if bias:
            np.testing.assert_array_equal(layer.b.grad, db)
    assert layer.backward(dZ, input_grad=False) is None


def test_every_layer_refuses_backward_before_forward():
    layers = [dl.Dense(2, 2), dl.BatchNorm(2), dl.Dropout(0.5), dl.Dropout(0.0)]
    layers += [cls() for cls in ACTIVATIONS.values()]
    for layer in layers:
        with pytest.raises(
            RuntimeError, match=f"{type(layer).__name__}.backward called before forward"
        ):
            layer.backward(np.ones((1, 2)))
    dropout = dl.Dropout(0.5)
    dropout.forward(np.ones((1, 2)), training=False)
    np.testing.assert_array_equal(dropout.backward(np.full((1, 2), 3.0)), [[3.0, 3.0]])


def test_activations_declare_their_pure_pairs():
    from dlcourse import activations as A

    pairs = {
        "relu": (A.relu_forward, A.relu_backward),
        "sigmoid": (A.sigmoid_forward, A.sigmoid_backward),
        "tanh": (A.tanh_forward, A.tanh_backward),
        "elu": (A.elu_forward, A.elu_backward),
        "leaky_relu": (A.leaky_relu_forward, A.leaky_relu_backward),
        "step": (A.step_forward, A.step_backward),
    }
    for name, (fwd, bwd) in pairs.items():
        cls = ACTIVATIONS[name]
        assert (cls.forward_fn, cls.backward_fn) == (fwd, bwd), name
    z = np.linspace(-2, 2, 9).reshape(3, 3)
    layer = dl.LeakyReLU(0.2)
    a, cache = A.leaky_relu_forward(z, 0.2)
    np.testing.assert_array_equal(layer.forward(z), a)
    np.testing.assert_array_equal(layer.backward(z), A.leaky_relu_backward(z, cache))
    assert repr(layer) == "LeakyReLU(slope=0.2)" and repr(dl.ELU(0.5)) == "ELU(alpha=0.5)"


def test_a_custom_layer_declares_that_it_skips_the_input_gradient():
    class Shift(dl.Layer):
        """out = x + c with a learnable c; says it can skip dx, and records how it was called."""

        _params = ("c",)
        accepts_input_grad = True

        def __init__(self, n):
            self.c = dl.Parameter(np.zeros(n))
            self.calls = []

        def forward(self, x, training=True):
            return x + self.c.value

        def backward(self, dout, input_grad=True):
            self.calls.append(input_grad)
            self.c.accumulate(dout.sum(axis=0))
            return dout if input_grad else None

    first, plain = Shift(2), Shift(2)
    plain.accepts_input_grad = False
    X, y = np.random.default_rng(0).standard_normal((8, 2)), np.arange(8) % 2
    for layer, expected in ((first, False), (plain, True)):
        model = dl.Sequential([layer, dl.Dense(2, 2, rng=0)])
        dl.fit(
            model,
            X,
            y,
            dl.SoftmaxCrossEntropy(),
            dl.optim.SGD(model.parameters(), lr=0.1),
            epochs=2,
        )
        assert layer.calls == [expected, expected]
        assert model.backward(np.ones((8, 2))).shape == (8, 2)  # input_grad=True by default
