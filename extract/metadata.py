"""Report metadata: agency, year, template and variant."""

from __future__ import annotations

import re
from collections import Counter

from extract.blocks import Block
from extract.issues import Issue
from extract.template import Templates
from extract.text import squash, width

_CJK = "\u4e00-\u9fff"
# A report printed without its tables still has its section headings (一、总体情况 …); a page that only
# links to reports does not.
MIN_HEADINGS_OF_A_REPORT = 2
# The signature is among the last lines of the text: the agency's name, then the date.
SIGNATURE_LINES = 8
MAX_NAME_CHARS = 40
_DATE_LINE = re.compile(r"^(?:19|20)\d{2}年\d{1,2}月\d{1,2}日$")
TITLE_LINES = 3


def find_year(texts: list[str], tpl: Templates) -> int | None:
    """Year from the title, else from the 统计期限 sentence, else the first year the prose names."""
    md = tpl.metadata
    titles = "\n".join(_titles(texts, tpl))
    for pattern in (md["title_pattern"], md["title_year_first_pattern"]):
        m = re.search(pattern, titles)
        if m:
            return int(m["year"])
    joined = "\n".join(width(t) for t in texts)
    for pattern in (md["title_pattern"], md["period_pattern"], md["prose_year_pattern"]):
        m = re.search(pattern, joined)
        if m:
            return int(m["year"])
    return None


def find_agency(texts: list[str], tpl: Templates) -> str | None:
    """The fullest name the text gives: the title (`…区2021年度…报告` or `2025年…办公厅…报告`), else the name
    the prose uses most often."""
    md = tpl.metadata
    title = re.compile(md["title_pattern"])
    year_first = re.compile(md["title_year_first_pattern"])
    head = _titles(texts, tpl)
    for i, t in enumerate(head[:15]):
        m = title.search(t)
        if not m and i + 1 < len(head) and len(t) <= 40:
            # a title wrapped onto a second line (centred PDF titles): `…年度报` + `告`
            joined = t + head[i + 1]
            m = title.search(joined)
            t = joined if m and m.start() < len(head[i]) else t
            m = m if m and m.start() < len(head[i]) else None
        if not m:
            name = _year_first_agency(year_first, t, head[i + 1] if i + 1 < len(head) else "")
            if name:
                return name
            continue
        name = t[: m.start()].strip(" ：:")
        if not name and i > 0 and _names_a_body(head[i - 1], md):
            name = head[i - 1]
        if name and len(name) <= 40 and "、" not in name:
            return name
        if not name:
            break
    signed = _signature(texts, md)
    if signed:
        return signed
    suffixes = "|".join(md["agency_suffixes"])
    stop = set(md["agency_prefix_stop"])
    pattern = re.compile(rf"(?<![{_CJK}])([{_CJK}]{{2,5}}?)({suffixes})")
    counts: Counter[str] = Counter()
    for text in texts:
        for m in pattern.finditer(width(text)):
            if m[1][0] not in stop:
                counts[m[1] + m[2]] += 1
    return counts.most_common(1)[0][0] if counts else None


def _names_a_body(line: str, md: dict) -> bool:
    """A line that is an agency's name alone (`某某县人民政府办公室`), not an address, a menu or a sentence."""
    text = re.sub(r"\s+", "", width(line))
    return (2 < len(text) <= MAX_NAME_CHARS and not re.search(r"[：:，,。；;（）()>|/\d]", text)
            and text.endswith(tuple(md["body_suffixes"])))


def signature(texts: list[str], tpl: Templates) -> str | None:
    """The name the report is signed with (the line above the closing date), whatever its title says."""
    return _signature(texts, tpl.metadata)


def header_fields(texts: list[str], tpl: Templates) -> dict[str, str]:
    """A web crawler's header fields before the page body (`发布机构: …`, `原文链接: …`), first value of each."""
    fields = re.compile(tpl.metadata["header_field_pattern"])
    out: dict[str, str] = {}
    for t in texts[:40]:
        m = fields.match(width(t).strip())
        if m and m["value"].strip():
            out.setdefault(m["field"], m["value"].strip())
    return out


def _signature(texts: list[str], md: dict) -> str | None:
    """The name the report is signed with: the name line just above the closing date (`2023年1月20日`)."""
    tail = [width(t).strip() for t in texts[-SIGNATURE_LINES:]]
    for i in range(len(tail) - 1, 0, -1):
        if _DATE_LINE.match(re.sub(r"\s+", "", tail[i])) and _names_a_body(tail[i - 1], md):
            return re.sub(r"\s+", "", tail[i - 1])
    return None


def _year_first_agency(pattern: re.Pattern[str], line: str, following: str) -> str | None:
    """The agency of a title that names the year first (`2025 年上海市人民政府办公厅政府信息公开` +
    `工作年度报告`), from the line alone or joined with the next one when the title wraps."""
    for text in (line, line + following):
        m = pattern.match(re.sub(r"\s+", "", text))
        if m and len(m["agency"]) <= 40 and "、" not in m["agency"]:
            return m["agency"]
    return None


def _titles(texts: list[str], tpl: Templates) -> list[str]:
    """The first lines of a document, with a crawler's header (`标题: …`) reduced to its title, and other
    header fields (`发布时间: …`, `原文链接: …`) dropped: they name no agency and no year of the report."""
    fields = re.compile(tpl.metadata["header_field_pattern"])
    title_keys = set(tpl.metadata["header_title_fields"])
    out = []
    for t in texts[:40]:
        line = width(t).strip()
        m = fields.match(line)
        if m:
            if m["field"] in title_keys and m["value"].strip():
                out.append(m["value"].strip())
            continue
        out.append(line)
    return out[:16]


def why_no_tables(texts: list[str], year: int | None, tpl: Templates) -> Issue:
    """Why a document without the three tables is rejected: a report of the pre-2019 form (built around the
    old 政府信息公开情况统计表), an annual report printed as prose only, or not a report at all."""
    md = tpl.metadata
    joined = squash("".join(texts))
    old_form = [m for m in md["pre_2019_markers"] if squash(m) in joined]
    # the document's own title is among its first lines; titles further down are links to other reports
    titled = any(re.search(md["title_pattern"], t) or re.match(md["title_year_first_pattern"], squash(t))
                 for t in _titles(texts, tpl)[:TITLE_LINES])
    if old_form or (titled and year is not None and year < md["first_format_year"]):
        found = f" (found: {'、'.join(old_form[:3])})" if old_form else f" (report year {year})"
        return Issue("unsupported_format", "pre-2019 statistics table: a report of the form used before "
                     f"国办公开办函〔2019〕60号, whose tables have no codes in the report schema{found}")
    headings = {tpl.section_of_heading(t) for t in texts} - {None}
    if titled and len(headings) >= MIN_HEADINGS_OF_A_REPORT:
        return Issue("prose_only", "an annual report without the tables of sections 二, 三 and 四 (prose only, "
                     "or the tables are pictures or attachments not in this file)")
    return Issue("not_a_report", "none of the tables of an annual report (sections 二, 三, 四) were found")


def prose(blocks: list[Block]) -> list[str]:
    """The text paragraphs of a document (table rows excluded)."""
    return [b.text for b in blocks if b.kind == "text"]
