"""The extract partitioned by inbox batch: each batch folder is a partition staged as Parquet, one loader
commits every staged batch, and the warehouse is row for row the one a sequential `extract_and_load` writes
(a content found in two batches keeps the rows of its first file by path, as sequentially); re-staging a
batch or loading it again duplicates nothing; a bad file or a failing partition stops no other. The slow
test runs a backfill under the multiprocess executor and builds every mart both ways."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dagster import DagsterEventType, DagsterInstance, build_sensor_context

from extract.pipeline import batch_files, discover, extract_and_load, find_batch, inbox_batches, stage_batch
from extract.staging import staged_batches
from synthetic.corpus import write_corpus

# Columns that say when a row was written, not what was read.
VOLATILE = {"loaded_at", "mtime_ns", "ctime_ns", "load_seq"}  # load_seq: which load batch wrote the row
# Three batch folders and the inbox's own files, a fourth batch. That batch is committed first (its key
# sorts first), yet a sequential load reads b0's files before it (paths sort part by part): the twin of a
# b0 report placed there must not give the report its file name.
BATCHES = ("b0", "b1", "b2")
REPORTS_PER_BATCH = 4
TWIN = "zz_twin.txt"
BROKEN = "broken.pdf"


def _contents(warehouse: Path, schemas: tuple[str, ...] = ("raw",)) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the schemas, rows sorted, without the columns that record load times or runs."""
    out = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute("SELECT table_schema, table_name FROM information_schema.tables "
                             "WHERE table_schema IN (SELECT unnest(?::VARCHAR[])) ORDER BY 1, 2",
                             [list(schemas)]).fetchall()
        for schema, table in tables:
            cols = [c for c, kind in con.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? "
                "AND table_name = ? ORDER BY ordinal_position", [schema, table]).fetchall()
                if c not in VOLATILE and not kind.startswith("TIMESTAMP") and c != "run_id"]
            rows = con.execute(f'SELECT {", ".join(cols)} FROM "{schema}"."{table}"').fetchall()
            out[f"{schema}.{table}"] = sorted(rows, key=repr)
    return out


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic reports in three batch folders, a twin of a b0 report in the inbox itself under another
    name, and a file that is no PDF in b1."""
    root = tmp_path_factory.mktemp("partitioned") / "inbox"
    for seed, name in enumerate(BATCHES):
        write_corpus(root / name, REPORTS_PER_BATCH, seed=700 + seed)
    first = batch_files(root / "b0")[0]
    shutil.copy2(first, root / TWIN)
    (root / "b1" / BROKEN).write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 4)
    return root


@pytest.fixture(scope="module")
def sequential(inbox: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The inbox loaded the sequential way, in one call."""
    warehouse = tmp_path_factory.mktemp("sequential") / "w.duckdb"
    extract_and_load([inbox], warehouse, workers=1)
    return warehouse


def _stage_all(inbox: Path, staging: Path, snapshot: Path) -> dict[str, Any]:
    """Stage every batch of the inbox in this process; batch → its summary."""
    return {key: stage_batch(batch_files(folder), key, staging, snapshot, workers=1)
            for key, folder in inbox_batches([inbox]).items()}


def test_batches_are_the_folders_holding_reports(inbox: Path, tmp_path: Path) -> None:
    """A batch is a folder directly holding a report file, keyed by the input folder's name and the path
    below it; together the batches hold exactly discover's files, and a key finds its folder again."""
    batches = inbox_batches([inbox])
    assert list(batches) == ["inbox", *(f"inbox/{b}" for b in BATCHES)]
    assert sorted(p for folder in batches.values() for p in batch_files(folder)) == discover([inbox])
    assert all(find_batch([inbox], key) == folder for key, folder in batches.items())

    nested = tmp_path / "drop"
    write_corpus(nested / "2024" / "05", 1, seed=1)
    write_corpus(nested / ".hidden", 1, seed=2)
    report = batch_files(nested / "2024" / "05")[0]
    shutil.copy2(report, nested / f"loose{report.suffix}")
    assert list(inbox_batches([nested])) == ["drop", "drop/2024/05"]
    assert find_batch([nested], "drop/.hidden") is None and find_batch([nested], "drop/2024") is None
    assert find_batch([nested], "drop/../drop") is None


