"""Checks for notebook 08's exercises: one step of momentum, of RMSProp and of Adam, each
with its state returned to the caller and fed back (checked over 40 consecutive calls).

The learner writes ``adam_step(w, grad, v, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)``
returning the new ``(w, v, s)``, where t is the number of THIS step (1 for the first):

    v = beta1 v + (1 - beta1) grad              s = beta2 s + (1 - beta2) grad^2
    v^ = v / (1 - beta1^t)                      s^ = s / (1 - beta2^t)
    w = w - lr v^ / (sqrt(s^) + eps)

The returned v and s are the running averages WITHOUT the correction (the correction is
applied afresh at every step). The expected values come from ``dl.optim.Adam`` started from
the same state; a wrong answer is compared with the usual mistakes (no bias correction, the
step count off by one, eps inside the square root, the two betas swapped, a missing
(1 - beta) factor, the corrected averages returned as the new state, an ascent step).
"""

from __future__ import annotations

import copy
from typing import Callable

import numpy as np

from ..optim import Adam
from ..parameter import Parameter
from .grader import graded
from .grader import GRADIENT_HELPERS, exercise  # noqa: F401
from .grader import Case, CheckResult, run_with_mistakes, with_mistakes

NAME = "adam_step"


def reference_adam_step(w, grad, v, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One step of ``dl.optim.Adam`` from state (v, s, t - 1): returns (w, v, s)."""
    p = Parameter(np.array(w, dtype=np.float64))
    p.grad = np.array(grad, dtype=np.float64)
    opt = Adam([p], lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    opt.state[p] = {
        "v": np.array(v, dtype=np.float64),
        "s": np.array(s, dtype=np.float64),
        "t": t - 1,
    }
    opt.step()
    return p.value, opt.state[p]["v"], opt.state[p]["s"]


# ------------------------------------------------------------------ the usual mistakes
def _formula(
    w,
    g,
    v,
    s,
    t,
    lr,
    b1,
    b2,
    eps,
    *,
    correct=True,
    t_used=None,
    eps_inside=False,
    swap=False,
    damp=True,
    return_hat=False,
    sign=1.0,
):
    """Adam written out, with switches that turn on one mistake each."""
    if swap:
        b1, b2 = b2, b1
    v = b1 * v + ((1 - b1) if damp else 1.0) * g
    s = b2 * s + ((1 - b2) if damp else 1.0) * g * g
    tt = t if t_used is None else t_used
    v_hat = v / (1 - b1**tt) if correct else v
    s_hat = s / (1 - b2**tt) if correct else s
    denom = np.sqrt(s_hat + eps) if eps_inside else np.sqrt(s_hat) + eps
    w = w - sign * lr * v_hat / denom
    return (w, v_hat, s_hat) if return_hat else (w, v, s)


def _mistake(t_offset: int = 0, **switches) -> Callable:
    """Adam with one mistake switched on (``t_offset`` uses t + offset in the correction)."""

    def wrong(w, g, v, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        used = t + t_offset if t_offset else None
        return _formula(w, g, v, s, t, lr, beta1, beta2, eps, t_used=used, **switches)

    return wrong


MISTAKES: tuple[tuple[Callable, str], ...] = (
    (
        _mistake(correct=False),
        "no bias correction: divide v by (1 - beta1^t) and s by "
        "(1 - beta2^t) before the update (without it the first steps are several "
        "times too large: 3.16 lr on the first step with the default betas)",
    ),
    (
        _mistake(return_hat=True),
        "the update uses the corrected v^ and s^, but return the "
        "uncorrected running averages v and s as the new state",
    ),
    (
        _mistake(t_offset=-1),
        "off by one: t is the number of this step (t = 1 on the first "
        "step), so the correction is 1 - beta^t, not 1 - beta^(t-1)",
    ),
    (_mistake(t_offset=+1), "off by one: use 1 - beta^t with t the number of this step, not t + 1"),
    (_mistake(eps_inside=True), "eps goes outside the square root: sqrt(s^) + eps"),
    (
        _mistake(swap=True),
        "beta1 = 0.9 averages the gradient (v) and beta2 = 0.999 its square (s); you swapped them",
    ),
    (
        _mistake(damp=False),
        "the averages need their (1 - beta) factor: "
        "v = beta1 v + (1 - beta1) grad, s = beta2 s + (1 - beta2) grad^2",
    ),
    (_mistake(sign=-1.0), "subtract the step (w - lr v^ / ...): adding it climbs the cost"),
)


def _cases() -> list[Case]:
    rng = np.random.default_rng(8)
    cases = []
    specs = [
        ((3,), 1, {}, 1.0),
        ((4, 3), 1, dict(lr=0.01), 1.0),
        ((5,), 2, {}, 1.0),
        ((2, 2), 10, dict(lr=0.1, beta1=0.8, beta2=0.99), 3.0),
        ((6,), 1000, dict(lr=0.001), 0.5),
        ((3,), 1, dict(eps=1e-8), 1e-9),
        ((4,), 3, dict(eps=1e-4), 1e-4),  # eps comparable to sqrt(s^): a fixed eps shows
    ]
    for shape, t, kw, scale in specs:
        w = rng.normal(size=shape)
        g = rng.normal(size=shape) * scale
        if t == 1:
            v, s = np.zeros(shape), np.zeros(shape)
        else:
            v = rng.normal(size=shape) * 0.1 * scale
            s = rng.uniform(0.01, 1.0, size=shape) * scale**2
        expected = reference_adam_step(w, g, v, s, t, **kw)
        hint = (
            "compare your lines with the five lines of the math: v, s, their corrections "
            "v^ and s^, then the update"
        )
        if scale < 1e-3:
            hint = (
                "with tiny gradients eps matters: the step is lr v^ / (sqrt(s^) + eps), "
                "with eps added after the square root"
            )
        cases.append(Case((w, g, v, s, t), expected, hint, kw))
    return cases


def _triple(got):
    """The output as three float arrays, or None."""
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        return None
    try:
        return tuple(np.asarray(x, dtype=float) for x in got)
    except (TypeError, ValueError):
        return None


def kingma_adam_step(w, grad, v, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """Kingma & Ba's efficient form (their Section 2, also TensorFlow's): the corrections
    folded into the step size, lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t), eps unscaled.
    A correct Adam: it differs from the textbook form only in where eps sits."""
    v = beta1 * v + (1 - beta1) * grad
    s = beta2 * s + (1 - beta2) * grad * grad
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return w - lr_t * v / (np.sqrt(s) + eps), v, s


def _accept_kingma(fn: Callable) -> Callable:
    """``fn`` with Kingma's efficient form mapped to the reference value (both are Adam)."""

    def wrapped(*args, **kwargs):
        got = fn(*copy.deepcopy(args), **kwargs)
        with np.errstate(all="ignore"):
            kingma = kingma_adam_step(*copy.deepcopy(args), **kwargs)
        from .grader import close

        if _triple(got) is not None and close(got, kingma, 1e-7, 1e-12):
            return reference_adam_step(*copy.deepcopy(args), **kwargs)
        return got

    return wrapped


