"""Experiments: the runs a notebook and its dashboard share (numpy only).

Each module names the notebook it serves; dashboards and notebooks import from here.
"""
