"""The Word reader's shortcuts (issue 15) give the answers of the longer code they replace.

The main part is read straight from the zip unless the package is one python-docx would refuse or read
differently; each crafted package here is read both ways (the shortcut, and python-docx forced) and must
give the same blocks or the same refusal, word for word. Paragraph text skips its per-element ancestor walk
when no `mc:Fallback` is near; the walk it replaces is kept here as the reference. A table's rows and cells are
the plain children when no wrapper sits at row or cell level, and the span properties are found in one pass
over the table: each table is also read with both shortcuts off (ElementPath's search in every row and cell).
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
import reader_speed_cases as cases
from docx.oxml.ns import qn
from lxml import etree

from extract.readers import ReadError, docx_package
from extract.readers import docx as docx_reader
from extract.readers.docx_package import NotPlainPackage, main_document

CASES = cases.docx_cases()
# Packages python-docx opens as Word documents: the shortcut must read them itself.
PLAIN = {"report_like", "spans", "nested_and_one_column", "controls", "odd_tables", "fallback_text", "breaks",
         "pictures_only", "pictures_in_fallback", "no_body", "main_part_with_entity", "main_part_external_entity",
         "theme_not_xml", "content_types_upper_case", "main_rel_absolute", "main_rel_dotted", "main_part_renamed",
         "part_rel_external"}
ADDRESS = re.compile(r"0x[0-9a-f]+")


def _outcome(data: bytes):
    """Blocks as (kind, text, table, row, col) tuples, or the refusal (code, message without addresses)."""
    try:
        reading = docx_reader.read(data, Path("x.docx"))
    except ReadError as exc:
        return ("refused", exc.code, ADDRESS.sub("0x", str(exc)))
    except Exception as exc:  # the parse turns these into `unreadable_file`; the type and text must match
        return ("raised", type(exc).__name__, ADDRESS.sub("0x", str(exc)))
    return [(b.kind, c.text, c.table_index, c.row_index, c.col_index) for b in reading.blocks for c in b.cells]


def _through_python_docx(monkeypatch: pytest.MonkeyPatch, data: bytes):
    def refuse(package):
        raise NotPlainPackage("forced")

    with monkeypatch.context() as m:
        m.setattr(docx_reader, "main_document", refuse)
        return _outcome(data)


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_package_reads_as_python_docx_reads_it(name: str, monkeypatch: pytest.MonkeyPatch):
    data = CASES[name]
    assert _outcome(data) == _through_python_docx(monkeypatch, data)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_shortcut_takes_exactly_the_packages_python_docx_opens(name: str):
    import docx

    package = zipfile.ZipFile(BytesIO(CASES[name]))
    try:
        opened = docx.Document(BytesIO(CASES[name])).element
    except Exception:
        opened = None
    try:
        root = main_document(package)
    except NotPlainPackage:
        root = None
    assert (name in PLAIN) == (root is not None)
    if name == "root_not_document":
        assert root is None and opened is not None  # python-docx opens it, then fails on `.body`
    elif root is not None:
        assert etree.tostring(root) == etree.tostring(opened)


def test_refusals_keep_python_docx_messages():
    assert _outcome(CASES["zip_of_text"]) == (
        "refused", "unreadable_file",
        "not a Word .docx document: KeyError: \"There is no item named '[Content_Types].xml' in the archive\"")
    code, message = _outcome(CASES["content_type_macro"])[1:]
    assert code == "unreadable_file" and message.startswith(
        "not a Word .docx document: ValueError: file '<_io.BytesIO object at 0x>' is not a Word file, content type "
        "is 'application/vnd.ms-word.document.macroEnabled.main+xml'")
    assert _outcome(CASES["styles_not_xml"])[2].startswith(
        "not a Word .docx document: XMLSyntaxError: Namespace prefix w on styles is not defined")
    assert _outcome(CASES["corrupt_styles_part"])[2] == (
        "not a Word .docx document: BadZipFile: Bad CRC-32 for file 'word/styles.xml'")
    assert _outcome(CASES["main_rel_twice"])[2].startswith(
        "not a Word .docx document: ValueError: multiple relationships of type")
    assert _outcome(CASES["no_body"]) == ("raised", "TypeError", "'NoneType' object is not iterable")


def test_a_remembered_part_is_one_that_parsed_and_a_bad_one_is_refused_every_time():
    good = cases.template_parts()["word/styles.xml"]
    docx_package._check_xml_memo.cache_clear()
    for _ in range(2):
        docx_package._check_xml(good)
    assert docx_package._check_xml_memo.cache_info().hits == 1
    for _ in range(2):
        assert _outcome(CASES["styles_not_xml"])[1] == "unreadable_file"


def test_spans_merges_and_grid_offsets():
    rows = [[(c.text, c.col_index) for c in b.cells] for b in
            docx_reader.read(CASES["spans"], Path("x.docx")).blocks]
    assert rows[0][:4] == [("项目", 0), ("", 1), ("数量", 2), ("备注", 3)]  # gridSpan 2
    assert rows[2][:2] == [("", 0), ("丙", 1)]  # vMerge continued: empty
    assert rows[3][:4] == [("", 0), ("丁", 1), ("5", 2), ("", 3)]  # gridBefore 1, gridAfter 1
    assert [t for t, _ in rows[4]] == ["宽", "", "", "", "溢"]  # a huge span clipped at the declared grid
    assert [t for t, _ in rows[5][:4]] == ["坏", "负", "7", "8"]  # spans "abc" and "-3": one column
    assert [t for t, _ in rows[6]] == ["a", "", "", "b"]  # no declared grid: the span counts


def test_content_controls_nested_tables_breaks_and_fallbacks():
    def texts(name: str) -> list[list[str]]:
        return [[c.text for c in b.cells] for b in docx_reader.read(CASES[name], Path("x.docx")).blocks]

    assert texts("controls") == [["标签", "值"], ["控件行", "9"], ["自定义行", "10"], ["控件格", "11"]]
    assert texts("nested_and_one_column") == [["外框"], ["内1", "内2"], ["框尾"], ["单列一"], ["单列二"]]
    assert texts("breaks") == [["一、总体情况"], ["第二行同行制表"], ["回车后"], ["插入的链接标记"], ["控件段落"],
                               ["自定义段落"]]
    with_prose = cases.package(cases.body_xml(cases.FALLBACK + f"<w:p><w:r><w:t>{cases.PROSE}</w:t></w:r></w:p>"))
    assert texts_of(with_prose)[0] == ["图前图后"]  # the VML fallback's copy of the text box is not read
    code, message = _outcome(CASES["pictures_in_fallback"])[1:]
    assert code == "needs_ocr" and message.startswith("Word file holds 4 image(s) and almost no text (8 characters)")


def texts_of(data: bytes) -> list[list[str]]:
    return [[c.text for c in b.cells] for b in docx_reader.read(data, Path("x.docx")).blocks]


def _paragraph_text_reference(p) -> str:
    """The paragraph walk before issue 15: every text element's ancestors looked at."""
    fallback = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
    out = []
    for el in p.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")):
        if any(a.tag == fallback for a in el.iterancestors()):
            continue
        if el.tag == qn("w:t"):
            out.append(el.text or "")
        elif el.tag == qn("w:tab"):
            out.append("\t")
        elif el.tag == qn("w:br") and el.get(qn("w:type")) == "page":
            continue
        else:
            out.append("\n")
    return "".join(out)


