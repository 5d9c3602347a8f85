"""Plots of optimization: paths on cost-surface contours, cost curves, EWA series, schedules.

Every ``plot_*`` function draws on the axes it is given and returns the artists it made (a
dict), so a dashboard can keep them and update them in place with the matching
``update_*`` function (``set_data`` on the same artists: no new artists, no new figure).

- :func:`plot_surface`: filled contours of J(w) with log-spaced levels, minima (white stars)
  and saddle points (white crosses) marked.
- :func:`plot_paths`: optimizer paths w_0, w_1, ..., w_T (one line each, a legend, the start
  marked, a dot at the end).
- :func:`plot_optimizer_paths`: both, with the axes fixed to the surface's window (paths
  that leave the window are clipped by the axes; their data is kept).
- :func:`plot_cost_curves`: J(w_t) - J* against the step t on a log scale.
- :func:`plot_ewa`: raw points theta_t, the average v_t and the bias-corrected v_t/(1-beta^t).
- :func:`plot_schedules`: learning rate against the epoch for one or several schedules.
- :func:`plot_search`: hyperparameter-search trials over the heat map of the objective.
"""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np
from matplotlib import colors as mcolors

from ..topics.ewa import bias_correct, ewa
from .limits import nice_limits, nice_log_limits, set_log_scale

__all__ = [
    "OPTIMIZER_COLORS",
    "OPTIMIZER_LABELS",
    "log_levels",
    "plot_surface",
    "plot_paths",
    "update_paths",
    "plot_optimizer_paths",
    "cost_gap",
    "plot_cost_curves",
    "update_cost_curves",
    "plot_ewa",
    "update_ewa",
    "schedule_curve",
    "plot_schedules",
    "update_schedules",
    "plot_search",
    "update_search",
]

#: A fixed colour per optimizer, so a method keeps its colour across plots and notebooks.
OPTIMIZER_COLORS = {
    "sgd": "#1f77b4",
    "momentum": "#ff7f0e",
    "nesterov": "#8c564b",
    "rmsprop": "#2ca02c",
    "adagrad": "#9467bd",
    "adam": "#d62728",
}
#: How each optimizer is named in legends.
OPTIMIZER_LABELS = {
    "sgd": "SGD",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "rmsprop": "RMSProp",
    "adagrad": "AdaGrad",
    "adam": "Adam",
}

#: Cost gaps below this are drawn at this value on log axes (an exact 0 has no logarithm).
GAP_FLOOR = 1e-12


def _color(name: str, index: int) -> str:
    return OPTIMIZER_COLORS.get(name, f"C{index % 10}")


def _label(name: str) -> str:
    return OPTIMIZER_LABELS.get(name, name)


# ---------------------------------------------------------------------------- surfaces


def log_levels(J: np.ndarray, num: int = 20, ratio: float | None = None) -> np.ndarray:
    """``num`` + 1 contour levels from min J to max J, log-spaced above the minimum.

        level_0 = J_min,   level_k = J_min + (J_max - J_min) * r^(1 - k/num),  k = 1 .. num

    so the levels crowd near the bottom of the bowl, where the interesting motion is.
    ``ratio`` r defaults to the 0.5% quantile of (J - J_min) / (J_max - J_min), kept within
    [1e-4, 0.1]: the innermost band then holds the lowest 0.5% of the window.
    """
    J = np.asarray(J, dtype=np.float64)
    finite = J[np.isfinite(J)]
    if finite.size == 0:
        raise ValueError("J has no finite value to draw contours of")
    lo, hi = float(finite.min()), float(finite.max())
    span = hi - lo if hi > lo else 1.0
    if ratio is None:
        ratio = float(np.clip(np.quantile(finite - lo, 0.005) / span, 1e-4, 0.1))
    if not 0 < ratio < 1:
        raise ValueError(f"ratio must be in (0, 1), got {ratio!r}")
    return np.concatenate([[lo], lo + span * np.geomspace(ratio, 1.0, num)])


