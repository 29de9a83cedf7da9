"""The template matcher: find the three tables in a block stream by their labels and read their cells.

Values are placed by labels and by the header's column positions, never by counting numbers from the top
of the file. Where a placement is not certain, the cells stay null and an issue says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from extract.blocks import Block, Cell
from extract.cells import read_cell
from extract.issues import Issue
from extract.template import Label, Templates
from extract.text import key, squash

TABLES = ("disclosure", "applications", "review_litigation")


@dataclass
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


# --------------------------------------------------------------------------- regions


def locate(blocks: list[Block], tpl: Templates) -> tuple[dict[str, tuple[int, int]], list[Issue]]:
    """Block ranges of the three table sections, by heading, else by the table's own anchor labels."""
    starts: dict[str, int] = {}
    for i, b in enumerate(blocks):
        ne = b.non_empty
        if b.kind == "text" or len(ne) == 1:
            sec = tpl.section_of_heading(ne[0].text if ne else "")
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


def _label_index(cells: list[Cell]) -> int | None:
    """Index of the last non-empty cell that is not a value: everything after it is values."""
    idx = None
    for i, c in enumerate(cells):
        if c.text.strip() and read_cell(c.text).kind == "text":
            idx = i
    return idx


def fit_values(cells: list[Cell], n: int) -> tuple[list[Cell | None] | None, str | None]:
    """Align the value cells of a row to `n` columns.

    Blank cells at the edges may be merged-cell residue. A window of `n` cells is acceptable when every
    cell left outside it is blank; exactly one acceptable window means the alignment is certain. Fewer
    cells than columns are read left to right (`cell_count_mismatch`); several windows are ambiguous.
    """
    if len(cells) < n:
        return [*cells, *([None] * (n - len(cells)))], "cell_count_mismatch"
    windows = [
        s for s in range(len(cells) - n + 1)
        if not any(c.text.strip() for c in cells[:s] + cells[s + n:])
    ]
    if len(windows) == 1:
        s = windows[0]
        return list(cells[s:s + n]), None
    if not windows:
        return None, "cell_count_mismatch"
    readings = {tuple(c.text.strip() for c in cells[s:s + n]) for s in windows}
    if len(readings) == 1:
        return list(cells[windows[0]:windows[0] + n]), None
    return None, "ambiguous_alignment"


def _emit(res: TableResult, table: str, row: str, cols: list[tuple[str, bool]],
          values: list[Cell | None], fallback: Cell) -> None:
    """Read fitted cells into canonical cells; an absent cell is null with empty raw text."""
    for (col, amount), cell in zip(cols, values, strict=True):
        if cell is None:
            res.cells.append(ParsedCell(table, row, col, None, "", fallback))
            continue
        reading = read_cell(cell.text, amount=amount)
        if reading.kind == "text":
            res.issues.append(Issue("non_numeric_cell", f"cell text {cell.text.strip()!r} is not a number;"
                                    " recorded as not reported", table, row, col, cell.line))
        if reading.converted_from_yuan:
            res.issues.append(Issue("converted_unit", f"{cell.text.strip()!r} converted from 元 to 万元",
                                    table, row, col, cell.line))
        res.cells.append(ParsedCell(table, row, col, reading.value, cell.text.strip(), cell))


def _match_row_label(cells: list[Cell], upto: int, index) -> Label | None:
    """The most specific (right-most) label cell that names a row of the table."""
    for i in range(upto, -1, -1):
        lab = index.match(cells[i].text)
        if lab is not None:
            return lab
    return None


# --------------------------------------------------------------------------- 二 disclosure


