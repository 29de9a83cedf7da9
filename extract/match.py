"""The template matcher: find the three tables in a block stream by their labels and read their cells.

Values are placed by labels and by the header's column positions, never by counting numbers from the top
of the file. Where a placement is not certain, the cells stay null and an issue says why.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache, partial
from itertools import combinations, pairwise, repeat

from extract.blocks import Block, Cell
from extract.cells import is_value_like, merged_values, read_cell
from extract.issues import Issue
from extract.loose import LooseValues
from extract.order import Orphans, confirmed, contradicted, exceeded, place_orphans, verify_by_order
from extract.readers.grid import is_absent
from extract.solve import (
    APPLICANT_PARTS,
    SUBTOTAL_COLUMN,
    ZERO,
    Vector,
    block_totals_hold,
    digit_splits,
    narrow,
    recut_readings,
    row_sum_splits,
    row_total_holds,
    run_pieces,
)
from extract.template import Label, Templates
from extract.templates import form
from extract.text import key, squash

TABLES = ("disclosure", "applications", "review_litigation")
_SENTENCE_END = re.compile(r"(?<=[。；;])")


@dataclass(slots=True)
class ParsedCell:
    """One canonical cell: codes of the spec, the value (None = not reported), raw text, provenance."""

    table: str
    row: str
    col: str
    value: Decimal | None
    raw: str
    source: Cell


@dataclass
class TableResult:
    cells: list[ParsedCell] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    found: bool = False
    formats: set[str] = field(default_factory=set)
    # rows shorter than their header with no label to explain it: the flattening dropped blank cells
    sparse: bool = False
    # a row printed two values in one cell: the flattening moves cells across columns
    cells_moved: bool = False


# --------------------------------------------------------------------------- regions


def locate(blocks: list[Block], tpl: Templates) -> tuple[dict[str, tuple[int, int]], list[Issue]]:
    """Block ranges of the three table sections, by heading, else by the table's own anchor labels."""
    starts: dict[str, int] = {}
    for i, b in enumerate(blocks):
        ne = b.non_empty
        if b.kind == "text" or len(ne) == 1:
            text = ne[0].text if ne else ""
            # a heading glued to the end of the paragraph before it (PDF line joining): `…止。一、总体情况`
            sec = tpl.section_of_heading(text) or tpl.section_of_heading(_SENTENCE_END.split(text)[-1])
            if sec and sec not in starts:
                starts[sec] = i
    issues = []
    for code in TABLES:
        if code in starts:
            continue
        for i, b in enumerate(blocks):
            if b.kind == "row" and any(key(c.text) in tpl.anchors[code] for c in b.cells):
                starts[code] = i
                issues.append(Issue("heading_not_found", f"section heading of {code} not found; "
                                    f"table located by its labels at line {b.line}", table=code,
                                    line=b.line))
                break
    bounds = sorted(starts.values())
    regions = {}
    for code in TABLES:
        if code in starts:
            s = starts[code]
            e = next((x for x in bounds if x > s), len(blocks))
            regions[code] = (s, e)
    return regions, issues


# --------------------------------------------------------------------------- shared helpers


def _label_index(b: Block, kind: str = "row") -> int | None:
    """Index of the last non-empty cell of a block that is not a value: everything after it is values. A `run`
    block (`kind`) is a label and one run of digits."""
    if kind == "run":
        return 0
    return _last_label_at(b.texts)


# Distinct rows (their cells' texts) whose label index is remembered: a row is asked for it by several rules.
ROW_MEMO_SIZE = 65536


@lru_cache(maxsize=ROW_MEMO_SIZE)
def _last_label_at(texts: tuple[str, ...]) -> int | None:
    """Read from the right: the values after the label are passed, and the cells before it never read."""
    for i in range(len(texts) - 1, -1, -1):
        text = texts[i]
        # `251000元` is a value, and so is `1 3` (two values a conversion merged into one cell)
        if text.strip() and not is_value_like(text) and not merged_values(text):
            return i
    return None


def candidates(values: list[Cell], n: int, *, left_to_right: bool = False) -> tuple[list[list[Cell | None]], str]:
    """The possible readings of a row's value cells as `n` columns, and how they arose.

    Blank cells at the edges may be merged-cell residue: a window of `n` cells is a reading when every
    cell left outside it is blank (`window`; one window = `exact`). A row with fewer cells than columns
    is read left to right only when the caller knows a label took the missing cell (`left_to_right`);
    otherwise its empty cells were dropped and every order-preserving placement is a reading (`sparse`).
    """
    if len(values) < n:
        if left_to_right:
            return [[*values, *([None] * (n - len(values)))]], "left_to_right"
        out = []
        for positions in combinations(range(n), len(values)):
            vec: list[Cell | None] = [None] * n
            for pos, cell in zip(positions, values, strict=True):
                vec[pos] = cell
            out.append(vec)
        return out, "sparse"
    if len(values) == n:
        return [list(values)], "exact"  # the one window, with nothing left outside it
    return window_readings(values, n)


def window_readings(values: list[Cell], n: int) -> tuple[list[list[Cell | None]], str]:
    """`candidates`' readings of a row with at least `n` cells: each window of `n` cells with only blanks
    outside it, windows of the same texts counted once."""
    windows = [s for s in range(len(values) - n + 1)
               if not any(c.text.strip() for c in values[:s] + values[s + n:])]
    seen: dict[tuple[str, ...], list[Cell | None]] = {}
    for s in windows:
        seen.setdefault(tuple([c.text.strip() for c in values[s:s + n]]), list(values[s:s + n]))
    readings = list(seen.values())
    return readings, ("exact" if len(readings) == 1 else "window" if readings else "too_many")


def run_candidates(run: Cell, n: int, accept: Callable[[Vector], bool] | None = None,
                   splits: list[Vector] | None = None) -> tuple[list[list[Cell | None]], str]:
    """Readings of a digit run as `n` cells that `accept` allows (each keeps the run's provenance)."""
    if splits is None:
        splits = digit_splits(searched_text(run), n, accept)
    if splits is None:
        return [], "run"
    return [[Cell(str(v), line=run.line, page=run.page, bbox=run.bbox) for v in split] for split in splits], "run"


def searched_text(run: Cell) -> str:
    """A run's text as its split search reads it: a space (a boundary no split crosses) where its digits changed
    width. Only the search sees it; how many numbers the run prints apart is read from its text."""
    if not run.cuts:
        return run.text
    text, pos = [], 0
    for cut in run.cuts:
        text.extend((run.text[pos:cut], " "))
        pos = cut
    text.append(run.text[pos:])
    return "".join(text)


def _run_with_blanks(run: Cell, n: int) -> tuple[list[list[Cell | None]], str]:
    """Readings of a section-二 digit run, where no identity ties the cells together: a flattening that glues
    cells also drops blank ones, so every split into k ≤ n numbers at every placement is a reading (`150` for
    three columns is 1|5|0, but also 15|·|0 …). Two readings are enough to know the row is ambiguous."""
    out: list[list[Cell | None]] = []
    for k in range(n, 0, -1):
        splits = digit_splits(run.text, k)
        if splits is None:
            return [], "run"
        for split in splits:
            for positions in combinations(range(n), k):
                vec: list[Cell | None] = [None] * n
                for pos, v in zip(positions, split, strict=True):
                    vec[pos] = None if v is None else Cell(str(v), line=run.line, page=run.page, bbox=run.bbox)
                out.append(vec)
                if len(out) > 1:
                    return out, "run"
    return out, "run"


def _values(vec: list[Cell | None], amounts: list[bool] | None = None) -> Vector:
    if amounts is None:
        return _plain_values(tuple([None if c is None else c.text for c in vec]))
    return tuple((read_cell(c.text, amount=True) if a else read_cell(c.text)).value if c is not None else None
                 for c, a in zip(vec, amounts, strict=True))


@lru_cache(maxsize=ROW_MEMO_SIZE)
def _plain_values(texts: tuple[str | None, ...]) -> Vector:
    """The values of a reading's cells (None where a reading places no cell), read as counts."""
    return tuple([None if t is None else read_cell(t).value for t in texts])


def _value_of(text: str | None) -> Decimal | None:
    return read_cell(text).value if text is not None else None


AMBIGUOUS = {"sparse": "ambiguous_alignment", "window": "ambiguous_alignment", "run": "ambiguous_digit_run",
             "too_many": "cell_count_mismatch", "lost": "ambiguous_alignment", "spaced": "ambiguous_alignment",
             "spacer": "cell_count_mismatch", "edge": "ambiguous_alignment"}
RECUT = ("the printed values break {identity}, and moving a digit across a cell boundary (or cutting a stray "
         "cell off the last one) would make them hold: a converter's glued cells cannot be told from a printed "
         "inconsistency, row left null")
MOVED_BLANK = ("the row prints a blank cell, and this table's conversion moved cells across columns (a cell holds "
               "two values): which column the blank belongs to is unsure, row left null")
UNCORROBORATED = ("the row breaks its row total, the table prints labels and values apart and no more than half "
                  "its rows read hold theirs: "
                  "its values may be another row's (text out of order), row left null")
ZEROS_ALONE = ("the table prints labels and values apart and no row printing a number holds its row total: a row of "
               "zeros holds its sums whatever row it is, so its values may be other rows' (text out of order), row "
               "left null")
HIDDEN_BLANK = ("this table's glued runs show dropped blanks, and a blank may hide in this run too (its value still "
                "in the total, a wrong split can balance): no column identity confirms the split, row left null")
UNPROVEN = ("the row dropped blank cells and its reading was chosen because the others break a column identity, "
            "but no column identity confirms it (the table may print an inconsistency): row left null")
SCATTERED = ("most of the table's row labels are printed without values beside them (the text is out of order), and "
             "no column identity confirms this row: its values may be another row's, row left null")
SPACED = ("the table is laid out by position with spacer columns, and fewer columns than its header's carry a "
          "value in any row: which column a blank belongs to is unknown, left null")
SPACER_ROW = ("the row prints more cells than columns, and its table is laid out by position with a cell among its "
              "columns that is no column (a spacer: a row as wide spans its values over more cells than columns, or "
              "the header as wide names a column off the cells left after the row's blank edges): which of the "
              "row's blank cells are columns is unknown, row left null")
EDGE_BLANK_ROW = ("the row prints as many cells as columns, one at its edge blank, and the header as wide names a "
                  "column off its cells: the blank may be a merged label's residue and the values a column off, "
                  "row left null")
LOST_CELL = ("the row prints fewer cells than its columns and ends short of its table's grid: a cell was lost, so "
             "the cells after the gap may sit a column off; none is certain, left null")


