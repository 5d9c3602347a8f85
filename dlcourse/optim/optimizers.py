"""Optimizers with PyTorch's shape: ``opt.step()``, ``opt.zero_grad()``, a settable ``opt.lr``.

The running quantities of each parameter live in ``opt.state[param]`` (a dict: ``"v"``
velocity / first moment, ``"s"`` squared-gradient average or sum, ``"t"`` steps taken).
They are created on the first step unless already set, in which case ``step()`` continues
from what is there. Every update is done in place, through one scratch buffer per
parameter, so a step allocates no temporaries.

Three ways of writing momentum give the same path once alpha is rescaled:

- course (EWA) form, :class:`Momentum`:  v = beta v + (1 - beta) g,  w -= alpha v
- PyTorch form, :class:`SGD`:            v = beta v + g,              w -= lr v
  (v_torch = v_course / (1 - beta), so lr = alpha (1 - beta) gives the same steps)
- the CS231n form v = beta v - lr g, w += v is the PyTorch form with v scaled by -lr.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from .._checks import check_nonnegative, check_positive, check_unit_interval
from ..parameter import Parameter, params_of

__all__ = ["SGD", "AdaGrad", "Adam", "Momentum", "Optimizer", "RMSProp"]


class Optimizer:
    """Base class: holds the parameters, the learning rate and the per-parameter state."""

    def __init__(self, params: Iterable[Parameter], lr: float) -> None:
        self.params = params_of(params)
        if not self.params:
            raise ValueError("params is empty: the optimizer has nothing to update")
        self.lr = lr
        self.state: dict[Parameter, dict] = {p: {} for p in self.params}
        self._scratch: dict[Parameter, np.ndarray] = {}

    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = check_positive("lr", value)

    def zero_grad(self) -> None:
        """Make every gradient zero (lazily: see :mod:`dlcourse.parameter`)."""
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        for p in self.params:
            g = p.grad
            if g is None:
                continue
            if g.shape != p.value.shape:
                raise ValueError(
                    f"{type(self).__name__}: gradient shape {g.shape} != "
                    f"parameter shape {p.value.shape}"
                )
            self._update(p, g, self.state.setdefault(p, {}))

    def _update(self, p: Parameter, g: np.ndarray, state: dict) -> None:
        raise NotImplementedError

    def _buffer(self, p: Parameter) -> np.ndarray:
        """A scratch array shaped like ``p``, allocated once."""
        buf = self._scratch.get(p)
        if buf is None or buf.shape != p.value.shape or buf.dtype != p.value.dtype:
            buf = self._scratch[p] = np.empty_like(p.value)
        return buf

    @staticmethod
    def _slot(state: dict, key: str, p: Parameter, fill: float = 0.0) -> np.ndarray:
        """state[key], created as ``fill`` when missing (a user-set value is kept)."""
        value = state.get(key)
        if value is None:
            value = state[key] = np.full_like(p.value, fill)
        elif not isinstance(value, np.ndarray) or value.shape != p.value.shape:
            value = state[key] = np.broadcast_to(
                np.asarray(value, p.value.dtype), p.value.shape
            ).copy()
        return value

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr:g}, {len(self.params)} parameters)"


class SGD(Optimizer):
    """Stochastic gradient descent, the same updates as ``torch.optim.SGD`` (dampening 0).

    g = g + weight_decay * w;  with momentum beta > 0: v = beta v + g (v = g on the first
    step), then g = v, or g = g + beta v with ``nesterov``;  w -= lr g.
    ``state["v"]`` is torch's momentum buffer; dividing it by (1 - beta) gives the course's
    EWA velocity (see :class:`Momentum`).
    """

    def __init__(
        self,
        params,
        lr: float,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = check_unit_interval("momentum", momentum)
        self.weight_decay = check_nonnegative("weight_decay", weight_decay)
        if nesterov and self.momentum == 0:
            raise ValueError("nesterov=True needs momentum > 0, got momentum=0")
        self.nesterov = bool(nesterov)

    def _update(self, p, g, state):
        beta, buf = self.momentum, self._buffer(p)
        if self.weight_decay:
            np.multiply(p.value, self.weight_decay, out=buf)
            buf += g
            g = buf
        if beta:
            if state.get("v") is None:
                v = state["v"] = g.copy()
            else:
                v = self._slot(state, "v", p)
                v *= beta
                v += g
            if not self.nesterov:
                g = v
            elif g is buf:  # weight decay already in buf: the rare case that allocates
                buf += beta * v
            else:
                np.multiply(v, beta, out=buf)
                buf += g
                g = buf
        np.multiply(g, self.lr, out=buf)
        p.value -= buf


class Momentum(Optimizer):
    """Gradient descent with momentum in the course's form (an exponentially weighted
    average of the gradients):  v = beta v + (1 - beta) g;  w -= alpha v.

    v starts at 0 (no bias correction), so it is (1 - beta) times torch's buffer: this
    follows the same path as ``SGD(momentum=beta)`` with lr = alpha (1 - beta).
    """

    def __init__(self, params, lr: float, beta: float = 0.9) -> None:
        super().__init__(params, lr)
        self.beta = check_unit_interval("beta", beta)

    def _update(self, p, g, state):
        v, buf = self._slot(state, "v", p), self._buffer(p)
        v *= self.beta
        np.multiply(g, 1.0 - self.beta, out=buf)
        v += buf
        np.multiply(v, self.lr, out=buf)
        p.value -= buf


class AdaGrad(Optimizer):
    """AdaGrad, as ``torch.optim.Adagrad`` (no lr decay):
    s = s + g^2;  w -= alpha g / (sqrt(s) + eps).  ``state["s"]`` is the running sum."""

    def __init__(self, params, lr: float, eps: float = 1e-10) -> None:
        super().__init__(params, lr)
        self.eps = check_positive("eps", eps)

    def _update(self, p, g, state):
        s, buf = self._slot(state, "s", p), self._buffer(p)
        np.multiply(g, g, out=buf)
        s += buf
        _scaled_step(p, g, s, buf, self.lr, self.eps)


class RMSProp(Optimizer):
    """RMSProp, as ``torch.optim.RMSprop(alpha=beta)``:
    s = beta s + (1 - beta) g^2;  w -= alpha g / (sqrt(s) + eps).

    Unlike momentum it averages the squared gradient, damping the steep directions.
    """

    def __init__(self, params, lr: float, beta: float = 0.9, eps: float = 1e-8) -> None:
        super().__init__(params, lr)
        self.beta = check_unit_interval("beta", beta)
        self.eps = check_positive("eps", eps)

    def _update(self, p, g, state):
        s, buf = self._slot(state, "s", p), self._buffer(p)
        s *= self.beta
        np.multiply(g, g, out=buf)
        buf *= 1.0 - self.beta
        s += buf
        _scaled_step(p, g, s, buf, self.lr, self.eps)


def _scaled_step(
    p: Parameter, g: np.ndarray, s: np.ndarray, buf: np.ndarray, lr: float, eps: float
) -> None:
    """w -= lr * g / (sqrt(s) + eps), in place through ``buf``."""
    np.sqrt(s, out=buf)
    buf += eps
    np.divide(g, buf, out=buf)
    buf *= lr
    p.value -= buf


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam``: momentum on g and RMSProp on g^2, bias-corrected.

    t = t + 1;  v = beta1 v + (1 - beta1) g;  s = beta2 s + (1 - beta2) g^2;
    v^ = v / (1 - beta1^t);  s^ = s / (1 - beta2^t);  w -= alpha v^ / (sqrt(s^) + eps).

    Computed as torch does: w -= (alpha / (1 - beta1^t)) v / (sqrt(s) / sqrt(1 - beta2^t) + eps).
    ``v`` is the EWA form of momentum (as in :class:`Momentum`), with the bias correction
    that the plain momentum of the course leaves out.
    """

    def __init__(
        self, params, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ) -> None:
        super().__init__(params, lr)
        self.beta1 = check_unit_interval("beta1", beta1)
        self.beta2 = check_unit_interval("beta2", beta2)
        self.eps = check_positive("eps", eps)

    def _update(self, p, g, state):
        b1, b2 = self.beta1, self.beta2
        v, s, buf = self._slot(state, "v", p), self._slot(state, "s", p), self._buffer(p)
        t = state["t"] = int(state.get("t", 0)) + 1
        v *= b1
        np.multiply(g, 1.0 - b1, out=buf)
        v += buf
        s *= b2
        np.multiply(g, g, out=buf)
        buf *= 1.0 - b2
        s += buf
        step_size = self.lr / (1.0 - b1**t)
        np.sqrt(s, out=buf)
        buf /= math.sqrt(1.0 - b2**t)
        buf += self.eps
        np.divide(v, buf, out=buf)
        buf *= step_size
        p.value -= buf
