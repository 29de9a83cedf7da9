"""The real PDFs through the whole pipeline (`nianbao run`): their cells reach the marts and the consistency
checks evaluate them — every relation assessable, the statutory balance holding, and the one table that
does not add up (洪泽区 2023, section 四) reported as a finding, not a pipeline failure. Slow (dbt + GX)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

PDF_DIR = Path(__file__).resolve().parent / "fixtures" / "pdf"
NIANBAO = Path(sys.executable).with_name("nianbao")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> tuple[dict, dict[tuple[str, str], dict[str, int]]]:
    tmp = tmp_path_factory.mktemp("pdfrun")
    inbox = tmp / "inbox"
    inbox.mkdir()
    for pdf in PDF_DIR.glob("*.pdf"):
        shutil.copy(pdf, inbox / pdf.name)
    warehouse = tmp / "w.duckdb"
    run = subprocess.run([str(NIANBAO), "run", "--input", str(inbox), "--warehouse", str(warehouse), "--json"],
                         capture_output=True, text=True, cwd=tmp, timeout=900)
    assert run.returncode == 0, run.stderr
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("SELECT d.file_name, c.check_id, c.status, count(*) FROM dq.check_results c "
                           "JOIN raw.documents d USING (report_id) GROUP BY ALL").fetchall()
    finally:
        con.close()
    by: dict[tuple[str, str], dict[str, int]] = {}
    for name, check, status, n in rows:
        by.setdefault((name, check), {})[status] = n
    return json.loads(run.stdout), by


def test_all_three_load_as_parsed_reports(results):
    summary, _ = results
    assert summary["documents"]["parsed"] == 3 and summary["documents"]["failed"] == 0
    assert summary["reports"] == 3 and summary["cells"] == 200 + 186 + 186


@pytest.mark.parametrize("name", ["huaian-city-2024.pdf", "hongze-district-2023.pdf", "hongze-district-2024.pdf"])
def test_section_three_relations_are_evaluated_and_hold(results, name):
    _, by = results
    rows = 25 if name.startswith("huaian") else 23
    assert by[(name, "T3_BALANCE")] == {"pass": 7}
    assert by[(name, "T3_OUTCOMES")] == {"pass": 7}
    assert by[(name, "T3_ROW_TOTAL")] == {"pass": rows}


def test_review_totals_evaluated_with_the_one_printed_error(results):
    _, by = results
    assert by[("huaian-city-2024.pdf", "T4_TOTAL")] == {"pass": 3}
    assert by[("hongze-district-2024.pdf", "T4_TOTAL")] == {"pass": 3}
    # 洪泽区 2023 prints 行政复议 10+1 and 复议后起诉 5 with totals of 0
    assert by[("hongze-district-2023.pdf", "T4_TOTAL")] == {"fail": 2, "pass": 1}