def _emit(res: TableResult, table: str, row: str, cols: list[tuple[str, bool]],
          values: list[Cell | None], fallback: Cell) -> None:
    """Read fitted cells into canonical cells; an absent cell is null with empty raw text."""
    out = res.cells
    for (col, amount), cell in zip(cols, values, strict=True):
        if cell is None:
            out.append(ParsedCell(table, row, col, None, "", fallback))
            continue
        text = cell.text
        reading = read_cell(text, amount=True) if amount else read_cell(text)
        if reading.kind == "text":
            what = "holds two values (cells a conversion merged)" if merged_values(text) else "is not a number"
            res.issues.append(Issue("non_numeric_cell", f"cell text {text.strip()!r} {what};"
                                    " recorded as not reported", table, row, col, cell.line))
        elif reading.converted_from_yuan:  # only a number is converted
            res.issues.append(Issue("converted_unit", f"{text.strip()!r} converted from 元 to 万元",
                                    table, row, col, cell.line))
        out.append(ParsedCell(table, row, col, reading.value, text.strip(), cell))


def _labelled_row(res: TableResult, b: Block, index, table: str, what: str, orphans: Orphans | None = None
                  ) -> tuple[int, Label, list[Cell]] | None:
    """A row's label index, its template label and its value cells; None for a row without a label, and
    an `unknown_label` issue when values sit under a label the template does not know. With `orphans`, such
    rows are kept for placement by their printed order (their issue is raised if that fails)."""
    li = _label_index(b, b.kind)
    lab = None if li is None else _match_row_label(b.cells, li, index)
    values = b.cells[(li if li is not None else -1) + 1:]
    if lab is not None and li is not None and b.kind == "row" and any(map(merged_values, b.texts[li + 1:])):
        res.cells_moved = True
        res.issues.append(Issue("ambiguous_alignment", "a cell holds two numbers (cells merged by the "
                                f"conversion): no column of row {lab.label} is certain; left null", table,
                                lab.code, line=b.line))
        return None
    if lab is not None and li is not None:
        return li, lab, values
    if not any(v.text.strip() for v in values):
        return None
    issue = Issue("unknown_label", f"row label {b.cells[li].text.strip()!r} is not {what}; its values were not "
                  "read", table, line=b.line) if li is not None else None
    if orphans is not None:
        orphans.add(b, li, issue)
    elif issue is not None:
        res.issues.append(issue)
    return None


def _match_row_label(cells: list[Cell], upto: int, index) -> Label | None:
    """The row named by the most specific (right-most) label cell. A group label to its left (`（六）其他处理`
    over `1.申请人…`) is only a fallback for a right-most cell that is a bare note or enumerator: a right-most
    label that names no row (corrupted, cut, or another row's text glued on) leaves the row unknown rather
    than read as the group's own row."""
    for i in range(upto, -1, -1):
        lab = index.match(cells[i].text)
        if lab is not None:
            return lab
        if key(cells[i].text):
            return None
    return None


# --------------------------------------------------------------------------- 二 disclosure


def parse_disclosure(blocks: list[Block], tpl: Templates, year: int | None = None, *,
                     sparse_document: bool = False, markdown: bool = False) -> TableResult:
    """Section 二: the 第二十条 blocks, each with its own column header (or the caption's default
    columns when the flattening lost the header). `markdown`: the text's tables are pipe tables, which a
    converter may lay out by x position (see `_spaced_columns`)."""
    res = TableResult()
    cols: list[tuple[str, bool]] | None = None
    width = 0
    positions: list[int] | None = None
    seen: dict[str, list[ParsedCell]] = {}
    pending: list[tuple[Block, int, Label, list[Block]]] = []  # rows before any header, with their text table
    loose = LooseValues()
    short: list[_ShortRow] = []
    caption: str | None = None
    guessed = False
    read_under_caption: list[str] = []
    read_before_their_header: set[str] = set()
    labels_out_of_place = 0  # row labels on lines of their own, not under their block's caption
    tables = _text_tables(blocks)
    for i, b in enumerate(blocks):
        ne = b.non_empty
        if not ne:
            continue
        first = squash(ne[0].text)
        if first in tpl.disc_captions:
            res.found, cols, caption, guessed = True, None, first, False
            read_under_caption = []
            continue
        if _disclosure_column(ne[0].text, tpl)[0] is not None and tpl.disc_rows.match(ne[0].text) is None:
            # a column label alone after rows of its block: the text is out of order (pdfminer prints a page's
            # blocks apart), so the values that followed those rows' labels need not be theirs
            read_before_their_header.update(read_under_caption)
        if _is_disclosure_header(b, tpl):
            res.found = True
            cols, width, positions = _disclosure_header(b, tpl, res)
            read_under_caption = []
            completed = _complete_header(res, cols, positions, caption, tpl, _disclosure_template(res, year), b)
            guessed, cols = completed is not cols, completed
            continue
        if b.kind == "text" and (alone := tpl.disc_rows.match(b.text)) is not None:
            # a label alone under its own block's caption is a row whose cells are all blank (agencies that
            # leave zeros blank); before its caption, or under another, the text is out of order
            labels_out_of_place += squash(alone.extra.get("caption", "")) != caption
        if loose.take(b, caption) or b.kind == "text":
            continue
        row = _labelled_row(res, b, tpl.disc_rows, "disclosure", "a section-二 item")
        if row is None:
            continue
        li, lab, values = row
        if not values or (not any(v.text.strip() for v in values) and lab.extra.get("subrows")):
            continue
        if lab.code in seen:
            res.issues.append(Issue("duplicate_row", f"row {lab.label} printed twice; first kept",
                                    "disclosure", lab.code, line=b.line))
            continue
        read_under_caption.append(lab.code)
        if cols is None or _header_of_another_block(cols, lab, tpl, _disclosure_template(res, year)):
            pending.append((b, li, lab, tables.get(i, []) if markdown else []))
            seen[lab.code] = []
            res.found = True
            continue
        row_caption = squash(lab.extra.get("caption", ""))
        if loose.by_caption.get(row_caption) and sum(1 for v in values if v.text.strip()) == len(cols) - 1:
            short.append(_ShortRow(b, li, lab, cols, width, positions, row_caption))
            seen[lab.code] = []
            continue
        positional = markdown and len(values) > len(cols)  # a pipe row wider than its columns: by x position?
        at = None
        if positional:
            table = tables.get(i, [])
            at = _spaced_columns(table, tpl, len(cols), b)
            if at is None:  # no spacer column among the values: the block's header may still fix the columns
                at = _header_over_values(table, b, tpl, len(cols))
        seen[lab.code] = _disclosure_row(res, b, li, lab, cols, width, positions, sparse_document,
                                         header_guessed=guessed, at=at, positional=positional)
    if short:
        _place_loose_values(res, short, loose, tpl, _disclosure_template(res, year), sparse_document, seen)
    if pending:
        _rows_without_header(res, pending, tpl, _disclosure_template(res, year), seen)
    _drop_empty_group_rows(res, seen, tpl)
    _drop_rows_signed_where_unsigned(res, tpl)
    _drop_rows_read_before_their_header(res, read_before_their_header)
    read = {c.row for c in res.cells if c.value is not None}
    if read and labels_out_of_place >= max(MIN_SCATTERED_LABELS, len(seen)):
        _drop_scattered_rows(res, read)
    return res


def _text_tables(blocks: list[Block]) -> dict[int, list[Block]]:
    """Per text row (not a grid), the rows of its table: the consecutive text rows of its width."""
    out: dict[int, list[Block]] = {}
    run: list[int] = []
    for i, b in enumerate([*blocks, Block("text", [Cell("")])]):
        if b.kind == "row" and not _is_grid(b) and (not run or len(blocks[run[0]].cells) == len(b.cells)):
            run.append(i)
            continue
        out.update((k, [blocks[j] for j in run]) for k in run)
        run = [i] if b.kind == "row" and not _is_grid(b) else []
    return out


def _spaced_columns(table: list[Block], tpl: Templates, n: int, row: Block | None = None) -> list[int] | None:
    """The columns holding a section-二 text table's values when a converter laid it out by x position (markitdown
    over pdfminer: spacer columns, empty in every row, between the value columns, and header labels a column off
    them): the columns carrying a value in some row, each at or after its header label and before the next one.
    Empty when they cannot be told (a column blank in every row, a cell outside the header's columns); None when
    the table has no spacer column, and is read as printed. Where the header of `row`'s block sits over every
    value of its rows, its label columns are the columns (see `_header_over_values`)."""
    rows = [(r, li) for r in table if (li := _label_index(r)) is not None
            and _match_row_label(r.cells, li, tpl.disc_rows) is not None]
    if not rows:
        return None
    valued = sorted({k for r, li in rows for k in range(li + 1, len(r.cells)) if r.cells[k].text.strip()})
    if not valued or not any(k not in valued for k in range(valued[0], valued[-1])):
        return None
    if row is not None and (over := _header_over_values(table, row, tpl, n)) is not None:
        return over
    header = next((r for r in table if _is_disclosure_header(r, tpl)), None)
    heads = [k for k, c in enumerate(header.cells) if _disclosure_column(c.text, tpl)[0]] if header else []
    bounds = [*heads[1:], len(table[0].cells)]
    if (len(valued) != n or len(heads) != n or any(li >= valued[0] for _, li in rows)
            or not all(h <= v < end for h, v, end in zip(heads, valued, bounds, strict=True))):
        return []
    return valued


def _header_over_values(table: list[Block], row: Block, tpl: Templates, n: int) -> list[int] | None:
    """The label columns of `row`'s block header, when it labels `n` columns and every value its rows print sits
    under one of them: the header fixes the columns, a spacer among them is blank in the header too, and a column
    blank in every row is a blank column, not a lost one (markdown with a stray cell before the values)."""
    at = next((i for i, r in enumerate(table) if r is row), None)
    start = None if at is None else next((i for i in range(at, -1, -1) if _is_disclosure_header(table[i], tpl)), None)
    if start is None:
        return None
    heads = [k for k, c in enumerate(table[start].cells) if _disclosure_column(c.text, tpl)[0]]
    block = []
    for r in table[start + 1:]:
        if _is_disclosure_header(r, tpl):
            break
        if (li := _label_index(r)) is not None and _match_row_label(r.cells, li, tpl.disc_rows) is not None:
            block.append((r, li))
    if len(heads) != n or not block or any(li >= heads[0] for _, li in block):
        return None
    if any(r.cells[k].text.strip() and k not in heads for r, li in block for k in range(li + 1, len(r.cells))):
        return None
    return heads


def _is_disclosure_header(b: Block, tpl: Templates) -> bool:
    """A section-二 column header row: its first cell is 信息内容 (or a variant)."""
    return bool(b.non_empty) and key(b.non_empty[0].text).startswith(_header_firsts(tpl))


@cache
def _header_firsts(tpl: Templates) -> tuple[str, ...]:
    """The keys a section-二 header's first cell may start with, as the tuple `str.startswith` takes."""
    return tuple(tpl.disc_header_first)


# Row labels on lines of their own that make section 二 "out of order": more than a group label (其他对外管理服务事项
# over its sub-rows) alone.
MIN_SCATTERED_LABELS = 2


