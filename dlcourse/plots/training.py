"""Plots of training: cost curves, decision boundaries, histograms, confusion matrix."""
__all__: list[str] = []
