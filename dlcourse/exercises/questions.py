""" "Predict, then run" questions: the learner commits to an answer before the experiment.

A question is asked in a markdown cell (so it reads where nothing runs), then answered in a
code cell placed *before* the experiment that settles it:

    my_prediction = None          # your answer: "a", "b" or "c"
    predict(Q_SATURATION, my_prediction)

``predict`` never raises: with no answer it says how to answer; with one it says whether it
was right and then shows the explanation (the explanation appears only after answering).
Questions live in the exercise module of their notebook, as :class:`Question` constants.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

from .grader import CheckResult

__all__ = ["Question", "predict"]


@dataclass(frozen=True)
class Question:
    """A multiple-choice question (``choices`` maps a letter to its text) or, with
    ``choices=None``, a numeric one answered within ``rtol`` of ``answer``."""

    key: str
    answer: str | float
    explanation: str
    choices: Mapping[str, str] | None = None
    rtol: float = 0.1

    def __post_init__(self) -> None:
        if self.choices is not None and self.answer not in self.choices:
            raise ValueError(
                f"Question {self.key!r}: answer {self.answer!r} is not one of "
                f"the choices {sorted(self.choices)}"
            )


def _how_to_answer(q: Question) -> str:
    if q.choices is not None:
        letters = ", ".join(f'"{c}"' for c in q.choices)
        return f"{q.key}: not answered yet — set your prediction to one of {letters} and run this cell again"
    return f"{q.key}: not answered yet — set your prediction to a number and run this cell again"


def predict(q: Question, answer=None) -> CheckResult:
    """Judge the learner's prediction for ``q`` and, once answered, explain."""
    if answer is None:
        return CheckResult(False, _how_to_answer(q))
    if q.choices is not None:
        given = str(answer).strip().lower().strip("()")
        if given not in q.choices:
            return CheckResult(
                False, f"{q.key}: {answer!r} is not one of the choices {', '.join(q.choices)}"
            )
        ok = given == q.answer
        verdict = "right" if ok else f"not quite — the answer is ({q.answer}) {q.choices[q.answer]}"
    else:
        try:
            value = float(answer)
        except (TypeError, ValueError):
            return CheckResult(False, f"{q.key}: expected a number, got {answer!r}")
        ok = math.isfinite(value) and math.isclose(value, float(q.answer), rel_tol=q.rtol)
        verdict = (
            "right" if ok else f"not quite — the measured value is about {float(q.answer):.3g}"
        )
    return CheckResult(ok, f"{q.key}: {verdict}. {q.explanation}")