def parse_disclosure(blocks: list[Block], tpl: Templates) -> TableResult:
    """Section 二: the 第二十条 blocks, each with its own column header."""
    res = TableResult()
    cols: list[tuple[str, bool]] | None = None
    seen: dict[str, list[ParsedCell]] = {}
    for b in blocks:
        ne = b.non_empty
        if not ne:
            continue
        first = key(ne[0].text)
        if first in tpl.disc_captions:
            res.found = True
            cols = None
            continue
        if b.kind != "row":
            continue
        if first in tpl.disc_header_first:
            res.found = True
            cols = []
            for c in ne[1:]:
                lab, fmt = _disclosure_column(c.text, tpl)
                if lab is None:
                    res.issues.append(Issue("unknown_label", f"unknown column header {c.text.strip()!r}",
                                            "disclosure", line=c.line))
                    cols = None
                    break
                if fmt:
                    res.formats.add(fmt)
                header = squash(c.text)
                amount = bool(lab.extra.get("amount")) or ("元" in header and "万元" not in header)
                cols.append((lab.code, amount))
            continue
        li = _label_index(b.cells)
        if li is None:
            continue
        lab = _match_row_label(b.cells, li, tpl.disc_rows)
        values = b.cells[li + 1:]
        if lab is None:
            if any(v.text.strip() for v in values):
                res.issues.append(Issue("unknown_label", f"row label {b.cells[li].text.strip()!r} is not "
                                        "a section-二 item; its values were not read", "disclosure",
                                        line=b.line))
            continue
        if not values:
            continue
        if cols is None:
            res.issues.append(Issue("header_not_found", f"no column header before row {lab.label}",
                                    "disclosure", lab.code, line=b.line))
            continue
        if lab.code in seen:
            res.issues.append(Issue("duplicate_row", f"row {lab.label} printed twice; first kept",
                                    "disclosure", lab.code, line=b.line))
            continue
        fitted, problem = fit_values(values, len(cols))
        if fitted is None:
            res.issues.append(Issue(problem or "ambiguous_alignment",
                                    f"{len(values)} value cells for {len(cols)} columns; left null",
                                    "disclosure", lab.code, line=b.line))
            fitted = [None] * len(cols)
        elif problem:
            res.issues.append(Issue(problem, f"{len(values)} value cells for {len(cols)} columns; read "
                                    "left to right, missing cells null", "disclosure", lab.code,
                                    line=b.line))
        before = len(res.cells)
        _emit(res, "disclosure", lab.code, cols, fitted, b.cells[li])
        seen[lab.code] = res.cells[before:]
    _drop_empty_group_rows(res, seen, tpl)
    return res


def _disclosure_column(text: str, tpl: Templates) -> tuple[Label | None, str | None]:
    """Column label and the template it identifies (None when both templates print it)."""
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


def parse_applications(blocks: list[Block], tpl: Templates, template: str | None) -> TableResult:
    """Section 三: rows × 7 applicant columns (8 when the agency added a 法人或其他组织 小计 column)."""
    res = TableResult()
    columns = [(lab.code, False) for lab in tpl.app_columns.labels]
    has_subtotal = False
    for b in blocks:
        if b.kind != "row":
            continue
        keys = [key(c.text) for c in b.non_empty]
        if any(k in tpl.app_header_keys or k in tpl.app_subtotal_keys for k in keys) or any(
            "勾稽" in squash(c.text) for c in b.non_empty
        ):
            res.found = True
            if any(k in tpl.app_subtotal_keys for k in keys):
                has_subtotal = True
            continue
        li = _label_index(b.cells)
        if li is None:
            continue
        lab = _match_row_label(b.cells, li, tpl.app_rows)
        values = b.cells[li + 1:]
        if lab is None:
            if any(v.text.strip() for v in values):
                res.issues.append(Issue("unknown_label", f"row label {b.cells[li].text.strip()!r} is not "
                                        "a section-三 row; its values were not read", "applications",
                                        line=b.line))
            continue
        if not values:
            continue
        res.found = True
        allowed = lab.extra.get("formats")
        if allowed and template and template not in allowed:
            res.issues.append(Issue("format_uncertain", f"row {lab.label} belongs to {allowed}, "
                                    f"report reads as {template}", "applications", lab.code, line=b.line))
        if any(c.row == lab.code for c in res.cells):
            res.issues.append(Issue("duplicate_row", f"row {lab.label} printed twice; first kept",
                                    "applications", lab.code, line=b.line))
            continue
        if lab.code.startswith("other_"):
            res.formats.add("F2021")
        row_cols = [*columns[:6], ("subtotal_org", False), *columns[6:]] if has_subtotal else columns
        fitted, problem = fit_values(values, len(row_cols))
        if fitted is None:
            res.issues.append(Issue(problem or "ambiguous_alignment",
                                    f"{len(values)} value cells for {len(row_cols)} columns; row left null",
                                    "applications", lab.code, line=b.line))
            fitted = [None] * len(row_cols)
        elif problem:
            res.issues.append(Issue(problem, f"{len(values)} value cells for {len(row_cols)} columns; read "
                                    "left to right, missing cells null", "applications", lab.code,
                                    line=b.line))
        if has_subtotal:
            _check_subtotal(res, lab.code, fitted, b)
            fitted = fitted[:6] + fitted[7:]
        _emit(res, "applications", lab.code, columns, fitted, b.cells[li])
    return res


