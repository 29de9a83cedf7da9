"""The five bundled samples parse to exactly their golden files: every cell, nulls included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.parse import parse_file

GOLDEN = Path(__file__).resolve().parent / "fixtures" / "golden"
INBOX = Path(__file__).resolve().parent.parent / "data" / "inbox"
GOLDEN_FILES = sorted(GOLDEN.glob("*.json"))


def _golden(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _cells_by_code(doc) -> dict:
    out: dict = {}
    for c in doc.as_json()["cells"]:
        out.setdefault(c["table"], {}).setdefault(c["row"], {})[c["col"]] = c["value"]
    return out


@pytest.fixture(scope="module", params=GOLDEN_FILES, ids=lambda p: p.name.split("_")[0])
def case(request):
    gold = _golden(request.param)
    return gold, parse_file(INBOX / gold["file"])


def test_five_golden_files_present():
    assert [p.name[:3] for p in GOLDEN_FILES] == ["000", "001", "002", "003", "004"]


def test_every_cell_equals_golden(case):
    gold, doc = case
    assert _cells_by_code(doc) == gold["cells"]


def test_metadata_equals_golden(case):
    gold, doc = case
    assert {k: doc.report[k] for k in ("agency", "year", "template", "variant")} == {
        k: gold[k] for k in ("agency", "year", "template", "variant")
    }


def test_narrative_equals_golden(case):
    gold, doc = case
    assert doc.as_json()["narrative"] == gold["narrative"]


def test_every_sample_reads_completely(case):
    _, doc = case
    assert doc.status == "parsed"
    assert doc.report["tables_found"] == ["disclosure", "applications", "review_litigation"]
    assert sum(1 for c in doc.cells if c.table == "applications") == 161
    assert sum(1 for c in doc.cells if c.table == "review_litigation") == 15


def test_review_of_000_is_null_not_shifted():
    doc = parse_file(INBOX / "000_4ff96be9de752299.txt")
    review = {c.col: c for c in doc.cells if c.table == "review_litigation" and c.row == "review"}
    assert all(c.value is None and c.raw == "" for c in review.values())
    direct = [c.value for c in doc.cells if c.row == "litigation_direct"]
    assert direct == [0, 0, 0, 0, 0]
    stray = [i for i in doc.issues if i.code == "stray_cell"]
    assert len(stray) == 1 and "cell 16" in stray[0].detail


def test_short_rows_of_000_raise_cell_count_mismatch():
    doc = parse_file(INBOX / "000_4ff96be9de752299.txt")
    mismatched = sorted(i.row for i in doc.issues if i.code == "cell_count_mismatch")
    assert mismatched == ["confirmation", "inspection"]
    inspection = {c.col: c.value for c in doc.cells if c.row == "inspection"}
    assert inspection == {"prior_items": 0, "change": 0, "decisions": None}


def test_cells_keep_raw_text_and_source_line():
    doc = parse_file(INBOX / "001_37d7ff8d3b3e8faf.txt")
    change = next(c for c in doc.cells if c.row == "inspection" and c.col == "change")
    assert (change.value, change.raw) == (-38, "-38")
    lines = (INBOX / "001_37d7ff8d3b3e8faf.txt").read_text(encoding="utf-8").split("\n")
    assert lines[change.source.line - 1].strip() == "-38"
    penalty = next(c for c in doc.cells if c.row == "penalty" and c.col == "change")
    assert (penalty.value, penalty.raw) == (35, "+35")


def test_amounts_are_exact_decimals():
    doc = parse_file(INBOX / "002_7faab7bffb2fd78f.txt")
    amount = next(c for c in doc.cells if c.row == "procurement" and c.col == "amount_10k_yuan")
    assert str(amount.value) == "41174.3900" and amount.raw == "41174.3900"


def test_narrative_keeps_its_sentence():
    doc = parse_file(INBOX / "004_e0962b715bf85ce8.txt")
    facts = {f.code: f for f in doc.facts}
    assert facts["litigation_cases"].value == 1
    assert "发生1起" in facts["litigation_cases"].sentence
    assert "1468条" in facts["proactive_items"].sentence
