"""The training controller both training views share, and the TrainingDashboard's run.

:class:`TrainingRun` is one network trained epoch by epoch on one data set: what
``TrainingDashboard`` (:class:`ClassifierRun`) and the Playground
(:class:`~.playground_net.PlaygroundRun`) control. One set of rules:

- **Settings** (the tables below): ``LIVE`` settings (alpha, the betas, L2 lambda, the batch
  size) act on the running network: the optimizer keeps its state (velocities,
  squared-gradient averages, Adam's t) and only the attribute ``BETA_ATTRIBUTES`` names
  changes; every other setting starts a new network, and the run so far is kept as
  ``previous`` (faded curves). ``BATCH_SIZES`` and ``L2_VALUES`` are the values offered,
  ``RANGES`` the ranges of alpha, the betas, the noise and the dropout rate.
- **Training**: the run is ONE ``dl.History``; each ``train(epochs, seconds)`` is one
  ``dl.fit(..., history=history)`` that carries it on, epoch e shuffling with
  ``epoch_seed(seed, e)`` (:class:`EpochSeeds`), so the same config gives the same arrays
  however training is cut into chunks. A chunk ends after the first epoch that finishes
  ``seconds`` or more after its start (the time budget of a play frame), or when
  ``keep_going()`` turns False (pause).
- **Divergence**: the run stops when its training cost after an epoch is not finite, or is
  above ``DIVERGE_FACTOR`` times the larger of its starting cost and 0.5;
  ``history.diverged`` then says at which epoch and step a NaN came, ``epoch`` counts the
  epoch in which it stopped, and ``message`` says what happened and what to try.

The TrainingDashboard's run (:class:`ClassifierRun`) draws everything from ``seed``. The data
come from ``datasets.make(dataset, n_examples, noise, rng=seed)`` split by
``train_val_split(..., val_fraction, rng=seed + 1)``; the weights from ONE generator
``default_rng(seed + 2)`` in layer order; dropout masks from one generator
``default_rng(seed + 3)``. Its costs per epoch are ``fit``'s: the mean mini-batch cost
while training, and the validation cost at test time.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import datasets, optim
from ..layers import Dropout, Sequential
from ..losses import BinaryCrossEntropy, SoftmaxCrossEntropy
from ..rng import as_generator
from ..train import Callback, DivergenceWarning, History, TrainingContext, evaluate, fit
from .networks import mlp

__all__ = [
    "ClassifierRun",
    "EpochSeeds",
    "TrainingRun",
    "epoch_seed",
    "make_data",
    "playground_network",
]

#: the optimizer attribute each beta setting sets on a running optimizer, per kind
#: (``dl.optim.create``'s forms; Nesterov's beta is SGD's momentum)
BETA_ATTRIBUTES: dict[str, dict[str, str]] = {
    "sgd": {},
    "momentum": {"beta": "beta"},
    "nesterov": {"beta": "momentum"},
    "rmsprop": {"beta": "beta"},
    "adagrad": {},
    "adam": {"beta1": "beta1", "beta2": "beta2"},
}
#: settings that act on the running network; every other setting starts a new one
LIVE = ("lr", "beta", "beta1", "beta2", "l2", "batch_size")
BATCH_SIZES = (1, 2, 4, 5, 8, 10, 16, 20, 32, 50, 64, 100, 128, 256, "full")
L2_VALUES = (0.0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
#: the numeric ranges [low, high] of the settings both views have
RANGES: dict[str, tuple[float, float]] = {
    "noise": (0.0, 1.0),
    "dropout": (0.0, 0.9),
    "lr": (1e-5, 10.0),
    "beta": (0.0, 0.999),
    "beta1": (0.0, 0.999),
    "beta2": (0.0, 0.9999),
}
#: a run stops when its training cost exceeds this times max(starting cost, 0.5)
DIVERGE_FACTOR = 10.0


def epoch_seed(seed: int, epoch: int) -> int:
    """The ``fit`` seed of epoch ``epoch`` (0-based) of a run seeded ``seed``: a hash of
    the pair through numpy's SeedSequence, so epochs shuffle independently."""
    return int(np.random.SeedSequence([int(seed), int(epoch)]).generate_state(1)[0])


