"""How long a dashboard takes to react when a control moves.

For every dashboard in ``dlcourse.widgets`` (the ones it names, then any other ``Dashboard``
subclass found in its modules) and every control of it, the control is moved ``--repeats``
times through the real ipywidgets object (``widget.value = x`` runs the same callback as a
drag: recompute, update the artists in place and push the frame to the dashboard's Image),
each time to a value not visited before, so that caches do not flatter the numbers. Reported
per control:

- ``update`` median and p90 (ms): the time of ``widget.value = x``, the push (a blit or a
  full Agg draw, and the PNG) included; ``cpu``: its median process time (steadier than the
  wall clock on a busy machine; with 2 BLAS threads it counts both);
- ``draw`` median (ms): one full draw of the figure afterwards (``AggView.full_draw``), what a
  push costs when the layout changed; ``full``: the share of the moves whose push was a
  full draw (the rest were blits).

Target: update median < 100 ms. Sliders marked ``release`` update only when released
(``continuous_update=False``), so a longer update is acceptable there.

    python benchmarks/bench_widgets.py [--repeats 9] [--only OptimizerRace,EWAExplorer] [--no-draw]
                                       [--live]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import math
import pkgutil
import sys
import time
import warnings

import numpy as np

import matplotlib

matplotlib.use("Agg")

import dlcourse.widgets as widgets  # noqa: E402
from dlcourse.widgets.base import Dashboard  # noqa: E402

TARGET_MS = 100.0


def find_dashboards() -> tuple[dict[str, type], list[str]]:
    """{name: class} for every dashboard, and notes for those that could not be imported."""
    found, notes = {}, []
    for name in getattr(widgets, "_DASHBOARDS", {}):
        try:
            found[name] = getattr(widgets, name)
        except Exception as exc:  # not written yet, or broken: say so and go on
            notes.append(f"{name}: skipped ({type(exc).__name__}: {exc})")
    for info in pkgutil.iter_modules(widgets.__path__):
        if info.name == "base":
            continue
        try:
            module = importlib.import_module(f"dlcourse.widgets.{info.name}")
        except Exception as exc:
            notes.append(f"module {info.name}: skipped ({type(exc).__name__}: {exc})")
            continue
        for name, obj in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(obj, Dashboard)
                and obj is not Dashboard
                and obj.__module__ == module.__name__
                and name not in found
            ):
                found[name] = obj
    return found, notes


def new_values(widget, repeats: int) -> list | None:
    """``repeats`` values for the control, each different from the current one and from each
    other where the control allows it; None for a kind of control this does not know."""
    if hasattr(widget, "checkboxes"):  # a group of checkboxes: tick/untick one
        box = next(iter(widget.checkboxes.values()))
        return [("box", box, not box.value if i % 2 == 0 else box.value) for i in range(repeats)]
    if hasattr(widget, "options") and not isinstance(widget.value, (tuple, list)):
        options = [o[1] if isinstance(o, tuple) else o for o in widget.options]
        others = [o for o in options if o != widget.value]
        return others[:repeats] if others else None  # each option once: no cache hits
    if isinstance(widget.value, bool):
        return [not widget.value if i % 2 == 0 else widget.value for i in range(repeats)]
    if hasattr(widget, "base"):  # FloatLogSlider: walk the exponent
        lo, hi = widget.min, widget.max
        now = math.log(widget.value, widget.base)
        return [float(widget.base**e) for e in _walk(now, lo, hi, widget.step, repeats)]
    if hasattr(widget, "min") and hasattr(widget, "max"):
        lo, hi, now = widget.min, widget.max, widget.value
        if isinstance(now, int):
            end = now + 0.3 * (hi - now) if hi - now > now - lo else now - 0.3 * (now - lo)
            values = np.linspace(now, end, repeats + 1)[1:]
            return sorted(set(int(round(v)) for v in values) - {now})
        return [float(v) for v in _walk(now, lo, hi, widget.step, repeats)]
    return None


def _walk(now: float, lo: float, hi: float, step: float, repeats: int) -> list[float]:
    """Up to ``repeats`` points from ``now`` towards the farther end (30 % of the way, at
    least one slider step apart, on the slider's grid): a move of less than half a step is
    an echo of the browser's rounding, which the dashboards ignore (``is_snap_echo``)."""
    end = now + 0.3 * (hi - now) if hi - now > now - lo else now - 0.3 * (now - lo)
    n = max(1, min(repeats, int(abs(end - now) / step)))
    grid = {round(v / step) * step for v in np.linspace(now, end, n + 1)[1:]}
    return [
        float(v)
        for v in sorted(grid, key=lambda v: abs(v - now))
        if abs(v - now) >= step * 0.999 and lo <= v <= hi
    ]


def move(widget, value) -> None:
    if isinstance(value, tuple) and value and value[0] == "box":
        value[1].value = value[2]
    else:
        widget.value = value


def live_move(d: Dashboard, widget, value) -> tuple[float, float]:
    """Move the control inside a running event loop (outside a notebook cell, as a move in
    the browser): a dashboard that streams returns after its first part. Returns the seconds until the move returned (the first picture) and until
    the stream (if any) had finished."""

    async def run() -> tuple[float, float]:
        t0 = time.perf_counter()
        move(widget, value)
        first = time.perf_counter() - t0
        stream = getattr(d, "_stream", None)
        while stream is not None and stream.streaming:
            await asyncio.sleep(0)
        return first, time.perf_counter() - t0

    return asyncio.run(run())


def bench_control(
    d: Dashboard, name: str, repeats: int, draw: bool, live: bool = False
) -> dict | None:
    widget = d.controls[name]
    values = new_values(widget, repeats)
    if not values:
        return None
    view = d.view_agg
    updates, cpu, draws, streams = [], [], [], []
    full0 = view.full_draws
    for value in values:
        t0, c0 = time.perf_counter(), time.process_time()
        if live:
            first, total = live_move(d, widget, value)
            updates.append(first)
            streams.append(total)
        else:
            move(widget, value)
            updates.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        if draw:
            t0 = time.perf_counter()
            view.full_draw()
            draws.append(time.perf_counter() - t0)
            full0 += 1
    ms = 1000 * np.array(updates)
    return {
        "control": name,
        "n": len(values),
        "median": float(np.median(ms)),
        "p90": float(np.percentile(ms, 90)),
        "cpu": float(np.median(1000 * np.array(cpu))),
        "full": (view.full_draws - full0) / len(values),
        "draw": float(np.median(1000 * np.array(draws))) if draws else float("nan"),
        "stream": float(np.median(1000 * np.array(streams))) if streams else float("nan"),
        "release": getattr(widget, "continuous_update", True) is False,
        "message": d.message,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9, help="moves per control (default 9)")
    parser.add_argument("--only", default="", help="comma-separated dashboard names")
    parser.add_argument("--no-draw", action="store_true", help="skip the Agg draw timing")
    parser.add_argument(
        "--live",
        action="store_true",
        help="move inside an event loop, as the browser does: "
        "'median' is then the time to the first picture of a streaming "
        "dashboard, 'stream' the time until its stream has finished",
    )
    args = parser.parse_args(argv)
    found, notes = find_dashboards()
    if args.only:
        wanted = set(args.only.split(","))
        found = {k: v for k, v in found.items() if k in wanted}
    header = (
        f"{'dashboard':<24} {'control moved':<18} {'n':>3} {'median ms':>10} {'p90 ms':>8} "
        f"{'cpu ms':>7} {'draw ms':>8} {'full':>5}{' stream ms' if args.live else ''}  notes"
    )
    print(header)
    print("-" * len(header))
    slow = []
    for cls_name, cls in found.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                d = cls()
                d.view  # shown: every move pushes a frame
            except Exception as exc:
                notes.append(f"{cls_name}: could not be constructed ({type(exc).__name__}: {exc})")
                continue
            for name in d.controls:
                d.set_config({})  # each control is moved from the default state
                row = bench_control(d, name, args.repeats, not args.no_draw, args.live)
                if row is None:
                    notes.append(f"{cls_name}.{name}: no way to move this control, skipped")
                    continue
                flags = []
                if row["release"]:
                    flags.append("release")
                if row["median"] >= TARGET_MS:
                    flags.append("SLOW")
                    slow.append(f"{cls_name}.{name}")
                print(
                    f"{cls_name:<24} {name:<18} {row['n']:>3} {row['median']:>10.1f} "
                    f"{row['p90']:>8.1f} {row['cpu']:>7.1f} {row['draw']:>8.1f} {row['full']:>5.0%}"
                    f"{format(row['stream'], '>10.1f') if args.live else ''}  {' '.join(flags)}"
                )
                sys.stdout.flush()
    print()
    print(
        f"target: update median < {TARGET_MS:.0f} ms; "
        f"{'all within' if not slow else 'over: ' + ', '.join(slow)}"
    )
    for note in notes:
        print("note:", note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
