"""The data-quality report: a small static site for a supervising office (政务公开办), no SQL needed.

It must stay usable at 100,000 reports, so it is not one endless page: `data_quality.html` is the summary
(counts, charts by check, year, level and province, the worst reports, what could not be read), and links
down through a page per province and per city to a page per agency that needs action, where each failing
relation links to the source file and the line or page its numbers were printed on. An offline search
index (`search_index.js`, loaded on first use) finds any agency by name. One shared stylesheet and script
beside the pages, inline SVG charts, relative links only: it opens from disk, offline, and loads nothing
from the network.

Rendered from the warehouse's stored tables only (expectations.report_data), so it can be rebuilt at any
time; every value goes through Jinja's autoescaping (agency names and file names are untrusted text). A build
renders only the pages whose values changed since the published one and links the others (expectations.pages).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import defaultdict
from dataclasses import astuple, dataclass
from datetime import datetime
from functools import cache
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any
from urllib.parse import quote_from_bytes

import duckdb

from expectations import report_data as data
from expectations.codes import CHECKS, TEMPLATES, WORDING, environment, publishing, scope_label
from expectations.history import FOLDER as HISTORY
from expectations.history import write_history
from expectations.pages import MANIFEST, PageFolder, groups, renderer_digest, row_digests
from expectations.store import connect
from extract.templates import form

PAGE = "data_quality.html"
DOCUMENTS_PAGE = "documents.html"
SEARCH_INDEX = "search_index.js"
REGIONS = "regions"
AGENCIES = "agencies"
STATIC = ("report.css", "report.js")  # shared by every page, copied beside the summary
# Published in this order, the summary last: the pages it links to are in place before it is; the top folder's
# manifest (of the documents page) after the page it describes.
OUTPUTS = (*STATIC, AGENCIES, HISTORY, REGIONS, SEARCH_INDEX, DOCUMENTS_PAGE, MANIFEST, PAGE)
PROVINCES_CHARTED = 15
# Agency pages are rendered in groups of about this many reports, whose findings are read, rendered and let go:
# the rows Python holds do not grow with the corpus (1.3 M unassessed relations at 100,000 reports).
REPORTS_PER_GROUP = 10_000
# A path pathlib would write differently from how it is stored (`//`, `/./`, a trailing `/`): pathlib decides.
_NOT_PATHLIB_FORM = re.compile(r"//|/\.(?:/|$)|./$")

Row = dict[str, Any]


@dataclass(frozen=True)
class Caps:
    """How many items each capped list shows (the rest are counted)."""

    top_failing: int = 100
    documents_on_summary: int = 50
    documents_page: int = 5_000
    findings_per_report: int = 60
    unassessed_per_report: int = 40


def province_file(province: str) -> str:
    return f"{data.slug(province)}.html"


def city_file(province: str, city: str) -> str:
    return f"{data.slug(province)}-{data.slug(province + '|' + city)}.html"


def agency_page(province: str, city: str, agency_label: str) -> str:
    return f"{data.slug('|'.join((province, city, agency_label)))}.html"


def agency_file(report: Row) -> str:
    return agency_page(report["province"], report["city"], report["agency_label"])


def check_named(check_id: str) -> form.Check:
    """How the pages name a check and its sides (a check no longer declared is named by its id)."""
    return CHECKS.get(check_id) or form.Check(check_id, "", "", "左边", "右边")


def file_uri(path: str) -> str:
    """pathlib's `Path(path).as_uri()` of an absolute POSIX path, without building a Path (a tenth of the cost,
    and this runs for every finding): the path's bytes percent-encoded after `file://`."""
    if os.name != "posix" or _NOT_PATHLIB_FORM.search(path):
        return Path(path).as_uri()
    return "file://" + quote_from_bytes(os.fsencode(path))


def source_uri(path: str | None, source_form: str | None, page: int | None) -> str:
    """A link to the source file (and its page, for PDFs) that opens from the report in a browser."""
    if not path or not os.path.isabs(path):
        return ""
    uri = file_uri(path)
    return f"{uri}#page={page}" if page and source_form == "pdf" else uri


