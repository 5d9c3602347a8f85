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
from collections.abc import Callable
from typing import Any

import numpy as np

from .grader import graded
from .grader import GRADIENT_HELPERS, exercise  # noqa: F401
from .grader import CheckResult, describe

# the package's samplers: the exercises write their own
_SAMPLERS = (
    "dlcourse.search.uniform",
    "dlcourse.search.log_uniform",
    "dlcourse.search.one_minus_log_uniform",
    "dlcourse.search.random_search",
)

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
        return None, (
            f"{NAME}: not yet — it returned a {type(out).__name__}; return a numpy "
            f"array of the n sampled values"
        )
    if values.shape != (n,):
        return None, (
            f"{NAME}: not yet — asked for n={n} values it returned shape "
            f"{values.shape}. Hint: pass size=n to the rng call so you get an "
            f"array of shape (n,)"
        )
    return values, None


MAX_LAG_CORRELATION = 0.03  # |corr| of consecutive draws, 50 000 samples (6.7 sd)
MAX_CHI2 = 250.0  # 10 x 10 cells of two independent uniforms, 81 dof: p < 1e-20


def _not_random_hint(t: np.ndarray, a: float, b: float, what: str) -> str | None:
    """None when ``t`` (a coordinate on its own scale, in [a, b]) looks like independent
    uniform draws; else what gives away a grid, a shuffled grid or a sequence."""
    if len(np.unique(t)) < len(t):
        return (
            f"some {what} repeat exactly: independent draws from a continuous range never "
            "do. Are you picking from a grid? Draw each value with rng.uniform"
        )
    gaps = np.diff(np.sort(t))
    step = gaps[gaps > 0].min() if np.any(gaps > 0) else 0.0
    if step > 0 and np.mean(np.abs(gaps / step - np.round(gaps / step)) < 1e-3) > 0.5:
        return (
            f"your {what} sit on a grid (every gap a multiple of {step:.3g}): a random subset "
            "of a grid is still a grid. Draw each value with rng.uniform"
        )
    if math.sqrt(len(t)) * ks_uniform(t, a, b) < MIN_KS_SQRT_N:
        return (
            f"your {what} are spread too evenly to be random (a shuffled grid?): draw them "
            "with rng.uniform"
        )
    if abs(np.corrcoef(t[:-1], t[1:])[0, 1]) > MAX_LAG_CORRELATION:
        return (
            f"consecutive {what} are correlated (sorted, or each drawn from the one before?): "
            "draw every value independently"
        )
    return None


def _dependence_hint(u: np.ndarray, v: np.ndarray) -> str | None:
    """None when the pairs (u, v), both spread over [0, 1], fill the square evenly (as two
    independent draws do); else the hint."""
    counts, _, _ = np.histogram2d(u, v, bins=10, range=[[0, 1], [0, 1]])
    expected = counts.sum(axis=1, keepdims=True) * counts.sum(axis=0, keepdims=True) / counts.sum()
    chi2 = float(np.sum((counts - expected) ** 2 / np.maximum(expected, 1e-12)))
    if chi2 > MAX_CHI2:
        return (
            "alpha and beta depend on each other in your trials (the pairs do not fill the "
            "plane evenly): draw a separate, independent random number for each "
            "hyperparameter"
        )
    return None


def _fail(hint: str, low: float, high: float) -> CheckResult:
    return CheckResult(False, f"{NAME}: not yet — with low={low:g}, high={high:g}. Hint: {hint}")


