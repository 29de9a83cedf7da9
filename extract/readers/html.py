"""HTML pages (.html, .htm, .shtml): the report inside a government site's page chrome.

The charset comes from the page's own declaration (`<meta charset>`, the HTTP-style `<meta http-equiv>`
or an XML declaration), else from detection; GBK/GB2312 pages are decoded as GB18030, their superset,
because pages declared GB2312 routinely contain GBK characters. Tables are read through lxml with
rowspan/colspan expanded into a grid; provenance of a cell is its table, row and column.

The report is cut out of the page chrome (menus, related links, footers) by its section headings: the
smallest element holding them, preceded by the nearest title line outside it (sidebars that list other
years' reports are links and never taken for the title).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from lxml import etree

from extract.blocks import Block, Cell
from extract.decode import Decoded, DecodeError, decode_bytes
from extract.limits import MAX_GRID_COLUMNS, MAX_GRID_ROWS, MAX_SPAN, MAX_TABLE_CELLS, MAX_TABLES
from extract.readers import ReadError, Reading, decoding_issues
from extract.readers.grid import absent_cell, cell_text, clean_text, grid_blocks
from extract.text import width

_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_GB = {"gb2312", "gbk", "gb18030", "cp936", "x-gbk", "gb_2312-80", "csgb2312", "euc-cn", "x-euc-cn", "hz-gb-2312"}
_DROP = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "select", "button",
         "input", "head", "title", "meta", "link")
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "section",
          "article", "header", "footer", "nav", "aside", "main", "blockquote", "pre", "center", "address",
          "figure", "figcaption", "caption", "form", "fieldset", "table", "tr", "td", "th", "thead", "tbody",
          "tfoot", "hr", "body", "html"}
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# lxml.html's parser is lxml's HTML parser with a Python class lookup for every element it hands out; the
# reader needs none of those classes, so it parses with the same options and no lookup (the same tree).
_PARSER = etree.HTMLParser()
# `lxml.html`'s `text_content()`: the string value of an element.
_STRING = etree.XPath("string()", smart_strings=False)
_NO_SPAN = 1  # a cell without rowspan/colspan covers one position
# Longer than this, an element is a section's content, not its heading.
_HEADING_CHARS = 200
_NOT_HEADINGS = ("table", "tr", "tbody")  # a row's cells are never the page's section headings
_CELLS = ("td", "th")
# The characters whose NFKC form holds the enumeration comma `、` of a section heading (`一、总体情况`).
ENUMERATION_COMMAS = "\u3001\ufe11\ufe51\uff64"
_COMMA_TEXTS = etree.XPath(".//text()[" + " or ".join(f"contains(., '{c}')" for c in ENUMERATION_COMMAS) + "]")


def read(data: bytes, path: Path) -> Reading:
    """Blocks of an HTML page; `not_a_report` is left to the matcher when the page holds no report."""
    decoded = _decode(data)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", decoded.text)
    try:
        root = _document_fromstring(text) if text.strip() else None
    except (etree.ParserError, ValueError) as exc:
        raise ReadError("unreadable_file", f"not a readable HTML page: {exc}") from exc
    if root is None:
        raise ReadError("empty_file", "empty HTML page")
    page_title = clean_text(root.findtext(".//title") or "") or None
    _strip(root)
    body = root.find("body")
    content = _content_root(body if body is not None else root)
    reader = _Flow()
    if content is not body:
        title = _title_before(content, page_title)
        if title:
            reader.blocks.append(Block("text", [Cell(title)]))
    reader.walk(content)
    reader.flush()
    return Reading(reader.blocks, "html", "html_grid", decoded.encoding, decoding_issues(decoded))


def _document_fromstring(text: str):
    """`lxml.html.document_fromstring` without its element classes: the same tree, the same errors."""
    root = etree.fromstring(text, _PARSER)
    if root is None:
        raise etree.ParserError("Document is empty")
    return root


def _text_content(el) -> str:
    return _STRING(el)


def _drop_tree(el) -> None:
    """`lxml.html`'s `drop_tree`: the element and its content removed, its tail kept in the text."""
    parent = el.getparent()
    if el.tail:
        previous = el.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + el.tail
        else:
            previous.tail = (previous.tail or "") + el.tail
    parent.remove(el)


