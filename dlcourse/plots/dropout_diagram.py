"""Dropout drawn: the same small network at two training steps (a fresh mask each) and at
test time (every unit, nothing scaled)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["dropout_masks", "draw_network", "dropout_diagram"]


def dropout_masks(sizes: Sequence[int], keep_prob: float, rng) -> list[np.ndarray]:
    """One 0/1 mask per layer; input and output layers are never dropped."""
    rng = np.random.default_rng(rng)
    masks = []
    for k, n in enumerate(sizes):
        hidden = 0 < k < len(sizes) - 1
        masks.append((rng.random(n) < keep_prob) if hidden else np.ones(n, bool))
    return masks


def draw_network(
    ax, sizes: Sequence[int], masks: Sequence[np.ndarray], title: str, scale_label: str = ""
) -> None:
    """Units as circles (filled: kept, hollow with a cross: dropped), edges between kept units."""
    xs = np.arange(len(sizes), dtype=float)
    pos = [np.linspace(-(n - 1) / 2, (n - 1) / 2, n) for n in sizes]
    for k in range(len(sizes) - 1):
        for i, yi in enumerate(pos[k]):
            for j, yj in enumerate(pos[k + 1]):
                if masks[k][i] and masks[k + 1][j]:
                    ax.plot([xs[k], xs[k + 1]], [yi, yj], color="0.55", lw=0.8, zorder=1)
    for k, ys in enumerate(pos):
        for i, y in enumerate(ys):
            kept = masks[k][i]
            ax.scatter(
                xs[k],
                y,
                s=260,
                zorder=2,
                edgecolors="k",
                facecolors="tab:blue" if kept else "white",
            )
            if not kept:
                ax.scatter(xs[k], y, s=120, marker="x", color="tab:red", zorder=3)
    if scale_label:
        for k in range(1, len(sizes) - 1):
            ax.text(xs[k], pos[k][-1] + 0.9, scale_label, ha="center", fontsize=9)
    top = max(len(p) for p in pos) / 2 + 1.2
    ax.set(xlim=(-0.5, len(sizes) - 0.5), ylim=(-top, top), xticks=[], yticks=[])
    ax.set_title(title, fontsize=10)
    for spine in ax.spines.values():
        spine.set_visible(False)


def dropout_diagram(sizes: Sequence[int] = (3, 6, 6, 2), keep_prob: float = 0.5, seeds=(1, 2)):
    """A figure: training step t, training step t + 1 (a new mask), and test time."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    with plt.ioff():
        fig, axes = plt.subplots(1, 3, figsize=(11, 3.6))
    scale = f"kept x 1/{keep_prob:g}"
    for ax, seed, step in zip(axes, seeds, ("t", "t + 1")):
        draw_network(
            ax,
            sizes,
            dropout_masks(sizes, keep_prob, seed),
            f"training, step {step}: a fresh mask",
            scale,
        )
    draw_network(
        axes[2], sizes, [np.ones(n, bool) for n in sizes], "test time: every unit, no scaling"
    )
    handles = [
        Line2D([], [], marker="o", ls="", ms=11, mfc="tab:blue", mec="k", label="kept unit"),
        Line2D([], [], marker="x", ls="", ms=9, color="tab:red", label="dropped unit"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig
