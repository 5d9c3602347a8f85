"""Wrong answers to notebook 13's exercises on ensembles, transfer and shifted images, each refused with the
hint it deserves (the right answers pass), and the diagnosis exercise's cases shown to
separate its rules: every other order of the rules, and each rule left out, fails."""

import copy
import itertools
import math

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.exercises.recipe import (
    _avg_cases,
    _tr_problems,
    check_diagnose_run,
    check_ensemble_average,
    check_shift_images,
    check_transfer_recipe,
)

SHORTCUT = "which this exercise asks you to write yourself"
INPLACE = "in place — work on a copy"


# ------------------------------------------------------------------ ensemble averaging
def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def ensemble_average(member_logits):
    """The solution of the notebook."""
    return np.mean([_softmax(z) for z in member_logits], axis=0)


def _stacked(member_logits):
    Z = np.stack(member_logits)  # (K, m, C)
    E = np.exp(Z - Z.max(axis=2, keepdims=True))
    return (E / E.sum(axis=2, keepdims=True)).mean(axis=0)


def _in_place(member_logits):
    for z in member_logits:
        z -= z.max(axis=1, keepdims=True)  # "stabilise" the caller's arrays
    return ensemble_average(member_logits)


AVG_WRONG = [
    (lambda zs: _softmax(np.mean(zs, axis=0)), "averages the LOGITS"),
    (lambda zs: np.mean([np.eye(z.shape[1])[z.argmax(axis=1)] for z in zs], axis=0), "LABELS"),
    (
        lambda zs: _softmax(np.mean([np.log(_softmax(z)) for z in zs], axis=0)),
        "geometric mean",
    ),  # the same as the logits
    (lambda zs: ensemble_average(zs).argmax(axis=1), "not the predicted labels"),
    (lambda zs: np.sum([_softmax(z) for z in zs], axis=0), "divide the sum by K"),
    (lambda zs: _softmax(zs[-1]), "use every member"),
    (lambda zs: np.mean([_softmax(z.T).T for z in zs], axis=0), "along the last axis"),
    (
        lambda zs: np.mean([np.exp(z) / np.exp(z).sum(axis=1, keepdims=True) for z in zs], 0),
        "overflows to inf",
    ),
    (_in_place, INPLACE),
    (lambda zs: dl.topics.ensemble.average_probabilities(zs), SHORTCUT),
]


@pytest.mark.parametrize("right", [ensemble_average, _stacked])
def test_ensemble_average_right_answers_pass(right):
    assert check_ensemble_average(right).message == "ensemble_average: correct"


def test_a_hidden_case_has_three_different_winners_for_votes_logits_and_probabilities():
    winners = []
    for d in _avg_cases():
        zs = d.case.args[0]
        votes = np.mean([np.eye(z.shape[1])[z.argmax(axis=1)] for z in zs], axis=0)
        winners.append(
            (
                votes.argmax(axis=1).tolist(),
                _softmax(np.mean(zs, axis=0)).argmax(axis=1).tolist(),
                ensemble_average(zs).argmax(axis=1).tolist(),
            )
        )
    assert any(len({tuple(w) for w in ws}) == 3 for ws in winners)


# ------------------------------------------------------------------ the transfer recipe
LOSS = dl.SoftmaxCrossEntropy()


def transfer_recipe(pretrained, X, y, n_classes, lr, head_epochs, tune_epochs, seed):
    """The solution of the notebook."""
    head_only = copy.deepcopy(pretrained)
    n_features = pretrained[-1].in_features
    head_only.layers_list[-1] = dl.Dense(n_features, n_classes, init="xavier", rng=seed)
    dl.fit(head_only, X, y, LOSS, dl.optim.Adam(head_only[-1].parameters(), lr), head_epochs)
    tuned = copy.deepcopy(head_only)
    dl.fit(tuned, X, y, LOSS, dl.optim.Adam(tuned.parameters(), lr / 10), tune_epochs)
    return head_only, tuned


