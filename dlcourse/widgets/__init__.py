"""Live dashboards: a testable controller plus an ipywidgets/matplotlib view each.

Dashboards are imported lazily, so ``import dlcourse.widgets`` stays fast.
"""

from importlib import import_module

from .base import Dashboard

_DASHBOARDS = {
    "TrainingDashboard": "training",
    "InitExplorer": "init_explorer",
    "OptimizerRace": "optimizer_race",
    "EWAExplorer": "ewa_explorer",
    "ScheduleExplorer": "schedule_explorer",
    "SearchExplorer": "search_explorer",
    "GradientDescentExplorer": "gradient_descent_explorer",
    "ActivationExplorer": "activation_explorer",
    "BNExplorer": "bn_explorer",
    "GradCheckExplorer": "gradcheck_explorer",
    "DebugDashboard": "debug_dashboard",
    "DigitsExplorer": "digits_explorer",
    "SearchLeaderboard": "search_leaderboard",
    "Playground": "playground",
}

__all__ = ["Dashboard", *_DASHBOARDS]


def __getattr__(name: str):
    if name in _DASHBOARDS:
        return getattr(import_module(f".{_DASHBOARDS[name]}", __name__), name)
    raise AttributeError(f"module 'dlcourse.widgets' has no attribute {name!r}")
