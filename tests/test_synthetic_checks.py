"""End to end on the synthetic corpus: inconsistencies injected into printed tables survive parsing and
the warehouse, and the consistency checks flag exactly them (and nothing in the clean reports)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sample_warehouse import extract_and_build, query

from expectations.checks import run_checks
from synthetic.render import Noise, render_report
from synthetic.truth import INJECTION_KINDS, random_truth, relation_failures

STATUTORY = ("T3_BALANCE", "T3_OUTCOMES", "T3_ROW_TOTAL", "T4_TOTAL", "NON_NEGATIVE")
CASES = [(kind, fmt, variant, layout) for kind, (fmt, variant), layout in zip(
    (*INJECTION_KINDS, None, None),
    [("F2019", "beijing"), ("F2021", "national"), ("F2019", "national"), ("F2021", "single_other"),
     ("F2021", "national"), ("F2019", "national"), ("F2021", "national")],
    ["tab_rows", "cell_per_line", "markdown", "html", "tab_rows", "docx", "cell_per_line"], strict=True)]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, list[str]]]]:
    """Reports with one injected inconsistency each (and two clean ones), built into a warehouse."""
    folder = tmp_path_factory.mktemp("synthetic_checks")
    inbox = folder / "inbox"
    inbox.mkdir()
    expected: dict[str, dict[str, list[str]]] = {}
    for i, (kind, fmt, variant, layout) in enumerate(CASES):
        truth = random_truth(random.Random(100 + i), fmt, variant, inject=(kind,) if kind else ())
        rendered = render_report(truth, layout, random.Random(100 + i), Noise.none())
        name = f"{i:02d}_{kind or 'clean'}{rendered.suffix}"
        (inbox / name).write_bytes(rendered.data)
        expected[name] = relation_failures(truth)
    warehouse = extract_and_build(folder, inbox)
    run_checks(warehouse)
    return warehouse, expected


def _failing(warehouse: Path, file_name: str) -> dict[str, list[str]]:
    rows = query(warehouse, "select c.check_id, c.scope from dq.check_results c join marts.dim_report r "
                 "using (report_id) where r.file_name = ? and c.status = 'fail' and c.severity = 'error'",
                 [file_name])
    out: dict[str, list[str]] = {check: [] for check in STATUTORY}
    for check, scope in rows:
        out[check].append(scope)
    return {check: sorted(scopes) for check, scopes in out.items()}


def test_every_injection_is_flagged_where_the_truth_fails(corpus):
    warehouse, expected = corpus
    for name, fails in expected.items():
        assert _failing(warehouse, name) == {check: sorted(fails[check]) for check in STATUTORY}, name


def test_each_injection_kind_makes_at_least_one_relation_fail(corpus):
    warehouse, expected = corpus
    injected = [name for name in expected if "clean" not in name]
    assert len(injected) == len(INJECTION_KINDS)
    assert all(any(_failing(warehouse, name).values()) for name in injected)
    clean = [name for name in expected if "clean" in name]
    assert clean and all(not any(_failing(warehouse, name).values()) for name in clean)
