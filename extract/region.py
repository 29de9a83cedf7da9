"""Administrative level and region of an agency, from its name, with the cpca gazetteer of Chinese
administrative divisions (no hand-written lists of places)."""

from __future__ import annotations

import warnings
from functools import lru_cache

from extract.template import Templates

_MUNICIPAL = "市辖区"


@lru_cache(maxsize=65536)
def _regions(name: str) -> tuple[str | None, str | None, str | None]:
    import cpca

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        row = cpca.transform([name]).iloc[0]

    def value(col: str) -> str | None:
        v = row.get(col)
        return v if isinstance(v, str) and v else None

    province, city, county = value("省"), value("市"), value("区")
    if city == _MUNICIPAL:
        city = province
    return province, city, county


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