def test_staged_batches_load_the_sequential_rows(inbox: Path, sequential: Path, tmp_path: Path) -> None:
    """Each batch staged apart, then one commit: every raw row the sequential load wrote, and only those.
    The twin's report row names the file read first by path (in a batch committed later), the broken
    file is a failed document of its batch, and the commit leaves nothing staged."""
    staging = tmp_path / "staging"
    summaries = _stage_all(inbox, staging, tmp_path / "snapshot.duckdb")
    assert summaries["inbox/b1"].documents_failed == 1
    assert sum(s.documents_parsed + s.documents_partial for s in summaries.values()) == len(BATCHES) * 4 + 1
    assert summaries["inbox"].documents_parsed + summaries["inbox"].documents_partial == 1
    assert set(staged_batches(staging)) == set(summaries)

    warehouse = tmp_path / "w.duckdb"
    loaded = extract_and_load([inbox], warehouse, staged=staging, workers=1)
    assert loaded.documents_unchanged == len(discover([inbox]))  # the loader parsed nothing itself
    assert loaded.documents_failed == 1 and staged_batches(staging) == {}
    assert _contents(warehouse) == _contents(sequential)

    with duckdb.connect(str(warehouse), read_only=True) as con:
        twin_reports = con.execute("SELECT r.file_name FROM raw.reports r JOIN raw.documents d USING (report_id) "
                                   "WHERE d.file_name = ?", [TWIN]).fetchall()
        broken = con.execute("SELECT status, error FROM raw.documents WHERE file_name = ?", [BROKEN]).fetchall()
    assert twin_reports == [(batch_files(inbox / "b0")[0].name,)]
    assert broken[0][0] == "failed" and broken[0][1]


def test_restaging_and_reloading_duplicate_nothing(inbox: Path, sequential: Path, tmp_path: Path) -> None:
    """A batch staged twice keeps only its newest staging; committing every batch a second time (nothing
    published yet, so every file is parsed again) leaves the very rows of one load."""
    staging = tmp_path / "staging"
    warehouse = tmp_path / "w.duckdb"
    snapshot = tmp_path / "snapshot.duckdb"
    _stage_all(inbox, staging, snapshot)
    first = staged_batches(staging)["inbox/b1"]
    stage_batch(batch_files(inbox / "b1"), "inbox/b1", staging, snapshot, workers=1)
    again = staged_batches(staging)["inbox/b1"]
    assert again != first and not first.exists() and [p.name for p in again.parent.iterdir()] == [again.name]

    extract_and_load([inbox], warehouse, staged=staging, workers=1)
    _stage_all(inbox, staging, snapshot)
    reloaded = extract_and_load([inbox], warehouse, staged=staging, workers=1)
    assert reloaded.changed_report_ids == [] and reloaded.removed_report_ids == []
    assert _contents(warehouse) == _contents(sequential)


def test_a_changed_file_restaged_replaces_its_earlier_version(inbox: Path, tmp_path: Path) -> None:
    """Judged against the published snapshot, a re-staged batch carries only its changed file; the commit
    replaces that file's report and leaves every other row in place."""
    copy = tmp_path / "inbox"
    shutil.copytree(inbox, copy)
    staging, published = tmp_path / "staging", tmp_path / "published.duckdb"
    _stage_all(copy, staging, published)
    extract_and_load([copy], published, staged=staging, workers=1)
    before = _contents(published)

    changed = batch_files(copy / "b2")[0]
    changed.write_bytes(changed.read_bytes() + "\n（修订）\n".encode())
    summary = stage_batch(batch_files(copy / "b2"), "inbox/b2", staging, published, workers=1)
    assert summary.documents_unchanged == REPORTS_PER_BATCH - 1
    loaded = extract_and_load([copy], published, staged=staging, workers=1)
    assert len(loaded.changed_report_ids) == 1 and len(loaded.removed_report_ids) == 1
    after = _contents(published)
    assert len(after["raw.documents"]) == len(before["raw.documents"])
    old, new = loaded.removed_report_ids[0], loaded.changed_report_ids[0]
    assert [r for r in after["raw.cells"] if new not in r] == [r for r in before["raw.cells"] if old not in r]


# ------------------------------------------------------------------------------------ through Dagster


@pytest.fixture(scope="module")
def defs(dbt_manifest: Path) -> Any:
    from orchestration.definitions import defs

    return defs


def _resource(inbox: Path, warehouse: Path) -> dict[str, Any]:
    return {"resources": {"warehouse": {"config": {"warehouse": str(warehouse), "inputs": [str(inbox)]}}}}


def test_a_failing_partition_stops_no_other(defs: Any, inbox: Path, sequential: Path, tmp_path: Path) -> None:
    """Partition runs of the staging job: a batch whose folder is gone fails its run, naming the batch; the
    others stage, and the nianbao job's extract-and-load step commits them: the rows of a sequential load
    of the remaining folders."""
    from orchestration.assets import RAW_KEYS
    from orchestration.partitions import INBOX_BATCHES

    copy = tmp_path / "inbox"
    shutil.copytree(inbox, copy)
    warehouse = tmp_path / "w.duckdb"
    keys = list(inbox_batches([copy]))
    shutil.rmtree(copy / "b2")
    staging_job = defs.resolve_job_def("stage_inbox_batches")
    with DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions(INBOX_BATCHES.name, keys)
        results = {key: staging_job.execute_in_process(run_config=_resource(copy, warehouse), instance=instance,
                                                       partition_key=key, raise_on_error=False) for key in keys}
        assert {k: r.success for k, r in results.items()} == {k: k != "inbox/b2" for k in keys}
        (failure,) = [e for e in results["inbox/b2"].all_events if e.is_step_failure]
        assert "inbox/b2" in failure.step_failure_data.error.message
        loaded = defs.resolve_job_def("nianbao").execute_in_process(
            run_config=_resource(copy, warehouse), instance=instance, asset_selection=list(RAW_KEYS.values()))
        assert loaded.success
        (meta,) = {e.asset_key: e.step_materialization_data.materialization.metadata
                   for e in loaded.get_asset_materialization_events() if e.asset_key == RAW_KEYS["documents"]}.values()
    assert meta["documents_unchanged"].value == len(discover([copy]))

    alone = tmp_path / "sequential.duckdb"
    extract_and_load([copy], alone, workers=1)
    assert _contents(snapshot_working(warehouse)) == _contents(alone)


