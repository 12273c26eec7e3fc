"""The search page end to end in headless Chromium, driven by Selenium and the system driver.

Skipped only where Debian's ``chromium`` and ``chromium-driver`` are not installed.
Screenshots at 1280 and 390 px land in the test's temporary directory (printed; see them
with ``pytest -s -n 0``).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit
from urllib.request import urlopen
from xml.etree import ElementTree

import orjson
import pytest
from conftest import FIXTURES, ROOT, SAMPLE_DATA
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait
from test_server import HOSTILE_TITLE, serving, write_hostile_digest

from searchidx.serve import SearchServer
from searchidx.writer import build

STATIC = ROOT / "searchidx" / "static"
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
#: A digest whose title carries LaTeX, as arXiv titles do.
LATEX_DIGEST = """## Daily Papers (2024-10-02)

### [Scaling $\\alpha$-Divergence Training with $L_2$ Penalties](https://arxiv.org/abs/2410.00002)

Vote: 4

Authors: Ada Lovelace

- **What's New**: 알파 발산(alpha divergence) 학습에 L2 벌점을 더하는 방법을 제안합니다.
"""
WAIT_SECONDS = 20
#: How often a wait checks its condition (Selenium's default waits half a second between checks).
POLL_SECONDS = 0.02
#: How long the page waits after the last keystroke before it searches.
TYPING_DELAY_MS = int(re.search(r"const TYPING_DELAY_MS = (\d+);", (STATIC / "app.js").read_text(encoding="utf-8"))[1])

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, analyzer) -> Path:
    """The sample collection plus a digest full of markup, one with LaTeX in a title and one
    with the words the forgiving-query tests mistype (강화 학습, hallucination)."""
    path = tmp_path_factory.mktemp("browser") / "idx"
    latex = tmp_path_factory.mktemp("latex")
    (latex / "2024" / "10").mkdir(parents=True)
    (latex / "2024" / "10" / "02.md").write_text(LATEX_DIGEST, encoding="utf-8")
    hostile = write_hostile_digest(tmp_path_factory.mktemp("hostile"))
    build([SAMPLE_DATA, hostile, latex, FIXTURES / "forgiving"], path, analyzer=analyzer)
    return path


@pytest.fixture(scope="module")
def server(index: Path, analyzer) -> Iterator[SearchServer]:
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


def wait(browser: WebDriver, condition, message: str = "") -> object:
    return WebDriverWait(browser, WAIT_SECONDS, poll_frequency=POLL_SECONDS).until(condition, message)


#: True once a search has finished: a status line is shown and nothing is marked busy (one round trip a check).
SEARCH_FINISHED = """const status = document.getElementById('status').innerText.trim();
return status !== '' && status !== '검색 중…' && !document.querySelector('[aria-busy]');"""


def wait_for_results(browser: WebDriver) -> list:
    """The result items once a search has finished."""
    wait(browser, lambda d: d.execute_script(SEARCH_FINISHED))
    return browser.find_elements(By.CSS_SELECTOR, "#results > li.hit")


def open_page(browser: WebDriver, server: SearchServer, **params: str) -> list:
    browser.get(server.url + ("?" + urlencode(params, quote_via=quote) if params else ""))
    return wait_for_results(browser) if params.get("q") else []


def url_params(browser: WebDriver) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(browser.current_url).query).items()}


def api(server: SearchServer, **params: str) -> dict:
    with urlopen(server.url + "api/search?" + urlencode(params, quote_via=quote), timeout=30) as response:
        return orjson.loads(response.read())


def status(browser: WebDriver) -> str:
    return browser.find_element(By.ID, "status").text


def console_errors(browser: WebDriver) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def phone(browser: WebDriver) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
    )


def test_results_come_as_you_type_ranked_and_highlighted_at_desktop_and_phone_width(
    browser: WebDriver, server: SearchServer, tmp_path: Path
) -> None:
    open_page(browser, server)
    console_errors(browser)
    browser.find_element(By.ID, "q").send_keys("KV cache 압축")  # no Enter: the page searches as one types
    wait(browser, lambda d: url_params(d).get("q") == "KV cache 압축")
    first = wait_for_results(browser)[0]
    assert first.find_element(By.CSS_SELECTOR, ".rank").text == "1."
    link = first.find_element(By.CSS_SELECTOR, "h2 a")
    assert link.text == KV_TITLE
    assert link.get_attribute("href") == server.url + "paper/2406.11430"
    assert {"KV", "Cache"} <= {m.text for m in link.find_elements(By.TAG_NAME, "mark")}
    marks = [mark.text for mark in first.find_elements(By.CSS_SELECTOR, ".snippet mark")]
    assert "압축" in marks and "KV" in marks
    assert first.find_element(By.CSS_SELECTOR, "a.arxiv").get_attribute("href") == "https://arxiv.org/abs/2406.11430"
    assert not browser.find_element(By.ID, "pager").is_displayed()
    feed = browser.find_element(By.ID, "feed")
    assert feed.is_displayed() and "/feed.atom?q=KV+cache" in feed.get_attribute("href")
    with urlopen(feed.get_attribute("href"), timeout=30) as response:
        assert ElementTree.fromstring(response.read()).tag == "{http://www.w3.org/2005/Atom}feed"
    assert browser.find_element(By.ID, "filters").get_attribute("open") is not None
    browser.save_screenshot(str(tmp_path / "desktop-1280.png"))
    phone(browser)
    try:
        browser.refresh()
        assert wait_for_results(browser)[0].find_element(By.CSS_SELECTOR, "h2 a").text == KV_TITLE
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
        filters = browser.find_element(By.ID, "filters")
        assert filters.get_attribute("open") is None  # folded away on a phone
        assert not browser.find_element(By.NAME, "sort").is_displayed()
        browser.save_screenshot(str(tmp_path / "phone-390.png"))
        filters.find_element(By.TAG_NAME, "summary").click()
        assert browser.find_element(By.NAME, "sort").is_displayed()
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
        browser.save_screenshot(str(tmp_path / "phone-390-filters.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    print(f"screenshots: {tmp_path}")
    assert console_errors(browser) == []


def test_the_last_word_matches_as_a_prefix_while_typing(browser: WebDriver, server: SearchServer) -> None:
    open_page(browser, server)
    browser.find_element(By.ID, "q").send_keys("quant")
    wait(browser, lambda d: url_params(d).get("q") == "quant")
    hits = wait_for_results(browser)
    assert len(hits) == api(server, q="quant", prefix="true")["total"] > 1
    titles = [[m.text for m in h.find_elements(By.CSS_SELECTOR, "h2 mark")] for h in hits]
    assert any(mark.startswith("Quantiz") for marks in titles for mark in marks), titles


def test_korean_ime_composition_is_not_searched_until_it_ends(browser: WebDriver, server: SearchServer) -> None:
    open_page(browser, server)
    # The page listens for typing once /api/config has filled the options (it searches what was typed before).
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "select[name=match] option"))
    browser.execute_script(
        """const box = document.getElementById('q');
        box.dispatchEvent(new CompositionEvent('compositionstart'));
        box.value = '압';
        box.dispatchEvent(new InputEvent('input', {isComposing: true, data: '압'}));"""
    )
    # A search the input had scheduled would run first: timers of equal or shorter delay set earlier run earlier.
    browser.execute_async_script("setTimeout(arguments[1], arguments[0])", TYPING_DELAY_MS)
    assert "q" not in url_params(browser) and status(browser) == ""
    browser.execute_script(
        """const box = document.getElementById('q');
        box.value = '압축';
        box.dispatchEvent(new CompositionEvent('compositionend', {data: '압축'}));"""
    )
    wait(browser, lambda d: url_params(d).get("q") == "압축")
    assert wait_for_results(browser)


def test_the_matched_author_is_always_shown_and_marked(browser: WebDriver, server: SearchServer) -> None:
    hits = open_page(browser, server, q='author:"Song Han"')
    assert len(hits) == api(server, q='author:"Song Han"')["total"] >= 3
    for hit in hits:
        marked = [m.text for m in hit.find_elements(By.CSS_SELECTOR, ".authors mark.author-match")]
        assert marked == ["Song Han"], hit.text


def test_all_words_can_be_chosen_and_the_default_comes_from_the_server(browser: WebDriver, server: SearchServer) -> None:
    open_page(browser, server, q="양자화 모델")
    config = orjson.loads(urlopen(server.url + "api/config", timeout=30).read())
    match = Select(browser.find_element(By.NAME, "match"))
    assert match.first_selected_option.get_attribute("value") == config["defaults"]["match"]
    assert [o.get_attribute("value") for o in match.options] == config["choices"]["match"]
    blend_total = api(server, q="양자화 모델")["total"]
    all_total = api(server, q="양자화 모델", match="all")["total"]
    assert all_total < blend_total
    assert status(browser).startswith(f"{blend_total}편")
    match.select_by_value("all")
    wait(browser, lambda d: url_params(d).get("match") == "all")
    wait_for_results(browser)
    assert status(browser).startswith(f"{all_total}편")


def test_a_shared_link_with_extra_parameters_still_searches(browser: WebDriver, server: SearchServer) -> None:
    hits = open_page(browser, server, q="압축", utm_source="kakaotalk")
    assert hits and "error" not in browser.find_element(By.ID, "status").get_attribute("class")


def test_a_too_long_query_is_not_cut_and_gets_a_korean_message(browser: WebDriver, server: SearchServer) -> None:
    open_page(browser, server)
    box = browser.find_element(By.ID, "q")
    browser.execute_script("arguments[0].value = 'x'.repeat(1001)", box)
    box.send_keys(Keys.ENTER)
    wait(browser, lambda d: "너무 깁니다" in status(d))
    assert len(box.get_attribute("value")) == 1001
    assert "error" in browser.find_element(By.ID, "status").get_attribute("class")


def test_a_bad_filter_gets_a_korean_message(browser: WebDriver, server: SearchServer) -> None:
    assert open_page(browser, server, q="x", since="2025-01-01", until="2024-01-01") == []
    assert "시작일이 종료일보다 늦습니다" in status(browser)
    assert "error" in browser.find_element(By.ID, "status").get_attribute("class")


def test_filters_in_the_url_are_shown_and_kept_when_sorting(browser: WebDriver, server: SearchServer) -> None:
    hits = open_page(browser, server, q="모델", match="any", since="2024", min_votes="5", limit="20")
    assert browser.find_element(By.NAME, "since").get_attribute("value") == "2024-01-01"
    assert browser.find_element(By.NAME, "match").get_attribute("value") == "any"
    assert browser.find_element(By.NAME, "min_votes").get_attribute("value") == "5"
    assert browser.find_element(By.NAME, "limit").get_attribute("value") == "20"
    assert browser.find_element(By.ID, "filter-count").text == "(3)"
    dates = [hit.find_element(By.TAG_NAME, "time").get_attribute("datetime") for hit in hits]
    assert dates and min(dates) >= "2024-01-01"
    Select(browser.find_element(By.NAME, "sort")).select_by_value("votes")
    wait(browser, lambda d: url_params(d).get("sort") == "votes")
    wait_for_results(browser)
    assert {"since": "2024-01-01", "match": "any", "min_votes": "5", "limit": "20"}.items() <= url_params(browser).items()
    votes = [int(v.text.split()[-1]) for v in browser.find_elements(By.CSS_SELECTOR, "#results .votes")]
    assert votes == sorted(votes, reverse=True) and min(votes) >= 5


def test_paging_page_sizes_and_odd_offsets(browser: WebDriver, server: SearchServer) -> None:
    total = api(server, q="모델", match="any")["total"]
    first_page = [hit.text for hit in open_page(browser, server, q="모델", match="any")]
    assert len(first_page) == 10 and browser.find_element(By.ID, "prev").get_attribute("disabled")
    browser.find_element(By.ID, "next").click()
    wait(browser, expected_conditions.url_contains("offset=10"))
    second = wait_for_results(browser)
    assert second[0].find_element(By.CSS_SELECTOR, ".rank").text == "11."
    assert not set(first_page) & {hit.text for hit in second}
    assert browser.find_element(By.ID, "page").text == f"2 / {-(-total // 10)}"
    browser.back()
    wait(browser, lambda d: "offset" not in d.current_url)
    assert [hit.text for hit in wait_for_results(browser)] == first_page

    Select(browser.find_element(By.NAME, "limit")).select_by_value("20")
    wait(browser, lambda d: url_params(d).get("limit") == "20")
    assert len(wait_for_results(browser)) == min(20, total)

    open_page(browser, server, q="모델", match="any", offset="5")
    assert status(browser) == f"{total}편 중 1–10"
    assert browser.find_element(By.ID, "page").text.startswith("1 / ")
    assert open_page(browser, server, q="모델", match="any", offset="99995") == []
    assert "이 페이지에는 없습니다" in status(browser) and "99991" not in status(browser)


def test_an_unreachable_server_clears_the_old_results(browser: WebDriver, index: Path, analyzer) -> None:
    with serving(index, analyzer) as lonely:
        assert open_page(browser, lonely, q="압축")
    box = browser.find_element(By.ID, "q")
    box.clear()
    box.send_keys("모델", Keys.ENTER)
    wait(browser, lambda d: "연결할 수 없습니다" in status(d))
    assert browser.find_elements(By.CSS_SELECTOR, "#results > li") == []
    assert not browser.find_element(By.ID, "facets").is_displayed()


def test_notes_and_expansions_are_shown(browser: WebDriver, server: SearchServer) -> None:
    open_page(browser, server, q="양자화")
    assert "함께 찾은 번역·다른 표기" in browser.find_element(By.ID, "notes").text
    open_page(browser, server, q="압축 존재하지않는낱말", match="all")
    assert "모든 단어가 들어 있는 논문이 없어" in browser.find_element(By.ID, "notes").text


def did_you_mean(browser: WebDriver) -> WebElement:
    return browser.find_element(By.ID, "did-you-mean")


def search_as_typed(browser: WebDriver, typed: str) -> None:
    """Follow the did-you-mean line's link: the same words, searched exactly as typed."""
    did_you_mean(browser).find_element(By.CSS_SELECTOR, "a.as-typed").click()
    wait(browser, lambda d: url_params(d) == {"q": typed, "expand": "false"})
    assert wait_for_results(browser) == []
    assert status(browser).startswith("검색 결과가 없습니다")
    assert not did_you_mean(browser).is_displayed()
    assert not browser.find_element(By.NAME, "expand").is_selected()


