"""dlcourse.search: samplers, random/grid search on any executor, zoom, coarse to fine."""

import math
import pickle
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

from dlcourse.experiments.search_toy import train_mlp_objective
from dlcourse.search import (
    SearchResult,
    choice,
    coarse_to_fine,
    grid_search,
    int_uniform,
    log_uniform,
    one_minus_log_uniform,
    random_search,
    trial_seed,
    uniform,
    zoom,
)

# ---------------------------------------------------------------- objectives (module level:
# process pools and Dask workers import them by name)

LR_STAR = 10**-2.37


def dominant(params, seed):
    """Only log10(lr) matters much; 'other' barely changes the score."""
    return (math.log10(params["lr"]) + 2.37) ** 2 + 1e-3 * params["other"]


def mixed(params, seed):
    """Seed-dependent dict scores, an exception for large x and a NaN for small x."""
    x = params["x"]
    if x > 0.8:
        raise ValueError(f"x={x:.3f} is too large")
    if x < 0.1:
        return float("nan")
    noise = np.random.default_rng(seed).random()
    return {"score": (x - 0.3) ** 2 + 0.01 * noise, "noise": noise, "k": params["k"]}


def bowl(params, seed):
    return (math.log10(params["lr"]) + 2.37) ** 2 + 10 * (math.log10(1 - params["beta"]) + 2.1) ** 2


# ---------------------------------------------------------------- samplers


def test_uniform_range_and_spread():
    x = uniform(-2.0, 3.0).sample(np.random.default_rng(0), 20_000)
    assert x.shape == (20_000,) and x.min() >= -2.0 and x.max() <= 3.0
    assert x.mean() == pytest.approx(0.5, abs=0.05)
    np.testing.assert_allclose(uniform(-2.0, 3.0).grid(6), np.linspace(-2, 3, 6))


def test_log_uniform_gives_each_decade_the_same_share():
    x = log_uniform(1e-4, 1.0).sample(np.random.default_rng(1), 20_000)
    assert x.min() >= 1e-4 and x.max() <= 1.0
    share = np.histogram(np.log10(x), bins=[-4, -3, -2, -1, 0])[0] / x.size
    np.testing.assert_allclose(share, 0.25, atol=0.015)
    # a plain uniform over the same range puts ~90% of trials in the top decade
    u = uniform(1e-4, 1.0).sample(np.random.default_rng(1), 20_000)
    assert np.mean(u > 0.1) > 0.89


def test_one_minus_log_uniform_explores_beta_evenly_per_decade_of_1_minus_beta():
    b = one_minus_log_uniform(0.9, 0.999).sample(np.random.default_rng(2), 20_000)
    assert b.min() >= 0.9 and b.max() <= 0.999
    assert np.mean(b < 0.99) == pytest.approx(0.5, abs=0.015)
    assert np.mean((b > 0.9) & (b < 0.95)) < 0.2  # a uniform beta would put 50% there
    np.testing.assert_allclose(one_minus_log_uniform(0.9, 0.999).grid(3), [0.9, 0.99, 0.999])


def test_log_grid_is_geometric():
    g = log_uniform(1e-4, 1.0).grid(5)
    np.testing.assert_allclose(g, [1e-4, 1e-3, 1e-2, 1e-1, 1.0], rtol=1e-12)
    assert g[0] == 1e-4 and g[-1] == 1.0  # ends exact
    np.testing.assert_allclose(g[1:] / g[:-1], 10.0)
    assert log_uniform(1e-4, 1.0).grid(1)[0] == pytest.approx(1e-2)  # centre in log scale


def test_int_uniform_includes_both_ends_equally():
    x = int_uniform(1, 4).sample(np.random.default_rng(3), 8000)
    assert np.issubdtype(x.dtype, np.integer)
    values, counts = np.unique(x, return_counts=True)
    np.testing.assert_array_equal(values, [1, 2, 3, 4])
    np.testing.assert_allclose(counts / 8000, 0.25, atol=0.02)
    np.testing.assert_array_equal(int_uniform(1, 4).grid(10), [1, 2, 3, 4])
    np.testing.assert_array_equal(int_uniform(0, 100).grid(3), [0, 50, 100])