def plot_surface(
    ax, surface, num: int = 121, levels: int = 20, cmap: str = "viridis", lines: bool = True
) -> dict:
    """Filled contours of ``surface`` (a :class:`dlcourse.surfaces.Surface`) over its window.

    Levels are log-spaced above the minimum (:func:`log_levels`); each band has its own
    colour. Returns ``{"contour", "lines" (None without lines), "minima", "saddles"}``.
    """
    W0, W1, J = surface.grid(num)
    lv = log_levels(J, levels)
    norm = mcolors.BoundaryNorm(lv, 256)
    filled = ax.contourf(W0, W1, J, levels=lv, cmap=cmap, norm=norm, zorder=0)
    outline = (
        ax.contour(W0, W1, J, levels=lv, colors="white", linewidths=0.4, alpha=0.35, zorder=1)
        if lines
        else None
    )
    minima = np.array(surface.minima).reshape(-1, 2)
    saddles = np.array(surface.saddle_points).reshape(-1, 2)
    (m,) = ax.plot(
        minima[:, 0],
        minima[:, 1],
        ls="none",
        marker="*",
        ms=13,
        mfc="white",
        mec="black",
        mew=0.8,
        zorder=5,
        label="_minima",
    )
    (s,) = ax.plot(
        saddles[:, 0],
        saddles[:, 1],
        ls="none",
        marker="X",
        ms=9,
        mfc="white",
        mec="black",
        mew=0.8,
        zorder=5,
        label="_saddles",
    )
    (x0, x1), (y0, y1) = surface.bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("$w_0$")
    ax.set_ylabel("$w_1$")
    return {"contour": filled, "lines": outline, "minima": m, "saddles": s}


def plot_paths(
    ax,
    paths: Mapping[str, np.ndarray],
    start=None,
    legend: bool = True,
    colors: Mapping[str, str] | None = None,
) -> dict:
    """One line per path (an array (T+1, 2) of points w_0 .. w_T), a dot at each path's
    last finite point, the start as a black circle and a legend.

    Returns ``{"paths": {name: Line2D}, "ends": {name: Line2D}, "start": Line2D,
    "legend": Legend or None}``. Names found in :data:`OPTIMIZER_LABELS` get its labels.
    """
    colors = dict(colors or {})
    lines, ends = {}, {}
    for i, (name, path) in enumerate(paths.items()):
        c = colors.get(name, _color(name, i))
        (lines[name],) = ax.plot([], [], "-", color=c, lw=1.8, label=_label(name), zorder=3)
        (ends[name],) = ax.plot(
            [], [], "o", color=c, ms=5, mec="black", mew=0.5, zorder=4, label="_end"
        )
    if start is None and paths:
        start = np.asarray(next(iter(paths.values())), dtype=np.float64)[0]
    (st,) = ax.plot([], [], "o", ms=8, mfc="white", mec="black", mew=1.5, zorder=6, label="_start")
    artists = {"paths": lines, "ends": ends, "start": st, "legend": None}
    update_paths(artists, paths, start)
    if legend and lines:
        artists["legend"] = ax.legend(loc="upper right", fontsize=8, framealpha=0.85)
    return artists


def _last_finite(path: np.ndarray) -> np.ndarray:
    ok = np.all(np.isfinite(path), axis=1)
    return path[np.flatnonzero(ok)[-1:]] if ok.any() else path[:0]


def update_paths(artists: dict, paths: Mapping[str, np.ndarray], start=None) -> None:
    """Put new points into the lines made by :func:`plot_paths` (same names or a subset;
    lines whose name is missing are hidden)."""
    for name, line in artists["paths"].items():
        visible = name in paths
        line.set_visible(visible)
        artists["ends"][name].set_visible(visible)
        if visible:
            path = np.asarray(paths[name], dtype=np.float64).reshape(-1, 2)
            line.set_data(path[:, 0], path[:, 1])
            end = _last_finite(path)
            artists["ends"][name].set_data(end[:, 0], end[:, 1])
    if start is not None:
        start = np.asarray(start, dtype=np.float64).reshape(2)
        artists["start"].set_data([start[0]], [start[1]])


def plot_optimizer_paths(
    ax,
    surface,
    paths: Mapping[str, np.ndarray],
    start=None,
    num: int = 121,
    levels: int = 20,
    legend: bool = True,
) -> dict:
    """Paths on the filled contours of ``surface``; the axes keep the surface's window, so a
    path that leaves it is clipped on screen while its line keeps all the data.

    Returns the union of :func:`plot_surface`'s and :func:`plot_paths`'s dicts.
    """
    artists = plot_surface(ax, surface, num=num, levels=levels)
    artists.update(
        plot_paths(ax, paths, start=surface.start if start is None else start, legend=legend)
    )
    (x0, x1), (y0, y1) = surface.bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_autoscale_on(False)
    return artists


# ---------------------------------------------------------------------------- cost curves


def cost_gap(costs, minimum: float = 0.0, floor: float = GAP_FLOOR) -> np.ndarray:
    """J(w_t) - J*, with gaps below ``floor`` raised to ``floor`` (NaN stays NaN)."""
    gap = np.asarray(costs, dtype=np.float64) - float(minimum)
    with np.errstate(invalid="ignore"):
        return np.where(gap < floor, floor, gap)


