"""Check for notebook 08's exercise: one step of Adam.

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
from .grader import Case, CheckResult, run_with_mistakes, with_mistakes

NAME = "adam_step"


def reference_adam_step(w, grad, v, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One step of ``dl.optim.Adam`` from state (v, s, t - 1): returns (w, v, s)."""
    p = Parameter(np.array(w, dtype=np.float64))
    p.grad = np.array(grad, dtype=np.float64)
    opt = Adam([p], lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    opt.state[p] = {"v": np.array(v, dtype=np.float64), "s": np.array(s, dtype=np.float64),
                    "t": t - 1}
    opt.step()
    return p.value, opt.state[p]["v"], opt.state[p]["s"]


# ------------------------------------------------------------------ the usual mistakes
def _formula(w, g, v, s, t, lr, b1, b2, eps, *, correct=True, t_used=None, eps_inside=False,
             swap=False, damp=True, return_hat=False, sign=1.0):
    """Adam written out, with switches that turn on one mistake each."""
    if swap:
        b1, b2 = b2, b1
    v = b1 * v + ((1 - b1) if damp else 1.0) * g
    s = b2 * s + ((1 - b2) if damp else 1.0) * g * g
    tt = t if t_used is None else t_used
    v_hat = v / (1 - b1 ** tt) if correct else v
    s_hat = s / (1 - b2 ** tt) if correct else s
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
    (_mistake(correct=False), "no bias correction: divide v by (1 - beta1^t) and s by "
                              "(1 - beta2^t) before the update (the first steps are far too "
                              "small without it)"),
    (_mistake(return_hat=True), "the update uses the corrected v^ and s^, but return the "
                                "uncorrected running averages v and s as the new state"),
    (_mistake(t_offset=-1), "off by one: t is the number of this step (t = 1 on the first "
                            "step), so the correction is 1 - beta^t, not 1 - beta^(t-1)"),
    (_mistake(t_offset=+1), "off by one: use 1 - beta^t with t the number of this step, "
                            "not t + 1"),
    (_mistake(eps_inside=True), "eps goes outside the square root: sqrt(s^) + eps"),
    (_mistake(swap=True), "beta1 = 0.9 averages the gradient (v) and beta2 = 0.999 its "
                          "square (s); you swapped them"),
    (_mistake(damp=False), "the averages need their (1 - beta) factor: "
                           "v = beta1 v + (1 - beta1) grad, s = beta2 s + (1 - beta2) grad^2"),
    (_mistake(sign=-1.0), "subtract the step (w - lr v^ / ...): adding it climbs the cost"),
)


def _cases() -> list[Case]:
    rng = np.random.default_rng(8)
    cases = []
    specs = [((3,), 1, {}, 1.0), ((4, 3), 1, dict(lr=0.01), 1.0), ((5,), 2, {}, 1.0),
             ((2, 2), 10, dict(lr=0.1, beta1=0.8, beta2=0.99), 3.0),
             ((6,), 1000, dict(lr=0.001), 0.5), ((3,), 1, dict(eps=1e-8), 1e-9)]
    for shape, t, kw, scale in specs:
        w = rng.normal(size=shape)
        g = rng.normal(size=shape) * scale
        if t == 1:
            v, s = np.zeros(shape), np.zeros(shape)
        else:
            v = rng.normal(size=shape) * 0.1 * scale
            s = rng.uniform(0.01, 1.0, size=shape) * scale**2
        expected = reference_adam_step(w, g, v, s, t, **kw)
        hint = ("compare your lines with the five lines of the math: v, s, their corrections "
                "v^ and s^, then the update")
        if scale < 1e-6:
            hint = ("with tiny gradients eps matters: the step is lr v^ / (sqrt(s^) + eps), "
                    "with eps added after the square root")
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


def check_adam_step(fn: Callable) -> CheckResult:
    """Check ``fn(w, grad, v, s, t, lr, beta1, beta2, eps) -> (w, v, s)`` against
    ``dl.optim.Adam``."""
    cases = _cases()
    if callable(fn):
        for case in cases:
            try:
                with np.errstate(all="ignore"):
                    got = fn(*copy.deepcopy(case.args), **(case.kwargs or {}))
            except Exception:
                break  # the grader reports it
            if _triple(got) is None:
                return CheckResult(False, f"{NAME}: not yet — it returned a "
                                          f"{type(got).__name__}; return the three arrays "
                                          f"(w, v, s)")
    return run_with_mistakes(NAME, fn, with_mistakes(cases, MISTAKES), atol=1e-12)


__all__ = ["check_adam_step", "reference_adam_step", "MISTAKES"]
