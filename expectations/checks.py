"""Run the GX suites over the marts and write per-report results to `dq.check_results`.

The marts are read once, read-only, into pandas frames (GX's SQL datasource does not work on DuckDB);
each suite is validated by GX in an ephemeral, in-memory context (no telemetry, no files but the Data
Docs); the warehouse is then opened for writing only to replace the results of the reports evaluated, in
one transaction. A finding (a table that does not balance) is a result, not an error: only a fault in
running the suites raises.

`SuiteResult` counts result rows (report × check × scope) of every severity; `failing` lists the first
FAILING_SAMPLE failing rows, statutory (`error`) first (every one is in `dq.check_results`).
`CheckRun.failing_reports` counts the reports with at least one failing statutory (`error`) check.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from expectations import docs, store
from expectations.agency_suite import AgencySuite, changed_sides, keep_digests
from expectations.report_data import has_table
from expectations.results import failing_keys
from expectations.suites import REPORT_SUITES, Suite, stage_batch

if TYPE_CHECKING:
    from great_expectations.data_context import AbstractDataContext

# Across an agency's years, the prose against the tables, text reuse (marts.fct_agency_relation_sides).
SUITES: dict[str, Suite] = {**REPORT_SUITES, "agencies": AgencySuite()}
# The one suite whose results for a report depend on other reports (the others read only its own tables).
PAIRED_SUITE = "agencies"

# COMPLETE: every failing row is needed (by report and scope). The failing values themselves are in the
# frame (GX would collect them row by row, which dominates the run time at 100,000 reports).
RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": ["report_id", "scope"],
    "exclude_unexpected_values": True,
    "return_unexpected_index_query": False,
}


@dataclass
class SuiteResult:
    """Outcome of one suite: result rows by status, and its first failing rows (statutory first)."""

    name: str
    passed: int = 0
    failed: int = 0
    not_assessable: int = 0
    failing: list[dict[str, Any]] = field(default_factory=list)
    failed_by_severity: dict[str, int] = field(default_factory=dict)


@dataclass
class CheckRun:
    """Outcome of all suites over the evaluated reports."""

    suites: dict[str, SuiteResult]
    reports: int
    rows: int
    failing_report_ids: list[str] = field(default_factory=list)
    data_docs: Path | None = None

    @property
    def failing_reports(self) -> int:
        """Reports with at least one failing statutory (`error`) check."""
        return len(self.failing_report_ids)

    def as_dict(self) -> dict[str, Any]:
        """The run as plain data (e.g. for JSON), with its count of failing reports."""
        return {**asdict(self), "failing_reports": self.failing_reports}


def gx_context() -> AbstractDataContext:
    """An in-memory GX context: analytics off, no progress bars, nothing written until Data Docs. GX is imported
    here, when there is something to validate (about 3 CPU s): reading the totals or checking nothing needs none."""
    for var, value in (("DO_NOT_TRACK", "1"), ("GX_ANALYTICS_ENABLED", "false")):
        os.environ.setdefault(var, value)
    import great_expectations as gx
    from great_expectations.data_context.types.base import DataContextConfig, InMemoryStoreBackendDefaults

    config = DataContextConfig(
        analytics_enabled=False,
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        progress_bars={"globally": False},
    )
    return gx.get_context(mode="ephemeral", project_config=config)


# What GX reads of a sides frame besides its keys (report_id, scope): the rows' check, relation and two sides.
GX_COLUMNS = ["check_id", "relation", "actual", "expected"]


def validate(context: AbstractDataContext, suite: Suite, frame: pd.DataFrame, tag: str = "") -> pd.DataFrame:
    """Validate one suite's frame with GX and return its dq rows (`tag` names one batch of reports)."""
    import great_expectations as gx

    batch = context.data_sources.add_or_update_pandas("marts").add_dataframe_asset(
        f"{suite.name}{tag}").add_batch_definition_whole_dataframe(f"{suite.name}{tag}_reports")
    name = f"nianbao_{suite.name}"
    gx_suite = context.suites.get(name) if name in {x.name for x in context.suites.all()} else context.suites.add(
        gx.ExpectationSuite(name=name, expectations=suite.build()))
    definition = context.validation_definitions.add(gx.ValidationDefinition(name=f"{name}{tag}", data=batch,
                                                                            suite=gx_suite))
    # the keys as the (str) index: GX lists an unexpected row's index as is, but looks key columns up cell by cell
    keys = pd.MultiIndex.from_arrays([frame[c].astype("str") for c in ("report_id", "scope")])
    keyed = frame[GX_COLUMNS].set_axis(keys)
    validation = definition.run(batch_parameters={"dataframe": keyed}, result_format=RESULT_FORMAT)
    failing: set[tuple[str, str, str]] = set()
    for result in validation.results:
        if result.exception_info and result.exception_info.get("raised_exception"):
            raise RuntimeError(f"GX could not evaluate {result.expectation_config.meta}: {result.exception_info}")
        failing |= failing_keys(result.expectation_config.meta["check_id"], result.result.get("unexpected_index_list"))
    return suite.rows(frame, failing)


