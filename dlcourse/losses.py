"""Losses: ``forward(output, y) -> float`` (the mean over the batch) and ``backward() ->
d(loss)/d(output)`` (so it already carries the 1/m).

- SoftmaxCrossEntropy: p = softmax(z), L = -(1/m) sum_i log p_{i, y_i};  dz = (p - Y) / m,
  with Y the one-hot labels. log p = z - logsumexp(z), computed after subtracting max z.
- BinaryCrossEntropy (from logits z, labels y in {0, 1}):
  L = (1/m) sum_i [max(z, 0) - z y + log(1 + e^{-|z|})]  (= -y log s(z) - (1-y) log(1-s(z)));
  dz = (sigmoid(z) - y) / m.
- MSE: L = mean over all elements of (pred - y)^2 (no 1/2, as torch.nn.MSELoss);
  dpred = 2 (pred - y) / size.
- L2 regularisation: J += lambda / (2m) sum_l ||W^[l]||^2 over Dense weights, dW += lambda/m W.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_finite, check_nonnegative
from .activations import sigmoid
from .layers import Dense

__all__ = [
    "MSE",
    "BinaryCrossEntropy",
    "Loss",
    "SoftmaxCrossEntropy",
    "add_l2_grad",
    "dense_weights",
    "l2_penalty",
    "log_softmax",
    "softmax",
]


def _check_batch(name: str, output: np.ndarray, y: np.ndarray) -> None:
    if not isinstance(output, np.ndarray):
        raise TypeError(f"{name}: output must be a numpy array, got {type(output).__name__}")
    if len(y) != len(output):
        raise ValueError(
            f"{name}: y has {len(y)} examples but the output has {len(output)} "
            f"(shapes {y.shape} and {output.shape})"
        )


def log_softmax(z: np.ndarray) -> np.ndarray:
    """log softmax along the last axis, stable: z - max - log sum exp(z - max)."""
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(z: np.ndarray) -> np.ndarray:
    """softmax along the last axis, computed after subtracting the row maximum."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


class Loss:
    """Base class: ``loss(output, y)`` is ``loss.forward(output, y)``. A subclass's
    ``forward`` stores d(loss)/d(output) in ``_output_grad``, which ``backward`` returns."""

    _output_grad: np.ndarray | None = None

    def __call__(self, output: np.ndarray, y: np.ndarray) -> float:
        return self.forward(output, y)

    def predict(self, output: np.ndarray) -> np.ndarray | None:
        """Predicted labels from the network output (None when the loss is not a classifier)."""
        return None

    def accuracy(self, output: np.ndarray, y: np.ndarray) -> float | None:
        pred = self.predict(output)
        if pred is None:
            return None
        return float(np.mean(pred == np.asarray(y).reshape(pred.shape)))

    def backward(self) -> np.ndarray:
        """d(loss)/d(output) of the last ``forward``, of the output's shape (the 1/m is in)."""
        if self._output_grad is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return self._output_grad

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class SoftmaxCrossEntropy(Loss):
    """Softmax followed by cross-entropy; y: integer labels (m,) or (m, 1), or target
    probabilities (m, C) (one-hot rows included)."""

    def forward(self, logits: np.ndarray, y: np.ndarray) -> float:
        y = np.asarray(y)
        _check_batch("SoftmaxCrossEntropy", logits, y)
        if logits.ndim != 2:
            raise ValueError(
                f"SoftmaxCrossEntropy: logits must be (batch, C), got shape {logits.shape}"
            )
        m, C = logits.shape
        if y.ndim == 2 and y.shape == (m, 1) and C > 1:  # a column of class indices
            y = y[:, 0]
        logp = log_softmax(logits)
        probs = np.exp(logp)
        if y.ndim == 2:  # one-hot or soft targets
            if y.shape != logits.shape:
                raise ValueError(
                    f"SoftmaxCrossEntropy: target shape {y.shape} != logits shape {logits.shape}"
                )
            check_finite("y", y)
            target = y.astype(logits.dtype, copy=False)
            loss = -float(np.sum(target * logp)) / m
            self._output_grad = (probs - target) / m
            return loss
        idx = self._check_labels(y, C)
        rows = np.arange(m)
        loss = -float(logp[rows, idx].sum()) / m
        probs[rows, idx] -= 1.0
        probs /= m
        self._output_grad = probs
        return loss

    @staticmethod
    def _check_labels(y: np.ndarray, C: int) -> np.ndarray:
        if y.ndim != 1:
            raise ValueError(
                f"SoftmaxCrossEntropy: labels must be a 1-D array of class indices, got shape {y.shape}"
            )
        if not np.issubdtype(y.dtype, np.integer):
            if not (
                np.issubdtype(y.dtype, np.floating)
                and np.all(np.isfinite(y))
                and np.all(y == np.round(y))
            ):
                raise ValueError(
                    f"SoftmaxCrossEntropy: labels must be integers, got dtype {y.dtype}"
                )
            y = y.astype(np.int64)
        if y.size and (y.min() < 0 or y.max() >= C):
            bad = y[(y < 0) | (y >= C)][0]
            raise ValueError(
                f"SoftmaxCrossEntropy: label {bad} out of range for {C} classes (valid 0..{C - 1})"
            )
        return y

    def predict(self, logits: np.ndarray) -> np.ndarray:
        return logits.argmax(axis=-1)

    def accuracy(self, logits: np.ndarray, y: np.ndarray) -> float:
        y = np.asarray(y)
        if y.ndim == 2:
            y = y.argmax(axis=-1)
        return float(np.mean(logits.argmax(axis=-1) == y))


