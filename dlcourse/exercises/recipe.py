r"""Checks for notebook 13 (the training recipe).

- :func:`check_expected_initial_loss`: the softmax cross-entropy of a network that gives
  every one of the C classes the probability 1/C, L_0 = -log(1/C) = log C.
- :func:`check_newton_path`: the path w_0 .. w_steps of damped Newton steps
  w_{k+1} = w_k - (H(w_k) + damping I)^{-1} g(w_k), reference
  :func:`dlcourse.topics.second_order.newton_minimize`.
- :func:`check_diagnose_run`: "debug this run", with L_0 the first value and L_T the last one,
  in this order: ``"diverged"`` if any value is NaN or inf; ``"rising"`` if L_T > L_0;
  ``"flat"`` if L_0 - L_T < 0.01 |L_0|; ``"chance"`` if the loss fell but ends within 5 % of
  log C; else ``"ok"``, reference
  :func:`dlcourse.topics.babysit.diagnose_loss_curve` (with ``n_classes``). Its cases
  separate the rules: every other order of the four rules, and each rule left out, fails.
- :func:`check_ensemble_average`: ``ensemble_average(member_logits) -> p``, the average of
  the members' probabilities, p = (1/K) sum_k softmax(Z_k), from K arrays of logits (m, C);
  reference :func:`dlcourse.topics.ensemble.average_probabilities`. Averaging the logits,
  the labels (votes) or the log-probabilities each get their own hint.
- :func:`check_transfer_recipe`: ``transfer_recipe(pretrained, X, y, n_classes, lr,
  head_epochs, tune_epochs, seed) -> (head_only, tuned)``, reference
  :func:`dlcourse.topics.transfer.transfer_recipe`: graded on what stays frozen (the body
  while the head trains, the pre-trained network throughout) and what changes (the new
  head, then every layer while fine-tuning).
- :func:`check_shift_images`: ``shift_images(X, dx, dy, shape) -> (m, h * w)``, each image
  (a row of X, h x w in row-major order) moved dx pixels right and dy down, the pixels
  that enter the frame 0: out[i, r, c] = img_i[r - dy, c - dx] where that pixel exists;
  reference :func:`dlcourse.topics.augment.shift_images`. Hidden cases: images that are
  not square, offsets of 0, negative offsets and a shift out of the frame.
- Questions of the notebook: :data:`Q_RAW_PIXELS`, :data:`Q_ENSEMBLE`, :data:`Q_TRANSFER`.

The hidden cases come from :mod:`dlcourse.topics.babysit`, the package's reference.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..activations import ReLU
from ..layers import Dense, Sequential
from ..losses import softmax
from ..surfaces import quadratic, rosenbrock
from ..topics.augment import shift_images
from ..topics.babysit import diagnose_loss_curve, expected_initial_loss
from ..topics.ensemble import average_probabilities
from ..topics.second_order import newton_minimize
from ..topics.transfer import clone, replace_head, transfer_recipe
from .grader import graded
from .grader import GRADIENT_HELPERS, exercise  # noqa: F401
from .grader import (
    calls_asked,
    Case,
    CheckResult,
    DiagnosedCase,
    Mistake,
    close,
    run_cases,
    run_with_mistakes,
    with_mistakes,
)
from .questions import Question

__all__ = [
    "Q_ENSEMBLE",
    "Q_RAW_PIXELS",
    "Q_TRANSFER",
    "check_diagnose_run",
    "check_ensemble_average",
    "check_expected_initial_loss",
    "check_newton_path",
    "check_shift_images",
    "check_transfer_recipe",
]

Q_RAW_PIXELS = Question(
    "Q_RAW_PIXELS",
    "b",
    "On raw pixels (values up to 16) the logits are large, so the untrained network is "
    "confidently wrong about most examples: the loss starts far above log C.",
    {
        "a": "about log C = 2.30, as with standardized inputs",
        "b": "well above log C",
        "c": "well below log C",
    },
)
Q_ENSEMBLE = Question(
    "Q_ENSEMBLE",
    "c",
    "Below even its best member's, in every group of five seeds tested: the members are "
    "confidently wrong on different examples, and the average of their probabilities is "
    "rarely confident about a wrong class. Jensen's inequality (-log is convex) guarantees "
    "only the weaker statement, at most the members' mean; beating the best member is "
    "common, not certain.",
    {
        "a": "above the members' mean",
        "b": "between its best member's and the members' mean",
        "c": "below even its best member's",
    },
)
Q_TRANSFER = Question(
    "Q_TRANSFER",
    "a",
    "The body was trained on all ten digits, so its features already separate every digit; "
    "the new head only has to group them, which 25 examples are enough for.",
    {
        "a": "transfer (head first, then fine-tuning) wins",
        "b": "training from scratch wins",
        "c": "about a tie",
    },
)


# ------------------------------------------------------------------ loss at initialisation
def _initial_loss_cases() -> list[DiagnosedCase]:
    out = []
    for C in (10, 2, 3, 1000):
        mistakes = [
            Mistake(
                1.0 / C,
                "1/C is the probability of each class; the loss is "
                "-log of the probability of the right class.",
            ),
            Mistake(-math.log(C), "mind the sign: L = -log(1/C) = +log C, a positive number."),
            Mistake(
                math.log10(C),
                "use the natural logarithm (np.log), as the cross-entropy does, not log10.",
            ),
            Mistake(math.log2(C), "use the natural logarithm (np.log), not log2."),
            Mistake(
                -math.log(1.0 - 1.0 / C),
                "the loss is -log of the probability of the "
                "right class, 1/C, not of the other classes.",
            ),
        ]
        out.append(
            DiagnosedCase(
                Case((C,), expected_initial_loss(C), "every class gets p = 1/C, so L = -log(1/C)."),
                mistakes,
            )
        )
    return out


@graded
@exercise(
    reference=expected_initial_loss, forbidden=("dlcourse.topics.babysit.expected_initial_loss",)
)
def check_expected_initial_loss(expected_initial_loss_fn: Callable) -> CheckResult:
    """Check ``expected_initial_loss(n_classes) -> log C``."""
    return run_with_mistakes(
        "expected_initial_loss",
        expected_initial_loss_fn,
        _initial_loss_cases(),
        rtol=1e-9,
        atol=1e-12,
    )


# ------------------------------------------------------------------ reading a loss curve
_NAN = (
    "test np.all(np.isfinite(losses)) first and return 'diverged' when it fails: a NaN "
    "compares False with everything (NaN > x and NaN < x are both False) and an inf "
    "means the run already blew up."
)
_RELATIVE = (
    "'flat' is relative: compare the drop L_0 - L_T with 1 % of |L_0| "
    "(0.01 * abs(losses[0])), not with an absolute 0.01."
)
_FLAT_SHARE = "a drop of 3 % is not flat: 'flat' means a drop smaller than 1 % of |L_0|."
_RISING_ENDS = (
    "'rising' compares the last value with the first only: a bump on the way, or a last "
    "value above the lowest one, does not make a run rising."
)
_CHANCE_LAST = (
    "this run ends within 5 % of log C: that is 'chance', whatever the values before it "
    "(compare the last value, with a tolerance of 0.05 log C)."
)
_FLAT_ON_RISE = (
    "this curve ends above where it started, so it is 'rising': compare the LAST "
    "value losses[-1] with the first one, and test last > first before the 1 % rule."
)


# ------------------------------------------------------------------ Newton's method
def _newton_problems() -> list[tuple]:
    """(grad_fn, hess_fn, w0, steps, damping) of the hidden cases."""
    bowl, banana = quadratic(condition=10.0, angle=0.5), rosenbrock()
    return [
        (bowl.grad, bowl.hessian, np.array([2.0, -1.5]), 1, 0.0),
        (banana.grad, banana.hessian, np.array([-1.2, 1.0]), 4, 0.0),
        (banana.grad, banana.hessian, np.array([-1.2, 1.0]), 3, 5.0),
        (bowl.grad, bowl.hessian, np.array([0.5, 0.5]), 0, 0.0),
    ]


def _loop(step):
    """A Newton-like path that applies ``step(w, g, H, damping)`` ``steps`` times."""

    def path(grad_fn, hess_fn, w0, steps, damping=0.0):
        w = np.array(w0, dtype=float)
        out = [w.copy()]
        for _ in range(steps):
            w = step(w, grad_fn(w), hess_fn(w), damping)
            out.append(w.copy())
        return np.array(out)

    return path


def _solve(H, g, damping):
    return np.linalg.solve(H + damping * np.eye(len(g)), g)


def _aliased(grad_fn, hess_fn, w0, steps, damping=0.0):
    w = np.array(w0, dtype=float)
    out = [w]
    for _ in range(steps):
        w -= _solve(hess_fn(w), grad_fn(w), damping)
        out.append(w)
    return np.array(out)


def _no_start(grad_fn, hess_fn, w0, steps, damping=0.0):
    return _loop(lambda w, g, H, d: w - _solve(H, g, d))(grad_fn, hess_fn, w0, steps, damping)[1:]


_NEWTON_MISTAKES = [
    (
        _loop(lambda w, g, H, d: w + _solve(H, g, d)),
        "mind the sign: the Newton step goes AGAINST the gradient, like gradient descent.",
    ),
    (
        _loop(lambda w, g, H, d: w - g / (np.diag(H) + d)),
        "dividing by the diagonal of H ignores its off-diagonal entries: solve the linear "
        "system with the whole matrix (np.linalg.solve).",
    ),
    (
        _loop(lambda w, g, H, d: w - (H + d * np.eye(len(g))) @ g),
        "the step uses the INVERSE of the (damped) Hessian applied to g, not H times g.",
    ),
    (
        _loop(lambda w, g, H, d: w - g),
        "that is a gradient-descent step with α = 1: the Newton step also uses the curvature H.",
    ),
    (
        _loop(lambda w, g, H, d: w - _solve(H, g, 0.0)),
        "damping is ignored: add damping times the identity matrix to H before solving.",
    ),
    (
        _loop(lambda w, g, H, d: w - np.linalg.solve(H + d, g)),
        "H + damping adds the number to EVERY entry of H: add it to the diagonal only "
        "(damping * np.eye(d)).",
    ),
    (
        _aliased,
        "every row of your path is the same array: the in-place update w -= ... "
        "changes the rows you stored; append a copy (w.copy()) or build a new w.",
    ),
    (_no_start, "the path starts with w_0 itself: it has steps + 1 rows."),
]


def _newton_cases() -> list[DiagnosedCase]:
    cases = [
        Case(
            args,
            newton_minimize(*args),
            "w_{k+1} = w_k - (H(w_k) + damping I)^{-1} g(w_k), one row per point, "
            "starting with w_0.",
        )
        for args in _newton_problems()
    ]
    return with_mistakes(cases, _NEWTON_MISTAKES)


@graded
@exercise(reference=newton_minimize, forbidden=("dlcourse.topics.second_order.newton_minimize",))
def check_newton_path(newton_path: Callable) -> CheckResult:
    """Check ``newton_path(grad_fn, hess_fn, w0, steps, damping) -> (steps + 1, d) array``,
    and that it calls grad_fn and hess_fn once per step."""
    result = run_with_mistakes("newton_path", newton_path, _newton_cases(), rtol=1e-7, atol=1e-9)
    if not result.passed or not callable(newton_path):
        return result
    for args in _newton_problems():
        steps = args[3]
        extra = calls_asked(
            "newton_path", newton_path, args, {0: "grad_fn", 1: "hess_fn"}, {0: steps, 1: steps}
        )
        if extra is not None:
            return extra
    return result


# ------------------------------------------------------------------ debug this run
_CHANCE = (
    "this loss fell, but it ends at about log C: the network gives every class the "
    "same probability, which is chance level. Compare the last value with "
    "math.log(n_classes) after the 'flat' rule."
)
_CHANCE_WRONG_C = (
    "compare with log C of THIS problem, math.log(n_classes), not a fixed number such as log 10."
)
_CHANCE_ABS = (
    "the chance test is relative: |L_T - log C| < 0.05 log C, not an absolute "
    "tolerance, and it uses the LAST value."
)
_FLAT_BEFORE = (
    "apply the rules in order: a curve that barely moved is 'flat' (the learning "
    "rate is too small) even when it sits at log C."
)
_RUN_CURVES: list[tuple[list[float], int, dict[str, str]]] = [
    ([5.11, 3.4, 2.6, 2.31, 2.30], 10, {"ok": _CHANCE}),
    ([2.30, 1.71, 1.02, 0.61, 0.44], 10, {"chance": _CHANCE_ABS}),
    ([3.10, 2.5, 2.31, 2.30], 2, {"chance": _CHANCE_WRONG_C}),
    ([1.40, 1.0, 0.75, 0.70], 2, {"ok": _CHANCE, "flat": _CHANCE}),
    ([5.0, 2.30, 2.9, 3.0], 10, {"chance": _CHANCE_ABS, "rising": _RISING_ENDS}),
    ([2.3026, 2.301, 2.300], 10, {"chance": _FLAT_BEFORE}),
    ([2.30, 4.7, 91.0, math.inf], 10, {"rising": _NAN, "ok": _NAN, "flat": _NAN, "chance": _NAN}),
    ([2.30, 2.6, 3.4, 5.0], 10, {"flat": _FLAT_ON_RISE, "chance": _FLAT_ON_RISE}),
    ([9.0, 5.0, 2.0, 1.25], 3, {"chance": _CHANCE_ABS}),
    ([4.0, 2.0, 1.12, 1.10], 3, {"ok": _CHANCE}),
    ([10.0, 9.99, 9.98, 9.97], 10, {"ok": _RELATIVE, "chance": _RELATIVE}),
    ([math.nan, 2.3, 2.2], 10, {"ok": _NAN, "flat": _NAN, "rising": _NAN, "chance": _NAN}),
    # where a near miss of the taught rules gives another label than the rules themselves
    ([9.0, 8.0, 7.0, 6.62], 1000, {"ok": _CHANCE_ABS}),
    ([1.5, 1.0, 0.8, 0.74], 2, {"chance": _CHANCE_ABS}),
    ([2.0, 1.98, 1.96, 1.94], 10, {"flat": _FLAT_SHARE}),
    ([50.0, 49.9, 49.8, 49.7], 10, {"ok": _RELATIVE}),
    ([3.0, 3.5, 2.0, 1.0], 10, {"rising": _RISING_ENDS}),
    ([3.0, 0.9, 1.0], 10, {"rising": _RISING_ENDS}),
    ([2.3, math.nan, 2.0, 1.0], 10, {"ok": _NAN, "flat": _NAN, "rising": _NAN, "chance": _NAN}),
    ([4.0, 3.0, 2.4, 2.36], 10, {"ok": _CHANCE_LAST}),
]
_RUN_VALID = ("diverged", "rising", "flat", "chance", "ok")


@graded
@exercise(reference=diagnose_loss_curve, forbidden=("dlcourse.topics.babysit.diagnose_loss_curve",))
def check_diagnose_run(diagnose_run_fn: Callable) -> CheckResult:
    """Check ``diagnose_run(losses, n_classes) -> "diverged" | "rising" | "flat" | "chance" | "ok"``."""
    name = "diagnose_run"
    for i, (curve, n_classes, wrong) in enumerate(_RUN_CURVES, 1):
        expected = diagnose_loss_curve(curve, n_classes)
        answers: list = []

        def record(got, _expected):
            answers.append(got)
            return True

        with np.errstate(all="ignore"):
            result = run_cases(
                name,
                diagnose_run_fn,
                [Case((list(curve), n_classes), expected, "")],
                compare=record,
            )
        if not answers:
            return result
        got = answers[0]
        if not isinstance(got, str) or got not in _RUN_VALID:
            return CheckResult(
                False,
                f"{name}: not yet — case {i}: you returned {got!r}. Hint: "
                f"return one of the strings {', '.join(map(repr, _RUN_VALID))}.",
            )
        if got != expected:
            hint = wrong.get(
                got,
                "apply the rules in order: non-finite -> 'diverged'; last > "
                "first -> 'rising'; small drop -> 'flat'; ends near log C -> "
                "'chance'; otherwise 'ok'.",
            )
            shown = ", ".join(f"{v:g}" for v in curve)
            return CheckResult(
                False,
                f"{name}: not yet — case {i}: for the curve [{shown}] with "
                f"C = {n_classes} you returned {got!r}, expected "
                f"{expected!r}. Hint: {hint}",
            )
    return CheckResult(True, f"{name}: correct")


# ------------------------------------------------------------------ averaging an ensemble
_AVG_FULL = (
    "softmax each member's logits (row maximum taken out), then take the mean of the K "
    "probability arrays: p = (1/K) sum_k softmax(Z_k), shape (m, C), each row summing to 1."
)


_AVG_EVERY = "use every member: the mean runs over all K arrays of logits."


def _stable(z):
    return softmax(np.asarray(z, dtype=np.float64))


def _avg_logits(member_logits):
    return _stable(np.mean(member_logits, axis=0))


def _avg_votes(member_logits):
    C = np.shape(member_logits[0])[1]
    return np.mean([np.eye(C)[np.argmax(z, axis=1)] for z in member_logits], axis=0)


def _avg_labels(member_logits):
    return average_probabilities(member_logits).argmax(axis=1)


def _avg_unstable(member_logits):
    return np.mean([np.exp(z) / np.exp(z).sum(axis=1, keepdims=True) for z in member_logits], 0)


_AVG_MISTAKES = [
    (
        _avg_logits,
        "that averages the LOGITS, then applies softmax (the same as a normalised geometric "
        "mean of the probabilities): average the members' probabilities instead — softmax "
        "each member's logits first, then take the mean.",
    ),
    (
        _avg_votes,
        "that averages the members' LABELS (a vote: one-hot of each argmax): a vote throws "
        "away how sure each member is; average their probabilities, softmax of the logits.",
    ),
    (
        _avg_labels,
        "return the averaged probabilities, shape (m, C), not the predicted labels (the "
        "notebook takes the argmax afterwards).",
    ),
    (
        lambda zs: np.sum([_stable(z) for z in zs], axis=0),
        "divide the sum by K, the number of members: each row must sum to 1.",
    ),
    (lambda zs: _stable(zs[0]), _AVG_EVERY),
    (lambda zs: _stable(zs[-1]), _AVG_EVERY),
    (
        lambda zs: np.mean([_stable(z.T).T for z in zs], axis=0),
        "softmax over the classes, along the last axis (axis=-1), for each example.",
    ),
    (
        _avg_unstable,
        "exp of a large logit overflows to inf: take each row's maximum out before np.exp "
        "(or use dl.softmax).",
    ),
]


def _avg_cases() -> list[DiagnosedCase]:
    rng = np.random.default_rng(1313)
    problems = [
        [rng.normal(0.0, 2.0, (4, 3)) for _ in range(3)],
        [rng.normal(0.0, 3.0, (6, 5)) for _ in range(2)],
        [rng.normal(0.0, 1.0, (3, 4)) for _ in range(5)],
        # one confident member against two hesitant ones: vote, logits and probabilities
        # average to three different winners
        [
            np.array([[9.0, 0.0, 0.0]]),
            np.array([[0.0, 1.2, 1.0]]),
            np.array([[0.0, 1.0, 1.2]]),
        ],
        [800.0 + rng.normal(0.0, 5.0, (3, 4)) for _ in range(3)],  # logits near 800
    ]
    cases = [
        Case(([z.copy() for z in zs],), average_probabilities(zs), _AVG_FULL) for zs in problems
    ]
    return with_mistakes(cases, _AVG_MISTAKES)


@graded
@exercise(
    reference=average_probabilities,
    forbidden=(
        "dlcourse.topics.ensemble.average_probabilities",
        "dlcourse.topics.ensemble.ensemble_proba",
    ),
)
def check_ensemble_average(ensemble_average: Callable) -> CheckResult:
    """Check ``ensemble_average(member_logits) -> (m, C) probabilities`` (module docstring)."""
    return run_with_mistakes(
        "ensemble_average", ensemble_average, _avg_cases(), rtol=1e-9, atol=1e-12
    )


# ------------------------------------------------------------------ the transfer recipe
_TR_HEAD = (
    "replace the head by a fresh Dense(n_features, n_classes, init='xavier', rng=seed), "
    "n_features being the old head's in_features, on a copy of the pre-trained network."
)
_TR_FROZEN = (
    "the body of `head_only` differs from the pre-trained body: while the head trains, "
    "give the optimizer only the head's parameters (the body stays frozen)."
)
_TR_SAME = (
    "`head_only` and `tuned` share their weights: copy the head-trained network "
    "(copy.deepcopy) before fine-tuning the copy, so that both stages can be compared."
)
_TR_SHARED = (
    "your networks share the body's arrays with `pretrained`: copy the pre-trained network "
    "(copy.deepcopy) before changing its head — training the shared body later would "
    "change the pre-trained network too."
)
_TR_BODY_STILL = (
    "the body of `tuned` did not change: fine-tuning trains EVERY layer, so the second "
    "optimizer gets all the parameters of the network (model.parameters())."
)
_TR_STEPS = (
    "each stage is Adam, full batch (no batch_size), for its own number of epochs: "
    "head_epochs at α = lr on the head's parameters, then tune_epochs at α = lr / 10 on "
    "all parameters of a copy."
)


def _weights_of(model) -> list:
    return [p.value for p in model.parameters()]


def _tr_problems() -> list[tuple]:
    """(pretrained, X, y, n_classes, lr, head_epochs, tune_epochs, seed) of the hidden cases."""
    out = []
    for k, (n_in, hidden, old, new, m, lr, he, te) in enumerate(
        [(5, 7, 3, 4, 24, 0.05, 6, 4), (4, 6, 5, 2, 18, 0.02, 9, 3), (6, 5, 2, 3, 30, 0.1, 4, 6)]
    ):
        rng = np.random.default_rng(1320 + k)
        pre = Sequential(
            [Dense(n_in, hidden, init="he", rng=rng), ReLU(), Dense(hidden, old, rng=rng)]
        )
        X = rng.normal(0.0, 1.0, (m, n_in))
        y = rng.permutation(np.arange(m) % new)
        out.append((pre, X, y, new, lr, he, te, 40 + 3 * k))
    return out


def _tr_variant(head_all=False, tune_lr=0.1, tune_head_only=False, init="xavier", batch=None):
    """The recipe with one thing changed (the mistakes of the hidden cases)."""
    from ..losses import SoftmaxCrossEntropy
    from ..optim import Adam
    from ..train import fit

    def recipe(pretrained, X, y, n_classes, lr, head_epochs, tune_epochs, seed):
        head_only = replace_head(pretrained, n_classes, init=init, rng=seed)
        first = head_only.parameters() if head_all else head_only[-1].parameters()
        fit(head_only, X, y, SoftmaxCrossEntropy(), Adam(first, lr), head_epochs, batch)
        tuned = clone(head_only)
        second = tuned[-1].parameters() if tune_head_only else tuned.parameters()
        fit(tuned, X, y, SoftmaxCrossEntropy(), Adam(second, lr * tune_lr), tune_epochs, batch)
        return head_only, tuned

    return recipe


_TR_MISTAKES = [
    (_tr_variant(head_all=True), _TR_FROZEN),
    (_tr_variant(tune_lr=1.0), "fine-tune with a 10 times smaller learning rate, lr / 10."),
    (_tr_variant(tune_head_only=True), _TR_BODY_STILL),
    (_tr_variant(init="he"), _TR_HEAD),
    (_tr_variant(batch=8), _TR_STEPS),
]


def _structure(got, pretrained, n_classes: int) -> str | None:
    """What is wrong with the pair of networks ``got`` before any value is compared."""
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        return "return the pair (head_only, tuned): the network after training the head, then the fine-tuned copy"
    head_only, tuned = got
    for label, model in (("head_only", head_only), ("tuned", tuned)):
        if not isinstance(model, Sequential) or not isinstance(model[-1], Dense):
            return f"`{label}` must be a dl.Sequential ending in its Dense head"
    if len(head_only) != len(pretrained) or len(tuned) != len(pretrained):
        return "keep every layer of the body and replace only the last one, the head"
    if any(np.shares_memory(a, b) for a in _weights_of(head_only) for b in _weights_of(tuned)):
        return _TR_SAME
    if any(
        np.shares_memory(a, b)
        for model in got
        for a in _weights_of(model)
        for b in _weights_of(pretrained)
    ):
        return _TR_SHARED
    if head_only[-1].W.value.shape != (n_classes, pretrained[-1].in_features):
        return _TR_HEAD + f" The new task has n_classes = {n_classes} classes."
    body = _weights_of(pretrained)[:-2]
    if not close(_weights_of(head_only)[:-2], body, 1e-12, 0.0):
        return _TR_FROZEN
    if close(_weights_of(tuned)[:-2], body, 1e-12, 0.0):
        return _TR_BODY_STILL
    return None


@graded
@exercise(
    reference=transfer_recipe,
    items=("head_only", "tuned"),
    forbidden=(
        "dlcourse.topics.transfer.transfer_recipe",
        "dlcourse.topics.transfer.replace_head",
        "dlcourse.topics.transfer.head_parameters",
        "dlcourse.topics.transfer.trainable_parameters",
        "dlcourse.topics.transfer.body_parameters",
    ),
)
def check_transfer_recipe(transfer_recipe_fn: Callable) -> CheckResult:
    """Check ``transfer_recipe(pretrained, X, y, n_classes, lr, head_epochs, tune_epochs,
    seed) -> (head_only, tuned)`` (module docstring): the structure first (a pair of new
    networks, the body frozen, then changed), then every weight against the reference."""
    name = "transfer_recipe"
    if not callable(transfer_recipe_fn):
        return run_cases(name, transfer_recipe_fn, [])
    for i, args in enumerate(_tr_problems(), 1):
        got = transfer_recipe_fn(*args)
        wrong = _structure(got, args[0], args[3])
        if wrong:
            return CheckResult(False, f"{name}: not yet — case {i}: {wrong}")
        mine = [_weights_of(model) for model in got]
        expected = [_weights_of(model) for model in transfer_recipe(*args)]
        if close(mine, expected, 1e-9, 1e-12):
            continue
        hint = next(
            (
                h
                for fn, h in _TR_MISTAKES
                if close(mine, [_weights_of(model) for model in fn(*args)], 1e-9, 1e-12)
            ),
            _TR_STEPS
            if close(mine[0], expected[0], 1e-9, 1e-12)
            else f"{_TR_HEAD} Then: {_TR_STEPS}",
        )
        stage = "tuned" if close(mine[0], expected[0], 1e-9, 1e-12) else "head_only"
        ignored = _tr_ignored(transfer_recipe_fn, args, mine)
        if ignored:
            hint = (
                f"your networks stay the same when `{ignored}` changes: use the argument "
                f"`{ignored}` you are given, not a fixed value."
            )
        return CheckResult(False, f"{name}: not yet — case {i} (`{stage}` is wrong). Hint: {hint}")
    return CheckResult(True, f"{name}: correct")


_TR_NUMBERS = {"lr": (4, 1.37), "head_epochs": (5, 1), "tune_epochs": (6, 1), "seed": (7, 1)}


def _tr_ignored(fn: Callable, args: tuple, mine: list) -> str | None:
    """The numeric argument (lr, the epochs, seed) whose change leaves the learner's
    networks as they were, else None."""
    for key, (position, change) in _TR_NUMBERS.items():
        moved = list(args)
        moved[position] = args[position] * change if key == "lr" else args[position] + change
        try:
            again = [_weights_of(model) for model in fn(*moved)]
        except Exception:  # a call that fails tells nothing about this argument
            continue
        if close(again, mine, 0.0, 0.0):
            return key
    return None


# ------------------------------------------------------------------ shifting images
_SH_FULL = (
    "out[i, r, c] = img_i[r - dy, c - dx] where that pixel exists, else 0: view X as "
    "(m, h, w) images (X.reshape(m, h, w)), copy the overlapping block into an array of "
    "zeros, and return it as (m, h * w) again."
)


def _sh_reference(X, dx, dy, shape):
    return shift_images(X, dx, dy, shape=tuple(shape))


def _sh_roll(X, dx, dy, shape):
    h, w = shape
    return np.roll(np.asarray(X).reshape(-1, h, w), (dy, dx), axis=(1, 2)).reshape(len(X), -1)


_SH_MISTAKES = [
    (
        _sh_roll,
        "np.roll wraps the pixels that leave one side around to the other side: the pixels "
        "that enter the frame must be 0.",
    ),
    (
        lambda X, dx, dy, shape: _sh_reference(X, dy, dx, shape),
        "dx moves the picture along the columns (right for dx > 0) and dy along the rows "
        "(down for dy > 0): you swapped them.",
    ),
    (
        lambda X, dx, dy, shape: _sh_reference(X, -dx, -dy, shape),
        "mind the direction: dx > 0 moves the picture RIGHT, so out[r, c] = img[r - dy, "
        "c - dx] (the pixel comes from the left).",
    ),
    (
        lambda X, dx, dy, shape: _sh_reference(X, dx, dy, shape).reshape(len(X), *shape),
        "return the images flattened again, shape (m, h * w), as X came in.",
    ),
    (
        lambda X, dx, dy, shape: _sh_reference(X, dx, dy, (shape[1], shape[0])),
        "shape is (h, w): h rows and w columns, in row-major order: X.reshape(m, h, w), "
        "not (m, w, h).",
    ),
]


def _sh_cases() -> list[DiagnosedCase]:
    rng = np.random.default_rng(1330)
    problems = [
        ((4, 5), 3, 1, -2),  # not square: h = 4 rows, w = 5 columns
        ((3, 3), 2, 0, 1),  # dx = 0
        ((5, 4), 2, -1, 0),  # dy = 0
        ((4, 4), 3, 2, 2),
        ((3, 6), 2, 7, -1),  # moved out of the frame entirely
    ]
    cases = []
    for shape, m, dx, dy in problems:
        X = rng.integers(1, 17, size=(m, shape[0] * shape[1])).astype(np.float64)
        cases.append(Case((X, dx, dy, shape), _sh_reference(X, dx, dy, shape), _SH_FULL))
    return with_mistakes(cases, _SH_MISTAKES)


@graded
@exercise(
    reference=_sh_reference,
    forbidden=("dlcourse.topics.augment.shift_images", "dlcourse.topics.augment.random_shifts"),
)
def check_shift_images(shift_images_fn: Callable) -> CheckResult:
    """Check ``shift_images(X, dx, dy, shape) -> (m, h * w)`` (module docstring)."""
    return run_with_mistakes(
        "shift_images", _explain_empty_slice(shift_images_fn), _sh_cases(), rtol=0.0, atol=0.0
    )


_EMPTY_SLICE = (
    "with an offset of 0 a slice such as [:-0] is EMPTY (it means [:0]): write the end "
    "index as size - offset, or treat 0 separately."
)


_OUT_OF_FRAME = (
    "a shift at least as large as the image moves the whole picture out of the frame: "
    "the result is all 0 (clip the overlapping block to nothing)."
)


def _explain_empty_slice(fn: Callable) -> Callable:
    """The learner's function, with a broadcasting error on a case with an offset of 0
    turned into the hint about the empty slice [:-0]."""
    if not callable(fn):
        return fn

    def call(X, dx, dy, shape):
        try:
            return fn(X, dx, dy, shape)
        except ValueError as exc:
            if "broadcast" not in str(exc):
                raise
            if 0 in (dx, dy):
                raise ValueError(f"{exc}. Hint: {_EMPTY_SLICE}") from None
            if abs(dy) >= shape[0] or abs(dx) >= shape[1]:
                raise ValueError(f"{exc}. Hint: {_OUT_OF_FRAME}") from None
            raise

    return call
