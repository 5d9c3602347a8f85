r"""Reverse-mode automatic differentiation on numpy arrays (notebook 01).

A :class:`Tensor` wraps a float64 array. Every operation on tensors returns a new tensor
that remembers its inputs (its *parents*) and how to send a gradient back to them, so
running the forward computation records a graph. ``out.backward()`` then walks that graph
once, from the output to the leaves, applying the chain rule at each node:

.. math::

    \bar v \;=\; \frac{\partial J}{\partial v}
          \;=\; \sum_{u \,:\, v \to u} \bar u \,\frac{\partial u}{\partial v}

where the sum runs over every node ``u`` that used ``v``. A node used twice therefore
receives two contributions, and they add up. The walk follows a topological order
(every node after all the nodes that use it), computed iteratively, so a graph thousands
of operations deep needs no deep Python recursion.

Local derivatives used here (``g`` is the gradient arriving from above, ``y`` the output):

=================  ===============================================
``a + b``          ``g``, ``g``
``a - b``          ``g``, ``-g``
``a * b``          ``g*b``, ``g*a``
``a / b``          ``g/b``, ``-g*a/b**2``
``a ** p``         ``g*p*a**(p-1)``, ``g*y*log(a)`` (only if p needs a gradient)
``-a``             ``-g``
``A @ B``          ``g @ B.T``, ``A.T @ g``
``a.sum(axis)``    ``g`` copied back along the summed axes
``a.mean(axis)``   ``g / n`` copied back, ``n`` = number of elements averaged
``exp(a)``         ``g*y``
``log(a)``         ``g/a``
``tanh(a)``        ``g*(1 - y**2)``
``sigmoid(a)``     ``g*y*(1 - y)``
``relu(a)``        ``g*[a > 0]`` (0 at a = 0, as PyTorch)
=================  ===============================================

Broadcasting: when numpy stretches an operand to a bigger shape, every copy of an element
contributes to the output, so its gradient is the *sum* over the stretched axes
(:func:`_unbroadcast`).

Conventions, as in PyTorch: after ``backward()`` only leaves created with
``requires_grad=True`` keep a ``.grad`` (call :meth:`Tensor.retain_grad` on an intermediate
tensor to keep its gradient too); gradients *accumulate*, so call :func:`zero_grad` between
steps; the graph is kept, so ``backward()`` may be called again. Values are always float64.
``log`` of a non-positive value, division by zero and overflow are left to numpy: it warns
and gives ``nan``/``inf``, which then flow into the gradients.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Callable

import numpy as np
from numpy.typing import ArrayLike

from dlcourse._checks import check_int, check_positive
from dlcourse.descent import RADIUS, path


class Tensor:
    """A float64 array that records the operations applied to it.

    ``value`` is the ndarray; ``grad`` is ``None`` until a backward pass reaches this
    tensor, then an array of the same shape holding dJ/d(value). ``requires_grad=True``
    marks a leaf whose gradient we want; results of operations need a gradient when any of
    their inputs does. Plain numbers and arrays mix freely with tensors on either side of
    an operator (they become constants). The constructor copies its input (a Tensor
    given to it is copied without its graph). numpy functions such as ``np.exp(t)``
    refuse tensors with a TypeError: use ``t.exp()`` or this module's ``exp(t)``.
    """

    __array_ufunc__ = None  # makes `ndarray + Tensor` call Tensor.__radd__, not numpy

    def __init__(self, value: ArrayLike | Tensor, requires_grad: bool = False) -> None:
        self.value = _as_float_array(value, "value")
        self.requires_grad = bool(requires_grad)
        self.grad: np.ndarray | None = None
        self._parents: tuple[Tensor, ...] = ()
        self._backward: Callable[[np.ndarray], tuple[np.ndarray | None, ...]] | None = None
        self._op = ""
        self._retain = False

    # ----------------------------------------------------------------- properties
    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def ndim(self) -> int:
        return self.value.ndim

    @property
    def size(self) -> int:
        return self.value.size

    @property
    def op(self) -> str:
        """Name of the operation that made this tensor ("" for a leaf)."""
        return self._op

    @property
    def parents(self) -> tuple[Tensor, ...]:
        """The tensors this one was computed from (empty for a leaf or a constant)."""
        return self._parents

    @property
    def is_leaf(self) -> bool:
        return not self._parents

    @property
    def T(self) -> Tensor:
        """Transpose (reverses the axes); its gradient is the transposed gradient."""
        return _make(self.value.T, (self,), lambda g: (g.T,), "transpose")

    def item(self) -> float:
        """The value of a one-element tensor as a Python float."""
        if self.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return float(self.value.reshape(()))

    def __float__(self) -> float:
        return self.item()

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        """``np.asarray(t)`` gives the value (no graph), e.g. for plotting."""
        value = self.value if dtype is None else self.value.astype(dtype)
        return value.copy() if copy and value is self.value else value

    def numpy(self) -> np.ndarray:
        """The value as an ndarray (the same array, not a copy)."""
        return self.value

    def detach(self) -> Tensor:
        """A new constant leaf with a copy of this value: gradients stop here."""
        return Tensor(self.value)

    def retain_grad(self) -> Tensor:
        """Keep ``.grad`` on this intermediate tensor after ``backward()``; returns self."""
        self._retain = True
        return self

    def zero_grad(self) -> None:
        """Set ``.grad`` to zeros of the value's shape."""
        self.grad = np.zeros_like(self.value)

    def __repr__(self) -> str:
        body = np.array2string(self.value, separator=", ", prefix="Tensor(")
        extra = f", op={self._op!r}" if self._op else ""
        if self.requires_grad and not self._op:
            extra = ", requires_grad=True"
        return f"Tensor({body}{extra})"

    # ----------------------------------------------------------------- backward
    def backward(self, grad: ArrayLike | None = None) -> None:
        """Accumulate dJ/d(leaf) into ``.grad`` of every leaf that requires a gradient.

        J is this tensor. For a one-element J the upstream gradient dJ/dJ = 1 is implied;
        for any other shape pass ``grad`` (same shape as J), which computes the
        vector-Jacobian product sum(grad * J) differentiated w.r.t. each leaf.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() called on a tensor that does not depend on any tensor with "
                "requires_grad=True, so there is nothing to differentiate"
            )
        seed = self._seed(grad)
        grads: dict[int, np.ndarray] = {id(self): seed}
        for node in reversed(_topological_order(self)):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if node.is_leaf or node._retain:
                node.grad = g.copy() if node.grad is None else node.grad + g
            if node.is_leaf:
                continue
            for parent, pg in zip(node._parents, node._backward(g)):
                if parent.requires_grad and pg is not None:
                    key = id(parent)
                    grads[key] = pg if key not in grads else grads[key] + pg

    def _seed(self, grad: ArrayLike | None) -> np.ndarray:
        if grad is None:
            if self.size != 1:
                raise ValueError(
                    f"backward() without grad= needs a one-element output, got shape "
                    f"{self.shape}; pass grad= (the upstream gradient) with shape {self.shape}"
                )
            return np.ones_like(self.value)
        g = _as_float_array(grad, "grad")
        if g.shape != self.shape:
            raise ValueError(
                f"grad has shape {g.shape} but the output it belongs to has shape {self.shape}"
            )
        return g

    # ----------------------------------------------------------------- arithmetic
    def __add__(self, other: ArrayLike | Tensor) -> Tensor:
        return _add(self, _lift(other))

    def __radd__(self, other: ArrayLike | Tensor) -> Tensor:
        return _add(_lift(other), self)

    def __sub__(self, other: ArrayLike | Tensor) -> Tensor:
        return _sub(self, _lift(other))

    def __rsub__(self, other: ArrayLike | Tensor) -> Tensor:
        return _sub(_lift(other), self)

    def __mul__(self, other: ArrayLike | Tensor) -> Tensor:
        return _mul(self, _lift(other))

    def __rmul__(self, other: ArrayLike | Tensor) -> Tensor:
        return _mul(_lift(other), self)

    def __truediv__(self, other: ArrayLike | Tensor) -> Tensor:
        return _div(self, _lift(other))

    def __rtruediv__(self, other: ArrayLike | Tensor) -> Tensor:
        return _div(_lift(other), self)

    def __pow__(self, other: ArrayLike | Tensor) -> Tensor:
        return _pow(self, _lift(other))

    def __rpow__(self, other: ArrayLike | Tensor) -> Tensor:
        return _pow(_lift(other), self)

    def __matmul__(self, other: ArrayLike | Tensor) -> Tensor:
        return _matmul(self, _lift(other))

    def __rmatmul__(self, other: ArrayLike | Tensor) -> Tensor:
        return _matmul(_lift(other), self)

    def __neg__(self) -> Tensor:
        return _make(-self.value, (self,), lambda g: (-g,), "neg")

    def __pos__(self) -> Tensor:
        return self

    # ----------------------------------------------------------------- reductions
    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Sum over ``axis`` (all axes if None); each summed element gets the gradient g."""
        out = np.sum(self.value, axis=axis, keepdims=keepdims)
        shape, axes = self.shape, _normalize_axes(axis, self.ndim)
        return _make(out, (self,), lambda g: (_expand(g, shape, axes, keepdims),), "sum")

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Mean over ``axis``: sum / n, so each averaged element gets the gradient g / n."""
        out = np.mean(self.value, axis=axis, keepdims=keepdims)
        shape, axes = self.shape, _normalize_axes(axis, self.ndim)
        n = max(1, int(np.prod([shape[i] for i in axes])))
        return _make(out, (self,), lambda g: (_expand(g, shape, axes, keepdims) / n,), "mean")

    def reshape(self, *shape: int | tuple[int, ...]) -> Tensor:
        """Same values in a new shape; the gradient is reshaped back."""
        old = self.shape
        return _make(self.value.reshape(*shape), (self,), lambda g: (g.reshape(old),), "reshape")

    # ----------------------------------------------------------------- elementwise
    def exp(self) -> Tensor:
        """y = e^a;  dy/da = y."""
        y = np.exp(self.value)
        return _make(y, (self,), lambda g: (g * y,), "exp")

    def log(self) -> Tensor:
        """y = ln a;  dy/da = 1/a. Non-positive a gives nan/-inf with a numpy warning."""
        a = self.value
        return _make(np.log(a), (self,), lambda g: (g / a,), "log")

    def tanh(self) -> Tensor:
        """y = tanh a;  dy/da = 1 - y^2."""
        y = np.tanh(self.value)
        return _make(y, (self,), lambda g: (g * (1.0 - y * y),), "tanh")

    def sigmoid(self) -> Tensor:
        """y = 1 / (1 + e^-a), computed as exp(-log(1 + e^-a)) to avoid overflow;
        dy/da = y (1 - y)."""
        y = np.exp(-np.logaddexp(0.0, -self.value))
        return _make(y, (self,), lambda g: (g * y * (1.0 - y),), "sigmoid")

    def relu(self) -> Tensor:
        """y = max(0, a);  dy/da = 1 where a > 0, else 0."""
        mask = self.value > 0
        return _make(np.where(mask, self.value, 0.0), (self,), lambda g: (g * mask,), "relu")


# --------------------------------------------------------------------- graph helpers
def _as_float_array(value: ArrayLike | Tensor, name: str) -> np.ndarray:
    """A float64 copy of a number, array or tensor value; a clear error for anything else."""
    if isinstance(value, Tensor):
        value = value.value
    try:
        return np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a real number or numeric array, got {value!r}") from exc


def _lift(x: ArrayLike | Tensor) -> Tensor:
    """A Tensor as is; a number or array as a constant Tensor (no gradient)."""
    return x if isinstance(x, Tensor) else Tensor(x)


def _make(value, parents: tuple[Tensor, ...], backward, op: str) -> Tensor:
    """The result of an operation: a new tensor linked to its parents if any needs a grad."""
    out = Tensor(0.0)
    out.value = np.asarray(value, dtype=np.float64)
    if any(p.requires_grad for p in parents):
        out.requires_grad = True
        out._parents, out._backward, out._op = parents, backward, op
    return out


def _topological_order(root: Tensor) -> list[Tensor]:
    """Nodes reachable from root that need a gradient, each after all of its parents.

    Iterative depth-first search: a node is emitted once all its parents have been.
    """
    order: list[Tensor] = []
    seen = {id(root)}
    stack: list[tuple[Tensor, int]] = [(root, 0)]
    while stack:
        node, i = stack.pop()
        if i < len(node._parents):
            stack.append((node, i + 1))
            parent = node._parents[i]
            if parent.requires_grad and id(parent) not in seen:
                seen.add(id(parent))
                stack.append((parent, 0))
        else:
            order.append(node)
    return order


def _unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum g over the axes broadcasting added or stretched, giving an array of ``shape``."""
    if g.shape == shape:
        return g
    g = g.sum(axis=tuple(range(g.ndim - len(shape))))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if stretched:
        g = g.sum(axis=stretched, keepdims=True)
    return g.reshape(shape)


