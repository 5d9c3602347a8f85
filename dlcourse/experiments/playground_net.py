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
- **Divergence**: the shared rule of :mod:`.training_runs` (a non-finite train cost, or
  one above ``DIVERGE_FACTOR`` times max(starting cost, 0.5), stops the run and sets
  ``message``, which says what to try).
- **Problems**: ``problem`` "classification" (the sets of ``DATASETS``, cross-entropy) or
  "regression" (``REGRESSION_SETS``: a plane and a sum of signed Gaussian bumps, targets
  from about -1.2 to 1.2; one linear output and squared error, ``dl.MSE``); a "custom" set is
  the points given to :meth:`PlaygroundRun.load_points` (:func:`parse_points_csv`).
- **Settings added after the first state strings** (``EXTRA_DEFAULTS``: ``problem``,
  ``l1``, ``stop_epoch``, ``hide``, ``show_test``, ``discretize``): ``validate`` lists them in
  the config only when they differ from their default, so every config of ``DEFAULTS`` keys
  stays what it was; ``l1`` and ``stop_epoch`` are live. ``hide`` names the settings a
  classroom link hides (the view reads :attr:`PlaygroundRun.hidden`); ``show_test`` and
  ``discretize`` are the view's switches (``view_only``: the run ignores them, a state string
  carries them).
- **Readouts**: :meth:`PlaygroundRun.readout` (epoch, test-time costs, accuracies),
  ``confusion_matrix``, ``unit_output`` (one hidden unit over the plane), ``discretized``;
  ``stop_epoch`` ends training at that epoch; ``message`` says why a run stopped and what to
  try, or why a setting cannot learn (batch norm with batch size 1).
- **From a notebook**: :meth:`PlaygroundRun.from_model` starts from a notebook's ``mlp``;
  :mod:`.playground_export` turns a run into ``dlcourse`` code.
- **State string**: :func:`encode_state` writes the settings that differ from ``DEFAULTS``
  as ``key:value`` pairs joined by ``,`` (URL-safe), and the epoch when the run used one
  setting throughout, so ``decode_state`` + ``run_to`` reproduces the run exactly.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import parse_qs, unquote

import numpy as np

from .. import activations, datasets, losses, optim
from .._checks import check_choice, check_int, check_number
from ..metrics import confusion_counts
from ..init import INITIALIZERS
from ..optim import schedules as sch
from ..losses import MSE, BinaryCrossEntropy, SoftmaxCrossEntropy
from ..train import evaluate
from .networks import mlp
from .training_runs import BATCH_SIZES, L2_VALUES, TrainingRun
from .training_runs import RANGES as SHARED_RANGES
from .training_runs import LIVE as _LIVE_RUN