def _mistakes(low: float, high: float) -> list[tuple[Callable, float, float, str]]:
    """(transform, a, b, hint): a sampler making this mistake gives values v with
    transform(v) ~ U[a, b]."""
    lo10, hi10 = math.log10(low), math.log10(high)
    lo_e, hi_e = math.log(low), math.log(high)
    return [
        (
            lambda v: v,
            low,
            high,
            f"you sampled alpha uniformly between low and high: nearly all samples land in the "
            f"top decade [{high / 10:g}, {high:g}] and small learning rates are hardly ever "
            f"tried. Draw the exponent r uniformly between log10(low) and log10(high) and "
            f"return 10**r",
        ),
        (
            lambda v: v,
            lo10,
            hi10,
            f"your values lie between log10(low)={lo10:g} and log10(high)={hi10:g}: those are "
            f"the exponents r; return 10**r",
        ),
        (
            np.log10,
            low,
            high,
            "draw the exponent r between log10(low) and log10(high), not between low and high, "
            "then return 10**r",
        ),
        (
            np.log,
            lo10,
            hi10,
            "the base of the power must match the logarithm: with r between log10(low) and "
            "log10(high), return 10**r (np.exp(r) is e**r)",
        ),
        (
            np.log10,
            lo_e,
            hi_e,
            "np.log is the natural logarithm: with 10**r, draw r between np.log10(low) and "
            "np.log10(high)",
        ),
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
    return (
        "log10 of your samples should be spread evenly between log10(low) and "
        "log10(high) (as many samples in each decade); it is not"
    )


@graded
@exercise(rng_call=lambda rng: (1e-4, 1e-1, 20, rng), fresh=True, forbidden=_SAMPLERS)
def check_log_uniform(fn: Callable) -> CheckResult:
    """Check ``fn(low, high, n, rng) -> array`` samples log10(alpha) ~ U[log10 low, log10 high]."""
    if not callable(fn):
        return CheckResult(False, f"{NAME}: expected a function, got {type(fn).__name__}")
    with np.errstate(all="ignore"):
        for seed, (low, high) in enumerate(RANGES):
            v, message = _call(fn, low, high, N_SAMPLES, seed)
            if message:
                return CheckResult(False, message)
            hint = _wrong_samples_hint(v, low, high) or _not_random_hint(
                np.log10(v), math.log10(low), math.log10(high), "values"
            )
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
        return _fail(
            "draw with the rng argument (e.g. rng.uniform(...)), not with np.random: "
            "the same seed must give the same trials, so a search can be repeated",
            low,
            high,
        )
    if np.array_equal(a, c):
        return _fail(
            "different seeds gave the same values: draw new random numbers from rng on every call",
            low,
            high,
        )
    return CheckResult(True, f"{NAME}: correct")


# ================================================================== the trial sampler
# ``sample_trials(n, rng, lr_range, beta_range) -> {"lr": array, "beta": array}``: n random
# trials with alpha log-uniform on lr_range and 1 - beta log-uniform on [1 - hi, 1 - lo],
# independent of each other, drawn with ``rng``.
from .questions import Question

__all__ = [
    "Q_EDGE",
    "Q_GRID_VS_RANDOM",
    "Q_UNIFORM_ALPHA",
    "check_log_uniform",
    "check_sample_trials",
    "ks_uniform",
]

TRIALS = "sample_trials"
TRIAL_RANGES = (((1e-4, 1.0), (0.9, 0.999)), ((1e-3, 3.0), (0.5, 0.999)))
MAX_CORRELATION = 0.03  # |corr| of the two log-scale coordinates, 50 000 samples (a
# correct sampler exceeds it with probability about 1e-11)
MIN_KS_SQRT_N = 0.2  # sqrt(n) * KS below this: too even to be random (p < 1e-10)


def _trials_fail(hint: str, lr_range, beta_range) -> CheckResult:
    return CheckResult(
        False,
        f"{TRIALS}: not yet — with lr_range={lr_range}, beta_range={beta_range}. Hint: {hint}",
    )


def _call_trials(fn: Callable, n: int, seed: int, lr_range, beta_range):
    try:
        out = fn(n, np.random.default_rng(seed), lr_range, beta_range)
    except NotImplementedError:
        return None, f"{TRIALS}: not written yet (it raises NotImplementedError)"
    except Exception as exc:  # the learner's code: report it, never a traceback
        return None, f"{TRIALS}: your function raised {type(exc).__name__}: {exc}"
    if not isinstance(out, dict) or set(out) != {"lr", "beta"}:
        got = (
            f"a dict with keys {sorted(out)}"
            if isinstance(out, dict)
            else f"a {type(out).__name__}"
        )
        return None, (
            f"{TRIALS}: not yet — it returned {got}; return a dict with the two keys "
            f"'lr' and 'beta', each an array of n values"
        )
    try:
        lr, beta = (np.asarray(out[k], dtype=float) for k in ("lr", "beta"))
    except (TypeError, ValueError):
        return None, f"{TRIALS}: not yet — out['lr'] and out['beta'] must be arrays of numbers"
    if lr.shape != (n,) or beta.shape != (n,):
        return None, (
            f"{TRIALS}: not yet — asked for n={n} trials, got shapes {lr.shape} and "
            f"{beta.shape}. Hint: pass size=n to the rng calls"
        )
    return (lr, beta), None


def _beta_hint(beta: np.ndarray, lo: float, hi: float) -> str | None:
    """None when 1 - beta is log-uniform on [1 - hi, 1 - lo], else the hint."""
    a, b = math.log10(1 - hi), math.log10(1 - lo)
    finite = np.all(np.isfinite(beta))
    in_range = finite and beta.min() >= lo - 1e-12 and beta.max() <= hi + 1e-12
    if in_range and ks_uniform(np.log10(1 - beta), a, b) < KS_LIMIT:
        return None
    if finite and ks_uniform(beta, lo, hi) < KS_LIMIT:
        return (
            f"you sampled beta uniformly in [{lo:g}, {hi:g}]: almost all trials then have "
            f"beta below 0.99 (averaging windows under 100 steps). Put 1 - beta on the log scale"
        )
    if finite and np.all(beta > 0) and ks_uniform(np.log10(beta), a, b) < KS_LIMIT:
        return "your values are 1 - beta (between 1 - high and 1 - low); return beta = 1 - 10**r"
    if (
        finite
        and np.all(beta > 0)
        and ks_uniform(np.log10(beta), math.log10(lo), math.log10(hi)) < KS_LIMIT
    ):
        return (
            "you put beta itself on a log scale: log10 barely changes between 0.9 and 0.999, "
            "so this is nearly uniform in beta. The log scale is for 1 - beta"
        )
    if not in_range:
        shown = beta[np.isfinite(beta)]
        span = f"[{shown.min():.4g}, {shown.max():.4g}]" if shown.size else "no finite value"
        return f"every beta must lie in [{lo:g}, {hi:g}]; yours: {span}"
    return "log10(1 - beta) should be spread evenly between log10(1 - high) and log10(1 - low); it is not"


def _check_trial_seeding(fn: Callable) -> CheckResult:
    lr_range, beta_range = TRIAL_RANGES[0]
    runs = [_call_trials(fn, 100, s, lr_range, beta_range) for s in (11, 11, 12)]
    message = next((m for _, m in runs if m), None)
    if message:
        return CheckResult(False, message)
    (a, _), (b, _), (c, _) = [r for r, _ in runs]
    if not (np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])):
        return _trials_fail(
            "draw with the rng argument, not np.random: the same seed must give the same trials",
            lr_range,
            beta_range,
        )
    if np.array_equal(a[0], c[0]) or np.array_equal(a[1], c[1]):
        return _trials_fail(
            "different seeds gave the same values: draw new random numbers from rng on every call",
            lr_range,
            beta_range,
        )
    return CheckResult(True, f"{TRIALS}: correct")


