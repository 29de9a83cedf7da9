"""Text layouts of a report, as text dumps and converters flatten its tables, and what each leaves readable.

Layouts:
- `tab_rows`: one table row per line, cells separated by tabs, merged-cell residue as empty cells (000, 003);
- `cell_per_line`: one tab-prefixed cell per line, blank lines between rows, labels broken over lines
  (001, 002, 004);
- `markdown`: pipe tables, optionally broken into pieces with generic `| 列1 | 列2 |` headers;
- `sparse`: tab rows with every empty cell dropped (yynanhu 2019);
- `digit_run`: crawled page text, the cells of a row run together (`本年新收政府信息公开申请数量230000023`).

`flatten` returns the printed rows with the truth cell behind each printed cell; `undeterminable` then
says, per layout, which truth cells no reader can place with certainty (conservatively).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from functools import lru_cache

from extract.cells import read_cell
from extract.solve import block_totals_hold, recut_readings
from synthetic.document import Document, Grid, Paragraph, Ref
from synthetic.truth import RL_RESULTS

LAYOUTS: tuple[str, ...] = ("tab_rows", "cell_per_line", "markdown", "sparse", "digit_run")
TEXT_ENCODINGS: tuple[str, ...] = ("utf-8", "utf-8-sig", "gb18030", "utf-16")


@dataclass
class TextOptions:
    """How a layout flattens: which merged-cell residue survives, encoding, markdown pieces, noise."""

    layout: str = "tab_rows"
    encoding: str = "utf-8"
    rowspan_residue: bool = True
    colspan_residue: bool = False
    trailing_tab: bool = False
    md_fill: str = "blank"  # blank | repeat: what a converter writes into merged positions
    md_pieces: int = 1  # section-三 table broken into this many pieces (generic 列1 | 列2 headers)
    md_hash_headings: bool = False
    md_br_labels: bool = False  # header captions broken as `本年新<br/>制作数量`
    split_lines: bool = False  # cell_per_line: labels broken over untabbed lines, stacked header glyphs
    missing_row_breaks: bool = False  # cell_per_line: a row starts without the blank line before it


@dataclass(slots=True)
class FlatCell:
    text: str
    ref: Ref | None
    kind: str
    header_code: str | None = None


@dataclass(slots=True)
class FlatRow:
    """One printed table row after flattening."""

    table: str
    code: str | None
    cells: list[FlatCell] = field(default_factory=list)
    nvalues: int = 0  # truth cells the row prints in its grid (dropped ones included)


# --------------------------------------------------------------------------- flattening


_PLANS: dict[tuple, list[list[tuple[int, int]]]] = {}
_ORIGIN, _BY_ROW, _BY_COL, _NONE = 0, 1, 2, 3


def _plan(grid: Grid) -> list[list[tuple[int, int]]]:
    """Per grid position: (index of the covering cell, origin/by-row/by-col/none); cached by the spans."""
    sig = (grid.ncols, grid.nrows, *((c.row, c.col, c.rowspan, c.colspan) for c in grid.cells))
    plan = _PLANS.get(sig)
    if plan is None:
        plan = [[(-1, _NONE)] * grid.ncols for _ in range(grid.nrows)]
        for i, c in enumerate(grid.cells):
            for dr in range(c.rowspan):
                for dc in range(c.colspan):
                    plan[c.row + dr][c.col + dc] = (i, _ORIGIN if not dr and not dc else _BY_ROW if dr else _BY_COL)
        _PLANS[sig] = plan
    return plan


def flat_rows(grid: Grid, opts: TextOptions) -> list[FlatRow]:
    """The grid's rows as the layout prints them (cells kept, dropped or repeated)."""
    cells = grid.cells
    lay = opts.layout
    markdown, repeat = lay == "markdown", opts.md_fill == "repeat"
    positional = lay in ("tab_rows", "cell_per_line")
    keep = {_BY_ROW: opts.rowspan_residue, _BY_COL: opts.colspan_residue, _NONE: True}
    out = []
    for r, plan_row in enumerate(_plan(grid)):
        flat: list[FlatCell] = []
        nvalues = 0
        for i, state in plan_row:
            cell = cells[i] if i >= 0 else None
            if state == _ORIGIN:
                flat.append(FlatCell(cell.text, cell.ref, cell.kind, cell.header_code))  # type: ignore[union-attr]
                nvalues += cell.ref is not None  # type: ignore[union-attr]
            elif markdown:
                text = cell.text if (cell is not None and repeat) else ""
                flat.append(FlatCell(text, None, cell.kind if cell else "residue",
                                     cell.header_code if text and cell else None))
            elif positional and keep[state]:
                flat.append(FlatCell("", None, cell.kind if cell else "residue"))
            # sparse and digit_run drop every empty position
        if not positional and not markdown:
            flat = [c for c in flat if c.text.strip()]
        elif lay == "tab_rows" and opts.trailing_tab:
            flat.append(FlatCell("", None, "residue"))
        out.append(FlatRow(grid.table, grid.row_codes[r], flat, nvalues))
    return out