def _drop_scattered_rows(res: TableResult, codes: set[str]) -> None:
    """Rows read where at least as many row labels print alone, away from their block's caption, as with values
    (pdfminer's block order: labels before their caption, a column of values after the last of them) are left
    null: no identity ties section 二's cells to confirm them."""
    for code in sorted(codes):
        res.issues.append(Issue("ambiguous_alignment", "as many of section 二's row labels are printed without "
                                "values, away from their block's caption, as with values (the text is out of "
                                "order), and nothing confirms this row's values: they may be another row's; left "
                                "null", "disclosure", code))
    for c in res.cells:
        if c.row in codes:
            c.value = None


def _drop_rows_read_before_their_header(res: TableResult, codes: set[str]) -> None:
    """Rows whose block printed a column label after them are left null (see `parse_disclosure`)."""
    for code in sorted(codes & {c.row for c in res.cells if c.value is not None}):
        res.issues.append(Issue("ambiguous_alignment", "a column label of the row's block is printed after the row: "
                                "the text is out of order and the values after the row's label may be another "
                                "row's; left null", "disclosure", code))
    for c in res.cells:
        if c.row in codes:
            c.value = None


_SIGNED = re.compile(r"^[+\-]\d")


def _drop_rows_signed_where_unsigned(res: TableResult, tpl: Templates) -> None:
    """A value printed with a sign belongs to a change column (本年增/减): under another column, while the row's
    change column (if it has one) is empty, the row took another row's values or its cells moved (pdfminer
    orders a page's text by blocks, so `36 +44` of 行政事业性收费 can follow the label 政府集中采购; a damaged
    `<td>` moves `-48` under 上一年项目数量). The row is left null."""
    signed = {lab.code for idx in tpl.disc_columns.values() for lab in idx.labels if lab.extra.get("signed")}
    changed = {c.row for c in res.cells if c.col in signed and c.value is not None}
    misplaced = {c.row for c in res.cells if c.value is not None and c.col not in signed and c.row not in changed
                 and _SIGNED.match(c.raw)}
    for code in sorted(misplaced):
        res.issues.append(Issue("ambiguous_alignment", "a value printed with a sign sits under a column that is no "
                                "change (本年增/减): the row's values belong to another row; left null",
                                "disclosure", code))
    for c in res.cells:
        if c.row in misplaced:
            c.value = None


def _header_of_another_block(cols: list[tuple[str, bool]], lab: Label, tpl: Templates, template: str | None) -> bool:
    """Whether the header in force names other columns than the row's own 第二十条 block has in the template: its
    own caption and header were lost (or moved), so the row is read with its block's columns, not another's."""
    expected = tpl.disc_block_columns.get(template or "", {}).get(squash(lab.extra.get("caption", "")))
    # a merged header cell repeated by the conversion (`本年处理决定数量` three times) names one column
    return expected is not None and list(dict.fromkeys(code for code, _ in cols)) != expected


@dataclass
class _ShortRow:
    """A section-二 row one value short, in a block whose caption is followed by loose values."""

    block: Block
    label_at: int
    label: Label
    cols: list[tuple[str, bool]]
    width: int
    positions: list[int] | None
    caption: str


def _complete_header(res: TableResult, cols: list[tuple[str, bool]] | None, positions: list[int] | None,
                     caption: str | None, tpl: Templates, template: str | None, b: Block
                     ) -> list[tuple[str, bool]] | None:
    """A flattened header that lost a column label (wrapped over lines: `上一年项目数` / `量`) would shift every
    value under it: when its columns are a part of the ones the block has in the template, the block's own
    columns are used instead (a grid keeps its header's positions and is left as read)."""
    expected = tpl.disc_block_columns.get(template or "", {}).get(caption or "") if positions is None else None
    if not cols or not expected or [c for c, _ in cols] == expected:
        return cols
    if not set(c for c, _ in cols) < set(expected):
        return cols
    res.issues.append(Issue("header_incomplete", f"the header names {[c for c, _ in cols]} of this block's "
                            f"columns {expected}; read with the block's columns", "disclosure", line=b.line))
    index = tpl.disc_columns[template]
    return [(code, bool(index[code].extra.get("amount"))) for code in expected]


def _disclosure_template(res: TableResult, year: int | None) -> str | None:
    """The template section 二's headers name, else the one the year implies."""
    if len(res.formats) == 1:
        return next(iter(res.formats))
    return None if year is None else "F2019" if year <= 2020 else "F2021"


def _place_loose_values(res: TableResult, short: list[_ShortRow], loose: LooseValues, tpl: Templates,
                        template: str | None, sparse_document: bool, seen: dict[str, list[ParsedCell]]) -> None:
    """Give each short row its block's loose value, at the column the value's note names (see extract.loose)."""
    for caption in dict.fromkeys(r.caption for r in short):
        rows = [r for r in short if r.caption == caption]
        values = loose.by_caption.get(caption, [])
        for k, r in enumerate(rows):
            codes = [code for code, _ in r.cols]
            at = (loose.column_of(values[k], codes, template, tpl)
                  if template and len(values) == len(rows) else None)
            if at is None:
                seen[r.label.code] = _disclosure_row(res, r.block, r.label_at, r.label, r.cols, r.width,
                                                     r.positions, sparse_document)
                continue
            printed: list[Cell | None] = [v for v in r.block.cells[r.label_at + 1:] if v.text.strip()]
            printed.insert(at, values[k].cell)
            res.issues.append(Issue("placed_by_note", f"{values[k].cell.text.strip()}{values[k].note} was printed "
                                    f"outside its row; placed in column {codes[at]}, which its note names",
                                    "disclosure", r.label.code, codes[at], values[k].cell.line))
            before = len(res.cells)
            _emit(res, "disclosure", r.label.code, r.cols, printed, r.block.cells[r.label_at])
            seen[r.label.code] = res.cells[before:]


def _disclosure_header(b: Block, tpl: Templates, res: TableResult
                       ) -> tuple[list[tuple[str, bool]] | None, int, list[int] | None]:
    """Column codes of a 信息内容 header row (or a header glued into one line of crawled text), the row's
    width, and for a grid (HTML, Word, PDF) the grid position of each column."""
    cells = b.non_empty[1:]
    glued = b.kind == "text" or not cells
    if glued:
        cells = _split_glued_header(b.non_empty[0], tpl)
    cols = []
    for c in cells:
        lab, fmt = _disclosure_column(c.text, tpl)
        if lab is None:
            res.issues.append(Issue("unknown_label", f"unknown column header {c.text.strip()!r}",
                                    "disclosure", line=c.line))
            return None, 0, None
        if fmt:
            res.formats.add(fmt)
        header = squash(c.text)
        cols.append((lab.code, bool(lab.extra.get("amount")) or ("元" in header and "万元" not in header)))
    # labels cut out of one glued cell have no grid positions of their own
    positions = [next(i for i, x in enumerate(b.cells) if x is c) for c in cells] if _is_grid(b) and not glued else None
    return cols, len(b.cells), positions


def _is_grid(b: Block) -> bool:
    """Rows read from a real grid (HTML, Word, PDF) keep every column's position."""
    return b.kind == "row" and bool(b.cells) and b.cells[0].col_index is not None


def _lost_cell(b: Block, li: int, n: int) -> bool:
    """A grid row that lost a cell: shorter than its table's grid, and printing fewer cells after its label than
    the `n` columns it needs (a `<td>` cut out). Read at the header's positions or left to right, every cell
    after the gap would sit a column off. (A row that still prints `n` cells, e.g. under a merged label that
    was lost, keeps its own order and is read as any row is.)"""
    if not _is_grid(b):
        return False
    after = b.cells[li + 1:]
    return any(is_absent(c) for c in after) and sum(1 for c in after if not is_absent(c)) < n


def _by_position(b: Block, li: int, positions: list[int] | None, width: int) -> list[Cell | None] | None:
    """The value cells of a grid row at the header's column positions, when the row has the header's width
    and prints nothing outside those positions after its label."""
    if not positions or not _is_grid(b) or len(b.cells) != width or li >= min(positions):
        return None
    if any(is_absent(b.cells[p]) for p in positions):
        return None
    if any(c.text.strip() for i, c in enumerate(b.cells) if i > li and i not in positions):
        return None
    return [b.cells[p] for p in positions]


def _split_glued_header(cell: Cell, tpl: Templates) -> list[Cell]:
    """`信息内容本年新制作数量本年新公开数量…` → one cell per known column label (longest first)."""
    rest = squash(cell.text)
    for first in sorted(tpl.disc_header_first, key=len, reverse=True):
        if rest.startswith(first):
            rest = rest[len(first):]
            break
    labels = sorted({squash(t) for idx in tpl.disc_columns.values() for lab in idx.labels
                     for t in (lab.label, *lab.aliases)}, key=len, reverse=True)
    out = []
    while rest:
        hit = next((lab for lab in labels if rest.startswith(lab)), None)
        if hit is None:
            m = re.match(r"\([^()]*\)", rest)
            if m and out:
                out[-1] = Cell(out[-1].text + m[0], line=cell.line)
                rest = rest[m.end():]
                continue
            return []
        out.append(Cell(hit, line=cell.line))
        rest = rest[len(hit):]
    return out


def _disclosure_row(res: TableResult, b: Block, li: int, lab: Label, cols: list[tuple[str, bool]],
                    width: int, positions: list[int] | None = None, sparse_document: bool = False, *,
                    header_guessed: bool = False, at: list[int] | None = None,
                    positional: bool = False) -> list[ParsedCell]:
    """Read one section-二 row: by grid position where the source has a grid; otherwise a row as wide as its
    header whose sub-label took a value cell (seed 000's `其他对外管理服务事项 | 行政检查 | 0 | 0`) is read
    left to right, and other short rows are sparse. Under a header completed from the template, only a row
    that prints every column is read: the printed header no longer says where a missing cell was. `at`: the
    columns of a text table laid out by position (see `_spaced_columns`), empty when they cannot be told.
    `positional`: a markdown row wider than its columns, which a converter may have laid out by x position
    (markitdown over pdfminer prints rows a cell or two off their header and off each other). Where neither its
    spacer columns nor its block's header fix its columns (`at` None), only a reading printing every column is
    taken: which of its blank cells is a column cannot be told."""
    values = b.cells[li + 1:]
    placed = _by_position(b, li, positions, width)
    if at is not None:
        cands, how = ([[b.cells[p] for p in at]], "grid") if at else ([], "spaced")
    elif _lost_cell(b, li, len(cols)):
        cands, how = [], "lost"
    elif placed is not None:
        cands, how = [placed], "grid"
    elif header_guessed and b.kind == "row" and sum(1 for v in values if v.text.strip()) < len(cols):
        cands, how = [], "window"
    elif b.kind == "run":
        cands, how = _run_with_blanks(values[-1], len(cols))
    else:
        left_to_right = len(b.cells) == width and li > 0 and not sparse_document
        cands, how = candidates(values, len(cols), left_to_right=left_to_right)
        res.sparse = res.sparse or (how == "sparse" and li == 0)
        if positional and len(cands) == 1 and any(c is None or not c.text.strip() for c in cands[0]):
            cands, how = [], "spacer"
    before = len(res.cells)
    if len(cands) == 1:
        if how == "left_to_right":
            res.issues.append(Issue("cell_count_mismatch", f"{len(values)} value cells for {len(cols)} columns; "
                                    "read left to right, missing cells null", "disclosure", lab.code,
                                    line=b.line))
        _emit(res, "disclosure", lab.code, cols, cands[0], b.cells[li])
    else:
        detail = {"lost": LOST_CELL, "spaced": SPACED, "spacer": SPACER_ROW}.get(how) or (
            f"{len(cands)} possible readings of {len(values)} value cells for {len(cols)} columns; left null")
        res.issues.append(Issue(AMBIGUOUS.get(how, "ambiguous_alignment"), detail, "disclosure", lab.code,
                                line=b.line))
        _emit(res, "disclosure", lab.code, cols, [None] * len(cols), b.cells[li])
    return res.cells[before:]


