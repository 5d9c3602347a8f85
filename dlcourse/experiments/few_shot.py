r"""Few-shot transfer on the 8x8 digits: when reusing a pre-trained body pays off, and when not.

Two scenarios, each run on several draws of the few labelled examples (the result depends
a lot on which examples are drawn), all three ways trained on the same few images:

* :func:`narrow_transfer` (the honest negative): pre-train on digits 0-4, transfer to the
  *new classes* 5-9; frozen body, fine-tuning of all layers, or from scratch.
* :func:`relabel_transfer` (the recipe, where it works): pre-train on all ten digits of one
  half of the training set; the new task, on the other half, groups the digits into five
  classes (label ``y % 5``, so 0 and 5 are one class, ...). The recipe: copy the body,
  replace the head, train the head alone, then fine-tune everything with a 10x smaller
  learning rate; against the same architecture trained from scratch.

Pixels are scaled to [0, 1]. Accuracies are measured on every validation image.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .. import datasets
from ..activations import ReLU
from ..layers import Dense, Sequential
from ..losses import SoftmaxCrossEntropy
from ..optim import Adam
from ..topics import transfer
from ..train import fit

__all__ = [
    "TransferResult",
    "digits_net",
    "digits_split",
    "narrow_transfer",
    "relabel_task",
    "relabel_transfer",
]


def digits_net(seed: int, hidden: int = 64, n_out: int = 10, out_scale: float = 0.01) -> Sequential:
    """64 -> hidden ReLU (He init) -> n_out with small output weights (the loss starts at log C)."""
    rng = np.random.default_rng(seed)
    return Sequential(
        [
            Dense(64, hidden, init="he", rng=rng),
            ReLU(),
            Dense(hidden, n_out, init="random", scale=out_scale, rng=rng),
        ]
    )


def digits_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The course's digits split (25 % held out, seed 0), pixels divided by 16."""
    X, y = datasets.load_digits()
    X_train, X_val, y_train, y_val = datasets.train_val_split(X, y, 0.25, rng=0)
    return X_train / 16, X_val / 16, y_train, y_val


@dataclass
class TransferResult:
    """Validation accuracy per draw (rows) for each method (``methods``, the columns)."""

    methods: tuple[str, ...]
    accuracy: np.ndarray
    pretrain_accuracy: float

    def mean(self) -> dict[str, float]:
        return {m: float(a) for m, a in zip(self.methods, self.accuracy.mean(axis=0))}

    def wins(self, a: str, b: str) -> int:
        """In how many draws method ``a`` beats method ``b``."""
        i, j = self.methods.index(a), self.methods.index(b)
        return int(np.sum(self.accuracy[:, i] > self.accuracy[:, j]))


_LOSS = SoftmaxCrossEntropy()


def _acc(model, X, y) -> float:
    return float(_LOSS.accuracy(model.predict(X), y))


def narrow_transfer(
    draws: Iterable[int] = range(5), k: int = 5, epochs: int = 100
) -> TransferResult:
    """Pre-train on 0-4, transfer to 5-9 with ``k`` images per class: frozen body,
    fine-tuned (all layers, Adam 0.01 from the start) and from scratch."""
    X_train, X_val, y_train, y_val = digits_split()
    X_a, y_a = transfer.select_classes(X_train, y_train, range(5))
    X_b, y_b = transfer.select_classes(X_train, y_train, range(5, 10))
    X_bv, y_bv = transfer.select_classes(X_val, y_val, range(5, 10))
    X_av, y_av = transfer.select_classes(X_val, y_val, range(5))
    pre = digits_net(7, n_out=5)
    fit(pre, X_a, y_a, _LOSS, Adam(pre.parameters(), 0.003), epochs=20, batch_size=32)
    rows = []
    for draw in draws:
        idx = transfer.few_per_class(y_b, k, rng=draw)
        frozen = transfer.replace_head(pre, 5, rng=draw)
        tuned = transfer.replace_head(pre, 5, rng=draw)
        scratch = transfer.replace_head(digits_net(200 + draw, n_out=5), 5, rng=draw)
        row = []
        for model, params in [
            (frozen, transfer.head_parameters(frozen)),
            (tuned, tuned.parameters()),
            (scratch, scratch.parameters()),
        ]:
            fit(model, X_b[idx], y_b[idx], _LOSS, Adam(params, 0.01), epochs=epochs)
            row.append(_acc(model, X_bv, y_bv))
        rows.append(row)
    return TransferResult(
        ("frozen body", "fine-tuned", "from scratch"), np.array(rows), _acc(pre, X_av, y_av)
    )


def relabel_task() -> tuple[Sequential, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(pre, X_new, y_new, X_val, y_val_new): a network pre-trained on all ten digits of the
    first half of the training set (Adam 0.003, 30 epochs, batches of 32), the second half
    with the five-class labels ``y % 5``, and the validation images with those labels."""
    X_train, X_val, y_train, y_val = digits_split()
    half = len(X_train) // 2
    pre = digits_net(7, n_out=10)
    fit(
        pre,
        X_train[:half],
        y_train[:half],
        _LOSS,
        Adam(pre.parameters(), 0.003),
        epochs=30,
        batch_size=32,
    )
    return pre, X_train[half:], y_train[half:] % 5, X_val, y_val % 5


def relabel_transfer(
    draws: Iterable[int] = range(5),
    k: int = 5,
    head_epochs: int = 100,
    tune_epochs: int = 50,
    lr: float = 0.01,
) -> TransferResult:
    """Pre-train on all ten digits (first half of the training set); transfer to the
    five-class task ``y % 5`` (second half) with ``k`` images per new class, by the recipe
    (:func:`dlcourse.topics.transfer.transfer_recipe`): head alone at ``lr``, then all
    layers at ``lr / 10``. Scratch: all layers at ``lr`` for ``head_epochs + tune_epochs``
    epochs."""
    pre, X_b, y_b, X_val, y_bv = relabel_task()
    _, _, _, y_val = digits_split()
    rows = []
    for draw in draws:
        idx = transfer.few_per_class(y_b, k, rng=draw)
        Xb, yb = X_b[idx], y_b[idx]
        head_only, tuned = transfer.transfer_recipe(
            pre, Xb, yb, 5, lr, head_epochs, tune_epochs, seed=draw
        )
        scratch = transfer.replace_head(digits_net(200 + draw, n_out=10), 5, rng=draw)
        fit(
            scratch, Xb, yb, _LOSS, Adam(scratch.parameters(), lr), epochs=head_epochs + tune_epochs
        )
        rows.append(
            [_acc(head_only, X_val, y_bv), _acc(tuned, X_val, y_bv), _acc(scratch, X_val, y_bv)]
        )
    return TransferResult(
        ("head only", "head, then fine-tuned", "from scratch"),
        np.array(rows),
        _acc(pre, X_val, y_val),
    )
