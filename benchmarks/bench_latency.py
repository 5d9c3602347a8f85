"""Slider -> pixels latency of every dashboard, in a real browser (headless Chromium).

    python benchmarks/bench_latency.py                 # every dashboard in JupyterLab + the Playground in Voila
    python benchmarks/bench_latency.py --presses 12 --only TrainingDashboard Playground
    python benchmarks/bench_latency.py --no-lab        # only the Playground under Voila

For each dashboard a notebook showing it under ``%matplotlib widget`` is opened in JupyterLab
(the pattern of tests/test_browser.py): Run All, then focus one slider's handle (the learning
rate where there is one) and press ArrowRight / ArrowLeft in turn. Each press is timed from
the key press until a checksum of the dashboard's ``<canvas>`` pixels changes (polled on every
animation frame), waiting for the picture to settle between presses. The Playground is also
measured served by ``voila notebooks/playground.ipynb`` (α: a live setting; noise: a
structural one, a new network), and while playing: epochs per second (its counter) and
frames per second (distinct canvas pictures).

The machine is shared: the load average is printed with the table; compare numbers taken at
similar load.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
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

PIXELS_JS = """
window.benchPixels = (root) => {
  let h = 0;
  for (const c of document.querySelectorAll(root + ' canvas')) {
    if (!c.width) continue;
    const ctx = c.getContext('2d');
    if (!ctx) continue;
    const d = new Uint32Array(ctx.getImageData(0, 0, c.width, c.height).data.buffer);
    for (let i = 0; i < d.length; i++) h = (Math.imul(h, 31) + d[i]) | 0;
  }
  return h;
};
window.benchCountFrames = async (root, ms) => {
  let n = 0, last = window.benchPixels(root);
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    await new Promise(r => requestAnimationFrame(r));
    const h = window.benchPixels(root);
    if (h !== last) { n++; last = h; }
  }
  return n;
};
"""
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


# ------------------------------------------------------------------ servers
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**extra) -> dict:
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
                OPENBLAS_NUM_THREADS="1", **extra)


def _wait_port(proc, port: int, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on port {port}")
            time.sleep(0.3)


def _stop(proc) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def start_lab(tmp: Path):
    nbdir, settings = tmp / "notebooks", tmp / "settings"
    nbdir.mkdir()
    for rel, values in SETTINGS.items():
        (settings / rel).parent.mkdir(parents=True, exist_ok=True)
        (settings / rel).write_text(json.dumps(values))
    port, log = _free_port(), tmp / "lab.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--IdentityProvider.token=",
         "--ServerApp.password=", "--ServerApp.ip=127.0.0.1", f"--port={port}",
         "--ServerApp.port_retries=0", "--allow-root", f"--ServerApp.root_dir={nbdir}"],
        env=_env(JUPYTERLAB_SETTINGS_DIR=str(settings),
                 JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
                 JUPYTER_RUNTIME_DIR=str(tmp / "runtime")),
        stdin=subprocess.DEVNULL, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
        start_new_session=True)
    _wait_port(proc, port, log)
    return proc, f"http://127.0.0.1:{port}", nbdir


def start_voila(tmp: Path):
    port, log = _free_port(), tmp / "voila.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "voila", str(ROOT / "notebooks" / "playground.ipynb"), "--no-browser",
         f"--port={port}", "--Voila.ip=127.0.0.1"], env=_env(), stdin=subprocess.DEVNULL,
        stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
    _wait_port(proc, port, log)
    return proc, f"http://127.0.0.1:{port}/"


# ------------------------------------------------------------------ measuring
def _pixels(page, root: str) -> int:
    return page.evaluate("(root) => window.benchPixels(root)", root)


def _settle(page, root: str, gap_ms: int = 300, tries: int = 40) -> None:
    last = _pixels(page, root)
    for _ in range(tries):
        page.wait_for_timeout(gap_ms)
        now = _pixels(page, root)
        if now == last:
            return
        last = now


def press_latencies(page, root: str, slider: str, presses: int) -> list[float]:
    """Seconds from each key press on ``slider``'s handle to changed canvas pixels."""
    handle = page.locator(f"{slider} .noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    out = []
    for i in range(presses):
        _settle(page, root)
        before = _pixels(page, root)
        start = time.perf_counter()
        handle.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        try:
            page.wait_for_function(f"() => window.benchPixels('{root}') !== {before}",
                                   polling="raf", timeout=TIMEOUT_MS)
            out.append(time.perf_counter() - start)
        except Exception:  # no change within the timeout
            out.append(float("inf"))
    return out


def _notebook(import_line: str, name: str, key: str) -> dict:
    cells = ["%matplotlib widget",
             f"{import_line}\nd = {name}()\nd.controls[{key!r}].add_class('bench-target')\n"
             "d.view.add_class('bench-dash')\nd"]
    return {"cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
                       "outputs": [], "source": src} for i, src in enumerate(cells)],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                        "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def _wait_idle(page, timeout: float = 120) -> None:
    status = page.locator(".jp-StatusBar-TextItem", has_text="Python 3 (ipykernel)")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if status.count() and "Idle" in status.first.inner_text():
            page.wait_for_timeout(400)
            if "Idle" in status.first.inner_text():
                return
        page.wait_for_timeout(200)
    raise TimeoutError("the kernel did not become idle")


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