def test_choice_keeps_the_options_themselves():
    c = choice(["relu", 32, None])
    x = c.sample(np.random.default_rng(4), 3000)
    assert x.dtype == object and set(x) == {"relu", 32, None}
    assert list(c.grid(7)) == ["relu", 32, None]
    counts = [np.sum(x == o) for o in ("relu", 32)]
    np.testing.assert_allclose(np.array(counts) / 3000, 1 / 3, atol=0.03)


def test_sampler_reprs_are_readable():
    assert repr(log_uniform(1e-4, 1)) == "log_uniform(0.0001, 1)"
    assert repr(one_minus_log_uniform(0.9, 0.999)) == "one_minus_log_uniform(0.9, 0.999)"
    assert repr(uniform(0, 0.5)) == "uniform(0, 0.5)"
    assert repr(int_uniform(1, 4)) == "int_uniform(1, 4)"
    assert repr(choice([32, 64])) == "choice([32, 64])"


@pytest.mark.parametrize(
    "make, exc, match",
    [
        (lambda: uniform(1, 1), ValueError, r"low must be < high, got low=1, high=1"),
        (lambda: uniform(float("nan"), 1), ValueError, r"low must be finite, got nan"),
        (lambda: uniform("a", 1), TypeError, r"low must be a real number, got 'a'"),
        (lambda: log_uniform(0, 1), ValueError, r"low must be > 0 for a log scale, got low=0"),
        (lambda: log_uniform(-1, 1), ValueError, r"low must be > 0.*low=-1"),
        (lambda: one_minus_log_uniform(0.9, 1.0), ValueError, r"high must be < 1.*high=1.0"),
        (
            lambda: one_minus_log_uniform(0.99, 0.9),
            ValueError,
            r"low must be < high, got low=0.99, high=0.9",
        ),
        (lambda: int_uniform(1.5, 3), TypeError, r"low must be an int, got 1.5"),
        (lambda: int_uniform(3, 3), ValueError, r"low must be < high, got low=3, high=3"),
        (lambda: choice([]), ValueError, r"options must not be empty"),
        (lambda: choice("abc"), TypeError, r"options must be a list or tuple of values, got 'abc'"),
        (lambda: uniform(0, 1).sample(0, -1), ValueError, r"n must be >= 0, got -1"),
        (lambda: log_uniform(1e-3, 1).grid(0), ValueError, r"n must be >= 1, got 0"),
    ],
)
def test_bad_sampler_arguments(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


# ---------------------------------------------------------------- random vs grid


def test_random_explores_n_values_of_the_dominant_parameter_grid_only_sqrt_n():
    space = {"lr": log_uniform(1e-4, 1.0), "other": uniform(0.0, 1.0)}
    rnd = random_search(dominant, space, 16, seed=0)
    grd = grid_search(dominant, space, 4)
    assert len(rnd) == len(grd) == 16
    assert len(np.unique(rnd.values("lr"))) == 16
    assert len(np.unique(grd.values("lr"))) == 4
    np.testing.assert_allclose(np.unique(grd.values("lr")), log_uniform(1e-4, 1.0).grid(4))
    # so random search lands closer to the best lr, for almost every seed
    grid_best = grd.best["score"]
    wins = sum(
        random_search(dominant, space, 16, seed=s).best["score"] < grid_best for s in range(20)
    )
    assert wins >= 17


def test_grid_order_and_per_axis_counts():
    space = {"a": uniform(0, 1), "b": choice(["x", "y"]), "c": int_uniform(1, 3)}
    r = grid_search(lambda p, s: p["a"], space, {"a": 2, "b": 1, "c": 3})
    assert [tuple(t["params"].values()) for t in r.trials[:4]] == [
        (0.0, "x", 1),
        (0.0, "x", 2),
        (0.0, "x", 3),
        (0.0, "y", 1),
    ]
    assert len(r) == 2 * 2 * 3
    assert r.method == "grid" and all(isinstance(t["params"]["c"], int) for t in r.trials)


def test_same_seed_same_result_and_trial_seeds_from_seedsequence():
    space = {"x": uniform(0, 1), "k": int_uniform(0, 9)}
    a = random_search(mixed, space, 12, seed=7)
    b = random_search(mixed, space, 12, seed=7)
    c = random_search(mixed, space, 12, seed=8)
    assert a.trials == b.trials
    assert a.trials != c.trials
    assert [t["seed"] for t in a.trials] == [trial_seed(7, i) for i in range(12)]
    expected = [
        int(np.random.SeedSequence(7, spawn_key=(i,)).generate_state(1)[0]) for i in range(12)
    ]
    assert [t["seed"] for t in a.trials] == expected
    assert len(set(expected)) == 12
    assert all(
        isinstance(t["params"]["x"], float) and isinstance(t["params"]["k"], int) for t in a.trials
    )


# ---------------------------------------------------------------- executors

SPACE = {"x": uniform(0.0, 1.0), "k": choice([1, 2, 3])}


@pytest.fixture(scope="module")
def serial_result():
    return random_search(mixed, SPACE, 16, seed=3)


def test_serial_result_has_failures_and_extra_columns(serial_result):
    r = serial_result
    errors = [t["error"] for t in r.trials if t["error"]]
    assert any(e.startswith("ValueError: x=") and "too large" in e for e in errors)
    assert any(e == "FloatingPointError: the score is nan" for e in errors)
    assert all(t["score"] == math.inf for t in r.failed)
    assert 0 < len(r.failed) < len(r)
    assert math.isfinite(r.best["score"]) and 0.1 <= r.best["params"]["x"] <= 0.8
    ok = [t for t in r.trials if t["error"] is None]
    assert all(t["noise"] == np.random.default_rng(t["seed"]).random() for t in ok)


@pytest.mark.parametrize(
    "make_executor",
    [
        lambda: ThreadPoolExecutor(max_workers=3),
        lambda: ProcessPoolExecutor(max_workers=2),
    ],
    ids=["threads", "processes"],
)
def test_pools_give_the_serial_result(serial_result, make_executor):
    with make_executor() as ex:
        r = random_search(mixed, SPACE, 16, seed=3, executor=ex)
        g = grid_search(mixed, SPACE, 3, executor=ex)
    assert r.trials == serial_result.trials
    assert g.trials == grid_search(mixed, SPACE, 3).trials


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.mark.dask
def test_dask_cluster_gives_the_serial_result(serial_result, dask_client):
    via_executor = random_search(mixed, SPACE, 16, seed=3, executor=dask_client.get_executor())
    via_client = random_search(mixed, SPACE, 16, seed=3, executor=dask_client)
    assert via_executor.trials == serial_result.trials
    assert via_client.trials == serial_result.trials
    mlp = random_search(
        train_mlp_objective, {"lr": log_uniform(1e-2, 10)}, 4, seed=0, executor=dask_client
    )
    assert (
        mlp.trials
        == random_search(train_mlp_objective, {"lr": log_uniform(1e-2, 10)}, 4, seed=0).trials
    )


def test_unpicklable_objective_is_refused_for_a_process_pool():
    with ProcessPoolExecutor(max_workers=1) as ex:
        with pytest.raises(TypeError, match=r"objective .* cannot be pickled .* module level"):
            random_search(lambda p, s: 0.0, SPACE, 2, executor=ex)


def test_progress_bar(capsys):
    random_search(dominant, {"lr": log_uniform(1e-4, 1), "other": uniform(0, 1)}, 5, progress=True)
    err = capsys.readouterr().err
    assert "random search" in err and "5/5" in err


# ---------------------------------------------------------------- failures and the table


def test_all_failing_trials_are_recorded_not_raised():
    r = random_search(lambda p, s: 1 / 0, {"x": uniform(0, 1)}, 3)
    assert [t["error"] for t in r.trials] == ["ZeroDivisionError: division by zero"] * 3
    assert np.all(r.scores == np.inf)
    with pytest.raises(
        ValueError, match=r"no successful trial among 3; first error: ZeroDivisionError"
    ):
        r.best
    assert "3 failed, best score none" in repr(r)
    with pytest.raises(ValueError, match=r"no successful trial to zoom around"):
        zoom(r)


@pytest.mark.parametrize(
    "value, match",
    [
        ({"val": 1.0}, r"dict without 'score': keys \['val'\]"),
        ("0.5", r"TypeError: the score must be a real number, got '0.5'"),
        (float("inf"), r"the score is inf"),
        ({"score": 1.0, "seed": 3}, r"reserved column\(s\) \['seed'\]"),
    ],
)
def test_malformed_scores_are_failed_trials(value, match):
    r = random_search(lambda p, s: value, {"x": uniform(0, 1)}, 1)
    assert r.trials[0]["score"] == math.inf
    assert r.trials[0]["error"] is not None and __import__("re").search(match, r.trials[0]["error"])


def handmade() -> SearchResult:
    trials = [
        {
            "trial": 0,
            "params": {"lr": 0.012345678, "act": "relu"},
            "score": 0.5,
            "acc": 0.81,
            "seed": 11,
            "error": None,
        },
        {
            "trial": 1,
            "params": {"lr": 0.3, "act": "tanh"},
            "score": math.inf,
            "seed": 12,
            "error": "ValueError: boom",
        },
        {
            "trial": 2,
            "params": {"lr": 1e-5, "act": "relu"},
            "score": 0.25,
            "acc": 0.9,
            "seed": 13,
            "error": None,
        },
    ]
    return SearchResult(trials, {"lr": log_uniform(1e-6, 1), "act": choice(["relu", "tanh"])})


def test_table_sorts_and_flattens():
    r = handmade()
    rows = r.table()
    assert [row["trial"] for row in rows] == [2, 0, 1]
    assert list(rows[0]) == ["trial", "lr", "act", "score", "acc", "seed", "error"]
    assert rows[2]["acc"] is None and rows[2]["error"] == "ValueError: boom"
    assert [row["trial"] for row in r.table("lr", ascending=False)] == [1, 0, 2]
    assert [row["trial"] for row in r.table("acc", ascending=False)] == [2, 0, 1]  # missing last
    assert [row["trial"] for row in r.table("acc")] == [0, 2, 1]
    assert len(r.table(top=1)) == 1
    np.testing.assert_array_equal(r.values("lr"), [0.012345678, 0.3, 1e-5])
    assert list(r.values("act")) == ["relu", "tanh", "relu"]
    np.testing.assert_array_equal(r.scores, [0.5, np.inf, 0.25])
    assert r.best["trial"] == 2 and r.best_params == {"lr": 1e-5, "act": "relu"}


def test_markdown_table_is_fixed_format():
    expected = "\n".join(
        [
            "| trial | lr      | act  | score | acc  | error            |",
            "|-------|---------|------|-------|------|------------------|",
            "| 2     | 1e-05   | relu | 0.25  | 0.9  |                  |",
            "| 0     | 0.01235 | relu | 0.5   | 0.81 |                  |",
            "| 1     | 0.3     | tanh | inf   |      | ValueError: boom |",
        ]
    )
    r = handmade()
    assert r.to_markdown() == expected
    assert (
        repr(r) == "SearchResult(random search, 3 trials, 1 failed, best score 0.25)\n" + expected
    )
    assert "error" not in r.to_markdown(top=2)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (
            lambda: random_search(dominant, {"lr": log_uniform(1e-3, 1)}, 0),
            ValueError,
            r"n_trials must be >= 1, got 0",
        ),
        (
            lambda: random_search(dominant, {"lr": log_uniform(1e-3, 1)}, 2, seed=-1),
            ValueError,
            r"seed must be >= 0, got -1",
        ),
        (
            lambda: random_search("f", {"lr": log_uniform(1e-3, 1)}, 2),
            TypeError,
            r"objective must be callable, got 'f'",
        ),
        (lambda: random_search(dominant, {}, 2), ValueError, r"space must be a non-empty dict"),
        (
            lambda: random_search(dominant, {"lr": (1e-3, 1)}, 2),
            TypeError,
            r"space\['lr'\] must be a sampler.*\(0.001, 1\)",
        ),
        (
            lambda: random_search(dominant, {"score": uniform(0, 1)}, 2),
            ValueError,
            r"'score' is a reserved column name",
        ),
        (
            lambda: random_search(dominant, {"lr": log_uniform(1e-3, 1)}, 2, executor=4),
            TypeError,
            r"executor must be None or have a submit.*got 4",
        ),
        (
            lambda: grid_search(dominant, {"lr": log_uniform(1e-3, 1)}, 0),
            ValueError,
            r"points_per_axis must be >= 1, got 0",
        ),
        (
            lambda: grid_search(
                dominant, {"lr": log_uniform(1e-3, 1), "o": uniform(0, 1)}, {"lr": 2}
            ),
            ValueError,
            r"points_per_axis has no entry for \['o'\]",
        ),
        (
            lambda: handmade().table("speed"),
            ValueError,
            r"unknown sort_by 'speed'; valid: 'trial', 'lr'",
        ),
        (lambda: handmade().values("speed"), ValueError, r"unknown name 'speed'"),
        (lambda: handmade().table(top=-1), ValueError, r"top must be >= 0, got -1"),
        (lambda: zoom(handmade(), top_k=0), ValueError, r"top_k must be >= 1, got 0"),
        (lambda: zoom(handmade(), margin=-0.5), ValueError, r"margin must be >= 0, got -0.5"),
        (
            lambda: coarse_to_fine(dominant, {"lr": log_uniform(1e-3, 1)}, rounds=0),
            ValueError,
            r"rounds must be >= 1, got 0",
        ),
    ],
)
def test_bad_search_arguments(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---------------------------------------------------------------- zoom and coarse to fine


def test_zoom_narrows_around_the_best_in_each_samplers_scale():
    space = {
        "lr": log_uniform(1e-5, 1.0),
        "beta": one_minus_log_uniform(0.5, 0.9999),
        "other": uniform(0.0, 1.0),
        "units": int_uniform(1, 100),
        "act": choice(["a", "b"]),
    }

    def objective(p, seed):
        return bowl(p, seed) + (p["units"] - 40) ** 2 / 1e4 + p["other"]

    r = random_search(objective, space, 60, seed=1)
    top = sorted(r.trials, key=lambda t: t["score"])[:5]
    new = zoom(r, top_k=5, margin=0.5)
    assert set(new) == set(space) and new["act"] is space["act"]
    for name in ("lr", "beta", "other", "units"):
        old, nar = space[name], new[name]
        assert type(nar) is type(old)
        assert old.low <= nar.low < nar.high <= old.high
        t_old = np.ptp(old.forward(np.array([old.low, old.high])))
        t_new = np.ptp(nar.forward(np.array([nar.low, nar.high])))
        assert t_new < 0.8 * t_old, name  # narrower in the sampler's own scale
        vals = [t["params"][name] for t in top]
        assert nar.low <= min(vals) and max(vals) <= nar.high  # the top trials stay inside
    assert new["lr"].low < LR_STAR < new["lr"].high
    # margin 0: exactly the range of the top trials (in log scale for lr)
    tight = zoom(r, top_k=5, margin=0.0)
    lrs = [t["params"]["lr"] for t in top]
    assert tight["lr"].low == pytest.approx(min(lrs)) and tight["lr"].high == pytest.approx(
        max(lrs)
    )


def test_zoom_keeps_an_interval_when_the_top_trials_agree():
    r = random_search(dominant, {"lr": log_uniform(1e-4, 1.0), "other": uniform(0, 1)}, 10)
    new = zoom(r, top_k=1)
    best = r.best["params"]["lr"]
    assert new["lr"].low < best < new["lr"].high
    # w = 0.1 * 4 decades, margin 0.5: 0.2 decades on each side
    assert math.log10(new["lr"].high / new["lr"].low) == pytest.approx(0.4, abs=1e-9)


def test_zoom_never_widens_past_the_old_bounds():
    """The best values sit at the upper end: the new range is clipped there."""
    space = {
        "lr": log_uniform(1e-4, 1.0),
        "beta": one_minus_log_uniform(0.9, 0.999),
        "units": int_uniform(1, 8),
    }
    new = {}
    for name, sampler in space.items():  # one 1-D search each: the score falls with the value
        r = random_search(lambda p, s: -p["x"], {"x": sampler}, 30)
        new[name] = zoom(r, top_k=3, margin=2.0)["x"]
    assert new["lr"].high == 1.0 and new["lr"].low > 1e-4
    assert new["beta"].high == 0.999 and new["beta"].low > 0.9
    assert new["units"].high == 8 and new["units"].low > 1


def test_coarse_to_fine_improves_the_best_score():
    space = {"lr": log_uniform(1e-6, 1.0), "beta": one_minus_log_uniform(0.0, 0.9999)}
    results = coarse_to_fine(bowl, space, rounds=3, n_trials=15, top_k=4, seed=2)
    assert len(results) == 3 and all(isinstance(r, SearchResult) for r in results)
    bests = [r.best["score"] for r in results]
    assert bests[2] < bests[0] / 5
    spans = [np.ptp(np.log10([r.space["lr"].low, r.space["lr"].high])) for r in results]
    assert spans[0] > spans[1] > spans[2]
    assert results[-1].space["lr"].low < LR_STAR < results[-1].space["lr"].high
    again = coarse_to_fine(bowl, space, rounds=3, n_trials=15, top_k=4, seed=2)
    assert [r.trials for r in again] == [r.trials for r in results]


# ---------------------------------------------------------------- the MLP objective


def test_train_mlp_objective_is_seeded_and_learns():
    # its speed is measured in benchmarks/, never asserted here (shared CI machines are noisy)
    out = train_mlp_objective({"lr": 1.0, "beta": 0.9}, seed=0)
    assert set(out) == {"score", "val_accuracy", "train_loss"}
    assert out["val_accuracy"] > 0.9 and out["score"] < 0.3
    assert train_mlp_objective({"lr": 1.0, "beta": 0.9}, seed=0) == out
    assert train_mlp_objective({"lr": 1.0, "beta": 0.9}, seed=1) != out
    assert pickle.loads(pickle.dumps(train_mlp_objective)) is train_mlp_objective
    deep = train_mlp_objective(
        {"hidden": 8, "layers": 3, "batch_size": 16.0, "l2": 0.1, "dataset": "spiral", "epochs": 5},
        seed=0,
    )
    assert math.isfinite(deep["score"])


def test_train_mlp_objective_reports_divergence_and_bad_keys():
    with pytest.raises(
        FloatingPointError, match=r"diverged at epoch \d+, step \d+: learning rate 10000 too large"
    ):
        train_mlp_objective({"lr": 1e4}, seed=0)
    with pytest.raises(ValueError, match=r"unknown hyperparameter\(s\) \['alpha'\]"):
        train_mlp_objective({"alpha": 0.1}, seed=0)
    with pytest.raises(TypeError, match=r"hidden must be an int, got 2.5"):
        train_mlp_objective({"hidden": 2.5}, seed=0)
    r = random_search(train_mlp_objective, {"lr": log_uniform(1e3, 1e5)}, 3)
    assert any("diverged" in (t["error"] or "") for t in r.trials)


def test_run_trial_turns_a_failure_into_data():
    from dlcourse.search import run_trial

    def objective(params, seed):
        if params["lr"] > 1:
            raise ValueError(f"lr {params['lr']} diverged")
        return params["lr"] * seed

    assert run_trial(objective, {"lr": 0.5}, 4) == {"score": 2.0, "extra": {}, "error": None}
    bad = run_trial(objective, {"lr": 2.0}, 4)
    assert bad["score"] == float("inf") and bad["error"] == "ValueError: lr 2.0 diverged"
