"""The Playground served as an app by Voila, driven in headless Chromium (Playwright).

``voila notebooks/playground.ipynb`` runs on loopback; the test moves the learning rate
with the keyboard, presses play (the cost curve grows, the boundary changes), pauses (nothing
changes any more), then pastes the state string back after a structural change and gets the
same picture, pixel for pixel. A second test switches to regression and plays (the picture
changes), shows one hidden unit large, and opens a challenge link whose state solves it: played,
the challenge says "done". Screenshots go to test-artifacts/voila_*.png.
"""

from __future__ import annotations

import os

import pytest

from tools import lab_driver as ld

NOTEBOOK = ld.ROOT / "notebooks" / "playground.ipynb"
ARTIFACTS = ld.ROOT / "test-artifacts"
ROOT_CSS = ".pg-playground"

pytestmark = pytest.mark.browser

_missing = ld.missing(voila=True)
if _missing and os.environ.get("CI"):
    raise RuntimeError(f"the Voila test cannot run in CI: {_missing}")
if _missing:  # pragma: no cover
    pytest.skip(_missing, allow_module_level=True)

OUTPUT_REGION = [0.385, 0.11, 0.65, 0.85]  # the output panel (fractions)
COST_REGION = [0.765, 0.15, 0.99, 0.86]  # the cost curves panel
CHANGED = "() => window.dlPixels('.pg-playground') !== {}"


def pixels(page, region=None) -> int:
    return ld.pixels(page, ROOT_CSS, region)


def epoch(page) -> int:
    return int(page.locator(".pg-epoch").inner_text().split()[-1].replace(",", ""))


@pytest.fixture
def app(tmp_path):
    with ld.voila_server(NOTEBOOK, tmp_path) as url:
        yield url


def test_playground_app_in_voila(app):
    ARTIFACTS.mkdir(exist_ok=True)
    with ld.chromium() as browser:
        page, errors = ld.new_page(browser)
        ld.open_app(page, app, ROOT_CSS)
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
            page.wait_for_function(CHANGED.format(before), polling="raf", timeout=10_000)
        assert float(readout.inner_text()) > lr_before
        assert epoch(page) == 0  # a live setting: the same network, nothing trained

        # play: the cost curve grows and the boundary changes
        page.locator(".pg-play").click()
        page.wait_for_function(
            "() => +document.querySelector('.pg-epoch').innerText.split(/\\s+/).pop()"
            ".replace(/,/g, '') >= 30",
            timeout=60_000,
        )
        assert "pause" in page.locator(".pg-play").inner_text()
        page.locator(".pg-play").click()
        page.wait_for_function(
            "() => document.querySelector('.pg-play').innerText.includes('play')", timeout=10_000
        )
        paused = ld.settle(page, ROOT_CSS)
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
        page.wait_for_function(CHANGED.format(paused), polling="raf", timeout=20_000)
        assert epoch(page) == 0
        state_input.fill(state)
        state_input.press("Enter")
        page.wait_for_function(
            f"() => window.dlPixels('.pg-playground') === {paused}", polling=200, timeout=60_000
        )
        assert epoch(page) == paused_epoch
        assert state_input.input_value() == state
        page.screenshot(path=str(ARTIFACTS / "voila_restored.png"))

        text = page.locator("body").inner_text()
        assert "Traceback" not in text and "Error" not in text
        assert not errors, errors


#: a challenge link: the "features" challenge with a state that solves it (x1^2 and x2^2 as
#: inputs) and stops at its budget of 100 epochs
CHALLENGE_QUERY = "?challenge=features&state=d:circle,h:-,f:x1sq.x2sq,stop:100"


def play_until(page, epochs: int, timeout: int = 60_000) -> None:
    """Press play and wait for ``epochs`` epochs (or the stop epoch), then pause."""
    page.locator(".pg-play").click()
    page.wait_for_function(
        "() => +document.querySelector('.pg-epoch').innerText.split(/\\s+/).pop()"
        f".replace(/,/g, '') >= {epochs}",
        timeout=timeout,
    )
    if "pause" in page.locator(".pg-play").inner_text():
        page.locator(".pg-play").click()
    page.wait_for_function(
        "() => document.querySelector('.pg-play').innerText.includes('play')", timeout=10_000
    )


def test_regression_a_unit_and_a_challenge_link_in_voila(app):
    ARTIFACTS.mkdir(exist_ok=True)
    with ld.chromium() as browser:
        page, errors = ld.new_page(browser)
        start = ld.open_app(page, app, ROOT_CSS)

        # regression: the data sets of the problem, then play: the picture changes
        page.locator(".pg-problem button", has_text="regression").click()
        page.wait_for_function(CHANGED.format(start), polling="raf", timeout=20_000)
        page.locator(".pg-dataset button", has_text="bumps").click()
        switched = ld.settle(page, ROOT_CSS)
        switched_out = pixels(page, OUTPUT_REGION)
        assert epoch(page) == 0 and page.locator(".pg-dataset button", has_text="xor").count() == 0
        play_until(page, 40)
        assert pixels(page, OUTPUT_REGION) != switched_out
        assert ld.settle(page, ROOT_CSS) != switched
        assert "mean squared error" in page.locator(".pg-readout").inner_text()
        page.screenshot(path=str(ARTIFACTS / "voila_regression.png"))

        # one hidden unit shown large: the output panel changes, its weights are listed
        before, before_out = ld.settle(page, ROOT_CSS), pixels(page, OUTPUT_REGION)
        page.locator(".pg-unit select").select_option(label="layer 1, unit 2")
        page.wait_for_function(CHANGED.format(before), polling="raf", timeout=20_000)
        assert "bias" in page.locator(".pg-weights").inner_text()
        ld.settle(page, ROOT_CSS)
        assert pixels(page, OUTPUT_REGION) != before_out
        page.screenshot(path=str(ARTIFACTS / "voila_unit.png"))
        text = page.locator("body").inner_text()
        assert "Traceback" not in text and "Error" not in text
        assert not errors, errors

    # a challenge link: its text and state; played to its stop epoch, it is done
    with ld.chromium() as browser:
        page, errors = ld.new_page(browser)
        ld.open_app(page, app + CHALLENGE_QUERY, ROOT_CSS)
        verdict = page.locator(".pg-challenge-verdict")
        assert "not yet" in verdict.inner_text()
        assert "features" in page.locator(".pg-challenge-text").inner_text()
        play_until(page, 100)
        page.wait_for_function(
            "() => document.querySelector('.pg-challenge-verdict').innerText.trim() === 'done'",
            timeout=20_000,
        )
        assert epoch(page) == 100
        ld.settle(page, ROOT_CSS)
        page.screenshot(path=str(ARTIFACTS / "voila_challenge_done.png"))
        text = page.locator("body").inner_text()
        assert "Traceback" not in text and "Error" not in text
        assert not errors, errors
