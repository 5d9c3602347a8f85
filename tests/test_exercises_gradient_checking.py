"""Checks of the two-sided gradient and relative-error exercises, and the planted bugs."""

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.exercises.gradient_checking import (
    check_relative_error,
    check_two_sided_gradient,
)
from dlcourse.experiments.gradcheck_bugs import (
    BUGS,
    DROPOUT_MODES,
    CrossEntropyMissingMean,
    ForwardCounter,
    TanhWrongDerivative,
    course_names,
    planted_bug_problem,
)


def two_sided_right(f, x, eps):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = f(x)
        x[i] = old - eps
        minus = f(x)
        x[i] = old
        g[i] = (plus - minus) / (2 * eps)
    return g


def two_sided_copies(f, x, eps):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


@pytest.mark.parametrize("right", [two_sided_right, two_sided_copies])
def test_two_sided_right_answers_pass(right):
    assert repr(check_two_sided_gradient(right)) == "two_sided_gradient: correct"


def _one_sided(f, x, eps):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x)) / eps
    return g


def _not_restored(f, x, eps):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += eps
        plus = f(x)
        x[i] -= 2 * eps
        g[i] = (plus - f(x)) / (2 * eps)
    return g


@pytest.mark.parametrize(
    "wrong, words",
    [
        (_one_sided, "one-sided"),
        (lambda f, x, eps: 2 * two_sided_copies(f, x, eps), "divide by 2 * eps"),
        (_not_restored, "changed its input `x` in place"),
        (
            lambda f, x, eps: np.full_like(x, (f(x + eps) - f(x - eps)) / (2 * eps)),
            "one entry at a time",
        ),
        (lambda f, x, eps: (f(x + eps) - f(x - eps)) / (2 * eps), "shape of x"),
    ],
)
def test_two_sided_mistakes(wrong, words):
    result = check_two_sided_gradient(wrong)
    assert not result.passed and words in result.message, result.message


def test_two_sided_raising_solution():
    result = check_two_sided_gradient(lambda f, x, eps: f(x, eps))
    assert not result.passed and "TypeError" in result.message


def relative_error_right(g, ga):
    denom = np.linalg.norm(g) + np.linalg.norm(ga)
    return 0.0 if denom == 0 else float(np.linalg.norm(g - ga) / denom)


def test_relative_error_right_answers_pass():
    assert repr(check_relative_error(relative_error_right)) == "relative_error: correct"
    assert check_relative_error(dl.relative_error).passed


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda g, ga: np.linalg.norm(g - ga), "absolute error"),
        (lambda g, ga: np.linalg.norm(g - ga) / np.linalg.norm(g), "not ||g|| alone"),
        (
            lambda g, ga: (
                np.linalg.norm(g - ga) ** 2 / (np.linalg.norm(g) ** 2 + np.linalg.norm(ga) ** 2)
            ),
            "not their squares",
        ),
        (lambda g, ga: np.linalg.norm(g - ga) / np.linalg.norm(g + ga), "not ||g + g_approx||"),
    ],
)
def test_relative_error_mistakes(wrong, words):
    result = check_relative_error(wrong)
    assert not result.passed and words in result.message, result.message


def test_relative_error_division_by_zero_is_a_hint_not_a_crash():
    with np.errstate(invalid="ignore"):
        result = check_relative_error(
            lambda g, ga: np.linalg.norm(g - ga) / (np.linalg.norm(g) + np.linalg.norm(ga))
        )
    assert not result.passed and "both gradients are zero" in result.message


# ------------------------------------------------------------------ planted bugs
def _report(problem):
    return dl.gradcheck_report(
        problem.model,
        problem.loss,
        problem.X,
        problem.y,
        l2=problem.l2,
        fix_dropout=problem.fix_dropout,
    )


@pytest.mark.parametrize("dropout", ["off", "on, mask fixed"])
def test_correct_network_passes(dropout):
    errors = _report(planted_bug_problem("none", dropout, l2=0.5))
    assert max(errors.values()) < 1e-7


