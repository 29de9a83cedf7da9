"""The truth of one synthetic report, and random truths whose values satisfy the schema's identities.

A `ReportTruth` holds what a perfect parser would read: cells by the spec's codes (table → row → col →
value, None = not reported), the narrative facts and the inconsistencies deliberately injected. Values
are drawn so that T3_BALANCE, T3_OUTCOMES, T3_ROW_TOTAL, T4_TOTAL and NON_NEGATIVE hold; injections then
break exactly the relations they name, as real agencies do (seed 002 prints （七）总计 doubled).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from extract.template import templates
from extract.templates import form

Value = int | Decimal | None
Cells = dict[str, dict[str, dict[str, Value]]]

# The form's codes, from the templates (extract/templates/): a row or column added there is generated here.
_APP, _RL = form.tables()["applications"], form.tables()["review_litigation"]
_DISCLOSURE = form.load("disclosure.yaml")
LAST_YEAR = 2024  # the latest report year generated
FORMATS: tuple[str, ...] = tuple(_DISCLOSURE["templates"])
# Local variants per format. `single_other` is F2021 with （六）其他处理 printed as one row (洪泽区).
VARIANTS: dict[str, tuple[str, ...]] = {"F2019": ("national", "beijing"), "F2021": ("national", "single_other")}
_FIRST_YEARS = [spec["first_year"] for spec in _DISCLOSURE["templates"].values()]
YEARS: dict[str, tuple[int, ...]] = {
    fmt: tuple(range(first, end)) for fmt, first, end in zip(FORMATS, _FIRST_YEARS, [*_FIRST_YEARS[1:], LAST_YEAR + 1],
                                                             strict=True)
}

APPLICANTS: tuple[str, ...] = tuple(_APP.parts())
ORG_APPLICANTS = APPLICANTS[1:]
RL_BLOCKS: tuple[str, ...] = tuple(_RL.rows)
RL_RESULTS: tuple[str, ...] = tuple(_RL.cols)
INJECTION_KINDS = ("doubled_total_processed", "row_total_off", "balance_off", "t4_total_off", "negative_count")


@dataclass(frozen=True)
class DisclosureBlock:
    """One 第二十条 block of section 二: caption, column codes and row codes in printed order."""

    caption: str
    cols: tuple[str, ...]
    rows: tuple[str, ...]


def _blocks(fmt: str) -> tuple[DisclosureBlock, ...]:
    """A format's 第二十条 blocks in the national layout: caption (printed full-width), columns, rows."""
    rows = [r for r in _DISCLOSURE["rows"] if fmt in r.get("formats", [fmt]) and not r.get("variant")]
    return tuple(
        DisclosureBlock(caption.replace("(", "（").replace(")", "）"), tuple(cols),
                        tuple(r["code"] for r in rows if r["caption"] == caption))
        for caption, cols in _DISCLOSURE["block_columns"][fmt].items()
    )


_F2019_BLOCKS, _F2021_BLOCKS = _blocks("F2019"), _blocks("F2021")
BEIJING_SUBROWS: tuple[str, ...] = tuple(r["code"] for r in _DISCLOSURE["rows"] if r.get("variant") == "beijing")


def disclosure_blocks(template: str, variant: str) -> tuple[DisclosureBlock, ...]:
    """The section-二 blocks of a format; Beijing splits 其他对外管理服务事项 into 行政检查/行政确认."""
    if template == "F2021":
        return _F2021_BLOCKS
    if variant != "beijing":
        return _F2019_BLOCKS
    b = _F2019_BLOCKS[1]
    return (_F2019_BLOCKS[0], DisclosureBlock(b.caption, b.cols, ("licensing", *BEIJING_SUBROWS)), *_F2019_BLOCKS[2:])


def disclosure_rows(template: str, variant: str) -> list[tuple[str, tuple[str, ...]]]:
    """(row code, column codes) of every data row of section 二."""
    return [(row, blk.cols) for blk in disclosure_blocks(template, variant) for row in blk.rows]


