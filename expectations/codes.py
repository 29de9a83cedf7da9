"""The form's codes and labels as the checks and the data-quality report print them, loaded from the
templates (extract/templates/): nothing is declared here, so a label changed there is changed everywhere.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape

from extract.templates import form

TEMPLATES = Path(__file__).parent / "templates"

# How results, scopes, severities and unknown regions are worded (the detail sentences: str.format templates).
WORDING: dict[str, dict[str, Any]] = yaml.safe_load(Path(__file__).with_name("wording.yaml").read_text("utf-8"))
# The checks beyond one report's tables (the suite `agencies`): how the pages name them, the relations they use.
_AGENCY = yaml.safe_load(Path(__file__).with_name("agency_checks.yaml").read_text("utf-8"))["checks"]
AGENCY_CHECKS: dict[str, form.Check] = {e["check"]: form.Check(e["label"], e["severity"], e["rule"], e["actual_label"],
                                                                 e["expected_label"]) for e in _AGENCY}

TABLES = form.tables()
TABLE_LABELS: dict[str, str] = {code: t.label for code, t in TABLES.items()}
CHECKS: dict[str, form.Check] = {**form.checks(), **AGENCY_CHECKS}
# The relations each check's rows use (`=`, `>=`, `<=`), in the order they are declared.
RELATIONS: dict[str, list[str]] = {e["check"]: list(e["relations"]) for e in _AGENCY}
for _scope in form.relation_scopes():
    if _scope.relation not in RELATIONS.setdefault(_scope.check_id, []):
        RELATIONS[_scope.check_id].append(_scope.relation)
ROW_LABELS: dict[str, dict[str, str]] = {t: {c: r.report_label for c, r in TABLES[t].rows.items()} for t in TABLES}
COL_LABELS: dict[str, dict[str, str]] = {t: {c: r.report_label for c, r in TABLES[t].cols.items()} for t in TABLES}


def cell_label(table: str, row: str, col: str) -> str:
    """Printed labels of one cell, e.g. 表三 · （七）总计 · 自然人."""
    if table not in TABLES:
        return f"{table} · {row} · {col}"
    return f"{TABLE_LABELS[table][:2]} · {ROW_LABELS[table].get(row, row)} · {COL_LABELS[table].get(col, col)}"


def scope_label(check_id: str, scope: str) -> str:
    """The scope of a result in the words of the form (column, row, block or cell)."""
    parts = scope.split(".")
    if len(parts) == 3:
        return cell_label(*parts)
    if check_id == "NON_NEGATIVE" and scope in TABLE_LABELS:
        return TABLE_LABELS[scope]
    if len(parts) == 2:  # table.row
        table, row = parts
        return f"{TABLE_LABELS.get(table, table)[:2]} · {ROW_LABELS.get(table, ROW_LABELS['disclosure']).get(row, row)}"
    if check_id in WORDING["scopes"]:
        table, axis, wording = WORDING["scopes"][check_id]
        return wording.format((COL_LABELS if axis == "col" else ROW_LABELS)[table].get(scope, scope))
    return WORDING["scope_names"].get(scope, scope)


def format_number(value: float | None) -> str:
    """A value as printed: thousands separators, no decimals for whole numbers, '—' for null."""
    if value is None or value != value:  # None or NaN
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{float(value):,.4f}".rstrip("0").rstrip(".")


def environment() -> Environment:
    """The pages' Jinja environment: templates/ autoescaped (agency and file names are untrusted text), `num`
    printing a number as the form does."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    env.filters["num"] = format_number
    return env


@contextmanager
def publishing(out_dir: Path, names: Iterable[str]) -> Iterator[Path]:
    """A staging folder inside `out_dir` to build pages into; when the build succeeds, its entries `names` are
    moved into `out_dir` one at a time (a file by rename, a folder by rename after moving the old one aside),
    leaving anything else in `out_dir` alone. Readers never see a half-built page."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=out_dir))
    try:
        yield staging
        for name in names:
            built, target = staging / name, out_dir / name
            if built.is_dir() and target.exists():
                target.rename(staging / f"{name}.old")  # aside, removed with the staging folder
            if built.exists():
                built.replace(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
