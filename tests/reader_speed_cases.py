"""Crafted Word packages and pages for the reader-speed guard (issue 15): every structure the fast paths of
`extract.readers.docx` and `extract.readers.html` take a shortcut on, and every package oddity that must
still end in python-docx's own refusal. Shared by `test_reader_speed_docx.py` and the output-dump guard.
"""

from __future__ import annotations

import io
import zipfile
from functools import cache

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

W = nsdecls("w")
MC = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
V = 'xmlns:v="urn:schemas-microsoft-com:vml"'
CT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
PROSE = "本机关2023年主动公开政府信息，公开文件共计一百二十件，全部通过政府网站发布，群众查阅方便快捷。"


def _cell(text: str, pr: str = "") -> str:
    return f"<w:tc><w:tcPr>{pr}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def body_xml(inner: str) -> str:
    """A `word/document.xml` holding `inner` as its body."""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {W} {MC} {V}>'
            f"<w:body>{inner}<w:sectPr/></w:body></w:document>")


def table(rows: list[str], cols: int | None = None, tbl_pr: str = "") -> str:
    grid = "<w:tblGrid>" + "<w:gridCol/>" * cols + "</w:tblGrid>" if cols else ""
    return f"<w:tbl><w:tblPr>{tbl_pr}</w:tblPr>{grid}{''.join(rows)}</w:tbl>"


def row(cells: list[str], pr: str = "") -> str:
    return f"<w:tr>{f'<w:trPr>{pr}</w:trPr>' if pr else ''}{''.join(cells)}</w:tr>"


SPANS = table([
    row([_cell("项目", '<w:gridSpan w:val="2"/>'), _cell("数量"), _cell("备注")]),
    row([_cell("甲", '<w:vMerge w:val="restart"/>'), _cell("乙"), _cell("3"), _cell("x")]),
    row([_cell("", "<w:vMerge/>"), _cell("丙"), _cell("4"), _cell("y")]),
    row([_cell("丁"), _cell("5")], '<w:gridBefore w:val="1"/><w:gridAfter w:val="1"/>'),
    row([_cell("宽", '<w:gridSpan w:val="2147483647"/>'), _cell("溢")]),
    row([_cell("坏", '<w:gridSpan w:val="abc"/>'), _cell("负", '<w:gridSpan w:val="-3"/>'), _cell("7"), _cell("8")]),
], cols=4)
SPANS_UNDECLARED = table([
    row([_cell("a", '<w:gridSpan w:val="3"/>'), _cell("b")]),
    row([_cell("1"), _cell("2"), _cell("3"), _cell("4")]),
])
NESTED = table([row([_cell("外框"), "<w:tc>" + table([row([_cell("内1"), _cell("内2")])], 2)
                     + "<w:p><w:r><w:t>框尾</w:t></w:r></w:p></w:tc>"])], 2)
