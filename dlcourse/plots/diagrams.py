"""Diagrams drawn in code: a computation graph read from :mod:`dlcourse.autodiff`
(notebook 01) and a fully connected network with the shape of every array (notebook 03)."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import FancyBboxPatch

__all__ = ["graph_levels", "draw_computation_graph", "draw_network", "draw_building_blocks"]

_OP_SYMBOL = {"add": "+", "sub": "−", "mul": "×", "div": "÷", "neg": "−", "pow": "^"}


def graph_levels(out) -> tuple[list, dict[int, int]]:
    """The nodes below ``out`` (an autodiff Tensor) and, for each (by id), its level: 0 for the
    leaves, otherwise one more than its highest parent."""
    nodes, seen, stack = [], set(), [out]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            nodes.append(node)
            stack.extend(node.parents)
    level: dict[int, int] = {}

    def depth(node) -> int:
        if id(node) not in level:
            level[id(node)] = 1 + max((depth(p) for p in node.parents), default=-1)
        return level[id(node)]

    for node in nodes:
        depth(node)
    return nodes, level


def _box(ax: Axes, x: float, y: float, text: str, color: str) -> None:
    half = max(0.24, 0.11 * (text.count("\n") + 1))  # room for each line of 9-pt text
    ax.add_patch(
        FancyBboxPatch(
            (x - 0.5, y - half),
            1.0,
            2 * half,
            boxstyle="round,pad=0.04",
            fc=color,
            ec="0.25",
            lw=1.0,
            zorder=2,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=9, zorder=3)


def draw_computation_graph(
    ax: Axes, out, names: Mapping[int, str] | None = None, grads: bool = False
) -> None:
    """Draw the graph of ``out``: inputs on the left, the output on the right, one box per
    operation with its forward value (and, with ``grads``, each input's gradient after
    ``out.backward()``, and each operation's adjoint dJ/dv where ``retain_grad`` kept it).
    ``names`` maps ``id(tensor)`` to a label for the inputs."""
    names = dict(names or {})
    nodes, level = graph_levels(out)
    columns: dict[int, list] = {}
    for node in nodes:
        columns.setdefault(level[id(node)], []).append(node)
    pos = {}
    for lev, col in columns.items():
        col.sort(key=lambda n: names.get(id(n), "~" + n.op))
        for i, node in enumerate(col):
            pos[id(node)] = (1.6 * lev, (len(col) - 1) / 2 - i)
    for node in nodes:
        x1, y1 = pos[id(node)]
        for parent in node.parents:
            x0, y0 = pos[id(parent)]
            skips = level[id(node)] - level[id(parent)] > 1
            ax.annotate(
                "",
                (x1 - 0.55, y1),
                (x0 + 0.55, y0),
                zorder=1,
                arrowprops=dict(
                    arrowstyle="->",
                    color="0.35",
                    lw=1.0,
                    connectionstyle=f"arc3,rad={-0.35 if skips else 0.0}",
                ),
            )
    for node in nodes:
        x, y = pos[id(node)]
        value = float(np.asarray(node.value).ravel()[0])
        if node.op:
            label = f"{_OP_SYMBOL.get(node.op, node.op)}\n{value:+.3f}"
            if grads and node.grad is not None:
                label += f"\nadjoint {float(np.asarray(node.grad).ravel()[0]):+.3f}"
            color = "#fde6c4" if node is not out else "#f6b26b"
        else:
            name = names.get(id(node), "const")
            label = f"{name} = {value:g}"
            if grads and node.grad is not None:
                label += f"\ndJ/d{name} = {float(np.asarray(node.grad).ravel()[0]):+.3f}"
            color = "#cfe2f3"
        _box(ax, x, y, label, color)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.7, max(xs) + 0.7)
    ax.set_ylim(min(ys) - 0.6, max(ys) + 1.0)
    ax.set_axis_off()


def draw_network(ax: Axes, sizes: Sequence[int], m: int | None = None, max_units: int = 8) -> None:
    """Draw a fully connected network with layer sizes ``sizes`` = [n0, n1, ..., nL]: the units
    of each layer as circles, and under each layer the shapes of W, b and (for ``m``
    examples, rows convention) Z and A."""
    sizes = [int(n) for n in sizes]
    coords = []
    for l, n in enumerate(sizes):
        shown = min(n, max_units)
        ys = np.linspace(-(shown - 1) / 2, (shown - 1) / 2, shown) * 0.8
        coords.append((l * 3.0, ys))
    for (x0, ys0), (x1, ys1) in zip(coords[:-1], coords[1:]):
        for y0 in ys0:
            for y1 in ys1:
                ax.plot([x0, x1], [y0, y1], color="0.75", lw=0.6, zorder=1)
    bottom = min(ys.min() for _, ys in coords) - 0.9
    rows = "m" if m is None else str(m)
    for l, ((x, ys), n) in enumerate(zip(coords, sizes)):
        color = "#cfe2f3" if l == 0 else ("#f6b26b" if l == len(sizes) - 1 else "#fde6c4")
        ax.scatter(np.full(len(ys), x), ys, s=260, c=color, edgecolors="0.25", zorder=2)
        if n > max_units:
            ax.text(x, ys.min() - 0.5, f"({n} units)", ha="center", fontsize=8)
        title = "input $A^{[0]} = X$" if l == 0 else f"layer {l}"
        ax.text(x, ys.max() + 0.7, f"{title}\n$n^{{[{l}]}} = {n}$", ha="center", fontsize=9)
        if l == 0:
            lines = [f"X: ({rows}, {n})"]
        else:
            lines = [f"W: ({n}, {sizes[l - 1]})", f"b: ({n},)", f"Z, A: ({rows}, {n})"]
        ax.text(x, bottom, "\n".join(lines), ha="center", va="top", fontsize=9, family="monospace")
    ax.set_xlim(-1.5, 3.0 * (len(sizes) - 1) + 1.5)
    ax.set_ylim(bottom - 1.6, max(ys.max() for _, ys in coords) + 1.6)
    ax.set_axis_off()


def draw_building_blocks(ax: Axes, L: int = 3) -> None:
    """The forward/backward building blocks of an L-layer network: a row of forward blocks
    (A^[l-1] -> A^[l], each leaving a cache), a row of backward blocks (dA^[l] -> dA^[l-1],
    each reading its cache and giving dW^[l], db^[l])."""

    def block(x, y, text, color):
        ax.add_patch(
            FancyBboxPatch(
                (x - 0.75, y - 0.35),
                1.5,
                0.7,
                boxstyle="round,pad=0.05",
                fc=color,
                ec="0.25",
                lw=1.0,
                zorder=2,
            )
        )
        ax.text(x, y, text, ha="center", va="center", fontsize=9, zorder=3)

    def arrow(x0, y0, x1, y1, text="", dashed=False, dy=0.12):
        ax.annotate(
            "",
            (x1, y1),
            (x0, y0),
            arrowprops=dict(
                arrowstyle="->", color="0.3", lw=1.1, linestyle="--" if dashed else "-"
            ),
        )
        if text:
            ax.text((x0 + x1) / 2, (y0 + y1) / 2 + dy, text, ha="center", va="bottom", fontsize=9)

    xs = [2.4 * l for l in range(1, L + 1)]
    for l, x in enumerate(xs, 1):
        block(x, 2.0, f"layer {l} forward\n$Z^{{[{l}]}}$, $A^{{[{l}]}}$", "#fde6c4")
        block(x, 0.0, f"layer {l} backward\n$dW^{{[{l}]}}$, $db^{{[{l}]}}$", "#d9ead3")
        arrow(x, 1.62, x, 0.38, "", dashed=True)
        ax.text(
            x + 0.08,
            1.0,
            f"cache\n$A^{{[{l - 1}]}}, W^{{[{l}]}}, Z^{{[{l}]}}$",
            fontsize=8,
            ha="left",
            va="center",
        )
        arrow(x - 2.4 + 0.8, 2.0, x - 0.8, 2.0, f"$A^{{[{l - 1}]}}$")
        if l > 1:
            arrow(x - 0.8, 0.0, x - 2.4 + 0.8, 0.0, f"$dA^{{[{l - 1}]}}$")
    ax.text(xs[0] - 2.4 + 0.6, 2.0, "$X$", ha="right", va="center", fontsize=10)
    x_end = xs[-1] + 1.9
    ax.add_patch(
        FancyBboxPatch(
            (x_end - 0.5, 0.7),
            1.0,
            0.6,
            boxstyle="round,pad=0.05",
            fc="#f6b26b",
            ec="0.25",
            zorder=2,
        )
    )
    ax.text(x_end, 1.0, "cost $J$", ha="center", va="center", fontsize=9, zorder=3)
    arrow(xs[-1] + 0.8, 2.0, x_end, 1.35, f"$Z^{{[{L}]}}$")
    arrow(x_end, 0.65, xs[-1] + 0.8, 0.0, f"$dZ^{{[{L}]}}$", dy=-0.4)
    ax.set_xlim(xs[0] - 2.2, x_end + 0.8)
    ax.set_ylim(-0.7, 2.7)
    ax.set_axis_off()
