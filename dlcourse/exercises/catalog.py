"""The catalogue of exercise checks: every ``check_*`` of every topic module, guarded by
:func:`grader.graded` when the package is imported."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Callable

from .grader import graded

__all__ = ["topic_checks"]

_MACHINERY = frozenset({"catalog", "fallback", "grader", "progress", "questions"})


def _topic_modules() -> list:
    folder = str(Path(__file__).parent)
    return [
        importlib.import_module(f"{__package__}.{info.name}")
        for info in pkgutil.iter_modules([folder])
        if info.name not in _MACHINERY
    ]


def _grade_all() -> dict[str, Callable]:
    """Wrap every ``check_*`` defined in a topic module with :func:`graded` (also where another
    module imported it); returns them by ``module.check_name``."""
    modules = _topic_modules()
    wrapped: dict[int, Callable] = {}
    found: dict[str, Callable] = {}
    for module in modules:
        for attr, value in list(vars(module).items()):
            if (
                attr.startswith("check_")
                and callable(value)
                and getattr(value, "__module__", None) == module.__name__
            ):
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