def _rows_without_header(res: TableResult, pending: list[tuple[Block, int, Label, list[Block]]], tpl: Templates,
                         template: str | None, seen: dict[str, list[ParsedCell]]) -> None:
    """Rows printed without a column header take the columns their 第二十条 block has in the template. In a
    markdown table laid out by position (spacer columns), a row printing more cells than columns is not read by
    leaving its blank edge cells out: with no header, which cells are its columns cannot be told."""
    by_row = {}
    if template:
        block_columns = tpl.disc_block_columns[template]
        by_row = {lab.code: block_columns.get(squash(lab.extra.get("caption", ""))) for lab in tpl.disc_rows.labels}
    for b, li, lab, table in pending:
        codes = by_row.get(lab.code)
        if codes is None:
            res.issues.append(Issue("header_not_found", f"no column header before row {lab.label}",
                                    "disclosure", lab.code, line=b.line))
            continue
        idx = tpl.disc_columns[template]
        cols = [(code, bool(idx[code].extra.get("amount"))) for code in codes]
        at = _spaced_columns(table, tpl, len(cols)) if len(b.cells) - li - 1 > len(cols) else None
        seen[lab.code] = _disclosure_row(res, b, li, lab, cols, -1, at=at)


@lru_cache(maxsize=ROW_MEMO_SIZE)
def _disclosure_column(text: str, tpl: Templates) -> tuple[Label | None, str | None]:
    """Column label and the template it identifies (None when both templates print it). Asked of every section-二
    row's first cell, whose texts recur across reports."""
    hits = [(fmt, idx.match(text)) for fmt, idx in tpl.disc_columns.items()]
    hits = [(fmt, lab) for fmt, lab in hits if lab is not None]
    if not hits:
        return None, None
    return hits[0][1], hits[0][0] if len(hits) == 1 else None


def _drop_empty_group_rows(res: TableResult, seen: dict[str, list[ParsedCell]], tpl: Templates) -> None:
    """A group label (其他对外管理服务事项 over 行政检查/行政确认) carries no numbers of its own."""
    for lab in tpl.disc_rows.labels:
        subrows = lab.extra.get("subrows") or []
        own = seen.get(lab.code)
        if own and any(s in seen for s in subrows) and all(c.value is None for c in own):
            res.cells = [c for c in res.cells if c.row != lab.code]


# --------------------------------------------------------------------------- 三 applications


def parse_applications(blocks: list[Block], tpl: Templates, template: str | None, *,
                       subtotal: bool | None = None) -> TableResult:
    """Section 三: rows × 7 applicant columns (8 when the agency added a 法人或其他组织 小计 column).

    Rows whose reading is certain are read directly; sparse rows and digit runs keep their possible
    readings, and the table's identities pick one only where exactly one fits (see `extract.solve`).
    When the header shows no 小计 but rows print eight values, the table is read again with the column
    (`subtotal=True`) if those rows satisfy its identities, else its short rows are left unread.
    """
    res = TableResult()
    columns = [(lab.code, False) for lab in tpl.app_columns.labels]
    orphans = Orphans()
    # known before any row is read: a 小计 header printed below rows (lines swapped) widens every row alike
    has_subtotal = bool(subtotal) or _subtotal_header(blocks, tpl)
    if not any(b.kind == "row" and any(map(merged_values, b.texts)) for b in blocks):
        # a conversion that merges cells across columns also moves blanks: no column is then a mere spacer
        blocks = drop_spacer_columns(blocks, len(columns) + (1 if has_subtotal else 0))
    read = _read_app_rows(res, blocks, tpl, template, orphans, has_subtotal)
    if subtotal is None and not has_subtotal and any(n == len(columns) + 1 for n, _ in read.widths):
        if _subtotal_column_holds(read.widths, len(columns) + 1):
            res = parse_applications(blocks, tpl, template, subtotal=True)
            res.issues.append(Issue("subtotal_inferred", "the header shows no 法人或其他组织小计 column, but rows "
                                    "print eight values that satisfy its sums: read with the column",
                                    "applications"))
            return res
        _leave_short_rows_unread(res, read.rows, len(columns) + 1)
    layout = read.layout(has_subtotal)
    expected = expected_application_rows(template, tpl, set(read.rows)) if template else None
    by_order = place_orphans(res, orphans, read.rows, expected, tpl.app_rows,
                             lambda b, li, values: _app_readings(res, b, li, values, layout), tpl.app_groups)
    decided, unbalanced = _decide(read.rows, tpl, has_subtotal)
    out_of_order = bool(read.labels_alone) or any(not isinstance(o, str) for o in orphans.sequence)
    doubts = _doubt_readings(res, read, decided, unbalanced, by_order, out_of_order, has_subtotal)
    for code, row in read.rows.items():
        b, label_cell = row[0], row[1]
        vec = _row_verdict(res, code, row, decided, doubts, code in by_order)
        if vec is None:
            vec = [None] * (len(columns) + (1 if has_subtotal else 0))
        if has_subtotal:
            _check_subtotal(res, code, vec, b)
            vec = vec[:SUBTOTAL_COLUMN] + vec[SUBTOTAL_COLUMN + 1:]
        _emit(res, "applications", code, columns, vec, label_cell)
    return res


AppRow = tuple[Block, Cell, list[list[Cell | None]], str]  # a row's block, label cell, readings, how they arose


@dataclass
class _AppRows:
    """Section 三's rows as printed, before the identities weigh them, and what the table shows of its layout."""

    columns: tuple[str, ...]
    common_values: dict[int, int]
    value_spans: dict[int, int]
    header_labels: _HeaderLabels
    rows: dict[str, AppRow] = field(default_factory=dict)
    widths: list[tuple[int, Vector | None]] = field(default_factory=list)
    grid_positions: dict[str, int] = field(default_factory=dict)
    header_width: int = 0
    labels_alone: int = 0  # row labels printed without values beside them: the text is out of order
    labels_as_text: int = 0  # row labels printed as lines of text, no cell beside them

    def layout(self, has_subtotal: bool) -> _AppLayout:
        return _AppLayout(self.columns, has_subtotal, _grid_columns(self.columns, has_subtotal, self.grid_positions),
                          self.header_width, self.common_values,
                          self.value_spans, self.header_labels)


def _read_app_rows(res: TableResult, blocks: list[Block], tpl: Templates, template: str | None, orphans: Orphans,
                   has_subtotal: bool) -> _AppRows:
    """Each labelled row's possible readings, in printed order (a grid header met on the way fixes the columns
    of the rows after it)."""
    text_rows = _labelled_text_rows(blocks, tpl)
    read = _AppRows(tuple(lab.code for lab in tpl.app_columns.labels), _common_values(text_rows),
                    _value_spans(text_rows), _header_labels(blocks, tpl))
    layout = read.layout(has_subtotal)
    for b in blocks:
        if b.kind == "text":
            read.labels_as_text += tpl.app_rows.match(b.text) is not None
            continue
        if _is_app_header(b, tpl):
            res.found = True
            if _is_grid(b):
                _note_grid_header(read, b, tpl)
                layout = read.layout(has_subtotal)
            continue
        row = _labelled_row(res, b, tpl.app_rows, "applications", "a section-三 row", orphans=orphans)
        if row is None:
            continue
        li, lab, values = row
        if not values:
            read.labels_alone += 1
            continue
        res.found = True
        orphans.mark(lab.code)
        allowed = lab.extra.get("formats")
        if allowed and template and template not in allowed:
            res.issues.append(Issue("format_uncertain", f"row {lab.label} belongs to {allowed}, "
                                    f"report reads as {template}", "applications", lab.code, line=b.line))
        if lab.code in read.rows:
            res.issues.append(Issue("duplicate_row", f"row {lab.label} printed twice; first kept",
                                    "applications", lab.code, line=b.line))
            continue
        if lab.code.startswith("other_"):
            res.formats.add("F2021")
        cands, how = _app_readings(res, b, li, values, layout)
        read.widths.append(_printed_width(b, values))
        read.rows[lab.code] = (b, b.cells[li], cands, how)
    return read


def _note_grid_header(read: _AppRows, b: Block, tpl: Templates) -> None:
    """A grid header row fixes the grid positions of the columns it names."""
    read.header_width = len(b.cells)
    for i, c in enumerate(b.cells):
        lab = tpl.app_columns.match(c.text)
        code = lab.code if lab else "subtotal_org" if key(c.text) in tpl.app_subtotal_keys else None
        if code:
            read.grid_positions.setdefault(code, i)


def _subtotal_column_holds(widths: list[tuple[int, Vector | None]], width: int) -> bool:
    """Whether the rows printing `width` values (one more than the header's columns) all hold as rows with a
    小计 column, and some print a 小计."""
    wide = [v for n, v in widths if n == width]
    return all(v is not None and row_total_holds(v, True) for v in wide) and any(
        v is not None and v[SUBTOTAL_COLUMN] for v in wide)


def _leave_short_rows_unread(res: TableResult, rows: dict[str, AppRow], width: int) -> None:
    """Rows print one value more than the header's columns and not as a 小计: the rows printing fewer are
    unread (which of their cells is missing is unknown)."""
    for code, (b, label_cell, _, _how) in list(rows.items()):
        if _printed_width(b, b.cells[b.cells.index(label_cell) + 1:])[0] < width:
            rows[code] = (b, label_cell, [], "window")
    res.issues.append(Issue("cell_count_mismatch", "rows print eight values where the header shows seven "
                            "columns, and the eight do not add up as a 小计 column: rows that print fewer "
                            "are left unread", "applications"))


@dataclass
class _Doubts:
    """The rows whose reading the table does not bear out, by why (each has its issue already)."""

    unconfirmed: set[str]  # placed by printed order, not confirmed by the identities
    contradicting: set[str]  # a column identity fails through them
    hidden: set[str]  # a blank may hide in their glued run
    unread: set[str]  # uncorroborated, scattered, moved blanks, unproven


