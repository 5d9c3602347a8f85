"""EWAExplorer: an exponentially weighted average of a noisy daily-temperature series.

The series theta_1 .. theta_T comes from :func:`dlcourse.datasets.temperatures` (a seasonal
cycle plus seeded Gaussian noise); the averages from :mod:`dlcourse.topics.ewa`:

    v_0 = 0,   v_t = beta v_{t-1} + (1 - beta) theta_t,   corrected: v_t / (1 - beta^t)

The title gives the effective window 1 / (1 - beta), and a shaded band of that width at the
end of the series shows the days that dominate the last average. With bias correction off
only v_t is drawn: its slow start from 0 is the bias that the correction removes.
"""

from __future__ import annotations

from matplotlib.patches import Rectangle


from ..datasets import temperatures
from ..topics.ewa import effective_window
from ..plots.optimization import plot_ewa, update_ewa
from .base import Dashboard
from .settings import Flag, IntRange, OneMinusLog, Range

__all__ = ["EWAExplorer"]


class EWAExplorer(Dashboard):
    """beta and bias correction on a noisy seasonal series.

    Results: ``t`` (1 .. days), ``theta`` (the series), ``v`` (the EWA), ``v_corrected``
    (v_t / (1 - beta^t)) and ``window`` = 1 / (1 - beta).
    """

    settings = {
        "beta": OneMinusLog(0.9, "β", lo=0.0, hi=0.999),
        "bias_correction": Flag(True, "bias correction"),
        "days": IntRange(100, "days", lo=10, hi=365),
        "noise": Range(3.0, "noise (°C)", lo=0.0, hi=8.0, step=0.1),
        "seed": IntRange(0, lo=0, hi=2**31 - 1),
    }
    continuous_update = True
    figsize = (9.0, 3.8)

    def _build_figure(self, fig) -> None:
        self.ax = fig.subplots()
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.88)
        self._band = Rectangle(
            (0, 0),
            1,
            1,
            transform=self.ax.get_xaxis_transform(),
            color="#2ca02c",
            alpha=0.12,
            lw=0,
            zorder=0,
            label="the last 1/(1−β) days",
        )
        self.ax.add_patch(self._band)
        self._artists = plot_ewa(self.ax, [0.0, 0.0], 0.5, legend=False)
        a = self._artists
        self.ax.legend(
            handles=[a["raw"], a["ewa"], a["corrected"], self._band], loc="upper left", fontsize=8
        )
        self.ax.set_ylabel("temperature (°C)")
        self.ax.set_xlabel("day t")
        self.view_agg.set_moving([self._band, self._artists, self.ax.title])

    def _compute(self) -> None:
        c = self._config
        self.t, self.theta = temperatures(c["days"], c["noise"], rng=c["seed"])
        self.window = effective_window(c["beta"])

    def _draw(self) -> None:
        c = self._config
        out = update_ewa(
            self._artists,
            self.theta,
            c["beta"],
            self.t,
            corrected=c["bias_correction"],
            uncorrected=True,
        )
        self.v, self.v_corrected = out["v"], out["v_corrected"]
        width = min(self.window, float(c["days"]))
        self._band.set_x(c["days"] + 0.5 - width)
        self._band.set_width(width)
        self.ax.set_xlim(0.5, c["days"] + 0.5)
        corrected = "with" if c["bias_correction"] else "without"
        self.ax.set_title(
            f"β = {c['beta']:.3f}: averages over ≈ 1/(1−β) = {self.window:.4g} "
            f"days ({corrected} bias correction)",
            fontsize=10,
        )