__all__ = [
    "ACTIVATIONS",
    "BATCH_SIZES",
    "DATASETS",
    "DEFAULTS",
    "EXTENT",
    "EXTRA_DEFAULTS",
    "HIDEABLE",
    "L1_VALUES",
    "PROBLEMS",
    "REGRESSION_SETS",
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
    "parse_points_csv",
    "scale_points",
    "split_points",
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
#: regression sets: name -> dlcourse.datasets.REGRESSION_DATASETS name
_REGRESSION_SOURCES = {"plane": "plane", "gaussmix": "bumps"}
REGRESSION_SETS = tuple(_REGRESSION_SOURCES)
NOISE_SCALE.update({"plane": 0.5, "gaussmix": 0.5, "custom": 0.0})
PROBLEMS = ("classification", "regression")
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
MAX_LAYERS, MAX_UNITS = 6, 8
L1_VALUES = L2_VALUES
EXTENT = (-3.0, 3.0, -3.0, 3.0)

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
#: settings the view does not show yet, and their defaults (each leaves a run unchanged)
EXTRA_DEFAULTS: dict[str, Any] = {
    "problem": "classification",
    "l1": 0.0,
    "stop_epoch": 0,  # 0: no stop
    "hide": [],
    "show_test": True,  # the view's switches (the run ignores them; a link carries them)
    "discretize": False,
}
#: settings that act on the running network (the shared rule, ``training_runs.LIVE``, and
#: the schedule); all others start a new one
LIVE = (*_LIVE_RUN, "schedule", "decay")
#: the settings a classroom link may hide
HIDEABLE = (*DEFAULTS, "problem", "l1", "stop_epoch", "show_test", "discretize")
#: numeric ranges [low, high]
RANGES: dict[str, tuple[float, float]] = {
    "noise": SHARED_RANGES["noise"],
    "train_ratio": (0.1, 0.9),
    "n_points": (20, 2000),
    "init_scale": (0.001, 10.0),
    **{k: SHARED_RANGES[k] for k in ("dropout", "lr", "beta", "beta1", "beta2")},
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
    "problem": "p",
    "l1": "l1",
    "stop_epoch": "stop",
    "hide": "hide",
    "show_test": "st",
    "discretize": "dz",
}
_LONG = {v: k for k, v in _SHORT.items()}


# ======================================================================== settings
def _is_count(v, lo: int, hi: int) -> bool:
    """An int (not a bool) in [lo, hi]."""
    try:
        return lo <= check_int("count", v) <= hi
    except TypeError:
        return False


def validate(config: dict) -> dict:
    """The full config (defaults filled in) or a ValueError/TypeError naming the bad setting."""
    unknown = sorted(set(config) - set(DEFAULTS) - set(EXTRA_DEFAULTS))
    if unknown:
        raise TypeError(
            f"unknown setting(s) {unknown}; valid: {sorted({**DEFAULTS, **EXTRA_DEFAULTS})}"
        )
    cfg = {**DEFAULTS, **EXTRA_DEFAULTS, **config}
    _validate_extras(cfg)
    for key, choices in _choices().items():
        if key != "dataset":  # checked with the problem by _validate_extras
            check_choice(key, cfg[key], choices)
    for key, (low, high) in RANGES.items():
        cfg[key] = check_number(key, cfg[key], low, high, integer=key == "n_points")
    for key in ("data_seed", "seed"):
        cfg[key] = check_int(key, cfg[key], minimum=0)
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
        or any(not _is_count(u, 1, MAX_UNITS) for u in hidden)
    ):
        raise ValueError(
            f"hidden must list 0 to {MAX_LAYERS} layer widths, each 1 to "
            f"{MAX_UNITS}; got {hidden!r}"
        )
    cfg["features"] = [f for f in FEATURES if f in feats]  # canonical order
    cfg["hidden"] = [int(u) for u in hidden]
    cfg["l2"] = float(cfg["l2"])
    extras = {k: cfg.pop(k) for k in EXTRA_DEFAULTS}
    cfg.update({k: v for k, v in extras.items() if v != EXTRA_DEFAULTS[k]})
    return cfg


def _validate_extras(cfg: dict) -> None:
    """Check (and make canonical, in place) the problem with its data set, l1,
    stop_epoch, hide and the view's two switches."""
    if cfg["problem"] not in PROBLEMS:
        raise ValueError(f"problem must be one of {', '.join(PROBLEMS)}; got {cfg['problem']!r}")
    sets = REGRESSION_SETS if cfg["problem"] == "regression" else _choices()["dataset"]
    if cfg["dataset"] not in (*sets, "custom"):
        raise ValueError(
            f"dataset must be one of {', '.join((*sets, 'custom'))} for {cfg['problem']}; "
            f"got {cfg['dataset']!r}"
        )
    if isinstance(cfg["l1"], bool) or cfg["l1"] not in L1_VALUES:
        raise ValueError(f"l1 must be one of {', '.join(map(str, L1_VALUES))}; got {cfg['l1']!r}")
    cfg["l1"] = float(cfg["l1"])
    cfg["stop_epoch"] = check_int("stop_epoch", cfg["stop_epoch"], minimum=0)
    for name in ("show_test", "discretize"):
        if not isinstance(cfg[name], bool):
            raise TypeError(f"{name} must be True or False, got {cfg[name]!r}")
    hide = cfg["hide"]
    if not isinstance(hide, (list, tuple)) or len(set(hide)) != len(hide):
        raise ValueError(f"hide must be a list of distinct setting names; got {hide!r}")
    bad = [h for h in hide if h not in HIDEABLE]
    if bad:
        raise ValueError(
            f"hide: unknown setting name(s) {', '.join(map(str, bad))}; "
            f"valid: {', '.join(HIDEABLE)}"
        )
    cfg["hide"] = [h for h in HIDEABLE if h in hide]  # canonical order


