r"""Batch-norm conventions that differ between this course and PyTorch, and where eps goes.

Running averages, after each training-mode batch with batch mean mu_B and variance
sigma_B^2 = (1/m) sum (z - mu_B)^2:

* this course (``dl.BatchNorm(momentum=0.9)``): r <- 0.9 r + 0.1 stat, where ``momentum``
  weights the OLD value, and the running variance averages the batch variance sigma_B^2;
* PyTorch (``torch.nn.BatchNorm1d(momentum=0.1)``): r <- (1 - 0.1) r + 0.1 stat, where
  ``momentum`` weights the NEW value, and the running variance averages the UNBIASED
  variance m / (m - 1) sigma_B^2 (the normalisation itself uses sigma_B^2 in both).

Where eps goes: batch norm divides by sqrt(sigma^2 + eps) (eps INSIDE the root, 1e-5),
Adam by sqrt(s) + eps (eps OUTSIDE, 1e-8). For sigma^2 = s = 0 the first gives a factor
1/sqrt(eps) = 316, the second 1/eps = 1e8.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

__all__ = ["course_update", "eps_factors", "running_after", "torch_update"]


def course_update(rm, rv, Z, momentum: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """One update in this course's convention (``momentum`` weights the old value)."""
    return momentum * rm + (1 - momentum) * Z.mean(0), momentum * rv + (1 - momentum) * Z.var(0)


def torch_update(rm, rv, Z, momentum: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """One update in PyTorch's convention (``momentum`` weights the new value; unbiased var)."""
    return (
        (1 - momentum) * rm + momentum * Z.mean(0),
        (1 - momentum) * rv + momentum * Z.var(0, ddof=1),
    )


def running_after(batches: Iterable[np.ndarray], convention: str) -> tuple[np.ndarray, np.ndarray]:
    """Running (mean, var) after the batches, from PyTorch's and our start (0, 1)."""
    batches = list(batches)
    n = batches[0].shape[1]
    rm, rv = np.zeros(n), np.ones(n)
    update = {"course": course_update, "torch": torch_update}[convention]
    for Z in batches:
        rm, rv = update(rm, rv, Z)
    return rm, rv


def eps_factors(
    variances, eps_bn: float = 1e-5, eps_adam: float = 1e-8
) -> tuple[np.ndarray, np.ndarray]:
    """1 / sqrt(v + eps_bn) (batch norm) and 1 / (sqrt(v) + eps_adam) (Adam) for each v."""
    v = np.asarray(variances, dtype=np.float64)
    return 1.0 / np.sqrt(v + eps_bn), 1.0 / (np.sqrt(v) + eps_adam)
