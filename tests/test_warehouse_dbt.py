"""dbt_project: build the warehouse with dbt over known raw data and assert real values from the marts.

One warehouse is built per module from the golden fixtures (`golden_raw.py`): the marts are checked against
the golden cells, the values stated in the issue, the column contract of docs/architecture.md and the codes
of the spec. A second warehouse checks the incremental marts (a run after reports were added, reloaded and
removed equals a full rebuild, and leaves unchanged reports alone); a third is the real extractor's load of
data/inbox, built once per test session (`sample_warehouse`) and copied.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt_runner import assert_all_passed, failing_properties, manifest_json, run_dbt
from golden_raw import GoldenReport, delete_report, insert_reports, load_golden_raw, read_golden
from sample_warehouse import build_sample_warehouse

from orchestration.dbt_setup import parse_into
from orchestration.dbt_sources import is_current, sources_digest

REPO = Path(__file__).resolve().parents[1]
PROJECT = REPO / "dbt_project"
ARCHITECTURE = REPO / "docs" / "architecture.md"
SPEC = REPO / "docs" / "report-schema.md"
QUERY_DOCS = (REPO / "docs" / "queries.md", REPO / "README.md")

FACTS = ("fct_applications", "fct_outcomes", "fct_disclosure", "fct_procurement", "fct_litigation",
         "fct_relation_sides")
DIMS = ("dim_report", "dim_agency")
CODE_DIMS = ("dim_applicant_type", "dim_outcome", "dim_disclosure_item", "dim_review_result")
# Agencies over time (issue 12): names resolved, agency-years, the sides of the checks beyond one report.
AGENCY_MARTS = ("dim_agency_name", "fct_agency_years", "fct_agency_relation_sides")
AGENCY_SEEDS = ("agency_overrides",)
# Seeds written from the templates (python -m extract.templates.seeds), loaded into `marts` too.
FORM_SEEDS = ("dim_table", "dim_template", "dim_variant", "printed_forms", "relation_terms")
BALANCE_ROWS = ("new_received", "carried_over", "total_processed", "carried_forward")
STAMP = datetime(2026, 1, 1, 12, 0, 0)


# ---------------------------------------------------------------------------------------------- helpers


def query(warehouse: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Rows of one query, on a read-only connection."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def snapshot(warehouse: Path, tables: tuple[str, ...]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the given marts, sorted."""
    return {t: query(warehouse, f"select * from marts.{t} order by all") for t in tables}


def mart_cells(warehouse: Path) -> dict[tuple[str, str, str, str], Decimal | None]:
    """Every cell the fact marts hold, keyed (file_name, table_code, row_code, col_code) as in raw."""
    sql = """
        select r.file_name, 'disclosure', d.item_code, d.measure_code, d.value
        from marts.fct_disclosure d join marts.dim_report r using (report_id)
        union all
        select r.file_name, 'review_litigation', l.block_code, l.result_code, l.count
        from marts.fct_litigation l join marts.dim_report r using (report_id)
        union all
        select r.file_name, 'applications', o.outcome_code, o.applicant_type, o.count
        from marts.fct_outcomes o join marts.dim_report r using (report_id)
        union all
        select r.file_name, 'applications', u.row_code, u.applicant_type, u.value
        from (unpivot (select * exclude (is_total) from marts.fct_applications)
              on new_received, carried_over, total_processed, carried_forward
              into name row_code value value) u
        join marts.dim_report r using (report_id)
    """
    cells: dict[tuple[str, str, str, str], Decimal | None] = {}
    for file_name, table, row, col, value in query(warehouse, sql):
        key = (file_name, table, row, col)
        assert key not in cells, f"cell {key} is in more than one mart row"
        cells[key] = None if value is None else Decimal(value)
    return cells


def golden_cells(reports: list[GoldenReport]) -> dict[tuple[str, str, str, str], Decimal | None]:
    """Every golden cell, keyed like `mart_cells`."""
    return {
        (rep.file_name, table, row, col): rep.cell(table, row, col)
        for rep in reports
        for table, rows in rep.cells.items()
        for row, cols in rows.items()
        for col in cols
    }


def sql_blocks(path: Path) -> list[str]:
    """The ```sql fenced blocks of a markdown file."""
    return re.findall(r"^```sql\n(.*?)^```", path.read_text(encoding="utf-8"), flags=re.S | re.M)


