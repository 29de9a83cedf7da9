"""Canonical codes of report-schema.md with their printed Chinese labels, and the relation catalogue.

The checks and the data-quality report both read these lists, so a code spelled here is spelled the same
everywhere. The report is rendered from `dq.check_results` alone, so every label it shows comes from here.
"""

from __future__ import annotations

from dataclasses import dataclass

TABLE_LABELS: dict[str, str] = {
    "disclosure": "表二 主动公开政府信息情况",
    "applications": "表三 收到和处理政府信息公开申请情况",
    "review_litigation": "表四 政府信息公开行政复议、行政诉讼情况",
}

# Table 三 columns, in printed order.
APPLICANT_TYPES: dict[str, str] = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "social_welfare": "社会公益组织",
    "legal_service": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
}
APPLICANT_PARTS: tuple[str, ...] = tuple(c for c in APPLICANT_TYPES if c != "total")

# Table 三 rows, in printed order (F2019's single `other` row and F2021's three `other_*` rows both listed).
BALANCE_IN: tuple[str, ...] = ("new_received", "carried_over")  # 第一项, 第二项
BALANCE_OUT: tuple[str, ...] = ("total_processed", "carried_forward")  # 第三项, 第四项
OUTCOMES_BASE: tuple[str, ...] = (
    "granted",
    "partially_granted",
    "denied_state_secret",
    "denied_prohibited_by_law",
    "denied_security_stability",
    "denied_third_party",
    "denied_internal_affairs",
    "denied_process_info",
    "denied_enforcement_file",
    "denied_inquiry",
    "unable_not_held",
    "unable_needs_creation",
    "unable_unclear",
    "rejected_petition",
    "rejected_duplicate",
    "rejected_publication",
    "rejected_excessive",
    "rejected_reconfirm",
)
OTHER_SINGLE: tuple[str, ...] = ("other",)
OTHER_SPLIT: tuple[str, ...] = ("other_overdue_correction", "other_overdue_fee", "other_other")
APPLICATION_ROWS: tuple[str, ...] = (
    *BALANCE_IN,
    *OUTCOMES_BASE,
    *OTHER_SINGLE,
    *OTHER_SPLIT,
    "total_processed",
    "carried_forward",
)
APPLICATION_ROW_LABELS: dict[str, str] = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "（一）予以公开",
    "partially_granted": "（二）部分公开",
    "denied_state_secret": "（三）1.属于国家秘密",
    "denied_prohibited_by_law": "（三）2.其他法律行政法规禁止公开",
    "denied_security_stability": "（三）3.危及“三安全一稳定”",
    "denied_third_party": "（三）4.保护第三方合法权益",
    "denied_internal_affairs": "（三）5.属于三类内部事务信息",
    "denied_process_info": "（三）6.属于四类过程性信息",
    "denied_enforcement_file": "（三）7.属于行政执法案卷",
    "denied_inquiry": "（三）8.属于行政查询事项",
    "unable_not_held": "（四）1.本机关不掌握相关政府信息",
    "unable_needs_creation": "（四）2.没有现成信息需要另行制作",
    "unable_unclear": "（四）3.补正后申请内容仍不明确",
    "rejected_petition": "（五）1.信访举报投诉类申请",
    "rejected_duplicate": "（五）2.重复申请",
    "rejected_publication": "（五）3.要求提供公开出版物",
    "rejected_excessive": "（五）4.无正当理由大量反复申请",
    "rejected_reconfirm": "（五）5.要求行政机关确认或重新出具已获取信息",
    "other": "（六）其他处理",
    "other_overdue_correction": "（六）1.逾期不补正、不再处理",
    "other_overdue_fee": "（六）2.逾期未缴纳费用、不再处理",
    "other_other": "（六）3.其他",
    "total_processed": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}

# Table 四: three blocks of five results.
REVIEW_BLOCKS: dict[str, str] = {
    "review": "行政复议",
    "litigation_direct": "行政诉讼·未经复议直接起诉",
    "litigation_after_review": "行政诉讼·复议后起诉",
}
REVIEW_RESULTS: dict[str, str] = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}
REVIEW_PARTS: tuple[str, ...] = ("upheld", "corrected", "other", "pending")

# Table 二: rows and measures of both formats (F2019 and F2021 measure codes differ).
DISCLOSURE_ITEMS: dict[str, str] = {
    "regulations": "规章",
    "normative_documents": "规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "inspection": "行政检查",
    "confirmation": "行政确认",
    "penalty": "行政处罚",
    "enforcement": "行政强制",
    "fees": "行政事业性收费",
    "procurement": "政府集中采购",
}
DISCLOSURE_MEASURES: dict[str, str] = {
    "made": "本年新制作数量",
    "published": "本年新公开数量",
    "total_public": "对外公开总数量",
    "prior_items": "上一年项目数量",
    "change": "本年增/减",
    "decisions": "处理决定数量",
    "projects": "采购项目数量",
    "amount_10k_yuan": "金额（万元）",
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
}
# Signed by definition (report-schema.md: "every count ≥ 0, except `change`").
SIGNED_MEASURES: frozenset[str] = frozenset({"change"})


@dataclass(frozen=True)
class CheckInfo:
    """How a check id reads in the report: its name, severity and the names of its two sides."""

    label: str
    severity: str  # error (statutory / by construction), warning (plausibility), info
    rule: str  # the relation in words, as printed in the form where it is printed
    actual_label: str  # left side of the relation as written (column `actual`)
    expected_label: str  # right side of the relation as written (column `expected`)


