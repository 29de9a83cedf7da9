"""Issue 15's targets, each beside what a `make bench` run measured and a floor measured in the same run.

`benchmarks.run` measures the floors after its stages, in a child process like every stage
(`python -m benchmarks.targets INBOX WAREHOUSE OUT.json`: a parse sample, the load into the built warehouse rolled
back, the inputs read once), and prints `target_rows` as the last table. A target is stated for one corpus
size (end to end: 100,000 and 1,000,000 reports); at another N that row says so instead of a verdict.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

TEXT_LAYOUTS = ("tab_rows", "cell_per_line", "markdown", "sparse", "digit_run")
RICH_LAYOUTS = ("html", "docx")
PARSE_TEXT_PER_S = 2_500  # reports/s over every core, text layouts, digit runs included
PARSE_RICH_PER_S = 800  # reports/s over every core, HTML and DOCX
PLUS_TEN_WALL_S = 10.0  # `nianbao run` adding a few reports to a large warehouse
PDF_PAGE_CPU_S = 0.15  # CPU s per page, born-digital PDFs with ruled tables
# Real reports as their agencies published them (born-digital, ruled tables), not the generator's PDFs: those
# come from one renderer, and the bench's default mix has none.
PDF_SAMPLES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pdf"
PDFTOTEXT = "pdftotext"
PDF_PASSES = 3
END_TO_END = {100_000: (180.0, 4 * 2**30), 1_000_000: (1_800.0, None)}  # N: (wall s, peak bytes or None)
SAMPLE_FILES = 600  # files of the inbox parsed in-process for the per-layout rates
LOAD_SAMPLE_FILES = 600  # parsed documents written (and rolled back) to compare the load with the inserts alone
DOCX_BODY = "word/document.xml"


@dataclass
class TargetRow:
    """One target: the figure asked for, what this run measured, the floor beside it, and the verdict."""

    key: str  # parse_text, parse_rich, parse_pdf, end_to_end, plus_n, load
    what: str
    target: str
    measured: str
    floor: str
    verdict: str


def layout_of(path: Path) -> str:
    """The layout a synthetic file name states (`000123_digit_run.txt` → digit_run)."""
    return path.name.split("_", 1)[-1].rsplit(".", 1)[0]


def _floor_read(path: Path) -> None:
    """What any parser of the file must do: read its bytes and decode its text (a DOCX: unzip its body)."""
    from extract.decode import decode

    data = path.read_bytes()
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as docx:
            docx.read(DOCX_BODY).decode("utf-8")
    else:
        decode(data)[0].splitlines()


def parse_sample(files: list[Path]) -> dict[str, dict[str, float]]:
    """Per layout family: CPU ms per report of `parse_file`, and of the read floor, over the same files."""
    from extract.parse import parse_file
    from extract.pipeline import _tune_gc

    _tune_gc()  # as in the pool's workers
    parse_file(files[0])  # templates and imports loaded before timing
    parse: dict[str, float] = defaultdict(float)
    floor: dict[str, float] = defaultdict(float)
    counts: Counter[str] = Counter()
    for path in files:
        family = "text" if layout_of(path) in TEXT_LAYOUTS else "rich" if layout_of(path) in RICH_LAYOUTS else None
        if family is None:
            continue
        start = time.process_time()
        _floor_read(path)
        floor[family] += time.process_time() - start
        start = time.process_time()
        parse_file(path)
        parse[family] += time.process_time() - start
        counts[family] += 1
    return {family: {"reports": counts[family], "parse_ms": 1000 * parse[family] / counts[family],
                     "floor_ms": 1000 * floor[family] / counts[family]} for family in counts}


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _pdf_pass(files: list[Path]) -> tuple[float, float]:
    """CPU s of `parse_file` over `files`, and of `pdftotext -layout` over them (0 when it is missing)."""
    from extract.parse import parse_file

    parse = floor = 0.0
    for path in files:
        start = time.process_time()
        parse_file(path)
        parse += time.process_time() - start
        if shutil.which(PDFTOTEXT):
            start = _children_cpu_s()
            subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, check=True)
            floor += _children_cpu_s() - start
    return parse, floor


def pdf_sample(files: list[Path]) -> dict[str, Any]:
    """CPU s per page of `parse_file` over born-digital PDFs, and of `pdftotext -layout` (poppler, C) writing the
    same pages' text: what reading the text layer costs at least (None when pdftotext is missing). The sample
    is small, and one pass over it varied by a third between runs alone on this machine: each figure is the
    least of PDF_PASSES passes, with the most beside it."""
    import pdfplumber

    from extract.parse import parse_file

    parse_file(files[0])  # the PDF stack imported and its fonts' tables loaded before timing
    pages = 0
    for path in files:
        with pdfplumber.open(path) as pdf:
            pages += len(pdf.pages)
    passes = [_pdf_pass(files) for _ in range(PDF_PASSES)]
    parse = [p / pages for p, _ in passes]
    floor = min(f for _, f in passes) / pages if shutil.which(PDFTOTEXT) else None
    return {"files": len(files), "pages": pages, "passes": PDF_PASSES, "parse_s_per_page": min(parse),
            "parse_s_per_page_most": max(parse), "floor_s_per_page": floor}


def load_ratio(warehouse: Path, files: list[Path]) -> dict[str, float]:
    """CPU s of `to_frames` + `replace_documents` for the files' documents, and of inserting the same frames
    alone, both inside transactions rolled back (benchmarks.load)."""
    import duckdb

    from benchmarks.load import _insert_only, _timed
    from extract.frames import to_frames
    from extract.load import replace_documents
    from extract.parse import parse_file

    docs = [parse_file(p) for p in files]
    to_frames(docs[:1])  # Polars' start-up, not the load's cost
    with duckdb.connect(str(warehouse)) as con:
        start = time.process_time()
        frames = to_frames(docs)
        build = time.process_time() - start
        write = _timed(con, lambda: replace_documents(con, frames))[1]
        floor = _timed(con, lambda: _insert_only(con, frames))[1]
    return {"documents": len(docs), "frames_cpu_s": build, "write_cpu_s": write, "floor_cpu_s": floor}


def read_all(files: Iterable[Path]) -> dict[str, float]:
    """Wall seconds to read every input file's bytes once: the I/O floor of any end-to-end run."""
    start, count, size = time.perf_counter(), 0, 0
    for path in files:
        size += len(path.read_bytes())
        count += 1
    return {"files": count, "bytes": size, "seconds": time.perf_counter() - start}