@graded
@exercise(
    rng_call=lambda rng: (20, rng, (1e-4, 1.0), (0.9, 0.999)), fresh=True, forbidden=_SAMPLERS
)
def check_sample_trials(fn: Callable) -> CheckResult:
    """Check ``fn(n, rng, lr_range, beta_range) -> {"lr": ..., "beta": ...}`` (see above)."""
    if not callable(fn):
        return CheckResult(False, f"{TRIALS}: expected a function, got {type(fn).__name__}")
    with np.errstate(all="ignore"):
        for seed, (lr_range, beta_range) in enumerate(TRIAL_RANGES):
            values, message = _call_trials(fn, N_SAMPLES, seed, lr_range, beta_range)
            if message:
                return CheckResult(False, message)
            lr, beta = values
            lo, hi = beta_range
            if (
                np.all(np.isfinite(beta))
                and beta.min() >= lr_range[0] * (1 - 1e-12)
                and _wrong_samples_hint(beta, *lr_range) is None
            ):
                return _trials_fail(
                    "your 'beta' values look like learning rates: are the two keys swapped?",
                    lr_range,
                    beta_range,
                )
            hint = _wrong_samples_hint(lr, *lr_range)
            if hint:
                return _trials_fail("the learning rates: " + hint, lr_range, beta_range)
            hint = _beta_hint(beta, lo, hi)
            if hint:
                return _trials_fail("the momenta: " + hint, lr_range, beta_range)
            t_lr, t_beta = np.log10(lr), np.log10(1 - beta)
            if abs(np.corrcoef(t_lr, t_beta)[0, 1]) > MAX_CORRELATION:
                return _trials_fail(
                    "alpha and beta move together in your trials: draw a separate "
                    "random number for each hyperparameter, or the search explores "
                    "only a line of the plane",
                    lr_range,
                    beta_range,
                )
            a, b = math.log10(lr_range[0]), math.log10(lr_range[1])
            c, d = math.log10(1 - hi), math.log10(1 - lo)
            hint = (
                _dependence_hint((t_lr - a) / (b - a), (t_beta - c) / (d - c))
                or _not_random_hint(t_lr, a, b, "learning rates")
                or _not_random_hint(t_beta, c, d, "momenta")
            )
            if hint:
                return _trials_fail(hint, lr_range, beta_range)
        return _check_trial_seeding(fn)


