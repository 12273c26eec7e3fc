"""The search page end to end in headless Chromium, driven by Selenium and the system driver.

Skipped only where Debian's ``chromium`` and ``chromium-driver`` are not installed.
Screenshots land in the test's temporary directory (printed; see them with ``pytest -s``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import SAMPLE_DATA
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait
from test_server import HOSTILE_TITLE, serving, write_hostile_digest

from searchidx.server import SearchServer
from searchidx.writer import build

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
)
KV_TITLE = "A Simple and Effective L_2 Norm-Based Strategy for KV Cache Compression"
WAIT_SECONDS = 20

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, analyzer) -> Iterator[SearchServer]:
    """The page over the sample collection plus a digest full of markup."""
    index = tmp_path_factory.mktemp("browser") / "idx"
    build([SAMPLE_DATA, write_hostile_digest(tmp_path_factory.mktemp("hostile"))], index, analyzer=analyzer)
    with serving(index, analyzer) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(WAIT_SECONDS)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for_results(browser: WebDriver) -> list:
    """The result items once a search has finished."""
    WebDriverWait(browser, WAIT_SECONDS).until(
        lambda driver: driver.find_element(By.ID, "status").text and not driver.find_elements(By.CSS_SELECTOR, "[aria-busy]")
    )
    return browser.find_elements(By.CSS_SELECTOR, "#results > li.hit")


def console_errors(browser: WebDriver) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def test_typing_a_korean_query_finds_and_highlights_the_kv_cache_paper(
    browser: WebDriver, server: SearchServer, tmp_path: Path
) -> None:
    browser.get(server.url)
    box = browser.find_element(By.ID, "q")
    box.send_keys("KV cache 압축")
    box.send_keys(Keys.ENTER)
    first = wait_for_results(browser)[0]
    link = first.find_element(By.CSS_SELECTOR, "h2 a")
    assert link.text == KV_TITLE
    assert link.get_attribute("href") == "https://arxiv.org/abs/2406.11430"
    marks = [mark.text for mark in first.find_elements(By.CSS_SELECTOR, ".snippet mark")]
    assert "압축" in marks and "KV" in marks
    assert "q=KV+cache+%EC%95%95%EC%B6%95" in browser.current_url
    assert not browser.find_element(By.ID, "pager").is_displayed()
    browser.save_screenshot(str(tmp_path / "desktop.png"))
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
    )
    try:
        browser.refresh()
        assert wait_for_results(browser)[0].find_element(By.CSS_SELECTOR, "h2 a").text == KV_TITLE
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
        browser.save_screenshot(str(tmp_path / "phone.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    print(f"screenshots: {tmp_path / 'desktop.png'} {tmp_path / 'phone.png'}")
    assert console_errors(browser) == []


def test_markup_in_the_corpus_is_shown_as_text_and_never_runs(browser: WebDriver, server: SearchServer) -> None:
    browser.get(server.url + "?q=" + quote("적대적 마크업"))
    first = wait_for_results(browser)[0]
    first.find_element(By.CSS_SELECTOR, "details.more summary").click()
    WebDriverWait(browser, WAIT_SECONDS).until(
        lambda _: first.find_elements(By.CSS_SELECTOR, "details.more dd")
    )
    assert first.find_element(By.CSS_SELECTOR, "h2 a").text == HOSTILE_TITLE
    assert '<script>window.injected = "summary"</script>' in first.find_element(By.CSS_SELECTOR, ".snippet").text
    assert "<img src=x" in first.find_element(By.CSS_SELECTOR, "details.more dd").text
    assert browser.execute_script("return window.injected") is None
    assert not browser.find_elements(By.CSS_SELECTOR, "#results script, #results img, #results b")
    assert len(browser.find_elements(By.TAG_NAME, "script")) == 1


def test_filters_sorting_and_paging_follow_the_url(browser: WebDriver, server: SearchServer) -> None:
    browser.get(server.url + "?q=" + quote("모델") + "&match=any&since=2024-01-01")
    hits = wait_for_results(browser)
    assert browser.find_element(By.NAME, "since").get_attribute("value") == "2024-01-01"
    assert browser.find_element(By.NAME, "match").get_attribute("value") == "any"
    dates = [hit.find_element(By.TAG_NAME, "time").get_attribute("datetime") for hit in hits]
    assert dates and min(dates) >= "2024-01-01"

    Select(browser.find_element(By.NAME, "sort")).select_by_value("votes")
    WebDriverWait(browser, WAIT_SECONDS).until(expected_conditions.url_contains("sort=votes"))
    wait_for_results(browser)
    votes = [int(v.text.split()[-1]) for v in browser.find_elements(By.CSS_SELECTOR, "#results .votes")]
    assert votes == sorted(votes, reverse=True)

    browser.get(server.url + "?q=" + quote("모델") + "&match=any")
    first_page = [hit.text for hit in wait_for_results(browser)]
    assert len(first_page) == 10 and browser.find_element(By.ID, "prev").get_attribute("disabled")
    browser.find_element(By.ID, "next").click()
    WebDriverWait(browser, WAIT_SECONDS).until(expected_conditions.url_contains("offset=10"))
    second_page = [hit.text for hit in wait_for_results(browser)]
    assert second_page and not set(first_page) & set(second_page)
    assert browser.find_element(By.CSS_SELECTOR, "#results").get_attribute("start") == "11"
    browser.back()
    WebDriverWait(browser, WAIT_SECONDS).until(lambda driver: "offset" not in driver.current_url)
    assert [hit.text for hit in wait_for_results(browser)] == first_page


def test_a_bad_filter_shows_the_servers_message(browser: WebDriver, server: SearchServer) -> None:
    browser.get(server.url + "?q=x&since=2025-01-01&until=2024-01-01")
    assert wait_for_results(browser) == []
    status = browser.find_element(By.ID, "status")
    assert "is after" in status.text and "error" in status.get_attribute("class")