def measure_floors(inbox: Path, warehouse: Path) -> dict[str, Any]:
    """The floors `target_rows` prints beside the run's figures, measured now on the run's inbox and warehouse."""
    base = sorted(p for p in inbox.iterdir() if p.is_file())
    every = sorted(p for p in inbox.rglob("*") if p.is_file())
    return {"parse": parse_sample(base[:SAMPLE_FILES]), "pdf": pdf_sample(sorted(PDF_SAMPLES.glob("*.pdf"))),
            "load": load_ratio(warehouse, base[:LOAD_SAMPLE_FILES]), "read": read_all(every)}


def _gb(value: float) -> str:
    return f"{value / 2**30:.2f} GB"


def _parse_row(key: str, what: str, family: dict[str, float] | None, cores: int, target: int) -> TargetRow:
    if not family:
        return TargetRow(key, what, f"≥ {target:,}/s", "no such files in the sample", "", "not measured")
    rate, floor = cores * 1000 / family["parse_ms"], cores * 1000 / family["floor_ms"]
    return TargetRow(key, what, f"≥ {target:,}/s over {cores} cores",
                     f"{rate:,.0f}/s ({family['parse_ms']:.2f} ms CPU/report, {family['reports']:.0f} files)",
                     f"read + decode {floor:,.0f}/s ({family['floor_ms']:.3f} ms)",
                     "met" if rate >= target else "missed")


def _pdf_row(pdf: dict[str, Any]) -> TargetRow:
    per_page = pdf["parse_s_per_page"]
    floor = pdf["floor_s_per_page"]
    return TargetRow("parse_pdf", "parse, ruled-table PDFs", f"≤ {PDF_PAGE_CPU_S} s CPU per page",
                     f"{per_page:.3f} s CPU/page, least of {pdf['passes']} passes (most "
                     f"{pdf['parse_s_per_page_most']:.3f}; {pdf['pages']} pages, {pdf['files']} real reports)",
                     f"pdftotext -layout {floor:.4f} s/page" if floor is not None else "pdftotext not installed",
                     "met" if per_page <= PDF_PAGE_CPU_S else "missed")


