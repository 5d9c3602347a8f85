r"""What averaging K models guarantees, and what it does not.

With p_k(x) the class probabilities of member k and p(x) = (1/K) sum_k p_k(x), the
log-loss -log p(x)_y is a convex function of the probabilities, so by Jensen's inequality

    -log p(x)_y <= (1/K) sum_k -log p_k(x)_y        for EVERY example,

hence the ensemble's mean log-loss is at most the members' average (always, not only in
expectation). Accuracy is not convex in p: an ensemble can be less accurate than its
average member (rarely, but no inequality forbids it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ..topics.ensemble import ensemble_proba, predict_proba

__all__ = ["EnsembleReport", "ensemble_report", "log_loss", "train_digit_members"]


def log_loss(proba: np.ndarray, y) -> float:
    """Mean of -log p_y over the examples (probabilities of shape (m, C))."""
    proba = np.asarray(proba, dtype=np.float64)
    y = np.asarray(y, dtype=int)
    return float(-np.mean(np.log(np.maximum(proba[np.arange(len(y)), y], 1e-300))))


@dataclass
class EnsembleReport:
    member_log_loss: np.ndarray
    member_accuracy: np.ndarray
    ensemble_log_loss: float
    ensemble_accuracy: float
    per_example_jensen: bool  # the inequality held on every example


def ensemble_report(models: Sequence, X, y) -> EnsembleReport:
    """Log-loss and accuracy of each member and of their probability average."""
    y = np.asarray(y, dtype=int)
    probas = [predict_proba(m, X) for m in models]
    p = ensemble_proba(models, X)
    rows = np.arange(len(y))
    member_nll = np.array([-np.log(np.maximum(q[rows, y], 1e-300)) for q in probas])
    ens_nll = -np.log(np.maximum(p[rows, y], 1e-300))
    return EnsembleReport(
        member_log_loss=member_nll.mean(axis=1),
        member_accuracy=np.array([np.mean(q.argmax(axis=1) == y) for q in probas]),
        ensemble_log_loss=float(ens_nll.mean()),
        ensemble_accuracy=float(np.mean(p.argmax(axis=1) == y)),
        per_example_jensen=bool(np.all(ens_nll <= member_nll.mean(axis=0) + 1e-12)),
    )


def train_digit_members(
    X, y, seeds: Iterable[int] = range(5), hidden: int = 16, epochs: int = 15
) -> list:
    """Digits networks that differ only in their initial weights and batch order
    (Adam 0.01, batches of 64), as in notebook 13."""
    from ..losses import SoftmaxCrossEntropy
    from ..optim import Adam
    from ..train import fit
    from .few_shot import digits_net

    members = []
    for k in seeds:
        model = digits_net(100 + k, hidden=hidden, out_scale=1.0)
        fit(
            model,
            X,
            y,
            SoftmaxCrossEntropy(),
            Adam(model.parameters(), 0.01),
            epochs=epochs,
            batch_size=64,
            seed=k,
        )
        members.append(model)
    return members
