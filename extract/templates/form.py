"""The form's codes, labels and relations as the rest of the project reads them, from the YAML beside this
module: the dbt seeds, the checks' report wording, the synthetic generator and docs/report-schema.md all
come from here, so a label or a relation is changed in one file.

The matcher reads the same files through `extract.template` (label matching); this module adds what the
warehouse needs: English meanings, statutory items, the report's wording and the relations expanded to
their scopes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from extract import template

SEP = "__"  # a cell's name in the checks: <row>__<col>
ALWAYS = "always"  # the condition every report meets
_LEADING_ENUMERATOR = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)")
_AMOUNT_UNIT = "（万元）"


def load(name: str) -> dict[str, Any]:
    """One template file (from the folder the matcher reads too)."""
    with (template.TEMPLATE_DIR / name).open(encoding="utf-8") as f:
        return yaml.safe_load(f)


@dataclass(frozen=True)
class Code:
    """A row or column of a table: its code, printed label, the report's wording and the English meaning."""

    code: str
    label: str
    report_label: str
    en: str
    attrs: dict[str, Any]

    @property
    def body(self) -> str:
        """The printed label without its enumerator (`1.属于国家秘密` → `属于国家秘密`)."""
        return _LEADING_ENUMERATOR.sub("", self.label)


def _code(item: dict[str, Any], report_label: str | None = None) -> Code:
    return Code(item["code"], item["label"], item.get("short") or report_label or item["label"], item.get("en", ""),
                item)


def _row_label(item: dict[str, Any]) -> str:
    """Table 三's report wording: the statutory item before the label's body (（三）1.属于国家秘密)."""
    number = item.get("item", "")
    if number and number[-1].isdigit():
        return f"{number}.{_LEADING_ENUMERATOR.sub('', item['label'])}"
    return item["label"]


def _grouped(item: dict[str, Any]) -> str:
    return f"{item['group']}·{item['label']}" if item.get("group") else item["label"]


def _measure(item: dict[str, Any]) -> str:
    return item["label"] + (_AMOUNT_UNIT if item.get("amount") else "")


@dataclass(frozen=True)
class Table:
    """One report table: its caption in the report and its rows and columns in printed order."""

    code: str
    label: str
    rows: dict[str, Code]
    cols: dict[str, Code]

    def parts(self) -> list[str]:
        """The columns summed by the total column."""
        return [c for c, col in self.cols.items() if not col.attrs.get("total")]


@cache
def tables() -> dict[str, Table]:
    """Tables 二, 三 and 四 by section code."""
    ordinals = {s["code"]: f"表{s['ordinal']} {s['aliases'][0]}" for s in load("sections.yaml")["sections"]}
    app, rl, disc = load("applications.yaml"), load("review_litigation.yaml"), load("disclosure.yaml")
    measures: dict[str, Code] = {}
    for fmt in disc["templates"].values():
        for col in fmt["columns"]:
            measures.setdefault(col["code"], _code(col, _measure(col)))
    return {
        "disclosure": Table("disclosure", ordinals["disclosure"], {r["code"]: _code(r) for r in disc["rows"]},
                            measures),
        "applications": Table("applications", ordinals["applications"],
                              {r["code"]: _code(r, _row_label(r)) for r in app["rows"]},
                              {c["code"]: _code(c) for c in app["columns"]}),
        "review_litigation": Table("review_litigation", ordinals["review_litigation"],
                                   {b["code"]: _code(b, _grouped(b)) for b in rl["blocks"]},
                                   {r["code"]: _code(r) for r in rl["results"]}),
    }


@dataclass(frozen=True)
class DisclosureCell:
    """One section-二 cell of a template: printed as `row：measure`."""

    template: str
    row: str
    col: str
    label: str
    en: str
    signed: bool


@cache
def disclosure_cells() -> list[DisclosureCell]:
    """Every section-二 cell of each template, in printed order (a template's block columns per row)."""
    disc = load("disclosure.yaml")
    out = []
    for fmt, spec in disc["templates"].items():
        cols = {c["code"]: c for c in spec["columns"]}
        for row in disc["rows"]:
            if fmt not in row.get("formats", [fmt]):
                continue
            printed = {**row, **row.get("printed", {}).get(fmt, {})}
            for code in disc["block_columns"][fmt].get(row["caption"], []):
                col = cols[code]
                out.append(DisclosureCell(fmt, row["code"], code, f"{printed['label']}：{_measure(col)}",
                                          f"{printed['en']}: {col['en']}", bool(col.get("signed"))))
    return out


def template_of_year(year: int) -> str:
    """The format a report of `year` is printed in: the latest whose `first_year` it reaches (the first
    format for an earlier year)."""
    first_years = _first_years()
    reached = [t for t, first in first_years if first <= year]
    return reached[-1] if reached else first_years[0][0]


@cache
def _first_years() -> tuple[tuple[str, int], ...]:
    """Each format with its first year, in declared order: read once, as every parsed report asks."""
    return tuple((t, s["first_year"]) for t, s in load("disclosure.yaml")["templates"].items())


def printed_forms() -> tuple[dict[str, str], dict[str, str]]:
    """How （六）其他处理 is printed: form of each row that belongs to one, and the default form per template."""
    app = load("applications.yaml")
    rows = {r["code"]: r["printed_form"] for r in app["rows"] if r.get("printed_form")}
    return rows, dict(app["default_printed_form"])