def _end_to_end_row(out: dict[str, Any], total: dict[str, Any], floors: dict[str, Any]) -> TargetRow:
    n = out["n"]
    read = floors["read"]
    floor = f"reading the {read['files']:,} files: {read['seconds']:.1f} s"
    measured = f"{total['seconds']:.0f} s, peak {_gb(total['peak_tree'])}"
    if n not in END_TO_END:
        stated = ", ".join(f"{k:,}" for k in END_TO_END)
        return TargetRow("end_to_end", f"end to end, N = {n:,}", f"stated at N = {stated}", measured, floor,
                         "no target at this N")
    wall, peak = END_TO_END[n]
    met = total["seconds"] <= wall and (peak is None or total["peak_tree"] <= peak)
    target = f"≤ {wall:.0f} s" + (f", ≤ {_gb(peak)}" if peak else ", memory flat in N")
    return TargetRow("end_to_end", f"end to end, N = {n:,}", target, measured, floor, "met" if met else "missed")


def _plus_row(out: dict[str, Any]) -> TargetRow:
    cli = out.get("cli")
    increment = out.get("incremental", {}).get("extract", {}).get("result", {}).get("seconds", {})
    own_work = increment.get("parse", 0.0) + increment.get("load", 0.0)
    floor = f"their extract (parse with the pool's start, load): {own_work:.1f} s" if increment else ""
    if not cli:
        return TargetRow("plus_n", f"+{out['add']} through nianbao run", f"≤ {PLUS_TEN_WALL_S:.0f} s wall",
                         "not run (--no-cli)", floor, "not measured")
    return TargetRow("plus_n", f"+{out['add']} to {out['n']:,} through nianbao run", f"≤ {PLUS_TEN_WALL_S:.0f} s wall",
                     f"{cli['seconds']:.1f} s ({cli['cpu']:.1f} CPU s)", floor,
                     "met" if cli["seconds"] <= PLUS_TEN_WALL_S else "missed")


def _load_row(load: dict[str, float]) -> TargetRow:
    write, floor = load["write_cpu_s"], load["floor_cpu_s"]
    measured = f"write {write:.3f} CPU s ({write / floor:.2f}× the floor); frames {load['frames_cpu_s']:.3f} s"
    return TargetRow("load", f"load, {load['documents']:.0f} documents",
                     "near DuckDB's own bulk insert (no figure set)", measured,
                     f"the same frames inserted alone: {floor:.3f} CPU s", "see ratio")


def target_rows(out: dict[str, Any], floors: dict[str, Any]) -> list[TargetRow]:
    """Every target of issue 15 that a `benchmarks.run` measures, beside its floor."""
    cores = out["workers"]
    total = next(r for r in out["rows"] if r["phase"] == "full" and r["stage"].startswith("TOTAL"))
    total = {"seconds": total["seconds"], "peak_tree": total["peak_tree"]}
    return [
        _parse_row("parse_text", "parse, text layouts", floors["parse"].get("text"), cores, PARSE_TEXT_PER_S),
        _parse_row("parse_rich", "parse, HTML and DOCX", floors["parse"].get("rich"), cores, PARSE_RICH_PER_S),
        _pdf_row(floors["pdf"]),
        _end_to_end_row(out, total, floors),
        _plus_row(out),
        _load_row(floors["load"]),
    ]


def print_targets(rows: list[TargetRow], console: Console) -> None:
    table = Table(title="issue 15's targets, beside the floor measured in this run")
    for col in ("what", "target", "measured", "floor", "verdict"):
        table.add_column(col)
    for r in rows:
        table.add_row(r.what, r.target, r.measured, r.floor, r.verdict,
                      style="bold red" if r.verdict == "missed" else None)
    console.print(table)


def main(argv: list[str]) -> int:
    inbox, warehouse, out = (Path(a) for a in argv)
    out.write_text(json.dumps(measure_floors(inbox, warehouse)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
