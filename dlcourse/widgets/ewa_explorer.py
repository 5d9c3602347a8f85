"""EWAExplorer: an exponentially weighted average of a noisy daily-temperature series.

The series theta_1 .. theta_T comes from :func:`dlcourse.datasets.temperatures` (a seasonal
cycle plus seeded Gaussian noise); the averages from :mod:`dlcourse.topics.ewa`:

    v_0 = 0,   v_t = beta v_{t-1} + (1 - beta) theta_t,   corrected: v_t / (1 - beta^t)

The title gives the effective window 1 / (1 - beta), and a shaded band of that width at the
end of the series shows the days that dominate the last average. With bias correction off
only v_t is drawn: its slow start from 0 is the bias that the correction removes.
"""
from __future__ import annotations

import ipywidgets as W
from matplotlib.patches import Rectangle


from ..datasets import temperatures
from ..topics.ewa import effective_window
from ..plots.optimization import plot_ewa, update_ewa
from .base import Dashboard

__all__ = ["EWAExplorer"]

#: The range of each numeric setting (the sliders' ranges; keywords are checked against them).
RANGES = {"beta": (0.0, 0.999), "days": (10, 365), "noise": (0.0, 8.0), "seed": (0, 2**31 - 1)}


class EWAExplorer(Dashboard):
    """beta and bias correction on a noisy seasonal series.

    Results: ``t`` (1 .. days), ``theta`` (the series), ``v`` (the EWA), ``v_corrected``
    (v_t / (1 - beta^t)) and ``window`` = 1 / (1 - beta).
    """

    defaults = {"beta": 0.9, "bias_correction": True, "days": 100, "noise": 3.0, "seed": 0}
    ranges = RANGES
    figsize = (9.0, 3.8)

    def _validate(self, config: dict) -> None:
        if not isinstance(config["bias_correction"], bool):
            raise ValueError(f"bias_correction must be True or False, got "
                             f"{config['bias_correction']!r}")

    def _build_controls(self) -> dict:
        c = self._config
        style = {"description_width": "initial"}
        return {
            "beta": W.FloatSlider(value=c["beta"], **self._bounds("beta"), step=0.001,
                                  readout_format=".3f", description="β", style=style),
            "bias_correction": W.Checkbox(value=c["bias_correction"],
                                          description="bias correction", indent=False),
            "days": W.IntSlider(value=c["days"], **self._bounds("days"), step=1,
                                description="days", style=style),
            "noise": W.FloatSlider(value=c["noise"], **self._bounds("noise"), step=0.1,
                                   description="noise (°C)", style=style),
        }

    def _build_figure(self, fig) -> None:
        self.ax = fig.subplots()
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.88)
        self._band = Rectangle((0, 0), 1, 1, transform=self.ax.get_xaxis_transform(),
                               color="#2ca02c", alpha=0.12, lw=0, zorder=0,
                               label="the last 1/(1−β) days")
        self.ax.add_patch(self._band)
        self._artists = plot_ewa(self.ax, [0.0, 0.0], 0.5, legend=False)
        a = self._artists
        self.ax.legend(handles=[a["raw"], a["ewa"], a["corrected"], self._band],
                       loc="upper left", fontsize=8)
        self.ax.set_ylabel("temperature (°C)")
        self.ax.set_xlabel("day t")

    def _compute(self) -> None:
        c = self._config
        self.t, self.theta = temperatures(c["days"], c["noise"], rng=c["seed"])
        self.window = effective_window(c["beta"])

    def _draw(self) -> None:
        c = self._config
        out = update_ewa(self._artists, self.theta, c["beta"], self.t,
                         corrected=c["bias_correction"], uncorrected=True)
        self.v, self.v_corrected = out["v"], out["v_corrected"]
        width = min(self.window, float(c["days"]))
        self._band.set_x(c["days"] + 0.5 - width)
        self._band.set_width(width)
        self.ax.set_xlim(0.5, c["days"] + 0.5)
        corrected = "with" if c["bias_correction"] else "without"
        self.ax.set_title(f"β = {c['beta']:.3f}: averages over ≈ 1/(1−β) = {self.window:.4g} "
                          f"days ({corrected} bias correction)", fontsize=10)


