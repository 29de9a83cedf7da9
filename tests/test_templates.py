"""The templates (extract/templates/*.yaml) are the single source of the form: the dbt seeds are generated
from them, and the report's labels, the synthetic generator and the reader follow a change made there alone.
"""

from __future__ import annotations

import importlib
import random
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from expectations import codes
from extract import template
from extract.parse import parse_bytes
from extract.templates import form, seeds
from synthetic import document, truth
from synthetic.render import Noise, render_report

_CACHED = (template.templates, form.tables, form.checks, form.disclosure_cells, form.relation_scopes,
           document._labels, truth.application_rows)
ROW, LABEL, NEW_LABEL, ALIAS = "denied_inquiry", "8.属于行政查询事项", "8.属于行政查询类事项", "8.行政查询事项"


def _reload() -> None:
    """Forget every form read so far (each reader caches it) and re-derive the report's labels."""
    for function in _CACHED:
        function.cache_clear()
    importlib.reload(codes)


@pytest.fixture
def edit_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, str, str], None]]:
    """Edit one file of a copy of the templates, which every reader then reads."""
    folder = tmp_path / "templates"
    shutil.copytree(template.TEMPLATE_DIR, folder)
    monkeypatch.setattr(template, "TEMPLATE_DIR", folder)

    def edit(name: str, old: str, new: str) -> None:
        text = (folder / name).read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        (folder / name).write_text(text.replace(old, new), encoding="utf-8")
        _reload()

    yield edit
    monkeypatch.undo()
    _reload()


def _read_rows(text: str) -> dict[str, dict[str, object]]:
    """Table 三 as the reader reads a report: row → column → value."""
    parsed = parse_bytes(text.encode("utf-8"), Path("report.txt"))
    rows: dict[str, dict[str, object]] = {}
    for cell in parsed.cells:
        if cell.table == "applications":
            rows.setdefault(cell.row, {})[cell.col] = cell.value
    return rows


def _report(seed: int = 7) -> tuple[truth.ReportTruth, str]:
    report = truth.random_truth(random.Random(seed), "F2019", "national")
    text = render_report(report, "tab_rows", random.Random(seed), Noise.none()).data.decode("utf-8")
    return report, text


def test_committed_seeds_are_those_the_templates_give() -> None:
    files = seeds.render()
    assert seeds.stale(files) == [], "run python -m extract.templates.seeds"
    outcomes = files[seeds.SEEDS / "dim_outcome.csv"].splitlines()
    assert len(outcomes) == 1 + 22 and "denied_inquiry,属于行政查询事项,denied: matter for administrative inquiry," \
        "denied,（三）8,10" in outcomes
    terms = files[seeds.SEEDS / "relation_terms.csv"].splitlines()
    assert "T3_BALANCE,total,always,applications,column,=,,false,expected,2,applications,carried_forward,total" in terms


def test_a_new_label_wording_is_a_one_file_change(edit_templates: Callable[[str, str, str], None]) -> None:
    assert codes.scope_label("T3_ROW_TOTAL", ROW) == "（三）8.属于行政查询事项 · 总计列"
    edit_templates("applications.yaml", f"label: {LABEL},", f"label: {NEW_LABEL},")
    dim_outcome = seeds.render()[seeds.SEEDS / "dim_outcome.csv"]
    assert f"{ROW},属于行政查询类事项," in dim_outcome and "属于行政查询事项" not in dim_outcome
    assert codes.scope_label("T3_ROW_TOTAL", ROW) == "（三）8.属于行政查询类事项 · 总计列"
    assert codes.cell_label("applications", ROW, "total") == "表三 · （三）8.属于行政查询类事项 · 总计"
    report, text = _report()
    assert NEW_LABEL in text and LABEL not in text
    assert _read_rows(text)[ROW] == report.cells["applications"][ROW]


def test_a_new_row_alias_is_a_one_file_change(edit_templates: Callable[[str, str, str], None]) -> None:
    report, text = _report()
    printed_as_alias = text.replace(LABEL, ALIAS)
    assert ROW not in _read_rows(printed_as_alias)
    edit_templates("applications.yaml", f"label: {LABEL},", f"label: {LABEL}, aliases: [{ALIAS}],")
    assert _read_rows(printed_as_alias)[ROW] == report.cells["applications"][ROW]
    assert seeds.stale(seeds.render()) == []  # an alias is how a label may be printed: no code changes


def test_identities_for_the_readers_come_from_the_relations() -> None:
    assert form.identity("T3_BALANCE") == (["new_received", "carried_over"], ["total_processed", "carried_forward"])
    lhs, rhs = form.identity("T3_OUTCOMES", "split")
    assert lhs == ["total_processed"] and rhs[:2] == ["granted", "partially_granted"] and len(rhs) == 18 + 3
    assert rhs[-3:] == ["other_overdue_correction", "other_overdue_fee", "other_other"]
    assert form.identity("T3_OUTCOMES", "single")[1][-1] == "other"
    assert form.identity("T4_TOTAL") == (["total"], ["upheld", "corrected", "other", "pending"])
    assert form.identity("T3_ROW_TOTAL")[1] == ["natural_person", "commercial", "research", "social_welfare",
                                                "legal_service", "other_org"]


def test_the_format_of_a_year_follows_the_templates_first_years() -> None:
    assert [form.template_of_year(y) for y in (2018, 2019, 2020, 2021, 2025)] == [
        "F2019", "F2019", "F2019", "F2021", "F2021"]
