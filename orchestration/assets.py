"""Assets: one per stage of the warehouse (extract-and-load, the dbt models, the data-quality results
and report). Each asset calls its stage's entry point; the stages own the parsing and the SQL. The
extractor, Great Expectations and the report are imported inside their steps, so loading the code location
stays fast.

Lineage runs raw.* → dbt staging/intermediate/marts → dq/check_results → dq/report, so one job over all
assets runs the stages in order, and the GX asset checks (checks.py) hang off the marts.
"""

import json
import shutil
import time
from collections.abc import Iterator, Mapping
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    Output,
    asset,
    multi_asset,
)
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets, get_asset_key_for_model

from extract.schema import TABLES as RAW_TABLES
from orchestration import dbt_build, outcome, progress, snapshot
from orchestration.dbt_setup import DBT_PROJECT
from orchestration.inbox import SKIPPED_SHOWN, skipped_files
from orchestration.partitions import STAGING_KEY, staging_path
from orchestration.resources import WarehouseResource

RAW_SCHEMA = "raw"
RAW_KEYS: dict[str, AssetKey] = {table: AssetKey([RAW_SCHEMA, table]) for table in RAW_TABLES}
DQ_RESULTS_KEY = AssetKey(["dq", "check_results"])
DQ_REPORT_KEY = AssetKey(["dq", "report"])
SNAPSHOT_KEY = AssetKey(["warehouse", "snapshot"])
UNCHANGED = "not rebuilt: raw and the dbt project are as the last whole build that succeeded left them"


@multi_asset(
    name="extract_and_load",
    specs=[
        AssetSpec(key, group_name=RAW_SCHEMA, kinds={"python", "duckdb"}, description=f"raw.{table} (extract/)",
                  deps=[STAGING_KEY])
        for table, key in RAW_KEYS.items()
    ],
    description="Commit the staged inbox batches, then read every other new or changed report file in the input "
    "folders, into schema raw.",
)
def raw_tables(context: AssetExecutionContext, warehouse: WarehouseResource) -> Iterator[MaterializeResult]:
    """Extract-and-load: the one step that writes `raw`. What partitions of `extract/inbox_batch` staged is
    committed first, in one transaction; the files no batch staged are then parsed here. A missing input
    folder is a configuration fault (the run fails), not an empty inbox."""
    from extract.pipeline import extract_and_load

    missing = [str(p) for p in warehouse.input_paths if not p.exists()]
    if missing:
        raise Failure(f"input folder not found: {', '.join(missing)}")

    def on_file(done: int, total: int, path: str) -> None:
        progress.report("extract", done, total, path)

    skipped = skipped_files(warehouse.input_paths)
    with warehouse.writing(context.log.warning) as working:
        summary = extract_and_load(warehouse.input_paths, working, progress=on_file,
                                   staged=staging_path(warehouse))
    context.log.info(f"extract_and_load: {summary.as_dict()}")
    outcome.record_load(summary, skipped)
    metadata: dict[str, Any] = {
        **{k: v for k, v in summary.as_dict().items() if isinstance(v, int)},
        "changed_reports": len(summary.changed_report_ids),
        "removed_reports": len(summary.removed_report_ids),
        "skipped_files": len(skipped),
        "skipped_sample": MetadataValue.json([p.name for p in skipped[:SKIPPED_SHOWN]]),
        "warehouse": MetadataValue.path(str(warehouse.warehouse_path)),
        "inputs": MetadataValue.json([str(p) for p in warehouse.input_paths]),
    }
    for key in RAW_KEYS.values():
        yield MaterializeResult(asset_key=key, metadata=metadata)


class NianbaoDbtTranslator(DagsterDbtTranslator):
    """Keys and groups that tie the dbt graph to the extract asset.

    A dbt source in schema `raw` becomes the asset `raw/<table>` that `raw_tables` materializes, so the
    job orders extract before dbt whatever the source is called; models are grouped by their schema.
    """

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source" and dbt_resource_props.get("schema") == RAW_SCHEMA:
            table = dbt_resource_props.get("identifier") or dbt_resource_props["name"]
            return AssetKey([RAW_SCHEMA, table])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return dbt_resource_props.get("schema") or "sources"
        return dbt_resource_props.get("config", {}).get("schema") or super().get_group_name(dbt_resource_props)


