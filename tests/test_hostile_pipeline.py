"""Issue 17, whole runs: an inbox of good reports plus every crafted case loads every good report and
records every bad one with a reason; a file past the time or memory limit fails alone; workers die with
the process that started them."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from extract.limits import OCR_SECONDS_PER_PAGE, OCR_SETUP_SECONDS, answer_time_requests
from extract.parse import parse_bytes
from extract.pipeline import extract_and_load
from extract.sandbox import Sandbox
from tests.fuzz import crafted
from tests.fuzz.crafted import cases

GOOD = 3


@pytest.fixture(scope="module")
def hostile_inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    inbox = tmp_path_factory.mktemp("hostile")
    for i in range(GOOD):
        (inbox / f"good{i}.txt").write_bytes(crafted.rendered("tab_rows", 100 + i))
    for case in cases():
        (inbox / case.name).write_bytes(case.make())
    twin = crafted.rendered("html", 7)
    (inbox / "twin_a.html").write_bytes(twin)
    (inbox / "twin_b.html").write_bytes(twin)
    (inbox / os.fsdecode(b"bad\xff\xfename.txt")).write_bytes(crafted.rendered("tab_rows", 50))
    return inbox


def test_every_file_of_a_hostile_inbox_gets_a_row_and_good_ones_load(hostile_inbox: Path, tmp_path: Path):
    warehouse = tmp_path / "w.duckdb"
    summary = extract_and_load([hostile_inbox], warehouse)
    files = len(list(hostile_inbox.iterdir()))
    assert summary.documents_parsed + summary.documents_partial + summary.documents_failed == files
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = dict(con.execute("SELECT file_name, status FROM raw.documents").fetchall())
        reasons = con.execute("SELECT count(*) FROM raw.documents WHERE status != 'parsed' AND error IS NULL")
        assert reasons.fetchone()[0] == 0
        twins = con.execute("SELECT count(DISTINCT report_id), count(*) FROM raw.documents "
                            "WHERE file_name LIKE 'twin_%'").fetchone()
        assert twins == (1, 2)
        assert con.execute("SELECT count(*) FROM raw.reports GROUP BY report_id HAVING count(*) > 1").fetchall() == []
        big = con.execute("SELECT count(*) FROM raw.cells WHERE abs(value) >= 1e12").fetchone()[0]
        assert big == 0
    assert len(rows) == files
    assert all(rows[f"good{i}.txt"] == "parsed" for i in range(GOOD))
    assert rows["bad\\xff\\xfename.txt"] == "parsed"
    for case in cases():
        assert rows[case.name] in case.statuses, case.name
    again = extract_and_load([hostile_inbox], warehouse)
    assert again.documents_unchanged == files  # a re-run of the same inbox changes nothing


def test_a_file_past_the_time_limit_fails_alone(tmp_path: Path):
    slow = tmp_path / "padded.pdf"
    slow.write_bytes(crafted.pdf_padded(20)())
    good = tmp_path / "good.txt"
    good.write_bytes(crafted.rendered("tab_rows", 3))
    with Sandbox(1, time_limit=3.0) as sandbox:
        docs = list(sandbox.parse([slow, good]))
    assert [d.file_name for d in docs] == ["padded.pdf", "good.txt"]
    assert docs[0].status == "failed" and docs[0].error.startswith("resource_limit: parsing took longer")
    assert docs[0].sha256 and docs[0].size_bytes == slow.stat().st_size
    assert docs[1].status == "parsed"
    assert sandbox.stats.killed_over_time == 1 and sandbox.stats.restarts == 1


def test_documents_queued_behind_a_stopped_one_go_to_the_next_worker(tmp_path: Path):
    """A worker holds several documents (the one it parses, the rest queued in its pipe): when it is killed
    past the time limit, each queued one is parsed by its replacement, in order, none lost or failed."""
    slow = tmp_path / "padded.pdf"
    slow.write_bytes(crafted.pdf_padded(20)())
    goods = []
    for i in range(5):
        goods.append(tmp_path / f"good{i}.txt")
        goods[-1].write_bytes(crafted.rendered("tab_rows", i))
    with Sandbox(1, time_limit=3.0) as sandbox:
        docs = list(sandbox.parse([goods[0], slow, *goods[1:]]))
    assert [d.file_name for d in docs] == ["good0.txt", "padded.pdf", "good1.txt", "good2.txt", "good3.txt",
                                           "good4.txt"]
    assert [d.status for d in docs] == ["parsed", "failed", "parsed", "parsed", "parsed", "parsed"]
    assert docs[1].error.startswith("resource_limit: parsing took longer")
    assert sandbox.stats.killed_over_time == 1 and sandbox.stats.restarts == 1


def test_a_scan_asks_for_its_setup_before_anything_slow_then_for_its_pages(tmp_path: Path):
    """Importing the OCR stack and decoding the image take a second or more in a fresh worker on a loaded
    machine: the reader asks for OCR_SETUP_SECONDS before them, then for its pages once counted (a worker killed
    at its plain limit while still importing was a scan lost on a busy machine)."""
    from tests.test_ocr import _ruled_page

    scan = io.BytesIO()
    _ruled_page().save(scan, format="PNG")
    asked: list[float] = []
    answer_time_requests(asked.append)
    try:
        doc = parse_bytes(scan.getvalue(), tmp_path / "scan.png")
    finally:
        answer_time_requests(None)
    assert doc.source_form == "image"
    assert asked == [OCR_SETUP_SECONDS, 1 * OCR_SECONDS_PER_PAGE]


def test_a_scan_is_given_time_for_its_pages(tmp_path: Path):
    """OCR takes seconds a page: a scan's worker asks for OCR_SECONDS_PER_PAGE per page beyond the limit, so the
    scan comes back read (no report on this page: `not_a_report`) although it ran past the plain limit, which
    still stops a text document (test_a_file_past_the_time_limit_fails_alone)."""
    from tests.test_ocr import _ruled_page

    scan = tmp_path / "scan.png"
    _ruled_page().save(scan)
    with Sandbox(1, time_limit=1.0) as sandbox:
        [doc] = list(sandbox.parse([scan]))
    assert doc.source_form == "image" and doc.status == "failed" and doc.error.startswith("not_a_report")
    assert sandbox.stats.killed_over_time == 0
    assert sandbox.stats.slowest_seconds > 1.0  # past the plain limit, and let finish


def test_a_file_past_the_memory_limit_fails_alone(tmp_path: Path):
    big = tmp_path / "tables.txt"
    big.write_bytes(crafted.text_tables(15)())
    good = tmp_path / "good.txt"
    good.write_bytes(crafted.rendered("tab_rows", 4))
    with Sandbox(1, memory_limit=400 * 2**20) as sandbox:
        docs = list(sandbox.parse([big, good]))
    assert docs[0].status == "failed" and "resource_limit" in docs[0].error
    assert docs[1].status == "parsed"


_OWNER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from extract.sandbox import Sandbox
    with Sandbox(2, time_limit=600) as sandbox:
        print(" ".join(str(s.process.pid) for s in sandbox._slots), flush=True)
        for _ in sandbox.parse([Path(sys.argv[1])] * 2):
            pass
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie is dead: only its exit status is left
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_workers_die_with_the_process_that_started_them(tmp_path: Path):
    slow = tmp_path / "padded.pdf"
    slow.write_bytes(crafted.pdf_padded(20)())
    owner = subprocess.Popen([sys.executable, "-c", _OWNER, str(slow)], stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parent.parent)
    pids = [int(p) for p in owner.stdout.readline().split()]
    assert len(pids) == 2 and all(_alive(p) for p in pids)
    time.sleep(1.0)  # both workers are busy in the PDF now
    owner.send_signal(signal.SIGKILL)
    owner.wait()
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in pids)
