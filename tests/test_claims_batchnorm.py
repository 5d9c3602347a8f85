"""The claims notebook 11 makes in prose, on the same calls as the notebook."""

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.experiments import bn_conventions
from dlcourse.experiments.bn_compare import load_data, lr_init_grid

LRS = [0.01, 0.1, 0.3, 1.0, 3.0]
SCALES = [0.1, 0.3, 1.0, 3.0, 10.0]


@pytest.fixture(scope="module")
def grids():
    X, y = load_data("spiral", n=300)
    return {
        name: np.nan_to_num(
            lr_init_grid(X, y, LRS, SCALES, batchnorm=(name == "bn"), hidden=(32,) * 4, epochs=20)
        )
        >= 0.9
        for name in ("plain", "bn")
    }


def test_bn_trains_every_scale_up_to_lr_03_and_fails_above(grids):
    ok = grids["bn"]
    assert ok[:3].all()  # α ≤ 0.3: 15 of 15
    assert ok[3].sum() == 1  # α = 1: 4 of 5 fall short
    assert ok[4].sum() == 0  # α = 3: none
    assert ok.sum() == 16


def test_plain_trains_only_in_the_he_column(grids):
    cells = [tuple(c) for c in np.argwhere(grids["plain"])]
    assert cells == [(1, 2), (2, 2)]  # α = 0.1 and 0.3, init scale 1


def test_conventions_agree_on_means_and_differ_by_unbiased_factor_on_variances():
    rng = np.random.default_rng(3)
    batches = [rng.normal(2.0, 3.0, size=(8, 2)) for _ in range(5)]
    cm, cv = bn_conventions.running_after(batches, "course")
    tm, tv = bn_conventions.running_after(batches, "torch")
    assert np.allclose(cm, tm) and np.all(tv > cv)
    layer = dl.BatchNorm(2)  # the course's layer follows the course's convention
    for Z in batches:
        layer.forward(Z, training=True)
    assert np.allclose(layer.running_mean, cm) and np.allclose(layer.running_var, cv)
    torch = pytest.importorskip("torch")
    bn = torch.nn.BatchNorm1d(2, momentum=0.1).double()
    for Z in batches:
        bn(torch.tensor(Z))
    assert np.allclose(bn.running_mean.numpy(), tm) and np.allclose(bn.running_var.numpy(), tv)


def test_eps_inside_vs_outside():
    f_bn, f_adam = bn_conventions.eps_factors([1.0, 0.0])
    assert abs(f_bn[0] - 1) < 1e-4 and abs(f_adam[0] - 1) < 1e-7
    assert abs(f_bn[1] - 316.2) < 0.1 and abs(f_adam[1] - 1e8) < 1


def test_batch_of_one_outputs_beta():
    layer = dl.BatchNorm(3)
    layer.beta.value[:] = [0.5, -1.0, 2.0]
    out = np.vstack(
        [
            layer.forward(z[None], training=True)
            for z in np.random.default_rng(0).normal(size=(5, 3))
        ]
    )
    assert np.allclose(out, layer.beta.value)
