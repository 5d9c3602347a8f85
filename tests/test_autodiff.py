"""Tests for dlcourse.autodiff: every backward against two-sided finite differences,
an MLP against finite differences and torch.autograd, graph-shape cases, minimize/grad."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes, valid_tuple_axes

from dlcourse.autodiff import Tensor, grad, minimize, value_and_grad, zero_grad
from dlcourse import autodiff as ad
from dlcourse.descent import RADIUS, path
from dlcourse.topics import gd1d

H = 1e-6
TOL = 1e-7
SETTINGS = settings(max_examples=40, deadline=None)


# ----------------------------------------------------------------------------- helpers
def numeric_grad(f, arrays, i):
    """Two-sided finite differences of the scalar f(*arrays) w.r.t. arrays[i]."""
    x = arrays[i]
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + H
        fp = f(*arrays)
        x[idx] = old - H
        fm = f(*arrays)
        x[idx] = old
        g[idx] = (fp - fm) / (2 * H)
    return g


def complex_step_grad(f, x):
    """The gradient of the real scalar f(x) by complex steps, exact to round-off (no
    cancellation): Im f(x + ih e_k) / h. ``f`` must be analytic numpy code."""
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        z = x.astype(complex)
        z[idx] += 1e-30j
        g[idx] = f(z).imag / 1e-30
    return g


def rel_error(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape, (a.shape, b.shape)
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def check_op(op, arrays, rng, reference=None, exact=False):
    """Compare the forward value with ``reference`` (numpy) and the autodiff gradients of
    sum(op(*x) * R), R random, with finite differences, for every input (``exact``: with
    complex steps through ``reference`` instead, for a one-input op whose gradient can be
    small next to its terms, where finite differences lose the digits that matter)."""
    arrays = [np.array(a, dtype=float) for a in arrays]
    out = op(*[Tensor(a) for a in arrays]).value
    if reference is not None:
        np.testing.assert_allclose(out, reference(*arrays), rtol=1e-14, atol=1e-300)
    out_shape = np.shape(out)
    weights = rng.normal(size=out_shape)

    def loss_value(*xs):
        return float((op(*[Tensor(x) for x in xs]) * weights).sum().value)

    leaves = [Tensor(a, requires_grad=True) for a in arrays]
    (op(*leaves) * weights).sum().backward()
    for i, leaf in enumerate(leaves):
        if exact:
            num = complex_step_grad(lambda z: (reference(z) * weights).sum(), arrays[0])
        else:
            num = numeric_grad(loss_value, arrays, i)
        assert leaf.grad is not None and leaf.grad.shape == arrays[i].shape
        err = rel_error(leaf.grad, num)
        assert err < TOL, f"input {i}: relative error {err:.2e}"


def away_from_zero(rng, shape, low=0.3, high=2.0):
    return rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)


seeds = st.integers(0, 2**32 - 1)
pairs = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4)


# ----------------------------------------------------------------------------- binary ops
BINARY = {
    "add": (lambda a, b: a + b, "any"),
    "sub": (lambda a, b: a - b, "any"),
    "mul": (lambda a, b: a * b, "any"),
    "div": (lambda a, b: a / b, "nonzero"),
    "pow": (lambda a, b: a**b, "positive"),
}


@pytest.mark.parametrize("name", BINARY)
@SETTINGS
@given(shapes=pairs, seed=seeds)
def test_binary_op_gradients_with_broadcasting(name, shapes, seed):
    op, domain = BINARY[name]
    rng = np.random.default_rng(seed)
    sa, sb = shapes.input_shapes
    a = rng.uniform(0.5, 2.0, sa) if domain == "positive" else rng.normal(size=sa)
    b = away_from_zero(rng, sb) if domain == "nonzero" else rng.uniform(-2, 2, sb)
    check_op(op, [a, b], rng, reference=op)  # the lambdas also work on plain arrays


CONSTANT_SIDE = {
    "number + x": lambda x, c: 1.5 + x,
    "x + array": lambda x, c: x + c,
    "array + x": lambda x, c: c + x,
    "number - x": lambda x, c: 1.5 - x,
    "array - x": lambda x, c: c - x,
    "x - array": lambda x, c: x - c,
    "number * x": lambda x, c: -2.5 * x,
    "array * x": lambda x, c: c * x,
    "np.float64 * x": lambda x, c: np.float64(3.0) * x,
    "number / x": lambda x, c: 2.0 / x,
    "array / x": lambda x, c: c / x,
    "x / number": lambda x, c: x / 4.0,
    "x ** 3 (negative base)": lambda x, c: x**3,
    "x ** -2": lambda x, c: x**-2,
    "number ** x": lambda x, c: 2.0**x,
    "array ** x": lambda x, c: np.abs(c) ** x,
    "x ** array": lambda x, c: np.abs(x) ** c,
    "neg": lambda x, c: -x,
}


@pytest.mark.parametrize("name", CONSTANT_SIDE)
@SETTINGS
@given(shapes=pairs, seed=seeds)
def test_operations_with_plain_numbers_and_arrays(name, shapes, seed):
    rng = np.random.default_rng(seed)
    sx, sc = shapes.input_shapes
    const = away_from_zero(rng, sc, 0.5, 1.5)
    x = away_from_zero(rng, sx)
    op = CONSTANT_SIDE[name]
    if name == "x ** array":  # |x| is not an op we provide: use a positive x directly
        x, op = np.abs(x), (lambda t, c: t**c)
    result = op(Tensor(x, requires_grad=True), const)
    assert isinstance(result, Tensor) and result.requires_grad
    check_op(lambda t: op(t, const), [x], rng, reference=lambda a: op(a, const), exact=True)


# ----------------------------------------------------------------------------- unary ops
def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_relu(x):
    return np.maximum(x, 0.0)


UNARY = {  # name: (op, domain, numpy reference)
    "exp": (lambda x: x.exp(), "any", np.exp),
    "log": (lambda x: x.log(), "positive", np.log),
    "tanh": (lambda x: x.tanh(), "any", np.tanh),
    "sigmoid": (lambda x: x.sigmoid(), "any", np_sigmoid),
    "relu": (lambda x: x.relu(), "nonzero", np_relu),
    "ad.exp": (ad.exp, "any", np.exp),
    "ad.log": (ad.log, "positive", np.log),
    "ad.tanh": (ad.tanh, "any", np.tanh),
    "ad.sigmoid": (ad.sigmoid, "any", np_sigmoid),
    "ad.relu": (ad.relu, "nonzero", np_relu),
    "sqrt as ** 0.5": (lambda x: x**0.5, "positive", np.sqrt),
    "transpose": (lambda x: x.T, "any", np.transpose),
    "reshape": (lambda x: x.reshape(-1), "any", np.ravel),
}


@pytest.mark.parametrize("name", UNARY)
@SETTINGS
@given(shape=pairs.map(lambda s: s.result_shape), seed=seeds)
def test_unary_op_gradients(name, shape, seed):
    op, domain, reference = UNARY[name]
    rng = np.random.default_rng(seed)
    if domain == "positive":
        x = rng.uniform(0.5, 2.0, shape)
    elif domain == "nonzero":
        x = away_from_zero(rng, shape, 0.05, 2.0)
    else:
        x = rng.uniform(-2.0, 2.0, shape)
    check_op(op, [x], rng, reference)


@pytest.mark.parametrize("reduction", ["sum", "mean"])
@SETTINGS
@given(data=st.data(), seed=seeds)
def test_reduction_gradients(reduction, data, seed):
    shape = data.draw(pairs.map(lambda s: s.result_shape))
    ndim = len(shape)
    axis = data.draw(
        st.one_of(
            st.none(),
            st.integers(-ndim, ndim - 1) if ndim else st.none(),
            valid_tuple_axes(ndim),
        )
    )
    keepdims = data.draw(st.booleans())
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape)
    op = lambda t: getattr(t, reduction)(axis=axis, keepdims=keepdims)
    reference = lambda a: getattr(np, reduction)(a, axis=axis, keepdims=keepdims)
    check_op(op, [x], rng, reference)


MATMUL_SHAPES = [
    ((3, 4), (4, 2)),
    ((3, 4), (4,)),
    ((4,), (4, 2)),
    ((4,), (4,)),
    ((1, 5), (5, 1)),
    ((6, 1), (1, 3)),
]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
@settings(max_examples=10, deadline=None)
@given(seed=seeds)
def test_matmul_gradients(sa, sb, seed):
    rng = np.random.default_rng(seed)
    matmul = lambda a, b: a @ b
    check_op(matmul, [rng.normal(size=sa), rng.normal(size=sb)], rng, reference=matmul)


@pytest.mark.parametrize("side", ["left", "right"])
def test_matmul_with_ndarray_on_either_side(side):
    rng = np.random.default_rng(0)
    M, v = rng.normal(size=(3, 4)), rng.normal(size=4)
    if side == "left":
        op = lambda t: M @ t
        check_op(op, [v], rng, reference=op)
    else:
        op = lambda t: t @ v
        check_op(op, [M], rng, reference=op)
    assert isinstance(op(Tensor(v if side == "left" else M)), Tensor)


# ----------------------------------------------------------------------------- composites
def mlp_loss(X, Y, W1, b1, W2, b2):
    """Two-layer MLP, tanh hidden layer, mean squared error (course shapes: W (out, in))."""
    hidden = (X @ W1.T + b1).tanh()
    pred = hidden @ W2.T + b2
    return ((pred - Y) ** 2).mean()


def mlp_arrays(seed):
    rng = np.random.default_rng(seed)
    return [
        rng.normal(size=(8, 3)),
        rng.normal(size=(8, 2)),
        rng.normal(size=(5, 3)),
        rng.normal(size=5),
        rng.normal(size=(2, 5)),
        rng.normal(size=2),
    ]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mlp_against_finite_differences(seed):
    arrays = mlp_arrays(seed)
    X, Y, *params = arrays
    leaves = [Tensor(p, requires_grad=True) for p in params]
    mlp_loss(Tensor(X), Tensor(Y), *leaves).backward()
    f = lambda *ps: mlp_loss(Tensor(X), Tensor(Y), *[Tensor(p) for p in ps]).item()
    for i, leaf in enumerate(leaves):
        assert rel_error(leaf.grad, numeric_grad(f, params, i)) < TOL


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mlp_against_torch_autograd(seed):
    torch = pytest.importorskip("torch")
    X, Y, *params = mlp_arrays(seed)
    leaves = [Tensor(p, requires_grad=True) for p in params]
    loss = mlp_loss(Tensor(X), Tensor(Y), *leaves)
    loss.backward()

    tp = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params]
    W1, b1, W2, b2 = tp
    hidden = torch.tanh(torch.tensor(X) @ W1.T + b1)
    t_loss = torch.nn.functional.mse_loss(hidden @ W2.T + b2, torch.tensor(Y))
    t_loss.backward()

    assert abs(loss.item() - t_loss.item()) < 1e-12
    for leaf, t in zip(leaves, tp):
        assert np.max(np.abs(leaf.grad - t.grad.numpy())) < 1e-10


def test_non_scalar_output_with_explicit_upstream_gradient():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x, upstream = rng.normal(size=(4, 3)), rng.normal(size=(4,))
    t = Tensor(x, requires_grad=True)
    out = (t.sigmoid() * t).sum(axis=1)
    out.backward(upstream)
    tx = torch.tensor(x, requires_grad=True)
    (torch.sigmoid(tx) * tx).sum(dim=1).backward(torch.tensor(upstream))
    assert np.max(np.abs(t.grad - tx.grad.numpy())) < 1e-12


# ----------------------------------------------------------------------------- graph shape
def test_node_used_twice_accumulates():
    x = Tensor(3.0, requires_grad=True)
    (x * x + x).backward()  # d/dx (x^2 + x) = 2x + 1
    assert x.grad == pytest.approx(7.0, abs=0)


def test_diamond_graph():
    x = Tensor([0.5, -1.0], requires_grad=True)
    u = x.exp()
    y = (u * u.tanh() + u).sum()  # u feeds three uses
    y.backward()
    e = np.exp(x.value)
    expected = e * (np.tanh(e) + e * (1 - np.tanh(e) ** 2) + 1)
    np.testing.assert_allclose(x.grad, expected, rtol=1e-14)


def test_gradients_accumulate_across_backward_calls_until_zero_grad():
    w = Tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    loss.backward()
    loss.backward()
    np.testing.assert_array_equal(w.grad, 2 * (2 * w.value))
    zero_grad(w)
    np.testing.assert_array_equal(w.grad, [0.0, 0.0])
    loss.backward()
    np.testing.assert_array_equal(w.grad, 2 * w.value)


def test_course_example_intermediate_gradients():
    # J = 3 (a + b c) with a=5, b=3, c=2 (the course's computation graph)
    a, b, c = (Tensor(v, requires_grad=True) for v in (5.0, 3.0, 2.0))
    u = (b * c).retain_grad()
    v = (a + u).retain_grad()
    J = 3 * v
    J.backward()
    assert J.item() == 33.0
    assert (v.grad, u.grad, a.grad, b.grad, c.grad) == (3.0, 3.0, 3.0, 6.0, 9.0)


def test_only_leaves_keep_grad_and_constants_get_none():
    w = Tensor(2.0, requires_grad=True)
    k = Tensor(3.0)
    h = w * k
    (h * h).backward()
    assert w.grad == 2 * 2.0 * 9.0
    assert h.grad is None and k.grad is None


@pytest.mark.parametrize("n", [5000, 20000])
def test_deep_chain_does_not_recurse(n):
    assert sys.getrecursionlimit() < n
    x = Tensor(0.7, requires_grad=True)
    y, value, deriv = x, 0.7, 1.0
    for _ in range(n // 2):  # two ops per iteration
        y = (y * 0.9).tanh()
        deriv *= 0.9 * (1 - np.tanh(0.9 * value) ** 2)
        value = np.tanh(0.9 * value)
    y.backward()
    assert y.item() == pytest.approx(value, rel=1e-12)
    assert x.grad == pytest.approx(deriv, rel=1e-9)


# ----------------------------------------------------------------------------- helpers API
def test_minimize_reaches_the_minimum_of_the_course_quadratic():
    ws, costs = minimize(lambda w: w**2 - 10 * w + 25, w0=0.0, lr=0.1, steps=200)
    assert ws.shape == (201,) and costs.shape == (201,)
    assert ws[0] == 0.0 and costs[0] == 25.0
    assert abs(ws[-1] - 5.0) < 1e-6
    assert np.all(np.diff(costs) <= 1e-12)  # monotone, up to rounding near J = 0
    np.testing.assert_allclose(costs, (ws - 5.0) ** 2, atol=1e-12)
    # one step of gradient descent from w = 0: w = 0 - 0.1 * (2*0 - 10) = 1
    assert ws[1] == pytest.approx(1.0, abs=1e-15)


def test_minimize_vector_parameter():
    target = np.array([1.0, -2.0, 3.0])
    ws, costs = minimize(lambda w: ((w - target) ** 2).sum(), np.zeros(3), lr=0.25, steps=60)
    assert ws.shape == (61, 3)
    np.testing.assert_allclose(ws[-1], target, atol=1e-12)


def test_minimize_stops_at_the_radius_and_warns_when_the_path_diverges():
    """The one rule of dlcourse.descent: lr = 1.5 doubles |w - 5| each step, so the path
    stops at the first |w| > RADIUS (its cost still finite), keeping that row."""
    with pytest.warns(RuntimeWarning, match=r"diverged at step \d+.*lr=1.5"):
        ws, costs = minimize(lambda w: w**2 - 10 * w + 25, 0.0, lr=1.5, steps=5000)
    assert len(ws) == len(costs) < 5001
    k = len(ws) - 1
    assert abs(ws[k]) > RADIUS and np.all(np.abs(ws[:k]) <= RADIUS)
    assert np.all(np.isfinite(costs))
    # w_k - 5 = -5 (-2)^k exactly: the first k with |w_k| > 1e6 is 18
    assert k == 18 and ws[k] == 5.0 - 5.0 * 2.0**18


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_minimize_without_a_radius_stops_at_the_first_non_finite_cost():
    with pytest.warns(RuntimeWarning, match="lr=1.5"):
        ws, costs = minimize(lambda w: w**2 - 10 * w + 25, 0.0, lr=1.5, steps=5000, radius=math.inf)
    assert 18 < len(ws) == len(costs) < 5001
    assert not np.isfinite(costs[-1]) and np.all(np.isfinite(costs[:-1]))


def test_minimize_stops_at_step_0_when_the_first_cost_is_nan():
    with pytest.warns(RuntimeWarning, match="diverged at step 0"):
        ws, costs = minimize(lambda w: (w - 3.0).log(), 0.0, lr=0.1, steps=10)
    assert ws.tolist() == [0.0] and np.isnan(costs[0])


def test_minimize_is_the_one_descent_runner_with_a_backpropagated_gradient():
    """Step for step the path of dlcourse.descent.path on the course quadratic."""
    q = gd1d.course_quadratic()
    ws, costs = minimize(lambda w: w**2 - 10 * w + 25, w0=0.0, lr=0.3, steps=40)
    ref = path(q, 0.0, lr=0.3, steps=40)
    np.testing.assert_allclose(ws, ref.ws, rtol=0, atol=1e-12)
    np.testing.assert_allclose(costs, ref.costs, rtol=0, atol=1e-12)


def test_grad_and_value_and_grad():
    x = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(grad(lambda w: (w**3).sum())(x), 3 * x**2, rtol=1e-15)
    ga, gb = grad(lambda a, b: (a * b).sum(), argnums=(0, 1))(x, 2 * x)
    np.testing.assert_array_equal(ga, 2 * x)
    np.testing.assert_array_equal(gb, x)
    value, g = value_and_grad(lambda w, k: (k * w.sigmoid()).mean())(x, 2.0)
    s = 1 / (1 + np.exp(-x))
    assert value == pytest.approx(np.mean(2 * s), rel=1e-15)
    np.testing.assert_allclose(g, 2 * s * (1 - s) / 3, rtol=1e-14)
    np.testing.assert_array_equal(grad(lambda w: 4.0)(x), np.zeros(3))


def test_repr_and_conversions():
    w = Tensor([[1.0, 2.0]], requires_grad=True)
    assert repr(w) == "Tensor([[1., 2.]], requires_grad=True)"
    assert repr(w * 2) == "Tensor([[2., 4.]], op='mul')"
    assert repr(Tensor(3)) == "Tensor(3.)"
    assert (w * 2).op == "mul" and (w * 2).parents[0] is w
    assert float(Tensor([2.5])) == 2.5
    np.testing.assert_array_equal(np.asarray(w), [[1.0, 2.0]])
    assert Tensor(np.float32(1.5)).value.dtype == np.float64


def test_constructor_copies_its_input():
    a = np.ones(3)
    t = Tensor(a)
    a[0] = 5.0
    assert t.value[0] == 1.0


# ----------------------------------------------------------------------------- errors
def test_backward_on_non_scalar_needs_upstream_gradient():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=r"shape \(2, 3\).*grad="):
        (x * 2).backward()


def test_backward_upstream_gradient_shape_mismatch():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=r"grad has shape \(3,\).*shape \(2, 3\)"):
        (x * 2).backward(np.ones(3))


def test_backward_without_any_requires_grad():
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        (Tensor(2.0) * 3).backward()


def test_matmul_shape_mismatch_names_both_shapes():
    a = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 5\)"):
        a @ np.ones((4, 5))
    with pytest.raises(ValueError, match=r"\(2, 2, 3\).*\(3,\)"):
        Tensor(np.ones((2, 2, 3))) @ np.ones(3)


@pytest.mark.parametrize(
    "kwargs,exc,pattern",
    [
        (dict(lr=0.0), ValueError, "lr must be > 0, got 0.0"),
        (dict(lr=-0.1), ValueError, "lr must be > 0"),
        (dict(lr=float("nan")), ValueError, "lr must be finite"),
        (dict(steps=-1), ValueError, "steps must be >= 0, got -1"),
        (dict(steps=2.5), TypeError, "steps must be an int"),
        (dict(radius=0), ValueError, "radius must be a number > 0"),
    ],
)
def test_minimize_argument_errors(kwargs, exc, pattern):
    args = dict(cost_fn=lambda w: w**2, w0=1.0, lr=0.1, steps=10) | kwargs
    with pytest.raises(exc, match=pattern):
        minimize(**args)


def test_bad_values_and_item():
    with pytest.raises(TypeError, match="value must be a real number or numeric array"):
        Tensor("abc")
    with pytest.raises(ValueError, match=r"one element.*\(3,\)"):
        Tensor(np.ones(3)).item()
    with pytest.raises(ValueError, match=r"one-element.*\(3,\)"):
        grad(lambda w: w * 2)(np.ones(3))


def test_log_of_non_positive_values_warns_and_gives_nan():
    x = Tensor([-1.0, 0.0], requires_grad=True)
    with pytest.warns(RuntimeWarning):
        y = x.log()
    assert np.isnan(y.value[0]) and y.value[1] == -np.inf