def test_a_query_typed_in_the_wrong_layout_says_what_was_searched(
    browser: WebDriver, server: SearchServer, tmp_path: Path
) -> None:
    hits = open_page(browser, server, q="rkdghk gkrtmq")  # 강화 학습 typed with the keyboard in English mode
    papers = [hit.find_element(By.CSS_SELECTOR, "h2 a").get_attribute("href") for hit in hits]
    assert server.url + "paper/2409.90001" in papers  # the one paper spacing 강화 학습 as two words
    line = did_you_mean(browser)
    assert line.text == "‘강화 학습’ 검색 결과 (입력: rkdghk gkrtmq) 입력한 그대로 검색"
    assert [word.text for word in line.find_elements(By.TAG_NAME, "strong")] == ["강화", "학습"]
    browser.save_screenshot(str(tmp_path / "did-you-mean-1280.png"))
    phone(browser)
    try:
        browser.refresh()
        wait_for_results(browser)
        assert did_you_mean(browser).is_displayed()
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
        browser.save_screenshot(str(tmp_path / "did-you-mean-390.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    search_as_typed(browser, "rkdghk gkrtmq")


def test_a_typo_is_corrected_and_the_translations_used_are_shown_as_written(browser: WebDriver, server: SearchServer) -> None:
    hits = open_page(browser, server, q="hallucinaton")
    assert hits[0].find_element(By.CSS_SELECTOR, "h2 a").get_attribute("href") == server.url + "paper/2409.90002"
    line = did_you_mean(browser)
    assert line.text == "‘hallucination’ 검색 결과 (입력: hallucinaton) 입력한 그대로 검색"
    assert [word.text for word in line.find_elements(By.TAG_NAME, "strong")] == ["hallucination"]
    assert "hallucination → 환각" in browser.find_element(By.ID, "notes").text  # not the index term "hallucin"
    search_as_typed(browser, "hallucinaton")


def test_latex_in_titles_is_readable(browser: WebDriver, server: SearchServer) -> None:
    hits = open_page(browser, server, q="divergence")
    assert hits[0].find_element(By.CSS_SELECTOR, "h2 a").text == "Scaling α-Divergence Training with L₂ Penalties"


def test_the_paper_page_its_links_bibtex_related_papers_and_authors(browser: WebDriver, server: SearchServer) -> None:
    console_errors(browser)  # drop what earlier tests logged (their 400s on purpose)
    browser.execute_cdp_cmd(
        "Browser.grantPermissions",
        {"origin": server.url.rstrip("/"), "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]},
    )
    open_page(browser, server, q="KV cache 압축")[0].find_element(By.CSS_SELECTOR, "h2 a").click()
    wait(browser, lambda d: urlsplit(d.current_url).path == "/paper/2406.11430")
    paper = browser.find_element(By.ID, "paper")
    wait(browser, lambda _: paper.find_elements(By.CSS_SELECTOR, ".related li.hit"))
    assert paper.find_element(By.TAG_NAME, "h2").text == KV_TITLE
    assert [dt.text for dt in paper.find_elements(By.CSS_SELECTOR, ".sections dt")] == [
        "What's New", "Technical Details", "Performance Highlights"
    ]
    authors = paper.find_elements(By.CSS_SELECTOR, ".paper-authors a")
    assert [a.text for a in authors] == ["Alessio Devoto", "Yu Zhao", "Simone Scardapane", "Pasquale Minervini"]
    links = {a.get_attribute("class"): a.get_attribute("href") for a in paper.find_elements(By.CSS_SELECTOR, ".links a")}
    assert links == {
        "arxiv-abs": "https://arxiv.org/abs/2406.11430",
        "arxiv-pdf": "https://arxiv.org/pdf/2406.11430",
        "hf": "https://huggingface.co/papers/2406.11430",
    }
    related = [a.get_attribute("href") for a in paper.find_elements(By.CSS_SELECTOR, ".related li.hit h2 a")]
    assert related and server.url + "paper/2406.11430" not in related
    paper.find_element(By.CSS_SELECTOR, "button.copy-bibtex").click()
    wait(browser, lambda _: paper.find_element(By.CSS_SELECTOR, ".copied").text)
    assert paper.find_element(By.CSS_SELECTOR, ".copied").text == "복사했습니다"
    copied = browser.execute_async_script("navigator.clipboard.readText().then(arguments[0], () => arguments[0](null))")
    bibtex = paper.find_element(By.CSS_SELECTOR, "pre.bibtex").text
    assert copied is None or copied == bibtex
    assert bibtex.startswith("@misc{") and "eprint = {2406.11430}" in bibtex and "Alessio Devoto and Yu Zhao" in bibtex

    authors[1].click()  # follow an author
    wait(browser, lambda d: url_params(d).get("q") == 'author:"Yu Zhao"')
    hits = wait_for_results(browser)
    assert hits and all("Yu Zhao" in [m.text for m in h.find_elements(By.CSS_SELECTOR, "mark.author-match")] for h in hits)
    assert not browser.find_element(By.ID, "paper").is_displayed()
    browser.back()
    wait(browser, lambda d: urlsplit(d.current_url).path == "/paper/2406.11430")
    assert browser.find_element(By.ID, "paper").is_displayed()
    assert console_errors(browser) == []


def test_a_paper_page_for_an_unknown_paper_says_so(browser: WebDriver, server: SearchServer) -> None:
    browser.get(server.url + "paper/2401.99999")
    wait(browser, lambda d: "색인에 없습니다" in d.find_element(By.ID, "paper").text)


def test_month_histogram_vote_ranges_and_time_presets_filter(browser: WebDriver, server: SearchServer) -> None:
    open_page(browser, server, q="모델", match="any")
    facets = api(server, q="모델", match="any", facets="month,votes")["facets"]
    bars = browser.find_elements(By.CSS_SELECTOR, "#months button.month:enabled")
    assert [b.get_attribute("data-month") for b in bars] == [m["value"] for m in facets["month"]]
    every = [b.get_attribute("data-month") for b in browser.find_elements(By.CSS_SELECTOR, "#months button.month")]
    assert every[0] == facets["month"][0]["value"] and every[-1] == facets["month"][-1]["value"]
    assert len(every) > len(bars)  # the months between, with no paper, are there too
    month = facets["month"][-1]
    assert bars[-1].get_attribute("title") == f"{month['value']}: {month['count']}편"
    bars[-1].click()
    wait(browser, lambda d: url_params(d).get("since") == month["value"] + "-01")
    hits = wait_for_results(browser)
    assert status(browser).startswith(f"{month['count']}편")
    assert all(h.find_element(By.TAG_NAME, "time").get_attribute("datetime").startswith(month["value"]) for h in hits)
    assert "chosen" in browser.find_element(By.CSS_SELECTOR, "#months button.month:enabled").get_attribute("class")

    open_page(browser, server, q="모델", match="any")
    chip = browser.find_element(By.CSS_SELECTOR, "#votes button[data-min-votes='50']")
    count = next(v["count"] for v in facets["votes"] if v["value"] == 50)
    assert chip.text == f"50+ · {count}편"
    chip.click()
    wait(browser, lambda d: url_params(d).get("min_votes") == "50")
    wait_for_results(browser)
    assert status(browser).startswith(f"{count}편")

    browser.find_element(By.CSS_SELECTOR, ".presets button[data-days='year']").click()
    wait(browser, lambda d: url_params(d).get("since") == f"{dt.date.today().year}-01-01")
    browser.find_element(By.CSS_SELECTOR, ".presets button[data-days='7']").click()
    week_ago = (dt.date.today() - dt.timedelta(days=7)).isoformat()
    wait(browser, lambda d: url_params(d).get("since") == week_ago)


def test_markup_in_the_corpus_is_shown_as_text_and_never_runs(browser: WebDriver, server: SearchServer) -> None:
    first = open_page(browser, server, q="적대적 마크업")[0]
    assert first.find_element(By.CSS_SELECTOR, "h2 a").text == HOSTILE_TITLE
    assert '<script>window.injected = "summary"</script>' in first.find_element(By.CSS_SELECTOR, ".snippet").text
    assert "Eve <img src=x" in first.find_element(By.CSS_SELECTOR, ".authors").get_attribute("title")
    first.find_element(By.CSS_SELECTOR, "h2 a").click()
    paper = browser.find_element(By.ID, "paper")
    wait(browser, lambda _: paper.find_elements(By.CSS_SELECTOR, ".sections dd"))
    assert "<img src=x" in paper.find_element(By.CSS_SELECTOR, ".sections dd").text
    assert paper.find_element(By.TAG_NAME, "h2").text == HOSTILE_TITLE
    assert browser.execute_script("return window.injected") is None
    assert not browser.find_elements(By.CSS_SELECTOR, "#results script, #results img, #paper script, #paper img, #paper b")
    assert len(browser.find_elements(By.TAG_NAME, "script")) == 1
