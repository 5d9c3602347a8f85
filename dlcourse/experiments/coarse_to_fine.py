r"""Coarse to fine that also WIDENS: when the best trials crowd against an edge of the range.

:func:`dlcourse.search.zoom` only ever shrinks a range, so an optimum outside the starting
range is never found, and the zoomed box stays pinned to the edge. The rule practitioners
use: if the top trials lie within ``tol`` of an edge (measured on the sampler's own scale,
as a fraction of the range's width), extend the range beyond that edge by ``grow`` times its
width and search again; only when no top trial touches an edge, zoom in. Here the range is
pushed out by ``grow`` units of the sampler's scale (one decade for log scales); beta's
range stops at 0 (an edge there is a hard limit, not a reason to widen).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from .. import search

__all__ = [
    "GridVsRandom",
    "Round",
    "edges_touched",
    "grid_vs_random",
    "next_range",
    "widen",
    "widening_coarse_to_fine",
    "widening_search",
    "WidenVsZoom",
    "widen_vs_zoom",
]


def _scale_range(sampler) -> tuple[float, float]:
    t = sampler.forward(np.array([sampler.low, sampler.high]))
    return float(t.min()), float(t.max())


def edges_touched(result, top_k: int = 4, tol: float = 0.15) -> dict[str, str]:
    """{name: "low" | "high"} for each continuous hyperparameter whose ``top_k`` best
    successful trials come within ``tol`` of an edge ("low"/"high" = the small/large
    VALUES of the hyperparameter)."""
    ok = [t for t in result.trials if np.isfinite(t["score"])]
    top = sorted(ok, key=lambda t: t["score"])[:top_k]
    touched = {}
    for name, sampler in result.space.items():
        if not hasattr(sampler, "forward") or not hasattr(sampler, "within"):
            continue
        t0, t1 = _scale_range(sampler)
        values = np.array([t["params"][name] for t in top], dtype=float)
        t = sampler.forward(values)
        width = t1 - t0
        lo_t = sampler.forward(np.array([sampler.low]))[0]
        dist_low = np.min(np.abs(t - lo_t)) / width  # to the small values
        hi_t = sampler.forward(np.array([sampler.high]))[0]
        dist_high = np.min(np.abs(t - hi_t)) / width  # to the large values
        at_limit = isinstance(sampler, search.OneMinusLogUniform) and sampler.low <= 0.0
        if dist_high < tol:
            touched[name] = "high"
        elif dist_low < tol and not at_limit:
            touched[name] = "low"
    return touched


def widen(space: Mapping, touched: Mapping[str, str], grow: float = 1.0) -> dict:
    """The space with each touched side pushed out by ``grow`` units of the sampler's scale
    (one decade of a log scale); a one-minus-log range stays in [0, 1)."""
    out = dict(space)
    for name, side in touched.items():
        s = space[name]
        lo_t, hi_t = (float(s.forward(np.array([v]))[0]) for v in (s.low, s.high))
        step = grow if hi_t > lo_t else -grow  # signed: the direction of growing values
        if side == "high":
            new = float(s.inverse(np.array([hi_t + step]))[0])
            out[name] = s.within(s.low, new)
        else:
            new = float(s.inverse(np.array([lo_t - step]))[0])
            if isinstance(s, search.OneMinusLogUniform):
                new = max(new, 0.0)  # beta stays a weight in [0, 1)
            out[name] = s.within(new, s.high)
    return out


@dataclass
class Round:
    result: object  # the SearchResult of this round
    action: str  # what was done AFTER it: "widen lr (high)", "zoom", "last round"


def widening_coarse_to_fine(
    objective: Callable,
    space: Mapping,
    rounds: int = 4,
    n_trials: int = 15,
    top_k: int = 4,
    seed: int = 0,
    tol: float = 0.15,
    grow: float = 1.0,
    executor=None,
) -> list[Round]:
    """Random search; after each round widen (if the top trials touch an edge) or zoom."""
    out: list[Round] = []
    for r in range(rounds):
        result = search.random_search(
            objective, space, n_trials, search.trial_seed(seed, r), executor
        )
        if r == rounds - 1:
            out.append(Round(result, "last round"))
            break
        touched = edges_touched(result, top_k, tol)
        if touched:
            space = widen(space, touched, grow)
            action = "widen " + ", ".join(f"{n} ({side} values)" for n, side in touched.items())
        else:
            space = search.zoom(result, space, top_k)
            action = "zoom"
        out.append(Round(result, action))
    return out


# ------------------------------------------------------------------ grid against random, many seeds
@dataclass
class GridVsRandom:
    budgets: tuple
    grid_best: np.ndarray  # (budgets,)
    random_best: np.ndarray  # (budgets, seeds)

    def random_wins(self) -> np.ndarray:
        """Fraction of seeds where random search's best beats the grid's, per budget."""
        return np.mean(self.random_best < self.grid_best[:, None], axis=1)


def grid_vs_random(
    objective: Callable, space: Mapping, sides=(3, 4, 5, 6), seeds=range(40)
) -> GridVsRandom:
    """Best score of a k x k grid and of k^2 random trials (one search per seed)."""
    seeds = list(seeds)
    grid = np.array(
        [search.grid_search(objective, space, points_per_axis=k).best["score"] for k in sides]
    )
    rand = np.array(
        [
            [
                search.random_search(objective, space, n_trials=k * k, seed=s).best["score"]
                for s in seeds
            ]
            for k in sides
        ]
    )
    return GridVsRandom(tuple(k * k for k in sides), grid, rand)


# ------------------------------------------------------------------ notebook 10's exercise
def next_range(
    u: np.ndarray, scores: np.ndarray, a: float, b: float, top_k: int, edge: float
) -> tuple[float, float, str]:
    r"""The exponent range of the next round, and the action, from one round's exponents
    ``u = log10(alpha)`` in [a, b] and their ``scores`` (lower is better):

    * best exponent u* > b - edge (b - a): widen above, [a, b + (b - a)], action "widen high";
    * u* < a + edge (b - a): widen below, [a - (b - a), b], action "widen low";
    * otherwise zoom: [min, max] of the exponents of the ``top_k`` best trials, "zoom"."""
    order = np.argsort(scores, kind="stable")
    best, width = u[order[0]], b - a
    if best > b - edge * width:
        return a, b + width, "widen high"
    if best < a + edge * width:
        return a - width, b, "widen low"
    top = u[order[:top_k]]
    return float(top.min()), float(top.max()), "zoom"


def widening_search(
    objective: Callable[[float], float],
    low: float,
    high: float,
    rounds: int,
    n_trials: int,
    rng: np.random.Generator,
    top_k: int = 3,
    edge: float = 0.2,
) -> tuple[np.ndarray, float]:
    r"""Coarse to fine over the learning rate alone, widening at an edge: each round draws
    ``n_trials`` exponents u ~ U[a, b] with ``rng`` (a, b = log10 low, log10 high at the
    start), scores alpha = 10**u with one call ``objective(alpha)`` each, and moves to
    :func:`next_range`. Returns (every alpha tried, in order; the alpha of the lowest score)."""
    a, b = float(np.log10(low)), float(np.log10(high))
    tried, scores = [], []
    for _ in range(rounds):
        u = rng.uniform(a, b, size=n_trials)
        s = np.array([objective(float(10.0**x)) for x in u], dtype=float)
        tried.append(10.0**u)
        scores.append(s)
        a, b, _ = next_range(u, s, a, b, top_k, edge)
    tried, scores = np.concatenate(tried), np.concatenate(scores)
    return tried, float(tried[np.argmin(scores)])


@dataclass
class WidenVsZoom:
    seeds: tuple
    widen_best: np.ndarray  # (seeds,) lowest cost of the widening loop
    widen_alpha: np.ndarray  # (seeds,) its alpha
    zoom_best: np.ndarray  # (seeds,) lowest cost of the zoom-only coarse_to_fine
    zoom_alpha: np.ndarray  # (seeds,) its alpha

    def widen_wins(self) -> int:
        """The number of seeds where the widening loop ends below the zoom-only search."""
        return int(np.sum(self.widen_best < self.zoom_best))


def widen_vs_zoom(
    cost: Callable[[float], float],
    loop: Callable = widening_search,
    low: float = 1e-4,
    high: float = 0.1,
    rounds: int = 3,
    n_trials: int = 8,
    top_k: int = 3,
    edge: float = 0.2,
    seeds=range(5),
) -> WidenVsZoom:
    """Per seed, the lowest ``cost(alpha)`` found by ``loop`` (a widening search with the
    signature of :func:`widening_search`, rng ``default_rng(seed)``) and by the package's
    zoom-only :func:`dlcourse.search.coarse_to_fine` (seed ``seed``), both from [low, high]
    with ``rounds`` rounds of ``n_trials`` trials and the same ``top_k``."""
    space = {"lr": search.log_uniform(low, high)}

    def objective(params, seed):
        return cost(params["lr"])

    rows = []
    for s in seeds:
        tried, best = loop(cost, low, high, rounds, n_trials, np.random.default_rng(s), top_k, edge)
        zoomed = search.coarse_to_fine(objective, space, rounds, n_trials, top_k, seed=s)
        z = min((r.best for r in zoomed), key=lambda t: t["score"])
        rows.append((cost(best), best, z["score"], z["params"]["lr"]))
    w, wa, z, za = (np.array(col, dtype=float) for col in zip(*rows))
    return WidenVsZoom(tuple(seeds), w, wa, z, za)
