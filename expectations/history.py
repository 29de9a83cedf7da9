"""Each agency's history: a page per agency with its years side by side, beside the data-quality report.

A researcher's question is "how did this agency change from 2019 to 2025?", so each agency gets one page:
its years as columns (from `marts.fct_agency_years`, the current report of each year), the key numbers as
rows with a small inline SVG trend, the checks its current reports passed and failed (`dq.check_results`
when the checks have run) and every name it printed. With thousands of agencies it is not one page: an index
by province and administrative level links to one page per province, which lists its agencies by level.
Static files, relative links, no script and nothing fetched: it opens from disk, offline. Every value goes
through Jinja's autoescaping (agency and file names are untrusted text).

    python -m expectations.history WAREHOUSE OUT_DIR
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb
from markupsafe import Markup, escape

from expectations.codes import environment
from expectations.pages import PageFolder, renderer_digest, row_digests
from expectations.report_data import has_table, prepare_registry, records, slug
from expectations.store import connect

FOLDER = "history"
INDEX = "index.html"
NO_PROVINCE = "（未识别省份）"
NO_LEVEL = "（未识别层级）"
# The key numbers shown per year, in this order: (column of fct_agency_years, label).
KEY_NUMBERS: tuple[tuple[str, str], ...] = (
    ("new_received", "本年新收申请"),
    ("carried_over", "上年结转"),
    ("granted", "予以公开"),
    ("partially_granted", "部分公开"),
    ("denied", "不予公开"),
    ("unable", "无法提供"),
    ("carried_forward", "结转下年度"),
    ("review_total", "行政复议"),
    ("litigation_total", "行政诉讼"),
)
TREND_WIDTH, TREND_HEIGHT, TREND_PAD = 160, 36, 3

Row = dict[str, Any]


def format_number(value: object) -> str:
    """A count as printed (thousands separators), a score with two decimals, '—' for not reported."""
    if value is None:
        return "—"
    number = float(value)  # type: ignore[arg-type]
    return f"{int(number):,}" if number.is_integer() else f"{number:,.2f}"


def trend(values: list[float | None]) -> Markup:
    """A sparkline of one number over the years; a year not reported is a gap, never a 0."""
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return Markup("")
    low, high = min(known), max(known)
    span = (high - low) or 1
    step = (TREND_WIDTH - 2 * TREND_PAD) / max(len(values) - 1, 1)
    segments: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            segments.append([])
            continue
        x = TREND_PAD + i * step
        y = TREND_HEIGHT - TREND_PAD - (v - low) / span * (TREND_HEIGHT - 2 * TREND_PAD)
        segments[-1].append(f"{x:.1f},{y:.1f}")
    lines = "".join(f'<polyline points="{" ".join(s)}" fill="none" stroke="#0969da" stroke-width="1.5"/>'
                    for s in segments if len(s) > 1)
    dots = "".join(f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="2" fill="#0969da"/>'
                   for s in segments for p in s)
    return Markup(f'<svg class="trend" viewBox="0 0 {TREND_WIDTH} {TREND_HEIGHT}" width="{TREND_WIDTH}" '
                  f'height="{TREND_HEIGHT}" xmlns="http://www.w3.org/2000/svg" role="img" '
                  f'aria-label="{escape("趋势")}">{lines}{dots}</svg>')


def province_file(province: str) -> str:
    """A file name for a province page that any file system accepts (the name itself is Chinese)."""
    return f"p_{slug(province)}.html"


def prepare_views(con: duckdb.DuckDBPyConnection) -> None:
    """Temp views of what the pages are rendered from, each with the agency it belongs to: hist_agencies (each
    agency, its province and level as its pages are filed, its years with a failed relation), hist_years (its
    current report per year), hist_names (every name it printed), hist_check_rows (per current report, check and
    severity: the registry's scope counts; empty before the checks have run) and hist_checks (those by year)."""
    con.execute("""create or replace temp view hist_years as
                   select y.*, r.file_name from marts.fct_agency_years y
                   join marts.dim_report r on r.report_id = y.current_report_id""")
    con.execute(f"""create or replace temp view hist_agencies as
                    select a.*, coalesce(nullif(a.province, ''), '{NO_PROVINCE}') as province_key,
                           coalesce(nullif(a.admin_level, ''), '{NO_LEVEL}') as level_key,
                           coalesce(f.failing_years, 0) as failing_years
                    from marts.dim_agency a left join (
                        select agency_id, count(*) filter (where relations_failed <> 0) as failing_years
                        from hist_years group by agency_id) f using (agency_id)""")
    con.execute("""create or replace temp view hist_names as
                   select agency_id, agency_name, resolution, resolution_detail, title_reports
                   from marts.dim_agency_name""")
    if has_table(con, "dq", "check_results"):
        prepare_registry(con)  # per report and check, not per result
        checks = "rep_report_checks"
    else:
        checks = ("(select null::varchar report_id, null::varchar check_id, null::varchar severity, 0 passed, "
                  "0 failed, 0 not_assessable where false)")
    con.execute(f"""create or replace temp view hist_check_rows as
                    select y.agency_id, y.year, c.check_id, c.severity, c.passed, c.failed, c.not_assessable
                    from marts.fct_agency_years y join {checks} c on c.report_id = y.current_report_id""")
    con.execute("""create or replace temp view hist_checks as
                   select agency_id, year, check_id, severity, sum(passed) as passed, sum(failed) as failed,
                          sum(not_assessable) as not_assessable
                   from hist_check_rows group by all""")


# What each agency's page is rendered from: (view, order of its rows on the page). hist_check_rows stand for
# hist_checks in its fingerprint: the same rows before they are summed by year.
AGENCY_ROWS = (("hist_agencies", "agency_id"), ("hist_years", "year"), ("hist_names", "agency_name"),
               ("hist_checks", "check_id, year, severity"))
AGENCY_DIGESTED = ("hist_agencies", "hist_years", "hist_names", "hist_check_rows")
# The agencies as a province page lists them (grouped by level_key).
AGENCY_ORDER = "province nulls last, admin_level, agency_name, agency_id"


def fingerprints(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, list[Any]], dict[str, Any]]:
    """Per agency page (by agency_id) and per province page (by province_key), the digests of the rows it is
    rendered from, computed in DuckDB (expectations.pages.row_digests)."""
    by_view = [row_digests(con, f"select * from {view}", ("agency_id",)) for view in AGENCY_DIGESTED]
    agencies = {agency_id: [digests.get((agency_id,)) for digests in by_view] for (agency_id,) in by_view[0]}
    provinces = row_digests(con, "select * from hist_agencies", ("province_key",))
    return agencies, {province: digest for (province,), digest in provinces.items()}


