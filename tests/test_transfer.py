"""Transfer-learning helpers: copying, replacing the head, freezing, class subsets."""

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import datasets
from dlcourse.topics.transfer import (
    body_parameters,
    clone,
    few_per_class,
    head_parameters,
    replace_head,
    select_classes,
    trainable_parameters,
)


def net(seed=0, n_out=5):
    rng = np.random.default_rng(seed)
    return dl.Sequential(
        [
            dl.Dense(4, 8, rng=rng),
            dl.ReLU(),
            dl.Dense(8, 6, rng=rng),
            dl.Tanh(),
            dl.Dense(6, n_out, rng=rng),
        ]
    )


def test_clone_is_independent():
    a = net()
    b = clone(a)
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.value, q.value)
        assert p.value is not q.value
    b.parameters()[0].value += 1.0
    assert not np.array_equal(a.parameters()[0].value, b.parameters()[0].value)


def test_replace_head_copies_the_body_and_draws_a_new_head():
    a = net()
    b = replace_head(a, 3, rng=1)
    assert len(b) == len(a) and b[-1].in_features == 6 and b[-1].out_features == 3
    assert [type(l) for l in b][:-1] == [type(l) for l in a][:-1]
    for p, q in zip(body_parameters(a), body_parameters(b)):
        np.testing.assert_array_equal(p.value, q.value)
        assert p.value is not q.value
    np.testing.assert_array_equal(b[-1].b.value, 0.0)
    # same features: the body's output is unchanged
    X = np.random.default_rng(2).standard_normal((7, 4))
    feats_a = dl.Sequential(a.layers_list[:-1]).forward(X)
    feats_b = dl.Sequential(b.layers_list[:-1]).forward(X)
    np.testing.assert_array_equal(feats_a, feats_b)
    assert b.forward(X).shape == (7, 3)
    assert a[-1].out_features == 5  # the original keeps its head


def test_replace_head_bad_input():
    with pytest.raises(TypeError, match="last layer must be a Dense head"):
        replace_head(dl.Sequential([dl.Dense(2, 2), dl.ReLU()]), 2)
    with pytest.raises(TypeError, match="non-empty dl.Sequential"):
        replace_head(dl.Dense(2, 2), 2)
    with pytest.raises(ValueError, match="n_out must be >= 1, got 0"):
        replace_head(net(), 0)


def test_parameter_groups():
    a = net()
    assert len(head_parameters(a)) == 2 and head_parameters(a)[0] is a[-1].W
    assert len(body_parameters(a)) == 4
    assert trainable_parameters(a) == a.parameters()
    assert trainable_parameters(a, 2) == a[2].parameters() + a[4].parameters()
    with pytest.raises(ValueError, match="frozen_layers must be < the number of layers"):
        trainable_parameters(a, 5)


def test_frozen_body_does_not_move_during_fit():
    X, y = datasets.blobs(60, rng=0)
    X = np.hstack([X, X**2])
    model = replace_head(net(n_out=5), 3, rng=0)
    body_before = [p.value.copy() for p in body_parameters(model)]
    head_before = [p.value.copy() for p in head_parameters(model)]
    dl.fit(
        model,
        X,
        y,
        dl.SoftmaxCrossEntropy(),
        dl.optim.Adam(head_parameters(model), 0.05),
        epochs=20,
    )
    for p, old in zip(body_parameters(model), body_before):
        np.testing.assert_array_equal(p.value, old)
    assert any(
        not np.array_equal(p.value, old) for p, old in zip(head_parameters(model), head_before)
    )


def test_select_classes_relabels_by_position():
    X = np.arange(12.0).reshape(6, 2)
    y = np.array([5, 0, 7, 5, 9, 7])
    Xs, ys = select_classes(X, y, [7, 5])
    np.testing.assert_array_equal(Xs, X[[0, 2, 3, 5]])
    np.testing.assert_array_equal(ys, [1, 0, 1, 0])
    with pytest.raises(ValueError, match=r"classes \[3\] have no example"):
        select_classes(X, y, [5, 3])
    with pytest.raises(ValueError, match="distinct labels"):
        select_classes(X, y, [5, 5])


def test_few_per_class():
    y = np.array([0] * 5 + [1] * 3 + [2] * 4)
    idx = few_per_class(y, 2, rng=0)
    assert len(idx) == 6
    np.testing.assert_array_equal(np.bincount(y[idx]), [2, 2, 2])
    assert len(set(idx.tolist())) == 6
    np.testing.assert_array_equal(idx, few_per_class(y, 2, rng=0))
    with pytest.raises(ValueError, match="class 1 has only 3 examples, fewer than k=4"):
        few_per_class(y, 4)


def test_transfer_recipe_freezes_the_body_then_fine_tunes_a_copy():
    from dlcourse.topics.transfer import transfer_recipe

    rng = np.random.default_rng(0)
    pre = dl.Sequential([dl.Dense(5, 6, rng=rng), dl.ReLU(), dl.Dense(6, 3, rng=rng)])
    before = [p.value.copy() for p in pre.parameters()]
    X, y = rng.normal(size=(20, 5)), np.arange(20) % 4
    head_only, tuned = transfer_recipe(pre, X, y, 4, 0.05, 10, 5, seed=1)
    assert all(np.array_equal(a, p.value) for a, p in zip(before, pre.parameters()))
    body = [p.value for p in head_only.parameters()][:-2]
    assert all(np.array_equal(a, b) for a, b in zip(before[:-2], body))
    assert head_only[-1].W.value.shape == (4, 6)
    fresh = dl.Dense(6, 4, init="xavier", rng=1).W.value
    assert not np.allclose(head_only[-1].W.value, fresh)  # the head trained
    tuned_body = [p.value for p in tuned.parameters()][:-2]
    assert all(not np.allclose(a, b) for a, b in zip(before[:-2], tuned_body))
    assert not any(
        np.shares_memory(a.value, b.value)
        for a in head_only.parameters()
        for b in list(tuned.parameters()) + list(pre.parameters())
    )
