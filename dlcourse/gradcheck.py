"""Gradient checking with two-sided finite differences.

For each coordinate theta_i:  dtheta_approx_i = (J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps),
an O(eps^2) approximation. The check compares it with the backward pass's dtheta by

    relative error = ||dtheta - dtheta_approx|| / (||dtheta|| + ||dtheta_approx||)

around 1e-7 or less: correct; around 1e-5: look closer; 1e-3 or more: almost surely a bug.
Use it to debug, not in training (it costs two forward passes per parameter entry), and
with dropout either off or its masks fixed (a random mask makes J a different function at
every evaluation).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._checks import check_positive
from .layers import Dropout
from .losses import add_l2_grad, l2_penalty

__all__ = ["gradcheck", "gradcheck_report", "numerical_gradient", "relative_error"]


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / (||a|| + ||b||), and 0.0 when both are zero."""
    a, b = np.ravel(a), np.ravel(b)
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Two-sided differences of ``f()`` with respect to the array ``x``, which is perturbed in
    place (and restored) entry by entry, so ``f`` may read ``x`` from anywhere."""
    eps = check_positive("eps", eps)
    grad = np.zeros(x.shape, dtype=np.float64)
    flat = x.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError("x must be a contiguous array that can be perturbed in place")
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        plus = f()
        flat[i] = old - eps
        minus = f()
        flat[i] = old
        grad.reshape(-1)[i] = (plus - minus) / (2 * eps)
    return grad


def _model_check(model, loss, X, y, eps, l2, training, fix_dropout):
    """Per-parameter (analytic, numerical) gradients of loss(model(X), y) + L2."""
    saved = model.state_dict()  # batch norm's running statistics move at each forward
    dropouts = [l for l in model.layers() if isinstance(l, Dropout) and not l.mask_fixed]

    def cost() -> float:
        out = model.forward(X, training=training)
        return loss.forward(out, y) + l2_penalty(model, l2, len(X))

    try:
        model.zero_grad()
        cost()
        if fix_dropout:
            for layer in dropouts:
                layer.fix_mask()
        model.zero_grad()
        cost()
        model.backward(loss.backward())
        add_l2_grad(model, l2, len(X))
        named = list(model.named_parameters())
        analytic = {name: p.grad.astype(np.float64) for name, p in named}
        numeric = {name: numerical_gradient(cost, p.value, eps) for name, p in named}
    finally:
        for layer in dropouts if fix_dropout else ():
            layer.release_mask()
        model.load_state_dict(saved)
    return analytic, numeric


def gradcheck_report(
    model,
    loss,
    X,
    y,
    eps: float = 1e-6,
    l2: float = 0.0,
    training: bool = True,
    fix_dropout: bool = True,
) -> dict[str, float]:
    """Relative error of each named parameter's gradient (e.g. {"0.W": 3e-10, ...})."""
    analytic, numeric = _model_check(model, loss, X, y, eps, l2, training, fix_dropout)
    return {name: relative_error(analytic[name], numeric[name]) for name in analytic}


def gradcheck(model_or_fn, *args, eps: float = 1e-6, **kwargs) -> float:
    """Relative error between analytic and two-sided numerical gradients.

    Two forms:

    - ``gradcheck(model, loss, X, y, l2=0.0, training=True, fix_dropout=True)``: over all of
      the model's parameters at once (concatenated); dropout masks are drawn once and kept
      fixed during the check unless ``fix_dropout=False``; batch-norm buffers are restored.
    - ``gradcheck(f, x, grad)``: ``f(x) -> float`` for an array ``x``, against ``grad``,
      either the analytic gradient array or a function ``grad(x) -> array``.
    """
    if hasattr(model_or_fn, "parameters") and hasattr(model_or_fn, "backward"):
        analytic, numeric = _model_check(model_or_fn, *args, eps=eps, **_model_kwargs(kwargs))
        names = list(analytic)
        return relative_error(
            np.concatenate([analytic[n].ravel() for n in names]),
            np.concatenate([numeric[n].ravel() for n in names]),
        )
    if not callable(model_or_fn):
        raise TypeError(f"gradcheck: expected a model or a function, got {model_or_fn!r}")
    if len(args) != 2 or kwargs:
        raise TypeError(
            "gradcheck(f, x, grad): pass the point x and the analytic gradient "
            "(an array or a function of x)"
        )
    f, (x, grad) = model_or_fn, args
    x = np.array(x, dtype=np.float64)
    analytic = grad(x.copy()) if callable(grad) else np.asarray(grad, dtype=np.float64)
    if np.shape(analytic) != x.shape:
        raise ValueError(f"gradcheck: gradient shape {np.shape(analytic)} != x shape {x.shape}")
    numeric = numerical_gradient(lambda: f(x), x, eps)
    return relative_error(analytic, numeric)


def _model_kwargs(kwargs: dict) -> dict:
    allowed = {"l2": 0.0, "training": True, "fix_dropout": True}
    unknown = set(kwargs) - set(allowed)
    if unknown:
        raise TypeError(
            f"gradcheck: unknown argument(s) {sorted(unknown)}; valid: {sorted(allowed)}"
        )
    return {**allowed, **kwargs}