def _check_subtotal(res: TableResult, row: str, fitted: list[Cell | None], b: Block) -> None:
    """The agency-added 法人或其他组织 小计 must equal its five columns; it is checked, not stored."""
    readings = [read_cell(c.text).value if c is not None else None for c in fitted]
    parts, subtotal = readings[1:6], readings[6]
    if subtotal is not None and all(p is not None for p in parts) and sum(parts) != subtotal:
        res.issues.append(Issue("cell_count_mismatch", f"法人或其他组织小计 {subtotal} differs from the sum "
                                f"of its columns {sum(parts)}", "applications", row, "subtotal_org",
                                line=b.line))


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


def parse_review_litigation(blocks: list[Block], tpl: Templates) -> TableResult:
    """Section 四: one data row of 15 cells, aligned to the header's result columns by position."""
    res = TableResult()
    header_rows: list[list[tuple[int, str]]] = []
    data: Block | None = None
    for b in blocks:
        if b.kind != "row":
            continue
        results = [(i, lab.code) for i, c in enumerate(b.cells) if (lab := tpl.rl_results.match(c.text))]
        if results:
            header_rows.append(results)
            res.found = True
            continue
        ne = b.non_empty
        if ne and all(read_cell(c.text).kind != "text" for c in ne):
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
    positions = _header_positions(header_rows, result_codes)
    cells = data.cells
    n = len(columns)
    if positions is None:
        if len(cells) == n or (len(cells) > n and not any(c.text.strip() for c in cells[n:])):
            positions = list(range(n))
        else:
            res.issues.append(Issue("ambiguous_alignment", f"data row has {len(cells)} cells for {n} "
                                    "columns and the header does not fix their positions; left null",
                                    "review_litigation", line=data.line))
            for blk, r in columns:
                res.cells.append(ParsedCell("review_litigation", blk, r, None, "", data.cells[0]))
            return res
    for (blk, r), pos in zip(columns, positions, strict=True):
        cell = cells[pos] if pos < len(cells) else None
        if cell is None:
            res.issues.append(Issue("cell_count_mismatch", f"no cell at column {pos + 1}; null",
                                    "review_litigation", blk, r, data.line))
        _emit(res, "review_litigation", blk, [(r, False)], [cell], data.cells[0])
    for i, c in enumerate(cells):
        if i not in positions and c.text.strip():
            res.issues.append(Issue("stray_cell", f"cell {i + 1} ({c.text.strip()!r}) sits under no "
                                    "header column; ignored", "review_litigation", line=c.line))
    return res


def _header_positions(header_rows: list[list[tuple[int, str]]], result_codes: list[str]) -> list[int] | None:
    """Grid positions of the 15 result columns, read from the header rows in printed order."""
    found = [(pos, code) for row in header_rows for pos, code in row]
    expected = result_codes * 3
    if [code for _, code in found] != expected:
        return None
    positions = [pos for pos, _ in found]
    return positions if len(set(positions)) == len(positions) else None
