"""The data-quality report at scale, in a real headless Chromium.

At 100,000 synthetic reports (their check results generated directly, tests/dq_synthetic.py): the summary
page stays small, the counts are exact, navigation goes summary → province → city → agency, the offline
search finds an agency, and a failing relation links to the source file and line. At 10,000 reports the
summary and one agency page are screenshot into tests/artifacts/ (git-ignored) with their load times, and
the screenshots show legible Chinese (a CJK font is installed by `make browser`).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from dq_synthetic import SOURCE_LINE, build_warehouse, expected_counts
from lxml import html as lxml_html

from expectations.report import AGENCIES, PAGE, REGIONS, SEARCH_INDEX, build_report

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
         "--disable-component-update", "--disable-sync"]
BIG = 100_000
SCREENSHOT_N = 10_000
SUMMARY_MAX_BYTES = 150_000
PAGE_MAX_BYTES = 400_000
BROWSER_TIMEOUT_S = 120
# Written into a copy of a page: what the browser laid out, and how long the page took to load.
PROBE = """<script>
window.addEventListener("load", function () {
  var root = document.documentElement;
  root.setAttribute("data-load-ms", String(Math.round(performance.now())));
  root.setAttribute("data-visible", document.body.innerText);
  var q = root.getAttribute("data-query");
  if (!q) return;
  var input = document.getElementById("search");
  input.value = q; input.dispatchEvent(new Event("input"));
  setTimeout(function () {
    var hits = Array.from(document.querySelectorAll("#search-results a")).map(function (a) {
      return [a.textContent, a.getAttribute("href")]; });
    root.setAttribute("data-hits", JSON.stringify(hits));
  }, 2000);
});
</script>"""


def browser() -> str:
    found = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    assert found, "no headless browser: run `make browser` (apt-get install chromium fonts-wqy-microhei)"
    return found


def run_browser(*args: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [browser(), *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=BROWSER_TIMEOUT_S, check=True,
        ).stdout


def rendered(page: Path, query: str = "") -> lxml_html.HtmlElement:
    """The page as Chromium laid it out, through a probe copy written beside it (same relative links)."""
    probe = page.with_name(f"probe-{page.name}")
    text = page.read_text(encoding="utf-8").replace("</body>", f"{PROBE}</body>")
    if query:
        text = text.replace("<html ", f'<html data-query="{query}" ', 1)
    probe.write_text(text, encoding="utf-8")
    try:
        dom = run_browser("--virtual-time-budget=15000", "--dump-dom", probe.as_uri())
    finally:
        probe.unlink()
    return lxml_html.fromstring(dom)


def screenshot(page: Path, name: str, height: int) -> tuple[Path, float]:
    """A screenshot into tests/artifacts/, and the seconds Chromium took to start, load and draw it."""
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / name
    started = time.monotonic()
    run_browser(f"--window-size=1280,{height}", f"--screenshot={shot}", page.as_uri())
    return shot, time.monotonic() - started


def _links(page: Path, xpath: str) -> list[Path]:
    doc = lxml_html.fromstring(page.read_text(encoding="utf-8"))
    return [(page.parent / a.get("href").split("#")[0]).resolve() for a in doc.xpath(xpath)]


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    folder = tmp_path_factory.mktemp("dq100k")
    warehouse = build_warehouse(folder / "w.duckdb", BIG)
    started = time.monotonic()
    page = build_report(warehouse, folder / "report")
    return page.parent, time.monotonic() - started


@pytest.mark.slow  # the 100,000-report site (~30 s to build)
def test_summary_at_100000_reports_is_small_and_exact(big_site: tuple[Path, float]) -> None:
    site, seconds = big_site
    expected = expected_counts(BIG)
    summary = site / PAGE
    assert summary.stat().st_size < SUMMARY_MAX_BYTES
    assert max(p.stat().st_size for p in (site / REGIONS).iterdir()) < PAGE_MAX_BYTES
    doc = rendered(summary)
    cards = doc.xpath("//div[@class='cards']/div/div[@class='n']")
    numbers = [int(re.sub(r"\D", "", c.text_content())) for c in cards]
    assert numbers[:4] == [expected["failing"], BIG - expected["failing"], expected["warned"], expected["noted"]]
    assert numbers[4] == expected["failed_documents"] + expected["partial_documents"]
    visible = doc.get("data-visible")
    assert "已核对报告 100,000 份" in visible and "六、未能读取或部分读取的文件" in visible
    assert len(doc.xpath("//svg[@class='chart']")) == 4
    assert int(doc.get("data-load-ms")) < 10_000
    print(f"100k: report built in {seconds:.1f} s; summary {summary.stat().st_size:,} bytes, "
          f"loaded in {doc.get('data-load-ms')} ms")


@pytest.mark.slow  # the 100,000-report site
def test_navigation_from_summary_to_an_agency_and_its_source_line(big_site: tuple[Path, float]) -> None:
    site, _ = big_site
    province = _links(site / PAGE, "//h2[@id='regions']/following-sibling::table[1]//a")[0]
    city = _links(province, "//table//a")[0]
    agencies = _links(city, "//table//a")
    assert agencies and all(a.parent == (site / AGENCIES).resolve() for a in agencies)
    agency = rendered(agencies[0])
    source = agency.xpath("//a[@class='source-link']")
    assert source, "the agency page lists a failing relation with its source"
    assert source[0].text_content() == f"第 {SOURCE_LINE} 行"
    assert re.fullmatch(r"file:///srv/nianbao/inbox/\d{6}\.txt", source[0].get("href"))
    crumbs = [a.text_content() for a in agency.xpath("//nav[@class='crumbs']/a")]
    assert crumbs[0] == "总览" and crumbs[1].startswith("第") and crumbs[2].endswith("市")


@pytest.mark.slow  # the 100,000-report site
def test_offline_search_finds_an_agency(big_site: tuple[Path, float]) -> None:
    site, _ = big_site
    assert (site / SEARCH_INDEX).stat().st_size < 15_000_000
    doc = rendered(site / PAGE, query="第7025号机关")
    hits = json.loads(doc.get("data-hits") or "[]")
    assert [name for name, _ in hits] == ["第19省第6市第7025号机关 2024"]
    assert (site / hits[0][1].split("#")[0]).exists()


def test_screenshots_at_10000_reports_show_legible_chinese(tmp_path: Path) -> None:
    site = build_report(build_warehouse(tmp_path / "w.duckdb", SCREENSHOT_N), tmp_path / "report").parent
    summary_shot, summary_s = screenshot(site / PAGE, "dq_summary_10k.png", 2000)
    agency = _links(site / PAGE, "//h2[@id='failing']/following-sibling::table[1]//a")[0]
    agency_shot, agency_s = screenshot(agency, "dq_agency_10k.png", 1000)
    for shot in (summary_shot, agency_shot):
        assert shot.stat().st_size > 20_000
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    assert fonts.strip(), "no CJK font: Chinese would show as boxes (make browser installs fonts-wqy-microhei)"
    (ARTIFACTS / "dq_10k.txt").write_text(
        f"summary {(site / PAGE).stat().st_size:,} bytes, screenshot in {summary_s:.1f} s (browser start included)\n"
        f"agency {agency.stat().st_size:,} bytes, screenshot in {agency_s:.1f} s\n",
        encoding="utf-8",
    )