def outcome_group(row_code: str) -> str:
    """The outcome group of a table-三 row code, from the spec's naming (independent of the seed)."""
    for prefix, group in (("denied_", "denied"), ("unable_", "unable_to_provide"),
                          ("rejected_", "not_processed"), ("other", "other")):
        if row_code.startswith(prefix):
            return group
    return row_code  # granted, partially_granted


@dataclass
class Built:
    """A warehouse built by dbt, and where its dbt artefacts went."""

    warehouse: Path
    workdir: Path


def build_warehouse(root: Path, load: Callable[[Path], object], args: tuple[str, ...] = ("build",)) -> Built:
    """Load raw with `load`, then `dbt build` everything; fail unless every node passes."""
    warehouse = root / "warehouse" / "nianbao.duckdb"
    load(warehouse)
    assert_all_passed(run_dbt(list(args), warehouse, root))
    return Built(warehouse, root)


# ---------------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def golden() -> list[GoldenReport]:
    """The golden truth for the five samples."""
    return read_golden()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, golden: list[GoldenReport]) -> Built:
    """A warehouse whose raw schema holds the golden reports, built by `dbt build`."""
    return build_warehouse(tmp_path_factory.mktemp("golden"),
                           lambda wh: load_golden_raw(wh, golden, loaded_at=STAMP))


def by_file(built: Built, sql: str) -> dict[str, Any]:
    """Run a query returning (file_name, value) rows; a dict file_name → value."""
    return dict(query(built.warehouse, sql))


# ---------------------------------------------------------------------------------------------- structure


