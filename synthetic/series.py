"""A multi-year series: one agency's reports over several years, with what cross-year checks must find.

The series is the agency of one street office, 2019–2024, written as the files a crawler would collect:
- carry-over consistent from year to year (year N's 结转下年度 = year N+1's 上年结转 in every applicant
  column), except in the years listed in `broken_carry`, where year N+1's 上年结转 differs (T3_BALANCE
  still holds inside each report: only the cross-year relation is broken);
- a name that changes form (北京市朝阳区人民政府东湖街道办事处, 北京市朝阳区东湖街道办事处, 朝阳区东湖街道);
- one year published twice in two forms (the HTML page and its text dump: the same report);
- one year re-published corrected (a later 发布时间; the first version printed a wrong 结转 cell);
- the prose of sections 一 and 五 new each year, except `copied_years`, which copy the year before;
- prose that states table 三's 上年结转, 办结 and 结转下年度 totals and disagrees with the tables in
  `narrative_mismatch` (fact code → years: the stated number is the table's + 5); some stated as N余件
  (DEFAULT_NARRATIVE_LOWER_BOUND: a lower bound, below the table unless also a mismatch);
and agencies beside it that must stay apart: the 东湖街道 of 长春市朝阳区 (same body, another province, its
text copied from the series: template copying across agencies), and a bare `东湖街道` (never merged).

    python -m synthetic.series OUT_DIR [--seed 3]
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from synthetic.corpus import truth_json
from synthetic.render import Noise, render_report
from synthetic.truth import APPLICANTS, ReportTruth, random_truth

YEARS: tuple[int, ...] = (2019, 2020, 2021, 2022, 2023, 2024)
NAMES: dict[int, str] = {
    2019: "北京市朝阳区人民政府东湖街道办事处",
    2020: "北京市朝阳区人民政府东湖街道办事处",
    2021: "北京市朝阳区东湖街道办事处",
    2022: "朝阳区东湖街道",
    2023: "北京市朝阳区人民政府东湖街道办事处",
    2024: "北京市朝阳区人民政府东湖街道办事处",
}
DOMAIN = "bjchy.gov.cn"
OTHER_CITY_NAME = "长春市朝阳区人民政府东湖街道办事处"
OTHER_CITY_DOMAIN = "changchun.gov.cn"
BARE_NAME = "东湖街道"
TWO_FORMS_YEAR = 2022
CORRECTED_YEAR = 2023
# sections whose prose the series writes (and text reuse compares)
PROSE_SECTIONS = ("overview", "problems")
_WRONG_CARRY_DELTA = 7
NARRATIVE_MISMATCH_DELTA = 5
# The prose's facts that restate table 三's totals (the row each restates)
TABLE_FACT_ROWS: dict[str, str] = {
    "carried_over": "carried_over", "total_handled": "total_processed", "carried_forward": "carried_forward",
}
# One year per fact whose prose disagrees with the tables (none in the broken-carry or corrected year, so each
# year's failures tell one story)
DEFAULT_NARRATIVE_MISMATCH: dict[str, tuple[int, ...]] = {
    "applications_received": (2024,), "review_cases": (2020,), "carried_over": (2019,),
    "total_handled": (2022,), "carried_forward": (2024,),
}

# Facts the prose states as a lower bound (N余件): below the table, rounded down to the ten (consistent, `≤`),
# or the table's + 5 where the year is also a mismatch
DEFAULT_NARRATIVE_LOWER_BOUND: dict[str, tuple[int, ...]] = {"total_handled": (2020,), "carried_forward": (2024,)}
_LOWER_BOUND_STEP = 10

# Words the yearly prose is drawn from: each year's paragraphs are new sentences, so two years share
# vocabulary but not text (what a real agency's honest yearly rewrite looks like to a similarity measure).
_TOPICS = ["财政预决算", "重大建设项目", "公共资源配置", "社会救助", "义务教育", "医疗卫生", "生态环境", "食品安全",
           "安全生产", "征地拆迁", "住房保障", "就业创业", "养老服务", "营商环境", "城市更新", "老旧小区改造",
           "垃圾分类", "物业管理", "社区治理", "应急管理", "文化体育", "退役军人服务", "残疾人帮扶", "乡村振兴"]
_ACTIONS = ["集中梳理", "动态更新", "逐项核对", "分类公开", "专题发布", "及时解读", "全面公示", "定期复核",
            "规范发布", "精准推送", "滚动更新", "深入调研"]
_CHANNELS = ["政府网站", "政务新媒体", "社区公告栏", "便民服务中心", "热线电话", "入户走访", "居民议事厅", "线上直播",
             "宣传折页", "楼门院长群"]
_PROBLEMS = ["解读材料通俗性不足", "栏目更新不够及时", "依申请答复格式不统一", "基层人员业务能力参差不齐",
             "信息发布与群众需求衔接不紧", "历史信息整理不够系统", "网站检索功能有待完善", "政策解读形式单一",
             "公开目录动态调整滞后", "保密审查流程较长"]
_MEASURES = ["开展专题培训", "建立月度通报机制", "引入第三方评估", "优化栏目设置", "完善审核流程", "加强督促检查",
             "扩大公众参与", "升级检索系统", "编制公开指南", "建立问题台账"]


def yearly_prose(rng: random.Random, year: int) -> dict[str, list[str]]:
    """Sections 一 and 五 of one year, in sentences drawn afresh."""
    topics = rng.sample(_TOPICS, 12)
    overview = [
        f"{year}年，街道围绕{topics[0]}、{topics[1]}等领域，{rng.choice(_ACTIONS)}政府信息"
        f"{rng.randint(20, 400)}条，并通过{rng.choice(_CHANNELS)}向辖区居民{rng.choice(_ACTIONS)}。",
        f"针对{topics[2]}和{topics[3]}，{rng.choice(_ACTIONS)}办事指南{rng.randint(3, 60)}项，"
        f"依托{rng.choice(_CHANNELS)}收集意见{rng.randint(10, 900)}条。",
        f"在{topics[4]}方面，{rng.choice(_ACTIONS)}政策文件，邀请{rng.randint(5, 80)}名居民代表参加"
        f"{rng.choice(_CHANNELS)}活动，{topics[5]}信息实现{rng.choice(_ACTIONS)}。",
        f"结合{topics[6]}工作，{rng.choice(_ACTIONS)}{topics[7]}相关数据{rng.randint(5, 90)}组，"
        f"在{rng.choice(_CHANNELS)}开设{topics[8]}专栏。",
        f"{topics[9]}、{topics[10]}和{topics[11]}等事项通过{rng.choice(_CHANNELS)}"
        f"{rng.choice(_ACTIONS)}，回应居民关切{rng.randint(10, 500)}次。",
    ]
    problems = [
        f"{year}年工作中仍存在{rng.choice(_PROBLEMS)}、{rng.choice(_PROBLEMS)}等问题。",
        f"下一步将{rng.choice(_MEASURES)}，{rng.choice(_MEASURES)}，并在{topics[0]}领域"
        f"{rng.choice(_MEASURES)}。",
        f"同时{rng.choice(_MEASURES)}，针对{rng.choice(_PROBLEMS)}的情况{rng.choice(_MEASURES)}。",
    ]
    return {"overview": overview, "problems": problems}


@dataclass
class SeriesFile:
    """One file of the series: what it is and the truth it prints."""

    name: str
    agency: str
    year: int
    layout: str
    role: str  # report | same_report_other_form | superseded | correction | other_agency
    published_on: str | None
    domain: str | None
    truth: ReportTruth


@dataclass
class Series:
    """The files written and what the checks must find in them."""

    files: list[SeriesFile] = field(default_factory=list)
    broken_carry: list[int] = field(default_factory=list)  # year N+1 of each broken pair (N, N+1)
    copied_years: list[int] = field(default_factory=list)
    narrative_mismatch: dict[str, list[int]] = field(default_factory=dict)
    narrative_lower_bound: dict[str, list[int]] = field(default_factory=dict)  # stated as N余件

    def manifest(self) -> dict[str, object]:
        return {
            "files": [{k: v for k, v in vars(f).items() if k != "truth"} for f in self.files],
            "broken_carry": self.broken_carry, "copied_years": self.copied_years,
            "narrative_mismatch": self.narrative_mismatch, "narrative_lower_bound": self.narrative_lower_bound,
        }


def _template(year: int) -> str:
    return "F2019" if year <= 2020 else "F2021"


def _carry_from(truth: ReportTruth, previous: ReportTruth, delta: int = 0) -> None:
    """This year's 上年结转 := last year's 结转下年度 (+ delta in every column: a broken carry-over), with
    本年新收 adjusted so that T3_BALANCE still holds (more granted when the carry-over exceeds the year's work)."""
    app, before = truth.cells["applications"], previous.cells["applications"]
    for col in APPLICANTS:
        carried = int(before["carried_forward"][col] or 0) + delta
        shortfall = carried - int(app["total_processed"][col] or 0) - int(app["carried_forward"][col] or 0)
        if shortfall > 0:
            app["granted"][col] = int(app["granted"][col] or 0) + shortfall
            app["total_processed"][col] = int(app["total_processed"][col] or 0) + shortfall
        app["carried_over"][col] = carried
        app["new_received"][col] = int(app["total_processed"][col]) + int(app["carried_forward"][col] or 0) - carried
    for cols in app.values():
        cols["total"] = sum(int(cols[c] or 0) for c in APPLICANTS)
    truth.narrative["applications_received"] = int(app["new_received"]["total"] or 0)


def _state_table_facts(truth: ReportTruth) -> None:
    """The prose states table 三's 上年结转, 办结 (（七）总计) and 结转下年度 totals as the table prints them."""
    app = truth.cells["applications"]
    for fact, row in TABLE_FACT_ROWS.items():
        truth.narrative[fact] = int(app[row]["total"] or 0)


def _rounded_down(value: int) -> int:
    """A number stated as N余: the ten below the value (strictly below, so the table exceeds it)."""
    return max(0, (value - 1) // _LOWER_BOUND_STEP * _LOWER_BOUND_STEP)


def _stock_from(truth: ReportTruth, previous: ReportTruth) -> None:
    """This year's stock of rules continues last year's: F2021 现行有效件数 = last year's + 本年制发 − 本年废止
    (本年废止 capped at what was in force); F2019 对外公开总数量 = last year's + 本年新公开数量."""
    if truth.template != previous.template:
        return
    for item in ("regulations", "normative_documents"):
        now, before = truth.cells["disclosure"][item], previous.cells["disclosure"][item]
        if truth.template == "F2021":
            now["repealed"] = min(int(now["repealed"] or 0), int(before["in_force"] or 0) + int(now["issued"] or 0))
            now["in_force"] = int(before["in_force"] or 0) + int(now["issued"] or 0) - int(now["repealed"])
        else:
            now["total_public"] = int(before["total_public"] or 0) + int(now["published"] or 0)


def series_truths(seed: int, broken_carry: tuple[int, ...] = (2021,), copied_years: tuple[int, ...] = (2021,),
                  narrative_mismatch: dict[str, tuple[int, ...]] | None = None) -> dict[int, ReportTruth]:
    """The agency's report of each year: consistent carry-over except into `broken_carry` years."""
    mismatch = DEFAULT_NARRATIVE_MISMATCH if narrative_mismatch is None else narrative_mismatch
    rng = random.Random(seed)
    out: dict[int, ReportTruth] = {}
    for year in YEARS:
        truth = random_truth(rng, _template(year), "national", year=year, scale=100)
        truth.agency = NAMES[year]
        truth.prose = copy.deepcopy(out[year - 1].prose) if year in copied_years else yearly_prose(rng, year)
        if year - 1 in out:
            _carry_from(truth, out[year - 1], _WRONG_CARRY_DELTA if year in broken_carry else 0)
            _stock_from(truth, out[year - 1])
        _state_table_facts(truth)
        if truth.template == "F2021":  # no 收费 in table 二: section 六 says no fee was charged
            truth.cells["disclosure"]["fees"]["amount_10k_yuan"] = Decimal("0.0000")
        for fact, years in mismatch.items():
            if year in years:
                truth.narrative[fact] = int(truth.narrative.get(fact, 0)) + NARRATIVE_MISMATCH_DELTA
        for fact, years in DEFAULT_NARRATIVE_LOWER_BOUND.items():
            if year in years:
                truth.narrative_lower_bounds.add(fact)
                if year not in mismatch.get(fact, ()):
                    truth.narrative[fact] = _rounded_down(truth.narrative[fact])
        out[year] = truth
    return out


def _crawled(data: bytes, title: str, published_on: str, domain: str, publisher: str) -> bytes:
    """A text dump as a crawler saves it: header lines, then the page text."""
    header = (f"标题: {title}\n发布时间: {published_on} 09:00\n原文链接: https://www.{domain}/gk/ndbg/{published_on}.html\n"
              f"发布机构: {publisher}\n\n")
    return header.encode("utf-8") + data


def _title(truth: ReportTruth) -> str:
    return f"{truth.agency}{truth.year}年政府信息公开工作年度报告"


def write_series(out_dir: Path, seed: int = 3, broken_carry: tuple[int, ...] = (2021,),
                 copied_years: tuple[int, ...] = (2021,),
                 narrative_mismatch: dict[str, tuple[int, ...]] | None = None) -> Series:
    """Write the series (and the agencies that must stay apart) into `out_dir`, each file with its truth."""
    out_dir.mkdir(parents=True, exist_ok=True)
    truths = series_truths(seed, broken_carry, copied_years, narrative_mismatch)
    mismatch = DEFAULT_NARRATIVE_MISMATCH if narrative_mismatch is None else narrative_mismatch
    series = Series(broken_carry=sorted(y for y in broken_carry if y - 1 in truths),
                    copied_years=sorted(copied_years), narrative_mismatch={k: list(v) for k, v in mismatch.items()},
                    narrative_lower_bound={k: list(v) for k, v in DEFAULT_NARRATIVE_LOWER_BOUND.items()})
    rng = random.Random(seed + 1)
    for year, truth in truths.items():
        published = f"{year + 1}-01-{10 + year % 10:02d}"
        if year == CORRECTED_YEAR:
            first = copy.deepcopy(truth)
            first.cells["applications"]["carried_over"]["natural_person"] = int(
                first.cells["applications"]["carried_over"]["natural_person"] or 0) + _WRONG_CARRY_DELTA
            first.cells["applications"]["carried_over"]["total"] = int(
                first.cells["applications"]["carried_over"]["total"] or 0) + _WRONG_CARRY_DELTA
            _write(series, out_dir, first, "tab_rows", "superseded", published, DOMAIN, rng)
            _write(series, out_dir, truth, "tab_rows", "correction", f"{year + 1}-03-02", DOMAIN, rng)
        else:
            _write(series, out_dir, truth, "tab_rows", "report", published, DOMAIN, rng)
        if year == TWO_FORMS_YEAR:
            _write(series, out_dir, truth, "html", "same_report_other_form", None, None, rng)
    other = copy.deepcopy(truths[2021])
    other.agency = OTHER_CITY_NAME  # same body, another province; its text copied from the series (template copying)
    _write(series, out_dir, other, "tab_rows", "other_agency", "2022-02-01", OTHER_CITY_DOMAIN, rng)
    bare = random_truth(random.Random(seed + 2), "F2021", "national", year=2022, scale=20)
    bare.agency = BARE_NAME
    bare.prose = yearly_prose(random.Random(seed + 3), 2022)
    _write(series, out_dir, bare, "tab_rows", "other_agency", None, None, rng)
    (out_dir / "series.json").write_text(json.dumps(series.manifest(), ensure_ascii=False, indent=1), encoding="utf-8")
    return series


def _write(series: Series, out_dir: Path, truth: ReportTruth, layout: str, role: str, published_on: str | None,
           domain: str | None, rng: random.Random) -> None:
    """Render one file without noise (every cell readable), as a crawled dump when it has a header."""
    rendered = render_report(copy.deepcopy(truth), layout, rng, Noise.none())
    data = rendered.data
    if published_on and domain:
        data = _crawled(data, _title(truth), published_on, domain, truth.agency)
    name = f"{len(series.files):02d}_{truth.year}_{role}{rendered.suffix}"
    (out_dir / name).write_bytes(data)
    (out_dir / f"{name}.truth.json").write_text(json.dumps(truth_json(truth, name, rendered), ensure_ascii=False),
                                                encoding="utf-8")
    series.files.append(SeriesFile(name, truth.agency, truth.year, layout, role, published_on, domain, truth))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m synthetic.series", description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args(argv)
    series = write_series(args.out_dir, args.seed)
    print(f"wrote {len(series.files)} files to {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
