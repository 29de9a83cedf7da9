"""GX Data Docs of the last check run, built into `<warehouse folder>/gx_data_docs/`, usable offline.

GX's page templates load Bootstrap, jQuery, Vega, Font Awesome and logos from CDNs. The docs are meant to
be opened where there may be no network and must not phone home, so everything a browser would fetch from
another host is removed, and a little inline CSS keeps the pages readable (including the pass/fail marks
that were Font Awesome icons); GX's own stylesheet (copied into `static/`) still applies.
The folder is rebuilt from scratch each run, so it shows exactly the latest validation.

GX's index lists validations through a jQuery table fed from a CDN, so offline it is empty: a static list
of the validations (suite, batch of reports, time, outcome, failing reports) is put at its top instead,
and each validation page gets a table naming the reports that failed each expectation. Every value is
escaped: agency names are untrusted text.
"""

from __future__ import annotations

import glob
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from expectations.codes import TEMPLATES, environment, publishing
from expectations.results import failing_keys
from expectations.store import connect

if TYPE_CHECKING:
    from great_expectations.data_context import AbstractDataContext

SITE = "nianbao_local"
FOLDER = "gx_data_docs"
# What a browser would fetch by itself: scripts, stylesheets, images and CSS url()s on other hosts.
_EXTERNAL = re.compile(
    r"<script[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>"
    r"|<link[^>]*\bhref=[\"']https?://[^>]*>"
    r"|<img[^>]*\bsrc=[\"']https?://[^>]*>",
    re.IGNORECASE | re.DOTALL,
)
_CSS_URL = re.compile(r"url\(\s*[\"']?https?://[^)]*\)", re.IGNORECASE)
# Anything left that a browser would load from the network (links to click are fine).
REMOTE_LOAD = re.compile(
    r"<(?:script|img|iframe)[^>]*\bsrc=[\"']?https?://|<link[^>]*\bhref=[\"']?https?://|url\(\s*[\"']?https?://",
    re.IGNORECASE,
)
def strip_external_assets(html: str) -> str:
    """Remove CDN scripts, stylesheets, images and CSS urls, and add a small inline stylesheet instead."""
    html = _CSS_URL.sub("none", _EXTERNAL.sub("", html))
    css = (TEMPLATES / "gx_docs_offline.css").read_text(encoding="utf-8")
    return html.replace("</head>", f"<style>\n{css}</style></head>", 1)


REPORTS_NAMED = 200  # failing reports named per expectation on a validation page; the rest are counted
_BODY_OPEN = re.compile(r"<body[^>]*>", re.IGNORECASE)
Row = dict[str, Any]


def _failures(result: Any) -> list[Row]:
    """The reports failing each expectation of one validation result (check_id, scope, severity, report_ids)."""
    out = []
    for item in result.results:
        ids = sorted({r for r, _, _ in failing_keys("", (item.result or {}).get("unexpected_index_list")) if r})
        if ids:
            meta = item.expectation_config.meta or {}
            out.append({"check_id": str(meta.get("check_id", item.expectation_config.type)), "report_ids": ids,
                        "scope": str(meta.get("scope", "")), "severity": str(meta.get("severity", ""))})
    return out


def validations(context: AbstractDataContext) -> list[Row]:
    """The validations held by the context's store as the index and its pages show them, with their failures."""
    store = context.validation_results_store
    out = []
    for key in store.list_keys():
        result = store.get(key)
        failures = _failures(result)
        out.append({"suite": key.expectation_suite_identifier.name, "batch": str(key.batch_identifier),
                    "run_time": key.run_id.run_time.strftime("%Y-%m-%d %H:%M:%S"), "success": bool(result.success),
                    "failures": failures, "page": "",
                    "failing_reports": len({r for f in failures for r in f["report_ids"]})})
    return sorted(out, key=lambda v: (v["suite"], v["batch"]))


def agency_names(warehouse: Path, report_ids: set[str]) -> dict[str, str]:
    """Agency and year of the failing reports, to name them; empty when the warehouse cannot be read."""
    if not report_ids:
        return {}
    try:
        with connect(warehouse, read_only=True) as con:
            return dict(con.execute(
                "select report_id, coalesce(agency, file_name) || coalesce(' ' || year, '') from marts.dim_report "
                "where report_id in (select unnest($ids::varchar[]))", {"ids": sorted(report_ids)}).fetchall())
    except duckdb.Error:
        return {}


def _insert_after_body(page: Path, section: str) -> None:
    html = page.read_text(encoding="utf-8")
    match = _BODY_OPEN.search(html)
    page.write_text(html[: match.end()] + section + html[match.end():] if match else section + html, encoding="utf-8")


def annotate(folder: Path, items: list[Row], names: dict[str, str]) -> None:
    """Name the failing reports on each validation page and list the validations on the index."""
    sections = environment().get_template("gx_docs.html.j2").module
    for validation in items:
        pattern = f"validations/{glob.escape(validation['suite'])}/*/*/{glob.escape(validation['batch'])}.html"
        pages = sorted(folder.glob(pattern))
        if pages:
            validation["page"] = pages[-1].relative_to(folder).as_posix()
            _insert_after_body(pages[-1], str(sections.failing(validation, names, REPORTS_NAMED)))
    if (folder / "index.html").exists():
        _insert_after_body(folder / "index.html", str(sections.index(items)))


def build_data_docs(context: AbstractDataContext, warehouse: Path) -> Path:
    """Render the context's validation results into `<warehouse folder>/gx_data_docs/`; return index.html."""
    with publishing(warehouse.parent, [FOLDER]) as staging:
        site = staging / FOLDER
        context.add_data_docs_site(SITE, {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })
        context.build_data_docs(site_names=[SITE])
        for page in site.rglob("*.html"):
            page.write_text(strip_external_assets(page.read_text(encoding="utf-8")), encoding="utf-8")
        runs = validations(context)
        annotate(site, runs, agency_names(warehouse, {r for v in runs for f in v["failures"] for r in f["report_ids"]}))
    return warehouse.parent / FOLDER / "index.html"