def properties_under_test(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Model → property → its arguments, from the models' `column_properties` tests (one per model) and any
    other generic test (its name → its kwargs)."""
    tested: dict[str, dict[str, Any]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test":
            continue
        metadata = node.get("test_metadata", {})
        model = node["attached_node"].split(".")[-1]
        kwargs = {k: v for k, v in metadata.get("kwargs", {}).items() if k != "model"}
        if metadata.get("name") == "column_properties":
            tested.setdefault(model, {}).update(kwargs)
        else:
            tested.setdefault(model, {})[metadata.get("name", "singular")] = kwargs
    return tested


def test_build_runs_models_seeds_and_tests_on_every_mart(built: Built) -> None:
    """The module's build passed; every mart and code dimension carries tests, each fact a key test, its
    report a link to dim_report, and each code column a link to its code list."""
    tested = properties_under_test(manifest_json(built.warehouse))
    for mart in (*FACTS, *DIMS, *CODE_DIMS):
        assert mart in tested, f"{mart} has no dbt test"
    for fact in ("fct_applications", "fct_outcomes", "fct_disclosure", "fct_litigation"):
        assert tested[fact]["unique_key"][0] == "report_id", fact
    for fact in FACTS:
        assert {"columns": ["report_id"], "to": "ref('dim_report')"} in tested[fact]["relationships"], fact
    assert tested["fct_procurement"]["unique"] == ["report_id"]
    assert "report_id" in tested["fct_procurement"]["not_null"]
    assert {"columns": ["item_code", "measure_code", "template"], "to": "ref('dim_disclosure_item')"} \
        in tested["fct_disclosure"]["relationships"]
    assert {"columns": ["outcome_group"], "to": "ref('dim_outcome')"} in tested["fct_outcomes"]["relationships"]
    assert "outcome_code" in tested["dim_outcome"]["unique"]


def test_each_column_property_fails_where_it_is_broken_and_names_it(tmp_path: Path, built: Built) -> None:
    """One fault per kind of property, planted in a copy of the built marts: `dbt test` fails exactly the
    properties broken, each named by its model's test, its column(s) and the property."""
    warehouse = tmp_path / "nianbao.duckdb"
    warehouse.write_bytes(built.warehouse.read_bytes())
    with duckdb.connect(str(warehouse)) as con:
        first, second = (r for (r,) in con.execute("select report_id from marts.dim_report order by 1 limit 2")
                         .fetchall())
        con.execute("update marts.dim_report set sha256 = null where report_id = ?", [first])
        con.execute("update marts.dim_report set parse_status = 'unknown' where report_id = ?", [second])
        con.execute("insert into marts.fct_procurement select * from marts.fct_procurement limit 1")
        con.execute("insert into marts.fct_applications select * from marts.fct_applications "
                    "where applicant_type = 'total' limit 1")
        con.execute("update marts.fct_outcomes set applicant_type = 'nobody' where report_id = ? "
                    "and outcome_code = 'granted' and applicant_type = 'total'", [first])
        con.execute("update marts.fct_disclosure set measure_code = 'nothing' where rowid = "
                    "(select min(rowid) from marts.fct_disclosure)")
    broken = failing_properties(run_dbt(["test"], warehouse, tmp_path), warehouse)
    assert broken == {
        ("column_properties_dim_report", "sha256", "not_null"),
        ("column_properties_dim_report", "parse_status", "accepted_values"),
        ("column_properties_fct_procurement", "report_id", "unique"),
        ("column_properties_fct_applications", "report_id, applicant_type", "unique_key"),
        ("column_properties_fct_outcomes", "applicant_type", "relationships to dim_applicant_type"),
        ("column_properties_fct_disclosure", "item_code, measure_code, template",
         "relationships to dim_disclosure_item"),
    }


def test_models_land_in_exact_schemas(built: Built) -> None:
    """Staging and intermediate are views in `staging`/`intermediate`; marts and seeds tables in `marts`."""
    rows = query(built.warehouse, """
        select table_schema, table_type, list(table_name order by table_name)
        from information_schema.tables where table_schema in ('staging', 'intermediate', 'marts')
        group by all""")
    found = {(schema, kind): set(names) for schema, kind, names in rows}
    assert found[("staging", "VIEW")] == {
        f"stg_nianbao__{e}" for e in ("documents", "reports", "cells", "parse_issues", "narrative_facts",
                                     "agency_names", "report_sections")}
    assert found[("marts", "BASE TABLE")] == {*FACTS, *DIMS, *CODE_DIMS, *AGENCY_MARTS, *AGENCY_SEEDS,
                                              *FORM_SEEDS}
    assert all(name.startswith("int_") for name in found[("intermediate", "VIEW")])
    assert not any(schema.startswith("main_") for (schema,) in query(
        built.warehouse, "select schema_name from information_schema.schemata"))


def test_mart_columns_are_the_architecture_contract(built: Built) -> None:
    """Every mart has exactly the columns, in order, that docs/architecture.md lists."""
    section = ARCHITECTURE.read_text(encoding="utf-8").split("## `marts`")[1].split("\n## ")[0]
    contract = {m: [c.strip() for c in cols.split(",")]
                for m, cols in re.findall(r"^\| `(\w+)` \| [^|]+ \| ([^|]+) \|$", section, flags=re.M)}
    assert set(contract) == {*FACTS, *DIMS, *CODE_DIMS, *AGENCY_MARTS}
    for mart, columns in contract.items():
        actual = [c for (c,) in query(built.warehouse, """
            select column_name from information_schema.columns
            where table_schema = 'marts' and table_name = ? order by ordinal_position""", [mart])]
        assert actual == columns, mart


def test_mart_column_types(built: Built) -> None:
    """Amounts and section-二 values keep DECIMAL(18,4); counts are BIGINT; flags are BOOLEAN."""
    types = {(t, c): d for t, c, d in query(built.warehouse, """
        select table_name, column_name, data_type from information_schema.columns
        where table_schema = 'marts'""")}
    assert types[("fct_procurement", "amount_10k_yuan")] == "DECIMAL(18,4)"
    assert types[("fct_disclosure", "value")] == "DECIMAL(18,4)"
    assert types[("fct_procurement", "projects")] == "BIGINT"
    for table, column in (("fct_outcomes", "count"), ("fct_litigation", "count"),
                          *(("fct_applications", row) for row in BALANCE_ROWS)):
        assert types[(table, column)] == "BIGINT", (table, column)
    assert types[("fct_applications", "is_total")] == "BOOLEAN"
    assert types[("dim_applicant_type", "is_total")] == "BOOLEAN"


# ---------------------------------------------------------------------------------------------- values


def test_new_received_over_the_five_samples(built: Built) -> None:
    """Applications newly received (总计 column): 3+3+6+0+3 = 15."""
    per_file = by_file(built, """
        select r.file_name, a.new_received from marts.fct_applications a
        join marts.dim_report r using (report_id) where a.is_total""")
    assert [per_file[f] for f in sorted(per_file)] == [3, 3, 6, 0, 3]
    assert query(built.warehouse, "select sum(new_received) from marts.fct_applications where is_total") \
        == [(15,)]


def test_total_processed_is_kept_as_printed(built: Built, golden: list[GoldenReport]) -> None:
    """Sample 002 prints （七）总计 = 12 although its outcomes sum to 6: the mart keeps the printed 12."""
    rows = query(built.warehouse, """
        select a.applicant_type, a.total_processed, a.new_received + a.carried_over
        from marts.fct_applications a join marts.dim_report r using (report_id)
        where r.file_name like '002_%' and a.applicant_type in ('total', 'natural_person')
        order by a.applicant_type""")
    assert rows == [("natural_person", 10, 5), ("total", 12, 6)]
    outcomes = query(built.warehouse, """
        select sum(o.count) from marts.fct_outcomes o join marts.dim_report r using (report_id)
        where r.file_name like '002_%' and o.applicant_type = 'total'""")
    assert outcomes == [(6,)]
    g002 = next(g for g in golden if g.file_name.startswith("002_"))
    assert g002.cell("applications", "total_processed", "total") == 12


def test_litigation_pending_at_xiluoyuan(built: Built) -> None:
    """丰台区西罗园街道: one direct lawsuit (未经复议直接起诉) still pending, total 1; the others zero."""
    rows = query(built.warehouse, """
        select l.block_code, l.result_code, l.count
        from marts.fct_litigation l
        join marts.dim_report r using (report_id)
        join marts.dim_agency a on a.agency_name = r.agency
        where a.short_name = '丰台区西罗园街道' and l.count <> 0
        order by all""")
    assert rows == [("litigation_direct", "pending", 1), ("litigation_direct", "total", 1)]


def test_inspection_row_at_donghu(built: Built) -> None:
    """东湖街道's 行政检查 row (Beijing variant) prints 56 / -38 / 18; the signed change stays negative."""
    rows = query(built.warehouse, """
        select d.template, d.measure_code, d.value, d.raw_text
        from marts.fct_disclosure d join marts.dim_report r using (report_id)
        where r.agency like '%东湖街道%' and d.item_code = 'inspection'""")
    values = {measure: value for _, measure, value, _ in rows}
    assert values == {"prior_items": Decimal(56), "change": Decimal(-38), "decisions": Decimal(18)}
    assert {template for template, *_ in rows} == {"F2019"}


def test_procurement_amounts(built: Built, golden: list[GoldenReport]) -> None:
    """Procurement of the five F2019 samples, in 万元 with four decimals: 31.1807 … 1167.3159."""
    rows = query(built.warehouse, """
        select r.file_name, p.projects, p.amount_10k_yuan
        from marts.fct_procurement p join marts.dim_report r using (report_id) order by r.file_name""")
    assert [str(amount) for _, _, amount in rows] == ["31.1807", "166.3700", "41174.3900", "0.0000", "1167.3159"]
    expected = {g.file_name: g.cell("disclosure", "procurement", "projects") for g in golden}
    assert {f: Decimal(p) for f, p, _ in rows} == expected


def test_every_golden_cell_is_in_exactly_one_mart_row_with_its_value(
    built: Built, golden: list[GoldenReport]
) -> None:
    """The fact marts together hold every raw cell once, with its value; a null stays null (never 0)."""
    actual = mart_cells(built.warehouse)
    expected = golden_cells(golden)
    assert actual.keys() == expected.keys()
    assert {k: v for k, v in actual.items() if v != expected[k]} == {}
    nulls = sorted(k for k, v in actual.items() if v is None)
    assert nulls == sorted(k for k, v in expected.items() if v is None)
    # sample 000: 行政复议 printed blank (5 cells) and two sub-rows with a missing cell
    assert len(nulls) == 7
    assert {k[0] for k in nulls} == {"000_4ff96be9de752299.txt"}
    assert ("000_4ff96be9de752299.txt", "review_litigation", "review", "total") in nulls


def test_outcome_groups_sum_the_golden_rows(built: Built, golden: list[GoldenReport]) -> None:
    """fct_outcomes' groups (from the seed) add up like the spec's row-code families in the golden data."""
    actual = {(f, g): n for f, g, n in query(built.warehouse, """
        select r.file_name, o.outcome_group, sum(o.count)
        from marts.fct_outcomes o join marts.dim_report r using (report_id)
        where o.applicant_type = 'total' group by all""")}
    expected: dict[tuple[str, str], Decimal] = {}
    for g in golden:
        for row in g.cells["applications"]:
            if row not in BALANCE_ROWS:
                key = (g.file_name, outcome_group(row))
                expected[key] = expected.get(key, Decimal(0)) + (g.cell("applications", row, "total") or 0)
    assert actual == expected
    assert actual[("002_7faab7bffb2fd78f.txt", "unable_to_provide")] == 3


def test_dim_report(built: Built, golden: list[GoldenReport]) -> None:
    """One row per report with its metadata, parse status and count of parse issues."""
    rows = query(built.warehouse, """
        select report_id, file_name, sha256, agency, year, template, variant, parse_status,
               parse_issue_count, tables_found
        from marts.dim_report order by file_name""")
    expected = [
        (g.report_id, g.file_name, g.sha256, g.agency, g.year, g.template, g.variant, "parsed",
         sum(1 for c in g.confidence.values() if c != "exact"), "disclosure,applications,review_litigation")
        for g in sorted(golden, key=lambda g: g.file_name)
    ]
    assert rows == expected
    assert rows[0][8] == 1  # 000's section 二 is an inferred reading


def test_dim_agency(built: Built) -> None:
    """One row per agency name, with a short name, report count and years."""
    rows = query(built.warehouse, """
        select agency_name, short_name, report_count, first_year, last_year, length(agency_id)
        from marts.dim_agency order by agency_name""")
    assert sorted(rows) == sorted([
        ("小关街道", "小关街道", 1, 2019, 2019, 16),
        ("北京市朝阳区人民政府东湖街道办事处", "朝阳区东湖街道", 1, 2020, 2020, 16),
        ("金盏地区", "金盏地区", 1, 2019, 2019, 16),
        ("关林街道", "关林街道", 1, 2020, 2020, 16),
        ("北京市丰台区人民政府西罗园街道办事处", "丰台区西罗园街道", 1, 2019, 2019, 16),
    ])


# ---------------------------------------------------------------------------------------------- codes


def _spec_codes() -> dict[str, set[Any]]:
    """The canonical codes, read from the spec's tables."""
    text = SPEC.read_text(encoding="utf-8")
    disclosure = text.split("## table `disclosure`")[1].split("## table")[0]
    applications = text.split("## table `applications`")[1].split("## table")[0]
    review = text.split("## table `review_litigation`")[1].split("## ")[0]
    items: set[tuple[str, str, str]] = set()
    previous = {"F2019": [], "F2021": []}
    for row, f2019, f2021 in re.findall(r"^\| `(\w+)` \| [^|]+ \| ([^|]+) \| ([^|]+) \|$", disclosure, re.M):
        for template, cell in (("F2019", f2019), ("F2021", f2021)):
            measures = previous[template] if "same as above" in cell else re.findall(r"`(\w+)`", cell)
            previous[template] = measures
            items |= {(row, m, template) for m in measures}
    columns = applications.split("Columns (`col_code`)")[1].split("\n\n")[0]
    rows = re.findall(r"^\| `(\w+)` \|", applications, re.M)
    blocks = re.findall(r"^\| `(\w+)` \|", review, re.M)
    results = re.findall(r"`(\w+)` ", review.split("| `review` |")[1].split("\n")[0])
    return {
        "applicant_type": set(re.findall(r"`(\w+)` ", columns)),
        "outcome": set(rows) - set(BALANCE_ROWS),
        "balance": set(rows) & set(BALANCE_ROWS),
        "disclosure_item": items,
        "review_result": {(b, r) for b in blocks for r in results},
    }


def test_code_dimensions_hold_every_code_of_the_spec(built: Built) -> None:
    """The seeds have exactly the spec's codes, each with a Chinese label and an English name."""
    spec = _spec_codes()
    assert len(spec["outcome"]) == 22 and len(spec["balance"]) == 4
    wh = built.warehouse
    assert {c for (c,) in query(wh, "select applicant_type from marts.dim_applicant_type")} \
        == spec["applicant_type"]
    assert {c for (c,) in query(wh, "select outcome_code from marts.dim_outcome")} == spec["outcome"]
    assert set(query(wh, "select item_code, measure_code, template from marts.dim_disclosure_item")) \
        == spec["disclosure_item"]
    assert set(query(wh, "select block_code, result_code from marts.dim_review_result")) \
        == spec["review_result"]
    labels = {"dim_applicant_type": ("label_zh", "name_en"), "dim_outcome": ("label_zh", "name_en"),
              "dim_disclosure_item": ("label_zh", "name_en"),
              "dim_review_result": ("block_label_zh", "result_label_zh", "name_en")}
    for dim, columns in labels.items():
        blank = " or ".join(f"coalesce(trim({c}), '') = ''" for c in columns)
        assert query(wh, f"select count(*) from marts.{dim} where {blank}") == [(0,)], dim
    groups = dict(query(wh, "select outcome_code, outcome_group from marts.dim_outcome"))
    assert groups == {code: outcome_group(code) for code in spec["outcome"]}
    assert query(wh, "select statutory_item from marts.dim_outcome where outcome_code = 'denied_state_secret'") \
        == [("（三）1",)]
    assert query(wh, "select applicant_type from marts.dim_applicant_type where is_total") == [("total",)]


# ---------------------------------------------------------------------------------------------- docs


QUERY_CASES = [
    pytest.param(path, i, sql, id=f"{path.name}#{i + 1}")
    for path in QUERY_DOCS if path.exists()
    for i, sql in enumerate(sql_blocks(path))
]


def test_query_docs_have_sql() -> None:
    """docs/queries.md holds at least four example questions in ```sql blocks."""
    assert len(sql_blocks(QUERY_DOCS[0])) >= 4


@pytest.fixture(scope="module")
def with_dq(built: Built) -> Built:
    """The built warehouse with the data-quality results (dq.check_results) written by expectations/."""
    from expectations.checks import run_checks

    run_checks(built.warehouse)
    return built


@pytest.mark.parametrize(("path", "index", "sql"), QUERY_CASES)
def test_documented_query_returns_rows(
    built: Built, request: pytest.FixtureRequest, path: Path, index: int, sql: str
) -> None:
    """Every ```sql block of docs/queries.md and README.md runs on the built warehouse and returns rows
    (a query of the dq schema first runs the GX suites of expectations/)."""
    if re.search(r"\bdq\.", sql):
        request.getfixturevalue("with_dq")
    assert query(built.warehouse, sql), f"{path.name} query {index + 1} returned no rows"


def test_docs_generate(built: Built) -> None:
    """`dbt docs generate` works and its catalog describes every mart's columns."""
    result = run_dbt(["docs", "generate"], built.warehouse, built.workdir)
    assert result.success, result.exception
    catalog = json.loads((built.workdir / "target" / "catalog.json").read_text(encoding="utf-8"))
    tables = {node["metadata"]["name"]: node for node in (*catalog["nodes"].values(),)}
    for mart in (*FACTS, *DIMS, *CODE_DIMS):
        assert tables[mart]["metadata"]["schema"] == "marts"
        assert tables[mart]["columns"], mart
    assert (built.workdir / "target" / "index.html").exists()
    manifest = json.loads((built.workdir / "target" / "manifest.json").read_text(encoding="utf-8"))
    described = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] in ("model", "seed")}
    bilingual = re.compile(r"[\u4e00-\u9fff].*[A-Za-z]{3}", re.S)
    for name, entry in tables.items():
        if entry["metadata"]["schema"] not in ("staging", "intermediate", "marts") or name not in described:
            continue
        node = described[name]
        assert bilingual.search(node["description"]), f"{name}: description not in Chinese and English"
        for column in entry["columns"]:
            text = node["columns"].get(column, {}).get("description", "")
            assert bilingual.search(text), f"{name}.{column}: description not in Chinese and English"


