"""The formulation GUI in headless Chromium, clicked as a user would (Debian chromium + Playwright).

Needs ``apt-get install -y chromium`` and ``pip install playwright`` (no browser download: the
system Chromium is launched by path). Skipped with the reason when either is missing.

Every scenario runs at a desktop (1400 px) and a phone (390 px) width where it matters, checks
that the page never scrolls sideways (``scrollWidth <= innerWidth``) and that the browser logged
no error, and saves screenshots to ``tests/artifacts/gui/`` (or ``$RESISTML_SCREENSHOT_DIR``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from resistml.formulation.table import write_table
from resistml.inference.predictor import Predictor
from serve.app import create_app
from serve.settings import Settings
from tests.model_fixtures import random_formulations
from tests.serving_fixtures import live_server, tiny_artifact

CHROMIUM = os.environ.get("RESISTML_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
SHOTS = Path(os.environ.get("RESISTML_SCREENSHOT_DIR", Path(__file__).resolve().parents[1] / "artifacts" / "gui"))
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}

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


class Page:
    """A page with its console errors collected (expected HTTP errors listed per scenario)."""

    def __init__(self, browser, url: str, viewport: dict, expect_http: tuple[int, ...] = ()):
        self.context = browser.new_context(viewport=viewport, accept_downloads=True)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.expect_http = expect_http
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on("console", self._console)
        self.page.goto(url + "/")
        self.page.wait_for_selector("body[data-ready='1']", timeout=15000)

    def _console(self, msg) -> None:
        if msg.type != "error":
            return
        if "Failed to load resource" in msg.text and any(f"status of {s}" in msg.text for s in self.expect_http):
            return
        self.errors.append(msg.text)

    def predict(self, done: str = "done") -> None:
        self.page.click("#predict-btn")
        self.page.wait_for_selector(f"#status:has-text('{done}')", timeout=60000)

    def check(self, name: str) -> None:
        """No sideways scroll, no console error; save a full-page screenshot."""
        width = self.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{name}: page is {width[0]} px wide in a {width[1]} px window"
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        assert not self.errors, self.errors

    def close(self) -> None:
        self.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1400", "390"])
def test_predict_shows_values_contrast_curve_and_energy_charts(browser, page_url, viewport):
    p = Page(browser, page_url, viewport)
    page = p.page
    assert page.locator("#components tr.component").count() == 3
    page.fill("#beam_energy_keV", "150")
    p.predict()
    value = page.locator("#results tr[data-target='sensitivity'] td.value").inner_text()
    assert "±" in value and float(value.split("±")[0]) > 0
    assert page.locator("#results tr[data-target='sensitivity'] td:nth-child(3)").inner_text() == "uC/cm2"
    simulated = page.locator("#results tr[data-target='sensitivity'] td.simulated").inner_text()
    assert simulated not in ("…", "–")
    # definitions from the target registry (the same words as the docs)
    help_text = page.locator("#results tr[data-target='resolution_nm'] .help").get_attribute("title")
    assert "half-pitch" in help_text and "3-sigma LER" in help_text
    assert "PEB" in page.locator("label[data-field='peb_temp_C'] span").get_attribute("title") or \
        "bake" in page.locator("label[data-field='peb_temp_C'] span").get_attribute("title")
    # contrast curve: simulator curve, model D_g^i and D50 marked
    chart = page.locator("#chart-contrast svg")
    assert chart.locator("polyline.sim-curve").count() == 1
    assert chart.locator("line.mark-gel").count() + chart.locator("line.mark-d50").count() >= 1
    # energy charts: band, chosen energy marked (150 keV is on the axis), training range, simulator points
    for holder in ("#chart-sensitivity", "#chart-gel", "#chart-resolution"):
        svg = page.locator(f"{holder} svg")
        assert svg.locator("polygon.band").count() == 1
        assert svg.locator("line.mark-energy").count() == 1
        assert svg.locator("rect.shade").count() == 1
        assert svg.locator(".sim-point").count() >= 1
        assert "beam energy (keV) (log)" in svg.text_content()
    assert page.locator("#claims").inner_text().strip() != ""
    if viewport is PHONE:  # one column: the results come below the form, inside the window width
        box = page.locator("#results-section").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.locator("#p-prints").count() == 0  # absent from this API: hidden
    p.check(f"predict-{viewport['width']}")
    p.close()


def test_an_error_clears_the_stale_results(browser, page_url):
    p = Page(browser, page_url, DESKTOP, expect_http=(422,))
    page = p.page
    p.predict()
    assert page.locator("#results td.value").count() == 5
    page.fill("#thickness_nm", "400")
    assert page.locator("#result-body.stale").count() == 1  # the form changed: results greyed
    row = page.locator("#components tr.component").nth(0)
    row.locator("select.pick").select_option("__smiles__")
    row.locator("input.smiles").fill("C1CC")
    page.click("#predict-btn")
    page.wait_for_selector("#errors li", timeout=15000)
    assert "components[0].smiles: RDKit cannot parse 'C1CC'" in page.locator("#errors").inner_text()
    assert page.locator("#results td.value").count() == 0
    assert page.locator("#domain-badge .badge").count() == 0
    assert page.locator("#chart-contrast svg").count() == 0 and page.locator("#claims").inner_text() == ""
    p.check("error-1400")
    p.close()


def test_xray_mode_uses_photon_energy_and_mj(browser, page_url):
    p = Page(browser, page_url, PHONE)
    page = p.page
    p.predict()
    page.select_option("#radiation", "xray")
    assert page.locator("#results td.value").count() == 0  # electron-beam values gone with the radiation
    assert page.locator("#beam_energy_keV").is_disabled()
    p.predict()
    assert page.locator("#results tr[data-target='sensitivity'] td:nth-child(3)").inner_text() == "mJ/cm2"
    svg = page.locator("#chart-sensitivity svg")
    assert "photon energy (keV)" in svg.text_content() and "mJ/cm2" in svg.text_content()
    assert "mJ/cm2" in page.locator("#chart-contrast svg").text_content()
    p.check("xray-390")
    p.close()


def test_compare_three_variants_and_export(browser, page_url):
    p = Page(browser, page_url, DESKTOP)
    page = p.page
    for name, pag in (("A: 5 parts PAG", "5"), ("B: 10 parts PAG", "10"), ("C: 2 parts PAG", "2")):
        page.fill("#form-name", name)
        page.locator("#components tr.component").nth(0).locator("input.parts").fill(pag)
        p.predict()
        page.click("#compare-add")
    assert page.locator("#compare-table tbody tr").count() == 3
    assert page.locator("#compare-charts polyline.sim-curve").count() == 3
    assert page.locator("#compare-charts polyline.compare-energy").count() == 6  # sensitivity, resolution x 3
    with page.expect_download() as info:
        page.click("#compare-csv")
    text = Path(info.value.path()).read_text()
    assert text.splitlines()[0].startswith("name,radiation,sensitivity") and len(text.splitlines()) == 4
    with page.expect_download() as info:
        page.click("#export-json")
    assert '"prediction"' in Path(info.value.path()).read_text()
    page.locator("#compare-section").scroll_into_view_if_needed()
    p.check("compare-1400")
    page.set_viewport_size(PHONE)
    p.check("compare-390")
    p.close()


def test_save_and_load_a_formulation_as_yaml_and_json(browser, page_url, tmp_path):
    p = Page(browser, page_url, DESKTOP)
    page = p.page
    page.fill("#form-name", "saved resist")
    page.fill("#thickness_nm", "123")
    for button in ("#save-yaml", "#save-json"):
        with page.expect_download() as info:
            page.click(button)
        saved = tmp_path / info.value.suggested_filename
        info.value.save_as(saved)
        page.fill("#form-name", "other")
        page.fill("#thickness_nm", "300")
        page.set_input_files("#load-file", str(saved))
        page.wait_for_selector("#status:has-text('loaded')", timeout=15000)
        assert page.input_value("#form-name") == "saved resist"
        assert page.input_value("#thickness_nm") == "123"
    assert "thickness_nm: 123" in (tmp_path / "saved resist.yaml").read_text()
    p.check("load-1400")
    p.close()


def test_screen_a_library(browser, page_url, tmp_path):
    import pandas as pd

    library = tmp_path / "library.csv"
    write_table(random_formulations(1005, seed=5), library)  # over the documented 1,000-row limit
    frame = pd.read_csv(library)
    frame.loc[2, "acid_generator"] = "C1CC"  # one invalid row: reported, the rest predicted
    frame.to_csv(library, index=False)
    p = Page(browser, page_url, DESKTOP, expect_http=(422,))
    page = p.page
    page.set_input_files("#screen-file", str(library))
    page.wait_for_selector("#screen-status:has-text('rows predicted')", timeout=90000)
    status = page.locator("#screen-status").inner_text()
    assert "999 of 1000 rows predicted, 1 invalid" in status and "only the first 1000 of 1005 rows" in status
    assert page.evaluate("document.getElementById('screen-progress').value") == 1000
    plotted = page.locator("#screen-chart circle.screen-point").count()
    assert plotted > 20 and f"{plotted} in " in page.locator("#screen-chart svg").text_content()
    assert "RDKit cannot parse 'C1CC'" in page.locator("#screen-table tr.bad-row").inner_text()
    page.select_option("#screen-sort", "resolution_nm")
    first = page.locator("#screen-table tbody tr").first.locator("td").nth(4).inner_text()
    second = page.locator("#screen-table tbody tr").nth(1).locator("td").nth(4).inner_text()
    assert float(first.split()[0]) <= float(second.split()[0])
    page.fill("#screen-resmax", str(float(first.split()[0]) * 1.01))
    assert page.locator("#screen-chart circle.screen-point").count() >= 1
    page.fill("#screen-resmax", "")
    p.check("screen-1400")
    point = page.locator("#screen-chart circle.screen-point").first
    index = int(point.get_attribute("data-index"))
    point.click()
    assert page.input_value("#form-name") == frame.loc[index, "name"]
    page.set_viewport_size(PHONE)
    p.check("screen-390")
    p.close()


def test_token_flow_retries_the_failed_calls(browser, tmp_path):
    app = create_app(Settings(model_dir=None, api_token="s3cret"), predictor=Predictor.load(tiny_artifact()))
    with live_server(app) as url:
        p = Page(browser, url, PHONE, expect_http=(401,))
        page = p.page
        assert page.locator("#model-info").inner_text() == "model: API token needed"
        assert "API token" in page.locator("#status").inner_text()
        page.fill("#token", "s3cret")
        page.press("#token", "Enter")
        page.locator("#token").blur()
        page.wait_for_selector("#model-info:has-text('tiny-test')", timeout=15000)
        assert page.locator("#components select.pick option").count() > 3  # the catalog came back
        p.predict()
        p.check("token-390")
        p.close()


def test_without_a_model_the_page_still_checks_and_simulates(browser, tmp_path):
    app = create_app(Settings(model_dir=tmp_path / "no-model"))
    with live_server(app) as url:
        p = Page(browser, url, DESKTOP, expect_http=(503,))
        page = p.page
        assert page.locator("#model-info").inner_text() == "no model loaded"
        p.predict("no model prediction")
        assert "no model loaded" in page.locator("#errors").inner_text()
        assert page.locator("#claims").inner_text().strip() != ""
        assert page.locator("#chart-contrast polyline.sim-curve").count() == 1
        page.set_viewport_size({"width": 360, "height": 740})
        p.check("no-model-360")
        p.close()


def test_p_prints_status_and_domain_reasons_show_when_the_api_sends_them(browser, page_url):
    """The honest-model fields are shown when /v1/predict has them (here added to its answer)."""
    import json

    p = Page(browser, page_url, DESKTOP)
    page = p.page

    def add_fields(route):
        response = route.fetch()
        data = response.json()
        for i, pred in enumerate(data["predictions"]):
            pred.update(p_prints=0.9 - 0.002 * i, status="ok" if i % 2 else "uncertain",
                        domain_reasons=["PEB temperature near the edge of the training data"])
        route.fulfill(response=response, body=json.dumps(data))

    page.route("**/v1/predict", add_fields)
    p.predict()
    assert page.locator("#p-prints").inner_text() == "p_prints 0.90"
    assert page.locator("#pred-status").inner_text() == "status: uncertain"
    assert "PEB temperature near the edge" in page.locator("#domain-notes").inner_text()
    p.check("p-prints-1400")
    p.close()