def plot_cost_curves(
    ax,
    costs: Mapping[str, np.ndarray],
    minimum: float = 0.0,
    colors: Mapping[str, str] | None = None,
    legend: bool = False,
) -> dict:
    """J(w_t) - J* against the step t = 0 .. T, one line per name, on a log y axis.

    ``minimum`` is J* (the value at the global minimum); gaps below 1e-12 are drawn at 1e-12.
    Returns ``{name: Line2D}`` (plus ``"legend"`` when asked).
    """
    colors = dict(colors or {})
    lines = {}
    for i, name in enumerate(costs):
        (lines[name],) = ax.plot(
            [], [], "-", color=colors.get(name, _color(name, i)), lw=1.6, label=_label(name)
        )
    set_log_scale(ax)
    ax.set_xlabel("step t")
    ax.set_ylabel("$J(w_t) - J^*$")
    update_cost_curves(lines, costs, minimum)
    if legend and lines:
        lines["legend"] = ax.legend(fontsize=8)
    return lines


def update_cost_curves(lines: dict, costs: Mapping[str, np.ndarray], minimum: float = 0.0) -> None:
    """New data for the lines of :func:`plot_cost_curves`; rescales the axes to fit."""
    ax = None
    for name, line in lines.items():
        if name == "legend":
            continue
        ax = line.axes
        line.set_visible(name in costs)
        if name in costs:
            y = cost_gap(costs[name], minimum)
            line.set_data(np.arange(len(y)), y)
    if ax is not None:
        _rescale(ax, [ln for k, ln in lines.items() if k != "legend" and ln.get_visible()])


def _rescale(ax, lines) -> None:
    """Axis limits that fit the finite data of the visible ``lines`` (log-aware)."""
    xs, ys = [], []
    for ln in lines:
        x, y = (np.asarray(a, dtype=np.float64) for a in ln.get_data())
        ok = np.isfinite(x) & np.isfinite(y)
        if ax.get_yscale() == "log":
            ok &= y > 0
        xs.append(x[ok])
        ys.append(y[ok])
    x = np.concatenate(xs) if xs else np.array([])
    y = np.concatenate(ys) if ys else np.array([])
    if x.size == 0:
        return
    ax.set_xlim(x.min(), max(x.max(), x.min() + 1))
    lo, hi = float(y.min()), float(y.max())
    # round limits (plots.limits): a slider move inside them redraws only the curves
    ax.set_ylim(
        nice_log_limits(lo, hi, factor=2.0 if hi > lo else 10.0)
        if ax.get_yscale() == "log"
        else nice_limits(lo, hi)
    )


# ---------------------------------------------------------------------------- EWA


def plot_ewa(
    ax,
    values,
    beta: float,
    t=None,
    corrected: bool = True,
    uncorrected: bool = True,
    legend: bool = True,
) -> dict:
    """Raw points theta_t (grey dots), the average v_t (dashed) and the bias-corrected
    average v_t / (1 - beta^t) (solid), computed with :mod:`dlcourse.topics.ewa`.

    ``t`` is the time axis (default 1 .. T). Returns ``{"raw", "ewa", "corrected"}``
    (Line2D each; a curve not asked for is created hidden so it can be shown later) and
    ``"legend"`` (listing all three curves, so it never needs rebuilding; None if not asked).
    """
    (raw,) = ax.plot([], [], "o", color="0.45", ms=3, alpha=0.6, label=r"$\theta_t$")
    (plain,) = ax.plot([], [], "--", color="#d62728", lw=1.8, label=r"$v_t$ (EWA)")
    (corr,) = ax.plot(
        [], [], "-", color="#2ca02c", lw=2.0, label=r"$v_t / (1-\beta^t)$ (bias-corrected)"
    )
    ax.set_xlabel("t")
    artists = {"raw": raw, "ewa": plain, "corrected": corr}
    update_ewa(artists, values, beta, t, corrected=corrected, uncorrected=uncorrected)
    artists["legend"] = (
        ax.legend(handles=[raw, plain, corr], loc="upper left", fontsize=8) if legend else None
    )
    return artists


def update_ewa(
    artists: dict, values, beta: float, t=None, corrected: bool = True, uncorrected: bool = True
) -> dict:
    """Recompute the averages of ``values`` with ``beta`` into the lines of :func:`plot_ewa`.

    Returns ``{"v": v_t, "v_corrected": v_t / (1 - beta^t)}`` as arrays.
    """
    theta = np.asarray(values, dtype=np.float64)
    t = np.arange(1, len(theta) + 1) if t is None else np.asarray(t)
    v = ewa(theta, beta)
    vc = bias_correct(v, beta)
    artists["raw"].set_data(t, theta)
    artists["ewa"].set_data(t, v)
    artists["corrected"].set_data(t, vc)
    artists["ewa"].set_visible(uncorrected)
    artists["corrected"].set_visible(corrected)
    curves = [artists[k] for k in ("raw", "ewa", "corrected") if artists[k].get_visible()]
    _rescale(artists["raw"].axes, curves)
    return {"v": v, "v_corrected": vc}