class DbtModelsConfig(Config):
    """`rebuild` builds the models even when the last whole build's inputs are unchanged: after a change
    that record cannot see (a DuckDB or dbt-duckdb upgrade, a mart table edited by hand)."""

    rebuild: bool = False


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    # dbt's ~130 tests are not one Dagster asset check each: every check costs two stored events per run
    # (planned, evaluated) — most of a run's event log — for what `dbt build` already enforces (an error
    # test fails the step, naming the test). A test that warns or fails is still recorded, as an observation.
    dagster_dbt_translator=NianbaoDbtTranslator(DagsterDbtTranslatorSettings(enable_asset_checks=False)),
    name="dbt_models",
)
def dbt_models(context: AssetExecutionContext, warehouse: WarehouseResource,
               config: DbtModelsConfig) -> Iterator[Any]:
    """`dbt build` of the selected models (and their dbt tests) into the run's warehouse, in this process;
    each model, seed and test result becomes its Dagster event as dagster-dbt would emit it. A whole build
    whose inputs are those of the last one that succeeded (`dbt_build.is_up_to_date`) is not started, unless
    the run's config asks for a `rebuild`."""
    from dagster_dbt.asset_utils import get_manifest_and_translator_from_dbt_assets, get_subset_selection_for_context
    from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

    manifest, translator, _ = get_manifest_and_translator_from_dbt_assets([context.assets_def])
    select, indirect = get_subset_selection_for_context(
        context, manifest, select=None, exclude=None, selector=None, dagster_dbt_translator=translator,
        current_dbt_indirect_selection_env=None,
    )
    total = len(context.selected_asset_keys)
    done = 0

    def on_result(raw: dict[str, Any]) -> None:
        nonlocal done
        if dbt_build.is_built(raw):
            done += 1
            progress.report("dbt", done, total, dbt_build.node_name(raw))

    progress.report("dbt", 0, total, "")
    whole = not context.is_subset
    with warehouse.writing(context.log.warning) as working:
        up_to_date = whole and not config.rebuild and dbt_build.is_up_to_date(
            DBT_PROJECT.project_dir, working, warehouse.dbt_target_path)
        if not up_to_date:
            ok, results = dbt_build.build(DBT_PROJECT.project_dir, working, warehouse.dbt_target_path, select,
                                          indirect, on_result=on_result, whole=whole)
    if up_to_date:
        progress.report("dbt", total, total, "")
        yield from unchanged_outputs(context)
        return
    for raw in results:
        if raw["data"]["node_info"].get("unique_id") not in manifest["nodes"]:
            continue  # the project changed after the code location loaded: the next load shows this node
        if dbt_build.is_passing_test(raw):
            continue
        message = DbtCoreCliEventMessage(raw_event=raw, event_history_metadata={})
        yield from message.to_default_asset_events(manifest=manifest, dagster_dbt_translator=translator,
                                                   context=context, target_path=warehouse.dbt_target_path)
    if not ok:
        failed = [dbt_build.node_name(r) for r in results if r["data"]["node_info"].get("node_status") == "error"]
        raise Failure(f"dbt build failed: {', '.join(failed) or 'see the run log'}")


def unchanged_outputs(context: AssetExecutionContext) -> Iterator[Output]:
    """Each model and seed as the last whole build left it: neither `raw` nor the project changed since it
    succeeded (a run over a touched file, a skipped one, or a recheck), so dbt is not started."""
    metadata = {"nianbao/unchanged": MetadataValue.text(UNCHANGED)}
    selected = context.selected_asset_keys
    upstream = {key: deps & selected for key, deps in context.assets_def.asset_deps.items() if key in selected}
    for key in TopologicalSorter(upstream).static_order():  # Dagster takes a multi-asset's outputs in this order
        yield Output(None, output_name=context.assets_def.get_output_name_for_asset_key(key), metadata=metadata)