@dataclass(frozen=True)
class Term:
    """One component of a relation's side: a cell (table, row, col) or a narrative fact."""

    table: str
    row: str
    col: str
    name: str  # the component's name in the results' sentences (`new_received__total`, `stated`)
    label: str = ""  # its own wording when it is not a cell of a table


@dataclass(frozen=True)
class Scope:
    """A relation at one scope under one condition: what the sides model computes per report."""

    check_id: str
    scope: str
    table: str
    per: str
    relation: str
    condition: str
    reported: bool
    actual: tuple[Term, ...]
    expected: tuple[Term, ...]
    bound: float | None


@dataclass(frozen=True)
class Check:
    """How a check reads in the report: its name, severity and the wording of its two sides."""

    label: str
    severity: str  # error (statutory / by construction), warning (plausibility), info
    rule: str
    actual_label: str
    expected_label: str


@cache
def checks() -> dict[str, Check]:
    """The checks of relations.yaml by id, in declaration order."""
    out: dict[str, Check] = {}
    for rel in load("relations.yaml")["relations"]:
        if "label" in rel:
            out[rel["check"]] = Check(rel["label"], rel["severity"], rel["rule"], rel["actual_label"],
                                      rel["expected_label"])
    return out


def _cell(table: str, row: str, col: str) -> Term:
    return Term(table, row, col, f"{row}{SEP}{col}")


def _codes(spec: str | list[str], all_codes: dict[str, Code], table: Table) -> list[str]:
    if spec == "parts":
        return table.parts()
    if spec == "outcomes":
        return [c for c, row in all_codes.items() if row.attrs.get("item")]
    return list(spec)


def _side(spec: dict[str, Any] | None, table: Table, row: str, col: str) -> list[Term]:
    """The terms of one side at the scope (row, col): rows of the scope's column, columns of its row, …"""
    if spec is None:
        return []
    if "fact" in spec:
        return [Term("narrative", spec["fact"], "value", spec["name"], spec["label"])]
    if "cell" in spec:
        r, c = spec["cell"].split(".")
        return [_cell(table.code, r, c)]
    if "rows" in spec:
        return [_cell(table.code, r, col) for r in _codes(spec["rows"], table.rows, table)]
    return [_cell(table.code, row, c) for c in _codes(spec["cols"], table.cols, table)]


def _cells_of(table: Table) -> list[tuple[str, str]]:
    """The cells a cell-wise relation runs over: every cell of the table; in section 二 those of some
    template, except the signed measures (本年增/减)."""
    if table.code != "disclosure":
        return [(r, c) for r in table.rows for c in table.cols]
    return list(dict.fromkeys((c.row, c.col) for c in disclosure_cells() if not c.signed))


def _positions(rel: dict[str, Any], table: Table) -> list[tuple[str, str, str]]:
    """(scope, row, col) of each place the relation is stated."""
    if "scope" in rel:
        return [(rel["scope"], "", "")]
    if rel["per"] == "column":
        return [(c, "", c) for c in rel.get("cols", table.cols)]
    if rel["per"] == "row":
        return [(r, r, "") for r in rel.get("rows", table.rows)]
    return [(f"{table.code}.{r}.{c}", r, c) for r, c in _cells_of(table)]


def _in_form(terms: list[Term], row: str, form: str, forms: dict[str, str]) -> list[Term] | None:
    """The terms printed in reports of `form`, or None when the scope's own row is not printed there."""
    if forms.get(row, form) != form:
        return None
    return [t for t in terms if forms.get(t.row, form) == form]


@cache
def relation_scopes() -> list[Scope]:
    """Every relation of relations.yaml at every scope, with the condition under which a report has it."""
    forms, _ = printed_forms()
    form_names = list(dict.fromkeys(forms.values()))
    out: list[Scope] = []
    for rel in load("relations.yaml")["relations"]:
        for table_code in rel.get("tables", [rel.get("table")]):
            table = tables()[table_code]
            reported = table_code in rel.get("reported", [])
            for scope, row, col in _positions(rel, table):
                actual = _side(rel.get("actual") or {"cell": f"{row}.{col}"}, table, row, col)
                expected = _side(rel.get("expected"), table, row, col)
                involved = {row, *(t.row for t in actual + expected)}
                variants: list[tuple[str, list[Term] | None, list[Term] | None]] = [
                    (rel.get("when", ALWAYS), actual, expected)]
                if rel.get("forms") and involved & forms.keys():
                    variants = [(f"form:{f}", _in_form(actual, row, f, forms), _in_form(expected, row, f, forms))
                                for f in form_names]
                for condition, act, exp in variants:
                    if act is None or exp is None:
                        continue
                    out.append(Scope(rel["check"], scope, table_code, rel.get("per", "scope"),
                                     rel.get("relation", "="), condition, reported, tuple(act), tuple(exp),
                                     rel.get("bound")))
    return out


def identity(check_id: str, printed_form: str | None = None) -> tuple[list[str], list[str]]:
    """The codes on each side of a relation stated per column or per row (T3_BALANCE: rows; T4_TOTAL:
    columns), for the readers that solve a table by its identities instead of restating them."""
    for s in relation_scopes():
        if s.check_id == check_id and s.condition in (ALWAYS, f"form:{printed_form}"):
            axis = "row" if s.per == "column" else "col"
            return [getattr(t, axis) for t in s.actual], [getattr(t, axis) for t in s.expected]
    raise KeyError(f"no relation {check_id} stated per column or row in form {printed_form}")
