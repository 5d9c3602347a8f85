"""Guided challenges for the Playground that check themselves, one per big idea of the course.

Each :class:`Challenge` has a short text, a starting state string (``start``: open it with
``PlaygroundRun().set_state(start)`` or the Playground's state box) and its conditions: pairs
(what is still missing, a test on a :class:`~.playground_net.PlaygroundRun`). A condition
reads the run's settings (``run.config``), its history (``run.epoch``: epochs trained in this
run) or its outcome at test time (``run.accuracy()``, ``run.readout()``), so a check grades
the run it is given:

    verdict = check_challenge("zeros", run)
    verdict.done        # True when every condition holds
    str(verdict)        # "done", or "not yet: " and what is still missing, in plain words

``CHALLENGES`` maps each name to its challenge, in the course's order. Each start state
stops training at the challenge's epoch budget (``stop:N``), so pressing play in the app
ends where the check looks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from .playground_net import EXTRA_DEFAULTS, PlaygroundRun, decode_state

__all__ = ["CHALLENGES", "Challenge", "Verdict", "check_challenge", "get_challenge", "start_run"]

Condition = tuple[str, Callable[[PlaygroundRun], bool]]


class Verdict(NamedTuple):
    """A check's answer: ``done``, and the conditions still missing (plain sentences)."""

    done: bool
    missing: tuple[str, ...]

    def __str__(self) -> str:
        return "done" if self.done else "not yet: " + "; ".join(self.missing)


@dataclass(frozen=True)
class Challenge:
    """One challenge: its ``name``, the course's ``idea`` it practises, what to do
    (``text``), the ``start`` state string and its ``conditions``."""

    name: str
    idea: str
    text: str
    start: str
    conditions: tuple[Condition, ...]

    def check(self, run: PlaygroundRun) -> Verdict:
        """Every condition on ``run``; those that fail say what is missing."""
        if run.epoch == 0:
            return Verdict(False, ("train the network first (press play)",))
        missing = tuple(text for text, holds in self.conditions if not holds(run))
        return Verdict(not missing, missing)


# ------------------------------------------------------------------ conditions
def _keep(start: str, *keys: str) -> list[Condition]:
    """The settings ``keys`` as in the start state (the challenge's data or network)."""
    config = {**EXTRA_DEFAULTS, **decode_state(start)[0]}
    return [
        (
            f"keep {key} = {config[key]!r}, as in the challenge",
            lambda run, key=key: run.setting(key) == config[key],
        )
        for key in keys
    ]


def _setting(key: str, test: Callable, what: str) -> Condition:
    return (what, lambda run: test(run.setting(key)))


def _within(epochs: int) -> Condition:
    return (
        f"reach it within {epochs} epochs (restart, then train at most {epochs})",
        lambda run: run.epoch <= epochs,
    )


def _at_least(epochs: int) -> Condition:
    return (f"train at least {epochs} epochs", lambda run: run.epoch >= epochs)


def _trains() -> Condition:
    return ("the run must not diverge", lambda run: not run.diverged)


def _test_accuracy(level: float) -> Condition:
    return (
        f"reach a test accuracy of at least {level:.0%}",
        lambda run: not run.diverged and run.accuracy()[1] >= level,
    )


def _test_cost(level: float) -> Condition:
    return (
        f"bring the test cost down to {level:g} or less",
        lambda run: not run.diverged and run.test_loss[-1] <= level,
    )


def _gap(level: float) -> Condition:
    return (
        f"close the gap: the test cost may exceed the train cost by {level:g} at most",
        lambda run: run.test_loss[-1] - run.train_loss[-1] <= level,
    )


_DATA = ("dataset", "noise", "train_ratio", "n_points", "data_seed", "problem")


def _challenge(name, idea, text, start, *conditions) -> Challenge:
    return Challenge(name, idea, text, start, tuple(conditions))


