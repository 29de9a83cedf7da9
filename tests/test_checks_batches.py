"""The checks in batches of reports (memory bounded by a batch): the rows stored do not depend on how the reports
are batched, every column of them, and the Data Docs show each batch's validation of each suite."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from sample_warehouse import build_sample_warehouse

from expectations.checks import run_checks


@pytest.mark.slow
def test_batches_of_one_report_store_the_rows_of_one_pass(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "many").mkdir()
    one, many = build_sample_warehouse(tmp_path / "one"), build_sample_warehouse(tmp_path / "many")
    single = run_checks(one, data_docs=False)
    batched = run_checks(many, data_docs=True, batch_size=1)
    with duckdb.connect() as con:
        con.execute(f"attach '{one}' as one (read_only); attach '{many}' as many (read_only)")
        only_one, only_many = (con.execute(f"select count(*) from (select * from {a}.dq.check_results except all "
                                           f"select * from {b}.dq.check_results)").fetchone()[0]
                               for a, b in (("one", "many"), ("many", "one")))
        rows = con.execute("select count(*), count(distinct report_id) from many.dq.check_results").fetchone()
    assert (only_one, only_many) == (0, 0)
    assert rows == (single.rows, 5) and single.rows > 300
    assert batched.failing_reports == single.failing_reports == 1
    assert batched.suites["applications"].failed == single.suites["applications"].failed == 6
    pages = sorted(p.parent.parent.parent.name for p in (many.parent / "gx_data_docs").glob("validations/*/*/*/*.html"))
    assert pages.count("nianbao_applications") == 5  # one validation page per suite and batch of reports