ONE_COLUMN = table([row([_cell("单列一")]), row([_cell("单列二")])], 1)
CONTROLS = table([
    row([_cell("标签"), _cell("值")]),
    f"<w:sdt><w:sdtPr/><w:sdtContent>{row([_cell('控件行'), _cell('9')])}</w:sdtContent></w:sdt>",
    f"<w:customXml>{row([_cell('自定义行'), _cell('10')])}</w:customXml>",
    row([f"<w:sdt><w:sdtContent>{_cell('控件格')}</w:sdtContent></w:sdt>", _cell("11")]),
], 2)
FALLBACK = (
    "<w:p><w:r><w:t>图前</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing/>"
    "</mc:Choice><mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>重复文字</w:t></w:r></w:p>"
    "</w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t>图后</w:t></w:r></w:p>"
)
BREAKS = (
    '<w:p><w:r><w:t xml:space="preserve">一、 总体情况</w:t><w:br/><w:t>第二行</w:t><w:br w:type="page"/>'
    "<w:t>同行</w:t><w:tab/><w:t>制表</w:t><w:cr/><w:t>回车后</w:t></w:r></w:p>"
    '<w:p><w:r><w:t xml:space="preserve">  </w:t></w:r></w:p><w:p/>'
    "<w:p><w:del><w:r><w:delText>删除的</w:delText></w:r></w:del><w:ins><w:r><w:t>插入的</w:t></w:r></w:ins>"
    "<w:hyperlink><w:r><w:t>链接</w:t></w:r></w:hyperlink><w:smartTag><w:r><w:t>标记</w:t></w:r></w:smartTag></w:p>"
    "<w:sdt><w:sdtContent><w:p><w:r><w:t>控件段落</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    "<w:customXml><w:p><w:r><w:t>自定义段落</w:t></w:r></w:p></w:customXml>"
)
# Span and count properties and wrappers wherever a hostile file may put them: outside `w:tcPr`, in a second
# `w:tcPr`, in a wrapper, inside a paragraph; a cell of two paragraphs and a text box; a run-level control.
ODD_TABLES = table([
    row([_cell("表头", '<w:gridSpan w:val="2"/>'), _cell("列")], '<w:gridAfter w:val="1"/>'),
    row(["<w:tc><w:gridSpan w:val=\"3\"/><w:p><w:r><w:t>不在属性里</w:t></w:r></w:p></w:tc>",
         "<w:tc><w:tcPr/><w:tcPr><w:vMerge/></w:tcPr><w:p><w:r><w:t>第二个属性</w:t></w:r></w:p></w:tc>",
         "<w:tc><w:p><w:pPr><w:tcPr><w:gridSpan w:val=\"2\"/></w:tcPr></w:pPr><w:r><w:t>段里</w:t></w:r></w:p>"
         "</w:tc>"]),
    row(["<w:tc><w:sdt><w:sdtContent><w:tcPr><w:gridSpan w:val=\"2\"/></w:tcPr></w:sdtContent></w:sdt>"
         "<w:p><w:r><w:t>控件里</w:t></w:r></w:p></w:tc>",
         "<w:tc><w:p><w:r><w:t>一段</w:t></w:r></w:p><w:p><w:sdt><w:sdtContent><w:r><w:t>二段</w:t></w:r>"
         "</w:sdtContent></w:sdt></w:p></w:tc>",
         "<w:tc><w:p><w:r><w:t>框外</w:t></w:r><w:r><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>框内</w:t>"
         "</w:r></w:p></w:txbxContent></v:textbox></w:pict></w:r></w:p></w:tc>"]),
    row([_cell("甲"), _cell("乙", '<w:vMerge w:val="continue"/>'), _cell("丙")],
        '<w:gridBefore w:val="x"/></w:trPr><w:trPr><w:gridBefore w:val="1"/>'),
    "<w:customXml>" + row([_cell("包"), _cell("行")], '<w:gridBefore w:val="1"/>') + "</w:customXml>",
], 4) + table([
    row([_cell("无网格"), _cell("控件格子")]),
    row([_cell("x"), "<w:customXml>" + _cell("y", '<w:gridSpan w:val="2"/>') + "</w:customXml>"]),
]) + table([row([_cell("有图"), "<w:tc>" + FALLBACK + "</w:tc>"]), row([_cell("1"), _cell("2")])], 2)
REPORT_LIKE = f"<w:p><w:r><w:t>{PROSE}</w:t></w:r></w:p>" + SPANS + BREAKS + CONTROLS + NESTED + ONE_COLUMN + FALLBACK


@cache
def template_parts() -> dict[str, bytes]:
    """The parts of python-docx's default document: a package every Word would write."""
    buf = io.BytesIO()
    docx.Document().save(buf)
    z = zipfile.ZipFile(buf)
    return {i.filename: z.read(i.filename) for i in z.infolist()}


def package(document_xml: str | bytes | None = None, replace: dict[str, bytes | None] | None = None) -> bytes:
    """The default package with its main part (and any other part: None removes it) replaced."""
    parts = dict(template_parts())
    if document_xml is not None:
        parts["word/document.xml"] = document_xml.encode() if isinstance(document_xml, str) else document_xml
    for name, content in (replace or {}).items():
        if content is None:
            parts.pop(name, None)
        else:
            parts[name] = content
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(name, content)
    return out.getvalue()


