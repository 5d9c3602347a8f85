"""The course website (tools/build_site.sh → site/_build/html): a page per notebook, nothing
loaded from a CDN, no solution text, and math that renders in a real browser.

Runs on a built site; .ci/run builds it before pytest, so CI never skips these."""

import functools
import html
import json
import re
import shutil
import threading
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site" / "_build" / "html"
CHROMIUM = "/usr/bin/chromium"
SCREENSHOT = Path("/tmp/dlcourse-site-math.png")

pytestmark = pytest.mark.skipif(
    not (SITE / "index.html").exists(),
    reason="site not built: run `make site` (bash tools/build_site.sh)",
)


def _pages() -> list[Path]:
    return sorted(SITE.rglob("*.html"))


class _Resources(HTMLParser):
    """The scripts and stylesheets a page loads."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "") and attrs.get("href"):
            self.urls.append(attrs["href"])


def _text(page: Path) -> str:
    """A page's visible text with whitespace collapsed (tags dropped, entities decoded)."""
    raw = page.read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", raw)).split())


def _solution_lines() -> dict[str, str]:
    """Each line inside a source notebook's solution block that the course shows nowhere
    outside a solution block (so it is solution text), whitespace collapsed → notebook name.
    A line any lesson prints in the open (``for _ in range(steps):``) gives nothing away."""
    inside: list[tuple[str, str]] = []
    shown: set[str] = set()
    for path in sorted((ROOT / "source").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            in_block = False
            for line in "".join(cell["source"]).splitlines():
                if "### BEGIN SOLUTION" in line:
                    in_block = True
                elif "### END SOLUTION" in line:
                    in_block = False
                elif in_block:
                    inside.append((" ".join(line.split()), path.name))
                else:
                    shown.add(" ".join(line.split()))
    return {
        line: name
        for line, name in inside
        if len(line) >= 12 and not line.startswith("#") and line not in shown
    }


def test_every_notebook_has_a_page():
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    missing = [n for n in notebooks if not (SITE / "notebooks" / f"{n}.html").exists()]
    assert not missing, f"no page for {missing}: run `make site`"
    assert "01_gradient_descent_and_autodiff.html" in (SITE / "intro.html").read_text()


def test_no_page_loads_a_script_or_stylesheet_from_the_web():
    offenders = []
    for page in _pages():
        parser = _Resources()
        parser.feed(page.read_text(encoding="utf-8"))
        offenders += [(page.name, u) for u in parser.urls if re.match(r"(https?:)?//", u)]
    assert not offenders, offenders
    mathjax = SITE / "_static" / "mathjax" / "tex-mml-chtml.js"
    assert (
        mathjax.exists()
        and "mathjax/tex-mml-chtml.js"
        in (SITE / "notebooks" / "04_initialization.html").read_text()
    )


def test_no_solution_text_in_any_page():
    solutions = _solution_lines()
    assert len(solutions) >= 14, "the source notebooks' solution blocks were not found"
    leaks = []
    for page in _pages():
        raw = page.read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in raw and "END SOLUTION" not in raw, page.name
        text = _text(page)
        leaks += [(page.name, line, nb) for line, nb in solutions.items() if line in text]
    assert not leaks, leaks[:5]


@pytest.fixture
def site_server():
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):  # no request log in the test output
            pass

    handler = functools.partial(Quiet, directory=str(SITE))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
@pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs /usr/bin/chromium")
def test_math_renders_in_headless_chromium(site_server):
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on(
                "request",
                lambda r: (
                    outside.append(r.url) if not r.url.startswith((site_server, "data:")) else None
                ),
            )
            page.goto(f"{site_server}/notebooks/04_initialization.html", wait_until="load")
            page.wait_for_function(
                "document.querySelectorAll('mjx-container').length > 5", timeout=30_000
            )
            count = page.evaluate("document.querySelectorAll('mjx-container').length")
            first = page.locator("mjx-container").first
            first.scroll_into_view_if_needed()
            page.wait_for_timeout(300)
            page.screenshot(path=str(SCREENSHOT))
            box = first.bounding_box()
        finally:
            browser.close()
    assert count > 5 and box and box["width"] > 0 and box["height"] > 0
    assert not outside, f"requests outside the site: {outside[:5]}"
