"""GX Data Docs of the last check run, built into `<warehouse folder>/gx_data_docs/`, usable offline.

GX's page templates load Bootstrap, jQuery, Vega, Font Awesome and logos from CDNs. The docs are meant to
be opened where there may be no network and must not phone home, so everything a browser would fetch from
another host is removed, and a little inline CSS keeps the pages readable (including the pass/fail marks
that were Font Awesome icons); GX's own stylesheet (copied into `static/`) still applies.
The folder is rebuilt from scratch each run, so it shows exactly the latest validation.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

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
_OFFLINE_CSS = """<style>
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;vertical-align:top}
.collapse:not(.show){display:block}.d-none{display:none}
.fa-check-circle::before{content:"✔ 通过";color:#1a7f37;font-style:normal}
.fa-times::before{content:"✘ 不通过";color:#c62828;font-style:normal;font-weight:bold}
</style>"""


def strip_external_assets(html: str) -> str:
    """Remove CDN scripts, stylesheets, images and CSS urls, and add a small inline stylesheet instead."""
    html = _CSS_URL.sub("none", _EXTERNAL.sub("", html))
    return html.replace("</head>", f"{_OFFLINE_CSS}</head>", 1)


def build_data_docs(context: AbstractDataContext, warehouse: Path) -> Path:
    """Render the context's validation results into `<warehouse folder>/gx_data_docs/`; return index.html."""
    target = warehouse.parent / FOLDER
    staging = Path(tempfile.mkdtemp(prefix=f".{FOLDER}-", dir=warehouse.parent))
    try:
        context.add_data_docs_site(
            SITE,
            {
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(staging)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        context.build_data_docs(site_names=[SITE])
        for page in staging.rglob("*.html"):
            page.write_text(strip_external_assets(page.read_text(encoding="utf-8")), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target / "index.html"
