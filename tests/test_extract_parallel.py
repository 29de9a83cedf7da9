"""The paths a handful of samples never take at the default thresholds, taken in the default tier: the pool of
several parse workers, chunks and batch flushes (thresholds lowered to fit five files), and `nianbao parse`'s
output, read back against the golden files."""

from __future__ import annotations

import contextlib
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from extract import pipeline
from extract.pipeline import discover, extract_and_load
from orchestration.cli import main

INBOX = Path(__file__).resolve().parents[1] / "data" / "inbox"
GOLDEN = Path(__file__).resolve().parent / "fixtures" / "golden"
SAMPLES = discover([INBOX])
# Columns that say when a row was written, not what was read.
VOLATILE = {"loaded_at", "mtime_ns", "ctime_ns", "load_seq"}  # load_seq: which load batch wrote the row


def _contents(warehouse: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every raw table, sorted, without the columns that record load times."""
    out = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [t for (t,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' order by 1").fetchall()]
        for table in tables:
            cols = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = 'raw' and table_name = ? "
                "order by ordinal_position", [table]).fetchall() if c not in VOLATILE]
            rows = con.execute(f'select {", ".join(cols)} from raw."{table}"').fetchall()
            out[table] = sorted(rows, key=repr)
    return out


@pytest.fixture(scope="module")
def sequential(tmp_path_factory: pytest.TempPathFactory) -> tuple[pipeline.LoadSummary, Path]:
    """The samples through one worker, one chunk and one batch (the default thresholds)."""
    warehouse = tmp_path_factory.mktemp("sequential") / "w.duckdb"
    return extract_and_load([INBOX], warehouse, workers=1), warehouse


def test_pool_of_workers_and_batch_flushes_load_the_same_warehouse(
    sequential: tuple[pipeline.LoadSummary, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two sandboxed workers, chunks of two documents and a flush every two: three transactions, and the
    very rows one worker and one transaction write."""
    monkeypatch.setattr(pipeline, "FILES_PER_WORKER", 1)
    monkeypatch.setattr(pipeline, "CHUNK", 2)
    pools: list[int] = []
    flushed: list[int] = []
    real_sandbox, real_flush = pipeline.Sandbox, pipeline._flush

    def sandbox(workers: int, **kwargs: Any) -> Any:
        pools.append(workers)
        return real_sandbox(workers, **kwargs)

    def flush(con: Any, batch: list[Any], summary: pipeline.LoadSummary) -> None:
        if batch:
            flushed.append(sum(frames["documents"].height for frames in batch))
        real_flush(con, batch, summary)

    monkeypatch.setattr(pipeline, "Sandbox", sandbox)
    monkeypatch.setattr(pipeline, "_flush", flush)
    summary = extract_and_load([INBOX], tmp_path / "w.duckdb", workers=2, batch_size=2)

    assert pools == [2]
    assert flushed == [2, 2, 1]
    expected, warehouse = sequential
    assert summary.documents_parsed == expected.documents_parsed == len(SAMPLES)
    assert (summary.reports, summary.cells) == (expected.reports, expected.cells)
    assert sorted(summary.changed_report_ids) == sorted(expected.changed_report_ids)
    assert _contents(tmp_path / "w.duckdb") == _contents(warehouse)


def _golden(path: Path) -> dict[str, Any]:
    return json.loads((GOLDEN / f"{path.name}.json").read_text(encoding="utf-8"))


def _number(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def test_parse_json_prints_each_file_as_its_golden_file(capsys: pytest.CaptureFixture[str]) -> None:
    """`nianbao parse --json`: one object per file, in the order given, whose metadata and every cell are
    the golden file's."""
    assert main(["parse", "--json", *map(str, SAMPLES)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(SAMPLES)
    for path, line in zip(SAMPLES, lines, strict=True):
        doc, gold = json.loads(line), _golden(path)
        assert (doc["file"], doc["status"]) == (path.name, "parsed")
        assert {k: doc["report"][k] for k in ("agency", "year", "template", "variant")} == {
            k: gold[k] for k in ("agency", "year", "template", "variant")}
        read = {(c["table"], c["row"], c["col"]): _number(c["value"]) for c in doc["cells"]}
        expected = {(t, r, c): _number(v) for t, rows in gold["cells"].items() for r, cols in rows.items()
                    for c, v in cols.items()}
        assert read == expected, path.name


def test_parse_prints_a_readable_summary_per_file() -> None:
    """Without --json: the path and status, the report's identity, and the cell counts, for each file."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["parse", str(SAMPLES[2])]) == 0
    gold = _golden(SAMPLES[2])
    cells = sum(len(cols) for rows in gold["cells"].values() for cols in rows.values())
    filled = sum(v is not None for rows in gold["cells"].values() for cols in rows.values() for v in cols.values())
    lines = out.getvalue().splitlines()
    assert lines[0] == f"{SAMPLES[2]}: parsed"
    assert lines[1].startswith(f"  {gold['agency']} · {gold['year']} · {gold['template']} · {gold['variant']} · ")
    assert lines[2] == f"  cells: {cells} ({filled} with a value, {cells - filled} not reported)"
