"""Plots for the course: each function draws on given axes and returns the artists a
dashboard updates in place. Matplotlib is used only here and in ``dlcourse.widgets``."""
from .optimization import *  # noqa: F401,F403  optimizer paths, EWA series, schedule curves
from .training import *  # noqa: F401,F403  cost curves, decision boundaries, histograms, confusion matrix
