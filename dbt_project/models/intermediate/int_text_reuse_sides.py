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
related_report_id = the most similar report. Only current reports take part (dim_report.is_current): the
participants; agency_id is the participant's, as its rows were computed with it.

Incremental on report_id: a run recomputes only the participants whose rows a change can alter. The changed
reports are those of the run's build scope (intermediate.nianbao_build_scope: new, reloaded, removed) and those
whose participation changed (now current or no longer, another agency_id or year: the stored rows say what they
were computed with). A changed report alters other reports' rows three ways, each recomputed:
  - a report whose rows point at a changed one (related_report_id: its last year's, or its best match) is
    recomputed in full;
  - the report of the same agency the year after a changed one has a new previous year: recomputed in full;
  - a report the changed one is an LSH candidate of (the same band of the signature: the relation is symmetric)
    may have a new best match. Its candidates are otherwise unchanged and its best was not a changed report, so
    the new best is the larger of the stored one and the changed reports' scores (ties to the larger id, as a
    full build breaks them).
Rows of reports no longer taking part are deleted by the post-hook nianbao_drop_text_reuse_leavers. When a change
reaches many reports (RECOMPUTE_ALL_*), every row is computed as on a first build.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

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
# The reports that take part: current, with an agency and a year.
PARTICIPANTS = "is_current and agency_id is not null and year is not null"
CROSS_AGENCY = "cross_agency"
# Reports recomputed in full above which the whole-corpus LSH path is cheaper (each is compared with its year's
# signature matrix once): a share of the participants, and never fewer than a count.
RECOMPUTE_ALL_SHARE = 0.1
RECOMPUTE_ALL_MIN = 1000
# The run's build scope (macros/incremental_reports.sql, written on-run-start).
BUILD_SCOPE = '"{database}"."intermediate"."nianbao_build_scope"'
COLUMNS = ["report_id", "check_id", "scope", "per", "relation", "table_found", "any_null", "expected", "actual",
           "term_values", "agency", "year", "related_report_id", "agency_id"]
TYPED = ("report_id::varchar as report_id, check_id::varchar as check_id, scope::varchar as scope, "
         "per::varchar as per, relation::varchar as relation, table_found::boolean as table_found, "
         "any_null::boolean as any_null, expected::double as expected, actual::double as actual, "
         "term_values::double[] as term_values, agency::varchar as agency, year::integer as year, "
         "related_report_id::varchar as related_report_id, agency_id::varchar as agency_id")

Key = tuple[str, str | None, int]  # agency_id, agency, year


def _similarity(a: str | None, b: str | None) -> float | None:
    if not a or not b:
        return None
    return round(fuzz.ratio(a, b) / 100.0, 4)


def _row(report: pd.Series, scope: str, score: float | None, related: str | None) -> dict[str, object]:
    return {"report_id": report.report_id, "check_id": "TEXT_REUSE", "scope": scope, "per": "report",
            "relation": "<=", "table_found": True, "any_null": score is None, "expected": REUSE_BOUND,
            "actual": score, "term_values": [score], "agency": report.agency, "year": report.year,
            "related_report_id": related, "agency_id": report.agency_id}


def _previous_year(reports: pd.DataFrame, texts: dict[tuple[str, str], str],
                   by_agency_year: dict[tuple[str, int], str]) -> list[dict[str, object]]:
    rows = []
    for r in reports.itertuples():
        before = by_agency_year.get((r.agency_id, r.year - 1))
        for section in SECTIONS:
            score = _similarity(texts.get((r.report_id, section)), texts.get((before, section))) if before else None
            rows.append(_row(r, f"{section}_previous_year", score, before))
    return rows


def _lsh_params() -> tuple[int, int]:
    """LSH bands and rows for the threshold (integrated numerically once per run)."""
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=MINHASH_PERMUTATIONS)
    return lsh.b, lsh.r


def _cross_agency(reports: pd.DataFrame, texts: dict[tuple[str, str], str],
                  signatures: dict[str, list[int]]) -> list[dict[str, object]]:
    rows = []
    params = _lsh_params()
    for _, year_reports in reports.groupby("year"):
        agency = dict(zip(year_reports.report_id, year_reports.agency_id, strict=True))
        hashed = {rid: LeanMinHash(seed=MINHASH_SEED, scheme=MINHASH_SCHEME,
                                hashvalues=np.array(signatures[rid], dtype=np.uint64))
                  for rid in year_reports.report_id if rid in signatures}
        lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=MINHASH_PERMUTATIONS, params=params)
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
            rows.append(_row(r, CROSS_AGENCY, score, best))
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


def _of(relation, session, report_ids: Iterable[str]):
    """The rows of `relation` whose report_id is one of `report_ids` (a semi join: DuckDB reads the ids once)."""
    ids = sorted(set(report_ids))
    if not ids:
        return relation.filter("false")
    return relation.join(session.from_df(pd.DataFrame({"report_id": ids})), "report_id", how="semi")


def _texts(sections) -> dict[tuple[str, str], str]:
    """Sections 一 and 五 of the reports of `sections`, by (report_id, section_code)."""
    wanted = sections.filter("section_code in ('overview', 'problems')")
    return {(rid, code): text for rid, code, text in
            wanted.project("report_id, section_code, section_text").fetchall()}