Q_GRID_VS_RANDOM = Question(
    "Q_GRID_VS_RANDOM",
    "c",
    "Random search beats the 6 x 6 grid in 75 % of the 40 seeds here (72 % to 100 % at every "
    "budget, over five groups of 40 seeds): the grid won the one draw above because one of "
    "its six learning rates happens to fall near the valley, while 36 random trials try 36 "
    "learning rates. The comparison is about the distribution, not one run.",
    {
        "a": "in fewer than a quarter of the seeds",
        "b": "in a quarter to two thirds of them",
        "c": "in more than two thirds of them",
    },
)
Q_UNIFORM_ALPHA = Question(
    "Q_UNIFORM_ALPHA",
    "c",
    "The top decade [0.1, 1] is 90 % of the length of [1e-4, 1], so uniform sampling puts "
    "about 90 % of the trials there.",
    {"a": "about 25 %, one decade of four", "b": "about 50 %", "c": "about 90 %"},
)
Q_EDGE = Question(
    "Q_EDGE",
    "a",
    "None: above alpha = 10 the momentum network's cost is several times the best (the steps "
    "are too large), so the top trials stay below 10. The crowding at the "
    "edge said only that the optimum might lie beyond it; widening is how you find out.",
    {"a": "none", "b": "one or two", "c": "three or four"},
)


# ================================================================== the search loop
# ``coarse_to_fine_search(objective, low, high, rounds, n_trials, rng, top_k, edge)
# -> (tried, best)``: coarse to fine over alpha that widens at an edge, the rule of
# :func:`dlcourse.experiments.coarse_to_fine.next_range`. The check scores with a cheap
# objective whose optimum it chooses (outside the starting range in two cases), records
# every call, rebuilds each round's range from the learner's own trials with the rule, and
# tests: the budget, that ``tried`` is what was scored, every round's exponents uniform on
# that round's range (large rounds), new independent draws (no grid, no reuse), the best.
from ..experiments import coarse_to_fine as _c2f  # noqa: E402

__all__ += ["Q_WIDEN_WINS", "check_coarse_to_fine"]