def _digits_only(text: str) -> str:
    return re.sub(r"\s+", "", text)


def render_lines(doc: Document, opts: TextOptions, rng: random.Random) -> tuple[list[str], list[FlatRow]]:
    """Lines of the text and every flattened table row, in printed order."""
    lines: list[str] = []
    rows: list[FlatRow] = []
    lay = opts.layout
    for item in doc.items:
        if isinstance(item, Paragraph):
            text = item.text
            if lay == "markdown" and item.kind == "title":
                text = "# " + text
            elif lay == "markdown" and item.kind == "heading" and opts.md_hash_headings:
                text = "## " + text
            lines.append(text)
            lines.append("")
            continue
        grid_rows = flat_rows(item, opts)
        rows.extend(grid_rows)
        if lay == "tab_rows":
            for fr in grid_rows:
                lines.append("\t".join(c.text for c in fr.cells))
        elif lay == "sparse":
            lines.extend("\t".join(c.text for c in fr.cells) for fr in grid_rows)
        elif lay == "digit_run":
            lines.extend("".join(_digits_only(c.text) if c.ref else c.text for c in fr.cells) for fr in grid_rows)
        elif lay == "cell_per_line":
            lines.extend(_cell_per_line(grid_rows, opts, rng))
        elif lay == "markdown":
            lines.extend(_markdown(item, grid_rows, opts, rng))
        else:
            raise ValueError(f"unknown layout {lay!r}")
        lines.append("")
    return lines, rows


def _cell_per_line(grid_rows: list[FlatRow], opts: TextOptions, rng: random.Random) -> list[str]:
    out: list[str] = []
    previous: FlatRow | None = None
    for fr in grid_rows:
        # Seed 001 drops the blank line only where a label follows a value (the next row is still clear).
        after_value = previous is not None and previous.cells and previous.cells[-1].ref is not None and \
            previous.cells[-1].text.strip() != ""
        starts_with_label = bool(fr.cells) and fr.cells[0].kind == "label" and fr.cells[0].text.strip() != ""
        if previous is not None and not (opts.missing_row_breaks and after_value and starts_with_label
                                         and rng.random() < 0.3):
            out.append("")
        previous = fr
        for c in fr.cells:
            text = c.text
            if opts.split_lines and c.kind in ("label", "header") and c.text:
                if c.header_code and rng.random() < 0.5:  # stacked glyphs: 结/果/维/持
                    glyphs = [g for g in text if not g.isspace()]
                    out.append("\t" + glyphs[0])
                    out.extend(glyphs[1:])
                    continue
                plain = text.strip()
                if c.kind == "label" and len(plain) >= 5 and rng.random() < 0.35:
                    cut = len(plain) - rng.randint(2, min(6, len(plain) - 3))
                    out.append("\t" + plain[:cut])
                    if rng.random() < 0.5:
                        out.append("")
                    out.append(plain[cut:])
                    continue
            out.append("\t" + text)
    return out


def _markdown(grid: Grid, grid_rows: list[FlatRow], opts: TextOptions, rng: random.Random) -> list[str]:
    def line(texts: list[str]) -> str:
        return "| " + " | ".join(t.replace("|", "/") for t in texts) + " |"

    def cell_text(c: FlatCell) -> str:
        t = c.text.replace("\n", " ")
        if opts.md_br_labels and c.kind == "header" and len(t) >= 5 and not c.header_code:
            cut = rng.randint(2, len(t) - 2)
            t = t[:cut] + "<br/>" + t[cut:]
        return t

    n = grid.ncols
    sep = "| " + " | ".join(["---"] * n) + " |"
    pieces = max(1, opts.md_pieces if grid.table == "applications" else 1)
    cuts = sorted(rng.sample(range(4, len(grid_rows)), pieces - 1)) if pieces > 1 else []
    out: list[str] = []
    for i, fr in enumerate(grid_rows):
        if i == 0:
            out += [line([cell_text(c) for c in fr.cells]), sep]
        elif i in cuts:
            footer = rng.choice(["", "— 3 —", "第 2 页"])
            out += ["", *([footer, ""] if footer else []), line([f"列{k + 1}" for k in range(n)]), sep]
            out.append(line([cell_text(c) for c in fr.cells]))
        else:
            out.append(line([cell_text(c) for c in fr.cells]))
    return out