CHECKS: dict[str, CheckInfo] = {
    "T3_BALANCE": CheckInfo(
        "表三 勾稽关系（法定）",
        "error",
        "第一项加第二项之和，等于第三项加第四项之和",
        "第一项加第二项（本年新收＋上年结转）",
        "第三项加第四项（（七）总计＋结转下年度）",
    ),
    "T3_OUTCOMES": CheckInfo(
        "表三 办理结果合计",
        "error",
        "（七）总计等于（一）至（六）各项办理结果之和（每件申请只计入一种办理结果）",
        "（七）总计（报告所列）",
        "各项办理结果之和",
    ),
    "T3_ROW_TOTAL": CheckInfo(
        "表三 申请人合计",
        "error",
        "总计列等于自然人与各类法人或其他组织之和",
        "总计列（报告所列）",
        "各类申请人之和",
    ),
    "T4_TOTAL": CheckInfo(
        "表四 复议诉讼合计",
        "error",
        "总计等于结果维持、结果纠正、其他结果、尚未审结之和",
        "总计（报告所列）",
        "结果维持＋结果纠正＋其他结果＋尚未审结",
    ),
    "NON_NEGATIVE": CheckInfo(
        "数值不为负",
        "error",
        "各项数量均不小于0（本年增/减除外）",
        "所填数值",
        "下限",
    ),
    "PLAUSIBLE_PROCUREMENT": CheckInfo(
        "政府集中采购项目数量是否合理",
        "warning",
        "街道、乡镇一级机关的政府集中采购项目数量一般不超过10,000项",
        "采购项目数量",
        "合理上限",
    ),
    "X4": CheckInfo(
        "对外公开总数量不少于本年新公开数量",
        "warning",
        "对外公开总数量 ≥ 本年新公开数量（F2019）",
        "对外公开总数量",
        "本年新公开数量",
    ),
    "X5": CheckInfo(
        "复议后起诉而本年无行政复议（提示）",
        "info",
        "本年行政复议总计为0而复议后起诉大于0：复议可能发生在以前年度，仅作提示",
        "复议后起诉 总计",
        "行政复议 总计",
    ),
    "NARRATIVE_APPLICATIONS": CheckInfo(
        "正文所述收到申请数与表三一致",
        "warning",
        "正文“收到/受理申请N件”与表三“本年新收”总计一致",
        "正文所述件数",
        "表三 本年新收 总计",
    ),
}
STATUS_LABELS: dict[str, str] = {"pass": "通过", "fail": "不通过", "not_assessable": "无法核对"}
SEVERITY_LABELS: dict[str, str] = {"error": "法定/表内关系", "warning": "合理性提示", "info": "信息"}


def cell_label(table: str, row: str, col: str) -> str:
    """Printed labels of one cell, e.g. 表三 · （七）总计 · 自然人."""
    if table == "applications":
        return f"表三 · {APPLICATION_ROW_LABELS.get(row, row)} · {APPLICANT_TYPES.get(col, col)}"
    if table == "review_litigation":
        return f"表四 · {REVIEW_BLOCKS.get(row, row)} · {REVIEW_RESULTS.get(col, col)}"
    if table == "disclosure":
        return f"表二 · {DISCLOSURE_ITEMS.get(row, row)} · {DISCLOSURE_MEASURES.get(col, col)}"
    return f"{table} · {row} · {col}"


def scope_label(check_id: str, scope: str) -> str:
    """The scope of a result in the words of the form (column, row, block or cell)."""
    parts = scope.split(".")
    if len(parts) == 3:
        return cell_label(*parts)
    if check_id == "NON_NEGATIVE" and scope in TABLE_LABELS:
        return TABLE_LABELS[scope]
    if len(parts) == 2:  # table.row
        table, row = parts
        rows = {"applications": APPLICATION_ROW_LABELS, "review_litigation": REVIEW_BLOCKS}.get(table, DISCLOSURE_ITEMS)
        return f"{TABLE_LABELS.get(table, table)[:2]} · {rows.get(row, row)}"
    if check_id == "T3_BALANCE":
        return f"{APPLICANT_TYPES.get(scope, scope)}列"
    if check_id == "T3_OUTCOMES":
        return f"（七）总计 · {APPLICANT_TYPES.get(scope, scope)}"
    if check_id == "T3_ROW_TOTAL":
        return f"{APPLICATION_ROW_LABELS.get(scope, scope)} · 总计列"
    if check_id in ("T4_TOTAL", "X5"):
        return REVIEW_BLOCKS.get(scope, scope)
    if check_id == "X4":
        return DISCLOSURE_ITEMS.get(scope, scope)
    return scope


def format_number(value: float | None) -> str:
    """A value as printed: thousands separators, no decimals for whole numbers, '—' for null."""
    if value is None or value != value:  # None or NaN
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{float(value):,.4f}".rstrip("0").rstrip(".")


def scope_order(scope: str) -> int:
    """Printed position of a scope's column, row or block (to list results in the form's order)."""
    for order in (APPLICANT_TYPES, APPLICATION_ROWS, REVIEW_BLOCKS, DISCLOSURE_ITEMS):
        if scope in order:
            return list(order).index(scope)
    parts = scope.split(".")
    if len(parts) == 3 and parts[1] in APPLICATION_ROWS:
        return 100 + APPLICATION_ROWS.index(parts[1]) * 10 + list(APPLICANT_TYPES).index(parts[2])
    return 10_000
