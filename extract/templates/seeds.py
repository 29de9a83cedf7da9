"""Write what is generated from the templates: the dbt seeds and docs/report-schema.md
(`python -m extract.templates.seeds`; `--check` only compares).

The code dimensions, the relation terms and the schema document are never edited by hand: the templates
are their single source, and a test fails when the committed files differ from what this writes.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from extract.templates import form, schema_doc

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "dbt_project" / "seeds"
SCHEMA_DOC = REPO / "docs" / "report-schema.md"


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["true" if v is True else "false" if v is False else "" if v is None else v for v in row])
    return out.getvalue()


def applicant_types() -> str:
    cols = form.tables()["applications"].cols.values()
    return _csv(("applicant_type", "label_zh", "name_en", "sort_order", "is_total"),
                ((c.code, c.label, c.en, i, bool(c.attrs.get("total"))) for i, c in enumerate(cols, 1)))


def outcomes() -> str:
    rows = [r for r in form.tables()["applications"].rows.values() if r.attrs.get("item")]
    return _csv(("outcome_code", "label_zh", "name_en", "outcome_group", "statutory_item", "sort_order"),
                ((r.code, r.body, r.en, r.attrs["group"], r.attrs["item"], i) for i, r in enumerate(rows, 1)))


def disclosure_items() -> str:
    return _csv(("item_code", "measure_code", "template", "label_zh", "name_en"),
                ((c.row, c.col, c.template, c.label, c.en) for c in form.disclosure_cells()))


def review_results() -> str:
    table = form.tables()["review_litigation"]
    return _csv(("block_code", "result_code", "block_label_zh", "result_label_zh", "name_en"),
                ((b.code, r.code, b.report_label, r.label, f"{b.en}: {r.en}")
                 for b in table.rows.values() for r in table.cols.values()))


def templates() -> str:
    specs = form.load("disclosure.yaml")["templates"]
    return _csv(("template", "notice", "first_year"), ((t, s["notice"], s["first_year"]) for t, s in specs.items()))


def tables() -> str:
    return _csv(("table_code", "label_zh"), ((t.code, t.label) for t in form.tables().values()))


def variants() -> str:
    return _csv(("variant", "name_en"), ((v["code"], v["en"]) for v in form.load("disclosure.yaml")["variants"]))


def printed_forms() -> str:
    rows, defaults = form.printed_forms()
    return _csv(("form", "row_code", "template"),
                [*((f, r, None) for r, f in rows.items()), *((f, None, t) for t, f in defaults.items())])


def relation_terms() -> str:
    header = ("check_id", "scope", "condition", "table_code", "per", "relation", "bound", "reported", "side",
              "position", "term_table", "row_code", "col_code")
    rows = []
    for s in form.relation_scopes():
        head = (s.check_id, s.scope, s.condition, s.table, s.per, s.relation, s.bound, s.reported)
        for side, terms in (("actual", s.actual), ("expected", s.expected)):
            rows += [(*head, side, i, t.table, t.row, t.col) for i, t in enumerate(terms, 1)]
    return _csv(header, rows)


def render() -> dict[Path, str]:
    """Each generated file and its content."""
    writers = {"dim_applicant_type": applicant_types, "dim_outcome": outcomes,
               "dim_disclosure_item": disclosure_items, "dim_review_result": review_results,
               "dim_template": templates, "dim_table": tables, "dim_variant": variants,
               "printed_forms": printed_forms, "relation_terms": relation_terms}
    return {**{SEEDS / f"{name}.csv": write() for name, write in writers.items()}, SCHEMA_DOC: schema_doc.render()}


def stale(files: dict[Path, str]) -> list[Path]:
    """The generated files whose committed content differs from the templates'."""
    return [p for p, text in files.items() if not p.exists() or p.read_text(encoding="utf-8") != text]


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    files = render()
    differing = stale(files)
    if "--check" in args:
        for path in differing:
            print(f"{path} differs from the templates: run python -m extract.templates.seeds", file=sys.stderr)
        return 1 if differing else 0
    for path in differing:
        path.write_text(files[path], encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
