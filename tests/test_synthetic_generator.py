"""The generator itself: identities hold, injections break exactly what they claim, renderers are sound."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synthetic.corpus import truth_json, write_corpus
from synthetic.document import build_document
from synthetic.render import ALL_LAYOUTS, Noise, render_report
from synthetic.render_text import _splits, _splits_blocks, _splits_subtotal, _splits_total
from synthetic.truth import (
    INJECTION_KINDS,
    YEARS,
    application_rows,
    random_truth,
    relation_failures,
    truths,
)


@settings(max_examples=200, deadline=None)
@given(truths(inject=()))
def test_random_truth_satisfies_every_identity(truth):
    assert relation_failures(truth) == {k: [] for k in ("T3_BALANCE", "T3_OUTCOMES", "T3_ROW_TOTAL", "T4_TOTAL",
                                                        "NON_NEGATIVE")}
    assert truth.year in YEARS[truth.template]
    assert len(truth.cells["applications"]) == len(application_rows(truth.template, truth.variant))


@settings(max_examples=100, deadline=None)
@given(truths(inject=None))
def test_injections_break_what_they_name(truth):
    fails = relation_failures(truth)
    for entry in truth.injected:
        assert any(fails[rel] for rel in entry["relation"]), entry


def test_row_counts_of_the_formats():
    assert len(application_rows("F2019", "national")) == 23
    assert len(application_rows("F2021", "national")) == 25
    assert len(application_rows("F2021", "single_other")) == 23


def test_digit_run_split_counts():
    assert _splits_total("230000023", 6) == 1  # 23 0 0 0 0 0 | 23
    assert _splits_total("0000000", 6) == 1
    assert _splits_total("1100002", 6) == 1  # 1 1 0 0 0 0 | 2
    assert _splits_total("10000001", 6) == 2  # `00` could be one cell: leading zeros are read permissively
    assert _splits("000", 3) == 1 and _splits("1234", 3) == 2 and _splits("56-3818", 3) == 2
    assert _splits_blocks("000000000000000", 3) == 1
    assert _splits_subtotal("30000003") == 1  # 3 | 0 0 0 0 0 | 0 | 3


@pytest.mark.parametrize("layout", ALL_LAYOUTS)
def test_every_layout_renders_the_whole_report(layout):
    truth = random_truth(random.Random(3), "F2021", "national")
    r = render_report(truth, layout, random.Random(3), Noise.none())
    assert r.data and r.layout == layout
    if layout in ("html", "docx", "pdf"):
        return
    text = r.data.decode(r.encoding or "utf-8")
    assert truth.agency in text and f"{truth.year}年" in text
    headings = ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                "六、其他需要报告的事项")
    for heading in headings:
        assert heading in text


def test_html_keeps_merged_cells_and_declares_its_charset():
    from lxml import html as lhtml

    truth = random_truth(random.Random(4), "F2019", "beijing")
    for enc in ("utf-8", "gbk"):
        from synthetic.render_html import HtmlOptions, render_html

        doc = build_document(truth, random.Random(4))
        data = render_html(doc, HtmlOptions(encoding=enc), random.Random(4))
        assert f'charset="{enc}"'.encode() in data
        tree = lhtml.fromstring(data.decode(enc))
        tables = tree.findall(".//table")
        assert len(tables) == 3
        assert tables[1].xpath(".//td[@rowspan]") and tables[1].xpath(".//td[@colspan]")
        assert "本年新收政府信息公开申请数量" in tables[1].text_content()


def test_docx_tables_carry_the_truth_values():
    import docx

    truth = random_truth(random.Random(6), "F2019", "national")
    r = render_report(truth, "docx", random.Random(6), Noise.none())
    d = docx.Document(io.BytesIO(r.data))
    assert len(d.tables) == 3
    app = d.tables[1]
    row = next(rw for rw in app.rows if "本年新收" in rw.cells[0].text)
    values = [c.text for c in row.cells[3:]]
    assert values == [str(truth.cells["applications"]["new_received"][c]) for c in
                      ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org",
                       "total")]


def test_corpus_files_and_truth_shape(tmp_path):
    paths = write_corpus(tmp_path, 12, seed=1, inject_rate=0.5)
    assert len(paths) == 12
    for p in paths:
        tj = json.loads((tmp_path / f"{p.name}.truth.json").read_text(encoding="utf-8"))
        assert {"file", "agency", "year", "template", "variant", "cells", "narrative", "undeterminable",
                "injected"} <= set(tj)
        assert tj["file"] == p.name
        for t, r, c in tj["undeterminable"]:
            assert c in tj["cells"][t][r]


def test_corpus_is_reproducible(tmp_path):
    a = write_corpus(tmp_path / "a", 5, seed=9)
    b = write_corpus(tmp_path / "b", 5, seed=9)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


def test_cli(tmp_path):
    out = subprocess.run([sys.executable, "-m", "synthetic.corpus", str(tmp_path), "-n", "4", "--seed", "2",
                          "--layouts", "tab_rows,digit_run"], capture_output=True, text=True, check=True)
    assert "wrote 4 reports" in out.stderr
    assert len(list(tmp_path.glob("*.truth.json"))) == 4


@pytest.mark.parametrize("kind", INJECTION_KINDS)
def test_truth_json_lists_injections(kind):
    truth = random_truth(random.Random(1), "F2019", "national", inject=(kind,))
    assert truth_json(truth, "f")["injected"][0]["kind"] == kind


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**6))
def test_sparse_rows_with_dropped_cells_are_undeterminable(seed):
    truth = random_truth(random.Random(seed), "F2019", "national")
    r = render_report(truth, "sparse", random.Random(seed), Noise(null_forms=False))  # blanks printed empty
    undet = {tuple(u) for u in r.undeterminable}
    for t, rows in truth.cells.items():
        for row, cols in rows.items():
            blanks = [c for c, v in cols.items() if v is None]
            if blanks and len(blanks) < len(cols):
                assert all((t, row, c) in undet for c in cols), (t, row)


def test_pdf_is_ruled_cjk_text_with_section_three_continued_over_pages():
    """reportlab's built-in CID font needs no font file; pdfplumber reads the Chinese text and ruled grids."""
    import pdfplumber

    truth = random_truth(random.Random(3), "F2021", "national")
    r = render_report(truth, "pdf", random.Random(3), Noise.none())
    assert r.data.startswith(b"%PDF-") and r.suffix == ".pdf"
    with pdfplumber.open(io.BytesIO(r.data)) as pdf:
        text = "".join(p.extract_text() for p in pdf.pages)
        tables = [t for p in pdf.pages for t in p.extract_tables()]
        assert len(pdf.pages) >= 2
    assert truth.agency in text.replace("\n", "") and "二、主动公开政府信息情况" in text
    assert len(tables) >= 4  # three tables, section 三 continued on the next page
    assert sum(1 for t in tables for row in t if "申请人情况" in row) == 2  # header repeated there
    assert render_report(truth, "pdf", random.Random(3), Noise.none()).data == r.data  # reproducible
