"""Plots of training: cost curves, decision boundaries, per-layer histograms, confusion matrix.

Every function draws on axes it is given and returns a small dataclass holding the artists
it made, with an ``update(...)`` method that changes their data in place (``set_data``,
``set_offsets``), so a dashboard builds its figure once and only moves data afterwards.

Conventions of the course: ``X (m, 2)`` examples in rows, integer labels ``y (m,)``; a
network's output is turned into class probabilities by
:func:`dlcourse.metrics.class_probabilities`:

    output (m,) or (m, 1)  ->  p = sigmoid(z),  P = [1 - p, p]       (binary, C = 2)
    output (m, C), C >= 2  ->  P = softmax(z)                          (C classes)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.text import Annotation

from ..metrics import check_extent, confusion_counts, finite_std, grid_probabilities
from .limits import nice_ceil, nice_limits, nice_log_limits, set_log_scale, widened

__all__ = [
    "CLASS_COLORS",
    "CostCurves",
    "cost_curves",
    "probability_image",
    "data_extent",
    "DecisionBoundary",
    "decision_boundary",
    "LayerHistograms",
    "activation_histograms",
    "readout",
    "StdByLayer",
    "std_by_layer",
    "ConfusionMatrix",
    "confusion_matrix",
]

#: One colour per class (blue and orange first, as in the TensorFlow Playground).
CLASS_COLORS: tuple[str, ...] = (
    "#0877bd",
    "#f59322",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
_FADED = "#9a9a9a"


# ======================================================================== cost curves
def _curves_of(run: Any) -> dict[str, np.ndarray]:
    """{"loss", "val_loss", "step_loss"} arrays of one run: a History, a mapping with a
    "loss" key, or a plain sequence of training costs."""
    if hasattr(run, "loss") and not isinstance(run, np.ndarray):
        get = lambda key: getattr(run, key, [])  # noqa: E731
    elif isinstance(run, Mapping):
        if "loss" not in run and "step_loss" not in run:
            raise ValueError(f"a run given as a dict needs a 'loss' key, got keys {sorted(run)}")
        get = lambda key: run.get(key, [])  # noqa: E731
    else:
        arr = np.asarray(run, dtype=float)
        if arr.ndim != 1:
            raise ValueError(
                f"a run given as an array must be 1-D (one cost per epoch), got shape {arr.shape}"
            )
        return {"loss": arr, "val_loss": np.empty(0), "step_loss": arr}
    out = {}
    for key in ("loss", "val_loss", "step_loss"):
        value = get(key)
        out[key] = np.asarray([] if value is None else value, dtype=float).reshape(-1)
    return out


def _is_single_run(runs: Any) -> bool:
    if hasattr(runs, "loss") or isinstance(runs, np.ndarray):
        return True
    if isinstance(runs, Mapping):
        return "loss" in runs or "step_loss" in runs
    if isinstance(runs, (list, tuple)):
        return len(runs) == 0 or np.isscalar(runs[0])
    return True


def _named_runs(runs: Any) -> dict[str, dict[str, np.ndarray]]:
    """Normalise one run or several (a mapping name -> run, or a list) to name -> curves;
    a single run gets the name ""."""
    if runs is None:
        return {}
    if _is_single_run(runs):
        return {"": _curves_of(runs)}
    if isinstance(runs, Mapping):
        return {str(name): _curves_of(run) for name, run in runs.items()}
    return {f"run {i}": _curves_of(run) for i, run in enumerate(runs)}


def _plottable(values: np.ndarray, log_y: bool) -> np.ndarray:
    """NaN where a value cannot be drawn (inf after divergence; <= 0 on a log axis)."""
    values = np.array(values, dtype=float)
    bad = ~np.isfinite(values)
    if log_y:
        bad |= values <= 0
    values[bad] = np.nan
    return values


@dataclass
class CostCurves:
    """Artists of :func:`cost_curves`: a training and a validation line per run (keyed by
    run name, "" for a single run) and the faded lines of a previous run.

    ``length``: the length a run being drawn as it grows will reach (:func:`cost_curves`
    sets it to the length of the runs it is given); the x axis ends there, at the data's
    end, or when the data is longer at a round number above it (:mod:`.limits`, so that it
    moves rarely while a run of unknown length grows). ``hold``: the limits only widen
    (the axes keep their place while a run streams, so its frames need no redraw of the
    axes); set it back to False for the final picture, whose limits are then those of the
    data alone."""

    ax: Axes
    train: dict[str, Any]
    val: dict[str, Any]
    previous_train: Any
    previous_val: Any
    log_y: bool = False
    per_step: bool = False
    legend: bool = True
    length: int = 0
    hold: bool = False
    _legend_key: tuple = field(default=(), repr=False)
    _last: tuple = field(default=(None, None), repr=False)

    @property
    def moving(self) -> list:
        """The artists an update changes: every line."""
        return [*self.train.values(), *self.val.values(), self.previous_train, self.previous_val]

    def update(self, runs: Any, previous: Any = None) -> None:
        """Put new data into the existing lines (same run names as when created)."""
        self._last = (runs, previous)
        named = _named_runs(runs)
        unknown = sorted(set(named) - set(self.train))
        if unknown:
            raise ValueError(
                f"runs {unknown} were not in the plot when it was made; known: {sorted(self.train)}"
            )
        for name in self.train:
            curves = named.get(
                name, {"loss": np.empty(0), "val_loss": np.empty(0), "step_loss": np.empty(0)}
            )
            self._set(self.train[name], curves["step_loss" if self.per_step else "loss"])
            if name in self.val:
                self._set(self.val[name], np.empty(0) if self.per_step else curves["val_loss"])
        prev = _curves_of(previous) if previous is not None else None
        self._set(
            self.previous_train,
            np.empty(0) if prev is None else prev["step_loss" if self.per_step else "loss"],
        )
        self._set(
            self.previous_val, np.empty(0) if prev is None or self.per_step else prev["val_loss"]
        )
        self._rescale()
        self._refresh_legend()

    def set_log_y(self, log_y: bool) -> None:
        """Switch the cost axis between log and linear scale, keeping the data."""
        self.log_y = bool(log_y)
        if self.log_y:
            set_log_scale(self.ax)
        else:
            self.ax.set_yscale("linear")
        self.update(*self._last)

    def _set(self, line, values: np.ndarray) -> None:
        values = _plottable(values, self.log_y)
        line.set_data(np.arange(1, len(values) + 1), values)

    def _rescale(self) -> None:
        ax = self.ax
        lines = [*self.train.values(), *self.val.values(), self.previous_train, self.previous_val]
        ys = np.concatenate([np.asarray(line.get_ydata(), float) for line in lines])
        ys = ys[np.isfinite(ys)]
        n = max(len(line.get_xdata()) for line in lines)
        x = (0.0, _epoch_axis_end(n, self.length))
        if ys.size == 0:
            y = (0.1, 1.0) if self.log_y else (0.0, 1.0)
        else:
            lo, hi = float(ys.min()), float(ys.max())
            y = nice_log_limits(lo, hi) if self.log_y else nice_limits(lo, hi, from_zero=True)
        if self.hold:
            x, y = widened(ax.get_xlim(), x), widened(ax.get_ylim(), y)
        ax.set_xlim(x)
        ax.set_ylim(y)

    def _refresh_legend(self) -> None:
        if not self.legend:
            return
        shown = [
            line
            for line in [
                *self.train.values(),
                *self.val.values(),
                self.previous_train,
                self.previous_val,
            ]
            if len(line.get_xdata()) and not line.get_label().startswith("_")
        ]
        key = tuple(id(line) for line in shown)
        if key == self._legend_key:
            return
        self._legend_key = key
        if shown:
            self.ax.legend(handles=shown, loc="upper right", fontsize=8, frameon=False)
        elif self.ax.get_legend() is not None:
            self.ax.get_legend().remove()


def _epoch_axis_end(n: int, length: int) -> float:
    """Where an x axis of epochs 1..n ends: at ``length`` (the run's known length) while n
    does not pass it, a half epoch beyond the last of fewer than 10, else on the round
    grid of :mod:`.limits` (it stays put while a run of unknown length grows)."""
    if 0 < n <= length:
        return float(length) + (0.5 if length < 10 else 0.0)
    return max(n, 1) + 0.5 if n < 10 else nice_ceil(n * 1.02)


def cost_curves(
    ax: Axes,
    runs: Any = None,
    *,
    previous: Any = None,
    log_y: bool = False,
    per_step: bool = False,
    colors: Sequence[str] | None = None,
    xlabel: str | None = None,
    ylabel: str = "cost J",
    legend: bool = True,
) -> CostCurves:
    """Training and validation cost against epoch (or against step with ``per_step``).

    ``runs`` is one run — a ``dl.History``, a dict with "loss" (and optionally "val_loss")
    or a 1-D sequence of costs — or several runs as a mapping name -> run (or a list),
    overlaid in one colour each (training solid, validation dashed). ``previous`` is a run
    drawn faded behind, to compare with the last setting. ``log_y`` uses a log cost axis
    (non-positive values are left out). Non-finite costs (a diverged run) leave a gap.
    ``legend=False`` draws no legend. Returns a :class:`CostCurves` whose ``update(runs, previous)`` redraws in place.
    """
    named = _named_runs(runs) or {"": _curves_of([])}
    colors = list(colors) if colors is not None else None
    train, val = {}, {}
    (prev_train,) = ax.plot([], [], color=_FADED, lw=1.4, alpha=0.6, label="previous run", zorder=1)
    (prev_val,) = ax.plot(
        [], [], color=_FADED, lw=1.4, alpha=0.6, ls="--", label="previous validation", zorder=1
    )
    for i, name in enumerate(named):
        single = name == ""
        train_color = colors[i % len(colors)] if colors else ("C0" if single else f"C{i % 10}")
        val_color = (colors[i % len(colors)] if colors else "C1") if single else train_color
        (train[name],) = ax.plot(
            [], [], color=train_color, lw=1.8, zorder=3, label="training" if single else f"{name}"
        )
        (val[name],) = ax.plot(
            [],
            [],
            color=val_color,
            lw=1.8,
            zorder=3,
            ls="-" if single else "--",
            label="validation" if single else f"_{name} validation",
        )
    if len(named) > 1:
        ylabel = f"{ylabel} (dashed: validation)"
    if log_y:
        set_log_scale(ax)
    ax.set_xlabel(xlabel or ("step (mini-batch)" if per_step else "epoch"))
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    artists = CostCurves(
        ax, train, val, prev_train, prev_val, log_y=log_y, per_step=per_step, legend=legend
    )
    artists.update(named if "" not in named else named[""], previous)
    artists.length = max(len(line.get_xdata()) for line in artists.moving)
    artists._rescale()  # the x axis ends where these runs end
    return artists


# ======================================================================== decision boundary
def data_extent(X: np.ndarray, padding: float = 0.5) -> tuple[float, float, float, float]:
    """(x_min, x_max, y_min, y_max) of the points plus ``padding`` on each side."""
    X = np.asarray(X, dtype=float)
    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def probability_image(
    probs: np.ndarray, colors: Sequence[str] = CLASS_COLORS, strength: float = 0.75
) -> np.ndarray:
    """An RGB image (ny, nx, 3) of class probabilities P (ny, nx, C): the colours mixed
    by P, faded to white where the model is unsure,

        rgb = (1 - s c) * white + s c * sum_k P_k colour_k,   c = (max_k P_k - 1/C) / (1 - 1/C),

    so confident regions take their class colour and the decision boundary is white."""
    probs = np.asarray(probs, dtype=float)
    C = probs.shape[-1]
    if C > len(colors):
        raise ValueError(f"{C} classes but only {len(colors)} colours")
    palette = np.array([to_rgb(c) for c in colors[:C]])
    mix = probs @ palette
    confidence = (probs.max(axis=-1, keepdims=True) - 1.0 / C) / (1.0 - 1.0 / C)
    weight = strength * np.clip(confidence, 0.0, 1.0)
    return np.clip((1.0 - weight) + weight * mix, 0.0, 1.0)


@dataclass
class DecisionBoundary:
    """Artists of :func:`decision_boundary`: the probability ``image`` (an AxesImage), the
    training ``points`` and optional ``val_points`` (PathCollections), and the last grid
    (``xs``, ``ys``, ``probs`` of shape (ny, nx, C))."""

    ax: Axes
    image: Any
    points: Any
    val_points: Any
    extent: tuple[float, float, float, float]
    resolution: int
    colors: Sequence[str]
    xs: np.ndarray = None
    ys: np.ndarray = None
    probs: np.ndarray = None

    @property
    def moving(self) -> list:
        """The artists an update changes: the image and the points."""
        return [a for a in (self.image, self.points, self.val_points) if a is not None]

    def update(
        self,
        model: Any = None,
        X: np.ndarray | None = None,
        y: np.ndarray | None = None,
        X_val: np.ndarray | None = None,
        y_val: np.ndarray | None = None,
        extent: Sequence[float] | None = None,
    ) -> None:
        """Recompute the grid with ``model`` (if given) and move the points (if given)."""
        if extent is not None:
            self.extent = check_extent(extent)
            self.image.set_extent(self.extent)
            self.ax.set_xlim(*self.extent[:2])
            self.ax.set_ylim(*self.extent[2:])
        if X is not None:
            _set_points(self.points, X, y, self.colors)
        if X_val is not None and self.val_points is not None:
            _set_points(self.val_points, X_val, y_val, self.colors)
        if model is not None:
            self.xs, self.ys, self.probs = grid_probabilities(model, self.extent, self.resolution)
            self.image.set_data(probability_image(self.probs, self.colors))
        elif extent is not None:
            self.xs, self.ys, self.probs = None, None, None
            self.image.set_data(np.ones((self.resolution, self.resolution, 3)))


def _labels_of(X: np.ndarray, y: np.ndarray, name: str = "y") -> np.ndarray:
    y = np.asarray(y)
    if y.shape != (len(X),):
        raise ValueError(f"{name} must have shape ({len(X)},) to match X, got {y.shape}")
    if y.size and (not np.issubdtype(y.dtype, np.integer) and not np.all(y == np.round(y))):
        raise ValueError(f"{name} must hold integer class labels, got dtype {y.dtype}")
    return y.astype(np.int64)


def _set_points(points, X, y, colors) -> None:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (m, 2), got {X.shape}")
    y = _labels_of(X, y)
    if y.size and (y.min() < 0 or y.max() >= len(colors)):
        raise ValueError(
            f"labels must be in 0..{len(colors) - 1}, got values in [{y.min()}, {y.max()}]"
        )
    points.set_offsets(X)
    points.set_facecolor([colors[k] for k in y] if y.size else "none")


def decision_boundary(
    ax: Axes,
    model: Any,
    X: np.ndarray,
    y: np.ndarray,
    *,
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    extent: Sequence[float] | None = None,
    padding: float = 0.5,
    resolution: int = 100,
    colors: Sequence[str] = CLASS_COLORS,
    strength: float = 0.75,
) -> DecisionBoundary:
    """The classes a model predicts over the plane, with the data on top.

    The model runs at test time (``model.forward(G, training=False)``: dropout off, batch
    norm on its running averages) on a grid G of ``resolution``² points covering
    ``extent`` (default: the data plus ``padding``). Its output becomes probabilities by
    :func:`dlcourse.metrics.class_probabilities` (binary or C classes) and the image by
    :func:`probability_image`. Training points are filled circles coloured by class;
    validation points (``X_val``, ``y_val``) are drawn as triangles. Returns a
    :class:`DecisionBoundary` whose ``update(model, X, y, ...)`` redraws in place.
    ``model=None`` leaves the background white (nothing trained yet).
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (m, 2) (two features to plot), got {X.shape}")
    if extent is None and len(X) == 0:
        raise ValueError("X is empty: pass extent=(x_min, x_max, y_min, y_max) to plot no points")
    ext = (
        check_extent(extent)
        if extent is not None
        else data_extent(
            X if X_val is None else np.vstack([X, np.asarray(X_val, dtype=float)]), padding
        )
    )
    image = ax.imshow(
        np.ones((2, 2, 3)),
        origin="lower",
        extent=ext,
        aspect="auto",
        interpolation="bilinear",
        zorder=0,
    )
    points = ax.scatter([], [], s=16, edgecolors="white", linewidths=0.5, zorder=3)
    val_points = None
    if X_val is not None:
        val_points = ax.scatter(
            [], [], s=22, marker="^", edgecolors="black", linewidths=0.5, zorder=3
        )
    ax.set_xlim(*ext[:2])
    ax.set_ylim(*ext[2:])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    artists = DecisionBoundary(ax, image, points, val_points, ext, resolution, tuple(colors))
    artists.image.set_data(np.ones((resolution, resolution, 3)))
    artists.update(model, X, y, X_val, y_val)
    return artists


# ======================================================================== histograms
def _finite(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=float).ravel()
    finite = np.isfinite(a)
    return a if finite.all() else a[finite]


def _upper_quantile(values: np.ndarray, q: float) -> float:
    """``np.quantile(values, q)`` (linear interpolation) of a non-empty 1-d array: a
    partition around the lower order statistic it needs, the next one being the smallest
    value above it (for q near 1 a few values): about 6x faster than ``np.quantile``."""
    k = q * (values.size - 1)
    lo = int(np.floor(k))
    part = np.partition(values, lo)  # one order statistic: 4x faster than two
    above = float(part[lo + 1 :].min()) if lo + 1 < values.size else float(part[lo])
    return float(part[lo] + (above - part[lo]) * (k - lo))


def _uniform_counts(values: np.ndarray, lo: float, hi: float, bins: int) -> np.ndarray:
    """``np.histogram(values, bins=np.linspace(lo, hi, bins + 1))[0]`` for ``values`` within
    [lo, hi] (lo < hi): each value's bin from its offset in bin widths; where that offset is
    within 1e-6 of a whole number (rounding could put it on the wrong side of an edge), the
    value is compared with the edges themselves, as numpy does for equal bins. Given the
    edges as an array, numpy sorts the values instead (5x slower)."""
    offset = (values - lo) * (bins / (hi - lo))
    index = offset.astype(np.intp)
    np.clip(index, 0, bins - 1, out=index)
    fraction = offset - index  # np.rint would cost 10x more
    near = np.flatnonzero((fraction < 1e-6) | (fraction > 1 - 1e-6))
    if near.size:
        edges = np.linspace(lo, hi, bins + 1)
        v, k = values[near], index[near]
        k -= v < edges[k]
        k += (v >= edges[k + 1]) & (k != bins - 1)
        index[near] = k
    return np.bincount(index, minlength=bins)


def _shared_range(finite: Sequence[np.ndarray]) -> tuple[float, float]:
    """A range with a 5% margin: (-r, r) when some value is negative, (0, r) otherwise
    (ReLU, sigmoid), with r the largest 99.9th percentile of |value| over the layers (a
    few outliers go to the end bins); (-1, 1) when all values are 0. ``finite``: the
    finite values of each layer, flat."""
    finite = [f for f in finite if f.size]
    r = max((_upper_quantile(np.abs(f), 0.999) for f in finite), default=0.0)
    if r == 0:
        r = max((float(np.abs(f).max()) for f in finite), default=0.0)
    if r == 0:
        return -1.0, 1.0
    negative = any(float(f.min()) < 0 for f in finite)
    r = nice_ceil(1.05 * r)  # round: a slider move inside it redraws only the bars
    return (-r if negative else -0.05 * r), r


@dataclass
class LayerHistograms:
    """Artists of :func:`activation_histograms`: one ``StepPatch`` per layer (``patches``),
    one ``Text`` with the layer's standard deviation per layer (``texts``; in ridge mode the
    number alone, under a static "std" heading), and the last ``counts`` (fractions of
    entries per bin), ``edges`` (in values, also on a relative axis) and ``stds``. On a
    relative axis, ``tick_texts`` are the values at its ends (-r and r, or r alone)."""

    axes: list
    patches: list
    texts: list
    ridge: bool
    bins: int
    value_range: Any
    label: str
    counts: list = field(default_factory=list)
    edges: np.ndarray = None
    stds: np.ndarray = None
    tick_texts: list = field(default_factory=list)  #: a relative axis's end values

    @property
    def moving(self) -> list:
        """The artists an update changes: the histograms, their std texts, the end values
        of a relative axis."""
        return [*self.patches, *self.texts, *self.tick_texts]

    def update(self, arrays: Sequence[np.ndarray], stds: Sequence[float] | None = None) -> None:
        """Histogram new arrays (at most as many layers as when the plot was made);
        ``stds``: their :func:`dlcourse.metrics.finite_std` when the caller has them."""
        arrays = [np.asarray(a) for a in arrays]
        if stds is not None and len(stds) != len(arrays):
            raise ValueError(f"{len(arrays)} arrays but {len(stds)} stds")
        if len(arrays) > len(self.patches):
            raise ValueError(
                f"{len(arrays)} layers given but the plot was made for at most "
                f"{len(self.patches)}; pass max_layers= when creating it"
            )
        finite = [_finite(a) for a in arrays]
        lo, hi = (
            _shared_range(finite)
            if self.value_range in (None, "shared")
            else _check_range(self.value_range)
        )
        self.edges = np.linspace(lo, hi, self.bins + 1)
        self.counts = []
        for a, f in zip(arrays, finite):
            c = _uniform_counts(np.clip(f, lo, hi), lo, hi, self.bins)
            self.counts.append(c / max(a.size, 1))
        self.stds = np.array([finite_std(a) for a in arrays] if stds is None else stds, dtype=float)
        (self._draw_ridges if self.ridge else self._draw_panels)(len(arrays))

    def _draw_panels(self, n: int) -> None:
        for i, (ax, patch, text) in enumerate(zip(self.axes, self.patches, self.texts)):
            ax.set_visible(i < n)
            if i >= n:
                continue
            patch.set_data(self.counts[i], self.edges, 0.0)
            text.set_text(f"layer {i + 1}\nstd {self.stds[i]:.3g}")
            ax.set_xlim(self.edges[0], self.edges[-1])
            ax.set_ylim(0, nice_ceil(max(float(self.counts[i].max()), 1e-12) * 1.1))

    def _draw_ridges(self, n: int) -> None:
        ax = self.axes[0]
        unit = float(self.edges[-1]) if self.tick_texts else 1.0  # r > 0
        for i, (patch, text) in enumerate(zip(self.patches, self.texts)):
            visible = i < n
            patch.set_visible(visible)
            text.set_visible(visible)
            if not visible:
                continue
            base = float(n - 1 - i)  # layer 1 on top
            height = _ridge_heights(self.counts[i])
            patch.set_data(base + height, self.edges / unit, base)
            text.set_position((1.02, base + 0.1))
            text.set_text(readout(self.stds[i]))
        ax.set_xlim(self.edges[0] / unit, self.edges[-1] / unit)
        if self.tick_texts:
            symmetric = self.edges[0] < -0.5 * unit  # from -r (else from -0.05 r)
            self.tick_texts[0].set_text(f"−{readout(unit)}" if symmetric else "")
            self.tick_texts[-1].set_text(readout(unit))
        ax.set_ylim(-0.1, n)
        if getattr(self, "_ticks_for", None) != n:  # new tick objects only when L changes
            ax.set_yticks(np.arange(n) + 0.0, [str(n - k) for k in range(n)])
            self._ticks_for = n


_READOUT = {"fontsize": 8, "color": "0.25"}  # the std column beside the ridges


def readout(value: float) -> str:
    """A number in at most 7 characters (8 below 0), with a typographic minus: 3
    significant digits from 0.001 to 999 (0.625, 0.00188, 12.5), else a mantissa and a
    power of ten (1.88e−5, 3e7); "0", "inf", "nan" as they are."""
    v = float(value)
    if v == 0 or not np.isfinite(v) or 1e-3 <= abs(v) < 999.5:
        text = f"{v:.3g}"
    else:
        mantissa, power = f"{v:.2e}".split("e")
        text = f"{float(mantissa):g}e{int(power)}"
    return text.replace("-", "−")


def _relative_ticks(ax: Axes) -> list:
    """A relative x axis (from -1 or -0.05 to 1, in units of r): ticks at the halves, its
    own tick labels off, a static "0" and two moving texts where the end labels go, to read
    -r and r in values (labels that follow r, so the ticks themselves never change)."""
    ax.set_xticks([-1.0, -0.5, 0.0, 0.5, 1.0])
    ax.tick_params(axis="x", labelbottom=False)
    _tick_label(ax, 0.0, "0")
    return [_tick_label(ax, x, "") for x in (-1.0, 1.0)]


def _tick_label(ax: Axes, x: float, text: str) -> Annotation:
    """A text where matplotlib puts the label of the x tick at ``x``, in its size."""
    return ax.annotate(
        text,
        (x, 0.0),
        xycoords=ax.get_xaxis_transform(),
        xytext=(0, -ax.xaxis.get_tick_padding()),
        textcoords="offset points",
        ha="center",
        va="top",
        fontsize=rcParams["xtick.labelsize"],
    )


def _ridge_heights(counts: np.ndarray) -> np.ndarray:
    """Bar heights of one ridge in [0, 0.95]: scaled to the second-highest bin (at least
    5% of the highest), so a single spike (the zeros of a ReLU) is cut at the top instead
    of flattening the rest of the histogram."""
    top = np.sort(counts)[::-1]
    if top.size == 0 or top[0] <= 0:
        return np.zeros_like(counts, dtype=float)
    ref = max(float(top[1]) if top.size > 1 else 0.0, 0.05 * float(top[0]))
    return np.minimum(counts / ref * 0.85, 0.95)


def _check_range(value_range) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in value_range)
    except (TypeError, ValueError):
        raise ValueError(
            f"value_range must be None, 'shared' or (lo, hi), got {value_range!r}"
        ) from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"value_range must be (lo, hi) with lo < hi, got {value_range!r}")
    return lo, hi