def _recipe(
    copy_body=True,
    head_params="head",
    tune_params="all",
    tune_lr=0.1,
    init="xavier",
    rng_from_seed=True,
    optimizer="adam",
    second_copy=True,
    batch=None,
    n_out=None,
):
    def answer(pretrained, X, y, n_classes, lr, head_epochs, tune_epochs, seed):
        n_features = pretrained[-1].in_features
        head = dl.Dense(
            n_features, n_out or n_classes, init=init, rng=seed if rng_from_seed else None
        )
        if copy_body:
            head_only = copy.deepcopy(pretrained)
            head_only.layers_list[-1] = head
        else:
            head_only = dl.Sequential(pretrained.layers_list[:-1] + [head])
        opt = dl.optim.Adam if optimizer == "adam" else dl.optim.SGD
        first = head_only[-1].parameters() if head_params == "head" else head_only.parameters()
        dl.fit(head_only, X, y, LOSS, opt(first, lr), head_epochs, batch)
        tuned = copy.deepcopy(head_only) if second_copy else head_only
        second = tuned.parameters() if tune_params == "all" else tuned[-1].parameters()
        dl.fit(tuned, X, y, LOSS, opt(second, lr * tune_lr), tune_epochs, batch)
        return head_only, tuned

    return answer


def _mutates(pretrained, X, y, n_classes, lr, head_epochs, tune_epochs, seed):
    n_features = pretrained[-1].in_features
    pretrained.layers_list[-1] = dl.Dense(n_features, n_classes, init="xavier", rng=seed)
    return transfer_recipe(pretrained, X, y, n_classes, lr, head_epochs, tune_epochs, seed)


def _one_network(pretrained, X, y, n_classes, lr, head_epochs, tune_epochs, seed):
    return transfer_recipe(pretrained, X, y, n_classes, lr, head_epochs, tune_epochs, seed)[1]


TR_WRONG = [
    (_recipe(head_params="all"), "the body stays frozen"),
    (_recipe(tune_params="head"), "the body of `tuned` did not change"),
    (_recipe(tune_lr=1.0), "10 times smaller learning rate"),
    (_recipe(second_copy=False), "share their weights"),
    (_recipe(copy_body=False), "share the body's arrays with `pretrained`"),
    (_recipe(init="he"), "init='xavier', rng=seed"),
    (_recipe(rng_from_seed=False), "init='xavier', rng=seed"),
    (_recipe(optimizer="sgd"), "each stage is Adam"),
    (_recipe(batch=4), "each stage is Adam, full batch"),
    (_recipe(n_out=3), "label 3 out of range for 3 classes"),  # the old head's size
    (_mutates, INPLACE),
    (_one_network, "return the pair (head_only, tuned)"),
    (lambda *args: dl.topics.transfer.transfer_recipe(*args), SHORTCUT),
    (
        lambda p, X, y, C, lr, he, te, s: transfer_recipe(p, X, y, C, 0.05, he, te, s),
        "stay the same when `lr` changes",
    ),
    (
        lambda p, X, y, C, lr, he, te, s: transfer_recipe(p, X, y, C, lr, 10, te, s),
        "stay the same when `head_epochs` changes",
    ),
    (
        lambda p, X, y, C, lr, he, te, s: transfer_recipe(p, X, y, C, lr, he, te, 0),
        "stay the same when `seed` changes",
    ),
]


def test_transfer_recipe_right_answer_passes():
    assert check_transfer_recipe(transfer_recipe).message == "transfer_recipe: correct"


def test_no_hidden_case_is_a_notebook_example():
    assert all(len(z) < 100 for d in _avg_cases() for z in d.case.args[0])  # not the digits
    assert all(p[1].shape[1] != 64 for p in _tr_problems())  # not the digits network


def test_the_transfer_cases_vary_every_argument():
    problems = _tr_problems()
    for position in range(1, 8):
        values = [repr(np.shape(p[position])) + repr(p[position]) for p in problems]
        assert len(set(values)) == len(problems), position


# ------------------------------------------------------------------ the diagnosis's rules
def _finite(c, C):
    return not all(math.isfinite(v) for v in c)


RULES = {
    "diverged": _finite,
    "rising": lambda c, C: c[-1] > c[0],
    "flat": lambda c, C: c[0] - c[-1] < 0.01 * abs(c[0]),
    "chance": lambda c, C: abs(c[-1] - math.log(C)) < 0.05 * math.log(C),
}


def _rules_in(order):
    def diagnose_run(losses, n_classes):
        curve = [float(v) for v in losses]
        for name in order:
            if RULES[name](curve, n_classes):
                return name
        return "ok"

    return diagnose_run


def test_the_rules_in_their_order_pass():
    assert check_diagnose_run(_rules_in(list(RULES))).passed


ORDERS = [order for order in itertools.permutations(RULES) if list(order) != list(RULES)]


