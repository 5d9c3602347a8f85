"""The live leaderboard of notebook 10 (view over dlcourse.experiments.leaderboard)."""

import math

import numpy as np
import pytest

from dlcourse import search
from dlcourse.experiments.search_toy import toy_objective
from dlcourse.widgets.search_leaderboard import SearchLeaderboard

SPACE = {"lr": search.log_uniform(1e-3, 1.0), "beta": search.one_minus_log_uniform(0.5, 0.99)}


def test_runs_and_ranks_like_random_search():
    board = SearchLeaderboard(SPACE, objective=toy_objective, n_trials=8, seed=2)
    assert board.message == "" and board.board.done == 8 and board.progress.value == 8
    ref = search.random_search(toy_objective, SPACE, 8, seed=2)
    assert board.board.table() == ref.trials
    ranked = [t["score"] for t in board.board.ranked()]
    assert ranked == sorted(ranked)
    text = board.leaderboard_text(top=3)
    assert text.splitlines()[0].startswith("rank") and len(text.splitlines()) == 4
    assert "<table" in board.table_html.value


def test_failed_trials_are_shown_not_raised():
    def sometimes_fails(params, seed):
        if params["lr"] > 0.1:
            raise FloatingPointError("diverged")
        return toy_objective(params, seed)

    board = SearchLeaderboard(SPACE, objective=sometimes_fails, n_trials=10, seed=0)
    assert board.message == ""
    scores = [t["score"] for t in board.board.ranked()]
    assert any(math.isinf(s) for s in scores) and math.isinf(scores[-1])
    assert "failed" in board.leaderboard_text(top=10)


def test_controls_do_not_rerun_until_asked():
    board = SearchLeaderboard(SPACE, objective=toy_objective, n_trials=4, seed=0)
    board.controls["n_trials"].value = 6
    assert board.board.done == 4 and "run search" in board.status.value
    board.run()
    assert board.board.done == 6 and np.isfinite(board.board.best["score"])


def test_bad_input():
    with pytest.raises(ValueError, match="lr"):
        SearchLeaderboard({"beta": SPACE["beta"]}, objective=toy_objective)
    with pytest.raises(ValueError):
        SearchLeaderboard(SPACE, objective=toy_objective, n_trials=0)