def _doubt_readings(res: TableResult, read: _AppRows, decided: dict[str, list[Cell | None]], unbalanced: set[str],
                    by_order: set[str], out_of_order: bool, has_subtotal: bool) -> _Doubts:
    """Weigh each decided reading against the table: the rows it does not bear out are dropped from `decided`,
    each with its issue."""
    rows = read.rows
    equations = _equations(rows)
    as_values = lambda v: _drop_subtotal(_values(v), has_subtotal)  # noqa: E731
    unconfirmed = verify_by_order(by_order, decided, as_values, equations)
    # a glued run is read by its own sums alone. Where the table's runs show dropped blanks, a blank may hide
    # in any run (and its value, still in the total, let a wrong split balance): the columns must confirm each
    # run. Elsewhere, a run is refuted where a row beside it has no reading that balances
    whole_runs = {code for code, (_, _, cands, how) in rows.items() if how == "run" and len(cands) == 1}
    glued = {code for code in whole_runs if _glued(rows[code][0], len(rows[code][2][0]))}
    blank_dropped = glued if _blanks_dropped_here(rows, has_subtotal) else set()
    # a run with fewer digits than the row has columns lost a cell for certain (a printed inconsistency never
    # shortens a run), and so did the runs that read only with a blank when more do than one printed inconsistency
    # explains: the flattening drops blanks, and section 四's glued run may hide one too
    width = len(read.columns) + (1 if has_subtotal else 0)
    res.sparse = res.sparse or any(how == "run" and _digit_count(b) < width for b, _, _, how in rows.values()) \
        or _rows_show_blanks(rows, has_subtotal)
    refuted = _beside_unbalanced(whole_runs - blank_dropped, unbalanced, rows)
    # every split that cut digits apart is the row's own sums' reading: a column identity failing where
    # every cell is printed refutes it (or is a printed inconsistency, which cannot be told from a misread)
    by_identities = {code for code, (_, _, cands, how) in rows.items()
                     if how in ("run", "sparse") and len(cands) > 1} | glued
    contradicting = contradicted(by_identities - unconfirmed, decided, as_values, equations)
    contradicting |= (refuted - unconfirmed) & set(decided)

    def unconfirmed_by_columns(codes: set[str]) -> set[str]:
        return {code for code in codes if code in decided and not confirmed(code, decided, as_values, equations)}

    def flag(codes: set[str], code_name: str, detail: str) -> set[str]:
        for code in sorted(codes):  # in code order: a document's issues come out the same on every run
            res.issues.append(Issue(code_name, detail, "applications", code, line=rows[code][0].line))
        return codes

    hidden = flag(unconfirmed_by_columns(blank_dropped - unconfirmed - contradicting), "ambiguous_digit_run",
                  HIDDEN_BLANK)
    contradicting |= hidden
    # where a row is unread no equation is whole, yet the rows read cannot sum past a side read whole: a row total
    # printed off that a wrong split balances by chance is refuted there
    contradicting |= exceeded(by_identities - unconfirmed, decided, as_values, equations)
    # a sparse row's reading chosen because the others failed a column is as sound as the table is consistent:
    # where the column that refuted the printed reading holds a printed inconsistency, a shifted one survives
    # through columns no identity can assess. The columns must confirm the reading that is left
    sparse_by_identities = {code for code, (_, _, cands, how) in rows.items() if how == "sparse" and len(cands) > 1}
    settled = unconfirmed | contradicting
    unproven = flag(unconfirmed_by_columns(sparse_by_identities) - settled, "ambiguous_alignment", UNPROVEN)
    settled |= unproven
    lone = flag((_uncorroborated_rows(decided, has_subtotal) if out_of_order else set()) - settled,
                "ambiguous_alignment", UNCORROBORATED)
    settled |= lone
    if read.labels_alone + read.labels_as_text >= len(rows):
        # most labels print without values (pdfminer's block order): the values after a label are as likely
        # another row's, and a row's own sums (fifteen zeros hold theirs) confirm nothing; the columns must
        settled |= flag(unconfirmed_by_columns(set(decided)) - settled, "ambiguous_alignment", SCATTERED)
    standing = {code: vec for code, vec in decided.items() if code not in settled}
    settled |= flag(_zeros_alone(standing, has_subtotal) if out_of_order else set(), "ambiguous_alignment", ZEROS_ALONE)
    settled |= flag(_blanks_that_may_have_moved(res, decided, rows) - settled, "ambiguous_alignment", MOVED_BLANK)
    unread = settled - unconfirmed - contradicting
    for code in settled:
        decided.pop(code, None)
    for code in sorted(contradicting - hidden):
        res.issues.append(Issue("ambiguous_digit_run" if rows[code][3] == "run" else "ambiguous_alignment",
                                "the reading the row's own sums chose breaks a column identity of the table: a "
                                "dropped blank or a misread cannot be told from a printed inconsistency, row left "
                                "null", "applications", code, line=rows[code][0].line))
    return _Doubts(unconfirmed, contradicting, hidden, unread)


def _row_verdict(res: TableResult, code: str, row: AppRow, decided: dict[str, list[Cell | None]], doubts: _Doubts,
                 placed_by_order: bool) -> list[Cell | None] | None:
    """A row's reading, or None, with the issue that says how it was read or why it is null."""
    b, label_cell, cands, how = row
    vec = decided.get(code)
    if code in doubts.contradicting or code in doubts.unread:
        pass
    elif code in doubts.unconfirmed:
        res.issues.append(Issue("unplaced_row", "row label lost or cut by the conversion "
                                f"({_label_left(label_cell)}); its place by printed order is not confirmed "
                                "by the table's identities, row left null", "applications", code, line=b.line))
    elif vec is None:
        detail = {"lost": LOST_CELL, "spacer": SPACER_ROW, "edge": EDGE_BLANK_ROW}.get(how) or (
            f"{len(cands)} readings of the printed values fit the table; row left null")
        res.issues.append(Issue(AMBIGUOUS.get(how, "ambiguous_alignment"), detail, "applications", code,
                                line=b.line))
    if vec is not None and how in ("sparse", "run", "window"):
        res.issues.append(Issue("placed_by_identities", "values placed by the table's identities "
                                f"({how} row): the only reading that balances", "applications", code, line=b.line))
    if placed_by_order and vec is not None:
        res.issues.append(Issue("placed_by_order", "row label lost or cut by the conversion "
                                f"({_label_left(label_cell)}); row placed by its printed order between "
                                "the rows around it, and the table's identities hold", "applications", code,
                                line=b.line))
    return vec


def _is_app_header(b: Block, tpl: Templates) -> bool:
    """A section-三 header row: applicant column labels, a 小计, or the 勾稽 note."""
    if b.kind != "row":
        return False
    return _names_app_header(b.texts, tpl)


@lru_cache(maxsize=ROW_MEMO_SIZE)
def _names_app_header(texts: tuple[str, ...], tpl: Templates) -> bool:
    return any(map(_names_app_column, texts, repeat(tpl)))


@lru_cache(maxsize=ROW_MEMO_SIZE)
def _names_app_column(text: str, tpl: Templates) -> bool:
    """One cell's part of the header test: the same cell texts (`0`, `自然人`) recur in every row and report."""
    if not text.strip():
        return False
    k = key(text)
    return k in tpl.app_header_keys or k in tpl.app_subtotal_keys or "勾稽" in squash(text)


@cache
def _subtotal_only_chars(tpl: Templates) -> frozenset[str]:
    """Characters of the 小计 column's labels that no other label of section 三 has (`小`)."""
    others = {ch for idx in (tpl.app_rows, tpl.app_columns) for lab in idx.labels
              for text in (lab.label, *lab.aliases) for ch in key(text)}
    others |= {ch for text in (*tpl.app_groups, *tpl.app_header_keys) for ch in key(text)}
    return frozenset(ch for k in tpl.app_subtotal_keys for ch in k) - others


def _subtotal_header(blocks: list[Block], tpl: Templates) -> bool:
    """Whether section 三's header prints an agency-added 小计 column, in a header row or glued into one line of
    crawled text (自然人法人或其他组织小计总计), or wrapped cell by cell (`织小` / `计`): before the first line
    printing a digit, a character only the 小计 label has."""
    only = _subtotal_only_chars(tpl)
    for b in blocks:
        if b.kind == "run" or any(any(map(str.isdigit, t)) for t in b.texts):
            break
        if any(not only.isdisjoint(key(t)) for t in b.texts):
            return True
    for b in blocks:
        if b.kind == "text":
            glued = squash(b.text)
            if any(k in glued for k in tpl.app_header_keys) and any(k in glued for k in tpl.app_subtotal_keys):
                return True
        elif _is_app_header(b, tpl) and any(key(c.text) in tpl.app_subtotal_keys for c in b.non_empty):
            return True
    return False


def _drop_subtotal(values: Vector, has_subtotal: bool) -> Vector:
    return values[:SUBTOTAL_COLUMN] + values[SUBTOTAL_COLUMN + 1:] if has_subtotal else values


def _decide(rows: dict[str, tuple[Block, Cell, list[list[Cell | None]], str]], tpl: Templates,
            has_subtotal: bool) -> tuple[dict[str, list[Cell | None]], set[str]]:
    """One reading per row where the rows' own readings or the column identities make it certain, and the rows
    the identities left with no reading at all (whose readings no combination with the others balances)."""
    if all(len(c) == 1 for (_, _, c, _) in rows.values()):
        return {code: c[0] for code, (_, _, c, _) in rows.items()}, set()
    cands = {code: [_drop_subtotal(_values(v), has_subtotal) for v in c] for code, (_, _, c, _) in rows.items()}
    live = narrow(cands, _equations(rows), len(tpl.app_columns.labels))
    out = {}
    for code, left in live.items():
        if len(left) == 1:
            out[code] = next(c for c in rows[code][2] if _drop_subtotal(_values(c), has_subtotal) == left[0])
    return out, {code for code, left in live.items() if cands[code] and not left}


def _beside_unbalanced(codes: set[str], unbalanced: set[str], rows: dict[str, object]) -> set[str]:
    """The rows of `codes` that share a column identity with a row no reading of which balances it."""
    through_unbalanced = [set(lhs + rhs) for lhs, rhs in _equations(rows) if unbalanced & set(lhs + rhs)]
    return {code for code in codes if any(code in rows_of for rows_of in through_unbalanced)}


def _blanks_that_may_have_moved(res: TableResult, decided: dict[str, list[Cell | None]],
                                rows: dict[str, tuple[Block, Cell, object, str]]) -> set[str]:
    """Text rows printing a blank among their values, in a table whose conversion moved cells across columns
    (another row printed two values in one cell): the blank's column, and so its neighbours', is unsure."""
    if not res.cells_moved:
        return set()
    return {code for code, vec in decided.items() if not _is_grid(rows[code][0]) and rows[code][3] != "run"
            and any(c is None or not c.text.strip() for c in vec)}


def _uncorroborated_rows(decided: dict[str, list[Cell | None]], has_subtotal: bool) -> set[str]:
    """Rows that break their row total in a table where no more than half the rows read hold theirs (called
    when row labels were printed without values beside them, or values without a label).

    A printed inconsistency is kept as printed where the rest of the table reads right; in a table read mostly
    wrong or not at all (pdfminer's text in block order: a column of values under one row's label), a row that
    breaks its sums is more likely another row's values than the agency's error."""
    holds = partial(row_total_holds, has_subtotal=has_subtotal)
    breaking = {code for code, vec in decided.items() if not holds(_values(vec))}
    holding = len(decided) - len(breaking)
    return breaking if breaking and 2 * holding <= len(decided) else set()