def _normalize_axes(axis, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, numbers.Integral) else tuple(axis)
    return tuple(sorted(int(a) % ndim for a in axes)) if ndim else ()


def _expand(g: np.ndarray, shape, axes: tuple[int, ...], keepdims: bool) -> np.ndarray:
    """Copy the gradient of a reduction back along the reduced axes."""
    if not keepdims:
        g = np.expand_dims(g, axes)
    return np.broadcast_to(g, shape)


# --------------------------------------------------------------------- binary operations
def _add(a: Tensor, b: Tensor) -> Tensor:
    sa, sb = a.shape, b.shape
    return _make(
        a.value + b.value, (a, b), lambda g: (_unbroadcast(g, sa), _unbroadcast(g, sb)), "add"
    )


def _sub(a: Tensor, b: Tensor) -> Tensor:
    sa, sb = a.shape, b.shape
    return _make(
        a.value - b.value, (a, b), lambda g: (_unbroadcast(g, sa), _unbroadcast(-g, sb)), "sub"
    )


def _mul(a: Tensor, b: Tensor) -> Tensor:
    va, vb = a.value, b.value
    return _make(
        va * vb,
        (a, b),
        lambda g: (_unbroadcast(g * vb, va.shape), _unbroadcast(g * va, vb.shape)),
        "mul",
    )


