"""The survival comparison in a real browser: Debian's headless Chromium driven by Selenium.

The server is the real one (uvicorn on 127.0.0.1) on tests/comparison_db.py. Chromium and its
driver come from Debian (`make test` installs them); Selenium is given the driver's path, so
Selenium Manager never runs and nothing is downloaded. Without Chromium the test fails, saying
how to install it, unless EXTRACTOR_NO_BROWSER=1 (then it is skipped). Screenshots go to
$EXTRACTOR_SCREENSHOT_DIR, or to the test's tmp_path.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from extractor.serve import RunningServer, serve_in_background
from tests.comparison_db import NEWS_ID, PAPER_ID, PAPER_TITLE, build_comparison_db

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,1250",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    path = build_comparison_db(tmp_path_factory.mktemp("browser") / "evidence.db")
    with serve_in_background(path) as running:
        yield running


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("EXTRACTOR_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def start_chromium(profile: Path) -> WebDriver:
    """Headless Debian Chromium; fails (not skips) when it is not installed."""
    if os.environ.get("EXTRACTOR_NO_BROWSER") == "1":
        pytest.skip("EXTRACTOR_NO_BROWSER=1 switches the browser tests off")
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
    if missing:
        pytest.fail(
            f"{' and '.join(missing)} not found: run `make test`, which installs Debian's "
            "chromium and chromium-driver (or `apt-get install -y chromium chromium-driver`); "
            "set EXTRACTOR_NO_BROWSER=1 to skip the browser tests",
            pytrace=False,
        )
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    return driver


def _cells(row: object, column: str) -> str:
    return row.find_element(By.CSS_SELECTOR, f"td.col-{column}").text  # type: ignore[attr-defined]


def test_survival_comparison_page_with_plot_sources_and_facts(server, tmp_path, screenshots):
    driver = start_chromium(tmp_path / "profile")
    wait = WebDriverWait(driver, 20)
    try:
        page = f"{server.url}evidence/survival_across_studies?endpoint=DFS&timepoint_months=24"
        driver.get(page)
        rows = driver.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
        shown = {_cells(row, "study"): _cells(row, "value_pct") for row in rows}
        assert shown == {"Interfant-06 + blinatumomab": "81.6", "Interfant-06": "49.4"}
        for row in rows:
            links = row.find_elements(By.CSS_SELECTOR, "td.col-sources a")
            assert [link.text for link in links] == [NEWS_ID, PAPER_ID]
            assert all("/evidence/documents/" in link.get_attribute("href") for link in links)

        # The forest plot, drawn by the server for the same parameters, under the table.
        image = driver.find_element(By.CSS_SELECTOR, "figure.extractor-plot img")
        assert "endpoint=DFS" in image.get_attribute("src")
        wait.until(lambda d: d.execute_script("return arguments[0].complete", image))
        assert driver.execute_script("return arguments[0].naturalWidth", image) > 0
        driver.save_screenshot(str(screenshots / "survival_across_studies.png"))

        # A source link leads to the document.
        blina = next(r for r in rows if _cells(r, "study") == "Interfant-06 + blinatumomab")
        blina.find_element(By.LINK_TEXT, PAPER_ID).click()
        wait.until(lambda d: "/evidence/documents/pmid~3A90001008" in d.current_url)
        assert PAPER_TITLE in driver.find_element(By.CSS_SELECTOR, "body").text

        # The finding's id leads to its sources, and a fact to its place in the document.
        driver.back()
        blina = next(
            r
            for r in driver.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
            if _cells(r, "study") == "Interfant-06 + blinatumomab"
        )
        blina.find_element(By.CSS_SELECTOR, "td.col-finding_id a").click()
        wait.until(lambda d: "/evidence/sources_of_finding" in d.current_url)
        facts = driver.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
        assert [_cells(f, "document_id") for f in facts] == [NEWS_ID, PAPER_ID]
        facts[1].find_element(By.CSS_SELECTOR, "td.col-text a").click()
        wait.until(lambda d: "/-/extractor/source/" in d.current_url)
        assert driver.current_url.endswith("#fact")
        mark = driver.find_element(By.CSS_SELECTOR, "mark#fact")
        assert mark.text == "81.6%"
        sentence = driver.find_element(By.CSS_SELECTOR, ".extractor-sentence").text
        assert sentence.startswith("At a median follow-up of 26.3 months")
        in_view = driver.execute_script(
            "const r = arguments[0].getBoundingClientRect();"
            "return r.top >= 0 && r.bottom <= window.innerHeight;",
            mark,
        )
        assert in_view
        assert driver.find_element(By.TAG_NAME, "h1").text == PAPER_TITLE
        driver.save_screenshot(str(screenshots / "source_page.png"))
    finally:
        driver.quit()
    assert (screenshots / "survival_across_studies.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("endpoint", "treated", "controls"), [("DFS", "81.6", "49.4"), ("OS", "93.3", "65.8")]
)
def test_the_bundled_corpus_compares_interfant06_and_the_blinatumomab_cohort(
    bundled_db, tmp_path, screenshots, endpoint, treated, controls
):
    """What `make run` builds, as a researcher sees it: 2-year survival of Interfant-06's
    historical controls beside the blinatumomab cohort, the paper and the news article among
    the sources of each finding, and the forest plot of both."""
    paper, news = "pmid:90001008", "news:insideprecisionmedicine.com/c8bb74186c6d"
    driver = start_chromium(tmp_path / "profile")
    try:
        with serve_in_background(bundled_db) as running:
            driver.get(
                f"{running.url}evidence/survival_across_studies"
                f"?endpoint={endpoint}&timepoint_months=24"
            )
            rows = driver.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
            shown = {(_cells(r, "study"), _cells(r, "arm")): r for r in rows}
            assert {k: _cells(r, "value_pct") for k, r in shown.items()} == {
                ("Interfant-06 + blinatumomab", "blinatumomab"): treated,
                ("Interfant-06", "historical controls"): controls,
            }
            for row in rows:
                links = [a.text for a in row.find_elements(By.CSS_SELECTOR, "td.col-sources a")]
                assert paper in links and news in links
                assert {"news", "paper"} <= set(_cells(row, "source_kinds").split(", "))
            image = driver.find_element(By.CSS_SELECTOR, "figure.extractor-plot img")
            WebDriverWait(driver, 20).until(
                lambda d: d.execute_script("return arguments[0].complete", image)
            )
            assert driver.execute_script("return arguments[0].naturalWidth", image) > 0
            driver.save_screenshot(str(screenshots / f"bundled_{endpoint}_24_months.png"))
    finally:
        driver.quit()
