"""The Playground's numerics: data, features, network and a run that trains epoch by epoch.

Used by ``dlcourse.widgets.playground.Playground`` and ``notebooks/playground.ipynb``.

- **Data**: a 2-D set from :mod:`dlcourse.datasets` scaled so its largest coordinate is
  2.7, plotted on the square [-3, 3]^2; ``noise`` is a fraction of the set's own noise
  scale (``NOISE_SCALE``); ``train_ratio`` of the points train, the rest test.
- **Features**: phi(x) = the chosen columns of (x1, x2, x1^2, x2^2, x1 x2, sin x1, sin x2).
- **Network**: ``dlcourse.experiments.networks.mlp(len(phi), hidden, n_out, ...)`` with one
  logit for two classes (binary cross-entropy), C logits for C classes (softmax).
- **Training**: the run is one ``dl.History`` (``history``); each call of ``train`` is one
  ``dl.fit(..., history=history, schedule=lr_at)`` that carries it on, epoch e shuffling
  with ``epoch_seed(seed, e)`` (:class:`~.training_runs.EpochSeeds`). After every epoch the
  train and test costs are evaluated at test time (no dropout, no L2 term), as in the
  TensorFlow Playground; ``train(epochs, seconds)`` may also end after a time budget.
- **Live vs structural** (``LIVE``): the learning rate, the betas, L2 lambda, the batch size
  and the schedule act on the running network (the optimizer keeps its state); every other
  setting starts a new network, and the run so far is kept as ``previous`` (faded curves).
- **Divergence**: a non-finite cost (``history.diverged`` then says at which epoch and
  step), or a train cost above ``DIVERGE_FACTOR`` times the starting one, stops the run and
  sets ``message``.
- **State string**: :func:`encode_state` writes the settings that differ from ``DEFAULTS``
  as ``key:value`` pairs joined by ``,`` (URL-safe), and the epoch when the run used one
  setting throughout, so ``decode_state`` + ``run_to`` reproduces the run exactly.
"""

from __future__ import annotations

import math
import time
import warnings
from typing import Any
from urllib.parse import parse_qs, unquote

import numpy as np

from .. import activations, datasets, losses, optim
from ..init import INITIALIZERS
from ..optim import schedules as sch
from ..losses import BinaryCrossEntropy, SoftmaxCrossEntropy
from ..train import Callback, DivergenceWarning, History, TrainingContext, evaluate, fit
from .networks import mlp
from .training_runs import EpochSeeds

__all__ = [
    "ACTIVATIONS",
    "BATCH_SIZES",
    "DATASETS",
    "DEFAULTS",
    "EXTENT",
    "FEATURES",
    "INITS",
    "L2_VALUES",
    "LIVE",
    "MAX_LAYERS",
    "MAX_UNITS",
    "OPTIMIZERS",
    "RANGES",
    "SCHEDULES",
    "PlaygroundRun",
    "decode_state",
    "encode_state",
    "feature_matrix",
    "grid_points",
    "make_data",
    "state_from_query",
    "validate",
]

#: name -> (dlcourse.datasets name, options)
_SOURCES: dict[str, tuple[str, dict]] = {
    "circle": ("circles", {}),
    "xor": ("xor", {}),
    "gaussians": ("blobs", {"classes": 2}),
    "spiral": ("spiral", {"classes": 2, "turns": 0.75}),
    "moons": ("moons", {}),
    "flower": ("flower", {}),
    "blobs": ("blobs", {"classes": 3}),
    "spiral3": ("spiral", {"classes": 3}),
}
DATASETS = tuple(_SOURCES)
#: the dataset noise at noise = 1 (each set's noise has its own units)
NOISE_SCALE = {
    "circle": 0.3,
    "xor": 0.4,
    "gaussians": 1.6,
    "spiral": 0.6,
    "moons": 0.5,
    "flower": 1.0,
    "blobs": 1.6,
    "spiral3": 0.6,
}
FEATURES = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")
SCHEDULES = ("constant", "step", "exponential", "inverse_time")


def _choices() -> dict[str, tuple]:
    """The names each choice accepts; activations, inits and optimizers are read from the
    core's registries when called, so a name added there is accepted here too."""
    return {
        "dataset": DATASETS,
        "activation": tuple(a for a in activations.ACTIVATIONS if a != "step"),  # no gradient
        "init": tuple(INITIALIZERS),
        "optimizer": tuple(optim.NAMES),
        "schedule": SCHEDULES,
    }


