"""expectations/report.py: the data-quality report, read as a supervising office would read it.

Built from the sample warehouse's dq.check_results and checked for what it says (the failing report with
the printed numbers and where they were printed, severities named for what they count, what could not be
assessed or read), that it loads nothing from the network, that untrusted names are escaped, and at
100,000 synthetic reports in headless Chromium (tests/test_dq_report_browser.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from lxml import html as lxml_html
from sample_warehouse import build_sample_warehouse

from expectations.checks import run_checks
from expectations.report import AGENCIES, PAGE, SEARCH_INDEX, build_report

# Anything a browser would fetch from another host by itself (the site works offline and loads nothing).
REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""", re.I)
HOSTILE = """<script>alert("x")</script>'; drop table dq.check_results; --"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dq_report")
    warehouse = build_sample_warehouse(folder)
    run_checks(warehouse, data_docs=False)
    return build_report(warehouse, folder / "report").parent


def _text(element: lxml_html.HtmlElement) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


def _page(path: Path) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(path.read_text(encoding="utf-8"))


def _section(doc: lxml_html.HtmlElement, heading_start: str) -> str:
    """The text after the h2 starting with `heading_start`, up to the next h2."""
    h2 = next(h for h in doc.iter("h2") if _text(h).startswith(heading_start))
    out = []
    for sibling in h2.itersiblings():
        if sibling.tag == "h2":
            break
        out.append(_text(sibling))
    return " ".join(out)


def test_summary_counts_per_check_and_honest_severity_words(site: Path) -> None:
    doc = _page(site / PAGE)
    summary = {
        _text(tr.xpath("./td//code")[0]): [(td.text or "").strip() + "|" + _text(td) for td in tr.xpath("./td")[2:5]]
        for tr in doc.xpath("//h2[starts-with(., '一、')]/following-sibling::table[1]/tbody/tr")
    }
    # per check: reports passing | failing (and the failing scopes) | not assessable (and the scopes)
    assert summary["T3_BALANCE"] == ["4|4", "1|13 处", "0|0"]
    assert summary["T4_TOTAL"] == ["4|4", "0|0", "1|11 处"]
    assert summary["PLAUSIBLE_PROCUREMENT"] == ["4|4", "1|11 处", "0|0"]
    assert list(summary)[:5] == ["T3_BALANCE", "T3_OUTCOMES", "T3_ROW_TOTAL", "T4_TOTAL", "NON_NEGATIVE"]
    severity = {
        _text(tr.xpath("./td//code")[0]): _text(tr.xpath("./td")[1])
        for tr in doc.xpath("//h2[starts-with(., '一、')]/following-sibling::table[1]/tbody/tr")
    }
    assert severity["T3_BALANCE"] == "法定勾稽关系"
    assert severity["PLAUSIBLE_PROCUREMENT"] == "合理性提示"
    assert severity["X5"] == "信息提示"
    cards = [_text(c) for c in doc.xpath("//div[@class='cards']/div")]
    # one report fails a statutory relation; the warning and the info note are counted apart
    assert cards[0] == "1份报告未通过法定勾稽关系"
    assert cards[2].endswith("份报告有合理性提示") and cards[3].endswith("份报告有信息提示")


def test_failing_relation_on_the_agency_page_links_to_its_source_line(site: Path) -> None:
    summary = _page(site / PAGE)
    link = next(a for a in summary.xpath("//h2[starts-with(., '四、')]/following-sibling::table[1]//a"))
    assert _text(link) == "金盏地区"
    agency = _page(site / link.get("href"))
    assert _text(agency.xpath("//h1")[0]) == "金盏地区"
    row = next(tr for tr in agency.iter("tr") if "（七）总计 · 自然人" in _text(tr))
    cells = [_text(td) for td in row.xpath("./td")]
    assert cells[0] == "表三 办理结果合计" and cells[1] == "法定勾稽关系"
    assert cells[3:6] == ["（七）总计（报告所列）：10", "各项办理结果之和：5", "5"]
    source = row.xpath(".//a[@class='source-link']")[0]
    assert re.fullmatch(r"第 \d+ 行", _text(source))
    assert source.get("href").startswith("file:///") and source.get("href").endswith(".txt")
    # the detail line is the Chinese sentence only, not repeated in English
    detail = _text(row.getnext())
    assert detail.startswith("（七）总计") and "T3_OUTCOMES" not in detail and "sum of" not in detail
    crumbs = [a.get("href") for a in agency.xpath("//nav[@class='crumbs']/a")]
    assert crumbs[0] == "../data_quality.html" and all((site / AGENCIES / h).resolve().exists() for h in crumbs)


def test_unassessed_relations_are_listed_in_the_forms_words(site: Path) -> None:
    """The relations 金盏地区's report could not be checked for (no report of the year before, no prose figure) are
    listed by check and scope in the form's words: a column or row label, or the part of the report, never a code
    (`commercial`, `review_cases`)."""
    summary = _page(site / PAGE)
    link = next(a for a in summary.xpath("//h2[starts-with(., '四、')]/following-sibling::table[1]//a"))
    agency = _page(site / link.get("href"))
    heading = next(h for h in agency.iter("h3") if _text(h).startswith("无法核对"))
    assert _text(heading) == "无法核对（11 处）：单位未填报（空白、/、—、无）或缺表"
    assert [_text(li) for li in heading.getnext().xpath("./li")] == [
        *(f"跨年度结转一致：{column}列" for column in ("商业企业", "法律服务机构", "自然人", "其他", "科研机构",
                                                       "社会公益组织", "总计")),
        "现行有效件数跨年度衔接：规范性文件", "现行有效件数跨年度衔接：规章",
        "文本与上年或其他机关高度相似（提示）：第一部分 · 与本单位上年报告",
        "文本与上年或其他机关高度相似（提示）：第五部分 · 与本单位上年报告",
    ]


def test_unassessable_and_unreadable_are_their_own_sections(site: Path) -> None:
    doc = _page(site / PAGE)
    blanks = _section(doc, "五、")
    assert "报送单位未填报" in blanks and "解析程序未能读取" in blanks
    documents = _section(doc, "六、")
    assert "所有文件均已完整读取" in documents or "无法读取" in documents or "部分读取" in documents


def test_site_loads_nothing_from_the_network(site: Path) -> None:
    """Relative links, one local stylesheet and script: it opens offline and never phones home."""
    pages = list(site.rglob("*.html"))
    assert len(pages) >= 4
    for page in pages:
        assert not REMOTE.search(page.read_text(encoding="utf-8")), page


def test_every_name_is_escaped(tmp_path: Path) -> None:
    """An agency name with markup, quotes and SQL stays text in every page and in the search index."""
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema dq")
        con.execute(
            """create table dq.check_results as select 'r1' as report_id, 'T3_BALANCE' as check_id,
               'total' as scope, 'fail' as status, 'error' as severity, 1::decimal(18,4) as expected,
               2::decimal(18,4) as actual, 1::decimal(18,4) as difference, $name as agency, 2020 as year,
               $name as detail""",
            {"name": HOSTILE},
        )
    site = build_report(warehouse, tmp_path / "out").parent
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text, page
    agency = next((site / AGENCIES).iterdir())
    assert HOSTILE in _text(_page(agency).xpath("//h1")[0])
    index = (site / SEARCH_INDEX).read_text(encoding="utf-8")
    assert "<" not in index and "\\u003cscript>alert" in index


def test_each_agency_history_is_built_beside_the_report_and_linked(site: Path) -> None:
    summary = _page(site / PAGE)
    assert "history/index.html" in [a.get("href") for a in summary.iter("a")]
    index = site / "history" / "index.html"
    assert index.exists()
    agencies = sorted((site / "history" / "a").glob("*.html"))
    assert agencies, "no agency page"
    page = agencies[0].read_text(encoding="utf-8")
    assert "<svg" in page or "<table" in page
    assert not REMOTE.search(index.read_text(encoding="utf-8") + page)
