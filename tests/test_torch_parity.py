"""Parity with PyTorch (the `reference` extra): layers, losses and optimizers in float64."""

import numpy as np
import pytest

import dlcourse as dl

torch = pytest.importorskip("torch")
torch.set_default_dtype(torch.float64)


def max_rel_diff(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-300)))


def t(x, grad=False):
    return torch.tensor(x, dtype=torch.float64, requires_grad=grad)


def test_dense_matches_linear(rng):
    layer = dl.Dense(5, 3, rng=rng)
    lin = torch.nn.Linear(5, 3)
    with torch.no_grad():
        lin.weight.copy_(t(layer.W.value))
        lin.bias.copy_(t(layer.b.value))
    X = rng.standard_normal((7, 5))
    G = rng.standard_normal((7, 3))
    Xt = t(X, True)
    out = lin(Xt)
    out.backward(t(G))
    layer.zero_grad()
    np.testing.assert_allclose(layer.forward(X), out.detach().numpy(), rtol=1e-12, atol=1e-14)
    dx = layer.backward(G)
    np.testing.assert_allclose(dx, Xt.grad.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(layer.W.grad, lin.weight.grad.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(layer.b.grad, lin.bias.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "ours,theirs",
    [
        (dl.ReLU, torch.nn.ReLU),
        (dl.Sigmoid, torch.nn.Sigmoid),
        (dl.Tanh, torch.nn.Tanh),
        (lambda: dl.LeakyReLU(0.05), lambda: torch.nn.LeakyReLU(0.05)),
        (lambda: dl.ELU(0.7), lambda: torch.nn.ELU(0.7)),
    ],
)
def test_activations_match(ours, theirs, rng):
    x = np.concatenate([rng.standard_normal(50) * 5, [0.0, -40.0, 40.0, 1e-9, -1e-9]]).reshape(
        5, 11
    )
    G = rng.standard_normal(x.shape)
    xt = t(x, True)
    out = theirs()(xt)
    out.backward(t(G))
    layer = ours()
    np.testing.assert_allclose(layer.forward(x), out.detach().numpy(), rtol=1e-12, atol=1e-300)
    # where g'(z) is tiny (tanh at |z| ~ 5) the two libraries' last-ulp differences in
    # g(z) are magnified by 1 - a^2, so the backward is compared to 1e-12 of the upstream
    np.testing.assert_allclose(
        layer.backward(G), xt.grad.numpy(), rtol=1e-12, atol=1e-12 * np.abs(G).max()
    )


def test_batchnorm_train_matches(rng):
    x = rng.standard_normal((9, 4)) * 3 + 2
    G = rng.standard_normal(x.shape)
    bn = dl.BatchNorm(4, momentum=0.9, eps=1e-5)
    bn.gamma.value[:] = rng.uniform(0.5, 2, 4)
    bn.beta.value[:] = rng.standard_normal(4)
    tbn = torch.nn.BatchNorm1d(4, momentum=0.1, eps=1e-5)
    with torch.no_grad():
        tbn.weight.copy_(t(bn.gamma.value))
        tbn.bias.copy_(t(bn.beta.value))
    xt = t(x, True)
    out = tbn(xt)
    out.backward(t(G))
    np.testing.assert_allclose(bn.forward(x), out.detach().numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(bn.backward(G), xt.grad.numpy(), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(bn.gamma.grad, tbn.weight.grad.numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(bn.beta.grad, tbn.bias.grad.numpy(), rtol=1e-12, atol=1e-13)
    # torch keeps the unbiased variance in its running average; ours is the biased one
    np.testing.assert_allclose(bn.running_mean, tbn.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(bn.running_var, 0.9 + 0.1 * x.var(0), rtol=1e-12)


@pytest.mark.parametrize("eps", [1e-5, 0.5])
def test_layernorm_matches(eps, rng):
    x = rng.standard_normal((6, 5)) * 3 + 2
    G = rng.standard_normal(x.shape)
    ln = dl.LayerNorm(5, eps=eps)
    ln.gamma.value[:] = rng.uniform(0.5, 2, 5)
    ln.beta.value[:] = rng.standard_normal(5)
    tln = torch.nn.LayerNorm(5, eps=eps, elementwise_affine=True)
    with torch.no_grad():
        tln.weight.copy_(t(ln.gamma.value))
        tln.bias.copy_(t(ln.beta.value))
    xt = t(x, True)
    out = tln(xt)
    out.backward(t(G))
    np.testing.assert_allclose(ln.forward(x), out.detach().numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(ln.backward(G), xt.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ln.gamma.grad, tln.weight.grad.numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(ln.beta.grad, tln.bias.grad.numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(
        ln.forward(x, training=False), tln.eval()(t(x)).detach().numpy(), rtol=1e-12, atol=1e-13
    )


def test_softmax_cross_entropy_matches(rng):
    z = rng.standard_normal((8, 5)) * 10
    z[0] = [1000, -1000, 0, 3, 999]  # log-sum-exp stability
    y = rng.integers(0, 5, 8)
    zt = t(z, True)
    ref = torch.nn.functional.cross_entropy(zt, torch.tensor(y))
    ref.backward()
    loss = dl.SoftmaxCrossEntropy()
    assert abs(loss.forward(z, y) - ref.item()) <= 1e-12 * abs(ref.item())
    np.testing.assert_allclose(loss.backward(), zt.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("shape", [(9,), (9, 1)])
def test_binary_cross_entropy_matches(shape, rng):
    z = (rng.standard_normal(9) * 10).reshape(shape)
    z.flat[0], z.flat[1] = 800.0, -800.0
    y = rng.integers(0, 2, 9).astype(float).reshape(shape)
    zt = t(z, True)
    ref = torch.nn.functional.binary_cross_entropy_with_logits(zt, t(y))
    ref.backward()
    loss = dl.BinaryCrossEntropy()
    assert abs(loss.forward(z, y) - ref.item()) <= 1e-12 * abs(ref.item())
    np.testing.assert_allclose(loss.backward(), zt.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_mse_matches(rng):
    p, y = rng.standard_normal((6, 3)), rng.standard_normal((6, 3))
    pt = t(p, True)
    ref = torch.nn.functional.mse_loss(pt, t(y))
    ref.backward()
    loss = dl.MSE()
    assert abs(loss.forward(p, y) - ref.item()) <= 1e-12 * ref.item()
    np.testing.assert_allclose(loss.backward(), pt.grad.numpy(), rtol=1e-12)


OPTIMIZERS = {
    "sgd": (lambda ps: dl.optim.SGD(ps, lr=0.05), lambda ps: torch.optim.SGD(ps, lr=0.05)),
    "momentum": (
        lambda ps: dl.optim.SGD(ps, lr=0.05, momentum=0.9),
        lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9),
    ),
    "nesterov": (
        lambda ps: dl.optim.SGD(ps, lr=0.05, momentum=0.8, nesterov=True),
        lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8, nesterov=True),
    ),
    "weight_decay": (
        lambda ps: dl.optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.01),
        lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.01),
    ),
    "nesterov_wd": (
        lambda ps: dl.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1),
        lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1),
    ),
    "adagrad": (
        lambda ps: dl.optim.AdaGrad(ps, lr=0.1),
        lambda ps: torch.optim.Adagrad(ps, lr=0.1),
    ),
    "rmsprop": (
        lambda ps: dl.optim.RMSProp(ps, lr=0.01, beta=0.95),
        lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.95, eps=1e-8),
    ),
    "adam": (lambda ps: dl.optim.Adam(ps, lr=0.01), lambda ps: torch.optim.Adam(ps, lr=0.01)),
    "adam_betas": (
        lambda ps: dl.optim.Adam(ps, lr=0.003, beta1=0.5, beta2=0.9, eps=1e-6),
        lambda ps: torch.optim.Adam(ps, lr=0.003, betas=(0.5, 0.9), eps=1e-6),
    ),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_matches_torch_over_100_steps(name, rng):
    ours_f, theirs_f = OPTIMIZERS[name]
    shapes = [(4, 3), (3,)]
    values = [rng.standard_normal(s) for s in shapes]
    grads = [[rng.standard_normal(s) for s in shapes] for _ in range(100)]
    params = [dl.Parameter(v) for v in values]
    tparams = [t(v, True) for v in values]
    ours, theirs = ours_f(params), theirs_f(tparams)
    for step_grads in grads:
        for p, tp, g in zip(params, tparams, step_grads):
            p.grad = g.copy()
            tp.grad = t(g)
        ours.step()
        theirs.step()
    for p, tp in zip(params, tparams):
        assert max_rel_diff(p.value, tp.detach().numpy()) < 1e-12


def test_momentum_is_ewa_and_rescaled_sgd(rng):
    beta, alpha = 0.9, 0.1
    w0 = rng.standard_normal(5)
    grads = [rng.standard_normal(5) for _ in range(100)]
    p_ewa, p_sgd = dl.Parameter(w0), dl.Parameter(w0)
    ewa = dl.optim.Momentum([p_ewa], lr=alpha, beta=beta)
    sgd = dl.optim.SGD([p_sgd], lr=alpha * (1 - beta), momentum=beta)
    w, v = w0.copy(), np.zeros(5)
    for g in grads:
        v = beta * v + (1 - beta) * g
        w = w - alpha * v
        p_ewa.grad, p_sgd.grad = g.copy(), g.copy()
        ewa.step()
        sgd.step()
    assert max_rel_diff(p_ewa.value, w) < 1e-12
    assert max_rel_diff(ewa.state[p_ewa]["v"], v) < 1e-12
    assert max_rel_diff(p_ewa.value, p_sgd.value) < 1e-12
    np.testing.assert_allclose(sgd.state[p_sgd]["v"] * (1 - beta), v, rtol=1e-12)
