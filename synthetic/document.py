"""A report as a source-independent document: paragraphs and tables as grids with merged cells.

Every renderer (text layouts, HTML, Word) draws the same `Document`, so all forms of one report print the
same cell texts; only the flattening differs. Grid cells carry a reference to the truth cell they print,
which is how the truth learns what a layout left determinable.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from extract.template import templates
from synthetic.truth import (
    APP_COLS,
    APPLICANTS,
    BEIJING_SUBROWS,
    ORG_APPLICANTS,
    RL_BLOCKS,
    RL_RESULTS,
    ReportTruth,
    Value,
    application_rows,
    disclosure_blocks,
)

Ref = tuple[str, str, str]  # (table, row, col) of the truth; col "subtotal_org" for the agency-added column

APP_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APP_GROUPS = {"denied_": "（三）不予公开", "unable_": "（四）无法提供", "rejected_": "（五）不予处理",
              "other_": "（六）其他处理"}
APP_RESULTS_GROUP = "三、本年度办理结果"
RL_LITIGATION = "行政诉讼"
NULL_FORMS = ("", "", "", "/", "—", "-", "无", "不适用")
_FULL_WIDTH = str.maketrans("0123456789+-.", "０１２３４５６７８９＋－．")


@dataclass(slots=True)
class GridCell:
    """A printed table cell at (row, col) of its grid; `ref` names the truth cell it prints, if any."""

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    ref: Ref | None = None
    kind: str = "label"  # label | value | header | caption | note
    header_code: str | None = None  # result code of a section-四 header cell


@dataclass
class Grid:
    """One printed table; `row_codes[i]` is the data-row code of grid row i (None for header rows)."""

    table: str
    ncols: int
    cells: list[GridCell] = field(default_factory=list)
    row_codes: list[str | None] = field(default_factory=list)

    @property
    def nrows(self) -> int:
        return len(self.row_codes)

    def add_row(self, code: str | None, cells: list[tuple[int, str, dict]]) -> None:
        """Append a grid row; each cell is (column, text, options for `GridCell`)."""
        r = len(self.row_codes)
        self.row_codes.append(code)
        for col, text, opts in cells:
            self.cells.append(GridCell(r, col, text, **opts))

    def matrix(self) -> list[list[tuple[GridCell, bool] | None]]:
        """Position → (cell covering it, whether this is the cell's top-left origin)."""
        m: list[list[tuple[GridCell, bool] | None]] = [[None] * self.ncols for _ in range(self.nrows)]
        for c in self.cells:
            for dr in range(c.rowspan):
                for dc in range(c.colspan):
                    m[c.row + dr][c.col + dc] = (c, dr == 0 and dc == 0)
        return m


@dataclass
class Paragraph:
    text: str
    kind: str = "prose"  # title | heading | prose


@dataclass
class Document:
    """Paragraphs and grids in printed order."""

    items: list[Paragraph | Grid]
    truth: ReportTruth


@dataclass
class DocOptions:
    """What the document prints, before any layout: cell forms, blanks, labels, stray cells."""

    cell_forms: bool = False  # full-width digits, thousands separators, spaces, +signs, 元 amounts
    null_forms: bool = False  # not-reported cells as / — 无 … rather than blank
    split_labels: bool = False  # labels broken by spaces or line breaks (renderers decide how)
    stray_cell: bool = False  # a 16th cell in the section-四 data row, as seeds 000/003
    heading_variants: bool = False
    plain_digits: bool = False  # digit_run: plain ASCII numbers only


# --------------------------------------------------------------------------- cell texts


def format_value(v: Value, col: str, rng: random.Random, opts: DocOptions, *, yuan: bool = False) -> str:
    """The printed form of a value; every form reads back to the same value under the spec's cell rules."""
    if v is None:
        return rng.choice(NULL_FORMS) if opts.null_forms and not opts.plain_digits else ""
    if isinstance(v, Decimal):
        if yuan and not opts.plain_digits:
            return f"{int(v * 10000)}元"
        text = f"{v:.4f}" if opts.plain_digits or rng.random() < 0.7 else _trim(v)
    else:
        text = str(v)
        if col == "change" and v > 0 and (opts.plain_digits or rng.random() < 0.7):
            text = "+" + text
    if opts.plain_digits or not opts.cell_forms:
        return text
    r = rng.random()
    if r < 0.15:
        return text.translate(_FULL_WIDTH)
    if r < 0.3 and isinstance(v, int) and abs(v) >= 1000:
        return f"{v:,}" if not (col == "change" and v > 0) else f"+{v:,}"
    if r < 0.4:
        return rng.choice(["\u3000\u3000", " ", "\u00a0"]) + text
    if r < 0.5:
        return text + " "
    if r < 0.55 and isinstance(v, int) and col not in ("change",) and v >= 0:
        return text + rng.choice(["件", "条", "项"])
    return text


def _trim(v: Decimal) -> str:
    s = f"{v:.4f}".rstrip("0").rstrip(".")
    return s or "0"


def spaced(text: str, rng: random.Random) -> str:
    """A label with a space inserted, as PDF/Word extraction leaves them (`本年新 制作数量`)."""
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text) - 1)
    return text[:i] + " " + text[i:]


