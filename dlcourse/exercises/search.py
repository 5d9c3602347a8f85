"""Check for notebook 10's exercise: a log-uniform sampler for the learning rate.

The learner writes ``sample_log_uniform(low, high, n, rng)`` returning n values alpha with

    r ~ U[log10(low), log10(high)],    alpha = 10**r,

drawn with the numpy Generator ``rng`` (so a search is reproducible). A sampler is random,
so the check does not compare values one by one: it draws many samples with fixed seeds and
tests what must hold for any correct sampler:

1. the shape is (n,) and every value lies in [low, high];
2. log10(alpha) is uniform on [log10 low, log10 high]: the Kolmogorov-Smirnov distance
   between the empirical distribution of log10(alpha) and that uniform law is below 0.015
   for 50 000 samples (a correct sampler exceeds it with probability about 1e-10);
3. the same Generator state gives the same values and different seeds give different ones.

A failure is matched against the usual mistakes (uniform sampling of alpha itself, returning
the exponent r without 10**, drawing r between low and high instead of their logarithms,
mixing log10 and e**, ignoring ``rng``) and the hint names the one found.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .grader import CheckResult

NAME = "sample_log_uniform"
N_SAMPLES = 50_000
KS_LIMIT = 0.015

# (low, high) ranges tried: whole decades and ranges that do not start on a power of ten
RANGES = ((1e-4, 1.0), (3e-5, 0.2), (1e-3, 1e-1))


def ks_uniform(t: np.ndarray, a: float, b: float) -> float:
    """Kolmogorov-Smirnov distance sup_x |F_n(x) - F(x)| between the sample ``t`` and U[a, b]."""
    t = np.sort(np.asarray(t, dtype=float))
    n = len(t)
    cdf = np.clip((t - a) / (b - a), 0.0, 1.0)
    i = np.arange(1, n + 1)
    return float(max(np.max(i / n - cdf), np.max(cdf - (i - 1) / n)))


def _call(fn: Callable, low: float, high: float, n: int, seed: int):
    """``fn``'s values as a float array, or a failure message."""
    try:
        out = fn(low, high, n, np.random.default_rng(seed))
    except NotImplementedError:
        return None, f"{NAME}: not written yet (it raises NotImplementedError)"
    except Exception as exc:  # the learner's code: report it, never a traceback
        return None, f"{NAME}: your function raised {type(exc).__name__}: {exc}"
    try:
        values = np.asarray(out, dtype=float)
    except (TypeError, ValueError):
        return None, (f"{NAME}: not yet — it returned a {type(out).__name__}; return a numpy "
                      f"array of the n sampled values")
    if values.shape != (n,):
        return None, (f"{NAME}: not yet — asked for n={n} values it returned shape "
                      f"{values.shape}. Hint: pass size=n to the rng call so you get an "
                      f"array of shape (n,)")
    return values, None


def _fail(hint: str, low: float, high: float) -> CheckResult:
    return CheckResult(False, f"{NAME}: not yet — with low={low:g}, high={high:g}. Hint: {hint}")


def _mistakes(low: float, high: float) -> list[tuple[Callable, float, float, str]]:
    """(transform, a, b, hint): a sampler making this mistake gives values v with
    transform(v) ~ U[a, b]."""
    lo10, hi10 = math.log10(low), math.log10(high)
    lo_e, hi_e = math.log(low), math.log(high)
    return [
        (lambda v: v, low, high,
         f"you sampled alpha uniformly between low and high: nearly all samples land in the "
         f"top decade [{high / 10:g}, {high:g}] and small learning rates are hardly ever "
         f"tried. Draw the exponent r uniformly between log10(low) and log10(high) and "
         f"return 10**r"),
        (lambda v: v, lo10, hi10,
         f"your values lie between log10(low)={lo10:g} and log10(high)={hi10:g}: those are "
         f"the exponents r; return 10**r"),
        (np.log10, low, high,
         "draw the exponent r between log10(low) and log10(high), not between low and high, "
         "then return 10**r"),
        (np.log, lo10, hi10,
         "the base of the power must match the logarithm: with r between log10(low) and "
         "log10(high), return 10**r (np.exp(r) is e**r)"),
        (np.log10, lo_e, hi_e,
         "np.log is the natural logarithm: with 10**r, draw r between np.log10(low) and "
         "np.log10(high)"),
    ]


def _diagnose(v: np.ndarray, low: float, high: float) -> str | None:
    """The hint of the first mistake that explains the samples ``v``, if any."""
    for transform, a, b, hint in _mistakes(low, high):
        with np.errstate(all="ignore"):
            t = transform(v)
        if np.all(np.isfinite(t)) and ks_uniform(t, a, b) < KS_LIMIT:
            return hint
    return None


def _wrong_samples_hint(v: np.ndarray, low: float, high: float) -> str | None:
    """None when v is a correct log-uniform sample on [low, high], else the hint."""
    finite = np.all(np.isfinite(v))
    in_range = finite and v.min() >= low * (1 - 1e-12) and v.max() <= high * (1 + 1e-12)
    if in_range and ks_uniform(np.log10(v), math.log10(low), math.log10(high)) < KS_LIMIT:
        return None
    hint = _diagnose(v, low, high) if finite else None
    if hint:
        return hint
    if not in_range:
        shown = v[np.isfinite(v)]
        span = f"[{shown.min():.3g}, {shown.max():.3g}]" if shown.size else "no finite value"
        return f"every value must lie in [low, high] = [{low:g}, {high:g}]; yours: {span}"
    return ("log10 of your samples should be spread evenly between log10(low) and "
            "log10(high) (as many samples in each decade); it is not")


def check_log_uniform(fn: Callable) -> CheckResult:
    """Check ``fn(low, high, n, rng) -> array`` samples log10(alpha) ~ U[log10 low, log10 high]."""
    if not callable(fn):
        return CheckResult(False, f"{NAME}: expected a function, got {type(fn).__name__}")
    with np.errstate(all="ignore"):
        for seed, (low, high) in enumerate(RANGES):
            v, message = _call(fn, low, high, N_SAMPLES, seed)
            if message:
                return CheckResult(False, message)
            hint = _wrong_samples_hint(v, low, high)
            if hint:
                return _fail(hint, low, high)
        return _check_seeding(fn)


def _check_seeding(fn: Callable) -> CheckResult:
    low, high = RANGES[0]
    a, message = _call(fn, low, high, 100, 11)
    b, message_b = _call(fn, low, high, 100, 11)
    c, message_c = _call(fn, low, high, 100, 12)
    message = message or message_b or message_c
    if message:
        return CheckResult(False, message)
    if not np.array_equal(a, b):
        return _fail("draw with the rng argument (e.g. rng.uniform(...)), not with np.random: "
                     "the same seed must give the same trials, so a search can be repeated",
                     low, high)
    if np.array_equal(a, c):
        return _fail("different seeds gave the same values: draw new random numbers from rng "
                     "on every call", low, high)
    return CheckResult(True, f"{NAME}: correct")
