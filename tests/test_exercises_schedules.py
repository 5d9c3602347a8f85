"""Notebook 09's check (inverse-time decay with a staircase)."""
import math

import pytest

from dlcourse.exercises.schedules import check_inverse_time_decay
from dlcourse.optim import schedules


def correct(lr0, decay_rate, epoch, every=None):
    t = epoch if every is None else math.floor(epoch / every)
    return lr0 / (1 + decay_rate * t)


def test_correct_solution_passes():
    result = check_inverse_time_decay(correct)
    assert result.passed, result.message
    assert repr(result) == "inverse_time_decay: correct"
    assert check_inverse_time_decay(
        lambda a, d, e, every=None: schedules.inverse_time_decay(a, d, every)(e)).passed
    assert check_inverse_time_decay(
        lambda a, d, e, every=None: a / (1 + d * (e if every is None else e // every))).passed


@pytest.mark.parametrize("wrong, words", [
    (lambda a, d, e, every=None: a / (1 + d * e), "use floor(epoch / every) in place of epoch"),
    (lambda a, d, e, every=None: a / (1 + d * (e / every if every else e)), "needs rounding down"),
    (lambda a, d, e, every=None: a / (1 + d * (math.ceil(e / every) if every else e)), "not up"),
    (lambda a, d, e, every=None: correct(a, d, e + 1, every), "epochs count from 0"),
    (lambda a, d, e, every=None: a / (1 + d) ** (e if every is None else e // every),
     "that is an exponential decay"),
    (lambda a, d, e, every=None: a * (1 - d * (e if every is None else e // every)),
     "that is a linear decay"),
    (lambda a, d, e, every=None: a * (1 + d * (e if every is None else e // every)),
     "must shrink, not grow"),
])
def test_typical_mistakes_get_their_hint(wrong, words):
    result = check_inverse_time_decay(wrong)
    assert not result.passed
    assert words in result.message, result.message


def test_unlisted_mistake_gets_the_case_hint():
    result = check_inverse_time_decay(lambda a, d, e, every=None: 0.9 * correct(a, d, e, every))
    assert not result.passed and "case 1" in result.message and "epoch 0 gives alpha0" in result.message


def test_raising_or_non_numeric_solution_gives_a_message():
    def broken(lr0, decay_rate, epoch, every=None):
        return lr0 / (1 + decay_rate * (epoch // every))   # fails when every is None
    result = check_inverse_time_decay(broken)
    assert not result.passed and "your function raised TypeError" in result.message
    result = check_inverse_time_decay(lambda a, d, e, every=None: "fast")
    assert not result.passed and "returned 'fast' at epoch 0; return a number" in result.message
    assert not check_inverse_time_decay("not a function").passed