def test_parse_prints_no_deprecation(tmp_path: Path) -> None:
    """`dbt parse --show-all-deprecations` emits no deprecation and no warning at all."""
    events: list[tuple[str, str]] = []
    result = run_dbt(["parse", "--show-all-deprecations", "--no-partial-parse"], tmp_path / "unused.duckdb",
                     tmp_path, callbacks=[lambda e: events.append((e.info.name, e.info.level))])
    assert result.success, result.exception
    assert [name for name, _ in events if "deprecat" in name.lower()] == []
    assert [name for name, level in events if level in ("warn", "error")] == []


def test_a_parse_written_by_hand_is_not_taken_for_the_stamped_one(tmp_path: Path) -> None:
    """The pipeline's parse is current while its stamp matches; a `dbt parse` run by hand into the same folder
    (the project's own target/, e.g. from a tree edited since) rewrites the parse file without a stamp, and the
    pipeline parses again instead of building from it."""
    target = tmp_path / "target"
    parse_into(PROJECT, target, tmp_path / "nianbao.duckdb")
    digest = sources_digest(PROJECT)
    assert is_current(target, digest)
    assert run_dbt(["parse", "--no-partial-parse"], tmp_path / "nianbao.duckdb", tmp_path).success
    assert not is_current(target, digest)