def _zeros_alone(decided: dict[str, list[Cell | None]], has_subtotal: bool) -> set[str]:
    """Rows of zeros in a table where no row printing a number holds its row total (called when the text is out of
    order). A row of zeros holds its sums whatever row it is, so it is no evidence of being read in place: in
    pdfminer's text printed column group by column group, seven zeros under one row's label are cells of several."""
    holds = partial(row_total_holds, has_subtotal=has_subtotal)
    zeros = {code for code, vec in decided.items() if not any(_values(vec))}
    return set() if any(holds(_values(vec)) for code, vec in decided.items() if code not in zeros) else zeros


def _counts(vec: Vector) -> bool:
    """A glued run's reading of section 三 or 四 holds no negative number: there a `-` glued to digits is as
    likely a not-reported marker (`-１10` is `-`, `1`, `10`), and counts are never negative."""
    return all(x is None or x >= 0 for x in vec)


def _spaced_and_short(run: Cell, n: int) -> bool:
    """A run printed with spaces between most of its numbers (more than half its columns), but fewer numbers
    than columns: a blank cell was dropped (its value unknown, so no sum can place it) or two numbers were
    glued; a split that fills the columns (`6 0 0 0 0 17` read `6 0 0 0 0 1 7`) is then a guess. A crawl that
    spaces one cell alone (`500000 5`) glued the rest, and its split stays the identities' to decide."""
    pieces = run_pieces(run.text)
    return bool(pieces) and n // 2 < len(pieces) < n


def _glued(b: Block, n: int) -> bool:
    """A run whose printed numbers (apart by spaces, signs or markers) are fewer than its `n` columns: its
    split cut digits apart, where a dropped blank could hide (a run printing all `n` apart hides none)."""
    pieces = run_pieces(b.cells[-1].text)
    return pieces is None or len(pieces) < n


def _blanks_dropped_here(rows: dict[str, tuple[Block, Cell, list, str]], has_subtotal: bool) -> bool:
    """Whether this table's glued runs show dropped blanks: a run that reads as no full row but as a row with a
    blank (its blank cell left no trace in the text)."""
    return any(how == "run" and not cands and _blank_may_be_dropped(b, has_subtotal)
               for b, _, cands, how in rows.values())


# Runs that read only with a blank a table needs before it shows that its flattening drops blanks: one such run is
# as likely a row total printed off (a printed inconsistency breaks its own row alone), two would need two.
ROWS_SHOWING_BLANKS = 2


def _rows_show_blanks(rows: dict[str, AppRow], has_subtotal: bool) -> bool:
    """Whether more glued runs read as no full row but as a row with a blank than one printed inconsistency
    explains: the flattening drops blank cells, though no run is short of its columns."""
    return sum(how == "run" and not cands and _blank_may_be_dropped(b, has_subtotal)
               for b, _, cands, how in rows.values()) >= ROWS_SHOWING_BLANKS


def _width(has_subtotal: bool) -> int:
    """Section 三's printed columns: the applicant columns and the total, and an added 小计."""
    return APPLICANT_PARTS + 1 + (1 if has_subtotal else 0)


def _digit_count(b: Block) -> int:
    """The digits a glued run prints: each of its numbers has at least one."""
    return sum(ch.isdigit() for ch in b.cells[-1].text)


def _blank_may_be_dropped(b: Block, has_subtotal: bool) -> bool:
    """A glued run that also reads as one number fewer, a blank dropped somewhere, with its row total holding:
    its one full reading is then no more certain than the table's column identities make it."""
    if b.kind != "run":
        return False
    n = _width(has_subtotal)

    def with_a_blank(v: Vector) -> bool:
        return any(row_total_holds((*v[:p], None, *v[p:]), has_subtotal) for p in range(n - 1))

    return bool(digit_splits(b.cells[-1].text, n - 1, with_a_blank))


def _label_left(cell: Cell) -> str:
    """What a conversion left of a row's label, for an issue's wording."""
    text = cell.text.strip()
    return "no label left" if not text or read_cell(text).kind != "text" else f"label left: {text!r}"


def _equations(rows: dict[str, object]) -> list[tuple[list[str], list[str]]]:
    """The column identities of section 三, as the relations declare them: the stated 勾稽 (T3_BALANCE) and the
    outcome sum (T3_OUTCOMES) in the form of （六） the rows print. An identity through a row not printed is
    kept: the solver skips it, as its sum cannot be evaluated."""
    row_forms, _ = _declared_forms()
    printed = {row_forms[code] for code in rows if code in row_forms}
    return list(_declared_identities(printed.pop() if len(printed) == 1 else None))


@cache
def _declared_forms() -> tuple[dict[str, str], dict[str, str]]:
    return form.printed_forms()


@cache
def _declared_identities(outcome_form: str | None) -> tuple[tuple[list[str], list[str]], ...]:
    """Section 三's identities, read once per form of （六） from the relations."""
    balance = form.identity("T3_BALANCE")
    return (balance, form.identity("T3_OUTCOMES", outcome_form)) if outcome_form else (balance,)


def _check_subtotal(res: TableResult, row: str, fitted: list[Cell | None], b: Block) -> None:
    """The agency-added 法人或其他组织 小计 must equal its five columns; it is checked, not stored."""
    readings = [read_cell(c.text).value if c is not None else None for c in fitted]
    parts, subtotal = readings[1:6], readings[6]
    if subtotal is not None and all(p is not None for p in parts) and sum(parts) != subtotal:
        res.issues.append(Issue("cell_count_mismatch", f"法人或其他组织小计 {subtotal} differs from the sum "
                                f"of its columns {sum(parts)}", "applications", row, "subtotal_org",
                                line=b.line))


@dataclass(frozen=True)
class _AppLayout:
    """What fixes a section-三 row's columns: the applicant columns, an added 小计, the grid header."""

    columns: tuple[str, ...]
    has_subtotal: bool
    # the grid header's position of each column, in reading order (None without a header fixing every column)
    positions: list[int] | None
    header_width: int
    # per label column, the cells most text rows with their label there print after it (a label column with no
    # majority, e.g. a flattening that drops blanks, is absent)
    common_values: dict[int, int] = field(default_factory=dict)
    # per row width (cells, label included), the most cells a labelled text row that wide spans with values
    value_spans: dict[int, int] = field(default_factory=dict)
    # where the text header rows name the first column and the last, per row width, in printed order
    header_labels: _HeaderLabels | None = None


# A converter's table (not a fragment of one or two rows) is needed to tell its spacer columns apart.
MIN_TABLE_ROWS = 3


def drop_spacer_columns(blocks: list[Block], n_values: int) -> list[Block]:
    """Markdown a PDF converter lays out by x position (markitdown over pdfminer) adds spacer columns, empty
    in every row, between value columns, and may print each row as a table of its own: read with them, a
    row's values slide under the wrong header. Among the section's pipe rows of one width (at least
    MIN_TABLE_ROWS of them), the columns empty in every row are dropped when, and only when, every row of
    values then prints exactly `n_values` cells after its label: a genuinely blank column would leave fewer,
    and the rows are then read as printed."""
    by_width: dict[int, list[int]] = {}
    for i, b in enumerate(blocks):
        if b.kind == "row" and not _is_grid(b):
            by_width.setdefault(len(b.cells), []).append(i)
    out = list(blocks)
    for indices in by_width.values():
        if len(indices) < MIN_TABLE_ROWS:
            continue
        rows = _without_spacers([blocks[i] for i in indices], n_values)
        for i, row in zip(indices, rows or [], strict=False):
            out[i] = row
    return out


def _without_spacers(group: list[Block], n_values: int) -> list[Block] | None:
    """The rows without the spacer columns that sit between value columns, when the value columns left are
    exactly `n_values` wide and every row's label stands before them; None when the rows are to be read as
    printed (residue at the edges is the other readers' business). Header rows (no value in them) are kept as
    printed: laid out by x position, their labels need not sit over the values' columns."""
    width = len(group[0].cells)
    # which cells print a value, worked out once per cell (the tests below ask by row and by column)
    flags = [tuple(map(_prints_value, r.texts)) for r in group]
    has_values = [any(row_flags) for row_flags in flags]
    with_values = [r for r, valued in zip(group, has_values, strict=True) if valued]
    value_flags = [row_flags for row_flags, valued in zip(flags, has_values, strict=True) if valued]
    valued = [k for k in range(width) if any(row_flags[k] for row_flags in value_flags)]
    if not valued:
        return None
    first, last = valued[0], valued[-1]
    spacers = {k for k in range(first + 1, last) if not any(r.cells[k].text.strip() for r in with_values)}
    if not spacers or last - first + 1 - len(spacers) != n_values:
        return None
    for r, row_flags in zip(with_values, value_flags, strict=True):
        li = _label_index(r)
        if any(row_flags[:first]) or (li is not None and li >= first):
            return None
    return [Block("row", [c for k, c in enumerate(r.cells) if k not in spacers]) if valued else r
            for r, valued in zip(group, has_values, strict=True)]


@lru_cache(maxsize=ROW_MEMO_SIZE)
def _prints_value(text: str) -> bool:
    """A cell that prints a count or a not-reported marker (not blank, not text)."""
    return bool(text.strip()) and read_cell(text).kind != "text"


def _printed_width(b: Block, values: list[Cell]) -> tuple[int, Vector | None]:
    """How many cells a row prints after its label (cells apart by a separator), and their values when all
    are numbers; 0 when a run glues its digits (its width cannot be seen)."""
    if b.kind == "run":
        pieces = run_pieces(values[-1].text) if values else None
        if not pieces or any(p is not None and not p.isdigit() for p in pieces) or len(pieces) < 2:
            return 0, None
        return len(pieces), tuple(None if p is None else Decimal(p) for p in pieces)
    printed = [c for c in values if c.text.strip()]
    readings = [read_cell(c.text) for c in printed]
    vec = tuple(r.value for r in readings) if all(r.kind != "text" for r in readings) else None
    return len(printed), vec


def _grid_columns(columns: tuple[str, ...], has_subtotal: bool, grid_positions: dict[str, int]) -> list[int] | None:
    """The grid positions of a row's values in reading order, when the grid header fixes every column: worked out
    once per header, not per row."""
    order = [*columns[:-1], *(["subtotal_org"] if has_subtotal else []), columns[-1]]
    positions = [grid_positions[c] for c in order] if all(c in grid_positions for c in order) else None
    if positions is not None and not _increasing(positions):
        return None  # a header whose cells moved (a lost colspan) fixes no column
    return positions


