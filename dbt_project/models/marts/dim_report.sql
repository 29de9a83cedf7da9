-- 报告维度 — one row per report (full rebuild: one row per report is cheap), with its agency and whether it is
-- the current report of its agency × year (int_report_versions). Superseded reports stay, is_current false.
select
    loaded.report_id,
    loaded.file_name,
    loaded.sha256,
    loaded.agency,
    loaded.year,
    loaded.template,
    loaded.variant,
    loaded.admin_level,
    loaded.province,
    loaded.city,
    loaded.county,
    loaded.parse_status,
    loaded.parse_issue_count,
    loaded.tables_found,
    versions.agency_id,
    versions.is_current,
    versions.current_reason,
    versions.current_report_id,
    versions.version_count
from {{ ref('int_reports_loaded') }} as loaded
inner join {{ ref('int_report_versions') }} as versions on versions.report_id = loaded.report_id
