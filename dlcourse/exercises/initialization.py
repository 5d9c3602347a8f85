"""Checks for notebook 04 (initialization): the He initializer and a diagnosis of a network's
activation statistics (:func:`check_diagnose_activations`).

The learner writes ``he_init(shape, rng) -> W`` with shape = (n_out, n_in):

    W ~ N(0, 1) * sqrt(2 / n_in)          (drawn from the generator ``rng``)

A draw is random, so the check looks at a large draw's statistics: mean 0, standard
deviation sqrt(2 / n_in) (within 3 %), a Gaussian shape (kurtosis 3, where a uniform draw
has 1.8), and the same array from two generators with the same seed. Each typical mistake
(n_out in place of n_in, no factor 2, no square root, a uniform draw, np.random in place of
``rng``) is a case of its own, so the hint names it.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..init import he
from .grader import graded
from .grader import GRADIENT_HELPERS, exercise  # noqa: F401
from .grader import Case, CheckResult, Expect, check_cases  # noqa: F401 (Expect re-exported)

__all__ = [
    "check_he_init",
    "reference_he_init",
    "check_diagnose_activations",
    "reference_diagnose_activations",
    "network_activations",
    "Q_TANH_LARGE",
    "Q_ZEROS_COST",
]


_SHAPES = [(400, 250), (60, 900)]  # n_out > n_in and n_out < n_in: tells n_in from n_out
_SEED = 2024
_TOL = 0.03


def reference_he_init(shape: tuple, rng: np.random.Generator) -> np.ndarray:
    """The package's He initializer (:func:`dlcourse.init.he`): N(0, 1) * sqrt(2 / n_in)."""
    return he(tuple(shape), rng)


def _std_close(got, target: float) -> bool:
    return abs(float(np.std(got)) / target - 1.0) < _TOL


def _kurtosis(a) -> float:
    a = np.ravel(np.asarray(a, dtype=np.float64))
    c = a - a.mean()
    var = np.mean(c * c)
    return float(np.mean(c**4) / var**2) if var > 0 else 0.0


def _is_array(shape):
    return lambda got: np.asarray(got, dtype=np.float64).shape == tuple(shape)


def _finite(got) -> bool:
    """Finite and not constant (compared by range: numpy 1.x gives a constant array a std
    of ~1e-17 instead of 0)."""
    return bool(np.all(np.isfinite(got))) and float(np.ptp(got)) > 0


def _not_std(shape, target: Callable[[int, int], float]):
    """True unless the draw's std matches ``target(n_out, n_in)`` (a typical wrong formula)."""
    n_out, n_in = shape
    return lambda got: not _std_close(got, target(n_out, n_in))


def _centred(got) -> bool:
    a = np.ravel(got)
    return abs(float(a.mean())) < 5 * float(a.std()) / np.sqrt(a.size)


def _gaussian(got) -> bool:
    return 2.6 < _kurtosis(got) < 3.4


def _right_std(shape):
    n_out, n_in = shape
    return lambda got: _std_close(got, np.sqrt(2.0 / n_in))


def _case(shape, accepts: Callable, hint: str, seed: int = _SEED) -> Case:
    """One call he_init(shape, fresh generator(seed)), tested by ``accepts``."""
    reference = reference_he_init(shape, np.random.default_rng(seed))
    return Case((shape, np.random.default_rng(seed)), Expect(reference, accepts), hint)


def _cases_for(shape) -> list[Case]:
    n_out, n_in = shape
    wrong = {
        "n_out": (
            lambda o, i: np.sqrt(2.0 / o),
            f"the std came out as sqrt(2 / n_out); use n_in = shape[1] (= {n_in} here), "
            "the number of inputs each unit sums over. W has shape (n_out, n_in).",
        ),
        "no_2": (
            lambda o, i: np.sqrt(1.0 / i),
            "the std came out as sqrt(1 / n_in), which is Xavier's; He uses sqrt(2 / n_in) "
            "because ReLU zeroes half of its inputs. Did you forget the 2?",
        ),
        "both": (
            lambda o, i: np.sqrt(1.0 / o),
            "the std came out as sqrt(1 / n_out): use n_in = shape[1] and the factor 2.",
        ),
        "no_sqrt": (
            lambda o, i: 2.0 / i,
            "the std came out as 2 / n_in: the variance is 2 / n_in, so multiply the "
            "N(0, 1) draw by its square root, sqrt(2 / n_in).",
        ),
    }
    cases = [
        _case(
            shape,
            _is_array(shape),
            f"return an array of shape `shape` = {shape} "
            "(n_out, n_in), e.g. rng.standard_normal(shape) * ...",
        ),
        _case(
            shape,
            _finite,
            "the weights must be finite and not all equal (random, not "
            "constant: a constant init keeps every unit identical).",
        ),
        _case(
            shape,
            _centred,
            "the weights should have mean 0: draw from N(0, 1) "
            "(rng.standard_normal), not from [0, 1) (rng.random).",
        ),
    ]
    cases += [_case(shape, _not_std(shape, f), hint) for f, hint in wrong.values()]
    cases += [
        _case(
            shape,
            _gaussian,
            "the draw is not Gaussian (a uniform draw has kurtosis 1.8, a "
            "normal one 3): use rng.standard_normal(shape), not rng.uniform "
            "or rng.random.",
        ),
        _case(
            shape,
            _right_std(shape),
            f"the std should be sqrt(2 / n_in) = "
            f"{np.sqrt(2.0 / n_in):.4f} for shape {shape}; you are "
            "off by more than 3 %.",
        ),
    ]
    return cases


