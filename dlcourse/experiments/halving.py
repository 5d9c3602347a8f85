r"""Successive halving (the multi-fidelity idea behind Hyperband), against random search at
the same budget: notebook 10.

A trial's *fidelity* is how long it trains. Successive halving draws ``n_trials`` random
points, trains each for ``rungs[0]`` epochs, keeps the best ``1/eta`` of them, trains those
again from scratch for ``rungs[1]`` epochs, and so on; the answer is the best trial of the
last rung. Its budget, counted in epochs, is

    budget = sum_r  n_r * rungs[r],      n_0 = n_trials,  n_{r+1} = max(1, n_r // eta).

Random search with the same budget trains ``budget // rungs[-1]`` random points for the full
``rungs[-1]`` epochs. A trial's seed does not depend on its rung, so a point kept for the
next rung starts from the same initial weights.

Used by: notebook 10 (:func:`halving_vs_random`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .. import search
from .leaderboard import trial_points

__all__ = ["HalvingVsRandom", "halving_vs_random", "successive_halving"]


def _scores(objective: Callable, points: list[dict], epochs: int, seed: int) -> np.ndarray:
    return np.array(
        [search.run_trial(objective, {**p, "epochs": epochs}, seed)["score"] for p in points]
    )


def successive_halving(
    objective: Callable,
    space: Mapping,
    n_trials: int,
    rungs: Sequence[int],
    eta: int = 3,
    seed: int = 0,
) -> tuple[float, int]:
    """(best score of the last rung, budget in epochs) of successive halving, as the module
    docstring says; ``objective(params, seed)`` reads the epochs from ``params["epochs"]``."""
    points, budget = trial_points(space, n_trials, seed), 0
    for r, epochs in enumerate(rungs):
        scores = _scores(objective, points, epochs, seed)
        budget += epochs * len(points)
        if r < len(rungs) - 1:
            keep = np.argsort(scores, kind="stable")[: max(1, len(points) // eta)]
            points = [points[i] for i in keep]
    return float(scores.min()), budget


@dataclass
class HalvingVsRandom:
    seeds: tuple
    budget: int  # epochs, the same for both methods
    halving_best: np.ndarray  # (seeds,)
    random_best: np.ndarray  # (seeds,)

    def halving_wins(self) -> float:
        """Fraction of seeds where successive halving's best beats random search's."""
        return float(np.mean(self.halving_best < self.random_best))


def halving_vs_random(
    objective: Callable,
    space: Mapping,
    n_trials: int = 27,
    rungs: Sequence[int] = (2, 6, 18),
    eta: int = 3,
    seeds: Sequence[int] = range(10),
) -> HalvingVsRandom:
    """Best score of successive halving and of random search with the same budget, per seed
    (random search draws its points with ``seed + 1000``, so the two never share points)."""
    halving, rand, budget = [], [], 0
    for s in seeds:
        best, budget = successive_halving(objective, space, n_trials, rungs, eta, s)
        halving.append(best)
        points = trial_points(space, budget // rungs[-1], s + 1000)
        rand.append(float(_scores(objective, points, rungs[-1], s).min()))
    return HalvingVsRandom(tuple(seeds), budget, np.array(halving), np.array(rand))
