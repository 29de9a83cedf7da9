"""Report metadata: agency, year, template and variant."""

from __future__ import annotations

import re
from collections import Counter

from extract.blocks import Block
from extract.template import Templates
from extract.text import width

_CJK = "\u4e00-\u9fff"


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
        if not name and i > 0:
            name = head[i - 1]
        if name and len(name) <= 40 and "、" not in name:
            return name
    suffixes = "|".join(md["agency_suffixes"])
    stop = set(md["agency_prefix_stop"])
    pattern = re.compile(rf"(?<![{_CJK}])([{_CJK}]{{2,5}}?)({suffixes})")
    counts: Counter[str] = Counter()
    for text in texts:
        for m in pattern.finditer(width(text)):
            if m[1][0] not in stop:
                counts[m[1] + m[2]] += 1
    return counts.most_common(1)[0][0] if counts else None


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


def prose(blocks: list[Block]) -> list[str]:
    """The text paragraphs of a document (table rows excluded)."""
    return [b.text for b in blocks if b.kind == "text"]