def activation_histograms(
    axes: Axes | Sequence[Axes],
    arrays: Sequence[np.ndarray],
    *,
    bins: int = 40,
    value_range: Any = None,
    max_layers: int | None = None,
    color: str = "C0",
    label: str = "activations $A^{[l]}$",
    ylabel: str = "layer",
    relative: bool = False,
) -> LayerHistograms:
    """Histograms of per-layer values (activations A^[l], or gradients dA^[l]) and their std.

    Given a sequence of axes, layer l is drawn in ``axes[l]`` (spare axes are hidden).
    Given ONE Axes, the layers are stacked as ridges in it, layer 1 on top, each ridge
    scaled to its own second-highest bin (a lone spike is cut at the top). Bars are the
    fraction of entries per bin over a range shared by all layers (``value_range=None``:
    symmetric around 0, or from just below 0 for values >= 0, up to 1.05 x the largest
    99.9th percentile of |value| rounded up onto :data:`dlcourse.plots.limits.GRID`, so
    that the bins move rarely), so a layer whose values collapse towards 0
    shows as a spike; values outside the range go to the end bins. Each layer is labelled
    with std(A^[l]) over all its entries.
    ``max_layers`` (ridge mode) reserves ridges for later updates with more layers.
    ``relative`` (ridge mode): the x axis is in units of the range's end r, from -1 (or
    -0.05) to 1, its end ticks labelled with the values -r and r; the axis then stays put
    when the values change scale (gradients follow s^L), and a new r redraws only those two
    labels. In ridge mode each layer's std is written beside its ridge (:func:`readout`).
    Returns a :class:`LayerHistograms` whose ``update(arrays)`` redraws in place.
    """
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ValueError(f"bins must be a positive int, got {bins!r}")
    ridge = isinstance(axes, Axes)
    if relative and not ridge:
        raise ValueError("relative=True needs ONE Axes (ridge mode), got a sequence of axes")
    axes_list = [axes] if ridge else list(axes)
    n_slots = max(len(arrays), max_layers or 0) if ridge else len(axes_list)
    if not ridge and len(arrays) > len(axes_list):
        raise ValueError(f"{len(arrays)} arrays but only {len(axes_list)} axes")
    edges0 = np.linspace(-1, 1, bins + 1)
    patches, texts = [], []
    for i in range(n_slots):
        ax = axes_list[0] if ridge else axes_list[i]
        patches.append(
            ax.stairs(np.zeros(bins), edges0, fill=True, color=color, alpha=0.75, baseline=0.0)
        )
        if ridge:
            texts.append(
                ax.text(
                    1.02,
                    0.0,
                    "",
                    transform=ax.get_yaxis_transform(),
                    ha="left",
                    va="bottom",
                    clip_on=False,
                    **_READOUT,
                )
            )
        else:
            texts.append(
                ax.text(
                    0.98,
                    0.95,
                    "",
                    transform=ax.transAxes,
                    ha="right",
                    va="top",
                    fontsize=8,
                    color="0.25",
                )
            )
            ax.set_yticks([])
            ax.tick_params(labelsize=8)
    ends = []
    if ridge:
        ax = axes_list[0]
        ax.set_ylabel(ylabel)
        ax.set_title(label, fontsize=10)
        ax.grid(True, axis="x", alpha=0.3)
        ax.text(1.02, 1.0, "std", transform=ax.transAxes, ha="left", va="bottom", **_READOUT)
        if relative:
            ends = _relative_ticks(ax)
    artists = LayerHistograms(
        axes_list, patches, texts, ridge, int(bins), value_range, label, tick_texts=ends
    )
    artists.update(arrays)
    return artists


