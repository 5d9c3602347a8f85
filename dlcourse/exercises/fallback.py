"""Keep a lesson running while an exercise is not written yet.

A cell after an exercise that uses the learner's function wraps it once:

    gd_step = with_fallback(gd_step, reference=gd1d.gd_step)

The wrapper calls the learner's function; while it still raises ``NotImplementedError``
(the learner edition's stub), it says so in one line and uses the package's reference, so
"Run All" reaches the end of the notebook and the lesson reads top to bottom.
"""

from __future__ import annotations

import functools
from typing import Callable

__all__ = ["with_fallback"]


def with_fallback(fn: Callable, reference: Callable) -> Callable:
    """``fn`` itself once it is written; until then ``reference``, announced once."""
    if not callable(fn):
        raise TypeError(f"with_fallback: fn must be a function, got {type(fn).__name__}")
    if not callable(reference):
        raise TypeError(
            f"with_fallback: reference must be a function, got {type(reference).__name__}"
        )
    name = getattr(fn, "__name__", "your function")
    announced = False

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        nonlocal announced
        try:
            return fn(*args, **kwargs)
        except NotImplementedError:
            if not announced:
                print(f"{name} is not written yet: this cell uses dlcourse's reference instead")
                announced = True
            return reference(*args, **kwargs)

    return wrapper