def _trajectory(step: Callable, steps: int = 40, adam: bool = True):
    """w over ``steps`` calls of a learner's step on J = 0.5 (w1^2 + 10 w2^2), the state fed
    back from call to call."""
    h = np.array([1.0, 10.0])
    w, v, s = np.array([1.0, 1.0]), np.zeros(2), np.zeros(2)
    out = []
    for t in range(1, steps + 1):
        if adam:
            w, v, s = step(w, h * w, v, s, t, lr=0.05)
        else:
            w, v = step(w, h * w, v, lr=0.05, beta=0.9)
        out.append(np.array(w, dtype=float))
    return np.array(out)


@graded
@exercise(
    items=("the new w", "the new v", "the new s"),
    reference=reference_adam_step,
    forbidden=("dlcourse.optim.optimizers.Optimizer.step",),
)
def check_adam_step(fn: Callable) -> CheckResult:
    """Check ``fn(w, grad, v, s, t, lr, beta1, beta2, eps) -> (w, v, s)`` against
    ``dl.optim.Adam`` (Kingma's efficient form is accepted), then over 40 calls with the
    state carried from call to call."""
    result = _check_adam_single(_accept_kingma(fn) if callable(fn) else fn)
    if not result.passed:
        return result
    try:
        with np.errstate(all="ignore"):
            got = _trajectory(_accept_kingma(fn))
    except Exception as exc:  # the learner's code: a message, never a traceback
        return CheckResult(
            False, f"{NAME}: over 40 steps your function raised {type(exc).__name__}: {exc}"
        )
    from .grader import close

    if not close(got, _trajectory(reference_adam_step), 1e-6, 1e-10):
        return CheckResult(
            False,
            f"{NAME}: each single step is right, but 40 steps with the "
            "returned (v, s) fed back drift away from Adam: does your "
            "function keep state of its own between calls?",
        )
    return result