def load(con: duckdb.DuckDBPyConnection, agency_ids: list[str]) -> dict[str, dict[str, list[Row]]]:
    """Per view of AGENCY_ROWS, the rows of the agencies `agency_ids`, by agency, in their pages' order."""
    loaded: dict[str, dict[str, list[Row]]] = {view: defaultdict(list) for view, _ in AGENCY_ROWS}
    if not agency_ids:
        return loaded
    con.execute("create or replace temp table hist_chosen as select unnest($ids::varchar[]) as agency_id",
                {"ids": agency_ids})
    for view, order in AGENCY_ROWS:
        for r in records(con, f"select v.* from {view} v join hist_chosen using (agency_id) order by {order}"):
            loaded[view][r["agency_id"]].append(r)
    return loaded


def _check_table(results: list[Row], year_list: list[int]) -> list[Row]:
    """One row per check: per year `passed/failed/not assessable` counts of the current report's scopes."""
    by_check: dict[str, Row] = {}
    for r in results:
        row = by_check.setdefault(r["check_id"], {"check_id": r["check_id"], "severity": r["severity"], "years": {}})
        row["years"][r["year"]] = r
    return [{**row, "cells": [row["years"].get(y) for y in year_list]} for row in by_check.values()]


def _agency_values(agency: Row, rows: dict[str, dict[str, list[Row]]]) -> Row:
    """What an agency's page shows: its years side by side, a trend per key number, its checks, its names."""
    agency_id = agency["agency_id"]
    history = rows["hist_years"].get(agency_id, [])
    year_list = [y["year"] for y in history]
    numbers = [{"label": label, "per_year": [y[col] for y in history],
                "trend": trend([None if y[col] is None else float(y[col]) for y in history])}
               for col, label in KEY_NUMBERS]
    return {"agency": agency, "history": history, "years": year_list, "numbers": numbers,
            "names": rows["hist_names"].get(agency_id, []),
            "checks": _check_table(rows["hist_checks"].get(agency_id, []), year_list),
            "province_page": province_file(agency["province_key"])}


