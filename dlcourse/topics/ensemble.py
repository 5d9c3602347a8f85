r"""Model ensembles: average the predicted class probabilities of K models, and what that
average guarantees (notebooks 05 and 13).

For models f_1 .. f_K with class probabilities p_k(x) (softmax of the logits, or
(1 - s, s) with s = sigmoid(z) for a single-logit binary model):

    p(x) = (1/K) sum_k p_k(x),        prediction = argmax_c p(x)_c.

Averaging probabilities (not labels, not logits) keeps each model's confidence; the
ensemble's errors are those on which the members' mistakes do not cancel, so it usually
beats the average member (the members must differ: other seeds, other data orders,
bootstrap samples). All models are run at test time (``training=False``: dropout off,
batch norm frozen). :func:`average_probabilities` does the same from the members' logits.

What it guarantees (:func:`ensemble_report`): the log-loss -log p(x)_y is a convex function
of the probabilities, so by Jensen's inequality

    -log p(x)_y <= (1/K) sum_k -log p_k(x)_y        for EVERY example,

hence the ensemble's mean log-loss is at most the members' average (always, not only in
expectation). Accuracy is not convex in p: an ensemble can be less accurate than its
average member (rarely, but no inequality forbids it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .._checks import check_finite, check_int
from ..losses import softmax
from ..metrics import class_probabilities
from ..rng import as_generator

__all__ = [
    "EnsembleReport",
    "average_probabilities",
    "bootstrap_indices",
    "ensemble_accuracy",
    "ensemble_predict",
    "ensemble_proba",
    "ensemble_report",
    "log_loss",
    "member_accuracies",
    "predict_proba",
]


def predict_proba(model, X) -> np.ndarray:
    """Class probabilities (m, C) of one model at test time: softmax of (m, C) logits, or
    (1 - s, s) with s = sigmoid(z) when the model has one logit per example."""
    X = check_finite("X", X)
    return class_probabilities(model.forward(X, training=False), "model output")


def _check_models(models: Sequence) -> list:
    models = list(models)
    if not models:
        raise ValueError("models is empty: an ensemble needs at least one model")
    for i, model in enumerate(models):
        if not hasattr(model, "forward"):
            raise TypeError(f"models[{i}] has no forward method, got {type(model).__name__}")
    return models


def ensemble_proba(models: Sequence, X) -> np.ndarray:
    """p(x) = (1/K) sum_k p_k(x), shape (m, C)."""
    models = _check_models(models)
    probs = [predict_proba(model, X) for model in models]
    shapes = {p.shape for p in probs}
    if len(shapes) != 1:
        raise ValueError(f"the models disagree on the number of classes: shapes {sorted(shapes)}")
    return np.mean(probs, axis=0)


def ensemble_predict(models: Sequence, X) -> np.ndarray:
    """argmax_c of the averaged probabilities: the ensemble's labels, shape (m,)."""
    return ensemble_proba(models, X).argmax(axis=1)


def _labels(y, m: int) -> np.ndarray:
    y = np.asarray(y).reshape(-1)
    if len(y) != m:
        raise ValueError(f"y has {len(y)} labels but X has {m} examples")
    return y


def ensemble_accuracy(models: Sequence, X, y) -> float:
    """Fraction of examples where the ensemble's label equals y."""
    pred = ensemble_predict(models, X)
    return float(np.mean(pred == _labels(y, len(pred))))


def member_accuracies(models: Sequence, X, y) -> np.ndarray:
    """The accuracy of each model alone, shape (K,)."""
    models = _check_models(models)
    accs = []
    for model in models:
        pred = predict_proba(model, X).argmax(axis=1)
        accs.append(np.mean(pred == _labels(y, len(pred))))
    return np.array(accs)


def bootstrap_indices(m: int, rng=None) -> np.ndarray:
    """m indices drawn with replacement from 0..m-1 (a bootstrap sample for bagging)."""
    m = check_int("m", m, minimum=1)
    return as_generator(rng).integers(0, m, size=m)


def average_probabilities(member_logits: Sequence) -> np.ndarray:
    """p = (1/K) sum_k softmax(Z_k) from the K members' logits Z_k, each of shape (m, C)."""
    logits = [np.asarray(z, dtype=np.float64) for z in member_logits]
    if not logits:
        raise ValueError("member_logits is empty: an ensemble needs at least one member")
    shapes = {z.shape for z in logits}
    if len(shapes) != 1 or logits[0].ndim != 2:
        raise ValueError(f"every member's logits must have one shape (m, C), got {sorted(shapes)}")
    return np.mean([softmax(z) for z in logits], axis=0)


# ------------------------------------------------------------ what averaging guarantees
def log_loss(proba: np.ndarray, y) -> float:
    """Mean of -log p_y over the examples (probabilities of shape (m, C))."""
    proba = np.asarray(proba, dtype=np.float64)
    y = np.asarray(y, dtype=int)
    return float(-np.mean(np.log(np.maximum(proba[np.arange(len(y)), y], 1e-300))))


@dataclass
class EnsembleReport:
    """Each member's and the ensemble's validation log-loss and accuracy."""

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
