"""Loading into `raw`: bad files fail alone with a reason, reloading changes nothing, a changed file
replaces its earlier version."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from extract import pipeline
from extract.decode import DecodeError, decode
from extract.pipeline import discover, extract_and_load
from extract.schema import REPORT_TABLES

INBOX = Path(__file__).resolve().parent.parent / "data" / "inbox"
NOT_A_REPORT = "关于做好2020年春节期间安全生产工作的通知\n各街道：\n请各单位认真落实安全生产责任制，确保节日平安。\n"


def _counts(warehouse: Path) -> dict[str, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM raw.{t}").fetchone()[0]
                for t in ("documents", "reports", "cells", "parse_issues", "narrative_facts")}
    finally:
        con.close()


@pytest.fixture
def mixed_inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    shutil.copytree(INBOX, inbox)
    (inbox / "scan.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "latin1.txt").write_bytes("Café crème, naïve façade — déjà vu. ".encode("cp1252") * 20)
    (inbox / "notice.txt").write_text(NOT_A_REPORT, encoding="utf-8")
    return inbox


def test_bad_files_fail_alone_with_a_reason(mixed_inbox: Path, tmp_path: Path):
    warehouse = tmp_path / "w.duckdb"
    summary = extract_and_load([mixed_inbox], warehouse)
    assert (summary.documents_parsed, summary.documents_failed, summary.reports) == (5, 4, 5)
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = dict(con.execute("SELECT file_name, status || ' ' || coalesce(error, '') FROM raw.documents "
                            "WHERE status <> 'parsed'").fetchall())
    con.close()
    assert rows["scan.txt"].startswith("failed binary_file")
    assert rows["empty.txt"].startswith("failed empty_file")
    assert rows["latin1.txt"].startswith("failed undecodable")
    assert rows["notice.txt"].startswith("failed not_a_report")


def test_loading_twice_leaves_the_same_rows(mixed_inbox: Path, tmp_path: Path):
    warehouse = tmp_path / "w.duckdb"
    extract_and_load([mixed_inbox], warehouse)
    first = _counts(warehouse)
    again = extract_and_load([mixed_inbox], warehouse)
    assert _counts(warehouse) == first
    assert again.documents_unchanged == 9 and again.changed_report_ids == []
    assert first["documents"] == 9 and first["reports"] == 5 and first["cells"] == 5 * 161 + 5 * 15 + 122


def test_same_content_under_two_names_is_one_report(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    src = INBOX / "001_37d7ff8d3b3e8faf.txt"
    shutil.copy(src, inbox / "a.txt")
    shutil.copy(src, inbox / "b.txt")
    counts = (extract_and_load([inbox], tmp_path / "w.duckdb"), _counts(tmp_path / "w.duckdb"))[1]
    assert (counts["documents"], counts["reports"]) == (2, 1)


def test_changed_file_replaces_its_earlier_version(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    target = inbox / "report.txt"
    shutil.copy(INBOX / "004_e0962b715bf85ce8.txt", target)
    warehouse = tmp_path / "w.duckdb"
    first = extract_and_load([inbox], warehouse)
    text = target.read_text(encoding="utf-8").replace("\t1\n\t1\n", "\t2\n\t2\n", 1)
    target.write_text(text, encoding="utf-8")
    second = extract_and_load([inbox], warehouse)
    assert second.removed_report_ids == first.changed_report_ids
    assert len(second.changed_report_ids) == 1 and second.changed_report_ids != first.changed_report_ids
    con = duckdb.connect(str(warehouse), read_only=True)
    pending = con.execute("SELECT value FROM raw.cells WHERE row_code = 'litigation_direct' "
                          "AND col_code = 'pending'").fetchall()
    docs = con.execute("SELECT count(*) FROM raw.documents").fetchone()[0]
    con.close()
    assert pending == [(2,)] and docs == 1


def test_a_report_and_its_issues_stay_while_any_document_holds_its_content(tmp_path: Path):
    """Only the replaced documents' reports and contents can lose their last document: one shared by another
    path stays, and goes, with its parse issues, when that path changes too."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    text = (INBOX / "000_4ff96be9de752299.txt").read_text(encoding="utf-8")
    for name in ("a.txt", "b.txt"):
        (inbox / name).write_text(text, encoding="utf-8")
    warehouse = tmp_path / "w.duckdb"
    (old_report,) = extract_and_load([inbox], warehouse).changed_report_ids

    def state() -> tuple[set[str], set[str], int]:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            reports = {r for (r,) in con.execute("SELECT report_id FROM raw.reports").fetchall()}
            shas = {s for (s,) in con.execute("SELECT DISTINCT sha256 FROM raw.parse_issues").fetchall()}
            cells = con.execute("SELECT count(*) FROM raw.cells WHERE report_id = ?", [old_report]).fetchone()[0]
        return reports, shas, cells

    _, old_shas, old_cells = state()
    assert old_cells > 0 and len(old_shas) == 1
    changed = text.replace("规范性文件\t1\t1\t1", "规范性文件\t2\t2\t2", 1)
    assert changed != text
    (inbox / "a.txt").write_text(changed, encoding="utf-8")
    first = extract_and_load([inbox], warehouse)
    reports, shas, cells = state()
    assert first.removed_report_ids == [] and old_report in reports and old_shas < shas and cells == old_cells
    (inbox / "b.txt").write_text(changed, encoding="utf-8")
    second = extract_and_load([inbox], warehouse)
    reports, shas, cells = state()
    assert second.removed_report_ids == [old_report] and second.changed_report_ids == []
    assert old_report not in reports and not old_shas & shas and len(shas) == 1 and cells == 0