def test_activation_bug_is_pinpointed_below_the_last_layer():
    p = planted_bug_problem("activation derivative")
    named = {course_names(p.model)[k]: v for k, v in _report(p).items()}
    assert named["W[3]"] < 1e-7 and named["b[3]"] < 1e-7  # above the bug: fine
    assert named["W[2]"] > 1e-3 and named["W[1]"] > 1e-3  # below it: wrong


def test_missing_mean_is_off_by_the_factor_m():
    p = planted_bug_problem("missing 1/m")
    m = len(p.X)
    for err in _report(p).values():
        assert err == pytest.approx((m - 1) / (m + 1), rel=0.1)


def test_forgotten_l2_shows_in_weights_only_and_needs_lambda():
    p = planted_bug_problem("forgotten L2 gradient", l2=0.5)
    errors = {course_names(p.model)[k]: v for k, v in _report(p).items()}
    assert all(errors[f"W[{l}]"] > 1e-3 for l in (1, 2, 3))
    assert all(errors[f"b[{l}]"] < 1e-7 for l in (1, 2, 3))
    assert max(_report(planted_bug_problem("forgotten L2 gradient", l2=0.0)).values()) < 1e-7


def test_unfixed_dropout_masks_break_the_check():
    assert min(_report(planted_bug_problem("none", "on, mask not fixed")).values()) > 1e-2


def test_problem_is_deterministic_and_validates():
    a, b = (
        planted_bug_problem("none", "on, mask fixed"),
        planted_bug_problem("none", "on, mask fixed"),
    )
    assert _report(a) == _report(b)
    with pytest.raises(ValueError, match="bug"):
        planted_bug_problem("typo")
    with pytest.raises(ValueError, match="dropout"):
        planted_bug_problem(dropout="sometimes")
    with pytest.raises(ValueError, match="l2"):
        planted_bug_problem(l2=-1.0)
    assert set(BUGS) >= {"none"} and len(DROPOUT_MODES) == 3


def test_buggy_pieces_differ_from_the_right_ones_exactly_as_documented():
    z = np.linspace(-2, 2, 7)[None, :]
    good, bad = dl.Tanh(), TanhWrongDerivative()
    a = good.forward(z)
    bad.forward(z)
    da = np.ones_like(z)
    np.testing.assert_allclose(bad.backward(da), 1 - a)
    np.testing.assert_allclose(good.backward(da), 1 - a**2)
    logits, y = np.random.default_rng(0).standard_normal((5, 3)), np.array([0, 1, 2, 0, 1])
    right, wrong = dl.SoftmaxCrossEntropy(), CrossEntropyMissingMean()
    assert right.forward(logits, y) == wrong.forward(logits, y)
    np.testing.assert_allclose(wrong.backward(), 5 * right.backward())


def test_forward_counter_counts_two_passes_per_entry():
    p = planted_bug_problem()
    counter = ForwardCounter()
    model = dl.Sequential([counter, *p.model])
    n = sum(q.value.size for q in model.parameters())
    dl.gradcheck(model, p.loss, p.X, p.y)
    assert counter.count == 2 * n + 2  # plus the two passes that draw masks and take grads


# ------------------------------------------------------------------ the bug hunt
from dlcourse.exercises.gradient_checking import (
    check_find_faulty_layer,  # noqa: E402
    layer_errors,
    mystery_model,
    reference_find_faulty_layer,
)
from dlcourse.gradcheck import numerical_gradient as _num, relative_error as _rel  # noqa: E402


def _per_layer(model, X, inputs=True, params=True, zero=True, tol=1e-5, start=0, only_w=False):
    x = X.copy()
    for i, layer in enumerate(model):
        if i < start:
            x = layer.forward(x)
            continue
        G = np.random.default_rng(0).standard_normal(layer.forward(x).shape)
        if zero:
            layer.zero_grad()
        dx = layer.backward(G)
        cost = lambda: float(np.sum(layer.forward(x) * G))  # noqa: E731
        errs = [_rel(dx, _num(cost, x))] if inputs else []
        checked = [p for p in layer.parameters() if not only_w or p is getattr(layer, "W", None)]
        errs += [_rel(p.grad.copy(), _num(cost, p.value)) for p in checked] if params else []
        if errs and max(errs) > tol:
            return i
        x = layer.forward(x)
    return None


