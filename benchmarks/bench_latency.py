"""Slider -> pixels latency of every dashboard, in a real browser (headless Chromium).

    python benchmarks/bench_latency.py                 # every dashboard in JupyterLab, then in Voila
    python benchmarks/bench_latency.py --presses 12 --only TrainingDashboard Playground
    python benchmarks/bench_latency.py --no-lab        # only under Voila
    python benchmarks/bench_latency.py --only EWAExplorer OptimizerRace --presses 4 --trace

For each dashboard a notebook showing it is opened in JupyterLab (servers and browser from
tools/lab_driver.py, as in tests/test_browser.py): Run All, then focus one slider's handle (the
learning rate where there is one) and press ArrowRight / ArrowLeft in turn. Each press is
timed from the key press until a checksum of the pixels of the dashboard's ``<img>`` (its
figure, PNG frames in an ``ipywidgets.Image``) changes, waiting for the picture to settle
between presses. The change is polled on every animation frame, but the checksum is only
computed once the image's ``src`` changed and loaded (``window.dlChanged`` of
tools/lab_driver.py). Then each dashboard is measured the same way served by Voila (the same
one-cell notebook, one ``voila`` server each, rows marked "(Voila)"); the Playground there is
its own app, ``voila notebooks/playground.ipynb`` (α: a live setting; noise: a structural
one, a new network), also measured while playing: epochs per second (its counter) and
frames per second (distinct pictures).

``--trace`` (JupyterLab dashboards only) splits each press into phases: a cell run before
the dashboard wraps ``Dashboard.guard`` (the callback), ``AggView.push`` (drawing a frame
and setting the Image's value) and the PNG encoder the view calls, each logging
``time.time()`` to a file; the browser gives ``Date.now()`` at the press and at the changed
pixels (one clock: the same machine). Printed per dashboard, medians in ms over the presses
where the phase occurred ('k/n' when only in k of n):

    press->cb   key press -> the kernel callback starts (browser, websocket, kernel queue)
    compute     the callback, minus the pushes inside it
    agg         the pushes: Agg drawing (a full draw or a blit), PNG encoding excluded
    png         the PNG encoding of the frames
    send->px    the end of the first push (the Image's value set) -> changed pixels
                (the message, the browser decoding and painting the PNG)
    total       key press -> changed pixels

``--events FILE`` (with ``--trace``) also appends every press's kernel events to FILE, one JSON
line per press (``{"dashboard", "events": [[tag, ms after the press], ...], "pixels": ms}``),
to see one press's timeline.

The machine is shared: the load average is printed with the table; compare numbers taken at
similar load.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tools/ (run as a script, only benchmarks/ is on the path)
from tools import lab_driver as ld  # noqa: E402

TIMEOUT_MS = 5000

#: dashboard -> (import line, the slider pressed)
DASHBOARDS = {
    "TrainingDashboard": ("from dlcourse.widgets import TrainingDashboard", "lr"),
    "InitExplorer": ("from dlcourse.widgets import InitExplorer", "scale"),
    "OptimizerRace": ("from dlcourse.widgets import OptimizerRace", "lr"),
    "EWAExplorer": ("from dlcourse.widgets import EWAExplorer", "beta"),
    "ScheduleExplorer": ("from dlcourse.widgets import ScheduleExplorer", "lr0"),
    "SearchExplorer": ("from dlcourse.widgets import SearchExplorer", "trials"),
    "GradientDescentExplorer": ("from dlcourse.widgets import GradientDescentExplorer", "lr"),
    "ActivationExplorer": ("from dlcourse.widgets import ActivationExplorer", "scale"),
    "BNExplorer": ("from dlcourse.widgets import BNExplorer", "lr"),
    "GradCheckExplorer": ("from dlcourse.widgets import GradCheckExplorer", "eps"),
    "DebugDashboard": ("from dlcourse.widgets import DebugDashboard", "lr"),
    "DigitsExplorer": ("from dlcourse.widgets import DigitsExplorer", "lr"),
    "Playground": ("from dlcourse.widgets.playground import Playground", "lr"),
}


def _notebook(import_line: str, name: str, key: str, trace_log: Path | None = None) -> dict:
    cells = [
        f"{import_line}\nd = {name}()\nd.controls[{key!r}].add_class('bench-target')\n"
        "d.view.add_class('bench-dash')\nd",
    ]
    if trace_log is not None:
        cells.insert(0, TRACE_CELL.replace("TRACE_LOG", repr(str(trace_log))))
    return ld.notebook(cells)


# ------------------------------------------------------------------ tracing
#: Run in the kernel before the dashboard: each wrapped call logs [event, ms since epoch].
TRACE_CELL = """\
import json as _json, time as _time
from dlcourse.widgets import base as _base, view as _view
_trace_log = open(TRACE_LOG, "a", buffering=1)

