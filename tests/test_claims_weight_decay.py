"""The claims notebook 05 makes about L2 and dropout, checked on the same runs over seeds."""

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import datasets

from dlcourse.experiments.weight_decay import (
    DataCosts,
    final_gap,
    lambda_sweep,
    make_net,
    moons_split,
    train_net,
)
from dlcourse.exercises.regularization import Q_LAMBDA, Q_LAMBDA_LARGE
from dlcourse.topics.augment import augment, random_shifts
from dlcourse.topics.ensemble import (
    bootstrap_indices,
    ensemble_accuracy,
    ensemble_proba,
    member_accuracies,
)

SEEDS = range(5)


@pytest.mark.parametrize("seed", SEEDS)
def test_lambda_sweep_is_a_u_curve(seed):
    rows = lambda_sweep((0.0, 0.1, 1.0, 10.0, 30.0), seed=seed)
    val = [r.val_cost for r in rows]
    best = int(np.argmin(val))
    assert 0 < best < len(rows) - 1  # a minimum inside: falls, then rises
    assert rows[best].lam == 1.0
    assert val[0] > 1.0 and val[-1] > val[best] + 0.3
    # 4.1: the big net fits (nearly) every training point, cost near 0, validation cost above 1,
    # validation accuracy no worse than logistic regression's 0.842
    assert rows[0].train_acc >= 0.98 and rows[0].train_cost < 0.03 and rows[0].val_acc >= 0.84
    assert [r.train_acc for r in rows] == sorted((r.train_acc for r in rows), reverse=True)
    norms = [r.norm for r in rows]
    assert norms == sorted(norms, reverse=True) and norms[0] > 25
    assert norms[-1] < 0.01 * norms[0]  # "shrunk more than a hundredfold"
    assert abs(rows[-1].val_cost - np.log(2)) < 0.01  # 50/50 everywhere at lambda = 30
    assert rows[-1].train_acc == 0.5  # Q_LAMBDA_LARGE (c): half the training points
    assert Q_LAMBDA.answer == "b" and Q_LAMBDA_LARGE.answer == "c"


def _curves(l2=0.0, dropout=0.0):
    X_tr, y_tr, X_va, y_va = moons_split()
    dc = DataCosts(X_tr, y_tr, X_va, y_va)
    train_net(make_net(dropout=dropout), X_tr, y_tr, X_va, y_va, l2=l2, callbacks=[dc])
    return np.array(dc.train), np.array(dc.val)


def test_unpenalized_costs_put_validation_above_training_with_l2():
    tr, va = _curves(l2=1.0)
    assert np.all(va[100:] > tr[100:])


@pytest.mark.parametrize("seed", SEEDS)
def test_dropout_cuts_the_gap_by_038_to_067_and_l2_cuts_it_more(seed):
    plain, dropped, l2 = final_gap(seed), final_gap(seed, dropout=0.5), final_gap(seed, l2=1.0)
    assert 0.36 < dropped / plain < 0.69  # "0.38 to 0.67 of the unregularized gap"
    assert 0 < l2 < 0.1 and l2 < dropped  # "less than L2 at lambda = 1 achieves on every draw"


@pytest.mark.parametrize("seed", SEEDS)
def test_dropout_delays_the_lowest_validation_cost_and_the_plain_net_climbs(seed):
    X_tr, y_tr, X_va, y_va = moons_split()
    val, train = {}, {}
    for dropout in (0.0, 0.5):
        dc = DataCosts(X_tr, y_tr, X_va, y_va)
        model = make_net(dropout=dropout, seed=seed)
        train_net(model, X_tr, y_tr, X_va, y_va, callbacks=[dc])
        val[dropout], train[dropout] = np.array(dc.val), np.array(dc.train)
    assert np.argmin(val[0.5]) > np.argmin(val[0.0])
    best = int(np.argmin(val[0.0]))  # after it the unregularized net memorises:
    assert val[0.0][-1] > val[0.0][best] + 0.5 and train[0.0][-1] < 0.2 * train[0.0][best]


