"""Who published a report, as the document gives it beyond its title: the name it is signed with, the crawler
header's 发布机构, 原文链接 (its domain) and 发布时间; and every such name described by `extract.region` (level,
region, canonical body), so that the warehouse can recognise one agency across years and name forms."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from extract.metadata import header_fields, signature
from extract.region import describe
from extract.template import Templates
from extract.text import width

# Header fields naming the publisher, and the page's address, in the crawler header (metadata.yaml).
PUBLISHER_FIELDS = ("发布机构", "来源")
URL_FIELDS = ("原文链接", "链接")
DATE_FIELDS = ("发布时间", "发文日期", "成文日期")
MAX_NAME_CHARS = 40
_DATE = re.compile(r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})")
_BODY_NAME = re.compile(r"^[\u4e00-\u9fff（）()]{2,40}$")


def _first(fields: dict[str, str], names: tuple[str, ...]) -> str | None:
    return next((fields[n] for n in names if fields.get(n)), None)


def _domain(url: str | None) -> str | None:
    """The host of a page address, lower case without `www.` (the site that published the report)."""
    if not url:
        return None
    host = urlsplit(url if "//" in url else f"//{url}").hostname
    return host.removeprefix("www.") if host else None


def _date(text: str | None) -> str | None:
    """A header date as ISO text (`2023-01-20`), None when it is not a date."""
    m = _DATE.search(width(text or ""))
    if not m:
        return None
    try:
        return date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat()
    except ValueError:
        return None


def _name(text: str | None) -> str | None:
    """A publisher field that is an agency's name (not a site name with punctuation or a URL)."""
    name = re.sub(r"\s+", "", width(text or ""))
    return name if _BODY_NAME.match(name) else None


def source_facts(texts: list[str], tpl: Templates) -> dict[str, object]:
    """signed_by, publisher, source_domain and published_on where the document gives them, else None."""
    fields = header_fields(texts, tpl)
    return {
        "signed_by": signature(texts, tpl),
        "publisher": _name(_first(fields, PUBLISHER_FIELDS)),
        "source_domain": _domain(_first(fields, URL_FIELDS)),
        "published_on": _date(_first(fields, DATE_FIELDS)),
    }


def name_rows(report_id: str, report: dict[str, object], tpl: Templates) -> list[dict[str, object]]:
    """One row per distinct name the report gives itself (title, signature, publisher), each described."""
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    for role, key in (("title", "agency"), ("signature", "signed_by"), ("publisher", "publisher")):
        name = report.get(key)
        if not isinstance(name, str) or not name or len(name) > MAX_NAME_CHARS or name in seen:
            continue
        seen.add(name)
        rows.append({"report_id": report_id, "role": role, "name": name, **describe(name, tpl)})
    return rows
