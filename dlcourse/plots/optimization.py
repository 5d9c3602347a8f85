"""Plots of optimization: paths on cost-surface contours, EWA series, schedule curves."""
__all__: list[str] = []