def _bias_free(seed):
    rng = np.random.default_rng(seed)
    return dl.Sequential(
        [dl.Dense(2, 50, bias=False, rng=rng), dl.ReLU(), dl.Dense(50, 2, bias=False, rng=rng)]
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_l2_is_weight_decay_for_sgd_but_not_for_adam(seed):
    X, y = moons_split()[:2]
    lam, alpha, m = 1.0, 0.1, len(X)
    diffs = {}
    for name, opt in (("sgd", dl.optim.SGD), ("adam", dl.optim.Adam)):
        with_l2, decayed = _bias_free(seed), _bias_free(seed)
        start = [W.value.copy() for W in decayed.parameters()]
        for net, l2 in ((with_l2, lam), (decayed, 0.0)):
            loss = dl.SoftmaxCrossEntropy()
            dl.fit(net, X, y, loss=loss, epochs=1, l2=l2, optimizer=opt(net.parameters(), lr=alpha))
        for W, W0 in zip(decayed.parameters(), start):
            W.value -= alpha * lam / m * W0
        pairs = zip(with_l2.parameters(), decayed.parameters())
        diffs[name] = max(np.abs(p.value - q.value).max() for p, q in pairs)
    assert diffs["sgd"] < 1e-12
    assert 1.9 * alpha < diffs["adam"] <= 2 * alpha + 1e-12  # "two whole steps"


@pytest.mark.parametrize("draw", SEEDS)
def test_the_ensemble_beats_its_average_member_and_its_mean_log_loss(draw):
    X_tr, y_tr, X_va, y_va = moons_split()
    loss, members = dl.SoftmaxCrossEntropy(), []
    for k in range(5):  # draw 0 is the notebook's ensemble
        idx = bootstrap_indices(len(X_tr), rng=100 + 5 * draw + k)
        members.append(make_net(seed=5 * draw + k))
        adam = dl.optim.Adam(members[-1].parameters(), lr=0.01)
        dl.fit(members[-1], X_tr[idx], y_tr[idx], loss=loss, optimizer=adam, epochs=300)
    assert ensemble_accuracy(members, X_va, y_va) > member_accuracies(members, X_va, y_va).mean()
    p_true = ensemble_proba(members, X_va)[np.arange(len(y_va)), y_va]
    member_costs = [dl.evaluate(model, X_va, y_va, loss)[0] for model in members]
    assert -np.mean(np.log(p_true)) <= np.mean(member_costs)


@pytest.mark.parametrize("seed", SEEDS)
def test_shifted_copies_rescue_shifted_digits_and_leave_centred_ones(seed):
    X, y = datasets.load_digits()
    X_d, X_dv, y_d, y_dv = datasets.train_val_split(X / 16.0, y, 0.5, rng=0)
    X_d, y_d = X_d[:200], y_d[:200]
    X_dv_shifted = random_shifts(X_dv, 1, rng=5 + seed)
    X_aug, y_aug = augment(X_d, y_d, 4, lambda X, rng: random_shifts(X, 1, rng), rng=1 + seed)
    acc = {}
    for name, (Xt, yt) in {"plain": (X_d, y_d), "shifted": (X_aug, y_aug)}.items():
        rng = np.random.default_rng(seed)
        net = dl.Sequential([dl.Dense(64, 64, rng=rng), dl.ReLU(), dl.Dense(64, 10, rng=rng)])
        adam = dl.optim.Adam(net.parameters(), lr=0.01)
        loss = dl.SoftmaxCrossEntropy()
        dl.fit(net, Xt, yt, loss=loss, optimizer=adam, epochs=100, batch_size=64, seed=seed)
        acc[name] = [dl.evaluate(net, Xv, y_dv, loss)[1] for Xv in (X_dv, X_dv_shifted)]
    assert abs(acc["shifted"][0] - acc["plain"][0]) < 0.03  # centred: little change
    assert acc["plain"][1] < 0.45 < 0.75 < acc["shifted"][1]  # shifted: well under half vs most


def _reference_functions():
    from dlcourse.exercises import regularization as ex

    return {
        "l2_cost": ex.reference_l2_cost,
        "l2_gradient": ex.reference_l2_gradient,
        "dropout_forward": ex.reference_dropout,
        "dropout_backward": ex.reference_dropout_backward,
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_own_functions_retrace_the_package_and_close_the_gap(seed):
    # Exercise 3: the loop with the four functions gives the package's runs of section 4.3
    # (control: the same loop with neither), L2 takes the gap to below 0.1, dropout cuts it
    from dlcourse.experiments.weight_decay import train_with_functions

    fns = _reference_functions()
    plain = train_with_functions(fns, seed=seed)
    l2 = train_with_functions(fns, lambd=1.0, seed=seed)
    dropped = train_with_functions(fns, keep_prob=0.5, seed=seed)
    for run, package in [
        (plain, final_gap(seed)),
        (l2, final_gap(seed, l2=1.0)),
        (dropped, final_gap(seed, dropout=0.5)),
    ]:
        assert abs(run.gap - package) < 1e-6
    assert plain.gap > 1.0 and l2.gap < 0.1 and l2.gap < dropped.gap < plain.gap


def test_a_wrong_l2_gradient_changes_the_printed_row():
    # "an L2 row that differs is a bug": a gradient missing the 1/m trains another network
    from dlcourse.experiments.weight_decay import train_with_functions

    fns = _reference_functions()
    fns["l2_gradient"] = lambda Ws, dWs, lam, m: [dW + lam * W for W, dW in zip(Ws, dWs)]
    assert abs(train_with_functions(fns, lambd=1.0).gap - final_gap(0, l2=1.0)) > 0.01