def _check_adam_single(fn: Callable) -> CheckResult:
    cases = _cases()
    if callable(fn):
        for case in cases:
            try:
                with np.errstate(all="ignore"):
                    got = fn(*copy.deepcopy(case.args), **(case.kwargs or {}))
            except Exception:
                break  # the grader reports it
            if _triple(got) is None:
                return CheckResult(
                    False,
                    f"{NAME}: not yet — it returned a "
                    f"{type(got).__name__}; return the three arrays "
                    f"(w, v, s)",
                )
    return run_with_mistakes(NAME, fn, with_mistakes(cases, MISTAKES), atol=1e-12)


# ------------------------------------------------------------------ momentum step
def reference_momentum_step(w, grad, v, lr=0.01, beta=0.9):
    """One step of the course's momentum (``dl.optim.Momentum``): returns (w, v)."""
    from ..optim import Momentum

    p = Parameter(np.array(w, dtype=np.float64))
    p.grad = np.array(grad, dtype=np.float64)
    opt = Momentum([p], lr=lr, beta=beta)
    opt.state[p] = {"v": np.array(v, dtype=np.float64)}
    opt.step()
    return p.value, opt.state[p]["v"]


MOMENTUM_MISTAKES: tuple[tuple[Callable, str], ...] = (
    (
        lambda w, g, v, lr=0.01, beta=0.9: (w - lr * (beta * v + g), beta * v + g),
        "that is the PyTorch (heavy-ball) form, v = beta v + grad; the course's v is an average "
        "of the gradients: its new gradient carries the weight (1 - beta)",
    ),
    (
        lambda w, g, v, lr=0.01, beta=0.9: (w - lr * g, beta * v + (1 - beta) * g),
        "you updated v but stepped along the raw gradient: the step follows the velocity v",
    ),
    (
        lambda w, g, v, lr=0.01, beta=0.9: (w - lr * v, beta * v + (1 - beta) * g),
        "you stepped with the old velocity: update v first, then step with the new one",
    ),
    (
        lambda w, g, v, lr=0.01, beta=0.9: (
            w - lr * ((1 - beta) * v + beta * g),
            (1 - beta) * v + beta * g,
        ),
        "beta weighs the past velocity and (1 - beta) the new gradient; you swapped them",
    ),
    (
        lambda w, g, v, lr=0.01, beta=0.9: (
            w + lr * (beta * v + (1 - beta) * g),
            beta * v + (1 - beta) * g,
        ),
        "subtract the step: adding it climbs the cost",
    ),
    (
        lambda w, g, v, lr=0.01, beta=0.9: (w - lr * (beta * v + (1 - beta) * g), v),
        "return the NEW velocity as the state, or the next call starts from the old one",
    ),
)


def _momentum_cases() -> list[Case]:
    rng = np.random.default_rng(12)
    cases = []
    for shape, kw in [
        ((3,), dict(lr=0.1, beta=0.9)),
        ((2, 4), dict(lr=0.01, beta=0.5)),
        ((5,), dict(lr=0.3, beta=0.99)),
    ]:
        w, g, v = (rng.normal(size=shape) for _ in range(3))
        cases.append(
            Case(
                (w, g, v),
                reference_momentum_step(w, g, v, **kw),
                "compare with the two lines of the course's momentum: the velocity "
                "first, then the step",
                kw,
            )
        )
    return cases


