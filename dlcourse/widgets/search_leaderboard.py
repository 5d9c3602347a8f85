"""Notebook 10's live leaderboard: random-search trials stream into a ranked table and a
scatter as they finish, with a progress bar; serial, a process pool or a Dask client.

The view only: the trials come from :func:`dlcourse.experiments.leaderboard.stream_trials`,
which draws the same points and seeds as :func:`dlcourse.search.random_search`.

    board = SearchLeaderboard(n_trials=12, seed=0)     # runs serially once, shows the result
    board                                              # the live view
    board.run(executor=pool)                           # stream again, e.g. on a process pool
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as W
import numpy as np

from .. import search
from ..experiments.leaderboard import Leaderboard, stream_trials
from ..experiments.search_toy import train_mlp_objective
from ..plots.limits import set_log_scale
from .base import Dashboard
from .settings import IntRange

__all__ = ["DEFAULT_SPACE", "SearchLeaderboard"]

DEFAULT_SPACE = {
    "lr": search.log_uniform(1e-3, 3.0),
    "beta": search.one_minus_log_uniform(0.5, 0.999),
    "hidden": search.int_uniform(4, 32),
    "batch_size": search.choice([16, 32, 64]),
}
_FAILED_Y = 1.6  # where failed trials are drawn (above every finite score shown)


class SearchLeaderboard(Dashboard):
    """Random search on real small networks (``experiments.search_toy.train_mlp_objective``), shown live."""

    settings = {
        "n_trials": IntRange(12, "trials", lo=2, hi=60),
        "seed": IntRange(0, "seed", lo=0, hi=999),
        "top": IntRange(8, lo=3, hi=20),  # rows of the table: keyword only
    }
    figsize = (9.0, 3.4)

    def __init__(
        self,
        space: Mapping | None = None,
        objective: Callable | None = None,
        executor=None,
        **config: Any,
    ) -> None:
        self.space = dict(DEFAULT_SPACE if space is None else space)
        if "lr" not in self.space:
            raise ValueError(
                "SearchLeaderboard: the space must contain 'lr' (the scatter's x axis)"
            )
        self.objective = train_mlp_objective if objective is None else objective
        self.executor = executor
        self.board = Leaderboard(0)
        self.elapsed = 0.0
        self.run_button = W.Button(description="run search", icon="play")
        self.run_button.on_click(lambda _: self.guard(self.run))
        self.progress = W.IntProgress(value=0, min=0, max=1, description="trials")
        self.status = W.HTML()
        self.table_html = W.HTML()
        super().__init__(**config)

    # ------------------------------------------------------------------ controls
    def _controls_box(self) -> W.Widget:
        return W.VBox(
            [
                W.HBox([*self.controls.values(), self.run_button]),
                W.HBox([self.progress, self.status]),
            ]
        )

    def _control_changed(self, name: str) -> None:
        self.status.value = "settings changed: press <b>run search</b>"

    def _build_view(self) -> W.Widget:
        return W.VBox(
            [self._controls_box(), W.HBox([self.image, self.table_html]), self._message_label]
        )

    # ------------------------------------------------------------------ figure
    def _build_figure(self, fig) -> None:
        self.ax, self.ax_best = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.5, 1]})
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.16, top=0.88, wspace=0.3)
        ax = self.ax
        set_log_scale(ax, "x")
        ax.set(xlabel="learning rate α", ylabel="validation cost (lower is better)")
        self.points = ax.scatter(
            np.zeros(0),
            np.zeros(0),
            c=np.zeros(0),
            cmap="viridis",
            vmin=-3,
            vmax=float(np.log10(0.5)),
            s=28,
        )
        fig.colorbar(self.points, ax=ax, pad=0.02, label="log10(1 − β)")
        ax.plot([], [], "o", color="0.5", ms=5, label="finished trial")
        (self.failed,) = ax.plot([], [], "x", color="crimson", ms=7, label="failed (NaN)")
        (self.star,) = ax.plot([], [], "*", ms=15, mfc="gold", mec="k", label="best so far")
        lr = self.space["lr"]
        ax.set_xlim(lr.low / 1.5, lr.high * 1.5)
        ax.set_ylim(0.0, _FAILED_Y + 0.1)
        ax.legend(fontsize=8, loc="upper left", frameon=False)
        self.title = ax.set_title("", fontsize=10)
        b = self.ax_best
        (self.best_line,) = b.plot([], [], color="C0", lw=1.8, drawstyle="steps-post")
        b.set(xlabel="trials finished", ylabel="best cost so far")
        b.set_title("best so far", fontsize=10)
        b.grid(True, alpha=0.3)
        self.view_agg.set_moving([self.points, self.failed, self.star, self.title, self.best_line])

    # ------------------------------------------------------------------ running
    def _compute(self) -> None:
        self.run(draw_each=False)

    def _draw(self) -> None:
        trials = self.board.trials
        ok = [t for t in trials if np.isfinite(t["score"])]
        bad = [t for t in trials if not np.isfinite(t["score"])]
        xy = np.array([[t["params"]["lr"], min(t["score"], _FAILED_Y)] for t in ok]).reshape(-1, 2)
        self.points.set_offsets(xy)
        if "beta" in self.space and ok:
            self.points.set_array(np.log10(1 - np.array([t["params"]["beta"] for t in ok])))
        self.failed.set_data([t["params"]["lr"] for t in bad], [_FAILED_Y] * len(bad))
        best = self.board.best
        self.star.set_data(([best["params"]["lr"]], [best["score"]]) if best else ([], []))
        curve = self.board.best_so_far()
        self.best_line.set_data(np.arange(1, len(curve) + 1), curve)
        n = self._config["n_trials"]
        self.ax_best.set_xlim(0.5, n + 0.5)
        finite = curve[np.isfinite(curve)]
        if finite.size:
            self.ax_best.set_ylim(0.0, max(0.2, 1.1 * float(finite.max())))
        self.title.set_text(
            f"random search: {self.board.done} of {n} trials"
            + (f", best {best['score']:.3f}" if best else "")
        )
        self.table_html.value = self._table()

    def run(self, executor=None, draw_each: bool = True) -> None:
        """Run the search again, streaming: each finished trial updates the table, the
        scatter and the progress bar at once (``executor``: None = serial, or a pool)."""
        n, seed = self._config["n_trials"], self._config["seed"]
        executor = self.executor if executor is None else executor
        self.board = Leaderboard(n)
        self.progress.max, self.progress.value = n, 0
        start = time.perf_counter()
        for trial in stream_trials(self.objective, self.space, n, seed, executor):
            self.board.add(trial)
            self.progress.value = self.board.done
            self.elapsed = time.perf_counter() - start
            self.status.value = f"{self.board.done}/{n} trials, {self.elapsed:.1f} s"
            if draw_each:
                self._draw()
                self.redraw()
        if draw_each:
            self._draw()

    def _table(self) -> str:
        names = list(self.space)
        head = "".join(
            f"<th>{html.escape(h)}</th>" for h in ["rank", "trial", *names, "val cost", "val acc"]
        )
        rows = []
        for rank, t in enumerate(self.board.ranked()[: self._config["top"]], 1):
            cells = [str(rank), str(t["trial"])] + [_fmt(t["params"][k]) for k in names]
            cells += [_fmt(t["score"]), _fmt(t.get("val_accuracy", float("nan")))]
            rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
        return (
            "<table style='font-size:12px;border-collapse:collapse'><thead><tr>"
            + head
            + "</tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table>"
        )

    def leaderboard_text(self, top: int | None = None) -> str:
        """The ranked table as plain text (fixed format), for a notebook's printed output."""
        names = list(self.space)
        lines = ["rank trial " + " ".join(f"{k:>10}" for k in names) + "   val cost"]
        for rank, t in enumerate(self.board.ranked()[: top or self._config["top"]], 1):
            lines.append(
                f"{rank:>4} {t['trial']:>5} "
                + " ".join(f"{_fmt(t['params'][k]):>10}" for k in names)
                + f" {_fmt(t['score']):>10}"
            )
        return "\n".join(lines)


def _fmt(v) -> str:
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return str(int(v))
    v = float(v)
    return "failed" if not np.isfinite(v) else f"{v:.3g}"
