"""docs/report-schema.md: the canonical codes and relations as a reader wants them, rendered from the
templates (written with the seeds by `python -m extract.templates.seeds`, checked by a test)."""

from __future__ import annotations

from typing import Any

from extract.templates import form

_HEAD = """# Canonical codes for a 政府信息公开工作年度报告

Generated from `extract/templates/*.yaml` by `python -m extract.templates.seeds`: edit the templates, not
this file. Every parsed report is described with these codes, whatever its layout or source form: they are
the contract between the extractor, the warehouse, the consistency checks and every test
(`nianbao parse --json` and the warehouse's `table_code` / `row_code` / `col_code` use exactly these strings).

Two national formats exist (国务院办公厅政府信息与政务公开办公室):
"""
_VALUES = """## Cell values

- A number printed in the cell is its value (full-width digits, thousands separators and a leading
  `+` are normal; amounts keep four decimals, in 万元: a cell written in 元 is converted and keeps its raw text).
- A cell that is blank, `/`, `—`, `-`, `无` or `不适用` has value `null` ("not reported"); its raw text is
  kept. Blank is never read as 0.
- Every value keeps where it came from: the raw text and its position (line, or page and cell) in the source.
"""
_RELATIONS = """## Consistency relations

Declared in `extract/templates/relations.yaml`; `marts.fct_relation_sides` computes both sides per report and
scope, and the checks assert on them. A relation that involves a `null` cell is not assessable (neither pass
nor fail) and is reported as such. `T3_BALANCE` is the statutory one, printed in the section-三 header; the
other statutory ones hold by construction of the tables.
"""


def _codes(codes: list[str]) -> str:
    return ", ".join(f"`{c}`" for c in codes)


def _formats() -> list[str]:
    specs = form.load("disclosure.yaml")["templates"]
    return [f"- `{t}` — {s['notice']}, used from the {s['first_year']} report on." for t, s in specs.items()]


def _disclosure() -> list[str]:
    table = form.tables()["disclosure"]
    cells = form.disclosure_cells()
    formats = list(form.load("disclosure.yaml")["templates"])
    out = [f"## table `disclosure` — {table.label}", "", "| row_code | label | "
           + " | ".join(f"{f} col_codes" for f in formats) + " |", "|---|---|" + "---|" * len(formats)]
    for code, row in table.rows.items():
        printed = [f"{f}: {row.attrs['printed'][f]['label']}" for f in row.attrs.get("printed", {})]
        notes = [*printed, *(f"variant {row.attrs['variant']}" for _ in [0] if row.attrs.get("variant"))]
        label = row.label + (f" ({'; '.join(notes)})" if notes else "")
        by_format = []
        for fmt in formats:
            mine = [c for c in cells if c.row == code and c.template == fmt]
            by_format.append(f"{_codes([c.col for c in mine])} ({' / '.join(c.label.split('：')[1] for c in mine)})"
                             if mine else "—")
        out.append(f"| `{code}` | {label} | " + " | ".join(by_format) + " |")
    signed = sorted({c.col for c in cells if c.signed})
    return [*out, "", f"{_codes(signed)} is signed (`+35`, `-38`). Amount columns are decimals in 万元.", ""]


def _applications() -> list[str]:
    table = form.tables()["applications"]
    forms, _ = form.printed_forms()
    cols = " · ".join(f"`{c}` {col.label}" for c, col in table.cols.items())
    out = [f"## table `applications` — {table.label}", "", "Columns (`col_code`), in printed order:", cols, "",
           "Rows (`row_code`), in printed order; group labels without numbers ("
           + "、".join(form.load("applications.yaml")["groups"]) + ") have no row code.",
           "`item` is the statutory item of an outcome row; `form` the way of printing （六）其他处理 a row is in.",
           "", "| row_code | label | item | form | report wording |", "|---|---|---|---|---|"]
    for code, row in table.rows.items():
        out.append(f"| `{code}` | {row.label} | {row.attrs.get('item', '')} | {forms.get(code, '')} | "
                   f"{row.report_label} |")
    return [*out, ""]


def _review() -> list[str]:
    table = form.tables()["review_litigation"]
    results = " · ".join(f"`{c}` {col.label}" for c, col in table.cols.items())
    out = [f"## table `review_litigation` — {table.label}", "",
           "One data row of 15 cells. `row_code` is the block, `col_code` the result:", "",
           "| row_code | block | col_codes, in printed order |", "|---|---|---|"]
    out += [f"| `{c}` | {row.report_label} | {results} |" for c, row in table.rows.items()]
    return [*out, ""]


def _side(spec: dict[str, Any] | None, rel: dict[str, Any]) -> str:
    if spec is None:
        return f"{rel['bound']:g}"
    if "fact" in spec:
        return f"{spec['label']} (`{spec['fact']}`)"
    if "cell" in spec:
        return f"`{spec['cell']}`"
    codes = spec.get("rows", spec.get("cols"))
    if codes == "outcomes":
        return "Σ outcome rows (those with an item; （六） as the report prints it)"
    if codes == "parts":
        return "Σ every column but the total"
    return " + ".join(f"`{c}`" for c in codes)


def _relations() -> list[str]:
    out = [_RELATIONS, "| id | severity | relation | for | when |", "|---|---|---|---|---|"]
    for rel in form.load("relations.yaml")["relations"]:
        where = rel.get("scope") or f"each {rel['per']}" + (f" of {_codes(rel['rows'])}" if "rows" in rel else "")
        when = rel.get("when", "")
        actual = _side(rel["actual"], rel) if "actual" in rel else "the cell's value"
        relation = f"{actual} {rel.get('relation', '=')} {_side(rel.get('expected'), rel)}"
        severity = form.checks()[rel["check"]].severity
        out.append(f"| `{rel['check']}` | {severity} | {relation} | {where} | {when} |")
    return out


def render() -> str:
    """The whole document."""
    lines = [_HEAD.rstrip("\n"), *_formats(), "", *_disclosure(), *_applications(), *_review(), _VALUES,
             *_relations()]
    return "\n".join(lines) + "\n"