def test_paragraph_text_matches_the_ancestor_walk_on_every_paragraph():
    paragraphs = 0
    for name in sorted(PLAIN):
        root = main_document(zipfile.ZipFile(BytesIO(CASES[name])))
        for p in root.iter(qn("w:p")):
            paragraphs += 1
            assert docx_reader.paragraph_text(p) == _paragraph_text_reference(p), name
    assert paragraphs > 100
    root = main_document(zipfile.ZipFile(BytesIO(CASES["fallback_text"])))
    inner = next(p for p in root.iter(qn("w:p")) if "重复文字" in "".join(p.itertext()) and len(p) == 1)
    assert docx_reader.paragraph_text(inner) == "" == _paragraph_text_reference(inner)  # inside the fallback


PAIRS = (docx_reader._GRID_SPAN, docx_reader._V_MERGE, docx_reader._GRID_BEFORE, docx_reader._GRID_AFTER)


def _properties_reference(tbl) -> dict:
    """Each row's and cell's properties by ElementPath, one search per element and pair."""
    found = {}
    for el in tbl.iter():
        props = {pair: el.find(f"{pair[0]}/{pair[1]}") for pair in PAIRS}
        if any(p is not None for p in props.values()):
            found[el] = {pair: p for pair, p in props.items() if p is not None}
    return found


