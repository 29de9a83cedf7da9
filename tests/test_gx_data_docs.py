"""GX Data Docs offline: the index lists every validation (GX's own list needs jQuery from a CDN), and each
validation page names the reports that failed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html
from sample_warehouse import build_sample_warehouse

from expectations.checks import run_checks
from expectations.docs import REMOTE_LOAD


@pytest.fixture(scope="module")
def docs_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    warehouse = build_sample_warehouse(tmp_path_factory.mktemp("gx_docs"))
    index = run_checks(warehouse).data_docs
    assert index is not None
    return index


def _rows(page: Path, section: str) -> list[list[str]]:
    doc = lxml_html.fromstring(page.read_text(encoding="utf-8"))
    return [[re.sub(r"\s+", " ", td.text_content()).strip() for td in tr.xpath("./td")]
            for tr in doc.xpath(f"//section[@id='{section}']//tr[td]")]


def test_index_lists_every_validation_with_its_outcome(docs_index: Path) -> None:
    rows = _rows(docs_index, "nianbao-index")
    assert [(r[0], r[3], r[4]) for r in rows] == [
        ("nianbao_agencies", "✔ 通过", "0"),
        ("nianbao_applications", "✘ 不通过", "1"),
        ("nianbao_disclosure", "✘ 不通过", "1"),
        ("nianbao_litigation", "✘ 不通过", "1"),
        ("nianbao_narrative", "✔ 通过", "0"),
    ]
    doc = lxml_html.fromstring(docs_index.read_text(encoding="utf-8"))
    links = doc.xpath("//section[@id='nianbao-index']//a/@href")
    assert len(links) == 5 and all((docs_index.parent / link).is_file() for link in links)


def test_validation_page_names_the_failing_reports(docs_index: Path) -> None:
    page = next(docs_index.parent.glob("validations/nianbao_applications/*/*/*.html"))
    rows = _rows(page, "nianbao-failing")
    balance = [r for r in rows if r[0] == "T3_BALANCE"]
    assert balance and all(r[2] == "error" and r[3] == "1" and r[4].startswith("金盏地区 2019") for r in balance)
    assert not REMOTE_LOAD.search(page.read_text(encoding="utf-8"))
