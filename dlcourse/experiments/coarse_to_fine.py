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
    "widen",
    "widening_coarse_to_fine",
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