def _whole_network_lowest(model, X):
    G = np.random.default_rng(0).standard_normal(model.forward(X).shape)
    model.zero_grad()
    model.backward(G)
    cost = lambda: float(np.sum(model.forward(X) * G))  # noqa: E731
    for i, layer in enumerate(model):
        for p in layer.parameters():
            if _rel(p.grad.copy(), _num(cost, p.value)) > 1e-5:
                return i
    return None


def _whole_network_highest(model, X):
    """The whole network checked at once, the highest Dense layer with a wrong dW reported."""
    G = np.random.default_rng(0).standard_normal(model.forward(X).shape)
    model.zero_grad()
    model.backward(G)
    cost = lambda: float(np.sum(model.forward(X) * G))  # noqa: E731
    found = None
    for i, layer in enumerate(model):
        for p in layer.parameters():
            if _rel(p.grad.copy(), _num(cost, p.value)) > 1e-5:
                found = i
    return found


def _by_class_name(model, X):
    """Reads the answer off the layers' class names and reprs instead of checking them."""
    for i, layer in enumerate(model):
        name = type(layer).__name__ + repr(layer)
        if type(layer).__name__ not in ("Dense", "Tanh", "ReLU") or "Wrong" in name:
            return i
    return None


def _largest_error(model, X):
    """The layer with the largest error, whether or not it is above the threshold."""
    x, worst = X.copy(), []
    for layer in model:
        worst.append(_errors(layer, x))
        x = layer.forward(x)
    return int(np.argmax(worst))


def _errors(layer, x):
    G = np.random.default_rng(0).standard_normal(layer.forward(x).shape)
    layer.zero_grad()
    dx = layer.backward(G)
    cost = lambda: float(np.sum(layer.forward(x) * G))  # noqa: E731
    errs = [_rel(dx, _num(cost, x))]
    errs += [_rel(p.grad.copy(), _num(cost, p.value)) for p in layer.parameters()]
    return max(errs)


def test_bug_hunt_reference_finds_every_planted_layer():
    truth = [3, 2, 0, 1, 4]
    for k, where in enumerate(truth):
        assert reference_find_faulty_layer(*mystery_model(k)) == where
    assert check_find_faulty_layer(reference_find_faulty_layer).passed
    assert check_find_faulty_layer(_per_layer).passed


def test_a_correct_layer_passes_its_own_check():
    import dlcourse as dl

    layer = dl.Dense(3, 2, rng=0)
    assert (
        max(layer_errors(layer, np.random.default_rng(1).standard_normal((4, 3))).values()) < 1e-7
    )


#: the bug hunt's wrong answers and the words their hints must contain
BUG_HUNT_MISTAKES = [
    (lambda m, X: _per_layer(m, X) + 1, "one off"),
    (lambda m, X: _per_layer(m, X, inputs=False), "found no faulty layer"),
    (lambda m, X: _per_layer(m, X, zero=False), "still dirty"),
    (_whole_network_lowest, "inherits"),
    (_whole_network_highest, "parameters are wrong only"),
    (_by_class_name, "found no faulty layer"),
    (lambda m, X: _per_layer(m, X, only_w=True), "the bias b as well as W"),
    (lambda m, X: _per_layer(m, X, tol=1e-2), "1e-3 or more is a bug"),
    (lambda m, X: _per_layer(m, X, start=1), "do you skip a layer"),
    (lambda m, X: _per_layer(m, X, tol=1e-12), "tighter than the round-off"),
    (_largest_error, "no faulty layer"),
    (lambda m, X: layer_errors and reference_find_faulty_layer(m, X), "write yourself"),
    (lambda m, X: 1, "a correct layer was flagged"),
    (lambda m, X: _per_layer(m, X, params=False), "found no faulty layer"),
    (lambda m, X: m[_per_layer(m, X)], "not the layer itself"),
]


@pytest.mark.parametrize("wrong, words", BUG_HUNT_MISTAKES)
def test_bug_hunt_mistakes(wrong, words):
    result = check_find_faulty_layer(wrong)
    assert not result.passed and words in result.message, result.message