def _evaluate(warehouse: Path, names: Sequence[str], report_ids: Sequence[str] | None,
              context: AbstractDataContext | None = None, tag: str = "") -> tuple[dict[str, pd.DataFrame], Any]:
    """Read the frames read-only and validate each suite that has rows; rows per suite and the GX context (made
    at the first suite with rows)."""
    with store.connect(warehouse, read_only=True) as con:
        staged = stage_batch(con, [SUITES[name] for name in names], report_ids)
        loaded = {name: SUITES[name].load(con, report_ids, staged.get(SUITES[name].sides)) for name in names}
    rows = {}
    for name, frame in loaded.items():
        context = (context or gx_context()) if len(frame) else context
        rows[name] = validate(context, SUITES[name], frame, tag) if len(frame) else SUITES[name].rows(frame, set())
    return rows, context


# Failing rows a run returns per suite, statutory first; the rest are read from dq.check_results. All of them, at
# 100,000 reports about 200,000 dicts, took the full check's peak from 2.9 to 5.2 GB.
FAILING_SAMPLE = 20

# Reports validated at once: memory stays about that of 10,000 reports (≈1.6 GB) whatever the corpus size.
BATCH_REPORTS = 10_000


def run_checks(warehouse: Path, report_ids: Sequence[str] | None = None, *, data_docs: bool = True,
               batch_size: int = BATCH_REPORTS, paired: Sequence[str] = ()) -> CheckRun:
    """Run every suite over the given reports (all when None) and replace their rows in dq.check_results,
    in batches of reports so memory does not grow with the corpus; then the suite `agencies` alone over the
    `paired` reports (their own tables did not change, only the reports they are compared with may have). The
    counts and failing rows returned are those stored for all of these reports.

    Also rebuilds the GX Data Docs in `<warehouse folder>/gx_data_docs/` unless `data_docs` is False.
    """
    warehouse = Path(warehouse)
    if report_ids is None:
        store.prune(warehouse, every_row=True)
        with store.connect(warehouse, read_only=True) as con:
            ids = [r for (r,) in con.execute("select report_id from marts.dim_report order by 1").fetchall()]
    else:
        ids = list(report_ids)
    context = None
    for i, start in enumerate(range(0, max(len(ids), 1), batch_size)):
        batch = ids[start:start + batch_size]
        by_suite, context = _evaluate(warehouse, list(SUITES), batch, context, f"_{i}" if i else "")
        store.replace_results(warehouse, pd.concat(list(by_suite.values()), ignore_index=True), batch,
                              also=lambda con, batch=batch: keep_digests(con, batch))
    checked = set(ids)
    paired = [r for r in paired if r not in checked]
    for i, start in enumerate(range(0, len(paired), batch_size)):
        batch = paired[start:start + batch_size]
        by_suite, context = _evaluate(warehouse, [PAIRED_SUITE], batch, context, f"_paired_{i}")
        store.replace_results(warehouse, by_suite[PAIRED_SUITE], batch, check_scope=SUITES[PAIRED_SUITE].predicate(),
                              also=lambda con, batch=batch: keep_digests(con, batch))
    # a full check replaced every stored result: its totals are the table's, with no copy of its rows
    run = stored_totals(warehouse, sample=FAILING_SAMPLE, report_ids=None if report_ids is None else [*ids, *paired])
    run.data_docs = docs.build_data_docs(context or gx_context(), warehouse) if data_docs else None
    return run


def run_suite(name: str, warehouse: Path, report_ids: Sequence[str] | None = None) -> SuiteResult:
    """Run one suite (e.g. for a Dagster asset check), replace only that suite's rows of these reports (all when
    None), and return its totals over them."""
    if name not in SUITES:
        raise KeyError(f"unknown suite {name!r}; known: {', '.join(SUITES)}")
    by_suite, _ = _evaluate(Path(warehouse), [name], report_ids)
    store.replace_results(warehouse, by_suite[name], report_ids, check_scope=SUITES[name].predicate(),
                          also=(lambda con: keep_digests(con, report_ids)) if name == PAIRED_SUITE else None)
    return stored_totals(warehouse, sample=FAILING_SAMPLE, report_ids=report_ids).suites[name]


