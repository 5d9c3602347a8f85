"""The claims notebook 05 makes about L2 and dropout, checked on the same runs over seeds."""

import numpy as np
import pytest

from dlcourse.experiments.weight_decay import (
    DataCosts,
    lambda_sweep,
    make_net,
    moons_split,
    train_net,
)
from dlcourse.exercises.regularization import Q_LAMBDA


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lambda_sweep_is_a_u_curve(seed):
    rows = lambda_sweep((0.0, 0.1, 1.0, 10.0, 30.0), seed=seed)
    val = [r.val_cost for r in rows]
    best = int(np.argmin(val))
    assert 0 < best < len(rows) - 1  # a minimum inside: falls, then rises
    assert rows[best].lam == 1.0
    assert val[0] > 1.0 and val[-1] > val[best] + 0.3
    assert [r.train_acc for r in rows] == sorted((r.train_acc for r in rows), reverse=True)
    norms = [r.norm for r in rows]
    assert norms == sorted(norms, reverse=True) and norms[0] > 25 and norms[-1] < 0.1
    assert abs(rows[-1].val_cost - np.log(2)) < 0.01  # 50/50 everywhere at lambda = 30
    assert Q_LAMBDA.answer == "b"


def _curves(l2=0.0, dropout=0.0):
    X_tr, y_tr, X_va, y_va = moons_split()
    dc = DataCosts(X_tr, y_tr, X_va, y_va)
    train_net(make_net(dropout=dropout), X_tr, y_tr, X_va, y_va, l2=l2, callbacks=[dc])
    return np.array(dc.train), np.array(dc.val)


def test_unpenalized_costs_put_validation_above_training_with_l2():
    tr, va = _curves(l2=1.0)
    assert np.all(va[100:] > tr[100:])


def test_dropout_halves_the_gap_and_delays_the_climb():
    tr0, va0 = _curves()
    tr1, va1 = _curves(dropout=0.5)
    assert (va1[-1] - tr1[-1]) < 0.5 * (va0[-1] - tr0[-1])
    assert np.argmin(va1) > np.argmin(va0)
    assert va0[-1] > 5 * va0.min()  # the unregularized net climbs
