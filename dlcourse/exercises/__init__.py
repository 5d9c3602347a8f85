"""Automatic checks for the notebooks' exercises.

A check runs the learner's function on hidden cases, compares with the reference and prints
"correct" or a specific hint. It never raises: an exception in the learner's code becomes a
message. Each topic has its own module (``dlcourse.exercises.<topic>``).
"""
from .grader import CheckResult, run_cases

__all__ = ["CheckResult", "run_cases"]