def test_a_property_is_found_as_elementpath_finds_it():
    tc = etree.fromstring(f'<w:tc {cases.W}><w:tcPr/><w:tcPr><w:gridSpan w:val="2"/><w:gridSpan w:val="3"/></w:tcPr>'
                          '<w:tcPr><w:gridSpan w:val="4"/><w:vMerge/></w:tcPr></w:tc>')
    props = docx_reader._properties(tc)
    assert docx_reader._int_val(props[tc][docx_reader._GRID_SPAN]) == 2  # the first gridSpan of any tcPr
    assert props[tc][docx_reader._V_MERGE] is tc[2][1]
    looked = 0
    for name in sorted(PLAIN):
        root = main_document(zipfile.ZipFile(BytesIO(CASES[name])))
        for tbl in root.iter(qn("w:tbl")):
            props = docx_reader._properties(tbl)
            assert props == _properties_reference(tbl)
            for el in tbl.iter(qn("w:tc"), qn("w:tr")):
                for pair in PAIRS:
                    looked += 1
                    assert props.get(el, {}).get(pair) == el.find(f"{pair[0]}/{pair[1]}")
    assert looked > 400


def test_a_table_of_plain_runs_reads_each_paragraph_as_the_ancestor_walk():
    tables = 0
    for name in sorted(PLAIN):
        root = main_document(zipfile.ZipFile(BytesIO(CASES[name])))
        for tbl in root.iter(qn("w:tbl")):
            if docx_reader._only_text(tbl):
                tables += 1
                for p in tbl.iter(qn("w:p")):
                    assert docx_reader._runs_text(p) == _paragraph_text_reference(p)
    assert tables >= 10


def _synthetic_docx() -> list[bytes]:
    from fuzz import crafted

    return [crafted.rendered("docx", i) for i in range(0, 24, 3)]


def _tables(data: bytes) -> list:
    return list(main_document(zipfile.ZipFile(BytesIO(data))).iter(qn("w:tbl")))


ALL_DOCX = [CASES[name] for name in sorted(PLAIN)] + _synthetic_docx()


@pytest.mark.parametrize("data", ALL_DOCX)
def test_a_table_reads_as_with_every_cell_looked_in(data: bytes, monkeypatch: pytest.MonkeyPatch):
    fast = _outcome(data)
    with monkeypatch.context() as m:
        m.setattr(docx_reader, "_wrapped", lambda tbl: True)
        m.setattr(docx_reader, "_properties", _properties_reference)
        assert _outcome(data) == fast


@pytest.mark.parametrize("data", ALL_DOCX)
def test_the_shortcuts_skip_only_what_holds_nothing(data: bytes):
    for tbl in _tables(data):
        assert docx_reader._properties(tbl) == _properties_reference(tbl)
        if not docx_reader._wrapped(tbl):
            for el in tbl.iter(qn("w:tbl"), qn("w:tr"), qn("w:tc")):
                for tag in (qn("w:tr"), qn("w:tc"), qn("w:p")):
                    assert list(docx_reader._plain_children(el, tag)) == docx_reader._children(el, tag)


def test_the_odd_tables_take_both_paths():
    tables = _tables(CASES["odd_tables"])
    assert [docx_reader._wrapped(t) for t in tables] == [True, True, False]
    assert texts_of(CASES["odd_tables"])[1:] == [
        ["表头", "", "列", ""], ["不在属性里", "", "段里", ""], ["控件里", "一段二段", "框外框内", ""],
        ["甲", "", "丙", ""], ["", "包", "行", ""], ["无网格", "控件格子", ""], ["x", "y", ""], ["有图", "图前图后"],
        ["1", "2"]]
