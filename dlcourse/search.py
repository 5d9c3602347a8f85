"""Hyperparameter search: samplers, random and grid search, coarse to fine.

A *search space* is a dict ``name -> sampler``. A sampler draws values of one
hyperparameter on its own scale:

- ``uniform(low, high)``: x ~ U[low, high];
- ``log_uniform(low, high)``: log10 x ~ U[log10 low, log10 high], so [1e-4, 1e-3] gets as
  many trials as [1e-1, 1] (for the learning rate alpha);
- ``one_minus_log_uniform(low, high)``: log10(1 - x) ~ U[log10(1 - high), log10(1 - low)],
  so for beta 0.9 -> 0.99 gets as many trials as 0.99 -> 0.999 (averages over about 10,
  100 and 1000 steps);
- ``int_uniform(low, high)``: an integer in {low, ..., high}, each equally likely;
- ``choice(options)``: one of the options, each equally likely.

``random_search`` draws ``n_trials`` points at random; ``grid_search`` tries every point of
a grid with ``points_per_axis`` values per hyperparameter (log-spaced for log samplers).
When one hyperparameter matters far more than the others, n random trials try n distinct
values of it while an n-point grid over d hyperparameters tries only n^(1/d): the reason
to prefer random search. ``zoom`` narrows a space around the best trials and
``coarse_to_fine`` repeats search-and-zoom.

The objective is a function ``objective(params, seed) -> float | dict``: the score (lower is
better) or a dict with a ``"score"`` entry and any extra columns. Trial i gets the seed
``trial_seed(seed, i)`` (a ``numpy.random.SeedSequence`` child), so a search gives the same
table whichever executor runs the trials and in whatever order they finish. Trials run in
this process (``executor=None``) or through any ``concurrent.futures``-style executor
(``submit(fn, *args)`` returning futures with ``result()``): a thread or process pool on one
machine (training many models in parallel, the "caviar" strategy), or a Dask
``distributed.Client`` for several. Process pools need a picklable objective: a function
defined at module level. A trial that raises, or returns a non-finite score, is recorded
with score = inf and its error text; the search goes on.
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import math
import numbers
import pickle
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ._checks import check_int, check_nonnegative, check_real
from .rng import as_generator

__all__ = [
    "Sampler",
    "Uniform",
    "LogUniform",
    "OneMinusLogUniform",
    "IntUniform",
    "Choice",
    "uniform",
    "log_uniform",
    "one_minus_log_uniform",
    "int_uniform",
    "choice",
    "trial_seed",
    "run_trial",
    "SearchResult",
    "random_search",
    "grid_search",
    "zoom",
    "coarse_to_fine",
]

_RESERVED = ("trial", "score", "seed", "error")


# ----------------------------------------------------------------------------------------
# samplers
# ----------------------------------------------------------------------------------------


class Sampler:
    """Draws values of one hyperparameter: ``sample(rng, n)`` and ``grid(n)``."""

    def sample(self, rng, n: int) -> np.ndarray:
        raise NotImplementedError

    def grid(self, n: int) -> np.ndarray:
        raise NotImplementedError


def _fmt(x: float) -> str:
    return f"{x:.6g}"


class _Continuous(Sampler):
    """x = inverse(t) with t ~ U[t_low, t_high], t = forward(x): subclasses set the scale.

    ``forward``/``inverse`` map a value to the sampler's own scale and back (identity, log10,
    log10(1 - x)); the grid is evenly spaced in that scale.
    """

    name = ""

    def __init__(self, low, high) -> None:
        self.low = check_real("low", low)
        self.high = check_real("high", high)
        if not self.low < self.high:
            raise ValueError(f"low must be < high, got low={low!r}, high={high!r}")

    def forward(self, x) -> np.ndarray:
        """The value in the sampler's own scale (here: itself)."""
        return np.asarray(x, dtype=np.float64)

    def inverse(self, t) -> np.ndarray:
        """Back from the sampler's scale to the value."""
        return np.asarray(t, dtype=np.float64)

    def _t_range(self) -> tuple[float, float]:
        ends = self.forward(np.array([self.low, self.high]))
        return float(ends.min()), float(ends.max())

    def sample(self, rng, n: int) -> np.ndarray:
        """n values drawn uniformly in the sampler's scale, clipped to [low, high]."""
        n = check_int("n", n, minimum=0)
        t0, t1 = self._t_range()
        t = as_generator(rng).uniform(t0, t1, size=n)
        return np.clip(self.inverse(t), self.low, self.high)

    def grid(self, n: int) -> np.ndarray:
        """n values evenly spaced in the sampler's scale, ascending, ends included
        (n = 1: the centre of the range in that scale)."""
        n = check_int("n", n, minimum=1)
        t0, t1 = self._t_range()
        t = np.array([(t0 + t1) / 2]) if n == 1 else np.linspace(t0, t1, n)
        x = np.clip(self.inverse(t), self.low, self.high)
        if n > 1:  # exact ends, free of round-off in the transform
            x[np.argmin(x)], x[np.argmax(x)] = self.low, self.high
        return np.sort(x)

    def within(self, low: float, high: float) -> "_Continuous":
        """The same kind of sampler on [low, high]."""
        return type(self)(low, high)

    def __repr__(self) -> str:
        return f"{self.name}({_fmt(self.low)}, {_fmt(self.high)})"

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and (self.low, self.high) == (other.low, other.high)

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.low, self.high))


