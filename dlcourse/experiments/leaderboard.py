r"""A random search whose trials arrive as they finish: the numerics of the live leaderboard.

:func:`stream_trials` draws exactly the points and per-trial seeds of
:func:`dlcourse.search.random_search` (same ``space``, ``n_trials`` and ``seed``), runs them
serially or on an executor (``concurrent.futures`` pools, or a Dask ``distributed.Client``:
anything with ``submit``), and yields each finished trial at once, in the order they finish.
Collected in a :class:`Leaderboard`, they give the same table as ``random_search``: the
order of arrival changes nothing but the order of arrival.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from .. import search

__all__ = ["Leaderboard", "stream_trials", "trial_points"]


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def trial_points(space: Mapping, n_trials: int, seed: int = 0) -> list[dict]:
    """The points ``random_search(objective, space, n_trials, seed)`` evaluates, in order."""
    rng = np.random.default_rng(seed)
    columns = {name: sampler.sample(rng, n_trials) for name, sampler in space.items()}
    return [{name: _plain(columns[name][i]) for name in space} for i in range(n_trials)]


def _record(i: int, params: dict, seed: int, out: dict, elapsed: float) -> dict:
    return {
        "trial": i,
        "params": params,
        "score": out["score"],
        **out["extra"],
        "seed": seed,
        "error": out["error"],
        "finished_after": elapsed,
    }


def _as_completed(futures: list):
    if all(isinstance(f, cf.Future) for f in futures):
        return cf.as_completed(futures)
    from distributed import as_completed  # a Dask client's futures

    return as_completed(futures)


def stream_trials(
    objective: Callable, space: Mapping, n_trials: int, seed: int = 0, executor=None
) -> Iterator[dict]:
    """Yield one trial record (``search.random_search``'s fields plus ``finished_after``,
    seconds since the start) per finished trial, as soon as it finishes."""
    if not callable(objective):
        raise TypeError(f"objective must be callable, got {objective!r}")
    if executor is not None and not hasattr(executor, "submit"):
        raise TypeError(
            f"executor must have a submit method (a concurrent.futures pool or a "
            f"Dask Client), got {type(executor).__name__}"
        )
    points = trial_points(space, n_trials, seed)
    seeds = [search.trial_seed(seed, i) for i in range(n_trials)]
    start = time.perf_counter()
    if executor is None:
        for i, (params, s) in enumerate(zip(points, seeds)):
            out = search.run_trial(objective, params, s)
            yield _record(i, params, s, out, time.perf_counter() - start)
        return
    futures = [
        executor.submit(search.run_trial, objective, params, s) for params, s in zip(points, seeds)
    ]
    index = {id(f): i for i, f in enumerate(futures)}
    for fut in _as_completed(futures):
        i = index[id(fut)]
        try:
            out = fut.result()
        except Exception as exc:  # the worker itself failed (pickling, a crashed process)
            out = {"score": math.inf, "extra": {}, "error": f"{type(exc).__name__}: {exc}"}
        yield _record(i, points[i], seeds[i], out, time.perf_counter() - start)


@dataclass
class Leaderboard:
    """The trials received so far, ranked by score (lower is better; failures last)."""

    n_trials: int
    trials: list = field(default_factory=list)

    def add(self, trial: dict) -> None:
        self.trials.append(trial)

    @property
    def done(self) -> int:
        return len(self.trials)

    def ranked(self) -> list[dict]:
        return sorted(
            self.trials, key=lambda t: (not np.isfinite(t["score"]), t["score"], t["trial"])
        )

    @property
    def best(self) -> dict | None:
        ranked = self.ranked()
        return ranked[0] if ranked and np.isfinite(ranked[0]["score"]) else None

    def best_so_far(self) -> np.ndarray:
        """The best score after each arrival, in arrival order."""
        scores = np.array([t["score"] for t in self.trials], dtype=float)
        return (
            np.minimum.accumulate(np.where(np.isfinite(scores), scores, np.inf))
            if scores.size
            else scores
        )

    def table(self) -> list[dict]:
        """The trials in trial order, without timing: comparable with ``SearchResult.trials``."""
        return [
            {k: v for k, v in t.items() if k != "finished_after"}
            for t in sorted(self.trials, key=lambda t: t["trial"])
        ]
