"""The checks of notebook 13's exercises."""
import math

import numpy as np
import pytest

from dlcourse.topics.babysit import diagnose_loss_curve
from dlcourse.exercises.recipe import check_diagnose_loss_curve, check_expected_initial_loss


# ------------------------------------------------------------------ expected initial loss
def test_initial_loss_correct():
    result = check_expected_initial_loss(lambda C: np.log(C))
    assert result.passed and repr(result) == "expected_initial_loss: correct"
    assert check_expected_initial_loss(lambda C: -math.log(1 / C)).passed


@pytest.mark.parametrize("wrong, hint", [
    (lambda C: 1 / C, "probability of each class"),
    (lambda C: -np.log(C), "mind the sign"),
    (lambda C: np.log10(C), "not log10"),
    (lambda C: np.log2(C), "not log2"),
    (lambda C: -np.log(1 - 1 / C), "not of the other classes"),
])
def test_initial_loss_mistakes(wrong, hint):
    result = check_expected_initial_loss(wrong)
    assert not result.passed and hint in result.message, result.message


def test_initial_loss_raising():
    result = check_expected_initial_loss(lambda C: C / 0)
    assert not result.passed and "raised ZeroDivisionError" in result.message


# ------------------------------------------------------------------ diagnose a loss curve
def reference(losses):
    losses = np.asarray(losses, dtype=float)
    if not np.all(np.isfinite(losses)):
        return "diverged"
    if losses[-1] > losses[0]:
        return "rising"
    if losses[0] - losses[-1] < 0.01 * abs(losses[0]):
        return "flat"
    return "ok"


def test_diagnose_correct_solutions_pass():
    assert repr(check_diagnose_loss_curve(reference)) == "diagnose: correct"
    assert check_diagnose_loss_curve(diagnose_loss_curve).passed


def no_nan_test(losses):
    if losses[-1] > losses[0]:
        return "rising"
    if losses[0] - losses[-1] < 0.01 * abs(losses[0]):
        return "flat"
    return "ok"


def absolute_flat(losses):
    if not np.all(np.isfinite(losses)):
        return "diverged"
    if losses[-1] > losses[0]:
        return "rising"
    return "flat" if losses[0] - losses[-1] < 0.01 else "ok"


def flat_first(losses):
    if not np.all(np.isfinite(losses)):
        return "diverged"
    if abs(losses[0] - losses[-1]) < 0.01 * abs(losses[0]):
        return "flat"
    return "rising" if losses[-1] > losses[0] else "ok"


def uses_min(losses):
    if not np.all(np.isfinite(losses)):
        return "diverged"
    if min(losses) > losses[0]:
        return "rising"
    return "flat" if losses[0] - min(losses) < 0.01 * abs(losses[0]) else "ok"


@pytest.mark.parametrize("wrong, hint", [
    (no_nan_test, "np.isfinite"),
    (absolute_flat, "'flat' is relative"),
    (flat_first, "check the rules in order"),
    (uses_min, "LAST value"),
])
def test_diagnose_mistakes(wrong, hint):
    result = check_diagnose_loss_curve(wrong)
    assert not result.passed and hint in result.message, result.message


def test_diagnose_wrong_type_and_raising():
    result = check_diagnose_loss_curve(lambda losses: True)
    assert not result.passed and "return one of the strings" in result.message
    result = check_diagnose_loss_curve(lambda losses: losses.shape)
    assert not result.passed and "raised AttributeError" in result.message