def _app_readings(res: TableResult, b: Block, li: int, values: list[Cell], layout: _AppLayout
                  ) -> tuple[list[list[Cell | None]], str]:
    """The possible readings of one section-三 row's value cells, and how they arose."""
    n = len(layout.columns) + (1 if layout.has_subtotal else 0)
    positions = layout.positions
    if _lost_cell(b, li, n):
        return [], "lost"
    placed = _by_position(b, li, positions, layout.header_width)
    sub = layout.has_subtotal
    if placed is not None:
        return [placed], "grid"
    if b.kind == "run":
        if _spaced_and_short(values[-1], n):
            return [], "run"
        return run_candidates(values[-1], n, lambda v: _counts(v) and row_total_holds(v, sub),
                              row_sum_splits(searched_text(values[-1]), sub))
    cands, how = candidates(values, n)
    if how == "exact" and _edge_blank_is_a_column(b, values, cands[0], n, layout):
        return [], "spacer" if len(values) > n else "edge"
    if how == "sparse":
        res.sparse = True
        cands = _sparse_readings(cands, sub)
    elif how == "window":
        # printed blanks are "not reported": a reading counts only if its total is fully printed
        cands = [v for v in cands if None not in _values(v) and row_total_holds(_values(v), sub)]
    elif _misfit_row(b, values, positions, layout):
        # the row does not fit its table: its one reading is a guess, kept only if its sums confirm it
        cands, how = [v for v in cands if row_total_holds(_values(v), sub)], "window"
    return cands, how


def _sparse_readings(cands: list[list[Cell | None]], has_subtotal: bool) -> list[list[Cell | None]]:
    """The readings of a row whose blank cells were dropped that may be the printed row.

    A reading whose row total holds is one (a dropped cell adds nothing). A reading that drops the total
    itself checks nothing, so it cannot be ruled out: it stands beside the holding readings for the table's
    column identities to weigh, but never alone (a blank part, its value still in the total, reads just like
    it). A printed negative count breaks the row, and sums that balance through it place nothing."""
    vectors = [(v, _values(v)) for v in cands]
    if vectors and any(x is not None and x < 0 for x in vectors[0][1]):  # every reading places the same cells
        return []
    holding = [v for v, vec in vectors if row_total_holds(vec, has_subtotal)]
    if not holding:
        return []
    open_total = [v for v, vec in vectors if vec[-1] is None and v not in holding
                  and row_total_holds((*vec[:-1], sum([x or ZERO for x in vec[:APPLICANT_PARTS]], ZERO)),
                                      has_subtotal)]
    return holding + open_total


def _misfit_row(b: Block, values: list[Cell], positions: list[int] | None, layout: _AppLayout) -> bool:
    """A row read left to right although it does not fit its table, so its one reading is a guess: a grid row off
    its header's positions (a span from a moved row pushed its cells), or a text row printing fewer cells after
    its label than the table's other rows with their label in the same column do (a delimiter lost: `11\t0` read
    as `110`, the row's trailing blank then read as its total, or the blank left by a label one column short read
    as the first value)."""
    if _is_grid(b):
        return positions is not None
    common = layout.common_values.get(_label_index(b, b.kind) or 0)
    return b.kind == "row" and common is not None and len(values) < common


def _edge_blank_is_a_column(b: Block, values: list[Cell], reading: list[Cell | None], n: int,
                            layout: _AppLayout) -> bool:
    """A row printing more cells than columns is read by leaving its blank edge cells out as residue of a merged
    label cell; but where a row as wide prints values across more than `n` cells, the table has a cell among its
    values that is no column (a spacer, as pymupdf4llm's layout mode and markitdown over pdfminer add), and which
    of this row's cells moved is unknown. A table's rows print alike wide wherever their labels sit (a section
    row's label a column left of its sub-rows'). A row alone in its shape shows no spacer among its values
    (`| 四、结转… | | | | | | 0 | 0 | 56 | | 0 | | 56 |`), but its header may: where the header in force (the last
    printed before the row as wide) names the first or last column off the reading's first or last cell (a label
    sits over its values or a cell left of them), a spacer or a blank column lies between, and the reading is not
    the row. A row exactly as wide as its columns with a blank edge cell is held to the same header: the blank may
    be a label's residue, its values then a column off (markitdown printing two header labels in one cell dropped
    a blank among the values, `| 一、本年新收… | | 3 | 0 | 0 | 0 | 0 | 3 |` under `| | | 自然人 | … | 总计 |`)."""
    if len(values) < n or b.kind != "row" or _is_grid(b):
        return False
    if len(values) == n and values[0].text.strip() and values[-1].text.strip():
        return False  # no blank edge to take for a column
    width = len(b.cells)
    if len(values) > n and layout.value_spans.get(width, 0) > n:
        return True
    labels = layout.header_labels
    if labels is None or b.line is None:
        return False
    first, last = (next(k for k, c in enumerate(b.cells) if c is cell) for cell in (reading[0], reading[-1]))
    return not (all(h <= first <= h + HEADER_LABEL_LEFT for h in labels.in_force(width, FIRST, b.line))
                and all(h <= last <= h + HEADER_LABEL_LEFT for h in labels.in_force(width, LAST, b.line)))


# How many cells left of its values a header label laid out by x position may sit (markitdown over pdfminer
# prints 自然人 over its values or a cell left of them).
HEADER_LABEL_LEFT = 1
# Which end of the applicant columns a header label names.
FIRST, LAST = "first", "last"


@dataclass(frozen=True)
class _HeaderLabels:
    """Where section 三's text header rows name the first column (自然人) and the last (总计): per (row width,
    end), in printed order, each header row's line and the cells naming it. A table laid out by x position prints
    its own header, so the labels in force for a row are the last ones printed before it in a row as wide."""

    printed: dict[tuple[int, str], list[tuple[int, frozenset[int]]]]

    def in_force(self, width: int, end: str, line: int) -> frozenset[int]:
        """The cells naming `end` in the last header row as wide printed before `line` (none: no constraint)."""
        before = [cells for at, cells in self.printed.get((width, end), []) if at < line]
        return before[-1] if before else frozenset()


def _header_labels(blocks: list[Block], tpl: Templates) -> _HeaderLabels:
    """The cells where section 三's text header rows (printing no value) name the first applicant column and the
    last, as the template orders them."""
    codes = {tpl.app_columns.labels[0].code: FIRST, tpl.app_columns.labels[-1].code: LAST}
    printed: dict[tuple[int, str], list[tuple[int, frozenset[int]]]] = {}
    for b in blocks:
        line = b.line
        if (line is None or b.kind != "row" or _is_grid(b) or not _is_app_header(b, tpl)
                or any(map(_prints_value, b.texts))):
            continue
        for code, end in codes.items():
            cells = frozenset(k for k, text in enumerate(b.texts) if _app_column_code(text, tpl) == code)
            if cells:
                printed.setdefault((len(b.cells), end), []).append((line, cells))
    return _HeaderLabels(printed)


@lru_cache(maxsize=ROW_MEMO_SIZE)
def _app_column_code(text: str, tpl: Templates) -> str | None:
    """The applicant column a header cell names (the same header texts recur in every report)."""
    lab = tpl.app_columns.match(text) if text.strip() else None
    return lab.code if lab else None


def _labelled_text_rows(blocks: list[Block], tpl: Templates) -> list[tuple[int, list[Cell]]]:
    """Section 三's labelled text rows (no grid, no header) as (label column, the cells after the label)."""
    out = []
    for b in blocks:
        if b.kind != "row" or _is_grid(b) or _is_app_header(b, tpl):
            continue
        li = _label_index(b, b.kind)
        if li is not None and _match_row_label(b.cells, li, tpl.app_rows) is not None:
            out.append((li, b.cells[li + 1:]))
    return out


def _value_spans(text_rows: list[tuple[int, list[Cell]]]) -> dict[int, int]:
    """Per row width (a table's rows print alike wide, wherever their labels sit), the most cells any labelled
    text row that wide spans from its first printed value to its last."""
    spans: dict[int, int] = {}
    for li, after in text_rows:
        valued = [k for k, c in enumerate(after) if _prints_value(c.text)]
        if valued:
            width = li + 1 + len(after)
            spans[width] = max(spans.get(width, 0), valued[-1] - valued[0] + 1)
    return spans


def _common_values(text_rows: list[tuple[int, list[Cell]]]) -> dict[int, int]:
    """Per label column, how many cells most labelled text rows of section 三 with their label there print after
    it (a flattened grid prints every row of a kind alike: a row label beside its group's, a sub-label one column
    further); a label column without a clear majority (a flattening that drops blank cells) is left out."""
    counts: dict[int, Counter[int]] = {}
    for li, after in text_rows:
        counts.setdefault(li, Counter())[len(after)] += 1
    common = {}
    for li, by_count in counts.items():
        count, rows = by_count.most_common(1)[0]
        if rows * 2 > sum(by_count.values()):
            common[li] = count
    return common


def expected_disclosure_rows(template: str, tpl: Templates, printed: set[str]) -> list[str]:
    """Row codes a complete section 二 of this template has: its blocks' rows, with the Beijing sub-rows
    in place of 其他对外管理服务事项 where they are printed."""
    captions = set(tpl.disc_block_columns.get(template, {}))
    variant_rows = {lab.code for lab in tpl.disc_rows.labels if lab.extra.get("variant")}
    group_rows = {lab.code for lab in tpl.disc_rows.labels if lab.extra.get("subrows")}
    beijing, national = bool(printed & variant_rows), bool(printed & group_rows)
    codes = []
    for lab in tpl.disc_rows.labels:
        formats = lab.extra.get("formats")
        if squash(lab.extra.get("caption", "")) not in captions or (formats and template not in formats):
            continue
        # with neither the group row nor its sub-rows read, the variant is unknown: all of them are missing
        if (lab.code in variant_rows and national and not beijing) or (lab.code in group_rows and beijing):
            continue
        codes.append(lab.code)
    return codes


def expected_application_rows(template: str, tpl: Templates, printed: set[str]) -> list[str]:
    """Row codes a complete section 三 of this template has (F2021 may print 其他处理 as one row)."""
    codes = []
    single_other = "other" in printed
    for lab in tpl.app_rows.labels:
        formats = lab.extra.get("formats")
        if lab.code == "other":
            if template == "F2019" or single_other:
                codes.append("other")
            continue
        if formats and template not in formats:
            continue
        if lab.code.startswith("other_") and single_other:
            continue
        codes.append(lab.code)
    return codes


# --------------------------------------------------------------------------- 四 review and litigation