def _div(a: Tensor, b: Tensor) -> Tensor:
    va, vb = a.value, b.value
    return _make(
        va / vb,
        (a, b),
        lambda g: (_unbroadcast(g / vb, va.shape), _unbroadcast(-g * va / (vb * vb), vb.shape)),
        "div",
    )


def _pow(a: Tensor, p: Tensor) -> Tensor:
    """y = a ** p. dy/da = p a^(p-1) (0 where p = 0); dy/dp = y ln a (0 where a = 0 = y).

    The ln a term is computed only when p needs a gradient, so ``x ** 2`` with negative x
    is fine, while a differentiable exponent needs a positive base (as in real analysis).
    """
    va, vp = a.value, p.value
    y = va**vp
    need_a, need_p = a.requires_grad, p.requires_grad

    def backward(g):
        ga = gp = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if need_a:
                ga = _unbroadcast(g * np.where(vp == 0, 0.0, vp * va ** (vp - 1)), va.shape)
            if need_p:
                gp = _unbroadcast(g * np.where((va == 0) & (y == 0), 0.0, y * np.log(va)), vp.shape)
        return ga, gp

    return _make(y, (a, p), backward, "pow")


def _matmul(a: Tensor, b: Tensor) -> Tensor:
    """Y = A @ B for 1-D or 2-D operands; dA = g @ B.T, dB = A.T @ g.

    A vector on the left is treated as a row (1, k), on the right as a column (k, 1), as
    numpy does, so one pair of formulas covers matrix-matrix, matrix-vector and dot.
    """
    _check_matmul_shapes(a.shape, b.shape)
    va, vb = a.value, b.value
    a2 = va if va.ndim == 2 else va[None, :]
    b2 = vb if vb.ndim == 2 else vb[:, None]

    def backward(g):
        g2 = g.reshape(a2.shape[0], b2.shape[1])
        return (g2 @ b2.T).reshape(va.shape), (a2.T @ g2).reshape(vb.shape)

    return _make(va @ vb, (a, b), backward, "matmul")