def unchecked_report_ids(warehouse: Path) -> list[str] | None:
    """Reports in the marts that the registry does not list (new or changed content: report_id is the content
    hash); None when nothing was ever checked, i.e. check everything. A warehouse checked before the registry
    existed is given it first (store.upgrade)."""
    store.upgrade(warehouse)
    with store.connect(warehouse, read_only=True) as con:
        if not has_table(con, "dq", "check_results"):
            return None
        return [r for (r,) in con.execute(
            f"select report_id from marts.dim_report anti join {store.REGISTRY} using (report_id) order by report_id"
        ).fetchall()]


def run_incremental(warehouse: Path, *, recheck_all: bool = False, data_docs: bool = True) -> CheckRun:
    """Check only the reports that have no results yet (all with `recheck_all`), and drop the results of
    reports no longer in the warehouse: work grows with what is new, not with what is stored."""
    ids = None if recheck_all else unchecked_report_ids(warehouse)
    paired: list[str] = []
    if ids is not None:  # the reports a change reached through their pairs: their agencies rows now differ
        with store.connect(warehouse, read_only=True) as con:
            paired = changed_sides(con)
    store.prune(warehouse)
    if ids == [] and not paired:
        return CheckRun(suites={name: SuiteResult(name) for name in SUITES}, reports=0, rows=0)
    return run_checks(warehouse, ids, data_docs=data_docs, paired=paired)


def stored_totals(warehouse: Path, sample: int | None = 20, report_ids: Sequence[str] | None = None) -> CheckRun:
    """Per-suite counts over the stored results of `report_ids` (every stored result when None, not only the
    last run's), with the failing rows (the first `sample`, all when None), aggregated in DuckDB so it stays
    cheap at a million reports."""
    with store.connect(warehouse, read_only=True) as con:
        table = store.TABLE
        if report_ids is not None:  # their rows, in one scan: the queries below then read only them
            con.execute("create or replace temp table totals_of as select unnest($ids::varchar[]) as report_id",
                        {"ids": list(report_ids)})
            con.execute(f"create or replace temp table totals_rows as select * from {table} "
                        "where report_id in (select report_id from totals_of)")
            table = "totals_rows"
        # every suite's counts from one grouping of the rows by what a suite's predicate reads (check, scope)
        con.execute(f"create or replace temp table totals_counts as select check_id, scope, status, severity, "
                    f"count(*) as n from {table} group by all")
        suites = {name: _suite_totals(con, table, suite.predicate(), name, sample) for name, suite in SUITES.items()}
        rows = con.execute("select coalesce(sum(n), 0)::bigint from totals_counts").fetchone()[0]
        if report_ids is None and store.is_registered(con):  # per report already: 100k rows, not 6.8 M
            reports, failing_ids = con.execute(
                f"select count(*) filter (where result_rows > 0), coalesce(list(report_id order by report_id) "
                f"filter (where fails > 0), []) from {store.REGISTRY}").fetchone()
        else:
            reports, failing_ids = con.execute(
                f"select count(distinct report_id), coalesce(list(distinct report_id order by report_id) "
                f"filter (where status = 'fail' and severity = 'error'), []) from {table}").fetchone()
    return CheckRun(suites=suites, reports=reports, rows=rows, failing_report_ids=failing_ids)


def _suite_totals(con: duckdb.DuckDBPyConnection, table: str, where: str, name: str, sample: int | None
                  ) -> SuiteResult:
    """One suite's counts over the results of `table` matching `where` (from their grouping, totals_counts), and
    its failing rows (statutory first; the first `sample`, all when None)."""
    counts = dict(con.execute(f"select status, sum(n) from totals_counts where {where} group by 1").fetchall())
    by_severity = dict(con.execute(f"select severity, sum(n) from totals_counts "
                                   f"where {where} and status = 'fail' group by 1").fetchall())
    failing = con.execute(
        f"select * from {table} where {where} and status = 'fail' order by {store.SEVERITY_ORDER}, agency, year, "
        "check_id, scope, report_id " + ("" if sample is None else f"limit {sample}")
    ).fetch_df()
    return SuiteResult(
        name, passed=int(counts.get("pass", 0)), failed=int(counts.get("fail", 0)),
        not_assessable=int(counts.get("not_assessable", 0)),
        failing=failing.astype(object).where(failing.notna(), None).to_dict("records"),
        failed_by_severity={str(k): int(v) for k, v in by_severity.items()},
    )
