"""A `nianbao run` lists and stats its inputs once: the listing gives the run's fingerprint, and the extract works
from the same listing (`extract.pipeline.listed_inputs`) instead of listing 100,000 files again."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from extract.pipeline import InputListing, extract_and_load, list_inputs, listed_inputs
from orchestration.runstate import fingerprint

TEXTS = sorted(p for p in (Path(__file__).parent / "fixtures" / "text").iterdir() if p.suffix in (".txt", ".md"))[:3]


def test_the_extract_works_from_the_listing_it_is_given(tmp_path: Path) -> None:
    inbox, warehouse = tmp_path / "inbox", tmp_path / "nianbao.duckdb"
    inbox.mkdir()
    for text in TEXTS[:2]:
        shutil.copy(text, inbox)
    listing = list_inputs([inbox])
    shutil.copy(TEXTS[2], inbox)  # arrives after the run listed its inputs
    with listed_inputs(listing):
        first = extract_and_load([inbox], warehouse, workers=1)
    assert first.documents_unchanged == 0 and first.documents_parsed + first.documents_partial == 2
    after = extract_and_load([inbox], warehouse, workers=1)  # no listing given: the inputs are listed now
    assert after.documents_unchanged == 2 and after.documents_parsed + after.documents_partial == 1


def test_the_fingerprint_follows_the_listing(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for text in TEXTS[:2]:
        shutil.copy(text, inbox)
    first = fingerprint(list_inputs([inbox]), "", "sources")
    assert fingerprint(list_inputs([inbox]), "", "sources") == first
    assert fingerprint(list_inputs([inbox]), "", "other sources") != first
    touched = inbox / TEXTS[0].name
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 1))
    assert fingerprint(list_inputs([inbox]), "", "sources") != first
    listing = list_inputs([inbox])
    touched.unlink()  # gone after the listing: its stat stays what was listed
    assert str(touched) in listing.stats and listing.stats[str(touched)] is not None
    assert list_inputs([inbox]).stats.keys() == {str(inbox / TEXTS[1].name)}


def test_the_fingerprint_is_the_one_earlier_versions_recorded() -> None:
    """The value is pinned: a `nianbao run` after an upgrade still finds the last run's record current when
    nothing changed (the value was computed by the version before scopes were recorded)."""
    listing = InputListing(("/srv/inbox",), {"/srv/inbox/a.txt": (120, 1700000000000000000, 1700000000000000001),
                                             "/srv/inbox/b.pdf": None})
    assert fingerprint(listing, "/srv/report", "sources") == (
        "c2ca74c2e6ff169f8eaaae32d22bf9c113ab75f13a0288d27ba84dc919597cc0")