def parse_review_litigation(blocks: list[Block], tpl: Templates, *, sparse_document: bool = False,
                            cells_on_own_lines: bool = False) -> TableResult:
    """Section 四: one data row of 15 cells, aligned to the header's result columns by position (or three
    small tables of five, one per block, as OCR and LLM converters print it). `cells_on_own_lines`: every cell
    was printed on a line of its own (the cell-per-line layout), so no cell can hold a neighbour's digits and a
    row that breaks its totals is a printed inconsistency, read as printed."""
    split = _review_split(blocks, tpl)
    if split is not None:
        return split
    res = TableResult()
    header_rows: list[list[tuple[int, str]]] = []
    data: Block | None = None
    for b in blocks:
        if b.kind == "run" and not b.cells[0].text.strip():
            data = b
            break
        if b.kind != "row":
            # a block's name (行政复议, 复议后起诉); a result label alone (总计) is also section 三's
            res.found = res.found or tpl.rl_blocks.match(b.text) is not None
            continue
        results = [(i, lab.code) for i, c in enumerate(b.cells) if (lab := tpl.rl_results.match(c.text))]
        if results:
            header_rows.append(results)
            res.found = True
            continue
        ne = b.non_empty
        # values before any of the table's labels belong to another table (pdfminer moves a page's column of
        # section-三 values under section 四's heading)
        if ne and res.found and all(read_cell(c.text).kind != "text" or merged_values(c.text) for c in ne):
            data = b
            break
        if any(tpl.rl_blocks.match(c.text) for c in ne):
            res.found = True
    if data is None:
        if res.found:
            res.issues.append(Issue("row_not_found", "no data row under the review/litigation header",
                                    "review_litigation"))
        return res
    res.found = True
    blocks_codes = [lab.code for lab in tpl.rl_blocks.labels]
    result_codes = [lab.code for lab in tpl.rl_results.labels]
    columns = [(blk, r) for blk in blocks_codes for r in result_codes]
    if data.kind == "run":
        return _review_run(res, data, columns, sparse_document)
    positions = _header_positions(header_rows, result_codes)
    cells = data.cells
    n = len(columns)
    if positions is None:
        counted = len(cells) == n or (len(cells) > n and not any(c.text.strip() for c in cells[n:]))
        if counted and (sparse_document or not header_rows) and not _block_totals_hold(cells[:n]):
            # this flattening drops blank cells: fifteen cells may be fourteen and a stray one; or no result
            # label came before the row, and fifteen values may be another table's column (pdfminer's block
            # order puts section 三's 总计 column under section 四's heading)
            counted = False
        if counted:
            positions = list(range(n))
        else:
            res.sparse = len(cells) < n
            res.issues.append(Issue("ambiguous_alignment", f"data row has {len(cells)} cells for {n} "
                                    "columns and the header does not fix their positions; left null",
                                    "review_litigation", line=data.line))
            for blk, r in columns:
                res.cells.append(ParsedCell("review_litigation", blk, r, None, "", data.cells[0]))
            return res
    misfit = _review_misfit(data, positions)
    if misfit:
        res.issues.append(Issue("ambiguous_alignment", f"{misfit}: a cell, a delimiter or a header label was lost "
                                "or added, and which cells moved is unknown; left null", "review_litigation",
                                line=data.line))
        res.cells.extend(ParsedCell("review_litigation", blk, r, None, "", data.cells[0]) for blk, r in columns)
        return res
    placed = [cells[pos] for pos in positions]
    if _merged_elsewhere_than_last(placed, cells[max(positions) + 1:]):
        res.issues.append(Issue("ambiguous_alignment", "a cell of the data row holds two values, and it is not "
                                "the last one glued to a stray cell: the conversion moved cells across columns; "
                                "left null", "review_litigation", line=data.line))
        res.cells.extend(ParsedCell("review_litigation", blk, r, None, "", data.cells[0]) for blk, r in columns)
        return res
    after = [c.text for c in cells[max(positions) + 1:]]
    if not cells_on_own_lines and recut_readings([c.text for c in placed], _value_of, block_totals_hold, after):
        res.issues.append(Issue("ambiguous_alignment", RECUT.format(identity="the blocks' 总计"),
                                "review_litigation", line=data.line))
        res.cells.extend(ParsedCell("review_litigation", blk, r, None, "", data.cells[0]) for blk, r in columns)
        return res
    for (blk, r), cell in zip(columns, placed, strict=True):
        _emit(res, "review_litigation", blk, [(r, False)], [cell], data.cells[0])
    for i, c in enumerate(cells):
        if i not in positions and c.text.strip():
            res.issues.append(Issue("stray_cell", f"cell {i + 1} ({c.text.strip()!r}) sits under no "
                                    "header column; ignored", "review_litigation", line=c.line))
    return res


def _merged_elsewhere_than_last(placed: list[Cell], after: list[Cell]) -> bool:
    """A cell holding two values anywhere but as the row's last cell glued to a stray 16th (`5<br>0`, nothing
    after it and no cell of the row empty): the row's cells moved, none is certain."""
    merged = [i for i, c in enumerate(placed) if merged_values(c.text)]
    if not merged:
        return False
    glued_stray = merged == [len(placed) - 1] and not any(c.text.strip() for c in after) and all(
        c.text.strip() for c in placed)
    return not glued_stray


def _block_totals_hold(cells: list[Cell]) -> bool:
    """Each block's 总计 equals its four results, every cell printed (the check a count alone cannot give)."""
    values = [read_cell(c.text).value for c in cells]
    return None not in values and block_totals_hold(values)


def _review_split(blocks: list[Block], tpl: Templates) -> TableResult | None:
    """Table 四 printed as one small table per block: a caption naming the block (`行政诉讼（复议后起诉）`), the
    five result labels, one data row of five. None when the section is not printed that way."""
    result_codes = [lab.code for lab in tpl.rl_results.labels]
    block: str | None = None
    header: list[int] | None = None
    found: dict[str, tuple[Block, list[int]]] = {}
    for b in blocks:
        if b.kind != "row" or not b.non_empty:
            continue
        named = _blocks_named(b, tpl)
        results = [(i, lab.code) for i, c in enumerate(b.cells) if (lab := tpl.rl_results.match(c.text))]
        values = all(read_cell(c.text).kind != "text" for c in b.non_empty)
        if len(named) == 1 and not results:
            block, header = named[0], None
        elif results and [code for _, code in results] == result_codes:
            header = [i for i, _ in results]
        elif values and block is not None and header is not None and block not in found:
            found[block] = (b, header)
            block = header = None
        elif values:
            return None
    if set(found) != {lab.code for lab in tpl.rl_blocks.labels}:
        return None
    res = TableResult(found=True)
    for blk in (lab.code for lab in tpl.rl_blocks.labels):
        data, positions = found[blk]
        if any(c.text.strip() for i, c in enumerate(data.cells) if i not in positions) or max(positions) >= len(
                data.cells):
            res.issues.append(Issue("ambiguous_alignment", "a block's data row does not fit its header; left null",
                                    "review_litigation", blk, line=data.line))
            res.cells.extend(ParsedCell("review_litigation", blk, r, None, "", data.cells[0]) for r in result_codes)
            continue
        for r, pos in zip(result_codes, positions, strict=True):
            _emit(res, "review_litigation", blk, [(r, False)], [data.cells[pos]], data.cells[0])
    return res


def _blocks_named(b: Block, tpl: Templates) -> list[str]:
    """The section-四 blocks a row's labels name, searched inside captions (`行政诉讼（未经复议直接起诉）`)."""
    text = squash(b.text)
    # `未经复议直接起诉` and `复议后起诉` contain 复议 but not 行政复议: a caption names exactly one block
    return [lab.code for lab in tpl.rl_blocks.labels if any(squash(t) in text for t in (lab.label, *lab.aliases))]


def _review_run(res: TableResult, data: Block, columns: list[tuple[str, str]], sparse_document: bool = False
                ) -> TableResult:
    """A run of digits for the 15 cells: kept only if exactly one split makes every block's 总计 add up, and not
    when it spaces most of its numbers but prints fewer than 15 (a blank was dropped: see `_spaced_and_short`),
    nor when it glues digits in a document whose flattening drops blank cells (a section-三 run too short for its
    columns shows it, or more of its runs read only with a blank than one printed inconsistency explains): a blank
    part whose value is still in its 总计 leaves a run one number short that a wrong split balances (`0 0 0 11`
    read `0 0 0 1 1`), and so does a blank 总计 (`0 0 1 12 ·` read `0 0 1 1 2`)."""
    if _spaced_and_short(data.cells[-1], len(columns)):
        res.issues.append(Issue("ambiguous_alignment", f"the data row spaces {len(run_pieces(data.cells[-1].text))} "
                                f"numbers for {len(columns)} columns: a blank cell was dropped or two numbers were "
                                "glued, and a split that fills the columns would be a guess; left null",
                                "review_litigation", line=data.line))
        res.cells.extend(ParsedCell("review_litigation", blk, r, None, "", data.cells[-1]) for blk, r in columns)
        return res
    if sparse_document and _glued(data, len(columns)):
        res.issues.append(Issue("ambiguous_digit_run", "this document's flattening drops blank cells (section 三 "
                                "shows it), and a blank may hide in this glued run, its value still in a 总计: "
                                "the split the totals choose is not certain; left null", "review_litigation",
                                line=data.line))
        res.cells.extend(ParsedCell("review_litigation", blk, r, None, "", data.cells[-1]) for blk, r in columns)
        return res
    splits = digit_splits(searched_text(data.cells[-1]), len(columns), lambda v: _counts(v) and block_totals_hold(v))
    fits, _ = run_candidates(data.cells[-1], len(columns), splits=splits or [])
    if len(fits) == 1:
        res.issues.append(Issue("placed_by_identities", "digit run split by the 总计 identities",
                                "review_litigation", line=data.line))
        for (blk, r), cell in zip(columns, fits[0], strict=True):
            _emit(res, "review_litigation", blk, [(r, False)], [cell], data.cells[-1])
        return res
    why = "the split search ran out of its budget or the run is too long" if splits is None else \
        f"{len(fits)} splits of {data.cells[-1].text!r} fit the table"
    res.issues.append(Issue("ambiguous_digit_run", f"{why}; left null", "review_litigation", line=data.line))
    for blk, r in columns:
        res.cells.append(ParsedCell("review_litigation", blk, r, None, "", data.cells[-1]))
    return res


def _review_misfit(data: Block, positions: list[int]) -> str | None:
    """Why section 四's data row does not fit its header's positions, or None when it does: a header position
    without a cell (fewer cells than the header, or a grid cell no printed cell covers), or a printed cell
    between header positions (a cell or a header label added). Printed cells after the last position are
    trailing noise (a 16th cell) and are only reported."""
    cells = data.cells
    missing = [pos for pos in positions if pos >= len(cells) or (_is_grid(data) and is_absent(cells[pos]))]
    if missing:
        return f"the data row has no cell at column {missing[0] + 1} of its header"
    taken = set(positions)
    between = [i for i, c in enumerate(cells[:max(positions)]) if i not in taken and c.text.strip()]
    if between:
        return f"cell {between[0] + 1} of the data row ({cells[between[0]].text.strip()!r}) sits between header columns"
    return None


def _header_positions(header_rows: list[list[tuple[int, str]]], result_codes: list[str]) -> list[int] | None:
    """Grid positions of the 15 result columns, read from the header rows in printed order; None unless they
    run left to right (a header whose cells moved fixes no position)."""
    found = [(pos, code) for row in header_rows for pos, code in row]
    expected = result_codes * 3
    if [code for _, code in found] != expected:
        return None
    positions = [pos for pos, _ in found]
    return positions if _increasing(positions) else None


def _increasing(positions: list[int]) -> bool:
    return all(a < b for a, b in pairwise(positions))
