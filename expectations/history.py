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

from markupsafe import Markup, escape

from expectations.codes import environment
from expectations.pages import PageFolder, renderer_digest
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


def load(warehouse: Path) -> tuple[list[Row], dict[str, list[Row]], dict[str, list[Row]], dict[str, list[Row]]]:
    """Agencies, and per agency: its years, its names, and its current reports' check results by year."""
    with connect(warehouse, read_only=True) as con:
        agencies = records(con, "select * from marts.dim_agency "
                           "order by province nulls last, admin_level, agency_name, agency_id")
        years = defaultdict(list)
        for r in records(con, "select y.*, r.file_name from marts.fct_agency_years y "
                            "join marts.dim_report r on r.report_id = y.current_report_id order by y.year"):
            years[r["agency_id"]].append(r)
        names = defaultdict(list)
        for r in records(con, "select agency_id, agency_name, resolution, resolution_detail, title_reports "
                            "from marts.dim_agency_name order by agency_name"):
            names[r["agency_id"]].append(r)
        checks = defaultdict(list)
        if has_table(con, "dq", "check_results"):
            prepare_registry(con)  # per report and check, not per result
            for r in records(con, """
                    select y.agency_id, y.year, c.check_id, c.severity, sum(c.passed) as passed,
                           sum(c.failed) as failed, sum(c.not_assessable) as not_assessable
                    from marts.fct_agency_years y join rep_report_checks c on c.report_id = y.current_report_id
                    group by all order by y.agency_id, c.check_id, y.year"""):
                checks[r["agency_id"]].append(r)
    return agencies, years, names, checks


def _check_table(results: list[Row], year_list: list[int]) -> list[Row]:
    """One row per check: per year `passed/failed/not assessable` counts of the current report's scopes."""
    by_check: dict[str, Row] = {}
    for r in results:
        row = by_check.setdefault(r["check_id"], {"check_id": r["check_id"], "severity": r["severity"], "years": {}})
        row["years"][r["year"]] = r
    return [{**row, "cells": [row["years"].get(y) for y in year_list]} for row in by_check.values()]


def build_history(warehouse: Path, out_dir: Path, published: Path | None = None) -> Path:
    """Write the index, the province pages and one page per agency under `out_dir/history/`; the index path.

    With `published` (the folder holding the site as published), pages whose values are unchanged since it was
    built are linked from its history/ instead of rendered (expectations.pages)."""
    agencies, years, names, checks = load(Path(warehouse))
    env = environment()
    env.filters["number"] = format_number
    pages = PageFolder(out_dir / FOLDER, published / FOLDER if published else None, renderer_digest())

    def page(name: str, template: str, values: Row) -> None:
        if not pages.reuse(name, [template, values]):
            pages.write(name, env.get_template(template).render(**values))

    by_province: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for a in agencies:
        history = years.get(a["agency_id"], [])
        year_list = [y["year"] for y in history]
        a["failing_years"] = sum(1 for y in history if y["relations_failed"])
        by_province[a["province"] or NO_PROVINCE][a["admin_level"] or NO_LEVEL].append(a)
        numbers = [{"label": label, "per_year": [y[col] for y in history],
                    "trend": trend([None if y[col] is None else float(y[col]) for y in history])}
                   for col, label in KEY_NUMBERS]
        page(f"a/{a['agency_id']}.html", "history_agency.html.j2", {
            "agency": a, "history": history, "years": year_list, "numbers": numbers,
            "names": names.get(a["agency_id"], []), "checks": _check_table(checks.get(a["agency_id"], []), year_list),
            "province_page": province_file(a["province"] or NO_PROVINCE)})
    index_rows = []
    for province, levels in sorted(by_province.items(), key=lambda kv: (kv[0] == NO_PROVINCE, kv[0])):
        page(province_file(province), "history_province.html.j2",
             {"province": province, "levels": sorted(levels.items())})
        index_rows.append({"province": province, "file": province_file(province),
                           "levels": {lv: len(items) for lv, items in levels.items()},
                           "agencies": sum(len(items) for items in levels.values())})
    all_levels = sorted({lv for r in index_rows for lv in r["levels"]})
    page(INDEX, "history_index.html.j2", {"rows": index_rows, "levels": all_levels, "agencies": len(agencies)})
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
