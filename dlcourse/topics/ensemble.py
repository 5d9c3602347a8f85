"""Model ensembles: average the predicted class probabilities of K models.

For models f_1 .. f_K with class probabilities p_k(x) (softmax of the logits, or
(1 - s, s) with s = sigmoid(z) for a single-logit binary model):

    p(x) = (1/K) sum_k p_k(x),        prediction = argmax_c p(x)_c.

Averaging probabilities (not labels) keeps each model's confidence; the ensemble's errors
are those on which the members' mistakes do not cancel, so it usually beats the average
member (the members must differ: other seeds, other data orders, bootstrap samples).
All models are run at test time (``training=False``: dropout off, batch norm frozen).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .._checks import check_finite, check_int
from ..metrics import class_probabilities
from ..rng import as_generator

__all__ = [
    "predict_proba",
    "ensemble_proba",
    "ensemble_predict",
    "ensemble_accuracy",
    "member_accuracies",
    "bootstrap_indices",
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