class BinaryCrossEntropy(Loss):
    """Sigmoid + binary cross-entropy from logits (m,) or (m, 1); labels in [0, 1], same size."""

    def forward(self, logits: np.ndarray, y: np.ndarray) -> float:
        y = np.asarray(y)
        _check_batch("BinaryCrossEntropy", logits, y)
        if y.size != logits.size:
            raise ValueError(
                f"BinaryCrossEntropy: labels shape {y.shape} does not match logits shape {logits.shape}"
            )
        check_finite("y", y)
        if y.size and (y.min() < 0 or y.max() > 1):
            raise ValueError(
                f"BinaryCrossEntropy: labels must be in {{0, 1}} (or [0, 1]), got values in [{y.min()}, {y.max()}]"
            )
        y = y.reshape(logits.shape).astype(logits.dtype, copy=False)
        z = logits
        per_example = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
        self._output_grad = (sigmoid(z) - y) / z.size
        return float(per_example.mean())

    def predict(self, logits: np.ndarray) -> np.ndarray:
        return (logits > 0).astype(np.int64)


class MSE(Loss):
    """Mean squared error over all elements (as torch.nn.MSELoss)."""

    def forward(self, pred: np.ndarray, y: np.ndarray) -> float:
        y = np.asarray(y)
        _check_batch("MSE", pred, y)
        if y.size != pred.size:
            raise ValueError(
                f"MSE: target shape {y.shape} does not match prediction shape {pred.shape}"
            )
        diff = pred - y.reshape(pred.shape)
        self._output_grad = diff * (2.0 / diff.size)
        return float(np.mean(diff * diff))


def dense_weights(model) -> list:
    """The weight Parameters W of every Dense layer in ``model`` (the ones L2 penalises)."""
    return [layer.W for layer in model.layers() if isinstance(layer, Dense)]


def l2_penalty(model, lam: float, m: int) -> float:
    """lambda / (2 m) * sum over Dense layers of sum(W^2)."""
    lam = check_nonnegative("l2", lam)
    if lam == 0:
        return 0.0
    total = sum(float(np.vdot(W.value, W.value)) for W in dense_weights(model))
    return lam / (2.0 * m) * total


def add_l2_grad(model, lam: float, m: int) -> None:
    """dW += lambda / m * W for every Dense weight (the gradient of :func:`l2_penalty`)."""
    if lam == 0:
        return
    for W in dense_weights(model):
        W.accumulate((lam / m) * W.value)