# ---------------------------------------------------------------------------------------------- incremental


def f2021_report(base: GoldenReport) -> GoldenReport:
    """A synthetic F2021 report of the same agency as `base`: F2021 section 二 and （六） rows; one null cell."""
    content = f"synthetic F2021 report of {base.agency}".encode()
    applications = {row: cols for row, cols in base.cells["applications"].items() if row != "other"}
    zeros = dict.fromkeys(base.cells["applications"]["other"], 0)
    applications |= {"other_overdue_correction": zeros, "other_overdue_fee": zeros,
                     "other_other": base.cells["applications"]["other"]}
    disclosure = {
        "regulations": {"issued": 1, "repealed": 0, "in_force": 12},
        "normative_documents": {"issued": 2, "repealed": 1, "in_force": None},
        "licensing": {"decisions": 40},
        "penalty": {"decisions": 3},
        "enforcement": {"decisions": 0},
        "fees": {"amount_10k_yuan": 12.5},
    }
    return replace(
        base, file_name="synthetic_f2021.txt", path=base.path.with_name("synthetic_f2021.txt"),
        sha256=hashlib.sha256(content).hexdigest(), size_bytes=len(content), year=2021, template="F2021",
        cells={"disclosure": disclosure, "applications": applications,
               "review_litigation": base.cells["review_litigation"]},
        narrative={}, confidence={},
    )