@dataclass
class StdByLayer:
    """Artists of :func:`std_by_layer`: one line per named series; with moving decades,
    the texts that label the decades (``decade_texts``, top first) and the axis's offset
    (``top``: the line at 0 is 10^top) and window (``span`` decades below it)."""

    ax: Axes
    lines: dict
    log_y: bool
    decade_texts: list = field(default_factory=list)
    top: int = 0
    span: int = 0

    @property
    def moving(self) -> list:
        """The artists an update changes: the lines (and the decades' labels)."""
        return [*self.lines.values(), *self.decade_texts]

    def update(self, stds: Mapping[str, np.ndarray]) -> None:
        unknown = sorted(set(stds) - set(self.lines))
        if unknown:
            raise ValueError(f"series {unknown} were not in the plot when it was made")
        top, values = 0, []
        for name, line in self.lines.items():
            s = _plottable(np.asarray(stds.get(name, []), dtype=float), self.log_y)
            line.set_data(np.arange(1, len(s) + 1), s)
            top = max(top, len(s))
            values.append(s[np.isfinite(s)])
        self.ax.set_xlim(0.5, max(top, 1) + 0.5)
        v = np.concatenate(values) if values else np.empty(0)
        if self.decade_texts:
            self._place_decades(v)
        elif v.size == 0:
            self.ax.set_ylim((1e-3, 1.0) if self.log_y else (0.0, 1.0))
        elif self.log_y:
            self.ax.set_ylim(nice_log_limits(float(v.min()), float(v.max()), factor=3.0))
        else:
            top = float(v.max()) * 1.1
            self.ax.set_ylim(0.0, nice_ceil(top) if top > 0 else 1.0)

    def _place_decades(self, v: np.ndarray) -> None:
        """Moving decades: y = log10(value) - top on a linear axis from -span to 0: the
        values with a factor 3 of margin need the decades from 3 x the largest down to 1/3
        of the smallest, span is the smallest of 2, 4, 8, ... decades that holds them, and
        top puts them in its middle. The window (and its ticks) moves only when span
        does; the labels say which decades the lines are at."""
        lo, hi = (float(v.min()), float(v.max())) if v.size else (1e-3, 1.0)
        top = math.ceil(math.log10(3.0 * hi) - 1e-9)
        need = max(top - math.floor(math.log10(lo / 3.0) + 1e-9), 1)
        span = 2 ** max(1, math.ceil(math.log2(need)))
        self.top = top + (span - need) // 2  # the data in the middle of the window
        for line in self.lines.values():
            x, y = line.get_data()
            with np.errstate(divide="ignore", invalid="ignore"):
                line.set_data(x, np.log10(np.asarray(y, dtype=float)) - self.top)
        step = max(1, span // (len(self.decade_texts) - 1))
        if span != self.span:
            self.span = span
            self.ax.set_ylim(-span, 0)
            self.ax.set_yticks(np.arange(0, -span - 1, -step))
        for k, text in enumerate(self.decade_texts):
            y = -k * step
            text.set_visible(y >= -span)
            text.xy = (0.0, y)
            text.set_text(readout(10.0 ** (self.top + y)))


def std_by_layer(
    ax: Axes,
    stds: Mapping[str, np.ndarray],
    *,
    log_y: bool = True,
    colors: Sequence[str] | None = None,
    ylabel: str = "std",
    moving_decades: bool = False,
) -> StdByLayer:
    """Standard deviation per layer (x = layer 1..L) for each named series, e.g.
    ``{"activations": a_std, "gradients": g_std}``, on a log axis by default (zeros and
    non-finite values leave a gap), the y axis labelled ``ylabel``. ``moving_decades``
    (log scale): the values are drawn as log10(value) - top on a window of a few decades
    that stays put while they shift by whole decades, labelled by texts that follow them
    (a dashboard's frame then needs no new axis: :meth:`StdByLayer._place_decades`).
    Returns a :class:`StdByLayer` with ``update(stds)``."""
    lines = {}
    for i, name in enumerate(stds):
        color = colors[i % len(colors)] if colors else f"C{i}"
        (lines[name],) = ax.plot([], [], marker="o", ms=4, lw=1.5, color=color, label=name)
    labels = []
    if log_y and moving_decades:
        ax.tick_params(axis="y", labelleft=False)
        labels = [_y_tick_label(ax) for _ in range(DECADE_LABELS)]
    elif log_y:
        set_log_scale(ax)
    ax.set_xlabel("layer l")
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3, which="both")
    ax.legend(fontsize=8, frameon=False)
    artists = StdByLayer(ax, lines, log_y, decade_texts=labels)
    artists.update(stds)
    return artists