@graded
@exercise(
    items=("the new w", "the new v"),
    reference=reference_momentum_step,
    forbidden=("dlcourse.optim.optimizers.Optimizer.step",),
)
def check_momentum_step(fn: Callable) -> CheckResult:
    """Check ``fn(w, grad, v, lr, beta) -> (w, v)`` against ``dl.optim.Momentum``, then over
    40 calls with the velocity carried from call to call; never raises."""
    name = "momentum_step"
    result = run_with_mistakes(
        name, fn, with_mistakes(_momentum_cases(), MOMENTUM_MISTAKES), atol=1e-12
    )
    if not result.passed:
        return result
    try:
        with np.errstate(all="ignore"):
            got = _trajectory(fn, adam=False)
    except Exception as exc:
        return CheckResult(
            False, f"{name}: over 40 steps your function raised {type(exc).__name__}: {exc}"
        )
    from .grader import close

    if not close(got, _trajectory(reference_momentum_step, adam=False), 1e-6, 1e-10):
        return CheckResult(
            False,
            f"{name}: each single step is right, but 40 steps with the "
            "returned v fed back drift away from momentum: does your "
            "function keep state of its own between calls?",
        )
    return result


# ------------------------------------------------------------------ RMSProp step
def reference_rmsprop_step(w, grad, s, lr=0.01, beta=0.9, eps=1e-8):
    """One step of ``dl.optim.RMSProp`` (``torch.optim.RMSprop(alpha=beta)``) from state s:
    returns (w, s)."""
    from ..optim import RMSProp

    p = Parameter(np.array(w, dtype=np.float64))
    p.grad = np.array(grad, dtype=np.float64)
    opt = RMSProp([p], lr=lr, beta=beta, eps=eps)
    opt.state[p] = {"s": np.array(s, dtype=np.float64)}
    opt.step()
    return p.value, opt.state[p]["s"]


def _rms(
    w, g, s, lr, beta, eps, *, eps_inside=False, damp=True, old_s=False, root=True, swap=False
):
    """RMSProp written out, with switches that turn on one mistake each."""
    b = 1 - beta if swap else beta
    new_s = b * s + ((1 - b) if damp else 1.0) * g * g
    used = s if old_s else new_s
    denom = np.sqrt(used + eps) if eps_inside else (np.sqrt(used) if root else used) + eps
    return w - lr * g / denom, new_s


def _rms_mistake(**switches) -> Callable:
    return lambda w, g, s, lr=0.01, beta=0.9, eps=1e-8: _rms(w, g, s, lr, beta, eps, **switches)


RMSPROP_MISTAKES: tuple[tuple[Callable, str], ...] = (
    (_rms_mistake(eps_inside=True), "eps goes outside the square root: sqrt(s) + eps"),
    (
        _rms_mistake(damp=False),
        "s is an average of the squared gradients: the new g^2 carries the weight (1 - beta)",
    ),
    (
        _rms_mistake(old_s=True),
        "you divided by the old s: update s with this step's g^2 first, then step",
    ),
    (
        _rms_mistake(root=False),
        "divide by the square root of s (the recent size of the gradient), not by s itself",
    ),
    (
        _rms_mistake(swap=True),
        "beta weighs the past average and (1 - beta) the new g^2; you swapped them",
    ),
    (
        lambda w, g, s, lr=0.01, beta=0.9, eps=1e-8: (_rms(w, g, s, lr, beta, eps)[0], s),
        "return the NEW s as the state, or the next call starts from the old one",
    ),
    (
        lambda w, g, s, lr=0.01, beta=0.9, eps=1e-8: (
            2 * w - _rms(w, g, s, lr, beta, eps)[0],
            _rms(w, g, s, lr, beta, eps)[1],
        ),
        "subtract the step: adding it climbs the cost",
    ),
    (
        lambda w, g, s, lr=0.01, beta=0.9, eps=1e-8: (
            w - lr * (beta * s + (1 - beta) * g * g),
            beta * s + (1 - beta) * g * g,
        ),
        "the step is the gradient divided by the root of s; you stepped along s itself",
    ),
)


def _rmsprop_cases() -> list[Case]:
    rng = np.random.default_rng(14)
    cases = []
    for shape, kw, scale, fresh in [
        ((3,), dict(lr=0.01, beta=0.9), 1.0, True),
        ((2, 4), dict(lr=0.003, beta=0.5), 2.0, False),
        ((5,), dict(lr=0.2, beta=0.99), 0.3, False),
        ((4,), dict(lr=0.05, beta=0.8, eps=1e-3), 1e-3, False),  # eps comparable to sqrt(s)
        ((3, 2), dict(lr=0.02, beta=0.95, eps=1e-6), 1.0, True),
    ]:
        w, g = rng.normal(size=shape), rng.normal(size=shape) * scale
        s = np.zeros(shape) if fresh else rng.uniform(0.1, 1.0, size=shape) * scale**2
        cases.append(
            Case(
                (w, g, s),
                reference_rmsprop_step(w, g, s, **kw),
                "compare with the two lines of RMSProp: the average of g^2 first, then the "
                "step divided by its square root",
                kw,
            )
        )
    return cases


