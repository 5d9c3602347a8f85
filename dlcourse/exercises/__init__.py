"""Automatic checks for the notebooks' exercises.

A check runs the learner's function on hidden cases, compares with the reference and prints
"correct" or a specific hint. It never raises: an exception in the learner's code becomes a
message. Each topic has its own module (``dlcourse.exercises.<topic>``).
"""
from .fallback import with_fallback
from .grader import (Case, CheckResult, DiagnosedCase, Expect, Mistake, check_cases, close,
                     run_cases, run_with_mistakes, with_mistakes)

__all__ = ["Case", "CheckResult", "DiagnosedCase", "Expect", "Mistake", "check_cases", "close",
           "run_cases", "run_with_mistakes", "with_fallback", "with_mistakes"]
