"""Automatic checks for the notebooks' exercises.

A check runs the learner's function on hidden cases, compares with the reference and prints
"correct" or a specific hint. It never raises: an exception in the learner's code becomes a
message. Each topic has its own module (``dlcourse.exercises.<topic>``); every ``check_*`` in
them is declared with :func:`grader.graded`, which keeps those promises for all of them (a
``None`` answer, an exception with the failing inputs, silent warnings).

``progress()`` runs every exercise of the saved learner notebooks and shows a table.
"""

from __future__ import annotations

from .catalog import topic_checks
from .fallback import with_fallback
from .grader import (
    Case,
    CheckResult,
    DiagnosedCase,
    Exercise,
    Expect,
    Mistake,
    check_cases,
    close,
    exercise,
    graded,
    run_cases,
    run_with_mistakes,
    with_mistakes,
)
from .progress import progress

__all__ = [
    "Case",
    "CheckResult",
    "DiagnosedCase",
    "Exercise",
    "Expect",
    "Mistake",
    "check_cases",
    "close",
    "exercise",
    "graded",
    "progress",
    "run_cases",
    "run_with_mistakes",
    "topic_checks",
    "with_fallback",
    "with_mistakes",
]