def _decode(data: bytes) -> Decoded:
    """Text and charset: BOM, then the page's declaration (if it decodes), then detection."""
    if not data.strip():
        raise ReadError("empty_file", "empty file (no bytes)")
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = data[:8192]
        m = _XML_ENCODING.match(head) or _CHARSET.search(head)
        if m:
            declared = m.group(1).decode("ascii").lower()
            try:
                name = codecs.lookup(declared).name
            except LookupError:
                name = None
            # Pages declared Latin-1 are often Chinese in disguise; let detection decide those.
            if name is not None and name not in ("iso8859-1", "cp1252", "ascii"):
                codec = "gb18030" if declared in _GB or name in _GB else name
                try:
                    return Decoded(data.decode(codec), name)
                except UnicodeDecodeError:
                    pass  # a page declaring one charset and written in another (or damaged): detect
    try:
        return decode_bytes(data)
    except DecodeError as exc:
        raise ReadError(exc.code, str(exc)) from exc


def _tag(el) -> str:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


def _strip(root) -> None:
    """Remove what is never report text: scripts, styles, form controls, hidden elements, comments."""
    for el in list(root.iter()):
        tag = el.tag
        if isinstance(tag, str) and tag.lower() not in _DROP:
            style = el.get("style")
            if (style is None or _HIDDEN.search(style) is None) and el.get("hidden") is None:
                continue
        if el.getparent() is not None:
            _drop_tree(el)


def _content_root(body):
    """The smallest element holding the report's section headings (the whole body when fewer than two
    sections are named, e.g. a page that is not a report)."""
    headings = _headings(body)
    if len(set(headings.values())) < 2:
        return body
    chains = [list(h.iterancestors()) for h in headings]
    return next(a for a in chains[0] if all(a in chain for chain in chains[1:]))


def _headings(body) -> dict:
    """The elements whose text is a section heading and none of whose children's is, in document order,
    each with its section. Only an element of at most `_HEADING_CHARS` characters holding an enumeration
    comma can be one (a heading is `一、…` once width-normalised), so only the short ancestors of the text
    nodes holding a comma are looked at (the tree holds no comments: `_strip` has run)."""
    from extract.template import templates

    section_of_text = _Memo(templates().section_of_heading)
    sections: dict[object, str | None] = {}

    def section_of(el) -> str | None:
        if el not in sections:
            sections[el] = section_of_text(clean_text(_STRING(el)))
        return sections[el]

    short: dict[object, bool] = {}  # an element looked at already had its ancestors looked at then
    for found in _COMMA_TEXTS(body):
        el = found.getparent()
        if found.is_tail:
            el = el.getparent()
        while el is not None and el not in short:
            short[el] = len(_STRING(el)) <= _HEADING_CHARS
            el = None if el is body or not short[el] else el.getparent()
    return {el: section_of(el) for el in body.iter() if short.get(el) and _tag(el) not in _NOT_HEADINGS
            and section_of(el) and not any(section_of(c) for c in el)}


class _Memo(dict):
    """A function of a text, remembered for one page (short texts repeat)."""

    def __init__(self, fn) -> None:
        super().__init__()
        self.fn = fn

    def __missing__(self, text: str):
        self[text] = value = self.fn(text)
        return value

    def __call__(self, text: str):
        return self[text]


def _title_before(root, page_title: str | None) -> str | None:
    """The report's title when the content element does not start with it: the nearest title line
    before it (link text excluded, so a sidebar listing other years' reports is never taken), else the
    page's `<title>`."""
    from extract.template import templates

    pattern = re.compile(templates().metadata["title_pattern"])
    if pattern.search(width(clean_text(_text_content(root))[:200])):
        return None
    node = root
    for _ in range(4):
        parent = node.getparent()
        if parent is None:
            break
        for sib in node.itersiblings(preceding=True):
            if not isinstance(sib.tag, str):
                continue
            found = [t for el in sib.iter() if _tag(el) != "a" and not any(_tag(a) == "a" for a in el.iterancestors())
                     and len(t := clean_text(_text_content(el))) <= 120 and pattern.search(width(t))]
            if found:
                return min(found, key=len)
        node = parent
    if page_title and pattern.search(width(page_title)):
        return page_title
    return None


def _span(value: str | None, limit: int) -> int:
    """A rowspan/colspan clipped to `limit` (0 means "to the end"); a number of any length is read safely."""
    if value is None:
        return _NO_SPAN
    m = re.match(r"\s*(\d+)", value or "")
    if m and len(m.group(1).lstrip("0")) > len(str(limit)):
        return limit
    n = int(m.group(1)) if m else 1
    return limit if n == 0 else max(1, min(n, limit))


