"""The catalogue of exercise checks: every ``check_*`` defined in a topic module. Each is
declared ``@graded`` where it is defined (tests/test_exercises_contract.py holds every one
to that)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Callable

__all__ = ["topic_checks"]

_MACHINERY = frozenset({"catalog", "fallback", "grader", "progress", "questions"})


def _topic_modules() -> list:
    folder = str(Path(__file__).parent)
    return [
        importlib.import_module(f"{__package__}.{info.name}")
        for info in pkgutil.iter_modules([folder])
        if info.name not in _MACHINERY
    ]


def topic_checks() -> dict[str, Callable]:
    """Every exercise check, as ``{"module.check_name": check}``."""
    found: dict[str, Callable] = {}
    for module in _topic_modules():
        for attr, value in vars(module).items():
            if (
                attr.startswith("check_")
                and callable(value)
                and getattr(value, "__module__", None) == module.__name__
            ):
                found[f"{module.__name__.rsplit('.', 1)[1]}.{attr}"] = value
    return found
