"""The claims notebook 10 makes in prose, on the same calls as the notebook; and the
live leaderboard's numerics (streamed trials give random_search's table)."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from dlcourse import search
from dlcourse.experiments import coarse_to_fine as c2f
from dlcourse.experiments.leaderboard import Leaderboard, stream_trials, trial_points
from dlcourse.experiments.search_toy import SPACE, toy_objective, train_mlp_objective


def same_init_objective(params, seed):
    return train_mlp_objective({**params, "epochs": 20, "n": 200}, seed=0)


def test_random_beats_grid_in_most_but_not_all_seeds():
    duel = c2f.grid_vs_random(toy_objective, SPACE, sides=(3, 4, 5, 6), seeds=range(40))
    wins = duel.random_wins()
    assert np.all(wins >= 0.75) and wins.min() < 1.0  # "75 % to 100 %", "not every one"
    assert abs(wins[-1] - 0.75) < 1e-9  # "75 % at 36 trials"
    med = np.median(duel.random_best, axis=1)
    assert np.all(np.diff(med) < 0)  # the median keeps improving


@pytest.fixture(scope="module")
def rounds():
    wide = {"lr": search.log_uniform(1e-4, 10.0), "beta": search.one_minus_log_uniform(0.5, 0.999)}
    return search.coarse_to_fine(same_init_objective, wide, rounds=3, n_trials=15, top_k=4, seed=3)


def test_zoom_only_box_is_pinned_to_the_upper_alpha_edge(rounds):
    last = rounds[-1].space["lr"]
    assert last.high == 10.0 and 1.3 < np.log10(last.high / last.low) < 1.5  # 1.4 decades
    assert c2f.edges_touched(rounds[0])["lr"] == "high"
    assert c2f.edges_touched(rounds[1])["lr"] == "high"


def test_widening_finds_nothing_better_beyond_the_edge(rounds):
    wider = c2f.widen(rounds[-1].space, {"lr": "high"})
    assert abs(wider["lr"].high - 100.0) < 1e-9
    check = search.random_search(
        same_init_objective, wider, n_trials=15, seed=search.trial_seed(3, 3)
    )
    top = sorted(check.trials, key=lambda t: t["score"])[:4]
    assert all(1.3 < t["params"]["lr"] < 3.1 for t in top)  # "alpha ≈ 1.4–3"
    beyond = check.scores[check.values("lr") > 10]
    assert beyond.size >= 3 and beyond.min() > 8 * check.best["score"]  # "ten times worse"
    assert "lr" not in c2f.edges_touched(check)


def test_widen_keeps_beta_in_range_and_stops_at_zero():
    space = {"beta": search.one_minus_log_uniform(0.5, 0.99)}
    w = c2f.widen(space, {"beta": "low"})
    assert w["beta"].low == 0.0 and w["beta"].high == 0.99
    w = c2f.widen(space, {"beta": "high"})
    assert abs(w["beta"].high - 0.999) < 1e-12


def test_streamed_trials_give_random_searchs_table_in_any_order():
    space = {"lr": search.log_uniform(1e-3, 1.0), "beta": search.one_minus_log_uniform(0.5, 0.99)}
    ref = search.random_search(toy_objective, space, 10, seed=4)
    assert [t["params"] for t in ref.trials] == trial_points(space, 10, 4)
    for executor in (None, ThreadPoolExecutor(2)):
        board = Leaderboard(10)
        for t in stream_trials(toy_objective, space, 10, seed=4, executor=executor):
            board.add(t)
        assert board.table() == ref.trials
        assert board.best["score"] == ref.best["score"]
        assert np.all(np.diff(board.best_so_far()) <= 0)


def test_stream_rejects_a_non_executor():
    with pytest.raises(TypeError, match="executor"):
        next(stream_trials(toy_objective, SPACE, 2, executor=object()))


@pytest.mark.dask
def test_streamed_trials_on_a_dask_client_give_the_same_table():
    distributed = pytest.importorskip("distributed")
    space = {"lr": search.log_uniform(1e-3, 1.0), "beta": search.one_minus_log_uniform(0.5, 0.99)}
    ref = search.random_search(toy_objective, space, 6, seed=1)
    with distributed.Client(
        processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None
    ) as client:
        board = Leaderboard(6)
        for t in stream_trials(toy_objective, space, 6, seed=1, executor=client):
            board.add(t)
    assert board.table() == ref.trials