class _Flow:
    """Walks the DOM in document order, collecting paragraphs and table rows."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.tables = 0

    def flush(self) -> None:
        text = clean_text("".join(self.parts))
        self.parts = []
        if text:
            self.blocks.append(Block("text", [Cell(text)]))

    def add(self, text: str | None) -> None:
        if text:
            self.parts.append(text.replace("\n", " ").replace("\r", " "))

    def walk(self, el) -> None:
        tag = _tag(el)
        if tag == "table" and el.find(".//table") is None:
            self.flush()
            self.table(el)
            self.add(el.tail)
            return
        if tag == "br":
            self.flush()
            self.add(el.tail)
            return
        if tag in ("pre", "plaintext", "xmp"):
            self.flush()
            self.preformatted(_text_content(el))
            self.add(el.tail)
            return
        block = tag in _BLOCK
        if block:
            self.flush()
        self.add(el.text)
        for child in el:
            self.walk(child)
        if block:
            self.flush()
        self.add(el.tail)

    def preformatted(self, text: str) -> None:
        """A `<pre>` block is a text dump (tab rows, one cell per line): read by the text layouts."""
        from extract.layouts import detect_layout, text_blocks

        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.blocks.extend(text_blocks(lines, detect_layout(lines)))

    def table(self, table) -> None:
        """A data table as a grid: rowspan/colspan expanded, the text kept at each span's origin."""
        rows = list(table.iter("tr"))
        index = self.tables
        self.tables += 1
        _check_table(index, len(rows))
        grid_rows: list[dict[int, Cell]] = [{} for _ in rows]  # each row's positions taken, by column
        taken = 0
        for r, tr in enumerate(rows):
            row = grid_rows[r]
            c = 0
            down = min(len(rows) - r, MAX_SPAN)
            for td in tr:
                if td.tag not in _CELLS and _tag(td) not in _CELLS:
                    continue
                while c in row:
                    c += 1
                rowspan, colspan = td.get("rowspan"), td.get("colspan")
                rs = _NO_SPAN if rowspan is None else _span(rowspan, down)
                cs = _NO_SPAN if colspan is None else _span(colspan, min(MAX_SPAN, MAX_GRID_COLUMNS - c))
                if c >= MAX_GRID_COLUMNS or taken + rs * cs > MAX_TABLE_CELLS:
                    raise ReadError("resource_limit", f"table {index + 1} spans more than {MAX_GRID_COLUMNS} "
                                    f"columns or {MAX_TABLE_CELLS} cells: not a report's table")
                text = cell_text(_cell_lines(td))
                if rs == cs == 1:  # most cells: one position
                    row[c] = Cell(text, None, None, index, r, c)
                    taken += 1
                    c += 1
                    continue
                for dr in range(rs):
                    below = grid_rows[r + dr]
                    for dc in range(cs):
                        if c + dc not in below:
                            taken += 1
                        below[c + dc] = Cell(text if dr == dc == 0 else "", None, None, index, r + dr, c + dc)
                c += cs
        width = max((max(row) for row in grid_rows if row), default=-1) + 1
        grid = [[row.get(c) or absent_cell(Cell("", table_index=index, row_index=r)) for c in range(width)]
                for r, row in enumerate(grid_rows)]
        if width == 1:
            self.blocks.extend(Block("text", [row[0]]) for row in grid if row[0].text)
            return
        self.blocks.extend(grid_blocks(grid))


def _check_table(index: int, rows: int) -> None:
    """A page with more tables, or a table with more rows, than any report is hostile: stop before
    expanding it (`extract.limits`)."""
    if index >= MAX_TABLES:
        raise ReadError("resource_limit", f"more than {MAX_TABLES} tables in the page")
    if rows > MAX_GRID_ROWS:
        raise ReadError("resource_limit", f"table {index + 1} has {rows} rows, over the limit of {MAX_GRID_ROWS}")


def _cell_lines(td) -> str:
    """A cell's text with its line breaks (`<br>`, paragraphs) as newlines, for `cell_text` to join."""
    if not len(td):  # no markup inside (most cells): what the walk below gives for a lone element
        tag = _tag(td)
        before = "\n" if tag == "br" or tag in _BLOCK else ""
        return before + (td.text or "") + ("\n" if tag in _BLOCK else "")
    out: list[str] = []

    def walk(el) -> None:
        tag = _tag(el)
        if tag == "br" or tag in _BLOCK:
            out.append("\n")
        if el.text:
            out.append(el.text)
        for child in el:
            walk(child)
        if tag in _BLOCK:
            out.append("\n")
        if el.tail and el is not td:
            out.append(el.tail)

    walk(td)
    return "".join(out)
