"""SearchExplorer: grid search against random search with the same budget of trials.

The objective (:mod:`dlcourse.experiments.search_toy`) is a stand-in for "validation error after training" with two
hyperparameters, the learning rate alpha (it matters a lot) and the momentum beta (it
hardly matters), each on the log scale the course recommends:

    u = log10(alpha) in [-4, 0],        v = log10(1 - beta) in [-3, -1]  (beta: 0.9 .. 0.999)
    error(alpha, beta) = 0.08 + 0.6 (1 - exp(-(u - u*)^2 / (2 * 0.3^2))) + 0.015 (v - v*)^2

with u* = log10(0.02), v* = log10(1 - 0.99) = -2: a narrow valley across alpha, nearly
flat along beta (beta changes the error by at most 0.015, alpha by 0.6).

With a budget of n trials, grid search (:func:`dlcourse.search.grid_search`) tries
k_alpha x k_beta points, k_beta = floor(sqrt(n)), k_alpha = n // k_beta (log-spaced axes),
so it tries only k_alpha distinct learning rates; random search
(:func:`dlcourse.search.random_search`) draws n points, so n distinct learning rates.
"""

from __future__ import annotations


import numpy as np

from ..experiments.search_toy import SPACE, V_BEST, grid_shape, toy_error, toy_objective
from ..plots.optimization import plot_search, update_search
from ..search import SearchResult, grid_search, random_search
from .base import Dashboard
from .settings import IntRange

__all__ = ["SearchExplorer"]


