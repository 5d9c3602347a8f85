"""Automatic checks for the notebooks' exercises.

A check runs the learner's function on hidden cases, compares with the reference and prints
"correct" or a specific hint. It never raises: an exception in the learner's code becomes a
message. Each topic has its own module (``dlcourse.exercises.<topic>``); every ``check_*`` in
them goes through :func:`grader.graded`, which keeps those promises for all of them (a
``None`` answer, an exception with the failing inputs, silent warnings).

``progress()`` runs every exercise of the saved learner notebooks and shows a table.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import Callable

from .fallback import with_fallback
from .grader import (Case, CheckResult, DiagnosedCase, Expect, Mistake, check_cases, close,
                     graded, run_cases, run_with_mistakes, with_mistakes)

__all__ = ["Case", "CheckResult", "DiagnosedCase", "Expect", "Mistake", "check_cases", "close",
           "graded", "progress", "run_cases", "run_with_mistakes", "topic_checks",
           "with_fallback", "with_mistakes"]

_MACHINERY = frozenset({"fallback", "grader", "progress", "questions"})


def _topic_modules() -> list:
    return [importlib.import_module(f"{__name__}.{info.name}")
            for info in pkgutil.iter_modules(__path__) if info.name not in _MACHINERY]


def _grade_all() -> dict[str, Callable]:
    """Wrap every ``check_*`` defined in a topic module with :func:`graded` (also where another
    module imported it); returns them by ``module.check_name``."""
    modules = _topic_modules()
    wrapped: dict[int, Callable] = {}
    found: dict[str, Callable] = {}
    for module in modules:
        for attr, value in list(vars(module).items()):
            if (attr.startswith("check_") and callable(value)
                    and getattr(value, "__module__", None) == module.__name__):
                guarded = graded(value)
                wrapped[id(value)] = guarded
                setattr(module, attr, guarded)
                found[f"{module.__name__.rsplit('.', 1)[1]}.{attr}"] = guarded
    for module in modules:  # re-exports point to the guarded check too
        for attr, value in list(vars(module).items()):
            if attr.startswith("check_") and id(value) in wrapped:
                setattr(module, attr, wrapped[id(value)])
    return found


_CHECKS = _grade_all()


def topic_checks() -> dict[str, Callable]:
    """Every exercise check, as ``{"module.check_name": check}`` (all guarded)."""
    return dict(_CHECKS)


# after _CHECKS (progress runs them); binds the name to the function, not the module
from .progress import progress  # noqa: E402
