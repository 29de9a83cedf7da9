"""One inbox mixing every source form and some broken files loads in one run: each good file becomes a
report with cells and provenance, each broken file a `failed` document with its reason, and a second run
changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from documents import FAKE_DOC, scanned_pdf, seed_004_docx

from extract.pipeline import extract_and_load
from extract.readers import office

TESTS = Path(__file__).resolve().parent
PDF_DIR = TESTS / "fixtures" / "pdf"
FORMS = TESTS / "fixtures" / "forms"
INBOX = TESTS.parent / "data" / "inbox"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> tuple[Path, Path, object, object]:
    inbox = tmp_path_factory.mktemp("inbox")
    for pdf in PDF_DIR.glob("*.pdf"):
        shutil.copy(pdf, inbox / pdf.name)
    shutil.copy(FORMS / "huamu-2023-gbk.html", inbox / "huamu-2023.htm")
    shutil.copy(FORMS / "news-no-report.html", inbox / "news.html")
    shutil.copy(INBOX / "003_c61ea60888540bc5.txt", inbox / "guanlin-2020.txt")
    (inbox / "xiluoyuan-2019.docx").write_bytes(seed_004_docx()[0])
    (inbox / "legacy.doc").write_bytes(FAKE_DOC)
    data = (PDF_DIR / "huaian-city-2024.pdf").read_bytes()
    (inbox / "truncated.pdf").write_bytes(data[: len(data) * 2 // 3])
    (inbox / "not-a-zip.docx").write_bytes(b"Microsoft Word document? no: plain bytes " * 20)
    (inbox / "scan.pdf").write_bytes(scanned_pdf())
    warehouse = tmp_path_factory.mktemp("w") / "w.duckdb"
    first = extract_and_load([inbox], warehouse)
    second = extract_and_load([inbox], warehouse)
    return inbox, warehouse, first, second


def _query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_file_has_a_document_with_its_form_and_status(loaded):
    _, warehouse, first, _ = loaded
    docs = {name: (form, status) for name, form, status in _query(
        warehouse, "SELECT file_name, source_form, status FROM raw.documents")}
    assert docs == {
        "huaian-city-2024.pdf": ("pdf", "parsed"),
        "hongze-district-2023.pdf": ("pdf", docs["hongze-district-2023.pdf"][1]),
        "hongze-district-2024.pdf": ("pdf", docs["hongze-district-2024.pdf"][1]),
        "huamu-2023.htm": ("html", "parsed"),
        "news.html": ("html", "failed"),
        "guanlin-2020.txt": ("text", "parsed"),
        "xiluoyuan-2019.docx": ("docx", "parsed"),
        "legacy.doc": ("doc", "failed"),
        "truncated.pdf": ("pdf", "failed"),
        "not-a-zip.docx": ("docx", "failed"),
        "scan.pdf": ("pdf", "failed"),
    }
    assert {docs[f][1] for f in ("hongze-district-2023.pdf", "hongze-district-2024.pdf")} <= {"parsed", "partial"}
    assert first.documents_failed == 5
    assert first.documents_parsed + first.documents_partial == 6 and first.reports == 6


def test_broken_files_fail_with_their_reason(loaded):
    _, warehouse, _, _ = loaded
    errors = dict(_query(warehouse, "SELECT file_name, error FROM raw.documents WHERE status = 'failed'"))
    assert errors["truncated.pdf"].startswith("unreadable_file: truncated PDF")
    assert errors["not-a-zip.docx"] == "unreadable_file: not a valid .docx (zip) file"
    assert errors["news.html"].startswith("not_a_report")
    assert errors["scan.pdf"].startswith("needs_ocr")
    if office.soffice() is None:
        assert errors["legacy.doc"] == "unsupported_format: install libreoffice to read .doc/.wps"
    else:
        assert errors["legacy.doc"].startswith("unreadable_file: LibreOffice could not convert the file")
    issues = dict(_query(warehouse, "SELECT i.issue_code, count(*) FROM raw.parse_issues i JOIN raw.documents d "
                                    "USING (sha256) WHERE d.status = 'failed' GROUP BY 1"))
    assert sum(issues.values()) == 5


def test_cells_keep_form_specific_provenance(loaded):
    _, warehouse, _, _ = loaded
    rows = dict((name, (n, pages, boxes, grid, lines)) for name, n, pages, boxes, grid, lines in _query(warehouse, """
        SELECT d.file_name, count(*), count(c.page), count(c.bbox), count(c.table_index), count(c.line)
        FROM raw.cells c JOIN raw.documents d USING (report_id) GROUP BY 1"""))
    assert rows["huaian-city-2024.pdf"] == (200, 200, 200, 200, 0)
    assert rows["huamu-2023.htm"] == (200, 0, 0, 200, 0)
    assert rows["xiluoyuan-2019.docx"] == (201, 0, 0, 201, 0)
    n = rows["guanlin-2020.txt"][0]
    assert n > 161 + 15 and rows["guanlin-2020.txt"] == (n, 0, 0, 0, n)  # text: lines only
    value = _query(warehouse, """
        SELECT c.value, c.raw_text, c.page FROM raw.cells c JOIN raw.documents d USING (report_id)
        WHERE d.file_name = 'huaian-city-2024.pdf' AND row_code = 'new_received' AND col_code = 'total'""")
    assert value == [(3119, "3119", 4)]


def test_second_run_changes_nothing(loaded):
    _, _, first, second = loaded
    assert second.documents_unchanged == 11
    assert second.changed_report_ids == [] and second.removed_report_ids == []
    assert (second.reports, second.cells) == (first.reports, first.cells)