@pytest.fixture(scope="module")
def incremental(tmp_path_factory: pytest.TempPathFactory, golden: list[GoldenReport]) -> dict[str, Any]:
    """Build from golden; then remove 003, reload 002 with changed cells, add an F2021 report; build again
    incrementally, then rebuild with --full-refresh. Returns the states and the ids involved."""
    root = tmp_path_factory.mktemp("incremental")
    # the tests on these marts passed in `built`; here only the models and seeds are built first
    first = build_warehouse(root, lambda wh: load_golden_raw(wh, golden, loaded_at=STAMP),
                            ("build", "--exclude-resource-type", "test"))
    wh = first.warehouse
    by_prefix = {g.file_name[:3]: g for g in golden}
    removed, reloaded, unchanged = by_prefix["003"], by_prefix["002"], by_prefix["004"]
    cells = json.loads(json.dumps(reloaded.cells))
    del cells["review_litigation"]  # the reloaded version no longer yields table 四
    cells["disclosure"]["penalty"]["decisions"] = 7
    new = f2021_report(unchanged)
    with duckdb.connect(str(wh)) as con:
        delete_report(con, removed.report_id)
        insert_reports(con, [replace(reloaded, cells=cells), new], loaded_at=STAMP + timedelta(days=1))
        # a marker in a mart row of an unchanged report: an incremental run must leave it alone
        con.execute("update marts.fct_procurement set projects = -1 where report_id = ?", [unchanged.report_id])
    assert_all_passed(run_dbt(["build", "--select", "marts"], wh, root))
    marker = query(wh, "select projects from marts.fct_procurement where report_id = ?", [unchanged.report_id])
    with duckdb.connect(str(wh)) as con:
        con.execute("update marts.fct_procurement set projects = ? where report_id = ?",
                    [int(unchanged.cell("disclosure", "procurement", "projects") or 0), unchanged.report_id])
    after_incremental = snapshot(wh, (*FACTS, *DIMS, *AGENCY_MARTS))
    assert_all_passed(run_dbt(["run", "--select", "marts", "--full-refresh"], wh, root))
    return {
        "warehouse": wh, "marker": marker, "incremental": after_incremental,
        "full": snapshot(wh, (*FACTS, *DIMS, *AGENCY_MARTS)),
        "removed": removed.report_id, "reloaded": reloaded.report_id, "new": new.report_id,
    }


