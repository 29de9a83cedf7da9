"""Helpers shared by the structured readers (HTML, Word, PDF): cell text and grid → blocks.

A table arrives as a grid with merged cells already resolved: the origin position of a merged cell
holds its text, every other position it spans holds an empty cell (like the merged-cell residue of the
flattened text dumps), so a value spanning three columns is still one value.
"""

from __future__ import annotations

import re
from functools import lru_cache

from extract.blocks import Block, Cell

# CJK ideographs, CJK and full-width punctuation: layout spaces next to them are never meaningful.
_WIDE = "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef“”‘’、"
_SPACE_NEXT_TO_WIDE = re.compile(rf"(?<=[{_WIDE}])[ \t]+|[ \t]+(?=[{_WIDE}])")
_SPACES = re.compile(r"[ \t\u00a0\u2002\u2003\u2009\u200b]+")
_WIDE_CHAR = re.compile(rf"[{_WIDE}]")
# Anything `clean_text` rewrites before its final strip: a line without any is only stripped.
_REWRITTEN = re.compile(r"[ \t\u00a0\u2002\u2003\u2009\u200b\u3000]|&nbsp;")
_LINE_BREAKS = re.compile(r"[\r\n\v\f\u2028\u2029]+")
# Cell and line texts repeat across reports (labels, small numbers): short ones are cleaned once.
_MEMO_CHARS = 200
_MEMO_ENTRIES = 1 << 16


def clean_text(raw: str) -> str:
    """One line of printed text: layout spaces (justification, `&nbsp;`, spaced-out glyphs) removed
    next to Chinese characters, other runs of spaces collapsed."""
    if len(raw) <= _MEMO_CHARS:
        return _clean_text_memo(raw)
    return _clean_text(raw)


def _clean_text(raw: str) -> str:
    """The cleaning itself; a line with nothing to rewrite (most cells) is only stripped."""
    if _REWRITTEN.search(raw) is None:
        return raw.strip()
    s = _SPACES.sub(" ", raw.replace("&nbsp;", " ").replace("\u3000", " "))
    return _SPACE_NEXT_TO_WIDE.sub("", s).strip()


_clean_text_memo = lru_cache(maxsize=_MEMO_ENTRIES)(_clean_text)


def join_lines(lines: list[str]) -> str:
    """Lines of one cell or paragraph rejoined: a Chinese line break is not a space (`商业企\\n业`)."""
    out = ""
    for line in (clean_text(x) for x in lines):
        if not line:
            continue
        if out and not _WIDE_CHAR.match(line[0]) and not _WIDE_CHAR.match(out[-1]):
            out += " "
        out += line
    return out


def cell_text(raw: str) -> str:
    """The text of a table cell, its line breaks (a vertical `三、\\n本\\n年…`) joined."""
    if len(raw) <= _MEMO_CHARS:
        return _cell_text_memo(raw)
    return _cell_text(raw)


def _cell_text(raw: str) -> str:
    """A cell of one line is that line cleaned, which is what `join_lines` makes of it."""
    if _LINE_BREAKS.search(raw) is None:
        return clean_text(raw)
    return join_lines(_LINE_BREAKS.split(raw))


_cell_text_memo = lru_cache(maxsize=_MEMO_ENTRIES)(_cell_text)


def absent_cell(like: Cell) -> Cell:
    """A grid position that no printed cell covers (a row with fewer cells than its table, e.g. a `<td>` lost):
    blank, and without a column of its own, so the matcher can tell it from a cell printed blank."""
    return Cell("", page=like.page, table_index=like.table_index, row_index=like.row_index, col_index=None)


def is_absent(cell: Cell) -> bool:
    """Whether a cell of a grid row is a position no printed cell covers (see `absent_cell`)."""
    return cell.col_index is None


def grid_blocks(grid: list[list[Cell]]) -> list[Block]:
    """Table rows as blocks; a one-column table is a text frame, so its cells become paragraphs.

    Rows without any text are dropped (they carry nothing); every kept row has the grid's width, a short row
    padded with absent cells.
    """
    width = max((len(r) for r in grid), default=0)
    blocks: list[Block] = []
    for row in grid:
        if not any(c.text.strip() for c in row):
            continue
        if width == 1:
            blocks.append(Block("text", [row[0]]))
            continue
        filler = row[-1] if row else Cell("")
        blocks.append(Block("row", [*row, *(absent_cell(filler) for _ in range(len(row), width))]))
    return blocks
