"""Fair optimizer races (notebook 08): each optimizer's best alpha on a log grid that is
extended until no winner sits on its edge, a race under mini-batch-like gradient noise over
seeds, RMSProp's rebound at the saddle, an optimizer made of a learner's step function, and
Adam with L2 against Adam with decoupled weight decay (AdamW)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .. import optim
from ..parameter import Parameter
from ..surfaces import Surface

__all__ = [
    "Tuned",
    "run",
    "tune",
    "largest_stable_lr",
    "noisy_race",
    "tune_noisy",
    "rmsprop_trace",
    "StepFunctionOptimizer",
    "AdamW",
    "decay_grid",
]

_STEP = 0.25  # grid spacing in decades


def run(surface: Surface, name: str, lr: float, steps: int = 200, start=None):
    """(path, J - J*, diverged) of optimizer ``name`` with the exact gradient."""
    p = Parameter(np.array(surface.start if start is None else start, dtype=float))
    opt = optim.create(name, [p], float(lr))
    path = np.full((steps + 1, 2), np.nan)
    path[0] = p.value
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            p.grad = surface.grad(p.value)
            opt.step()
            if not np.all(np.abs(p.value) <= 1e6):
                return path, surface.value(path) - surface.value(surface.minima[0]), t
            path[t] = p.value
    return path, surface.value(path) - surface.value(surface.minima[0]), None


@dataclass
class Tuned:
    name: str
    lr: float
    steps_to_tol: int | None  # first step with J - J* < tol, None if never
    final_gap: float
    grid: tuple[float, float]  # the alpha range searched (after extension)
    path: np.ndarray
    gap: np.ndarray

    @property
    def on_edge(self) -> bool:
        lo, hi = np.log10(self.grid)
        return bool(np.isclose(np.log10(self.lr), lo) or np.isclose(np.log10(self.lr), hi))


def _score(gap: np.ndarray, tol: float, steps: int):
    hit = np.flatnonzero(gap < tol)
    return (int(hit[0]) if hit.size else steps + 1, float(gap[-1]))


def tune(
    surface: Surface,
    name: str,
    lo: float = -4.0,
    hi: float = 0.0,
    steps: int = 200,
    tol: float = 1e-3,
    max_hi: float = 3.0,
) -> Tuned:
    """The alpha of 10^lo .. 10^hi (step 10^0.25) that reaches J - J* < tol in the fewest
    steps (ties and misses: lowest final gap); the grid grows upwards while the winner
    sits on its top edge (up to 10^max_hi), and downwards while it sits on the bottom."""
    results: dict[float, tuple] = {}

    def best():
        return min(results.items(), key=lambda kv: kv[1][0])

    exps = list(np.arange(lo, hi + 1e-9, _STEP))
    while True:
        for e in exps:
            if e not in results:
                path, gap, diverged = run(surface, name, 10.0**e, steps)
                if diverged is None:
                    results[e] = (_score(gap, tol, steps), path, gap)
                else:
                    results[e] = ((steps + 2, np.inf), path, gap)
        e_best = best()[0]
        if np.isclose(e_best, max(exps)) and max(exps) < max_hi:
            exps.append(max(exps) + _STEP)
        elif np.isclose(e_best, min(exps)) and min(exps) > -8:
            exps.insert(0, min(exps) - _STEP)
        else:
            break
    e_best, ((hit, last), path, gap) = best()
    return Tuned(
        name,
        10.0**e_best,
        hit if hit <= steps else None,
        last,
        (10.0 ** min(exps), 10.0 ** max(exps)),
        path,
        gap,
    )


def noisy_race(
    surface: Surface,
    lrs: dict,
    noise: float,
    seeds: Sequence[int] = range(10),
    steps: int = 300,
    tail: int = 100,
) -> dict:
    """{name: array over seeds of the mean J - J* over the last ``tail`` steps} when every
    gradient gets Gaussian noise of standard deviation ``noise`` per coordinate."""
    out = {}
    for name, lr in lrs.items():
        finals = []
        for seed in seeds:
            rng = np.random.default_rng(seed)
            p = Parameter(np.array(surface.start, dtype=float))
            opt = optim.create(name, [p], float(lr))
            gaps = []
            with np.errstate(all="ignore"):
                for _ in range(steps):
                    p.grad = surface.grad(p.value) + noise * rng.standard_normal(2)
                    opt.step()
                    gaps.append(float(surface.value(p.value) - surface.value(surface.minima[0])))
            finals.append(np.mean(gaps[-tail:]) if np.all(np.isfinite(gaps)) else np.inf)
        out[name] = np.array(finals)
    return out


def largest_stable_lr(surface: Surface, name: str, lrs: Sequence[float], steps: int = 200):
    """The largest alpha of ``lrs`` whose exact-gradient run of ``steps`` steps stays finite
    and ends below its starting cost (None if none does)."""
    stable = []
    for lr in lrs:
        _, gap, diverged = run(surface, name, lr, steps)
        if diverged is None and np.isfinite(gap[-1]) and gap[-1] < gap[0]:
            stable.append(float(lr))
    return max(stable) if stable else None


def tune_noisy(
    surface: Surface,
    name: str,
    lrs: Sequence[float],
    noise: float,
    seeds: Sequence[int] = range(8),
    steps: int = 400,
) -> tuple[float, np.ndarray]:
    """The alpha of ``lrs`` with the lowest median :func:`noisy_race` score over ``seeds``
    under gradient noise ``noise``, and its scores (one per seed)."""
    scores = {float(lr): noisy_race(surface, {name: lr}, noise, seeds, steps)[name] for lr in lrs}
    best = min(scores, key=lambda lr: np.median(scores[lr]))
    return best, scores[best]


def rmsprop_trace(
    surface: Surface, lr: float = 0.05, beta: float = 0.9, steps: int = 200, eps: float = 1e-8
) -> dict:
    """RMSProp on ``surface`` step by step: w, its s, the effective step lr / (sqrt(s) + eps)
    of coordinate 0, and J - J*."""
    p = Parameter(np.array(surface.start, dtype=float))
    opt = optim.RMSProp([p], lr, beta=beta, eps=eps)
    w, s, gap = [], [], []
    for _ in range(steps):
        p.grad = surface.grad(p.value)
        opt.step()
        w.append(p.value.copy())
        s.append(opt.state[p]["s"].copy())
        gap.append(float(surface.value(p.value) - surface.value(surface.minima[0])))
    s = np.array(s)
    return {
        "w": np.array(w),
        "s": s,
        "eff0": lr / (np.sqrt(s[:, 0]) + opt.eps),
        "gap": np.array(gap),
        "eps": opt.eps,
    }


_STATE_KEYS = {"momentum": ("v",), "rmsprop": ("s",), "adam": ("v", "s")}


class StepFunctionOptimizer(optim.Optimizer):
    """An optimizer whose update is a step function of notebook 08's form, its state kept per
    parameter in ``opt.state[p]`` (as the package's optimizers keep theirs):

        "momentum"  step(w, grad, v, lr=, beta=)            -> (w, v)
        "rmsprop"   step(w, grad, s, lr=, beta=, eps=)      -> (w, s)
        "adam"      step(w, grad, v, s, t, lr=, beta1=, ...) -> (w, v, s), t = this step's number

    ``hyper`` holds the keyword arguments besides ``lr`` (e.g. ``beta=0.9``). The step sees
    copies, so it cannot change the parameter or the state behind the optimizer's back."""

    def __init__(self, params, kind: str, step: Callable, lr: float, **hyper) -> None:
        if kind not in _STATE_KEYS:
            raise ValueError(f"kind must be one of {sorted(_STATE_KEYS)}, got {kind!r}")
        super().__init__(params, lr)
        self.kind, self.step_fn, self.hyper = kind, step, hyper

    def _update(self, p, g, state):
        keys = _STATE_KEYS[self.kind]
        args = [self._slot(state, key, p).copy() for key in keys]
        if self.kind == "adam":
            state["t"] = state.get("t", 0) + 1
            args.append(state["t"])
        out = self.step_fn(p.value.copy(), g.copy(), *args, lr=self.lr, **self.hyper)
        p.value[...] = out[0]
        for key, value in zip(keys, out[1:]):
            state[key] = np.array(value, dtype=p.value.dtype)


class AdamW(optim.Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as ``torch.optim.AdamW``:
    before each Adam step, w <- (1 - alpha wd) w for the parameters in ``decay`` (all of
    them when ``decay`` is None); the decay never enters v or s, unlike an L2 term."""

    def __init__(self, params, lr: float = 1e-3, weight_decay: float = 0.01, decay=None, **adam):
        super().__init__(params, lr, **adam)
        self.weight_decay = float(weight_decay)
        self.decay = None if decay is None else {id(p) for p in decay}

    def step(self) -> None:
        for p in self.params:
            if p.grad is not None and (self.decay is None or id(p) in self.decay):
                p.value *= 1.0 - self.lr * self.weight_decay
        super().step()


def decay_grid(
    kind: str, lrs: Sequence[float], strengths: Sequence[float], seed: int = 0
) -> np.ndarray:
    """Validation data cost of notebook 05's over-fitting network (80 noisy moons, 2 x 50
    ReLU, full-batch, 600 epochs, ``make_net(seed=seed)``) trained by Adam with an L2 term
    (``kind="l2"``: ``fit(l2=strength)``) or by AdamW decaying the weight matrices
    (``kind="adamw"``: ``weight_decay=strength``), for every (lr, strength): rows lr."""
    from ..layers import Dense
    from ..losses import SoftmaxCrossEntropy
    from ..train import evaluate, fit
    from .weight_decay import make_net, moons_split

    X, y, X_va, y_va = moons_split()
    loss, table = SoftmaxCrossEntropy(), np.empty((len(lrs), len(strengths)))
    for i, lr in enumerate(lrs):
        for j, strength in enumerate(strengths):
            model = make_net(seed=seed)
            weights = [layer.W for layer in model.layers() if isinstance(layer, Dense)]
            if kind == "l2":
                opt, l2 = optim.Adam(model.parameters(), lr), strength
            else:
                opt, l2 = AdamW(model.parameters(), lr, strength, decay=weights), 0.0
            h = fit(model, X, y, loss, opt, epochs=600, l2=l2)
            table[i, j] = np.inf if h.diverged else evaluate(model, X_va, y_va, loss)[0]
    return table