def render_text(doc: Document, opts: TextOptions, rng: random.Random) -> tuple[bytes, list[FlatRow]]:
    """Bytes of the report in a text layout (encoded as `opts.encoding`) and its flattened rows."""
    lines, rows = render_lines(doc, opts, rng)
    text = "\n".join(lines) + "\n"
    return text.encode(opts.encoding), rows


# --------------------------------------------------------------------------- what the layout leaves readable


def undeterminable(rows: list[FlatRow], layout: str, truth_cells: list[Ref],
                   injected_tables: set[str] = frozenset()) -> list[Ref]:  # type: ignore[assignment]
    """Truth cells that no reader of this layout can place with certainty, in printed order.

    Positional layouts: a row is certain when every window of n cells that leaves only blank cells
    outside reads the same as the true window. Sparse rows with dropped cells are never certain. Digit
    runs are certain when exactly one split satisfies the row's own identities (tables with injected
    inconsistencies are left uncertain: a reader using column identities finds no consistent split).
    """
    placed: set[Ref] = set()
    header_pos = _rl_header_positions(rows)
    for fr in rows:
        if fr.code is None:
            continue
        refs = [c.ref for c in fr.cells if c.ref is not None]
        if not refs:
            continue
        if layout == "digit_run":
            if fr.table in injected_tables and fr.table != "disclosure":
                continue
            if _run_is_certain(fr):
                placed.update(refs)
            continue
        if fr.table == "review_litigation" and layout != "cell_per_line" and _recut_would_hold(fr):
            continue
        if (fr.table == "review_litigation" and header_pos is not None and layout != "sparse"
                and [i for i, c in enumerate(fr.cells) if c.ref is not None] == header_pos):
            placed.update(refs)
            continue
        if fr.table == "review_litigation" and layout == "sparse" and not _block_totals_hold(fr):
            # a flattening that drops blanks: fifteen cells could be fourteen and a stray one (seeds 000 and
            # 003 print a 16th), so only block totals that hold with every cell printed confirm the count
            continue
        values = _value_cells(fr)
        if values is not None and _positional_is_certain(values, fr.nvalues):
            placed.update(refs)
    return [ref for ref in truth_cells if ref not in placed]


def _recut_would_hold(fr: FlatRow) -> bool:
    """Whether the section-四 row breaks its blocks' 总计 (a blank counting as nothing) while a reading with a
    digit moved across a cell boundary would hold them: a reader cannot tell a printed inconsistency from a
    converter's glued cells there, except where every cell was printed on a line of its own."""
    positions = [i for i, c in enumerate(fr.cells) if c.ref is not None]
    if len(positions) != len(RL_RESULTS) * 3:
        return False
    printed = [fr.cells[i].text for i in positions]
    after = [c.text for c in fr.cells[max(positions) + 1:]]
    return bool(recut_readings(printed, lambda t: read_cell(t).value if t is not None else None,
                               block_totals_hold, after))


def _block_totals_hold(fr: FlatRow) -> bool:
    """Each block of a section-四 row: 总计 = its four results, every cell printed as a plain number."""
    v = [read_cell(c.text).value for c in fr.cells if c.ref is not None]
    if len(v) != len(RL_RESULTS) * 3 or None in v:
        return False
    return all(v[i + 4] == sum(v[i:i + 4]) for i in range(0, len(v), 5))


def _value_cells(fr: FlatRow) -> list[FlatCell] | None:
    """The cells after the row's last label cell (all cells of a label-less row)."""
    last = -1
    for i, c in enumerate(fr.cells):
        if c.ref is None and c.text.strip() and c.kind != "value":
            last = i
    values = fr.cells[last + 1:]
    if any(c.ref is None and c.kind == "label" and c.text.strip() for c in values):
        return None
    return values


def _positional_is_certain(values: list[FlatCell], n: int) -> bool:
    idx = [i for i, c in enumerate(values) if c.ref is not None]
    if not idx or len(idx) != n or idx != list(range(idx[0], idx[0] + n)):
        return False
    texts = [c.text.strip() for c in values]
    true_start = idx[0]
    readings = set()
    for s in range(len(values) - n + 1):
        if any(texts[:s]) or any(texts[s + n:]):
            continue
        readings.add(tuple(texts[s:s + n]))
    return readings == {tuple(texts[true_start:true_start + n])}