@pytest.mark.parametrize("order", ORDERS, ids=["-".join(o) for o in ORDERS])
def test_every_other_order_of_the_rules_fails(order):
    assert not check_diagnose_run(_rules_in(order)).passed


@pytest.mark.parametrize("left_out", list(RULES))
def test_leaving_out_any_rule_fails(left_out):
    assert not check_diagnose_run(_rules_in([r for r in RULES if r != left_out])).passed


# ------------------------------------------------------------------ shifting images
def shift_images(X, dx, dy, shape):
    """The solution of the notebook: copy the overlapping block into zeros."""
    h, w = shape
    imgs = X.reshape(len(X), h, w)
    out = np.zeros_like(imgs)
    if abs(dx) < w and abs(dy) < h:
        out[:, max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = imgs[
            :, max(-dy, 0) : h - max(dy, 0), max(-dx, 0) : w - max(dx, 0)
        ]
    return out.reshape(len(X), h * w)


def _by_index(X, dx, dy, shape):
    h, w = shape
    imgs = np.asarray(X).reshape(len(X), h, w)
    r = np.arange(h)[:, None] - dy
    c = np.arange(w)[None, :] - dx
    inside = (r >= 0) & (r < h) & (c >= 0) & (c < w)
    return np.where(inside, imgs[:, r.clip(0, h - 1), c.clip(0, w - 1)], 0.0).reshape(len(X), -1)


def _slices(X, dx, dy, shape):
    h, w = shape
    imgs = X.reshape(-1, h, w)
    out = np.zeros_like(imgs)
    rows_to, rows_from = (
        (slice(dy, None), slice(None, -dy))
        if dy >= 0
        else (
            slice(None, dy),
            slice(-dy, None),
        )
    )
    cols_to, cols_from = (
        (slice(dx, None), slice(None, -dx))
        if dx >= 0
        else (
            slice(None, dx),
            slice(-dx, None),
        )
    )
    out[:, rows_to, cols_to] = imgs[:, rows_from, cols_from]
    return out.reshape(len(X), -1)


def _no_frame_check(X, dx, dy, shape):
    h, w = shape
    imgs = X.reshape(len(X), h, w)
    out = np.zeros_like(imgs)
    out[:, max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = imgs[
        :, max(-dy, 0) : h - max(dy, 0), max(-dx, 0) : w - max(dx, 0)
    ]
    return out.reshape(len(X), h * w)


def _shift_in_place(X, dx, dy, shape):
    out = shift_images(X, dx, dy, shape)
    X[...] = out  # "augment" the caller's array
    return out


SH_WRONG = [
    (
        lambda X, dx, dy, shape: np.roll(X.reshape(-1, *shape), (dy, dx), axis=(1, 2)).reshape(
            len(X), -1
        ),
        "np.roll wraps",
    ),
    (lambda X, dx, dy, shape: shift_images(X, dy, dx, shape), "you swapped them"),
    (lambda X, dx, dy, shape: shift_images(X, -dx, -dy, shape), "mind the direction"),
    (_slices, "[:-0] is EMPTY"),
    (_no_frame_check, "moves the whole picture out of the frame"),
    (
        lambda X, dx, dy, shape: shift_images(X, dx, dy, shape).reshape(len(X), *shape),
        "flattened again",
    ),
    (lambda X, dx, dy, shape: shift_images(X, dx, dy, shape[::-1]), "not (m, w, h)"),
    (lambda X, dx, dy, shape: shift_images(X, 1, dy, shape), "stays the same when `dx`"),
    (_shift_in_place, INPLACE),
    (lambda X, dx, dy, shape: dl.topics.augment.shift_images(X, dx, dy, shape), SHORTCUT),
]


@pytest.mark.parametrize("right", [shift_images, _by_index])
def test_shift_images_right_answers_pass(right):
    assert check_shift_images(right).message == "shift_images: correct"


# collected (and run) by tests/test_grader_properties.py and tests/test_grader_wrong_answers.py
SOLUTIONS_RECIPE = {
    "recipe.check_ensemble_average": ensemble_average,
    "recipe.check_transfer_recipe": transfer_recipe,
    "recipe.check_shift_images": shift_images,
}
WRONG_RECIPE = {
    "recipe.check_ensemble_average": AVG_WRONG,
    "recipe.check_transfer_recipe": TR_WRONG,
    "recipe.check_shift_images": SH_WRONG,
}
