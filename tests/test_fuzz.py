"""Issue 17, fast tier of the fuzzing: hypothesis draws mutants of the synthetic corpus of every form,
hostile HTML grids, digit runs and file names; nothing raises, nothing runs long, nothing out of range is
kept. The campaign of 10,000 inputs is `make fuzz`; a smaller one runs in `make test-slow`."""

from __future__ import annotations

import os
import random
import time
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.guard import VALUE_LIMIT
from extract.parse import parse_bytes
from extract.readers import path_text
from extract.solve import digit_splits, document_budget, row_sum_splits
from tests.fuzz.campaign import run
from tests.fuzz.mutate import mutate
from tests.fuzz.seeds import FORMS, Seed, make_seed

STATUSES = {"parsed", "partial", "failed"}
# A mutant of a small synthetic report is read in well under this, even on a busy machine.
MUTANT_SECONDS = 10.0


@cache
def _seed(layout: str) -> Seed:
    return make_seed(layout, 0)


def _sound(doc) -> None:
    assert doc.status in STATUSES
    assert (doc.error is None) == (doc.status == "parsed")
    assert not any(i.code == "internal_error" and "worker" in i.detail for i in doc.issues)
    assert all(c.value is None or abs(c.value) < VALUE_LIMIT for c in doc.cells)
    refs = [(c.table, c.row, c.col) for c in doc.cells]
    assert len(refs) == len(set(refs))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layout=st.sampled_from([f for f in FORMS if f != "pdf"]), rng=st.randoms(use_true_random=False))
def test_a_mutant_of_any_form_is_a_document_with_a_status(layout: str, rng: random.Random):
    seed = _seed(layout)
    data, _ = mutate(seed.data, seed.suffix, rng)
    start = time.monotonic()
    doc = parse_bytes(data, Path(seed.name))
    assert time.monotonic() - start < MUTANT_SECONDS
    _sound(doc)


@settings(max_examples=5, deadline=None)
@given(rng=st.randoms(use_true_random=False))
def test_a_mutant_pdf_is_a_document_with_a_status(rng: random.Random):
    seed = _seed("pdf")
    data, _ = mutate(seed.data, seed.suffix, rng)
    _sound(parse_bytes(data, Path(seed.name)))


_SPAN = st.one_of(st.integers(0, 5).map(str), st.sampled_from(["", "x", "-1", "2147483647", "9" * 400, " 3 "]))


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.lists(st.tuples(_SPAN, _SPAN, st.sampled_from(["", "1", "0", "本年新收", "<b>"])),
                              max_size=12), max_size=30))
def test_hostile_html_grids_are_read_or_refused_quickly(rows):
    body = "".join("<tr>" + "".join(f'<td rowspan="{r}" colspan="{c}">{t}</td>' for r, c, t in row) + "</tr>"
                   for row in rows)
    start = time.monotonic()
    doc = parse_bytes(f"<html><body><table>{body}</table></body></html>".encode(), Path("grid.html"))
    assert time.monotonic() - start < MUTANT_SECONDS
    _sound(doc)


@settings(max_examples=60, deadline=None)
@given(run_text=st.text(alphabet="0123456789 9", min_size=1, max_size=200), n=st.integers(1, 15))
def test_digit_runs_of_any_length_are_bounded(run_text: str, n: int):
    start = time.monotonic()
    with document_budget():
        splits = digit_splits(run_text, n)
        sums = row_sum_splits(run_text)
    assert time.monotonic() - start < MUTANT_SECONDS
    assert splits is None or all(len(s) == n for s in splits)
    assert sums is None or all(len(s) == 7 for s in sums)


@given(name=st.binary(min_size=1, max_size=40).filter(lambda b: b"/" not in b and b"\x00" not in b))
def test_any_file_name_is_valid_text_and_stable(name: bytes):
    text = path_text(os.fsdecode(name))
    text.encode("utf-8")
    assert text == path_text(os.fsdecode(name))


@pytest.mark.slow
def test_a_small_campaign_has_no_escape_hang_or_lost_document():
    fig = run(inputs=600, seeds_per_form=2, workers=2, big=False, keep=None)
    assert fig.inputs == 600 and fig.lost == 0 and fig.escapes == 0 and fig.hangs == 0 and fig.crashes == 0
    assert not fig.crafted_unexpected
    assert fig.peak_rss_bytes < 2 * 2**30
