"""Check for notebook 11's exercise: the batch-norm forward pass in training mode.

The learner writes ``batchnorm_forward(Z, gamma, beta, eps)`` returning

    mu = (1/m) sum_i z_i,   sigma^2 = (1/m) sum_i (z_i - mu)^2,
    z_norm = (z - mu) / sqrt(sigma^2 + eps),   z_tilde = gamma * z_norm + beta

for Z of shape (m, n) (examples in rows, statistics per feature over the batch axis). The
expected values come from :func:`dlcourse.layers.batchnorm_forward`. When an answer is wrong
the check compares it with the usual mistakes (statistics over the wrong axis, the unbiased
variance, eps outside the square root, no square root, gamma and beta left out or swapped)
and names the one it matches.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..layers import batchnorm_forward as _reference
from .grader import graded
from .grader import GRADIENT_HELPERS, exercise  # noqa: F401
from .grader import ESTIMATED, Case, CheckResult, describe, run_with_mistakes, with_mistakes

NAME = "batchnorm_forward"


def _expected(Z, gamma, beta, eps):
    return _reference(Z, gamma, beta, eps)[0]


# ------------------------------------------------------------------ the usual mistakes
def _over_features(Z, gamma, beta, eps):
    mu = Z.mean(axis=1, keepdims=True)
    var = Z.var(axis=1, keepdims=True)
    return gamma * (Z - mu) / np.sqrt(var + eps) + beta


def _unbiased(Z, gamma, beta, eps):
    return gamma * (Z - Z.mean(0)) / np.sqrt(Z.var(0, ddof=1) + eps) + beta


def _eps_outside(Z, gamma, beta, eps):
    return gamma * (Z - Z.mean(0)) / (np.sqrt(Z.var(0)) + eps) + beta


def _no_eps(Z, gamma, beta, eps):
    return gamma * (Z - Z.mean(0)) / np.sqrt(Z.var(0)) + beta


def _no_sqrt(Z, gamma, beta, eps):
    return gamma * (Z - Z.mean(0)) / (Z.var(0) + eps) + beta


def _no_affine(Z, gamma, beta, eps):
    return (Z - Z.mean(0)) / np.sqrt(Z.var(0) + eps)


def _swapped(Z, gamma, beta, eps):
    return beta * (Z - Z.mean(0)) / np.sqrt(Z.var(0) + eps) + gamma


def _not_centred(Z, gamma, beta, eps):
    return gamma * Z / np.sqrt(Z.var(0) + eps) + beta


MISTAKES: tuple[tuple[Callable, str], ...] = (
    (
        _over_features,
        "you took the mean and variance over the features (axis=1); batch norm "
        "normalises each feature over the examples of the batch: axis=0",
    ),
    (
        _unbiased,
        "you used the unbiased variance (dividing by m - 1); batch norm uses the "
        "batch variance (1/m) sum (z - mu)^2, i.e. np.var(Z, axis=0) with ddof=0",
    ),
    (
        _eps_outside,
        "eps goes inside the square root: divide by sqrt(sigma^2 + eps), "
        "not by sqrt(sigma^2) + eps",
    ),
    (
        _no_eps,
        "you left out eps: divide by sqrt(sigma^2 + eps) so that a feature with zero "
        "variance does not divide by zero",
    ),
    (_no_sqrt, "divide by the standard deviation sqrt(sigma^2 + eps), not by the variance"),
    (_no_affine, "you returned z_norm; the layer's output is z_tilde = gamma * z_norm + beta"),
    (_swapped, "gamma scales and beta shifts: z_tilde = gamma * z_norm + beta"),
    (_not_centred, "subtract the batch mean mu before dividing"),
)


def _cases() -> list[Case]:
    """Hidden cases: varied shapes, scales, offsets, gamma/beta, and a constant feature."""
    rng = np.random.default_rng(2024)
    cases = []
    shapes_scales = [
        ((6, 3), 1.0, 0.0, 1e-5),
        ((32, 5), 4.0, 3.0, 1e-5),
        ((4, 7), 0.05, -2.0, 1e-3),
        ((64, 2), 10.0, 50.0, 1e-5),
    ]
    for (m, n), scale, offset, eps in shapes_scales:
        Z = rng.normal(offset, scale, size=(m, n)) * rng.uniform(0.5, 2.0, size=n)
        gamma = rng.uniform(0.5, 2.0, size=n)
        beta = rng.normal(0.0, 1.0, size=n)
        cases.append(
            Case(
                (Z, gamma, beta, eps),
                _expected(Z, gamma, beta, eps),
                "compare your formula with the four lines of the math above",
            )
        )
    Z = rng.normal(size=(8, 3))
    Z[:, 1] = 2.5  # a constant feature: its variance is 0, eps keeps the division finite
    gamma, beta = np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 0.3])
    cases.append(
        Case(
            (Z, gamma, beta, 1e-5),
            _expected(Z, gamma, beta, 1e-5),
            "a feature that is the same for every example has variance 0: with "
            "sqrt(sigma^2 + eps) its output is exactly beta",
        )
    )
    return cases


def _not_an_array(fn: Callable, case: Case) -> str | None:
    """A message when ``fn`` returns something that is not an array (e.g. a tuple)."""
    try:
        with np.errstate(all="ignore"):
            got = fn(*[np.array(a, copy=True) for a in case.args])
    except Exception:
        return None  # the grader reports the exception
    try:
        np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        extra = " (return only z_tilde, not a tuple)" if isinstance(got, tuple) else ""
        return (
            f"{NAME}: not yet — it returned a {type(got).__name__}, expected an array of "
            f"shape {np.shape(case.expected)}{extra}"
        )
    return None


@graded
@exercise(
    reference=_expected,
    forbidden=("dlcourse.layers.batchnorm_forward", "dlcourse.layers.BatchNorm.forward"),
)
def check_batchnorm_forward(fn: Callable) -> CheckResult:
    """Check ``fn(Z, gamma, beta, eps) -> Z_tilde`` against ``dlcourse.layers.batchnorm_forward``."""
    cases = _cases()
    if callable(fn):
        for case in cases:
            message = _not_an_array(fn, case)
            if message:
                return CheckResult(False, message)
    return run_with_mistakes(NAME, fn, with_mistakes(cases, MISTAKES))


# ================================================================== backward pass
# The learner writes ``batchnorm_backward(dZ_tilde, Z, gamma, eps) -> (dZ, dgamma, dbeta)``
# for training-mode batch norm (mu and sigma^2 depend on every z of the batch).
from ..layers import batchnorm_backward as _reference_backward
from .questions import Question

__all__ = [
    "Q_BATCH_NOISE",
    "Q_BN_GRID",
    "Q_ONE_EXAMPLE",
    "check_batchnorm_backward",
    "check_batchnorm_forward",
    "check_batchnorm_predict",
    "check_running_averages",
]

BACKWARD = "batchnorm_backward"


def _expected_backward(dout, Z, gamma, eps):
    _, cache, _, _ = _reference(Z, gamma, np.zeros_like(gamma), eps)
    return tuple(_reference_backward(dout, cache))


def _parts(Z, eps, ddof=0, eps_outside=False):
    mu = Z.mean(0)
    std = np.sqrt(Z.var(0, ddof=ddof)) + eps if eps_outside else np.sqrt(Z.var(0, ddof=ddof) + eps)
    return (Z - mu) / std, 1.0 / std


def _full(dout, Z, gamma, eps, ddof=0, eps_outside=False, use_gamma=True):
    xhat, inv = _parts(Z, eps, ddof, eps_outside)
    m = len(Z)
    dxh = dout * gamma if use_gamma else dout
    dZ = inv / m * (m * dxh - dxh.sum(0) - xhat * (dxh * xhat).sum(0))
    return dZ, (dout * xhat).sum(0), dout.sum(0)


def _constant_stats(dout, Z, gamma, eps):
    xhat, inv = _parts(Z, eps)
    return dout * gamma * inv, (dout * xhat).sum(0), dout.sum(0)


def _mean_term_only(dout, Z, gamma, eps):
    xhat, inv = _parts(Z, eps)
    dxh = dout * gamma
    return inv * (dxh - dxh.mean(0)), (dout * xhat).sum(0), dout.sum(0)


def _var_term_only(dout, Z, gamma, eps):
    xhat, inv = _parts(Z, eps)
    dxh = dout * gamma
    return inv * (dxh - xhat * (dxh * xhat).mean(0)), (dout * xhat).sum(0), dout.sum(0)


def _dbeta_mean(dout, Z, gamma, eps):
    dZ, dg, _ = _full(dout, Z, gamma, eps)
    return dZ, dg, dout.mean(0)


def _dgamma_no_xhat(dout, Z, gamma, eps):
    dZ, _, db = _full(dout, Z, gamma, eps)
    return dZ, dout.sum(0), db


def _dgamma_dbeta_swapped(dout, Z, gamma, eps):
    dZ, dg, db = _full(dout, Z, gamma, eps)
    return dZ, db, dg


BACKWARD_MISTAKES: tuple[tuple[Callable, str], ...] = (
    (
        _constant_stats,
        "you treated mu and sigma^2 as constants: in training mode they depend on "
        "every z of the batch, so dZ has two more terms (through mu and through "
        "sigma^2)",
    ),
    (_mean_term_only, "the path through mu is there, but the path through sigma^2 is missing"),
    (_var_term_only, "the path through sigma^2 is there, but the path through mu is missing"),
    (
        lambda d, Z, g, e: _full(d, Z, g, e, use_gamma=False),
        "dZ_tilde reaches Z_norm through gamma: d Z_norm = gamma * dZ_tilde",
    ),
    (
        lambda d, Z, g, e: _full(d, Z, g, e, ddof=1),
        "the forward pass uses the batch variance (1/m), not the unbiased one (1/(m-1))",
    ),
    (
        lambda d, Z, g, e: _full(d, Z, g, e, eps_outside=True),
        "eps goes inside the square root: 1 / sqrt(sigma^2 + eps)",
    ),
    (_dbeta_mean, "dbeta adds up the upstream gradient over the batch: a sum, not a mean"),
    (_dgamma_no_xhat, "gamma multiplies Z_norm, so dgamma sums dZ_tilde * Z_norm over the batch"),
    (_dgamma_dbeta_swapped, "return (dZ, dgamma, dbeta) in this order"),
)


def _backward_cases() -> list[Case]:
    rng = np.random.default_rng(2025)
    cases = []
    for (m, n), scale, eps in [
        ((6, 3), 1.0, 1e-5),
        ((16, 4), 5.0, 1e-5),
        ((5, 2), 0.1, 1e-3),
        ((32, 6), 2.0, 1e-5),
    ]:
        Z = rng.normal(1.0, scale, size=(m, n))
        gamma = rng.uniform(0.5, 2.0, size=n)
        dout = rng.normal(size=(m, n))
        cases.append(
            Case(
                (dout, Z, gamma, eps),
                _expected_backward(dout, Z, gamma, eps),
                "backpropagate through z_tilde = gamma z_norm + beta, z_norm = "
                "(z - mu) / sqrt(sigma^2 + eps), and through mu and sigma^2 "
                "(collapse the node-by-node chain of exercise (b))",
            )
        )
    return cases


@graded
@exercise(
    reference=_expected_backward,
    items=("dZ", "dgamma", "dbeta"),
    forbidden=(
        *GRADIENT_HELPERS,
        "dlcourse.layers.batchnorm_backward",
        "dlcourse.layers.BatchNorm.backward",
    ),
)
def check_batchnorm_backward(fn: Callable) -> CheckResult:
    """Check ``fn(dZ_tilde, Z, gamma, eps) -> (dZ, dgamma, dbeta)``."""
    return run_with_mistakes(BACKWARD, fn, with_mistakes(_backward_cases(), BACKWARD_MISTAKES))


# ================================================================== running averages, test time
RUNNING = "update_running"


def _expected_running(running_mean, running_var, Z, momentum):
    return (
        momentum * running_mean + (1 - momentum) * Z.mean(0),
        momentum * running_var + (1 - momentum) * Z.var(0),
    )


RUNNING_MISTAKES: tuple[tuple[Callable, str], ...] = (
    (
        lambda rm, rv, Z, mo: ((1 - mo) * rm + mo * Z.mean(0), (1 - mo) * rv + mo * Z.var(0)),
        "in this course momentum weights the OLD running value (0.9 keeps 90 % of it); PyTorch's "
        "momentum=0.1 is the weight of the NEW value, the other way round",
    ),
    (
        lambda rm, rv, Z, mo: (
            mo * rm + (1 - mo) * Z.mean(0),
            mo * rv + (1 - mo) * Z.var(0, ddof=1),
        ),
        "that is PyTorch's running variance (unbiased, 1/(m-1)); this course keeps the batch "
        "variance (1/m) that the forward pass used",
    ),
    (
        lambda rm, rv, Z, mo: (mo * rm + (1 - mo) * Z.mean(0), mo * rv + (1 - mo) * Z.std(0)),
        "keep a running average of the VARIANCE, not of the standard deviation",
    ),
    (
        lambda rm, rv, Z, mo: (Z.mean(0), Z.var(0)),
        "that replaces the running values by this batch's statistics: average them with the old ones",
    ),
    (
        lambda rm, rv, Z, mo: (mo * rm + (1 - mo) * Z.mean(1), mo * rv + (1 - mo) * Z.var(1)),
        "the statistics of each unit are taken over the batch (axis 0)",
    ),
    (
        lambda rm, rv, Z, mo: (
            mo * rm + (1 - mo) * Z.mean(0),
            mo * rv + (1 - mo) * ((Z - rm) ** 2).mean(0),
        ),
        "the batch variance is measured around the batch mean, not around the running mean",
    ),
)


def _running_cases() -> list[Case]:
    rng = np.random.default_rng(2026)
    cases = []
    for (m, n), mo in [((4, 4), 0.9), ((8, 3), 0.9), ((16, 2), 0.99), ((5, 4), 0.5)]:
        Z = rng.normal(2.0, 3.0, size=(m, n))
        rm, rv = rng.normal(size=n), rng.uniform(0.5, 2.0, size=n)
        cases.append(
            Case(
                (rm, rv, Z, mo),
                _expected_running(rm, rv, Z, mo),
                "running = momentum * running + (1 - momentum) * batch statistic",
            )
        )
    return cases


def _copying(fn: Callable) -> Callable:
    def call(*args):
        return fn(*[np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args])

    return call


@graded
@exercise(
    reference=_expected_running,
    items=("new_mean", "new_var"),
    forbidden=("dlcourse.layers.BatchNorm.forward",),
)
def check_running_averages(fn: Callable) -> CheckResult:
    """Check ``fn(running_mean, running_var, Z, momentum) -> (new_mean, new_var)``."""
    f = _copying(fn) if callable(fn) else fn
    return run_with_mistakes(RUNNING, f, with_mistakes(_running_cases(), RUNNING_MISTAKES))


PREDICT = "batchnorm_predict"


def _expected_predict(Z, gamma, beta, rm, rv, eps):
    return gamma * (Z - rm) / np.sqrt(rv + eps) + beta


PREDICT_MISTAKES: tuple[tuple[Callable, str], ...] = (
    (
        lambda Z, g, b, rm, rv, e: _expected(Z, g, b, e),
        "at test time use the running averages, not the statistics of the batch you are given",
    ),
    (
        lambda Z, g, b, rm, rv, e: g * (Z - rm) / (np.sqrt(rv) + e) + b,
        "eps goes inside the square root, as in training (it is Adam that adds it outside)",
    ),
    (lambda Z, g, b, rm, rv, e: g * (Z - rm) / np.sqrt(rv) + b, "keep eps, as in training"),
    (
        lambda Z, g, b, rm, rv, e: (Z - rm) / np.sqrt(rv + e),
        "apply gamma and beta after normalising",
    ),
    (
        lambda Z, g, b, rm, rv, e: g * (Z - rm) / (rv + e) + b,
        "divide by the standard deviation sqrt(running_var + eps), not the variance",
    ),
)


def _predict_cases() -> list[Case]:
    rng = np.random.default_rng(2027)
    cases = []
    for (m, n), eps in [((6, 3), 1e-5), ((1, 4), 1e-3), ((20, 2), 0.5)]:
        Z = rng.normal(1.0, 2.0, size=(m, n))
        g, b = rng.uniform(0.5, 2.0, size=n), rng.normal(size=n)
        rm, rv = rng.normal(size=n), rng.uniform(0.5, 3.0, size=n)
        cases.append(
            Case(
                (Z, g, b, rm, rv, eps),
                _expected_predict(Z, g, b, rm, rv, eps),
                "normalise with the running mean and variance, then scale and shift",
            )
        )
    return cases


@graded
@exercise(
    reference=_expected_predict,
    forbidden=("dlcourse.layers.batchnorm_inference", "dlcourse.layers.BatchNorm.forward"),
)
def check_batchnorm_predict(fn: Callable) -> CheckResult:
    """Check ``fn(Z, gamma, beta, running_mean, running_var, eps) -> Z_tilde`` (test mode)."""
    return run_with_mistakes(PREDICT, fn, with_mistakes(_predict_cases(), PREDICT_MISTAKES))


Q_BN_GRID = Question(
    "Q_BN_GRID",
    "c",
    "None, on each of the five seeds tested: batch norm keeps the scale of every layer's "
    "input steady, but a step of alpha = 3 is still too large for the weights that remain "
    "(gamma, beta and the output layer, and the direction of W). Batch norm widens the "
    "window of learning rates; it does not remove its upper end.",
    {"a": "all five", "b": "two or three", "c": "none"},
)
Q_BATCH_NOISE = Question(
    "Q_BATCH_NOISE",
    "c",
    "Several times higher (about 8x here, and more than 3x on every seed tested): with 8 "
    "examples the batch mean and variance are noisy estimates, so each example is "
    "normalised with statistics that are off, and the logits move with them. With all 300 "
    "examples in one batch the statistics are those of the data set, close to the running "
    "averages, and the cost is close to the test-mode cost.",
    {
        "a": "about the same (within 10 %)",
        "b": "a little higher (10 % to 50 %)",
        "c": "several times higher",
    },
)
Q_ONE_EXAMPLE = Question(
    "Q_ONE_EXAMPLE",
    "b",
    "With m = 1, mu = z and sigma^2 = 0, so z_norm = 0 / sqrt(eps) = 0 and the layer outputs "
    "beta whatever the input: every example gets the same prediction (eps prevents NaN).",
    {
        "a": "each example's own z, unchanged",
        "b": "the same output, beta, for every example",
        "c": "NaN (a division by zero)",
    },
)


# ================================================================== backward, node by node
# ``batchnorm_backward_graph(dZ_tilde, Z, gamma, eps) -> (dZ, dgamma, dbeta, dZ_norm,
# dinv_std, dvar, dcentred, dmu)``: the adjoints of every node of the forward graph (see
# :func:`dlcourse.experiments.bn_compare.graph_backward`). The check compares them in the
# order reverse mode computes them and stops at the first wrong node, whose upstream
# adjoints are then right: its hint is about that node's local derivative alone. The
# tolerance (1e-10 relative) is one an exact computation meets and a difference quotient
# does not.
from ..experiments.bn_compare import graph_backward as _graph  # noqa: E402

__all__ += ["check_batchnorm_backward_graph"]

GRAPH = "batchnorm_backward_graph"
GRAPH_ITEMS = ("dZ", "dgamma", "dbeta", "dZ_norm", "dinv_std", "dvar", "dcentred", "dmu")
REVERSE = (2, 1, 3, 4, 5, 6, 7, 0)  # dbeta, dgamma, dZ_norm, dinv_std, dvar, dcentred, dmu, dZ
GRAPH_RTOL = 1e-10


def _graph_parts(Z, eps):
    mu = Z.mean(axis=0)
    C = Z - mu
    var = (C * C).mean(axis=0)
    return C, var, 1.0 / np.sqrt(var + eps)


def _node_mistakes(item: str, dout, Z, gamma, eps, ref) -> list[tuple[Any, str]]:
    """(wrong value, hint) of the usual mistakes at node ``item``, its upstream adjoints right."""
    m = Z.shape[0]
    C, var, s = _graph_parts(Z, eps)
    dZ, dg, db, dZn, ds, dvar, dC, dmu = ref
    shared = "one number per unit shared by the m examples: sum its adjoint over the batch (axis 0)"
    table = {
        "dbeta": [(dout.mean(0), "dbeta adds up dZ_tilde over the batch: a sum, not a mean")],
        "dgamma": [
            (dout.sum(0), "gamma multiplies Z_norm: dgamma sums dZ_tilde * Z_norm over the batch"),
            ((dout * Z).sum(0), "gamma multiplies Z_norm, not Z: sum dZ_tilde * Z_norm"),
            (
                (dout * C / (np.sqrt(var) + eps)).sum(0),
                "eps goes inside the square root: s = 1 / sqrt(var + eps)",
            ),
            (
                (dout * C / np.sqrt(Z.var(0, ddof=1) + eps)).sum(0),
                "the forward pass uses the batch variance (1/m), not the unbiased one (1/(m-1))",
            ),
        ],
        "dZ_norm": [(dout, "z_tilde = gamma * z_norm + beta: dZ_norm = gamma * dZ_tilde")],
        "dinv_std": [
            (dZn * C, f"s (the inverse std) is {shared}"),
            ((dout * C).sum(0), "z_norm = c * s feeds z_tilde through gamma: use dZ_norm"),
            ((dZn * Z).sum(0), "z_norm = c * s with c = z - mu, the centred values"),
        ],
        "dvar": [
            (0.5 * (var + eps) ** -1.5 * ds, "d s / d var = -1/2 (var + eps)^(-3/2): the sign"),
            (
                -0.5 * (var + eps) ** -0.5 * ds,
                "s = (var + eps)^(-1/2): its derivative has the power -3/2",
            ),
            (-((var + eps) ** -1.5) * ds, "d s / d var = -1/2 (var + eps)^(-3/2): the 1/2"),
            (-0.5 / (np.sqrt(var) + eps) ** 3 * ds, "eps goes inside the square root"),
        ],
        "dcentred": [
            (
                dZn * s,
                "c is used twice, by z_norm and by var: add the path through var, (2/m) c dvar",
            ),
            (
                (2.0 / m) * C * dvar,
                "c is used twice, by z_norm and by var: add the path through z_norm, s * dZ_norm",
            ),
            (dZn * s + 2.0 * C * dvar, "var = (1/m) sum c^2, so d var / d c_i = 2 c_i / m"),
            (dZn * s + C * dvar / m, "var = (1/m) sum c^2, so d var / d c_i = 2 c_i / m"),
        ],
        "dmu": [
            (dC.sum(0), "c = z - mu: d c / d mu = -1, so dmu = -sum dcentred"),
            (-dC, f"mu is {shared}"),
        ],
        "dZ": [
            (dC, "z is used twice, by mu and by c: add the path through mu, dmu / m"),
            (dC + dmu, "mu = (1/m) sum z, so d mu / d z_i = 1/m: add dmu / m"),
            (dC - dmu / m, "c = z - mu enters dmu with its sign already: dZ = dcentred + dmu / m"),
            (np.broadcast_to(dmu / m, dC.shape), "z is used twice, by mu and by c: add both paths"),
        ],
    }
    return table[item]


def _graph_close(got, expected) -> bool:
    try:
        g, e = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        return False
    scale = 1e-12 * (1.0 + float(np.abs(e).max()))
    return g.shape == e.shape and bool(np.allclose(g, e, rtol=GRAPH_RTOL, atol=scale))


def _graph_cases() -> list[tuple]:
    """(dout, Z, gamma, eps): shapes, scales and eps varied; a unit constant over the batch."""
    rng = np.random.default_rng(2031)
    cases = []
    for (m, n), loc, scale, eps in [
        ((6, 3), 1.0, 1.0, 1e-5),
        ((16, 4), -2.0, 5.0, 1e-5),
        ((5, 2), 0.5, 0.1, 1e-3),
        ((32, 6), 3.0, 2.0, 0.1),
    ]:
        Z = rng.normal(loc, scale, size=(m, n)) * rng.uniform(0.5, 2.0, size=n)
        cases.append((rng.normal(size=(m, n)), Z, rng.uniform(0.5, 2.0, size=n), eps))
    Z = rng.normal(size=(8, 3))
    Z[:, 2] = -1.5  # constant: var = 0, s = eps^(-1/2)
    cases.append((rng.normal(size=(8, 3)), Z, np.array([1.5, 0.7, 2.0]), 1e-3))
    return cases


def _graph_case_hint(got, args) -> str | None:
    """None when the 8 adjoints are right, else the hint for the first wrong node."""
    ref = _graph(*args)
    if not isinstance(got, (tuple, list)) or len(got) != len(ref):
        return (
            f"return a tuple of the 8 adjoints ({', '.join(GRAPH_ITEMS)}); you returned "
            f"{describe(got)}"
        )
    for i in REVERSE:
        item, value = GRAPH_ITEMS[i], got[i]
        if _graph_close(value, ref[i]):
            continue
        shape = np.shape(value) if _numeric(value) else None
        if shape is not None and shape != np.shape(ref[i]):
            return f"{item} has shape {shape}, expected {np.shape(ref[i])}" + (
                ": it is one number per unit, so sum over the batch (axis 0)"
                if shape == np.shape(args[1])
                else ""
            )
        for wrong, hint in _node_mistakes(item, *args, ref):
            if _graph_close(value, wrong):
                return f"{item} is the first wrong adjoint (the ones before it are right): {hint}"
        near = _numeric(value) and bool(np.allclose(value, ref[i], rtol=1e-5, atol=1e-8))
        return f"{item} is the first wrong adjoint (the ones before it are right): " + (
            ESTIMATED
            if near
            else "multiply its users' adjoints by the local derivative of the table and add "
            "them up (summing over the batch for mu, var and s)"
        )
    return None


def _numeric(value) -> bool:
    try:
        np.asarray(value, dtype=float)
        return True
    except (TypeError, ValueError):
        return False


@graded
@exercise(
    reference=_graph,
    forbidden=(
        *GRADIENT_HELPERS,
        "dlcourse.layers.batchnorm_backward",
        "dlcourse.layers._standardize_backward",
        "dlcourse.layers.BatchNorm.backward",
        "dlcourse.layers.layernorm_backward",
        "dlcourse.experiments.bn_compare.graph_backward",
    ),
)
def check_batchnorm_backward_graph(fn: Callable) -> CheckResult:
    """Check ``fn(dZ_tilde, Z, gamma, eps)`` returns the 8 adjoints of
    :func:`dlcourse.experiments.bn_compare.graph_backward`, node by node."""
    if not callable(fn):
        return CheckResult(False, f"{GRAPH}: expected a function, got {type(fn).__name__}")
    for i, args in enumerate(_graph_cases(), 1):
        got = fn(*args)
        hint = _graph_case_hint(got, args)
        if hint:
            m, n = args[1].shape
            return CheckResult(
                False,
                f"{GRAPH}: not yet — case {i} (Z of shape ({m}, {n}), eps={args[3]:g}). "
                f"Hint: {hint}",
            )
    return CheckResult(True, f"{GRAPH}: correct")
