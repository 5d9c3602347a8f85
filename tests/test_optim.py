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
    expected = {"sgd": dl.optim.SGD, "momentum": dl.optim.Momentum, "nesterov": dl.optim.SGD,
                "rmsprop": dl.optim.RMSProp, "adagrad": dl.optim.AdaGrad, "adam": dl.optim.Adam}
    assert type(opt) is expected[name]
    if name == "nesterov":
        assert opt.nesterov and opt.momentum == 0.8 and opt.lr == pytest.approx(0.1 * 0.2)
    if name == "adam":
        assert (opt.beta1, opt.beta2) == (0.7, 0.95)
    with pytest.raises(ValueError, match="unknown optimizer 'lamb'"):
        dl.optim.create("lamb", [p], lr=0.1)