def _rl_header_positions(rows: list[FlatRow]) -> list[int] | None:
    """Positions of the 15 section-四 result columns when the header rows fix them, else None."""
    found = [(i, c.header_code) for fr in rows if fr.table == "review_litigation" and fr.code is None
             for i, c in enumerate(fr.cells) if c.header_code and c.text.strip()]
    if [code for _, code in found] != list(RL_RESULTS) * 3:
        return None
    pos = [i for i, _ in found]
    return pos if len(set(pos)) == len(pos) else None


# --------------------------------------------------------------------------- digit runs

_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?$")


def _run_is_certain(fr: FlatRow) -> bool:
    """Exactly one split of the run into the row's cells satisfies the row's own identities."""
    cells = [c for c in fr.cells if c.ref is not None or c.kind == "value"]
    run = "".join(_digits_only(c.text) for c in cells)
    cols = [c.ref[2] for c in cells if c.ref is not None]
    if len(cells) != len(cols) or len(cols) != fr.nvalues:
        return False  # a stray value cell in the run, or a cell left out of it
    if fr.table == "disclosure":
        # no identity ties section 二's cells, and a flattening that glues cells drops blank ones too: a run
        # is certain only when no split into fewer numbers exists either (`150` may be 15|·|0)
        return _splits(run, len(cols)) == 1 and not any(_splits(run, k) for k in range(1, len(cols)))
    if not run.isdigit():
        return False
    _budget[0] = SPLIT_BUDGET
    try:
        if fr.table == "applications":
            if "subtotal_org" in cols:
                return _splits_subtotal(run) == 1
            return _splits_total(run, 6) == 1
        return _splits_blocks(run, 3) == 1
    except _TooHard:
        return False  # too many candidate splits to settle cheaply: call it undeterminable (conservative)


# Search steps allowed per row; a row that needs more is marked undeterminable rather than slowing the corpus.
SPLIT_BUDGET = 2000
_budget = [SPLIT_BUDGET]


class _TooHard(Exception):
    pass


@lru_cache(maxsize=200_000)
def _splits(run: str, k: int) -> int:
    """Ways (capped at 2) to cut `run` into k numbers, leading zeros allowed (the permissive reading)."""
    if k == 1:
        return 1 if _NUMBER.match(run) else 0
    total = 0
    for i in range(1, len(run) - k + 2):
        if _NUMBER.match(run[:i]):
            total += _splits(run[i:], k - 1)
            if total >= 2:
                return 2
    return total


def _digit_sum(run: str) -> int:
    return sum(map(int, run))


@lru_cache(maxsize=200_000)
def _sum_splits(run: str, k: int, target: int) -> int:
    """Ways (capped at 2) to cut a digit string into k numbers summing to `target`."""
    _budget[0] -= 1
    if _budget[0] < 0:
        raise _TooHard
    if k == 1:
        return 1 if run and int(run) == target else 0
    if len(run) < k or _digit_sum(run) > target:  # a number is never below its digit sum
        return 0
    if target >= k * 10 ** (len(run) - k + 1):  # every part has at most len-k+1 digits
        return 0
    if target == 0:  # all zeros: C(len-1, k-1) ways to cut
        return 1 if len(run) == k else 2
    total = 0
    for i in range(1, len(run) - k + 2):
        v = int(run[:i])
        if v > target:
            break
        total += _sum_splits(run[i:], k - 1, target - v)
        if total >= 2:
            return 2
    return total


def _splits_total(run: str, parts: int) -> int:
    """Ways to cut into `parts` numbers followed by their sum."""
    total = 0
    for j in range(parts, len(run)):
        total += _sum_splits(run[:j], parts, int(run[j:]))
        if total >= 2:
            return 2
    return total


def _splits_subtotal(run: str) -> int:
    """natural, five organisations, their 小计, total = natural + 小计."""
    total = 0
    n = len(run)
    for a in range(1, n - 7 + 1):
        natural = int(run[:a])
        for c in range(a + 5, n):  # total = run[c:]
            t = int(run[c:])
            sub_target = t - natural
            if sub_target < 0:
                continue
            for b in range(a + 5, c):  # subtotal = run[b:c]
                if int(run[b:c]) != sub_target:
                    continue
                total += _sum_splits(run[a:b], 5, sub_target)
                if total >= 2:
                    return 2
    return total


@lru_cache(maxsize=200_000)
def _splits_blocks(run: str, blocks: int) -> int:
    """Ways to cut into `blocks` groups of four numbers and their total."""
    if blocks == 0:
        return 1 if not run else 0
    total = 0
    for e in range(5, len(run) - 5 * (blocks - 1) + 1):
        ways = _splits_total(run[:e], 4)
        if ways:
            total += ways * _splits_blocks(run[e:], blocks - 1)
            if total >= 2:
                return 2
    return total
