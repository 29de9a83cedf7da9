"""The CLI's words in English and Chinese: chosen by `--lang`, else NIANBAO_LANG, else the locale.

Only what the CLI itself says is here (errors, progress, the summary); help texts stay bilingual in place.
"""

from __future__ import annotations

import os

LANGUAGES = ("en", "zh")
LANG_ENV = "NIANBAO_LANG"
_LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG")

MESSAGES: dict[str, dict[str, str]] = {
    "error": {"en": "nianbao: error: {text}", "zh": "nianbao：错误：{text}"},
    "interrupted": {"en": "nianbao: interrupted", "zh": "nianbao：已中断"},
    "file_not_found": {"en": "file not found: {paths}", "zh": "找不到文件：{paths}"},
    "input_not_found": {"en": "input folder not found: {path}", "zh": "找不到输入文件夹：{path}"},
    "warehouse_is_dir": {
        "en": "warehouse path is a folder, expected a DuckDB file: {path}",
        "zh": "数据仓库路径是文件夹，应为 DuckDB 文件：{path}",
    },
    "cannot_create_folder": {
        "en": "cannot create the warehouse folder {path}: {reason}",
        "zh": "无法创建数据仓库文件夹 {path}：{reason}",
    },
    "not_writable": {"en": "warehouse is not writable: {path}", "zh": "数据仓库不可写：{path}"},
    "locked": {
        "en": "warehouse is locked by another process{holder}: {path}",
        "zh": "数据仓库被另一进程锁定{holder}：{path}",
    },
    "busy": {"en": "{reason}", "zh": "另一次运行正在写入数据仓库，等待超时：{reason}"},
    "waiting": {"en": "{reason}", "zh": "正在等待另一次运行写完数据仓库：{reason}"},
    "no_warehouse": {
        "en": "no warehouse at {path}: run `nianbao run` first",
        "zh": "{path} 没有数据仓库：请先运行 `nianbao run`",
    },
    "step_failed": {"en": "step {step} failed: {message}", "zh": "步骤 {step} 失败：{message}"},
    "run_failed": {
        "en": "the pipeline run failed (see the Dagster event log)",
        "zh": "流水线运行失败（见 Dagster 事件日志）",
    },
    "details": {"en": "{text} (details: {log})", "zh": "{text}（详情：{log}）"},
    "disk_full": {"en": "no space left on the device{where}: the run stopped and the published warehouse is "
                        "unchanged; free some space and run again",
                  "zh": "磁盘空间不足{where}：运行已停止，已发布的数据仓库未改变；请释放空间后重新运行"},
    "cannot_load": {"en": "cannot load the pipeline: {reason}", "zh": "无法加载流水线：{reason}"},
    "loading": {"en": "Loading the pipeline…", "zh": "正在加载流水线…"},
    "loading_defs": {
        "en": "Loading the pipeline definitions (preparing the dbt manifest when the models changed)…",
        "zh": "正在加载流水线定义（模型变更时重新生成 dbt manifest）…",
    },
    "stage_extract": {"en": "Reading reports", "zh": "读取报告"},
    "stage_dbt": {"en": "Building models (dbt)", "zh": "构建模型（dbt）"},
    "stage_checks": {"en": "Running GX suites", "zh": "运行 GX 核对"},
    "stage_publish": {"en": "Publishing the warehouse", "zh": "发布数据仓库快照"},
    "stage_report": {"en": "Writing data-quality report", "zh": "生成数据质量报告"},
    "stage_done": {"en": "{label}: {done}/{total} done", "zh": "{label}：{done}/{total} 完成"},
    "finished": {"en": "nianbao run finished in {seconds:.1f} s", "zh": "nianbao 运行完成，用时 {seconds:.1f} 秒"},
    "documents_read": {"en": "documents read", "zh": "读取文件"},
    "documents_value": {
        "en": "{read} (parsed {parsed} / partial {partial} / failed {failed}); {unchanged} unchanged",
        "zh": "{read} 个（完整读取 {parsed} / 部分读取 {partial} / 无法读取 {failed}）；{unchanged} 个未变",
    },
    "skipped": {"en": "skipped (not reports)", "zh": "跳过（非报告文件）"},
    "reports": {"en": "reports", "zh": "报告"},
    "reports_value": {
        "en": "{n:,} ({changed} new or changed this run)",
        "zh": "{n:,} 份（本次新增或变更 {changed} 份）",
    },
    "cells": {"en": "cells", "zh": "单元格"},
    "checks_failing": {"en": "checks failing", "zh": "未通过核对"},
    "in_reports": {"en": " (in {n} report{s})", "zh": "（涉及 {n} 份报告）"},
    "severity_error": {"en": "statutory", "zh": "法定勾稽关系"},
    "severity_warning": {"en": "plausibility", "zh": "合理性提示"},
    "severity_info": {"en": "notice", "zh": "信息提示"},
    "warehouse": {"en": "warehouse", "zh": "数据仓库"},
    "dq_report": {"en": "data-quality report", "zh": "数据质量报告"},
    "dagster_run": {"en": "Dagster run", "zh": "Dagster 运行"},
    "no_run": {
        "en": "none started: nothing changed since the last run",
        "zh": "未启动：自上次运行以来没有变化",
    },
    "findings_note": {
        "en": "Failing checks are findings about the reports, not errors of the pipeline.",
        "zh": "未通过的核对是对报告内容的发现，不是流水线的错误。",
    },
    "exported": {"en": "wrote {rows:,} rows to {path}", "zh": "已写出 {rows:,} 行：{path}"},
    "bundled": {
        "en": "wrote {tables} tables and the data dictionary to {path}",
        "zh": "已写出 {tables} 张表及数据字典：{path}",
    },
    "export_failed": {"en": "cannot export {what}: {reason}", "zh": "无法导出 {what}：{reason}"},
    "no_current": {
        "en": "--current-only needs marts.dim_report.is_current, which this warehouse does not have",
        "zh": "--current-only 需要 marts.dim_report.is_current，此数据仓库没有该列",
    },
}

_language = "en"


def detect_language(flag: str | None = None) -> str:
    """`flag` if given, else NIANBAO_LANG, else zh when the locale is Chinese, else en."""
    if flag in LANGUAGES:
        return flag
    value = os.environ.get(LANG_ENV, "")
    if value in LANGUAGES:
        return value
    for var in _LOCALE_VARS:
        locale = os.environ.get(var, "")
        if locale:
            return "zh" if locale.lower().startswith("zh") else "en"
    return "en"


def set_language(language: str) -> None:
    """Use `language` for every message from now on."""
    global _language
    _language = language if language in LANGUAGES else "en"


def language() -> str:
    return _language


def t(key: str, **params: object) -> str:
    """The message `key` in the current language, with `params` filled in."""
    return MESSAGES[key][_language].format(**params)
