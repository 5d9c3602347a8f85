"""Plots for the course: each function draws on given axes and returns the artists a
dashboard updates in place. Matplotlib is used only here and in ``dlcourse.widgets``.

- :mod:`.optimization`: optimizer paths on a cost surface, J(w_t) - J*, EWA series,
  schedule curves, search results;
- :mod:`.training`: train/validation cost curves, decision boundaries, per-layer
  histograms and stds, the confusion matrix;
- :mod:`.display`: a figure as a PNG in a notebook.
"""

from .optimization import (
    OPTIMIZER_COLORS,
    OPTIMIZER_LABELS,
    cost_gap,
    log_levels,
    plot_cost_curves,
    plot_ewa,
    plot_optimizer_paths,
    plot_paths,
    plot_schedules,
    plot_search,
    plot_surface,
    schedule_curve,
    update_cost_curves,
    update_ewa,
    update_paths,
    update_schedules,
    update_search,
)
from .training import (
    CLASS_COLORS,
    ConfusionMatrix,
    CostCurves,
    DecisionBoundary,
    LayerHistograms,
    StdByLayer,
    activation_histograms,
    confusion_matrix,
    cost_curves,
    data_extent,
    decision_boundary,
    probability_image,
    std_by_layer,
)

__all__ = [
    "CLASS_COLORS",
    "OPTIMIZER_COLORS",
    "OPTIMIZER_LABELS",
    "ConfusionMatrix",
    "CostCurves",
    "DecisionBoundary",
    "LayerHistograms",
    "StdByLayer",
    "activation_histograms",
    "confusion_matrix",
    "cost_curves",
    "cost_gap",
    "data_extent",
    "decision_boundary",
    "log_levels",
    "plot_cost_curves",
    "plot_ewa",
    "plot_optimizer_paths",
    "plot_paths",
    "plot_schedules",
    "plot_search",
    "plot_surface",
    "probability_image",
    "schedule_curve",
    "std_by_layer",
    "update_cost_curves",
    "update_ewa",
    "update_paths",
    "update_schedules",
    "update_search",
]
