"""The formulation GUI in headless Chromium, clicked as a user would (Debian chromium + Playwright).

Needs ``apt-get install -y chromium`` and ``pip install playwright`` (no browser download: the
system Chromium is launched by path). Skipped with the reason when either is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from resistml.inference.predictor import Predictor
from serve.app import create_app
from serve.settings import Settings
from tests.serving_fixtures import live_server, tiny_artifact

CHROMIUM = os.environ.get("RESISTML_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed (pip install playwright)")
if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def page_url():
    app = create_app(Settings(model_dir=None), predictor=Predictor.load(tiny_artifact()))
    with live_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def test_predict_from_catalog_shows_values_claims_and_energy_chart(browser, page_url, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(page_url + "/")
    page.wait_for_selector("body[data-ready='1']", timeout=15000)
    assert page.locator("#components tr.component").count() == 3
    page.fill("#beam_energy_keV", "75")
    page.click("#predict-btn")
    page.wait_for_selector("#status:has-text('done')", timeout=30000)
    value = page.locator("#results tr[data-target='sensitivity'] td.value").inner_text()
    assert "±" in value and float(value.split("±")[0]) > 0
    assert page.locator("#results svg.errorbar").count() == 5
    assert page.locator("#chart-sensitivity polyline.mean").count() == 1
    assert page.locator("#chart-resolution polygon.band").count() == 1
    assert page.locator("#claims").inner_text().strip() != ""
    simulated = page.locator("#results tr[data-target='sensitivity'] td.simulated").inner_text()
    assert simulated != "…"  # filled by /v1/simulate (a number, or "–" without the simulator)
    shot = Path(os.environ.get("RESISTML_SCREENSHOT_DIR", tmp_path)) / "gui.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000 and not errors


def test_invalid_smiles_shows_the_field_error(browser, page_url):
    page = browser.new_page()
    page.goto(page_url + "/")
    page.wait_for_selector("body[data-ready='1']", timeout=15000)
    row = page.locator("#components tr.component").nth(0)
    row.locator("select.pick").select_option("__smiles__")
    row.locator("input.smiles").fill("C1CC")
    page.click("#predict-btn")
    page.wait_for_selector("#errors li", timeout=15000)
    assert "components[0].smiles: RDKit cannot parse 'C1CC'" in page.locator("#errors").inner_text()


def test_without_a_model_the_page_still_checks_and_simulates(browser, tmp_path):
    app = create_app(Settings(model_dir=tmp_path / "no-model"))
    with live_server(app) as url:
        page = browser.new_page()
        page.goto(url + "/")
        page.wait_for_selector("body[data-ready='1']", timeout=15000)
        assert page.locator("#model-info").inner_text() == "no model loaded"
        page.click("#predict-btn")
        page.wait_for_selector("#status:has-text('no model prediction')", timeout=30000)
        assert "no model loaded" in page.locator("#errors").inner_text()
        assert page.locator("#claims").inner_text().strip() != ""