def _reproducible() -> list[Case]:
    shape = _SHAPES[0]
    first = {}

    def same_as_first(got) -> bool:
        if "value" not in first:
            first["value"] = np.array(got, copy=True)
            return True
        return np.array_equal(got, first["value"])

    hint = (
        "two generators with the same seed gave different weights: draw from the `rng` "
        "argument (rng.standard_normal), not from np.random, so runs are reproducible."
    )
    return [_case(shape, same_as_first, hint, seed=7), _case(shape, same_as_first, hint, seed=7)]


@graded
@exercise(
    reference=reference_he_init,
    rng_call=lambda rng: ((48, 32), rng),
    fresh=True,
    forbidden=("dlcourse.init.he", "dlcourse.init.initialize"),
)
def check_he_init(fn: Callable) -> CheckResult:
    """Check ``fn(shape, rng)`` against W ~ N(0, 1) sqrt(2 / n_in); never raises."""
    cases = [case for shape in _SHAPES for case in _cases_for(shape)] + _reproducible()
    return check_cases("he_init", fn, cases)


# ------------------------------------------------------------------------ diagnosis exercise
from ..activations import ReLU, Tanh  # noqa: E402
from ..layers import Dense, Sequential  # noqa: E402
from .grader import CheckResult as _Result  # noqa: E402
from .questions import Question  # noqa: E402

SATURATED_SHARE = 0.3  # share of last-layer tanh activations with |a| > 0.99
COLLAPSE_RATIO, EXPLOSION_RATIO = 0.1, 10.0
LABELS = ("healthy", "collapse", "saturation", "explosion")


def reference_diagnose_activations(activations, activation: str) -> tuple[str, np.ndarray]:
    """(label, stds): the std of every layer's activations and the diagnosis of notebook 04."""
    stds = np.array([float(np.std(A)) for A in activations])
    if activation == "tanh" and np.mean(np.abs(activations[-1]) > 0.99) > SATURATED_SHARE:
        return "saturation", stds
    ratio = stds[-1] / stds[0] if stds[0] > 0 else 0.0
    if ratio < COLLAPSE_RATIO:
        return "collapse", stds
    if ratio > EXPLOSION_RATIO:
        return "explosion", stds
    return "healthy", stds


