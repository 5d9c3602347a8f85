"""Optimizers: built by name, and updating in place (after the first step, a step allocates
no array temporaries)."""

import tracemalloc

import numpy as np
import pytest

import dlcourse as dl

MAKERS = {
    "sgd": lambda ps: dl.optim.SGD(ps, lr=0.1),
    "sgd_momentum": lambda ps: dl.optim.SGD(ps, lr=0.1, momentum=0.9),
    "sgd_nesterov": lambda ps: dl.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    "sgd_weight_decay": lambda ps: dl.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
    "momentum": lambda ps: dl.optim.Momentum(ps, lr=0.1),
    "adagrad": lambda ps: dl.optim.AdaGrad(ps, lr=0.1),
    "rmsprop": lambda ps: dl.optim.RMSProp(ps, lr=0.1),
    "adam": lambda ps: dl.optim.Adam(ps, lr=0.1),
}


@pytest.mark.parametrize("name", MAKERS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_step_allocates_no_temporaries(name, dtype):
    rng = np.random.default_rng(0)
    p = dl.Parameter(rng.standard_normal((500, 400)).astype(dtype))
    p.grad = rng.standard_normal(p.shape).astype(dtype)
    opt = MAKERS[name]([p])
    opt.step()  # the first step creates the state and the scratch buffer
    tracemalloc.start()
    try:
        for _ in range(3):
            opt.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < p.value.nbytes / 100, f"{name} allocated {peak} bytes in a step"
    assert p.value.dtype == dtype


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adam"])
def test_create_builds_the_named_optimizer(name):
    p = dl.Parameter(np.ones(3))
    opt = dl.optim.create(name, [p], lr=0.1, beta=0.8, beta1=0.7, beta2=0.95)
    expected = {
        "sgd": dl.optim.SGD,
        "momentum": dl.optim.Momentum,
        "nesterov": dl.optim.SGD,
        "rmsprop": dl.optim.RMSProp,
        "adagrad": dl.optim.AdaGrad,
        "adam": dl.optim.Adam,
    }
    assert type(opt) is expected[name]
    if name == "nesterov":
        assert opt.nesterov and opt.momentum == 0.8 and opt.lr == pytest.approx(0.1 * 0.2)
    if name == "adam":
        assert (opt.beta1, opt.beta2) == (0.7, 0.95)
    with pytest.raises(ValueError, match="unknown optimizer 'lamb'"):
        dl.optim.create("lamb", [p], lr=0.1)


# ------------------------------------------------------------------ the lazy zero_grad
def test_zero_grad_is_lazy_but_reads_as_zero():
    p = dl.Parameter(np.ones((3, 2)))
    buffer = p.grad
    buffer[...] = 5.0
    p.zero_grad()
    assert p.grad_stale and buffer[0, 0] == 5.0  # nothing written yet
    np.testing.assert_array_equal(p.grad, np.zeros((3, 2)))
    assert not p.grad_stale and p.grad is buffer  # the read filled the same buffer
    p.zero_grad()
    p.accumulate(np.full((3, 2), 2.0))  # written straight in: zero + g
    p.accumulate(np.full((3, 2), 1.0))
    np.testing.assert_array_equal(p.grad, np.full((3, 2), 3.0))
    p.zero_grad()
    a, b = np.arange(6.0).reshape(3, 2), np.eye(2)
    p.accumulate_matmul(a, b)
    np.testing.assert_array_equal(p.grad, a)
    assert p.grad is buffer


def test_zero_grad_after_the_gradient_was_replaced():
    p = dl.Parameter(np.ones(4))
    p.grad = None
    p.zero_grad()
    np.testing.assert_array_equal(p.grad, np.zeros(4))
    p.grad = np.ones(2)  # wrong shape: a fresh zero array
    p.zero_grad()
    assert p.grad.shape == (4,) and not p.grad.any()
    p.grad = np.full(4, 2.0)  # reassigning clears the stale mark
    assert not p.grad_stale


@pytest.mark.parametrize("name", MAKERS)
def test_a_step_after_zero_grad_with_no_backward_does_not_move(name):
    p = dl.Parameter(np.ones(3))
    opt = MAKERS[name]([p])
    p.grad = np.full(3, 4.0)
    opt.zero_grad()
    opt.step()
    expected = (
        np.full(3, 1.0 - 0.1 * 0.01) if name == "sgd_weight_decay" else np.ones(3)
    )  # g = wd w
    np.testing.assert_allclose(p.value, expected, rtol=1e-15)


def test_params_of_accepts_models_parameters_and_lists():
    from dlcourse.parameter import params_of

    model = dl.Sequential([dl.Dense(2, 3), dl.Dense(3, 1)])
    assert params_of(model) == model.parameters()
    assert params_of(model[0].W) == [model[0].W]
    assert params_of(iter(model.parameters())) == model.parameters()
    with pytest.raises(TypeError, match=r"params\[1\] must be a Parameter, got int"):
        params_of([model[0].W, 3])
    with pytest.raises(
        TypeError, match="params must be a model or an iterable of Parameters, got float"
    ):
        params_of(2.0)