def snapshot_working(published: Path) -> Path:
    """The working file the nianbao job writes for a warehouse path (it publishes only at its end)."""
    from orchestration.snapshot import working_path

    return working_path(published)


def test_batch_sensor_registers_batches_and_stages_what_changed(inbox: Path, tmp_path: Path) -> None:
    """The batch sensor adds each new batch as a partition and requests a staging run of each batch whose
    files changed since its cursor, and of no other."""
    from orchestration.partitions import INBOX_BATCHES
    from orchestration.resources import WarehouseResource
    from orchestration.sensors import inbox_batches_sensor

    copy = tmp_path / "inbox"
    shutil.copytree(inbox, copy)
    resources = {"warehouse": WarehouseResource(inputs=[str(copy)], warehouse=str(tmp_path / "w.duckdb"))}
    with DagsterInstance.ephemeral() as instance:
        def tick(cursor: str | None) -> tuple[Any, str | None]:
            context = build_sensor_context(instance=instance, resources=resources, cursor=cursor)
            return inbox_batches_sensor(context), context.cursor

        first, cursor = tick(None)
        assert sorted(r.partition_key for r in first.run_requests) == list(inbox_batches([copy]))
        (added,) = first.dynamic_partitions_requests
        assert list(added.partition_keys) == list(inbox_batches([copy]))
        instance.add_dynamic_partitions(INBOX_BATCHES.name, list(added.partition_keys))

        unchanged, same = tick(cursor)
        assert unchanged.run_requests == [] and unchanged.dynamic_partitions_requests == [] and same == cursor

        write_corpus(copy / "b3", 1, seed=9)
        changed = batch_files(copy / "b1")[0]
        changed.write_bytes(changed.read_bytes() + b"\n")
        later, after = tick(cursor)
        assert sorted(r.partition_key for r in later.run_requests) == ["inbox/b1", "inbox/b3"]
        assert [list(r.partition_keys) for r in later.dynamic_partitions_requests] == [["inbox/b3"]]
    assert set(json.loads(after)) == set(inbox_batches([copy]))


# ------------------------------------------------------------------------------------ the backfill


@pytest.fixture(scope="module")
def dagster_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A persistent instance for the backfill (the multiprocess executor needs one), never the project's."""
    home = tmp_path_factory.mktemp("dagster_home")
    saved = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home)
    yield home
    if saved is None:
        os.environ.pop("DAGSTER_HOME", None)
    else:
        os.environ["DAGSTER_HOME"] = saved


@pytest.mark.slow
def test_multiprocess_backfill_builds_the_sequential_warehouse(defs: Any, inbox: Path, dagster_home: Path,
                                                               tmp_path: Path) -> None:
    """A backfill of every batch, two partition runs at a time, each step in its own process under the
    multiprocess executor; then the nianbao job. Its raw tables, marts and check results are the ones the
    nianbao job writes from the same inbox in one sequential extract."""
    from orchestration.backfill import backfill, register_batches
    from orchestration.paths import dagster_home as ensure_home

    ensure_home()
    partitioned, alone = tmp_path / "partitioned" / "w.duckdb", tmp_path / "sequential" / "w.duckdb"
    keys = register_batches([inbox])
    results = backfill(keys, partitioned, [inbox], parallel=2, workers=1)
    assert {k: ok for k, (ok, _) in results.items()} == dict.fromkeys(keys, True)
    with DagsterInstance.get() as instance:
        for key, (_, run_id) in results.items():
            run = instance.get_run_by_id(run_id)
            assert run.tags["dagster/partition"] == key
            kinds = {e.dagster_event.event_type for e in instance.all_logs(run_id) if e.dagster_event}
            assert DagsterEventType.STEP_WORKER_STARTED in kinds  # the step ran in a process of its own
        job = defs.resolve_job_def("nianbao")
        for warehouse in (partitioned, alone):
            config = {"resources": {"warehouse": {"config": {"warehouse": str(warehouse), "inputs": [str(inbox)],
                                                             "report_dir": str(warehouse.parent / "dq")}}}}
            assert job.execute_in_process(run_config=config, instance=instance).success
    schemas = ("raw", "marts", "dq")
    built, expected = _contents(partitioned, schemas), _contents(alone, schemas)
    assert set(built) == set(expected) and any(t.startswith("marts.") for t in built)
    assert {t: rows for t, rows in built.items()} == expected
