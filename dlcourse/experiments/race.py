"""The optimizer race of notebook 08 and the OptimizerRace dashboard: a real
``dlcourse.optim`` optimizer drives a 2-D :class:`~dlcourse.Parameter` down a cost surface,

    w_0 = start;   for t = 1 .. T:   w.grad = dJ/dw (w_{t-1});   optimizer.step()  ->  w_t

and a racer whose w becomes NaN/inf, or flies further than :data:`DIVERGENCE_RADIUS` from
the origin, or whose cost J(w) overflows, has diverged: the one rule of
:func:`dlcourse.descent.path`, which runs the steps.

Used by: notebook 08 (:func:`race`) and :class:`dlcourse.widgets.OptimizerRace`.
"""

from __future__ import annotations

import numpy as np

from .. import optim
from ..parameter import Parameter
from ..surfaces import Surface
from ..descent import RADIUS, path

__all__ = ["DIVERGENCE_RADIUS", "race"]

#: A racer further than this from the origin has diverged (any plotted window is < 10 wide).
DIVERGENCE_RADIUS = RADIUS


def race(
    surface: Surface, optimizer: optim.Optimizer, param: Parameter, steps: int
) -> tuple[np.ndarray, np.ndarray, int | None]:
    """Run ``optimizer`` on ``param`` (a 2-D Parameter at the start) for ``steps`` steps
    with the gradient of ``surface``.

    Returns (path (steps+1, 2), costs (steps+1,), diverged): ``path[t]`` = w_t and
    ``costs[t]`` = J(w_t); ``diverged`` is the first step whose point or cost is not finite
    or lies beyond :data:`DIVERGENCE_RADIUS` (that row and all later ones are NaN), or None.
    """
    run = path(
        surface, param.value.copy(), optimizer=optimizer, steps=steps, radius=DIVERGENCE_RADIUS
    )
    diverged = run.diverged_at
    good = len(run.ws) if diverged is None else diverged
    ws = np.full((steps + 1, 2), np.nan)
    ws[:good] = run.ws[:good]
    with np.errstate(all="ignore"):
        costs = surface.value(ws)  # all rows at once, as the plots read them
    costs[good:] = np.nan
    return ws, costs, diverged
