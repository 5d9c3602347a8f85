"""The optimizer race of notebook 08 and the OptimizerRace dashboard: a real
``dlcourse.optim`` optimizer drives a 2-D :class:`~dlcourse.Parameter` down a cost surface,

    w_0 = start;   for t = 1 .. T:   w.grad = dJ/dw (w_{t-1});   optimizer.step()  ->  w_t

and a racer whose w becomes NaN/inf, or flies further than :data:`DIVERGENCE_RADIUS` from
the origin, or whose cost J(w) overflows, has diverged.

Used by: notebook 08 (:func:`race`) and :class:`dlcourse.widgets.OptimizerRace`.
"""
from __future__ import annotations

import numpy as np

from .. import optim
from ..parameter import Parameter
from ..surfaces import Surface

__all__ = ["DIVERGENCE_RADIUS", "race"]

#: A racer further than this from the origin has diverged (any plotted window is < 10 wide).
DIVERGENCE_RADIUS = 1e6


def race(surface: Surface, optimizer: optim.Optimizer, param: Parameter,
         steps: int) -> tuple[np.ndarray, np.ndarray, int | None]:
    """Run ``optimizer`` on ``param`` (a 2-D Parameter at the start) for ``steps`` steps
    with the gradient of ``surface``.

    Returns (path (steps+1, 2), costs (steps+1,), diverged): ``path[t]`` = w_t and
    ``costs[t]`` = J(w_t); ``diverged`` is the first step whose point or cost is not finite
    or lies beyond :data:`DIVERGENCE_RADIUS` (that row and all later ones are NaN), or None.
    """
    path = np.full((steps + 1, 2), np.nan)
    path[0] = param.value
    diverged = None
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            param.grad = surface.grad(param.value)
            optimizer.step()
            w0, w1 = float(param.value[0]), float(param.value[1])
            if not (abs(w0) <= DIVERGENCE_RADIUS and abs(w1) <= DIVERGENCE_RADIUS):
                diverged = t                      # also catches NaN (comparisons are False)
                break
            path[t] = w0, w1
        costs = surface.value(path)
    bad = np.flatnonzero(~np.isfinite(costs[: steps + 1 if diverged is None else diverged]))
    if bad.size:
        diverged = int(bad[0])
    if diverged is not None:
        path[diverged:] = np.nan
        costs[diverged:] = np.nan
    return path, costs, diverged
