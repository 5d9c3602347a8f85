"""Wrong answers to notebook 08's RMSProp step, the kinds learners write, each refused with
the hint it deserves; the reference agrees with ``torch.optim.RMSprop`` over several calls."""

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.exercises.optimizers import check_rmsprop_step, reference_rmsprop_step

INPLACE = "in place — work on a copy"
SHORTCUT = "which this exercise asks you to write yourself"


def rmsprop_step(w, grad, s, lr=0.01, beta=0.9, eps=1e-8):
    s = beta * s + (1 - beta) * grad**2
    return w - lr * grad / (np.sqrt(s) + eps), s


def _in_place(w, grad, s, lr=0.01, beta=0.9, eps=1e-8):
    s *= beta
    s += (1 - beta) * grad**2
    return w - lr * grad / (np.sqrt(s) + eps), s


def _w_in_place(w, grad, s, lr=0.01, beta=0.9, eps=1e-8):
    s = beta * s + (1 - beta) * grad**2
    w -= lr * grad / (np.sqrt(s) + eps)
    return w, s


_kept = {}


def _own_state(w, grad, s, lr=0.01, beta=0.9, eps=1e-8):
    """Ignores the s it is given and keeps its own between calls."""
    key = np.shape(w)
    own = _kept.get(key, np.zeros(np.shape(w)))
    own = beta * own + (1 - beta) * grad**2
    _kept[key] = own
    return w - lr * grad / (np.sqrt(own) + eps), own


def _package(w, grad, s, lr=0.01, beta=0.9, eps=1e-8):
    p = dl.Parameter(np.array(w, dtype=float))
    p.grad = np.array(grad, dtype=float)
    opt = dl.optim.RMSProp([p], lr=lr, beta=beta, eps=eps)
    opt.state[p] = {"s": np.array(s, dtype=float)}
    opt.step()
    return p.value, opt.state[p]["s"]


def _fixed_eps(w, grad, s, lr=0.01, beta=0.9, eps=1e-8):
    return rmsprop_step(w, grad, s, lr, beta, 1e-8)


def _fixed_beta(w, grad, s, lr=0.01, beta=0.9, eps=1e-8):
    return rmsprop_step(w, grad, s, lr, 0.9, eps)


WRONG = [
    (_fixed_eps, "`eps`"),
    (_fixed_beta, "`beta`"),
    (
        lambda w, g, s, lr=0.01, beta=0.9, eps=1e-8: (
            w - lr * g / np.sqrt(beta * s + (1 - beta) * g**2 + eps),
            beta * s + (1 - beta) * g**2,
        ),
        "outside the square root",
    ),
    (
        lambda w, g, s, lr=0.01, beta=0.9, eps=1e-8: (
            w - lr * g / (np.sqrt(s) + eps),
            beta * s + (1 - beta) * g**2,
        ),
        "old s",
    ),
    (
        lambda w, g, s, lr=0.01, beta=0.9, eps=1e-8: (
            w - lr * g / (np.sqrt(beta * s + g**2) + eps),
            beta * s + g**2,
        ),
        "(1 - beta)",
    ),
    (
        lambda w, g, s, lr=0.01, beta=0.9, eps=1e-8: (
            w - lr * g / (beta * s + (1 - beta) * g**2 + eps),
            beta * s + (1 - beta) * g**2,
        ),
        "square root of s",
    ),
    (
        lambda w, g, s, lr=0.01, beta=0.9, eps=1e-8: (rmsprop_step(w, g, s, lr, beta, eps)[0], s),
        "NEW s",
    ),
    (
        lambda w, g, s, lr=0.01, beta=0.9, eps=1e-8: rmsprop_step(w, g, s, lr, 1 - beta, eps),
        "swapped",
    ),
    (
        lambda w, g, s, lr=0.01, beta=0.9, eps=1e-8: (
            2 * w - rmsprop_step(w, g, s, lr, beta, eps)[0],
            rmsprop_step(w, g, s, lr, beta, eps)[1],
        ),
        "climbs",
    ),
    (
        lambda w, g, s, lr=0.01, beta=0.9, eps=1e-8: (
            w - lr * g / (np.sqrt(beta * s + (1 - beta) * g**2) + eps) / (1 - beta),
            beta * s + (1 - beta) * g**2,
        ),
        "",
    ),
    (_in_place, INPLACE),
    (_w_in_place, INPLACE),
    (_own_state, ""),
    (_package, SHORTCUT),
]