def test_discover_skips_hidden_files(tmp_path: Path):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("x")
    assert [p.name for p in discover([tmp_path])] == ["a.txt", "b.txt"]


def test_discover_sorts_as_paths_do_and_enters_no_linked_folder(tmp_path: Path):
    """Folders are walked as os.walk walks them (a linked folder is not entered, a linked file is a file), and
    the files come in Path order: `a/z.txt` before `a-b.txt`, though `-` sorts before `/` as text."""
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    (inbox / "a").mkdir(parents=True)
    (inbox / ".hidden").mkdir()
    outside.mkdir()
    for path in (inbox / "a" / "z.txt", inbox / "a-b.txt", inbox / ".hidden" / "c.txt", outside / "d.txt"):
        path.write_text("x")
    (inbox / "linked").symlink_to(outside, target_is_directory=True)
    (inbox / "e.txt").symlink_to(outside / "d.txt")
    found = discover([inbox])
    assert [p.relative_to(inbox.resolve()).as_posix() for p in found] == ["a/z.txt", "a-b.txt", "e.txt"]
    assert found == sorted(found)


@pytest.mark.parametrize(("data", "encoding"), [
    ("二、主动公开政府信息情况".encode(), "utf-8"),
    ("二、主动公开政府信息情况".encode("utf-8-sig"), "utf-8-sig"),
    ("二、主动公开政府信息情况".encode("gb18030"), "gb18030"),
    ("二、主动公开政府信息情况".encode("utf-16"), "utf-16"),
])
def test_decode_detects_encodings(data: bytes, encoding: str):
    text, found = decode(data)
    assert text == "二、主动公开政府信息情况" and found == encoding


def test_decode_rejects_binary():
    with pytest.raises(DecodeError) as err:
        decode(b"\x00\x01\x02\x03binary\x00")
    assert err.value.code == "binary_file"


def test_unchanged_files_are_not_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    inbox = tmp_path / "inbox"
    shutil.copytree(INBOX, inbox)
    warehouse = tmp_path / "w.duckdb"
    extract_and_load([inbox], warehouse)
    read: list[str] = []
    original = pipeline.file_sha256

    def spy(path: Path) -> str:
        read.append(path.name)
        return original(path)

    monkeypatch.setattr(pipeline, "file_sha256", spy)
    again = extract_and_load([inbox], warehouse)
    assert read == [] and again.documents_unchanged == 5
    touched = inbox / "003_c61ea60888540bc5.txt"
    touched.write_bytes(touched.read_bytes())  # same content, new modification time: hashed, still unchanged
    again = extract_and_load([inbox], warehouse)
    assert read == ["003_c61ea60888540bc5.txt"] and again.documents_unchanged == 5
    extract_and_load([inbox], warehouse)  # its new time was recorded: not read again
    assert read == ["003_c61ea60888540bc5.txt"]


