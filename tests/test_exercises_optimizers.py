"""Notebook 08's check (one Adam step): right answers pass, the usual mistakes get their hint."""

import numpy as np
import pytest

from dlcourse.exercises.optimizers import check_adam_step, reference_adam_step


def correct(w, grad, v, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    v = beta1 * v + (1 - beta1) * grad
    s = beta2 * s + (1 - beta2) * grad**2
    v_hat = v / (1 - beta1**t)
    s_hat = s / (1 - beta2**t)
    return w - lr * v_hat / (np.sqrt(s_hat) + eps), v, s


def test_reference_is_the_textbook_formula():
    rng = np.random.default_rng(0)
    w, g, v, s = rng.normal(size=(4, 5))
    s = np.abs(s)
    for t in (1, 2, 7):
        for got, want in zip(
            reference_adam_step(w, g, v, s, t, lr=0.01), correct(w, g, v, s, t, lr=0.01)
        ):
            np.testing.assert_allclose(got, want, rtol=1e-12)


def test_correct_solution_passes():
    result = check_adam_step(correct)
    assert result.passed, result.message
    assert repr(result) == "adam_step: correct"
    assert check_adam_step(reference_adam_step).passed


def variant(**change):
    def fn(w, grad, v, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        if change.get("swap"):
            beta1, beta2 = beta2, beta1
        v = beta1 * v + (1 - beta1) * grad
        s = beta2 * s + (1 - beta2) * grad**2
        tt = t + change.get("dt", 0)
        v_hat = v / (1 - beta1**tt) if not change.get("nocorr") else v
        s_hat = s / (1 - beta2**tt) if not change.get("nocorr") else s
        denom = np.sqrt(s_hat + eps) if change.get("eps_inside") else np.sqrt(s_hat) + eps
        w_new = w - lr * v_hat / denom
        return (w_new, v_hat, s_hat) if change.get("return_hat") else (w_new, v, s)

    return fn


def no_damping(w, g, v, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """v = beta1 v + g (no 1 - beta1), s likewise."""
    v, s = beta1 * v + g, beta2 * s + g * g
    return w - lr * v / (1 - beta1**t) / (np.sqrt(s / (1 - beta2**t)) + eps), v, s


@pytest.mark.parametrize(
    "wrong, words",
    [
        (variant(nocorr=True), "no bias correction"),
        (variant(return_hat=True), "return the uncorrected running averages"),
        (variant(dt=-1), "not 1 - beta^(t-1)"),
        (variant(dt=+1), "not t + 1"),
        (variant(eps_inside=True), "eps goes outside the square root"),
        (variant(swap=True), "you swapped them"),
        (no_damping, "need their (1 - beta) factor"),
        (
            lambda w, g, v, s, t, **kw: (
                (2 * w - correct(w, g, v, s, t, **kw)[0],) + correct(w, g, v, s, t, **kw)[1:]
            ),
            "adding it climbs the cost",
        ),
    ],
)
def test_typical_mistakes_get_their_hint(wrong, words):
    result = check_adam_step(wrong)
    assert not result.passed
    assert words in result.message, result.message


def test_unlisted_mistake_gets_the_generic_hint():
    result = check_adam_step(lambda *a, **k: tuple(x + 1e-3 for x in correct(*a, **k)))
    assert not result.passed and "case 1" in result.message and "five lines" in result.message


def test_wrong_return_type_is_explained():
    result = check_adam_step(lambda *a, **k: correct(*a, **k)[0])
    assert not result.passed and "return the three arrays (w, v, s)" in result.message


def test_raising_solution_gives_a_message_not_an_exception():
    def broken(w, grad, v, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        raise KeyError("v")

    result = check_adam_step(broken)
    assert not result.passed and result.message.startswith(
        "adam_step: your function raised KeyError: 'v'"
    )
    assert "— on the case with inputs" in result.message


# ------------------------------------------------------------------ loopholes closed, momentum
from dlcourse.exercises.optimizers import (
    check_momentum_step,
    kingma_adam_step,  # noqa: E402
    reference_momentum_step,
)


def test_kingmas_efficient_adam_is_accepted():
    assert check_adam_step(kingma_adam_step).passed


def test_no_correction_hint_says_too_large():
    def no_correction(w, g, v, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        v = beta1 * v + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g * g
        return w - lr * v / (np.sqrt(s) + eps), v, s

    result = check_adam_step(no_correction)
    assert not result.passed and "too large" in result.message and "too small" not in result.message


def test_momentum_reference_passes():
    assert check_momentum_step(reference_momentum_step).passed
    assert check_momentum_step(
        lambda w, g, v, lr=0.01, beta=0.9: (lambda nv: (w - lr * nv, nv))(beta * v + (1 - beta) * g)
    ).passed


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda w, g, v, lr=0.01, beta=0.9: (w - lr * (beta * v + g), beta * v + g), "PyTorch"),
        (
            lambda w, g, v, lr=0.01, beta=0.9: (w - lr * g, beta * v + (1 - beta) * g),
            "raw gradient",
        ),
        (
            lambda w, g, v, lr=0.01, beta=0.9: (w - lr * v, beta * v + (1 - beta) * g),
            "old velocity",
        ),
        (
            lambda w, g, v, lr=0.01, beta=0.9: (
                w - lr * ((1 - beta) * v + beta * g),
                (1 - beta) * v + beta * g,
            ),
            "swapped",
        ),
        (
            lambda w, g, v, lr=0.01, beta=0.9: (
                w + lr * (beta * v + (1 - beta) * g),
                beta * v + (1 - beta) * g,
            ),
            "climbs",
        ),
        (
            lambda w, g, v, lr=0.01, beta=0.9: (w - lr * (beta * v + (1 - beta) * g), v),
            "NEW velocity",
        ),
        (
            lambda w, g, v, lr=0.01, beta=0.9: w - lr * (beta * v + (1 - beta) * g),
            "expected a tuple",
        ),
        (lambda w, g, v, lr=0.01, beta=0.9: None, "returned None — did you forget `return`?"),
    ],
)
def test_momentum_mistakes(wrong, words):
    result = check_momentum_step(wrong)
    assert not result.passed and words in result.message, result.message