# --------------------------------------------------------------------------- tables


@cache
def _labels() -> dict[str, dict[str, str]]:
    """Printed labels by code, from the extractor's templates (looked up once: rendering is hot)."""
    tpl = templates()
    return {
        "disc_rows": {lab.code: lab.label for lab in tpl.disc_rows.labels},
        "app_rows": {lab.code: lab.label for lab in tpl.app_rows.labels},
        "app_cols": {lab.code: lab.label for lab in tpl.app_columns.labels},
        "rl_blocks": {lab.code: lab.label for lab in tpl.rl_blocks.labels},
        **{f"disc_cols_{fmt}": {lab.code: lab.label for lab in idx.labels} for fmt, idx in tpl.disc_columns.items()},
    }


def disclosure_grid(truth: ReportTruth, rng: random.Random, opts: DocOptions) -> Grid:
    """Section 二: caption rows, a 信息内容 header per block, then data rows; 5 grid columns."""
    labels = _labels()
    g = Grid("disclosure", 5)
    col_labels = labels[f"disc_cols_{truth.template}"]
    row_labels = labels["disc_rows"]
    beijing = truth.variant == "beijing"
    yuan = not beijing and truth.template == "F2019" and opts.cell_forms and rng.random() < 0.3
    for blk in disclosure_blocks(truth.template, truth.variant):
        caption = blk.caption if rng.random() < 0.7 else blk.caption.replace("（", "(").replace("）", ")")
        g.add_row(None, [(0, caption, {"colspan": 5, "kind": "caption"})])
        headers = []
        for col in blk.cols:
            label = col_labels[col]
            if col == "amount_10k_yuan":
                label = ("本年收费金额（单位：万元）" if truth.template == "F2021" else
                         "采购总金额（万元，保留四位小数）" if beijing else "采购总金额")
            if opts.split_labels and rng.random() < 0.3:
                label = spaced(label, rng)
            headers.append(label)
        hdr: list[tuple[int, str, dict]] = [(0, "信息内容", {"colspan": 2, "kind": "header"})]
        if len(blk.cols) == 1:
            hdr.append((2, headers[0], {"colspan": 3, "kind": "header"}))
        else:
            hdr += [(2 + i, h, {"kind": "header"}) for i, h in enumerate(headers)]
            hdr += [(2 + i, "", {"kind": "header"}) for i in range(len(headers), 3)]
        g.add_row(None, hdr)
        for row in blk.rows:
            vals = truth.cells["disclosure"][row]
            cells: list[tuple[int, str, dict]] = []
            if row == "inspection":
                cells.append((0, row_labels["other_services"], {"rowspan": 2}))
                cells.append((1, row_labels[row], {}))
            elif row == "confirmation":
                cells.append((1, row_labels[row], {}))
            else:
                label = row_labels[row]
                if row == "normative_documents" and truth.template == "F2021":
                    label = "行政规范性文件"
                cells.append((0, label, {"colspan": 2}))
            texts = [format_value(vals[c], c, rng, opts, yuan=yuan and c == "amount_10k_yuan") for c in blk.cols]
            refs = [("disclosure", row, c) for c in blk.cols]
            if len(blk.cols) == 1:
                cells.append((2, texts[0], {"colspan": 3, "ref": refs[0], "kind": "value"}))
            else:
                cells += [(2 + i, t, {"ref": refs[i], "kind": "value"}) for i, t in enumerate(texts)]
                cells += [(2 + i, "", {"kind": "value"}) for i in range(len(texts), 3)]
            g.add_row(row, cells)
    assert all(r in truth.cells["disclosure"] for r in BEIJING_SUBROWS) or not beijing
    return g


