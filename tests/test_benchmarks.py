"""Smoke tests of the benchmark harness (the benchmark itself is `make bench`, not a test): 20 reports through
the extract stage, then 10 more, in a temporary folder; and (slow tier) the sample benchmark's runs and floors."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pytest
from rich.console import Console

from benchmarks import samples
from benchmarks.run import run_benchmark


@pytest.mark.slow
def test_benchmark_harness_measures_full_and_incremental_extract(tmp_path: Path) -> None:
    printed = io.StringIO()
    out = run_benchmark(20, add=10, keep=tmp_path / "bench", cli=False, stages=("extract",), jobs=1,
                        console=Console(file=printed, width=200))
    full, inc = out["full"]["extract"], out["incremental"]["extract"]
    assert full["result"]["documents_read"] == 20
    assert full["result"]["reports"] == 20
    assert inc["result"]["documents_read"] == 10  # only the new files are parsed
    assert inc["result"]["documents_unchanged"] == 20
    assert inc["result"]["reports"] == 30
    assert len(out["incremental"]["changed_report_ids"]) == 10
    for m in (full, inc):
        assert m["seconds"] > 0 and m["peak_tree"] > 0 and m["max_rss"] > 0
        assert all(v >= 0 for v in m["result"]["seconds"].values())
    rows = {(r["phase"], r["stage"]): r for r in out["rows"]}
    assert rows[("full", "parse")]["reports"] == 20 and rows[("full", "parse")]["rate"] > 0
    assert rows[("incremental", "TOTAL (end to end)")]["reports"] == 10
    assert not list((tmp_path / "bench" / "inbox").rglob("*.truth.json"))  # truth files kept out of the inbox
    assert "extract_and_load (wall)" in printed.getvalue()
    targets = {t["key"]: t for t in out["targets"]}
    parse = out["floors"]["parse"]
    assert parse["text"]["reports"] + parse["rich"]["reports"] == 20  # every base file sampled, by family
    assert 0 < parse["text"]["floor_ms"] < parse["text"]["parse_ms"]
    assert out["floors"]["read"]["files"] == 30  # the end-to-end floor reads every input, increment included
    assert out["floors"]["load"]["documents"] == 20 and out["floors"]["load"]["floor_cpu_s"] > 0
    assert targets["end_to_end"]["verdict"] == "no target at this N"  # stated at 100,000 and 1,000,000
    assert targets["plus_n"]["verdict"] == "not measured"  # cli=False
    assert targets["parse_text"]["target"] == f"≥ 2,500/s over {out['workers']} cores"
    assert targets["parse_rich"]["verdict"] in ("met", "missed") and targets["load"]["measured"].startswith("write")
    pdf = out["floors"]["pdf"]
    assert (pdf["files"], pdf["pages"]) == (3, 16)  # the three real reports of tests/fixtures/pdf
    assert 0 < pdf["floor_s_per_page"] < pdf["parse_s_per_page"] <= pdf["parse_s_per_page_most"]  # make converters
    assert targets["parse_pdf"]["verdict"] == ("met" if pdf["parse_s_per_page"] <= 0.15 else "missed")
    with duckdb.connect(str(tmp_path / "bench" / "nianbao.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw.reports").fetchone()[0] == 30  # the load was rolled back
    assert "issue 15's targets" in printed.getvalue()


@pytest.mark.slow
def test_sample_benchmark_measures_both_runs_beside_both_floors(tmp_path: Path, inbox: Path) -> None:
    """`benchmarks.samples` (a fresh `nianbao run` on the samples, then one with nothing new, one after a touched
    file, one after an edited file): the second and third start no job, the fourth checks the one report, and
    each run's CPU is measured beside the floors: the work without the frameworks, and the frameworks' imports
    without the work, which the fresh run (importing all of them) can only exceed."""
    out = samples.run(inbox, tmp_path)
    rows = {r["what"]: r for r in out["rows"]}
    assert list(rows) == ["fresh", "nothing new", "touched", "one edited", "floor", "imports"]
    assert out["reports"] == 5 and out["models_in_floor"] > 20 and not out["nothing_new_started_job"]
    assert not out["touched_started_job"] and out["edited_started_job"] and out["edited_checked"] == 1
    assert all(r["cpu_s"] > 0 and r["wall_s"] > 0 and r["peak_mb"] > 0 for r in rows.values())
    assert rows["fresh"]["cpu_s"] > rows["imports"]["cpu_s"] > rows["touched"]["cpu_s"]
    assert rows["one edited"]["cpu_s"] > rows["imports"]["cpu_s"] > rows["nothing new"]["cpu_s"]
    assert rows["fresh"]["target_cpu_s"] == 6.0 and rows["nothing new"]["target_cpu_s"] == 2.0
    assert rows["touched"]["target_cpu_s"] == 2.0
