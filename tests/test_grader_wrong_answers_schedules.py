"""Wrong answers to notebook 09's warm-up + cosine schedule, and more wrong range-test loops
(extra, missing or reordered training steps; the package's loop), each refused with its hint."""

import math

import numpy as np
import pytest

from dlcourse.exercises.schedules import (
    check_range_test,
    check_warmup_cosine,
    reference_range_test,
)
from dlcourse.topics.lr_finder import lr_range_test

SHORTCUT = "which this exercise asks you to write yourself"
CALLS = "called step(lr)"


def warmup_cosine(lr0, warmup, total, epoch):
    if epoch < warmup:
        return lr0 * (epoch + 1) / warmup
    return 0.5 * lr0 * (1 + math.cos(math.pi * (epoch - warmup) / (total - warmup)))


def _cosine(lr0, warmup, total, epoch, **change):
    phase = change.get("phase", epoch - warmup)
    span = change.get("span", total - warmup)
    return (
        change.get("half", 0.5)
        * lr0
        * (1 + change.get("sign", 1) * math.cos(math.pi * phase / span))
    )


def _from_zero(lr0, warmup, total, epoch):
    return lr0 * epoch / warmup if epoch < warmup else _cosine(lr0, warmup, total, epoch)


def _integer_ramp(lr0, warmup, total, epoch):
    return lr0 * ((epoch + 1) // warmup) if epoch < warmup else _cosine(lr0, warmup, total, epoch)


def _switch_late(lr0, warmup, total, epoch):
    if warmup and epoch <= warmup:
        return lr0 * (epoch + 1) / warmup
    return _cosine(lr0, warmup, total, epoch)


def _unshifted(lr0, warmup, total, epoch):
    if epoch < warmup:
        return lr0 * (epoch + 1) / warmup
    return _cosine(lr0, warmup, total, epoch, phase=epoch, span=total)


def _over_total(lr0, warmup, total, epoch):
    if epoch < warmup:
        return lr0 * (epoch + 1) / warmup
    return _cosine(lr0, warmup, total, epoch, span=total)


def _no_half(lr0, warmup, total, epoch):
    if epoch < warmup:
        return lr0 * (epoch + 1) / warmup
    return _cosine(lr0, warmup, total, epoch, half=1.0)


def _rising(lr0, warmup, total, epoch):
    if epoch < warmup:
        return lr0 * (epoch + 1) / warmup
    return _cosine(lr0, warmup, total, epoch, sign=-1)


def _degrees(lr0, warmup, total, epoch):
    if epoch < warmup:
        return lr0 * (epoch + 1) / warmup
    return 0.5 * lr0 * (1 + math.cos(180 * (epoch - warmup) / (total - warmup)))


def _linear(lr0, warmup, total, epoch):
    if epoch < warmup:
        return lr0 * (epoch + 1) / warmup
    return lr0 * (1 - (epoch - warmup) / (total - warmup))


def _no_warmup_case(lr0, warmup, total, epoch):
    """Treats warmup = 0 as a constant rate."""
    if warmup == 0:
        return lr0
    return warmup_cosine(lr0, warmup, total, epoch)


def _fixed_warmup(lr0, warmup, total, epoch):
    return warmup_cosine(lr0, 5, total, epoch)


def _fixed_total(lr0, warmup, total, epoch):
    return warmup_cosine(lr0, warmup, 40, epoch)


WARMUP_WRONG = [
    (_from_zero, "alpha = 0"),
    (_integer_ramp, ""),
    (_switch_late, "off by one at the switch"),
    (_unshifted, "starts when the warm-up ends"),
    (_over_total, "total - warmup"),
    (_no_half, "1/2 is missing"),
    (_rising, "rises after the warm-up"),
    (_degrees, ""),
    (_linear, "linear decay"),
    (_no_warmup_case, "`total`"),  # with warmup = 0 it ignores total
    (_fixed_warmup, "`warmup`"),
    (_fixed_total, "`total`"),
    (
        lambda lr0, warmup, total, epoch: [
            warmup_cosine(lr0, warmup, total, e) for e in range(total)
        ],
        "return a number",
    ),
]


def test_warmup_cosine_written_other_ways_passes():
    assert check_warmup_cosine(warmup_cosine).passed

    def numpy_form(lr0, warmup, total, epoch):
        ramp = lr0 * (epoch + 1) / warmup if warmup else np.inf
        cos = lr0 * (1 + np.cos(np.pi * (epoch - warmup) / (total - warmup))) / 2
        return float(ramp if epoch < warmup else cos)

    assert check_warmup_cosine(numpy_form).passed


# ------------------------------------------------------------------ the range-test loop
def _steps_then(extra_before=0, extra_after=0, reverse=False):
    def answer(step, lr_min, lr_max, n, beta=0.9, diverge=4.0):
        for _ in range(extra_before):
            step(lr_min)  # "measure the starting cost first"
        if reverse:
            lrs, smooth, _ = reference_range_test(lambda lr: 0.0, lr_min, lr_max, n, beta, diverge)
            for lr in lrs[::-1]:
                step(float(lr))
        out = reference_range_test(step, lr_min, lr_max, n, beta, diverge)
        for _ in range(extra_after):
            step(float(out[0][-1]))  # "one more step to see where it goes"
        return out

    return answer


def _twice_per_rate(step, lr_min, lr_max, n, beta=0.9, diverge=4.0):
    def averaged(lr):
        return 0.5 * (step(lr) + step(lr))

    return reference_range_test(averaged, lr_min, lr_max, n, beta, diverge)


def _package_loop(step, lr_min, lr_max, n, beta=0.9, diverge=4.0):
    lr_range_test(None, None, None, None, None, lr_min, lr_max, n)
    return reference_range_test(step, lr_min, lr_max, n, beta, diverge)


@pytest.mark.parametrize(
    "answer, words",
    [
        (_steps_then(extra_before=1), CALLS),
        (_steps_then(extra_after=1), CALLS),
        (_steps_then(reverse=True), CALLS),
        (_twice_per_rate, ""),
        (_package_loop, SHORTCUT),
    ],
)
def test_range_test_with_the_wrong_training_steps_is_refused(answer, words):
    result = check_range_test(answer)
    assert not result.passed and words in result.message, result.message


# collected and run by tests/test_grader_wrong_answers.py
WRONG_SCHEDULES = {"schedules.check_warmup_cosine": WARMUP_WRONG}