def _check_matmul_shapes(sa: tuple[int, ...], sb: tuple[int, ...]) -> None:
    if len(sa) not in (1, 2) or len(sb) not in (1, 2):
        raise ValueError(
            f"matmul supports 1-D and 2-D operands; got shapes {sa} (left) and {sb} (right)"
        )
    inner_a, inner_b = sa[-1], sb[0]
    if inner_a != inner_b:
        raise ValueError(
            f"matmul shape mismatch: left operand has shape {sa}, right operand has shape "
            f"{sb}; the left's last dimension ({inner_a}) must equal the right's first "
            f"({inner_b})"
        )


# --------------------------------------------------------------------- functional forms
def exp(x: ArrayLike | Tensor) -> Tensor:
    """Elementwise e^x of a tensor (or of a number/array, as a constant tensor)."""
    return _lift(x).exp()


def log(x: ArrayLike | Tensor) -> Tensor:
    """Elementwise natural logarithm; non-positive entries give nan/-inf (numpy warns)."""
    return _lift(x).log()


def tanh(x: ArrayLike | Tensor) -> Tensor:
    """Elementwise tanh."""
    return _lift(x).tanh()


def sigmoid(x: ArrayLike | Tensor) -> Tensor:
    """Elementwise logistic function 1 / (1 + e^-x)."""
    return _lift(x).sigmoid()


def relu(x: ArrayLike | Tensor) -> Tensor:
    """Elementwise max(0, x)."""
    return _lift(x).relu()


def zero_grad(*tensors: Tensor) -> None:
    """Set ``.grad`` of each tensor to zeros (gradients accumulate otherwise)."""
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"zero_grad expects Tensors, got {t!r}")
        t.zero_grad()