def applications_grid(truth: ReportTruth, rng: random.Random, opts: DocOptions) -> Grid:
    """Section 三: three header rows (note, 申请人情况, the applicant columns) and the data rows."""
    labels = _labels()
    sub = truth.subtotal_column
    nvals = 8 if sub else 7
    g = Grid("applications", 3 + nvals)
    col_label = labels["app_cols"]
    note = APP_NOTE if rng.random() < 0.8 else APP_NOTE.replace("（", "(").replace("）", ")")
    g.add_row(None, [(0, note, {"rowspan": 3, "colspan": 3, "kind": "note"}),
                     (3, "申请人情况", {"colspan": nvals, "kind": "header"})])
    g.add_row(None, [(3, col_label["natural_person"], {"rowspan": 2, "kind": "header"}),
                     (4, "法人或其他组织", {"colspan": nvals - 2, "kind": "header"}),
                     (3 + nvals - 1, col_label["total"], {"rowspan": 2, "kind": "header"})])
    orgs = [(4 + i, col_label[c], {"kind": "header"}) for i, c in enumerate(ORG_APPLICANTS)]
    if sub:
        orgs.append((9, rng.choice(["小计", "法人或其他组织小计"]), {"kind": "header"}))
    g.add_row(None, orgs)
    rows = application_rows(truth.template, truth.variant)
    app = truth.cells["applications"]
    groups_started: set[str] = set()
    for idx, row in enumerate(rows):
        label = labels["app_rows"][row]
        if row == "unable_not_held" and rng.random() < 0.2:
            label = "1.本机关不掌握相关信息"
        if opts.split_labels and rng.random() < 0.15:
            label = label.replace("（", "(").replace("）", ") ", 1)
        cells: list[tuple[int, str, dict]] = []
        prefix = next((p for p in APP_GROUPS if row.startswith(p)), None)
        if row in ("new_received", "carried_over", "carried_forward"):
            cells.append((0, label, {"colspan": 3}))
        else:
            if row == "granted":
                span = sum(1 for r in rows if r not in ("new_received", "carried_over", "carried_forward"))
                cells.append((0, APP_RESULTS_GROUP, {"rowspan": span}))
            if prefix is None:
                cells.append((1, label, {"colspan": 2}))
            else:
                if prefix not in groups_started:
                    groups_started.add(prefix)
                    span = sum(1 for r in rows if r.startswith(prefix))
                    cells.append((1, APP_GROUPS[prefix], {"rowspan": span}))
                cells.append((2, label, {}))
        vals = app[row]
        ordered: list[tuple[str, Value]] = [(c, vals[c]) for c in APPLICANTS]
        if sub:
            parts = [vals[c] for c in ORG_APPLICANTS]
            subtotal = sum(int(p) for p in parts if p is not None) if any(p is not None for p in parts) else None
            ordered.append(("subtotal_org", subtotal))
        ordered.append(("total", vals["total"]))
        for i, (c, v) in enumerate(ordered):
            cells.append((3 + i, format_value(v, c, rng, opts), {"ref": ("applications", row, c), "kind": "value"}))
        g.add_row(row, cells)
        del idx
    assert len(APP_COLS) == 7
    return g


def review_grid(truth: ReportTruth, rng: random.Random, opts: DocOptions) -> Grid:
    """Section 四: 行政复议 | 行政诉讼 over three blocks of five result columns, and one data row."""
    tpl = templates()
    stray = opts.stray_cell
    g = Grid("review_litigation", 16 if stray else 15)
    results = [(lab.code, lab.label) for lab in tpl.rl_results.labels]

    def res_label(text: str) -> str:
        if opts.split_labels and rng.random() < 0.5:
            return " ".join(text) if rng.random() < 0.5 else spaced(text, rng)
        return text

    top = [(0, tpl.rl_blocks["review"].label, {"colspan": 5, "kind": "header"}),
           (5, RL_LITIGATION, {"colspan": 10, "kind": "header"})]
    if stray:
        top.append((15, "", {"kind": "header"}))
    g.add_row(None, top)
    second = [(i, res_label(label), {"rowspan": 2, "kind": "header", "header_code": code})
              for i, (code, label) in enumerate(results)]
    second += [(5, tpl.rl_blocks["litigation_direct"].label, {"colspan": 5, "kind": "header"}),
               (10, tpl.rl_blocks["litigation_after_review"].label, {"colspan": 5, "kind": "header"})]
    if stray:
        second.append((15, "", {"kind": "header"}))
    g.add_row(None, second)
    third = [(5 + 5 * b + i, res_label(label), {"kind": "header", "header_code": code})
             for b in range(2) for i, (code, label) in enumerate(results)]
    if stray:
        third.append((15, "", {"kind": "header"}))
    g.add_row(None, third)
    data: list[tuple[int, str, dict]] = []
    for b, blk in enumerate(RL_BLOCKS):
        for i, code in enumerate(RL_RESULTS):
            v = truth.cells["review_litigation"][blk][code]
            data.append((5 * b + i, format_value(v, code, rng, opts),
                         {"ref": ("review_litigation", blk, code), "kind": "value"}))
    if stray:
        data.append((15, "0", {"kind": "value"}))
    g.add_row("__data__", data)
    return g


