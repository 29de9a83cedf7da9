"""expectations/report.py: the static data-quality page, read as a supervising office would read it.

The page is built from the sample warehouse's dq.check_results and checked three ways: its structure (the
failing report with the printed numbers, warnings apart, what could not be assessed), in a real headless
Chromium (the text the browser actually lays out), and at 100,000 reports (capped lists with counts).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import duckdb
import pytest
from lxml import html as lxml_html
from test_checks import build_sample_warehouse

from expectations.checks import run_checks
from expectations.report import FAILING_REPORTS_SHOWN, build_report

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
# Anything a browser would fetch by itself (the page must work offline and load nothing).
REMOTE = re.compile(r"<script|<link|<img|<iframe|url\(|@import|\bsrc=|https?://", re.IGNORECASE)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dq_report")
    warehouse = build_sample_warehouse(folder)
    run_checks(warehouse, data_docs=False)
    return build_report(warehouse, folder / "report")


def _text(element: lxml_html.HtmlElement) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


def _section(doc: lxml_html.HtmlElement, heading_start: str) -> list[lxml_html.HtmlElement]:
    """The elements after the h2 starting with `heading_start`, up to the next h2."""
    h2 = next(h for h in doc.iter("h2") if _text(h).startswith(heading_start))
    out = []
    for sibling in h2.itersiblings():
        if sibling.tag == "h2":
            break
        out.append(sibling)
    return out


def test_page_shows_failing_report_with_printed_numbers(page: Path) -> None:
    assert page.name == "data_quality.html"
    doc = lxml_html.fromstring(page.read_text(encoding="utf-8"))
    summary = {
        _text(tr.xpath("./td//code")[0]): [(td.text or "").strip() + "|" + _text(td) for td in tr.xpath("./td")[2:5]]
        for tr in doc.xpath("//h2[starts-with(., '一、')]/following-sibling::table[1]/tbody/tr")
    }
    # per check: reports passing | failing (and the failing scopes) | not assessable (and the scopes)
    assert summary["T3_BALANCE"] == ["4|4", "1|13 处", "0|0"]
    assert summary["T4_TOTAL"] == ["4|4", "0|0", "1|11 处"]
    assert summary["PLAUSIBLE_PROCUREMENT"] == ["4|4", "1|11 处", "0|0"]
    assert list(summary)[:5] == ["T3_BALANCE", "T3_OUTCOMES", "T3_ROW_TOTAL", "T4_TOTAL", "NON_NEGATIVE"]
    failing = " ".join(_text(e) for e in _section(doc, "二、"))
    assert "金盏地区 2019" in failing and "小关街道" not in failing and "采购" not in failing
    row = next(tr for e in _section(doc, "二、") for tr in e.iter("tr") if "（七）总计 · 自然人" in _text(tr))
    cells = [_text(td) for td in row.xpath("./td")]
    assert cells[1] == "金盏地区 2019 · （七）总计 · 自然人"
    assert cells[2:] == ["（七）总计（报告所列）：10", "各项办理结果之和：5", "5"]
    warnings = " ".join(_text(e) for e in _section(doc, "三、"))
    assert "278,454" in warnings and "合理性提示" in warnings and "10,000" in warnings
    unassessed = " ".join(_text(e) for e in _section(doc, "四、"))
    assert "小关街道 2019" in unassessed and "表四 复议诉讼合计：行政复议" in unassessed


def test_page_is_self_contained(page: Path) -> None:
    """Inline CSS only: nothing to fetch, so it opens offline and never phones home."""
    text = page.read_text(encoding="utf-8")
    assert "<style>" in text and not REMOTE.search(text)


def _browser() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


@pytest.mark.browser
def test_page_in_headless_chromium(page: Path, tmp_path: Path) -> None:
    """Load the page in a real browser and read the text it lays out (innerText: only what is rendered)."""
    browser = _browser()
    if browser is None:
        pytest.skip(
            "no headless browser: chromium is not installed (run `make browser`, i.e. apt-get install chromium)"
        )
    probe = tmp_path / "probe.html"
    marker = "<script>document.documentElement.setAttribute('data-visible', document.body.innerText)</script>"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", f"{marker}</body>"), encoding="utf-8")
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ]
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run(
            [browser, *flags, f"--user-data-dir={profile}", "--dump-dom", probe.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
    with tempfile.TemporaryDirectory() as profile:
        shot = tmp_path / "page.png"
        subprocess.run(
            [
                browser,
                *flags,
                f"--user-data-dir={profile}",
                "--window-size=1200,2000",
                f"--screenshot={shot}",
                page.as_uri(),
            ],
            capture_output=True,
            timeout=120,
            check=True,
        )
    visible = lxml_html.fromstring(dom).get("data-visible")
    assert visible, "the browser did not render the page"
    lines = [re.sub(r"\s+", " ", line).strip() for line in visible.splitlines()]
    assert "政府信息公开工作年度报告 · 数据质量报告" in lines[0]
    row = next(line for line in lines if "金盏地区 2019 · （七）总计 · 自然人" in line)
    assert "（七）总计（报告所列）：10" in row and "各项办理结果之和：5" in row
    assert any("278,454" in line for line in lines)
    assert shot.exists() and shot.stat().st_size > 10_000


def test_page_stays_readable_at_100000_reports(tmp_path: Path) -> None:
    """100,000 reports, 10,000 failing: totals first, then capped lists with counts, not one huge page."""
    warehouse = tmp_path / "big.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema dq")
        con.execute(
            """create table dq.check_results as
            select 'r' || lpad(i::varchar, 6, '0') as report_id, 'T3_BALANCE' as check_id, scope,
                   case when i % 10 = 0 and scope = 'total' then 'fail' else 'pass' end as status,
                   'error' as severity, 12::decimal(18, 4) as expected,
                   (case when i % 10 = 0 and scope = 'total' then 6 else 12 end)::decimal(18, 4) as actual,
                   (case when i % 10 = 0 and scope = 'total' then -6 else 0 end)::decimal(18, 4) as difference,
                   '第' || i || '街道' as agency, 2020 as year, 'synthetic' as detail
            from range(100000) t(i), (values ('natural_person'), ('total')) s(scope)
            union all
            select 'r' || lpad(i::varchar, 6, '0'), 'PLAUSIBLE_PROCUREMENT', 'disclosure.procurement.projects', 'fail',
                   'warning', 10000, 20000, 10000, '第' || i || '街道', 2020, 'synthetic'
            from range(0, 100000, 50) t(i)"""
        )
    page = build_report(warehouse, tmp_path / "out")
    text = page.read_text(encoding="utf-8")
    doc = lxml_html.fromstring(text)
    assert len(text) < 1_500_000
    assert "已核对报告 100,000 份" in _text(doc)
    assert len(doc.xpath("//div[@class='report']")) == FAILING_REPORTS_SHOWN
    assert f"及另外 {10_000 - FAILING_REPORTS_SHOWN:,} 份报告未列出" in _text(doc)
    assert "及另外 1,800 条提示未列出" in _text(doc)  # 2,000 warnings, 200 shown
    summary = doc.xpath("//h2[starts-with(., '一、')]/following-sibling::table[1]/tbody/tr[1]/td")
    assert [(td.text or "").strip() for td in summary[2:5]] == ["90,000", "10,000", "0"]
