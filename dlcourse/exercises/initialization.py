"""Checks for notebook 04 (initialization): the He initializer.

The learner writes ``he_init(shape, rng) -> W`` with shape = (n_out, n_in):

    W ~ N(0, 1) * sqrt(2 / n_in)          (drawn from the generator ``rng``)

A draw is random, so the check looks at a large draw's statistics: mean 0, standard
deviation sqrt(2 / n_in) (within 3 %), a Gaussian shape (kurtosis 3, where a uniform draw
has 1.8), and the same array from two generators with the same seed. Each typical mistake
(n_out in place of n_in, no factor 2, no square root, a uniform draw, np.random in place of
``rng``) is a case of its own, so the hint names it.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..init import he
from .grader import Case, CheckResult, Expect, check_cases  # noqa: F401 (Expect re-exported)


_SHAPES = [(400, 250), (60, 900)]  # n_out > n_in and n_out < n_in: tells n_in from n_out
_SEED = 2024
_TOL = 0.03


def reference_he_init(shape: tuple, rng: np.random.Generator) -> np.ndarray:
    """The package's He initializer (:func:`dlcourse.init.he`): N(0, 1) * sqrt(2 / n_in)."""
    return he(tuple(shape), rng)


def _std_close(got, target: float) -> bool:
    return abs(float(np.std(got)) / target - 1.0) < _TOL


def _kurtosis(a) -> float:
    a = np.ravel(np.asarray(a, dtype=np.float64))
    c = a - a.mean()
    var = np.mean(c * c)
    return float(np.mean(c ** 4) / var ** 2) if var > 0 else 0.0


def _is_array(shape):
    return lambda got: np.asarray(got, dtype=np.float64).shape == tuple(shape)


def _finite(got) -> bool:
    return bool(np.all(np.isfinite(got))) and float(np.std(got)) > 0


def _not_std(shape, target: Callable[[int, int], float]):
    """True unless the draw's std matches ``target(n_out, n_in)`` (a typical wrong formula)."""
    n_out, n_in = shape
    return lambda got: not _std_close(got, target(n_out, n_in))


def _centred(got) -> bool:
    a = np.ravel(got)
    return abs(float(a.mean())) < 5 * float(a.std()) / np.sqrt(a.size)


def _gaussian(got) -> bool:
    return 2.6 < _kurtosis(got) < 3.4


def _right_std(shape):
    n_out, n_in = shape
    return lambda got: _std_close(got, np.sqrt(2.0 / n_in))


def _case(shape, accepts: Callable, hint: str, seed: int = _SEED) -> Case:
    """One call he_init(shape, fresh generator(seed)), tested by ``accepts``."""
    reference = reference_he_init(shape, np.random.default_rng(seed))
    return Case((shape, np.random.default_rng(seed)), Expect(reference, accepts), hint)


def _cases_for(shape) -> list[Case]:
    n_out, n_in = shape
    wrong = {
        "n_out": (lambda o, i: np.sqrt(2.0 / o),
                  f"the std came out as sqrt(2 / n_out); use n_in = shape[1] (= {n_in} here), "
                  "the number of inputs each unit sums over. W has shape (n_out, n_in)."),
        "no_2": (lambda o, i: np.sqrt(1.0 / i),
                 "the std came out as sqrt(1 / n_in), which is Xavier's; He uses sqrt(2 / n_in) "
                 "because ReLU zeroes half of its inputs. Did you forget the 2?"),
        "both": (lambda o, i: np.sqrt(1.0 / o),
                 "the std came out as sqrt(1 / n_out): use n_in = shape[1] and the factor 2."),
        "no_sqrt": (lambda o, i: 2.0 / i,
                    "the std came out as 2 / n_in: the variance is 2 / n_in, so multiply the "
                    "N(0, 1) draw by its square root, sqrt(2 / n_in)."),
    }
    cases = [
        _case(shape, _is_array(shape), f"return an array of shape `shape` = {shape} "
                                     "(n_out, n_in), e.g. rng.standard_normal(shape) * ..."),
        _case(shape, _finite, "the weights must be finite and not all equal (random, not "
                            "constant: a constant init keeps every unit identical)."),
        _case(shape, _centred, "the weights should have mean 0: draw from N(0, 1) "
                             "(rng.standard_normal), not from [0, 1) (rng.random)."),
    ]
    cases += [_case(shape, _not_std(shape, f), hint) for f, hint in wrong.values()]
    cases += [
        _case(shape, _gaussian, "the draw is not Gaussian (a uniform draw has kurtosis 1.8, a "
                              "normal one 3): use rng.standard_normal(shape), not rng.uniform "
                              "or rng.random."),
        _case(shape, _right_std(shape), f"the std should be sqrt(2 / n_in) = "
                                      f"{np.sqrt(2.0 / n_in):.4f} for shape {shape}; you are "
                                      "off by more than 3 %."),
    ]
    return cases


def _reproducible() -> list[Case]:
    shape = _SHAPES[0]
    first = {}

    def same_as_first(got) -> bool:
        if "value" not in first:
            first["value"] = np.array(got, copy=True)
            return True
        return np.array_equal(got, first["value"])

    hint = ("two generators with the same seed gave different weights: draw from the `rng` "
            "argument (rng.standard_normal), not from np.random, so runs are reproducible.")
    return [_case(shape, same_as_first, hint, seed=7), _case(shape, same_as_first, hint, seed=7)]


def check_he_init(fn: Callable) -> CheckResult:
    """Check ``fn(shape, rng)`` against W ~ N(0, 1) sqrt(2 / n_in); never raises."""
    cases = [case for shape in _SHAPES for case in _cases_for(shape)] + _reproducible()
    return check_cases("he_init", fn, cases)
