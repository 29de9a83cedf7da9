"""Administrative level and region of an agency, from its name, with the cpca gazetteer of Chinese
administrative divisions (no hand-written lists of places)."""

from __future__ import annotations

import warnings
from collections.abc import Iterable

from extract.template import Templates

_MUNICIPAL = "市辖区"


_CACHE: dict[str, tuple[str | None, str | None, str | None]] = {}
_CACHE_LIMIT = 200_000


def prime(names: Iterable[str]) -> None:
    """Look up many names in one gazetteer call (a per-name call costs a pandas frame each)."""
    import cpca

    todo = sorted({n for n in names if n and n not in _CACHE})
    if not todo:
        return
    if len(_CACHE) + len(todo) > _CACHE_LIMIT:
        _CACHE.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = cpca.transform(todo)
    for name, (province, city, county) in zip(todo, frame[["省", "市", "区"]].itertuples(index=False), strict=True):
        province, city, county = (v if isinstance(v, str) and v else None for v in (province, city, county))
        _CACHE[name] = (province, province if city == _MUNICIPAL else city, county)


def _regions(name: str) -> tuple[str | None, str | None, str | None]:
    if name not in _CACHE:
        prime([name])
    return _CACHE[name]


def classify(agency: str | None, tpl: Templates) -> dict[str, str | None]:
    """admin_level, province, city and county where the name allows; None where it does not."""
    out: dict[str, str | None] = {"admin_level": None, "province": None, "city": None, "county": None}
    if not agency:
        return out
    province, city, county = _regions(agency)
    out.update(province=province, city=city, county=county)
    reached = {"province": province is not None, "city": city is not None and city != province,
               "county": county is not None}
    for rule in tpl.metadata["levels"]:
        if rule.get("contains") and not any(c in agency for c in rule["contains"]):
            continue
        region = rule.get("region")
        if region and not _deepest(reached, region):
            continue
        if rule.get("suffixes") and not agency.endswith(tuple(rule["suffixes"])):
            continue
        if not region and not rule.get("contains") and province is not None:
            continue
        out["admin_level"] = rule["level"]
        break
    return out


def _deepest(reached: dict[str, bool], region: str) -> bool:
    """True when `region` is the most specific level the name reaches."""
    order = ["province", "city", "county"]
    deeper = order[order.index(region) + 1:]
    return reached[region] and not any(reached[d] for d in deeper)


def annotate(docs: Iterable[object], tpl: Templates) -> None:
    """Add level and region to the reports of parsed documents, one gazetteer call per batch."""
    docs = [d for d in docs if getattr(d, "report", None) is not None]
    prime(d.report.get("agency") for d in docs)
    for d in docs:
        d.report.update(classify(d.report.get("agency"), tpl))