def _format(key: str, value) -> str:
    if key in ("features", "hidden", "hide"):
        return ".".join(map(str, value)) or "-"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _parse(key: str, text: str):
    default = {**DEFAULTS, **EXTRA_DEFAULTS}[key]
    if key in ("features", "hide"):
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
    defaults = {**DEFAULTS, **EXTRA_DEFAULTS}
    parts = [
        f"{_SHORT[k]}:{_format(k, v)}" for k, v in cfg.items() if k == "dataset" or v != defaults[k]
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
    """``X_train, X_test, y_train, y_test``: the set scaled to max |coordinate| = 2.7
    (a regression set's float targets as they are)."""
    if dataset in _REGRESSION_SOURCES:
        X, y = datasets.REGRESSION_DATASETS[_REGRESSION_SOURCES[dataset]](
            n=n_points, noise=noise * NOISE_SCALE[dataset], rng=data_seed
        )
    else:
        name, options = _SOURCES[dataset]
        X, y = datasets.make(
            name, n=n_points, noise=noise * NOISE_SCALE[dataset], rng=data_seed, **options
        )
        X = X - X.mean(axis=0) if dataset in ("moons", "flower") else X
    return split_points(scale_points(X), y, train_ratio, data_seed)


def scale_points(X: np.ndarray) -> np.ndarray:
    """X scaled so that its largest |coordinate| is 2.7 (the plotted square is [-3, 3]^2)."""
    return X * (2.7 / max(float(np.abs(X).max()), 1e-12))


def split_points(
    X: np.ndarray, y: np.ndarray, train_ratio: float, data_seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``X_train, X_test, y_train, y_test``: ``train_ratio`` of the points train."""
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
    """schedule(epoch) -> lr: step and exponential decay halve alpha near epoch ln 2 / k,
    1/t decay, alpha0 / (1 + k t), at epoch 1 / k."""
    if kind == "step":
        return sch.step_decay(lr0, drop=0.5, every=max(1, round(math.log(2) / k)))
    if kind == "exponential":
        return sch.exponential_decay(lr0, k=k)
    if kind == "inverse_time":
        return sch.inverse_time_decay(lr0, decay_rate=k)
    return sch.constant(lr0)


# ======================================================================== the run
class PlaygroundRun(TrainingRun):
    """One network on one data set, trained epoch by epoch (see the module docstring and
    :class:`~.training_runs.TrainingRun`, the controller it shares with the
    TrainingDashboard: live settings, ``train(epochs, seconds)``, divergence).

    Arrays: ``X_train, X_test, y_train, y_test`` (plot coordinates), ``train_loss``,
    ``test_loss`` (one value per epoch at test time, index 0 = before training), ``previous``
    (the last run's curves or None). ``history`` (the run's ``dl.History``), ``epoch``,
    ``diverged`` (bool), ``message`` ("" or why it stopped), ``clean`` (no live change since
    the start: the state string then carries the epoch).
    """

    live = (*LIVE, "l1", "stop_epoch", "hide")
    view_only = ("show_test", "discretize")

    def __init__(self, config: dict | None = None, points: tuple | None = None) -> None:
        #: the points of the "custom" data set (X (n, 2), y (n,)), or None
        self.points = None if points is None else _checked_points(*points)
        super().__init__(dict(config or {}))

    # ------------------------------------------------------------------ settings
    def validate(self, config: dict) -> dict:
        """:func:`validate`, and the points a "custom" data set needs."""
        return self._checked(validate(config))

    def setting(self, name: str):
        """One setting's value, the default of a setting the config leaves out
        (``EXTRA_DEFAULTS``) included."""
        return self.values.get(name, EXTRA_DEFAULTS.get(name))

    @property
    def problem(self) -> str:
        """ "classification" or "regression"."""
        return self.setting("problem")

    @property
    def hidden(self) -> list[str]:
        """The settings a classroom link hides (the view leaves out their controls)."""
        return list(self.setting("hide"))

    def _went_live(self) -> None:
        if self.epoch > 0:
            self.clean = False

    def set_state(self, text: str, train: bool = True) -> int:
        """Restore a state string: new settings, a new network, trained to its epoch."""
        config, epoch = decode_state(text)
        self.values = self._checked(config)
        self.previous = None
        self.restart(keep_previous=False)
        if train and epoch:
            self.train(epoch)
        return epoch

    @property
    def state(self) -> str:
        """The shareable state string of the current settings (and epoch, when ``clean``)."""
        return encode_state(self.values, self.epoch if self.clean else None)

    def regenerate(self) -> None:
        """New data of the same kind (the next data seed); a new network."""
        self.set(data_seed=self.values["data_seed"] + 1)

    # ------------------------------------------------------------------ network
    def _build(self) -> None:
        cfg = self.values
        self.X_train, self.X_test, self.y_train, self.y_test = self._data()
        regression = self.problem == "regression"
        self.classes = 0 if regression else int(max(self.y_train.max(), self.y_test.max())) + 1
        self.F_train = feature_matrix(self.X_train, cfg["features"])
        self.F_test = feature_matrix(self.X_test, cfg["features"])
        if regression:
            self.loss_fn = MSE()
        else:
            self.loss_fn = BinaryCrossEntropy() if self.classes == 2 else SoftmaxCrossEntropy()
        self.model = mlp(
            len(cfg["features"]),
            cfg["hidden"],
            1 if self.classes <= 2 else self.classes,
            cfg["activation"],
            cfg["init"],
            cfg["init_scale"] if cfg["init"] == "random" else None,
            cfg["batch_norm"],
            cfg["dropout"],
            rng=np.random.default_rng(cfg["seed"]),
        )

    def _started(self) -> None:
        self.clean = True
        self._train_loss: list[float] = []
        self._test_loss: list[float] = []
        self._record()

    def _curves(self) -> dict:
        return {"train": self.train_loss.copy(), "test": self.test_loss.copy()}

    def _checked(self, cfg: dict) -> dict:
        """``cfg``, or a ValueError when its "custom" data set needs points this run has
        not loaded, or class labels the loaded points do not have."""
        if cfg["dataset"] != "custom":
            return cfg
        if self.points is None:
            raise ValueError('dataset "custom" needs points: load a CSV with run.load_points(text)')
        y = self.points[1]
        if cfg.get("problem") != "regression" and not np.array_equal(y, np.round(y)):
            raise ValueError("the loaded points have non-integer labels: set problem:regression")
        return cfg

    def _data(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The data set of the settings: a built-in one, or the loaded ``points``."""
        cfg = self.values
        if cfg["dataset"] != "custom":
            return make_data(
                cfg["dataset"], cfg["noise"], cfg["train_ratio"], cfg["n_points"], cfg["data_seed"]
            )
        X, y = self._checked(cfg) and self.points
        y = y if self.problem == "regression" else y.astype(np.int64)
        return split_points(scale_points(X), y, cfg["train_ratio"], cfg["data_seed"])

    def load_points(self, data: bytes | str | tuple) -> None:
        """Use a CSV of x1, x2, label (or value) as the data set ("custom", a new network);
        ``data`` is the CSV text (:func:`parse_points_csv`) or a pair (X, y)."""
        problem = self.problem
        X, y = (
            _checked_points(*data)
            if isinstance(data, tuple)
            else parse_points_csv(data, regression=problem == "regression")
        )
        self.points = (X, y)
        self.values = validate({**self.values, "dataset": "custom"})
        self.restart()

    def _notes(self) -> str:
        """Why a setting cannot learn (batch norm with batch size 1), or why training
        stopped (the stop condition), or ""."""
        cfg = self.values
        if cfg["batch_norm"] and cfg["batch_size"] == 1 and cfg["hidden"]:
            return (
                "batch norm learns nothing with batch size 1: the batch's mean is the "
                "example itself, so while training every normalised activation is 0 and "
                "the output ignores the input; use a batch of 8 or more, or turn batch norm off"
            )
        stop = self.setting("stop_epoch")
        if stop and self.epoch >= stop:
            return f"stopped at epoch {stop} (the stop condition); raise it to train on"
        return ""

    def lr_at(self, epoch: int) -> float:
        """The optimizer's step size at ``epoch``: schedule(epoch), times (1 - beta) for
        Nesterov (``dl.optim.create``'s EWA form)."""
        cfg = self.values
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

    @property
    def initial_loss(self) -> float:
        """The training cost before the first step (at test time)."""
        return self._train_loss[0]

    def _record(self) -> float:
        """Append the train and test costs at test time (no dropout, no penalty)."""
        with np.errstate(all="ignore"):
            tr = evaluate(self.model, self.F_train, self.y_train, self.loss_fn)[0]
            te = evaluate(self.model, self.F_test, self.y_test, self.loss_fn)[0]
        self._train_loss.append(float(tr))
        self._test_loss.append(float(te))
        return float(tr)

    def _epoch_limit(self, epochs: int) -> int:
        stop = self.setting("stop_epoch")
        return min(epochs, stop - self.epoch) if stop else epochs

    def _train_data(self) -> tuple[np.ndarray, np.ndarray]:
        return self.F_train, self.y_train

    def _fit_options(self) -> dict:
        return {**super()._fit_options(), "l1": self.setting("l1"), "schedule": self.lr_at}

    def _tries(self) -> list[str]:
        """The shared advice, and a decaying schedule when alpha is constant."""
        tries = super()._tries()
        if self.values["schedule"] == "constant":
            tries.insert(1, "a decaying schedule")
        return tries

    def _hidden_layers(self) -> int:
        return len(self.values["hidden"])

    # ------------------------------------------------------------------ what the view draws
    def outputs(self, points: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """Class probabilities (n, C) at ``points`` (for regression the predicted value,
        (n, 1)) and, per hidden layer, its units' activations (n, units), at test time."""
        x = feature_matrix(points, self.values["features"])
        acts = []
        with np.errstate(all="ignore"):
            for layer in self.model:
                x = layer.forward(x, training=False)
                if isinstance(layer, activations.Activation):
                    acts.append(x)
            if self.problem == "regression":
                return np.nan_to_num(x), [np.nan_to_num(a) for a in acts]
            if x.shape[1] == 1:
                p = activations.sigmoid(x[:, 0])
                probs = np.column_stack([1.0 - p, p])
            else:
                probs = losses.softmax(x)
        return np.nan_to_num(probs, nan=0.5), [np.nan_to_num(a) for a in acts]

    def unit_output(self, points: np.ndarray, layer: int, unit: int) -> np.ndarray:
        """What hidden unit ``unit`` of hidden layer ``layer`` (both from 0) computes at
        ``points``, (n,), at test time: the picture of one unit shown large."""
        acts = self.outputs(points)[1]
        if not 0 <= layer < len(acts) or not 0 <= unit < acts[layer].shape[1]:
            raise ValueError(
                f"no hidden unit ({layer}, {unit}): the layers' widths are {self.values['hidden']}"
            )
        return acts[layer][:, unit]

    def discretized(self, points: np.ndarray) -> np.ndarray:
        """The "discretize output" picture: one-hot (n, C) of the most probable class at
        ``points`` (for regression, the sign of the predicted value, (n, 1))."""
        out = self.outputs(points)[0]
        if self.problem == "regression":
            return np.sign(out)
        return (out == out.max(axis=1, keepdims=True)).astype(float)

    def accuracy(self) -> tuple[float, float]:
        """(train, test) accuracy at test time (classification only: a regression's
        readout is its squared error, :meth:`readout`)."""
        if self.problem == "regression":
            raise ValueError("a regression has no accuracy: its readout is the squared error")
        out = []
        for F, y in ((self.F_train, self.y_train), (self.F_test, self.y_test)):
            with np.errstate(all="ignore"):
                out.append(float(self.loss_fn.accuracy(self.model.forward(F, training=False), y)))
        return out[0], out[1]

    # ------------------------------------------------------------------ readouts
    def readout(self) -> dict:
        """What the run shows in numbers: ``epoch``, ``train_loss``, ``test_loss`` (the
        test-time costs: cross-entropy, or for regression the mean squared error) and,
        for classification, ``train_accuracy`` and ``test_accuracy``."""
        out = {
            "epoch": self.epoch,
            "train_loss": float(self._train_loss[-1]),
            "test_loss": float(self._test_loss[-1]),
        }
        if self.problem == "classification":
            out["train_accuracy"], out["test_accuracy"] = self.accuracy()
        return out

    def confusion_matrix(self, part: str = "test") -> np.ndarray:
        """counts[i, j] = how many points of class i of the ``part`` ("train" or "test")
        the network assigns to class j (at test time)."""
        if self.problem == "regression":
            raise ValueError("a regression has no classes: its readout is the squared error")
        if part not in ("train", "test"):
            raise ValueError(f'part must be "train" or "test", got {part!r}')
        F, y = (self.F_train, self.y_train) if part == "train" else (self.F_test, self.y_test)
        with np.errstate(all="ignore"):
            pred = self.loss_fn.predict(self.model.forward(F, training=False)).reshape(-1)
        return confusion_counts(y, pred, self.classes)

    # ------------------------------------------------------------------ from a notebook
    @classmethod
    def from_model(
        cls, model, config: dict | None = None, points: tuple | None = None
    ) -> "PlaygroundRun":
        """A run whose network starts from ``model``'s weights: a ``dl.Sequential`` of the
        Playground's shape (``mlp(len(features), hidden, n_out, activation, ...)``: at most
        ``MAX_LAYERS`` hidden layers of at most ``MAX_UNITS`` units, one activation,
        optional batch norm and dropout). ``config`` gives the other settings (data set,
        features, optimizer...); the layer settings are read from the model. A ValueError
        says what does not fit."""
        cfg = {**dict(config or {}), **_shape_of(model)}
        run = cls(cfg, points=points)
        mine, theirs = run.model.state_dict(), model.state_dict()
        got = {k: v.shape for k, v in theirs.items()}
        want = {k: v.shape for k, v in mine.items()}
        if got != want:
            raise ValueError(
                f"the model does not fit the Playground's network for these settings "
                f"({len(cfg['features']) if 'features' in cfg else 2} inputs, "
                f"{run.classes if run.classes > 2 else 1} output(s)): its arrays are "
                f"{got}, the Playground's {want}"
            )
        run.model.load_state_dict({k: np.array(v, dtype=float) for k, v in theirs.items()})
        run._train_loss, run._test_loss = [], []
        run._record()
        return run


def _shape_of(model) -> dict:
    """The layer settings (hidden, activation, batch_norm, dropout) a model was built with;
    a ValueError for a model that is not an ``mlp`` of the Playground's kind."""
    from ..layers import BatchNorm, Dense, Dropout, Sequential

    if not isinstance(model, Sequential):
        raise ValueError(f"the model must be a dl.Sequential, got {type(model).__name__}")
    layers = list(model)
    dense = [layer for layer in layers if isinstance(layer, Dense)]
    acts = {type(layer) for layer in layers if isinstance(layer, activations.Activation)}
    names = [n for n, c in activations.ACTIVATIONS.items() if c in acts]
    kinds = (Dense, BatchNorm, Dropout, activations.Activation)
    other = [type(layer).__name__ for layer in layers if not isinstance(layer, kinds)]
    if other or not dense or len(acts) > 1 or (acts and names[0] not in ACTIVATIONS):
        raise ValueError(
            "the model must be Dense layers, each hidden one followed by the same "
            f"activation (one of {', '.join(ACTIVATIONS)}), with optional BatchNorm and "
            f"Dropout; got {[type(layer).__name__ for layer in layers]}"
        )
    hidden = [d.out_features for d in dense[:-1]]
    if len(hidden) > MAX_LAYERS or any(h > MAX_UNITS for h in hidden):
        raise ValueError(
            f"the Playground shows at most {MAX_LAYERS} hidden layers of at most "
            f"{MAX_UNITS} units; the model's hidden widths are {hidden}"
        )
    rates = {layer.rate for layer in layers if isinstance(layer, Dropout)}
    return {
        "hidden": hidden,
        "activation": names[0] if names else DEFAULTS["activation"],
        "batch_norm": any(isinstance(layer, BatchNorm) for layer in layers),
        "dropout": float(rates.pop()) if len(rates) == 1 else 0.0,
    }


# ======================================================================== own data
MIN_POINTS, MAX_POINTS, MAX_CLASSES = 10, RANGES["n_points"][1], 3


def _checked_points(X, y) -> tuple[np.ndarray, np.ndarray]:
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) != len(y):
        raise ValueError(f"points must be X (n, 2) and y (n,); got {X.shape} and {y.shape}")
    if not (np.isfinite(X).all() and np.isfinite(y).all()):
        raise ValueError("points must be finite numbers")
    if not MIN_POINTS <= len(X) <= MAX_POINTS:
        raise ValueError(f"give {MIN_POINTS} to {MAX_POINTS:.0f} points, got {len(X)}")
    return X, y


def _row_problem(fields: list[str], regression: bool) -> tuple[str, tuple | None]:
    """("", (x1, x2, label)) for a good row, else (what is wrong, None)."""
    if len(fields) != 3:
        what = "a missing column" if len(fields) < 3 else "too many columns"
        return (
            f"{what}: expected 3 (x1, x2, {'value' if regression else 'label'}), got {len(fields)}",
            None,
        )
    values = []
    for name, text in zip(("x1", "x2", "value" if regression else "label"), fields):
        try:
            v = float(text)
        except ValueError:
            return f"{name} {text.strip()!r} is not a number", None
        if not math.isfinite(v):
            return f"{name} is {text.strip()} (NaN or infinite)", None
        values.append(v)
    if not regression and (values[2] != int(values[2]) or values[2] < 0):
        return f"label {fields[2].strip()!r} is not a whole number >= 0", None
    return "", tuple(values)


def parse_points_csv(data: bytes | str, regression: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """X (n, 2) and y (n,) from CSV text with one point per line, ``x1, x2, label``
    (a class 0, 1, 2...; or ``x1, x2, value`` for regression); blank lines and one header
    line are skipped. Class labels keep their order and become 0..C-1. A ValueError lists
    every bad line by number and what is wrong with it."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValueError(f"the file is not UTF-8 text: {exc}") from None
    rows, errors = [], []
    lines = [(i, line) for i, line in enumerate(data.splitlines(), 1) if line.strip()]
    if lines and _row_problem(lines[0][1].split(","), regression)[1] is None:
        try:
            float(lines[0][1].split(",")[0])
        except ValueError:
            lines = lines[1:]  # a header: its first field is not a number
    for number, line in lines:
        problem, row = _row_problem(line.split(","), regression)
        if row is None:
            errors.append(f"line {number}: {problem}")
        else:
            rows.append(row)
    if len(lines) > MAX_POINTS:
        errors.insert(0, f"too many rows: {len(lines)} (at most {MAX_POINTS:.0f})")
    if errors:
        shown = errors[:10] + ([f"... and {len(errors) - 10} more"] if len(errors) > 10 else [])
        raise ValueError("cannot read the points:\n" + "\n".join(shown))
    if len(rows) < MIN_POINTS:
        raise ValueError(f"too few points: {len(rows)} (at least {MIN_POINTS})")
    table = np.array(rows, dtype=float)
    X, y = table[:, :2], table[:, 2]
    if not regression:
        labels, y = np.unique(y, return_inverse=True)
        if len(labels) < 2:
            raise ValueError(f"one class only (label {labels[0]:g}): give two or three classes")
        if len(labels) > MAX_CLASSES:
            raise ValueError(
                f"{len(labels)} classes ({', '.join(f'{v:g}' for v in labels)}): "
                f"the Playground shows at most {MAX_CLASSES}"
            )
    return X, y.astype(float)
