"""The Playground served as an app by Voila, driven in headless Chromium (Playwright).

``voila notebooks/playground.ipynb`` runs on loopback; the test moves the learning rate
with the keyboard, presses play (the cost curve grows, the boundary changes), pauses (nothing
changes any more), then pastes the state string back after a structural change and gets the
same picture, pixel for pixel. Screenshots go to test-artifacts/voila_*.png.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "playground.ipynb"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - CI installs it
    sync_playwright = None

_missing = (f"{CHROMIUM} is missing (apt-get install chromium)" if not os.path.exists(CHROMIUM)
            else "the playwright Python package is missing (pip install playwright)"
            if sync_playwright is None else "")
try:
    import voila  # noqa: F401
except ImportError:  # pragma: no cover
    _missing = _missing or "voila is missing (pip install 'voila==0.5.*')"
if _missing and os.environ.get("CI"):
    raise RuntimeError(f"the Voila test cannot run in CI: {_missing}")
if _missing:  # pragma: no cover
    pytest.skip(_missing, allow_module_level=True)

# A checksum of the canvas pixels inside `root`, optionally of a region given as fractions of
# the (largest) canvas: cheap enough to poll on every animation frame.
PIXELS_JS = """
window.pgPixels = (root, region) => {
  let h = 0;
  const canvases = Array.from(document.querySelectorAll(root + ' canvas')).filter(c => c.width > 0);
  canvases.sort((a, b) => b.width * b.height - a.width * a.height);
  for (const c of region ? canvases.slice(0, 1) : canvases) {
    const ctx = c.getContext('2d');
    if (!ctx) continue;
    const [x0, y0, x1, y1] = region || [0, 0, 1, 1];
    const x = Math.floor(x0 * c.width), y = Math.floor(y0 * c.height);
    const w = Math.max(1, Math.floor((x1 - x0) * c.width)), hh = Math.max(1, Math.floor((y1 - y0) * c.height));
    const d = new Uint32Array(ctx.getImageData(x, y, w, hh).data.buffer);
    for (let i = 0; i < d.length; i++) h = (Math.imul(h, 31) + d[i]) | 0;
  }
  return h;
};
"""
OUTPUT_REGION = [0.385, 0.09, 0.678, 0.85]   # the decision boundary panel (fractions)
COST_REGION = [0.735, 0.15, 0.99, 0.86]      # the cost curves panel


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_voila(notebook: Path, log_path: Path, extra_env: dict | None = None):
    """``voila NOTEBOOK`` on a free loopback port; returns (process, url). Readiness is a TCP
    connect (every GET of the page starts a kernel)."""
    port = free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
               OPENBLAS_NUM_THREADS="1", **(extra_env or {}))
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}",
         "--Voila.ip=127.0.0.1"], env=env, stdin=subprocess.DEVNULL, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError("voila exited:\n" + log_path.read_text())
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                stop(proc)
                raise TimeoutError("voila did not listen within 60 s")
            time.sleep(0.3)
    return proc, f"http://127.0.0.1:{port}/"


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM the server (it shuts its kernels down); SIGKILL its group after 15 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def open_app(page, url: str) -> None:
    page.goto(url, timeout=180_000)
    page.wait_for_selector(".pg-playground canvas", timeout=180_000)
    page.add_script_tag(content=PIXELS_JS)
    stable(page)


def pixels(page, region=None) -> int:
    return page.evaluate("([r]) => window.pgPixels('.pg-playground', r)", [region])


def stable(page, tries: int = 40) -> int:
    """The canvas checksum once two readings 300 ms apart agree."""
    last = pixels(page)
    for _ in range(tries):
        page.wait_for_timeout(300)
        now = pixels(page)
        if now == last:
            return now
        last = now
    return last


def epoch(page) -> int:
    return int(page.locator(".pg-epoch").inner_text().split()[-1].replace(",", ""))


@pytest.fixture
def app(tmp_path):
    proc, url = start_voila(NOTEBOOK, tmp_path / "voila.log")
    try:
        yield url
    finally:
        stop(proc)


def test_playground_app_in_voila(app):
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            open_app(page, app)
            assert epoch(page) == 0
            start = pixels(page)
            start_out, start_cost = pixels(page, OUTPUT_REGION), pixels(page, COST_REGION)
            page.screenshot(path=str(ARTIFACTS / "voila_start.png"))

            # the learning rate: three key presses on its log slider; the picture answers
            readout = page.locator(".pg-lr .widget-readout")
            lr_before = float(readout.inner_text())
            handle = page.locator(".pg-lr .noUi-handle")
            handle.focus()
            for _ in range(3):
                before = pixels(page)
                handle.press("ArrowRight")
                page.wait_for_function(f"() => window.pgPixels('.pg-playground') !== {before}",
                                       polling="raf", timeout=10_000)
            assert float(readout.inner_text()) > lr_before
            assert epoch(page) == 0  # a live setting: the same network, nothing trained

            # play: the cost curve grows and the boundary changes
            page.locator(".pg-play").click()
            page.wait_for_function(
                "() => +document.querySelector('.pg-epoch').innerText.split(/\\s+/).pop()"
                ".replace(/,/g, '') >= 30", timeout=60_000)
            assert "pause" in page.locator(".pg-play").inner_text()
            page.locator(".pg-play").click()
            page.wait_for_function("() => document.querySelector('.pg-play').innerText.includes('play')",
                                   timeout=10_000)
            paused = stable(page)
            paused_epoch = epoch(page)
            assert paused_epoch >= 30
            assert pixels(page, OUTPUT_REGION) != start_out
            assert pixels(page, COST_REGION) != start_cost
            assert paused != start
            # pause stops it: nothing trains or changes any more
            page.wait_for_timeout(1500)
            assert epoch(page) == paused_epoch and pixels(page) == paused
            page.screenshot(path=str(ARTIFACTS / "voila_paused.png"))

            # the state string restores the same picture after a structural change
            state_input = page.locator(".pg-state input")
            state = state_input.input_value()
            assert f"e:{paused_epoch}" in state and "lr:" in state
            page.locator(".pg-dataset button", has_text="xor").click()
            page.wait_for_function(f"() => window.pgPixels('.pg-playground') !== {paused}",
                                   polling="raf", timeout=20_000)
            assert epoch(page) == 0
            state_input.fill(state)
            state_input.press("Enter")
            page.wait_for_function(
                f"() => window.pgPixels('.pg-playground') === {paused}", polling=200,
                timeout=60_000)
            assert epoch(page) == paused_epoch
            assert state_input.input_value() == state
            page.screenshot(path=str(ARTIFACTS / "voila_restored.png"))

            text = page.locator("body").inner_text()
            assert "Traceback" not in text and "Error" not in text
            assert not errors, errors
        finally:
            browser.close()