def _rels(*rels: str) -> bytes:
    body = "".join(rels)
    return ('<?xml version="1.0" encoding="UTF-8"?><Relationships '
            f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{body}</Relationships>').encode()


OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


def _rel(rid: str, target: str, mode: str = "", kind: str = OFFICE) -> str:
    return f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"{mode}/>'


def corrupt_crc(data: bytes, member: str) -> bytes:
    """The package with one byte of `member`'s compressed data flipped (a CRC or inflate error on reading)."""
    z = zipfile.ZipFile(io.BytesIO(data))
    info = z.getinfo(member)
    raw = bytearray(data)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start + info.compress_size // 2] ^= 0xFF
    return bytes(raw)


def _content_types() -> str:
    return template_parts()["[Content_Types].xml"].decode()


def docx_cases() -> dict[str, bytes]:
    """Crafted .docx files by name: the reader must give exactly what python-docx's package reading gives."""
    good = body_xml(REPORT_LIKE)
    moved = dict(template_parts())
    main_rel = _rels(_rel("rId1", "word/main.xml"))
    return {
        "report_like": package(good),
        "spans": package(body_xml(SPANS + SPANS_UNDECLARED)),
        "nested_and_one_column": package(body_xml(NESTED + ONE_COLUMN)),
        "controls": package(body_xml(CONTROLS)),
        "odd_tables": package(body_xml(f"<w:p><w:r><w:t>{PROSE}</w:t></w:r></w:p>" + ODD_TABLES)),
        "fallback_text": package(body_xml(FALLBACK)),
        "breaks": package(body_xml(BREAKS)),
        "pictures_only": package(body_xml("<w:p><w:r><w:drawing/></w:r></w:p><w:p><w:r><w:pict/></w:r></w:p>")),
        "pictures_in_fallback": package(body_xml(FALLBACK * 2)),
        "no_body": package(f'<w:document {W}><w:other/></w:document>'),
        "root_not_document": package(f"<w:body {W}><w:p><w:r><w:t>{PROSE}</w:t></w:r></w:p></w:body>"),
        "main_part_not_xml": package(b"<w:document"),
        "main_part_with_entity": package(
            f'<!DOCTYPE d [<!ENTITY e "{PROSE}">]><w:document {W}><w:body><w:p><w:r><w:t>&e;</w:t></w:r></w:p>'
            "</w:body></w:document>"),
        "main_part_external_entity": package(
            f'<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/hostname">]><w:document {W}><w:body><w:p><w:r><w:t>&e;'
            "</w:t></w:r></w:p></w:body></w:document>"),
        "styles_not_xml": package(good, {"word/styles.xml": b"<w:styles"}),
        "settings_missing": package(good, {"word/settings.xml": None}),
        "theme_not_xml": package(good, {"word/theme/theme1.xml": b"not xml at all"}),
        "core_props_missing": package(good, {"docProps/core.xml": None}),
        "no_content_types": package(good, {"[Content_Types].xml": None}),
        "content_types_not_xml": package(good, {"[Content_Types].xml": b"<Types"}),
        "content_types_wrong_root": package(good, {"[Content_Types].xml": _content_types().replace(
            "<Types ", "<Typos ").replace("</Types>", "</Typos>").encode()}),
        "content_types_upper_case": package(good, {"[Content_Types].xml": _content_types().replace(
            "/word/document.xml", "/WORD/Document.XML").encode()}),
        "content_type_macro": package(good, {"[Content_Types].xml": _content_types().replace(
            CT_MAIN, "application/vnd.ms-word.document.macroEnabled.main+xml").encode()}),
        "content_type_missing": package(good, {"[Content_Types].xml": _content_types().replace(
            'PartName="/word/document.xml"', 'PartName="/word/other.xml"').replace(
            'Extension="xml" ContentType="application/xml"', 'Extension="xm" ContentType="application/xml"').encode()}),
        "no_package_rels": package(good, {"_rels/.rels": None}),
        "package_rels_not_xml": package(good, {"_rels/.rels": b"<Relationships"}),
        "package_rels_wrong_root": package(good, {"_rels/.rels": b'<Rels xmlns="x"/>'}),
        "main_rel_missing": package(good, {"_rels/.rels": _rels()}),
        "main_rel_twice": package(good, {"_rels/.rels": _rels(_rel("rId1", "word/document.xml"),
                                                               _rel("rId2", "word/document.xml"))}),
        "main_rel_same_id_twice": package(good, {"_rels/.rels": _rels(_rel("rId1", "word/nowhere.xml", kind="x"),
                                                                       _rel("rId1", "word/document.xml"))}),
        "main_rel_external": package(good, {"_rels/.rels": _rels(_rel("rId1", "http://x/d.xml",
                                                                      ' TargetMode="External"'))}),
        "main_rel_absolute": package(good, {"_rels/.rels": _rels(_rel("rId1", "/word/document.xml"))}),
        "main_rel_dotted": package(good, {"_rels/.rels": _rels(_rel("rId1", "./docProps/../word/document.xml"))}),
        "main_rel_no_target": package(good, {"_rels/.rels": _rels('<Relationship Id="rId1" Type="' + OFFICE + '"/>')}),
        "main_rel_to_missing_part": package(good, {"_rels/.rels": _rels(_rel("rId1", "word/gone.xml"))}),
        "main_part_renamed": package(None, {**{k: None for k in moved if k == "word/document.xml"},
                                            "word/main.xml": good.encode(), "_rels/.rels": main_rel,
                                            "word/_rels/main.xml.rels": moved["word/_rels/document.xml.rels"],
                                            "word/_rels/document.xml.rels": None,
                                            "[Content_Types].xml": _content_types().replace(
                                                "/word/document.xml", "/word/main.xml").encode()}),
        "part_rels_not_xml": package(good, {"word/_rels/document.xml.rels": b"<Relationships"}),
        "part_rel_to_missing_part": package(good, {"word/_rels/document.xml.rels": _rels(
            _rel("rId9", "gone.xml", kind="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"))}),
        "part_rel_external": package(good, {"word/_rels/document.xml.rels": _rels(
            _rel("rId9", "http://example.org/x", ' TargetMode="External"', kind="http://x/hyperlink"))}),
        "corrupt_main_part": corrupt_crc(package(good), "word/document.xml"),
        "corrupt_styles_part": corrupt_crc(package(good), "word/styles.xml"),
        "zip_of_text": _zip({"hello.txt": b"not word"}),
        "zip_empty_types": _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": good.encode()}),
    }


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(name, content)
    return out.getvalue()


def with_element(document, xml: str) -> None:
    """Append raw body XML to a python-docx document (what a Word feature python-docx cannot write yields)."""
    body = document.element.body
    body.insert(len(body) - 1, parse_xml(xml))