def _rms_trajectory(step: Callable, steps: int = 40):
    """w over ``steps`` calls on J = 0.5 (w1^2 + 10 w2^2), s fed back from call to call."""
    h = np.array([1.0, 10.0])
    w, s, out = np.array([1.0, 1.0]), np.zeros(2), []
    for _ in range(steps):
        w, s = step(w, h * w, s, lr=0.05, beta=0.9, eps=1e-8)
        out.append(np.array(w, dtype=float))
    return np.array(out)


@graded
@exercise(
    items=("the new w", "the new s"),
    reference=reference_rmsprop_step,
    forbidden=("dlcourse.optim.optimizers.Optimizer.step",),
)
def check_rmsprop_step(fn: Callable) -> CheckResult:
    """Check ``fn(w, grad, s, lr, beta, eps) -> (w, s)`` against ``dl.optim.RMSProp``, then
    over 40 calls with s carried from call to call; never raises."""
    from .grader import close

    name = "rmsprop_step"
    result = run_with_mistakes(
        name, fn, with_mistakes(_rmsprop_cases(), RMSPROP_MISTAKES), atol=1e-12
    )
    if not result.passed:
        return result
    with np.errstate(all="ignore"):
        got = _rms_trajectory(fn)
    if not close(got, _rms_trajectory(reference_rmsprop_step), 1e-6, 1e-10):
        return CheckResult(
            False,
            f"{name}: each single step is right, but 40 steps with the returned s fed back "
            "drift away from RMSProp: does your function keep state of its own between calls?",
        )
    return result


# ------------------------------------------------------------------ questions
from .questions import Question  # noqa: E402

Q_FIRST_STEP = Question(
    "Q_FIRST_STEP",
    "c",
    "Without the correction the first step is lr (1 - beta1) g / sqrt((1 - beta2) g^2) = "
    "lr 0.1 / sqrt(0.001) = 3.16 lr: too LARGE, because s (divided by) starts even closer "
    "to 0 than v. The correction brings it back to lr.",
    {"a": "about 0.1 lr: far too small", "b": "exactly lr", "c": "about 3 lr: too large"},
)

Q_SADDLE = Question(
    "Q_SADDLE",
    "b",
    "Course-form momentum at the same alpha has SGD's top speed (its v averages the gradient, "
    "it does not add it up) and needs about 1/(1 - beta) = 10 steps to build it: it leaves "
    "the saddle a little later than SGD. The adaptive methods divide by the size of the tiny "
    "gradient and leave many times sooner.",
    {
        "a": "momentum, well before SGD: it builds up speed",
        "b": "SGD, a little before momentum; the adaptive methods long before both",
        "c": "all at about the same step",
    },
)

Q_NOISE_ALPHA = Question(
    "Q_NOISE_ALPHA",
    "b",
    "Noise does not average out at a fixed alpha: every step adds alpha times the noise, so "
    "the floor grows with alpha, and the best alpha trades the speed of the start against "
    "that floor. Re-tuned under noise every method's best alpha is smaller than without "
    "noise (SGD 0.056 -> 0.032, momentum 0.32 -> 0.1, Adam 1.8 -> 0.32 on this grid).",
    {
        "a": "about the same as without noise: the noise averages out",
        "b": "smaller than without noise, for all three",
        "c": "larger than without noise: bigger steps get through the noise",
    },
)

__all__ = [
    "check_adam_step",
    "check_momentum_step",
    "check_rmsprop_step",
    "reference_adam_step",
    "reference_rmsprop_step",
    "RMSPROP_MISTAKES",
    "reference_momentum_step",
    "kingma_adam_step",
    "MISTAKES",
    "MOMENTUM_MISTAKES",
    "Q_FIRST_STEP",
    "Q_SADDLE",
    "Q_NOISE_ALPHA",
]