class Bands:
    """The participants of some years with a signature, as one matrix: the LSH candidates of a report are the
    reports sharing one band of its signature with it (datasketch's LSH compares the bands' bytes: the same
    relation, found for a few reports without indexing the year)."""

    def __init__(self, signatures, session, reports: pd.DataFrame, years: set[int]) -> None:
        in_years = reports[reports.year.isin(list(years))]
        rel = _of(signatures, session, in_years.report_id).project("report_id, signature").order("report_id")
        table = rel.to_arrow_table()
        self.ids = np.asarray(table["report_id"].to_pylist(), dtype=object)
        flat = np.asarray(table["signature"].combine_chunks().flatten(), dtype=np.int64)
        self.matrix = flat.reshape(len(self.ids), MINHASH_PERMUTATIONS)
        self.row = {rid: i for i, rid in enumerate(self.ids)}
        key = in_years.set_index("report_id")
        self.year = key.year.reindex(self.ids).to_numpy()
        self.agency_id = key.agency_id.reindex(self.ids).to_numpy()
        self.b, self.r = _lsh_params()

    def has(self, report_id: str) -> bool:
        return report_id in self.row

    def candidates(self, report_id: str) -> list[str]:
        """The same year's participants of another agency sharing a band with the report, sorted."""
        i = self.row[report_id]
        width = self.b * self.r
        same = self.matrix[:, :width] == self.matrix[i, :width]
        hit = same.reshape(len(self.ids), self.b, self.r).all(axis=2).any(axis=1)
        hit &= (self.year == self.year[i]) & (self.agency_id != self.agency_id[i])
        return sorted(self.ids[hit])


def _key(r) -> Key:
    return (r.agency_id, r.agency, int(r.year))


def _all_rows(session, reports: pd.DataFrame, sections, signatures) -> list[dict[str, object]]:
    """Every participant's rows: a first build, --full-refresh, a table from before agency_id was stored, or a
    change that reaches many reports."""
    texts = _texts(_of(sections, session, reports.report_id))
    by_agency_year = {(r.agency_id, r.year): r.report_id for r in reports.itertuples()}
    hashed = {r: list(v) for r, v in signatures.project("report_id, signature").fetchall()}
    return _previous_year(reports, texts, by_agency_year) + _cross_agency(reports, texts, hashed)


def _changed_rows(dbt, session, reports: pd.DataFrame, sections, signatures) -> list[dict[str, object]] | None:
    """The rows of the participants a change can alter (see the module's docstring); None when so many are
    recomputed in full that computing every row is cheaper."""
    stored = session.table(str(dbt.this)).project("report_id, agency_id, agency, year, scope, actual, "
                                                  "related_report_id").df()
    scope = {rid for (rid,) in session.table(BUILD_SCOPE.format(database=dbt.this.database))
             .project("report_id").fetchall()}
    now = {r.report_id: _key(r) for r in reports.itertuples()}
    before = {r.report_id: _key(r) for r in stored.itertuples()}
    changed = scope | {rid for rid in now.keys() | before.keys() if now.get(rid) != before.get(rid)}
    by_agency_year = {(key[0], key[2]): rid for rid, key in now.items()}

    full = {rid for rid in changed if rid in now}
    full |= {rid for rid in stored.report_id[stored.related_report_id.isin(list(changed))] if rid in now}
    full |= {by_agency_year[(now[x][0], now[x][2] + 1)] for x in changed
             if x in now and (now[x][0], now[x][2] + 1) in by_agency_year}

    if len(full) > max(RECOMPUTE_ALL_MIN, RECOMPUTE_ALL_SHARE * len(now)):
        return None
    bands = Bands(signatures, session, reports, {now[rid][2] for rid in full})
    candidates = {rid: bands.candidates(rid) for rid in full if bands.has(rid)}
    added: dict[str, list[str]] = defaultdict(list)  # report → changed reports newly among its candidates
    for x in sorted(changed & full):
        if bands.has(x):
            for rid in bands.candidates(x):
                if rid not in full:
                    added[rid].append(x)

    affected = full | added.keys()
    before_ids = {by_agency_year.get((now[rid][0], now[rid][2] - 1)) for rid in affected} - {None}
    texts = _texts(_of(sections, session, affected | before_ids | {c for cs in candidates.values() for c in cs}))
    joined = {rid: _joined(texts, rid) for rid in {k[0] for k in texts}}
    subset = reports[reports.report_id.isin(affected)].sort_values("report_id")
    rows = _previous_year(subset, texts, by_agency_year)
    stored_best = {r.report_id: (r.actual, r.related_report_id)
                   for r in stored[stored.scope == CROSS_AGENCY].itertuples()}
    for r in subset.itertuples():
        if candidates.get(r.report_id):
            score, best = _best_match(joined.get(r.report_id, ""), candidates[r.report_id], joined)
        elif r.report_id in added:
            found = [_best_match(joined.get(r.report_id, ""), sorted(added[r.report_id]), joined)]
            score, best = max(found + ([stored_best[r.report_id]] if r.report_id in stored_best else []))
        else:
            continue
        rows.append(_row(r, CROSS_AGENCY, score, best))
    return rows


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="report_id", incremental_strategy="delete+insert",
               on_schema_change="append_new_columns")
    reports = dbt.ref("dim_report").filter(PARTICIPANTS).project("report_id, agency_id, agency, year").df()
    sections = dbt.ref("stg_nianbao__report_sections")
    signatures = dbt.ref("int_text_signatures")
    rows = None
    if dbt.is_incremental and "agency_id" in session.table(str(dbt.this)).columns:
        rows = _changed_rows(dbt, session, reports, sections, signatures)
    if rows is None:
        rows = _all_rows(session, reports, sections, signatures)
    if not rows:  # typed even when nothing changed
        return session.sql(f"select {TYPED} from (select {', '.join('null as ' + c for c in COLUMNS)}) where false")
    session.register("text_reuse_rows", pd.DataFrame(rows, columns=COLUMNS))
    return session.sql(f"select {TYPED} from text_reuse_rows")
