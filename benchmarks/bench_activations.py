"""What an activation costs per evaluation: exponentials (sigmoid, tanh, ELU) against a
comparison (ReLU, leaky ReLU), in one process.

Three measurements, each the fastest of ``--repeats`` timings (the time without
interference from other processes; a shared machine inflates the others):
- kernels: numpy's ``exp``, ``tanh``, ``maximum(z, 0)`` and ``z > 0`` on 10^6 entries;
- layers: the forward pass, and the forward plus backward pass, of the package's activation
  layers on a (1000, 1000) array, float64 and float32;
- training: one full-batch Adam step (``dl.train_step``) of notebook 02's race network
  (flower data, 6 hidden layers of 16 units) with each activation, where the matrix products
  and the rest of the step share the time with the activation.

Each time is printed with its ratio to ReLU's. Wall-clock ratios depend on the CPU, the
numpy build and the load, so notebook 02 quotes the range measured here, never a time of its
own. Run: python benchmarks/bench_activations.py [--repeats N]
"""

from __future__ import annotations

import argparse
import time
from typing import Callable

import numpy as np

import dlcourse as dl
from dlcourse.experiments.activation_race import RACE_INIT
from dlcourse.experiments.activation_stats import flower_data
from dlcourse.experiments.networks import mlp
from dlcourse.train import train_step

LAYERS = {
    "sigmoid": dl.Sigmoid,
    "tanh": dl.Tanh,
    "ELU": dl.ELU,
    "leaky ReLU": dl.LeakyReLU,
    "ReLU": dl.ReLU,
}
NAMES = {
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "ELU": "elu",
    "leaky ReLU": "leaky_relu",
    "ReLU": "relu",
}


def best_time(fn: Callable[[], object], repeats: int) -> float:
    """The fewest wall-clock seconds ``fn()`` took in ``repeats`` calls, after one warm-up."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def kernels(repeats: int) -> dict[str, float]:
    z = np.random.default_rng(0).standard_normal(10**6)
    out = np.empty_like(z)
    mask = np.empty(z.shape, dtype=bool)
    return {
        "exp": best_time(lambda: np.exp(z, out=out), repeats),
        "tanh": best_time(lambda: np.tanh(z, out=out), repeats),
        "maximum(z, 0)": best_time(lambda: np.maximum(z, 0.0, out=out), repeats),
        "z > 0": best_time(lambda: np.greater(z, 0.0, out=mask), repeats),
    }


def layers(repeats: int, dtype, backward: bool) -> dict[str, float]:
    z = np.random.default_rng(0).standard_normal((1000, 1000)).astype(dtype)
    ones = np.ones_like(z)
    times = {}
    for name, make in LAYERS.items():
        layer = make()

        def run(layer=layer):
            layer.forward(z)
            if backward:
                layer.backward(ones)

        times[name] = best_time(run, repeats)
    return times


def race_network(activation: str) -> dl.Sequential:
    """Notebook 02's race network (:func:`~dlcourse.experiments.networks.mlp`, 2 -> 6 x 16
    -> 2) with the race's initialization, He for leaky ReLU."""
    init = RACE_INIT.get(activation, "he")
    return mlp(2, [16] * 6, 2, activation, init, rng=0)


def training(repeats: int) -> dict[str, float]:
    X, y = flower_data()
    times = {}
    for name in LAYERS:
        model, loss = race_network(NAMES[name]), dl.SoftmaxCrossEntropy()
        opt = dl.optim.Adam(model.parameters(), lr=0.01)
        times[name] = best_time(lambda: train_step(model, loss, opt, X, y), repeats)
    return times


def report(title: str, times: dict[str, float], base: str) -> None:
    print(f"\n{title}")
    for name, t in times.items():
        print(f"  {name:14s} {t * 1e3:9.3f} ms   {t / times[base]:5.2f} x {base}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    repeats = parser.parse_args().repeats
    report("numpy kernels, 10^6 float64 entries", kernels(repeats), "maximum(z, 0)")
    for dtype in (np.float64, np.float32):
        for backward in (False, True):
            what = "forward + backward" if backward else "forward"
            title = f"activation layers, {what}, (1000, 1000) {np.dtype(dtype).name}"
            report(title, layers(repeats, dtype, backward), "ReLU")
    X, _ = flower_data()
    report(f"one Adam step of the race network ({len(X)} examples)", training(repeats), "ReLU")


if __name__ == "__main__":
    main()
