"""Notebook 10's search loop (coarse to fine that widens at an edge): the right answers
pass, and the wrong answers learners write are refused, each with the hint it deserves.

``WRONG`` and ``SOLUTIONS`` have the layout of ``test_grader_wrong_answers.WRONG`` and
``test_grader_properties.SOLUTIONS`` (key ``"search.check_coarse_to_fine"``)."""

import numpy as np

from dlcourse.exercises import topic_checks
from dlcourse.experiments.coarse_to_fine import widening_search

KEY = "search.check_coarse_to_fine"
CHECK = topic_checks()[KEY]
SHORTCUT = "which this exercise asks you to write yourself"


def coarse_to_fine_search(objective, low, high, rounds, n_trials, rng, top_k, edge):
    """Coarse to fine over alpha, widening when the best trial is within `edge` of an edge."""
    a, b = np.log10(low), np.log10(high)
    tried, scores = [], []
    for _ in range(rounds):
        u = rng.uniform(a, b, size=n_trials)
        s = np.array([objective(10.0**x) for x in u])
        tried.append(10.0**u)
        scores.append(s)
        order = np.argsort(s)
        best, width = u[order[0]], b - a
        if best > b - edge * width:
            b = b + width
        elif best < a + edge * width:
            a = a - width
        else:
            a, b = u[order[:top_k]].min(), u[order[:top_k]].max()
    tried, scores = np.concatenate(tried), np.concatenate(scores)
    return tried, tried[np.argmin(scores)]


SOLUTIONS = {KEY: coarse_to_fine_search}


def _loop(
    draw="log",
    rule="right",
    extra_call=False,
    missing_call=False,
    sort=False,
    best="all",
    reuse=False,
):
    """A search loop with one of the usual mistakes."""

    def fn(objective, low, high, rounds, n_trials, rng, top_k, edge):
        a, b = np.log10(low), np.log10(high)
        tried, scores, kept = [], [], None
        for r in range(rounds):
            if draw == "alpha":
                u = np.log10(rng.uniform(10.0**a, 10.0**b, size=n_trials))
            elif draw == "grid":
                u = rng.permutation(np.linspace(a, b, n_trials))
            else:
                if kept is None or not reuse:
                    kept = rng.uniform(0.0, 1.0, size=n_trials)
                u = a + (b - a) * kept
            n_scored = n_trials - 1 if missing_call and r == rounds - 1 else n_trials
            s = np.array(
                [objective(10.0**x) for x in u[:n_scored]] + [np.inf] * (n_trials - n_scored)
            )
            tried.append(10.0**u)
            scores.append(s)
            a, b = _next(rule, u, s, a, b, top_k, edge)
        tried, scores = np.concatenate(tried), np.concatenate(scores)
        if extra_call:
            objective(tried[np.argmin(scores)])  # scores the winner once more
        i = np.argmin(scores)
        if sort:
            order = np.argsort(tried)
            tried, scores = tried[order], scores[order]
        if best == "last":
            last = tried[-n_trials:]
            return tried, last[np.argmin(scores[-n_trials:])]
        if best == "cost":
            return tried, scores[i]
        return tried, tried[np.argmin(scores)] if sort else tried[i]

    return fn


def _next(rule, u, s, a, b, top_k, edge):
    order = np.argsort(s)
    best, width = u[order[0]], b - a
    top = u[order[:top_k]]
    at_high, at_low = best > b - edge * width, best < a + edge * width
    if rule == "edge on alpha":  # the edge measured on alpha itself, not on its exponent
        lo, hi = 10.0**a, 10.0**b
        at_high = 10.0**best > hi - edge * (hi - lo)
        at_low = 10.0**best < lo + edge * (hi - lo)
    if rule == "any of top_k":  # widens when any of the top_k trials is at an edge
        at_high, at_low = top.max() > b - edge * width, top.min() < a + edge * width
    if rule == "never widen" or not (at_high or at_low):
        if rule == "never zoom":
            return a, b
        if rule == "zoom on all":
            return u.min(), u.max()
        return top.min(), top.max()
    if rule == "one decade":
        return (a, b + 1.0) if at_high else (a - 1.0, b)
    if rule == "shift":
        return (a + width, b + width) if at_high else (a - width, b - width)
    if rule == "wrong side":
        return (a - width, b) if at_high else (a, b + width)
    return (a, b + width) if at_high else (a - width, b)


def _own_generator(objective, low, high, rounds, n_trials, rng, top_k, edge):
    return coarse_to_fine_search(
        objective, low, high, rounds, n_trials, np.random.default_rng(0), top_k, edge
    )


def _global_generator(objective, low, high, rounds, n_trials, rng, top_k, edge):
    class Global:
        def uniform(self, a, b, size):
            return np.random.uniform(a, b, size)

    return coarse_to_fine_search(objective, low, high, rounds, n_trials, Global(), top_k, edge)


def _package(*args):
    return widening_search(*args)


# run by tests/test_grader_wrong_answers.py (it collects the WRONG* dicts of these files)
WRONG = {
    KEY: [
        (_loop(draw="alpha"), "you drew alpha uniformly"),
        (_loop(rule="never widen"), "where you zoomed in"),
        (_loop(rule="never zoom"), "you kept the whole range"),
        (_loop(rule="zoom on all"), "the span of all the trials"),
        (_loop(rule="one decade"), "not by one decade"),
        (_loop(rule="shift"), "you moved the whole range"),
        (_loop(rule="wrong side"), "widen on that side"),
        (_loop(rule="edge on alpha"), "within `edge` of an edge, widen"),
        (_loop(rule="any of top_k"), "zoom in, do not widen"),
        (_loop(extra_call=True), "called `objective` 12001 times"),
        (_loop(missing_call=True), "called `objective` 11999 times"),
        (_loop(sort=True), "in the order you called `objective`"),
        (_loop(best="last"), "over ALL rounds"),
        (_loop(best="cost"), "the alpha (not the cost"),
        (_loop(draw="grid"), "grid"),
        (_loop(reuse=True), "reuses the draws of the round before"),
        (_own_generator, "two generators with different seeds gave the same"),
        (_global_generator, "numpy's global generator"),
        (_package, SHORTCUT),
    ]
}


def test_the_right_answers_pass():
    assert CHECK(coarse_to_fine_search).passed
    assert CHECK(widening_search).passed  # the package's own, given as the answer


def test_a_stub_and_a_none_get_their_messages():
    def stub(*args):
        raise NotImplementedError()

    assert "not written yet" in CHECK(stub).message
    assert "forget `return`" in CHECK(lambda *args: None).message
