"""Notebook 09's claims about decay on least squares, the schedules on a network and the
range test's suggestion, each over five seeds (data, initialisation and shuffle)."""

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import datasets
from dlcourse.exercises.schedules import Q_LADDER
from dlcourse.optim import schedules
from dlcourse.topics.lr_finder import lr_range_test

SEEDS = range(5)


def _least_squares_gaps(seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((500, 5))
    y = (X @ np.array([1.0, -2.0, 0.5, 3.0, -1.0]) + 0.5 * rng.standard_normal(500))[:, None]
    A = np.hstack([X, np.ones((500, 1))])
    J_star = np.mean((A @ np.linalg.lstsq(A, y, rcond=None)[0] - y) ** 2)

    def excess(lr, schedule=None):
        model = dl.Dense(5, 1, rng=seed)
        opt = dl.optim.SGD(model.parameters(), lr)
        h = dl.fit(
            model, X, y, dl.MSE(), opt, epochs=40, batch_size=4, schedule=schedule,
            validation=(X, y), seed=seed,
        )  # fmt: skip
        return np.array(h.val_loss) - J_star

    decay = schedules.inverse_time_decay(0.04, 0.5)
    return excess(0.04), excess(0.005), excess(0.04, decay)


@pytest.mark.parametrize("seed", SEEDS)
def test_decay_ends_lowest_but_the_small_constant_leads_for_a_while(seed):
    big, small, decayed = _least_squares_gaps(seed)
    assert decayed[0] == pytest.approx(big[0]) and small[0] > 10 * big[0]  # fast start
    assert big[-10:].mean() > 30 * small[-10:].mean()  # the large alpha's high floor
    assert small[-10:].mean() > 10 * decayed[-10:].mean()  # decay ends ten times lower
    lower = np.flatnonzero(small < decayed) + 1
    assert lower.min() in (3, 4) and lower.max() in (14, 15)
    assert np.array_equal(lower, np.arange(lower.min(), lower.max() + 1))  # one stretch


def _moons_final_costs(seed):
    X, y = datasets.moons(400, 0.25, rng=seed)
    lr0 = 1.0
    all_schedules = {
        "constant": schedules.constant(lr0),
        "step": schedules.step_decay(lr0, drop=0.5, every=15),
        "exponential": schedules.exponential_decay(lr0, k=0.05),
        "1/t": schedules.inverse_time_decay(lr0, decay_rate=0.2),
        "staircase": schedules.staircase(lr0, decay_rate=1.0, every=10),
    }
    out = {}
    for name, schedule in all_schedules.items():
        model = dl.Sequential(
            [
                dl.Dense(2, 32, rng=10 * seed + 1),
                dl.ReLU(),
                dl.Dense(32, 32, rng=10 * seed + 2),
                dl.ReLU(),
                dl.Dense(32, 2, rng=10 * seed + 3),
            ]
        )
        opt = dl.optim.SGD(model.parameters(), lr=lr0)
        loss = dl.SoftmaxCrossEntropy()
        dl.fit(model, X, y, loss, opt, epochs=60, batch_size=8, schedule=schedule, seed=seed)
        out[name] = dl.evaluate(model, X, y, loss)[0]
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_every_decay_ends_at_least_1_3_times_below_the_constant(seed):
    final = _moons_final_costs(seed)
    assert all(final["constant"] > 1.3 * v for k, v in final.items() if k != "constant")


FACTORS = (0.1, 0.3, 1.0, 2.0, 3.0, 10.0)


def _ladder(seed):
    X, y = datasets.load_digits()
    X = X / 16.0

    def make_net():
        return dl.Sequential(
            [dl.Dense(64, 32, rng=10 * seed + 1), dl.ReLU(), dl.Dense(32, 10, rng=10 * seed + 2)]
        )

    def adam(params, lr):
        return dl.optim.Adam(params, lr)

    loss = dl.SoftmaxCrossEntropy()
    found = lr_range_test(make_net, X, y, loss, adam, 1e-4, 10.0, 100, 32, seed=seed)
    costs = []
    for f in FACTORS:
        model = make_net()
        opt = adam(model.parameters(), f * found.suggestion)
        with np.errstate(all="ignore"):
            h = dl.fit(model, X, y, loss, opt, epochs=5, batch_size=32, seed=seed)
        costs.append(h.loss[-1] if np.isfinite(h.loss[-1]) else np.inf)
    return dict(zip(FACTORS, costs))


@pytest.mark.parametrize("seed", SEEDS)
def test_the_lowest_rung_is_1_to_3_times_the_suggestion(seed):
    c = _ladder(seed)
    assert 1.0 <= min(c, key=c.get) <= 3.0  # Q_LADDER (b)
    assert c[0.1] > c[1.0] and c[10.0] > 3 * c[1.0]
    assert 0.3 < c[10.0] and min(c.values()) < 0.125
    assert Q_LADDER.answer == "b"


def _adam_on_moons(seed, lr0, schedule):
    X, y = datasets.moons(400, 0.25, rng=seed)
    model = dl.Sequential(
        [
            dl.Dense(2, 32, rng=10 * seed + 1),
            dl.ReLU(),
            dl.Dense(32, 32, rng=10 * seed + 2),
            dl.ReLU(),
            dl.Dense(32, 2, rng=10 * seed + 3),
        ]
    )
    loss = dl.SoftmaxCrossEntropy()
    opt = dl.optim.Adam(model.parameters(), lr0)
    dl.fit(model, X, y, loss, opt, epochs=60, batch_size=32, schedule=schedule, seed=seed)
    return dl.evaluate(model, X, y, loss)[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_with_adam_decay_helps_from_a_large_alpha0_and_hurts_from_a_small_one(seed):
    ratio = {}
    for lr0 in (0.003, 0.1):
        const = _adam_on_moons(seed, lr0, schedules.constant(lr0))
        step = _adam_on_moons(seed, lr0, schedules.step_decay(lr0, drop=0.5, every=15))
        ratio[lr0] = const / step
    assert 1.06 <= ratio[0.1] <= 1.29
    assert 0.72 <= ratio[0.003] <= 0.94


# ------------------------------------------------------------------ 09 Exercise 3
WARMUP_GRID = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0)


def _warmup(lr0, warmup=5):
    from dlcourse.exercises.schedules import reference_warmup_cosine

    return lambda epoch: reference_warmup_cosine(lr0, warmup, 60, epoch)


@pytest.mark.parametrize("seed", range(5))
def test_warmup_cosine_beats_a_retuned_constant_and_the_decay_does_most_of_it(seed):
    from dlcourse.experiments.schedule_runs import moons_final_cost
    from dlcourse.optim import schedules as sch

    const = [moons_final_cost(sch.constant(a), a, seed) for a in WARMUP_GRID]
    warm = [moons_final_cost(_warmup(a), a, seed) for a in WARMUP_GRID]
    i, j = int(np.argmin(const)), int(np.argmin(warm))
    assert 0 < i < len(WARMUP_GRID) - 1 and 0 < j < len(WARMUP_GRID) - 1  # inside the grid
    assert WARMUP_GRID[i] in (0.1, 0.2, 0.5) and WARMUP_GRID[j] == 1.0
    assert 1.15 < const[i] / warm[j] < 1.35  # "1.2 to 1.3 times lower"
    alone = moons_final_cost(_warmup(1.0, warmup=0), 1.0, seed)  # control: no warm-up
    assert abs(alone / warm[j] - 1) < 0.1  # "within 10 %"
    assert const[-1] > 0.69 and moons_final_cost(_warmup(2.0, 0), 2.0, seed) > 0.69


def test_warmup_rescues_alpha_2_on_seeds_0_and_4_and_not_2_and_3():
    """Seed 1 ends at 0.15 with numpy 2 and at 0.68 with numpy 1.24 (round-off at the edge
    decides it), so the notebook names it as undecided and the test leaves it out."""
    from dlcourse.experiments.schedule_runs import moons_final_cost

    final = {seed: moons_final_cost(_warmup(2.0), 2.0, seed) for seed in (0, 2, 3, 4)}
    assert final[0] < 0.3 and final[4] < 0.3  # 0.24 and 0.28
    assert final[2] > 0.69 and final[3] > 0.69