def publish_folder(built: Path, target: Path) -> Path:
    """Move a folder built beside the working file (GX Data Docs) to its published place; returns the
    index page."""
    if target.exists():
        shutil.rmtree(target)
    shutil.move(built, target)
    return target / "index.html"


def jsonable(value: Any) -> Any:
    """Plain JSON for run metadata (check rows carry Decimals and dates)."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def mart_key(model: str) -> AssetKey:
    """The asset key of a mart model, as the dbt translator assigns it."""
    return get_asset_key_for_model([dbt_models], model)


class ChecksConfig(Config):
    """`recheck_all` re-validates every report (after the suites themselves changed); by default only
    reports without results are checked."""

    recheck_all: bool = False


@asset(
    key=DQ_RESULTS_KEY,
    # After every dbt model: the suites read the marts (and the staged narrative facts).
    deps=list(dbt_models.keys),
    group_name="dq",
    kinds={"great_expectations", "duckdb"},
    description="Run the GX suites over the marts; per-report results go to dq.check_results.",
)
def dq_check_results(context: AssetExecutionContext, warehouse: WarehouseResource,
                     config: ChecksConfig) -> MaterializeResult:
    """Validate the marts of the reports not checked yet (all with `recheck_all`). Findings are data,
    recorded for the checks and the report; only an error in running the suites fails this step. The
    metadata counts every stored result, so a run that brings nothing new still shows the whole picture."""
    from expectations.checks import FAILING_SAMPLE, run_incremental, stored_totals

    progress.report("checks", 0, 1, "")
    with warehouse.writing(context.log.warning) as working:
        this_run = run_incremental(working, recheck_all=config.recheck_all)
        run = stored_totals(working, sample=FAILING_SAMPLE)
        data_docs = publish_folder(this_run.data_docs.parent, warehouse.data_docs_path) if this_run.data_docs else None
    suites = {
        name: {
            "passed": s.passed,
            "failed": s.failed,
            "not_assessable": s.not_assessable,
            "failed_by_severity": dict(s.failed_by_severity),
            "failing_sample": jsonable(s.failing[:FAILING_SAMPLE]),
        }
        for name, s in run.suites.items()
    }
    failed = sum(s.failed for s in run.suites.values())
    outcome.record_checks(this_run.reports, run)
    progress.report("checks", 1, 1, f"{failed} failing")
    return MaterializeResult(
        metadata={
            "suites": MetadataValue.json(suites),
            "checks_failing": failed,
            "failing_reports": run.failing_reports,
            "checked_reports": this_run.reports,
            "reports_with_results": run.reports,
            **({"gx_data_docs": MetadataValue.path(str(data_docs))} if data_docs else {}),
        }
    )


@asset(
    key=SNAPSHOT_KEY,
    deps=[DQ_RESULTS_KEY],
    group_name="dq",
    kinds={"duckdb"},
    description="The read-only snapshot readers open (the warehouse path): the working file, checkpointed, "
    "copied and renamed into place atomically.",
)
def warehouse_snapshot(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    """Publish the run's result to readers; open readers keep the snapshot they opened."""
    progress.report("publish", 0, 1, "")
    started = time.monotonic()
    with warehouse.writing(context.log.warning):
        path = snapshot.publish(warehouse.published_path)
    progress.report("publish", 1, 1, str(path))
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(path)),
            "size_mb": round(path.stat().st_size / 1e6, 1),
            "seconds": round(time.monotonic() - started, 2),
        }
    )


@asset(
    key=DQ_REPORT_KEY,
    deps=[SNAPSHOT_KEY],
    group_name="dq",
    kinds={"html"},
    description="The HTML data-quality report: which reports' tables do not balance, and why.",
)
def dq_report(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    """Render the readable report from the published snapshot, so it shows what readers see."""
    from expectations.report import build_report

    progress.report("report", 0, 1, "")
    path = build_report(warehouse.published_path, warehouse.report_path)
    outcome.record_report(path)
    progress.report("report", 1, 1, str(path))
    return MaterializeResult(metadata={"path": MetadataValue.path(str(path))})