def _province_levels(con: duckdb.DuckDBPyConnection, provinces: list[str]) -> dict[str, dict[str, list[Row]]]:
    """The agencies of the province pages `provinces`, by province and level, in AGENCY_ORDER."""
    by_province: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    if provinces:
        for a in records(con, f"select * from hist_agencies where province_key in (select unnest($p::varchar[])) "
                              f"order by {AGENCY_ORDER}", {"p": provinces}):
            by_province[a["province_key"]][a["level_key"]].append(a)
    return by_province


def _index_values(con: duckdb.DuckDBPyConnection) -> Row:
    """The index: per province (those without one last), its agencies by level."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for province, level, agencies in con.execute(
            "select province_key, level_key, count(*) from hist_agencies group by all").fetchall():
        counts[province][level] = agencies
    rows = [{"province": province, "file": province_file(province), "levels": levels,
             "agencies": sum(levels.values())}
            for province, levels in sorted(counts.items(), key=lambda kv: (kv[0] == NO_PROVINCE, kv[0]))]
    all_levels = sorted({lv for r in rows for lv in r["levels"]})
    return {"rows": rows, "levels": all_levels, "agencies": sum(r["agencies"] for r in rows)}


def build_history(warehouse: Path, out_dir: Path, published: Path | None = None) -> Path:
    """Write the index, the province pages and one page per agency under `out_dir/history/`; the index path.

    With `published` (the folder holding the site as published), pages whose rows are unchanged since it was
    built are linked from its history/ instead of rendered (write_history)."""
    with connect(warehouse, read_only=True) as con:
        return write_history(con, out_dir, published)


def write_history(con: duckdb.DuckDBPyConnection, out_dir: Path, published: Path | None = None) -> Path:
    """build_history on an open connection: each page's fingerprint is a digest of its rows computed in DuckDB
    (expectations.pages), and only the rows of the pages that changed are read."""
    env = environment()
    env.filters["number"] = format_number
    pages = PageFolder(out_dir / FOLDER, published / FOLDER if published else None, renderer_digest())

    def render(name: str, template: str, values: Row) -> None:
        pages.write(name, env.get_template(template).render(**values))

    prepare_views(con)
    agency_digests, province_digests = fingerprints(con)
    changed_agencies = [agency_id for agency_id, digests in agency_digests.items()
                        if not pages.reuse(f"a/{agency_id}.html", ["history_agency.html.j2", digests])]
    changed_provinces = [province for province, digest in province_digests.items()
                         if not pages.reuse(province_file(province), ["history_province.html.j2", digest])]
    rows = load(con, changed_agencies)
    for (agency,) in rows["hist_agencies"].values():
        render(f"a/{agency['agency_id']}.html", "history_agency.html.j2", _agency_values(agency, rows))
    for province, levels in _province_levels(con, changed_provinces).items():
        render(province_file(province), "history_province.html.j2",
               {"province": province, "levels": sorted(levels.items())})
    index = _index_values(con)
    if not pages.reuse(INDEX, ["history_index.html.j2", index]):
        render(INDEX, "history_index.html.j2", index)
    pages.close()
    return out_dir / FOLDER / INDEX


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m expectations.history", description=__doc__.split("\n\n")[0])
    ap.add_argument("warehouse", type=Path)
    ap.add_argument("out_dir", type=Path)
    args = ap.parse_args(argv)
    print(build_history(args.warehouse, args.out_dir), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
