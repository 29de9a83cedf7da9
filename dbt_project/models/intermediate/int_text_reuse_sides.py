"""文本重复 — TEXT_REUSE sides, in the row shape of fct_relation_sides: how much of a report's prose is the same
agency's previous year's, and whether another agency of the same year printed nearly the same text.

- scopes `overview_previous_year`, `problems_previous_year`: section 一 / 五 against the same section of the
  agency's current report of the year before (rapidfuzz normalised Indel similarity, 0–1); not assessable
  when either year or either section is missing;
- scope `cross_agency`: sections 一 and 五 together against the current reports of other agencies of the same
  year. datasketch MinHash LSH over the signatures int_text_signatures keeps (each report hashed once)
  proposes candidates (near-linear, no all-pairs), and rapidfuzz scores each candidate; the best is kept. A
  report without a candidate has no row.

actual = the score, expected = REUSE_BOUND, relation `<=` (a score above the bound is flagged, severity info);
related_report_id = the most similar report. Only current reports take part (dim_report.is_current).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from datasketch import LeanMinHash, MinHashLSH
from rapidfuzz import fuzz, process

# A score above this says the text was copied rather than rewritten.
REUSE_BOUND = 0.9
# The sections a report rewrites every year (一 总体情况, 五 存在的主要问题及改进情况).
SECTIONS = ("overview", "problems")
# as int_text_signatures hashed them (datasketch's default seed)
MINHASH_PERMUTATIONS = 128
MINHASH_SEED = 1
MINHASH_SCHEME = "affine32"
# Jaccard similarity of shingles above which LSH proposes a pair (rapidfuzz then scores it).
LSH_THRESHOLD = 0.6
# Raw rapidfuzz scores (0–100) closer than this to the best can round (to 4 places of 0–1) to the same score.
ROUNDED_APART = 0.01
COLUMNS = ["report_id", "check_id", "scope", "per", "relation", "table_found", "any_null", "expected", "actual",
           "term_values", "agency", "year", "related_report_id"]


def _similarity(a: str | None, b: str | None) -> float | None:
    if not a or not b:
        return None
    return round(fuzz.ratio(a, b) / 100.0, 4)


def _row(report: pd.Series, scope: str, score: float | None, related: str | None) -> dict[str, object]:
    return {"report_id": report.report_id, "check_id": "TEXT_REUSE", "scope": scope, "per": "report",
            "relation": "<=", "table_found": True, "any_null": score is None, "expected": REUSE_BOUND,
            "actual": score, "term_values": [score], "agency": report.agency, "year": report.year,
            "related_report_id": related}


def _previous_year(reports: pd.DataFrame, texts: dict[tuple[str, str], str]) -> list[dict[str, object]]:
    by_agency_year = {(r.agency_id, r.year): r.report_id for r in reports.itertuples()}
    rows = []
    for r in reports.itertuples():
        before = by_agency_year.get((r.agency_id, r.year - 1))
        for section in SECTIONS:
            score = _similarity(texts.get((r.report_id, section)), texts.get((before, section))) if before else None
            rows.append(_row(r, f"{section}_previous_year", score, before))
    return rows


def _cross_agency(reports: pd.DataFrame, texts: dict[tuple[str, str], str],
                  signatures: dict[str, list[int]]) -> list[dict[str, object]]:
    rows = []
    params = None  # LSH bands and rows for the threshold: integrated numerically once, then reused every year
    for _, year_reports in reports.groupby("year"):
        agency = dict(zip(year_reports.report_id, year_reports.agency_id, strict=True))
        hashed = {rid: LeanMinHash(seed=MINHASH_SEED, scheme=MINHASH_SCHEME,
                                hashvalues=np.array(signatures[rid], dtype=np.uint64))
                  for rid in year_reports.report_id if rid in signatures}
        lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=MINHASH_PERMUTATIONS, params=params)
        params = (lsh.b, lsh.r)
        for rid, signature in hashed.items():
            lsh.insert(rid, signature)
        joined = {rid: _joined(texts, rid) for rid in hashed}
        for r in year_reports.itertuples():
            if r.report_id not in hashed:
                continue
            others = sorted(c for c in lsh.query(hashed[r.report_id]) if agency[c] != r.agency_id)
            if not others:
                continue
            score, best = _best_match(joined[r.report_id], others, joined)
            rows.append(_row(r, "cross_agency", score, best))
    return rows


def _best_match(mine: str, others: list[str], joined: dict[str, str]) -> tuple[float, str]:
    """The highest score (as _similarity rounds it, 0 for no text) and, among the candidates that reach it, the
    last id. The candidates' texts are scored in one rapidfuzz call (a long candidate list per report in a
    corpus of similar prose); only those whose rounded score can equal the best are rounded."""
    if not mine:
        return 0.0, others[-1]
    raw = process.cdist([mine], [joined[c] for c in others], scorer=fuzz.ratio, dtype=np.float64)[0]
    near = np.flatnonzero(raw >= raw.max() - ROUNDED_APART)
    return max((round(float(raw[i]) / 100.0, 4), others[i]) for i in near)


def _joined(texts: dict[tuple[str, str], str], report_id: str) -> str:
    return "\n".join(texts.get((report_id, s), "") for s in SECTIONS).strip()


def model(dbt, session):
    dbt.config(materialized="table")
    reports = dbt.ref("dim_report").filter("is_current and agency_id is not null and year is not null") \
        .project("report_id, agency_id, agency, year").df()
    sections = dbt.ref("stg_nianbao__report_sections").filter(
        "section_code in ('overview', 'problems')").project("report_id, section_code, section_text").df()
    texts = {(r.report_id, r.section_code): r.section_text for r in sections.itertuples()}
    signatures = {r: list(v) for r, v in dbt.ref("int_text_signatures").project("report_id, signature").fetchall()}
    rows = _previous_year(reports, texts) + _cross_agency(reports, texts, signatures)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.astype({"expected": "float64", "actual": "float64", "year": "Int32", "table_found": "bool",
                         "any_null": "bool"})