LOOP = "coarse_to_fine_search"
LOOP_KS = 3.0  # sqrt(n) * KS above this: not uniform on the range (p < 3e-8 for a right one)
LOOP_LAG = 6.0  # sqrt(n) * |corr| of consecutive or of successive rounds' draws


def _bowl(center: float, bumps: float = 0.0, cliff: float = np.inf) -> Callable:
    """A cheap stand-in for a training run: (log10 alpha - center)^2, plus a deterministic
    bumpy term of height ``bumps``; ``inf`` (a diverged run) above alpha = ``cliff``."""

    def objective(alpha: float) -> float:
        if alpha > cliff:
            return math.inf
        u = math.log10(alpha)
        wobble = math.sin(12.9898 * u * 1e3) * 43758.5453
        return (u - center) ** 2 + bumps * (wobble - math.floor(wobble))

    return objective


class _Scored:
    """The objective given to the learner's loop, with every alpha it was called on."""

    def __init__(self, fn: Callable) -> None:
        self.fn, self.alphas = fn, []

    def __call__(self, alpha):
        self.alphas.append(alpha)
        return self.fn(float(alpha))


# (center, bumps, cliff), low, high, rounds, n_trials, top_k, edge, seed; the first three
# are large (each round's distribution is tested): widen above twice then zoom; widen
# below then zoom; zoom at once (the best 0.15 of the width from the top: with edge 0.2
# it would widen)
LOOP_CASES = (
    ((-1.2, 0.0, np.inf), 1e-5, 1e-3, 4, 3000, 3, 0.2, 21),
    ((-3.0, 0.0, np.inf), 1e-2, 1.0, 3, 3000, 5, 0.15, 22),
    ((0.25, 0.0, np.inf), 1e-4, 10.0, 2, 3000, 4, 0.1, 23),
    ((0.5, 0.3, np.inf), 1e-3, 0.3, 3, 7, 2, 0.2, 24),
    ((-4.0, 0.5, 0.05), 1e-6, 0.1, 3, 9, 3, 0.3, 25),
    ((-2.0, 1.0, np.inf), 1e-4, 1.0, 4, 6, 2, 0.2, 26),
)
LARGE = 1000  # rounds at least this large have their distribution tested


def _loop_fail(case: tuple, hint: str) -> CheckResult:
    _, low, high, rounds, n, top_k, edge, _ = case
    return CheckResult(
        False,
        f"{LOOP}: not yet — with low={low:g}, high={high:g}, rounds={rounds}, n_trials={n}, "
        f"top_k={top_k}, edge={edge:g}. Hint: {hint}",
    )


def _loop_output(out: Any, rounds: int, n: int) -> tuple[np.ndarray | None, float, str | None]:
    """(tried, best, None) from the learner's answer, or (None, nan, what is wrong)."""
    shape = "a pair (tried, best): every alpha tried, in order, and the alpha of the lowest cost"
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        return None, math.nan, f"return {shape}; you returned {describe(out)}"
    try:
        tried, best = np.asarray(out[0], dtype=float), float(out[1])
    except (TypeError, ValueError):
        return None, math.nan, f"return {shape}: an array of numbers and one number"
    if tried.shape != (rounds * n,):
        return (
            None,
            math.nan,
            (
                f"`tried` should hold all rounds * n_trials = {rounds * n} alphas in one flat "
                f"array (np.concatenate the rounds); yours has shape {tried.shape}"
            ),
        )
    if not np.all(np.isfinite(tried) & (tried > 0)):
        return None, math.nan, "every alpha tried must be a positive, finite number"
    return tried, best, None