#: the registries' names at import
ACTIVATIONS, INITS, OPTIMIZERS = (_choices()[k] for k in ("activation", "init", "optimizer"))
BATCH_SIZES = (1, 2, 4, 5, 8, 10, 16, 20, 32, 50, 64, 100, "full")
L2_VALUES = (0.0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
MAX_LAYERS, MAX_UNITS = 6, 8
EXTENT = (-3.0, 3.0, -3.0, 3.0)
DIVERGE_FACTOR = 10.0

DEFAULTS: dict[str, Any] = {
    "dataset": "circle",
    "noise": 0.2,
    "train_ratio": 0.5,
    "n_points": 300,
    "data_seed": 0,
    "features": ["x1", "x2"],
    "hidden": [4, 2],
    "activation": "tanh",
    "init": "xavier",
    "init_scale": 0.1,
    "batch_norm": False,
    "dropout": 0.0,
    "l2": 0.0,
    "optimizer": "adam",
    "lr": 0.03,
    "beta": 0.9,
    "beta1": 0.9,
    "beta2": 0.999,
    "batch_size": 10,
    "schedule": "constant",
    "decay": 0.01,
    "seed": 0,
}
#: settings that act on the running network; all others start a new one
LIVE = ("lr", "beta", "beta1", "beta2", "l2", "batch_size", "schedule", "decay")
#: numeric ranges [low, high]
RANGES: dict[str, tuple[float, float]] = {
    "noise": (0.0, 1.0),
    "train_ratio": (0.1, 0.9),
    "n_points": (20, 2000),
    "init_scale": (0.001, 10.0),
    "dropout": (0.0, 0.9),
    "lr": (1e-5, 10.0),
    "beta": (0.0, 0.999),
    "beta1": (0.0, 0.999),
    "beta2": (0.0, 0.9999),
    "decay": (1e-4, 1.0),
}

# short keys of the state string
_SHORT = {
    "dataset": "d",
    "noise": "n",
    "train_ratio": "tr",
    "n_points": "m",
    "data_seed": "ds",
    "features": "f",
    "hidden": "h",
    "activation": "a",
    "init": "i",
    "init_scale": "is",
    "batch_norm": "bn",
    "dropout": "do",
    "l2": "l2",
    "optimizer": "o",
    "lr": "lr",
    "beta": "b",
    "beta1": "b1",
    "beta2": "b2",
    "batch_size": "bs",
    "schedule": "s",
    "decay": "k",
    "seed": "seed",
}
_LONG = {v: k for k, v in _SHORT.items()}


# ======================================================================== settings
def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _is_real(v) -> bool:
    return (
        isinstance(v, (int, float, np.integer, np.floating))
        and not isinstance(v, bool)
        and math.isfinite(float(v))
    )


def validate(config: dict) -> dict:
    """The full config (defaults filled in) or a ValueError/TypeError naming the bad setting."""
    unknown = sorted(set(config) - set(DEFAULTS))
    if unknown:
        raise TypeError(f"unknown setting(s) {unknown}; valid: {sorted(DEFAULTS)}")
    cfg = {**DEFAULTS, **config}
    for key, choices in _choices().items():
        if cfg[key] not in choices:
            raise ValueError(f"{key} must be one of {', '.join(choices)}; got {cfg[key]!r}")
    for key, (low, high) in RANGES.items():
        if not _is_real(cfg[key]) or not low <= cfg[key] <= high:
            raise ValueError(f"{key} must be a number in [{low:g}, {high:g}], got {cfg[key]!r}")
    for key in ("n_points", "data_seed", "seed"):
        if not _is_int(cfg[key]) or cfg[key] < 0:
            raise ValueError(f"{key} must be a whole number >= 0, got {cfg[key]!r}")
    if not isinstance(cfg["batch_norm"], bool):
        raise TypeError(f"batch_norm must be True or False, got {cfg['batch_norm']!r}")
    for key, choices in (("batch_size", BATCH_SIZES), ("l2", L2_VALUES)):
        if isinstance(cfg[key], bool) or cfg[key] not in choices:
            raise ValueError(
                f"{key} must be one of {', '.join(map(str, choices))}; got {cfg[key]!r}"
            )
    feats = cfg["features"]
    if (
        not isinstance(feats, (list, tuple))
        or not feats
        or len(set(feats)) != len(feats)
        or any(f not in FEATURES for f in feats)
    ):
        raise ValueError(
            f"features must be a non-empty list of distinct names from "
            f"{', '.join(FEATURES)}; got {feats!r}"
        )
    hidden = cfg["hidden"]
    if (
        not isinstance(hidden, (list, tuple))
        or len(hidden) > MAX_LAYERS
        or any(not _is_int(u) or not 1 <= u <= MAX_UNITS for u in hidden)
    ):
        raise ValueError(
            f"hidden must list 0 to {MAX_LAYERS} layer widths, each 1 to "
            f"{MAX_UNITS}; got {hidden!r}"
        )
    cfg["features"] = [f for f in FEATURES if f in feats]  # canonical order
    cfg["hidden"] = [int(u) for u in hidden]
    for key in RANGES:
        cfg[key] = int(cfg[key]) if key == "n_points" else float(cfg[key])
    cfg["l2"] = float(cfg["l2"])
    return cfg


def _format(key: str, value) -> str:
    if key in ("features", "hidden"):
        return ".".join(map(str, value)) or "-"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _parse(key: str, text: str):
    default = DEFAULTS[key]
    if key == "features":
        return [] if text == "-" else text.split(".")
    if key == "hidden":
        return [] if text == "-" else [int(u) for u in text.split(".")]
    if isinstance(default, bool):
        if text not in ("0", "1"):
            raise ValueError(f"{key} must be 0 or 1, got {text!r}")
        return text == "1"
    if key == "batch_size":
        return "full" if text == "full" else int(text)
    if isinstance(default, float):
        return float(text)
    if isinstance(default, int):
        return int(text)
    return text


def encode_state(config: dict, epoch: int | None = None) -> str:
    """The settings as one short URL-safe string: ``key:value`` pairs that differ from
    ``DEFAULTS`` (the data set always), joined by ``,``; ``e:N`` adds the epoch."""
    cfg = validate(config)
    parts = [
        f"{_SHORT[k]}:{_format(k, v)}" for k, v in cfg.items() if k == "dataset" or v != DEFAULTS[k]
    ]
    if epoch:
        parts.append(f"e:{int(epoch)}")
    return ",".join(parts)


def decode_state(text: str) -> tuple[dict, int]:
    """``(config, epoch)`` from a state string (inverse of :func:`encode_state`); a
    ValueError names the part that cannot be read."""
    text = unquote(str(text)).strip()
    text = text.removeprefix("state=")
    config: dict = {}
    epoch = 0
    for part in filter(None, text.split(",")):
        key, sep, value = part.partition(":")
        try:
            if not sep:
                raise ValueError("expected key:value")
            if key == "e":
                epoch = int(value)
                if epoch < 0:
                    raise ValueError("negative")
                continue
            if key not in _LONG:
                raise ValueError(f"unknown key; valid: {', '.join(sorted(_LONG))}, e")
            config[_LONG[key]] = _parse(_LONG[key], value)
        except ValueError as exc:
            raise ValueError(f"cannot read {part!r} in the state string: {exc}") from None
    return validate(config), epoch


def state_from_query(query: str | None) -> str | None:
    """The ``state`` parameter of a URL query string (Voila's ``QUERY_STRING``), or None."""
    values = parse_qs(query or "", keep_blank_values=False).get("state")
    return values[0] if values else None


# ======================================================================== data and features
def make_data(
    dataset: str, noise: float, train_ratio: float, n_points: int, data_seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``X_train, X_test, y_train, y_test``: the set scaled to max |coordinate| = 2.7."""
    name, options = _SOURCES[dataset]
    X, y = datasets.make(
        name, n=n_points, noise=noise * NOISE_SCALE[dataset], rng=data_seed, **options
    )
    X = X - X.mean(axis=0) if dataset in ("moons", "flower") else X
    X = X * (2.7 / max(float(np.abs(X).max()), 1e-12))
    X_tr, X_te, y_tr, y_te = datasets.train_val_split(X, y, 1.0 - train_ratio, rng=data_seed + 1)
    return X_tr, X_te, y_tr, y_te


def feature_matrix(X: np.ndarray, features) -> np.ndarray:
    """phi(X): one column per chosen feature (x1, x2, x1^2, x2^2, x1 x2, sin x1, sin x2)."""
    x1, x2 = X[:, 0], X[:, 1]
    table = {
        "x1": x1,
        "x2": x2,
        "x1sq": x1 * x1,
        "x2sq": x2 * x2,
        "x1x2": x1 * x2,
        "sinx1": np.sin(x1),
        "sinx2": np.sin(x2),
    }
    return np.column_stack([table[f] for f in features])


def grid_points(resolution: int) -> np.ndarray:
    """(resolution^2, 2) points of the square EXTENT, row by row from the bottom."""
    xs = np.linspace(EXTENT[0], EXTENT[1], resolution)
    gx, gy = np.meshgrid(xs, xs)
    return np.column_stack([gx.ravel(), gy.ravel()])


def _schedule(kind: str, lr0: float, k: float):
    """schedule(epoch) -> lr: all kinds halve alpha near epoch ln 2 / k."""
    if kind == "step":
        return sch.step_decay(lr0, drop=0.5, every=max(1, round(math.log(2) / k)))
    if kind == "exponential":
        return sch.exponential_decay(lr0, k=k)
    if kind == "inverse_time":
        return sch.inverse_time_decay(lr0, decay_rate=k)
    return sch.constant(lr0)


# ======================================================================== the run
class _EpochEnd(Callback):
    """After each epoch of ``PlaygroundRun.train``: record the costs, and stop training
    when the run diverged or the time budget is spent."""

    def __init__(self, run: "PlaygroundRun", seconds: float) -> None:
        self.run, self.seconds, self.start = run, seconds, time.perf_counter()

    def on_epoch_end(self, ctx: TrainingContext) -> None:
        if not self.run._after_epoch() or time.perf_counter() - self.start >= self.seconds:
            ctx.stop = True


class PlaygroundRun:
    """One network on one data set, trained epoch by epoch (see the module docstring).

    Arrays: ``X_train, X_test, y_train, y_test`` (plot coordinates), ``train_loss``,
    ``test_loss`` (one value per epoch at test time, index 0 = before training), ``previous``
    (the last run's curves or None). ``history`` (the run's ``dl.History``), ``epoch``,
    ``diverged`` (bool), ``message`` ("" or why it stopped), ``clean`` (no live change since
    the start: the state string then carries the epoch).
    """

    def __init__(self, config: dict | None = None) -> None:
        self._config = validate(dict(config or {}))
        self.previous: dict | None = None
        self.restart(keep_previous=False)

    # ------------------------------------------------------------------ settings
    @property
    def config(self) -> dict:
        return {k: (list(v) if isinstance(v, list) else v) for k, v in self._config.items()}

    def set(self, **changes) -> str:
        """Change settings: returns "live" when they all act on the running network
        (and it has not diverged), else "structural" (a new network was started)."""
        cfg = validate({**self._config, **changes})
        changed = [k for k in changes if cfg[k] != self._config[k]]
        self._config = cfg
        if not changed:
            return "live"
        if all(k in LIVE for k in changed) and not self.diverged:
            if self.epoch > 0:
                self.clean = False
            self._apply_live()
            return "live"
        self.restart()
        return "structural"

    def set_state(self, text: str, train: bool = True) -> int:
        """Restore a state string: new settings, a new network, trained to its epoch."""
        config, epoch = decode_state(text)
        self._config = config
        self.previous = None
        self.restart(keep_previous=False)
        if train and epoch:
            self.train(epoch)
        return epoch

    @property
    def state(self) -> str:
        """The shareable state string of the current settings (and epoch, when ``clean``)."""
        return encode_state(self._config, self.epoch if self.clean else None)

    def regenerate(self) -> None:
        """New data of the same kind (the next data seed); a new network."""
        self.set(data_seed=self._config["data_seed"] + 1)

    # ------------------------------------------------------------------ network
    def restart(self, keep_previous: bool = True) -> None:
        """A new network (and data) from the settings; the run so far becomes ``previous``."""
        cfg = self._config
        if keep_previous and hasattr(self, "history") and self.epoch > 0:
            self.previous = {"train": self.train_loss.copy(), "test": self.test_loss.copy()}
        self.X_train, self.X_test, self.y_train, self.y_test = make_data(
            cfg["dataset"], cfg["noise"], cfg["train_ratio"], cfg["n_points"], cfg["data_seed"]
        )
        self.classes = int(max(self.y_train.max(), self.y_test.max())) + 1
        self.F_train = feature_matrix(self.X_train, cfg["features"])
        self.F_test = feature_matrix(self.X_test, cfg["features"])
        self.loss_fn = BinaryCrossEntropy() if self.classes == 2 else SoftmaxCrossEntropy()
        self.model = mlp(
            len(cfg["features"]),
            cfg["hidden"],
            1 if self.classes == 2 else self.classes,
            cfg["activation"],
            cfg["init"],
            cfg["init_scale"] if cfg["init"] == "random" else None,
            cfg["batch_norm"],
            cfg["dropout"],
            rng=np.random.default_rng(cfg["seed"]),
        )
        self.optimizer = optim.create(
            cfg["optimizer"],
            self.model.parameters(),
            cfg["lr"],
            beta=cfg["beta"],
            beta1=cfg["beta1"],
            beta2=cfg["beta2"],
        )
        self.history = History()
        self.diverged = False
        self.clean = True
        self.message = ""
        self._train_loss: list[float] = []
        self._test_loss: list[float] = []
        self._record()

    def _apply_live(self) -> None:
        """Live settings reach the running optimizer (its state is kept)."""
        cfg, opt = self._config, self.optimizer
        kind = cfg["optimizer"]
        if kind in ("momentum", "rmsprop"):
            opt.beta = cfg["beta"]
        elif kind == "nesterov" and hasattr(opt, "momentum"):
            opt.momentum = cfg["beta"]
        elif kind == "adam":
            opt.beta1, opt.beta2 = cfg["beta1"], cfg["beta2"]
        opt.lr = self.lr_at(self.epoch)

    def lr_at(self, epoch: int) -> float:
        """The optimizer's step size at ``epoch``: schedule(epoch), times (1 - beta) for
        Nesterov (``dl.optim.create``'s EWA form)."""
        cfg = self._config
        lr = _schedule(cfg["schedule"], cfg["lr"], cfg["decay"])(epoch)
        if cfg["optimizer"] == "nesterov" and cfg["beta"] > 0:
            lr *= 1.0 - cfg["beta"]
        return lr

    # ------------------------------------------------------------------ training
    @property
    def train_loss(self) -> np.ndarray:
        return np.asarray(self._train_loss, dtype=float)

    @property
    def test_loss(self) -> np.ndarray:
        return np.asarray(self._test_loss, dtype=float)

    def _record(self) -> None:
        with np.errstate(all="ignore"):
            tr = evaluate(self.model, self.F_train, self.y_train, self.loss_fn)[0]
            te = evaluate(self.model, self.F_test, self.y_test, self.loss_fn)[0]
        self._train_loss.append(float(tr))
        self._test_loss.append(float(te))

    @property
    def epoch(self) -> int:
        """Epochs trained in this run (the one in which the cost became NaN included)."""
        return self.history.epochs + (self.history.diverged is not None)

    def train(self, epochs: int = 1, seconds: float = math.inf) -> int:
        """Train up to ``epochs`` more epochs, ending after the first epoch that finishes
        ``seconds`` or more after the start; returns how many ran (fewer after divergence)."""
        if self.diverged or epochs <= 0:
            return 0
        cfg, start = self._config, self.epoch
        batch = None if cfg["batch_size"] == "full" else int(cfg["batch_size"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DivergenceWarning)
            with np.errstate(all="ignore"):
                fit(
                    self.model,
                    self.F_train,
                    self.y_train,
                    self.loss_fn,
                    self.optimizer,
                    epochs=int(epochs),
                    batch_size=batch,
                    l2=cfg["l2"],
                    schedule=self.lr_at,
                    history=self.history,
                    callbacks=[EpochSeeds(cfg["seed"]), _EpochEnd(self, seconds)],
                )
        if self.history.diverged is not None:
            self._stop("became NaN/inf")
        return self.epoch - start - int(self.diverged)

    def run_to(self, epoch: int) -> int:
        """Train until ``epoch`` epochs have run (or it diverges)."""
        return self.train(max(0, int(epoch) - self.epoch))

    def _after_epoch(self) -> bool:
        """Record the epoch's test-time costs; False (the run stopped) when they diverged."""
        self._record()
        last = self._train_loss[-1]
        if not math.isfinite(last):
            self._stop("became NaN/inf")
        elif last > DIVERGE_FACTOR * max(self._train_loss[0], 0.5):
            self._stop(f"rose to {last:.3g}")
        return not self.diverged

    def _stop(self, what: str) -> None:
        self.diverged = True
        self.message = (
            f"diverged at epoch {self.epoch}: the cost {what} with "
            f"α = {self._config['lr']:.3g}; lower the learning rate (training stopped)"
        )

    # ------------------------------------------------------------------ what the view draws
    def outputs(self, points: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """Class probabilities (n, C) at ``points`` and, per hidden layer, its units'
        activations (n, units), at test time."""
        x = feature_matrix(points, self._config["features"])
        acts = []
        with np.errstate(all="ignore"):
            for layer in self.model:
                x = layer.forward(x, training=False)
                if isinstance(layer, activations.Activation):
                    acts.append(x)
            if x.shape[1] == 1:
                p = activations.sigmoid(x[:, 0])
                probs = np.column_stack([1.0 - p, p])
            else:
                probs = losses.softmax(x)
        return np.nan_to_num(probs, nan=0.5), [np.nan_to_num(a) for a in acts]

    def accuracy(self) -> tuple[float, float]:
        """(train, test) accuracy at test time."""
        out = []
        for F, y in ((self.F_train, self.y_train), (self.F_test, self.y_test)):
            with np.errstate(all="ignore"):
                out.append(float(self.loss_fn.accuracy(self.model.forward(F, training=False), y)))
        return out[0], out[1]