@pytest.mark.parametrize("i", range(len(WRONG)))
def test_wrong_rmsprop_is_refused_with_its_hint(i):
    answer, words = WRONG[i]
    _kept.clear()
    result = check_rmsprop_step(answer)
    assert not result.passed and words in result.message, result.message


def test_the_solution_and_an_equivalent_form_pass():
    assert check_rmsprop_step(rmsprop_step).passed

    def rooted_once(w, grad, s, lr=0.01, beta=0.9, eps=1e-8):
        s_new = s * beta + grad * grad * (1 - beta)
        return w - lr * (grad / (s_new**0.5 + eps)), s_new

    assert check_rmsprop_step(rooted_once).passed


def test_reference_is_torch_rmsprop_over_consecutive_calls():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((3, 4))
    t = torch.tensor(w0.copy(), requires_grad=True)
    opt = torch.optim.RMSprop([t], lr=0.02, alpha=0.95, eps=1e-6)
    w, s = w0.copy(), np.zeros_like(w0)
    for _ in range(6):
        g = rng.standard_normal(w0.shape)
        t.grad = torch.tensor(g.copy())
        opt.step()
        w, s = reference_rmsprop_step(w, g, s, lr=0.02, beta=0.95, eps=1e-6)
        assert np.allclose(w, t.detach().numpy(), rtol=1e-12, atol=1e-14)
        assert np.allclose(s, opt.state[t]["square_avg"].numpy(), rtol=1e-12, atol=1e-14)


def test_adam_reference_is_torch_adam_over_consecutive_calls():
    torch = pytest.importorskip("torch")
    from dlcourse.exercises.optimizers import reference_adam_step

    rng = np.random.default_rng(1)
    w0 = rng.standard_normal((2, 5))
    t = torch.tensor(w0.copy(), requires_grad=True)
    opt = torch.optim.Adam([t], lr=0.05, betas=(0.8, 0.99), eps=1e-7)
    w, v, s = w0.copy(), np.zeros_like(w0), np.zeros_like(w0)
    for step in range(1, 8):
        g = rng.standard_normal(w0.shape)
        t.grad = torch.tensor(g.copy())
        opt.step()
        w, v, s = reference_adam_step(w, g, v, s, step, lr=0.05, beta1=0.8, beta2=0.99, eps=1e-7)
        assert np.allclose(w, t.detach().numpy(), rtol=1e-12, atol=1e-14)
        assert np.allclose(v, opt.state[t]["exp_avg"].numpy(), rtol=1e-12, atol=1e-14)
        assert np.allclose(s, opt.state[t]["exp_avg_sq"].numpy(), rtol=1e-12, atol=1e-14)


def test_adamw_is_torch_adamw():
    torch = pytest.importorskip("torch")
    from dlcourse.experiments.optimizer_tuning import AdamW

    rng = np.random.default_rng(2)
    w0 = rng.standard_normal((3, 3))
    p = dl.Parameter(w0.copy())
    t = torch.tensor(w0.copy(), requires_grad=True)
    ours = AdamW([p], lr=0.03, weight_decay=0.5)
    theirs = torch.optim.AdamW([t], lr=0.03, weight_decay=0.5)
    for _ in range(6):
        g = rng.standard_normal(w0.shape)
        p.grad, t.grad = g.copy(), torch.tensor(g.copy())
        ours.step()
        theirs.step()
        assert np.allclose(p.value, t.detach().numpy(), rtol=1e-12, atol=1e-14)


# collected and run by tests/test_grader_wrong_answers.py
WRONG_OPTIMIZERS = {"optimizers.check_rmsprop_step": WRONG}