def test_an_older_warehouse_gains_new_raw_columns(tmp_path: Path):
    warehouse = tmp_path / "w.duckdb"
    extract_and_load([INBOX / "000_4ff96be9de752299.txt"], warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("ALTER TABLE raw.documents DROP COLUMN mtime_ns")
    summary = extract_and_load([INBOX], warehouse)
    # the first file has no recorded time: its hash shows it unchanged and its time is recorded now
    assert (summary.documents_parsed, summary.documents_unchanged) == (4, 1)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(mtime_ns), count(*) FROM raw.documents").fetchone() == (5, 5)


def _load_seqs(warehouse: Path) -> dict[str, set[int]]:
    """report_id → the load_seq values of its rows in every table of report rows."""
    found: dict[str, set[int]] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in REPORT_TABLES:
            for report_id, seq in con.execute(f"SELECT DISTINCT report_id, load_seq FROM raw.{table}").fetchall():
                found.setdefault(report_id, set()).add(seq)
    return found


def test_each_load_batch_numbers_its_reports_rows_above_every_earlier_one(tmp_path: Path):
    """load_seq: one value per batch on every row of its reports, in all five tables, and a later batch's
    value above every earlier one's; a batch that adds no report leaves the numbers as they were."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    first_files, later_files = ["000_4ff96be9de752299.txt", "001_37d7ff8d3b3e8faf.txt"], ["003_c61ea60888540bc5.txt"]
    for name in first_files:
        shutil.copy(INBOX / name, inbox / name)
    warehouse = tmp_path / "w.duckdb"
    first = extract_and_load([inbox], warehouse)
    for name in later_files:
        shutil.copy(INBOX / name, inbox / name)
    second = extract_and_load([inbox], warehouse)
    extract_and_load([inbox], warehouse)  # nothing new
    seqs = _load_seqs(warehouse)
    assert len(first.changed_report_ids) == 2 and len(second.changed_report_ids) == 1
    assert {r: seqs[r] for r in first.changed_report_ids} == {r: {1} for r in first.changed_report_ids}
    assert {r: seqs[r] for r in second.changed_report_ids} == {r: {2} for r in second.changed_report_ids}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        nulls = [con.execute(f"SELECT count(*) FROM raw.{t} WHERE load_seq IS NULL").fetchone()[0]
                 for t in REPORT_TABLES]
    assert nulls == [0] * len(REPORT_TABLES)


def test_an_older_warehouse_gains_load_seq_with_its_rows_at_zero(tmp_path: Path):
    """A warehouse written before load_seq existed: its rows get 0 (below every batch), the column is NOT NULL
    as in a new warehouse, and the next batch is numbered 1."""
    warehouse = tmp_path / "w.duckdb"
    old = extract_and_load([INBOX / "000_4ff96be9de752299.txt"], warehouse).changed_report_ids
    with duckdb.connect(str(warehouse)) as con:
        for table in REPORT_TABLES:
            con.execute(f"ALTER TABLE raw.{table} DROP COLUMN load_seq")
    new = extract_and_load([INBOX], warehouse).changed_report_ids
    seqs = _load_seqs(warehouse)
    assert len(old) == 1 and len(new) == 4
    assert seqs == {old[0]: {0}} | {r: {1} for r in new}
    with duckdb.connect(str(warehouse)) as con:
        nullable = con.execute("SELECT DISTINCT is_nullable FROM information_schema.columns "
                               "WHERE table_schema = 'raw' AND column_name = 'load_seq'").fetchall()
        assert nullable == [("NO",)]
        with pytest.raises(duckdb.ConstraintException):
            con.execute("UPDATE raw.cells SET load_seq = NULL")


def test_frames_put_each_value_in_its_column():
    """The many-row tables are built from tuples in column order (cells from columns): every value lands in its
    named column."""
    from extract.frames import TUPLE_COLUMNS, to_frames
    from extract.parse import parse_file
    from extract.schema import polars_schema

    assert all(tuple(polars_schema(t)) == cols for t, cols in TUPLE_COLUMNS.items())
    doc = parse_file(sorted(INBOX.iterdir())[0])
    frames = to_frames([doc])
    cell = next(c for c in doc.cells if c.value is not None and c.source.line)
    row = frames["cells"].filter(table_code=cell.table, row_code=cell.row, col_code=cell.col).to_dicts()
    assert row == [{"report_id": doc.report_id, "table_code": cell.table, "row_code": cell.row, "col_code": cell.col,
                    "value": cell.value.quantize(Decimal("0.0001")), "raw_text": cell.raw, **cell.source.provenance()}]
    issue = doc.issues[0]
    assert frames["parse_issues"].row(0, named=True) == {
        "sha256": doc.sha256, "report_id": doc.report_id, "issue_code": issue.code, "severity": issue.severity,
        "table_code": issue.table, "row_code": issue.row, "col_code": issue.col, "line": issue.line,
        "detail": issue.detail}
    assert frames["report_sections"].height == len(doc.sections) > 0
    assert frames["narrative_facts"]["fact_code"].to_list() == [f.code for f in doc.facts]