class SearchExplorer(Dashboard):
    """Grid (left) and random (middle) search over the objective's heat map, and the error
    against alpha with the learning rates each method tried (right).

    Results: ``grid_result`` and ``random_result`` (:class:`dlcourse.search.SearchResult`),
    ``grid_trials`` / ``random_trials`` (arrays (n, 2) of (alpha, beta)), ``grid_best`` /
    ``random_best`` (the best trial dicts), ``distinct`` ({"grid": k, "random": n}: how
    many distinct learning rates each tried) and ``optimum`` (the best possible error).
    """

    settings = {
        "trials": IntRange(9, "budget (trials)", lo=1, hi=100),
        "seed": IntRange(0, "random seed", lo=0, hi=50),
    }
    continuous_update = True
    figsize = (9.5, 3.6)

    # ------------------------------------------------------------------ figure
    def _build_figure(self, fig) -> None:
        self.ax_grid, self.ax_random, self.ax_profile = fig.subplots(
            1, 3, gridspec_kw={"width_ratios": [1, 1, 1.1]}
        )
        fig.subplots_adjust(left=0.08, right=0.93, bottom=0.16, top=0.86, wspace=0.5)
        u = np.linspace(-4.0, 0.0, 201)
        v = np.linspace(-3.0, -1.0, 101)
        U, V = np.meshgrid(u, v)
        F = toy_error(U, V)
        self.optimum = float(F.min())
        self._heat = {}
        for name, ax in (("grid", self.ax_grid), ("random", self.ax_random)):
            self._heat[name] = plot_search(ax, u, v, F, np.zeros((0, 2)), vmin=0.0, vmax=0.75)
            _log_ticks(ax)
        self.ax_random.set_ylabel("")
        bar = fig.colorbar(
            self._heat["random"]["image"],
            ax=[self.ax_grid, self.ax_random],
            fraction=0.03,
            pad=0.02,
        )
        bar.set_label("validation error (bright = low)", fontsize=8)
        bar.ax.tick_params(labelsize=8)
        (self._profile,) = self.ax_profile.plot(
            u, toy_error(u, V_BEST), color="0.3", lw=1.5, label="error at the best β"
        )
        rug = dict(
            ls="none",
            marker="|",
            ms=14,
            mew=1.6,
            clip_on=False,
            transform=self.ax_profile.get_xaxis_transform(),
        )
        (self._rug_grid,) = self.ax_profile.plot([], [], color="C0", label="grid's α values", **rug)
        (self._rug_random,) = self.ax_profile.plot(
            [], [], color="C3", label="random's α values", **rug
        )
        self.ax_profile.set_xlim(-4, 0)
        self.ax_profile.set_ylim(0, 0.9)
        self.ax_profile.set_xticks(range(-4, 1), [f"1e{k}" if k else "1" for k in range(-4, 1)])
        self.ax_profile.set_xlabel("learning rate α (log scale)")
        self.ax_profile.set_ylabel("validation error")
        # labels beside what they name, not a legend over the valley
        self.ax_profile.text(-3.9, 0.64, "error at the best β", color="0.3", fontsize=8, va="top")
        for y, name, color in ((0.93, "grid", "C0"), (0.85, "random", "C3")):
            self.ax_profile.text(
                1.02,
                y,
                name,
                color=color,
                fontsize=8,
                va="center",
                transform=self.ax_profile.get_yaxis_transform(),
            )
        self.ax_profile.set_title("error against α: β hardly matters", fontsize=9)
        moving = [[h["trials"], h["best"]] for h in self._heat.values()]
        self.view_agg.set_moving([moving, self._rug_grid, self._rug_random, self._titles()])

    def _titles(self) -> list:
        """The titles the draw changes (moving artists)."""
        return [self.ax_grid.title, self.ax_random.title]

    # ------------------------------------------------------------------ compute
    def _compute(self) -> None:
        c = self._config
        k_alpha, k_beta = self.grid_shape = grid_shape(c["trials"])
        self.grid_result = grid_search(
            toy_objective, SPACE, points_per_axis={"lr": k_alpha, "beta": k_beta}
        )
        self.random_result = random_search(toy_objective, SPACE, c["trials"], seed=c["seed"])
        self.grid_trials = _trials(self.grid_result)
        self.random_trials = _trials(self.random_result)
        self.grid_best, self.random_best = self.grid_result.best, self.random_result.best
        self.distinct = {
            "grid": int(np.unique(self.grid_trials[:, 0]).size),
            "random": int(np.unique(self.random_trials[:, 0]).size),
        }

    # ------------------------------------------------------------------ draw
    def _draw(self) -> None:
        k_alpha, k_beta = self.grid_shape
        for name, ax, result, trials, best in (
            ("grid", self.ax_grid, self.grid_result, self.grid_trials, self.grid_best),
            ("random", self.ax_random, self.random_result, self.random_trials, self.random_best),
        ):
            best_point = np.array([[best["params"]["lr"], best["params"]["beta"]]])
            update_search(self._heat[name], _log_coords(trials), _log_coords(best_point)[0])
            shape = f" ({k_alpha} α × {k_beta} β)" if name == "grid" else ""
            ax.set_title(
                f"{name}: {len(result)} trials{shape}, {self.distinct[name]} distinct α\n"
                f"best error {best['score']:.3f} (optimum {self.optimum:.3f})",
                fontsize=9,
            )
        self._rug_grid.set_data(
            np.log10(self.grid_trials[:, 0]), np.full(len(self.grid_trials), 0.93)
        )
        self._rug_random.set_data(
            np.log10(self.random_trials[:, 0]), np.full(len(self.random_trials), 0.85)
        )


def _trials(result: SearchResult) -> np.ndarray:
    """The tried (alpha, beta) as an array (n, 2), in trial order."""
    return np.column_stack([result.values("lr"), result.values("beta")]).astype(np.float64)


def _log_coords(points: np.ndarray) -> np.ndarray:
    """(alpha, beta) -> (log10 alpha, log10(1 - beta)), the axes of the heat maps."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return np.column_stack([np.log10(points[:, 0]), np.log10(1.0 - points[:, 1])])


def _log_ticks(ax) -> None:
    ax.set_xticks(range(-4, 1), [f"1e{k}" if k else "1" for k in range(-4, 1)])
    ax.set_yticks([-1, -2, -3], ["0.9", "0.99", "0.999"])
    ax.set_xlabel("learning rate α (log scale)")
    ax.set_ylabel("momentum β (1 − β log scale)")