class EpochSeeds(Callback):
    """A ``fit`` callback: epoch e of the run shuffles with ``default_rng(epoch_seed(seed,
    e))`` (``e`` counted over the whole run), so a run gives the same arrays however it is
    cut into ``fit(..., history=h)`` chunks, and epoch e's order does not depend on the
    batch sizes of the epochs before it."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)

    def on_epoch_begin(self, ctx: TrainingContext) -> None:
        ctx.history.rng = np.random.default_rng(epoch_seed(self.seed, ctx.epoch))


class _EpochEnd(Callback):
    """After each epoch of :meth:`TrainingRun.train`: record the costs and check for
    divergence, then stop when the run diverged, the time budget is spent or
    ``keep_going()`` is False; otherwise call ``each_epoch()``."""

    def __init__(self, run: TrainingRun, seconds: float, keep_going, each_epoch) -> None:
        self.run, self.seconds, self.start = run, seconds, time.perf_counter()
        self.keep_going, self.each_epoch = keep_going, each_epoch

    def on_epoch_end(self, ctx: TrainingContext) -> None:
        if (
            not self.run._after_epoch()
            or time.perf_counter() - self.start >= self.seconds
            or not self.keep_going()
        ):
            ctx.stop = True
        else:
            self.each_epoch()


def _nothing() -> None:
    """The default ``each_epoch`` of :meth:`TrainingRun.train`."""


class TrainingRun:
    """One network on one data set, trained epoch by epoch (see the module docstring).

    ``values`` is the one dict of the settings (a view that writes a setting into it calls
    :meth:`changed`; code calls :meth:`set`); ``config`` is a copy. Results: ``model``,
    ``optimizer``, ``loss_fn``, ``history`` (the run's ``dl.History``), ``epoch``,
    ``initial_loss`` (the training cost before the first step), ``previous`` (the last
    run's curves, or None), ``diverged`` (bool) and ``message`` ("" or why the run stopped
    and what to try). A subclass gives the data and the network (:meth:`_build`), records
    each epoch's costs (:meth:`_record`) and may add settings that never start a new
    network (``view_only``).
    """

    #: settings that act on the running network (see ``LIVE``)
    live: tuple[str, ...] = LIVE
    #: settings that change neither the network nor its training (a view's, the target)
    view_only: tuple[str, ...] = ()

    def __init__(self, config: dict) -> None:
        self.values = self.validate(dict(config))
        self.previous: dict | None = None
        self.history: History | None = None
        self._busy = False
        self.restart(keep_previous=False)

    # ------------------------------------------------------------------ settings
    def validate(self, config: dict) -> dict:
        """The config checked (override; here as given)."""
        return config

    @property
    def config(self) -> dict:
        """A copy of the settings."""
        return {k: (list(v) if isinstance(v, list) else v) for k, v in self.values.items()}

    def setting(self, name: str):
        """One setting's value."""
        return self.values[name]

    def set(self, **changes) -> str:
        """Change settings: returns "live" when they all act on the running network
        (and it has not diverged), else "structural" (a new network was started)."""
        config = self.validate({**self.values, **changes})
        old = {k: self.setting(k) for k in changes}
        self.values = config
        return self.changed(*[k for k in changes if self.setting(k) != old[k]])

    def changed(self, *names: str) -> str:
        """The settings ``names`` changed in ``values``: "live" when they act on the
        running network (the optimizer takes them, its state kept), else "structural"
        (a new network, the run so far kept as ``previous``)."""
        if all(k in self.view_only for k in names):
            return "live"
        if all(self.is_live(k) for k in names) and not self.diverged:
            self._went_live()
            self._apply_live()
            return "live"
        self.restart()
        return "structural"

    def is_live(self, name: str) -> bool:
        """Whether setting ``name`` acts on the running network: a ``live`` setting, and a
        beta or alpha only for an optimizer whose attributes ``BETA_ATTRIBUTES`` maps."""
        if name in self.view_only:
            return True
        if name in ("lr", "beta", "beta1", "beta2"):
            return self.setting("optimizer") in BETA_ATTRIBUTES
        return name in self.live

    def uses(self, name: str) -> bool:
        """Whether the chosen optimizer uses the beta setting ``name`` (a kind
        ``BETA_ATTRIBUTES`` does not list may use any)."""
        used = BETA_ATTRIBUTES.get(self.setting("optimizer"), {"beta", "beta1", "beta2"})
        return name in used

    def _went_live(self) -> None:
        """A live change is about to reach the running network (override)."""

    def _apply_live(self) -> None:
        """Live settings reach the running optimizer (its state is kept)."""
        opt = self.optimizer
        for key, attr in BETA_ATTRIBUTES[self.setting("optimizer")].items():
            if hasattr(opt, attr):
                setattr(opt, attr, float(self.setting(key)))
        opt.lr = self.lr_at(self.epoch)
        if not self.diverged:
            self.message = self._notes()

    def _notes(self) -> str:
        """The message of a run that has not diverged: "" or advice (override)."""
        return ""

    def lr_at(self, epoch: int) -> float:
        """The optimizer's step size at ``epoch``: alpha, times (1 - beta) for Nesterov
        (``dl.optim.create``'s EWA form)."""
        lr = float(self.setting("lr"))
        if self.setting("optimizer") == "nesterov" and self.setting("beta") > 0:
            lr *= 1.0 - self.setting("beta")
        return lr

    # ------------------------------------------------------------------ network
    def restart(self, keep_previous: bool = True) -> None:
        """A new network (and data) from the settings; the run so far becomes ``previous``."""
        if keep_previous and self.history is not None and self.epoch > 0:
            self.previous = self._curves()
        self._build()
        self.optimizer = optim.create(
            self.setting("optimizer"),
            self.model.parameters(),
            self.setting("lr"),
            beta=self.setting("beta"),
            beta1=self.setting("beta1"),
            beta2=self.setting("beta2"),
        )
        self.history = History()
        self.diverged = False
        self.message = self._notes()
        self._started()

    def _build(self) -> None:
        """Set the data, ``loss_fn`` and ``model`` from the settings."""
        raise NotImplementedError

    def _started(self) -> None:
        """The new network is built (override: record its starting cost)."""

    def _curves(self) -> dict:
        """The run's cost curves, kept as ``previous`` when a new network starts."""
        raise NotImplementedError

    @property
    def epoch(self) -> int:
        """Epochs trained in this run (the one in which the cost became NaN included)."""
        return self.history.epochs + (self.history.diverged is not None)

    # ------------------------------------------------------------------ training
    def train(
        self,
        epochs: int = 1,
        seconds: float = math.inf,
        keep_going: Callable[[], bool] = lambda: True,
        each_epoch: Callable[[], None] = _nothing,
    ) -> int:
        """Train up to ``epochs`` more epochs in one ``fit`` call, ending after the first
        epoch that finishes ``seconds`` or more after the start or after which
        ``keep_going()`` is False (``each_epoch()`` runs after the others); returns how
        many ran (fewer after divergence). A diverged run trains no more."""
        epochs = self._epoch_limit(int(epochs))
        if self.diverged or epochs <= 0:
            return 0
        if self._busy:  # never two trainings at once
            raise RuntimeError("training is already running")
        self._busy, start = True, self.epoch
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DivergenceWarning)
                with np.errstate(all="ignore"):
                    fit(
                        self.model,
                        *self._train_data(),
                        self.loss_fn,
                        self.optimizer,
                        epochs=epochs,
                        history=self.history,
                        callbacks=[
                            EpochSeeds(self.setting("seed")),
                            _EpochEnd(self, seconds, keep_going, each_epoch),
                        ],
                        **self._fit_options(),
                    )
        finally:
            self._busy = False
        if self.history.diverged is not None:
            self._stop("became NaN/inf")
        if not self.diverged:
            self.message = self._notes()
        return self.epoch - start - int(self.diverged)

    def run_to(self, epoch: int) -> int:
        """Train until ``epoch`` epochs have run (or it diverges)."""
        return self.train(max(0, int(epoch) - self.epoch))

    def _epoch_limit(self, epochs: int) -> int:
        """The epochs a ``train(epochs)`` may run (override for a stop condition)."""
        return epochs

    def _train_data(self) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _fit_options(self) -> dict:
        """``fit``'s batch size and penalties (override to add some)."""
        batch = self.setting("batch_size")
        return {
            "batch_size": None if batch == "full" else int(batch),
            "l2": float(self.setting("l2")),
        }

    def _record(self) -> float:
        """Record the epoch's costs; return its training cost."""
        raise NotImplementedError

    def _after_epoch(self) -> bool:
        """Record the epoch; False (the run stopped) when its cost diverged: not finite,
        or above ``DIVERGE_FACTOR`` times max(starting cost, 0.5)."""
        last = self._record()
        if not math.isfinite(last):
            self._stop("became NaN/inf")
        elif last > DIVERGE_FACTOR * max(self.initial_loss, 0.5):
            self._stop(f"rose to {last:.3g}")
        return not self.diverged

    def _stop(self, what: str) -> None:
        """The run diverged: stop it and say what to try."""
        self.diverged = True
        lr = self.setting("lr")
        self.message = (
            f"diverged at epoch {self.epoch}: the cost {what} with α = {lr:.3g} "
            f"(training stopped); try: {'; or '.join(self._tries())}"
        )

    def _tries(self) -> list[str]:
        """What to try after divergence: a smaller alpha; batch norm for a network with
        hidden layers that has none."""
        tries = [f"lower the learning rate (α = {self.setting('lr') / 3:.3g} is a third)"]
        if not self.setting("batch_norm") and self._hidden_layers():
            tries.append("batch norm")
        return tries

    def _hidden_layers(self) -> int:
        raise NotImplementedError


