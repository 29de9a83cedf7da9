"""The HTML reader's shortcuts (issue 15) give the answers of the longer code they replace.

The page is parsed without lxml.html's element classes, stripped by one lean pass, and its section
headings are looked for only among the short ancestors of text holding an enumeration comma. The code
each replaces is kept here as the reference, run on crafted pages and on the synthetic HTML layouts.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import lxml.html
import pytest
from fuzz import crafted
from lxml import etree

from extract.readers import ReadError
from extract.readers import html as reader
from extract.readers.grid import clean_text
from extract.template import templates


def _strip_reference(root) -> None:
    for el in list(root.iter()):
        if el.getparent() is None:
            continue
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if not isinstance(el.tag, str) or tag in reader._DROP or reader._HIDDEN.search(el.get("style") or "") \
                or el.get("hidden") is not None:
            el.drop_tree()


def _headings_reference(body) -> dict:
    """The search before issue 15: every element's text content, and each of its children's, looked at."""
    tpl = templates()
    sizes: dict[object, int] = {}
    for el in reversed(list(body.iter())):
        sizes[el] = len(el.text or "") + sum(sizes.get(c, 0) + len(c.tail or "") for c in el)
    found = {}
    for el in body.iter():
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag in ("table", "tr", "tbody") or sizes[el] > 200:
            continue
        section = tpl.section_of_heading(clean_text(el.text_content()))
        if section and not any(tpl.section_of_heading(clean_text(c.text_content())) for c in el):
            found[el] = section
    return found


def _cell_lines_reference(td) -> str:
    out: list[str] = []

    def walk(el) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag == "br" or tag in reader._BLOCK:
            out.append("\n")
        if el.text:
            out.append(el.text)
        for child in el:
            walk(child)
        if tag in reader._BLOCK:
            out.append("\n")
        if el.tail and el is not td:
            out.append(el.tail)

    walk(td)
    return "".join(out)


HEADINGS = (
    "<div id=nav><a>首页</a><p>一、总体情况（导航里的链接）</p></div>"
    "<div id=main><h2>某局2023年政府信息公开工作年度报告</h2>"
    "<p>一、总体情况</p><p>本局推进公开、解读、回应工作，内容很多。" + "正文" * 120 + "</p>"
    "<p><b>二</b>、主动公开政府信息情况</p>"  # the comma in the tail of <b>
    "<div><span>三︑收到和处理政府信息公开申请情况</span></div>"  # U+FE11, a vertical form
    "<p>四､政府信息公开行政复议、行政诉讼情况</p>"  # U+FF64, half-width
    "<table><tr><td>五、存在的主要问题及改进情况</td></tr></table>"  # inside a table cell: still an element
    "<p>六、其他需要报告的事项</p><p>六、其他需要报告的事项" + "很长" * 120 + "</p></div>"
)
PAGES = {
    "headings": f"<html><body>{HEADINGS}</body></html>",
    "headings_in_tail": "<html><body><div><i>x</i>一、总体情况<p>二、主动公开政府信息情况</p></div></body></html>",
    "body_text_only": "<html><body>一、总体情况</body></html>",
    "one_section": "<html><body><p>一、总体情况</p><p>正文</p></body></html>",
    "nested_headings": "<html><body><div><p>一、总体情况</p></div><div>二、主动公开政府信息情况</div></body></html>",
    "chrome": ('<html><head><title>某局2022年政府信息公开工作年度报告</title><style>p{}</style></head><body>'
               '<!-- c --><?pi x?><div style="display:none">一、总体情况</div>'
               "<div hidden>二、主动公开政府信息情况</div>"
               '<div style="visibility: HIDDEN">x</div><SCRIPT>s</SCRIPT><lin\u212a>kelvin</lin\u212a><o:p>op</o:p>'
               "<div>前<script>x</script>后<noscript>n</noscript>尾</div>"
               "<p>一、总体情况</p><p>二、主动公开政府信息情况</p><p>三、收到和处理政府信息公开申请情况</p></body></html>"),
    "cells": ("<html><body><table><tr><td>a<br>b</td><td><p>段</p>尾</td><td></td><th>表头</th><td>x<!-- c -->y</td>"
              "<td><span>甲</span>乙<div>丙</div></td></tr></table></body></html>"),
}


def _synthetic_pages() -> list[str]:
    return [crafted.rendered("html", i).decode("utf-8", "replace") for i in range(0, 24, 3)]


ALL_PAGES = list(PAGES.values()) + _synthetic_pages()


@pytest.mark.parametrize("page", ALL_PAGES)
def test_the_page_parses_and_strips_to_the_same_tree(page: str):
    mine = reader._document_fromstring(page)
    theirs = lxml.html.document_fromstring(page)
    assert etree.tostring(mine) == etree.tostring(theirs)
    reader._strip(mine)
    _strip_reference(theirs)
    assert etree.tostring(mine, encoding=str) == etree.tostring(theirs, encoding=str)


@pytest.mark.parametrize("page", ALL_PAGES)
def test_the_headings_are_those_the_full_search_finds(page: str):
    mine = reader._document_fromstring(page)
    reader._strip(mine)
    theirs = lxml.html.document_fromstring(page)
    _strip_reference(theirs)
    found = reader._headings(mine.find("body"))
    expected = _headings_reference(theirs.find("body"))
    assert [(etree.tostring(h), s) for h, s in found.items()] == [(etree.tostring(h), s) for h, s in expected.items()]


def test_headings_with_every_form_of_the_comma():
    root = reader._document_fromstring(PAGES["headings"])
    reader._strip(root)
    found = reader._headings(root.find("body"))
    assert [(h.tag, s) for h, s in found.items()] == [
        ("p", "overview"), ("p", "overview"), ("p", "disclosure"), ("span", "applications"),
        ("p", "review_litigation"), ("td", "problems"), ("p", "other_matters")]  # the long 六 is not one
    assert [reader._text_content(h) for h in found][1:3] == ["一、总体情况", "二、主动公开政府信息情况"]


def test_the_chrome_and_hidden_elements_are_stripped():
    root = reader._document_fromstring(PAGES["chrome"])
    reader._strip(root)
    body = etree.tostring(root.find("body"), encoding=str)
    for gone in ("display:none", "hidden", "<script", "kelvin", "<!--", "<?pi", "noscript"):
        assert gone not in body
    assert "<div>前后尾</div>" in body and "<o:p>op</o:p>" in body


def test_cell_lines_with_and_without_markup():
    root = reader._document_fromstring(PAGES["cells"])
    tds = [el for el in root.iter() if el.tag in ("td", "th")]
    assert [reader._cell_lines(td) for td in tds] == [_cell_lines_reference(td) for td in tds]
    assert [reader._cell_lines(td) for td in tds][2:4] == ["\n\n", "\n表头\n"]
    assert reader._cell_lines(tds[0]) == "\na\nb\n"


def test_the_enumeration_commas_are_every_character_whose_nfkc_form_holds_one():
    commas = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if "、" in unicodedata.normalize("NFKC", c))
    assert commas == reader.ENUMERATION_COMMAS


@pytest.mark.parametrize(("text", "message"), [
    ("<!-- only a comment -->", "Document is empty"),
    ("<?xml version='1.0' encoding='utf-8'?><html/>", "Unicode strings with encoding declaration are not supported"),
])
def test_parse_errors_are_lxml_html_errors(text: str, message: str):
    errors = []
    for parse in (reader._document_fromstring, lxml.html.document_fromstring):
        try:
            parse(text)
        except (etree.ParserError, ValueError) as exc:
            errors.append((type(exc).__name__, str(exc)))
    assert len(errors) == 2 and errors[0] == errors[1] and message in errors[0][1]


def test_a_comment_only_page_is_refused_as_before():
    with pytest.raises(ReadError) as err:
        reader.read(b"<!-- only a comment -->", Path("x.html"))
    assert err.value.code == "unreadable_file" and "Document is empty" in str(err.value)


def _table_reference(flow, table) -> None:
    """The grid before issue 15: every position taken kept in one dict keyed by (row, column)."""
    from extract.blocks import Block, Cell
    from extract.limits import MAX_GRID_COLUMNS, MAX_SPAN, MAX_TABLE_CELLS
    from extract.readers.grid import absent_cell, cell_text, grid_blocks

    rows = list(table.iter("tr"))
    index = flow.tables
    flow.tables += 1
    reader._check_table(index, len(rows))
    taken = {}
    for r, tr in enumerate(rows):
        c = 0
        for td in tr:
            if reader._tag(td) not in reader._CELLS:
                continue
            while (r, c) in taken:
                c += 1
            rs = reader._span(td.get("rowspan"), min(len(rows) - r, MAX_SPAN))
            cs = reader._span(td.get("colspan"), min(MAX_SPAN, MAX_GRID_COLUMNS - c))
            if c >= MAX_GRID_COLUMNS or len(taken) + rs * cs > MAX_TABLE_CELLS:
                raise ReadError("resource_limit", f"table {index + 1} spans more than {MAX_GRID_COLUMNS} "
                                f"columns or {MAX_TABLE_CELLS} cells: not a report's table")
            text = cell_text(reader._cell_lines(td))
            for dr in range(rs):
                for dc in range(cs):
                    taken[(r + dr, c + dc)] = Cell(text if dr == dc == 0 else "", table_index=index,
                                                   row_index=r + dr, col_index=c + dc)
            c += cs
    width = max((col for _, col in taken), default=-1) + 1
    grid = [[taken.get((r, c)) or absent_cell(Cell("", table_index=index, row_index=r)) for c in range(width)]
            for r in range(len(rows))]
    if width == 1:
        flow.blocks.extend(Block("text", [row[0]]) for row in grid if row[0].text)
        return
    flow.blocks.extend(grid_blocks(grid))


SPAN_TABLES = [
    "<table><tr><td rowspan=2>a</td><td colspan=2>b</td></tr><tr><td>c</td><td rowspan=3 colspan=2>d</td></tr>"
    "<tr><td colspan=3>e</td><td>f</td></tr><tr></tr><tr><td rowspan=0>g</td><th>h</th></tr></table>",
    "<table><tr><td>1</td><td rowspan=2>2</td></tr><tr><td colspan=3>over</td><td>x</td></tr></table>",  # overlap
    "<table><tr><td rowspan=abc colspan=-1>bad</td><td colspan=00>zero</td><td colspan=99999999999>huge</td></tr>"
    "<tr><td>short row</td></tr></table>",
    "<table><tr><td>only</td></tr><tr><td></td></tr><tr><td>col</td></tr></table>",
    "<table><tr><td colspan=150>a</td><td colspan=150>b</td></tr></table>",  # past the columns limit
]


@pytest.mark.parametrize("page", [f"<html><body>{t}</body></html>" for t in SPAN_TABLES] + ALL_PAGES)
def test_a_table_reads_as_the_dict_of_positions_read_it(page: str):
    def outcome(table_of):
        flow = reader._Flow()
        try:
            for table in reader._document_fromstring(page).iter("table"):
                table_of(flow, table)
        except ReadError as exc:
            return exc.code, str(exc)
        return repr(flow.blocks)

    assert outcome(reader._Flow.table) == outcome(_table_reference)