class Uniform(_Continuous):
    """x ~ U[low, high]."""

    name = "uniform"


class LogUniform(_Continuous):
    """log10 x ~ U[log10 low, log10 high], 0 < low < high: equal trials per decade."""

    name = "log_uniform"

    def __init__(self, low, high) -> None:
        super().__init__(low, high)
        if self.low <= 0:
            raise ValueError(f"low must be > 0 for a log scale, got low={low!r}")

    def forward(self, x) -> np.ndarray:
        return np.log10(np.asarray(x, dtype=np.float64))

    def inverse(self, t) -> np.ndarray:
        return 10.0 ** np.asarray(t, dtype=np.float64)


class OneMinusLogUniform(_Continuous):
    """log10(1 - x) ~ U[log10(1 - high), log10(1 - low)], low < high < 1: for beta, equal
    trials in [0.9, 0.99] and [0.99, 0.999] (averages over about 10, 100, 1000 steps)."""

    name = "one_minus_log_uniform"

    def __init__(self, low, high) -> None:
        super().__init__(low, high)
        if self.high >= 1:
            raise ValueError(
                f"high must be < 1 (1 - high is taken on a log scale), got high={high!r}"
            )

    def forward(self, x) -> np.ndarray:
        return np.log10(1.0 - np.asarray(x, dtype=np.float64))

    def inverse(self, t) -> np.ndarray:
        return 1.0 - 10.0 ** np.asarray(t, dtype=np.float64)