def _range_candidates(u_prev, s_prev, a, b, top_k, edge) -> list[tuple[float, float, str]]:
    """(a', b', hint) ranges a loop making a usual mistake would search next."""
    width = b - a
    top = u_prev[np.argsort(s_prev, kind="stable")[:top_k]]
    _, _, action = _c2f.next_range(u_prev, s_prev, a, b, top_k, edge)
    out = []
    if action != "zoom":
        side = "upper" if action == "widen high" else "lower"
        out += [
            (
                float(top.min()),
                float(top.max()),
                f"the best trial sat at the {side} edge of "
                "its range, where you zoomed in: when the best trial is within `edge` of an "
                "edge, widen the range beyond that edge instead",
            ),
            ((a + width, b + width) if side == "upper" else (a - width, b - width))
            + ("you moved the whole range; widen it: keep the other end where it was",),
            ((a, b + 1.0) if side == "upper" else (a - 1.0, b))
            + ("widen by the range's own width on the log scale (b - a), not by one decade",),
            ((a - width, b) if side == "upper" else (a, b + width))
            + (f"the best trial sat at the {side} edge: widen on that side",),
            (a, b, "the best trial sat at an edge: widen the range beyond it (you kept it)"),
        ]
    else:
        out += [
            (
                a,
                b,
                "the best trial was inside the range: zoom to the span of the top_k best "
                "trials only (you kept the whole range, or the span of all the trials)",
            ),
            (
                float(u_prev.min()),
                float(u_prev.max()),
                "zoom to the span of the top_k best trials only, not of all the trials",
            ),
            (a, b + width, "the best trial was not at the edge: zoom in, do not widen"),
            (a - width, b, "the best trial was not at the edge: zoom in, do not widen"),
        ]
    return out


def _fits(u: np.ndarray, a: float, b: float) -> bool:
    """u lies in [a, b] and, for a large round, is uniform there."""
    pad = 1e-9 * max(b - a, 1e-12)
    if u.min() < a - pad or u.max() > b + pad:
        return False
    return len(u) < LARGE or math.sqrt(len(u)) * ks_uniform(u, a, b) < LOOP_KS


def _round_hint(u, u_prev, s_prev, ranges, r, top_k, edge) -> str | None:
    """None when round r's exponents fit the rule's range, else the hint."""
    a, b = ranges[r]
    if _fits(u, a, b):
        return None
    if r == 0 and len(u) >= LARGE:
        if math.sqrt(len(u)) * ks_uniform(10.0**u, 10.0**a, 10.0**b) < LOOP_KS:
            return (
                "you drew alpha uniformly: draw the exponent r uniformly between "
                "log10(low) and log10(high) and try 10**r"
            )
    if r > 0:
        for lo, hi, hint in _range_candidates(u_prev, s_prev, *ranges[r - 1], top_k, edge):
            if _fits(u, lo, hi):
                return f"round {r + 1}: {hint}"
    where = f"round {r + 1}" if r else "the first round"
    return (
        f"{where} should try alphas log-uniform on [{10.0**a:.4g}, {10.0**b:.4g}] (the "
        "range the rule gives from your own trials); yours do not: draw "
        "rng.uniform(a, b, size=n_trials) exponents on the round's range"
    )


def _independence_hint(rounds_u: list, ranges: list) -> str | None:
    """None when each large round looks like fresh independent draws, else the hint."""
    prev = None
    for u, (a, b) in zip(rounds_u, ranges):
        if len(u) < LARGE:
            return None
        hint = _not_random_hint(u, a, b, "exponents")
        if hint and "correlated" not in hint:
            return hint
        limit = LOOP_LAG / math.sqrt(len(u))
        if abs(np.corrcoef(u[:-1], u[1:])[0, 1]) > limit:
            return (
                "consecutive exponents are correlated (sorted, or each drawn from the one "
                "before?): draw every value independently"
            )
        v = (u - a) / (b - a)
        if prev is not None and abs(np.corrcoef(prev, v)[0, 1]) > limit:
            return (
                "each round reuses the draws of the round before (rescaled): draw new "
                "exponents with rng in every round"
            )
        prev = v
    return None