def network_activations(
    activation: str,
    init: str,
    scale: float | None = None,
    depth: int = 10,
    width: int = 100,
    m: int = 500,
    seed: int = 0,
) -> list[np.ndarray]:
    """A^[1..depth] of a fresh ``depth`` x ``width`` network on X ~ N(0, 1) (m, width)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, width))
    layers = []
    for _ in range(depth):
        layers += [
            Dense(width, width, init=init, scale=scale, rng=rng),
            Tanh() if activation == "tanh" else ReLU(),
        ]
    out, A = [], X
    with np.errstate(all="ignore"):
        for layer in Sequential(layers):
            A = layer.forward(A)
            if not isinstance(layer, Dense):
                out.append(A)
    return out


_DIAGNOSIS_NETS = {  # name: (activation, init, scale, expected label)
    "tanh, 0.01 N(0,1)": ("tanh", "random", 0.01, "collapse"),
    "tanh, N(0,1)": ("tanh", "random", 1.0, "saturation"),
    "ReLU, N(0,1)": ("relu", "random", 1.0, "explosion"),
    "tanh, Xavier": ("tanh", "xavier", None, "healthy"),
    "ReLU, He": ("relu", "he", None, "healthy"),
    "ReLU, Xavier": ("relu", "xavier", None, "collapse"),
    "tanh, 5 x Xavier": ("tanh", "xavier", 5.0, "saturation"),
}

_DIAGNOSIS_HINTS = {  # (expected, your label): hint
    ("saturation", "healthy"): "the std of a tanh layer stays near 1 when it saturates: look at "
    "where the values are (the share with |a| > 0.99), not only at "
    "the spread.",
    ("explosion", "saturation"): "ReLU does not saturate on its positive side: test for "
    "saturation only for tanh.",
    ("collapse", "explosion"): "std(A[L]) / std(A[1]) is below 1 when the signal collapses: "
    "did you divide the first layer's std by the last one's?",
    ("explosion", "collapse"): "std(A[L]) / std(A[1]) is above 1 when the signal explodes: "
    "did you divide the first layer's std by the last one's?",
    ("collapse", "healthy"): "compare the last layer's std with the first layer's: a drop by "
    "more than 10x is a collapse, even if each layer loses only a bit.",
    ("healthy", "collapse"): "use the std (the spread) of the activations, not their mean "
    "(tanh activations have mean near 0 even when healthy).",
    ("healthy", "saturation"): "saturation means |a| > 0.99 for more than 30 % of the last "
    "layer's activations; count |a| > 0.99, not |a| > 0.5 or |z|.",
}


def _layer(rng, std: float, m: int = 200, n: int = 40, mean: float = 0.0) -> np.ndarray:
    """An (m, n) layer of activations with exactly this std and mean."""
    A = rng.standard_normal((m, n))
    return mean + std * (A - A.mean()) / A.std()


def _tanh_layer(rng, share: float, between: float = 0.0, m: int = 200, n: int = 40):
    """A tanh-like layer: ``share`` of its values at |a| = 0.995 (saturated), ``between`` of
    them at |a| = 0.95 (large but under 0.99), the rest spread inside (-0.5, 0.5)."""
    size = m * n
    k, j = round(share * size), round(between * size)
    values = np.concatenate(
        [np.full(k, 0.995), np.full(j, 0.95), rng.uniform(-0.5, 0.5, size - k - j)]
    )
    signs = np.where(rng.random(size) < 0.5, -1.0, 1.0)
    signs[k + j :] = 1.0
    return rng.permutation(values * signs).reshape(m, n)


def _stack(rng, first, stds_between, last) -> list:
    return [first] + [_layer(rng, s) for s in stds_between] + [last]


def _separating_cases() -> list:
    """(name, activation, activations, hint) of made-up activations, each placed where the
    taught rule and one plausible near miss give different labels."""
    rng = np.random.default_rng(404)
    L = lambda s, **kw: _layer(rng, s, **kw)  # noqa: E731
    T = lambda share, between=0.0: _tanh_layer(rng, share, between)  # noqa: E731
    mid = [0.6, 0.5, 0.45]
    share = "the share of the LAST layer's values with |a| > 0.99 must exceed 30 %"
    return [
        ("10 % saturated", "tanh", _stack(rng, L(0.5), mid, T(0.10)), share + " (here 10 %)."),
        ("40 % saturated", "tanh", _stack(rng, L(0.5), mid, T(0.40)), share + " (here 40 %)."),
        (
            "many values at |a| = 0.95",
            "tanh",
            _stack(rng, L(0.5), mid, T(0.05, between=0.6)),
            "count |a| > 0.99 exactly: values of 0.95 are large but not saturated.",
        ),
        (
            "a saturated middle layer",
            "tanh",
            [L(0.5), T(0.8), L(0.4), L(0.45), T(0.1)],
            "saturation is judged on the last layer only.",
        ),
        (
            "saturated and 14x wider than layer 1",
            "tanh",
            _stack(rng, L(0.05), [0.3, 0.5], T(0.5)),
            "the tests come in order: saturation (tanh) is decided before the ratio.",
        ),
        (
            "small but steady signal",
            "relu",
            _stack(rng, L(0.01), [0.02, 0.03], L(0.05)),
            "judge the ratio of the last layer's std to the first one's, not the size of "
            "the last layer's std on its own.",
        ),
        (
            "large but steady signal",
            "relu",
            _stack(rng, L(20.0), [40.0, 60.0], L(100.0)),
            "judge the ratio of the last layer's std to the first one's, not the size of "
            "the last layer's std on its own.",
        ),
        (
            "ratio 0.2",
            "relu",
            _stack(rng, L(2.0), [1.5, 1.0], L(0.4)),
            "collapse means std(A[L]) / std(A[1]) < 0.1 (a ratio of stds, not of variances).",
        ),
        (
            "ratio 0.08",
            "relu",
            _stack(rng, L(2.0), [1.0, 0.5], L(0.16)),
            "collapse means std(A[L]) / std(A[1]) < 0.1.",
        ),
        (
            "ratio 7",
            "relu",
            _stack(rng, L(1.0), [2.0, 3.0], L(7.0)),
            "explosion means a ratio above 10 (a ratio of stds, not of variances).",
        ),
        (
            "ratio 14",
            "relu",
            _stack(rng, L(1.0), [3.0, 8.0], L(14.0)),
            "explosion means std(A[L]) / std(A[1]) > 10.",
        ),
        (
            "a dip in the middle",
            "relu",
            _stack(rng, L(1.0), [0.01, 0.5], L(1.2)),
            "compare the last layer with the first, not the smallest layer with the first.",
        ),
        (
            "a shifted last layer",
            "relu",
            _stack(rng, L(1.0), [0.5, 0.2], L(0.05, mean=5.0)),
            "use the std (the spread), not the mean.",
        ),
    ]


def _diagnosis_result(
    name: str, fn: Callable, acts, activation: str, expected, hint: str | None = None
) -> _Result | None:
    try:
        with np.errstate(all="ignore"):
            got = fn([A.copy() for A in acts], activation)
    except NotImplementedError:
        return _Result(
            False, "diagnose_activations: not written yet (it raises NotImplementedError)"
        )
    except Exception as exc:  # the learner's code: a message, never a traceback
        return _Result(
            False, f"diagnose_activations: your function raised {type(exc).__name__}: {exc}"
        )
    if got is None:
        return _Result(
            False,
            "diagnose_activations: your function returned None — did you forget "
            "`return label, stds`?",
        )
    if not isinstance(got, tuple) or len(got) != 2:
        return _Result(False, "diagnose_activations: return a pair (label, stds)")
    label, stds = got
    if label not in LABELS:
        return _Result(
            False,
            f"diagnose_activations: the label must be one of {', '.join(LABELS)}; got {label!r}",
        )
    if np.shape(stds) != np.shape(expected[1]):
        return _Result(
            False,
            f"diagnose_activations: stds must have one number per layer, shape "
            f"{np.shape(expected[1])}; you returned shape {np.shape(stds)} "
            f"(the std over all examples and units of each A[l]).",
        )
    if not np.allclose(np.asarray(stds, float), expected[1], rtol=1e-6):
        return _Result(
            False,
            f"diagnose_activations: not yet — network '{name}': the stds per "
            "layer differ; take np.std(A) over the whole array of each layer.",
        )
    if label != expected[0]:
        hint = hint or _DIAGNOSIS_HINTS.get(
            (expected[0], label), "apply the three tests of the exercise in the order given."
        )
        return _Result(
            False,
            f"diagnose_activations: not yet — network '{name}' is not '{label}'. Hint: {hint}",
        )
    return None


@graded
@exercise(reference=reference_diagnose_activations)
def check_diagnose_activations(fn: Callable) -> _Result:
    """Check ``diagnose_activations(activations, activation) -> (label, stds)`` on seven
    hidden networks (of other sizes and seeds than the notebook's) and on made-up
    activations that separate the taught rule from its near misses; never raises."""
    if not callable(fn):
        return _Result(False, f"diagnose_activations: expected a function, got {type(fn).__name__}")
    sizes = [(10, 100, 500, 11), (6, 60, 300, 23), (14, 80, 200, 37)]
    for k, (name, (activation, init, scale, _)) in enumerate(_DIAGNOSIS_NETS.items()):
        depth, width, m, seed = sizes[k % len(sizes)]
        acts = network_activations(activation, init, scale, depth, width, m, seed)
        result = _diagnosis_result(
            f"{name}, {depth} layers of {width}",
            fn,
            acts,
            activation,
            reference_diagnose_activations(acts, activation),
        )
        if result is not None:
            return result
    for name, activation, acts, hint in _separating_cases():
        expected = reference_diagnose_activations(acts, activation)
        result = _diagnosis_result(name, fn, acts, activation, expected, hint)
        if result is not None:
            return result
    return _Result(True, "diagnose_activations: correct")


Q_TANH_LARGE = Question(
    "Q_TANH_LARGE",
    "b",
    "tanh cannot grow past ±1, so the spread of the last layer stays near 1 (std 0.96), but the "
    "values sit in the flat tails: most have |a| > 0.99, where tanh' = 1 - a^2 < 0.02. A "
    "healthy-looking std can hide saturation.",
    choices={
        "a": "about 1e-10: the signal collapses",
        "b": "about 1, the same as layer 1",
        "c": "about 1e8: the signal explodes",
    },
)
Q_ZEROS_COST = Question(
    "Q_ZEROS_COST",
    0.6931,
    "From all-zero weights the output is 0 for every example, so the predicted probability is "
    "1/2 and the cost is log 2 = 0.6931; no gradient reaches the hidden layer (its outgoing "
    "weights are 0), so it stays there.",
    rtol=0.01,
)
