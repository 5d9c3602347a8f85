"""Each challenge of the Playground is solved by a reference setting and not by a failing
one (its start state, or a setting that breaks one condition), and says what is missing."""

import re

import pytest

from dlcourse.experiments import playground_net as pn
from dlcourse.experiments.playground_challenges import (
    CHALLENGES,
    check_challenge,
    get_challenge,
    start_run,
)

#: name -> (a reference solution, failing settings: (state, a word of what is missing))
CASES = {
    "depth": (
        "d:spiral3,h:8.8,e:300",
        [("d:spiral3,h:8,e:300", "two hidden"), ("d:spiral3,h:8.8,e:301", "within 300")],
    ),
    "features": (
        "d:circle,h:-,f:x1sq.x2sq,e:100",
        [("d:circle,h:-,e:100", "accuracy"), ("d:circle,h:4,e:100", "keep hidden")],
    ),
    "zeros": ("d:circle,h:4.4,e:100", [("d:circle,h:4.4,i:zeros,e:100", "other than zeros")]),
    "learning_rate": (
        "d:circle,h:4.4,o:sgd,lr:0.3,e:60",
        [
            ("d:circle,h:4.4,o:sgd,lr:10.0,bs:full,e:60", "diverge"),
            ("d:circle,h:4.4,lr:0.3,e:60", "keep optimizer"),
        ],
    ),
    "optimizer": (
        "d:spiral,h:8.8,o:adam,e:50",
        [
            ("d:spiral,h:8.8,o:sgd,e:50", "optimizer"),
            ("d:spiral,h:8.8,o:momentum,e:50", "test cost"),
        ],
    ),
    "regularize": (
        "d:spiral,n:0.8,tr:0.2,h:8.8.8,l2:0.03,e:300",
        [
            ("d:spiral,n:0.8,tr:0.2,h:8.8.8,e:300", "close the gap"),
            ("d:spiral,n:0.8,tr:0.2,h:8.8.8,l2:1.0,e:300", "accuracy"),
        ],
    ),
    "batch_norm": (
        "d:circle,h:4.4,bn:1,e:100",
        [
            ("d:circle,h:4.4,bn:1,bs:2,e:20", "accuracy"),
            ("d:circle,h:4.4,e:100", "keep batch_norm"),
        ],
    ),
    "regression": (
        "d:gaussmix,p:regression,h:8.8,e:300",
        [("d:gaussmix,p:regression,h:2,e:300", "test cost")],
    ),
}


def _run(state: str) -> pn.PlaygroundRun:
    run = pn.PlaygroundRun()
    run.set_state(state)
    return run


def test_eight_challenges_each_with_a_text_an_idea_and_a_start_state():
    assert len(CHALLENGES) >= 8 and set(CASES) == set(CHALLENGES)
    ideas = {c.idea for c in CHALLENGES.values()}
    assert len(ideas) == len(CHALLENGES)
    for c in CHALLENGES.values():
        assert c.text and pn.decode_state(c.start)[1] == 0
        assert start_run(c.name).epoch == 0


@pytest.mark.parametrize("name", sorted(CASES))
def test_reference_solves_and_failing_settings_fail(name):
    reference, failing = CASES[name]
    verdict = check_challenge(name, _run(reference))
    assert verdict.done and str(verdict) == "done", (name, verdict)
    for state, what in failing:
        verdict = check_challenge(name, _run(state))
        assert not verdict.done and what in str(verdict), (name, state, str(verdict))


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_start_state_trained_to_the_budget_is_not_done(name):
    run = start_run(name)
    assert run.state == get_challenge(name).start
    assert str(check_challenge(name, run)) == "not yet: train the network first (press play)"
    run.train(30)
    assert not check_challenge(name, run).done


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_start_state_stops_at_the_epoch_budget(name):
    """Play in the app ends where the check looks: the start's stop epoch is the budget."""
    texts = [text for text, _ in get_challenge(name).conditions]
    budgets = [int(n) for t in texts for n in re.findall(r"(?:within|at least) (\d+) epochs", t)]
    assert len(budgets) == 1 and start_run(name).setting("stop_epoch") == budgets[0]


def test_unknown_challenge():
    with pytest.raises(ValueError, match="unknown challenge 'nope'; valid: depth"):
        check_challenge("nope", pn.PlaygroundRun())


def test_a_playground_view_is_checked_through_its_run():
    class View:  # what check_challenge reads of a Playground: its run
        run = _run("d:circle,h:4.4,e:100")

    assert check_challenge("zeros", View()).done