_LIST = [
    _challenge(
        "depth",
        "depth: a deeper network draws a more complex boundary",
        "Make the three-arm spiral reach 90% test accuracy in at most 300 epochs with two "
        "hidden layers, on the raw inputs x1 and x2 only.",
        "d:spiral3,h:2,stop:300",
        *_keep("d:spiral3,h:2", *_DATA, "features"),
        _setting("hidden", lambda h: len(h) == 2, "use exactly two hidden layers"),
        _trains(),
        _within(300),
        _test_accuracy(0.9),
    ),
    _challenge(
        "features",
        "features instead of depth",
        "The circle with no hidden layer is a straight line: add input features (not "
        "layers) until it reaches 95% test accuracy within 100 epochs.",
        "d:circle,h:-,stop:100",
        *_keep("d:circle,h:-", *_DATA, "hidden"),
        _trains(),
        _within(100),
        _test_accuracy(0.95),
    ),
    _challenge(
        "zeros",
        "initialization: break the symmetry",
        "With zeros initialization every unit of a layer computes the same thing and the "
        "circle stays at chance. Keep the network and fix it: 90% test accuracy within 100 "
        "epochs.",
        "d:circle,h:4.4,i:zeros,stop:100",
        *_keep("d:circle,h:4.4,i:zeros", *_DATA, "features", "hidden"),
        _setting("init", lambda i: i != "zeros", "choose an initialization other than zeros"),
        _trains(),
        _within(100),
        _test_accuracy(0.9),
    ),
    _challenge(
        "learning_rate",
        "the learning rate: too large diverges",
        "Plain SGD with α = 10 on the full batch diverges on the circle. Keep plain SGD and "
        "find an α (and a batch size, if you like) that reaches 90% test accuracy within 60 "
        "epochs.",
        "d:circle,h:4.4,o:sgd,lr:10.0,bs:full,stop:60",
        *_keep("d:circle,h:4.4,o:sgd,lr:10.0", *_DATA, "features", "hidden", "optimizer"),
        _trains(),
        _within(60),
        _test_accuracy(0.9),
    ),
    _challenge(
        "optimizer",
        "momentum and adaptive steps at the same epoch budget",
        "SGD at α = 0.03 does not get the spiral's test cost down to 0.1 in 50 epochs. "
        "Keep α and the network, change the optimizer, and do it within 50 epochs.",
        "d:spiral,h:8.8,o:sgd,stop:50",
        *_keep("d:spiral,h:8.8,o:sgd", *_DATA, "features", "hidden", "lr"),
        _setting("optimizer", lambda o: o != "sgd", "change the optimizer"),
        _trains(),
        _within(50),
        _test_cost(0.1),
    ),
    _challenge(
        "regularize",
        "regularization: close the train/test gap",
        "On the noisy spiral with few training points the network fits the noise: the "
        "test cost ends far above the train cost. Keep the data and the network; with L2 "
        "λ, L1 or dropout, train 300 epochs or more with the test cost at most 0.1 above "
        "the train cost and 90% test accuracy.",
        "d:spiral,n:0.8,tr:0.2,h:8.8.8,stop:300",
        *_keep("d:spiral,n:0.8,tr:0.2,h:8.8.8", *_DATA, "features", "hidden"),
        (
            "regularize: L2 λ, L1 or dropout above 0",
            lambda run: (
                run.setting("l2") > 0 or run.setting("l1") > 0 or run.setting("dropout") > 0
            ),
        ),
        _trains(),
        _at_least(300),
        _gap(0.1),
        _test_accuracy(0.9),
    ),
    _challenge(
        "batch_norm",
        "batch norm needs a batch",
        "Batch norm with batch size 1 learns nothing: each example is its own batch mean. "
        "Keep batch norm on and the network, and reach 90% test accuracy within 100 epochs.",
        "d:circle,h:4.4,bn:1,bs:1,stop:100",
        *_keep("d:circle,h:4.4,bn:1,bs:1", *_DATA, "features", "hidden", "batch_norm"),
        _trains(),
        _within(100),
        _test_accuracy(0.9),
    ),
    _challenge(
        "regression",
        "capacity for regression",
        "Fit the hills and hollows of the Gaussian mixture: a test mean squared error of "
        "0.06 or less within 300 epochs (the network of two units is too small).",
        "d:gaussmix,h:2,p:regression,stop:300",
        *_keep("d:gaussmix,h:2,p:regression", *_DATA),
        _trains(),
        _within(300),
        _test_cost(0.06),
    ),
]
CHALLENGES: dict[str, Challenge] = {c.name: c for c in _LIST}


def check_challenge(name: str, run: PlaygroundRun) -> Verdict:
    """The verdict of challenge ``name`` on ``run`` (``str(verdict)`` says it in words);
    ``run`` may also be a Playground, whose ``run`` is checked."""
    return get_challenge(name).check(getattr(run, "run", run))


def start_run(name: str) -> PlaygroundRun:
    """A run at the challenge's start state (untrained)."""
    run = PlaygroundRun()
    run.set_state(get_challenge(name).start, train=False)
    return run


def get_challenge(name: str) -> Challenge:
    """The challenge called ``name`` (a ValueError lists the valid names)."""
    if name not in CHALLENGES:
        raise ValueError(f"unknown challenge {name!r}; valid: {', '.join(CHALLENGES)}")
    return CHALLENGES[name]
