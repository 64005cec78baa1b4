"""The map page in a real browser: headless Chromium (Debian's package) driven by
Playwright, against the service started as `make run` starts it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e_server import running_server
from tests.helpers import BROWSER_TIMEOUT_MS

pytestmark = pytest.mark.e2e
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("no Chromium here: install Debian's chromium package (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with running_server(workers=1) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=FLAGS, timeout=BROWSER_TIMEOUT_MS
        )
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        # Every wait below (launch, navigation, selectors, functions) may take long on a
        # busy machine: a hang guard, not a speed test.
        page.set_default_timeout(BROWSER_TIMEOUT_MS)
        page.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(f"{url}/map")
        page.wait_for_function("window.geocheckReady === true")
        page.problems = problems  # type: ignore[attr-defined]
        yield page
        browser.close()


WAIT_FOR_DISTANCES = (
    "document.querySelector('.leaflet-popup-content').innerText"
    ".includes('Palmyra–Damascus highway')"
)


def _close_popup(page: Any) -> None:
    page.evaluate("window.geocheckMap.closePopup()")
    page.wait_for_selector(".leaflet-popup", state="detached")


def _click(page: Any, lat: float, lon: float) -> str:
    _close_popup(page)
    x, y = page.evaluate(
        """([lat, lon]) => {
            const map = window.geocheckMap;
            const p = map.latLngToContainerPoint([lat, lon]);
            const box = document.getElementById('map').getBoundingClientRect();
            return [p.x + box.left, p.y + box.top];
        }""",
        [lat, lon],
    )
    page.mouse.click(x, y)
    page.wait_for_selector(".leaflet-popup-content .verdict")
    page.wait_for_function(WAIT_FOR_DISTANCES)
    return str(page.inner_text(".leaflet-popup-content"))


def test_page_loads_with_every_layer_and_no_errors(page: Any) -> None:
    counts = page.evaluate(
        "Object.fromEntries(Object.entries(window.geocheckLayers)"
        ".map(([k, v]) => [k, v.getLayers().length]))"
    )
    assert counts["sites"] == 26  # a marker and an uncertainty ring per site
    assert counts["routes"] == 1 and counts["zones"] == 1 and counts["borders"] == 1
    assert page.locator("path.leaflet-interactive").count() > 10
    assert page.problems == []


def test_clicks_inside_and_outside_the_zone(page: Any) -> None:
    inside = _click(page, 33.75, 38.75)  # ~30 km from the garrison
    assert "Verdict: inside" in inside and "al-tanf-deconfliction-zone: inside" in inside
    outside = _click(page, 34.35, 39.6)
    assert "Verdict: outside" in outside
    near = _click(page, 33.5058 + 55_500 / 111_000, 38.6178)  # ~0.5 km past the edge, within 2 km
    assert "Verdict: uncertain" in near
    assert page.problems == []


def test_pasting_a_point(page: Any) -> None:
    _close_popup(page)
    page.fill("#point", "33°30'21\"N 38°37'04\"E")
    page.click("#paste button")
    page.wait_for_selector(".leaflet-popup-content .verdict")
    page.wait_for_function(WAIT_FOR_DISTANCES)
    assert "Verdict: inside" in page.inner_text(".leaflet-popup-content")
    page.fill("#point", "not a place")
    page.click("#paste button")
    page.wait_for_function("document.getElementById('status').innerText.length > 0")
    assert "not a coordinate" in page.inner_text("#status")