class IntUniform(Sampler):
    """An integer in {low, ..., high} (both included), each equally likely."""

    def __init__(self, low, high) -> None:
        self.low = check_int("low", low)
        self.high = check_int("high", high)
        if not self.low < self.high:
            raise ValueError(f"low must be < high, got low={low!r}, high={high!r}")

    def forward(self, x) -> np.ndarray:
        """Integers are zoomed on a linear scale."""
        return np.asarray(x, dtype=np.float64)

    def sample(self, rng, n: int) -> np.ndarray:
        """n integers in {low, ..., high}."""
        n = check_int("n", n, minimum=0)
        return as_generator(rng).integers(self.low, self.high, size=n, endpoint=True)

    def grid(self, n: int) -> np.ndarray:
        """Up to n distinct integers evenly spread over [low, high] (fewer when the range
        holds fewer than n integers)."""
        n = check_int("n", n, minimum=1)
        if n == 1:
            return np.array([(self.low + self.high) // 2], dtype=np.int64)
        return np.unique(np.round(np.linspace(self.low, self.high, n)).astype(np.int64))

    def within(self, low: float, high: float) -> "IntUniform":
        """The integers in [floor(low), ceil(high)] clipped to this range, at least two."""
        lo = max(self.low, math.floor(low))
        hi = min(self.high, math.ceil(high))
        if hi <= lo:
            lo, hi = (lo, lo + 1) if lo < self.high else (hi - 1, hi)
        return IntUniform(lo, hi)

    def __repr__(self) -> str:
        return f"int_uniform({self.low}, {self.high})"

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and (self.low, self.high) == (other.low, other.high)

    def __hash__(self) -> int:
        return hash(("int_uniform", self.low, self.high))


class Choice(Sampler):
    """One of ``options`` (any values: numbers, strings, None), each equally likely."""

    def __init__(self, options: Sequence) -> None:
        if isinstance(options, (str, bytes)) or not isinstance(options, Sequence):
            raise TypeError(f"options must be a list or tuple of values, got {options!r}")
        if len(options) == 0:
            raise ValueError("options must not be empty, got []")
        self.options = tuple(options)

    def _array(self, picks: Sequence) -> np.ndarray:
        out = np.empty(len(picks), dtype=object)
        out[:] = [self.options[i] for i in picks]
        return out

    def sample(self, rng, n: int) -> np.ndarray:
        """n options (an object array holding the options themselves)."""
        n = check_int("n", n, minimum=0)
        return self._array(as_generator(rng).integers(0, len(self.options), size=n))

    def grid(self, n: int | None = None) -> np.ndarray:
        """Every option, in the given order (``n`` is ignored: a choice has no spacing)."""
        return self._array(range(len(self.options)))

    def __repr__(self) -> str:
        return f"choice({list(self.options)!r})"

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self.options == other.options

    def __hash__(self) -> int:
        return hash(("choice", self.options))


def uniform(low: float, high: float) -> Uniform:
    """x ~ U[low, high]."""
    return Uniform(low, high)


def log_uniform(low: float, high: float) -> LogUniform:
    """log10 x uniform in [log10 low, log10 high] (0 < low < high), e.g. alpha in [1e-4, 1]."""
    return LogUniform(low, high)


def one_minus_log_uniform(low: float, high: float) -> OneMinusLogUniform:
    """1 - x log-uniform (low < high < 1), e.g. beta in [0.9, 0.999]."""
    return OneMinusLogUniform(low, high)


def int_uniform(low: int, high: int) -> IntUniform:
    """An integer in {low, ..., high}, both included."""
    return IntUniform(low, high)


def choice(options: Sequence) -> Choice:
    """One of the options, e.g. ``choice([32, 64, 128])`` or ``choice(["relu", "tanh"])``."""
    return Choice(options)


def _check_space(space) -> dict[str, Sampler]:
    if not isinstance(space, Mapping) or len(space) == 0:
        raise ValueError(f"space must be a non-empty dict name -> sampler, got {space!r}")
    for name, sampler in space.items():
        if not isinstance(name, str):
            raise TypeError(f"space keys must be strings, got {name!r}")
        if name in _RESERVED:
            raise ValueError(
                f"space: {name!r} is a reserved column name "
                f"({', '.join(_RESERVED)}); rename the hyperparameter"
            )
        if not isinstance(sampler, Sampler):
            raise TypeError(
                f"space[{name!r}] must be a sampler (uniform, log_uniform, ...), got {sampler!r}"
            )
    return dict(space)


# ----------------------------------------------------------------------------------------
# running trials
# ----------------------------------------------------------------------------------------


def trial_seed(seed: int, index: int) -> int:
    """The seed of trial ``index``: the first word of the SeedSequence child
    ``SeedSequence(seed, spawn_key=(index,))``, in [0, 2**32)."""
    seq = np.random.SeedSequence(seed, spawn_key=(index,))
    return int(seq.generate_state(1, dtype=np.uint32)[0])


def _plain(value: Any) -> Any:
    """numpy scalars as Python numbers, so parameters print and pickle simply."""
    return value.item() if isinstance(value, np.generic) else value


def _score_of(out: Any) -> tuple[float, dict]:
    """(score, extra columns) of an objective's return value; ValueError if malformed."""
    extra: dict = {}
    if isinstance(out, Mapping):
        if "score" not in out:
            raise ValueError(f"the objective returned a dict without 'score': keys {sorted(out)}")
        extra = {k: _plain(v) for k, v in out.items() if k != "score"}
        clash = sorted(set(extra) & set(_RESERVED))
        if clash:
            raise ValueError(f"the objective returned reserved column(s) {clash}")
        out = out["score"]
    if isinstance(out, bool) or not isinstance(out, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"the score must be a real number, got {out!r}")
    score = float(out)
    if not math.isfinite(score):
        raise FloatingPointError(f"the score is {score}")
    return score, extra


def run_trial(objective: Callable, params: dict, seed: int) -> dict:
    """Run one trial, ``objective(dict(params), seed)``, catching every error: a dict
    {"score", "extra", "error"} (score inf and the error text when it raised).

    Module-level so that it pickles for process pools and Dask workers.
    """
    try:
        score, extra = _score_of(objective(dict(params), seed))
        return {"score": score, "extra": extra, "error": None}
    except Exception as exc:  # a failing trial is data, not a crash
        return {"score": math.inf, "extra": {}, "error": f"{type(exc).__name__}: {exc}"}


def _check_executor(executor, objective: Callable) -> None:
    if executor is None:
        return
    if not callable(getattr(executor, "submit", None)):
        raise TypeError(
            f"executor must be None or have a submit(fn, *args) method "
            f"(a concurrent.futures Executor or a Dask Client), got {executor!r}"
        )
    if isinstance(executor, cf.ProcessPoolExecutor):
        try:
            pickle.dumps(objective)
        except Exception as exc:
            raise TypeError(
                f"objective {objective!r} cannot be pickled for a process pool "
                f"({exc}): define it with def at module level"
            ) from None


def _progress_bar(total: int, enabled: bool, desc: str):
    if not enabled:
        return None
    from tqdm.auto import tqdm  # imported here: the numerical core stays numpy-only

    return tqdm(total=total, desc=desc, unit="trial")


def _collect(futures: list, bar) -> list[dict]:
    """Results in trial order; the bar advances as futures complete."""
    outcomes: list[dict | None] = [None] * len(futures)
    standard = all(isinstance(f, cf.Future) for f in futures)
    order = cf.as_completed(futures) if standard else futures
    index = {id(f): i for i, f in enumerate(futures)}
    for fut in order:
        i = index[id(fut)]
        try:
            outcomes[i] = fut.result()
        except Exception as exc:  # the worker itself failed (pickling, a crashed process)
            outcomes[i] = {"score": math.inf, "extra": {}, "error": f"{type(exc).__name__}: {exc}"}
        if bar is not None:
            bar.update(1)
    return outcomes


def _run_trials(
    objective, points: list[dict], seed: int, executor, progress: bool, desc: str
) -> list[dict]:
    seeds = [trial_seed(seed, i) for i in range(len(points))]
    bar = _progress_bar(len(points), progress, desc)
    try:
        if executor is None:
            outcomes = []
            for params, s in zip(points, seeds):
                outcomes.append(run_trial(objective, params, s))
                if bar is not None:
                    bar.update(1)
        else:
            futures = [
                executor.submit(run_trial, objective, params, s) for params, s in zip(points, seeds)
            ]
            outcomes = _collect(futures, bar)
    finally:
        if bar is not None:
            bar.close()
    return [
        {
            "trial": i,
            "params": params,
            "score": out["score"],
            **out["extra"],
            "seed": s,
            "error": out["error"],
        }
        for i, (params, s, out) in enumerate(zip(points, seeds, outcomes))
    ]


# ----------------------------------------------------------------------------------------
# the result table
# ----------------------------------------------------------------------------------------


def _cell(value: Any, digits: int) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.{digits}g}"
    return "" if value is None else str(value)


def _sort_key(value: Any) -> tuple:
    """Numbers before other values, missing (None) and NaN last."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return (2, 0.0, "")
    if isinstance(value, (numbers.Real, np.number)) and not isinstance(value, bool):
        return (0, float(value), "")
    return (1, 0.0, str(value))


@dataclass
class SearchResult:
    """The trials of a search, in trial order.

    Each trial is a dict ``{"trial": i, "params": {...}, "score": float, <extra columns>,
    "seed": int, "error": str | None}``; a failed trial has score = inf and its error text.
    """

    trials: list[dict]
    space: dict = field(default_factory=dict)
    method: str = "random"
    seed: int = 0

    def __len__(self) -> int:
        return len(self.trials)

    @property
    def scores(self) -> np.ndarray:
        """The score of every trial (inf for failed ones), in trial order."""
        return np.array([t["score"] for t in self.trials], dtype=np.float64)

    @property
    def failed(self) -> list[dict]:
        """The trials that raised or gave a non-finite score."""
        return [t for t in self.trials if t["error"] is not None]

    @property
    def best(self) -> dict:
        """The trial with the lowest score (the first one on ties)."""
        ok = [t for t in self.trials if t["error"] is None]
        if not ok:
            first = self.trials[0]["error"] if self.trials else "no trials were run"
            raise ValueError(f"no successful trial among {len(self.trials)}; first error: {first}")
        return min(ok, key=lambda t: t["score"])

    @property
    def best_params(self) -> dict:
        return dict(self.best["params"])

    @property
    def param_names(self) -> list[str]:
        names = list(self.space)
        for t in self.trials:
            names += [k for k in t["params"] if k not in names]
        return names

    @property
    def extra_columns(self) -> list[str]:
        skip = {"trial", "params", "score", "seed", "error"}
        cols: list[str] = []
        for t in self.trials:
            cols += [k for k in t if k not in skip and k not in cols]
        return cols

    @property
    def columns(self) -> list[str]:
        return ["trial", *self.param_names, "score", *self.extra_columns, "seed", "error"]

    def values(self, name: str) -> np.ndarray:
        """One hyperparameter (or extra column) over the trials, in trial order."""
        if name in self.param_names:
            vals = [t["params"].get(name) for t in self.trials]
        elif name in self.columns:
            vals = [t.get(name) for t in self.trials]
        else:
            raise ValueError(f"unknown name {name!r}; valid: {', '.join(map(repr, self.columns))}")
        try:
            return np.array(vals)
        except ValueError:  # ragged values (lists of different lengths)
            out = np.empty(len(vals), dtype=object)
            out[:] = vals
            return out

    def _row(self, t: dict) -> dict:
        row = {"trial": t["trial"]}
        row.update({n: t["params"].get(n) for n in self.param_names})
        row["score"] = t["score"]
        row.update({c: t.get(c) for c in self.extra_columns})
        row["seed"], row["error"] = t["seed"], t["error"]
        return row

    def table(
        self, sort_by: str = "score", ascending: bool = True, top: int | None = None
    ) -> list[dict]:
        """Flat row dicts (trial, each hyperparameter, score, extra columns, seed, error)
        sorted by ``sort_by`` (stable: ties keep trial order; missing values go last),
        the first ``top`` of them (all when None)."""
        cols = self.columns
        if sort_by not in cols:
            raise ValueError(f"unknown sort_by {sort_by!r}; valid: {', '.join(map(repr, cols))}")
        if top is not None:
            top = check_int("top", top, minimum=0)
        rows = [self._row(t) for t in self.trials]
        rows.sort(key=lambda r: _sort_key(r[sort_by]))
        if not ascending:  # reverse the present values, keep missing ones last
            present = [r for r in rows if _sort_key(r[sort_by])[0] < 2]
            missing = [r for r in rows if _sort_key(r[sort_by])[0] == 2]
            present.sort(key=lambda r: _sort_key(r[sort_by]), reverse=True)
            rows = present + missing
        return rows if top is None else rows[:top]

    def to_markdown(
        self,
        sort_by: str = "score",
        ascending: bool = True,
        top: int | None = None,
        digits: int = 4,
    ) -> str:
        """A Markdown table of :meth:`table`, floats with ``digits`` significant digits,
        columns padded to a fixed width. The seed is left out; the error column only
        appears when some trial failed (its text cut to 60 characters)."""
        digits = check_int("digits", digits, minimum=1)
        rows = self.table(sort_by, ascending, top)
        cols = [c for c in self.columns if c != "seed"]
        if not any(r["error"] for r in rows):
            cols.remove("error")
        cells = [[_cell(r[c], digits) for c in cols] for r in rows]
        cells = [[v if len(v) <= 60 else v[:57] + "..." for v in row] for row in cells]
        widths = [max([len(c)] + [len(row[j]) for row in cells]) for j, c in enumerate(cols)]

        def line(values: list[str]) -> str:
            return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths)) + " |"

        out = [line(cols), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
        out += [line(row) for row in cells]
        return "\n".join(out)

    def summary(self) -> str:
        """One line: method, number of trials and failures, best score."""
        n_failed = len(self.failed)
        best = "none" if n_failed == len(self.trials) else f"{self.best['score']:.4g}"
        return (
            f"SearchResult({self.method} search, {len(self.trials)} trials, "
            f"{n_failed} failed, best score {best})"
        )

    def __repr__(self) -> str:
        shown = min(len(self.trials), 10)
        text = self.summary() + "\n" + self.to_markdown(top=shown)
        if len(self.trials) > shown:
            text += f"\n... {len(self.trials) - shown} more (result.to_markdown() shows all)"
        return text


# ----------------------------------------------------------------------------------------
# searches
# ----------------------------------------------------------------------------------------


def random_search(
    objective: Callable,
    space: Mapping[str, Sampler],
    n_trials: int,
    seed: int = 0,
    executor=None,
    progress: bool = False,
) -> SearchResult:
    """``n_trials`` points drawn independently from ``space``, each scored by
    ``objective(params, trial_seed(seed, i))``.

    The points come from ``numpy.random.default_rng(seed)``, one sampler after the other in
    the space's order, so the same seed gives the same points and the same table for any
    executor. See the module docstring for executors and failures.
    """
    if not callable(objective):
        raise TypeError(f"objective must be callable, got {objective!r}")
    space = _check_space(space)
    n_trials = check_int("n_trials", n_trials, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    _check_executor(executor, objective)
    rng = np.random.default_rng(seed)
    columns = {name: sampler.sample(rng, n_trials) for name, sampler in space.items()}
    points = [{name: _plain(columns[name][i]) for name in space} for i in range(n_trials)]
    trials = _run_trials(objective, points, seed, executor, progress, "random search")
    return SearchResult(trials, space, "random", seed)


def grid_search(
    objective: Callable,
    space: Mapping[str, Sampler],
    points_per_axis: int | Mapping[str, int],
    executor=None,
    progress: bool = False,
    seed: int = 0,
) -> SearchResult:
    """Every combination of ``sampler.grid(k)`` over the space (the last name varies
    fastest), ``k = points_per_axis`` (or ``points_per_axis[name]``). Log samplers give
    log-spaced axes; a choice contributes all its options. Trial i gets
    ``trial_seed(seed, i)``."""
    if not callable(objective):
        raise TypeError(f"objective must be callable, got {objective!r}")
    space = _check_space(space)
    seed = check_int("seed", seed, minimum=0)
    if isinstance(points_per_axis, Mapping):
        missing = [n for n in space if n not in points_per_axis]
        if missing:
            raise ValueError(f"points_per_axis has no entry for {missing}")
        counts = {
            n: check_int(f"points_per_axis[{n!r}]", points_per_axis[n], minimum=1) for n in space
        }
    else:
        k = check_int("points_per_axis", points_per_axis, minimum=1)
        counts = {n: k for n in space}
    _check_executor(executor, objective)
    axes = [space[n].grid(counts[n]) for n in space]
    points = [{n: _plain(v) for n, v in zip(space, combo)} for combo in itertools.product(*axes)]
    trials = _run_trials(objective, points, seed, executor, progress, "grid search")
    return SearchResult(trials, space, "grid", seed)


def zoom(
    result: SearchResult,
    space: Mapping[str, Sampler] | None = None,
    top_k: int = 5,
    margin: float = 0.5,
) -> dict[str, Sampler]:
    """A narrower space around the ``top_k`` best successful trials.

    For each numeric sampler, in its own scale t (log10 x for ``log_uniform``,
    log10(1 - x) for ``one_minus_log_uniform``, x otherwise): with [t_min, t_max] the range
    of the top trials' values and w = max(t_max - t_min, 0.1 (t_high - t_low)),
    the new range is [t_min - margin w, t_max + margin w], clipped to the old one (a zoom
    never widens). The floor on w keeps an interval when the top trials agree. Integer
    ranges are rounded outwards; choices are kept as they are. ``space=None`` uses
    ``result.space``.
    """
    space = _check_space(result.space if space is None else space)
    top_k = check_int("top_k", top_k, minimum=1)
    margin = check_nonnegative("margin", margin)
    ok = [t for t in result.trials if t["error"] is None]
    if not ok:
        raise ValueError("result has no successful trial to zoom around")
    top = sorted(ok, key=lambda t: t["score"])[:top_k]
    new: dict[str, Sampler] = {}
    for name, sampler in space.items():
        if not hasattr(sampler, "within"):
            new[name] = sampler
            continue
        if any(name not in t["params"] for t in top):
            raise ValueError(f"space has {name!r} but the result's trials do not")
        new[name] = _narrow(sampler, [t["params"][name] for t in top], margin)
    return new


def _narrow(sampler, values: list, margin: float):
    t = sampler.forward(np.asarray(values, dtype=np.float64))
    t_lo, t_hi = (float(v) for v in sorted(sampler.forward(np.array([sampler.low, sampler.high]))))
    width = max(float(t.max() - t.min()), 0.1 * (t_hi - t_lo))
    a = max(t_lo, float(t.min()) - margin * width)
    b = min(t_hi, float(t.max()) + margin * width)
    ends = (
        sampler.inverse(np.array([a, b]))
        if not isinstance(sampler, IntUniform)
        else np.array([a, b])
    )
    low, high = float(ends.min()), float(ends.max())
    if not isinstance(sampler, IntUniform):
        low, high = max(low, sampler.low), min(high, sampler.high)
        if not low < high:
            return sampler
    return sampler.within(low, high)


def coarse_to_fine(
    objective: Callable,
    space: Mapping[str, Sampler],
    rounds: int = 3,
    n_trials: int = 20,
    top_k: int = 5,
    seed: int = 0,
    executor=None,
    margin: float = 0.5,
    progress: bool = False,
) -> list[SearchResult]:
    """Random search, then :func:`zoom` around the ``top_k`` best and search again,
    ``rounds`` times. Round r uses the seed ``trial_seed(seed, r)``; ``results[r].space``
    is the space it searched. Returns one :class:`SearchResult` per round."""
    rounds = check_int("rounds", rounds, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    space = _check_space(space)
    results: list[SearchResult] = []
    for r in range(rounds):
        if r:
            space = zoom(results[-1], space, top_k, margin)
        results.append(
            random_search(objective, space, n_trials, trial_seed(seed, r), executor, progress)
        )
    return results
