"""The Playground's run as ``dlcourse`` code: a learner continues in a notebook.

:func:`export_code` writes the code that rebuilds the run's data, features, network, loss,
optimizer and schedule, and loads the weights :func:`save_run` saved with ``dl.save``; run in
a fresh namespace it gives the Playground's predictions exactly. The reverse,
a Playground opened from a notebook's model, is ``PlaygroundRun.from_model``.
"""

from __future__ import annotations

import math
import os

from .. import io
from .playground_net import PlaygroundRun

__all__ = ["export_code", "save_run"]

_SCHEDULE = {
    "constant": "dl.optim.schedules.constant({lr!r})",
    "step": "dl.optim.schedules.step_decay({lr!r}, drop=0.5, every={every})",
    "exponential": "dl.optim.schedules.exponential_decay({lr!r}, k={k!r})",
    "inverse_time": "dl.optim.schedules.inverse_time_decay({lr!r}, decay_rate={k!r})",
}


def _data_code(run: PlaygroundRun) -> list[str]:
    cfg = run.config
    if cfg["dataset"] != "custom":
        return [
            f"# the data: the Playground's {cfg['dataset']!r} set",
            "X_train, X_test, y_train, y_test = make_data(",
            f"    {cfg['dataset']!r}, {cfg['noise']!r}, {cfg['train_ratio']!r}, "
            f"{cfg['n_points']!r}, {cfg['data_seed']!r}",
            ")",
        ]
    X, y = run.points
    dtype = "float" if run.problem == "regression" else "np.int64"
    return [
        "# the data: your own points (x1, x2, label), scaled as the Playground's sets",
        f"X = np.array({X.tolist()!r})",
        f"y = np.array({y.tolist()!r}).astype({dtype})",
        "X_train, X_test, y_train, y_test = split_points(",
        f"    scale_points(X), y, {cfg['train_ratio']!r}, {cfg['data_seed']!r}",
        ")",
    ]


def _optimizer_code(run: PlaygroundRun) -> list[str]:
    cfg = run.config
    every = max(1, round(math.log(2) / cfg["decay"]))
    schedule = _SCHEDULE[cfg["schedule"]].format(lr=cfg["lr"], k=cfg["decay"], every=every)
    lines = [
        "# the optimizer and its schedule (epoch -> alpha)",
        f"optimizer = dl.optim.create({cfg['optimizer']!r}, model.parameters(), {cfg['lr']!r}, "
        f"beta={cfg['beta']!r}, beta1={cfg['beta1']!r}, beta2={cfg['beta2']!r})",
        f"schedule = {schedule}",
    ]
    if cfg["optimizer"] == "nesterov" and cfg["beta"] > 0:
        lines += [
            "# Nesterov's step is alpha (1 - beta) (the EWA form of dl.optim.create)",
            f"schedule = (lambda s: lambda epoch: s(epoch) * {1.0 - cfg['beta']!r})(schedule)",
        ]
    return lines


def export_code(run: PlaygroundRun, weights: str | os.PathLike = "playground.npz") -> str:
    """Python code that rebuilds ``run`` (data, features, network, loss, optimizer,
    schedule) and loads its weights from ``weights`` (saved by :func:`save_run`);
    ``train_more(epochs)`` in it trains on as the Playground would."""
    cfg = run.config
    n_out = 1 if run.classes <= 2 else run.classes
    scale = cfg["init_scale"] if cfg["init"] == "random" else None
    loss = {"regression": "dl.MSE()"}.get(
        run.problem, "dl.BinaryCrossEntropy()" if n_out == 1 else "dl.SoftmaxCrossEntropy()"
    )
    batch = None if cfg["batch_size"] == "full" else cfg["batch_size"]
    lines = [
        f"# The Playground's run after {run.epoch} epochs, as dlcourse code.",
        "import numpy as np",
        "",
        "import dlcourse as dl",
        "from dlcourse.experiments.networks import mlp",
        "from dlcourse.experiments.playground_net import (",
        "    feature_matrix, make_data, scale_points, split_points",
        ")",
        "",
        *_data_code(run),
        f"features = {cfg['features']!r}",
        "F_train, F_test = feature_matrix(X_train, features), feature_matrix(X_test, features)",
        "",
        "# the network, with the weights the Playground trained",
        f"model = mlp({len(cfg['features'])}, {cfg['hidden']!r}, {n_out}, {cfg['activation']!r}, "
        f"{cfg['init']!r}, {scale!r}, {cfg['batch_norm']!r}, {cfg['dropout']!r}, "
        f"rng=np.random.default_rng({cfg['seed']!r}))",
        f"dl.load(model, {os.fspath(weights)!r})",
        f"loss = {loss}",
        "",
        *_optimizer_code(run),
        "",
        "",
        "def train_more(epochs):",
        '    """Train on (a new run of dl.fit: its data order is not the Playground\'s)."""',
        "    return dl.fit(",
        f"        model, F_train, y_train, loss, optimizer, epochs=epochs, batch_size={batch!r},",
        f"        l2={cfg['l2']!r}, l1={run.setting('l1')!r}, schedule=schedule, "
        "validation=(F_test, y_test),",
        "    )",
        "",
    ]
    return "\n".join(lines)


def save_run(run: PlaygroundRun, path: str | os.PathLike) -> str:
    """Save the run's weights to ``path`` (``dl.save``) and return :func:`export_code`."""
    io.save(run.model, path)
    return export_code(run, path)
