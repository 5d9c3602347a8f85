"""The checks of notebook 13's exercises."""

import math

import numpy as np
import pytest

from dlcourse.exercises.recipe import check_expected_initial_loss


# ------------------------------------------------------------------ expected initial loss
def test_initial_loss_correct():
    result = check_expected_initial_loss(lambda C: np.log(C))
    assert result.passed and repr(result) == "expected_initial_loss: correct"
    assert check_expected_initial_loss(lambda C: -math.log(1 / C)).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda C: 1 / C, "probability of each class"),
        (lambda C: -np.log(C), "mind the sign"),
        (lambda C: np.log10(C), "not log10"),
        (lambda C: np.log2(C), "not log2"),
        (lambda C: -np.log(1 - 1 / C), "not of the other classes"),
    ],
)
def test_initial_loss_mistakes(wrong, hint):
    result = check_expected_initial_loss(wrong)
    assert not result.passed and hint in result.message, result.message


def test_initial_loss_raising():
    result = check_expected_initial_loss(lambda C: C / 0)
    assert not result.passed and "raised ZeroDivisionError" in result.message


# ------------------------------------------------------------------ Newton path
from dlcourse.exercises.recipe import check_diagnose_run, check_newton_path
from dlcourse.topics.second_order import newton_minimize


def newton_reference(grad_fn, hess_fn, w0, steps, damping=0.0):
    w = np.array(w0, dtype=float)
    path = [w.copy()]
    for _ in range(steps):
        H = hess_fn(w) + damping * np.eye(len(w))
        w = w - np.linalg.solve(H, grad_fn(w))
        path.append(w)
    return np.array(path)


def test_newton_correct_solutions_pass():
    assert repr(check_newton_path(newton_reference)) == "newton_path: correct"
    assert check_newton_path(newton_minimize).passed

    def with_inverse(grad_fn, hess_fn, w0, steps, damping=0.0):
        out = [np.asarray(w0, float)]
        for _ in range(steps):
            w = out[-1]
            out.append(w - np.linalg.inv(hess_fn(w) + damping * np.eye(2)) @ grad_fn(w))
        return out  # a list of rows is fine too

    assert check_newton_path(with_inverse).passed


def _newton_variant(step):
    def path(grad_fn, hess_fn, w0, steps, damping=0.0):
        w = np.array(w0, dtype=float)
        out = [w.copy()]
        for _ in range(steps):
            w = step(w, grad_fn(w), hess_fn(w), damping)
            out.append(w.copy())
        return np.array(out)

    return path


def newton_aliased(grad_fn, hess_fn, w0, steps, damping=0.0):
    w = np.array(w0, dtype=float)
    out = [w]
    for _ in range(steps):
        w -= np.linalg.solve(hess_fn(w) + damping * np.eye(2), grad_fn(w))
        out.append(w)
    return np.array(out)


def newton_no_start(grad_fn, hess_fn, w0, steps, damping=0.0):
    return newton_reference(grad_fn, hess_fn, w0, steps, damping)[1:]


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (
            _newton_variant(lambda w, g, H, d: w + np.linalg.solve(H + d * np.eye(2), g)),
            "mind the sign",
        ),
        (_newton_variant(lambda w, g, H, d: w - g / (np.diag(H) + d)), "diagonal of H"),
        (_newton_variant(lambda w, g, H, d: w - (H + d * np.eye(2)) @ g), "INVERSE"),
        (_newton_variant(lambda w, g, H, d: w - g), "gradient-descent step"),
        (_newton_variant(lambda w, g, H, d: w - np.linalg.solve(H, g)), "damping is ignored"),
        (_newton_variant(lambda w, g, H, d: w - np.linalg.solve(H + d, g)), "EVERY entry"),
        (newton_aliased, "same array"),
        (newton_no_start, "steps + 1 rows"),
    ],
)
def test_newton_mistakes(wrong, hint):
    result = check_newton_path(wrong)
    assert not result.passed and hint in result.message, result.message


def test_newton_none_and_stub():
    assert (
        "NotImplementedError"
        in check_newton_path(lambda *a, **k: (_ for _ in ()).throw(NotImplementedError())).message
    )
    assert not check_newton_path(lambda *a, **k: None).passed


# ------------------------------------------------------------------ debug this run
def reference(losses):
    """The rules of the run diagnosis without the 'chance' one."""
    losses = np.asarray(losses, dtype=float)
    if not np.all(np.isfinite(losses)):
        return "diverged"
    if losses[-1] > losses[0]:
        return "rising"
    if losses[0] - losses[-1] < 0.01 * abs(losses[0]):
        return "flat"
    return "ok"


def run_reference(losses, n_classes):
    losses = np.asarray(losses, dtype=float)
    if not np.all(np.isfinite(losses)):
        return "diverged"
    if losses[-1] > losses[0]:
        return "rising"
    if losses[0] - losses[-1] < 0.01 * abs(losses[0]):
        return "flat"
    if abs(losses[-1] - math.log(n_classes)) < 0.05 * math.log(n_classes):
        return "chance"
    return "ok"


def test_diagnose_run_correct_passes():
    assert repr(check_diagnose_run(run_reference)) == "diagnose_run: correct"


def no_chance_rule(losses, n_classes):
    return reference(losses)


def chance_log10(losses, n_classes):
    out = reference(losses)
    return "chance" if out == "ok" and abs(losses[-1] - math.log(10)) < 0.05 * math.log(10) else out


def chance_absolute(losses, n_classes):
    out = reference(losses)
    return "chance" if out == "ok" and abs(losses[-1] - math.log(n_classes)) < 0.5 else out


def chance_before_flat(losses, n_classes):
    losses = np.asarray(losses, dtype=float)
    if not np.all(np.isfinite(losses)):
        return "diverged"
    if losses[-1] > losses[0]:
        return "rising"
    if abs(losses[-1] - math.log(n_classes)) < 0.05 * math.log(n_classes):
        return "chance"
    return reference(losses)


def chance_uses_min(losses, n_classes):
    out = reference(losses)
    return (
        "chance"
        if out == "ok" and abs(min(losses) - math.log(n_classes)) < 0.05 * math.log(n_classes)
        else out
    )


def chance_first(losses, n_classes):
    if abs(losses[-1] - math.log(n_classes)) < 0.05 * math.log(n_classes):
        return "chance"
    return reference(losses)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (no_chance_rule, "ends at about log C"),
        (chance_log10, "log C of THIS problem"),
        (chance_absolute, "relative"),
        (chance_before_flat, "'flat'"),
        (chance_uses_min, "LAST value"),
        (chance_first, "in order"),
        (lambda losses, n: None, "returned None — did you forget `return`?"),
    ],
)
def test_diagnose_run_mistakes(wrong, hint):
    result = check_diagnose_run(wrong)
    assert not result.passed and hint in result.message, result.message
