"""Flattened-text layouts: turn the lines of a text dump into blocks.

Layouts recognised:
- `tab_rows`: one table row per line, cells separated by tabs (seeds 000, 003);
- `cell_per_line`: each cell on its own tab-prefixed line, rows separated by blank lines, labels
  possibly broken over several untabbed lines (seeds 001, 002, 004);
- `markdown`: pipe tables, possibly broken into pieces with generic headers (PDF-to-markdown output);
- `plain`: crawled page text without separators, where a row's digits may run together
  (`本年新收政府信息公开申请数量230 000023`); such rows become `run` blocks for the matcher to split.
"""

from __future__ import annotations

import re

from extract.blocks import Block, Cell
from extract.cells import is_value_like, read_cell
from extract.solve import NULL_MARKERS, UNITS, run_pieces
from extract.stream import split_stream, unmark_width_cuts
from extract.template import Templates

# Page markers a PDF conversion leaves between lines: `— 5 —`, `- 5 -`, `第 5 页 共 7 页`.
PAGE_MARKER = re.compile(r"^(?:[—\-－–]+\s*\d{1,4}\s*[—\-－–]+|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?)$")
_CELL_LINE = re.compile(r"^[ \u3000]*\t")
_RULER = re.compile(r"^[-=_\s]+$")
# An untabbed line this short, between cell lines, continues the previous cell (e.g. `公开` after
# `（三）不予`, or a stacked header `结/果/维/持`).
CONTINUATION_MAX_CHARS = 6


def detect_layout(lines: list[str]) -> str:
    """`cell_per_line` when tab-prefixed lines hold a single cell, else `tab_rows`."""
    piped = sum(1 for ln in lines if "|" in ln and _piped(ln.strip()))
    if _bare_pipes(lines):
        piped = max(piped, sum(1 for ln in lines if "|" in ln))
    tabbed = [ln for ln in lines if "\t" in ln]
    if piped >= 5 and piped >= len(tabbed):
        return "markdown"
    if not tabbed:
        return "plain"
    single = sum(1 for ln in tabbed if _CELL_LINE.match(ln) and "\t" not in ln.lstrip(" \u3000")[1:])
    return "cell_per_line" if single / len(tabbed) > 0.8 else "tab_rows"


def _piped(stripped: str) -> bool:
    return stripped.startswith("|") and stripped.endswith("|")


def text_blocks(lines: list[str], layout: str) -> list[Block]:
    """Blocks of a flattened text in the given layout."""
    if layout == "cell_per_line":
        return _cell_per_line(lines)
    if layout == "markdown":
        return _markdown(lines)
    if layout == "plain":
        return _plain(lines)
    return _tab_rows(lines)


_MD_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
# The name a converter gives a blank cell when it makes a table's first row its markdown header (`Col5`).
_PLACEHOLDER = re.compile(r"^Col\d+$")


# A line break between two numbers stacks two values in one cell (pymupdf4llm glues a stray 16th cell to the
# 15th as `5<br>0`); elsewhere it wraps a label (`本年新<br>制作数量`).
_BR_BETWEEN_NUMBERS = re.compile(r"(?<=\d)\s*<br\s*/?>\s*(?=[+\-]?\d)", re.IGNORECASE)


def _md_cell(part: str) -> str:
    text = (_BR.sub("", _BR_BETWEEN_NUMBERS.sub(" ", part)) if "<" in part else part).strip()
    return "" if text.startswith("Col") and _PLACEHOLDER.match(text) else text


# html2text writes tables without the outer pipes: `label| 0| 10` under a `---|---` rule.
_BARE_SEPARATOR = re.compile(r"^\s*:?-{3,}:?(?:\s*\|\s*:?-{3,}:?)+\s*$")


def _bare_pipes(lines: list[str]) -> bool:
    return any("|" in ln and "---" in ln and _BARE_SEPARATOR.match(ln) and not ln.strip().startswith("|")
               for ln in lines)


OPEN_ROW_MIN_PIPES = 3