DECADE_LABELS = 5  #: labelled decades of a moving-decades axis (every decade up to 4)


def _y_tick_label(ax: Axes) -> Annotation:
    """A text where matplotlib puts the label of a y tick (placed by the caller)."""
    return ax.annotate(
        "",
        (0.0, 0.0),
        xycoords=ax.get_yaxis_transform(),
        xytext=(-ax.yaxis.get_tick_padding(), 0),
        textcoords="offset points",
        ha="right",
        va="center",
        fontsize=rcParams["ytick.labelsize"],
    )


# ======================================================================== confusion matrix
@dataclass
class ConfusionMatrix:
    """Artists of :func:`confusion_matrix`: the ``image`` (AxesImage), one ``Text`` per cell
    (``texts[i][j]``) and the ``matrix`` shown (counts, or row fractions if normalised)."""

    ax: Axes
    image: Any
    texts: list
    matrix: np.ndarray
    normalize: bool

    @property
    def moving(self) -> list:
        """The artists an update changes: the image and the cell texts."""
        return [self.image, *(t for row in self.texts for t in row)]

    def update(self, y_true: np.ndarray, y_pred: np.ndarray) -> None:
        n = len(self.texts)
        counts = confusion_counts(y_true, y_pred, n)
        if counts.shape[0] != n:
            raise ValueError(
                f"the plot was made for {n} classes, the labels need {counts.shape[0]}"
            )
        if self.normalize:
            rows = counts.sum(axis=1, keepdims=True)
            self.matrix = np.divide(counts, rows, out=np.zeros(counts.shape), where=rows > 0)
        else:
            self.matrix = counts
        top = float(self.matrix.max()) or 1.0
        self.image.set_data(self.matrix)
        self.image.set_clim(0.0, 1.0 if self.normalize else top)
        for i in range(n):
            for j in range(n):
                v = self.matrix[i, j]
                self.texts[i][j].set_text(f"{v:.2f}" if self.normalize else f"{int(v)}")
                self.texts[i][j].set_color(
                    "white" if v > 0.55 * (1.0 if self.normalize else top) else "black"
                )


def confusion_matrix(
    ax: Axes,
    y_true: np.ndarray,
    y_pred: np.ndarray,
    classes: Sequence[str] | None = None,
    normalize: bool = False,
    cmap: str = "Blues",
) -> ConfusionMatrix:
    """The confusion matrix: rows are true classes, columns predicted classes; cell (i, j)
    holds the count of class-i examples predicted as j, or with ``normalize`` that count
    divided by the number of class-i examples (each row sums to 1: the diagonal is the
    recall of each class). ``classes`` names the classes (default 0..C-1)."""
    n = len(classes) if classes is not None else None
    counts = confusion_counts(y_true, y_pred, n)
    n = counts.shape[0]
    names = [str(c) for c in classes] if classes is not None else [str(k) for k in range(n)]
    image = ax.imshow(np.zeros((n, n)), cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
    size = 9 if n <= 6 else 7
    texts = [
        [ax.text(j, i, "", ha="center", va="center", fontsize=size) for j in range(n)]
        for i in range(n)
    ]
    ax.set_xticks(range(n), names)
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    artists = ConfusionMatrix(ax, image, texts, counts, bool(normalize))
    artists.update(y_true, y_pred)
    return artists
