"""Administrative level, region and body of an agency, from the structure of its name and the cpca gazetteer
of Chinese administrative divisions (no hand-written lists of places).

The gazetteer reads the region a name starts with (北京市朝阳区…); the rest of the name is the body it names
(人民政府东湖街道办事处, 住房和城乡建设局). The level comes from the body's form and the deepest region reached,
by the rules of `templates/metadata.yaml` (`levels`); the body's canonical form (`body_forms`) lets two forms of
one name (北京市朝阳区人民政府东湖街道办事处, 朝阳区东湖街道) be recognised as one agency downstream.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from extract.template import Templates

_MUNICIPAL = "市辖区"
REGION_ORDER = ("province", "city", "county")
_CACHE: dict[str, Place] = {}
_CACHE_LIMIT = 200_000
# The report's fields that hold an agency name (title, signature, crawler header), looked up together.
NAME_KEYS = ("agency", "signed_by", "publisher")


@dataclass(frozen=True)
class Place:
    """What the gazetteer reads at the start of a name: the region (None where the name does not tell, or
    tells ambiguously) and the rest of the name after it."""

    province: str | None
    city: str | None
    county: str | None
    rest: str
    ambiguous: bool = False

    def deepest(self) -> str:
        """The most specific level of region the name reaches (`none` when it names no region)."""
        reached = {"province": self.province is not None,
                   "city": self.city is not None and self.city != self.province,
                   "county": self.county is not None}
        return next((r for r in reversed(REGION_ORDER) if reached[r]), "none")


@cache
def _ambiguous_counties() -> frozenset[str]:
    """County names the gazetteer holds more than once (朝阳区: Beijing and Changchun)."""
    import cpca

    counts = Counter(a.name for a in cpca.ad_2_addr_dict.values() if a.rank == cpca.AddrInfo.RANK_COUNTY)
    return frozenset(n for n, k in counts.items() if k > 1)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def prime(names: Iterable[str | None]) -> None:
    """Look up many names in one gazetteer call (a per-name call costs a pandas frame each)."""
    import cpca

    todo = sorted({n for n in names if n and n not in _CACHE})
    if not todo:
        return
    if len(_CACHE) + len(todo) > _CACHE_LIMIT:
        _CACHE.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = cpca.transform(todo, pos_sensitive=True)
    columns = ["省", "市", "区", "地址", "省_pos", "市_pos"]
    for name, (province, city, county, rest, p_pos, c_pos) in zip(
            todo, frame[columns].itertuples(index=False), strict=True):
        province, city, county = _text(province), _text(city), _text(county)
        city = province if city == _MUNICIPAL else city
        # a county printed alone whose name several counties share: the gazetteer's pick would be a guess
        ambiguous = county in _ambiguous_counties() and p_pos < 0 and c_pos < 0
        if ambiguous:
            province = city = None
        matched = any(v is not None for v in (province, city, county)) or ambiguous
        _CACHE[name] = Place(province, city, county, (_text(rest) or "") if matched else name, ambiguous)


def place(name: str) -> Place:
    """The region and rest of one name (cached; `prime` many names first)."""
    if name not in _CACHE:
        prime([name])
    return _CACHE[name]


def level(name: str, tpl: Templates) -> str | None:
    """The administrative level a name states by its body's form and its region; None when it does not."""
    where = place(name)
    deepest = where.deepest()
    for rule in tpl.metadata["levels"]:
        region = rule.get("region")
        if region is not None and region != deepest:
            continue
        if re.fullmatch(rule["body"], where.rest):
            return rule["level"]
    return None


def body(name: str, tpl: Templates) -> str:
    """The body a name names, in canonical form (人民政府东湖街道办事处 → 东湖街道; 海淀区 → 人民政府)."""
    rest = place(name).rest
    for pattern, replacement in tpl.metadata["body_forms"]:
        rest = re.sub(pattern, replacement, rest)
    return rest


def classify(agency: str | None, tpl: Templates) -> dict[str, str | None]:
    """admin_level, province, city and county where the name allows; None where it does not."""
    if not agency:
        return {"admin_level": None, "province": None, "city": None, "county": None}
    where = place(agency)
    return {"admin_level": level(agency, tpl), "province": where.province, "city": where.city,
            "county": where.county}


def describe(name: str, tpl: Templates) -> dict[str, object]:
    """Everything the name says about its agency: level, region, canonical body, and whether the region it
    prints is ambiguous (a county name shared by several provinces)."""
    where = place(name)
    return {**classify(name, tpl), "body": body(name, tpl), "region_ambiguous": where.ambiguous}


def annotate(docs: Iterable[object], tpl: Templates) -> None:
    """Add level and region to the reports of parsed documents, one gazetteer call per batch."""
    docs = [d for d in docs if getattr(d, "report", None) is not None]
    prime(d.report.get(k) for d in docs for k in NAME_KEYS)
    for d in docs:
        d.report.update(classify(d.report.get("agency"), tpl))
