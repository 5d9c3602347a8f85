"""The checks of notebook 03: correct solutions pass, typical mistakes get their hint, a
raising solution gets a message."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.exercises.deep_network import check_count_parameters


# ------------------------------------------------------------------ count_parameters (notebook 00)
def test_count_parameters_correct():
    result = check_count_parameters(lambda model: sum(p.value.size for p in model.parameters()))
    assert result.passed and repr(result) == "count_parameters: correct"


def dense_only(model):
    return sum(l.W.value.size + l.b.value.size for l in model if isinstance(l, dl.Dense))


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda model: len(model.parameters()), "number of Parameter arrays"),
        (
            lambda model: sum(l.W.value.size for l in model if isinstance(l, dl.Dense)),
            "count the biases",
        ),
        (dense_only, "batch norm has gamma and beta"),
    ],
)
def test_count_parameters_typical_mistakes(wrong, hint):
    result = check_count_parameters(wrong)
    assert not result.passed and hint in result.message, result.message


def test_count_parameters_raising_gives_message():
    result = check_count_parameters(lambda model: model.nonexistent)
    assert not result.passed and "raised AttributeError" in result.message


# ------------------------------------------------------------------ L_model_forward / backward
from dlcourse.exercises.deep_network import (
    _BACKWARD_HINTS,
    _FORWARD_HINTS,  # noqa: E402
    _L_backward_wrong,
    _L_forward_wrong,
    check_L_model_backward,
    check_L_model_forward,
    reference_L_model_backward,
    reference_L_model_forward,
)


def test_L_model_correct_and_equal_to_the_package():
    import dlcourse as dl

    assert check_L_model_forward(reference_L_model_forward).passed
    assert check_L_model_backward(reference_L_model_backward).passed
    X, y = np.random.default_rng(0).standard_normal((7, 2)), np.array([0, 1, 1, 0, 1, 0, 1])
    model = dl.Sequential([dl.Dense(2, 4, rng=1), dl.ReLU(), dl.Dense(4, 1, rng=2)])
    params = [(l.W.value, l.b.value) for l in model if isinstance(l, dl.Dense)]
    loss = dl.BinaryCrossEntropy()
    ZL, caches = reference_L_model_forward(X, params)
    assert np.allclose(ZL, model.forward(X))
    loss.forward(ZL, y)
    grads = reference_L_model_backward(loss.backward(), caches)
    model.zero_grad()
    loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    assert np.allclose(grads[0][0], model[0].W.grad) and np.allclose(grads[1][1], model[2].b.grad)


@pytest.mark.parametrize("kind", list(_FORWARD_HINTS))
def test_L_model_forward_mistakes(kind):
    r = check_L_model_forward(lambda X, p: _L_forward_wrong(X, p, kind))
    assert not r.passed and _FORWARD_HINTS[kind] in r.message


def test_L_model_forward_returning_only_ZL_and_column_convention():
    r = check_L_model_forward(lambda X, p: reference_L_model_forward(X, p)[0])
    assert not r.passed and "not Z^[L] alone" in r.message

    def cols(X, p):
        A = X
        for W, b in p:
            A = W @ A + b
        return A, []

    assert "raised ValueError" in check_L_model_forward(cols).message


@pytest.mark.parametrize("kind", list(_BACKWARD_HINTS))
def test_L_model_backward_mistakes(kind):
    r = check_L_model_backward(lambda d, c: _L_backward_wrong(d, c, kind))
    assert not r.passed and _BACKWARD_HINTS[kind] in r.message


def test_L_model_backward_written_independently_with_mistakes():
    def mask_from_A_prev(dZL, caches):  # A_prev > 0 is the same mask as Z_prev > 0: correct
        grads, dZ = [], dZL
        for l in range(len(caches), 0, -1):
            A_prev, W, _, _ = caches[l - 1]
            grads.insert(0, (dZ.T @ A_prev, dZ.sum(axis=0)))
            dZ = (dZ @ W) * (A_prev > 0)
        return grads

    assert check_L_model_backward(mask_from_A_prev).passed

    def no_return(dZL, caches):
        reference_L_model_backward(dZL, caches)

    assert not check_L_model_backward(no_return).passed


# ------------------------------------------------------------------ the DLS C1W4 blocks
import inspect  # noqa: E402

from dlcourse.exercises import deep_network as dn  # noqa: E402
from dlcourse.exercises.grader import _resolve  # noqa: E402

BLOCKS = [
    "linear_forward",
    "linear_activation_forward",
    "compute_cost",
    "linear_backward",
    "linear_activation_backward",
    "update_parameters",
]


def _calls(name):
    """The arguments the check passes, case by case (the reference records them)."""
    reference, seen = getattr(dn, f"reference_{name}"), []

    def recording(*args):
        seen.append(args)
        return reference(*args)

    recording.__signature__ = inspect.signature(reference)
    assert getattr(dn, f"check_{name}")(recording).passed
    return seen


def _arrays(value):
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, (list, tuple)):
        return [a for v in value for a in _arrays(v)]
    return []


@pytest.mark.parametrize("name", BLOCKS)
def test_every_hidden_case_changes_every_argument(name):
    calls = _calls(name)
    assert len(calls) >= 3
    for i in range(len(calls[0])):  # argument i: each case passes another value
        values = [call[i] for call in calls]
        if isinstance(values[0], str):
            assert {"relu", "sigmoid"} <= set(values), values
            continue
        shapes = [tuple(a.shape for a in _arrays(v)) or (v,) for v in values]
        assert len(set(shapes)) == len(shapes), (name, i, shapes)


@pytest.mark.parametrize("name", BLOCKS)
def test_every_block_forbids_the_package_function_it_rewrites(name):
    spec = getattr(dn, f"check_{name}").exercise
    assert spec.forbidden and spec.may_change == ()
    for dotted in spec.forbidden:
        fn = _resolve(dotted)
        fn = getattr(fn, "__func__", fn)
        assert inspect.isfunction(fn) and not fn.__code__.co_freevars, dotted


def test_the_references_agree_with_the_package_functions():
    from dlcourse.activations import relu_backward, sigmoid, sigmoid_backward
    from dlcourse.layers import dense_backward, dense_forward

    rng = np.random.default_rng(7)
    A, W, b = rng.standard_normal((6, 4)), rng.standard_normal((3, 4)), rng.standard_normal(3)
    Z, cache = dn.reference_linear_forward(A, W, b)
    assert np.allclose(Z, dense_forward(A, W, b)[0]) and cache[0] is A
    dZ = rng.standard_normal((6, 3))
    assert all(
        np.allclose(p, q)
        for p, q in zip(dn.reference_linear_backward(dZ, cache), dense_backward(dZ, (A, W)))
    )
    for activation, slope in [
        ("relu", lambda d: relu_backward(d, Z > 0)),
        ("sigmoid", lambda d: sigmoid_backward(d, sigmoid(Z))),
    ]:
        out, layer_cache = dn.reference_linear_activation_forward(A, W, b, activation)
        got = dn.reference_linear_activation_backward(dZ, layer_cache, activation)
        assert np.allclose(got[1], dense_backward(slope(dZ), (A, W))[1])
    Y = (rng.random((6, 1)) < 0.5).astype(float)
    loss = dl.BinaryCrossEntropy()
    J, dZL = dn.reference_compute_cost(Z[:, :1], Y)
    assert np.isclose(J, loss.forward(Z[:, :1], Y)) and np.allclose(dZL, loss.backward())


def test_update_parameters_returns_new_arrays_and_leaves_the_callers_alone():
    params = [(np.ones((2, 3)), np.zeros(2))]
    new = dn.reference_update_parameters(params, [(np.ones((2, 3)), np.ones(2))], 0.5)
    assert np.all(params[0][0] == 1.0) and np.all(params[0][1] == 0.0)
    assert np.all(new[0][0] == 0.5) and np.all(new[0][1] == -0.5)


def test_an_unknown_activation_is_named():
    A, W, b = np.ones((2, 3)), np.ones((1, 3)), np.zeros(1)
    with pytest.raises(ValueError, match="tanh"):
        dn.reference_linear_activation_forward(A, W, b, "tanh")