def measure_lab(browser, url: str, nbdir: Path, names: list[str], presses: int) -> dict:
    results = {}
    for name in names:
        import_line, key = DASHBOARDS[name]
        (nbdir / f"{name}.ipynb").write_text(json.dumps(_notebook(import_line, name, key)))
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            # a fresh workspace per notebook: JupyterLab would reopen the earlier ones
            page.goto(f"{url}/lab/workspaces/bench-{name}/tree/{name}.ipynb")
            page.wait_for_selector(".jp-NotebookPanel .jp-Notebook", timeout=120_000)
            _wait_idle(page)
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
            page.wait_for_selector(".bench-dash:not(.jupyter-widgets-disconnected) canvas",
                                   timeout=180_000)
            _wait_idle(page)
            page.add_script_tag(content=PIXELS_JS)
            root = ".bench-dash:not(.jupyter-widgets-disconnected)"
            results[name] = (key, press_latencies(page, root, ".bench-target", presses))
        except Exception as exc:  # report and go on with the next dashboard
            results[name] = (key, [])
            print(f"{name}: not measured ({type(exc).__name__}: {exc})", file=sys.stderr)
        finally:
            _shutdown_kernels(page)
            page.close()
        print(table({name: results[name]}).splitlines()[-1], file=sys.stderr, flush=True)
    return results


def measure_voila(browser, url: str, presses: int, play_seconds: float) -> tuple[dict, dict]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    root = ".pg-playground"
    page.goto(url, timeout=180_000)
    page.wait_for_selector(f"{root} canvas", timeout=180_000)
    page.add_script_tag(content=PIXELS_JS)
    _settle(page, root)
    results = {"Playground (Voila)": ("lr", press_latencies(page, root, ".pg-lr", presses)),
               "Playground (Voila, structural)": ("noise", press_latencies(page, root, ".pg-noise", presses))}
    epoch = lambda: int(re.sub(r"\D", "", page.locator(".pg-epoch").inner_text()))
    page.locator(".pg-play").click()
    page.wait_for_timeout(2000)  # warm up
    e0, t0 = epoch(), time.perf_counter()
    frames = page.evaluate("([r, ms]) => window.benchCountFrames(r, ms)", [root, play_seconds * 1000])
    e1, t1 = epoch(), time.perf_counter()
    page.locator(".pg-play").click()
    playing = {"epochs_per_s": (e1 - e0) / (t1 - t0), "frames_per_s": frames / (t1 - t0),
               "seconds": t1 - t0}
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
        lines.append(f"{name:32s} {key:8s} {len(times):3d} {_fmt(statistics.median(times)):>10s} "
                     f"{_fmt(max(times)):>9s}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presses", type=int, default=8)
    parser.add_argument("--only", nargs="*", default=None, help="dashboard names (JupyterLab part)")
    parser.add_argument("--no-lab", action="store_true")
    parser.add_argument("--no-voila", action="store_true")
    parser.add_argument("--play-seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    names = args.only or list(DASHBOARDS)
    load0 = os.getloadavg()[0]
    results, playing = {}, None
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            if not args.no_lab:
                proc, url, nbdir = start_lab(Path(tmp))
                try:
                    results.update(measure_lab(browser, url, nbdir, names, args.presses))
                finally:
                    _stop(proc)
            if not args.no_voila:
                proc, url = start_voila(Path(tmp))
                try:
                    voila_results, playing = measure_voila(browser, url, args.presses, args.play_seconds)
                    results.update(voila_results)
                finally:
                    _stop(proc)
        finally:
            browser.close()
    print(f"slider key press -> changed canvas pixels (headless Chromium; load average "
          f"{load0:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(table(results))
    if playing:
        print(f"Playground playing (Voila, default network): {playing['epochs_per_s']:.1f} epochs/s, "
              f"{playing['frames_per_s']:.1f} frames/s over {playing['seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