def _markdown(lines: list[str]) -> list[Block]:
    """Pipe rows are table rows; the lines between them are read as plain text, because a converter that
    recovers only part of a table leaves the rest as loose lines (`行政许可 0`)."""
    blocks: list[Block] = []
    stream = _Stream()
    bare = _bare_pipes(lines)
    for no, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or _MD_SEPARATOR.match(stripped) or PAGE_MARKER.match(stripped):
            continue
        if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
            cells = [Cell(_md_cell(part), no) for part in stripped[1:-1].split("|")]  # (text, line): see _tab_rows
            blocks.append(Block("row", cells))
        elif stripped.startswith("|") and stripped.count("|") >= OPEN_ROW_MIN_PIPES:
            # a row that lost its closing pipe is still a row (a file that ends on one is cut: see below)
            blocks.append(Block("row", [Cell(_md_cell(part), line=no) for part in stripped[1:].split("|")]))
        elif bare and "|" in stripped:
            blocks.append(Block("row", [Cell(_md_cell(part), line=no) for part in stripped.split("|")]))
        else:
            blocks.extend(stream.blocks(stripped.lstrip("#").strip(), no))
    last = next((ln.strip() for ln in reversed(lines) if ln.strip()), "")
    if blocks and blocks[-1].kind == "row" and last.startswith("|"):
        blocks.pop()  # a file that ends inside a table was cut: its last row may have lost cells at its end
    return blocks


# A run's cells: numbers (with a unit, `1件`) and not-reported markers (`—`, `/`, `无`), as `run_pieces` reads them.
_CELL = rf"(?:[+\-]?\d[\d.]*(?:{UNITS})?|{NULL_MARKERS})"
_CELLS = rf"{_CELL}(?:[\s\u3000]*{_CELL})*"
_RUN = re.compile(rf"^(?P<label>.*?[^\d\s,，.+\-])(?P<gap>\s*)(?P<run>{_CELLS})$")
_NUMBERS_ONLY = re.compile(rf"^{_CELLS}$")


def _plain(lines: list[str]) -> list[Block]:
    """Each line is cut at the labels it holds (a crawled page may be one line), and each piece that ends in
    a digit run after a label (or is digits only) becomes a `run` block."""
    blocks: list[Block] = []
    stream = _Stream()
    for no, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped and not PAGE_MARKER.match(stripped):
            blocks.extend(stream.blocks(stripped, no))
    return _values_under_labels(blocks, stream.tpl)


def _value_line(b: Block) -> Cell | None:
    """The cell of a line that holds one value or a not-reported marker alone (`0`, ` 10`, `/`)."""
    if b.kind == "run" and not b.cells[0].text.strip():
        pieces = run_pieces(b.cells[1].text)
        return b.cells[1] if pieces is not None and len(pieces) == 1 else None
    if b.kind == "text" and read_cell(b.text).kind == "null":
        return b.cells[0]
    return None


def _values_under_labels(blocks: list[Block], tpl: Templates) -> list[Block]:
    """One cell per line without tabs (`get_text("\\n")`, docx2txt): a label line followed by lines of one
    value each is a table row. One value is enough under a known row label; a section-四 header label keeps
    its values apart (they are the data row under the whole header)."""
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        j = i + 1
        values: list[Cell] = []
        while j < len(blocks) and (cell := _value_line(blocks[j])) is not None:
            values.append(cell)
            j += 1
        if b.kind != "text" or not values or _value_line(b) is not None:
            out.append(b)
            i += 1
            continue
        known = tpl.app_rows.match(b.text) or tpl.disc_rows.match(b.text)
        header = tpl.rl_results.match(b.text) or tpl.rl_blocks.match(b.text)
        if header or (len(values) < 2 and not known):
            out.extend([b, *([Block("row", values)] if header and len(values) > 1 else blocks[i + 1:j])])
        else:
            out.append(Block("row", [b.cells[0], *values]))
        i = j
    return out


class _Stream:
    """Reads lines of plain text in order, remembering which section the text is in."""

    def __init__(self) -> None:
        from extract.template import templates

        self.tpl = templates()
        self.section: str | None = None

    def blocks(self, line: str, no: int) -> list[Block]:
        pieces, self.section = split_stream(line, self.section, self.tpl)
        return [_piece_block(piece, no) for piece in pieces]


