"""The training loop: ``fit`` runs mini-batch gradient descent and records a ``History``.

One epoch: shuffle the m examples with the seeded generator, cut them into batches of
``batch_size`` (the last, smaller batch is kept), and for each batch one
:func:`train_step`, the lecture's loop body:

    optimizer.zero_grad()
    out = model.forward(xb)
    J = loss.forward(out, yb) + lambda/(2 m_b) sum ||W||^2 + lambda_1/m_b sum |W|
    model.backward(loss.backward());  dW += lambda/m_b W + lambda_1/m_b sign(W)
    optimizer.step()

``batch_size=None`` is full-batch gradient descent (one step per epoch, no shuffling).

A run can continue. ``fit`` keeps the run's state in the History it returns: the epochs and
steps done (``history.epochs``, ``history.steps``) and the generator that shuffles the data
(``history.rng``). Passing that History back, ``fit(..., history=h)``, trains ``epochs``
more epochs of the same run: epoch numbers (which the schedule sees), step numbers (in
``Divergence``) and the data order carry on, and the curves are appended to ``h``. So

    h = dl.fit(model, X, y, loss, opt, epochs=3, batch_size=32, schedule=sched, seed=1)
    dl.fit(model, X, y, loss, opt, epochs=2, batch_size=32, schedule=sched, history=h)
    # model and h are now exactly as after one fit(..., epochs=5, seed=1)

with the same model and optimizer (they hold the weights and the optimizer state); ``seed``
only matters when a run starts. Settings may change between calls (``lr``, ``l2``,
``batch_size``, the data): a dashboard trains a chunk of epochs per call. Callbacks are
started and ended (``on_train_begin`` / ``on_train_end``) in every call; a run that
diverged cannot continue.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ._checks import check_int, check_nonnegative, check_xy
from .batching import minibatch_indices
from .losses import add_l2_grad, dense_weights, l2_penalty

__all__ = [
    "Callback",
    "Divergence",
    "DivergenceWarning",
    "EarlyStopping",
    "History",
    "ProgressBar",
    "TrainingContext",
    "evaluate",
    "add_l1_grad",
    "fit",
    "l1_penalty",
    "train_step",
]


class DivergenceWarning(RuntimeWarning):
    """The loss became NaN or infinite during training."""


class Divergence(NamedTuple):
    """Where training diverged: the epoch, the step (counted over the whole run), the lr."""

    epoch: int
    step: int
    lr: float


@dataclass
class History:
    """Per-epoch curves (loss, val_loss, accuracy, val_accuracy, lr) and per-step losses.

    ``loss`` is the mean of the epoch's mini-batch costs (weighted by batch size, L2 term
    included); ``accuracy`` the fraction of the epoch's training examples classified
    correctly while training; ``val_*`` are computed at test time after the epoch.
    ``diverged`` is None until a non-finite loss stops training, then a ``Divergence``;
    ``stopped_early`` says whether the last ``fit`` call was ended by early stopping.
    ``rng`` is the run's data-order generator, which ``fit(..., history=h)`` carries on.
    """

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    diverged: Divergence | None = None
    stopped_early: bool = False
    last_event: str = ""
    rng: np.random.Generator | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def epochs(self) -> int:
        """Epochs trained so far in this run."""
        return len(self.loss)

    @property
    def steps(self) -> int:
        """Optimizer steps taken so far in this run."""
        return len(self.step_loss)

    def as_dict(self) -> dict:
        out = {
            k: list(getattr(self, k))
            for k in ("loss", "val_loss", "accuracy", "val_accuracy", "step_loss", "lr")
        }
        out["diverged"] = None if self.diverged is None else self.diverged._asdict()
        return out


@dataclass
class TrainingContext:
    """What callbacks see: the model, optimizer and history, the position in the run
    (``epoch`` and ``step`` count from the start of the run, across resumed calls;
    ``total_epochs`` is the epoch count this call ends at), and ``stop``, which a callback
    sets to end training after the current step."""

    model: object
    optimizer: object
    history: History
    epoch: int = 0
    step: int = 0
    stop: bool = False
    total_epochs: int = 0


class Callback:
    """Hooks called by ``fit``; override the ones you need. ``on_epoch_begin`` runs after
    the schedule has set the epoch's learning rate and before the epoch's data are
    shuffled, so it may replace ``ctx.history.rng`` (a data order of its own)."""

    def on_train_begin(self, ctx: TrainingContext) -> None: ...
    def on_epoch_begin(self, ctx: TrainingContext) -> None: ...
    def on_step_end(self, ctx: TrainingContext) -> None: ...
    def on_epoch_end(self, ctx: TrainingContext) -> None: ...
    def on_train_end(self, ctx: TrainingContext) -> None: ...


class _FunctionCallback(Callback):
    """A plain callable ``f(history)``, called after every step and every epoch
    (``history.last_event`` says which)."""

    def __init__(self, fn: Callable) -> None:
        self.fn = fn

    def on_step_end(self, ctx):
        self.fn(ctx.history)

    def on_epoch_end(self, ctx):
        self.fn(ctx.history)


class EarlyStopping(Callback):
    """Stop when the validation loss has not improved by ``min_delta`` for ``patience``
    epochs; with ``restore_best`` the weights of the best epoch are put back."""

    def __init__(
        self, patience: int = 10, min_delta: float = 0.0, restore_best: bool = True
    ) -> None:
        self.patience = check_int("patience", patience, minimum=0)
        self.min_delta = check_nonnegative("min_delta", min_delta)
        self.restore_best = restore_best
        self.best_epoch: int | None = None
        self.best_loss = math.inf

    def on_train_begin(self, ctx):
        self.best_epoch, self.best_loss, self._best_state = None, math.inf, None

    def on_epoch_end(self, ctx):
        if not ctx.history.val_loss:
            raise ValueError(
                "EarlyStopping needs validation data: pass validation=(X_val, y_val) to fit"
            )
        current = ctx.history.val_loss[-1]
        if current < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = current, ctx.epoch
            if self.restore_best:
                self._best_state = ctx.model.state_dict()
        elif ctx.epoch - self.best_epoch >= self.patience:
            ctx.stop = True
            ctx.history.stopped_early = True

    def on_train_end(self, ctx):
        if self.restore_best and self._best_state is not None:
            ctx.model.load_state_dict(self._best_state)


class ProgressBar(Callback):
    """A progress bar over epochs (tqdm's notebook-aware bar) showing the latest losses."""

    def __init__(self, **tqdm_kwargs) -> None:
        self.tqdm_kwargs = tqdm_kwargs
        self.bar = None

    def on_train_begin(self, ctx):
        from tqdm.auto import tqdm  # imported here: the numerical core stays numpy-only

        self.bar = tqdm(total=ctx.total_epochs, initial=ctx.epoch, unit="epoch", **self.tqdm_kwargs)

    def on_epoch_end(self, ctx):
        h = ctx.history
        info = {"loss": f"{h.loss[-1]:.4g}"}
        if h.val_loss:
            info["val_loss"] = f"{h.val_loss[-1]:.4g}"
        self.bar.set_postfix(info, refresh=False)
        self.bar.update(1)

    def on_train_end(self, ctx):
        if self.bar is not None:
            self.bar.close()


def l1_penalty(model, lam: float, m: int) -> float:
    """lambda_1 / m * sum over Dense layers of sum(|W|)."""
    lam = check_nonnegative("l1", lam)
    if lam == 0:
        return 0.0
    return lam / m * sum(float(np.abs(W.value).sum()) for W in dense_weights(model))


def add_l1_grad(model, lam: float, m: int) -> None:
    """dW += lambda_1 / m * sign(W) for every Dense weight (the gradient of
    :func:`l1_penalty`; sign(0) = 0, a subgradient)."""
    if lam == 0:
        return
    for W in dense_weights(model):
        W.accumulate((lam / m) * np.sign(W.value))


def evaluate(
    model, X: np.ndarray, y: np.ndarray, loss, l2: float = 0.0, l1: float = 0.0
) -> tuple[float, float | None]:
    """(cost, accuracy) at test time; the cost includes the L2 and L1 terms, as in training."""
    out = model.forward(X, training=False)
    cost = loss.forward(out, y) + l2_penalty(model, l2, len(X)) + l1_penalty(model, l1, len(X))
    return cost, loss.accuracy(out, y)


def _batches(m: int, batch_size: int | None, rng: np.random.Generator) -> list:
    """The epoch's mini-batches (:func:`dlcourse.batching.minibatch_indices`); a full batch
    is ``slice(None)``, so the data is used as it is, without a copy per step."""
    if batch_size is None or batch_size >= m:
        return [slice(None)]
    return minibatch_indices(m, batch_size, rng)


def train_step(
    model,
    loss,
    optimizer,
    xb: np.ndarray,
    yb: np.ndarray,
    l2: float = 0.0,
    return_output: bool = False,
    l1: float = 0.0,
):
    """One step of mini-batch gradient descent on (xb, yb): ``optimizer.zero_grad()``,
    forward, the cost J^{t} (with ``l2``, lambda/(2 m_b) sum ||W||^2, and with ``l1``,
    lambda_1/m_b sum |W|), backward, ``optimizer.step()``. Returns J^{t}, the cost before the step, and with
    ``return_output`` the pair (J^{t}, output). A NaN/inf cost is returned without a
    backward pass or a step. Only the optimizer's parameters are zeroed: a parameter it
    does not hold (a frozen layer) keeps accumulating its gradient, as in PyTorch."""
    optimizer.zero_grad()
    with np.errstate(over="ignore", invalid="ignore"):
        out = model.forward(xb, training=True)
        cost = float(loss.forward(out, yb))
        if l2:
            cost += l2_penalty(model, l2, len(xb))
        if l1:
            cost += l1_penalty(model, l1, len(xb))
        if math.isfinite(cost):
            _backward(model, loss.backward())
            add_l2_grad(model, l2, len(xb))
            add_l1_grad(model, l1, len(xb))
            optimizer.step()
    return (cost, out) if return_output else cost


def fit(
    model,
    X,
    y,
    loss,
    optimizer,
    epochs: int = 100,
    batch_size: int | None = None,
    l2: float = 0.0,
    validation: tuple | None = None,
    schedule: Callable | None = None,
    callbacks: Iterable = (),
    seed: int = 0,
    history: History | None = None,
    l1: float = 0.0,
) -> History:
    """Train ``model`` on (X, y) and return its :class:`History` (see the module docstring).

    ``validation=(X_val, y_val)`` adds val_loss / val_accuracy per epoch; ``schedule(epoch)``
    sets ``optimizer.lr`` at the start of each epoch; ``callbacks`` are :class:`Callback`
    objects or plain callables ``f(history)`` run after every step and epoch. A non-finite
    loss stops training, sets ``history.diverged`` and emits a :class:`DivergenceWarning`.
    ``history`` (from an earlier call) continues that run for ``epochs`` more epochs: see
    the module docstring; ``seed`` then has no effect. ``l1`` adds lambda_1/m sum |W| over
    the Dense weights (gradient lambda_1/m sign(W)), next to the L2 term.
    """
    X, y = check_xy(X, y)
    epochs = check_int("epochs", epochs, minimum=0)
    if batch_size is not None:
        batch_size = check_int("batch_size", batch_size, minimum=1)
    l2 = check_nonnegative("l2", l2)
    l1 = check_nonnegative("l1", l1)
    if validation is not None:
        validation = check_xy(*validation, name="X_val")
    history = _start_or_resume(history, seed)
    start = history.epochs
    ctx = TrainingContext(
        model, optimizer, history, epoch=start, step=history.steps, total_epochs=start + epochs
    )
    cbs = [cb if isinstance(cb, Callback) else _FunctionCallback(cb) for cb in callbacks]
    for cb in cbs:
        cb.on_train_begin(ctx)
    for epoch in range(start, start + epochs):
        ctx.epoch = epoch
        if schedule is not None:
            optimizer.lr = schedule(epoch)
        for cb in cbs:
            cb.on_epoch_begin(ctx)
        # overflow on the way to a NaN loss is reported once, as a DivergenceWarning
        with np.errstate(over="ignore", invalid="ignore"):
            finished = _run_epoch(model, X, y, loss, optimizer, batch_size, (l2, l1), ctx, cbs)
        if not finished:
            break
        if validation is not None:
            val_loss, val_acc = evaluate(model, *validation, loss, l2, l1)
            history.val_loss.append(val_loss)
            if val_acc is not None:
                history.val_accuracy.append(val_acc)
        history.last_event = "epoch"
        for cb in cbs:
            cb.on_epoch_end(ctx)
        if ctx.stop:
            break
    for cb in cbs:
        cb.on_train_end(ctx)
    return history


def _start_or_resume(history: History | None, seed: int) -> History:
    """A new run's History (its generator seeded with ``seed``), or ``history`` checked
    to be a run that can continue."""
    if history is None:
        history = History()
    elif not isinstance(history, History):
        raise TypeError(f"history must be a History returned by fit, got {type(history).__name__}")
    if history.diverged is not None:
        d = history.diverged
        raise ValueError(
            f"history: this run diverged at epoch {d.epoch}, step {d.step} "
            f"(lr {d.lr:g}) and cannot continue; start a new run"
        )
    if history.rng is None:
        if history.epochs or history.steps:
            raise ValueError(
                f"history has {history.epochs} epochs but no data-order "
                f"generator (history.rng): pass a History returned by fit"
            )
        history.rng = np.random.default_rng(seed)
    history.stopped_early = False
    return history


def _run_epoch(model, X, y, loss, optimizer, batch_size, penalties, ctx, cbs) -> bool:
    """One pass over the data; False when training must stop (divergence or a callback).
    ``penalties`` = (l2, l1)."""
    l2, l1 = penalties
    history = ctx.history
    total, correct, seen, steps, classifier = 0.0, 0.0, 0, 0, True
    for idx in _batches(len(X), batch_size, history.rng):
        xb, yb = X[idx], y[idx]
        m = len(xb)
        cost, out = train_step(model, loss, optimizer, xb, yb, l2, return_output=True, l1=l1)
        if not math.isfinite(cost):
            _report_divergence(history, ctx, optimizer.lr, cost)
            return False
        history.step_loss.append(cost)
        total += cost * m
        seen += m
        steps += 1
        acc = loss.accuracy(out, yb) if classifier else None
        classifier = acc is not None
        correct += (acc or 0.0) * m
        ctx.step += 1
        history.last_event = "step"
        for cb in cbs:
            cb.on_step_end(ctx)
        if ctx.stop:
            break
    history.lr.append(optimizer.lr)
    history.loss.append(cost if steps == 1 else total / seen)
    if classifier:
        history.accuracy.append(correct / seen)
    return True


def _backward(model, dout: np.ndarray) -> None:
    """The model's backward pass, without the unused gradient w.r.t. the data when the
    model ``accepts_input_grad`` (any other object with ``backward(dout)`` works too)."""
    if getattr(model, "accepts_input_grad", False):
        model.backward(dout, input_grad=False)
    else:
        model.backward(dout)


def _report_divergence(history: History, ctx: TrainingContext, lr: float, cost: float) -> None:
    history.diverged = Divergence(ctx.epoch, ctx.step, lr)
    kind = "NaN" if math.isnan(cost) else "inf"
    warnings.warn(
        f"the loss became {kind} at epoch {ctx.epoch}, step {ctx.step} with learning "
        f"rate {lr:g}: a learning rate that is too large is the usual cause; try a "
        f"smaller one",
        DivergenceWarning,
        stacklevel=3,
    )
