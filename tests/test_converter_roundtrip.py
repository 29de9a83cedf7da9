"""Dumps of real conversion tools (crawlers, PDF and Word converters) of the generator's HTML, Word and PDF
renderings, round-tripped through the parser like the other layouts.

Each converter × format × variant is a layout: no parsed number may differ from the truth, and every cell the
parser leaves null (or leaves out) must be covered by a warning or error naming its table, row or cell. The
share of determinable cells read exactly is measured, not asserted: a summary line per converter is printed at
the end of the module (`python -m synthetic.convert --report N` prints it per combination).

The converters that take about a second per file (`Converter.stored`) are read from their stored dumps in the
fast tier (tests/converted_dumps.py); the slow tier converts live, and checks the stored dumps against the tools.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from converted_dumps import FAST_SEEDS, STORED_CONVERTERS, dump_name, manifest, stored_dump
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from synthetic.compare import describe
from synthetic.convert import (
    CONVERTERS,
    PDFTOTEXT,
    SHAPES,
    Converter,
    Outcome,
    Tally,
    cached_case,
    case_for,
    check,
    convert,
    shape_id,
)
from synthetic.render import Noise
from synthetic.truth import INJECTION_KINDS

FAST_CONVERTERS = [c for c in CONVERTERS if not c.slow]
SHAPE_IDS = [shape_id(s) for s in SHAPES]
# No shrinking: examples are seeds, a smaller seed is not a simpler report. The failure prints the seed.
SLOW = settings(max_examples=20, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture], database=None)

noises = st.builds(Noise, cell_forms=st.booleans(), null_forms=st.booleans(), blanks=st.booleans(),
                   split_labels=st.booleans(), stray_cells=st.booleans(), encodings=st.booleans(),
                   heading_variants=st.booleans())
injections = st.lists(st.sampled_from(INJECTION_KINDS), max_size=2, unique=True).map(tuple)
seeds = st.integers(0, 2**32 - 1)


def _name(c: Converter) -> str:
    return c.name


@pytest.fixture(scope="module")
def tallies(request: pytest.FixtureRequest) -> Iterator[dict[str, Tally]]:
    """Per-converter counts over the module's reports, printed when the module ends."""
    counts: dict[str, Tally] = {}
    yield counts
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is None or capture is None or not counts:
        return
    with capture.global_and_fixture_disabled():  # teardown output is captured otherwise
        reporter.write_line("")
        reporter.write_line("converter round trips: share of determinable cells read exactly")
        for name, tally in counts.items():
            reporter.write_line(tally.line(name))


def _failure(o: Outcome) -> str:
    return (f"{o.converter} {shape_id(o.shape)} seed={o.seed} (parse status {o.status})\n"
            + describe(o.failures, o.doc))


def test_pdftotext_is_installed():
    """poppler-utils is a Debian package (make converters installs it): its absence is a failure, not a skip."""
    assert shutil.which(PDFTOTEXT), "pdftotext not found: apt-get install poppler-utils (make converters)"


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("conv", FAST_CONVERTERS, ids=_name)
def test_converted_roundtrip(conv, shape, tallies):
    cases = [cached_case(shape, seed, conv.source) for seed in FAST_SEEDS]
    outcomes = [check(conv, case, stored_dump(conv, case) if conv.stored else None) for case in cases]
    for o in outcomes:
        tallies.setdefault(conv.name, Tally()).add(o)
    failed = [_failure(o) for o in outcomes if o.failures]
    if failed:
        pytest.fail("\n".join(failed), pytrace=False)


def test_every_fast_case_of_a_stored_converter_is_stored():
    assert set(manifest()) == {dump_name(conv, shape, seed)
                               for conv in STORED_CONVERTERS for shape in SHAPES for seed in FAST_SEEDS}


@pytest.mark.slow
@pytest.mark.parametrize("conv", STORED_CONVERTERS, ids=_name)
def test_stored_dumps_are_the_tools_output(conv):
    """The fast tier's stored dumps are what the installed tool writes today (regenerate: tests/converted_dumps.py)."""
    for shape in SHAPES:
        for seed in FAST_SEEDS:
            case = cached_case(shape, seed, conv.source)
            assert convert(conv, case) == stored_dump(conv, case), dump_name(conv, shape, seed)


@pytest.mark.slow
@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("conv", CONVERTERS, ids=_name)
@SLOW
@given(seed=seeds, inject=injections, noise=noises)
def test_converted_roundtrip_many(conv, shape, seed, inject, noise, tallies):
    o = check(conv, case_for(shape, seed, conv.source, inject, noise))
    tallies.setdefault(conv.name, Tally()).add(o)
    if o.failures:
        pytest.fail(f"{_failure(o)}\nreproduce: case_for({o.shape!r}, {seed}, {conv.source!r}, {inject!r}, {noise!r})",
                    pytrace=False)