# --------------------------------------------------------------------- jax-style helpers
def value_and_grad(
    fn: Callable[..., Tensor], argnums: int | tuple[int, ...] = 0
) -> Callable[..., tuple[float, np.ndarray | tuple[np.ndarray, ...]]]:
    """Turn a scalar function J(x, ...) written with tensors into one returning (J, dJ/dx).

    The arguments listed in ``argnums`` are wrapped as fresh ``Tensor(requires_grad=True)``;
    the others are passed through unchanged. A tuple ``argnums`` gives a tuple of gradients.
    """
    nums = (argnums,) if isinstance(argnums, numbers.Integral) else tuple(argnums)
    for n in nums:
        check_int("argnums", n, minimum=0)

    def wrapped(*args):
        if max(nums, default=-1) >= len(args):
            raise ValueError(f"argnums {argnums!r} out of range for {len(args)} argument(s)")
        args = list(args)
        leaves = [Tensor(args[n], requires_grad=True) for n in nums]
        for n, leaf in zip(nums, leaves):
            args[n] = leaf
        out = _lift(fn(*args))
        if out.size != 1:
            raise ValueError(f"fn must return a one-element value, got shape {out.shape}")
        if out.requires_grad:
            out.backward()
        grads = tuple(np.zeros_like(t.value) if t.grad is None else t.grad for t in leaves)
        return out.item(), grads[0] if isinstance(argnums, numbers.Integral) else grads

    return wrapped


def grad(
    fn: Callable[..., Tensor], argnums: int | tuple[int, ...] = 0
) -> Callable[..., np.ndarray | tuple[np.ndarray, ...]]:
    """A function computing dJ/dx for a scalar J = fn(x, ...), like ``jax.grad``."""
    vg = value_and_grad(fn, argnums)
    return lambda *args: vg(*args)[1]


class _TensorCost:
    """``cost_fn`` (written with tensors) as the ``value(w)`` / ``grad(w)`` pair that
    :func:`dlcourse.descent.path` calls: one backward pass per step, the gradient kept for
    the ``grad`` call that follows ``value`` at the same w."""

    def __init__(self, cost_fn: Callable[[Tensor], Tensor]):
        self._vg = value_and_grad(cost_fn)
        self._at: np.ndarray | None = None
        self._grad: np.ndarray | None = None

    def value(self, w: np.ndarray) -> float:
        J, self._grad = self._vg(w)
        self._at = w
        return J

    def grad(self, w: np.ndarray) -> np.ndarray:
        return self._grad if w is self._at else self._vg(w)[1]


def minimize(
    cost_fn: Callable[[Tensor], Tensor],
    w0: ArrayLike,
    lr: float,
    steps: int,
    radius: float = RADIUS,
) -> tuple[np.ndarray, np.ndarray]:
    """Gradient descent w <- w - alpha dJ/dw, with dJ/dw found by backpropagation from J alone.

    Returns ``(ws, costs)``: ``ws[k]`` is w after k steps (``ws[0] = w0``, shape
    ``(steps + 1,) + shape(w0)``) and ``costs[k] = J(ws[k])``. The loop is
    :func:`dlcourse.descent.path`, with its one divergence rule: step k has diverged when
    w_k is not finite, or some |w_k,i| > ``radius`` (:data:`dlcourse.descent.RADIUS` = 1e6;
    ``radius=inf`` checks finiteness only), or J(w_k) is not finite. The path then stops
    at step k, its last entry being that far or non-finite row, and a RuntimeWarning says
    so (a learning rate that is too large is the usual cause). A path that flies away
    therefore stops once |w| passes ``radius``, while its cost is still finite, not
    hundreds of steps later when the cost overflows.
    """
    lr = check_positive("lr", lr)
    steps = check_int("steps", steps, minimum=0)
    p = path(_TensorCost(cost_fn), _as_float_array(w0, "w0"), lr=lr, steps=steps, radius=radius)
    if p.diverged_at is not None:
        warnings.warn(
            f"minimize: the path diverged at step {p.diverged_at} (w = "
            f"{p.ws[-1]}, J = {p.costs[-1]}: not finite or |w| > {radius:g}); it "
            f"stops there (a learning rate lr={lr} that is too large is the usual "
            f"cause)",
            RuntimeWarning,
            stacklevel=2,
        )
    return p.ws, p.costs


__all__ = [
    "Tensor",
    "exp",
    "log",
    "tanh",
    "sigmoid",
    "relu",
    "zero_grad",
    "grad",
    "value_and_grad",
    "minimize",
]