def _loop_case_hint(fn: Callable, case: tuple) -> str | None:
    """None when ``fn`` runs the rule on ``case``, else the hint."""
    (center, bumps, cliff), low, high, rounds, n, top_k, edge, seed = case
    scored = _Scored(_bowl(center, bumps, cliff))
    out = fn(scored, low, high, rounds, n, np.random.default_rng(seed), top_k, edge)
    if len(scored.alphas) != rounds * n:
        return (
            f"your loop called `objective` {len(scored.alphas)} times where the budget is "
            f"rounds * n_trials = {rounds * n}: one training run per trial, no more, no less"
        )
    tried, best, problem = _loop_output(out, rounds, n)
    if problem:
        return problem
    called = np.asarray(scored.alphas, dtype=float)
    if not np.allclose(tried, called, rtol=1e-12, atol=0.0):
        return (
            "`tried` must be the alphas you scored, in the order you called `objective` "
            "(round after round; do not sort them)"
        )
    scores = np.array([scored.fn(a) for a in tried])
    u = np.log10(tried)
    ranges, rounds_u = [(math.log10(low), math.log10(high))], []
    for r in range(rounds):
        ur, sr = u[r * n : (r + 1) * n], scores[r * n : (r + 1) * n]
        prev = (rounds_u[-1], scores[(r - 1) * n : r * n]) if r else (None, None)
        hint = _round_hint(ur, *prev, ranges, r, top_k, edge)
        if hint:
            return hint
        rounds_u.append(ur)
        a, b, _ = _c2f.next_range(ur, sr, *ranges[r], top_k, edge)
        ranges.append((a, b))
    hint = _independence_hint(rounds_u, ranges)
    if hint:
        return hint
    if not math.isclose(best, tried[int(np.argmin(scores))], rel_tol=1e-12):
        in_last = math.isclose(best, tried[-n:][int(np.argmin(scores[-n:]))], rel_tol=1e-12)
        return (
            "`best` is the alpha of the lowest cost over ALL rounds (not only the last one)"
            if in_last
            else "`best` must be the alpha (not the cost, not the exponent) of the trial "
            "with the lowest cost"
        )
    return None


_RNG_OBJECTIVE = _bowl(-1.0, 0.2)  # one object: an answer kept from an earlier call is seen


@graded
@exercise(
    rng_call=lambda rng: (_RNG_OBJECTIVE, 1e-4, 1e-2, 3, 6, rng, 2, 0.2),
    fresh=True,
    forbidden=(
        *_SAMPLERS,
        "dlcourse.search.coarse_to_fine",
        "dlcourse.search.zoom",
        "dlcourse.experiments.coarse_to_fine.widening_search",
        "dlcourse.experiments.coarse_to_fine.next_range",
        "dlcourse.experiments.coarse_to_fine.widening_coarse_to_fine",
    ),
)
def check_coarse_to_fine(fn: Callable) -> CheckResult:
    """Check ``fn(objective, low, high, rounds, n_trials, rng, top_k, edge) -> (tried,
    best)`` against the rule of :func:`dlcourse.experiments.coarse_to_fine.next_range`."""
    if not callable(fn):
        return CheckResult(False, f"{LOOP}: expected a function, got {type(fn).__name__}")
    with np.errstate(all="ignore"):
        for case in LOOP_CASES:
            hint = _loop_case_hint(fn, case)
            if hint:
                return _loop_fail(case, hint)
    return CheckResult(True, f"{LOOP}: correct")


Q_WIDEN_WINS = Question(
    "Q_WIDEN_WINS",
    "b",
    "Three to seven: 3 of seeds 0-9 here, and 3, 6 and 5 of seeds 10-19, 20-29 and 30-39. "
    "Round 1's best trial has alpha between 1 and 9 on every seed, in the top fifth of "
    "[1e-4, 10], so the rule reads it as 'at the edge' and widens to [1e-4, 1e6]: round 2 "
    "spreads its trials over ten decades, most of them far above the useful ones, while the "
    "zoom-only search keeps every run inside. Widening pays when the range is wrong; when it "
    "is right, neither loop wins reliably.",
    {"a": "at most two", "b": "three to seven", "c": "eight or more"},
)