def _piece_block(marked: str, no: int) -> Block:
    """A label and its digit run, a digit run alone, or text (a run keeps where its digits changed width)."""
    piece, cuts = unmark_width_cuts(marked)
    if _NUMBERS_ONLY.match(piece) and _has_digit(piece):
        return Block("run", [Cell("", line=no), Cell(piece, line=no, cuts=cuts)])
    m = _RUN.match(piece) if _may_end_a_run(piece) else None
    # a run of markers alone (`行政强制 无`) must stand apart from its label: `…情况无` is prose
    if m and len(m["label"]) <= 60 and not _dated(m["label"], m["run"]) and (_has_digit(m["run"]) or m["gap"]):
        start = m.start("run")
        run_cuts = tuple(c - start for c in cuts if c > start)
        return Block("run", [Cell(m["label"], line=no), Cell(m["run"], line=no, cuts=run_cuts)])
    return Block("text", [Cell(piece, line=no)])


# The last characters a run's cell can end with (a digit, a decimal point, a unit, a not-reported marker), and a
# newline (`$` matches before one): a piece ending otherwise is text, found without `_RUN`'s search.
_RUN_ENDS = frozenset(".元件条项个宗起用—–/无-\n")


def _may_end_a_run(piece: str) -> bool:
    return bool(piece) and (piece[-1].isdigit() or piece[-1] in _RUN_ENDS)


_DATE_TAILS = ("年", "月", "日", "第")
# Values a line prints after a lone `年` for it to be a table row (text laid out by position prints the stacked
# group label 本年度办理结果 one character per line, beside a row's values), not a date (`年 12`).
MIN_STACKED_VALUES = 3


def _dated(label: str, run: str) -> bool:
    """Whether a label ending in 年/月/日/第 makes its numbers part of a date or an ordinal (`2021年`, `第 5`)."""
    if not label.endswith(_DATE_TAILS):
        return False
    return not (label.strip() in _DATE_TAILS and len(run.split()) >= MIN_STACKED_VALUES)


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _tab_rows(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    for no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if "\t" in line:
            # Cell(text, line) by position: a keyword costs a third more per cell, on every cell of the text
            cells = [Cell(part, no) for part in line.split("\t")]
            if all(_RULER.match(c.text) or not c.text.strip() for c in cells):
                continue
            blocks.append(Block("row", cells))
        else:
            blocks.append(Block("text", [Cell(line.strip(), line=no)]))
    return blocks


def _is_continuation(lines: list[str], i: int, heading: bool) -> bool:
    """An untabbed short line sandwiched between cell lines continues the previous cell."""
    text = lines[i].strip()
    if heading or len(text) > CONTINUATION_MAX_CHARS:
        return False
    j = i + 1
    while j < len(lines) and (not lines[j].strip() or (
        not _CELL_LINE.match(lines[j]) and len(lines[j].strip()) <= CONTINUATION_MAX_CHARS
    )):
        j += 1
    return j < len(lines) and bool(_CELL_LINE.match(lines[j]))


def _cell_per_line(lines: list[str]) -> list[Block]:
    from extract.template import templates

    tpl = templates()
    blocks: list[Block] = []
    row: list[Cell] | None = None
    for i, line in enumerate(lines):
        no = i + 1
        if _CELL_LINE.match(line):
            text = line.lstrip(" \u3000")[1:]
            if row and _starts_new_row(row, text):
                row = None
            if row is None:
                row = []
                blocks.append(Block("row", row))
            row.append(Cell(text, no))  # (text, line): see _tab_rows
            continue
        if not line.strip():
            if row is not None and row and not _row_may_continue(lines, i):
                row = None
            continue
        heading = tpl.section_of_heading(line) is not None
        if row and _is_continuation(lines, i, heading):
            row[-1].text += line.strip()
            continue
        row = None
        blocks.append(Block("text", [Cell(line.strip(), line=no)]))
    return blocks


# Row labels are Chinese: a cell line without a CJK character (a damaged value, `ﴒ`) is no label.
_CJK = re.compile(r"[\u3400-\u9fff]")


def _starts_new_row(row: list[Cell], text: str) -> bool:
    """A label cell right after a value cell begins the next row even without a blank line."""
    if not text.strip() or is_value_like(text) or not _CJK.search(text):
        return False
    last = next((c for c in reversed(row) if c.text.strip()), None)
    return last is not None and is_value_like(last.text)


def _row_may_continue(lines: list[str], i: int) -> bool:
    """A blank line ends the row unless the next non-blank line continues the previous cell."""
    j = i
    while j < len(lines) and not lines[j].strip():
        j += 1
    if j >= len(lines) or _CELL_LINE.match(lines[j]):
        return False
    return _is_continuation(lines, j, False) and len(lines[j].strip()) <= CONTINUATION_MAX_CHARS
