"""Training speed of dlcourse against a minimal numpy loop and PyTorch (CPU), in one process.

Two cases:
- notebook: 1000 points, 2 -> 16 -> 16 -> 2 (ReLU), full batch, Adam, 300 epochs, float64
  (the work one slider move triggers);
- large: 60 000 x 784 -> 512 -> 512 -> 10 (ReLU), batch 128, Adam, float32, one epoch.

Each engine runs the same arithmetic (same initial weights, same batches); the script prints
the median time of several repeats, the ratios to the minimal numpy loop and to PyTorch,
and the fraction of the machine's GEMM peak (a large float32/float64 matmul measured here)
that the training reaches. Run: python benchmarks/bench_training.py [--repeats N] [--quick]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

import dlcourse as dl


# ----------------------------------------------------------------------------- data, weights
def make_case(name: str, quick: bool = False) -> dict:
    rng = np.random.default_rng(0)
    if name == "notebook":
        m, sizes, batch, epochs, dtype = 1000, [2, 16, 16, 2], None, 300, np.float64
    else:
        m, sizes, batch, epochs, dtype = (
            (6000 if quick else 60000),
            [784, 512, 512, 10],
            128,
            1,
            np.float32,
        )
    X = rng.standard_normal((m, sizes[0])).astype(dtype)
    y = rng.integers(0, sizes[-1], m)
    weights = [
        (rng.standard_normal((o, i)) * math.sqrt(2 / i)).astype(dtype)
        for i, o in zip(sizes[:-1], sizes[1:])
    ]
    return dict(
        name=name,
        X=X,
        y=y,
        sizes=sizes,
        batch=batch,
        epochs=epochs,
        dtype=dtype,
        weights=weights,
        lr=1e-3,
    )


def batches(m: int, batch: int | None, epochs: int):
    """The same index batches for every engine (as dl.fit with seed=0 draws them)."""
    rng = np.random.default_rng(0)
    for _ in range(epochs):
        if batch is None or batch >= m:
            yield slice(None)
            continue
        order = rng.permutation(m)
        for s in range(0, m, batch):
            yield order[s : s + batch]


# ----------------------------------------------------------------------------- engines
def run_dlcourse(case: dict) -> float:
    layers = []
    for k, W in enumerate(case["weights"]):
        dense = dl.Dense(W.shape[1], W.shape[0], dtype=case["dtype"])
        dense.W.value[...] = W
        layers += [dense] + ([dl.ReLU()] if k < len(case["weights"]) - 1 else [])
    model = dl.Sequential(layers)
    opt = dl.optim.Adam(model.parameters(), lr=case["lr"])
    history = dl.fit(
        model,
        case["X"],
        case["y"],
        loss=dl.SoftmaxCrossEntropy(),
        optimizer=opt,
        epochs=case["epochs"],
        batch_size=case["batch"],
        seed=0,
    )
    return history.step_loss[-1]


def run_numpy(case: dict) -> float:
    """The floor: forward, backward and an in-place Adam, with nothing else."""
    X, y = case["X"], case["y"]
    Ws = [W.copy() for W in case["weights"]]
    bs = [np.zeros(W.shape[0], W.dtype) for W in Ws]
    params = Ws + bs
    v = [np.zeros_like(p) for p in params]
    s = [np.zeros_like(p) for p in params]
    tmp = [np.empty_like(p) for p in params]
    lr, b1, b2, eps = case["lr"], 0.9, 0.999, 1e-8
    L = len(Ws)
    for t, idx in enumerate(batches(len(X), case["batch"], case["epochs"]), 1):
        xb, yb = X[idx], y[idx]
        m = len(xb)
        acts = [xb]
        for k in range(L):
            z = acts[-1] @ Ws[k].T
            z += bs[k]
            acts.append(np.maximum(z, 0) if k < L - 1 else z)
        z = acts[-1]
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(axis=1, keepdims=True)
        loss = -np.log(p[np.arange(m), yb]).mean()
        p[np.arange(m), yb] -= 1
        dz = p / m
        grads = [None] * (2 * L)
        for k in range(L - 1, -1, -1):
            grads[k] = dz.T @ acts[k]
            grads[L + k] = dz.sum(axis=0)
            if k:
                dz = (dz @ Ws[k]) * (acts[k] > 0)
        c1, c2 = lr / (1 - b1**t), math.sqrt(1 - b2**t)
        for P, g, vv, ss, buf in zip(params, grads, v, s, tmp):
            vv *= b1
            np.multiply(g, 1 - b1, out=buf)
            vv += buf
            ss *= b2
            np.multiply(g, g, out=buf)
            buf *= 1 - b2
            ss += buf
            np.sqrt(ss, out=buf)
            buf /= c2
            buf += eps
            np.divide(vv, buf, out=buf)
            buf *= c1
            P -= buf
    return float(loss)


def run_torch(case: dict) -> float:
    import torch

    tdtype = torch.float64 if case["dtype"] == np.float64 else torch.float32
    X = torch.from_numpy(case["X"])
    y = torch.from_numpy(case["y"])
    layers = []
    for k, W in enumerate(case["weights"]):
        lin = torch.nn.Linear(W.shape[1], W.shape[0], dtype=tdtype)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W))
            lin.bias.zero_()
        layers += [lin] + ([torch.nn.ReLU()] if k < len(case["weights"]) - 1 else [])
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=case["lr"])
    idx_list = list(batches(len(X), case["batch"], case["epochs"]))
    for idx in idx_list:
        idx_t = idx if isinstance(idx, slice) else torch.from_numpy(idx)
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(X[idx_t]), y[idx_t])
        loss.backward()
        opt.step()
    return loss.item()


# ----------------------------------------------------------------------------- measuring
def median_time(fn, case, repeats: int) -> tuple[float, float]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn(case)
        times.append(time.perf_counter() - start)
    return float(np.median(times)), result


def gemm_peak(dtype, n: int = 1536, repeats: int = 5) -> float:
    """FLOP/s of a large square matmul: the practical peak of this machine's BLAS."""
    a = np.random.default_rng(1).standard_normal((n, n)).astype(dtype)
    b = a.copy()
    a @ b
    best = min(_timed(lambda: a @ b) for _ in range(repeats))
    return 2 * n**3 / best


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def training_flops(case: dict) -> float:
    """Forward 2 + backward 4 flops per weight per example (the GEMMs), over the run."""
    weights = sum(W.size for W in case["weights"])
    return 6.0 * weights * len(case["X"]) * case["epochs"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="large case on 6 000 examples")
    args = parser.parse_args()
    try:
        import torch

        torch.set_num_threads(max(1, torch.get_num_threads()))
        engines = {"numpy": run_numpy, "dlcourse": run_dlcourse, "torch": run_torch}
    except ImportError:
        engines = {"numpy": run_numpy, "dlcourse": run_dlcourse}
        print("PyTorch not installed: comparing dlcourse with the numpy loop only")
    for name in ("notebook", "large"):
        case = make_case(name, args.quick)
        repeats = args.repeats if name == "notebook" else max(1, args.repeats // 2)
        peak = gemm_peak(case["dtype"])
        results = {}
        for engine, fn in engines.items():
            fn(case) if name == "notebook" else None  # warm-up
            results[engine] = median_time(fn, case, repeats)
        print(
            f"\n{name}: {case['sizes']}, batch {case['batch'] or 'full'}, "
            f"{case['epochs']} epoch(s), {np.dtype(case['dtype']).name}, median of {repeats}"
        )
        base = results["numpy"][0]
        for engine, (seconds, loss) in results.items():
            ratio_torch = (
                f"{seconds / results['torch'][0]:5.2f}x torch" if "torch" in results else ""
            )
            frac = training_flops(case) / seconds / peak
            print(
                f"  {engine:9s} {seconds * 1e3:9.1f} ms  {seconds / base:5.2f}x numpy  "
                f"{ratio_torch}  {100 * frac:5.1f}% of GEMM peak  (final loss {loss:.6f})"
            )
        print(f"  GEMM peak here: {peak / 1e9:.1f} GFLOP/s ({np.dtype(case['dtype']).name})")


if __name__ == "__main__":
    main()