def _traced(inner, tag):
    def wrapper(*args, **kwargs):
        _trace_log.write(_json.dumps([tag + "0", _time.time() * 1000]) + "\\n")
        try:
            return inner(*args, **kwargs)
        finally:
            _trace_log.write(_json.dumps([tag + "1", _time.time() * 1000]) + "\\n")
    return wrapper

_base.Dashboard.guard = _traced(_base.Dashboard.guard, "cb")
_view.AggView.push = _traced(_view.AggView.push, "push")
_view.encode_png = _traced(_view.encode_png, "png")
"""
PHASES = ["press->cb", "compute", "agg", "png", "send->px", "total"]

WAIT_PIXELS_JS = """async ([root, before, ms]) => {
  const t0 = Date.now();
  while (!window.dlChanged(root, before)) {
    if (Date.now() - t0 > ms) return null;
    await new Promise(r => requestAnimationFrame(r));
  }
  return Date.now();
}"""


def _intervals(events: list, tag: str, until: float) -> list[tuple[float, float]]:
    """(start, end) of the outermost ``tag`` calls that started before ``until``."""
    out, depth, start = [], 0, 0.0
    for name, t in events:
        if name == tag + "0":
            depth += 1
            if depth == 1:
                start = t
        elif name == tag + "1" and depth:
            depth -= 1
            if depth == 0 and start < until:
                out.append((start, t))
    return out


def _inside(inner: list, outer: list) -> float:
    """Total length of the ``inner`` intervals that lie within one of ``outer``."""
    return sum(e - s for s, e in inner if any(a <= s and e <= b for a, b in outer))


def phases(events: list, t0: float, t1: float) -> dict:
    """The phases of one press (module docstring) from the kernel's events and the browser's
    press time ``t0`` and changed-pixels time ``t1`` (ms); None where a phase did not occur."""
    events = [(n, t) for n, t in events if t >= t0]
    cbs, pushes, pngs = (_intervals(events, tag, t1) for tag in ("cb", "push", "png"))
    out = dict.fromkeys(PHASES)
    out["total"] = t1 - t0
    if cbs:
        out["press->cb"] = cbs[0][0] - t0
        out["compute"] = cbs[0][1] - cbs[0][0] - _inside(pushes, cbs[:1])
    if pushes:
        out["agg"] = sum(e - s for s, e in pushes) - _inside(pngs, pushes)
        out["send->px"] = t1 - pushes[0][1]
    if pngs:
        out["png"] = sum(e - s for s, e in pngs)
    return out


def _read_events(log: Path) -> list:
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


# ------------------------------------------------------------------ measuring
def press_latencies(
    page,
    root: str,
    slider: str,
    presses: int,
    trace_log: Path | None = None,
    raw: list | None = None,
) -> tuple[list[float], list[dict]]:
    """Seconds from each key press on ``slider``'s handle to changed image pixels; with
    ``trace_log`` (the file the trace cell writes) also the phases of each press, and in
    ``raw`` (a list, when given) its events."""
    handle = page.locator(f"{slider} .noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    times, traces = [], []
    for i in range(presses):
        before = ld.settle(page, root)
        key = "ArrowRight" if i % 2 == 0 else "ArrowLeft"
        if trace_log is None:
            start = time.perf_counter()
            handle.press(key)
            try:
                page.wait_for_function(
                    f"() => window.dlChanged('{root}', {before})",
                    polling="raf",
                    timeout=TIMEOUT_MS,
                )
                times.append(time.perf_counter() - start)
            except Exception:  # no change within the timeout
                times.append(float("inf"))
            continue
        trace_log.write_text("")  # the kernel appends: this press's events only
        t0 = page.evaluate("Date.now()")
        handle.press(key)
        t1 = page.evaluate(WAIT_PIXELS_JS, [root, before, TIMEOUT_MS])
        if t1 is None:
            times.append(float("inf"))
            continue
        page.wait_for_timeout(300)  # the events of the redraw that painted, then some
        times.append((t1 - t0) / 1000)
        events = _read_events(trace_log)
        traces.append(phases(events, t0, t1))
        if raw is not None:  # the kernel's events in ms after the press, then the pixels
            raw.append({"events": [[n, round(t - t0, 1)] for n, t in events], "pixels": t1 - t0})
    return times, traces


SHUTDOWN_JS = """async () => {
  const xsrf = (document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || '';
  const sessions = await (await fetch('/api/sessions')).json();
  for (const s of sessions)
    await fetch('/api/sessions/' + s.id, {method: 'DELETE', headers: {'X-XSRFToken': xsrf}});
  return sessions.length;
}"""


def _shutdown_kernels(page) -> None:
    """End the sessions (and kernels) of the notebooks measured so far (from the page, which
    holds the XSRF cookie), so they do not compete with the next dashboard for the CPU."""
    try:
        page.evaluate(SHUTDOWN_JS)
    except Exception as exc:  # measuring goes on; the server stops them at the end
        print(f"could not shut kernels down: {exc}", file=sys.stderr)


def measure_lab(
    browser,
    lab: ld.LabServer,
    names: list[str],
    presses: int,
    trace: bool = False,
    events: Path | None = None,
) -> tuple[dict, dict]:
    """{name: (slider, seconds per press)} and, with ``trace``, {name: [phases per press]};
    with ``events`` too, each press's kernel events appended to that file (JSON lines)."""
    results, traces = {}, {}
    root = ".bench-dash:not(.jupyter-widgets-disconnected)"
    for name in names:
        import_line, key = DASHBOARDS[name]
        log = lab.notebooks / f"{name}.trace.jsonl" if trace else None
        (lab.notebooks / f"{name}.ipynb").write_text(
            json.dumps(_notebook(import_line, name, key, log))
        )
        page, _ = ld.new_page(browser)
        try:
            # a fresh workspace per notebook: JupyterLab would reopen the earlier ones
            ld.run_all_cells(page, f"{lab.url}/lab/workspaces/bench-{name}/tree/{name}.ipynb")
            page.wait_for_selector(f"{root} img", timeout=180_000)
            ld.wait_idle(page)
            page.add_script_tag(content=ld.PIXELS_JS)
            raw = [] if events is not None else None
            times, traces[name] = press_latencies(page, root, ".bench-target", presses, log, raw)
            if raw:
                with events.open("a") as out:
                    out.writelines(json.dumps({"dashboard": name, **r}) + "\n" for r in raw)
            results[name] = (key, times)
        except Exception as exc:  # report and go on with the next dashboard
            results[name], traces[name] = (key, []), []
            print(f"{name}: not measured ({type(exc).__name__}: {exc})", file=sys.stderr)
        finally:
            _shutdown_kernels(page)
            page.close()
        print(table({name: results[name]}).splitlines()[-1], file=sys.stderr, flush=True)
    return results, traces


def measure_voila_dashboards(browser, names: list[str], presses: int, tmp: Path) -> dict:
    """{"NAME (Voila)": (slider, seconds per press)}: each dashboard's bench notebook served
    by its own Voila server."""
    results = {}
    root = ".bench-dash"
    for name in names:
        import_line, key = DASHBOARDS[name]
        where = tmp / f"voila-{name}"
        where.mkdir(parents=True, exist_ok=True)
        path = where / f"{name}.ipynb"
        path.write_text(json.dumps(_notebook(import_line, name, key)))
        row = f"{name} (Voila)"
        try:
            with ld.voila_server(path, where) as url:
                page, _ = ld.new_page(browser)
                try:
                    ld.open_app(page, url, root)
                    results[row] = (key, press_latencies(page, root, ".bench-target", presses)[0])
                finally:
                    page.close()
        except Exception as exc:  # report and go on with the next dashboard
            results[row] = (key, [])
            print(f"{row}: not measured ({type(exc).__name__}: {exc})", file=sys.stderr)
        print(table({row: results[row]}).splitlines()[-1], file=sys.stderr, flush=True)
    return results


def measure_voila(browser, url: str, presses: int, play_seconds: float) -> tuple[dict, dict]:
    page, _ = ld.new_page(browser)
    root = ".pg-playground"
    ld.open_app(page, url, root)
    results = {
        "Playground (Voila)": ("lr", press_latencies(page, root, ".pg-lr", presses)[0]),
        "Playground (Voila, structural)": (
            "noise",
            press_latencies(page, root, ".pg-noise", presses)[0],
        ),
    }
    epoch = lambda: int(re.sub(r"\D", "", page.locator(".pg-epoch").inner_text()))  # noqa: E731
    page.locator(".pg-play").click()
    page.wait_for_timeout(2000)  # warm up
    e0, t0 = epoch(), time.perf_counter()
    frames = page.evaluate("([r, ms]) => window.dlCountFrames(r, ms)", [root, play_seconds * 1000])
    e1, t1 = epoch(), time.perf_counter()
    page.locator(".pg-play").click()
    playing = {
        "epochs_per_s": (e1 - e0) / (t1 - t0),
        "frames_per_s": frames / (t1 - t0),
        "seconds": t1 - t0,
    }
    page.close()
    return results, playing


# ------------------------------------------------------------------ report
def _fmt(seconds: float) -> str:
    return " >5000" if seconds == float("inf") else f"{seconds * 1000:6.0f}"


def table(results: dict) -> str:
    lines = [f"{'dashboard':32s} {'slider':8s} {'n':>3s} {'median ms':>10s} {'worst ms':>9s}"]
    for name, (key, times) in results.items():
        if not times:
            lines.append(f"{name:32s} {key:8s}   -   not measured")
            continue
        lines.append(
            f"{name:32s} {key:8s} {len(times):3d} {_fmt(statistics.median(times)):>10s} "
            f"{_fmt(max(times)):>9s}"
        )
    return "\n".join(lines)


def trace_table(traces: dict) -> str:
    """Medians per phase (ms) over the presses where the phase occurred; (k/n) when it
    occurred in only k of the n presses."""
    lines = [f"{'dashboard':24s} {'n':>3s} " + " ".join(f"{p:>11s}" for p in PHASES)]
    for name, rows in traces.items():
        cells = []
        for p in PHASES:
            values = [r[p] for r in rows if r[p] is not None]
            cell = f"{statistics.median(values):.0f}" if values else "-"
            if values and len(values) < len(rows):
                cell += f" ({len(values)}/{len(rows)})"
            cells.append(f"{cell:>11s}")
        lines.append(f"{name:24s} {len(rows):3d} " + " ".join(cells))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--presses", type=int, default=8)
    parser.add_argument("--only", nargs="*", default=None, help="dashboard names (JupyterLab part)")
    parser.add_argument("--no-lab", action="store_true")
    parser.add_argument("--no-voila", action="store_true")
    parser.add_argument("--play-seconds", type=float, default=10.0)
    parser.add_argument(
        "--trace",
        action="store_true",
        help="split each press into phases (JupyterLab dashboards only)",
    )
    parser.add_argument(
        "--events",
        type=Path,
        default=None,
        help="with --trace: append each press's kernel events (ms after the press) to this "
        "file, one JSON line per press",
    )
    args = parser.parse_args(argv)
    names = args.only or list(DASHBOARDS)
    unknown = sorted(set(names) - set(DASHBOARDS))
    if unknown:
        parser.error(f"unknown dashboard(s) {unknown}; choose from {sorted(DASHBOARDS)}")
    load0 = os.getloadavg()[0]
    results, traces, playing = {}, {}, None
    with tempfile.TemporaryDirectory() as tmp, ld.chromium() as browser:
        if not args.no_lab:
            with ld.lab_server(Path(tmp) / "lab") as lab:
                results, traces = measure_lab(
                    browser, lab, names, args.presses, args.trace, args.events
                )
        if not (args.no_voila or args.trace):
            apps = [n for n in names if n != "Playground"]
            results.update(measure_voila_dashboards(browser, apps, args.presses, Path(tmp)))
        if "Playground" in names and not (args.no_voila or args.trace):
            with ld.voila_server(ROOT / "notebooks" / "playground.ipynb", Path(tmp)) as url:
                voila_results, playing = measure_voila(
                    browser, url, args.presses, args.play_seconds
                )
                results.update(voila_results)
    print(
        f"slider key press -> changed image pixels (headless Chromium; load average "
        f"{load0:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    print(table(results))
    if args.trace:
        print("\nwhere the time goes: median ms per phase (see the module docstring)")
        print(trace_table(traces))
    if playing:
        print(
            f"Playground playing (Voila, default network): {playing['epochs_per_s']:.1f} epochs/s, "
            f"{playing['frames_per_s']:.1f} frames/s over {playing['seconds']:.1f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