@cache
def application_rows(template: str, variant: str) -> tuple[str, ...]:
    """Data-row codes of section 三 in printed order (23 rows in F2019, 25 in F2021, 23 for single_other)."""
    out = []
    split = template == "F2021" and variant != "single_other"
    for lab in templates().app_rows.labels:
        if lab.code == "other" and split:
            continue
        if lab.code.startswith("other_") and not split:
            continue
        out.append(lab.code)
    return tuple(out)


APP_COLS: tuple[str, ...] = tuple(_APP.cols)
OUTCOME_EXCLUDED: tuple[str, ...] = tuple(r for r, row in _APP.rows.items() if not row.attrs.get("item"))


@dataclass
class ReportTruth:
    """What a perfect reading of one report gives; `cells[table][row][col]` uses the spec's codes."""

    agency: str
    year: int
    template: str
    variant: str
    cells: Cells
    narrative: dict[str, int] = field(default_factory=dict)
    injected: list[dict[str, Any]] = field(default_factory=list)
    subtotal_column: bool = False
    # paragraphs replacing the filler prose of a section (overview, problems), e.g. a series' own text
    prose: dict[str, list[str]] = field(default_factory=dict)
    # narrative facts the prose states as a lower bound (N余件)
    narrative_lower_bounds: set[str] = field(default_factory=set)

    @property
    def report_variant(self) -> str:
        """The variant as the parser reports it (national/beijing): single_other is a row-shape detail."""
        return "beijing" if self.variant == "beijing" else "national"

    def value(self, table: str, row: str, col: str) -> Value:
        return self.cells[table][row][col]

    def iter_cells(self):
        """(table, row, col, value) for every cell, in printed order."""
        for table, rows in self.cells.items():
            for row, cols in rows.items():
                for col, value in cols.items():
                    yield table, row, col, value


# --------------------------------------------------------------------------- agencies

_PROVINCES = [("北京市", ["朝阳区", "丰台区", "海淀区", "东城区", "西城区", "通州区"]),
              ("江苏省", ["淮安市", "南京市", "苏州市"]), ("河南省", ["洛阳市", "郑州市"]),
              ("湖南省", ["长沙市", "岳阳市"]), ("广东省", ["深圳市", "广州市"]), ("浙江省", ["杭州市", "宁波市"])]
_DISTRICTS = {"淮安市": ["洪泽区", "清江浦区", "淮阴区"], "南京市": ["玄武区", "鼓楼区"],
              "苏州市": ["姑苏区", "吴中区"],
              "洛阳市": ["涧西区", "洛龙区"], "郑州市": ["金水区", "二七区"], "长沙市": ["岳麓区", "天心区"],
              "岳阳市": ["岳阳楼区"], "深圳市": ["南山区", "福田区"], "广州市": ["天河区", "越秀区"],
              "杭州市": ["西湖区", "上城区"], "宁波市": ["鄞州区", "海曙区"]}
_STREETS = ["东湖", "小关", "西罗园", "金盏", "关林", "望京", "和平里", "南湖", "新华", "城关", "朝阳门", "太平桥"]
_DEPARTMENTS = ["教育厅", "民政厅", "生态环境厅", "交通运输厅", "自然资源厅", "卫生健康委员会", "财政厅", "司法厅"]
_CITY_DEPARTMENTS = ["教育局", "民政局", "生态环境局", "住房和城乡建设局", "市场监督管理局", "自然资源和规划局"]