def test_incremental_run_equals_full_refresh(incremental: dict[str, Any]) -> None:
    """After adds, a reload and a removal, the incremental marts equal a full rebuild, row for row (the agency
    marts too: fct_agency_relation_sides is incremental; tests/test_incremental_scope.py changes old reports'
    text-reuse and cross-year rows)."""
    for table in (*FACTS, *DIMS, *AGENCY_MARTS):
        assert incremental["incremental"][table] == incremental["full"][table], table


def test_incremental_run_rebuilds_only_changed_reports(incremental: dict[str, Any]) -> None:
    """The marker planted in an unchanged report's row survived the incremental run (it was not rebuilt)."""
    assert incremental["marker"] == [(-1,)]


def test_incremental_handles_removed_reloaded_and_new_reports(incremental: dict[str, Any]) -> None:
    """No row of the removed report; the reloaded one has its new values and no table 四; F2021 lands."""
    wh, state = incremental["warehouse"], incremental["incremental"]
    for table, rows in state.items():
        assert not [r for r in rows if incremental["removed"] in r], table
    assert not [r for r in state["fct_litigation"] if r[0] == incremental["reloaded"]]
    assert query(wh, """select value from marts.fct_disclosure
                        where report_id = ? and item_code = 'penalty' and measure_code = 'decisions'""",
                 [incremental["reloaded"]]) == [(Decimal("7.0000"),)]
    new = incremental["new"]
    assert query(wh, "select template, year from marts.dim_report where report_id = ?", [new]) \
        == [("F2021", 2021)]
    assert query(wh, "select count(*) from marts.fct_procurement where report_id = ?", [new]) == [(0,)]
    assert query(wh, """select measure_code, value from marts.fct_disclosure
                        where report_id = ? and item_code = 'normative_documents' order by measure_code""",
                 [new]) == [("in_force", None), ("issued", Decimal(2)), ("repealed", Decimal(1))]
    assert query(wh, """select outcome_group, count(*) from marts.fct_outcomes
                        where report_id = ? and outcome_code like 'other%' group by all""", [new]) \
        == [("other", 21)]
    assert query(wh, """select report_count, first_year, last_year from marts.dim_agency
                        where short_name = '丰台区西罗园街道'""") == [(2, 2019, 2021)]