# --------------------------------------------------------------------------- prose

# Table 三 totals the prose states when the truth's narrative holds them (the multi-year series does), in the
# order the sentence gives them: 上年结转, 办结 (（七）总计), 结转下年度继续办理; `{}` is the number (N余 for a
# lower bound).
TABLE_FACT_PHRASES: tuple[tuple[str, str], ...] = (
    ("carried_over", "上年结转{}件"),
    ("total_handled", "办结{}件"),
    ("carried_forward", "{}件结转下年度继续办理"),
)


def _stated(truth: ReportTruth, fact: str) -> str:
    """A fact's number as the prose prints it: N, or N余 when the truth states it as a lower bound."""
    return f"{truth.narrative[fact]}余" if fact in truth.narrative_lower_bounds else str(truth.narrative[fact])


def _heading(code: str, rng: random.Random, opts: DocOptions) -> str:
    sec = next(s for s in templates().sections if s.code == code)
    alias = rng.choice(sec.aliases) if opts.heading_variants else sec.aliases[0]
    return f"{sec.ordinal}、{alias}"


def _short_name(agency: str) -> str:
    for cut in ("人民政府", "区", "市"):
        if cut in agency and not agency.endswith(cut):
            tail = agency.rsplit(cut, 1)[1]
            if len(tail) >= 2:
                return tail
    return "本机关"


def build_document(truth: ReportTruth, rng: random.Random, opts: DocOptions | None = None) -> Document:
    """The whole report: title, the six sections with a little prose, and the three tables."""
    opts = opts or DocOptions()
    y = truth.year
    n = truth.narrative
    short = _short_name(truth.agency)
    items: list[Paragraph | Grid] = [Paragraph(f"{truth.agency}{y}年政府信息公开工作年度报告", "title")]
    if truth.variant == "beijing":
        items.append(Paragraph("依据《中华人民共和国政府信息公开条例》第五十条之规定，制作本报告。"))
    items.append(Paragraph(f"本报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。"))
    items.append(Paragraph(_heading("overview", rng, opts), "heading"))
    items.append(Paragraph("（一）主动公开情况"))
    items.append(Paragraph(f"{y}年，{short}共主动公开政府信息{n['proactive_items']}条，"
                           "持续推进重点领域信息公开，方便群众及时了解工作动态。"))
    items.append(Paragraph("（二）依申请公开情况"))
    table_facts = "".join(f"，{phrase.format(_stated(truth, fact))}"
                          for fact, phrase in TABLE_FACT_PHRASES if fact in n)
    items.append(Paragraph(f"全年共收到政府信息公开申请{n['applications_received']}件{table_facts}，均已按期答复。"
                           f"全年因政府信息公开被申请行政复议{n['review_cases']}起。"
                           f"被提起行政诉讼{n['litigation_cases']}起。"))
    items.extend(Paragraph(p) for p in truth.prose.get("overview", []))
    items.append(Paragraph("（三）政府信息管理情况"))
    items.append(Paragraph("严格落实保密审查制度，规范公文公开属性源头管理，确保信息公开规范、准确。"))
    items.append(Paragraph(_heading("disclosure", rng, opts), "heading"))
    items.append(disclosure_grid(truth, rng, opts))
    items.append(Paragraph(_heading("applications", rng, opts), "heading"))
    items.append(applications_grid(truth, rng, opts))
    items.append(Paragraph(_heading("review_litigation", rng, opts), "heading"))
    items.append(review_grid(truth, rng, opts))
    items.append(Paragraph(_heading("problems", rng, opts), "heading"))
    items.extend(Paragraph(p) for p in truth.prose.get("problems", [
        "政务公开工作仍存在公开内容不够丰富、解读形式较为单一等问题，下一步将加强业务培训。"]))
    items.append(Paragraph(_heading("other_matters", rng, opts), "heading"))
    if truth.template == "F2021":
        items.append(Paragraph("本年度未收取信息处理费。"))
    else:
        items.append(Paragraph("无其他需要报告的事项。"))
    return Document(items, truth)