def make_data(
    dataset: str, n_examples: int, noise: float, val_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``X_train, X_val, y_train, y_val`` of a 2-D data set (see the module docstring)."""
    X, y = datasets.make(dataset, n=n_examples, noise=noise, rng=seed)
    return datasets.train_val_split(X, y, val_fraction, rng=seed + 1)


def playground_network(
    n_in: int,
    n_out: int,
    hidden_layers: int,
    width: int,
    activation: str,
    init: str,
    dropout: float = 0.0,
    batch_norm: bool = False,
    rng: Any = None,
    dropout_rng: Any = None,
) -> Sequential:
    """:func:`~.networks.mlp` with ``hidden_layers`` layers of ``width`` units whose dropout
    masks come from their own generator ``dropout_rng`` (None: ``dl.seed``), so the weights
    do not depend on whether dropout is on."""
    model = mlp(
        n_in,
        [width] * hidden_layers,
        n_out,
        activation,
        init,
        dropout=dropout,
        batch_norm=batch_norm,
        rng=as_generator(rng),
    )
    masks = None if dropout_rng is None else as_generator(dropout_rng)
    for layer in model:
        if isinstance(layer, Dropout):
            layer.rng = masks
    return model


class ClassifierRun(TrainingRun):
    """The TrainingDashboard's run: a classifier of a 2-D data set (see the module
    docstring). Arrays ``X_train, X_val, y_train, y_val``; ``classes``; its curves are
    the ``history``'s (``previous``: {"loss", "val_loss"}). ``epochs`` (the target of a
    play) and ``log_y`` (the view's cost axis) are settings of the view only."""

    view_only = ("epochs", "log_y")

    def _build(self) -> None:
        c = self.values
        self.X_train, self.X_val, self.y_train, self.y_val = make_data(
            c["dataset"], c["n_examples"], c["noise"], c["val_fraction"], c["seed"]
        )
        self.classes = int(max(self.y_train.max(), self.y_val.max())) + 1
        binary = self.classes == 2
        self.loss_fn = BinaryCrossEntropy() if binary else SoftmaxCrossEntropy()
        self.model = playground_network(
            2,
            1 if binary else self.classes,
            c["hidden_layers"],
            c["width"],
            c["activation"],
            c["init"],
            c["dropout"],
            c["batch_norm"],
            rng=np.random.default_rng(c["seed"] + 2),
            dropout_rng=np.random.default_rng(c["seed"] + 3),
        )

    def _started(self) -> None:
        with np.errstate(all="ignore"):
            self.initial_loss = float(
                evaluate(self.model, self.X_train, self.y_train, self.loss_fn)[0]
            )

    def _curves(self) -> dict:
        return {
            "loss": np.asarray(self.history.loss, dtype=float),
            "val_loss": np.asarray(self.history.val_loss, dtype=float),
        }

    def _train_data(self) -> tuple[np.ndarray, np.ndarray]:
        return self.X_train, self.y_train

    def _fit_options(self) -> dict:
        return {**super()._fit_options(), "validation": (self.X_val, self.y_val)}

    def _record(self) -> float:
        return float(self.history.loss[-1])

    def _hidden_layers(self) -> int:
        return int(self.setting("hidden_layers"))