# ---------------------------------------------------------------------------- schedules


def schedule_curve(schedule: Callable[[int], float], epochs: int) -> np.ndarray:
    """[schedule(0), schedule(1), ..., schedule(epochs - 1)] as an array."""
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be an int >= 1, got {epochs!r}")
    return np.array([schedule(e) for e in range(int(epochs))], dtype=np.float64)


def _as_named(schedules) -> dict:
    if callable(schedules):
        return {getattr(schedules, "name", "schedule"): schedules}
    return dict(schedules)


def plot_schedules(
    ax,
    schedules,
    epochs: int,
    log: bool = False,
    styles: Mapping[str, dict] | None = None,
    legend: bool = True,
) -> dict:
    """Learning rate alpha against the epoch for one schedule or a dict {label: schedule}.

    A schedule is any callable ``epoch -> lr`` (e.g. from :mod:`dlcourse.optim.schedules`);
    the lr holds during an epoch, so the curves are drawn as steps. ``styles`` gives extra
    line properties per label. Returns ``{label: Line2D}`` (plus ``"legend"``).
    """
    named = _as_named(schedules)
    styles = dict(styles or {})
    lines = {}
    for i, (label, sched) in enumerate(named.items()):
        kw = {"color": f"C{i % 10}", "lw": 1.8, **styles.get(label, {})}
        (lines[label],) = ax.plot([], [], drawstyle="steps-post", label=label, **kw)
    ax.set_xlabel("epoch")
    ax.set_ylabel(r"learning rate $\alpha$")
    if log:
        set_log_scale(ax)
    update_schedules(lines, named, epochs)
    if legend and len(lines) > 1:
        lines["legend"] = ax.legend(fontsize=8)
    return lines


def update_schedules(lines: dict, schedules, epochs: int) -> dict:
    """Recompute the curves of :func:`plot_schedules`; returns ``{label: lr array}``."""
    named = _as_named(schedules)
    curves = {}
    for label, line in lines.items():
        if label == "legend":
            continue
        line.set_visible(label in named)
        if label in named:
            curves[label] = schedule_curve(named[label], epochs)
            line.set_data(np.arange(epochs), curves[label])
    visible = [ln for k, ln in lines.items() if k != "legend" and ln.get_visible()]
    if visible:
        _rescale(visible[0].axes, visible)
    return curves


# ---------------------------------------------------------------------------- search


def plot_search(
    ax,
    a_values: np.ndarray,
    b_values: np.ndarray,
    F: np.ndarray,
    trials: np.ndarray,
    best=None,
    cmap: str = "magma_r",
    vmin: float | None = None,
    vmax: float | None = None,
) -> dict:
    """Trials of a hyperparameter search over the heat map of the objective.

    ``F[j, i]`` is the objective at (a_values[i], b_values[j]) (rows: b, columns: a, as
    ``np.meshgrid`` makes them); ``trials`` is an array (n, 2) of tried (a, b); ``best`` the
    best trial (2,). Returns ``{"image", "trials", "best"}``.
    """
    a_values, b_values = np.asarray(a_values), np.asarray(b_values)
    extent = (a_values[0], a_values[-1], b_values[0], b_values[-1])
    image = ax.imshow(
        F,
        origin="lower",
        extent=extent,
        aspect="auto",
        cmap=cmap,
        vmin=vmin,
        vmax=vmax,
        interpolation="bilinear",
        zorder=0,
    )
    # not clipped: grid searches put trials on the edges of the window
    tr = ax.scatter(
        [],
        [],
        s=22,
        c="white",
        edgecolors="black",
        linewidths=0.7,
        zorder=3,
        label="trials",
        clip_on=False,
    )
    (bs,) = ax.plot(
        [],
        [],
        "*",
        ms=16,
        mfc="gold",
        mec="black",
        mew=0.9,
        zorder=4,
        label="best found",
        clip_on=False,
    )
    artists = {"image": image, "trials": tr, "best": bs}
    update_search(artists, trials, best)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    return artists


def update_search(
    artists: dict, trials: np.ndarray, best=None, F: np.ndarray | None = None
) -> None:
    """New trials (and optionally a new objective image) for :func:`plot_search`'s artists."""
    trials = np.asarray(trials, dtype=np.float64).reshape(-1, 2)
    artists["trials"].set_offsets(trials)
    if best is None:
        artists["best"].set_data([], [])
    else:
        best = np.asarray(best, dtype=np.float64).reshape(2)
        artists["best"].set_data([best[0]], [best[1]])
    if F is not None:
        artists["image"].set_data(F)