class Site:
    """The pages of one report build, written into `folder` (staging); pages whose values are those the site
    published in `published` rendered them from are linked from it, not rendered again (expectations.pages)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, folder: Path, caps: Caps, published: Path | None = None) -> None:
        self.con, self.folder, self.caps, self.published = con, folder, caps, published
        self.env = environment()
        # Each check and scope is named the same on every page: named once (a page lists thousands of them).
        self.env.globals.update(check=cache(check_named), severity_words=WORDING["severities"],
                                scope_label=cache(scope_label), source_uri=source_uri)
        self.env.filters["chinese"] = data.chinese_detail
        self.renderer = renderer_digest(astuple(caps))

    def render(self, template: str, target: Path, **values: Any) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.env.get_template(template).render(**values), encoding="utf-8")

    def page_folder(self, name: str) -> PageFolder:
        """The staging folder `name`, reusing the published folder of that name."""
        return PageFolder(self.folder / name, self.published / name if self.published else None, self.renderer)

    def write(self) -> None:
        for name in STATIC:
            shutil.copyfile(TEMPLATES / name, self.folder / name)
        data.prepare_views(self.con)
        self.write_agencies()
        self.write_regions()
        self.write_search_index()
        self.write_documents()
        self.write_summary()

    def write_summary(self) -> None:
        """The summary: aggregates over every report, rendered on every build with the time it was built."""
        order = {c: i for i, c in enumerate(CHECKS)}
        summary = sorted(data.check_summary(self.con), key=lambda r: order.get(r["check_id"], len(order)))
        years = data.by_dimension(self.con, "coalesce(year::varchar, '年度未识别')")
        levels = data.by_dimension(self.con, "level")
        provinces = data.by_dimension(self.con, "province")
        for row in provinces:
            row["href"] = f"{REGIONS}/{province_file(row['key'])}"
        charts = [  # (title, [(label, value, of_total)]): bars drawn by templates/_charts.html.j2
            ("不通过的报告数 · 按核对项",
             [(s["check_id"], s["failing"], s["passing"] + s["failing"] + s["not_assessable"]) for s in summary]),
            ("未通过法定勾稽关系的报告 · 按年度",
             [(str(y["key"]), y["failing"], y["reports"]) for y in sorted(years, key=lambda y: str(y["key"]))]),
            ("未通过法定勾稽关系的报告 · 按层级", [(v["key"], v["failing"], v["reports"]) for v in levels]),
            (f"未通过法定勾稽关系的报告 · 按省份（前 {PROVINCES_CHARTED}）",
             [(p["key"], p["failing"], p["reports"]) for p in provinces[:PROVINCES_CHARTED]]),
        ]
        top = data.top_failing(self.con, self.caps.top_failing)
        for report in top:
            report["href"] = _agency_href(report)
        docs, docs_total = self._documents(self.caps.documents_on_summary)
        self.render(
            "data_quality.html.j2", self.folder / PAGE, root="", head=data.headline(self.con), summary=summary,
            charts=charts, provinces=provinces, levels=levels, top_failing=top, docs=docs, docs_total=docs_total,
            generated=datetime.now().strftime("%Y-%m-%d %H:%M"),
        )

    def _documents(self, limit: int) -> tuple[list[Row], int]:
        docs, total = data.unreadable_documents(self.con, limit)
        for doc in docs:
            doc["uri"] = source_uri(doc["path"], doc["source_form"], None)
            doc["href"] = ""
            if doc["report_id"] and doc["status"] == "partial" and doc["agency_label"]:
                doc["href"] = f"{AGENCIES}/{agency_file(doc)}"
        return docs, total

    def write_documents(self) -> None:
        """Every document not read in full (up to a cap): rendered when the rows it lists or their count change."""
        pages = PageFolder(self.folder, self.published, self.renderer, label="documents")
        limit = self.caps.documents_page
        listed = row_digests(self.con, f"select 'all' as page, * from ({data.unreadable_rows(limit)})", ("page",))
        fingerprint = ["documents.html.j2", listed.get(("all",)), data.unreadable_count(self.con)]
        if not pages.reuse(DOCUMENTS_PAGE, fingerprint):
            docs, total = self._documents(limit)
            pages.write(DOCUMENTS_PAGE, self.env.get_template("documents.html.j2").render(
                root="", docs=docs, docs_total=total))
        pages.close()

    def write_regions(self) -> None:
        """A page per province (its cities' counts) and per city (its reports): rendered when their rows change.
        A city page's fingerprint is the digest of its reports' rows, computed in DuckDB; only the rows of the
        cities that changed are read."""
        pages = self.page_folder(REGIONS)
        cities_of: dict[str, list[Row]] = defaultdict(list)
        for row in data.by_dimension(self.con, "city", within="province"):
            province = row.pop("within")
            cities_of[province].append({**row, "href": city_file(province, row["key"])})
        for province, cities in sorted(cities_of.items()):
            total = {k: sum(c[k] for c in cities) for k in ("reports", "failing", "warned")}
            values = {"root": "../", "province": province, "cities": cities, "total": total}
            self._page(pages, province_file(province), "province.html.j2", values)
        changed = [city for city, digest in row_digests(self.con, data.CITY_ROWS, data.CITY_PAGE).items()
                   if not pages.reuse(city_file(*city), ["city.html.j2", digest])]
        template = self.env.get_template("city.html.j2")
        rows = data.page_rows(self.con, data.CITY_PAGE, changed) if changed else []
        for (province, city), reports in groupby(rows, itemgetter(*data.CITY_PAGE)):
            levels: dict[str, list[Row]] = defaultdict(list)
            for row in reports:
                levels[row["level"]].append({**row, "href": f"../{_agency_href(row)}" if row["needs_page"] else ""})
            pages.write(city_file(province, city), template.render(
                root="../", province=province, city=city, province_href=province_file(province),
                levels=sorted(levels.items())))
        pages.close()

    def _page(self, pages: PageFolder, name: str, template: str, values: Row) -> None:
        """Page `name` of `pages` from `template`, unless the published one was rendered from the same values."""
        if not pages.reuse(name, [template, values]):
            pages.write(name, self.env.get_template(template).render(**values))

    def write_agencies(self) -> None:
        """A page per agency with its reports' failing relations and those that could not be checked.

        Its fingerprint is a digest, computed in DuckDB, of its reports' rows and of the rows their findings are
        drawn from (data.AGENCY_ROWS); only the changed pages' reports are read and their findings drawn, read in
        groups of about REPORTS_PER_GROUP reports, rendered and let go."""
        pages = self.page_folder(AGENCIES)
        by_page: dict[str, list[tuple[tuple[str, ...], Any]]] = defaultdict(list)
        for agency, digest in row_digests(self.con, data.AGENCY_ROWS, data.AGENCY_PAGE).items():
            by_page[agency_page(*agency)].append((agency, digest))
        changed = [agency for name, found in by_page.items()
                   if not pages.reuse(name, ["agency.html.j2", sorted(found)]) for agency, _ in found]
        rows = data.page_rows(self.con, data.AGENCY_PAGE, changed, where="needs_page") if changed else []
        reports_of: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            reports_of[agency_page(*itemgetter(*data.AGENCY_PAGE)(row))].append(row)
        changed_pages = []
        for name, reports in reports_of.items():
            reports.sort(key=lambda r: (-(r["year"] or 0), r["report_id"]))
            changed_pages.append((name, _agency_values(reports)))
        if rows:
            data.choose_reports(self.con, [r["report_id"] for r in rows])
            data.gather_results(self.con, self.caps.findings_per_report, self.caps.unassessed_per_report)
        template = self.env.get_template("agency.html.j2")
        for group in groups(changed_pages, lambda page: len(page[1]["reports"]), REPORTS_PER_GROUP):
            data.choose_reports(self.con, [r["report_id"] for _, values in group for r in values["reports"]])
            findings = _by_report(data.findings(self.con))
            unassessed = _by_report(data.unassessed(self.con))
            for name, values in group:
                shown = [{**r, **_results(r, findings.get(r["report_id"], []), unassessed.get(r["report_id"], []))}
                         for r in values["reports"]]
                pages.write(name, template.render(**{**values, "reports": shown}))
        pages.close()

    def write_search_index(self) -> None:
        """[name, years, href, flag] per agency and region: a small offline index for the search box. An agency
        links to its page, or to its first report's row on its city page."""
        index = []
        for entry in data.search_entries(self.con):
            href = (_agency_href(entry) if entry["needs_page"] else
                    f"{REGIONS}/{city_file(entry['province'], entry['city'])}#r-{entry['report_id'][:16]}")
            fails = entry["fails"]
            index.append([entry["agency_label"], " ".join(str(y) for y in entry["years"] or ()), href,
                          f"不通过 {fails} 处" if fails else ""])
        # `<` as \u003c: the index stays inert even if someone pastes it into a page.
        text = json.dumps(index, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
        (self.folder / SEARCH_INDEX).write_text(f"window.NIANBAO_SEARCH={text};\n", encoding="utf-8")


def _agency_href(report: Row) -> str:
    """The link to the agency page of a report's agency, from the site's top folder."""
    return f"{AGENCIES}/{agency_file(report)}"


def _agency_values(reports: list[Row]) -> Row:
    """What an agency page shows besides its reports' findings: the agency, its place, its reports' rows."""
    first = reports[0]
    return {
        "root": "../", "agency": first["agency_label"], "level": first["level"], "province": first["province"],
        "city": first["city"], "province_href": f"../{REGIONS}/{province_file(first['province'])}",
        "city_href": f"../{REGIONS}/{city_file(first['province'], first['city'])}", "reports": reports,
    }


def _results(report: Row, findings: list[Row], unassessed: list[Row]) -> Row:
    """One report's findings and unassessed relations as its agency page shows them (capped, the rest counted)."""
    total = report["fails"] + report["warnings"] + report["notes"]
    return {"uri": source_uri(report["path"], report["source_form"], None), "findings": findings,
            "more_findings": total - len(findings),
            "unassessed_labels": [_unassessed_label(u["check_id"], u["scope"]) for u in unassessed]}


@cache
def _unassessed_label(check_id: str, scope: str) -> str:
    """A relation that could not be checked, as its agency page lists it: the check, then the scope. Named once
    per check and scope: at 100,000 reports the pages list millions of them, and naming each in the template
    was half the agency pages' rendering."""
    return f"{check_named(check_id).label}：{scope_label(check_id, scope)}"


def _by_report(rows: list[Row]) -> dict[str, list[Row]]:
    """Rows that come ordered by report, grouped by it."""
    return {report_id: list(group) for report_id, group in groupby(rows, itemgetter("report_id"))}


def build_report(warehouse: Path, out_dir: Path, caps: Caps = Caps()) -> Path:
    """Write the report's pages into `out_dir` from the stored results; returns the summary page.

    The site is staged and published folder by folder (expectations.codes.publishing); a page whose values are
    unchanged since the published build is linked from it, so a build costs what changed (expectations.pages).
    Every page but the summary (which says when it was built) is byte for byte what a build into an empty
    folder writes."""
    out_dir = Path(out_dir)
    with publishing(out_dir, OUTPUTS) as staging, connect(warehouse, read_only=True) as con:
        if not data.has_table(con, "dq", "check_results"):
            raise LookupError(f"{warehouse} has no dq.check_results: run the checks first (expectations.checks)")
        Site(con, staging, caps, published=out_dir).write()
        if all(data.has_table(con, "marts", t) for t in ("dim_agency", "fct_agency_years")):
            write_history(con, staging, published=out_dir)  # each agency's years side by side
    return out_dir / PAGE
