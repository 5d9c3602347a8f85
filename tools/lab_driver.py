"""Drive JupyterLab and Voila in headless Chromium: the helpers the browser tests and the
latency benchmark share.

- :func:`lab_server` / :func:`voila_server`: a server on a free loopback port with isolated
  settings (no news toast, no autosave), this checkout first on ``PYTHONPATH`` and one BLAS
  thread; stopped (SIGTERM, then SIGKILL of its process group) when the ``with`` ends.
- :func:`chromium`: the system Chromium under Playwright with the flags this machine needs.
- :func:`run_all_cells`, :func:`wait_idle`: open a notebook, Run All, wait for an idle kernel.
- :func:`new_page`: a page of the tests' size that collects uncaught JavaScript errors.
- :data:`PIXELS_JS`, :func:`pixels`, :func:`settle`, :func:`stable`: a checksum of the pixels
  of the ``<img>`` frames below a CSS selector, cheap enough to poll on every animation
  frame.

Imported as ``tools.lab_driver``: ``python -m pytest`` puts the checkout on ``sys.path``;
``benchmarks/bench_latency.py`` inserts it itself.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - the tests skip, CI installs it
    sync_playwright = None

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "LAB_SETTINGS",
    "PIXELS_JS",
    "ROOT",
    "VIEWPORT",
    "LabServer",
    "chromium",
    "free_port",
    "lab_server",
    "missing",
    "notebook",
    "new_page",
    "open_app",
    "pixels",
    "run_all_cells",
    "settle",
    "stable",
    "stop",
    "voila_server",
    "wait_idle",
]

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 1000}
#: user settings: no news/update toast over the page, no autosave rewriting the notebook
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}

# A dashboard shows its figure as PNG frames in an ipywidgets.Image: an <img> whose src
# changes with every frame. window.dlPixels(root, region): a checksum of the pixels of the
# loaded <img>s inside `root` (largest first), or of a region of the largest one given as
# fractions [x0, y0, x1, y1]. window.dlCountFrames(root, ms): how many distinct pictures
# appear within `ms`. window.dlChanged(root, before): whether the checksum differs from
# `before`, computed only when an image's src changed and it has loaded since the last call
# (polled on every animation frame it costs the page nothing while no frame arrives).
PIXELS_JS = """
window.dlImages = (root) => {
  const images = Array.from(document.querySelectorAll(root + ' img')).filter(i => i.src);
  images.sort((a, b) => b.naturalWidth * b.naturalHeight - a.naturalWidth * a.naturalHeight);
  return images;
};
window.dlSources = (root) => window.dlImages(root).map(i => i.src).join(' ');
window.dlChanged = (root, before) => {
  const images = window.dlImages(root);
  if (!images.every(i => i.complete)) return false;
  const sources = images.map(i => i.src).join(' ');
  if (sources === window.dlCheckedSources) return false;
  window.dlCheckedSources = sources;
  return window.dlPixels(root) !== before;
};
window.dlPixels = (root, region) => {
  let h = 0;
  const images = window.dlImages(root).filter(i => i.complete && i.naturalWidth > 0);
  for (const img of region ? images.slice(0, 1) : images) {
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const [x0, y0, x1, y1] = region || [0, 0, 1, 1];
    const x = Math.floor(x0 * c.width), y = Math.floor(y0 * c.height);
    const w = Math.max(1, Math.floor((x1 - x0) * c.width)), hh = Math.max(1, Math.floor((y1 - y0) * c.height));
    const d = new Uint32Array(ctx.getImageData(x, y, w, hh).data.buffer);
    for (let i = 0; i < d.length; i++) h = (Math.imul(h, 31) + d[i]) | 0;
  }
  return h;
};
window.dlCountFrames = async (root, ms) => {
  let n = 0, last = window.dlPixels(root);
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    await new Promise(r => requestAnimationFrame(r));
    if (window.dlChanged(root, last)) { n++; last = window.dlPixels(root); }
  }
  return n;
};
"""


def missing(voila: bool = False) -> str:
    """Why the browser tests cannot run here ('' when they can)."""
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if sync_playwright is None:
        return "the playwright Python package is missing (pip install playwright)"
    if voila:
        try:
            import voila as _  # noqa: F401
        except ImportError:
            return "voila is missing (pip install 'voila==0.5.*')"
    return ""


# ------------------------------------------------------------------ servers
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**extra: str) -> dict:
    """This checkout first on PYTHONPATH (kernels inherit it); one BLAS thread, since tiny
    matmuls crawl when BLAS threads compete for two cores."""
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    return dict(os.environ, PYTHONPATH=path, OPENBLAS_NUM_THREADS="1", **extra)


def _ready(url: str | None, port: int) -> bool:
    """A 200 from ``url`` or, without one, a TCP connect to ``port``."""
    try:
        if url is None:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@contextmanager
def _serve(
    argv: list[str], port: int, log_path: Path, env: dict, ready_url: str | None, seconds: float
) -> Iterator[subprocess.Popen]:
    """Start ``argv`` in its own session, wait until it answers, yield it, stop it."""
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + seconds
            while not _ready(ready_url, port):
                if proc.poll() is not None:
                    raise RuntimeError(f"{argv[2]} exited:\n{log_path.read_text()}")
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"{argv[2]} did not answer on port {port} within {seconds:.0f} s"
                    )
                time.sleep(0.3)
            yield proc
        finally:
            stop(proc)


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM the server (it shuts its kernels down); SIGKILL its process group (the
    server and what it started) if it does not stop within 15 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


class LabServer(NamedTuple):
    url: str  # http://127.0.0.1:PORT
    notebooks: Path  # its root directory: write notebooks here
    process: subprocess.Popen


@contextmanager
def lab_server(tmp: Path, seconds: float = 90, app: str = "lab") -> Iterator[LabServer]:
    """JupyterLab (``app="lab"``) or Notebook 7 (``app="notebook"``) on loopback, no token,
    serving ``tmp/notebooks``; its settings, workspaces and runtime files under ``tmp``.
    Ready when ``/api/status`` answers."""
    nbdir, settings = tmp / "notebooks", tmp / "settings"
    nbdir.mkdir(parents=True, exist_ok=True)
    for rel, values in LAB_SETTINGS.items():
        (settings / rel).parent.mkdir(parents=True, exist_ok=True)
        (settings / rel).write_text(json.dumps(values))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = _env(
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
        JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
    )
    argv = [
        sys.executable,
        "-m",
        "jupyter",
        app,
        "--no-browser",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--ServerApp.ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        "--allow-root",
        f"--ServerApp.root_dir={nbdir}",
    ]
    with _serve(argv, port, tmp / "lab.log", env, f"{url}/api/status", seconds) as proc:
        yield LabServer(url, nbdir, proc)


@contextmanager
def voila_server(
    notebook: Path, tmp: Path, extra_env: dict | None = None, seconds: float = 90
) -> Iterator[str]:
    """``voila NOTEBOOK`` on loopback; yields its URL. Ready on a TCP connect (every GET of
    the page starts a kernel)."""
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
    ]
    with _serve(argv, port, tmp / "voila.log", _env(**(extra_env or {})), None, seconds):
        yield f"http://127.0.0.1:{port}/"


# ------------------------------------------------------------------ browser
@contextmanager
def chromium():
    """The system Chromium, headless, under Playwright; closed when the ``with`` ends."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def notebook(cells: list[str]) -> dict:
    """An nbformat 4 notebook (python3 kernel) of code cells with these sources."""
    return {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": f"cell{i}",
                "metadata": {},
                "outputs": [],
                "source": src,
            }
            for i, src in enumerate(cells)
        ],
        "metadata": {
            "kernelspec": {
                "name": "python3",
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
            }
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def wait_idle(page, timeout: float = 120) -> None:
    """The status bar says 'Idle' for the kernel twice, a few hundred ms apart."""
    status = page.locator(".jp-StatusBar-TextItem", has_text="Python 3 (ipykernel)")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if status.count() and "Idle" in status.first.inner_text():
            page.wait_for_timeout(400)
            if "Idle" in status.first.inner_text():
                return
        page.wait_for_timeout(200)
    raise TimeoutError("the kernel did not become idle")


def run_all_cells(page, url: str, timeout: float = 120) -> None:
    """Open the JupyterLab ``url`` (a /lab/.../tree/NAME.ipynb page), wait for its kernel,
    then Run > Run All Cells."""
    page.goto(url)
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook", timeout=timeout * 1000)
    wait_idle(page, timeout)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def pixels(page, root: str, region: list[float] | None = None) -> int:
    """The checksum of :data:`PIXELS_JS` (loaded in the page) of the images in ``root``."""
    return page.evaluate("([root, r]) => window.dlPixels(root, r)", [root, region])


def stable(page, read, gap_ms: int = 300, tries: int = 40):
    """``read()`` once two readings ``gap_ms`` apart agree (or the last of ``tries``)."""
    last = read()
    for _ in range(tries):
        page.wait_for_timeout(gap_ms)
        now = read()
        if now == last:
            return now
        last = now
    return last


def settle(page, root: str, gap_ms: int = 300, tries: int = 40) -> int:
    """The image checksum of ``root`` once the picture stops changing (:func:`stable`)."""
    return stable(page, lambda: pixels(page, root), gap_ms, tries)


def new_page(browser) -> tuple[object, list[str]]:
    """A page of :data:`VIEWPORT` size and the list its uncaught JavaScript errors go to."""
    page = browser.new_page(viewport=VIEWPORT)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, errors


def open_app(page, url: str, root: str, timeout_ms: int = 180_000) -> int:
    """Load a Voila page, wait for an image in ``root``, load :data:`PIXELS_JS`; returns
    the settled checksum."""
    page.goto(url, timeout=timeout_ms)
    page.wait_for_selector(f"{root} img", timeout=timeout_ms)
    page.add_script_tag(content=PIXELS_JS)
    return settle(page, root)