def random_agency(rng: random.Random) -> str:
    """A realistic agency name: street office, district, city, province or a department of one."""
    province, cities = rng.choice(_PROVINCES)
    kind = rng.randrange(6)
    if province == "北京市":
        district = rng.choice(cities)
        if kind <= 2:
            return f"北京市{district}人民政府{rng.choice(_STREETS)}街道办事处"
        if kind == 3:
            return f"北京市{district}人民政府"
        return f"北京市{district}{rng.choice(_CITY_DEPARTMENTS)}"
    city = rng.choice(cities)
    district = rng.choice(_DISTRICTS[city])
    return [f"{city}{district}人民政府{rng.choice(_STREETS)}街道办事处", f"{city}{district}人民政府",
            f"{city}人民政府", f"{province}{rng.choice(_DEPARTMENTS)}", f"{city}{rng.choice(_CITY_DEPARTMENTS)}",
            f"{city}{district}{rng.choice(_CITY_DEPARTMENTS)}"][kind]


# --------------------------------------------------------------------------- values


def _count(rng: random.Random, scale: int) -> int:
    """Mostly zero, sometimes small, rarely large: the shape of real section-三 tables."""
    r = rng.random()
    if r < 0.55:
        return 0
    if r < 0.9:
        return rng.randint(1, max(1, scale // 10))
    return rng.randint(1, scale)


def _amount(rng: random.Random) -> Decimal:
    if rng.random() < 0.3:
        return Decimal("0.0000")
    return (Decimal(rng.randint(1, 5_000_000)) / 10000).quantize(Decimal("0.0001"))


def _disclosure(rng: random.Random, template: str, variant: str) -> dict[str, dict[str, Value]]:
    out: dict[str, dict[str, Value]] = {}
    for row, cols in disclosure_rows(template, variant):
        vals: dict[str, Value] = {}
        for col in cols:
            if col == "amount_10k_yuan":
                vals[col] = _amount(rng)
            elif col == "change":
                vals[col] = rng.choice([0, 0, rng.randint(-60, 60)])
            else:
                vals[col] = _count(rng, 400)
        if "total_public" in vals:  # X4: 对外公开总数量 ≥ 本年新公开数量
            vals["total_public"] = int(vals["published"] or 0) + _count(rng, 300)  # type: ignore[arg-type]
        out[row] = vals
    return out


def _applications(rng: random.Random, template: str, variant: str, scale: int) -> dict[str, dict[str, Value]]:
    rows = application_rows(template, variant)
    outcomes = [r for r in rows if r not in OUTCOME_EXCLUDED]
    table: dict[str, dict[str, Value]] = {r: {} for r in rows}
    weights = {"natural_person": 1.0, "commercial": 0.3, "research": 0.05, "social_welfare": 0.05,
               "legal_service": 0.15, "other_org": 0.1}
    for col in APPLICANTS:
        active = rng.random() < weights[col] + 0.2
        col_scale = max(1, int(scale * weights[col]))
        processed = 0
        for r in outcomes:
            v = _count(rng, col_scale) if active else 0
            table[r][col] = v
            processed += v
        forward = _count(rng, col_scale) if active else 0
        carried = rng.randint(0, processed + forward) if rng.random() < 0.4 else 0
        table["total_processed"][col] = processed
        table["carried_forward"][col] = forward
        table["carried_over"][col] = carried
        table["new_received"][col] = processed + forward - carried
    for r in rows:
        table[r]["total"] = sum(int(table[r][c] or 0) for c in APPLICANTS)
        table[r] = {c: table[r][c] for c in APP_COLS}
    return table


def _review_litigation(rng: random.Random) -> dict[str, dict[str, Value]]:
    out: dict[str, dict[str, Value]] = {}
    for blk in RL_BLOCKS:
        parts = [_count(rng, 12) if rng.random() < 0.5 else 0 for _ in range(4)]
        out[blk] = dict(zip(RL_RESULTS, [*parts, sum(parts)], strict=True))
    return out


def random_truth(rng: random.Random, template: str, variant: str, *, year: int | None = None,
                 scale: int | None = None, subtotal_column: bool = False,
                 inject: tuple[str, ...] = ()) -> ReportTruth:
    """A random report of `template`/`variant` whose tables satisfy every identity, then `inject`ed errors."""
    if variant not in VARIANTS[template]:
        raise ValueError(f"unknown variant {variant!r} of {template}")
    year = year if year is not None else rng.choice(YEARS[template])
    scale = scale if scale is not None else rng.choice([5, 20, 100, 1000, 20000])
    cells: Cells = {
        "disclosure": _disclosure(rng, template, variant),
        "applications": _applications(rng, template, variant, scale),
        "review_litigation": _review_litigation(rng),
    }
    app = cells["applications"]
    rl = cells["review_litigation"]
    narrative = {
        "proactive_items": rng.randint(0, 3000),
        "applications_received": int(app["new_received"]["total"] or 0),
        "review_cases": int(rl["review"]["total"] or 0),
        "litigation_cases": (int(rl["litigation_direct"]["total"] or 0)
                             + int(rl["litigation_after_review"]["total"] or 0)),
    }
    truth = ReportTruth(random_agency(rng), year, template, variant, cells, narrative, [], subtotal_column)
    for kind in inject:
        inject_inconsistency(truth, kind, rng)
    return truth


def inject_inconsistency(truth: ReportTruth, kind: str, rng: random.Random) -> dict[str, Any]:
    """Break one relation the way agencies do; the printed (wrong) values become the truth."""
    app = truth.cells["applications"]
    rl = truth.cells["review_litigation"]
    if kind == "doubled_total_processed":  # seed 002: （七）总计 printed double the outcome sum
        if not any(app["total_processed"][c] for c in APP_COLS):
            app["granted"]["natural_person"] = int(app["granted"]["natural_person"] or 0) + 1
            app["granted"]["total"] = int(app["granted"]["total"] or 0) + 1
            for r in ("total_processed", "new_received"):
                for c in ("natural_person", "total"):
                    app[r][c] = int(app[r][c] or 0) + 1
        for c in APP_COLS:
            app["total_processed"][c] = int(app["total_processed"][c] or 0) * 2
        entry = {"kind": kind, "relation": ["T3_BALANCE", "T3_OUTCOMES"], "table": "applications",
                 "row": "total_processed", "cols": [c for c in APP_COLS if app["total_processed"][c]]}
    elif kind == "row_total_off":
        row = rng.choice(application_rows(truth.template, truth.variant))
        app[row]["total"] = int(app[row]["total"] or 0) + rng.randint(1, 9)
        entry = {"kind": kind, "relation": ["T3_ROW_TOTAL"], "table": "applications", "row": row, "cols": ["total"]}
    elif kind == "balance_off":
        delta = rng.randint(1, 9)
        app["carried_forward"]["natural_person"] = int(app["carried_forward"]["natural_person"] or 0) + delta
        app["carried_forward"]["total"] = int(app["carried_forward"]["total"] or 0) + delta
        entry = {"kind": kind, "relation": ["T3_BALANCE"], "table": "applications", "row": "carried_forward",
                 "cols": ["natural_person", "total"]}
    elif kind == "t4_total_off":
        blk = rng.choice(RL_BLOCKS)
        rl[blk]["total"] = int(rl[blk]["total"] or 0) + rng.randint(1, 5)
        entry = {"kind": kind, "relation": ["T4_TOTAL"], "table": "review_litigation", "row": blk, "cols": ["total"]}
    elif kind == "negative_count":
        row = rng.choice(["granted", "unable_not_held", "rejected_duplicate"])
        delta = rng.randint(1, 9)
        # the row total moves with the cell, so only NON_NEGATIVE/columns break (and a row_total_off drawn
        # before, on the same row, still breaks its total)
        app[row]["total"] = int(app[row]["total"] or 0) - int(app[row]["commercial"] or 0) - delta
        app[row]["commercial"] = -delta
        entry = {"kind": kind, "relation": ["NON_NEGATIVE", "T3_OUTCOMES"], "table": "applications", "row": row,
                 "cols": ["commercial"]}
    else:
        raise ValueError(f"unknown injection {kind!r}")
    truth.injected.append(entry)
    if truth.narrative:
        truth.narrative["applications_received"] = int(app["new_received"]["total"] or 0)
        truth.narrative["review_cases"] = int(rl["review"]["total"] or 0)
        truth.narrative["litigation_cases"] = (int(rl["litigation_direct"]["total"] or 0)
                                               + int(rl["litigation_after_review"]["total"] or 0))
    return entry


# --------------------------------------------------------------------------- identities


def relation_failures(truth: ReportTruth) -> dict[str, list[str]]:
    """Which identities fail where (assessable ones only): lets tests check generator and injections."""
    app = truth.cells["applications"]
    rows = application_rows(truth.template, truth.variant)
    outcomes = [r for r in rows if r not in OUTCOME_EXCLUDED]
    fails: dict[str, list[str]] = {"T3_BALANCE": [], "T3_OUTCOMES": [], "T3_ROW_TOTAL": [], "T4_TOTAL": [],
                                   "NON_NEGATIVE": []}

    def known(*vals: Value) -> bool:
        return all(v is not None for v in vals)

    for c in APP_COLS:
        a, b, p, f = (app[r][c] for r in ("new_received", "carried_over", "total_processed", "carried_forward"))
        if known(a, b, p, f) and a + b != p + f:  # type: ignore[operator]
            fails["T3_BALANCE"].append(c)
        parts = [app[r][c] for r in outcomes]
        if known(p, *parts) and p != sum(parts):  # type: ignore[arg-type]
            fails["T3_OUTCOMES"].append(c)
    for r in rows:
        parts = [app[r][c] for c in APPLICANTS]
        if known(app[r]["total"], *parts) and app[r]["total"] != sum(parts):  # type: ignore[arg-type]
            fails["T3_ROW_TOTAL"].append(r)
    for blk, vals in truth.cells["review_litigation"].items():
        parts = [vals[c] for c in RL_RESULTS[:4]]
        if known(vals["total"], *parts) and vals["total"] != sum(parts):  # type: ignore[arg-type]
            fails["T4_TOTAL"].append(blk)
    for table, row, col, v in truth.iter_cells():
        if v is not None and col != "change" and v < 0:
            fails["NON_NEGATIVE"].append(f"{table}.{row}.{col}")
    return fails


def blank_cells(truth: ReportTruth, rng: random.Random, rate: float, *, zeros_only: bool = False,
                tables: tuple[str, ...] = ("disclosure", "applications", "review_litigation"),
                ) -> list[tuple[str, str, str]]:
    """Make some cells not reported (None), as agencies leave cells blank; returns the cells blanked."""
    out = []
    for table, row, col, v in list(truth.iter_cells()):
        if table not in tables or v is None or (zeros_only and v != 0):
            continue
        if rng.random() < rate:
            truth.cells[table][row][col] = None
            out.append((table, row, col))
    return out


def truths(template: str | None = None, variant: str | None = None, *, subtotal_column: bool | None = None,
           inject: tuple[str, ...] | None = None):  # -> hypothesis SearchStrategy[ReportTruth]
    """A hypothesis strategy of random truths (hypothesis is a test dependency, imported only here)."""
    from hypothesis import strategies as st

    @st.composite
    def _truth(draw) -> ReportTruth:
        t = template or draw(st.sampled_from(FORMATS))
        v = variant or draw(st.sampled_from(VARIANTS[t]))
        sub = draw(st.booleans()) if subtotal_column is None else subtotal_column
        inj = inject if inject is not None else tuple(draw(st.lists(st.sampled_from(INJECTION_KINDS), max_size=2)))
        seed = draw(st.integers(0, 2**32 - 1))
        return random_truth(random.Random(seed), t, v, subtotal_column=sub, inject=inj)

    return _truth()