# ---------------------------------------------------------------------------------------------- extractor


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A warehouse loaded by the real extractor from data/inbox and built by `dbt build`, every node passing
    with no warning: a copy of the samples' build this test session made (`sample_warehouse`)."""
    folder = tmp_path_factory.mktemp("extracted")
    return Built(build_sample_warehouse(folder), folder)


def test_extractor_marts_hold_the_issue_values(extracted: Built) -> None:
    """Marts built from the real extractor give the values stated in the issue."""
    wh = extracted.warehouse
    assert query(wh, """select list(new_received order by r.file_name) from marts.fct_applications a
                        join marts.dim_report r using (report_id) where is_total""") == [([3, 3, 6, 0, 3],)]
    assert query(wh, """select a.total_processed from marts.fct_applications a
                        join marts.dim_report r using (report_id)
                        where r.file_name like '002_%' and a.is_total""") == [(12,)]
    assert query(wh, """select l.count from marts.fct_litigation l join marts.dim_report r using (report_id)
                        join marts.dim_agency g on g.agency_name = r.agency
                        where g.short_name = '丰台区西罗园街道' and l.block_code = 'litigation_direct'
                          and l.result_code = 'pending'""") == [(1,)]
    assert dict(query(wh, """select d.measure_code, d.value from marts.fct_disclosure d
                             join marts.dim_report r using (report_id)
                             where r.agency like '%东湖街道%' and d.item_code = 'inspection'""")) \
        == {"prior_items": Decimal(56), "change": Decimal(-38), "decisions": Decimal(18)}
    assert [str(a) for (a,) in query(wh, """select p.amount_10k_yuan from marts.fct_procurement p
                                           join marts.dim_report r using (report_id) order by r.file_name""")] \
        == ["31.1807", "166.3700", "41174.3900", "0.0000", "1167.3159"]


def test_extractor_marts_equal_the_golden_marts(extracted: Built, golden: list[GoldenReport]) -> None:
    """Every cell the extractor's marts hold equals the golden truth, nulls included."""
    assert mart_cells(extracted.warehouse) == golden_cells(golden)
